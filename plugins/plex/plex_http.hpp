// Talking to Plex Media Server through the host's HTTP service: headers, URLs, statuses, JSON.
#pragma once

#include <pmx/plugin.hpp>

#include <rapidjson/document.h>

#include "../common/text_url.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace pmx::plex {

namespace sdk = pmx::sdk;

// How to reach one server; fixed when the instance is created.
// The plugin's own version: the descriptor's and the X-Plex-Version header's.
inline constexpr const char* kPluginVersion = "1.0.0";

inline constexpr int kHttpNotFound = 404;

struct Connection {
    std::string base_url;   // "http://host:32400", no trailing '/'
    std::string token;      // X-Plex-Token; only ever sent as a header
    std::string client_id;  // X-Plex-Client-Identifier
};

// Query encoding and target building: the plugins' shared helpers (plugins/common/text_url.hpp).
using plugin_common::encode_component;
using plugin_common::Target;

// Whether the host may send a request again by itself after a 5xx, a 429 or a lost
// connection (PMX_HTTP_RETRY_SAFE). GETs always may; a PUT or DELETE only when repeating it
// changes nothing more (an edit of title or summary, the removal of one item), never one that
// appends items; a POST never.
enum class Repeat { safe, once };

// Sends one request with the Plex headers: X-Plex-Token, X-Plex-Product, X-Plex-Version,
// X-Plex-Client-Identifier and Accept: application/json (the PMS OpenAPI description: JSON
// only when asked for). The token never goes into the URL, because the host logs URLs. Throws
// sdk::Error on a transport failure (the host's message stays on the call). Returns the
// response of any HTTP status. GETs are flagged retry-safe whatever `repeat` says.
sdk::Response send(const sdk::Call& call, const Connection& connection, const char* method,
                   std::string_view target, Repeat repeat = Repeat::once);

// Like send(), but a non-2xx answer fails the call through fail().
sdk::Response send_ok(const sdk::Call& call, const Connection& connection, const char* method,
                      std::string_view target, Repeat repeat = Repeat::once);

// Sets the status and message for a non-2xx answer and throws. 401/403 -> AUTH with a message
// that names the `token` setting (never its value); 404 -> NOT_FOUND; the rest as the SDK's
// http_error maps them (5xx UNAVAILABLE, 429 RATE_LIMITED, ...). `what` is "GET /path".
[[noreturn]] void fail(const sdk::Call& call, const sdk::Response& response, std::string_view what);

// Parses a JSON body; anything else fails the call with BAD_RESPONSE naming `what`.
rapidjson::Document parse_json(const sdk::Response& response, std::string_view what);

// The MediaContainer object of a parsed answer, or BAD_RESPONSE.
const rapidjson::Value& media_container(const rapidjson::Document& doc, std::string_view what);

// "GET /library/sections" for messages: the method and the path without the query.
std::string describe(const char* method, std::string_view target);

}  // namespace pmx::plex
