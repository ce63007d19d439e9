// The tag vocabulary's words in prompts: they rank, filter ("only piano") or exclude ("no
// vocals"), and never take a word the parser read as a genre or an artist.
#include <catch2/catch.hpp>

#include "generate/prompt.hpp"
#include "generate/prompt_tags.hpp"
#include "support.hpp"

using namespace pmx::gen;

namespace {

std::vector<std::string> tags_of(const std::string& prompt, TagWord::Use use) {
    std::vector<std::string> out;
    for (const TagWord& t : parse_prompt(prompt, test::mirror()).tags) {
        if (t.use == use) out.push_back(t.facet + ":" + t.term);
    }
    return out;
}

using V = std::vector<std::string>;

}  // namespace

TEST_CASE("tag words rank: moods, activities and instruments, synonyms read as their term", "[generate][prompt][tags]") {
    CHECK(tags_of("melancholic piano for a rainy day", TagWord::Use::rank) ==
          V{"mood:melancholic", "instrument:piano", "environment:rainy day"});
    CHECK(tags_of("somber sax at midnight", TagWord::Use::rank) ==
          V{"mood:melancholic", "instrument:saxophone", "environment:late night"});
    CHECK(tags_of("Workout bangers", TagWord::Use::rank) == V{"environment:workout"});
    CHECK(tags_of("songs for a road trip", TagWord::Use::rank) == V{"environment:road trip"});
    CHECK(tags_of("calm, piano", TagWord::Use::rank) == V{"mood:calm", "instrument:piano"});
    // The words stay mood words: they help keywords and vectors too.
    CHECK(parse_prompt("melancholic piano", test::mirror()).mood_query == "melancholic piano");
    CHECK(tags_of("songs from 1994", TagWord::Use::rank).empty());
}

TEST_CASE("tag words filter after only, purely, exclusively, before only, and just before an instrument",
          "[generate][prompt][tags]") {
    CHECK(tags_of("only piano", TagWord::Use::only) == V{"instrument:piano"});
    CHECK(tags_of("piano only, something calm", TagWord::Use::only) == V{"instrument:piano"});
    CHECK(tags_of("just acoustic guitar please", TagWord::Use::only) == V{"instrument:acoustic guitar"});
    CHECK(tags_of("exclusively relaxing music", TagWord::Use::only) == V{"mood:relaxing"});
    // "just chill" is a manner of speaking, not a filter.
    CHECK(tags_of("just chill vibes", TagWord::Use::only).empty());
    CHECK(tags_of("just chill vibes", TagWord::Use::rank) == V{"environment:chill"});
    // Said twice, the stronger reading stays.
    CHECK(tags_of("piano, only piano", TagWord::Use::only) == V{"instrument:piano"});
    CHECK(tags_of("piano, only piano", TagWord::Use::rank).empty());
}

TEST_CASE("negated tag words exclude instead of leaving a note", "[generate][prompt][tags]") {
    for (const char* prompt : {"without vocals", "no vocals please", "vocal-free focus music", "rock with no singing"}) {
        INFO(prompt);
        const PlaylistRequest r = parse_prompt(prompt, test::mirror());
        CHECK(tags_of(prompt, TagWord::Use::exclude) == V{"instrument:vocals"});
        CHECK(r.notes.empty());
        CHECK(r.mood_query.find("vocal") == std::string::npos);  // a negated word never pulls toward itself
    }
    CHECK(tags_of("no drums or bass", TagWord::Use::exclude) == V{"instrument:drums", "instrument:bass"});
    CHECK(tags_of("nothing sad", TagWord::Use::exclude) == V{"mood:sad"});
    // A negated phrase with a word outside the vocabulary stays a note, whole.
    const PlaylistRequest r = parse_prompt("without autotune or vocals", test::mirror());
    CHECK(r.tags.empty());
    CHECK(r.notes == V{"not understood: \"without autotune or vocals\""});
}

TEST_CASE("a word the parser read as a genre or an artist is not a tag word", "[generate][prompt][tags]") {
    // "heavy" is a mood, "heavy metal" the genre Metal; "dance" an activity and a genre.
    CHECK(tags_of("heavy metal", TagWord::Use::rank).empty());
    const PlaylistRequest jazz = parse_prompt("rainy sunday jazz", test::mirror());
    CHECK(jazz.genres == V{"Jazz"});
    CHECK(tags_of("rainy sunday jazz", TagWord::Use::rank) == V{"environment:rainy day"});
}

TEST_CASE("describe shows tag words with what they were read as", "[generate][prompt][tags]") {
    CHECK(describe(parse_prompt("somber piano, no vocals", test::mirror())) ==
          "tags: somber \u2192 melancholic, piano, not: vocals \u00b7 mood: somber piano");
}
