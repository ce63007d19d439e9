// The sentence encoders of the local-st plugin: a model turns UTF-8 texts into L2-normalised
// vectors, offline, on the CPU.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace pmx::localst {

class Encoder {
public:
    virtual ~Encoder() = default;
    virtual uint32_t dim() const = 0;
    // Stored with the vectors, e.g. "use-lite" or "st:all-MiniLM-L6-v2".
    virtual const std::string& model_id() const = 0;
    // Texts longer than the model's token cap are truncated (never an error).
    // `query` is true for search queries (models with query/document prefixes use it).
    // Writes texts.size() × dim() floats, row-major, each row L2-normalised.
    virtual void encode(const std::vector<std::string_view>& texts, bool query, float* out) = 0;
};

// Universal Sentence Encoder lite from the folder of the npm package's dist/ (model.json,
// weight shards, vocab.json). Throws std::runtime_error with a clear message when the folder
// is missing or its files do not match what the loader expects.
std::unique_ptr<Encoder> load_use_lite(const std::filesystem::path& dir);

// A sentence-transformers BERT-family model from a local folder (config.json, vocab.txt,
// model.safetensors): WordPiece, encoder, mean pooling, L2 normalisation. Throws
// std::runtime_error with a clear message when the folder is unusable.
std::unique_ptr<Encoder> load_bert(const std::filesystem::path& dir);

}  // namespace pmx::localst
