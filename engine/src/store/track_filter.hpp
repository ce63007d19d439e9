// The candidate tracks of a playlist (filters as SQL over the mirror) and the details of tracks.
#pragma once

// Engine-internal, for the generate pipeline (generate/): the `filter` step turns a request
// into a TrackFilter and asks the mirror for the ids that pass every constraint. Names compare
// as SQLite's NOCASE does (ASCII case folding), as genres.name is declared. A track's year is
// its own, else its album's (as track_search.hpp shows it). Throws StoreError like the Store.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pmx {

class Store;

struct YearBounds {
    std::optional<int64_t> first, last;  // inclusive; nullopt = open
};

struct TrackFilter {
    std::vector<int64_t> server_ids;           // tracks of these servers; empty: none at all
    std::vector<YearBounds> years;             // any of these ranges; empty: any year
    std::vector<std::string> genres;           // at least one of these; empty: any
    std::vector<std::string> exclude_genres;   // none of these
    std::vector<std::string> artists;          // track artist or album artist among these; empty: any
    std::vector<std::string> exclude_artists;  // neither the track artist nor the album artist
    int64_t min_rating = 0;                    // tracks.user_rating >= this (0-10); 0: none
    // Favourites: flagged so by the server (tracks.is_favourite, Jellyfin), or rated at least
    // `favourite_rating` (servers without the flag mark favourites with stars: Plex); 0: none.
    int64_t favourite_rating = 0;
    bool exclude_live = false;                 // tracks.is_live = 0
    bool unplayed = false;                     // never played (play_count NULL or 0)
    // Leave out tracks played at or after this time (unix seconds); nullopt: no constraint.
    std::optional<int64_t> played_before;
    // Only tracks last played at or after this time (unix seconds); nullopt: no constraint.
    std::optional<int64_t> played_since;
};

struct Candidate {
    int64_t id = 0;
    int64_t rating = -1;  // tracks.user_rating, -1 when unrated
};

// Ids (ascending) of the tracks that pass every constraint of `filter`.
std::vector<Candidate> filter_tracks(Store& store, const TrackFilter& filter);

// What the generate pipeline knows of a track (diversity, explanations, publishing, export).
struct TrackDetail {
    int64_t id = 0, server_id = 0;
    std::string native_key, title;
    std::string artist;  // the track artist, else the album artist
    std::string album, album_artist, genres, file_path;
    std::optional<int64_t> album_id, year, duration_ms, user_rating, play_count, last_played_at;
    bool is_live = false;
    std::string recording_mbid;  // MusicBrainz recording id, "" when the server gave none
};

// The details of `ids`, in that order; ids that do not exist are skipped.
std::vector<TrackDetail> track_details(Store& store, const std::vector<int64_t>& ids);

// Names for matching a prompt against the mirror: every genre linked to a track of the
// servers, and every artist (track or album artist) of the servers; sorted, distinct (NOCASE).
std::vector<std::string> genre_names(Store& store, const std::vector<int64_t>& server_ids);
std::vector<std::string> artist_names(Store& store, const std::vector<int64_t>& server_ids);

}  // namespace pmx
