// claude: the completer, POST {base_url}/messages.
//
// Facts (checked with the search tool against public references; see also
// tests/support/fake_llm_claude.cpp):
// - The request is {model, max_tokens (required), system (top level, not a message), messages
//   [{role "user"|"assistant", content}], temperature (0 to 1), tools, tool_choice}; unknown
//   fields are refused ("X: Extra inputs are not permitted").
// - A tool is {name, description, input_schema}; input_schema must be an object schema.
//   tool_choice {"type":"tool","name":N} forces that tool: the answer is then one tool_use
//   block {type "tool_use", id, name, input} whose input is the JSON the model wrote.
// - The answer is content[] blocks (text blocks {type "text", text}); stop_reason is end_turn,
//   stop_sequence, tool_use, max_tokens (the output limit cut it; a cut tool_use input is
//   incomplete), pause_turn or refusal; usage has input_tokens and output_tokens.
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <string>

#include "claude_instance.hpp"

namespace pmx::claude {

namespace {

using rapidjson::Value;
using Allocator = rapidjson::Document::AllocatorType;

constexpr const char* kToolName = "answer";  // the one tool a JSON answer is forced through
constexpr const char* kToolDescription = "Give your answer as this tool's input.";
constexpr const char* kWrapKey = "value";    // holds a non-object answer inside the tool's object input
constexpr double kMaxTemperature = 1.0;      // Claude takes 0 to 1
constexpr const char* kJsonInstruction = "Answer with one JSON value and nothing else: no prose, no code fences.";

Value text_of(std::string_view text, Allocator& a) {
    return Value(text.data(), static_cast<rapidjson::SizeType>(text.size()), a);
}

std::string serialise(const Value& value) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    value.Accept(writer);
    return {buffer.GetString(), buffer.GetSize()};
}

std::string_view string_member(const Value& object, const char* name) {
    if (!object.IsObject()) return {};
    const auto it = object.FindMember(name);
    if (it == object.MemberEnd() || !it->value.IsString()) return {};
    return {it->value.GetString(), it->value.GetStringLength()};
}

std::uint64_t count_member(const Value& object, const char* name) {
    if (!object.IsObject()) return 0;
    const auto it = object.FindMember(name);
    return it != object.MemberEnd() && it->value.IsUint64() ? it->value.GetUint64() : 0;
}

// A tool's input is always a JSON object: any other schema travels inside one, under kWrapKey.
bool is_object_schema(const Value& schema) { return string_member(schema, "type") == "object"; }

}  // namespace

pmx_status Claude::complete(sdk::Call& call, const sdk::CompletionRequest& request, sdk::TextSink& out) {
    if (request.message_count() == 0) return call.error(PMX_INVALID_INPUT, "claude: a completion needs a message");
    const std::string model(request.model().empty() ? std::string_view(config_.model) : request.model());
    const std::string what = "Claude messages (" + model + ")";

    rapidjson::Document body(rapidjson::kObjectType);
    Allocator& a = body.GetAllocator();
    const bool forced_tool = request.wants_json() && !request.json_schema().empty();
    bool wrapped = false;
    Value input_schema;
    if (forced_tool) {
        rapidjson::Document schema(&a);
        schema.Parse<rapidjson::kParseIterativeFlag>(request.json_schema().data(), request.json_schema().size());
        if (schema.HasParseError() || !schema.IsObject()) {
            return call.error(PMX_INVALID_INPUT, "claude: the request's JSON Schema is not a JSON object");
        }
        wrapped = !is_object_schema(schema);
        if (wrapped) {
            Value properties(rapidjson::kObjectType);
            properties.AddMember(Value(kWrapKey, a), Value(schema, a), a);
            Value required(rapidjson::kArrayType);
            required.PushBack(Value(kWrapKey, a), a);
            input_schema.SetObject();
            input_schema.AddMember("type", "object", a);
            input_schema.AddMember("properties", properties, a);
            input_schema.AddMember("required", required, a);
        } else {
            input_schema.CopyFrom(schema, a);
        }
    }

    const std::uint32_t max_tokens = max_tokens_for(model, request.max_output_tokens(), config_.max_tokens);
    body.AddMember("model", text_of(model, a), a);
    body.AddMember("max_tokens", max_tokens, a);
    std::string system(request.system());
    if (request.wants_json() && !forced_tool) system += (system.empty() ? "" : "\n\n") + std::string(kJsonInstruction);
    if (!system.empty()) body.AddMember("system", text_of(system, a), a);
    Value messages(rapidjson::kArrayType);
    for (std::size_t i = 0; i < request.message_count(); ++i) {
        const sdk::Message m = request.message(i);
        Value message(rapidjson::kObjectType);
        message.AddMember("role", Value(m.role == PMX_ROLE_ASSISTANT ? "assistant" : "user", a), a);
        message.AddMember("content", text_of(m.content, a), a);
        messages.PushBack(message, a);
    }
    body.AddMember("messages", messages, a);
    if (const std::optional<float> t = request.temperature()) {
        body.AddMember("temperature", std::clamp(static_cast<double>(*t), 0.0, kMaxTemperature), a);
    }
    if (forced_tool) {
        Value tool(rapidjson::kObjectType);
        tool.AddMember("name", Value(kToolName, a), a);
        tool.AddMember("description", Value(kToolDescription, a), a);
        tool.AddMember("input_schema", input_schema, a);
        Value tools(rapidjson::kArrayType);
        tools.PushBack(tool, a);
        body.AddMember("tools", tools, a);
        Value choice(rapidjson::kObjectType);
        choice.AddMember("type", "tool", a);
        choice.AddMember("name", Value(kToolName, a), a);
        body.AddMember("tool_choice", choice, a);
    }

    const sdk::Response response = post_messages(call, config_, serialise(body));
    if (!response.ok()) return fail(call, response, config_, model);

    rapidjson::Document answer;
    answer.Parse<rapidjson::kParseIterativeFlag>(response.body().data(), response.body().size());
    if (answer.HasParseError() || !answer.IsObject()) {
        const std::string why = answer.HasParseError()
                                    ? std::string(rapidjson::GetParseError_En(answer.GetParseError())) + " at byte " +
                                          std::to_string(answer.GetErrorOffset())
                                    : std::string("not an object");
        return call.error(PMX_BAD_RESPONSE, what + ": the answer is not JSON (" + why + "): " +
                                                sdk::http_body_summary(response.body(), response.status(), 120));
    }
    if (const auto usage = answer.FindMember("usage"); usage != answer.MemberEnd()) {
        call.usage(count_member(usage->value, "input_tokens"), count_member(usage->value, "output_tokens"));
    }
    const std::string_view stop = string_member(answer, "stop_reason");
    // Not BAD_RESPONSE, which the host retries: the same request would be cut the same way, at
    // the same cost. The request asked for too little output; that is INVALID_INPUT.
    if (stop == "max_tokens") {
        return call.error(PMX_INVALID_INPUT,
                          what + ": the answer was cut at max_tokens (" + std::to_string(max_tokens) +
                              ", stop_reason \"max_tokens\"): ask for more output or raise the `max_tokens` setting");
    }
    if (stop == "refusal") return call.error(PMX_INVALID_INPUT, what + ": the model declined to answer (stop_reason \"refusal\")");

    const auto content = answer.FindMember("content");
    if (content == answer.MemberEnd() || !content->value.IsArray()) {
        return call.error(PMX_BAD_RESPONSE, what + ": the answer has no content blocks");
    }
    std::string text;
    bool found_tool = false;
    for (const Value& block : content->value.GetArray()) {
        const std::string_view type = string_member(block, "type");
        if (forced_tool && type == "tool_use" && string_member(block, "name") == kToolName) {
            const auto input = block.FindMember("input");
            if (input == block.MemberEnd() || !input->value.IsObject()) continue;
            const auto inner = wrapped ? input->value.FindMember(kWrapKey) : input->value.MemberEnd();
            // A wrapped answer without its key is passed on whole: the caller's validation says
            // what is wrong with it.
            text = serialise(wrapped && inner != input->value.MemberEnd() ? inner->value : input->value);
            found_tool = true;
            break;
        }
        if (!forced_tool && type == "text") text += string_member(block, "text");
    }
    if (forced_tool && !found_tool) {
        return call.error(PMX_BAD_RESPONSE, what + ": the answer has no \"" + std::string(kToolName) +
                                                "\" tool_use block (stop_reason \"" + std::string(stop) + "\")");
    }
    if (text.empty()) return call.error(PMX_BAD_RESPONSE, what + ": the answer holds no text");
    return out.write(text) ? PMX_OK : call.error(PMX_CANCELLED, "claude: the host wants no more of the answer");
}

}  // namespace pmx::claude
