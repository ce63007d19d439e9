// jellyfin: the plugin's entry — its settings, their validation, and the one exported symbol.
#include <pmx/plugin.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "jellyfin_source.hpp"

namespace {

namespace sdk = pmx::sdk;
using pmx::jellyfin::AuthMode;
using pmx::jellyfin::JellyfinSource;
using pmx::jellyfin::SourceConfig;

constexpr std::int64_t kDefaultPageSize = 1000;
// Jellyfin takes any Limit; past this one page's JSON grows to tens of megabytes.
constexpr std::int64_t kMaxPageSize = 10'000;
// Jellyfin wants one DeviceId per client install (its sessions and devices are keyed by it):
// the host's install id (made once per data dir) gives that; this serves hosts without one.
constexpr const char* kFallbackDeviceId = "plexmix-jellyfin-7a41c0de";
constexpr std::string_view kDeviceIdPrefix = "plexmix-";

constexpr pmx_setting_spec kUrl = sdk::setting(PMX_SETTING_URL, "url", nullptr,
                                               "Jellyfin server URL, e.g. http://192.168.1.10:8096",
                                               PMX_SETTING_REQUIRED);
constexpr pmx_setting_spec kApiKey = sdk::setting(
    PMX_SETTING_STRING, "api_key", "",
    "An API key (Dashboard > API Keys); needs `user`, and cannot write playlists (Jellyfin's rule)",
    PMX_SETTING_SECRET);
constexpr pmx_setting_spec kToken = sdk::setting(PMX_SETTING_STRING, "token", "",
                                                 "A user's access token (instead of api_key or a password)",
                                                 PMX_SETTING_SECRET);
constexpr pmx_setting_spec kUsername = sdk::setting(PMX_SETTING_STRING, "username", "",
                                                    "User to log in as, with `password` (exchanged once for a token)");
constexpr pmx_setting_spec kPassword = sdk::setting(PMX_SETTING_STRING, "password", "",
                                                    "That user's password (sent once; the token is kept, 0600)",
                                                    PMX_SETTING_SECRET);
constexpr pmx_setting_spec kUser = sdk::setting(
    PMX_SETTING_STRING, "user", "",
    "With api_key: the user (name or Id) whose libraries, plays and favourites are mirrored");
constexpr pmx_setting_spec kLibrary = sdk::setting(
    PMX_SETTING_STRING, "library", "",
    "Music library to use, by name (case-insensitive) or Id; empty = every music library");
constexpr pmx_setting_spec kPageSize = sdk::setting(PMX_SETTING_INT, "page_size", "1000",
                                                    "Tracks per scan request (1..10000)");
constexpr const pmx_setting_spec* kSettings[] = {&kUrl,  &kApiKey,  &kToken,    &kUsername, &kPassword,
                                                 &kUser, &kLibrary, &kPageSize, nullptr};

std::string text(const sdk::Settings& settings, std::string_view key) {
    return std::string(settings.get(key).value_or(std::string_view()));
}

[[noreturn]] void refuse(const std::string& message) { throw sdk::Error(PMX_INVALID_INPUT, "jellyfin: " + message); }

// Credentials travel in a quoted header value: a quote, a backslash or a control character
// would end it early (a copy-paste slip), so they are refused here.
void check_header_safe(const std::string& value, std::string_view key) {
    for (const char c : value) {
        if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) {
            refuse("the setting `" + std::string(key) + "` holds a quote, a backslash or a control character");
        }
    }
}

// No I/O here: identity() is the first call that checks the URL and the credentials.
std::unique_ptr<sdk::Instance> create(const sdk::Settings& settings, sdk::Call& /*call*/) {
    SourceConfig config;
    std::string url = text(settings, "url");
    while (!url.empty() && url.back() == '/') url.pop_back();
    if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
        refuse("the setting `url` must start with http:// or https://");
    }
    config.client.base_url = url;
    const std::string_view install = sdk::Host::get().install_id();
    config.client.device_id =
        install.empty() ? std::string(kFallbackDeviceId) : std::string(kDeviceIdPrefix) + std::string(install);

    const std::string api_key = text(settings, "api_key");
    const std::string token = text(settings, "token");
    const std::string username = text(settings, "username");
    const std::string password = text(settings, "password");
    const int ways = (api_key.empty() ? 0 : 1) + (token.empty() ? 0 : 1) + (username.empty() && password.empty() ? 0 : 1);
    if (ways != 1) {
        refuse(ways == 0 ? "give `api_key` (with `user`), `token`, or `username` and `password`"
                         : "give only one of `api_key`, `token`, or `username` and `password`");
    }
    auto& credentials = config.credentials;
    credentials.user = text(settings, "user");
    if (!api_key.empty()) {
        if (credentials.user.empty()) {
            refuse("with `api_key`, the setting `user` is required: an API key acts as no user, and plays, favourites "
                   "and libraries are a user's");
        }
        credentials.mode = AuthMode::api_key;
        credentials.secret = api_key;
    } else if (!token.empty()) {
        credentials.mode = AuthMode::token;
        credentials.secret = token;
    } else {
        if (username.empty() || password.empty()) refuse("`username` and `password` go together");
        credentials.mode = AuthMode::password;
        credentials.username = username;
        credentials.secret = password;
    }
    if (credentials.mode != AuthMode::password) check_header_safe(credentials.secret, api_key.empty() ? "token" : "api_key");

    config.library = text(settings, "library");
    const std::int64_t page_size = settings.get_int("page_size").value_or(kDefaultPageSize);
    if (page_size < 1 || page_size > kMaxPageSize) {
        refuse("the setting `page_size` must be between 1 and " + std::to_string(kMaxPageSize) + ", not " +
               std::to_string(page_size));
    }
    config.page_size = static_cast<std::uint32_t>(page_size);
    return std::make_unique<JellyfinSource>(std::move(config));
}

constexpr const char* kInterfaces[] = {PMX_IFACE_MEDIA_SOURCE, nullptr};

constexpr sdk::Descriptor kJellyfin{
    "jellyfin",
    "Jellyfin",
    pmx::jellyfin::kPluginVersion,
    "Music libraries of a Jellyfin server (10.9-10.11): tracks, incremental feeds, favourites, playlists",
    kInterfaces,
    &create,
    kSettings,
};

}  // namespace

PMX_PLUGIN(kJellyfin);
