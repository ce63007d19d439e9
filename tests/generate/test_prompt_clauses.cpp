// parse_prompt(): clauses keep their own numbers, negations and caps. A table per class of the
// prompts that went wrong (issue 10), each written the way different people type: word order,
// punctuation, casing, spelled-out numbers, filler words. Every row gives the exact request,
// so a row also proves that nothing else was read into its prompt.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <ctime>

#include "support.hpp"

using namespace pmx::gen;

namespace {

constexpr std::nullopt_t kOpen = std::nullopt;
constexpr int64_t kDay = 24 * 60 * 60;

// The clock of every row: Wednesday 2026-06-17 12:00 UTC (the test runs in UTC).
constexpr int64_t kNow = 1781697600;
constexpr int64_t kStartOfYear = 1767225600;       // 2026-01-01
constexpr int64_t kStartOfLastYear = 1735689600;   // 2025-01-01
constexpr int64_t kStartOfMonth = 1780272000;      // 2026-06-01
constexpr int64_t kStartOfLastMonth = 1777593600;  // 2026-05-01
constexpr int64_t kStartOfWeek = 1781481600;       // Monday 2026-06-15
constexpr int64_t kStartOfLastWeek = 1780876800;   // Monday 2026-06-08
constexpr int64_t kStartOfYesterday = 1781568000;  // 2026-06-16

struct Case {
    const char* prompt;
    PlaylistRequest expected;
};

// clang-format off
const Case kNegations[] = {
    {"anything but metal", {.exclude_genres = {"Metal"}}},
    {"Everything except country, please", {.exclude_genres = {"Country"}}},
    {"no metal please", {.exclude_genres = {"Metal"}}},
    {"metal-free", {.exclude_genres = {"Metal"}}},
    {"a country-free evening", {.exclude_genres = {"Country"}, .mood_query = "evening"}},
    {"something mellow, anything other than classical", {.exclude_genres = {"Classical"}, .mood_query = "mellow"}},
    {"soul but not Beyonce", {.genres = {"Soul"}, .exclude_artists = {"Beyonc\u00e9"}, .mood_query = "soul"}},
    {"NOTHING BY METALLICA!!", {.exclude_artists = {"Metallica"}}},
    {"upbeat stuff except for punk", {.exclude_genres = {"Punk"}, .mood_query = "upbeat"}},
    {"hold the country", {.exclude_genres = {"Country"}}},
    {"nothing but soul", {.genres = {"Soul"}, .mood_query = "soul"}},
    {"Nothing except bossa nova tonight", {.genres = {"Bossa Nova"}, .mood_query = "bossa nova tonight"}},
    {"i don't want any metallica or metal", {.exclude_genres = {"Metal"}, .exclude_artists = {"Metallica"}}},
    {"anything but live recordings", {.exclude_live = true}},
    {"autotune-free focus music", {.mood_query = "focus", .notes = {"not understood: \"autotune-free\""}}},
    {"vocal-free focus music", {.mood_query = "focus"}},  // a tag to exclude (test_prompt_tags.cpp), no note
    {"classical music minus the ballads", {.genres = {"Classical"}, .exclude_genres = {"Ballad"}, .mood_query = "classical"}},
    {"songs that aren't country", {.exclude_genres = {"Country"}}},
    {"I'd like some soul - no Beyonce though", {.genres = {"Soul"}, .exclude_artists = {"Beyoncé"}, .mood_query = "soul"}},
    {"30 songs, skip the live stuff", {.track_count = 30, .exclude_live = true}},
};

const Case kNumbersInClauses[] = {
    {"15 tracks, no more than two songs per artist", {.track_count = 15, .per_artist = 2}},
    {"10 five-star tracks", {.min_rating = 10, .track_count = 10}},
    {"twenty songs, max 3 per artist", {.track_count = 20, .per_artist = 3}},
    {"give me 12 four star songs", {.min_rating = 8, .track_count = 12}},
    {"30 tracks from the 80s, at most 2 from any album", {.years = {{1980, 1989}}, .track_count = 30, .per_album = 2}},
    {"an hour of soul, one song per artist", {.genres = {"Soul"}, .duration_seconds = 3600, .mood_query = "soul", .per_artist = 1}},
    {"25 songs; 2 per artist max; 1994", {.years = {{1994, 1994}}, .track_count = 25, .per_artist = 2}},
    {"5 stars only, 40 tracks", {.min_rating = 10, .track_count = 40}},
    {"8 tracks rated 4 stars or more", {.min_rating = 8, .track_count = 8}},
    {"no more than 20 songs, no more than 3 by any artist", {.track_count = 20, .per_artist = 3}},
    {"Eighteen tracks but only one from each album", {.track_count = 18, .per_album = 1}},
    {"songs from 2015 to 2020, 25 of them", {.years = {{2015, 2020}}, .track_count = 25}},
    {"100 songs. Max 5 from an album. No artist more than 4 times.", {.track_count = 100, .per_artist = 4, .per_album = 5}},
    {"a dozen five star songs from the 90s", {.years = {{1990, 1999}}, .min_rating = 10, .track_count = 12}},
};

const Case kCaps[] = {
    {"max 2 per artist", {.per_artist = 2}},
    {"one song per artist", {.per_artist = 1}},
    {"no artist twice", {.per_artist = 1}},
    {"at most 3 from any album", {.per_album = 3}},
    {"a maximum of two tracks by any one band", {.per_artist = 2}},
    {"no repeated artists", {.per_artist = 1}},
    {"don't repeat albums", {.per_album = 1}},
    {"no two songs by the same artist", {.per_artist = 1}},
    {"each artist only once", {.per_artist = 1}},
    {"all different artists", {.per_artist = 1}},
    {"no album more than twice", {.per_album = 2}},
    {"2 songs max per album", {.per_album = 2}},
    {"limit 4 per artist, 2 per album", {.per_artist = 4, .per_album = 2}},
    {"never the same artist twice", {.per_artist = 1}},
    {"a different artist for every track", {.per_artist = 1}},
    {"a playlist of 50 songs, no repeats", {.track_count = 50}},
    {"seven tracks, three by any artist at most", {.track_count = 7, .per_artist = 3}},
};

const Case kArtists[] = {
    {"50 songs by Metallica", {.artists = {"Metallica"}, .track_count = 50}},
    {"something by Miles Davis and John Coltrane", {.artists = {"Miles Davis", "John Coltrane"}}},
    {"all of Nina Simone", {.artists = {"Nina Simone"}}},
    {"every Beatles song", {.artists = {"The Beatles"}}},
    {"just Queen", {.artists = {"Queen"}}},
    {"Queen only", {.artists = {"Queen"}}},
    {"songs by queen, 30 of them", {.artists = {"Queen"}, .track_count = 30}},
    {"Play me the beatles", {.artists = {"The Beatles"}}},
    {"Nina Simone essentials, 40 tracks", {.artists = {"Nina Simone"}, .track_count = 40, .mood_query = "essentials"}},
    {"love songs for queen", {.mood_query = "love queen"}},
    {"no artist should appear more than twice", {.per_artist = 2}},
    {"don't include more than 2 songs per artist", {.per_artist = 2}},
    {"some Queen and Metallica", {.artists = {"Queen", "Metallica"}}},
    {"songs about Love", {.mood_query = "Love"}},
    {"12 Metallica classics", {.artists = {"Metallica"}, .track_count = 12, .mood_query = "classics"}},
};

const Case kYears[] = {
    {"from 65 to 75", {.years = {{1965, 1975}}}},
    {"'85-'92", {.years = {{1985, 1992}}}},
    {"\u201985\u2013\u201992 synth", {.years = {{1985, 1992}}, .mood_query = "synth"}},
    {"between 85 and 92", {.years = {{1985, 1992}}}},
    {"from 98 to 04", {.years = {{1998, 2004}}}},
    {"in '85", {.years = {{1985, 1985}}}},
    {"the early 2000s", {.years = {{2000, 2003}}}},
    {"mid-nineties", {.years = {{1994, 1996}}}},
    {"the noughties", {.years = {{2000, 2009}}}},
    {"late-seventies soul", {.years = {{1977, 1979}}, .genres = {"Soul"}, .mood_query = "soul"}},
    {"Songs from the mid 60s to the early 70s", {.years = {{1964, 1973}}}},
    {"from 10 to 20 songs", {.track_count = 20, .mood_query = "10", .unparsed = {"10"}}},
    {"nothing released before '75", {.years = {{1975, kOpen}}}},
    {"songs released in the 80s", {.years = {{1980, 1989}}}},
    {"between '68 and '72", {.years = {{1968, 1972}}}},
    {"something from the last decade", {.years = {{2016, 2026}}}},
    {"songs from the last 10 years", {.years = {{2016, 2026}}}},
    {"new music from this year", {.years = {{2026, 2026}}}},
    {"my top rated tracks from last year", {.years = {{2025, 2025}}, .min_rating = 8}},
    {"anything from the turn of the millennium", {.years = {{1997, 2003}}}},
    {"no music from the last 5 years", {.years = {{kOpen, 2020}, {2027, kOpen}}}},
    {"stuff from 92-96", {.years = {{1992, 1996}}}},
};

const Case kPlays[] = {
    {"nothing I've played in the past three years", {.avoid_recent_days = 3 * 365}},
    {"stuff I haven't listened to this year", {.not_played_since = kStartOfYear}},
    {"songs I played last month", {.played_since = kStartOfLastMonth}},
    {"what I've been listening to lately", {.played_since = kNow - 30 * kDay}},
    {"recently played soul", {.genres = {"Soul"}, .mood_query = "soul", .played_since = kNow - 30 * kDay}},
    {"tracks I heard this week", {.played_since = kStartOfWeek}},
    {"not played this month", {.not_played_since = kStartOfMonth}},
    {"haven't heard in over a year", {.avoid_recent_days = 365}},
    {"songs i played yesterday", {.played_since = kStartOfYesterday}},
    {"music we listened to last year", {.played_since = kStartOfLastYear}},
    {"nothing I have heard last week", {.not_played_since = kStartOfLastWeek}},
    {"songs I've played in the last 2 weeks", {.played_since = kNow - 14 * kDay}},
    {"never played", {.unplayed = true}},
    {"songs I haven't played since last year", {.not_played_since = kStartOfYear}},
    {"haven't played since 2020", {.not_played_since = 1609459200}},  // 2021-01-01
    {"favourites I haven't played this year", {.favourites = true, .not_played_since = kStartOfYear}},
};

const Case kNotApplied[] = {
    {"without autotune", {.notes = {"not understood: \"without autotune\""}}},
    {"without vocals", {}},  // a tag to exclude (test_prompt_tags.cpp), no note
    {"top 40", {.mood_query = "top 40", .unparsed = {"top 40"}}},
    {"jazz from 2150", {.genres = {"Jazz"}, .mood_query = "jazz 2150", .unparsed = {"2150"}}},
    {"rainy sunday", {.mood_query = "rainy sunday"}},
    {"100 hours", {.notes = {"ignored the length \"100 hours\": lengths go from 1 minute to 24 hours"}}},
};
// clang-format on

void check_all(const Case* begin, const Case* end) {
    // Calendar phrases are local time: the rows are written for UTC.
    setenv("TZ", "UTC", 1);
    tzset();
    for (const Case* c = begin; c != end; ++c) {
        INFO("prompt: \"" << c->prompt << "\"");
        CHECK(test::without_tags(parse_prompt(c->prompt, test::mirror(), kNow)) == c->expected);
    }
}

#define CHECK_TABLE(table) check_all(std::begin(table), std::end(table))

}  // namespace

TEST_CASE("negations exclude, in every form: anything but, except, X-free, no X please", "[generate][prompt][clauses]") {
    CHECK_TABLE(kNegations);
}

TEST_CASE("numbers stay in their clause: a count, a rating and a cap side by side", "[generate][prompt][clauses]") {
    CHECK_TABLE(kNumbersInClauses);
}

TEST_CASE("caps per artist and per album stated in the prompt are read", "[generate][prompt][clauses]") {
    CHECK_TABLE(kCaps);
}

TEST_CASE("artists named with or without 'by' are read, one-word names only with a cue", "[generate][prompt][clauses]") {
    CHECK_TABLE(kArtists);
}

TEST_CASE("year ranges without a century, decade parts and the noughties", "[generate][prompt][clauses]") {
    CHECK_TABLE(kYears);
}

TEST_CASE("plays relative to the clock: past N years, this year, last month, lately", "[generate][prompt][clauses]") {
    CHECK_TABLE(kPlays);
}

TEST_CASE("what the parser cannot apply or did not read is said, never silently dropped", "[generate][prompt][clauses]") {
    CHECK_TABLE(kNotApplied);
}

TEST_CASE("two-digit years take the century that puts them at or before next year", "[generate][prompt][clauses]") {
    setenv("TZ", "UTC", 1);
    tzset();
    constexpr int64_t kIn1999 = 915148800;  // 1999-01-01
    CHECK(parse_prompt("from 05 to 10", test::mirror(), kIn1999).years == std::vector<YearRange>{{1905, 1910}});
    CHECK(parse_prompt("from 05 to 10", test::mirror(), kNow).years == std::vector<YearRange>{{2005, 2010}});
    CHECK(parse_prompt("'27", test::mirror(), kNow).years == std::vector<YearRange>{{2027, 2027}});
    CHECK(parse_prompt("'28", test::mirror(), kNow).years == std::vector<YearRange>{{1928, 1928}});
}
