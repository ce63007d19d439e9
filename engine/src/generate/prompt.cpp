// parse_prompt(): one left-to-right pass over the prompt's words. At each free word the
// phrase readers below are tried in a fixed order, the most specific first ("not played
// recently" before the negation "not …", durations and counts before bare years); a reader
// that recognizes its phrase records the filter and claims the words. Words no reader takes
// are the mood query, less stop words.
#include "generate/prompt.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <ctime>
#include <functional>
#include <span>
#include <unordered_set>

#include "generate/prompt_detail.hpp"
#include "generate/prompt_names.hpp"
#include "generate/prompt_tags.hpp"
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
constexpr int64_t kSecondsPerDay = 24 * 60 * 60;
constexpr int kDozen = 12;
constexpr int kDecadeYears = 10;
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
                                        "leave out", "never", "anything but", "everything but",
                                        "anything except", "everything except", "anything other than",
                                        "everything other than", "other than", "except for", "all except",
                                        "sans", "hold the", "none of", "not any", "no more of", "lose the",
                                        "cut the", "drop the", "leave off", "steer clear of", "keep out",
                                        "arent", "isnt", "are not", "is not", "not a", "anything besides"};
// "nothing but jazz", "nothing except jazz": only jazz. Read before the negations.
constexpr std::string_view kOnlyPhrases[]{"nothing but", "nothing except", "nothing other than", "nothing else but",
                                          "only ever"};
// "metal-free", "country free": the name before it is excluded.
constexpr std::string_view kFreeSuffix[]{"free"};
// Words a negation may skip before what it negates: "no songs by", "nothing from the".
constexpr std::string_view kNegationFillers[]{"songs", "song", "tracks", "track", "music", "stuff", "anything",
                                              "any", "by", "from", "of", "more", "in", "play", "include", "want",
                                              "give", "me", "the", "some"};
// Verbs between a negation and a year bound: "nothing released before 1975".
constexpr std::string_view kReleaseVerbs[]{"released", "recorded", "made", "written", "that came out", "came out",
                                           "out", "issued", "produced", "put out"};
// Words that end the words a not-understood negation drops ("without vocals but upbeat").
constexpr std::string_view kDropEnders[]{"but", "with", "and"};
constexpr std::string_view kLiveNouns[]{"recordings", "recording", "versions", "version", "tracks", "track", "songs",
                             "song", "albums", "album", "performances", "performance", "stuff", "music",
                             "concerts", "concert", "cuts", "sets", "shows", "takes"};
constexpr std::string_view kStudioNouns[]{"recordings", "recording", "versions", "version", "tracks", "songs",
                               "albums", "cuts", "takes"};
constexpr std::string_view kCountTails[]{"of them", "in total", "total", "in all", "altogether", "all told"};
// Nouns that count tracks and also say something of them: "12 soul classics", "20 hip hop
// bangers". The count is read, the noun stays a mood word.
constexpr std::string_view kMoodCountNouns[]{"classics", "hits", "jams", "bangers", "anthems", "gems", "ballads",
                                             "favourites", "favorites", "numbers", "grooves", "slow jams",
                                             "deep cuts", "cuts", "bops", "earworms", "singles", "standards",
                                             "oldies", "instrumentals", "covers", "epics", "bops"};
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
// "songs I played last month": who played, before the verb.
constexpr std::string_view kPlaySubjects[]{"i", "ive", "i have", "i had", "we", "weve", "we have", "i ve",
                                           "youve", "you have", "i have been", "ive been", "weve been"};
// The verbs of plays that happened (the positive reader takes no present tense: "play me jazz").
constexpr std::string_view kPastPlayVerbs[]{"played", "heard", "listened to", "listened", "been playing",
                                            "been listening to", "streamed", "spun", "had on", "put on"};
constexpr std::string_view kOverQuantifiers[]{"over", "more than", "at least", "upwards of"};

// Caps per artist or album: "max 2 per artist", "no more than two songs from the same album".
constexpr std::string_view kCapLeads[]{"max", "maximum", "max of", "maximum of", "a max of", "a maximum of",
                                       "at most", "no more than", "not more than", "never more than", "up to",
                                       "only", "just", "limit", "limit of", "limit to", "limited to",
                                       "a limit of", "cap", "cap of", "a cap of", "capped at", "keep it to",
                                       "no over", "dont include more than", "do not include more than",
                                       "dont want more than", "dont play more than", "include no more than",
                                       "nothing more than", "never over"};
constexpr std::string_view kCapTails[]{"max", "maximum", "at most", "tops", "at the most", "or fewer", "or less",
                                       "only", "each", "apiece"};
constexpr std::string_view kCapDeterminers[]{"each", "any", "every", "a", "an", "one", "the same", "a single",
                                             "any one", "any single", "any given", "a given", "a particular",
                                             "any particular", "the", "any individual", "an individual",
                                             "the same single", "single", "same"};
// After "by" or "from" a determiner is needed ("from any album"): "songs by the band" may name one.
constexpr std::string_view kCapStrictDeterminers[]{"each", "any", "every", "the same", "a single", "any one",
                                                   "any single", "any given", "a given", "one", "any individual",
                                                   "a", "an"};
constexpr std::string_view kArtistNouns[]{"artist", "artists", "band", "bands", "singer", "singers", "performer",
                                          "performers", "musician", "musicians", "act", "acts", "group",
                                          "groups", "composer", "composers"};
constexpr std::string_view kAlbumNouns[]{"album", "albums", "record", "records", "lp", "lps", "release",
                                         "releases", "disc", "discs"};
constexpr std::string_view kRepeatWords[]{"repeat", "repeats", "repeated", "repeating", "duplicate", "duplicates",
                                          "duplicated", "twice", "again"};
constexpr std::string_view kOnce[]{"once", "one time", "a single time", "only once", "just once"};
constexpr std::string_view kNoRepeatLeads[]{"no", "never", "not", "without", "dont", "do not", "never ever"};
constexpr std::string_view kRepeatVerbs[]{"repeat", "repeats", "repeated", "repeating", "duplicate", "duplicates",
                                          "duplicated", "duplicating", "doubling up on", "double up on"};
constexpr std::string_view kArticles[]{"a", "an", "any", "the"};
constexpr std::string_view kSameOne[]{"the same", "a single", "single", "one", "same", "an", "a", "any"};
constexpr std::string_view kAppearVerbs[]{"appearing", "appears", "showing up", "shows up", "played", "used",
                                          "included", "featured", "coming up", "comes up", "more than", "appear",
                                          "show up", "come up", "be played", "be used", "be included",
                                          "be featured", "be repeated", "be in it", "be there"};
// "no artist should appear twice": the modal verb before the verb of appearing.
constexpr std::string_view kModals[]{"should", "shall", "must", "can", "may", "will", "to", "is to", "ought to",
                                     "needs to", "should ever", "must ever", "can ever", "ever"};
// Release years relative to the clock: "from the last 10 years", "released this year".
constexpr std::string_view kReleaseLeads[]{"from", "released in", "released", "released during", "of", "in",
                                           "during", "over", "within", "out in", "that came out in"};
constexpr std::string_view kLastWords[]{"the last", "the past", "last", "past", "the previous", "previous",
                                        "the latest", "the most recent", "most recent"};
constexpr std::string_view kTurnOfCentury[]{"the turn of the century", "turn of the century",
                                            "the turn of the millennium", "turn of the millennium", "the millennium",
                                            "y2k"};
constexpr std::string_view kThisYear[]{"this year", "this years"};
constexpr int kTurnOfCenturyFirst = 1997;
constexpr int kTurnOfCenturyLast = 2003;
// An artist named without "by": "just Queen", "all of Nina Simone", "Queen only".
constexpr std::string_view kArtistCues[]{"just", "only", "all of", "all", "every", "purely", "exclusively",
                                         "solely", "strictly"};
constexpr std::string_view kTopicWords[]{"about", "of", "for", "in", "on", "with", "like", "to", "feel", "feeling",
                                        "called", "named", "titled"};
// Seeds: what a track or artist to sound like follows ("songs like X", "in the spirit of X").
constexpr std::string_view kSeedCues[]{"like", "more like", "similar to", "similar in style to", "sounding like",
                                       "sounds like", "sound like", "that sound like", "that sounds like",
                                       "in the spirit of", "in the style of", "in the vein of", "in the same vein as",
                                       "in the mold of", "in the mould of", "reminiscent of", "inspired by",
                                       "along the lines of", "a la", "ala", "the likes of", "the same vibe as",
                                       "the vibe of", "vibes like"};
// "I like jazz", "I'd like 20 songs", "we would like": the verb, not a comparison.
constexpr std::string_view kLikeSubjects[]{"i", "id", "would", "wed", "we", "you", "they", "do", "dont", "really",
                                           "also", "might", "kinda", "sorta", "what", "whatever"};
// Most words of a title read after a seed cue.
constexpr size_t kMaxTitleWords = 10;
constexpr std::string_view kArtistAfterCues[]{"only", "exclusively", "alone", "and nothing else"};
constexpr std::string_view kEachDeterminers[]{"each", "every", "any"};
constexpr std::string_view kCapEmphasis[]{"only", "just", "at most", "max", "no more than", "not more than"};
constexpr std::string_view kDifferentLeads[]{"all", "only", "a", "each from a", "each by a", "each song by a",
                                             "each track by a", "each song from a", "each track from a",
                                             "every song by a", "every track by a", "all from", "all by"};
constexpr std::string_view kDifferentWords[]{"different", "unique", "distinct", "separate"};
constexpr std::string_view kDifferentTails[]{"each time", "every time", "for each song", "for each track",
                                             "for every song", "for every track", "each song", "each track",
                                             "every song", "every track", "per song", "per track", "only", "each",
                                             "throughout"};
// Words after a number that make it something else than a year: "from 10 to 20 songs".
constexpr std::string_view kNotYearNouns[]{"songs", "song", "tracks", "track", "tunes", "minutes", "minute",
                                           "mins", "min", "hours", "hour", "hrs", "stars", "star", "percent",
                                           "bpm", "times"};

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
// Calendar periods, local time: "this year" is since January 1, "last month" since the 1st
// of the month before.
enum class Calendar { day, week, month, year };
struct CalendarPeriod {
    std::string_view phrase;
    Calendar unit;
    int back;  // periods before the current one
};
constexpr std::array<CalendarPeriod, 8> kCalendarPeriods{{
    {"today", Calendar::day, 0}, {"yesterday", Calendar::day, 1},
    {"this week", Calendar::week, 0}, {"this month", Calendar::month, 0}, {"this year", Calendar::year, 0},
    {"last week", Calendar::week, 1}, {"last month", Calendar::month, 1}, {"last year", Calendar::year, 1},
}};

constexpr int kTmYearBase = 1900;  // struct tm counts years from 1900

// Local midnight at the start of the calendar period `back` periods before the one holding
// `now` (weeks start on Monday).
int64_t period_start(int64_t now, Calendar unit, int back) {
    const std::time_t t = static_cast<std::time_t>(now);
    std::tm tm{};
    localtime_r(&t, &tm);
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    tm.tm_isdst = -1;
    switch (unit) {
        case Calendar::day: tm.tm_mday -= back; break;
        case Calendar::week: tm.tm_mday -= (tm.tm_wday + kDaysPerWeek - 1) % kDaysPerWeek + kDaysPerWeek * back; break;
        case Calendar::month: tm.tm_mday = 1, tm.tm_mon -= back; break;
        case Calendar::year: tm.tm_mday = 1, tm.tm_mon = 0, tm.tm_year -= back; break;
    }
    return static_cast<int64_t>(std::mktime(&tm));
}

int current_year(int64_t now) {
    const std::time_t t = static_cast<std::time_t>(now);
    std::tm tm{};
    localtime_r(&t, &tm);
    return tm.tm_year + kTmYearBase;
}

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
        "of", "new", "list", "what", "whatever", "though", "tho", "thanks", "thx", "released", "recorded",
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
    Parser(std::string_view prompt, const Vocabulary& vocab, int64_t now)
        : tokens_(tokenize(prompt)),
          names_(vocab),
          roles_(tokens_.size(), Role::free),
          now_(now),
          has_title_(vocab.has_title) {}

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
        request_.unparsed = unparsed();
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
    // Plays over relative days, or since the start of a calendar period.
    struct Period {
        int days = 0;
        int64_t since = 0;
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
        if (!span && tokens_[at].elided) span = short_year(at);  // "'85"
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

    // A two-digit number as a year: the century that puts it at or before next year ("85" is
    // 1985, "05" is 2005).
    std::optional<YearSpan> short_year(size_t at) const {
        constexpr size_t kShortYearDigits = 2;
        const std::string_view w = word(at);
        if (w.size() != kShortYearDigits || !detail::decimal_number(w)) return std::nullopt;
        const int yy = static_cast<int>(*detail::decimal_number(w));
        const int next_year = current_year(now_) + 1;
        int year = next_year / kHundred * kHundred + yy;
        if (year > next_year) year -= kHundred;
        return YearSpan{year, year};
    }

    // ---- Phrase readers, in the order they are tried ----

    size_t read_phrase(size_t i) {
        for (const auto reader : {&Parser::read_only, &Parser::read_seed, &Parser::read_played, &Parser::read_played_positive,
                                  &Parser::read_live, &Parser::read_favourites, &Parser::read_cap,
                                  &Parser::read_rating, &Parser::read_limit_qualifier, &Parser::read_duration,
                                  &Parser::read_count, &Parser::read_release_recent, &Parser::read_year_bound, &Parser::read_year_range,
                                  &Parser::read_year, &Parser::read_free_suffix, &Parser::read_exclusion,
                                  &Parser::read_artist, &Parser::read_named_artist, &Parser::read_genre}) {
            if (const size_t used = (this->*reader)(i)) return used;
        }
        return 0;
    }

    // ---- Seeds ----

    // "songs like Hey Jude by the Beatles", "in the spirit of Nina Simone", "like Portishead or
    // Massive Attack", "similar to Teardrop": tracks and artists to sound like (SeedWord).
    size_t read_seed(size_t i) {
        const size_t cue = longest(i, kSeedCues);
        if (cue == 0 || !connected(i + cue)) return 0;
        if (word(i) == "like" && i > 0 && in(word(i - 1), kLikeSubjects)) return 0;
        size_t end = 0;
        size_t at = i + cue;
        while (const size_t used = seed_at(at)) {
            end = at + used;
            if (!connected(end) || !in(word(end), kListLinks) || !connected(end + 1)) break;
            at = end + 1;
            at += longest_next(at, kSeedCues);
        }
        if (end == 0) return 0;
        claim(i, end);
        return end - i;
    }

    // One seed at token `at`: "TITLE by ARTIST", an artist, or a title of the mirror; tokens used.
    size_t seed_at(size_t at) {
        if (!connected(at) || in(word(at), kListLinks)) return 0;
        // "something like 20 songs by Queen" is a count and an artist, not a title.
        if (const auto n = number(at, false); n && connected(at + n->used) && in(word(at + n->used), kNotYearNouns)) {
            return 0;
        }
        // "TITLE by ARTIST": the artist must be the mirror's; the title is checked when seeding.
        for (size_t by = at + 1; by <= at + kMaxTitleWords && connected(by) && !is(by, "but"); ++by) {
            if (!is(by, "by")) continue;
            if (!connected(by + 1)) break;
            const NameMatch artist = names_.match(tokens_, by + 1, NameKind::artist);
            if (artist.length == 0) continue;
            request_.seeds.push_back({std::string(text_between(at, by + 1 + artist.length)),
                                      std::string(text_between(at, by)), artist.names});
            return by + 1 - at + artist.length;
        }
        const NameMatch artist = names_.match(tokens_, at, NameKind::artist);
        if (artist.length > 0 && names_.match(tokens_, at, NameKind::genre).length <= artist.length) {
            request_.seeds.push_back({std::string(text_between(at, at + artist.length)), "", artist.names});
            return artist.length;
        }
        if (!has_title_) return 0;
        // A title alone: the longest run of words the mirror has a track of, two words or more,
        // or one typed capitalised ("similar to Teardrop"; never "feels like summer").
        size_t last = at;
        while (last < at + kMaxTitleWords && connected(last)) ++last;
        const bool capitalised = !tokens_[at].text.empty() && tokens_[at].text[0] >= 'A' && tokens_[at].text[0] <= 'Z';
        for (size_t end = last; end > at; --end) {
            if (end - at < 2 && !capitalised) break;
            const std::string title(text_between(at, end));
            if (has_title_(title)) {
                request_.seeds.push_back({title, title, {}});
                return end - at;
            }
        }
        return 0;
    }

    // "unplayed", "never played", "songs I haven't heard" → unplayed; "not played recently",
    // "haven't heard in a while", "not played in the last 2 weeks", "nothing I've played in the
    // past three years" → avoid recent days; "haven't listened to this year" → not played since
    // January 1.
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
        at += longest_next(at, kPlaySubjects);  // "nothing I've played"
        bool recently = false;
        if (const size_t used = longest_next(at, kRecentlyWords)) {  // "not recently played"
            recently = true;
            at += used;
        }
        const size_t verb = longest_next(at, kPlayedVerbs);
        if (verb == 0) return 0;
        at += verb;
        Period period;
        if (recently) period.days = kDefaultAvoidRecentDays;
        if (const size_t since = read_not_since(at, period)) {
            at += since;
        } else {
            at += read_recent_period(at, period);
        }
        if (never || (period.days == 0 && period.since == 0)) {
            request_.unplayed = true;
            // "never heard before", "not played yet"; not the "before" of "before 2000".
            if (const size_t used = longest_next(at, kNeverYet); used > 0 && !year_expr(at + 1)) at += used;
        } else if (period.since != 0) {
            // Two such periods: the longer one leaves out every play either names.
            request_.not_played_since =
                request_.not_played_since == 0 ? period.since : std::min(request_.not_played_since, period.since);
        } else {
            request_.avoid_recent_days = std::max(request_.avoid_recent_days, period.days);
        }
        claim(i, at);
        return at - i;
    }

    // "songs I played last month", "recently played", "what I've been listening to lately",
    // "heard in the past two weeks" → only tracks last played since then.
    size_t read_played_positive(size_t i) {
        const auto take = [&](size_t k, Phrases phrases) { return k == i ? longest(k, phrases) : longest_next(k, phrases); };
        size_t at = i;
        at += take(at, kPlaySubjects);
        bool recently = false;
        if (const size_t used = take(at, kRecentlyWords)) {
            recently = true;
            at += used;
        }
        const size_t verb = take(at, kPastPlayVerbs);
        if (verb == 0) return 0;
        at += verb;
        Period period;
        if (recently) period.days = kDefaultAvoidRecentDays;
        if (const size_t used = read_recent_period(at, period)) at += used;
        if (period.days == 0 && period.since == 0) return 0;
        const int64_t since = period.since != 0 ? period.since : now_ - int64_t{period.days} * kSecondsPerDay;
        request_.played_since = std::max(request_.played_since, since);  // both must hold
        claim(i, at);
        return at - i;
    }

    // "(haven't played) since last year", "since 2020": no play after the end of that period.
    size_t read_not_since(size_t i, Period& period) const {
        if (!next_is(i, "since") || !connected(i + 1)) return 0;
        for (const CalendarPeriod& p : kCalendarPeriods) {
            if (p.back == 0) continue;
            if (const size_t used = phrase(i + 1, p.phrase)) {
                period.since = period_start(now_, p.unit, p.back - 1);
                return used + 1;
            }
        }
        const auto year = year_expr(i + 1);
        if (!year || year->span.last >= kOpenLast - 1) return 0;
        std::tm tm{};
        tm.tm_year = year->span.last + 1 - kTmYearBase;
        tm.tm_mday = 1;
        tm.tm_isdst = -1;
        period.since = static_cast<int64_t>(std::mktime(&tm));
        return year->used + 1;
    }


    // "recently", "in a while", "this year", "last month", "in the last 2 weeks", "for a
    // month", "in over a year".
    size_t read_recent_period(size_t i, Period& period) const {
        if (const size_t used = longest_next(i, kAWhile)) {
            period.days = kDefaultAvoidRecentDays;
            return used;
        }
        const auto calendar = [&](size_t at) -> size_t {
            if (!connected(at)) return 0;
            for (const CalendarPeriod& p : kCalendarPeriods) {
                if (const size_t used = phrase(at, p.phrase)) {
                    period.since = period_start(now_, p.unit, p.back);
                    return used;
                }
            }
            return 0;
        };
        if (const size_t used = calendar(i)) return used;
        const size_t lead = longest_next(i, kRecentPeriodLeads);
        if (lead == 0) return 0;
        size_t at = i + lead;
        if (const size_t used = calendar(at)) return at + used - i;  // "during last month", "in this year"
        at += longest_next(at, kOverQuantifiers);                     // "in over a year"
        double count = 1;
        if (const auto n = connected(at) ? number(at, true) : std::nullopt) {
            count = n->value;
            at += n->used;
        }
        for (const PeriodUnit& unit : kPeriodUnits) {
            if (!next_is(at, unit.word)) continue;
            const double total = std::round(count * unit.days);
            if (total < 1) return 0;
            period.days = static_cast<int>(std::min<double>(total, kMaxAvoidRecentDays));
            return at + 1 - i;
        }
        return 0;
    }

    // "nothing but jazz", "nothing except soul": only what follows, which the next readers take.
    size_t read_only(size_t i) {
        const size_t used = longest(i, kOnlyPhrases);
        if (used == 0 || !connected(i + used)) return 0;
        claim(i, i + used);
        return used;
    }

    // ---- Caps per artist and per album ----

    enum class CapGroup { artist, album };

    std::optional<CapGroup> group_at(size_t at) const {
        if (at >= tokens_.size()) return std::nullopt;
        if (in(word(at), kArtistNouns)) return CapGroup::artist;
        if (in(word(at), kAlbumNouns)) return CapGroup::album;
        return std::nullopt;
    }
    std::optional<CapGroup> group_next(size_t at) const { return connected(at) ? group_at(at) : std::nullopt; }

    // "once", "twice", "3 times": how many; tokens used.
    size_t times_next(size_t at, int& value) const {
        if (!connected(at)) return 0;
        if (const size_t used = longest(at, kOnce)) {
            value = 1;
            return used;
        }
        if (is(at, "twice")) return value = 2, 1;
        if (is(at, "thrice")) return value = 3, 1;
        const auto n = number(at, false);
        if (!n || !is_whole(n->value) || n->value < 1 || n->value > kMaxTrackCount) return 0;
        if (!next_is(at + n->used, "times") && !next_is(at + n->used, "time")) return 0;
        value = static_cast<int>(n->value);
        return n->used + 1;
    }

    // The smallest cap stated wins.
    void set_cap(CapGroup group, int cap) {
        int& field = group == CapGroup::artist ? request_.per_artist : request_.per_album;
        field = field == 0 ? cap : std::min(field, cap);
    }

    size_t set_cap_and_claim(CapGroup group, int cap, size_t i, size_t end) {
        set_cap(group, cap);
        claim(i, end);
        return end - i;
    }

    // "max 2 per artist", "one song per artist", "2 songs max per album", "no more than two
    // songs by any one artist", "at most 3 from any album", and the forms of read_no_repeat.
    size_t read_cap(size_t i) {
        if (const size_t used = read_no_repeat(i)) return used;
        size_t at = i + longest(i, kCapLeads);
        if (at != i && !connected(at)) return 0;
        const auto n = number(at, true);  // "a song per artist"
        if (!n || !is_whole(n->value) || n->value < 1 || n->value > kMaxTrackCount) return 0;
        at += n->used;
        if (connected(at) && in(word(at), kCountNouns)) ++at;
        at += longest_next(at, kCapTails);
        if (!connected(at)) return 0;
        bool strict = false;  // after "by"/"from" a determiner must follow: "songs by the band" may name one
        if (is(at, "for") && (next_is(at + 1, "each") || next_is(at + 1, "every"))) {
            ++at;
        } else if (is(at, "by") || is(at, "from") || is(at, "of")) {
            strict = true;
            ++at;
        } else if (is(at, "per") || is(at, "a") || is(at, "an")) {  // "2 an album"
            ++at;
        } else {
            return 0;
        }
        const size_t det = connected(at) ? longest(at, strict ? Phrases(kCapStrictDeterminers) : Phrases(kCapDeterminers)) : 0;
        if (strict && det == 0) return 0;
        at += det;
        const auto group = group_next(at);
        if (!group) return 0;
        ++at;
        at += longest_next(at, kCapTails);
        return set_cap_and_claim(*group, static_cast<int>(n->value), i, at);
    }

    // "no artist twice", "no album more than 2 times", "no repeated artists", "don't repeat
    // artists", "no two songs by the same artist", "never the same artist twice", "each artist
    // once", "every album at most twice", "all different artists", "a different artist each
    // song", "unique artists".
    size_t read_no_repeat(size_t i) {
        if (const size_t negation = longest(i, kNoRepeatLeads)) {
            size_t at = i + negation;
            if (const size_t verb = longest_next(at, kRepeatVerbs)) {  // "no repeated artists"
                size_t k = at + verb;
                k += longest_next(k, kArticles);
                if (const auto group = group_next(k)) return set_cap_and_claim(*group, 1, i, k + 1);
                // "no repeats", "no duplicate songs": a track is never in a playlist twice anyway.
                if (connected(k) && in(word(k), kCountNouns)) ++k;
                if (connected(k) && !tokens_[k].gap.clause && roles_[k] == Role::free &&
                    !stop_words().contains(word(k))) {
                    return 0;  // "no repeated chorus": something else
                }
                claim(i, k);
                return k - i;
            }
            if (next_is(at, "two")) {  // "no two songs by the same artist"
                size_t k = at + 1;
                if (connected(k) && in(word(k), kCountNouns)) ++k;
                if (!next_is(k, "by") && !next_is(k, "from") && !next_is(k, "of")) return 0;
                ++k;
                const size_t same = connected(k) ? phrase(k, "the same") : 0;
                if (same == 0) return 0;
                k += same;
                const auto group = group_next(k);
                return group ? set_cap_and_claim(*group, 1, i, k + 1) : 0;
            }
            at += longest_next(at, kSameOne);
            const auto group = group_next(at);
            if (!group) return 0;
            ++at;
            at += longest_next(at, kModals);  // "no artist should appear more than twice"
            int cap = 0;
            const size_t verb = longest_next(at, kAppearVerbs);
            const bool more_than = verb > 0 && phrase(at, "more than") == verb;
            at += verb;
            if (more_than || next_is(at, "more") ) {
                if (!more_than) {  // "appearing more than twice"
                    if (!next_is(at + 1, "than")) return 0;
                    at += 2;
                }
                const size_t used = times_next(at, cap);
                if (used == 0) return 0;
                at += used;
            } else if (const size_t used = longest_next(at, kRepeatWords)) {
                cap = 1;
                at += used;
            } else {
                return 0;
            }
            return set_cap_and_claim(*group, cap, i, at);
        }
        if (const size_t det = longest(i, kEachDeterminers)) {  // "each artist once"
            size_t at = i + det;
            const auto group = group_next(at);
            if (!group) return 0;
            ++at;
            at += longest_next(at, kCapEmphasis);
            int cap = 0;
            const size_t used = times_next(at, cap);
            return used > 0 ? set_cap_and_claim(*group, cap, i, at + used) : 0;
        }
        size_t at = i + longest(i, kDifferentLeads);  // "all different artists"
        if (at != i ? longest_next(at, kDifferentWords) == 0 : !in(word(i), kDifferentWords)) return 0;
        ++at;
        const auto group = group_next(at);
        if (!group) return 0;
        ++at;
        at += longest_next(at, kDifferentTails);
        return set_cap_and_claim(*group, 1, i, at);
    }

    // "metal-free", "country free": the genre or artist named before "free" is left out.
    size_t read_free_suffix(size_t i) {
        const size_t length = std::max(names_.match(tokens_, i, NameKind::genre).length,
                                       names_.match(tokens_, i, NameKind::artist).length);
        if (length == 0) {
            // "vocal-free": a word we do not know, joined to "free": a constraint we cannot apply.
            if (i + 1 < tokens_.size() && tokens_[i + 1].gap.dash && is(i + 1, "free") &&
                !stop_words().contains(word(i))) {
                negated_unknown(text_between(i, i + 2));
                claim(i, i + 2);
                return 2;
            }
            return 0;
        }
        if (!connected(i + length) || !in(word(i + length), kFreeSuffix)) return 0;
        read_excluded_item(i, false);
        claim(i, i + length + 1);
        return length + 1;
    }

    // "no live", "without live recordings", "not live", "studio only", "studio versions only".
    size_t read_live(size_t i) {
        size_t at = i;
        if (const size_t negation = longest(i, kNegations)) {
            at += negation;
            at += longest_next(at, kArticles);  // "skip the live stuff"
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
        request_.favourites = true;
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
    // playlist", "top 10 songs", "25 of them", "30 in total". A number without its noun is not
    // a count ("top 40").
    size_t read_count(size_t i) {
        const bool top = is(i, "top");
        const size_t number_at = top ? i + 1 : i;
        if (top && !connected(number_at)) return 0;
        const auto n = number(number_at, false);
        if (!n || !is_whole(n->value) || n->value < 1 || n->value > kMaxTrackCount) return 0;
        const size_t after = number_at + n->used;
        if (const size_t tail = longest_next(after, kCountTails)) {
            request_.track_count = static_cast<int>(n->value);
            claim(i, after + tail);
            return after + tail - i;
        }
        for (size_t at = after; connected(at) && at - after <= kMaxWordsBeforeCountNoun; ++at) {
            if (in(word(at), kCountNouns) || in(word(at), kMoodCountNouns)) {
                request_.track_count = static_cast<int>(n->value);
                claim(i, after);
                if (in(word(at), kCountNouns)) claim(at, at + 1);
                return after - i;
            }
            // "10 five-star tracks": the rating between is read after the count.
            if (const auto stars = number(at, false);
                stars && (next_is(at + stars->used, "star") || next_is(at + stars->used, "stars"))) {
                at += stars->used;
                continue;
            }
            if (roles_[at] != Role::free || number(at, false) || detail::year_word(word(at))) break;
        }
        return 0;
    }

    // "from the last 10 years" (this year and the 10 before), "the past decade", "released this
    // year", "from last year", "the turn of the century" (1997–2003).
    size_t read_release_recent(size_t i) {
        const auto expr = release_span(i);
        if (!expr) return 0;
        includes_.push_back(expr->span);
        claim(i, i + expr->used);
        return expr->used;
    }

    std::optional<YearExpr> release_span(size_t i) const {
        const size_t lead = longest(i, kReleaseLeads);
        size_t at = i + lead;
        if (lead > 0 && !connected(at)) return std::nullopt;
        const auto step = [&](size_t k, Phrases phrases) { return k == i ? longest(k, phrases) : longest_next(k, phrases); };
        const int year = current_year(now_);
        YearSpan span{};
        if (const size_t used = step(at, kTurnOfCentury)) {
            span = {kTurnOfCenturyFirst, kTurnOfCenturyLast};
            at += used;
        } else if (const size_t this_year = step(at, kThisYear)) {
            span = {year, year};
            at += this_year;
        } else if (const size_t last = step(at, kLastWords)) {
            at += last;
            double count = 1;
            if (const auto n = connected(at) ? number(at, true) : std::nullopt) {
                count = n->value;
                at += n->used;
            }
            int years = 0;
            if (next_is(at, "year") || next_is(at, "years")) years = 1;
            if (next_is(at, "decade") || next_is(at, "decades")) years = kDecadeYears;
            if (years == 0 || !is_whole(count) || count < 1) return std::nullopt;
            ++at;
            const bool bare = (last == 1 && is(at - 2, "last") && count == 1 && years == 1);  // "last year"
            const int back = static_cast<int>(count) * years;
            span = bare ? YearSpan{year - 1, year - 1} : YearSpan{std::max(kMinYear, year - back), year};
        } else {
            return std::nullopt;
        }
        return YearExpr{span, at - i};
    }

    // "before 2000" (≤ 1999), "after 2010" (≥ 2011), "since 2010", "until 1980", "pre-1980",
    // "nothing after 1980" (≤ 1980), "not before the 70s" (≥ 1970), "no later than 1985".
    size_t read_year_bound(size_t i) {
        size_t at = i;
        const bool negated = longest(i, kBoundNegations) > 0;
        if (negated) ++at;
        if (at != i && !connected(at)) return 0;
        if (negated) at += longest(at, kReleaseVerbs);  // "nothing released before 1975"
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
        auto first = year_expr(first_at);
        // "from 65 to 75", "between 85 and 92": after from/between, two digits are a year,
        // unless a noun makes them something else ("from 10 to 20 songs").
        bool plain = false;
        if (!first && first_at != i) {
            if (const auto year = short_year(first_at)) first = YearExpr{*year, 1}, plain = true;
        }
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
        if (plain && connected(at) && in(word(at), kNotYearNouns)) return 0;
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
        if (const auto recent = release_span(at)) {  // "nothing from the last 5 years"
            excludes_.push_back(recent->span);
            return recent->used;
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

    // An artist of the mirror named without "by": a name of two or more words anywhere ("play
    // me the beatles", "Nina Simone essentials"), one word only with a cue ("just Queen",
    // "Queen only"), so that "love songs" never means the band Love. A genre spelled the same
    // or longer wins.
    size_t read_named_artist(size_t i) {
        const size_t cue = longest(i, kArtistCues);
        const size_t at = i + cue;
        if (cue > 0 && !connected(at)) return 0;
        const NameMatch artist = names_.match(tokens_, at, NameKind::artist);
        if (artist.length == 0 || names_.match(tokens_, at, NameKind::genre).length >= artist.length) return 0;
        size_t end = at + artist.length;
        const size_t after = longest_next(end, kArtistAfterCues);
        // One word typed capitalised, not opening a clause: "20 Radiohead songs", "some Queen".
        // Not after a word that makes it a topic: "songs about Love", "the power of Love".
        const bool capitalised = artist.length == 1 && at > 0 && !tokens_[at].gap.clause &&
                                 !in(word(at - 1), kTopicWords) && !tokens_[at].text.empty() &&
                                 tokens_[at].text[0] >= 'A' && tokens_[at].text[0] <= 'Z';
        if (artist.length < 2 && cue == 0 && after == 0 && !capitalised) return 0;
        end += after;
        add_unique(request_.artists, artist.names);
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
        negated_unknown(text_between(drop_begin_, drop_end_));
    }

    // A negated phrase the filters do not know: tags to exclude when its words are the tag
    // vocabulary's ("without vocals"), else a note (it must not pull its words into the mood).
    void negated_unknown(std::string_view phrase) {
        std::vector<TagWord> excluded = excluded_tag_words(phrase);
        if (excluded.empty()) {
            request_.notes.push_back("not understood: \"" + std::string(phrase) + "\"");
            return;
        }
        for (TagWord& tag : excluded) {
            if (std::find(request_.tags.begin(), request_.tags.end(), tag) == request_.tags.end()) {
                request_.tags.push_back(std::move(tag));
            }
        }
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

    // Runs of free words holding a number ("top 40", "10 stars"): left in the mood query, but
    // shown, since a number usually states a constraint.
    std::vector<std::string> unparsed() const {
        std::vector<std::string> phrases;
        const auto open = [&](size_t k) { return roles_[k] == Role::free && !stop_words().contains(word(k)); };
        for (size_t i = 0; i < tokens_.size();) {
            if (!open(i)) {
                ++i;
                continue;
            }
            size_t end = i + 1;
            while (connected(end) && open(end)) ++end;
            bool number = false;
            for (size_t k = i; k < end; ++k) {
                number = number || std::any_of(tokens_[k].folded.begin(), tokens_[k].folded.end(),
                                               [](char c) { return c >= '0' && c <= '9'; });
            }
            if (number) phrases.emplace_back(text_between(i, end));
            i = end;
        }
        return phrases;
    }

public:
    // Per token of tokenize(prompt): whether no reader took it (a mood word or a stop word).
    std::vector<bool> free_tokens() const {
        std::vector<bool> free(tokens_.size());
        for (size_t i = 0; i < tokens_.size(); ++i) free[i] = roles_[i] == Role::free;
        return free;
    }

private:
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
    int64_t now_;
    std::function<bool(std::string_view)> has_title_;
    PlaylistRequest request_;
    std::vector<KeptGenre> kept_genres_;
    std::vector<YearSpan> includes_, excludes_;
    YearSpan bound_{kOpenFirst, kOpenLast};
    bool dropping_ = false;
    size_t drop_begin_ = 0, drop_end_ = 0;
};

}  // namespace

PlaylistRequest parse_prompt(std::string_view prompt, const Vocabulary& vocab, int64_t now) {
    if (now == 0) now = static_cast<int64_t>(std::time(nullptr));
    Parser parser(prompt, vocab, now);
    PlaylistRequest request = parser.run();
    read_tag_words(prompt, parser.free_tokens(), request);
    return request;
}

}  // namespace pmx::gen
