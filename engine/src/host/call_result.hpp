// The outcome of one logical plugin call (all attempts), and the options a caller may give it.
#pragma once

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <string>

#include <pmx/plugin.h>

#include "net/cancel.hpp"
#include "net/status.hpp"  // status_name()

namespace pmx {

// Receives pmx_call.progress reports (total == 0: unknown), on the calling thread.
using ProgressFn = std::function<void(std::uint64_t done, std::uint64_t total)>;

struct InvokeOptions {
    std::optional<std::chrono::milliseconds> deadline;  // default: the policy's; <= 0 = none
    std::optional<int> retries;                         // default: the policy's
    const CancelToken* cancel = nullptr;                // nullptr = global_cancel()
    ProgressFn progress;                                // optional
    bool retry = true;                                  // false = exactly one attempt
};

// Thrown by the function a caller gives ProviderRuntime::invoke() when the host itself failed
// during the attempt, e.g. a sink that writes to the store threw while the plugin was calling it
// (sinks catch everything: nothing may cross the C ABI). invoke() stops at once, retries
// nothing, and rethrows `cause` once the attempt's resources are released.
struct HostAbort {
    std::exception_ptr cause;
};

struct CallResult {
    pmx_status status = PMX_OK;
    std::string message;  // why, when not OK; secrets redacted
    int http_status = 0;  // the last HTTP status recorded on the call; 0 = none
    int attempts = 0;     // plugin function invocations
    std::chrono::milliseconds elapsed{0};
    std::uint64_t input_tokens = 0;   // summed over attempts (report_usage)
    std::uint64_t output_tokens = 0;

    bool ok() const { return status == PMX_OK; }
};

}  // namespace pmx
