// apply_overrides(): explicit options replace what the prompt said; bad values are OptionErrors.
// describe(): the one line of --explain.
#include <catch2/catch.hpp>

#include "genre_fixture.hpp"
#include "support.hpp"

using namespace pmx::gen;

namespace {

PlaylistRequest prompt_request() {
    return parse_prompt("rainy jazz from the 70s, no metal, 4 stars, 45 minutes, 20 songs, not played recently",
                        test::mirror());
}

PlaylistRequest with(const CliOptions& options) { return apply_overrides(prompt_request(), options, test::mirror()); }

}  // namespace

TEST_CASE("no options leave the parsed prompt as it was", "[generate][options]") {
    CHECK(with({}) == prompt_request());
}

TEST_CASE("each option replaces the prompt's value of its field", "[generate][options]") {
    CHECK(with({.limit = "50"}).track_count == 50);
    CHECK(with({.duration = "90"}).duration_seconds == 90 * 60);
    CHECK(with({.duration = "45m"}).duration_seconds == 45 * 60);
    CHECK(with({.duration = "1h30"}).duration_seconds == 90 * 60);
    CHECK(with({.duration = "2h"}).duration_seconds == 2 * 60 * 60);
    CHECK(with({.duration = "1.5h"}).duration_seconds == 90 * 60);
    CHECK(with({.year = "1990-1999"}).years == std::vector<YearRange>{{1990, 1999}});
    CHECK(with({.year = "1994"}).years == std::vector<YearRange>{{1994, 1994}});
    CHECK(with({.year = "80s"}).years == std::vector<YearRange>{{1980, 1989}});
    CHECK(with({.min_rating = "4.5"}).min_rating == 9);
    CHECK(with({.min_rating = "3"}).min_rating == 6);
    CHECK(with({.min_rating = "0"}).min_rating == 0);
    CHECK(with({.avoid_recent = "7"}).avoid_recent_days == 7);
    CHECK(with({.avoid_recent = "0"}).avoid_recent_days == 0);
    CHECK(with({.sources = {"home"}}).sources == std::vector<std::string>{"home"});
}

TEST_CASE("name options resolve to the mirror's spelling and win over the other side", "[generate][options]") {
    SECTION("--genre replaces the prompt's genres") {
        const PlaylistRequest request = with({.genres = {"hip hop", "bossa nova"}});
        CHECK(request.genres == std::vector<std::string>{"Hip-Hop", "Bossa Nova"});
        CHECK(request.exclude_genres == std::vector<std::string>{"Metal"});
    }
    SECTION("--genre of an excluded genre lifts the exclusion") {
        const PlaylistRequest request = with({.genres = {"metal"}});
        CHECK(request.genres == std::vector<std::string>{"Metal"});
        CHECK(request.exclude_genres.empty());
    }
    SECTION("--exclude-genre replaces the exclusions and removes the genre from the includes") {
        const PlaylistRequest request = with({.exclude_genres = {"JAZZ"}});
        CHECK(request.exclude_genres == std::vector<std::string>{"Jazz"});
        CHECK(request.genres.empty());
    }
    SECTION("--artist folds case and accents") {
        const PlaylistRequest request = with({.artists = {"beyonce", "beatles"}});
        CHECK(request.artists == std::vector<std::string>{"Beyonc\u00e9", "The Beatles"});
    }
    SECTION("the mood query is not touched") {
        CHECK(with({.genres = {"soul"}, .artists = {"Nina Simone"}}).mood_query == prompt_request().mood_query);
    }
}

TEST_CASE("the genre options: --genre expands like a genre word of the prompt and --genre-exact keeps one tag",
          "[generate][options][taxonomy]") {
    const Vocabulary vocab{test::mirror().genres, test::mirror().artists, &test::installed_taxonomy()};
    const PlaylistRequest prompt = parse_prompt("rainy jazz from the 70s, no metal", vocab);
    REQUIRE(prompt.genres == std::vector<std::string>{"Jazz", "Jazz Rock"});
    const auto with_vocab = [&](const CliOptions& options) { return apply_overrides(prompt, options, vocab); };

    SECTION("--genre rock: every rock genre of the mirror, and the word for --explain") {
        const PlaylistRequest request = with_vocab({.genres = {"rock"}});
        CHECK(request.genres == std::vector<std::string>{"Rock", "Metal", "Rock & Roll", "Punk", "Jazz Rock"});
        CHECK(request.exclude_genres.empty());  // "no metal" is lifted: metal is asked for explicitly
        CHECK(request.genre_words ==
              std::vector<GenreWord>{{"rock", "rock", {"Rock", "Metal", "Rock & Roll", "Punk", "Jazz Rock"}, false}});
    }
    SECTION("--genre-exact: the one mirror genre, folded, never its subgenres") {
        CHECK(with_vocab({.exact_genres = {"Rock"}}).genres == std::vector<std::string>{"Rock"});
        CHECK(with_vocab({.exact_genres = {"jazz"}}).genres == std::vector<std::string>{"Jazz"});
        CHECK(with_vocab({.exact_genres = {"hip hop", "r&b"}}).genres == std::vector<std::string>{"Hip-Hop", "R&B"});
        CHECK(with_vocab({.exact_genres = {"Rock"}}).genre_words ==
              std::vector<GenreWord>{{"metal", "heavy metal", {"Metal"}, true}});
    }
    SECTION("--genre and --genre-exact together replace the prompt's genres") {
        CHECK(with_vocab({.genres = {"punk", "soul"}, .exact_genres = {"Blues"}}).genres ==
              std::vector<std::string>{"Punk", "Soul", "Blues"});
    }
    SECTION("--exclude-genre expands too") {
        const PlaylistRequest request = with_vocab({.exclude_genres = {"jazz"}});
        CHECK(request.exclude_genres == std::vector<std::string>{"Jazz", "Jazz Rock"});
        CHECK(request.genres.empty());
        // The prompt's "jazz" lost all its genres and "no metal" was replaced: neither explains anything.
        CHECK(request.genre_words == std::vector<GenreWord>{{"jazz", "jazz", {"Jazz", "Jazz Rock"}, true}});
    }
    SECTION("a genre the mirror lacks is an error, also when the tree knows it") {
        using Catch::Matchers::Contains;
        CHECK_THROWS_WITH(with_vocab({.genres = {"zydeco"}}),
                          Contains("--genre: no genre \"zydeco\" in the library (read as zydeco)"));
        CHECK_THROWS_WITH(with_vocab({.exact_genres = {"Jazz Fusion"}}),
                          Contains("--genre-exact: no genre \"Jazz Fusion\" in the library"));
        CHECK_THROWS_WITH(with_vocab({.exact_genres = {"Jaz"}}), Contains("--genre-exact"));
    }
    SECTION("without a taxonomy --genre-exact works the same") {
        CHECK(with({.exact_genres = {"ROCK"}}).genres == std::vector<std::string>{"Rock"});
        CHECK(with({.genres = {"rock"}}).genres == std::vector<std::string>{"Rock"});
    }
}

TEST_CASE("bad option values are OptionErrors that name the option", "[generate][options]") {
    using Catch::Matchers::Contains;
    const auto fails = [](const CliOptions& options, const std::string& message) {
        INFO(message);
        CHECK_THROWS_WITH(with(options), Contains(message));
    };
    fails({.limit = "0"}, "--limit: expected a number of tracks from 1 to 1000, got \"0\"");
    fails({.limit = "1001"}, "--limit");
    fails({.limit = "ten"}, "--limit");
    fails({.limit = "-5"}, "--limit");
    fails({.duration = "soon"}, "--duration: expected minutes (90) or a length like 45m");
    fails({.duration = "0"}, "--duration");
    fails({.duration = "25h"}, "--duration");
    fails({.duration = "1h75"}, "--duration");
    fails({.year = "1999-1990"}, "--year: the range \"1999-1990\" ends before it starts");
    fails({.year = "1800"}, "--year: expected a year (1994)");
    fails({.year = "1990 1999"}, "--year");
    fails({.year = "nineties-ish"}, "--year");
    fails({.min_rating = "6"}, "--min-rating: expected stars from 0 to 5 in half stars");
    fails({.min_rating = "4.3"}, "--min-rating");
    fails({.min_rating = "-1"}, "--min-rating");
    fails({.avoid_recent = "-1"}, "--avoid-recent: expected a number of days from 0 to 3650");
    fails({.avoid_recent = "5000"}, "--avoid-recent");
    fails({.genres = {"jaz"}}, "--genre: no genre \"jaz\" in the library");
    fails({.exclude_genres = {"polka"}}, "--exclude-genre: no genre \"polka\" in the library");
    fails({.artists = {"Prince"}}, "--artist: no artist \"Prince\" in the library");
    fails({.sources = {""}}, "--source");
    CHECK_THROWS_AS(with({.limit = "0"}), OptionError);
}

TEST_CASE("describe renders a request as one short line", "[generate][describe]") {
    CHECK(describe({}) == "whole library");
    CHECK(describe(parse_prompt("rainy sunday jazz from the 80s and 90s, no metal, 4+ stars, 45 minutes",
                                test::mirror())) ==
          "years 1980\u20131999 \u00b7 genres: Jazz \u00b7 not: Metal \u00b7 \u2265 4\u2605 \u00b7 45 min \u00b7 "
          "tags: rainy \u2192 rainy day \u00b7 mood: rainy sunday jazz");
    CHECK(describe(parse_prompt("before 1970 or after 2010, 3.5 stars, an hour and a half, 12 songs, no live",
                                test::mirror())) ==
          "years \u2264 1969, \u2265 2011 \u00b7 \u2265 3.5\u2605 \u00b7 1 h 30 min \u00b7 12 tracks \u00b7 no live");
    CHECK(describe(apply_overrides(parse_prompt("unplayed by queen, nothing by live, not played in a week",
                                                test::mirror()),
                                   {.sources = {"home"}}, test::mirror())) ==
          "by: Queen \u00b7 not by: Live \u00b7 unplayed \u00b7 not played in 7 days \u00b7 sources: home");
    CHECK(describe(parse_prompt("1994, 2 hours", test::mirror())) == "years 1994 \u00b7 2 h");
}
