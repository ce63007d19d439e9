// cohere: the plugin's entry — its settings, their validation, and the one exported symbol.
#include <pmx/plugin.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "cohere_api.hpp"
#include "cohere_instance.hpp"

namespace {

namespace sdk = pmx::sdk;
using pmx::cohere::Cohere;
using pmx::cohere::Config;

// Defaults, declared below and applied here too when a host gives no value.
constexpr const char* kDefaultBaseUrl = "https://api.cohere.com/v2";
constexpr const char* kDefaultModel = "command-a-03-2025";  // Command A: 256k context, 8k output
constexpr const char* kDefaultEmbeddingModel = "embed-v4.0";
constexpr std::int64_t kMaxDimensions = 65'536;
// Calls on one instance share nothing but constant settings: the host may run this many at
// once (the provider's `concurrency` picks how many it does).
constexpr std::uint32_t kMaxConcurrentCalls = 64;

constexpr pmx_setting_spec kApiKey = sdk::setting(
    PMX_SETTING_STRING, "api_key", nullptr,
    "Cohere API key; sent as Authorization: Bearer, never in URLs", PMX_SETTING_REQUIRED | PMX_SETTING_SECRET);
constexpr pmx_setting_spec kBaseUrl = sdk::setting(
    PMX_SETTING_URL, "base_url", kDefaultBaseUrl, "API root, up to the version (a proxy or a test server may stand in)");
constexpr pmx_setting_spec kModel = sdk::setting(
    PMX_SETTING_STRING, "model", kDefaultModel,
    "Command model of the completer; Cohere retires models, so a 404 means: set a current one here");
constexpr pmx_setting_spec kEmbeddingModel = sdk::setting(
    PMX_SETTING_STRING, "embedding_model", kDefaultEmbeddingModel,
    "Embedding model (embed-v4.0: 1536 dimensions; embed-english-v3.0, embed-multilingual-v3.0: 1024; "
    "their -light- variants: 384)");
constexpr pmx_setting_spec kDimensions = sdk::setting(
    PMX_SETTING_INT, "dimensions", nullptr,
    "Vector size: output_dimension for embed-v4.0 (256, 512, 1024 or 1536); the size of a model plexmix does "
    "not know; unset = the model's full size");
constexpr pmx_setting_spec kContextTokens = sdk::setting(
    PMX_SETTING_INT, "context_tokens", "256000",
    "The chat model's context window in tokens (requests are sized to fit it; command-r-08-2024: 128000)");
constexpr const pmx_setting_spec* kSettings[] = {&kApiKey,    &kBaseUrl,       &kModel, &kEmbeddingModel,
                                                 &kDimensions, &kContextTokens, nullptr};

[[noreturn]] void invalid(const std::string& message) { throw sdk::Error(PMX_INVALID_INPUT, "cohere: " + message); }

std::string required(const sdk::Settings& settings, std::string_view key, const char* fallback) {
    const std::string_view value = settings.get(key).value_or(fallback != nullptr ? fallback : "");
    if (value.empty()) invalid("the setting `" + std::string(key) + "` is required");
    return std::string(value);
}

// No I/O here: the first call is what checks the key.
std::unique_ptr<sdk::Instance> create(const sdk::Settings& settings, sdk::Call& /*call*/) {
    Config config;
    config.api_key = required(settings, "api_key", nullptr);
    config.base_url = required(settings, "base_url", kDefaultBaseUrl);
    while (!config.base_url.empty() && config.base_url.back() == '/') config.base_url.pop_back();
    if (config.base_url.rfind("http://", 0) != 0 && config.base_url.rfind("https://", 0) != 0) {
        invalid("the setting `base_url` must start with http:// or https://");
    }
    config.model = required(settings, "model", kDefaultModel);
    config.embedding_model = required(settings, "embedding_model", kDefaultEmbeddingModel);
    if (const std::optional<std::int64_t> context = settings.get_int("context_tokens"); context && *context < 1) {
        invalid("the setting `context_tokens` must be positive");
    } else if (context) {
        config.context_tokens = static_cast<std::uint64_t>(*context);
    }

    const pmx::cohere::KnownEmbedder* known = pmx::cohere::known_embedder(config.embedding_model);
    const std::optional<std::int64_t> dimensions = settings.get_int("dimensions");
    if (dimensions && (*dimensions < 1 || *dimensions > kMaxDimensions)) {
        invalid("the setting `dimensions` must be between 1 and " + std::to_string(kMaxDimensions) + ", not " +
                std::to_string(*dimensions));
    }
    if (known == nullptr) {
        // A model newer than this plugin: its size comes from the setting, sent as nothing.
        if (!dimensions) {
            invalid("the vector size of embedding model `" + config.embedding_model +
                    "` is not known to this plugin: set `dimensions` to it");
        }
        config.full_dimension = config.dimension = static_cast<std::uint32_t>(*dimensions);
    } else {
        config.full_dimension = known->dimension;
        config.dimension = dimensions ? static_cast<std::uint32_t>(*dimensions) : known->dimension;
        if (known->shortenable && dimensions && !pmx::cohere::valid_output_dimension(config.dimension)) {
            invalid("the setting `dimensions` must be 256, 512, 1024 or 1536 for " + config.embedding_model +
                    ", not " + std::to_string(config.dimension));
        }
        if (!known->shortenable && config.dimension != known->dimension) {
            invalid(config.embedding_model + " gives " + std::to_string(known->dimension) +
                    " dimensions, not " + std::to_string(config.dimension) +
                    " (the setting `dimensions`); only embed-v4.0 shortens its vectors");
        }
        config.send_output_dimension = known->shortenable && dimensions.has_value();
    }
    return std::make_unique<Cohere>(std::move(config));
}

constexpr const char* kInterfaces[] = {PMX_IFACE_COMPLETER, PMX_IFACE_EMBEDDER, nullptr};

constexpr sdk::Descriptor kCohere{
    "cohere",
    "Cohere",
    pmx::cohere::kPluginVersion,
    "Cohere v2 API: completions (chat, JSON by schema) and embeddings (embed, search_document/search_query)",
    kInterfaces,
    &create,
    kSettings,
    kMaxConcurrentCalls,
};

}  // namespace

PMX_PLUGIN(kCohere);
