// The Gemini completer and embedder. API facts this file relies on (checked against public references):
// - generateContent takes systemInstruction {parts:[{text}]}, contents [{role "user"|"model",
//   parts:[{text}]}] and generationConfig {maxOutputTokens, temperature, thinkingConfig
//   {thinkingBudget}, responseMimeType, responseSchema}.
// - The answer is candidates[0].content.parts[].text; parts with "thought": true are thought
//   summaries, not the answer. finishReason STOP ends normally; MAX_TOKENS cuts the answer;
//   SAFETY, RECITATION, BLOCKLIST, PROHIBITED_CONTENT, SPII withhold it. A prompt refused as a
//   whole comes back with promptFeedback.blockReason and no candidates.
// - usageMetadata: promptTokenCount, candidatesTokenCount, thoughtsTokenCount (thinking is
//   billed as output).
// - batchEmbedContents takes at most 100 requests, each {model "models/X", content, taskType,
//   outputDimensionality}, and answers embeddings[].values in order. gemini-embedding-001 gives
//   3,072 dimensions (128 to 3,072 with outputDimensionality); below the full size the vectors
//   are not normalised.
#include "gemini_instance.hpp"
#include "gemini_schema.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <array>
#include <utility>

namespace pmx::gemini {

namespace {

using rapidjson::Value;

constexpr std::string_view kModelsPrefix = "models/";

struct ThinkingRange {
    std::int64_t min_on;  // smallest budget that thinks
    std::int64_t max;
    bool can_disable;     // 0 turns thinking off
};
constexpr ThinkingRange kFlash{1, 24'576, true};
constexpr ThinkingRange kFlashLite{512, 24'576, true};
constexpr ThinkingRange kPro{128, 32'768, false};
constexpr std::int64_t kDynamic = -1;

struct KnownEmbedder {
    std::string_view name;
    std::uint32_t dimension;
};
constexpr std::array<KnownEmbedder, 4> kEmbedders = {{{"gemini-embedding-001", 3072},
                                                      {"gemini-embedding-exp-03-07", 3072},
                                                      {"text-embedding-004", 768},
                                                      {"embedding-001", 768}}};

// Finish reasons under which the API withholds the answer for what it says or repeats.
constexpr std::array<std::string_view, 6> kWithheld = {"SAFETY",             "RECITATION", "BLOCKLIST",
                                                       "PROHIBITED_CONTENT", "SPII",       "IMAGE_SAFETY"};

std::string_view strip_models_prefix(std::string_view model) {
    if (model.substr(0, kModelsPrefix.size()) == kModelsPrefix) model.remove_prefix(kModelsPrefix.size());
    return model;
}

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

Value text_of(std::string_view text, rapidjson::Document::AllocatorType& a) {
    return Value(text.data(), static_cast<rapidjson::SizeType>(text.size()), a);
}

// {"parts":[{"text": text}]}, with a role when one is given.
Value content(std::string_view role, std::string_view text, rapidjson::Document::AllocatorType& a) {
    Value part(rapidjson::kObjectType);
    part.AddMember("text", text_of(text, a), a);
    Value parts(rapidjson::kArrayType);
    parts.PushBack(part, a);
    Value out(rapidjson::kObjectType);
    if (!role.empty()) out.AddMember("role", text_of(role, a), a);
    out.AddMember("parts", parts, a);
    return out;
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

constexpr std::string_view kBlankText = "untitled";

bool blank(std::string_view text) { return text.find_first_not_of(" \t\r\n") == std::string_view::npos; }

// The first `max_chars` characters (code points) of `text`.
std::string_view cut_chars(std::string_view text, std::size_t max_chars) {
    std::size_t chars = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xC0U) == 0x80U) continue;  // a continuation byte
        if (chars++ == max_chars) return text.substr(0, i);
    }
    return text;
}

}  // namespace

std::optional<std::int64_t> thinking_budget_for(std::string_view model, std::int64_t setting) {
    model = strip_models_prefix(model);
    // Models before 2.5 (and Gemma, LearnLM...) have no thinking and may refuse the field.
    if (!starts_with(model, "gemini-") || starts_with(model, "gemini-1") || starts_with(model, "gemini-2.0")) {
        return std::nullopt;
    }
    if (setting < 0) return kDynamic;
    const ThinkingRange range = model.find("-pro") != std::string_view::npos ? kPro
                                : model.find("flash-lite") != std::string_view::npos ? kFlashLite
                                                                                      : kFlash;
    if (setting == 0 && range.can_disable) return 0;
    return std::clamp(setting, range.min_on, range.max);
}

std::uint32_t known_embedding_dimension(std::string_view model) {
    model = strip_models_prefix(model);
    for (const KnownEmbedder& e : kEmbedders) {
        if (e.name == model) return e.dimension;
    }
    return 0;
}

Gemini::Gemini(Config config) : config_(std::move(config)) {
    completer_info_.context_tokens = config_.context_tokens;
    completer_info_.model = config_.model;
    info_.dimension = config_.dimension;
    info_.max_batch = kMaxBatch;
    info_.max_input_chars = kMaxInputChars;
    // Full-size vectors come normalised; shortened ones are a prefix of them, not normalised.
    const bool full = config_.dimension == config_.full_dimension;
    info_.flags = full ? PMX_EMBEDDER_NORMALIZED : 0U;
    // A shortened vector is another vector space: stored under its own name, next to the full one.
    info_.model = full ? config_.embedding_model : config_.embedding_model + "@" + std::to_string(config_.dimension);
}

pmx_status Gemini::complete(sdk::Call& call, const sdk::CompletionRequest& request, sdk::TextSink& out) {
    if (request.message_count() == 0) {
        return call.error(PMX_INVALID_INPUT, "gemini: a completion needs at least one message");
    }
    const std::string model(strip_models_prefix(request.model().empty() ? std::string_view(config_.model)
                                                                        : request.model()));
    rapidjson::Document body(rapidjson::kObjectType);
    auto& a = body.GetAllocator();
    if (!request.system().empty()) body.AddMember("systemInstruction", content("", request.system(), a), a);
    Value contents(rapidjson::kArrayType);
    for (std::size_t i = 0; i < request.message_count(); ++i) {
        const sdk::Message m = request.message(i);
        contents.PushBack(content(m.role == PMX_ROLE_ASSISTANT ? "model" : "user", m.content, a), a);
    }
    body.AddMember("contents", contents, a);

    Value config(rapidjson::kObjectType);
    if (request.max_output_tokens() != 0) config.AddMember("maxOutputTokens", request.max_output_tokens(), a);
    if (const std::optional<float> t = request.temperature()) config.AddMember("temperature", double(*t), a);
    if (const std::optional<std::int64_t> budget = thinking_budget_for(model, config_.thinking_budget)) {
        Value thinking(rapidjson::kObjectType);
        thinking.AddMember("thinkingBudget", *budget, a);
        config.AddMember("thinkingConfig", thinking, a);
    }
    if (request.wants_json()) {
        config.AddMember("responseMimeType", "application/json", a);
        if (!request.json_schema().empty()) {
            Value schema;
            to_gemini_schema(request.json_schema(), schema, a);
            config.AddMember("responseSchema", schema, a);
        }
    }
    if (config.MemberCount() != 0) body.AddMember("generationConfig", config, a);

    const std::string what = "Gemini generateContent (" + model + ")";
    const sdk::Response response =
        post(call, config_.connection, ModelRef{model, "model"}, "generateContent", serialise(body));
    const rapidjson::Document doc = parse_object(response, what);

    std::uint64_t output_tokens = 0;
    std::uint64_t thought_tokens = 0;
    if (const auto usage = doc.FindMember("usageMetadata"); usage != doc.MemberEnd()) {
        thought_tokens = count_member(usage->value, "thoughtsTokenCount");
        output_tokens = count_member(usage->value, "candidatesTokenCount") + thought_tokens;
        call.usage(count_member(usage->value, "promptTokenCount"), output_tokens);
    }
    const auto candidates = doc.FindMember("candidates");
    const bool none = candidates == doc.MemberEnd() || !candidates->value.IsArray() || candidates->value.Empty();
    if (const auto feedback = doc.FindMember("promptFeedback"); feedback != doc.MemberEnd()) {
        const std::string_view blocked = string_member(feedback->value, "blockReason");
        if (!blocked.empty() && none) {
            return call.error(PMX_INVALID_INPUT, what + ": Gemini refused the prompt (promptFeedback.blockReason " +
                                                     std::string(blocked) + ")");
        }
    }
    if (none) return call.error(PMX_BAD_RESPONSE, what + ": the answer has no candidates");

    const Value& candidate = candidates->value[0];
    std::string text;
    if (const auto c = candidate.FindMember("content"); c != candidate.MemberEnd() && c->value.IsObject()) {
        if (const auto parts = c->value.FindMember("parts"); parts != c->value.MemberEnd() && parts->value.IsArray()) {
            for (const Value& part : parts->value.GetArray()) {
                if (!part.IsObject()) continue;
                if (const auto thought = part.FindMember("thought");
                    thought != part.MemberEnd() && thought->value.IsBool() && thought->value.GetBool()) {
                    continue;  // a thought summary, not the answer
                }
                text += string_member(part, "text");
            }
        }
    }
    const std::string_view finish = string_member(candidate, "finishReason");
    if (finish == "MAX_TOKENS") {
        std::string limit = request.max_output_tokens() != 0
                                ? "maxOutputTokens " + std::to_string(request.max_output_tokens())
                                : std::string("the model's output limit");
        if (thought_tokens != 0) limit += ", " + std::to_string(thought_tokens) + " of them spent on thinking";
        // INVALID_INPUT, not BAD_RESPONSE: the host would send the same request again, to be cut
        // at the same place (as the openai, claude and cohere plugins do).
        return call.error(PMX_INVALID_INPUT, what + ": the answer was cut at " + limit +
                                                " (finishReason MAX_TOKENS): raise the output limit" +
                                                (thought_tokens != 0 ? " or lower `thinking_budget`" : ""));
    }
    if (std::find(kWithheld.begin(), kWithheld.end(), finish) != kWithheld.end()) {
        return call.error(PMX_INVALID_INPUT,
                          what + ": Gemini withheld the answer (finishReason " + std::string(finish) + ")");
    }
    if (!finish.empty() && finish != "STOP" && finish != "FINISH_REASON_UNSPECIFIED") {
        return call.error(PMX_BAD_RESPONSE, what + ": the answer ended with finishReason " + std::string(finish));
    }
    if (text.empty()) return call.error(PMX_BAD_RESPONSE, what + ": the answer holds no text");
    return out.write(text) ? PMX_OK : call.error(PMX_CANCELLED, "gemini: the host wants no more of the answer");
}

pmx_status Gemini::embed(sdk::Call& call, const sdk::Texts& texts, sdk::EmbedKind kind, sdk::Span<float> out) {
    const std::string& model = config_.embedding_model;
    const std::string model_path = std::string(kModelsPrefix) + model;
    const char* task = kind == sdk::EmbedKind::query ? "RETRIEVAL_QUERY" : "RETRIEVAL_DOCUMENT";
    const bool shortened = config_.dimension != config_.full_dimension;

    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    w.StartObject();
    w.Key("requests");
    w.StartArray();
    for (const std::string_view given : texts) {
        // The API refuses empty content, and a text of no words means nothing to embed: it is
        // embedded as what a track with no title, artist or album is, so the batch stays whole.
        const std::string_view text = blank(given) ? kBlankText : cut_chars(given, kMaxInputChars);
        w.StartObject();
        w.Key("model");
        w.String(model_path.data(), static_cast<rapidjson::SizeType>(model_path.size()));
        w.Key("content");
        w.StartObject();
        w.Key("parts");
        w.StartArray();
        w.StartObject();
        w.Key("text");
        w.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
        w.EndObject();
        w.EndArray();
        w.EndObject();
        w.Key("taskType");
        w.String(task);
        if (shortened) {
            w.Key("outputDimensionality");
            w.Uint(config_.dimension);
        }
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();

    const std::string what = "Gemini batchEmbedContents (" + model + ")";
    const sdk::Response response =
        post(call, config_.connection, ModelRef{model, "embedding_model"}, "batchEmbedContents",
             std::string_view(buffer.GetString(), buffer.GetSize()));
    const rapidjson::Document doc = parse_object(response, what);
    const auto embeddings = doc.FindMember("embeddings");
    if (embeddings == doc.MemberEnd() || !embeddings->value.IsArray() ||
        embeddings->value.Size() != texts.size()) {
        return call.error(PMX_BAD_RESPONSE, what + ": expected " + std::to_string(texts.size()) + " embeddings");
    }
    const std::size_t dim = config_.dimension;
    std::size_t row = 0;
    for (const Value& e : embeddings->value.GetArray()) {
        const auto values = e.IsObject() ? e.FindMember("values") : e.MemberEnd();
        if (!e.IsObject() || values == e.MemberEnd() || !values->value.IsArray() || values->value.Size() != dim) {
            return call.error(PMX_BAD_RESPONSE, what + ": embedding " + std::to_string(row) + " does not hold " +
                                                    std::to_string(dim) + " values");
        }
        std::size_t j = 0;
        for (const Value& v : values->value.GetArray()) {
            if (!v.IsNumber()) {
                return call.error(PMX_BAD_RESPONSE, what + ": embedding " + std::to_string(row) + " holds a non-number");
            }
            out[row * dim + j++] = static_cast<float>(v.GetDouble());
        }
        ++row;
    }
    return PMX_OK;
}

}  // namespace pmx::gemini
