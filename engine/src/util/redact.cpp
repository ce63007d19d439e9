// Secret redaction: registered values first, then credential-shaped patterns.
#include "util/redact.hpp"

#include <algorithm>
#include <cctype>
#include <functional>
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

// name=value / name: value / "name": "value" where name is credential-like: key, api_key,
// any *token, *secret, *password, *api-key (x-plex-token, access_token, client_secret, ...).
// Group 1 is the character before the name, so `ratingKey=12` (no separator before "key")
// is left alone. The value is a double-quoted string (group 4), a single-quoted one (group
// 5) or a bare word (group 6); quoted values are masked up to their closing quote.
const std::regex& field_pattern() {
    static const std::regex re(
        R"re((^|[?&\s"'{,;(]))re"
        R"re(((?:[a-z0-9]+[_-])*(?:api[_-]?key|token|secret|password|passwd)|key))re"
        R"re((["']?\s*[:=]\s*))re"
        R"re((?:"([^"]*)"|'([^']*)'|([^\s&"',;}\)]+)))re",
        std::regex::icase | std::regex::optimize);
    return re;
}

// Authorization header: keep the scheme, mask the rest of the value. Group 2 is the quote
// that opens a quoted value (JSON), which then ends at the matching quote; an unquoted value
// (an HTTP header line) runs to the end of the line, so `MediaBrowser Client="x", Token="y"`
// is masked whole.
const std::regex& authorization_pattern() {
    static const std::regex re(
        R"re((authorization["']?\s*[:=]\s*)(["']?)(?:(bearer|basic|digest|mediabrowser|emby)\s+)?([^\r\n]*))re",
        std::regex::icase | std::regex::optimize);
    return re;
}

// A bearer token outside an Authorization header ("sending Bearer abc...").
const std::regex& bearer_pattern() {
    static const std::regex re(R"(\b(bearer)\s+[A-Za-z0-9._~+/=-]+)", std::regex::icase | std::regex::optimize);
    return re;
}

std::string replace_matches(const std::string& text, const std::regex& re,
                            const std::function<std::string(const std::smatch&)>& replacement) {
    std::string out;
    auto last = text.cbegin();
    for (std::sregex_iterator it(text.cbegin(), text.cend(), re), end; it != end; ++it) {
        const std::smatch& match = *it;
        out.append(last, match[0].first);
        out += replacement(match);
        last = match[0].second;
    }
    out.append(last, text.cend());
    return out;
}

bool contains_icase(std::string_view text, std::string_view word) {
    const auto it = std::search(text.begin(), text.end(), word.begin(), word.end(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
    });
    return it != text.end();
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
    const std::string masked(kRedacted);
    if (contains_icase(out, "bearer")) {
        out = replace_matches(out, bearer_pattern(), [&](const std::smatch& m) { return m[1].str() + " " + masked; });
    }
    // Cheap pre-check: the field regexes only run when something credential-like may be present.
    const bool maybe_field = out.find('=') != std::string::npos || out.find(':') != std::string::npos;
    if (!maybe_field) return out;
    out = replace_matches(out, authorization_pattern(), [&](const std::smatch& m) {
        std::string kept = m[1].str() + m[2].str();
        if (m[3].matched) kept += m[3].str() + " ";
        kept += masked;
        const std::string quote = m[2].str();
        if (quote.empty()) return kept;  // unquoted: the value runs to the end of the line
        const std::string value = m[4].str();
        const std::size_t end = value.find(quote);
        return end == std::string::npos ? kept : kept + value.substr(end);
    });
    out = replace_matches(out, field_pattern(), [&](const std::smatch& m) {
        std::string value = masked;
        if (m[4].matched) value = "\"" + masked + "\"";
        if (m[5].matched) value = "'" + masked + "'";
        return m[1].str() + m[2].str() + m[3].str() + value;
    });
    return out;
}

}  // namespace pmx
