// Scalar value parsing, edit-distance suggestions and credential-name heuristics.
#include "config/values.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>

namespace pmx {
namespace {

using std::chrono::milliseconds;

constexpr std::int64_t kMsPerSecond = 1000;
constexpr std::int64_t kMsPerMinute = 60 * kMsPerSecond;
constexpr std::int64_t kMsPerHour = 60 * kMsPerMinute;
constexpr double kMaxDurationMs = 365.0 * 24 * static_cast<double>(kMsPerHour);  // one year

// Edit distances accepted as typos, by the length of the misspelt word.
constexpr std::size_t kShortWord = 4;    // up to this length: 1 edit
constexpr std::size_t kMediumWord = 8;   // up to this length: 2 edits, beyond: 3
constexpr std::size_t kShortWordEdits = 1;
constexpr std::size_t kMediumWordEdits = 2;
constexpr std::size_t kLongWordEdits = 3;

constexpr std::array<std::string_view, 9> kCredentialKeys{
    "token", "api_key", "apikey", "key", "password", "passwd", "secret", "passphrase", "credentials"};
constexpr std::array<std::string_view, 4> kCredentialSuffixes{"token", "key", "secret", "password"};
constexpr std::array<std::string_view, 9> kCredentialEnvWords{
    "TOKEN", "KEY", "APIKEY", "SECRET", "PASSWORD", "PASSWD", "PASS", "PASSPHRASE", "CREDENTIALS"};

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

bool starts_with_icase(std::string_view text, std::string_view prefix) {
    return text.size() >= prefix.size() && lower(text.substr(0, prefix.size())) == prefix;
}

// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
// neighbours each cost 1 ("hmoe" -> "home" is one typo, not two).
std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
            }
        }
    }
    return d[a.size()][b.size()];
}

std::size_t accepted_edits(std::size_t word_length) {
    if (word_length <= kShortWord) return kShortWordEdits;
    if (word_length <= kMediumWord) return kMediumWordEdits;
    return kLongWordEdits;
}

}  // namespace

std::optional<std::int64_t> parse_int(std::string_view text) {
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    if (text.empty()) return std::nullopt;
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

std::optional<double> parse_decimal(std::string_view text) {
    if (text.empty() || text.find_first_not_of("0123456789.") != std::string_view::npos) return std::nullopt;
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

std::optional<bool> parse_bool(std::string_view text) {
    const std::string word = lower(text);
    if (word == "true" || word == "yes" || word == "on") return true;
    if (word == "false" || word == "no" || word == "off") return false;
    return std::nullopt;
}

std::optional<milliseconds> parse_duration(std::string_view text) {
    const auto unit_start = std::find_if(text.begin(), text.end(), [](char c) {
        return !std::isdigit(static_cast<unsigned char>(c)) && c != '.';
    });
    const std::string_view number = text.substr(0, static_cast<std::size_t>(unit_start - text.begin()));
    const std::string_view unit = text.substr(number.size());
    if (number.empty() || !std::isdigit(static_cast<unsigned char>(number.front()))) return std::nullopt;

    double value = 0;
    const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value,
                                           std::chars_format::fixed);
    if (ec != std::errc() || end != number.data() + number.size()) return std::nullopt;

    double unit_ms = 0;
    if (unit.empty() || unit == "s") {
        unit_ms = static_cast<double>(kMsPerSecond);
    } else if (unit == "ms") {
        unit_ms = 1;
    } else if (unit == "m") {
        unit_ms = static_cast<double>(kMsPerMinute);
    } else if (unit == "h") {
        unit_ms = static_cast<double>(kMsPerHour);
    } else {
        return std::nullopt;
    }
    const double total = value * unit_ms;
    if (!std::isfinite(total) || total > kMaxDurationMs) return std::nullopt;
    return milliseconds(std::llround(total));
}

std::string format_duration(milliseconds ms) {
    const std::int64_t count = ms.count();
    if (count != 0 && count % kMsPerHour == 0) return std::to_string(count / kMsPerHour) + "h";
    if (count != 0 && count % kMsPerMinute == 0) return std::to_string(count / kMsPerMinute) + "m";
    if (count % kMsPerSecond == 0) return std::to_string(count / kMsPerSecond) + "s";
    return std::to_string(count) + "ms";
}

std::optional<std::string> normalise_url(std::string_view text) {
    constexpr std::string_view kHttp = "http://";
    constexpr std::string_view kHttps = "https://";
    std::size_t scheme_length = 0;
    if (starts_with_icase(text, kHttp)) {
        scheme_length = kHttp.size();
    } else if (starts_with_icase(text, kHttps)) {
        scheme_length = kHttps.size();
    } else {
        return std::nullopt;
    }
    const bool has_blank = std::any_of(text.begin(), text.end(), [](char c) {
        return std::isspace(static_cast<unsigned char>(c)) || std::iscntrl(static_cast<unsigned char>(c));
    });
    if (has_blank) return std::nullopt;
    const std::string_view rest = text.substr(scheme_length);
    const std::size_t host_end = rest.find_first_of("/?#");
    if (rest.substr(0, host_end).empty()) return std::nullopt;

    std::string url(text);
    if (url.find_first_of("?#", scheme_length) == std::string::npos) {
        while (url.size() > scheme_length && url.back() == '/') url.pop_back();
    }
    return url;
}

std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string>& candidates) {
    const std::string needle = lower(word);
    const std::size_t limit = accepted_edits(needle.size());
    std::optional<std::string> best;
    std::size_t best_distance = limit + 1;
    for (const auto& candidate : candidates) {
        const std::size_t distance = edit_distance(needle, lower(candidate));
        if (distance < best_distance && distance < candidate.size()) {
            best = candidate;
            best_distance = distance;
        }
    }
    return best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
    const auto match = closest_match(word, candidates);
    if (!match) return {};
    return "; did you mean \"" + *match + "\"?";
}

bool looks_like_credential_key(std::string_view key) {
    const std::string name = lower(key);
    if (std::find(kCredentialKeys.begin(), kCredentialKeys.end(), name) != kCredentialKeys.end()) {
        return true;
    }
    return std::any_of(kCredentialSuffixes.begin(), kCredentialSuffixes.end(), [&](std::string_view suffix) {
        if (name.size() <= suffix.size()) return false;
        const char separator = name[name.size() - suffix.size() - 1];
        return (separator == '_' || separator == '-') && name.ends_with(suffix);
    });
}

bool looks_like_credential_env(std::string_view name) {
    std::string upper(name);
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    std::string_view rest = upper;
    while (!rest.empty()) {
        const std::size_t end = rest.find('_');
        const std::string_view part = rest.substr(0, end);
        if (std::find(kCredentialEnvWords.begin(), kCredentialEnvWords.end(), part) != kCredentialEnvWords.end()) {
            return true;
        }
        if (end == std::string_view::npos) break;
        rest.remove_prefix(end + 1);
    }
    return false;
}

}  // namespace pmx
