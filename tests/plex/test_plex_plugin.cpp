// The plex plugin, loaded from disk like the host loads it, against the fake Plex Media Server.
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "plugin/loader.hpp"
#include "plugin/provider.hpp"
#include "support/fake_http_server.hpp"
#include "support/fake_plex.hpp"
#include "support/test_util.hpp"

using namespace pmx;
using pmx::test::FakePlex;
using pmx::test::FakePlexFault;
using pmx::test::FakePlexOptions;
using pmx::test::FakePlexTrack;

namespace {

constexpr std::uint32_t kPageSize = 1000;
constexpr std::size_t kPlaylistChunk = 200;  // keys per playlist request, as the plugin sends

// The plugin is loaded once and stays mapped until exit, as in the host.
LoadedPlugin& plex_plugin() {
    static std::unique_ptr<LoadedPlugin> plugin = [] {
        LoadResult r = load_plugin(PMX_PLEX_PLUGIN);
        INFO(r.error);
        REQUIRE(r.ok());
        return std::move(r.plugin);
    }();
    return *plugin;
}

struct Options {
    std::optional<std::string> token;  // default: the fake's
    std::string library;
    std::uint32_t page_size = kPageSize;
    CallPolicy policy = [] {
        CallPolicy p;
        p.retries = 0;  // one attempt per call: faults show as they are
        p.timeout = std::chrono::seconds(10);
        p.deadline = std::chrono::seconds(20);
        return p;
    }();
};

// A provider of the plugin talking to `url` (the fake Plex, or something in front of it).
std::unique_ptr<Provider> make_plex_at(const std::string& url, const std::string& token, const Options& options = {}) {
    LoadedPlugin& plugin = plex_plugin();
    auto runtime = std::make_unique<ProviderRuntime>("home", plugin.info().id, options.policy,
                                                     plugin.info().max_concurrent_calls);
    const SettingList settings = {{"url", url},
                                  {"token", options.token.value_or(token)},
                                  {"library", options.library},
                                  {"page_size", std::to_string(options.page_size)},
                                  {"client_id", "plexmix-test-client"}};
    std::string error;
    auto instance = PluginInstance::create(plugin, settings, *runtime, &error);
    INFO(error);
    REQUIRE(instance);
    return std::make_unique<Provider>("home", std::move(runtime), std::move(instance));
}

std::unique_ptr<Provider> make_plex(const FakePlex& plex, const Options& options = {}) {
    return make_plex_at(plex.url(), plex.token(), options);
}

struct Scan {
    std::vector<TrackRecord> tracks;
    std::optional<std::uint64_t> total;
    std::size_t pages = 0;
    std::vector<std::string> cursors;
    CallResult failure;  // the first failed page, if any
    bool failed = false;
};

// Pages through a whole library as the host does: one call per page, cursor passed back.
Scan scan_all(Provider& provider, const std::string& library, std::int32_t order = PMX_SCAN_ORDER_ANY,
              std::uint32_t flags = 0, std::string cursor = {}) {
    Scan scan;
    for (;;) {
        ScanPage page;
        CallResult r = provider.scan_page(library, cursor, order, flags, &page);
        if (!r.ok()) {
            scan.failure = r;
            scan.failed = true;
            return scan;
        }
        ++scan.pages;
        scan.total = page.total;
        for (auto& t : page.tracks) scan.tracks.push_back(std::move(t));
        if (!page.next_cursor) return scan;
        cursor = *page.next_cursor;
        scan.cursors.push_back(cursor);
    }
}

std::size_t requests_with(const FakePlex& plex, const std::string& path, const std::string& param,
                          const std::string& value) {
    std::size_t n = 0;
    for (const auto& r : plex.http().requests()) {
        if (r.path == path && r.query_param(param) == value) ++n;
    }
    return n;
}

// What plexmix should read from a track the fake serves.
void check_mapped(const TrackRecord& got, const FakePlexTrack& want) {
    INFO("track " << want.rating_key << " \"" << want.title << "\"");
    CHECK(got.key == want.rating_key);
    CHECK(got.guid == want.guid);
    CHECK(got.title == want.title);
    CHECK(got.artist == (want.original_title.empty() ? want.album_artist : want.original_title));
    CHECK(got.album_artist == want.album_artist);
    CHECK(got.artist_key == want.artist_key);
    CHECK(got.album == want.album);
    CHECK(got.album_key == want.album_key);
    CHECK(got.file_path == want.file);
    CHECK(got.track_number == want.index);
    CHECK(got.disc_number == want.disc);
    CHECK(got.duration_ms == want.duration_ms);
    CHECK((got.has & PMX_TRACK_HAS_YEAR) != 0);
    CHECK(got.year == want.year.value_or(want.album_year));
    CHECK(((got.has & PMX_TRACK_HAS_RATING) != 0) == want.user_rating.has_value());
    if (want.user_rating) CHECK(got.user_rating == static_cast<std::int32_t>(std::lround(*want.user_rating)));
    CHECK(((got.has & PMX_TRACK_HAS_PLAY_COUNT) != 0) == want.view_count.has_value());
    if (want.view_count) CHECK(got.play_count == *want.view_count);
    CHECK(((got.has & PMX_TRACK_HAS_LAST_PLAYED) != 0) == want.last_viewed_at.has_value());
    if (want.last_viewed_at) CHECK(got.last_played_at == *want.last_viewed_at);
    CHECK(got.added_at == want.added_at);
    CHECK(got.updated_at == want.updated_at);
    CHECK(got.genres == (want.genres.empty() ? want.album_genres : want.genres));
}

pmx::test::CliRun run_cli(const std::string& args) { return pmx::test::run_cli(PMX_CLI, args); }

// DELETE /playlists/{key}/items/{playlistItemID}: items removed one by one.
std::size_t deletes_of_items(const FakePlex& plex, const std::string& key) {
    std::size_t n = 0;
    const std::string prefix = "/playlists/" + key + "/items/";
    for (const auto& r : plex.http().requests()) {
        if (r.method == "DELETE" && r.path.rfind(prefix, 0) == 0) ++n;
    }
    return n;
}

}  // namespace

TEST_CASE("plex: identity gives machineIdentifier, version and friendlyName", "[plex]") {
    FakePlex plex(FakePlexOptions{.tracks = 5});
    auto provider = make_plex(plex);
    ServerInfo server;
    const CallResult r = provider->identity(&server);
    INFO(r.message);
    REQUIRE(r.ok());
    CHECK(server.identity == plex.machine_identifier());
    CHECK(server.version == "1.40.2.8395-c67dce28e");
    CHECK(server.name == "Fake Plex");
    CHECK(server.product == "Plex Media Server");

    plex.set_machine_identifier("a-new-server-identity");  // a replaced server is noticed
    REQUIRE(provider->identity(&server).ok());
    CHECK(server.identity == "a-new-server-identity");
}

TEST_CASE("plex: only music sections are libraries, `library` picks one by title or key", "[plex]") {
    FakePlex plex(FakePlexOptions{.tracks = 5});
    std::vector<LibraryInfo> libraries;
    REQUIRE(make_plex(plex)->list_libraries(&libraries).ok());
    REQUIRE(libraries.size() == 2);
    CHECK(libraries[0].key == FakePlex::kMusicSection);
    CHECK(libraries[0].title == "Music");
    CHECK(libraries[1].title == "Hörspiele");

    for (const std::string wanted : {"music", "MUSIC", "3"}) {
        Options o;
        o.library = wanted;
        REQUIRE(make_plex(plex, o)->list_libraries(&libraries).ok());
        REQUIRE(libraries.size() == 1);
        CHECK(libraries[0].key == "3");
    }
    Options by_umlaut;
    by_umlaut.library = "HÖRSPIELE";
    REQUIRE(make_plex(plex, by_umlaut)->list_libraries(&libraries).ok());
    REQUIRE(libraries.size() == 1);
    CHECK(libraries[0].key == FakePlex::kEmptyMusicSection);

    for (const std::string missing : {"Podcasts", "Movies", "1"}) {  // a movie section is not music
        Options o;
        o.library = missing;
        const CallResult r = make_plex(plex, o)->list_libraries(&libraries);
        CHECK(r.status == PMX_NOT_FOUND);
        CHECK(r.message.find("\"" + missing + "\"") != std::string::npos);
        CHECK(r.message.find("\"Music\" (key 3)") != std::string::npos);
        CHECK(r.message.find("\"Hörspiele\" (key 6)") != std::string::npos);
    }
}

TEST_CASE("plex: 2,500 tracks in pages of 1,000 take 3 track requests, one album pass, and map every field",
          "[plex]") {
    FakePlex plex(FakePlexOptions{.tracks = 2500});
    auto provider = make_plex(plex);
    const Scan scan = scan_all(*provider, FakePlex::kMusicSection);
    INFO(scan.failure.message);
    REQUIRE_FALSE(scan.failed);
    CHECK(scan.pages == 3);
    CHECK(scan.cursors == std::vector<std::string>{"1000", "2000"});
    CHECK(scan.total == std::optional<std::uint64_t>(2500));
    CHECK(plex.track_page_requests() == 3);
    CHECK(plex.album_page_requests() == 1);  // 250 albums: one page, once per scan, never per track
    CHECK(requests_with(plex, "/library/sections/3/all", "X-Plex-Container-Size", "1000") == 4);

    REQUIRE(scan.tracks.size() == 2500);
    const std::vector<std::string> keys = plex.track_keys();
    for (std::size_t i = 0; i < scan.tracks.size(); ++i) {
        REQUIRE(scan.tracks[i].key == keys[i]);
        check_mapped(scan.tracks[i], plex.track_at(i));
    }

    // Spot checks of what the generic comparison covers, spelled out.
    const TrackRecord& first = scan.tracks[0];
    CHECK(first.title == "Jóga");
    CHECK(first.artist == "Björk");
    CHECK(first.album == "Homogenic");
    CHECK(first.user_rating == 10);  // 10.0 = five stars
    const auto sakamoto = std::find_if(scan.tracks.begin(), scan.tracks.end(),
                                       [](const TrackRecord& t) { return t.album_artist == "坂本龍一"; });
    REQUIRE(sakamoto != scan.tracks.end());
    CHECK(scan.tracks[5].title == "12\" Mix \\ Edit");  // escaped quote and backslash
    const TrackRecord& half_star = scan.tracks[3];       // userRating 7.0: three and a half stars
    CHECK((half_star.has & PMX_TRACK_HAS_RATING) != 0);
    CHECK(half_star.user_rating == 7);
    const TrackRecord& unrated = scan.tracks[1];
    CHECK((unrated.has & PMX_TRACK_HAS_RATING) == 0);
    CHECK((unrated.has & PMX_TRACK_HAS_PLAY_COUNT) != 0);  // track 1 was played
    CHECK((scan.tracks[0].has & PMX_TRACK_HAS_PLAY_COUNT) == 0);
    CHECK(scan.tracks[0].year == plex.track_at(0).album_year);  // parentYear
    CHECK(scan.tracks[5].year == plex.track_at(5).album_year + 1);  // its own `year` wins
    CHECK(scan.tracks[3].artist == "Björk feat. Jay-Z");  // originalTitle
    CHECK(scan.tracks[3].album_artist == "Björk");
    CHECK(plex.track_at(0).genres.empty());
    CHECK(scan.tracks[0].genres == plex.track_at(0).album_genres);  // the album's genres apply
    CHECK(scan.tracks[2].genres == plex.track_at(2).genres);        // its own Genre wins
    CHECK(scan.tracks[2].genres != plex.track_at(2).album_genres);
}

TEST_CASE("plex: every request carries the Plex headers and never the token in its URL", "[plex]") {
    FakePlex plex(FakePlexOptions{.tracks = 300});
    Options o;
    o.page_size = 100;
    auto provider = make_plex(plex, o);
    ServerInfo server;
    REQUIRE(provider->identity(&server).ok());
    REQUIRE_FALSE(scan_all(*provider, FakePlex::kMusicSection).failed);
    const auto keys = plex.track_keys();
    PlaylistWritten written;
    REQUIRE(provider->write_playlist("Mix", "", "", "", {keys[0], keys[1]}, &written).ok());
    REQUIRE(provider->delete_playlist(written.key).ok());

    const auto requests = plex.http().requests();
    REQUIRE(requests.size() >= 8);
    for (const auto& r : requests) {
        INFO(r.method << " " << r.target);
        CHECK(r.target.find(plex.token()) == std::string::npos);
        CHECK(r.target.find("X-Plex-Token") == std::string::npos);
        REQUIRE(r.header("x-plex-token"));
        CHECK(*r.header("x-plex-token") == plex.token());
        REQUIRE(r.header("x-plex-product"));
        CHECK(*r.header("x-plex-product") == "plexmix");
        CHECK(r.header("x-plex-version"));
        REQUIRE(r.header("x-plex-client-identifier"));
        CHECK(*r.header("x-plex-client-identifier") == "plexmix-test-client");
        REQUIRE(r.header("accept"));
        CHECK(*r.header("accept") == "application/json");
    }
}

TEST_CASE("plex: a missing or wrong token is AUTH, and the message never holds a token", "[plex]") {
    FakePlex plex(FakePlexOptions{.tracks = 5});
    const std::string wrong = "wrong-secret-token-12345";
    Options o;
    o.token = wrong;
    auto provider = make_plex(plex, o);
    ServerInfo server;
    const CallResult id = provider->identity(&server);  // /identity needs no token; GET / does
    CHECK(id.status == PMX_AUTH);
    CHECK(id.http_status == 401);
    CHECK(id.message.find("token") != std::string::npos);
    std::vector<LibraryInfo> libraries;
    const CallResult list = provider->list_libraries(&libraries);
    ScanPage page;
    const CallResult scan = provider->scan_page(FakePlex::kMusicSection, "", PMX_SCAN_ORDER_ANY, 0, &page);
    PlaylistWritten written;
    const CallResult write = provider->write_playlist("Mix", "", "", "", {plex.track_keys()[0]}, &written);
    for (const CallResult& r : {id, list, scan, write}) {
        INFO(r.message);
        CHECK(r.status == PMX_AUTH);
        CHECK(r.attempts == 1);  // AUTH is not retried
        CHECK(r.message.find(wrong) == std::string::npos);
        CHECK(r.message.find(plex.token()) == std::string::npos);
    }
    CHECK(plex.unauthorized_requests() >= 3);
}

TEST_CASE("plex: the sorted feeds ask Plex to sort and come newest first", "[plex]") {
    FakePlex plex(FakePlexOptions{.tracks = 350});
    Options o;
    o.page_size = 100;
    auto provider = make_plex(plex, o);

    const std::string touched = plex.track_keys()[200];
    REQUIRE(plex.touch_track(touched));
    const Scan updated = scan_all(*provider, FakePlex::kMusicSection, PMX_SCAN_ORDER_UPDATED_DESC);
    REQUIRE_FALSE(updated.failed);
    REQUIRE(updated.tracks.size() == 350);
    CHECK(updated.tracks.front().key == touched);
    for (std::size_t i = 1; i < updated.tracks.size(); ++i) {
        CHECK(updated.tracks[i - 1].updated_at >= updated.tracks[i].updated_at);
    }
    CHECK(requests_with(plex, "/library/sections/3/all", "sort", "updatedAt:desc") == 4);

    const std::string added = plex.add_track("Fresh");
    const Scan recent = scan_all(*provider, FakePlex::kMusicSection, PMX_SCAN_ORDER_ADDED_DESC);
    REQUIRE_FALSE(recent.failed);
    CHECK(recent.tracks.front().key == added);
    CHECK(recent.tracks.front().title == "Fresh");
    for (std::size_t i = 1; i < recent.tracks.size(); ++i) {
        CHECK(recent.tracks[i - 1].added_at >= recent.tracks[i].added_at);
    }

    // An incremental reader stops once it reaches what it knows: no next cursor then.
    ScanPage page;
    std::size_t seen = 0;
    REQUIRE(provider->scan_page(FakePlex::kMusicSection, "", PMX_SCAN_ORDER_UPDATED_DESC, 0, &page,
                                [&](const TrackRecord&) { return ++seen < 5; })
                .ok());
    CHECK(page.tracks.size() == 5);
    CHECK(page.stopped);
    CHECK_FALSE(page.next_cursor);
}

TEST_CASE("plex: a keys-only pass reads keys and updatedAt, and no album genres", "[plex]") {
    FakePlex plex(FakePlexOptions{.tracks = 1200});
    auto provider = make_plex(plex);
    const Scan keys = scan_all(*provider, FakePlex::kMusicSection, PMX_SCAN_ORDER_ANY, PMX_SCAN_KEYS_ONLY);
    REQUIRE_FALSE(keys.failed);
    REQUIRE(keys.tracks.size() == 1200);
    CHECK(plex.track_page_requests() == 2);
    CHECK(plex.album_page_requests() == 0);
    CHECK(requests_with(plex, "/library/sections/3/all", "excludeElements", "Genre,Mood,Media,Part") == 2);
    for (std::size_t i = 0; i < keys.tracks.size(); ++i) {
        const FakePlexTrack want = plex.track_at(i);
        CHECK(keys.tracks[i].key == want.rating_key);
        CHECK(keys.tracks[i].updated_at == want.updated_at);
        CHECK(keys.tracks[i].genres.empty());
    }
}

TEST_CASE("plex: a re-keyed track shows a new key with its old guid and file", "[plex]") {
    FakePlex plex(FakePlexOptions{.tracks = 30});
    auto provider = make_plex(plex);
    const FakePlexTrack before = plex.track_at(4);
    const std::string new_key = plex.rekey_track(before.rating_key);
    const Scan scan = scan_all(*provider, FakePlex::kMusicSection);
    REQUIRE_FALSE(scan.failed);
    std::map<std::string, const TrackRecord*> by_key;
    for (const auto& t : scan.tracks) by_key[t.key] = &t;
    CHECK(by_key.count(before.rating_key) == 0);
    REQUIRE(by_key.count(new_key) == 1);
    CHECK(by_key[new_key]->guid == before.guid);
    CHECK(by_key[new_key]->file_path == before.file);
}

TEST_CASE("plex: a server that dies, drops or fails mid-scan fails that page UNAVAILABLE", "[plex]") {
    SECTION("the server stops after the first page") {
        FakePlex plex(FakePlexOptions{.tracks = 2500});
        plex.fault_after_track_pages(1, FakePlexFault::die);
        auto provider = make_plex(plex);
        const Scan scan = scan_all(*provider, FakePlex::kMusicSection);
        REQUIRE(scan.failed);
        CHECK(scan.pages == 1);
        CHECK(scan.tracks.size() == 1000);
        CHECK(scan.failure.status == PMX_UNAVAILABLE);
        CHECK(plex.died());
    }
    SECTION("a page is cut off mid-body; resuming from the cursor completes the scan") {
        FakePlex plex(FakePlexOptions{.tracks = 2500});
        plex.fault_after_track_pages(2, FakePlexFault::truncate);
        auto provider = make_plex(plex);
        const Scan broken = scan_all(*provider, FakePlex::kMusicSection);
        REQUIRE(broken.failed);
        CHECK(broken.pages == 2);
        CHECK(broken.failure.status == PMX_UNAVAILABLE);
        plex.clear_faults();
        const Scan rest = scan_all(*provider, FakePlex::kMusicSection, PMX_SCAN_ORDER_ANY, 0, broken.cursors.back());
        REQUIRE_FALSE(rest.failed);
        CHECK(broken.tracks.size() + rest.tracks.size() == 2500);
    }
    SECTION("a 503 answer is UNAVAILABLE, which the host retries") {
        FakePlex plex(FakePlexOptions{.tracks = 10});
        plex.fault_after_track_pages(0, FakePlexFault::status, 503);
        auto provider = make_plex(plex);
        ScanPage page;
        const CallResult r = provider->scan_page(FakePlex::kMusicSection, "", PMX_SCAN_ORDER_ANY, 0, &page);
        CHECK(r.status == PMX_UNAVAILABLE);
        CHECK(r.http_status == 503);
    }
}

TEST_CASE("plex: an HTML page from a proxy in front of Plex shows as its status and title, never markup",
          "[plex]") {
    // What nginx answers for a request line it will not take, and what a captive portal or a
    // proxy's login page answers with 200.
    const std::string nginx_414 =
        "<html>\r\n<head><title>414 Request-URI Too Large</title></head>\r\n<body>\r\n<center><h1>414 "
        "Request-URI Too Large</h1></center>\r\n<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n";
    const std::string login_page =
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign in &middot; Proxy</title>"
        "<style>body{font:14px sans-serif}</style></head><body><form>...</form></body></html>";
    pmx::test::FakeHttpServer proxy;
    const auto html = [](int status, const std::string& body) {
        return [status, body](const pmx::test::FakeRequest&) {
            return pmx::test::FakeResponse::text(status, body).header("Content-Type", "text/html");
        };
    };
    SECTION("an error status") {
        proxy.on("/identity", html(414, nginx_414));
        auto provider = make_plex_at(proxy.url(), "a-token");
        ServerInfo server;
        const CallResult r = provider->identity(&server);
        CHECK(r.status == PMX_INVALID_INPUT);  // a 4xx: the request was wrong
        CHECK(r.http_status == 414);
        CHECK(r.message == "Plex, GET /identity: HTTP 414: Request-URI Too Large");
    }
    SECTION("a 200 that is not JSON") {
        proxy.on("/identity", html(200, login_page));
        auto provider = make_plex_at(proxy.url(), "a-token");
        ServerInfo server;
        const CallResult r = provider->identity(&server);
        CHECK(r.status == PMX_BAD_RESPONSE);
        CHECK(r.message ==
              "Plex answered GET /identity with something other than a JSON object: \"Sign in \u00b7 Proxy\"");
    }
}

TEST_CASE("plex: a deeply nested answer is read without exhausting the stack", "[plex]") {
    // A broken or hostile server (or whatever answers in its place) may nest arrays a million
    // deep in 2 MB; a recursive parser overflows the stack and takes the host down with it.
    constexpr std::size_t kDepth = 1'000'000;
    const std::string body = R"({"MediaContainer":{"Metadata":)" + std::string(kDepth, '[') +
                             std::string(kDepth, ']') + "}}";
    pmx::test::FakeHttpServer proxy;
    proxy.on("/identity", [&](const pmx::test::FakeRequest&) { return pmx::test::FakeResponse::json(200, body); });
    auto provider = make_plex_at(proxy.url(), "a-token");
    ServerInfo server;
    const CallResult r = provider->identity(&server);
    CHECK(r.status == PMX_BAD_RESPONSE);
    CHECK(r.message == "Plex answered GET /identity without a machineIdentifier");
}

TEST_CASE("plex: a slow page past the provider's timeout is TIMEOUT", "[plex]") {
    FakePlex plex(FakePlexOptions{.tracks = 10});
    plex.set_page_delay(std::chrono::milliseconds(1500));
    Options o;
    o.policy.timeout = std::chrono::milliseconds(300);
    auto provider = make_plex(plex, o);
    ScanPage page;
    const CallResult r = provider->scan_page(FakePlex::kMusicSection, "", PMX_SCAN_ORDER_ANY, 0, &page);
    CHECK(r.status == PMX_TIMEOUT);
}

TEST_CASE("plex: a library section that does not exist is NOT_FOUND", "[plex]") {
    FakePlex plex(FakePlexOptions{.tracks = 10});
    ScanPage page;
    const CallResult r = make_plex(plex)->scan_page("42", "", PMX_SCAN_ORDER_ANY, 0, &page);
    CHECK(r.status == PMX_NOT_FOUND);
    CHECK(r.message.find("42") != std::string::npos);
}

TEST_CASE("plex: a playlist of 450 tracks is created in chunks of 200 and read back", "[plex]") {
    FakePlex plex(FakePlexOptions{.tracks = 600});
    auto provider = make_plex(plex);
    std::vector<std::string> keys = plex.track_keys();
    keys.resize(450);
    std::reverse(keys.begin(), keys.end());  // order is the caller's, not the server's
    PlaylistWritten written;
    const CallResult r = provider->write_playlist("Rainy Sunday — 雨の日", "jazz, nothing after 1980", "", "", keys, &written);
    INFO(r.message);
    REQUIRE(r.ok());
    CHECK(written.item_count == 450);
    const auto held = plex.playlist(written.key);
    REQUIRE(held);
    CHECK(held->title == "Rainy Sunday — 雨の日");
    CHECK(held->summary == "jazz, nothing after 1980");
    CHECK(held->items == keys);
    CHECK(plex.requests("/playlists", "POST") == 1);
    CHECK(plex.requests("/playlists/" + written.key + "/items", "PUT") == (450 + kPlaylistChunk - 1) / kPlaylistChunk - 1);
    CHECK(plex.requests("/playlists/" + written.key + "/items", "GET") == 2);  // its items, then the count
    for (const auto& req : plex.http().requests()) {
        if (req.path.rfind("/playlists", 0) != 0) continue;
        if (const auto uri = req.query_param("uri")) {
            CHECK(static_cast<std::size_t>(std::count(uri->begin(), uri->end(), ',')) < kPlaylistChunk);
            CHECK(uri->rfind("server://" + plex.machine_identifier() + "/com.plexapp.plugins.library/library/metadata/", 0) == 0);
        }
    }
}

TEST_CASE("plex: replacing a playlist keeps its key, a vanished one is created anew", "[plex]") {
    FakePlex plex(FakePlexOptions{.tracks = 50});
    auto provider = make_plex(plex);
    const auto keys = plex.track_keys();
    PlaylistWritten first;
    REQUIRE(provider->write_playlist("Mix", "", "", "", {keys.begin(), keys.begin() + 10}, &first).ok());

    const std::vector<std::string> next(keys.begin() + 20, keys.begin() + 25);
    PlaylistWritten replaced;
    REQUIRE(provider->write_playlist("Mix (Tuesday)", "", first.key, "", next, &replaced).ok());
    CHECK(replaced.key == first.key);
    CHECK(replaced.item_count == 5);
    CHECK(plex.playlist(first.key)->items == next);
    CHECK(plex.playlist(first.key)->title == "Mix (Tuesday)");
    CHECK(plex.requests("/playlists/" + first.key + "/items", "DELETE") == 0);  // never cleared
    CHECK(deletes_of_items(plex, first.key) == 10);  // the old items, one by one, after the new ones
    CHECK(plex.playlists().size() == 1);

    // Idempotent: the host may retry a replace; the result is the same playlist, nothing written.
    const auto puts = plex.requests("/playlists/" + first.key + "/items", "PUT");
    REQUIRE(provider->write_playlist("Mix (Tuesday)", "", first.key, "", next, &replaced).ok());
    CHECK(plex.playlist(first.key)->items == next);
    CHECK(plex.requests("/playlists/" + first.key + "/items", "PUT") == puts);
    CHECK(deletes_of_items(plex, first.key) == 10);

    PlaylistWritten recreated;
    REQUIRE(provider->write_playlist("Mix", "", "99999999", "", next, &recreated).ok());
    CHECK(recreated.key != "99999999");
    CHECK(plex.playlist(recreated.key)->items == next);
}

TEST_CASE("plex: keys the server does not know are left out, the count it holds is reported with the key",
          "[plex]") {
    FakePlex plex(FakePlexOptions{.tracks = 20});
    auto provider = make_plex(plex);
    std::vector<std::string> keys = plex.track_keys();
    keys.resize(5);
    keys.insert(keys.begin() + 2, "987654321");  // a key the server does not know: Plex drops it silently
    PlaylistWritten written;
    std::string created;
    const CallResult r = provider->write_playlist("Mix", "", "", "pmx-00000000002a", keys, &written,
                                                  [&](const std::string& key) { created = key; });
    INFO(r.message);
    REQUIRE(r.ok());
    CHECK(written.key == created);
    CHECK(written.item_count == 5);  // the host compares it with the 6 it asked for
    std::vector<std::string> known = keys;
    known.erase(known.begin() + 2);
    CHECK(plex.playlist(written.key)->items == known);
    // Keys the server knows none of: the playlist is left as it was, never emptied.
    PlaylistWritten none;
    const CallResult unknown = provider->write_playlist("Mix", "", written.key, "pmx-00000000002a",
                                                        {"987654321", "987654322"}, &none);
    CHECK(unknown.status == PMX_NOT_FOUND);
    CHECK(unknown.message.find("knows none of the 2 tracks") != std::string::npos);
    CHECK(plex.playlist(written.key)->items == known);
    // Again (the host retries, or the user publishes again): the same playlist, unchanged.
    PlaylistWritten again;
    REQUIRE(provider->write_playlist("Mix", "", written.key, "pmx-00000000002a", keys, &again).ok());
    CHECK(again.key == written.key);
    CHECK(plex.playlist(written.key)->items == known);
    CHECK(plex.playlists().size() == 1);

    const CallResult bad_key = provider->write_playlist("Mix", "", "", "", {"1,2"}, &written);
    CHECK(bad_key.status == PMX_INVALID_INPUT);
}

TEST_CASE("plex: a server that does not take a list of keys is asked key by key", "[plex]") {
    FakePlex plex(FakePlexOptions{.tracks = 20});
    auto provider = make_plex(plex);
    std::vector<std::string> keys = plex.track_keys();
    keys.resize(4);
    pmx::test::FakePlexRule no_lists;
    no_lists.method = "GET";
    no_lists.path_prefix = "/library/metadata/";
    no_lists.status = 404;
    no_lists.times = 1;  // the list of four
    const size_t rule = plex.add_rule(no_lists);
    PlaylistWritten written;
    const CallResult r = provider->write_playlist("Mix", "", "", "", keys, &written);
    INFO(r.message);
    REQUIRE(r.ok());
    CHECK(plex.rule_hits(rule) == 1);
    CHECK(plex.playlist(written.key)->items == keys);
    std::size_t lookups = 0;
    for (const auto& req : plex.http().requests()) lookups += req.path.rfind("/library/metadata/", 0) == 0 ? 1 : 0;
    CHECK(lookups == 1 + 4);
}

TEST_CASE("plex: deleting a playlist, deleting it again is NOT_FOUND", "[plex]") {
    FakePlex plex(FakePlexOptions{.tracks = 20});
    auto provider = make_plex(plex);
    PlaylistWritten written;
    REQUIRE(provider->write_playlist("Mix", "", "", "", {plex.track_keys()[0]}, &written).ok());
    REQUIRE(plex.playlist(written.key));
    CHECK(provider->delete_playlist(written.key).ok());
    CHECK_FALSE(plex.playlist(written.key));
    CHECK(provider->delete_playlist(written.key).status == PMX_NOT_FOUND);
}

TEST_CASE("plex: create() refuses bad settings without touching the network", "[plex]") {
    FakePlex plex(FakePlexOptions{.tracks = 1});
    LoadedPlugin& plugin = plex_plugin();
    ProviderRuntime runtime("home", "plex", CallPolicy{}, 0);
    for (const SettingList& settings : {SettingList{{"url", plex.url()}},
                                        SettingList{{"url", plex.url()}, {"token", "t"}, {"page_size", "0"}},
                                        SettingList{{"url", "ftp://nas"}, {"token", "t"}}}) {
        std::string error;
        CHECK_FALSE(PluginInstance::create(plugin, settings, runtime, &error));
        CHECK(error.find("INVALID_INPUT") != std::string::npos);
    }
    CHECK(plex.http().request_count() == 0);
}

TEST_CASE("plex: `plexmix plugins check` passes against the fake", "[plex][cli]") {
    FakePlex plex(FakePlexOptions{.tracks = 30});
    const pmx::test::CliRun run = run_cli(std::string("plugins check ") + PMX_PLEX_PLUGIN + " --set url=" + plex.url() +
                            " --set token=" + plex.token());
    INFO(run.out);
    CHECK(run.code == 0);
    CHECK(run.out.find("The plugin conforms to the contract.") != std::string::npos);
}

TEST_CASE("plex: a full scan of 200,000 tracks, timed", "[.][plex][slow]") {
    constexpr std::size_t kTracks = 200'000;
    FakePlex plex(FakePlexOptions{.tracks = kTracks});
    auto provider = make_plex(plex);
    const auto start = std::chrono::steady_clock::now();
    const Scan scan = scan_all(*provider, FakePlex::kMusicSection);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    REQUIRE_FALSE(scan.failed);
    CHECK(scan.tracks.size() == kTracks);
    CHECK(plex.track_page_requests() == kTracks / kPageSize);
    WARN("scanned " << kTracks << " tracks in " << seconds << " s (" << static_cast<double>(kTracks) / seconds
                    << " tracks/s), " << plex.track_page_requests() << " track pages + "
                    << plex.album_page_requests() << " album pages");
}
