// Test helpers for tests/store: temp dirs, umask, sample tracks, raw SQL and table checksums.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "support/test_util.hpp"
#include <pmx/plugin.h>

#include "model/media.hpp"
#include "store/sqlite.hpp"
#include "store/store.hpp"
#include "store/track_writer.hpp"

namespace pmx::test {

class ScopedUmask {
public:
    explicit ScopedUmask(mode_t mask) : old_(::umask(mask)) {}
    ~ScopedUmask() { ::umask(old_); }
    ScopedUmask(const ScopedUmask&) = delete;
    ScopedUmask& operator=(const ScopedUmask&) = delete;

private:
    mode_t old_;
};

inline unsigned file_mode(const std::filesystem::path& path) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return static_cast<unsigned>(st.st_mode & 07777);
}

inline std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in.good());
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// A complete track as a Plex source would emit it; tests change what they need.
inline TrackRecord sample_track(const std::string& key, const std::string& title = "Song") {
    TrackRecord track;
    track.has = PMX_TRACK_HAS_RATING | PMX_TRACK_HAS_PLAY_COUNT | PMX_TRACK_HAS_LAST_PLAYED | PMX_TRACK_HAS_YEAR;
    track.key = key;
    track.guid = "plex://track/" + key;
    track.file_path = "/music/" + key + ".flac";
    track.title = title;
    track.artist = "The Band";
    track.artist_key = "artist-1";
    track.album = "First Album";
    track.album_key = "album-1";
    track.album_artist = "The Band";
    track.genres = {"Rock", "Blues"};
    track.track_number = 1;
    track.disc_number = 1;
    track.duration_ms = 180000;
    track.year = 1971;
    track.user_rating = 8;
    track.play_count = 3;
    track.last_played_at = 1700000000;
    track.added_at = 1600000000;
    track.updated_at = 1650000000;
    return track;
}

inline ServerInfo sample_server(const std::string& identity = "machine-1") {
    return ServerInfo{identity, "Living Room", "1.40.0", "Plex Media Server"};
}

inline int64_t add_server(Store& store, const std::string& provider = "home", const std::string& identity = "machine-1") {
    return store.upsert_server(provider, "plex", sample_server(identity), "http://127.0.0.1:32400");
}

inline void exec(Store& store, std::string_view sql) { sql::exec(store.native_handle(), sql); }

inline int64_t scalar(Store& store, std::string_view sql) {
    const auto value = sql::query_int64(store.native_handle(), sql);
    REQUIRE(value.has_value());
    return *value;
}

inline std::string text_scalar(Store& store, std::string_view sql) {
    sql::Statement statement(store.native_handle(), sql);
    REQUIRE(statement.step());
    return statement.text(0);
}

// Ids of tracks_fts rows matching an FTS5 query, ascending.
inline std::vector<int64_t> fts_match(Store& store, std::string_view query) {
    sql::Statement statement(store.native_handle(), "SELECT rowid FROM tracks_fts WHERE tracks_fts MATCH ?1 ORDER BY rowid");
    statement.bind(1, query);
    std::vector<int64_t> ids;
    while (statement.step()) ids.push_back(statement.int64(0));
    return ids;
}

// Every row of every table the mirror uses (FTS included), as text: equal text, equal data.
inline std::string dump(Store& store) {
    std::string text;
    for (const std::string_view table : {"servers", "artists", "albums", "tracks", "genres", "track_genres", "sync_runs",
                                         "playlists", "playlist_tracks", "tracks_fts"}) {
        const std::string query = table == "tracks_fts" ? "SELECT rowid, * FROM tracks_fts ORDER BY rowid"
                                                        : "SELECT * FROM " + std::string(table) + " ORDER BY 1, 2";
        sql::Statement statement(store.native_handle(), query);
        text += std::string(table) + ":\n";
        while (statement.step()) {
            const int columns = sqlite3_column_count(statement.get());
            for (int column = 0; column < columns; ++column) {
                text += statement.is_null(column) ? std::string("NULL") : statement.text(column);
                text += '|';
            }
            text += '\n';
        }
    }
    text += "fts rows matching 'song': " + std::to_string(fts_match(store, "song").size()) + "\n";
    return text;
}

// Writes tracks in one committed transaction; returns their results.
inline std::vector<UpsertResult> write_tracks(Store& store, int64_t server_id, const std::vector<TrackRecord>& tracks,
                                              TrackWriter::Options options = {}) {
    Store::Transaction transaction(store);
    TrackWriter writer(transaction, server_id, std::move(options));
    std::vector<UpsertResult> results;
    for (const auto& track : tracks) results.push_back(writer.upsert(track));
    transaction.commit();
    return results;
}

inline UpsertResult write_track(Store& store, int64_t server_id, const TrackRecord& track,
                                TrackWriter::Options options = {}) {
    return write_tracks(store, server_id, {track}, std::move(options)).front();
}

template <class Fn>
std::string store_error_text(Fn&& fn) {
    return error_text<StoreError>(std::forward<Fn>(fn));
}

}  // namespace pmx::test
