// The sample plugin, loaded from disk like the host loads it: a generated library that behaves
// like a real server (identity, one library, paged scans in every order, playlists).
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "sample_fixture.hpp"
#include "support/test_util.hpp"

using namespace pmx;
using pmx::test::TempDir;
using pmx::test::sample::make_sample;
using pmx::test::sample::SampleSettings;
using pmx::test::sample::scan_all;
using pmx::test::sample::Scan;

namespace {

constexpr std::int64_t kSnapshot = 1717200000;  // 2024-06-01: the sample library's "now"
constexpr std::size_t kTracks = 3000;

// What the issue asks of each genre: the years its albums may carry and the durations its tracks
// may have (seconds; live takes may run 10% longer). Written from the spec, not from the plugin.
struct Expect {
    int from, to;
    int min_s, max_s;
};
const std::map<std::string, Expect> kGenres = {
    {"Jazz", {1955, 2020, 150, 720}},       {"Bossa Nova", {1958, 2015, 130, 300}},
    {"Blues", {1950, 2020, 140, 420}},      {"Soul", {1962, 2020, 140, 330}},
    {"Funk", {1967, 2015, 170, 480}},       {"R&B", {1988, 2024, 170, 330}},
    {"Hip-Hop", {1984, 2024, 130, 320}},    {"Rock", {1965, 2020, 150, 480}},
    {"Indie Rock", {1988, 2024, 140, 360}}, {"Punk", {1976, 2010, 70, 210}},
    {"Metal", {1978, 2024, 180, 600}},      {"Pop", {1975, 2024, 150, 280}},
    {"Synth-pop", {1979, 2024, 170, 360}},  {"Electronic", {1990, 2024, 180, 540}},
    {"House", {1986, 2024, 240, 600}},      {"Techno", {1988, 2024, 280, 660}},
    {"Ambient", {1978, 2024, 180, 1200}},   {"Classical", {1958, 2022, 180, 1500}},
    {"Folk", {1960, 2022, 130, 360}},       {"Country", {1958, 2024, 140, 300}},
    {"Reggae", {1968, 2018, 170, 360}},     {"Latin", {1960, 2024, 160, 360}},
    {"Disco", {1974, 1982, 180, 540}},      {"Lo-fi", {2012, 2024, 90, 210}},
};

// Every field of a track, as one line: two libraries are the same when these lines are.
std::string describe(const TrackRecord& t) {
    std::ostringstream o;
    o << t.has << '|' << t.key << '|' << t.guid << '|' << t.file_path << '|' << t.title << '|' << t.artist << '|'
      << t.artist_key << '|' << t.album << '|' << t.album_key << '|' << t.album_artist << '|';
    for (const auto& g : t.genres) o << g << ',';
    o << '|' << t.track_number << '|' << t.disc_number << '|' << t.duration_ms << '|' << t.year << '|'
      << t.user_rating << '|' << t.play_count << '|' << t.last_played_at << '|' << t.last_rated_at << '|'
      << t.added_at << '|' << t.updated_at;
    return o.str();
}

std::vector<std::string> describe_all(const Scan& scan) {
    std::vector<std::string> lines;
    for (const auto& t : scan.tracks) lines.push_back(describe(t));
    return lines;
}

std::set<std::string> keys_of(const std::vector<TrackRecord>& tracks) {
    std::set<std::string> keys;
    for (const auto& t : tracks) keys.insert(t.key);
    return keys;
}

std::set<std::string> keys_1_to(std::size_t n) {
    std::set<std::string> keys;
    for (std::size_t i = 1; i <= n; ++i) keys.insert(std::to_string(i));
    return keys;
}

bool has_non_ascii(const std::string& s) {
    return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

// A CJK character in UTF-8 starts with a lead byte 0xE3..0xE9 (U+3000..U+9FFF).
bool has_cjk(const std::string& s) {
    return std::any_of(s.begin(), s.end(), [](char c) {
        const auto b = static_cast<unsigned char>(c);
        return b >= 0xE3 && b <= 0xE9;
    });
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() / 2];
}

// Collects what a raw scan_tracks call emits (for page sizes the Provider does not ask).
struct RawPage {
    std::vector<std::string> keys;
    std::string cursor;
    bool has_cursor = false;
};

CallResult raw_scan(Provider& provider, std::uint32_t page_size, const std::string& cursor, RawPage* out) {
    const pmx_media_source* vt = provider.instance().media_source();
    REQUIRE(vt != nullptr);
    pmx_scan_request req{};
    req.struct_size = sizeof req;
    req.library_key = {"1", 1};
    req.cursor = {cursor.data(), cursor.size()};
    req.order = PMX_SCAN_ORDER_ANY;
    req.page_size = page_size;
    pmx_media_sink sink{};
    sink.struct_size = sizeof sink;
    sink.ctx = out;
    sink.track = [](void* ctx, const pmx_track* t) -> int32_t {
        static_cast<RawPage*>(ctx)->keys.emplace_back(t->key.data, t->key.len);
        return 0;
    };
    sink.next_cursor = [](void* ctx, const char* c, size_t n) {
        auto* page = static_cast<RawPage*>(ctx);
        page->cursor.assign(c, n);
        page->has_cursor = true;
    };
    return provider.runtime().invoke("scan_tracks", [&](const pmx_call* call) {
        *out = RawPage{};
        return vt->scan_tracks(provider.instance().raw(), call, &req, &sink);
    });
}

std::string slurp(const std::filesystem::path& path) {
    std::ifstream in(path);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("sample: identity names the seed, one library, \"Sample Music\", with its track count", "[sample]") {
    SampleSettings s;
    s.seed = 7;
    s.tracks = 120;
    auto provider = make_sample(s);
    ServerInfo server;
    REQUIRE(provider->identity(&server).ok());
    CHECK(server.identity == "sample-7");
    CHECK(server.name == "plexmix sample library");
    CHECK_FALSE(server.version.empty());
    CHECK_FALSE(server.product.empty());

    std::vector<LibraryInfo> libraries;
    REQUIRE(provider->list_libraries(&libraries).ok());
    REQUIRE(libraries.size() == 1);
    CHECK(libraries[0].key == "1");
    CHECK(libraries[0].title == "Sample Music");
    CHECK(libraries[0].track_count == 120);

    ScanPage page;
    const CallResult r = provider->scan_page("2", "", PMX_SCAN_ORDER_ANY, 0, &page);
    CHECK(r.status == PMX_NOT_FOUND);
    CHECK(r.message.find("\"2\"") != std::string::npos);
}

TEST_CASE("sample: the same seed gives the same library, field for field, another seed another", "[sample]") {
    const Scan a = scan_all(*make_sample());
    const Scan b = scan_all(*make_sample());
    REQUIRE(a.tracks.size() == kTracks);
    CHECK(describe_all(a) == describe_all(b));

    SampleSettings other;
    other.seed = 2;
    const Scan c = scan_all(*make_sample(other));
    REQUIRE(c.tracks.size() == kTracks);
    std::size_t same_titles = 0;
    for (std::size_t i = 0; i < kTracks; ++i) same_titles += a.tracks[i].title == c.tracks[i].title ? 1 : 0;
    CHECK(same_titles < kTracks / 10);
    CHECK(describe_all(a) != describe_all(c));
    ServerInfo server;
    REQUIRE(make_sample(other)->identity(&server).ok());
    CHECK(server.identity == "sample-2");

    SampleSettings negative;  // any 64-bit seed works
    negative.seed = -42;
    negative.tracks = 50;
    CHECK(scan_all(*make_sample(negative)).tracks.size() == 50);
}

TEST_CASE("sample: paging visits every track exactly once, in pages of the size asked", "[sample]") {
    SECTION("the default page of 500: six pages, each reporting the total") {
        const Scan scan = scan_all(*make_sample());
        CHECK(scan.pages == 6);
        CHECK(std::all_of(scan.totals.begin(), scan.totals.end(), [](std::uint64_t t) { return t == kTracks; }));
        CHECK(scan.tracks.size() == kTracks);
        CHECK(keys_of(scan.tracks) == keys_1_to(kTracks));
    }
    SECTION("a configured page size that does not divide the library") {
        SampleSettings s;
        s.page_size = 7;
        s.tracks = 100;
        const Scan scan = scan_all(*make_sample(s));
        CHECK(scan.pages == 15);
        CHECK(scan.tracks.size() == 100);
        CHECK(keys_of(scan.tracks) == keys_1_to(100));
    }
    SECTION("the page size in the request wins over the configured one") {
        auto provider = make_sample();
        std::set<std::string> seen;
        std::vector<std::size_t> sizes;
        std::string cursor;
        for (;;) {
            RawPage page;
            const CallResult r = raw_scan(*provider, 1234, cursor, &page);
            REQUIRE(r.ok());
            sizes.push_back(page.keys.size());
            for (const auto& k : page.keys) CHECK(seen.insert(k).second);
            if (!page.has_cursor) break;
            cursor = page.cursor;
        }
        CHECK(sizes == std::vector<std::size_t>{1234, 1234, 532});
        CHECK(seen == keys_1_to(kTracks));
    }
    SECTION("a cursor it did not make, or made for another order, is refused") {
        auto provider = make_sample();
        ScanPage first;
        REQUIRE(provider->scan_page("1", "", PMX_SCAN_ORDER_UPDATED_DESC, 0, &first).ok());
        REQUIRE(first.next_cursor);
        ScanPage page;
        CHECK(provider->scan_page("1", *first.next_cursor, PMX_SCAN_ORDER_ANY, 0, &page).status == PMX_INVALID_INPUT);
        CHECK(provider->scan_page("1", "banana", PMX_SCAN_ORDER_ANY, 0, &page).status == PMX_INVALID_INPUT);
        CHECK(provider->scan_page("1", "", 99, 0, &page).status == PMX_UNSUPPORTED);  // an order from the future
        CHECK(provider->scan_page("1", *first.next_cursor, PMX_SCAN_ORDER_UPDATED_DESC, 0, &page).ok());
    }
    SECTION("a consumer that has seen enough stops the scan: no cursor") {
        auto provider = make_sample();
        ScanPage page;
        std::size_t n = 0;
        REQUIRE(provider->scan_page("1", "", PMX_SCAN_ORDER_ANY, 0, &page, [&](const TrackRecord&) { return ++n < 10; })
                    .ok());
        CHECK_FALSE(page.next_cursor);
    }
}

TEST_CASE("sample: every scan order is sorted newest first and visits every track once", "[sample]") {
    auto provider = make_sample();
    const Scan updated = scan_all(*provider, PMX_SCAN_ORDER_UPDATED_DESC);
    const Scan added = scan_all(*provider, PMX_SCAN_ORDER_ADDED_DESC);
    const Scan played = scan_all(*provider, PMX_SCAN_ORDER_PLAYED_DESC);
    const Scan rated = scan_all(*provider, PMX_SCAN_ORDER_RATED_DESC);
    const auto newest_first = [](const Scan& scan, std::int64_t TrackRecord::*time) {
        return std::is_sorted(scan.tracks.begin(), scan.tracks.end(),
                              [time](const TrackRecord& a, const TrackRecord& b) { return a.*time > b.*time; });
    };
    for (const Scan* scan : {&updated, &added, &played, &rated}) CHECK(keys_of(scan->tracks) == keys_1_to(kTracks));
    CHECK(newest_first(updated, &TrackRecord::updated_at));
    CHECK(newest_first(added, &TrackRecord::added_at));
    CHECK(newest_first(played, &TrackRecord::last_played_at));  // the never-played tail last
    CHECK(newest_first(rated, &TrackRecord::last_rated_at));
    CHECK(played.tracks.front().last_played_at > 0);
    CHECK(rated.tracks.front().last_rated_at > 0);
    CHECK(rated.tracks.back().last_rated_at == 0);
    // The two orders really differ (tracks are edited, rated and played after they are added).
    std::vector<std::string> a, u;
    for (const auto& t : added.tracks) a.push_back(t.key);
    for (const auto& t : updated.tracks) u.push_back(t.key);
    CHECK(a != u);
}

TEST_CASE("sample: a KEYS_ONLY scan gives every key with updated_at and nothing else", "[sample]") {
    auto provider = make_sample();
    const Scan full = scan_all(*provider);
    const Scan keys = scan_all(*provider, PMX_SCAN_ORDER_ANY, PMX_SCAN_KEYS_ONLY);
    REQUIRE(keys.tracks.size() == kTracks);
    CHECK(keys_of(keys.tracks) == keys_1_to(kTracks));
    for (std::size_t i = 0; i < kTracks; ++i) {
        const TrackRecord& k = keys.tracks[i];
        INFO(k.key);
        CHECK(k.key == full.tracks[i].key);
        CHECK(k.updated_at == full.tracks[i].updated_at);
        CHECK(k.title.empty());
        CHECK(k.genres.empty());
        CHECK(k.has == 0u);
        CHECK(k.duration_ms == 0u);
    }
}

TEST_CASE("sample: the metadata looks like a real music library", "[sample]") {
    const Scan scan = scan_all(*make_sample());
    REQUIRE(scan.tracks.size() == kTracks);

    std::map<std::string, std::size_t> per_genre;
    std::map<std::string, std::vector<double>> minutes;
    std::map<std::string, std::set<std::string>> albums_of;  // album artist -> album keys
    std::map<std::string, std::size_t> album_sizes;
    std::map<std::string, std::set<std::string>> album_artists_of_key;  // artist_key -> album artist names
    std::set<std::string> artists, cjk_names;
    std::size_t rated = 0, played = 0, with_year = 0, live = 0, two_genres = 0, non_ascii = 0, compilation = 0;
    for (const TrackRecord& t : scan.tracks) {
        INFO(describe(t));
        REQUIRE_FALSE(t.title.empty());
        CHECK_FALSE(t.artist.empty());
        CHECK_FALSE(t.artist_key.empty());
        CHECK_FALSE(t.album.empty());
        CHECK_FALSE(t.album_key.empty());
        CHECK(t.guid == "sample://track/" + t.key);
        REQUIRE((t.genres.size() == 1 || t.genres.size() == 2));
        two_genres += t.genres.size() == 2 ? 1 : 0;
        CHECK(t.track_number >= 1);
        CHECK(t.track_number <= 14);
        CHECK((t.disc_number == 1 || t.disc_number == 2));

        // /music/<Album Artist>/<Album>/[d-]NN - <Title>.<ext>
        const std::string dir = "/music/" + t.album_artist + "/" + t.album + "/";
        CHECK(t.file_path.rfind(dir, 0) == 0);
        const std::string file = t.file_path.substr(std::min(dir.size(), t.file_path.size()));
        CHECK(file.find(" - " + t.title + ".") != std::string::npos);
        const std::string ext = file.substr(file.rfind('.') + 1);
        CHECK((ext == "flac" || ext == "mp3" || ext == "m4a"));

        const double seconds = static_cast<double>(t.duration_ms) / 1000.0;
        for (const std::string& g : t.genres) {
            const auto it = kGenres.find(g);
            REQUIRE(it != kGenres.end());
            ++per_genre[g];
            if (t.has & PMX_TRACK_HAS_YEAR) {
                CHECK(t.year >= it->second.from);
                CHECK(t.year <= it->second.to);
            }
        }
        // Durations follow the album's first (main) genre.
        const Expect& main = kGenres.at(t.genres[0]);
        CHECK(seconds >= main.min_s);
        CHECK(seconds <= main.max_s * 1.1 + 1.0);
        minutes[t.genres[0]].push_back(seconds / 60.0);

        if (t.has & PMX_TRACK_HAS_YEAR) {
            ++with_year;
        } else {
            CHECK(t.year == 0);
        }
        // A rating comes with the time it was given (ABI 1.1); unrated tracks have neither.
        CHECK(((t.has & PMX_TRACK_HAS_RATING) != 0) == ((t.has & PMX_TRACK_HAS_LAST_RATED) != 0));
        if (t.has & PMX_TRACK_HAS_RATING) {
            ++rated;
            CHECK(t.user_rating >= 0);
            CHECK(t.user_rating <= 10);
            CHECK(t.last_rated_at >= t.added_at);
            CHECK(t.last_rated_at <= kSnapshot);
        } else {
            CHECK(t.user_rating == 0);
            CHECK(t.last_rated_at == 0);
        }
        // Plays and the last play come together, after the track was added.
        CHECK(((t.has & PMX_TRACK_HAS_PLAY_COUNT) != 0) == ((t.has & PMX_TRACK_HAS_LAST_PLAYED) != 0));
        if (t.has & PMX_TRACK_HAS_PLAY_COUNT) {
            ++played;
            CHECK(t.play_count >= 1);
            CHECK(t.last_played_at >= t.added_at);
            CHECK(t.last_played_at <= kSnapshot);
        } else {
            CHECK(t.play_count == 0);
            CHECK(t.last_played_at == 0);
        }
        CHECK(t.added_at >= 1388534400);  // 2014-01-01, when the collection was begun
        CHECK(t.updated_at >= t.added_at);
        CHECK(t.updated_at <= kSnapshot);

        live += t.title.find("(Live") != std::string::npos || t.album.rfind("Live ", 0) == 0 ? 1 : 0;
        non_ascii += has_non_ascii(t.artist) || has_non_ascii(t.title) || has_non_ascii(t.album) ? 1 : 0;
        if (has_cjk(t.artist) || has_cjk(t.title)) cjk_names.insert(t.artist + " / " + t.title);
        artists.insert(t.artist);
        if (t.album_artist == "Various Artists") {
            ++compilation;
        } else {
            albums_of[t.album_artist].insert(t.album_key);
        }
        ++album_sizes[t.album_key];
        album_artists_of_key[t.artist_key].insert(t.album_artist);
    }
    // artist_key is the key of the artist the album is filed under, as Plex's
    // grandparentRatingKey is (a compilation's: Various Artists'), never the performer's.
    for (const auto& [key, names] : album_artists_of_key) {
        INFO(key);
        CHECK(names.size() == 1);
    }

    // ~24 genres, every one present with a real share of the library.
    CHECK(per_genre.size() == kGenres.size());
    for (const auto& [genre, n] : per_genre) {
        INFO(genre);
        CHECK(n >= 15);
    }
    // Characteristic lengths: classical and ambient run long, punk and lo-fi short.
    CHECK(median(minutes["Classical"]) > 6.0);
    CHECK(median(minutes["Ambient"]) > 5.5);
    CHECK(median(minutes["Punk"]) < 2.8);
    CHECK(median(minutes["Lo-fi"]) < 2.8);
    CHECK(median(minutes["Pop"]) < 4.0);

    // About 30% rated, some played, nearly all dated, 1-2 genres.
    CHECK(rated > kTracks * 25 / 100);
    CHECK(rated < kTracks * 35 / 100);
    CHECK(played > kTracks / 5);
    CHECK(played < kTracks * 3 / 4);
    CHECK(with_year > kTracks * 95 / 100);
    CHECK(with_year < kTracks);  // a few rips carry no date
    CHECK(two_genres > kTracks / 10);
    CHECK(live > 30);
    CHECK(compilation > 100);
    CHECK(non_ascii > 50);
    CHECK_FALSE(cjk_names.empty());

    // ~300 artists appear on tracks; album artists have 3-8 albums of 8-14 tracks (the last album
    // of the library may be cut short to hit the track count exactly).
    CHECK(artists.size() >= 200);
    std::size_t outside = 0;
    for (const auto& [artist, albums] : albums_of) outside += albums.size() < 3 || albums.size() > 8 ? 1 : 0;
    CHECK(outside <= 1);
    std::size_t short_albums = 0;
    for (const auto& [album, n] : album_sizes) {
        CHECK(n <= 14);
        short_albums += n < 8 ? 1 : 0;
    }
    CHECK(short_albums <= 3);  // live albums of an artist with few songs, and the last album
}

TEST_CASE("sample: genre words make titles that say their genre", "[sample]") {
    const Scan scan = scan_all(*make_sample());
    std::map<std::string, std::vector<std::string>> titles;
    for (const auto& t : scan.tracks) titles[t.genres[0]].push_back(t.title);
    const auto share = [&](const std::string& genre, const std::vector<std::string>& words) {
        const auto& list = titles[genre];
        std::size_t hits = 0;
        for (const auto& title : list) {
            hits += std::any_of(words.begin(), words.end(),
                                [&](const std::string& w) { return title.find(w) != std::string::npos; })
                        ? 1
                        : 0;
        }
        return list.empty() ? 0.0 : static_cast<double>(hits) / static_cast<double>(list.size());
    };
    CHECK(share("Classical", {"Sonata", "Nocturne", "Étude", "Prelude", "Concerto", "Symphony", "Suite", "Quartet",
                              "Fugue", "Serenade", "Impromptu", "Mazurka", "Rhapsody", "Partita", "Elegy",
                              "Reverie", "Lullaby", "Meditation", "Romance", "Pavane", "Barcarolle"}) > 0.8);
    CHECK(share("Metal", {"Iron", "Fire", "Storm", "Throne", "Abyss", "Blade", "Inferno", "Furnace", "Crypt",
                          "Hammer", "Legion", "Serpent", "Black", "Frozen", "Eternal", "Infernal", "Molten",
                          "Shattered", "Savage", "Dominion", "Warlord", "Raven", "Chains", "Damned", "Thunder",
                          "Unchained", "Rising"}) > 0.8);
}

TEST_CASE("sample: settings out of range are refused at create", "[sample]") {
    for (const std::int64_t tracks : {std::int64_t{0}, std::int64_t{-5}, std::int64_t{2'000'000}}) {
        SampleSettings s;
        s.tracks = tracks;
        std::string error;
        CHECK_FALSE(pmx::test::sample::try_make_sample(s, &error));
        CHECK(error.find("tracks") != std::string::npos);
    }
    SampleSettings s;
    s.page_size = 0;
    std::string error;
    CHECK_FALSE(pmx::test::sample::try_make_sample(s, &error));
    CHECK(error.find("page_size") != std::string::npos);
}

TEST_CASE("sample: playlists are created, replaced in place, checked and deleted", "[sample][playlists]") {
    auto provider = make_sample();
    PlaylistWritten made;
    REQUIRE(provider->write_playlist("Rainy Night Jazz", "made by a test", "", "", {"12", "7", "3000"}, &made).ok());
    CHECK(made.key == "pl-1");
    CHECK(made.item_count == 3);

    PlaylistWritten second;
    REQUIRE(provider->write_playlist("Upbeat Summer Dance", "", "", "", {"1"}, &second).ok());
    CHECK(second.key == "pl-2");

    PlaylistWritten replaced;
    REQUIRE(provider->write_playlist("Rainy Night Jazz", "", made.key, "", {"5", "6"}, &replaced).ok());
    CHECK(replaced.key == made.key);
    CHECK(replaced.item_count == 2);
    PlaylistWritten again;  // idempotent: the same replace gives the same answer
    REQUIRE(provider->write_playlist("Rainy Night Jazz", "", made.key, "", {"5", "6"}, &again).ok());
    CHECK(again.key == made.key);
    CHECK(again.item_count == 2);
    PlaylistWritten empty;  // a playlist may be emptied
    REQUIRE(provider->write_playlist("", "", made.key, "", {}, &empty).ok());
    CHECK(empty.item_count == 0);

    PlaylistWritten refused;
    CallResult r = provider->write_playlist("Bad", "", "", "", {"1", "3001"}, &refused);
    CHECK(r.status == PMX_NOT_FOUND);
    CHECK(r.message.find("\"3001\"") != std::string::npos);
    for (const std::string bad : {"0", "007", "", "x", "-1"}) {
        CHECK(provider->write_playlist("Bad", "", "", "", {bad}, &refused).status == PMX_NOT_FOUND);
    }
    // A playlist deleted on the server is made anew; a marker finds what an earlier write made.
    PlaylistWritten remade;
    std::string created;
    REQUIRE(provider->write_playlist("Gone", "", "pl-99", "pmx-0000000000aa", {"1"}, &remade,
                                     [&](const std::string& key) { created = key; })
                .ok());
    CHECK(remade.key != "pl-99");
    CHECK(created == remade.key);
    PlaylistWritten found;
    created.clear();
    REQUIRE(provider->write_playlist("Gone", "", "", "pmx-0000000000aa", {"1", "2"}, &found,
                                     [&](const std::string& key) { created = key; })
                .ok());
    CHECK(found.key == remade.key);
    CHECK(found.item_count == 2);
    CHECK(created.empty());  // found, not created
    CHECK(provider->write_playlist("", "", "", "", {"1"}, &refused).status == PMX_INVALID_INPUT);

    CHECK(provider->delete_playlist(second.key).ok());
    CHECK(provider->delete_playlist(second.key).status == PMX_NOT_FOUND);
    CHECK(provider->delete_playlist("").status == PMX_INVALID_INPUT);
    PlaylistWritten third;  // keys are never reused
    REQUIRE(provider->write_playlist("Third", "", "", "", {"2"}, &third).ok());
    CHECK(third.key == "pl-4");  // pl-3 was made for "Gone"

    // Without a playlists_file, another instance starts with none.
    CHECK(make_sample()->delete_playlist(made.key).status == PMX_NOT_FOUND);
}

TEST_CASE("sample: with playlists_file, playlists survive the instance that wrote them", "[sample][playlists]") {
    TempDir dir;
    SampleSettings s;
    s.playlists_file = (dir / "server" / "playlists.json").string();  // the folder is made on first write
    std::string first_key, second_key;
    {
        auto writer = make_sample(s);
        PlaylistWritten a, b;
        REQUIRE(writer->write_playlist("Café Mornings", "bossa and coffee", "", "", {"3", "1", "2"}, &a).ok());
        REQUIRE(writer->write_playlist("Iron Furnace", "", "", "", {"10"}, &b).ok());
        first_key = a.key;
        second_key = b.key;
    }
    const std::string text = slurp(s.playlists_file);
    rapidjson::Document doc;
    doc.Parse(text.c_str());
    REQUIRE_FALSE(doc.HasParseError());
    REQUIRE(doc["playlists"].IsArray());
    REQUIRE(doc["playlists"].Size() == 2);
    CHECK(std::string(doc["playlists"][0]["title"].GetString()) == "Café Mornings");
    CHECK(doc["playlists"][0]["items"].Size() == 3);
    CHECK(std::string(doc["playlists"][0]["items"][0].GetString()) == "3");
    CHECK_FALSE(std::filesystem::exists(s.playlists_file + ".tmp"));

    {
        auto reader = make_sample(s);
        PlaylistWritten replaced;
        REQUIRE(reader->write_playlist("", "", first_key, "", {"4"}, &replaced).ok());
        CHECK(replaced.key == first_key);
        CHECK(replaced.item_count == 1);
        CHECK(reader->delete_playlist(second_key).ok());
    }
    {
        auto third = make_sample(s);
        CHECK(third->delete_playlist(second_key).status == PMX_NOT_FOUND);
        PlaylistWritten next;
        REQUIRE(third->write_playlist("Next", "", "", "", {"5"}, &next).ok());
        CHECK(next.key == "pl-3");  // the counter survives too
    }
    doc.Parse(slurp(s.playlists_file).c_str());
    REQUIRE(doc["playlists"].Size() == 2);
    CHECK(std::string(doc["playlists"][0]["title"].GetString()) == "Café Mornings");  // kept its title
    CHECK(std::string(doc["playlists"][0]["description"].GetString()) == "bossa and coffee");
    CHECK(std::string(doc["playlists"][0]["items"][0].GetString()) == "4");

    SECTION("a file that is not JSON fails the call, naming the file") {
        std::ofstream(s.playlists_file) << "not json";
        PlaylistWritten w;
        const CallResult r = make_sample(s)->write_playlist("X", "", "", "", {"1"}, &w);
        CHECK(r.status == PMX_INVALID_INPUT);
        CHECK(r.message.find(s.playlists_file) != std::string::npos);
    }
}
