// Sync under faults: sinks that throw, a store that fails mid-scan, retries against a flaky server.
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>
#include <sqlite3.h>

#include "store/sqlite.hpp"
#include "sync_support.hpp"

using namespace pmx;
using namespace pmx::test;

TEST_CASE("a track sink that throws stops the plugin, the exception reaches the caller once it returned", "[sync][sink]") {
    FakePlexOptions o;
    o.tracks = 300;
    FakePlex plex(o);
    auto provider = plex_provider(plex, 100);
    LibraryInfo music;
    std::vector<LibraryInfo> libraries;
    REQUIRE(provider->list_libraries(&libraries).ok());
    for (const auto& l : libraries) {
        if (l.key == FakePlex::kMusicSection) music = l;
    }
    REQUIRE(!music.key.empty());

    const auto pages = plex.track_page_requests();
    size_t seen = 0;
    ScanPage page;
    CHECK_THROWS_WITH(provider->scan_page(music.key, "", PMX_SCAN_ORDER_ANY, 0, &page,
                                          [&](const TrackRecord&) -> bool {
                                              if (++seen == 3) throw std::runtime_error("the sink failed");
                                              return true;
                                          }),
                      "the sink failed");
    CHECK(seen == 3);                                  // the plugin stopped at the first refusal
    CHECK(plex.track_page_requests() - pages == 1);    // and the call was not retried
    // The provider still works afterwards.
    ScanPage again;
    REQUIRE(provider->scan_page(music.key, "", PMX_SCAN_ORDER_ANY, 0, &again).ok());
    CHECK(again.tracks.size() == 100);
}

TEST_CASE("a store write that fails during a sync ends the run as failed and leaves the mirror as it was", "[sync][sink]") {
    FakePlexOptions o;
    o.tracks = 250;
    FakePlex plex(o);
    TempDir dir;
    auto store = Store::open(dir.path() / "plexmix.db");
    auto provider = plex_provider(plex, 100);
    REQUIRE(run_sync(*store, *provider).ok);
    const auto before = mirror(*store, plex.machine_identifier());
    REQUIRE(before.size() == 250);

    // The 2nd new track fails to insert, as a full disk would make it.
    sql::exec(store->native_handle(),
              "CREATE TEMP TRIGGER fail_insert BEFORE INSERT ON tracks "
              "WHEN (SELECT count(*) FROM tracks) > 250 BEGIN SELECT RAISE(FAIL, 'simulated disk full'); END");
    plex.add_track("New one");
    plex.add_track("New two");
    const SyncReport r = run_sync(*store, *provider);
    CHECK_FALSE(r.ok);
    CHECK(r.status == "failed");
    CHECK(r.error.find("simulated disk full") != std::string::npos);
    CHECK(mirror(*store, plex.machine_identifier()) == before);
    const auto server = store->find_server(kProvider, plex.machine_identifier());
    REQUIRE(server);
    const auto last = store->last_run(server->id);
    REQUIRE(last);
    CHECK(last->status == RunStatus::failed);
}

TEST_CASE("a first sync whose store write fails while later pages are read stops the reading and leaves the mirror empty",
          "[sync][sink]") {
    FakePlexOptions o;
    o.tracks = 800;
    FakePlex plex(o);
    TempDir dir;
    auto store = Store::open(dir.path() / "plexmix.db");
    auto provider = plex_provider(plex, 100);
    const auto schema = [&] {
        sql::Statement query(store->native_handle(), "SELECT name, sql FROM sqlite_schema ORDER BY name");
        std::vector<std::pair<std::string, std::string>> rows;
        while (query.step()) rows.emplace_back(query.text(0), query.text(1));
        return rows;
    };
    const auto schema_before = schema();

    // The 150th track (page 2 of 8) fails to insert, while the page reader is ahead of the writer.
    sql::exec(store->native_handle(),
              "CREATE TEMP TRIGGER fail_insert BEFORE INSERT ON tracks "
              "WHEN (SELECT count(*) FROM tracks) >= 149 BEGIN SELECT RAISE(FAIL, 'simulated disk full'); END");
    const auto pages_before = plex.track_page_requests();
    const SyncReport r = run_sync(*store, *provider);
    CHECK_FALSE(r.ok);
    CHECK(r.status == "failed");
    CHECK(r.error.find("simulated disk full") != std::string::npos);
    // The reader stopped with the writer: it did not read the library to its end.
    CHECK(plex.track_page_requests() - pages_before < 8);
    CHECK(mirror(*store, plex.machine_identifier()).empty());
    CHECK(schema() == schema_before);  // the indexes a first load drops are back
    CHECK(store->integrity_problems().empty());

    sql::exec(store->native_handle(), "DROP TRIGGER temp.fail_insert");
    const SyncReport again = run_sync(*store, *provider);
    REQUIRE(again.ok);
    CHECK(again.added == 800);
    CHECK(schema() == schema_before);
    CHECK(store->integrity_problems().empty());
}

namespace {

// Default retry settings, with the waits recorded instead of slept.
struct RecordedWaits {
    std::vector<std::chrono::milliseconds> waits;
    RuntimeHooks hooks() {
        RuntimeHooks h;
        h.sleep = [this](std::chrono::milliseconds wait, const CancelToken&) {
            waits.push_back(wait);
            return false;
        };
        return h;
    }
};

CallPolicy default_policy() {
    CallPolicy p;  // retries 3, deadline 2 min: what a user gets without settings
    p.timeout = std::chrono::seconds(5);
    return p;
}

}  // namespace

TEST_CASE("the default settings complete a sync while half the requests get 429 with Retry-After: 1", "[sync][retry]") {
    FakePlexOptions o;
    o.tracks = 2'000;
    FakePlex plex(o);
    FakePlexRule storm;
    storm.path_prefix = "/library/sections/";
    storm.status = 429;
    storm.retry_after = "1";
    storm.probability = 0.5;
    storm.seed = 42;
    const size_t rule = plex.add_rule(storm);
    TempDir dir;
    auto store = Store::open(dir.path() / "plexmix.db");
    RecordedWaits time;
    auto provider = plex_provider(plex, 100, default_policy(), time.hooks());

    const SyncReport full = run_sync(*store, *provider);
    INFO(full.error);
    REQUIRE(full.ok);
    CHECK(full.added == 2'000);
    plex.add_track("Added during the storm");
    const SyncReport incremental = run_sync(*store, *provider);
    INFO(incremental.error);
    REQUIRE(incremental.ok);
    CHECK(incremental.added == 1);

    CHECK(plex.rule_hits(rule) > 10);
    REQUIRE(time.waits.size() == plex.rule_hits(rule));  // every 429 waited, none gave up
    for (const auto wait : time.waits) CHECK(wait >= std::chrono::seconds(1));  // Retry-After honoured
    CHECK(store->integrity_problems().empty());
}

TEST_CASE("a 429 or a garbage body on an album page resumes that page, not the scan", "[sync][retry]") {
    FakePlexOptions o;
    o.tracks = 1'000;  // 100 albums: 4 pages of 30
    FakePlex plex(o);
    TempDir dir;
    auto store = Store::open(dir.path() / "plexmix.db");
    RecordedWaits time;
    auto provider = plex_provider(plex, 30, default_policy(), time.hooks());
    FakePlexRule limited;
    limited.path_prefix = "/library/sections/3/all";
    limited.query_contains = "type=9";
    limited.status = 429;
    limited.retry_after = "1";
    limited.skip = 2;  // the third album page
    limited.times = 1;
    const size_t limited_rule = plex.add_rule(limited);
    FakePlexRule garbage = limited;
    garbage.kind = FakePlexRule::Kind::garbage;
    garbage.skip = 3;  // the album page after it
    const size_t garbage_rule = plex.add_rule(garbage);

    const SyncReport r = run_sync(*store, *provider);
    INFO(r.error);
    REQUIRE(r.ok);
    CHECK(r.added == 1'000);
    CHECK(plex.rule_hits(limited_rule) == 1);
    CHECK(plex.rule_hits(garbage_rule) == 1);
    // Each album page was served once (the faulted requests never reached the library). The
    // 429 was waited out within the request; the garbage body failed the call of the first
    // track page (during which the albums are read), and its retry read that track page again
    // and went on with the album page that had failed. Track pages: the two sections' counts,
    // 34 of Music, 1 of the empty Hörspiele, 1 again.
    CHECK(plex.album_page_requests() == 4);
    CHECK(plex.track_page_requests() == 2 + 34 + 1 + 1);
}

TEST_CASE("a garbage 200 body on a track page is retried, the sync completes", "[sync][retry]") {
    FakePlexOptions o;
    o.tracks = 300;
    FakePlex plex(o);
    TempDir dir;
    auto store = Store::open(dir.path() / "plexmix.db");
    RecordedWaits time;
    auto provider = plex_provider(plex, 100, default_policy(), time.hooks());
    FakePlexRule garbage;
    garbage.path_prefix = "/library/sections/3/all";
    garbage.query_contains = "type=10";
    garbage.kind = FakePlexRule::Kind::garbage;
    garbage.skip = 1;
    garbage.times = 2;
    const size_t rule = plex.add_rule(garbage);
    const SyncReport r = run_sync(*store, *provider);
    INFO(r.error);
    REQUIRE(r.ok);
    CHECK(r.added == 300);
    CHECK(plex.rule_hits(rule) == 2);
}

TEST_CASE("the CLI says how long a failed sync really took", "[sync][cli][retry]") {
    FakePlex plex;
    FakePlexRule down;
    down.path_prefix = "/identity";
    down.status = 503;
    down.retry_after = "1";
    plex.add_rule(down);
    TempDir dir;
    const auto config = write_config(dir, plex, "deadline: 2500ms");
    const CliRun run = run_plexmix(cli_args(config) + " sync");
    INFO(run.out);
    CHECK(run.code == 1);
    // Two 1 s waits fit before the 2.5 s deadline: the run took at least 2 s.
    const auto at = run.out.find("failed after ");
    REQUIRE(at != std::string::npos);
    CHECK(std::stod(run.out.substr(at + 13)) >= 2.0);
}
