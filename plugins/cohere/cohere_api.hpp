// cohere: the instance's settings, the request every call sends, and the map from the API's error bodies to statuses.
#pragma once

#include <pmx/plugin.hpp>

#include <rapidjson/document.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace pmx::cohere {

namespace sdk = pmx::sdk;

inline constexpr const char* kPluginVersion = "1.0.0";

// Settings, validated by create(); fixed for the instance's lifetime.
struct Config {
    std::string base_url;                // e.g. "https://api.cohere.com/v2", no trailing '/'
    std::string api_key;                 // only ever sent as Authorization: Bearer
    std::string model;                   // chat model, e.g. "command-a-03-2025"
    std::string embedding_model;         // e.g. "embed-v4.0"
    std::uint32_t full_dimension = 0;    // the embedding model's full vector size
    std::uint32_t dimension = 0;         // the size asked for and declared
    bool send_output_dimension = false;  // embed-v4: output_dimension goes with every request
    std::uint64_t context_tokens = 0;    // the chat model's context window, told to the host
};

// Which setting names the model of a request, for the message of a 404 (models are retired).
struct ModelRef {
    std::string_view name;     // "command-a-03-2025"
    std::string_view setting;  // "model" or "embedding_model"
};

// POSTs `body` (JSON) to base_url + `path` with the key as a Bearer header (never in the URL).
// Chat and embed change nothing on the server, so the host may send them again by itself after
// a 429, a 5xx or a lost connection (PMX_HTTP_RETRY_SAFE). Throws sdk::Error on a transport
// failure (the host's message stays on the call); returns any HTTP answer.
sdk::Response post(const sdk::Call& call, const Config& config, std::string_view path, std::string_view body);

// Fails the call for a non-2xx answer with the status its class maps to and the API's own
// words from its {"message": ...} body (the key masked, should it ever be echoed):
// 401/403 AUTH naming `api_key`; 402 (billing limit reached) AUTH; 404 of a model
// INVALID_INPUT naming the setting to change, other 404s NOT_FOUND naming `base_url`;
// 400/422 and other 4xx INVALID_INPUT; 429 RATE_LIMITED (the host has read Retry-After);
// 499 (cancelled on Cohere's side, retryable) and 5xx UNAVAILABLE. Returns the status.
pmx_status fail(const sdk::Call& call, const sdk::Response& response, const Config& config, const ModelRef& model);

// Parses a 2xx body into `doc`; anything but a JSON object fails the call with BAD_RESPONSE
// naming `what` and returns false.
bool parse_answer(const sdk::Call& call, const sdk::Response& response, std::string_view what,
                  rapidjson::Document& doc);

// `text` with every occurrence of `secret` replaced by "***" (no-op for an empty secret).
std::string mask(std::string text, std::string_view secret);

// A member as a string view / unsigned integer; empty / 0 when absent or of another type.
std::string_view string_of(const rapidjson::Value& object, const char* name);
std::uint64_t uint_of(const rapidjson::Value& object, const char* name);

}  // namespace pmx::cohere
