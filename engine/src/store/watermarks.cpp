// Watermarks of a server's mirror.
#include "store/watermarks.hpp"

#include <algorithm>

#include "model/media.hpp"
#include "store/sqlite.hpp"
#include "store/store.hpp"

namespace pmx {

Watermarks watermarks(const Store& store, int64_t server_id) {
    sql::Statement q(store.native_handle(),
                     "SELECT coalesce(max(updated_at), 0), coalesce(max(added_at), 0), coalesce(max(last_played_at), 0), "
                     "coalesce(max(last_rated_at), 0), coalesce(max(is_favourite IS NOT NULL), 0) FROM tracks WHERE server_id = ?");
    q.bind(1, server_id);
    Watermarks marks;
    if (q.step()) {
        marks.updated_at = q.int64(0);
        marks.added_at = q.int64(1);
        marks.last_played_at = q.int64(2);
        marks.last_rated_at = q.int64(3);
        marks.has_favourites = q.int64(4) != 0;
    }
    return marks;
}

void absorb(Watermarks& marks, const TrackRecord& track) {
    marks.updated_at = std::max(marks.updated_at, track.updated_at);
    marks.added_at = std::max(marks.added_at, track.added_at);
    marks.last_played_at = std::max(marks.last_played_at, track.last_played_at);
    marks.last_rated_at = std::max(marks.last_rated_at, track.last_rated_at);
    marks.has_favourites = marks.has_favourites || (track.has & PMX_TRACK_HAS_FAVOURITE) != 0;
}

}  // namespace pmx
