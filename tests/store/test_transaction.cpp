// Store::Transaction: rollback leaves the previous data exactly; commit persists; isolation.
#include <stdexcept>

#include "support.hpp"

using namespace pmx;
using namespace pmx::test;

namespace {

// A mirror with some of everything.
int64_t seed(Store& store) {
    const int64_t server = add_server(store);
    std::vector<TrackRecord> tracks;
    for (int i = 1; i <= 20; ++i) {
        TrackRecord track = sample_track(std::to_string(i), "Song " + std::to_string(i));
        track.album_key = "album-" + std::to_string(i % 3);
        track.genres = {i % 2 == 0 ? "Rock" : "Jazz"};
        tracks.push_back(track);
    }
    write_tracks(store, server, tracks);
    store.finish_run(store.start_run(server, RunMode::full), RunStatus::success, 20, 0, 0);
    return server;
}

// Every kind of write a sync makes.
void scribble(Store& store, TrackWriter& writer, int64_t server) {
    TrackRecord changed = sample_track("1", "Changed Title");
    changed.genres = {"Ambient"};
    writer.upsert(changed);
    writer.upsert(sample_track("new", "Brand New Song"));
    TrackRecord moved = sample_track("2", "Song 2");
    moved.key = "two";
    moved.album_key = "album-2";
    moved.genres = {"Rock"};
    writer.upsert(moved);
    const auto keys = store.track_keys(server);
    store.delete_tracks({keys[5].first, keys[6].first});
    store.upsert_server("home", "plex", ServerInfo{"machine-1", "Renamed", "2.0", "Plex"}, "http://elsewhere");
}

}  // namespace

TEST_CASE("a transaction rolled back leaves the previous data exactly", "[store][transaction]") {
    TempDir dir;
    auto store = Store::open(dir / "plexmix.db");
    const int64_t server = seed(*store);
    const std::string before = dump(*store);
    REQUIRE(scalar(*store, "SELECT count(*) FROM tracks") == 20);

    SECTION("by its destructor") {
        Store::Transaction transaction(*store);
        TrackWriter writer(transaction, server);
        scribble(*store, writer, server);
        REQUIRE(dump(*store) != before);  // the writes happened inside
    }
    SECTION("by rollback()") {
        Store::Transaction transaction(*store);
        TrackWriter writer(transaction, server);
        scribble(*store, writer, server);
        transaction.rollback();
        CHECK_FALSE(transaction.active());
    }
    SECTION("when an exception ends the run") {
        try {
            Store::Transaction transaction(*store);
            TrackWriter writer(transaction, server);
            scribble(*store, writer, server);
            throw std::runtime_error("server went away");
        } catch (const std::runtime_error&) {
        }
    }
    CHECK(dump(*store) == before);
    CHECK(scalar(*store, "SELECT count(*) FROM tracks") == 20);
    CHECK(store->integrity_problems().empty());
    // The store is usable afterwards.
    CHECK(write_track(*store, server, sample_track("after")).outcome == UpsertOutcome::added);
}

TEST_CASE("a committed transaction survives reopening", "[store][transaction]") {
    TempDir dir;
    std::string after;
    {
        auto store = Store::open(dir / "plexmix.db");
        const int64_t server = seed(*store);
        Store::Transaction transaction(*store);
        TrackWriter writer(transaction, server);
        scribble(*store, writer, server);
        transaction.commit();
        CHECK_FALSE(transaction.active());
        after = dump(*store);
    }
    auto store = Store::open(dir / "plexmix.db");
    CHECK(dump(*store) == after);
}

TEST_CASE("another connection sees the previous mirror until the commit", "[store][transaction]") {
    TempDir dir;
    auto writer_store = Store::open(dir / "plexmix.db");
    const int64_t server = seed(*writer_store);
    auto reader = Store::open(dir / "plexmix.db");

    Store::Transaction transaction(*writer_store);
    TrackWriter writer(transaction, server);
    writer.upsert(sample_track("new"));
    CHECK(reader->track_keys(server).size() == 20);
    transaction.commit();
    CHECK(reader->track_keys(server).size() == 21);
}

TEST_CASE("a second transaction on the same store is a programming error", "[store][transaction]") {
    auto store = Store::open_in_memory();
    Store::Transaction transaction(*store);
    CHECK_THROWS_AS(Store::Transaction(*store), std::logic_error);
    transaction.commit();
    CHECK_THROWS_AS(transaction.commit(), std::logic_error);
    Store::Transaction next(*store);  // fine once the first ended
    CHECK(next.active());
}
