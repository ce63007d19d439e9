// Cloud embedders (openai, gemini, cohere) against the fake LLM server: requests, batch sizes,
// wall time beside the lower bound that latency and concurrency allow, and a 429 storm.
//
//   build/bin/cloud_embed_bench [N (20000)] [concurrency (4)] [latency ms (200)] [plugin ...]
//
// For each plugin (all three unless named): a FakeLlm speaking its API on 127.0.0.1 answers
// every request after `latency`; a provider is made from a YAML config the way plexmix makes it
// (`concurrency:` is the host-owned setting), and the engine's embed pass (embed_tracks, what
// `plexmix embeddings generate` runs) embeds N track texts from a fresh SQLite store and updates
// the model's index file. Runs per plugin:
//   1. clean: requests sent, texts per request, wall time, and the lower bound
//      ceil(ceil(N / max batch) / concurrency) x latency (rounds of full batches, each round one
//      latency), the ratio and the target; the same pass again at latency 0 shows the work that
//      is not waiting (the fake's answers, the plugin's parsing, SQLite, the index);
//   2. a storm: 30% of the embed requests answered 429 with the API's retry hint (Retry-After: 1,
//      Gemini's RetryInfo 1s); every text must still be embedded and every track get a vector
//      (the bench exits 1 when not), and the waits the server asked for must show in the wall
//      time (figures printed: the 429s, the shortest wait seen after a 429, the critical path).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <vector>

#include <rapidjson/document.h>

#include "config/config.hpp"
#include "embed/embed_pass.hpp"
#include "embed/model_index.hpp"
#include "model/media.hpp"
#include "plugin/provider.hpp"
#include "plugin/provider_factory.hpp"
#include "plugin/registry.hpp"
#include "store/embeddings_store.hpp"
#include "store/store.hpp"
#include "store/track_writer.hpp"
#include "support/fake_llm.hpp"

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;
using pmx::test::FakeLlm;
using pmx::test::FakeLlmOptions;
using pmx::test::FakeLlmRule;
using pmx::test::LlmApi;

constexpr std::size_t kDefaultTexts = 20'000;
constexpr int kDefaultConcurrency = 4;
constexpr int kDefaultLatencyMs = 200;
constexpr double kTargetRatio = 1.3;        // clean run: wall <= 1.3x the lower bound
constexpr double kStormProbability = 0.3;   // share of embed requests answered 429
constexpr const char* kStormRetryAfter = "1";
constexpr double kStormRetryAfterSeconds = 1.0;
constexpr std::uint64_t kStormSeed = 7;
// The fake's and the client's timers work in whole milliseconds: a wait may end up to ~1 ms early.
constexpr double kTimerSlackSeconds = 0.005;

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// One cloud plugin: how to point it at the fake, and where its request lists the texts.
struct Cloud {
    const char* id;
    const char* plugin_path;
    LlmApi api;
    const char* base_path;    // appended to the fake's URL for base_url
    const char* extra;        // more settings, YAML flow-map entries
    const char* texts_field;  // the body's array of inputs
};

const Cloud kClouds[] = {
    {"openai", PMX_OPENAI_PLUGIN, LlmApi::openai, "/v1", ", server: openai", "input"},
    {"gemini", PMX_GEMINI_PLUGIN, LlmApi::gemini, "/v1beta", "", "requests"},
    {"cohere", PMX_COHERE_PLUGIN, LlmApi::cohere, "/v2", "", "texts"},
};

// --- the library ------------------------------------------------------------------------------

// Deterministic, varied tracks: albums of 10 by artists of 3 albums, titles of 1-5 words, one or
// two genres, a year; track_text() makes "Title by Artist, from the album Album (1987). Genres:
// Jazz, Soul." of them, about 100 bytes, as a real library's.
std::vector<pmx::TrackRecord> library(std::size_t n) {
    const char* const words[] = {"Midnight", "River", "Golden", "Echoes", "Summer", "Rain", "Blue", "Velvet",
                                 "Electric", "Dreams", "Lonely", "Fire", "Ocean", "Night", "Heart", "Shadows",
                                 "Dancing", "Silver", "Highway", "Morning", "Glass", "Paper", "Moon", "Wild"};
    const char* const artists[] = {"Miles Davis", "Björk", "The Velvet Underground", "Nina Simone", "Radiohead",
                                   "Daft Punk", "Fela Kuti", "Sigur Rós", "Kraftwerk", "Aretha Franklin",
                                   "坂本龍一", "Motörhead", "Beyoncé", "Nick Drake", "Кино", "Massive Attack"};
    const char* const genres[] = {"Jazz", "Rock", "Electronic", "Soul", "Ambient", "Post-Rock", "Afrobeat",
                                  "Hip-Hop/Rap", "Folk", "Classical", "Heavy Metal", "Pop", "R&B", "Downtempo"};
    std::mt19937 rng(42);
    const auto pick = [&](const auto& list) { return std::string(list[rng() % std::size(list)]); };
    constexpr std::size_t kPerAlbum = 10, kAlbumsPerArtist = 3;
    constexpr int kFirstYear = 1950, kYears = 75;
    std::vector<pmx::TrackRecord> out;
    out.reserve(n);
    std::string artist, album;
    std::vector<std::string> album_genres;
    int year = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t album_index = i / kPerAlbum;
        if (i % kPerAlbum == 0) {
            const std::size_t artist_index = album_index / kAlbumsPerArtist;
            if (album_index % kAlbumsPerArtist == 0) {
                artist = pick(artists);
                if (artist_index >= std::size(artists)) artist += " " + std::to_string(artist_index);  // many artists
            }
            album = pick(words) + " " + pick(words);
            album_genres = {pick(genres)};
            if (rng() % 2 == 0) album_genres.push_back(pick(genres));
            year = kFirstYear + static_cast<int>(rng() % kYears);
        }
        pmx::TrackRecord t;
        t.has = PMX_TRACK_HAS_YEAR;
        t.key = std::to_string(100'000 + i);
        t.title = pick(words);
        for (auto w = rng() % 5; w > 0; --w) t.title += " " + pick(words);
        t.artist = artist;
        t.album_artist = artist;
        t.artist_key = "artist-" + std::to_string(album_index / kAlbumsPerArtist);
        t.album = album;
        t.album_key = "album-" + std::to_string(album_index);
        t.genres = album_genres;
        t.year = year;
        t.track_number = static_cast<std::uint32_t>(i % kPerAlbum + 1);
        out.push_back(std::move(t));
    }
    return out;
}

void fill(pmx::Store& store, const std::vector<pmx::TrackRecord>& tracks) {
    const std::int64_t server =
        store.upsert_server("home", "plex", pmx::ServerInfo{"bench-machine", "Bench", "1.0", "Plex"},
                            "http://127.0.0.1:32400");
    pmx::Store::Transaction transaction(store);
    pmx::TrackWriter writer(transaction, server);
    for (const auto& track : tracks) writer.upsert(track);
    transaction.commit();
}

// --- one run ----------------------------------------------------------------------------------

struct Settings {
    std::size_t texts = kDefaultTexts;
    int concurrency = kDefaultConcurrency;
    std::chrono::milliseconds latency{kDefaultLatencyMs};
};

// One embed request as the server saw it.
struct Sent {
    Clock::time_point arrived;
    std::size_t texts = 0;
    int status = 0;
    std::string body;
};

struct Run {
    pmx::EmbedReport report;
    std::string model;
    std::uint32_t dim = 0;
    std::size_t max_batch = 0;     // what the plugin declares (EmbedderInfo::max_batch)
    int concurrency = 0;           // the provider's effective limit
    double wall = 0;               // the whole pass
    double embedding = 0;          // pass start to the last batch stored
    std::vector<Sent> sent;        // every embed request, in arrival order
    std::size_t fake_embedded = 0; // texts the fake answered with vectors
    double fake_busy = 0;          // the fake's handlers building answers, summed over requests
    int peak_at_server = 0;        // the most requests the fake held at once
    std::int64_t stored = 0;       // vectors of the model in the store
    bool every_track = false;      // the ids with a vector are exactly the tracks' ids

    std::size_t requests() const { return sent.size(); }
    std::size_t status_count(int status) const {
        return static_cast<std::size_t>(
            std::count_if(sent.begin(), sent.end(), [&](const Sent& s) { return s.status == status; }));
    }
    bool complete(std::size_t n) const {
        return report.embedded == n && fake_embedded == n && stored == static_cast<std::int64_t>(n) && every_track;
    }
};

std::string config_yaml(const Cloud& cloud, const FakeLlm& llm, const fs::path& data_dir, int concurrency) {
    return "data_dir: " + data_dir.string() + "\nproviders:\n  " + cloud.id + ": { plugin: " + cloud.id +
           ", api_key: " + llm.key() + ", base_url: " + llm.url() + cloud.base_path + cloud.extra +
           ", concurrency: " + std::to_string(concurrency) + " }\nuse: { embedder: " + cloud.id + " }\n";
}

Run run_once(const Cloud& cloud, const pmx::PluginRegistry& registry, const std::vector<pmx::TrackRecord>& tracks,
             const Settings& settings, bool storm) {
    FakeLlm llm(FakeLlmOptions{.api = cloud.api, .latency = settings.latency});
    if (storm) {
        llm.add_rule(FakeLlmRule{.kind = FakeLlmRule::Kind::status, .path_contains = "embed", .status = 429,
                                 .retry_after = kStormRetryAfter, .probability = kStormProbability,
                                 .seed = kStormSeed});
    }
    // The status of every answer, by request index (the fake records requests, not answers),
    // and the time its handler took (the interceptor sees each request before and after it).
    std::mutex answers_mutex;
    std::map<std::size_t, int> statuses;
    std::map<std::size_t, Clock::time_point> handler_start;
    double fake_busy = 0;
    llm.http().set_interceptor([&](const pmx::test::FakeRequest& request, const pmx::test::FakeResponse* answered)
                                   -> std::optional<pmx::test::FakeResponse> {
        std::lock_guard lock(answers_mutex);
        if (answered == nullptr) {
            handler_start[request.index] = Clock::now();
        } else {
            statuses[request.index] = answered->status;
            fake_busy += seconds(Clock::now() - handler_start[request.index]);
        }
        return std::nullopt;
    });

    const fs::path dir = fs::temp_directory_path() / ("pmx-cloud-bench-" + std::to_string(getpid()) + "-" +
                                                      cloud.id + (storm ? "-storm" : ""));
    fs::remove_all(dir);
    fs::create_directories(dir);
    Run run;
    {
        auto store = pmx::Store::open(dir / "plexmix.db");
        fill(*store, tracks);

        // The provider as plexmix makes it: from the config, through the plugin registry.
        const pmx::Config config =
            pmx::load_config_from_string(config_yaml(cloud, llm, dir, settings.concurrency), "bench.yaml");
        std::vector<pmx::ConfigIssue> issues;
        auto provider = pmx::make_provider(*config.find_provider(cloud.id), registry, &issues);
        if (!provider) {
            std::string why;
            for (const auto& issue : issues) why += " " + issue.message;
            throw std::runtime_error(std::string(cloud.id) + ": cannot make the provider:" + why);
        }
        pmx::EmbedderInfo info;
        if (const pmx::CallResult r = provider->embedder_info(&info); !r.ok()) {
            throw std::runtime_error(std::string(cloud.id) + ": embedder info: " + r.message);
        }
        run.max_batch = info.max_batch;
        run.concurrency = provider->runtime().concurrency_limit();

        // What run_embed_step sets: the data dir's index folder; progress marks the last batch.
        pmx::CancelToken never;
        pmx::EmbedOptions options;
        options.index_dir = pmx::vectors_dir(dir);
        options.cancel = &never;
        Clock::time_point last_stored{};
        options.progress = [&](std::uint64_t, std::uint64_t) { last_stored = Clock::now(); };
        const auto start = Clock::now();
        run.report = pmx::embed_tracks(*store, *provider, options);
        const auto end = Clock::now();
        run.wall = seconds(end - start);
        run.embedding = seconds(last_stored - start);
        run.model = run.report.model;
        run.dim = run.report.dim;

        pmx::EmbeddingStore embeddings(*store);
        if (const auto model = embeddings.find_model(run.model)) {
            run.stored = embeddings.count(model->id);
            run.every_track = embeddings.ids(model->id) == embeddings.track_ids();
        }
    }
    fs::remove_all(dir);
    llm.http().stop();  // every connection thread joined: the interceptor's state may go

    run.fake_embedded = llm.embedded_texts();
    run.peak_at_server = llm.http().peak_in_flight();
    std::lock_guard lock(answers_mutex);
    run.fake_busy = fake_busy;
    for (const auto& request : llm.http().requests()) {
        if (request.path.find("embed") == std::string::npos) continue;
        Sent s;
        s.arrived = request.arrived;
        s.status = statuses.count(request.index) != 0 ? statuses[request.index] : 0;
        rapidjson::Document body;
        body.Parse(request.body.c_str(), request.body.size());
        if (!body.HasParseError() && body.IsObject()) {
            const auto texts = body.FindMember(cloud.texts_field);
            if (texts != body.MemberEnd() && texts->value.IsArray()) s.texts = texts->value.Size();
        }
        s.body = request.body;
        run.sent.push_back(std::move(s));
    }
    return run;
}

// --- figures ----------------------------------------------------------------------------------

std::size_t ceil_div(std::size_t a, std::size_t b) { return (a + b - 1) / b; }

// Rounds of `concurrency` full batches, one latency each: no schedule can do better.
double lower_bound(std::size_t n, std::size_t max_batch, int concurrency, std::chrono::milliseconds latency) {
    const std::size_t batches = ceil_div(n, std::max<std::size_t>(max_batch, 1));
    return static_cast<double>(ceil_div(batches, static_cast<std::size_t>(std::max(concurrency, 1)))) *
           std::chrono::duration<double>(latency).count();
}

struct TextsPerRequest {
    double mean = 0;
    std::size_t max = 0;
};

TextsPerRequest texts_per_request(const Run& run) {
    TextsPerRequest t;
    std::size_t sum = 0;
    for (const Sent& s : run.sent) {
        sum += s.texts;
        t.max = std::max(t.max, s.texts);
    }
    if (!run.sent.empty()) t.mean = static_cast<double>(sum) / static_cast<double>(run.sent.size());
    return t;
}

// What the storm's answers ask of any client that honours them. A batch's attempts carry the
// same body; each attempt costs a latency and each 429 the retry hint before the next.
struct StormPath {
    std::size_t batches = 0;
    std::size_t longest_attempts = 0, longest_429s = 0;
    double longest = 0;        // the slowest batch alone: attempts x latency + its waits
    double busy = 0;           // every batch's attempts and waits, summed
    double critical = 0;       // max(longest, busy / concurrency): the wall time cannot be less
    double shortest_wait = -1; // the least time seen from a 429's answer to the batch's next attempt
};

StormPath storm_path(const Run& run, std::chrono::milliseconds latency) {
    const double lat = std::chrono::duration<double>(latency).count();
    std::map<std::string, std::vector<const Sent*>> by_body;
    for (const Sent& s : run.sent) by_body[s.body].push_back(&s);
    StormPath p;
    p.batches = by_body.size();
    for (const auto& [body, attempts] : by_body) {
        std::size_t refusals = 0;
        for (std::size_t i = 0; i < attempts.size(); ++i) {
            if (attempts[i]->status != 429) continue;
            ++refusals;
            if (i + 1 < attempts.size()) {
                const double wait = seconds(attempts[i + 1]->arrived - attempts[i]->arrived) - lat;
                if (p.shortest_wait < 0 || wait < p.shortest_wait) p.shortest_wait = wait;
            }
        }
        const double chain = static_cast<double>(attempts.size()) * lat +
                             static_cast<double>(refusals) * kStormRetryAfterSeconds;
        p.busy += chain;
        if (chain > p.longest) {
            p.longest = chain;
            p.longest_attempts = attempts.size();
            p.longest_429s = refusals;
        }
    }
    p.critical = std::max(p.longest, p.busy / static_cast<double>(std::max(run.concurrency, 1)));
    return p;
}

struct Result {
    const Cloud* cloud = nullptr;
    Run clean, storm;
    Run local;  // the clean run at latency 0: the work that is not waiting for the server
};

void row(const char* label, const std::vector<Result>& results, const std::function<std::string(const Result&)>& cell,
         const char* target = "") {
    std::printf("  %-44s", label);
    for (const Result& r : results) std::printf(" %22s", cell(r).c_str());
    std::printf("   %s\n", target);
}

std::string format(const char* fmt, double value) {
    char buffer[48];
    std::snprintf(buffer, sizeof buffer, fmt, value);
    return buffer;
}

std::string count(std::size_t value) { return std::to_string(value); }

int print(const std::vector<Result>& results, const Settings& s) {
    std::printf("\nplexmix cloud embedding benchmark — %zu track texts, concurrency %d, fake latency %lld ms\n",
                s.texts, s.concurrency, static_cast<long long>(s.latency.count()));
    std::printf("each plugin loaded from disk, its provider made from a YAML config (concurrency: %d), the\n"
                "engine's embed pass (embed_tracks, as `plexmix embeddings generate`) over a fresh SQLite store,\n"
                "index file included; the fake LLM (tests/support/fake_llm) on 127.0.0.1 in this process\n\n",
                s.concurrency);
    std::printf("  %-44s", "clean run");
    for (const Result& r : results) std::printf(" %22s", r.cloud->id);
    std::printf("   target\n");
    row("model", results, [](const Result& r) { return r.clean.model; });
    row("dimensions", results, [](const Result& r) { return count(r.clean.dim); });
    row("max batch the plugin declares", results, [](const Result& r) { return count(r.clean.max_batch); });
    row("concurrency (the provider's limit)", results, [](const Result& r) { return count(r.clean.concurrency); });
    row("requests sent", results, [](const Result& r) { return count(r.clean.requests()); });
    row("texts per request: mean / max", results, [](const Result& r) {
        const TextsPerRequest t = texts_per_request(r.clean);
        return format("%.1f", t.mean) + " / " + count(t.max);
    });
    row("wall: the whole pass (s)", results, [](const Result& r) { return format("%.3f", r.clean.wall); });
    row("  of which: to the last batch stored (s)", results,
        [](const Result& r) { return format("%.3f", r.clean.embedding); });
    row("  of which: index update after it (s)", results,
        [](const Result& r) { return format("%.3f", r.clean.wall - r.clean.embedding); });
    row("lower bound: ceil(batches/conc.) x lat. (s)", results, [&](const Result& r) {
        return format("%.3f", lower_bound(s.texts, r.clean.max_batch, r.clean.concurrency, s.latency));
    });
    row(
        "wall / bound", results,
        [&](const Result& r) {
            return format("%.2fx",
                          r.clean.wall / lower_bound(s.texts, r.clean.max_batch, r.clean.concurrency, s.latency));
        },
        "<= 1.3x");
    row("texts/s", results,
        [&](const Result& r) { return format("%.0f", static_cast<double>(s.texts) / r.clean.wall); });
    row("most requests at the fake at once", results,
        [](const Result& r) { return std::to_string(r.clean.peak_at_server); });
    row("the fake building its answers, summed (s)", results,
        [](const Result& r) { return format("%.3f", r.clean.fake_busy); });
    row("the same pass at latency 0 (s)", results, [](const Result& r) { return format("%.3f", r.local.wall); });

    std::printf("\n  %-44s", "429 storm: 30% of embed requests, hint 1 s");
    for (const Result& r : results) std::printf(" %22s", r.cloud->id);
    std::printf("\n");
    row("requests sent / answered 429", results,
        [](const Result& r) { return count(r.storm.requests()) + " / " + count(r.storm.status_count(429)); });
    row("texts embedded by the fake / tracks with a vector", results,
        [](const Result& r) { return count(r.storm.fake_embedded) + " / " + std::to_string(r.storm.stored); });
    row("waits the server asked for, summed (s)", results, [](const Result& r) {
        return format("%.1f", static_cast<double>(r.storm.status_count(429)) * kStormRetryAfterSeconds);
    });
    row("shortest wait seen after a 429 (s)", results,
        [&](const Result& r) {
            const double wait = storm_path(r.storm, s.latency).shortest_wait;
            return wait < 0 ? std::string("-") : format("%.3f", wait);
        },
        ">= 1 s asked");
    row("slowest batch: attempts / 429s", results, [&](const Result& r) {
        const StormPath p = storm_path(r.storm, s.latency);
        return count(p.longest_attempts) + " / " + count(p.longest_429s);
    });
    row("critical path: max(slowest, all / conc.) (s)", results,
        [&](const Result& r) { return format("%.3f", storm_path(r.storm, s.latency).critical); });
    row("wall: the whole pass (s)", results, [](const Result& r) { return format("%.3f", r.storm.wall); });
    row("wall / critical path", results,
        [&](const Result& r) { return format("%.2fx", r.storm.wall / storm_path(r.storm, s.latency).critical); });
    row("wall / clean run's lower bound", results, [&](const Result& r) {
        return format("%.2fx", r.storm.wall / lower_bound(s.texts, r.storm.max_batch, r.storm.concurrency, s.latency));
    });

    std::printf("\ntargets:\n");
    int exit_code = 0;
    for (const Result& r : results) {
        const double ratio = r.clean.wall / lower_bound(s.texts, r.clean.max_batch, r.clean.concurrency, s.latency);
        std::printf("  %-7s clean: wall/bound %.2fx <= %.1fx: %s\n", r.cloud->id, ratio, kTargetRatio,
                    ratio <= kTargetRatio ? "met" : "MISSED");
    }
    for (const Result& r : results) {
        for (const auto& [name, run] : {std::pair<const char*, const Run*>{"clean", &r.clean}, {"storm", &r.storm}}) {
            const bool complete = run->complete(s.texts);
            std::printf("  %-7s %s: %zu of %zu texts embedded by the fake, %lld vectors stored, every track has one: "
                        "%s\n",
                        r.cloud->id, name, run->fake_embedded, s.texts, static_cast<long long>(run->stored),
                        complete ? "yes" : "NO");
            if (!complete) {
                exit_code = 1;
                std::fprintf(stderr, "cloud_embed_bench: %s %s run: texts missing or counted twice (pass: %s)\n",
                             r.cloud->id, name, run->report.error.empty() ? "no error" : run->report.error.c_str());
            }
        }
        const StormPath p = storm_path(r.storm, s.latency);
        const bool honoured = r.storm.wall >= p.critical &&
                              (p.shortest_wait < 0 || p.shortest_wait >= kStormRetryAfterSeconds - kTimerSlackSeconds);
        std::printf("  %-7s storm: %zu 429s; wall %.3f s >= critical path %.3f s, every retry >= %.0f s after its "
                    "429 (shortest %.3f s): %s\n",
                    r.cloud->id, r.storm.status_count(429), r.storm.wall, p.critical, kStormRetryAfterSeconds,
                    p.shortest_wait, honoured ? "waits honoured" : "NOT honoured");
    }
    std::printf("  (bound: ceil(N/batch) requests in rounds of `concurrency`, one latency per round; the pass also\n"
                "   reads the tracks, stores each batch in its own transaction and updates the index file, and\n"
                "   the fake, in this process, builds its answers on the same 2 cores: the pass at latency 0\n"
                "   shows that work alone, the latency then hides under it or adds to it)\n");
    return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
    Settings settings;
    std::vector<std::string> wanted;
    if (argc > 1) settings.texts = std::strtoul(argv[1], nullptr, 10);
    if (argc > 2) settings.concurrency = std::atoi(argv[2]);
    if (argc > 3) settings.latency = std::chrono::milliseconds(std::atol(argv[3]));
    for (int i = 4; i < argc; ++i) wanted.emplace_back(argv[i]);
    if (settings.texts == 0 || settings.concurrency < 1 || settings.latency.count() < 0) {
        std::fprintf(stderr, "usage: cloud_embed_bench [texts > 0] [concurrency >= 1] [latency ms >= 0] "
                             "[openai|gemini|cohere ...]\n");
        return 2;
    }

    try {
        std::vector<fs::path> paths;
        std::vector<const Cloud*> clouds;
        for (const Cloud& c : kClouds) {
            if (!wanted.empty() && std::find(wanted.begin(), wanted.end(), c.id) == wanted.end()) continue;
            paths.emplace_back(c.plugin_path);
            clouds.push_back(&c);
        }
        if (clouds.empty()) throw std::runtime_error("no such plugin; choose among openai, gemini, cohere");
        const pmx::PluginRegistry registry = pmx::PluginRegistry::discover(paths);
        for (const auto& refused : registry.refused()) {
            throw std::runtime_error("plugin refused: " + refused.path.string() + ": " + refused.reason);
        }
        const std::vector<pmx::TrackRecord> tracks = library(settings.texts);

        std::vector<Result> results;
        for (const Cloud* cloud : clouds) {
            Result r;
            r.cloud = cloud;
            std::fprintf(stderr, "%s: clean run...\n", cloud->id);
            r.clean = run_once(*cloud, registry, tracks, settings, false);
            std::fprintf(stderr, "%s: clean run at latency 0...\n", cloud->id);
            Settings no_latency = settings;
            no_latency.latency = std::chrono::milliseconds(0);
            r.local = run_once(*cloud, registry, tracks, no_latency, false);
            std::fprintf(stderr, "%s: 429 storm...\n", cloud->id);
            r.storm = run_once(*cloud, registry, tracks, settings, true);
            results.push_back(std::move(r));
        }
        return print(results, settings);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "cloud_embed_bench: %s\n", e.what());
        return 1;
    }
}
