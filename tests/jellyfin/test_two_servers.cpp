// Plex and Jellyfin side by side: the fake Plex holds part of the fake Jellyfin's library (the
// same recordings) and tracks of its own; both are mirrored, a playlist drawn from both counts
// each recording once and is published to both, each server receiving its own items.
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <rapidjson/document.h>

#include "support/fake_jellyfin.hpp"
#include "support/fake_plex.hpp"
#include "support/test_util.hpp"

namespace fs = std::filesystem;
using namespace pmx::test;

namespace {

constexpr size_t kJellyfinTracks = 60;  // 6 albums of 10
constexpr size_t kShared = 40;          // the first 4 albums are on the Plex server too
constexpr uint64_t kTicksPerMs = 10'000;

// A Plex library of the Jellyfin library's first kShared tracks, and one album only Plex has.
FakePlexOptions plex_of(const FakeJellyfin& jf) {
    FakePlexOptions o;
    std::map<std::string, FakePlexAlbumSpec> albums;
    std::vector<std::string> order;
    for (size_t i = 0; i < kShared; ++i) {
        const FakeJellyfinTrack t = jf.track_at(i);
        auto [it, added] = albums.try_emplace(t.album_id);
        if (added) {
            order.push_back(t.album_id);
            it->second.artist = t.album_artist;
            it->second.title = t.album;
            it->second.year = t.year;
            it->second.genres = t.genres;
        }
        FakePlexTrackSpec spec;
        spec.title = t.name;
        // Plex credits a guest as its tags say, here "A feat. B" where Jellyfin lists "A, B".
        if (t.artists.size() > 1) spec.original_title = t.artists[0] + " feat. " + t.artists[1];
        spec.duration_ms = t.ticks / kTicksPerMs + 700;  // another rip of the same recording: 0.7 s longer
        it->second.tracks.push_back(spec);
    }
    for (const auto& id : order) o.albums.push_back(albums[id]);
    FakePlexAlbumSpec own{"Plex Only Band", "Plex Only Album", 2001, {"Rock"}, {}};
    for (int i = 0; i < 10; ++i) own.tracks.push_back({"Plex only song " + std::to_string(i), "", {}, {}, 200'000});
    o.albums.push_back(own);
    return o;
}

}  // namespace

TEST_CASE("Plex and Jellyfin together: a recording on both counts once, the playlist goes to both with each server's "
          "own items, and what each lacks is said",
          "[jellyfin][plex][servers][cli]") {
    FakeJellyfin jf(FakeJellyfinOptions{.tracks = kJellyfinTracks});
    FakePlex plex(plex_of(jf));
    TempDir dir;
    const fs::path config = dir.path() / "plexmix.yaml";
    std::ofstream(config) << "data_dir: " << (dir.path() / "data").string() << "\n"
                          << "providers:\n"
                          << "  home: { plugin: plex, url: " << plex.url() << ", token: " << plex.token() << ", retries: 0 }\n"
                          << "  jelly: { plugin: jellyfin, url: " << jf.url() << ", username: " << FakeJellyfin::kUser
                          << ", password: " << FakeJellyfin::kUserPassword << ", retries: 0 }\n"
                          << "use: { media: [home, jelly] }\n";
    const auto cli = [&](const std::string& args) {
        return run_cli(PMX_CLI, "--config " + config.string() + " --plugin-path " +
                                    fs::path(PMX_JELLYFIN_PLUGIN).parent_path().string() + " --plugin-path " +
                                    fs::path(PMX_PLEX_PLUGIN).parent_path().string() + " " + args);
    };
    const CliRun sync = cli("sync");
    INFO(sync.out);
    REQUIRE(sync.code == 0);
    const CliRun status = cli("status");
    INFO(status.out);
    CHECK_THAT(status.out, Catch::Contains("home") && Catch::Contains("jelly"));

    // Every track of both: 60 + 10 recordings, however many copies.
    const CliRun made = cli("create \"songs\" --limit 70 --name Both --json 2>/dev/null");
    INFO(made.out);
    REQUIRE(made.code == 0);
    rapidjson::Document doc;
    doc.Parse(made.out.c_str());
    REQUIRE(doc.IsObject());
    std::set<std::string> titles;
    for (const auto& t : doc["tracks"].GetArray()) {
        INFO(t["title"].GetString() << " by " << t["artist"].GetString());
        CHECK(titles.insert(t["title"].GetString()).second);
    }
    CHECK(titles.size() == kJellyfinTracks + 10);
    std::vector<std::string> playlist;
    for (const auto& t : doc["tracks"].GetArray()) playlist.push_back(t["title"].GetString());

    REQUIRE(doc["published"].Size() == 2);
    for (const auto& part : doc["published"].GetArray()) {
        const std::string provider = part["provider"].GetString();
        INFO(provider);
        CHECK(part["published"].GetBool());
        std::vector<std::string> items;
        if (provider == "home") {
            const auto playlists = plex.playlists();
            REQUIRE(playlists.size() == 1);
            for (const auto& key : playlists[0].items) {
                const auto track = plex.find_track(key);
                REQUIRE(track);
                items.push_back(track->title);
            }
        } else {
            const auto playlists = jf.playlists();
            REQUIRE(playlists.size() == 1);
            for (const auto& id : playlists[0].items) {
                const auto track = jf.find_track(id);
                REQUIRE(track);
                items.push_back(track->name);
            }
        }
        // The playlist's order, less what the server lacks: Plex lacks 20, Jellyfin 10.
        std::set<std::string> has;
        if (provider == "home") {
            for (size_t i = 0; i < kShared; ++i) has.insert(jf.track_at(i).name);
            for (int i = 0; i < 10; ++i) has.insert("Plex only song " + std::to_string(i));
        } else {
            for (size_t i = 0; i < kJellyfinTracks; ++i) has.insert(jf.track_at(i).name);
        }
        std::vector<std::string> expected;
        for (const auto& title : playlist) {
            if (has.contains(title)) expected.push_back(title);
        }
        CHECK(items == expected);
        CHECK(part["lacking"].GetUint64() == playlist.size() - expected.size());
        CHECK(part["lacking"].GetUint64() == (provider == "home" ? kJellyfinTracks - kShared : 10));
    }
}
