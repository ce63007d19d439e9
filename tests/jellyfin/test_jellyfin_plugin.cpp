// The jellyfin plugin, loaded from disk like the host loads it, against the fake Jellyfin.
#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "jellyfin_support.hpp"

using namespace pmx;
using namespace pmx::test;

namespace {

struct Scan {
    std::vector<TrackRecord> tracks;
    std::optional<std::uint64_t> total;
    std::size_t pages = 0;
    CallResult failure;
    bool failed = false;
};

Scan scan_all(Provider& p, const std::string& library, std::int32_t order = PMX_SCAN_ORDER_ANY, std::uint32_t flags = 0,
              std::int64_t since = 0) {
    Scan scan;
    std::string cursor;
    for (;;) {
        ScanPage page;
        const CallResult r = p.scan_page(library, cursor, order, flags, &page, {}, since);
        if (!r.ok()) {
            scan.failure = r;
            scan.failed = true;
            return scan;
        }
        ++scan.pages;
        if (page.total) scan.total = page.total;
        for (auto& t : page.tracks) scan.tracks.push_back(std::move(t));
        if (!page.next_cursor) return scan;
        cursor = *page.next_cursor;
    }
}

std::vector<FakeRequest> item_requests(const FakeJellyfin& jf) {
    std::vector<FakeRequest> out;
    for (auto& r : jf.http().requests()) {
        if (r.path == "/Items") out.push_back(std::move(r));
    }
    return out;
}

}  // namespace

TEST_CASE("jellyfin: an api_key with a user gives identity, libraries, and that user's data", "[jellyfin]") {
    FakeJellyfin jf(FakeJellyfinOptions{.tracks = 30});
    auto p = jellyfin_provider(api_key_settings(jf));
    ServerInfo server;
    REQUIRE(p->identity(&server).ok());
    CHECK(server.identity == jf.server_id());
    CHECK(server.name == "Fake Jellyfin");
    CHECK(server.product == "Jellyfin Server");
    CHECK(server.version == "10.10.7");
    std::vector<LibraryInfo> libraries;
    REQUIRE(p->list_libraries(&libraries).ok());
    REQUIRE(libraries.size() == 1);  // Movies and Playlists are not music
    CHECK(libraries[0].key == jf.music_library_id());
    CHECK(libraries[0].title == "Music");
    // Every request names the user (an API key acts as none) and carries the header, never the key in a URL.
    const std::string key = jf.api_key();
    for (const auto& r : jf.http().requests()) {
        INFO(r.target);
        CHECK(r.target.find(key) == std::string::npos);
        REQUIRE(r.header("authorization") != nullptr);
        CHECK(r.header("authorization")->rfind("MediaBrowser Client=\"plexmix\", Device=\"plexmix\", DeviceId=\"", 0) == 0);
        CHECK(r.header("authorization")->find("Token=\"" + key + "\"") != std::string::npos);
    }
    const Scan scan = scan_all(*p, libraries[0].key);
    REQUIRE(scan.tracks.size() == 30);
    CHECK(scan.tracks[1].play_count == jf.user_data(FakeJellyfin::kAdmin, jf.track_at(1).id).play_count);
}

TEST_CASE("jellyfin: refused credentials are AUTH naming the setting, never its value", "[jellyfin]") {
    FakeJellyfin jf(FakeJellyfinOptions{.tracks = 3});
    ServerInfo server;
    SECTION("a wrong api_key") {
        SettingList s = api_key_settings(jf);
        s[1].second = std::string(32, 'a');
        const CallResult r = jellyfin_provider(s)->identity(&server);
        CHECK(r.status == PMX_AUTH);
        CHECK(r.message.find("`api_key`") != std::string::npos);
        CHECK(r.message.find(std::string(32, 'a')) == std::string::npos);
        CHECK(jf.unauthorized_requests() == 1);  // 401, with its empty body
    }
    SECTION("an api_key naming a user the server does not have") {
        const CallResult r = jellyfin_provider(api_key_settings(jf, "Carol"))->identity(&server);
        CHECK(r.status == PMX_NOT_FOUND);
        CHECK(r.message.find("\"Alice\", \"Bob\"") != std::string::npos);
    }
    SECTION("a revoked token") {
        auto p = jellyfin_provider(token_settings(jf));
        jf.revoke_sessions();
        const CallResult r = p->identity(&server);
        CHECK(r.status == PMX_AUTH);
        CHECK(r.message.find("`token`") != std::string::npos);
    }
    SECTION("a wrong password") {
        const CallResult r = jellyfin_provider(password_settings(jf, "Bob", "guess"))->identity(&server);
        CHECK(r.status == PMX_AUTH);
        CHECK(r.message.find("guess") == std::string::npos);
        CHECK(r.message.find("`username` and `password`") != std::string::npos);
    }
}

TEST_CASE("jellyfin: a token logs in as its user, a password is exchanged once and the token kept, 0600",
          "[jellyfin]") {
    FakeJellyfin jf(FakeJellyfinOptions{.tracks = 12});
    ServerInfo server;
    REQUIRE(jellyfin_provider(token_settings(jf))->identity(&server).ok());
    CHECK(jf.logins() == 0);

    namespace fs = std::filesystem;
    const fs::path state = jellyfin_data_dir() / "plugins" / "jellyfin";
    fs::remove_all(state);
    REQUIRE(jellyfin_provider(password_settings(jf))->identity(&server).ok());
    CHECK(jf.logins() == 1);
    std::vector<fs::path> kept;
    for (const auto& e : fs::directory_iterator(state)) kept.push_back(e.path());
    REQUIRE(kept.size() == 1);
    struct stat st {};
    REQUIRE(::stat(kept[0].c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    REQUIRE(::stat(state.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
    CHECK(read_file(kept[0]).find(FakeJellyfin::kUserPassword) == std::string::npos);

    // A later run (a new instance) uses the kept token: no second login.
    auto again = jellyfin_provider(password_settings(jf));
    REQUIRE(again->identity(&server).ok());
    CHECK(jf.logins() == 1);
    // Revoked on the server: it logs in once more and goes on.
    jf.revoke_sessions();
    auto third = jellyfin_provider(password_settings(jf));
    REQUIRE(third->identity(&server).ok());
    CHECK(jf.logins() == 2);
    std::vector<LibraryInfo> libraries;
    REQUIRE(third->list_libraries(&libraries).ok());
    CHECK(scan_all(*third, libraries.at(0).key).tracks.size() == 12);
    // The password went only in the login body, never in a URL.
    for (const auto& r : jf.http().requests()) CHECK(r.target.find(FakeJellyfin::kUserPassword) == std::string::npos);
}

TEST_CASE("jellyfin: create() refuses settings that cannot work, without touching the network", "[jellyfin]") {
    FakeJellyfin jf(FakeJellyfinOptions{.tracks = 1});
    CHECK(jellyfin_create_error({{"url", jf.url()}}).find("give `api_key`") != std::string::npos);
    CHECK(jellyfin_create_error({{"url", jf.url()}, {"api_key", "k"}}).find("`user` is required") != std::string::npos);
    CHECK(jellyfin_create_error({{"url", jf.url()}, {"api_key", "k"}, {"token", "t"}, {"user", "u"}})
              .find("only one of") != std::string::npos);
    CHECK(jellyfin_create_error({{"url", jf.url()}, {"username", "bob"}}).find("go together") != std::string::npos);
    CHECK(jellyfin_create_error({{"url", jf.url()}, {"token", "a\"b"}}).find("quote") != std::string::npos);
    CHECK(jellyfin_create_error({{"url", jf.url()}, {"token", "t"}, {"page_size", "0"}}).find("page_size") !=
          std::string::npos);
    CHECK(jf.http().request_count() == 0);
}

TEST_CASE("jellyfin: a full scan pages with one count, maps every field from the pages, and a key pass asks for no fields",
          "[jellyfin]") {
    FakeJellyfin jf(FakeJellyfinOptions{.tracks = 250});
    auto p = jellyfin_provider(token_settings(jf, FakeJellyfin::kAdmin));
    const std::string lib = jf.music_library_id();
    const Scan scan = scan_all(*p, lib);
    REQUIRE(scan.tracks.size() == 250);
    CHECK(scan.pages == 3);
    CHECK(scan.total == 250u);
    auto requests = item_requests(jf);
    REQUIRE(requests.size() == 3);  // one request per page, never one per track
    CHECK(requests[0].query_param("EnableTotalRecordCount") == "true");
    CHECK(requests[1].query_param("EnableTotalRecordCount") == "false");
    CHECK(requests[2].query_param("StartIndex") == "200");
    CHECK(requests[0].query_param("EnableImages") == "false");
    for (std::size_t i = 0; i < scan.tracks.size(); ++i) {
        const TrackRecord& got = scan.tracks[i];
        const FakeJellyfinTrack want = jf.track_at(i);
        const FakeJellyfinUserData data = jf.user_data(FakeJellyfin::kAdmin, want.id);
        INFO("track " << i);
        CHECK(got.key == want.id);
        CHECK(got.title == want.name);
        CHECK(got.album == want.album);
        CHECK(got.album_key == want.album_id);
        CHECK(got.album_artist == want.album_artist);
        CHECK(got.artist_key == want.album_artist_id);
        CHECK(got.artist == (want.artists.size() == 1 ? want.artists[0] : want.artists[0] + ", " + want.artists[1]));
        CHECK(got.genres == want.genres);
        CHECK(got.file_path == want.path);
        CHECK(got.duration_ms == want.ticks / 10'000);
        CHECK(got.track_number == want.index);
        CHECK(got.disc_number == want.disc);
        CHECK(got.added_at == want.date_created);
        CHECK(((got.has & PMX_TRACK_HAS_YEAR) != 0) == (want.year != 0));
        if (want.year != 0) CHECK(got.year == want.year);
        CHECK(got.recording_mbid == want.mb_recording);
        CHECK(got.guid == (want.mb_track.empty() ? std::string() : "mbtrack:" + want.mb_track));
        CHECK((got.has & PMX_TRACK_HAS_PLAY_COUNT) != 0);
        CHECK(got.play_count == data.play_count);
        CHECK(((got.has & PMX_TRACK_HAS_LAST_PLAYED) != 0) == (data.last_played != 0));
        if (data.last_played != 0) CHECK(got.last_played_at == data.last_played);
        CHECK((got.has & PMX_TRACK_HAS_FAVOURITE) != 0);
        CHECK(got.favourite == data.favourite);
        CHECK(((got.has & PMX_TRACK_HAS_RATING) != 0) == data.rating.has_value());
        if (data.rating) CHECK(got.user_rating == static_cast<std::int32_t>(std::lround(*data.rating)));
    }

    const std::size_t before = item_requests(jf).size();
    const Scan keys = scan_all(*p, lib, PMX_SCAN_ORDER_ANY, PMX_SCAN_KEYS_ONLY);
    CHECK(keys.tracks.size() == 250);
    requests = item_requests(jf);
    // One page: a key pass asks five times the page size (100), its items carrying no fields.
    REQUIRE(requests.size() == before + 1);
    CHECK(requests[before].query_param("Limit") == "500");
    CHECK_FALSE(requests[before].query_param("Fields"));
    CHECK(requests[before].query_param("EnableUserData") == "false");
    CHECK(keys.tracks[0].title.empty());
}

TEST_CASE("jellyfin: the incremental feeds: changes since a time, newest added, newest played, the favourites, no rated feed",
          "[jellyfin]") {
    FakeJellyfin jf(FakeJellyfinOptions{.tracks = 120});
    auto p = jellyfin_provider(token_settings(jf, FakeJellyfin::kAdmin));
    const std::string lib = jf.music_library_id();
    ServerInfo server;
    REQUIRE(p->identity(&server).ok());  // reads the server's clock from its Date header

    const std::int64_t since = static_cast<std::int64_t>(std::time(nullptr));
    CHECK(scan_all(*p, lib, PMX_SCAN_ORDER_UPDATED_DESC, 0, since).tracks.empty());
    jf.set_track_name(jf.track_at(7).id, "Edited");
    jf.play(FakeJellyfin::kAdmin, jf.track_at(9).id);  // a play is no save
    const Scan updated = scan_all(*p, lib, PMX_SCAN_ORDER_UPDATED_DESC, 0, since);
    REQUIRE(updated.tracks.size() == 1);
    CHECK(updated.tracks[0].title == "Edited");
    const auto requests = item_requests(jf);
    CHECK(requests.back().query_param("MinDateLastSavedForUser"));
    CHECK_FALSE(requests.back().query_param("MinDateLastSaved"));  // alone it fails on 10.9/10.10

    const Scan added = scan_all(*p, lib, PMX_SCAN_ORDER_ADDED_DESC);
    REQUIRE(added.tracks.size() == 120);
    CHECK(added.tracks.front().key == jf.track_at(119).id);
    CHECK(std::is_sorted(added.tracks.begin(), added.tracks.end(),
                         [](const TrackRecord& a, const TrackRecord& b) { return a.added_at > b.added_at; }));
    CHECK(item_requests(jf).back().query_param("SortOrder") == "Descending");

    const Scan played = scan_all(*p, lib, PMX_SCAN_ORDER_PLAYED_DESC);
    REQUIRE_FALSE(played.tracks.empty());
    CHECK(played.tracks.front().key == jf.track_at(9).id);
    for (const auto& t : played.tracks) CHECK(t.play_count > 0);

    std::set<std::string> favourites;
    for (std::size_t i = 0; i < 120; ++i) {
        if (jf.user_data(FakeJellyfin::kAdmin, jf.track_at(i).id).favourite) favourites.insert(jf.track_at(i).id);
    }
    std::set<std::string> got;
    for (const auto& t : scan_all(*p, lib, PMX_SCAN_ORDER_FAVOURITES).tracks) got.insert(t.key);
    CHECK(got == favourites);
    CHECK_FALSE(got.empty());

    ScanPage page;
    CHECK(p->scan_page(lib, "", PMX_SCAN_ORDER_RATED_DESC, 0, &page).status == PMX_UNSUPPORTED);
}

TEST_CASE("jellyfin: a playlist of 250 is made in chunks under a marked name, then named, its count is read back",
          "[jellyfin]") {
    FakeJellyfin jf(FakeJellyfinOptions{.tracks = 300});
    auto p = jellyfin_provider(password_settings(jf));
    auto ids = jf.track_ids();
    std::vector<std::string> wanted(ids.begin(), ids.begin() + 250);
    std::reverse(wanted.begin(), wanted.end());
    std::vector<std::string> created;
    PlaylistWritten written;
    const CallResult r = p->write_playlist("Rainy Sunday", "a description", "", "pmx-3f9a1c7b2e4d", wanted, &written,
                                           [&](const std::string& key) {
                                               created.push_back(key);
                                               const auto made = jf.playlist(key);
                                               REQUIRE(made);
                                               CHECK(made->name == "Rainy Sunday [pmx-3f9a1c7b2e4d]");
                                           });
    INFO(r.message);
    REQUIRE(r.ok());
    REQUIRE(created.size() == 1);
    CHECK(written.key == created[0]);
    CHECK(written.item_count == 250);
    const auto on_server = jf.playlist(written.key);
    REQUIRE(on_server);
    CHECK(on_server->name == "Rainy Sunday");
    CHECK(on_server->items == wanted);
    CHECK(on_server->owner == jf.user_id(FakeJellyfin::kUser));
    std::size_t appends = 0;
    for (const auto& req : jf.http().requests()) {
        if (req.method == "POST" && req.path == "/Playlists/" + written.key + "/Items") {
            ++appends;
            CHECK(req.target.size() < 4096);
        }
    }
    CHECK(appends == 2);  // 100 with the creation, then 100 and 50
}

TEST_CASE("jellyfin: replacing keeps the playlist's id and never empties it, whatever the new order", "[jellyfin]") {
    FakeJellyfin jf(FakeJellyfinOptions{.tracks = 40});
    auto p = jellyfin_provider(token_settings(jf));
    const auto ids = jf.track_ids();
    PlaylistWritten first;
    REQUIRE(p->write_playlist("Mix", "", "", "pmx-aaaa", {ids[0], ids[1], ids[2], ids[3]}, &first).ok());
    const std::vector<std::vector<std::string>> replacements = {
        {ids[3], ids[2], ids[1], ids[0]},           // the same items, reversed
        {ids[2], ids[9], ids[3], ids[10], ids[11]},  // some kept, out of order, some new
        {ids[20], ids[21]},                         // all new
        {ids[20], ids[21], std::string(32, 'e')},   // a track the server does not know is left out
    };
    for (const auto& wanted : replacements) {
        PlaylistWritten written;
        const CallResult r = p->write_playlist("Mix", "", first.key, "pmx-aaaa", wanted, &written);
        INFO(r.message);
        REQUIRE(r.ok());
        CHECK(written.key == first.key);
        const auto on_server = jf.playlist(first.key);
        REQUIRE(on_server);
        std::vector<std::string> known;
        for (const auto& id : wanted) {
            if (jf.find_track(id)) known.push_back(id);
        }
        CHECK(on_server->items == known);
        CHECK(written.item_count == known.size());
        CHECK(*std::min_element(on_server->sizes.begin(), on_server->sizes.end()) > 0);
    }
    CHECK(jf.playlists().size() == 1);
    // A playlist deleted on the server is made anew.
    REQUIRE(p->delete_playlist(first.key).ok());
    CHECK(p->delete_playlist(first.key).status == PMX_NOT_FOUND);
    PlaylistWritten again;
    REQUIRE(p->write_playlist("Mix", "", first.key, "pmx-aaaa", {ids[5]}, &again).ok());
    CHECK(again.key != first.key);
    CHECK(jf.playlist(again.key)->items == std::vector<std::string>{ids[5]});
}

TEST_CASE("jellyfin: a lost answer to the creation is found by its marker, an api_key writes nothing", "[jellyfin]") {
    FakeJellyfin jf(FakeJellyfinOptions{.tracks = 20});
    const auto ids = jf.track_ids();
    SECTION("the answer to POST /Playlists is lost: the retry finds the marked playlist") {
        FakeJellyfinRule rule;
        rule.method = "POST";
        rule.path_prefix = "/playlists";
        rule.after = true;  // the server makes it, the client hears 503
        rule.times = 1;
        const std::size_t lost = jf.add_rule(rule);
        auto p = jellyfin_provider(token_settings(jf), [] {
            CallPolicy policy = jellyfin_policy();
            policy.retries = 2;
            return policy;
        }());
        PlaylistWritten written;
        const CallResult r = p->write_playlist("Lost", "", "", "pmx-bbbb", {ids[0], ids[1]}, &written);
        INFO(r.message);
        CHECK(r.ok());
        CHECK(jf.rule_hits(lost) == 1);
        REQUIRE(jf.playlists().size() == 1);
        CHECK(jf.playlists()[0].name == "Lost");
        CHECK(jf.playlists()[0].items == std::vector<std::string>{ids[0], ids[1]});
    }
    SECTION("an api_key: refused before anything is made, saying what to use") {
        auto p = jellyfin_provider(api_key_settings(jf));
        PlaylistWritten written;
        const CallResult r = p->write_playlist("Nope", "", "", "pmx-cccc", {ids[0]}, &written);
        CHECK(r.status == PMX_INVALID_INPUT);
        CHECK(r.message.find("`username` and `password`") != std::string::npos);
        CHECK(jf.playlists().empty());
        for (const auto& req : jf.http().requests()) CHECK(req.method == "GET");
    }
}

TEST_CASE("jellyfin: `plexmix plugins check` passes against the fake", "[jellyfin][cli]") {
    FakeJellyfin jf(FakeJellyfinOptions{.tracks = 30});
    const CliRun run = run_cli(PMX_CLI, std::string("plugins check ") + PMX_JELLYFIN_PLUGIN + " --set url=" + jf.url() +
                                            " --set username=Bob --set password=bob-pw");
    INFO(run.out);
    CHECK(run.code == 0);
    CHECK(run.out.find("The plugin conforms to the contract.") != std::string::npos);
    CHECK(run.out.find("bob-pw") == std::string::npos);
}
