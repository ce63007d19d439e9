// Helpers for tests/embed: a store with generated tracks, and embedder providers from disk.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <pmx/plugin.h>

#include "model/media.hpp"
#include "plugin/loader.hpp"
#include "plugin/provider.hpp"
#include "store/store.hpp"
#include "store/track_writer.hpp"

namespace pmx::test {

// The loaded plugin at `path`, loaded once per test program (libraries stay mapped).
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

// A provider named `name` of the plugin at `path` with `settings`; one attempt per call.
inline std::unique_ptr<Provider> embedder_provider(const std::string& path, const SettingList& settings,
                                                   const std::string& name = "local", int concurrency = 1) {
    CallPolicy policy;
    policy.retries = 0;
    policy.concurrency = concurrency;
    LoadedPlugin& plugin = plugin_at(path);
    auto runtime = std::make_unique<ProviderRuntime>(name, "embedder", policy,
                                                     static_cast<uint32_t>(concurrency));
    std::string error;
    auto instance = PluginInstance::create(plugin, settings, *runtime, &error);
    INFO(error);
    REQUIRE(instance);
    return std::make_unique<Provider>(name, std::move(runtime), std::move(instance));
}

inline TrackRecord make_track(const std::string& key, const std::string& title, std::vector<std::string> genres,
                              int year = 1999) {
    TrackRecord track;
    track.has = PMX_TRACK_HAS_YEAR;
    track.key = key;
    track.title = title;
    track.artist = "Artist " + key;
    track.artist_key = "artist-" + key;
    track.album = "Album " + key;
    track.album_key = "album-" + key;
    track.album_artist = track.artist;
    track.genres = std::move(genres);
    track.year = year;
    return track;
}

// A server with `tracks` written in one transaction; returns the server id.
inline int64_t add_tracks(Store& store, const std::vector<TrackRecord>& tracks) {
    const int64_t server = store.upsert_server("home", "plex", ServerInfo{"machine-1", "Test", "1.0", "Plex"},
                                               "http://127.0.0.1:32400");
    Store::Transaction transaction(store);
    TrackWriter writer(transaction, server);
    for (const auto& track : tracks) REQUIRE(writer.upsert(track).track_id > 0);
    transaction.commit();
    return server;
}

// `n` tracks; track i has genre "Jazz" when i % 3 == 0, else "Metal".
inline std::vector<TrackRecord> genre_tracks(size_t n) {
    std::vector<TrackRecord> tracks;
    for (size_t i = 0; i < n; ++i) {
        tracks.push_back(make_track(std::to_string(1000 + i), "Song " + std::to_string(i),
                                    {i % 3 == 0 ? "Jazz" : "Metal"}));
    }
    return tracks;
}

}  // namespace pmx::test
