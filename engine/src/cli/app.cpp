// What run-time commands share.
#include "cli/app.hpp"

#include <chrono>
#include <iostream>
#include <stdexcept>

#include "config/data_dir.hpp"
#include "host/plugin_host.hpp"
#include "net/cancel.hpp"
#include "plugin/provider_factory.hpp"
#include "store/store.hpp"
#include "util/log.hpp"
#include "vector/ivf_train.hpp"

namespace pmx::cli {

std::unique_ptr<App> App::open(const GlobalOptions& global) {
    // Before anything else: OpenBLAS's kernels for this CPU, and its idle workers (they spin until then).
    vec::ivf::use_blas_kernels_for_this_cpu();
    vec::ivf::use_one_blas_thread();
    Config config = load_config(resolve_config_path(global.config_path));
    const auto data_dir = ensure_data_dir(config);
    init_logging(logging_options(config, global.verbosity));
    // Before any plugin makes an instance: plugins read it then.
    PluginHost::set_install_id(install_id(data_dir));
    PluginHost::set_data_dir(data_dir.string());
    std::unique_ptr<App> app(new App(std::move(config), PluginRegistry::discover(plugin_search_path(global.plugin_paths))));
    app->store_ = Store::open(data_dir / kStoreFileName);
    app->data_dir_ = data_dir;
    return app;
}

App::~App() = default;

void App::lock_writer(std::string_view command, bool wait, std::string_view why) {
    if (writer_) return;
    LockHolder holder;
    writer_ = WriterLock::try_acquire(data_dir_, command, &holder);
    if (writer_) return;
    if (!wait) {
        throw std::runtime_error("another plexmix is writing to " + data_dir_.string() + ": " + holder.describe() +
                                 ". Wait for it to finish, or add --wait to wait for it");
    }
    const auto started = std::chrono::steady_clock::now();
    writer_ = WriterLock::acquire(data_dir_, command, global_cancel(), [&](const LockHolder& h) {
        const auto waited = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started);
        std::cerr << "plexmix: waiting for " << h.describe() << " to finish before " << why;
        if (waited.count() > 0) std::cerr << " (" << waited.count() << " s so far)";
        std::cerr << "..." << std::endl;
    });
    if (!writer_) throw std::runtime_error("interrupted while waiting for another plexmix to finish writing");
}

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

std::optional<std::pair<const ProviderConfig*, std::unique_ptr<Provider>>> App::role_provider(
    const std::optional<std::string>& name, const std::optional<ProviderRef>& in_use, std::string_view flag,
    bool (*implements)(const PluginInstance&), std::string_view role) {
    const ProviderConfig* p = nullptr;
    if (name) {
        p = config_.find_provider(*name);
        if (!p) throw ConfigError(Mark{config_.source.string(), 0, 0}, std::string(flag) + " " + *name + ": no such provider");
    } else if (in_use) {
        p = config_.find_provider(in_use->name);
    }
    if (!p) return std::nullopt;
    std::vector<ConfigIssue> issues;
    auto provider = make_provider(*p, registry_, &issues);
    if (provider && !implements(provider->instance())) {
        issues.push_back({p->mark, "provider '" + p->name + "' (plugin " + p->plugin + ") is not " + std::string(role)});
    }
    if (!issues.empty()) throw ConfigError(std::move(issues));
    return std::pair{p, std::move(provider)};
}

std::optional<EmbedderProvider> App::embedder(const std::optional<std::string>& name) {
    auto made = role_provider(name, config_.use.embedder, "--embedder",
                              [](const PluginInstance& i) { return i.embedder() != nullptr; }, "an embedder");
    if (!made) return std::nullopt;
    return EmbedderProvider{made->first, std::move(made->second)};
}

std::optional<CompleterProvider> App::completer(const std::optional<std::string>& name) {
    auto made = role_provider(name, config_.use.completer, "--provider",
                              [](const PluginInstance& i) { return i.completer() != nullptr; }, "a completer");
    if (!made) return std::nullopt;
    return CompleterProvider{made->first, std::move(made->second)};
}

}  // namespace pmx::cli
