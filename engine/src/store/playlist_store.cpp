// The playlists plexmix made: rows of playlists and playlist_tracks.
#include "store/playlist_store.hpp"

#include <chrono>

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
    "p.saved_tracks "
    "FROM playlists p JOIN servers s ON s.id = p.server_id ";

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
    r.saved_tracks = q.is_null(12) ? r.track_count : q.int64(12);
    return r;
}

int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

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

std::optional<PlaylistRecord> PlaylistStore::find(int64_t server_id, std::string_view name, bool published) const {
    sql::Statement q(store_.native_handle(),
                     std::string(kSelect) + "WHERE p.server_id = ?1 AND p.name = ?2 AND p.native_key IS " +
                         (published ? "NOT NULL" : "NULL") + " ORDER BY p.updated_at DESC, p.id DESC LIMIT 1");
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

int64_t PlaylistStore::save(const PlaylistSave& p) {
    sqlite3* db = store_.native_handle();
    sql::WriteScope scope(db);
    const int64_t now = now_ms();
    const std::optional<std::string> key = p.native_key.empty() ? std::nullopt : std::optional(p.native_key);
    if (key) {
        sql::Statement clash(db, "DELETE FROM playlists WHERE server_id = ?1 AND native_key = ?2 AND id IS NOT ?3");
        clash.bind(1, p.server_id).bind(2, *key).bind(3, p.id);
        clash.run();
    }
    int64_t id = 0;
    if (p.id) {
        sql::Statement update(db,
                              "UPDATE playlists SET server_id = ?2, native_key = ?3, name = ?4, prompt = ?5, "
                              "options_json = ?6, pipeline_json = ?7, updated_at = ?8 WHERE id = ?1");
        update.bind(1, *p.id).bind(2, p.server_id).bind(4, p.name).bind(5, p.prompt).bind(6, p.options_json);
        update.bind(7, p.pipeline_json).bind(8, now);
        if (key) update.bind(3, *key); else update.bind_null(3);
        if (update.run() == 0) throw StoreError("playlist " + std::to_string(*p.id) + " vanished while being saved");
        id = *p.id;
        sql::Statement clear(db, "DELETE FROM playlist_tracks WHERE playlist_id = ?1");
        clear.bind(1, id);
        clear.run();
    } else {
        sql::Statement insert(db,
                              "INSERT INTO playlists(server_id, native_key, name, prompt, options_json, pipeline_json, "
                              "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)");
        insert.bind(1, p.server_id).bind(3, p.name).bind(4, p.prompt).bind(5, p.options_json).bind(6, p.pipeline_json);
        insert.bind(7, now);
        if (key) insert.bind(2, *key); else insert.bind_null(2);
        insert.run();
        id = sqlite3_last_insert_rowid(db);
    }
    sql::Statement add(db, "INSERT INTO playlist_tracks(playlist_id, position, track_id) VALUES (?1, ?2, ?3)", true);
    for (size_t i = 0; i < p.track_ids.size(); ++i) {
        sql::ResetGuard reset(add);
        add.bind(1, id).bind(2, static_cast<int64_t>(i)).bind(3, p.track_ids[i]);
        add.run();
    }
    // How many it was saved with: tracks that leave the library later leave playlist_tracks.
    sql::Statement saved(db, "UPDATE playlists SET saved_tracks = ?2 WHERE id = ?1");
    saved.bind(1, id).bind(2, static_cast<int64_t>(p.track_ids.size()));
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
