// looks_live(): word- and position-aware patterns, hand-written (std::regex is far too slow
// for a call per changed track during sync).
#include "store/looks_live.hpp"
#include "util/text.hpp"

#include <array>
#include <string>
#include <vector>

namespace pmx {
namespace {

constexpr int kMinShowYear = 1900;
constexpr int kMaxShowYear = 2099;
constexpr int kMonths = 12;
constexpr int kDaysInLongestMonth = 31;

// Words that mark a live recording wherever they stand.
constexpr std::array<std::string_view, 2> kLiveWords{"unplugged", "concert"};
// Pairs of adjacent words (only spaces between) that mark one.
constexpr std::array<std::pair<std::string_view, std::string_view>, 11> kLivePairs{{
    {"live", "at"},
    {"live", "from"},
    {"recorded", "live"},
    {"live", "version"},
    {"live", "recording"},
    {"live", "performance"},
    {"live", "session"},
    {"live", "sessions"},
    {"en", "vivo"},
    {"ao", "vivo"},
    {"en", "directo"},
}};

bool is_word_char(char c) {
    const auto byte = static_cast<unsigned char>(c);
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || byte >= 0x80;  // UTF-8 letters stay whole
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool all_digits(std::string_view text) {
    if (text.empty()) return false;
    for (const char c : text) {
        if (!is_digit(c)) return false;
    }
    return true;
}

int to_int(std::string_view digits) {
    int value = 0;
    for (const char c : digits) value = value * 10 + (c - '0');
    return value;
}

struct Word {
    size_t begin, end;
};

std::vector<Word> split_words(std::string_view text) {
    std::vector<Word> words;
    size_t i = 0;
    while (i < text.size()) {
        if (!is_word_char(text[i])) {
            ++i;
            continue;
        }
        const size_t begin = i;
        while (i < text.size() && is_word_char(text[i])) ++i;
        words.push_back({begin, i});
    }
    return words;
}

class Text {
public:
    enum class Kind { title, album };

    Text(std::string_view original, Kind kind) : text_(ascii_lower(original)), words_(split_words(text_)), kind_(kind) {}

    bool looks_live() const {
        return has_live_words() || has_live_head() || has_live_tail() || has_live_annotation() || has_show_date();
    }

private:
    std::string_view word(size_t i) const {
        return std::string_view(text_).substr(words_[i].begin, words_[i].end - words_[i].begin);
    }

    // Only spaces between words i and i + 1.
    bool adjacent(size_t i) const {
        for (size_t at = words_[i].end; at < words_[i + 1].begin; ++at) {
            if (text_[at] != ' ') return false;
        }
        return true;
    }

    bool is_live_word_in(size_t begin, size_t end) const {
        for (size_t i = 0; i < words_.size(); ++i) {
            if (words_[i].begin >= begin && words_[i].end <= end && word(i) == "live") return true;
        }
        return false;
    }

    bool has_live_words() const {
        for (size_t i = 0; i < words_.size(); ++i) {
            for (const auto live_word : kLiveWords) {
                if (word(i) == live_word) return true;
            }
            if (i + 1 == words_.size() || !adjacent(i)) continue;
            for (const auto& [first, second] : kLivePairs) {
                if (word(i) == first && word(i + 1) == second) return true;
            }
            // "Live 1975-85", "Greatest Hits Live 1999"
            if (word(i) == "live" && is_year(word(i + 1))) return true;
        }
        return false;
    }

    static bool is_year(std::string_view text) {
        if (text.size() != 4 || !all_digits(text)) return false;
        const int year = to_int(text);
        return year >= kMinShowYear && year <= kMaxShowYear;
    }

    // The name is "Live" or starts with it as a head: "Live!", "Live/Dead", "Live: ...",
    // "Live - ...", "Live (...)", "Live in Japan", "Live 1977". Not "Live and Let Die",
    // "Live Forever", "Live, Laugh, Love".
    bool has_live_head() const {
        const size_t start = text_.find_first_not_of(' ');
        if (words_.empty() || words_[0].begin != start || word(0) != "live") return false;
        const std::string_view rest = std::string_view(text_).substr(words_[0].end);
        if (words_.size() == 1) return true;
        if (rest.starts_with("!") || rest.starts_with("/") || rest.starts_with(":") || rest.starts_with(" -") ||
            rest.starts_with(" (") || rest.starts_with(" [")) {
            return true;
        }
        return adjacent(0) && (word(1) == "in" || all_digits(word(1)));
    }

    // An album whose last word is "Live" ("The Velvet Underground Live", "Springsteen Live!").
    // Not for titles, where it is usually a verb ("Let Me Live").
    bool has_live_tail() const { return kind_ == Kind::album && !words_.empty() && word(words_.size() - 1) == "live"; }

    // "live" inside a bracket that follows the name ("Song (Live at Leeds)"; a leading
    // bracket is part of the name: "(Let Me) Live"), or after a dash that ends the name
    // ("Song - Live 1977"), or right after a colon ("Queen: Live at Wembley").
    bool has_live_annotation() const {
        const size_t start = text_.find_first_not_of(' ');
        for (size_t at = 0; at < text_.size(); ++at) {
            const char c = text_[at];
            if ((c == '(' || c == '[') && at != start) {
                const size_t close = text_.find(c == '(' ? ')' : ']', at);
                if (is_live_word_in(at, close == std::string::npos ? text_.size() : close)) return true;
            }
        }
        for (const std::string_view dash : {" - ", " \u2013 ", " \u2014 "}) {
            const size_t at = text_.find(dash);
            if (at != std::string::npos && is_live_word_in(at + dash.size(), text_.size())) return true;
        }
        for (size_t i = 0; i + 1 < words_.size(); ++i) {
            const std::string_view between =
                std::string_view(text_).substr(words_[i].end, words_[i + 1].begin - words_[i].end);
            if (between == ": " && word(i + 1) == "live") return true;
        }
        return false;
    }

    // 1977-05-08, 1977.05.08, 1977/05/08, 77-05-08, 5/8/77, 05/08/1977, 8.5.1977.
    bool has_show_date() const {
        size_t at = 0;
        while (at < text_.size()) {
            if (!is_digit(text_[at])) {
                ++at;
                continue;
            }
            std::array<std::string_view, 3> parts;
            char separator = 0;
            size_t cursor = at;
            size_t count = 0;
            while (count < parts.size()) {
                const size_t begin = cursor;
                while (cursor < text_.size() && is_digit(text_[cursor])) ++cursor;
                parts[count++] = std::string_view(text_).substr(begin, cursor - begin);
                if (count == parts.size() || cursor + 1 >= text_.size()) break;
                const char next = text_[cursor];
                if ((next != '-' && next != '.' && next != '/') || (separator != 0 && next != separator) ||
                    !is_digit(text_[cursor + 1])) {
                    break;
                }
                separator = next;
                ++cursor;
            }
            if (count == parts.size() && is_date(parts, separator)) return true;
            // Continue after the first digit run.
            while (at < text_.size() && is_digit(text_[at])) ++at;
        }
        return false;
    }

    static bool valid_month_day(int month, int day) {
        return month >= 1 && month <= kMonths && day >= 1 && day <= kDaysInLongestMonth;
    }

    static bool is_date(const std::array<std::string_view, 3>& parts, char separator) {
        const auto& [a, b, c] = parts;
        if (b.size() > 2) return false;
        if (a.size() == 4) return is_year(a) && c.size() <= 2 && valid_month_day(to_int(b), to_int(c));
        if (a.size() > 2) return false;
        const int x = to_int(a), y = to_int(b), z = to_int(c);
        switch (separator) {
            case '/':  // 5/8/77, 05/08/1977 (month/day or day/month)
                return (c.size() == 2 || is_year(c)) && (valid_month_day(x, y) || valid_month_day(y, x));
            case '-':  // 77-05-08 (also day-month-year and month-day-year)
                return a.size() == 2 && b.size() == 2 && c.size() == 2 &&
                       (valid_month_day(y, z) || valid_month_day(y, x) || valid_month_day(x, y));
            case '.':  // 8.5.1977; not 1.2.10, which reads as a version
                return is_year(c) && (valid_month_day(y, x) || valid_month_day(x, y));
            default:
                return false;
        }
    }

    std::string text_;
    std::vector<Word> words_;
    Kind kind_;
};

}  // namespace

bool looks_live(std::string_view title, std::string_view album) {
    return Text(title, Text::Kind::title).looks_live() || Text(album, Text::Kind::album).looks_live();
}

}  // namespace pmx
