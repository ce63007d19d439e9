// Loading plexmix.yaml: shapes, types, ${VAR} substitution, positions and "did you mean".
#include <algorithm>
#include <string>

#include <catch2/catch.hpp>

#include "config/config.hpp"
#include "generate/pipeline.hpp"
#include "generate/pipeline_config.hpp"
#include "support.hpp"
#include "util/redact.hpp"

using namespace pmx;
using namespace pmx::test;
using std::chrono::milliseconds;

namespace {

// 1-based column of `needle` in `line` (what a reader of the file would count).
int col(std::string_view line, std::string_view needle) {
    const auto pos = line.find(needle);
    REQUIRE(pos != std::string_view::npos);
    return static_cast<int>(pos) + 1;
}

std::string mark(const std::filesystem::path& file, int line, int column) {
    return file.string() + ":" + std::to_string(line) + ":" + std::to_string(column);
}

// The example of ARCHITECTURE.md, line by line, so tests can compute expected columns.
const std::string kHomeLine =
    "  home:   { plugin: plex, url: http://192.168.1.10:32400/, token: ${PLEX_TOKEN}, library: Music }";
const std::string kExample =
    "data_dir: ~/plexmix-data\n"
    "providers:                                 # named instances of plugins\n" +
    kHomeLine + "\n" +
    "  local:  { plugin: local-st }\n"
    "  gemini: { plugin: gemini, api_key: ${GOOGLE_API_KEY}, model: gemini-2.5-flash,\n"
    "            timeout: 60s, retries: 4, concurrency: 4 }\n"
    "use: { media: [home], embedder: local, completer: gemini }\n"
    "pipelines:\n"
    "  generate: [parse, filter, retrieve, select, diversify, order, publish]\n";

// A clean environment for every test: no config or data dir overrides, HOME in `home`.
struct Env {
    explicit Env(const std::filesystem::path& home)
        : home_(std::string("HOME"), home.string()),
          data_(std::string("PLEXMIX_DATA_DIR"), std::nullopt),
          config_(std::string("PLEXMIX_CONFIG"), std::nullopt),
          xdg_config_(std::string("XDG_CONFIG_HOME"), std::nullopt),
          xdg_data_(std::string("XDG_DATA_HOME"), std::nullopt) {}
    ScopedEnv home_, data_, config_, xdg_config_, xdg_data_;
};

}  // namespace

TEST_CASE("the architecture example loads with every field in place", "[config][load]") {
    TempDir dir;
    Env env(dir.path());
    ScopedEnv token("PLEX_TOKEN", std::string("plex-token-1234"));
    ScopedEnv key("GOOGLE_API_KEY", std::string("AIzaSyExampleKey987"));
    const auto file = dir / "plexmix.yaml";
    write_file(file, kExample);

    const Config config = load_config(file);

    CHECK(config.source == file);
    CHECK(config.data_dir == dir.path() / "plexmix-data");
    CHECK(config.log.level == LogLevel::info);
    CHECK(config.log.file);
    REQUIRE(config.providers.size() == 3);

    const ProviderConfig& home = config.providers[0];
    CHECK(home.name == "home");
    CHECK(home.plugin == "plex");
    CHECK(home.mark.to_string() == mark(file, 3, 3));
    REQUIRE(home.settings.size() == 3);
    CHECK(home.settings[0].key == "url");
    CHECK(home.settings[0].value == "http://192.168.1.10:32400/");  // normalised later, by type
    CHECK_FALSE(home.settings[0].from_env_var);
    CHECK(home.settings[1].key == "token");
    CHECK(home.settings[1].value == "plex-token-1234");
    CHECK(home.settings[1].from_env_var);
    CHECK(home.settings[1].env_vars == std::vector<std::string>{"PLEX_TOKEN"});
    CHECK(home.settings[1].key_mark.to_string() == mark(file, 3, col(kHomeLine, "token")));
    CHECK(home.settings[1].value_mark.to_string() == mark(file, 3, col(kHomeLine, "${PLEX_TOKEN}")));
    CHECK(home.settings[2].key == "library");
    CHECK(home.settings[2].value == "Music");
    CHECK(home.policy.timeout == CallPolicy{}.timeout);
    CHECK(home.policy.retries == CallPolicy{}.retries);

    const ProviderConfig* local = config.find_provider("local");
    REQUIRE(local != nullptr);
    CHECK(local->plugin == "local-st");
    CHECK(local->settings.empty());

    const ProviderConfig* gemini = config.find_provider("gemini");
    REQUIRE(gemini != nullptr);
    CHECK(gemini->policy.timeout == milliseconds(60'000));
    CHECK(gemini->policy.retries == 4);
    CHECK(gemini->policy.concurrency == 4);
    CHECK(gemini->policy.rpm == 0);
    CHECK(gemini->policy.deadline == CallPolicy{}.deadline);
    REQUIRE(gemini->settings.size() == 2);
    CHECK(gemini->settings[0].key == "api_key");
    CHECK(gemini->settings[0].value == "AIzaSyExampleKey987");
    CHECK(gemini->settings[1].key == "model");
    CHECK(gemini->settings[1].value == "gemini-2.5-flash");
    CHECK(gemini->find_setting("timeout") == nullptr);  // host-owned keys never reach the plugin

    REQUIRE(config.use.media.size() == 1);
    CHECK(config.use.media[0].name == "home");
    CHECK(config.use.media[0].mark.to_string() == mark(file, 7, 16));
    REQUIRE(config.use.embedder);
    CHECK(config.use.embedder->name == "local");
    REQUIRE(config.use.completer);
    CHECK(config.use.completer->name == "gemini");

    const Pipeline* generate = config.find_pipeline("generate");
    REQUIRE(generate != nullptr);
    std::vector<std::string> steps;
    for (const auto& step : generate->steps) steps.push_back(step.name);
    CHECK(steps == std::vector<std::string>{"parse", "filter", "retrieve", "select", "diversify", "order", "publish"});
}

TEST_CASE("credential-like values are registered for redaction as soon as they are loaded", "[config][load][secret]") {
    clear_secrets_for_testing();
    TempDir dir;
    Env env(dir.path());
    ScopedEnv token("MY_PLEX_TOKEN", std::string("from-env-credential-77"));
    const auto file = dir / "plexmix.yaml";
    write_file(file,
               "providers:\n"
               "  a: { plugin: x, api_key: literal-key-5555, mirror: ${MY_PLEX_TOKEN}, library: Jazzy }\n");
    load_config(file);
    CHECK(redact("sent literal-key-5555 and from-env-credential-77 for Jazzy") == "sent *** and *** for Jazzy");
    clear_secrets_for_testing();
}

TEST_CASE("the password in a URL setting is registered for redaction as soon as it is loaded", "[config][load][secret]") {
    clear_secrets_for_testing();
    TempDir dir;
    Env env(dir.path());
    const auto file = dir / "plexmix.yaml";
    write_file(file,
               "providers:\n"
               "  a: { plugin: x, url: 'http://plexuser:s3cret%21pass@127.0.0.1:32400', mirror: 'https://h/?token=tk-6655' }\n");
    load_config(file);
    // A plugin that echoes the password outside a URL, even decoded, is masked too; the user
    // name is an ordinary word and stays readable.
    CHECK(redact("login plexuser / s3cret%21pass / s3cret!pass / tk-6655") == "login plexuser / *** / *** / ***");
    clear_secrets_for_testing();
}

TEST_CASE("an empty file is a valid config without providers", "[config][load]") {
    TempDir dir;
    Env env(dir.path());
    const auto file = dir / "plexmix.yaml";
    write_file(file, "# nothing yet\n");
    const Config config = load_config(file);
    CHECK(config.providers.empty());
    CHECK(config.use.media.empty());
    CHECK(config.data_dir == dir.path() / ".local/share/plexmix");
}

TEST_CASE("bad YAML syntax is reported at its file:line:col", "[config][load][errors]") {
    TempDir dir;
    Env env(dir.path());
    const auto file = dir / "plexmix.yaml";

    write_file(file, "providers:\n  home: { plugin: plex\nuse: {}\n");
    // yaml-cpp notices the unclosed flow map at the ':' of the next line (0-based 2:3).
    CHECK(config_error_text([&] { load_config(file); }) == mark(file, 3, 4) + ": end of map flow not found");

    write_file(file, "a: 1\n  b: [2\n");
    CHECK(config_error_text([&] { load_config(file); }) == mark(file, 2, 4) + ": illegal map value");
}

TEST_CASE("an unknown key is reported at its position with a suggestion", "[config][load][errors]") {
    TempDir dir;
    Env env(dir.path());
    const auto file = dir / "plexmix.yaml";

    write_file(file, "provders:\n  home: { plugin: plex }\n");
    CHECK(config_error_text([&] { load_config(file); }) ==
          mark(file, 1, 1) + ": unknown key \"provders\" at the top level; did you mean \"providers\"?");

    write_file(file,
               "providers: { a: { plugin: x } }\n"
               "use: { media: a, embeder: a }\n"
               "log: { levl: debug }\n");
    const auto issues = config_issues([&] { load_config(file); });
    REQUIRE(issues.size() == 2);
    CHECK(issues[0].to_string() == mark(file, 2, 18) + ": unknown key \"embeder\" in use; did you mean \"embedder\"?");
    CHECK(issues[1].to_string() == mark(file, 3, 8) + ": unknown key \"levl\" in log; did you mean \"level\"?");

    write_file(file, "zzz: 1\n");
    CHECK(config_error_text([&] { load_config(file); }) ==
          mark(file, 1, 1) + ": unknown key \"zzz\" at the top level (known keys: data_dir, log, providers, use, pipelines)");
}

TEST_CASE("a missing environment variable is reported at the scalar, naming it", "[config][load][env]") {
    TempDir dir;
    Env env(dir.path());
    ScopedEnv unset("PLEX_TOKEN", std::nullopt);
    ScopedEnv key("GOOGLE_API_KEY", std::string("AIzaSyExampleKey987"));
    const auto file = dir / "plexmix.yaml";
    write_file(file, kExample);

    const auto issues = config_issues([&] { load_config(file); });
    REQUIRE(issues.size() == 1);
    CHECK(issues[0].mark.to_string() == mark(file, 3, col(kHomeLine, "${PLEX_TOKEN}")));
    CHECK(issues[0].message == "environment variable PLEX_TOKEN is not set (in \"token\" of provider \"home\")");
}

TEST_CASE("${VAR:-default}, $$ and ${VAR} inside longer values", "[config][load][env]") {
    TempDir dir;
    Env env(dir.path());
    ScopedEnv unset("PMX_TEST_UNSET", std::nullopt);
    ScopedEnv empty("PMX_TEST_EMPTY", std::string());
    ScopedEnv host("PMX_TEST_HOST", std::string("nas.local"));
    const auto file = dir / "plexmix.yaml";
    write_file(file,
               "providers:\n"
               "  p: { plugin: x, a: ${PMX_TEST_UNSET:-fallback}, b: \"${PMX_TEST_EMPTY:-was empty}\",\n"
               "       c: http://${PMX_TEST_HOST}:32400/x, d: price $$5, e: $${NOT_A_VAR}, f: '${PMX_TEST_EMPTY}' }\n");
    const Config config = load_config(file);
    const ProviderConfig& p = config.providers.at(0);
    CHECK(p.find_setting("a")->value == "fallback");
    CHECK_FALSE(p.find_setting("a")->from_env_var);
    CHECK(p.find_setting("b")->value == "was empty");
    CHECK(p.find_setting("c")->value == "http://nas.local:32400/x");
    CHECK(p.find_setting("c")->env_vars == std::vector<std::string>{"PMX_TEST_HOST"});
    CHECK(p.find_setting("d")->value == "price $5");
    CHECK(p.find_setting("e")->value == "${NOT_A_VAR}");
    CHECK(p.find_setting("f")->value.empty());
    CHECK(p.find_setting("f")->from_env_var);
}

TEST_CASE("host-owned provider keys are type-checked, all problems at once", "[config][load][errors]") {
    TempDir dir;
    Env env(dir.path());
    const auto file = dir / "plexmix.yaml";
    write_file(file,
               "providers:\n"
               "  g:\n"
               "    plugin: gemini\n"
               "    retries: many\n"
               "    timeout: soon\n"
               "    concurrency: 0\n"
               "    deadline: 2m\n"
               "    rpm: -1\n");
    const auto issues = config_issues([&] { load_config(file); });
    REQUIRE(issues.size() == 4);
    CHECK(issues[0].to_string() == mark(file, 4, 14) + ": \"retries\" of provider \"g\" must be a whole number of at least 0, got \"many\"");
    CHECK(issues[1].to_string() == mark(file, 5, 14) +
                                       ": \"timeout\" of provider \"g\" must be a duration greater than zero such as 30s, "
                                       "500ms, 2m or 1h, got \"soon\"");
    CHECK(issues[2].to_string() == mark(file, 6, 18) + ": \"concurrency\" of provider \"g\" must be a whole number of at least 1, got \"0\"");
    CHECK(issues[3].to_string() == mark(file, 8, 10) + ": \"rpm\" of provider \"g\" must be a whole number of at least 0, got \"-1\"");
}

TEST_CASE("durations and limits reach the call policy", "[config][load]") {
    TempDir dir;
    Env env(dir.path());
    const auto file = dir / "plexmix.yaml";
    write_file(file,
               "providers:\n"
               "  g: { plugin: gemini, timeout: 500ms, connect_timeout: 2, deadline: 1h, retries: 0,\n"
               "       concurrency: 1, rpm: 60 }\n");
    const Config config = load_config(file);
    const CallPolicy& policy = config.providers.at(0).policy;
    CHECK(policy.timeout == milliseconds(500));
    CHECK(policy.connect_timeout == milliseconds(2'000));
    CHECK(policy.deadline == milliseconds(3'600'000));
    CHECK(policy.retries == 0);
    CHECK(policy.concurrency == 1);
    CHECK(policy.rpm == 60);
}

TEST_CASE("use: must name configured providers", "[config][load][errors]") {
    TempDir dir;
    Env env(dir.path());
    const auto file = dir / "plexmix.yaml";
    write_file(file,
               "providers: { home: { plugin: plex }, local: { plugin: local-st } }\n"
               "use: { media: [home, hmoe], embedder: nothing, completer: local }\n");
    const auto issues = config_issues([&] { load_config(file); });
    REQUIRE(issues.size() == 2);
    CHECK(issues[0].to_string() == mark(file, 2, 22) + ": use.media names provider \"hmoe\", which is not configured; did you mean \"home\"?");
    CHECK(issues[1].to_string() == mark(file, 2, 39) +
                                       ": use.embedder names provider \"nothing\", which is not configured (configured providers: home, local)");
}

TEST_CASE("use.media may be a single name", "[config][load]") {
    TempDir dir;
    Env env(dir.path());
    const auto file = dir / "plexmix.yaml";
    write_file(file, "providers: { home: { plugin: plex } }\nuse: { media: home }\n");
    const Config config = load_config(file);
    REQUIRE(config.use.media.size() == 1);
    CHECK(config.use.media[0].name == "home");
    CHECK_FALSE(config.use.embedder);
}

TEST_CASE("provider shape: plugin required and well-formed, keys unique", "[config][load][errors]") {
    TempDir dir;
    Env env(dir.path());
    const auto file = dir / "plexmix.yaml";
    write_file(file,
               "providers:\n"
               "  a: { url: http://x }\n"
               "  b: { plugin: Bad_Plugin }\n"
               "  c: just-text\n"
               "  d: { plugin: x, model: m1, model: m2 }\n");
    const auto issues = config_issues([&] { load_config(file); });
    REQUIRE(issues.size() == 4);
    CHECK(issues[0].to_string() == mark(file, 2, 3) + ": provider \"a\" has no plugin: key (which plugin runs it, e.g. plugin: plex)");
    CHECK(issues[1].to_string() == mark(file, 3, 16) +
                                       ": \"plugin\" of provider \"b\" must be a plugin id of lower-case letters, digits and '-', got \"Bad_Plugin\"");
    CHECK(issues[2].to_string() == mark(file, 4, 6) + ": provider \"c\" must be a mapping with at least plugin:, e.g. { plugin: plex }");
    CHECK(issues[3].to_string() == mark(file, 5, 30) + ": duplicate key \"model\" in provider \"d\"");
}

TEST_CASE("several kinds of problems are reported together, in file order", "[config][load][errors]") {
    TempDir dir;
    Env env(dir.path());
    ScopedEnv unset("PMX_TEST_MISSING", std::nullopt);
    const auto file = dir / "plexmix.yaml";
    write_file(file,
               "use: { media: [ghost] }\n"
               "colour: blue\n"
               "providers:\n"
               "  p: { plugin: x, retries: lots, token: ${PMX_TEST_MISSING} }\n"
               "log: { level: loud }\n");
    const std::string text = config_error_text([&] { load_config(file); });
    const std::string expected =
        mark(file, 1, 16) + ": use.media names provider \"ghost\", which is not configured (configured providers: p)\n" +
        mark(file, 2, 1) + ": unknown key \"colour\" at the top level (known keys: data_dir, log, providers, use, pipelines)\n" +
        mark(file, 4, 28) + ": \"retries\" of provider \"p\" must be a whole number of at least 0, got \"lots\"\n" +
        mark(file, 4, 41) + ": environment variable PMX_TEST_MISSING is not set (in \"token\" of provider \"p\")\n" +
        mark(file, 5, 15) + ": log.level must be trace, debug, info, warn or error, got \"loud\"";
    CHECK(text == expected);
}

TEST_CASE("log: level and file", "[config][load]") {
    TempDir dir;
    Env env(dir.path());
    const auto file = dir / "plexmix.yaml";
    write_file(file, "log: { level: DEBUG, file: off }\n");
    const Config config = load_config(file);
    CHECK(config.log.level == LogLevel::debug);
    CHECK_FALSE(config.log.file);

    const LoggingOptions quiet = logging_options(config, -1);
    CHECK(quiet.level == LogLevel::debug);
    CHECK(quiet.verbosity == -1);
    CHECK_FALSE(quiet.file);

    write_file(file, "data_dir: /srv/pmx\nlog: { level: warn }\n");
    const LoggingOptions options = logging_options(load_config(file), 1);
    REQUIRE(options.file);
    CHECK(*options.file == std::filesystem::path("/srv/pmx/plexmix.log"));
}

TEST_CASE("console level follows -v and -q", "[config][log]") {
    CHECK(console_level(LogLevel::info, 0) == LogLevel::info);
    CHECK(console_level(LogLevel::info, 1) == LogLevel::debug);
    CHECK(console_level(LogLevel::info, 2) == LogLevel::trace);
    CHECK(console_level(LogLevel::info, 5) == LogLevel::trace);
    CHECK(console_level(LogLevel::info, -1) == LogLevel::error);
    CHECK(console_level(LogLevel::warn, 1) == LogLevel::info);
}

TEST_CASE("pipelines: names with options, shape checked", "[config][load]") {
    TempDir dir;
    Env env(dir.path());
    ScopedEnv limit("PMX_TEST_LIMIT", std::string("75"));
    const auto file = dir / "plexmix.yaml";
    write_file(file,
               "pipelines:\n"
               "  generate:\n"
               "    - filter\n"
               "    - retrieve: { depth: ${PMX_TEST_LIMIT}, seed: 4 }\n"
               "    - order:\n");
    const Config config = load_config(file);
    const Pipeline* generate = config.find_pipeline("generate");
    REQUIRE(generate != nullptr);
    REQUIRE(generate->steps.size() == 3);
    CHECK(generate->steps[0].name == "filter");
    CHECK(generate->steps[1].name == "retrieve");
    REQUIRE(generate->steps[1].options.size() == 2);
    CHECK(generate->steps[1].find_option("depth")->value == "75");
    CHECK(generate->steps[1].find_option("seed")->value == "4");
    CHECK(generate->steps[1].mark.to_string() == mark(file, 4, 7));
    CHECK(generate->steps[2].name == "order");
    CHECK(generate->steps[2].options.empty());

    write_file(file,
               "pipelines:\n"
               "  generate: [parse, filter, [nested], { a: 1, b: 2 }]\n"
               "  sync: scan\n");
    const auto issues = config_issues([&] { load_config(file); });
    REQUIRE(issues.size() == 3);
    CHECK(issues[0].to_string() == mark(file, 2, 29) + ": a step of pipeline \"generate\" must be a name or { name: { option: value } }");
    CHECK(issues[1].to_string() == mark(file, 2, 39) + ": a step of pipeline \"generate\" must be a name or { name: { option: value } }");
    CHECK(issues[2].to_string() == mark(file, 3, 9) + ": pipeline \"sync\" must be a list of steps, e.g. [scan, embed]");
}

TEST_CASE("pipelines: unknown names, steps and options are errors at FILE:LINE:COL, all at once", "[config][load][pipelines]") {
    TempDir dir;
    Env env(dir.path());
    const auto file = dir / "plexmix.yaml";
    write_file(file,
               "pipelines:\n"
               "  genrate: [parse, filter]\n"
               "  sync: [scan, embedd]\n"
               "  generate:\n"
               "    - parse\n"
               "    - filter: { strict: yes }\n"
               "    - retrieve: { depth: 0 }\n"
               "    - publsh\n"
               "  playlists: [parse]\n");
    const auto issues = config_issues([&] { load_config(file); });
    std::vector<std::string> lines;
    for (const auto& issue : issues) lines.push_back(issue.to_string());
    CHECK(lines == std::vector<std::string>{
                       mark(file, 2, 3) + ": unknown pipeline \"genrate\" in pipelines; did you mean \"generate\"?",
                       mark(file, 3, 16) + ": unknown step \"embedd\" in pipeline sync; did you mean \"embed\"? (steps: scan, tag, embed)",
                       mark(file, 6, 17) + ": unknown option \"strict\" of step filter in pipeline generate (it takes no options)",
                       mark(file, 7, 19) + ": retrieve.depth: \"0\" is not a number of tracks from 1 to 100000",
                       mark(file, 8, 7) + ": unknown step \"publsh\" in pipeline generate; did you mean \"publish\"? "
                                          "(steps: parse, filter, retrieve, select, diversify, order, publish)",
                       mark(file, 9, 3) + ": unknown pipeline \"playlists\" in pipelines (pipelines: sync, tag, generate)"});
}

TEST_CASE("pipelines: sync and tag take the steps the architecture names, in order, tag with a budget",
          "[config][load][pipelines]") {
    TempDir dir;
    Env env(dir.path());
    const auto file = dir / "plexmix.yaml";
    write_file(file, "pipelines:\n  sync: [scan, embed]\n  generate: [parse, filter, retrieve]\n");
    CHECK(load_config(file).find_pipeline("sync")->steps.size() == 2);
    write_file(file, "pipelines:\n  sync: [scan]\n");
    CHECK(load_config(file).find_pipeline("sync")->steps.size() == 1);
    write_file(file, "pipelines:\n  sync: [scan, { tag: { budget: 2.50 } }, embed]\n  tag: [tag]\n");
    const Config tagging = load_config(file);
    CHECK(gen::sync_tags(tagging));
    CHECK(gen::tag_budget(tagging, "sync") == 2.5);
    CHECK_FALSE(gen::tag_embeds(tagging));  // tag: [tag] leaves embedding to the next sync

    write_file(file,
               "pipelines:\n"
               "  sync: [embed, scan, { embed: { batch: 5 } }]\n"
               "  tag: [{ tag: { budget: cheap, limit: 5 } }]\n"
               "  generate: [parse, { retrieve: { depth: 50 } }]\n");
    auto issues = config_issues([&] { load_config(file); });
    std::vector<std::string> lines;
    for (const auto& issue : issues) lines.push_back(issue.to_string());
    CHECK(lines == std::vector<std::string>{
                       mark(file, 2, 17) + ": step \"scan\" must come before \"embed\" (order: scan, tag, embed)",
                       mark(file, 2, 25) + ": step \"embed\" appears twice in pipeline sync (first at " + mark(file, 2, 10) + ")",
                       mark(file, 3, 18) + ": option budget of step tag in pipeline tag must be US dollars such as 2.50, "
                                           "got \"cheap\"",
                       mark(file, 3, 33) + ": unknown option \"limit\" of step tag in pipeline tag (options: budget)",
                       mark(file, 4, 3) + ": pipeline generate has no step \"filter\": without it the filters of the "
                                          "prompt and of the command line (--genre, --year, --artist, ...) would be "
                                          "ignored; add it after parse"});

    write_file(file, "pipelines:\n  sync: [scan, embed, tag]\n  generate: []\n  tag: []\n");
    issues = config_issues([&] { load_config(file); });
    lines.clear();
    for (const auto& issue : issues) lines.push_back(issue.to_string());
    CHECK(lines == std::vector<std::string>{
                       mark(file, 2, 23) + ": step \"tag\" must come before \"embed\" (order: scan, tag, embed)",
                       mark(file, 3, 3) + ": pipeline generate has no steps; remove it to use the built-in default",
                       mark(file, 4, 3) + ": pipeline tag has no steps; remove it to use the built-in default"});

    write_file(file, "pipelines:\n  sync: [embed]\n  tag: [tags]\n");
    issues = config_issues([&] { load_config(file); });
    REQUIRE(issues.size() == 2);
    CHECK(issues[0].to_string() == mark(file, 2, 3) + ": pipeline sync has no step \"scan\", which reads the servers");
    CHECK(issues[1].to_string() ==
          mark(file, 3, 9) + ": unknown step \"tags\" in pipeline tag; did you mean \"tag\"? (steps: tag, embed)");
}

TEST_CASE("pipelines: the select step takes llm true or false, and nothing else", "[config][load][pipelines]") {
    TempDir dir;
    Env env(dir.path());
    const auto file = dir / "plexmix.yaml";
    write_file(file, "pipelines:\n  generate: [parse, filter, retrieve, { select: { llm: no } }, order]\n");
    CHECK_FALSE(gen::generate_pipeline(load_config(file)).find(gen::StepKind::select)->llm);
    write_file(file, "pipelines:\n  generate: [parse, filter, retrieve, { select: { llm: true } }, order]\n");
    CHECK(gen::generate_pipeline(load_config(file)).find(gen::StepKind::select)->llm);

    write_file(file,
               "pipelines:\n"
               "  generate:\n"
               "    - parse\n"
               "    - filter\n"
               "    - select: { llm: maybe, limit: 50 }\n");
    const auto issues = config_issues([&] { load_config(file); });
    std::vector<std::string> lines;
    for (const auto& issue : issues) lines.push_back(issue.to_string());
    CHECK(lines == std::vector<std::string>{
                       mark(file, 5, 17) + ": select.llm: \"maybe\" is not true or false (whether the completer "
                                           "chooses among the candidates)",
                       mark(file, 5, 29) + ": unknown option \"limit\" of step select in pipeline generate (options: llm)"});
}

TEST_CASE("a missing config file says where it looked and how to write one", "[config][load][errors]") {
    TempDir dir;
    const auto file = dir / "nowhere" / "plexmix.yaml";
    const std::string text = config_error_text([&] { load_config(file); });
    CHECK(text == file.string() +
                      ": no config file here; write one (the README's \"Configuration\" shows one) or point "
                      "--config or $PLEXMIX_CONFIG at an existing file; 'plexmix demo' needs none");
}

TEST_CASE("config path: --config, then $PLEXMIX_CONFIG, then XDG, then ~/.config", "[config][paths]") {
    TempDir dir;
    Env env(dir.path());
    CHECK(resolve_config_path(std::nullopt) == dir.path() / ".config/plexmix/plexmix.yaml");
    {
        ScopedEnv xdg("XDG_CONFIG_HOME", (dir / "xdg").string());
        CHECK(resolve_config_path(std::nullopt) == dir.path() / "xdg/plexmix/plexmix.yaml");
        ScopedEnv relative_xdg("XDG_CONFIG_HOME", std::string("relative/ignored"));
        CHECK(resolve_config_path(std::nullopt) == dir.path() / ".config/plexmix/plexmix.yaml");
    }
    ScopedEnv xdg("XDG_CONFIG_HOME", (dir / "xdg").string());
    ScopedEnv config("PLEXMIX_CONFIG", std::string("~/from-env.yaml"));
    CHECK(resolve_config_path(std::nullopt) == dir.path() / "from-env.yaml");
    CHECK(resolve_config_path(std::string("/etc/flag.yaml")) == std::filesystem::path("/etc/flag.yaml"));
}

TEST_CASE("data dir: $PLEXMIX_DATA_DIR, then data_dir:, then XDG, then ~/.local/share", "[config][paths]") {
    TempDir dir;
    Env env(dir.path());
    const auto file = dir / "plexmix.yaml";

    write_file(file, "data_dir: relative/data\n");
    CHECK(load_config(file).data_dir == dir.path() / "relative/data");  // relative to the file
    write_file(file, "data_dir: ~/\n");
    CHECK(load_config(file).data_dir == dir.path());
    write_file(file, "data_dir: ~\n");  // a lone ~ is YAML's null
    CHECK(config_error_text([&] { load_config(file); }) == mark(file, 1, 11) + ": data_dir has no value");

    write_file(file, "providers: {}\n");
    CHECK(load_config(file).data_dir == dir.path() / ".local/share/plexmix");
    {
        ScopedEnv xdg("XDG_DATA_HOME", (dir / "xdg-data").string());
        CHECK(load_config(file).data_dir == dir.path() / "xdg-data/plexmix");
        CHECK(default_config().data_dir == dir.path() / "xdg-data/plexmix");
    }
    write_file(file, "data_dir: /srv/from-file\n");
    ScopedEnv data("PLEXMIX_DATA_DIR", (dir / "from-env").string());
    CHECK(load_config(file).data_dir == dir.path() / "from-env");
}

TEST_CASE("load_config_from_string uses the display name in marks", "[config][load]") {
    TempDir dir;
    Env env(dir.path());
    const auto issues = config_issues([] { load_config_from_string("use: [a]\n", "inline.yaml"); });
    REQUIRE(issues.size() == 1);
    CHECK(issues[0].to_string() == "inline.yaml:1:6: use must be a mapping, e.g. { media: [home], embedder: local, completer: gemini }");
}

TEST_CASE("a value from a credential variable is never quoted in an error", "[config][load][secret]") {
    clear_secrets_for_testing();
    TempDir dir;
    Env env(dir.path());
    ScopedEnv key("PMX_TEST_API_KEY", std::string("sk-9999-not-a-number"));
    const auto file = dir / "plexmix.yaml";
    write_file(file, "providers:\n  p: { plugin: x, retries: \"${PMX_TEST_API_KEY}\" }\n");
    const std::string text = config_error_text([&] { load_config(file); });
    CHECK(text == mark(file, 2, 28) +
                      ": \"retries\" of provider \"p\" must be a whole number of at least 0 (the value comes from "
                      "$PMX_TEST_API_KEY and is not shown)");
    CHECK(text.find("sk-9999") == std::string::npos);
}

TEST_CASE("a key or value that is not UTF-8 (a Latin-1 file) is reported at its position", "[config][load][errors]") {
    // Found by fuzzing (tests/fuzz/corpus/config/regress-not_utf8): such a value loaded, and
    // `config show` printed it changed (U+FFFD for each bad byte) or as raw bytes.
    TempDir dir;
    Env env(dir.path());
    const auto issues = config_issues([] {
        load_config_from_string("providers:\n  home: { plugin: plex, library: M\xfasica }\n"
                                "  echo: { plugin: echo, caf\xe9: x, ok: \"fine \xc3\xa9\" }\n",
                                "latin1.yaml");
    });
    REQUIRE(issues.size() == 2);
    CHECK(issues[0].to_string() ==
          "latin1.yaml:2:34: \"library\" of provider \"home\" is not valid UTF-8 (is the file saved as UTF-8?)");
    CHECK(issues[1].to_string() ==
          "latin1.yaml:3:25: keys in provider \"echo\" must be valid UTF-8 (is the file saved as UTF-8?)");
}
