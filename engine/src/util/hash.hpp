// FNV-1a 64: a stable hash of text (the same on every build and platform, unlike std::hash).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string_view>

namespace pmx {

inline constexpr uint64_t kFnvOffsetBasis = 14695981039346656037ull;
inline constexpr uint64_t kFnvPrime = 1099511628211ull;

// Continues `hash` over `bytes`.
inline uint64_t fnv1a(uint64_t hash, std::string_view bytes) {
    for (const char c : bytes) hash = (hash ^ static_cast<unsigned char>(c)) * kFnvPrime;
    return hash;
}

// The hash of `parts`, each followed by a newline (so that {"ab", "c"} and {"a", "bc"} differ).
inline uint64_t fnv1a_lines(std::initializer_list<std::string_view> parts) {
    uint64_t hash = kFnvOffsetBasis;
    for (const std::string_view part : parts) hash = fnv1a(fnv1a(hash, part), "\n");
    return hash;
}

}  // namespace pmx
