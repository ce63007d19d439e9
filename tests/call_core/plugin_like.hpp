// Test helpers that act as a plugin would: host services through the C vtables only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <pmx/plugin.h>

namespace pmx::test {

inline const pmx_host_http* http_service(const pmx_host* host) {
    return static_cast<const pmx_host_http*>(host->get_service(host, PMX_SERVICE_HTTP));
}

// The usual plugin mapping of an HTTP status to a pmx_status.
inline pmx_status status_for_http(int code) {
    if (code >= 200 && code < 300) return PMX_OK;
    if (code == 429) return PMX_RATE_LIMITED;
    if (code == 401 || code == 403) return PMX_AUTH;
    if (code == 404) return PMX_NOT_FOUND;
    if (code >= 500) return PMX_UNAVAILABLE;
    return PMX_INVALID_INPUT;
}

struct PluginGet {
    std::string body;
    int http_status = 0;
};

// One request the way a plugin makes it: build a pmx_http_request, call the host, read the
// response, release it, map the status and explain a failure with set_error.
inline pmx_status plugin_request(const pmx_host* host, const pmx_call* call, std::string_view url,
                                 const char* method = "GET", std::uint32_t timeout_ms = 0, PluginGet* got = nullptr,
                                 std::string_view body = {}, std::uint32_t flags = 0) {
    const pmx_host_http* http = http_service(host);
    pmx_http_request req{};
    req.struct_size = sizeof req;
    req.method = method;
    req.url = pmx_str{url.data(), url.size()};
    req.body = pmx_str{body.data(), body.size()};
    req.timeout_ms = timeout_ms;
    req.flags = flags;
    pmx_http_response* resp = nullptr;
    const pmx_status transport = http->request(call, &req, &resp);
    if (transport != PMX_OK) return transport;  // the host already set the message
    const int code = resp->status;
    if (got != nullptr) {
        got->http_status = code;
        got->body.assign(resp->body.data, resp->body.len);
    }
    http->release(resp);
    const pmx_status status = status_for_http(code);
    if (status != PMX_OK) {
        const std::string message = "HTTP " + std::to_string(code) + " from " + std::string(url);
        call->set_error(call, status, message.data(), message.size());
    }
    return status;
}

}  // namespace pmx::test
