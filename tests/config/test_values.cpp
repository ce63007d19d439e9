// Scalar parsing (durations, ints, bools, URLs), suggestions and credential-name heuristics.
#include <catch2/catch.hpp>

#include "config/interpolate.hpp"
#include "config/values.hpp"
#include "support.hpp"

using namespace pmx;
using std::chrono::milliseconds;

TEST_CASE("durations: units, bare seconds, fractions, refusals", "[config][values]") {
    CHECK(parse_duration("30s") == milliseconds(30'000));
    CHECK(parse_duration("500ms") == milliseconds(500));
    CHECK(parse_duration("2m") == milliseconds(120'000));
    CHECK(parse_duration("1h") == milliseconds(3'600'000));
    CHECK(parse_duration("45") == milliseconds(45'000));
    CHECK(parse_duration("1.5s") == milliseconds(1'500));
    CHECK(parse_duration("0") == milliseconds(0));
    CHECK_FALSE(parse_duration("soon"));
    CHECK_FALSE(parse_duration("-5s"));
    CHECK_FALSE(parse_duration("5 s"));
    CHECK_FALSE(parse_duration("5d"));
    CHECK_FALSE(parse_duration("1.2.3s"));
    CHECK_FALSE(parse_duration(""));
    CHECK_FALSE(parse_duration("9999h"));  // over a year
}

TEST_CASE("format_duration picks the largest exact unit", "[config][values]") {
    CHECK(format_duration(milliseconds(120'000)) == "2m");
    CHECK(format_duration(milliseconds(30'000)) == "30s");
    CHECK(format_duration(milliseconds(7'200'000)) == "2h");
    CHECK(format_duration(milliseconds(1'500)) == "1500ms");
    CHECK(format_duration(milliseconds(0)) == "0s");
}

TEST_CASE("ints and bools", "[config][values]") {
    CHECK(parse_int("42") == 42);
    CHECK(parse_int("-3") == -3);
    CHECK(parse_int("+7") == 7);
    CHECK_FALSE(parse_int("4.0"));
    CHECK_FALSE(parse_int("0x10"));
    CHECK_FALSE(parse_int(" 4"));
    CHECK_FALSE(parse_int(""));
    CHECK(parse_bool("Yes") == true);
    CHECK(parse_bool("on") == true);
    CHECK(parse_bool("FALSE") == false);
    CHECK(parse_bool("off") == false);
    CHECK_FALSE(parse_bool("maybe"));
    CHECK_FALSE(parse_bool("1"));
}

TEST_CASE("URLs: http(s) only, host required, trailing slash removed", "[config][values]") {
    CHECK(normalise_url("http://192.168.1.10:32400/") == "http://192.168.1.10:32400");
    CHECK(normalise_url("https://api.example.com/v1//") == "https://api.example.com/v1");
    CHECK(normalise_url("HTTPS://Example.com") == "HTTPS://Example.com");
    CHECK(normalise_url("http://h/x?next=/") == "http://h/x?next=/");  // query untouched
    CHECK_FALSE(normalise_url("ftp://h"));
    CHECK_FALSE(normalise_url("http://"));
    CHECK_FALSE(normalise_url("http:///path"));
    CHECK_FALSE(normalise_url("http://a b"));
    CHECK_FALSE(normalise_url("192.168.1.10:32400"));
}

TEST_CASE("did you mean: close typos only", "[config][values]") {
    const std::vector<std::string> keys{"data_dir", "log", "providers", "use", "pipelines"};
    CHECK(closest_match("provders", keys) == "providers");
    CHECK(closest_match("Data_Dir", keys) == "data_dir");
    CHECK(closest_match("pipeline", keys) == "pipelines");
    CHECK(closest_match("lg", keys) == "log");
    CHECK(closest_match("hmoe", {"local", "home"}) == "home");  // a swap of neighbours is one typo
    CHECK_FALSE(closest_match("colour", keys));
    CHECK_FALSE(closest_match("xyz", keys));
    CHECK(did_you_mean("tokn", {"url", "token"}) == "; did you mean \"token\"?");
    CHECK(did_you_mean("zzzz", {"url", "token"}).empty());
}

TEST_CASE("credential-looking keys and environment variable names", "[config][values][secret]") {
    for (const char* key : {"token", "api_key", "key", "password", "secret", "access_token", "client_secret",
                            "private_key", "API_KEY", "admin-password"}) {
        INFO(key);
        CHECK(looks_like_credential_key(key));
    }
    for (const char* key : {"url", "library", "model", "keyboard", "monkey", "tokens_per_minute", "ratingKey"}) {
        INFO(key);
        CHECK_FALSE(looks_like_credential_key(key));
    }
    CHECK(looks_like_credential_env("PLEX_TOKEN"));
    CHECK(looks_like_credential_env("GOOGLE_API_KEY"));
    CHECK(looks_like_credential_env("DB_PASSWORD"));
    CHECK(looks_like_credential_env("openai_secret"));
    CHECK_FALSE(looks_like_credential_env("PLEX_URL"));
    CHECK_FALSE(looks_like_credential_env("MONKEY_BUSINESS"));
    CHECK_FALSE(looks_like_credential_env("HOME"));
}

TEST_CASE("interpolation errors: bad names, unterminated references", "[config][values][env]") {
    pmx::test::ScopedEnv unset("PMX_TEST_NOPE", std::nullopt);
    const Interpolated bad = interpolate("${1ABC}");
    REQUIRE(bad.errors.size() == 1);
    CHECK(bad.errors[0] == "\"${1ABC}\" is not a valid variable reference (use ${NAME} or ${NAME:-default}; $$ is a literal $)");
    const Interpolated open = interpolate("x${HOME");
    REQUIRE(open.errors.size() == 1);
    CHECK(open.errors[0] == "unterminated \"${\" (a literal $ is written $$)");
    const Interpolated two = interpolate("${PMX_TEST_NOPE}-${PMX_TEST_NOPE:-d}");
    REQUIRE(two.errors.size() == 1);
    CHECK(two.errors[0] == "environment variable PMX_TEST_NOPE is not set");
    CHECK(interpolate("cost $5 or $").value == "cost $5 or $");
}

TEST_CASE("placeholders keep their width so positions stay exact", "[config][values][env]") {
    const std::string text = "a: { t: ${X}, u: $${Y} }\n";
    const std::string protected_text = protect_placeholders(text);
    CHECK(protected_text.size() == text.size());
    CHECK(protected_text.find('{', 4) == std::string::npos);
    CHECK(restore_braces(protected_text) == text);
}

TEST_CASE("~ expands to $HOME", "[config][values]") {
    pmx::test::ScopedEnv home("HOME", std::string("/home/tester"));
    CHECK(expand_home("~") == std::filesystem::path("/home/tester"));
    CHECK(expand_home("~/music/data") == std::filesystem::path("/home/tester/music/data"));
    CHECK(expand_home("/abs/~x") == std::filesystem::path("/abs/~x"));
    CHECK(expand_home("~other/x") == std::filesystem::path("~other/x"));
}
