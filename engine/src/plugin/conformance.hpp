// `plexmix plugins check PATH`: load one plugin and exercise every interface it declares.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "plugin/loader.hpp"
#include "plugin/provider.hpp"

namespace pmx {

enum class CheckLevel { pass, warn, fail, skip };

struct CheckItem {
    CheckLevel level;
    std::string what;
};

struct CheckReport {
    std::filesystem::path path;
    std::optional<PluginInfo> info;  // absent when the file was refused
    std::vector<CheckItem> items;

    bool conforms() const;     // no failure
    bool incomplete() const;   // some checks were skipped (e.g. a required setting not given)
};

// Runs the contract checks. `settings` are KEY=VALUE overrides (--set) for the instance the
// checks create; declared defaults fill the rest. They are normalised and checked as a
// provider's settings in a config are (config/provider_settings.hpp: durations in ms, URLs
// without a trailing '/', ints and bools validated); a refused one is a skip (the checks need
// valid settings), not a failure of the plugin. Values of settings the plugin declares secret
// (or whose key looks like a credential) are registered for redaction first, and every
// report item is redacted. Never throws.
CheckReport check_plugin(const std::filesystem::path& path, const SettingList& settings);

const char* check_level_name(CheckLevel level);

}  // namespace pmx
