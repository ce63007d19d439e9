// The retry loop around plugin calls, and one HTTP attempt on a call's behalf.
#include "host/provider_runtime.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>

#include "host/call_context.hpp"
#include "net/http_client.hpp"
#include "net/retry_hint.hpp"
#include "net/status.hpp"
#include "util/redact.hpp"

namespace pmx {
namespace {

using std::chrono::milliseconds;

milliseconds ms_between(SteadyTime from, SteadyTime to) {
    return std::chrono::duration_cast<milliseconds>(to - from);
}

// Time left before `deadline`; a huge value without one.
milliseconds remaining_until(SteadyTime deadline) {
    if (deadline == kNoDeadline) return milliseconds::max();
    return std::max(ms_between(SteadyClock::now(), deadline), milliseconds::zero());
}

bool passed(SteadyTime deadline) { return deadline != kNoDeadline && SteadyClock::now() >= deadline; }

int effective_concurrency(int configured, std::uint32_t plugin_max) {
    if (plugin_max <= 1) return 1;
    const int declared = static_cast<int>(std::min<std::uint32_t>(plugin_max, 1U << 16));
    return std::clamp(configured, 1, declared);
}

// What one attempt ended with.
struct Attempt {
    pmx_status status = PMX_OK;
    std::string message;
    int http_status = 0;
    milliseconds retry_after{0};
    bool abi_violation = false;  // exception escaped: never retried
    bool made_progress = false;
    std::string request_gave_up;
};

// A request method that changes nothing on the server: its success is not progress.
bool reads_only(const std::string& method) { return method == "GET" || method == "HEAD"; }

std::string join(std::string head, std::string_view tail) {
    if (tail.empty()) return head;
    if (head.empty()) return std::string(tail);
    return head + "; " + std::string(tail);
}

}  // namespace

ProviderRuntime::ProviderRuntime(std::string provider_name, std::string plugin_id, CallPolicy policy,
                                 std::uint32_t plugin_max_concurrent_calls, RuntimeHooks hooks)
    : provider_name_(std::move(provider_name)),
      plugin_id_(std::move(plugin_id)),
      policy_(policy),
      jitter_(hooks.jitter ? std::move(hooks.jitter) : default_jitter()),
      sleep_(hooks.sleep ? std::move(hooks.sleep) : default_sleep()),
      on_request_start_(std::move(hooks.on_request_start)),
      concurrency_(effective_concurrency(policy.concurrency, plugin_max_concurrent_calls)),
      rpm_(policy.rpm),
      http_(std::make_unique<HttpClient>(provider_name_)) {}

ProviderRuntime::~ProviderRuntime() = default;

CallResult ProviderRuntime::invoke(std::string_view operation, const std::function<pmx_status(const pmx_call*)>& fn,
                                   const InvokeOptions& opts) {
    const SteadyTime started = SteadyClock::now();
    const CancelToken& token = opts.cancel != nullptr ? *opts.cancel : global_cancel();
    const milliseconds budget = opts.deadline.value_or(policy_.deadline);
    const SteadyTime deadline = budget > milliseconds::zero() ? started + budget : kNoDeadline;
    const RetrySettings settings = retry_settings(opts.retry ? opts.retries.value_or(policy_.retries) : 0);
    int counted = 0;  // failed attempts since the last progress that used a retry

    CallResult result;
    const auto finish = [&]() -> CallResult {
        result.elapsed = ms_between(started, SteadyClock::now());
        result.message = redact(result.message);
        if (!result.ok()) {
            spdlog::debug("[{}] {} {} after {} attempt(s), {} ms: {}", provider_name_, operation,
                          status_name(result.status), result.attempts, result.elapsed.count(), result.message);
        }
        return result;
    };

    switch (concurrency_.acquire(token, deadline)) {
        case WaitResult::acquired:
            break;
        case WaitResult::cancelled:
            result.status = PMX_CANCELLED;
            result.message = std::string(operation) + ": cancelled while waiting for a free slot";
            return finish();
        case WaitResult::deadline:
            result.status = PMX_TIMEOUT;
            result.message = std::string(operation) + ": the call's deadline (" + describe_duration(budget) +
                             ") passed while waiting for one of " + std::to_string(concurrency_.limit()) +
                             " concurrency slots";
            return finish();
    }
    const ConcurrencySlot slot(concurrency_);

    for (int attempt = 1;; ++attempt) {
        if (token.cancelled()) {
            result.status = PMX_CANCELLED;
            result.message = join(std::string(operation) + ": cancelled", result.message);
            break;
        }
        if (attempt == 1 && passed(deadline)) {
            result.status = PMX_TIMEOUT;
            result.message = std::string(operation) + ": the call's deadline passed before the first attempt";
            break;
        }

        Attempt a;
        std::exception_ptr host_failure;
        {
            const CallSetup setup{this, plugin_id_, operation, &token, deadline, opts.progress ? &opts.progress : nullptr};
            CallContext ctx(setup);
            pmx_status status = PMX_INTERNAL;
            try {
                status = fn(ctx.get());
            } catch (const HostAbort& abort) {
                host_failure = abort.cause;
            } catch (const std::exception& e) {
                a.abi_violation = true;
                a.message = "plugin " + plugin_id_ + " let an exception escape from " + std::string(operation) + ": " +
                            e.what();
            } catch (...) {
                a.abi_violation = true;
                a.message = "plugin " + plugin_id_ + " let an exception escape from " + std::string(operation);
            }
            const CallContext::Report report = ctx.report();
            result.input_tokens += report.input_tokens;
            result.output_tokens += report.output_tokens;
            a.http_status = report.http_status;
            a.retry_after = report.retry_after;
            a.made_progress = report.made_progress;
            a.request_gave_up = report.request_gave_up;
            if (a.abi_violation) {
                a.status = PMX_INTERNAL;
            } else if (!is_known_status(status)) {
                a.status = PMX_INTERNAL;
                a.message = "plugin " + plugin_id_ + " returned an unknown status value " + std::to_string(status) +
                            " from " + std::string(operation);
            } else {
                a.status = status;
                if (status != PMX_OK) {
                    a.message = !report.message.empty()
                                    ? report.message
                                    : std::string(operation) + " failed: " + status_name(status) +
                                          (a.http_status != 0 ? " (HTTP " + std::to_string(a.http_status) + ")" : "");
                }
            }
        }  // the attempt's responses are freed here
        if (host_failure) {
            spdlog::debug("[{}] {}: the host failed during attempt {}; not retried", provider_name_, operation, attempt);
            std::rethrow_exception(host_failure);
        }

        result.attempts = attempt;
        result.status = a.status;
        result.message = a.message;
        result.http_status = a.http_status;
        if (a.status == PMX_OK) break;
        if (a.abi_violation) {
            spdlog::error("{}", redact(a.message));
            break;
        }
        if (a.status != PMX_CANCELLED && token.cancelled()) {
            result.status = PMX_CANCELLED;
            result.message = std::string(operation) + ": cancelled (last attempt: " + status_name(a.status) + ": " +
                             a.message + ")";
            break;
        }
        if (a.status == PMX_CANCELLED && !token.cancelled() && passed(deadline)) {
            // The plugin saw is_cancelled() because the deadline passed, not because of the user.
            result.status = PMX_TIMEOUT;
            result.message = join(std::string(operation) + ": the call's deadline (" + describe_duration(budget) + ") passed",
                                  a.message);
            break;
        }

        if (!a.request_gave_up.empty()) {
            // A retry-safe request already spent its own retries: another call would repeat them.
            result.message = join(result.message, a.request_gave_up);
            break;
        }
        if (a.made_progress) counted = 0;  // the next attempt resumes after what this one wrote
        if (uses_retry_budget(a.status, a.retry_after)) ++counted;
        const RetryDecision decision =
            decide_retry(settings, attempt, counted, a.status, a.retry_after, remaining_until(deadline), jitter_);
        if (!decision.retry) {
            result.message = join(result.message, decision.reason);
            break;
        }
        spdlog::debug("[{}] {} attempt {}/{} failed ({}: {}); retrying in {} ms", provider_name_, operation, attempt,
                      settings.max_attempts, status_name(a.status), redact(a.message), decision.wait.count());
        if (sleep_(decision.wait, token)) {
            result.status = PMX_CANCELLED;
            result.message = std::string(operation) + ": cancelled while waiting to retry (last attempt: " +
                             status_name(a.status) + ": " + a.message + ")";
            break;
        }
    }
    return finish();
}

RetrySettings ProviderRuntime::retry_settings(int retries) const {
    return RetrySettings{1 + std::max(retries, 0), policy_.backoff_base, policy_.backoff_max};
}

pmx_status ProviderRuntime::perform_http(CallContext& call, const HttpRequest& request,
                                         std::chrono::milliseconds request_timeout, HttpResponse& response) {
    if (!request.retry_safe) return attempt_http(call, request, request_timeout, response);
    const RetrySettings settings = retry_settings(policy_.retries);
    int counted = 0;  // failed attempts of this request that used a retry
    for (int attempt = 1;; ++attempt) {
        const pmx_status status = attempt_http(call, request, request_timeout, response);
        // What failed, if anything worth another attempt: a transport failure, or an answer
        // such as 503 or 429 (which reaches the plugin as OK with that HTTP status).
        const pmx_status failure = status == PMX_OK ? retryable_http_status(response.status)
                                   : status == PMX_UNAVAILABLE || status == PMX_TIMEOUT ? status
                                                                                         : PMX_OK;
        if (failure == PMX_OK) return status;
        const milliseconds hint = status == PMX_OK ? response.retry_after : milliseconds::zero();
        if (uses_retry_budget(failure, hint)) ++counted;
        const RetryDecision decision =
            decide_retry(settings, attempt, counted, failure, hint, remaining_until(call.deadline()), jitter_);
        const std::string what = request.method + " " + redact(request.url.substr(0, request.url.find('?')));
        if (!decision.retry) {
            if (attempt > 1 || !decision.reason.empty()) {
                call.note_request_gave_up(what + ": " +
                                          (decision.reason.empty() ? "no retries left" : decision.reason));
            }
            return status;
        }
        spdlog::debug("[{}] {} attempt {} failed ({}); again in {} ms", provider_name_, what, attempt,
                      status == PMX_OK ? "HTTP " + std::to_string(response.status) : status_name(status),
                      decision.wait.count());
        if (sleep_(decision.wait, call.token())) {
            call.set_error(PMX_CANCELLED, what + ": cancelled while waiting to send it again");
            return PMX_CANCELLED;
        }
        response = HttpResponse{};
    }
}

pmx_status ProviderRuntime::attempt_http(CallContext& call, const HttpRequest& request,
                                         std::chrono::milliseconds request_timeout, HttpResponse& response) {
    const CancelToken& token = call.token();
    const SteadyTime deadline = call.deadline();
    const auto fail = [&](pmx_status status, const std::string& message) {
        call.set_error(status, message);
        return status;
    };
    const std::string what = request.method + " " + redact(request.url);
    if (token.cancelled()) return fail(PMX_CANCELLED, what + ": cancelled before the request was sent");
    if (passed(deadline)) return fail(PMX_TIMEOUT, what + ": the call's deadline passed before the request was sent");

    SteadyTime granted{};
    switch (rpm_.acquire(token, deadline, &granted)) {
        case WaitResult::acquired:
            if (on_request_start_) on_request_start_(granted);
            break;
        case WaitResult::cancelled:
            return fail(PMX_CANCELLED, what + ": cancelled while waiting for the rate limit");
        case WaitResult::deadline:
            return fail(PMX_TIMEOUT, what + ": the rate limit (" + std::to_string(rpm_.rpm()) +
                                         " requests/minute) has no free slot before the call's deadline");
    }

    milliseconds total = request_timeout > milliseconds::zero() ? request_timeout : policy_.timeout;
    bool capped_by_deadline = false;
    if (deadline != kNoDeadline) {
        const milliseconds left = std::max(remaining_until(deadline), milliseconds(1));
        if (total <= milliseconds::zero() || left < total) {
            total = left;
            capped_by_deadline = true;
        }
    }
    HttpTimeouts timeouts{total, policy_.connect_timeout};
    if (timeouts.total > milliseconds::zero() && timeouts.connect > timeouts.total) timeouts.connect = timeouts.total;

    HttpResult r = http_->perform(request, timeouts, token, response);
    if (!r.ok()) {
        if (r.status == PMX_TIMEOUT && capped_by_deadline) r.message += " (the call's deadline)";
        return fail(r.status, r.message);
    }
    if (response.retry_after <= milliseconds::zero()) {
        // Google APIs say when to come back in the body (RetryInfo), not in Retry-After.
        response.retry_after = body_retry_hint(response.status, response.body).value_or(milliseconds::zero());
    }
    call.set_http_status(response.status);
    call.set_retry_after(response.retry_after);
    if (response.status >= 200 && response.status < 300 && !reads_only(request.method)) call.note_progress();
    return PMX_OK;
}

}  // namespace pmx
