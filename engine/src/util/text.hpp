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

}  // namespace pmx
