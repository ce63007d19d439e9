// Reading a search query for the mirror's names: the genres, artists and albums it spells.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "store/named_tracks.hpp"

namespace pmx {

// The names of the mirror a query may spell (store/track_filter.hpp, store/named_tracks.hpp).
struct NameVocabulary {
    std::vector<std::string> genres, artists, albums;
};

// One name the query spells.
struct QueryName {
    NameField field = NameField::genre;
    std::string words;               // as typed ("beyonce")
    std::string name;                // the mirror's spelling shown for it ("Beyoncé")
    std::vector<std::string> names;  // every mirror name it stands for: spellings that fold
                                     // alike ("Hip-Hop", "Hip Hop"), what a genre word covers
};

// The names `query` spells, left to right, each word read once. Words compare as the prompt
// parser compares them (generate/prompt_names.hpp: case, Latin accents, punctuation, words
// written together, genre synonyms and plurals). At each word the longest name wins; of equal
// length a genre beats an artist, an artist an album ("jazz" is the genre even beside an album
// "Jazz"; "soul" is the genre even beside an artist "Soul II Soul", whose name needs all three
// words). Albums need their leading "The" ("the wall", not "wall"). A name made only of words
// that queries use around names ("a", "for", "music", ...) counts only as the whole query. A
// name spelled twice is read once.
std::vector<QueryName> read_query_names(std::string_view query, const NameVocabulary& vocab);

std::string_view field_name(NameField field);  // "genre", "artist", "album"

// "genre Jazz" or, when the name stands for several, "genre Jazz (with Bebop, Cool Jazz, +2 more)".
std::string describe_name(const QueryName& name);

// The names joined by " · ": "genre Jazz · artist Miles Davis".
std::string describe_names(const std::vector<QueryName>& names);

}  // namespace pmx
