// Shared by the openai tests: the plugin loaded from disk, providers of it over the fake LLM, request readers.
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

inline LoadedPlugin& openai_plugin() { return plugin_from(PMX_OPENAI_PLUGIN); }

// Settings that point the plugin at `llm` as the OpenAI API itself (a key, base64, known models).
inline SettingList openai_settings(const FakeLlm& llm, SettingList extra = {}) {
    return with({{"base_url", llm.url() + "/v1"}, {"api_key", llm.key()}, {"server", "openai"}}, std::move(extra));
}

// Settings for `llm` as a compatible local server: base_url only (127.0.0.1 is not OpenAI's host).
inline SettingList compatible_settings(const FakeLlm& llm, SettingList extra = {}) {
    return with({{"base_url", llm.url() + "/v1"}}, std::move(extra));
}

// Tries to create an instance; returns the error (empty when it was created).
inline std::string create_error(const SettingList& settings) {
    return create_error_of(openai_plugin(), "openai", settings);
}

inline std::unique_ptr<Provider> openai_provider(const SettingList& settings, CallPolicy policy = one_attempt(),
                                                 RuntimeHooks hooks = {}) {
    return provider_of(openai_plugin(), "openai", settings, policy, std::move(hooks));
}

// response_format.type of a chat request ("" when none was sent).
inline std::string response_format_of(const FakeRequest& request) {
    const rapidjson::Document doc = body_of(request);
    const auto rf = doc.FindMember("response_format");
    if (rf == doc.MemberEnd()) return "";
    return rf->value["type"].GetString();
}

}  // namespace pmx::test
