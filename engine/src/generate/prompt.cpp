// parse_prompt(): one left-to-right pass over the prompt's words. At each free word the
// phrase readers below are tried in a fixed order, the most specific first ("not played
// recently" before the negation "not …", durations and counts before bare years); a reader
// that recognizes its phrase records the filter and claims the words. Words no reader takes
// are the mood query, less stop words.
#include "generate/prompt.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <span>
#include <unordered_set>

#include "generate/prompt_detail.hpp"
#include "generate/prompt_names.hpp"
#include "generate/prompt_text.hpp"

namespace pmx::gen {
namespace {

using detail::kOpenFirst;
using detail::kOpenLast;
using detail::YearSpan;
using Phrases = std::span<const std::string_view>;

constexpr int kDaysPerWeek = 7;
constexpr int kDaysPerMonth = 30;
constexpr int kDaysPerYear = 365;
constexpr int kDozen = 12;
constexpr int kHundred = 100;
constexpr int kMaxStars = kMaxRating / kRatingPerStar;
constexpr double kHalf = 0.5;
constexpr double kMinutesInHalfHour = 30;
// Words allowed between a number and its noun: "25 highly rated bossa nova tracks".
constexpr size_t kMaxWordsBeforeCountNoun = 5;
// "early 90s" = 1990–1993, "mid 90s" = 1994–1996, "late 90s" = 1997–1999.
constexpr int kEarlyLast = 3;
constexpr int kMidFirst = 4;
constexpr int kMidLast = 6;
constexpr int kLateFirst = 7;

// Words that begin a negation: of live recordings, of plays, of genres, artists and years.
constexpr std::string_view kNegations[]{"no", "not", "without", "nothing", "none", "except", "excluding",
                                        "exclude", "minus", "skip", "avoid", "no more", "dont", "do not",
                                        "leave out", "never"};
// Words a negation may skip before what it negates: "no songs by", "nothing from the".
constexpr std::string_view kNegationFillers[]{"songs", "song", "tracks", "track", "music", "stuff", "anything",
                                              "any", "by", "from", "of", "more", "in", "play", "include", "want",
                                              "give", "me"};
// Words that end the words a not-understood negation drops ("without vocals but upbeat").
constexpr std::string_view kDropEnders[]{"but", "with", "and"};
constexpr std::string_view kLiveNouns[]{"recordings", "recording", "versions", "version", "tracks", "track", "songs",
                             "song", "albums", "album", "performances", "performance", "stuff", "music",
                             "concerts", "concert", "cuts", "sets", "shows", "takes"};
constexpr std::string_view kStudioNouns[]{"recordings", "recording", "versions", "version", "tracks", "songs",
                               "albums", "cuts", "takes"};
constexpr std::string_view kCountNouns[]{"songs", "song", "tracks", "track", "tunes", "tune", "pieces", "piece"};
constexpr std::string_view kFavourites[]{"favourites", "favorites", "favourite", "favorite", "faves", "fave", "favs", "fav"};
constexpr std::string_view kHighlyRatedPhrases[]{"highly rated", "high rated", "top rated", "best rated", "well rated",
                               "highest rated", "rated highly"};
constexpr std::string_view kOrMore[]{"or more", "or higher", "or better", "or above", "and up", "and above", "plus"};
constexpr std::string_view kMinuteUnits[]{"minutes", "minute", "mins", "min", "m"};
constexpr std::string_view kHourUnits[]{"hours", "hour", "hrs", "hr", "h"};
constexpr std::string_view kHalfHour[]{"half an hour", "half a hour", "a half hour", "half hour"};
// "45 minutes long", "an hour's worth".
constexpr std::string_view kAfterDuration[]{"long", "worth"};
// "no more than 20 songs": the negation words of a limit, dropped before its number.
constexpr std::string_view kLimitQualifiers[]{"no more than", "not more than", "no longer than", "not longer than",
                                   "no less than", "not less than", "no fewer than", "not over"};
constexpr std::string_view kEarly[]{"early"};
constexpr std::string_view kMid[]{"mid", "middle"};
constexpr std::string_view kLate[]{"late"};
constexpr std::string_view kRangeLinks[]{"to", "until", "till", "through", "thru"};
constexpr std::string_view kBetweenLinks[]{"and", "to"};
constexpr std::string_view kOrLater[]{"or later", "and later", "or newer", "and newer", "onwards", "onward", "and up",
                           "or after", "and after"};
constexpr std::string_view kOrEarlier[]{"or earlier", "and earlier", "or older", "and older", "or before", "and before"};
constexpr std::string_view kListLinks[]{"and", "or", "nor"};
constexpr std::string_view kAndAHalf[]{"and a half"};
// "nothing after 1980", "not before 1970", "no later than 1985".
constexpr std::string_view kBoundNegations[]{"nothing", "no", "not", "none"};

// "not played", "haven't heard", …: the negated verb of the played filters.
constexpr std::string_view kNotPrefixes[]{"not", "never", "havent", "have not", "hasnt", "has not", "havent been",
                               "have not been", "hasnt been", "has not been", "not been", "wasnt", "werent",
                               "not yet", "didnt", "did not", "nothing"};
constexpr std::string_view kPlayedVerbs[]{"played", "heard", "listened to", "listened", "play", "hear", "listen to"};
constexpr std::string_view kUnplayedWords[]{"unplayed", "unheard"};
constexpr std::string_view kRecentlyWords[]{"recently", "lately"};
constexpr std::string_view kAWhile[]{"recently", "lately", "in a while", "for a while", "in ages", "for ages",
                          "in a long time", "for a long time", "in forever", "in a bit"};
constexpr std::string_view kRecentPeriodLeads[]{"in the last", "in the past", "over the last", "over the past",
                                     "within the last", "within the past", "for the last", "for the past",
                                     "in", "for", "within"};
constexpr std::string_view kNeverYet[]{"yet", "ever", "before"};

enum class Bound { before, after, since, until };
struct BoundWord {
    std::string_view phrase;
    Bound bound;
};
constexpr std::array<BoundWord, 16> kBoundWords{{
    {"before", Bound::before}, {"prior to", Bound::before}, {"pre", Bound::before},
    {"earlier than", Bound::before}, {"older than", Bound::before},
    {"after", Bound::after}, {"post", Bound::after}, {"later than", Bound::after}, {"newer than", Bound::after},
    {"since", Bound::since},
    {"until", Bound::until}, {"till", Bound::until}, {"through", Bound::until}, {"thru", Bound::until},
    {"up to", Bound::until}, {"up until", Bound::until},
}};

struct NumberWord {
    std::string_view word;
    int value;
};
constexpr std::array<NumberWord, 20> kSmallNumbers{{
    {"zero", 0}, {"one", 1}, {"two", 2}, {"three", 3}, {"four", 4}, {"five", 5}, {"six", 6}, {"seven", 7},
    {"eight", 8}, {"nine", 9}, {"ten", 10}, {"eleven", 11}, {"twelve", 12}, {"thirteen", 13},
    {"fourteen", 14}, {"fifteen", 15}, {"sixteen", 16}, {"seventeen", 17}, {"eighteen", 18}, {"nineteen", 19},
}};
constexpr std::array<NumberWord, 8> kTens{{
    {"twenty", 20}, {"thirty", 30}, {"forty", 40}, {"fifty", 50}, {"sixty", 60}, {"seventy", 70},
    {"eighty", 80}, {"ninety", 90},
}};
constexpr int kMaxUnitInCompound = 9;  // "twenty five"

struct PeriodUnit {
    std::string_view word;
    int days;
};
constexpr std::array<PeriodUnit, 8> kPeriodUnits{{
    {"days", 1}, {"day", 1}, {"weeks", kDaysPerWeek}, {"week", kDaysPerWeek},
    {"months", kDaysPerMonth}, {"month", kDaysPerMonth}, {"years", kDaysPerYear}, {"year", kDaysPerYear},
}};
constexpr std::array<PeriodUnit, 3> kThisPeriod{{
    {"this week", kDaysPerWeek}, {"this month", kDaysPerMonth}, {"this year", kDaysPerYear},
}};

// Words that carry no mood: requests, articles, list words, and the nouns of the filters.
const std::unordered_set<std::string_view>& stop_words() {
    static const std::unordered_set<std::string_view> words{
        "a", "an", "the", "some", "any", "me", "my", "i", "im", "ive", "id", "give", "gimme", "make",
        "create", "build", "generate", "play", "put", "together", "want", "need", "would", "like", "could",
        "can", "you", "please", "playlist", "playlists", "mix", "mixtape", "songs", "song", "tracks", "track",
        "tunes", "tune", "pieces", "piece", "music", "of", "for", "with", "and", "or", "nor", "but", "to",
        "in", "on", "at", "from", "by", "about", "around", "roughly", "approximately", "approx", "just",
        "only", "that", "which", "are", "is", "be", "been", "it", "its", "this", "these", "those", "lets",
        "let", "us", "we", "our", "something", "anything", "stuff", "get", "all", "least", "most", "max",
        "maximum", "minimum", "ish", "total", "hey", "ok", "okay", "so", "up", "into", "than", "also",
        "plus", "no", "not", "without", "nothing", "none", "during", "between", "there", "them", "have",
        "has", "had", "do", "does", "did", "was", "were", "will", "should", "more", "few", "lot", "lots",
        "of", "new", "list",
    };
    return words;
}

bool in(std::string_view word, Phrases words) { return std::find(words.begin(), words.end(), word) != words.end(); }

template <size_t N>
std::optional<int> number_word(std::string_view word, const std::array<NumberWord, N>& table) {
    for (const NumberWord& entry : table) {
        if (entry.word == word) return entry.value;
    }
    return std::nullopt;
}

bool is_whole(double value) { return value == std::floor(value); }

void add_unique(std::vector<std::string>& list, const std::vector<std::string>& names) {
    for (const auto& name : names) {
        if (std::find(list.begin(), list.end(), name) == list.end()) list.push_back(name);
    }
}

void remove_all(std::vector<std::string>& list, const std::vector<std::string>& names) {
    std::erase_if(list, [&](const std::string& name) {
        return std::find(names.begin(), names.end(), name) != names.end();
    });
}

// Spans minus one span (open ends included).
std::vector<YearSpan> subtract(const std::vector<YearSpan>& spans, YearSpan cut) {
    std::vector<YearSpan> rest;
    for (const YearSpan& span : spans) {
        if (cut.last < span.first || cut.first > span.last) {
            rest.push_back(span);
            continue;
        }
        if (span.first < cut.first) rest.push_back({span.first, cut.first - 1});
        if (span.last > cut.last) rest.push_back({cut.last + 1, span.last});
    }
    return rest;
}

class Parser {
public:
    Parser(std::string_view prompt, const Vocabulary& vocab)
        : tokens_(tokenize(prompt)), names_(vocab), roles_(tokens_.size(), Role::free) {}

    PlaylistRequest run() {
        for (size_t i = 0; i < tokens_.size();) {
            if (tokens_[i].gap.clause || in(word(i), kDropEnders)) end_dropping();
            if (roles_[i] != Role::free) {
                ++i;
                continue;
            }
            if (const size_t used = read_phrase(i)) {
                if (!dropping_ || drop_begin_ != i) end_dropping();  // unless this phrase began the drop
                i += used;
                continue;
            }
            if (dropping_) {
                roles_[i] = Role::drop;
                drop_end_ = i + 1;
            }
            ++i;
        }
        end_dropping();
        finish_years();
        // "jazz but no jazz": the exclusion wins, and the word leaves the mood query too.
        for (const KeptGenre& kept : kept_genres_) {
            const bool excluded = std::all_of(kept.names.begin(), kept.names.end(), [&](const std::string& name) {
                return std::find(request_.exclude_genres.begin(), request_.exclude_genres.end(), name) !=
                       request_.exclude_genres.end();
            });
            if (excluded) claim(kept.begin, kept.end);
        }
        remove_all(request_.genres, request_.exclude_genres);
        remove_all(request_.artists, request_.exclude_artists);
        request_.mood_query = mood_query();
        return std::move(request_);
    }

private:
    enum class Role { free, keep, drop };  // keep: taken by a filter but still a mood word

    struct Number {
        double value;
        size_t used;
    };
    struct KeptGenre {
        size_t begin, end;
        std::vector<std::string> names;
    };
    struct YearExpr {
        YearSpan span;
        size_t used;
    };

    // ---- Token access ----

    std::string_view word(size_t i) const { return i < tokens_.size() ? std::string_view(tokens_[i].folded) : ""; }
    // Token i exists and continues the clause of token i - 1.
    bool connected(size_t i) const { return i < tokens_.size() && !tokens_[i].gap.clause; }
    bool is(size_t i, std::string_view expected) const { return i < tokens_.size() && word(i) == expected; }
    bool next_is(size_t i, std::string_view expected) const { return connected(i) && word(i) == expected; }

    // The words of `phrase` (separated by spaces) at token i, in one clause: how many tokens.
    size_t phrase(size_t i, std::string_view text) const {
        size_t used = 0;
        while (!text.empty()) {
            const size_t space = text.find(' ');
            const std::string_view part = text.substr(0, space);
            if (used > 0 ? !next_is(i + used, part) : !is(i + used, part)) return 0;
            ++used;
            text = space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
        }
        return used;
    }

    size_t longest(size_t i, Phrases phrases) const {
        size_t best = 0;
        for (const std::string_view text : phrases) best = std::max(best, phrase(i, text));
        return best;
    }

    // As longest(), for a phrase that continues the clause of token i - 1.
    size_t longest_next(size_t i, Phrases phrases) const { return connected(i) ? longest(i, phrases) : 0; }

    void claim(size_t begin, size_t end, Role role = Role::drop) {
        for (size_t i = begin; i < end && i < roles_.size(); ++i) roles_[i] = role;
    }

    std::string_view text_between(size_t begin, size_t end) const {
        const char* first = tokens_[begin].text.data();
        const char* last = tokens_[end - 1].text.data() + tokens_[end - 1].text.size();
        return std::string_view(first, static_cast<size_t>(last - first));
    }

    // ---- Numbers and years ----

    // "20", "4.5", "twenty five", "a dozen", "half a dozen", "a couple (of)", "a hundred", and
    // "a"/"an" alone as one when `article_is_one` ("an hour").
    std::optional<Number> number(size_t i, bool article_is_one) const {
        if (i >= tokens_.size()) return std::nullopt;
        if (const size_t used = phrase(i, "half a dozen")) return Number{kDozen * kHalf, used};
        if (is(i, "a") || is(i, "an")) {
            if (next_is(i + 1, "dozen")) return Number{kDozen, 2};
            if (next_is(i + 1, "couple")) return Number{2, next_is(i + 2, "of") ? size_t{3} : size_t{2}};
            if (next_is(i + 1, "hundred")) return Number{kHundred, 2};
            if (article_is_one) return Number{1, 1};
            return std::nullopt;
        }
        double value = 0;
        size_t used = 1;
        if (const auto digits = detail::decimal_number(word(i))) {
            value = *digits;
        } else if (const auto small = number_word(word(i), kSmallNumbers)) {
            value = *small;
        } else if (const auto tens = number_word(word(i), kTens)) {
            value = *tens;
            const auto unit = connected(i + 1) ? number_word(word(i + 1), kSmallNumbers) : std::nullopt;
            if (unit && *unit >= 1 && *unit <= kMaxUnitInCompound) {
                value += *unit;
                used = 2;
            }
        } else {
            return std::nullopt;
        }
        if (next_is(i + used, "dozen")) {
            value *= kDozen;
            ++used;
        } else if (next_is(i + used, "hundred")) {
            value *= kHundred;
            ++used;
        }
        return Number{value, used};
    }

    // "1994", "the 90s", "the late sixties", "early 2000s", "mid-80s".
    std::optional<YearExpr> year_expr(size_t i) const {
        size_t at = i;
        const auto next = [&](size_t k) { return k == i ? k < tokens_.size() : connected(k); };
        if (next(at) && is(at, "the")) ++at;
        enum class Part { whole, early, mid, late } part = Part::whole;
        if (next(at) && in(word(at), kEarly)) part = Part::early;
        if (next(at) && in(word(at), kMid)) part = Part::mid;
        if (next(at) && in(word(at), kLate)) part = Part::late;
        if (part != Part::whole) ++at;
        if (!next(at)) return std::nullopt;
        auto span = detail::year_word(word(at));
        if (!span) return std::nullopt;
        if (part != Part::whole) {
            if (span->first == span->last) return std::nullopt;  // "early 1994" is not a decade
            const int decade = span->first;
            if (part == Part::early) *span = {decade, decade + kEarlyLast};
            if (part == Part::mid) *span = {decade + kMidFirst, decade + kMidLast};
            if (part == Part::late) *span = {decade + kLateFirst, span->last};
        }
        return YearExpr{*span, at + 1 - i};
    }

    // ---- Phrase readers, in the order they are tried ----

    size_t read_phrase(size_t i) {
        for (const auto reader : {&Parser::read_played, &Parser::read_live, &Parser::read_favourites,
                                  &Parser::read_rating, &Parser::read_limit_qualifier, &Parser::read_duration,
                                  &Parser::read_count, &Parser::read_year_bound, &Parser::read_year_range,
                                  &Parser::read_year, &Parser::read_exclusion, &Parser::read_artist,
                                  &Parser::read_genre}) {
            if (const size_t used = (this->*reader)(i)) return used;
        }
        return 0;
    }

    // "unplayed", "never played", "songs I haven't heard" → unplayed; "not played recently",
    // "haven't heard in a while", "not played in the last 2 weeks" → avoid recent days.
    size_t read_played(size_t i) {
        if (in(word(i), kUnplayedWords)) {
            request_.unplayed = true;
            claim(i, i + 1);
            return 1;
        }
        const size_t negation = longest(i, kNotPrefixes);
        if (negation == 0) return 0;
        const bool never = is(i, "never");
        size_t at = i + negation;
        bool recently = false;
        if (const size_t used = longest_next(at, kRecentlyWords)) {  // "not recently played"
            recently = true;
            at += used;
        }
        const size_t verb = longest_next(at, kPlayedVerbs);
        if (verb == 0) return 0;
        at += verb;
        int days = recently ? kDefaultAvoidRecentDays : 0;
        if (const size_t used = read_recent_period(at, days)) at += used;
        if (never || days == 0) {
            request_.unplayed = true;
            // "never heard before", "not played yet"; not the "before" of "before 2000".
            if (const size_t used = longest_next(at, kNeverYet); used > 0 && !year_expr(at + 1)) at += used;
        } else {
            request_.avoid_recent_days = std::max(request_.avoid_recent_days, days);
        }
        claim(i, at);
        return at - i;
    }

    // "recently", "in a while", "this month", "in the last 2 weeks", "for a month": days.
    size_t read_recent_period(size_t i, int& days) const {
        if (const size_t used = longest_next(i, kAWhile)) {
            days = kDefaultAvoidRecentDays;
            return used;
        }
        for (const PeriodUnit& period : kThisPeriod) {
            if (const size_t used = connected(i) ? phrase(i, period.word) : 0) {
                days = period.days;
                return used;
            }
        }
        const size_t lead = longest_next(i, kRecentPeriodLeads);
        if (lead == 0) return 0;
        size_t at = i + lead;
        double count = 1;
        if (const auto n = connected(at) ? number(at, true) : std::nullopt) {
            count = n->value;
            at += n->used;
        }
        for (const PeriodUnit& unit : kPeriodUnits) {
            if (!next_is(at, unit.word)) continue;
            const double total = std::round(count * unit.days);
            if (total < 1) return 0;
            days = static_cast<int>(std::min<double>(total, kMaxAvoidRecentDays));
            return at + 1 - i;
        }
        return 0;
    }

    // "no live", "without live recordings", "not live", "studio only", "studio versions only".
    size_t read_live(size_t i) {
        size_t at = i;
        if (const size_t negation = longest(i, kNegations)) {
            at += negation;
            if (!next_is(at, "live")) return 0;
            ++at;
            if (connected(at) && in(word(at), kLiveNouns)) ++at;
        } else if (const size_t only = std::max(phrase(i, "only studio"), phrase(i, "studio only"))) {
            at += only;
            if (connected(at) && in(word(at), kStudioNouns)) ++at;
        } else if (is(i, "studio") && connected(i + 1) && in(word(i + 1), kStudioNouns)) {
            at += 2;
            if (next_is(at, "only")) ++at;
        } else {
            return 0;
        }
        request_.exclude_live = true;
        claim(i, at);
        return at - i;
    }

    size_t read_favourites(size_t i) {
        if (!in(word(i), kFavourites)) return 0;
        raise_rating(kFavouriteRating);
        claim(i, i + 1);
        return 1;
    }

    // "highly rated", "4+ stars", "4.5 stars", "five-star", "rated 4 or higher", "★★★★",
    // "rated" alone (rated at all).
    size_t read_rating(size_t i) {
        if (const size_t used = longest(i, kHighlyRatedPhrases)) {
            raise_rating(kHighlyRated);
            claim(i, i + used);
            return used;
        }
        if (is_star_glyph(i)) {
            size_t at = i;
            while (at < tokens_.size() && is_star_glyph(at) && (at == i || connected(at))) ++at;
            const int stars = static_cast<int>(std::min<size_t>(at - i, kMaxStars));
            raise_rating(stars * kRatingPerStar);
            at += longest_next(at, kOrMore);
            claim(i, at);
            return at - i;
        }
        const bool rated = is(i, "rated");
        const size_t number_at = rated ? i + 1 : i;
        if (const auto n = (!rated || connected(number_at)) ? number(number_at, false) : std::nullopt) {
            double stars = n->value;
            size_t at = number_at + n->used;
            if (const size_t half = longest_next(at, kAndAHalf)) {
                stars += kHalf;
                at += half;
            }
            const bool unit = next_is(at, "stars") || next_is(at, "star");
            if (unit) ++at;
            const double rating = stars * kRatingPerStar;
            if ((unit || rated) && stars > 0 && stars <= kMaxStars && is_whole(rating)) {
                at += longest_next(at, kOrMore);
                raise_rating(static_cast<int>(rating));
                claim(i, at);
                return at - i;
            }
        }
        if (!rated) return 0;
        raise_rating(kAnyRating);
        claim(i, i + 1);
        return 1;
    }

    bool is_star_glyph(size_t i) const {
        return i < tokens_.size() && tokens_[i].folded == "star" && tokens_[i].text != "star";
    }

    void raise_rating(int rating) { request_.min_rating = std::max(request_.min_rating, rating); }

    // "no more than 20 songs", "no longer than an hour": the limit reads as a target.
    size_t read_limit_qualifier(size_t i) {
        const size_t used = longest(i, kLimitQualifiers);
        if (used == 0 || !connected(i + used) || !number(i + used, true)) return 0;
        claim(i, i + used);
        return used;
    }

    // "45 minutes", "45 min", "45m", "90-minute", "an hour", "an hour and a half", "two and a
    // half hours", "1h30", "1h 30m", "1 hour 30 minutes", "half an hour", "1.5 hours".
    size_t read_duration(size_t i) {
        std::optional<double> minutes;
        bool in_hours = false;  // may take minutes after it: "1 hour 30 minutes", "1h 30m"
        size_t at = i;
        if (const size_t used = longest(i, kHalfHour)) {
            minutes = kMinutesInHalfHour;
            at += used;
        } else if (const auto compact = detail::compact_duration_minutes(word(i))) {
            minutes = compact;
            in_hours = ends_in_hour_unit(word(i));
            ++at;
        } else if (const auto n = number(i, true)) {
            const bool article = n->used == 1 && (is(i, "a") || is(i, "an"));
            double value = n->value;
            at += n->used;
            if (const size_t half = longest_next(at, kAndAHalf)) {
                value += kHalf;
                at += half;
            }
            in_hours = connected(at) && in(word(at), kHourUnits);
            const bool in_minutes = !article && connected(at) && in(word(at), kMinuteUnits);
            if (!in_hours && !in_minutes) return 0;
            ++at;
            if (in_hours) {
                if (const size_t half = longest_next(at, kAndAHalf)) {  // "an hour and a half"
                    value += kHalf;
                    at += half;
                    in_hours = false;
                }
                value *= detail::kMinutesPerHour;
            }
            minutes = value;
        }
        if (!minutes) return 0;
        if (in_hours) at += read_extra_minutes(at, *minutes);
        at += longest_next(at, kAfterDuration);
        const double seconds = std::round(*minutes * detail::kSecondsPerMinute);
        if (seconds < kMinDurationSeconds || seconds > kMaxDurationSeconds) {
            request_.notes.push_back("ignored the length \"" + std::string(text_between(i, at)) +
                                     "\": lengths go from 1 minute to 24 hours");
        } else {
            request_.duration_seconds = static_cast<int>(seconds);
        }
        claim(i, at);
        return at - i;
    }

    static bool ends_in_hour_unit(std::string_view folded) {
        return std::any_of(std::begin(kHourUnits), std::end(kHourUnits),
                           [&](std::string_view unit) { return folded.ends_with(unit); });
    }

    // The minutes after hours: "(and) 30 minutes", "(and) 30m". Adds them; tokens used.
    size_t read_extra_minutes(size_t i, double& minutes) const {
        const size_t at = next_is(i, "and") ? i + 1 : i;
        if (!connected(at)) return 0;
        if (const auto compact = detail::compact_duration_minutes(word(at));
            compact && *compact < detail::kMinutesPerHour && !ends_in_hour_unit(word(at))) {
            minutes += *compact;
            return at + 1 - i;
        }
        const auto n = number(at, false);
        if (!n || n->value >= detail::kMinutesPerHour) return 0;
        const size_t unit_at = at + n->used;
        if (!connected(unit_at) || !in(word(unit_at), kMinuteUnits)) return 0;
        minutes += n->value;
        return unit_at + 1 - i;
    }

    // "20 songs", "twenty tracks", "a dozen songs", "20 upbeat jazz songs", "a 20-song
    // playlist", "top 10 songs". A number without its noun is not a count ("top 40").
    size_t read_count(size_t i) {
        const bool top = is(i, "top");
        const size_t number_at = top ? i + 1 : i;
        if (top && !connected(number_at)) return 0;
        const auto n = number(number_at, false);
        if (!n || !is_whole(n->value) || n->value < 1 || n->value > kMaxTrackCount) return 0;
        const size_t after = number_at + n->used;
        for (size_t at = after; connected(at) && at - after <= kMaxWordsBeforeCountNoun; ++at) {
            if (in(word(at), kCountNouns)) {
                request_.track_count = static_cast<int>(n->value);
                claim(i, after);
                claim(at, at + 1);
                return after - i;
            }
            if (roles_[at] != Role::free || number(at, false) || detail::year_word(word(at))) break;
        }
        return 0;
    }

    // "before 2000" (≤ 1999), "after 2010" (≥ 2011), "since 2010", "until 1980", "pre-1980",
    // "nothing after 1980" (≤ 1980), "not before the 70s" (≥ 1970), "no later than 1985".
    size_t read_year_bound(size_t i) {
        size_t at = i;
        const bool negated = longest(i, kBoundNegations) > 0;
        if (negated) ++at;
        if (at != i && !connected(at)) return 0;
        const BoundWord* found = nullptr;
        size_t used = 0;
        for (const BoundWord& bound : kBoundWords) {
            const size_t length = phrase(at, bound.phrase);
            if (length > used) found = &bound, used = length;
        }
        if (found == nullptr || !connected(at + used)) return 0;
        at += used;
        const auto year = year_expr(at);
        if (!year) return 0;
        at += year->used;
        YearSpan limit{kOpenFirst, kOpenLast};
        const YearSpan& y = year->span;
        // A negated bound is the opposite one: "nothing after 1980" = "until 1980".
        switch (found->bound) {
            case Bound::before:
                if (negated) limit.first = y.first; else limit.last = y.first - 1;
                break;
            case Bound::after:
                if (negated) limit.last = y.last; else limit.first = y.last + 1;
                break;
            case Bound::since:
                if (negated) limit.last = y.first - 1; else limit.first = y.first;
                break;
            case Bound::until:
                if (negated) limit.first = y.last + 1; else limit.last = y.last;
                break;
        }
        bound_.first = std::max(bound_.first, limit.first);
        bound_.last = std::min(bound_.last, limit.last);
        claim(i, at);
        return at - i;
    }

    // "from 1975 to 1982", "between 1975 and 1982", "1975-1982", "1975–82", "80s to 90s".
    size_t read_year_range(size_t i) {
        const bool between = is(i, "between");
        const size_t first_at = (between || is(i, "from")) ? i + 1 : i;
        if (first_at != i && !connected(first_at)) return 0;
        const auto first = year_expr(first_at);
        if (!first) return 0;
        size_t at = first_at + first->used;
        if (!connected(at)) return 0;
        if (!tokens_[at].gap.dash) {
            const size_t link = between ? longest(at, kBetweenLinks) : longest(at, kRangeLinks);
            if (link == 0 || !connected(at + link)) return 0;
            at += link;
        }
        std::optional<YearSpan> second;
        if (const auto expr = year_expr(at)) {
            second = expr->span;
            at += expr->used;
        } else if (const bool single = first->span.first == first->span.last;
                   single && word(at).size() == 2 && detail::decimal_number(word(at))) {
            // "1975-82": the century of the first year, or the next one ("1998-02").
            constexpr int kCentury = 100;
            int year = first->span.first / kCentury * kCentury + static_cast<int>(*detail::decimal_number(word(at)));
            if (year < first->span.first) year += kCentury;
            second = YearSpan{year, year};
            ++at;
        }
        if (!second) return 0;
        includes_.push_back({std::min(first->span.first, second->first), std::max(first->span.last, second->last)});
        claim(i, at);
        return at - i;
    }

    // "1994", "the 90s", "nineties", "late 80s", "1990 or later", "1975 and earlier".
    size_t read_year(size_t i) {
        const auto year = year_expr(i);
        if (!year) return 0;
        size_t at = i + year->used;
        if (const size_t later = longest_next(at, kOrLater)) {
            bound_.first = std::max(bound_.first, year->span.first);
            at += later;
        } else if (const size_t earlier = longest_next(at, kOrEarlier)) {
            bound_.last = std::min(bound_.last, year->span.last);
            at += earlier;
        } else {
            includes_.push_back(year->span);
        }
        claim(i, at);
        return at - i;
    }

    // "no metal", "without metal or punk", "nothing by Metallica", "no 80s", "except jazz".
    // Nothing known after the negation: drop words up to the end of the clause, with a note.
    size_t read_exclusion(size_t i) {
        const size_t trigger = longest(i, kNegations);
        if (trigger == 0) return 0;
        size_t at = i + trigger;
        size_t end = 0;
        while (true) {
            bool artist_context = false;
            while (connected(at) && in(word(at), kNegationFillers)) {
                artist_context = artist_context || is(at, "by") || is(at, "from");
                ++at;
            }
            const size_t item = connected(at) ? read_excluded_item(at, artist_context) : 0;
            if (item == 0) break;
            end = at + item;
            // "no metal or country", "nothing by X nor Y", "no metal and no punk"
            size_t link = end;
            if (!connected(link) || !in(word(link), kListLinks)) break;
            ++link;
            link += longest_next(link, kNegations);
            at = link;
        }
        if (end == 0) {
            end_dropping();
            claim(i, i + trigger);
            dropping_ = true;
            drop_begin_ = i;
            drop_end_ = i + trigger;
            return trigger;
        }
        claim(i, end);
        return end - i;
    }

    size_t read_excluded_item(size_t at, bool artist_context) {
        const NameMatch artist = names_.match(tokens_, at, NameKind::artist);
        const NameMatch genre = names_.match(tokens_, at, NameKind::genre);
        if (artist.length > genre.length || (artist.length > 0 && artist.length == genre.length && artist_context)) {
            add_unique(request_.exclude_artists, artist.names);
            return artist.length;
        }
        if (genre.length > 0) {
            add_unique(request_.exclude_genres, genre.names);
            if (!genre.read_as.empty()) {  // read through the taxonomy: keep the word for --explain
                GenreWord read{std::string(text_between(at, at + genre.length)), genre.read_as, genre.names, true};
                auto& words = request_.genre_words;
                if (std::find(words.begin(), words.end(), read) == words.end()) words.push_back(std::move(read));
            }
            return genre.length;
        }
        if (const auto year = year_expr(at)) {
            excludes_.push_back(year->span);
            return year->used;
        }
        return 0;
    }

    // "by The Beatles", "songs from Miles Davis and John Coltrane".
    size_t read_artist(size_t i) {
        if (!is(i, "by") && !is(i, "from")) return 0;
        size_t at = i + 1;
        size_t end = 0;
        while (connected(at)) {
            const NameMatch artist = names_.match(tokens_, at, NameKind::artist);
            if (artist.length == 0) break;
            add_unique(request_.artists, artist.names);
            end = at + artist.length;
            if (!connected(end) || !in(word(end), kListLinks)) break;
            at = end + 1;
            if (next_is(at, "by")) ++at;
        }
        if (end == 0) return 0;
        claim(i, end);
        return end - i;
    }

    size_t read_genre(size_t i) {
        const NameMatch genre = names_.match(tokens_, i, NameKind::genre);
        if (genre.length == 0) return 0;
        add_unique(request_.genres, genre.names);
        if (!genre.read_as.empty()) {  // read through the taxonomy: keep the word for --explain
            GenreWord read{std::string(text_between(i, i + genre.length)), genre.read_as, genre.names, false};
            auto& words = request_.genre_words;
            if (std::find(words.begin(), words.end(), read) == words.end()) words.push_back(std::move(read));
        }
        claim(i, i + genre.length, Role::keep);
        kept_genres_.push_back({i, i + genre.length, genre.names});
        return genre.length;
    }

    // ---- Finishing ----

    void end_dropping() {
        if (!dropping_) return;
        dropping_ = false;
        request_.notes.push_back("not understood: \"" + std::string(text_between(drop_begin_, drop_end_)) + "\"");
    }

    // Included spans (or all years), within the bounds, less the excluded spans. A bound or an
    // exclusion that leaves nothing is ignored, with a note ("90s but before 1980").
    void finish_years() {
        const bool bounded = bound_.first != kOpenFirst || bound_.last != kOpenLast;
        if (includes_.empty() && !bounded && excludes_.empty()) return;
        std::vector<YearSpan> spans = includes_;
        if (spans.empty()) spans.push_back({kOpenFirst, kOpenLast});
        if (bounded) {
            // Bounds that cannot both hold were meant as alternatives: "before 1970 or after 2010".
            std::vector<YearSpan> allowed{bound_};
            if (bound_.first > bound_.last) allowed = {{kOpenFirst, bound_.last}, {bound_.first, kOpenLast}};
            std::vector<YearSpan> within;
            for (const YearSpan& span : spans) {
                for (const YearSpan& limit : allowed) {
                    const YearSpan cut{std::max(span.first, limit.first), std::min(span.last, limit.last)};
                    if (cut.first <= cut.last) within.push_back(cut);
                }
            }
            if (within.empty()) {
                request_.notes.push_back("ignored a year limit that leaves no years");
            } else {
                spans = std::move(within);
            }
        }
        for (const YearSpan& cut : excludes_) {
            std::vector<YearSpan> rest = subtract(spans, cut);
            if (rest.empty()) {
                request_.notes.push_back("ignored a year exclusion that leaves no years");
                continue;
            }
            spans = std::move(rest);
        }
        request_.years = detail::to_year_ranges(std::move(spans));
    }

    std::string mood_query() const {
        std::string query;
        for (size_t i = 0; i < tokens_.size(); ++i) {
            if (roles_[i] == Role::drop) continue;
            if (roles_[i] == Role::free && stop_words().contains(word(i))) continue;
            if (!query.empty()) query += ' ';
            query += tokens_[i].text;
        }
        return query;
    }

    std::vector<Token> tokens_;
    NameIndex names_;
    std::vector<Role> roles_;
    PlaylistRequest request_;
    std::vector<KeptGenre> kept_genres_;
    std::vector<YearSpan> includes_, excludes_;
    YearSpan bound_{kOpenFirst, kOpenLast};
    bool dropping_ = false;
    size_t drop_begin_ = 0, drop_end_ = 0;
};

}  // namespace

PlaylistRequest parse_prompt(std::string_view prompt, const Vocabulary& vocab) {
    return Parser(prompt, vocab).run();
}

}  // namespace pmx::gen
