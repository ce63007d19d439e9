// Loading one plugin: probe the file, map it, copy and validate the entry, keep it mapped.
#include "plugin/loader.hpp"

#include <algorithm>
#include <cstring>
#include <mutex>

#include <boost/dll/shared_library.hpp>
#include <spdlog/spdlog.h>

#include "host/plugin_host.hpp"
#include "host/provider_runtime.hpp"
#include "plugin/elf_probe.hpp"
#include "util/text.hpp"

namespace pmx {
namespace {

// The size of the entry in ABI 1.0: every field up to get_interface is required.
constexpr std::size_t kEntryV1Size = offsetof(pmx_plugin_entry, get_interface) + sizeof(void*);
constexpr std::size_t kSettingSpecV1Size =
    offsetof(pmx_setting_spec, description) + sizeof(const char*);
constexpr std::size_t kMaxIdLength = 64;
constexpr std::size_t kMaxTextLength = 4096;
constexpr std::size_t kMaxListLength = 256;

// Libraries are never unmapped before exit (see LoadedPlugin). Leaked on purpose: their
// destructors would dlclose at static-destruction time, after objects they made may be gone.
std::mutex& libraries_mutex() {
    static std::mutex m;
    return m;
}
std::vector<boost::dll::shared_library>& mapped_libraries() {
    static auto* libs = new std::vector<boost::dll::shared_library>();
    return *libs;
}

bool valid_id(std::string_view id) {
    if (id.empty() || id.size() > kMaxIdLength) return false;
    return std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
}

bool valid_setting_key(std::string_view key) {
    if (key.empty() || key.size() > kMaxIdLength) return false;
    return std::all_of(key.begin(), key.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

// A plugin's string, read with a bound so a missing terminator cannot run away.
std::optional<std::string> bounded(const char* s) {
    if (s == nullptr) return std::nullopt;
    const std::size_t len = strnlen(s, kMaxTextLength);
    if (len == kMaxTextLength) return std::nullopt;
    return std::string(s, len);
}

const std::vector<std::string_view>& host_owned_keys() {
    static const std::vector<std::string_view> keys = {
        "plugin", "timeout", "connect_timeout", "deadline", "retries", "concurrency", "rpm"};
    return keys;
}

std::string interface_kind(std::string_view id) {
    if (id == PMX_IFACE_MEDIA_SOURCE) return "media-source";
    if (id == PMX_IFACE_EMBEDDER) return "embedder";
    if (id == PMX_IFACE_COMPLETER) return "completer";
    return std::string(id);
}

// Validates the entry's data and copies it into `info`. Returns an error or "".
std::string read_entry(const pmx_plugin_entry& e, PluginInfo& info) {
    auto id = bounded(e.id);
    if (!id) return "its entry has no id";
    if (!valid_id(*id)) return "its id \"" + id->substr(0, kMaxIdLength) + "\" is not [a-z0-9-]+ (at most 64)";
    info.id = *id;
    auto name = bounded(e.name);
    auto version = bounded(e.version);
    if (!name || name->empty()) return "plugin " + info.id + " has no name";
    if (!version || version->empty()) return "plugin " + info.id + " has no version";
    info.name = *name;
    info.version = *version;
    info.description = bounded(e.description).value_or("");
    info.max_concurrent_calls = e.max_concurrent_calls;

    if (e.interfaces == nullptr) return "plugin " + info.id + " declares no interfaces";
    for (std::size_t i = 0; e.interfaces[i] != nullptr; ++i) {
        if (i >= kMaxListLength) return "plugin " + info.id + "'s interface list is not NULL-terminated";
        auto iface = bounded(e.interfaces[i]);
        if (!iface || iface->empty()) return "plugin " + info.id + " has an empty interface id";
        if (iface->rfind("pmx.", 0) != 0 || iface->find('/') == std::string::npos) {
            return "plugin " + info.id + " declares interface \"" + *iface + "\", not of the form pmx.<name>/<rev>";
        }
        info.interfaces.push_back(*iface);
    }
    if (info.interfaces.empty()) return "plugin " + info.id + " declares no interfaces";
    const bool knows_one = std::any_of(info.interfaces.begin(), info.interfaces.end(), [](const std::string& i) {
        return i == PMX_IFACE_MEDIA_SOURCE || i == PMX_IFACE_EMBEDDER || i == PMX_IFACE_COMPLETER;
    });
    if (!knows_one) return "plugin " + info.id + " implements no interface this host knows (" + info.kinds() + ")";

    if (e.create == nullptr) return "plugin " + info.id + " has no create() callback";
    if (e.destroy == nullptr) return "plugin " + info.id + " has no destroy() callback";
    if (e.get_interface == nullptr) return "plugin " + info.id + " has no get_interface() callback";

    if (e.settings != nullptr) {
        for (std::size_t i = 0; e.settings[i] != nullptr; ++i) {
            if (i >= kMaxListLength) return "plugin " + info.id + "'s settings list is not NULL-terminated";
            pmx_setting_spec spec{};
            const pmx_setting_spec* given = e.settings[i];
            if (given->struct_size < kSettingSpecV1Size) {
                return "plugin " + info.id + "'s setting #" + std::to_string(i + 1) + " is " +
                       std::to_string(given->struct_size) + " bytes, ABI 1.0 needs " +
                       std::to_string(kSettingSpecV1Size);
            }
            std::memcpy(&spec, given, std::min<std::size_t>(given->struct_size, sizeof spec));
            auto key = bounded(spec.key);
            if (!key || !valid_setting_key(*key)) {
                return "plugin " + info.id + "'s setting #" + std::to_string(i + 1) + " has no valid key ([a-z0-9_]+)";
            }
            if (std::find(host_owned_keys().begin(), host_owned_keys().end(), *key) != host_owned_keys().end()) {
                return "plugin " + info.id + " declares setting \"" + *key + "\", which the host owns";
            }
            if (spec.type < PMX_SETTING_STRING || spec.type > PMX_SETTING_URL) {
                return "plugin " + info.id + "'s setting \"" + *key + "\" has unknown type " + std::to_string(spec.type);
            }
            for (const auto& seen : info.settings) {
                if (seen.key == *key) return "plugin " + info.id + " declares setting \"" + *key + "\" twice";
            }
            SettingSpec out;
            out.key = *key;
            out.type = spec.type;
            out.required = (spec.flags & PMX_SETTING_REQUIRED) != 0;
            out.secret = (spec.flags & PMX_SETTING_SECRET) != 0;
            if (spec.default_value != nullptr) out.default_value = bounded(spec.default_value);
            out.description = bounded(spec.description).value_or("");
            info.settings.push_back(std::move(out));
        }
    }
    return "";
}

}  // namespace

// Grants load_plugin access to LoadedPlugin's private constructor and fields.
struct PluginLoaderAccess {
    static std::unique_ptr<LoadedPlugin> make() { return std::unique_ptr<LoadedPlugin>(new LoadedPlugin()); }
    static pmx_plugin_entry& entry(LoadedPlugin& p) { return p.entry_; }
    static PluginInfo& info(LoadedPlugin& p) { return p.info_; }
    static void set_host(LoadedPlugin& p, std::unique_ptr<PluginHost> h) { p.host_ = std::move(h); }
};

bool PluginInfo::implements(std::string_view interface_id) const {
    return std::find(interfaces.begin(), interfaces.end(), interface_id) != interfaces.end();
}

std::string PluginInfo::kinds() const {
    std::vector<std::string> names;
    for (const auto& i : interfaces) names.push_back(interface_kind(i));
    return join(names);
}

LoadedPlugin::LoadedPlugin() = default;

LoadedPlugin::~LoadedPlugin() {
    if (init_state_ == InitState::ok && entry_.deinit != nullptr) {
        try {
            entry_.deinit();
        } catch (...) {
            spdlog::error("plugin {} let an exception escape from deinit()", info_.id);
        }
    }
}

const pmx_host* LoadedPlugin::host_api() const { return host_->api(); }

std::string LoadedPlugin::initialize() {
    if (init_state_ != InitState::not_yet) return init_error_;
    init_state_ = InitState::ok;
    if (entry_.init == nullptr) return "";
    ProviderRuntime runtime(info_.id, info_.id, CallPolicy{}, 1);
    InvokeOptions options;
    options.retry = false;
    const CallResult result = runtime.invoke(
        "init", [&](const pmx_call* call) { return entry_.init(host_api(), call); }, options);
    if (!result.ok()) {
        init_state_ = InitState::failed;
        init_error_ = "plugin " + info_.id + " refused to start: " + status_name(result.status) +
                      (result.message.empty() ? "" : ": " + result.message);
    }
    return init_error_;
}

std::vector<std::string> exported_symbols(const std::filesystem::path& path, std::string* error) {
    auto probe = probe_elf(path, error);
    return probe ? probe->exported : std::vector<std::string>{};
}

LoadResult load_plugin(const std::filesystem::path& path) {
    const std::string where = path.string() + ": ";
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) return {nullptr, where + "not a regular file"};

    std::string probe_error;
    const auto probe = probe_elf(path, &probe_error);
    if (!probe) return {nullptr, where + probe_error};
    if (!probe->has_entry) return {nullptr, where + "not a plexmix plugin (it does not export " PMX_ENTRY_SYMBOL ")"};
    if (probe->abi_major && *probe->abi_major != PMX_ABI_MAJOR) {
        return {nullptr, where + "built for plugin ABI " + std::to_string(*probe->abi_major) + "." +
                             std::to_string(probe->abi_minor.value_or(0)) + ", this host speaks ABI " +
                             std::to_string(PMX_ABI_MAJOR) + ".x"};
    }
    if (probe->struct_size && *probe->struct_size < kEntryV1Size) {
        return {nullptr, where + "its entry is " + std::to_string(*probe->struct_size) + " bytes, ABI 1.0 needs " +
                             std::to_string(kEntryV1Size)};
    }
    if (probe->entry_symbol_size != 0 && probe->entry_symbol_size < kEntryV1Size) {
        return {nullptr, where + "its " PMX_ENTRY_SYMBOL " symbol is " + std::to_string(probe->entry_symbol_size) +
                             " bytes, ABI 1.0 needs " + std::to_string(kEntryV1Size)};
    }

    boost::dll::shared_library library;
    try {
        library.load(path, boost::dll::load_mode::rtld_lazy | boost::dll::load_mode::rtld_local);
    } catch (const std::exception& e) {
        std::string reason = e.what();
        std::replace(reason.begin(), reason.end(), '\n', ' ');
        return {nullptr, where + "cannot be loaded: " + reason};
    }
    if (!library.has(PMX_ENTRY_SYMBOL)) return {nullptr, where + "not a plexmix plugin (no " PMX_ENTRY_SYMBOL ")"};
    const auto& given = library.get<const pmx_plugin_entry>(PMX_ENTRY_SYMBOL);

    // The same checks on the mapped data (the file probe may not have seen the bytes).
    if (given.abi_major != PMX_ABI_MAJOR) {
        return {nullptr, where + "built for plugin ABI " + std::to_string(given.abi_major) + "." +
                             std::to_string(given.abi_minor) + ", this host speaks ABI " +
                             std::to_string(PMX_ABI_MAJOR) + ".x"};
    }
    if (given.struct_size < kEntryV1Size) {
        return {nullptr, where + "its entry is " + std::to_string(given.struct_size) + " bytes, ABI 1.0 needs " +
                             std::to_string(kEntryV1Size)};
    }
    if (given.struct_size > sizeof(pmx_plugin_entry) && given.abi_minor <= PMX_ABI_MINOR) {
        return {nullptr, where + "its entry is " + std::to_string(given.struct_size) + " bytes, larger than ABI 1." +
                             std::to_string(given.abi_minor) + " defines (" + std::to_string(sizeof(pmx_plugin_entry)) +
                             "): corrupt"};
    }

    auto plugin = PluginLoaderAccess::make();
    pmx_plugin_entry& entry = PluginLoaderAccess::entry(*plugin);
    std::memcpy(&entry, &given, std::min<std::size_t>(given.struct_size, sizeof entry));
    PluginInfo& info = PluginLoaderAccess::info(*plugin);
    info.abi_major = entry.abi_major;
    info.abi_minor = entry.abi_minor;
    info.path = std::filesystem::absolute(path, ec);
    if (ec) info.path = path;
    if (auto reason = read_entry(entry, info); !reason.empty()) return {nullptr, where + reason};

    if (given.abi_minor > PMX_ABI_MINOR) {
        info.warnings.push_back("built for ABI 1." + std::to_string(given.abi_minor) + "; this host speaks 1." +
                                std::to_string(PMX_ABI_MINOR) + " and ignores newer fields");
    }
    const auto exported_count = probe->exported.size();
    if (exported_count > 1) {
        info.warnings.push_back("exports " + std::to_string(exported_count) +
                                " symbols; only " PMX_ENTRY_SYMBOL " should be visible (build with hidden visibility)");
    }
    PluginLoaderAccess::set_host(*plugin, std::make_unique<PluginHost>(info.id));
    {
        std::lock_guard lock(libraries_mutex());
        mapped_libraries().push_back(std::move(library));
    }
    return {std::move(plugin), ""};
}

}  // namespace pmx
