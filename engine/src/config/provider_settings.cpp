// Plugin-declared settings: unknown keys, required keys, types, defaults and secrets.
#include "config/provider_settings.hpp"
#include "util/text.hpp"

#include <algorithm>
#include <iterator>

#include "config/values.hpp"
#include "util/redact.hpp"

namespace pmx {
namespace {

std::string in_quotes(std::string_view text) {
    return "\"" + std::string(text) + "\"";
}

std::string expected(pmx_setting_type type) {
    switch (type) {
        case PMX_SETTING_INT: return "a whole number";
        case PMX_SETTING_BOOL: return "true or false (or yes/no, on/off)";
        case PMX_SETTING_DURATION: return "a duration such as 30s, 500ms, 2m or 1h";
        case PMX_SETTING_URL: return "an http:// or https:// URL with a host";
        default: return "text";
    }
}

const SettingSpec* find_spec(const std::vector<SettingSpec>& specs, std::string_view key) {
    const auto it = std::find_if(specs.begin(), specs.end(), [&](const SettingSpec& s) { return s.key == key; });
    return it == specs.end() ? nullptr : &*it;
}

}  // namespace

std::optional<std::string> normalise_setting_value(pmx_setting_type type, std::string_view value) {
    switch (type) {
        case PMX_SETTING_INT: {
            const auto number = parse_int(value);
            if (!number) return std::nullopt;
            return std::to_string(*number);
        }
        case PMX_SETTING_BOOL: {
            const auto flag = parse_bool(value);
            if (!flag) return std::nullopt;
            return std::string(*flag ? "true" : "false");
        }
        case PMX_SETTING_DURATION: {
            const auto duration = parse_duration(value);
            if (!duration) return std::nullopt;
            return std::to_string(duration->count());
        }
        case PMX_SETTING_URL: return normalise_url(value);
        default: return std::string(value);
    }
}

bool is_secret_setting(const SettingValue& setting, bool declared_secret) {
    if (declared_secret || looks_like_credential_key(setting.key)) return true;
    return std::any_of(setting.env_vars.begin(), setting.env_vars.end(),
                       [](const std::string& var) { return looks_like_credential_env(var); });
}

ResolvedSettings resolve_provider_settings(const ProviderConfig& provider,
                                           const std::vector<SettingSpec>& specs) {
    IssueCollector issues;
    const std::string who = "provider " + in_quotes(provider.name) + " (plugin " + provider.plugin + ")";

    std::vector<std::string> declared;
    std::transform(specs.begin(), specs.end(), std::back_inserter(declared),
                   [](const SettingSpec& s) { return s.key; });

    // Secrets first, so that nothing reported below can show them.
    for (const auto& setting : provider.settings) {
        const SettingSpec* spec = find_spec(specs, setting.key);
        if (spec == nullptr) continue;
        if (spec->secret) register_secret(setting.value);
        // A URL's password, even when the value is no valid URL yet (`user:pw@nas`): the
        // error below quotes it.
        if (spec->type == PMX_SETTING_URL) register_url_secrets(setting.value);
    }

    for (const auto& setting : provider.settings) {
        if (find_spec(specs, setting.key) != nullptr) continue;
        std::string hint = did_you_mean(setting.key, declared);
        if (hint.empty()) {
            hint = declared.empty() ? " (the plugin takes no settings)" : " (the plugin's settings: " + join(declared) + ")";
        }
        issues.add(setting.key_mark, "unknown setting " + in_quotes(setting.key) + " in " + who + hint);
    }

    ResolvedSettings resolved;
    for (const auto& spec : specs) {
        const SettingValue* given = provider.find_setting(spec.key);
        if (given != nullptr && !given->value.empty()) {
            const auto value = normalise_setting_value(spec.type, given->value);
            if (!value) {
                const std::string shown = is_secret_setting(*given, spec.secret)
                                              ? " (the value is secret and not shown)"
                                              : ", got " + in_quotes(redact(given->value));
                issues.add(given->value_mark,
                           "setting " + in_quotes(spec.key) + " of " + who + " must be " + expected(spec.type) + shown);
                continue;
            }
            resolved.emplace_back(spec.key, *value);
            continue;
        }
        if (spec.required) {
            const Mark& mark = given != nullptr ? given->value_mark : provider.mark;
            std::string message = given != nullptr ? "required setting " + in_quotes(spec.key) + " of " + who + " is empty"
                                                   : who + " is missing required setting " + in_quotes(spec.key);
            if (!spec.description.empty()) message += " (" + spec.description + ")";
            issues.add(mark, std::move(message));
            continue;
        }
        if (!spec.default_value) continue;
        const auto value = normalise_setting_value(spec.type, *spec.default_value);
        if (!value) {
            issues.add(provider.mark, "plugin " + provider.plugin + " declares a default for " + in_quotes(spec.key) +
                                          " that is not " + expected(spec.type) + " (a bug in the plugin)");
            continue;
        }
        if (spec.secret) register_secret(*value);
        if (spec.type == PMX_SETTING_URL) register_url_secrets(*value);
        resolved.emplace_back(spec.key, *value);
    }
    issues.throw_if_any();
    return resolved;
}

}  // namespace pmx
