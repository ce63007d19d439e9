// Full-text search stays in step with tracks: insert, update, genre change, delete, cascade.
#include "support.hpp"

using namespace pmx;
using namespace pmx::test;

namespace {

using Ids = std::vector<int64_t>;

}  // namespace

TEST_CASE("a new track can be found by title, artist, album and genre", "[store][fts]") {
    auto store = Store::open_in_memory();
    const int64_t server = add_server(*store);
    TrackRecord track = sample_track("1", "Paranoid Android");
    track.artist = "Radiohead";
    track.album = "OK Computer";
    track.genres = {"Alternative Rock"};
    const int64_t id = write_track(*store, server, track).track_id;
    write_track(*store, server, sample_track("2", "Something Else"));

    CHECK(fts_match(*store, "paranoid") == Ids{id});
    CHECK(fts_match(*store, "artist:radiohead") == Ids{id});
    CHECK(fts_match(*store, "album:computer") == Ids{id});
    CHECK(fts_match(*store, "genres:alternative") == Ids{id});
    CHECK(fts_match(*store, "title:radiohead").empty());  // column filters hold
    CHECK(fts_match(*store, "zeppelin").empty());
}

TEST_CASE("search folds case and diacritics", "[store][fts]") {
    auto store = Store::open_in_memory();
    const int64_t server = add_server(*store);
    TrackRecord track = sample_track("1", "Déjà Vu");
    track.artist = "Beyoncé";
    const int64_t id = write_track(*store, server, track).track_id;
    CHECK(fts_match(*store, "deja") == Ids{id});
    CHECK(fts_match(*store, "BEYONCE") == Ids{id});
}

TEST_CASE("an update replaces the old words in the index", "[store][fts]") {
    auto store = Store::open_in_memory();
    const int64_t server = add_server(*store);
    TrackRecord track = sample_track("1", "Yellow Submarine");
    const int64_t id = write_track(*store, server, track).track_id;
    track.title = "Octopus's Garden";
    track.genres = {"Psychedelic"};
    write_track(*store, server, track);

    CHECK(fts_match(*store, "submarine").empty());
    CHECK(fts_match(*store, "octopus") == Ids{id});
    CHECK(fts_match(*store, "genres:rock").empty());
    CHECK(fts_match(*store, "genres:psychedelic") == Ids{id});
    CHECK(scalar(*store, "SELECT count(*) FROM tracks_fts") == 1);
}

TEST_CASE("a re-keyed track stays findable under the same id", "[store][fts]") {
    auto store = Store::open_in_memory();
    const int64_t server = add_server(*store);
    const int64_t id = write_track(*store, server, sample_track("1", "Moonage Daydream")).track_id;
    TrackRecord moved = sample_track("1", "Moonage Daydream");
    moved.key = "9";
    REQUIRE(write_track(*store, server, moved).outcome == UpsertOutcome::rekeyed);
    CHECK(fts_match(*store, "moonage") == Ids{id});
}

TEST_CASE("deleted tracks leave the index, also when their server is deleted", "[store][fts]") {
    auto store = Store::open_in_memory();
    const int64_t home = add_server(*store, "home", "machine-1");
    const int64_t cabin = add_server(*store, "cabin", "machine-2");
    const int64_t a = write_track(*store, home, sample_track("1", "Heroes")).track_id;
    const int64_t b = write_track(*store, home, sample_track("2", "Heroes Reprise")).track_id;
    const int64_t c = write_track(*store, cabin, sample_track("1", "Heroes Live")).track_id;
    REQUIRE(fts_match(*store, "heroes") == Ids{a, b, c});

    CHECK(store->delete_tracks({a}) == 1);
    CHECK(fts_match(*store, "heroes") == Ids{b, c});

    CHECK(store->delete_server(cabin));
    CHECK(fts_match(*store, "heroes") == Ids{b});
    CHECK(scalar(*store, "SELECT count(*) FROM tracks_fts") == 1);
    CHECK(store->integrity_problems().empty());
}

TEST_CASE("tracks added in a transaction are indexed with their final values at commit", "[store][fts]") {
    auto store = Store::open_in_memory();
    const int64_t server = add_server(*store);
    Store::Transaction transaction(*store);
    TrackWriter writer(transaction, server);
    const int64_t kept = writer.upsert(sample_track("1", "First Draft")).track_id;
    TrackRecord renamed = sample_track("1", "Final Cut");
    CHECK(writer.upsert(renamed).outcome == UpsertOutcome::updated);
    const int64_t dropped = writer.upsert(sample_track("2", "Short Lived")).track_id;
    store->delete_tracks({dropped});
    transaction.commit();

    CHECK(fts_match(*store, "final") == Ids{kept});
    CHECK(fts_match(*store, "draft").empty());
    CHECK(fts_match(*store, "short").empty());
    CHECK(scalar(*store, "SELECT count(*) FROM tracks_fts") == 1);
    CHECK(store->integrity_problems().empty());
}

TEST_CASE("rebuild_search_index repairs an index that drifted", "[store][fts]") {
    auto store = Store::open_in_memory();
    const int64_t server = add_server(*store);
    const auto results = write_tracks(*store, server, {sample_track("1", "Aqualung"), sample_track("2", "Locomotive Breath")});
    exec(*store, "DELETE FROM tracks_fts WHERE rowid = " + std::to_string(results[0].track_id));
    exec(*store, "INSERT INTO tracks_fts(rowid, title) VALUES (999, 'ghost')");
    REQUIRE(store->integrity_problems().size() == 1);
    REQUIRE(fts_match(*store, "aqualung").empty());

    store->rebuild_search_index();
    CHECK(store->integrity_problems().empty());
    CHECK(fts_match(*store, "aqualung") == Ids{results[0].track_id});
    CHECK(fts_match(*store, "ghost").empty());
    CHECK(fts_match(*store, "genres:blues") == Ids{results[0].track_id, results[1].track_id});
}

TEST_CASE("an update made by other code is noted, then applied by update_search_index or on open", "[store][fts]") {
    TempDir dir;
    int64_t id = 0;
    {
        auto store = Store::open(dir / "plexmix.db");
        const int64_t server = add_server(*store);
        id = write_track(*store, server, sample_track("1", "Wish You Were Here")).track_id;
        exec(*store, "UPDATE tracks SET title = 'Shine On' WHERE id = " + std::to_string(id));
        CHECK(scalar(*store, "SELECT count(*) FROM tracks_fts_stale") == 1);
        std::string problems;
        for (const auto& problem : store->integrity_problems()) problems += problem + "\n";
        CHECK_THAT(problems, Catch::Contains("1 track(s) wait for their full-text row to be rewritten"));
        store->update_search_index();
        CHECK(fts_match(*store, "shine") == Ids{id});
        CHECK(fts_match(*store, "wish").empty());
        CHECK(store->integrity_problems().empty());
        exec(*store, "UPDATE tracks SET artist = 'Floyd' WHERE id = " + std::to_string(id));  // left for the next open
    }
    auto store = Store::open(dir / "plexmix.db");
    CHECK(fts_match(*store, "artist:floyd") == Ids{id});
    CHECK(store->integrity_problems().empty());
}

TEST_CASE("a play count or rating change leaves the index alone", "[store][fts]") {
    auto store = Store::open_in_memory();
    const int64_t server = add_server(*store);
    TrackRecord track = sample_track("1");
    write_track(*store, server, track);
    track.play_count = 100;
    track.user_rating = 2;
    Store::Transaction transaction(*store);
    TrackWriter writer(transaction, server);
    REQUIRE(writer.upsert(track).outcome == UpsertOutcome::updated);
    CHECK(scalar(*store, "SELECT count(*) FROM tracks_fts_stale") == 0);
    transaction.commit();
}
