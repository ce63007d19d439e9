// The select step's completer call: the best-ranked candidates, sized to the completer's context window, and its checked choice.
#pragma once

// The completer sees one compact line per candidate (id | title | artist | album | year |
// genres | tags | length), the user's sentence, the count or duration wanted and the caps the
// list already keeps, and answers through llm::structured_call with an ordered list of
// {id, reason}. Its answer is untrusted: ids that were not sent are dropped and counted, an id
// given twice counts once. The caller turns the choice into the ranking (pipeline_steps.cpp).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <pmx/plugin.h>

#include "llm/structured_call.hpp"
#include "store/track_filter.hpp"

namespace pmx {
class Provider;
}

namespace pmx::gen {

// The most candidates one request offers, whatever the window allows: enough to choose a long
// playlist from, few enough that the model reads them all.
inline constexpr size_t kMaxOfferedCandidates = 150;

// One candidate as the completer sees it.
struct SelectCandidate {
    const TrackDetail* track = nullptr;
    std::vector<std::string> tags;  // its active LLM tags (moods, environments, instruments)
};

// What the completer is asked for.
struct SelectAsk {
    std::string prompt;                  // the user's sentence, as typed
    int target_count = 0;                // exactly this many tracks (0: a duration is asked)
    int target_seconds = 0;              // about this long, ±5%
    int per_artist = 0, per_album = 0;   // caps the list keeps already (0: none)
    size_t max_offered = kMaxOfferedCandidates;
};

struct SelectPick {
    int64_t id = 0;
    std::string reason;  // one line, short
};

struct SelectResult {
    pmx_status status = PMX_OK;
    std::string error;              // when !ok(): what failed, one line
    std::string model;              // the model that answered, as the completer names it
    size_t offered = 0;             // the first `offered` candidates were sent
    size_t asked = 0;               // the tracks asked for (the count, or an estimate for a duration)
    std::vector<SelectPick> picks;  // ids that were sent, in the completer's order, each once
    size_t invented = 0;            // ids in the answer that were not sent
    size_t repeated = 0;            // ids given again after their first place
    bool repaired = false;          // the first answer was invalid, the repair valid
    llm::Usage usage;

    bool ok() const { return status == PMX_OK; }
};

// "412 | Blue in Green | Miles Davis | Kind of Blue | 1959 | Jazz; Modal | calm, night | 5:37".
std::string candidate_line(int64_t id, const SelectCandidate& candidate);

// The tokens `text` is counted as when a request is sized: the larger of llm::estimate_tokens()
// (a token per 4 bytes) and its whitespace-separated words (a tokenizer gives every word at
// least one token: a line of ids, years and separators holds more words than 4-byte groups).
uint64_t sizing_tokens(std::string_view text);

// Offers the first candidates (the best first) that fit the completer's window with room for
// the answer and for one repair, at most ask.max_offered, in one structured call (a repair
// re-ask when the answer is invalid). No candidate fits: PMX_INVALID_INPUT, nothing sent. An
// answer that names no candidate: PMX_BAD_RESPONSE. Never throws for what the completer does.
SelectResult select_with_completer(Provider& completer, const SelectAsk& ask,
                                   const std::vector<SelectCandidate>& candidates, llm::UsageLedger* ledger);

}  // namespace pmx::gen
