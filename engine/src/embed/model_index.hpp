// The vector index file of one embedding model, checked against the store and kept in step.
#pragma once

// Derived data: `<data_dir>/vectors/<model-slug>.index` holds the model's vectors keyed by
// track id (vector/vector_index.hpp). Its stamp records which store rows it holds:
//   "plexmix-embeddings/1 model_id=3 created=1700000000000 dim=64 seq=42"
// (the model row's id and creation time, the dimension, and the model's last seq when the
// index was brought up to date). Opening it:
//   - no file yet (a first embedding, or a file deleted) → built from the stored vectors,
//     with no note: nothing went wrong;
//   - file unreadable, truncated or corrupt, of another dimension, of another model row
//     (re-created, another database), or with a seq ahead of the store → rebuilt from the
//     stored vectors, with a one-line note saying why;
//   - at the store's seq and holding as many vectors as the store: used as it is, mapped (rows
//     enter the store only with a new seq, so at the same seq the same count is the same ids);
//   - otherwise brought up to date incrementally: ids whose rows are gone (deleted tracks,
//     cleared vectors) are removed, rows written since its seq are upserted (new and
//     re-embedded tracks); if its ids still disagree with the store's, it is rebuilt (noted).
//     Before that change its codes and vectors are checked against the file's sum (rebuilt,
//     noted, when they disagree), and a file of an older format is saved in the current one.
// When anything changed, the file is saved atomically (temporary file, fsync, rename), so a
// crash leaves the old file or the new one; the store stays the source of truth either way.

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "store/embeddings_store.hpp"
#include "vector/vector_index.hpp"

namespace pmx {

class Store;

// "<data_dir>/vectors": where index files live, next to the database.
std::filesystem::path vectors_dir(const std::filesystem::path& data_dir);

// The index file of a model in `dir`: the name lowercased with every byte outside [a-z0-9._-]
// turned into '-', then 8 hex digits of the exact name's hash (two names never share a file),
// then ".index".
std::filesystem::path index_file(const std::filesystem::path& dir, std::string_view model_name);

struct OpenedIndex {
    std::unique_ptr<vec::VectorIndex> index;
    bool built = false;            // there was no file: built from the stored vectors
    bool rebuilt = false;          // built from the stored vectors in place of a file it could
                                   // not use, or on request (IndexMode::rebuild)
    bool saved = false;            // the file was (re)written
    std::vector<std::string> notes;  // one line each: why it was rebuilt
};

enum class IndexMode {
    check,    // load, check, bring up to date (rebuild only when it must)
    rebuild,  // build from the stored vectors, whatever the file holds
};

// Opens the index of `model` (a row of the store) from `file` as described above. Saves the
// file when it changed, unless `save` is false (a read-only look, e.g. `embeddings status`).
// The directory is created (0700) when missing. Throws StoreError when the store fails and
// std::runtime_error when the file cannot be written.
OpenedIndex open_model_index(Store& store, const EmbeddingModel& model, const std::filesystem::path& file,
                             IndexMode mode = IndexMode::check, bool save = true);

// A look at an index file without changing it (`embeddings status`).
struct IndexState {
    bool present = false;     // the file exists and reads as an index
    size_t size = 0;          // vectors in it
    bool up_to_date = false;  // it holds exactly the model's stored vectors
    std::string state;        // "up to date", "missing", "behind the database: updated at next use", ...
};
IndexState inspect_model_index(Store& store, const EmbeddingModel& model, const std::filesystem::path& file);

// What the stamp of an index file of `model` is when it holds the rows up to `seq`.
std::string index_stamp(const EmbeddingModel& model, int64_t seq);

}  // namespace pmx
