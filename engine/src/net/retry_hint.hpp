// The wait an error answer asks for in its JSON body, for APIs that send no Retry-After header.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace pmx {

// Google APIs (Gemini among them) answer 429 RESOURCE_EXHAUSTED (and some 503s) with a
// google.rpc.Status body whose details hold a google.rpc.RetryInfo:
//   {"error":{"code":429,...,"details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo",
//                                       "retryDelay":"47s"}]}}
// and no Retry-After header. Returns that delay (a google.protobuf.Duration: "7s", "1.5s",
// rounded up to whole milliseconds) for a 429 or 5xx answer, nullopt otherwise. Reads at most
// the first kMaxHintBodyBytes of the body; never throws.
std::optional<std::chrono::milliseconds> body_retry_hint(int http_status, std::string_view body);

// A google.protobuf.Duration in JSON form ("7s", "0.250s") as milliseconds, rounded up.
std::optional<std::chrono::milliseconds> parse_proto_duration(std::string_view text);

}  // namespace pmx
