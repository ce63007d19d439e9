// The local library mirror in SQLite: open/migrate, servers, sync runs, deletes, stats, verify.
#pragma once

// One Store is one SQLite connection (WAL, foreign keys on, 5 s busy timeout, synchronous
// NORMAL). Use it from one thread at a time; other processes may read while it writes.
// Every method throws StoreError when SQLite fails underneath (I/O, disk full, corruption,
// a write lock held by another process past the busy timeout): such failures end the run.
// Not-found and similar outcomes are values (std::optional, counts).
//
// Writes outside a Store::Transaction commit one by one; inside one they join it. Tracks
// are written by a TrackWriter (store/track_writer.hpp), which needs an open Transaction.
// The schema (tables, columns, units) is described in store/schema.cpp.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/media.hpp"
#include "store/store_error.hpp"
#include "store/watermarks.hpp"

struct sqlite3;

namespace pmx {

inline constexpr std::string_view kStoreFileName = "plexmix.db";  // in the data dir

enum class RunMode { full, incremental };
enum class RunStatus { running, success, failed, interrupted, partial };

std::string_view to_string(RunMode mode);
std::string_view to_string(RunStatus status);
std::optional<RunMode> parse_run_mode(std::string_view text);
std::optional<RunStatus> parse_run_status(std::string_view text);

// One media server as seen through one configured provider.
struct ServerRow {
    int64_t id = 0;
    std::string provider;  // config name of the provider instance ("home")
    std::string plugin;    // plugin id ("plex")
    std::string identity;  // Plex machineIdentifier, Jellyfin server Id
    std::string name, url, product, version;
    int64_t first_seen_ms = 0, last_seen_ms = 0;  // unix ms
};

struct SyncRun {
    int64_t id = 0, server_id = 0;
    RunMode mode = RunMode::full;
    RunStatus status = RunStatus::running;
    int64_t started_ms = 0;                  // unix ms
    std::optional<int64_t> finished_ms;      // unix ms; nullopt while running
    int64_t added = 0, updated = 0, removed = 0;
    std::string error;                       // empty on success
    std::string library_stamp;               // the libraries as the run found them; empty = unknown
    std::optional<Watermarks> marks;         // where the next incremental sync stops; none before v11

    std::optional<int64_t> duration_ms() const {
        if (!finished_ms) return std::nullopt;
        return *finished_ms - started_ms;
    }
};

// A sync that ended before the server said who it is: kept per provider (the latest one).
struct UnreachedSync {
    std::string provider, plugin;
    int64_t started_ms = 0;                // unix ms
    RunStatus status = RunStatus::failed;  // failed or interrupted
    std::string error;
};

struct ServerStats {
    int64_t tracks = 0, albums = 0, artists = 0;
    std::optional<SyncRun> last_success;  // with its duration
    std::optional<SyncRun> last_failure;  // status failed or interrupted, with its error
};

// What prune_orphans() removed.
struct PruneCounts {
    int64_t albums = 0, artists = 0, genres = 0;
};

class TrackWriter;

class Store {
public:
    class Transaction;
    class Snapshot;

    // Opens (creating it, mode 0600, if missing) the database at `db`, whose directory must
    // exist, and migrates it to kStoreSchemaVersion. An existing file readable by others is
    // tightened to 0600. Throws StoreError when it cannot be opened, is not a plexmix
    // database, is newer than this build (left untouched), or a migration fails (the
    // database stays at the last version that applied).
    static std::unique_ptr<Store> open(const std::filesystem::path& db);
    // A private in-memory database with the current schema (no WAL), for tests and tools.
    static std::unique_ptr<Store> open_in_memory();

    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    const std::filesystem::path& path() const;  // empty for an in-memory store
    int schema_version() const;

    // Servers --------------------------------------------------------------------------------
    std::optional<ServerRow> find_server(std::string_view provider, std::string_view identity) const;
    std::optional<ServerRow> server(int64_t server_id) const;
    // Every server seen through `provider`, most recently seen first (several when the
    // server behind a provider changed identity).
    std::vector<ServerRow> servers_of_provider(std::string_view provider) const;
    // Inserts or updates the row of (provider, info.identity) and returns its id (stable).
    // Sets last_seen to now (and first_seen for a new row). `url` is stored without its
    // credentials (url_without_credentials()).
    int64_t upsert_server(std::string_view provider, std::string_view plugin, const ServerInfo& info,
                          std::string_view url);
    // Deletes a server and, by cascade, everything mirrored from it. False when absent.
    bool delete_server(int64_t server_id);

    // Tracks ---------------------------------------------------------------------------------
    // (id, native_key) of every track of the server, by id.
    std::vector<std::pair<int64_t, std::string>> track_keys(int64_t server_id) const;
    bool has_tracks(int64_t server_id) const;
    int64_t track_count(int64_t server_id) const;
    // Hard-deletes the tracks (ids that do not exist are skipped); cascades remove their
    // genre links and playlist entries and the full-text rows; then prune_orphans().
    // Returns how many tracks were deleted. Atomic: joins the open transaction, else opens one.
    size_t delete_tracks(const std::vector<int64_t>& ids);
    // Removes albums without tracks, artists no track or album refers to (as album artist or
    // as the artist a track credits), genres without tracks.
    // A sync calls it once at the end (a track can move to another album or lose a genre).
    PruneCounts prune_orphans();
    // Rewrites the full-text rows of tracks whose indexed columns changed (noted by a
    // trigger in tracks_fts_stale) and indexes tracks a TrackWriter added. Runs by itself at
    // Transaction::commit(), within long TrackWriter runs and on open; call it after
    // changing tracks by other means. Atomic like delete_tracks().
    void update_search_index();
    // Rebuilds the full-text index from tracks (a repair for what integrity_problems()
    // reports about it). Atomic like delete_tracks().
    void rebuild_search_index();

    // Sync runs ------------------------------------------------------------------------------
    // Call these outside the sync's data transaction, so that the record of a run survives
    // its rollback.
    int64_t start_run(int64_t server_id, RunMode mode);
    // Sets the end time, final status and counts; `error` empty for none.
    void finish_run(int64_t run_id, RunStatus status, int64_t added, int64_t updated, int64_t removed,
                    std::string_view error = {});
    // Records what the server said of its libraries when the run began (empty = NULL) and the
    // watermarks the mirror has now (sync.cpp): write it inside the run's transaction, so that
    // only a run that committed keeps them.
    void record_run_state(int64_t run_id, std::string_view library_stamp, const Watermarks& marks);
    // The latest run of the server (with that status, when given).
    std::optional<SyncRun> last_run(int64_t server_id, std::optional<RunStatus> status = std::nullopt) const;
    // Marks runs of the server still 'running' as 'interrupted' (a process that died
    // mid-run cannot record its end). Call only while no other process syncs that server.
    size_t interrupt_stale_runs(int64_t server_id, std::string_view error);

    ServerStats stats(int64_t server_id) const;

    // A sync that could not reach its server (no identity: no server row to record a run
    // under) replaces the provider's earlier one; a sync that reached it clears it.
    void record_unreached_sync(const UnreachedSync& attempt);
    void clear_unreached_sync(std::string_view provider);
    std::optional<UnreachedSync> unreached_sync(std::string_view provider) const;

    // Verify ---------------------------------------------------------------------------------
    // Empty when the database is consistent; else one human-readable line per problem:
    // PRAGMA quick_check, PRAGMA foreign_key_check (orphans such as track_genres without
    // their track), rows linked across servers, tracks.genres disagreeing with track_genres,
    // and the full-text index disagreeing with tracks (count and sample ids), or waiting for
    // update_search_index(). Changes nothing, but FTS5's integrity-check is an INSERT and
    // takes the write lock for a moment (a sync running elsewhere makes it wait, up to 5 s).
    std::vector<std::string> integrity_problems() const;

    // The connection, for other store modules of the engine (search, embeddings, playlists)
    // that use store/sqlite.hpp. Owned by the Store; do not close it.
    sqlite3* native_handle() const;

private:
    struct Impl;
    explicit Store(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// A read snapshot: until it ends, every query on this Store sees the database as it was at the
// snapshot's start, whatever other processes commit meanwhile (WAL keeps that version for us).
// A run that reads in several steps (generate: filter, then details, then vectors) holds one,
// so that a sync committing deletions between two of its reads cannot make them disagree.
// Ended at destruction or by end(). Writing while it is open would fail once another process
// has committed: end it first. Throws std::logic_error when a transaction is already open.
class Store::Snapshot {
public:
    explicit Snapshot(Store& store);
    ~Snapshot();
    Snapshot(const Snapshot&) = delete;
    Snapshot& operator=(const Snapshot&) = delete;

    void end();
    bool active() const { return active_; }

private:
    Store& store_;
    bool active_ = false;
};

// A write transaction (BEGIN IMMEDIATE: it waits up to the busy timeout for other writers,
// then throws StoreError). Rolled back on destruction unless commit() succeeded, so any
// exception or early return leaves the previous data exactly as it was. Not nestable:
// opening a second one on the same Store while one is active throws std::logic_error.
class Store::Transaction {
public:
    explicit Transaction(Store& store);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

    // Brings the full-text index up to date (update_search_index()), then COMMITs. Throws
    // StoreError when either fails; the transaction then stays open and is rolled back at
    // scope exit (or by rollback()).
    void commit();
    void rollback();  // ends it now, discarding its writes
    bool active() const { return active_; }
    Store& store() const { return store_; }

private:
    friend class TrackWriter;
    // A track this transaction inserted, whose full-text row is still to be written; and a
    // track it updated (whose row a trigger may have noted as stale). Applied in batches, and
    // all before COMMIT (see store/schema.cpp for why).
    void index_later(int64_t track_id);
    void reindex_later();
    // A first load into a mirror without tracks: drops the secondary indexes of tracks and
    // track_genres (none that enforces uniqueness) and defers the full-text index, so that the
    // rows go in without maintaining them row by row; the indexes are made again in one pass
    // each, inside this transaction, by the first of commit(), Store::delete_tracks() and
    // Store::prune_orphans(). A rollback brings them back as they were (DDL is transactional).
    // Queries in between are right, only slower. Does nothing when tracks has any row.
    void bulk_load();

    Store& store_;
    bool active_ = false;
};

}  // namespace pmx
