// Migrations: from a frozen v1 database to the current schema, failures, table rebuilds.
#include <array>
#include <filesystem>
#include <stdexcept>

#include "store/schema.hpp"
#include "store/track_filter.hpp"
#include "support.hpp"
#include "util/text.hpp"

using namespace pmx;
using namespace pmx::test;

namespace {

const std::filesystem::path kTestData = PMX_STORE_TEST_DATA;

class RawDb {
public:
    // Private like the Store's own files (so that opening them later logs no warning).
    explicit RawDb(const std::filesystem::path& path) {
        REQUIRE(sqlite3_open(path.c_str(), &db_) == SQLITE_OK);
        sql::exec(db_, "PRAGMA user_version");  // creates the file
        std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    }
    ~RawDb() { sqlite3_close(db_); }
    RawDb(const RawDb&) = delete;
    RawDb& operator=(const RawDb&) = delete;
    sqlite3* get() { return db_; }
    void exec(std::string_view sql) { sql::exec(db_, sql); }
    int64_t scalar(std::string_view sql) { return sql::query_int64(db_, sql).value_or(-1); }

private:
    sqlite3* db_ = nullptr;
};

// The schema objects of a database: "type name: sql", sorted.
std::vector<std::string> schema_of(sqlite3* db) {
    sql::Statement query(db, "SELECT type, name, sql FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY type, name");
    std::vector<std::string> objects;
    while (query.step()) objects.push_back(query.text(0) + " " + query.text(1) + ": " + query.text(2));
    return objects;
}

std::string frozen_v1_schema_only() {
    const std::string script = read_file(kTestData / "schema_v1.sql");
    return script.substr(0, script.find("-- Data as a v1 plexmix wrote it"));
}

}  // namespace

TEST_CASE("a v1 database migrates to the current version and keeps its data, ids and search", "[store][migration]") {
    TempDir dir;
    const auto path = dir / "plexmix.db";
    {
        RawDb raw(path);
        raw.exec("PRAGMA journal_mode = WAL");
        raw.exec(read_file(kTestData / "schema_v1.sql"));
        REQUIRE(raw.scalar("PRAGMA user_version") == 1);
        REQUIRE(raw.scalar("SELECT count(*) FROM pragma_table_info('tracks') WHERE name = 'content_hash'") == 0);
    }
    auto store = Store::open(path);
    CHECK(store->schema_version() == kStoreSchemaVersion);
    CHECK(store->track_keys(1) == std::vector<std::pair<int64_t, std::string>>{{100, "1"}, {101, "2"}});
    CHECK(scalar(*store, "SELECT count(*) FROM tracks WHERE content_hash IS NULL") == 2);
    CHECK(text_scalar(*store, "SELECT title FROM tracks WHERE id = 101") == "Other Song (Live)");
    CHECK(scalar(*store, "SELECT count(*) FROM track_genres") == 3);
    CHECK(scalar(*store, "SELECT count(*) FROM playlist_tracks WHERE playlist_id = 1") == 2);
    // v6: a playlist saved before knows its length from its positions.
    CHECK(scalar(*store, "SELECT saved_tracks FROM playlists WHERE id = 1") == 2);
    CHECK(scalar(*store, "SELECT count(*) FROM unreached_syncs") == 0);
    // v10: no server said anything of favourites or recording ids yet.
    CHECK(scalar(*store, "SELECT count(*) FROM tracks WHERE is_favourite IS NULL AND recording_mbid IS NULL") == 2);
    CHECK(fts_match(*store, "old") == std::vector<int64_t>{100});
    CHECK(fts_match(*store, "genres:blues") == std::vector<int64_t>{100});
    const auto run = store->last_run(1, RunStatus::success);
    REQUIRE(run);
    CHECK(run->duration_ms() == 4000);
    CHECK(store->integrity_problems().empty());

    // A row without a hash is rewritten once, in place; after that it is unchanged.
    TrackRecord track = sample_track("1", "Old Song");
    CHECK(write_track(*store, 1, track).track_id == 100);
    CHECK(scalar(*store, "SELECT count(*) FROM tracks WHERE id = 100 AND content_hash IS NOT NULL") == 1);
    const UpsertResult again = write_track(*store, 1, track);
    CHECK(again.track_id == 100);
    CHECK(again.outcome == UpsertOutcome::unchanged);
    CHECK(scalar(*store, "SELECT count(*) FROM playlist_tracks WHERE playlist_id = 1") == 2);

    // v3's trigger: a retitled track is re-indexed through tracks_fts_stale.
    track.title = "New Song";
    CHECK(write_track(*store, 1, track).track_id == 100);
    CHECK(fts_match(*store, "old").empty());
    CHECK(fts_match(*store, "new") == std::vector<int64_t>{100});
    CHECK(scalar(*store, "SELECT count(*) FROM tracks_fts_stale") == 0);
    CHECK(store->integrity_problems().empty());

    // v5: embeddings per model, gone with their track (cascade) or their model.
    exec(*store, "INSERT INTO embedding_models(id, name, dim, created_at) VALUES (1, 'm', 2, 0), (2, 'n', 2, 0);"
                 "INSERT INTO embeddings(model_id, track_id, text_hash, seq, embedded_at, vector) VALUES "
                 "(1, 100, 7, 1, 0, x'0000803f00000000'), (1, 101, 8, 1, 0, x'000000000000803f'),"
                 "(2, 100, 7, 1, 0, x'0000803f00000000');");
    CHECK(store->delete_tracks({100}) == 1);
    CHECK(scalar(*store, "SELECT count(*) FROM embeddings") == 1);
    exec(*store, "DELETE FROM embedding_models WHERE id = 1");
    CHECK(scalar(*store, "SELECT count(*) FROM embeddings") == 0);
    CHECK(store->integrity_problems().empty());
}

TEST_CASE("v6: the track artists of an older database become artists, linked to their tracks", "[store][migration]") {
    constexpr size_t kBeforeTrackArtists = 5;  // the last version without tracks.track_artist_id
    TempDir dir;
    const auto path = dir / "plexmix.db";
    {
        RawDb raw(path);
        migrate(raw.get(), store_migrations().first(kBeforeTrackArtists), "plexmix.db");
        raw.exec("INSERT INTO servers(id, provider, plugin, identity, first_seen, last_seen) VALUES (1, 'home', 'plex', 'm-1', 0, 0);"
                 "INSERT INTO servers(id, provider, plugin, identity, first_seen, last_seen) VALUES (2, 'cabin', 'plex', 'm-2', 0, 0);"
                 "INSERT INTO artists(id, server_id, native_key, name) VALUES (10, 1, 'artist-1', 'The Band');"
                 "INSERT INTO albums(id, server_id, native_key, title, artist_id, album_artist) "
                 "VALUES (20, 1, 'album-1', 'First Album', 10, 'The Band');"
                 "INSERT INTO tracks(id, server_id, native_key, title, artist, artist_id, album, album_id, album_artist) VALUES "
                 "(100, 1, '1', 'Own Song', 'The Band', 10, 'First Album', 20, 'The Band'),"
                 "(101, 1, '2', 'Duet', 'The Band feat. Guest', 10, 'First Album', 20, 'The Band'),"
                 "(102, 1, '3', 'Loose File', 'Nobody Filed', NULL, '', NULL, ''),"
                 "(103, 2, '1', 'Duet', 'The Band feat. Guest', NULL, '', NULL, ''),"
                 "(104, 1, '4', 'Untitled', '', NULL, '', NULL, '');");
        REQUIRE(raw.scalar("PRAGMA user_version") == static_cast<int64_t>(kBeforeTrackArtists));
    }
    auto store = Store::open(path);
    CHECK(store->schema_version() == kStoreSchemaVersion);
    CHECK(scalar(*store, "SELECT count(*) FROM tracks") == 5);
    CHECK(artist_names(*store, {1}) == std::vector<std::string>{"Nobody Filed", "The Band", "The Band feat. Guest"});
    CHECK(artist_names(*store, {2}) == std::vector<std::string>{"The Band feat. Guest"});
    // Each track points at the artist it credits: the album artist's row when it is that one.
    const auto credited = [&](int64_t track) {
        return text_scalar(*store, "SELECT coalesce((SELECT a.name || '@' || a.server_id FROM tracks t JOIN artists a "
                                   "ON a.id = t.track_artist_id WHERE t.id = " + std::to_string(track) + "), '-')");
    };
    CHECK(credited(100) == "The Band@1");
    CHECK(scalar(*store, "SELECT track_artist_id FROM tracks WHERE id = 100") == 10);
    CHECK(credited(101) == "The Band feat. Guest@1");
    CHECK(credited(102) == "Nobody Filed@1");
    CHECK(credited(103) == "The Band feat. Guest@2");
    CHECK(credited(104) == "-");
    store->rebuild_search_index();  // the rows above were inserted behind the writer's back
    CHECK(join(store->integrity_problems(), "\n") == "");

    // The new rows are kept while credited and pruned once not.
    CHECK(store->prune_orphans().artists == 0);
    CHECK(store->delete_tracks({101}) == 1);
    CHECK(artist_names(*store, {1}) == std::vector<std::string>{"Nobody Filed", "The Band"});
}

TEST_CASE("each version in between is reached in turn, each in its own transaction", "[store][migration]") {
    TempDir dir;
    RawDb db(dir / "plexmix.db");
    db.exec(read_file(kTestData / "schema_v1.sql"));
    migrate(db.get(), store_migrations().first(2), "plexmix.db");
    CHECK(db.scalar("PRAGMA user_version") == 2);
    CHECK(db.scalar("SELECT count(*) FROM sqlite_schema WHERE name = 'embeddings'") == 0);
    CHECK(db.scalar("SELECT count(*) FROM sqlite_schema WHERE name = 'tracks_fts_stale'") == 0);
    migrate(db.get(), store_migrations(), "plexmix.db");
    CHECK(db.scalar("PRAGMA user_version") == kStoreSchemaVersion);
    CHECK(db.scalar("SELECT count(*) FROM sqlite_schema WHERE name = 'tracks_fts_stale'") == 1);
    CHECK(db.scalar("SELECT count(*) FROM sqlite_schema WHERE name IN ('embedding_models', 'embeddings')") == 2);
}

TEST_CASE("migration 1 still creates exactly the frozen v1 schema (shipped migrations are never edited)",
          "[store][migration]") {
    TempDir dir;
    RawDb from_code(dir / "code.db");
    migrate(from_code.get(), store_migrations().first(1), "code.db");
    RawDb frozen(dir / "frozen.db");
    frozen.exec(frozen_v1_schema_only());
    CHECK(schema_of(from_code.get()) == schema_of(frozen.get()));
    CHECK(from_code.scalar("PRAGMA user_version") == 1);
}

TEST_CASE("a failing migration is rolled back and leaves the database at the previous version", "[store][migration]") {
    TempDir dir;
    RawDb db(dir / "plexmix.db");
    const std::array migrations{
        store_migrations()[0],
        Migration{2, "add a column, then fail", "ALTER TABLE tracks ADD COLUMN doomed INTEGER; SELECT no_such_function();"},
    };
    std::string message;
    try {
        migrate(db.get(), migrations, "plexmix.db");
    } catch (const StoreError& e) {
        message = e.what();
    }
    CHECK_THAT(message, Catch::Contains("cannot migrate database plexmix.db from schema version 1 to 2") &&
                            Catch::Contains("add a column, then fail") && Catch::Contains("no_such_function") &&
                            Catch::Contains("left at version 1"));
    CHECK(db.scalar("PRAGMA user_version") == 1);
    CHECK(db.scalar("SELECT count(*) FROM pragma_table_info('tracks') WHERE name = 'doomed'") == 0);
    CHECK(db.scalar("SELECT count(*) FROM sqlite_schema WHERE name = 'tracks'") == 1);  // v1 itself committed
}

TEST_CASE("a table-rebuilding migration runs with foreign keys off and turns them back on", "[store][migration]") {
    TempDir dir;
    RawDb db(dir / "plexmix.db");
    db.exec("PRAGMA foreign_keys = ON");
    migrate(db.get(), store_migrations().first(1), "plexmix.db");
    db.exec("INSERT INTO servers(id, provider, plugin, identity, first_seen, last_seen) VALUES (1, 'p', 'plex', 'm', 0, 0);"
            "INSERT INTO tracks(id, server_id, native_key) VALUES (7, 1, 'k');"
            "INSERT INTO genres(id, name) VALUES (3, 'Jazz');"
            "INSERT INTO track_genres(track_id, genre_id, position) VALUES (7, 3, 0);");

    constexpr std::string_view kRebuildGenres = R"sql(
        CREATE TABLE genres_new (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE, note TEXT);
        INSERT INTO genres_new(id, name) SELECT id, name FROM genres;
        DROP TABLE genres;
        ALTER TABLE genres_new RENAME TO genres;
    )sql";
    SECTION("it commits when the rebuilt tables keep every reference") {
        const std::array migrations{store_migrations()[0], Migration{2, "rebuild genres", kRebuildGenres, true}};
        migrate(db.get(), migrations, "plexmix.db");
        CHECK(db.scalar("PRAGMA user_version") == 2);
        CHECK(db.scalar("PRAGMA foreign_keys") == 1);
        CHECK(db.scalar("SELECT count(*) FROM pragma_table_info('genres') WHERE name = 'note'") == 1);
        CHECK(db.scalar("SELECT count(*) FROM track_genres tg JOIN genres g ON g.id = tg.genre_id") == 1);
    }
    SECTION("it rolls back when the rebuild breaks a reference") {
        const std::string lossy = std::string(kRebuildGenres) + "DELETE FROM genres;";
        const std::array migrations{store_migrations()[0], Migration{2, "lossy rebuild", lossy, true}};
        CHECK_THROWS_WITH(migrate(db.get(), migrations, "plexmix.db"), Catch::Contains("foreign key violations"));
        CHECK(db.scalar("PRAGMA user_version") == 1);
        CHECK(db.scalar("PRAGMA foreign_keys") == 1);
        CHECK(db.scalar("SELECT count(*) FROM genres") == 1);
        CHECK(db.scalar("SELECT count(*) FROM pragma_table_info('genres') WHERE name = 'note'") == 0);
    }
}

TEST_CASE("a migration list that is not numbered 1..N is a programming error", "[store][migration]") {
    TempDir dir;
    RawDb db(dir / "plexmix.db");
    const std::array migrations{Migration{1, "one", "CREATE TABLE a(x)"}, Migration{3, "three", "CREATE TABLE b(x)"}};
    CHECK_THROWS_AS(migrate(db.get(), migrations, "plexmix.db"), std::logic_error);
    CHECK(db.scalar("PRAGMA user_version") == 0);
}
