// Small helpers every test area shares: a temporary directory, and running the plexmix CLI (also in the background).
#pragma once

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <catch2/catch.hpp>

namespace pmx::test {

// A fresh directory under $TMPDIR, removed with everything in it at scope exit.
class TempDir {
public:
    TempDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "plexmix-test-XXXXXX").string();
        REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

// What a CLI run printed (stdout and stderr together) and its exit code (-1: killed).
struct CliRun {
    int code;
    std::string out;
};

// Runs `cli ARGS` through the shell and waits for it.
inline CliRun run_cli(const std::string& cli, const std::string& args) {
    const std::string cmd = cli + " " + args + " 2>&1";
    FILE* pipe = ::popen(cmd.c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::string out;
    char buffer[4096];
    while (const size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
    const int status = ::pclose(pipe);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

// A CLI run in the background (for two processes on one data dir, or a kill mid-run): stdout
// and stderr go to a file that output() reads back. The destructor kills it if still running.
class BackgroundCli {
public:
    BackgroundCli(const std::string& cli, const std::string& args, const std::filesystem::path& output_file)
        : output_(output_file) {
        const std::string cmd = "exec " + cli + " " + args + " >" + output_file.string() + " 2>&1";
        pid_ = ::fork();
        REQUIRE(pid_ >= 0);
        started_pid_ = pid_;
        if (pid_ == 0) {
            ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
            ::_exit(127);
        }
    }
    ~BackgroundCli() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            int status = 0;
            ::waitpid(pid_, &status, 0);
        }
    }
    BackgroundCli(const BackgroundCli&) = delete;
    BackgroundCli& operator=(const BackgroundCli&) = delete;

    pid_t pid() const { return started_pid_; }  // also once it ended
    std::string output() const {
        std::ifstream in(output_);
        return std::string(std::istreambuf_iterator<char>(in), {});
    }
    // Waits until the output contains `text`; false after `timeout` or when the process ended
    // without printing it. (An event with a bound, not a guess at how long something takes.)
    bool wait_for_output(const std::string& text, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
        const auto until = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < until) {
            if (output().find(text) != std::string::npos) return true;
            if (!running()) return output().find(text) != std::string::npos;
            ::usleep(20'000);
        }
        return false;
    }
    bool running() {
        if (pid_ <= 0) return false;
        int status = 0;
        const pid_t r = ::waitpid(pid_, &status, WNOHANG);
        if (r == 0) return true;
        code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        pid_ = -1;
        return false;
    }
    void signal(int sig) {
        REQUIRE(pid_ > 0);
        REQUIRE(::kill(pid_, sig) == 0);
    }
    // Waits for it to end; its exit code (-1: killed by a signal).
    int wait() {
        if (pid_ > 0) {
            int status = 0;
            REQUIRE(::waitpid(pid_, &status, 0) == pid_);
            code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
            pid_ = -1;
        }
        return code_;
    }

private:
    std::filesystem::path output_;
    pid_t pid_ = -1;          // -1 once it was reaped
    pid_t started_pid_ = -1;
    int code_ = -1;
};


// What a CLI run printed on stdout and on stderr, apart, and its exit code (-1: killed).
struct CliStreams {
    int code;
    std::string out, err;
};

// Runs `cli ARGS` through the shell with stderr captured apart from stdout.
inline CliStreams run_cli_streams(const std::string& cli, const std::string& args) {
    std::string err_path = (std::filesystem::temp_directory_path() / "plexmix-stderr-XXXXXX").string();
    const int fd = ::mkstemp(err_path.data());
    REQUIRE(fd >= 0);
    const std::string cmd = cli + " " + args + " 2>" + err_path;
    FILE* pipe = ::popen(cmd.c_str(), "r");
    REQUIRE(pipe != nullptr);
    CliStreams run{-1, {}, {}};
    char buffer[4096];
    while (const size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) run.out.append(buffer, n);
    const int status = ::pclose(pipe);
    run.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    ssize_t n = 0;
    while ((n = ::read(fd, buffer, sizeof buffer)) > 0) run.err.append(buffer, static_cast<size_t>(n));
    ::close(fd);
    std::filesystem::remove(err_path);
    return run;
}

// How many times `needle` occurs in `text`.
inline size_t count_of(const std::string& text, const std::string& needle) {
    size_t n = 0;
    for (size_t at = text.find(needle); !needle.empty() && at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
}

// Runs `fn`, which must throw an `Error`, and returns its what().
template <class Error, class Fn>
std::string error_text(Fn&& fn) {
    try {
        fn();
    } catch (const Error& e) {
        return e.what();
    }
    FAIL("expected the call to throw");
    return {};
}

}  // namespace pmx::test
