// Matching the mirror's genre and artist names (and genre synonyms) against prompt tokens.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "generate/prompt.hpp"
#include "generate/prompt_text.hpp"

namespace pmx::gen {

enum class NameKind { genre, artist };

struct NameMatch {
    size_t length = 0;               // tokens matched; 0: no match
    std::vector<std::string> names;  // the mirror's spellings (several when they fold the same)
};

// Built once per parse from the Vocabulary. Names are compared word by word after folding
// (prompt_text.hpp); a span of up to kMaxJoinedSpan tokens also matches a name whose words
// written together equal it ("hiphop" = "Hip-Hop", "acdc" = "AC/DC"). A clause break in the
// prompt (a comma) matches only where the name has one, so "jazz, rock" is never "Jazz Rock".
class NameIndex {
public:
    static constexpr size_t kMaxJoinedSpan = 3;

    explicit NameIndex(const Vocabulary& vocab);

    // The longest name of `kind` starting at tokens[at]; genres also match through the synonym
    // table and in the plural ("ballads" → "Ballad").
    NameMatch match(const std::vector<Token>& tokens, size_t at, NameKind kind) const;

    // The mirror names that a whole string spells ("hip hop" → {"Hip-Hop"}); empty when none.
    std::vector<std::string> resolve(std::string_view text, NameKind kind) const;

private:
    struct Entry {
        std::vector<std::string> words;  // folded
        std::vector<bool> breaks;        // breaks[i]: a clause break before words[i + 1]
        std::string joined;              // the words written together
        std::vector<std::string> names;
        bool synonym = false;
    };
    struct Table {
        std::vector<Entry> entries;
        std::unordered_map<std::string, size_t> by_key;  // words joined by spaces → entry
        std::unordered_map<std::string, std::vector<size_t>> by_first, by_joined;
    };

    static void add(Table& table, const std::vector<Token>& tokens, size_t skip, const std::string& name,
                    bool synonym);
    static size_t match_words(const Entry& entry, const std::vector<Token>& tokens, size_t at, bool plural);
    void add_synonyms();

    Table genres_, artists_;
};

}  // namespace pmx::gen
