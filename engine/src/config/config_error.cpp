// Configuration errors: formatting positions and joining several issues into one message.
#include "config/config_error.hpp"

#include <algorithm>
#include <tuple>
#include <utility>

namespace pmx {
namespace {

std::string join_issues(const std::vector<ConfigIssue>& issues) {
    std::string text;
    for (const auto& issue : issues) {
        if (!text.empty()) text += '\n';
        text += issue.to_string();
    }
    return text;
}

}  // namespace

std::string Mark::to_string() const {
    std::string text = file.empty() ? std::string("<config>") : file;
    if (line <= 0) return text;
    return text + ':' + std::to_string(line) + ':' + std::to_string(column);
}

std::string ConfigIssue::to_string() const {
    return mark.to_string() + ": " + message;
}

ConfigError::ConfigError(std::vector<ConfigIssue> issues)
    : std::runtime_error(join_issues(issues)), issues_(std::move(issues)) {}

ConfigError::ConfigError(Mark mark, std::string message)
    : ConfigError(std::vector<ConfigIssue>{ConfigIssue{std::move(mark), std::move(message)}}) {}

void IssueCollector::add(Mark mark, std::string message) {
    issues_.push_back(ConfigIssue{std::move(mark), std::move(message)});
}

void IssueCollector::throw_if_any() {
    if (issues_.empty()) return;
    std::stable_sort(issues_.begin(), issues_.end(), [](const ConfigIssue& a, const ConfigIssue& b) {
        return std::tie(a.mark.file, a.mark.line, a.mark.column) <
               std::tie(b.mark.file, b.mark.line, b.mark.column);
    });
    throw ConfigError(std::exchange(issues_, {}));
}

}  // namespace pmx
