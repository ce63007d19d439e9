// Shared by the cohere tests: the plugin loaded from disk, providers of it over the fake Cohere API, request readers.
#pragma once

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include "plugin/loader.hpp"
#include "plugin/provider.hpp"
#include "support/fake_llm.hpp"

namespace pmx::test {

// The plugin is loaded once and stays mapped until exit, as in the host.
inline LoadedPlugin& cohere_plugin() {
    static std::unique_ptr<LoadedPlugin> plugin = [] {
        LoadResult r = load_plugin(PMX_COHERE_PLUGIN);
        INFO(r.error);
        REQUIRE(r.ok());
        return std::move(r.plugin);
    }();
    return *plugin;
}

inline FakeLlm cohere_fake() { return FakeLlm(FakeLlmOptions{.api = LlmApi::cohere}); }

// One attempt per call, short timeouts: faults show as they are.
inline CallPolicy one_attempt() {
    CallPolicy p;
    p.retries = 0;
    p.timeout = std::chrono::seconds(10);
    p.deadline = std::chrono::seconds(20);
    return p;
}

// `base` with each of `extra` set (replacing a setting of the same key).
inline SettingList with(SettingList base, SettingList extra) {
    for (auto& kv : extra) {
        const auto same = std::find_if(base.begin(), base.end(), [&](const auto& b) { return b.first == kv.first; });
        if (same != base.end()) same->second = std::move(kv.second);
        else base.push_back(std::move(kv));
    }
    return base;
}

// Settings that point the plugin at `llm` (its /v2 root) with the fake's key; defaults otherwise.
inline SettingList cohere_settings(const FakeLlm& llm, SettingList extra = {}) {
    return with({{"base_url", llm.url() + "/v2"}, {"api_key", llm.key()}}, std::move(extra));
}

// Tries to create an instance; returns the error (empty when it was created).
inline std::string create_error(const SettingList& settings) {
    ProviderRuntime runtime("cohere", "cohere", one_attempt(), 1);
    std::string error;
    auto instance = PluginInstance::create(cohere_plugin(), settings, runtime, &error);
    return instance ? std::string() : error;
}

inline std::unique_ptr<Provider> cohere_provider(const SettingList& settings, CallPolicy policy = one_attempt(),
                                                 RuntimeHooks hooks = {}) {
    LoadedPlugin& plugin = cohere_plugin();
    auto runtime = std::make_unique<ProviderRuntime>("cohere", plugin.info().id, policy,
                                                     plugin.info().max_concurrent_calls, std::move(hooks));
    std::string error;
    auto instance = PluginInstance::create(plugin, settings, *runtime, &error);
    INFO(error);
    REQUIRE(instance);
    return std::make_unique<Provider>("cohere", std::move(runtime), std::move(instance));
}

// The JSON body of a recorded request.
inline rapidjson::Document body_of(const FakeRequest& request) {
    rapidjson::Document doc;
    doc.Parse(request.body.c_str(), request.body.size());
    INFO(request.body);
    REQUIRE_FALSE(doc.HasParseError());
    return doc;
}

// The recorded requests to `path`, in arrival order.
inline std::vector<FakeRequest> requests_to(const FakeLlm& llm, const std::string& path) {
    std::vector<FakeRequest> out;
    for (auto& r : llm.http().requests()) {
        if (r.path == path) out.push_back(std::move(r));
    }
    return out;
}

// The key went only in the Authorization header: not in the target, not in the body.
inline void check_key_only_in_header(const FakeRequest& r, const std::string& key) {
    REQUIRE(r.header("authorization"));
    CHECK(*r.header("authorization") == "Bearer " + key);
    CHECK(r.target.find(key) == std::string::npos);
    CHECK(r.body.find(key) == std::string::npos);
}

}  // namespace pmx::test
