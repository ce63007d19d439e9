// ${VAR} substitution from the environment in config values, and ~ expansion of paths.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pmx {

// The result of substituting one scalar.
struct Interpolated {
    std::string value;
    std::vector<std::string> env_vars;  // variables whose values were used, in order
    std::vector<std::string> errors;    // e.g. "environment variable PLEX_TOKEN is not set"
};

// Substitutes `${VAR}` (an error when VAR is unset), `${VAR:-default}` (default when VAR is
// unset or empty) and `$$` (a literal '$'). A '$' followed by anything else is literal. Names
// are [A-Za-z_][A-Za-z0-9_]*. Reads the process environment. Accepts text that went through
// protect_placeholders().
Interpolated interpolate(std::string_view text);

// YAML flow collections (`{ token: ${PLEX_TOKEN} }`) treat '{' and '}' as syntax. Before the
// text is parsed, the braces of every `${...}` are swapped for the control bytes below (same
// width, so every line:column stays exact); interpolate() and restore_braces() undo it.
inline constexpr char kOpenPlaceholder = '\x1e';
inline constexpr char kClosePlaceholder = '\x1f';
std::string protect_placeholders(std::string_view text);
std::string restore_braces(std::string_view text);

// $HOME, else the password database's home directory; nullopt when neither is known.
std::optional<std::filesystem::path> home_dir();

// "~" or "~/..." with the home directory substituted; any other text unchanged. nullopt when
// the text starts with '~' and no home directory is known.
std::optional<std::filesystem::path> expand_home(std::string_view path);

}  // namespace pmx
