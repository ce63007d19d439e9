// `plexmix create` against a realistic library (~2,900 tracks, real-world genre tags as Plex
// serves them): for prompts typed as people type them, every track of the answer is held to
// every constraint of the prompt, using the test's own ground truth (realistic_library.hpp),
// never the engine's reading. Also: the same prompt gives the same list; --strict refuses a
// prompt with a phrase nothing can apply.
#include <set>

#include "create/realistic_check.hpp"

namespace rl = pmx::test::realistic;
using rl::Case;
using rl::Expect;
using rl::Years;

namespace {

void run_cases(const std::vector<Case>& cases) {
    for (const Case& c : cases) {
        DYNAMIC_SECTION(c.prompt) { rl::check_case(c); }
    }
}

// "last month" on 2025-06-15: May (the calendar month) or the last 30 days; surely both
// from May 16 to May 31, possibly from April 30 to now.
rl::Window last_month() {
    return {rl::kNow - 30 * rl::kDay + rl::kDay, rl::kJune2025 - rl::kDay, rl::kMay2025 - rl::kDay, rl::kNow};
}

// "this year": since 2025-01-01, give or take a day (time zones).
rl::Window this_year() { return {rl::kYear2025 + rl::kDay, rl::kNow, rl::kYear2025 - rl::kDay, rl::kNow}; }

constexpr int kFiveStars = 10, kFourStars = 8, kFourAndAHalf = 9, kThreeStars = 6;
constexpr Years kSixties{1960, 1969}, kSeventies{1970, 1979}, kNineties{1990, 1999};

}  // namespace

TEST_CASE("realistic: the ground truth matches what the fake serves and the mirror holds", "[realistic]") {
    const auto& world = rl::World::get();
    size_t live = 0, rated = 0, played = 0, no_year = 0;
    std::set<std::string> artists, tags;
    for (const auto& t : world.truth()) {
        live += t.live;
        rated += t.rating > 0;
        played += t.plays > 0;
        no_year += !t.year;
        artists.insert(t.artist);
        for (const auto& tag : t.tags) tags.insert(tag);
        INFO(rl::describe(t));
        CHECK_FALSE(t.families.core.empty());  // every tag is in the test's map
    }
    INFO(world.truth().size() << " tracks, " << artists.size() << " artists, " << tags.size() << " tags");
    CHECK(world.truth().size() >= 1500);
    CHECK(world.truth().size() <= 3000);
    CHECK(artists.size() >= 150);
    CHECK(live > 20);
    CHECK(rated > world.truth().size() / 4);
    CHECK(played > world.truth().size() / 2);
    CHECK(no_year > 10);

    // A wide create: every track it returns is checked field by field against the truth
    // (check() reports "the mirror's record … differs from the truth").
    const rl::Answer a = rl::check({"whatever you like, 500 tracks", {.count = 500}});
    INFO(rl::join(a.problems, "\n"));
    CHECK(a.keys.size() >= 400);  // most of the library's artists, each track compared
    CHECK(a.problems.empty());
}

TEST_CASE("realistic: a genre word means the whole family of its subgenres", "[realistic][genre]") {
    run_cases({
        {"50 jazz tracks for a slow sunday morning", {.count = 50, .families = {"jazz"}}},
        {"Put together some rock for the drive to work, 60 songs", {.count = 60, .families = {"rock"}}},
        {"four hours of electronic music", {.minutes = 240, .families = {"electronic"}}},
        {"give me 30 hip hop songs", {.count = 30, .families = {"hip hop"}}},
        {"Soul and Funk — 30 tracks", {.count = 30, .families = {"soul", "funk"}}},
        {"metal. 12 tracks. LOUD.", {.count = 12, .families = {"metal"}}},
        {"a 3.5 hour classical playlist for studying", {.minutes = 210, .families = {"classical"}}},
        {"something latin to cook to, 18 songs", {.count = 18, .families = {"latin"}}},
    });
}

TEST_CASE("realistic: abbreviations and misspellings of genres", "[realistic][genre][spelling]") {
    run_cases({
        {"prog epics, 10 tracks", {.count = 10, .families = {"prog"}}},
        {"some psych for tonight - 12 songs", {.count = 12, .families = {"psychedelic"}}},
        {"dnb to run to, 10 tracks", {.count = 10, .families = {"dnb"}}},
        {"15 rnb slow jams", {.count = 15, .families = {"r&b"}}},
        {"trip-hop for a rainy afternoon, 8 songs", {.count = 8, .families = {"trip hop"}}},
        {"psychadellic rock from the 60s, 10 tracks", {.count = 10, .years = {kSixties}, .families = {"psychedelic"}}},
        {"electronica, 45 min", {.minutes = 45, .families = {"electronic"}}},
        {"12 bossanova songs", {.count = 12, .families = {"bossa nova"}}},
        {"20 hiphop bangers", {.count = 20, .families = {"hip hop"}}},
    });
}

TEST_CASE("realistic: negations leave out what they name", "[realistic][negation]") {
    run_cases({
        {"anything but metal, 20 tracks", {.count = 20, .not_families = {"metal"}}},
        {"everything except jazz — 25 songs please", {.count = 25, .not_families = {"jazz"}}},
        {"chill music for reading, no electronic please. 15 tracks", {.count = 15, .not_families = {"electronic"}}},
        {"a country-free road trip mix of 20 songs", {.count = 20, .not_families = {"country"}}},
        {"25 rock songs, nothing by Queen", {.count = 25, .families = {"rock"}, .not_artists = {"Queen"}}},
        {"some 80s music without any synthpop, 20 songs",
         {.count = 20, .years = {{1980, 1989}}, .not_families = {"synthpop"}}},
        {"20 tracks, no jazz and no blues", {.count = 20, .not_families = {"jazz", "blues"}}},
        {"Alternative rock but nothing by Radiohead or Nirvana, 15 tracks",
         {.count = 15, .families = {"alternative"}, .not_artists = {"Radiohead", "Nirvana"}}},
    });
}

TEST_CASE("realistic: numbers stay in their clause", "[realistic][numbers]") {
    run_cases({
        {"15 tracks, no more than two songs per artist", {.count = 15, .per_artist = 2}},
        {"10 five-star tracks", {.count = 10, .min_rating = kFiveStars}},
        {"30 songs from the 90s, at most 2 by the same artist",
         {.count = 30, .years = {kNineties}, .per_artist = 2}},
        {"20 tracks rated 4 stars or more", {.count = 20, .min_rating = kFourStars}},
        {"8 bebop tracks from the 50s, three per artist max",
         {.count = 8, .years = {{1950, 1959}}, .families = {"bebop"}, .per_artist = 3}},
        {"25 songs, 2 per album at most, nothing from the 2010s",
         {.count = 25, .not_years = {{2010, 2019}}, .per_album = 2}},
    });
}

TEST_CASE("realistic: caps per artist and per album", "[realistic][caps]") {
    run_cases({
        {"10 punk tracks, max 2 per artist", {.count = 10, .families = {"punk"}, .per_artist = 2}},
        {"one song per artist: 12 soul classics", {.count = 12, .families = {"soul"}, .per_artist = 1}},
        {"a jazz mix, 20 tracks, no artist twice", {.count = 20, .families = {"jazz"}, .per_artist = 1}},
        {"at most 3 from any album, 24 blues tracks", {.count = 24, .families = {"blues"}, .per_album = 3}},
        {"10 reggae tracks - only one track per album", {.count = 10, .families = {"reggae"}, .per_album = 1}},
    });
}

TEST_CASE("realistic: a named artist lifts that artist's caps", "[realistic][artist]") {
    run_cases({
        {"40 songs by Miles Davis", {.count = 40, .artists = {"Miles Davis"}}},
        {"20 Radiohead songs", {.count = 20, .artists = {"Radiohead"}}},
        {"give me 25 tracks by Bob Dylan", {.count = 25, .artists = {"Bob Dylan"}}},
        {"20 tracks of Johnny Cash", {.count = 20, .artists = {"Johnny Cash"}}},
        {"50 songs by Nick Drake", {.count = 50, .artists = {"Nick Drake"}}},
        {"Miles Davis and John Coltrane, 30 tracks", {.count = 30, .artists = {"Miles Davis", "John Coltrane"}}},
    });
}

TEST_CASE("realistic: year ranges however they are written", "[realistic][years]") {
    run_cases({
        {"20 rock songs from 65 to 75", {.count = 20, .years = {{1965, 1975}}, .families = {"rock"}}},
        {"rock from '85-'92, 15 tracks", {.count = 15, .years = {{1985, 1992}}, .families = {"rock"}}},
        {"15 songs from the early 2000s", {.count = 15, .years = {{2000, 2003, 1}}}},
        {"mid-nineties hip hop, 10 tracks", {.count = 10, .years = {{1994, 1996, 1}}, .families = {"hip hop"}}},
        {"The Noughties: 20 indie tracks", {.count = 20, .years = {{2000, 2009}}, .families = {"indie"}}},
        {"music from the 1960s and 1970s, 30 tracks", {.count = 30, .years = {{1960, 1979}}}},
        {"nothing after 1980 - 20 jazz tracks", {.count = 20, .years = {{1900, 1980}}, .families = {"jazz"}}},
        {"songs recorded before 1970, 20 of them", {.count = 20, .years = {{1900, 1969}}}},
    });
}

TEST_CASE("realistic: when the tracks were last played, relative to --now", "[realistic][recency]") {
    run_cases({
        {"nothing I've played in the past three years, 20 tracks", {.count = 20, .not_played = rl::last_days(3 * 365)}},
        {"stuff I haven't listened to this year, 25 songs", {.count = 25, .not_played = this_year()}},
        {"songs I played last month, 15 tracks", {.count = 15, .played = last_month()}},
        {"20 tracks I've never played", {.count = 20, .unplayed = true}},
        {"jazz I haven't heard in 2 years, 15 tracks",
         {.count = 15, .families = {"jazz"}, .not_played = rl::last_days(2 * 365)}},
        {"tracks I've listened to in the last 90 days, 20 of them", {.count = 20, .played = rl::last_days(90)}},
    });
}

TEST_CASE("realistic: ratings", "[realistic][rating]") {
    run_cases({
        {"20 songs rated at least 4 stars", {.count = 20, .min_rating = kFourStars}},
        {"my 4.5 star stuff and up, 10 tracks", {.count = 10, .min_rating = kFourAndAHalf}},
        {"15 highly rated rock songs", {.count = 15, .families = {"rock"}, .min_rating = kFourStars}},
        {"12 tracks with 3+ stars from the seventies", {.count = 12, .years = {kSeventies}, .min_rating = kThreeStars}},
    });
}

TEST_CASE("realistic: live recordings left out", "[realistic][live]") {
    run_cases({
        {"25 rock songs, no live recordings", {.count = 25, .families = {"rock"}, .no_live = true}},
        {"studio versions only: 20 jazz tracks", {.count = 20, .families = {"jazz"}, .no_live = true}},
        {"30 songs, skip the live stuff", {.count = 30, .no_live = true}},
        {"no live albums, 20 blues tracks", {.count = 20, .families = {"blues"}, .no_live = true}},
    });
}

TEST_CASE("realistic: durations", "[realistic][duration]") {
    run_cases({
        {"45 minutes of jazz, nothing after 1970", {.minutes = 45, .years = {{1900, 1970}}, .families = {"jazz"}}},
        {"90 minutes of rock for a long drive", {.minutes = 90, .families = {"rock"}}},
        {"a two hour mix of 60s and 70s soul", {.minutes = 120, .years = {{1960, 1979}}, .families = {"soul"}}},
        {"half an hour of ambient", {.minutes = 30, .families = {"ambient"}}},
    });
}

TEST_CASE("realistic: many constraints in one sentence", "[realistic][combined]") {
    run_cases({
        {"12 jazz tracks from the 60s, no live recordings, max 2 per artist, rated 3 stars or more",
         {.count = 12, .years = {kSixties}, .families = {"jazz"}, .per_artist = 2, .min_rating = kThreeStars,
          .no_live = true}},
        {"40 minutes of deep house I haven't played this year",
         {.minutes = 40, .families = {"deep house"}, .not_played = this_year()}},
        {"Give me 15 songs from the 70s — no disco, nothing by ABBA, one per artist",
         {.count = 15, .years = {kSeventies}, .not_families = {"disco"}, .not_artists = {"ABBA"}, .per_artist = 1}},
        {"an hour of 90s alternative rock i haven't played in the last 6 months, no live stuff",
         {.minutes = 60, .years = {kNineties}, .families = {"alternative"}, .no_live = true,
          .not_played = rl::last_days(182)}},
    });
}

TEST_CASE("realistic: the same prompt on the same mirror gives the same playlist", "[realistic][determinism]") {
    for (const std::string prompt : {"50 jazz tracks for a slow sunday morning", "an hour of electronic music",
                                     "anything but metal, 20 tracks", "15 songs from the early 2000s"}) {
        DYNAMIC_SECTION(prompt) {
            const rl::Answer first = rl::check({prompt, {}});
            const rl::Answer second = rl::check({prompt, {}});
            REQUIRE(first.code == 0);
            REQUIRE(second.code == 0);
            CHECK_FALSE(first.keys.empty());
            CHECK(first.keys == second.keys);
        }
    }
}

TEST_CASE("realistic: --strict refuses a prompt with a phrase nothing can apply", "[realistic][strict]") {
    const auto& world = rl::World::get();
    SECTION("an unknown thing to leave out") {
        const auto run = world.create("20 jazz tracks, no kazoo solos", "--strict");
        INFO(run.out << run.err);
        CHECK(run.code == 1);
        CHECK_THAT(run.err, Catch::Contains("kazoo solos"));
    }
    SECTION("a constraint on something the library does not know") {
        const auto run = world.create("15 rock songs without autotune", "--strict");
        INFO(run.out << run.err);
        CHECK(run.code == 1);
        CHECK_THAT(run.err, Catch::Contains("without autotune"));
    }
    SECTION("a tag to exclude in a library nobody has tagged yet") {
        const auto run = world.create("15 rock songs without vocals", "--strict");
        INFO(run.out << run.err);
        CHECK(run.code == 1);
        CHECK_THAT(run.err, Catch::Contains("\"not: vocals\" needs tags") && Catch::Contains("plexmix tags generate"));
    }
    SECTION("a prompt fully understood passes --strict") {
        const auto run = world.create("10 jazz tracks from the 60s", "--strict");
        INFO(run.out << run.err);
        CHECK(run.code == 0);
    }
}
