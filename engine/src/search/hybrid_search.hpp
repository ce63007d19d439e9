// `plexmix search`: the names a query spells first, then keyword and vector ranks fused.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "search/query_names.hpp"
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
    // Only these track ids (filters), the tracks of the names the query spells too; nullptr
    // for the whole library.
    const std::vector<int64_t>* candidates = nullptr;
    std::filesystem::path index_dir;  // where the vector index files live (embed/model_index.hpp)
};

struct SearchHit {
    TrackRow track;
    // The fused score scaled to (0, 1]: 1 would be first in every ranking used; 0 for a track
    // of a name the query spells that neither ranking reached.
    double score = 0;
    std::optional<size_t> keyword_rank;   // 1-based place among keyword matches
    std::optional<size_t> vector_rank;    // 1-based place by similarity
    std::optional<float> similarity;      // cosine similarity to the query
    std::vector<size_t> matched;          // the names it carries: places in SearchResult::names
};

struct SearchResult {
    std::vector<QueryName> names;  // what the query was read as (search/query_names.hpp)
    std::vector<SearchHit> hits;  // best first
    bool keywords = false;        // keyword ranking used (the query has words)
    bool vectors = false;         // vector ranking used
    std::string model;            // the embedding model when vectors were used
    std::vector<std::string> notes;  // why vectors were not used, an index rebuilt, ...
};

// Searches the mirror for `query`.
//
// Names first: when the query spells genres, artists or albums of the mirror
// (read_query_names()), the tracks that carry every one of them come first, then those that
// carry fewer (more before fewer), then the rest of the fused ranking. A name's tracks are
// found in SQL, all of them, not only those the rankings reached; within a tier the fused order
// holds (so the query's other words still count), and the tier's tracks neither ranking reached
// follow, by rating (highest first), then title (NOCASE), then id. A query that spells no name
// is ranked as fused.
//
// The fused ranking: with `embedder` (may be null: keywords only) the query is
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
