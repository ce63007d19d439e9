/* A plugin that shows what settings it was given: an embedder (like good.c) whose model name
 * lists every setting it received, which it also logs through the host at warn level. The
 * host must hand it values normalised by type and must mask the secret wherever it is shown. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <pmx/plugin.h>

enum { kReceivedMax = 512 };

struct pmx_instance {
    char received[kReceivedMax];  /* "wait=1500 endpoint=... " */
};
static struct pmx_instance the_instance;
static const pmx_host *the_host;

static pmx_status init(const pmx_host *host, const pmx_call *call) {
    (void)call;
    the_host = host;
    return PMX_OK;
}

static void log_warn(const char *message) {
    const pmx_host_log *log = the_host ? (const pmx_host_log *)the_host->get_service(the_host, PMX_SERVICE_LOG) : NULL;
    if (log) log->log(the_host, PMX_LOG_WARN, message, strlen(message));
}

static pmx_status info(pmx_instance *self, pmx_embedder_info *out) {
    out->dimension = 2;
    out->max_batch = 4;
    out->flags = PMX_EMBEDDER_NORMALIZED;
    out->model.data = self->received;
    out->model.len = strlen(self->received);
    return PMX_OK;
}

static pmx_status embed(pmx_instance *self, const pmx_call *call, const pmx_str *texts, size_t count, int32_t kind,
                        float *out, size_t capacity) {
    (void)self;
    (void)kind;
    if (call->is_cancelled(call)) return PMX_CANCELLED;
    if (capacity < count * 2) return PMX_INVALID_INPUT;
    for (size_t i = 0; i < count; ++i) {
        const float angle = (float)(texts[i].len % 11);
        out[i * 2] = cosf(angle);
        out[i * 2 + 1] = sinf(angle);
    }
    return PMX_OK;
}

static const pmx_embedder embedder = {sizeof(pmx_embedder), 0, info, embed};

static pmx_status create(const pmx_kv *settings, size_t count, const pmx_call *call, pmx_instance **out) {
    (void)call;
    size_t used = 0;
    the_instance.received[0] = '\0';
    for (size_t i = 0; i < count && used < kReceivedMax; ++i) {
        const int n = snprintf(the_instance.received + used, kReceivedMax - used, "%s%.*s=%.*s", used ? " " : "",
                               (int)settings[i].key.len, settings[i].key.data, (int)settings[i].value.len,
                               settings[i].value.data);
        if (n < 0) break;
        used += (size_t)n;
    }
    if (used >= kReceivedMax) used = kReceivedMax - 1;
    the_instance.received[used] = '\0';
    char message[kReceivedMax + 16];
    snprintf(message, sizeof message, "received %s", the_instance.received);
    log_warn(message);
    *out = &the_instance;
    return PMX_OK;
}

static void destroy(pmx_instance *self) { (void)self; }

static const void *get_interface(pmx_instance *self, const char *id) {
    (void)self;
    if (strcmp(id, PMX_IFACE_EMBEDDER) == 0) return &embedder;
    return NULL;
}

static const char *const interfaces[] = {PMX_IFACE_EMBEDDER, NULL};
static const pmx_setting_spec wait = {sizeof(pmx_setting_spec), PMX_SETTING_DURATION, 0, 0, "wait", "2s",
                                      "a duration, given to the plugin in milliseconds"};
static const pmx_setting_spec endpoint = {sizeof(pmx_setting_spec), PMX_SETTING_URL, 0, 0, "endpoint", NULL,
                                          "a URL, given without a trailing '/'"};
static const pmx_setting_spec batch = {sizeof(pmx_setting_spec), PMX_SETTING_INT, 0, 0, "batch", "8",
                                       "a whole number"};
static const pmx_setting_spec loud = {sizeof(pmx_setting_spec), PMX_SETTING_BOOL, 0, 0, "loud", "no",
                                      "true or false"};
static const pmx_setting_spec unlock = {sizeof(pmx_setting_spec), PMX_SETTING_STRING, PMX_SETTING_SECRET, 0,
                                        "unlock_words", NULL, "a secret (declared so, not named so), never shown"};
static const pmx_setting_spec *const settings[] = {&wait, &endpoint, &batch, &loud, &unlock, NULL};

PMX_EXPORT const pmx_plugin_entry pmx_entry = {
    PMX_ABI_MAJOR, PMX_ABI_MINOR, sizeof(pmx_plugin_entry), 0,
    "settings-probe", "Settings probe", "1.0.0", "tells what settings it received (loader tests)",
    interfaces, settings, init, NULL, create, destroy, get_interface,
};
