/* Pins the plugin ABI v1 layout: every struct's size and alignment and every field's offset
 * and size, on LP64 platforms (x86-64, AArch64). Included by C11 and C++ translation units, so
 * both compilers must agree. A failure here is an ABI break: within major 1, never change a
 * field or value pin below; when a struct grows, append pins for its new fields, update its
 * size pin (noting the old size) and bump PMX_ABI_MINOR. */
#ifndef PMX_TEST_LAYOUT_V1_H
#define PMX_TEST_LAYOUT_V1_H

#include <pmx/plugin.h>

#ifdef __cplusplus
#define PMX_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#define PMX_ALIGNOF(type) alignof(type)
#define PMX_FIELD_SIZE(type, field) sizeof(type::field)
#else
#define PMX_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#define PMX_ALIGNOF(type) _Alignof(type)
#define PMX_FIELD_SIZE(type, field) sizeof(((type *)0)->field)
#endif

#define PMX_PIN_SIZE(type, size, align)                                        \
    PMX_STATIC_ASSERT(sizeof(type) == (size) && PMX_ALIGNOF(type) == (align), \
                      "ABI v1 break: size or alignment of " #type " changed")
#define PMX_PIN_FIELD(type, field, offset, size)                                       \
    PMX_STATIC_ASSERT(offsetof(type, field) == (offset) &&                             \
                          PMX_FIELD_SIZE(type, field) == (size),                       \
                      "ABI v1 break: " #type "." #field " moved or changed size")
#define PMX_PIN_VALUE(name, value) \
    PMX_STATIC_ASSERT((name) == (value), "ABI v1 break: the value of " #name " changed")

/* Values are part of the ABI on every platform. */
PMX_PIN_VALUE(PMX_ABI_MAJOR, 1u);
PMX_PIN_VALUE(PMX_ABI_MINOR, 5u); /* 1.1: pmx_track.last_rated_at, played/rated scan orders;
                                    1.2: PMX_HTTP_RETRY_SAFE, pmx_host.install_id,
                                    pmx_media_sink.playlist_created, pmx_playlist_write.marker;
                                    1.3: pmx_completer.info, pmx_completer_info;
                                    1.4: pmx_track.favourite/recording_mbid, the favourites
                                    order, pmx_scan_request.since, pmx_host.state_dir;
                                    1.5: pmx_library.change_stamp */
PMX_PIN_VALUE(PMX_OK, 0);
PMX_PIN_VALUE(PMX_RATE_LIMITED, 1);
PMX_PIN_VALUE(PMX_UNAVAILABLE, 2);
PMX_PIN_VALUE(PMX_TIMEOUT, 3);
PMX_PIN_VALUE(PMX_CANCELLED, 4);
PMX_PIN_VALUE(PMX_AUTH, 5);
PMX_PIN_VALUE(PMX_INVALID_INPUT, 6);
PMX_PIN_VALUE(PMX_NOT_FOUND, 7);
PMX_PIN_VALUE(PMX_UNSUPPORTED, 8);
PMX_PIN_VALUE(PMX_BAD_RESPONSE, 9);
PMX_PIN_VALUE(PMX_INTERNAL, 10);
PMX_PIN_VALUE(PMX_STATUS_COUNT, 11);
PMX_PIN_VALUE(PMX_LOG_TRACE, 0);
PMX_PIN_VALUE(PMX_LOG_DEBUG, 1);
PMX_PIN_VALUE(PMX_LOG_INFO, 2);
PMX_PIN_VALUE(PMX_LOG_WARN, 3);
PMX_PIN_VALUE(PMX_LOG_ERROR, 4);
PMX_PIN_VALUE(PMX_HTTP_SECRET_BODY, 1u);
PMX_PIN_VALUE(PMX_HTTP_RETRY_SAFE, 2u); /* 1.2 */
PMX_PIN_VALUE(PMX_SETTING_STRING, 0);
PMX_PIN_VALUE(PMX_SETTING_INT, 1);
PMX_PIN_VALUE(PMX_SETTING_BOOL, 2);
PMX_PIN_VALUE(PMX_SETTING_DURATION, 3);
PMX_PIN_VALUE(PMX_SETTING_URL, 4);
PMX_PIN_VALUE(PMX_SETTING_REQUIRED, 1u);
PMX_PIN_VALUE(PMX_SETTING_SECRET, 2u);
PMX_PIN_VALUE(PMX_ROLE_USER, 0);
PMX_PIN_VALUE(PMX_ROLE_ASSISTANT, 1);
PMX_PIN_VALUE(PMX_COMPLETE_JSON, 1u);
PMX_PIN_VALUE(PMX_COMPLETE_HAS_TEMPERATURE, 2u);
PMX_PIN_VALUE(PMX_EMBED_DOCUMENT, 0);
PMX_PIN_VALUE(PMX_EMBED_QUERY, 1);
PMX_PIN_VALUE(PMX_EMBEDDER_NORMALIZED, 1u);
PMX_PIN_VALUE(PMX_TRACK_HAS_RATING, 1u);
PMX_PIN_VALUE(PMX_TRACK_HAS_PLAY_COUNT, 2u);
PMX_PIN_VALUE(PMX_TRACK_HAS_LAST_PLAYED, 4u);
PMX_PIN_VALUE(PMX_TRACK_HAS_YEAR, 8u);
PMX_PIN_VALUE(PMX_TRACK_HAS_LAST_RATED, 16u); /* 1.1 */
PMX_PIN_VALUE(PMX_TRACK_HAS_FAVOURITE, 32u);  /* 1.4 */
PMX_PIN_VALUE(PMX_SCAN_ORDER_ANY, 0);
PMX_PIN_VALUE(PMX_SCAN_ORDER_UPDATED_DESC, 1);
PMX_PIN_VALUE(PMX_SCAN_ORDER_ADDED_DESC, 2);
PMX_PIN_VALUE(PMX_SCAN_ORDER_PLAYED_DESC, 3); /* 1.1 */
PMX_PIN_VALUE(PMX_SCAN_ORDER_RATED_DESC, 4);  /* 1.1 */
PMX_PIN_VALUE(PMX_SCAN_ORDER_FAVOURITES, 5);  /* 1.4 */
PMX_PIN_VALUE(PMX_SCAN_KEYS_ONLY, 1u);
PMX_PIN_VALUE(sizeof(pmx_status), 4);
PMX_PIN_VALUE(sizeof(pmx_log_level), 4);
PMX_PIN_VALUE(sizeof(pmx_setting_type), 4);

/* Layout: pinned on LP64 (x86-64 and AArch64 lay these structs out identically). */
#if defined(__LP64__) && (defined(__x86_64__) || defined(__aarch64__))
#define PMX_LAYOUT_PINNED 1
PMX_PIN_SIZE(pmx_str, 16, 8);
PMX_PIN_FIELD(pmx_str, data, 0, 8);
PMX_PIN_FIELD(pmx_str, len, 8, 8);

PMX_PIN_SIZE(pmx_kv, 32, 8);
PMX_PIN_FIELD(pmx_kv, key, 0, 16);
PMX_PIN_FIELD(pmx_kv, value, 16, 16);

PMX_PIN_SIZE(pmx_call, 72, 8);
PMX_PIN_FIELD(pmx_call, struct_size, 0, 4);
PMX_PIN_FIELD(pmx_call, reserved, 4, 4);
PMX_PIN_FIELD(pmx_call, host_data, 8, 8);
PMX_PIN_FIELD(pmx_call, is_cancelled, 16, 8);
PMX_PIN_FIELD(pmx_call, remaining_ms, 24, 8);
PMX_PIN_FIELD(pmx_call, set_error, 32, 8);
PMX_PIN_FIELD(pmx_call, set_http_status, 40, 8);
PMX_PIN_FIELD(pmx_call, set_retry_after_ms, 48, 8);
PMX_PIN_FIELD(pmx_call, progress, 56, 8);
PMX_PIN_FIELD(pmx_call, report_usage, 64, 8);

PMX_PIN_SIZE(pmx_host_log, 24, 8);
PMX_PIN_FIELD(pmx_host_log, struct_size, 0, 4);
PMX_PIN_FIELD(pmx_host_log, reserved, 4, 4);
PMX_PIN_FIELD(pmx_host_log, log, 8, 8);
PMX_PIN_FIELD(pmx_host_log, enabled, 16, 8);

PMX_PIN_SIZE(pmx_http_request, 72, 8);
PMX_PIN_FIELD(pmx_http_request, struct_size, 0, 4);
PMX_PIN_FIELD(pmx_http_request, reserved, 4, 4);
PMX_PIN_FIELD(pmx_http_request, method, 8, 8);
PMX_PIN_FIELD(pmx_http_request, url, 16, 16);
PMX_PIN_FIELD(pmx_http_request, headers, 32, 8);
PMX_PIN_FIELD(pmx_http_request, header_count, 40, 8);
PMX_PIN_FIELD(pmx_http_request, body, 48, 16);
PMX_PIN_FIELD(pmx_http_request, timeout_ms, 64, 4);
PMX_PIN_FIELD(pmx_http_request, flags, 68, 4);

PMX_PIN_SIZE(pmx_http_response, 48, 8);
PMX_PIN_FIELD(pmx_http_response, struct_size, 0, 4);
PMX_PIN_FIELD(pmx_http_response, status, 4, 4);
PMX_PIN_FIELD(pmx_http_response, headers, 8, 8);
PMX_PIN_FIELD(pmx_http_response, header_count, 16, 8);
PMX_PIN_FIELD(pmx_http_response, body, 24, 16);
PMX_PIN_FIELD(pmx_http_response, retry_after_ms, 40, 8);

PMX_PIN_SIZE(pmx_host_http, 24, 8);
PMX_PIN_FIELD(pmx_host_http, struct_size, 0, 4);
PMX_PIN_FIELD(pmx_host_http, reserved, 4, 4);
PMX_PIN_FIELD(pmx_host_http, request, 8, 8);
PMX_PIN_FIELD(pmx_host_http, release, 16, 8);

PMX_PIN_SIZE(pmx_host, 56, 8);  /* 40 in ABI 1.0 and 1.1, 48 in 1.2 and 1.3 */
PMX_PIN_FIELD(pmx_host, struct_size, 0, 4);
PMX_PIN_FIELD(pmx_host, abi_major, 4, 4);
PMX_PIN_FIELD(pmx_host, abi_minor, 8, 4);
PMX_PIN_FIELD(pmx_host, reserved, 12, 4);
PMX_PIN_FIELD(pmx_host, host_name, 16, 8);
PMX_PIN_FIELD(pmx_host, host_version, 24, 8);
PMX_PIN_FIELD(pmx_host, get_service, 32, 8);
PMX_PIN_FIELD(pmx_host, install_id, 40, 8); /* ABI 1.2 */
PMX_PIN_FIELD(pmx_host, state_dir, 48, 8);  /* ABI 1.4 */

PMX_PIN_SIZE(pmx_setting_spec, 40, 8);
PMX_PIN_FIELD(pmx_setting_spec, struct_size, 0, 4);
PMX_PIN_FIELD(pmx_setting_spec, type, 4, 4);
PMX_PIN_FIELD(pmx_setting_spec, flags, 8, 4);
PMX_PIN_FIELD(pmx_setting_spec, reserved, 12, 4);
PMX_PIN_FIELD(pmx_setting_spec, key, 16, 8);
PMX_PIN_FIELD(pmx_setting_spec, default_value, 24, 8);
PMX_PIN_FIELD(pmx_setting_spec, description, 32, 8);

PMX_PIN_SIZE(pmx_message, 24, 8);
PMX_PIN_FIELD(pmx_message, struct_size, 0, 4);
PMX_PIN_FIELD(pmx_message, role, 4, 4);
PMX_PIN_FIELD(pmx_message, content, 8, 16);

PMX_PIN_SIZE(pmx_completion_request, 80, 8);
PMX_PIN_FIELD(pmx_completion_request, struct_size, 0, 4);
PMX_PIN_FIELD(pmx_completion_request, flags, 4, 4);
PMX_PIN_FIELD(pmx_completion_request, system, 8, 16);
PMX_PIN_FIELD(pmx_completion_request, messages, 24, 8);
PMX_PIN_FIELD(pmx_completion_request, message_count, 32, 8);
PMX_PIN_FIELD(pmx_completion_request, model, 40, 16);
PMX_PIN_FIELD(pmx_completion_request, max_output_tokens, 56, 4);
PMX_PIN_FIELD(pmx_completion_request, temperature, 60, 4);
PMX_PIN_FIELD(pmx_completion_request, json_schema, 64, 16);

PMX_PIN_SIZE(pmx_text_sink, 24, 8);
PMX_PIN_FIELD(pmx_text_sink, struct_size, 0, 4);
PMX_PIN_FIELD(pmx_text_sink, reserved, 4, 4);
PMX_PIN_FIELD(pmx_text_sink, ctx, 8, 8);
PMX_PIN_FIELD(pmx_text_sink, write, 16, 8);

PMX_PIN_SIZE(pmx_completer, 24, 8); /* 16 before ABI 1.3 */
PMX_PIN_FIELD(pmx_completer, struct_size, 0, 4);
PMX_PIN_FIELD(pmx_completer, reserved, 4, 4);
PMX_PIN_FIELD(pmx_completer, complete, 8, 8);
PMX_PIN_FIELD(pmx_completer, info, 16, 8); /* ABI 1.3 */

PMX_PIN_SIZE(pmx_completer_info, 32, 8); /* ABI 1.3 */
PMX_PIN_FIELD(pmx_completer_info, struct_size, 0, 4);
PMX_PIN_FIELD(pmx_completer_info, max_output_tokens, 4, 4);
PMX_PIN_FIELD(pmx_completer_info, context_tokens, 8, 8);
PMX_PIN_FIELD(pmx_completer_info, model, 16, 16);

PMX_PIN_SIZE(pmx_embedder_info, 40, 8);
PMX_PIN_FIELD(pmx_embedder_info, struct_size, 0, 4);
PMX_PIN_FIELD(pmx_embedder_info, dimension, 4, 4);
PMX_PIN_FIELD(pmx_embedder_info, max_batch, 8, 4);
PMX_PIN_FIELD(pmx_embedder_info, max_input_chars, 12, 4);
PMX_PIN_FIELD(pmx_embedder_info, flags, 16, 4);
PMX_PIN_FIELD(pmx_embedder_info, reserved, 20, 4);
PMX_PIN_FIELD(pmx_embedder_info, model, 24, 16);

PMX_PIN_SIZE(pmx_embedder, 24, 8);
PMX_PIN_FIELD(pmx_embedder, struct_size, 0, 4);
PMX_PIN_FIELD(pmx_embedder, reserved, 4, 4);
PMX_PIN_FIELD(pmx_embedder, info, 8, 8);
PMX_PIN_FIELD(pmx_embedder, embed, 16, 8);

PMX_PIN_SIZE(pmx_server_info, 72, 8);
PMX_PIN_FIELD(pmx_server_info, struct_size, 0, 4);
PMX_PIN_FIELD(pmx_server_info, reserved, 4, 4);
PMX_PIN_FIELD(pmx_server_info, identity, 8, 16);
PMX_PIN_FIELD(pmx_server_info, name, 24, 16);
PMX_PIN_FIELD(pmx_server_info, version, 40, 16);
PMX_PIN_FIELD(pmx_server_info, product, 56, 16);

PMX_PIN_SIZE(pmx_library, 64, 8);  /* 48 before ABI 1.5 */
PMX_PIN_FIELD(pmx_library, struct_size, 0, 4);
PMX_PIN_FIELD(pmx_library, reserved, 4, 4);
PMX_PIN_FIELD(pmx_library, key, 8, 16);
PMX_PIN_FIELD(pmx_library, title, 24, 16);
PMX_PIN_FIELD(pmx_library, track_count, 40, 8);
PMX_PIN_FIELD(pmx_library, change_stamp, 48, 16);

PMX_PIN_SIZE(pmx_track, 256, 8);  /* 224 in ABI 1.0, 232 in 1.1 to 1.3 */
PMX_PIN_FIELD(pmx_track, struct_size, 0, 4);
PMX_PIN_FIELD(pmx_track, has, 4, 4);
PMX_PIN_FIELD(pmx_track, key, 8, 16);
PMX_PIN_FIELD(pmx_track, guid, 24, 16);
PMX_PIN_FIELD(pmx_track, file_path, 40, 16);
PMX_PIN_FIELD(pmx_track, title, 56, 16);
PMX_PIN_FIELD(pmx_track, artist, 72, 16);
PMX_PIN_FIELD(pmx_track, artist_key, 88, 16);
PMX_PIN_FIELD(pmx_track, album, 104, 16);
PMX_PIN_FIELD(pmx_track, album_key, 120, 16);
PMX_PIN_FIELD(pmx_track, album_artist, 136, 16);
PMX_PIN_FIELD(pmx_track, genres, 152, 8);
PMX_PIN_FIELD(pmx_track, genre_count, 160, 8);
PMX_PIN_FIELD(pmx_track, track_number, 168, 4);
PMX_PIN_FIELD(pmx_track, disc_number, 172, 4);
PMX_PIN_FIELD(pmx_track, duration_ms, 176, 8);
PMX_PIN_FIELD(pmx_track, year, 184, 4);
PMX_PIN_FIELD(pmx_track, user_rating, 188, 4);
PMX_PIN_FIELD(pmx_track, play_count, 192, 8);
PMX_PIN_FIELD(pmx_track, last_played_at, 200, 8);
PMX_PIN_FIELD(pmx_track, added_at, 208, 8);
PMX_PIN_FIELD(pmx_track, updated_at, 216, 8);
PMX_PIN_FIELD(pmx_track, last_rated_at, 224, 8); /* ABI 1.1 */
PMX_PIN_FIELD(pmx_track, favourite, 232, 4);      /* ABI 1.4 */
PMX_PIN_FIELD(pmx_track, reserved2, 236, 4);      /* ABI 1.4 */
PMX_PIN_FIELD(pmx_track, recording_mbid, 240, 16); /* ABI 1.4 */

PMX_PIN_SIZE(pmx_media_sink, 72, 8);  /* 64 in ABI 1.0 and 1.1 */
PMX_PIN_FIELD(pmx_media_sink, struct_size, 0, 4);
PMX_PIN_FIELD(pmx_media_sink, reserved, 4, 4);
PMX_PIN_FIELD(pmx_media_sink, ctx, 8, 8);
PMX_PIN_FIELD(pmx_media_sink, server, 16, 8);
PMX_PIN_FIELD(pmx_media_sink, library, 24, 8);
PMX_PIN_FIELD(pmx_media_sink, track, 32, 8);
PMX_PIN_FIELD(pmx_media_sink, total, 40, 8);
PMX_PIN_FIELD(pmx_media_sink, next_cursor, 48, 8);
PMX_PIN_FIELD(pmx_media_sink, playlist, 56, 8);
PMX_PIN_FIELD(pmx_media_sink, playlist_created, 64, 8); /* ABI 1.2 */

PMX_PIN_SIZE(pmx_scan_request, 56, 8);  /* 48 before ABI 1.4 */
PMX_PIN_FIELD(pmx_scan_request, struct_size, 0, 4);
PMX_PIN_FIELD(pmx_scan_request, flags, 4, 4);
PMX_PIN_FIELD(pmx_scan_request, library_key, 8, 16);
PMX_PIN_FIELD(pmx_scan_request, cursor, 24, 16);
PMX_PIN_FIELD(pmx_scan_request, order, 40, 4);
PMX_PIN_FIELD(pmx_scan_request, page_size, 44, 4);
PMX_PIN_FIELD(pmx_scan_request, since, 48, 8); /* ABI 1.4 */

PMX_PIN_SIZE(pmx_playlist_write, 88, 8);  /* 72 in ABI 1.0 and 1.1 */
PMX_PIN_FIELD(pmx_playlist_write, struct_size, 0, 4);
PMX_PIN_FIELD(pmx_playlist_write, reserved, 4, 4);
PMX_PIN_FIELD(pmx_playlist_write, title, 8, 16);
PMX_PIN_FIELD(pmx_playlist_write, description, 24, 16);
PMX_PIN_FIELD(pmx_playlist_write, replace_key, 40, 16);
PMX_PIN_FIELD(pmx_playlist_write, item_keys, 56, 8);
PMX_PIN_FIELD(pmx_playlist_write, item_count, 64, 8);
PMX_PIN_FIELD(pmx_playlist_write, marker, 72, 16); /* ABI 1.2 */

PMX_PIN_SIZE(pmx_media_source, 48, 8);
PMX_PIN_FIELD(pmx_media_source, struct_size, 0, 4);
PMX_PIN_FIELD(pmx_media_source, reserved, 4, 4);
PMX_PIN_FIELD(pmx_media_source, identity, 8, 8);
PMX_PIN_FIELD(pmx_media_source, list_libraries, 16, 8);
PMX_PIN_FIELD(pmx_media_source, scan_tracks, 24, 8);
PMX_PIN_FIELD(pmx_media_source, write_playlist, 32, 8);
PMX_PIN_FIELD(pmx_media_source, delete_playlist, 40, 8);

PMX_PIN_SIZE(pmx_plugin_entry, 104, 8);
PMX_PIN_FIELD(pmx_plugin_entry, abi_major, 0, 4);
PMX_PIN_FIELD(pmx_plugin_entry, abi_minor, 4, 4);
PMX_PIN_FIELD(pmx_plugin_entry, struct_size, 8, 4);
PMX_PIN_FIELD(pmx_plugin_entry, max_concurrent_calls, 12, 4);
PMX_PIN_FIELD(pmx_plugin_entry, id, 16, 8);
PMX_PIN_FIELD(pmx_plugin_entry, name, 24, 8);
PMX_PIN_FIELD(pmx_plugin_entry, version, 32, 8);
PMX_PIN_FIELD(pmx_plugin_entry, description, 40, 8);
PMX_PIN_FIELD(pmx_plugin_entry, interfaces, 48, 8);
PMX_PIN_FIELD(pmx_plugin_entry, settings, 56, 8);
PMX_PIN_FIELD(pmx_plugin_entry, init, 64, 8);
PMX_PIN_FIELD(pmx_plugin_entry, deinit, 72, 8);
PMX_PIN_FIELD(pmx_plugin_entry, create, 80, 8);
PMX_PIN_FIELD(pmx_plugin_entry, destroy, 88, 8);
PMX_PIN_FIELD(pmx_plugin_entry, get_interface, 96, 8);
#else
#define PMX_LAYOUT_PINNED 0
#endif

#endif /* PMX_TEST_LAYOUT_V1_H */
