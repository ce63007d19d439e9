// Numbers, year words, compact durations and year-range normalization for the prompt parser.
#include "generate/prompt_detail.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace pmx::gen::detail {
namespace {

constexpr size_t kMaxNumberChars = 7;
constexpr size_t kYearDigits = 4;
constexpr size_t kShortDecadeDigits = 2;
constexpr int kDecade = 10;
constexpr int kCentury = 100;
constexpr int kNineteenHundred = 1900;
constexpr int kTwoThousand = 2000;
// "00s" and "10s" are this century; "20s" to "90s" the last one.
constexpr int kShortDecadePivot = 20;

struct DecadeWord {
    std::string_view word;
    int first;
};

constexpr std::array<DecadeWord, 10> kDecadeWords{{
    {"twenties", 1920}, {"thirties", 1930}, {"forties", 1940}, {"fifties", 1950}, {"sixties", 1960},
    {"seventies", 1970}, {"eighties", 1980}, {"nineties", 1990}, {"noughties", 2000}, {"aughts", 2000},
}};

constexpr std::array<std::string_view, 5> kMinuteUnits{"minutes", "minute", "mins", "min", "m"};
constexpr std::array<std::string_view, 5> kHourUnits{"hours", "hour", "hrs", "hr", "h"};

bool all_digits(std::string_view text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int to_int(std::string_view digits) {
    int value = 0;
    std::from_chars(digits.data(), digits.data() + digits.size(), value);
    return value;
}

template <size_t N>
bool is_one_of(std::string_view word, const std::array<std::string_view, N>& words) {
    return std::find(words.begin(), words.end(), word) != words.end();
}

// The longest leading run of digits and dots.
size_t number_prefix(std::string_view text) {
    size_t at = 0;
    while (at < text.size() && ((text[at] >= '0' && text[at] <= '9') || text[at] == '.')) ++at;
    return at;
}

}  // namespace

std::optional<double> decimal_number(std::string_view text) {
    if (text.empty() || text.size() > kMaxNumberChars) return std::nullopt;
    const size_t dot = text.find('.');
    if (!all_digits(text.substr(0, dot))) return std::nullopt;
    if (dot != std::string_view::npos && !all_digits(text.substr(dot + 1))) return std::nullopt;
    double value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

std::optional<YearSpan> year_word(std::string_view folded) {
    for (const DecadeWord& decade : kDecadeWords) {
        if (folded == decade.word) return YearSpan{decade.first, decade.first + kDecade - 1};
    }
    const bool decade = folded.ends_with('s');
    const std::string_view digits = decade ? folded.substr(0, folded.size() - 1) : folded;
    if (!all_digits(digits)) return std::nullopt;
    const int value = to_int(digits);
    if (digits.size() == kYearDigits) {
        if (value < kMinYear || value > kMaxYear) return std::nullopt;
        if (!decade) return YearSpan{value, value};
        if (value % kDecade != 0) return std::nullopt;
        return YearSpan{value, value + kDecade - 1};
    }
    if (decade && digits.size() == kShortDecadeDigits && value % kDecade == 0) {
        const int first = (value < kShortDecadePivot ? kTwoThousand : kNineteenHundred) + value;
        return YearSpan{first, first + kDecade - 1};
    }
    return std::nullopt;
}

std::optional<double> compact_duration_minutes(std::string_view folded) {
    const size_t number_end = number_prefix(folded);
    if (number_end == 0 || number_end == folded.size()) return std::nullopt;
    const auto value = decimal_number(folded.substr(0, number_end));
    if (!value) return std::nullopt;
    const std::string_view rest = folded.substr(number_end);
    if (is_one_of(rest, kMinuteUnits)) return *value;
    for (const std::string_view unit : kHourUnits) {
        if (!rest.starts_with(unit)) continue;
        const std::string_view tail = rest.substr(unit.size());
        if (tail.empty()) return *value * kMinutesPerHour;
        // "1h30", "1h30m": whole hours, then minutes under an hour.
        const size_t minutes_end = number_prefix(tail);
        const std::string_view minutes = tail.substr(0, minutes_end);
        const std::string_view minute_unit = tail.substr(minutes_end);
        if (!all_digits(minutes) || (!minute_unit.empty() && !is_one_of(minute_unit, kMinuteUnits))) return std::nullopt;
        const int extra = to_int(minutes);
        if (*value != static_cast<double>(static_cast<int>(*value)) || extra >= kMinutesPerHour) return std::nullopt;
        return *value * kMinutesPerHour + extra;
    }
    return std::nullopt;
}

std::vector<YearRange> to_year_ranges(std::vector<YearSpan> spans) {
    std::sort(spans.begin(), spans.end(), [](const YearSpan& a, const YearSpan& b) { return a.first < b.first; });
    std::vector<YearSpan> merged;
    for (const YearSpan& span : spans) {
        if (!merged.empty() && span.first <= merged.back().last + 1) {
            merged.back().last = std::max(merged.back().last, span.last);
        } else {
            merged.push_back(span);
        }
    }
    std::vector<YearRange> ranges;
    for (const YearSpan& span : merged) {
        if (span.first <= kOpenFirst && span.last >= kOpenLast) return {};
        YearRange range;
        if (span.first > kOpenFirst) range.first = span.first;
        if (span.last < kOpenLast) range.last = span.last;
        ranges.push_back(range);
    }
    return ranges;
}

}  // namespace pmx::gen::detail
