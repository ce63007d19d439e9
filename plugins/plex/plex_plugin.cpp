// plex: the plugin's entry — its settings, their validation, and the one exported symbol.
#include <pmx/plugin.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "plex_http.hpp"
#include "plex_source.hpp"

namespace {

namespace sdk = pmx::sdk;
using pmx::plex::PlexSource;
using pmx::plex::SourceConfig;

constexpr std::int64_t kDefaultPageSize = 1000;
// Plex answers any container size; past this, one page's JSON grows to tens of megabytes.
constexpr std::int64_t kMaxPageSize = 50'000;
// Plex expects one X-Plex-Client-Identifier per client install: the host's install id (made
// once per data dir) gives that; this fallback serves only hosts without one.
constexpr const char* kFallbackClientId = "plexmix-plex-5f2c9a41";
constexpr std::string_view kClientIdPrefix = "plexmix-";

constexpr pmx_setting_spec kUrl = sdk::setting(
    PMX_SETTING_URL, "url", nullptr, "Plex Media Server URL, e.g. http://192.168.1.10:32400",
    PMX_SETTING_REQUIRED);
constexpr pmx_setting_spec kToken = sdk::setting(
    PMX_SETTING_STRING, "token", nullptr,
    "X-Plex-Token of an account with access to the server (sent as a header, never in URLs)",
    PMX_SETTING_REQUIRED | PMX_SETTING_SECRET);
constexpr pmx_setting_spec kLibrary = sdk::setting(
    PMX_SETTING_STRING, "library", "",
    "Music library to use, by title (case-insensitive) or section key; empty = every music library");
constexpr pmx_setting_spec kPageSize = sdk::setting(
    PMX_SETTING_INT, "page_size", "1000", "Tracks per scan request (1..50000)");
constexpr pmx_setting_spec kClientId = sdk::setting(
    PMX_SETTING_STRING, "client_id", "",
    "X-Plex-Client-Identifier this provider presents to the server; empty = one per plexmix install");
constexpr const pmx_setting_spec* kSettings[] = {&kUrl, &kToken, &kLibrary, &kPageSize, &kClientId,
                                                 nullptr};

std::string required(const sdk::Settings& settings, std::string_view key) {
    const std::string_view value = settings.get(key).value_or(std::string_view());
    if (value.empty()) {
        throw sdk::Error(PMX_INVALID_INPUT, "plex: the setting `" + std::string(key) + "` is required");
    }
    return std::string(value);
}

// No I/O here: identity() is the first call that checks the URL and the token.
std::unique_ptr<sdk::Instance> create(const sdk::Settings& settings, sdk::Call& /*call*/) {
    SourceConfig config;
    config.connection.base_url = required(settings, "url");
    while (!config.connection.base_url.empty() && config.connection.base_url.back() == '/') {
        config.connection.base_url.pop_back();
    }
    const std::string_view url = config.connection.base_url;
    if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
        throw sdk::Error(PMX_INVALID_INPUT, "plex: the setting `url` must start with http:// or https://");
    }
    config.connection.token = required(settings, "token");
    config.connection.client_id = std::string(settings.get("client_id").value_or(""));
    if (config.connection.client_id.empty()) {
        const std::string_view install = sdk::Host::get().install_id();
        config.connection.client_id =
            install.empty() ? std::string(kFallbackClientId) : std::string(kClientIdPrefix) + std::string(install);
    }
    config.library = std::string(settings.get("library").value_or(""));
    const std::int64_t page_size = settings.get_int("page_size").value_or(kDefaultPageSize);
    if (page_size < 1 || page_size > kMaxPageSize) {
        throw sdk::Error(PMX_INVALID_INPUT, "plex: the setting `page_size` must be between 1 and " +
                                                std::to_string(kMaxPageSize) + ", not " +
                                                std::to_string(page_size));
    }
    config.page_size = static_cast<std::uint32_t>(page_size);
    return std::make_unique<PlexSource>(std::move(config));
}

constexpr const char* kInterfaces[] = {PMX_IFACE_MEDIA_SOURCE, nullptr};

constexpr sdk::Descriptor kPlex{
    "plex",
    "Plex Media Server",
    pmx::plex::kPluginVersion,
    "Music libraries of a Plex Media Server: tracks, incremental feeds, playlists",
    kInterfaces,
    &create,
    kSettings,
};

}  // namespace

PMX_PLUGIN(kPlex);
