// Checking a provider's settings against the settings its plugin declares, and normalising them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.hpp"
#include "plugin/setting_spec.hpp"

namespace pmx {

// key/value pairs in the order the plugin declares its settings, ready for create().
using ResolvedSettings = std::vector<std::pair<std::string, std::string>>;

// Checks `provider.settings` against `specs` and returns every declared key that has a value
// or a default, normalised by type: INT as decimal text, BOOL as "true"/"false" (from
// true/false/yes/no/on/off), DURATION as whole milliseconds ("30s" -> "30000"), URL checked
// to be http(s) with trailing '/' removed, STRING as is. An empty value counts as absent
// (the default applies) unless the key is required, which is then an error.
// Calls register_secret() for the value of every PMX_SETTING_SECRET setting, and
// register_url_secrets() for every PMX_SETTING_URL one.
// Throws ConfigError with every problem: unknown keys (at the key, with "did you mean"),
// missing required keys (at the provider's name), values of the wrong type (at the value;
// a secret value is never quoted).
ResolvedSettings resolve_provider_settings(const ProviderConfig& provider,
                                           const std::vector<SettingSpec>& specs);

// One value normalised as resolve_provider_settings() does; nullopt when it is not valid
// for `type`. Unknown types are treated as PMX_SETTING_STRING.
std::optional<std::string> normalise_setting_value(pmx_setting_type type, std::string_view value);

// True when a setting's value must be hidden: the plugin declares it secret (`declared_secret`),
// its key looks like a credential (api_key, token, ...), or it came from an environment
// variable whose name looks like one (PLEX_TOKEN, ...).
bool is_secret_setting(const SettingValue& setting, bool declared_secret);

}  // namespace pmx
