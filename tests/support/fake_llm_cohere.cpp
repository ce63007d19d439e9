// The fake Cohere v2 API (POST /v2/chat, POST /v2/embed).
//
// Verified with the search tool against public references (no code copied):
// - Errors are a bare {"message": ...}: 401 "invalid api token" (github.com/wandb/edu/issues/155,
//   cohere-ai/cohere-toolkit/issues/857); 404 "model 'X' not found, make sure the correct model
//   ID was used and that you have access to the model." (cohere-ai/cohere-python/issues/590);
//   400 "invalid request: total number of texts must be at most 96 - received 131"
//   (misbahsy/RAGTune/issues/2); 400 "invalid request: valid input_type must be provided with
//   the provided model" for embed v3+ (n8n-io/n8n/issues/10731, langchainjs/issues/3894).
// - An unknown field: 422 "unknown field: parameter 'strict' is not a valid field. For proper
//   usage, please refer to https://docs.cohere.com/reference/chat"
//   (OpenRouterTeam/openrouter-examples/issues/71, cohere-ai/notebooks/issues/226).
// - Status codes 400 401 402 404 429 498 499 500 (cohere-ai/cohere-developer-experience PR 189).
// - v2: model required; embedding_types required for Embed; system is a role in messages;
//   the answer is message.content[0].text (cohere-developer-experience PR 151).
// - response_format is {"type":"json_object","schema":{...}} (cohere-ai/cohere-python/issues/541,
//   ENTERPILOT/GoModel PR 581) -- the key is "schema", not OpenAI's "json_schema".
// - finish_reason COMPLETE | STOP_SEQUENCE | MAX_TOKENS | TOOL_CALL | ERROR (OCI SDK
//   CohereChatResponseV2); embed-v4.0 output_dimension 256, 512, 1024 or 1536 (default 1536).
// Not found and assumed: the messages for a missing key, a missing model, empty messages or
// texts, a missing embedding_types, a bad output_dimension or response_format.type, an
// unparseable body, the 429/500/503 wording; whether shortened vectors are renormalised (they are
// here). Only embedding_types ["float"] is served.
#include <algorithm>
#include <string>
#include <vector>

#include "support/fake_llm.hpp"
#include "support/fake_llm_detail.hpp"

namespace pmx::test {
namespace fake_llm_detail {
namespace {

FakeResponse message(int status, const std::string& text) { return json(status, "{\"message\":" + quote(text) + "}"); }

}  // namespace

FakeResponse cohere_error(int status, const std::string& retry_after) {
    FakeResponse r;
    switch (status) {
        case 400: r = message(400, "invalid request: messages must not be empty"); break;
        case 401: r = message(401, "invalid api token"); break;
        case 404:
            r = message(404, "model 'command-unknown' not found, make sure the correct model ID was used and that you "
                             "have access to the model.");
            break;
        case 429:
            r = message(429, "You are using a Trial key, which is limited to 10 API calls / minute. Please try again later.");
            break;
        case 503: r = message(503, "service unavailable"); break;
        default: r = message(status, "internal server error, this has been reported to our developers"); break;
    }
    if (!retry_after.empty()) r.header("Retry-After", retry_after);
    return r;
}

}  // namespace fake_llm_detail

using namespace fake_llm_detail;

namespace {

const std::vector<std::string_view> kChatFields = {
    "model", "messages", "tools", "documents", "citation_options", "response_format", "safety_mode", "max_tokens",
    "stop_sequences", "temperature", "seed", "frequency_penalty", "presence_penalty", "k", "p", "logprobs",
    "tool_choice", "strict_tools", "thinking", "priority", "stream"};
const std::vector<std::string_view> kEmbedFields = {
    "model", "texts", "images", "inputs", "input_type", "embedding_types", "output_dimension", "max_tokens", "truncate"};
const std::vector<std::string_view> kInputTypes = {"search_document", "search_query", "classification", "clustering", "image"};
const std::vector<std::uint64_t> kOutputDimensions = {256, 512, 1024, 1536};
constexpr std::size_t kMaxTexts = 96;

FakeResponse unknown_field(const std::string& name, const char* endpoint) {
    return message(422, "unknown field: parameter '" + name + "' is not a valid field. For proper usage, please refer to "
                        "https://docs.cohere.com/reference/" + endpoint);
}

std::optional<std::string> bearer_key(const FakeRequest& request) { return bearer(request); }

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

FakeResponse FakeLlm::cohere_chat(const FakeRequest& request, FakeLlmRule::Kind fault) {
    const std::optional<std::string> key = bearer_key(request);
    if (!key) return message(401, "no api key supplied");
    if (!key_valid(*key)) return message(401, "invalid api token");
    rapidjson::Document doc;
    if (!parse_object(request.body, doc)) return message(400, "invalid request: could not parse the request body as JSON");
    if (const auto extra = unknown_member(doc, kChatFields)) return unknown_field(*extra, "chat");
    const std::optional<std::string> model_name = string_member(doc, "model");
    if (!model_name) return message(400, "invalid request: model must be specified");
    const std::optional<FakeLlmModel> model = find_model(*model_name);
    if (!model || model->output_cap == 0) {
        return message(404, "model '" + *model_name + "' not found, make sure the correct model ID was used and that you "
                            "have access to the model.");
    }
    const auto messages = doc.FindMember("messages");
    if (messages == doc.MemberEnd() || !messages->value.IsArray() || messages->value.Empty()) {
        return message(400, "invalid request: messages must not be empty");
    }
    FakeLlmCall call;
    call.api = LlmApi::cohere;
    call.model = *model_name;
    if (const auto n = uint_member(doc, "max_tokens")) call.max_tokens = *n;
    for (const auto& m : messages->value.GetArray()) {
        if (!m.IsObject()) continue;
        const std::string role = string_member(m, "role").value_or("");
        const auto content = m.FindMember("content");
        if (content == m.MemberEnd() || (role != "user" && role != "system")) continue;
        std::string& into = role == "system" ? call.system : call.prompt;
        into += (into.empty() ? "" : "\n") + content_text(content->value);
    }
    if (const auto rf = doc.FindMember("response_format"); rf != doc.MemberEnd() && rf->value.IsObject()) {
        const std::string type = string_member(rf->value, "type").value_or("");
        if (type == "json_object") {
            call.json = true;
            if (const auto schema = rf->value.FindMember("schema"); schema != rf->value.MemberEnd()) {
                call.schema = dump(schema->value);
            }
        } else if (type != "text") {
            return message(400, "invalid request: response_format.type must be one of 'text', 'json_object'");
        }
    }
    std::string text = answer(call);
    bool cut = apply_text_fault(fault, text);
    if (!cut && call.max_tokens != 0 && count_words(text) > call.max_tokens) {
        text = first_words(text, call.max_tokens);
        cut = true;
    }
    const std::string input = std::to_string(count_words(call.system) + count_words(call.prompt));
    const std::string output = std::to_string(count_words(text));
    std::uint64_t id = 0;
    {
        std::lock_guard lock(mutex_);
        id = next_id_++;
    }
    return json(200, "{\"id\":\"fake-" + std::to_string(id) + "\",\"finish_reason\":" +
                         (cut ? "\"MAX_TOKENS\"" : "\"COMPLETE\"") +
                         ",\"message\":{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":" + quote(text) +
                         "}]},\"usage\":{\"billed_units\":{\"input_tokens\":" + input + ",\"output_tokens\":" + output +
                         "},\"tokens\":{\"input_tokens\":" + input + ",\"output_tokens\":" + output + "}}}");
}

FakeResponse FakeLlm::cohere_embed(const FakeRequest& request) {
    const std::optional<std::string> key = bearer_key(request);
    if (!key) return message(401, "no api key supplied");
    if (!key_valid(*key)) return message(401, "invalid api token");
    rapidjson::Document doc;
    if (!parse_object(request.body, doc)) return message(400, "invalid request: could not parse the request body as JSON");
    if (const auto extra = unknown_member(doc, kEmbedFields)) return unknown_field(*extra, "embed");
    const std::optional<std::string> model_name = string_member(doc, "model");
    if (!model_name) return message(400, "invalid request: model must be specified");
    const std::optional<FakeLlmModel> model = find_model(*model_name);
    if (!model || model->embedding_dim == 0) {
        return message(404, "model '" + *model_name + "' not found, make sure the correct model ID was used and that you "
                            "have access to the model.");
    }
    const auto texts = doc.FindMember("texts");
    if (texts == doc.MemberEnd() || !texts->value.IsArray() || texts->value.Empty()) {
        return message(400, "invalid request: texts must not be empty");
    }
    if (texts->value.Size() > kMaxTexts) {
        return message(400, "invalid request: total number of texts must be at most 96 - received " +
                                std::to_string(texts->value.Size()));
    }
    const std::optional<std::string> input_type = string_member(doc, "input_type");
    if (model->needs_input_type &&
        (!input_type || std::find(kInputTypes.begin(), kInputTypes.end(), std::string_view(*input_type)) == kInputTypes.end())) {
        return message(400, "invalid request: valid input_type must be provided with the provided model");
    }
    const auto types = doc.FindMember("embedding_types");
    if (types == doc.MemberEnd() || !types->value.IsArray() || types->value.Empty()) {
        return message(400, "invalid request: embedding_types must be specified");
    }
    for (const auto& t : types->value.GetArray()) {
        if (!t.IsString() || std::string_view(t.GetString()) != "float") {
            return message(400, "invalid request: this fake serves embedding_types [\"float\"] only");
        }
    }
    std::size_t dim = 0;
    if (const auto d = doc.FindMember("output_dimension"); d != doc.MemberEnd()) {
        if (!model->shortenable || !d->value.IsUint64() ||
            std::find(kOutputDimensions.begin(), kOutputDimensions.end(), d->value.GetUint64()) == kOutputDimensions.end()) {
            return message(400, "invalid request: output_dimension must be one of 256, 512, 1024, 1536 for this model");
        }
        dim = d->value.GetUint64();
    }
    std::string vectors, echoed;
    std::size_t tokens = 0, index = 0;
    for (const auto& t : texts->value.GetArray()) {
        if (!t.IsString()) return message(400, "invalid request: texts must be strings");
        const std::string text(t.GetString(), t.GetStringLength());
        tokens += count_words(text);
        vectors += std::string(index == 0 ? "" : ",") + float_array(embed(text, model->embedding_dim, dim, true));
        echoed += std::string(index == 0 ? "" : ",") + quote(text);
        ++index;
    }
    count_embedded(index);
    std::uint64_t id = 0;
    {
        std::lock_guard lock(mutex_);
        id = next_id_++;
    }
    return json(200, "{\"id\":\"fake-" + std::to_string(id) + "\",\"embeddings\":{\"float\":[" + vectors +
                         "]},\"texts\":[" + echoed + "],\"meta\":{\"api_version\":{\"version\":\"2\"},\"billed_units\":"
                         "{\"input_tokens\":" + std::to_string(tokens) + "}},\"response_type\":\"embeddings_by_type\"}");
}

}  // namespace pmx::test
