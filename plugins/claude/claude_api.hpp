// claude: the instance's settings, output caps per model family, requests, and the map from the API's error bodies to statuses.
#pragma once

#include <pmx/plugin.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pmx::claude {

namespace sdk = pmx::sdk;

inline constexpr const char* kPluginVersion = "1.0.0";

// Every Claude model takes at least this many output tokens (Claude 3 Haiku and Opus take no
// more): the cap assumed for a model this plugin does not know, unless `max_tokens` is set.
inline constexpr std::uint32_t kFallbackCap = 4'096;
// The output limit sent when neither the request nor the `max_tokens` setting gives one (lower
// when the model's cap is lower): ample for a JSON answer, and a non-streaming request that
// finishes well inside the provider's timeout.
inline constexpr std::uint32_t kDefaultMaxTokens = 8'192;

// Settings, validated by create(); fixed for the instance's lifetime.
struct Config {
    std::string base_url;           // e.g. "https://api.anthropic.com/v1", no trailing '/'
    std::string api_key;            // only ever sent in the x-api-key header
    std::string anthropic_version;  // the anthropic-version header, e.g. "2023-06-01"
    std::string model;              // e.g. "claude-haiku-4-5"
    std::uint32_t max_tokens = 0;   // the `max_tokens` setting; 0: unset
    std::uint64_t context_tokens = 0;  // the `context_tokens` setting, told to the host
};

// The most output tokens the API takes for `model` ("claude-sonnet-4-5", dated ids such as
// "claude-sonnet-4-5-20250929" and "-latest" aliases alike), by family; nullopt when the model
// is not one this plugin knows.
std::optional<std::uint32_t> known_output_cap(std::string_view model);

// The max_tokens a request sends: the request's own limit, else the `max_tokens` setting, else
// kDefaultMaxTokens; never above the model's cap (for an unknown model: the setting when set,
// else kFallbackCap), so that the API never refuses it.
std::uint32_t max_tokens_for(std::string_view model, std::uint32_t requested, std::uint32_t setting);

// POSTs `body` (JSON) to {base_url}/messages with the key in x-api-key (never in the URL),
// anthropic-version and content-type. Flagged PMX_HTTP_RETRY_SAFE: a message changes nothing
// on the server, so the host may send it again after a 429, a 529, a 5xx or a lost connection.
// Throws sdk::Error on a transport failure (the host's message stays on the call); returns any
// HTTP answer.
sdk::Response post_messages(const sdk::Call& call, const Config& config, std::string_view body);

// Fails the call for a non-2xx answer ({"type":"error","error":{"type","message"}}) with the
// status its class maps to and the API's own words, the key masked should it be echoed:
//  - 401 authentication_error, 403 permission_error, billing_error: AUTH;
//  - 404 not_found_error: INVALID_INPUT naming the `model` setting (models are retired);
//    any other 404 (no Messages API at base_url): NOT_FOUND naming `base_url`;
//  - 400 invalid_request_error, 413 request_too_large, other 4xx: INVALID_INPUT;
//  - 429 rate_limit_error: RATE_LIMITED (the host has read retry-after);
//  - 529 overloaded_error and 5xx: UNAVAILABLE (the host retries them like a 503).
// Returns the status.
pmx_status fail(const sdk::Call& call, const sdk::Response& response, const Config& config, std::string_view model);

// `text` with every occurrence of `secret` replaced by "***" (no-op for an empty secret).
std::string without_secret(std::string text, std::string_view secret);

}  // namespace pmx::claude
