// The fake Anthropic Messages API (POST /v1/messages).
//
// Verified with the search tool against public references (no code copied):
// - Errors: {"type":"error","error":{"type":T,"message":M},"request_id":"req_..."} and a
//   request-id header (github.com/anthropics/anthropic-sdk-typescript/issues/616,
//   github.com/anthropics/claude-code/issues/24451).
// - No anthropic-version: 400 invalid_request_error "anthropic-version: header is required"
//   (github.com/PipedreamHQ/pipedream/issues/9697, envoyproxy/ai-gateway PR 1909); a bad one:
//   400 'anthropic-version: "X" is not a valid version' (github.com/decolua/9router/issues/2357).
// - No x-api-key: 401 authentication_error "x-api-key header is required"
//   (github.com/n8n-io/n8n/issues/37930); a wrong one: 401 authentication_error
//   "invalid x-api-key" (github.com/eyaltoledano/claude-task-master/issues/222).
// - An unknown model: 404 not_found_error "model: X" (github.com/anthropics/claude-code/issues/5349).
// - max_tokens over the model's cap: 400 invalid_request_error "max_tokens: 128001 > 64000,
//   which is the maximum allowed number of output tokens for claude-opus-4-5-20251101"
//   (github.com/anthropics/claude-code/issues/24451, BerriAI/litellm PR 15715).
// - An unknown field: 400 invalid_request_error "X: Extra inputs are not permitted"
//   (github.com/amrit110/oli/issues/7, microsoft/autogen/issues/3034).
// - 429 rate_limit_error "This request would exceed your account's rate limit. Please try again
//   later." (github.com/anthropics/claude-code/issues/45636); 529 overloaded_error "Overloaded"
//   with x-should-retry: true (anthropic-sdk-typescript/issues/616).
// Not found and assumed: "max_tokens: Field required" / "model: Field required" / "messages:
// Field required" for missing fields, the wording of 403 permission_error and 500 api_error, of
// an unparseable body, and of a forced tool that is not in `tools`; which of the key and the
// version is checked first (the key is, here).
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "support/fake_llm.hpp"
#include "support/fake_llm_detail.hpp"

namespace pmx::test {
namespace fake_llm_detail {
namespace {

FakeResponse claude_body(int status, const std::string& type, const std::string& message) {
    static std::atomic<std::uint64_t> counter{0};  // only makes request ids differ
    const std::string id = "req_fake" + std::to_string(++counter);
    FakeResponse r = json(status, "{\"type\":\"error\",\"error\":{\"type\":" + quote(type) + ",\"message\":" +
                                      quote(message) + "},\"request_id\":" + quote(id) + "}");
    r.header("request-id", id);
    return r;
}

FakeResponse invalid(const std::string& message) { return claude_body(400, "invalid_request_error", message); }

}  // namespace

FakeResponse claude_error(int status, const std::string& retry_after) {
    FakeResponse r;
    switch (status) {
        case 400: r = invalid("messages: Input should be a valid list"); break;
        case 401: r = claude_body(401, "authentication_error", "invalid x-api-key"); break;
        case 403: r = claude_body(403, "permission_error", "Your API key does not have permission to use the specified resource."); break;
        case 404: r = claude_body(404, "not_found_error", "model: claude-unknown"); break;
        case 429:
            r = claude_body(429, "rate_limit_error", "This request would exceed your account's rate limit. Please try again later.");
            break;
        case 529:
            r = claude_body(529, "overloaded_error", "Overloaded");
            r.header("x-should-retry", "true");
            break;
        default: r = claude_body(status, "api_error", "Internal server error"); break;
    }
    if (!retry_after.empty()) r.header("retry-after", retry_after);
    return r;
}

}  // namespace fake_llm_detail

using namespace fake_llm_detail;

namespace {

const std::vector<std::string_view> kMessageFields = {
    "model", "messages", "max_tokens", "system", "metadata", "stop_sequences", "stream", "temperature", "top_p",
    "top_k", "tools", "tool_choice", "thinking", "service_tier", "container", "mcp_servers", "context_management"};
const std::vector<std::string_view> kVersions = {"2023-06-01", "2023-01-01"};

std::string blocks_text(const rapidjson::Value& content) {
    if (content.IsString()) return content.GetString();
    std::string out;
    if (!content.IsArray()) return out;
    for (const auto& b : content.GetArray()) {
        if (!b.IsObject() || string_member(b, "type").value_or("") != "text") continue;
        if (const auto t = string_member(b, "text")) out += (out.empty() ? "" : "\n") + *t;
    }
    return out;
}

}  // namespace

FakeResponse FakeLlm::claude_messages(const FakeRequest& request, FakeLlmRule::Kind fault) {
    const std::string* key = request.header("x-api-key");
    if (key == nullptr) return claude_body(401, "authentication_error", "x-api-key header is required");
    if (!key_valid(*key)) return claude_body(401, "authentication_error", "invalid x-api-key");
    const std::string* version = request.header("anthropic-version");
    if (version == nullptr) return invalid("anthropic-version: header is required");
    if (std::find(kVersions.begin(), kVersions.end(), std::string_view(*version)) == kVersions.end()) {
        return invalid("anthropic-version: \"" + *version + "\" is not a valid version");
    }
    rapidjson::Document doc;
    if (!parse_object(request.body, doc)) return invalid("There was an error parsing the body of your request.");
    if (const auto extra = unknown_member(doc, kMessageFields)) return invalid(*extra + ": Extra inputs are not permitted");
    const std::optional<std::string> model_name = string_member(doc, "model");
    if (!model_name) return invalid("model: Field required");
    const auto messages = doc.FindMember("messages");
    if (messages == doc.MemberEnd() || !messages->value.IsArray()) return invalid("messages: Field required");
    const std::optional<std::uint64_t> max_tokens = uint_member(doc, "max_tokens");
    if (!max_tokens) return invalid("max_tokens: Field required");
    const std::optional<FakeLlmModel> model = find_model(*model_name);
    if (!model || model->output_cap == 0) return claude_body(404, "not_found_error", "model: " + *model_name);
    if (*max_tokens > model->output_cap) {
        return invalid("max_tokens: " + std::to_string(*max_tokens) + " > " + std::to_string(model->output_cap) +
                       ", which is the maximum allowed number of output tokens for " + *model_name);
    }
    FakeLlmCall call;
    call.api = LlmApi::claude;
    call.model = *model_name;
    call.max_tokens = *max_tokens;
    if (const auto system = doc.FindMember("system"); system != doc.MemberEnd()) call.system = blocks_text(system->value);
    for (const auto& m : messages->value.GetArray()) {
        if (!m.IsObject() || string_member(m, "role").value_or("") != "user") continue;
        const auto content = m.FindMember("content");
        if (content == m.MemberEnd()) continue;
        call.prompt += (call.prompt.empty() ? "" : "\n") + blocks_text(content->value);
    }
    if (const auto choice = doc.FindMember("tool_choice"); choice != doc.MemberEnd() && choice->value.IsObject() &&
                                                           string_member(choice->value, "type").value_or("") == "tool") {
        call.tool = string_member(choice->value, "name").value_or("");
        const auto tools = doc.FindMember("tools");
        bool found = false;
        if (tools != doc.MemberEnd() && tools->value.IsArray()) {
            for (const auto& t : tools->value.GetArray()) {
                if (!t.IsObject() || string_member(t, "name").value_or("") != call.tool) continue;
                found = true;
                if (const auto schema = t.FindMember("input_schema"); schema != t.MemberEnd()) call.schema = dump(schema->value);
            }
        }
        if (!found) return invalid("tool_choice.name: Tool '" + call.tool + "' not found in 'tools'");
        call.json = true;
    }
    std::string text = answer(call);
    bool cut = apply_text_fault(fault, text);
    if (!cut && count_words(text) > call.max_tokens) {
        text = first_words(text, call.max_tokens);
        cut = true;
    }
    std::string content;
    std::string stop_reason = cut ? "max_tokens" : "end_turn";
    std::uint64_t id = 0;
    {
        std::lock_guard lock(mutex_);
        id = next_id_++;
    }
    if (!call.tool.empty()) {
        // A forced tool: the answer is the tool's input. A cut one arrives incomplete, as {}.
        rapidjson::Document input;
        input.Parse(text.c_str(), text.size());
        const std::string input_json = !cut && !input.HasParseError() && input.IsObject() ? text : std::string("{}");
        content = "{\"type\":\"tool_use\",\"id\":\"toolu_fake" + std::to_string(id) + "\",\"name\":" + quote(call.tool) +
                  ",\"input\":" + input_json + "}";
        if (!cut) stop_reason = "tool_use";
    } else {
        content = "{\"type\":\"text\",\"text\":" + quote(text) + "}";
    }
    const std::size_t input_tokens = count_words(call.system) + count_words(call.prompt);
    FakeResponse r = json(200, "{\"id\":\"msg_fake" + std::to_string(id) +
                                   "\",\"type\":\"message\",\"role\":\"assistant\",\"model\":" + quote(call.model) +
                                   ",\"content\":[" + content + "],\"stop_reason\":" + quote(stop_reason) +
                                   ",\"stop_sequence\":null,\"usage\":{\"input_tokens\":" +
                                   std::to_string(input_tokens) + ",\"output_tokens\":" +
                                   std::to_string(count_words(text)) + "}}");
    r.header("request-id", "req_fake_ok" + std::to_string(id));
    return r;
}

}  // namespace pmx::test
