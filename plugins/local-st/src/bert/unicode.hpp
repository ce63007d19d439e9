// The Unicode character data BERT's basic tokenizer needs (classes, lowercasing, accent
// stripping), from tables generated out of Python's unicodedata (see gen_unicode_data.py).
#pragma once

#include <string>
#include <string_view>

namespace pmx::localst::bert {

enum class CharClass : unsigned char {
    kOther,
    kSpace,    // tab, LF, CR, Zs, Zl, Zp: word separators
    kControl,  // every C* category except tab/LF/CR: dropped
    kPunct,    // P* plus all ASCII symbols: a token of its own
    kMark,     // Mn: dropped when accents are stripped
};

CharClass char_class(char32_t cp);

// The CJK ideograph blocks BERT surrounds with spaces (not Hangul, Hiragana or Katakana).
bool is_cjk_ideograph(char32_t cp);

// Appends the lowercase of `cp` (str.lower() of a single code point, without the
// context-dependent final-sigma rule, as the Rust tokenizers library does).
void append_lower(char32_t cp, std::u32string& out);

// Appends the canonical decomposition (NFD) of `cp` with its nonspacing marks removed.
void append_stripped(char32_t cp, std::u32string& out);

// UTF-8 to code points; each invalid byte becomes U+FFFD.
std::u32string decode_utf8(std::string_view text);
void append_utf8(char32_t cp, std::string& out);

}  // namespace pmx::localst::bert
