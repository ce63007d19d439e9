// Per-provider limits: a concurrency limiter (counting semaphore) and a requests-per-minute limiter.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>

#include "net/cancel.hpp"

namespace pmx {

// How a limiter wait ended.
enum class WaitResult { acquired, cancelled, deadline };

// A counting semaphore whose wait ends on cancellation or at a deadline. Thread-safe.
class ConcurrencyLimiter {
public:
    // `limit` < 1 is read as 1.
    explicit ConcurrencyLimiter(int limit);
    ConcurrencyLimiter(const ConcurrencyLimiter&) = delete;
    ConcurrencyLimiter& operator=(const ConcurrencyLimiter&) = delete;

    // Takes a slot; waits while all are taken. On `acquired` the caller must release() once.
    WaitResult acquire(const CancelToken& token, SteadyTime deadline);
    void release();

    int limit() const { return limit_; }
    int in_use() const;
    int peak() const;  // most slots ever held at once (for tests and stats)

private:
    const int limit_;
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    int in_use_ = 0;
    int peak_ = 0;
};

// Holds one ConcurrencyLimiter slot for a scope.
class ConcurrencySlot {
public:
    ConcurrencySlot() = default;
    explicit ConcurrencySlot(ConcurrencyLimiter& limiter) : limiter_(&limiter) {}
    ConcurrencySlot(const ConcurrencySlot&) = delete;
    ConcurrencySlot& operator=(const ConcurrencySlot&) = delete;
    ~ConcurrencySlot() {
        if (limiter_ != nullptr) limiter_->release();
    }

private:
    ConcurrencyLimiter* limiter_ = nullptr;
};

// Requests-per-minute limit by minimum spacing: two grants are always at least
// interval = ceil(60 s / rpm) apart, grant times being read from the clock under the limiter's
// lock. Why this design: k grants inside any half-open window [t, t + 60 s) span at least
// (k - 1) * interval, and rpm * interval >= 60 s, so no 60-second window ever holds more than
// `rpm` grants -- exactly, with no burst to reason about -- and a provider's quota is spread
// evenly (a sliding log would let `rpm` requests go at once and then stall for a minute).
// Waiters are not served in strict FIFO order (the few that wait race for each slot).
// Thread-safe.
class RpmLimiter {
public:
    using NowFn = std::function<SteadyTime()>;
    // Waits until `until` or until `token` is cancelled; returns true when cancelled.
    using SleepUntilFn = std::function<bool(SteadyTime until, const CancelToken& token)>;

    // rpm <= 0 = unlimited. `now`/`sleep_until` default to steady_clock and token.wait_until
    // (tests inject a fake clock).
    explicit RpmLimiter(int rpm, NowFn now = {}, SleepUntilFn sleep_until = {});
    RpmLimiter(const RpmLimiter&) = delete;
    RpmLimiter& operator=(const RpmLimiter&) = delete;

    // Waits for the next start slot. Returns `deadline` as soon as the next slot lies at or after
    // `deadline` (without sleeping to it); `cancelled` when the token is cancelled. On `acquired`,
    // *granted_at (when given) receives the grant time the spacing guarantee is about.
    WaitResult acquire(const CancelToken& token, SteadyTime deadline, SteadyTime* granted_at = nullptr);

    int rpm() const { return rpm_; }
    std::chrono::nanoseconds interval() const { return interval_; }

private:
    const int rpm_;
    const std::chrono::nanoseconds interval_;
    NowFn now_;
    SleepUntilFn sleep_until_;
    std::mutex mutex_;
    bool granted_before_ = false;
    SteadyTime last_grant_{};
};

}  // namespace pmx
