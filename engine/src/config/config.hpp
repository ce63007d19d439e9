// The user's configuration (plexmix.yaml): data dir, logging, providers, `use:` and pipelines.
#pragma once

// Loading checks everything that needs no plugin (shape, types, host-owned provider keys,
// `use:` references, pipelines: names, steps and options, see generate/pipeline_config.hpp)
// and reports every problem at once as a ConfigError whose lines read "FILE:LINE:COL:
// message". Plugin-specific settings are checked later against the plugin's declared settings
// (provider_settings.hpp).

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config_error.hpp"
#include "net/call_policy.hpp"
#include "util/log.hpp"

namespace pmx {

inline constexpr std::string_view kAppDirName = "plexmix";
inline constexpr std::string_view kConfigFileName = "plexmix.yaml";

// One `key: value` of a provider that the host does not own (handed to the plugin).
struct SettingValue {
    std::string key;
    std::string value;  // after ${VAR} substitution
    Mark key_mark;
    Mark value_mark;
    bool from_env_var = false;          // some of the value came from the environment
    std::vector<std::string> env_vars;  // the variables it came from, in order
};

// A named instance of a plugin, e.g. `home: { plugin: plex, url: ..., token: ... }`.
struct ProviderConfig {
    std::string name;
    std::string plugin;                 // [a-z0-9-]+
    CallPolicy policy;                  // timeout, connect_timeout, deadline, retries, concurrency, rpm
    std::optional<double> price_in;     // USD per million input tokens (llm/pricing.hpp); unset: built-in
    std::optional<double> price_out;    // USD per million output tokens
    std::vector<SettingValue> settings; // every other key, in file order
    Mark mark;                          // where the provider's name is written

    const SettingValue* find_setting(std::string_view key) const;
};

// The host-owned provider keys (they go into ProviderConfig::policy, never to the plugin).
const std::vector<std::string>& host_provider_keys();

// A reference to a provider by name, with where it is written.
struct ProviderRef {
    std::string name;
    Mark mark;
};

// `use: { media: [home], embedder: local, completer: gemini }`. Every name exists in providers.
struct UseConfig {
    std::vector<ProviderRef> media;  // `media:` may be one name or a list
    std::optional<ProviderRef> embedder;
    std::optional<ProviderRef> completer;
};

// `log: { level: info, file: true }`.
struct LogConfig {
    LogLevel level = LogLevel::info;  // the console's level before -v/-q
    bool file = true;                 // write plexmix.log (debug level) in the data dir
};

// One option of a pipeline step, e.g. `limit: 50` in `- select: { limit: 50 }`.
struct StepOption {
    std::string key;
    std::string value;  // after ${VAR} substitution; option values are scalars
    Mark mark;
};

// One step of a pipeline: `- parse` or `- select: { limit: 50 }`.
struct PipelineStep {
    std::string name;                // [a-z0-9_-]+
    std::vector<StepOption> options; // in file order
    Mark mark;

    const StepOption* find_option(std::string_view key) const;
};

// `generate: [parse, filter, ...]` under `pipelines:`.
struct Pipeline {
    std::string name;
    std::vector<PipelineStep> steps;
    Mark mark;
};

struct Config {
    std::filesystem::path source;            // the file read; empty for default_config()
    std::filesystem::path data_dir;          // absolute; see resolve_data_dir()
    LogConfig log;
    std::vector<ProviderConfig> providers;   // in file order
    UseConfig use;
    std::vector<Pipeline> pipelines;         // only those configured; absent = built-in defaults

    const ProviderConfig* find_provider(std::string_view name) const;
    const Pipeline* find_pipeline(std::string_view name) const;
};

// Where the config file is: `cli_flag` (--config), else $PLEXMIX_CONFIG, else
// $XDG_CONFIG_HOME/plexmix/plexmix.yaml, else ~/.config/plexmix/plexmix.yaml. Throws
// ConfigError when a home directory is needed and unknown.
std::filesystem::path resolve_config_path(const std::optional<std::string>& cli_flag);

// The data dir: $PLEXMIX_DATA_DIR, else `configured` (the file's data_dir:, already
// ~-expanded and absolute), else $XDG_DATA_HOME/plexmix, else ~/.local/share/plexmix.
std::filesystem::path resolve_data_dir(const std::optional<std::filesystem::path>& configured);

// Reads and checks a config file. Throws ConfigError listing every problem found; when the
// file does not exist, the error says where it looked and says how to write one.
Config load_config(const std::filesystem::path& path);

// The same from text (tests, `config check -`): `display_name` is used in every Mark and as
// the file's path (a relative data_dir is taken relative to its directory).
Config load_config_from_string(std::string_view text, const std::string& display_name);

// The configuration of a run without a file: defaults, no providers.
Config default_config();

// Logging options for a config and the CLI's verbosity (-v +1, -q -1): console level from
// log.level and verbosity, file data_dir/plexmix.log when log.file (call ensure_data_dir()
// first) at debug level, or more verbose if the console is.
LoggingOptions logging_options(const Config& config, int verbosity);

}  // namespace pmx
