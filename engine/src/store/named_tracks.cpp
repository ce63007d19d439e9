// Album titles for search, and the tracks that carry a genre, artist or album name.
#include "store/named_tracks.hpp"

#include "store/sqlite.hpp"
#include "store/store.hpp"
#include "store/track_search.hpp"

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

// "?2,?3,..." for `count` parameters from `first`.
std::string parameters(int first, size_t count) {
    std::string list;
    for (size_t i = 0; i < count; ++i) {
        if (!list.empty()) list += ',';
        list += "?" + std::to_string(first + static_cast<int>(i));
    }
    return list;
}

}  // namespace

std::vector<int64_t> mirror_server_ids(Store& store) {
    std::vector<int64_t> ids;
    sql::Statement query(store.native_handle(), "SELECT id FROM servers ORDER BY id");
    while (query.step()) ids.push_back(query.int64(0));
    return ids;
}

std::vector<std::string> album_titles(Store& store, const std::vector<int64_t>& server_ids) {
    std::vector<std::string> titles;
    if (server_ids.empty()) return titles;
    // Albums without tracks are pruned at the end of each sync; the EXISTS keeps a title out
    // while one is left (a sync stopped part-way).
    sql::Statement query(store.native_handle(),
                         "SELECT min(a.title) FROM albums a WHERE a.server_id IN (" + id_list(server_ids) +
                             ") AND a.title <> '' AND EXISTS (SELECT 1 FROM tracks t WHERE t.album_id = a.id) "
                             "GROUP BY a.title COLLATE NOCASE");
    while (query.step()) titles.push_back(query.text(0));
    return titles;
}

std::vector<NamedTrack> tracks_named(Store& store, const std::vector<int64_t>& server_ids, NameField field,
                                     const std::vector<std::string>& names) {
    std::vector<NamedTrack> out;
    if (server_ids.empty() || names.empty()) return out;
    const std::string servers = id_list(server_ids);
    const std::string values = parameters(1, names.size());
    // Uncorrelated IN lists, each built once and probed by index (store/track_filter.cpp
    // measured the shapes); no ORDER BY: the caller orders.
    std::string sql = "SELECT t.id, t.user_rating, t.title FROM tracks t WHERE t.server_id IN (" + servers + ") AND ";
    switch (field) {
        case NameField::genre:
            // genres.name is declared NOCASE.
            sql +=
                "t.id IN (SELECT track_id FROM track_genres WHERE genre_id IN "
                "(SELECT id FROM genres WHERE name IN (" +
                values + ")))";
            break;
        case NameField::artist:
            sql += "(t.artist COLLATE NOCASE IN (" + values + ") OR t.album_artist COLLATE NOCASE IN (" + values + "))";
            break;
        case NameField::album:
            sql += "t.album_id IN (SELECT id FROM albums WHERE server_id IN (" + servers +
                   ") AND title COLLATE NOCASE IN (" + values + "))";
            break;
    }
    sql::Statement query(store.native_handle(), sql);
    for (size_t i = 0; i < names.size(); ++i) query.bind(1 + static_cast<int>(i), names[i]);
    while (query.step()) {
        out.push_back({query.int64(0), query.is_null(1) ? -1 : query.int64(1), query.text(2)});
    }
    return out;
}

std::vector<TitledTrack> tracks_titled(Store& store, const std::vector<int64_t>& server_ids, std::string_view title,
                                       size_t limit) {
    std::vector<TitledTrack> out;
    const std::string words = fts_all_words_query(title);
    if (server_ids.empty() || words.empty() || limit == 0) return out;
    sql::Statement query(store.native_handle(),
                         "SELECT t.id, t.user_rating, t.title, t.artist, t.album_artist, t.album, t.is_live, "
                         "COALESCE(t.duration_ms, 0) FROM tracks_fts JOIN tracks t ON t.id = tracks_fts.rowid "
                         "WHERE tracks_fts MATCH ?1 AND t.server_id IN (" +
                             id_list(server_ids) + ") LIMIT ?2");
    query.bind(1, "title : (" + words + ")").bind(2, static_cast<int64_t>(limit));
    while (query.step()) {
        out.push_back({query.int64(0), query.is_null(1) ? -1 : query.int64(1), query.text(2), query.text(3),
                       query.text(4), query.text(5), query.int64(6) != 0, query.int64(7)});
    }
    return out;
}

}  // namespace pmx
