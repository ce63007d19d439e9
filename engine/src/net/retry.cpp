// Retry policy: backoff with full jitter, Retry-After and the deadline.
#include "net/retry.hpp"

#include <algorithm>
#include <cstdio>
#include <random>

#include "net/status.hpp"

namespace pmx {
namespace {

constexpr int kMaxDoublings = 30;  // 2^30 * any sane base is far past any cap

}  // namespace

JitterFn default_jitter() {
    return [](std::chrono::milliseconds cap) {
        if (cap <= std::chrono::milliseconds::zero()) return std::chrono::milliseconds::zero();
        thread_local std::mt19937_64 rng{std::random_device{}()};
        std::uniform_int_distribution<std::chrono::milliseconds::rep> pick(0, cap.count());
        return std::chrono::milliseconds(pick(rng));
    };
}

SleepFn default_sleep() {
    return [](std::chrono::milliseconds wait, const CancelToken& token) { return token.wait_for(wait); };
}

std::chrono::milliseconds backoff_cap(const RetrySettings& settings, int attempt) {
    const auto base = std::max(settings.backoff_base, std::chrono::milliseconds::zero());
    const auto max = std::max(settings.backoff_max, std::chrono::milliseconds::zero());
    auto cap = base;
    for (int i = 1; i < std::min(attempt, kMaxDoublings) && cap < max; ++i) cap *= 2;
    return std::min(cap, max);
}

RetryDecision decide_retry(const RetrySettings& settings, int attempt, int counted, pmx_status status,
                           std::chrono::milliseconds retry_after, std::chrono::milliseconds remaining,
                           const JitterFn& jitter) {
    RetryDecision d;
    if (!is_retryable(status) || settings.max_attempts <= 1) return d;  // retries: 0 is one attempt, always
    if (counted >= settings.max_attempts) {
        if (attempt > 1) d.reason = "gave up after " + std::to_string(attempt) + " attempts";
        return d;
    }
    if (retry_after > std::chrono::milliseconds::zero() && retry_after >= remaining) {
        d.reason = "the provider asked to retry after " + describe_duration(retry_after) +
                   ", past the call's deadline (" + describe_duration(std::max(remaining, {})) + " left)";
        return d;
    }
    const auto backoff = jitter ? jitter(backoff_cap(settings, attempt)) : backoff_cap(settings, attempt);
    d.wait = std::max(backoff, retry_after);
    if (d.wait >= remaining) {
        d.wait = {};
        d.reason = "no time left for another attempt before the call's deadline";
        return d;
    }
    d.retry = true;
    return d;
}

std::string describe_duration(std::chrono::milliseconds d) {
    constexpr long long kMsPerSecond = 1000;
    const long long ms = d.count();
    if (ms < kMsPerSecond) return std::to_string(ms) + " ms";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ms) / static_cast<double>(kMsPerSecond));
    return buf;
}

}  // namespace pmx
