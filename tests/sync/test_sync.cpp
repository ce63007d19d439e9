// Sync tests: the plex plugin loaded from disk, a fake Plex on loopback, a real SQLite store.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include <catch2/catch.hpp>
#include <sqlite3.h>

#include "store/playlist_store.hpp"
#include "store/store.hpp"
#include "support/fake_http_server.hpp"
#include "support/fake_plex.hpp"
#include "support/test_util.hpp"
#include "store/watermarks.hpp"
#include "sync/sync.hpp"
#include "sync_support.hpp"

namespace fs = std::filesystem;
using namespace pmx;
using namespace pmx::test;

TEST_CASE("a full sync mirrors every track, an unchanged incremental reads almost nothing", "[sync]") {
    FakePlexOptions o;
    o.tracks = 1'234;
    FakePlex plex(o);
    TempDir dir;
    auto store = Store::open(dir.path() / "plexmix.db");
    auto provider = plex_provider(plex);

    std::vector<ProgressCall> full_progress;
    const SyncReport first = run_sync(*store, *provider, false, &full_progress);
    INFO(first.error);
    REQUIRE(first.ok);
    CHECK(first.mode == SyncMode::full);
    CHECK(first.added == 1'234);
    CHECK(first.read == 1'234);
    check_counts_add_up(first);
    // A full sync's progress counts up to the libraries' size (Music's 1,234, the empty Hörspiele).
    REQUIRE_FALSE(full_progress.empty());
    for (size_t i = 0; i < full_progress.size(); ++i) {
        CHECK(full_progress[i].total == 1'234);
        CHECK(full_progress[i].done <= full_progress[i].total);
        if (i > 0) CHECK(full_progress[i].done >= full_progress[i - 1].done);
    }
    CHECK(full_progress.back().done == 1'234);
    const auto server = store->find_server(kProvider, plex.machine_identifier());
    REQUIRE(server);
    const ServerStats stats = store->stats(server->id);
    CHECK(stats.tracks == 1'234);
    CHECK(stats.albums == static_cast<int64_t>(plex.album_count()));
    CHECK(stats.artists >= static_cast<int64_t>(plex.artist_count()));
    REQUIRE(stats.last_success);
    CHECK(store->integrity_problems().empty());

    const auto pages_before = plex.track_page_requests();
    const auto album_pages_full = plex.album_page_requests();  // the full sync read them once
    REQUIRE(album_pages_full > 0);
    std::vector<ProgressCall> incremental_progress;
    const SyncReport again = run_sync(*store, *provider, false, &incremental_progress);
    INFO(again.error);
    REQUIRE(again.ok);
    CHECK(again.mode == SyncMode::incremental);
    CHECK(again.added == 0);
    CHECK(again.updated == 0);
    CHECK(again.removed == 0);
    check_counts_add_up(again);
    // The feeds stop at the last sync's changes: how far that is nobody knows beforehand, so
    // no total (not the library's 1,234), and the count is of the tracks actually read.
    REQUIRE_FALSE(incremental_progress.empty());
    for (const ProgressCall& call : incremental_progress) {
        CHECK(call.total == 0);
        CHECK(call.done <= again.read);
    }
    CHECK(incremental_progress.back().done == again.read);
    // Per music section (Music with 1,234 tracks, the empty Hörspiele): its track count (a
    // page of size 0: with contentChangedAt and updatedAt, the change stamp) and one page of
    // each of the four feeds (updated, added, played, rated). The stamps are those of the
    // full sync: no keys-only pass.
    CHECK_FALSE(again.keys_walked);
    CHECK(plex.track_page_requests() - pages_before == 2 + 4 * 2);
    // The four feeds share one read of the album genres, not one each.
    CHECK(plex.album_page_requests() - album_pages_full <= album_pages_full);
    CHECK(again.read <= 2 * 100);

    const VerifyReport verify = verify_source(*store, *provider, kProvider);
    CHECK(verify.ok());
    CHECK(verify.server_tracks == 1'234);
}

TEST_CASE("an incremental sync picks up edits, additions, deletions and re-keys, ids stay stable", "[sync]") {
    FakePlexOptions o;
    o.tracks = 500;
    FakePlex plex(o);
    TempDir dir;
    auto store = Store::open(dir.path() / "plexmix.db");
    auto provider = plex_provider(plex);
    REQUIRE(run_sync(*store, *provider).ok);
    const auto before = mirror(*store, plex.machine_identifier());

    const auto keys = plex.track_keys();
    REQUIRE(plex.set_track_title(keys[10], "Renamed One"));
    REQUIRE(plex.set_track_title(keys[20], "Renamed Two"));
    REQUIRE(plex.delete_track(keys[30]));
    const std::string added = plex.add_track("Brand New Song", keys[40]);
    const std::string rekeyed = plex.rekey_track(keys[50]);

    const SyncReport r = run_sync(*store, *provider);
    INFO(r.error);
    REQUIRE(r.ok);
    CHECK(r.mode == SyncMode::incremental);
    CHECK(r.added == 1);
    CHECK(r.updated == 3);  // two renamed, one re-keyed
    CHECK(r.rekeyed == 1);
    CHECK(r.removed == 1);
    CHECK(r.keys_walked);
    // The new and the renamed tracks come in both the updated and the added feed: read once.
    check_counts_add_up(r);

    const auto after = mirror(*store, plex.machine_identifier());
    CHECK(after.size() == 500);
    CHECK(after.count(keys[30]) == 0);
    CHECK(after.count(added) == 1);
    CHECK(after.at(keys[10]) == before.at(keys[10]));
    CHECK(after.count(keys[50]) == 0);
    CHECK(after.at(rekeyed) == before.at(keys[50]));  // the re-keyed track kept its row id
    CHECK(verify_source(*store, *provider, kProvider).ok());
}

TEST_CASE("the section's change stamp skips the keys pass, yet every change of each kind is caught alone",
          "[sync]") {
    FakePlexOptions o;
    o.tracks = 300;
    FakePlex plex(o);
    TempDir dir;
    auto store = Store::open(dir.path() / "plexmix.db");
    auto provider = plex_provider(plex);
    REQUIRE(run_sync(*store, *provider).ok);
    const auto original = mirror(*store, plex.machine_identifier());
    const auto keys = plex.track_keys();

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
    const auto pages = plex.track_page_requests();
    const SyncReport quiet = sync_checked("nothing changed");
    CHECK_FALSE(quiet.keys_walked);
    CHECK(quiet.added + quiet.updated + quiet.removed == 0);
    // The sync (two counts, four feeds of two sections), then verify (two counts, the keys).
    CHECK(plex.track_page_requests() - pages == (2 + 4 * 2) + (2 + 3 + 1));

    REQUIRE(plex.delete_track(keys[3]));
    const SyncReport deleted = sync_checked("a deletion");
    CHECK(deleted.keys_walked);
    CHECK(deleted.removed == 1);

    const std::string added = plex.add_track("Arrived Alone", keys[4]);
    const SyncReport arrived = sync_checked("an addition");
    CHECK(arrived.added == 1);
    CHECK(arrived.read == arrived.added + arrived.updated + arrived.unchanged);  // counted once, though read twice
    CHECK(mirror(*store, plex.machine_identifier()).count(added) == 1);

    REQUIRE(plex.delete_track(keys[5]));
    plex.add_track("Replacement", keys[6]);
    const SyncReport swapped = sync_checked("a deletion and an addition");
    CHECK(swapped.keys_walked);
    CHECK(swapped.added == 1);
    CHECK(swapped.removed == 1);

    const std::string rekeyed = plex.rekey_track(keys[7]);
    const SyncReport moved = sync_checked("a re-key");
    CHECK(moved.keys_walked);
    CHECK(moved.rekeyed == 1);
    CHECK(moved.removed == 0);
    CHECK(mirror(*store, plex.machine_identifier()).at(rekeyed) == original.at(keys[7]));

    // The edited track has no genres of its own: the feed's head asks for its album's alone
    // (no page of the section's albums), and the mirror keeps the album's genres.
    const auto genres_of = [&](const std::string& key) {
        sqlite3_stmt* raw = nullptr;
        REQUIRE(sqlite3_prepare_v2(store->native_handle(), "SELECT genres FROM tracks WHERE native_key = ?1", -1, &raw,
                                   nullptr) == SQLITE_OK);
        sqlite3_bind_text(raw, 1, key.c_str(), -1, SQLITE_TRANSIENT);
        std::string text;
        if (sqlite3_step(raw) == SQLITE_ROW && sqlite3_column_text(raw, 0) != nullptr) {
            text = reinterpret_cast<const char*>(sqlite3_column_text(raw, 0));
        }
        sqlite3_finalize(raw);
        return text;
    };
    const auto track = plex.find_track(keys[8]);
    REQUIRE(track);
    REQUIRE(track->genres.empty());
    REQUIRE_FALSE(track->album_genres.empty());
    const std::string genres_before = genres_of(keys[8]);
    REQUIRE_FALSE(genres_before.empty());
    const auto album_pages = plex.album_page_requests();
    REQUIRE(plex.set_track_title(keys[8], "Edited Alone"));
    const SyncReport edited = sync_checked("an edit");
    CHECK(edited.updated == 1);
    CHECK(edited.removed == 0);
    CHECK(genres_of(keys[8]) == genres_before);
    CHECK(plex.album_page_requests() == album_pages);

    // Ratings and plays are the user's: contentChangedAt does not move, the feeds bring them.
    REQUIRE(plex.set_user_rating(keys[9], 6.0));
    REQUIRE(plex.play_track(keys[10]));
    const SyncReport listened = sync_checked("a rating and a play");
    CHECK_FALSE(listened.keys_walked);
    CHECK(listened.updated == 2);
}

TEST_CASE("a sync records the mirror's watermarks for the next one, a run without them computes them from the rows",
          "[sync]") {
    FakePlexOptions o;
    o.tracks = 250;
    FakePlex plex(o);
    TempDir dir;
    auto store = Store::open(dir.path() / "plexmix.db");
    auto provider = plex_provider(plex);
    const auto keys = plex.track_keys();
    REQUIRE(plex.set_user_rating(keys[1], 8.0));
    REQUIRE(plex.play_track(keys[2]));
    REQUIRE(run_sync(*store, *provider).ok);
    const auto server = store->find_server(kProvider, plex.machine_identifier());
    REQUIRE(server);
    const auto same_marks = [&](const char* when) {
        INFO(when);
        const auto run = store->last_run(server->id, RunStatus::success);
        REQUIRE(run);
        REQUIRE(run->marks);
        const Watermarks rows = watermarks(*store, server->id);
        CHECK(run->marks->updated_at == rows.updated_at);
        CHECK(run->marks->added_at == rows.added_at);
        CHECK(run->marks->last_played_at == rows.last_played_at);
        CHECK(run->marks->last_rated_at == rows.last_rated_at);
        CHECK(run->marks->has_favourites == rows.has_favourites);
        CHECK(rows.last_played_at > 0);
        CHECK(rows.last_rated_at > 0);
    };
    same_marks("after the full sync");

    REQUIRE(plex.set_track_title(keys[3], "Retitled"));
    REQUIRE(plex.play_track(keys[4]));
    REQUIRE(plex.set_user_rating(keys[5], 2.0));
    plex.add_track("Newcomer", keys[6]);
    const SyncReport r = run_sync(*store, *provider);
    REQUIRE(r.ok);
    CHECK(r.added == 1);
    CHECK(r.updated == 3);
    same_marks("after an incremental sync");

    // A database whose last run predates the marks (store v10): they come from the rows, and
    // the next changes are still found.
    REQUIRE(sqlite3_exec(store->native_handle(),
                         "UPDATE sync_runs SET mark_updated_at = NULL, mark_added_at = NULL, mark_played_at = NULL, "
                         "mark_rated_at = NULL, mark_favourites = NULL",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
    REQUIRE(plex.set_track_title(keys[7], "Retitled Again"));
    REQUIRE(plex.play_track(keys[8]));
    const SyncReport old = run_sync(*store, *provider);
    REQUIRE(old.ok);
    CHECK(old.updated == 2);
    CHECK(old.read < 20);  // the feeds stopped at the rows' marks
    same_marks("after a run that started without recorded marks");
}

TEST_CASE("without change stamps, or with a mirror that lost a row, every incremental sync walks the keys",
          "[sync]") {
    FakePlexOptions o;
    o.tracks = 200;
    o.content_changed_at = false;  // an old server
    FakePlex old_server(o);
    TempDir dir;
    auto store = Store::open(dir.path() / "plexmix.db");
    auto provider = plex_provider(old_server);
    REQUIRE(run_sync(*store, *provider).ok);
    const SyncReport quiet = run_sync(*store, *provider);
    REQUIRE(quiet.ok);
    CHECK(quiet.keys_walked);
    REQUIRE(old_server.delete_track(old_server.track_keys()[0]));
    const SyncReport deleted = run_sync(*store, *provider);
    REQUIRE(deleted.ok);
    CHECK(deleted.removed == 1);

    FakePlexOptions n;
    n.tracks = 200;
    FakePlex plex(n);
    TempDir other;
    auto mirror_store = Store::open(other.path() / "plexmix.db");
    auto current = plex_provider(plex);
    REQUIRE(run_sync(*mirror_store, *current).ok);
    REQUIRE(sqlite3_exec(mirror_store->native_handle(), "DELETE FROM tracks WHERE id = (SELECT max(id) FROM tracks)",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
    const SyncReport short_mirror = run_sync(*mirror_store, *current);
    REQUIRE(short_mirror.ok);
    CHECK(short_mirror.keys_walked);  // the stamps agree, but the mirror does not hold that many tracks
}

TEST_CASE("an incremental sync picks up ratings and plays, which do not move updatedAt", "[sync]") {
    FakePlexOptions o;
    o.tracks = 400;
    FakePlex plex(o);
    TempDir dir;
    auto store = Store::open(dir.path() / "plexmix.db");
    auto provider = plex_provider(plex, 50);
    REQUIRE(run_sync(*store, *provider).ok);

    const auto keys = plex.track_keys();
    const std::string rated = keys[100], unrated = keys[200], played = keys[300];
    REQUIRE(plex.set_user_rating(rated, 9.0));
    REQUIRE(plex.set_user_rating(unrated, std::nullopt));
    REQUIRE(plex.play_track(played));
    REQUIRE(plex.play_track(played));
    const auto before_play = plex.find_track(played);
    REQUIRE(before_play);

    const SyncReport r = run_sync(*store, *provider);
    INFO(r.error);
    REQUIRE(r.ok);
    CHECK(r.mode == SyncMode::incremental);
    CHECK(r.updated >= 2);  // `unrated` counts only if it had a rating before
    CHECK(r.read < 50);     // the feeds stop at the watermarks: a few items, not the library
    check_counts_add_up(r);

    const auto column = [&](const std::string& key, const char* name) -> std::optional<int64_t> {
        sqlite3_stmt* raw = nullptr;
        const std::string sql = std::string("SELECT ") + name + " FROM tracks WHERE native_key = ?";
        REQUIRE(sqlite3_prepare_v2(store->native_handle(), sql.c_str(), -1, &raw, nullptr) == SQLITE_OK);
        sqlite3_bind_text(raw, 1, key.c_str(), -1, SQLITE_TRANSIENT);
        std::optional<int64_t> value;
        if (sqlite3_step(raw) == SQLITE_ROW && sqlite3_column_type(raw, 0) != SQLITE_NULL) {
            value = sqlite3_column_int64(raw, 0);
        }
        sqlite3_finalize(raw);
        return value;
    };
    CHECK(column(rated, "user_rating") == 9);
    CHECK_FALSE(column(unrated, "user_rating").has_value());
    CHECK(column(played, "play_count") == static_cast<int64_t>(before_play->view_count.value_or(0)));
    CHECK(column(played, "last_played_at") == before_play->last_viewed_at);
    CHECK(verify_source(*store, *provider, kProvider).ok());
}

TEST_CASE("a server that dies mid-sync leaves the previous mirror exactly as it was", "[sync]") {
    FakePlexOptions o;
    o.tracks = 800;
    FakePlex plex(o);
    TempDir dir;
    auto store = Store::open(dir.path() / "plexmix.db");
    auto provider = plex_provider(plex);

    SECTION("the first sync: nothing is left behind") {
        plex.fault_after_track_pages(3, FakePlexFault::truncate);
        const SyncReport r = run_sync(*store, *provider);
        CHECK_FALSE(r.ok);
        CHECK(r.status == "failed");
        CHECK_FALSE(r.error.empty());
        CHECK(r.read + r.added + r.updated + r.unchanged + r.removed == 0);  // nothing was written
        CHECK(mirror(*store, plex.machine_identifier()).empty());
        const auto server = store->find_server(kProvider, plex.machine_identifier());
        REQUIRE(server);
        const ServerStats stats = store->stats(server->id);
        REQUIRE(stats.last_failure);
        CHECK(stats.last_failure->status == RunStatus::failed);
        CHECK_FALSE(stats.last_success);
    }
    SECTION("a later full sync: the earlier mirror survives untouched") {
        REQUIRE(run_sync(*store, *provider).ok);
        const auto before = mirror(*store, plex.machine_identifier());
        const auto keys = plex.track_keys();
        plex.set_track_title(keys[0], "Changed Before The Crash");
        plex.fault_after_track_pages(5, FakePlexFault::die);
        const SyncReport r = run_sync(*store, *provider, /*full=*/true);
        CHECK_FALSE(r.ok);
        CHECK(mirror(*store, plex.machine_identifier()) == before);
        CHECK(store->integrity_problems().empty());
    }
}

TEST_CASE("a pass that would delete more than half the mirror is refused unless --full", "[sync]") {
    FakePlexOptions o;
    o.tracks = 300;
    FakePlex plex(o);
    TempDir dir;
    auto store = Store::open(dir.path() / "plexmix.db");
    auto provider = plex_provider(plex);
    REQUIRE(run_sync(*store, *provider).ok);
    const auto keys = plex.track_keys();
    for (size_t i = 0; i < 200; ++i) REQUIRE(plex.delete_track(keys[i]));

    const SyncReport refused = run_sync(*store, *provider);
    CHECK_FALSE(refused.ok);
    CHECK(refused.error.find("would delete 200 of 300") != std::string::npos);
    CHECK(refused.error.find("plexmix sync --full") != std::string::npos);
    CHECK(mirror(*store, plex.machine_identifier()).size() == 300);

    const SyncReport full = run_sync(*store, *provider, /*full=*/true);
    INFO(full.error);
    REQUIRE(full.ok);
    CHECK(full.removed == 200);
    CHECK(mirror(*store, plex.machine_identifier()).size() == 100);
}

TEST_CASE("a changed server identity is reported and mirrored apart", "[sync]") {
    FakePlexOptions o;
    o.tracks = 120;
    FakePlex plex(o);
    TempDir dir;
    auto store = Store::open(dir.path() / "plexmix.db");
    auto provider = plex_provider(plex);
    REQUIRE(run_sync(*store, *provider).ok);
    const std::string old_identity = plex.machine_identifier();
    plex.set_machine_identifier("new-machine-identifier-0001");

    const SyncReport r = run_sync(*store, *provider);
    INFO(r.error);
    REQUIRE(r.ok);
    CHECK(r.mode == SyncMode::full);  // a new server: nothing to be incremental against
    REQUIRE(r.notes.size() == 1);
    CHECK(r.notes[0].find(old_identity) != std::string::npos);
    CHECK(store->servers_of_provider(kProvider).size() == 2);
    CHECK(mirror(*store, old_identity).size() == 120);
    CHECK(mirror(*store, "new-machine-identifier-0001").size() == 120);
    const auto old_ids = mirror(*store, old_identity);
    const auto new_ids = mirror(*store, "new-machine-identifier-0001");
    CHECK(old_ids.begin()->second != new_ids.begin()->second);
}


TEST_CASE("the CLI: sync, status --json, sync verify, the token never shows", "[sync][cli]") {
    FakePlexOptions o;
    o.tracks = 240;
    FakePlex plex(o);
    TempDir dir;
    const std::string args = cli_args(write_config(dir, plex));

    CliRun sync = run_plexmix(args + " sync");
    INFO(sync.out);
    CHECK(sync.code == 0);
    CHECK(sync.out.find("full sync done") != std::string::npos);
    CHECK(sync.out.find(plex.token()) == std::string::npos);

    CliRun status = run_plexmix(args + " status --json");
    CHECK(status.code == 0);
    CHECK(status.out.find("\"tracks\": 240") != std::string::npos);

    CliRun verify = run_plexmix(args + " sync verify");
    CHECK(verify.code == 0);
    CHECK(verify.out.find("the mirror matches the server") != std::string::npos);

    REQUIRE(plex.delete_track(plex.track_keys()[7]));
    CliRun differs = run_plexmix(args + " sync verify");
    CHECK(differs.code == 1);
    CHECK(differs.out.find("1 in the mirror but gone from the server") != std::string::npos);

    const auto mode = fs::status(dir.path() / "data").permissions();
    CHECK((mode & fs::perms::all) == fs::perms::owner_all);
    std::ifstream log(dir.path() / "data" / "plexmix.log");
    const std::string log_text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
    CHECK(log_text.find(plex.token()) == std::string::npos);
}

TEST_CASE("the CLI: a failure is told once, on stderr, results go to stdout, the log file keeps it",
          "[sync][cli]") {
    FakePlexOptions o;
    o.tracks = 120;
    FakePlex plex(o);
    TempDir dir;
    const std::string args = cli_args(write_config(dir, plex));
    const auto cli = [&](const std::string& words) { return pmx::test::run_cli_streams(PMX_CLI, args + " " + words); };

    plex.fault_after_track_pages(2, FakePlexFault::status, 500);  // after the two sections' counts
    const auto failed = cli("sync");
    INFO("stdout:\n" << failed.out << "stderr:\n" << failed.err);
    CHECK(failed.code == 1);
    CHECK(failed.out.empty());
    CHECK(pmx::test::count_of(failed.err, "full sync failed") == 1);
    CHECK(pmx::test::count_of(failed.err, "fault injected by FakePlex") == 1);
    std::ifstream log(dir.path() / "data" / "plexmix.log");
    const std::string log_text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
    CHECK_THAT(log_text, Catch::Contains("[warning]") && Catch::Contains("sync of home failed: scanning library") &&
                             Catch::Contains("fault injected by FakePlex"));

    const auto cannot_verify = cli("sync verify");
    CHECK(cannot_verify.code == 1);
    CHECK(cannot_verify.out.empty());
    CHECK(pmx::test::count_of(cannot_verify.err, "could not verify") == 1);

    plex.clear_faults();
    const auto done = cli("sync");
    INFO("stdout:\n" << done.out << "stderr:\n" << done.err);
    CHECK(done.code == 0);
    CHECK_THAT(done.out, Catch::Contains("home: full sync done"));
    CHECK_THAT(done.err, !Catch::Contains("sync done"));
    const auto verified = cli("sync verify");
    CHECK(verified.code == 0);
    CHECK_THAT(verified.out, Catch::Contains("the mirror matches the server"));
    CHECK(verified.err.empty());
}

TEST_CASE("Ctrl+C during a sync exits 130 and leaves the mirror as it was", "[sync][cli]") {
    FakePlexOptions o;
    o.tracks = 400;
    FakePlex plex(o);
    TempDir dir;
    const fs::path config = write_config(dir, plex);
    REQUIRE(run_plexmix(cli_args(config) + " sync").code == 0);
    const auto store_path = dir.path() / "data" / "plexmix.db";
    std::map<std::string, int64_t> before;
    {
        auto store = Store::open(store_path);
        before = mirror(*store, plex.machine_identifier());
    }
    REQUIRE(before.size() == 400);

    plex.set_page_delay(std::chrono::milliseconds(300));
    const auto pages = plex.track_page_requests();
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        const std::string cmd = std::string(PMX_CLI) + " " + cli_args(config) + " sync --full >/dev/null 2>&1";
        execl("/bin/sh", "sh", "-c", ("exec " + cmd).c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    // Wait (without sleeping a guess) until the sync is reading pages, then interrupt it.
    REQUIRE(plex.http().wait_for_requests(plex.http().request_count() + 1, std::chrono::seconds(10)));
    while (plex.track_page_requests() < pages + 2) {
        REQUIRE(plex.http().wait_for_requests(plex.http().request_count() + 1, std::chrono::seconds(10)));
    }
    REQUIRE(kill(child, SIGINT) == 0);
    int status = 0;
    REQUIRE(waitpid(child, &status, 0) == child);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 130);

    auto store = Store::open(store_path);
    CHECK(mirror(*store, plex.machine_identifier()) == before);
    const auto server = store->find_server(kProvider, plex.machine_identifier());
    REQUIRE(server);
    const auto last = store->last_run(server->id);
    REQUIRE(last);
    CHECK(last->status == RunStatus::interrupted);
}

TEST_CASE("the CLI: a password in the server URL shows in no output, log, error or column", "[sync][cli][secret]") {
    const std::string password = "s3cretpass";
    const std::string scheme = "http://";
    const auto with_password = [&](const std::string& url) {
        REQUIRE(url.rfind(scheme, 0) == 0);
        return scheme + "plexuser:" + password + "@" + url.substr(scheme.size());
    };
    const auto file_text = [](const fs::path& path) {
        std::ifstream in(path, std::ios::binary);
        return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    };
    FakePlexOptions o;
    o.tracks = 60;
    FakePlex plex(o);
    TempDir dir;
    const fs::path config = dir.path() / "plexmix.yaml";
    const auto write_config_with = [&](const std::string& url, const std::string& token) {
        std::ofstream(config) << "data_dir: " << (dir.path() / "data").string() << "\n"
                              << "providers:\n  home: { plugin: plex, url: '" << url << "', token: " << token
                              << ", page_size: 50, retries: 0 }\n"
                              << "use: { media: [home] }\n";
    };
    const std::string args = cli_args(config);

    write_config_with(with_password(plex.url()), plex.token());
    const CliRun show = run_plexmix(args + " config show");
    INFO(show.out);
    CHECK(show.code == 0);
    CHECK(show.out.find(password) == std::string::npos);
    CHECK(show.out.find("url: http://***@127.0.0.1:") != std::string::npos);

    // Syncs that fail: the server refuses the token, then nothing listens at all. Both end
    // with an error that names the URL, on stdout and in the log.
    write_config_with(with_password(plex.url()), "not-the-token-0000");
    const CliRun refused = run_plexmix(args + " -v sync");
    INFO(refused.out);
    CHECK(refused.code == 1);
    CHECK(refused.out.find("127.0.0.1") != std::string::npos);
    CHECK(refused.out.find(password) == std::string::npos);
    std::string closed_url;
    {
        FakePlex gone;
        closed_url = gone.url();
    }
    write_config_with(with_password(closed_url), plex.token());
    const CliRun unreachable = run_plexmix(args + " -v sync");
    INFO(unreachable.out);
    CHECK(unreachable.code == 1);
    CHECK(unreachable.out.find(password) == std::string::npos);

    // A sync that succeeds stores the URL without its credentials.
    write_config_with(with_password(plex.url()), plex.token());
    const CliRun sync = run_plexmix(args + " -vv sync");
    CHECK(sync.code == 0);
    CHECK(sync.out.find(password) == std::string::npos);
    {
        auto store = Store::open(dir.path() / "data" / "plexmix.db");
        sqlite3_stmt* raw = nullptr;
        REQUIRE(sqlite3_prepare_v2(store->native_handle(), "SELECT url FROM servers WHERE provider = ?", -1, &raw,
                                   nullptr) == SQLITE_OK);
        sqlite3_bind_text(raw, 1, kProvider, -1, SQLITE_STATIC);
        REQUIRE(sqlite3_step(raw) == SQLITE_ROW);
        CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(raw, 0))) == plex.url());
        sqlite3_finalize(raw);
    }

    const std::string log_text = file_text(dir.path() / "data" / "plexmix.log");
    CHECK(log_text.find("http://***@127.0.0.1:") != std::string::npos);  // the URL is logged, masked
    CHECK(log_text.find(password) == std::string::npos);
    for (const auto& entry : fs::directory_iterator(dir.path() / "data")) {  // the database, its WAL, rotated logs
        INFO(entry.path());
        CHECK(file_text(entry.path()).find(password) == std::string::npos);
    }
}

TEST_CASE("status shows a first sync that never reached its server, until one does", "[sync][cli][status]") {
    TempDir dir;
    std::string dead_url;
    {
        pmx::test::FakeHttpServer gone;  // a loopback port nobody listens on once it stops
        dead_url = gone.url();
    }
    const fs::path config = write_config(dir, dead_url, "a-token");
    const std::string args = cli_args(config);
    const auto cli = [&](const std::string& words) { return pmx::test::run_cli_streams(PMX_CLI, args + " " + words); };

    const auto sync = cli("sync");
    INFO("stdout:\n" << sync.out << "stderr:\n" << sync.err);
    REQUIRE(sync.code == 1);
    CHECK_THAT(sync.err, Catch::Contains("asking the server who it is"));

    const auto status = cli("status");
    INFO("stdout:\n" << status.out << "stderr:\n" << status.err);
    CHECK(status.code == 0);
    CHECK_THAT(status.out, Catch::Contains("home (plex)") && Catch::Contains("nothing mirrored yet") &&
                               Catch::Contains(dead_url + "/identity") &&
                               Catch::Contains("last failure") && Catch::Contains("failed: asking the server who it is") &&
                               !Catch::Contains("run 'plexmix sync'"));
    const auto json = cli("status --json");
    CHECK(json.code == 0);
    CHECK_THAT(json.out, Catch::Contains("\"unreached\"") && Catch::Contains("\"provider\": \"home\"") &&
                             Catch::Contains("\"status\": \"failed\"") && Catch::Contains("asking the server who it is"));

    // The server comes up (at another address): the failure is history.
    FakePlexOptions o;
    o.tracks = 60;
    FakePlex plex(o);
    write_config(dir, plex);
    REQUIRE(cli("sync").code == 0);
    const auto after = cli("status");
    CHECK(after.code == 0);
    CHECK_THAT(after.out, Catch::Contains("tracks 60") && !Catch::Contains("failure") && !Catch::Contains("not reach"));
}

TEST_CASE("status of a database that is not plexmix's or is damaged: exit 1, a message naming it, no output",
          "[sync][cli][status]") {
    FakePlexOptions o;
    o.tracks = 300;
    FakePlex plex(o);
    TempDir dir;
    const std::string args = cli_args(write_config(dir, plex));
    const auto cli = [&](const std::string& words) { return pmx::test::run_cli_streams(PMX_CLI, args + " " + words); };
    const fs::path db = dir.path() / "data" / "plexmix.db";

    SECTION("garbage") {
        fs::create_directories(db.parent_path());
        std::ofstream(db, std::ios::binary) << std::string(4096, 'x');
        for (const char* words : {"status", "status --json"}) {
            const auto status = cli(words);
            INFO(words << "\nstdout:\n" << status.out << "stderr:\n" << status.err);
            CHECK(status.code == 1);
            CHECK(status.out.empty());
            CHECK_THAT(status.err, Catch::Contains(db.string()) && Catch::Contains("not a database"));
        }
    }
    SECTION("pages of its tables overwritten") {
        REQUIRE(cli("sync --no-embeddings").code == 0);
        // The pages at the roots of the mirror's tables: the servers stay readable, their
        // tracks, albums, artists and runs do not.
        std::vector<int64_t> roots;
        int64_t page_size = 0;
        {
            sqlite3* raw = nullptr;
            REQUIRE(sqlite3_open(db.c_str(), &raw) == SQLITE_OK);
            sqlite3_stmt* q = nullptr;
            REQUIRE(sqlite3_prepare_v2(raw,
                                       "SELECT rootpage FROM sqlite_schema WHERE tbl_name IN "
                                       "('tracks', 'albums', 'artists', 'sync_runs') AND rootpage > 0",
                                       -1, &q, nullptr) == SQLITE_OK);
            while (sqlite3_step(q) == SQLITE_ROW) roots.push_back(sqlite3_column_int64(q, 0));
            sqlite3_finalize(q);
            REQUIRE(sqlite3_prepare_v2(raw, "PRAGMA page_size", -1, &q, nullptr) == SQLITE_OK);
            REQUIRE(sqlite3_step(q) == SQLITE_ROW);
            page_size = sqlite3_column_int64(q, 0);
            sqlite3_finalize(q);
            sqlite3_close(raw);  // the last connection: the WAL is checkpointed into the file
        }
        REQUIRE_FALSE(roots.empty());
        REQUIRE_FALSE(fs::exists(db.string() + "-wal"));
        {
            std::fstream file(db, std::ios::in | std::ios::out | std::ios::binary);
            for (const int64_t page : roots) {
                file.seekp((page - 1) * page_size);
                file << std::string(static_cast<size_t>(page_size), '\xff');
            }
        }
        for (const char* words : {"status", "status --json"}) {
            const auto status = cli(words);
            INFO(words << "\nstdout:\n" << status.out << "stderr:\n" << status.err);
            CHECK(status.code == 1);
            CHECK(status.out.empty());
            CHECK_THAT(status.err, Catch::Contains("cannot read the mirror in " + db.string()));
        }
    }
}

TEST_CASE("playlists export and show say how many tracks a later sync took out of a playlist",
          "[sync][cli][playlists]") {
    FakePlexOptions o;
    o.tracks = 80;
    FakePlex plex(o);
    TempDir dir;
    const std::string args = cli_args(write_config(dir, plex));
    const auto cli = [&](const std::string& words) { return pmx::test::run_cli_streams(PMX_CLI, args + " " + words); };
    REQUIRE(cli("sync").code == 0);

    // A playlist of five tracks, saved as `create --no-publish` saves one.
    const auto keys = plex.track_keys();
    {
        auto store = Store::open(dir.path() / "data" / "plexmix.db");
        const auto server = store->find_server(kProvider, plex.machine_identifier());
        REQUIRE(server);
        const auto ids = mirror(*store, plex.machine_identifier());
        PlaylistSave save;
        save.server_id = server->id;
        save.name = "Kept";
        save.prompt = "five songs";
        for (size_t i = 0; i < 5; ++i) save.track_ids.push_back(ids.at(keys[i]));
        PlaylistStore(*store).save(save);
    }
    const auto whole = cli("playlists export Kept");
    REQUIRE(whole.code == 0);
    CHECK(whole.err.empty());
    CHECK(pmx::test::count_of(whole.out, "#EXTINF:") == 5);

    REQUIRE(plex.delete_track(keys[1]));
    REQUIRE(plex.delete_track(keys[4]));  // the last one too: nothing in the rest shows it
    REQUIRE(cli("sync").code == 0);

    const auto m3u = cli("playlists export Kept");
    INFO("stdout:\n" << m3u.out << "stderr:\n" << m3u.err);
    CHECK(m3u.code == 0);
    CHECK(pmx::test::count_of(m3u.out, "#EXTINF:") == 3);
    CHECK_THAT(m3u.out, Catch::Contains("# 2 of the 5 tracks of this playlist are no longer in the library"));
    CHECK_THAT(m3u.err, Catch::Contains("playlist \"Kept\": 2 of its 5 tracks are no longer in the library"));

    const fs::path file = dir.path() / "kept.json";
    const auto json = cli("playlists export Kept --format json --output " + file.string());
    INFO("stdout:\n" << json.out << "stderr:\n" << json.err);
    CHECK(json.code == 0);
    CHECK_THAT(json.out, Catch::Contains("Wrote 3 tracks to " + file.string()));
    CHECK_THAT(json.err, Catch::Contains("2 of its 5 tracks are no longer in the library"));
    std::ifstream in(file);
    const std::string exported((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK_THAT(exported, Catch::Contains("\"saved_tracks\": 5") && Catch::Contains("\"dropped_tracks\": 2"));

    const auto show = cli("playlists show Kept");
    CHECK(show.code == 0);
    CHECK_THAT(show.out, Catch::Contains("Kept — 3 tracks") && Catch::Contains("2 of its 5 tracks are no longer in the library"));
}
