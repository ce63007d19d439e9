// What run-time commands share: the config, the data dir and log file, the plugins and the store.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.hpp"
#include "config/config.hpp"
#include "plugin/provider.hpp"
#include "plugin/registry.hpp"
#include "store/writer_lock.hpp"

namespace pmx {
class Store;
}

namespace pmx::cli {

struct MediaProvider {
    const ProviderConfig* config;
    std::unique_ptr<Provider> provider;
};

struct EmbedderProvider {
    const ProviderConfig* config;
    std::unique_ptr<Provider> provider;
};

// A configured completer, made.
struct CompleterProvider {
    const ProviderConfig* config;
    std::unique_ptr<Provider> provider;
};

class App {
public:
    // Loads the config (ConfigError on problems), creates the data dir (0700), starts the log
    // file there, discovers plugins and opens the store (data_dir/plexmix.db).
    static std::unique_ptr<App> open(const GlobalOptions& global);
    ~App();

    const Config& config() const { return config_; }
    Store& store() { return *store_; }
    const PluginRegistry& registry() const { return registry_; }

    // The media sources in `use.media`, or only `source` when given (it must be a configured
    // provider). Throws ConfigError listing every provider that could not be made.
    std::vector<MediaProvider> media_providers(const std::optional<std::string>& source);

    // The embedder `name` (a configured provider) when given, else the one in use.embedder;
    // nullopt when neither. Throws ConfigError when it cannot be made or embeds nothing.
    std::optional<EmbedderProvider> embedder(const std::optional<std::string>& name = std::nullopt);

    // The completer `name` when given, else the one in use.completer; nullopt when neither.
    // Throws ConfigError when it cannot be made or completes nothing.
    std::optional<CompleterProvider> completer(const std::optional<std::string>& name = std::nullopt);

    // The data dir (created 0700 by open()); the store and the vector index files live there.
    const std::filesystem::path& data_dir() const { return data_dir_; }

    // Makes this process the data dir's one writer (store/writer_lock.hpp) until it exits; a
    // second call does nothing. When another process is writing: without `wait`, a
    // std::runtime_error naming it (exit 1); with `wait`, waits for it, saying so on stderr
    // (`why` ends "waiting for pid N (plexmix sync, ...) to finish before <why>").
    void lock_writer(std::string_view command, bool wait, std::string_view why = "writing");

private:
    // The provider `name` (a --flag's value) or the one `in_use` names, made and checked to
    // implement `interface_id`; nullopt when neither is given.
    std::optional<std::pair<const ProviderConfig*, std::unique_ptr<Provider>>> role_provider(
        const std::optional<std::string>& name, const std::optional<ProviderRef>& in_use, std::string_view flag,
        bool (*implements)(const PluginInstance&), std::string_view role);

    App(Config config, PluginRegistry registry) : config_(std::move(config)), registry_(std::move(registry)) {}

    Config config_;
    PluginRegistry registry_;
    std::unique_ptr<Store> store_;
    std::filesystem::path data_dir_;
    std::optional<WriterLock> writer_;
};

}  // namespace pmx::cli
