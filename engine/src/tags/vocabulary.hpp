// The tag vocabulary (moods, environments/activities, instruments) and the map from a model's words to it.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace pmx::tags {

enum class Facet { mood, environment, instrument };
inline constexpr std::array<Facet, 3> kFacets{Facet::mood, Facet::environment, Facet::instrument};

std::string_view facet_name(Facet);  // "mood", "environment", "instrument"

// How the vocabulary compares words: tokenize() + fold_word() of the prompt parser (case, Latin
// accents, apostrophes, punctuation), each word's plural "s" taken off ("Pianos" → "piano",
// "Rainy-Day" → "rainy day", "melodies" → "melody", "basses" → "bass"; words ending in ss, us
// or is keep theirs), words joined by single spaces. Empty when the text has no word.
std::string term_key(std::string_view text);
// term_key() without the spaces: what "road trip", "roadtrip" and "road-trip" share.
std::string compact_key(std::string_view text);

// The vocabulary as parse_vocabulary() builds it. Immutable once built (the lists are for
// reading), so one instance may serve any number of threads.
struct Vocabulary {
    std::vector<std::string> moods, environments, instruments;  // canonical terms, lower case, as shown to the model

    // The canonical term a word or phrase means in `facet` ("melancholy" → "melancholic", "sax" →
    // "saxophone", "working out" → "workout", "Piano" → "piano"), case/accents/punctuation/
    // plural-insensitive; nullopt when none. A term or synonym matches by term_key(), else by
    // compact_key() ("work out" → "workout", "roadtrip" → "road trip").
    std::optional<std::string> canonical(Facet facet, std::string_view word) const;
    // The same across every facet, for reading prompts: which facet and term a word/phrase is.
    std::optional<std::pair<Facet, std::string>> find(std::string_view word) const;
    const std::vector<std::string>& terms(Facet) const;
    // The synonyms the data lists for a canonical term, as written (empty for an unknown term).
    const std::vector<std::string>& synonyms(Facet, std::string_view term) const;
    // A short stable hash of the whole vocabulary (facets, terms, synonyms, in order, and the
    // matching rules' version): 12 hex digits; changes when the data changes, not with comments.
    std::string version() const { return version_; }

private:
    friend Vocabulary parse_vocabulary(std::string_view yaml, const std::string& name);

    struct Target {
        Facet facet;
        size_t term;  // index into terms(facet)
    };
    const Target* lookup(std::string_view word) const;

    std::array<std::vector<std::vector<std::string>>, kFacets.size()> synonyms_;  // per facet, per term
    std::unordered_map<std::string, Target> by_key_, by_compact_;
    std::string version_;
};

// The vocabulary shipped with plexmix (engine/data/tags/vocabulary.yaml, embedded at build
// time), parsed on first use; thread-safe.
const Vocabulary& builtin_vocabulary();

// Reads a vocabulary file: a mapping with exactly the keys moods, environments and instruments,
// each a non-empty mapping of term → list of synonyms (or nothing). Terms are lower-case ASCII
// letters, digits, single spaces and hyphens. Each term_key() and compact_key() must mean one
// term of one facet. Throws std::runtime_error "name:line:col: why" otherwise.
Vocabulary parse_vocabulary(std::string_view yaml, const std::string& name);

struct MappedTags {
    std::vector<std::string> moods, environments, instruments;
    int energy = 0;  // 0: none given
    std::vector<std::string> dropped;  // raw words that mapped to nothing, for counting/reporting
};

// Maps a model's raw answer lists through canonical(); keeps order, drops duplicates, clamps
// nothing (energy is checked by the caller and left 0 here). A word that means nothing in its
// own facet is dropped (also when it is another facet's term); `dropped` holds each such word
// once, as given, in the order met (moods, then environments, then instruments). Blank words
// are skipped and not reported.
MappedTags map_tags(const Vocabulary&, const std::vector<std::string>& moods, const std::vector<std::string>& environments,
                    const std::vector<std::string>& instruments);

}  // namespace pmx::tags
