// integrity_problems(): silent on a healthy mirror, specific about each planted problem.
#include "support.hpp"

using namespace pmx;
using namespace pmx::test;

namespace {

std::string joined(const std::vector<std::string>& problems) {
    std::string text;
    for (const auto& problem : problems) text += problem + "\n";
    return text;
}

struct Mirror {
    std::unique_ptr<Store> store = Store::open_in_memory();
    int64_t server = add_server(*store);
    std::vector<UpsertResult> tracks =
        write_tracks(*store, server, {sample_track("1", "Alpha"), sample_track("2", "Beta"), sample_track("3", "Gamma")});
    int64_t id(size_t i) const { return tracks[i].track_id; }
};

}  // namespace

TEST_CASE("a healthy mirror has no integrity problems", "[store][verify]") {
    Mirror mirror;
    CHECK(mirror.store->integrity_problems().empty());
}

TEST_CASE("verify finds orphans written while foreign keys were off", "[store][verify]") {
    Mirror mirror;
    exec(*mirror.store, "PRAGMA foreign_keys = OFF");
    exec(*mirror.store, "INSERT INTO track_genres(track_id, genre_id, position) VALUES (424242, 1, 0)");
    exec(*mirror.store, "INSERT INTO albums(server_id, native_key) VALUES (77, 'lost')");
    exec(*mirror.store, "PRAGMA foreign_keys = ON");
    const std::string problems = joined(mirror.store->integrity_problems());
    INFO(problems);
    CHECK_THAT(problems, Catch::Contains("1 row(s) of track_genres refer to missing rows of tracks (orphans)"));
    CHECK_THAT(problems, Catch::Contains("1 row(s) of albums refer to missing rows of servers (orphans)"));
}

TEST_CASE("verify finds full-text rows that disagree with tracks, with a count and sample ids", "[store][verify]") {
    Mirror mirror;
    SECTION("missing") {
        exec(*mirror.store, "DELETE FROM tracks_fts WHERE rowid = " + std::to_string(mirror.id(1)));
        CHECK_THAT(joined(mirror.store->integrity_problems()),
                   Catch::Contains("full-text index disagrees with tracks for 1 row(s) (1 missing, 0 orphaned, 0 different), "
                                   "e.g. ids " + std::to_string(mirror.id(1))));
    }
    SECTION("orphaned") {
        exec(*mirror.store, "INSERT INTO tracks_fts(rowid, title) VALUES (999, 'ghost')");
        CHECK_THAT(joined(mirror.store->integrity_problems()), Catch::Contains("(0 missing, 1 orphaned, 0 different), e.g. ids 999"));
    }
    SECTION("different (a write that bypassed the triggers)") {
        exec(*mirror.store, "DROP TRIGGER tracks_fts_update");
        exec(*mirror.store, "UPDATE tracks SET title = 'Delta' WHERE id = " + std::to_string(mirror.id(0)));
        exec(*mirror.store, "UPDATE tracks SET album = 'Other' WHERE id = " + std::to_string(mirror.id(2)));
        CHECK_THAT(joined(mirror.store->integrity_problems()),
                   Catch::Contains("for 2 row(s) (0 missing, 0 orphaned, 2 different), e.g. ids " +
                                   std::to_string(mirror.id(0)) + ", " + std::to_string(mirror.id(2))));
    }
}

TEST_CASE("verify finds genre text that disagrees with the genre links", "[store][verify]") {
    Mirror mirror;
    exec(*mirror.store, "UPDATE tracks SET genres = 'Rock' WHERE id = " + std::to_string(mirror.id(2)));
    CHECK_THAT(joined(mirror.store->integrity_problems()),
               Catch::Contains("1 track(s) whose genres text disagrees with track_genres, e.g. ids " +
                               std::to_string(mirror.id(2))));
}

TEST_CASE("verify finds rows linked across servers", "[store][verify]") {
    Mirror mirror;
    const int64_t other = add_server(*mirror.store, "cabin", "machine-2");
    TrackRecord track = sample_track("9");
    track.album_key = "elsewhere";
    write_track(*mirror.store, other, track);
    exec(*mirror.store, "UPDATE tracks SET album_id = (SELECT id FROM albums WHERE native_key = 'elsewhere') WHERE id = " +
                            std::to_string(mirror.id(0)));
    CHECK_THAT(joined(mirror.store->integrity_problems()),
               Catch::Contains("1 tracks linked to an album of another server, e.g. ids " + std::to_string(mirror.id(0))));

    exec(*mirror.store, "UPDATE tracks SET track_artist_id = (SELECT artist_id FROM tracks WHERE server_id = " +
                            std::to_string(other) + ") WHERE id = " + std::to_string(mirror.id(1)));
    CHECK_THAT(joined(mirror.store->integrity_problems()),
               Catch::Contains("1 tracks crediting an artist of another server, e.g. ids " + std::to_string(mirror.id(1))));
}
