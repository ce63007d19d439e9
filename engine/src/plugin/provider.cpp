// Instances and providers: contract checks on everything a plugin hands back.
#include "plugin/provider.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>
#include <limits>

#include <spdlog/spdlog.h>

#include "plugin/loader.hpp"

namespace pmx {
namespace {

// ABI 1.0 sizes: the smallest struct a plugin may hand over.
constexpr std::size_t kGuardFloats = 16;
constexpr float kGuardValue = -7.25e30f;
constexpr std::size_t kCompleterV1Size = offsetof(pmx_completer, complete) + sizeof(void*);
constexpr std::size_t kEmbedderV1Size = offsetof(pmx_embedder, embed) + sizeof(void*);
constexpr std::size_t kMediaSourceV1Size = offsetof(pmx_media_source, delete_playlist) + sizeof(void*);
constexpr std::size_t kTrackV1Size = offsetof(pmx_track, updated_at) + sizeof(int64_t);

template <class T>
T copy_sized(const T* given) {
    T copy{};
    std::memcpy(&copy, given, std::min<std::size_t>(given->struct_size, sizeof copy));
    return copy;
}

std::string str(pmx_str s) { return s.data ? std::string(s.data, s.len) : std::string(); }
pmx_str view(std::string_view s) { return pmx_str{s.data(), s.size()}; }

// Checks one interface's vtable; returns an error or "".
template <class VTable>
std::string take_vtable(const void* raw, const char* id, std::size_t min_size, std::optional<VTable>& slot,
                        const std::string& plugin_id) {
    if (raw == nullptr) return "plugin " + plugin_id + " declares " + id + " but get_interface() returned NULL";
    const auto* given = static_cast<const VTable*>(raw);
    if (given->struct_size < min_size) {
        return "plugin " + plugin_id + "'s " + id + " vtable is " + std::to_string(given->struct_size) +
               " bytes, ABI 1.0 needs " + std::to_string(min_size);
    }
    slot = copy_sized(given);
    return "";
}

CallResult contract_violation(const std::string& plugin_id, std::string what) {
    CallResult r;
    r.status = PMX_INTERNAL;
    r.message = "plugin " + plugin_id + " broke the contract: " + std::move(what);
    r.attempts = 1;
    spdlog::error("{}", r.message);
    return r;
}

// Runs the body of a sink the plugin calls. Nothing may cross the C ABI, so an exception (a
// store write that failed, memory) is kept for the host to raise once the plugin has returned
// (see raise_if_failed), and the plugin is told to stop (non-zero). After a failure every
// later call of the sink is refused the same way.
template <class Body>
int32_t guarded(std::exception_ptr& failure, Body&& body) noexcept {
    if (failure) return 1;
    try {
        return body();
    } catch (...) {
        failure = std::current_exception();
        return 1;
    }
}

// In the function given to ProviderRuntime::invoke, after the plugin returned: a sink that
// failed ends the call, and its exception reaches the caller (HostAbort).
void raise_if_failed(const std::exception_ptr& failure) {
    if (failure) throw HostAbort{failure};
}

// Host side of pmx_media_sink; collects what the plugin emits.
struct MediaCollector {
    const std::function<bool(const TrackRecord&)>* on_track = nullptr;
    const std::function<void(const std::string&)>* on_created = nullptr;
    ScanPage* page = nullptr;
    ServerInfo* server = nullptr;
    int server_calls = 0;
    std::vector<LibraryInfo>* libraries = nullptr;
    PlaylistWritten* playlist = nullptr;
    int playlist_calls = 0;
    std::string violation;

    std::exception_ptr failure;  // a sink threw: raised after the plugin returns

    pmx_media_sink sink() {
        pmx_media_sink s{};
        s.struct_size = sizeof s;
        s.ctx = this;
        s.server = [](void* ctx, const pmx_server_info* info) {
            auto* self = static_cast<MediaCollector*>(ctx);
            guarded(self->failure, [&] {
                ++self->server_calls;
                if (!self->server || !info) return 0;
                const auto copy = copy_sized(info);
                *self->server = {str(copy.identity), str(copy.name), str(copy.version), str(copy.product)};
                return 0;
            });
        };
        s.library = [](void* ctx, const pmx_library* lib) {
            auto* self = static_cast<MediaCollector*>(ctx);
            guarded(self->failure, [&] {
                if (!self->libraries || !lib) return 0;
                const auto copy = copy_sized(lib);
                self->libraries->push_back({str(copy.key), str(copy.title), copy.track_count, str(copy.change_stamp)});
                return 0;
            });
        };
        s.track = [](void* ctx, const pmx_track* track) -> int32_t {
            auto* self = static_cast<MediaCollector*>(ctx);
            return guarded(self->failure, [&]() -> int32_t {
                if (!self->page || !track) return 1;
                if (self->page->stopped) return 1;
                if (track->struct_size < kTrackV1Size) {
                    self->violation = "emitted a track of " + std::to_string(track->struct_size) +
                                      " bytes, ABI 1.0 needs " + std::to_string(kTrackV1Size);
                    return 1;
                }
                TrackRecord record = to_track_record(*track);
                if (record.key.empty()) {
                    self->violation = "emitted a track without a key";
                    return 1;
                }
                if (self->on_track && *self->on_track && !(*self->on_track)(record)) self->page->stopped = true;
                self->page->tracks.push_back(std::move(record));
                return self->page->stopped ? 1 : 0;
            });
        };
        s.total = [](void* ctx, uint64_t total) {
            auto* self = static_cast<MediaCollector*>(ctx);
            if (self->page) self->page->total = total;
        };
        s.next_cursor = [](void* ctx, const char* cursor, size_t len) {
            auto* self = static_cast<MediaCollector*>(ctx);
            guarded(self->failure, [&] {
                if (self->page && cursor) self->page->next_cursor = std::string(cursor, len);
                return 0;
            });
        };
        s.playlist_created = [](void* ctx, const char* key, size_t len) -> int32_t {
            auto* self = static_cast<MediaCollector*>(ctx);
            return guarded(self->failure, [&]() -> int32_t {
                if (!key || len == 0) {
                    self->violation = "reported a created playlist without a key";
                    return 1;
                }
                if (self->on_created && *self->on_created) (*self->on_created)(std::string(key, len));
                return 0;
            });
        };
        s.playlist = [](void* ctx, const char* key, size_t len, uint64_t count) {
            auto* self = static_cast<MediaCollector*>(ctx);
            guarded(self->failure, [&] {
                ++self->playlist_calls;
                if (self->playlist && key) *self->playlist = {std::string(key, len), count};
                return 0;
            });
        };
        return s;
    }

    // Each attempt starts from scratch.
    void reset() {
        if (page) *page = ScanPage{};
        if (libraries) libraries->clear();
        server_calls = 0;
        playlist_calls = 0;
        violation.clear();
    }
};

}  // namespace

TrackRecord to_track_record(const pmx_track& given) {
    const pmx_track t = copy_sized(&given);
    TrackRecord r;
    r.has = t.has;
    r.key = str(t.key);
    r.guid = str(t.guid);
    r.file_path = str(t.file_path);
    r.title = str(t.title);
    r.artist = str(t.artist);
    r.artist_key = str(t.artist_key);
    r.album = str(t.album);
    r.album_key = str(t.album_key);
    r.album_artist = str(t.album_artist);
    if (t.genres) {
        r.genres.reserve(t.genre_count);
        for (size_t i = 0; i < t.genre_count; ++i) r.genres.push_back(str(t.genres[i]));
    }
    r.track_number = t.track_number;
    r.disc_number = t.disc_number;
    r.duration_ms = t.duration_ms;
    r.year = t.year;
    r.user_rating = t.user_rating;
    r.play_count = t.play_count;
    r.last_played_at = t.last_played_at;
    r.added_at = t.added_at;
    r.updated_at = t.updated_at;
    r.last_rated_at = t.last_rated_at;  // zero from a 1.0 plugin (copy_sized zero-fills)
    r.favourite = (t.has & PMX_TRACK_HAS_FAVOURITE) != 0 && t.favourite != 0;  // zero before 1.4
    r.recording_mbid = str(t.recording_mbid);
    return r;
}

// --- PluginInstance -----------------------------------------------------------------------------

std::unique_ptr<PluginInstance> PluginInstance::create(LoadedPlugin& plugin, const SettingList& settings,
                                                       ProviderRuntime& runtime, std::string* error) {
    const auto& info = plugin.info();
    if (auto init_error = plugin.initialize(); !init_error.empty()) {
        *error = init_error;
        return nullptr;
    }
    std::vector<pmx_kv> kvs;
    kvs.reserve(settings.size());
    for (const auto& [k, v] : settings) kvs.push_back({view(k), view(v)});

    pmx_instance* raw = nullptr;
    InvokeOptions options;
    options.retry = false;
    const CallResult created = runtime.invoke(
        "create",
        [&](const pmx_call* call) {
            raw = nullptr;
            return plugin.entry().create(kvs.data(), kvs.size(), call, &raw);
        },
        options);
    if (!created.ok()) {
        *error = "plugin " + info.id + " could not create an instance: " + status_name(created.status) +
                 (created.message.empty() ? "" : ": " + created.message);
        return nullptr;
    }
    if (raw == nullptr) {
        *error = "plugin " + info.id + " broke the contract: create() returned OK without an instance";
        return nullptr;
    }
    std::unique_ptr<PluginInstance> self(new PluginInstance(plugin, raw));
    auto get = [&](const char* id) -> const void* {
        try {
            return plugin.entry().get_interface(raw, id);
        } catch (...) {
            *error = "plugin " + info.id + " let an exception escape from get_interface()";
            return nullptr;
        }
    };
    std::string problem;
    if (info.implements(PMX_IFACE_COMPLETER)) {
        problem = take_vtable(get(PMX_IFACE_COMPLETER), PMX_IFACE_COMPLETER, kCompleterV1Size, self->completer_, info.id);
        if (problem.empty() && self->completer_->complete == nullptr) problem = "plugin " + info.id + " has no complete()";
    }
    if (problem.empty() && info.implements(PMX_IFACE_EMBEDDER)) {
        problem = take_vtable(get(PMX_IFACE_EMBEDDER), PMX_IFACE_EMBEDDER, kEmbedderV1Size, self->embedder_, info.id);
        if (problem.empty() && (self->embedder_->info == nullptr || self->embedder_->embed == nullptr)) {
            problem = "plugin " + info.id + " has no info() or embed()";
        }
    }
    if (problem.empty() && info.implements(PMX_IFACE_MEDIA_SOURCE)) {
        problem = take_vtable(get(PMX_IFACE_MEDIA_SOURCE), PMX_IFACE_MEDIA_SOURCE, kMediaSourceV1Size, self->media_,
                              info.id);
        if (problem.empty() && (self->media_->identity == nullptr || self->media_->list_libraries == nullptr ||
                                self->media_->scan_tracks == nullptr)) {
            problem = "plugin " + info.id + " lacks identity(), list_libraries() or scan_tracks()";
        }
    }
    if (!problem.empty()) {
        *error = problem;
        return nullptr;  // the destructor destroys the instance
    }
    return self;
}

PluginInstance::~PluginInstance() {
    try {
        plugin_.entry().destroy(instance_);
    } catch (...) {
        spdlog::error("plugin {} let an exception escape from destroy()", plugin_.info().id);
    }
}

// --- Provider -----------------------------------------------------------------------------------

Provider::Provider(std::string name, std::unique_ptr<ProviderRuntime> runtime, std::unique_ptr<PluginInstance> instance)
    : name_(std::move(name)), runtime_(std::move(runtime)), instance_(std::move(instance)) {}

CallResult Provider::unsupported(std::string_view what) const {
    CallResult r;
    r.status = PMX_UNSUPPORTED;
    r.message = "provider " + name_ + " (plugin " + instance_->plugin().info().id + ") does not " + std::string(what);
    return r;
}

CallResult Provider::complete(const CompletionRequest& request, std::string* text, const InvokeOptions& options) {
    const pmx_completer* vt = instance_->completer();
    if (!vt) return unsupported("complete text");
    std::vector<pmx_message> messages(request.messages.size());
    std::vector<const pmx_message*> pointers(request.messages.size());
    for (size_t i = 0; i < messages.size(); ++i) {
        messages[i] = pmx_message{sizeof(pmx_message), request.messages[i].role, view(request.messages[i].content)};
        pointers[i] = &messages[i];
    }
    pmx_completion_request req{};
    req.struct_size = sizeof req;
    req.flags = (request.json ? PMX_COMPLETE_JSON : 0u) | (request.temperature ? PMX_COMPLETE_HAS_TEMPERATURE : 0u);
    req.system = view(request.system);
    req.messages = pointers.data();
    req.message_count = pointers.size();
    req.model = view(request.model);
    req.max_output_tokens = request.max_output_tokens;
    req.temperature = request.temperature.value_or(0.0f);
    req.json_schema = view(request.json_schema);

    struct TextCollector {
        std::string* text;
        std::exception_ptr failure;
    } collector{text, nullptr};
    pmx_text_sink sink{};
    sink.struct_size = sizeof sink;
    sink.ctx = &collector;
    sink.write = [](void* ctx, const char* data, size_t len) -> int32_t {
        auto* self = static_cast<TextCollector*>(ctx);
        return guarded(self->failure, [&] {
            if (data) self->text->append(data, len);
            return 0;
        });
    };
    CallResult r = runtime_->invoke(
        "complete",
        [&](const pmx_call* call) {
            text->clear();
            const pmx_status status = vt->complete(instance_->raw(), call, &req, &sink);
            raise_if_failed(collector.failure);
            return status;
        },
        options);
    if (!r.ok()) text->clear();  // what a failed call wrote is not an answer
    return r;
}

CallResult Provider::completer_info(CompleterInfo* out) {
    const pmx_completer* vt = instance_->completer();
    if (!vt) return unsupported("complete text");
    *out = {};
    if (vt->info == nullptr) return {};  // zero-filled when the plugin's vtable predates 1.3
    pmx_completer_info info{};
    InvokeOptions options;
    options.retry = false;
    CallResult r = runtime_->invoke(
        "info",
        [&](const pmx_call*) {
            info = pmx_completer_info{};
            info.struct_size = sizeof info;
            return vt->info(instance_->raw(), &info);
        },
        options);
    if (!r.ok()) return r;
    *out = {info.context_tokens, info.max_output_tokens, str(info.model)};
    return r;
}

CallResult Provider::embedder_info(EmbedderInfo* out) {
    const pmx_embedder* vt = instance_->embedder();
    if (!vt) return unsupported("embed text");
    pmx_embedder_info info{};
    InvokeOptions options;
    options.retry = false;
    CallResult r = runtime_->invoke(
        "info",
        [&](const pmx_call*) {
            info = pmx_embedder_info{};
            info.struct_size = sizeof info;
            return vt->info(instance_->raw(), &info);
        },
        options);
    if (!r.ok()) return r;
    if (info.dimension == 0) return contract_violation(instance_->plugin().info().id, "embedder info() gave dimension 0");
    *out = {info.dimension, info.max_batch, info.max_input_chars, (info.flags & PMX_EMBEDDER_NORMALIZED) != 0,
            str(info.model)};
    if (out->model.empty()) return contract_violation(instance_->plugin().info().id, "embedder info() gave no model name");
    return r;
}

CallResult Provider::embed(const std::vector<std::string>& texts, int32_t kind, std::vector<float>* out,
                           const InvokeOptions& options) {
    EmbedderInfo info;
    if (CallResult r = embedder_info(&info); !r.ok()) return r;
    const pmx_embedder* vt = instance_->embedder();
    std::vector<pmx_str> views;
    views.reserve(texts.size());
    for (const auto& t : texts) views.push_back(view(t));
    const size_t floats = texts.size() * info.dimension;
    CallResult r;
    out->assign(floats, std::numeric_limits<float>::quiet_NaN());
    if (texts.empty()) return r;
    if (info.max_batch != 0 && texts.size() > info.max_batch) {
        r.status = PMX_INVALID_INPUT;
        r.message = "batch of " + std::to_string(texts.size()) + " exceeds the embedder's max_batch " +
                    std::to_string(info.max_batch);
        return r;
    }
    // A guard zone after the buffer turns a plugin's overrun into a reported violation.
    out->resize(floats + kGuardFloats);
    r = runtime_->invoke(
        "embed",
        [&](const pmx_call* call) {
            std::fill(out->begin(), out->begin() + static_cast<std::ptrdiff_t>(floats),
                      std::numeric_limits<float>::quiet_NaN());
            std::fill(out->begin() + static_cast<std::ptrdiff_t>(floats), out->end(), kGuardValue);
            return vt->embed(instance_->raw(), call, views.data(), views.size(), kind, out->data(), floats);
        },
        options);
    const bool overrun = std::any_of(out->begin() + static_cast<std::ptrdiff_t>(floats), out->end(),
                                     [](float v) { return v != kGuardValue; });
    out->resize(floats);
    if (overrun) return contract_violation(instance_->plugin().info().id, "embed() wrote past out_capacity");
    if (!r.ok()) return r;
    for (size_t i = 0; i < floats; ++i) {
        if (!std::isfinite((*out)[i])) {
            return contract_violation(instance_->plugin().info().id,
                                      "embed() left a non-finite value at text " + std::to_string(i / info.dimension) +
                                          ", component " + std::to_string(i % info.dimension));
        }
    }
    if (!info.normalized) {
        for (size_t row = 0; row < texts.size(); ++row) {
            float* v = out->data() + row * info.dimension;
            double norm = 0;
            for (uint32_t j = 0; j < info.dimension; ++j) norm += double(v[j]) * v[j];
            if (norm > 0) {
                const auto inv = static_cast<float>(1.0 / std::sqrt(norm));
                for (uint32_t j = 0; j < info.dimension; ++j) v[j] *= inv;
            }
        }
    }
    return r;
}

CallResult Provider::identity(ServerInfo* out) {
    const pmx_media_source* vt = instance_->media_source();
    if (!vt) return unsupported("serve a media library");
    MediaCollector c;
    c.server = out;
    const pmx_media_sink sink = c.sink();
    CallResult r = runtime_->invoke("identity", [&](const pmx_call* call) {
        c.reset();
        const pmx_status status = vt->identity(instance_->raw(), call, &sink);
        raise_if_failed(c.failure);
        return status;
    });
    if (r.ok() && (c.server_calls != 1 || out->identity.empty())) {
        return contract_violation(instance_->plugin().info().id,
                                  "identity() must emit exactly one server with an identity (emitted " +
                                      std::to_string(c.server_calls) + ")");
    }
    return r;
}

CallResult Provider::list_libraries(std::vector<LibraryInfo>* out) {
    const pmx_media_source* vt = instance_->media_source();
    if (!vt) return unsupported("serve a media library");
    MediaCollector c;
    c.libraries = out;
    const pmx_media_sink sink = c.sink();
    return runtime_->invoke("list_libraries", [&](const pmx_call* call) {
        c.reset();
        const pmx_status status = vt->list_libraries(instance_->raw(), call, &sink);
        raise_if_failed(c.failure);
        return status;
    });
}

CallResult Provider::scan_page(std::string_view library_key, std::string_view cursor, int32_t order, uint32_t flags,
                               ScanPage* out, const std::function<bool(const TrackRecord&)>& on_track, int64_t since) {
    const pmx_media_source* vt = instance_->media_source();
    if (!vt) return unsupported("serve a media library");
    pmx_scan_request req{};
    req.struct_size = sizeof req;
    req.flags = flags;
    req.library_key = view(library_key);
    req.cursor = view(cursor);
    req.order = order;
    req.since = since;
    MediaCollector c;
    c.page = out;
    c.on_track = &on_track;
    const pmx_media_sink sink = c.sink();
    CallResult r = runtime_->invoke("scan_tracks", [&](const pmx_call* call) {
        c.reset();
        const pmx_status status = vt->scan_tracks(instance_->raw(), call, &req, &sink);
        raise_if_failed(c.failure);
        return status;
    });
    if (r.ok() && !c.violation.empty()) return contract_violation(instance_->plugin().info().id, c.violation);
    return r;
}

CallResult Provider::write_playlist(std::string_view title, std::string_view description, std::string_view replace_key,
                                    std::string_view marker, const std::vector<std::string>& item_keys,
                                    PlaylistWritten* out, const std::function<void(const std::string& key)>& on_created) {
    const pmx_media_source* vt = instance_->media_source();
    if (!vt || !vt->write_playlist) return unsupported("write playlists");
    std::vector<pmx_str> keys;
    keys.reserve(item_keys.size());
    for (const auto& k : item_keys) keys.push_back(view(k));
    pmx_playlist_write req{};
    req.struct_size = sizeof req;
    req.title = view(title);
    req.description = view(description);
    req.replace_key = view(replace_key);
    req.item_keys = keys.data();
    req.item_count = keys.size();
    req.marker = view(marker);
    MediaCollector c;
    c.playlist = out;
    c.on_created = &on_created;
    const pmx_media_sink sink = c.sink();
    CallResult r = runtime_->invoke("write_playlist", [&](const pmx_call* call) {
        c.reset();
        const pmx_status status = vt->write_playlist(instance_->raw(), call, &req, &sink);
        raise_if_failed(c.failure);
        return status;
    });
    if (r.ok() && !c.violation.empty()) return contract_violation(instance_->plugin().info().id, c.violation);
    if (r.ok() && (c.playlist_calls != 1 || out->key.empty())) {
        return contract_violation(instance_->plugin().info().id, "write_playlist() must report the playlist's key once");
    }
    return r;
}

CallResult Provider::delete_playlist(std::string_view key) {
    const pmx_media_source* vt = instance_->media_source();
    if (!vt || !vt->delete_playlist) return unsupported("delete playlists");
    return runtime_->invoke("delete_playlist",
                            [&](const pmx_call* call) { return vt->delete_playlist(instance_->raw(), call, view(key)); });
}

}  // namespace pmx
