// TagStore: tag_models, track_tags and the active tags (see store/schema.cpp v9).
#include "store/tag_store.hpp"

#include <algorithm>
#include <bit>
#include <chrono>

#include "store/schema.hpp"
#include "store/sqlite.hpp"
#include "store/store.hpp"
#include "util/text.hpp"

namespace pmx {
namespace {

constexpr std::string_view kListSeparator = ", ";   // as kTagText joins them
constexpr std::string_view kGenreSeparator = "; ";  // as the TrackWriter joins tracks.genres
constexpr std::string_view kModelColumns = "SELECT id, provider, model, created_at, used_at FROM tag_models ";

int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

TagModel read_model(const sql::Statement& q, int first = 0) {
    return {q.int64(first), q.text(first + 1), q.text(first + 2), q.int64(first + 3), q.int64(first + 4)};
}

// Marks the full-text rows of every track with tags for rewriting (the active model changed).
void mark_tagged_tracks_stale(sqlite3* db) {
    sql::exec(db,
              "INSERT INTO tracks_fts_stale(track_id) SELECT DISTINCT tt.track_id FROM track_tags tt "
              "WHERE NOT EXISTS (SELECT 1 FROM tracks_fts_stale s WHERE s.track_id = tt.track_id)");
}

}  // namespace

TagModel TagStore::use_model(std::string_view provider, std::string_view model) {
    sqlite3* db = store_.native_handle();
    sql::WriteScope scope(db);
    const std::vector<TagModel> before = models();
    const int64_t now = std::max(now_ms(), before.empty() ? 0 : before.front().used_ms + 1);  // strictly newest
    sql::Statement upsert(db,
                          "INSERT INTO tag_models(provider, model, created_at, used_at) VALUES (?1, ?2, ?3, ?3) "
                          "ON CONFLICT(provider, model) DO UPDATE SET used_at = excluded.used_at");
    upsert.bind(1, provider).bind(2, model).bind(3, now).run();
    auto row = find_model(provider, model);
    if (!row) throw StoreError("tag model " + std::string(model) + " vanished after insert");
    const bool changed_active = !before.empty() && before.front().id != row->id;
    if (changed_active) {
        mark_tagged_tracks_stale(db);
        store_.update_search_index();
    }
    scope.commit();
    return *row;
}

std::optional<TagModel> TagStore::find_model(std::string_view provider, std::string_view model) const {
    sql::Statement q(store_.native_handle(), std::string(kModelColumns) + "WHERE provider = ?1 AND model = ?2");
    q.bind(1, provider).bind(2, model);
    if (!q.step()) return std::nullopt;
    return read_model(q);
}

std::vector<TagModel> TagStore::models() const {
    sql::Statement q(store_.native_handle(), std::string(kModelColumns) + "ORDER BY used_at DESC, id DESC");
    std::vector<TagModel> out;
    while (q.step()) out.push_back(read_model(q));
    return out;
}

void TagStore::for_each_input(const std::function<void(const TagInput&)>& fn) const {
    sql::Statement q(store_.native_handle(),
                     "SELECT t.id, t.title, CASE WHEN t.artist <> '' THEN t.artist ELSE t.album_artist END, t.album, "
                     "t.genres, COALESCE(t.year, al.year), t.duration_ms, t.added_at "
                     "FROM tracks t LEFT JOIN albums al ON al.id = t.album_id ORDER BY t.id");
    TagInput input;
    while (q.step()) {
        input.track_id = q.int64(0);
        input.title = q.text(1);
        input.artist = q.text(2);
        input.album = q.text(3);
        input.genres = split_list(q.text_view(4), kGenreSeparator);
        input.year = q.optional_int64(5);
        input.duration_ms = q.optional_int64(6);
        input.added_at = q.optional_int64(7);
        fn(input);
    }
}

std::unordered_map<int64_t, TagState> TagStore::states(int64_t model_id) const {
    sql::Statement q(store_.native_handle(),
                     "SELECT track_id, input_hash, error IS NOT NULL FROM track_tags WHERE model_id = ?1");
    q.bind(1, model_id);
    std::unordered_map<int64_t, TagState> out;
    while (q.step()) out.emplace(q.int64(0), TagState{std::bit_cast<uint64_t>(q.int64(1)), q.int64(2) != 0});
    return out;
}

void TagStore::put(const TagModel& model, std::span<const TrackTags> tags, std::span<const TagFailure> failures) {
    sqlite3* db = store_.native_handle();
    sql::WriteScope scope(db);
    // A track deleted since it was read is skipped (no row, no foreign key failure).
    sql::Statement upsert(
        db,
        "INSERT INTO track_tags(model_id, track_id, input_hash, moods, environments, instruments, energy, error, "
        "tagged_at) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9 WHERE EXISTS (SELECT 1 FROM tracks WHERE id = ?2) "
        "ON CONFLICT(model_id, track_id) DO UPDATE SET input_hash = excluded.input_hash, moods = excluded.moods, "
        "environments = excluded.environments, instruments = excluded.instruments, energy = excluded.energy, "
        "error = excluded.error, tagged_at = excluded.tagged_at",
        true);
    sql::Statement stale(db,
                         "INSERT INTO tracks_fts_stale(track_id) SELECT ?1 WHERE EXISTS (SELECT 1 FROM tracks WHERE "
                         "id = ?1) AND NOT EXISTS (SELECT 1 FROM tracks_fts_stale WHERE track_id = ?1)",
                         true);
    const int64_t now = now_ms();
    for (const TrackTags& t : tags) {
        upsert.bind(1, model.id).bind(2, t.track_id).bind(3, std::bit_cast<int64_t>(t.input_hash));
        upsert.bind(4, join(t.moods, kListSeparator)).bind(5, join(t.environments, kListSeparator));
        upsert.bind(6, join(t.instruments, kListSeparator));
        upsert.bind(7, t.energy >= 1 && t.energy <= 5 ? std::optional<int64_t>(t.energy) : std::nullopt);
        upsert.bind_null(8).bind(9, now).run();
        upsert.reset();
        stale.bind(1, t.track_id).run();
        stale.reset();
    }
    for (const TagFailure& f : failures) {
        upsert.bind(1, model.id).bind(2, f.track_id).bind(3, std::bit_cast<int64_t>(f.input_hash));
        upsert.bind(4, std::string_view("")).bind(5, std::string_view("")).bind(6, std::string_view("")).bind_null(7);
        upsert.bind(8, f.reason).bind(9, now).run();
        upsert.reset();
        stale.bind(1, f.track_id).run();  // a failure may replace tags this model gave before
        stale.reset();
    }
    store_.update_search_index();
    scope.commit();
}

TagCounts TagStore::counts(int64_t model_id) const {
    sql::Statement q(store_.native_handle(),
                     "SELECT count(*) FILTER (WHERE error IS NULL), count(*) FILTER (WHERE error IS NOT NULL) "
                     "FROM track_tags WHERE model_id = ?1");
    q.bind(1, model_id).step();
    return {q.int64(0), q.int64(1)};
}

std::vector<TagStore::FailureRow> TagStore::failures(int64_t model_id, size_t limit) const {
    sql::Statement q(store_.native_handle(),
                     "SELECT tt.track_id, t.title, CASE WHEN t.artist <> '' THEN t.artist ELSE t.album_artist END, "
                     "tt.error FROM track_tags tt JOIN tracks t ON t.id = tt.track_id "
                     "WHERE tt.model_id = ?1 AND tt.error IS NOT NULL ORDER BY tt.track_id LIMIT ?2");
    q.bind(1, model_id).bind(2, static_cast<int64_t>(limit));
    std::vector<FailureRow> out;
    while (q.step()) {
        std::string track = q.text(1);
        if (!q.text_view(2).empty()) track += " — " + q.text(2);
        out.push_back({q.int64(0), std::move(track), q.text(3)});
    }
    return out;
}

std::vector<StoredTags> TagStore::tags_of(int64_t track_id) const {
    sql::Statement q(store_.native_handle(),
                     "SELECT m.id, m.provider, m.model, m.created_at, m.used_at, tt.input_hash, tt.moods, "
                     "tt.environments, tt.instruments, tt.energy, tt.error, tt.tagged_at, "
                     "EXISTS (SELECT 1 FROM active_tags a WHERE a.track_id = tt.track_id AND a.model_id = m.id) "
                     "FROM track_tags tt JOIN tag_models m ON m.id = tt.model_id WHERE tt.track_id = ?1 "
                     "ORDER BY 13 DESC, m.used_at DESC");
    q.bind(1, track_id);
    std::vector<StoredTags> out;
    while (q.step()) {
        StoredTags s;
        s.model = read_model(q);
        s.tags.track_id = track_id;
        s.tags.input_hash = std::bit_cast<uint64_t>(q.int64(5));
        s.tags.moods = split_list(q.text_view(6), kListSeparator);
        s.tags.environments = split_list(q.text_view(7), kListSeparator);
        s.tags.instruments = split_list(q.text_view(8), kListSeparator);
        s.tags.energy = static_cast<int>(q.optional_int64(9).value_or(0));
        s.error = q.text(10);
        s.tagged_ms = q.int64(11);
        s.active = q.int64(12) != 0;
        out.push_back(std::move(s));
    }
    return out;
}

std::unordered_map<int64_t, TrackTags> TagStore::active_tags(std::span<const int64_t> track_ids) const {
    sql::Statement q(store_.native_handle(),
                     "SELECT track_id, moods, environments, instruments, energy FROM active_tags WHERE track_id = ?1",
                     true);
    std::unordered_map<int64_t, TrackTags> out;
    for (const int64_t id : track_ids) {
        sql::ResetGuard reset(q);
        q.bind(1, id);
        if (!q.step()) continue;
        TrackTags t;
        t.track_id = id;
        t.moods = split_list(q.text_view(1), kListSeparator);
        t.environments = split_list(q.text_view(2), kListSeparator);
        t.instruments = split_list(q.text_view(3), kListSeparator);
        t.energy = static_cast<int>(q.optional_int64(4).value_or(0));
        out.emplace(id, std::move(t));
    }
    return out;
}

bool TagStore::any_tags() const {
    return sql::query_int64(store_.native_handle(), "SELECT EXISTS (SELECT 1 FROM track_tags WHERE error IS NULL)")
               .value_or(0) != 0;
}

std::unordered_map<int64_t, std::vector<std::string>> TagStore::tracks_with_terms(
    std::span<const int64_t> track_ids, const std::vector<std::pair<std::string, std::string>>& terms) const {
    std::unordered_map<int64_t, std::vector<std::string>> out;
    if (terms.empty() || track_ids.empty()) return out;
    sql::Statement q(store_.native_handle(), "SELECT track_id, moods, environments, instruments FROM active_tags");
    while (q.step()) {
        const int64_t id = q.int64(0);
        if (!std::binary_search(track_ids.begin(), track_ids.end(), id)) continue;
        const std::vector<std::string> lists[] = {split_list(q.text_view(1), kListSeparator),
                                                  split_list(q.text_view(2), kListSeparator),
                                                  split_list(q.text_view(3), kListSeparator)};
        for (const auto& [facet, term] : terms) {
            const auto& list = facet == "mood" ? lists[0] : facet == "environment" ? lists[1] : lists[2];
            if (std::find(list.begin(), list.end(), term) != list.end()) out[id].push_back(term);
        }
    }
    return out;
}

int64_t TagStore::clear(std::string_view provider) {
    sqlite3* db = store_.native_handle();
    sql::WriteScope scope(db);
    mark_tagged_tracks_stale(db);  // before the rows go: their full-text rows lose or change tags
    sql::Statement count(db, provider.empty() ? "SELECT count(*) FROM track_tags"
                                              : "SELECT count(*) FROM track_tags tt JOIN tag_models m ON "
                                                "m.id = tt.model_id WHERE m.provider = ?1");
    if (!provider.empty()) count.bind(1, provider);
    count.step();
    const int64_t rows = count.int64(0);
    count.reset();
    sql::Statement remove(db, provider.empty() ? "DELETE FROM tag_models" : "DELETE FROM tag_models WHERE provider = ?1");
    if (!provider.empty()) remove.bind(1, provider);
    remove.run();
    store_.update_search_index();
    scope.commit();
    return rows;
}

}  // namespace pmx
