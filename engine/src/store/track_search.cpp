// Keyword search (FTS5 MATCH ranked by bm25) and track rows for display.
#include "store/track_search.hpp"

#include "store/schema.hpp"
#include "store/sqlite.hpp"
#include "store/store.hpp"

namespace pmx {
namespace {

constexpr bool is_word_byte(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

std::string json_ids(const std::vector<int64_t>& ids) {
    std::string json = "[";
    for (const int64_t id : ids) {
        if (json.size() > 1) json += ',';
        json += std::to_string(id);
    }
    json += ']';
    return json;
}

}  // namespace

namespace {

// The words of `text`, each quoted, joined by `link` (" OR ", " AND ").
std::string fts_words(std::string_view text, std::string_view link) {
    std::string query;
    size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && !is_word_byte(static_cast<unsigned char>(text[i]))) ++i;
        const size_t begin = i;
        while (i < text.size() && is_word_byte(static_cast<unsigned char>(text[i]))) ++i;
        if (i == begin) continue;
        if (!query.empty()) query += link;
        query += '"';
        query.append(text.substr(begin, i - begin));
        query += '"';
    }
    return query;
}

}  // namespace

std::string fts_any_word_query(std::string_view text) { return fts_words(text, " OR "); }

std::string fts_all_words_query(std::string_view text) { return fts_words(text, " AND "); }

std::vector<int64_t> keyword_search(Store& store, std::string_view text, size_t k,
                                    const std::vector<int64_t>* candidates) {
    std::vector<int64_t> ids;
    const std::string match = fts_any_word_query(text);
    if (match.empty() || k == 0) return ids;
    std::string sql = "SELECT rowid FROM tracks_fts WHERE tracks_fts MATCH ?1";
    if (candidates) sql += " AND rowid IN (SELECT value FROM json_each(?3))";
    sql += " ORDER BY rank LIMIT ?2";
    sql::Statement query(store.native_handle(), sql);
    query.bind(1, match).bind(2, static_cast<int64_t>(k));
    const std::string candidate_json = candidates ? json_ids(*candidates) : std::string();
    if (candidates) query.bind(3, candidate_json);
    while (query.step()) ids.push_back(query.int64(0));
    return ids;
}

std::vector<TrackRow> track_rows(Store& store, const std::vector<int64_t>& ids) {
    sql::Statement query(store.native_handle(),
                         "SELECT t.id, t.title, CASE WHEN t.artist <> '' THEN t.artist ELSE t.album_artist END, "
                         "t.album, t.genres, COALESCE(t.year, al.year), " + std::string(kTagText) +
                             " FROM tracks t LEFT JOIN albums al ON al.id = t.album_id WHERE t.id = ?1",
                         true);
    std::vector<TrackRow> rows;
    rows.reserve(ids.size());
    for (const int64_t id : ids) {
        sql::ResetGuard reset(query);
        query.bind(1, id);
        if (!query.step()) continue;
        TrackRow row;
        row.id = query.int64(0);
        row.title = query.text(1);
        row.artist = query.text(2);
        row.album = query.text(3);
        row.genres = query.text(4);
        row.year = query.optional_int64(5);
        row.tags = query.text(6);
        rows.push_back(std::move(row));
    }
    return rows;
}

}  // namespace pmx
