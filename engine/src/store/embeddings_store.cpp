// Embeddings per model: model rows, track texts, vectors as float32 BLOBs with a per-model seq.
#include "store/embeddings_store.hpp"

#include <bit>
#include <chrono>
#include <cstring>
#include <limits>

#include "store/schema.hpp"
#include "store/sqlite.hpp"
#include "store/store.hpp"
#include "util/text.hpp"

namespace pmx {
namespace {

// Vectors are stored as the raw bytes of the floats; the file format says little-endian.
static_assert(std::endian::native == std::endian::little, "embeddings are stored as little-endian float32");
static_assert(std::numeric_limits<float>::is_iec559 && sizeof(float) == 4, "embeddings are IEEE 754 float32");

constexpr std::string_view kGenreSeparator = "; ";  // as the TrackWriter joins tracks.genres
constexpr std::string_view kModelColumns = "SELECT id, name, dim, created_at, last_seq FROM embedding_models ";

int64_t now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

EmbeddingModel read_model(const sql::Statement& row) {
    EmbeddingModel model;
    model.id = row.int64(0);
    model.name = row.text(1);
    model.dim = static_cast<uint32_t>(row.int64(2));
    model.created_ms = row.int64(3);
    model.last_seq = row.int64(4);
    return model;
}


}  // namespace

ReadSnapshot::ReadSnapshot(Store& store) : store_(store) {
    if (sqlite3_get_autocommit(store_.native_handle()) != 0) {
        sql::exec(store_.native_handle(), "BEGIN");
        began_ = true;
    }
}

ReadSnapshot::~ReadSnapshot() {
    if (began_ && sqlite3_get_autocommit(store_.native_handle()) == 0) {
        sqlite3_exec(store_.native_handle(), "COMMIT", nullptr, nullptr, nullptr);
    }
}

std::vector<EmbeddingModel> EmbeddingStore::models() const {
    sql::Statement query(store_.native_handle(), std::string(kModelColumns) + "ORDER BY name");
    std::vector<EmbeddingModel> out;
    while (query.step()) out.push_back(read_model(query));
    return out;
}

std::optional<EmbeddingModel> EmbeddingStore::find_model(std::string_view name) const {
    sql::Statement query(store_.native_handle(), std::string(kModelColumns) + "WHERE name = ?1");
    query.bind(1, name);
    if (!query.step()) return std::nullopt;
    return read_model(query);
}

std::optional<EmbeddingModel> EmbeddingStore::model(int64_t model_id) const {
    sql::Statement query(store_.native_handle(), std::string(kModelColumns) + "WHERE id = ?1");
    query.bind(1, model_id);
    if (!query.step()) return std::nullopt;
    return read_model(query);
}

EmbeddingModel EmbeddingStore::ensure_model(std::string_view name, uint32_t dim, bool* replaced) {
    if (replaced) *replaced = false;
    sqlite3* db = store_.native_handle();
    sql::WriteScope scope(db);
    if (auto existing = find_model(name)) {
        if (existing->dim == dim) return *existing;
        sql::Statement drop(db, "DELETE FROM embedding_models WHERE id = ?1");  // cascades to its vectors
        drop.bind(1, existing->id).run();
        if (replaced) *replaced = true;
    }
    sql::Statement insert(db, "INSERT INTO embedding_models(name, dim, created_at) VALUES (?1, ?2, ?3)");
    insert.bind(1, name).bind(2, static_cast<int64_t>(dim)).bind(3, now_ms()).run();
    auto created = find_model(name);
    if (!created) throw StoreError("embedding model " + std::string(name) + " vanished after insert");
    scope.commit();
    return *created;
}

void EmbeddingStore::for_each_track_text(const std::function<void(const TrackTextSource&)>& fn) const {
    // A track's active LLM tags (`plexmix tags generate`) enter its text and its hash, so that
    // newly tagged or re-tagged tracks count as stale and are re-embedded.
    sql::Statement query(store_.native_handle(),
                         "SELECT t.id, t.title, CASE WHEN t.artist <> '' THEN t.artist ELSE t.album_artist END, "
                         "t.album, t.genres, COALESCE(t.year, al.year), " + std::string(kTagText) +
                             " FROM tracks t LEFT JOIN albums al ON al.id = t.album_id ORDER BY t.id");
    TrackTextSource source;
    while (query.step()) {
        source.track_id = query.int64(0);
        source.title = query.text(1);
        source.artist = query.text(2);
        source.album = query.text(3);
        source.genres = split_list(query.text_view(4), kGenreSeparator);
        source.year = query.optional_int64(5);
        source.tags = split_list(query.text_view(6), ", ");  // as kTagText joins them
        fn(source);
    }
}

std::vector<int64_t> EmbeddingStore::track_ids() const {
    sql::Statement query(store_.native_handle(), "SELECT id FROM tracks ORDER BY id");
    std::vector<int64_t> ids;
    while (query.step()) ids.push_back(query.int64(0));
    return ids;
}

std::unordered_map<int64_t, uint64_t> EmbeddingStore::text_hashes(int64_t model_id) const {
    sql::Statement query(store_.native_handle(),
                         "SELECT track_id, text_hash FROM embeddings INDEXED BY embeddings_state WHERE model_id = ?1");
    query.bind(1, model_id);
    std::unordered_map<int64_t, uint64_t> out;
    while (query.step()) out.emplace(query.int64(0), std::bit_cast<uint64_t>(query.int64(1)));
    return out;
}

std::vector<int64_t> EmbeddingStore::ids(int64_t model_id) const {
    sql::Statement query(store_.native_handle(),
                         "SELECT track_id FROM embeddings INDEXED BY embeddings_state WHERE model_id = ?1 "
                         "ORDER BY track_id");
    query.bind(1, model_id);
    std::vector<int64_t> out;
    while (query.step()) out.push_back(query.int64(0));
    return out;
}

int64_t EmbeddingStore::count(int64_t model_id) const {
    sql::Statement query(store_.native_handle(),
                         "SELECT count(*) FROM embeddings INDEXED BY embeddings_state WHERE model_id = ?1");
    query.bind(1, model_id).step();
    return query.int64(0);
}

int64_t EmbeddingStore::put_vectors(const EmbeddingModel& model, std::span<const int64_t> ids,
                                    std::span<const uint64_t> hashes, std::span<const float> vectors) {
    if (hashes.size() != ids.size() || vectors.size() != ids.size() * model.dim) {
        throw StoreError("put_vectors: " + std::to_string(ids.size()) + " ids, " + std::to_string(hashes.size()) +
                         " hashes and " + std::to_string(vectors.size()) + " floats do not match dimension " +
                         std::to_string(model.dim));
    }
    sqlite3* db = store_.native_handle();
    sql::WriteScope scope(db);
    sql::Statement next(db, "UPDATE embedding_models SET last_seq = last_seq + 1 WHERE id = ?1 RETURNING last_seq");
    next.bind(1, model.id);
    if (!next.step()) throw StoreError("embedding model " + model.name + " was deleted while embedding");
    const int64_t seq = next.int64(0);
    next.reset();

    // A track deleted since its text was read is skipped (no row, no foreign key failure).
    sql::Statement upsert(db,
                          "INSERT INTO embeddings(model_id, track_id, text_hash, seq, embedded_at, vector) "
                          "SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS (SELECT 1 FROM tracks WHERE id = ?2) "
                          "ON CONFLICT(model_id, track_id) DO UPDATE SET text_hash = excluded.text_hash, "
                          "seq = excluded.seq, embedded_at = excluded.embedded_at, vector = excluded.vector",
                          true);
    const int64_t now = now_ms();
    const size_t bytes = size_t{model.dim} * sizeof(float);
    for (size_t i = 0; i < ids.size(); ++i) {
        upsert.bind(1, model.id).bind(2, ids[i]).bind(3, std::bit_cast<int64_t>(hashes[i])).bind(4, seq).bind(5, now);
        if (sqlite3_bind_blob64(upsert.get(), 6, vectors.data() + i * model.dim, bytes, SQLITE_STATIC) != SQLITE_OK) {
            sql::fail(db, "cannot bind a vector");
        }
        upsert.run();
        upsert.reset();
    }
    scope.commit();
    return seq;
}

void EmbeddingStore::for_each_vector(
    const EmbeddingModel& model, int64_t after_seq, size_t chunk,
    const std::function<void(std::span<const int64_t>, std::span<const float>)>& fn) const {
    if (chunk == 0) chunk = 1;
    sql::Statement query(store_.native_handle(),
                         after_seq > 0 ? "SELECT track_id, vector FROM embeddings WHERE model_id = ?1 AND seq > ?2 "
                                         "ORDER BY track_id"
                                       : "SELECT track_id, vector FROM embeddings WHERE model_id = ?1 ORDER BY track_id");
    query.bind(1, model.id);
    if (after_seq > 0) query.bind(2, after_seq);
    const size_t bytes = size_t{model.dim} * sizeof(float);
    std::vector<int64_t> ids;
    std::vector<float> rows;
    ids.reserve(chunk);
    rows.reserve(chunk * model.dim);
    const auto flush = [&] {
        if (ids.empty()) return;
        fn(ids, rows);
        ids.clear();
        rows.clear();
    };
    while (query.step()) {
        const int64_t track_id = query.int64(0);
        const void* blob = sqlite3_column_blob(query.get(), 1);
        const auto size = static_cast<size_t>(sqlite3_column_bytes(query.get(), 1));
        if (size != bytes || blob == nullptr) {
            throw StoreError("the stored vector of track " + std::to_string(track_id) + " for model " + model.name +
                             " has " + std::to_string(size) + " bytes, not " + std::to_string(bytes) +
                             " (damaged database?)");
        }
        ids.push_back(track_id);
        const size_t at = rows.size();
        rows.resize(at + model.dim);
        std::memcpy(rows.data() + at, blob, bytes);
        if (ids.size() >= chunk) flush();
    }
    flush();
}

std::optional<std::vector<float>> EmbeddingStore::vector(const EmbeddingModel& model, int64_t track_id) const {
    sql::Statement query(store_.native_handle(), "SELECT vector FROM embeddings WHERE model_id = ?1 AND track_id = ?2");
    query.bind(1, model.id).bind(2, track_id);
    if (!query.step()) return std::nullopt;
    const auto size = static_cast<size_t>(sqlite3_column_bytes(query.get(), 0));
    if (size != size_t{model.dim} * sizeof(float)) {
        throw StoreError("the stored vector of track " + std::to_string(track_id) + " for model " + model.name +
                         " has " + std::to_string(size) + " bytes (damaged database?)");
    }
    std::vector<float> out(model.dim);
    if (size > 0) std::memcpy(out.data(), sqlite3_column_blob(query.get(), 0), size);
    return out;
}

int64_t EmbeddingStore::clear(const EmbeddingModel& model) {
    sqlite3* db = store_.native_handle();
    sql::WriteScope scope(db);
    sql::Statement drop(db, "DELETE FROM embeddings WHERE model_id = ?1");
    const int64_t n = drop.bind(1, model.id).run();
    sql::Statement bump(db, "UPDATE embedding_models SET last_seq = last_seq + 1 WHERE id = ?1");
    bump.bind(1, model.id).run();
    scope.commit();
    return n;
}

}  // namespace pmx
