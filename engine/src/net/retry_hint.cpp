// Retry hints in error bodies (google.rpc.RetryInfo), for the retry core.
#include "net/retry_hint.hpp"

#include <rapidjson/document.h>

#include <cstdint>
#include <string>

namespace pmx {

namespace {

constexpr int kHttpTooManyRequests = 429;
constexpr int kFirstServerError = 500;
constexpr int kLastServerError = 599;
constexpr std::size_t kMaxHintBodyBytes = 64 * 1024;  // error bodies are small; skip anything else
constexpr std::string_view kRetryInfoType = "type.googleapis.com/google.rpc.RetryInfo";
constexpr std::int64_t kMaxSeconds = 315'576'000'000;  // google.protobuf.Duration's range
constexpr int kMsDigits = 3;

}  // namespace

std::optional<std::chrono::milliseconds> parse_proto_duration(std::string_view text) {
    if (text.size() < 2 || text.back() != 's') return std::nullopt;
    text.remove_suffix(1);
    std::int64_t seconds = 0;
    std::size_t i = 0;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
        seconds = seconds * 10 + (text[i] - '0');
        if (seconds > kMaxSeconds) return std::nullopt;
    }
    if (i == 0) return std::nullopt;
    std::int64_t ms = 0;
    bool below_ms = false;  // digits past the millisecond round up
    if (i < text.size()) {
        if (text[i] != '.' || i + 1 == text.size()) return std::nullopt;
        int digits = 0;
        for (++i; i < text.size(); ++i, ++digits) {
            if (text[i] < '0' || text[i] > '9') return std::nullopt;
            if (digits < kMsDigits) ms = ms * 10 + (text[i] - '0');
            else if (text[i] != '0') below_ms = true;
        }
        for (; digits < kMsDigits; ++digits) ms *= 10;
    }
    return std::chrono::milliseconds(seconds * 1000 + ms + (below_ms ? 1 : 0));
}

std::optional<std::chrono::milliseconds> body_retry_hint(int http_status, std::string_view body) {
    const bool retryable = http_status == kHttpTooManyRequests ||
                           (http_status >= kFirstServerError && http_status <= kLastServerError);
    if (!retryable || body.empty() || body.size() > kMaxHintBodyBytes) return std::nullopt;
    const std::size_t first = body.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos || body[first] != '{') return std::nullopt;
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
    if (doc.HasParseError() || !doc.IsObject()) return std::nullopt;
    const auto error = doc.FindMember("error");
    if (error == doc.MemberEnd() || !error->value.IsObject()) return std::nullopt;
    const auto details = error->value.FindMember("details");
    if (details == error->value.MemberEnd() || !details->value.IsArray()) return std::nullopt;
    for (const auto& detail : details->value.GetArray()) {
        if (!detail.IsObject()) continue;
        const auto type = detail.FindMember("@type");
        const auto delay = detail.FindMember("retryDelay");
        if (type == detail.MemberEnd() || !type->value.IsString() || delay == detail.MemberEnd() ||
            !delay->value.IsString()) {
            continue;
        }
        if (std::string_view(type->value.GetString(), type->value.GetStringLength()) != kRetryInfoType) continue;
        return parse_proto_duration(std::string_view(delay->value.GetString(), delay->value.GetStringLength()));
    }
    return std::nullopt;
}

}  // namespace pmx
