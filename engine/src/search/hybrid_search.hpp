// `plexmix search`: keyword matches (FTS5, bm25) and vector similarity, fused by rank.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/track_search.hpp"

namespace pmx {

class Provider;
class Store;

// Reciprocal-rank fusion (Cormack, Clarke & Büttcher, SIGIR 2009): a track's score is the sum
// over the two rankings of 1 / (kRrfK + rank), rank 1-based. Why ranks and not scores: bm25 is
// unbounded and depends on the query and the library, cosine similarity lives in [-1, 1] with
// a spread that depends on the model; adding them needs a calibration that holds for neither.
// Ranks need none, and a track found by both rankings beats one found by either alone unless
// that one ranks far higher there. 60 is the constant of the paper (it damps the head of
// each list so that one ranking cannot decide alone).
inline constexpr double kRrfK = 60.0;
inline constexpr size_t kDefaultSearchLimit = 20;
inline constexpr size_t kMinFusionDepth = 100;  // results taken from each ranking, at least

struct SearchOptions {
    size_t limit = kDefaultSearchLimit;
    // Only these track ids (filters); nullptr for the whole library.
    const std::vector<int64_t>* candidates = nullptr;
    std::filesystem::path index_dir;  // where the vector index files live (embed/model_index.hpp)
};

struct SearchHit {
    TrackRow track;
    // The fused score scaled to (0, 1]: 1 would be first in every ranking used.
    double score = 0;
    std::optional<size_t> keyword_rank;   // 1-based place among keyword matches
    std::optional<size_t> vector_rank;    // 1-based place by similarity
    std::optional<float> similarity;      // cosine similarity to the query
};

struct SearchResult {
    std::vector<SearchHit> hits;  // best first
    bool keywords = false;        // keyword ranking used (the query has words)
    bool vectors = false;         // vector ranking used
    std::string model;            // the embedding model when vectors were used
    std::vector<std::string> notes;  // why vectors were not used, an index rebuilt, ...
};

// Searches the mirror for `query`. With `embedder` (may be null: keywords only) the query is
// embedded in query mode through the provider's call core and the model's index (opened and
// checked as in embed/model_index.hpp) gives the vector ranking; when that is impossible (no
// vectors of the model yet, the call failed) the search says so in notes and uses keywords
// alone. Throws StoreError when the store fails.
SearchResult hybrid_search(Store& store, std::string_view query, Provider* embedder, const SearchOptions& options);

// The fusion itself, for tests: ids of two rankings (best first) → (id, fused score scaled
// to (0, 1]) best first; ties by id.
std::vector<std::pair<int64_t, double>> fuse_rankings(const std::vector<int64_t>& keyword,
                                                       const std::vector<int64_t>& vector);

}  // namespace pmx
