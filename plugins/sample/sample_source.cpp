// sample: what each pmx.media-source/1 call does on the generated library.
#include "sample_source.hpp"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <numeric>
#include <optional>
#include <utility>

namespace pmx::sample {
namespace {

constexpr std::string_view kServerName = "plexmix sample library";
constexpr std::string_view kProduct = "plexmix sample";
constexpr std::string_view kPlaylistPrefix = "pl-";

std::optional<std::uint64_t> parse_uint(std::string_view text) {
    std::uint64_t value = 0;
    const char* const end = text.data() + text.size();
    const std::from_chars_result r = std::from_chars(text.data(), end, value);
    if (text.empty() || r.ec != std::errc() || r.ptr != end) return std::nullopt;
    return value;
}

// The cursor says which order it belongs to and where the next page starts: "<order>:<offset>".
std::string make_cursor(std::int32_t order, std::uint64_t offset) {
    return std::to_string(order) + ":" + std::to_string(offset);
}

std::optional<std::uint64_t> parse_cursor(std::string_view cursor, std::int32_t order) {
    const std::size_t colon = cursor.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    const std::optional<std::uint64_t> made_for = parse_uint(cursor.substr(0, colon));
    if (!made_for || *made_for != static_cast<std::uint64_t>(order)) return std::nullopt;
    return parse_uint(cursor.substr(colon + 1));
}

// Newest first by `field`; equal times keep library order, so every order is total and stable.
std::vector<std::uint32_t> sorted_desc(const std::vector<Track>& tracks, std::int64_t Track::*field) {
    std::vector<std::uint32_t> order(tracks.size());
    std::iota(order.begin(), order.end(), 0u);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::uint32_t a, std::uint32_t b) { return tracks[a].*field > tracks[b].*field; });
    return order;
}

std::vector<Playlist>::iterator find_playlist(PlaylistState& state, std::string_view key) {
    return std::find_if(state.playlists.begin(), state.playlists.end(),
                        [&](const Playlist& p) { return p.key == key; });
}

}  // namespace

SampleSource::SampleSource(SourceConfig config)
    : config_(std::move(config)),
      identity_("sample-" + std::to_string(config_.seed)),
      library_(generate_library(static_cast<std::uint64_t>(config_.seed), config_.tracks)),
      by_updated_(sorted_desc(library_.tracks, &Track::updated_at)),
      by_added_(sorted_desc(library_.tracks, &Track::added_at)),
      by_played_(sorted_desc(library_.tracks, &Track::last_played_at)),
      by_rated_(sorted_desc(library_.tracks, &Track::last_rated_at)),
      playlists_(config_.playlists_file) {
    by_index_.resize(library_.tracks.size());
    std::iota(by_index_.begin(), by_index_.end(), 0u);
}

const std::vector<std::uint32_t>* SampleSource::order(std::int32_t scan_order) const {
    switch (scan_order) {
        case PMX_SCAN_ORDER_ANY: return &by_index_;
        case PMX_SCAN_ORDER_UPDATED_DESC: return &by_updated_;
        case PMX_SCAN_ORDER_ADDED_DESC: return &by_added_;
        // Never-played / never-rated tracks (time 0) come last, in library order.
        case PMX_SCAN_ORDER_PLAYED_DESC: return &by_played_;
        case PMX_SCAN_ORDER_RATED_DESC: return &by_rated_;
        default: return nullptr;
    }
}

bool SampleSource::has_track(std::string_view key) const {
    const std::optional<std::uint64_t> n = parse_uint(key);
    return n && *n >= 1 && *n <= library_.tracks.size() && key[0] != '0';
}

pmx_status SampleSource::identity(sdk::Call& /*call*/, sdk::MediaSink& out) {
    pmx_server_info info{};
    info.identity = sdk::to_pmx(identity_);
    info.name = sdk::to_pmx(kServerName);
    info.version = sdk::to_pmx(kPluginVersion);
    info.product = sdk::to_pmx(kProduct);
    out.server(info);
    return PMX_OK;
}

pmx_status SampleSource::list_libraries(sdk::Call& /*call*/, sdk::MediaSink& out) {
    pmx_library library{};
    library.key = sdk::to_pmx(kLibraryKey);
    library.title = sdk::to_pmx(kLibraryTitle);
    library.track_count = library_.tracks.size();
    // The library never changes for a seed and size (ABI 1.5): its stamp says so.
    const std::string stamp = "seed:" + std::to_string(config_.seed) + ":" + std::to_string(library_.tracks.size());
    library.change_stamp = sdk::to_pmx(stamp);
    out.library(library);
    return PMX_OK;
}

pmx_status SampleSource::scan_tracks(sdk::Call& call, const pmx_scan_request& request, sdk::MediaSink& out) {
    const std::string_view library = sdk::view(request.library_key);
    if (library != kLibraryKey) {
        return call.error(PMX_NOT_FOUND, "the sample server has no library \"" + std::string(library) +
                                             "\" (its one library has the key \"1\")");
    }
    const std::vector<std::uint32_t>* const indices_of_order = order(request.order);
    if (indices_of_order == nullptr) {  // an order from a newer ABI than this plugin knows
        return call.error(PMX_UNSUPPORTED, "scan_tracks: the sample plugin cannot sort by order " +
                                               std::to_string(request.order));
    }
    const std::string_view cursor = sdk::view(request.cursor);
    std::uint64_t start = 0;
    if (!cursor.empty()) {
        const std::optional<std::uint64_t> offset = parse_cursor(cursor, request.order);
        if (!offset) {
            return call.error(PMX_INVALID_INPUT, "scan_tracks: the cursor \"" + std::string(cursor) +
                                                     "\" was not made by the sample plugin for this order");
        }
        start = *offset;
    }
    const std::vector<std::uint32_t>& indices = *indices_of_order;
    const std::uint64_t total = indices.size();
    const std::uint64_t page = request.page_size != 0 ? request.page_size : config_.page_size;
    const std::uint64_t end = std::min(total, start + page);
    const bool keys_only = (request.flags & PMX_SCAN_KEYS_ONLY) != 0;

    out.total(total);
    std::vector<pmx_str> genres;
    for (std::uint64_t at = start; at < end; ++at) {
        const Track& t = library_.tracks[indices[at]];
        pmx_track track{};
        track.key = sdk::to_pmx(t.key);
        track.updated_at = t.updated_at;
        if (!keys_only) {
            const Album& album = library_.albums[t.album];
            genres.clear();
            for (const std::string& g : album.genres) genres.push_back(sdk::to_pmx(g));
            track.has = t.has;
            track.guid = sdk::to_pmx(t.guid);
            track.file_path = sdk::to_pmx(t.file_path);
            track.title = sdk::to_pmx(t.title);
            track.artist = sdk::to_pmx(t.artist);
            track.artist_key = sdk::to_pmx(t.artist_key);
            track.album = sdk::to_pmx(album.title);
            track.album_key = sdk::to_pmx(album.key);
            track.album_artist = sdk::to_pmx(album.album_artist);
            track.genres = genres.data();
            track.genre_count = genres.size();
            track.track_number = t.track_number;
            track.disc_number = t.disc_number;
            track.duration_ms = t.duration_ms;
            track.year = t.year;
            track.user_rating = t.user_rating;
            track.play_count = t.play_count;
            track.last_played_at = t.last_played_at;
            track.last_rated_at = t.last_rated_at;
            track.added_at = t.added_at;
        }
        if (!out.track(track)) return PMX_OK;  // the host has seen enough: no next cursor
    }
    call.progress(end, total);
    if (end < total) out.next_cursor(make_cursor(request.order, end));
    return PMX_OK;
}

pmx_status SampleSource::write_playlist(sdk::Call& call, const pmx_playlist_write& request, sdk::MediaSink& out) {
    const std::string_view title = sdk::view(request.title);
    const std::string_view description = sdk::view(request.description);
    const std::string_view replace = sdk::view(request.replace_key);
    if (title.empty() && replace.empty()) {
        return call.error(PMX_INVALID_INPUT, "write_playlist: a new playlist needs a title");
    }
    if (request.item_count != 0 && request.item_keys == nullptr) {
        return call.error(PMX_INVALID_INPUT, "write_playlist: item_keys is NULL");
    }
    std::vector<std::string> items;
    items.reserve(request.item_count);
    for (std::size_t i = 0; i < request.item_count; ++i) {
        const std::string_view key = sdk::view(request.item_keys[i]);
        if (!has_track(key)) {
            return call.error(PMX_NOT_FOUND, "write_playlist: item " + std::to_string(i) + " has the key \"" +
                                                 std::string(key) + "\", which is no track of the sample library");
        }
        items.emplace_back(key);
    }

    // One write of the whole state, so every attempt either did all of it or nothing. The
    // playlist to write: the one named (when it still exists), else the one an earlier write
    // with this marker made (its answer was lost), else a new one.
    const std::string_view marker = sdk::view(request.marker);
    PlaylistState state = playlists_.load();
    auto it = replace.empty() ? state.playlists.end() : find_playlist(state, replace);
    if (it == state.playlists.end() && !marker.empty()) {
        it = std::find_if(state.playlists.begin(), state.playlists.end(),
                          [&](const Playlist& p) { return p.marker == marker; });
    }
    const bool created = it == state.playlists.end();
    if (created) {
        if (title.empty()) {
            return call.error(PMX_INVALID_INPUT, "write_playlist: playlist " + std::string(replace) +
                                                     " no longer exists and no title was given for a new one");
        }
        state.playlists.push_back({std::string(kPlaylistPrefix) + std::to_string(state.next_id++), "", "", {},
                                   std::string(marker)});
        it = std::prev(state.playlists.end());
    }
    if (!title.empty()) it->title = std::string(title);
    if (!description.empty()) it->description = std::string(description);
    it->items = std::move(items);
    const std::string key = it->key;
    const std::size_t held = it->items.size();
    playlists_.save(state);
    if (created && !out.playlist_created(key)) {
        return call.error(PMX_CANCELLED, "the host could not record the new playlist " + key);
    }
    out.playlist(key, held);
    return PMX_OK;
}

pmx_status SampleSource::delete_playlist(sdk::Call& call, std::string_view key) {
    if (key.empty()) return call.error(PMX_INVALID_INPUT, "delete_playlist: the key is empty");
    PlaylistState state = playlists_.load();
    const auto it = find_playlist(state, key);
    if (it == state.playlists.end()) {
        return call.error(PMX_NOT_FOUND, "the sample server has no playlist \"" + std::string(key) + "\"");
    }
    state.playlists.erase(it);
    playlists_.save(state);
    return PMX_OK;
}

}  // namespace pmx::sample
