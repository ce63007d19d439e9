// parse_prompt() with the genre taxonomy: a table of prompts, each with the exact genres,
// exclusions and genre words it yields against a small realistic mirror; describe() of them.
#include <catch2/catch.hpp>

#include <algorithm>

#include "genre_fixture.hpp"
#include "support.hpp"

using namespace pmx::gen;

namespace {

using Names = std::vector<std::string>;

// A library's genres as a server tags them (no "Jazz Rock", no "Dancehall": the tree knows both).
const Vocabulary& compact() {
    static const Vocabulary vocab{
        {"Jazz", "Bebop", "Hard Bop", "Vocal Jazz", "Jazz Fusion", "Big Band", "Smooth Jazz", "Acid Jazz", "Rock",
         "Hard Rock", "Classic Rock", "Progressive Rock", "Psychedelic Rock", "Punk", "Post-Punk", "Alternative",
         "Indie Rock", "Rock & Roll", "Rockabilly", "Metal", "Death Metal", "Electronic", "House", "Deep House",
         "Techno", "Trance", "Ambient", "Drum & Bass", "Dubstep", "Trip Hop", "Synthpop", "Hip-Hop", "Rap",
         "Gangsta Rap", "R&B", "Soul", "Neo-Soul", "Funk", "Blues", "Delta Blues", "Country", "Bluegrass", "Americana",
         "Folk", "Indie Folk", "Classical", "Opera", "Baroque", "Pop", "K-Pop", "Dance-Pop", "Reggae", "Dub", "Ska",
         "Latin", "Bossa Nova", "Salsa", "Soundtrack", "Singer/Songwriter", "Rock/Pop", "Jazz; Blues", "Christmas",
         "Easy Listening", "Lounge", "Disco", "World"},
        {"Miles Davis", "Love", "Live", "Queen", "The Beatles", "Massive Attack", "Daft Punk", "Nina Simone"},
        &test::installed_taxonomy()};
    return vocab;
}

// What each broad genre means in that mirror, in the mirror's order: the tree's subgenres,
// aliases ("Alternative" is alternative rock) and names holding the word ("Jazz; Blues").
const Names kJazz{"Jazz", "Bebop", "Hard Bop", "Vocal Jazz", "Jazz Fusion", "Big Band", "Smooth Jazz", "Acid Jazz",
                  "Jazz; Blues"};
const Names kRock{"Rock", "Hard Rock", "Classic Rock", "Progressive Rock", "Psychedelic Rock", "Punk", "Post-Punk",
                  "Alternative", "Indie Rock", "Rock & Roll", "Metal", "Death Metal", "Rock/Pop"};
const Names kRockNoMetal{"Rock", "Hard Rock", "Classic Rock", "Progressive Rock", "Psychedelic Rock", "Punk",
                         "Post-Punk", "Alternative", "Indie Rock", "Rock & Roll", "Rock/Pop"};
const Names kElectronic{"Acid Jazz", "Electronic", "House", "Deep House", "Techno", "Trance", "Ambient",
                        "Drum & Bass", "Dubstep", "Trip Hop", "Synthpop", "Dance-Pop", "Disco"};
const Names kHipHop{"Hip-Hop", "Rap", "Gangsta Rap"};
const Names kRnb{"R&B", "Soul", "Neo-Soul", "Funk"};
const Names kMetal{"Metal", "Death Metal"};
const Names kPunk{"Punk", "Post-Punk"};
const Names kPop{"Pop", "K-Pop", "Dance-Pop", "Rock/Pop"};
const Names kReggae{"Reggae", "Dub", "Ska"};
const Names kClassical{"Classical", "Opera", "Baroque"};
const Names kCountry{"Rockabilly", "Country", "Bluegrass", "Americana"};
const Names kBlues{"Blues", "Delta Blues", "Jazz; Blues"};
const Names kLatin{"Latin", "Bossa Nova", "Salsa"};

Names operator+(Names a, const Names& b) {
    for (const auto& name : b) {
        if (std::find(a.begin(), a.end(), name) == a.end()) a.push_back(name);
    }
    return a;
}

Names without(Names a, const Names& b) {
    std::erase_if(a, [&](const std::string& name) { return std::find(b.begin(), b.end(), name) != b.end(); });
    return a;
}

GenreWord in(const char* word, const char* read_as, Names genres) { return {word, read_as, std::move(genres), false}; }
GenreWord out(const char* word, const char* read_as, Names genres) { return {word, read_as, std::move(genres), true}; }

struct Row {
    const char* prompt;
    Names genres, exclude_genres;
    std::vector<GenreWord> words;
};

// clang-format off
const Row kRows[] = {
    // Broad genres mean their subgenres.
    {"jazz", kJazz, {}, {in("jazz", "jazz", kJazz)}},
    {"jazz, rock", kJazz + kRock, {}, {in("jazz", "jazz", kJazz), in("rock", "rock", kRock)}},
    {"jazz, rock and soul", kJazz + kRock + Names{"Soul", "Neo-Soul"}, {},
     {in("jazz", "jazz", kJazz), in("rock", "rock", kRock), in("soul", "soul", {"Soul", "Neo-Soul"})}},
    {"blues or jazz", kBlues + kJazz, {}, {in("blues", "blues", kBlues), in("jazz", "jazz", kJazz)}},
    {"chill electronic, nothing after 2000", kElectronic, {}, {in("electronic", "electronic", kElectronic)}},
    {"I want some soul and funk from the 70s", {"Soul", "Neo-Soul", "Funk"}, {},
     {in("soul", "soul", {"Soul", "Neo-Soul"}), in("funk", "funk", {"Funk"})}},
    {"folk or americana", {"Folk", "Indie Folk", "Americana"}, {},
     {in("folk", "folk", {"Folk", "Indie Folk"}), in("americana", "americana", {"Americana"})}},
    {"2 hours of house", {"House", "Deep House"}, {}, {in("house", "house", {"House", "Deep House"})}},
    {"latin and bossa nova", kLatin, {}, {in("latin", "caribbean and latin american", kLatin),
                                          in("bossa nova", "bossa nova", {"Bossa Nova"})}},
    {"easy listening for the office", {"Easy Listening", "Lounge"}, {},
     {in("easy listening", "easy listening", {"Easy Listening", "Lounge"})}},
    {"HIP HOP", kHipHop, {}, {in("HIP HOP", "hip hop", kHipHop)}},
    // A narrow genre stays narrow; the longest phrase wins.
    {"some smooth jazz for a rainy evening", {"Smooth Jazz"}, {}, {in("smooth jazz", "smooth jazz", {"Smooth Jazz"})}},
    {"deep house for the morning commute", {"Deep House"}, {}, {in("deep house", "deep house", {"Deep House"})}},
    {"bossa nova on a sunday morning", {"Bossa Nova"}, {}, {in("bossa nova", "bossa nova", {"Bossa Nova"})}},
    {"I want some bebop and hard bop", {"Bebop", "Hard Bop"}, {},
     {in("bebop", "bebop", {"Bebop"}), in("hard bop", "hard bop", {"Hard Bop"})}},
    {"acid jazz and trip hop", {"Acid Jazz", "Trip Hop"}, {},
     {in("acid jazz", "acid jazz", {"Acid Jazz"}), in("trip hop", "trip hop", {"Trip Hop"})}},
    {"progressive rock from 1970 to 1975", {"Progressive Rock"}, {},
     {in("progressive rock", "progressive rock", {"Progressive Rock"})}},
    {"Rock & Roll", {"Rock & Roll"}, {}, {in("Rock & Roll", "rock and roll", {"Rock & Roll"})}},
    {"k-pop", {"K-Pop"}, {}, {in("k-pop", "k-pop", {"K-Pop"})}},
    // The tree knows "jazz rock"; this mirror has no such genre, so the words are read one by one.
    {"jazz rock", kJazz + kRock, {}, {in("jazz", "jazz", kJazz), in("rock", "rock", kRock)}},
    // Aliases.
    {"prog from the 70s", {"Progressive Rock"}, {}, {in("prog", "progressive rock", {"Progressive Rock"})}},
    {"psych rock", {"Psychedelic Rock"}, {}, {in("psych rock", "psychedelic rock", {"Psychedelic Rock"})}},
    {"dnb and dubstep", {"Drum & Bass", "Dubstep"}, {},
     {in("dnb", "drum and bass", {"Drum & Bass"}), in("dubstep", "dubstep", {"Dubstep"})}},
    {"drum n bass", {"Drum & Bass"}, {}, {in("drum n bass", "drum and bass", {"Drum & Bass"})}},
    {"d&b", {"Drum & Bass"}, {}, {in("d&b", "drum and bass", {"Drum & Bass"})}},
    {"trip-hop like massive attack", {"Trip Hop"}, {}, {in("trip-hop", "trip hop", {"Trip Hop"})}},
    {"hip-hop and r&b", kHipHop + kRnb, {},
     {in("hip-hop", "hip hop", kHipHop), in("r&b", "rhythm and blues", kRnb)}},
    {"rnb slow jams", kRnb, {}, {in("rnb", "rhythm and blues", kRnb)}},
    {"edm workout", kElectronic, {}, {in("edm", "electronic", kElectronic)}},
    {"electronica", kElectronic, {}, {in("electronica", "electronic", kElectronic)}},
    {"80s synth pop", {"Synthpop"}, {}, {in("synth pop", "synthpop", {"Synthpop"})}},
    {"sad indie", {"Indie Rock", "Indie Folk"}, {}, {in("indie", "Indie", {"Indie Rock", "Indie Folk"})}},
    {"punk", kPunk, {}, {in("punk", "punk rock", kPunk)}},
    {"big band swing", {"Big Band"}, {}, {in("big band", "swing", {"Big Band"}), in("swing", "swing", {"Big Band"})}},
    // Typos.
    {"psychadelic rock", {"Psychedelic Rock"}, {},
     {in("psychadelic rock", "psychedelic rock", {"Psychedelic Rock"})}},
    {"elektronic beats for coding", kElectronic, {}, {in("elektronic", "electronic", kElectronic)}},
    {"reggea vibes", kReggae, {}, {in("reggea", "reggae", kReggae)}},
    {"clasical piano", kClassical, {}, {in("clasical", "classical", kClassical)}},
    // Names the mirror has that the tree does not know.
    {"christmas music", {"Christmas"}, {}, {in("christmas", "Christmas", {"Christmas"})}},
    {"singer songwriter", {"Singer/Songwriter"}, {}, {in("singer songwriter", "Singer/Songwriter", {"Singer/Songwriter"})}},
    // Negated broad genres exclude every subgenre the mirror has.
    {"no rock", {}, kRock, {out("rock", "rock", kRock)}},
    {"no electronic", {}, kElectronic, {out("electronic", "electronic", kElectronic)}},
    {"no pop, no rock", {}, kPop + kRock, {out("pop", "pop", kPop), out("rock", "rock", kRock)}},
    {"no metal or punk", {}, kMetal + kPunk, {out("metal", "heavy metal", kMetal), out("punk", "punk rock", kPunk)}},
    {"80s rock but no metal", kRockNoMetal, kMetal, {in("rock", "rock", kRock), out("metal", "heavy metal", kMetal)}},
    {"jazz but no bebop", without(kJazz, {"Bebop"}), {"Bebop"}, {in("jazz", "jazz", kJazz), out("bebop", "bebop", {"Bebop"})}},
    {"rap, no gangsta rap", {"Hip-Hop", "Rap"}, {"Gangsta Rap"},
     {in("rap", "hip hop", kHipHop), out("gangsta rap", "gangsta rap", {"Gangsta Rap"})}},
    {"90s hip hop, no gangsta rap", {"Hip-Hop", "Rap"}, {"Gangsta Rap"},
     {in("hip hop", "hip hop", kHipHop), out("gangsta rap", "gangsta rap", {"Gangsta Rap"})}},
    {"classical without opera", {"Classical", "Baroque"}, {"Opera"},
     {in("classical", "classical", kClassical), out("opera", "opera", {"Opera"})}},
    {"country but not bluegrass", without(kCountry, {"Bluegrass"}), {"Bluegrass"},
     {in("country", "country", kCountry), out("bluegrass", "bluegrass", {"Bluegrass"})}},
    {"reggae, no ska", {"Reggae"}, {"Dub", "Ska"}, {in("reggae", "reggae", kReggae), out("ska", "ska", {"Dub", "Ska"})}},
    {"nothing by queen, no disco", {}, {"Disco"}, {out("disco", "disco", {"Disco"})}},
    // A genre the tree knows and the mirror lacks excludes nothing (the words stay a note).
    {"dub and reggae, no dancehall", {"Dub", "Reggae", "Ska"}, {},
     {in("dub", "dub", {"Dub"}), in("reggae", "reggae", kReggae)}},
    // Words that are no genre.
    {"love songs", {}, {}, {}},
    {"something jazzy", {}, {}, {}},
    {"rocky road trip", {}, {}, {}},
    {"music from the county fair", {}, {}, {}},
    {"songs by love", {}, {}, {}},
};
// clang-format on

}  // namespace

TEST_CASE("parse_prompt with the taxonomy yields the genres, exclusions and genre words of each prompt",
          "[generate][prompt][taxonomy]") {
    size_t checked = 0;
    for (const Row& row : kRows) {
        const PlaylistRequest request = parse_prompt(row.prompt, compact());
        INFO(row.prompt << " -> " << test::dump(request));
        CHECK(request.genres == row.genres);
        CHECK(request.exclude_genres == row.exclude_genres);
        CHECK(request.genre_words == row.words);
        ++checked;
    }
    CHECK(checked >= 40);
}

TEST_CASE("describe shows a genre word with the genres it became", "[generate][describe][taxonomy]") {
    CHECK(describe(parse_prompt("jazz but no bebop", compact())) ==
          "genres: jazz \u2192 8 genres (Jazz, Hard Bop, Vocal Jazz, \u2026) \u00b7 not: Bebop \u00b7 mood: jazz");
    CHECK(describe(parse_prompt("prog, no metal", compact())) ==
          "genres: prog \u2192 Progressive Rock \u00b7 not: metal \u2192 2 genres (Metal, Death Metal) \u00b7 mood: prog");
    CHECK(describe(parse_prompt("hip hop", compact())) ==
          "genres: hip hop \u2192 3 genres (Hip-Hop, Rap, Gangsta Rap) \u00b7 mood: hip hop");
}
