/* Deliberately broken plugins, one per BROKEN_* define, built from this one file:
 *   BROKEN_WRONG_MAJOR   built for ABI 2
 *   BROKEN_TOO_SMALL     entry claims 16 bytes
 *   BROKEN_NO_CREATE     required callback create() missing
 *   BROKEN_BAD_VTABLE    get_interface() hands back a completer vtable of 4 bytes
 *   BROKEN_INIT_FAILS    init() refuses with AUTH
 *   BROKEN_GARBAGE       complete() returns status 12345, embed() writes NaN, writes past capacity
 */
#include <math.h>
#include <string.h>

#include <pmx/plugin.h>

struct pmx_instance {
    int unused;
};
static struct pmx_instance the_instance;

static pmx_status complete(pmx_instance *self, const pmx_call *call, const pmx_completion_request *req,
                           const pmx_text_sink *out) {
    (void)self;
    (void)call;
    (void)req;
    out->write(out->ctx, "x", 1);
#ifdef BROKEN_GARBAGE
    return 12345;
#else
    return PMX_OK;
#endif
}

#ifdef BROKEN_BAD_VTABLE
static const pmx_completer completer = {4, 0, complete};
#else
static const pmx_completer completer = {sizeof(pmx_completer), 0, complete};
#endif

static pmx_status info(pmx_instance *self, pmx_embedder_info *out) {
    (void)self;
    out->dimension = 2;
    out->model.data = "garbage";
    out->model.len = 7;
    return PMX_OK;
}

static pmx_status embed(pmx_instance *self, const pmx_call *call, const pmx_str *texts, size_t count, int32_t kind,
                        float *out, size_t capacity) {
    (void)self;
    (void)call;
    (void)texts;
    (void)kind;
    for (size_t i = 0; i < capacity + 4 && i < count * 2 + 4; ++i) out[i] = (float)NAN;
    return PMX_OK;
}

static const pmx_embedder embedder = {sizeof(pmx_embedder), 0, info, embed};

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
    if (strcmp(id, PMX_IFACE_COMPLETER) == 0) return &completer;
#ifdef BROKEN_GARBAGE
    if (strcmp(id, PMX_IFACE_EMBEDDER) == 0) return &embedder;
#endif
    return NULL;
}

#ifdef BROKEN_INIT_FAILS
static pmx_status init(const pmx_host *host, const pmx_call *call) {
    (void)host;
    call->set_error(call, PMX_AUTH, "licence key missing", 19);
    return PMX_AUTH;
}
#else
#define init NULL
#endif

#ifdef BROKEN_GARBAGE
static const char *const interfaces[] = {PMX_IFACE_COMPLETER, PMX_IFACE_EMBEDDER, NULL};
#else
static const char *const interfaces[] = {PMX_IFACE_COMPLETER, NULL};
#endif

PMX_EXPORT const pmx_plugin_entry pmx_entry = {
#ifdef BROKEN_WRONG_MAJOR
    2, 0, sizeof(pmx_plugin_entry), 0,
#elif defined(BROKEN_TOO_SMALL)
    PMX_ABI_MAJOR, PMX_ABI_MINOR, 16, 0,
#else
    PMX_ABI_MAJOR, PMX_ABI_MINOR, sizeof(pmx_plugin_entry), 0,
#endif
    BROKEN_ID, "A broken plugin", "0.0.1", NULL, interfaces, NULL, init, NULL,
#ifdef BROKEN_NO_CREATE
    NULL,
#else
    create,
#endif
    destroy, get_interface,
};
