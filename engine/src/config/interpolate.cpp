// Environment substitution in config scalars (${VAR}, ${VAR:-default}, $$) and ~ expansion.
#include "config/interpolate.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>

namespace pmx {
namespace {

constexpr std::string_view kDefaultSeparator = ":-";

bool is_name_start(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}

bool is_name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

bool is_valid_name(std::string_view name) {
    if (name.empty() || !is_name_start(name.front())) return false;
    for (char c : name) {
        if (!is_name_char(c)) return false;
    }
    return true;
}

bool is_open(char c) { return c == '{' || c == kOpenPlaceholder; }
bool is_close(char c) { return c == '}' || c == kClosePlaceholder; }

char restore(char c) {
    if (c == kOpenPlaceholder) return '{';
    if (c == kClosePlaceholder) return '}';
    return c;
}

// Expands the body of one ${...}: "NAME" or "NAME:-default".
void expand(std::string_view body, Interpolated& out) {
    const std::size_t separator = body.find(kDefaultSeparator);
    const std::string_view name = body.substr(0, separator);
    if (!is_valid_name(name)) {
        out.errors.push_back("\"${" + restore_braces(body) + "}\" is not a valid variable reference (use ${NAME} or ${NAME:-default}; $$ is a literal $)");
        return;
    }
    const std::string name_text(name);
    const char* value = std::getenv(name_text.c_str());
    if (separator != std::string_view::npos) {
        if (value != nullptr && *value != '\0') {
            out.value += value;
            out.env_vars.push_back(name_text);
        } else {
            out.value += restore_braces(body.substr(separator + kDefaultSeparator.size()));
        }
        return;
    }
    if (value == nullptr) {
        out.errors.push_back("environment variable " + name_text + " is not set");
        return;
    }
    out.value += value;
    out.env_vars.push_back(name_text);
}

}  // namespace

Interpolated interpolate(std::string_view text) {
    Interpolated out;
    out.value.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        const bool has_next = i + 1 < text.size();
        if (c == '$' && has_next && text[i + 1] == '$') {
            out.value += '$';
            ++i;
            continue;
        }
        if (c == '$' && has_next && is_open(text[i + 1])) {
            const std::size_t body_start = i + 2;
            std::size_t close = body_start;
            while (close < text.size() && !is_close(text[close])) ++close;
            if (close == text.size()) {
                out.errors.push_back("unterminated \"${\" (a literal $ is written $$)");
                return out;
            }
            expand(text.substr(body_start, close - body_start), out);
            i = close;
            continue;
        }
        out.value += restore(c);
    }
    return out;
}

std::string protect_placeholders(std::string_view text) {
    std::string out(text);
    for (std::size_t i = 0; i + 1 < out.size(); ++i) {
        if (out[i] != '$' || out[i + 1] != '{') continue;
        const std::size_t close = out.find_first_of("}\n", i + 2);
        if (close == std::string::npos || out[close] != '}') continue;
        out[i + 1] = kOpenPlaceholder;
        out[close] = kClosePlaceholder;
        i = close;
    }
    return out;
}

std::string restore_braces(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = restore(c);
    return out;
}

std::optional<std::filesystem::path> home_dir() {
    if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
        return std::filesystem::path(home);
    }
    if (const passwd* entry = ::getpwuid(::getuid()); entry != nullptr && entry->pw_dir != nullptr) {
        return std::filesystem::path(entry->pw_dir);
    }
    return std::nullopt;
}

std::optional<std::filesystem::path> expand_home(std::string_view path) {
    if (path.empty() || path.front() != '~') return std::filesystem::path(path);
    if (path.size() > 1 && path[1] != '/') return std::filesystem::path(path);  // ~user: left as is
    const auto home = home_dir();
    if (!home) return std::nullopt;
    std::string_view rest = path.substr(1);
    while (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
    return rest.empty() ? *home : *home / rest;
}

}  // namespace pmx
