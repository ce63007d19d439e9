// Child processes and clocks the sync benchmarks share: spawning with pipes, running a command, peak RSS.
#pragma once

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace pmx::bench {

using Clock = std::chrono::steady_clock;

inline double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// This process's lifetime peak resident set, in MB (getrusage's ru_maxrss is in KiB on Linux).
inline double peak_rss_mb() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

struct Pipe {
    int read = -1, write = -1;
    Pipe() {
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
        read = fds[0];
        write = fds[1];
    }
};

// Spawns `args` (PATH lookup) with stdout (and optionally stdin) connected to the given fds.
inline pid_t spawn(const std::vector<std::string>& args, int stdout_fd, int stdin_fd) {
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, stdout_fd, STDOUT_FILENO);
    if (stdin_fd >= 0) posix_spawn_file_actions_adddup2(&actions, stdin_fd, STDIN_FILENO);
    pid_t pid = 0;
    const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot start " + args[0]);
    return pid;
}

inline std::string read_all(int fd) {
    std::string out;
    char buffer[1 << 16];
    for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;) out.append(buffer, static_cast<std::size_t>(n));
    return out;
}

// Runs a command to completion; returns its stdout, throws when it fails.
inline std::string run(const std::vector<std::string>& args) {
    Pipe out;
    const pid_t pid = spawn(args, out.write, -1);
    close(out.write);
    std::string text = read_all(out.read);
    close(out.read);
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw std::runtime_error(args[0] + " failed: " + args.back());
    return text;
}

// A server process that prints one line when it serves and runs until its stdin closes.
class ServerProcess {
public:
    explicit ServerProcess(const std::vector<std::string>& args) {
        Pipe in, out;
        pid_ = spawn(args, out.write, in.read);
        close(in.read);
        close(out.write);
        stdin_ = in.write;
        for (char c; ::read(out.read, &c, 1) == 1 && c != '\n';) line_ += c;
        close(out.read);
        if (line_.empty()) throw std::runtime_error(args[0] + " did not start");
    }
    ~ServerProcess() {
        close(stdin_);
        int status = 0;
        waitpid(pid_, &status, 0);
    }
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    const std::string& first_line() const { return line_; }

private:
    pid_t pid_ = -1;
    int stdin_ = -1;
    std::string line_;
};

}  // namespace pmx::bench
