// A Jellyfin library through sync_source and the plexmix CLI: full and incremental syncs, favourites, re-keys,
// a server that dies, a server whose clock is off, playlists published and replaced.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include "jellyfin_support.hpp"
#include "store/sqlite.hpp"
#include "store/store.hpp"
#include "sync/sync.hpp"

using namespace pmx;
using namespace pmx::test;
namespace fs = std::filesystem;

namespace {

constexpr const char* kProvider = "home";

SyncReport run_sync(Store& store, Provider& provider, bool full = false) {
    SyncOptions options;
    options.full = full;
    return sync_source(store, provider, kProvider, "jellyfin", "", options);
}

std::map<std::string, int64_t> mirror(Store& store, const std::string& identity) {
    std::map<std::string, int64_t> out;
    const auto server = store.find_server(kProvider, identity);
    if (!server) return out;
    for (const auto& [id, key] : store.track_keys(server->id)) out[key] = id;
    return out;
}

int64_t column(Store& store, const std::string& key, const std::string& name) {
    sql::Statement q(store.native_handle(), "SELECT coalesce(" + name + ", -1) FROM tracks WHERE native_key = ?1");
    q.bind_static(1, key);
    REQUIRE(q.step());
    return q.int64(0);
}

std::string text_column(Store& store, const std::string& key, const std::string& name) {
    sql::Statement q(store.native_handle(), "SELECT coalesce(" + name + ", '') FROM tracks WHERE native_key = ?1");
    q.bind_static(1, key);
    REQUIRE(q.step());
    return q.text(0);
}

void check_counts_add_up(const SyncReport& r) {
    INFO("read " << r.read << ", added " << r.added << ", updated " << r.updated << ", unchanged " << r.unchanged);
    CHECK(r.read == r.added + r.updated + r.unchanged);
}

}  // namespace

TEST_CASE("jellyfin sync: full, then incremental with edits, adds, deletes, re-keys, plays and favourites", "[jellyfin][sync]") {
    FakeJellyfin jf(FakeJellyfinOptions{.tracks = 300});
    TempDir dir;
    auto store = Store::open(dir.path() / "plexmix.db");
    auto provider = jellyfin_provider(token_settings(jf, FakeJellyfin::kAdmin));

    const SyncReport first = run_sync(*store, *provider);
    INFO(first.error);
    REQUIRE(first.ok);
    CHECK(first.mode == SyncMode::full);
    CHECK(first.added == 300);
    const auto before = mirror(*store, jf.server_id());
    REQUIRE(before.size() == 300);
    const FakeJellyfinTrack t0 = jf.track_at(0);
    CHECK(text_column(*store, t0.id, "recording_mbid") == t0.mb_recording);
    CHECK_FALSE(t0.mb_recording.empty());
    std::string favourite;
    for (std::size_t i = 0; i < 300 && favourite.empty(); ++i) {
        if (jf.user_data(FakeJellyfin::kAdmin, jf.track_at(i).id).favourite) favourite = jf.track_at(i).id;
    }
    REQUIRE_FALSE(favourite.empty());
    CHECK(column(*store, favourite, "is_favourite") == 1);
    CHECK(column(*store, jf.track_at(0).id, "is_favourite") == 0);
    CHECK(store->integrity_problems().empty());

    // Nothing changed: the incremental asks the library's count (its change stamp), reads the
    // head of each sorted feed and the keys of the favourites list (favourites carry no
    // time), walks no keys and writes nothing.
    const std::size_t pages = jf.track_page_requests();
    const SyncReport quiet = run_sync(*store, *provider);
    REQUIRE(quiet.ok);
    CHECK(quiet.mode == SyncMode::incremental);
    CHECK(quiet.added + quiet.updated + quiet.removed == 0);
    CHECK(quiet.read <= 2);
    check_counts_add_up(quiet);
    CHECK_FALSE(quiet.keys_walked);
    // count (1) + updated (1, empty) + added (1) + played (1) + favourites (1); no keys pass
    CHECK(jf.track_page_requests() - pages == 1 + 4);

    const FakeJellyfinTrack edited = jf.track_at(10), moved = jf.track_at(20), rekeyed = jf.track_at(21),
                            deleted = jf.track_at(30), played = jf.track_at(40), marked = jf.track_at(41);
    REQUIRE_FALSE(moved.mb_track.empty());  // found again by its provider ids
    REQUIRE(rekeyed.mb_track.empty());      // found again by its path
    jf.set_track_name(edited.id, "Edited Title");
    const std::string moved_id = jf.move_track(moved.id);
    const std::string rekeyed_id = jf.rekey_track(rekeyed.id);
    jf.delete_track(deleted.id);
    const std::string added = jf.add_track("Brand New");
    jf.play(FakeJellyfin::kAdmin, played.id);
    jf.set_favourite(FakeJellyfin::kAdmin, marked.id, true);
    jf.set_favourite(FakeJellyfin::kAdmin, favourite, false);
    jf.play(FakeJellyfin::kUser, edited.id);  // another user's play changes nothing here

    const SyncReport second = run_sync(*store, *provider);
    INFO(second.error);
    REQUIRE(second.ok);
    CHECK(second.mode == SyncMode::incremental);
    check_counts_add_up(second);
    CHECK(second.added == 1);
    CHECK(second.removed == 1);
    CHECK(second.rekeyed == 2);
    CHECK(second.keys_walked);
    const auto after = mirror(*store, jf.server_id());
    CHECK(after.size() == 300);
    CHECK(after.at(moved_id) == before.at(moved.id));      // same row, new key
    CHECK(after.at(rekeyed_id) == before.at(rekeyed.id));
    CHECK(after.count(deleted.id) == 0);
    CHECK(after.count(added) == 1);
    CHECK(text_column(*store, edited.id, "title") == "Edited Title");
    CHECK(column(*store, played.id, "play_count") ==
          static_cast<int64_t>(jf.user_data(FakeJellyfin::kAdmin, played.id).play_count));
    CHECK(column(*store, played.id, "last_played_at") == jf.user_data(FakeJellyfin::kAdmin, played.id).last_played);
    CHECK(column(*store, marked.id, "is_favourite") == 1);
    CHECK(column(*store, favourite, "is_favourite") == 0);  // unmarked: gone from the favourites list
    CHECK(store->integrity_problems().empty());

    // The mirror now equals what a full read gives.
    const VerifyReport verify = verify_source(*store, *provider, kProvider);
    CHECK(verify.ok());
    TempDir fresh_dir;
    auto fresh = Store::open(fresh_dir.path() / "plexmix.db");
    REQUIRE(run_sync(*fresh, *provider).ok);
    for (const auto& [key, id] : after) {
        INFO(key);
        CHECK(column(*fresh, key, "is_favourite") == column(*store, key, "is_favourite"));
        CHECK(column(*fresh, key, "play_count") == column(*store, key, "play_count"));
        CHECK(text_column(*fresh, key, "title") == text_column(*store, key, "title"));
    }
}

TEST_CASE("jellyfin sync: the count stamp skips the keys pass, yet every change of each kind is caught alone",
          "[jellyfin][sync]") {
    FakeJellyfin jf(FakeJellyfinOptions{.tracks = 120});
    TempDir dir;
    auto store = Store::open(dir.path() / "plexmix.db");
    auto provider = jellyfin_provider(token_settings(jf, FakeJellyfin::kAdmin));
    REQUIRE(run_sync(*store, *provider).ok);
    const auto original = mirror(*store, jf.server_id());

    // Each change alone, then one sync; after each the mirror holds exactly the server's keys.
    const auto sync_checked = [&](const char* what) {
        INFO(what);
        const SyncReport r = run_sync(*store, *provider);
        INFO(r.error);
        REQUIRE(r.ok);
        CHECK(r.mode == SyncMode::incremental);
        check_counts_add_up(r);
        const VerifyReport v = verify_source(*store, *provider, kProvider);
        CHECK(v.ok());
        return r;
    };
    const SyncReport quiet = sync_checked("nothing changed");
    CHECK_FALSE(quiet.keys_walked);
    CHECK(quiet.added + quiet.updated + quiet.removed == 0);

    const std::string gone = jf.track_at(5).id;
    REQUIRE(jf.delete_track(gone));  // the count drops
    const SyncReport deleted = sync_checked("a deletion");
    CHECK(deleted.keys_walked);
    CHECK(deleted.removed == 1);
    CHECK(mirror(*store, jf.server_id()).count(gone) == 0);

    const std::string added = jf.add_track("Arrived Alone");  // the count rises; the feeds bring it
    const SyncReport arrived = sync_checked("an addition");
    CHECK(arrived.added == 1);
    CHECK(arrived.removed == 0);
    CHECK(mirror(*store, jf.server_id()).count(added) == 1);

    // One out, one in: the count does not move, but the new key in the feeds makes the run
    // walk the keys, and the deletion is found.
    const std::string out = jf.track_at(7).id;
    REQUIRE(jf.delete_track(out));
    const std::string in = jf.add_track("Replacement");
    const SyncReport swapped = sync_checked("a deletion and an addition");
    CHECK(swapped.keys_walked);
    CHECK(swapped.added == 1);
    CHECK(swapped.removed == 1);
    CHECK(mirror(*store, jf.server_id()).count(out) == 0);

    // A file moved: a new Id for the same track (found again by its MusicBrainz ids), the
    // count unchanged. It keeps its row.
    FakeJellyfinTrack moving = jf.track_at(9);
    for (std::size_t i = 10; moving.mb_track.empty(); ++i) moving = jf.track_at(i);
    const std::string moved = jf.move_track(moving.id);
    const SyncReport rekeyed = sync_checked("a re-key");
    CHECK(rekeyed.keys_walked);
    CHECK(rekeyed.rekeyed == 1);
    CHECK(rekeyed.removed == 0);
    CHECK(mirror(*store, jf.server_id()).at(moved) == original.at(moving.id));

    // An edit, a play and a favourite move no count: the feeds bring them, no key is walked.
    const std::string edited = jf.track_at(1).id, played = jf.track_at(2).id, liked = jf.track_at(3).id;
    REQUIRE(column(*store, liked, "is_favourite") == 0);
    jf.set_track_name(edited, "Edited Alone");
    jf.play(FakeJellyfin::kAdmin, played);
    jf.set_favourite(FakeJellyfin::kAdmin, liked, true);
    const SyncReport touched = sync_checked("an edit, a play and a favourite");
    CHECK_FALSE(touched.keys_walked);
    CHECK(touched.updated == 3);
    CHECK(text_column(*store, edited, "title") == "Edited Alone");
    CHECK(column(*store, played, "play_count") ==
          static_cast<int64_t>(jf.user_data(FakeJellyfin::kAdmin, played).play_count));
    CHECK(column(*store, liked, "is_favourite") == 1);
    CHECK(store->integrity_problems().empty());
}

TEST_CASE("jellyfin sync: a server whose clock is two hours behind still shows its edits", "[jellyfin][sync]") {
    FakeJellyfin jf(FakeJellyfinOptions{.tracks = 50});
    jf.set_clock_offset(-2 * 3600);
    TempDir dir;
    auto store = Store::open(dir.path() / "plexmix.db");
    auto provider = jellyfin_provider(api_key_settings(jf));
    REQUIRE(run_sync(*store, *provider).ok);
    const std::string id = jf.track_at(5).id;
    jf.set_track_name(id, "Late Edit");  // saved at the server's now: two hours before ours
    const SyncReport again = run_sync(*store, *provider);
    REQUIRE(again.ok);
    CHECK(again.updated == 1);
    CHECK(text_column(*store, id, "title") == "Late Edit");
}

TEST_CASE("jellyfin sync: a server that dies mid-sync leaves the mirror exactly as it was", "[jellyfin][sync]") {
    FakeJellyfin jf(FakeJellyfinOptions{.tracks = 500});
    TempDir dir;
    auto store = Store::open(dir.path() / "plexmix.db");
    auto provider = jellyfin_provider(token_settings(jf, FakeJellyfin::kAdmin));
    REQUIRE(run_sync(*store, *provider).ok);
    const auto before = mirror(*store, jf.server_id());
    jf.set_track_name(jf.track_at(1).id, "Never Seen");
    jf.die_after_track_pages(2);  // during the keys-only pass of the full sync below
    const SyncReport failed = run_sync(*store, *provider, true);
    CHECK_FALSE(failed.ok);
    CHECK(failed.status == "failed");
    CHECK(failed.error.find("UNAVAILABLE") != std::string::npos);
    CHECK(mirror(*store, jf.server_id()) == before);
    CHECK(text_column(*store, jf.track_at(1).id, "title") != "Never Seen");
    CHECK(store->integrity_problems().empty());
}

TEST_CASE("jellyfin CLI: sync, create, replace in place and verify, with a password that shows nowhere",
          "[jellyfin][sync][cli]") {
    FakeJellyfin jf(FakeJellyfinOptions{.tracks = 200, .tracks_per_album = 1, .albums_per_artist = 1});
    TempDir dir;
    const fs::path config = dir.path() / "plexmix.yaml";
    std::ofstream(config) << "data_dir: " << (dir.path() / "data").string() << "\n"
                          << "providers:\n  home: { plugin: jellyfin, url: " << jf.url()
                          << ", username: Bob, password: ${JF_PASSWORD}, page_size: 50 }\n"
                          << "use: { media: [home] }\n";
    const std::string plugins = fs::path(PMX_JELLYFIN_PLUGIN).parent_path().string();
    const auto cli = [&](const std::string& args) {
        return run_cli(PMX_CLI, "--config " + config.string() + " --plugin-path " + plugins + " " + args);
    };
    ::setenv("JF_PASSWORD", FakeJellyfin::kUserPassword, 1);

    const CliRun sync = cli("sync");
    INFO(sync.out);
    REQUIRE(sync.code == 0);
    CHECK(jf.logins() == 1);
    const CliRun again = cli("sync");
    INFO(again.out);
    REQUIRE(again.code == 0);
    CHECK(jf.logins() == 1);  // the kept token, not a second login

    const CliRun made = cli("create \"late night\" --limit 30 --name Night");
    INFO(made.out);
    REQUIRE(made.code == 0);
    REQUIRE(jf.playlists().size() == 1);
    const FakeJellyfinPlaylist first = jf.playlists()[0];
    CHECK(first.name == "Night");
    CHECK(first.items.size() == 30);
    CHECK(first.owner == jf.user_id(FakeJellyfin::kUser));

    const CliRun replaced = cli("create \"sunny morning\" --limit 20 --seed 7 --name Night");
    INFO(replaced.out);
    REQUIRE(replaced.code == 0);
    REQUIRE(jf.playlists().size() == 1);
    const FakeJellyfinPlaylist second = jf.playlists()[0];
    CHECK(second.id == first.id);  // replaced in place
    CHECK(second.items.size() == 20);
    CHECK(*std::min_element(second.sizes.begin(), second.sizes.end()) > 0);

    const CliRun verify = cli("sync verify");
    INFO(verify.out);
    CHECK(verify.code == 0);

    for (const CliRun* run : {&sync, &again, &made, &replaced, &verify}) {
        CHECK(run->out.find(FakeJellyfin::kUserPassword) == std::string::npos);
    }
    CHECK(cli("config show").out.find(FakeJellyfin::kUserPassword) == std::string::npos);
    // The session token the password was exchanged for is kept (0600) and written nowhere else.
    std::string token;
    for (const auto& e : fs::directory_iterator(dir.path() / "data" / "plugins" / "jellyfin")) {
        token = read_file(e.path());
    }
    while (!token.empty() && token.back() == '\n') token.pop_back();
    REQUIRE(token.size() == 32);
    const std::string log = read_file(dir.path() / "data" / "plexmix.log");
    CHECK(log.find(FakeJellyfin::kUserPassword) == std::string::npos);
    CHECK(log.find(token) == std::string::npos);
    for (const CliRun* run : {&sync, &again, &made, &replaced, &verify}) CHECK(run->out.find(token) == std::string::npos);
}

TEST_CASE("jellyfin CLI: config/jellyfin.yaml, the README's example, checks and syncs as shown", "[jellyfin][cli]") {
    FakeJellyfin jf(FakeJellyfinOptions{.tracks = 40});
    TempDir dir;
    ::setenv("JELLYFIN_URL", jf.url().c_str(), 1);
    ::setenv("JELLYFIN_USER", FakeJellyfin::kUser, 1);
    ::setenv("JELLYFIN_PASSWORD", FakeJellyfin::kUserPassword, 1);
    ::setenv("PLEXMIX_DATA_DIR", (dir.path() / "data").c_str(), 1);
    const std::string args = std::string("--config ") + PMX_JELLYFIN_CONFIG_EXAMPLE + " --plugin-path " +
                             fs::path(PMX_JELLYFIN_PLUGIN).parent_path().string() + " ";
    const CliRun check = run_cli(PMX_CLI, args + "config check");
    INFO(check.out);
    CHECK(check.code == 0);
    const CliRun sync = run_cli(PMX_CLI, args + "sync --no-embeddings");
    INFO(sync.out);
    CHECK(sync.code == 0);
    CHECK(sync.out.find("40") != std::string::npos);
    CHECK(sync.out.find(FakeJellyfin::kUserPassword) == std::string::npos);
    ::unsetenv("PLEXMIX_DATA_DIR");
}
