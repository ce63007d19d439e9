// The CLI's subcommands: each takes the global options and the words after its name.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace pmx::cli {

// Exit codes (ARCHITECTURE.md): 0 ok, 1 failure at run time, 2 usage or configuration
// error, 130 interrupted.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitInterrupted = 130;

struct GlobalOptions {
    std::optional<std::string> config_path;  // --config
    std::vector<std::string> plugin_paths;   // --plugin-path (repeatable, also ':'-separated)
    int verbosity = 0;                       // -v (+1 each), -q (-1)
};

using Args = std::vector<std::string>;

int run_config(const GlobalOptions& global, const Args& args);   // config show|check
int run_plugins(const GlobalOptions& global, const Args& args);  // plugins list|info|check
int run_sync(const GlobalOptions& global, const Args& args);     // sync [--full], sync verify
int run_status(const GlobalOptions& global, const Args& args);   // status
int run_embeddings(const GlobalOptions& global, const Args& args);  // embeddings generate|status|rebuild
int run_search(const GlobalOptions& global, const Args& args);      // search QUERY
int run_create(const GlobalOptions& global, const Args& args);      // create "PROMPT" [options]
int run_playlists(const GlobalOptions& global, const Args& args);   // playlists list|show|export|delete
int run_tags(const GlobalOptions& global, const Args& args);        // tags generate|status|show|clear
int run_demo(const GlobalOptions& global, const Args& args);        // demo ["PROMPT"]

}  // namespace pmx::cli
