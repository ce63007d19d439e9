// Hybrid search: FTS5 bm25 ranking + vector ranking, fused by reciprocal rank.
#include "search/hybrid_search.hpp"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "embed/model_index.hpp"
#include "plugin/provider.hpp"
#include "store/embeddings_store.hpp"
#include "store/named_tracks.hpp"
#include "store/store.hpp"
#include "store/track_filter.hpp"
#include "util/text.hpp"

namespace pmx {
namespace {

constexpr size_t kDepthPerResult = 5;  // each ranking contributes this many results per one shown

struct Ranks {
    std::optional<size_t> keyword, vector;
    std::optional<float> similarity;
};

// A track that carries names of the query.
struct Named {
    std::vector<size_t> names;  // places in the query's names, ascending
    int64_t rating = -1;
    std::string title;
    size_t fused = 0;  // place in the fused ranking; kNotFused when neither ranking reached it
};

constexpr size_t kNotFused = static_cast<size_t>(-1);

// Titles compared as SQLite's NOCASE does.
bool title_before(std::string_view a, std::string_view b) {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                        [](char x, char y) { return ascii_lower(x) < ascii_lower(y); });
}

// What the query spells, in the names of every server of the mirror (search covers them all).
std::vector<QueryName> names_in(Store& store, std::string_view query) {
    const std::vector<int64_t> servers = mirror_server_ids(store);
    return read_query_names(query,
                            {genre_names(store, servers), artist_names(store, servers), album_titles(store, servers)});
}

// The ids to show, best first (hybrid_search() in the header says the order), and in `matched`
// the names each track of a name carries (places in `names`). One query per name.
std::vector<int64_t> names_first(Store& store, const std::vector<QueryName>& names,
                                 const std::vector<std::pair<int64_t, double>>& fused, const SearchOptions& options,
                                 std::unordered_map<int64_t, std::vector<size_t>>* matched) {
    std::vector<int64_t> ids;
    std::unordered_map<int64_t, Named> named;
    if (!names.empty()) {
        const std::vector<int64_t> servers = mirror_server_ids(store);
        std::unordered_set<int64_t> allowed;
        if (options.candidates) allowed.insert(options.candidates->begin(), options.candidates->end());
        for (size_t n = 0; n < names.size(); ++n) {
            const QueryName& name = names[n];
            for (NamedTrack& t : tracks_named(store, servers, name.field, name.names)) {
                if (options.candidates && !allowed.contains(t.id)) continue;
                Named& entry = named[t.id];
                if (entry.names.empty()) {
                    entry.rating = t.rating;
                    entry.title = std::move(t.title);
                    entry.fused = kNotFused;
                }
                if (entry.names.empty() || entry.names.back() != n) entry.names.push_back(n);
            }
        }
        for (size_t i = 0; i < fused.size(); ++i) {
            if (auto found = named.find(fused[i].first); found != named.end()) found->second.fused = i;
        }
    }

    // Tiers: more names before fewer; within one, the fused order, then what it did not reach.
    std::vector<std::pair<int64_t, const Named*>> tiered;
    tiered.reserve(named.size());
    for (const auto& [id, entry] : named) tiered.emplace_back(id, &entry);
    const auto before = [](const std::pair<int64_t, const Named*>& a, const std::pair<int64_t, const Named*>& b) {
        const Named& x = *a.second;
        const Named& y = *b.second;
        if (x.names.size() != y.names.size()) return x.names.size() > y.names.size();
        if (x.fused != y.fused) return x.fused < y.fused;  // kNotFused last
        if (x.rating != y.rating) return x.rating > y.rating;
        if (title_before(x.title, y.title)) return true;
        if (title_before(y.title, x.title)) return false;
        return a.first < b.first;
    };
    const size_t shown = std::min(options.limit, tiered.size());
    std::partial_sort(tiered.begin(), tiered.begin() + static_cast<std::ptrdiff_t>(shown), tiered.end(), before);
    for (size_t i = 0; i < shown; ++i) {
        ids.push_back(tiered[i].first);
        (*matched)[tiered[i].first] = tiered[i].second->names;
    }
    for (const auto& [id, score] : fused) {
        if (ids.size() >= options.limit) break;
        if (!named.contains(id)) ids.push_back(id);
    }
    return ids;
}

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
    result.names = names_in(store, query);
    std::unordered_map<int64_t, std::vector<size_t>> matched;
    const std::vector<int64_t> ids = names_first(store, result.names, fused, options, &matched);
    std::unordered_map<int64_t, double> score_of(fused.begin(), fused.end());
    for (TrackRow& row : track_rows(store, ids)) {
        SearchHit hit;
        if (const auto r = ranks.find(row.id); r != ranks.end()) {
            hit.score = score_of.at(row.id);
            hit.keyword_rank = r->second.keyword;
            hit.vector_rank = r->second.vector;
            hit.similarity = r->second.similarity;
        }
        if (const auto m = matched.find(row.id); m != matched.end()) hit.matched = m->second;
        hit.track = std::move(row);
        result.hits.push_back(std::move(hit));
    }
    return result;
}

}  // namespace pmx
