// The playlists plexmix made, kept in the store (tables playlists, playlist_tracks; schema v1).
#pragma once

// A playlist row belongs to one server (the one it was or would be written to). native_key is
// the server's key once published, empty while the playlist is only local (--no-publish).
// Rows with the same name may exist on several servers, and on one server as a published row
// and a local-only row. Borrows a Store and throws StoreError like it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pmx {

class Store;

struct PlaylistRecord {
    int64_t id = 0, server_id = 0;
    std::string provider;    // the server's provider (config name)
    std::string native_key;  // empty: not published
    std::string name, prompt;
    std::string options_json = "{}", pipeline_json = "[]";
    int64_t created_ms = 0, updated_ms = 0;  // unix ms
    int64_t track_count = 0, duration_ms = 0;  // of its tracks still in the mirror
    int64_t saved_tracks = 0;                  // tracks it was saved with (gone ones included)
};

struct PlaylistSave {
    std::optional<int64_t> id;  // the row to overwrite; nullopt: a new row
    int64_t server_id = 0;
    std::string native_key;     // empty: not published
    std::string name, prompt, options_json = "{}", pipeline_json = "[]";
    std::vector<int64_t> track_ids;  // in playlist order
};

class PlaylistStore {
public:
    explicit PlaylistStore(Store& store) : store_(store) {}

    // Every playlist, most recently updated first.
    std::vector<PlaylistRecord> list() const;
    std::optional<PlaylistRecord> get(int64_t id) const;
    // Playlists named exactly `name` (any server), most recently updated first.
    std::vector<PlaylistRecord> find_by_name(std::string_view name) const;
    // The latest row named `name` on the server, published (with a key) or local-only.
    std::optional<PlaylistRecord> find(int64_t server_id, std::string_view name, bool published) const;
    // Track ids in playlist order.
    std::vector<int64_t> track_ids(int64_t playlist_id) const;

    // Writes the row and its tracks in one transaction (a savepoint inside an open one) and
    // returns its id. A different row of the same server that holds the same native key (the
    // server re-used a key) is deleted first.
    int64_t save(const PlaylistSave& playlist);
    // Deletes the row and its tracks; false when absent.
    bool remove(int64_t id);

private:
    Store& store_;
};

}  // namespace pmx
