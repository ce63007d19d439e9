// sample: the media source over a generated library — identity, one library, paged scans in
// every order, playlists kept in memory or in a JSON file.
#pragma once

#include <pmx/plugin.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sample_library.hpp"
#include "sample_playlists.hpp"

namespace pmx::sample {

namespace sdk = pmx::sdk;

inline constexpr const char* kPluginVersion = "1.0.0";
inline constexpr std::string_view kLibraryKey = "1";
inline constexpr std::string_view kLibraryTitle = "Sample Music";

// What create() validated from the settings.
struct SourceConfig {
    std::int64_t seed = 1;
    std::size_t tracks = 0;
    std::uint32_t page_size = 0;  // tracks per page when the host does not say
    std::string playlists_file;   // empty = playlists live in memory
};

// Calls are serialized by the host (max_concurrent_calls 0): no lock is needed. The library is
// made once, in the constructor, and never changes.
class SampleSource final : public sdk::MediaSource {
public:
    explicit SampleSource(SourceConfig config);

    pmx_status identity(sdk::Call& call, sdk::MediaSink& out) override;
    pmx_status list_libraries(sdk::Call& call, sdk::MediaSink& out) override;
    pmx_status scan_tracks(sdk::Call& call, const pmx_scan_request& request, sdk::MediaSink& out) override;
    pmx_status write_playlist(sdk::Call& call, const pmx_playlist_write& request, sdk::MediaSink& out) override;
    pmx_status delete_playlist(sdk::Call& call, std::string_view key) override;

private:
    // Indices into library_.tracks in the order asked for (PMX_SCAN_ORDER_*); NULL when the
    // order is not one this plugin knows.
    const std::vector<std::uint32_t>* order(std::int32_t scan_order) const;
    // True when `key` names a track of the library ("1".."N", no leading zeros).
    bool has_track(std::string_view key) const;

    const SourceConfig config_;
    const std::string identity_;  // "sample-<seed>"
    const Library library_;
    std::vector<std::uint32_t> by_index_, by_updated_, by_added_, by_played_, by_rated_;
    PlaylistStore playlists_;
};

}  // namespace pmx::sample
