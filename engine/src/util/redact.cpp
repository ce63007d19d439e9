// Secret redaction: registered values first, then left-to-right scans for credential shapes.
#include "util/redact.hpp"

#include <algorithm>
#include <array>
#include <climits>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <vector>

#include <curl/curl.h>

namespace pmx {
namespace {

constexpr std::size_t kNone = std::string_view::npos;
constexpr std::size_t kMinSecretLength = 4;
// A user info without a password (https://TOKEN@host) is registered from this length on:
// tokens are long, a bare user name ("admin") is short and an ordinary word elsewhere.
constexpr std::size_t kMinLoneUserInfoSecret = 16;

constexpr std::string_view kAuthorization = "authorization";
constexpr std::string_view kBearer = "bearer";
constexpr std::string_view kSchemeSeparator = "://";
// Authorization schemes whose name stays readable in front of a masked value.
constexpr std::array<std::string_view, 5> kAuthSchemes{"bearer", "basic", "digest", "mediabrowser", "emby"};
// A credential field name is "key", or one of these, alone or after '_'/'-'-joined words
// (X-Plex-Token, access_token, client_secret, x-goog-api-key).
constexpr std::string_view kLoneKey = "key";
constexpr std::array<std::string_view, 7> kCredentialWords{"api_key", "api-key", "apikey", "token",
                                                           "secret",  "password", "passwd"};
// Characters after which a field name may start: a query parameter, a JSON/YAML key, a word.
constexpr std::string_view kFieldStarts = "?&#\"'{,;(";
// Characters that end an unquoted value.
constexpr std::string_view kBareValueEnds = "&\"',;})";
// Characters of a bearer token (RFC 6750 b64token).
constexpr std::string_view kTokenPunctuation = "._~+/=-";
// Characters that end a URL's authority: the delimiters of RFC 3986 and what cannot appear in
// one but often surrounds a URL in text. Sub-delimiters (' , ; ...) stay inside: a password
// written unencoded may hold them, and masking a little too much beats a leak.
constexpr std::string_view kAuthorityEnds = "/?#\"<>\\`{}|^";

bool is_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool is_line_end(char c) { return c == '\n' || c == '\r'; }
bool is_quote(char c) { return c == '"' || c == '\''; }
bool is_separator(char c) { return c == '_' || c == '-'; }
bool is_name_char(char c) { return is_alnum(c) || is_separator(c); }
bool is_word_char(char c) { return is_alnum(c) || c == '_'; }
bool in(std::string_view set, char c) { return set.find(c) != kNone; }
bool starts_field_after(char c) { return is_space(c) || in(kFieldStarts, c); }
bool is_bare_value_char(char c) { return !is_space(c) && !in(kBareValueEnds, c); }
bool is_token_char(char c) { return is_alnum(c) || in(kTokenPunctuation, c); }
bool ends_authority(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= ' ' || u == 0x7f || in(kAuthorityEnds, c);
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// `word` is lower case.
bool equals_icase(std::string_view text, std::string_view word) {
    return text.size() == word.size() &&
           std::equal(text.begin(), text.end(), word.begin(), [](char a, char b) { return lower(a) == b; });
}

bool starts_with_icase(std::string_view text, std::size_t pos, std::string_view word) {
    return pos <= text.size() && text.size() - pos >= word.size() && equals_icase(text.substr(pos, word.size()), word);
}

// "" or one or more words of letters and digits, each followed by one '_' or '-'.
bool is_word_prefix(std::string_view prefix) {
    bool after_separator = true;
    for (const char c : prefix) {
        if (is_alnum(c)) {
            after_separator = false;
        } else if (is_separator(c) && !after_separator) {
            after_separator = true;
        } else {
            return false;
        }
    }
    return after_separator;
}

// `name` is a maximal run of letters, digits, '_' and '-'.
bool is_credential_name(std::string_view name) {
    if (equals_icase(name, kLoneKey)) return true;
    return std::any_of(kCredentialWords.begin(), kCredentialWords.end(), [&](std::string_view word) {
        return name.size() >= word.size() && equals_icase(name.substr(name.size() - word.size()), word) &&
               is_word_prefix(name.substr(0, name.size() - word.size()));
    });
}

// The credential shapes, masked in the order the regex version applied them: bearer tokens,
// then Authorization values, then fields and URL user info, so that one shape found inside
// another's text (`token=x-bearer abc`) is masked as before. Each pass reads left to right;
// each rule either consumes what it masked or fails having read only text that no other
// rule of its pass reads again (a name, the blanks after it, one URL authority), so a pass
// is linear and needs no recursion.
enum class Pass { bearer, authorization, fields };

class Scanner {
public:
    explicit Scanner(std::string_view text) : text_(text) { out_.reserve(text.size()); }

    std::string run(Pass pass) && {
        while (pos_ < text_.size()) {
            bool masked = false;
            switch (pass) {
                case Pass::bearer: masked = bearer(); break;
                case Pass::authorization: masked = authorization(); break;
                case Pass::fields: masked = field() || user_info(); break;
            }
            if (!masked) out_ += text_[pos_++];
        }
        return std::move(out_);
    }

private:
    // Where the last search for a closing quote of one kind started and what it found.
    struct QuoteMemo {
        bool valid = false;
        std::size_t from = 0;
        std::size_t found = kNone;
    };

    std::size_t skip_spaces(std::size_t p) const {
        while (p < text_.size() && is_space(text_[p])) ++p;
        return p;
    }

    std::size_t line_end(std::size_t p) const {
        while (p < text_.size() && !is_line_end(text_[p])) ++p;
        return p;
    }

    // Length of an authorization scheme at `p` followed by white space (`blank_only`: on the
    // same line), else 0.
    std::size_t scheme_length(std::size_t p, bool blank_only) const {
        for (const std::string_view scheme : kAuthSchemes) {
            const std::size_t end = p + scheme.size();
            if (!starts_with_icase(text_, p, scheme) || end >= text_.size()) continue;
            if (blank_only ? is_blank(text_[end]) : is_space(text_[end])) return scheme.size();
        }
        return 0;
    }

    // A '"' preceded by an odd run of backslashes is escaped (JSON, YAML double quotes).
    bool escaped(std::size_t p) const {
        std::size_t backslashes = 0;
        while (backslashes < p && text_[p - 1 - backslashes] == '\\') ++backslashes;
        return backslashes % 2 == 1;
    }

    // The first `quote` at or after `from` that closes a value, or kNone. Searches only move
    // forward, and one that starts inside the stretch the last one read has the same answer,
    // so each kind of quote is looked for once over the text.
    std::size_t closing_quote(std::size_t from, char quote) {
        QuoteMemo& memo = quote_memos_[quote == '"' ? 0 : 1];
        if (memo.valid && from >= memo.from && from <= memo.found) return memo.found;  // kNone is the largest
        std::size_t p = from;
        for (;;) {
            p = text_.find(quote, p);
            if (p == kNone || quote != '"' || !escaped(p)) break;
            ++p;
        }
        memo = {true, from, p};
        return p;
    }

    // authorization: value / "Authorization": "value": the scheme stays, the rest of the value
    // goes: up to its closing quote when quoted, else to the end of the line, so that
    // `MediaBrowser Client="x", Token="y"` is masked whole.
    bool authorization() {
        if (!starts_with_icase(text_, pos_, kAuthorization)) return false;
        std::size_t p = pos_ + kAuthorization.size();
        if (p < text_.size() && is_quote(text_[p])) ++p;
        p = skip_spaces(p);
        if (p >= text_.size() || (text_[p] != ':' && text_[p] != '=')) return false;
        p = skip_spaces(p + 1);
        const char quote = p < text_.size() && is_quote(text_[p]) ? text_[p++] : '\0';
        out_.append(text_.substr(pos_, p - pos_));
        if (const std::size_t scheme = scheme_length(p, false); scheme > 0) {
            out_.append(text_.substr(p, scheme));
            out_ += ' ';
            p = skip_spaces(p + scheme);
        }
        out_ += kRedacted;
        while (p < text_.size() && !is_line_end(text_[p])) {
            if (quote == '"' && text_[p] == '\\' && p + 1 < text_.size() && !is_line_end(text_[p + 1])) {
                p += 2;
                continue;
            }
            if (quote != '\0' && text_[p] == quote) break;
            ++p;
        }
        pos_ = p;  // the closing quote or the line end is copied by run()
        return true;
    }

    // Bearer <token> anywhere, after a word boundary.
    bool bearer() {
        if (!starts_with_icase(text_, pos_, kBearer)) return false;
        if (pos_ > 0 && is_word_char(text_[pos_ - 1])) return false;
        std::size_t p = pos_ + kBearer.size();
        if (p >= text_.size() || !is_space(text_[p])) return false;
        p = skip_spaces(p);
        std::size_t end = p;
        while (end < text_.size() && is_token_char(text_[end])) ++end;
        if (end == p) return false;
        out_.append(text_.substr(pos_, kBearer.size()));
        out_ += ' ';
        out_ += kRedacted;
        pos_ = end;
        return true;
    }

    // name=value, name: value, "name": "value" with a credential-like name that starts the
    // text or follows a separator (so `ratingKey=12` is not one).
    bool field() {
        if (!is_alnum(text_[pos_]) || (pos_ > 0 && !starts_field_after(text_[pos_ - 1]))) return false;
        std::size_t name_end = pos_;
        while (name_end < text_.size() && is_name_char(text_[name_end])) ++name_end;
        if (!is_credential_name(text_.substr(pos_, name_end - pos_))) return false;
        std::size_t p = name_end;
        if (p < text_.size() && is_quote(text_[p])) ++p;
        p = skip_spaces(p);
        if (p >= text_.size() || (text_[p] != ':' && text_[p] != '=')) return false;
        p = skip_spaces(p + 1);
        if (p >= text_.size()) return false;

        const char first = text_[p];
        if (is_quote(first)) {
            out_.append(text_.substr(pos_, p + 1 - pos_));
            out_ += kRedacted;
            const std::size_t close = closing_quote(p + 1, first);
            if (close == kNone) {
                pos_ = line_end(p + 1);  // never closed (a cut message): masked to the end of the line
                return true;
            }
            out_ += first;
            pos_ = close + 1;
            return true;
        }
        // `token: Bearer abc` keeps the scheme, as an Authorization header does.
        std::size_t value = p;
        const std::size_t scheme = scheme_length(p, true);
        if (scheme > 0) {
            std::size_t after = p + scheme;
            while (after < text_.size() && is_blank(text_[after])) ++after;
            if (after < text_.size() && is_bare_value_char(text_[after])) value = after;
        }
        std::size_t end = value;
        while (end < text_.size() && is_bare_value_char(text_[end])) ++end;
        if (end == value) return false;
        out_.append(text_.substr(pos_, p - pos_));
        if (value != p) {
            out_.append(text_.substr(p, scheme));
            out_ += ' ';
        }
        out_ += kRedacted;
        pos_ = end;
        return true;
    }

    // scheme://user:pass@host: the whole user info up to the last '@' of the authority goes,
    // user name included: in https://TOKEN@host the user name is the secret.
    bool user_info() {
        if (text_.compare(pos_, kSchemeSeparator.size(), kSchemeSeparator) != 0) return false;
        const std::size_t start = pos_ + kSchemeSeparator.size();
        std::size_t at = kNone;
        for (std::size_t p = start; p < text_.size() && !ends_authority(text_[p]); ++p) {
            if (text_[p] == '@') at = p;
        }
        if (at == kNone || at == start) return false;
        out_ += kSchemeSeparator;
        out_ += kRedacted;
        pos_ = at;
        return true;
    }

    std::string_view text_;
    std::string out_;
    std::size_t pos_ = 0;
    std::array<QuoteMemo, 2> quote_memos_{};
};

struct SecretRegistry {
    std::shared_mutex mutex;
    std::vector<std::string> values;  // longest first, so a secret containing another wins
};

SecretRegistry& registry() {
    static SecretRegistry r;
    return r;
}

// Every occurrence of `secret` in `text` replaced, left to right, building a new string
// (replacing in place would move the tail once per occurrence).
std::string mask_occurrences(std::string_view text, std::string_view secret) {
    std::string out;
    out.reserve(text.size());
    std::size_t last = 0;
    for (std::size_t pos = text.find(secret); pos != kNone; pos = text.find(secret, last)) {
        out.append(text.substr(last, pos - last));
        out += kRedacted;
        last = pos + secret.size();
    }
    out.append(text.substr(last));
    return out;
}

// A URL cut at its parts; text without "://" starts with the authority.
struct UrlParts {
    std::string_view head;            // "http://", or empty
    std::string_view user_info;       // before the last '@' of the authority
    bool has_user_info = false;
    std::string_view host_and_path;   // the authority after the user info, and the path
    std::string_view query;           // after '?', up to '#'
    std::string_view fragment;        // from '#' on, or empty
};

UrlParts split_url(std::string_view url) {
    UrlParts parts;
    const std::size_t separator = url.find(kSchemeSeparator);
    std::size_t start = separator == kNone ? 0 : separator + kSchemeSeparator.size();
    parts.head = url.substr(0, start);
    std::size_t end = start;
    std::size_t at = kNone;
    for (; end < url.size() && !ends_authority(url[end]); ++end) {
        if (url[end] == '@') at = end;
    }
    if (at != kNone) {
        parts.user_info = url.substr(start, at - start);
        parts.has_user_info = true;
        start = at + 1;
    }
    const std::size_t hash = url.find('#', end);
    const std::size_t question = url.substr(0, hash).find('?', end);
    parts.host_and_path = url.substr(start, std::min(question, hash) - start);
    if (question != kNone) parts.query = url.substr(question + 1, hash == kNone ? kNone : hash - question - 1);
    if (hash != kNone) parts.fragment = url.substr(hash);
    return parts;
}

// Calls `fn(name, value, parameter)` for each '&'-separated parameter of a query.
template <class Fn>
void for_each_parameter(std::string_view query, Fn&& fn) {
    while (!query.empty()) {
        const std::size_t amp = query.find('&');
        const std::string_view parameter = query.substr(0, amp);
        const std::size_t equals = parameter.find('=');
        fn(parameter.substr(0, equals), equals == kNone ? std::string_view() : parameter.substr(equals + 1), parameter);
        if (amp == kNone) break;
        query.remove_prefix(amp + 1);
    }
}

std::string percent_decoded(std::string_view text) {
    if (text.find('%') == kNone || text.size() > static_cast<std::size_t>(INT_MAX)) return std::string(text);
    int length = 0;
    // The handle is ignored since libcurl 7.82.
    const std::unique_ptr<char, decltype(&curl_free)> decoded(
        curl_easy_unescape(nullptr, text.data(), static_cast<int>(text.size()), &length), &curl_free);
    if (!decoded) return std::string(text);
    return std::string(decoded.get(), static_cast<std::size_t>(length));
}

void register_with_decoded(std::string_view value) {
    register_secret(value);
    register_secret(percent_decoded(value));
}

}  // namespace

void register_secret(std::string_view value) {
    if (value.size() < kMinSecretLength) return;
    auto& r = registry();
    std::unique_lock lock(r.mutex);
    if (std::find(r.values.begin(), r.values.end(), value) != r.values.end()) return;
    r.values.emplace_back(value);
    std::sort(r.values.begin(), r.values.end(),
              [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

void register_url_secrets(std::string_view url) {
    const UrlParts parts = split_url(url);
    if (parts.has_user_info) {
        const std::size_t colon = parts.user_info.find(':');
        if (colon != kNone) {
            register_with_decoded(parts.user_info.substr(colon + 1));
        } else if (parts.user_info.size() >= kMinLoneUserInfoSecret) {
            register_with_decoded(parts.user_info);
        }
    }
    for_each_parameter(parts.query, [](std::string_view name, std::string_view value, std::string_view) {
        if (is_credential_name(name)) register_with_decoded(value);
    });
}

void clear_secrets_for_testing() {
    auto& r = registry();
    std::unique_lock lock(r.mutex);
    r.values.clear();
}

std::string redact(std::string_view text) {
    std::string masked;
    std::string_view current = text;
    {
        auto& r = registry();
        std::shared_lock lock(r.mutex);
        for (const auto& secret : r.values) {
            if (current.find(secret) == kNone) continue;
            masked = mask_occurrences(current, secret);
            current = masked;
        }
    }
    std::string out = Scanner(current).run(Pass::bearer);
    out = Scanner(out).run(Pass::authorization);
    return Scanner(out).run(Pass::fields);
}

std::string url_without_credentials(std::string_view url) {
    const UrlParts parts = split_url(url);
    std::string out(parts.head);
    out.append(parts.host_and_path);
    std::string query;
    for_each_parameter(parts.query, [&](std::string_view name, std::string_view, std::string_view parameter) {
        if (parameter.empty() || is_credential_name(name)) return;
        if (!query.empty()) query += '&';
        query.append(parameter);
    });
    if (!query.empty()) out.append("?").append(query);
    out.append(parts.fragment);
    return redact(out);
}

}  // namespace pmx
