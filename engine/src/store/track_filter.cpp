// Candidate tracks by SQL over the mirror, and track details for the generate pipeline.
#include "store/track_filter.hpp"

#include <algorithm>
#include <unordered_map>

#include "store/sqlite.hpp"
#include "store/store.hpp"

namespace pmx {
namespace {

// "1,2,3": integers only, so safe to put into SQL text.
std::string id_list(const std::vector<int64_t>& ids) {
    std::string list;
    for (const int64_t id : ids) {
        if (!list.empty()) list += ',';
        list += std::to_string(id);
    }
    return list;
}

std::string json_ids(const std::vector<int64_t>& ids) { return "[" + id_list(ids) + "]"; }

// Ids of the genres named (NOCASE, as genres.name is declared); unknown names match nothing.
std::vector<int64_t> genre_ids(sqlite3* db, const std::vector<std::string>& names) {
    std::vector<int64_t> ids;
    sql::Statement query(db, "SELECT id FROM genres WHERE name = ?1");
    for (const auto& name : names) {
        sql::ResetGuard reset(query);
        query.bind(1, name);
        if (query.step()) ids.push_back(query.int64(0));
    }
    return ids;
}

// "(t.artist = ?N COLLATE NOCASE OR t.album_artist = ?N COLLATE NOCASE) OR ..." for `count`
// parameters from `first`.
std::string artist_match(int first, size_t count) {
    std::string sql;
    for (size_t i = 0; i < count; ++i) {
        const std::string p = "?" + std::to_string(first + static_cast<int>(i));
        if (!sql.empty()) sql += " OR ";
        sql += "t.artist = " + p + " COLLATE NOCASE OR t.album_artist = " + p + " COLLATE NOCASE";
    }
    return sql;
}

}  // namespace

std::vector<Candidate> filter_tracks(Store& store, const TrackFilter& filter) {
    std::vector<Candidate> out;
    if (filter.server_ids.empty()) return out;
    sqlite3* db = store.native_handle();

    // Shapes measured on 100k tracks (bench/generate_bench.cpp): a correlated EXISTS per track
    // or a join per track costs 30-120 ms; an uncorrelated IN (...) list is built once and
    // probed cheaply. Sorting is left to the caller's side (no ORDER BY: a temp B-tree).
    std::string sql = "SELECT t.id, t.user_rating FROM tracks t WHERE t.server_id IN (SELECT value FROM json_each(?1))";
    if (!filter.years.empty()) {
        std::string own, album;
        for (const YearBounds& y : filter.years) {
            std::string range;
            if (y.first) range += " AND %Y >= " + std::to_string(*y.first);
            if (y.last) range += " AND %Y <= " + std::to_string(*y.last);
            auto with = [&](const std::string& column) {
                std::string text = "(" + column + " IS NOT NULL" + range + ")";
                for (size_t at = text.find("%Y"); at != std::string::npos; at = text.find("%Y", at)) {
                    text.replace(at, 2, column);
                }
                return text;
            };
            own += (own.empty() ? "" : " OR ") + with("t.year");
            album += (album.empty() ? "" : " OR ") + with("year");
        }
        // The track's year, else its album's.
        sql += " AND ((t.year IS NOT NULL AND (" + own + ")) OR (t.year IS NULL AND t.album_id IN (SELECT id FROM albums WHERE " +
               album + ")))";
    }
    if (!filter.genres.empty()) {
        const auto ids = genre_ids(db, filter.genres);
        if (ids.empty()) return out;  // no such genre in the mirror: nothing qualifies
        sql += " AND t.id IN (SELECT track_id FROM track_genres WHERE genre_id IN (" + id_list(ids) + "))";
    }
    int next = 2;
    if (!filter.artists.empty()) {
        sql += " AND (" + artist_match(next, filter.artists.size()) + ")";
        next += static_cast<int>(filter.artists.size());
    }
    const int exclude_from = next;
    if (!filter.exclude_artists.empty()) {
        sql += " AND NOT (" + artist_match(next, filter.exclude_artists.size()) + ")";
        next += static_cast<int>(filter.exclude_artists.size());
    }
    if (filter.min_rating > 0) sql += " AND t.user_rating >= " + std::to_string(filter.min_rating);
    if (filter.favourite_rating > 0) {
        sql += " AND (t.is_favourite = 1 OR t.user_rating >= " + std::to_string(filter.favourite_rating) + ")";
    }
    if (filter.exclude_live) sql += " AND t.is_live = 0";
    if (filter.unplayed) sql += " AND COALESCE(t.play_count, 0) = 0";
    if (filter.played_since) sql += " AND t.last_played_at >= " + std::to_string(*filter.played_since);
    if (filter.played_before) {
        sql += " AND (t.last_played_at IS NULL OR t.last_played_at < " + std::to_string(*filter.played_before) + ")";
    }

    // Excluded genres: the (few) tracks that have them, left out below.
    std::vector<int64_t> excluded;
    if (!filter.exclude_genres.empty()) {
        const auto ids = genre_ids(db, filter.exclude_genres);
        if (!ids.empty()) {
            sql::Statement q(db, "SELECT DISTINCT track_id FROM track_genres WHERE genre_id IN (" + id_list(ids) + ")");
            while (q.step()) excluded.push_back(q.int64(0));
            std::sort(excluded.begin(), excluded.end());
        }
    }

    sql::Statement query(db, sql);
    query.bind(1, json_ids(filter.server_ids));
    for (size_t i = 0; i < filter.artists.size(); ++i) query.bind(2 + static_cast<int>(i), filter.artists[i]);
    for (size_t i = 0; i < filter.exclude_artists.size(); ++i) {
        query.bind(exclude_from + static_cast<int>(i), filter.exclude_artists[i]);
    }
    while (query.step()) {
        const int64_t id = query.int64(0);
        if (!excluded.empty() && std::binary_search(excluded.begin(), excluded.end(), id)) continue;
        out.push_back({id, query.is_null(1) ? -1 : query.int64(1)});
    }
    std::sort(out.begin(), out.end(), [](const Candidate& a, const Candidate& b) { return a.id < b.id; });
    return out;
}

std::vector<TrackDetail> track_details(Store& store, const std::vector<int64_t>& ids) {
    std::vector<TrackDetail> out;
    if (ids.empty()) return out;
    sql::Statement query(store.native_handle(),
                         "SELECT t.id, t.server_id, t.native_key, t.title, "
                         "CASE WHEN t.artist <> '' THEN t.artist ELSE t.album_artist END, t.album, t.album_artist, "
                         "t.genres, t.file_path, t.album_id, COALESCE(t.year, al.year), t.duration_ms, t.user_rating, "
                         "t.play_count, t.last_played_at, t.is_live, COALESCE(t.recording_mbid, '') "
                         "FROM tracks t LEFT JOIN albums al ON al.id = t.album_id "
                         "WHERE t.id IN (SELECT value FROM json_each(?1))");
    query.bind(1, json_ids(ids));
    std::unordered_map<int64_t, TrackDetail> found;
    found.reserve(ids.size());
    while (query.step()) {
        TrackDetail d;
        d.id = query.int64(0);
        d.server_id = query.int64(1);
        d.native_key = query.text(2);
        d.title = query.text(3);
        d.artist = query.text(4);
        d.album = query.text(5);
        d.album_artist = query.text(6);
        d.genres = query.text(7);
        d.file_path = query.text(8);
        d.album_id = query.optional_int64(9);
        d.year = query.optional_int64(10);
        d.duration_ms = query.optional_int64(11);
        d.user_rating = query.optional_int64(12);
        d.play_count = query.optional_int64(13);
        d.last_played_at = query.optional_int64(14);
        d.is_live = query.int64(15) != 0;
        d.recording_mbid = query.text(16);
        found.emplace(d.id, std::move(d));
    }
    out.reserve(found.size());
    for (const int64_t id : ids) {
        auto it = found.find(id);
        if (it != found.end()) out.push_back(std::move(it->second));
    }
    return out;
}

std::vector<std::string> genre_names(Store& store, const std::vector<int64_t>& server_ids) {
    std::vector<std::string> names;
    sql::Statement query(store.native_handle(),
                         "SELECT g.name FROM genres g WHERE EXISTS (SELECT 1 FROM track_genres tg "
                         "JOIN tracks t ON t.id = tg.track_id WHERE tg.genre_id = g.id "
                         "AND t.server_id IN (SELECT value FROM json_each(?1))) ORDER BY g.name");
    query.bind(1, json_ids(server_ids));
    while (query.step()) names.push_back(query.text(0));
    return names;
}

std::vector<std::string> artist_names(Store& store, const std::vector<int64_t>& server_ids) {
    std::vector<std::string> names;
    // The artists table holds album artists (by the server's key) and the artists tracks credit
    // (by name, see store/schema.cpp, v6); a name held by two rows is listed once.
    sql::Statement query(store.native_handle(),
                         "SELECT min(name) FROM artists WHERE server_id IN (SELECT value FROM json_each(?1)) "
                         "AND name <> '' GROUP BY name COLLATE NOCASE ORDER BY 1");
    query.bind(1, json_ids(server_ids));
    while (query.step()) names.push_back(query.text(0));
    return names;
}

}  // namespace pmx
