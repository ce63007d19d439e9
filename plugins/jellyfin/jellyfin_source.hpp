// The jellyfin media source: identity, music libraries, paged track scans and playlists of one server.
#pragma once

#include <pmx/plugin.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "jellyfin_http.hpp"
#include "jellyfin_session.hpp"
#include "jellyfin_tracks.hpp"

namespace pmx::jellyfin {

// What create() validated from the settings.
struct SourceConfig {
    Client client;             // base_url and device_id; the token is the session's
    Credentials credentials;
    std::string library;       // a music library's name or Id; empty = every music library
    std::uint32_t page_size = 0;
};

// One configured Jellyfin server. Calls are serialized by the host (max_concurrent_calls 0).
class JellyfinSource final : public sdk::MediaSource {
public:
    explicit JellyfinSource(SourceConfig config)
        : config_(std::move(config)), session_(config_.client, config_.credentials) {}

    pmx_status identity(sdk::Call& call, sdk::MediaSink& out) override;
    pmx_status list_libraries(sdk::Call& call, sdk::MediaSink& out) override;
    pmx_status scan_tracks(sdk::Call& call, const pmx_scan_request& request, sdk::MediaSink& out) override;
    pmx_status write_playlist(sdk::Call& call, const pmx_playlist_write& request, sdk::MediaSink& out) override;
    pmx_status delete_playlist(sdk::Call& call, std::string_view key) override;

private:
    struct Entry {
        std::string entry_id;  // PlaylistItemId: what removes this one entry
        std::string item_id;   // the track
    };

    // One request as the session's user (logging in first when needed; once more after a 401
    // to a token kept from an earlier run).
    sdk::Response request(const sdk::Call& call, const char* method, const std::string& target,
                          std::string_view body = {}, Repeat repeat = Repeat::once);
    sdk::Response request_ok(const sdk::Call& call, const char* method, const std::string& target,
                             std::string_view body = {}, Repeat repeat = Repeat::once);
    // The server's clock minus ours, from a response's Date header (kept when there is none).
    void note_clock(const sdk::Response& response);

    // How many tracks a scan of the library visits (the same query, no items sent).
    std::uint64_t library_track_count(sdk::Call& call, const std::string& library);

    // Playlists (jellyfin_playlists.cpp).
    std::vector<std::string> known_ids(const sdk::Call& call, const std::vector<std::string>& ids);
    std::optional<std::vector<Entry>> entries(const sdk::Call& call, const std::string& playlist);
    std::string find_by_marker(const sdk::Call& call, std::string_view marker);
    std::string create_playlist(const sdk::Call& call, const std::string& name, const std::vector<std::string>& ids);
    void append(const sdk::Call& call, const std::string& playlist, const std::vector<std::string>& ids,
                std::size_t from, std::size_t to);
    void remove(const sdk::Call& call, const std::string& playlist, const std::vector<std::string>& entry_ids);
    void converge(const sdk::Call& call, const std::string& playlist, const std::vector<std::string>& wanted);
    std::uint64_t item_count(const sdk::Call& call, const std::string& playlist);

    const SourceConfig config_;
    Session session_;
    TrackMapper mapper_;
    std::optional<std::int64_t> clock_skew_;  // seconds the server's clock is ahead of ours
};

}  // namespace pmx::jellyfin
