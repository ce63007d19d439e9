/* plexmix plugin ABI v1: the only file the host and plugins share (C11, no dependencies). */
#ifndef PMX_PLUGIN_H
#define PMX_PLUGIN_H

/*
 * How to read this header
 * -----------------------
 * A plugin is a shared library that exports exactly one symbol, `pmx_entry`, a const
 * `pmx_plugin_entry`. Everything the host learns about a plugin before calling any of its
 * functions is *data* in that struct: ABI version, id, interfaces, settings it accepts.
 *
 * Conventions that hold for every declaration below (see conventions/ for the long form):
 *
 *  - SIZES. Every struct that crosses the boundary starts with `uint32_t struct_size`, set by
 *    whoever fills the struct to `sizeof` of the struct as *they* were compiled. The receiver
 *    zero-fills its own copy and copies min(struct_size, sizeof) bytes; a field beyond the
 *    given size reads as zero, and zero always means "default" / "absent" / "not supported".
 *    Vtables the host gives plugins (pmx_host, pmx_call, services) follow the same rule: a
 *    plugin built against a newer minor must check `struct_size` (PMX_HAS_FIELD) before using
 *    a field that was appended after the host's minor.
 *  - GROWTH. Within ABI major 1 nothing is removed or changed; structs grow only by appending
 *    fields, behaviour grows by new interface ids ("pmx.embedder/2" next to "/1").
 *    Arrays of growable structs are passed as arrays of pointers, never by value, so the
 *    stride never depends on the struct's size.
 *  - STRINGS are UTF-8. `pmx_str` is pointer + length and need not be NUL-terminated;
 *    plain `const char *` is NUL-terminated. An empty pmx_str may have data == NULL.
 *  - OWNERSHIP. Whoever allocates, frees. Inputs are borrowed for the duration of the call
 *    and must not be kept; copy what you need. Variable-size outputs go through sinks that
 *    the caller provides (the sink copies). Fixed-size outputs go into caller buffers with a
 *    stated capacity.
 *  - ERRORS. Functions return a pmx_status. Details (message, HTTP status, Retry-After) are
 *    set on the per-call context `pmx_call`. An unknown status value is read as
 *    PMX_INTERNAL.
 *  - NO EXCEPTIONS, NO LONGJMP across the boundary in either direction. The C++ helper
 *    header (plugin.hpp) catches everything at each callback.
 *  - POLICY IS THE HOST'S. Plugins never sleep, never retry, never spawn threads that
 *    outlive a call. The host owns retries (backoff with jitter, Retry-After), timeouts,
 *    deadlines, cancellation, concurrency and rate limits, and logging with secrets redacted.
 *  - THREADS. Each function states which thread may call it. Calls on one instance are
 *    serialized by the host unless the plugin declares `max_concurrent_calls` > 1.
 *  - LIFETIME. The host keeps a plugin library mapped until the process exits; instances are
 *    destroyed before `deinit` is called.
 */

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------- */
/* Versions                                                                                   */
/* ---------------------------------------------------------------------------------------- */

/* The host refuses a plugin whose abi_major differs from its own. Within a major, a host
 * accepts any minor: an older plugin simply lacks appended fields (read as zero), a newer
 * plugin must check the host's minor (pmx_host.abi_minor) before relying on newer services. */
#define PMX_ABI_MAJOR 1u
#define PMX_ABI_MINOR 5u

/* True when a struct received with `struct_size` contains `field` (for host vtables). */
#define PMX_HAS_FIELD(ptr, type, field) \
    ((ptr) != NULL && (ptr)->struct_size >= offsetof(type, field) + sizeof(((type *)0)->field))

/* Interface ids: "pmx.<name>/<revision>". Never reused with another meaning. */
#define PMX_IFACE_MEDIA_SOURCE "pmx.media-source/1"
#define PMX_IFACE_EMBEDDER "pmx.embedder/1"
#define PMX_IFACE_COMPLETER "pmx.completer/1"

/* Host service ids, for pmx_host.get_service. */
#define PMX_SERVICE_LOG "pmx.host.log/1"
#define PMX_SERVICE_HTTP "pmx.host.http/1"

/* The one exported symbol. */
#define PMX_ENTRY_SYMBOL "pmx_entry"

/* ---------------------------------------------------------------------------------------- */
/* Basic types                                                                                */
/* ---------------------------------------------------------------------------------------- */

/* Status of every call. Values are stable; new ones are only appended. */
typedef int32_t pmx_status;
#define PMX_OK 0
#define PMX_RATE_LIMITED 1  /* retryable: the provider asked us to slow down (HTTP 429) */
#define PMX_UNAVAILABLE 2   /* retryable: connection failed, 5xx, server overloaded */
#define PMX_TIMEOUT 3       /* retryable: the request or the call deadline expired */
#define PMX_CANCELLED 4     /* the user cancelled (pmx_call.is_cancelled returned non-zero) */
#define PMX_AUTH 5          /* missing or wrong credentials (401/403) */
#define PMX_INVALID_INPUT 6 /* the request is wrong (400, bad setting, text too long) */
#define PMX_NOT_FOUND 7     /* the item, library, model or endpoint does not exist */
#define PMX_UNSUPPORTED 8   /* a normal answer: this plugin does not do that */
#define PMX_BAD_RESPONSE 9  /* the server answered something that cannot be parsed; retryable
                             * since 1.2 (a garbage body is usually transient) */
#define PMX_INTERNAL 10     /* a bug; also what any unknown status value means */
#define PMX_STATUS_COUNT 11

/* A UTF-8 string slice; not necessarily NUL-terminated. data may be NULL when len == 0. */
typedef struct pmx_str {
    const char *data;
    size_t len;
} pmx_str;

/* A borrowed key/value pair (settings, HTTP headers). Fixed forever: never grows. */
typedef struct pmx_kv {
    pmx_str key;
    pmx_str value;
} pmx_kv;

/* Log levels for the log service. */
typedef int32_t pmx_log_level;
#define PMX_LOG_TRACE 0
#define PMX_LOG_DEBUG 1
#define PMX_LOG_INFO 2
#define PMX_LOG_WARN 3
#define PMX_LOG_ERROR 4

/* An instance made by a plugin's create(); opaque to the host. */
typedef struct pmx_instance pmx_instance;

/* ---------------------------------------------------------------------------------------- */
/* The per-call context (host -> plugin)                                                      */
/* ---------------------------------------------------------------------------------------- */

/*
 * Every plugin function that may do I/O receives a `const pmx_call *`. It is allocated by the
 * host, valid only for the duration of that function call, and may only be used on the
 * thread that received it. Its function pointers are never NULL in a v1.0 host.
 */
typedef struct pmx_call pmx_call;
struct pmx_call {
    uint32_t struct_size;
    uint32_t reserved;
    /* Host-private. Plugins must not touch it. */
    void *host_data;

    /* Non-zero once the user or the deadline cancelled this call. Cheap; poll it in loops
     * that do not go through the HTTP service (which already checks it). */
    int32_t (*is_cancelled)(const pmx_call *call);

    /* Milliseconds left before this call's deadline; INT64_MAX when there is none. */
    int64_t (*remaining_ms)(const pmx_call *call);

    /* Explains a non-OK status. `message` is copied (may be NULL/0). Secrets the host knows
     * of are redacted from it before it is shown or logged. The last call wins. */
    void (*set_error)(const pmx_call *call, pmx_status status, const char *message, size_t len);

    /* The HTTP status behind the error, when there is one (the HTTP service records the
     * last response's status automatically; call this to override). */
    void (*set_http_status)(const pmx_call *call, int32_t http_status);

    /* How long the provider asked us to wait (from Retry-After or a JSON body), in ms.
     * 0 = no hint. Recorded automatically from a response's Retry-After header. */
    void (*set_retry_after_ms)(const pmx_call *call, int64_t ms);

    /* Progress of long work, e.g. tracks scanned. total == 0 means unknown. */
    void (*progress)(const pmx_call *call, uint64_t done, uint64_t total);

    /* Token usage of a completion or embedding call, for accounting. 0 = unknown. */
    void (*report_usage)(const pmx_call *call, uint64_t input_tokens, uint64_t output_tokens);
};

/* ---------------------------------------------------------------------------------------- */
/* Host services (host -> plugin)                                                             */
/* ---------------------------------------------------------------------------------------- */

/* "pmx.host.log/1". Any thread. `host` is the pmx_host the plugin was given at init (it
 * tells the host which plugin speaks). The host adds the plugin id, filters by level and
 * redacts secrets. `message` is borrowed for the call. */
struct pmx_host;
typedef struct pmx_host_log {
    uint32_t struct_size;
    uint32_t reserved;
    void (*log)(const struct pmx_host *host, pmx_log_level level, const char *message,
                size_t len);
    /* Non-zero when `level` would be written for this plugin (`host` as for log); lets a
     * plugin skip building costly messages. */
    int32_t (*enabled)(const struct pmx_host *host, pmx_log_level level);
} pmx_host_log;

/* One HTTP request: exactly one attempt (unless flagged PMX_HTTP_RETRY_SAFE); the host owns
 * retries around the plugin's call. */
typedef struct pmx_http_request {
    uint32_t struct_size;
    uint32_t reserved;
    const char *method;     /* "GET", "POST", "PUT", "DELETE"...; NULL means "GET" */
    pmx_str url;            /* absolute http:// or https:// URL */
    const pmx_kv *headers;  /* header_count entries, names case-insensitive */
    size_t header_count;
    pmx_str body;           /* request body, may be empty */
    /* Per-request timeout in ms; 0 = the provider's configured timeout. The host also caps
     * it by the call's remaining deadline. */
    uint32_t timeout_ms;
    uint32_t flags;         /* PMX_HTTP_* below; 0 = defaults */
} pmx_http_request;

/* Do not log the request body even at trace level (it holds credentials). */
#define PMX_HTTP_SECRET_BODY 1u
/* ABI 1.2. The request may be sent again unchanged: a GET, or a PUT or DELETE whose repetition
 * changes nothing more (never a POST that creates, never a PUT that appends). The host then
 * repeats it itself after a 408, 429 or 5xx answer or a transport failure, with backoff and
 * Retry-After, within the call's deadline, and hands back only the last answer: a failure
 * part-way through a call of many requests costs one request again, not the whole call.
 * Attempts are counted per request (a success starts the count again); a 429, or an answer
 * that says when to come back (Retry-After), waits without using one, up to the deadline.
 * A 1.0/1.1 host ignores the flag and sends the request once. */
#define PMX_HTTP_RETRY_SAFE 2u

/* A response, allocated and owned by the host. Valid until released with
 * pmx_host_http.release() or until the plugin function that received the pmx_call
 * returns, whichever comes first. Never modify it. */
typedef struct pmx_http_response {
    uint32_t struct_size;
    int32_t status;           /* HTTP status code (e.g. 200, 429) */
    const pmx_kv *headers;    /* header_count entries, names lower-cased, in order received */
    size_t header_count;
    pmx_str body;             /* the body, NUL-terminated for convenience (not counted in len) */
    int64_t retry_after_ms;   /* parsed Retry-After (seconds or HTTP date); 0 = none */
} pmx_http_response;

/* "pmx.host.http/1". Any thread that holds a pmx_call. TLS verification is always on,
 * proxy variables are honoured, connections are reused per provider, the provider's
 * requests-per-minute limit is applied before the request is sent. */
typedef struct pmx_host_http {
    uint32_t struct_size;
    uint32_t reserved;
    /* Performs one request. Returns PMX_OK when a response (of any HTTP status) was
     * received and stores it in *out; PMX_TIMEOUT, PMX_UNAVAILABLE (connect/DNS/TLS
     * failure) or PMX_CANCELLED otherwise, with *out set to NULL and the message set on
     * `call`. `req` is borrowed for the call. */
    pmx_status (*request)(const pmx_call *call, const pmx_http_request *req,
                          pmx_http_response **out);
    /* Frees a response early (e.g. after each page of a long scan). NULL is a no-op. */
    void (*release)(pmx_http_response *response);
} pmx_host_http;

/* What the host gives a plugin at init. Valid until the process exits. */
typedef struct pmx_host {
    uint32_t struct_size;
    uint32_t abi_major;
    uint32_t abi_minor;
    uint32_t reserved;
    const char *host_name;    /* "plexmix" */
    const char *host_version; /* e.g. "0.1.0" */
    /* Returns the service vtable for `id` (e.g. PMX_SERVICE_HTTP), or NULL when the host
     * does not offer it. Any thread; the returned pointer is valid until exit. */
    const void *(*get_service)(const struct pmx_host *host, const char *id);
    /* ABI 1.2. A stable id of this installation (its data directory): generated once, kept,
     * the same on every run; for what a server wants per client install (Plex's
     * X-Plex-Client-Identifier, Jellyfin's DeviceId). NULL or "" when the host has none (e.g.
     * `plugins check` without a data directory): use a fixed fallback of your own then. */
    const char *install_id;
    /* ABI 1.4. A directory of this plugin's own, inside the host's data directory (e.g.
     * "<data_dir>/plugins/jellyfin"), for what it must keep between runs (a session token it
     * was given in exchange for a password). It may not exist yet: create it, private (0700),
     * and keep files in it private (0600); it is never shared with another plugin. NULL or ""
     * when the host has none (`plugins check`): keep nothing then. */
    const char *state_dir;
} pmx_host;

/* ---------------------------------------------------------------------------------------- */
/* Settings (declared by the plugin as data; values given by the host)                        */
/* ---------------------------------------------------------------------------------------- */

typedef int32_t pmx_setting_type;
#define PMX_SETTING_STRING 0   /* any text */
#define PMX_SETTING_INT 1      /* host validates; value given as decimal text */
#define PMX_SETTING_BOOL 2     /* host validates; value given as "true" or "false" */
#define PMX_SETTING_DURATION 3 /* "30s", "500ms", "2m"; value given as whole milliseconds */
#define PMX_SETTING_URL 4      /* http(s) URL; host validates; trailing '/' removed */

#define PMX_SETTING_REQUIRED 1u /* the host refuses a provider config without it */
#define PMX_SETTING_SECRET 2u   /* redacted from logs, errors and `config show` */

typedef struct pmx_setting_spec {
    uint32_t struct_size;
    pmx_setting_type type;
    uint32_t flags;           /* PMX_SETTING_* */
    uint32_t reserved;
    const char *key;          /* lower_snake_case, e.g. "api_key" */
    const char *default_value;/* as text; NULL = none */
    const char *description;  /* one line, shown by `plexmix plugins info` */
} pmx_setting_spec;

/* ---------------------------------------------------------------------------------------- */
/* Completer: "pmx.completer/1"                                                               */
/* ---------------------------------------------------------------------------------------- */

/* Roles of chat messages. */
#define PMX_ROLE_USER 0
#define PMX_ROLE_ASSISTANT 1

typedef struct pmx_message {
    uint32_t struct_size;
    int32_t role;            /* PMX_ROLE_* */
    pmx_str content;
} pmx_message;

#define PMX_COMPLETE_JSON 1u            /* the answer must be one JSON value */
#define PMX_COMPLETE_HAS_TEMPERATURE 2u /* `temperature` is set (0.0 is meaningful) */

typedef struct pmx_completion_request {
    uint32_t struct_size;
    uint32_t flags;                      /* PMX_COMPLETE_* */
    pmx_str system;                      /* system instructions; may be empty */
    const pmx_message *const *messages;  /* message_count pointers, oldest first */
    size_t message_count;
    pmx_str model;                       /* empty = the instance's configured model */
    uint32_t max_output_tokens;          /* 0 = the provider's default */
    float temperature;                   /* read only with PMX_COMPLETE_HAS_TEMPERATURE */
    pmx_str json_schema;                 /* optional JSON Schema for the answer (with _JSON) */
} pmx_completion_request;

/* A text sink: the plugin writes the answer in one or more pieces; the host copies. */
typedef struct pmx_text_sink {
    uint32_t struct_size;
    uint32_t reserved;
    void *ctx;
    /* Appends `len` bytes of UTF-8. Returns 0 to go on, non-zero when the host wants no
     * more (the plugin should then return PMX_CANCELLED). */
    int32_t (*write)(void *ctx, const char *data, size_t len);
} pmx_text_sink;

/* What a completer's model can take (ABI 1.3), so that the host sizes its requests to fit and
 * prices them: the context window counts input and output tokens together. */
typedef struct pmx_completer_info {
    uint32_t struct_size;
    uint32_t max_output_tokens;  /* most output tokens one answer may have; 0 = unknown */
    uint64_t context_tokens;     /* the model's context window (input + output); 0 = unknown */
    pmx_str model;               /* the configured model, e.g. "gpt-4o-mini"; may be empty */
} pmx_completer_info;

typedef struct pmx_completer {
    uint32_t struct_size;
    uint32_t reserved;
    /* Required. Produces the completion for `request` into `out`. Any host thread; calls
     * on one instance are serialized unless max_concurrent_calls > 1. On a retryable
     * failure the host may call it again with the same request, so it must not have side
     * effects beyond the provider request. On non-OK, what was written to `out` is
     * discarded by the host. */
    pmx_status (*complete)(pmx_instance *self, const pmx_call *call,
                           const pmx_completion_request *request, const pmx_text_sink *out);
    /* Optional (ABI 1.3; NULL or absent from an older plugin: nothing is known). Fills *info
     * (zero-filled by the host, with info->struct_size set by the host: write only fields
     * that fit). The model string must stay valid for the instance's lifetime. Any host
     * thread, no I/O. */
    pmx_status (*info)(pmx_instance *self, pmx_completer_info *info);
} pmx_completer;

/* ---------------------------------------------------------------------------------------- */
/* Embedder: "pmx.embedder/1"                                                                 */
/* ---------------------------------------------------------------------------------------- */

#define PMX_EMBED_DOCUMENT 0 /* texts to be stored and searched (tracks) */
#define PMX_EMBED_QUERY 1    /* a search query (models that distinguish the two use it) */

typedef struct pmx_embedder_info {
    uint32_t struct_size;
    uint32_t dimension;        /* floats per vector; > 0, fixed for the instance */
    uint32_t max_batch;        /* texts per embed() call; 0 = no limit */
    uint32_t max_input_chars;  /* longer texts are truncated by the plugin; 0 = no limit */
    uint32_t flags;            /* PMX_EMBEDDER_* */
    uint32_t reserved;
    pmx_str model;             /* model name stored with the vectors, e.g. "use-lite" */
} pmx_embedder_info;

#define PMX_EMBEDDER_NORMALIZED 1u /* vectors are L2-normalised (the host normalises if not) */

typedef struct pmx_embedder {
    uint32_t struct_size;
    uint32_t reserved;
    /* Required. Fills *info (zero-filled by the host, with info->struct_size set by the
     * host: write only fields that fit). The model string must stay valid for the
     * instance's lifetime. Any host thread, no I/O. */
    pmx_status (*info)(pmx_instance *self, pmx_embedder_info *info);
    /* Required. Embeds `count` texts (count <= max_batch when set) into `out`: count ×
     * dimension floats, row-major, finite. `out_capacity` is the number of floats `out`
     * holds; the host always gives count × dimension. `kind` is PMX_EMBED_*.
     * Calls on one instance are serialized unless max_concurrent_calls > 1. */
    pmx_status (*embed)(pmx_instance *self, const pmx_call *call, const pmx_str *texts,
                        size_t count, int32_t kind, float *out, size_t out_capacity);
} pmx_embedder;

/* ---------------------------------------------------------------------------------------- */
/* Media source: "pmx.media-source/1"                                                         */
/* ---------------------------------------------------------------------------------------- */

typedef struct pmx_server_info {
    uint32_t struct_size;
    uint32_t reserved;
    pmx_str identity;  /* stable server id (Plex machineIdentifier, Jellyfin server Id) */
    pmx_str name;      /* friendly name */
    pmx_str version;   /* server software version */
    pmx_str product;   /* "Plex Media Server", "Jellyfin Server" */
} pmx_server_info;

typedef struct pmx_library {
    uint32_t struct_size;
    uint32_t reserved;
    pmx_str key;       /* native key (Plex section id, Jellyfin view Id) */
    pmx_str title;
    uint64_t track_count; /* 0 = unknown, unless change_stamp is given (then exact) */
    /* ABI 1.5. A short text that changes whenever the library loses a track (deleted, or its
     * key changed) and, as far as the server can tell cheaply, whenever a track is added or
     * edited; it stays the same for plays and ratings. Opaque to the host, which keeps the one
     * of the last complete sync and compares it for equality only: when every library's stamp
     * and exact track_count are unchanged, an incremental sync reads the feeds but not every
     * key (it walks them anyway as soon as a feed brings a key the mirror lacks). Give it only
     * with an exact track_count (0 then means empty). Examples: Plex's section contentChangedAt
     * and updatedAt; Jellyfin's item count. No secrets: the host stores it. Empty = unknown: the
     * host walks every key on every incremental sync, as before. */
    pmx_str change_stamp;
} pmx_library;

/* Bits of pmx_track.has: which optional fields the server gave. A field whose bit is clear
 * was not given by the server (different from "given as zero"). */
#define PMX_TRACK_HAS_RATING 1u
#define PMX_TRACK_HAS_PLAY_COUNT 2u
#define PMX_TRACK_HAS_LAST_PLAYED 4u
#define PMX_TRACK_HAS_YEAR 8u
#define PMX_TRACK_HAS_LAST_RATED 16u /* ABI 1.1 */
#define PMX_TRACK_HAS_FAVOURITE 32u  /* ABI 1.4: pmx_track.favourite was given */

typedef struct pmx_track {
    uint32_t struct_size;
    uint32_t has;            /* PMX_TRACK_HAS_* */
    pmx_str key;             /* native key (Plex ratingKey, Jellyfin Id); never empty */
    pmx_str guid;            /* fallback identity across re-keys (e.g. plex://track/...) */
    pmx_str file_path;       /* path on the server, when known */
    pmx_str title;
    pmx_str artist;          /* track artist (may differ from album artist) */
    pmx_str artist_key;
    pmx_str album;
    pmx_str album_key;
    pmx_str album_artist;
    const pmx_str *genres;   /* genre_count names; the album's genres when the track has none */
    size_t genre_count;
    uint32_t track_number;   /* 0 = unknown */
    uint32_t disc_number;    /* 0 = unknown */
    uint64_t duration_ms;    /* 0 = unknown */
    int32_t year;            /* with PMX_TRACK_HAS_YEAR */
    int32_t user_rating;     /* 0..10 (half stars), with PMX_TRACK_HAS_RATING */
    uint64_t play_count;     /* with PMX_TRACK_HAS_PLAY_COUNT */
    int64_t last_played_at;  /* unix seconds, with PMX_TRACK_HAS_LAST_PLAYED */
    int64_t added_at;        /* unix seconds; 0 = unknown */
    int64_t updated_at;      /* unix seconds; 0 = unknown */
    /* ABI 1.1 (a 1.0 plugin's smaller struct_size leaves it zero) */
    int64_t last_rated_at;   /* unix seconds the user last rated it, with PMX_TRACK_HAS_LAST_RATED */
    /* ABI 1.4 (a smaller struct_size leaves them zero) */
    int32_t favourite;       /* 1 = the user marked it a favourite, 0 = not; with
                              * PMX_TRACK_HAS_FAVOURITE (servers without favourites leave the
                              * bit clear: unknown, not "no") */
    uint32_t reserved2;      /* zero */
    pmx_str recording_mbid;  /* MusicBrainz recording id (a UUID, lower case), when the server
                              * knows it: the same recording on another server has the same one */
} pmx_track;

/* Sinks for media-source outputs. Every emit copies what it is given; the pointers are
 * borrowed for that call only. */
typedef struct pmx_media_sink {
    uint32_t struct_size;
    uint32_t reserved;
    void *ctx;
    /* identity(): exactly one call on success. */
    void (*server)(void *ctx, const pmx_server_info *info);
    /* list_libraries(): one call per music library. */
    void (*library)(void *ctx, const pmx_library *library);
    /* scan_tracks(): one call per track. Returns 0 to go on, non-zero when the host has
     * seen enough (the plugin then stops and returns PMX_OK without a next cursor). */
    int32_t (*track)(void *ctx, const pmx_track *track);
    /* scan_tracks(): total items the whole scan will visit, when the server says. */
    void (*total)(void *ctx, uint64_t total);
    /* scan_tracks(): where the next page starts. Not calling it means "this was the last
     * page". The cursor is opaque to the host and passed back verbatim. */
    void (*next_cursor)(void *ctx, const char *cursor, size_t len);
    /* write_playlist(): the playlist's key on the server and the item count read back. */
    void (*playlist)(void *ctx, const char *key, size_t key_len, uint64_t item_count);
    /* ABI 1.2. write_playlist(): the key of a playlist the plugin has just CREATED, called as
     * soon as the server answered and before anything else is written to it, so that the host
     * records it before a later failure could make it an orphan. Returns 0 to go on; non-zero
     * when the host could not record it: stop writing and return PMX_CANCELLED (the marker in
     * its title lets a later attempt find it). A host without it (struct_size) records the key
     * only at the end. */
    int32_t (*playlist_created)(void *ctx, const char *key, size_t key_len);
} pmx_media_sink;

/* Order of a scan. */
#define PMX_SCAN_ORDER_ANY 0          /* fastest order, for full scans */
#define PMX_SCAN_ORDER_UPDATED_DESC 1 /* most recently updated first (incremental) */
#define PMX_SCAN_ORDER_ADDED_DESC 2   /* most recently added first (incremental) */
/* ABI 1.1. Servers such as Plex keep plays and ratings per user and do not move updated_at
 * for them, so an incremental sync also reads these two feeds. A plugin that cannot sort
 * so returns PMX_UNSUPPORTED; the host then relies on the other feeds. */
#define PMX_SCAN_ORDER_PLAYED_DESC 3  /* most recently played first (last_played_at) */
#define PMX_SCAN_ORDER_RATED_DESC 4   /* most recently rated first (last_rated_at) */
/* ABI 1.4. Every track the user marked favourite, in any order, complete: favourites carry no
 * time, so an incremental sync reads the whole (short) list, with PMX_SCAN_KEYS_ONLY, and takes
 * a listed track as a favourite and a missing one as no longer one. The host asks only a source
 * whose tracks carried PMX_TRACK_HAS_FAVOURITE; one that has no favourites answers
 * PMX_UNSUPPORTED. */
#define PMX_SCAN_ORDER_FAVOURITES 5

#define PMX_SCAN_KEYS_ONLY 1u /* only key (and updated_at if cheap) are needed: deletion pass */

typedef struct pmx_scan_request {
    uint32_t struct_size;
    uint32_t flags;         /* PMX_SCAN_* */
    pmx_str library_key;    /* from list_libraries() */
    pmx_str cursor;         /* empty = first page; else a value given by next_cursor */
    int32_t order;          /* PMX_SCAN_ORDER_* */
    uint32_t page_size;     /* items per page; 0 = the plugin's configured default */
    /* ABI 1.4. With an incremental order (UPDATED_DESC, ADDED_DESC, PLAYED_DESC), when the last
     * complete sync of this server started: unix seconds on the HOST's clock; 0 = unknown (a
     * first sync, an older host). A server that can filter by change time but not sort by it
     * (Jellyfin's MinDateLastSaved) answers UPDATED_DESC with what changed since then, in any
     * order; the plugin allows for the server's clock differing from the host's. Ignoring it is
     * correct: the host stops each feed at what the mirror already holds. */
    int64_t since;
} pmx_scan_request;

/*
 * Writing a playlist is a protocol, not a call: the host saves the playlist locally as pending,
 * calls write_playlist (again after a failure, maybe in another process), checks the count it
 * reports, and only then marks it published. So write_playlist must be safe to repeat at any
 * point of an earlier attempt:
 *  - replace_key set: converge that playlist's items to item_keys IN PLACE, keeping its key,
 *    and never remove its old items before the new ones are all there (a failure half-way
 *    leaves the old content, or the new content, never an empty or half playlist).
 *  - replace_key empty and a marker given: first look for a playlist carrying the marker (an
 *    earlier attempt made it, its answer was lost) and converge that one; only when there is
 *    none, create one whose title carries the marker (e.g. "Gym [pmx-3f9a1c7b2e4d]"), report
 *    its key through playlist_created at once, fill it, then give it its real title.
 *  - Titles and descriptions arrive free of control characters; cut them to what the server
 *    accepts (its URL or field limits), whole characters only.
 *  - Item keys the server does not know are left out (servers drop them); report the count
 *    the server really holds: the host compares it with item_count.
 */
typedef struct pmx_playlist_write {
    uint32_t struct_size;
    uint32_t reserved;
    pmx_str title;
    pmx_str description;
    pmx_str replace_key;          /* empty = create a new playlist; else replace its items
                                     in place, keeping its key */
    const pmx_str *item_keys;     /* item_count native track keys, in playlist order */
    size_t item_count;
    /* ABI 1.2. A token unique to this plexmix playlist ([a-z0-9-], e.g. "pmx-3f9a1c7b2e4d"),
     * the same on every attempt; empty from an older host (then no search, and a new title
     * from the start). */
    pmx_str marker;
} pmx_playlist_write;

typedef struct pmx_media_source {
    uint32_t struct_size;
    uint32_t reserved;
    /* Required. Emits the server's identity through out->server. */
    pmx_status (*identity)(pmx_instance *self, const pmx_call *call, const pmx_media_sink *out);
    /* Required. Emits every music library through out->library. */
    pmx_status (*list_libraries)(pmx_instance *self, const pmx_call *call,
                                 const pmx_media_sink *out);
    /* Required. Emits ONE page of tracks through out->track, the total through out->total
     * and, unless this was the last page, the next page's cursor through out->next_cursor.
     * The host drives paging (and retries a failed page); one call should be one request. */
    pmx_status (*scan_tracks)(pmx_instance *self, const pmx_call *call,
                              const pmx_scan_request *request, const pmx_media_sink *out);
    /* Optional (NULL = read-only source). Creates or replaces a playlist (see "Writing a
     * playlist" above: safe to repeat, finds what an earlier attempt made), reports a new
     * playlist's key through out->playlist_created as soon as it exists, and at the end its
     * key and the item count the server reports through out->playlist. */
    pmx_status (*write_playlist)(pmx_instance *self, const pmx_call *call,
                                 const pmx_playlist_write *request, const pmx_media_sink *out);
    /* Optional. Deletes a playlist; PMX_NOT_FOUND when it does not exist. */
    pmx_status (*delete_playlist)(pmx_instance *self, const pmx_call *call, pmx_str key);
} pmx_media_source;

/* ---------------------------------------------------------------------------------------- */
/* The entry                                                                                  */
/* ---------------------------------------------------------------------------------------- */

/*
 * Why the entry is data, not a function: the host reads abi_major, struct_size, the
 * interface list and the callbacks' presence before it calls anything, so it can refuse a
 * plugin built for another ABI without running code that may not even agree on calling
 * conventions. (Static constructors still run when the library is mapped: plugins must not
 * do work in them.)
 */
typedef struct pmx_plugin_entry {
    uint32_t abi_major;        /* PMX_ABI_MAJOR the plugin was built with */
    uint32_t abi_minor;        /* PMX_ABI_MINOR the plugin was built with */
    uint32_t struct_size;      /* sizeof(pmx_plugin_entry) as the plugin was built */
    uint32_t max_concurrent_calls; /* 0 or 1 = calls on an instance are serialized */

    const char *id;            /* required: [a-z0-9-]+, unique, e.g. "plex" */
    const char *name;          /* required: human name, e.g. "Plex Media Server" */
    const char *version;       /* required: the plugin's own version, e.g. "1.2.0" */
    const char *description;   /* optional: one line */

    /* Required: NULL-terminated list of interface ids the instances implement,
     * e.g. { PMX_IFACE_EMBEDDER, PMX_IFACE_COMPLETER, NULL }. */
    const char *const *interfaces;

    /* Optional: NULL-terminated list of settings a provider of this plugin accepts.
     * The host rejects other keys (besides its own: plugin, timeout, connect_timeout,
     * deadline, retries, concurrency, rpm) with their file:line:col. */
    const pmx_setting_spec *const *settings;

    /* Optional. Called once, on the main thread, before anything else. `host` is valid
     * until exit. A non-OK status refuses the plugin (message via call->set_error). */
    pmx_status (*init)(const pmx_host *host, const pmx_call *call);

    /* Optional. Called once, on the main thread, after every instance was destroyed. */
    void (*deinit)(void);

    /* Required. Makes an instance from validated settings (setting_count pairs, borrowed,
     * every declared key present with its default applied, normalised as the type says).
     * No network I/O: checking credentials is identity()'s job. Main thread or any one
     * host thread; never concurrently with another call on the same plugin. */
    pmx_status (*create)(const pmx_kv *settings, size_t setting_count, const pmx_call *call,
                         pmx_instance **out);

    /* Required. Destroys an instance; never called concurrently with a call on it. */
    void (*destroy)(pmx_instance *self);

    /* Required. Returns the vtable of interface `id` (e.g. const pmx_embedder *) for this
     * instance, or NULL when it does not implement it. The vtable must stay valid for the
     * instance's lifetime. Any thread; no I/O. */
    const void *(*get_interface)(pmx_instance *self, const char *id);
} pmx_plugin_entry;

/* Declare the entry in a plugin with:
 *   C:    PMX_EXPORT const pmx_plugin_entry pmx_entry = {...};
 *   C++:  extern "C" PMX_EXPORT const pmx_plugin_entry pmx_entry = {...};
 *         or PMX_PLUGIN(descriptor) from pmx/plugin.hpp. Without extern "C", a const at
 *         namespace scope has internal linkage in C++ and nothing is exported. */
#if defined(_WIN32)
#define PMX_EXPORT __declspec(dllexport)
#else
#define PMX_EXPORT __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* PMX_PLUGIN_H */
