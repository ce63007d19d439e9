// The data dir's writer lock: one holder, its name for the others, waiting, and release on death.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include <catch2/catch.hpp>

#include "net/cancel.hpp"
#include "store/writer_lock.hpp"
#include "support/test_util.hpp"

using namespace pmx;
using pmx::test::TempDir;

TEST_CASE("writer lock: one holder at a time, who names itself to the others", "[lock]") {
    TempDir dir;
    std::optional<WriterLock> first = WriterLock::try_acquire(dir.path(), "sync");
    REQUIRE(first);
    LockHolder holder;
    CHECK_FALSE(WriterLock::try_acquire(dir.path(), "create", &holder));
    CHECK(holder.pid == ::getpid());
    CHECK(holder.command == "sync");
    CHECK(holder.since_ms > 0);
    CHECK_THAT(holder.describe(), Catch::StartsWith("pid " + std::to_string(::getpid()) + " (plexmix sync, since "));
    first.reset();
    CHECK(WriterLock::try_acquire(dir.path(), "create"));
}

TEST_CASE("writer lock: acquire waits for the holder and reports while it waits, or stops on cancel", "[lock]") {
    TempDir dir;
    std::optional<WriterLock> held = WriterLock::try_acquire(dir.path(), "sync");
    REQUIRE(held);
    CancelToken cancel;
    std::atomic<int> reports{0};
    std::optional<WriterLock> got;
    std::thread waiter([&] {
        got = WriterLock::acquire(dir.path(), "create", cancel, [&](const LockHolder& h) {
            if (h.command == "sync") ++reports;
        });
    });
    // The waiter reports once when it starts waiting; then the holder lets go.
    while (reports == 0) std::this_thread::yield();
    held.reset();
    waiter.join();
    CHECK(got);

    CancelToken stop;
    std::optional<WriterLock> never;
    std::thread cancelled([&] { never = WriterLock::acquire(dir.path(), "sync", stop); });
    stop.cancel();
    cancelled.join();
    CHECK_FALSE(never);  // `got` still holds it
}

TEST_CASE("writer lock: a holder killed with SIGKILL leaves no stale lock", "[lock]") {
    TempDir dir;
    int ready[2];
    REQUIRE(::pipe(ready) == 0);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        auto lock = WriterLock::try_acquire(dir.path(), "sync");
        const char byte = lock ? 'y' : 'n';
        (void)!::write(ready[1], &byte, 1);
        ::pause();
        ::_exit(0);
    }
    char byte = 0;
    REQUIRE(::read(ready[0], &byte, 1) == 1);
    REQUIRE(byte == 'y');
    LockHolder holder;
    CHECK_FALSE(WriterLock::try_acquire(dir.path(), "create", &holder));
    CHECK(holder.pid == child);
    REQUIRE(::kill(child, SIGKILL) == 0);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    CHECK(WriterLock::try_acquire(dir.path(), "create"));
    ::close(ready[0]);
    ::close(ready[1]);
}
