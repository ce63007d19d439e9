// The host's HTTP client (libcurl behind a pimpl): one attempt per perform(), pooled connections.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <pmx/plugin.h>

#include "net/cancel.hpp"

namespace pmx {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
    std::string method = "GET";  // upper case, one of is_known_http_method()
    std::string url;             // absolute http:// or https:// URL
    HttpHeaders headers;         // sent as given (names case-insensitive)
    std::string_view body;       // borrowed for the duration of perform()
    bool secret_body = false;    // never log the body (PMX_HTTP_SECRET_BODY)
    bool retry_safe = false;     // may be sent again unchanged (PMX_HTTP_RETRY_SAFE)
};

struct HttpResponse {
    int status = 0;                       // HTTP status code
    HttpHeaders headers;                  // names lower-cased, in the order received
    std::string body;                     // decoded (gzip/deflate/br undone)
    std::chrono::milliseconds retry_after{0};  // parsed Retry-After; 0 = none

    // The first header named `lower_name` (give it lower-cased), or nullptr.
    const std::string* header(std::string_view lower_name) const;
};

// Zero = none.
struct HttpTimeouts {
    std::chrono::milliseconds total{0};    // the whole attempt, connect included
    std::chrono::milliseconds connect{0};  // TCP + TLS handshake
};

// PMX_OK when a response (of any HTTP status) arrived; otherwise PMX_TIMEOUT, PMX_UNAVAILABLE
// (DNS/connect/TLS/reset), PMX_CANCELLED, PMX_INVALID_INPUT (bad URL/header),
// PMX_BAD_RESPONSE (unreadable or oversized answer) or PMX_INTERNAL, with a redacted message.
struct HttpResult {
    pmx_status status = PMX_OK;
    std::string message;
    bool ok() const { return status == PMX_OK; }
};

// One per provider. TLS verification is always on; proxy environment variables are honoured
// (libcurl's defaults); redirects are not followed (the plugin sees the 3xx). Transfers reuse
// connections: each pooled "lane" (a curl multi + easy handle pair, used by one transfer at a
// time) keeps its own connection cache, and idle lanes are reused last-in first-out, so
// sequential requests to one host ride one connection. DNS and TLS sessions are shared between
// lanes. Cancellation wakes a transfer at once (curl_multi_wakeup). Thread-safe.
class HttpClient {
public:
    explicit HttpClient(std::string name);  // `name` tags the debug log lines (the provider)
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    // Performs exactly one attempt. `out` is filled when the result is OK.
    HttpResult perform(const HttpRequest& request, const HttpTimeouts& timeouts, const CancelToken& token,
                       HttpResponse& out);

    std::size_t pooled_lanes() const;  // idle lanes kept (for tests)

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// GET HEAD POST PUT PATCH DELETE OPTIONS.
bool is_known_http_method(std::string_view method);

// Parses a Retry-After value: delta-seconds ("120") or an HTTP-date ("Wed, 21 Oct 2015
// 07:28:00 GMT", relative to `now`; a past date gives 0). nullopt when unreadable.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now);

// Parses a retry-after-ms value (OpenAI's: milliseconds, possibly fractional, "1500" or
// "20.5"). nullopt when unreadable. Read before Retry-After, as OpenAI's own SDK does.
std::optional<std::chrono::milliseconds> parse_retry_after_ms(std::string_view value);

// Calls curl_global_init once per process (thread-safe). perform() does it too.
void ensure_curl_initialized();

}  // namespace pmx
