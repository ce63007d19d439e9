// The forward pass. Sequences of a batch are packed back to back rather than padded: the
// dense layers work row by row and attention runs per sequence over its own rows, which is
// what padding plus an attention mask computes, without the padded rows.
#include "bert/bert_model.hpp"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

#include "bert/json_file.hpp"
#include "bert/safetensors.hpp"

namespace pmx::localst::bert {
namespace {

// Rows (tokens) per batch: bounds the activations at tokens × intermediate_size floats
// (24 MiB for MiniLM-L6) while keeping the matrix products large enough for BLAS.
constexpr size_t kTokensPerBatch = 4096;
constexpr float kInvSqrt2 = 1.0f / std::numbers::sqrt2_v<float>;

uint32_t need_uint(const rapidjson::Document& doc, const char* key, const std::filesystem::path& file) {
    if (!doc.HasMember(key) || !doc[key].IsUint() || doc[key].GetUint() == 0)
        throw std::runtime_error(file.string() + ": missing or invalid \"" + key + "\" (a positive integer)");
    return doc[key].GetUint();
}

int to_int(size_t n) { return static_cast<int>(n); }

// C[m×n] = A[m×k] · W[n×k]ᵀ + bias, the layout of a torch Linear weight.
void linear(const float* a, size_t m, size_t k, const std::vector<float>& w, const std::vector<float>& bias,
            size_t n, float* c) {
    for (size_t i = 0; i < m; ++i) std::copy(bias.begin(), bias.end(), c + i * n);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, to_int(m), to_int(n), to_int(k), 1.0f, a, to_int(k),
                w.data(), to_int(k), 1.0f, c, to_int(n));
}

// x = LayerNorm(x + residual) over rows of width n.
void add_layer_norm(float* x, const float* residual, size_t rows, size_t n, const std::vector<float>& w,
                    const std::vector<float>& b, float eps) {
    for (size_t r = 0; r < rows; ++r) {
        float* row = x + r * n;
        double sum = 0;
        for (size_t i = 0; i < n; ++i) {
            if (residual != nullptr) row[i] += residual[r * n + i];
            sum += row[i];
        }
        const double mean = sum / static_cast<double>(n);
        double var = 0;
        for (size_t i = 0; i < n; ++i) var += (row[i] - mean) * (row[i] - mean);
        const double inv = 1.0 / std::sqrt(var / static_cast<double>(n) + eps);
        for (size_t i = 0; i < n; ++i) row[i] = static_cast<float>((row[i] - mean) * inv) * w[i] + b[i];
    }
}

void softmax_row(float* row, size_t n) {
    float max = row[0];
    for (size_t i = 1; i < n; ++i) max = std::max(max, row[i]);
    float sum = 0;
    for (size_t i = 0; i < n; ++i) {
        row[i] = std::exp(row[i] - max);
        sum += row[i];
    }
    const float inv = 1.0f / sum;
    for (size_t i = 0; i < n; ++i) row[i] *= inv;
}

}  // namespace

BertConfig read_bert_config(const std::filesystem::path& file) {
    const rapidjson::Document doc = read_json_object(file);
    const auto text = [&](const char* key) -> std::string {
        return doc.HasMember(key) && doc[key].IsString() ? doc[key].GetString() : "";
    };
    const std::string type = text("model_type");
    if (!type.empty() && type != "bert")
        throw std::runtime_error(file.string() + ": model_type \"" + type +
                                 "\" is not supported (only BERT-family encoders: model_type \"bert\")");
    const std::string act = text("hidden_act");
    if (act != "gelu")
        throw std::runtime_error(file.string() + ": hidden_act \"" + act +
                                 "\" is not supported (only \"gelu\", the erf form)");
    const std::string pos = text("position_embedding_type");
    if (!pos.empty() && pos != "absolute")
        throw std::runtime_error(file.string() + ": position_embedding_type \"" + pos +
                                 "\" is not supported (only \"absolute\")");
    BertConfig c;
    c.hidden_size = need_uint(doc, "hidden_size", file);
    c.num_layers = need_uint(doc, "num_hidden_layers", file);
    c.num_heads = need_uint(doc, "num_attention_heads", file);
    c.intermediate_size = need_uint(doc, "intermediate_size", file);
    c.max_position_embeddings = need_uint(doc, "max_position_embeddings", file);
    c.vocab_size = need_uint(doc, "vocab_size", file);
    c.type_vocab_size = doc.HasMember("type_vocab_size") ? need_uint(doc, "type_vocab_size", file) : 2;
    if (doc.HasMember("layer_norm_eps")) {
        if (!doc["layer_norm_eps"].IsNumber() || doc["layer_norm_eps"].GetDouble() <= 0)
            throw std::runtime_error(file.string() + ": invalid \"layer_norm_eps\"");
        c.layer_norm_eps = static_cast<float>(doc["layer_norm_eps"].GetDouble());
    }
    if (c.hidden_size % c.num_heads != 0)
        throw std::runtime_error(file.string() + ": hidden_size " + std::to_string(c.hidden_size) +
                                 " is not a multiple of num_attention_heads " + std::to_string(c.num_heads));
    return c;
}

BertModel::BertModel(const BertConfig& config, const std::filesystem::path& file) : config_(config) {
    const SafeTensors st(file);
    // sentence-transformers saves bare BertModel names; a BertFor… checkpoint prefixes "bert.".
    std::string prefix;
    if (!st.contains("embeddings.word_embeddings.weight")) {
        if (!st.contains("bert.embeddings.word_embeddings.weight"))
            throw std::runtime_error(file.string() +
                                     ": tensor embeddings.word_embeddings.weight is missing (not a BERT checkpoint?)");
        prefix = "bert.";
    }
    const uint64_t h = config.hidden_size, inter = config.intermediate_size;
    const auto get = [&](const std::string& name, std::vector<uint64_t> shape) {
        return st.get(prefix + name, shape);
    };
    // Checkpoints converted from TensorFlow may name LayerNorm parameters gamma/beta.
    const auto norm = [&](const std::string& base, std::vector<float>& w, std::vector<float>& b) {
        const bool old = !st.contains(prefix + base + ".weight") && st.contains(prefix + base + ".gamma");
        w = get(base + (old ? ".gamma" : ".weight"), {h});
        b = get(base + (old ? ".beta" : ".bias"), {h});
    };
    word_emb_ = get("embeddings.word_embeddings.weight", {config.vocab_size, h});
    pos_emb_ = get("embeddings.position_embeddings.weight", {config.max_position_embeddings, h});
    type_emb_ = get("embeddings.token_type_embeddings.weight", {config.type_vocab_size, h});
    norm("embeddings.LayerNorm", emb_ln_w_, emb_ln_b_);
    layers_.resize(config.num_layers);
    for (uint32_t i = 0; i < config.num_layers; ++i) {
        const std::string p = "encoder.layer." + std::to_string(i) + ".";
        Layer& l = layers_[i];
        for (const char* part : {"query", "key", "value"}) {
            const auto w = get(p + "attention.self." + part + ".weight", {h, h});
            const auto b = get(p + "attention.self." + part + ".bias", {h});
            l.qkv_w.insert(l.qkv_w.end(), w.begin(), w.end());
            l.qkv_b.insert(l.qkv_b.end(), b.begin(), b.end());
        }
        l.attn_out_w = get(p + "attention.output.dense.weight", {h, h});
        l.attn_out_b = get(p + "attention.output.dense.bias", {h});
        norm(p + "attention.output.LayerNorm", l.attn_ln_w, l.attn_ln_b);
        l.inter_w = get(p + "intermediate.dense.weight", {inter, h});
        l.inter_b = get(p + "intermediate.dense.bias", {inter});
        l.out_w = get(p + "output.dense.weight", {h, inter});
        l.out_b = get(p + "output.dense.bias", {h});
        norm(p + "output.LayerNorm", l.out_ln_w, l.out_ln_b);
    }
}

void BertModel::embed(const std::vector<std::vector<int32_t>>& seqs, Pooling pooling, float* out) {
    for (const auto& s : seqs) {
        if (s.empty() || s.size() > config_.max_position_embeddings)
            throw std::runtime_error("BERT: a sequence has " + std::to_string(s.size()) + " tokens (1 to " +
                                     std::to_string(config_.max_position_embeddings) + " allowed)");
        for (const int32_t id : s)
            if (id < 0 || static_cast<uint32_t>(id) >= config_.vocab_size)
                throw std::runtime_error("BERT: token id " + std::to_string(id) + " is outside the vocabulary");
    }
    size_t first = 0;
    while (first < seqs.size()) {
        size_t tokens = seqs[first].size();
        size_t last = first + 1;
        while (last < seqs.size() && tokens + seqs[last].size() <= kTokensPerBatch) tokens += seqs[last++].size();
        run_batch(seqs, first, last, tokens, pooling, out + first * config_.hidden_size);
        first = last;
    }
}

void BertModel::run_batch(const std::vector<std::vector<int32_t>>& seqs, size_t first, size_t last, size_t rows,
                          Pooling pooling, float* out) {
    const size_t h = config_.hidden_size, inter = config_.intermediate_size;
    const size_t heads = config_.num_heads, d = h / heads;
    const float scale = 1.0f / std::sqrt(static_cast<float>(d));
    x_.resize(rows * h);
    qkv_.resize(rows * 3 * h);
    ctx_.resize(rows * h);
    tmp_.resize(rows * h);
    inter_.resize(rows * inter);

    // Embeddings: word + position + token type 0, then LayerNorm.
    size_t r = 0;
    for (size_t s = first; s < last; ++s) {
        for (size_t t = 0; t < seqs[s].size(); ++t, ++r) {
            const float* w = word_emb_.data() + static_cast<size_t>(seqs[s][t]) * h;
            const float* p = pos_emb_.data() + t * h;
            for (size_t i = 0; i < h; ++i) x_[r * h + i] = w[i] + p[i] + type_emb_[i];
        }
    }
    add_layer_norm(x_.data(), nullptr, rows, h, emb_ln_w_, emb_ln_b_, config_.layer_norm_eps);

    for (const Layer& l : layers_) {
        linear(x_.data(), rows, h, l.qkv_w, l.qkv_b, 3 * h, qkv_.data());
        size_t row0 = 0;
        for (size_t s = first; s < last; ++s) {
            const size_t n = seqs[s].size();
            scores_.resize(n * n);
            for (size_t hd = 0; hd < heads; ++hd) {
                const float* q = qkv_.data() + row0 * 3 * h + hd * d;
                const float* k = q + h;
                const float* v = q + 2 * h;
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, to_int(n), to_int(n), to_int(d), scale, q,
                            to_int(3 * h), k, to_int(3 * h), 0.0f, scores_.data(), to_int(n));
                for (size_t i = 0; i < n; ++i) softmax_row(scores_.data() + i * n, n);
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, to_int(n), to_int(d), to_int(n), 1.0f,
                            scores_.data(), to_int(n), v, to_int(3 * h), 0.0f, ctx_.data() + row0 * h + hd * d,
                            to_int(h));
            }
            row0 += n;
        }
        linear(ctx_.data(), rows, h, l.attn_out_w, l.attn_out_b, h, tmp_.data());
        add_layer_norm(tmp_.data(), x_.data(), rows, h, l.attn_ln_w, l.attn_ln_b, config_.layer_norm_eps);
        x_.swap(tmp_);  // x_ is now the attention block's output

        linear(x_.data(), rows, h, l.inter_w, l.inter_b, inter, inter_.data());
        for (float& f : inter_) f = 0.5f * f * (1.0f + std::erf(f * kInvSqrt2));
        linear(inter_.data(), rows, inter, l.out_w, l.out_b, h, tmp_.data());
        add_layer_norm(tmp_.data(), x_.data(), rows, h, l.out_ln_w, l.out_ln_b, config_.layer_norm_eps);
        x_.swap(tmp_);
    }

    // Pooling over each sequence's rows (every row is a real token), then L2 normalisation.
    size_t row0 = 0;
    for (size_t s = first; s < last; ++s) {
        const size_t n = seqs[s].size();
        float* o = out + (s - first) * h;
        std::fill(o, o + h, 0.0f);
        if (pooling == Pooling::kCls) {
            std::copy(x_.begin() + static_cast<std::ptrdiff_t>(row0 * h),
                      x_.begin() + static_cast<std::ptrdiff_t>((row0 + 1) * h), o);
        } else {
            for (size_t t = 0; t < n; ++t)
                for (size_t i = 0; i < h; ++i) o[i] += x_[(row0 + t) * h + i];
        }
        double norm = 0;
        for (size_t i = 0; i < h; ++i) norm += static_cast<double>(o[i]) * o[i];
        // Mean pooling's division by n cancels in the normalisation.
        const float inv = norm > 0 ? static_cast<float>(1.0 / std::sqrt(norm)) : 0.0f;
        for (size_t i = 0; i < h; ++i) o[i] *= inv;
        row0 += n;
    }
}

}  // namespace pmx::localst::bert
