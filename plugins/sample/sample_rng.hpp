// sample: a small, portable PRNG (splitmix64), so that one seed gives the same library everywhere.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace pmx::sample {

// splitmix64 (Steele, Lea, Flood 2014; the constants are Vigna's public-domain reference).
// std::*_distribution is not used on purpose: its output differs between standard libraries.
// Only integer arithmetic and IEEE-exact double operations (+ - * / sqrt) are used, so the
// sequence is the same with any compiler, libm and platform.
class Rng {
public:
    explicit constexpr Rng(std::uint64_t seed) noexcept : state_(seed) {}

    constexpr std::uint64_t next() noexcept {
        state_ += 0x9E3779B97F4A7C15ull;
        std::uint64_t z = state_;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }

    // Uniform in [0, n); n > 0. Multiply-shift: a bias below 2^-32, the same on every platform.
    constexpr std::uint32_t below(std::uint32_t n) noexcept {
        return static_cast<std::uint32_t>(((next() >> 32) * std::uint64_t{n}) >> 32);
    }

    // Uniform in [lo, hi], inclusive; lo <= hi.
    constexpr int range(int lo, int hi) noexcept {
        return lo + static_cast<int>(below(static_cast<std::uint32_t>(hi - lo + 1)));
    }

    // Uniform in [0, 1), 53 bits.
    constexpr double unit() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

    // True with probability percent / 100.
    constexpr bool chance(std::uint32_t percent) noexcept { return below(100) < percent; }

    // Triangular on [lo, hi] with its mode at `mode` (inverse CDF; sqrt is exactly rounded).
    double triangular(double lo, double mode, double hi) noexcept {
        const double u = unit();
        const double span = hi - lo;
        if (span <= 0) return lo;
        const double split = (mode - lo) / span;
        if (u < split) return lo + std::sqrt(u * span * (mode - lo));
        return hi - std::sqrt((1.0 - u) * span * (hi - mode));
    }

    // A uniformly chosen element (by reference for containers, by value for Words).
    template <class List>
    decltype(auto) pick(const List& list) noexcept {
        return list[below(static_cast<std::uint32_t>(list.size()))];
    }

private:
    std::uint64_t state_;
};

}  // namespace pmx::sample
