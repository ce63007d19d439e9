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
