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

// Registers the secret parts of a URL (or of text that starts with a URL's authority, as a
// URL setting written without its scheme): the password of its user info, as written and
// percent-decoded; the whole user info when it has no password and is long enough to be a
// token (https://TOKEN@host); the values of credential-like query parameters. A user name
// next to a password is not registered: it is an ordinary word ("admin", "plex") that would
// be masked in every log line. Thread-safe.
void register_url_secrets(std::string_view url);

// Returns `text` with every registered secret and every credential-shaped pattern masked:
// query parameters, JSON, YAML and header fields named key, api_key, or anything ending in
// token / secret / password / api-key (X-Plex-Token, X-Emby-Token, X-MediaBrowser-Token,
// access_token, client_secret, x-goog-api-key...), quoted values up to their closing quote
// (or the end of the line when the quote never closes); `Authorization:` header values after
// the scheme; `Bearer <token>` anywhere; the user info of any `scheme://user:pass@host` URL,
// user name included (`http://***@host`). A name glued to a word (`ratingKey=12`) is not a
// credential. A few left-to-right passes without backtracking: time linear in the length of
// `text`, constant stack, whatever it holds. Thread-safe.
std::string redact(std::string_view text);

// `url` fit to be stored or shown as data: the user info removed ("http://u:p@h:32400/x" ->
// "http://h:32400/x"), query parameters with a credential-like name removed ("?X-Plex-Token=
// t&type=10" -> "?type=10"), then redact() for any registered secret left (e.g. in the path).
// Text without "://" is read as starting with the authority ("u:p@nas:32400" -> "nas:32400").
std::string url_without_credentials(std::string_view url);

// Forgets every registered secret (tests only).
void clear_secrets_for_testing();

}  // namespace pmx
