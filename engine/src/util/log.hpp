// Process-wide logging: a stderr console and an optional private log file, every line redacted.
#pragma once

// Modules log with spdlog's default logger (`#include <spdlog/spdlog.h>`, `spdlog::info(...)`);
// this header stays free of spdlog so that widely included headers do not pay for it.
// Every sink behind the default logger sees messages only after pmx::redact(). Until
// init_logging() is called, the default logger is a redacting stderr console at info level
// (installed when the engine library is loaded), never spdlog's unredacted stdout logger.
// Loggers made with spdlog's own factories (spdlog::stdout_color_mt...) bypass all this:
// do not create any.

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string_view>

namespace pmx {

enum class LogLevel { trace, debug, info, warn, error };

// "trace", "debug", "info", "warn" (or "warning"), "error"; case-insensitive.
std::optional<LogLevel> parse_log_level(std::string_view text);
std::string_view to_string(LogLevel level);

// The console level for a configured level and the CLI's verbosity (-v = +1, -q = -1):
// each -v is one step more verbose (down to trace); any -q means errors only.
LogLevel console_level(LogLevel configured, int verbosity);

enum class ColorMode { automatic, always, never };

// The log file's name inside the data dir, and its rotation (5 MB, 3 old files kept).
inline constexpr std::string_view kLogFileName = "plexmix.log";
inline constexpr std::size_t kLogFileMaxBytes = std::size_t{5} * 1024 * 1024;
inline constexpr std::size_t kLogFileRotations = 3;

struct LoggingOptions {
    LogLevel level = LogLevel::info;            // the configured console level (log.level)
    int verbosity = 0;                          // the CLI's -v (+1 each) / -q (-1), see console_level()
    ColorMode color = ColorMode::automatic;     // automatic: colour only on a terminal
    std::optional<std::filesystem::path> file;  // the log file (created 0600); none = no file
    LogLevel file_level = LogLevel::debug;      // lowered to the console's level when that is more verbose
};

// Replaces spdlog's default logger with a redacting one over a stderr console sink and, when
// options.file is set, a rotating file sink. Call from the main thread before other threads
// log; calling again replaces the previous setup. A log file that cannot be opened is not
// fatal: the console gets a warning and logging goes on without the file.
void init_logging(const LoggingOptions& options);

// Writes buffered lines (the file sink) to disk. Any thread.
void flush_logging();

// For callers that do not include spdlog (the plugins' host log service): logs one message
// through the default logger. Any thread.
void log_message(LogLevel level, std::string_view message);

// For a failure the engine returns as a value and a front end shows the user (a sync that
// failed): records it in the log file only, so that the console does not say it twice. Does
// nothing when there is no log file. Redacted like every line. Any thread.
void log_to_file(LogLevel level, std::string_view message);

// True when a message at `level` would be written by at least one sink. Any thread.
bool log_enabled(LogLevel level);

}  // namespace pmx
