// Names and classes of pmx_status values (the ABI's error vocabulary), for messages and retries.
#pragma once

#include <string>

#include <pmx/plugin.h>

namespace pmx {

// "OK", "RATE_LIMITED", ... ; an unknown value gives "UNKNOWN(<value>)".
std::string status_name(pmx_status status);

// True for a value the ABI defines (0 <= status < PMX_STATUS_COUNT).
constexpr bool is_known_status(pmx_status status) { return status >= 0 && status < PMX_STATUS_COUNT; }

// True for the statuses worth another attempt: RATE_LIMITED, UNAVAILABLE, TIMEOUT.
constexpr bool is_retryable(pmx_status status) {
    return status == PMX_RATE_LIMITED || status == PMX_UNAVAILABLE || status == PMX_TIMEOUT;
}

}  // namespace pmx
