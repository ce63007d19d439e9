// The parse step's completer reading: the prompt mapped by an LLM to the request structure, validated like user input, and merged with the rule parser's reading.
#pragma once

// Opt-in (`parse: { llm: true }` or `--llm-parse`). The completer gets the sentence and a JSON
// Schema of the request whose allowed values are the mirror's genre names, the tag vocabulary
// and the artists of the mirror the prompt may name; it answers through llm::structured_call.
// The answer is untrusted: each genre goes through what `--genre` accepts (the taxonomy maps
// a spelling the library lacks, else it is dropped with a note), artists must be the mirror's,
// years, counts, durations, ratings and days are range-checked (out of range: dropped, noted).
// merge_readings() then keeps the rule parser's unambiguous readings (numbers, years, named
// artists of the mirror) wherever the two disagree, and lists every disagreement.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <pmx/plugin.h>

#include "generate/prompt.hpp"
#include "llm/structured_call.hpp"

namespace pmx {
class Provider;
}

namespace pmx::gen {

// The most genre names the schema enumerates (a library may hold thousands): those the prompt's
// words are near first, then the shortest (the broad ones). The answer may still name others.
inline constexpr size_t kMaxSchemaGenres = 300;
// The most artist names the schema enumerates: the mirror's artists whose words the prompt holds.
inline constexpr size_t kMaxSchemaArtists = 50;

struct LlmParse {
    pmx_status status = PMX_OK;
    std::string error;            // when !ok(): what failed, one line
    std::string model;
    PlaylistRequest request;      // the completer's reading, validated (mirror spellings)
    std::vector<std::string> notes;  // what validation dropped, one sentence each
    bool repaired = false;
    llm::Usage usage;

    bool ok() const { return status == PMX_OK; }
};

// The artists of `vocab` the prompt may name: every word of the name (but "the" and "and") is a
// word of the prompt or one letter away from one of 5 letters or more; at most kMaxSchemaArtists.
std::vector<std::string> artists_in_prompt(std::string_view prompt, const Vocabulary& vocab);

// Asks the completer for its reading of `prompt`. `rules` is the rule parser's reading (its
// genres and artists are always among the allowed values); `now` dates "in the last N days".
// Never throws for what the completer does.
LlmParse read_with_completer(Provider& completer, std::string_view prompt, const Vocabulary& vocab,
                             const PlaylistRequest& rules, int64_t now, llm::UsageLedger* ledger);

// The request to use: the completer's reading, except where the rule parser read a number, a
// year or a named artist of the mirror and the completer read something else (the rule parser's
// reading is kept). Every field the two read differently is listed in `disagreements`
// ("years: rules 1990–1999, LLM 1985–1999 (rules kept)").
PlaylistRequest merge_readings(const PlaylistRequest& rules, const PlaylistRequest& llm,
                               std::vector<std::string>& disagreements);

}  // namespace pmx::gen
