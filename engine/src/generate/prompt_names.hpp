// Matching the mirror's genre and artist names (and genre synonyms) against prompt tokens.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "generate/genre_taxonomy.hpp"
#include "generate/prompt.hpp"
#include "generate/prompt_text.hpp"

namespace pmx::gen {

enum class NameKind { genre, artist };

struct NameMatch {
    size_t length = 0;               // tokens matched; 0: no match
    std::vector<std::string> names;  // the mirror's spellings (several when they fold the same)
    // Genres with a taxonomy only (empty/false/0 without one):
    std::string read_as;  // what the words were read as: "jazz", "psychedelic rock", "Singer/Songwriter"
    bool fuzzy = false;   // read through a misspelling ("psychadelic")
    // The words name a genre the taxonomy knows but the mirror has none of ("polka" in a library
    // without polka): length stays 0 and names empty, so a caller that checks length treats the
    // words as before (unknown); unknown_length is how many tokens the genre spans and read_as
    // says which, for a caller that wants to report a constraint it cannot apply.
    size_t unknown_length = 0;
};

// Built once per parse from the Vocabulary. Names are compared word by word after folding
// (prompt_text.hpp); a span of up to kMaxJoinedSpan tokens also matches a name whose words
// written together equal it ("hiphop" = "Hip-Hop", "acdc" = "AC/DC"). A clause break in the
// prompt (a comma) matches only where the name has one, so "jazz, rock" is never "Jazz Rock".
//
// With a taxonomy (Vocabulary::taxonomy), the genre phrases are the mirror's names and their
// parts (GenreMirror::phrases()) and the tree's genres and aliases (GenreTaxonomy::
// prompt_phrases()); a match's names are the mirror genres its concept means (genre_taxonomy.hpp).
// A word of 5 to 7 letters one edit away from a word of those phrases, or of 8 or more letters
// two edits away, reads as that word, unless it is an English word, a word of a known genre or
// artist, or near two different words equally ("psychadellic" → psychedelic; never "county" →
// country, "rocky" → rock, "pop" → hop).
class NameIndex {
public:
    static constexpr size_t kMaxJoinedSpan = 3;
    static constexpr size_t kMinFuzzyLetters = 5;  // shorter words are never corrected
    static constexpr size_t kTwoEditLetters = 8;   // from this length two edits are allowed

    explicit NameIndex(const Vocabulary& vocab);

    // The longest name of `kind` starting at tokens[at]; genres also match through the synonym
    // table (or the taxonomy) and in the plural ("ballads" → "Ballad"). Longest first; at the
    // same length a genre the mirror has beats one it lacks, and an exact reading a fuzzy one.
    NameMatch match(const std::vector<Token>& tokens, size_t at, NameKind kind) const;

    // The mirror names that a whole string spells ("hip hop" → {"Hip-Hop"}); empty when none.
    std::vector<std::string> resolve(std::string_view text, NameKind kind) const;
    // match() of a whole string: its length is 0 unless every token was used (a genre the
    // mirror lacks keeps its unknown_length and read_as when it spans the whole string).
    NameMatch read(std::string_view text, NameKind kind) const;

private:
    struct Entry {
        std::vector<std::string> words;  // folded
        std::vector<bool> breaks;        // breaks[i]: a clause break before words[i + 1]
        std::string joined;              // the words written together
        std::vector<std::string> names;
        bool synonym = false;
        std::string concept_key;         // with a taxonomy: the concept (names come from the GenreMirror)
    };
    struct Table {
        std::vector<Entry> entries;
        std::unordered_map<std::string, size_t> by_key;  // words joined by spaces → entry
        std::unordered_map<std::string, std::vector<size_t>> by_first, by_joined;
    };

    // Adds a name (or, with an empty name, a phrase with no names yet); returns its entry.
    static size_t add(Table& table, const std::vector<Token>& tokens, size_t skip, const std::string& name,
                      bool synonym);
    static size_t add_words(Table& table, std::vector<std::string> words, std::vector<bool> breaks,
                            const std::string& name, bool synonym);
    // Tokens used when `entry` matches word by word at tokens[at]; 0 when it does not.
    // corrections[i] (when given): what tokens[at + i] reads as through a typo; sets `fuzzy`.
    // breaks: as Entry::breaks; null: none (a clause break in the prompt never matches).
    static size_t match_words(const std::vector<std::string>& words, const std::vector<bool>* breaks,
                              const std::vector<Token>& tokens, size_t at, bool plural,
                              const std::vector<std::optional<std::string>>* corrections, bool& fuzzy);
    void add_synonyms();
    void add_taxonomy_genres(const Vocabulary& vocab);
    std::optional<std::string> correction(const std::string& folded) const;

    Table genres_, artists_;
    // With a taxonomy: the mirror read through it; genres_ holds the mirror's own phrases and the
    // tree's come from the taxonomy's index. The word sets add to the taxonomy's phrase words.
    const GenreTaxonomy* taxonomy_ = nullptr;
    std::unique_ptr<GenreMirror> mirror_;
    StringSet known_words_;                   // words of mirror genres and artists: never corrected
    std::vector<std::string> fuzzy_targets_;  // words of mirror genres a typo may mean
    size_t longest_genre_ = 0;                // words of the longest genre phrase
};

// The mirror genres whose whole name folds equal to `text` ("rock" → {"Rock"}, never "Punk
// Rock"); the byte-equal name alone when there is one. For --genre-exact.
std::vector<std::string> exact_genres(const Vocabulary& vocab, std::string_view text);

}  // namespace pmx::gen
