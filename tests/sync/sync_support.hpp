// Shared by the sync tests: the plex plugin from disk, a provider over the fake Plex, the CLI.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "plugin/loader.hpp"
#include "plugin/provider.hpp"
#include "store/store.hpp"
#include "support/fake_plex.hpp"
#include "support/test_util.hpp"
#include "sync/sync.hpp"

namespace pmx::test {

inline constexpr const char* kProvider = "home";

inline LoadedPlugin& plex_plugin() {
    static std::unique_ptr<LoadedPlugin> plugin = [] {
        LoadResult r = load_plugin(PMX_PLEX_PLUGIN);
        INFO(r.error);
        REQUIRE(r.ok());
        return std::move(r.plugin);
    }();
    return *plugin;
}

// A provider of the plex plugin over `plex`; `policy` defaults to no retries and 5 s timeouts.
inline std::unique_ptr<Provider> plex_provider(const FakePlex& plex, uint32_t page_size = 100,
                                               std::optional<CallPolicy> policy = std::nullopt,
                                               RuntimeHooks hooks = {}) {
    if (!policy) {
        policy = CallPolicy{};
        policy->retries = 0;
        policy->timeout = std::chrono::seconds(5);
    }
    auto runtime = std::make_unique<ProviderRuntime>(kProvider, "plex", *policy, 1, std::move(hooks));
    std::string error;
    auto instance = PluginInstance::create(
        plex_plugin(), {{"url", plex.url()}, {"token", plex.token()}, {"page_size", std::to_string(page_size)}},
        *runtime, &error);
    INFO(error);
    REQUIRE(instance);
    return std::make_unique<Provider>(kProvider, std::move(runtime), std::move(instance));
}

// One SyncOptions::progress call.
struct ProgressCall {
    uint64_t done, total;
};

inline SyncReport run_sync(Store& store, Provider& provider, bool full = false,
                           std::vector<ProgressCall>* progress = nullptr) {
    SyncOptions options;
    options.full = full;
    if (progress) options.progress = [progress](uint64_t done, uint64_t total) { progress->push_back({done, total}); };
    return sync_source(store, provider, kProvider, "plex", "", options);
}

// The printed "N tracks read, A added, U updated, C unchanged" adds up.
inline void check_counts_add_up(const SyncReport& r) {
    INFO("read " << r.read << ", added " << r.added << ", updated " << r.updated << ", unchanged " << r.unchanged);
    CHECK(r.read == r.added + r.updated + r.unchanged);
    CHECK(r.rekeyed <= r.updated);
}

// key -> row id of the mirror of the provider's server `identity`
inline std::map<std::string, int64_t> mirror(Store& store, const std::string& identity) {
    std::map<std::string, int64_t> out;
    const auto server = store.find_server(kProvider, identity);
    if (!server) return out;
    for (const auto& [id, key] : store.track_keys(server->id)) out[key] = id;
    return out;
}

inline CliRun run_plexmix(const std::string& args) { return run_cli(PMX_CLI, args); }

// A config with a Plex server at `url` as provider `home` (the file is replaced); `extra` is
// appended to the provider's settings.
inline std::filesystem::path write_config(const TempDir& dir, const std::string& url, const std::string& token,
                                          const std::string& extra = "page_size: 50, retries: 0") {
    const std::filesystem::path config = dir.path() / "plexmix.yaml";
    std::ofstream(config, std::ios::trunc) << "data_dir: " << (dir.path() / "data").string() << "\n"
                                           << "providers:\n  home: { plugin: plex, url: " << url
                                           << ", token: " << token << (extra.empty() ? "" : ", " + extra) << " }\n"
                                           << "use: { media: [home] }\n";
    return config;
}

inline std::filesystem::path write_config(const TempDir& dir, const FakePlex& plex,
                                          const std::string& extra = "page_size: 50, retries: 0") {
    return write_config(dir, plex.url(), plex.token(), extra);
}

inline std::string cli_args(const std::filesystem::path& config) {
    return "--config " + config.string() + " --plugin-path " +
           std::filesystem::path(PMX_PLEX_PLUGIN).parent_path().string();
}

}  // namespace pmx::test
