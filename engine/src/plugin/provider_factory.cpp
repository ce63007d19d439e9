// Making providers from the config.
#include "plugin/provider_factory.hpp"

#include "config/provider_settings.hpp"

namespace pmx {

std::unique_ptr<Provider> make_provider(const ProviderConfig& config, const PluginRegistry& registry,
                                        std::vector<ConfigIssue>* issues) {
    LoadedPlugin* plugin = registry.find(config.plugin);
    if (plugin == nullptr) {
        std::string message = "provider '" + config.name + "': no plugin '" + config.plugin + "' found";
        for (const auto& refused : registry.refused()) {
            if (refused.path.stem() == config.plugin) message += " (" + refused.reason + ")";
        }
        message += "; searched";
        for (const auto& dir : registry.search_path()) message += " " + dir.string();
        issues->push_back({config.mark, message});
        return nullptr;
    }
    ResolvedSettings settings;
    try {
        settings = resolve_provider_settings(config, plugin->info().settings);
    } catch (const ConfigError& e) {
        issues->insert(issues->end(), e.issues().begin(), e.issues().end());
        return nullptr;
    }
    auto runtime = std::make_unique<ProviderRuntime>(config.name, plugin->info().id, config.policy,
                                                     plugin->info().max_concurrent_calls);
    std::string error;
    auto instance = PluginInstance::create(*plugin, settings, *runtime, &error);
    if (!instance) {
        issues->push_back({config.mark, "provider '" + config.name + "': " + error});
        return nullptr;
    }
    return std::make_unique<Provider>(config.name, std::move(runtime), std::move(instance));
}

}  // namespace pmx
