// Fuzz target: the config loader, YAML text to Config (engine/src/config/config.hpp,
// load_config_from_string; no plugins, so provider settings are not checked against any), and
// `config show` of what loads (render.hpp). Input: the text of a plexmix.yaml. A bad file must
// end as one ConfigError whose lines name the file, never as another exception or a crash; a
// loaded Config must keep its promises and render as YAML that reads back to the same values.
// The value of a credential-named environment variable must never be shown in either.
#include <cstdlib>
#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "config/config.hpp"
#include "config/render.hpp"
#include "fuzz_check.hpp"
#include "util/redact.hpp"

namespace {

using pmx::fuzz::check;

constexpr const char* kFileName = "/fuzz/plexmix.yaml";
// ${PLEX_TOKEN} and ${GOOGLE_API_KEY} resolve to these; ${MUSIC_DIR} to a plain value.
constexpr std::string_view kPlexToken = "fz9PlexTokenQx7Vb2";
constexpr std::string_view kApiKey = "fz9ApiKeyMn4Lk8Jh";

void set_environment() {
    static const bool done = [] {
        ::setenv("PLEX_TOKEN", std::string(kPlexToken).c_str(), 1);
        ::setenv("GOOGLE_API_KEY", std::string(kApiKey).c_str(), 1);
        ::setenv("MUSIC_DIR", "/srv/music", 1);
        ::setenv("HOME", "/home/fuzz", 1);
        ::unsetenv("PLEXMIX_DATA_DIR");
        return true;
    }();
    (void)done;
}

bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

// What `config show` prints must read back: every setting it shows unmasked, as loaded.
void check_render(const pmx::Config& config, std::string_view text) {
    const std::string shown = pmx::render_config(config, [](const pmx::ProviderConfig&, std::string_view) { return false; });
    if (!contains(text, kPlexToken)) check(!contains(shown, kPlexToken), "config show shows $PLEX_TOKEN");
    if (!contains(text, kApiKey)) check(!contains(shown, kApiKey), "config show shows $GOOGLE_API_KEY");
    YAML::Node loaded;
    try {
        loaded = YAML::Load(shown);
    } catch (const YAML::Exception&) {
        check(false, "config show printed YAML that does not parse");
    }
    const YAML::Node& root = loaded;  // const: looking up a missing key must not add it
    for (const pmx::ProviderConfig& provider : config.providers) {
        const YAML::Node node = root["providers"][provider.name];
        check(node.IsMap(), "config show lost a provider");
        for (const pmx::SettingValue& setting : provider.settings) {
            const YAML::Node value = node[setting.key];
            check(value.IsScalar(), "config show lost a setting");
            if (value.Scalar() != std::string(pmx::kRedacted) && pmx::redact(setting.value) == setting.value) {
                check(value.Scalar() == setting.value, "config show printed a setting that reads back changed");
            }
        }
    }
}

bool known_provider(const pmx::Config& config, const pmx::ProviderRef& ref) {
    return config.find_provider(ref.name) != nullptr;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    set_environment();
    pmx::clear_secrets_for_testing();
    const std::string_view text = pmx::fuzz::as_text(data, size);
    try {
        const pmx::Config config = pmx::load_config_from_string(text, kFileName);
        check(config.data_dir.is_absolute(), "a loaded config's data_dir is not absolute");
        for (const pmx::ProviderRef& ref : config.use.media) check(known_provider(config, ref), "use: names an unknown media provider");
        if (config.use.embedder) check(known_provider(config, *config.use.embedder), "use: names an unknown embedder");
        if (config.use.completer) check(known_provider(config, *config.use.completer), "use: names an unknown completer");
        for (const pmx::ProviderConfig& provider : config.providers) {
            check(!provider.plugin.empty(), "a loaded provider without a plugin");
        }
        check_render(config, text);
    } catch (const pmx::ConfigError& error) {
        const std::string_view message = error.what();
        check(!error.issues().empty(), "a ConfigError without an issue");
        for (const pmx::ConfigIssue& issue : error.issues()) {
            check(!issue.message.empty(), "a config issue without a message");
            check(issue.mark.file == kFileName, "a config issue that does not name the file");
        }
        // The value written in the file itself may be quoted back; one taken from a
        // credential-named variable must not.
        if (!contains(text, kPlexToken)) check(!contains(message, kPlexToken), "a config error shows $PLEX_TOKEN");
        if (!contains(text, kApiKey)) check(!contains(message, kApiKey), "a config error shows $GOOGLE_API_KEY");
    }
    pmx::clear_secrets_for_testing();
    return 0;
}
