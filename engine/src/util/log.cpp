// Logging setup: a redacting sink in front of the console and file sinks of the default logger.
#include "util/log.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "util/redact.hpp"

namespace pmx {
namespace {

constexpr const char* kLoggerName = "plexmix";
// The log file alone: records of what a front end shows the user itself (log_to_file()).
constexpr const char* kFileLoggerName = "plexmix.file";
constexpr const char* kConsolePattern = "%^%l%$: %v";
constexpr const char* kFilePattern = "[%Y-%m-%d %H:%M:%S.%e] [%l] [%t] %v";
constexpr mode_t kLogFileMode = S_IRUSR | S_IWUSR;  // 0600: the file may hold request details

struct LevelName {
    std::string_view name;
    LogLevel level;
};
constexpr std::array kLevelNames{
    LevelName{"trace", LogLevel::trace}, LevelName{"debug", LogLevel::debug},
    LevelName{"info", LogLevel::info},   LevelName{"warn", LogLevel::warn},
    LevelName{"warning", LogLevel::warn}, LevelName{"error", LogLevel::error},
};

spdlog::level::level_enum to_spdlog(LogLevel level) {
    switch (level) {
        case LogLevel::trace: return spdlog::level::trace;
        case LogLevel::debug: return spdlog::level::debug;
        case LogLevel::info: return spdlog::level::info;
        case LogLevel::warn: return spdlog::level::warn;
        case LogLevel::error: return spdlog::level::err;
    }
    return spdlog::level::info;
}

spdlog::color_mode to_spdlog(ColorMode mode) {
    switch (mode) {
        case ColorMode::automatic: return spdlog::color_mode::automatic;
        case ColorMode::always: return spdlog::color_mode::always;
        case ColorMode::never: return spdlog::color_mode::never;
    }
    return spdlog::color_mode::automatic;
}

// Sits between the logger and the real sinks: redacts each message once, then hands the
// redacted copy to every sink that wants its level. Formatters live on the inner sinks, so a
// later set_pattern() cannot route text around the redaction.
class RedactingSink final : public spdlog::sinks::sink {
public:
    explicit RedactingSink(std::vector<spdlog::sink_ptr> sinks) : sinks_(std::move(sinks)) {}

    void log(const spdlog::details::log_msg& msg) override {
        const bool wanted = std::any_of(sinks_.begin(), sinks_.end(),
                                        [&](const auto& s) { return s->should_log(msg.level); });
        if (!wanted) return;
        const std::string clean = redact(std::string_view(msg.payload.data(), msg.payload.size()));
        spdlog::details::log_msg copy(msg);
        copy.payload = spdlog::string_view_t(clean.data(), clean.size());
        for (const auto& s : sinks_) {
            if (s->should_log(copy.level)) s->log(copy);
        }
    }

    void flush() override {
        for (const auto& s : sinks_) s->flush();
    }

    void set_pattern(const std::string& pattern) override {
        for (const auto& s : sinks_) s->set_pattern(pattern);
    }

    void set_formatter(std::unique_ptr<spdlog::formatter> formatter) override {
        for (const auto& s : sinks_) s->set_formatter(formatter->clone());
    }

    // The most verbose level any inner sink accepts.
    spdlog::level::level_enum lowest_level() const {
        auto lowest = spdlog::level::off;
        for (const auto& s : sinks_) lowest = std::min(lowest, s->level());
        return lowest;
    }

private:
    const std::vector<spdlog::sink_ptr> sinks_;  // fixed after construction: no lock needed
};

// Creates the log file 0600 before spdlog opens it (fopen would use 0666 & ~umask), and
// re-tightens after every open, rotations included.
spdlog::file_event_handlers private_file_handlers() {
    spdlog::file_event_handlers handlers;
    handlers.before_open = [](const spdlog::filename_t& name) {
        const int fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, kLogFileMode);
        if (fd >= 0) ::close(fd);
    };
    handlers.after_open = [](const spdlog::filename_t&, std::FILE* file) {
        if (file != nullptr) ::fchmod(::fileno(file), kLogFileMode);
    };
    return handlers;
}

// spdlog's own default logger writes to stdout (where command output goes) and does not
// redact. Replace it with ours as soon as the engine library is loaded, so that even a
// message logged before main() calls init_logging() goes to stderr, redacted.
const bool kEarlyLoggingInstalled = [] {
    init_logging(LoggingOptions{});
    return true;
}();

}  // namespace

std::optional<LogLevel> parse_log_level(std::string_view text) {
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (const auto& entry : kLevelNames) {
        if (entry.name == lower) return entry.level;
    }
    return std::nullopt;
}

std::string_view to_string(LogLevel level) {
    switch (level) {
        case LogLevel::trace: return "trace";
        case LogLevel::debug: return "debug";
        case LogLevel::info: return "info";
        case LogLevel::warn: return "warn";
        case LogLevel::error: return "error";
    }
    return "info";
}

LogLevel console_level(LogLevel configured, int verbosity) {
    if (verbosity < 0) return LogLevel::error;
    const int most_verbose = static_cast<int>(LogLevel::trace);
    return static_cast<LogLevel>(std::max(most_verbose, static_cast<int>(configured) - verbosity));
}

void init_logging(const LoggingOptions& options) {
    std::vector<spdlog::sink_ptr> sinks;
    const LogLevel console_threshold = console_level(options.level, options.verbosity);
    const LogLevel file_threshold = std::min(options.file_level, console_threshold);

    auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>(to_spdlog(options.color));
    console->set_level(to_spdlog(console_threshold));
    console->set_pattern(kConsolePattern);
    sinks.push_back(console);

    std::string file_problem;
    spdlog::drop(kFileLoggerName);
    if (options.file) {
        try {
            auto file = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
                options.file->string(), kLogFileMaxBytes, kLogFileRotations, false,
                private_file_handlers());
            file->set_level(to_spdlog(file_threshold));
            file->set_pattern(kFilePattern);
            sinks.push_back(file);
            // The same sink (it locks itself) behind a logger of its own, registered by name so
            // that any thread finds it (spdlog's registry is locked).
            auto file_only = std::make_shared<spdlog::logger>(
                kFileLoggerName, std::make_shared<RedactingSink>(std::vector<spdlog::sink_ptr>{file}));
            file_only->set_level(to_spdlog(file_threshold));
            file_only->flush_on(spdlog::level::trace);
            spdlog::register_logger(std::move(file_only));
        } catch (const spdlog::spdlog_ex& e) {
            file_problem = e.what();
        }
    }

    auto redacting = std::make_shared<RedactingSink>(std::move(sinks));
    auto logger = std::make_shared<spdlog::logger>(kLoggerName, redacting);
    logger->set_level(redacting->lowest_level());
    // Every line reaches the file at once: a crash must not lose the lines that explain it.
    logger->flush_on(spdlog::level::trace);
    spdlog::set_default_logger(std::move(logger));

    if (!file_problem.empty()) {
        spdlog::warn("cannot write the log file {}: {}", options.file->string(), file_problem);
    }
}

void flush_logging() {
    spdlog::default_logger_raw()->flush();
}

void log_message(LogLevel level, std::string_view message) {
    spdlog::default_logger_raw()->log(to_spdlog(level), spdlog::string_view_t(message.data(), message.size()));
}

void log_to_file(LogLevel level, std::string_view message) {
    if (const auto file = spdlog::get(kFileLoggerName)) {
        file->log(to_spdlog(level), spdlog::string_view_t(message.data(), message.size()));
    }
}

bool log_enabled(LogLevel level) {
    return spdlog::default_logger_raw()->should_log(to_spdlog(level));
}

}  // namespace pmx
