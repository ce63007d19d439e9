// Hybrid search: FTS5 bm25 ranking + vector ranking, fused by reciprocal rank.
#include "search/hybrid_search.hpp"

#include <algorithm>
#include <unordered_map>

#include "embed/model_index.hpp"
#include "plugin/provider.hpp"
#include "store/embeddings_store.hpp"
#include "store/store.hpp"

namespace pmx {
namespace {

constexpr size_t kDepthPerResult = 5;  // each ranking contributes this many results per one shown

struct Ranks {
    std::optional<size_t> keyword, vector;
    std::optional<float> similarity;
};

}  // namespace

std::vector<std::pair<int64_t, double>> fuse_rankings(const std::vector<int64_t>& keyword,
                                                       const std::vector<int64_t>& vector) {
    std::unordered_map<int64_t, double> score;
    for (size_t i = 0; i < keyword.size(); ++i) score[keyword[i]] += 1.0 / (kRrfK + static_cast<double>(i + 1));
    for (size_t i = 0; i < vector.size(); ++i) score[vector[i]] += 1.0 / (kRrfK + static_cast<double>(i + 1));
    const double lists = (keyword.empty() ? 0.0 : 1.0) + (vector.empty() ? 0.0 : 1.0);
    const double best = lists / (kRrfK + 1.0);
    std::vector<std::pair<int64_t, double>> out(score.begin(), score.end());
    for (auto& entry : out) entry.second /= best;
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    return out;
}

SearchResult hybrid_search(Store& store, std::string_view query, Provider* embedder, const SearchOptions& options) {
    SearchResult result;
    const size_t depth = std::max(kMinFusionDepth, options.limit * kDepthPerResult);

    const std::vector<int64_t> keyword = keyword_search(store, query, depth, options.candidates);
    result.keywords = !fts_any_word_query(query).empty();

    std::vector<int64_t> vector;
    std::unordered_map<int64_t, float> similarity;
    if (embedder == nullptr) {
        result.notes.push_back("no embedder configured (use: { embedder: ... }): keyword matches only");
    } else {
        EmbedderInfo info;
        const CallResult r = embedder->embedder_info(&info);
        EmbeddingStore embeddings(store);
        const auto model = r.ok() ? embeddings.find_model(info.model) : std::nullopt;
        if (!r.ok()) {
            result.notes.push_back("embedder " + embedder->name() + " failed (" + std::string(status_name(r.status)) +
                                   (r.message.empty() ? "" : ": " + r.message) + "): keyword matches only");
        } else if (!model || model->dim != info.dimension || embeddings.count(model->id) == 0) {
            result.notes.push_back("no vectors of model " + info.model +
                                   " yet (run 'plexmix embeddings generate'): keyword matches only");
        } else {
            OpenedIndex opened = open_model_index(store, *model, index_file(options.index_dir, model->name));
            for (auto& note : opened.notes) result.notes.push_back(std::move(note));
            std::vector<float> q;
            const CallResult e = embedder->embed({std::string(query)}, PMX_EMBED_QUERY, &q);
            if (!e.ok()) {
                result.notes.push_back("could not embed the query with " + embedder->name() + " (" +
                                       std::string(status_name(e.status)) +
                                       (e.message.empty() ? "" : ": " + e.message) + "): keyword matches only");
            } else {
                for (const vec::Hit& hit : opened.index->search(q, depth, options.candidates)) {
                    vector.push_back(hit.id);
                    similarity.emplace(hit.id, hit.score);
                }
                result.vectors = true;
                result.model = model->name;
            }
        }
    }

    const auto fused = fuse_rankings(keyword, vector);
    std::unordered_map<int64_t, Ranks> ranks;
    for (size_t i = 0; i < keyword.size(); ++i) ranks[keyword[i]].keyword = i + 1;
    for (size_t i = 0; i < vector.size(); ++i) {
        Ranks& r = ranks[vector[i]];
        r.vector = i + 1;
        r.similarity = similarity.at(vector[i]);
    }
    std::vector<int64_t> ids;
    for (const auto& [id, score] : fused) {
        if (ids.size() >= options.limit) break;
        ids.push_back(id);
    }
    std::unordered_map<int64_t, double> score_of(fused.begin(), fused.end());
    for (TrackRow& row : track_rows(store, ids)) {
        SearchHit hit;
        const Ranks& r = ranks.at(row.id);
        hit.score = score_of.at(row.id);
        hit.keyword_rank = r.keyword;
        hit.vector_rank = r.vector;
        hit.similarity = r.similarity;
        hit.track = std::move(row);
        result.hits.push_back(std::move(hit));
    }
    return result;
}

}  // namespace pmx
