// The engine's copy of a plugin's declared settings (pmx_setting_spec), detached from the plugin.
#pragma once

#include <optional>
#include <string>

#include <pmx/plugin.h>

namespace pmx {

struct SettingSpec {
    std::string key;
    pmx_setting_type type = PMX_SETTING_STRING;
    bool required = false;
    bool secret = false;
    std::optional<std::string> default_value;
    std::string description;
};

}  // namespace pmx
