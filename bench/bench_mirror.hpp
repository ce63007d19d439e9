// The 100k-track bench mirror shared by generate_bench and select_bench: tracks written through
// the store's TrackWriter, random clustered 512-d vectors stored for the embedder's model and
// indexed, a config for `plexmix create --dry-run`, and the prompts both benches run.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include <pmx/plugin.h>

#include "embed/model_index.hpp"
#include "model/media.hpp"
#include "plugin/loader.hpp"
#include "plugin/provider.hpp"
#include "store/embeddings_store.hpp"
#include "store/store.hpp"
#include "store/track_writer.hpp"

namespace pmx::bench {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

inline constexpr uint32_t kDim = 512;
inline constexpr size_t kCentres = 256;
inline constexpr size_t kArtists = 4000;
inline constexpr size_t kTracksPerAlbum = 10;

inline const std::vector<std::string> kGenres{"Jazz", "Rock", "Metal", "Pop", "Blues", "Soul", "Country", "Electronic",
                                       "Classical", "Hip-Hop", "Folk", "Reggae", "Punk", "Ambient", "Funk",
                                       "Bossa Nova", "Soundtrack", "R&B", "Latin", "Indie"};
inline const std::vector<std::string> kWords{"night", "rain", "summer", "river", "blue", "fire", "heart", "road", "city",
                                      "dream", "moon", "ocean", "dance", "slow", "gold", "shadow", "light", "home"};

inline const std::vector<std::string> kPrompts{
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

inline double ms_since(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

inline double percentile(std::vector<double> values, double p) {
    std::sort(values.begin(), values.end());
    const double at = p * static_cast<double>(values.size() - 1);
    const auto lo = static_cast<size_t>(std::floor(at)), hi = static_cast<size_t>(std::ceil(at));
    return values[lo] + (values[hi] - values[lo]) * (at - static_cast<double>(lo));
}

inline fs::path self_dir() { return fs::read_symlink("/proc/self/exe").parent_path(); }

struct EmbedderChoice {
    std::string plugin_id;      // as named in the config
    fs::path file;
    SettingList settings;
    std::string config_line;    // `local: { ... }`
};

inline EmbedderChoice choose_embedder() {
    const fs::path build = self_dir().parent_path();
    const fs::path local_st = build / "lib" / "plexmix" / "plugins" / "local-st.so";
    if (fs::exists(local_st)) return {"local-st", local_st, {}, "{ plugin: local-st }"};
    return {"toy-embedder", build / "examples" / "plugins" / "toy-embedder.so", {{"dimension", "512"}},
            "{ plugin: toy-embedder, dimension: 512 }"};
}

inline std::unique_ptr<Provider> make_embedder(const EmbedderChoice& choice, std::unique_ptr<LoadedPlugin>& keep) {
    LoadResult loaded = load_plugin(choice.file);
    if (!loaded.ok()) throw std::runtime_error("cannot load " + choice.file.string() + ": " + loaded.error);
    keep = std::move(loaded.plugin);
    auto runtime = std::make_unique<ProviderRuntime>("local", "embedder", CallPolicy{}, 1u);
    std::string error;
    auto instance = PluginInstance::create(*keep, choice.settings, *runtime, &error);
    if (!instance) throw std::runtime_error("cannot create the embedder: " + error);
    return std::make_unique<Provider>("local", std::move(runtime), std::move(instance));
}

inline TrackRecord make_track(size_t i, std::mt19937_64& rng) {
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

inline void build_mirror(const fs::path& dir, size_t tracks, const std::string& model_name, const std::string& embedder_line) {
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

}  // namespace pmx::bench
