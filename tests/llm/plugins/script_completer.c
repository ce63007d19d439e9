/* A completer for the structured-call tests: answers in turn from its `answers` setting (the
 * answers separated by a line holding only "---"; the last one repeats), reports usage (one
 * token per 4 bytes in, per 4 bytes out), fails with status `fail` when it is set, and appends
 * what it was asked (each message as "role: content" lines, then "===") to the file `log`.
 * Its info() (ABI 1.3) reports the `context_tokens` and `max_output` settings and the model
 * "script-model". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pmx/plugin.h>

#define MAX_ANSWERS 16
#define SEPARATOR "\n---\n"

struct pmx_instance {
    char *answers[MAX_ANSWERS];
    size_t count;
    size_t next;
    int fail;
    unsigned long long context_tokens;
    unsigned max_output;
    char log[512];
};

static char *copy(const char *data, size_t len) {
    char *text = malloc(len + 1);
    if (text) {
        memcpy(text, data, len);
        text[len] = '\0';
    }
    return text;
}

static void log_request(const struct pmx_instance *self, const pmx_completion_request *req) {
    if (self->log[0] == '\0') return;
    FILE *file = fopen(self->log, "a");
    if (!file) return;
    fprintf(file, "system: %.*s\n", (int)req->system.len, req->system.data);
    for (size_t i = 0; i < req->message_count; ++i) {
        const pmx_message *m = req->messages[i];
        fprintf(file, "%s: %.*s\n", m->role == PMX_ROLE_USER ? "user" : "assistant", (int)m->content.len,
                m->content.data);
    }
    fprintf(file, "json: %u schema: %.*s\nmax_output: %u\n===\n", (unsigned)(req->flags & PMX_COMPLETE_JSON),
            (int)req->json_schema.len, req->json_schema.data, (unsigned)req->max_output_tokens);
    fclose(file);
}

static pmx_status complete(pmx_instance *self, const pmx_call *call, const pmx_completion_request *req,
                           const pmx_text_sink *out) {
    log_request(self, req);
    if (self->fail != 0) {
        call->set_error(call, (pmx_status)self->fail, "scripted failure", 16);
        return (pmx_status)self->fail;
    }
    const char *answer = self->count == 0 ? "" : self->answers[self->next < self->count ? self->next : self->count - 1];
    ++self->next;
    size_t in = req->system.len;
    for (size_t i = 0; i < req->message_count; ++i) in += req->messages[i]->content.len;
    call->report_usage(call, in / 4, strlen(answer) / 4);
    out->write(out->ctx, answer, strlen(answer));
    return PMX_OK;
}

static pmx_status info(pmx_instance *self, pmx_completer_info *out) {
    pmx_completer_info full;
    memset(&full, 0, sizeof full);
    full.struct_size = sizeof full;
    full.context_tokens = self->context_tokens;
    full.max_output_tokens = self->max_output;
    full.model.data = "script-model";
    full.model.len = 12;
    memcpy(out, &full, out->struct_size < sizeof full ? out->struct_size : sizeof full);
    out->struct_size = (uint32_t)(out->struct_size < sizeof full ? out->struct_size : sizeof full);
    return PMX_OK;
}

static const pmx_completer completer = {sizeof(pmx_completer), 0, complete, info};

static pmx_status create(const pmx_kv *settings, size_t count, const pmx_call *call, pmx_instance **out) {
    (void)call;
    struct pmx_instance *self = calloc(1, sizeof *self);
    if (!self) return PMX_INTERNAL;
    for (size_t i = 0; i < count; ++i) {
        const pmx_kv *kv = &settings[i];
        if (kv->key.len == 7 && memcmp(kv->key.data, "answers", 7) == 0) {
            char *all = copy(kv->value.data, kv->value.len);
            char *at = all;
            while (at && self->count < MAX_ANSWERS) {
                char *end = strstr(at, SEPARATOR);
                if (end) *end = '\0';
                self->answers[self->count++] = copy(at, strlen(at));
                at = end ? end + strlen(SEPARATOR) : NULL;
            }
            free(all);
        } else if (kv->key.len == 4 && memcmp(kv->key.data, "fail", 4) == 0) {
            char *text = copy(kv->value.data, kv->value.len);
            self->fail = text ? atoi(text) : 0;
            free(text);
        } else if (kv->key.len == 14 && memcmp(kv->key.data, "context_tokens", 14) == 0) {
            char *text = copy(kv->value.data, kv->value.len);
            self->context_tokens = text ? strtoull(text, NULL, 10) : 0;
            free(text);
        } else if (kv->key.len == 10 && memcmp(kv->key.data, "max_output", 10) == 0) {
            char *text = copy(kv->value.data, kv->value.len);
            self->max_output = text ? (unsigned)strtoul(text, NULL, 10) : 0;
            free(text);
        } else if (kv->key.len == 3 && memcmp(kv->key.data, "log", 3) == 0 && kv->value.len < sizeof self->log) {
            memcpy(self->log, kv->value.data, kv->value.len);
        }
    }
    *out = self;
    return PMX_OK;
}

static void destroy(pmx_instance *self) {
    for (size_t i = 0; i < self->count; ++i) free(self->answers[i]);
    free(self);
}

static const void *get_interface(pmx_instance *self, const char *id) {
    (void)self;
    return strcmp(id, PMX_IFACE_COMPLETER) == 0 ? &completer : NULL;
}

static const char *const interfaces[] = {PMX_IFACE_COMPLETER, NULL};
static const pmx_setting_spec answers = {sizeof(pmx_setting_spec), PMX_SETTING_STRING, 0, 0, "answers", "",
                                         "the answers, in turn, separated by a line ---"};
static const pmx_setting_spec fail = {sizeof(pmx_setting_spec), PMX_SETTING_STRING, 0, 0, "fail", "0",
                                      "a pmx_status to fail every call with"};
static const pmx_setting_spec log_file = {sizeof(pmx_setting_spec), PMX_SETTING_STRING, 0, 0, "log", "",
                                          "a file to append each request to"};
static const pmx_setting_spec context_tokens = {sizeof(pmx_setting_spec), PMX_SETTING_STRING, 0, 0, "context_tokens",
                                                "0", "the context window info() reports (0: unknown)"};
static const pmx_setting_spec max_output = {sizeof(pmx_setting_spec), PMX_SETTING_STRING, 0, 0, "max_output", "0",
                                            "the output cap info() reports (0: unknown)"};
static const pmx_setting_spec *const settings[] = {&answers, &fail, &log_file, &context_tokens, &max_output, NULL};

PMX_EXPORT const pmx_plugin_entry pmx_entry = {
    PMX_ABI_MAJOR, PMX_ABI_MINOR, sizeof(pmx_plugin_entry), 0,
    "script-completer", "A scripted completer", "1.0.0", "answers the structured-call tests",
    interfaces, settings, NULL, NULL, create, destroy, get_interface,
};
