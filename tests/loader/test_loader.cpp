// Loader tests: a correct plugin is accepted and works; each broken plugin is refused (or its
// misbehaviour contained) with a one-line reason naming the file, and the host never crashes.
#include <sys/wait.h>

#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include <catch2/catch.hpp>

#include "plugin/conformance.hpp"
#include "plugin/loader.hpp"
#include "plugin/provider.hpp"
#include "plugin/registry.hpp"
#include "store/store.hpp"
#include "sync/sync.hpp"
#include "support/test_util.hpp"

namespace fs = std::filesystem;
using namespace pmx;
using pmx::test::CliRun;
using pmx::test::TempDir;

namespace {

fs::path plugin_file(const std::string& name) { return fs::path(PMX_TEST_PLUGIN_DIR) / (name + ".so"); }

std::string refusal(const std::string& name) {
    LoadResult r = load_plugin(plugin_file(name));
    REQUIRE_FALSE(r.ok());
    return r.error;
}

std::unique_ptr<Provider> make_provider(LoadedPlugin& plugin) {
    CallPolicy policy;
    policy.retries = 0;
    auto runtime = std::make_unique<ProviderRuntime>("test", plugin.info().id, policy, 1);
    std::string error;
    auto instance = PluginInstance::create(plugin, {}, *runtime, &error);
    INFO(error);
    REQUIRE(instance);
    return std::make_unique<Provider>("test", std::move(runtime), std::move(instance));
}

CliRun run_cli(const std::string& args) { return pmx::test::run_cli(PMX_CLI, args); }

}  // namespace

TEST_CASE("a correct C plugin loads, declares its data, and answers through the host", "[loader]") {
    LoadResult r = load_plugin(plugin_file("test_good"));
    INFO(r.error);
    REQUIRE(r.ok());
    const PluginInfo& info = r.plugin->info();
    CHECK(info.id == "c-good");
    CHECK(info.version == "1.0.0");
    CHECK(info.abi_major == 1);
    CHECK(info.kinds() == "completer, embedder");
    REQUIRE(info.settings.size() == 2);
    CHECK(info.settings[0].key == "greeting");
    CHECK(info.settings[0].default_value == std::optional<std::string>("hello"));
    CHECK(info.settings[1].secret);
    CHECK(info.warnings.empty());  // hidden visibility: only pmx_entry is exported

    auto provider = make_provider(*r.plugin);
    std::string text;
    CompletionRequest req;
    req.messages.push_back({PMX_ROLE_USER, "hi"});
    CallResult c = provider->complete(req, &text);
    CHECK(c.ok());
    CHECK(text == "hello");

    std::vector<float> vectors;
    CallResult e = provider->embed({"one", "three"}, PMX_EMBED_DOCUMENT, &vectors);
    REQUIRE(e.ok());
    REQUIRE(vectors.size() == 8);
    CHECK(vectors[0] == Approx(1.0f / std::sqrt(1.0f + 9.0f + 0.0f + 0.25f)));
}

TEST_CASE("a plugin built for another ABI major is refused before it is mapped", "[loader]") {
    const auto reason = refusal("test_broken_wrong_major");
    CHECK(reason.find(plugin_file("test_broken_wrong_major").string()) == 0);
    CHECK(reason.find("built for plugin ABI 2.0, this host speaks ABI 1.x") != std::string::npos);
}

TEST_CASE("an entry smaller than ABI 1.0 defines is refused", "[loader]") {
    const auto reason = refusal("test_broken_too_small");
    CHECK(reason.find("its entry is 16 bytes, ABI 1.0 needs " + std::to_string(sizeof(pmx_plugin_entry))) !=
          std::string::npos);
}

TEST_CASE("an entry without a required callback is refused", "[loader]") {
    CHECK(refusal("test_broken_no_create").find("plugin broken-no-create has no create() callback") !=
          std::string::npos);
}

TEST_CASE("a shared library that is not a plugin is refused", "[loader]") {
    CHECK(refusal("test_not_a_plugin").find("not a plexmix plugin (it does not export pmx_entry)") !=
          std::string::npos);
}

TEST_CASE("a text file named .so is refused", "[loader]") {
    TempDir dir;
    const fs::path file = dir.path() / "notes.so";
    std::ofstream(file) << "these are my notes, not a library\n";
    LoadResult r = load_plugin(file);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error == file.string() + ": not a shared library (no ELF header)");
}

TEST_CASE("a truncated plugin is refused, at any truncation point", "[loader]") {
    TempDir dir;
    const auto size = fs::file_size(plugin_file("test_good"));
    for (const auto keep : {size_t{64}, size / 3, size / 2, size - 1}) {
        const fs::path file = dir.path() / ("truncated-" + std::to_string(keep) + ".so");
        fs::copy_file(plugin_file("test_good"), file);
        fs::resize_file(file, keep);
        LoadResult r = load_plugin(file);
        INFO("kept " << keep << " of " << size << " bytes: " << r.error);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error.find(file.string() + ": ") == 0);
        CHECK(r.error.find('\n') == std::string::npos);
    }
}

TEST_CASE("a vtable smaller than ABI 1.0 defines is refused when the instance is made", "[loader]") {
    LoadResult r = load_plugin(plugin_file("test_broken_bad_vtable"));
    REQUIRE(r.ok());
    ProviderRuntime runtime("test", "broken-bad-vtable", CallPolicy{}, 1);
    std::string error;
    auto instance = PluginInstance::create(*r.plugin, {}, runtime, &error);
    CHECK_FALSE(instance);
    // ABI 1.0's completer ends after complete(); info() came in 1.3 and is optional.
    CHECK(error == "plugin broken-bad-vtable's pmx.completer/1 vtable is 4 bytes, ABI 1.0 needs " +
                       std::to_string(offsetof(pmx_completer, complete) + sizeof(void*)));
}

TEST_CASE("a completer without info() (before ABI 1.3) is made, and reports no limits", "[loader]") {
    LoadResult r = load_plugin(plugin_file("test_good"));
    REQUIRE(r.ok());
    auto runtime = std::make_unique<ProviderRuntime>("test", "good", CallPolicy{}, 1);
    std::string error;
    auto instance = PluginInstance::create(*r.plugin, {}, *runtime, &error);
    INFO(error);
    REQUIRE(instance);
    REQUIRE(instance->completer()->info == nullptr);
    Provider provider("test", std::move(runtime), std::move(instance));
    CompleterInfo info{1, 2, "stale"};
    CHECK(provider.completer_info(&info).ok());
    CHECK(info.context_tokens == 0);
    CHECK(info.max_output_tokens == 0);
    CHECK(info.model.empty());
}

TEST_CASE("a plugin whose init fails is refused with its own reason", "[loader]") {
    LoadResult r = load_plugin(plugin_file("test_broken_init_fails"));
    REQUIRE(r.ok());
    const std::string error = r.plugin->initialize();
    CHECK(error.find("plugin broken-init-fails refused to start: AUTH") == 0);
    CHECK(error.find("licence key missing") != std::string::npos);
    CHECK_FALSE(r.plugin->initialized());
}

TEST_CASE("an exception thrown by a plugin is contained: INTERNAL, not retried, no crash", "[loader]") {
    LoadResult r = load_plugin(plugin_file("test_throws"));
    REQUIRE(r.ok());
    CallPolicy policy;
    policy.retries = 3;
    auto runtime = std::make_unique<ProviderRuntime>("test", "throws", policy, 1);
    std::string error;
    auto instance = PluginInstance::create(*r.plugin, {}, *runtime, &error);
    REQUIRE(instance);
    Provider provider("test", std::move(runtime), std::move(instance));
    std::string text;
    CompletionRequest req;
    req.messages.push_back({PMX_ROLE_USER, "hi"});
    CallResult c = provider.complete(req, &text);
    CHECK(c.status == PMX_INTERNAL);
    CHECK(c.attempts == 1);
    CHECK(c.message.find("exception") != std::string::npos);
}

TEST_CASE("garbage answers are caught: unknown status, NaN vectors, buffer overrun", "[loader]") {
    LoadResult r = load_plugin(plugin_file("test_broken_garbage"));
    REQUIRE(r.ok());
    auto provider = make_provider(*r.plugin);
    std::string text;
    CompletionRequest req;
    req.messages.push_back({PMX_ROLE_USER, "hi"});
    CallResult c = provider->complete(req, &text);
    CHECK(c.status == PMX_INTERNAL);
    CHECK(c.message.find("12345") != std::string::npos);

    std::vector<float> vectors;
    CallResult e = provider->embed({"a", "b"}, PMX_EMBED_DOCUMENT, &vectors);
    CHECK(e.status == PMX_INTERNAL);
    CHECK(e.message == "plugin broken-garbage broke the contract: embed() wrote past out_capacity");
}

TEST_CASE("plugins check accepts the correct plugin and lists each violation of the broken ones", "[loader][check]") {
    CheckReport good = check_plugin(plugin_file("test_good"), {});
    for (const auto& item : good.items) INFO(check_level_name(item.level) << " " << item.what);
    CHECK(good.conforms());
    CHECK_FALSE(good.incomplete());

    CheckReport throws = check_plugin(plugin_file("test_throws"), {});
    CHECK_FALSE(throws.conforms());
    CheckReport garbage = check_plugin(plugin_file("test_broken_garbage"), {});
    CHECK_FALSE(garbage.conforms());
    size_t failures = 0;
    for (const auto& item : garbage.items) failures += item.level == CheckLevel::fail;
    CHECK(failures >= 3);  // unknown status, cancellation ignored, NaN / overrun

    CheckReport major = check_plugin(plugin_file("test_broken_wrong_major"), {});
    REQUIRE(major.items.size() == 1);
    CHECK(major.items[0].level == CheckLevel::fail);
    CHECK_FALSE(major.info);

    // A setting the plugin does not take is the user's mistake, not the plugin's: checks skipped.
    CheckReport unknown_setting = check_plugin(plugin_file("test_good"), {{"colour", "blue"}});
    CHECK(unknown_setting.conforms());
    CHECK(unknown_setting.incomplete());
}

TEST_CASE("discovery loads every plugin in a folder and refuses the broken ones by name", "[loader][registry]") {
    PluginRegistry registry = PluginRegistry::discover({PMX_TEST_PLUGIN_DIR});
    CHECK(registry.find("c-good"));
    CHECK(registry.find("throws"));
    CHECK_FALSE(registry.find("broken-wrong-major"));
    CHECK_FALSE(registry.find("broken-no-create"));
    std::vector<std::string> refused;
    for (const auto& r : registry.refused()) {
        CHECK(r.reason.find(r.path.string()) == 0);
        refused.push_back(r.path.filename().string());
    }
    std::sort(refused.begin(), refused.end());
    CHECK(refused == std::vector<std::string>{"test_broken_no_create.so", "test_broken_too_small.so",
                                              "test_broken_wrong_major.so", "test_not_a_plugin.so"});
}

TEST_CASE("an earlier folder on the search path wins, the later copy is reported as shadowed", "[loader][registry]") {
    TempDir first, second;
    fs::copy_file(plugin_file("test_good"), first.path() / "good.so");
    fs::copy_file(plugin_file("test_good"), second.path() / "good-copy.so");
    PluginRegistry registry = PluginRegistry::discover({first.path(), second.path()});
    REQUIRE(registry.find("c-good"));
    CHECK(registry.find("c-good")->info().path == first.path() / "good.so");
    REQUIRE(registry.shadowed().size() == 1);
    CHECK(registry.shadowed()[0].path == second.path() / "good-copy.so");
}

TEST_CASE("the search path puts --plugin-path first, then $PLEXMIX_PLUGIN_PATH, then the user's folder", "[loader][registry]") {
    ::setenv("PLEXMIX_PLUGIN_PATH", "/env/one:/env/two", 1);
    const auto path = plugin_search_path({"/cli/a:/cli/b", "/cli/c"});
    ::unsetenv("PLEXMIX_PLUGIN_PATH");
    REQUIRE(path.size() >= 6);
    CHECK(path[0] == "/cli/a");
    CHECK(path[1] == "/cli/b");
    CHECK(path[2] == "/cli/c");
    CHECK(path[3] == "/env/one");
    CHECK(path[4] == "/env/two");
    CHECK(path[5] == fs::path(std::getenv("HOME")) / ".local/lib/plexmix/plugins");
    CHECK(path.back().filename() == "bin");  // the folder beside the executable comes last
}

TEST_CASE("the CLI: plugins check exit codes, plugins list and info", "[loader][cli]") {
    CliRun good = run_cli("plugins check " + plugin_file("test_good").string());
    INFO(good.out);
    CHECK(good.code == 0);
    CHECK(good.out.find("The plugin conforms to the contract.") != std::string::npos);

    CliRun throws = run_cli("plugins check " + plugin_file("test_throws").string());
    CHECK(throws.code == 1);
    CHECK(throws.out.find("violation") != std::string::npos);

    CliRun major = run_cli("plugins check " + plugin_file("test_broken_wrong_major").string());
    CHECK(major.code == 1);
    CHECK(major.out.find("built for plugin ABI 2.0") != std::string::npos);

    CliRun list = run_cli(std::string("--plugin-path ") + PMX_TEST_PLUGIN_DIR + " plugins list --json");
    CHECK(list.code == 0);
    CHECK(list.out.find("\"id\": \"c-good\"") != std::string::npos);
    CHECK(list.out.find("test_broken_wrong_major.so: built for plugin ABI 2.0") != std::string::npos);

    CliRun info = run_cli(std::string("--plugin-path ") + PMX_TEST_PLUGIN_DIR + " plugins info c-good");
    CHECK(info.code == 0);
    CHECK(info.out.find("greeting") != std::string::npos);

    CliRun missing = run_cli(std::string("--plugin-path ") + PMX_TEST_PLUGIN_DIR + " plugins info nope");
    CHECK(missing.code == 1);
    CliRun usage = run_cli("plugins frobnicate");
    CHECK(usage.code == 2);
}

TEST_CASE("plugins check --set: values normalised and checked as in a config, secrets masked in output and log",
          "[loader][check][cli]") {
    const std::string probe = "plugins check " + plugin_file("test_settings_probe").string();
    const std::string secret = "correct-horse-battery-staple";
    const std::string sets = " --set wait=1.5s --set endpoint=http://127.0.0.1:9/api/ --set batch=+7 --set loud=on"
                             " --set unlock_words=" + secret;

    CliRun run = run_cli(probe + sets);
    INFO(run.out);
    CHECK(run.code == 0);
    // What the plugin received, as its model name shows it; its log line says the same.
    CHECK_THAT(run.out, Catch::Contains("model \"wait=1500 endpoint=http://127.0.0.1:9/api batch=7 loud=true "
                                        "unlock_words=***\"") &&
                            Catch::Contains("received wait=1500 endpoint=http://127.0.0.1:9/api batch=7 loud=true "
                                            "unlock_words=***"));
    CHECK(run.out.find(secret) == std::string::npos);

    CliRun json = run_cli(probe + sets + " --json");
    INFO(json.out);
    CHECK(json.code == 0);
    CHECK(json.out.find("unlock_words=***") != std::string::npos);
    CHECK(json.out.find(secret) == std::string::npos);

    // Defaults go through the same normalisation (2s -> 2000, no -> false).
    CliRun defaults = run_cli(probe + " --set unlock_words=" + secret);
    INFO(defaults.out);
    CHECK(defaults.code == 0);
    CHECK_THAT(defaults.out, Catch::Contains("model \"wait=2000 batch=8 loud=false unlock_words=***\""));
    CHECK(defaults.out.find(secret) == std::string::npos);

    // Values the type refuses are the user's mistake (exit 2), named, and never reach the plugin.
    for (const auto& [set, expected] : std::vector<std::pair<std::string, std::string>>{
             {"wait=soon", "--set: setting \"wait\" of provider \"check\" (plugin settings-probe) must be a duration"},
             {"endpoint=ftp://host/", "--set: setting \"endpoint\" of provider \"check\" (plugin settings-probe) must be an "
                                      "http:// or https:// URL"},
             {"batch=many", "--set: setting \"batch\" of provider \"check\" (plugin settings-probe) must be a whole number"},
             {"loud=perhaps", "--set: setting \"loud\" of provider \"check\" (plugin settings-probe) must be true or false"},
             {"colour=blue", "--set: unknown setting \"colour\" in provider \"check\" (plugin settings-probe)"}}) {
        CliRun bad = run_cli(probe + " --set " + set);
        INFO(set << "\n" << bad.out);
        CHECK(bad.code == 2);
        CHECK_THAT(bad.out, Catch::Contains(expected));
        CHECK(bad.out.find("received") == std::string::npos);
    }
}

TEST_CASE("a media source built for ABI 1.3 still loads, its tracks read without 1.4's fields, it syncs",
          "[loader][abi]") {
    LoadResult r = load_plugin(plugin_file("test_media_v13"));
    INFO(r.error);
    REQUIRE(r.ok());
    CHECK(r.plugin->info().abi_minor == 3);
    auto provider = make_provider(*r.plugin);
    ScanPage page;
    REQUIRE(provider->scan_page("1", "", PMX_SCAN_ORDER_ANY, 0, &page).ok());
    REQUIRE(page.tracks.size() == 3);
    for (const TrackRecord& t : page.tracks) {
        CHECK((t.has & PMX_TRACK_HAS_FAVOURITE) == 0);
        CHECK_FALSE(t.favourite);              // past its struct_size: never read
        CHECK(t.recording_mbid.empty());
    }
    CHECK(page.tracks[2].play_count == 2);

    auto store = Store::open_in_memory();
    const SyncReport full = sync_source(*store, *provider, "test", "media-v13", "", SyncOptions{});
    INFO(full.error);
    REQUIRE(full.ok);
    CHECK(full.added == 3);
    const SyncReport incremental = sync_source(*store, *provider, "test", "media-v13", "", SyncOptions{});
    INFO(incremental.error);
    REQUIRE(incremental.ok);  // the 1.4 feeds it does not know are never asked of it
    CHECK(incremental.mode == SyncMode::incremental);
    CHECK(incremental.removed == 0);
}
