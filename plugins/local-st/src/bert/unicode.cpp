// Lookups over the generated tables, and a small UTF-8 codec.
#include "bert/unicode.hpp"

#include <algorithm>
#include <cstdint>
#include <iterator>

namespace pmx::localst::bert {
namespace {

struct ClassRange {
    char32_t first;
    char32_t last;
    CharClass cls;
};

// Code points first..last (every `stride`-th one) lowercase to cp + delta.
struct LowerRun {
    char32_t first;
    char32_t last;
    int stride;
    int delta;
};

struct StripEntry {
    char32_t cp;
    uint16_t offset;  // into kStripPool
    uint8_t length;
};

#include "bert/unicode_data.inc"

constexpr char32_t kHangulFirst = 0xAC00;
constexpr char32_t kHangulLast = 0xD7A3;
constexpr char32_t kReplacement = 0xFFFD;

// Finds the last entry whose first field is <= cp.
template <class T, size_t N, class Key>
const T* find_le(const T (&table)[N], char32_t cp, Key key) {
    const T* it = std::upper_bound(std::begin(table), std::end(table), cp,
                                   [&](char32_t c, const T& e) { return c < key(e); });
    return it == std::begin(table) ? nullptr : it - 1;
}

}  // namespace

CharClass char_class(char32_t cp) {
    if (cp < 0x80) {
        // ASCII fast path, same answers as the table.
        if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r') return CharClass::kSpace;
        if (cp < 0x20 || cp == 0x7F) return CharClass::kControl;
        if ((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z')) return CharClass::kOther;
        return CharClass::kPunct;
    }
    const ClassRange* r = find_le(kClassRanges, cp, [](const ClassRange& e) { return e.first; });
    return r != nullptr && cp <= r->last ? r->cls : CharClass::kOther;
}

bool is_cjk_ideograph(char32_t cp) {
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0x20000 && cp <= 0x2A6DF) || (cp >= 0x2A700 && cp <= 0x2B73F) ||
           (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B820 && cp <= 0x2CEAF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

void append_lower(char32_t cp, std::u32string& out) {
    if (cp < 0x80) {
        out.push_back(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
        return;
    }
    if (cp == 0x130) {  // İ lowercases to i + combining dot above
        out.push_back(U'i');
        out.push_back(0x307);
        return;
    }
    const LowerRun* r = find_le(kLowerRuns, cp, [](const LowerRun& e) { return e.first; });
    if (r != nullptr && cp <= r->last && (cp - r->first) % static_cast<char32_t>(r->stride) == 0) {
        out.push_back(static_cast<char32_t>(static_cast<int64_t>(cp) + r->delta));
        return;
    }
    out.push_back(cp);
}

void append_stripped(char32_t cp, std::u32string& out) {
    if (cp < 0x80) {
        out.push_back(cp);
        return;
    }
    if (cp >= kHangulFirst && cp <= kHangulLast) {
        // Algorithmic decomposition into conjoining jamo (Unicode 3.12); none of them is Mn.
        constexpr char32_t kL = 0x1100, kV = 0x1161, kT = 0x11A7, kVCount = 21, kTCount = 28;
        const char32_t s = cp - kHangulFirst;
        out.push_back(kL + s / (kVCount * kTCount));
        out.push_back(kV + (s % (kVCount * kTCount)) / kTCount);
        if (s % kTCount != 0) out.push_back(kT + s % kTCount);
        return;
    }
    const StripEntry* e = find_le(kStripEntries, cp, [](const StripEntry& x) { return x.cp; });
    if (e != nullptr && e->cp == cp) {
        out.append(kStripPool + e->offset, e->length);
        return;
    }
    if (char_class(cp) != CharClass::kMark) out.push_back(cp);
}

std::u32string decode_utf8(std::string_view text) {
    std::u32string out;
    out.reserve(text.size());
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const auto* end = p + text.size();
    while (p < end) {
        const unsigned char b = *p;
        if (b < 0x80) {
            out.push_back(b);
            ++p;
            continue;
        }
        int extra = 0;
        char32_t cp = 0;
        char32_t min = 0;
        if ((b & 0xE0) == 0xC0) {
            extra = 1, cp = b & 0x1Fu, min = 0x80;
        } else if ((b & 0xF0) == 0xE0) {
            extra = 2, cp = b & 0x0Fu, min = 0x800;
        } else if ((b & 0xF8) == 0xF0) {
            extra = 3, cp = b & 0x07u, min = 0x10000;
        } else {
            out.push_back(kReplacement);
            ++p;
            continue;
        }
        if (end - p <= extra) {
            out.push_back(kReplacement);
            ++p;
            continue;
        }
        bool ok = true;
        for (int i = 1; i <= extra; ++i) {
            if ((p[i] & 0xC0) != 0x80) {
                ok = false;
                break;
            }
            cp = (cp << 6) | (p[i] & 0x3Fu);
        }
        // Overlong forms, surrogates and values past U+10FFFF are invalid too.
        if (!ok || cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            out.push_back(kReplacement);
            ++p;
            continue;
        }
        out.push_back(cp);
        p += extra + 1;
    }
    return out;
}

void append_utf8(char32_t cp, std::string& out) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

}  // namespace pmx::localst::bert
