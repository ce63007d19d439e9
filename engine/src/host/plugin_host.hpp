// The pmx_host a loaded plugin is given: host identity and its services (log, HTTP).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

#include <pmx/plugin.h>

namespace pmx {

// One per loaded plugin. api() is what init() receives; it tells the host services which plugin
// is speaking (log lines are tagged "[plugin-id]"). Not movable: plugins keep the pointer until
// exit, so the PluginHost must live as long as the plugin is mapped.
class PluginHost {
public:
    explicit PluginHost(std::string plugin_id);
    ~PluginHost();
    PluginHost(const PluginHost&) = delete;
    PluginHost& operator=(const PluginHost&) = delete;

    // struct_size, abi_major/minor = PMX_ABI_MAJOR/MINOR, host_name "plexmix", host_version,
    // get_service: PMX_SERVICE_LOG -> const pmx_host_log*, PMX_SERVICE_HTTP -> const
    // pmx_host_http*, anything else -> NULL.
    const pmx_host* api() const { return &block_.api; }
    const std::string& plugin_id() const { return plugin_id_; }

    // The PluginHost whose api() this is; nullptr for a pointer the host did not give out.
    static const PluginHost* from(const pmx_host* host) noexcept;

    // Sets pmx_host.install_id for every plugin (config/data_dir.hpp install_id()). Call it
    // before any plugin is initialised: plugins read it when they make instances. A later
    // call is ignored (the id plugins saw must not change under them); returns whether it
    // took effect.
    static bool set_install_id(std::string_view id);
    // Sets the data directory whose plugins/<plugin id> is each plugin's pmx_host.state_dir
    // (ABI 1.4). Like set_install_id: before any plugin is initialised, once; returns whether
    // it took effect. Without it plugins get no state_dir.
    static bool set_data_dir(std::string_view data_dir);

private:
    // pmx_host first, so a pmx_host* given to the plugin converts back to the Block.
    struct Block {
        pmx_host api;
        std::uint32_t magic;
        const PluginHost* owner;
    };
    static_assert(std::is_standard_layout_v<Block>);

    Block block_{};
    std::string plugin_id_;
    std::string state_dir_;  // what block_.api.state_dir points into
};

}  // namespace pmx
