// Writing a saved playlist to its server as a protocol: pending → written → count verified → published.
#pragma once

// ARCHITECTURE.md, "Writing to a server": the row is saved locally as pending BEFORE any request
// (PlaylistStore::save), so the server never holds a playlist plexmix does not know. Then the
// media source writes it; every part of that is safe to repeat, and it finds what an earlier
// attempt made instead of making another (the key recorded the moment the playlist was created,
// else the marker in its title). Then the count the server reports is compared with what was
// sent, and only then is the row marked published. A failure anywhere leaves the row pending
// with its reason, the server holding the previous playlist intact or the new one complete, and
// `plexmix playlists publish NAME` (or the next `create` of that name) finishes it.
// The caller holds the data dir's writer lock (store/writer_lock.hpp).

#include <cstdint>
#include <string>

namespace pmx {

class Provider;
class Store;

// What a server accepts is the plugin's business; these bound what plexmix hands any of them.
inline constexpr size_t kMaxPlaylistTitleBytes = 200;
inline constexpr size_t kMaxPlaylistDescriptionBytes = 2000;

struct PublishOutcome {
    bool ok = false;
    std::string key;        // the server's playlist, when one is known (also after a failure)
    bool replaced = false;  // a playlist the server already had was rewritten in place
    uint64_t wanted = 0;    // tracks written
    uint64_t held = 0;      // tracks the server reports holding (when it answered)
    std::string error;      // why it did not complete; "" when ok
};

// Publishes the saved playlist `playlist_id` to `media` (the media source of its server) and
// records each step in the store. Expected failures (the server refuses, a count that differs)
// are values; a StoreError (the store cannot record) ends the run.
PublishOutcome publish_playlist(Store& store, Provider& media, int64_t playlist_id);

}  // namespace pmx
