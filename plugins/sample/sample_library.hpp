// sample: the generated library — artists, albums and tracks made deterministically from a seed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace pmx::sample {

// "Now" for every sample library: 2024-06-01T00:00:00Z. Times never depend on the clock, so
// the same seed gives a byte-identical library on every run and machine.
constexpr std::int64_t kSnapshotTime = 1717200000;

struct Artist {
    std::string name;
    std::string key;   // "artist-<n>"
    std::size_t genre; // index into genre_profiles()
};

struct Album {
    std::string title;
    std::string key;                  // "album-<n>"
    std::string album_artist;         // "Various Artists" for a compilation
    std::vector<std::string> genres;  // 1 or 2; every track of the album carries them
    int year = 0;                     // 0 = unknown (a few albums)
    bool live = false;
    bool compilation = false;
};

struct Track {
    std::string key;        // "<n>", 1-based, like a Plex ratingKey
    std::string guid;       // "sample://track/<n>"
    std::string file_path;  // "/music/<Album Artist>/<Album>/01 - <Title>.flac"
    std::string title;
    std::string artist;     // may be "A feat. B" or a compilation's contributor
    std::string artist_key;
    std::uint32_t album = 0;  // index into Library::albums
    std::uint32_t track_number = 0;
    std::uint32_t disc_number = 0;
    std::uint64_t duration_ms = 0;
    std::uint32_t has = 0;  // PMX_TRACK_HAS_*
    std::int32_t year = 0;  // the album's, with PMX_TRACK_HAS_YEAR
    std::int32_t user_rating = 0;
    std::uint64_t play_count = 0;
    std::int64_t last_played_at = 0;
    std::int64_t last_rated_at = 0;  // with PMX_TRACK_HAS_LAST_RATED (ABI 1.1)
    std::int64_t added_at = 0;
    std::int64_t updated_at = 0;
};

struct Library {
    std::vector<Artist> artists;
    std::vector<Album> albums;
    std::vector<Track> tracks;  // tracks[i].key == std::to_string(i + 1)
};

// Makes `track_count` tracks from `seed`. Same arguments, same library, byte for byte.
Library generate_library(std::uint64_t seed, std::size_t track_count);

}  // namespace pmx::sample
