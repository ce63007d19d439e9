// The one place every LLM call of the engine goes through: a JSON answer bound to a schema.
#pragma once

// A request is a system text, a user text and a JSON Schema. The completer is asked for one
// JSON value (PMX_COMPLETE_JSON, the schema passed along for providers that enforce it) through
// the provider's call core (deadline, retries, limits). The answer is never trusted: code
// fences are stripped, it must parse, and it must validate against the schema (RapidJSON's
// schema validator). An invalid answer is asked for once more, with the validation error and
// the invalid answer in the conversation; a second invalid answer is a clear failure
// (PMX_BAD_RESPONSE), never a silent fallback. Token usage is added up per provider and model.
//
// Every request is sized to the completer's context window (its info(), ABI 1.3: a local
// server's 4,096 tokens silently cut a longer prompt): the input (estimated) and the output
// limit together must fit it. The output limit is lowered to what is left when needed; an
// input that leaves less than kMinAnswerTokens is refused before anything is sent
// (PMX_INVALID_INPUT naming `context_tokens`). Callers that batch (tagging, selection) size
// their batches with input_budget() first.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <pmx/plugin.h>

namespace pmx {
class Provider;
}

namespace pmx::llm {

struct Usage {
    uint64_t input_tokens = 0;
    uint64_t output_tokens = 0;
    uint32_t requests = 0;  // completer calls (a repair is a second one)

    Usage& operator+=(const Usage& other);
};

// A JSON Schema, parsed once, used for many calls. Throws std::invalid_argument when the text
// is not a JSON object (a programming error: schemas are the engine's own).
class Schema {
public:
    explicit Schema(std::string_view json);
    ~Schema();
    Schema(const Schema&) = delete;
    Schema& operator=(const Schema&) = delete;

    const std::string& text() const { return text_; }
    // True when `json` is one JSON value valid against the schema; else false and *error says
    // where and why ("/tags/0: not one of the allowed values", "not JSON at offset 12: …").
    bool validate(std::string_view json, std::string* error) const;

private:
    struct Impl;
    std::string text_;
    std::unique_ptr<Impl> impl_;
};

// The fewest output tokens a request must leave room for.
inline constexpr uint32_t kMinAnswerTokens = 256;

// A completer's limits: what Provider::completer_info() reports (all zero/empty: unknown).
struct CompleterLimits {
    uint64_t context_tokens = 0;
    uint32_t max_output_tokens = 0;
    std::string model;
};

// Asks the provider (no I/O); unknown limits when the plugin predates ABI 1.3 or info() fails.
CompleterLimits limits_of(Provider& completer);

// The input tokens (as estimate_tokens() counts them, framing included) a request may hold so
// that it and an answer of `max_output_tokens` (0: kMinAnswerTokens) fit the context window;
// UINT64_MAX when the window is unknown.
uint64_t input_budget(const CompleterLimits& limits, uint32_t max_output_tokens);

struct StructuredRequest {
    std::string system;
    std::string user;
    const Schema* schema = nullptr;   // required: what the model is asked for
    // What the answer is validated against instead, when the model may answer more loosely
    // than it is asked (free strings mapped to a vocabulary afterwards); null: `schema`.
    const Schema* accept = nullptr;
    uint32_t max_output_tokens = 0;   // 0: the provider's default
    std::optional<float> temperature;
};

struct StructuredAnswer {
    pmx_status status = PMX_OK;
    std::string json;       // the valid answer, fences stripped (when ok())
    std::string error;      // why not, when !ok(): the provider's message or the validation error
    std::string model;      // the model that answered, as the completer names it (may be empty)
    int asks = 0;           // 1, or 2 when the first answer was invalid
    bool repaired = false;  // the second ask gave the valid answer
    Usage usage;

    bool ok() const { return status == PMX_OK; }
    // When !ok(), one line for the user: "BAD_RESPONSE: still invalid after one repair: …",
    // the error cut to `max_bytes`.
    std::string failure(size_t max_bytes) const;
};

// Usage per provider and model over a run. Not thread-safe: calls made in parallel add to it
// under the caller's lock.
class UsageLedger {
public:
    void add(const std::string& provider, const std::string& model, const Usage& usage);
    const std::map<std::pair<std::string, std::string>, Usage>& entries() const { return entries_; }
    Usage total() const;

private:
    std::map<std::pair<std::string, std::string>, Usage> entries_;
};

// The text between a leading ``` (or ```json) line and the closing ```, when the answer is
// wrapped in a Markdown code fence; else the text trimmed.
std::string strip_code_fences(std::string_view text);

// Asks `completer` for an answer valid against request.schema (see the top of this file).
// `model` names the model for the ledger (empty: the one the completer reports, else
// "default"). Never throws for what the provider or the model does; the answer says it.
StructuredAnswer structured_call(Provider& completer, const StructuredRequest& request, UsageLedger* ledger = nullptr,
                                 const std::string& model = {});

}  // namespace pmx::llm
