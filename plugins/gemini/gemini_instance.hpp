// One configured Gemini provider: a completer (generateContent) and an embedder (batchEmbedContents).
#pragma once

#include <pmx/plugin.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gemini_api.hpp"

namespace pmx::gemini {

// Texts per batchEmbedContents request: the API refuses more than 100.
inline constexpr std::uint32_t kMaxBatch = 100;
// The embedding models take 2,048 tokens; longer texts are cut to this many characters first
// (about four characters a token) so that a long text never fails a whole batch.
inline constexpr std::uint32_t kMaxInputChars = 8'000;

// Settings, validated by create(); fixed for the instance's lifetime.
struct Config {
    Connection connection;
    std::string model;                         // completer, e.g. "gemini-2.5-flash"
    std::string embedding_model;               // e.g. "gemini-embedding-001"
    std::uint32_t full_dimension = 0;          // the embedding model's full vector size
    std::uint32_t dimension = 0;               // what is asked for (outputDimensionality when below full)
    std::int64_t thinking_budget = 0;          // the setting; see thinking_budget_for()
    std::uint64_t context_tokens = 0;          // the setting, told to the host
};

// The thinkingBudget to send for `model`, or nullopt when the model does not think (Gemini 1.x,
// 2.0, non-Gemini models such as Gemma), following what the API accepts per family:
//  - 2.5 Flash: 0 (off) to 24,576; 2.5 Flash-Lite: 0 (off) or 512 to 24,576;
//  - Pro models: 128 to 32,768, thinking cannot be turned off (0 becomes 128);
//  - -1 everywhere: dynamic (the model decides). Gemini 3 models take it too.
// Values outside a family's range are brought to its nearest bound.
std::optional<std::int64_t> thinking_budget_for(std::string_view model, std::int64_t setting);

// The full vector size of a known embedding model; 0 when unknown.
std::uint32_t known_embedding_dimension(std::string_view model);

class Gemini final : public sdk::Completer, public sdk::Embedder {
public:
    explicit Gemini(Config config);

    pmx_status complete(sdk::Call& call, const sdk::CompletionRequest& request, sdk::TextSink& out) override;

    const sdk::EmbedderInfo& info() const override { return info_; }
    const sdk::CompleterInfo& completer_info() const override { return completer_info_; }
    pmx_status embed(sdk::Call& call, const sdk::Texts& texts, sdk::EmbedKind kind, sdk::Span<float> out) override;

private:
    const Config config_;
    sdk::EmbedderInfo info_;
    sdk::CompleterInfo completer_info_;
};

}  // namespace pmx::gemini
