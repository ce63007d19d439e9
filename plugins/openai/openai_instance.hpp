// openai: one provider instance, a completer (chat completions) and an embedder (embeddings).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "openai_api.hpp"

namespace pmx::openai {

// The facts about the embedding model create() settles before any call (no I/O).
struct EmbeddingShape {
    std::uint32_t dimension = 0;
    bool normalized = false;
};

// Settles the embedding model's vector size from the known models and the `dimensions` /
// `dimension` settings. Throws sdk::Error(PMX_INVALID_INPUT) naming the setting to fix.
EmbeddingShape embedding_shape(const Config& config);

// Calls on one instance may run at once (the host's `concurrency`): what the instance learns
// about its server (which JSON forms and which embedding encoding it takes) is kept in atomics.
class OpenAiInstance final : public sdk::Completer, public sdk::Embedder {
public:
    explicit OpenAiInstance(Config config);

    pmx_status complete(sdk::Call& call, const sdk::CompletionRequest& request, sdk::TextSink& out) override;
    const sdk::EmbedderInfo& info() const override { return info_; }
    const sdk::CompleterInfo& completer_info() const override { return completer_info_; }
    pmx_status embed(sdk::Call& call, const sdk::Texts& texts, sdk::EmbedKind kind, sdk::Span<float> out) override;

private:
    // What the embeddings endpoint answers for encoding_format "base64".
    enum class Encoding : int { untried, base64, floats };

    // One request of an embed() call: texts [first, first + count) into out's rows.
    pmx_status embed_chunk(const sdk::Call& call, const sdk::Texts& texts, std::size_t first, std::size_t count,
                           sdk::Span<float> out);

    const Config config_;
    sdk::EmbedderInfo info_;
    sdk::CompleterInfo completer_info_;
    // Learned once per instance, then every request is sent in the form the server takes.
    std::atomic<bool> json_schema_refused_{false};
    std::atomic<bool> json_object_refused_{false};
    std::atomic<Encoding> encoding_{Encoding::untried};
};

}  // namespace pmx::openai
