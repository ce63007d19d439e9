// libcurl behind HttpClient: pooled multi+easy "lanes", cancellation by wake-up, error mapping.
#include "net/http_client.hpp"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <ctime>
#include <mutex>
#include <stdexcept>

#include "util/redact.hpp"

#ifndef PMX_VERSION
#define PMX_VERSION "0.0.0"
#endif

namespace pmx {
namespace {

constexpr int kPollIntervalMs = 1000;  // curl_multi_poll wakes earlier for curl's own timers
constexpr std::size_t kMaxResponseBytes = std::size_t{512} << 20;  // refuse bodies above 512 MiB
constexpr long long kMaxRetryAfterSeconds = 7LL * 24 * 3600;      // clamp absurd hints to a week
constexpr const char* kUserAgent = "plexmix/" PMX_VERSION;
constexpr const char* kAllowedProtocols = "http,https";

constexpr std::array<std::string_view, 7> kMethods = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};

std::string to_lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string_view trim(std::string_view s) {
    const auto not_space = [](char c) { return c != ' ' && c != '\t' && c != '\r' && c != '\n'; };
    while (!s.empty() && !not_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && !not_space(s.back())) s.remove_suffix(1);
    return s;
}

bool has_line_break(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

// Maps a transfer failure to a status. Timeouts, connection and TLS trouble are retryable.
pmx_status status_for(CURLcode rc) {
    switch (rc) {
        case CURLE_OPERATION_TIMEDOUT:
            return PMX_TIMEOUT;
        case CURLE_ABORTED_BY_CALLBACK:
            return PMX_CANCELLED;
        case CURLE_URL_MALFORMAT:
        case CURLE_UNSUPPORTED_PROTOCOL:
            return PMX_INVALID_INPUT;
        case CURLE_WEIRD_SERVER_REPLY:
        case CURLE_BAD_CONTENT_ENCODING:
        case CURLE_FILESIZE_EXCEEDED:
        case CURLE_TOO_MANY_REDIRECTS:
            return PMX_BAD_RESPONSE;
        case CURLE_OUT_OF_MEMORY:
        case CURLE_BAD_FUNCTION_ARGUMENT:
        case CURLE_FAILED_INIT:
        case CURLE_NOT_BUILT_IN:
            return PMX_INTERNAL;
        default:  // DNS, connect, TLS handshake/verification, send/recv, reset, empty reply, ...
            return PMX_UNAVAILABLE;
    }
}

// --- libcurl callbacks (C ABI: never throw) --------------------------------------------------

struct Transfer {
    HttpResponse* out = nullptr;
    const CancelToken* token = nullptr;
    bool too_big = false;
};

size_t on_body(char* data, size_t size, size_t count, void* user) noexcept {
    auto* t = static_cast<Transfer*>(user);
    const size_t n = size * count;
    try {
        if (t->out->body.size() + n > kMaxResponseBytes) {
            t->too_big = true;
            return 0;  // aborts with CURLE_WRITE_ERROR
        }
        t->out->body.append(data, n);
        return n;
    } catch (...) {
        return 0;
    }
}

size_t on_header(char* data, size_t size, size_t count, void* user) noexcept {
    auto* t = static_cast<Transfer*>(user);
    const size_t n = size * count;
    try {
        const std::string_view line(data, n);
        if (line.rfind("HTTP/", 0) == 0) {
            // A new status line (after 100 Continue, or a proxy's CONNECT answer): start over.
            t->out->headers.clear();
            return n;
        }
        const std::string_view content = trim(line);
        if (content.empty()) return n;
        if ((line.front() == ' ' || line.front() == '\t') && !t->out->headers.empty()) {
            auto& value = t->out->headers.back().second;  // obsolete folded continuation
            value += ' ';
            value += content;
            return n;
        }
        const auto colon = content.find(':');
        if (colon == std::string_view::npos) return n;
        t->out->headers.emplace_back(to_lower(trim(content.substr(0, colon))),
                                     std::string(trim(content.substr(colon + 1))));
        return n;
    } catch (...) {
        return 0;
    }
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) noexcept {
    const auto* t = static_cast<Transfer*>(user);
    return t->token->cancelled() ? 1 : 0;
}

// --- share locks --------------------------------------------------------------------------

struct ShareLocks {
    std::array<std::mutex, CURL_LOCK_DATA_LAST> mutexes;
};

void share_lock(CURL*, curl_lock_data data, curl_lock_access, void* user) noexcept {
    static_cast<ShareLocks*>(user)->mutexes[static_cast<std::size_t>(data)].lock();
}

void share_unlock(CURL*, curl_lock_data data, void* user) noexcept {
    static_cast<ShareLocks*>(user)->mutexes[static_cast<std::size_t>(data)].unlock();
}

// A multi + easy pair: the multi handle keeps the connection cache between transfers.
struct Lane {
    CURLM* multi = nullptr;
    CURL* easy = nullptr;
    Lane() : multi(curl_multi_init()), easy(curl_easy_init()) {
        if (multi == nullptr || easy == nullptr) {
            cleanup();
            throw std::runtime_error("libcurl could not create a transfer handle");
        }
    }
    Lane(const Lane&) = delete;
    Lane& operator=(const Lane&) = delete;
    ~Lane() { cleanup(); }
    void cleanup() noexcept {
        if (multi != nullptr) curl_multi_cleanup(multi);
        if (easy != nullptr) curl_easy_cleanup(easy);
        multi = nullptr;
        easy = nullptr;
    }
};

struct SlistDeleter {
    void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

}  // namespace

// --- free functions ------------------------------------------------------------------------

void ensure_curl_initialized() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
            throw std::runtime_error("libcurl failed to initialise (curl_global_init)");
        }
    });
}

bool is_known_http_method(std::string_view method) {
    return std::find(kMethods.begin(), kMethods.end(), method) != kMethods.end();
}

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now) {
    const std::string_view v = trim(value);
    if (v.empty()) return std::nullopt;
    if (std::all_of(v.begin(), v.end(), [](unsigned char c) { return std::isdigit(c) != 0; })) {
        long long seconds = 0;
        const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), seconds);
        if (ec == std::errc::result_out_of_range) seconds = kMaxRetryAfterSeconds;
        else if (ec != std::errc() || end != v.data() + v.size()) return std::nullopt;
        return std::chrono::seconds(std::min(seconds, kMaxRetryAfterSeconds));
    }
    const std::string text(v);
    const time_t when = curl_getdate(text.c_str(), nullptr);
    if (when == static_cast<time_t>(-1)) return std::nullopt;
    const auto at = std::chrono::system_clock::from_time_t(when);
    if (at <= now) return std::chrono::milliseconds::zero();
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(at - now);
    return std::min<std::chrono::milliseconds>(wait, std::chrono::seconds(kMaxRetryAfterSeconds));
}

std::optional<std::chrono::milliseconds> parse_retry_after_ms(std::string_view value) {
    const std::string_view v = trim(value);
    const std::size_t dot = v.find('.');
    const std::string_view whole = v.substr(0, dot);
    const std::string_view fraction = dot == std::string_view::npos ? std::string_view() : v.substr(dot + 1);
    const auto digits = [](std::string_view s) {
        return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
    };
    if (whole.empty() || !digits(whole) || !digits(fraction)) return std::nullopt;
    constexpr long long kMaxMs = kMaxRetryAfterSeconds * 1000;
    long long ms = 0;
    const auto [end, ec] = std::from_chars(whole.data(), whole.data() + whole.size(), ms);
    if (ec == std::errc::result_out_of_range) ms = kMaxMs;
    else if (ec != std::errc() || end != whole.data() + whole.size()) return std::nullopt;
    return std::chrono::milliseconds(std::min(ms, kMaxMs));  // a fraction of a millisecond is dropped
}

const std::string* HttpResponse::header(std::string_view lower_name) const {
    for (const auto& [name, value] : headers) {
        if (name == lower_name) return &value;
    }
    return nullptr;
}

// --- HttpClient ----------------------------------------------------------------------------

struct HttpClient::Impl {
    std::string name;
    std::once_flag share_once;
    ShareLocks locks;
    CURLSH* share = nullptr;  // DNS cache and TLS sessions, shared by this client's lanes
    mutable std::mutex pool_mutex;
    std::vector<std::unique_ptr<Lane>> idle;  // back = most recently used

    explicit Impl(std::string n) : name(std::move(n)) {}
    ~Impl() {
        idle.clear();  // lanes (easy handles using the share) go first
        if (share != nullptr) curl_share_cleanup(share);
    }

    void init_share() {
        std::call_once(share_once, [this] {
            ensure_curl_initialized();
            share = curl_share_init();
            if (share == nullptr) return;  // lanes then simply do not share DNS/TLS sessions
            curl_share_setopt(share, CURLSHOPT_LOCKFUNC, share_lock);
            curl_share_setopt(share, CURLSHOPT_UNLOCKFUNC, share_unlock);
            curl_share_setopt(share, CURLSHOPT_USERDATA, &locks);
            curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
            curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
        });
    }

    std::unique_ptr<Lane> take_lane() {
        {
            std::lock_guard lock(pool_mutex);
            if (!idle.empty()) {
                auto lane = std::move(idle.back());
                idle.pop_back();
                return lane;
            }
        }
        return std::make_unique<Lane>();
    }

    void give_back(std::unique_ptr<Lane> lane) {
        std::lock_guard lock(pool_mutex);
        idle.push_back(std::move(lane));
    }
};

HttpClient::HttpClient(std::string name) : impl_(std::make_unique<Impl>(std::move(name))) {}
HttpClient::~HttpClient() = default;

std::size_t HttpClient::pooled_lanes() const {
    std::lock_guard lock(impl_->pool_mutex);
    return impl_->idle.size();
}

HttpResult HttpClient::perform(const HttpRequest& request, const HttpTimeouts& timeouts, const CancelToken& token,
                               HttpResponse& out) {
    const auto started = SteadyClock::now();
    const std::string shown_url = redact(request.url);
    const auto fail = [&](pmx_status status, std::string_view why) {
        HttpResult r{status, redact(request.method + " " + shown_url + ": " + std::string(why))};
        spdlog::debug("http [{}] {} {} failed: {}", impl_->name, request.method, shown_url, r.message);
        return r;
    };

    out = HttpResponse{};
    if (!is_known_http_method(request.method)) return fail(PMX_INVALID_INPUT, "unknown HTTP method");
    if (token.cancelled()) return fail(PMX_CANCELLED, "cancelled before the request was sent");

    Slist headers;
    for (const auto& [name, value] : request.headers) {
        if (name.empty() || has_line_break(name) || has_line_break(value) || name.find(':') != std::string::npos) {
            return fail(PMX_INVALID_INPUT, "invalid header name or value (empty name, ':' or a line break)");
        }
        // "Name;" is libcurl's way to send a header with an empty value.
        const std::string line = value.empty() ? name + ";" : name + ": " + value;
        curl_slist* next = curl_slist_append(headers.get(), line.c_str());
        if (next == nullptr) return fail(PMX_INTERNAL, "out of memory building headers");
        headers.release();
        headers.reset(next);
    }
    // No "Expect: 100-continue" round trip for large bodies.
    if (curl_slist* next = curl_slist_append(headers.get(), "Expect:"); next != nullptr) {
        headers.release();
        headers.reset(next);
    }

    impl_->init_share();
    std::unique_ptr<Lane> lane = impl_->take_lane();
    CURL* easy = lane->easy;
    curl_easy_reset(easy);

    Transfer transfer{&out, &token, false};
    char error_buffer[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, kAllowedProtocols);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(easy, CURLOPT_USERAGENT, kUserAgent);
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, &transfer);
    curl_easy_setopt(easy, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(easy, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(easy, CURLOPT_XFERINFODATA, &transfer);
    if (impl_->share != nullptr) curl_easy_setopt(easy, CURLOPT_SHARE, impl_->share);
    if (timeouts.total.count() > 0) curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(timeouts.total.count()));
    if (timeouts.connect.count() > 0) {
        curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeouts.connect.count()));
    }

    const bool has_body = !request.body.empty();
    if (request.method == "GET" && !has_body) {
        curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
    } else if (request.method == "HEAD") {
        curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
    } else {
        // POSTFIELDS for every method with a body (and for POST/PUT/PATCH/DELETE/OPTIONS without
        // one, so that "Content-Length: 0" is sent); CUSTOMREQUEST sets the verb.
        curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
        curl_easy_setopt(easy, CURLOPT_POSTFIELDS, has_body ? request.body.data() : "");
        if (request.method != "POST") curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }
    if (!request.secret_body && has_body && spdlog::should_log(spdlog::level::trace)) {
        spdlog::trace("http [{}] {} {} body: {}", impl_->name, request.method, shown_url, redact(request.body));
    }

    CURLcode rc = CURLE_OK;
    CURLMcode mc = curl_multi_add_handle(lane->multi, easy);
    bool cancelled = false;
    bool finished = false;
    if (mc == CURLM_OK) {
        CURLM* multi = lane->multi;
        const auto wake = token.on_cancel([multi] { curl_multi_wakeup(multi); });
        int running = 1;
        while (mc == CURLM_OK) {
            if (token.cancelled()) {
                cancelled = true;
                break;
            }
            mc = curl_multi_perform(multi, &running);
            if (mc != CURLM_OK || running == 0) break;
            mc = curl_multi_poll(multi, nullptr, 0, kPollIntervalMs, nullptr);
        }
        int queued = 0;
        while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
            if (msg->msg == CURLMSG_DONE && msg->easy_handle == easy) {
                rc = msg->data.result;
                finished = true;
            }
        }
        // Removing an unfinished transfer closes its connection; a finished one stays cached.
        curl_multi_remove_handle(multi, easy);
    }
    long http_status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &http_status);
    // The easy handle must not keep pointers to this frame's buffers once back in the pool.
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, nullptr);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, nullptr);
    impl_->give_back(std::move(lane));

    const auto elapsed_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - started).count();
    if (cancelled || (token.cancelled() && (!finished || rc != CURLE_OK))) {
        return fail(PMX_CANCELLED, "cancelled after " + std::to_string(elapsed_ms) + " ms");
    }
    if (mc != CURLM_OK) return fail(PMX_INTERNAL, std::string("libcurl multi error: ") + curl_multi_strerror(mc));
    if (!finished) return fail(PMX_INTERNAL, "libcurl ended the transfer without a result");
    if (rc != CURLE_OK) {
        if (transfer.too_big) {
            return fail(PMX_BAD_RESPONSE, "response body larger than " + std::to_string(kMaxResponseBytes) + " bytes");
        }
        std::string why = error_buffer[0] != '\0' ? std::string(error_buffer) : std::string(curl_easy_strerror(rc));
        if (rc == CURLE_OPERATION_TIMEDOUT) why = "timed out after " + std::to_string(elapsed_ms) + " ms (" + why + ")";
        return fail(status_for(rc), why);
    }

    out.status = static_cast<int>(http_status);
    if (const std::string* ms = out.header("retry-after-ms"); ms && parse_retry_after_ms(*ms)) {
        out.retry_after = *parse_retry_after_ms(*ms);
    } else if (const std::string* value = out.header("retry-after")) {
        out.retry_after = parse_retry_after(*value, std::chrono::system_clock::now()).value_or(std::chrono::milliseconds{});
    }
    spdlog::debug("http [{}] {} {} -> {} ({} bytes, {} ms)", impl_->name, request.method, shown_url, out.status,
                  out.body.size(), elapsed_ms);
    return {};
}

}  // namespace pmx
