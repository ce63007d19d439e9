// The playlists plexmix made: rows of playlists and playlist_tracks.
#include "store/playlist_store.hpp"

#include <chrono>
#include <cstdio>
#include <random>

#include "store/sqlite.hpp"
#include "store/store.hpp"

namespace pmx {
namespace {

constexpr std::string_view kSelect =
    "SELECT p.id, p.server_id, s.provider, COALESCE(p.native_key, ''), p.name, p.prompt, p.options_json, "
    "p.pipeline_json, p.created_at, p.updated_at, "
    "(SELECT count(*) FROM playlist_tracks pt WHERE pt.playlist_id = p.id), "
    "(SELECT COALESCE(sum(t.duration_ms), 0) FROM playlist_tracks pt JOIN tracks t ON t.id = pt.track_id "
    " WHERE pt.playlist_id = p.id), "
    "p.state, COALESCE(p.marker, ''), p.published_at, COALESCE(p.publish_error, ''), p.saved_tracks "
    "FROM playlists p JOIN servers s ON s.id = p.server_id ";

constexpr std::size_t kMarkerBytes = 6;  // 12 hex digits: 48 random bits

PlaylistState parse_state(std::string_view text) {
    if (text == "pending") return PlaylistState::pending;
    if (text == "published") return PlaylistState::published;
    return PlaylistState::local;
}

PlaylistRecord read_row(const sql::Statement& q) {
    PlaylistRecord r;
    r.id = q.int64(0);
    r.server_id = q.int64(1);
    r.provider = q.text(2);
    r.native_key = q.text(3);
    r.name = q.text(4);
    r.prompt = q.text(5);
    r.options_json = q.text(6);
    r.pipeline_json = q.text(7);
    r.created_ms = q.int64(8);
    r.updated_ms = q.int64(9);
    r.track_count = q.int64(10);
    r.duration_ms = q.int64(11);
    r.state = parse_state(q.text_view(12));
    r.marker = q.text(13);
    r.published_ms = q.optional_int64(14);
    r.publish_error = q.text(15);
    r.saved_tracks = q.is_null(16) ? r.track_count : q.int64(16);
    return r;
}

// Runs one UPDATE of a row and checks that the row was there.
void update_row(sqlite3* db, int64_t id, std::string_view sql, std::string_view text, bool with_text = true) {
    sql::Statement update(db, sql);
    update.bind(1, id);
    if (with_text) update.bind(2, text);
    if (update.run() == 0) throw StoreError("playlist " + std::to_string(id) + " is gone");
}

int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

std::string_view to_string(PlaylistState state) {
    switch (state) {
        case PlaylistState::local: return "local";
        case PlaylistState::pending: return "pending";
        case PlaylistState::published: return "published";
    }
    return "local";
}

std::string PlaylistStore::new_marker() {
    std::random_device random;
    std::string marker = "pmx-";
    for (std::size_t i = 0; i < kMarkerBytes; ++i) {
        char hex[3];
        std::snprintf(hex, sizeof hex, "%02x", static_cast<unsigned>(random() & 0xFFU));
        marker += hex;
    }
    return marker;
}

std::vector<PlaylistRecord> PlaylistStore::list() const {
    sql::Statement q(store_.native_handle(), std::string(kSelect) + "ORDER BY p.updated_at DESC, p.id DESC");
    std::vector<PlaylistRecord> out;
    while (q.step()) out.push_back(read_row(q));
    return out;
}

std::optional<PlaylistRecord> PlaylistStore::get(int64_t id) const {
    sql::Statement q(store_.native_handle(), std::string(kSelect) + "WHERE p.id = ?1");
    q.bind(1, id);
    if (!q.step()) return std::nullopt;
    return read_row(q);
}

std::vector<PlaylistRecord> PlaylistStore::find_by_name(std::string_view name) const {
    sql::Statement q(store_.native_handle(),
                     std::string(kSelect) + "WHERE p.name = ?1 ORDER BY p.updated_at DESC, p.id DESC");
    q.bind(1, name);
    std::vector<PlaylistRecord> out;
    while (q.step()) out.push_back(read_row(q));
    return out;
}

std::optional<PlaylistRecord> PlaylistStore::find(int64_t server_id, std::string_view name) const {
    sql::Statement q(store_.native_handle(),
                     std::string(kSelect) +
                         "WHERE p.server_id = ?1 AND p.name = ?2 ORDER BY p.updated_at DESC, p.id DESC LIMIT 1");
    q.bind(1, server_id).bind(2, name);
    if (!q.step()) return std::nullopt;
    return read_row(q);
}

std::vector<int64_t> PlaylistStore::track_ids(int64_t playlist_id) const {
    sql::Statement q(store_.native_handle(),
                     "SELECT track_id FROM playlist_tracks WHERE playlist_id = ?1 ORDER BY position");
    q.bind(1, playlist_id);
    std::vector<int64_t> ids;
    while (q.step()) ids.push_back(q.int64(0));
    return ids;
}

std::vector<std::string> PlaylistStore::track_keys(int64_t playlist_id) const {
    sql::Statement q(store_.native_handle(),
                     "SELECT t.native_key FROM playlist_tracks pt JOIN tracks t ON t.id = pt.track_id "
                     "WHERE pt.playlist_id = ?1 ORDER BY pt.position");
    q.bind(1, playlist_id);
    std::vector<std::string> keys;
    while (q.step()) keys.push_back(q.text(0));
    return keys;
}

void PlaylistStore::set_key(int64_t id, std::string_view native_key) {
    update_row(store_.native_handle(), id, "UPDATE playlists SET native_key = ?2 WHERE id = ?1", native_key);
}

void PlaylistStore::mark_published(int64_t id, std::string_view native_key) {
    sql::Statement update(store_.native_handle(),
                          "UPDATE playlists SET state = 'published', native_key = ?2, published_at = ?3, "
                          "publish_error = NULL WHERE id = ?1");
    update.bind(1, id).bind(2, native_key).bind(3, now_ms());
    if (update.run() == 0) throw StoreError("playlist " + std::to_string(id) + " is gone");
}

void PlaylistStore::mark_failed(int64_t id, std::string_view error) {
    update_row(store_.native_handle(), id, "UPDATE playlists SET state = 'pending', publish_error = ?2 WHERE id = ?1",
               error);
}

void PlaylistStore::mark_pending(int64_t id) {
    update_row(store_.native_handle(), id, "UPDATE playlists SET state = 'pending' WHERE id = ?1", {}, false);
}

int64_t PlaylistStore::save(const PlaylistSave& p, size_t* dropped) {
    sqlite3* db = store_.native_handle();
    sql::WriteScope scope(db);
    const int64_t now = now_ms();
    const std::optional<std::string> key = p.native_key.empty() ? std::nullopt : std::optional(p.native_key);
    const std::string marker = p.marker.empty() ? new_marker() : p.marker;
    const std::string_view state = to_string(p.state == PlaylistState::published ? PlaylistState::pending : p.state);
    if (key) {
        sql::Statement clash(db, "DELETE FROM playlists WHERE server_id = ?1 AND native_key = ?2 AND id IS NOT ?3");
        clash.bind(1, p.server_id).bind(2, *key).bind(3, p.id);
        clash.run();
    }
    int64_t id = 0;
    if (p.id) {
        sql::Statement update(db,
                              "UPDATE playlists SET server_id = ?2, native_key = ?3, name = ?4, prompt = ?5, "
                              "options_json = ?6, pipeline_json = ?7, updated_at = ?8, state = ?9, marker = ?10 "
                              "WHERE id = ?1");
        update.bind(1, *p.id).bind(2, p.server_id).bind(4, p.name).bind(5, p.prompt).bind(6, p.options_json);
        update.bind(7, p.pipeline_json).bind(8, now).bind(9, state).bind(10, marker);
        if (key) update.bind(3, *key); else update.bind_null(3);
        if (update.run() == 0) throw StoreError("playlist " + std::to_string(*p.id) + " vanished while being saved");
        id = *p.id;
        sql::Statement clear(db, "DELETE FROM playlist_tracks WHERE playlist_id = ?1");
        clear.bind(1, id);
        clear.run();
    } else {
        sql::Statement insert(db,
                              "INSERT INTO playlists(server_id, native_key, name, prompt, options_json, pipeline_json, "
                              "created_at, updated_at, state, marker) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8, ?9)");
        insert.bind(1, p.server_id).bind(3, p.name).bind(4, p.prompt).bind(5, p.options_json).bind(6, p.pipeline_json);
        insert.bind(7, now).bind(8, state).bind(9, marker);
        if (key) insert.bind(2, *key); else insert.bind_null(2);
        insert.run();
        id = sqlite3_last_insert_rowid(db);
    }
    // Only tracks still in the mirror: a sync may have deleted some since they were chosen
    // (the row is saved after the writer lock was waited for, outside the run's snapshot).
    sql::Statement add(db,
                       "INSERT INTO playlist_tracks(playlist_id, position, track_id) "
                       "SELECT ?1, ?2, id FROM tracks WHERE id = ?3",
                       true);
    int64_t position = 0;
    for (const int64_t track_id : p.track_ids) {
        sql::ResetGuard reset(add);
        add.bind(1, id).bind(2, position).bind(3, track_id);
        position += add.run();
    }
    if (dropped != nullptr) *dropped = p.track_ids.size() - static_cast<size_t>(position);
    // How many it was saved with: tracks that leave the library later leave playlist_tracks.
    sql::Statement saved(db, "UPDATE playlists SET saved_tracks = ?2 WHERE id = ?1");
    saved.bind(1, id).bind(2, position);
    saved.run();
    scope.commit();
    return id;
}

bool PlaylistStore::remove(int64_t id) {
    sql::Statement q(store_.native_handle(), "DELETE FROM playlists WHERE id = ?1");
    q.bind(1, id);
    return q.run() > 0;
}

}  // namespace pmx
