// openai: the instance's settings, the request every call sends, and the map from the API's error bodies to statuses.
#pragma once

#include <pmx/plugin.hpp>

#include <rapidjson/document.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace pmx::openai {

namespace sdk = pmx::sdk;

inline constexpr const char* kPluginVersion = "1.0.0";

// What base_url points at. The OpenAI API itself needs a key, answers base64 embeddings and
// knows its own models; compatible servers (Ollama, LM Studio, llama.cpp, vLLM, OpenRouter)
// may need no key and support only part of the API, which the plugin finds out as it goes.
enum class ServerKind { openai, compatible };

// How a JSON answer is asked for. `automatic` starts at the strongest form the request allows
// (json_schema with a schema, json_object without) and steps down when the server refuses it.
enum class JsonMode { automatic, json_schema, json_object, prompt };

struct Config {
    std::string base_url;         // e.g. "https://api.openai.com/v1", no trailing '/'
    std::string api_key;          // empty: no Authorization header (local servers)
    std::string organization;     // OpenAI-Organization header; empty: none
    ServerKind server = ServerKind::openai;
    std::string model;            // chat model
    std::string embedding_model;
    std::uint32_t dimensions = 0;  // asked of text-embedding-3-* (0: the model's full size)
    std::uint32_t dimension = 0;   // the size an unknown embedding model gives (0: not set)
    std::uint32_t batch_size = 0;  // texts per embed() call (the host's batch)
    std::uint64_t context_tokens = 0;
    JsonMode json_mode = JsonMode::automatic;
};

// Which setting names the model a request used, for error messages.
enum class ModelRole { chat, embedding };

// o1*, o3*, o4* and gpt-5*: they take max_completion_tokens (max_tokens is refused) and no
// temperature but the default 1.
bool is_reasoning_model(std::string_view model);

// POSTs `body` (JSON) to base_url + `path` with the key as a Bearer header (never in the URL).
// Completions and embeddings change nothing on the server, so the host may send them again by
// itself after a 429, a 5xx or a lost connection (PMX_HTTP_RETRY_SAFE). Throws sdk::Error on a
// transport failure (the host's message stays on the call); returns any HTTP answer.
sdk::Response post(const sdk::Call& call, const Config& config, std::string_view path, const std::string& body);

// The error object of a non-2xx body: {"error":{"message","type","code","param"}} (OpenAI,
// Ollama, vLLM), {"error":"text"} (LM Studio), {"message": ...} or plain text.
struct ApiError {
    std::string message;
    std::string type;
    std::string code;
    std::string param;
};
ApiError read_error(std::string_view body);

// Fails the call for a non-2xx answer with the status its class maps to and the provider's own
// words (the key, should a server echo it, masked): 401/403 AUTH, 404 of a model INVALID_INPUT
// naming the `model` or `embedding_model` setting, other 404s NOT_FOUND (base_url), 400/422
// INVALID_INPUT, 429 RATE_LIMITED with the wait (retry-after-ms, else retry-after), 408
// TIMEOUT, 5xx UNAVAILABLE. Returns the status.
pmx_status fail(const sdk::Call& call, const sdk::Response& response, const Config& config, ModelRole role,
                std::string_view model);

// Fails the call with BAD_RESPONSE for a 2xx answer that is not what the API sends.
pmx_status bad_response(const sdk::Call& call, const sdk::Response& response, std::string_view what);

// Whether a 400/422/500 answer says the server does not take `feature` (a request field such
// as "response_format" or "encoding_format"): the field named in the error's param or message.
bool refuses(const sdk::Response& response, std::string_view feature);

// `text` with every occurrence of `secret` replaced by "***" (servers may echo what they got).
std::string mask(std::string text, std::string_view secret);

// Reads a member as a string / unsigned integer; nullopt-like defaults when absent.
std::string_view string_of(const rapidjson::Value& object, const char* name);
std::uint64_t uint_of(const rapidjson::Value& object, const char* name);

// Token usage of an answer's "usage" object (prompt_tokens, completion_tokens), reported to
// the host for accounting.
void report_usage(const sdk::Call& call, const rapidjson::Value& answer);

}  // namespace pmx::openai
