// One writer per data dir: an advisory lock on data_dir/plexmix.lock taken before any write work.
#pragma once

// Why a lock file and not SQLite's own locking: SQLite serialises transactions, not runs. Two
// syncs of one data dir would each read the whole server and only then find the database
// locked by the other, after a minute, with a raw SQL error; a `create` would publish to the
// server and then fail to record it. The lock is taken before any work, so a second writer
// learns at once who is writing (or waits for it), and readers never take it: they read WAL
// snapshots while a writer works. flock(2) locks belong to the open file: the kernel drops them
// when the process ends, however it ends (kill -9 included), so a lock is never left stale.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace pmx {

class CancelToken;

inline constexpr std::string_view kWriterLockFileName = "plexmix.lock";  // in the data dir

// Who holds the lock, as the holder wrote it into the lock file.
struct LockHolder {
    pid_t pid = 0;            // 0 when unknown (the holder had not written it yet)
    std::string command;      // "sync", "create", ...
    int64_t since_ms = 0;     // unix ms when it took the lock

    // "pid 1234 (plexmix sync, since 12:03:04)"
    std::string describe() const;
};

class WriterLock {
public:
    // Takes the lock of `data_dir` without waiting. nullopt when another process holds it; then
    // *holder (when given) says who. Throws std::runtime_error when the lock file cannot be
    // opened.
    static std::optional<WriterLock> try_acquire(const std::filesystem::path& data_dir, std::string_view command,
                                                 LockHolder* holder = nullptr);
    // Takes the lock, waiting for the holder to finish. `waiting` is called (on this thread)
    // when the wait starts and then every `report_every`, with the holder. nullopt when `cancel`
    // was cancelled first.
    static std::optional<WriterLock> acquire(const std::filesystem::path& data_dir, std::string_view command,
                                             const CancelToken& cancel,
                                             const std::function<void(const LockHolder&)>& waiting = {},
                                             std::chrono::milliseconds report_every = std::chrono::seconds(5));

    WriterLock(WriterLock&& other) noexcept;
    WriterLock& operator=(WriterLock&& other) noexcept;
    WriterLock(const WriterLock&) = delete;
    WriterLock& operator=(const WriterLock&) = delete;
    ~WriterLock();

private:
    explicit WriterLock(int fd) : fd_(fd) {}
    int fd_ = -1;
};

}  // namespace pmx
