// `plexmix playlists list|show|export|publish|delete`: the playlists plexmix made, kept in the store.
#include <ctime>
#include <fstream>
#include <iostream>

#include <boost/program_options.hpp>
#include <rapidjson/ostreamwrapper.h>
#include <rapidjson/prettywriter.h>

#include "cli/app.hpp"
#include "cli/cli_support.hpp"
#include "cli/generate_cli.hpp"
#include "config/data_dir.hpp"
#include "generate/playlist_export.hpp"
#include "publish/playlist_publisher.hpp"
#include "store/playlist_store.hpp"
#include "store/store.hpp"
#include "store/track_filter.hpp"

namespace po = boost::program_options;

namespace pmx::cli {
namespace {

std::string local_time(int64_t unix_ms) {
    const std::time_t t = static_cast<std::time_t>(unix_ms / 1000);
    std::tm tm{};
    localtime_r(&t, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M", &tm);
    return text;
}

// A playlist by id, or by name when that name is unique.
PlaylistRecord resolve(Store& store, const std::string& word) {
    PlaylistStore playlists(store);
    if (!word.empty() && word.find_first_not_of("0123456789") == std::string::npos && word.size() < 19) {
        if (auto p = playlists.get(std::stoll(word))) return *p;
    }
    auto named = playlists.find_by_name(word);
    if (named.empty()) throw UsageError("no playlist with the id or name \"" + word + "\" (see 'plexmix playlists list')");
    if (named.size() > 1) {
        std::string ids;
        for (const auto& p : named) ids += (ids.empty() ? "" : ", ") + std::to_string(p.id) + " (" + p.provider + ")";
        throw UsageError("several playlists are named \"" + word + "\": give an id: " + ids);
    }
    return named.front();
}

std::vector<TrackDetail> tracks_of(Store& store, const PlaylistRecord& p) {
    return track_details(store, PlaylistStore(store).track_ids(p.id));
}

// "3 of its 20 tracks are no longer in the library", when a sync deleted some since it was saved.
std::string dropped_note(const PlaylistRecord& p, size_t kept) {
    const int64_t dropped = gen::dropped_tracks(p, kept);
    if (dropped == 0) return "";
    return std::to_string(dropped) + " of its " + std::to_string(p.saved_tracks) + (p.saved_tracks == 1 ? " track" : " tracks") +
           (dropped == 1 ? " is" : " are") + " no longer in the library (deleted by a sync since it was saved)";
}

po::positional_options_description one_positional(const char* name) {
    po::positional_options_description positional;
    positional.add(name, 1);
    return positional;
}

std::string playlist_word(const po::variables_map& vm, const char* command) {
    if (!vm.count("playlist")) throw UsageError(std::string("playlists ") + command + ": give a playlist id or name");
    return vm["playlist"].as<std::string>();
}

int list(const GlobalOptions& global, const Args& args) {
    po::options_description opts("playlists list");
    opts.add_options()("json", "machine-readable output");
    bool help = false;
    auto vm = parse_args(args, opts, {}, "plexmix playlists list [--json]", &help);
    if (help) return kExitOk;
    auto app = App::open(global);
    const auto all = PlaylistStore(app->store()).list();
    if (vm.count("json")) {
        rapidjson::OStreamWrapper os(std::cout);
        rapidjson::PrettyWriter<rapidjson::OStreamWrapper> w(os);
        w.StartArray();
        for (const auto& p : all) {
            w.StartObject();
            w.Key("id"); w.Int64(p.id);
            w.Key("name"); w.String(p.name.c_str());
            w.Key("provider"); w.String(p.provider.c_str());
            w.Key("key");
            if (p.native_key.empty()) w.Null(); else w.String(p.native_key.c_str());
            w.Key("state"); w.String(std::string(to_string(p.state)).c_str());
            w.Key("tracks"); w.Int64(p.track_count);
            w.Key("duration_ms"); w.Int64(p.duration_ms);
            w.Key("prompt"); w.String(p.prompt.c_str());
            w.Key("updated_ms"); w.Int64(p.updated_ms);
            w.Key("publish_error");
            if (p.publish_error.empty()) w.Null(); else w.String(p.publish_error.c_str());
            w.EndObject();
        }
        w.EndArray();
        std::cout << "\n";
        return kExitOk;
    }
    if (all.empty()) {
        std::cout << "No playlists yet: make one with 'plexmix create \"PROMPT\"'.\n";
        return kExitOk;
    }
    std::vector<std::vector<std::string>> rows;
    bool pending = false;
    for (const auto& p : all) {
        pending = pending || p.state == PlaylistState::pending;
        rows.push_back({std::to_string(p.id), p.name, p.provider, std::string(to_string(p.state)),
                        p.native_key.empty() ? "-" : p.native_key, std::to_string(p.track_count),
                        length_text(p.duration_ms), local_time(p.updated_ms)});
    }
    print_table(std::cout, {"id", "name", "source", "state", "server key", "tracks", "length", "updated"}, rows);
    if (pending) std::cerr << "plexmix: note: 'plexmix playlists publish ID' finishes a pending playlist\n";
    return kExitOk;
}

int show(const GlobalOptions& global, const Args& args) {
    po::options_description opts("playlists show");
    opts.add_options()("json", "machine-readable output")("playlist", po::value<std::string>()->value_name("ID|NAME"),
                                                          "the playlist");
    bool help = false;
    auto vm = parse_args(args, opts, one_positional("playlist"), "plexmix playlists show ID|NAME [--json]", &help);
    if (help) return kExitOk;
    auto app = App::open(global);
    const PlaylistRecord p = resolve(app->store(), playlist_word(vm, "show"));
    const auto tracks = tracks_of(app->store(), p);
    if (vm.count("json")) {
        std::cout << gen::to_json(p, tracks);
        return kExitOk;
    }
    int64_t total = 0;
    for (const auto& t : tracks) total += t.duration_ms.value_or(0);
    std::cout << p.name << " — " << tracks.size() << " tracks, " << length_text(total) << "\n"
              << "  source:  " << p.provider << (p.native_key.empty() ? " (not published)" : ", key " + p.native_key)
              << "\n  prompt:  " << p.prompt << "\n  updated: " << local_time(p.updated_ms) << "\n";
    if (const std::string note = dropped_note(p, tracks.size()); !note.empty()) std::cout << "  (" << note << ")\n";
    std::vector<std::vector<std::string>> rows;
    size_t position = 0;
    for (const auto& t : tracks) {
        rows.push_back({std::to_string(++position), t.title, t.artist, t.album, t.year ? std::to_string(*t.year) : "",
                        length_text(t.duration_ms.value_or(0))});
    }
    print_table(std::cout, {"#", "title", "artist", "album", "year", "length"}, rows);
    return kExitOk;
}

int export_playlist(const GlobalOptions& global, const Args& args) {
    po::options_description opts("playlists export");
    opts.add_options()
        ("format,f", po::value<std::string>()->default_value("m3u8")->value_name("FORMAT"), "m3u8 or json")
        ("output,o", po::value<std::string>()->value_name("FILE"), "write to FILE (default: standard output)")
        ("playlist", po::value<std::string>()->value_name("ID|NAME"), "the playlist");
    bool help = false;
    auto vm = parse_args(args, opts, one_positional("playlist"),
                         "plexmix playlists export ID|NAME [--format m3u8|json] [--output FILE]", &help);
    if (help) return kExitOk;
    const std::string format = vm["format"].as<std::string>();
    if (format != "m3u8" && format != "json") throw UsageError("playlists export: --format must be m3u8 or json");
    auto app = App::open(global);
    const PlaylistRecord p = resolve(app->store(), playlist_word(vm, "export"));
    const auto tracks = tracks_of(app->store(), p);
    const std::string text = format == "json" ? gen::to_json(p, tracks) : gen::to_m3u8(p, tracks);
    // On stderr: stdout may be the export itself (the file says it too).
    const std::string note = dropped_note(p, tracks.size());
    if (!vm.count("output")) {
        std::cout << text;
        if (!note.empty()) std::cerr << "plexmix: note: playlist \"" << p.name << "\": " << note << "\n";
        return kExitOk;
    }
    const std::string file = vm["output"].as<std::string>();
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) throw std::runtime_error("cannot write " + file);
    std::cout << "Wrote " << tracks.size() << " tracks to " << file << "\n";
    if (!note.empty()) std::cerr << "plexmix: note: playlist \"" << p.name << "\": " << note << "\n";
    return kExitOk;
}

int publish(const GlobalOptions& global, const Args& args) {
    po::options_description opts("playlists publish");
    opts.add_options()
        ("wait", "if another plexmix is writing to the data dir, wait for it instead of failing")
        ("playlist", po::value<std::string>()->value_name("ID|NAME"), "the playlist");
    bool help = false;
    auto vm = parse_args(args, opts, one_positional("playlist"),
                         "plexmix playlists publish ID|NAME [--wait]\n\n"
                         "Writes a saved playlist to its server: finishes one whose publishing failed (pending),\n"
                         "publishes one saved with --no-publish, or writes one again. It replaces the server's\n"
                         "playlist in place and never makes a second one.",
                         &help);
    if (help) return kExitOk;
    auto app = App::open(global);
    const std::string word = playlist_word(vm, "publish");
    app->lock_writer("playlists publish", vm.count("wait") > 0, "publishing");
    const PlaylistRecord p = resolve(app->store(), word);
    const auto servers = app->store().servers_of_provider(p.provider);
    if (servers.empty() || servers.front().id != p.server_id) {
        // Its track keys are that server's: another server would not know them.
        throw std::runtime_error("playlist " + std::to_string(p.id) + " was made for a server that provider '" +
                                 p.provider + "' no longer answers as; it cannot be published there");
    }
    auto media = app->media_providers(p.provider);
    PlaylistStore(app->store()).mark_pending(p.id);
    const PublishOutcome outcome = publish_playlist(app->store(), *media.front().provider, p.id);
    if (!outcome.ok) {
        std::cerr << "plexmix: " << p.provider << ": playlist " << p.id << " (\"" << p.name
                  << "\") is still not complete on the server: " << outcome.error << "\n";
        return kExitFailure;
    }
    std::cout << p.provider << ": " << (outcome.replaced ? "replaced" : "created") << " playlist \"" << p.name
              << "\" (" << outcome.held << " tracks, key " << outcome.key << ")\n";
    return kExitOk;
}

int remove(const GlobalOptions& global, const Args& args) {
    po::options_description opts("playlists delete");
    opts.add_options()
        ("local-only", "forget it here, leave it on the server")
        ("wait", "if another plexmix is writing to the data dir, wait for it instead of failing")
        ("playlist", po::value<std::string>()->value_name("ID|NAME"), "the playlist");
    bool help = false;
    auto vm = parse_args(args, opts, one_positional("playlist"),
                         "plexmix playlists delete ID|NAME [--local-only] [--wait]", &help);
    if (help) return kExitOk;
    auto app = App::open(global);
    app->lock_writer("playlists delete", vm.count("wait") > 0, "deleting");
    const PlaylistRecord p = resolve(app->store(), playlist_word(vm, "delete"));
    if (!p.native_key.empty() && !vm.count("local-only")) {
        auto media = app->media_providers(p.provider);
        const CallResult r = media.front().provider->delete_playlist(p.native_key);
        if (!r.ok() && r.status != PMX_NOT_FOUND) {
            std::cerr << p.provider << ": could not delete playlist " << p.native_key << ": " << status_name(r.status)
                      << (r.message.empty() ? "" : ": " + r.message) << "; kept it here too\n";
            return kExitFailure;
        }
        std::cout << p.provider << ": deleted playlist \"" << p.name << "\" (key " << p.native_key << ")"
                  << (r.ok() ? "" : ", already gone from the server") << "\n";
    }
    PlaylistStore(app->store()).remove(p.id);
    std::cout << "Forgot playlist " << p.id << " (\"" << p.name << "\").\n";
    return kExitOk;
}

}  // namespace

int run_playlists(const GlobalOptions& global, const Args& args) {
    return dispatch("playlists", global, args,
                    {{"list", "list [--json]", list},
                     {"show", "show ID|NAME [--json]", show},
                     {"export", "export ID|NAME [--format m3u8|json] [--output FILE]", export_playlist},
                     {"publish", "publish ID|NAME [--wait]", publish},
                     {"delete", "delete ID|NAME [--local-only] [--wait]", remove}});
}

}  // namespace pmx::cli
