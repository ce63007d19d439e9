// The fake OpenAI API (chat completions, embeddings) and OpenAI-compatible local servers.
//
// Verified with the search tool against public references (no code copied):
// - 401 for a wrong key: {"error":{"message":"Incorrect API key provided: sk-VKM***...wjh3. You
//   can find your API key at https://platform.openai.com/account/api-keys.","type":
//   "invalid_request_error","param":null,"code":"invalid_api_key"}}
//   (github.com/chatanywhere/GPT_API_free/issues/62, github.com/continuedev/continue/issues/11409).
// - 404 for a model: "The model `X` does not exist or you do not have access to it.",
//   invalid_request_error, param null, code "model_not_found"
//   (github.com/openai/openai-agents-python/issues/458).
// - Reasoning models (o1, o3-mini, gpt-5*) answer max_tokens with 400 {"error":{"message":
//   "Unsupported parameter: 'max_tokens' is not supported with this model. Use
//   'max_completion_tokens' instead.","type":"invalid_request_error","param":"max_tokens",
//   "code":"unsupported_parameter"}} (github.com/microsoft/clarity-agent/issues/59,
//   github.com/teilomillet/gollm/issues/33), and a temperature other than 1 with 400
//   "Unsupported value: 'temperature' does not support 0 with this model. Only the default (1)
//   value is supported.", param "temperature", code "unsupported_value"
//   (github.com/johny-b/llmcomp/issues/69, github.com/gabrii/Cursor-Azure-GPT-5/issues/33).
// - An unknown top-level argument: 400 "Unrecognized request argument supplied: X" (quoted by
//   many clients, e.g. brainlid/langchain CHANGELOG v0.1.5); type/param/code of that body were
//   not found, so the usual invalid_request_error / null / null are assumed.
// - 429: {"error":{"message":"Rate limit reached for gpt-4o-mini in organization ... on tokens
//   per min (TPM): ...","type":"tokens","param":null,"code":"rate_limit_exceeded"}} with a
//   Retry-After header (github.com/openai/openai-dotnet/issues/404); the SDK also reads
//   retry-after-ms (openai/openai-python _base_client.py).
// - Embeddings: input is a string or an array of strings, arrays at most 2048 long, no empty
//   string; dimensions only for text-embedding-3 and later; encoding_format "float"|"base64"
//   (OpenAPI CreateEmbeddingRequest quoted on docs.rs/openai-struct, ibm.github.io watsonx
//   CreateEmbeddingsParams).
// - Compatible servers: Ollama answers an unknown model with 404 {"error":{"message":"model
//   \"X\" not found, try pulling it first","type":"api_error","param":null,"code":null}}
//   (github.com/netease-youdao/QAnything/issues/555); llama-server before json_schema support
//   answered 500 {"error":{"code":500,"message":"response_format type must be one of \"text\" or
//   \"json_object\", but got: json_schema","type":"server_error"}}
//   (github.com/ggml-org/llama.cpp/issues/9522); LM Studio answers json_object with 400
//   {"error":"'response_format.type' must be 'json_schema' or 'text'"}
//   (github.com/lmstudio-ai/lmstudio-bug-tracker/issues/189, LoadShine/tada/issues/16); Ollama
//   Cloud accepts json_schema without enforcing it (pydantic/pydantic-ai PR 4160).
// Not found and assumed: the wording of the missing-key 401, of 500/503 bodies, of "max_tokens is
// too large", of "'$.input' is invalid", of "does not support specifying dimensions", of a bad
// dimensions / encoding_format / response_format.type value, of missing model / messages /
// input / json_schema, and of an unparseable body. Compatible servers here ignore `dimensions`.
#include <algorithm>
#include <string>
#include <vector>

#include "support/fake_llm.hpp"
#include "support/fake_llm_detail.hpp"

namespace pmx::test {
namespace fake_llm_detail {
namespace {

FakeResponse openai_body(int status, const std::string& message, const std::string& type, const std::string& param,
                         const std::string& code) {
    const auto opt = [](const std::string& v) { return v.empty() ? std::string("null") : quote(v); };
    return json(status, "{\"error\":{\"message\":" + quote(message) + ",\"type\":" + quote(type) +
                            ",\"param\":" + opt(param) + ",\"code\":" + opt(code) + "}}");
}

FakeResponse invalid(const std::string& message, const std::string& param = {}, const std::string& code = {}) {
    return openai_body(400, message, "invalid_request_error", param, code);
}

}  // namespace

FakeResponse openai_error(int status, const std::string& retry_after) {
    FakeResponse r;
    switch (status) {
        case 400: r = invalid("We could not parse the JSON body of your request."); break;
        case 401:
            r = openai_body(401, "Incorrect API key provided: sk-***************************1234. You can find your "
                                 "API key at https://platform.openai.com/account/api-keys.",
                            "invalid_request_error", "", "invalid_api_key");
            break;
        case 404:
            r = openai_body(404, "The model `gpt-unknown` does not exist or you do not have access to it.",
                            "invalid_request_error", "", "model_not_found");
            break;
        case 429:
            r = openai_body(429, "Rate limit reached for gpt-4o-mini in organization org-fake on tokens per min (TPM): "
                                 "Limit 100000, Used 99000, Requested 2000. Please try again in 1.2s.",
                            "tokens", "", "rate_limit_exceeded");
            break;
        case 503:
            r = openai_body(503, "The server is overloaded or not ready yet.", "server_error", "", "");
            break;
        default:
            r = openai_body(status, "The server had an error while processing your request. Sorry about that!",
                            "server_error", "", "");
            break;
    }
    if (!retry_after.empty()) {
        r.header("retry-after", retry_after);
        // retry-after-ms only when the hint is whole seconds (not an HTTP date).
        if (retry_after.find_first_not_of("0123456789") == std::string::npos && retry_after.size() < 10) {
            r.header("retry-after-ms", std::to_string(std::stoll(retry_after) * 1000));
        }
    }
    return r;
}

FakeResponse compatible_error(int status, const std::string& retry_after) {
    FakeResponse r = status == 404
                         ? openai_body(404, "model \"unknown\" not found, try pulling it first", "api_error", "", "")
                         : openai_body(status, "server busy", "api_error", "", "");
    if (!retry_after.empty()) r.header("Retry-After", retry_after);
    return r;
}

}  // namespace fake_llm_detail

using namespace fake_llm_detail;

namespace {

const std::vector<std::string_view> kChatFields = {
    "model", "messages", "max_tokens", "max_completion_tokens", "temperature", "top_p", "n", "stream",
    "stream_options", "stop", "presence_penalty", "frequency_penalty", "logit_bias", "logprobs", "top_logprobs",
    "user", "response_format", "seed", "tools", "tool_choice", "parallel_tool_calls", "reasoning_effort", "store",
    "metadata", "service_tier", "modalities", "prediction", "audio", "verbosity", "web_search_options",
    "safety_identifier", "prompt_cache_key", "functions", "function_call"};
const std::vector<std::string_view> kEmbeddingFields = {"input", "model", "dimensions", "encoding_format", "user"};
constexpr std::size_t kMaxEmbeddingInputs = 2048;
constexpr const char* kInvalidInput = "'$.input' is invalid. Please check the API reference: "
                                      "https://platform.openai.com/docs/api-reference.";

// Text of a message's content: a string, or an array of {"type":"text","text":...} parts.
std::string content_text(const rapidjson::Value& content) {
    if (content.IsString()) return content.GetString();
    std::string out;
    if (!content.IsArray()) return out;
    for (const auto& part : content.GetArray()) {
        if (!part.IsObject()) continue;
        if (const auto t = string_member(part, "text")) out += (out.empty() ? "" : "\n") + *t;
    }
    return out;
}

}  // namespace

FakeResponse FakeLlm::openai_chat(const FakeRequest& request, FakeLlmRule::Kind fault) {
    const bool compatible = options_.api == LlmApi::compatible;
    if (!compatible) {
        const std::optional<std::string> key = bearer(request);
        if (!key) {
            return openai_body(401,
                               "You didn't provide an API key. You need to provide your API key in an Authorization "
                               "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
                               "invalid_request_error", "", "");
        }
        if (!key_valid(*key)) {
            return openai_body(401, "Incorrect API key provided: " + mask_key(*key) +
                                        ". You can find your API key at https://platform.openai.com/account/api-keys.",
                               "invalid_request_error", "", "invalid_api_key");
        }
    }
    rapidjson::Document doc;
    if (!parse_object(request.body, doc)) return invalid("We could not parse the JSON body of your request.");
    if (!compatible) {
        if (const auto extra = unknown_member(doc, kChatFields)) return invalid("Unrecognized request argument supplied: " + *extra);
    }
    const std::optional<std::string> model_name = string_member(doc, "model");
    if (!model_name) return invalid("you must provide a model parameter");
    const std::optional<FakeLlmModel> model = find_model(*model_name);
    if (!model || model->output_cap == 0) {
        if (compatible) {
            return openai_body(404, "model \"" + *model_name + "\" not found, try pulling it first", "api_error", "", "");
        }
        return openai_body(404, "The model `" + *model_name + "` does not exist or you do not have access to it.",
                           "invalid_request_error", "", "model_not_found");
    }
    const auto messages = doc.FindMember("messages");
    if (messages == doc.MemberEnd() || !messages->value.IsArray()) {
        return invalid("Missing required parameter: 'messages'.", "messages", "missing_required_parameter");
    }
    if (model->reasoning && doc.HasMember("max_tokens")) {
        return invalid("Unsupported parameter: 'max_tokens' is not supported with this model. Use "
                       "'max_completion_tokens' instead.",
                       "max_tokens", "unsupported_parameter");
    }
    if (const auto t = doc.FindMember("temperature"); model->reasoning && t != doc.MemberEnd() && t->value.IsNumber() &&
                                                      t->value.GetDouble() != 1.0) {
        return invalid("Unsupported value: 'temperature' does not support " + dump(t->value) +
                           " with this model. Only the default (1) value is supported.",
                       "temperature", "unsupported_value");
    }
    FakeLlmCall call;
    call.api = options_.api;
    call.model = *model_name;
    for (const char* field : {"max_completion_tokens", "max_tokens"}) {
        if (const auto n = uint_member(doc, field)) call.max_tokens = *n;
    }
    if (!compatible && call.max_tokens > model->output_cap) {
        const std::string n = std::to_string(call.max_tokens);
        return invalid("max_tokens is too large: " + n + ". This model supports at most " +
                           std::to_string(model->output_cap) + " completion tokens, whereas you provided " + n + ".",
                       "max_tokens", "invalid_value");
    }
    for (const auto& m : messages->value.GetArray()) {
        if (!m.IsObject()) continue;
        const std::string role = string_member(m, "role").value_or("");
        const auto content = m.FindMember("content");
        if (content == m.MemberEnd()) continue;
        std::string& into = role == "system" || role == "developer" ? call.system : call.prompt;
        if (role != "user" && &into == &call.prompt) continue;
        into += (into.empty() ? "" : "\n") + content_text(content->value);
    }
    bool enforce_json = true;
    if (const auto rf = doc.FindMember("response_format"); rf != doc.MemberEnd() && rf->value.IsObject()) {
        const std::string type = string_member(rf->value, "type").value_or("");
        CompatJson mode;
        {
            std::lock_guard lock(mutex_);
            mode = options_.compat_json;
        }
        if (compatible && type != "text") {
            if (mode == CompatJson::json_object_only && type == "json_schema") {
                return json(500, "{\"error\":{\"code\":500,\"message\":\"response_format type must be one of "
                                 "\\\"text\\\" or \\\"json_object\\\", but got: json_schema\",\"type\":\"server_error\"}}");
            }
            if (mode == CompatJson::json_schema_only && type == "json_object") {
                return json(400, "{\"error\":\"'response_format.type' must be 'json_schema' or 'text'\"}");
            }
            if (mode == CompatJson::text_only) return json(400, "{\"error\":\"'response_format.type' must be 'text'\"}");
            enforce_json = mode != CompatJson::ignored;
        }
        if (type == "json_schema") {
            const auto js = rf->value.FindMember("json_schema");
            const auto schema = js != rf->value.MemberEnd() && js->value.IsObject() ? js->value.FindMember("schema")
                                                                                    : rf->value.MemberEnd();
            if (js == rf->value.MemberEnd() || !js->value.IsObject() || !js->value.HasMember("name")) {
                return invalid("Missing required parameter: 'response_format.json_schema'.", "response_format.json_schema",
                               "missing_required_parameter");
            }
            call.json = enforce_json;
            if (enforce_json && schema != js->value.MemberEnd()) call.schema = dump(schema->value);
        } else if (type == "json_object") {
            call.json = enforce_json;
        } else if (type != "text") {
            return invalid("Invalid value: '" + type + "'. Supported values are: 'json_object', 'json_schema', and 'text'.",
                           "response_format.type", "invalid_value");
        }
    }
    std::string text = answer(call);
    bool cut = apply_text_fault(fault, text);
    if (!cut && call.max_tokens != 0 && count_words(text) > call.max_tokens) {
        text = first_words(text, call.max_tokens);
        cut = true;
    }
    const std::size_t prompt_tokens = count_words(call.system) + count_words(call.prompt);
    const std::size_t completion_tokens = count_words(text);
    std::uint64_t id = 0;
    {
        std::lock_guard lock(mutex_);
        id = next_id_++;
    }
    return json(200, "{\"id\":\"chatcmpl-fake" + std::to_string(id) +
                         "\",\"object\":\"chat.completion\",\"created\":1760000000,\"model\":" + quote(call.model) +
                         ",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":" + quote(text) +
                         ",\"refusal\":null},\"logprobs\":null,\"finish_reason\":" + (cut ? "\"length\"" : "\"stop\"") +
                         "}],\"usage\":{\"prompt_tokens\":" + std::to_string(prompt_tokens) +
                         ",\"completion_tokens\":" + std::to_string(completion_tokens) +
                         ",\"total_tokens\":" + std::to_string(prompt_tokens + completion_tokens) + "}}");
}

FakeResponse FakeLlm::openai_embeddings(const FakeRequest& request) {
    const bool compatible = options_.api == LlmApi::compatible;
    if (!compatible) {
        const std::optional<std::string> key = bearer(request);
        if (!key || !key_valid(*key)) {
            return openai_body(401, "Incorrect API key provided: " + mask_key(key.value_or("")) +
                                        ". You can find your API key at https://platform.openai.com/account/api-keys.",
                               "invalid_request_error", "", "invalid_api_key");
        }
    }
    rapidjson::Document doc;
    if (!parse_object(request.body, doc)) return invalid("We could not parse the JSON body of your request.");
    if (!compatible) {
        if (const auto extra = unknown_member(doc, kEmbeddingFields)) return invalid("Unrecognized request argument supplied: " + *extra);
    }
    const std::optional<std::string> model_name = string_member(doc, "model");
    if (!model_name) return invalid("you must provide a model parameter");
    const std::optional<FakeLlmModel> model = find_model(*model_name);
    if (!model || model->embedding_dim == 0) {
        if (compatible) {
            return openai_body(404, "model \"" + *model_name + "\" not found, try pulling it first", "api_error", "", "");
        }
        return openai_body(404, "The model `" + *model_name + "` does not exist or you do not have access to it.",
                           "invalid_request_error", "", "model_not_found");
    }
    std::vector<std::string> texts;
    const auto input = doc.FindMember("input");
    if (input == doc.MemberEnd()) return invalid("Missing required parameter: 'input'.", "input", "missing_required_parameter");
    if (input->value.IsString()) {
        texts.emplace_back(input->value.GetString(), input->value.GetStringLength());
    } else if (input->value.IsArray()) {
        for (const auto& t : input->value.GetArray()) {
            if (!t.IsString()) return invalid(kInvalidInput);
            texts.emplace_back(t.GetString(), t.GetStringLength());
        }
    } else {
        return invalid(kInvalidInput);
    }
    if (texts.empty() || texts.size() > kMaxEmbeddingInputs) return invalid(kInvalidInput);
    for (const std::string& t : texts) {
        if (t.empty()) return invalid(kInvalidInput);
    }
    std::size_t dim = 0;
    if (const auto d = doc.FindMember("dimensions"); d != doc.MemberEnd() && !compatible) {
        if (!model->shortenable) return invalid("This model does not support specifying dimensions.");
        if (!d->value.IsUint64() || d->value.GetUint64() == 0 || d->value.GetUint64() > model->embedding_dim) {
            return invalid("Invalid value for 'dimensions' = " + dump(d->value) + ". Must be between 1 and " +
                               std::to_string(model->embedding_dim) + ".",
                           "dimensions", "invalid_value");
        }
        dim = d->value.GetUint64();
    }
    const std::string format = string_member(doc, "encoding_format").value_or("float");
    if (format != "float" && format != "base64") {
        return invalid("Invalid value: '" + format + "'. Supported values are: 'float' and 'base64'.", "encoding_format",
                       "invalid_value");
    }
    std::string data;
    std::size_t tokens = 0;
    for (std::size_t i = 0; i < texts.size(); ++i) {
        const std::vector<float> v = embed(texts[i], model->embedding_dim, dim, true);
        tokens += count_words(texts[i]);
        data += std::string(i == 0 ? "" : ",") + "{\"object\":\"embedding\",\"index\":" + std::to_string(i) +
                ",\"embedding\":" + (format == "base64" ? quote(base64_floats(v)) : float_array(v)) + "}";
    }
    count_embedded(texts.size());
    return json(200, "{\"object\":\"list\",\"data\":[" + data + "],\"model\":" + quote(*model_name) +
                         ",\"usage\":{\"prompt_tokens\":" + std::to_string(tokens) +
                         ",\"total_tokens\":" + std::to_string(tokens) + "}}");
}

}  // namespace pmx::test
