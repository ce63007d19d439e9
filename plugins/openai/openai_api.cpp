// openai: requests to the API, and its error answers as statuses.
//
// Facts (checked with the search tool against public references and issue threads):
// - Errors come as {"error":{"message","type","param","code"}}; a wrong key is 401
//   invalid_api_key with the key masked by the API; an unknown or retired model is 404
//   model_not_found ("The model `X` does not exist or you do not have access to it.").
// - 429 answers carry Retry-After; the official SDK also reads retry-after-ms first.
// - Ollama answers an unknown model with 404 "model \"X\" not found, try pulling it first";
//   LM Studio's errors are {"error":"text"}.
#include "openai_api.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <string>

namespace pmx::openai {

namespace {

constexpr int kHttpNotFound = 404;
constexpr int kHttpTooManyRequests = 429;
constexpr int kHttpRequestTimeout = 408;
constexpr std::size_t kMaxMessageBytes = 400;  // a provider's error message, whole in practice

bool starts_with(std::string_view text, std::string_view prefix) {
    return text.size() >= prefix.size() && text.compare(0, prefix.size(), prefix) == 0;
}

bool contains_nocase(std::string_view text, std::string_view needle) {
    const auto lower = [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); };
    const auto it = std::search(text.begin(), text.end(), needle.begin(), needle.end(),
                                [&](char a, char b) { return lower(a) == lower(b); });
    return it != text.end();
}

// "retry-after-ms: 1500" first (the OpenAI SDK's own order), then "retry-after: 2" in seconds;
// an HTTP-date Retry-After was already parsed by the host (response.retry_after()).
std::chrono::milliseconds retry_wait(const sdk::Response& response) {
    const auto number = [](std::string_view text) -> std::optional<double> {
        while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
        while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
        if (text.empty()) return std::nullopt;
        // Whole or fractional; from_chars for double is not in GCC 10's libstdc++, so by hand.
        double value = 0, scale = 0;
        for (const char c : text) {
            if (c == '.' && scale == 0) {
                scale = 1;
            } else if (c >= '0' && c <= '9') {
                if (scale == 0) {
                    value = value * 10 + (c - '0');
                } else {
                    scale /= 10;
                    value += (c - '0') * scale;
                }
            } else {
                return std::nullopt;
            }
        }
        return value;
    };
    if (const auto ms = response.header("retry-after-ms")) {
        if (const auto v = number(*ms)) return std::chrono::milliseconds(static_cast<std::int64_t>(*v));
    }
    if (const auto s = response.header("retry-after")) {
        if (const auto v = number(*s)) return std::chrono::milliseconds(static_cast<std::int64_t>(*v * 1000));
    }
    return response.retry_after();
}

std::string cut(std::string text) {
    if (text.size() <= kMaxMessageBytes) return text;
    std::size_t end = kMaxMessageBytes;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0U) == 0x80U) --end;
    text.resize(end);
    return text + "...";
}

const char* setting_of(ModelRole role) { return role == ModelRole::chat ? "model" : "embedding_model"; }

}  // namespace

bool is_reasoning_model(std::string_view model) {
    // OpenRouter and some proxies name models "openai/o3-mini".
    if (const std::size_t slash = model.rfind('/'); slash != std::string_view::npos) model.remove_prefix(slash + 1);
    return starts_with(model, "o1") || starts_with(model, "o3") || starts_with(model, "o4") ||
           starts_with(model, "gpt-5");
}

sdk::Response post(const sdk::Call& call, const Config& config, std::string_view path, const std::string& body) {
    const std::string url = config.base_url + std::string(path);
    const std::string authorization = "Bearer " + config.api_key;
    sdk::Request request{"POST", url, {{"content-type", "application/json"}, {"accept", "application/json"}}, body};
    if (!config.api_key.empty()) request.headers.push_back({"authorization", authorization});
    if (!config.organization.empty()) request.headers.push_back({"openai-organization", config.organization});
    request.flags = PMX_HTTP_RETRY_SAFE;
    return sdk::Host::get().http().request(call, request);
}

ApiError read_error(std::string_view body) {
    ApiError out;
    rapidjson::Document doc;
    doc.Parse(body.data(), body.size());
    if (doc.HasParseError() || !doc.IsObject()) {
        out.message = sdk::http_body_summary(body);
        return out;
    }
    const auto error = doc.FindMember("error");
    if (error != doc.MemberEnd() && error->value.IsString()) {
        out.message = error->value.GetString();
        return out;
    }
    const rapidjson::Value& object = error != doc.MemberEnd() && error->value.IsObject() ? error->value : doc;
    out.message = std::string(string_of(object, "message"));
    out.type = std::string(string_of(object, "type"));
    out.param = std::string(string_of(object, "param"));
    if (const auto code = object.FindMember("code"); code != object.MemberEnd()) {
        if (code->value.IsString()) out.code = code->value.GetString();
        if (code->value.IsInt64()) out.code = std::to_string(code->value.GetInt64());
    }
    if (out.message.empty()) out.message = sdk::http_body_summary(body);
    return out;
}

pmx_status fail(const sdk::Call& call, const sdk::Response& response, const Config& config, ModelRole role,
                std::string_view model) {
    const int http = response.status();
    const ApiError error = read_error(response.body());
    const std::string said = cut(mask(error.message, config.api_key));
    const std::string head = "openai: HTTP " + std::to_string(http) + ": ";
    if (http == 401 || http == 403) {
        std::string message = head + said;
        if (config.api_key.empty()) message += " (no api_key is set for this provider)";
        return call.error(PMX_AUTH, message);
    }
    if (http == kHttpNotFound) {
        const bool about_model = error.code == "model_not_found" || error.param == "model" ||
                                 (!error.type.empty() && contains_nocase(error.message, "model"));
        if (about_model) {
            return call.error(PMX_INVALID_INPUT,
                              head + said + " The model `" + std::string(model) +
                                  "` is unknown to this server or was retired: set the `" + setting_of(role) +
                                  "` setting to a current model.");
        }
        return call.error(PMX_NOT_FOUND, head + said + " (check the `base_url` setting: " + config.base_url +
                                             "; OpenAI-compatible servers usually serve under /v1)");
    }
    if (http == kHttpTooManyRequests) {
        const std::chrono::milliseconds wait = retry_wait(response);
        if (wait.count() > 0) call.retry_after(wait);
        // Out of credit is a 429 too, and waiting does not help: the account needs attention.
        if (error.code == "insufficient_quota") return call.error(PMX_AUTH, head + said);
        return call.error(PMX_RATE_LIMITED, head + said);
    }
    if (http == kHttpRequestTimeout) return call.error(PMX_TIMEOUT, head + said);
    if (http >= 500 && http <= 599) return call.error(PMX_UNAVAILABLE, head + said);
    if (http >= 400 && http <= 499) return call.error(PMX_INVALID_INPUT, head + said);
    return call.error(PMX_BAD_RESPONSE, head + "an answer the API does not give: " + said);
}

pmx_status bad_response(const sdk::Call& call, const sdk::Response& response, std::string_view what) {
    return call.error(PMX_BAD_RESPONSE, "openai: HTTP " + std::to_string(response.status()) + " " +
                                            std::string(what) + ": " + sdk::http_body_summary(response.body(), response.status(), 120));
}

bool refuses(const sdk::Response& response, std::string_view feature) {
    const int http = response.status();
    if (http != 400 && http != 422 && http != 500 && http != 501) return false;
    const ApiError error = read_error(response.body());
    return contains_nocase(error.param, feature) || contains_nocase(error.message, feature);
}

std::string mask(std::string text, std::string_view secret) {
    if (secret.empty()) return text;
    for (std::size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
        text.replace(at, secret.size(), "***");
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

void report_usage(const sdk::Call& call, const rapidjson::Value& answer) {
    if (!answer.IsObject()) return;
    const auto usage = answer.FindMember("usage");
    if (usage == answer.MemberEnd() || !usage->value.IsObject()) return;
    call.usage(uint_of(usage->value, "prompt_tokens"), uint_of(usage->value, "completion_tokens"));
}

}  // namespace pmx::openai
