// Cancellation: a token that long waits and transfers watch, and the process-wide one Ctrl+C sets.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

namespace pmx {

using SteadyClock = std::chrono::steady_clock;
using SteadyTime = SteadyClock::time_point;

// "No deadline": waits that are given it wait for cancellation only.
inline constexpr SteadyTime kNoDeadline = SteadyTime::max();

// A one-way flag: once cancelled it stays cancelled. Thread-safe; not copyable. Tests make their
// own tokens; the CLI uses global_cancel().
class CancelToken {
public:
    // Keeps an on_cancel() callback registered while alive. Destroying it waits for a callback
    // that is running at that moment, so the callback's captures may die right after.
    class Subscription {
    public:
        Subscription() = default;
        Subscription(Subscription&& other) noexcept;
        Subscription& operator=(Subscription&& other) noexcept;
        Subscription(const Subscription&) = delete;
        Subscription& operator=(const Subscription&) = delete;
        ~Subscription();

    private:
        friend class CancelToken;
        Subscription(const CancelToken* token, std::uint64_t id) : token_(token), id_(id) {}
        void reset() noexcept;
        const CancelToken* token_ = nullptr;
        std::uint64_t id_ = 0;
    };

    CancelToken() = default;
    CancelToken(const CancelToken&) = delete;
    CancelToken& operator=(const CancelToken&) = delete;

    // Sets the flag, wakes every wait_for()/wait_until() and runs the on_cancel() callbacks.
    void cancel();
    bool cancelled() const noexcept { return flag_.load(std::memory_order_acquire); }

    // Waits `timeout` or until cancelled, whichever comes first. Returns true when cancelled.
    bool wait_for(std::chrono::nanoseconds timeout) const;
    // Same, up to a point in time (kNoDeadline = until cancelled).
    bool wait_until(SteadyTime until) const;

    // Runs `fn` (on the cancelling thread) when the token is cancelled; at once, on this thread,
    // when it already is. It may run more than once (meant for wake-ups). `fn` must be short,
    // must not throw and must not touch this token's subscriptions. Do not destroy the
    // Subscription while holding a lock that `fn` takes.
    [[nodiscard]] Subscription on_cancel(std::function<void()> fn) const;

    // Async-signal-safe part of cancel(): sets the flag only (no wake-ups). For the signal handler.
    void set_flag_from_signal() noexcept { flag_.store(true, std::memory_order_release); }

private:
    void unsubscribe(std::uint64_t id) const noexcept;

    std::atomic<bool> flag_{false};
    mutable std::mutex wait_mutex_;
    mutable std::condition_variable wait_cv_;
    // Held while callbacks run, so unsubscribe() waits for a running callback.
    mutable std::mutex callbacks_mutex_;
    mutable std::map<std::uint64_t, std::function<void()>> callbacks_;
    mutable std::uint64_t next_id_ = 1;
};

static_assert(std::atomic<bool>::is_always_lock_free, "the signal handler needs a lock-free flag");

// The process-wide token: Ctrl+C (after install_interrupt_handler()) and --timeout-like callers
// cancel it; every call that is given no token of its own watches it.
CancelToken& global_cancel();

// Installs SIGINT and SIGTERM handlers (once; later calls do nothing). The first signal cancels
// global_cancel() (the handler only sets an atomic flag and writes to a self-pipe; a watcher
// thread does the rest); a second SIGINT/SIGTERM ends the process at once with _exit(130).
void install_interrupt_handler();

// True once a SIGINT/SIGTERM arrived (the CLI exits with 130 then).
bool interrupted() noexcept;

}  // namespace pmx
