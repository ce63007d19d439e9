// Generation latency over a 100k-track mirror, without an LLM: in process (p50, p95 of ~50
// prompts after the index is loaded) and from process start to the printed playlist
// (`plexmix create --dry-run`). Prints figures; asserts nothing.
//
// usage: generate_bench [--tracks N] [--dir DIR] [--keep]
// The mirror is written straight through the store's TrackWriter; its vectors (512-d, random
// around 256 centres, L2-normalised) are stored for the embedder's model, so that query
// embedding is real (local-st when it is built, else the SDK's toy embedder at 512-d) while
// the library needs no embedding pass. Plugins and the CLI are found next to this binary
// (build/bin, build/lib/plexmix/plugins, build/examples/plugins).
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <pmx/plugin.h>

#include "embed/model_index.hpp"
#include "generate/pipeline.hpp"
#include "model/media.hpp"
#include "plugin/loader.hpp"
#include "plugin/provider.hpp"
#include "store/embeddings_store.hpp"
#include "store/store.hpp"
#include "store/track_writer.hpp"

extern char** environ;

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace pmx;

namespace {

constexpr uint32_t kDim = 512;
constexpr size_t kCentres = 256;
constexpr size_t kArtists = 4000;
constexpr size_t kTracksPerAlbum = 10;
constexpr size_t kCliRuns = 12;

const std::vector<std::string> kGenres{"Jazz", "Rock", "Metal", "Pop", "Blues", "Soul", "Country", "Electronic",
                                       "Classical", "Hip-Hop", "Folk", "Reggae", "Punk", "Ambient", "Funk",
                                       "Bossa Nova", "Soundtrack", "R&B", "Latin", "Indie"};
const std::vector<std::string> kWords{"night", "rain", "summer", "river", "blue", "fire", "heart", "road", "city",
                                      "dream", "moon", "ocean", "dance", "slow", "gold", "shadow", "light", "home"};

const std::vector<std::string> kPrompts{
    "mellow late-night jazz, 20 songs", "upbeat 80s rock, 45 minutes", "rainy sunday jazz, nothing after 1980",
    "chill electronic for coding, 30 songs", "sad songs for a rainy day", "90s hip-hop, no country",
    "high energy workout, 1 hour", "acoustic folk, highly rated", "classical for studying, 2 hours",
    "summer road trip, 25 songs", "funk and soul from the 70s", "ambient, 40 minutes", "punk, nothing live",
    "romantic dinner, 15 songs", "reggae sunset", "bossa nova morning coffee", "dark metal, 50 songs",
    "indie songs I haven't heard in a while", "blues by the river", "latin dance party, 90 minutes",
    "soundtrack epic, 10 songs", "r&b slow jams", "pop hits from 2000 to 2010", "country road songs",
    "jazz and blues, top rated", "electronic dance, 1h30", "folk ballads, 12 songs", "night drive, 35 minutes",
    "ocean waves and light", "city lights at night", "heartbreak songs, 20 songs", "gold classics from the 60s",
    "shadow and fire", "dream pop, 30 minutes", "moonlight piano", "home cooking music", "dance all night",
    "slow blue mornings", "rock from 1970-1979, 40 songs", "metal without punk", "soul and funk, 4 stars",
    "something to clean the house to", "quiet reading music, 1 hour", "party starters, 30 songs",
    "road trip classics", "fire and gold", "river songs", "summer rain, 45 minutes", "blue city nights",
    "light jazz brunch, 25 songs"};

double ms_since(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double percentile(std::vector<double> values, double p) {
    std::sort(values.begin(), values.end());
    const double at = p * static_cast<double>(values.size() - 1);
    const auto lo = static_cast<size_t>(std::floor(at)), hi = static_cast<size_t>(std::ceil(at));
    return values[lo] + (values[hi] - values[lo]) * (at - static_cast<double>(lo));
}

fs::path self_dir() { return fs::read_symlink("/proc/self/exe").parent_path(); }

struct EmbedderChoice {
    std::string plugin_id;      // as named in the config
    fs::path file;
    SettingList settings;
    std::string config_line;    // `local: { ... }`
};

EmbedderChoice choose_embedder() {
    const fs::path build = self_dir().parent_path();
    const fs::path local_st = build / "lib" / "plexmix" / "plugins" / "local-st.so";
    if (fs::exists(local_st)) return {"local-st", local_st, {}, "{ plugin: local-st }"};
    return {"toy-embedder", build / "examples" / "plugins" / "toy-embedder.so", {{"dimension", "512"}},
            "{ plugin: toy-embedder, dimension: 512 }"};
}

std::unique_ptr<Provider> make_embedder(const EmbedderChoice& choice, std::unique_ptr<LoadedPlugin>& keep) {
    LoadResult loaded = load_plugin(choice.file);
    if (!loaded.ok()) throw std::runtime_error("cannot load " + choice.file.string() + ": " + loaded.error);
    keep = std::move(loaded.plugin);
    auto runtime = std::make_unique<ProviderRuntime>("local", "embedder", CallPolicy{}, 1u);
    std::string error;
    auto instance = PluginInstance::create(*keep, choice.settings, *runtime, &error);
    if (!instance) throw std::runtime_error("cannot create the embedder: " + error);
    return std::make_unique<Provider>("local", std::move(runtime), std::move(instance));
}

TrackRecord make_track(size_t i, std::mt19937_64& rng) {
    const size_t album = i / kTracksPerAlbum, artist = album % kArtists;
    TrackRecord t;
    t.has = PMX_TRACK_HAS_YEAR | PMX_TRACK_HAS_RATING;
    t.key = std::to_string(100000 + i);
    t.title = kWords[rng() % kWords.size()] + " " + kWords[rng() % kWords.size()] + " " + std::to_string(i % 97);
    t.artist = "Artist " + std::to_string(artist);
    t.artist_key = "ar" + std::to_string(artist);
    t.album = "Album " + std::to_string(album);
    t.album_key = "al" + std::to_string(album);
    t.album_artist = t.artist;
    t.genres = {kGenres[album % kGenres.size()]};
    if (album % 7 == 0) t.genres.push_back(kGenres[(album / 7) % kGenres.size()]);
    t.year = static_cast<int32_t>(1950 + album % 75);
    t.duration_ms = 90'000 + rng() % 420'000;
    t.user_rating = static_cast<int32_t>(rng() % 11);
    t.file_path = "/music/" + t.artist + "/" + t.album + "/" + t.key + ".flac";
    if (i % 3 == 0) {
        t.has |= PMX_TRACK_HAS_PLAY_COUNT | PMX_TRACK_HAS_LAST_PLAYED;
        t.play_count = 1 + rng() % 20;
        t.last_played_at = 1'700'000'000 - static_cast<int64_t>(rng() % (400 * 86400));
    }
    return t;
}

void build_mirror(const fs::path& dir, size_t tracks, const std::string& model_name, const std::string& embedder_line) {
    fs::create_directories(dir);
    auto store = Store::open(dir / kStoreFileName);
    std::mt19937_64 rng(42);
    const int64_t server = store->upsert_server("home", "plex", ServerInfo{"bench-server", "Bench", "1.0", "Plex"},
                                                "http://127.0.0.1:9");
    auto start = Clock::now();
    {
        Store::Transaction transaction(*store);
        TrackWriter writer(transaction, server);
        for (size_t i = 0; i < tracks; ++i) writer.upsert(make_track(i, rng));
        transaction.commit();
    }
    std::printf("mirror: %zu tracks written in %.1f s\n", tracks, ms_since(start) / 1000.0);

    start = Clock::now();
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<float> centres(kCentres * kDim);
    for (auto& x : centres) x = normal(rng);
    EmbeddingStore embeddings(*store);
    const EmbeddingModel model = embeddings.ensure_model(model_name, kDim);
    const auto ids = embeddings.track_ids();
    constexpr size_t kBatch = 2000;
    for (size_t from = 0; from < ids.size(); from += kBatch) {
        const size_t n = std::min(kBatch, ids.size() - from);
        std::vector<float> vectors(n * kDim);
        for (size_t r = 0; r < n; ++r) {
            const float* c = &centres[(rng() % kCentres) * kDim];
            float norm = 0;
            for (size_t d = 0; d < kDim; ++d) {
                const float v = c[d] + 0.6f * normal(rng);
                vectors[r * kDim + d] = v;
                norm += v * v;
            }
            norm = std::sqrt(norm);
            for (size_t d = 0; d < kDim; ++d) vectors[r * kDim + d] /= norm;
        }
        const std::vector<uint64_t> hashes(n, 0);
        embeddings.put_vectors(model, std::span(ids).subspan(from, n), hashes, vectors);
    }
    // Build the index file now, as `embeddings generate` would.
    const auto current = embeddings.find_model(model_name);
    open_model_index(*store, *current, index_file(vectors_dir(dir), model_name));
    std::printf("vectors: %zu × %u stored and indexed in %.1f s\n", ids.size(), kDim, ms_since(start) / 1000.0);

    std::ofstream config(dir / "plexmix.yaml", std::ios::trunc);
    config << "data_dir: " << dir.string() << "\n"
           << "log: { file: false }\n"
           << "providers:\n"
           << "  home: { plugin: plex, url: http://127.0.0.1:9, token: unused }  # never contacted: --dry-run\n"
           << "  local: " << embedder_line << "\n"
           << "use: { media: [home], embedder: local }\n";
}

void in_process(const fs::path& dir, Provider& embedder) {
    auto store = Store::open(dir / kStoreFileName);
    const int64_t server = store->servers_of_provider("home").front().id;
    gen::IndexCache cache;
    gen::GenerateServices services;
    services.store = store.get();
    services.sources.push_back({"home", server, nullptr});
    services.embedder = &embedder;
    services.index_dir = vectors_dir(dir);
    services.index_cache = &cache;
    const auto pipeline = gen::default_generate_pipeline();
    std::map<std::string, std::pair<double, int>> parts;  // what → (total ms, count)
    auto run = [&](const std::string& prompt, size_t* tracks) {
        gen::GenerateContext ctx;
        ctx.input.prompt = prompt;
        ctx.input.publish = ctx.input.save = false;
        gen::run_pipeline(pipeline, ctx, services);
        for (const auto& [what, ms] : ctx.timings) {
            auto& slot = parts[what];
            slot.first += ms;
            ++slot.second;
        }
        if (tracks) *tracks = ctx.tracks.size();
        return ctx.candidates.size();
    };
    auto start = Clock::now();
    run("warm up: load the index", nullptr);
    std::printf("\nin process: first run (loads the index) %.0f ms\n", ms_since(start));
    parts.clear();
    std::vector<double> times;
    size_t tracks_total = 0, candidates_total = 0;
    constexpr int kRounds = 2;
    for (int round = 0; round < kRounds; ++round) {
        for (const auto& prompt : kPrompts) {
            size_t tracks = 0;
            start = Clock::now();
            candidates_total += run(prompt, &tracks);
            times.push_back(ms_since(start));
            tracks_total += tracks;
        }
    }
    std::printf("in process: %zu runs of %zu prompts: p50 %.1f ms, p95 %.1f ms, max %.1f ms "
                "(mean %.0f candidates, %.1f tracks per playlist)\n",
                times.size(), kPrompts.size(), percentile(times, 0.5), percentile(times, 0.95),
                *std::max_element(times.begin(), times.end()),
                static_cast<double>(candidates_total) / static_cast<double>(times.size()),
                static_cast<double>(tracks_total) / static_cast<double>(times.size()));
    std::printf("in process, mean per run:");
    for (const auto& [what, slot] : parts) {
        std::printf(" %s %.1f ms;", what.c_str(), slot.first / static_cast<double>(times.size()));
    }
    std::printf("\n");
}

void from_process_start(const fs::path& dir) {
    const fs::path build = self_dir().parent_path();
    const std::string cli = (build / "bin" / "plexmix").string();
    const std::string examples = (build / "examples" / "plugins").string();
    const std::string config = (dir / "plexmix.yaml").string();
    std::vector<double> times;
    for (size_t i = 0; i < kCliRuns; ++i) {
        const std::string& prompt = kPrompts[(i * 7) % kPrompts.size()];
        std::vector<std::string> args{cli, "--config", config, "--plugin-path", examples, "create", prompt, "--dry-run"};
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
        const auto start = Clock::now();
        pid_t pid = 0;
        if (posix_spawn(&pid, cli.c_str(), &actions, nullptr, argv.data(), environ) != 0) {
            throw std::runtime_error("cannot run " + cli);
        }
        int status = 0;
        waitpid(pid, &status, 0);
        const double ms = ms_since(start);
        posix_spawn_file_actions_destroy(&actions);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            std::printf("plexmix create failed (status %d) for \"%s\"\n", status, prompt.c_str());
            continue;
        }
        if (i > 0) times.push_back(ms);  // the first run warms the page cache
    }
    if (times.empty()) return;
    std::printf("process start → printed playlist (plexmix create --dry-run): %zu runs: p50 %.0f ms, p95 %.0f ms\n",
                times.size(), percentile(times, 0.5), percentile(times, 0.95));
}

}  // namespace

int main(int argc, char** argv) {
    size_t tracks = 100'000;
    fs::path dir;
    bool keep = false;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--tracks") && i + 1 < argc) tracks = std::stoul(argv[++i]);
        else if (!std::strcmp(argv[i], "--dir") && i + 1 < argc) dir = argv[++i];
        else if (!std::strcmp(argv[i], "--keep")) keep = true;
        else {
            std::fprintf(stderr, "usage: generate_bench [--tracks N] [--dir DIR] [--keep]\n");
            return 2;
        }
    }
    const bool temporary = dir.empty();
    if (temporary) dir = fs::temp_directory_path() / ("plexmix-generate-bench-" + std::to_string(::getpid()));
    try {
        const EmbedderChoice choice = choose_embedder();
        std::unique_ptr<LoadedPlugin> plugin;
        auto embedder = make_embedder(choice, plugin);
        EmbedderInfo info;
        if (!embedder->embedder_info(&info).ok() || info.dimension != kDim) {
            throw std::runtime_error(choice.plugin_id + " does not give " + std::to_string(kDim) + "-d vectors");
        }
        std::printf("generate_bench: %zu tracks, embedder %s (model %s, %u-d)\n", tracks, choice.plugin_id.c_str(),
                    info.model.c_str(), info.dimension);
        if (!fs::exists(dir / kStoreFileName)) build_mirror(dir, tracks, info.model, choice.config_line);
        in_process(dir, *embedder);
        from_process_start(dir);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "generate_bench: %s\n", e.what());
        if (temporary && !keep) fs::remove_all(dir);
        return 1;
    }
    if (temporary && !keep) fs::remove_all(dir);
    else std::printf("data kept in %s\n", dir.string().c_str());
    return 0;
}
