// Fuzz target: the redactor (engine/src/util/redact.hpp). Input: a first line of secrets to
// register, separated by tabs ("url " before an entry registers it as a URL), then the text.
// Checks that a registered secret never survives redact() or url_without_credentials(), and that
// the password of a registered URL is gone from the URL's redacted forms. (Not that redact() of
// its own output changes nothing: a mask may swallow a delimiter, a quote or the '?' that ended
// a URL's authority, and a second pass then reads the text differently: `://&key=?&@` becomes
// `://&key=***&@`, then `://***@`.)
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "util/redact.hpp"

namespace {

using pmx::fuzz::check;

constexpr std::string_view kUrlEntry = "url ";
constexpr std::string_view kSchemeSeparator = "://";
constexpr std::size_t kMinSecretLength = 4;  // register_secret() ignores shorter values

// A secret that redact() can only have kept by leaving it in place: it holds no '*' (the mask
// itself) and no white space (the mask is written after a space), so no joining of kept text
// and masks can spell it anew.
bool checkable(std::string_view secret) {
    if (secret.size() < kMinSecretLength) return false;
    for (const char c : secret) {
        if (c == '*' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') return false;
    }
    return true;
}

// Characters where every URL reader agrees on the authority's end: printable ASCII but
// white space and the delimiters that redact.cpp ends an authority at besides "/?#".
bool plain_url_char(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > ' ' && u < 0x7f && std::string_view("\"<>\\`{}|^").find(c) == std::string_view::npos;
}

// The password of "scheme://user:PASSWORD@host/...", read independently of redact.cpp: the
// user info is what precedes the authority's last '@', the password follows its first ':'.
std::string_view url_password(std::string_view url) {
    for (const char c : url) {
        if (!plain_url_char(c)) return {};
    }
    const std::size_t separator = url.find(kSchemeSeparator);
    if (separator == std::string_view::npos) return {};
    const std::string_view rest = url.substr(separator + kSchemeSeparator.size());
    const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
    const std::size_t at = authority.rfind('@');
    if (at == std::string_view::npos) return {};
    const std::string_view user_info = authority.substr(0, at);
    const std::size_t colon = user_info.find(':');
    if (colon == std::string_view::npos) return {};
    return user_info.substr(colon + 1);
}

bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input = pmx::fuzz::as_text(data, size);
    const std::size_t newline = input.find('\n');
    const std::string_view secrets_line = input.substr(0, newline);
    const std::string_view text = newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);

    pmx::clear_secrets_for_testing();
    std::vector<std::string_view> secrets;
    std::vector<std::string_view> urls;
    for (std::string_view rest = secrets_line; !rest.empty();) {
        const std::size_t tab = rest.find('\t');
        const std::string_view entry = rest.substr(0, tab);
        if (entry.substr(0, kUrlEntry.size()) == kUrlEntry) {
            urls.push_back(entry.substr(kUrlEntry.size()));
            pmx::register_url_secrets(urls.back());
        } else {
            secrets.push_back(entry);
            pmx::register_secret(entry);
        }
        if (tab == std::string_view::npos) break;
        rest.remove_prefix(tab + 1);
    }

    const std::string redacted = pmx::redact(text);
    const std::string without = pmx::url_without_credentials(text);
    for (const std::string_view secret : secrets) {
        if (!checkable(secret)) continue;
        check(!contains(redacted, secret), "a registered secret survived redact()");
        check(!contains(without, secret), "a registered secret survived url_without_credentials()");
    }
    for (const std::string_view url : urls) {
        const std::string_view password = url_password(url);
        if (!checkable(password)) continue;
        check(!contains(pmx::redact(url), password), "a URL's password survived redact() of the URL");
        check(!contains(pmx::redact("GET " + std::string(url) + " failed"), password),
              "a URL's password survived redact() of a line holding the URL");
        check(!contains(pmx::url_without_credentials(url), password),
              "a URL's password survived url_without_credentials()");
        check(!contains(redacted, password), "a URL's password survived redact() of the text");
    }
    pmx::clear_secrets_for_testing();
    return 0;
}
