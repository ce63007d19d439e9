// Gemini requests and errors. API facts this file relies on (checked against public references):
// - The key goes in the x-goog-api-key header (the API also takes ?key=, which would put it in
//   every logged URL).
// - Errors are google.rpc.Status: {"error":{"code":N,"message":"...","status":"INVALID_ARGUMENT",
//   "details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID"},
//   {"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"47s"}, ...]}}.
// - A wrong key is 400 INVALID_ARGUMENT with reason API_KEY_INVALID, not 401/403; no key is 403
//   PERMISSION_DENIED; an unknown or retired model is 404 NOT_FOUND.
// - 429 RESOURCE_EXHAUSTED carries the wait in RetryInfo.retryDelay and no Retry-After header.
#include "gemini_api.hpp"

#include <rapidjson/error/en.h>

#include <cstdint>
#include <string>
#include <utility>

namespace pmx::gemini {

namespace {

constexpr int kHttpBadRequest = 400;
constexpr int kHttpNotFound = 404;
constexpr int kHttpTooManyRequests = 429;
constexpr std::size_t kMaxMessageBytes = 400;  // of the API's own message, in ours
constexpr std::string_view kRetryInfoType = "type.googleapis.com/google.rpc.RetryInfo";
constexpr std::string_view kErrorInfoType = "type.googleapis.com/google.rpc.ErrorInfo";
constexpr std::string_view kApiKeyInvalid = "API_KEY_INVALID";

std::string_view string_member(const rapidjson::Value& object, const char* name) {
    if (!object.IsObject()) return {};
    const auto it = object.FindMember(name);
    if (it == object.MemberEnd() || !it->value.IsString()) return {};
    return {it->value.GetString(), it->value.GetStringLength()};
}

// What a google.rpc.Status body says; empty fields when the body is not one.
struct Status {
    bool parsed = false;
    std::string message;  // error.message
    std::string status;   // error.status, e.g. "RESOURCE_EXHAUSTED"
    std::string reason;   // ErrorInfo.reason, e.g. "API_KEY_INVALID"
    std::optional<std::chrono::milliseconds> retry_delay;
};

Status read_status(std::string_view body) {
    Status out;
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
    if (doc.HasParseError() || !doc.IsObject()) return out;
    const auto error = doc.FindMember("error");
    if (error == doc.MemberEnd() || !error->value.IsObject()) return out;
    out.parsed = true;
    out.message = std::string(string_member(error->value, "message"));
    out.status = std::string(string_member(error->value, "status"));
    const auto details = error->value.FindMember("details");
    if (details == error->value.MemberEnd() || !details->value.IsArray()) return out;
    for (const rapidjson::Value& detail : details->value.GetArray()) {
        const std::string_view type = string_member(detail, "@type");
        if (type == kRetryInfoType) out.retry_delay = parse_duration(string_member(detail, "retryDelay"));
        if (type == kErrorInfoType) out.reason = std::string(string_member(detail, "reason"));
    }
    return out;
}

}  // namespace

std::string without_secret(std::string text, std::string_view secret) {
    if (secret.empty()) return text;
    for (std::size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
        text.replace(at, secret.size(), "***");
        at += 3;
    }
    return text;
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
    if (text.size() < 2 || text.back() != 's') return std::nullopt;
    text.remove_suffix(1);
    std::int64_t whole = 0;
    std::size_t i = 0;
    constexpr std::int64_t kMaxSeconds = 315'576'000'000;  // Duration's own range (10,000 years)
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
        whole = whole * 10 + (text[i] - '0');
        if (whole > kMaxSeconds) return std::nullopt;
    }
    if (i == 0) return std::nullopt;
    std::int64_t fraction_ms = 0;
    bool rest = false;  // digits below a millisecond: round up
    if (i < text.size()) {
        if (text[i] != '.' || i + 1 == text.size()) return std::nullopt;
        int digits = 0;
        for (++i; i < text.size(); ++i, ++digits) {
            if (text[i] < '0' || text[i] > '9') return std::nullopt;
            if (digits < 3) fraction_ms = fraction_ms * 10 + (text[i] - '0');
            else if (text[i] != '0') rest = true;
        }
        for (; digits < 3; ++digits) fraction_ms *= 10;
    }
    constexpr std::int64_t kMsPerSecond = 1000;
    return std::chrono::milliseconds(whole * kMsPerSecond + fraction_ms + (rest ? 1 : 0));
}

sdk::Response post(const sdk::Call& call, const Connection& connection, const ModelRef& model,
                   std::string_view method, std::string_view body) {
    const std::string url = connection.base_url + "/models/" + std::string(model.name) + ":" + std::string(method);
    sdk::Request request{"POST", url,
                         {{"x-goog-api-key", connection.api_key}, {"content-type", "application/json"}},
                         body};
    request.flags = PMX_HTTP_RETRY_SAFE;
    sdk::Response response = sdk::Host::get().http().request(call, request);
    if (!response.ok()) fail(call, response, connection, model, method);
    return response;
}

void fail(const sdk::Call& call, const sdk::Response& response, const Connection& connection, const ModelRef& model,
          std::string_view method) {
    const int code = response.status();
    const Status status = read_status(response.body());
    const std::string what = "Gemini " + std::string(method) + " (" + std::string(model.name) + ")";
    std::string said = status.parsed ? sdk::http_body_summary(status.message, 0, kMaxMessageBytes)
                                     : sdk::http_body_summary(response.body(), code, kMaxMessageBytes);
    said = without_secret(std::move(said), connection.api_key);
    const std::string http = "HTTP " + std::to_string(code) + (status.status.empty() ? "" : " " + status.status);
    const std::string detail = http + (said.empty() ? "" : ": " + said);

    pmx_status result = sdk::status_from_http(code);
    std::string message;
    if ((code == kHttpBadRequest && status.reason == kApiKeyInvalid) || result == PMX_AUTH) {
        result = PMX_AUTH;
        message = what + ": the API key was refused (check the provider's `api_key` setting): " + detail;
    } else if (code == kHttpNotFound) {
        // A retired model answers 404 too: say which setting to change.
        result = PMX_INVALID_INPUT;
        message = what + ": the model \"" + std::string(model.name) + "\" was not found (" + detail +
                  "). Google retires models: set the provider's `" + std::string(model.setting) +
                  "` setting to a current one";
    } else {
        if (code == kHttpTooManyRequests && status.retry_delay) call.retry_after(*status.retry_delay);
        message = what + ": " + detail;
    }
    throw sdk::Error(result, message);
}

rapidjson::Document parse_object(const sdk::Response& response, std::string_view what) {
    rapidjson::Document doc;
    const std::string_view body = response.body();
    doc.Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
    if (doc.HasParseError()) {
        const std::string summary = sdk::http_body_summary(body, response.status(), 120);
        throw sdk::Error(PMX_BAD_RESPONSE, std::string(what) + ": the answer is not JSON (" +
                                               rapidjson::GetParseError_En(doc.GetParseError()) + " at byte " +
                                               std::to_string(doc.GetErrorOffset()) + ")" +
                                               (summary.empty() ? "" : ": \"" + summary + "\""));
    }
    if (!doc.IsObject()) throw sdk::Error(PMX_BAD_RESPONSE, std::string(what) + ": the answer is not a JSON object");
    return doc;
}

}  // namespace pmx::gemini
