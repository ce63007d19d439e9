// Store: opening (0600, pragmas, migrations), servers, runs, deletes, stats and verify.
#include "store/store.hpp"
#include "util/text.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "store/schema.hpp"
#include "store/sqlite.hpp"
#include "util/redact.hpp"

namespace pmx {
namespace {

namespace fs = std::filesystem;

constexpr mode_t kDbFileMode = S_IRUSR | S_IWUSR;  // 0600
constexpr mode_t kPermissionBits = 0777;
constexpr mode_t kGroupOtherBits = S_IRWXG | S_IRWXO;
constexpr int kBusyTimeoutMs = 5000;
// Page cache per connection, in KiB (negative cache_size): bulk sync touches several indexes.
constexpr int kCacheKiB = 32 * 1024;
// After a large sync, the WAL file is truncated back to this size at checkpoints.
constexpr int64_t kJournalSizeLimitBytes = 64LL * 1024 * 1024;
// Problems listed per kind in integrity_problems(), and sample ids per problem.
constexpr size_t kMaxLinesPerCheck = 10;
constexpr size_t kSampleIds = 5;
constexpr std::string_view kGenreSeparator = "; ";  // as the TrackWriter joins tracks.genres
// New tracks whose full-text rows are written in one statement (see Transaction::index_later).
constexpr size_t kIndexBatchRows = 50000;

// A JSON array of ids, for "... IN (SELECT value FROM json_each(?))": one statement for many
// rows (a statement per row costs a full-text flush per row, see schema.cpp).
std::string json_ids(const std::vector<int64_t>& ids) {
    std::string json = "[";
    for (const int64_t id : ids) {
        if (json.size() > 1) json += ',';
        json += std::to_string(id);
    }
    json += ']';
    return json;
}

int64_t now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// Creates the file 0600 when missing: SQLite would create it 0644 minus the umask, and its
// -wal and -shm files take the database file's mode.
void create_private_file(const fs::path& path) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, kDbFileMode);
    if (fd < 0) throw StoreError("cannot open database " + path.string() + ": " + std::strerror(errno));
    struct stat info {};
    const bool stat_ok = ::fstat(fd, &info) == 0;
    const int stat_errno = errno;
    // A new file under a umask such as 0277 would lack the owner's write bit.
    const bool fix_new = stat_ok && S_ISREG(info.st_mode) && info.st_size == 0 &&
                         (info.st_mode & kPermissionBits) != kDbFileMode && ::fchmod(fd, kDbFileMode) != 0;
    const int chmod_errno = errno;
    ::close(fd);
    if (!stat_ok) throw StoreError("cannot stat database " + path.string() + ": " + std::strerror(stat_errno));
    if (!S_ISREG(info.st_mode)) throw StoreError("database " + path.string() + " is not a regular file");
    if (fix_new) throw StoreError("cannot make database " + path.string() + " private: " + std::strerror(chmod_errno));
}

// Tightens an existing database of ours that others could read (called once it is known to be
// plexmix's, so that a foreign file is never touched).
void tighten_file(const fs::path& path) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0 || (info.st_mode & kPermissionBits) == kDbFileMode) return;
    if (::chmod(path.c_str(), kDbFileMode) != 0) {
        throw StoreError("cannot make database " + path.string() + " private (mode 0600): " + std::strerror(errno));
    }
    if ((info.st_mode & kGroupOtherBits) != 0) {
        spdlog::warn("database {} was accessible to other users (mode {:04o}); changed it to 0600", path.string(),
                     info.st_mode & kPermissionBits);
    }
}

std::string pragma_text(sqlite3* db, std::string_view pragma) {
    sql::Statement statement(db, pragma);
    return statement.step() ? statement.text(0) : std::string();
}

SyncRun read_run(const sql::Statement& row) {
    SyncRun run;
    run.id = row.int64(0);
    run.server_id = row.int64(1);
    run.mode = parse_run_mode(row.text_view(2)).value_or(RunMode::full);
    run.status = parse_run_status(row.text_view(3)).value_or(RunStatus::failed);
    run.started_ms = row.int64(4);
    run.finished_ms = row.optional_int64(5);
    run.added = row.int64(6);
    run.updated = row.int64(7);
    run.removed = row.int64(8);
    run.error = row.text(9);
    run.library_stamp = row.text(10);
    if (const std::optional<int64_t> updated = row.optional_int64(11)) {
        run.marks = Watermarks{*updated, row.int64(12), row.int64(13), row.int64(14), row.int64(15) != 0};
    }
    return run;
}

constexpr std::string_view kRunColumns =
    "SELECT id, server_id, mode, status, started_at, finished_at, added, updated, removed, error, library_stamp, "
    "mark_updated_at, mark_added_at, mark_played_at, mark_rated_at, mark_favourites FROM sync_runs ";

constexpr std::string_view kServerColumns =
    "SELECT id, provider, plugin, identity, name, url, product, version, first_seen, last_seen FROM servers ";

ServerRow read_server(const sql::Statement& row) {
    ServerRow server;
    server.id = row.int64(0);
    server.provider = row.text(1);
    server.plugin = row.text(2);
    server.identity = row.text(3);
    server.name = row.text(4);
    server.url = row.text(5);
    server.product = row.text(6);
    server.version = row.text(7);
    server.first_seen_ms = row.int64(8);
    server.last_seen_ms = row.int64(9);
    return server;
}

std::string sample_text(const std::vector<int64_t>& ids) {
    std::string text;
    for (const int64_t id : ids) {
        if (!text.empty()) text += ", ";
        text += std::to_string(id);
    }
    return text;
}

// Runs `sql` (which selects one id per bad row) and adds "<what>: N (e.g. ids ...)" when any.
struct IdCheck {
    int64_t count = 0;
    std::vector<int64_t> sample;
};

IdCheck collect_ids(sqlite3* db, std::string_view query) {
    IdCheck check;
    sql::Statement statement(db, query);
    while (statement.step()) {
        if (check.sample.size() < kSampleIds) check.sample.push_back(statement.int64(0));
        ++check.count;
    }
    return check;
}

void check_quick(sqlite3* db, std::vector<std::string>& problems) {
    sql::Statement statement(db, "PRAGMA quick_check");
    size_t lines = 0;
    while (statement.step()) {
        const std::string line = statement.text(0);
        if (line == "ok") continue;
        if (lines++ < kMaxLinesPerCheck) problems.push_back("quick_check: " + line);
    }
}

void check_foreign_keys(sqlite3* db, std::vector<std::string>& problems) {
    std::map<std::pair<std::string, std::string>, IdCheck> groups;
    sql::Statement statement(db, "PRAGMA foreign_key_check");
    while (statement.step()) {
        IdCheck& group = groups[{statement.text(0), statement.text(2)}];
        ++group.count;
        if (!statement.is_null(1) && group.sample.size() < kSampleIds) group.sample.push_back(statement.int64(1));
    }
    for (const auto& [tables, group] : groups) {
        std::string line = std::to_string(group.count) + " row(s) of " + tables.first + " refer to missing rows of " +
                           tables.second + " (orphans)";
        if (!group.sample.empty()) line += ", e.g. rowids " + sample_text(group.sample);
        problems.push_back(line);
    }
}

void check_cross_server(sqlite3* db, std::vector<std::string>& problems) {
    struct Link {
        std::string_view what, query;
    };
    constexpr std::array<Link, 5> kLinks{{
        {"tracks linked to an album of another server",
         "SELECT t.id FROM tracks t JOIN albums a ON a.id = t.album_id WHERE a.server_id <> t.server_id"},
        {"tracks linked to an artist of another server",
         "SELECT t.id FROM tracks t JOIN artists a ON a.id = t.artist_id WHERE a.server_id <> t.server_id"},
        {"tracks crediting an artist of another server",
         "SELECT t.id FROM tracks t JOIN artists a ON a.id = t.track_artist_id WHERE a.server_id <> t.server_id"},
        {"albums linked to an artist of another server",
         "SELECT al.id FROM albums al JOIN artists a ON a.id = al.artist_id WHERE a.server_id <> al.server_id"},
        {"playlists holding tracks of another server",
         "SELECT DISTINCT p.id FROM playlists p JOIN playlist_tracks pt ON pt.playlist_id = p.id "
         "JOIN tracks t ON t.id = pt.track_id WHERE t.server_id <> p.server_id"},
    }};
    for (const Link& link : kLinks) {
        const IdCheck check = collect_ids(db, link.query);
        if (check.count == 0) continue;
        problems.push_back(std::to_string(check.count) + " " + std::string(link.what) + ", e.g. ids " +
                           sample_text(check.sample));
    }
}

// tracks.genres must read as the track's genre links, in `position` order (names compared
// as the NOCASE genres.name compares them).
void check_genre_text(sqlite3* db, std::vector<std::string>& problems) {
    sql::Statement tracks(db, "SELECT id, genres FROM tracks ORDER BY id");
    sql::Statement links(db,
                         "SELECT tg.track_id, g.name FROM track_genres tg JOIN genres g ON g.id = tg.genre_id "
                         "ORDER BY tg.track_id, tg.position");
    IdCheck bad;
    bool link_ready = links.step();
    while (tracks.step()) {
        const int64_t id = tracks.int64(0);
        while (link_ready && links.int64(0) < id) link_ready = links.step();  // orphans: foreign_key_check
        std::string joined;
        while (link_ready && links.int64(0) == id) {
            if (!joined.empty()) joined += kGenreSeparator;
            joined += links.text_view(1);
            link_ready = links.step();
        }
        if (equal_ascii_nocase(joined, tracks.text_view(1))) continue;
        ++bad.count;
        if (bad.sample.size() < kSampleIds) bad.sample.push_back(id);
    }
    if (bad.count > 0) {
        problems.push_back(std::to_string(bad.count) + " track(s) whose genres text disagrees with track_genres, e.g. ids " +
                           sample_text(bad.sample));
    }
}

void check_fts(sqlite3* db, std::vector<std::string>& problems) {
    const IdCheck missing = collect_ids(
        db, "SELECT t.id FROM tracks t WHERE NOT EXISTS (SELECT 1 FROM tracks_fts f WHERE f.rowid = t.id)");
    const IdCheck orphaned = collect_ids(
        db, "SELECT f.rowid FROM tracks_fts f WHERE NOT EXISTS (SELECT 1 FROM tracks t WHERE t.id = f.rowid)");
    const IdCheck different = collect_ids(
        db,
        "SELECT t.id FROM tracks t JOIN tracks_fts f ON f.rowid = t.id "
        "WHERE f.title IS NOT t.title OR f.artist IS NOT t.artist OR f.album IS NOT t.album OR f.genres IS NOT t.genres "
        "OR f.tags IS NOT " + std::string(kTagText));
    const int64_t total = missing.count + orphaned.count + different.count;
    if (total > 0) {
        std::vector<int64_t> sample = missing.sample;
        sample.insert(sample.end(), orphaned.sample.begin(), orphaned.sample.end());
        sample.insert(sample.end(), different.sample.begin(), different.sample.end());
        if (sample.size() > kSampleIds) sample.resize(kSampleIds);
        problems.push_back("full-text index disagrees with tracks for " + std::to_string(total) + " row(s) (" +
                           std::to_string(missing.count) + " missing, " + std::to_string(orphaned.count) + " orphaned, " +
                           std::to_string(different.count) + " different), e.g. ids " + sample_text(sample));
    }
    const int64_t waiting = sql::query_int64(db, "SELECT count(*) FROM tracks_fts_stale").value_or(0);
    if (waiting > 0) {
        problems.push_back(std::to_string(waiting) + " track(s) wait for their full-text row to be rewritten "
                           "(tracks_fts_stale; Store::update_search_index() applies them)");
    }
    // The index must match the copy it keeps (a write statement that changes nothing).
    if (sqlite3_exec(db, "INSERT INTO tracks_fts(tracks_fts) VALUES('integrity-check')", nullptr, nullptr, nullptr) !=
        SQLITE_OK) {
        problems.push_back(std::string("full-text index integrity-check failed: ") + sqlite3_errmsg(db));
    }
}

}  // namespace

std::string_view to_string(RunMode mode) { return mode == RunMode::full ? "full" : "incremental"; }

std::string_view to_string(RunStatus status) {
    switch (status) {
        case RunStatus::running: return "running";
        case RunStatus::success: return "success";
        case RunStatus::failed: return "failed";
        case RunStatus::interrupted: return "interrupted";
        case RunStatus::partial: return "partial";
    }
    return "failed";
}

std::optional<RunMode> parse_run_mode(std::string_view text) {
    if (text == "full") return RunMode::full;
    if (text == "incremental") return RunMode::incremental;
    return std::nullopt;
}

std::optional<RunStatus> parse_run_status(std::string_view text) {
    for (const RunStatus status :
         {RunStatus::running, RunStatus::success, RunStatus::failed, RunStatus::interrupted, RunStatus::partial}) {
        if (to_string(status) == text) return status;
    }
    return std::nullopt;
}

struct Store::Impl {
    sqlite3* db = nullptr;
    fs::path path;
    bool in_transaction = false;
    std::vector<int64_t> unindexed;  // tracks inserted in this transaction, not yet in tracks_fts
    size_t writes_since_index = 0;   // TrackWriter writes since update_search_index()

    // Brings tracks_fts up to date with tracks: indexes the new tracks, then rewrites the rows
    // of the tracks noted in tracks_fts_stale (in that order: a track can be both). Each is one
    // statement, in rowid order, which FTS5 appends cheaply (see schema.cpp).
    void update_search_index() {
        writes_since_index = 0;
        if (!unindexed.empty()) {
            sql::Statement insert(db,
                                  "INSERT INTO tracks_fts(rowid, title, artist, album, genres, tags) "
                                  "SELECT t.id, t.title, t.artist, t.album, t.genres, " + std::string(kTagText) +
                                      " FROM tracks t WHERE t.id IN (SELECT value FROM json_each(?1)) ORDER BY t.id");
            insert.bind(1, json_ids(unindexed)).run();
            unindexed.clear();
        }
        if (sql::query_int64(db, "SELECT EXISTS (SELECT 1 FROM tracks_fts_stale)").value_or(0) == 0) return;
        sql::exec(db,
                  "DELETE FROM tracks_fts WHERE rowid IN (SELECT track_id FROM tracks_fts_stale); "
                  "INSERT INTO tracks_fts(rowid, title, artist, album, genres, tags) "
                  "SELECT t.id, t.title, t.artist, t.album, t.genres, " + std::string(kTagText) +
                      " FROM tracks_fts_stale s JOIN tracks t ON t.id = s.track_id ORDER BY t.id; "
                      "DELETE FROM tracks_fts_stale;");
    }

    void count_write() {
        if (++writes_since_index >= kIndexBatchRows && !bulk_loading) update_search_index();
    }

    // Transaction::bulk_load(): the CREATE statements of the indexes it dropped.
    bool bulk_loading = false;
    std::vector<std::string> dropped_indexes;

    void start_bulk_load() {
        if (bulk_loading || sql::query_int64(db, "SELECT EXISTS (SELECT 1 FROM tracks)").value_or(1) != 0) return;
        std::vector<std::pair<std::string, std::string>> indexes;  // (name, sql)
        {
            sql::Statement list(db,
                                "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL "
                                "AND tbl_name IN ('tracks', 'track_genres') ORDER BY name");
            while (list.step()) indexes.emplace_back(list.text(0), list.text(1));
        }
        bulk_loading = true;
        for (const auto& [name, create] : indexes) {
            if (create.find("UNIQUE") != std::string::npos) continue;  // a constraint, not only a path
            sql::exec(db, "DROP INDEX \"" + name + "\"");
            dropped_indexes.push_back(create);
        }
    }

    // Makes the dropped indexes again and writes the full-text rows of the load.
    void end_bulk_load() {
        if (!bulk_loading) return;
        for (const std::string& create : dropped_indexes) sql::exec(db, create);
        dropped_indexes.clear();
        bulk_loading = false;
        update_search_index();
    }

    // After a rollback, which restored the schema by itself.
    void forget_bulk_load() {
        dropped_indexes.clear();
        bulk_loading = false;
    }

    ~Impl() {
        // close_v2 defers the close until statements are finalized; none should remain.
        sqlite3_close_v2(db);
    }

    // Opens the connection and refuses a database that is not plexmix's; `name` is used in
    // messages.
    void connect(const std::string& filename, const std::string& name) {
        const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
        if (sqlite3_open_v2(filename.c_str(), &db, flags, nullptr) != SQLITE_OK) {
            const std::string message = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
            throw StoreError("cannot open database " + name + ": " + message);
        }
        sqlite3_busy_timeout(db, kBusyTimeoutMs);
        try {
            check_ours(name);
        } catch (const StoreError& error) {
            throw StoreError("cannot open database " + name + ": " + error.what());
        }
    }

    // WAL (which creates the -wal and -shm files), synchronous, foreign keys, cache.
    void configure(const std::string& name, bool wal) {
        try {
            if (wal) {
                const std::string mode = pragma_text(db, "PRAGMA journal_mode = WAL");
                if (mode != "wal") throw StoreError("journal_mode is " + mode + ", not wal");
            }
            sql::exec(db, "PRAGMA synchronous = NORMAL");
            sql::exec(db, "PRAGMA foreign_keys = ON");
            sql::exec(db, "PRAGMA cache_size = -" + std::to_string(kCacheKiB));
            // Statement journals (every track UPSERT has one: its FTS trigger may fail) stay
            // in memory instead of spilling to a temp file: 10x faster sync writes.
            sql::exec(db, "PRAGMA temp_store = MEMORY");
            sql::exec(db, "PRAGMA journal_size_limit = " + std::to_string(kJournalSizeLimitBytes));
            if (sql::query_int64(db, "PRAGMA foreign_keys").value_or(0) != 1) {
                throw StoreError("this SQLite does not enforce foreign keys");
            }
        } catch (const StoreError& error) {
            throw StoreError("cannot open database " + name + ": " + error.what());
        }
    }

    // Refuses a file that is a SQLite database of some other program.
    void check_ours(const std::string& name) {
        const int64_t application_id = sql::query_int64(db, "PRAGMA application_id").value_or(0);
        if (application_id == kStoreApplicationId) return;
        const bool empty = sql::query_int64(db, "SELECT count(*) FROM sqlite_schema").value_or(0) == 0;
        if (application_id == 0 && empty) return;
        throw StoreError("it is a SQLite database of another program (application_id " +
                         std::to_string(application_id) + "), not plexmix's: " + name);
    }
};

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

std::unique_ptr<Store> Store::open(const fs::path& db) {
    create_private_file(db);
    auto impl = std::make_unique<Impl>();
    impl->path = db;
    impl->connect(db.string(), db.string());
    for (const char* suffix : {"", "-wal", "-shm"}) tighten_file(db.string() + suffix);
    impl->configure(db.string(), /*wal=*/true);
    migrate(impl->db, store_migrations(), db.string());
    auto store = std::unique_ptr<Store>(new Store(std::move(impl)));
    // Updates that another connection made without re-indexing (see schema.cpp). Only worth a
    // write when nobody else is writing: a reader opening the store during a sync must not wait
    // for it (the writer indexes them itself at its commit).
    if (sql::query_int64(store->impl_->db, "SELECT EXISTS (SELECT 1 FROM tracks_fts_stale)").value_or(0) != 0) {
        try {
            store->update_search_index();
        } catch (const StoreError& e) {
            spdlog::debug("full-text index not brought up to date on open: {}", e.what());
        }
    }
    return store;
}

std::unique_ptr<Store> Store::open_in_memory() {
    auto impl = std::make_unique<Impl>();
    impl->connect(":memory:", "(in memory)");
    impl->configure("(in memory)", /*wal=*/false);
    migrate(impl->db, store_migrations(), "(in memory)");
    return std::unique_ptr<Store>(new Store(std::move(impl)));
}

const fs::path& Store::path() const { return impl_->path; }
int Store::schema_version() const { return pmx::schema_version(impl_->db); }
sqlite3* Store::native_handle() const { return impl_->db; }

// Servers ------------------------------------------------------------------------------------

std::optional<ServerRow> Store::find_server(std::string_view provider, std::string_view identity) const {
    sql::Statement query(impl_->db, std::string(kServerColumns) + "WHERE provider = ?1 AND identity = ?2");
    query.bind(1, provider).bind(2, identity);
    if (!query.step()) return std::nullopt;
    return read_server(query);
}

std::optional<ServerRow> Store::server(int64_t server_id) const {
    sql::Statement query(impl_->db, std::string(kServerColumns) + "WHERE id = ?1");
    query.bind(1, server_id);
    if (!query.step()) return std::nullopt;
    return read_server(query);
}

std::vector<ServerRow> Store::servers_of_provider(std::string_view provider) const {
    sql::Statement query(impl_->db, std::string(kServerColumns) + "WHERE provider = ?1 ORDER BY last_seen DESC, id DESC");
    query.bind(1, provider);
    std::vector<ServerRow> servers;
    while (query.step()) servers.push_back(read_server(query));
    return servers;
}

int64_t Store::upsert_server(std::string_view provider, std::string_view plugin, const ServerInfo& info,
                             std::string_view url) {
    sql::Statement upsert(impl_->db,
                          "INSERT INTO servers(provider, plugin, identity, name, url, product, version, first_seen, last_seen) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8) "
                          "ON CONFLICT(provider, identity) DO UPDATE SET plugin = excluded.plugin, name = excluded.name, "
                          "url = excluded.url, product = excluded.product, version = excluded.version, "
                          "last_seen = excluded.last_seen "
                          "RETURNING id");
    // The URL is data anyone with the file reads: never with its user info or token parameters.
    const std::string stored_url = url_without_credentials(url);
    upsert.bind(1, provider).bind(2, plugin).bind(3, std::string_view(info.identity)).bind(4, std::string_view(info.name));
    upsert.bind(5, std::string_view(stored_url)).bind(6, std::string_view(info.product)).bind(7, std::string_view(info.version)).bind(8, now_ms());
    if (!upsert.step()) throw StoreError("upsert of server " + info.identity + " returned no id");
    const int64_t id = upsert.int64(0);
    upsert.run();
    return id;
}

bool Store::delete_server(int64_t server_id) {
    sql::WriteScope scope(impl_->db);
    sql::Statement remove(impl_->db, "DELETE FROM servers WHERE id = ?1");
    const bool deleted = remove.bind(1, server_id).run() > 0;
    prune_orphans();  // genres used only by that server's tracks
    scope.commit();
    return deleted;
}

// Tracks -------------------------------------------------------------------------------------

std::vector<std::pair<int64_t, std::string>> Store::track_keys(int64_t server_id) const {
    sql::Statement query(impl_->db, "SELECT id, native_key FROM tracks WHERE server_id = ?1 ORDER BY id");
    query.bind(1, server_id);
    std::vector<std::pair<int64_t, std::string>> keys;
    while (query.step()) keys.emplace_back(query.int64(0), query.text(1));
    return keys;
}

bool Store::has_tracks(int64_t server_id) const {
    sql::Statement query(impl_->db, "SELECT EXISTS (SELECT 1 FROM tracks WHERE server_id = ?1)");
    query.bind(1, server_id).step();
    return query.int64(0) != 0;
}

int64_t Store::track_count(int64_t server_id) const {
    sql::Statement query(impl_->db, "SELECT count(*) FROM tracks WHERE server_id = ?1");
    query.bind(1, server_id).step();
    return query.int64(0);
}

size_t Store::delete_tracks(const std::vector<int64_t>& ids) {
    if (ids.empty()) return 0;
    impl_->end_bulk_load();  // the cascades want the indexes
    sql::WriteScope scope(impl_->db);
    sql::Statement remove(impl_->db, "DELETE FROM tracks WHERE id IN (SELECT value FROM json_each(?1))");
    const auto deleted = static_cast<size_t>(remove.bind(1, json_ids(ids)).run());
    prune_orphans();
    scope.commit();
    return deleted;
}

void Store::rebuild_search_index() {
    sql::WriteScope scope(impl_->db);
    sql::exec(impl_->db,
              "DELETE FROM tracks_fts; "
              "INSERT INTO tracks_fts(rowid, title, artist, album, genres, tags) "
              "SELECT t.id, t.title, t.artist, t.album, t.genres, " + std::string(kTagText) +
                  " FROM tracks t ORDER BY t.id; "
                  "DELETE FROM tracks_fts_stale; "
                  "INSERT INTO tracks_fts(tracks_fts) VALUES('optimize');");
    impl_->unindexed.clear();
    scope.commit();
}

void Store::update_search_index() {
    sql::WriteScope scope(impl_->db);
    impl_->update_search_index();
    scope.commit();
}

PruneCounts Store::prune_orphans() {
    impl_->end_bulk_load();  // its NOT EXISTS probes want tracks_album, tracks_artist, ...
    sql::WriteScope scope(impl_->db);
    PruneCounts counts;
    counts.albums = sql::Statement(impl_->db,
                                   "DELETE FROM albums WHERE NOT EXISTS "
                                   "(SELECT 1 FROM tracks t WHERE t.album_id = albums.id)")
                        .run();
    counts.artists = sql::Statement(impl_->db,
                                    "DELETE FROM artists WHERE NOT EXISTS "
                                    "(SELECT 1 FROM tracks t WHERE t.artist_id = artists.id) "
                                    "AND NOT EXISTS (SELECT 1 FROM tracks t WHERE t.track_artist_id = artists.id) "
                                    "AND NOT EXISTS (SELECT 1 FROM albums a WHERE a.artist_id = artists.id)")
                         .run();
    counts.genres = sql::Statement(impl_->db,
                                   "DELETE FROM genres WHERE NOT EXISTS "
                                   "(SELECT 1 FROM track_genres tg WHERE tg.genre_id = genres.id)")
                        .run();
    scope.commit();
    return counts;
}

// Sync runs ----------------------------------------------------------------------------------

int64_t Store::start_run(int64_t server_id, RunMode mode) {
    sql::Statement insert(impl_->db,
                          "INSERT INTO sync_runs(server_id, mode, started_at, status) VALUES (?1, ?2, ?3, 'running')");
    insert.bind(1, server_id).bind(2, to_string(mode)).bind(3, now_ms()).run();
    return sqlite3_last_insert_rowid(impl_->db);
}

void Store::finish_run(int64_t run_id, RunStatus status, int64_t added, int64_t updated, int64_t removed,
                       std::string_view error) {
    sql::Statement update(impl_->db,
                          "UPDATE sync_runs SET finished_at = ?2, status = ?3, added = ?4, updated = ?5, removed = ?6, "
                          "error = ?7 WHERE id = ?1");
    update.bind(1, run_id).bind(2, now_ms()).bind(3, to_string(status)).bind(4, added).bind(5, updated).bind(6, removed);
    if (error.empty()) update.bind_null(7);
    else update.bind(7, error);
    update.run();
}

void Store::record_run_state(int64_t run_id, std::string_view library_stamp, const Watermarks& marks) {
    sql::Statement update(impl_->db,
                          "UPDATE sync_runs SET library_stamp = ?2, mark_updated_at = ?3, mark_added_at = ?4, "
                          "mark_played_at = ?5, mark_rated_at = ?6, mark_favourites = ?7 WHERE id = ?1");
    update.bind(1, run_id)
        .bind(2, library_stamp)
        .bind(3, marks.updated_at)
        .bind(4, marks.added_at)
        .bind(5, marks.last_played_at)
        .bind(6, marks.last_rated_at)
        .bind(7, int64_t{marks.has_favourites ? 1 : 0})
        .run();
}

std::optional<SyncRun> Store::last_run(int64_t server_id, std::optional<RunStatus> status) const {
    sql::Statement query(impl_->db, std::string(kRunColumns) + "WHERE server_id = ?1 AND (?2 IS NULL OR status = ?2) "
                                                                "ORDER BY id DESC LIMIT 1");
    query.bind(1, server_id);
    if (status) query.bind(2, to_string(*status));
    if (!query.step()) return std::nullopt;
    return read_run(query);
}

size_t Store::interrupt_stale_runs(int64_t server_id, std::string_view error) {
    sql::Statement update(impl_->db,
                          "UPDATE sync_runs SET status = 'interrupted', finished_at = ?2, error = ?3 "
                          "WHERE server_id = ?1 AND status = 'running'");
    return static_cast<size_t>(update.bind(1, server_id).bind(2, now_ms()).bind(3, error).run());
}

ServerStats Store::stats(int64_t server_id) const {
    ServerStats stats;
    const auto count = [&](std::string_view table) {
        sql::Statement query(impl_->db, "SELECT count(*) FROM " + std::string(table) + " WHERE server_id = ?1");
        query.bind(1, server_id).step();
        return query.int64(0);
    };
    stats.tracks = count("tracks");
    stats.albums = count("albums");
    stats.artists = count("artists");
    stats.last_success = last_run(server_id, RunStatus::success);
    sql::Statement failure(impl_->db, std::string(kRunColumns) +
                                          "WHERE server_id = ?1 AND status IN ('failed', 'interrupted') "
                                          "ORDER BY id DESC LIMIT 1");
    failure.bind(1, server_id);
    if (failure.step()) stats.last_failure = read_run(failure);
    return stats;
}

void Store::record_unreached_sync(const UnreachedSync& attempt) {
    sql::Statement upsert(impl_->db,
                          "INSERT INTO unreached_syncs(provider, plugin, started_at, status, error) "
                          "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(provider) DO UPDATE SET plugin = excluded.plugin, "
                          "started_at = excluded.started_at, status = excluded.status, error = excluded.error");
    upsert.bind(1, attempt.provider).bind(2, attempt.plugin).bind(3, attempt.started_ms);
    upsert.bind(4, to_string(attempt.status)).bind(5, attempt.error);
    upsert.run();
}

void Store::clear_unreached_sync(std::string_view provider) {
    sql::Statement remove(impl_->db, "DELETE FROM unreached_syncs WHERE provider = ?1");
    remove.bind(1, provider);
    remove.run();
}

std::optional<UnreachedSync> Store::unreached_sync(std::string_view provider) const {
    sql::Statement query(impl_->db,
                         "SELECT provider, plugin, started_at, status, error FROM unreached_syncs WHERE provider = ?1");
    query.bind(1, provider);
    if (!query.step()) return std::nullopt;
    UnreachedSync attempt;
    attempt.provider = query.text(0);
    attempt.plugin = query.text(1);
    attempt.started_ms = query.int64(2);
    attempt.status = parse_run_status(query.text_view(3)).value_or(RunStatus::failed);
    attempt.error = query.text(4);
    return attempt;
}

// Verify -------------------------------------------------------------------------------------

std::vector<std::string> Store::integrity_problems() const {
    std::vector<std::string> problems;
    check_quick(impl_->db, problems);
    check_foreign_keys(impl_->db, problems);
    check_cross_server(impl_->db, problems);
    check_genre_text(impl_->db, problems);
    check_fts(impl_->db, problems);
    return problems;
}

// Transaction --------------------------------------------------------------------------------

Store::Snapshot::Snapshot(Store& store) : store_(store) {
    Impl& impl = *store_.impl_;
    if (impl.in_transaction || sqlite3_get_autocommit(impl.db) == 0) {
        throw std::logic_error("a snapshot needs a Store without an open transaction");
    }
    sql::exec(impl.db, "BEGIN DEFERRED");
    active_ = true;
    // A deferred transaction takes its snapshot at its first read: take it now.
    sql::query_int64(impl.db, "SELECT count(*) FROM sqlite_schema");
}

Store::Snapshot::~Snapshot() {
    try {
        end();
    } catch (const std::exception& e) {
        spdlog::warn("ending a read snapshot of {} failed: {}", store_.impl_->path.string(), e.what());
    }
}

void Store::Snapshot::end() {
    if (!active_) return;
    active_ = false;
    sql::exec(store_.impl_->db, "COMMIT");  // it wrote nothing: this only lets go of the snapshot
}

Store::Transaction::Transaction(Store& store) : store_(store) {
    Impl& impl = *store_.impl_;
    if (impl.in_transaction || sqlite3_get_autocommit(impl.db) == 0) {
        throw std::logic_error("a Store::Transaction is already open on this store");
    }
    try {
        sql::exec(impl.db, "BEGIN IMMEDIATE");
    } catch (const StoreError& error) {
        throw StoreError("cannot start a write transaction on " + impl.path.string() +
                         " (is another plexmix writing?): " + error.what());
    }
    impl.in_transaction = true;
    active_ = true;
}

Store::Transaction::~Transaction() {
    if (active_) rollback();
}

void Store::Transaction::commit() {
    if (!active_) throw std::logic_error("commit() of a Store::Transaction that is not active");
    store_.impl_->end_bulk_load();
    store_.impl_->update_search_index();
    sql::exec(store_.impl_->db, "COMMIT");
    active_ = false;
    store_.impl_->in_transaction = false;
}

void Store::Transaction::rollback() {
    if (!active_) return;
    sqlite3* db = store_.impl_->db;
    // SQLite may already have rolled back by itself (after some I/O errors).
    if (sqlite3_get_autocommit(db) == 0) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    active_ = false;
    store_.impl_->in_transaction = false;
    store_.impl_->unindexed.clear();
    store_.impl_->writes_since_index = 0;
    store_.impl_->forget_bulk_load();
}

void Store::Transaction::index_later(int64_t track_id) {
    store_.impl_->unindexed.push_back(track_id);
    store_.impl_->count_write();
}

void Store::Transaction::reindex_later() { store_.impl_->count_write(); }

void Store::Transaction::bulk_load() {
    if (!active_) throw std::logic_error("bulk_load() of a Store::Transaction that is not active");
    store_.impl_->start_bulk_load();
}

}  // namespace pmx
