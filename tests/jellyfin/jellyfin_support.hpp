// Shared by the jellyfin tests: the plugin loaded from disk once (with a state dir), providers of it over the fake.
#pragma once

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include <catch2/catch.hpp>

#include "host/plugin_host.hpp"
#include "plugin/loader.hpp"
#include "plugin/provider.hpp"
#include "support/fake_jellyfin.hpp"
#include "support/test_util.hpp"

namespace pmx::test {

// The data dir whose plugins/jellyfin is the plugin's state_dir in this process (set before
// the plugin is loaded: the host gives each plugin its state_dir when it loads it).
inline const std::filesystem::path& jellyfin_data_dir() {
    static TempDir dir;
    return dir.path();
}

inline std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline LoadedPlugin& jellyfin_plugin() {
    static std::unique_ptr<LoadedPlugin> plugin = [] {
        PluginHost::set_data_dir(jellyfin_data_dir().string());
        LoadResult r = load_plugin(PMX_JELLYFIN_PLUGIN);
        INFO(r.error);
        REQUIRE(r.ok());
        return std::move(r.plugin);
    }();
    return *plugin;
}

inline CallPolicy jellyfin_policy() {
    CallPolicy p;
    p.retries = 0;  // one attempt per call: faults show as they are
    p.timeout = std::chrono::seconds(5);
    p.deadline = std::chrono::seconds(20);
    return p;
}

// Settings for each way in.
inline SettingList api_key_settings(const FakeJellyfin& jf, const std::string& user = FakeJellyfin::kAdmin) {
    return {{"url", jf.url()}, {"api_key", jf.api_key()}, {"user", user}, {"page_size", "100"}};
}
inline SettingList token_settings(const FakeJellyfin& jf, const std::string& user = FakeJellyfin::kUser) {
    return {{"url", jf.url()}, {"token", jf.token_of(user)}, {"page_size", "100"}};
}
inline SettingList password_settings(const FakeJellyfin& jf, const std::string& user = FakeJellyfin::kUser,
                                     const std::string& password = FakeJellyfin::kUserPassword) {
    return {{"url", jf.url()}, {"username", user}, {"password", password}, {"page_size", "100"}};
}

inline std::unique_ptr<Provider> jellyfin_provider(const SettingList& settings, CallPolicy policy = jellyfin_policy()) {
    LoadedPlugin& plugin = jellyfin_plugin();
    auto runtime = std::make_unique<ProviderRuntime>("home", plugin.info().id, policy, plugin.info().max_concurrent_calls);
    std::string error;
    auto instance = PluginInstance::create(plugin, settings, *runtime, &error);
    INFO(error);
    REQUIRE(instance);
    return std::make_unique<Provider>("home", std::move(runtime), std::move(instance));
}

inline std::string jellyfin_create_error(const SettingList& settings) {
    LoadedPlugin& plugin = jellyfin_plugin();
    ProviderRuntime runtime("home", "jellyfin", jellyfin_policy(), 1);
    std::string error;
    auto instance = PluginInstance::create(plugin, settings, runtime, &error);
    return instance ? std::string() : error;
}

}  // namespace pmx::test
