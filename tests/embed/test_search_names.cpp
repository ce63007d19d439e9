// The genres, artists and albums a query names: reading them (read_query_names) and finding
// their tracks in a real SQLite store (store/named_tracks.hpp).
#include <algorithm>
#include <set>

#include "embed_support.hpp"
#include "search/query_names.hpp"
#include "store/named_tracks.hpp"
#include "support/test_util.hpp"
#include "util/text.hpp"

using namespace pmx;
using namespace pmx::test;

namespace {

// A track of `artist` on `album` (album artist the same), with `genres`.
TrackRecord track_of(const std::string& key, const std::string& title, const std::string& artist,
                     const std::string& album, std::vector<std::string> genres) {
    TrackRecord t = make_track(key, title, std::move(genres));
    t.artist = artist;
    t.album_artist = artist;
    t.artist_key = "artist-" + artist;
    t.album = album;
    t.album_key = "album-" + artist + "-" + album;
    return t;
}

NameVocabulary vocabulary(std::vector<std::string> genres, std::vector<std::string> artists,
                          std::vector<std::string> albums) {
    return {std::move(genres), std::move(artists), std::move(albums)};
}

}  // namespace

TEST_CASE("a query's names: longest first, genre before artist before album, as typed", "[search][names]") {
    const auto vocab = vocabulary({"Jazz", "Soul", "Hip-Hop", "Rock"},
                                  {"Miles Davis", "Soul II Soul", "AC/DC", "Beyoncé", "The Beatles"},
                                  {"Jazz", "Kind of Blue", "The Wall", "Back in Black"});
    SECTION("a genre, an artist, other words between") {
        const auto names = read_query_names("rainy Jazz by MILES davis", vocab);
        REQUIRE(names.size() == 2);
        CHECK(names[0].field == NameField::genre);
        CHECK(names[0].name == "Jazz");
        CHECK(names[0].words == "Jazz");
        CHECK(names[1].field == NameField::artist);
        CHECK(names[1].name == "Miles Davis");
        CHECK(names[1].words == "MILES davis");
        CHECK(describe_names(names) == "genre Jazz \u00b7 artist Miles Davis");
    }
    SECTION("a genre beats an album of the same words; a longer artist beats a genre") {
        const auto jazz = read_query_names("jazz", vocab);
        REQUIRE(jazz.size() == 1);
        CHECK(jazz[0].field == NameField::genre);
        const auto soul = read_query_names("soul", vocab);
        REQUIRE(soul.size() == 1);
        CHECK(soul[0].field == NameField::genre);
        const auto band = read_query_names("soul ii soul", vocab);
        REQUIRE(band.size() == 1);
        CHECK(band[0].field == NameField::artist);
        CHECK(band[0].name == "Soul II Soul");
    }
    SECTION("case, accents, punctuation and words written together") {
        for (const char* q : {"beyonce", "BEYONCÉ", "Beyonce"}) {
            const auto names = read_query_names(q, vocab);
            REQUIRE(names.size() == 1);
            CHECK(names[0].name == "Beyoncé");
        }
        for (const char* q : {"ac dc", "acdc", "AC-DC", "ac/dc"}) {
            INFO(q);
            const auto names = read_query_names(q, vocab);
            REQUIRE(names.size() == 1);
            CHECK(names[0].field == NameField::artist);
            CHECK(names[0].name == "AC/DC");
        }
        const auto hiphop = read_query_names("hiphop", vocab);
        REQUIRE(hiphop.size() == 1);
        CHECK(hiphop[0].name == "Hip-Hop");
    }
    SECTION("albums: whole titles, with their leading The; artists without it") {
        const auto kind = read_query_names("kind of blue", vocab);
        REQUIRE(kind.size() == 1);
        CHECK(kind[0].field == NameField::album);
        CHECK(kind[0].name == "Kind of Blue");
        CHECK(read_query_names("wall", vocab).empty());
        const auto wall = read_query_names("the wall", vocab);
        REQUIRE(wall.size() == 1);
        CHECK(wall[0].name == "The Wall");
        const auto beatles = read_query_names("beatles", vocab);
        REQUIRE(beatles.size() == 1);
        CHECK(beatles[0].name == "The Beatles");
        CHECK(read_query_names("kind of", vocab).empty());
    }
    SECTION("nothing named, a name read once") {
        CHECK(read_query_names("rainy night piano", vocab).empty());
        CHECK(read_query_names("", vocab).empty());
        CHECK(read_query_names("jazz, JAZZ", vocab).size() == 1);
    }
}

TEST_CASE("album titles and the tracks of a name come from the mirror, NOCASE", "[search][names]") {
    auto store = Store::open_in_memory();
    const int64_t server =
        add_tracks(*store, {track_of("1", "So What", "Miles Davis", "Kind of Blue", {"Jazz"}),
                            track_of("2", "Blue in Green", "Miles Davis", "Kind of Blue", {"Jazz", "Modal"}),
                            track_of("3", "Hells Bells", "AC/DC", "Back in Black", {"Rock"}),
                            track_of("4", "Kind of Blue", "Cover Band", "KIND OF BLUE", {"Rock"})});
    CHECK(mirror_server_ids(*store) == std::vector<int64_t>{server});
    auto titles = album_titles(*store, {server});
    REQUIRE(titles.size() == 2);  // "Kind of Blue" and "KIND OF BLUE" fold alike
    std::sort(titles.begin(), titles.end());
    CHECK(titles[0] == "Back in Black");
    CHECK(equal_ascii_nocase(titles[1], "kind of blue"));
    CHECK(album_titles(*store, {}).empty());

    const auto titles_of = [](const std::vector<NamedTrack>& tracks) {
        std::set<std::string> named;
        for (const auto& t : tracks) named.insert(t.title);
        return named;
    };
    CHECK(titles_of(tracks_named(*store, {server}, NameField::genre, {"jazz"})) ==
          std::set<std::string>{"So What", "Blue in Green"});
    CHECK(titles_of(tracks_named(*store, {server}, NameField::genre, {"Modal", "Rock"})) ==
          std::set<std::string>{"Blue in Green", "Hells Bells", "Kind of Blue"});
    CHECK(titles_of(tracks_named(*store, {server}, NameField::artist, {"ac/dc"})) ==
          std::set<std::string>{"Hells Bells"});
    CHECK(titles_of(tracks_named(*store, {server}, NameField::album, {"Kind of Blue"})) ==
          std::set<std::string>{"So What", "Blue in Green", "Kind of Blue"});
    CHECK(tracks_named(*store, {server}, NameField::album, {"Kind"}).empty());
    CHECK(tracks_named(*store, {server + 1}, NameField::genre, {"Jazz"}).empty());
    CHECK(tracks_named(*store, {server}, NameField::genre, {}).empty());
}
