// The BERT encoder of a Hugging Face BertModel checkpoint, run on the CPU with BLAS:
// embeddings, self-attention layers, then mean or [CLS] pooling and L2 normalisation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <vector>

namespace pmx::localst::bert {

// The fields of config.json the forward pass depends on.
struct BertConfig {
    uint32_t hidden_size = 0;
    uint32_t num_layers = 0;
    uint32_t num_heads = 0;
    uint32_t intermediate_size = 0;
    uint32_t max_position_embeddings = 0;
    uint32_t vocab_size = 0;
    uint32_t type_vocab_size = 0;
    float layer_norm_eps = 1e-12f;
};

// Reads config.json; throws std::runtime_error for a missing field, an architecture that is
// not BERT, or an activation or position embedding type other than the ones supported.
BertConfig read_bert_config(const std::filesystem::path& file);

enum class Pooling { kMean, kCls };

class BertModel {
public:
    // Loads the weights from model.safetensors (names with or without a "bert." prefix);
    // throws std::runtime_error naming the tensor when one is missing or mis-shaped.
    BertModel(const BertConfig& config, const std::filesystem::path& safetensors);

    const BertConfig& config() const { return config_; }

    // Encodes sequences of token ids (each at most max_position_embeddings long, none empty)
    // into seqs.size() × hidden_size floats, row-major, pooled and L2-normalised.
    void embed(const std::vector<std::vector<int32_t>>& seqs, Pooling pooling, float* out);

private:
    struct Layer {
        std::vector<float> qkv_w, qkv_b;  // query, key and value stacked: 3H × H, 3H
        std::vector<float> attn_out_w, attn_out_b, attn_ln_w, attn_ln_b;
        std::vector<float> inter_w, inter_b;  // I × H, I
        std::vector<float> out_w, out_b, out_ln_w, out_ln_b;
    };

    // One batch: seqs[first..last), `rows` tokens in all, packed back to back.
    void run_batch(const std::vector<std::vector<int32_t>>& seqs, size_t first, size_t last, size_t rows,
                   Pooling pooling, float* out);

    BertConfig config_;
    std::vector<float> word_emb_, pos_emb_, type_emb_, emb_ln_w_, emb_ln_b_;
    std::vector<Layer> layers_;
    // Scratch buffers, reused between calls (an encoder instance is not called concurrently).
    std::vector<float> x_, qkv_, ctx_, tmp_, inter_, scores_;
};

}  // namespace pmx::localst::bert
