// openai: the plugin's entry — its settings, their validation, and the one exported symbol.
#include <pmx/plugin.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "openai_api.hpp"
#include "openai_instance.hpp"

namespace {

namespace sdk = pmx::sdk;
using pmx::openai::Config;
using pmx::openai::JsonMode;
using pmx::openai::OpenAiInstance;
using pmx::openai::ServerKind;

constexpr std::string_view kOpenAiHost = "api.openai.com";
// Defaults, declared below and applied here too when a host gives no value.
constexpr const char* kDefaultBaseUrl = "https://api.openai.com/v1";
constexpr const char* kDefaultModel = "gpt-4o-mini";  // a current, cheap chat model
constexpr const char* kDefaultEmbeddingModel = "text-embedding-3-small";
constexpr std::int64_t kDefaultContextTokens = 128'000;  // gpt-4o-mini's window
constexpr std::int64_t kMaxBatch = 2048;  // the API's most inputs per request
// A local server embeds on the machine it runs on: smaller batches keep one request well
// inside the provider's timeout.
constexpr std::int64_t kCompatibleBatch = 256;
constexpr std::int64_t kMaxDimension = 65'536;
// The host calls an instance from several threads when the provider's `concurrency` allows.
constexpr std::uint32_t kMaxConcurrentCalls = 16;

constexpr pmx_setting_spec kApiKey = sdk::setting(
    PMX_SETTING_STRING, "api_key", nullptr,
    "API key, sent as Authorization: Bearer (required for api.openai.com; local servers need none)",
    PMX_SETTING_SECRET);
constexpr pmx_setting_spec kBaseUrl = sdk::setting(
    PMX_SETTING_URL, "base_url", kDefaultBaseUrl,
    "API root; an OpenAI-compatible server's, e.g. Ollama http://localhost:11434/v1");
constexpr pmx_setting_spec kServer = sdk::setting(
    PMX_SETTING_STRING, "server", "auto",
    "openai (the OpenAI API) or compatible (Ollama, LM Studio, llama.cpp, vLLM...); auto: by base_url's host");
constexpr pmx_setting_spec kModel = sdk::setting(
    PMX_SETTING_STRING, "model", kDefaultModel,
    "chat model of the completer; providers retire models, change it here when one is retired");
constexpr pmx_setting_spec kEmbeddingModel = sdk::setting(
    PMX_SETTING_STRING, "embedding_model", kDefaultEmbeddingModel,
    "embedding model of the embedder (text-embedding-3-small 1536-d, -large 3072-d, ada-002 1536-d)");
constexpr pmx_setting_spec kDimensions = sdk::setting(
    PMX_SETTING_INT, "dimensions", "0",
    "shorter vectors asked of text-embedding-3-* (e.g. 512); 0: the model's full size");
constexpr pmx_setting_spec kDimension = sdk::setting(
    PMX_SETTING_INT, "dimension", "0",
    "vector size of an embedding model plexmix does not know (required for it, e.g. 768 for nomic-embed-text)");
constexpr pmx_setting_spec kOrganization = sdk::setting(
    PMX_SETTING_STRING, "organization", "", "OpenAI organization id, sent as OpenAI-Organization; empty: none");
constexpr pmx_setting_spec kContextTokens = sdk::setting(
    PMX_SETTING_INT, "context_tokens", "128000",
    "the chat model's context window in tokens (gpt-4o-mini: 128000; local servers often 4096)");
constexpr pmx_setting_spec kJsonMode = sdk::setting(
    PMX_SETTING_STRING, "json_mode", "auto",
    "how JSON answers are asked for: json_schema, json_object, prompt; auto: the best the server takes");
constexpr pmx_setting_spec kBatchSize = sdk::setting(
    PMX_SETTING_INT, "batch_size", "0",
    "texts per embedding batch (1..2048); 0: 2048 for OpenAI, 256 for compatible servers");
constexpr const pmx_setting_spec* kSettings[] = {&kApiKey,    &kBaseUrl,      &kServer,       &kModel,
                                                 &kEmbeddingModel, &kDimensions, &kDimension,  &kOrganization,
                                                 &kContextTokens,  &kJsonMode,   &kBatchSize,  nullptr};

[[noreturn]] void invalid(const std::string& message) { throw sdk::Error(PMX_INVALID_INPUT, "openai: " + message); }

std::int64_t int_in(const sdk::Settings& settings, std::string_view key, std::int64_t low, std::int64_t high,
                    std::int64_t fallback = 0) {
    const std::int64_t value = settings.get_int(key).value_or(fallback);
    if (value < low || value > high) {
        invalid("the setting `" + std::string(key) + "` must be between " + std::to_string(low) + " and " +
                std::to_string(high) + ", not " + std::to_string(value));
    }
    return value;
}

// The host of "scheme://host[:port]/path".
std::string_view host_of(std::string_view url) {
    const std::size_t scheme = url.find("://");
    if (scheme != std::string_view::npos) url.remove_prefix(scheme + 3);
    return url.substr(0, url.find_first_of(":/"));
}

// No I/O here: the first call is what checks the key and the server.
std::unique_ptr<sdk::Instance> create(const sdk::Settings& settings, sdk::Call& /*call*/) {
    Config config;
    config.base_url = std::string(settings.get("base_url").value_or(kDefaultBaseUrl));
    while (!config.base_url.empty() && config.base_url.back() == '/') config.base_url.pop_back();
    if (config.base_url.rfind("http://", 0) != 0 && config.base_url.rfind("https://", 0) != 0) {
        invalid("the setting `base_url` must start with http:// or https://");
    }
    const std::string_view server = settings.get("server").value_or("auto");
    if (server == "auto") {
        config.server = host_of(config.base_url) == kOpenAiHost ? ServerKind::openai : ServerKind::compatible;
    } else if (server == "openai") {
        config.server = ServerKind::openai;
    } else if (server == "compatible") {
        config.server = ServerKind::compatible;
    } else {
        invalid("the setting `server` must be auto, openai or compatible, not `" + std::string(server) + "`");
    }
    config.api_key = std::string(settings.get("api_key").value_or(""));
    if (config.server == ServerKind::openai && config.api_key.empty()) {
        invalid("the setting `api_key` is required for the OpenAI API (" + config.base_url + ")");
    }
    config.organization = std::string(settings.get("organization").value_or(""));
    config.model = std::string(settings.get("model").value_or(kDefaultModel));
    config.embedding_model = std::string(settings.get("embedding_model").value_or(kDefaultEmbeddingModel));
    if (config.model.empty()) invalid("the setting `model` must name a chat model");
    if (config.embedding_model.empty()) invalid("the setting `embedding_model` must name an embedding model");
    config.dimensions = static_cast<std::uint32_t>(int_in(settings, "dimensions", 0, kMaxDimension));
    config.dimension = static_cast<std::uint32_t>(int_in(settings, "dimension", 0, kMaxDimension));
    config.context_tokens = static_cast<std::uint64_t>(int_in(settings, "context_tokens", 0, INT64_MAX, kDefaultContextTokens));
    const std::int64_t batch = int_in(settings, "batch_size", 0, kMaxBatch);
    config.batch_size = static_cast<std::uint32_t>(
        batch != 0 ? batch : config.server == ServerKind::openai ? kMaxBatch : kCompatibleBatch);
    const std::string_view json_mode = settings.get("json_mode").value_or("auto");
    if (json_mode == "auto") {
        config.json_mode = JsonMode::automatic;
    } else if (json_mode == "json_schema") {
        config.json_mode = JsonMode::json_schema;
    } else if (json_mode == "json_object") {
        config.json_mode = JsonMode::json_object;
    } else if (json_mode == "prompt") {
        config.json_mode = JsonMode::prompt;
    } else {
        invalid("the setting `json_mode` must be auto, json_schema, json_object or prompt, not `" +
                std::string(json_mode) + "`");
    }
    return std::make_unique<OpenAiInstance>(std::move(config));
}

constexpr const char* kInterfaces[] = {PMX_IFACE_COMPLETER, PMX_IFACE_EMBEDDER, nullptr};

constexpr sdk::Descriptor kOpenAi{
    "openai",
    "OpenAI and compatible servers",
    pmx::openai::kPluginVersion,
    "Chat completions and embeddings from OpenAI, Ollama, LM Studio, llama.cpp, vLLM, OpenRouter",
    kInterfaces,
    &create,
    kSettings,
    kMaxConcurrentCalls};

}  // namespace

PMX_PLUGIN(kOpenAi);
