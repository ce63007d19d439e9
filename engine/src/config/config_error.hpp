// Configuration errors with file:line:col positions, several per error, for run-ending reports.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace pmx {

// A position in a configuration file; line and column are 1-based, 0 = unknown.
struct Mark {
    std::string file;
    int line = 0;
    int column = 0;

    // "FILE:LINE:COL", or "FILE" alone when the line is unknown.
    std::string to_string() const;
};

// One problem found in a configuration.
struct ConfigIssue {
    Mark mark;
    std::string message;  // never holds a secret value

    // "FILE:LINE:COL: message".
    std::string to_string() const;
};

// Thrown when a configuration cannot be used. Holds every problem found, not just the first;
// what() is their to_string() joined by newlines, in file order.
class ConfigError : public std::runtime_error {
public:
    explicit ConfigError(std::vector<ConfigIssue> issues);
    ConfigError(Mark mark, std::string message);

    const std::vector<ConfigIssue>& issues() const noexcept { return issues_; }

private:
    std::vector<ConfigIssue> issues_;
};

// Collects issues while a whole configuration is checked, then throws them together.
class IssueCollector {
public:
    void add(Mark mark, std::string message);
    bool empty() const noexcept { return issues_.empty(); }
    std::size_t size() const noexcept { return issues_.size(); }

    // Throws ConfigError with every collected issue (stably sorted by position) if any.
    void throw_if_any();

private:
    std::vector<ConfigIssue> issues_;
};

}  // namespace pmx
