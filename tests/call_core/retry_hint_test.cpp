// Retry hints read from error bodies (google.rpc.RetryInfo), for APIs that send no Retry-After.
#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <string>

#include "net/retry_hint.hpp"

using std::chrono::milliseconds;
using pmx::body_retry_hint;
using pmx::parse_proto_duration;

namespace {

std::string status_body(int code, const std::string& delay) {
    return "{\"error\":{\"code\":" + std::to_string(code) +
           ",\"message\":\"You exceeded your current quota.\",\"status\":\"RESOURCE_EXHAUSTED\",\"details\":["
           "{\"@type\":\"type.googleapis.com/google.rpc.QuotaFailure\",\"violations\":[]},"
           "{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"" + delay + "\"}]}}";
}

}  // namespace

TEST_CASE("retry hint: google.protobuf.Duration text is read to the millisecond, rounded up", "[retry]") {
    CHECK(parse_proto_duration("7s") == milliseconds(7000));
    CHECK(parse_proto_duration("1.5s") == milliseconds(1500));
    CHECK(parse_proto_duration("0.250s") == milliseconds(250));
    CHECK(parse_proto_duration("2.000000001s") == milliseconds(2001));
    CHECK(parse_proto_duration("47s") == milliseconds(47000));
    for (const char* bad : {"", "s", "7", "-1s", "1.s", ".5s", "1.5ms", "abc", "1e3s"}) {
        INFO(bad);
        CHECK_FALSE(parse_proto_duration(bad));
    }
}

TEST_CASE("retry hint: a 429 or 5xx google.rpc.Status body gives its RetryInfo.retryDelay", "[retry]") {
    CHECK(body_retry_hint(429, status_body(429, "7s")) == milliseconds(7000));
    CHECK(body_retry_hint(503, status_body(503, "1.5s")) == milliseconds(1500));
    // Only error answers that are worth another attempt carry a wait.
    CHECK_FALSE(body_retry_hint(400, status_body(400, "7s")));
    CHECK_FALSE(body_retry_hint(200, status_body(200, "7s")));
    // Bodies without one: none.
    CHECK_FALSE(body_retry_hint(429, "{\"error\":{\"code\":429,\"message\":\"slow down\"}}"));
    CHECK_FALSE(body_retry_hint(429, "<html><title>429 Too Many Requests</title></html>"));
    CHECK_FALSE(body_retry_hint(429, "{\"error\":{\"details\":[{\"retryDelay\":\"7s\"}]}}"));  // no RetryInfo @type
    CHECK_FALSE(body_retry_hint(429, std::string(100'000, '[')));  // large or hostile: not parsed
}
