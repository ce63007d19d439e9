// Hard deletes: cascades to genre links and playlist entries, orphan pruning, server removal.
#include "support.hpp"

using namespace pmx;
using namespace pmx::test;

namespace {

void add_playlist(Store& store, int64_t server, const std::vector<int64_t>& track_ids) {
    exec(store, "INSERT INTO playlists(id, server_id, name, created_at, updated_at) VALUES (1, " +
                    std::to_string(server) + ", 'Mix', 0, 0)");
    for (size_t i = 0; i < track_ids.size(); ++i) {
        exec(store, "INSERT INTO playlist_tracks(playlist_id, position, track_id) VALUES (1, " + std::to_string(i) + ", " +
                        std::to_string(track_ids[i]) + ")");
    }
}

std::vector<int64_t> playlist_tracks(Store& store) {
    sql::Statement query(store.native_handle(), "SELECT track_id FROM playlist_tracks WHERE playlist_id = 1 ORDER BY position");
    std::vector<int64_t> ids;
    while (query.step()) ids.push_back(query.int64(0));
    return ids;
}

}  // namespace

TEST_CASE("delete_tracks cascades to genre links and playlist entries", "[store][delete]") {
    auto store = Store::open_in_memory();
    const int64_t server = add_server(*store);
    const auto results = write_tracks(*store, server, {sample_track("1"), sample_track("2"), sample_track("3")});
    const int64_t a = results[0].track_id, b = results[1].track_id, c = results[2].track_id;
    add_playlist(*store, server, {a, b, c});

    CHECK(store->delete_tracks({b, 999999}) == 1);  // missing ids are skipped
    CHECK(store->track_keys(server) == std::vector<std::pair<int64_t, std::string>>{{a, "1"}, {c, "3"}});
    CHECK(scalar(*store, "SELECT count(*) FROM track_genres WHERE track_id = " + std::to_string(b)) == 0);
    CHECK(scalar(*store, "SELECT count(*) FROM track_genres") == 4);
    CHECK(playlist_tracks(*store) == std::vector<int64_t>{a, c});  // order kept, the gap closes nothing else
    CHECK(scalar(*store, "SELECT count(*) FROM playlists") == 1);
    CHECK(store->integrity_problems().empty());
}

TEST_CASE("delete_tracks removes albums, artists and genres left without tracks", "[store][delete]") {
    auto store = Store::open_in_memory();
    const int64_t server = add_server(*store);
    TrackRecord kept = sample_track("1");
    TrackRecord gone = sample_track("2");
    gone.artist_key = "artist-2";
    gone.artist = "Solo Act";
    gone.album_artist = "Solo Act";
    gone.album_key = "album-2";
    gone.album = "Solo Album";
    gone.genres = {"Rock", "Zydeco"};
    const auto results = write_tracks(*store, server, {kept, gone});
    REQUIRE(scalar(*store, "SELECT count(*) FROM albums") == 2);
    REQUIRE(scalar(*store, "SELECT count(*) FROM artists") == 2);
    REQUIRE(scalar(*store, "SELECT count(*) FROM genres") == 3);

    CHECK(store->delete_tracks({results[1].track_id}) == 1);
    CHECK(text_scalar(*store, "SELECT group_concat(title) FROM albums") == "First Album");
    CHECK(text_scalar(*store, "SELECT group_concat(name) FROM artists") == "The Band");
    CHECK(text_scalar(*store, "SELECT group_concat(name, ',') FROM (SELECT name FROM genres ORDER BY name)") ==
          "Blues,Rock");
    CHECK(store->integrity_problems().empty());
}

TEST_CASE("prune_orphans keeps an artist that still has an album", "[store][delete]") {
    auto store = Store::open_in_memory();
    const int64_t server = add_server(*store);
    TrackRecord by_other = sample_track("1");
    by_other.artist_key = "artist-2";  // the album's artist is artist-1 through track 2
    by_other.artist = "Guest";
    by_other.album_artist = "Guest";
    TrackRecord album_owner = sample_track("2");
    write_tracks(*store, server, {by_other, album_owner});  // the last one sets the album's artist
    exec(*store, "UPDATE tracks SET artist_id = (SELECT id FROM artists WHERE native_key = 'artist-2'), "
                 "track_artist_id = (SELECT id FROM artists WHERE native_key = 'artist-2')");
    // No track points at artist-1 any more, but album-1 still does.
    const PruneCounts pruned = store->prune_orphans();
    CHECK(pruned.artists == 0);
    CHECK(pruned.albums == 0);
    CHECK(scalar(*store, "SELECT count(*) FROM artists") == 2);
}

TEST_CASE("deleting a server removes everything mirrored from it and nothing else", "[store][delete]") {
    auto store = Store::open_in_memory();
    const int64_t home = add_server(*store, "home", "machine-1");
    const int64_t cabin = add_server(*store, "cabin", "machine-2");
    const auto home_tracks = write_tracks(*store, home, {sample_track("1"), sample_track("2")});
    TrackRecord jazz = sample_track("1");
    jazz.genres = {"Jazz"};
    const int64_t cabin_track = write_track(*store, cabin, jazz).track_id;
    add_playlist(*store, home, {home_tracks[0].track_id});
    store->finish_run(store->start_run(home, RunMode::full), RunStatus::success, 2, 0, 0);

    CHECK(store->delete_server(home));
    CHECK_FALSE(store->server(home));
    CHECK(store->track_keys(home).empty());
    CHECK(store->track_keys(cabin) == std::vector<std::pair<int64_t, std::string>>{{cabin_track, "1"}});
    CHECK(scalar(*store, "SELECT count(*) FROM albums") == 1);
    CHECK(scalar(*store, "SELECT count(*) FROM artists") == 1);
    CHECK(text_scalar(*store, "SELECT group_concat(name) FROM genres") == "Jazz");
    CHECK(scalar(*store, "SELECT count(*) FROM playlists") == 0);
    CHECK(scalar(*store, "SELECT count(*) FROM sync_runs") == 0);
    CHECK_FALSE(store->delete_server(home));
    CHECK(store->integrity_problems().empty());
}
