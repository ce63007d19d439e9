// The fake Gemini API (v1beta generateContent and batchEmbedContents).
//
// Verified with the search tool against public references (no code copied):
// - Errors are google.rpc.Status: {"error":{"code":N,"message":...,"status":"...","details":[...]}}.
// - An invalid key: 400 INVALID_ARGUMENT "API key not valid. Please pass a valid API key." with
//   details ErrorInfo{reason API_KEY_INVALID, domain googleapis.com, metadata.service
//   generativelanguage.googleapis.com} and LocalizedMessage (github.com/cequence-io/
//   openai-scala-client/issues/109, github.com/zeroclaw-labs/zeroclaw/issues/194). Not 403.
// - No key at all: 403 PERMISSION_DENIED "Method doesn't allow unregistered callers (callers
//   without established identity). Please use API Key or other form of API consumer identity to
//   call this API." (github.com/PublicAffairs/openai-gemini/issues/92).
// - An unknown model: 404 NOT_FOUND "models/X is not found for API version v1beta, or is not
//   supported for generateContent. Call ListModels to see the list of available models and their
//   supported methods." (github.com/wwardaww/gnome-gemini-ai/issues/22).
// - An unknown field: 400 INVALID_ARGUMENT "Invalid JSON payload received. Unknown name \"X\":
//   Cannot find field." (at 'path' for nested ones) with a google.rpc.BadRequest fieldViolations
//   detail (github.com/fishjar/kiss-translator/issues/256, github.com/glowingjade/
//   obsidian-smart-composer/issues/455).
// - 429 RESOURCE_EXHAUSTED "You exceeded your current quota, ..." with details Help, QuotaFailure
//   and google.rpc.RetryInfo{retryDelay "47s"}; no Retry-After header
//   (github.com/browserbase/mcp-server-browserbase/issues/129, dcdpr/jp PR 1061).
// - 503 UNAVAILABLE "The model is overloaded. Please try again later." (lobehub/lobehub/issues/9728).
// - batchEmbedContents takes at most 100 requests: 400 INVALID_ARGUMENT "*
//   BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch\n"
//   (github.com/geldata/gel/issues/9032).
// - usageMetadata: promptTokenCount, candidatesTokenCount, thoughtsTokenCount, totalTokenCount;
//   total = prompt + candidates + tool-use prompt + thoughts (firebase.google.com UsageMetadata,
//   microsoft/agent-framework-go PR 551).
// - gemini-embedding-001 outputs 128-3072 dimensions, 3072 by default (ai.google.dev model page);
//   a shortened vector is not normalised (Matryoshka prefix).
// Not found and assumed: the wording of 500 INTERNAL and of the generic 400; of a request model
// differing from the URL's; of maxOutputTokens over the cap; of a bad responseMimeType, a
// responseSchema without application/json, missing contents, a bad taskType or
// outputDimensionality, empty content, an unparseable body. Thinking "spends" a fixed 16 tokens
// on 2.5 models unless thinkingBudget is 0 (or lower than 16).
#include <algorithm>
#include <string>
#include <vector>

#include "support/fake_llm.hpp"
#include "support/fake_llm_detail.hpp"

namespace pmx::test {
namespace fake_llm_detail {
namespace {

FakeResponse status_body(int code, const std::string& message, const std::string& status,
                         const std::string& details = {}) {
    return json(code, "{\"error\":{\"code\":" + std::to_string(code) + ",\"message\":" + quote(message) +
                          ",\"status\":" + quote(status) + (details.empty() ? "" : ",\"details\":[" + details + "]") +
                          "}}");
}

FakeResponse invalid_argument(const std::string& message) { return status_body(400, message, "INVALID_ARGUMENT"); }

FakeResponse unknown_field(const std::string& name, const std::string& at) {
    const std::string message = "Invalid JSON payload received. Unknown name \"" + name + "\"" +
                                (at.empty() ? "" : " at '" + at + "'") + ": Cannot find field.";
    return status_body(400, message, "INVALID_ARGUMENT",
                       "{\"@type\":\"type.googleapis.com/google.rpc.BadRequest\",\"fieldViolations\":[{" +
                           (at.empty() ? "" : "\"field\":" + quote(at) + ",") + "\"description\":" + quote(message) +
                           "}]}");
}

FakeResponse model_not_found(const std::string& model, const std::string& method) {
    return status_body(404,
                       "models/" + model + " is not found for API version v1beta, or is not supported for " + method +
                           ". Call ListModels to see the list of available models and their supported methods.",
                       "NOT_FOUND");
}

}  // namespace

FakeResponse gemini_error(int status, const std::string& retry_after) {
    switch (status) {
        case 400: return invalid_argument("Request contains an invalid argument.");
        case 401:
        case 403:
            return status_body(403,
                               "Method doesn't allow unregistered callers (callers without established identity). "
                               "Please use API Key or other form of API consumer identity to call this API.",
                               "PERMISSION_DENIED");
        case 404: return model_not_found("gemini-unknown", "generateContent");
        case 429: {
            const std::string delay = (retry_after.empty() ? std::string("7") : retry_after) + "s";
            return status_body(
                429,
                "You exceeded your current quota, please check your plan and billing details. For more information on "
                "this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.\nPlease retry in " +
                    delay + ".",
                "RESOURCE_EXHAUSTED",
                "{\"@type\":\"type.googleapis.com/google.rpc.QuotaFailure\",\"violations\":[{\"quotaMetric\":"
                "\"generativelanguage.googleapis.com/generate_content_free_tier_requests\",\"quotaId\":"
                "\"GenerateRequestsPerMinutePerProjectPerModel-FreeTier\"}]},"
                "{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":" +
                    quote(delay) + "}");
        }
        case 503: return status_body(503, "The model is overloaded. Please try again later.", "UNAVAILABLE");
        default:
            return status_body(status, "An internal error has occurred. Please retry or report in "
                                       "https://developers.generativeai.google/guide/troubleshooting",
                               "INTERNAL");
    }
}

}  // namespace fake_llm_detail

using namespace fake_llm_detail;

namespace {

const std::vector<std::string_view> kGenerateFields = {
    "contents", "tools", "toolConfig", "tool_config", "safetySettings", "safety_settings", "systemInstruction",
    "system_instruction", "generationConfig", "generation_config", "cachedContent", "cached_content"};
const std::vector<std::string_view> kGenerationConfigFields = {
    "stopSequences", "responseMimeType", "responseSchema", "responseJsonSchema", "candidateCount", "maxOutputTokens",
    "temperature", "topP", "topK", "seed", "presencePenalty", "frequencyPenalty", "responseLogprobs", "logprobs",
    "thinkingConfig", "responseModalities", "mediaResolution", "speechConfig", "enableEnhancedCivicAnswers",
    "stop_sequences", "response_mime_type", "response_schema", "response_json_schema", "candidate_count",
    "max_output_tokens", "top_p", "top_k", "presence_penalty", "frequency_penalty", "thinking_config"};
const std::vector<std::string_view> kBatchFields = {"requests"};
const std::vector<std::string_view> kEmbedRequestFields = {
    "model", "content", "taskType", "task_type", "title", "outputDimensionality", "output_dimensionality"};
const std::vector<std::string_view> kTaskTypes = {
    "TASK_TYPE_UNSPECIFIED", "RETRIEVAL_QUERY", "RETRIEVAL_DOCUMENT", "SEMANTIC_SIMILARITY", "CLASSIFICATION",
    "CLUSTERING", "QUESTION_ANSWERING", "FACT_VERIFICATION", "CODE_RETRIEVAL_QUERY"};
constexpr std::size_t kMaxBatch = 100;
constexpr std::size_t kDefaultThoughts = 16;  // thinking tokens a 2.5 model "spends" unless the budget is 0

// The camelCase or snake_case member (the API's JSON mapping accepts both).
const rapidjson::Value* member(const rapidjson::Value& object, const char* camel, const char* snake) {
    if (const auto it = object.FindMember(camel); it != object.MemberEnd()) return &it->value;
    if (const auto it = object.FindMember(snake); it != object.MemberEnd()) return &it->value;
    return nullptr;
}

std::string parts_text(const rapidjson::Value& content) {
    std::string out;
    if (!content.IsObject()) return out;
    const auto parts = content.FindMember("parts");
    if (parts == content.MemberEnd() || !parts->value.IsArray()) return out;
    for (const auto& p : parts->value.GetArray()) {
        if (!p.IsObject()) continue;
        if (const auto t = string_member(p, "text")) out += (out.empty() ? "" : "\n") + *t;
    }
    return out;
}

}  // namespace

FakeResponse FakeLlm::gemini(const FakeRequest& request, FakeLlmRule::Kind fault) {
    constexpr std::string_view kPrefix = "/v1beta/models/";
    const std::string& path = request.path;
    const std::size_t colon = path.rfind(':');
    if (path.compare(0, kPrefix.size(), kPrefix) != 0 || colon == std::string::npos || colon < kPrefix.size()) {
        return FakeResponse::text(404, "404 page not found");
    }
    const std::string model = path.substr(kPrefix.size(), colon - kPrefix.size());
    const std::string method = path.substr(colon + 1);
    // The key may come as a header or as ?key= (the API takes both; plugins should use the header).
    std::optional<std::string> key;
    if (const std::string* h = request.header("x-goog-api-key")) key = *h;
    else key = request.query_param("key");
    if (!key) return gemini_error(403, "");
    if (!key_valid(*key)) {
        return status_body(
            400, "API key not valid. Please pass a valid API key.", "INVALID_ARGUMENT",
            "{\"@type\":\"type.googleapis.com/google.rpc.ErrorInfo\",\"reason\":\"API_KEY_INVALID\",\"domain\":"
            "\"googleapis.com\",\"metadata\":{\"service\":\"generativelanguage.googleapis.com\"}},"
            "{\"@type\":\"type.googleapis.com/google.rpc.LocalizedMessage\",\"locale\":\"en-US\",\"message\":"
            "\"API key not valid. Please pass a valid API key.\"}");
    }
    if (method == "generateContent") return gemini_generate(request, model, fault);
    if (method == "batchEmbedContents") return gemini_embed(request, model);
    return FakeResponse::text(404, "404 page not found");
}

FakeResponse FakeLlm::gemini_generate(const FakeRequest& request, const std::string& model_name,
                                      FakeLlmRule::Kind fault) {
    const std::optional<FakeLlmModel> model = find_model(model_name);
    if (!model || model->output_cap == 0) return model_not_found(model_name, "generateContent");
    rapidjson::Document doc;
    if (!parse_object(request.body, doc)) {
        return invalid_argument("Invalid JSON payload received. Unexpected token.");
    }
    if (const auto extra = unknown_member(doc, kGenerateFields)) return unknown_field(*extra, "");
    FakeLlmCall call;
    call.api = LlmApi::gemini;
    call.model = model_name;
    const auto contents = doc.FindMember("contents");
    if (contents == doc.MemberEnd() || !contents->value.IsArray() || contents->value.Empty()) {
        return invalid_argument("* GenerateContentRequest.contents: contents is not specified\n");
    }
    for (const auto& c : contents->value.GetArray()) {
        if (!c.IsObject()) continue;
        if (string_member(c, "role").value_or("user") != "user") continue;
        const std::string t = parts_text(c);
        call.prompt += (call.prompt.empty() || t.empty() ? "" : "\n") + t;
    }
    if (const rapidjson::Value* si = member(doc, "systemInstruction", "system_instruction")) call.system = parts_text(*si);
    std::size_t thoughts = model_name.find("2.5") != std::string::npos ? kDefaultThoughts : 0;
    if (const rapidjson::Value* gc = member(doc, "generationConfig", "generation_config"); gc != nullptr && gc->IsObject()) {
        if (const auto extra = unknown_member(*gc, kGenerationConfigFields)) return unknown_field(*extra, "generation_config");
        if (const rapidjson::Value* n = member(*gc, "maxOutputTokens", "max_output_tokens"); n != nullptr && n->IsUint64()) {
            call.max_tokens = n->GetUint64();
        }
        if (const rapidjson::Value* mime = member(*gc, "responseMimeType", "response_mime_type"); mime != nullptr && mime->IsString()) {
            const std::string m = mime->GetString();
            if (m != "text/plain" && m != "application/json" && m != "text/x.enum") {
                return invalid_argument("* GenerateContentRequest.generation_config.response_mime_type: allowed "
                                        "mimetypes are `text/plain`, `application/json`, `application/xml`, "
                                        "`application/yaml` and `text/x.enum`.\n");
            }
            call.json = m == "application/json";
        }
        const rapidjson::Value* schema = member(*gc, "responseSchema", "response_schema");
        if (schema == nullptr) schema = member(*gc, "responseJsonSchema", "response_json_schema");
        if (schema != nullptr) {
            if (!call.json) {
                return invalid_argument("* GenerateContentRequest.generation_config.response_schema: "
                                        "response_mime_type should be set to application/json when response_schema is set.\n");
            }
            call.schema = dump(*schema);
        }
        if (const rapidjson::Value* tc = member(*gc, "thinkingConfig", "thinking_config"); tc != nullptr && tc->IsObject()) {
            if (const rapidjson::Value* b = member(*tc, "thinkingBudget", "thinking_budget"); b != nullptr && b->IsInt64()) {
                const std::int64_t budget = b->GetInt64();
                thoughts = budget == 0 ? 0 : budget < 0 ? kDefaultThoughts : std::min<std::size_t>(budget, kDefaultThoughts);
            }
        }
    }
    if (call.max_tokens > model->output_cap) {
        return invalid_argument("The specified max_output_tokens (" + std::to_string(call.max_tokens) +
                                ") exceeds the maximum number of tokens allowed (" +
                                std::to_string(model->output_cap) + ").");
    }
    std::string text = answer(call);
    bool cut = apply_text_fault(fault, text);
    if (!cut && call.max_tokens != 0 && count_words(text) > call.max_tokens) {
        text = first_words(text, call.max_tokens);
        cut = true;
    }
    const std::size_t prompt_tokens = count_words(call.system) + count_words(call.prompt);
    const std::size_t candidate_tokens = count_words(text);
    std::uint64_t id = 0;
    {
        std::lock_guard lock(mutex_);
        id = next_id_++;
    }
    std::string usage = "{\"promptTokenCount\":" + std::to_string(prompt_tokens) +
                        ",\"candidatesTokenCount\":" + std::to_string(candidate_tokens);
    if (thoughts != 0) usage += ",\"thoughtsTokenCount\":" + std::to_string(thoughts);
    usage += ",\"totalTokenCount\":" + std::to_string(prompt_tokens + candidate_tokens + thoughts) + "}";
    return json(200, "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":" + quote(text) +
                         "}],\"role\":\"model\"},\"finishReason\":" + (cut ? "\"MAX_TOKENS\"" : "\"STOP\"") +
                         ",\"index\":0}],\"usageMetadata\":" + usage + ",\"modelVersion\":" + quote(model_name) +
                         ",\"responseId\":\"fake-" + std::to_string(id) + "\"}");
}

FakeResponse FakeLlm::gemini_embed(const FakeRequest& request, const std::string& model_name) {
    const std::optional<FakeLlmModel> model = find_model(model_name);
    if (!model || model->embedding_dim == 0) return model_not_found(model_name, "batchEmbedContents");
    rapidjson::Document doc;
    if (!parse_object(request.body, doc)) return invalid_argument("Invalid JSON payload received. Unexpected token.");
    if (const auto extra = unknown_member(doc, kBatchFields)) return unknown_field(*extra, "");
    const auto requests = doc.FindMember("requests");
    if (requests == doc.MemberEnd() || !requests->value.IsArray() || requests->value.Empty()) {
        return invalid_argument("* BatchEmbedContentsRequest.requests: requests is not specified\n");
    }
    if (requests->value.Size() > kMaxBatch) {
        return invalid_argument("* BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch\n");
    }
    std::string out;
    std::size_t index = 0;
    for (const auto& r : requests->value.GetArray()) {
        const std::string at = "requests[" + std::to_string(index) + "]";
        if (!r.IsObject()) return invalid_argument("* BatchEmbedContentsRequest." + at + ": must be an object\n");
        if (const auto extra = unknown_member(r, kEmbedRequestFields)) return unknown_field(*extra, at);
        if (const auto m = string_member(r, "model"); m && *m != "models/" + model_name) {
            return invalid_argument("* BatchEmbedContentsRequest." + at +
                                    ".model: the model of each request must be the model of the batch (models/" +
                                    model_name + ")\n");
        }
        if (const rapidjson::Value* t = member(r, "taskType", "task_type"); t != nullptr) {
            if (!t->IsString() || std::find(kTaskTypes.begin(), kTaskTypes.end(), std::string_view(t->GetString())) ==
                                      kTaskTypes.end()) {
                return invalid_argument("Invalid value at '" + at + ".task_type' (type.googleapis.com/"
                                        "google.ai.generativelanguage.v1beta.TaskType), " + dump(*t));
            }
        }
        std::size_t dim = 0;
        if (const rapidjson::Value* d = member(r, "outputDimensionality", "output_dimensionality"); d != nullptr) {
            if (!model->shortenable || !d->IsUint64() || d->GetUint64() == 0 || d->GetUint64() > model->embedding_dim) {
                return invalid_argument("* BatchEmbedContentsRequest." + at +
                                        ".output_dimensionality: must be between 1 and " +
                                        std::to_string(model->embedding_dim) + "\n");
            }
            dim = d->GetUint64();
        }
        const auto content = r.FindMember("content");
        const std::string text = content == r.MemberEnd() ? std::string() : parts_text(content->value);
        if (text.empty()) return invalid_argument("* BatchEmbedContentsRequest." + at + ".content: must not be empty\n");
        out += std::string(index == 0 ? "" : ",") + "{\"values\":" +
               float_array(embed(text, model->embedding_dim, dim, false)) + "}";
        ++index;
    }
    count_embedded(index);
    return json(200, "{\"embeddings\":[" + out + "]}");
}

}  // namespace pmx::test
