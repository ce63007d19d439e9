// Helpers for tests/create: a generated mirror, a toy embedder from disk, and the pipeline run.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <pmx/plugin.h>

#include "embed/embed_pass.hpp"
#include "embed/model_index.hpp"
#include "generate/pipeline.hpp"
#include "model/media.hpp"
#include "plugin/loader.hpp"
#include "plugin/provider.hpp"
#include "store/store.hpp"
#include "store/track_writer.hpp"
#include "support/test_util.hpp"

namespace pmx::test {

inline constexpr int64_t kNow = 1'700'000'000;  // "now" for avoid-recent (unix seconds)
inline constexpr int64_t kDay = 86'400;
inline const std::vector<std::string> kGenres{"Jazz", "Rock", "Metal", "Pop"};
inline const std::vector<std::string> kMoods{"rainy", "sunny", "night", "morning", "mellow", "loud", "slow"};
inline const std::vector<std::string> kThings{"street", "river", "piano", "guitar", "train"};

inline LoadedPlugin& plugin_at(const std::string& path) {
    static std::map<std::string, std::unique_ptr<LoadedPlugin>> loaded;
    auto& slot = loaded[path];
    if (!slot) {
        LoadResult r = load_plugin(path);
        INFO(r.error);
        REQUIRE(r.ok());
        slot = std::move(r.plugin);
    }
    return *slot;
}

inline std::unique_ptr<Provider> toy_embedder() {
    CallPolicy policy;
    policy.retries = 0;
    auto runtime = std::make_unique<ProviderRuntime>("local", "embedder", policy, 1u);
    std::string error;
    auto instance = PluginInstance::create(plugin_at(PMX_TOY_EMBEDDER), {}, *runtime, &error);
    INFO(error);
    REQUIRE(instance);
    return std::make_unique<Provider>("local", std::move(runtime), std::move(instance));
}

// Track i of the generated library: album i % 120 by artist album % 30; genre by album (every
// fifth album also "Pop"); year 1960 + album % 50; 2-7 minutes; rating i % 11; every fifth track
// played (i % 60) days before kNow; every 17th live.
inline TrackRecord library_track(size_t i) {
    const size_t album = i % 120, artist = album % 30;
    TrackRecord t;
    t.has = PMX_TRACK_HAS_YEAR | PMX_TRACK_HAS_RATING;
    t.key = std::to_string(10000 + i);
    t.title = kMoods[i % kMoods.size()] + " " + kThings[(i / 7) % kThings.size()] + " " + std::to_string(i) +
              (i % 17 == 0 ? " (Live)" : "");
    t.artist = "Artist " + std::to_string(artist);
    t.artist_key = "artist-" + std::to_string(artist);
    t.album = "Album " + std::to_string(album);
    t.album_key = "album-" + std::to_string(album);
    t.album_artist = t.artist;
    t.genres = {kGenres[album % kGenres.size()]};
    if (album % 5 == 0 && t.genres[0] != "Pop") t.genres.push_back("Pop");
    t.year = static_cast<int32_t>(1960 + album % 50);
    t.duration_ms = 120'000 + (i * 7919) % 300'000;
    t.user_rating = static_cast<int32_t>(i % 11);
    t.file_path = "/music/" + t.artist + "/" + t.album + "/" + t.key + ".flac";
    if (i % 5 == 0) {
        t.has |= PMX_TRACK_HAS_PLAY_COUNT | PMX_TRACK_HAS_LAST_PLAYED;
        t.play_count = 1;
        t.last_played_at = kNow - static_cast<int64_t>(i % 60) * kDay;
    }
    return t;
}

// A mirror of `n` library tracks (plus `extra`), optionally embedded with the toy embedder
// (index files in `dir`).
struct Mirror {
    std::unique_ptr<Store> store;
    int64_t server = 0;
    std::unique_ptr<Provider> embedder;
    TempDir dir;

    explicit Mirror(size_t n, bool embed = true, const std::vector<TrackRecord>& extra = {}) {
        store = Store::open_in_memory();
        server = store->upsert_server("home", "plex", ServerInfo{"machine-1", "Test", "1.0", "Plex"}, "");
        {
            Store::Transaction transaction(*store);
            TrackWriter writer(transaction, server);
            for (size_t i = 0; i < n; ++i) REQUIRE(writer.upsert(library_track(i)).track_id > 0);
            for (const auto& t : extra) REQUIRE(writer.upsert(t).track_id > 0);
            transaction.commit();
        }
        if (embed) {
            embedder = toy_embedder();
            EmbedOptions options;
            options.index_dir = vectors_dir(dir.path());
            const EmbedReport r = embed_tracks(*store, *embedder, options);
            INFO(r.error);
            REQUIRE(r.ok());
        }
    }

    gen::GenerateContext run(const std::string& prompt, gen::CliOptions options = {},
                             const gen::PipelineSpec& pipeline = gen::default_generate_pipeline()) {
        gen::GenerateServices services;
        services.store = store.get();
        services.sources.push_back({"home", server, nullptr});
        services.embedder = embedder.get();
        services.index_dir = vectors_dir(dir.path());
        gen::GenerateContext ctx;
        ctx.input.prompt = prompt;
        ctx.input.options = std::move(options);
        ctx.input.publish = false;
        ctx.input.save = false;
        ctx.input.now = kNow;
        gen::run_pipeline(pipeline, ctx, services);
        return ctx;
    }
};

}  // namespace pmx::test
