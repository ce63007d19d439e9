// The publish protocol over PlaylistStore and a media source's write_playlist.
#include "publish/playlist_publisher.hpp"

#include <stdexcept>

#include "plugin/provider.hpp"
#include "store/playlist_store.hpp"
#include "store/store_error.hpp"
#include "util/text.hpp"

namespace pmx {

PublishOutcome publish_playlist(Store& store, Provider& media, int64_t playlist_id) {
    PlaylistStore playlists(store);
    const std::optional<PlaylistRecord> row = playlists.get(playlist_id);
    if (!row) throw StoreError("playlist " + std::to_string(playlist_id) + " is gone");
    const std::vector<std::string> keys = playlists.track_keys(playlist_id);

    PublishOutcome outcome;
    outcome.wanted = keys.size();
    outcome.key = row->native_key;
    const std::string title = one_line(row->name, kMaxPlaylistTitleBytes);
    const std::string description = one_line("plexmix: " + row->prompt, kMaxPlaylistDescriptionBytes);

    PlaylistWritten written;
    const CallResult r = media.write_playlist(
        title, description, row->native_key, row->marker, keys, &written, [&](const std::string& key) {
            playlists.set_key(playlist_id, key);  // before the plugin writes anything more to it
            outcome.key = key;
        });
    if (!r.ok()) {
        outcome.error = status_name(r.status) + (r.message.empty() ? "" : ": " + r.message);
        playlists.mark_failed(playlist_id, outcome.error);
        return outcome;
    }
    outcome.key = written.key;
    outcome.held = written.item_count;
    outcome.replaced = !row->native_key.empty() && row->native_key == written.key;
    if (written.item_count != keys.size()) {
        // Servers drop track keys they no longer know (deleted or re-keyed since the last sync).
        outcome.error = "the server holds " + std::to_string(written.item_count) + " of the " +
                        std::to_string(keys.size()) + " tracks written to playlist " + written.key +
                        (written.item_count < keys.size() ? ": it no longer knows the others (deleted or re-keyed "
                                                            "since the last sync)"
                                                          : "");
        playlists.set_key(playlist_id, written.key);
        playlists.mark_failed(playlist_id, outcome.error);
        return outcome;
    }
    playlists.mark_published(playlist_id, written.key);
    outcome.ok = true;
    return outcome;
}

}  // namespace pmx
