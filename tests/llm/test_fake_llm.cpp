// The fake LLM providers themselves: they must answer as the real APIs do, or the plugin tests built on them prove nothing.
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include <boost/archive/iterators/binary_from_base64.hpp>
#include <boost/archive/iterators/transform_width.hpp>
#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include "net/cancel.hpp"
#include "net/http_client.hpp"
#include "support/fake_llm.hpp"

using namespace pmx;
using pmx::test::CompatJson;
using pmx::test::FakeLlm;
using pmx::test::FakeLlmCall;
using pmx::test::FakeLlmOptions;
using pmx::test::FakeLlmRule;
using pmx::test::LlmApi;

namespace {

constexpr std::chrono::milliseconds kTimeout{5000};

struct Reply {
    HttpResult result;
    int status = 0;
    HttpHeaders headers;
    std::string body;
    rapidjson::Document doc;
    std::chrono::microseconds elapsed{0};

    const std::string* header(std::string_view lower) const {
        for (const auto& [name, value] : headers) {
            if (name == lower) return &value;
        }
        return nullptr;
    }
    bool parsed() const { return !doc.HasParseError() && doc.IsObject(); }
    std::string str(const rapidjson::Value& v) const { return v.IsString() ? v.GetString() : std::string("<not a string>"); }
};

Reply post(const FakeLlm& llm, const std::string& target, const std::string& body, HttpHeaders headers,
           std::chrono::milliseconds timeout = kTimeout) {
    static HttpClient client("fake-llm-test");
    HttpRequest request;
    request.method = "POST";
    request.url = llm.url() + target;
    headers.emplace_back("Content-Type", "application/json");
    request.headers = std::move(headers);
    request.body = body;
    HttpTimeouts timeouts;
    timeouts.total = timeout;
    CancelToken cancel;
    HttpResponse response;
    Reply r;
    const auto start = std::chrono::steady_clock::now();
    r.result = client.perform(request, timeouts, cancel, response);
    r.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
    if (!r.result.ok()) return r;
    r.status = response.status;
    r.headers = response.headers;
    r.body = response.body;
    r.doc.Parse(r.body.c_str(), r.body.size());
    return r;
}

HttpHeaders bearer(const std::string& key) { return {{"Authorization", "Bearer " + key}}; }
HttpHeaders claude_headers(const std::string& key) { return {{"x-api-key", key}, {"anthropic-version", "2023-06-01"}}; }
HttpHeaders gemini_headers(const std::string& key) { return {{"x-goog-api-key", key}}; }

Reply openai_chat(const FakeLlm& llm, const std::string& body, const std::string& key) {
    return post(llm, "/v1/chat/completions", body, bearer(key));
}

// Decodes OpenAI's base64 embedding: little-endian float32 values.
std::vector<float> decode_base64_floats(const std::string& text) {
    using Decoder = boost::archive::iterators::transform_width<
        boost::archive::iterators::binary_from_base64<std::string::const_iterator>, 8, 6>;
    std::string trimmed = text;
    std::size_t pad = 0;
    while (!trimmed.empty() && trimmed.back() == '=') {
        trimmed.pop_back();
        ++pad;
    }
    std::string bytes(Decoder(trimmed.begin()), Decoder(trimmed.end()));
    std::vector<float> out(bytes.size() / 4);
    for (std::size_t i = 0; i < out.size(); ++i) {
        std::uint32_t bits = 0;
        for (int b = 0; b < 4; ++b) bits |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i * 4 + b])) << (8 * b);
        std::memcpy(&out[i], &bits, sizeof bits);
    }
    return out;
}

std::vector<float> floats(const rapidjson::Value& array) {
    std::vector<float> out;
    for (const auto& v : array.GetArray()) out.push_back(static_cast<float>(v.GetDouble()));
    return out;
}

double dot(const std::vector<float>& a, const std::vector<float>& b) {
    double s = 0;
    for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) s += static_cast<double>(a[i]) * b[i];
    return s;
}

double norm(const std::vector<float>& a) { return std::sqrt(dot(a, a)); }

const std::string kSchema =
    R"({"type":"object","properties":{"moods":{"type":"array","items":{"type":"string"},"minItems":1},)"
    R"("energy":{"type":"integer","minimum":1,"maximum":5},"note":{"type":"string"}},"required":["moods","energy"]})";

}  // namespace

// ------------------------------------------------------------------------------------- OpenAI

TEST_CASE("fake OpenAI: a chat completion has the real envelope, usage and the recorded request", "[llm][fake][openai]") {
    FakeLlm llm;
    llm.push_answer("three calm words");
    const Reply r = openai_chat(llm,
                                R"({"model":"gpt-4o-mini","messages":[{"role":"system","content":"be brief"},)"
                                R"({"role":"user","content":"rainy sunday jazz"}],"max_tokens":50})",
                                llm.key());
    REQUIRE(r.status == 200);
    REQUIRE(r.parsed());
    CHECK(r.str(r.doc["object"]) == "chat.completion");
    CHECK(r.str(r.doc["choices"][0]["message"]["role"]) == "assistant");
    CHECK(r.str(r.doc["choices"][0]["message"]["content"]) == "three calm words");
    CHECK(r.str(r.doc["choices"][0]["finish_reason"]) == "stop");
    CHECK(r.doc["usage"]["prompt_tokens"].GetInt() == 5);  // "be brief" + "rainy sunday jazz"
    CHECK(r.doc["usage"]["completion_tokens"].GetInt() == 3);
    CHECK(r.doc["usage"]["total_tokens"].GetInt() == 8);
    const auto requests = llm.http().requests();
    REQUIRE(requests.size() == 1);
    REQUIRE(requests[0].header("authorization") != nullptr);
    CHECK(*requests[0].header("authorization") == "Bearer " + llm.key());
    CHECK(requests[0].target.find(llm.key()) == std::string::npos);
    const auto calls = llm.calls();
    REQUIRE(calls.size() == 1);
    CHECK(calls[0].system == "be brief");
    CHECK(calls[0].prompt == "rainy sunday jazz");
    CHECK(calls[0].max_tokens == 50);
}

TEST_CASE("fake OpenAI: 401 without a key and with a wrong one (masked), 404 for an unknown model", "[llm][fake][openai]") {
    FakeLlm llm;
    const std::string body = R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]})";
    const Reply none = post(llm, "/v1/chat/completions", body, {});
    CHECK(none.status == 401);
    const std::string wrong_key = "sk-wrong-secret-key-9876";
    const Reply wrong = openai_chat(llm, body, wrong_key);
    REQUIRE(wrong.status == 401);
    REQUIRE(wrong.parsed());
    CHECK(wrong.str(wrong.doc["error"]["code"]) == "invalid_api_key");
    CHECK(wrong.str(wrong.doc["error"]["type"]) == "invalid_request_error");
    CHECK(wrong.body.find(wrong_key) == std::string::npos);  // masked, as the real message is
    CHECK(wrong.body.find("9876") != std::string::npos);
    const Reply missing = openai_chat(llm, R"({"model":"gpt-9","messages":[]})", llm.key());
    REQUIRE(missing.status == 404);
    CHECK(missing.str(missing.doc["error"]["code"]) == "model_not_found");
    CHECK(missing.str(missing.doc["error"]["message"]) == "The model `gpt-9` does not exist or you do not have access to it.");
}

TEST_CASE("fake OpenAI: reasoning models refuse max_tokens and a temperature other than 1", "[llm][fake][openai]") {
    FakeLlm llm;
    const Reply max_tokens =
        openai_chat(llm, R"({"model":"o3-mini","messages":[{"role":"user","content":"hi"}],"max_tokens":10})", llm.key());
    REQUIRE(max_tokens.status == 400);
    CHECK(max_tokens.str(max_tokens.doc["error"]["code"]) == "unsupported_parameter");
    CHECK(max_tokens.str(max_tokens.doc["error"]["param"]) == "max_tokens");
    CHECK(max_tokens.str(max_tokens.doc["error"]["message"]) ==
          "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.");
    const Reply temperature = openai_chat(
        llm, R"({"model":"gpt-5-mini","messages":[{"role":"user","content":"hi"}],"temperature":0})", llm.key());
    REQUIRE(temperature.status == 400);
    CHECK(temperature.str(temperature.doc["error"]["code"]) == "unsupported_value");
    CHECK(temperature.str(temperature.doc["error"]["param"]) == "temperature");
    const Reply ok = openai_chat(
        llm, R"({"model":"gpt-5-mini","messages":[{"role":"user","content":"hi"}],"max_completion_tokens":10,"temperature":1})",
        llm.key());
    CHECK(ok.status == 200);
    // An older family takes max_tokens and any temperature.
    CHECK(openai_chat(llm, R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"max_tokens":9,"temperature":0.2})",
                      llm.key())
              .status == 200);
}

TEST_CASE("fake OpenAI: unknown arguments and over-cap limits are refused with 400", "[llm][fake][openai]") {
    FakeLlm llm;
    const Reply unknown = openai_chat(
        llm, R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"thinking":{"budget":3}})", llm.key());
    REQUIRE(unknown.status == 400);
    CHECK(unknown.str(unknown.doc["error"]["message"]) == "Unrecognized request argument supplied: thinking");
    const Reply cap = openai_chat(
        llm, R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"max_tokens":100000})", llm.key());
    REQUIRE(cap.status == 400);
    CHECK(cap.str(cap.doc["error"]["param"]) == "max_tokens");
}

TEST_CASE("fake OpenAI: json_schema gets the smallest valid instance, a low limit cuts with finish_reason length",
          "[llm][fake][openai]") {
    FakeLlm llm;
    const Reply r = openai_chat(llm,
                                R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"tag it"}],)"
                                R"("response_format":{"type":"json_schema","json_schema":{"name":"tags","strict":true,"schema":)" +
                                    kSchema + "}}}",
                                llm.key());
    REQUIRE(r.status == 200);
    rapidjson::Document answer;
    answer.Parse(r.str(r.doc["choices"][0]["message"]["content"]).c_str());
    REQUIRE(answer.IsObject());
    CHECK(answer["moods"].IsArray());
    CHECK(answer["moods"].Size() == 1);
    CHECK(answer["energy"].GetInt() == 1);
    CHECK_FALSE(answer.HasMember("note"));
    CHECK(llm.calls().back().json);
    CHECK_FALSE(llm.calls().back().schema.empty());

    llm.push_answer("one two three four five six");
    const Reply cut = openai_chat(
        llm, R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"max_tokens":4})", llm.key());
    REQUIRE(cut.status == 200);
    CHECK(cut.str(cut.doc["choices"][0]["message"]["content"]) == "one two three four");
    CHECK(cut.str(cut.doc["choices"][0]["finish_reason"]) == "length");
    CHECK(cut.doc["usage"]["completion_tokens"].GetInt() == 4);
}

TEST_CASE("fake OpenAI: embeddings are deterministic, closer for shared words, and base64 decodes to the same floats",
          "[llm][fake][openai][embed]") {
    FakeLlm llm;
    const std::string body =
        R"({"model":"text-embedding-3-small","input":["rainy sunday jazz piano","sunday jazz piano trio","heavy metal thunder"]})";
    const Reply a = post(llm, "/v1/embeddings", body, bearer(llm.key()));
    const Reply b = post(llm, "/v1/embeddings", body, bearer(llm.key()));
    REQUIRE(a.status == 200);
    REQUIRE(a.doc["data"].Size() == 3);
    CHECK(a.body == b.body);
    CHECK(a.str(a.doc["object"]) == "list");
    CHECK(a.doc["data"][2]["index"].GetInt() == 2);
    CHECK(a.doc["usage"]["prompt_tokens"].GetInt() == 11);
    const auto v0 = floats(a.doc["data"][0]["embedding"]);
    const auto v1 = floats(a.doc["data"][1]["embedding"]);
    const auto v2 = floats(a.doc["data"][2]["embedding"]);
    REQUIRE(v0.size() == 1536);
    CHECK(norm(v0) == Approx(1.0).epsilon(1e-4));
    CHECK(dot(v0, v1) > dot(v0, v2) + 0.3);

    const Reply b64 = post(llm, "/v1/embeddings",
                           R"({"model":"text-embedding-3-small","input":"rainy sunday jazz piano","encoding_format":"base64"})",
                           bearer(llm.key()));
    REQUIRE(b64.status == 200);
    const std::vector<float> decoded = decode_base64_floats(b64.str(b64.doc["data"][0]["embedding"]));
    REQUIRE(decoded.size() == v0.size());
    for (std::size_t i = 0; i < decoded.size(); ++i) REQUIRE(decoded[i] == Approx(v0[i]).margin(1e-6));

    // dimensions: a renormalised prefix; refused by a model that cannot shorten.
    const Reply small = post(llm, "/v1/embeddings",
                             R"({"model":"text-embedding-3-small","input":"rainy sunday jazz piano","dimensions":256})",
                             bearer(llm.key()));
    REQUIRE(small.status == 200);
    const auto s = floats(small.doc["data"][0]["embedding"]);
    REQUIRE(s.size() == 256);
    CHECK(norm(s) == Approx(1.0).epsilon(1e-4));
    CHECK(post(llm, "/v1/embeddings", R"({"model":"text-embedding-ada-002","input":"x","dimensions":256})", bearer(llm.key()))
              .status == 400);
}

TEST_CASE("fake OpenAI: embedding inputs are limited (2048, no empty string, strings only)", "[llm][fake][openai][embed]") {
    FakeLlm llm;
    std::string many = R"({"model":"text-embedding-3-small","input":[)";
    for (int i = 0; i < 2049; ++i) many += std::string(i == 0 ? "" : ",") + "\"t\"";
    many += "]}";
    const Reply over = post(llm, "/v1/embeddings", many, bearer(llm.key()));
    REQUIRE(over.status == 400);
    CHECK(over.str(over.doc["error"]["type"]) == "invalid_request_error");
    CHECK(post(llm, "/v1/embeddings", R"({"model":"text-embedding-3-small","input":""})", bearer(llm.key())).status == 400);
    CHECK(post(llm, "/v1/embeddings", R"({"model":"text-embedding-3-small","input":"x","truncate":true})", bearer(llm.key()))
              .status == 400);
    CHECK(llm.embedded_texts() == 0);
}

TEST_CASE("fake OpenAI: 429 carries retry-after and retry-after-ms, 500 and 503 have server_error bodies",
          "[llm][fake][openai][faults]") {
    FakeLlm llm;
    llm.add_rule(FakeLlmRule{.status = 429, .retry_after = "2", .times = 1});
    const std::string body = R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]})";
    const Reply limited = openai_chat(llm, body, llm.key());
    REQUIRE(limited.status == 429);
    REQUIRE(limited.header("retry-after") != nullptr);
    CHECK(*limited.header("retry-after") == "2");
    REQUIRE(limited.header("retry-after-ms") != nullptr);
    CHECK(*limited.header("retry-after-ms") == "2000");
    CHECK(limited.str(limited.doc["error"]["code"]) == "rate_limit_exceeded");
    CHECK(openai_chat(llm, body, llm.key()).status == 200);  // times = 1
    // An HTTP-date hint goes out as retry-after only: retry-after-ms holds milliseconds.
    const std::string date = "Wed, 21 Oct 2026 07:28:00 GMT";
    llm.add_rule(FakeLlmRule{.status = 429, .retry_after = date, .times = 1});
    const Reply dated = openai_chat(llm, body, llm.key());
    REQUIRE(dated.status == 429);
    REQUIRE(dated.header("retry-after") != nullptr);
    CHECK(*dated.header("retry-after") == date);
    CHECK(dated.header("retry-after-ms") == nullptr);
    for (const int status : {500, 503}) {
        llm.clear_rules();
        llm.add_rule(FakeLlmRule{.status = status});
        const Reply r = openai_chat(llm, body, llm.key());
        CHECK(r.status == status);
        CHECK(r.str(r.doc["error"]["type"]) == "server_error");
    }
}

// ------------------------------------------------------------------------ compatible servers

TEST_CASE("fake compatible server: no key needed, unknown fields ignored, an unknown model answered as Ollama does",
          "[llm][fake][compatible]") {
    FakeLlm llm(FakeLlmOptions{.api = LlmApi::compatible});
    const Reply ok = post(llm, "/v1/chat/completions",
                          R"({"model":"llama3.2","messages":[{"role":"user","content":"hi"}],"keep_alive":"5m"})", {});
    CHECK(ok.status == 200);
    const Reply missing = post(llm, "/v1/chat/completions", R"({"model":"mistral","messages":[]})", {});
    REQUIRE(missing.status == 404);
    CHECK(missing.str(missing.doc["error"]["message"]) == "model \"mistral\" not found, try pulling it first");
    CHECK(post(llm, "/v1/embeddings", R"({"model":"nomic-embed-text","input":["a b"]})", {}).status == 200);
}

TEST_CASE("fake compatible server: the response_format switch refuses what such servers refuse", "[llm][fake][compatible]") {
    FakeLlm llm(FakeLlmOptions{.api = LlmApi::compatible});
    const std::string schema_body = R"({"model":"llama3.2","messages":[{"role":"user","content":"hi"}],)"
                                    R"("response_format":{"type":"json_schema","json_schema":{"name":"t","schema":)" +
                                    kSchema + "}}}";
    const std::string object_body =
        R"({"model":"llama3.2","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_object"}})";

    llm.set_compat_json(CompatJson::json_object_only);  // older llama-server
    const Reply refused = post(llm, "/v1/chat/completions", schema_body, {});
    REQUIRE(refused.status == 500);
    CHECK(refused.str(refused.doc["error"]["type"]) == "server_error");
    CHECK(refused.str(refused.doc["error"]["message"]).find("but got: json_schema") != std::string::npos);
    CHECK(post(llm, "/v1/chat/completions", object_body, {}).status == 200);

    llm.set_compat_json(CompatJson::json_schema_only);  // LM Studio
    const Reply lm = post(llm, "/v1/chat/completions", object_body, {});
    REQUIRE(lm.status == 400);
    CHECK(lm.str(lm.doc["error"]) == "'response_format.type' must be 'json_schema' or 'text'");
    CHECK(post(llm, "/v1/chat/completions", schema_body, {}).status == 200);

    llm.set_compat_json(CompatJson::text_only);
    CHECK(post(llm, "/v1/chat/completions", object_body, {}).status == 400);
    CHECK(post(llm, "/v1/chat/completions", schema_body, {}).status == 400);

    llm.set_compat_json(CompatJson::ignored);  // accepted, not enforced
    const Reply ignored = post(llm, "/v1/chat/completions", schema_body, {});
    REQUIRE(ignored.status == 200);
    CHECK(ignored.str(ignored.doc["choices"][0]["message"]["content"]) == "echo: hi");
}

// ------------------------------------------------------------------------------------- Gemini

TEST_CASE("fake Gemini: generateContent has candidates, finishReason and usageMetadata with thoughts", "[llm][fake][gemini]") {
    FakeLlm llm(FakeLlmOptions{.api = LlmApi::gemini});
    llm.push_answer("soft brushed drums");
    const Reply r = post(llm, "/v1beta/models/gemini-2.5-flash:generateContent",
                         R"({"systemInstruction":{"parts":[{"text":"be brief"}]},)"
                         R"("contents":[{"role":"user","parts":[{"text":"rainy sunday jazz"}]}],)"
                         R"("generationConfig":{"maxOutputTokens":100}})",
                         gemini_headers(llm.key()));
    REQUIRE(r.status == 200);
    REQUIRE(r.parsed());
    CHECK(r.str(r.doc["candidates"][0]["content"]["parts"][0]["text"]) == "soft brushed drums");
    CHECK(r.str(r.doc["candidates"][0]["content"]["role"]) == "model");
    CHECK(r.str(r.doc["candidates"][0]["finishReason"]) == "STOP");
    const auto& usage = r.doc["usageMetadata"];
    CHECK(usage["promptTokenCount"].GetInt() == 5);
    CHECK(usage["candidatesTokenCount"].GetInt() == 3);
    REQUIRE(usage.HasMember("thoughtsTokenCount"));
    CHECK(usage["totalTokenCount"].GetInt() ==
          usage["promptTokenCount"].GetInt() + usage["candidatesTokenCount"].GetInt() + usage["thoughtsTokenCount"].GetInt());

    // thinkingBudget 0: no thoughts; JSON mode with a responseSchema (upper-case types); a cut.
    const Reply json = post(llm, "/v1beta/models/gemini-2.5-flash:generateContent",
                            R"({"contents":[{"parts":[{"text":"tag"}]}],"generationConfig":{"responseMimeType":)"
                            R"("application/json","responseSchema":{"type":"OBJECT","properties":{"mood":{"type":"STRING"}},)"
                            R"("required":["mood"]},"thinkingConfig":{"thinkingBudget":0}}})",
                            gemini_headers(llm.key()));
    REQUIRE(json.status == 200);
    CHECK_FALSE(json.doc["usageMetadata"].HasMember("thoughtsTokenCount"));
    CHECK(json.str(json.doc["candidates"][0]["content"]["parts"][0]["text"]) == R"({"mood":""})");
    llm.push_answer("a b c d e f");
    const Reply cut = post(llm, "/v1beta/models/gemini-2.5-flash:generateContent",
                           R"({"contents":[{"parts":[{"text":"x"}]}],"generationConfig":{"maxOutputTokens":2}})",
                           gemini_headers(llm.key()));
    REQUIRE(cut.status == 200);
    CHECK(cut.str(cut.doc["candidates"][0]["finishReason"]) == "MAX_TOKENS");
    CHECK(cut.str(cut.doc["candidates"][0]["content"]["parts"][0]["text"]) == "a b");
}

TEST_CASE("fake Gemini: a bad key is 400 API_KEY_INVALID, none is 403, a key in the URL is visible to tests",
          "[llm][fake][gemini]") {
    FakeLlm llm(FakeLlmOptions{.api = LlmApi::gemini});
    const std::string body = R"({"contents":[{"parts":[{"text":"hi"}]}]})";
    const std::string target = "/v1beta/models/gemini-2.5-flash:generateContent";
    const Reply bad = post(llm, target, body, gemini_headers("AIza-wrong"));
    REQUIRE(bad.status == 400);
    CHECK(bad.str(bad.doc["error"]["status"]) == "INVALID_ARGUMENT");
    CHECK(bad.str(bad.doc["error"]["message"]) == "API key not valid. Please pass a valid API key.");
    CHECK(bad.str(bad.doc["error"]["details"][0]["reason"]) == "API_KEY_INVALID");
    const Reply none = post(llm, target, body, {});
    REQUIRE(none.status == 403);
    CHECK(none.str(none.doc["error"]["status"]) == "PERMISSION_DENIED");
    // The API also takes ?key=: it works, and the recorded target shows the leak.
    CHECK(post(llm, target + "?key=" + llm.key(), body, {}).status == 200);
    const auto requests = llm.http().requests();
    CHECK(requests.back().target.find(llm.key()) != std::string::npos);
    CHECK(requests.front().target.find("key=") == std::string::npos);
}

TEST_CASE("fake Gemini: unknown fields, unknown models and 100+ batches are refused as the API does", "[llm][fake][gemini]") {
    FakeLlm llm(FakeLlmOptions{.api = LlmApi::gemini});
    const Reply top = post(llm, "/v1beta/models/gemini-2.5-flash:generateContent",
                           R"({"contents":[{"parts":[{"text":"hi"}]}],"temperature":0.2})", gemini_headers(llm.key()));
    REQUIRE(top.status == 400);
    CHECK(top.str(top.doc["error"]["message"]) == "Invalid JSON payload received. Unknown name \"temperature\": Cannot find field.");
    CHECK(top.str(top.doc["error"]["details"][0]["@type"]) == "type.googleapis.com/google.rpc.BadRequest");
    const Reply nested = post(llm, "/v1beta/models/gemini-2.5-flash:generateContent",
                              R"({"contents":[{"parts":[{"text":"hi"}]}],"generationConfig":{"max_tokens":5}})",
                              gemini_headers(llm.key()));
    REQUIRE(nested.status == 400);
    CHECK(nested.str(nested.doc["error"]["message"]) ==
          "Invalid JSON payload received. Unknown name \"max_tokens\" at 'generation_config': Cannot find field.");
    const Reply model = post(llm, "/v1beta/models/gemini-pro:generateContent", R"({"contents":[{"parts":[{"text":"hi"}]}]})",
                             gemini_headers(llm.key()));
    REQUIRE(model.status == 404);
    CHECK(model.str(model.doc["error"]["status"]) == "NOT_FOUND");
    CHECK(model.str(model.doc["error"]["message"]).rfind("models/gemini-pro is not found for API version v1beta", 0) == 0);

    std::string batch = R"({"requests":[)";
    for (int i = 0; i < 101; ++i) {
        batch += std::string(i == 0 ? "" : ",") +
                 R"({"model":"models/gemini-embedding-001","content":{"parts":[{"text":"t"}]}})";
    }
    batch += "]}";
    const Reply big = post(llm, "/v1beta/models/gemini-embedding-001:batchEmbedContents", batch, gemini_headers(llm.key()));
    REQUIRE(big.status == 400);
    CHECK(big.str(big.doc["error"]["message"]) ==
          "* BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch\n");
}

TEST_CASE("fake Gemini: batchEmbedContents is deterministic, a shortened vector is a prefix and not normalised",
          "[llm][fake][gemini][embed]") {
    FakeLlm llm(FakeLlmOptions{.api = LlmApi::gemini});
    const auto request = [](const std::string& text, const std::string& extra) {
        return R"({"model":"models/gemini-embedding-001","content":{"parts":[{"text":")" + text +
               R"("}]},"taskType":"RETRIEVAL_DOCUMENT")" + extra + "}";
    };
    const std::string body = R"({"requests":[)" + request("late night jazz piano", "") + "," +
                             request("jazz piano at night", "") + "," + request("speed metal riffs", "") + "," +
                             request("late night jazz piano", R"(,"outputDimensionality":768)") + "]}";
    const std::string target = "/v1beta/models/gemini-embedding-001:batchEmbedContents";
    const Reply a = post(llm, target, body, gemini_headers(llm.key()));
    const Reply b = post(llm, target, body, gemini_headers(llm.key()));
    REQUIRE(a.status == 200);
    CHECK(a.body == b.body);
    REQUIRE(a.doc["embeddings"].Size() == 4);
    const auto full = floats(a.doc["embeddings"][0]["values"]);
    const auto close = floats(a.doc["embeddings"][1]["values"]);
    const auto far = floats(a.doc["embeddings"][2]["values"]);
    const auto cut = floats(a.doc["embeddings"][3]["values"]);
    REQUIRE(full.size() == 3072);
    REQUIRE(cut.size() == 768);
    CHECK(norm(full) == Approx(1.0).epsilon(1e-4));
    CHECK(norm(cut) < 0.99);  // a prefix of a unit vector, left as it is
    for (std::size_t i = 0; i < cut.size(); ++i) REQUIRE(cut[i] == full[i]);
    CHECK(dot(full, close) > dot(full, far) + 0.3);
    CHECK(llm.embedded_texts() == 8);
    const Reply bad_task = post(llm, target,
                                R"({"requests":[{"model":"models/gemini-embedding-001","content":{"parts":[{"text":"x"}]},)"
                                R"("taskType":"DOCUMENTS"}]})",
                                gemini_headers(llm.key()));
    CHECK(bad_task.status == 400);
}

TEST_CASE("fake Gemini: 429 carries google.rpc.RetryInfo and no Retry-After header, 503 is UNAVAILABLE",
          "[llm][fake][gemini][faults]") {
    FakeLlm llm(FakeLlmOptions{.api = LlmApi::gemini});
    llm.add_rule(FakeLlmRule{.status = 429, .retry_after = "3", .times = 1});
    llm.add_rule(FakeLlmRule{.status = 503, .times = 1});
    const std::string target = "/v1beta/models/gemini-2.5-flash:generateContent";
    const std::string body = R"({"contents":[{"parts":[{"text":"hi"}]}]})";
    const Reply limited = post(llm, target, body, gemini_headers(llm.key()));
    REQUIRE(limited.status == 429);
    CHECK(limited.header("retry-after") == nullptr);
    CHECK(limited.str(limited.doc["error"]["status"]) == "RESOURCE_EXHAUSTED");
    bool found = false;
    for (const auto& d : limited.doc["error"]["details"].GetArray()) {
        if (std::string(d["@type"].GetString()) != "type.googleapis.com/google.rpc.RetryInfo") continue;
        found = true;
        CHECK(std::string(d["retryDelay"].GetString()) == "3s");
    }
    CHECK(found);
    const Reply busy = post(llm, target, body, gemini_headers(llm.key()));
    REQUIRE(busy.status == 503);
    CHECK(busy.str(busy.doc["error"]["status"]) == "UNAVAILABLE");
    CHECK(post(llm, target, body, gemini_headers(llm.key())).status == 200);
}

// ------------------------------------------------------------------------------------- Claude

TEST_CASE("fake Claude: a message has content blocks, stop_reason and usage", "[llm][fake][claude]") {
    FakeLlm llm(FakeLlmOptions{.api = LlmApi::claude});
    llm.push_answer("brushed snare and upright bass");
    const Reply r = post(llm, "/v1/messages",
                         R"({"model":"claude-sonnet-4-5-20250929","max_tokens":100,"system":"be brief",)"
                         R"("messages":[{"role":"user","content":"rainy sunday jazz"}]})",
                         claude_headers(llm.key()));
    REQUIRE(r.status == 200);
    REQUIRE(r.parsed());
    CHECK(r.str(r.doc["type"]) == "message");
    CHECK(r.str(r.doc["role"]) == "assistant");
    CHECK(r.str(r.doc["content"][0]["type"]) == "text");
    CHECK(r.str(r.doc["content"][0]["text"]) == "brushed snare and upright bass");
    CHECK(r.str(r.doc["stop_reason"]) == "end_turn");
    CHECK(r.doc["usage"]["input_tokens"].GetInt() == 5);
    CHECK(r.doc["usage"]["output_tokens"].GetInt() == 5);
    CHECK(llm.calls().back().system == "be brief");
}

TEST_CASE("fake Claude: key and anthropic-version are checked with the API's own errors", "[llm][fake][claude]") {
    FakeLlm llm(FakeLlmOptions{.api = LlmApi::claude});
    const std::string body =
        R"({"model":"claude-sonnet-4-5-20250929","max_tokens":10,"messages":[{"role":"user","content":"hi"}]})";
    const Reply no_key = post(llm, "/v1/messages", body, {{"anthropic-version", "2023-06-01"}});
    REQUIRE(no_key.status == 401);
    CHECK(no_key.str(no_key.doc["type"]) == "error");
    CHECK(no_key.str(no_key.doc["error"]["type"]) == "authentication_error");
    CHECK(no_key.str(no_key.doc["error"]["message"]) == "x-api-key header is required");
    const Reply bad_key = post(llm, "/v1/messages", body, claude_headers("sk-ant-wrong"));
    REQUIRE(bad_key.status == 401);
    CHECK(bad_key.str(bad_key.doc["error"]["message"]) == "invalid x-api-key");
    CHECK(bad_key.doc.HasMember("request_id"));
    CHECK(bad_key.header("request-id") != nullptr);
    const Reply no_version = post(llm, "/v1/messages", body, {{"x-api-key", llm.key()}});
    REQUIRE(no_version.status == 400);
    CHECK(no_version.str(no_version.doc["error"]["type"]) == "invalid_request_error");
    CHECK(no_version.str(no_version.doc["error"]["message"]) == "anthropic-version: header is required");
    const Reply bad_version = post(llm, "/v1/messages", body, {{"x-api-key", llm.key()}, {"anthropic-version", "2024-01-01"}});
    REQUIRE(bad_version.status == 400);
    CHECK(bad_version.str(bad_version.doc["error"]["message"]) == "anthropic-version: \"2024-01-01\" is not a valid version");
}

TEST_CASE("fake Claude: max_tokens is required and capped, unknown fields and models are refused", "[llm][fake][claude]") {
    FakeLlm llm(FakeLlmOptions{.api = LlmApi::claude});
    const Reply missing = post(llm, "/v1/messages",
                               R"({"model":"claude-sonnet-4-5-20250929","messages":[{"role":"user","content":"hi"}]})",
                               claude_headers(llm.key()));
    REQUIRE(missing.status == 400);
    CHECK(missing.str(missing.doc["error"]["message"]) == "max_tokens: Field required");
    const Reply over = post(llm, "/v1/messages",
                            R"({"model":"claude-sonnet-4-5-20250929","max_tokens":128001,"messages":[{"role":"user","content":"hi"}]})",
                            claude_headers(llm.key()));
    REQUIRE(over.status == 400);
    CHECK(over.str(over.doc["error"]["message"]) ==
          "max_tokens: 128001 > 64000, which is the maximum allowed number of output tokens for claude-sonnet-4-5-20250929");
    const Reply extra = post(llm, "/v1/messages",
                             R"({"model":"claude-sonnet-4-5-20250929","max_tokens":10,"response_format":{"type":"json"},)"
                             R"("messages":[{"role":"user","content":"hi"}]})",
                             claude_headers(llm.key()));
    REQUIRE(extra.status == 400);
    CHECK(extra.str(extra.doc["error"]["message"]) == "response_format: Extra inputs are not permitted");
    const Reply model = post(llm, "/v1/messages",
                             R"({"model":"claude-2","max_tokens":10,"messages":[{"role":"user","content":"hi"}]})",
                             claude_headers(llm.key()));
    REQUIRE(model.status == 404);
    CHECK(model.str(model.doc["error"]["type"]) == "not_found_error");
    CHECK(model.str(model.doc["error"]["message"]) == "model: claude-2");
}

TEST_CASE("fake Claude: a forced tool answers with a tool_use block whose input the test decides", "[llm][fake][claude]") {
    FakeLlm llm(FakeLlmOptions{.api = LlmApi::claude});
    const std::string body = R"({"model":"claude-haiku-4-5-20251001","max_tokens":200,)"
                             R"("tools":[{"name":"tag_track","description":"tags","input_schema":)" +
                             kSchema +
                             R"(}],"tool_choice":{"type":"tool","name":"tag_track"},)"
                             R"("messages":[{"role":"user","content":"tag this"}]})";
    const Reply smallest = post(llm, "/v1/messages", body, claude_headers(llm.key()));
    REQUIRE(smallest.status == 200);
    CHECK(smallest.str(smallest.doc["stop_reason"]) == "tool_use");
    const auto& block = smallest.doc["content"][0];
    CHECK(smallest.str(block["type"]) == "tool_use");
    CHECK(smallest.str(block["name"]) == "tag_track");
    CHECK(block["input"]["energy"].GetInt() == 1);
    llm.set_script([](const FakeLlmCall& call) {
        return call.tool == "tag_track" ? std::string(R"({"moods":["calm"],"energy":2})") : std::string("no tool");
    });
    const Reply scripted = post(llm, "/v1/messages", body, claude_headers(llm.key()));
    REQUIRE(scripted.status == 200);
    CHECK(scripted.str(scripted.doc["content"][0]["input"]["moods"][0]) == "calm");
    CHECK(scripted.doc["content"][0]["input"]["energy"].GetInt() == 2);
}

TEST_CASE("fake Claude: 429 rate_limit_error with retry-after, 529 overloaded_error, 500 api_error", "[llm][fake][claude][faults]") {
    FakeLlm llm(FakeLlmOptions{.api = LlmApi::claude});
    const std::string body =
        R"({"model":"claude-sonnet-4-5-20250929","max_tokens":10,"messages":[{"role":"user","content":"hi"}]})";
    llm.add_rule(FakeLlmRule{.status = 429, .retry_after = "4", .times = 1});
    const Reply limited = post(llm, "/v1/messages", body, claude_headers(llm.key()));
    REQUIRE(limited.status == 429);
    CHECK(limited.str(limited.doc["error"]["type"]) == "rate_limit_error");
    REQUIRE(limited.header("retry-after") != nullptr);
    CHECK(*limited.header("retry-after") == "4");
    llm.add_rule(FakeLlmRule{.status = 529, .times = 1});
    const Reply overloaded = post(llm, "/v1/messages", body, claude_headers(llm.key()));
    REQUIRE(overloaded.status == 529);
    CHECK(overloaded.str(overloaded.doc["error"]["type"]) == "overloaded_error");
    CHECK(overloaded.str(overloaded.doc["error"]["message"]) == "Overloaded");
    llm.add_rule(FakeLlmRule{.status = 500, .times = 1});
    const Reply internal = post(llm, "/v1/messages", body, claude_headers(llm.key()));
    REQUIRE(internal.status == 500);
    CHECK(internal.str(internal.doc["error"]["type"]) == "api_error");
}

// ------------------------------------------------------------------------------------- Cohere

TEST_CASE("fake Cohere: v2 chat answers message.content[].text with finish_reason and both usages", "[llm][fake][cohere]") {
    FakeLlm llm(FakeLlmOptions{.api = LlmApi::cohere});
    llm.push_answer("late night piano");
    const Reply r = post(llm, "/v2/chat",
                         R"({"model":"command-a-03-2025","messages":[{"role":"system","content":"be brief"},)"
                         R"({"role":"user","content":"rainy sunday jazz"}]})",
                         bearer(llm.key()));
    REQUIRE(r.status == 200);
    REQUIRE(r.parsed());
    CHECK(r.str(r.doc["message"]["content"][0]["type"]) == "text");
    CHECK(r.str(r.doc["message"]["content"][0]["text"]) == "late night piano");
    CHECK(r.str(r.doc["finish_reason"]) == "COMPLETE");
    CHECK(r.doc["usage"]["billed_units"]["input_tokens"].GetInt() == 5);
    CHECK(r.doc["usage"]["tokens"]["output_tokens"].GetInt() == 3);
    const Reply json = post(llm, "/v2/chat",
                            R"({"model":"command-a-03-2025","messages":[{"role":"user","content":"tag"}],)"
                            R"("response_format":{"type":"json_object","schema":)" +
                                kSchema + "}}",
                            bearer(llm.key()));
    REQUIRE(json.status == 200);
    rapidjson::Document answer;
    answer.Parse(json.str(json.doc["message"]["content"][0]["text"]).c_str());
    REQUIRE(answer.IsObject());
    CHECK(answer["energy"].GetInt() == 1);
}

TEST_CASE("fake Cohere: errors are a bare message, unknown fields are 422", "[llm][fake][cohere]") {
    FakeLlm llm(FakeLlmOptions{.api = LlmApi::cohere});
    const std::string body = R"({"model":"command-a-03-2025","messages":[{"role":"user","content":"hi"}]})";
    const Reply bad = post(llm, "/v2/chat", body, bearer("wrong"));
    REQUIRE(bad.status == 401);
    CHECK(bad.str(bad.doc["message"]) == "invalid api token");
    const Reply model = post(llm, "/v2/chat", R"({"model":"command-x","messages":[{"role":"user","content":"hi"}]})",
                             bearer(llm.key()));
    REQUIRE(model.status == 404);
    CHECK(model.str(model.doc["message"]).rfind("model 'command-x' not found", 0) == 0);
    const Reply extra = post(llm, "/v2/chat",
                             R"({"model":"command-a-03-2025","preamble":"x","messages":[{"role":"user","content":"hi"}]})",
                             bearer(llm.key()));
    REQUIRE(extra.status == 422);
    CHECK(extra.str(extra.doc["message"]).rfind("unknown field: parameter 'preamble' is not a valid field", 0) == 0);
}

TEST_CASE("fake Cohere: v2 embed needs input_type for v3+, takes at most 96 texts, honours output_dimension",
          "[llm][fake][cohere][embed]") {
    FakeLlm llm(FakeLlmOptions{.api = LlmApi::cohere});
    const Reply no_type = post(llm, "/v2/embed", R"({"model":"embed-v4.0","texts":["a"],"embedding_types":["float"]})",
                               bearer(llm.key()));
    REQUIRE(no_type.status == 400);
    CHECK(no_type.str(no_type.doc["message"]) == "invalid request: valid input_type must be provided with the provided model");
    std::string many = R"({"model":"embed-v4.0","input_type":"search_document","embedding_types":["float"],"texts":[)";
    for (int i = 0; i < 97; ++i) many += std::string(i == 0 ? "" : ",") + "\"t\"";
    many += "]}";
    const Reply over = post(llm, "/v2/embed", many, bearer(llm.key()));
    REQUIRE(over.status == 400);
    CHECK(over.str(over.doc["message"]) == "invalid request: total number of texts must be at most 96 - received 97");
    const Reply ok = post(llm, "/v2/embed",
                          R"({"model":"embed-v4.0","input_type":"search_query","embedding_types":["float"],)"
                          R"("output_dimension":512,"texts":["quiet jazz piano","jazz piano quiet night","loud punk"]})",
                          bearer(llm.key()));
    REQUIRE(ok.status == 200);
    CHECK(ok.str(ok.doc["response_type"]) == "embeddings_by_type");
    const auto& vectors = ok.doc["embeddings"]["float"];
    REQUIRE(vectors.Size() == 3);
    const auto v0 = floats(vectors[0]);
    REQUIRE(v0.size() == 512);
    CHECK(norm(v0) == Approx(1.0).epsilon(1e-4));
    CHECK(dot(v0, floats(vectors[1])) > dot(v0, floats(vectors[2])) + 0.3);
    CHECK(post(llm, "/v2/embed",
               R"({"model":"embed-v4.0","input_type":"search_query","embedding_types":["float"],"output_dimension":300,"texts":["a"]})",
               bearer(llm.key()))
              .status == 400);
}

// ------------------------------------------------------------------------------ common faults

TEST_CASE("fake LLM faults: fenced and cut answers carry each API's own stop reason", "[llm][fake][faults]") {
    struct Case {
        LlmApi api;
        std::string target, body;
        HttpHeaders (*headers)(const std::string&);
    };
    const std::vector<Case> cases = {
        {LlmApi::openai, "/v1/chat/completions", R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"x"}]})", bearer},
        {LlmApi::gemini, "/v1beta/models/gemini-2.0-flash:generateContent", R"({"contents":[{"parts":[{"text":"x"}]}]})",
         gemini_headers},
        {LlmApi::claude, "/v1/messages",
         R"({"model":"claude-3-haiku-20240307","max_tokens":99,"messages":[{"role":"user","content":"x"}]})", claude_headers},
        {LlmApi::cohere, "/v2/chat", R"({"model":"command-r-08-2024","messages":[{"role":"user","content":"x"}]})", bearer},
    };
    // The text and the stop reason as each API spells them (cut / not cut).
    const auto read = [](LlmApi api, const Reply& r) -> std::pair<std::string, std::string> {
        switch (api) {
            case LlmApi::gemini:
                return {r.str(r.doc["candidates"][0]["content"]["parts"][0]["text"]), r.str(r.doc["candidates"][0]["finishReason"])};
            case LlmApi::claude: return {r.str(r.doc["content"][0]["text"]), r.str(r.doc["stop_reason"])};
            case LlmApi::cohere: return {r.str(r.doc["message"]["content"][0]["text"]), r.str(r.doc["finish_reason"])};
            default: return {r.str(r.doc["choices"][0]["message"]["content"]), r.str(r.doc["choices"][0]["finish_reason"])};
        }
    };
    const std::vector<std::string> cut_reasons = {"length", "MAX_TOKENS", "max_tokens", "MAX_TOKENS"};
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const Case& c = cases[i];
        INFO("case " << i);
        FakeLlm llm(FakeLlmOptions{.api = c.api});
        llm.set_script([](const FakeLlmCall&) { return std::string(R"({"moods": ["calm", "warm"], "energy": 2})"); });
        llm.add_rule(FakeLlmRule{.kind = FakeLlmRule::Kind::fenced, .times = 1});
        llm.add_rule(FakeLlmRule{.kind = FakeLlmRule::Kind::cut, .times = 1});
        const Reply fenced = post(llm, c.target, c.body, c.headers(llm.key()));
        REQUIRE(fenced.status == 200);
        const auto [fenced_text, fenced_reason] = read(c.api, fenced);
        CHECK(fenced_text == "```json\n{\"moods\": [\"calm\", \"warm\"], \"energy\": 2}\n```");
        CHECK(fenced_reason != cut_reasons[i]);
        const Reply cut = post(llm, c.target, c.body, c.headers(llm.key()));
        REQUIRE(cut.status == 200);
        const auto [cut_text, cut_reason] = read(c.api, cut);
        CHECK(cut_text == R"({"moods": ["calm",)");
        CHECK(cut_reason == cut_reasons[i]);
        CHECK(llm.rule_hits(0) == 1);
        CHECK(llm.rule_hits(1) == 1);
    }
}

TEST_CASE("fake LLM faults: truncated envelope, garbage, hang", "[llm][fake][faults]") {
    FakeLlm llm;
    const std::string body = R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]})";
    llm.add_rule(FakeLlmRule{.kind = FakeLlmRule::Kind::truncated, .times = 1});
    const Reply truncated = openai_chat(llm, body, llm.key());
    REQUIRE(truncated.status == 200);
    CHECK_FALSE(truncated.parsed());
    CHECK(truncated.body.rfind("{\"id\":\"chatcmpl-", 0) == 0);
    llm.add_rule(FakeLlmRule{.kind = FakeLlmRule::Kind::garbage, .times = 1});
    const Reply garbage = openai_chat(llm, body, llm.key());
    REQUIRE(garbage.status == 200);
    CHECK_FALSE(garbage.parsed());
    llm.add_rule(FakeLlmRule{.kind = FakeLlmRule::Kind::hang, .times = 1});
    const Reply hung = post(llm, "/v1/chat/completions", body, bearer(llm.key()), std::chrono::milliseconds(300));
    CHECK(hung.result.status == PMX_TIMEOUT);
    CHECK(openai_chat(llm, body, llm.key()).status == 200);  // every rule spent
}

TEST_CASE("fake LLM faults: a rule's probability draws a seeded, repeatable pattern, and skip and path_contains narrow it",
          "[llm][fake][faults]") {
    const auto pattern = [](std::uint64_t seed) {
        FakeLlm llm;
        llm.add_rule(FakeLlmRule{.path_contains = "embeddings", .status = 503, .probability = 0.5, .seed = seed});
        std::string seen;
        for (int i = 0; i < 40; ++i) {
            seen += post(llm, "/v1/embeddings", R"({"model":"text-embedding-3-small","input":"a"})", bearer(llm.key())).status == 503
                        ? 'x'
                        : '.';
        }
        // The chat path does not match the rule.
        CHECK(openai_chat(llm, R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]})", llm.key()).status == 200);
        CHECK(llm.rule_hits(0) == static_cast<std::size_t>(std::count(seen.begin(), seen.end(), 'x')));
        return seen;
    };
    const std::string a = pattern(7);
    CHECK(a == pattern(7));
    CHECK(a != pattern(8));
    const auto hits = std::count(a.begin(), a.end(), 'x');
    CHECK(hits > 5);
    CHECK(hits < 35);

    FakeLlm llm;
    llm.add_rule(FakeLlmRule{.status = 500, .skip = 2, .times = 1});
    std::vector<int> statuses;
    for (int i = 0; i < 4; ++i) {
        statuses.push_back(openai_chat(llm, R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]})", llm.key()).status);
    }
    CHECK(statuses == std::vector<int>{200, 200, 500, 200});
}

TEST_CASE("fake LLM: latency delays each answer in the server, never shortens it", "[llm][fake]") {
    FakeLlm llm(FakeLlmOptions{.api = LlmApi::cohere});
    constexpr std::chrono::milliseconds kLatency{80};
    llm.set_latency(kLatency);
    const Reply r = post(llm, "/v2/chat", R"({"model":"command-a-03-2025","messages":[{"role":"user","content":"hi"}]})",
                         bearer(llm.key()));
    CHECK(r.status == 200);
    // A lower bound: the answer cannot come before the wait (less poll()'s millisecond rounding).
    CHECK(r.elapsed >= kLatency - std::chrono::milliseconds(1));
}

TEST_CASE("fake LLM: the smallest instance covers enums, nested objects and Gemini's upper-case types", "[llm][fake]") {
    CHECK(FakeLlm::smallest_instance(R"({"type":"string","enum":["calm","busy"]})") == "\"calm\"");
    CHECK(FakeLlm::smallest_instance(
              R"({"type":"OBJECT","properties":{"a":{"type":"OBJECT","properties":{"b":{"type":"BOOLEAN"}},"required":["b"]}},"required":["a"]})") ==
          R"({"a":{"b":false}})");
    CHECK(FakeLlm::smallest_instance(R"({"type":"number","minimum":0.5})") == "0.5");
    CHECK(FakeLlm::smallest_instance(R"({"type":["null","string"]})") == "null");
}
