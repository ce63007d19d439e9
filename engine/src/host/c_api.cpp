// The only host code plugins call through C function pointers: pmx_call, pmx_host and its services.
// Every entry point is noexcept and ends in a catch-all: nothing throws across the ABI.
#include "host/c_api.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstring>
#include <exception>
#include <string>
#include <string_view>

#include "host/call_context.hpp"
#include "host/plugin_host.hpp"
#include "host/provider_runtime.hpp"
#include "net/http_client.hpp"
#include "util/redact.hpp"

namespace pmx::capi {
namespace {

// A v1 request must reach at least through `url`; later fields read as zero when absent.
constexpr std::size_t kHttpRequestMinSize = offsetof(pmx_http_request, url) + sizeof(pmx_str);
constexpr std::size_t kMaxShownMethod = 16;

std::string_view view(const char* data, std::size_t len) {
    return data == nullptr ? std::string_view{} : std::string_view(data, len);
}

spdlog::level::level_enum to_spdlog(pmx_log_level level) {
    switch (level) {
        case PMX_LOG_TRACE: return spdlog::level::trace;
        case PMX_LOG_DEBUG: return spdlog::level::debug;
        case PMX_LOG_INFO: return spdlog::level::info;
        case PMX_LOG_WARN: return spdlog::level::warn;
        default: return level < PMX_LOG_TRACE ? spdlog::level::trace : spdlog::level::err;
    }
}

// Logs what the catch-all caught; never throws.
void log_escape(const char* where, const char* what) noexcept {
    try {
        spdlog::error("host {}: internal error: {}", where, what);
    } catch (...) {
    }
}

// --- pmx_call -------------------------------------------------------------------------------

int32_t call_is_cancelled(const pmx_call* call) noexcept {
    try {
        const CallContext* ctx = CallContext::from(call);
        return ctx == nullptr || ctx->is_cancelled() ? 1 : 0;
    } catch (...) {
        return 1;
    }
}

int64_t call_remaining_ms(const pmx_call* call) noexcept {
    try {
        const CallContext* ctx = CallContext::from(call);
        return ctx == nullptr ? 0 : ctx->remaining_ms();
    } catch (...) {
        return 0;
    }
}

void call_set_error(const pmx_call* call, pmx_status status, const char* message, size_t len) noexcept {
    try {
        if (CallContext* ctx = CallContext::from(call)) ctx->set_error(status, view(message, len));
    } catch (const std::exception& e) {
        log_escape("set_error", e.what());
    } catch (...) {
        log_escape("set_error", "unknown exception");
    }
}

void call_set_http_status(const pmx_call* call, int32_t http_status) noexcept {
    try {
        if (CallContext* ctx = CallContext::from(call)) ctx->set_http_status(http_status);
    } catch (...) {
        log_escape("set_http_status", "unknown exception");
    }
}

void call_set_retry_after_ms(const pmx_call* call, int64_t ms) noexcept {
    try {
        if (CallContext* ctx = CallContext::from(call)) ctx->set_retry_after(std::chrono::milliseconds(ms));
    } catch (...) {
        log_escape("set_retry_after_ms", "unknown exception");
    }
}

void call_progress(const pmx_call* call, uint64_t done, uint64_t total) noexcept {
    try {
        if (CallContext* ctx = CallContext::from(call)) ctx->progress(done, total);
    } catch (const std::exception& e) {
        log_escape("progress", e.what());
    } catch (...) {
        log_escape("progress", "unknown exception");
    }
}

void call_report_usage(const pmx_call* call, uint64_t input_tokens, uint64_t output_tokens) noexcept {
    try {
        if (CallContext* ctx = CallContext::from(call)) ctx->report_usage(input_tokens, output_tokens);
    } catch (...) {
        log_escape("report_usage", "unknown exception");
    }
}

// --- pmx.host.log/1 -------------------------------------------------------------------------

void log_write(const pmx_host* host, pmx_log_level level, const char* message, size_t len) noexcept {
    try {
        const auto lvl = to_spdlog(level);
        if (!spdlog::should_log(lvl)) return;
        const PluginHost* owner = PluginHost::from(host);
        const std::string_view id = owner != nullptr ? std::string_view(owner->plugin_id()) : "unknown-plugin";
        spdlog::log(lvl, "[{}] {}", id, redact(view(message, len)));
    } catch (const std::exception& e) {
        log_escape("log", e.what());
    } catch (...) {
        log_escape("log", "unknown exception");
    }
}

int32_t log_enabled(const pmx_host* /*host: one level for every plugin, for now*/, pmx_log_level level) noexcept {
    try {
        return spdlog::should_log(to_spdlog(level)) ? 1 : 0;
    } catch (...) {
        return 0;
    }
}

const pmx_host_log kLogService = {sizeof(pmx_host_log), 0, &log_write, &log_enabled};

// --- pmx.host.http/1 ------------------------------------------------------------------------

// Reads and checks the plugin's request; returns "" or what is wrong with it.
std::string read_request(const pmx_http_request* given, HttpRequest& out, std::chrono::milliseconds& timeout) {
    if (given == nullptr) return "the request is NULL";
    if (given->struct_size < kHttpRequestMinSize) {
        return "pmx_http_request.struct_size is " + std::to_string(given->struct_size) + ", ABI 1.0 needs at least " +
               std::to_string(kHttpRequestMinSize);
    }
    pmx_http_request req{};
    std::memcpy(&req, given, std::min<std::size_t>(given->struct_size, sizeof req));

    const std::string method = req.method == nullptr ? "GET" : std::string(req.method);
    if (!is_known_http_method(method)) {
        return "unknown HTTP method '" + method.substr(0, kMaxShownMethod) + "'";
    }
    if (req.url.data == nullptr || req.url.len == 0) return "the URL is empty";
    std::string url(req.url.data, req.url.len);
    std::string scheme = url.substr(0, url.find(':'));
    std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if ((scheme != "http" && scheme != "https") || url.find("://") != scheme.size()) {
        return "the URL must be absolute http:// or https://, got '" + redact(url) + "'";
    }
    if (url.find('\0') != std::string::npos) return "the URL contains a NUL byte";
    if (req.header_count > 0 && req.headers == nullptr) return "header_count > 0 but headers is NULL";
    if (req.body.len > 0 && req.body.data == nullptr) return "body.len > 0 but body.data is NULL";

    out.method = method;
    out.url = std::move(url);
    out.headers.clear();
    out.headers.reserve(req.header_count);
    for (std::size_t i = 0; i < req.header_count; ++i) {
        const pmx_kv& kv = req.headers[i];
        if ((kv.key.len > 0 && kv.key.data == nullptr) || (kv.value.len > 0 && kv.value.data == nullptr)) {
            return "header " + std::to_string(i) + " has a NULL pointer with a non-zero length";
        }
        out.headers.emplace_back(std::string(view(kv.key.data, kv.key.len)),
                                 std::string(view(kv.value.data, kv.value.len)));
    }
    out.body = view(req.body.data, req.body.len);
    out.secret_body = (req.flags & PMX_HTTP_SECRET_BODY) != 0;
    out.retry_safe = (req.flags & PMX_HTTP_RETRY_SAFE) != 0;
    timeout = std::chrono::milliseconds(req.timeout_ms);
    return {};
}

pmx_status http_request(const pmx_call* call, const pmx_http_request* req, pmx_http_response** out) noexcept {
    CallContext* ctx = nullptr;
    try {
        if (out != nullptr) *out = nullptr;
        ctx = CallContext::from(call);
        if (ctx == nullptr) {
            spdlog::error("host http: request() was given a pmx_call the host did not make");
            return PMX_INVALID_INPUT;
        }
        if (out == nullptr) {
            ctx->set_error(PMX_INVALID_INPUT, "http request(): `out` is NULL");
            return PMX_INVALID_INPUT;
        }
        ProviderRuntime* runtime = ctx->runtime();
        if (runtime == nullptr) {
            ctx->set_error(PMX_UNSUPPORTED, "HTTP is not available during " + std::string(ctx->operation()));
            return PMX_UNSUPPORTED;
        }
        HttpRequest request;
        std::chrono::milliseconds timeout{0};
        if (std::string problem = read_request(req, request, timeout); !problem.empty()) {
            ctx->set_error(PMX_INVALID_INPUT, "plugin " + std::string(ctx->plugin_id()) + ": bad HTTP request: " + problem);
            return PMX_INVALID_INPUT;
        }
        HttpResponse response;
        const pmx_status status = runtime->perform_http(*ctx, request, timeout, response);
        if (status != PMX_OK) return status;
        *out = ctx->keep_response(std::move(response));
        return PMX_OK;
    } catch (const std::exception& e) {
        log_escape("http request", e.what());
        try {
            if (ctx != nullptr) ctx->set_error(PMX_INTERNAL, std::string("host HTTP service failed: ") + e.what());
        } catch (...) {
        }
        return PMX_INTERNAL;
    } catch (...) {
        log_escape("http request", "unknown exception");
        return PMX_INTERNAL;
    }
}

void http_release(pmx_http_response* response) noexcept {
    try {
        if (!CallContext::release_response(response)) {
            spdlog::warn("host http: release() of a response that is unknown or already freed (ignored)");
        }
    } catch (...) {
        log_escape("http release", "unknown exception");
    }
}

const pmx_host_http kHttpService = {sizeof(pmx_host_http), 0, &http_request, &http_release};

}  // namespace

void fill_call_vtable(pmx_call& call) {
    call.struct_size = sizeof(pmx_call);
    call.is_cancelled = &call_is_cancelled;
    call.remaining_ms = &call_remaining_ms;
    call.set_error = &call_set_error;
    call.set_http_status = &call_set_http_status;
    call.set_retry_after_ms = &call_set_retry_after_ms;
    call.progress = &call_progress;
    call.report_usage = &call_report_usage;
}

const void* get_service(const pmx_host* /*host*/, const char* id) noexcept {
    if (id == nullptr) return nullptr;
    if (std::strcmp(id, PMX_SERVICE_LOG) == 0) return &kLogService;
    if (std::strcmp(id, PMX_SERVICE_HTTP) == 0) return &kHttpService;
    return nullptr;
}

}  // namespace pmx::capi
