// Plugin discovery: the search path in its documented order, and the plugins found on it.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "plugin/loader.hpp"

namespace pmx {

// Where plugins are looked for, in order (an earlier folder wins when two hold the same id):
//   1. each --plugin-path (repeatable; ':'-separated lists allowed; a file names one plugin)
//   2. $PLEXMIX_PLUGIN_PATH (':'-separated)
//   3. ~/.local/lib/plexmix/plugins
//   4. the installation's lib/plexmix/plugins (relative to the executable: ../lib/plexmix/plugins)
//   5. the folder beside the executable
std::vector<std::filesystem::path> plugin_search_path(const std::vector<std::string>& cli_paths);

struct PluginRefusal {
    std::filesystem::path path;
    std::string reason;  // one line, names the file
};

struct PluginShadowed {
    std::string id;
    std::filesystem::path path;         // ignored copy
    std::filesystem::path shadowed_by;  // the one in use
};

class PluginRegistry {
public:
    // Loads every *.so in each folder of `search_path` (and every file named directly).
    // Never throws: refused files are listed with their reasons.
    static PluginRegistry discover(const std::vector<std::filesystem::path>& search_path);

    const std::vector<std::unique_ptr<LoadedPlugin>>& plugins() const { return plugins_; }
    const std::vector<PluginRefusal>& refused() const { return refused_; }
    const std::vector<PluginShadowed>& shadowed() const { return shadowed_; }
    const std::vector<std::filesystem::path>& search_path() const { return search_path_; }

    // The plugin with this id, or nullptr.
    LoadedPlugin* find(std::string_view id) const;

private:
    void add_file(const std::filesystem::path& file);

    std::vector<std::filesystem::path> search_path_;
    std::vector<std::unique_ptr<LoadedPlugin>> plugins_;
    std::vector<PluginRefusal> refused_;
    std::vector<PluginShadowed> shadowed_;
};

}  // namespace pmx
