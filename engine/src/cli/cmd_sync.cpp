// `plexmix sync [--full] [--source NAME] [--no-embeddings]`, `plexmix sync verify`, `plexmix status`.
#include <ctime>
#include <iostream>

#include <boost/program_options.hpp>
#include <rapidjson/ostreamwrapper.h>
#include <rapidjson/prettywriter.h>

#include "cli/app.hpp"
#include "cli/cli_support.hpp"
#include "cli/embed_step.hpp"
#include "cli/tag_step.hpp"
#include "cli/progress.hpp"
#include "generate/pipeline_config.hpp"
#include "net/cancel.hpp"
#include "store/store.hpp"
#include "store/store_error.hpp"
#include "sync/sync.hpp"

namespace po = boost::program_options;

namespace pmx::cli {
namespace {

std::string local_time(int64_t unix_ms) {
    if (unix_ms <= 0) return "never";
    const std::time_t t = static_cast<std::time_t>(unix_ms / 1000);
    std::tm tm{};
    localtime_r(&t, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &tm);
    return text;
}

std::optional<std::string> source_of(const po::variables_map& vm) {
    if (!vm.count("source")) return std::nullopt;
    return vm["source"].as<std::string>();
}

int verify(const GlobalOptions& global, const Args& args) {
    po::options_description opts("sync verify");
    opts.add_options()("source", po::value<std::string>()->value_name("NAME"), "only this media provider");
    bool help = false;
    auto vm = parse_args(args, opts, {}, "plexmix sync verify [--source NAME]", &help);
    if (help) return kExitOk;
    auto app = App::open(global);
    int code = kExitOk;
    for (auto& media : app->media_providers(source_of(vm))) {
        const VerifyReport r = verify_source(app->store(), *media.provider, media.config->name);
        if (!r.error.empty()) {
            std::cerr << r.provider << ": could not verify: " << r.error << "\n";
            code = kExitFailure;
            continue;
        }
        std::cout << r.provider << ": server " << r.server_tracks << " tracks, mirror " << r.mirror_tracks << " tracks\n";
        if (r.missing_count) {
            std::cout << "  " << r.missing_count << " on the server but not in the mirror, e.g.";
            for (const auto& k : r.missing) std::cout << " " << k;
            std::cout << "\n";
        }
        if (r.extra_count) {
            std::cout << "  " << r.extra_count << " in the mirror but gone from the server, e.g.";
            for (const auto& k : r.extra) std::cout << " " << k;
            std::cout << "\n";
        }
        for (const auto& p : r.problems) std::cout << "  store: " << p << "\n";
        if (r.ok()) std::cout << "  the mirror matches the server\n";
        else code = kExitFailure;
    }
    return code;
}

int sync(const GlobalOptions& global, const Args& args) {
    po::options_description opts("sync");
    opts.add_options()
        ("full", "rescan everything (and allow deleting more than half the mirror)")
        ("source", po::value<std::string>()->value_name("NAME"), "only this media provider")
        ("no-embeddings", "do not embed new and changed tracks afterwards (see 'plexmix embeddings')")
        ("wait", "if another plexmix is writing to the data dir, wait for it instead of failing");
    bool help = false;
    auto vm = parse_args(args, opts, {},
                         "plexmix sync [--full] [--source NAME] [--no-embeddings] [--wait] | sync verify [--source NAME]",
                         &help);
    if (help) return kExitOk;
    auto app = App::open(global);
    app->lock_writer("sync", vm.count("wait") > 0, "syncing");
    int code = kExitOk;
    bool synced = false;
    for (auto& media : app->media_providers(source_of(vm))) {
        Progress progress(media.config->name + ": tracks");
        SyncOptions options;
        options.full = vm.count("full") > 0;
        options.progress = [&](uint64_t done, uint64_t total) { progress.update(done, total); };
        const SettingValue* url = media.config->find_setting("url");
        const SyncReport r = sync_source(app->store(), *media.provider, media.config->name, media.config->plugin,
                                         url ? url->value : std::string(), options);
        progress.finish();
        for (const auto& note : r.notes) std::cerr << r.provider << ": note: " << note << "\n";
        const char* mode = r.mode == SyncMode::full ? "full" : "incremental";
        if (r.ok) {
            synced = true;
            std::cout << r.provider << ": " << mode << " sync done in " << seconds_text(r.elapsed) << ": " << r.read
                      << " tracks read, " << r.added << " added, " << r.updated << " updated, " << r.removed
                      << " removed, " << r.unchanged << " unchanged\n";
        } else {
            // The engine recorded it in the log file only: this is the one place the user reads it.
            std::cerr << r.provider << ": " << mode << " sync " << r.status << " after " << seconds_text(r.elapsed)
                      << "; the mirror is unchanged\n  " << r.error << "\n";
            code = kExitFailure;
        }
    }
    // The tagging step, when the sync pipeline has it (pipelines: { sync: [scan, tag, embed] }):
    // new and changed tracks, without asking (the config asked for it), within the step's budget.
    if (synced && gen::sync_tags(app->config()) && !global_cancel().cancelled()) {
        auto completer = app->completer();
        if (!completer) {
            throw ConfigError(Mark{app->config().source.string(), 0, 0},
                              "pipeline sync has step tag but no completer is configured: name one in use: "
                              "{ completer: NAME }");
        }
        TagStepOptions step;
        step.tag.budget_usd = gen::tag_budget(app->config(), "sync");
        if (run_tag_step(*app, *completer, step) != kExitOk) code = kExitFailure;
    }
    // The embedding step: new and changed tracks of what was just mirrored, when an embedder is
    // configured (use: { embedder: }) and the sync pipeline has it (pipelines: { sync: [scan] }
    // leaves it out). A failed sync left its mirror as it was: nothing new.
    if (synced && !vm.count("no-embeddings") && gen::sync_embeds(app->config()) && !global_cancel().cancelled()) {
        if (auto embedder = app->embedder()) {
            if (run_embed_step(*app, *embedder, false) != kExitOk) code = kExitFailure;
        }
    }
    return code;
}

// What `status` shows of one configured provider.
struct ProviderStatus {
    std::string provider;
    std::vector<std::pair<ServerRow, ServerStats>> servers;  // most recently seen first
    std::optional<UnreachedSync> unreached;                  // the last sync did not reach its server
};

// Everything `status` shows, read before anything is printed: a damaged database is an error
// (exit 1), never half a report or half a JSON document.
std::vector<ProviderStatus> read_status(App& app) {
    std::vector<ProviderStatus> out;
    try {
        for (const auto& p : app.config().providers) {
            ProviderStatus status{p.name, {}, app.store().unreached_sync(p.name)};
            for (auto& s : app.store().servers_of_provider(p.name)) {
                ServerStats stats = app.store().stats(s.id);
                status.servers.emplace_back(std::move(s), std::move(stats));
            }
            if (!status.servers.empty() || status.unreached) out.push_back(std::move(status));
        }
    } catch (const StoreError& e) {
        throw StoreError("cannot read the mirror in " + app.store().path().string() + ": " + e.what());
    }
    return out;
}

void write_status_json(const std::vector<ProviderStatus>& providers) {
    rapidjson::OStreamWrapper os(std::cout);
    rapidjson::PrettyWriter<rapidjson::OStreamWrapper> w(os);
    w.StartObject();
    w.Key("servers");
    w.StartArray();
    for (const auto& p : providers) {
        for (const auto& [s, st] : p.servers) {
            w.StartObject();
            w.Key("provider"); w.String(s.provider.c_str());
            w.Key("plugin"); w.String(s.plugin.c_str());
            w.Key("identity"); w.String(s.identity.c_str());
            w.Key("name"); w.String(s.name.c_str());
            w.Key("tracks"); w.Uint64(st.tracks);
            w.Key("albums"); w.Uint64(st.albums);
            w.Key("artists"); w.Uint64(st.artists);
            w.Key("last_success");
            if (st.last_success) {
                w.StartObject();
                w.Key("started_ms"); w.Int64(st.last_success->started_ms);
                w.Key("duration_ms"); w.Int64(st.last_success->duration_ms().value_or(0));
                w.Key("mode"); w.String(std::string(to_string(st.last_success->mode)).c_str());
                w.EndObject();
            } else {
                w.Null();
            }
            w.Key("last_failure");
            if (st.last_failure) {
                w.StartObject();
                w.Key("started_ms"); w.Int64(st.last_failure->started_ms);
                w.Key("status"); w.String(std::string(to_string(st.last_failure->status)).c_str());
                w.Key("error"); w.String(st.last_failure->error.c_str());
                w.EndObject();
            } else {
                w.Null();
            }
            w.EndObject();
        }
    }
    w.EndArray();
    // Syncs that ended before their server said who it is (unreachable, token refused).
    w.Key("unreached");
    w.StartArray();
    for (const auto& p : providers) {
        if (!p.unreached) continue;
        const UnreachedSync& u = *p.unreached;
        w.StartObject();
        w.Key("provider"); w.String(u.provider.c_str());
        w.Key("plugin"); w.String(u.plugin.c_str());
        w.Key("started_ms"); w.Int64(u.started_ms);
        w.Key("status"); w.String(std::string(to_string(u.status)).c_str());
        w.Key("error"); w.String(u.error.c_str());
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    std::cout << "\n";
}

int status(const GlobalOptions& global, const Args& args) {
    po::options_description opts("status");
    opts.add_options()("json", "machine-readable output");
    bool help = false;
    auto vm = parse_args(args, opts, {}, "plexmix status [--json]", &help);
    if (help) return kExitOk;
    auto app = App::open(global);
    const std::vector<ProviderStatus> providers = read_status(*app);
    if (vm.count("json")) {
        write_status_json(providers);
        return kExitOk;
    }
    if (providers.empty()) {
        std::cout << "Nothing mirrored yet: run 'plexmix sync'.\n";
        return kExitOk;
    }
    for (const auto& p : providers) {
        for (const auto& [s, st] : p.servers) {
            std::cout << s.provider << " (" << s.plugin << ", " << (s.name.empty() ? s.identity : s.name) << ")\n"
                      << "  tracks " << st.tracks << ", albums " << st.albums << ", artists " << st.artists << "\n";
            if (st.last_success) {
                std::cout << "  last sync    " << local_time(st.last_success->started_ms) << " ("
                          << to_string(st.last_success->mode) << ", took "
                          << seconds_text(std::chrono::milliseconds(st.last_success->duration_ms().value_or(0)))
                          << ")\n";
            } else {
                std::cout << "  last sync    never succeeded\n";
            }
            if (st.last_failure) {
                std::cout << "  last failure " << local_time(st.last_failure->started_ms) << ": "
                          << to_string(st.last_failure->status) << ": " << st.last_failure->error << "\n";
            }
        }
        if (!p.unreached) continue;
        const UnreachedSync& u = *p.unreached;
        if (p.servers.empty()) {
            std::cout << u.provider << " (" << u.plugin << ")\n"
                      << "  nothing mirrored yet\n  last sync    never succeeded\n";
        } else {
            std::cout << u.provider << ": the last sync did not reach the server\n";
        }
        std::cout << "  last failure " << local_time(u.started_ms) << ": " << to_string(u.status) << ": " << u.error
                  << "\n";
    }
    return kExitOk;
}

}  // namespace

int run_sync(const GlobalOptions& global, const Args& args) {
    if (!args.empty() && args[0] == "verify") return verify(global, Args(args.begin() + 1, args.end()));
    return sync(global, args);
}

int run_status(const GlobalOptions& global, const Args& args) { return status(global, args); }

}  // namespace pmx::cli
