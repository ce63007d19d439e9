// Talking to a Jellyfin server through the host's HTTP service: the Authorization header, URLs, statuses, JSON.
#pragma once

#include <pmx/plugin.hpp>

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "../common/json_read.hpp"
#include "../common/text_url.hpp"

namespace pmx::jellyfin {

namespace sdk = pmx::sdk;
namespace json = pmx::plugin_common::json;
using plugin_common::encode_component;
using plugin_common::Target;

// The plugin's own version: the descriptor's and the Authorization header's Version.
inline constexpr const char* kPluginVersion = "1.0.0";

inline constexpr int kHttpUnauthorized = 401;
inline constexpr int kHttpForbidden = 403;
inline constexpr int kHttpNotFound = 404;

// Who plexmix is to the server and how it proves it. The token is an API key or a user's
// access token: Jellyfin reads both from the same Token= of the Authorization header.
struct Client {
    std::string base_url;   // "http://host:8096", no trailing '/'
    std::string device_id;  // one per plexmix install (the host's install id)
    std::string token;      // empty before a password has been exchanged for one
};

// "MediaBrowser Client="plexmix", Device="plexmix", DeviceId="...", Version="1.0.0", Token="..."",
// as Jellyfin's clients send it (Token= left out while there is none).
std::string authorization(const Client& client);

// Whether the host may send a request again by itself (PMX_HTTP_RETRY_SAFE): GETs always;
// a POST or DELETE only when repeating it changes nothing more (a rename, removing entries),
// never one that creates a playlist or appends items.
enum class Repeat { safe, once };

// Sends one request with the Authorization and Accept headers (and Content-Type:
// application/json when there is a body). Credentials never go into the URL, which the host
// logs. Throws sdk::Error on a transport failure. Returns the response of any HTTP status.
sdk::Response send(const sdk::Call& call, const Client& client, const char* method, std::string_view target,
                   std::string_view body = {}, Repeat repeat = Repeat::once, bool secret_body = false);

// Sets the status and message for a non-2xx answer and throws. 401/403 -> AUTH, naming
// `credential` (the setting to check, never its value); 404 -> NOT_FOUND; the rest as the SDK
// maps them. The message carries a ProblemDetails body's title and detail (RFC 9110 errors,
// as ASP.NET Core writes them); a 401 has an empty body. `what` is "GET /path".
[[noreturn]] void fail(const sdk::Call& call, const sdk::Response& response, std::string_view what,
                       std::string_view credential);

// "title: detail" of a ProblemDetails body, else a short excerpt of the body; "" when empty.
std::string problem_text(std::string_view body);

// Parses a JSON object (or array) body; anything else fails the call with BAD_RESPONSE.
rapidjson::Document parse_object(const sdk::Response& response, std::string_view what);
rapidjson::Document parse_array(const sdk::Response& response, std::string_view what);

// "GET /Items" for messages: the method and the path without the query.
std::string describe(const char* method, std::string_view target);

// A Jellyfin item id as the server writes it: 32 lower-case hex digits. Accepts the dashed
// form too (Jellyfin binds either); nullopt for anything else.
std::optional<std::string> normal_id(std::string_view id);

// The seconds since 1970 of an ISO 8601 date as Jellyfin writes them
// ("2024-05-01T12:30:00.0000000Z", an offset, or no zone meaning UTC); nullopt when unreadable.
std::optional<std::int64_t> parse_iso_time(std::string_view text);
// "2024-05-01T12:30:00Z" for unix seconds.
std::string iso_time(std::int64_t seconds);
// The unix time of an HTTP date (RFC 9110 IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT").
std::optional<std::int64_t> parse_http_date(std::string_view text);

}  // namespace pmx::jellyfin
