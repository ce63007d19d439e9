// openai: the completer, POST {base_url}/chat/completions.
//
// Facts (checked with the search tool; see also tests/support/fake_llm_openai.cpp):
// - Reasoning models (o1, o3, o4-mini, gpt-5*) refuse max_tokens ("Use 'max_completion_tokens'
//   instead") and any temperature but the default 1; others take max_tokens, which every
//   compatible server knows.
// - response_format {"type":"json_schema","json_schema":{"name","schema","strict"}} or
//   {"type":"json_object"}. strict:false, because strict mode accepts only a subset of JSON
//   Schema (every property required, additionalProperties false) and the host validates anyway.
// - JSON mode wants the word "JSON" somewhere in the messages (an API rule, from memory of
//   OpenAI's JSON-mode guide; the search tool found no public copy of the error text).
// - llama.cpp's server before json_schema support answers 500 naming response_format; LM Studio
//   refuses json_object with 400; both name response_format in the error. Ollama Cloud takes
//   json_schema without enforcing it (pydantic/pydantic-ai PR 4160): on compatible servers the
//   schema is written in the instructions as well.
// - The answer is choices[0].message.content; finish_reason "length" means the output limit
//   cut it, "content_filter" that a filter removed it; message.refusal holds a refusal.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cctype>
#include <string>

#include "openai_instance.hpp"

namespace pmx::openai {

namespace {

constexpr int kMaxFormAttempts = 3;  // json_schema, json_object, prompt: one request each at most
constexpr const char* kSchemaName = "answer";  // response_format.json_schema.name: [a-zA-Z0-9_-]{1,64}

enum class JsonForm { none, json_schema, json_object, prompt };

const char* form_name(JsonForm form) {
    switch (form) {
        case JsonForm::json_schema: return "json_schema";
        case JsonForm::json_object: return "json_object";
        case JsonForm::prompt: return "instructions in the system text";
        case JsonForm::none: break;
    }
    return "text";
}

bool contains_json_word(std::string_view text) {
    for (std::size_t i = 0; i + 4 <= text.size(); ++i) {
        const auto lower = [&](std::size_t k) { return std::tolower(static_cast<unsigned char>(text[i + k])); };
        if (lower(0) == 'j' && lower(1) == 's' && lower(2) == 'o' && lower(3) == 'n') return true;
    }
    return false;
}

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void write_string(Writer& w, std::string_view text) {
    w.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

// Whether the model must read the schema in its instructions: the prompt form has nowhere else
// to put it, json_object carries none, and a compatible server may take json_schema without
// enforcing it (Ollama Cloud does), so there the model would never see it otherwise.
bool schema_in_text(const sdk::CompletionRequest& request, JsonForm form, ServerKind server) {
    if (form == JsonForm::prompt) return true;
    if (request.json_schema().empty()) return false;
    return form == JsonForm::json_object || (form == JsonForm::json_schema && server == ServerKind::compatible);
}

// The request body for `form`. `schema` is the parsed schema (or null).
std::string build_body(const sdk::CompletionRequest& request, std::string_view model, JsonForm form,
                       const rapidjson::Value& schema, ServerKind server) {
    const bool reasoning = is_reasoning_model(model);
    std::string system(request.system());
    if (schema_in_text(request, form, server)) {
        system += system.empty() ? "" : "\n\n";
        system += "Answer with one JSON value and nothing else: no prose, no code fences.";
        if (!request.json_schema().empty()) {
            system += " The value must validate against this JSON Schema: ";
            system += request.json_schema();
        }
    }
    if (form == JsonForm::json_object) {
        bool named = contains_json_word(system);
        for (std::size_t i = 0; i < request.message_count() && !named; ++i) {
            named = contains_json_word(request.message(i).content);
        }
        if (!named) system += system.empty() ? "Answer in JSON." : "\n\nAnswer in JSON.";
    }

    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    w.StartObject();
    w.Key("model");
    write_string(w, model);
    w.Key("messages");
    w.StartArray();
    if (!system.empty()) {
        w.StartObject();
        w.Key("role");
        w.String("system");
        w.Key("content");
        write_string(w, system);
        w.EndObject();
    }
    for (std::size_t i = 0; i < request.message_count(); ++i) {
        const sdk::Message m = request.message(i);
        w.StartObject();
        w.Key("role");
        w.String(m.role == PMX_ROLE_ASSISTANT ? "assistant" : "user");
        w.Key("content");
        write_string(w, m.content);
        w.EndObject();
    }
    w.EndArray();
    if (request.max_output_tokens() > 0) {
        w.Key(reasoning ? "max_completion_tokens" : "max_tokens");
        w.Uint(request.max_output_tokens());
    }
    if (const std::optional<float> t = request.temperature(); t && !reasoning) {
        w.Key("temperature");
        w.Double(static_cast<double>(*t));
    }
    if (form == JsonForm::json_schema) {
        w.Key("response_format");
        w.StartObject();
        w.Key("type");
        w.String("json_schema");
        w.Key("json_schema");
        w.StartObject();
        w.Key("name");
        w.String(kSchemaName);
        w.Key("schema");
        schema.Accept(w);
        w.Key("strict");
        w.Bool(false);
        w.EndObject();
        w.EndObject();
    } else if (form == JsonForm::json_object) {
        w.Key("response_format");
        w.StartObject();
        w.Key("type");
        w.String("json_object");
        w.EndObject();
    }
    w.EndObject();
    return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace

pmx_status OpenAiInstance::complete(sdk::Call& call, const sdk::CompletionRequest& request, sdk::TextSink& out) {
    const std::string model(request.model().empty() ? std::string_view(config_.model) : request.model());
    if (request.message_count() == 0) return call.error(PMX_INVALID_INPUT, "openai: a completion needs a message");

    rapidjson::Document schema;
    const bool has_schema = request.wants_json() && !request.json_schema().empty();
    if (has_schema) {
        schema.Parse(request.json_schema().data(), request.json_schema().size());
        if (schema.HasParseError() || !schema.IsObject()) {
            return call.error(PMX_INVALID_INPUT, "openai: the request's JSON Schema is not a JSON object");
        }
    }

    // The strongest form this request and this server allow; the setting may pin one.
    const auto pick = [&]() {
        if (!request.wants_json()) return JsonForm::none;
        switch (config_.json_mode) {
            case JsonMode::prompt: return JsonForm::prompt;
            case JsonMode::json_object: return JsonForm::json_object;
            case JsonMode::json_schema: return has_schema ? JsonForm::json_schema : JsonForm::json_object;
            case JsonMode::automatic: break;
        }
        if (has_schema && !json_schema_refused_.load()) return JsonForm::json_schema;
        if (!json_object_refused_.load()) return JsonForm::json_object;
        return JsonForm::prompt;
    };

    for (int attempt = 0; attempt < kMaxFormAttempts; ++attempt) {
        const JsonForm form = pick();
        const std::string body = build_body(request, model, form, schema, config_.server);
        const sdk::Response response = post(call, config_, "/chat/completions", body);
        if (!response.ok()) {
            const bool may_step_down = config_.json_mode == JsonMode::automatic &&
                                       (form == JsonForm::json_schema || form == JsonForm::json_object);
            if (may_step_down && refuses(response, "response_format")) {
                (form == JsonForm::json_schema ? json_schema_refused_ : json_object_refused_).store(true);
                sdk::Host::get().warn(config_.base_url + " refuses response_format " +
                                      form_name(form) + "; JSON answers are asked for another way from now on");
                continue;
            }
            return fail(call, response, config_, ModelRole::chat, model);
        }

        rapidjson::Document answer;
        answer.Parse(response.body().data(), response.body().size());
        if (answer.HasParseError() || !answer.IsObject()) {
            return bad_response(call, response, "answer is not a chat completion (not JSON)");
        }
        report_usage(call, answer);
        const auto choices = answer.FindMember("choices");
        if (choices == answer.MemberEnd() || !choices->value.IsArray() || choices->value.Empty() ||
            !choices->value[0].IsObject()) {
            return bad_response(call, response, "answer has no choices");
        }
        const rapidjson::Value& choice = choices->value[0];
        const auto message = choice.FindMember("message");
        if (message == choice.MemberEnd() || !message->value.IsObject()) {
            return bad_response(call, response, "answer has no message");
        }
        const std::string_view refusal = string_of(message->value, "refusal");
        if (!refusal.empty()) {
            return call.error(PMX_INVALID_INPUT, "openai: the model refused: " + std::string(refusal));
        }
        const std::string_view finish = string_of(choice, "finish_reason");
        // Not BAD_RESPONSE, which the host retries: the same request would be cut the same way,
        // at the same cost. The request asked for too little output; that is INVALID_INPUT.
        if (finish == "length") {
            const std::string limit = request.max_output_tokens() > 0
                                          ? std::to_string(request.max_output_tokens()) + " tokens"
                                          : "the model's default limit";
            return call.error(PMX_INVALID_INPUT,
                              "openai: the answer was cut at max tokens (" + limit + ", finish_reason \"length\")" +
                                  (is_reasoning_model(model) ? "; reasoning models spend part of it on reasoning" : ""));
        }
        if (finish == "content_filter") {
            return call.error(PMX_INVALID_INPUT, "openai: the provider's content filter withheld the answer");
        }
        const auto content = message->value.FindMember("content");
        if (content == message->value.MemberEnd() || !content->value.IsString()) {
            return bad_response(call, response, "answer has no text content");
        }
        if (!out.write({content->value.GetString(), content->value.GetStringLength()})) {
            return call.error(PMX_CANCELLED, "openai: the host wants no more of the answer");
        }
        return PMX_OK;
    }
    return call.error(PMX_INTERNAL, "openai: no JSON form left to ask for");
}

}  // namespace pmx::openai
