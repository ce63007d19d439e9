// claude: the plugin's entry — its settings, their validation, and the one exported symbol.
#include <pmx/plugin.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "claude_api.hpp"
#include "claude_instance.hpp"

namespace {

namespace sdk = pmx::sdk;
using pmx::claude::Claude;
using pmx::claude::Config;

// Defaults, declared below and applied here too when a host gives no value.
constexpr const char* kDefaultBaseUrl = "https://api.anthropic.com/v1";
constexpr const char* kDefaultModel = "claude-haiku-4-5";  // current, the cheapest of the 4.5 family
constexpr const char* kDefaultVersion = "2023-06-01";      // the Messages API's version header
constexpr std::int64_t kMaxOutputTokens = 1'000'000;       // a sanity bound for the setting
// Calls on one instance share nothing but constant settings: the host may run this many at
// once (the provider's `concurrency` picks how many it does).
constexpr std::uint32_t kMaxConcurrentCalls = 16;

constexpr pmx_setting_spec kApiKey = sdk::setting(
    PMX_SETTING_STRING, "api_key", nullptr,
    "Anthropic API key; sent in the x-api-key header, never in URLs",
    PMX_SETTING_REQUIRED | PMX_SETTING_SECRET);
constexpr pmx_setting_spec kBaseUrl = sdk::setting(
    PMX_SETTING_URL, "base_url", kDefaultBaseUrl,
    "API root, up to /v1 (a proxy or a test server may stand in)");
constexpr pmx_setting_spec kModel = sdk::setting(
    PMX_SETTING_STRING, "model", kDefaultModel,
    "Claude model (e.g. claude-sonnet-4-5); Anthropic retires models, so a 404 means: set a current one here");
constexpr pmx_setting_spec kMaxTokens = sdk::setting(
    PMX_SETTING_INT, "max_tokens", nullptr,
    "Output tokens a request may use when the caller sets none; unset: 8192, always capped to the model's "
    "maximum (for a model plexmix does not know, this setting is its maximum; unset: 4096)");
constexpr pmx_setting_spec kAnthropicVersion = sdk::setting(
    PMX_SETTING_STRING, "anthropic_version", kDefaultVersion, "The anthropic-version header");
constexpr pmx_setting_spec kContextTokens = sdk::setting(
    PMX_SETTING_INT, "context_tokens", "200000",
    "The model's context window in tokens (requests are sized to fit it)");
constexpr const pmx_setting_spec* kSettings[] = {&kApiKey,          &kBaseUrl,      &kModel, &kMaxTokens,
                                                 &kAnthropicVersion, &kContextTokens, nullptr};

[[noreturn]] void invalid(const std::string& message) { throw sdk::Error(PMX_INVALID_INPUT, "claude: " + message); }

std::string required(const sdk::Settings& settings, std::string_view key, const char* fallback) {
    const std::string_view value = settings.get(key).value_or(fallback);
    if (value.empty()) invalid("the setting `" + std::string(key) + "` is required");
    return std::string(value);
}

// No I/O here: the first call is what checks the key.
std::unique_ptr<sdk::Instance> create(const sdk::Settings& settings, sdk::Call& /*call*/) {
    Config config;
    config.api_key = required(settings, "api_key", "");
    config.base_url = required(settings, "base_url", kDefaultBaseUrl);
    while (!config.base_url.empty() && config.base_url.back() == '/') config.base_url.pop_back();
    if (config.base_url.rfind("http://", 0) != 0 && config.base_url.rfind("https://", 0) != 0) {
        invalid("the setting `base_url` must start with http:// or https://");
    }
    config.model = required(settings, "model", kDefaultModel);
    config.anthropic_version = required(settings, "anthropic_version", kDefaultVersion);
    if (const std::optional<std::int64_t> max = settings.get_int("max_tokens")) {
        if (*max < 1 || *max > kMaxOutputTokens) {
            invalid("the setting `max_tokens` must be between 1 and " + std::to_string(kMaxOutputTokens) + ", not " +
                    std::to_string(*max));
        }
        config.max_tokens = static_cast<std::uint32_t>(*max);
    }
    if (const std::optional<std::int64_t> context = settings.get_int("context_tokens"); context && *context < 1) {
        invalid("the setting `context_tokens` must be positive");
    } else if (context) {
        config.context_tokens = static_cast<std::uint64_t>(*context);
    }
    return std::make_unique<Claude>(std::move(config));
}

constexpr const char* kInterfaces[] = {PMX_IFACE_COMPLETER, nullptr};

constexpr sdk::Descriptor kClaude{
    "claude",
    "Anthropic Claude",
    pmx::claude::kPluginVersion,
    "Claude Messages API: completions, JSON answers through a forced tool bound to the schema",
    kInterfaces,
    &create,
    kSettings,
    kMaxConcurrentCalls,
};

}  // namespace

PMX_PLUGIN(kClaude);
