// A fake LLM provider on 127.0.0.1: OpenAI (and OpenAI-compatible local servers), Gemini, Claude and Cohere, with their envelopes, errors and faults.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/fake_http_server.hpp"

namespace pmx::test {

// Which API the fake speaks. One FakeLlm speaks one API (start several for several providers).
enum class LlmApi {
    openai,      // POST /v1/chat/completions, POST /v1/embeddings
    compatible,  // the same paths, as Ollama / llama.cpp / LM Studio / vLLM answer them
    gemini,      // POST /v1beta/models/{model}:generateContent, :batchEmbedContents
    claude,      // POST /v1/messages
    cohere,      // POST /v2/chat, POST /v2/embed
};

// A model the fake serves. Completion models have an output cap; embedding models a dimension.
struct FakeLlmModel {
    std::string name{};
    std::size_t output_cap = 0;     // most output tokens a request may ask for; 0: not a chat model
    std::size_t embedding_dim = 0;  // full vector size; 0: not an embedding model
    bool shortenable = false;       // accepts dimensions / outputDimensionality / output_dimension
    bool reasoning = false;         // OpenAI o-series / gpt-5: max_completion_tokens only, temperature 1 only
    bool needs_input_type = false;  // Cohere embed v3+: input_type is required
};

// How an OpenAI-compatible local server treats response_format (LlmApi::compatible only).
enum class CompatJson {
    all,               // json_schema and json_object honoured (current Ollama, llama-server)
    json_object_only,  // json_schema refused with 500, like llama-server before its json_schema support
    json_schema_only,  // json_object refused with 400, like LM Studio
    text_only,         // both refused with 400 (LM Studio's wording, type 'text' only)
    ignored,           // accepted but not enforced: plain text comes back (Ollama Cloud)
};

// A fault: which requests it hits and what they get.
struct FakeLlmRule {
    enum class Kind {
        status,     // the API's own error body for `status`, with its retry hint when retry_after is set
        hang,       // no answer until the client goes away
        garbage,    // 200 with an HTML page
        truncated,  // 200 with the real envelope cut in half (unparseable JSON)
        fenced,     // 200; the answer text wrapped in ```json ... ``` fences
        cut,        // 200; the answer cut in half with the length stop reason
    };
    Kind kind = Kind::status;
    std::string path_contains{};      // e.g. "embed", "chat"; empty: every request
    int status = 429;               // for Kind::status: 400 401 403 404 429 500 503 529
    std::string retry_after{};      // seconds ("2"); sent the way the API sends its hint
    std::size_t skip = 0;           // matching requests let through before the rule may fire
    std::size_t times = SIZE_MAX;   // at most this many faults
    double probability = 1.0;       // each matching request past `skip` faults with this probability
    std::uint64_t seed = 1;         // of the rule's own random sequence (deterministic)
};

// A completion request as the fake read it, the same shape for every API.
struct FakeLlmCall {
    LlmApi api = LlmApi::openai;
    std::string model{};
    std::string system{};    // system / systemInstruction / preamble text
    std::string prompt{};  // the user turns' text, joined with "\n"
    bool json = false;     // JSON was asked for (response_format, responseMimeType, a forced tool)
    std::string schema{};  // the JSON Schema asked for, as JSON text; empty when none
    std::string tool{};    // Claude: the forced tool's name (the answer becomes its `input`)
    std::size_t max_tokens = 0;  // the output limit the request set (0: none)
};

// Decides the answer text (or JSON, or a tool's input JSON) for a call.
using FakeLlmScript = std::function<std::string(const FakeLlmCall&)>;

struct FakeLlmOptions {
    LlmApi api = LlmApi::openai;
    std::vector<std::string> keys = {"fake-llm-key-0123456789"};  // accepted keys (compatible: none needed)
    std::vector<FakeLlmModel> models{};  // empty: a default list per API (default_models())
    CompatJson compat_json = CompatJson::all;
    std::chrono::milliseconds latency{0};  // every answer waits this long (in the server thread)
};

// The fake. Every request is recorded by the underlying FakeHttpServer (method, path, query,
// headers including secrets, body): tests assert what a plugin sent through http().requests().
//
// Answers: the queue (push_answer) first, then the script (set_script), then a default: the
// smallest valid instance of the requested schema, {"echo": prompt} for bare JSON mode, and
// "echo: <prompt>" for text. An answer longer (in words) than the request's output limit is
// cut to the limit and ends with the API's length stop reason, as a real model's would.
// Token counts are words (whitespace-separated), so tests can predict them.
//
// Embeddings: a hashed bag of words, deterministic; texts sharing words have a higher cosine.
// The full-size vector has unit length; a shortened one (dimensions, outputDimensionality,
// output_dimension) is its prefix, renormalised by OpenAI and Cohere but not by Gemini.
//
// Thread-safe; handlers run on the server's connection threads.
class FakeLlm {
public:
    explicit FakeLlm(FakeLlmOptions options = {});
    ~FakeLlm();
    FakeLlm(const FakeLlm&) = delete;
    FakeLlm& operator=(const FakeLlm&) = delete;

    FakeHttpServer& http() { return http_; }
    const FakeHttpServer& http() const { return http_; }
    std::string url() const { return http_.url(); }  // the base URL a plugin is pointed at
    LlmApi api() const { return options_.api; }
    std::string key() const;  // the first accepted key (empty when none)

    // --- configuration (may be called while serving) ---
    void set_keys(std::vector<std::string> keys);
    void add_model(FakeLlmModel model);  // replaces a model of the same name
    void set_latency(std::chrono::milliseconds latency);
    void set_compat_json(CompatJson mode);

    // --- answers ---
    void push_answer(std::string text);  // answers the next completion (FIFO)
    void set_script(FakeLlmScript script);
    std::vector<FakeLlmCall> calls() const;  // every completion request that reached the model

    // --- faults ---
    std::size_t add_rule(FakeLlmRule rule);  // returns its index
    std::size_t rule_hits(std::size_t index) const;
    void clear_rules();

    // --- counters ---
    std::size_t completion_requests() const;  // answered 200 by a model
    std::size_t embedded_texts() const;       // texts embedded so far

    // The default model list of an API.
    static std::vector<FakeLlmModel> default_models(LlmApi api);
    // The fake's embedding of `text` at `full_dim`, cut to `dim` (0: full) and renormalised or not.
    static std::vector<float> embed(std::string_view text, std::size_t full_dim, std::size_t dim, bool renormalise);
    // The smallest instance of a JSON Schema (also Gemini's upper-case types), as JSON text.
    static std::string smallest_instance(std::string_view schema_json);

private:
    struct Rule {
        FakeLlmRule rule;
        std::size_t matched = 0, hits = 0;
        std::uint64_t state = 0;
    };

    FakeResponse handle(const FakeRequest& request);
    FakeResponse openai_chat(const FakeRequest& request, FakeLlmRule::Kind fault);
    FakeResponse openai_embeddings(const FakeRequest& request);
    FakeResponse gemini(const FakeRequest& request, FakeLlmRule::Kind fault);
    FakeResponse gemini_generate(const FakeRequest& request, const std::string& model, FakeLlmRule::Kind fault);
    FakeResponse gemini_embed(const FakeRequest& request, const std::string& model);
    FakeResponse claude_messages(const FakeRequest& request, FakeLlmRule::Kind fault);
    FakeResponse cohere_chat(const FakeRequest& request, FakeLlmRule::Kind fault);
    FakeResponse cohere_embed(const FakeRequest& request);

    // The API's error answer for an HTTP status (used by rules and by the handlers).
    FakeResponse error_for(int status, const std::string& retry_after) const;
    std::optional<FakeLlmRule> draw_fault(const FakeRequest& request);  // the rule that fires, if any
    std::optional<FakeLlmModel> find_model(std::string_view name) const;
    bool key_valid(std::string_view key) const;
    // Decides the answer for a call (queue, script, default) and records the call.
    std::string answer(const FakeLlmCall& call);
    void count_embedded(std::size_t texts);

    FakeLlmOptions options_;
    mutable std::mutex mutex_;
    std::deque<std::string> queue_;
    FakeLlmScript script_;
    std::vector<FakeLlmCall> calls_;
    std::vector<Rule> rules_;
    std::size_t completions_ = 0;
    std::size_t embedded_ = 0;
    std::uint64_t next_id_ = 1;

    FakeHttpServer http_;  // last: stopped before the state its handlers use goes away
};

}  // namespace pmx::test
