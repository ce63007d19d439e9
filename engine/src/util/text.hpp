// Small text helpers shared across the engine.
#pragma once

#include <algorithm>
#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

namespace pmx {

// "a, b, c" (or with another separator).
inline std::string join(const std::vector<std::string>& items, std::string_view separator = ", ") {
    std::string text;
    for (const auto& item : items) {
        if (!text.empty()) text += separator;
        text += item;
    }
    return text;
}

// ASCII-only case folding (what SQLite's NOCASE does); other bytes are left as they are.
// The non-empty items of `joined`, split at each `separator` (the inverse of join()).
inline std::vector<std::string> split_list(std::string_view joined, std::string_view separator = ", ") {
    std::vector<std::string> items;
    while (!joined.empty()) {
        const size_t at = joined.find(separator);
        const std::string_view item = joined.substr(0, at);
        if (!item.empty()) items.emplace_back(item);
        if (at == std::string_view::npos) break;
        joined.remove_prefix(at + separator.size());
    }
    return items;
}

inline char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

inline std::string ascii_lower(std::string_view text) {
    std::string lower(text);
    for (char& c : lower) c = ascii_lower(c);
    return lower;
}

inline bool equal_ascii_nocase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    }
    return true;
}

// Well-formed UTF-8 (RFC 3629): no stray or missing continuation bytes, no overlong forms, no
// surrogates, nothing above U+10FFFF.
inline bool valid_utf8(std::string_view text) {
    size_t i = 0;
    while (i < text.size()) {
        const auto lead = static_cast<unsigned char>(text[i]);
        if (lead < 0x80) {
            ++i;
            continue;
        }
        size_t extra = 0;
        char32_t code = 0;
        char32_t min = 0;
        if ((lead & 0xE0U) == 0xC0U) {
            extra = 1, code = lead & 0x1FU, min = 0x80;
        } else if ((lead & 0xF0U) == 0xE0U) {
            extra = 2, code = lead & 0x0FU, min = 0x800;
        } else if ((lead & 0xF8U) == 0xF0U) {
            extra = 3, code = lead & 0x07U, min = 0x10000;
        } else {
            return false;
        }
        if (text.size() - i <= extra) return false;
        for (size_t k = 1; k <= extra; ++k) {
            const auto next = static_cast<unsigned char>(text[i + k]);
            if ((next & 0xC0U) != 0x80U) return false;
            code = (code << 6) | (next & 0x3FU);
        }
        if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
        i += extra + 1;
    }
    return true;
}

// Text for one line of somebody else's UI (a playlist's title or summary on a server):
// control characters (C0, DEL, C1) and runs of whitespace become one space, the ends are
// trimmed, and text longer than `max_bytes` is cut at a whole UTF-8 character and ends in "…"
// (within max_bytes).
inline std::string one_line(std::string_view text, size_t max_bytes) {
    static constexpr std::string_view kEllipsis = "…";
    std::string out;
    out.reserve(std::min(text.size(), max_bytes));
    bool space = false;
    for (size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        // U+0080..U+009F are C2 80..C2 9F in UTF-8.
        const bool c1 = c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) <= 0x9F &&
                        static_cast<unsigned char>(text[i + 1]) >= 0x80;
        if (c < 0x20 || c == 0x7F || c == ' ' || c1) {
            if (c1) ++i;
            space = !out.empty();
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += static_cast<char>(c);
        if (out.size() > max_bytes + kEllipsis.size()) break;  // enough to know it must be cut
    }
    if (out.size() <= max_bytes) return out;
    size_t cut = max_bytes >= kEllipsis.size() ? max_bytes - kEllipsis.size() : 0;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0U) == 0x80U) --cut;
    out.resize(cut);
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + std::string(kEllipsis);
}

// "2026-05-01": the day of a unix time, local time.
inline std::string local_day_text(int64_t unix_seconds) {
    const std::time_t t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    localtime_r(&t, &tm);
    char text[16];
    std::strftime(text, sizeof text, "%Y-%m-%d", &tm);
    return text;
}

}  // namespace pmx
