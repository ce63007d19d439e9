// cohere: the embedder, POST {base_url}/embed.
//
// Facts (checked with the search tool; see also tests/support/fake_llm_cohere.cpp):
// - v2 takes model, texts (at most 96), input_type (required for v3 and later models:
//   search_document for what is stored, search_query for a search), embedding_types (required;
//   ["float"] here) and, for embed-v4.0 only, output_dimension 256, 512, 1024 or 1536 (1536 by
//   default). The answer's vectors are embeddings.float[], in the order of texts.
// - Sizes: embed-v4.0 1536; embed-english-v3.0 and embed-multilingual-v3.0 1024; their -light-
//   variants 384. One request holds at most 128,000 tokens over all its texts.
// - Not found: whether the vectors (shortened ones especially) have unit length. They are
//   declared not normalised, and the host normalises them.
// - meta.billed_units.input_tokens is what an embed request is charged.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <array>
#include <string>

#include "cohere_instance.hpp"

namespace pmx::cohere {

namespace {

// 96 texts of this many characters stay under the 128,000 tokens one request may hold, at
// about 4 characters a token; a track's text is a few hundred.
constexpr std::uint32_t kMaxInputChars = 4'000;
// Assumed, not found: that the API refuses empty texts. A text of no words means nothing to
// embed, so it is embedded as what a track with no title, artist or album is.
constexpr std::string_view kBlankText = "untitled";

constexpr std::array<KnownEmbedder, 5> kEmbedders = {{{"embed-v4.0", 1536, true},
                                                      {"embed-english-v3.0", 1024, false},
                                                      {"embed-multilingual-v3.0", 1024, false},
                                                      {"embed-english-light-v3.0", 384, false},
                                                      {"embed-multilingual-light-v3.0", 384, false}}};
constexpr std::array<std::uint32_t, 4> kOutputDimensions = {256, 512, 1024, 1536};

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

std::string build_body(const Config& config, const sdk::Texts& texts, sdk::EmbedKind kind) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    w.StartObject();
    w.Key("model");
    w.String(config.embedding_model.c_str(), static_cast<rapidjson::SizeType>(config.embedding_model.size()));
    w.Key("texts");
    w.StartArray();
    for (const std::string_view given : texts) {
        const std::string_view text = blank(given) ? kBlankText : cut_chars(given, kMaxInputChars);
        w.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
    }
    w.EndArray();
    w.Key("input_type");
    w.String(kind == sdk::EmbedKind::query ? "search_query" : "search_document");
    w.Key("embedding_types");
    w.StartArray();
    w.String("float");
    w.EndArray();
    if (config.send_output_dimension) {
        w.Key("output_dimension");
        w.Uint(config.dimension);
    }
    w.EndObject();
    return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace

const KnownEmbedder* known_embedder(std::string_view model) {
    for (const KnownEmbedder& e : kEmbedders) {
        if (e.name == model) return &e;
    }
    return nullptr;
}

bool valid_output_dimension(std::uint32_t dimension) {
    for (const std::uint32_t d : kOutputDimensions) {
        if (d == dimension) return true;
    }
    return false;
}

Cohere::Cohere(Config config) : config_(std::move(config)) {
    completer_info_.context_tokens = config_.context_tokens;
    completer_info_.model = config_.model;
    info_.dimension = config_.dimension;
    info_.max_batch = kMaxBatch;
    info_.max_input_chars = kMaxInputChars;
    info_.flags = 0U;  // unit length not promised by the API: the host normalises
    // A shortened vector is another vector space: stored under its own name, next to the full one.
    const bool full = config_.dimension == config_.full_dimension;
    info_.model = full ? config_.embedding_model : config_.embedding_model + "@" + std::to_string(config_.dimension);
}

pmx_status Cohere::embed(sdk::Call& call, const sdk::Texts& texts, sdk::EmbedKind kind, sdk::Span<float> out) {
    if (texts.empty()) return PMX_OK;
    if (texts.size() > kMaxBatch) {
        return call.error(PMX_INVALID_INPUT, "cohere: at most " + std::to_string(kMaxBatch) +
                                                 " texts per embed call, not " + std::to_string(texts.size()));
    }
    const std::string& model = config_.embedding_model;
    const std::string what = "embed (" + model + ")";
    const sdk::Response response = post(call, config_, "/embed", build_body(config_, texts, kind));
    if (!response.ok()) return fail(call, response, config_, ModelRef{model, "embedding_model"});
    rapidjson::Document answer;
    if (!parse_answer(call, response, what, answer)) return PMX_BAD_RESPONSE;

    const auto embeddings = answer.FindMember("embeddings");
    const auto floats = embeddings != answer.MemberEnd() && embeddings->value.IsObject()
                            ? embeddings->value.FindMember("float")
                            : answer.MemberEnd();
    if (embeddings == answer.MemberEnd() || !embeddings->value.IsObject() ||
        floats == embeddings->value.MemberEnd() || !floats->value.IsArray()) {
        return call.error(PMX_BAD_RESPONSE, "cohere: " + what + ": the answer has no embeddings.float");
    }
    if (floats->value.Size() != texts.size()) {
        return call.error(PMX_BAD_RESPONSE, "cohere: " + what + ": the answer holds " +
                                                std::to_string(floats->value.Size()) + " vectors for " +
                                                std::to_string(texts.size()) + " texts");
    }
    const std::size_t dim = config_.dimension;
    std::size_t row = 0;
    for (const rapidjson::Value& vector : floats->value.GetArray()) {
        if (!vector.IsArray()) {
            return call.error(PMX_BAD_RESPONSE, "cohere: " + what + ": vector " + std::to_string(row) + " is not an array");
        }
        if (vector.Size() != dim) {
            // A settings matter, not a transient fault: the host must not retry it.
            return call.error(PMX_INVALID_INPUT, "cohere: " + model + " answered vectors of " +
                                                     std::to_string(vector.Size()) + " dimensions, but this provider " +
                                                     "declares " + std::to_string(dim) +
                                                     ": set the setting `dimensions` to " +
                                                     std::to_string(vector.Size()));
        }
        std::size_t j = 0;
        for (const rapidjson::Value& x : vector.GetArray()) {
            if (!x.IsNumber()) {
                return call.error(PMX_BAD_RESPONSE, "cohere: " + what + ": vector " + std::to_string(row) +
                                                        " holds a non-number");
            }
            out[row * dim + j++] = static_cast<float>(x.GetDouble());
        }
        ++row;
    }
    if (const auto meta = answer.FindMember("meta"); meta != answer.MemberEnd() && meta->value.IsObject()) {
        if (const auto billed = meta->value.FindMember("billed_units"); billed != meta->value.MemberEnd()) {
            call.usage(uint_of(billed->value, "input_tokens"), 0);
        }
    }
    return PMX_OK;
}

}  // namespace pmx::cohere
