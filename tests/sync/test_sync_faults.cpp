// Sync under faults: sinks that throw, a store that fails mid-scan, retries against a flaky server.
#include <stdexcept>

#include <catch2/catch.hpp>
#include <sqlite3.h>

#include "store/sqlite.hpp"
#include "sync_support.hpp"

using namespace pmx;
using namespace pmx::test;

TEST_CASE("a track sink that throws stops the plugin; the exception reaches the caller once it returned", "[sync][sink]") {
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
