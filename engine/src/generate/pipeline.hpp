// The `generate` pipeline: named steps over one context, from a prompt to a saved playlist.
#pragma once

// Steps, in the built-in order (a config may reorder within the rules below, drop steps, or
// give options; see generate_pipeline()):
//   parse      the prompt + explicit options → PlaylistRequest (generate/prompt.hpp); with
//              `parse: {llm: true}` or --llm-parse the completer reads it as well, and the two
//              readings are merged (generate/parse_llm.hpp); a failed reading is noted and the
//              rule parser's stands
//   filter     SQL over the mirror of the chosen sources → candidate ids
//   retrieve   rank the candidates: the mood query embedded (query mode) and searched in the
//              model's vector index restricted to the candidates, `depth` deep; the prompt's
//              seeds ("songs like X by Y") start the search from their tracks' vectors (with the
//              mood words, half each), and a track seed itself is left out; without a mood
//              query, an embedder or vectors: keyword matches, then rating, then a seeded
//              shuffle (noted). Candidates without a vector rank after those with one.
//   select     with a completer (services.completer, unless --no-llm or `select: {llm: false}`):
//              the completer chooses among the best-ranked candidates, and its order becomes the
//              ranking that diversify, the cut and order work on (generate/select_llm.hpp).
//              Without one, or when it fails (said in a note), the retrieval ranking stays.
//   diversify  caps per artist and per album, no two tracks with the same title and artist;
//              deepens the ranking when the caps leave too few
//   order      similarity | smooth (each track close to the one before) | alternate (no two
//              neighbours by the same artist when avoidable) | random (seeded)
//   publish    save the playlist in the store (prompt, options, pipeline) as pending, then
//              create or replace it on its server and mark it published once the server's
//              count matches (publish/playlist_publisher.hpp); --no-publish saves it as local.
//              With several sources, every source gets the playlist with the tracks it has: its
//              own, and its recording of each track of another (same artist, title and album,
//              length within 2 s); how many it lacks is said
// Every step before publish reads one snapshot of the store (Store::Snapshot): a sync that
// commits meanwhile changes nothing the run sees. publish lets go of it and waits to be the
// data dir's one writer (GenerateServices::acquire_writer) before it writes.
// Before `order` (or `publish`, or the end) the ranked pool is cut to the target: exactly the
// count asked, or a total duration within ±5% of the duration asked, else a default count;
// when fewer tracks qualify the context says so (notes, short = true).
//
// Steps never print: results, notes and per-track explanations are in the context, so that
// every front end (CLI, tests, a future server) runs the same code.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <unordered_map>
#include <vector>

#include "config/config_error.hpp"
#include "generate/prompt.hpp"
#include "generate/seeds.hpp"
#include "llm/pricing.hpp"
#include "store/embeddings_store.hpp"
#include "store/track_filter.hpp"

namespace pmx {
class Provider;
class Store;
struct Config;
namespace vec {
class VectorIndex;
}
}  // namespace pmx

namespace pmx::gen {

inline constexpr int kDefaultTrackCount = 25;
inline constexpr size_t kDefaultRetrieveDepth = 500;
inline constexpr size_t kDepthPerTrack = 5;     // the ranking is at least 5 × the tracks wanted deep
inline constexpr int kDefaultPerArtist = 3;
inline constexpr int kDefaultPerAlbum = 2;
inline constexpr double kDurationTolerance = 0.05;  // ±5%

enum class StepKind { parse, filter, retrieve, select, diversify, order, publish };
enum class OrderMode { similarity, smooth, alternate, random };

std::string_view to_string(StepKind kind);
std::string_view to_string(OrderMode mode);
std::optional<OrderMode> parse_order_mode(std::string_view text);

struct StepSpec {
    StepKind kind = StepKind::parse;
    size_t depth = kDefaultRetrieveDepth;       // retrieve
    int per_artist = kDefaultPerArtist;         // diversify; 0 = no cap
    int per_album = kDefaultPerAlbum;           // diversify; 0 = no cap
    OrderMode mode = OrderMode::smooth;         // order
    bool llm = true;                            // select: let the completer choose (when there is one)
    bool llm_parse = false;                     // parse: the completer reads the prompt too (`parse: {llm: true}`)
    std::optional<uint64_t> seed;               // order (random), retrieve (shuffle)
    std::vector<std::string> option_keys;       // the options given in the config (for to_json)
};

struct PipelineSpec {
    std::vector<StepSpec> steps;
    bool from_config = false;  // false: the built-in default

    const StepSpec* find(StepKind kind) const;
    // [ "parse", {"retrieve": {"depth": 500}}, ... ]: every step with its effective options.
    std::string to_json() const;
    // "parse → filter → retrieve(depth 500) → ...".
    std::string describe() const;
};

// [parse, filter, {retrieve: {depth: 500}}, select, {diversify: {per_artist: 3, per_album: 2}},
//  {order: {mode: smooth}}, publish].
PipelineSpec default_generate_pipeline();

// The `generate` pipeline of the config, else the default. Throws ConfigError (FILE:LINE:COL)
// for an unknown step or option, a bad option value, a step given twice, steps out of order
// (parse < filter < retrieve < select < diversify < order < publish, for those present), no
// steps, or no filter step (see generate/pipeline_config.hpp: the loader checks the same).
PipelineSpec generate_pipeline(const Config& config);

// ---- The run ---------------------------------------------------------------------------------

// What a run is asked to do.
struct GenerateInput {
    std::string prompt;
    CliOptions options;                  // as typed; applied over the prompt by `parse`
    std::optional<std::string> name;     // --name; default: the prompt
    bool publish = true;                 // write to the server (--no-publish: false)
    bool save = true;                    // keep it in the store (--dry-run: neither)
    std::optional<OrderMode> order;      // --order: overrides the order step's mode
    std::optional<uint64_t> seed;        // --seed: overrides the steps' seed
    std::optional<int64_t> now;          // unix seconds for plays and two-digit years; nullopt: the clock
    bool strict = false;                 // --strict: a prompt part that cannot be applied is an error (PromptError)
    bool llm = true;                     // --no-llm: false; nothing is sent to the completer
    bool llm_parse = false;              // --llm-parse: the completer reads the prompt too
};

// A vector index kept loaded between runs in one process (a server, the benchmark); it is
// reloaded when the model's stored vectors changed. Not thread-safe.
class IndexCache {
public:
    IndexCache();
    ~IndexCache();
    // The index of `model` (opened and checked as embed/model_index.hpp does on first use).
    const vec::VectorIndex& get(Store& store, const EmbeddingModel& model, const std::filesystem::path& index_dir,
                                std::vector<std::string>* notes);

private:
    EmbeddingModel cached_;
    std::unique_ptr<vec::VectorIndex> index_;
};

// One media source a playlist may draw from and be written to.
struct SourceTarget {
    std::string provider;          // config name
    int64_t server_id = 0;         // its current server in the store
    Provider* media = nullptr;     // for publish; may be null when not publishing
};

// What the steps use; owned by the caller.
struct GenerateServices {
    Store* store = nullptr;
    std::vector<SourceTarget> sources;   // the sources in use (or only --source)
    Provider* embedder = nullptr;        // null: no vectors
    Provider* completer = nullptr;       // null: select keeps the retrieval ranking (no LLM)
    const Config* config = nullptr;      // the completer's prices (llm::price_of); null: cost unknown
    std::filesystem::path index_dir;     // where vector index files live
    IndexCache* index_cache = nullptr;   // null: the index is opened for this run only
    // Called by publish before its first write: makes this process the data dir's one writer
    // (store/writer_lock.hpp), waiting for another one to finish. Null: no lock (tests).
    std::function<void()> acquire_writer;
    // Called after each step (a front end's progress; tests interleave other writers with it).
    std::function<void(StepKind)> after_step;
};

struct RankedTrack {
    int64_t id = 0;
    size_t rank = 0;                   // 1-based place in the retrieval ranking
    size_t choice = 0;                 // 1-based place in the completer's choice; 0: not chosen by it
    std::optional<float> similarity;   // cosine similarity to the mood query
    std::optional<size_t> keyword_rank;
    int64_t rating = -1;
};

struct PlaylistEntry {
    TrackDetail track;
    size_t rank = 0;                    // retrieval rank
    size_t choice = 0;                  // place in the completer's choice; 0: from the retrieval ranking
    std::string reason;                 // the completer's reason for choosing it (when chosen)
    std::optional<float> similarity;
    std::vector<std::string> passed;    // the filters it passed, with its values ("year 1994 in 1990–1999")
    std::vector<std::string> tags;      // its active LLM tags (moods, environments, instruments)
    std::vector<std::string> matched_tags;  // of the prompt's ranking tag words, those it carries
};

struct PublishedPart {
    std::string provider;
    int64_t server_id = 0;
    std::string key;                    // the server's playlist key, when one is known
    bool replaced = false;              // an earlier playlist of the same name was replaced in place
    bool published = false;             // the server holds exactly these tracks now
    size_t tracks = 0;                  // saved (and written) for this server
    size_t dropped = 0;                 // chosen, but deleted from the mirror before the save
    size_t lacking = 0;                 // of the playlist's tracks, those this server has no recording of
    std::optional<int64_t> playlist_id; // the store row, when saved
    std::string error;                  // why writing it did not complete (the row stays pending)
};

// What the select step did with the completer.
struct Selection {
    bool asked = false;               // a request went to the completer
    bool used = false;                // its choice ranks the playlist
    std::string provider, model;      // the completer (when asked)
    std::string reason;               // when !used: why (turned off, none configured, or what failed)
    size_t offered = 0;               // candidates sent to it
    size_t chosen = 0;                // valid ids in its answer
    size_t invented = 0;              // ids in its answer that were not among those sent (dropped)
    size_t repeated = 0;              // ids it gave more than once (dropped after the first)
    size_t in_playlist = 0;           // of the chosen, the tracks in the playlist
    size_t topped_up = 0;             // playlist tracks taken from the retrieval ranking
    bool repaired = false;            // its first answer was invalid, the repair valid
    llm::UsageLedger usage;           // tokens and requests (failed ones included)
    std::vector<llm::PricedUsage> priced;  // the usage priced (services.config); empty when not asked
};

// What the parse step's completer reading did.
struct LlmReading {
    bool asked = false;               // a request went to the completer
    bool used = false;                // its reading was merged into the request
    std::string provider, model;
    std::string reason;               // when asked for and !used: why (none configured, or what failed)
    std::vector<std::string> disagreements;  // fields the two readings differ on, and which was kept
    std::vector<std::string> dropped; // what validation left out of its answer
    bool repaired = false;
    llm::UsageLedger usage;
    std::vector<llm::PricedUsage> priced;
};

// Whether `a` goes before `b` in the working ranking: the completer's choice first, in its
// order, then the retrieval ranking.
template <class T>
bool ranks_before(const T& a, const T& b) {
    if ((a.choice != 0) != (b.choice != 0)) return a.choice != 0;
    return a.choice != 0 ? a.choice < b.choice : a.rank < b.rank;
}

struct GenerateContext {
    GenerateInput input;
    // parse
    PlaylistRequest request;
    std::string name;
    int target_count = 0;               // exact count asked (0: none)
    int target_seconds = 0;             // duration asked (0: none)
    std::vector<SeedUse> seeds;         // the prompt's seeds found in the mirror
    LlmReading reading;                 // the completer's reading of the prompt (opt-in)
    // filter
    std::vector<Candidate> candidates;
    std::vector<std::string> filters;   // the active filters, one phrase each
    // retrieve
    std::vector<RankedTrack> ranking;   // best first
    bool ranking_complete = false;      // every candidate is ranked
    std::string ranking_method;         // "similarity (use-lite)", "keywords, then rating", ...
    // Candidates whose active tags hold the prompt's ranking tag words → those terms; they come
    // first in the ranking, more terms first.
    std::unordered_map<int64_t, std::vector<std::string>> tag_matches;
    std::optional<EmbeddingModel> model;
    std::vector<float> query_vector;
    std::function<void(size_t depth)> deepen;  // ranks deeper (set by retrieve)
    // diversify
    std::vector<RankedTrack> pool;      // ranked, capped
    bool diversified = false;
    size_t capped_artist = 0, capped_album = 0, duplicates = 0;
    // select
    Selection selection;
    // the cut to the target
    std::vector<PlaylistEntry> tracks;  // the playlist, in order
    bool fitted = false;
    bool short_of_target = false;       // fewer tracks qualify than asked
    std::string ordered_by;             // the order actually used
    // publish
    std::vector<PublishedPart> published;
    // all steps
    std::vector<std::string> notes;     // one sentence each, for the user
    std::vector<std::string> steps_run;
    // Wall time of each step run, and of the parts worth knowing (query embedding), in ms.
    std::vector<std::pair<std::string, double>> timings;

    int64_t total_ms() const;
    bool publish_failed() const;
};

// Runs the steps of `pipeline` over `ctx` (ctx.input set by the caller). Throws StoreError
// (and ConfigError for an unknown --source) on run-ending failures; a server that refuses
// the playlist is a value (PublishedPart::error). Vocabulary for parse is read from the
// mirror of the sources.
void run_pipeline(const PipelineSpec& pipeline, GenerateContext& ctx, GenerateServices& services);

// The resolved request and options as JSON (the store's options_json).
std::string options_json(const GenerateContext& ctx);

}  // namespace pmx::gen
