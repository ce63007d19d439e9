// The contract checks behind `plexmix plugins check`.
#include "plugin/conformance.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>

#include <rapidjson/document.h>

#include "config/provider_settings.hpp"
#include "config/values.hpp"
#include "net/cancel.hpp"
#include "plugin/elf_probe.hpp"
#include "util/redact.hpp"

namespace pmx {
namespace {

constexpr const char* kUnknownInterface = "pmx.no-such-interface/1";
constexpr double kNormTolerance = 1e-3;
constexpr std::size_t kLongTextChars = 20'000;
constexpr std::size_t kSlackFloats = 64;
constexpr float kSlackValue = -7.25e30f;
constexpr const char* kProviderName = "check";  // the instance's name in messages and logs
constexpr const char* kSetOption = "--set";     // where override values come from, in messages

class Checker {
public:
    explicit Checker(CheckReport& report) : report_(report) {}

    // Every text passes redact(): a plugin may echo a secret setting in a message or a name.
    void pass(std::string what) { add(CheckLevel::pass, what); }
    void warn(std::string what) { add(CheckLevel::warn, what); }
    void fail(std::string what) { add(CheckLevel::fail, what); }
    void skip(std::string what) { add(CheckLevel::skip, what); }
    // Records pass/fail of `ok` and returns it.
    bool expect(bool ok, const std::string& what, const std::string& detail = "") {
        if (ok) pass(what);
        else fail(what + (detail.empty() ? "" : ": " + detail));
        return ok;
    }

private:
    void add(CheckLevel level, std::string_view what) { report_.items.push_back({level, redact(what)}); }

    CheckReport& report_;
};

// The settings for the instance: --set values and declared defaults, normalised and checked as
// a provider's settings in a config are (resolve_provider_settings()), secrets registered for
// redaction before anything can show them. nullopt (with a skip: the user's mistake, not the
// plugin's) when a value is refused or a required setting has neither a value nor a default.
std::optional<SettingList> check_settings(Checker& c, const PluginInfo& info, const SettingList& overrides) {
    ProviderConfig provider;
    provider.name = kProviderName;
    provider.plugin = info.id;
    provider.mark = Mark{kSetOption};
    for (const auto& [key, value] : overrides) {
        if (looks_like_credential_key(key)) register_secret(value);  // as the config loader does
        provider.settings.push_back(SettingValue{key, value, Mark{kSetOption}, Mark{kSetOption}, false, {}});
    }
    for (const auto& spec : info.settings) {
        const SettingValue* given = provider.find_setting(spec.key);
        if (spec.required && !spec.default_value && (given == nullptr || given->value.empty())) {
            c.skip("instance: required setting \"" + spec.key + "\" has no default; pass --set " + spec.key +
                   "=VALUE to run the interface checks");
            return std::nullopt;
        }
    }
    try {
        return resolve_provider_settings(provider, info.settings);
    } catch (const ConfigError& e) {
        for (const auto& issue : e.issues()) c.skip("settings: " + issue.to_string());
        c.skip("instance: not created (the settings above were refused), interface checks not run");
        return std::nullopt;
    }
}

std::string describe(const CallResult& r) {
    return status_name(r.status) + (r.message.empty() ? "" : " (" + r.message + ")");
}

bool valid_utf8(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
        const auto lead = static_cast<unsigned char>(s[i]);
        size_t extra = 0;
        if (lead < 0x80) extra = 0;
        else if ((lead >> 5) == 0x6) extra = 1;
        else if ((lead >> 4) == 0xE) extra = 2;
        else if ((lead >> 3) == 0x1E) extra = 3;
        else return false;
        if (extra > s.size() - i - 1) return false;
        for (size_t k = 1; k <= extra; ++k) {
            if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
        }
        i += extra + 1;
    }
    return true;
}

// Calls `plugin_fn` through the runtime with a token that is cancelled just before the plugin
// runs, and expects the plugin itself to answer CANCELLED (the runtime would report CANCELLED
// anyway, so the plugin's own answer is what is checked).
void expect_cancelled(Checker& c, Provider& provider, const std::string& kind, const char* operation,
                      const std::function<pmx_status(const pmx_call*)>& plugin_fn) {
    CancelToken token;
    InvokeOptions options;
    options.cancel = &token;
    options.retry = false;
    pmx_status answered = PMX_INTERNAL;
    provider.runtime().invoke(
        operation,
        [&](const pmx_call* call) {
            token.cancel();
            answered = plugin_fn(call);
            return answered;
        },
        options);
    c.expect(answered == PMX_CANCELLED, kind + ": a cancelled call returns CANCELLED",
             std::string("got ") + status_name(answered));
}

void check_completer(Checker& c, Provider& provider) {
    CompleterInfo info;
    CallResult r = provider.completer_info(&info);
    if (c.expect(r.ok(), "completer: info() answers OK when present", describe(r))) {
        if (provider.instance().completer()->info == nullptr) {
            c.pass("completer: no info() (a plugin before ABI 1.3): requests are not sized to a context window");
        } else {
            c.expect(info.context_tokens == 0 || info.max_output_tokens < info.context_tokens,
                     "completer: info()'s output cap is below its context window",
                     std::to_string(info.max_output_tokens) + " ≥ " + std::to_string(info.context_tokens));
            c.pass("completer: model \"" + info.model + "\", context " +
                   (info.context_tokens ? std::to_string(info.context_tokens) + " tokens" : std::string("unknown")) +
                   (info.max_output_tokens ? ", answers up to " + std::to_string(info.max_output_tokens) + " tokens"
                                           : std::string()));
        }
    }

    CompletionRequest request;
    request.system = "You are a conformance check. Answer briefly.";
    request.messages.push_back({PMX_ROLE_USER, "Say hello to plexmix."});
    std::string text;
    r = provider.complete(request, &text);
    if (c.expect(r.ok(), "completer: complete() answers OK", describe(r))) {
        c.expect(!text.empty(), "completer: the answer is not empty");
        c.expect(valid_utf8(text), "completer: the answer is valid UTF-8");
    }

    request.json = true;
    request.messages.back().content = "Answer with a JSON object {\"greeting\": string}.";
    r = provider.complete(request, &text);
    if (c.expect(r.ok(), "completer: complete() in JSON mode answers OK", describe(r))) {
        rapidjson::Document doc;
        doc.Parse(text.c_str(), text.size());
        c.expect(!doc.HasParseError(), "completer: the JSON-mode answer is one valid JSON value",
                 "got " + text.substr(0, 80));
    }

    const pmx_message message{sizeof(pmx_message), PMX_ROLE_USER, {"hello", 5}};
    const pmx_message* messages[] = {&message};
    pmx_completion_request raw{};
    raw.struct_size = sizeof raw;
    raw.messages = messages;
    raw.message_count = 1;
    pmx_text_sink sink{};
    sink.struct_size = sizeof sink;
    sink.write = [](void*, const char*, size_t) -> int32_t { return 0; };
    expect_cancelled(c, provider, "completer", "complete", [&](const pmx_call* call) {
        return provider.instance().completer()->complete(provider.instance().raw(), call, &raw, &sink);
    });
}

void check_embedder(Checker& c, Provider& provider) {
    EmbedderInfo info;
    CallResult r = provider.embedder_info(&info);
    if (!c.expect(r.ok(), "embedder: info() gives a dimension > 0 and a model name", describe(r))) return;
    c.pass("embedder: model \"" + info.model + "\", " + std::to_string(info.dimension) + " dimensions" +
           (info.max_batch ? ", max batch " + std::to_string(info.max_batch) : ""));

    const std::vector<std::string> texts = {"Miles Davis - So What (Kind of Blue, 1959) jazz",
                                            "Café del Mar — 東京 lo-fi ☕ 🎧", "", std::string(kLongTextChars, 'a')};
    for (int32_t kind : {PMX_EMBED_DOCUMENT, PMX_EMBED_QUERY}) {
        const std::string mode = kind == PMX_EMBED_DOCUMENT ? "document" : "query";
        std::vector<float> out;
        r = provider.embed(texts, kind, &out);
        if (!c.expect(r.ok(), "embedder: embed() of 4 texts (unicode, empty, 20k chars) in " + mode +
                                  " mode gives n × dim finite floats within the buffer",
                      describe(r))) {
            continue;
        }
        if (info.normalized) {
            bool unit = true;
            for (size_t row = 0; row < texts.size(); ++row) {
                double norm = 0;
                for (uint32_t j = 0; j < info.dimension; ++j) norm += double(out[row * info.dimension + j]) * out[row * info.dimension + j];
                if (std::abs(std::sqrt(norm) - 1.0) > kNormTolerance) unit = false;
            }
            c.expect(unit, "embedder: vectors declared normalised have unit length (" + mode + ")");
        }
    }

    if (info.max_batch > 1) {
        std::vector<std::string> batch(info.max_batch);
        for (size_t i = 0; i < batch.size(); ++i) batch[i] = "track number " + std::to_string(i);
        std::vector<float> out;
        r = provider.embed(batch, PMX_EMBED_DOCUMENT, &out);
        c.expect(r.ok(), "embedder: a full batch of max_batch (" + std::to_string(info.max_batch) + ") texts works",
                 describe(r));
    }

    // The buffer has slack behind the capacity it announces, so a plugin that overruns it is
    // reported rather than corrupting the checker's memory.
    const pmx_str one{"hello", 5};
    std::vector<float> buffer(info.dimension + kSlackFloats, kSlackValue);
    expect_cancelled(c, provider, "embedder", "embed", [&](const pmx_call* call) {
        return provider.instance().embedder()->embed(provider.instance().raw(), call, &one, 1, PMX_EMBED_DOCUMENT,
                                                     buffer.data(), info.dimension);
    });
    c.expect(std::all_of(buffer.begin() + info.dimension, buffer.end(), [](float v) { return v == kSlackValue; }),
             "embedder: a cancelled embed() writes nothing past out_capacity");
}

void check_media_source(Checker& c, Provider& provider) {
    ServerInfo server;
    CallResult r = provider.identity(&server);
    if (!c.expect(r.ok(), "media source: identity() emits one server with an identity", describe(r))) return;
    c.pass("media source: server \"" + server.name + "\" (" + server.product + " " + server.version + ")");

    std::vector<LibraryInfo> libraries;
    r = provider.list_libraries(&libraries);
    if (!c.expect(r.ok(), "media source: list_libraries() answers OK", describe(r))) return;
    if (libraries.empty()) {
        c.skip("media source: no music library, scan_tracks() not exercised");
        return;
    }
    ScanPage page;
    r = provider.scan_page(libraries.front().key, "", PMX_SCAN_ORDER_ANY, 0, &page);
    c.expect(r.ok(), "media source: scan_tracks() returns a first page of library \"" + libraries.front().title + "\"",
             describe(r));

    ScanPage stopped;
    r = provider.scan_page(libraries.front().key, "", PMX_SCAN_ORDER_ANY, 0, &stopped,
                           [](const TrackRecord&) { return false; });
    if (r.ok()) {
        c.expect(stopped.tracks.size() <= 1, "media source: scan_tracks() stops when the sink says so",
                 "emitted " + std::to_string(stopped.tracks.size()) + " tracks after stop");
    }

    pmx_media_sink sink{};
    sink.struct_size = sizeof sink;
    sink.server = [](void*, const pmx_server_info*) {};
    expect_cancelled(c, provider, "media source", "identity", [&](const pmx_call* call) {
        return provider.instance().media_source()->identity(provider.instance().raw(), call, &sink);
    });
}

}  // namespace

const char* check_level_name(CheckLevel level) {
    switch (level) {
        case CheckLevel::pass: return "ok";
        case CheckLevel::warn: return "warn";
        case CheckLevel::fail: return "FAIL";
        case CheckLevel::skip: return "skip";
    }
    return "?";
}

bool CheckReport::conforms() const {
    return std::none_of(items.begin(), items.end(), [](const CheckItem& i) { return i.level == CheckLevel::fail; });
}

bool CheckReport::incomplete() const {
    return std::any_of(items.begin(), items.end(), [](const CheckItem& i) { return i.level == CheckLevel::skip; });
}

CheckReport check_plugin(const std::filesystem::path& path, const SettingList& overrides) {
    CheckReport report;
    report.path = path;
    Checker c(report);

    LoadResult loaded = load_plugin(path);
    if (!loaded.ok()) {
        c.fail("load: " + loaded.error);
        return report;
    }
    LoadedPlugin& plugin = *loaded.plugin;
    const PluginInfo& info = plugin.info();
    report.info = info;
    c.pass("load: ABI " + std::to_string(info.abi_major) + "." + std::to_string(info.abi_minor) + ", id \"" + info.id +
           "\" " + info.version + ", implements " + info.kinds());
    for (const auto& w : info.warnings) c.warn("load: " + w);

    if (auto error = plugin.initialize(); !error.empty()) {
        c.fail("init: " + error);
        return report;
    }
    c.pass("init: answers OK");

    const std::optional<SettingList> settings = check_settings(c, info, overrides);
    if (!settings) return report;

    CallPolicy policy;
    policy.timeout = std::chrono::seconds(10);
    policy.deadline = std::chrono::seconds(30);
    policy.retries = 0;
    auto runtime = std::make_unique<ProviderRuntime>(kProviderName, info.id, policy, info.max_concurrent_calls);
    std::string error;
    auto instance = PluginInstance::create(plugin, *settings, *runtime, &error);
    if (!c.expect(instance != nullptr, "instance: create() makes an instance and every declared vtable is valid",
                  error)) {
        return report;
    }

    const void* unknown = nullptr;
    try {
        unknown = plugin.entry().get_interface(instance->raw(), kUnknownInterface);
    } catch (...) {
        c.fail("instance: get_interface() let an exception escape");
    }
    c.expect(unknown == nullptr, std::string("instance: get_interface(\"") + kUnknownInterface + "\") returns NULL");
    for (const char* id : {PMX_IFACE_MEDIA_SOURCE, PMX_IFACE_EMBEDDER, PMX_IFACE_COMPLETER}) {
        if (info.implements(id)) continue;
        const void* vt = nullptr;
        try {
            vt = plugin.entry().get_interface(instance->raw(), id);
        } catch (...) {
        }
        if (vt != nullptr) c.warn(std::string("instance: get_interface(\"") + id + "\") answers but the entry does not declare it");
    }

    Provider provider(info.id, std::move(runtime), std::move(instance));
    if (info.implements(PMX_IFACE_COMPLETER)) check_completer(c, provider);
    if (info.implements(PMX_IFACE_EMBEDDER)) check_embedder(c, provider);
    if (info.implements(PMX_IFACE_MEDIA_SOURCE)) check_media_source(c, provider);
    return report;
}

}  // namespace pmx
