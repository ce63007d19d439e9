// cohere: requests to the v2 API, and its error answers as statuses.
//
// Facts (checked with the search tool against public references; see also
// tests/support/fake_llm_cohere.cpp):
// - The API lives at https://api.cohere.com/v2 and takes the key as Authorization: Bearer.
// - Errors are a bare {"message": "..."}: 401 "invalid api token"; 404 "model 'X' not found,
//   make sure the correct model ID was used and that you have access to the model."; 400
//   "invalid request: ..." or "too many tokens: ..."; an unknown field is 422.
// - The errors reference lists 400, 401, 402 (the account's billing limit is reached), 404,
//   429, 499 (the request was cancelled; the docs say to try again) and 500.
#include "cohere_api.hpp"

#include <rapidjson/error/en.h>

#include <algorithm>
#include <cctype>
#include <string>

namespace pmx::cohere {

namespace {

constexpr int kHttpPaymentRequired = 402;
constexpr int kHttpNotFound = 404;
constexpr int kHttpCancelled = 499;  // Cohere's own: cancelled on its side, worth another try
constexpr std::size_t kMaxMessageBytes = 400;  // of the API's own message, in ours
constexpr std::size_t kMaxBodyInMessage = 120;  // of an answer that is not what the API sends

bool contains_nocase(std::string_view text, std::string_view needle) {
    const auto lower = [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); };
    const auto it = std::search(text.begin(), text.end(), needle.begin(), needle.end(),
                                [&](char a, char b) { return lower(a) == lower(b); });
    return it != text.end();
}

// The "message" of an error body, else a summary of the body; `secret` masked before it is cut,
// so that no part of it survives.
std::string read_message(std::string_view body, int http, std::string_view secret) {
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
    if (!doc.HasParseError() && doc.IsObject()) {
        const std::string_view message = string_of(doc, "message");
        if (!message.empty()) return sdk::http_body_summary(mask(std::string(message), secret), 0, kMaxMessageBytes);
    }
    return sdk::http_body_summary(mask(std::string(body), secret), http, kMaxMessageBytes);
}

}  // namespace

sdk::Response post(const sdk::Call& call, const Config& config, std::string_view path, std::string_view body) {
    const std::string url = config.base_url + std::string(path);
    const std::string authorization = "Bearer " + config.api_key;
    sdk::Request request{"POST",
                         url,
                         {{"authorization", authorization},
                          {"content-type", "application/json"},
                          {"accept", "application/json"}},
                         body};
    request.flags = PMX_HTTP_RETRY_SAFE;
    return sdk::Host::get().http().request(call, request);
}

pmx_status fail(const sdk::Call& call, const sdk::Response& response, const Config& config, const ModelRef& model) {
    const int http = response.status();
    const std::string said = read_message(response.body(), http, config.api_key);
    const std::string head = "cohere: HTTP " + std::to_string(http) + (said.empty() ? "" : ": " + said);
    if (http == 401 || http == 403) {
        return call.error(PMX_AUTH, head + " (check the provider's `api_key` setting)");
    }
    if (http == kHttpPaymentRequired) {
        // Waiting does not help: the account needs a payment method or a higher billing limit.
        return call.error(PMX_AUTH, head + " (the Cohere account's billing limit is reached)");
    }
    if (http == kHttpNotFound) {
        if (contains_nocase(said, "model")) {
            return call.error(PMX_INVALID_INPUT,
                              head + " The model `" + std::string(model.name) +
                                  "` is unknown or was retired (Cohere retires models): set the `" +
                                  std::string(model.setting) + "` setting to a current one.");
        }
        return call.error(PMX_NOT_FOUND, head + " (check the `base_url` setting: " + config.base_url + ")");
    }
    if (http == kHttpCancelled) return call.error(PMX_UNAVAILABLE, head);
    const pmx_status status = sdk::status_from_http(http);
    if (status == PMX_OK || http < 400) {
        return call.error(PMX_BAD_RESPONSE, head + " (an answer the API does not give)");
    }
    // status_from_http: 400/413/422 and other 4xx INVALID_INPUT, 408/504 TIMEOUT, 429
    // RATE_LIMITED, 5xx UNAVAILABLE.
    return call.error(status, head);
}

bool parse_answer(const sdk::Call& call, const sdk::Response& response, std::string_view what,
                  rapidjson::Document& doc) {
    const std::string_view body = response.body();
    doc.Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
    if (doc.HasParseError()) {
        const std::string summary = sdk::http_body_summary(body, response.status(), kMaxBodyInMessage);
        call.error(PMX_BAD_RESPONSE, "cohere: " + std::string(what) + ": the answer is not JSON (" +
                                         rapidjson::GetParseError_En(doc.GetParseError()) + " at byte " +
                                         std::to_string(doc.GetErrorOffset()) + ")" +
                                         (summary.empty() ? "" : ": \"" + summary + "\""));
        return false;
    }
    if (!doc.IsObject()) {
        call.error(PMX_BAD_RESPONSE, "cohere: " + std::string(what) + ": the answer is not a JSON object");
        return false;
    }
    return true;
}

std::string mask(std::string text, std::string_view secret) {
    if (secret.empty()) return text;
    for (std::size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
        text.replace(at, secret.size(), "***");
        at += 3;
    }
    return text;
}

std::string_view string_of(const rapidjson::Value& object, const char* name) {
    if (!object.IsObject()) return {};
    const auto it = object.FindMember(name);
    if (it == object.MemberEnd() || !it->value.IsString()) return {};
    return {it->value.GetString(), it->value.GetStringLength()};
}

std::uint64_t uint_of(const rapidjson::Value& object, const char* name) {
    if (!object.IsObject()) return 0;
    const auto it = object.FindMember(name);
    return it != object.MemberEnd() && it->value.IsUint64() ? it->value.GetUint64() : 0;
}

}  // namespace pmx::cohere
