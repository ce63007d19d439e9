/* A correct plugin written in plain C11: a completer that answers "hello" (or {"hello":true})
 * and an embedder of dimension 4. The baseline every broken plugin is compared with. */
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
    if (call->is_cancelled(call)) {
        call->set_error(call, PMX_CANCELLED, "cancelled", 9);
        return PMX_CANCELLED;
    }
    const char *answer = (req->flags & PMX_COMPLETE_JSON) ? "{\"hello\":true}" : "hello";
    out->write(out->ctx, answer, strlen(answer));
    return PMX_OK;
}

static const pmx_completer completer = {sizeof(pmx_completer), 0, complete};

static pmx_status info(pmx_instance *self, pmx_embedder_info *out) {
    (void)self;
    out->dimension = 4;
    out->max_batch = 8;
    out->flags = PMX_EMBEDDER_NORMALIZED;
    out->model.data = "c-good-4";
    out->model.len = 8;
    return PMX_OK;
}

static pmx_status embed(pmx_instance *self, const pmx_call *call, const pmx_str *texts, size_t count, int32_t kind,
                        float *out, size_t capacity) {
    (void)self;
    (void)kind;
    if (call->is_cancelled(call)) return PMX_CANCELLED;
    if (capacity < count * 4) return PMX_INVALID_INPUT;
    for (size_t i = 0; i < count; ++i) {
        float v[4] = {1.0f, (float)(texts[i].len % 7), (float)(texts[i].len % 3), 0.5f};
        float norm = sqrtf(v[0] * v[0] + v[1] * v[1] + v[2] * v[2] + v[3] * v[3]);
        for (int j = 0; j < 4; ++j) out[i * 4 + (size_t)j] = v[j] / norm;
    }
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
    if (strcmp(id, PMX_IFACE_EMBEDDER) == 0) return &embedder;
    return NULL;
}

static const char *const interfaces[] = {PMX_IFACE_COMPLETER, PMX_IFACE_EMBEDDER, NULL};
static const pmx_setting_spec greeting = {sizeof(pmx_setting_spec), PMX_SETTING_STRING, 0, 0, "greeting", "hello",
                                          "what to say"};
static const pmx_setting_spec api_key = {sizeof(pmx_setting_spec), PMX_SETTING_STRING, PMX_SETTING_SECRET, 0,
                                         "api_key", NULL, "a secret nobody checks"};
static const pmx_setting_spec *const settings[] = {&greeting, &api_key, NULL};

#ifndef GOOD_ID
#define GOOD_ID "c-good"
#endif

PMX_EXPORT const pmx_plugin_entry pmx_entry = {
    PMX_ABI_MAJOR, PMX_ABI_MINOR, sizeof(pmx_plugin_entry), 0,
    GOOD_ID, "A correct C plugin", "1.0.0", "baseline for the loader tests",
    interfaces, settings, NULL, NULL, create, destroy, get_interface,
};
