// The steps of the generate pipeline and the runner.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <numeric>
#include <stdexcept>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "embed/model_index.hpp"
#include "generate/genre_taxonomy.hpp"
#include "generate/parse_llm.hpp"
#include "generate/pipeline.hpp"
#include "generate/prompt_tags.hpp"
#include "generate/select_llm.hpp"
#include "plugin/provider.hpp"
#include "publish/playlist_publisher.hpp"
#include "store/playlist_store.hpp"
#include "store/store.hpp"
#include "store/tag_store.hpp"
#include "store/track_search.hpp"
#include "util/hash.hpp"
#include "util/text.hpp"
#include "vector/vector_index.hpp"

namespace pmx::gen {
namespace {

constexpr int64_t kSecondsPerDay = 24 * 60 * 60;
constexpr size_t kMaxNameBytes = 100;
constexpr double kDurationPoolMargin = 1.5;  // a duration is filled from a pool at least this much longer
constexpr size_t kDeepenFactor = 4;
constexpr size_t kMaxShortlistDepth = 5000;  // select ranks no deeper than this to fill its shortlist
constexpr size_t kSwapWindow = 5;            // tracks at the end of a duration fill that may be swapped
constexpr uint64_t kDefaultSeed = 0x706d78;  // "pmx"
constexpr std::string_view kDefaultName = "plexmix playlist";

// splitmix64: a fast, well-mixed 64-bit hash for seeded shuffles.
uint64_t mix(uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

uint64_t fnv1a(std::string_view text) { return pmx::fnv1a(kFnvOffsetBasis, text); }

double elapsed_ms(std::chrono::steady_clock::time_point since) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - since).count();
}

std::string trim(std::string_view text) {
    const size_t b = text.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos) return {};
    const size_t e = text.find_last_not_of(" \t\r\n");
    return std::string(text.substr(b, e - b + 1));
}

// The playlist's name: --name, else the prompt; one line, at most kMaxNameBytes (a prompt may be
// a page long: the whole prompt is kept with the playlist, the name is what a server shows).
std::string playlist_name(const std::optional<std::string>& given, std::string_view prompt) {
    std::string name = one_line(given ? *given : prompt, given ? kMaxPlaylistTitleBytes : kMaxNameBytes);
    return name.empty() ? std::string(kDefaultName) : name;
}

std::string stars(int64_t rating) {
    std::string text = std::to_string(rating / kRatingPerStar);
    if (rating % kRatingPerStar) text += ".5";
    return text + "★";
}

std::string minutes_text(int64_t ms) {
    const int64_t seconds = (ms + 500) / 1000;
    char text[32];
    std::snprintf(text, sizeof text, "%lld:%02lld", static_cast<long long>(seconds / 60),
                  static_cast<long long>(seconds % 60));
    return text;
}

std::string year_range_text(const YearRange& y) {
    if (y.first && y.last) return *y.first == *y.last ? std::to_string(*y.first)
                                                       : std::to_string(*y.first) + "–" + std::to_string(*y.last);
    if (y.first) return std::to_string(*y.first) + " or later";
    if (y.last) return std::to_string(*y.last) + " or earlier";
    return "any year";
}

std::vector<std::string> split_genres(std::string_view genres) {
    std::vector<std::string> out;
    while (!genres.empty()) {
        const size_t at = genres.find("; ");
        if (std::string name(genres.substr(0, at)); !name.empty()) out.push_back(std::move(name));
        if (at == std::string_view::npos) break;
        genres.remove_prefix(at + 2);
    }
    return out;
}

bool contains_nocase(const std::vector<std::string>& list, std::string_view value) {
    return std::any_of(list.begin(), list.end(), [&](const std::string& s) { return equal_ascii_nocase(s, value); });
}

int64_t now_seconds(const GenerateInput& input) {
    if (input.now) return *input.now;
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::vector<int64_t> server_ids(const GenerateServices& services) {
    std::vector<int64_t> ids;
    for (const auto& s : services.sources) ids.push_back(s.server_id);
    return ids;
}

// State of one run that the context does not expose.
struct Run {
    const PipelineSpec& pipeline;
    GenerateContext& ctx;
    GenerateServices& services;
    IndexCache& cache;
    std::unordered_map<int64_t, TrackDetail> details{};
    const vec::VectorIndex* index = nullptr;
    bool keywords = false;  // keyword_text has words for FTS
    std::string keyword_text{};  // the mood query, and the seeds' genres
    bool noted_unembedded = false;
    uint64_t seed = kDefaultSeed;
    bool parsed = false, filtered = false, retrieved = false;
    // The completer's choice, in its order (choice = 1, 2, ...), as offered; kept at the head of
    // the ranking however deep it is ranked again.
    std::vector<RankedTrack> llm_choice{};
    std::unordered_map<int64_t, std::string> reasons{};
    Store::Snapshot* snapshot = nullptr;  // what the steps read; publish ends it

    Store& store() { return *services.store; }

    const StepSpec& spec(StepKind kind) const {
        static const PipelineSpec defaults = default_generate_pipeline();
        const StepSpec* s = pipeline.find(kind);
        return s ? *s : *defaults.find(kind);
    }

    uint64_t seed_for(StepKind kind) const {
        if (ctx.input.seed) return *ctx.input.seed;
        if (const auto& s = spec(kind).seed) return *s;
        return seed;
    }

    void load_details(const std::vector<RankedTrack>& tracks) {
        std::vector<int64_t> missing;
        for (const auto& t : tracks) {
            if (!details.contains(t.id)) missing.push_back(t.id);
        }
        for (auto& d : track_details(store(), missing)) details.emplace(d.id, std::move(d));
    }

    // ---- parse -------------------------------------------------------------------------------

    void parse(bool use_prompt) {
        parsed = true;
        const auto ids = server_ids(services);
        const auto started = std::chrono::steady_clock::now();
        // The genre tree is read once per process; without it genres match by name only.
        std::string taxonomy_error;
        const GenreTaxonomy* taxonomy = installed_genre_taxonomy(&taxonomy_error);
        if (taxonomy == nullptr) {
            ctx.notes.push_back("genre words match only the library's own names: " + taxonomy_error);
        }
        Vocabulary vocab{genre_names(store(), ids), artist_names(store(), ids), taxonomy};
        vocab.has_title = [&](std::string_view title) { return mirror_has_title(store(), ids, title); };
        ctx.timings.emplace_back("vocabulary", elapsed_ms(started));
        PlaylistRequest request;
        if (use_prompt) {
            request = parse_prompt(ctx.input.prompt, vocab, now_seconds(ctx.input));
            if (ctx.input.llm_parse || spec(StepKind::parse).llm_parse) read_with_llm(request, vocab);
        } else {
            request.mood_query = trim(ctx.input.prompt);
        }
        ctx.request = apply_overrides(std::move(request), ctx.input.options, vocab);
        if (ctx.input.strict && (!ctx.request.notes.empty() || !ctx.request.unparsed.empty())) {
            std::vector<std::string> problems = ctx.request.notes;
            for (const auto& phrase : ctx.request.unparsed) problems.push_back("not read: \"" + phrase + "\"");
            throw PromptError("--strict: the prompt states what cannot be applied: " + join(problems, "; "));
        }
        for (const auto& note : ctx.request.notes) ctx.notes.push_back("not applied: " + note);
        if (!ctx.request.unparsed.empty()) {
            std::vector<std::string> quoted;
            for (const auto& phrase : ctx.request.unparsed) quoted.push_back("\"" + phrase + "\"");
            ctx.notes.push_back("not read as a filter, kept as mood words: " + join(quoted));
        }
        ctx.seeds = resolve_seeds(store(), ids, ctx.request.seeds, ctx.notes);
        ctx.target_count = ctx.request.track_count;
        ctx.target_seconds = ctx.request.duration_seconds;
        if (ctx.target_count > 0 && ctx.target_seconds > 0) {
            ctx.notes.push_back("both a track count and a duration were asked: the count (" +
                                std::to_string(ctx.target_count) + ") is kept exactly");
            ctx.target_seconds = 0;
        }
        if (ctx.target_count == 0 && ctx.target_seconds == 0) ctx.target_count = kDefaultTrackCount;
        ctx.name = playlist_name(ctx.input.name, ctx.input.prompt);
        seed = mix(fnv1a(ctx.input.prompt));
    }

    // The completer's reading of the prompt merged over the rule parser's `request`; when it
    // cannot be had, `request` stays and a note says why.
    void read_with_llm(PlaylistRequest& request, const Vocabulary& vocab) {
        LlmReading& reading = ctx.reading;
        if (!ctx.input.llm) {
            reading.reason = "turned off for this run (--no-llm)";
        } else if (!services.completer) {
            reading.reason = "no completer configured (use: { completer: ... })";
        }
        if (!reading.reason.empty()) {
            ctx.notes.push_back("parse: the LLM reading of the prompt was asked for, but " + reading.reason +
                                ": the rule parser's reading is used");
            return;
        }
        Provider& completer = *services.completer;
        reading.provider = completer.name();
        const auto started = std::chrono::steady_clock::now();
        const LlmParse r = read_with_completer(completer, ctx.input.prompt, vocab, request, now_seconds(ctx.input),
                                               &reading.usage);
        ctx.timings.emplace_back("llm parse", elapsed_ms(started));
        reading.asked = r.usage.requests > 0;
        reading.model = r.model;
        reading.repaired = r.repaired;
        if (services.config && reading.asked) reading.priced = llm::priced(*services.config, reading.usage);
        if (r.status == PMX_CANCELLED) throw std::runtime_error("interrupted while " + completer.name() + " was reading the prompt");
        if (!r.ok()) {
            reading.reason = r.error;
            ctx.notes.push_back("parse: the completer " + completer.name() + " did not read the prompt (" + r.error +
                                "): the rule parser's reading is used");
            return;
        }
        reading.used = true;
        reading.dropped = r.notes;
        for (const auto& dropped : r.notes) ctx.notes.push_back("parse: the completer's reading: " + dropped);
        request = merge_readings(request, r.request, reading.disagreements);
    }

    // ---- filter ------------------------------------------------------------------------------

    void filter(bool use_request) {
        if (!parsed) parse(false);
        filtered = true;
        TrackFilter f;
        f.server_ids = server_ids(services);
        const PlaylistRequest& r = ctx.request;
        std::vector<std::string>& phrases = ctx.filters;
        if (use_request) {
            for (const auto& y : r.years) f.years.push_back({y.first, y.last});
            f.genres = r.genres;
            f.exclude_genres = r.exclude_genres;
            f.artists = r.artists;
            f.exclude_artists = r.exclude_artists;
            f.min_rating = r.min_rating;
            if (r.favourites) f.favourite_rating = kFavouriteRating;
            f.exclude_live = r.exclude_live;
            f.unplayed = r.unplayed;
            if (r.avoid_recent_days > 0) {
                f.played_before = now_seconds(ctx.input) - static_cast<int64_t>(r.avoid_recent_days) * kSecondsPerDay;
            }
            if (r.not_played_since > 0) {
                f.played_before = std::min(f.played_before.value_or(r.not_played_since), r.not_played_since);
            }
            if (r.played_since > 0) f.played_since = r.played_since;
            if (!r.years.empty()) {
                std::vector<std::string> ranges;
                for (const auto& y : r.years) ranges.push_back(year_range_text(y));
                phrases.push_back("years " + join(ranges));
            }
            if (!r.genres.empty()) phrases.push_back("genres " + join(r.genres, " or "));
            if (!r.exclude_genres.empty()) phrases.push_back("no " + join(r.exclude_genres, ", no "));
            if (!r.artists.empty()) phrases.push_back("by " + join(r.artists, " or "));
            if (!r.exclude_artists.empty()) phrases.push_back("not by " + join(r.exclude_artists, ", "));
            if (r.min_rating > 0) phrases.push_back("rated " + stars(r.min_rating) + " or more");
            if (r.favourites) phrases.push_back("favourites (flagged, or rated " + stars(kFavouriteRating) + " or more)");
            if (r.exclude_live) phrases.push_back("no live recordings");
            if (r.unplayed) phrases.push_back("never played");
            if (r.avoid_recent_days > 0) {
                phrases.push_back("not played in the last " + std::to_string(r.avoid_recent_days) + " days");
            }
            if (r.not_played_since > 0) phrases.push_back("not played since " + local_day_text(r.not_played_since));
            if (r.played_since > 0) phrases.push_back("played since " + local_day_text(r.played_since));
        }
        ctx.candidates = filter_tracks(store(), f);
        if (use_request) filter_by_tags();
        if (ctx.candidates.empty()) ctx.notes.push_back("no track of the mirror passes the filters");
    }

    // "only piano", "no vocals": by the tracks' active LLM tags, when the library has any.
    void filter_by_tags() {
        std::vector<std::pair<std::string, std::string>> only, excluded;
        std::vector<std::string> words;
        for (const TagWord& t : ctx.request.tags) {
            if (t.use == TagWord::Use::rank) continue;
            (t.use == TagWord::Use::only ? only : excluded).emplace_back(t.facet, t.term);
            words.push_back("\"" + describe(t) + "\"");
        }
        if (only.empty() && excluded.empty()) return;
        TagStore tags(store());
        if (!tags.any_tags()) {
            const std::string note = join(words) + " needs tags, and no track has any yet (run 'plexmix tags generate')";
            if (ctx.input.strict) throw PromptError("--strict: the prompt states what cannot be applied: " + note);
            ctx.notes.push_back("not applied: " + note);
            return;
        }
        std::vector<int64_t> ids;
        ids.reserve(ctx.candidates.size());
        for (const auto& c : ctx.candidates) ids.push_back(c.id);  // sorted by id (filter_tracks)
        const auto has_only = tags.tracks_with_terms(ids, only);
        const auto has_excluded = tags.tracks_with_terms(ids, excluded);
        std::erase_if(ctx.candidates, [&](const Candidate& c) {
            if (!only.empty()) {
                const auto it = has_only.find(c.id);
                if (it == has_only.end() || it->second.size() < only.size()) return true;  // every "only" term
            }
            return has_excluded.contains(c.id);
        });
        std::vector<std::string> only_terms, excluded_terms;
        for (const auto& o : only) only_terms.push_back(o.second);
        for (const auto& e : excluded) excluded_terms.push_back(e.second);
        if (!only_terms.empty()) ctx.filters.push_back("tagged " + join(only_terms, " and "));
        if (!excluded_terms.empty()) ctx.filters.push_back("not tagged " + join(excluded_terms, " or "));
    }

    // The candidates tagged with the prompt's ranking tag words (ctx.tag_matches).
    void match_tags() {
        ctx.tag_matches.clear();
        std::vector<std::pair<std::string, std::string>> terms;
        for (const TagWord& t : ctx.request.tags) {
            if (t.use == TagWord::Use::rank) terms.emplace_back(t.facet, t.term);
        }
        if (terms.empty()) return;
        std::vector<int64_t> ids;
        ids.reserve(ctx.candidates.size());
        for (const auto& c : ctx.candidates) ids.push_back(c.id);
        const auto started = std::chrono::steady_clock::now();
        ctx.tag_matches = TagStore(store()).tracks_with_terms(ids, terms);
        ctx.timings.emplace_back("tags", elapsed_ms(started));
    }

    // Tracks tagged with more of the prompt's tag words first; within a count the ranking's
    // order, then matching tracks the ranking had not reached (by rating).
    void promote_tag_matches(std::unordered_set<int64_t>& placed) {
        if (ctx.tag_matches.empty()) return;
        size_t most = 0;
        for (const auto& [id, terms] : ctx.tag_matches) most = std::max(most, terms.size());
        std::vector<RankedTrack> ranking;
        ranking.reserve(ctx.ranking.size() + ctx.tag_matches.size());
        const auto count_of = [&](int64_t id) {
            const auto it = ctx.tag_matches.find(id);
            return it == ctx.tag_matches.end() ? size_t{0} : it->second.size();
        };
        for (size_t count = most; count > 0; --count) {
            for (const RankedTrack& t : ctx.ranking) {
                if (count_of(t.id) == count) ranking.push_back(t);
            }
            std::vector<Candidate> unreached;
            for (const auto& c : ctx.candidates) {
                if (!placed.contains(c.id) && count_of(c.id) == count) unreached.push_back(c);
            }
            std::sort(unreached.begin(), unreached.end(), [](const Candidate& a, const Candidate& b) {
                return a.rating != b.rating ? a.rating > b.rating : a.id < b.id;
            });
            for (const Candidate& c : unreached) {
                RankedTrack t;
                t.id = c.id;
                ranking.push_back(t);
                placed.insert(c.id);
            }
        }
        for (const RankedTrack& t : ctx.ranking) {
            if (count_of(t.id) == 0) ranking.push_back(t);
        }
        ctx.ranking = std::move(ranking);
    }

    // ---- retrieve ----------------------------------------------------------------------------

    // Sets up the ranking source (vectors, keywords or none), then ranks `depth` deep.
    void retrieve() {
        if (!filtered) filter(false);
        retrieved = true;
        const StepSpec& s = spec(StepKind::retrieve);
        const std::string mood = trim(ctx.request.mood_query);
        leave_out_track_seeds();
        // Without vectors, seeds rank by their genres as keywords.
        keyword_text = mood;
        if (!ctx.seeds.empty()) keyword_text = trim(keyword_text + " " + seed_genres());
        keywords = !fts_any_word_query(keyword_text).empty();
        std::string fallback = keywords ? "keyword matches, then rating" : "rating";
        if (mood.empty() && ctx.seeds.empty()) {
            ctx.ranking_method = "rating, then shuffled";
            ctx.notes.push_back("no mood words in the prompt: tracks ranked by rating, ties shuffled (seed " +
                                std::to_string(seed_for(StepKind::retrieve)) + ")");
        } else if (!services.embedder) {
            ctx.ranking_method = fallback;
            ctx.notes.push_back("no embedder configured (use: { embedder: ... }): ranked by " + fallback);
        } else {
            setup_vectors(mood, fallback);
        }
        match_tags();
        if (!ctx.tag_matches.empty()) ctx.ranking_method = "tags, then " + ctx.ranking_method;
        size_t want = static_cast<size_t>(ctx.target_count);
        if (ctx.target_seconds > 0) want = static_cast<size_t>(ctx.target_seconds / 60);  // a track a minute, at most
        rank(std::max(s.depth, kDepthPerTrack * want));
        ctx.deepen = [this](size_t depth) { rank(depth); };
    }

    void setup_vectors(const std::string& mood, const std::string& fallback) {
        Provider& embedder = *services.embedder;
        EmbedderInfo info;
        const CallResult r = embedder.embedder_info(&info);
        EmbeddingStore embeddings(store());
        const auto model = r.ok() ? embeddings.find_model(info.model) : std::nullopt;
        if (!r.ok()) {
            ctx.notes.push_back("embedder " + embedder.name() + " failed (" + status_name(r.status) +
                                (r.message.empty() ? "" : ": " + r.message) + "): ranked by " + fallback);
        } else if (!model || model->dim != info.dimension || model->last_seq == 0) {
            ctx.notes.push_back("no vectors of model " + info.model +
                                " yet (run 'plexmix embeddings generate'): ranked by " + fallback);
        } else {
            std::vector<float> q;
            CallResult e;
            if (!mood.empty()) {
                const auto started = std::chrono::steady_clock::now();
                e = embedder.embed({mood}, PMX_EMBED_QUERY, &q);
                ctx.timings.emplace_back("embed query", elapsed_ms(started));
            }
            if (e.ok() && !ctx.seeds.empty()) {
                const auto seeding = std::chrono::steady_clock::now();
                q = with_seeds(*model, std::move(q));
                ctx.timings.emplace_back("seed vectors", elapsed_ms(seeding));
                if (q.empty()) {
                    ctx.notes.push_back("the seeds' tracks have no vectors of model " + info.model +
                                        " yet (run 'plexmix embeddings generate'): ranked by " + fallback);
                    ctx.ranking_method = fallback;
                    return;
                }
            }
            if (!e.ok() || q.size() != model->dim) {
                ctx.notes.push_back("could not embed the mood query with " + embedder.name() + " (" +
                                    status_name(e.status) + (e.message.empty() ? "" : ": " + e.message) +
                                    "): ranked by " + fallback);
            } else {
                const auto loading = std::chrono::steady_clock::now();
                index = &cache.get(store(), *model, services.index_dir, &ctx.notes);
                ctx.timings.emplace_back("index", elapsed_ms(loading));
                if (index->size() == 0) {  // every vector was cleared since
                    index = nullptr;
                    ctx.notes.push_back("no vectors of model " + info.model +
                                        " (run 'plexmix embeddings generate'): ranked by " + fallback);
                    ctx.ranking_method = fallback;
                    return;
                }
                ctx.model = model;
                ctx.query_vector = std::move(q);
                ctx.ranking_method = "similarity (" + model->name + ")";
                if (!ctx.seeds.empty()) ctx.ranking_method += mood.empty() ? " to the seeds" : " to the seeds and the mood words";
                return;
            }
        }
        ctx.ranking_method = fallback;
    }

    // The query from the seeds: their vectors' mean, and half the mood words' when there are
    // some (`mood`, empty when none). Empty when no seed track has a vector.
    std::vector<float> with_seeds(const EmbeddingModel& model, std::vector<float> mood) {
        std::vector<float> q = seed_vector(store(), model, ctx.seeds);
        if (q.empty() || mood.size() != q.size()) return q;
        double norm = 0;
        for (size_t d = 0; d < q.size(); ++d) {
            q[d] += mood[d];
            norm += static_cast<double>(q[d]) * q[d];
        }
        norm = std::sqrt(norm);
        if (norm > 0) {
            for (float& x : q) x = static_cast<float>(x / norm);
        }
        return q;
    }

    // "songs like Hey Jude": Hey Jude itself (each version) is not one of them.
    void leave_out_track_seeds() {
        std::unordered_set<int64_t> seeds;
        for (const SeedUse& s : ctx.seeds) {
            if (s.is_track) seeds.insert(s.tracks.begin(), s.tracks.end());
        }
        if (seeds.empty()) return;
        std::erase_if(ctx.candidates, [&](const Candidate& c) { return seeds.contains(c.id); });
    }

    // The genres most of the seeds' tracks have, as keywords ("Rock Pop"), at most three.
    std::string seed_genres() {
        std::vector<RankedTrack> tracks;
        for (const SeedUse& s : ctx.seeds) {
            for (const int64_t id : s.tracks) {
                RankedTrack t;
                t.id = id;
                tracks.push_back(t);
            }
        }
        load_details(tracks);
        std::unordered_map<std::string, size_t> counts;
        for (const RankedTrack& t : tracks) {
            const auto it = details.find(t.id);
            if (it == details.end()) continue;
            for (const auto& g : split_genres(it->second.genres)) ++counts[g];
        }
        std::vector<std::pair<std::string, size_t>> sorted(counts.begin(), counts.end());
        std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
            return a.second != b.second ? a.second > b.second : a.first < b.first;
        });
        constexpr size_t kSeedGenreWords = 3;
        std::string words;
        for (size_t i = 0; i < sorted.size() && i < kSeedGenreWords; ++i) words += (i ? " " : "") + sorted[i].first;
        return words;
    }

    void rank(size_t depth) {
        const size_t n = ctx.candidates.size();
        depth = std::min(depth, n);
        ctx.ranking.clear();
        std::unordered_set<int64_t> placed;
        std::vector<int64_t> ids;
        ids.reserve(n);
        for (const auto& c : ctx.candidates) ids.push_back(c.id);
        if (index) {
            const auto searching = std::chrono::steady_clock::now();
            const auto hits = index->search(ctx.query_vector, depth, &ids);
            ctx.timings.emplace_back("vector search", elapsed_ms(searching));
            for (const auto& hit : hits) {
                RankedTrack t;
                t.id = hit.id;
                t.similarity = hit.score;
                ctx.ranking.push_back(t);
                placed.insert(hit.id);
            }
            if (hits.size() < depth) {
                const size_t without = static_cast<size_t>(
                    std::count_if(ids.begin(), ids.end(), [&](int64_t id) { return !index->contains(id); }));
                if (without > 0 && !noted_unembedded) {
                    noted_unembedded = true;
                    ctx.notes.push_back(std::to_string(without) +
                                        " matching tracks have no vector yet (run 'plexmix embeddings generate'): "
                                        "ranked after the others, by rating");
                }
            }
        } else if (keywords) {
            size_t k = 0;
            for (const int64_t id : keyword_search(store(), keyword_text, depth, &ids)) {
                RankedTrack t;
                t.id = id;
                t.keyword_rank = ++k;
                ctx.ranking.push_back(t);
                placed.insert(id);
            }
        }
        if (ctx.ranking.size() < depth) {
            // The rest: by rating (unrated last), ties in a seeded random order.
            const uint64_t s = seed_for(StepKind::retrieve);
            std::vector<Candidate> rest;
            for (const auto& c : ctx.candidates) {
                if (!placed.contains(c.id)) rest.push_back(c);
            }
            const size_t take = std::min(rest.size(), depth - ctx.ranking.size());
            auto better = [s](const Candidate& a, const Candidate& b) {
                if (a.rating != b.rating) return a.rating > b.rating;
                const uint64_t ha = mix(s ^ static_cast<uint64_t>(a.id)), hb = mix(s ^ static_cast<uint64_t>(b.id));
                return ha != hb ? ha < hb : a.id < b.id;
            };
            std::partial_sort(rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(take), rest.end(), better);
            for (size_t i = 0; i < take; ++i) {
                RankedTrack t;
                t.id = rest[i].id;
                ctx.ranking.push_back(t);
            }
        }
        promote_tag_matches(placed);
        for (size_t i = 0; i < ctx.ranking.size(); ++i) {
            // Candidates are sorted by id (filter_tracks).
            const auto it = std::lower_bound(ctx.candidates.begin(), ctx.candidates.end(), ctx.ranking[i].id,
                                             [](const Candidate& c, int64_t id) { return c.id < id; });
            ctx.ranking[i].rank = i + 1;
            ctx.ranking[i].rating = it != ctx.candidates.end() && it->id == ctx.ranking[i].id ? it->rating : -1;
        }
        put_choice_first();
        ctx.ranking_complete = ctx.ranking.size() == n;
        ctx.pool.clear();
        ctx.diversified = false;
    }

    // ---- select ------------------------------------------------------------------------------

    // Where the choice goes: after retrieve, before diversify. The completer is offered the pool
    // diversify would make (the ranking under the caps, no second track of a title and artist),
    // so every track it names keeps the caps; its choice then becomes the head of the ranking,
    // and the diversify step, the cut to the count or duration and the order step run over that
    // ranking as over any other. The caps, the count and the duration thus hold after the choice
    // by the code that holds them without it, and a short choice is topped up from the
    // retrieval ranking that follows it. Ranking deeper later keeps the choice at the head
    // (put_choice_first). Choosing after diversify instead would leave the cut and the caps to
    // a second pass of their own.
    void select() {
        if (!retrieved) retrieve();
        Selection& sel = ctx.selection;
        sel.reason = llm_off_reason();
        if (!sel.reason.empty()) return;
        Provider& completer = *services.completer;
        sel.provider = completer.name();

        // The shortlist, best first. What diversify says while making it, it says again when it runs.
        const size_t notes_before = ctx.notes.size();
        int artist_cap = 0, album_cap = 0;
        if (pipeline.find(StepKind::diversify)) {
            std::tie(artist_cap, album_cap) = caps();
            diversify(kMaxOfferedCandidates);
        } else {
            load_details(ctx.ranking);
            ctx.pool = ctx.ranking;
        }
        const std::vector<RankedTrack> shortlist(
            ctx.pool.begin(), ctx.pool.begin() + static_cast<std::ptrdiff_t>(std::min(ctx.pool.size(), kMaxOfferedCandidates)));
        ctx.notes.resize(notes_before);
        ctx.pool.clear();
        ctx.diversified = false;
        ctx.capped_artist = ctx.capped_album = ctx.duplicates = 0;
        if (shortlist.empty()) {
            sel.reason = "no candidate to choose from";
            return;
        }

        std::vector<int64_t> ids;
        ids.reserve(shortlist.size());
        for (const auto& t : shortlist) ids.push_back(t.id);
        const auto tags = TagStore(store()).active_tags(ids);
        std::vector<SelectCandidate> offered;
        offered.reserve(shortlist.size());
        for (const auto& t : shortlist) {
            SelectCandidate c;
            c.track = &details.at(t.id);
            if (const auto it = tags.find(t.id); it != tags.end()) {
                for (const auto* list : {&it->second.moods, &it->second.environments, &it->second.instruments}) {
                    c.tags.insert(c.tags.end(), list->begin(), list->end());
                }
            }
            offered.push_back(std::move(c));
        }
        SelectAsk ask;
        ask.prompt = ctx.input.prompt;
        ask.target_count = ctx.target_count;
        ask.target_seconds = ctx.target_seconds;
        ask.per_artist = artist_cap;
        ask.per_album = album_cap;

        const auto started = std::chrono::steady_clock::now();
        const SelectResult r = select_with_completer(completer, ask, offered, &sel.usage);
        ctx.timings.emplace_back("llm call", elapsed_ms(started));
        sel.asked = r.usage.requests > 0;
        sel.model = r.model;
        sel.offered = r.offered;
        sel.invented = r.invented;
        sel.repeated = r.repeated;
        sel.repaired = r.repaired;
        if (services.config && sel.asked) sel.priced = llm::priced(*services.config, sel.usage);
        if (r.status == PMX_CANCELLED) {
            // Interrupted: no playlist is made from half a run.
            throw std::runtime_error("interrupted while " + completer.name() + " was choosing the tracks");
        }
        if (!r.ok()) {
            sel.reason = r.error;
            ctx.notes.push_back("select: the completer " + completer.name() + " did not choose (" + r.error +
                                "): the playlist follows the retrieval ranking");
            return;
        }
        sel.used = true;
        sel.chosen = r.picks.size();
        std::unordered_map<int64_t, const RankedTrack*> by_id;
        for (const auto& t : shortlist) by_id.emplace(t.id, &t);
        llm_choice.clear();
        for (const SelectPick& pick : r.picks) {
            RankedTrack t = *by_id.at(pick.id);
            t.choice = llm_choice.size() + 1;
            llm_choice.push_back(t);
            reasons[pick.id] = pick.reason;
        }
        put_choice_first();
        if (r.invented + r.repeated > 0) {
            const auto noun = [](size_t n) { return std::string(n == 1 ? "id" : "ids"); };
            std::vector<std::string> dropped;
            if (r.invented > 0) dropped.push_back(std::to_string(r.invented) + " " + noun(r.invented) + " not among the candidates");
            if (r.repeated > 0) dropped.push_back(std::to_string(r.repeated) + " repeated " + noun(r.repeated));
            ctx.notes.push_back("select: the completer's answer held " + join(dropped, " and ") + ": dropped");
        }
    }

    // Why the completer does not choose in this run; "" when it does.
    std::string llm_off_reason() const {
        if (!ctx.input.llm) return "turned off for this run (--no-llm)";
        if (!spec(StepKind::select).llm) return "turned off in the pipeline (select: { llm: false })";
        if (!services.completer) return "no completer configured (use: { completer: ... })";
        return {};
    }

    // The completer's choice at the head of the ranking, in its order; the rest as ranked.
    void put_choice_first() {
        if (llm_choice.empty()) return;
        std::unordered_map<int64_t, size_t> place;
        for (size_t i = 0; i < llm_choice.size(); ++i) place.emplace(llm_choice[i].id, i);
        std::vector<RankedTrack> head = llm_choice, rest;
        rest.reserve(ctx.ranking.size());
        for (const RankedTrack& t : ctx.ranking) {
            const auto it = place.find(t.id);
            if (it == place.end()) {
                rest.push_back(t);
                continue;
            }
            head[it->second] = t;  // as ranked now (rank, similarity), at its place in the choice
            head[it->second].choice = it->second + 1;
        }
        head.insert(head.end(), rest.begin(), rest.end());
        ctx.ranking = std::move(head);
    }

    // ---- diversify ---------------------------------------------------------------------------

    bool pool_enough(const std::vector<RankedTrack>& pool) {
        if (ctx.target_seconds > 0) {
            int64_t ms = 0;
            for (const auto& t : pool) ms += details.at(t.id).duration_ms.value_or(0);
            return static_cast<double>(ms) >= kDurationPoolMargin * ctx.target_seconds * 1000.0;
        }
        return pool.size() >= static_cast<size_t>(ctx.target_count);
    }

    // The pool alone can make the target: the count, or the duration within its tolerance.
    bool pool_reaches_target(const std::vector<RankedTrack>& pool) {
        if (ctx.target_seconds > 0) {
            int64_t ms = 0;
            for (const auto& t : pool) ms += details.at(t.id).duration_ms.value_or(0);
            return static_cast<double>(ms) >= (1.0 - kDurationTolerance) * ctx.target_seconds * 1000.0;
        }
        return pool.size() >= static_cast<size_t>(ctx.target_count);
    }

    // The caps of this run: the prompt's replace the diversify step's.
    std::pair<int, int> caps() const {
        const StepSpec& s = spec(StepKind::diversify);
        return {ctx.request.per_artist > 0 ? ctx.request.per_artist : s.per_artist,
                ctx.request.per_album > 0 ? ctx.request.per_album : s.per_album};
    }

    // Ranks deeper until the pool under the caps reaches the target or every candidate is
    // ranked; for select's shortlist also until it holds `at_least` tracks, as long as the
    // ranking is shallower than kMaxShortlistDepth (a few artists with many tracks would
    // otherwise rank every candidate for a longer list).
    void diversify(size_t at_least = 0) {
        if (!retrieved) retrieve();
        const StepSpec& s = spec(StepKind::diversify);
        const auto [artist_cap, album_cap] = caps();
        for (;;) {
            load_details(ctx.ranking);
            build_pool(artist_cap, album_cap);
            const bool shortlist_short = ctx.pool.size() < at_least && ctx.ranking.size() < kMaxShortlistDepth;
            if ((pool_enough(ctx.pool) && !shortlist_short) || ctx.ranking_complete) break;
            rank(std::max(ctx.ranking.size() * kDeepenFactor, ctx.ranking.size() + 1));
        }
        relax_caps(artist_cap, album_cap, s);
        ctx.diversified = true;
    }

    // The pool: the ranking under the caps (0: none), without a second track of the same title
    // and artist, of the same title on an album of the same name and album artist, or of the same
    // MusicBrainz recording (the same recording on two servers). Artists asked for by name are capped by no cap the prompt does not state:
    // "40 songs by X" means 40 songs by X.
    void build_pool(int artist_cap, int album_cap) { build_pool(artist_cap, album_cap, ctx.ranking); }

    // The artist a cap counts: the credit before "feat." ("Young Jinx feat. Lil Brixx" is Young
    // Jinx), lower case.
    static std::string cap_artist(const std::string& credit) {
        std::string artist = ascii_lower(trim(credit));
        for (const std::string_view mark : {" feat. ", " feat ", " ft. ", " ft ", " featuring ", " (feat. ", " (ft. "}) {
            if (const size_t at = artist.find(mark); at != std::string::npos && at > 0) artist.resize(at);
        }
        return trim(artist);
    }

    void build_pool(int artist_cap, int album_cap, const std::vector<RankedTrack>& ranking) {
        std::unordered_set<std::string> named;
        for (const auto& artist : ctx.request.artists) named.insert(ascii_lower(trim(artist)));
        ctx.pool.clear();
        ctx.capped_artist = ctx.capped_album = ctx.duplicates = 0;
        std::unordered_map<std::string, int> per_artist;
        std::unordered_map<int64_t, int> per_album;
        std::unordered_set<std::string> seen;
        for (const auto& t : ranking) {
            const TrackDetail& d = details.at(t.id);
            const std::string artist = cap_artist(d.artist);
            const std::string key = ascii_lower(trim(d.title)) + '\x1f' + ascii_lower(trim(d.artist));
            // The same recording on another server may credit its artists differently ("A feat. B",
            // "A, B"): its MusicBrainz id, or its title on the album of the same album artist.
            const std::string recording = d.recording_mbid.empty() ? std::string() : "mbid\x1f" + d.recording_mbid;
            const std::string on_album = d.album.empty() ? std::string()
                                                         : "album\x1f" + ascii_lower(trim(d.title)) + '\x1f' +
                                                               ascii_lower(trim(d.album)) + '\x1f' +
                                                               ascii_lower(trim(d.album_artist));
            if (seen.contains(key) || (!recording.empty() && seen.contains(recording)) ||
                (!on_album.empty() && seen.contains(on_album))) {
                ++ctx.duplicates;
                continue;
            }
            // A cap the prompt states holds for named artists too ("by X, max 2 per album").
            const bool is_named = named.contains(ascii_lower(trim(d.artist))) || named.contains(artist) ||
                                  named.contains(ascii_lower(trim(d.album_artist)));
            const bool free_artist = is_named && ctx.request.per_artist == 0;
            const bool free_album = is_named && ctx.request.per_album == 0;
            if (!free_artist && artist_cap > 0 && per_artist[artist] >= artist_cap) {
                ++ctx.capped_artist;
                continue;
            }
            if (!free_album && album_cap > 0 && d.album_id && per_album[*d.album_id] >= album_cap) {
                ++ctx.capped_album;
                continue;
            }
            seen.insert(key);
            if (!recording.empty()) seen.insert(recording);
            if (!on_album.empty()) seen.insert(on_album);
            ++per_artist[artist];
            if (d.album_id) ++per_album[*d.album_id];
            ctx.pool.push_back(t);
        }
    }

    // Every candidate is ranked and the caps left too few: caps that nobody stated (neither
    // the prompt nor the config's diversify step) are raised one step at a time, so the tracks
    // let in are spread over the artists and albums, until the target is met: the default caps
    // are for variety, never a reason to come short.
    void relax_caps(int artist_cap, int album_cap, const StepSpec& s) {
        if (pool_reaches_target(ctx.pool) || ctx.capped_artist + ctx.capped_album == 0) return;
        const auto stated = [&](std::string_view key) {
            return std::find(s.option_keys.begin(), s.option_keys.end(), key) != s.option_keys.end();
        };
        const bool raise_artist = artist_cap > 0 && ctx.request.per_artist == 0 && !stated("per_artist");
        const bool raise_album = album_cap > 0 && ctx.request.per_album == 0 && !stated("per_album");
        if (!raise_artist && !raise_album) return;
        const size_t before = ctx.pool.size();
        const std::vector<RankedTrack> capped = ctx.pool;
        const size_t capped_artist = ctx.capped_artist, capped_album = ctx.capped_album;
        if (ctx.target_seconds > 0) {
            // A length: the caps may hold with the longer tracks of each artist and album.
            std::vector<RankedTrack> longest_first = ctx.ranking;
            std::stable_sort(longest_first.begin(), longest_first.end(), [&](const RankedTrack& x, const RankedTrack& y) {
                return details.at(x.id).duration_ms.value_or(0) > details.at(y.id).duration_ms.value_or(0);
            });
            build_pool(artist_cap, album_cap, longest_first);
            if (pool_reaches_target(ctx.pool)) {
                std::sort(ctx.pool.begin(), ctx.pool.end(), ranks_before<RankedTrack>);
                ctx.capped_artist = capped_artist;
                ctx.capped_album = capped_album;
                ctx.notes.push_back("few tracks qualify for the length within the caps: the longer ones were chosen");
                return;
            }
            ctx.pool = capped;
        }
        int a = artist_cap, b = album_cap;  // the caps that last let more in
        for (size_t size = before; !pool_reaches_target(ctx.pool);) {
            build_pool(raise_artist ? a + 1 : a, raise_album ? b + 1 : b);
            if (ctx.pool.size() == size) break;  // raising lets nothing more in
            size = ctx.pool.size();
            if (raise_artist) ++a;
            if (raise_album) ++b;
        }
        // The counts say what the asked (or default) caps left out.
        ctx.capped_artist = capped_artist;
        ctx.capped_album = capped_album;
        if (ctx.pool.size() <= before) {
            ctx.pool = capped;
            return;
        }
        std::vector<std::string> raised;
        if (raise_artist && a != artist_cap) raised.push_back(std::to_string(a) + " per artist");
        if (raise_album && b != album_cap) raised.push_back(std::to_string(b) + " per album");
        ctx.notes.push_back("too few artists and albums qualify for the default caps: raised to " + join(raised) +
                            " to reach the target");
    }

    // ---- the cut to the target ---------------------------------------------------------------

    // " within the caps (2 per artist)": when caps left tracks out of a short playlist.
    std::string within_caps() const {
        if (!ctx.diversified || ctx.capped_artist + ctx.capped_album == 0) return "";
        const StepSpec& s = spec(StepKind::diversify);
        std::vector<std::string> caps;
        const int artist_cap = ctx.request.per_artist > 0 ? ctx.request.per_artist : s.per_artist;
        const int album_cap = ctx.request.per_album > 0 ? ctx.request.per_album : s.per_album;
        if (ctx.capped_artist > 0) caps.push_back(std::to_string(artist_cap) + " per artist");
        if (ctx.capped_album > 0) caps.push_back(std::to_string(album_cap) + " per album");
        return " within the caps (" + join(caps) + ")";
    }

    void fit() {
        if (ctx.fitted) return;
        if (!retrieved) retrieve();
        if (!ctx.diversified) {
            // No diversify step: the ranking as it is, deep enough for the target.
            for (;;) {
                load_details(ctx.ranking);
                if (pool_enough(ctx.ranking) || ctx.ranking_complete) break;
                rank(std::max(ctx.ranking.size() * kDeepenFactor, ctx.ranking.size() + 1));
            }
            ctx.pool = ctx.ranking;
        }
        ctx.fitted = true;
        const auto& pool = ctx.pool;
        std::vector<const RankedTrack*> chosen;
        if (ctx.target_seconds > 0) {
            chosen = fill_duration(pool);
        } else {
            const size_t n = std::min(pool.size(), static_cast<size_t>(ctx.target_count));
            for (size_t i = 0; i < n; ++i) chosen.push_back(&pool[i]);
            if (n < static_cast<size_t>(ctx.target_count)) {
                ctx.short_of_target = true;
                ctx.notes.push_back("only " + std::to_string(n) + " tracks match (" +
                                    std::to_string(ctx.target_count) + " asked)" + within_caps());
            }
        }
        std::vector<int64_t> chosen_ids;
        for (const RankedTrack* t : chosen) chosen_ids.push_back(t->id);
        const auto tags = TagStore(store()).active_tags(chosen_ids);
        for (const RankedTrack* t : chosen) {
            PlaylistEntry e;
            e.track = details.at(t->id);
            e.rank = t->rank;
            e.choice = t->choice;
            if (const auto it = reasons.find(t->id); it != reasons.end()) e.reason = it->second;
            e.similarity = t->similarity;
            e.passed = passed(e.track);
            if (const auto it = tags.find(t->id); it != tags.end()) {
                for (const auto* list : {&it->second.moods, &it->second.environments, &it->second.instruments}) {
                    e.tags.insert(e.tags.end(), list->begin(), list->end());
                }
            }
            if (const auto it = ctx.tag_matches.find(t->id); it != ctx.tag_matches.end()) e.matched_tags = it->second;
            ctx.tracks.push_back(std::move(e));
        }
        ctx.ordered_by = "rank";
        if (ctx.selection.used) count_top_up();
    }

    // How much of the playlist the completer chose, and the note when the retrieval ranking had
    // to add to it.
    void count_top_up() {
        Selection& sel = ctx.selection;
        sel.in_playlist = static_cast<size_t>(
            std::count_if(ctx.tracks.begin(), ctx.tracks.end(), [](const PlaylistEntry& e) { return e.choice != 0; }));
        sel.topped_up = ctx.tracks.size() - sel.in_playlist;
        if (sel.topped_up == 0) return;
        ctx.notes.push_back("select: " + std::to_string(sel.topped_up) + " of the " + std::to_string(ctx.tracks.size()) +
                            " tracks were topped up from the retrieval ranking (the completer chose " +
                            std::to_string(sel.chosen) + " of " + std::to_string(sel.offered) + " candidates, " +
                            std::to_string(sel.in_playlist) + " of them in the playlist)");
    }

    std::vector<const RankedTrack*> fill_duration(const std::vector<RankedTrack>& pool) {
        const double target = ctx.target_seconds * 1000.0;
        const auto lo = static_cast<int64_t>(std::ceil(target * (1.0 - kDurationTolerance)));
        const auto hi = static_cast<int64_t>(std::floor(target * (1.0 + kDurationTolerance)));
        auto length = [&](const RankedTrack* t) { return details.at(t->id).duration_ms.value_or(0); };
        std::vector<const RankedTrack*> chosen, skipped;
        int64_t total = 0;
        for (const auto& t : pool) {
            const int64_t d = length(&t);
            if (d <= 0) continue;  // a track without a known length cannot be counted
            if (static_cast<double>(total) >= target) {
                skipped.push_back(&t);
                continue;
            }
            if (total + d <= hi) {
                chosen.push_back(&t);
                total += d;
            } else {
                skipped.push_back(&t);
            }
        }
        // Short of the window although the pool is long enough: swap one of the last tracks for
        // a skipped one that lands the total inside it.
        if (total < lo) {
            const size_t from = chosen.size() > kSwapWindow ? chosen.size() - kSwapWindow : 0;
            bool fixed = false;
            for (size_t i = chosen.size(); i-- > from && !fixed;) {
                for (auto& u : skipped) {
                    const int64_t next = total - length(chosen[i]) + length(u);
                    if (next >= lo && next <= hi) {
                        std::swap(chosen[i], u);
                        total = next;
                        fixed = true;
                        break;
                    }
                }
            }
        }
        if (total < lo) {
            ctx.short_of_target = true;
            ctx.notes.push_back("only " + std::to_string(chosen.size()) + " tracks match, " + minutes_text(total) +
                                " in all (" + minutes_text(static_cast<int64_t>(target)) + " asked)" + within_caps());
        }
        // Keep the ranking's order among the chosen.
        std::sort(chosen.begin(), chosen.end(), [](const RankedTrack* a, const RankedTrack* b) { return ranks_before(*a, *b); });
        return chosen;
    }

    std::vector<std::string> passed(const TrackDetail& d) const {
        std::vector<std::string> out;
        const PlaylistRequest& r = ctx.request;
        if (ctx.filters.empty()) return out;  // no filter step, or no filter
        if (!r.years.empty() && d.year) {
            for (const auto& y : r.years) {
                if ((!y.first || *d.year >= *y.first) && (!y.last || *d.year <= *y.last)) {
                    out.push_back("year " + std::to_string(*d.year) + " in " + year_range_text(y));
                    break;
                }
            }
        }
        const auto genres = split_genres(d.genres);
        if (!r.genres.empty()) {
            std::vector<std::string> hit;
            for (const auto& g : genres) {
                if (contains_nocase(r.genres, g)) hit.push_back(g);
            }
            out.push_back("genre " + join(hit));
        }
        if (!r.exclude_genres.empty()) out.push_back("not " + join(r.exclude_genres, "/") + " (" + d.genres + ")");
        if (!r.artists.empty()) out.push_back("by " + d.artist);
        if (!r.exclude_artists.empty()) out.push_back("not by " + join(r.exclude_artists, "/"));
        if (r.min_rating > 0 && d.user_rating) {
            out.push_back("rated " + stars(*d.user_rating) + " ≥ " + stars(r.min_rating));
        }
        if (r.exclude_live) out.push_back("not live");
        if (r.unplayed) out.push_back("never played");
        if (r.played_since > 0 && d.last_played_at) out.push_back("last played " + local_day_text(*d.last_played_at));
        if (r.avoid_recent_days > 0 || r.not_played_since > 0) {
            if (!d.last_played_at) {
                out.push_back("never played");
            } else {
                const auto days = (now_seconds(ctx.input) - *d.last_played_at) / kSecondsPerDay;
                out.push_back("last played " + std::to_string(days) + " days ago");
            }
        }
        return out;
    }

    // ---- order -------------------------------------------------------------------------------

    void order() {
        fit();
        const StepSpec& s = spec(StepKind::order);
        const OrderMode mode = ctx.input.order.value_or(s.mode);
        auto& tracks = ctx.tracks;
        std::stable_sort(tracks.begin(), tracks.end(), ranks_before<PlaylistEntry>);
        ctx.ordered_by = std::string(to_string(mode));
        switch (mode) {
            case OrderMode::similarity:
                if (ctx.selection.used) ctx.ordered_by = "the completer's order (similarity mode)";
                break;
            case OrderMode::smooth: smooth(); break;
            case OrderMode::alternate: alternate(); break;
            case OrderMode::random: {
                uint64_t state = seed_for(StepKind::order);
                for (size_t i = tracks.size(); i > 1; --i) {
                    state = mix(state);
                    std::swap(tracks[i - 1], tracks[state % i]);
                }
                ctx.ordered_by += " (seed " + std::to_string(seed_for(StepKind::order)) + ")";
                break;
            }
        }
    }

    // Each track next to the most similar one left (greedy nearest neighbour from the best).
    void smooth() {
        auto& tracks = ctx.tracks;
        if (!ctx.model || tracks.size() < 3) {
            if (!ctx.model) {
                ctx.notes.push_back("smooth order needs track vectors: kept the ranking's order");
                ctx.ordered_by = "similarity (no vectors for smooth)";
            }
            return;
        }
        EmbeddingStore embeddings(store());
        std::vector<std::optional<std::vector<float>>> vectors;
        for (const auto& t : tracks) vectors.push_back(embeddings.vector(*ctx.model, t.track.id));
        std::vector<PlaylistEntry> out;
        std::vector<bool> used(tracks.size(), false);
        size_t current = 0;
        used[0] = true;
        out.push_back(tracks[0]);
        for (size_t step = 1; step < tracks.size(); ++step) {
            size_t best = tracks.size();
            float best_score = -2.0f;
            for (size_t j = 0; j < tracks.size(); ++j) {
                if (used[j] || !vectors[j] || !vectors[current]) continue;
                const auto& a = *vectors[current];
                const auto& b = *vectors[j];
                const float score = std::inner_product(a.begin(), a.end(), b.begin(), 0.0f);
                if (score > best_score) {
                    best_score = score;
                    best = j;
                }
            }
            if (best == tracks.size()) break;  // the rest have no vector
            used[best] = true;
            out.push_back(tracks[best]);
            current = best;
        }
        for (size_t j = 0; j < tracks.size(); ++j) {
            if (!used[j]) out.push_back(tracks[j]);  // without a vector: at the end, by rank
        }
        tracks = std::move(out);
    }

    // The best-ranked track whose artist differs from the previous one's, when there is one.
    void alternate() {
        auto& tracks = ctx.tracks;
        std::vector<PlaylistEntry> out;
        std::vector<bool> used(tracks.size(), false);
        for (size_t step = 0; step < tracks.size(); ++step) {
            size_t pick = tracks.size();
            for (size_t j = 0; j < tracks.size(); ++j) {
                if (used[j]) continue;
                if (pick == tracks.size()) pick = j;  // fallback: the best left
                if (out.empty() || !equal_ascii_nocase(tracks[j].track.artist, out.back().track.artist)) {
                    pick = j;
                    break;
                }
            }
            used[pick] = true;
            out.push_back(tracks[pick]);
        }
        tracks = std::move(out);
    }

    // ---- publish -----------------------------------------------------------------------------

    void publish() {
        fit();
        if (!ctx.input.publish && !ctx.input.save) return;
        // The reads are done: let go of the snapshot, then wait to be the data dir's writer.
        if (snapshot) snapshot->end();
        if (services.acquire_writer) services.acquire_writer();
        PlaylistStore playlists(store());
        const std::string pipeline_json = pipeline.to_json();
        const std::string options = options_json(ctx);
        for (const SourceTarget& source : services.sources) {
            // Its own tracks, and its recordings of the others', in the playlist's order.
            std::vector<int64_t> ids;
            size_t lacking = 0;
            for (const auto& e : ctx.tracks) {
                if (e.track.server_id == source.server_id) {
                    ids.push_back(e.track.id);
                } else if (const auto same = same_recording_on(store(), source.server_id, e.track)) {
                    ids.push_back(*same);
                } else {
                    ++lacking;
                }
            }
            if (ids.empty()) continue;
            PublishedPart part;
            part.provider = source.provider;
            part.server_id = source.server_id;
            part.lacking = lacking;
            if (ctx.input.publish && !source.media) {
                part.error = "no connection to " + source.provider;
                ctx.published.push_back(std::move(part));
                continue;
            }
            // Saved first, as pending: the server is never written before plexmix knows.
            PlaylistSave save;
            if (const auto previous = playlists.find(source.server_id, ctx.name)) {
                save.id = previous->id;
                save.native_key = previous->native_key;  // the server's playlist it replaces
                save.marker = previous->marker;          // an earlier attempt's, if it made one
            }
            save.server_id = source.server_id;
            save.name = ctx.name;
            save.prompt = ctx.input.prompt;
            save.options_json = options;
            save.pipeline_json = pipeline_json;
            save.track_ids = ids;
            save.state = ctx.input.publish ? PlaylistState::pending : PlaylistState::local;
            part.playlist_id = playlists.save(save, &part.dropped);
            part.tracks = ids.size() - part.dropped;
            if (part.dropped != 0) {
                ctx.notes.push_back(std::to_string(part.dropped) + " of the tracks chosen for " + source.provider +
                                    " left the library (a sync deleted them) before the playlist was saved");
            }
            if (ctx.input.publish) {
                const PublishOutcome outcome = publish_playlist(store(), *source.media, *part.playlist_id);
                part.key = outcome.key;
                part.replaced = outcome.replaced;
                part.published = outcome.ok;
                part.error = outcome.error;
            }
            ctx.published.push_back(std::move(part));
        }
    }
};

}  // namespace

IndexCache::IndexCache() = default;
IndexCache::~IndexCache() = default;

const vec::VectorIndex& IndexCache::get(Store& store, const EmbeddingModel& model,
                                        const std::filesystem::path& index_dir, std::vector<std::string>* notes) {
    if (index_ && cached_.id == model.id && cached_.created_ms == model.created_ms &&
        cached_.last_seq == model.last_seq && cached_.dim == model.dim) {
        return *index_;
    }
    OpenedIndex opened = open_model_index(store, model, index_file(index_dir, model.name));
    if (notes) {
        for (auto& note : opened.notes) notes->push_back(std::move(note));
    }
    index_ = std::move(opened.index);
    cached_ = model;
    return *index_;
}

int64_t GenerateContext::total_ms() const {
    int64_t ms = 0;
    for (const auto& t : tracks) ms += t.track.duration_ms.value_or(0);
    return ms;
}

bool GenerateContext::publish_failed() const {
    return std::any_of(published.begin(), published.end(), [](const PublishedPart& p) { return !p.error.empty(); });
}

void run_pipeline(const PipelineSpec& pipeline, GenerateContext& ctx, GenerateServices& services) {
    IndexCache local;
    Run run{pipeline, ctx, services, services.index_cache ? *services.index_cache : local};
    Store::Snapshot snapshot(*services.store);
    run.snapshot = &snapshot;
    if (!pipeline.find(StepKind::select)) ctx.selection.reason = "the pipeline has no select step";
    for (const StepSpec& step : pipeline.steps) {
        const auto started = std::chrono::steady_clock::now();
        switch (step.kind) {
            case StepKind::parse: run.parse(true); break;
            case StepKind::filter: run.filter(true); break;
            case StepKind::retrieve: run.retrieve(); break;
            case StepKind::select: run.select(); break;
            case StepKind::diversify: run.diversify(); break;
            case StepKind::order: run.order(); break;
            case StepKind::publish: run.publish(); break;
        }
        ctx.steps_run.emplace_back(to_string(step.kind));
        ctx.timings.emplace_back(to_string(step.kind), elapsed_ms(started));
        if (services.after_step) services.after_step(step.kind);
    }
    run.fit();
    ctx.deepen = nullptr;  // it refers to this run
}

std::string options_json(const GenerateContext& ctx) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    auto list = [&](const char* key, const std::vector<std::string>& items) {
        w.Key(key);
        w.StartArray();
        for (const auto& item : items) w.String(item.c_str());
        w.EndArray();
    };
    auto optional = [&](const char* key, const std::optional<std::string>& value) {
        if (!value) return;
        w.Key(key);
        w.String(value->c_str());
    };
    const CliOptions& o = ctx.input.options;
    const PlaylistRequest& r = ctx.request;
    w.StartObject();
    w.Key("given");
    w.StartObject();
    optional("limit", o.limit);
    optional("duration", o.duration);
    if (!o.genres.empty()) list("genre", o.genres);
    if (!o.exact_genres.empty()) list("genre_exact", o.exact_genres);
    if (!o.exclude_genres.empty()) list("exclude_genre", o.exclude_genres);
    optional("year", o.year);
    optional("min_rating", o.min_rating);
    if (!o.artists.empty()) list("artist", o.artists);
    optional("avoid_recent", o.avoid_recent);
    if (o.favourites) {
        w.Key("favourites");
        w.Bool(true);
    }
    if (!o.sources.empty()) list("source", o.sources);
    if (ctx.input.name) optional("name", ctx.input.name);
    if (ctx.input.order) {
        w.Key("order");
        w.String(std::string(to_string(*ctx.input.order)).c_str());
    }
    if (ctx.input.seed) {
        w.Key("seed");
        w.Uint64(*ctx.input.seed);
    }
    w.EndObject();
    w.Key("request");
    w.StartObject();
    w.Key("track_count"); w.Int(ctx.target_count);
    w.Key("duration_seconds"); w.Int(ctx.target_seconds);
    w.Key("years");
    w.StartArray();
    for (const auto& y : r.years) {
        w.StartArray();
        if (y.first) w.Int(*y.first); else w.Null();
        if (y.last) w.Int(*y.last); else w.Null();
        w.EndArray();
    }
    w.EndArray();
    list("genres", r.genres);
    list("exclude_genres", r.exclude_genres);
    list("artists", r.artists);
    list("exclude_artists", r.exclude_artists);
    w.Key("min_rating"); w.Int(r.min_rating);
    w.Key("favourites"); w.Bool(r.favourites);
    w.Key("exclude_live"); w.Bool(r.exclude_live);
    w.Key("unplayed"); w.Bool(r.unplayed);
    w.Key("avoid_recent_days"); w.Int(r.avoid_recent_days);
    w.Key("mood_query"); w.String(r.mood_query.c_str());
    w.Key("seeds");
    w.StartArray();
    for (const SeedUse& seed : ctx.seeds) w.String(seed.label.c_str());
    w.EndArray();
    w.EndObject();
    w.Key("ranking"); w.String(ctx.ranking_method.c_str());
    w.Key("order"); w.String(ctx.ordered_by.c_str());
    w.EndObject();
    return buffer.GetString();
}

}  // namespace pmx::gen
