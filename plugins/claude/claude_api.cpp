// claude: requests to the Messages API, output caps by model family, and its error answers as statuses.
//
// Facts (checked with the search tool against public references and issue threads; see also
// tests/support/fake_llm_claude.cpp):
// - Errors are {"type":"error","error":{"type":T,"message":M},"request_id":...}: 400
//   invalid_request_error, 401 authentication_error, 402 billing_error, 403 permission_error,
//   404 not_found_error (an unknown or retired model: "model: X"), 413 request_too_large, 429
//   rate_limit_error (with retry-after), 500 api_error, 529 overloaded_error.
// - max_tokens above a model's cap is refused: "max_tokens: N > CAP, which is the maximum
//   allowed number of output tokens for MODEL". Caps: 128k for Opus 4.6 to 4.8 and Sonnet 4.6;
//   64k for Sonnet 4 and 4.5, Haiku 4.5, Opus 4.5 and Sonnet 3.7; 32k for Opus 4 and 4.1; 8,192
//   for 3.5 Sonnet and Haiku; 4,096 for the Claude 3 models.
#include "claude_api.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <array>
#include <string>
#include <utility>

namespace pmx::claude {

namespace {

constexpr int kHttpNotFound = 404;
constexpr int kHttpTooManyRequests = 429;
constexpr std::size_t kMaxMessageBytes = 400;  // of the API's own message, in ours

struct Family {
    std::string_view prefix;  // a model id is this, or this followed by '-' and more
    std::uint32_t cap;
};
// The longest matching prefix wins ("claude-opus-4-1" before "claude-opus-4").
constexpr std::array<Family, 16> kFamilies = {{
    {"claude-opus-4-8", 128'000},
    {"claude-opus-4-7", 128'000},
    {"claude-opus-4-6", 128'000},
    {"claude-sonnet-4-6", 128'000},
    {"claude-opus-4-5", 64'000},
    {"claude-sonnet-4-5", 64'000},
    {"claude-haiku-4-5", 64'000},
    {"claude-opus-4-1", 32'000},
    {"claude-opus-4", 32'000},
    {"claude-sonnet-4", 64'000},
    {"claude-3-7-sonnet", 64'000},
    {"claude-3-5-sonnet", 8'192},
    {"claude-3-5-haiku", 8'192},
    {"claude-3-opus", 4'096},
    {"claude-3-sonnet", 4'096},
    {"claude-3-haiku", 4'096},
}};

std::string_view string_member(const rapidjson::Value& object, const char* name) {
    if (!object.IsObject()) return {};
    const auto it = object.FindMember(name);
    if (it == object.MemberEnd() || !it->value.IsString()) return {};
    return {it->value.GetString(), it->value.GetStringLength()};
}

// What an error body says; empty fields when it is not the API's error object.
struct ApiError {
    std::string type;     // error.type, e.g. "overloaded_error"
    std::string message;  // error.message, or a summary of a body that is not the API's
};

ApiError read_error(const sdk::Response& response) {
    ApiError out;
    const std::string_view body = response.body();
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
    if (!doc.HasParseError() && doc.IsObject()) {
        const auto error = doc.FindMember("error");
        if (error != doc.MemberEnd() && error->value.IsObject()) {
            out.type = std::string(string_member(error->value, "type"));
            out.message = sdk::http_body_summary(string_member(error->value, "message"), 0, kMaxMessageBytes);
        }
    }
    if (out.message.empty()) out.message = sdk::http_body_summary(body, response.status(), kMaxMessageBytes);
    return out;
}

}  // namespace

std::optional<std::uint32_t> known_output_cap(std::string_view model) {
    // Proxies and clouds prefix the id ("anthropic/claude-...", "anthropic.claude-...").
    if (const std::size_t at = model.find("claude-"); at != std::string_view::npos) model.remove_prefix(at);
    const Family* best = nullptr;
    for (const Family& f : kFamilies) {
        const bool match = model.substr(0, f.prefix.size()) == f.prefix &&
                           (model.size() == f.prefix.size() || model[f.prefix.size()] == '-');
        if (match && (best == nullptr || f.prefix.size() > best->prefix.size())) best = &f;
    }
    if (best == nullptr) return std::nullopt;
    return best->cap;
}

std::uint32_t max_tokens_for(std::string_view model, std::uint32_t requested, std::uint32_t setting) {
    const std::uint32_t cap = known_output_cap(model).value_or(setting != 0 ? setting : kFallbackCap);
    const std::uint32_t wanted = requested != 0 ? requested : setting != 0 ? setting : kDefaultMaxTokens;
    return std::min(wanted, cap);
}

sdk::Response post_messages(const sdk::Call& call, const Config& config, std::string_view body) {
    const std::string url = config.base_url + "/messages";
    sdk::Request request{"POST",
                         url,
                         {{"x-api-key", config.api_key},
                          {"anthropic-version", config.anthropic_version},
                          {"content-type", "application/json"},
                          {"accept", "application/json"}},
                         body};
    request.flags = PMX_HTTP_RETRY_SAFE;
    return sdk::Host::get().http().request(call, request);
}

pmx_status fail(const sdk::Call& call, const sdk::Response& response, const Config& config, std::string_view model) {
    const int http = response.status();
    const ApiError error = read_error(response);
    const std::string said = without_secret(error.message, config.api_key);
    const std::string head =
        "Claude messages (" + std::string(model) + "): HTTP " + std::to_string(http) +
        (error.type.empty() ? "" : " " + error.type) + ": ";
    if (http == 401 || http == 403 || error.type == "authentication_error" || error.type == "permission_error") {
        return call.error(PMX_AUTH, head + said + " (check the provider's `api_key` setting)");
    }
    if (error.type == "billing_error") return call.error(PMX_AUTH, head + said);  // waiting will not help
    if (http == kHttpNotFound) {
        if (error.type == "not_found_error") {
            return call.error(PMX_INVALID_INPUT, head + said + ". The model `" + std::string(model) +
                                                     "` is unknown or was retired: set the provider's `model` "
                                                     "setting to a current one");
        }
        return call.error(PMX_NOT_FOUND, head + said + " (no Messages API at the `base_url` setting: " +
                                             config.base_url + "; it ends in /v1)");
    }
    if (http == kHttpTooManyRequests) return call.error(PMX_RATE_LIMITED, head + said);
    // 529 overloaded_error is the API's own 503: worth another attempt, like every 5xx.
    if (http >= 500 && http <= 599) return call.error(PMX_UNAVAILABLE, head + said);
    if (http >= 400 && http <= 499) {
        const pmx_status status = sdk::status_from_http(http);  // 408 is TIMEOUT, the rest INVALID_INPUT
        return call.error(status == PMX_TIMEOUT ? PMX_TIMEOUT : PMX_INVALID_INPUT, head + said);
    }
    return call.error(PMX_BAD_RESPONSE, head + "an answer the API does not give: " + said);
}

std::string without_secret(std::string text, std::string_view secret) {
    if (secret.empty()) return text;
    for (std::size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
        text.replace(at, secret.size(), "***");
        at += 3;
    }
    return text;
}

}  // namespace pmx::claude
