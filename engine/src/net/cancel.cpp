// Cancellation token and the SIGINT/SIGTERM handler (self-pipe + watcher thread).
#include "net/cancel.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <thread>
#include <utility>
#include <vector>

namespace pmx {

// --- Subscription ---------------------------------------------------------------------------

CancelToken::Subscription::Subscription(Subscription&& other) noexcept
    : token_(std::exchange(other.token_, nullptr)), id_(std::exchange(other.id_, 0)) {}

CancelToken::Subscription& CancelToken::Subscription::operator=(Subscription&& other) noexcept {
    if (this != &other) {
        reset();
        token_ = std::exchange(other.token_, nullptr);
        id_ = std::exchange(other.id_, 0);
    }
    return *this;
}

CancelToken::Subscription::~Subscription() { reset(); }

void CancelToken::Subscription::reset() noexcept {
    if (token_ != nullptr) token_->unsubscribe(id_);
    token_ = nullptr;
    id_ = 0;
}

// --- CancelToken ----------------------------------------------------------------------------

void CancelToken::cancel() {
    flag_.store(true, std::memory_order_release);
    {
        // Taking the mutex orders the store before a waiter's predicate check: no lost wake-up.
        std::lock_guard lock(wait_mutex_);
    }
    wait_cv_.notify_all();
    std::lock_guard lock(callbacks_mutex_);
    for (auto& [id, fn] : callbacks_) fn();
}

bool CancelToken::wait_for(std::chrono::nanoseconds timeout) const {
    if (timeout <= std::chrono::nanoseconds::zero()) return cancelled();
    const SteadyTime now = SteadyClock::now();
    // Guard against overflow for huge timeouts.
    const SteadyTime until = timeout >= kNoDeadline - now ? kNoDeadline : now + timeout;
    return wait_until(until);
}

bool CancelToken::wait_until(SteadyTime until) const {
    std::unique_lock lock(wait_mutex_);
    const auto is_set = [this] { return cancelled(); };
    if (until == kNoDeadline) {
        wait_cv_.wait(lock, is_set);
        return true;
    }
    return wait_cv_.wait_until(lock, until, is_set);
}

CancelToken::Subscription CancelToken::on_cancel(std::function<void()> fn) const {
    std::uint64_t id = 0;
    {
        std::lock_guard lock(callbacks_mutex_);
        id = next_id_++;
        callbacks_.emplace(id, fn);
    }
    if (cancelled()) fn();
    return Subscription(this, id);
}

void CancelToken::unsubscribe(std::uint64_t id) const noexcept {
    std::lock_guard lock(callbacks_mutex_);
    callbacks_.erase(id);
}

CancelToken& global_cancel() {
    static CancelToken token;
    return token;
}

// --- Interrupt handler ----------------------------------------------------------------------

namespace {

constexpr int kInterruptExitCode = 130;

std::atomic<int> g_signal_count{0};
int g_pipe_write = -1;  // written by the handler; set before the handler is installed

extern "C" void on_interrupt(int /*signo*/) {
    const int saved_errno = errno;
    if (g_signal_count.fetch_add(1, std::memory_order_relaxed) > 0) {
        constexpr char kMessage[] = "\ninterrupted again: exiting now\n";
        [[maybe_unused]] const auto n = ::write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
        ::_exit(kInterruptExitCode);
    }
    global_cancel().set_flag_from_signal();
    const char byte = 1;
    [[maybe_unused]] const auto n = ::write(g_pipe_write, &byte, 1);
    errno = saved_errno;
}

// Waits for the handler's byte, then does what a handler may not: lock and notify.
void watch_pipe(int read_fd) {
    char byte = 0;
    for (;;) {
        const auto n = ::read(read_fd, &byte, 1);
        if (n == 1) {
            global_cancel().cancel();
            continue;  // a later byte (second signal) never comes: that one exits the process
        }
        if (n < 0 && errno == EINTR) continue;
        return;
    }
}

}  // namespace

void install_interrupt_handler() {
    static std::once_flag once;
    std::call_once(once, [] {
        int fds[2] = {-1, -1};
        if (::pipe2(fds, O_CLOEXEC) != 0) return;  // no handler: Ctrl+C then kills as usual
        g_pipe_write = fds[1];
        std::thread(watch_pipe, fds[0]).detach();  // lives until exit, like the handler

        struct sigaction action {};
        action.sa_handler = on_interrupt;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESTART;
        ::sigaction(SIGINT, &action, nullptr);
        ::sigaction(SIGTERM, &action, nullptr);
    });
}

bool interrupted() noexcept { return g_signal_count.load(std::memory_order_relaxed) > 0; }

}  // namespace pmx
