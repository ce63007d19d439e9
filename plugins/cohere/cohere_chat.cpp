// cohere: the completer, POST {base_url}/chat.
//
// Facts (checked with the search tool; see also tests/support/fake_llm_cohere.cpp):
// - v2 takes model, messages [{role system|user|assistant, content}] with the system turn
//   first, max_tokens, temperature, and response_format {"type":"json_object"} with an optional
//   "schema" (the key is "schema", not OpenAI's "json_schema"). Unknown fields are refused (422).
// - The answer is message.content[] ({"type":"text","text"}; reasoning models add "thinking"
//   parts, which are not the answer). finish_reason COMPLETE | STOP_SEQUENCE | MAX_TOKENS |
//   TOOL_CALL | ERROR.
// - usage.billed_units {input_tokens, output_tokens} is what is charged; usage.tokens counts
//   what the model processed (with the prompt template's own tokens).
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <optional>
#include <string>

#include "cohere_instance.hpp"

namespace pmx::cohere {

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void write_string(Writer& w, std::string_view text) {
    w.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

void write_message(Writer& w, const char* role, std::string_view content) {
    w.StartObject();
    w.Key("role");
    w.String(role);
    w.Key("content");
    write_string(w, content);
    w.EndObject();
}

// The request body; `schema` is the parsed JSON Schema, or null for none.
std::string build_body(const sdk::CompletionRequest& request, std::string_view model, const rapidjson::Value& schema) {
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    w.StartObject();
    w.Key("model");
    write_string(w, model);
    w.Key("messages");
    w.StartArray();
    if (!request.system().empty()) write_message(w, "system", request.system());
    for (std::size_t i = 0; i < request.message_count(); ++i) {
        const sdk::Message m = request.message(i);
        write_message(w, m.role == PMX_ROLE_ASSISTANT ? "assistant" : "user", m.content);
    }
    w.EndArray();
    if (request.max_output_tokens() > 0) {
        w.Key("max_tokens");
        w.Uint(request.max_output_tokens());
    }
    if (const std::optional<float> t = request.temperature()) {
        w.Key("temperature");
        w.Double(static_cast<double>(*t));
    }
    if (request.wants_json()) {
        w.Key("response_format");
        w.StartObject();
        w.Key("type");
        w.String("json_object");
        if (!schema.IsNull()) {
            w.Key("schema");
            schema.Accept(w);
        }
        w.EndObject();
    }
    w.EndObject();
    return {buffer.GetString(), buffer.GetSize()};
}

// billed_units first: it is what the price applies to; tokens when the answer has no billing.
void report_usage(const sdk::Call& call, const rapidjson::Value& answer) {
    const auto usage = answer.FindMember("usage");
    if (usage == answer.MemberEnd() || !usage->value.IsObject()) return;
    for (const char* part : {"billed_units", "tokens"}) {
        const auto counts = usage->value.FindMember(part);
        if (counts == usage->value.MemberEnd() || !counts->value.IsObject()) continue;
        const std::uint64_t in = uint_of(counts->value, "input_tokens");
        const std::uint64_t out = uint_of(counts->value, "output_tokens");
        if (in == 0 && out == 0) continue;
        call.usage(in, out);
        return;
    }
}

}  // namespace

pmx_status Cohere::complete(sdk::Call& call, const sdk::CompletionRequest& request, sdk::TextSink& out) {
    if (request.message_count() == 0) return call.error(PMX_INVALID_INPUT, "cohere: a completion needs a message");
    const std::string model(request.model().empty() ? std::string_view(config_.model) : request.model());

    rapidjson::Document schema;  // null unless the request carries one
    if (request.wants_json() && !request.json_schema().empty()) {
        schema.Parse(request.json_schema().data(), request.json_schema().size());
        if (schema.HasParseError() || !schema.IsObject()) {
            return call.error(PMX_INVALID_INPUT, "cohere: the request's JSON Schema is not a JSON object");
        }
    }

    const std::string what = "chat (" + model + ")";
    const sdk::Response response = post(call, config_, "/chat", build_body(request, model, schema));
    if (!response.ok()) return fail(call, response, config_, ModelRef{model, "model"});
    rapidjson::Document answer;
    if (!parse_answer(call, response, what, answer)) return PMX_BAD_RESPONSE;
    report_usage(call, answer);

    const std::string_view finish = string_of(answer, "finish_reason");
    // Not BAD_RESPONSE, which the host retries: the same request would be cut the same way, at
    // the same cost. The request asked for too little output; that is INVALID_INPUT.
    if (finish == "MAX_TOKENS") {
        const std::string limit = request.max_output_tokens() > 0
                                      ? "max_tokens " + std::to_string(request.max_output_tokens())
                                      : std::string("the model's output limit");
        return call.error(PMX_INVALID_INPUT, "cohere: " + what + ": the answer was cut at " + limit +
                                                 " (finish_reason MAX_TOKENS): raise the output limit");
    }
    if (!finish.empty() && finish != "COMPLETE" && finish != "STOP_SEQUENCE") {
        return call.error(PMX_BAD_RESPONSE, "cohere: " + what + ": the answer ended with finish_reason " +
                                                std::string(finish));
    }
    const auto message = answer.FindMember("message");
    if (message == answer.MemberEnd() || !message->value.IsObject()) {
        return call.error(PMX_BAD_RESPONSE, "cohere: " + what + ": the answer has no message");
    }
    const auto content = message->value.FindMember("content");
    if (content == message->value.MemberEnd() || !content->value.IsArray()) {
        return call.error(PMX_BAD_RESPONSE, "cohere: " + what + ": the answer's message has no content");
    }
    std::string text;
    for (const rapidjson::Value& part : content->value.GetArray()) {
        if (string_of(part, "type") == "text") text += string_of(part, "text");
    }
    if (text.empty()) return call.error(PMX_BAD_RESPONSE, "cohere: " + what + ": the answer holds no text");
    return out.write(text) ? PMX_OK : call.error(PMX_CANCELLED, "cohere: the host wants no more of the answer");
}

}  // namespace pmx::cohere
