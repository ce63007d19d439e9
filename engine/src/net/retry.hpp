// Retry policy: which statuses are retried, full-jitter exponential backoff, Retry-After, deadline.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include <pmx/plugin.h>

#include "net/cancel.hpp"

namespace pmx {

// Returns a uniformly random duration in [0, cap].
using JitterFn = std::function<std::chrono::milliseconds(std::chrono::milliseconds cap)>;
// Waits `wait` or until `token` is cancelled; returns true when cancelled.
using SleepFn = std::function<bool(std::chrono::milliseconds wait, const CancelToken& token)>;

// The real ones: a per-thread Mersenne Twister seeded from std::random_device, and
// CancelToken::wait_for.
JitterFn default_jitter();
SleepFn default_sleep();

struct RetrySettings {
    int max_attempts = 1;  // 1 + retries
    std::chrono::milliseconds backoff_base{500};
    std::chrono::milliseconds backoff_max{30'000};
};

// The backoff cap before the retry that follows attempt number `attempt` (1-based):
// min(backoff_base * 2^(attempt-1), backoff_max). The wait itself is jitter(cap).
std::chrono::milliseconds backoff_cap(const RetrySettings& settings, int attempt);

// What to do after a failed attempt.
struct RetryDecision {
    bool retry = false;
    std::chrono::milliseconds wait{0};  // when retrying
    std::string reason;                 // when stopping for a reason worth telling ("" otherwise)
};

// Whether a failed attempt uses one of the retries. A rate limit (429), or an answer that
// said when to come back (Retry-After), is the server pacing us, not failing: it is waited
// out, up to the deadline, without using one. Every other retryable failure uses one.
constexpr bool uses_retry_budget(pmx_status status, std::chrono::milliseconds retry_after) {
    return status != PMX_RATE_LIMITED && retry_after <= std::chrono::milliseconds::zero();
}

// Decides after attempt number `attempt` (1-based; it grows the backoff) ended with `status`;
// `counted` is how many failed attempts since the last success used the retry budget
// (uses_retry_budget), this one included:
//  - OK, a non-retryable status, or max_attempts 1 (no retries at all): stop (reason "").
//  - `counted` reached max_attempts: stop ("gave up after N attempts").
//  - Retry-After longer than `remaining` (time left before the deadline): stop and say so.
//  - else wait max(jitter(backoff cap), retry_after); if that wait reaches the deadline: stop.
RetryDecision decide_retry(const RetrySettings& settings, int attempt, int counted, pmx_status status,
                           std::chrono::milliseconds retry_after, std::chrono::milliseconds remaining,
                           const JitterFn& jitter);

// "1.5 s", "250 ms": a duration for messages.
std::string describe_duration(std::chrono::milliseconds d);

}  // namespace pmx
