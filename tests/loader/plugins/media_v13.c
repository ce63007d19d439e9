/* A media source built against ABI 1.3, as an older plugin on disk is: it declares minor 3 and
 * emits tracks of 1.3's size (232 bytes, without favourite and recording_mbid). The host must
 * load it, read its tracks with those fields absent, and never ask it for favourites. */
#include <stddef.h>
#include <string.h>

#include <pmx/plugin.h>

#define V13_TRACK_SIZE 232u /* sizeof(pmx_track) in ABI 1.1 to 1.3 */

struct pmx_instance {
    int unused;
};
static struct pmx_instance the_instance;

static pmx_str s(const char *text) {
    pmx_str out = {text, strlen(text)};
    return out;
}

static pmx_status identity(pmx_instance *self, const pmx_call *call, const pmx_media_sink *out) {
    (void)self;
    (void)call;
    pmx_server_info info;
    memset(&info, 0, sizeof info);
    info.struct_size = sizeof info;
    info.identity = s("media-v13-server");
    info.name = s("Old");
    out->server(out->ctx, &info);
    return PMX_OK;
}

static pmx_status list_libraries(pmx_instance *self, const pmx_call *call, const pmx_media_sink *out) {
    (void)self;
    (void)call;
    pmx_library lib;
    memset(&lib, 0, sizeof lib);
    lib.struct_size = sizeof lib;
    lib.key = s("1");
    lib.title = s("Music");
    out->library(out->ctx, &lib);
    return PMX_OK;
}

static pmx_status scan_tracks(pmx_instance *self, const pmx_call *call, const pmx_scan_request *req,
                              const pmx_media_sink *out) {
    (void)self;
    (void)call;
    /* A 1.3 plugin knows orders up to RATED_DESC and nothing of favourites. */
    if (req->order > PMX_SCAN_ORDER_RATED_DESC) {
        call->set_error(call, PMX_INVALID_INPUT, "unknown order", 13);
        return PMX_INVALID_INPUT;
    }
    static const char *const keys[] = {"a", "b", "c"};
    for (int i = 0; i < 3; ++i) {
        pmx_track t;
        memset(&t, 0, sizeof t);
        t.struct_size = V13_TRACK_SIZE;
        t.has = PMX_TRACK_HAS_PLAY_COUNT;
        t.key = s(keys[i]);
        t.title = s(keys[i]);
        t.play_count = (uint64_t)i;
        /* Bytes past 1.3's size hold garbage the host must not read. */
        t.favourite = 1;
        t.recording_mbid = s("not-for-the-host");
        if (out->track(out->ctx, &t) != 0) return PMX_OK;
    }
    return PMX_OK;
}

static const pmx_media_source media = {sizeof(pmx_media_source), 0, identity, list_libraries, scan_tracks, NULL, NULL};

static pmx_status create(const pmx_kv *settings, size_t count, const pmx_call *call, pmx_instance **out) {
    (void)settings;
    (void)count;
    (void)call;
    *out = &the_instance;
    return PMX_OK;
}

static void destroy(pmx_instance *self) { (void)self; }

static const void *get_interface(pmx_instance *self, const char *id) {
    (void)self;
    return strcmp(id, PMX_IFACE_MEDIA_SOURCE) == 0 ? &media : NULL;
}

static const char *const interfaces[] = {PMX_IFACE_MEDIA_SOURCE, NULL};

PMX_EXPORT const pmx_plugin_entry pmx_entry = {
    PMX_ABI_MAJOR, 3u, sizeof(pmx_plugin_entry), 0,
    "media-v13", "A media source built for ABI 1.3", "1.0.0", "an older plugin the host keeps loading",
    interfaces, NULL, NULL, NULL, create, destroy, get_interface,
};
