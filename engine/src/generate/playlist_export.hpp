// Exporting a playlist: M3U8 (extended M3U, UTF-8) with file paths when known, and JSON.
#pragma once

#include <string>
#include <vector>

#include "store/playlist_store.hpp"
#include "store/track_filter.hpp"

namespace pmx::gen {

// How many tracks the playlist was saved with that are not among the `kept` still in the
// mirror (a later sync deleted them from the library); 0 when none.
int64_t dropped_tracks(const PlaylistRecord& playlist, size_t kept);

// "#EXTM3U", "#PLAYLIST:<name>", then per track "#EXTINF:<seconds>,<artist> - <title>" and
// its file path. A track whose path the server never gave gets a comment line instead
// ("# <artist> - <title>: no file path known (<provider> key K)"), so that players skip it
// rather than reading a wrong location. Tracks gone from the library since the playlist was
// saved are counted in a comment after the header. Newlines in names become spaces.
std::string to_m3u8(const PlaylistRecord& playlist, const std::vector<TrackDetail>& tracks);

// The playlist with its prompt, options, pipeline and tracks, as one JSON object; with
// "saved_tracks" (its length when saved) and "dropped_tracks" (those gone since).
std::string to_json(const PlaylistRecord& playlist, const std::vector<TrackDetail>& tracks);

// The fields every JSON listing of a track shares, in this order: track_id, key, title, artist,
// album, year, genres, duration_ms (absent values as null), into an object the caller opened.
// `Writer` is any rapidjson writer.
template <class Writer>
void write_track_fields(Writer& w, const TrackDetail& t) {
    w.Key("track_id"); w.Int64(t.id);
    w.Key("key"); w.String(t.native_key.c_str());
    w.Key("title"); w.String(t.title.c_str());
    w.Key("artist"); w.String(t.artist.c_str());
    w.Key("album"); w.String(t.album.c_str());
    w.Key("year");
    if (t.year) w.Int64(*t.year); else w.Null();
    w.Key("genres"); w.String(t.genres.c_str());
    w.Key("duration_ms");
    if (t.duration_ms) w.Int64(*t.duration_ms); else w.Null();
}

}  // namespace pmx::gen
