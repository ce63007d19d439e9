// One configured provider's call core: limits, pooled HTTP, and the retry loop around plugin calls.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <pmx/plugin.h>

#include "host/call_result.hpp"
#include "net/call_policy.hpp"
#include "net/cancel.hpp"
#include "net/limits.hpp"
#include "net/retry.hpp"

namespace pmx {

class CallContext;
class HttpClient;
struct HttpRequest;
struct HttpResponse;

// Injection points, for tests; empty members mean the real ones.
struct RuntimeHooks {
    JitterFn jitter;  // backoff jitter: a duration in [0, cap] (default: uniform random)
    SleepFn sleep;    // the wait between attempts (default: CancelToken::wait_for)
    // Observes every HTTP attempt at the moment the rpm limiter lets it start (the time the
    // spacing guarantee is about). Called on the requesting thread; must be thread-safe.
    std::function<void(SteadyTime granted)> on_request_start;
};

// Owns what is per provider: its HTTP client (connection pool), its concurrency limiter and its
// requests-per-minute limiter, and applies the policy (attempts, backoff, Retry-After,
// deadline, cancellation) around every plugin call. Thread-safe; not movable (calls point at it).
class ProviderRuntime {
public:
    // Effective concurrency = policy.concurrency, capped by what the plugin declared:
    // max_concurrent_calls <= 1 serializes calls (limit 1); N > 1 allows at most N.
    ProviderRuntime(std::string provider_name, std::string plugin_id, CallPolicy policy,
                    std::uint32_t plugin_max_concurrent_calls, RuntimeHooks hooks = {});
    ~ProviderRuntime();
    ProviderRuntime(const ProviderRuntime&) = delete;
    ProviderRuntime& operator=(const ProviderRuntime&) = delete;

    // Runs one logical call. Takes a concurrency slot, then runs attempts: each gets a fresh
    // pmx_call for `fn` (valid during that invocation only; HTTP responses the plugin did not
    // release are freed when the attempt ends). The deadline (policy.deadline or
    // opts.deadline) starts now and covers the slot wait, every attempt and every backoff.
    // Retries RATE_LIMITED, UNAVAILABLE, TIMEOUT and BAD_RESPONSE, waiting max(full-jitter
    // backoff, Retry-After): `retries` failed attempts at most, where a 429 or a Retry-After
    // answer uses none (it is waited out up to the deadline) and an attempt that changed the
    // server (a 2xx to a request other than GET/HEAD: the retry resumes after it) starts the
    // count again; stops early, saying why, when the wait would pass the deadline. An exception escaping `fn` gives INTERNAL (never retried); an unknown
    // status value gives INTERNAL. Never throws for what the plugin does; a HostAbort thrown
    // by `fn` (the host failed during the attempt) ends the call and its cause is rethrown.
    CallResult invoke(std::string_view operation, const std::function<pmx_status(const pmx_call*)>& fn,
                      const InvokeOptions& opts = {});

    // One HTTP request on behalf of `call` (the pmx.host.http/1 service): each attempt waits
    // for the rpm limiter, caps the timeout (request_timeout, else policy.timeout) by the
    // call's remaining deadline, uses the pooled connections and the call's cancellation. On OK
    // records the HTTP status and Retry-After on `call`; otherwise sets the error on `call` and
    // returns it. A request.retry_safe request is sent again after a 408/429/5xx answer or a
    // transport failure (backoff, Retry-After, the deadline; attempts counted for this request,
    // 429s and Retry-After answers waited out without using a retry); the last outcome is
    // returned, and when it still failed the call is told not to retry as a whole.
    pmx_status perform_http(CallContext& call, const HttpRequest& request, std::chrono::milliseconds request_timeout,
                            HttpResponse& response);

    const std::string& provider_name() const { return provider_name_; }
    const std::string& plugin_id() const { return plugin_id_; }
    const CallPolicy& policy() const { return policy_; }
    int concurrency_limit() const { return concurrency_.limit(); }
    const ConcurrencyLimiter& concurrency() const { return concurrency_; }
    const RpmLimiter& rpm_limiter() const { return rpm_; }

private:
    RetrySettings retry_settings(int retries) const;
    pmx_status attempt_http(CallContext& call, const HttpRequest& request, std::chrono::milliseconds request_timeout,
                            HttpResponse& response);

    const std::string provider_name_;
    const std::string plugin_id_;
    const CallPolicy policy_;
    JitterFn jitter_;
    SleepFn sleep_;
    std::function<void(SteadyTime)> on_request_start_;
    ConcurrencyLimiter concurrency_;
    RpmLimiter rpm_;
    std::unique_ptr<HttpClient> http_;
};

}  // namespace pmx
