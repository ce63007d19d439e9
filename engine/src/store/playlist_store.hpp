// The playlists plexmix made, kept in the store (tables playlists, playlist_tracks; schema v1, v7).
#pragma once

// A playlist row belongs to one server (the one it was or would be written to) and says what
// that server holds of it (schema v7):
//   local      saved only (--no-publish); native_key, when set, is an older published version
//   pending    to be written; saved so BEFORE any request, and left so by a failure, with
//              publish_error saying why; native_key is the server's playlist it goes to (the
//              one it replaces, or the one an attempt created), empty while none is known
//   published  the server's playlist native_key holds exactly these tracks
// There is one row per (server, name) once v7 writes them; older databases may hold a
// published and a local row of one name, and find() takes the most recent.
// Borrows a Store and throws StoreError like it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pmx {

class Store;

enum class PlaylistState { local, pending, published };

std::string_view to_string(PlaylistState state);

struct PlaylistRecord {
    int64_t id = 0, server_id = 0;
    std::string provider;    // the server's provider (config name)
    std::string native_key;  // the server's playlist key; empty: none known
    std::string name, prompt;
    std::string options_json = "{}", pipeline_json = "[]";
    int64_t created_ms = 0, updated_ms = 0;  // unix ms
    int64_t track_count = 0, duration_ms = 0;  // of its tracks still in the mirror
    PlaylistState state = PlaylistState::local;
    std::string marker;                  // the token write_playlist finds its playlist by
    std::optional<int64_t> published_ms;  // the last complete publish
    std::string publish_error;           // why the last attempt did not complete; "" when it did
    int64_t saved_tracks = 0;                  // tracks it was saved with (gone ones included)
};

struct PlaylistSave {
    std::optional<int64_t> id;  // the row to overwrite; nullopt: a new row
    int64_t server_id = 0;
    std::string native_key;     // kept from the row it overwrites (the server playlist it goes to)
    std::string name, prompt, options_json = "{}", pipeline_json = "[]";
    std::vector<int64_t> track_ids;  // in playlist order; ids no longer in the mirror are left out
    PlaylistState state = PlaylistState::local;  // local or pending: nothing is published by saving
    std::string marker;         // empty: a new one is made
};

class PlaylistStore {
public:
    explicit PlaylistStore(Store& store) : store_(store) {}

    // Every playlist, most recently updated first.
    std::vector<PlaylistRecord> list() const;
    std::optional<PlaylistRecord> get(int64_t id) const;
    // Playlists named exactly `name` (any server), most recently updated first.
    std::vector<PlaylistRecord> find_by_name(std::string_view name) const;
    // The latest row named `name` on the server, whatever its state.
    std::optional<PlaylistRecord> find(int64_t server_id, std::string_view name) const;
    // Track ids in playlist order.
    std::vector<int64_t> track_ids(int64_t playlist_id) const;
    // The native keys of its tracks, in playlist order (tracks that left the mirror are gone).
    std::vector<std::string> track_keys(int64_t playlist_id) const;

    // Writes the row and its tracks in one transaction (a savepoint inside an open one) and
    // returns its id. Track ids that are no longer in the mirror (a sync deleted them since
    // they were chosen) are left out; *dropped (when given) says how many.
    int64_t save(const PlaylistSave& playlist, size_t* dropped = nullptr);
    // Publishing steps (publish/playlist_publisher.hpp), each committed at once:
    // the server's playlist for a pending row, recorded as soon as it exists;
    void set_key(int64_t id, std::string_view native_key);
    // the publish completed: state published, the key, published_at now, no error;
    void mark_published(int64_t id, std::string_view native_key);
    // the attempt did not complete: the row stays (or becomes) pending, with the reason.
    void mark_failed(int64_t id, std::string_view error);
    // A row to be written again (`playlists publish`): pending, its error kept until the attempt.
    void mark_pending(int64_t id);
    // Deletes the row and its tracks; false when absent.
    bool remove(int64_t id);

    // A fresh marker: "pmx-" and 12 random hex digits.
    static std::string new_marker();

private:
    Store& store_;
};

}  // namespace pmx
