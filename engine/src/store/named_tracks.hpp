// The mirror's names for search (album titles, servers) and the tracks that carry a name.
#pragma once

// Engine-internal, for search (search/hybrid_search.hpp): a query that spells a genre, artist
// or album of the mirror ranks that name's tracks first, and finds all of them here, not only
// those its rankings reached. Names compare as SQLite's NOCASE does (ASCII case folding), as in
// store/track_filter.hpp. Throws StoreError like the Store.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pmx {

class Store;

enum class NameField { genre, artist, album };

// Ids of every server in the mirror, ascending.
std::vector<int64_t> mirror_server_ids(Store& store);

// The titles of the albums of the servers that hold a track; distinct (NOCASE), in no
// particular order, empty titles left out.
std::vector<std::string> album_titles(Store& store, const std::vector<int64_t>& server_ids);

struct NamedTrack {
    int64_t id = 0;
    int64_t rating = -1;  // tracks.user_rating, -1 when unrated
    std::string title;
};

// The tracks of the servers that carry one of `names` in `field`, in no particular order:
// genre: linked to one of the genres; artist: track artist or album artist among them (as
// `--artist` filters); album: on an album of one of these titles. One query, whatever the
// number of tracks.
std::vector<NamedTrack> tracks_named(Store& store, const std::vector<int64_t>& server_ids, NameField field,
                                     const std::vector<std::string>& names);

// A track found by its title.
struct TitledTrack {
    int64_t id = 0;
    int64_t rating = -1;  // tracks.user_rating, -1 when unrated
    std::string title, artist, album_artist, album;
    bool is_live = false;
    int64_t duration_ms = 0;  // 0: unknown
};

// The tracks of the servers whose title holds every word of `title` (FTS5 over the titles), at
// most `limit`, in no particular order: the caller compares whole titles as it folds them.
std::vector<TitledTrack> tracks_titled(Store& store, const std::vector<int64_t>& server_ids, std::string_view title,
                                       size_t limit);

}  // namespace pmx
