// Pieces of the prompt parser that the option parser shares: numbers, years, compact durations.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "generate/prompt.hpp"

namespace pmx::gen::detail {

inline constexpr int kSecondsPerMinute = 60;
inline constexpr int kMinutesPerHour = 60;

// An inclusive span of years; kOpenFirst/kOpenLast stand for an open end.
struct YearSpan {
    int first, last;
};
inline constexpr int kOpenFirst = kMinYear - 1;
inline constexpr int kOpenLast = kMaxYear + 1;

// "4", "45", "4.5": plain decimal digits with at most one '.', at most 7 characters.
std::optional<double> decimal_number(std::string_view text);

// A folded word that names years: "1994" (kMinYear–kMaxYear), "1990s", "90s" (00s and 10s are
// the 2000s and 2010s; 20s–90s are the 1920s–1990s), "sixties", "nineties", "noughties".
std::optional<YearSpan> year_word(std::string_view folded);

// A folded word that is a length by itself: "45m", "45min", "2h", "2hrs", "1.5h", "1h30",
// "1h30m". Minutes; nullopt for anything else (a bare number is not a length).
std::optional<double> compact_duration_minutes(std::string_view folded);

// Sorted, merged (overlapping or adjacent spans join) and turned into YearRanges. A span that
// covers every year yields no range at all.
std::vector<YearRange> to_year_ranges(std::vector<YearSpan> spans);

}  // namespace pmx::gen::detail
