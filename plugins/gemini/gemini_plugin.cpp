// gemini: the plugin's entry — its settings, their validation, and the one exported symbol.
#include <pmx/plugin.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "gemini_api.hpp"
#include "gemini_instance.hpp"

namespace {

namespace sdk = pmx::sdk;
using pmx::gemini::Config;
using pmx::gemini::Gemini;

constexpr std::int64_t kMinDimensions = 1;
// Calls on one instance share nothing but constant settings: the host may run this many at once
// (the provider's `concurrency` picks how many it does).
constexpr std::uint32_t kMaxConcurrentCalls = 64;

constexpr pmx_setting_spec kApiKey = sdk::setting(
    PMX_SETTING_STRING, "api_key", nullptr,
    "Gemini API key (Google AI Studio); sent in the x-goog-api-key header, never in URLs",
    PMX_SETTING_REQUIRED | PMX_SETTING_SECRET);
constexpr pmx_setting_spec kBaseUrl = sdk::setting(
    PMX_SETTING_URL, "base_url", "https://generativelanguage.googleapis.com/v1beta",
    "API root, up to the version (a proxy or a test server may stand in)");
constexpr pmx_setting_spec kModel = sdk::setting(
    PMX_SETTING_STRING, "model", "gemini-2.5-flash",
    "Completion model; Google retires models, so a 404 means: set a current one here");
constexpr pmx_setting_spec kEmbeddingModel = sdk::setting(
    PMX_SETTING_STRING, "embedding_model", "gemini-embedding-001",
    "Embedding model (gemini-embedding-001: 3072 dimensions; text-embedding-004: 768)");
constexpr pmx_setting_spec kDimensions = sdk::setting(
    PMX_SETTING_INT, "dimensions", nullptr,
    "Vector size (outputDimensionality, e.g. 768 or 1536 for gemini-embedding-001); unset = the model's full size");
constexpr pmx_setting_spec kThinkingBudget = sdk::setting(
    PMX_SETTING_INT, "thinking_budget", "0",
    "Thinking tokens per answer for 2.5+ models: 0 = as little as the model allows (off on Flash, 128 on Pro), "
    "-1 = the model decides");
constexpr pmx_setting_spec kContextTokens = sdk::setting(
    PMX_SETTING_INT, "context_tokens", "1048576",
    "The completion model's context window in tokens (requests are sized to fit it)");
constexpr const pmx_setting_spec* kSettings[] = {&kApiKey,     &kBaseUrl,        &kModel,         &kEmbeddingModel,
                                                 &kDimensions, &kThinkingBudget, &kContextTokens, nullptr};

std::string required(const sdk::Settings& settings, std::string_view key) {
    const std::string_view value = settings.get(key).value_or(std::string_view());
    if (value.empty()) {
        throw sdk::Error(PMX_INVALID_INPUT, "gemini: the setting `" + std::string(key) + "` is required");
    }
    return std::string(value);
}

// No I/O here: the first call is what checks the key.
std::unique_ptr<sdk::Instance> create(const sdk::Settings& settings, sdk::Call& /*call*/) {
    Config config;
    config.connection.api_key = required(settings, "api_key");
    config.connection.base_url = required(settings, "base_url");
    while (!config.connection.base_url.empty() && config.connection.base_url.back() == '/') {
        config.connection.base_url.pop_back();
    }
    const std::string_view url = config.connection.base_url;
    if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
        throw sdk::Error(PMX_INVALID_INPUT, "gemini: the setting `base_url` must start with http:// or https://");
    }
    config.model = required(settings, "model");
    config.embedding_model = required(settings, "embedding_model");
    if (config.embedding_model.rfind("models/", 0) == 0) config.embedding_model.erase(0, 7);
    config.thinking_budget = settings.get_int("thinking_budget").value_or(0);
    if (const std::optional<std::int64_t> context = settings.get_int("context_tokens"); context && *context < 1) {
        throw sdk::Error(PMX_INVALID_INPUT, "gemini: the setting `context_tokens` must be positive");
    } else if (context) {
        config.context_tokens = static_cast<std::uint64_t>(*context);
    }

    const std::uint32_t known = pmx::gemini::known_embedding_dimension(config.embedding_model);
    const std::optional<std::int64_t> dimensions = settings.get_int("dimensions");
    if (dimensions && (*dimensions < kMinDimensions || (known != 0 && *dimensions > known))) {
        throw sdk::Error(PMX_INVALID_INPUT,
                         "gemini: the setting `dimensions` must be between 1 and " +
                             (known != 0 ? std::to_string(known) + " for " + config.embedding_model
                                         : std::string("the model's full size")) +
                             ", not " + std::to_string(*dimensions));
    }
    if (known == 0 && !dimensions) {
        throw sdk::Error(PMX_INVALID_INPUT, "gemini: the vector size of embedding model \"" + config.embedding_model +
                                                "\" is not known to this plugin: set `dimensions` to it");
    }
    config.full_dimension = known != 0 ? known : static_cast<std::uint32_t>(*dimensions);
    config.dimension = dimensions ? static_cast<std::uint32_t>(*dimensions) : known;
    return std::make_unique<Gemini>(std::move(config));
}

constexpr const char* kInterfaces[] = {PMX_IFACE_COMPLETER, PMX_IFACE_EMBEDDER, nullptr};

constexpr sdk::Descriptor kGemini{
    "gemini",
    "Google Gemini",
    pmx::gemini::kPluginVersion,
    "Gemini API: completions (generateContent, JSON by schema) and embeddings (batchEmbedContents)",
    kInterfaces,
    &create,
    kSettings,
    kMaxConcurrentCalls,
};

}  // namespace

PMX_PLUGIN(kGemini);
