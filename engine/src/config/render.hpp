// `plexmix config show`: the effective configuration as YAML, with every secret shown as ***.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "plugin/setting_spec.hpp"

namespace pmx {

// True when the plugin behind `provider` declares `key` a secret (PMX_SETTING_SECRET).
using SecretLookup = std::function<bool(const ProviderConfig& provider, std::string_view key)>;

// The settings the plugin behind `provider` declares, or nullptr when unknown (plugin not
// loaded). The pointee must outlive the render_config() call.
using SpecLookup = std::function<const std::vector<SettingSpec>*(const ProviderConfig& provider)>;

// YAML text of the effective configuration: absolute data_dir, log settings, every provider
// with its full call policy (defaults applied) and its settings after ${VAR} substitution,
// `use:` and the configured pipelines. When `specs` is given, declared settings the file
// leaves out are listed with their defaults. A value is shown as *** when `is_secret` says
// so, its key looks like a credential, or it came from a credential-like environment
// variable. Comments note which values came from the environment and which are defaults.
std::string render_config(const Config& config, const SecretLookup& is_secret, const SpecLookup& specs = {});

}  // namespace pmx
