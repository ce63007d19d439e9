// Search ranks the tracks of the genres, artists and albums a query names first: reading the
// names (read_query_names), finding their tracks (store/named_tracks.hpp) and the tiers of
// hybrid_search, over real SQLite stores and the SDK's toy embedder.
#include <algorithm>
#include <filesystem>
#include <set>

#include "embed/embed_pass.hpp"
#include "embed/model_index.hpp"
#include "embed_support.hpp"
#include "search/hybrid_search.hpp"
#include "search/query_names.hpp"
#include "store/embeddings_store.hpp"
#include "store/named_tracks.hpp"
#include "support/test_util.hpp"
#include "util/text.hpp"

namespace fs = std::filesystem;
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

void embed_all(Store& store, Provider& embedder, const fs::path& data_dir) {
    static CancelToken never;
    EmbedOptions options;
    options.index_dir = vectors_dir(data_dir);
    options.cancel = &never;
    REQUIRE(embed_tracks(store, embedder, options).ok());
}

SearchOptions options_for(const fs::path& data_dir, size_t limit) {
    SearchOptions options;
    options.limit = limit;
    options.index_dir = vectors_dir(data_dir);
    return options;
}

// How many of the first hits have `pred`, counting until the first that has not.
template <typename Pred>
size_t leading(const SearchResult& result, Pred pred) {
    size_t n = 0;
    while (n < result.hits.size() && pred(result.hits[n].track)) ++n;
    return n;
}

bool has_genre(const TrackRow& t, const std::string& genre) {
    std::string_view rest = t.genres;
    while (!rest.empty()) {
        const size_t at = rest.find("; ");
        if (rest.substr(0, at) == genre) return true;
        if (at == std::string_view::npos) break;
        rest.remove_prefix(at + 2);
    }
    return false;
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
    SECTION("names made of a query's own words count only as the whole query") {
        const auto words = vocabulary({"Jazz"}, {"A", "The The"}, {"Music"});
        const auto jazz = read_query_names("jazz music for a rainy day", words);
        REQUIRE(jazz.size() == 1);
        CHECK(jazz[0].name == "Jazz");
        const auto band = read_query_names("a", words);
        REQUIRE(band.size() == 1);
        CHECK(band[0].field == NameField::artist);
        CHECK(band[0].name == "A");
        const auto the_the = read_query_names("The The", words);
        REQUIRE(the_the.size() == 1);
        CHECK(the_the[0].name == "The The");
        const auto album = read_query_names("MUSIC", words);
        REQUIRE(album.size() == 1);
        CHECK(album[0].field == NameField::album);
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

TEST_CASE("search: a one-word genre query returns every track of the genre first, beyond the rankings' depth",
          "[search][names]") {
    TempDir dir;
    auto store = Store::open(dir / "plexmix.db");
    constexpr size_t kJazz = 50, kNeighbours = 320, kFiller = 600, kLimit = 60;
    std::vector<TrackRecord> tracks;
    // Neighbours that say "jazz" more than the Jazz tracks do: both rankings prefer them, and
    // there are more of them than either ranking's depth (5 per result shown).
    for (size_t i = 0; i < kNeighbours; ++i) {
        tracks.push_back(make_track("n" + std::to_string(i), "Jazz Jazz Jazz " + std::to_string(i), {"Metal"}));
    }
    for (size_t i = 0; i < kJazz; ++i) {
        TrackRecord t = make_track("j" + std::to_string(i), "Song " + std::to_string(100 + i), {"Jazz"});
        if (i < 3) {  // rated: first among the tracks neither ranking reached
            t.has |= PMX_TRACK_HAS_RATING;
            t.user_rating = static_cast<int32_t>(6 + i);
        }
        tracks.push_back(std::move(t));
    }
    for (size_t i = 0; i < kFiller; ++i)
        tracks.push_back(make_track("f" + std::to_string(i), "Tune " + std::to_string(i), {"Metal"}));
    add_tracks(*store, tracks);
    auto toy = embedder_provider(PMX_TOY_EMBEDDER, {});
    embed_all(*store, *toy, dir.path());

    for (Provider* embedder : {toy.get(), static_cast<Provider*>(nullptr)}) {
        INFO((embedder ? "hybrid" : "keywords only"));
        const SearchResult result = hybrid_search(*store, "jazz", embedder, options_for(dir.path(), kLimit));
        REQUIRE(result.names.size() == 1);
        CHECK(result.names[0].field == NameField::genre);
        REQUIRE(result.hits.size() == kLimit);
        CHECK(leading(result, [](const TrackRow& t) { return has_genre(t, "Jazz"); }) == kJazz);
        for (size_t i = 0; i < kJazz; ++i) CHECK(result.hits[i].matched == std::vector<size_t>{0});
        // Then the neighbours, in the fused order.
        for (size_t i = kJazz; i < kLimit; ++i) {
            CHECK(result.hits[i].track.title.starts_with("Jazz Jazz Jazz"));
            CHECK(result.hits[i].matched.empty());
            CHECK(result.hits[i].score > 0);
        }
        // The scene this test sets: some Jazz tracks reached neither ranking, and come by
        // rating, then title.
        const auto unreached = std::find_if(result.hits.begin(), result.hits.end(),
                                            [](const SearchHit& h) { return !h.keyword_rank && !h.vector_rank; });
        REQUIRE(unreached != result.hits.end());
        const size_t first = static_cast<size_t>(unreached - result.hits.begin());
        CHECK(first < kJazz);
        for (size_t i = first; i < kJazz; ++i) {
            CHECK_FALSE(result.hits[i].keyword_rank);
            CHECK_FALSE(result.hits[i].vector_rank);
            CHECK(result.hits[i].score == 0);
        }
        REQUIRE(first + 3 < kJazz);
        CHECK(result.hits[first].track.title == "Song 102");  // rated 8 of 10
        CHECK(result.hits[first + 1].track.title == "Song 101");
        CHECK(result.hits[first + 2].track.title == "Song 100");
        for (size_t i = first + 4; i < kJazz; ++i) CHECK(result.hits[i - 1].track.title < result.hits[i].track.title);
    }
}

TEST_CASE("search: an artist's tracks first, ordered by the query's other words", "[search][names]") {
    TempDir dir;
    auto store = Store::open(dir / "plexmix.db");
    std::vector<TrackRecord> tracks;
    constexpr size_t kMiles = 30;
    for (size_t i = 0; i < kMiles; ++i) {
        const std::string title = i == 7 ? "Blue in Green" : i == 19 ? "Blues by Five" : "Take " + std::to_string(i);
        tracks.push_back(
            track_of("m" + std::to_string(i), title, "Miles Davis", "Sessions " + std::to_string(i / 10), {"Jazz"}));
    }
    // Tracks that say "blue" (and "miles") more: before this change they outranked his.
    for (size_t i = 0; i < 40; ++i) {
        tracks.push_back(track_of("b" + std::to_string(i), "Blue Blue Miles Blue " + std::to_string(i),
                                  "Blue Cover Band", "Blue Blue", {"Pop"}));
    }
    for (size_t i = 0; i < 100; ++i) {
        tracks.push_back(track_of("f" + std::to_string(i), "Tune " + std::to_string(i),
                                  "Other " + std::to_string(i % 7), "Things", {"Rock"}));
    }
    add_tracks(*store, tracks);
    auto toy = embedder_provider(PMX_TOY_EMBEDDER, {});
    embed_all(*store, *toy, dir.path());

    for (Provider* embedder : {toy.get(), static_cast<Provider*>(nullptr)}) {
        INFO((embedder ? "hybrid" : "keywords only"));
        const SearchResult result = hybrid_search(*store, "miles davis blue", embedder, options_for(dir.path(), 40));
        REQUIRE(result.names.size() == 1);
        CHECK(result.names[0].field == NameField::artist);
        CHECK(result.names[0].name == "Miles Davis");
        REQUIRE(result.hits.size() == 40);
        CHECK(leading(result, [](const TrackRow& t) { return t.artist == "Miles Davis"; }) == kMiles);
        // "blue" orders his tracks: the one that says it first.
        CHECK(result.hits[0].track.title == "Blue in Green");
        CHECK(result.hits[kMiles].track.artist == "Blue Cover Band");
    }
}

TEST_CASE("search: a genre with other words, and a genre with an artist (both first, then either)", "[search][names]") {
    TempDir dir;
    auto store = Store::open(dir / "plexmix.db");
    std::vector<TrackRecord> tracks;
    for (size_t i = 0; i < 20; ++i) {
        tracks.push_back(track_of("j" + std::to_string(i),
                                  i == 11 ? "Piano on a Rainy Night" : "Standard " + std::to_string(i),
                                  "Quartet " + std::to_string(i % 4), "Live at the Club", {"Jazz"}));
    }
    for (size_t i = 0; i < 6; ++i) {
        tracks.push_back(track_of("m" + std::to_string(i), "Take " + std::to_string(i), "Miles Davis", "Sessions",
                                  {i < 2 ? "Jazz" : "Fusion"}));
    }
    // Piano music that is not Jazz, saying "piano" and "rainy" more; and a library around
    // them, so that those words are rare enough to weigh (bm25).
    for (size_t i = 0; i < 30; ++i) {
        tracks.push_back(track_of("p" + std::to_string(i), "Rainy Piano Rainy Piano " + std::to_string(i), "Pianist",
                                  "Rain", {"Classical"}));
    }
    for (size_t i = 0; i < 200; ++i) {
        tracks.push_back(track_of("f" + std::to_string(i), "Tune " + std::to_string(i),
                                  "Other " + std::to_string(i % 9), "Things", {"Rock"}));
    }
    add_tracks(*store, tracks);
    auto toy = embedder_provider(PMX_TOY_EMBEDDER, {});
    embed_all(*store, *toy, dir.path());
    const auto opts = options_for(dir.path(), 30);

    SECTION("a genre and other words: the genre's tracks first, the words order them") {
        const SearchResult result = hybrid_search(*store, "rainy jazz piano", toy.get(), opts);
        REQUIRE(result.names.size() == 1);
        CHECK(result.names[0].words == "jazz");
        CHECK(leading(result, [](const TrackRow& t) { return has_genre(t, "Jazz"); }) == 22);
        CHECK(result.hits[0].track.title == "Piano on a Rainy Night");
        CHECK(result.hits[22].track.artist == "Pianist");
    }
    SECTION("a genre and an artist: tracks with both, then tracks with either, then the rest") {
        const SearchResult result = hybrid_search(*store, "miles davis jazz", toy.get(), opts);
        REQUIRE(result.names.size() == 2);
        CHECK(describe_names(result.names) == "artist Miles Davis \u00b7 genre Jazz");
        REQUIRE(result.hits.size() == 30);
        for (size_t i = 0; i < 2; ++i) {
            CHECK(result.hits[i].track.artist == "Miles Davis");
            CHECK(result.hits[i].matched == std::vector<size_t>{0, 1});
        }
        // Then his Fusion tracks and the other Jazz tracks, 4 + 20, each with one name.
        for (size_t i = 2; i < 26; ++i) {
            INFO(i << ": " << result.hits[i].track.title);
            CHECK((result.hits[i].track.artist == "Miles Davis" || has_genre(result.hits[i].track, "Jazz")));
            CHECK(result.hits[i].matched.size() == 1);
        }
        for (size_t i = 26; i < 30; ++i) CHECK(result.hits[i].matched.empty());
    }
}

TEST_CASE("search: an album title, and names spelled in another case, without accents or punctuation",
          "[search][names]") {
    TempDir dir;
    auto store = Store::open(dir / "plexmix.db");
    std::vector<TrackRecord> tracks;
    for (size_t i = 0; i < 8; ++i)
        tracks.push_back(
            track_of("k" + std::to_string(i), "Cut " + std::to_string(i), "Miles Davis", "Kind of Blue", {"Jazz"}));
    for (size_t i = 0; i < 5; ++i)
        tracks.push_back(track_of("b" + std::to_string(i), "Halo " + std::to_string(i), "Beyoncé", "I Am", {"R&B"}));
    for (size_t i = 0; i < 5; ++i)
        tracks.push_back(
            track_of("a" + std::to_string(i), "Thunder " + std::to_string(i), "AC/DC", "Razors Edge", {"Rock"}));
    // Neighbours whose words match the query's more often.
    for (size_t i = 0; i < 20; ++i) {
        tracks.push_back(track_of("n" + std::to_string(i), "Kind of Blue Kind of Blue " + std::to_string(i), "Tribute",
                                  "Beyonce Beyonce AC DC AC DC", {"Pop"}));
    }
    add_tracks(*store, tracks);
    auto toy = embedder_provider(PMX_TOY_EMBEDDER, {});
    embed_all(*store, *toy, dir.path());
    const auto opts = options_for(dir.path(), 15);

    // `neighbours`: the query's words are words of the neighbours' text, which come next.
    const auto check_first = [&](const std::string& query, NameField field, const std::string& name, size_t count,
                                 auto pred, bool neighbours = true) {
        INFO(query);
        const SearchResult result = hybrid_search(*store, query, toy.get(), opts);
        REQUIRE(result.names.size() == 1);
        CHECK(result.names[0].field == field);
        CHECK(result.names[0].name == name);
        CHECK(leading(result, pred) == count);
        REQUIRE(result.hits.size() > count);
        if (neighbours) CHECK(result.hits[count].track.artist == "Tribute");
    };
    check_first("kind of blue", NameField::album, "Kind of Blue", 8,
                [](const TrackRow& t) { return t.album == "Kind of Blue"; });
    check_first("KIND OF BLUE", NameField::album, "Kind of Blue", 8,
                [](const TrackRow& t) { return t.album == "Kind of Blue"; });
    check_first("beyonce", NameField::artist, "Beyoncé", 5, [](const TrackRow& t) { return t.artist == "Beyoncé"; });
    check_first("ac dc", NameField::artist, "AC/DC", 5, [](const TrackRow& t) { return t.artist == "AC/DC"; });
    // Written together it is no word of any track's text: the name alone finds them.
    check_first(
        "acdc", NameField::artist, "AC/DC", 5, [](const TrackRow& t) { return t.artist == "AC/DC"; }, false);

    // Filters (candidates) hold for the tracks of a name too.
    const SearchResult all = hybrid_search(*store, "beyonce", toy.get(), opts);
    std::vector<int64_t> candidates;
    for (const int64_t id : EmbeddingStore(*store).track_ids()) {
        if (id != all.hits[0].track.id && id != all.hits[1].track.id) candidates.push_back(id);
    }
    auto filtered = opts;
    filtered.candidates = &candidates;
    const SearchResult some = hybrid_search(*store, "beyonce", toy.get(), filtered);
    CHECK(leading(some, [](const TrackRow& t) { return t.artist == "Beyoncé"; }) == 3);
    for (const auto& hit : some.hits) {
        CHECK(hit.track.id != all.hits[0].track.id);
        CHECK(hit.track.id != all.hits[1].track.id);
    }
}

TEST_CASE("search: a word that is a genre and part of an artist's name reads as the genre", "[search][names]") {
    TempDir dir;
    auto store = Store::open(dir / "plexmix.db");
    std::vector<TrackRecord> tracks;
    for (size_t i = 0; i < 10; ++i)
        tracks.push_back(track_of("s" + std::to_string(i), "Groove " + std::to_string(i),
                                  "Various " + std::to_string(i), "Deep", {"Soul"}));
    // The band says "soul" twice in its name, and is filed under R&B.
    for (size_t i = 0; i < 12; ++i)
        tracks.push_back(track_of("b" + std::to_string(i), "Keep On Movin " + std::to_string(i), "Soul II Soul",
                                  "Club Classics", {"R&B"}));
    for (size_t i = 0; i < 30; ++i)
        tracks.push_back(track_of("f" + std::to_string(i), "Tune " + std::to_string(i), "Other", "Things", {"Rock"}));
    add_tracks(*store, tracks);
    auto toy = embedder_provider(PMX_TOY_EMBEDDER, {});
    embed_all(*store, *toy, dir.path());
    const auto opts = options_for(dir.path(), 20);

    const SearchResult soul = hybrid_search(*store, "soul", toy.get(), opts);
    REQUIRE(soul.names.size() == 1);
    CHECK(soul.names[0].field == NameField::genre);
    CHECK(leading(soul, [](const TrackRow& t) { return has_genre(t, "Soul"); }) == 10);
    REQUIRE(soul.hits.size() == 20);
    CHECK(soul.hits[10].track.artist == "Soul II Soul");  // a neighbour, by its words

    const SearchResult band = hybrid_search(*store, "soul ii soul", toy.get(), opts);
    REQUIRE(band.names.size() == 1);
    CHECK(band.names[0].field == NameField::artist);
    CHECK(leading(band, [](const TrackRow& t) { return t.artist == "Soul II Soul"; }) == 12);
}

TEST_CASE("search: a query that names nothing keeps the fused ranking", "[search][names]") {
    TempDir dir;
    auto store = Store::open(dir / "plexmix.db");
    add_tracks(*store, genre_tracks(90));  // genres Jazz and Metal, artists "Artist <key>"
    auto toy = embedder_provider(PMX_TOY_EMBEDDER, {});
    embed_all(*store, *toy, dir.path());
    const auto opts = options_for(dir.path(), 25);

    // Keywords only: exactly the keyword ranking.
    const SearchResult words = hybrid_search(*store, "song 12", nullptr, opts);
    CHECK(words.names.empty());
    std::vector<int64_t> ids;
    for (const auto& hit : words.hits) {
        ids.push_back(hit.track.id);
        CHECK(hit.matched.empty());
    }
    CHECK(ids == keyword_search(*store, "song 12", 25));
    // Hybrid: the fused order, every hit found by a ranking.
    const SearchResult fused = hybrid_search(*store, "song 12", toy.get(), opts);
    CHECK(fused.names.empty());
    REQUIRE(fused.hits.size() == 25);
    for (size_t i = 0; i < fused.hits.size(); ++i) {
        CHECK((fused.hits[i].keyword_rank || fused.hits[i].vector_rank));
        CHECK(fused.hits[i].matched.empty());
        if (i > 0) CHECK(fused.hits[i - 1].score >= fused.hits[i].score);
    }
}
