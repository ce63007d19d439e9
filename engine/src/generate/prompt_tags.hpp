// The tag vocabulary in a prompt: mood, activity and instrument words that rank, filter or exclude.
#pragma once

// A word of the tag vocabulary (tags/vocabulary.hpp: "melancholic", "rainy day", "sax") in a
// prompt becomes a TagWord. Alone it ranks: tracks whose active tags hold the term come first
// (the word also stays a mood word, for keywords and vectors). After "only", "purely",
// "exclusively", "solely" (or "just" before an instrument) or before "only" it filters: only
// tracks tagged so. After a negation ("no",
// "without", "not", "-free") it excludes tracks tagged so, instead of the "not understood" note
// such a phrase got before tags existed. A word the parser read as a genre stays a genre.

#include <string>
#include <string_view>
#include <vector>

#include "generate/prompt.hpp"

namespace pmx::gen {

// Adds the ranking and filtering TagWords of `prompt` to request.tags, from the words no reader
// of the parser took (`free`, per token of tokenize(prompt)): a genre, an artist or a negated
// phrase is not a tag word to rank (excluded ones are added by the parser as it reads
// negations, through excluded_tag_words()).
void read_tag_words(std::string_view prompt, const std::vector<bool>& free, PlaylistRequest& request);

// When every word of a negated phrase ("without vocals", "no drums or bass", "vocal-free"),
// less its negation, articles and conjunctions, is a term of the vocabulary: the excluded
// TagWords; else empty (the phrase stays a note).
std::vector<TagWord> excluded_tag_words(std::string_view phrase);

// "melancholic", "only: piano", "not: vocals" for --explain.
std::string describe(const TagWord& tag);

}  // namespace pmx::gen
