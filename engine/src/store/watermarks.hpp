// The newest change a server's mirror holds, on the server's clock: where an incremental sync stops.
#pragma once

#include <cstdint>

namespace pmx {

class Store;

struct Watermarks {
    int64_t updated_at = 0;  // max(tracks.updated_at) of the server, unix seconds; 0 = none
    int64_t added_at = 0;    // max(tracks.added_at)
    int64_t last_played_at = 0;  // max(tracks.last_played_at)
    int64_t last_rated_at = 0;   // max(tracks.last_rated_at)
    bool has_favourites = false; // some track has tracks.is_favourite set: the server keeps them
};

Watermarks watermarks(const Store& store, int64_t server_id);

}  // namespace pmx
