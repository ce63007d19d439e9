// Cancellation token, concurrency limiter and requests-per-minute limiter.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "net/cancel.hpp"
#include "net/limits.hpp"

using namespace std::chrono_literals;
using pmx::CancelToken;
using pmx::ConcurrencyLimiter;
using pmx::RpmLimiter;
using pmx::SteadyClock;
using pmx::SteadyTime;
using pmx::WaitResult;

namespace {

constexpr auto kGenerous = 5s;  // upper bounds on wall time are only this loose

// Counts grants inside every half-open window [t, t + width) that starts at a grant.
std::size_t max_in_window(std::vector<SteadyTime> times, std::chrono::nanoseconds width) {
    std::sort(times.begin(), times.end());
    std::size_t best = 0;
    for (std::size_t i = 0, j = 0; i < times.size(); ++i) {
        while (j < times.size() && times[j] < times[i] + width) ++j;
        best = std::max(best, j - i);
    }
    return best;
}

}  // namespace

TEST_CASE("a cancel token wakes a waiter at once", "[cancel]") {
    CancelToken token;
    REQUIRE_FALSE(token.cancelled());
    REQUIRE_FALSE(token.wait_for(1ms));  // times out: not cancelled

    const auto started = SteadyClock::now();
    std::thread canceller([&] { token.cancel(); });
    const bool cancelled = token.wait_for(60s);
    canceller.join();
    CHECK(cancelled);
    CHECK(token.cancelled());
    CHECK(SteadyClock::now() - started < kGenerous);
    CHECK(token.wait_for(60s));  // stays cancelled, returns at once
}

TEST_CASE("on_cancel callbacks run on cancel, or at once when already cancelled", "[cancel]") {
    CancelToken token;
    int runs = 0;
    {
        const auto sub = token.on_cancel([&] { ++runs; });
        CHECK(runs == 0);
        token.cancel();
        CHECK(runs == 1);
    }
    const auto late = token.on_cancel([&] { ++runs; });
    CHECK(runs == 2);

    CancelToken other;
    int other_runs = 0;
    { const auto gone = other.on_cancel([&] { ++other_runs; }); }
    other.cancel();
    CHECK(other_runs == 0);  // unsubscribed before the cancel
}

TEST_CASE("the global token is one object and tests can use their own", "[cancel]") {
    CHECK(&pmx::global_cancel() == &pmx::global_cancel());
    CancelToken mine;
    mine.cancel();
    CHECK_FALSE(pmx::global_cancel().cancelled());
}

TEST_CASE("SIGINT cancels the global token and a second SIGINT exits with 130", "[cancel][signal]") {
    // In a child process, so the global token of this test process stays untouched.
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        constexpr int kNotCancelled = 1;
        constexpr int kSurvivedSecond = 2;
        pmx::install_interrupt_handler();
        pmx::install_interrupt_handler();  // idempotent
        std::raise(SIGINT);
        // The watcher thread cancels (and wakes waiters); the flag itself is set by the handler.
        if (!pmx::global_cancel().wait_for(5s) || !pmx::interrupted()) ::_exit(kNotCancelled);
        std::raise(SIGINT);
        ::_exit(kSurvivedSecond);
    }
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 130);
}

TEST_CASE("the concurrency limiter never hands out more than its limit", "[limits]") {
    constexpr int kLimit = 3;
    constexpr int kThreads = 8;
    constexpr int kRounds = 50;
    ConcurrencyLimiter limiter(kLimit);
    CancelToken token;
    std::atomic<int> inside{0};
    std::atomic<int> worst{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < kRounds; ++i) {
                REQUIRE(limiter.acquire(token, pmx::kNoDeadline) == WaitResult::acquired);
                const int now = ++inside;
                int seen = worst.load();
                while (now > seen && !worst.compare_exchange_weak(seen, now)) {
                }
                std::this_thread::yield();
                --inside;
                limiter.release();
            }
        });
    }
    for (auto& t : threads) t.join();
    CHECK(worst.load() <= kLimit);
    CHECK(limiter.peak() <= kLimit);
    CHECK(limiter.in_use() == 0);
}

TEST_CASE("a concurrency wait ends at the deadline or on cancel", "[limits]") {
    ConcurrencyLimiter limiter(1);
    CancelToken token;
    REQUIRE(limiter.acquire(token, pmx::kNoDeadline) == WaitResult::acquired);

    const auto started = SteadyClock::now();
    CHECK(limiter.acquire(token, started + 50ms) == WaitResult::deadline);
    CHECK(SteadyClock::now() - started >= 50ms);

    std::atomic<bool> waiting{false};
    WaitResult result = WaitResult::acquired;
    std::thread waiter([&] {
        waiting = true;
        result = limiter.acquire(token, pmx::kNoDeadline);
    });
    while (!waiting) std::this_thread::yield();
    token.cancel();  // whether the waiter is already asleep or not, it must end
    waiter.join();
    CHECK(result == WaitResult::cancelled);
    limiter.release();
    CHECK(limiter.in_use() == 0);
}

TEST_CASE("rpm limiter: exact spacing under a fake clock, never more than rpm per minute", "[limits][rpm]") {
    constexpr int kRpm = 60;
    constexpr int kRequests = 200;
    SteadyTime fake{};  // the epoch of steady_clock: far from any overflow
    fake += std::chrono::hours(1);
    std::vector<std::chrono::nanoseconds> oversleep = {0ns, 3ms, 0ns, 250ms, 1ns};
    std::size_t sleeps = 0;
    RpmLimiter limiter(
        kRpm, [&] { return fake; },
        [&](SteadyTime until, const CancelToken&) {
            // A real sleep may wake late; never early.
            fake = std::max(fake, until) + oversleep[sleeps++ % oversleep.size()];
            return false;
        });
    REQUIRE(limiter.interval() == 1s);

    CancelToken token;
    std::vector<SteadyTime> grants;
    for (int i = 0; i < kRequests; ++i) {
        SteadyTime at{};
        REQUIRE(limiter.acquire(token, pmx::kNoDeadline, &at) == WaitResult::acquired);
        CHECK(at == fake);
        grants.push_back(at);
        if (i % 7 == 0) fake += 10ms;  // the caller does some work in between
    }
    for (std::size_t i = 1; i < grants.size(); ++i) CHECK(grants[i] - grants[i - 1] >= limiter.interval());
    CHECK(max_in_window(grants, 60s) <= static_cast<std::size_t>(kRpm));

    // Without late wake-ups the whole quota is usable: exactly rpm grants in a minute.
    SteadyTime exact = fake;
    RpmLimiter tight(
        kRpm, [&] { return exact; },
        [&](SteadyTime until, const CancelToken&) {
            exact = std::max(exact, until);
            return false;
        });
    std::vector<SteadyTime> back_to_back;
    for (int i = 0; i <= kRpm; ++i) {
        REQUIRE(tight.acquire(token, pmx::kNoDeadline) == WaitResult::acquired);
        back_to_back.push_back(exact);
    }
    CHECK(max_in_window(back_to_back, 60s) == static_cast<std::size_t>(kRpm));
}

TEST_CASE("rpm interval rounds up so rpm grants never fit in under a minute", "[limits][rpm]") {
    for (int rpm : {1, 7, 60, 600, 1000, 999'983}) {
        RpmLimiter limiter(rpm);
        CHECK(limiter.interval() * rpm >= std::chrono::nanoseconds(60s));
        CHECK(limiter.interval() * rpm < std::chrono::nanoseconds(60s) + std::chrono::nanoseconds(rpm));
    }
    RpmLimiter unlimited(0);
    CancelToken token;
    for (int i = 0; i < 1000; ++i) REQUIRE(unlimited.acquire(token, pmx::kNoDeadline) == WaitResult::acquired);
}

TEST_CASE("rpm limiter: concurrent callers, real clock, grant spacing exact", "[limits][rpm]") {
    constexpr int kRpm = 3000;  // 20 ms apart
    constexpr int kThreads = 4;
    constexpr int kPerThread = 5;
    RpmLimiter limiter(kRpm);
    CancelToken token;
    std::mutex mutex;
    std::vector<SteadyTime> grants;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < kPerThread; ++i) {
                SteadyTime at{};
                REQUIRE(limiter.acquire(token, pmx::kNoDeadline, &at) == WaitResult::acquired);
                std::lock_guard lock(mutex);
                grants.push_back(at);
            }
        });
    }
    for (auto& t : threads) t.join();
    std::sort(grants.begin(), grants.end());
    REQUIRE(grants.size() == kThreads * kPerThread);
    for (std::size_t i = 1; i < grants.size(); ++i) CHECK(grants[i] - grants[i - 1] >= limiter.interval());
}

TEST_CASE("rpm limiter: a slot past the deadline fails at once and a cancel ends the wait", "[limits][rpm]") {
    RpmLimiter limiter(1);  // one per minute
    CancelToken token;
    REQUIRE(limiter.acquire(token, pmx::kNoDeadline) == WaitResult::acquired);

    const auto started = SteadyClock::now();
    CHECK(limiter.acquire(token, started + 2s) == WaitResult::deadline);
    CHECK(SteadyClock::now() - started < 1s);  // did not sleep toward the deadline

    std::thread canceller([&] { token.cancel(); });
    CHECK(limiter.acquire(token, pmx::kNoDeadline) == WaitResult::cancelled);
    canceller.join();
    CHECK(SteadyClock::now() - started < kGenerous);
}
