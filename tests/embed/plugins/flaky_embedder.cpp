// flaky-embedder: a test embedder whose model name, dimension, batch size and failures are
// settings. Vectors are a hashed bag of words like the SDK's toy-embedder, but NOT normalised
// (the host must normalise them) and 2 concurrent calls are allowed. With fail_after = N, the
// first N embed() calls of an instance succeed and every later one answers BAD_RESPONSE (not
// retried by the host), as a provider that breaks mid-way.
#include <pmx/plugin.hpp>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace {

namespace sdk = pmx::sdk;

constexpr std::uint64_t kFnvOffsetBasis = 14695981039346656037ull;
constexpr std::uint64_t kFnvPrime = 1099511628211ull;
constexpr float kScale = 3.0f;  // every component ×3: far from unit length

class FlakyEmbedder final : public sdk::Embedder {
public:
    FlakyEmbedder(std::string model, std::uint32_t dimension, std::uint32_t max_batch, std::int64_t fail_after)
        : fail_after_(fail_after) {
        info_.dimension = dimension;
        info_.max_batch = max_batch;
        info_.flags = 0;  // not normalised
        info_.model = std::move(model);
    }

    const sdk::EmbedderInfo& info() const override { return info_; }

    pmx_status embed(sdk::Call& call, const sdk::Texts& texts, sdk::EmbedKind /*kind*/,
                     sdk::Span<float> out) override {
        const std::int64_t n = calls_.fetch_add(1);
        if (fail_after_ > 0 && n >= fail_after_) return call.error(PMX_BAD_RESPONSE, "flaky-embedder broke (as asked)");
        for (std::size_t i = 0; i < texts.size(); ++i) {
            sdk::Span<float> row = out.subspan(i * info_.dimension, info_.dimension);
            std::fill(row.begin(), row.end(), 0.0f);
            std::uint64_t hash = kFnvOffsetBasis;
            bool in_word = false;
            const auto end_word = [&] {
                if (in_word) row[hash % row.size()] += kScale;
                hash = kFnvOffsetBasis;
                in_word = false;
            };
            for (const char c : std::string_view(texts[i])) {
                const auto byte = static_cast<unsigned char>(c);
                const bool word = (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') ||
                                  (byte >= '0' && byte <= '9') || byte >= 0x80;
                if (!word) {
                    end_word();
                    continue;
                }
                const unsigned char lower = byte >= 'A' && byte <= 'Z' ? static_cast<unsigned char>(byte + 32) : byte;
                hash = (hash ^ lower) * kFnvPrime;
                in_word = true;
            }
            end_word();
            row[0] += kScale;  // never all zero
        }
        return PMX_OK;
    }

private:
    sdk::EmbedderInfo info_;
    std::int64_t fail_after_;
    std::atomic<std::int64_t> calls_{0};
};

std::unique_ptr<sdk::Instance> create(const sdk::Settings& settings, sdk::Call& /*call*/) {
    const auto model = settings.get("model").value_or("flaky");
    const std::int64_t dimension = settings.get_int("dimension").value_or(16);
    const std::int64_t max_batch = settings.get_int("max_batch").value_or(16);
    const std::int64_t fail_after = settings.get_int("fail_after").value_or(0);
    if (dimension < 1 || dimension > 1024 || max_batch < 1) throw sdk::Error(PMX_INVALID_INPUT, "bad settings");
    return std::make_unique<FlakyEmbedder>(std::string(model), static_cast<std::uint32_t>(dimension),
                                           static_cast<std::uint32_t>(max_batch), fail_after);
}

constexpr pmx_setting_spec kModel = sdk::setting(PMX_SETTING_STRING, "model", "flaky", "Model name reported");
constexpr pmx_setting_spec kDimension = sdk::setting(PMX_SETTING_INT, "dimension", "16", "Floats per vector");
constexpr pmx_setting_spec kMaxBatch = sdk::setting(PMX_SETTING_INT, "max_batch", "16", "Texts per call");
constexpr pmx_setting_spec kFailAfter =
    sdk::setting(PMX_SETTING_INT, "fail_after", "0", "embed() calls that succeed before all fail (0: never fail)");
constexpr const pmx_setting_spec* kSettings[] = {&kModel, &kDimension, &kMaxBatch, &kFailAfter, nullptr};
constexpr const char* kInterfaces[] = {PMX_IFACE_EMBEDDER, nullptr};

constexpr sdk::Descriptor kFlaky{
    "flaky-embedder", "Flaky embedder", "1.0.0", "Test embedder with configurable failures",
    kInterfaces, &create, kSettings, 2,
};

}  // namespace

PMX_PLUGIN(kFlaky);
