// redact(): registered secrets and credential-shaped patterns; ordinary fields left alone.
#include <catch2/catch.hpp>

#include "util/redact.hpp"

using namespace pmx;

TEST_CASE("redact masks X-Plex-Token in URLs and headers", "[config][redact]") {
    CHECK(redact("GET http://nas:32400/library/sections?X-Plex-Token=abcDEF123&type=10") ==
          "GET http://nas:32400/library/sections?X-Plex-Token=***&type=10");
    CHECK(redact("GET /identity?x=1&X-Plex-Token=abcDEF123") == "GET /identity?x=1&X-Plex-Token=***");
    CHECK(redact("X-Plex-Token: abcDEF123\nAccept: application/json") == "X-Plex-Token: ***\nAccept: application/json");
    CHECK(redact("headers: X-Emby-Token: e1e2e3e4") == "headers: X-Emby-Token: ***");
}

TEST_CASE("redact masks Authorization values after the scheme", "[config][redact]") {
    CHECK(redact("Authorization: Bearer sk-live-1234567890") == "Authorization: Bearer ***");
    CHECK(redact("authorization: Basic dXNlcjpwYXNz") == "authorization: Basic ***");
    CHECK(redact("Authorization: MediaBrowser Client=\"plexmix\", Token=\"abc123\"") == "Authorization: MediaBrowser ***");
    CHECK(redact("{\"Authorization\": \"Bearer sk-1234\", \"model\": \"m\"}") == "{\"Authorization\": \"Bearer ***\", \"model\": \"m\"}");
    CHECK(redact("Authorization: opaque-value\nAccept: */*") == "Authorization: ***\nAccept: */*");
    CHECK(redact("retrying with bearer sk-live-1234567890") == "retrying with bearer ***");
}

TEST_CASE("redact masks api_key parameters and JSON key fields", "[config][redact]") {
    CHECK(redact("POST https://generativelanguage.googleapis.com/v1/models?api_key=AIzaSy123") ==
          "POST https://generativelanguage.googleapis.com/v1/models?api_key=***");
    CHECK(redact("?key=AIzaSy123&alt=json") == "?key=***&alt=json");
    CHECK(redact("{\"key\": \"AIzaSy123\", \"model\": \"m\"}") == "{\"key\": \"***\", \"model\": \"m\"}");
    CHECK(redact("{\"password\":\"two words\"}") == "{\"password\":\"***\"}");
    CHECK(redact("x-goog-api-key: AIzaSy123") == "x-goog-api-key: ***");
    CHECK(redact("client_secret=s3cr3t&grant_type=x") == "client_secret=***&grant_type=x");
    CHECK(redact("refresh_token: 'r-1 2'") == "refresh_token: '***'");
}

TEST_CASE("redact leaves look-alikes alone", "[config][redact]") {
    CHECK(redact("GET /library/metadata?ratingKey=12&type=10") == "GET /library/metadata?ratingKey=12&type=10");
    CHECK(redact("{\"ratingKey\": \"12\", \"librarySectionKey\": \"3\"}") == "{\"ratingKey\": \"12\", \"librarySectionKey\": \"3\"}");
    CHECK(redact("scanned 120 tracks: 3 new") == "scanned 120 tracks: 3 new");
    CHECK(redact("monkey=5 keyboard: 7") == "monkey=5 keyboard: 7");
}

TEST_CASE("redact masks registered secrets anywhere, longest first", "[config][redact]") {
    clear_secrets_for_testing();
    register_secret("sk-proj-abcdef");
    register_secret("sk-proj-abcdef-extended");
    register_secret("abc");  // too short: would mask ordinary text
    CHECK(redact("tried sk-proj-abcdef-extended then sk-proj-abcdef; abc stays") == "tried *** then ***; abc stays");
    CHECK(redact("sk-proj-abcdefsk-proj-abcdef") == "******");
    clear_secrets_for_testing();
    CHECK(redact("tried sk-proj-abcdef") == "tried sk-proj-abcdef");
}

TEST_CASE("redact masks the user info of URLs in any text", "[config][redact][url]") {
    // Log lines and error messages.
    CHECK(redact("GET http://plexuser:s3cretpass@nas:32400/library/sections -> 200") ==
          "GET http://***@nas:32400/library/sections -> 200");
    CHECK(redact("could not reach https://ghp_tokenAsUserName@music.example.org: refused") ==
          "could not reach https://***@music.example.org: refused");
    CHECK(redact("postgres://app:dbpass99@db:5432/x and redis://:onlypass@cache") ==
          "postgres://***@db:5432/x and redis://***@cache");
    // JSON and YAML.
    CHECK(redact("{\"url\": \"http://u:p%40ss@127.0.0.1:8096\", \"n\": 1}") == "{\"url\": \"http://***@127.0.0.1:8096\", \"n\": 1}");
    CHECK(redact("url: 'http://admin:hunter22@nas'") == "url: 'http://***@nas'");
    CHECK(redact("home: { plugin: plex, url: http://u:pw-77@nas:32400 }") == "home: { plugin: plex, url: http://***@nas:32400 }");
    // An unencoded '@' in the password: everything up to the last '@' of the authority goes.
    CHECK(redact("http://u:p@ss@nas:32400/x") == "http://***@nas:32400/x");
    // User info and a token parameter in one URL.
    CHECK(redact("GET http://u:pw@nas:32400/library?X-Plex-Token=abc123&type=10") ==
          "GET http://***@nas:32400/library?X-Plex-Token=***&type=10");
}

TEST_CASE("redact leaves URLs without user info alone", "[config][redact][url]") {
    for (const std::string text : {"GET http://nas:32400/library/sections?type=10",
                                   "see http://nas/users/me@example.org for details",  // '@' in the path
                                   "http://nas:32400/x?mail=me@example.org",           // '@' in the query
                                   "http://@nas:32400",                                // empty user info
                                   "[http://[::1]:32400] and mail me@example.org", "a :// b@c"}) {
        CHECK(redact(text) == text);
    }
}

TEST_CASE("redact masks credential query parameters wherever they sit in a URL", "[config][redact][url]") {
    CHECK(redact("http://nas:32400/identity?X-Plex-Token=abc123") == "http://nas:32400/identity?X-Plex-Token=***");
    CHECK(redact("http://jf:8096/Items?userId=9&api_key=abc123&limit=5") == "http://jf:8096/Items?userId=9&api_key=***&limit=5");
    CHECK(redact("https://h/cb?access_token=ya29.abc&expires_in=3599") == "https://h/cb?access_token=***&expires_in=3599");
    CHECK(redact("https://h/x?a=1&token=abc123") == "https://h/x?a=1&token=***");
    CHECK(redact("https://h/cb#access_token=ya29.abc&state=s") == "https://h/cb#access_token=***&state=s");
}

TEST_CASE("redact: quoted values end at their own closing quote, or at the end of the line", "[config][redact]") {
    CHECK(redact("{\"token\": \"ab\\\"cd\", \"n\": 1}") == "{\"token\": \"***\", \"n\": 1}");  // escaped quote inside
    CHECK(redact("{\"token\": \"a\\\\\", \"n\": 1}") == "{\"token\": \"***\", \"n\": 1}");     // escaped backslash before the end
    CHECK(redact("token: \"cut off mid-val") == "token: \"***");                               // truncated: masked to the end
    CHECK(redact("token: 'cut off\nnext line") == "token: '***\nnext line");
    CHECK(redact("token: \"two\nlines\" n=1") == "token: \"***\" n=1");                         // a YAML string may span lines
}

TEST_CASE("redact masks a bearer token that is the value of a credential field", "[config][redact]") {
    CHECK(redact("token: Bearer abc123") == "token: Bearer ***");
    CHECK(redact("X-Emby-Token=Basic dXNlcjpwYXNz&x=1") == "X-Emby-Token=Basic ***&x=1");
    CHECK(redact("bearer_token=abc") == "bearer_token=***");
}

TEST_CASE("redact finds one shape inside another's text, as the shapes are applied in turn", "[config][redact]") {
    CHECK(redact("token=x-bearer abc123") == "token=*** ***");                     // a bearer token after a field
    CHECK(redact("key=xAuthorization: opaque-value") == "key=*** ***");              // a header inside a value
    CHECK(redact("Authorization: Basic\r\n dXNlcjpwYXNz") == "Authorization: Basic ***");  // a folded header line
}

TEST_CASE("redact runs in one pass over 10 MB lines of separators and half-patterns", "[config][redact][long]") {
    // Each of these made the std::regex version recurse per character (and overflow the stack)
    // or rescan the rest of the line at every position. No timing here: a quadratic scan
    // shows up as a test that never ends.
    constexpr std::size_t kBytes = 10 * 1024 * 1024;
    const auto times = [](std::string_view unit, std::size_t n) {
        std::string text;
        text.reserve(unit.size() * n);
        for (std::size_t i = 0; i < n; ++i) text += unit;
        return text;
    };
    const auto line_of = [&](std::string_view unit) { return times(unit, kBytes / unit.size() + 1); };
    for (const std::string_view unit : {"=", ":", "&", " ", "\"", "'", "a=", "key", "://", "://a", "@", "a b", "x-"}) {
        const std::string text = line_of(unit);
        INFO("unit: " << unit);
        CHECK(redact(text) == text);
    }
    // Patterns that do match, back to back: each is masked once.
    const std::size_t n = kBytes / 10;
    CHECK(redact(times("key=\"", 2 * n)) == times("key=\"***\"", n));  // each quote closes the value before
    CHECK(redact(times("bearer x ", n)) == times("bearer *** ", n));
    CHECK(redact(times("http://u:p@h ", n)) == times("http://***@h ", n));
    CHECK(redact(times("&token=t", n)) == times("&token=***", n));
    // A value that runs to the end of a 10 MB line: masked once, not rescanned.
    CHECK(redact("token=\"" + line_of("x")) == "token=\"***");
    CHECK(redact("Authorization: Bearer " + line_of("x ")) == "Authorization: Bearer ***");
    CHECK(redact("bearer " + line_of("x")) == "bearer ***");
    CHECK(redact("token=\"" + line_of("\\\"")) == "token=\"***");  // every quote escaped: never closed
    // A registered secret repeated over the whole line.
    clear_secrets_for_testing();
    register_secret("sk-long-line-0001");
    CHECK(redact(times("sk-long-line-0001", n)) == times(kRedacted, n));
    clear_secrets_for_testing();
}

TEST_CASE("url_without_credentials drops user info and credential parameters", "[config][redact][url]") {
    CHECK(url_without_credentials("http://plexuser:s3cretpass@127.0.0.1:32400") == "http://127.0.0.1:32400");
    CHECK(url_without_credentials("https://tok@h/p?X-Plex-Token=abc&type=10&api_key=k#top") == "https://h/p?type=10#top");
    CHECK(url_without_credentials("http://h:8096/p?access_token=abc") == "http://h:8096/p");
    CHECK(url_without_credentials("http://h:1/p?a=1&ratingKey=2#f") == "http://h:1/p?a=1&ratingKey=2#f");
    CHECK(url_without_credentials("http://u:p@ss@nas") == "http://nas");
    CHECK(url_without_credentials("user:pw@nas:32400") == "nas:32400");  // no scheme: the authority comes first
    CHECK(url_without_credentials("") == "");
    clear_secrets_for_testing();
    register_secret("pathsecret-55");
    CHECK(url_without_credentials("http://h/feeds/pathsecret-55/x") == "http://h/feeds/***/x");
    clear_secrets_for_testing();
}

TEST_CASE("register_url_secrets registers the password, a token-like user info and credential parameters",
          "[config][redact][url]") {
    clear_secrets_for_testing();
    register_url_secrets("http://plexuser:s3cret%21pass@127.0.0.1:32400/?X-Plex-Token=tok-7788&type=10");
    // As written and percent-decoded; the user name is an ordinary word and stays readable.
    CHECK(redact("plexuser s3cret%21pass s3cret!pass tok-7788 type") == "plexuser *** *** *** type");
    clear_secrets_for_testing();
    register_url_secrets("https://ghp_0123456789abcdefXYZ@git.example.org");  // a lone user info this long is a token
    register_url_secrets("http://admin@nas");                                 // a short one is a name
    CHECK(redact("ghp_0123456789abcdefXYZ admin") == "*** admin");
    clear_secrets_for_testing();
    register_url_secrets("user:pw-from-setting@nas");  // a URL-typed setting written without its scheme
    CHECK(redact("pw-from-setting") == "***");
    clear_secrets_for_testing();
}
