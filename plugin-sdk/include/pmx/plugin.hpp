// plexmix plugin SDK, C++ side: header-only C++17 helpers over the C ABI of pmx/plugin.h.
#pragma once

/*
 * What this header gives a plugin author
 * --------------------------------------
 *  - Thin, non-owning wrappers over what the host passes in: Call (the per-call context),
 *    Settings (the validated pmx_kv array), TextSink / MediaSink (output sinks), request views.
 *  - Host: logging and the HTTP service; Response owns a host response and releases it.
 *  - Error: the exception an author throws to fail a call with a status and a message.
 *  - Base classes to derive from: Instance, Completer, Embedder, MediaSource.
 *  - PMX_PLUGIN(descriptor): emits the one exported symbol, `pmx_entry`, as constant data.
 *
 * The only code the host calls is the set of trampolines in namespace detail below. Each one
 * ends in the same catch-all (detail::guarded), so no exception ever crosses into the host:
 *   pmx::sdk::Error        -> its status and message
 *   std::bad_alloc         -> PMX_INTERNAL, "out of memory"
 *   std::exception         -> PMX_INTERNAL, what()
 *   anything else          -> PMX_INTERNAL, "unknown exception"
 *
 * Everything here depends only on pmx/plugin.h and the standard library.
 */

#include <pmx/plugin.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <iterator>
#include <limits>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#if __cplusplus < 201703L
#error "pmx/plugin.hpp needs C++17 or later"
#endif

// Everything below is private to the plugin that includes it: each plugin library gets its
// own copy of the SDK's state (the host pointer, the vtables), even when an author builds
// without -fvisibility=hidden. Only `pmx_entry` (PMX_EXPORT, outside this block) is exported.
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC visibility push(hidden)
#endif

namespace pmx::sdk {

// -------------------------------------------------------------------------------------------
// Strings and statuses
// -------------------------------------------------------------------------------------------

// Views a pmx_str (data may be NULL when len == 0). The view borrows the caller's bytes.
constexpr std::string_view view(pmx_str s) noexcept {
    return s.data != nullptr ? std::string_view(s.data, s.len) : std::string_view();
}

// Borrows a string as a pmx_str; valid as long as the viewed characters are.
constexpr pmx_str to_pmx(std::string_view s) noexcept { return pmx_str{s.data(), s.size()}; }

// The status a plugin returns for an HTTP response code (ARCHITECTURE.md, "The plugin ABI").
constexpr pmx_status status_from_http(int code) noexcept {
    if (code >= 200 && code <= 299) return PMX_OK;
    switch (code) {
        case 400:  // Bad Request
        case 413:  // Content Too Large
        case 422:  // Unprocessable Content
            return PMX_INVALID_INPUT;
        case 401:  // Unauthorized
        case 403:  // Forbidden
            return PMX_AUTH;
        case 404:  // Not Found
        case 410:  // Gone
            return PMX_NOT_FOUND;
        case 408:  // Request Timeout
        case 504:  // Gateway Timeout
            return PMX_TIMEOUT;
        case 429:  // Too Many Requests
            return PMX_RATE_LIMITED;
        default:
            break;
    }
    if (code >= 500 && code <= 599) return PMX_UNAVAILABLE;
    // The other 4xx say the request was wrong (405, 409, 414...): not worth another attempt.
    // BAD_RESPONSE, which the host retries since ABI 1.2, stays for answers that make no sense.
    if (code >= 400 && code <= 499) return PMX_INVALID_INPUT;
    return PMX_BAD_RESPONSE;  // 1xx, 3xx (redirects are not followed) and codes outside HTTP's
}

// Statuses the host retries (with backoff, honouring Retry-After); see conventions/errors.md.
// BAD_RESPONSE is retried since ABI 1.2: a garbage body is usually a transient fault.
constexpr bool is_retryable(pmx_status status) noexcept {
    return status == PMX_RATE_LIMITED || status == PMX_UNAVAILABLE || status == PMX_TIMEOUT ||
           status == PMX_BAD_RESPONSE;
}

// "OK", "RATE_LIMITED", ...; an unknown value reads as "INTERNAL", as the ABI says.
constexpr std::string_view status_name(pmx_status status) noexcept {
    switch (status) {
        case PMX_OK: return "OK";
        case PMX_RATE_LIMITED: return "RATE_LIMITED";
        case PMX_UNAVAILABLE: return "UNAVAILABLE";
        case PMX_TIMEOUT: return "TIMEOUT";
        case PMX_CANCELLED: return "CANCELLED";
        case PMX_AUTH: return "AUTH";
        case PMX_INVALID_INPUT: return "INVALID_INPUT";
        case PMX_NOT_FOUND: return "NOT_FOUND";
        case PMX_UNSUPPORTED: return "UNSUPPORTED";
        case PMX_BAD_RESPONSE: return "BAD_RESPONSE";
        default: return "INTERNAL";
    }
}

// Thrown by plugin code to fail the current call; the trampoline returns status() and sets
// the message on the call. An empty message leaves the message already set on the call in
// place (e.g. the one the HTTP service set for a transport failure). Throwing PMX_OK is a
// bug and is reported as PMX_INTERNAL.
class Error : public std::runtime_error {
public:
    Error(pmx_status status, std::string message)
        : std::runtime_error(message), status_(status) {}
    explicit Error(pmx_status status) : Error(status, std::string()) {}

    pmx_status status() const noexcept { return status_; }
    bool has_message() const noexcept { return what()[0] != '\0'; }

private:
    pmx_status status_;
};

namespace detail {

template <class T>
constexpr std::uint32_t size_of() noexcept {
    static_assert(sizeof(T) <= std::numeric_limits<std::uint32_t>::max());
    return static_cast<std::uint32_t>(sizeof(T));
}

// The receiver's half of the size rule: zero-fill our copy, then copy min(struct_size, sizeof)
// bytes of what we were given. Fields the sender did not know read as zero ("default").
template <class T>
T sized_copy(const T* given) noexcept {
    static_assert(std::is_trivially_copyable_v<T>);
    T copy;
    std::memset(&copy, 0, sizeof copy);
    if (given == nullptr) return copy;
    const std::size_t n = std::min<std::size_t>(given->struct_size, sizeof(T));
    std::memcpy(&copy, given, n);
    copy.struct_size = static_cast<std::uint32_t>(n);
    return copy;
}

// The sender's half, for structs the host allocated and sized (pmx_embedder_info): write only
// the bytes that fit in the host's struct_size, and keep the host's struct_size.
template <class T>
void write_fitting(T* out, const T& full) noexcept {
    static_assert(std::is_trivially_copyable_v<T>);
    const std::uint32_t given = out->struct_size;
    std::memcpy(out, &full, std::min<std::size_t>(given, sizeof(T)));
    out->struct_size = given;
}

constexpr bool ascii_iequal(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

}  // namespace detail

// -------------------------------------------------------------------------------------------
// Call: the per-call context (non-owning; valid during the plugin function that received it,
// on that thread only). Every method honours the host's struct_size and is a no-op (or the
// neutral answer) on a NULL call or a field the host does not have.
// -------------------------------------------------------------------------------------------

class Call {
public:
    constexpr Call() noexcept = default;
    explicit constexpr Call(const pmx_call* raw) noexcept : raw_(raw) {}

    const pmx_call* raw() const noexcept { return raw_; }

    // True once the user or the deadline cancelled the call. Poll it in loops that do not go
    // through the HTTP service (which checks it already).
    bool cancelled() const noexcept {
        return PMX_HAS_FIELD(raw_, pmx_call, is_cancelled) && raw_->is_cancelled != nullptr &&
               raw_->is_cancelled(raw_) != 0;
    }

    // Throws Error(PMX_CANCELLED) when cancelled(): a one-liner for loops.
    void throw_if_cancelled() const {
        if (cancelled()) throw Error(PMX_CANCELLED, "cancelled");
    }

    // Time left before the call's deadline; milliseconds::max() when there is none.
    std::chrono::milliseconds remaining() const noexcept {
        if (!PMX_HAS_FIELD(raw_, pmx_call, remaining_ms) || raw_->remaining_ms == nullptr) {
            return std::chrono::milliseconds::max();
        }
        const std::int64_t ms = raw_->remaining_ms(raw_);
        if (ms == INT64_MAX) return std::chrono::milliseconds::max();
        return std::chrono::milliseconds(ms);
    }

    // Explains a non-OK status (the host copies and redacts the message) and returns `status`,
    // so that `return call.error(PMX_AUTH, "token rejected");` reads as one statement.
    pmx_status error(pmx_status status, std::string_view message) const noexcept {
        if (PMX_HAS_FIELD(raw_, pmx_call, set_error) && raw_->set_error != nullptr) {
            raw_->set_error(raw_, status, message.data(), message.size());
        }
        return status;
    }

    // The HTTP status behind the error (the HTTP service records it already; this overrides).
    void http_status(std::int32_t code) const noexcept {
        if (PMX_HAS_FIELD(raw_, pmx_call, set_http_status) && raw_->set_http_status != nullptr) {
            raw_->set_http_status(raw_, code);
        }
    }

    // How long the provider asked us to wait (e.g. from a JSON body; the Retry-After header is
    // recorded by the HTTP service already). The host does the waiting, never the plugin.
    void retry_after(std::chrono::milliseconds wait) const noexcept {
        if (PMX_HAS_FIELD(raw_, pmx_call, set_retry_after_ms) &&
            raw_->set_retry_after_ms != nullptr) {
            raw_->set_retry_after_ms(raw_, static_cast<std::int64_t>(wait.count()));
        }
    }

    // Progress of long work; total == 0 means unknown.
    void progress(std::uint64_t done, std::uint64_t total = 0) const noexcept {
        if (PMX_HAS_FIELD(raw_, pmx_call, progress) && raw_->progress != nullptr) {
            raw_->progress(raw_, done, total);
        }
    }

    // Token usage of a completion or embedding call; 0 = unknown.
    void usage(std::uint64_t input_tokens, std::uint64_t output_tokens) const noexcept {
        if (PMX_HAS_FIELD(raw_, pmx_call, report_usage) && raw_->report_usage != nullptr) {
            raw_->report_usage(raw_, input_tokens, output_tokens);
        }
    }

private:
    const pmx_call* raw_ = nullptr;
};

// -------------------------------------------------------------------------------------------
// Settings: a read-only view over the pmx_kv array given to create(). The host has already
// validated every value against the declared type and applied defaults (conventions/settings.md),
// so a parse failure here means an undeclared key or a host bug; it throws
// Error(PMX_INVALID_INPUT), which create()'s trampoline turns into a status. Borrowed: valid
// only during create(); copy what the instance keeps.
// -------------------------------------------------------------------------------------------

class Settings {
public:
    constexpr Settings() noexcept = default;
    constexpr Settings(const pmx_kv* pairs, std::size_t count) noexcept
        : pairs_(count != 0 ? pairs : nullptr), count_(pairs != nullptr ? count : 0) {}

    // The value of `key`, or nullopt when absent.
    std::optional<std::string_view> get(std::string_view key) const noexcept {
        for (const pmx_kv& kv : *this) {
            if (view(kv.key) == key) return view(kv.value);
        }
        return std::nullopt;
    }

    // A PMX_SETTING_INT value (decimal text).
    std::optional<std::int64_t> get_int(std::string_view key) const {
        const std::optional<std::string_view> text = get(key);
        if (!text) return std::nullopt;
        return parse_int(key, *text);
    }

    // A PMX_SETTING_BOOL value ("true" or "false").
    std::optional<bool> get_bool(std::string_view key) const {
        const std::optional<std::string_view> text = get(key);
        if (!text) return std::nullopt;
        if (*text == "true") return true;
        if (*text == "false") return false;
        throw Error(PMX_INVALID_INPUT, "setting '" + std::string(key) + "' is not true or false");
    }

    // A PMX_SETTING_DURATION value (the host gives whole, non-negative milliseconds).
    std::optional<std::chrono::milliseconds> get_ms(std::string_view key) const {
        const std::optional<std::int64_t> ms = get_int(key);
        if (!ms) return std::nullopt;
        if (*ms < 0) {
            throw Error(PMX_INVALID_INPUT, "setting '" + std::string(key) + "' is negative");
        }
        return std::chrono::milliseconds(*ms);
    }

    const pmx_kv* begin() const noexcept { return pairs_; }
    const pmx_kv* end() const noexcept { return pairs_ + count_; }
    std::size_t size() const noexcept { return count_; }

private:
    static std::int64_t parse_int(std::string_view key, std::string_view text) {
        std::int64_t value = 0;
        const char* const last = text.data() + text.size();
        const std::from_chars_result r = std::from_chars(text.data(), last, value);
        if (text.empty() || r.ec != std::errc() || r.ptr != last) {
            throw Error(PMX_INVALID_INPUT,
                        "setting '" + std::string(key) + "' is not a 64-bit integer");
        }
        return value;
    }

    const pmx_kv* pairs_ = nullptr;
    std::size_t count_ = 0;
};

// -------------------------------------------------------------------------------------------
// HTTP through the host ("pmx.host.http/1"): one attempt per request; the host owns TLS,
// proxies, timeouts, rate limits and retries *around the plugin call*.
// -------------------------------------------------------------------------------------------

struct Header {
    std::string_view name{};   // case-insensitive
    std::string_view value{};
};

// A request; every view is borrowed for the duration of the send. Aggregate, so it reads
// `Request{"POST", url, {{"content-type", "application/json"}}, body}`.
struct Request {
    const char* method = "GET";            // NUL-terminated: "GET", "POST", "PUT", "DELETE"...
    std::string_view url{};                // absolute http:// or https:// URL
    std::vector<Header> headers{};
    std::string_view body{};
    std::chrono::milliseconds timeout{0};  // 0 = the provider's configured timeout
    std::uint32_t flags = 0;               // PMX_HTTP_* (e.g. PMX_HTTP_SECRET_BODY; PMX_HTTP_RETRY_SAFE
                                           // on GETs and other requests safe to send twice)
};

// Owns one host response and releases it on destruction (move-only). The host frees every
// response when the plugin function that received the pmx_call returns, so a Response must
// never outlive that function: keep it in a local, never in a member.
class Response {
public:
    Response() noexcept = default;
    Response(const pmx_host_http* http, pmx_http_response* raw) noexcept
        : http_(http), raw_(raw) {}
    Response(Response&& other) noexcept
        : http_(other.http_), raw_(std::exchange(other.raw_, nullptr)) {}
    Response& operator=(Response&& other) noexcept {
        if (this != &other) {
            reset();
            http_ = other.http_;
            raw_ = std::exchange(other.raw_, nullptr);
        }
        return *this;
    }
    Response(const Response&) = delete;
    Response& operator=(const Response&) = delete;
    ~Response() { reset(); }

    explicit operator bool() const noexcept { return raw_ != nullptr; }
    const pmx_http_response* raw() const noexcept { return raw_; }

    // The HTTP status code (0 when empty).
    int status() const noexcept {
        return PMX_HAS_FIELD(raw_, pmx_http_response, status) ? raw_->status : 0;
    }
    bool ok() const noexcept { return status_from_http(status()) == PMX_OK; }  // 2xx

    std::string_view body() const noexcept {
        return PMX_HAS_FIELD(raw_, pmx_http_response, body) ? view(raw_->body)
                                                            : std::string_view();
    }

    // The first header called `name` (ASCII case-insensitive), or nullopt.
    std::optional<std::string_view> header(std::string_view name) const noexcept {
        if (!PMX_HAS_FIELD(raw_, pmx_http_response, header_count) || raw_->headers == nullptr) {
            return std::nullopt;
        }
        for (std::size_t i = 0; i < raw_->header_count; ++i) {
            if (detail::ascii_iequal(view(raw_->headers[i].key), name)) {
                return view(raw_->headers[i].value);
            }
        }
        return std::nullopt;
    }

    // The parsed Retry-After (0 = none). Already recorded on the call by the host.
    std::chrono::milliseconds retry_after() const noexcept {
        return std::chrono::milliseconds(
            PMX_HAS_FIELD(raw_, pmx_http_response, retry_after_ms) ? raw_->retry_after_ms : 0);
    }

    // Releases the response now (e.g. after each page of a long scan).
    void reset() noexcept {
        pmx_http_response* const raw = std::exchange(raw_, nullptr);
        if (raw != nullptr && PMX_HAS_FIELD(http_, pmx_host_http, release) &&
            http_->release != nullptr) {
            http_->release(raw);
        }
    }

private:
    const pmx_host_http* http_ = nullptr;
    pmx_http_response* raw_ = nullptr;
};

// The HTTP service (non-owning; the host keeps it valid until exit; any thread holding a call).
class Http {
public:
    constexpr Http() noexcept = default;
    explicit constexpr Http(const pmx_host_http* raw) noexcept : raw_(raw) {}

    explicit operator bool() const noexcept {
        return PMX_HAS_FIELD(raw_, pmx_host_http, request) && raw_->request != nullptr;
    }

    // One attempt. PMX_OK with `out` holding a response of any HTTP status; otherwise
    // PMX_TIMEOUT, PMX_UNAVAILABLE or PMX_CANCELLED with the host's message set on `call`.
    // Throws only std::bad_alloc.
    pmx_status send(const Call& call, const Request& request, Response& out) const {
        out.reset();
        if (!*this) return call.error(PMX_INTERNAL, "the host offers no HTTP service");
        if (call.raw() == nullptr) {
            return call.error(PMX_INTERNAL, "HTTP needs the pmx_call of the current function");
        }
        std::vector<pmx_kv> headers;
        headers.reserve(request.headers.size());
        for (const Header& h : request.headers) {
            headers.push_back(pmx_kv{to_pmx(h.name), to_pmx(h.value)});
        }

        pmx_http_request raw;
        std::memset(&raw, 0, sizeof raw);
        raw.struct_size = detail::size_of<pmx_http_request>();
        raw.method = request.method;
        raw.url = to_pmx(request.url);
        raw.headers = headers.empty() ? nullptr : headers.data();
        raw.header_count = headers.size();
        raw.body = to_pmx(request.body);
        raw.timeout_ms = static_cast<std::uint32_t>(std::clamp<std::int64_t>(
            request.timeout.count(), 0, std::numeric_limits<std::uint32_t>::max()));
        raw.flags = request.flags;

        pmx_http_response* response = nullptr;
        const pmx_status status = raw_->request(call.raw(), &raw, &response);
        Response owned(raw_, response);  // released even on a (contract-breaking) failure
        if (status != PMX_OK) return status;
        if (!owned) return call.error(PMX_INTERNAL, "the HTTP service gave no response");
        out = std::move(owned);
        return PMX_OK;
    }

    // Like send(), for code that prefers exceptions: on a transport failure it throws
    // Error(status) without a message, so the host's message on the call stays.
    Response request(const Call& call, const Request& request) const {
        Response out;
        const pmx_status status = send(call, request, out);
        if (status != PMX_OK) throw Error(status);
        return out;
    }

private:
    const pmx_host_http* raw_ = nullptr;
};

namespace detail {

inline char ascii_lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; }

// Where `needle` (lowercase ASCII) first occurs in `text` at or after `from`, ignoring ASCII
// case; npos when it does not.
inline std::size_t ifind(std::string_view text, std::string_view needle, std::size_t from = 0) noexcept {
    if (needle.empty() || text.size() < needle.size()) return std::string_view::npos;
    for (std::size_t i = from; i + needle.size() <= text.size(); ++i) {
        std::size_t k = 0;
        while (k < needle.size() && ascii_lower(text[i + k]) == needle[k]) ++k;
        if (k == needle.size()) return i;
    }
    return std::string_view::npos;
}

// The text inside the first <tag ...>...</tag> from `from` on, or nullopt.
inline std::optional<std::string_view> element_text(std::string_view html, std::string_view tag,
                                                    std::size_t from = 0) {
    const std::string open = "<" + std::string(tag);
    for (std::size_t at = ifind(html, open, from); at != std::string_view::npos;
         at = ifind(html, open, at + 1)) {
        const std::size_t after = at + open.size();
        if (after < html.size() && html[after] != '>' && html[after] != ' ' && html[after] != '\t' &&
            html[after] != '\n' && html[after] != '\r') {
            continue;  // <hr> is not <h...>, <titles> is not <title>
        }
        const std::size_t start = html.find('>', after);
        if (start == std::string_view::npos) return std::nullopt;
        const std::size_t end = ifind(html, "</" + std::string(tag), start + 1);
        return html.substr(start + 1, end == std::string_view::npos ? std::string_view::npos : end - start - 1);
    }
    return std::nullopt;
}

// Markup text as one plain line: tags dropped, the common entities decoded, every run of white
// space or control characters one space, trimmed.
inline std::string plain_line(std::string_view markup, bool strip_tags) {
    struct Entity {
        std::string_view name, text;
    };
    constexpr Entity kEntities[] = {{"&amp;", "&"},      {"&lt;", "<"},          {"&gt;", ">"},
                                    {"&quot;", "\""},    {"&#39;", "'"},         {"&nbsp;", " "},
                                    {"&middot;", "\u00b7"}, {"&ndash;", "\u2013"}, {"&mdash;", "\u2014"}};
    std::string out;
    bool space = false;
    for (std::size_t i = 0; i < markup.size(); ++i) {
        const char c = markup[i];
        if (strip_tags && c == '<') {
            const std::size_t end = markup.find('>', i);
            if (end == std::string_view::npos) break;
            i = end;
            space = true;
            continue;
        }
        std::string_view piece(&markup[i], 1);
        if (strip_tags && c == '&') {
            for (const Entity& e : kEntities) {
                if (ifind(markup.substr(i, e.name.size()), e.name) == 0) {
                    piece = e.text;
                    i += e.name.size() - 1;
                    break;
                }
            }
        }
        if (piece.size() == 1 && static_cast<unsigned char>(piece[0]) <= ' ') {
            space = true;
            continue;
        }
        if (space && !out.empty()) out += ' ';
        space = false;
        out.append(piece);
    }
    return out;
}

}  // namespace detail

// What of an HTTP response body belongs in a one-line error message. An HTML page (a server's
// or a proxy's error page, "<html><head><title>414 Request-URI Too Large</title>...") gives
// its <title>, else its first heading, as plain text, without a leading copy of `http_status`
// ("Request-URI Too Large"); empty when it has neither (never the markup). Any other body (a
// provider's error JSON, plain text) gives its start with white space runs as one space. At
// most `max_bytes` bytes, cut on a UTF-8 boundary, then "...". Pure: no host needed.
inline std::string http_body_summary(std::string_view body, int http_status = 0,
                                     std::size_t max_bytes = 300) {
    const std::size_t first = body.find_first_not_of(" \t\r\n");
    const bool html = first != std::string_view::npos && body[first] == '<' &&
                      (detail::ifind(body, "<html") != std::string_view::npos ||
                       detail::ifind(body, "<!doctype html") != std::string_view::npos ||
                       detail::ifind(body, "<head") != std::string_view::npos ||
                       detail::ifind(body, "<body") != std::string_view::npos ||
                       detail::ifind(body, "<title") != std::string_view::npos);
    std::string text;
    bool cut = false;
    if (html) {
        std::optional<std::string_view> found = detail::element_text(body, "title");
        if (!found || detail::plain_line(*found, true).empty()) {
            found.reset();
            std::size_t earliest = std::string_view::npos;
            for (const char level : std::string_view("123456")) {
                const std::string tag = std::string("h") + level;
                const std::size_t at = detail::ifind(body, "<" + tag);
                if (at < earliest && detail::element_text(body, tag, at)) {
                    earliest = at;
                    found = detail::element_text(body, tag, at);
                }
            }
        }
        if (found) text = detail::plain_line(*found, true);
        const std::string code = std::to_string(http_status);
        if (http_status > 0 && text.size() > code.size() && text.compare(0, code.size(), code) == 0 &&
            (text[code.size()] == ' ' || text[code.size()] == ':')) {
            text.erase(0, text.find_first_not_of(" :-", code.size()));
        }
    } else {
        // A window larger than the limit: runs of white space shrink to one space.
        const std::string_view window = body.substr(0, 4 * max_bytes);
        text = detail::plain_line(window, false);
        cut = window.size() < body.size();
    }
    if (text.size() > max_bytes) {
        std::size_t end = max_bytes;
        while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0u) == 0x80u) --end;
        text.resize(end);
        cut = true;
    }
    if (cut) text += "...";
    return text;
}

// Turns a non-2xx response into the matching status with the message "HTTP <code>: <what the
// body says>" (http_body_summary: an error page's title, never its markup). The host records
// the HTTP status and Retry-After itself. Returns the status.
inline pmx_status http_error(const Call& call, const Response& response,
                             std::string_view context = {}) {
    constexpr std::size_t kMaxBodyInMessage = 300;  // enough for a provider's error JSON
    std::string message(context);
    if (!message.empty()) message += ": ";
    message += "HTTP " + std::to_string(response.status());
    const std::string summary = http_body_summary(response.body(), response.status(), kMaxBodyInMessage);
    if (!summary.empty()) message.append(": ").append(summary);
    return call.error(status_from_http(response.status()), message);
}

// -------------------------------------------------------------------------------------------
// Host: the host given at init (non-owning; valid until exit; any thread). Host::get() is a
// null Host before init (e.g. in unit tests): then log() does nothing and http() is empty.
// -------------------------------------------------------------------------------------------

class Host {
public:
    constexpr Host() noexcept = default;
    // Looks up the services of `raw` (honouring its struct_size).
    explicit Host(const pmx_host* raw) noexcept : raw_(raw) {
        log_ = static_cast<const pmx_host_log*>(service(PMX_SERVICE_LOG));
        http_ = static_cast<const pmx_host_http*>(service(PMX_SERVICE_HTTP));
    }

    // The host this plugin was given at init.
    static Host get() noexcept;

    explicit operator bool() const noexcept { return raw_ != nullptr; }
    const pmx_host* raw() const noexcept { return raw_; }

    // The host's ABI minor: check it before relying on a service appended after 1.0.
    std::uint32_t abi_minor() const noexcept {
        return PMX_HAS_FIELD(raw_, pmx_host, abi_minor) ? raw_->abi_minor : 0;
    }
    // This installation's stable id (ABI 1.2); empty when the host has none or is older.
    std::string_view install_id() const noexcept {
        if (!PMX_HAS_FIELD(raw_, pmx_host, install_id) || raw_->install_id == nullptr) return {};
        return std::string_view(raw_->install_id);
    }
    // This plugin's own directory in the host's data directory (ABI 1.4; may not exist yet);
    // empty when the host has none or is older: keep nothing between runs then.
    std::string_view state_dir() const noexcept {
        if (!PMX_HAS_FIELD(raw_, pmx_host, state_dir) || raw_->state_dir == nullptr) return {};
        return std::string_view(raw_->state_dir);
    }

    // A service vtable by id, or nullptr when the host does not offer it.
    const void* service(const char* id) const noexcept {
        if (!PMX_HAS_FIELD(raw_, pmx_host, get_service) || raw_->get_service == nullptr) {
            return nullptr;
        }
        return raw_->get_service(raw_, id);
    }

    // True when a message at `level` would be written (skip building costly messages).
    bool log_enabled(pmx_log_level level) const noexcept {
        return PMX_HAS_FIELD(log_, pmx_host_log, enabled) && log_->enabled != nullptr &&
               log_->enabled(raw_, level) != 0;
    }

    // The host adds the plugin id, filters by level and redacts secrets.
    void log(pmx_log_level level, std::string_view message) const noexcept {
        if (PMX_HAS_FIELD(log_, pmx_host_log, log) && log_->log != nullptr) {
            log_->log(raw_, level, message.data(), message.size());
        }
    }
    void trace(std::string_view message) const noexcept { log(PMX_LOG_TRACE, message); }
    void debug(std::string_view message) const noexcept { log(PMX_LOG_DEBUG, message); }
    void info(std::string_view message) const noexcept { log(PMX_LOG_INFO, message); }
    void warn(std::string_view message) const noexcept { log(PMX_LOG_WARN, message); }
    void error(std::string_view message) const noexcept { log(PMX_LOG_ERROR, message); }

    Http http() const noexcept { return Http(http_); }

private:
    const pmx_host* raw_ = nullptr;
    const pmx_host_log* log_ = nullptr;
    const pmx_host_http* http_ = nullptr;
};

namespace detail {
// Written once by the init trampoline (main thread, before any other call: the host's own
// thread hand-offs order it before every read), cleared by deinit. Constant-initialised.
inline Host g_plugin_host;
}  // namespace detail

inline Host Host::get() noexcept { return detail::g_plugin_host; }

// -------------------------------------------------------------------------------------------
// Completer views
// -------------------------------------------------------------------------------------------

// Where a completion is written; the host copies every piece. Non-owning, call duration.
class TextSink {
public:
    explicit constexpr TextSink(const pmx_text_sink* raw) noexcept : raw_(raw) {}

    // Appends UTF-8 text. Returns false when the host wants no more: stop and return
    // PMX_CANCELLED.
    bool write(std::string_view text) const noexcept {
        if (!PMX_HAS_FIELD(raw_, pmx_text_sink, write) || raw_->write == nullptr) return false;
        return raw_->write(raw_->ctx, text.data(), text.size()) == 0;
    }

private:
    const pmx_text_sink* raw_ = nullptr;
};

struct Message {
    std::int32_t role = PMX_ROLE_USER;  // PMX_ROLE_*
    std::string_view content{};
};

// A read-only view of a pmx_completion_request (a size-honouring copy; strings borrowed for
// the call).
class CompletionRequest {
public:
    explicit CompletionRequest(const pmx_completion_request* raw) noexcept
        : raw_(detail::sized_copy(raw)) {}

    std::string_view system() const noexcept { return view(raw_.system); }
    std::size_t message_count() const noexcept {
        return raw_.messages != nullptr ? raw_.message_count : 0;
    }
    // Message i, oldest first (i < message_count()).
    Message message(std::size_t i) const noexcept {
        const pmx_message m = detail::sized_copy(raw_.messages[i]);
        return Message{m.role, view(m.content)};
    }
    std::string_view model() const noexcept { return view(raw_.model); }  // empty = configured
    std::uint32_t max_output_tokens() const noexcept { return raw_.max_output_tokens; }
    bool wants_json() const noexcept { return (raw_.flags & PMX_COMPLETE_JSON) != 0; }
    std::string_view json_schema() const noexcept { return view(raw_.json_schema); }
    std::optional<float> temperature() const noexcept {
        if ((raw_.flags & PMX_COMPLETE_HAS_TEMPERATURE) == 0) return std::nullopt;
        return raw_.temperature;
    }
    const pmx_completion_request& raw() const noexcept { return raw_; }

private:
    pmx_completion_request raw_;
};

// -------------------------------------------------------------------------------------------
// Embedder views
// -------------------------------------------------------------------------------------------

// A non-owning view of `size` contiguous T (std::span's shape, also in C++17).
template <class T>
class Span {
public:
    constexpr Span() noexcept = default;
    constexpr Span(T* data, std::size_t size) noexcept : data_(data), size_(size) {}

    constexpr T* data() const noexcept { return data_; }
    constexpr std::size_t size() const noexcept { return size_; }
    constexpr bool empty() const noexcept { return size_ == 0; }
    constexpr T& operator[](std::size_t i) const noexcept { return data_[i]; }
    constexpr T* begin() const noexcept { return data_; }
    constexpr T* end() const noexcept { return data_ + size_; }
    // `count` elements from `offset`; the caller keeps offset + count <= size().
    constexpr Span subspan(std::size_t offset, std::size_t count) const noexcept {
        return Span(data_ + offset, count);
    }

private:
    T* data_ = nullptr;
    std::size_t size_ = 0;
};

// The texts of one embed() call, as string_views (borrowed for the call).
class Texts {
public:
    class iterator {
    public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = std::string_view;
        using difference_type = std::ptrdiff_t;
        using pointer = void;
        using reference = std::string_view;

        constexpr iterator() noexcept = default;
        explicit constexpr iterator(const pmx_str* at) noexcept : at_(at) {}
        constexpr std::string_view operator*() const noexcept { return view(*at_); }
        constexpr iterator& operator++() noexcept { ++at_; return *this; }
        constexpr iterator operator++(int) noexcept { iterator old = *this; ++at_; return old; }
        constexpr bool operator==(const iterator& o) const noexcept { return at_ == o.at_; }
        constexpr bool operator!=(const iterator& o) const noexcept { return at_ != o.at_; }

    private:
        const pmx_str* at_ = nullptr;
    };

    constexpr Texts(const pmx_str* data, std::size_t count) noexcept
        : data_(data), count_(data != nullptr ? count : 0) {}

    constexpr std::size_t size() const noexcept { return count_; }
    constexpr bool empty() const noexcept { return count_ == 0; }
    constexpr std::string_view operator[](std::size_t i) const noexcept { return view(data_[i]); }
    constexpr iterator begin() const noexcept { return iterator(data_); }
    constexpr iterator end() const noexcept { return iterator(data_ + count_); }

private:
    const pmx_str* data_ = nullptr;
    std::size_t count_ = 0;
};

enum class EmbedKind : std::int32_t {
    document = PMX_EMBED_DOCUMENT,  // texts to be stored and searched
    query = PMX_EMBED_QUERY,        // a search query
};

// What a completer's model can take (ABI 1.3); the C++ form of pmx_completer_info. The host
// sizes its requests to fit the context window and prices the model's tokens.
struct CompleterInfo {
    std::uint64_t context_tokens = 0;     // the context window (input + output); 0 = unknown
    std::uint32_t max_output_tokens = 0;  // most output tokens one answer may have; 0 = unknown
    std::string model{};                  // the configured model, e.g. "gpt-4o-mini"
};

// What an embedder reports; the C++ form of pmx_embedder_info.
struct EmbedderInfo {
    std::uint32_t dimension = 0;        // floats per vector; > 0, fixed for the instance
    std::uint32_t max_batch = 0;        // texts per embed() call; 0 = no limit
    std::uint32_t max_input_chars = 0;  // longer texts are truncated by the plugin; 0 = no limit
    std::uint32_t flags = 0;            // PMX_EMBEDDER_* (e.g. PMX_EMBEDDER_NORMALIZED)
    std::string model{};                // stored with the vectors, e.g. "toy-hash-64"
};

// -------------------------------------------------------------------------------------------
// Media-source views
// -------------------------------------------------------------------------------------------

// Where a media source emits; the host copies everything it is given. Each method fills in
// struct_size, so authors can brace-initialise the C structs from `{}`. Non-owning.
class MediaSink {
public:
    explicit constexpr MediaSink(const pmx_media_sink* raw) noexcept : raw_(raw) {}

    void server(pmx_server_info info) const noexcept {
        info.struct_size = detail::size_of<pmx_server_info>();
        if (PMX_HAS_FIELD(raw_, pmx_media_sink, server) && raw_->server != nullptr) {
            raw_->server(raw_->ctx, &info);
        }
    }
    void library(pmx_library library) const noexcept {
        library.struct_size = detail::size_of<pmx_library>();
        if (PMX_HAS_FIELD(raw_, pmx_media_sink, library) && raw_->library != nullptr) {
            raw_->library(raw_->ctx, &library);
        }
    }
    // Returns false when the host has seen enough: stop and return PMX_OK without a cursor.
    bool track(pmx_track track) const noexcept {
        track.struct_size = detail::size_of<pmx_track>();
        if (!PMX_HAS_FIELD(raw_, pmx_media_sink, track) || raw_->track == nullptr) return false;
        return raw_->track(raw_->ctx, &track) == 0;
    }
    void total(std::uint64_t total) const noexcept {
        if (PMX_HAS_FIELD(raw_, pmx_media_sink, total) && raw_->total != nullptr) {
            raw_->total(raw_->ctx, total);
        }
    }
    // Not calling it means "this was the last page".
    void next_cursor(std::string_view cursor) const noexcept {
        if (PMX_HAS_FIELD(raw_, pmx_media_sink, next_cursor) && raw_->next_cursor != nullptr) {
            raw_->next_cursor(raw_->ctx, cursor.data(), cursor.size());
        }
    }
    void playlist(std::string_view key, std::uint64_t item_count) const noexcept {
        if (PMX_HAS_FIELD(raw_, pmx_media_sink, playlist) && raw_->playlist != nullptr) {
            raw_->playlist(raw_->ctx, key.data(), key.size(), item_count);
        }
    }
    // The key of a playlist just created (ABI 1.2), before anything else is written to it.
    // Returns false when the host could not record it: stop and return PMX_CANCELLED. True
    // from an older host, which records the key only at the end.
    bool playlist_created(std::string_view key) const noexcept {
        if (!PMX_HAS_FIELD(raw_, pmx_media_sink, playlist_created) || raw_->playlist_created == nullptr) return true;
        return raw_->playlist_created(raw_->ctx, key.data(), key.size()) == 0;
    }

private:
    const pmx_media_sink* raw_ = nullptr;
};

// -------------------------------------------------------------------------------------------
// Base classes. An instance derives from one or more interfaces (virtually from Instance, so
// `class Gemini : public Embedder, public Completer` works). Threading: calls on one instance
// are serialized by the host unless the descriptor sets max_concurrent_calls > 1; the
// destructor runs when no call is in flight. Destructors must not throw.
// Return PMX_OK or a status with `return call.error(status, "why")`, or throw pmx::sdk::Error.
// -------------------------------------------------------------------------------------------

class Instance {
public:
    Instance() = default;
    Instance(const Instance&) = delete;
    Instance& operator=(const Instance&) = delete;
    virtual ~Instance() = default;
};

// "pmx.completer/1"
class Completer : public virtual Instance {
public:
    // Writes the answer to `out` (one JSON value when request.wants_json()). May be called
    // again with the same request after a retryable failure: no side effects beyond the
    // provider request. What was written is discarded by the host on non-OK.
    virtual pmx_status complete(Call& call, const CompletionRequest& request, TextSink& out) = 0;

    // The model's limits (ABI 1.3). Any thread, no I/O. Return a member set by the
    // constructor: the object (and its model string) must live, unchanged, as long as the
    // instance. The default says nothing is known.
    virtual const CompleterInfo& completer_info() const {
        static const CompleterInfo unknown;
        return unknown;
    }
};

// "pmx.embedder/1"
class Embedder : public virtual Instance {
public:
    // Describes the vectors. Any thread, no I/O. Return a member set by the constructor: the
    // object (and its model string) must live, unchanged, as long as the instance.
    virtual const EmbedderInfo& info() const = 0;

    // Embeds texts.size() texts into `out`: texts.size() × dimension floats, row-major (row i
    // is out.subspan(i * dimension, dimension)), finite. The trampoline has already checked
    // the batch size and the buffer's capacity, and rejects non-finite output.
    virtual pmx_status embed(Call& call, const Texts& texts, EmbedKind kind, Span<float> out) = 0;
};

// "pmx.media-source/1". Request structs are size-honouring copies; their strings are
// borrowed for the call (read them with pmx::sdk::view()).
class MediaSource : public virtual Instance {
public:
    virtual pmx_status identity(Call& call, MediaSink& out) = 0;        // out.server() once
    virtual pmx_status list_libraries(Call& call, MediaSink& out) = 0;  // out.library() each
    // ONE page: out.track() per track, out.total(), and out.next_cursor() unless last page.
    virtual pmx_status scan_tracks(Call& call, const pmx_scan_request& request,
                                   MediaSink& out) = 0;
    // Optional. The defaults answer PMX_UNSUPPORTED (a read-only source).
    virtual pmx_status write_playlist(Call& call, const pmx_playlist_write& request,
                                      MediaSink& out) {
        (void)request;
        (void)out;
        return call.error(PMX_UNSUPPORTED, "this media source is read-only");
    }
    virtual pmx_status delete_playlist(Call& call, std::string_view key) {
        (void)key;
        return call.error(PMX_UNSUPPORTED, "this media source is read-only");
    }
};

// -------------------------------------------------------------------------------------------
// The descriptor: what PMX_PLUGIN turns into `pmx_entry`. Must be a namespace-scope constexpr
// object; the pointers in it must point at string literals or other constexpr objects.
// -------------------------------------------------------------------------------------------

// Makes an instance from validated settings. Main thread or any one host thread, never
// concurrently with another call on the plugin; no network I/O (identity() checks credentials).
using Factory = std::unique_ptr<Instance> (*)(const Settings& settings, Call& call);

struct Descriptor {
    const char* id = nullptr;           // required: [a-z0-9-]+, e.g. "echo"
    const char* name = nullptr;         // required: human name
    const char* version = nullptr;      // required: the plugin's own version, e.g. "1.0.0"
    const char* description = nullptr;  // optional: one line
    const char* const* interfaces = nullptr;  // required: NULL-terminated PMX_IFACE_* list
    Factory create = nullptr;                 // required
    const pmx_setting_spec* const* settings = nullptr;  // optional: NULL-terminated
    std::uint32_t max_concurrent_calls = 0;  // 0 or 1 = calls on an instance are serialized
};

// A declared setting with struct_size filled in (conventions/settings.md).
constexpr pmx_setting_spec setting(pmx_setting_type type, const char* key,
                                   const char* default_value, const char* description,
                                   std::uint32_t flags = 0) noexcept {
    return pmx_setting_spec{detail::size_of<pmx_setting_spec>(), type, flags, 0u, key,
                            default_value, description};
}

// -------------------------------------------------------------------------------------------
// The trampolines: the only functions the host calls. Each converts C to C++ and ends in the
// catch-all. Nothing below is meant to be called by plugin code.
// -------------------------------------------------------------------------------------------

namespace detail {

// With no pmx_call (embedder info), the message goes to the host log instead.
inline pmx_status report(const Call& call, pmx_status status, const char* message) noexcept {
    if (call.raw() == nullptr) {
        Host::get().error(message);
        return status;
    }
    return call.error(status, message);
}

// THE catch-all. `body` returns a pmx_status.
template <class Body>
pmx_status guarded(const Call& call, Body&& body) noexcept {
    try {
        return std::forward<Body>(body)();
    } catch (const Error& e) {
        const pmx_status status = e.status() == PMX_OK ? PMX_INTERNAL : e.status();
        return e.has_message() ? report(call, status, e.what()) : status;
    } catch (const std::bad_alloc&) {
        return report(call, PMX_INTERNAL, "out of memory");
    } catch (const std::exception& e) {
        return report(call, PMX_INTERNAL, e.what());
    } catch (...) {
        return report(call, PMX_INTERNAL, "unknown exception");
    }
}

// A pmx_instance* is an Instance* (the pointer create() released), never a derived pointer.
inline pmx_instance* to_handle(Instance* instance) noexcept {
    return reinterpret_cast<pmx_instance*>(instance);
}
inline Instance* from_handle(pmx_instance* self) noexcept {
    return reinterpret_cast<Instance*>(self);
}

template <class Interface>
Interface& as(pmx_instance* self) {
    auto* implementation = dynamic_cast<Interface*>(from_handle(self));
    if (implementation == nullptr) {
        throw Error(PMX_INTERNAL,
                    "the instance does not implement the interface it was called through");
    }
    return *implementation;
}

// --- completer ---

inline pmx_status complete(pmx_instance* self, const pmx_call* raw_call,
                           const pmx_completion_request* request,
                           const pmx_text_sink* out) noexcept {
    Call call(raw_call);
    return guarded(call, [&]() -> pmx_status {
        Completer& completer = as<Completer>(self);
        if (request == nullptr || out == nullptr) {
            return call.error(PMX_INVALID_INPUT, "complete: request or sink is NULL");
        }
        const CompletionRequest view_of_request(request);
        TextSink sink(out);
        return completer.complete(call, view_of_request, sink);
    });
}

inline pmx_status completer_info(pmx_instance* self, pmx_completer_info* out) noexcept {
    const Call no_call;  // info() receives no pmx_call: errors go to the host log
    return guarded(no_call, [&]() -> pmx_status {
        if (out == nullptr) return PMX_INVALID_INPUT;
        const CompleterInfo& info = as<Completer>(self).completer_info();
        pmx_completer_info full;
        std::memset(&full, 0, sizeof full);
        full.struct_size = size_of<pmx_completer_info>();
        full.max_output_tokens = info.max_output_tokens;
        full.context_tokens = info.context_tokens;
        full.model = to_pmx(info.model);
        write_fitting(out, full);
        return PMX_OK;
    });
}

// --- embedder ---

inline pmx_status embedder_info(pmx_instance* self, pmx_embedder_info* out) noexcept {
    const Call no_call;  // info() receives no pmx_call: errors go to the host log
    return guarded(no_call, [&]() -> pmx_status {
        if (out == nullptr) return PMX_INVALID_INPUT;
        const EmbedderInfo& info = as<Embedder>(self).info();
        pmx_embedder_info full;
        std::memset(&full, 0, sizeof full);
        full.struct_size = size_of<pmx_embedder_info>();
        full.dimension = info.dimension;
        full.max_batch = info.max_batch;
        full.max_input_chars = info.max_input_chars;
        full.flags = info.flags;
        full.model = to_pmx(info.model);
        write_fitting(out, full);
        return PMX_OK;
    });
}

inline pmx_status embed(pmx_instance* self, const pmx_call* raw_call, const pmx_str* texts,
                        std::size_t count, std::int32_t kind, float* out,
                        std::size_t out_capacity) noexcept {
    Call call(raw_call);
    return guarded(call, [&]() -> pmx_status {
        Embedder& embedder = as<Embedder>(self);
        const EmbedderInfo& info = embedder.info();
        const std::size_t dimension = info.dimension;
        if (dimension == 0) return call.error(PMX_INTERNAL, "embed: the embedder's dimension is 0");
        if (count == 0) return PMX_OK;
        if (texts == nullptr || out == nullptr) {
            return call.error(PMX_INVALID_INPUT, "embed: texts or out is NULL");
        }
        if (info.max_batch != 0 && count > info.max_batch) {
            return call.error(PMX_INVALID_INPUT, "embed: " + std::to_string(count) +
                                                     " texts exceed max_batch " +
                                                     std::to_string(info.max_batch));
        }
        if (count > out_capacity / dimension) {
            return call.error(PMX_INVALID_INPUT, "embed: out holds " +
                                                     std::to_string(out_capacity) +
                                                     " floats, fewer than count x dimension");
        }
        const Span<float> vectors(out, count * dimension);
        const pmx_status status =
            embedder.embed(call, Texts(texts, count), static_cast<EmbedKind>(kind), vectors);
        const auto finite = [](float x) { return std::isfinite(x); };
        if (status == PMX_OK && !std::all_of(vectors.begin(), vectors.end(), finite)) {
            return call.error(PMX_BAD_RESPONSE, "embed: a vector holds a NaN or infinite value");
        }
        return status;
    });
}

// --- media source ---

inline pmx_status identity(pmx_instance* self, const pmx_call* raw_call,
                           const pmx_media_sink* out) noexcept {
    Call call(raw_call);
    return guarded(call, [&]() -> pmx_status {
        MediaSink sink(out);
        return as<MediaSource>(self).identity(call, sink);
    });
}

inline pmx_status list_libraries(pmx_instance* self, const pmx_call* raw_call,
                                 const pmx_media_sink* out) noexcept {
    Call call(raw_call);
    return guarded(call, [&]() -> pmx_status {
        MediaSink sink(out);
        return as<MediaSource>(self).list_libraries(call, sink);
    });
}

inline pmx_status scan_tracks(pmx_instance* self, const pmx_call* raw_call,
                              const pmx_scan_request* request, const pmx_media_sink* out) noexcept {
    Call call(raw_call);
    return guarded(call, [&]() -> pmx_status {
        if (request == nullptr) {
            return call.error(PMX_INVALID_INPUT, "scan_tracks: request is NULL");
        }
        const pmx_scan_request copy = sized_copy(request);
        MediaSink sink(out);
        return as<MediaSource>(self).scan_tracks(call, copy, sink);
    });
}

inline pmx_status write_playlist(pmx_instance* self, const pmx_call* raw_call,
                                 const pmx_playlist_write* request,
                                 const pmx_media_sink* out) noexcept {
    Call call(raw_call);
    return guarded(call, [&]() -> pmx_status {
        if (request == nullptr) {
            return call.error(PMX_INVALID_INPUT, "write_playlist: request is NULL");
        }
        const pmx_playlist_write copy = sized_copy(request);
        MediaSink sink(out);
        return as<MediaSource>(self).write_playlist(call, copy, sink);
    });
}

inline pmx_status delete_playlist(pmx_instance* self, const pmx_call* raw_call,
                                  pmx_str key) noexcept {
    Call call(raw_call);
    return guarded(call, [&]() -> pmx_status {
        return as<MediaSource>(self).delete_playlist(call, view(key));
    });
}

// --- vtables: one per interface, shared by every instance of this plugin ---

inline constexpr pmx_completer kCompleterVtable{size_of<pmx_completer>(), 0u, &complete, &completer_info};
inline constexpr pmx_embedder kEmbedderVtable{size_of<pmx_embedder>(), 0u, &embedder_info,
                                              &embed};
inline constexpr pmx_media_source kMediaSourceVtable{size_of<pmx_media_source>(), 0u,
                                                     &identity, &list_libraries, &scan_tracks,
                                                     &write_playlist, &delete_playlist};

// --- the entry's own callbacks ---

inline pmx_status init(const pmx_host* host, const pmx_call* raw_call) noexcept {
    const Call call(raw_call);
    if (host == nullptr) return call.error(PMX_INVALID_INPUT, "init: host is NULL");
    if (PMX_HAS_FIELD(host, pmx_host, abi_major) && host->abi_major != PMX_ABI_MAJOR) {
        return call.error(PMX_UNSUPPORTED, "the host speaks another plugin ABI major");
    }
    g_plugin_host = Host(host);
    return PMX_OK;
}

inline void deinit() noexcept { g_plugin_host = Host(); }

inline void destroy(pmx_instance* self) noexcept { delete from_handle(self); }

// The vtable of `id` when the instance derives from that interface's base class, else NULL.
inline const void* get_interface(pmx_instance* self, const char* id) noexcept {
    Instance* const instance = from_handle(self);
    if (instance == nullptr || id == nullptr) return nullptr;
    if (std::strcmp(id, PMX_IFACE_COMPLETER) == 0) {
        return dynamic_cast<Completer*>(instance) != nullptr ? &kCompleterVtable : nullptr;
    }
    if (std::strcmp(id, PMX_IFACE_EMBEDDER) == 0) {
        return dynamic_cast<Embedder*>(instance) != nullptr ? &kEmbedderVtable : nullptr;
    }
    if (std::strcmp(id, PMX_IFACE_MEDIA_SOURCE) == 0) {
        return dynamic_cast<MediaSource*>(instance) != nullptr ? &kMediaSourceVtable : nullptr;
    }
    return nullptr;
}

inline bool sdk_knows_interface(const char* id) noexcept {
    return std::strcmp(id, PMX_IFACE_COMPLETER) == 0 || std::strcmp(id, PMX_IFACE_EMBEDDER) == 0 ||
           std::strcmp(id, PMX_IFACE_MEDIA_SOURCE) == 0;
}

template <const Descriptor* D>
pmx_status create(const pmx_kv* settings, std::size_t setting_count, const pmx_call* raw_call,
                  pmx_instance** out) noexcept {
    Call call(raw_call);
    if (out == nullptr) return call.error(PMX_INVALID_INPUT, "create: out is NULL");
    *out = nullptr;
    return guarded(call, [&]() -> pmx_status {
        std::unique_ptr<Instance> instance = D->create(Settings(settings, setting_count), call);
        if (!instance) {
            return call.error(PMX_INTERNAL, std::string(D->id) + ": create() made no instance");
        }
        // A declared interface the instance does not derive from is a plugin bug: say so now
        // rather than when the host first asks for it.
        for (const char* const* id = D->interfaces; *id != nullptr; ++id) {
            if (sdk_knows_interface(*id) &&
                get_interface(to_handle(instance.get()), *id) == nullptr) {
                return call.error(PMX_INTERNAL, std::string(D->id) + " declares " + *id +
                                                    " but its instance does not implement it");
            }
        }
        *out = to_handle(instance.release());
        return PMX_OK;
    });
}

// --- compile-time checks of a descriptor ---

constexpr bool valid_id(const char* id) {
    if (id == nullptr || *id == '\0') return false;
    for (; *id != '\0'; ++id) {
        const char c = *id;
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
    }
    return true;
}

constexpr bool valid_key(const char* key) {  // lower_snake_case
    if (key == nullptr || !(*key >= 'a' && *key <= 'z')) return false;
    for (; *key != '\0'; ++key) {
        const char c = *key;
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
    }
    return true;
}

constexpr bool non_empty(const char* text) { return text != nullptr && *text != '\0'; }

constexpr bool valid_settings(const pmx_setting_spec* const* settings) {
    if (settings == nullptr) return true;
    for (; *settings != nullptr; ++settings) {
        if ((*settings)->struct_size == 0 || !valid_key((*settings)->key)) return false;
    }
    return true;
}

template <const Descriptor* D>
constexpr pmx_plugin_entry make_entry() noexcept {
    static_assert(valid_id(D->id), "Descriptor::id is required and must match [a-z0-9-]+");
    static_assert(non_empty(D->name), "Descriptor::name is required");
    static_assert(non_empty(D->version), "Descriptor::version is required");
    static_assert(D->interfaces != nullptr && D->interfaces[0] != nullptr,
                  "Descriptor::interfaces must list at least one PMX_IFACE_* id, NULL-terminated");
    static_assert(D->create != nullptr, "Descriptor::create (the factory) is required");
    static_assert(valid_settings(D->settings),
                  "Descriptor::settings: make each with pmx::sdk::setting(); "
                  "keys are lower_snake_case");
    return pmx_plugin_entry{PMX_ABI_MAJOR,
                            PMX_ABI_MINOR,
                            size_of<pmx_plugin_entry>(),
                            D->max_concurrent_calls,
                            D->id,
                            D->name,
                            D->version,
                            D->description,
                            D->interfaces,
                            D->settings,
                            &init,
                            &deinit,
                            &create<D>,
                            &destroy,
                            &get_interface};
}

}  // namespace detail
}  // namespace pmx::sdk

#if defined(__GNUC__) || defined(__clang__)
#pragma GCC visibility pop
#endif

// Declares the plugin's one exported symbol from a pmx::sdk::Descriptor (a namespace-scope
// constexpr object). Use it once per plugin, at namespace scope, followed by a semicolon:
//
//     constexpr pmx::sdk::Descriptor kEcho{"echo", "Echo", "1.0.0", "...", kInterfaces, &create};
//     PMX_PLUGIN(kEcho);
//
// The entry is constexpr: constant-initialised data, no code runs when the library is mapped,
// and a descriptor that is not a constant fails to compile.
#define PMX_PLUGIN(descriptor)                                 \
    extern "C" PMX_EXPORT constexpr pmx_plugin_entry pmx_entry = \
        ::pmx::sdk::detail::make_entry<&(descriptor)>()
