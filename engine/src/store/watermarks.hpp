// The newest change a server's mirror holds, on the server's clock: where an incremental sync stops.
#pragma once

#include <cstdint>

namespace pmx {

class Store;
struct TrackRecord;

struct Watermarks {
    int64_t updated_at = 0;  // max(tracks.updated_at) of the server, unix seconds; 0 = none
    int64_t added_at = 0;    // max(tracks.added_at)
    int64_t last_played_at = 0;  // max(tracks.last_played_at)
    int64_t last_rated_at = 0;   // max(tracks.last_rated_at)
    bool has_favourites = false; // some track has tracks.is_favourite set: the server keeps them
};

// The marks of the server's mirror as its rows hold them (one pass over the server's tracks:
// a sync reads the ones its last run recorded, sync_runs.mark_*, when there are).
Watermarks watermarks(const Store& store, int64_t server_id);

// Raises `marks` to the times `track` carries (a track the mirror holds from now on).
void absorb(Watermarks& marks, const TrackRecord& track);

}  // namespace pmx
