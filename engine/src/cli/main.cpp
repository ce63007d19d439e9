// plexmix: the thin CLI host over the engine library (global options, then a subcommand).
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include <boost/program_options.hpp>
#include <pmx/plugin.h>

#include "cli/commands.hpp"
#include "cli/cli_support.hpp"
#include "net/cancel.hpp"
#include "net/http_client.hpp"

namespace po = boost::program_options;
using namespace pmx::cli;

namespace {

struct Command {
    const char* name;
    const char* summary;
    int (*run)(const GlobalOptions&, const Args&);
};

constexpr Command kCommands[] = {
    {"config", "show or check the configuration (config show|check)", run_config},
    {"plugins", "list, describe and check plugins (plugins list|info|check PATH)", run_plugins},
    {"sync", "mirror the media servers into the local store (sync [--full], sync verify)", run_sync},
    {"status", "what is mirrored, and how the last syncs went", run_status},
    {"embeddings", "embed the tracks' text for search (embeddings generate|status|rebuild)", run_embeddings},
    {"tags", "tag tracks with moods, environments and instruments by LLM (tags generate|status|show|clear)", run_tags},
    {"search", "find tracks by keywords and meaning (search \"QUERY\" [--limit N] [--json])", run_search},
    {"create", "make a playlist from one sentence (create \"PROMPT\" [--limit N] [--duration 45m] [--dry-run])", run_create},
    {"playlists", "the playlists plexmix made (playlists list|show|export|delete)", run_playlists},
    {"demo", "the main job on a bundled sample library, offline (demo [\"PROMPT\"])", run_demo},
};

void print_usage(std::ostream& out, const po::options_description& global) {
    out << "usage: plexmix [global options] <command> [<args>]\n\n"
           "Turns a music library on Plex or Jellyfin into playlists from one sentence.\n\n"
           "Commands:\n";
    for (const auto& c : kCommands) out << "  " << c.name << std::string(12 - std::strlen(c.name), ' ') << c.summary << "\n";
    out << "\n" << global << "\nRun 'plexmix <command> --help' for a command's options.\n";
}

// "-vv" means "-v -v"; Boost.Program_options does not count repeated short flags by itself.
std::vector<std::string> expand_short_flags(int argc, char** argv) {
    std::vector<std::string> out;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a.size() > 2 && a[0] == '-' && a[1] != '-' && a.find_first_not_of('v', 1) == std::string::npos) {
            out.insert(out.end(), a.size() - 1, "-v");
        } else {
            out.push_back(std::move(a));
        }
    }
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    po::options_description global("Global options");
    global.add_options()
        ("help,h", "show this help")
        ("version", "print the version")
        ("config,c", po::value<std::string>()->value_name("PATH"),
         "configuration file (else $PLEXMIX_CONFIG, else $XDG_CONFIG_HOME/plexmix/plexmix.yaml)")
        ("plugin-path", po::value<std::vector<std::string>>()->value_name("DIR")->composing(),
         "look for plugins here first (repeatable; also $PLEXMIX_PLUGIN_PATH)")
        ("verbose,v", po::value<int>()->zero_tokens()->implicit_value(1), "more output (-vv for trace)")
        ("quiet,q", "only errors");
    po::options_description hidden;
    hidden.add_options()
        ("command", po::value<std::string>())
        ("args", po::value<std::vector<std::string>>());
    po::options_description all;
    all.add(global).add(hidden);
    po::positional_options_description positional;
    positional.add("command", 1).add("args", -1);

    GlobalOptions options;
    std::string command;
    Args args;
    try {
        const auto words = expand_short_flags(argc, argv);
        const auto parsed = po::command_line_parser(words).options(all).positional(positional).allow_unregistered().run();
        po::variables_map vm;
        po::store(parsed, vm);
        po::notify(vm);
        for (const auto& o : parsed.options) {
            if (o.string_key == "verbose") ++options.verbosity;
            if (o.string_key == "quiet") options.verbosity = -1;
        }
        if (vm.count("config")) options.config_path = vm["config"].as<std::string>();
        if (vm.count("plugin-path")) options.plugin_paths = vm["plugin-path"].as<std::vector<std::string>>();
        if (vm.count("version")) {
            std::cout << "plexmix " << PMX_VERSION_STRING << " (plugin ABI " << PMX_ABI_MAJOR << "." << PMX_ABI_MINOR
                      << ")\n";
            return kExitOk;
        }
        if (!vm.count("command")) {
            print_usage(vm.count("help") ? std::cout : std::cerr, global);
            return vm.count("help") ? kExitOk : kExitUsage;
        }
        command = vm["command"].as<std::string>();
        args = po::collect_unrecognized(parsed.options, po::include_positional);
        args.erase(args.begin());  // the command itself
        // After the subcommand words: `plexmix playlists export --help` is export's help.
        if (vm.count("help")) args.push_back("--help");
    } catch (const po::error& e) {
        std::cerr << "plexmix: " << e.what() << "\n";
        return kExitUsage;
    }

    for (const auto& c : kCommands) {
        if (command == c.name) {
            init_cli_logging(options);
            pmx::ensure_curl_initialized();  // before any thread starts (curl_global_init is not thread-safe)
            pmx::install_interrupt_handler();
            return run_guarded(c.run, options, args);
        }
    }
    std::cerr << "plexmix: '" << command << "' is not a command. See 'plexmix --help'.\n";
    return kExitUsage;
}
