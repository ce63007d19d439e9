// `config show`: the effective config as YAML, secrets masked by every rule, reloadable.
#include <catch2/catch.hpp>

#include "config/render.hpp"
#include "support.hpp"
#include "util/redact.hpp"

using namespace pmx;
using namespace pmx::test;

namespace {

std::size_t count(const std::string& text, std::string_view needle) {
    std::size_t n = 0;
    for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + needle.size())) ++n;
    return n;
}

const char* const kConfig =
    "providers:\n"
    "  home: { plugin: plex, url: http://nas:32400, pin_code: 4455-9911-pin, library: Music }\n"
    "  gemini: { plugin: gemini, api_key: AIzaSyLiteral0042, model: gemini-2.5-flash, timeout: 60s,\n"
    "            mirror: ${PMX_TEST_SERVICE_TOKEN}, region: ${PMX_TEST_REGION} }\n"
    "use: { media: home, completer: gemini }\n"
    "pipelines:\n"
    "  generate: [parse, filter, { retrieve: { depth: 50 } }]\n";

}  // namespace

TEST_CASE("render_config masks secrets by plugin declaration, key name and env var name", "[config][render][secret]") {
    TempDir dir;
    ScopedEnv data("PLEXMIX_DATA_DIR", (dir / "data").string());
    ScopedEnv token("PMX_TEST_SERVICE_TOKEN", std::string("svc-token-from-env-31"));
    ScopedEnv region("PMX_TEST_REGION", std::string("europe-west4"));
    const auto file = dir / "plexmix.yaml";
    write_file(file, kConfig);
    const Config config = load_config(file);
    clear_secrets_for_testing();  // prove that render's own rules mask, not earlier registration

    const SecretLookup plugin_says = [](const ProviderConfig& p, std::string_view key) {
        return p.plugin == "plex" && key == "pin_code";
    };
    const std::string text = render_config(config, plugin_says);

    CHECK(text.find("4455-9911-pin") == std::string::npos);           // declared secret by the plugin
    CHECK(text.find("AIzaSyLiteral0042") == std::string::npos);       // key looks like a credential
    CHECK(text.find("svc-token-from-env-31") == std::string::npos);   // from a credential-like variable
    CHECK(count(text, "\"***\"") == 3);
    CHECK(text.find("region: europe-west4  # from $PMX_TEST_REGION") != std::string::npos);
    CHECK(text.find("url: http://nas:32400") != std::string::npos);
    CHECK(text.find("data_dir: " + (dir / "data").string()) != std::string::npos);
    // Effective policy: defaults filled in, the file's value kept.
    CHECK(text.find("    timeout: 1m\n") != std::string::npos);  // gemini's 60s
    CHECK(text.find("    timeout: 30s\n") != std::string::npos);  // home's default
    CHECK(text.find("deadline: 2m") != std::string::npos);
    CHECK(text.find("connect_timeout: 10s") != std::string::npos);
    CHECK(text.find("media: [home]") != std::string::npos);
}

TEST_CASE("config show and redaction mask a credential variable's value in data_dir", "[config][render][secret]") {
    // Found by fuzzing (tests/fuzz/corpus/config/regress-data_dir_from_token): only provider
    // settings were masked by the variable they came from, so a token written into data_dir
    // (a mistake, but one the loader accepts) was printed by `config show`.
    TempDir dir;
    ScopedEnv data("PLEXMIX_DATA_DIR", std::nullopt);
    ScopedEnv token("PMX_TEST_SERVICE_TOKEN", std::string("svc-token-from-env-31"));
    const auto file = dir / "plexmix.yaml";
    write_file(file, "data_dir: ./${PMX_TEST_SERVICE_TOKEN}/mirror\n");
    clear_secrets_for_testing();
    const Config config = load_config(file);
    REQUIRE(config.data_dir == dir / "svc-token-from-env-31" / "mirror");

    const std::string text = render_config(config, {});
    CHECK(text.find("svc-token-from-env-31") == std::string::npos);
    CHECK(text.find("data_dir: " + (dir / "***" / "mirror").string() + "\n") != std::string::npos);
    // Whatever else prints the data dir (a log line, an error) masks it too.
    CHECK(redact("cannot create " + config.data_dir.string()) ==
          "cannot create " + (dir / "***" / "mirror").string());
}

TEST_CASE("rendered config loads back to the same configuration", "[config][render]") {
    TempDir dir;
    ScopedEnv data("PLEXMIX_DATA_DIR", (dir / "data").string());
    ScopedEnv token("PMX_TEST_SERVICE_TOKEN", std::string("svc-token-from-env-31"));
    ScopedEnv region("PMX_TEST_REGION", std::string("europe-west4"));
    const auto file = dir / "plexmix.yaml";
    write_file(file, kConfig);
    const Config original = load_config(file);

    const std::string text = render_config(original, {});
    const auto rendered_file = dir / "rendered.yaml";
    write_file(rendered_file, text);
    const Config again = load_config(rendered_file);

    CHECK(again.data_dir == original.data_dir);
    CHECK(again.log.level == original.log.level);
    CHECK(again.log.file == original.log.file);
    REQUIRE(again.providers.size() == original.providers.size());
    for (std::size_t i = 0; i < original.providers.size(); ++i) {
        const ProviderConfig& a = original.providers[i];
        const ProviderConfig& b = again.providers[i];
        CHECK(a.name == b.name);
        CHECK(a.plugin == b.plugin);
        CHECK(a.policy.timeout == b.policy.timeout);
        CHECK(a.policy.connect_timeout == b.policy.connect_timeout);
        CHECK(a.policy.deadline == b.policy.deadline);
        CHECK(a.policy.retries == b.policy.retries);
        CHECK(a.policy.concurrency == b.policy.concurrency);
        CHECK(a.policy.rpm == b.policy.rpm);
        REQUIRE(a.settings.size() == b.settings.size());
        for (std::size_t j = 0; j < a.settings.size(); ++j) CHECK(a.settings[j].key == b.settings[j].key);
    }
    CHECK(again.find_provider("gemini")->find_setting("api_key")->value == "***");
    CHECK(again.find_provider("gemini")->find_setting("model")->value == "gemini-2.5-flash");
    REQUIRE(again.use.media.size() == 1);
    CHECK(again.use.media[0].name == "home");
    CHECK(again.use.completer->name == "gemini");
    CHECK_FALSE(again.use.embedder);
    const Pipeline* generate = again.find_pipeline("generate");
    REQUIRE(generate != nullptr);
    REQUIRE(generate->steps.size() == 3);
    CHECK(generate->steps[2].name == "retrieve");
    CHECK(generate->steps[2].find_option("depth")->value == "50");
}

TEST_CASE("render_config lists declared defaults the file leaves out", "[config][render]") {
    TempDir dir;
    ScopedEnv data("PLEXMIX_DATA_DIR", (dir / "data").string());
    const auto file = dir / "plexmix.yaml";
    write_file(file, "providers:\n  home: { plugin: plex, url: http://nas:32400 }\n");
    const Config config = load_config(file);
    const std::vector<SettingSpec> specs{
        SettingSpec{"url", PMX_SETTING_URL, true, false, std::nullopt, ""},
        SettingSpec{"page_size", PMX_SETTING_INT, false, false, std::string("200"), ""},
        SettingSpec{"shared_secret", PMX_SETTING_STRING, false, true, std::string("default-shared-1"), ""},
    };
    const std::string text =
        render_config(config, {}, [&](const ProviderConfig&) -> const std::vector<SettingSpec>* { return &specs; });
    CHECK(text.find("page_size: 200  # default") != std::string::npos);
    CHECK(text.find("shared_secret: \"***\"  # default") != std::string::npos);
    CHECK(text.find("default-shared-1") == std::string::npos);
}

TEST_CASE("render_config never shows the user info or token parameters of a URL", "[config][render][secret]") {
    TempDir dir;
    ScopedEnv data("PLEXMIX_DATA_DIR", (dir / "data").string());
    const auto file = dir / "plexmix.yaml";
    write_file(file,
               "providers:\n"
               "  home: { plugin: plex, url: 'http://plexuser:s3cretpass@127.0.0.1:32400' }\n"
               "  llm: { plugin: openai, base_url: 'https://proxy.example.org/v1?api_key=q-key-4411&x=1' }\n");
    const Config config = load_config(file);
    clear_secrets_for_testing();  // prove that render's own rules mask, not earlier registration
    const std::string text = render_config(config, {});
    CHECK(text.find("s3cretpass") == std::string::npos);
    CHECK(text.find("q-key-4411") == std::string::npos);
    CHECK(text.find("url: http://***@127.0.0.1:32400") != std::string::npos);
    CHECK(text.find("base_url: https://proxy.example.org/v1?api_key=***&x=1") != std::string::npos);
}

TEST_CASE("render_config prints every pipeline as it runs: the configured ones and the defaults of the others",
          "[config][render][pipelines]") {
    const Config config = load_config_from_string(
        "pipelines:\n  sync: [scan, { tag: { budget: 2.5 } }, embed]\n", "pipelines.yaml");
    const std::string text = render_config(config, {});
    CHECK_THAT(text, Catch::Contains("sync:\n") && Catch::Contains("budget: 2.5"));
    CHECK_THAT(text, Catch::Contains("tag: [tag, embed]  # default"));
    CHECK_THAT(text, Catch::Contains("generate: [parse, filter, retrieve, select, diversify, order, publish]  # default"));
}
