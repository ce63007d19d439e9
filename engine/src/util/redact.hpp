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
// X-Plex-Token / api_key / key / token / access_token query parameters and JSON or header
// fields, `Authorization:` header values, X-Emby-Token / X-MediaBrowser-Token. Thread-safe.
std::string redact(std::string_view text);

// Forgets every registered secret (tests only).
void clear_secrets_for_testing();

}  // namespace pmx
