// Loading plexmix.yaml: YAML parsing, ${VAR} substitution, shape and type checks, all issues at once.
#include "config/config.hpp"
#include "util/text.hpp"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iterator>
#include <set>
#include <sstream>
#include <utility>

#include <yaml-cpp/yaml.h>

#include "config/interpolate.hpp"
#include "config/values.hpp"
#include "generate/pipeline_config.hpp"
#include "util/redact.hpp"

namespace pmx {
namespace {

namespace fs = std::filesystem;

constexpr const char* kEnvConfig = "PLEXMIX_CONFIG";
constexpr const char* kEnvDataDir = "PLEXMIX_DATA_DIR";
constexpr const char* kEnvXdgConfig = "XDG_CONFIG_HOME";
constexpr const char* kEnvXdgData = "XDG_DATA_HOME";
constexpr std::string_view kDefaultConfigHome = ".config";
constexpr std::string_view kDefaultDataHome = ".local/share";

constexpr int kMinConcurrency = 1;  // a provider that takes no calls is a mistake, not a setting
constexpr int kMinCount = 0;        // retries and rpm: 0 = no retry / no limit

const std::vector<std::string> kTopLevelKeys{"data_dir", "log", "providers", "use", "pipelines"};
const std::vector<std::string> kLogKeys{"level", "file"};
const std::vector<std::string> kUseKeys{"media", "embedder", "completer"};
const std::vector<std::string> kHostProviderKeys{"plugin",  "timeout",     "connect_timeout", "deadline",
                                                 "retries", "concurrency", "rpm",             "price_in",
                                                 "price_out"};
constexpr double kMaxPricePerMillion = 1000;  // USD; a price above it is a typo (cents per token?)

// Ends the message about a key or value that is not UTF-8 (a file saved as Latin-1, say).
constexpr std::string_view kSaveAsUtf8 = " (is the file saved as UTF-8?)";

std::string in_quotes(std::string_view text) {
    return "\"" + std::string(text) + "\"";
}

// A value quoted for an error message: registered secrets and credential-shaped text masked.
std::string quoted_value(std::string_view value) {
    return in_quotes(redact(value));
}

// ", got \"value\"" for an error message, unless the value came from an environment variable
// that looks like a credential (PLEX_TOKEN in the wrong place must not end up on screen).
std::string got(const Interpolated& value) {
    const auto secret = std::find_if(value.env_vars.begin(), value.env_vars.end(),
                                     [](const std::string& var) { return looks_like_credential_env(var); });
    if (secret != value.env_vars.end()) return " (the value comes from $" + *secret + " and is not shown)";
    return ", got " + quoted_value(value.value);
}

bool all_chars(std::string_view text, const std::function<bool(char)>& allowed) {
    return !text.empty() && std::all_of(text.begin(), text.end(), allowed);
}

bool is_lower_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool is_plugin_id(std::string_view text) {
    return all_chars(text, [](char c) { return is_lower_alnum(c) || c == '-'; });
}

bool is_provider_name(std::string_view text) {
    return all_chars(text, [](char c) {
        return is_lower_alnum(c) || (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
    });
}

bool is_step_name(std::string_view text) {
    return all_chars(text, [](char c) { return is_lower_alnum(c) || c == '-' || c == '_'; });
}

std::optional<fs::path> absolute_env_dir(const char* name) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') return std::nullopt;
    fs::path dir(value);
    if (!dir.is_absolute()) return std::nullopt;  // the XDG spec says to ignore relative paths
    return dir;
}

fs::path require_home(std::string_view purpose) {
    const auto home = home_dir();
    if (!home) {
        throw ConfigError(Mark{}, "cannot find the home directory for " + std::string(purpose) +
                                      ": HOME is not set");
    }
    return *home;
}

// Walks one parsed document and fills a Config, reporting every problem to `issues`.
class Loader {
public:
    Loader(std::string file, fs::path base_dir, IssueCollector& issues)
        : file_(std::move(file)), base_dir_(std::move(base_dir)), issues_(issues) {}

    Config load(const YAML::Node& root);

private:
    struct Entry {
        YAML::Node value;
        Mark key_mark;
    };

    Mark mark_of(const YAML::Node& node, const Mark& fallback = {}) const;
    void for_each_entry(const YAML::Node& map, const std::string& where,
                        const std::function<void(const std::string&, const Mark&, const YAML::Node&)>& fn);
    std::optional<Interpolated> read_scalar(const YAML::Node& node, const Mark& fallback,
                                            const std::string& what);
    void unknown_key(const std::string& key, const Mark& mark, const std::string& where,
                     const std::vector<std::string>& known);

    void load_data_dir(const std::optional<Entry>& entry, Config& config);
    void load_log(const YAML::Node& node, LogConfig& log);
    void load_providers(const YAML::Node& node, std::vector<ProviderConfig>& providers);
    void load_provider(const std::string& name, const Mark& mark, const YAML::Node& body,
                       std::vector<ProviderConfig>& providers);
    void load_policy_key(const std::string& key, const Interpolated& value, const Mark& mark,
                         const std::string& what, ProviderConfig& provider);
    void load_use(const YAML::Node& node, const std::vector<ProviderConfig>& providers, UseConfig& use);
    std::optional<ProviderRef> provider_ref(const YAML::Node& node, const Mark& fallback,
                                            const std::string& what,
                                            const std::vector<ProviderConfig>& providers);
    void load_pipelines(const YAML::Node& node, std::vector<Pipeline>& pipelines);
    std::optional<PipelineStep> load_step(const YAML::Node& node, const std::string& pipeline);

    std::string file_;
    fs::path base_dir_;
    IssueCollector& issues_;
};

Mark Loader::mark_of(const YAML::Node& node, const Mark& fallback) const {
    const YAML::Mark m = node.Mark();
    if (m.is_null()) return fallback;
    return Mark{file_, m.line + 1, m.column + 1};
}

// Calls fn(key, key_mark, value) for each entry of a mapping, after checking that the key
// is a plain scalar and not a duplicate (yaml-cpp keeps duplicates silently).
void Loader::for_each_entry(const YAML::Node& map, const std::string& where,
                            const std::function<void(const std::string&, const Mark&, const YAML::Node&)>& fn) {
    std::set<std::string> seen;
    for (const auto& entry : map) {  // yaml-cpp yields key/value pairs by value
        const YAML::Node& key_node = entry.first;
        const Mark key_mark = mark_of(key_node, mark_of(map));
        if (!key_node.IsScalar() || key_node.Scalar().empty()) {
            issues_.add(key_mark, "keys " + where + " must be plain names");
            continue;
        }
        const std::string key = restore_braces(key_node.Scalar());
        if (!valid_utf8(key)) {
            issues_.add(key_mark, "keys " + where + " must be valid UTF-8" + std::string(kSaveAsUtf8));
            continue;
        }
        if (!seen.insert(key).second) {
            issues_.add(key_mark, "duplicate key " + in_quotes(key) + " " + where);
            continue;
        }
        fn(key, key_mark, entry.second);
    }
}

std::optional<Interpolated> Loader::read_scalar(const YAML::Node& node, const Mark& fallback,
                                                const std::string& what) {
    const Mark mark = mark_of(node, fallback);
    if (!node || node.IsNull()) {
        issues_.add(mark, what + " has no value");
        return std::nullopt;
    }
    if (!node.IsScalar()) {
        issues_.add(mark, what + " must be a single value, not a " +
                              (node.IsSequence() ? std::string("list") : std::string("mapping")));
        return std::nullopt;
    }
    Interpolated value = interpolate(node.Scalar());
    for (const auto& error : value.errors) issues_.add(mark, error + " (in " + what + ")");
    if (!value.errors.empty()) return std::nullopt;
    // Bytes of another encoding would reach plugins and servers as they are, and `config show`
    // could not print them back.
    if (!valid_utf8(value.value)) {
        issues_.add(mark, what + " is not valid UTF-8" + std::string(kSaveAsUtf8));
        return std::nullopt;
    }
    // The value of a credential-like variable is masked from now on wherever the file uses it
    // (data_dir, a step option), not only in provider settings: `config show`, logs, errors.
    for (const auto& var : value.env_vars) {
        if (!looks_like_credential_env(var)) continue;
        if (const char* secret = std::getenv(var.c_str())) register_secret(secret);
    }
    return value;
}

void Loader::unknown_key(const std::string& key, const Mark& mark, const std::string& where,
                         const std::vector<std::string>& known) {
    std::string hint = did_you_mean(key, known);
    if (hint.empty()) hint = " (known keys: " + join(known) + ")";
    issues_.add(mark, "unknown key " + in_quotes(key) + " " + where + hint);
}

Config Loader::load(const YAML::Node& root) {
    Config config;
    config.source = file_;
    if (!root || root.IsNull()) {
        load_data_dir(std::nullopt, config);
        return config;
    }
    if (!root.IsMap()) {
        issues_.add(mark_of(root), "the file must be a mapping of keys (" + join(kTopLevelKeys) + ")");
        return config;
    }

    std::optional<Entry> data_dir, log, providers, use, pipelines;
    for_each_entry(root, "at the top level", [&](const std::string& key, const Mark& mark, const YAML::Node& value) {
        const Entry entry{value, mark};
        if (key == "data_dir") data_dir = entry;
        else if (key == "log") log = entry;
        else if (key == "providers") providers = entry;
        else if (key == "use") use = entry;
        else if (key == "pipelines") pipelines = entry;
        else unknown_key(key, mark, "at the top level", kTopLevelKeys);
    });

    load_data_dir(data_dir, config);
    if (log) load_log(log->value, config.log);
    if (providers) load_providers(providers->value, config.providers);
    if (use) load_use(use->value, config.providers, config.use);
    if (pipelines) load_pipelines(pipelines->value, config.pipelines);
    gen::check_pipelines(config.pipelines, issues_);  // steps and options, against what exists
    return config;
}

void Loader::load_data_dir(const std::optional<Entry>& entry, Config& config) {
    std::optional<fs::path> configured;
    if (entry) {
        const auto value = read_scalar(entry->value, entry->key_mark, "data_dir");
        if (value && value->value.empty()) {
            issues_.add(mark_of(entry->value, entry->key_mark), "data_dir is empty");
        } else if (value) {
            const auto expanded = expand_home(value->value);
            if (!expanded) {
                issues_.add(mark_of(entry->value, entry->key_mark), "cannot expand ~ in data_dir: HOME is not set");
            } else {
                configured = fs::absolute(base_dir_ / *expanded).lexically_normal();
            }
        }
    }
    try {
        config.data_dir = resolve_data_dir(configured);
    } catch (const ConfigError& e) {
        for (const auto& issue : e.issues()) issues_.add(Mark{file_}, issue.message);
    }
}

void Loader::load_log(const YAML::Node& node, LogConfig& log) {
    if (node.IsNull()) return;
    if (!node.IsMap()) {
        issues_.add(mark_of(node), "log must be a mapping, e.g. { level: info, file: true }");
        return;
    }
    for_each_entry(node, "in log", [&](const std::string& key, const Mark& mark, const YAML::Node& value) {
        if (key == "level") {
            const auto text = read_scalar(value, mark, "log.level");
            if (!text) return;
            const auto level = parse_log_level(text->value);
            if (!level) {
                issues_.add(mark_of(value, mark), "log.level must be trace, debug, info, warn or error" +
                                                      got(*text));
                return;
            }
            log.level = *level;
        } else if (key == "file") {
            const auto text = read_scalar(value, mark, "log.file");
            if (!text) return;
            const auto enabled = parse_bool(text->value);
            if (!enabled) {
                issues_.add(mark_of(value, mark), "log.file must be true or false" + got(*text));
                return;
            }
            log.file = *enabled;
        } else {
            unknown_key(key, mark, "in log", kLogKeys);
        }
    });
}

void Loader::load_providers(const YAML::Node& node, std::vector<ProviderConfig>& providers) {
    if (node.IsNull()) return;
    if (!node.IsMap()) {
        issues_.add(mark_of(node), "providers must be a mapping of names to settings, e.g. home: { plugin: plex, ... }");
        return;
    }
    for_each_entry(node, "in providers", [&](const std::string& name, const Mark& mark, const YAML::Node& body) {
        load_provider(name, mark, body, providers);
    });
}

void Loader::load_provider(const std::string& name, const Mark& mark, const YAML::Node& body,
                           std::vector<ProviderConfig>& providers) {
    const std::string who = "provider " + in_quotes(name);
    if (!is_provider_name(name)) {
        issues_.add(mark, who + ": provider names may hold only letters, digits, '-' and '_'");
    }
    if (!body.IsMap()) {
        issues_.add(mark_of(body, mark), who + " must be a mapping with at least plugin:, e.g. { plugin: plex }");
        return;
    }
    ProviderConfig provider;
    provider.name = name;
    provider.mark = mark;
    bool has_plugin_key = false;
    for_each_entry(body, "in " + who, [&](const std::string& key, const Mark& key_mark, const YAML::Node& node) {
        const std::string what = in_quotes(key) + " of " + who;
        if (key == "plugin") has_plugin_key = true;
        const auto value = read_scalar(node, key_mark, what);
        if (!value) return;
        const Mark value_mark = mark_of(node, key_mark);
        if (std::find(kHostProviderKeys.begin(), kHostProviderKeys.end(), key) != kHostProviderKeys.end()) {
            load_policy_key(key, *value, value_mark, what, provider);
            return;
        }
        SettingValue setting{key, value->value, key_mark, value_mark, !value->env_vars.empty(), value->env_vars};
        // Guessed credentials are masked from now on; the plugin's declaration adds the rest.
        const bool env_secret = std::any_of(setting.env_vars.begin(), setting.env_vars.end(),
                                            [](const std::string& var) { return looks_like_credential_env(var); });
        if (env_secret || looks_like_credential_key(key)) register_secret(setting.value);
        // So is the password of any URL, whatever its key: a plugin may echo it outside the URL.
        if (setting.value.find("://") != std::string::npos) register_url_secrets(setting.value);
        provider.settings.push_back(std::move(setting));
    });
    if (!has_plugin_key) {
        issues_.add(mark, who + " has no plugin: key (which plugin runs it, e.g. plugin: plex)");
    }
    providers.push_back(std::move(provider));
}

void Loader::load_policy_key(const std::string& key, const Interpolated& value, const Mark& mark,
                             const std::string& what, ProviderConfig& provider) {
    const std::string& text = value.value;
    if (key == "plugin") {
        if (!is_plugin_id(text)) {
            issues_.add(mark, what + " must be a plugin id of lower-case letters, digits and '-'" + got(value));
            return;
        }
        provider.plugin = text;
        return;
    }
    if (key == "timeout" || key == "connect_timeout" || key == "deadline") {
        const auto duration = parse_duration(text);
        if (!duration || duration->count() <= 0) {
            issues_.add(mark, what + " must be a duration greater than zero such as 30s, 500ms, 2m or 1h" + got(value));
            return;
        }
        if (key == "timeout") provider.policy.timeout = *duration;
        else if (key == "connect_timeout") provider.policy.connect_timeout = *duration;
        else provider.policy.deadline = *duration;
        return;
    }
    if (key == "price_in" || key == "price_out") {
        const auto price = parse_decimal(text);
        if (!price || *price > kMaxPricePerMillion) {
            issues_.add(mark, what + " must be US dollars per million tokens, a number from 0 to " +
                                  std::to_string(static_cast<int>(kMaxPricePerMillion)) + " such as 0.15" + got(value));
            return;
        }
        (key == "price_in" ? provider.price_in : provider.price_out) = *price;
        return;
    }
    const int minimum = key == "concurrency" ? kMinConcurrency : kMinCount;
    const auto number = parse_int(text);
    if (!number || *number < minimum || *number > INT_MAX) {
        issues_.add(mark, what + " must be a whole number of at least " + std::to_string(minimum) + got(value));
        return;
    }
    const int count = static_cast<int>(*number);
    if (key == "retries") provider.policy.retries = count;
    else if (key == "concurrency") provider.policy.concurrency = count;
    else provider.policy.rpm = count;
}

std::optional<ProviderRef> Loader::provider_ref(const YAML::Node& node, const Mark& fallback,
                                                const std::string& what,
                                                const std::vector<ProviderConfig>& providers) {
    const auto value = read_scalar(node, fallback, what);
    if (!value) return std::nullopt;
    const Mark mark = mark_of(node, fallback);
    const std::string& name = value->value;
    const bool known = std::any_of(providers.begin(), providers.end(),
                                   [&](const ProviderConfig& p) { return p.name == name; });
    if (known) return ProviderRef{name, mark};

    std::vector<std::string> names;
    std::transform(providers.begin(), providers.end(), std::back_inserter(names),
                   [](const ProviderConfig& p) { return p.name; });
    std::string hint = did_you_mean(name, names);
    if (hint.empty()) {
        hint = names.empty() ? " (no providers are configured)" : " (configured providers: " + join(names) + ")";
    }
    const bool hidden = std::any_of(value->env_vars.begin(), value->env_vars.end(),
                                    [](const std::string& var) { return looks_like_credential_env(var); });
    const std::string shown = hidden ? "a provider (named by a credential variable, not shown)" : "provider " + quoted_value(name);
    issues_.add(mark, what + " names " + shown + ", which is not configured" + (hidden ? "" : hint));
    return std::nullopt;
}

void Loader::load_use(const YAML::Node& node, const std::vector<ProviderConfig>& providers, UseConfig& use) {
    if (node.IsNull()) return;
    if (!node.IsMap()) {
        issues_.add(mark_of(node), "use must be a mapping, e.g. { media: [home], embedder: local, completer: gemini }");
        return;
    }
    for_each_entry(node, "in use", [&](const std::string& key, const Mark& mark, const YAML::Node& value) {
        if (key == "media") {
            if (value.IsNull()) return;
            if (value.IsSequence()) {
                for (const auto& item : value) {
                    if (auto ref = provider_ref(item, mark, "use.media", providers)) use.media.push_back(*ref);
                }
                return;
            }
            if (auto ref = provider_ref(value, mark, "use.media", providers)) use.media.push_back(*ref);
        } else if (key == "embedder" || key == "completer") {
            if (value.IsNull()) return;
            auto ref = provider_ref(value, mark, "use." + key, providers);
            if (key == "embedder") use.embedder = std::move(ref);
            else use.completer = std::move(ref);
        } else {
            unknown_key(key, mark, "in use", kUseKeys);
        }
    });
}

void Loader::load_pipelines(const YAML::Node& node, std::vector<Pipeline>& pipelines) {
    if (node.IsNull()) return;
    if (!node.IsMap()) {
        issues_.add(mark_of(node),
                    "pipelines must be a mapping of names to lists of steps, e.g. generate: " +
                        std::string(gen::pipeline_example("generate")));
        return;
    }
    for_each_entry(node, "in pipelines", [&](const std::string& name, const Mark& mark, const YAML::Node& steps) {
        const std::string who = "pipeline " + in_quotes(name);
        const std::string_view example = gen::pipeline_example(name);
        if (example.empty()) {  // a typo would otherwise be a pipeline nobody runs
            std::string hint = did_you_mean(name, gen::pipeline_names());
            if (hint.empty()) hint = " (pipelines: " + join(gen::pipeline_names()) + ")";
            issues_.add(mark, "unknown pipeline " + in_quotes(name) + " in pipelines" + hint);
            return;
        }
        if (!steps.IsSequence()) {
            issues_.add(mark_of(steps, mark), who + " must be a list of steps, e.g. " + std::string(example));
            return;
        }
        Pipeline pipeline{name, {}, mark};
        for (const auto& step : steps) {
            if (auto loaded = load_step(step, who)) pipeline.steps.push_back(std::move(*loaded));
        }
        pipelines.push_back(std::move(pipeline));
    });
}

std::optional<PipelineStep> Loader::load_step(const YAML::Node& node, const std::string& pipeline) {
    const Mark mark = mark_of(node);
    const std::string shape = "a step of " + pipeline + " must be a name or { name: { option: value } }";
    if (node.IsScalar()) {
        const std::string name = restore_braces(node.Scalar());
        if (!is_step_name(name)) {
            issues_.add(mark, shape + ", got " + quoted_value(name));
            return std::nullopt;
        }
        return PipelineStep{name, {}, mark};
    }
    if (!node.IsMap() || node.size() != 1) {
        issues_.add(mark, shape);
        return std::nullopt;
    }
    const auto entry = *node.begin();  // a copy: yaml-cpp's iterator hands out temporaries
    const Mark name_mark = mark_of(entry.first, mark);
    if (!entry.first.IsScalar() || !is_step_name(entry.first.Scalar())) {
        issues_.add(name_mark, shape);
        return std::nullopt;
    }
    PipelineStep step{entry.first.Scalar(), {}, name_mark};
    const YAML::Node& options = entry.second;
    if (options.IsNull()) return step;
    if (!options.IsMap()) {
        issues_.add(mark_of(options, name_mark), "the options of step " + in_quotes(step.name) + " in " + pipeline +
                                                     " must be a mapping, e.g. { limit: 50 }");
        return std::nullopt;
    }
    const std::string where = "in step " + in_quotes(step.name) + " of " + pipeline;
    for_each_entry(options, where, [&](const std::string& key, const Mark& key_mark, const YAML::Node& value) {
        const auto text = read_scalar(value, key_mark, "option " + in_quotes(key) + " " + where);
        if (text) step.options.push_back(StepOption{key, text->value, key_mark});
    });
    return step;
}

// The position of the first byte that would be confused with our placeholders, if any.
std::optional<Mark> find_reserved_byte(std::string_view text, const std::string& file) {
    int line = 1;
    int column = 1;
    for (char c : text) {
        if (c == kOpenPlaceholder || c == kClosePlaceholder) return Mark{file, line, column};
        if (c == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return std::nullopt;
}

Config load_text(std::string_view text, const std::string& display_name, const fs::path& base_dir) {
    IssueCollector issues;
    if (const auto reserved = find_reserved_byte(text, display_name)) {
        issues.add(*reserved, "control characters 0x1E and 0x1F are not allowed in the config");
        issues.throw_if_any();
    }
    YAML::Node root;
    try {
        root = YAML::Load(protect_placeholders(text));
    } catch (const YAML::Exception& e) {
        const Mark mark = e.mark.is_null() ? Mark{display_name} : Mark{display_name, e.mark.line + 1, e.mark.column + 1};
        issues.add(mark, restore_braces(e.msg));
        issues.throw_if_any();
    }
    Loader loader(display_name, base_dir, issues);
    Config config = loader.load(root);
    issues.throw_if_any();
    return config;
}

}  // namespace

const SettingValue* ProviderConfig::find_setting(std::string_view key) const {
    const auto it = std::find_if(settings.begin(), settings.end(), [&](const SettingValue& s) { return s.key == key; });
    return it == settings.end() ? nullptr : &*it;
}

const StepOption* PipelineStep::find_option(std::string_view key) const {
    const auto it = std::find_if(options.begin(), options.end(), [&](const StepOption& o) { return o.key == key; });
    return it == options.end() ? nullptr : &*it;
}

const ProviderConfig* Config::find_provider(std::string_view name) const {
    const auto it = std::find_if(providers.begin(), providers.end(), [&](const ProviderConfig& p) { return p.name == name; });
    return it == providers.end() ? nullptr : &*it;
}

const Pipeline* Config::find_pipeline(std::string_view name) const {
    const auto it = std::find_if(pipelines.begin(), pipelines.end(), [&](const Pipeline& p) { return p.name == name; });
    return it == pipelines.end() ? nullptr : &*it;
}

const std::vector<std::string>& host_provider_keys() {
    return kHostProviderKeys;
}

fs::path resolve_config_path(const std::optional<std::string>& cli_flag) {
    const auto expanded = [](std::string_view text) {
        auto path = expand_home(text);
        if (!path) throw ConfigError(Mark{std::string(text)}, "cannot expand ~: HOME is not set");
        return *path;
    };
    if (cli_flag && !cli_flag->empty()) return expanded(*cli_flag);
    if (const char* env = std::getenv(kEnvConfig); env != nullptr && *env != '\0') return expanded(env);
    const fs::path relative = fs::path(kAppDirName) / kConfigFileName;
    if (const auto xdg = absolute_env_dir(kEnvXdgConfig)) return *xdg / relative;
    return require_home("the config file") / kDefaultConfigHome / relative;
}

fs::path resolve_data_dir(const std::optional<fs::path>& configured) {
    if (const char* env = std::getenv(kEnvDataDir); env != nullptr && *env != '\0') {
        const auto path = expand_home(env);
        if (!path) throw ConfigError(Mark{}, "cannot expand ~ in $PLEXMIX_DATA_DIR: HOME is not set");
        return fs::absolute(*path).lexically_normal();
    }
    if (configured) return *configured;
    if (const auto xdg = absolute_env_dir(kEnvXdgData)) return *xdg / kAppDirName;
    return require_home("the data directory") / kDefaultDataHome / kAppDirName;
}

Config load_config(const fs::path& path) {
    std::error_code ec;
    const auto status = fs::status(path, ec);
    if (!fs::exists(status)) {
        throw ConfigError(Mark{path.string()},
                          "no config file here; write one (the README's \"Configuration\" shows one) or point "
                          "--config or $PLEXMIX_CONFIG at an existing file; 'plexmix demo' needs none");
    }
    if (fs::is_directory(status)) {
        throw ConfigError(Mark{path.string()}, "is a directory, not a config file");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in.is_open()) throw ConfigError(Mark{path.string()}, "cannot open the config file for reading");
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw ConfigError(Mark{path.string()}, "cannot read the config file");
    return load_text(text.str(), path.string(), path.parent_path());
}

Config load_config_from_string(std::string_view text, const std::string& display_name) {
    return load_text(text, display_name, fs::path(display_name).parent_path());
}

Config default_config() {
    Config config;
    config.data_dir = resolve_data_dir(std::nullopt);
    return config;
}

LoggingOptions logging_options(const Config& config, int verbosity) {
    LoggingOptions options;
    options.level = config.log.level;
    options.verbosity = verbosity;
    if (config.log.file) options.file = config.data_dir / kLogFileName;
    return options;
}

}  // namespace pmx
