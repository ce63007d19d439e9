-- A plexmix database at schema version 1, frozen: the CREATE script exactly as migration 1 ran
-- it, then a little data. Never edit it to follow schema changes; it is what databases in the
-- field look like before migration 2 (tracks.content_hash). Loaded by test_migrations.cpp.

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

-- Data as a v1 plexmix wrote it (its TrackWriter indexes new tracks itself).
INSERT INTO servers(id, provider, plugin, identity, name, url, product, version, first_seen, last_seen)
VALUES (1, 'home', 'plex', 'machine-1', 'Living Room', 'http://127.0.0.1:32400', 'Plex Media Server', '1.32.0',
        1700000000000, 1700000500000);
INSERT INTO artists(id, server_id, native_key, name) VALUES (10, 1, 'artist-1', 'The Band');
INSERT INTO albums(id, server_id, native_key, title, artist_id, album_artist, year)
VALUES (20, 1, 'album-1', 'First Album', 10, 'The Band', 1971);
INSERT INTO tracks(id, server_id, native_key, guid, file_path, title, artist, artist_id, album, album_id, album_artist,
                   genres, track_number, disc_number, duration_ms, year, user_rating, play_count, last_played_at,
                   added_at, updated_at, is_live)
VALUES (100, 1, '1', 'plex://track/1', '/music/1.flac', 'Old Song', 'The Band', 10, 'First Album', 20, 'The Band',
        'Rock; Blues', 1, 1, 180000, 1971, 8, 3, 1700000000, 1600000000, 1650000000, 0),
       (101, 1, '2', 'plex://track/2', '/music/2.flac', 'Other Song (Live)', 'The Band', 10, 'First Album', 20,
        'The Band', 'Rock', 2, 1, 200000, 1971, NULL, NULL, NULL, 1600000000, 1650000000, 1);
INSERT INTO tracks_fts(rowid, title, artist, album, genres)
SELECT id, title, artist, album, genres FROM tracks ORDER BY id;
INSERT INTO genres(id, name) VALUES (1, 'Rock'), (2, 'Blues');
INSERT INTO track_genres(track_id, genre_id, position) VALUES (100, 1, 0), (100, 2, 1), (101, 1, 0);
INSERT INTO sync_runs(id, server_id, mode, started_at, finished_at, status, added, updated, removed)
VALUES (1, 1, 'full', 1700000000000, 1700000004000, 'success', 2, 0, 0);
INSERT INTO playlists(id, server_id, native_key, name, prompt, created_at, updated_at)
VALUES (1, 1, NULL, 'Evening', 'calm evening rock', 1700000100000, 1700000100000);
INSERT INTO playlist_tracks(playlist_id, position, track_id) VALUES (1, 0, 101), (1, 1, 100);

PRAGMA user_version = 1;
