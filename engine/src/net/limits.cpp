// Concurrency and requests-per-minute limiters.
#include "net/limits.hpp"

#include <algorithm>

namespace pmx {

// --- ConcurrencyLimiter ---------------------------------------------------------------------

ConcurrencyLimiter::ConcurrencyLimiter(int limit) : limit_(std::max(limit, 1)) {}

WaitResult ConcurrencyLimiter::acquire(const CancelToken& token, SteadyTime deadline) {
    // Declared before the lock, so the lock is released before the subscription is destroyed
    // (the callback takes the same mutex).
    const auto wake = token.on_cancel([this] {
        { std::lock_guard lock(mutex_); }
        cv_.notify_all();
    });
    std::unique_lock lock(mutex_);
    for (;;) {
        if (token.cancelled()) return WaitResult::cancelled;
        if (in_use_ < limit_) {
            ++in_use_;
            peak_ = std::max(peak_, in_use_);
            return WaitResult::acquired;
        }
        if (deadline == kNoDeadline) {
            cv_.wait(lock);
        } else if (cv_.wait_until(lock, deadline) == std::cv_status::timeout) {
            if (token.cancelled()) return WaitResult::cancelled;
            if (in_use_ >= limit_) return WaitResult::deadline;
        }
    }
}

void ConcurrencyLimiter::release() {
    {
        std::lock_guard lock(mutex_);
        --in_use_;
    }
    cv_.notify_one();
}

int ConcurrencyLimiter::in_use() const {
    std::lock_guard lock(mutex_);
    return in_use_;
}

int ConcurrencyLimiter::peak() const {
    std::lock_guard lock(mutex_);
    return peak_;
}

// --- RpmLimiter -----------------------------------------------------------------------------

namespace {

constexpr std::chrono::nanoseconds kMinute = std::chrono::minutes(1);

// ceil(60 s / rpm): rounding up keeps rpm * interval >= 60 s, which the guarantee needs.
std::chrono::nanoseconds spacing_for(int rpm) {
    if (rpm <= 0) return std::chrono::nanoseconds::zero();
    return std::chrono::nanoseconds((kMinute.count() + rpm - 1) / rpm);
}

}  // namespace

RpmLimiter::RpmLimiter(int rpm, NowFn now, SleepUntilFn sleep_until)
    : rpm_(std::max(rpm, 0)),
      interval_(spacing_for(rpm)),
      now_(now ? std::move(now) : NowFn([] { return SteadyClock::now(); })),
      sleep_until_(sleep_until ? std::move(sleep_until)
                               : SleepUntilFn([](SteadyTime until, const CancelToken& token) {
                                     return token.wait_until(until);
                                 })) {}

WaitResult RpmLimiter::acquire(const CancelToken& token, SteadyTime deadline, SteadyTime* granted_at) {
    for (;;) {
        if (token.cancelled()) return WaitResult::cancelled;
        SteadyTime next_slot;
        {
            std::lock_guard lock(mutex_);
            const SteadyTime now = now_();
            next_slot = granted_before_ ? last_grant_ + interval_ : now;
            if (rpm_ == 0 || now >= next_slot) {
                granted_before_ = true;
                last_grant_ = now;
                if (granted_at != nullptr) *granted_at = now;
                return WaitResult::acquired;
            }
        }
        if (next_slot >= deadline) return WaitResult::deadline;
        if (sleep_until_(next_slot, token)) return WaitResult::cancelled;
    }
}

}  // namespace pmx
