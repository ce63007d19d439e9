// Secret redaction: registered values first, then credential-shaped patterns.
#include "util/redact.hpp"

#include <algorithm>
#include <mutex>
#include <regex>
#include <shared_mutex>
#include <vector>

namespace pmx {
namespace {

constexpr std::size_t kMinSecretLength = 4;

struct SecretRegistry {
    std::shared_mutex mutex;
    std::vector<std::string> values;  // longest first, so a secret containing another wins
};

SecretRegistry& registry() {
    static SecretRegistry r;
    return r;
}

// name=value / name: value / "name": "value" where name is credential-like. Group 1 keeps the
// separator before the name so `ratingKey=12` (no separator before "key") is left alone.
const std::regex& field_pattern() {
    static const std::regex re(
        R"((^|[?&\s"'{,;(])((?:x-plex-token|x-emby-token|x-mediabrowser-token|x-api-key|x-goog-api-key|api[_-]?key|access[_-]?token|refresh[_-]?token|token|key|password|secret)["']?\s*[:=]\s*["']?))"
        R"(([^\s&"',;}\)]+))",
        std::regex::icase | std::regex::optimize);
    return re;
}

// Authorization header: mask everything after the scheme to the end of the line.
const std::regex& authorization_pattern() {
    static const std::regex re(R"((authorization["']?\s*[:=]\s*["']?)(?:(bearer|basic|mediabrowser)\s+)?([^\r\n"']+))",
                               std::regex::icase | std::regex::optimize);
    return re;
}

}  // namespace

void register_secret(std::string_view value) {
    if (value.size() < kMinSecretLength) return;
    auto& r = registry();
    std::unique_lock lock(r.mutex);
    if (std::find(r.values.begin(), r.values.end(), value) != r.values.end()) return;
    r.values.emplace_back(value);
    std::sort(r.values.begin(), r.values.end(),
              [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

void clear_secrets_for_testing() {
    auto& r = registry();
    std::unique_lock lock(r.mutex);
    r.values.clear();
}

std::string redact(std::string_view text) {
    std::string out(text);
    {
        auto& r = registry();
        std::shared_lock lock(r.mutex);
        for (const auto& secret : r.values) {
            for (std::size_t pos = out.find(secret); pos != std::string::npos;
                 pos = out.find(secret, pos + kRedacted.size())) {
                out.replace(pos, secret.size(), kRedacted);
            }
        }
    }
    // Cheap pre-check: the regexes only run when something credential-like may be present.
    const bool maybe_field = out.find('=') != std::string::npos || out.find(':') != std::string::npos;
    if (!maybe_field) return out;
    out = std::regex_replace(out, authorization_pattern(), "$1$2 ***");
    out = std::regex_replace(out, field_pattern(), "$1$2***");
    return out;
}

}  // namespace pmx
