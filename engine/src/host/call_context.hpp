// The host side of one pmx_call: what a plugin function may ask and report during one attempt.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <pmx/plugin.h>

#include "host/call_result.hpp"
#include "net/cancel.hpp"

namespace pmx {

class ProviderRuntime;
struct HttpResponse;

struct CallSetup {
    ProviderRuntime* runtime = nullptr;  // whose HTTP service the call may use; nullptr = none
    std::string_view plugin_id;          // for messages; must outlive the context
    std::string_view operation;          // "embed", "scan_tracks", ...; must outlive the context
    const CancelToken* token = nullptr;  // nullptr = global_cancel()
    SteadyTime deadline = kNoDeadline;
    const ProgressFn* progress = nullptr;  // may be nullptr; must outlive the context
};

// One attempt's pmx_call. Its address is given to the plugin; pmx_call.host_data points back
// here. Responses the HTTP service handed out during the attempt are freed with the context.
class CallContext {
public:
    explicit CallContext(const CallSetup& setup);
    ~CallContext();
    CallContext(const CallContext&) = delete;
    CallContext& operator=(const CallContext&) = delete;

    const pmx_call* get() const { return &call_; }
    // The context behind a pmx_call the host gave out; nullptr when it is not one (checked by
    // a magic value, reading the struct with the size rule).
    static CallContext* from(const pmx_call* call) noexcept;

    // What the pmx_call function pointers do.
    bool is_cancelled() const;        // the token, or the deadline has passed
    std::int64_t remaining_ms() const;  // INT64_MAX without deadline; never negative
    void set_error(pmx_status status, std::string_view message);  // copied, redacted, cut at 4 KiB
    void set_http_status(int http_status);
    void set_retry_after(std::chrono::milliseconds wait);
    void progress(std::uint64_t done, std::uint64_t total);
    void report_usage(std::uint64_t input_tokens, std::uint64_t output_tokens);

    // What the HTTP service tells the retry loop about the attempt. A 2xx answer to a request
    // that changes the server (not GET/HEAD) is progress: a retry of the call resumes after it,
    // so its failure count restarts. A retry-safe request that used up its own retries ends
    // the call: retrying the whole call would only multiply the attempts.
    void note_progress();
    void note_request_gave_up(std::string reason);

    // What the host reads back after the plugin function returned.
    struct Report {
        pmx_status error_status = PMX_OK;  // as given to set_error (details only)
        std::string message;
        int http_status = 0;
        std::chrono::milliseconds retry_after{0};
        std::uint64_t input_tokens = 0;
        std::uint64_t output_tokens = 0;
        bool made_progress = false;
        std::string request_gave_up;  // why a retry-safe request stopped retrying; "" = it did not
    };
    Report report() const;

    ProviderRuntime* runtime() const { return runtime_; }
    const CancelToken& token() const { return *token_; }
    SteadyTime deadline() const { return deadline_; }
    std::string_view plugin_id() const { return plugin_id_; }
    std::string_view operation() const { return operation_; }

    // Moves a response into host-owned storage and returns the C view of it (body
    // NUL-terminated). It lives until release_response() or the end of this context.
    pmx_http_response* keep_response(HttpResponse&& response);
    // Frees a response handed out by keep_response(); false (and nothing done) when the pointer
    // is unknown or already freed. Thread-safe.
    static bool release_response(pmx_http_response* response) noexcept;

private:
    pmx_call call_{};  // first member: the plugin holds its address
    std::uint32_t magic_;
    ProviderRuntime* runtime_;
    std::string_view plugin_id_;
    std::string_view operation_;
    const CancelToken* token_;
    SteadyTime deadline_;
    const ProgressFn* progress_;

    mutable std::mutex mutex_;  // guards the fields below
    pmx_status error_status_ = PMX_OK;
    std::string message_;
    int http_status_ = 0;
    std::chrono::milliseconds retry_after_{0};
    std::uint64_t input_tokens_ = 0;
    std::uint64_t output_tokens_ = 0;
    bool made_progress_ = false;
    std::string request_gave_up_;
    std::vector<pmx_http_response*> responses_;
};

}  // namespace pmx
