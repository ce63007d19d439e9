// The plex media source: identity, music sections, paged track scans and playlists of one server.
#pragma once

#include <pmx/plugin.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "plex_http.hpp"
#include "plex_tracks.hpp"

namespace pmx::plex {

// What create() validated from the settings.
struct SourceConfig {
    Connection connection;
    std::string library;          // section title or key; empty = every music section
    std::uint32_t page_size = 0;  // items per scan page when the host does not say
};

// One configured Plex server. Calls are serialized by the host (max_concurrent_calls 0), so
// the album-genre cache needs no lock.
class PlexSource final : public sdk::MediaSource {
public:
    explicit PlexSource(SourceConfig config) : config_(std::move(config)) {}

    pmx_status identity(sdk::Call& call, sdk::MediaSink& out) override;
    pmx_status list_libraries(sdk::Call& call, sdk::MediaSink& out) override;
    pmx_status scan_tracks(sdk::Call& call, const pmx_scan_request& request,
                           sdk::MediaSink& out) override;
    pmx_status write_playlist(sdk::Call& call, const pmx_playlist_write& request,
                              sdk::MediaSink& out) override;
    pmx_status delete_playlist(sdk::Call& call, std::string_view key) override;

private:
    struct Section {
        std::string key;
        std::string title;
        std::string change_stamp;  // contentChangedAt and updatedAt, as the section listing gives them
    };

    std::vector<Section> music_sections(const sdk::Call& call) const;
    // The section's track count (a page of size 0 asks for totalSize alone).
    std::uint64_t section_track_count(const sdk::Call& call, const std::string& section) const;
    std::string machine_identifier(const sdk::Call& call) const;
    // Reads the genres of every album of `section` (type=9, paged) into album_genres_. An
    // attempt that fails part-way keeps the pages it read: the host's retry of the call
    // resumes at the page that failed, not at the first.
    // Reads the genres of the albums `keys` (one request) into `table`, begun for `section`.
    void load_albums(const sdk::Call& call, const std::string& section, std::vector<std::string> keys,
                     AlbumGenres& table) const;
    void load_album_genres(const sdk::Call& call, const std::string& section,
                           std::uint32_t page_size);
    void forget_album_genres();
    struct Item {
        std::string item_id;     // playlistItemID: what removes this one item
        std::string rating_key;  // the track
    };

    // Creates a playlist holding `keys` (at most one chunk), returns its ratingKey, or "" when
    // the answer did not say (the caller then looks for it by its marker).
    std::string create_playlist(const sdk::Call& call, std::string_view title, const std::string& uri_root,
                                const std::vector<std::string>& keys) const;
    // Appends keys[first..] in chunks (each one PUT, never repeated by the host: it appends).
    void add_items(const sdk::Call& call, const std::string& playlist, const std::string& uri_root,
                   const std::vector<std::string>& keys, std::size_t first) const;
    // The playlist's items in order; nullopt when the playlist does not exist (404).
    std::optional<std::vector<Item>> items(const sdk::Call& call, const std::string& playlist) const;
    // The key of the audio playlist whose title carries `marker`; "" when there is none.
    std::string find_by_marker(const sdk::Call& call, std::string_view marker) const;
    // `keys` without the ones the server does not know (one lookup per chunk): Plex drops
    // unknown keys from a playlist silently, so they are left out of what it should hold.
    std::vector<std::string> known_keys(const sdk::Call& call, const std::vector<std::string>& keys) const;
    // Makes the playlist hold exactly `wanted`, in order: appends what is missing after the
    // items that already match, then removes the items before them, one by one. Never removes
    // anything before everything new is there; safe to repeat from any point.
    void converge(const sdk::Call& call, const std::string& playlist, const std::string& uri_root,
                  const std::vector<std::string>& wanted) const;
    std::uint64_t item_count(const sdk::Call& call, const std::string& playlist) const;

    const SourceConfig config_;
    AlbumGenres album_genres_;
    std::chrono::steady_clock::time_point album_genres_read_at_;
    AlbumGenres albums_loading_;    // pages read so far by a load that did not finish
    std::uint64_t albums_next_ = 0;  // where that load goes on
    std::chrono::steady_clock::time_point albums_loading_at_;
    TrackMapper mapper_;
};

}  // namespace pmx::plex
