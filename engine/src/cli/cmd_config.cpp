// `plexmix config show|check`.
#include <iostream>

#include <boost/program_options.hpp>

#include "cli/cli_support.hpp"
#include "config/render.hpp"
#include "plugin/provider_factory.hpp"

namespace po = boost::program_options;

namespace pmx::cli {
namespace {

struct Loaded {
    Config config;
    PluginRegistry registry;
};

Loaded load(const GlobalOptions& global) {
    Config config = load_config(resolve_config_path(global.config_path));
    return {std::move(config), PluginRegistry::discover(plugin_search_path(global.plugin_paths))};
}

const std::vector<SettingSpec>* specs_of(const PluginRegistry& registry, const ProviderConfig& provider) {
    const LoadedPlugin* plugin = registry.find(provider.plugin);
    return plugin ? &plugin->info().settings : nullptr;
}

int show(const GlobalOptions& global, const Args& args) {
    bool help = false;
    parse_args(args, po::options_description("config show"), {}, "plexmix config show", &help);
    if (help) return kExitOk;
    const Loaded loaded = load(global);
    const SecretLookup is_secret = [&](const ProviderConfig& provider, std::string_view key) {
        const auto* specs = specs_of(loaded.registry, provider);
        if (!specs) return false;
        for (const auto& s : *specs) {
            if (s.key == key) return s.secret;
        }
        return false;
    };
    const SpecLookup specs = [&](const ProviderConfig& provider) { return specs_of(loaded.registry, provider); };
    std::cout << render_config(loaded.config, is_secret, specs);
    return kExitOk;
}

int check(const GlobalOptions& global, const Args& args) {
    bool help = false;
    parse_args(args, po::options_description("config check"), {}, "plexmix config check", &help);
    if (help) return kExitOk;
    const Loaded loaded = load(global);
    std::vector<ConfigIssue> issues;
    std::vector<std::string> made;
    for (const auto& provider : loaded.config.providers) {
        if (make_provider(provider, loaded.registry, &issues)) made.push_back(provider.name + " (" + provider.plugin + ")");
    }
    // Each `use:` role must name a provider whose plugin implements that interface.
    const auto check_role = [&](const ProviderRef& ref, const char* interface_id, const char* key,
                                const char* role) {
        const ProviderConfig* provider = loaded.config.find_provider(ref.name);
        const LoadedPlugin* plugin = provider ? loaded.registry.find(provider->plugin) : nullptr;
        if (plugin && !plugin->info().implements(interface_id)) {
            issues.push_back({ref.mark, std::string("use.") + key + ": provider '" + ref.name + "' (plugin " +
                                            plugin->info().id + ") is not a " + role + "; it implements " +
                                            plugin->info().kinds()});
        }
    };
    for (const auto& ref : loaded.config.use.media) check_role(ref, PMX_IFACE_MEDIA_SOURCE, "media", "media source");
    if (loaded.config.use.embedder) check_role(*loaded.config.use.embedder, PMX_IFACE_EMBEDDER, "embedder", "embedder");
    if (loaded.config.use.completer) check_role(*loaded.config.use.completer, PMX_IFACE_COMPLETER, "completer", "completer");
    if (!issues.empty()) throw ConfigError(std::move(issues));
    std::cout << loaded.config.source.string() << ": OK";
    if (!made.empty()) {
        std::cout << "; providers:";
        for (const auto& m : made) std::cout << " " << m;
    }
    std::cout << "\n";
    return kExitOk;
}

}  // namespace

int run_config(const GlobalOptions& global, const Args& args) {
    return dispatch("config", global, args, {{"show", "show", show}, {"check", "check", check}});
}

}  // namespace pmx::cli
