// Names and classes of pmx_status values (the ABI's error vocabulary), for messages and retries.
#pragma once

#include <string>

#include <pmx/plugin.h>

namespace pmx {

// "OK", "RATE_LIMITED", ... ; an unknown value gives "UNKNOWN(<value>)".
std::string status_name(pmx_status status);

// True for a value the ABI defines (0 <= status < PMX_STATUS_COUNT).
constexpr bool is_known_status(pmx_status status) { return status >= 0 && status < PMX_STATUS_COUNT; }

// True for the statuses worth another attempt: RATE_LIMITED, UNAVAILABLE, TIMEOUT, and
// BAD_RESPONSE (a garbage body from a server or a proxy is usually transient).
constexpr bool is_retryable(pmx_status status) {
    return status == PMX_RATE_LIMITED || status == PMX_UNAVAILABLE || status == PMX_TIMEOUT ||
           status == PMX_BAD_RESPONSE;
}

// The status of an HTTP answer worth another attempt of the same request (408, 429, 500, 502,
// 503, 504, 529), as status_from_http maps it; PMX_OK for any other answer.
constexpr pmx_status retryable_http_status(int code) {
    switch (code) {
        case 408: case 504: return PMX_TIMEOUT;
        case 429: return PMX_RATE_LIMITED;
        case 500: case 502: case 503: case 529: return PMX_UNAVAILABLE;
        default: return PMX_OK;
    }
}

}  // namespace pmx
