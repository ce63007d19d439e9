/* Compiles pmx/plugin.h as C11 with -pedantic -Werror and uses every type, callback signature
 * and macro of it, from both sides (host and plugin). The build is the test; main() also
 * checks the id strings, which C cannot compare at compile time. */
#include <pmx/plugin.h> /* first: the header must be self-contained */

#include <stdint.h>
#include <string.h>

#include "layout_v1.h"

/* --- host side: a pmx_call, services and a host --- */

static int32_t call_is_cancelled(const pmx_call *call) { return call == NULL; }
static int64_t call_remaining_ms(const pmx_call *call) { return call ? INT64_MAX : 0; }
static void call_set_error(const pmx_call *call, pmx_status status, const char *message, size_t len) {
    (void)call; (void)status; (void)message; (void)len;
}
static void call_set_http_status(const pmx_call *call, int32_t http_status) { (void)call; (void)http_status; }
static void call_set_retry_after_ms(const pmx_call *call, int64_t ms) { (void)call; (void)ms; }
static void call_progress(const pmx_call *call, uint64_t done, uint64_t total) { (void)call; (void)done; (void)total; }
static void call_report_usage(const pmx_call *call, uint64_t in, uint64_t out) { (void)call; (void)in; (void)out; }

static void log_log(const struct pmx_host *host, pmx_log_level level, const char *message, size_t len) {
    (void)host; (void)level; (void)message; (void)len;
}
static int32_t log_enabled(const pmx_host *host, pmx_log_level level) { (void)host; return level >= PMX_LOG_INFO; }

static pmx_status http_request(const pmx_call *call, const pmx_http_request *req, pmx_http_response **out) {
    (void)call; (void)req;
    *out = NULL;
    return PMX_UNAVAILABLE;
}
static void http_release(pmx_http_response *response) { (void)response; }

static const pmx_host_log kLog = {sizeof(pmx_host_log), 0, log_log, log_enabled};
static const pmx_host_http kHttp = {sizeof(pmx_host_http), 0, http_request, http_release};

static const void *host_get_service(const struct pmx_host *host, const char *id) {
    (void)host;
    if (strcmp(id, PMX_SERVICE_LOG) == 0) return &kLog;
    if (strcmp(id, PMX_SERVICE_HTTP) == 0) return &kHttp;
    return NULL;
}

/* --- plugin side: every interface and the entry --- */

static pmx_status do_complete(pmx_instance *self, const pmx_call *call,
                              const pmx_completion_request *request, const pmx_text_sink *out) {
    (void)self; (void)call;
    if (request->message_count > 0 && request->messages[0]->role == PMX_ROLE_USER) {
        const pmx_str text = request->messages[0]->content;
        return out->write(out->ctx, text.data, text.len) == 0 ? PMX_OK : PMX_CANCELLED;
    }
    return PMX_INVALID_INPUT;
}
static pmx_status do_info(pmx_instance *self, pmx_embedder_info *info) {
    (void)self;
    info->dimension = 4;
    info->flags = PMX_EMBEDDER_NORMALIZED;
    return PMX_OK;
}
static pmx_status do_embed(pmx_instance *self, const pmx_call *call, const pmx_str *texts,
                           size_t count, int32_t kind, float *out, size_t out_capacity) {
    (void)self; (void)call; (void)texts; (void)kind;
    for (size_t i = 0; i < count && i < out_capacity; ++i) out[i] = 0.5f;
    return kind == PMX_EMBED_QUERY || kind == PMX_EMBED_DOCUMENT ? PMX_OK : PMX_INVALID_INPUT;
}
static pmx_status do_identity(pmx_instance *self, const pmx_call *call, const pmx_media_sink *out) {
    pmx_server_info info = {sizeof(pmx_server_info), 0, {"id", 2}, {"name", 4}, {NULL, 0}, {NULL, 0}};
    (void)self; (void)call;
    out->server(out->ctx, &info);
    return PMX_OK;
}
static pmx_status do_list_libraries(pmx_instance *self, const pmx_call *call, const pmx_media_sink *out) {
    pmx_library library = {sizeof(pmx_library), 0, {"1", 1}, {"Music", 5}, 0, {"", 0}};
    (void)self; (void)call;
    out->library(out->ctx, &library);
    return PMX_OK;
}
static pmx_status do_scan_tracks(pmx_instance *self, const pmx_call *call,
                                 const pmx_scan_request *request, const pmx_media_sink *out) {
    static const pmx_str kGenres[] = {{"jazz", 4}};
    pmx_track track;
    (void)self; (void)call;
    memset(&track, 0, sizeof track);
    track.struct_size = sizeof track;
    track.has = PMX_TRACK_HAS_YEAR | PMX_TRACK_HAS_RATING | PMX_TRACK_HAS_PLAY_COUNT | PMX_TRACK_HAS_LAST_PLAYED;
    track.key.data = "42";
    track.key.len = 2;
    track.genres = kGenres;
    track.genre_count = 1;
    track.year = 1959;
    if (request->order == PMX_SCAN_ORDER_ANY || request->order == PMX_SCAN_ORDER_ADDED_DESC ||
        request->order == PMX_SCAN_ORDER_UPDATED_DESC || (request->flags & PMX_SCAN_KEYS_ONLY)) {
        out->total(out->ctx, 1);
        if (out->track(out->ctx, &track) == 0) out->next_cursor(out->ctx, "next", 4);
    }
    return PMX_OK;
}
static pmx_status do_write_playlist(pmx_instance *self, const pmx_call *call,
                                    const pmx_playlist_write *request, const pmx_media_sink *out) {
    (void)self; (void)call;
    out->playlist(out->ctx, "p1", 2, request->item_count);
    return PMX_OK;
}
static pmx_status do_delete_playlist(pmx_instance *self, const pmx_call *call, pmx_str key) {
    (void)self; (void)call;
    return key.len == 0 ? PMX_NOT_FOUND : PMX_OK;
}

static const pmx_completer kCompleter = {sizeof(pmx_completer), 0, do_complete, NULL};
static const pmx_embedder kEmbedder = {sizeof(pmx_embedder), 0, do_info, do_embed};
static const pmx_media_source kMediaSource = {sizeof(pmx_media_source), 0, do_identity,
                                              do_list_libraries, do_scan_tracks,
                                              do_write_playlist, do_delete_playlist};

static pmx_status plugin_init(const pmx_host *host, const pmx_call *call) {
    (void)call;
    return host->abi_major == PMX_ABI_MAJOR ? PMX_OK : PMX_UNSUPPORTED;
}
static void plugin_deinit(void) {}
static int g_instance;
static pmx_status plugin_create(const pmx_kv *settings, size_t setting_count, const pmx_call *call,
                                pmx_instance **out) {
    (void)settings; (void)setting_count; (void)call;
    *out = (pmx_instance *)&g_instance;
    return PMX_OK;
}
static void plugin_destroy(pmx_instance *self) { (void)self; }
static const void *plugin_get_interface(pmx_instance *self, const char *id) {
    (void)self;
    if (strcmp(id, PMX_IFACE_COMPLETER) == 0) return &kCompleter;
    if (strcmp(id, PMX_IFACE_EMBEDDER) == 0) return &kEmbedder;
    if (strcmp(id, PMX_IFACE_MEDIA_SOURCE) == 0) return &kMediaSource;
    return NULL;
}

static const pmx_setting_spec kUrl = {sizeof(pmx_setting_spec), PMX_SETTING_URL, PMX_SETTING_REQUIRED, 0,
                                      "url", NULL, "Server URL"};
static const pmx_setting_spec kToken = {sizeof(pmx_setting_spec), PMX_SETTING_STRING, PMX_SETTING_SECRET, 0,
                                        "token", NULL, "API token"};
static const pmx_setting_spec kPage = {sizeof(pmx_setting_spec), PMX_SETTING_INT, 0, 0, "page_size", "200", ""};
static const pmx_setting_spec kFlag = {sizeof(pmx_setting_spec), PMX_SETTING_BOOL, 0, 0, "verify", "true", ""};
static const pmx_setting_spec kWait = {sizeof(pmx_setting_spec), PMX_SETTING_DURATION, 0, 0, "wait", "30s", ""};
static const pmx_setting_spec *const kSettings[] = {&kUrl, &kToken, &kPage, &kFlag, &kWait, NULL};
static const char *const kInterfaces[] = {PMX_IFACE_COMPLETER, PMX_IFACE_EMBEDDER, PMX_IFACE_MEDIA_SOURCE, NULL};

/* The one exported symbol, as a C plugin declares it. */
PMX_EXPORT const pmx_plugin_entry pmx_entry = {
    PMX_ABI_MAJOR, PMX_ABI_MINOR, sizeof(pmx_plugin_entry), 1,
    "c-probe", "C probe", "1.0.0", NULL,
    kInterfaces, kSettings,
    plugin_init, plugin_deinit, plugin_create, plugin_destroy, plugin_get_interface};

/* --- sinks (host side) --- */

static int32_t sink_write(void *ctx, const char *data, size_t len) { (void)ctx; (void)data; (void)len; return 0; }
static void sink_server(void *ctx, const pmx_server_info *info) { (void)ctx; (void)info; }
static void sink_library(void *ctx, const pmx_library *library) { (void)ctx; (void)library; }
static int32_t sink_track(void *ctx, const pmx_track *track) { (void)ctx; return track->year == 1959 ? 0 : 1; }
static void sink_total(void *ctx, uint64_t total) { (void)ctx; (void)total; }
static void sink_next_cursor(void *ctx, const char *cursor, size_t len) { (void)ctx; (void)cursor; (void)len; }
static void sink_playlist(void *ctx, const char *key, size_t len, uint64_t count) { (void)ctx; (void)key; (void)len; (void)count; }
static int32_t sink_playlist_created(void *ctx, const char *key, size_t key_len) {
    (void)ctx;
    (void)key;
    (void)key_len;
    return 0;
}

int main(void) {
    const pmx_call call = {sizeof(pmx_call), 0, NULL, call_is_cancelled, call_remaining_ms,
                           call_set_error, call_set_http_status, call_set_retry_after_ms,
                           call_progress, call_report_usage};
    const pmx_host host = {sizeof(pmx_host), PMX_ABI_MAJOR, PMX_ABI_MINOR, 0, "plexmix", "0.0.0", host_get_service,
                           "test-install", "/tmp/plexmix-test/plugins/test"};
    const pmx_message hello = {sizeof(pmx_message), PMX_ROLE_USER, {"hi", 2}};
    const pmx_message *const messages[] = {&hello};
    const pmx_completion_request completion = {sizeof(pmx_completion_request), PMX_COMPLETE_JSON | PMX_COMPLETE_HAS_TEMPERATURE,
                                               {NULL, 0}, messages, 1, {NULL, 0}, 0, 0.0f, {NULL, 0}};
    const pmx_text_sink text_sink = {sizeof(pmx_text_sink), 0, NULL, sink_write};
    const pmx_media_sink media_sink = {sizeof(pmx_media_sink), 0, NULL, sink_server, sink_library, sink_track,
                                       sink_total, sink_next_cursor, sink_playlist, sink_playlist_created};
    const pmx_kv header = {{"accept", 6}, {"application/json", 16}};
    const pmx_http_request request = {sizeof(pmx_http_request), 0, "GET", {"https://x.test/", 15}, &header, 1,
                                      {NULL, 0}, 0, PMX_HTTP_SECRET_BODY};
    const pmx_str texts[] = {{"a", 1}};
    const pmx_str keys[] = {{"42", 2}};
    const pmx_scan_request scan = {sizeof(pmx_scan_request), PMX_SCAN_KEYS_ONLY, {"1", 1}, {NULL, 0},
                                   PMX_SCAN_ORDER_UPDATED_DESC, 0, 1700000000};
    const pmx_playlist_write playlist = {sizeof(pmx_playlist_write), 0, {"t", 1}, {NULL, 0}, {NULL, 0}, keys, 1,
                                         {"pmx-0123456789ab", 16}};
    pmx_http_response *response = NULL;
    pmx_embedder_info info;
    pmx_instance *instance = NULL;
    float vector[4];
    const pmx_host_log *log;
    const pmx_host_http *http;
    int failures = 0;

    /* Ids are part of the ABI too. */
    failures += strcmp(PMX_IFACE_MEDIA_SOURCE, "pmx.media-source/1") != 0;
    failures += strcmp(PMX_IFACE_EMBEDDER, "pmx.embedder/1") != 0;
    failures += strcmp(PMX_IFACE_COMPLETER, "pmx.completer/1") != 0;
    failures += strcmp(PMX_SERVICE_LOG, "pmx.host.log/1") != 0;
    failures += strcmp(PMX_SERVICE_HTTP, "pmx.host.http/1") != 0;
    failures += strcmp(PMX_ENTRY_SYMBOL, "pmx_entry") != 0;

    /* PMX_HAS_FIELD on full and truncated structs. */
    failures += !PMX_HAS_FIELD(&call, pmx_call, report_usage);
    {
        pmx_call truncated = call;
        truncated.struct_size = (uint32_t)offsetof(pmx_call, set_error);
        failures += PMX_HAS_FIELD(&truncated, pmx_call, set_error);
        failures += !PMX_HAS_FIELD(&truncated, pmx_call, remaining_ms);
        failures += PMX_HAS_FIELD((const pmx_call *)NULL, pmx_call, struct_size);
    }

    /* Drive every callback once through the entry, as a host would. */
    failures += pmx_entry.init(&host, &call) != PMX_OK;
    failures += pmx_entry.create(NULL, 0, &call, &instance) != PMX_OK;
    failures += ((const pmx_completer *)pmx_entry.get_interface(instance, PMX_IFACE_COMPLETER))
                    ->complete(instance, &call, &completion, &text_sink) != PMX_OK;
    memset(&info, 0, sizeof info);
    info.struct_size = sizeof info;
    failures += kEmbedder.info(instance, &info) != PMX_OK || info.dimension != 4;
    failures += kEmbedder.embed(instance, &call, texts, 1, PMX_EMBED_QUERY, vector, 4) != PMX_OK;
    failures += kMediaSource.identity(instance, &call, &media_sink) != PMX_OK;
    failures += kMediaSource.list_libraries(instance, &call, &media_sink) != PMX_OK;
    failures += kMediaSource.scan_tracks(instance, &call, &scan, &media_sink) != PMX_OK;
    failures += kMediaSource.write_playlist(instance, &call, &playlist, &media_sink) != PMX_OK;
    failures += kMediaSource.delete_playlist(instance, &call, keys[0]) != PMX_OK;
    pmx_entry.destroy(instance);
    pmx_entry.deinit();

    log = (const pmx_host_log *)host.get_service(&host, PMX_SERVICE_LOG);
    if (log->enabled(&host, PMX_LOG_WARN)) log->log(&host, PMX_LOG_WARN, "w", 1);
    http = (const pmx_host_http *)host.get_service(&host, PMX_SERVICE_HTTP);
    failures += http->request(&call, &request, &response) != PMX_UNAVAILABLE;
    http->release(response);
    call.set_error(&call, PMX_RATE_LIMITED, "slow down", 9);
    call.set_http_status(&call, 429);
    call.set_retry_after_ms(&call, 1000);
    call.progress(&call, 1, 0);
    call.report_usage(&call, 1, 1);
    failures += call.is_cancelled(&call) != 0 || call.remaining_ms(&call) != INT64_MAX;
    failures += PMX_LAYOUT_PINNED != 1 && PMX_LAYOUT_PINNED != 0;
    return failures == 0 ? 0 : 1;
}
