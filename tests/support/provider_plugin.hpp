// Shared by the provider-plugin tests (openai, cohere, ...): a plugin loaded from disk once,
// providers of it, settings lists, and readers of the requests a fake recorded.
#pragma once

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include "plugin/loader.hpp"
#include "plugin/provider.hpp"
#include "support/fake_http_server.hpp"
#include "support/fake_llm.hpp"

namespace pmx::test {

// The plugin at `path`, loaded once; it stays mapped until exit, as in the host.
inline LoadedPlugin& plugin_from(const std::string& path) {
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

// Tries to create an instance of `plugin`; returns the error (empty when it was created).
inline std::string create_error_of(LoadedPlugin& plugin, const std::string& name, const SettingList& settings) {
    ProviderRuntime runtime(name, name, one_attempt(), 1);
    std::string error;
    auto instance = PluginInstance::create(plugin, settings, runtime, &error);
    return instance ? std::string() : error;
}

// A provider named `name` of `plugin` (the test fails when the instance cannot be created).
inline std::unique_ptr<Provider> provider_of(LoadedPlugin& plugin, const std::string& name,
                                             const SettingList& settings, CallPolicy policy, RuntimeHooks hooks) {
    auto runtime = std::make_unique<ProviderRuntime>(name, plugin.info().id, policy, plugin.info().max_concurrent_calls,
                                                     std::move(hooks));
    std::string error;
    auto instance = PluginInstance::create(plugin, settings, *runtime, &error);
    INFO(error);
    REQUIRE(instance);
    return std::make_unique<Provider>(name, std::move(runtime), std::move(instance));
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

}  // namespace pmx::test
