// Plugin discovery along the search path.
#include "plugin/registry.hpp"

#include <algorithm>
#include <cstdlib>
#include <set>

#include <boost/dll/runtime_symbol_info.hpp>
#include <spdlog/spdlog.h>

#include "util/log.hpp"

namespace pmx {
namespace {

constexpr std::string_view kPluginExtension = ".so";

void append_split(std::vector<std::filesystem::path>& out, std::string_view list) {
    while (!list.empty()) {
        const auto colon = list.find(':');
        const auto part = list.substr(0, colon);
        if (!part.empty()) out.emplace_back(std::string(part));
        if (colon == std::string_view::npos) break;
        list.remove_prefix(colon + 1);
    }
}

std::filesystem::path executable_dir() {
    std::error_code ec;
    auto exe = boost::dll::program_location(ec);
    if (ec) return {};
    return exe.parent_path();
}

}  // namespace

std::vector<std::filesystem::path> plugin_search_path(const std::vector<std::string>& cli_paths) {
    std::vector<std::filesystem::path> candidates;
    for (const auto& p : cli_paths) append_split(candidates, p);
    if (const char* env = std::getenv("PLEXMIX_PLUGIN_PATH")) append_split(candidates, env);
    if (const char* home = std::getenv("HOME"); home && *home) {
        candidates.push_back(std::filesystem::path(home) / ".local/lib/plexmix/plugins");
    }
    if (const auto exe_dir = executable_dir(); !exe_dir.empty()) {
        candidates.push_back((exe_dir / ".." / PMX_PLUGIN_INSTALL_SUBDIR).lexically_normal());
        candidates.push_back(exe_dir);
    }
    std::vector<std::filesystem::path> out;
    std::set<std::filesystem::path> seen;
    for (auto& c : candidates) {
        std::error_code ec;
        auto key = std::filesystem::weakly_canonical(c, ec);
        if (ec) key = c;
        if (seen.insert(key).second) out.push_back(std::move(c));
    }
    return out;
}

PluginRegistry PluginRegistry::discover(const std::vector<std::filesystem::path>& search_path) {
    PluginRegistry registry;
    registry.search_path_ = search_path;
    for (const auto& entry : search_path) {
        std::error_code ec;
        if (std::filesystem::is_regular_file(entry, ec)) {
            registry.add_file(entry);
            continue;
        }
        if (!std::filesystem::is_directory(entry, ec)) continue;
        std::vector<std::filesystem::path> files;
        for (const auto& f : std::filesystem::directory_iterator(entry, ec)) {
            if (f.path().extension() == kPluginExtension && f.is_regular_file(ec)) files.push_back(f.path());
        }
        std::sort(files.begin(), files.end());
        for (const auto& f : files) registry.add_file(f);
    }
    return registry;
}

void PluginRegistry::add_file(const std::filesystem::path& file) {
    LoadResult loaded = load_plugin(file);
    if (!loaded.ok()) {
        // Kept for the front ends (plugins list, the "no plugin" error); the console would repeat it.
        log_to_file(LogLevel::warn, "plugin refused: " + loaded.error);
        refused_.push_back({file, loaded.error});
        return;
    }
    if (const LoadedPlugin* existing = find(loaded.plugin->info().id)) {
        spdlog::debug("plugin {} at {} is shadowed by {}", loaded.plugin->info().id, file.string(),
                      existing->info().path.string());
        shadowed_.push_back({loaded.plugin->info().id, file, existing->info().path});
        return;
    }
    plugins_.push_back(std::move(loaded.plugin));
}

LoadedPlugin* PluginRegistry::find(std::string_view id) const {
    for (const auto& p : plugins_) {
        if (p->info().id == id) return p.get();
    }
    return nullptr;
}

}  // namespace pmx
