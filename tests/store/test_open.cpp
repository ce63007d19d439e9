// Opening: file mode 0600, pragmas, the schema, and databases that must be refused.
#include <sys/stat.h>

#include <fstream>
#include <set>

#include "store/schema.hpp"
#include "util/log.hpp"
#include "support.hpp"

using namespace pmx;
using namespace pmx::test;

namespace {

// A raw connection, to prepare or inspect a database behind the Store's back.
class RawDb {
public:
    explicit RawDb(const std::filesystem::path& path) { REQUIRE(sqlite3_open(path.c_str(), &db_) == SQLITE_OK); }
    ~RawDb() { sqlite3_close(db_); }
    RawDb(const RawDb&) = delete;
    RawDb& operator=(const RawDb&) = delete;
    void exec(std::string_view sql) { sql::exec(db_, sql); }
    int64_t scalar(std::string_view sql) { return sql::query_int64(db_, sql).value_or(-1); }

private:
    sqlite3* db_ = nullptr;
};

}  // namespace

TEST_CASE("open creates the database 0600 whatever the umask, and its WAL files too", "[store][open]") {
    TempDir dir;
    const ScopedUmask umask(0);
    const auto path = dir / "plexmix.db";
    auto store = Store::open(path);
    const int64_t server = add_server(*store);
    write_track(*store, server, sample_track("1"));
    CHECK(file_mode(path) == 0600u);
    REQUIRE(std::filesystem::exists(dir / "plexmix.db-wal"));
    CHECK(file_mode(dir / "plexmix.db-wal") == 0600u);
    CHECK(file_mode(dir / "plexmix.db-shm") == 0600u);
    CHECK(store->path() == path);
}

TEST_CASE("open tightens an existing database that others could read, with a warning", "[store][open]") {
    TempDir dir;
    const auto path = dir / "plexmix.db";
    Store::open(path).reset();
    REQUIRE(::chmod(path.c_str(), 0644) == 0);
    LoggingOptions logging;
    logging.level = LogLevel::error;  // keep the console quiet; the file gets warnings
    logging.file = dir / "test.log";
    init_logging(logging);
    auto store = Store::open(path);
    flush_logging();
    const std::string log = read_file(dir / "test.log");
    init_logging(LoggingOptions{});

    CHECK(file_mode(path) == 0600u);
    CHECK(file_mode(dir / "plexmix.db-wal") == 0600u);  // made 0644 by the first read, then tightened
    INFO(log);
    CHECK(log.find("database " + path.string() + " was accessible to other users (mode 0644); changed it to 0600") !=
          std::string::npos);
}

TEST_CASE("open sets WAL, foreign keys, a 5 s busy timeout and synchronous NORMAL", "[store][open]") {
    TempDir dir;
    auto store = Store::open(dir / "plexmix.db");
    CHECK(text_scalar(*store, "PRAGMA journal_mode") == "wal");
    CHECK(scalar(*store, "PRAGMA foreign_keys") == 1);
    CHECK(scalar(*store, "PRAGMA busy_timeout") == 5000);
    CHECK(scalar(*store, "PRAGMA synchronous") == 1);  // NORMAL
}

TEST_CASE("foreign keys are enforced: a track of a server that does not exist is refused", "[store][open]") {
    auto store = Store::open_in_memory();
    CHECK_THROWS_AS(exec(*store, "INSERT INTO tracks(server_id, native_key) VALUES (42, 'k')"), StoreError);
    CHECK(scalar(*store, "SELECT count(*) FROM tracks") == 0);
}

TEST_CASE("open creates the current schema: tables, indexes, triggers, FTS, version and application id",
          "[store][open][schema]") {
    TempDir dir;
    auto store = Store::open(dir / "plexmix.db");
    CHECK(store->schema_version() == kStoreSchemaVersion);
    CHECK(scalar(*store, "PRAGMA user_version") == kStoreSchemaVersion);
    CHECK(scalar(*store, "PRAGMA application_id") == kStoreApplicationId);

    std::set<std::string> names;
    sql::Statement query(store->native_handle(), "SELECT name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'");
    while (query.step()) names.insert(query.text(0));
    for (const char* expected :
         {"servers", "artists", "albums", "tracks", "genres", "track_genres", "sync_runs", "playlists",
          "playlist_tracks", "tracks_fts", "tracks_guid", "tracks_file_path", "tracks_album", "tracks_artist",
          "albums_artist", "track_genres_genre", "playlist_tracks_track", "sync_runs_server", 
          "tracks_fts_delete", "tracks_fts_update", "tracks_fts_stale", "unreached_syncs"}) {
        INFO(expected);
        CHECK(names.count(expected) == 1);
    }
    // v2's column is there, and the WITHOUT ROWID tables are what they claim.
    CHECK(scalar(*store, "SELECT count(*) FROM pragma_table_info('tracks') WHERE name = 'content_hash'") == 1);
    CHECK(text_scalar(*store, "SELECT sql FROM sqlite_schema WHERE name = 'track_genres'").find("WITHOUT ROWID") !=
          std::string::npos);
    CHECK(store->integrity_problems().empty());
}

TEST_CASE("the in-memory store has the same schema", "[store][open]") {
    auto store = Store::open_in_memory();
    CHECK(store->schema_version() == kStoreSchemaVersion);
    CHECK(store->path().empty());
    CHECK(scalar(*store, "PRAGMA foreign_keys") == 1);
}

TEST_CASE("reopening keeps the data and the ids", "[store][open]") {
    TempDir dir;
    int64_t server = 0, id = 0;
    {
        auto store = Store::open(dir / "plexmix.db");
        server = add_server(*store);
        id = write_track(*store, server, sample_track("1", "Keep Me")).track_id;
    }
    auto store = Store::open(dir / "plexmix.db");
    CHECK(store->track_keys(server) == std::vector<std::pair<int64_t, std::string>>{{id, "1"}});
    CHECK(fts_match(*store, "keep") == std::vector<int64_t>{id});
}

TEST_CASE("a database newer than this build is refused with a clear message and left untouched", "[store][open]") {
    TempDir dir;
    const auto path = dir / "plexmix.db";
    Store::open(path).reset();
    const int newer = kStoreSchemaVersion + 1;
    {
        RawDb raw(path);
        raw.exec("PRAGMA user_version = " + std::to_string(newer));
    }
    const std::string message = store_error_text([&] { Store::open(path); });
    CHECK_THAT(message, Catch::Contains(path.string()) &&
                            Catch::Contains("schema version " + std::to_string(newer) + ", newer than this plexmix knows (" +
                                            std::to_string(kStoreSchemaVersion) + ")") &&
                            Catch::Contains("Upgrade plexmix"));
    RawDb raw(path);
    CHECK(raw.scalar("PRAGMA user_version") == newer);
}

TEST_CASE("a SQLite database of another program is refused, not written into", "[store][open]") {
    TempDir dir;
    const auto path = dir / "other.db";
    {
        RawDb raw(path);
        raw.exec("CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT)");
    }
    REQUIRE(::chmod(path.c_str(), 0644) == 0);
    CHECK_THAT(store_error_text([&] { Store::open(path); }), Catch::Contains("another program"));
    CHECK(file_mode(path) == 0644u);  // not even its mode is touched
    CHECK_FALSE(std::filesystem::exists(dir / "other.db-wal"));
    RawDb raw(path);
    CHECK(raw.scalar("SELECT count(*) FROM sqlite_schema") == 1);
    CHECK(raw.scalar("PRAGMA user_version") == 0);
}

TEST_CASE("a file that is not a database is refused with its name", "[store][open]") {
    TempDir dir;
    const auto path = dir / "plexmix.db";
    {
        std::ofstream out(path, std::ios::binary);
        out << std::string(4096, 'x');
    }
    CHECK_THAT(store_error_text([&] { Store::open(path); }),
               Catch::Contains("cannot open database " + path.string()) && Catch::Contains("not a database"));
}

TEST_CASE("a database in a missing directory is an error, not a crash", "[store][open]") {
    TempDir dir;
    const auto path = dir / "missing" / "plexmix.db";
    CHECK_THAT(store_error_text([&] { Store::open(path); }), Catch::Contains(path.string()));
}
