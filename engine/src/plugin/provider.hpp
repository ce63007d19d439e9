// A configured provider: one plugin instance, its validated vtables, and its call runtime.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <pmx/plugin.h>

#include "host/provider_runtime.hpp"
#include "model/media.hpp"

namespace pmx {

class LoadedPlugin;

using SettingList = std::vector<std::pair<std::string, std::string>>;

// --- Plain C++ values of what crosses the ABI -------------------------------------------------

struct ChatMessage {
    int32_t role = PMX_ROLE_USER;
    std::string content;
};

struct CompletionRequest {
    std::string system;
    std::vector<ChatMessage> messages;
    std::string model;  // empty = the provider's configured model
    bool json = false;
    std::string json_schema;
    uint32_t max_output_tokens = 0;
    std::optional<float> temperature;
};

// A completer's model limits (ABI 1.3 plugins; all zero/empty when the plugin says nothing).
struct CompleterInfo {
    uint64_t context_tokens = 0;     // input + output; 0 = unknown
    uint32_t max_output_tokens = 0;  // 0 = unknown
    std::string model;               // empty = unknown
};

struct EmbedderInfo {
    uint32_t dimension = 0;
    uint32_t max_batch = 0;
    uint32_t max_input_chars = 0;
    bool normalized = false;
    std::string model;
};

struct ScanPage {
    std::vector<TrackRecord> tracks;
    std::optional<uint64_t> total;
    std::optional<std::string> next_cursor;  // absent: this was the last page
    bool stopped = false;                    // the consumer asked to stop
};

struct PlaylistWritten {
    std::string key;
    uint64_t item_count = 0;
};

// --- The instance -----------------------------------------------------------------------------

// Owns a pmx_instance and copies of its vtables (zero-filled, min(struct_size) copied, required
// callbacks checked). Destroyed before its plugin is deinitialised; the library stays mapped.
class PluginInstance {
public:
    // Creates an instance through the plugin's create(); returns null and sets *error when the
    // plugin refuses, misbehaves, or hands back vtables that break the contract.
    static std::unique_ptr<PluginInstance> create(LoadedPlugin& plugin, const SettingList& settings,
                                                  ProviderRuntime& runtime, std::string* error);
    ~PluginInstance();
    PluginInstance(const PluginInstance&) = delete;
    PluginInstance& operator=(const PluginInstance&) = delete;

    LoadedPlugin& plugin() const { return plugin_; }
    pmx_instance* raw() const { return instance_; }
    const pmx_completer* completer() const { return completer_ ? &*completer_ : nullptr; }
    const pmx_embedder* embedder() const { return embedder_ ? &*embedder_ : nullptr; }
    const pmx_media_source* media_source() const { return media_ ? &*media_ : nullptr; }

private:
    PluginInstance(LoadedPlugin& plugin, pmx_instance* instance) : plugin_(plugin), instance_(instance) {}

    LoadedPlugin& plugin_;
    pmx_instance* instance_;
    std::optional<pmx_completer> completer_;
    std::optional<pmx_embedder> embedder_;
    std::optional<pmx_media_source> media_;
};

// --- The provider -----------------------------------------------------------------------------

// Every call goes through the runtime (deadline, retries, limits, cancellation) and every answer
// is checked against the contract before the engine sees it.
class Provider {
public:
    Provider(std::string name, std::unique_ptr<ProviderRuntime> runtime, std::unique_ptr<PluginInstance> instance);

    const std::string& name() const { return name_; }
    const PluginInstance& instance() const { return *instance_; }
    ProviderRuntime& runtime() { return *runtime_; }

    // Completer.
    CallResult complete(const CompletionRequest& request, std::string* text, const InvokeOptions& options = {});
    // What the plugin reports of its model; an older plugin reports nothing (ok, all unknown).
    CallResult completer_info(CompleterInfo* info);

    // Embedder. embed() fills `out` with texts.size() × dimension floats, row-major.
    CallResult embedder_info(EmbedderInfo* info);
    CallResult embed(const std::vector<std::string>& texts, int32_t kind, std::vector<float>* out,
                     const InvokeOptions& options = {});

    // Media source.
    CallResult identity(ServerInfo* out);
    CallResult list_libraries(std::vector<LibraryInfo>* out);
    // One page; `on_track` may return false to stop the scan early. Sinks never let an
    // exception into the plugin: one thrown by `on_track` (a store write that failed) stops
    // the plugin (the sink answers "stop"), is kept, and is rethrown here once the plugin
    // returned; the call is not retried. Likewise for every sink of every call below.
    // `since` is pmx_scan_request.since (ABI 1.4): the last complete sync's start, unix seconds.
    CallResult scan_page(std::string_view library_key, std::string_view cursor, int32_t order, uint32_t flags,
                         ScanPage* out, const std::function<bool(const TrackRecord&)>& on_track = {},
                         int64_t since = 0);
    // Writes a playlist (pmx_playlist_write: replace_key empty = find by `marker` or create).
    // `on_created` is called with the key of a playlist the plugin has just created, before
    // anything else is written to it (ABI 1.2 plugins); it may throw (the record failed): the
    // plugin is told to stop, and the exception is rethrown here.
    CallResult write_playlist(std::string_view title, std::string_view description, std::string_view replace_key,
                              std::string_view marker, const std::vector<std::string>& item_keys,
                              PlaylistWritten* out,
                              const std::function<void(const std::string& key)>& on_created = {});
    CallResult delete_playlist(std::string_view key);

private:
    CallResult unsupported(std::string_view what) const;

    std::string name_;
    std::unique_ptr<ProviderRuntime> runtime_;
    std::unique_ptr<PluginInstance> instance_;  // destroyed before the runtime
};

// Converts a borrowed pmx_track (any struct_size) to an owned record.
TrackRecord to_track_record(const pmx_track& given);

}  // namespace pmx
