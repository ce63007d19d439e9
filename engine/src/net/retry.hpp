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

// Decides after attempt number `attempt` (1-based) ended with `status`:
//  - OK or a non-retryable status: stop (reason "").
//  - attempts exhausted: stop ("gave up after N attempts").
//  - Retry-After longer than `remaining` (time left before the deadline): stop and say so.
//  - else wait max(jitter(backoff cap), retry_after); if that wait reaches the deadline: stop.
RetryDecision decide_retry(const RetrySettings& settings, int attempt, pmx_status status,
                           std::chrono::milliseconds retry_after, std::chrono::milliseconds remaining,
                           const JitterFn& jitter);

// "1.5 s", "250 ms": a duration for messages.
std::string describe_duration(std::chrono::milliseconds d);

}  // namespace pmx
