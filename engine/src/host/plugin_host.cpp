// The pmx_host vtable given to each plugin.
#include "host/plugin_host.hpp"

#include <atomic>

#include "host/c_api.hpp"

#ifndef PMX_VERSION
#define PMX_VERSION "0.0.0"
#endif

namespace pmx {
namespace {

constexpr std::uint32_t kHostMagic = 0x706d7868;  // "pmxh"
constexpr const char* kHostName = "plexmix";
constexpr const char* kHostVersion = PMX_VERSION;

// pmx_host.install_id of every plugin: fixed storage, so the pointer plugins hold stays valid,
// written once before any plugin reads it.
constexpr std::size_t kMaxInstallId = 64;
char g_install_id[kMaxInstallId + 1] = {};
std::atomic<bool> g_install_id_set{false};
// The data directory behind every plugin's pmx_host.state_dir; set once before plugins load.
std::string g_data_dir;
std::atomic<bool> g_data_dir_set{false};
constexpr const char* kPluginStateFolder = "plugins";

}  // namespace

bool PluginHost::set_install_id(std::string_view id) {
    if (id.empty() || id.size() > kMaxInstallId || g_install_id_set.exchange(true)) return false;
    id.copy(g_install_id, id.size());
    g_install_id[id.size()] = '\0';
    return true;
}

bool PluginHost::set_data_dir(std::string_view data_dir) {
    if (data_dir.empty() || g_data_dir_set.exchange(true)) return false;
    g_data_dir = std::string(data_dir);
    return true;
}

PluginHost::PluginHost(std::string plugin_id) : plugin_id_(std::move(plugin_id)) {
    block_.api.struct_size = sizeof(pmx_host);
    block_.api.abi_major = PMX_ABI_MAJOR;
    block_.api.abi_minor = PMX_ABI_MINOR;
    block_.api.host_name = kHostName;
    block_.api.host_version = kHostVersion;
    block_.api.get_service = &capi::get_service;
    block_.api.install_id = g_install_id;
    // Plugin ids are [a-z0-9-]+ (the loader refuses others), so this stays inside the folder.
    if (g_data_dir_set.load() && !plugin_id_.empty()) {
        state_dir_ = g_data_dir + "/" + kPluginStateFolder + "/" + plugin_id_;
        block_.api.state_dir = state_dir_.c_str();
    }
    block_.magic = kHostMagic;
    block_.owner = this;
}

PluginHost::~PluginHost() { block_.magic = 0; }

const PluginHost* PluginHost::from(const pmx_host* host) noexcept {
    if (host == nullptr) return nullptr;
    const auto* block = reinterpret_cast<const Block*>(host);
    if (block->magic != kHostMagic) return nullptr;
    return block->owner;
}

}  // namespace pmx
