// The embedding step: embed the tracks whose text is new or changed, store the vectors per
// model, and bring the model's vector index up to date.
#pragma once

// One pass with one embedder:
//  1. info() names the model and its dimension; the model row is created when new (a model
//     that changed dimension is re-created: its old vectors are deleted, noted).
//  2. Every track's text (embed/track_text.hpp) is hashed; tracks with no vector of this
//     model, or whose stored hash differs, are to embed (all of them with `reembed_all`).
//  3. Batches of the embedder's max_batch texts (kDefaultEmbedBatchCap when it sets none, or
//     EmbedOptions::batch_cap when given) go through Provider::embed in
//     document mode, i.e. through the provider's call core (deadline, retries with backoff,
//     concurrency and rate limits, cancellation). Up to the provider's concurrency limit
//     batches are in flight at once; a new one starts as soon as any of them finishes, so a
//     batch waiting out a 429 does not hold back the others. Vectors come back L2-normalised
//     (Provider::embed normalises when the embedder says they are not).
//  4. Each batch is stored in its own transaction as it arrives (in the order batches finish):
//     Ctrl+C or a crash loses at most the batches in flight, and the store is never half-written.
//  5. A batch that fails (after the call core's retries) is counted as failed and the pass
//     goes on; it stops at once on cancellation or an answer that will not change (AUTH,
//     UNSUPPORTED, INTERNAL), and after kMaxConsecutiveFailures failed batches in a row.
//  6. Finally (whatever happened above) the model's index file is opened, checked and
//     updated from the store (embed/model_index.hpp): new and re-embedded vectors added,
//     vectors of deleted tracks removed, saved atomically.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "net/cancel.hpp"

namespace pmx {

class Provider;
class Store;

inline constexpr size_t kDefaultEmbedBatchCap = 64;   // texts per call when the embedder sets no limit
inline constexpr int kMaxConsecutiveFailures = 3;     // failed batches in a row that end a pass

// What a pass is about to send, known before the first call (for a cost estimate).
struct EmbedPlan {
    std::string model;
    uint64_t texts = 0;             // to embed
    uint64_t requests = 0;          // embed calls (batches)
    uint64_t estimated_tokens = 0;  // llm::estimate_tokens over the texts
};

struct EmbedOptions {
    bool reembed_all = false;               // `embeddings rebuild`: ignore the stored hashes
    bool rebuild_index = false;             // build the index from the stored vectors, not the file
    size_t batch_cap = 0;                   // texts per call; 0: the embedder's max_batch
    std::filesystem::path index_dir;        // where index files live; empty: leave the index alone
    const CancelToken* cancel = nullptr;    // nullptr: global_cancel()
    // Texts embedded (stored) so far of the total to embed; on the calling thread.
    std::function<void(uint64_t done, uint64_t total)> progress;
    // Called once, before the first call, when there is something to embed; on the calling thread.
    std::function<void(const EmbedPlan& plan)> on_plan;
};

struct EmbedReport {
    std::string provider;         // the provider's config name
    std::string model;            // empty when info() failed
    uint32_t dim = 0;
    uint64_t tracks = 0;          // tracks in the mirror
    uint64_t to_embed = 0;        // new, changed (or all, with reembed_all)
    uint64_t embedded = 0;        // stored this pass
    uint64_t up_to_date = 0;      // skipped: their vector matches their text
    uint64_t failed = 0;          // in batches that failed
    uint64_t left = 0;            // not tried: the pass stopped early
    uint64_t batches = 0;         // embed calls sent
    uint64_t estimated_tokens = 0;  // of the texts to embed, before the pass (EmbedPlan)
    uint64_t input_tokens = 0;    // the usage the embedder reported (0: it reports none)
    uint64_t index_size = 0;      // vectors in the model's index after the pass
    bool index_built = false;     // there was no index file: built from the stored vectors
    bool index_rebuilt = false;   // rebuilt in place of a file it could not use, or on request
    bool cancelled = false;
    std::chrono::milliseconds elapsed{0};
    std::string error;            // the first failure, when any
    std::vector<std::string> notes;  // one line each (model re-created, index rebuilt, ...)

    bool ok() const { return error.empty() && !cancelled && failed == 0 && left == 0; }
};

// Runs one pass of `embedder` (a configured provider named report.provider) over the store.
// Throws StoreError when the store fails (a run-ending failure); provider failures are values
// in the report.
EmbedReport embed_tracks(Store& store, Provider& embedder, const EmbedOptions& options);

}  // namespace pmx
