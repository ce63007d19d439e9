// fold_word() and tokenize(): a small UTF-8 decoder, a table of Latin letters, a list of
// punctuation code points. No locale, no ICU: the results do not depend on the machine.
#include "generate/prompt_text.hpp"

#include <array>
#include <cstdint>

namespace pmx::gen {
namespace {

constexpr char32_t kInvalid = 0xFFFFFFFF;

constexpr char32_t kLeftSingleQuote = 0x2018;
constexpr char32_t kRightSingleQuote = 0x2019;  // the typographic apostrophe
constexpr char32_t kEnDash = 0x2013;
constexpr char32_t kBlackStar = 0x2605;
constexpr char32_t kStarEmoji = 0x2B50;

// One decoded code point and its length in bytes; invalid bytes decode as kInvalid, length 1.
struct CodePoint {
    char32_t value;
    size_t size;
};

CodePoint decode(std::string_view text, size_t at) {
    constexpr unsigned char kContinuationMask = 0xC0, kContinuation = 0x80;
    constexpr char32_t kTwoByteMin = 0x80, kThreeByteMin = 0x800, kFourByteMin = 0x10000, kMax = 0x10FFFF;
    const auto lead = static_cast<unsigned char>(text[at]);
    if (lead < 0x80) return {lead, 1};
    size_t size = 0;
    char32_t value = 0;
    char32_t minimum = 0;
    if ((lead & 0xE0) == 0xC0) {
        size = 2, value = lead & 0x1Fu, minimum = kTwoByteMin;
    } else if ((lead & 0xF0) == 0xE0) {
        size = 3, value = lead & 0x0Fu, minimum = kThreeByteMin;
    } else if ((lead & 0xF8) == 0xF0) {
        size = 4, value = lead & 0x07u, minimum = kFourByteMin;
    } else {
        return {kInvalid, 1};
    }
    if (at + size > text.size()) return {kInvalid, 1};
    for (size_t i = 1; i < size; ++i) {
        const auto byte = static_cast<unsigned char>(text[at + i]);
        if ((byte & kContinuationMask) != kContinuation) return {kInvalid, 1};
        value = (value << 6) | (byte & 0x3Fu);
    }
    if (value < minimum || value > kMax) return {kInvalid, 1};
    return {value, size};
}

// Latin-1 Supplement and Latin Extended-A letters → base letters. Ranges are inclusive;
// code points in U+00C0–U+017F that are not listed (× ÷) pass through.
struct LatinRange {
    char32_t first, last;
    std::string_view base;
};

constexpr std::array<LatinRange, 52> kLatinLetters{{
    {0xC0, 0xC5, "a"}, {0xC6, 0xC6, "ae"}, {0xC7, 0xC7, "c"}, {0xC8, 0xCB, "e"}, {0xCC, 0xCF, "i"},
    {0xD0, 0xD0, "d"}, {0xD1, 0xD1, "n"}, {0xD2, 0xD6, "o"}, {0xD8, 0xD8, "o"}, {0xD9, 0xDC, "u"},
    {0xDD, 0xDD, "y"}, {0xDE, 0xDE, "th"}, {0xDF, 0xDF, "ss"},
    {0xE0, 0xE5, "a"}, {0xE6, 0xE6, "ae"}, {0xE7, 0xE7, "c"}, {0xE8, 0xEB, "e"}, {0xEC, 0xEF, "i"},
    {0xF0, 0xF0, "d"}, {0xF1, 0xF1, "n"}, {0xF2, 0xF6, "o"}, {0xF8, 0xF8, "o"}, {0xF9, 0xFC, "u"},
    {0xFD, 0xFD, "y"}, {0xFE, 0xFE, "th"}, {0xFF, 0xFF, "y"},
    {0x100, 0x105, "a"}, {0x106, 0x10D, "c"}, {0x10E, 0x111, "d"}, {0x112, 0x11B, "e"},
    {0x11C, 0x123, "g"}, {0x124, 0x127, "h"}, {0x128, 0x131, "i"}, {0x132, 0x133, "ij"},
    {0x134, 0x135, "j"}, {0x136, 0x138, "k"}, {0x139, 0x142, "l"}, {0x143, 0x14B, "n"},
    {0x14C, 0x151, "o"}, {0x152, 0x153, "oe"}, {0x154, 0x159, "r"}, {0x15A, 0x161, "s"},
    {0x162, 0x167, "t"}, {0x168, 0x173, "u"}, {0x174, 0x175, "w"}, {0x176, 0x178, "y"},
    {0x179, 0x17E, "z"}, {0x17F, 0x17F, "s"},
    // Letters outside the two blocks that are common in names.
    {0x218, 0x219, "s"}, {0x21A, 0x21B, "t"},  // Ș ș Ț ț (Romanian)
    {0x1EBC, 0x1EBD, "e"}, {0x1EF2, 0x1EF3, "y"},  // Ẽ ẽ Ỳ ỳ
}};

const LatinRange* latin_letter(char32_t c) {
    for (const LatinRange& range : kLatinLetters) {
        if (c >= range.first && c <= range.last) return &range;
    }
    return nullptr;
}

bool is_apostrophe(char32_t c) { return c == '\'' || c == kLeftSingleQuote || c == kRightSingleQuote; }

bool is_ascii_alnum(char32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_star(char32_t c) { return c == kBlackStar || c == kStarEmoji; }

// Non-ASCII punctuation and spaces that separate words; the rest of the non-ASCII range is
// taken as letters, so that other scripts stay whole.
bool is_unicode_separator(char32_t c) {
    constexpr std::array<char32_t, 17> kSeparators{
        0x00A0,  // no-break space
        0x00A1, 0x00BF,  // ¡ ¿
        0x00AB, 0x00BB,  // « »
        0x00B7,  // ·
        0x2013, 0x2014,  // – —
        0x201C, 0x201D,  // “ ”
        0x2026,  // …
        0x2009, 0x202F,  // thin spaces
        0x3000, 0x3001, 0x3002,  // ideographic space, comma, full stop
        0xFF0C,  // fullwidth comma
    };
    for (const char32_t separator : kSeparators) {
        if (c == separator) return true;
    }
    return false;
}

void note_gap(Gap& gap, char32_t c) {
    switch (c) {
        case ',': case ';': case ':': case '.': case '!': case '?': case '(': case ')': case '[': case ']':
        case 0x00A1: case 0x00BF: case 0x2014: case 0x2026: case 0x3001: case 0x3002: case 0xFF0C:
            gap.clause = true;
            break;
        case '-': case kEnDash:
            gap.dash = true;
            break;
        case '+':
            gap.plus = true;
            break;
        default:
            break;
    }
}

enum class Kind { word, apostrophe, dot, own_token, separator };

Kind kind_of(char32_t c) {
    if (c == kInvalid) return Kind::word;  // invalid bytes stay inside words, unchanged
    if (c < 0x80) {
        if (is_ascii_alnum(c)) return Kind::word;
        if (c == '\'') return Kind::apostrophe;
        if (c == '.') return Kind::dot;
        if (c == '&') return Kind::own_token;
        return Kind::separator;
    }
    if (is_apostrophe(c)) return Kind::apostrophe;
    if (is_star(c)) return Kind::own_token;
    if (is_unicode_separator(c)) return Kind::separator;
    return Kind::word;
}

std::string_view trim_apostrophes(std::string_view word) {
    while (!word.empty() && word.front() == '\'') word.remove_prefix(1);
    while (!word.empty() && word.back() == '\'') word.remove_suffix(1);
    // The typographic forms are three bytes each.
    for (const std::string_view quote : {std::string_view("\u2019"), std::string_view("\u2018")}) {
        while (word.starts_with(quote)) word.remove_prefix(quote.size());
        while (word.ends_with(quote)) word.remove_suffix(quote.size());
    }
    return word;
}

}  // namespace

std::string fold_word(std::string_view word) {
    std::string folded;
    folded.reserve(word.size());
    size_t at = 0;
    while (at < word.size()) {
        const CodePoint cp = decode(word, at);
        const std::string_view bytes = word.substr(at, cp.size);
        at += cp.size;
        if (cp.value == kInvalid) {
            folded += bytes;
        } else if (cp.value < 0x80) {
            if (cp.value == '\'') continue;
            const char c = bytes[0];
            folded += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        } else if (is_apostrophe(cp.value)) {
            continue;
        } else if (const LatinRange* letter = latin_letter(cp.value)) {
            folded += letter->base;
        } else {
            folded += bytes;
        }
    }
    return folded;
}

std::vector<Token> tokenize(std::string_view text) {
    std::vector<Token> tokens;
    Gap gap;
    size_t at = 0;
    while (at < text.size()) {
        const CodePoint cp = decode(text, at);
        const Kind kind = kind_of(cp.value);
        if (kind == Kind::own_token) {
            tokens.push_back({text.substr(at, cp.size), cp.value == '&' ? "and" : "star", gap});
            gap = {};
            at += cp.size;
            continue;
        }
        const bool starts_word =
            kind == Kind::word ||
            (kind == Kind::apostrophe && at + cp.size < text.size() &&
             kind_of(decode(text, at + cp.size).value) == Kind::word);
        if (!starts_word) {
            note_gap(gap, cp.value);
            at += cp.size;
            continue;
        }
        const size_t begin = at;
        while (at < text.size()) {
            const CodePoint next = decode(text, at);
            const Kind next_kind = kind_of(next.value);
            if (next_kind == Kind::word) {
                at += next.size;
                continue;
            }
            const size_t after = at + next.size;
            if (next_kind == Kind::dot && at > begin && is_digit(text[at - 1]) && after < text.size() &&
                is_digit(text[after])) {
                at = after;  // "4.5"
                continue;
            }
            if (next_kind == Kind::apostrophe && after < text.size() &&
                kind_of(decode(text, after).value) == Kind::word) {
                at = after;  // "don't", "90's"
                continue;
            }
            break;
        }
        const std::string_view word = trim_apostrophes(text.substr(begin, at - begin));
        tokens.push_back({word, fold_word(word), gap, word.data() != text.data() + begin});
        gap = {};
    }
    return tokens;
}

}  // namespace pmx::gen
