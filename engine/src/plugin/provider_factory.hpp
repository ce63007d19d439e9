// Making providers from the config: find the plugin, check its settings, create the instance.
#pragma once

#include <memory>
#include <vector>

#include "config/config.hpp"
#include "plugin/provider.hpp"
#include "plugin/registry.hpp"

namespace pmx {

// Makes the provider `config` describes. Problems (unknown plugin, refused plugin, bad or
// missing settings, create() failing) are appended to *issues at the config's positions and
// null is returned; secrets the settings declare are registered for redaction first.
std::unique_ptr<Provider> make_provider(const ProviderConfig& config, const PluginRegistry& registry,
                                        std::vector<ConfigIssue>* issues);

}  // namespace pmx
