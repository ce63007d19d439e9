// Config scalar parsing (ints, bools, durations, URLs), "did you mean" hints, credential-name guesses.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pmx {

// A decimal integer with an optional sign ("42", "-3", "+7"); nothing else, no spaces.
std::optional<std::int64_t> parse_int(std::string_view text);

// A plain decimal number that is not negative ("0", "0.15", "2.5", "10"); no sign, exponent,
// spaces or units (a price in dollars must not be read from "$0.15" or "1e3").
std::optional<double> parse_decimal(std::string_view text);

// true/false/yes/no/on/off, case-insensitive.
std::optional<bool> parse_bool(std::string_view text);

// "30s", "500ms", "2m", "1h", "1.5s"; a bare number is seconds. Negative values, other units
// and values beyond a year are refused. Rounds to whole milliseconds.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

// The shortest exact spelling of `ms` in parse_duration's syntax: "2m", "30s", "1500ms".
std::string format_duration(std::chrono::milliseconds ms);

// An absolute http:// or https:// URL with a host and no spaces, with trailing '/' removed
// from its path ("http://h:32400/" -> "http://h:32400"); nullopt when it is not one.
std::optional<std::string> normalise_url(std::string_view text);

// The candidate closest to `word` by edit distance (case-insensitive), if close enough to be
// a plausible typo; used for "did you mean" hints.
std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string>& candidates);

// "; did you mean \"x\"?" when a candidate is close, else "" — ready to append to a message.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

// True for setting keys that name a credential: token, api_key, key, password, secret,
// apikey, passphrase, and any *_token, *_key, *_secret, *_password (case-insensitive).
bool looks_like_credential_key(std::string_view key);

// True for environment variable names with a credential word among their '_'-separated
// parts: TOKEN, KEY, APIKEY, SECRET, PASSWORD, PASSWD, PASSPHRASE, CREDENTIALS, e.g.
// PLEX_TOKEN, GOOGLE_API_KEY.
bool looks_like_credential_env(std::string_view name);

}  // namespace pmx
