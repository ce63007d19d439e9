// What a media source describes: its server, its libraries and their tracks (plain values).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <pmx/plugin.h>

namespace pmx {

struct ServerInfo {
    std::string identity, name, version, product;
};

struct LibraryInfo {
    std::string key, title;
    uint64_t track_count = 0;  // 0 = unknown, unless change_stamp is given (then exact)
    std::string change_stamp;  // ABI 1.5: moves when the library's tracks may have; empty = unknown
};

struct TrackRecord {
    uint32_t has = 0;  // PMX_TRACK_HAS_*
    std::string key, guid, file_path, title, artist, artist_key, album, album_key, album_artist;
    std::vector<std::string> genres;
    uint32_t track_number = 0, disc_number = 0;
    uint64_t duration_ms = 0;
    int32_t year = 0, user_rating = 0;
    uint64_t play_count = 0;
    int64_t last_played_at = 0, added_at = 0, updated_at = 0;
    int64_t last_rated_at = 0;  // with PMX_TRACK_HAS_LAST_RATED
    bool favourite = false;     // with PMX_TRACK_HAS_FAVOURITE (ABI 1.4)
    std::string recording_mbid; // MusicBrainz recording id; empty = unknown (ABI 1.4)
};

}  // namespace pmx
