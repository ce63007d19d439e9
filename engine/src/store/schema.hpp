// The store's schema as an ordered list of migrations, and the runner that applies them.
#pragma once

// How to change the schema: append a Migration with the next version to the list in
// schema.cpp and bump kStoreSchemaVersion; never edit a migration that has shipped (databases
// in the field already ran it, and tests/store/data/ keeps frozen copies of old schemas to
// migrate from). Each migration runs in its own transaction together with the new
// user_version, so a failure leaves the database at the previous version, unchanged.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

struct sqlite3;

namespace pmx {

// The schema version this build writes (PRAGMA user_version). A database with a higher one
// was written by a newer plexmix and is refused.
inline constexpr int kStoreSchemaVersion = 11;

// PRAGMA application_id of plexmix databases ("PMXD"); a database with another non-zero id
// is not ours and is refused.
inline constexpr int32_t kStoreApplicationId = 0x504D5844;

// SQL for the active tags (view active_tags) of the track aliased `t`, as one text: moods,
// environments and instruments joined by ", "; '' when the track has none. What tracks_fts.tags
// holds and what prompts and embedding texts read.
inline constexpr std::string_view kTagText =
    "COALESCE((SELECT trim(replace(replace(a.moods || ', ' || a.environments || ', ' || a.instruments, "
    "', , ', ', '), ', , ', ', '), ', ') FROM active_tags a WHERE a.track_id = t.id), '')";

struct Migration {
    int version;                   // 1, 2, ...: the user_version once it has run
    std::string_view description;  // for error messages: "add tracks.content_hash"
    std::string_view sql;          // one or more statements
    // Set for a migration that rebuilds tables (create new, copy, drop old, rename): it then
    // runs with foreign_keys off, as SQLite's ALTER TABLE procedure requires, and commits
    // only when PRAGMA foreign_key_check finds nothing.
    bool rebuilds_tables = false;
};

// The migrations of this build, versions 1..kStoreSchemaVersion in order.
std::span<const Migration> store_migrations();

// PRAGMA user_version of the main database.
int schema_version(sqlite3* db);

// Brings `db` from its user_version up to the last version in `migrations` (which must be
// 1..N, consecutive), one transaction per migration. Throws StoreError when the database is
// newer than the list knows or a migration fails; `db_name` names the file in messages.
void migrate(sqlite3* db, std::span<const Migration> migrations, const std::string& db_name);

}  // namespace pmx
