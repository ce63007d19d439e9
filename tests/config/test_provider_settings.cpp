// resolve_provider_settings: a plugin's declared settings against a provider's config.
#include <catch2/catch.hpp>

#include "config/provider_settings.hpp"
#include "support.hpp"
#include "util/redact.hpp"

using namespace pmx;
using namespace pmx::test;

namespace {

SettingSpec spec(std::string key, pmx_setting_type type, bool required = false, bool secret = false,
                 std::optional<std::string> default_value = std::nullopt, std::string description = {}) {
    return SettingSpec{std::move(key), type, required, secret, std::move(default_value), std::move(description)};
}

// The settings a Plex-like plugin declares.
std::vector<SettingSpec> plex_specs() {
    return {
        spec("url", PMX_SETTING_URL, true, false, std::nullopt, "server address"),
        spec("token", PMX_SETTING_STRING, true, true, std::nullopt, "X-Plex-Token"),
        spec("library", PMX_SETTING_STRING, false, false, std::string("Music")),
        spec("page_size", PMX_SETTING_INT, false, false, std::string("200")),
        spec("verify_tls", PMX_SETTING_BOOL, false, false, std::string("yes")),
        spec("scan_timeout", PMX_SETTING_DURATION, false, false, std::string("2m")),
        spec("client_name", PMX_SETTING_STRING),  // no default, not required
    };
}

ProviderConfig load_provider(const TempDir& dir, const std::string& body) {
    ScopedEnv data("PLEXMIX_DATA_DIR", (dir / "data").string());
    const auto file = dir / "plexmix.yaml";
    write_file(file, "providers:\n  home:\n" + body);
    return load_config(file).providers.at(0);
}

std::string at(const TempDir& dir, int line, int column) {
    return (dir / "plexmix.yaml").string() + ":" + std::to_string(line) + ":" + std::to_string(column);
}

}  // namespace

TEST_CASE("settings are normalised by type and defaults are applied", "[config][settings]") {
    clear_secrets_for_testing();
    TempDir dir;
    const ProviderConfig provider = load_provider(dir,
                                                  "    plugin: plex\n"
                                                  "    url: http://192.168.1.10:32400/\n"
                                                  "    token: tok-abcdef-123456\n"
                                                  "    verify_tls: off\n"
                                                  "    scan_timeout: 90s\n"
                                                  "    timeout: 10s\n");
    const ResolvedSettings resolved = resolve_provider_settings(provider, plex_specs());
    const ResolvedSettings expected{
        {"url", "http://192.168.1.10:32400"}, {"token", "tok-abcdef-123456"}, {"library", "Music"},
        {"page_size", "200"},                 {"verify_tls", "false"},        {"scan_timeout", "90000"},
    };
    CHECK(resolved == expected);
    // The declared secret is now masked everywhere.
    CHECK(redact("token=tok-abcdef-123456 sent as tok-abcdef-123456") == "token=*** sent as ***");
    clear_secrets_for_testing();
}

TEST_CASE("defaults are normalised too", "[config][settings]") {
    TempDir dir;
    const ProviderConfig provider = load_provider(dir, "    plugin: plex\n    url: https://plex.example\n    token: t0k3n-value\n");
    const ResolvedSettings resolved = resolve_provider_settings(provider, plex_specs());
    REQUIRE(resolved.size() == 6);
    CHECK(resolved[4] == std::pair<std::string, std::string>{"verify_tls", "true"});
    CHECK(resolved[5] == std::pair<std::string, std::string>{"scan_timeout", "120000"});
}

TEST_CASE("unknown keys, missing required keys and bad values are reported together", "[config][settings][errors]") {
    TempDir dir;
    const ProviderConfig provider = load_provider(dir,
                                                  "    plugin: plex\n"
                                                  "    tokn: abc\n"
                                                  "    verify_tls: maybe\n"
                                                  "    page_size: lots\n"
                                                  "    scan_timeout: soon\n"
                                                  "    colour: blue\n");
    const auto issues = config_issues([&] { resolve_provider_settings(provider, plex_specs()); });
    REQUIRE(issues.size() == 7);
    CHECK(issues[0].to_string() == at(dir, 2, 3) + ": provider \"home\" (plugin plex) is missing required setting \"url\" (server address)");
    CHECK(issues[1].to_string() == at(dir, 2, 3) + ": provider \"home\" (plugin plex) is missing required setting \"token\" (X-Plex-Token)");
    CHECK(issues[2].to_string() == at(dir, 4, 5) + ": unknown setting \"tokn\" in provider \"home\" (plugin plex); did you mean \"token\"?");
    CHECK(issues[3].to_string() == at(dir, 5, 17) +
                                       ": setting \"verify_tls\" of provider \"home\" (plugin plex) must be true or false (or yes/no, "
                                       "on/off), got \"maybe\"");
    CHECK(issues[4].to_string() == at(dir, 6, 16) + ": setting \"page_size\" of provider \"home\" (plugin plex) must be a whole number, got \"lots\"");
    CHECK(issues[5].to_string() == at(dir, 7, 19) +
                                       ": setting \"scan_timeout\" of provider \"home\" (plugin plex) must be a duration such as 30s, "
                                       "500ms, 2m or 1h, got \"soon\"");
    CHECK(issues[6].to_string() == at(dir, 8, 5) +
                                       ": unknown setting \"colour\" in provider \"home\" (plugin plex) (the plugin's settings: url, token, "
                                       "library, page_size, verify_tls, scan_timeout, client_name)");
}

TEST_CASE("URLs must be http(s)", "[config][settings][errors]") {
    TempDir dir;
    const ProviderConfig provider = load_provider(dir, "    plugin: plex\n    url: ftp://nas\n    token: t0k3n-value\n");
    const auto issues = config_issues([&] { resolve_provider_settings(provider, plex_specs()); });
    REQUIRE(issues.size() == 1);
    CHECK(issues[0].to_string() == at(dir, 4, 10) +
                                       ": setting \"url\" of provider \"home\" (plugin plex) must be an http:// or https:// URL with a "
                                       "host, got \"ftp://nas\"");
}

TEST_CASE("a URL setting's password is registered, and a bad URL with user info is not quoted", "[config][settings][secret]") {
    TempDir dir;
    const ProviderConfig good = load_provider(dir, "    plugin: plex\n    url: 'http://plexuser:pw-6677@nas:32400/'\n    token: t0k3n-value\n");
    clear_secrets_for_testing();  // what the loader registered: resolving must register it by itself
    const ResolvedSettings resolved = resolve_provider_settings(good, plex_specs());
    CHECK(resolved[0] == std::pair<std::string, std::string>{"url", "http://plexuser:pw-6677@nas:32400"});
    CHECK(redact("echoed pw-6677") == "echoed ***");

    // Without a scheme the value is no URL and is quoted in the error: never with its password.
    const ProviderConfig bad = load_provider(dir, "    plugin: plex\n    url: 'plexuser:pw-8899@nas:32400'\n    token: t0k3n-value\n");
    clear_secrets_for_testing();
    const std::string text = config_error_text([&] { resolve_provider_settings(bad, plex_specs()); });
    CHECK(text.find("must be an http:// or https:// URL") != std::string::npos);
    CHECK(text.find("pw-8899") == std::string::npos);
    clear_secrets_for_testing();
}

TEST_CASE("an empty value is absent: defaults apply, required keys fail", "[config][settings]") {
    TempDir dir;
    ScopedEnv empty("PMX_TEST_EMPTY_TOKEN", std::string());
    const ProviderConfig provider = load_provider(dir,
                                                  "    plugin: plex\n"
                                                  "    url: http://nas:32400\n"
                                                  "    token: ${PMX_TEST_EMPTY_TOKEN}\n"
                                                  "    page_size: \"\"\n");
    const auto issues = config_issues([&] { resolve_provider_settings(provider, plex_specs()); });
    REQUIRE(issues.size() == 1);
    CHECK(issues[0].to_string() == at(dir, 5, 12) + ": required setting \"token\" of provider \"home\" (plugin plex) is empty (X-Plex-Token)");

    const ProviderConfig fixed = load_provider(dir, "    plugin: plex\n    url: http://nas:32400\n    token: t0k3n-value\n    page_size: \"\"\n");
    const ResolvedSettings resolved = resolve_provider_settings(fixed, plex_specs());
    CHECK(resolved[3] == std::pair<std::string, std::string>{"page_size", "200"});
}

TEST_CASE("a secret value of the wrong type is never quoted", "[config][settings][secret]") {
    clear_secrets_for_testing();
    TempDir dir;
    const std::vector<SettingSpec> specs{spec("pin", PMX_SETTING_INT, true, true)};
    ScopedEnv pin("PMX_TEST_PIN", std::string("not-a-number-secret"));
    const ProviderConfig provider = load_provider(dir, "    plugin: locker\n    pin: ${PMX_TEST_PIN}\n");
    const std::string text = config_error_text([&] { resolve_provider_settings(provider, specs); });
    CHECK(text == at(dir, 4, 10) +
                      ": setting \"pin\" of provider \"home\" (plugin locker) must be a whole number (the value is secret and not shown)");
    CHECK(text.find("not-a-number-secret") == std::string::npos);
    clear_secrets_for_testing();
}

TEST_CASE("a plugin without settings rejects every key", "[config][settings][errors]") {
    TempDir dir;
    const ProviderConfig provider = load_provider(dir, "    plugin: local-st\n    model: small\n");
    const auto issues = config_issues([&] { resolve_provider_settings(provider, {}); });
    REQUIRE(issues.size() == 1);
    CHECK(issues[0].to_string() == at(dir, 4, 5) + ": unknown setting \"model\" in provider \"home\" (plugin local-st) (the plugin takes no settings)");
}
