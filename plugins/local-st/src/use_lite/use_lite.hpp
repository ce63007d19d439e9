// Universal Sentence Encoder lite: the shape of the model and where its files are.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string_view>

namespace pmx::localst {

class Encoder;

inline constexpr std::string_view kUseLiteModelId = "use-lite";  // stored with the vectors
inline constexpr std::size_t kUseLiteDim = 512;                  // output and layer width
inline constexpr std::size_t kUseLiteEmbeddingDim = 256;         // token embeddings, layer 0 input
inline constexpr std::size_t kUseLiteFfnDim = 1536;
inline constexpr std::size_t kUseLiteVocabRows = 8002;           // rows of module/Embeddings_en

// True when `dir` holds model.json and vocab.json (the shards are checked when loading).
bool use_lite_files_present(const std::filesystem::path& dir);

// USE-lite computed the graph's own way, for the tests: each call's texts padded to the longest,
// padded keys masked, every op on every position. load_use_lite() (encoder.hpp) packs the tokens
// without padding and takes shortcuts; it must give the same vectors. Throws like load_use_lite().
std::unique_ptr<Encoder> load_use_lite_padded(const std::filesystem::path& dir);

}  // namespace pmx::localst
