// toy-embedder: an example embedder for the plexmix plugin SDK. A deterministic hashed bag of
// words: each lowercased word adds 1 to one of `dimension` buckets, and the counts are
// L2-normalised, so texts that share words get similar vectors. No model, no network.
//
// Shows: an Embedder, an INT setting checked in the factory, the output buffer's shape.
#include <pmx/plugin.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace {

namespace sdk = pmx::sdk;

constexpr std::int64_t kDefaultDimension = 64;  // also the setting's declared default below
constexpr std::int64_t kMaxDimension = 4096;
constexpr std::uint32_t kMaxBatch = 32;

// 64-bit FNV-1a: stable across builds and platforms, unlike std::hash.
constexpr std::uint64_t kFnvOffsetBasis = 14695981039346656037ull;
constexpr std::uint64_t kFnvPrime = 1099511628211ull;

// Words are runs of ASCII letters and digits; bytes >= 0x80 (UTF-8 of other scripts) count as
// letters, so "café" stays one word.
constexpr bool is_word_byte(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c >= 0x80;
}

constexpr unsigned char ascii_lower(unsigned char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<unsigned char>(c - 'A' + 'a') : c;
}

class ToyEmbedder final : public sdk::Embedder {
public:
    explicit ToyEmbedder(std::uint32_t dimension) {
        info_.dimension = dimension;
        info_.max_batch = kMaxBatch;
        info_.flags = PMX_EMBEDDER_NORMALIZED;
        info_.model = "toy-hash-" + std::to_string(dimension);
    }

    // Immutable after construction: safe from any thread, as the ABI requires.
    const sdk::EmbedderInfo& info() const override { return info_; }

    // `out` holds texts.size() rows of `dimension` floats, row-major. Queries and documents
    // are embedded alike.
    pmx_status embed(sdk::Call& call, const sdk::Texts& texts, sdk::EmbedKind /*kind*/,
                     sdk::Span<float> out) override {
        std::uint64_t words = 0;
        for (std::size_t i = 0; i < texts.size(); ++i) {
            if (call.cancelled()) return call.error(PMX_CANCELLED, "cancelled");
            words += embed_one(texts[i], out.subspan(i * info_.dimension, info_.dimension));
        }
        call.usage(words, 0);  // the "tokens" of this model are words
        return PMX_OK;
    }

private:
    // Writes one unit vector into `row` and returns the number of words in `text`.
    static std::uint64_t embed_one(std::string_view text, sdk::Span<float> row) {
        std::fill(row.begin(), row.end(), 0.0f);
        std::uint64_t words = 0;
        std::uint64_t hash = kFnvOffsetBasis;
        bool in_word = false;
        const auto end_word = [&] {
            if (in_word) {
                row[hash % row.size()] += 1.0f;
                ++words;
            }
            hash = kFnvOffsetBasis;
            in_word = false;
        };
        for (const char c : text) {
            const auto byte = static_cast<unsigned char>(c);
            if (!is_word_byte(byte)) {
                end_word();
                continue;
            }
            hash = (hash ^ ascii_lower(byte)) * kFnvPrime;
            in_word = true;
        }
        end_word();
        if (words == 0) row[kFnvOffsetBasis % row.size()] = 1.0f;  // no words: the empty word

        double squares = 0.0;
        for (const float x : row) squares += double(x) * double(x);
        const double norm = std::sqrt(squares);  // > 0: at least one bucket is set
        for (float& x : row) x = static_cast<float>(x / norm);
        return words;
    }

    sdk::EmbedderInfo info_;
};

// The factory checks what the host cannot know: the range this model supports.
std::unique_ptr<sdk::Instance> create(const sdk::Settings& settings, sdk::Call& /*call*/) {
    const std::int64_t dimension = settings.get_int("dimension").value_or(kDefaultDimension);
    if (dimension < 1 || dimension > kMaxDimension) {
        throw sdk::Error(PMX_INVALID_INPUT,
                         "dimension must be between 1 and " + std::to_string(kMaxDimension));
    }
    return std::make_unique<ToyEmbedder>(static_cast<std::uint32_t>(dimension));
}

constexpr pmx_setting_spec kDimension =
    sdk::setting(PMX_SETTING_INT, "dimension", "64", "Floats per vector (1 to 4096)");
constexpr const pmx_setting_spec* kSettings[] = {&kDimension, nullptr};
constexpr const char* kInterfaces[] = {PMX_IFACE_EMBEDDER, nullptr};

constexpr sdk::Descriptor kToyEmbedder{
    "toy-embedder",                                       // id
    "Toy embedder",                                       // name
    "1.0.0",                                              // version
    "Hashed bag-of-words vectors, for tests (example)",   // description
    kInterfaces,                                          // interfaces
    &create,                                              // factory
    kSettings,                                            // settings
};

}  // namespace

PMX_PLUGIN(kToyEmbedder);
