// One configured Cohere provider: a completer (POST /chat) and an embedder (POST /embed).
#pragma once

#include <pmx/plugin.hpp>

#include <cstdint>
#include <string_view>
#include <utility>

#include "cohere_api.hpp"

namespace pmx::cohere {

// Texts per embed request: the API refuses more than 96.
inline constexpr std::uint32_t kMaxBatch = 96;

// The full vector size of an embedding model plexmix knows (0: unknown), and whether it takes
// output_dimension (embed-v4.0: 256, 512, 1024 or 1536).
struct KnownEmbedder {
    std::string_view name;
    std::uint32_t dimension;
    bool shortenable;
};
const KnownEmbedder* known_embedder(std::string_view model);
// Whether embed-v4's output_dimension takes `dimension`.
bool valid_output_dimension(std::uint32_t dimension);

// Calls share nothing but constant settings, so the host may run several at once.
class Cohere final : public sdk::Completer, public sdk::Embedder {
public:
    explicit Cohere(Config config);

    pmx_status complete(sdk::Call& call, const sdk::CompletionRequest& request, sdk::TextSink& out) override;

    const sdk::EmbedderInfo& info() const override { return info_; }
    const sdk::CompleterInfo& completer_info() const override { return completer_info_; }
    pmx_status embed(sdk::Call& call, const sdk::Texts& texts, sdk::EmbedKind kind, sdk::Span<float> out) override;

private:
    const Config config_;
    sdk::EmbedderInfo info_;
    sdk::CompleterInfo completer_info_;
};

}  // namespace pmx::cohere
