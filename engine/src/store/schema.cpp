// The store's migrations (v1: the library mirror; v2: content hashes; v3: batched full-text
// re-indexing; v4: tracks.last_rated_at; v5: embeddings per model; v6: track artists as
// artists; v7-v9: playlists as a protocol, unreached syncs, LLM tags; v10: favourites and
// MusicBrainz recording ids; v11: the libraries' change stamps of a sync) and their runner.
#include "store/schema.hpp"

#include <array>
#include <stdexcept>

#include "store/sqlite.hpp"

namespace pmx {
namespace {

// Conventions: store-made times (servers, sync_runs, playlists) are unix milliseconds;
// times mirrored from a server (tracks.added_at, updated_at, last_played_at, last_rated_at) are unix
// seconds as the server gives them. NULL means "the server did not say".
//
// Full-text search: tracks_fts is an ordinary FTS5 table (it keeps its own copy of the four
// short columns), rowid = tracks.id. Why not external content (content=tracks)?
//  - Its 'delete' must be given exactly the values that were indexed; a slip corrupts the
//    index silently. Here a delete or update by rowid is always right.
//  - SQLite 3.40's 'integrity-check' does not compare an external-content index with its
//    content table, so `sync verify` could not see drift. With its own copy, verify compares
//    the copy with tracks row by row and integrity-check proves the index matches the copy.
//  - The cost is a copy of title/artist/album/genres (a few tens of bytes per track).
// Who keeps it in step. Measured on SQLite 3.40.1 (bench/store_bench.cpp, 200k tracks): FTS5
// writes its pending terms out at every statement savepoint, and a row-by-row INSERT or
// UPDATE through a trigger opens one per row, so an index written row by row gets a tiny
// segment per track, then merges: the first sync took 15.7 s with an insert trigger against
// 6-7 s with batches, and each changed title cost ~0.5 ms. Hence:
//  - Deletes: a trigger deletes the full-text row in the same statement, so that every path
//    is covered — cascades (deleting a server deletes its tracks), delete_tracks(), any
//    future code.
//  - Updates of an indexed column: a trigger notes the track in tracks_fts_stale (cheap, any
//    path), and the store re-indexes the noted tracks in one statement at
//    Store::Transaction::commit(), every 50k writes of a TrackWriter, and on open. (Since
//    v3; v1's trigger rewrote the full-text row itself.)
//  - Inserts: the TrackWriter hands its new tracks to the store, indexed the same way (no
//    insert trigger: even noting each new row cost 1-1.5 s more per 200k). A track inserted
//    by other code must be indexed by it (or Store::rebuild_search_index()).
// integrity_problems() reports tracks missing from the index, stale or different.
// The genres column of tracks (names joined by "; ") exists so that the index and the update
// trigger see the genres as one value, and so that the writer can tell cheaply whether they
// changed; track_genres is the relation for queries, `position` giving the order in the text.
constexpr std::string_view kSchemaV1 = R"sql(
PRAGMA application_id = 1347246148;  -- 0x504D5844, "PMXD"

CREATE TABLE servers (
    id         INTEGER PRIMARY KEY,
    provider   TEXT NOT NULL,               -- config name of the provider instance ("home")
    plugin     TEXT NOT NULL,               -- plugin id ("plex")
    identity   TEXT NOT NULL,               -- Plex machineIdentifier, Jellyfin server Id
    name       TEXT NOT NULL DEFAULT '',
    url        TEXT NOT NULL DEFAULT '',
    product    TEXT NOT NULL DEFAULT '',
    version    TEXT NOT NULL DEFAULT '',
    first_seen INTEGER NOT NULL,            -- unix ms
    last_seen  INTEGER NOT NULL,            -- unix ms
    UNIQUE (provider, identity)
);

CREATE TABLE artists (
    id         INTEGER PRIMARY KEY,
    server_id  INTEGER NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
    native_key TEXT NOT NULL,               -- Plex grandparentRatingKey
    name       TEXT NOT NULL DEFAULT '',
    UNIQUE (server_id, native_key)
);

CREATE TABLE albums (
    id           INTEGER PRIMARY KEY,
    server_id    INTEGER NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
    native_key   TEXT NOT NULL,             -- Plex parentRatingKey
    title        TEXT NOT NULL DEFAULT '',
    artist_id    INTEGER REFERENCES artists(id),
    album_artist TEXT NOT NULL DEFAULT '',
    year         INTEGER,
    UNIQUE (server_id, native_key)
);
CREATE INDEX albums_artist ON albums(artist_id);

CREATE TABLE tracks (
    id             INTEGER PRIMARY KEY,     -- stable for ever: embeddings, tags, playlists use it
    server_id      INTEGER NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
    native_key     TEXT NOT NULL,           -- Plex ratingKey, Jellyfin Id
    guid           TEXT,                    -- fallback identity when the server re-keys
    file_path      TEXT,                    -- second fallback identity
    title          TEXT NOT NULL DEFAULT '',
    artist         TEXT NOT NULL DEFAULT '',  -- track artist
    artist_id      INTEGER REFERENCES artists(id),
    album          TEXT NOT NULL DEFAULT '',
    album_id       INTEGER REFERENCES albums(id),
    album_artist   TEXT NOT NULL DEFAULT '',
    genres         TEXT NOT NULL DEFAULT '',  -- "Rock; Blues", the source's order
    track_number   INTEGER,
    disc_number    INTEGER,
    duration_ms    INTEGER,
    year           INTEGER,
    user_rating    INTEGER CHECK (user_rating BETWEEN 0 AND 10),  -- half stars
    play_count     INTEGER,
    last_played_at INTEGER,                 -- unix seconds
    added_at       INTEGER,                 -- unix seconds
    updated_at     INTEGER,                 -- unix seconds
    is_live        INTEGER NOT NULL DEFAULT 0 CHECK (is_live IN (0, 1)),
    UNIQUE (server_id, native_key)
);
CREATE INDEX tracks_guid ON tracks(server_id, guid) WHERE guid IS NOT NULL;
CREATE INDEX tracks_file_path ON tracks(server_id, file_path) WHERE file_path IS NOT NULL;
CREATE INDEX tracks_album ON tracks(album_id);
CREATE INDEX tracks_artist ON tracks(artist_id);

CREATE TABLE genres (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE
);

CREATE TABLE track_genres (
    track_id INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
    genre_id INTEGER NOT NULL REFERENCES genres(id),
    position INTEGER NOT NULL,              -- 0-based place in tracks.genres
    PRIMARY KEY (track_id, genre_id)
) WITHOUT ROWID;
CREATE INDEX track_genres_genre ON track_genres(genre_id);

CREATE TABLE sync_runs (
    id          INTEGER PRIMARY KEY,
    server_id   INTEGER NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
    mode        TEXT NOT NULL CHECK (mode IN ('full', 'incremental')),
    started_at  INTEGER NOT NULL,           -- unix ms
    finished_at INTEGER,                    -- unix ms; NULL while running
    status      TEXT NOT NULL DEFAULT 'running'
                CHECK (status IN ('running', 'success', 'failed', 'interrupted', 'partial')),
    added       INTEGER NOT NULL DEFAULT 0,
    updated     INTEGER NOT NULL DEFAULT 0,
    removed     INTEGER NOT NULL DEFAULT 0,
    error       TEXT                        -- why it did not succeed
);
CREATE INDEX sync_runs_server ON sync_runs(server_id, status);

CREATE TABLE playlists (
    id            INTEGER PRIMARY KEY,
    server_id     INTEGER NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
    native_key    TEXT,                     -- the server's playlist key; NULL until published
    name          TEXT NOT NULL,
    prompt        TEXT NOT NULL DEFAULT '',
    options_json  TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(options_json)),
    pipeline_json TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(pipeline_json)),
    created_at    INTEGER NOT NULL,         -- unix ms
    updated_at    INTEGER NOT NULL,         -- unix ms
    UNIQUE (server_id, native_key)
);

CREATE TABLE playlist_tracks (
    playlist_id INTEGER NOT NULL REFERENCES playlists(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    track_id    INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
    PRIMARY KEY (playlist_id, position)
) WITHOUT ROWID;
CREATE INDEX playlist_tracks_track ON playlist_tracks(track_id);

CREATE VIRTUAL TABLE tracks_fts USING fts5(
    title, artist, album, genres,
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER tracks_fts_delete AFTER DELETE ON tracks BEGIN
    DELETE FROM tracks_fts WHERE rowid = old.id;
END;

CREATE TRIGGER tracks_fts_update AFTER UPDATE OF id, title, artist, album, genres ON tracks
WHEN old.id IS NOT new.id OR old.title IS NOT new.title OR old.artist IS NOT new.artist
     OR old.album IS NOT new.album OR old.genres IS NOT new.genres
BEGIN
    UPDATE tracks_fts
    SET rowid = new.id, title = new.title, artist = new.artist, album = new.album, genres = new.genres
    WHERE rowid = old.id;
END;
)sql";

// A hash of every mirrored field (see TrackWriter), so that an incremental sync can skip
// unchanged rows without comparing columns. NULL for rows written before: they are
// rewritten once, at their next sync.
constexpr std::string_view kSchemaV2 = R"sql(
ALTER TABLE tracks ADD COLUMN content_hash INTEGER;
)sql";

// Updates of indexed columns are noted by the trigger and re-indexed in batches, instead of
// an FTS5 write per updated row (see "Who keeps it in step" above).
constexpr std::string_view kSchemaV3 = R"sql(
CREATE TABLE tracks_fts_stale (
    track_id INTEGER PRIMARY KEY             -- whose full-text row must be rewritten
);

DROP TRIGGER tracks_fts_update;
CREATE TRIGGER tracks_fts_update AFTER UPDATE OF id, title, artist, album, genres ON tracks
WHEN old.id IS NOT new.id OR old.title IS NOT new.title OR old.artist IS NOT new.artist
     OR old.album IS NOT new.album OR old.genres IS NOT new.genres
BEGIN
    -- Not INSERT OR IGNORE: an UPSERT firing this trigger would impose its own conflict policy.
    INSERT INTO tracks_fts_stale(track_id)
    SELECT old.id WHERE NOT EXISTS (SELECT 1 FROM tracks_fts_stale WHERE track_id = old.id);
    INSERT INTO tracks_fts_stale(track_id)
    SELECT new.id WHERE new.id IS NOT old.id
                    AND NOT EXISTS (SELECT 1 FROM tracks_fts_stale WHERE track_id = new.id);
END;
)sql";

// When the user last rated the track (ABI 1.1's pmx_track.last_rated_at): the watermark of
// the rating feed, since rating a track on Plex does not move its updatedAt.
constexpr std::string_view kSchemaV4 = R"sql(
ALTER TABLE tracks ADD COLUMN last_rated_at INTEGER;  -- unix seconds
)sql";

// Text embeddings, kept per model so that switching the embedder keeps the old vectors (see
// store/embeddings_store.hpp and embed/). A model is what the embedder's info() names
// ("toy-hash-64", "use-lite"); its dimension is fixed: a model that starts giving another
// dimension is deleted and re-created (its vectors go with it).
//  - text_hash: 64-bit FNV-1a of the text that was embedded (embed/track_text.hpp), stored as
//    the signed integer of the same bits; a track whose current text hashes differently is
//    stale and re-embedded.
//  - seq: the model's write counter (embedding_models.last_seq) at the batch that wrote the
//    row. The vector index file of a model records the last seq it holds, so that on load it
//    takes exactly the rows written since (greater seq) and drops ids whose rows are gone.
//  - vector: dim float32, little-endian (raw IEEE 754 floats; static_assert'ed where written).
// A rowid table, not WITHOUT ROWID: rows of 1-2 KB are what SQLite advises against there.
// embeddings_state covers (model_id, track_id, text_hash), so finding stale tracks never reads
// the vectors; embeddings_track serves the cascade from tracks.
constexpr std::string_view kSchemaV5 = R"sql(
CREATE TABLE embedding_models (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,        -- the embedder's model name ("use-lite")
    dim        INTEGER NOT NULL CHECK (dim > 0),
    created_at INTEGER NOT NULL,            -- unix ms
    last_seq   INTEGER NOT NULL DEFAULT 0   -- seq of the latest batch written
);

CREATE TABLE embeddings (
    id          INTEGER PRIMARY KEY,
    model_id    INTEGER NOT NULL REFERENCES embedding_models(id) ON DELETE CASCADE,
    track_id    INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
    text_hash   INTEGER NOT NULL,           -- FNV-1a 64 of the text embedded (bits as signed)
    seq         INTEGER NOT NULL,           -- embedding_models.last_seq when written
    embedded_at INTEGER NOT NULL,           -- unix ms
    vector      BLOB NOT NULL,              -- dim float32, little-endian
    UNIQUE (model_id, track_id)
);
CREATE INDEX embeddings_state ON embeddings(model_id, track_id, text_hash);
CREATE INDEX embeddings_seq ON embeddings(model_id, seq);
CREATE INDEX embeddings_track ON embeddings(track_id);
)sql";

// Track artists as artists. Until v5 the artists table held only the artists albums are filed
// under (by the server's key, Plex grandparentRatingKey), so an artist that only a track
// credits (Plex originalTitle: "Artist feat. Guest", a compilation's performer) was not an
// artist of the mirror: `--artist` and the prompt's names did not know it.
//  - tracks.track_artist_id: the artists row of tracks.artist. It is the album artist's row when
//    the track credits that artist (same name, or no album artist given), else a row keyed by
//    the name itself: native_key 'name:' || name (servers give such artists no key; no
//    server's key has this form). The same name may thus have a keyed row and a name row:
//    the server does not say that they are one artist; lists of names show it once.
//  - Store::prune_orphans() keeps an artist while a track credits it this way too.
// The UPDATE below computes what TrackWriter writes, so that rows an incremental sync skips
// (unchanged hash) are linked too. Not in the FTS trigger's columns: no re-indexing.
constexpr std::string_view kSchemaV6 = R"sql(
ALTER TABLE tracks ADD COLUMN track_artist_id INTEGER REFERENCES artists(id);
CREATE INDEX tracks_track_artist ON tracks(track_artist_id);

INSERT INTO artists(server_id, native_key, name)
SELECT DISTINCT server_id, 'name:' || artist, artist FROM tracks
WHERE artist <> '' AND NOT (artist_id IS NOT NULL AND (album_artist = '' OR artist = album_artist))
ON CONFLICT(server_id, native_key) DO NOTHING;

UPDATE tracks SET track_artist_id = CASE
    WHEN artist = '' THEN NULL
    WHEN artist_id IS NOT NULL AND (album_artist = '' OR artist = album_artist) THEN artist_id
    ELSE (SELECT a.id FROM artists a WHERE a.server_id = tracks.server_id AND a.native_key = 'name:' || tracks.artist)
END;
)sql";

// Publishing as a protocol (store/playlist_store.hpp, publish/playlist_publisher.hpp): a row
// says what the server holds of it, so that a failure part-way is known and finished later
// rather than repeated blindly.
//  - state: 'local' (saved only: --no-publish), 'pending' (to be written: saved before any
//    request, left so by a failure), 'published' (the server holds exactly these tracks).
//  - marker: the token the media source puts on a playlist it creates, to find it again when
//    the answer to its creation was lost; kept for the life of the row.
//  - published_at (unix ms) of the last complete publish; publish_error: why the last attempt
//    did not complete (NULL once one did).
// Rows from before v7 were written after the server: a key means published, none local.
constexpr std::string_view kSchemaV7 = R"sql(
ALTER TABLE playlists ADD COLUMN state TEXT NOT NULL DEFAULT 'published'
    CHECK (state IN ('local', 'pending', 'published'));
ALTER TABLE playlists ADD COLUMN marker TEXT;
ALTER TABLE playlists ADD COLUMN published_at INTEGER;
ALTER TABLE playlists ADD COLUMN publish_error TEXT;
UPDATE playlists SET state = 'local' WHERE native_key IS NULL;
UPDATE playlists SET published_at = updated_at WHERE native_key IS NOT NULL;
)sql";

// What the messages of `status` and `playlists export` need to be told:
//  - unreached_syncs: a sync that ended before the server said who it is (unreachable, token
//    refused) has no server row for a sync_runs row. The latest such attempt per provider is
//    kept here, and removed when a sync of the provider reaches its server again. No URL: the
//    error names the address it tried, and a URL may hold credentials.
//  - playlists.saved_tracks: how many tracks the playlist was saved with. Tracks that later
//    leave the library leave playlist_tracks too (cascade); the difference says how many.
//    Rows saved before get the count their positions show (tracks dropped from the end of
//    such a playlist before this version are not known).
constexpr std::string_view kSchemaV8 = R"sql(
CREATE TABLE unreached_syncs (
    provider   TEXT PRIMARY KEY,            -- config name of the provider instance
    plugin     TEXT NOT NULL,
    started_at INTEGER NOT NULL,            -- unix ms
    status     TEXT NOT NULL CHECK (status IN ('failed', 'interrupted')),
    error      TEXT NOT NULL DEFAULT ''
);

ALTER TABLE playlists ADD COLUMN saved_tracks INTEGER;
UPDATE playlists SET saved_tracks =
    (SELECT COALESCE(max(position) + 1, 0) FROM playlist_tracks WHERE playlist_id = playlists.id);
)sql";

// LLM tags (tags/, `plexmix tags`), kept per completer model like embeddings: switching the
// completer keeps the old tags.
//  - tag_models: a (provider, model) that tagged; used_at moves with each tagging run, and the
//    most recently used model with tags for a track gives that track's active tags.
//  - track_tags: one row per model and track. input_hash: FNV-1a 64 (bits as signed) of what
//    was asked (the track's line, the model, the prompt and vocabulary version): a track whose
//    current input hashes differently is stale. Lists hold canonical vocabulary terms joined
//    by ", ". error: why the track could not be tagged (its lists empty), NULL when tagged.
//  - active_tags: each track's tags from its most recently used model (failures left out).
//  - tracks_fts gains a `tags` column (an FTS5 table cannot add one: it is made again, with
//    its triggers as v3 left them, and filled from tracks).
constexpr std::string_view kSchemaV9 = R"sql(
CREATE TABLE tag_models (
    id         INTEGER PRIMARY KEY,
    provider   TEXT NOT NULL,               -- config name of the completer ("gemini")
    model      TEXT NOT NULL,               -- the model it reported ("gemini-2.5-flash")
    created_at INTEGER NOT NULL,            -- unix ms
    used_at    INTEGER NOT NULL,            -- unix ms of its latest tagging run
    UNIQUE (provider, model)
);

CREATE TABLE track_tags (
    model_id     INTEGER NOT NULL REFERENCES tag_models(id) ON DELETE CASCADE,
    track_id     INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
    input_hash   INTEGER NOT NULL,
    moods        TEXT NOT NULL DEFAULT '',
    environments TEXT NOT NULL DEFAULT '',
    instruments  TEXT NOT NULL DEFAULT '',
    energy       INTEGER CHECK (energy BETWEEN 1 AND 5),
    error        TEXT,
    tagged_at    INTEGER NOT NULL,          -- unix ms
    PRIMARY KEY (model_id, track_id)
) WITHOUT ROWID;
CREATE INDEX track_tags_track ON track_tags(track_id);

CREATE VIEW active_tags AS
SELECT tt.track_id, tt.model_id, tt.moods, tt.environments, tt.instruments, tt.energy
FROM track_tags tt
WHERE tt.error IS NULL AND tt.model_id = (
    SELECT t2.model_id FROM track_tags t2 JOIN tag_models m ON m.id = t2.model_id
    WHERE t2.track_id = tt.track_id AND t2.error IS NULL
    ORDER BY m.used_at DESC, m.id DESC LIMIT 1);

DROP TRIGGER tracks_fts_delete;
DROP TRIGGER tracks_fts_update;
DROP TABLE tracks_fts;
CREATE VIRTUAL TABLE tracks_fts USING fts5(
    title, artist, album, genres, tags,
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER tracks_fts_delete AFTER DELETE ON tracks BEGIN
    DELETE FROM tracks_fts WHERE rowid = old.id;
END;
CREATE TRIGGER tracks_fts_update AFTER UPDATE OF id, title, artist, album, genres ON tracks
WHEN old.id IS NOT new.id OR old.title IS NOT new.title OR old.artist IS NOT new.artist
     OR old.album IS NOT new.album OR old.genres IS NOT new.genres
BEGIN
    INSERT INTO tracks_fts_stale(track_id)
    SELECT old.id WHERE NOT EXISTS (SELECT 1 FROM tracks_fts_stale WHERE track_id = old.id);
    INSERT INTO tracks_fts_stale(track_id)
    SELECT new.id WHERE new.id IS NOT old.id
                    AND NOT EXISTS (SELECT 1 FROM tracks_fts_stale WHERE track_id = new.id);
END;
INSERT INTO tracks_fts(rowid, title, artist, album, genres, tags)
SELECT id, title, artist, album, genres, '' FROM tracks ORDER BY id;
DELETE FROM tracks_fts_stale;
)sql";

// What ABI 1.4 media sources tell beside the rest (Jellyfin does; Plex has no favourites):
//  - is_favourite: the user marked the track a favourite (1) or not (0); NULL when the server
//    has no such flag. An incremental sync reads the keys of the server's whole list of
//    favourites and makes the flags agree (favourites carry no time to stop at).
//  - recording_mbid: the MusicBrainz recording id, the same for the same recording on any
//    server; NULL when the server does not know it. Indexed for matching across servers.
constexpr std::string_view kSchemaV10 = R"sql(
ALTER TABLE tracks ADD COLUMN is_favourite INTEGER CHECK (is_favourite IN (0, 1));
ALTER TABLE tracks ADD COLUMN recording_mbid TEXT;
CREATE INDEX tracks_favourite ON tracks(server_id) WHERE is_favourite = 1;
CREATE INDEX tracks_recording ON tracks(recording_mbid) WHERE recording_mbid IS NOT NULL;
)sql";

// What a successful sync leaves for the next one, so that a sync of an unchanged library reads
// no more than a few pages and a few rows:
//  - library_stamp: what the server said of its libraries when the run began (ABI 1.5 media
//    sources: each library's key, exact track count and change stamp, joined). When the next
//    incremental sync hears the same and the mirror holds that many tracks, it reads the feeds
//    and does not walk every key. NULL when the source gives no stamp (keys walked every time).
//  - mark_*: the newest updated/added/played/rated time the mirror has taken from the server
//    (store/watermarks.hpp), and whether its tracks carry favourite flags: where the next
//    incremental sync's feeds stop. Computing them from tracks reads every row of the server
//    (0.1 s at 200k); NULL on runs before v11 (then they are computed once).
constexpr std::string_view kSchemaV11 = R"sql(
ALTER TABLE sync_runs ADD COLUMN library_stamp TEXT;
ALTER TABLE sync_runs ADD COLUMN mark_updated_at INTEGER;
ALTER TABLE sync_runs ADD COLUMN mark_added_at INTEGER;
ALTER TABLE sync_runs ADD COLUMN mark_played_at INTEGER;
ALTER TABLE sync_runs ADD COLUMN mark_rated_at INTEGER;
ALTER TABLE sync_runs ADD COLUMN mark_favourites INTEGER;
)sql";

constexpr std::array kMigrations{
    Migration{1, "create the library mirror", kSchemaV1},
    Migration{2, "add tracks.content_hash", kSchemaV2},
    Migration{3, "re-index updated tracks in batches (tracks_fts_stale)", kSchemaV3},
    Migration{4, "add tracks.last_rated_at", kSchemaV4},
    Migration{5, "add embeddings per model (embedding_models, embeddings)", kSchemaV5},
    Migration{6, "add track artists as artists (tracks.track_artist_id)", kSchemaV6},
    Migration{7, "publish playlists as a protocol (playlists.state, marker, published_at, publish_error)", kSchemaV7},
    Migration{8, "add unreached_syncs and playlists.saved_tracks", kSchemaV8},
    Migration{9, "add LLM tags per model (tag_models, track_tags, active_tags) and tracks_fts.tags", kSchemaV9},
    Migration{10, "add tracks.is_favourite and tracks.recording_mbid", kSchemaV10},
    Migration{11, "add sync_runs.library_stamp and the run's watermarks (sync_runs.mark_*)", kSchemaV11},
};
static_assert(kMigrations.back().version == kStoreSchemaVersion, "append a migration when bumping the version");

void check_list(std::span<const Migration> migrations) {
    for (size_t i = 0; i < migrations.size(); ++i) {
        if (migrations[i].version != static_cast<int>(i) + 1) {
            throw std::logic_error("store migrations must be numbered 1..N in order");
        }
    }
}

[[noreturn]] void refuse_newer(const std::string& db_name, int found, int known) {
    throw StoreError("database " + db_name + " has schema version " + std::to_string(found) +
                     ", newer than this plexmix knows (" + std::to_string(known) +
                     "): it was written by a newer plexmix. Upgrade plexmix, or point data_dir at "
                     "another directory; the database was left untouched.");
}

void rollback_quietly(sqlite3* db) {
    if (sqlite3_get_autocommit(db) == 0) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
}

void apply(sqlite3* db, const Migration& migration) {
    sql::exec(db, migration.sql);
    if (migration.rebuilds_tables) {
        sql::Statement check(db, "PRAGMA foreign_key_check");
        if (check.step()) {
            throw StoreError("foreign key violations after the rebuild (first in table " + check.text(0) + ")");
        }
    }
    sql::exec(db, "PRAGMA user_version = " + std::to_string(migration.version));
}

}  // namespace

std::span<const Migration> store_migrations() { return kMigrations; }

int schema_version(sqlite3* db) {
    return static_cast<int>(sql::query_int64(db, "PRAGMA user_version").value_or(0));
}

void migrate(sqlite3* db, std::span<const Migration> migrations, const std::string& db_name) {
    check_list(migrations);
    const int latest = static_cast<int>(migrations.size());
    if (const int found = schema_version(db); found > latest) refuse_newer(db_name, found, latest);

    for (const Migration& migration : migrations) {
        if (migration.version <= schema_version(db)) continue;
        // foreign_keys cannot change inside a transaction, hence before BEGIN.
        if (migration.rebuilds_tables) sql::exec(db, "PRAGMA foreign_keys = OFF");
        bool newer = false;
        try {
            sql::exec(db, "BEGIN IMMEDIATE");
            // Another process may have migrated while this one waited for the write lock.
            const int found = schema_version(db);
            newer = found > latest;
            if (found < migration.version) apply(db, migration);
            sql::exec(db, newer ? "ROLLBACK" : "COMMIT");
        } catch (const StoreError& error) {
            rollback_quietly(db);
            if (migration.rebuilds_tables) sqlite3_exec(db, "PRAGMA foreign_keys = ON", nullptr, nullptr, nullptr);
            throw StoreError("cannot migrate database " + db_name + " from schema version " +
                             std::to_string(migration.version - 1) + " to " + std::to_string(migration.version) +
                             " (" + std::string(migration.description) + "): " + error.what() +
                             ". It was left at version " + std::to_string(schema_version(db)) + ", unchanged.");
        }
        if (migration.rebuilds_tables) sql::exec(db, "PRAGMA foreign_keys = ON");
        if (newer) refuse_newer(db_name, schema_version(db), latest);
    }
}

}  // namespace pmx
