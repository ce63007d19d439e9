// Loading one plugin file: map it, validate its entry data, refuse it with a one-line reason.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <pmx/plugin.h>

#include "plugin/setting_spec.hpp"

namespace pmx {

class PluginHost;

// What a plugin declares about itself, copied out of its entry (valid after it is unloaded).
struct PluginInfo {
    std::string id;
    std::string name;
    std::string version;
    std::string description;
    uint32_t abi_major = 0;
    uint32_t abi_minor = 0;
    uint32_t max_concurrent_calls = 0;
    std::vector<std::string> interfaces;
    std::vector<SettingSpec> settings;
    std::vector<std::string> warnings;  // accepted, but worth telling the author
    std::filesystem::path path;

    bool implements(std::string_view interface_id) const;
    // "media-source, embedder" from the interface ids.
    std::string kinds() const;
};

// A mapped, validated plugin. Never unmapped before process exit: objects a plugin made must
// not outlive its code (Boost.DLL's "missuses"), and the host cannot know every such object.
class LoadedPlugin {
public:
    ~LoadedPlugin();
    LoadedPlugin(const LoadedPlugin&) = delete;
    LoadedPlugin& operator=(const LoadedPlugin&) = delete;

    const PluginInfo& info() const { return info_; }
    // The zero-filled copy of the entry (fields past the plugin's struct_size read as zero).
    const pmx_plugin_entry& entry() const { return entry_; }
    // The pmx_host given to this plugin (one per plugin, it tells the host who logs).
    const pmx_host* host_api() const;

    // Calls the plugin's init once (later calls return the first outcome). Returns an empty
    // string on success, else the reason the plugin refused to start.
    std::string initialize();
    bool initialized() const { return init_state_ == InitState::ok; }

private:
    friend struct PluginLoaderAccess;
    LoadedPlugin();

    enum class InitState { not_yet, ok, failed };
    pmx_plugin_entry entry_{};
    PluginInfo info_;
    std::unique_ptr<PluginHost> host_;
    InitState init_state_ = InitState::not_yet;
    std::string init_error_;
};

struct LoadResult {
    std::unique_ptr<LoadedPlugin> plugin;  // null when refused
    std::string error;                     // one line: why it was refused
    bool ok() const { return plugin != nullptr; }
};

// Loads and validates `path`. Before the library is mapped, its dynamic symbol table is read to
// make sure it exports pmx_entry (so a non-plugin never runs); after mapping, only the entry's
// data is read: ABI major, struct size, strings, interface list, settings and the presence of
// the required callbacks. No plugin function is called. Never throws.
LoadResult load_plugin(const std::filesystem::path& path);

// Exported dynamic symbols of a shared library, or an error (for `plugins check`).
std::vector<std::string> exported_symbols(const std::filesystem::path& path, std::string* error);

}  // namespace pmx
