// sample: the plugin's entry — its settings, their validation, and the one exported symbol.
#include <pmx/plugin.hpp>

#include <cstdint>
#include <memory>
#include <string>

#include "sample_source.hpp"

namespace {

namespace sdk = pmx::sdk;
using pmx::sample::SampleSource;
using pmx::sample::SourceConfig;

constexpr std::int64_t kMaxTracks = 1'000'000;  // ~1 s and a few hundred MB: a sane ceiling
constexpr std::int64_t kDefaultPageSize = 500;
constexpr std::int64_t kMaxPageSize = 50'000;

constexpr pmx_setting_spec kTracks = sdk::setting(
    PMX_SETTING_INT, "tracks", "3000", "Number of tracks in the generated library (1..1000000)");
constexpr pmx_setting_spec kSeed = sdk::setting(
    PMX_SETTING_INT, "seed", "1", "Seed of the generator: the same seed always gives the same library");
constexpr pmx_setting_spec kPlaylistsFile = sdk::setting(
    PMX_SETTING_STRING, "playlists_file", "",
    "JSON file that keeps playlists written to this source between runs; empty = in memory only");
constexpr pmx_setting_spec kPageSize = sdk::setting(
    PMX_SETTING_INT, "page_size", "500", "Tracks per scan page when the host does not ask (1..50000)");
constexpr const pmx_setting_spec* kSettings[] = {&kTracks, &kSeed, &kPlaylistsFile, &kPageSize, nullptr};

std::int64_t in_range(const sdk::Settings& settings, const char* key, std::int64_t fallback, std::int64_t lo,
                      std::int64_t hi) {
    const std::int64_t value = settings.get_int(key).value_or(fallback);
    if (value < lo || value > hi) {
        throw sdk::Error(PMX_INVALID_INPUT, std::string("sample: the setting `") + key + "` must be between " +
                                                std::to_string(lo) + " and " + std::to_string(hi) + ", not " +
                                                std::to_string(value));
    }
    return value;
}

// Generates the library here (a few milliseconds for 3,000 tracks); no I/O.
std::unique_ptr<sdk::Instance> create(const sdk::Settings& settings, sdk::Call& /*call*/) {
    SourceConfig config;
    config.tracks = static_cast<std::size_t>(in_range(settings, "tracks", 3000, 1, kMaxTracks));
    config.seed = settings.get_int("seed").value_or(1);
    config.page_size =
        static_cast<std::uint32_t>(in_range(settings, "page_size", kDefaultPageSize, 1, kMaxPageSize));
    config.playlists_file = std::string(settings.get("playlists_file").value_or(""));
    return std::make_unique<SampleSource>(std::move(config));
}

constexpr const char* kInterfaces[] = {PMX_IFACE_MEDIA_SOURCE, nullptr};

constexpr sdk::Descriptor kSample{
    "sample",
    "plexmix sample library",
    pmx::sample::kPluginVersion,
    "A generated music library (artists, albums, genres, years, ratings) for demos and tests: no server",
    kInterfaces,
    &create,
    kSettings,
};

}  // namespace

PMX_PLUGIN(kSample);
