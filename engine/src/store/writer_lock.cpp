// The data dir's writer lock: flock(2) on plexmix.lock, with the holder's pid and command in it.
#include "store/writer_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <ctime>
#include <stdexcept>
#include <utility>

#include "net/cancel.hpp"

namespace pmx {
namespace {

constexpr mode_t kLockFileMode = 0600;
constexpr std::size_t kMaxHolderBytes = 512;
// How often a waiting process looks at the lock again. flock has no timed wait, and a blocking
// flock in another thread could not be abandoned on Ctrl+C; a short poll is both.
constexpr std::chrono::milliseconds kPollInterval{100};

int64_t now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

int open_lock_file(const std::filesystem::path& data_dir) {
    const std::filesystem::path path = data_dir / kWriterLockFileName;
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, kLockFileMode);
    if (fd < 0) throw std::runtime_error("cannot open the lock file " + path.string() + ": " + std::strerror(errno));
    return fd;
}

// "<pid> <since_ms> <command>\n", as written by the holder.
LockHolder read_holder(int fd) {
    LockHolder holder;
    char buffer[kMaxHolderBytes];
    const ssize_t n = ::pread(fd, buffer, sizeof buffer, 0);
    if (n <= 0) return holder;
    std::string_view text(buffer, static_cast<std::size_t>(n));
    text = text.substr(0, text.find('\n'));
    const char* const end = text.data() + text.size();
    long long pid = 0;
    auto r = std::from_chars(text.data(), end, pid);
    if (r.ec != std::errc() || r.ptr == end || *r.ptr != ' ') return holder;
    long long since = 0;
    r = std::from_chars(r.ptr + 1, end, since);
    if (r.ec != std::errc()) return holder;
    holder.pid = static_cast<pid_t>(pid);
    holder.since_ms = since;
    if (r.ptr != end && *r.ptr == ' ') holder.command.assign(r.ptr + 1, end);
    return holder;
}

void write_holder(int fd, std::string_view command) {
    const std::string line =
        std::to_string(::getpid()) + " " + std::to_string(now_ms()) + " " + std::string(command) + "\n";
    // Best effort: the lock itself is the flock, the text only names the holder.
    if (::ftruncate(fd, 0) == 0) (void)!::pwrite(fd, line.data(), line.size(), 0);
}

}  // namespace

std::string LockHolder::describe() const {
    if (pid == 0) return "another plexmix process";
    std::string text = "pid " + std::to_string(pid);
    std::string details;
    if (!command.empty()) details = "plexmix " + command;
    if (since_ms > 0) {
        const std::time_t t = static_cast<std::time_t>(since_ms / 1000);
        std::tm tm{};
        localtime_r(&t, &tm);
        char when[16];
        std::strftime(when, sizeof when, "%H:%M:%S", &tm);
        details += (details.empty() ? "since " : ", since ") + std::string(when);
    }
    return details.empty() ? text : text + " (" + details + ")";
}

std::optional<WriterLock> WriterLock::try_acquire(const std::filesystem::path& data_dir, std::string_view command,
                                                  LockHolder* holder) {
    const int fd = open_lock_file(data_dir);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int error = errno;
        if (holder != nullptr) *holder = read_holder(fd);
        ::close(fd);
        if (error == EWOULDBLOCK) return std::nullopt;
        throw std::runtime_error("cannot lock " + (data_dir / kWriterLockFileName).string() + ": " +
                                 std::strerror(error));
    }
    write_holder(fd, command);
    return WriterLock(fd);
}

std::optional<WriterLock> WriterLock::acquire(const std::filesystem::path& data_dir, std::string_view command,
                                              const CancelToken& cancel,
                                              const std::function<void(const LockHolder&)>& waiting,
                                              std::chrono::milliseconds report_every) {
    LockHolder holder;
    if (auto lock = try_acquire(data_dir, command, &holder)) return lock;
    if (waiting) waiting(holder);
    auto next_report = SteadyClock::now() + report_every;
    for (;;) {
        if (cancel.wait_for(kPollInterval)) return std::nullopt;
        if (auto lock = try_acquire(data_dir, command, &holder)) return lock;
        if (waiting && SteadyClock::now() >= next_report) {
            waiting(holder);
            next_report = SteadyClock::now() + report_every;
        }
    }
}

WriterLock::WriterLock(WriterLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

WriterLock& WriterLock::operator=(WriterLock&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
}

WriterLock::~WriterLock() {
    if (fd_ < 0) return;
    (void)!::ftruncate(fd_, 0);  // no holder named once it is free
    ::close(fd_);                // closing the descriptor releases the flock
}

}  // namespace pmx
