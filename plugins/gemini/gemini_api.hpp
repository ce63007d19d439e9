// Talking to the Gemini API through the host's HTTP service: requests, google.rpc.Status errors, JSON.
#pragma once

#include <pmx/plugin.hpp>

#include <rapidjson/document.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace pmx::gemini {

namespace sdk = pmx::sdk;

inline constexpr const char* kPluginVersion = "1.0.0";

// Where and as whom requests go; fixed when the instance is created.
struct Connection {
    std::string base_url;  // e.g. "https://generativelanguage.googleapis.com/v1beta", no trailing '/'
    std::string api_key;   // only ever sent in the x-goog-api-key header
};

// Which setting names the model of a request, for the message of a 404 (models are retired).
struct ModelRef {
    std::string_view name;     // "gemini-2.5-flash"
    std::string_view setting;  // "model" or "embedding_model"
};

// POSTs `body` (JSON) to {base_url}/models/{model}:{method} with the key in the x-goog-api-key
// header, never in the URL. Flagged PMX_HTTP_RETRY_SAFE: generateContent and batchEmbedContents
// change nothing on the server, so the host may send them again after a 429, a 5xx or a lost
// connection. Returns a 2xx response; any other answer fails the call through fail() (throws).
// A transport failure throws sdk::Error with the host's message left on the call.
sdk::Response post(const sdk::Call& call, const Connection& connection, const ModelRef& model,
                   std::string_view method, std::string_view body);

// Sets the status, message and retry hint for a non-2xx answer, then throws. The body is a
// google.rpc.Status ({"error":{"code","message","status","details"}}) when it comes from the API:
//  - 400 with ErrorInfo reason API_KEY_INVALID, 401, 403: AUTH, naming the `api_key` setting;
//  - 404: INVALID_INPUT, naming the model and the setting to change;
//  - 429: RATE_LIMITED with the wait from RetryInfo.retryDelay ("7s", "1.5s");
//  - other statuses as sdk::status_from_http maps them (400 INVALID_INPUT, 5xx UNAVAILABLE).
// The key never appears in the message, even when the API echoed it.
[[noreturn]] void fail(const sdk::Call& call, const sdk::Response& response, const Connection& connection,
                       const ModelRef& model, std::string_view method);

// A google.protobuf.Duration in JSON ("7s", "1.5s", "0.250s") as milliseconds, rounded up;
// nullopt when it is not one.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

// Parses a 2xx JSON body (iteratively: a hostile nesting depth cannot exhaust the stack);
// anything but a JSON object fails the call with BAD_RESPONSE naming `what`.
rapidjson::Document parse_object(const sdk::Response& response, std::string_view what);

// `text` with every occurrence of `secret` replaced by "***" (no-op for an empty secret).
std::string without_secret(std::string text, std::string_view secret);

}  // namespace pmx::gemini
