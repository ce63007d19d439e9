// Exporting a playlist: M3U8 (extended M3U, UTF-8) with file paths when known, and JSON.
#pragma once

#include <string>
#include <vector>

#include "store/playlist_store.hpp"
#include "store/track_filter.hpp"

namespace pmx::gen {

// "#EXTM3U", "#PLAYLIST:<name>", then per track "#EXTINF:<seconds>,<artist> - <title>" and
// its file path. A track whose path the server never gave gets a comment line instead
// ("# <artist> - <title>: no file path known (<provider> key K)"), so that players skip it
// rather than reading a wrong location. Newlines in names become spaces.
std::string to_m3u8(const PlaylistRecord& playlist, const std::vector<TrackDetail>& tracks);

// The playlist with its prompt, options, pipeline and tracks, as one JSON object.
std::string to_json(const PlaylistRecord& playlist, const std::vector<TrackDetail>& tracks);

}  // namespace pmx::gen
