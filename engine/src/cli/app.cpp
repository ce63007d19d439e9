// What run-time commands share.
#include "cli/app.hpp"

#include "config/data_dir.hpp"
#include "plugin/provider_factory.hpp"
#include "store/store.hpp"
#include "util/log.hpp"

namespace pmx::cli {

std::unique_ptr<App> App::open(const GlobalOptions& global) {
    Config config = load_config(resolve_config_path(global.config_path));
    const auto data_dir = ensure_data_dir(config);
    init_logging(logging_options(config, global.verbosity));
    std::unique_ptr<App> app(new App(std::move(config), PluginRegistry::discover(plugin_search_path(global.plugin_paths))));
    app->store_ = Store::open(data_dir / kStoreFileName);
    app->data_dir_ = data_dir;
    return app;
}

App::~App() = default;

std::vector<MediaProvider> App::media_providers(const std::optional<std::string>& source) {
    std::vector<const ProviderConfig*> wanted;
    std::vector<ConfigIssue> issues;
    if (source) {
        const ProviderConfig* p = config_.find_provider(*source);
        if (!p) throw ConfigError(Mark{config_.source.string(), 0, 0}, "--source " + *source + ": no such provider");
        wanted.push_back(p);
    } else {
        for (const auto& ref : config_.use.media) wanted.push_back(config_.find_provider(ref.name));
        if (wanted.empty()) {
            throw ConfigError(Mark{config_.source.string(), 0, 0},
                              "no media source configured: add one under providers: and name it in use: { media: [...] }");
        }
    }
    std::vector<MediaProvider> out;
    for (const ProviderConfig* p : wanted) {
        auto provider = make_provider(*p, registry_, &issues);
        if (!provider) continue;
        if (!provider->instance().media_source()) {
            issues.push_back({p->mark, "provider '" + p->name + "' (plugin " + p->plugin + ") is not a media source"});
            continue;
        }
        out.push_back({p, std::move(provider)});
    }
    if (!issues.empty()) throw ConfigError(std::move(issues));
    return out;
}

std::optional<EmbedderProvider> App::embedder(const std::optional<std::string>& name) {
    const ProviderConfig* p = nullptr;
    if (name) {
        p = config_.find_provider(*name);
        if (!p) throw ConfigError(Mark{config_.source.string(), 0, 0}, "--embedder " + *name + ": no such provider");
    } else if (config_.use.embedder) {
        p = config_.find_provider(config_.use.embedder->name);
    }
    if (!p) return std::nullopt;
    std::vector<ConfigIssue> issues;
    auto provider = make_provider(*p, registry_, &issues);
    if (provider && !provider->instance().embedder()) {
        issues.push_back({p->mark, "provider '" + p->name + "' (plugin " + p->plugin + ") is not an embedder"});
    }
    if (!issues.empty()) throw ConfigError(std::move(issues));
    return EmbedderProvider{p, std::move(provider)};
}

}  // namespace pmx::cli
