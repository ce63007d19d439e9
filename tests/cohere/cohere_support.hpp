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
#include "support/provider_plugin.hpp"

namespace pmx::test {

inline LoadedPlugin& cohere_plugin() { return plugin_from(PMX_COHERE_PLUGIN); }

inline FakeLlm cohere_fake() { return FakeLlm(FakeLlmOptions{.api = LlmApi::cohere}); }

// Settings that point the plugin at `llm` (its /v2 root) with the fake's key; defaults otherwise.
inline SettingList cohere_settings(const FakeLlm& llm, SettingList extra = {}) {
    return with({{"base_url", llm.url() + "/v2"}, {"api_key", llm.key()}}, std::move(extra));
}

// Tries to create an instance; returns the error (empty when it was created).
inline std::string create_error(const SettingList& settings) {
    return create_error_of(cohere_plugin(), "cohere", settings);
}

inline std::unique_ptr<Provider> cohere_provider(const SettingList& settings, CallPolicy policy = one_attempt(),
                                                 RuntimeHooks hooks = {}) {
    return provider_of(cohere_plugin(), "cohere", settings, policy, std::move(hooks));
}

// The key went only in the Authorization header: not in the target, not in the body.
inline void check_key_only_in_header(const FakeRequest& r, const std::string& key) {
    REQUIRE(r.header("authorization"));
    CHECK(*r.header("authorization") == "Bearer " + key);
    CHECK(r.target.find(key) == std::string::npos);
    CHECK(r.body.find(key) == std::string::npos);
}

}  // namespace pmx::test
