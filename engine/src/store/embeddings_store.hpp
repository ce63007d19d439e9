// Embeddings per model in the store: models, the text sources of tracks, vectors and their seq.
#pragma once

// The tables are described in store/schema.cpp (migration 5). An EmbeddingStore borrows a
// Store (one connection, one thread at a time) and throws StoreError like it. Vectors are
// dim float32 per track, row-major in every span below; the store keeps them bit for bit.
//
// Consistency with the vector index (embed/vector_store.hpp) rests on `seq`: every
// put_vectors() takes the model's next seq and gives it to all the rows it writes, in the same
// transaction. Rows are never changed without a new seq, so an index that holds exactly the
// rows with seq <= S is brought up to date by taking the rows with seq > S and dropping the
// ids that have no row any more (deleted tracks: the cascade removes their rows).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace pmx {

class Store;

struct EmbeddingModel {
    int64_t id = 0;
    std::string name;      // the embedder's model name
    uint32_t dim = 0;      // floats per vector
    int64_t created_ms = 0;
    int64_t last_seq = 0;  // seq of the latest batch written (0: none)
};

// What the embedding text of a track is made of (embed/track_text.hpp builds the text).
struct TrackTextSource {
    int64_t track_id = 0;
    std::string title, artist, album;
    std::vector<std::string> genres;   // in the source's order
    std::optional<int64_t> year;       // the track's, else its album's
    std::vector<std::string> tags;     // LLM tags, when a tags table exists (empty until then)
};

// A consistent view for several reads (BEGIN ... COMMIT; nothing when a transaction is
// already open): a model's last_seq and the vectors read under it then agree even while
// another process writes.
class ReadSnapshot {
public:
    explicit ReadSnapshot(Store& store);
    ~ReadSnapshot();
    ReadSnapshot(const ReadSnapshot&) = delete;
    ReadSnapshot& operator=(const ReadSnapshot&) = delete;

private:
    Store& store_;
    bool began_ = false;
};

class EmbeddingStore {
public:
    explicit EmbeddingStore(Store& store) : store_(store) {}

    // Every model with stored vectors or ever used, by name.
    std::vector<EmbeddingModel> models() const;
    std::optional<EmbeddingModel> find_model(std::string_view name) const;
    // The model row for (name, dim), created when missing. A model of that name stored with
    // another dimension is deleted first, with its vectors (*replaced is then set true).
    EmbeddingModel ensure_model(std::string_view name, uint32_t dim, bool* replaced = nullptr);

    // Calls `fn` for every track of the mirror (all servers), by id.
    void for_each_track_text(const std::function<void(const TrackTextSource&)>& fn) const;
    // The ids of every track, ascending.
    std::vector<int64_t> track_ids() const;

    // track id → hash of the text embedded, for every vector of the model.
    std::unordered_map<int64_t, uint64_t> text_hashes(int64_t model_id) const;
    // Ids with a vector of the model, ascending.
    std::vector<int64_t> ids(int64_t model_id) const;
    int64_t count(int64_t model_id) const;
    // The model's current row (for last_seq after writes); nullopt when it was deleted.
    std::optional<EmbeddingModel> model(int64_t model_id) const;

    // Writes one batch: ids.size() vectors (ids.size() × model.dim floats) with the hashes of
    // their texts, replacing earlier vectors of those tracks, all with the model's next seq,
    // in one transaction (a savepoint inside an open one). Ids of tracks that no longer exist
    // are skipped (a sync may delete tracks while a pass embeds). Returns the seq written.
    int64_t put_vectors(const EmbeddingModel& model, std::span<const int64_t> ids, std::span<const uint64_t> hashes,
                        std::span<const float> vectors);

    // Streams the model's vectors with seq > after_seq (every one for 0), by track id, in
    // chunks of at most `chunk` rows: fn(ids, vectors). A vector whose size is not dim floats
    // (a damaged row) throws StoreError.
    void for_each_vector(const EmbeddingModel& model, int64_t after_seq, size_t chunk,
                         const std::function<void(std::span<const int64_t>, std::span<const float>)>& fn) const;
    // One track's vector of the model (dim floats); nullopt when it has none.
    std::optional<std::vector<float>> vector(const EmbeddingModel& model, int64_t track_id) const;

    // Deletes every vector of the model (the model row stays, its seq moves on). Returns how
    // many were deleted.
    int64_t clear(const EmbeddingModel& model);

private:
    Store& store_;
};

}  // namespace pmx
