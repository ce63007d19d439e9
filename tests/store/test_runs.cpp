// Servers and sync-run bookkeeping: upsert_server, runs, last_run, stats.
// No sleeping: the store stamps rows with the wall clock, so tests bracket each call with
// readings of that clock, and move stored times into the past to make gaps deterministic.
#include <chrono>

#include "support.hpp"

using namespace pmx;
using namespace pmx::test;

namespace {

int64_t now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

constexpr int64_t kLongAgoMs = 1'000'000'000'000;  // 2001: before any stamp this test makes

}  // namespace

TEST_CASE("upsert_server keeps the id, updates the details, and tells identities apart", "[store][servers]") {
    auto store = Store::open_in_memory();
    const int64_t before = now_ms();
    const int64_t id = store->upsert_server("home", "plex", ServerInfo{"machine-1", "Den", "1.0", "Plex Media Server"},
                                            "http://10.0.0.1:32400");
    const auto first = store->find_server("home", "machine-1");
    REQUIRE(first);
    CHECK(first->id == id);
    CHECK(first->name == "Den");
    CHECK(first->first_seen_ms >= before);
    CHECK(first->first_seen_ms <= now_ms());
    CHECK(first->last_seen_ms == first->first_seen_ms);

    // Seen long ago: upserting again moves last_seen to now and keeps first_seen.
    exec(*store, "UPDATE servers SET first_seen = " + std::to_string(kLongAgoMs) + ", last_seen = " +
                     std::to_string(kLongAgoMs));
    const int64_t again = now_ms();
    CHECK(store->upsert_server("home", "plex", ServerInfo{"machine-1", "Attic", "1.1", "Plex Media Server"},
                               "http://10.0.0.2:32400") == id);
    const auto second = store->server(id);
    REQUIRE(second);
    CHECK(second->name == "Attic");
    CHECK(second->version == "1.1");
    CHECK(second->url == "http://10.0.0.2:32400");
    CHECK(second->first_seen_ms == kLongAgoMs);
    CHECK(second->last_seen_ms >= again);
    CHECK(second->last_seen_ms <= now_ms());

    // The server behind "home" was replaced: a new row, the old one kept apart (and last seen
    // long ago, so that "most recently seen" cannot tie within a millisecond).
    exec(*store, "UPDATE servers SET last_seen = " + std::to_string(kLongAgoMs));
    const int64_t replaced = store->upsert_server("home", "plex", ServerInfo{"machine-9", "New", "1.2", "Plex"}, "http://x");
    CHECK(replaced != id);
    const auto servers = store->servers_of_provider("home");
    REQUIRE(servers.size() == 2);
    CHECK(servers[0].identity == "machine-9");  // most recently seen first
    CHECK(servers[1].identity == "machine-1");
    CHECK(store->servers_of_provider("cabin").empty());
    CHECK_FALSE(store->find_server("cabin", "machine-1"));
}

TEST_CASE("a sync run records its mode, status, counts, error and duration", "[store][runs]") {
    auto store = Store::open_in_memory();
    const int64_t server = add_server(*store);
    CHECK_FALSE(store->last_run(server));

    const int64_t run = store->start_run(server, RunMode::full);
    auto running = store->last_run(server);
    REQUIRE(running);
    CHECK(running->id == run);
    CHECK(running->status == RunStatus::running);
    CHECK(running->mode == RunMode::full);
    CHECK_FALSE(running->finished_ms);
    CHECK_FALSE(running->duration_ms());

    // Started 20 s ago (moved back rather than waited for): the duration is finish - start.
    constexpr int64_t kRunMs = 20'000;
    exec(*store, "UPDATE sync_runs SET started_at = started_at - " + std::to_string(kRunMs));
    const int64_t started = store->last_run(server)->started_ms;
    const int64_t finishing = now_ms();
    store->finish_run(run, RunStatus::success, 10, 2, 1);
    const auto done = store->last_run(server, RunStatus::success);
    REQUIRE(done);
    CHECK(done->added == 10);
    CHECK(done->updated == 2);
    CHECK(done->removed == 1);
    CHECK(done->error.empty());
    REQUIRE(done->finished_ms);
    CHECK(*done->finished_ms >= finishing);
    CHECK(*done->finished_ms <= now_ms());
    REQUIRE(done->duration_ms());
    CHECK(*done->duration_ms() == *done->finished_ms - started);
    CHECK(*done->duration_ms() >= kRunMs);

    const int64_t failed = store->start_run(server, RunMode::incremental);
    store->finish_run(failed, RunStatus::failed, 0, 0, 0, "server went away at page 3");
    CHECK(store->last_run(server)->id == failed);
    CHECK(store->last_run(server)->mode == RunMode::incremental);
    CHECK(store->last_run(server, RunStatus::success)->id == run);
    CHECK(store->last_run(server, RunStatus::failed)->error == "server went away at page 3");
    CHECK_FALSE(store->last_run(server, RunStatus::partial));
}

TEST_CASE("runs left running by a dead process can be marked interrupted", "[store][runs]") {
    auto store = Store::open_in_memory();
    const int64_t server = add_server(*store);
    const int64_t other = add_server(*store, "cabin", "machine-2");
    store->start_run(server, RunMode::full);
    store->start_run(other, RunMode::full);
    CHECK(store->interrupt_stale_runs(server, "the process ended during the run") == 1);
    CHECK(store->last_run(server)->status == RunStatus::interrupted);
    CHECK(store->last_run(server)->error == "the process ended during the run");
    CHECK(store->last_run(other)->status == RunStatus::running);
}

TEST_CASE("stats count the server's mirror and report the last success and failure", "[store][runs]") {
    auto store = Store::open_in_memory();
    const int64_t server = add_server(*store);
    const int64_t other = add_server(*store, "cabin", "machine-2");
    TrackRecord second_album = sample_track("3");
    second_album.album_key = "album-2";
    write_tracks(*store, server, {sample_track("1"), sample_track("2"), second_album});
    write_track(*store, other, sample_track("1"));
    const int64_t ok = store->start_run(server, RunMode::full);
    store->finish_run(ok, RunStatus::success, 3, 0, 0);
    const int64_t bad = store->start_run(server, RunMode::incremental);
    store->finish_run(bad, RunStatus::interrupted, 0, 0, 0, "interrupted by the user");
    store->finish_run(store->start_run(server, RunMode::incremental), RunStatus::partial, 1, 0, 0, "1 page skipped");

    const ServerStats stats = store->stats(server);
    CHECK(stats.tracks == 3);
    CHECK(stats.albums == 2);
    CHECK(stats.artists == 1);
    REQUIRE(stats.last_success);
    CHECK(stats.last_success->id == ok);
    CHECK(stats.last_success->duration_ms());
    REQUIRE(stats.last_failure);
    CHECK(stats.last_failure->id == bad);
    CHECK(stats.last_failure->error == "interrupted by the user");

    const ServerStats empty = store->stats(add_server(*store, "new", "machine-3"));
    CHECK(empty.tracks == 0);
    CHECK_FALSE(empty.last_success);
    CHECK_FALSE(empty.last_failure);
}

TEST_CASE("a sync that never reached its server is kept per provider until one does", "[store][runs]") {
    auto store = Store::open_in_memory();
    CHECK_FALSE(store->unreached_sync("home"));
    store->record_unreached_sync({"home", "plex", 1000, RunStatus::failed, "connect: refused"});
    store->record_unreached_sync({"home", "plex", 2000, RunStatus::interrupted, "cancelled"});
    store->record_unreached_sync({"cabin", "jellyfin", 1500, RunStatus::failed, "timeout"});
    const auto home = store->unreached_sync("home");
    REQUIRE(home);  // the latest one
    CHECK(home->plugin == "plex");
    CHECK(home->started_ms == 2000);
    CHECK(home->status == RunStatus::interrupted);
    CHECK(home->error == "cancelled");
    store->clear_unreached_sync("home");
    CHECK_FALSE(store->unreached_sync("home"));
    REQUIRE(store->unreached_sync("cabin"));
    CHECK(store->unreached_sync("cabin")->error == "timeout");
}

TEST_CASE("run modes and statuses round-trip through their names", "[store][runs]") {
    for (const RunStatus status :
         {RunStatus::running, RunStatus::success, RunStatus::failed, RunStatus::interrupted, RunStatus::partial}) {
        CHECK(parse_run_status(to_string(status)) == status);
    }
    CHECK(parse_run_mode("incremental") == RunMode::incremental);
    CHECK(parse_run_mode(to_string(RunMode::full)) == RunMode::full);
    CHECK_FALSE(parse_run_status("done"));
}
