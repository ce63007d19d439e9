// Small text helpers shared across the engine.
#pragma once

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

}  // namespace pmx
