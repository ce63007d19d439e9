// Shared by the sample tests: the plugin loaded from disk, providers made of it, whole scans.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "plugin/loader.hpp"
#include "plugin/provider.hpp"

namespace pmx::test::sample {

// Settings of one instance; every declared key is passed, as the host does after defaults.
struct SampleSettings {
    std::int64_t tracks = 3000;
    std::int64_t seed = 1;
    std::string playlists_file;
    std::int64_t page_size = 500;
};

// The plugin is loaded once and stays mapped until exit, as in the host.
inline LoadedPlugin& sample_plugin() {
    static std::unique_ptr<LoadedPlugin> plugin = [] {
        LoadResult r = load_plugin(PMX_SAMPLE_PLUGIN);
        INFO(r.error);
        REQUIRE(r.ok());
        return std::move(r.plugin);
    }();
    return *plugin;
}

inline SettingList setting_list(const SampleSettings& s) {
    return {{"tracks", std::to_string(s.tracks)},
            {"seed", std::to_string(s.seed)},
            {"playlists_file", s.playlists_file},
            {"page_size", std::to_string(s.page_size)}};
}

// Null and *error set when the plugin refuses the settings.
inline std::unique_ptr<Provider> try_make_sample(const SampleSettings& s, std::string* error) {
    LoadedPlugin& plugin = sample_plugin();
    CallPolicy policy;
    policy.retries = 0;
    auto runtime = std::make_unique<ProviderRuntime>("sample", plugin.info().id, policy,
                                                     plugin.info().max_concurrent_calls);
    auto instance = PluginInstance::create(plugin, setting_list(s), *runtime, error);
    if (!instance) return nullptr;
    return std::make_unique<Provider>("sample", std::move(runtime), std::move(instance));
}

inline std::unique_ptr<Provider> make_sample(const SampleSettings& s = {}) {
    std::string error;
    auto provider = try_make_sample(s, &error);
    INFO(error);
    REQUIRE(provider);
    return provider;
}

struct Scan {
    std::vector<TrackRecord> tracks;
    std::vector<std::uint64_t> totals;  // one per page
    std::size_t pages = 0;
};

// Pages through the library as the host does: one call per page, the cursor passed back.
inline Scan scan_all(Provider& provider, std::int32_t order = PMX_SCAN_ORDER_ANY, std::uint32_t flags = 0) {
    Scan scan;
    std::string cursor;
    for (;;) {
        ScanPage page;
        const CallResult r = provider.scan_page("1", cursor, order, flags, &page);
        INFO(r.message);
        REQUIRE(r.ok());
        ++scan.pages;
        REQUIRE(page.total);
        scan.totals.push_back(*page.total);
        for (auto& t : page.tracks) scan.tracks.push_back(std::move(t));
        if (!page.next_cursor) return scan;
        REQUIRE(scan.pages < 100'000);
        cursor = *page.next_cursor;
    }
}

}  // namespace pmx::test::sample
