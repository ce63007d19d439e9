// Seeds in prompts: "songs like TITLE by ARTIST", "in the spirit of ARTIST", "similar to TITLE"
// become tracks and artists to sound like, never filters; liking verbs and hedges stay as before.
#include <catch2/catch.hpp>

#include "generate/prompt.hpp"
#include "generate/prompt_text.hpp"
#include "support.hpp"

using namespace pmx::gen;

namespace {

using V = std::vector<std::string>;

// The mirror of support.hpp, knowing a few titles.
const Vocabulary& with_titles() {
    static const Vocabulary vocab = [] {
        Vocabulary v = test::mirror();
        v.has_title = [](std::string_view title) {
            for (const char* known : {"Teardrop", "Blue in Green", "So What", "Summer", "Hey Jude"}) {
                if (title == known) return true;
            }
            return false;
        };
        return v;
    }();
    return vocab;
}

// "TITLE by ARTIST" or "ARTIST" for each seed.
V seeds_of(const PlaylistRequest& r) {
    V out;
    for (const SeedWord& s : r.seeds) {
        out.push_back(s.title.empty() ? s.artists.at(0) : s.title + (s.artists.empty() ? "" : " by " + s.artists.at(0)));
    }
    return out;
}

}  // namespace

TEST_CASE("seeds: a title by an artist of the mirror is a track to sound like, not an artist filter",
          "[generate][prompt][seeds]") {
    for (const char* prompt : {"songs like Hey Jude by the Beatles", "something similar to hey jude by beatles",
                               "music that sounds like Hey Jude by The Beatles", "more like Hey Jude by the beatles"}) {
        INFO(prompt);
        const PlaylistRequest r = parse_prompt(prompt, test::mirror());
        REQUIRE(r.seeds.size() == 1);
        CHECK(pmx::gen::fold_word(r.seeds[0].title.substr(0, 3)) == "hey");
        CHECK(r.seeds[0].artists == V{"The Beatles"});
        CHECK(r.artists.empty());
        CHECK(r.mood_query.find("jude") == std::string::npos);
        CHECK(r.mood_query.find("Jude") == std::string::npos);
        CHECK(r.notes.empty());
    }
    // The title is kept as typed (the mirror is searched for it when seeding).
    const PlaylistRequest r = parse_prompt("songs like No Woman No Cry by Queen", test::mirror());
    REQUIRE(r.seeds.size() == 1);
    CHECK(r.seeds[0].title == "No Woman No Cry");
    CHECK(r.seeds[0].artists == V{"Queen"});
    CHECK(r.exclude_artists.empty());  // "No" inside the title negates nothing
}

TEST_CASE("seeds: an artist after a cue is an artist to sound like", "[generate][prompt][seeds]") {
    CHECK(seeds_of(parse_prompt("a playlist in the spirit of Nina Simone", test::mirror())) == V{"Nina Simone"});
    CHECK(seeds_of(parse_prompt("stuff reminiscent of bjork", test::mirror())) == V{"Bj\u00f6rk"});
    CHECK(seeds_of(parse_prompt("music like Miles Davis and John Coltrane", test::mirror())) ==
          V{"Miles Davis", "John Coltrane"});
    CHECK(seeds_of(parse_prompt("like Metallica or like AC/DC", test::mirror())) == V{"Metallica", "AC/DC"});
    const PlaylistRequest r = parse_prompt("more like Metallica but softer, 15 songs from the 90s", test::mirror());
    CHECK(seeds_of(r) == V{"Metallica"});
    CHECK(r.artists.empty());
    CHECK(r.track_count == 15);
    REQUIRE(r.years.size() == 1);
    CHECK(r.years[0] == YearRange{1990, 1999});
    CHECK(r.mood_query == "softer");
}

TEST_CASE("seeds: the other constraints of the sentence still hold", "[generate][prompt][seeds]") {
    const PlaylistRequest r = parse_prompt("songs like Hey Jude by the Beatles, but no Beatles", test::mirror());
    CHECK(seeds_of(r) == V{"Hey Jude by The Beatles"});
    CHECK(r.exclude_artists == V{"The Beatles"});
    const PlaylistRequest by = parse_prompt("songs by Queen like Bohemian Rhapsody", test::mirror());
    CHECK(by.artists == V{"Queen"});  // "by Queen" before the cue is a filter, as always
}

TEST_CASE("seeds: liking verbs, hedges and genre words are not seeds", "[generate][prompt][seeds]") {
    const PlaylistRequest liked = parse_prompt("I like jazz", test::mirror());
    CHECK(liked.seeds.empty());
    CHECK(liked.genres == V{"Jazz"});
    const PlaylistRequest want = parse_prompt("I'd like 20 songs by Queen", test::mirror());
    CHECK(want.seeds.empty());
    CHECK(want.track_count == 20);
    CHECK(want.artists == V{"Queen"});
    const PlaylistRequest hedge = parse_prompt("something like 20 songs by Queen", test::mirror());
    CHECK(hedge.seeds.empty());
    CHECK(hedge.track_count == 20);
    CHECK(hedge.artists == V{"Queen"});
    const PlaylistRequest genre = parse_prompt("songs like jazz but louder", test::mirror());
    CHECK(genre.seeds.empty());
    CHECK(genre.genres == V{"Jazz"});
    // A band named Love after "like" is a seed only as a name: "feels like love" is a mood.
    CHECK(parse_prompt("songs that feel like rain", test::mirror()).seeds.empty());
}

TEST_CASE("seeds: a title alone is read only when the mirror has it", "[generate][prompt][seeds]") {
    CHECK(seeds_of(parse_prompt("similar to Teardrop", with_titles())) == V{"Teardrop"});
    const PlaylistRequest r = parse_prompt("songs like Blue in Green from the 50s", with_titles());
    CHECK(seeds_of(r) == V{"Blue in Green"});
    REQUIRE(r.years.size() == 1);
    CHECK(r.years[0] == YearRange{1950, 1959});
    CHECK(r.mood_query.find("Green") == std::string::npos);
    // Without the mirror's titles, or for a title the mirror lacks, the words stay mood words.
    const PlaylistRequest unknown = parse_prompt("similar to Teardrop", test::mirror());
    CHECK(unknown.seeds.empty());
    CHECK(unknown.mood_query.find("Teardrop") != std::string::npos);
    CHECK(parse_prompt("songs like Glory Box", with_titles()).seeds.empty());
    // One lowercase word is a mood, whatever the titles: "feels like summer".
    const PlaylistRequest summer = parse_prompt("something that feels like summer", with_titles());
    CHECK(summer.seeds.empty());
    CHECK(summer.mood_query.find("summer") != std::string::npos);
    CHECK(seeds_of(parse_prompt("songs like Summer", with_titles())) == V{"Summer"});
}
