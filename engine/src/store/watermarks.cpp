// Watermarks of a server's mirror.
#include "store/watermarks.hpp"

#include "store/sqlite.hpp"
#include "store/store.hpp"

namespace pmx {

Watermarks watermarks(const Store& store, int64_t server_id) {
    sql::Statement q(store.native_handle(),
                     "SELECT coalesce(max(updated_at), 0), coalesce(max(added_at), 0) FROM tracks WHERE server_id = ?");
    q.bind(1, server_id);
    Watermarks marks;
    if (q.step()) {
        marks.updated_at = q.int64(0);
        marks.added_at = q.int64(1);
    }
    return marks;
}

}  // namespace pmx
