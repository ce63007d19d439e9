// Small helpers every test area shares: a temporary directory, and running the plexmix CLI.
#pragma once

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
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
