// Logging: everything that reaches a sink is redacted; the log file is private and rotates 0600.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include <catch2/catch.hpp>
#include <spdlog/sinks/sink.h>
#include <spdlog/spdlog.h>

#include "config/data_dir.hpp"
#include "support.hpp"
#include "util/log.hpp"
#include "util/redact.hpp"

using namespace pmx;
using namespace pmx::test;

namespace {

// Logging with the console at error only (quiet test output) and a file in `dir`.
std::filesystem::path start_file_logging(const std::filesystem::path& dir) {
    LoggingOptions options;
    options.level = LogLevel::error;
    options.color = ColorMode::never;
    options.file = dir / std::string(kLogFileName);
    init_logging(options);
    return *options.file;
}

// Back to console-only logging, so later tests do not write into a removed directory.
void stop_file_logging() {
    LoggingOptions options;
    options.level = LogLevel::error;
    options.color = ColorMode::never;
    init_logging(options);
}

}  // namespace

TEST_CASE("a log file written through spdlog holds no registered secret", "[config][log][secret]") {
    clear_secrets_for_testing();
    TempDir dir;
    const ScopedUmask umask(0);
    const auto data = ensure_private_dir(dir / "data");
    const auto file = start_file_logging(data);

    register_secret("sk-live-REGISTERED-9876");
    spdlog::info("calling provider with key sk-live-REGISTERED-9876 now");
    spdlog::debug("GET /library?X-Plex-Token=plainTok55 -> 200");
    spdlog::default_logger()->set_pattern("%v");  // a new pattern must not route around redaction
    spdlog::warn("header Authorization: Bearer sk-live-REGISTERED-9876");
    log_message(LogLevel::info, "plugin says {not a format} token=xyz987");
    spdlog::trace("trace is below the file's debug level");
    flush_logging();

    const std::string text = read_file(file);
    stop_file_logging();
    clear_secrets_for_testing();

    CHECK(text.find("sk-live-REGISTERED-9876") == std::string::npos);
    CHECK(text.find("plainTok55") == std::string::npos);
    CHECK(text.find("xyz987") == std::string::npos);
    CHECK(text.find("calling provider with key *** now") != std::string::npos);
    CHECK(text.find("X-Plex-Token=*** -> 200") != std::string::npos);
    CHECK(text.find("header Authorization: Bearer ***") != std::string::npos);
    CHECK(text.find("plugin says {not a format} token=***") != std::string::npos);
    CHECK(text.find("trace is below") == std::string::npos);
    CHECK(file_mode(file) == 0600u);
}

TEST_CASE("log_enabled follows the most verbose sink", "[config][log]") {
    TempDir dir;
    start_file_logging(dir.path());
    CHECK(log_enabled(LogLevel::debug));
    CHECK_FALSE(log_enabled(LogLevel::trace));
    stop_file_logging();
    CHECK_FALSE(log_enabled(LogLevel::warn));
    CHECK(log_enabled(LogLevel::error));
}

TEST_CASE("rotated log files stay 0600 whatever the umask", "[config][log]") {
    TempDir dir;
    const ScopedUmask umask(0);
    const auto file = start_file_logging(dir.path());
    const std::string line(1000, 'x');
    const auto rotated = dir / "plexmix.1.log";
    for (std::size_t written = 0; written < kLogFileMaxBytes + line.size() * 2 && !std::filesystem::exists(rotated);
         written += line.size()) {
        spdlog::debug("{}", line);
    }
    flush_logging();
    const bool did_rotate = std::filesystem::exists(rotated);
    const unsigned current_mode = file_mode(file);
    stop_file_logging();
    REQUIRE(did_rotate);
    CHECK(file_mode(rotated) == 0600u);
    CHECK(current_mode == 0600u);
}

TEST_CASE("log_to_file records in the log file only: the console does not repeat a front end", "[config][log]") {
    clear_secrets_for_testing();
    TempDir dir;
    const auto captured = dir / "stderr.txt";
    const int saved_stderr = ::dup(STDERR_FILENO);
    REQUIRE(saved_stderr >= 0);
    const int capture = ::open(captured.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    REQUIRE(capture >= 0);
    REQUIRE(::dup2(capture, STDERR_FILENO) >= 0);
    ::close(capture);

    LoggingOptions options;  // the console at info, as a command runs
    options.color = ColorMode::never;
    options.file = dir / std::string(kLogFileName);
    init_logging(options);
    log_to_file(LogLevel::warn, "sync of home failed: refused token=tok123");
    spdlog::warn("a warning for both");
    flush_logging();
    stop_file_logging();
    log_to_file(LogLevel::warn, "no file now: dropped");
    std::fflush(stderr);
    ::dup2(saved_stderr, STDERR_FILENO);
    ::close(saved_stderr);

    const std::string console = read_file(captured);
    const std::string file = read_file(*options.file);
    INFO("console:\n" << console << "file:\n" << file);
    CHECK(console.find("a warning for both") != std::string::npos);
    CHECK(console.find("sync of home failed") == std::string::npos);
    CHECK(console.find("dropped") == std::string::npos);
    const size_t record = file.find("sync of home failed: refused token=***");  // redacted too
    REQUIRE(record != std::string::npos);
    const std::string record_line = file.substr(file.rfind('\n', record) + 1, record - file.rfind('\n', record));
    CHECK(record_line.find("[warning]") != std::string::npos);
    CHECK(file.find("tok123") == std::string::npos);
    CHECK(file.find("a warning for both") != std::string::npos);
}

TEST_CASE("log levels parse by name", "[config][log]") {
    CHECK(parse_log_level("TRACE") == LogLevel::trace);
    CHECK(parse_log_level("warning") == LogLevel::warn);
    CHECK(parse_log_level("error") == LogLevel::error);
    CHECK_FALSE(parse_log_level("loud"));
    CHECK(to_string(LogLevel::warn) == "warn");
}

TEST_CASE("the engine replaces spdlog's unredacted stdout logger as soon as it is loaded", "[config][log]") {
    // Run alone (as ctest does), nothing called init_logging() before this line.
    const auto logger = spdlog::default_logger();
    CHECK(logger->name() == "plexmix");
    REQUIRE(logger->sinks().size() == 1);
    CHECK(logger->sinks()[0]->level() == spdlog::level::trace);  // the redacting front, which forwards
}
