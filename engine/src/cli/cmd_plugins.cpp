// `plexmix plugins list|info|check`.
#include <iostream>

#include <boost/program_options.hpp>
#include <rapidjson/ostreamwrapper.h>
#include <rapidjson/prettywriter.h>

#include "cli/cli_support.hpp"
#include "plugin/conformance.hpp"
#include "plugin/registry.hpp"

namespace po = boost::program_options;

namespace pmx::cli {
namespace {

using JsonWriter = rapidjson::PrettyWriter<rapidjson::OStreamWrapper>;

const char* setting_type_name(pmx_setting_type type) {
    switch (type) {
        case PMX_SETTING_STRING: return "string";
        case PMX_SETTING_INT: return "int";
        case PMX_SETTING_BOOL: return "bool";
        case PMX_SETTING_DURATION: return "duration";
        case PMX_SETTING_URL: return "url";
        default: return "?";
    }
}

std::string abi_text(const PluginInfo& info) {
    return std::to_string(info.abi_major) + "." + std::to_string(info.abi_minor);
}

void write_string(JsonWriter& w, const char* key, const std::string& value) {
    w.Key(key);
    w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
}

void write_plugin(JsonWriter& w, const PluginInfo& info, bool with_settings) {
    w.StartObject();
    write_string(w, "id", info.id);
    write_string(w, "name", info.name);
    write_string(w, "version", info.version);
    write_string(w, "abi", abi_text(info));
    write_string(w, "description", info.description);
    w.Key("interfaces");
    w.StartArray();
    for (const auto& i : info.interfaces) w.String(i.c_str());
    w.EndArray();
    w.Key("max_concurrent_calls");
    w.Uint(info.max_concurrent_calls);
    write_string(w, "path", info.path.string());
    if (with_settings) {
        w.Key("settings");
        w.StartArray();
        for (const auto& s : info.settings) {
            w.StartObject();
            write_string(w, "key", s.key);
            write_string(w, "type", setting_type_name(s.type));
            w.Key("required");
            w.Bool(s.required);
            w.Key("secret");
            w.Bool(s.secret);
            w.Key("default");
            if (s.default_value && !s.secret) w.String(s.default_value->c_str());
            else w.Null();
            write_string(w, "description", s.description);
            w.EndObject();
        }
        w.EndArray();
        w.Key("warnings");
        w.StartArray();
        for (const auto& warning : info.warnings) w.String(warning.c_str());
        w.EndArray();
    }
    w.EndObject();
}

PluginRegistry discover(const GlobalOptions& global) {
    return PluginRegistry::discover(plugin_search_path(global.plugin_paths));
}

int list(const GlobalOptions& global, const Args& args) {
    po::options_description opts("plugins list");
    opts.add_options()("json", "machine-readable output");
    bool help = false;
    auto vm = parse_args(args, opts, {}, "plexmix plugins list [--json]", &help);
    if (help) return kExitOk;
    const PluginRegistry registry = discover(global);

    if (vm.count("json")) {
        rapidjson::OStreamWrapper os(std::cout);
        JsonWriter w(os);
        w.StartObject();
        w.Key("plugins");
        w.StartArray();
        for (const auto& p : registry.plugins()) write_plugin(w, p->info(), false);
        w.EndArray();
        w.Key("refused");
        w.StartArray();
        for (const auto& r : registry.refused()) {
            w.StartObject();
            write_string(w, "path", r.path.string());
            write_string(w, "reason", r.reason);
            w.EndObject();
        }
        w.EndArray();
        w.Key("search_path");
        w.StartArray();
        for (const auto& p : registry.search_path()) w.String(p.string().c_str());
        w.EndArray();
        w.EndObject();
        std::cout << "\n";
        return kExitOk;
    }

    if (registry.plugins().empty()) {
        std::cout << "No plugins found. Searched:\n";
        for (const auto& p : registry.search_path()) std::cout << "  " << p.string() << "\n";
    } else {
        std::vector<std::vector<std::string>> rows;
        for (const auto& p : registry.plugins()) {
            const auto& i = p->info();
            rows.push_back({i.id, i.version, abi_text(i), i.kinds(), i.path.string()});
        }
        print_table(std::cout, {"ID", "VERSION", "ABI", "KINDS", "PATH"}, rows);
    }
    for (const auto& r : registry.refused()) std::cerr << "refused: " << r.reason << "\n";
    for (const auto& s : registry.shadowed()) {
        std::cerr << "shadowed: " << s.path.string() << " (" << s.id << " is taken from " << s.shadowed_by.string() << ")\n";
    }
    return kExitOk;
}

int info(const GlobalOptions& global, const Args& args) {
    po::options_description opts("plugins info");
    opts.add_options()("id", po::value<std::string>()->required(), "plugin id")("json", "machine-readable output");
    po::positional_options_description pos;
    pos.add("id", 1);
    bool help = false;
    auto vm = parse_args(args, opts, pos, "plexmix plugins info ID [--json]", &help);
    if (help) return kExitOk;
    const auto id = vm["id"].as<std::string>();
    const PluginRegistry registry = discover(global);
    const LoadedPlugin* plugin = registry.find(id);
    if (!plugin) {
        std::cerr << "plexmix: no plugin with id '" << id << "' (see 'plexmix plugins list')\n";
        return kExitFailure;
    }
    const PluginInfo& i = plugin->info();
    if (vm.count("json")) {
        rapidjson::OStreamWrapper os(std::cout);
        JsonWriter w(os);
        write_plugin(w, i, true);
        std::cout << "\n";
        return kExitOk;
    }
    std::cout << i.name << " (" << i.id << ") " << i.version << "\n";
    if (!i.description.empty()) std::cout << i.description << "\n";
    std::cout << "\n  ABI          " << abi_text(i) << "\n  interfaces   ";
    for (size_t k = 0; k < i.interfaces.size(); ++k) std::cout << (k ? ", " : "") << i.interfaces[k];
    std::cout << "\n  concurrency  "
              << (i.max_concurrent_calls > 1 ? std::to_string(i.max_concurrent_calls) + " calls at once"
                                             : std::string("calls serialized"))
              << "\n  path         " << i.path.string() << "\n";
    for (const auto& w : i.warnings) std::cout << "  warning      " << w << "\n";
    std::cout << "\nSettings (besides the host's: timeout, connect_timeout, deadline, retries, concurrency, rpm):\n";
    if (i.settings.empty()) std::cout << "  (none)\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& s : i.settings) {
        std::string flags = s.required ? "required" : "";
        if (s.secret) flags += flags.empty() ? "secret" : ", secret";
        const std::string def = s.default_value ? (s.secret ? "***" : *s.default_value) : "";
        rows.push_back({"  " + s.key, setting_type_name(s.type), def, flags, s.description});
    }
    // Every column under a heading; long descriptions wrap under their own column.
    if (!rows.empty()) {
        print_table(std::cout, {"  KEY", "TYPE", "DEFAULT", "FLAGS", "DESCRIPTION"}, rows, output_columns());
    }
    return kExitOk;
}

int check(const GlobalOptions&, const Args& args) {
    po::options_description opts("plugins check");
    opts.add_options()
        ("path", po::value<std::string>()->required(), "the plugin file (.so)")
        ("set", po::value<std::vector<std::string>>()->composing()->value_name("KEY=VALUE"),
         "a setting for the instance the checks create (repeatable)")
        ("json", "machine-readable output");
    po::positional_options_description pos;
    pos.add("path", 1);
    bool help = false;
    auto vm = parse_args(args, opts, pos, "plexmix plugins check PATH [--set KEY=VALUE]... [--json]", &help);
    if (help) return kExitOk;

    SettingList settings;
    if (vm.count("set")) {
        for (const auto& kv : vm["set"].as<std::vector<std::string>>()) {
            const auto eq = kv.find('=');
            if (eq == std::string::npos || eq == 0) throw UsageError("--set wants KEY=VALUE, got '" + kv + "'");
            settings.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
        }
    }
    const CheckReport report = check_plugin(vm["path"].as<std::string>(), settings);
    const int code = !report.conforms() ? kExitFailure : report.incomplete() ? kExitUsage : kExitOk;

    if (vm.count("json")) {
        rapidjson::OStreamWrapper os(std::cout);
        JsonWriter w(os);
        w.StartObject();
        write_string(w, "path", report.path.string());
        w.Key("conforms");
        w.Bool(report.conforms());
        w.Key("complete");
        w.Bool(!report.incomplete());
        w.Key("plugin");
        if (report.info) write_plugin(w, *report.info, true);
        else w.Null();
        w.Key("checks");
        w.StartArray();
        for (const auto& item : report.items) {
            w.StartObject();
            write_string(w, "result", check_level_name(item.level));
            write_string(w, "check", item.what);
            w.EndObject();
        }
        w.EndArray();
        w.EndObject();
        std::cout << "\n";
        return code;
    }
    std::cout << "Checking " << report.path.string() << "\n";
    size_t failures = 0;
    for (const auto& item : report.items) {
        std::cout << "  " << check_level_name(item.level) << std::string(6 - std::string(check_level_name(item.level)).size(), ' ')
                  << item.what << "\n";
        if (item.level == CheckLevel::fail) ++failures;
    }
    if (failures) std::cout << failures << " violation" << (failures == 1 ? "" : "s") << " of the plugin contract.\n";
    else if (report.incomplete()) std::cout << "No violation found, but some checks were skipped.\n";
    else std::cout << "The plugin conforms to the contract.\n";
    return code;
}

}  // namespace

int run_plugins(const GlobalOptions& global, const Args& args) {
    return dispatch("plugins", global, args,
                    {{"list", "list [--json]", list},
                     {"info", "info ID [--json]", info},
                     {"check", "check PATH [--set KEY=VALUE]... [--json]", check}});
}

}  // namespace pmx::cli
