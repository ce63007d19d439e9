// Folding and tokenizing text for the prompt parser: case, Latin accents, apostrophes, punctuation.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pmx::gen {

// Folds one word for matching: ASCII lowercase; the letters of Latin-1 Supplement and Latin
// Extended-A (U+00C0–U+017F) to their base letters, upper and lower case alike ("Beyoncé" →
// "beyonce", "Sigur Rós" → "sigur ros", "Æ" → "ae", "ß" → "ss", "Ł" → "l"); apostrophes
// (' ‘ ’) dropped ("don't" → "dont", "90's" → "90s"). Everything else passes through unchanged:
// other scripts (Greek and Cyrillic are not case-folded; CJK has no case), symbols, and bytes
// that are not valid UTF-8.
std::string fold_word(std::string_view word);

// What stands between a token and the one before it.
struct Gap {
    bool clause = false;  // , ; : . ! ? ( ) [ ] … — or the CJK comma/full stop: a new clause
    bool dash = false;    // - or – (en dash): ranges ("1975-1982"), compounds ("hip-hop")
    bool plus = false;    // + ("4+ stars")
};

struct Token {
    std::string_view text;  // as typed, a view into the tokenized text, outer apostrophes trimmed
    std::string folded;     // fold_word(text); "&" folds to "and", ★ and ⭐ to "star"
    Gap gap;                // before this token (the first token's gap is empty)
    bool elided = false;    // typed with a leading apostrophe ("'85", "'90s")
};

// Splits text into words: runs of ASCII letters and digits and of non-ASCII code points other
// than the punctuation listed above; a '.' between digits stays inside ("4.5"), an apostrophe
// stays inside when a word character follows ("don't", "'90s"). "&", "★" and "⭐" are tokens
// of their own. The tokens view `text`, which must outlive them.
std::vector<Token> tokenize(std::string_view text);

}  // namespace pmx::gen
