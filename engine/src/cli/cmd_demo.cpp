// `plexmix demo ["PROMPT"]`: the main job on a bundled sample library — no server, no key, no network.
#include <cstdlib>
#include <fstream>
#include <iostream>

#include <boost/program_options.hpp>

#include "cli/app.hpp"
#include "cli/cli_support.hpp"
#include "cli/embed_step.hpp"
#include "cli/generate_cli.hpp"
#include "cli/progress.hpp"
#include "config/data_dir.hpp"
#include "generate/playlist_export.hpp"
#include "net/cancel.hpp"
#include "store/playlist_store.hpp"
#include "store/store.hpp"
#include "store/track_filter.hpp"
#include "sync/sync.hpp"
#include "util/text.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace pmx::cli {
namespace {

constexpr const char* kDefaultPrompt = "mellow late-night jazz, 20 songs";
constexpr const char* kDefaultEmbedderPlugin = "local-st";
constexpr int kDefaultSampleTracks = 3000;
constexpr size_t kMaxSlug = 60;

fs::path default_demo_dir() {
    if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) return fs::path(xdg) / "plexmix" / "demo";
    const char* home = std::getenv("HOME");
    if (!home || !*home) throw UsageError("demo: HOME is not set; give --data-dir DIR");
    return fs::path(home) / ".local" / "share" / "plexmix" / "demo";
}

// A YAML double-quoted scalar.
std::string quoted(const std::string& text) {
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

// "mellow-late-night-jazz-20-songs" for a file name.
std::string slug(const std::string& text) {
    std::string out;
    for (const char c : ascii_lower(text)) {
        const bool word = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (word) {
            out += c;
        } else if (!out.empty() && out.back() != '-') {
            out += '-';
        }
        if (out.size() >= kMaxSlug) break;
    }
    while (!out.empty() && out.back() == '-') out.pop_back();
    return out.empty() ? "playlist" : out;
}

// The demo's own configuration, written next to its data so that every other command can be
// tried on it (plexmix --config DIR/plexmix.yaml playlists list).
fs::path write_demo_config(const fs::path& dir, const std::string& embedder_plugin, int tracks) {
    const fs::path config = dir / "plexmix.yaml";
    std::string text =
        "# Written by `plexmix demo`: the bundled sample library and an offline embedder.\n"
        "data_dir: " + quoted(dir.string()) + "\n"
        "providers:\n"
        "  sample: { plugin: sample, tracks: " + std::to_string(tracks) +
        ", playlists_file: " + quoted((dir / "sample-server-playlists.json").string()) + " }\n"
        "  local: { plugin: " + embedder_plugin + " }\n"
        "use: { media: [sample], embedder: local }\n";
    write_private_file(config, text);
    return config;
}

int demo(const GlobalOptions& global, const Args& args) {
    po::options_description opts("demo");
    opts.add_options()
        ("data-dir", po::value<std::string>()->value_name("DIR"),
         "where the demo keeps its mirror (default: ${XDG_DATA_HOME:-~/.local/share}/plexmix/demo)")
        ("explain", "per track: the filters it passed, its similarity and rank")
        ("tracks", po::value<int>()->default_value(kDefaultSampleTracks)->value_name("N"), "tracks in the sample library")
        ("embedder", po::value<std::string>()->default_value(kDefaultEmbedderPlugin)->value_name("PLUGIN"),
         "the embedder plugin");
    const std::string usage =
        "plexmix demo [\"PROMPT\"] [--data-dir DIR]\n\n"
        "Runs the main job on a bundled sample library, with no server, no key and no network: the\n"
        "library is synced through the normal path, embedded with the offline local-st embedder, and a\n"
        "playlist is generated for the prompt (default: \"" + std::string(kDefaultPrompt) + "\"), shown\n"
        "and exported as M3U8. Running it again reuses the mirror and the vectors.";
    bool help = false;
    std::string prompt;
    const po::variables_map vm = parse_words_args(args, opts, "prompt", usage, &help, &prompt);
    if (help) return kExitOk;
    if (prompt.find_first_not_of(" \t\n") == std::string::npos) prompt = kDefaultPrompt;
    const int tracks = vm["tracks"].as<int>();
    if (tracks < 1) throw UsageError("demo: --tracks must be at least 1");

    const fs::path dir = fs::absolute(vm.count("data-dir") ? fs::path(vm["data-dir"].as<std::string>()) : default_demo_dir());
    ensure_private_dir(dir);
    // The demo's data dir is its own: $PLEXMIX_DATA_DIR would put the sample mirror into the
    // user's real one.
    ::unsetenv("PLEXMIX_DATA_DIR");
    GlobalOptions options = global;
    options.config_path = write_demo_config(dir, vm["embedder"].as<std::string>(), tracks).string();
    std::cout << "plexmix demo: a sample library in " << dir.string() << " (no server, no key, no network)\n";

    auto app = App::open(options);
    app->lock_writer("demo", true, "running the demo");
    int code = kExitOk;
    std::cout << "==> sync\n";
    for (auto& media : app->media_providers(std::nullopt)) {
        Progress progress(media.config->name + ": tracks");
        SyncOptions sync_options;
        sync_options.progress = [&](uint64_t done, uint64_t total) { progress.update(done, total); };
        const SyncReport r = sync_source(app->store(), *media.provider, media.config->name, media.config->plugin, "",
                                         sync_options);
        progress.finish();
        if (!r.ok) {
            std::cerr << r.provider << ": sync " << r.status << ": " << r.error << "\n";
            return kExitFailure;
        }
        std::cout << r.provider << ": " << r.read << " tracks read, " << r.added << " added, " << r.updated
                  << " updated, " << r.unchanged << " unchanged\n";
    }
    if (global_cancel().cancelled()) return kExitInterrupted;
    std::cout << "==> embeddings\n";
    if (auto embedder = app->embedder()) {
        if (run_embed_step(*app, *embedder, false) != kExitOk) code = kExitFailure;
    }
    if (global_cancel().cancelled()) return kExitInterrupted;

    std::cout << "==> create \"" << prompt << "\"\n";
    gen::GenerateInput input;
    input.prompt = prompt;
    const gen::PipelineSpec pipeline = gen::generate_pipeline(app->config());
    const gen::GenerateContext ctx = generate_playlist(*app, std::move(input), pipeline);
    for (const auto& note : ctx.notes) std::cerr << "plexmix: note: " << note << "\n";
    print_playlist(std::cout, ctx, pipeline, vm.count("explain") > 0);
    print_publish_failures(std::cerr, ctx);
    if (ctx.publish_failed()) return kExitFailure;

    for (const auto& part : ctx.published) {
        if (!part.playlist_id) continue;
        PlaylistStore playlists(app->store());
        const auto record = playlists.get(*part.playlist_id);
        if (!record) continue;
        const fs::path m3u = dir / (slug(ctx.name) + ".m3u8");
        write_private_file(m3u, gen::to_m3u8(*record, track_details(app->store(), playlists.track_ids(record->id))));
        std::cout << "==> exported " << m3u.string() << "\n";
    }
    std::cout << "\nTry the other commands on the demo library, e.g.:\n"
              << "  plexmix --config " << options.config_path->c_str() << " playlists list\n"
              << "  plexmix --config " << options.config_path->c_str()
              << " create \"upbeat 80s rock, 45 minutes\" --explain --dry-run\n";
    return code;
}

}  // namespace

int run_demo(const GlobalOptions& global, const Args& args) { return demo(global, args); }

}  // namespace pmx::cli
