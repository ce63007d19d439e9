// openai: the embedder, POST {base_url}/embeddings.
//
// Facts (checked with the search tool; see also tests/support/fake_llm_openai.cpp):
// - input is an array of at most 2,048 non-empty strings, each at most 8,192 tokens, and at
//   most 300,000 tokens summed over one request (the API reference, quoted in
//   spiceai/spiceai#6144 and langchain-ai/langchain#33668).
// - dimensions is accepted by text-embedding-3-* only; the shortened vectors come back with
//   unit length, as the full ones do (OpenAI's embeddings guide, as the fake models it).
// - encoding_format "base64" is little-endian float32 packed and base64-encoded (openai-node
//   decodes it so); it makes the answer about a third of the size of the decimal floats.
// - Ollama's /v1/embeddings answers floats even when asked for base64 (ollama/ollama#6934);
//   llama.cpp's server added base64 later (ggml-org/llama.cpp#10887). So a compatible server
//   is asked for base64 once, and the plugin keeps to floats if it answers floats or refuses.
// - data[i].index says which input a vector belongs to; the order of data is not promised.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <vector>

#include "openai_instance.hpp"

namespace pmx::openai {

namespace {

constexpr std::size_t kMaxInputsPerRequest = 2048;
constexpr std::size_t kMaxTokensPerRequest = 300'000;
// A BPE token covers at least one byte, so 8,000 bytes are at most 8,000 tokens: under the
// 8,192-token input limit whatever the script. Track texts are a few hundred bytes.
constexpr std::uint32_t kMaxInputBytes = 8000;
// Tokens estimated from bytes: English runs about 4 bytes per token, most other scripts fewer;
// 3 overestimates, which only makes a request of long texts smaller than it could be.
constexpr std::size_t kBytesPerTokenEstimate = 3;
// The API refuses an empty input, and an empty text means nothing: it is embedded as this.
constexpr std::string_view kEmptyStandIn = "(no text)";

struct KnownModel {
    std::string_view name;
    std::uint32_t dimension;
    bool shortenable;  // takes `dimensions`
};
// OpenAI's embedding models (api reference and embeddings guide).
constexpr std::array<KnownModel, 3> kOpenAiModels = {{
    {"text-embedding-3-small", 1536, true},
    {"text-embedding-3-large", 3072, true},
    {"text-embedding-ada-002", 1536, false},
}};

const KnownModel* known_model(std::string_view name) {
    for (const KnownModel& m : kOpenAiModels) {
        if (m.name == name) return &m;
    }
    return nullptr;
}

// The first `limit` bytes of `text`, cut on a UTF-8 character boundary.
std::string_view clip(std::string_view text, std::size_t limit) {
    if (text.size() <= limit) return text;
    std::size_t end = limit;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0U) == 0x80U) --end;
    return text.substr(0, end);
}

std::string_view input_text(std::string_view text) {
    const std::string_view clipped = clip(text, kMaxInputBytes);
    return clipped.find_first_not_of(" \t\r\n") == std::string_view::npos ? kEmptyStandIn : clipped;
}

// Decodes standard base64 (with or without '=' padding) into bytes; false on any other byte.
// By hand: the plugin links only the SDK and RapidJSON, neither of which decodes base64.
bool decode_base64(std::string_view text, std::string& bytes) {
    const auto value = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '+') return 62;
        if (c == '/') return 63;
        return -1;
    };
    while (!text.empty() && text.back() == '=') text.remove_suffix(1);
    if (text.size() % 4 == 1) return false;
    bytes.clear();
    bytes.reserve(text.size() * 3 / 4);
    std::uint32_t bits = 0;
    int held = 0;
    for (const char c : text) {
        const int v = value(c);
        if (v < 0) return false;
        bits = (bits << 6) | static_cast<std::uint32_t>(v);
        held += 6;
        if (held >= 8) {
            held -= 8;
            bytes.push_back(static_cast<char>((bits >> held) & 0xFFU));
        }
    }
    return true;
}

// Little-endian float32 values (the API's base64 payload) into `row`; false when the size is wrong.
bool read_floats(const std::string& bytes, sdk::Span<float> row) {
    if (bytes.size() != row.size() * sizeof(float)) return false;
    for (std::size_t i = 0; i < row.size(); ++i) {
        const auto* p = reinterpret_cast<const unsigned char*>(bytes.data() + i * sizeof(float));
        const std::uint32_t bits = static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8U |
                                   static_cast<std::uint32_t>(p[2]) << 16U | static_cast<std::uint32_t>(p[3]) << 24U;
        std::memcpy(&row[i], &bits, sizeof bits);
    }
    return true;
}

std::string build_body(const Config& config, const sdk::Texts& texts, std::size_t first, std::size_t count,
                       bool base64) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    w.StartObject();
    w.Key("model");
    w.String(config.embedding_model.c_str(), static_cast<rapidjson::SizeType>(config.embedding_model.size()));
    w.Key("input");
    w.StartArray();
    for (std::size_t i = first; i < first + count; ++i) {
        const std::string_view text = input_text(texts[i]);
        w.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
    }
    w.EndArray();
    if (config.dimensions != 0) {
        w.Key("dimensions");
        w.Uint(config.dimensions);
    }
    w.Key("encoding_format");
    w.String(base64 ? "base64" : "float");
    w.EndObject();
    return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace

EmbeddingShape embedding_shape(const Config& config) {
    const KnownModel* known = known_model(config.embedding_model);
    const bool openai = config.server == ServerKind::openai;
    EmbeddingShape shape;
    if (config.dimensions != 0) {
        if (known == nullptr || !known->shortenable) {
            throw sdk::Error(PMX_INVALID_INPUT,
                             "openai: the setting `dimensions` is only for text-embedding-3-* models, not `" +
                                 config.embedding_model + "`; for another model set `dimension` to its vector size");
        }
        if (config.dimensions > known->dimension) {
            throw sdk::Error(PMX_INVALID_INPUT, "openai: the setting `dimensions` must be between 1 and " +
                                                    std::to_string(known->dimension) + " for " + config.embedding_model);
        }
        shape.dimension = config.dimensions;
    } else if (config.dimension != 0) {
        if (known != nullptr && config.dimension != known->dimension) {
            throw sdk::Error(PMX_INVALID_INPUT, "openai: " + config.embedding_model + " gives " +
                                                    std::to_string(known->dimension) + " dimensions, not " +
                                                    std::to_string(config.dimension) +
                                                    " (the setting `dimension`); to shorten its vectors use `dimensions`");
        }
        shape.dimension = config.dimension;
    } else if (known != nullptr) {
        shape.dimension = known->dimension;
    } else {
        throw sdk::Error(PMX_INVALID_INPUT,
                         "openai: the embedding model `" + config.embedding_model +
                             "` is not one plexmix knows: set the setting `dimension` to the size of its vectors "
                             "(e.g. 768 for nomic-embed-text)");
    }
    // OpenAI's vectors have unit length, shortened ones too; a compatible server's may not
    // (the host normalises those).
    shape.normalized = openai && known != nullptr;
    return shape;
}

OpenAiInstance::OpenAiInstance(Config config) : config_(std::move(config)) {
    completer_info_.context_tokens = config_.context_tokens;
    completer_info_.model = config_.model;
    const EmbeddingShape shape = embedding_shape(config_);
    info_.dimension = shape.dimension;
    info_.max_batch = config_.batch_size;
    info_.max_input_chars = kMaxInputBytes;
    info_.flags = shape.normalized ? PMX_EMBEDDER_NORMALIZED : 0U;
    // Vectors of a shortened model are another space than the full ones: another name.
    info_.model = config_.embedding_model;
    if (config_.dimensions != 0) info_.model += "@" + std::to_string(config_.dimensions);
    if (config_.server == ServerKind::openai) encoding_.store(Encoding::base64);
}

pmx_status OpenAiInstance::embed(sdk::Call& call, const sdk::Texts& texts, sdk::EmbedKind /*kind*/,
                                 sdk::Span<float> out) {
    // The host's batch (max_batch) is split further only when its texts are long: one request
    // holds at most 2,048 inputs and an estimated 300,000 tokens.
    std::size_t first = 0;
    while (first < texts.size()) {
        std::size_t count = 0, tokens = 0;
        while (first + count < texts.size() && count < kMaxInputsPerRequest) {
            const std::size_t estimate = input_text(texts[first + count]).size() / kBytesPerTokenEstimate + 1;
            if (count > 0 && tokens + estimate > kMaxTokensPerRequest) break;
            tokens += estimate;
            ++count;
        }
        const std::size_t dim = info_.dimension;
        const pmx_status status = embed_chunk(call, texts, first, count, out.subspan(first * dim, count * dim));
        if (status != PMX_OK) return status;
        first += count;
    }
    return PMX_OK;
}

pmx_status OpenAiInstance::embed_chunk(const sdk::Call& call, const sdk::Texts& texts, std::size_t first,
                                       std::size_t count, sdk::Span<float> out) {
    for (;;) {
        const Encoding asked = encoding_.load() == Encoding::floats ? Encoding::floats : Encoding::base64;
        const std::string body = build_body(config_, texts, first, count, asked == Encoding::base64);
        const sdk::Response response = post(call, config_, "/embeddings", body);
        if (!response.ok()) {
            // A compatible server that does not know base64 says so by naming the field.
            if (asked == Encoding::base64 && config_.server == ServerKind::compatible &&
                encoding_.load() == Encoding::untried &&
                (refuses(response, "encoding_format") || refuses(response, "base64"))) {
                encoding_.store(Encoding::floats);
                continue;
            }
            return fail(call, response, config_, ModelRole::embedding, config_.embedding_model);
        }

        rapidjson::Document answer;
        answer.Parse(response.body().data(), response.body().size());
        if (answer.HasParseError() || !answer.IsObject()) {
            return bad_response(call, response, "answer is not an embedding list (not JSON)");
        }
        const auto data = answer.FindMember("data");
        if (data == answer.MemberEnd() || !data->value.IsArray()) {
            return bad_response(call, response, "answer has no data array");
        }
        if (data->value.Size() != count) {
            return bad_response(call, response, "answer holds " + std::to_string(data->value.Size()) +
                                                    " vectors for " + std::to_string(count) + " texts");
        }
        const std::size_t dim = info_.dimension;
        std::vector<bool> filled(count, false);
        std::string bytes;
        for (const auto& item : data->value.GetArray()) {
            const auto index = item.IsObject() ? item.FindMember("index") : item.MemberEnd();
            if (!item.IsObject() || index == item.MemberEnd() || !index->value.IsUint64() ||
                index->value.GetUint64() >= count || filled[index->value.GetUint64()]) {
                return bad_response(call, response, "answer has a vector without a valid, unique index");
            }
            const std::size_t row_index = index->value.GetUint64();
            const sdk::Span<float> row = out.subspan(row_index * dim, dim);
            const auto embedding = item.FindMember("embedding");
            if (embedding == item.MemberEnd()) return bad_response(call, response, "answer has a vector without embedding");
            std::size_t got = 0;
            if (embedding->value.IsString()) {
                if (!decode_base64({embedding->value.GetString(), embedding->value.GetStringLength()}, bytes)) {
                    return bad_response(call, response, "answer has an embedding that is not base64");
                }
                if (bytes.size() % sizeof(float) != 0) {
                    return bad_response(call, response, "answer has a base64 embedding of partial float32 values");
                }
                got = bytes.size() / sizeof(float);
                if (got == dim) read_floats(bytes, row);
            } else if (embedding->value.IsArray()) {
                got = embedding->value.Size();
                if (got == dim) {
                    for (std::size_t j = 0; j < dim; ++j) {
                        const auto& x = embedding->value[static_cast<rapidjson::SizeType>(j)];
                        if (!x.IsNumber()) return bad_response(call, response, "answer has a non-number in a vector");
                        row[j] = static_cast<float>(x.GetDouble());
                    }
                }
            } else {
                return bad_response(call, response, "answer has an embedding that is neither base64 nor numbers");
            }
            if (got != dim) {
                // A settings matter, not a transient fault: the host must not retry it.
                return call.error(PMX_INVALID_INPUT,
                                  "openai: " + config_.embedding_model + " answered vectors of " + std::to_string(got) +
                                      " dimensions, but this provider declares " + std::to_string(dim) +
                                      ": set the setting `dimension` to " + std::to_string(got));
            }
            filled[row_index] = true;
            // What the server answered tells whether it honours base64 (it may ignore it).
            if (asked == Encoding::base64 && encoding_.load() == Encoding::untried) {
                encoding_.store(embedding->value.IsString() ? Encoding::base64 : Encoding::floats);
            }
        }
        report_usage(call, answer);
        return PMX_OK;
    }
}

}  // namespace pmx::openai
