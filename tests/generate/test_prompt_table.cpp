// parse_prompt(): a table of prompts, each with the exact request it must yield against the
// test mirror (support.hpp). Fields left out of an expectation must stay empty/zero, notes and
// mood query included, so each row also proves that nothing else was read into the prompt.
#include <catch2/catch.hpp>

#include <random>

#include "genre_fixture.hpp"
#include "support.hpp"

using namespace pmx::gen;

namespace {

constexpr std::nullopt_t kOpen = std::nullopt;
constexpr int kMinute = 60;
constexpr int kHour = 60 * kMinute;

struct Case {
    const char* prompt;
    PlaylistRequest expected;
};

// clang-format off
const Case kCases[] = {
    // ---- Years and decades ----
    {"90s", {.years = {{1990, 1999}}}},
    {"'90s hip hop", {.years = {{1990, 1999}}, .genres = {"Hip-Hop"}, .mood_query = "hip hop"}},
    {"90\u2019s", {.years = {{1990, 1999}}}},
    {"the nineties", {.years = {{1990, 1999}}}},
    {"1990s", {.years = {{1990, 1999}}}},
    {"70s", {.years = {{1970, 1979}}}},
    {"80s and 90s", {.years = {{1980, 1999}}}},
    {"80s, 90s", {.years = {{1980, 1999}}}},
    {"70s and 90s", {.years = {{1970, 1979}, {1990, 1999}}}},
    {"the 50s and 60s and 70s", {.years = {{1950, 1979}}}},
    {"from 1975 to 1982", {.years = {{1975, 1982}}}},
    {"between 1975 and 1982", {.years = {{1975, 1982}}}},
    {"1975-1982", {.years = {{1975, 1982}}}},
    {"1975\u201382", {.years = {{1975, 1982}}}},
    {"from 1982 to 1975", {.years = {{1975, 1982}}}},
    {"from the 70s to the 90s", {.years = {{1970, 1999}}}},
    {"before 2000", {.years = {{kOpen, 1999}}}},
    {"after 2010", {.years = {{2011, kOpen}}}},
    {"since 2010", {.years = {{2010, kOpen}}}},
    {"pre-1980 soul", {.years = {{kOpen, 1979}}, .genres = {"Soul"}, .mood_query = "soul"}},
    {"nothing before 1970", {.years = {{1970, kOpen}}}},
    {"no later than 1985", {.years = {{kOpen, 1985}}}},
    {"1990 or later", {.years = {{1990, kOpen}}}},
    {"in 1994", {.years = {{1994, 1994}}}},
    {"1994", {.years = {{1994, 1994}}}},
    {"songs from 1994", {.years = {{1994, 1994}}}},
    {"2000s", {.years = {{2000, 2009}}}},
    {"2000", {.years = {{2000, 2000}}}},
    {"late 90s rock", {.years = {{1997, 1999}}, .genres = {"Rock"}, .mood_query = "rock"}},
    {"early 2000s pop", {.years = {{2000, 2003}}, .genres = {"Pop"}, .mood_query = "pop"}},
    {"jazz from the 20s", {.years = {{1920, 1929}}, .genres = {"Jazz"}, .mood_query = "jazz"}},
    {"nothing from the 80s", {.years = {{kOpen, 1979}, {1990, kOpen}}}},
    {"90s except 1995", {.years = {{1990, 1994}, {1996, 1999}}}},
    {"70s and 80s but nothing after 1985", {.years = {{1970, 1985}}}},
    {"90s but before 1980", {.years = {{1990, 1999}}, .notes = {"ignored a year limit that leaves no years"}}},
    {"2100", {.mood_query = "2100", .unparsed = {"2100"}}},

    // ---- Genres: the mirror's spelling, folded, synonyms, longest first ----
    {"rainy sunday jazz", {.genres = {"Jazz"}, .mood_query = "rainy sunday jazz"}},
    {"bossa nova for a lazy afternoon", {.genres = {"Bossa Nova"}, .mood_query = "bossa nova lazy afternoon"}},
    {"HIP-HOP", {.genres = {"Hip-Hop"}, .mood_query = "HIP HOP"}},
    {"hiphop and rnb", {.genres = {"Hip-Hop", "R&B"}, .mood_query = "hiphop rnb"}},
    {"rap", {.genres = {"Hip-Hop"}, .mood_query = "rap"}},
    {"rhythm and blues", {.genres = {"R&B"}, .mood_query = "rhythm and blues"}},
    {"musica popular brasileira", {.genres = {"M\u00fasica Popular Brasileira"}, .mood_query = "musica popular brasileira"}},
    {"kpop", {.genres = {"K-Pop"}, .mood_query = "kpop"}},
    {"heavy metal", {.genres = {"Metal"}, .mood_query = "heavy metal"}},
    {"rock n roll", {.genres = {"Rock & Roll"}, .mood_query = "rock n roll"}},
    {"jazz, rock", {.genres = {"Jazz", "Rock"}, .mood_query = "jazz rock"}},
    {"jazz rock", {.genres = {"Jazz Rock"}, .mood_query = "jazz rock"}},
    {"ballads", {.genres = {"Ballad"}, .mood_query = "ballads"}},
    {"soundtracks from the 80s", {.years = {{1980, 1989}}, .genres = {"Soundtrack"}, .mood_query = "soundtracks"}},
    {"edm", {.genres = {"Electronic"}, .mood_query = "edm"}},
    {"CAF\u00c9 jazz", {.genres = {"Jazz"}, .mood_query = "CAF\u00c9 jazz"}},

    // ---- Ratings and favourites (0-10 scale, 2 per star) ----
    {"4+ stars", {.min_rating = 8}},
    {"5 stars", {.min_rating = 10}},
    {"4.5 stars", {.min_rating = 9}},
    {"four and a half stars", {.min_rating = 9}},
    {"rated 3 or higher", {.min_rating = 6}},
    {"highly rated chill", {.min_rating = 8, .mood_query = "chill"}},
    {"top rated", {.min_rating = 8}},
    {"five-star soul", {.genres = {"Soul"}, .min_rating = 10, .mood_query = "soul"}},
    {"\u2605\u2605\u2605\u2605 songs", {.min_rating = 8}},
    {"my favorite songs", {.favourites = true}},
    {"favourites from the 60s", {.years = {{1960, 1969}}, .favourites = true}},
    {"rated songs", {.min_rating = kAnyRating}},
    {"10 stars", {.mood_query = "10 stars", .unparsed = {"10 stars"}}},

    // ---- Durations (seconds) ----
    {"45 minutes", {.duration_seconds = 45 * kMinute}},
    {"45 min", {.duration_seconds = 45 * kMinute}},
    {"45m", {.duration_seconds = 45 * kMinute}},
    {"an hour", {.duration_seconds = kHour}},
    {"an hour and a half", {.duration_seconds = 90 * kMinute}},
    {"1h30", {.duration_seconds = 90 * kMinute}},
    {"1h 30m", {.duration_seconds = 90 * kMinute}},
    {"1 hour and 30 minutes", {.duration_seconds = 90 * kMinute}},
    {"90-minute jazz", {.genres = {"Jazz"}, .duration_seconds = 90 * kMinute, .mood_query = "jazz"}},
    {"two hours", {.duration_seconds = 2 * kHour}},
    {"2 and a half hours", {.duration_seconds = 150 * kMinute}},
    {"half an hour", {.duration_seconds = 30 * kMinute}},
    {"1.5 hours", {.duration_seconds = 90 * kMinute}},
    {"about 45 minutes long", {.duration_seconds = 45 * kMinute}},
    {"an hour's worth of soul", {.genres = {"Soul"}, .duration_seconds = kHour, .mood_query = "soul"}},
    {"100 hours", {.notes = {"ignored the length \"100 hours\": lengths go from 1 minute to 24 hours"}}},

    // ---- Track counts ----
    {"20 songs", {.track_count = 20}},
    {"twenty tracks", {.track_count = 20}},
    {"twenty-five songs", {.track_count = 25}},
    {"a dozen songs", {.track_count = 12}},
    {"half a dozen tracks", {.track_count = 6}},
    {"20 upbeat jazz songs", {.genres = {"Jazz"}, .track_count = 20, .mood_query = "upbeat jazz"}},
    {"a 20-song playlist", {.track_count = 20}},
    {"top 10 songs", {.track_count = 10}},
    {"top 40", {.mood_query = "top 40", .unparsed = {"top 40"}}},
    {"no more than 15 songs", {.track_count = 15}},
    {"1994 songs", {.years = {{1994, 1994}}}},

    // ---- Exclusions ----
    {"no metal", {.exclude_genres = {"Metal"}}},
    {"no heavy metal", {.exclude_genres = {"Metal"}}},
    {"no metal or country", {.exclude_genres = {"Metal", "Country"}}},
    {"no metal and no punk", {.exclude_genres = {"Metal", "Punk"}}},
    {"jazz but no jazz rock", {.genres = {"Jazz"}, .exclude_genres = {"Jazz Rock"}, .mood_query = "jazz"}},
    {"jazz but no jazz", {.exclude_genres = {"Jazz"}}},
    {"nothing by Metallica", {.exclude_artists = {"Metallica"}}},
    {"no Queen", {.exclude_artists = {"Queen"}}},
    {"without Simon and Garfunkel", {.exclude_artists = {"Simon & Garfunkel"}}},
    {"don't play any Metallica", {.exclude_artists = {"Metallica"}}},
    {"nothing by rem or acdc", {.exclude_artists = {"R.E.M.", "AC/DC"}}},
    {"nothing by SIGUR R\u00d3S", {.exclude_artists = {"Sigur R\u00f3s"}}},
    {"without autotune but upbeat", {.mood_query = "upbeat", .notes = {"not understood: \"without autotune\""}}},
    {"without vocals but upbeat", {.mood_query = "upbeat"}},  // vocals: a tag to exclude

    // ---- Live recordings ----
    {"no live", {.exclude_live = true}},
    {"without live recordings", {.exclude_live = true}},
    {"studio versions only", {.exclude_live = true}},
    {"nothing by Live", {.exclude_artists = {"Live"}}},
    {"live jazz", {.genres = {"Jazz"}, .mood_query = "live jazz"}},

    // ---- Artists: only after "by"/"from" ----
    {"songs by The Beatles", {.artists = {"The Beatles"}}},
    {"by beatles", {.artists = {"The Beatles"}}},
    {"something by beyonce", {.artists = {"Beyonc\u00e9"}}},
    {"from Miles Davis and John Coltrane", {.artists = {"Miles Davis", "John Coltrane"}}},
    {"by crosby, stills, nash & young", {.artists = {"Crosby, Stills, Nash & Young"}}},
    {"love songs", {.mood_query = "love"}},
    {"a quiet evening by the fire", {.mood_query = "quiet evening fire"}},

    // ---- Plays ----
    {"unplayed", {.unplayed = true}},
    {"never played", {.unplayed = true}},
    {"songs I haven't heard", {.unplayed = true}},
    {"never heard before 2000", {.years = {{kOpen, 1999}}, .unplayed = true}},
    {"not played recently", {.avoid_recent_days = kDefaultAvoidRecentDays}},
    {"haven't heard in a while", {.avoid_recent_days = kDefaultAvoidRecentDays}},
    {"not played in the last 2 weeks", {.avoid_recent_days = 14}},
    {"stuff I haven't played for a month", {.avoid_recent_days = 30}},

    // ---- Whole sentences and edge cases ----
    {"", {}},
    {"give me some songs", {}},
    {"rainy sunday jazz, nothing after 1980, 45 minutes",
     {.years = {{kOpen, 1980}}, .genres = {"Jazz"}, .duration_seconds = 45 * kMinute, .mood_query = "rainy sunday jazz"}},
    {"songs from the 60s by The Beatles, no live, 30 minutes",
     {.years = {{1960, 1969}}, .artists = {"The Beatles"}, .duration_seconds = 30 * kMinute, .exclude_live = true}},
    {"something for a dinner party, about an hour, no more than 15 songs, 4 stars or more",
     {.min_rating = 8, .duration_seconds = kHour, .track_count = 15, .mood_query = "dinner party"}},
    {"Give me 25 highly rated bossa nova tracks from the 60s, no live, nothing by Miles Davis",
     {.years = {{1960, 1969}}, .genres = {"Bossa Nova"}, .exclude_artists = {"Miles Davis"}, .min_rating = 8,
      .track_count = 25, .exclude_live = true, .mood_query = "bossa nova"}},
    {"\u5b87\u591a\u7530\u30d2\u30ab\u30eb \u306e \u6b4c", {.mood_query = "\u5b87\u591a\u7530\u30d2\u30ab\u30eb \u306e \u6b4c"}},
    {"\u96e8\u306e\u65e5\u306e\u30b8\u30e3\u30ba, 20 songs", {.track_count = 20, .mood_query = "\u96e8\u306e\u65e5\u306e\u30b8\u30e3\u30ba"}},
};
// clang-format on

}  // namespace

TEST_CASE("parse_prompt yields the expected request for each prompt of the table", "[generate][prompt]") {
    size_t checked = 0;
    for (const Case& c : kCases) {
        INFO("prompt: \"" << c.prompt << "\"");
        CHECK(test::without_tags(parse_prompt(c.prompt, test::mirror())) == c.expected);
        ++checked;
    }
    CHECK(checked >= 60);
}

TEST_CASE("with the taxonomy the table's prompts change in their genres only", "[generate][prompt][taxonomy]") {
    // Genre words may mean more genres (and are kept as genre_words); every other field is as
    // the table says, and each genre the table expects is still there.
    const Vocabulary vocab{test::mirror().genres, test::mirror().artists, &test::installed_taxonomy()};
    for (const Case& c : kCases) {
        const PlaylistRequest request = parse_prompt(c.prompt, vocab);
        INFO(c.prompt << " -> " << test::dump(request));
        PlaylistRequest rest = request;
        rest.genres = c.expected.genres;
        rest.exclude_genres = c.expected.exclude_genres;
        rest.genre_words.clear();
        rest.tags.clear();  // tag words: test_prompt_tags.cpp
        CHECK(rest == c.expected);
        for (const auto& genre : c.expected.genres) CHECK(std::count(request.genres.begin(), request.genres.end(), genre) == 1);
        for (const auto& genre : c.expected.exclude_genres) {
            CHECK(std::count(request.exclude_genres.begin(), request.exclude_genres.end(), genre) == 1);
        }
    }
}

TEST_CASE("parse_prompt never reads an artist or genre the mirror does not have", "[generate][prompt]") {
    const Vocabulary empty;
    const PlaylistRequest request = parse_prompt("no metal, songs by The Beatles, rainy jazz", empty);
    CHECK(request.genres.empty());
    CHECK(request.exclude_genres.empty());
    CHECK(request.artists.empty());
    CHECK(request.mood_query == "Beatles rainy jazz");
    CHECK(request.notes == std::vector<std::string>{"not understood: \"no metal\""});
}

TEST_CASE("synonyms map only to genres the mirror has, and never over a genre it has", "[generate][prompt]") {
    SECTION("the mirror's own 'Rap' wins over the synonym") {
        const Vocabulary vocab{{"Rap", "Hip-Hop"}, {}};
        CHECK(parse_prompt("rap", vocab).genres == std::vector<std::string>{"Rap"});
        CHECK(parse_prompt("hip hop", vocab).genres == std::vector<std::string>{"Hip-Hop"});
    }
    SECTION("edm maps to every electronic genre the mirror has") {
        const Vocabulary vocab{{"Electronica", "Dance"}, {}};
        CHECK(parse_prompt("edm", vocab).genres == std::vector<std::string>{"Electronica", "Dance"});
    }
    SECTION("no target genre: the word stays a mood word") {
        const Vocabulary vocab{{"Jazz"}, {}};
        const PlaylistRequest request = parse_prompt("rap", vocab);
        CHECK(request.genres.empty());
        CHECK(request.mood_query == "rap");
    }
    SECTION("names that fold the same all match") {
        const Vocabulary vocab{{"Hip-Hop", "Hip Hop", "hiphop"}, {}};
        CHECK(parse_prompt("hip-hop", vocab).genres == std::vector<std::string>{"Hip-Hop", "Hip Hop", "hiphop"});
    }
}

TEST_CASE("parse_prompt takes any byte string without failing", "[generate][prompt]") {
    // Fragments that start phrases, glued at random: half-finished phrases at the end, stray
    // punctuation, broken UTF-8.
    const std::vector<std::string> fragments{
        "no", "not", "by", "from", "between", "the", "late", "90s", "1975", "-", "\u2013", ",", "+", "and",
        "a", "an", "hour", "half", "dozen", "stars", "\u2605", "rated", "top", "20", "songs", "haven't",
        "played", "in", "the last", "jazz", "hip", "hop", "live", "studio", "only", "Beatles", "R.E.M.",
        "\xc3", "\xff", "\u00e9", "\u5b87", "'", "\u2019", "4.5", "1h", "30m", "or", "nothing", "after"};
    std::mt19937 random(42);  // fixed seed: the same strings on every run
    std::uniform_int_distribution<size_t> pick(0, fragments.size() - 1), length(0, 12), glue(0, 2);
    for (int round = 0; round < 2000; ++round) {
        std::string prompt;
        for (size_t n = length(random); n > 0; --n) {
            prompt += fragments[pick(random)];
            if (glue(random) != 0) prompt += ' ';
        }
        INFO("prompt: \"" << prompt << "\"");
        PlaylistRequest request;
        REQUIRE_NOTHROW(request = parse_prompt(prompt, test::mirror()));
        CHECK(request.min_rating <= kMaxRating);
        CHECK(request.track_count <= kMaxTrackCount);
        CHECK(request.duration_seconds <= kMaxDurationSeconds);
        for (size_t i = 0; i + 1 < request.years.size(); ++i) {
            REQUIRE(request.years[i].last);
            REQUIRE(request.years[i + 1].first);
            CHECK(*request.years[i].last + 1 < *request.years[i + 1].first);  // sorted, merged
        }
    }
}
