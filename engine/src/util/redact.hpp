// Secret redaction: every string that may reach a log, an error or `config show` passes here.
#pragma once

#include <string>
#include <string_view>

namespace pmx {

// What a secret is replaced with.
inline constexpr std::string_view kRedacted = "***";

// Registers a secret value (an API key, a token) known to this process, e.g. every setting a
// plugin declares PMX_SETTING_SECRET. Values shorter than 4 bytes are ignored (they would mask
// ordinary text). Thread-safe.
void register_secret(std::string_view value);

// Returns `text` with every registered secret and every credential-shaped pattern masked:
// query parameters, JSON, YAML and header fields named key, api_key, or anything ending in
// token / secret / password / api-key (X-Plex-Token, X-Emby-Token, X-MediaBrowser-Token,
// access_token, client_secret, x-goog-api-key...), quoted values up to their closing quote;
// `Authorization:` header values after the scheme; `Bearer <token>` anywhere. A name glued
// to a word (`ratingKey=12`) is not a credential. Thread-safe.
std::string redact(std::string_view text);

// Forgets every registered secret (tests only).
void clear_secrets_for_testing();

}  // namespace pmx
