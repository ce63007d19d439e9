// The openai plugin's answers to the API's errors and faults: statuses, messages, waits, and never the key.
#include <chrono>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "net/http_client.hpp"
#include "openai_support.hpp"

using namespace pmx;
using namespace pmx::test;
using namespace std::chrono_literals;

namespace {

// A key the fake does not accept, long enough to be recognisable in any message.
constexpr const char* kWrongKey = "sk-proj-wrongwrongwrong0123456789abcdef";

CompletionRequest ask(const std::string& text) {
    CompletionRequest r;
    r.messages.push_back({PMX_ROLE_USER, text});
    return r;
}

struct Outcome {
    CallResult completion;
    CallResult embedding;
};

Outcome both(Provider& provider) {
    std::string text;
    std::vector<float> out;
    return {provider.complete(ask("hello"), &text), provider.embed({"hello world"}, PMX_EMBED_DOCUMENT, &out)};
}

void check_no_key(const FakeLlm& llm, const std::string& message, const std::string& key) {
    INFO(message);
    CHECK(message.find(key) == std::string::npos);
    for (const auto& r : llm.http().requests()) CHECK(r.target.find(key) == std::string::npos);
}

}  // namespace

TEST_CASE("openai errors: a wrong key is AUTH with the API's words and the key nowhere", "[openai][errors]") {
    FakeLlm llm;
    auto provider = openai_provider(openai_settings(llm, {{"api_key", kWrongKey}}));
    const Outcome o = both(*provider);
    for (const CallResult& r : {o.completion, o.embedding}) {
        CHECK(r.status == PMX_AUTH);
        CHECK(r.http_status == 401);
        CHECK_THAT(r.message, Catch::Contains("Incorrect API key provided"));
        check_no_key(llm, r.message, kWrongKey);
    }
}

TEST_CASE("openai errors: the OpenAI API without a key is refused at create, a compatible server is not",
          "[openai][errors]") {
    FakeLlm llm;
    CHECK_THAT(create_error({{"base_url", llm.url() + "/v1"}, {"server", "openai"}}), Catch::Contains("`api_key`"));
    CHECK_THAT(create_error({}), Catch::Contains("`api_key` is required"));  // the default base_url is OpenAI's
    CHECK(create_error(compatible_settings(llm)).empty());
    CHECK_THAT(create_error(compatible_settings(llm, {{"server", "azure"}})), Catch::Contains("`server`"));
}

TEST_CASE("openai errors: a retired or unknown model names the setting to change", "[openai][errors]") {
    SECTION("OpenAI: model_not_found") {
        FakeLlm llm;
        auto provider = openai_provider(
            openai_settings(llm, {{"model", "gpt-3.5-turbo-0301"}, {"embedding_model", "text-embedding-3-small"}}));
        std::string text;
        const CallResult r = provider->complete(ask("hi"), &text);
        CHECK(r.status == PMX_INVALID_INPUT);
        CHECK_THAT(r.message, Catch::Contains("does not exist") && Catch::Contains("set the `model` setting") &&
                                  Catch::Contains("retired"));
        CHECK(r.attempts == 1);
    }
    SECTION("Ollama: not found, try pulling it first") {
        FakeLlmOptions o;
        o.api = LlmApi::compatible;
        FakeLlm llm(o);
        auto provider = openai_provider(compatible_settings(llm, {{"model", "mistral"}, {"embedding_model", "bge-m3"}, {"dimension", "1024"}}));
        const Outcome out = both(*provider);
        CHECK(out.completion.status == PMX_INVALID_INPUT);
        CHECK_THAT(out.completion.message, Catch::Contains("try pulling it") && Catch::Contains("`model` setting"));
        CHECK(out.embedding.status == PMX_INVALID_INPUT);
        CHECK_THAT(out.embedding.message, Catch::Contains("`embedding_model` setting"));
    }
    SECTION("a base_url without /v1 is NOT_FOUND naming base_url") {
        FakeLlmOptions o;
        o.api = LlmApi::compatible;
        FakeLlm llm(o);
        auto provider = openai_provider({{"base_url", llm.url()}});
        std::string text;
        const CallResult r = provider->complete(ask("hi"), &text);
        CHECK(r.status == PMX_NOT_FOUND);
        CHECK_THAT(r.message, Catch::Contains("`base_url`"));
    }
}

TEST_CASE("openai errors: a 400 invalid_request_error is INVALID_INPUT with the API's message", "[openai][errors]") {
    FakeLlm llm;
    auto provider = openai_provider(openai_settings(llm));
    CompletionRequest request = ask("hi");
    request.max_output_tokens = 50'000;  // above gpt-4o-mini's 16,384
    std::string text;
    const CallResult r = provider->complete(request, &text);
    CHECK(r.status == PMX_INVALID_INPUT);
    CHECK(r.http_status == 400);
    CHECK_THAT(r.message, Catch::Contains("max_tokens is too large"));
    CHECK(r.attempts == 1);
}

TEST_CASE("openai errors: 5xx is UNAVAILABLE, a garbage or truncated 200 is BAD_RESPONSE", "[openai][errors]") {
    FakeLlm llm;
    auto provider = openai_provider(openai_settings(llm));
    for (const int status : {500, 503}) {
        llm.clear_rules();
        llm.add_rule({.kind = FakeLlmRule::Kind::status, .status = status});
        const Outcome o = both(*provider);
        CHECK(o.completion.status == PMX_UNAVAILABLE);
        CHECK(o.embedding.status == PMX_UNAVAILABLE);
        CHECK(o.completion.http_status == status);
    }
    for (const auto kind : {FakeLlmRule::Kind::garbage, FakeLlmRule::Kind::truncated}) {
        llm.clear_rules();
        llm.add_rule({.kind = kind});
        const Outcome o = both(*provider);
        CHECK(o.completion.status == PMX_BAD_RESPONSE);
        CHECK(o.embedding.status == PMX_BAD_RESPONSE);
        CHECK_THAT(o.completion.message, Catch::Contains("not JSON"));
    }
}

TEST_CASE("openai errors: 429 is RATE_LIMITED with the wait, when the wait does not fit the deadline",
          "[openai][errors][retry]") {
    FakeLlm llm;
    llm.add_rule({.kind = FakeLlmRule::Kind::status, .status = 429, .retry_after = "30"});
    CallPolicy policy = one_attempt();
    policy.deadline = 2s;  // the 30 s the API asks for cannot be waited out
    auto provider = openai_provider(openai_settings(llm), policy);
    const Outcome o = both(*provider);
    for (const CallResult& r : {o.completion, o.embedding}) {
        CHECK(r.status == PMX_RATE_LIMITED);
        CHECK_THAT(r.message, Catch::Contains("Rate limit reached"));
        check_no_key(llm, r.message, llm.key());
    }
}

TEST_CASE("openai errors: the host waits out a 429's retry-after-ms, then the request goes through",
          "[openai][errors][retry]") {
    FakeLlm llm;
    // OpenAI's hints: retry-after-ms is read first (the official SDK's order), so 1,500 ms, not 7 s.
    // The first request of each call (arrivals 0 and 2) is refused once.
    llm.http().set_interceptor([](const FakeRequest& request, const FakeResponse* answered) -> std::optional<FakeResponse> {
        if (answered != nullptr || (request.index != 0 && request.index != 2)) return std::nullopt;
        FakeResponse r = FakeResponse::json(
            429, R"({"error":{"message":"Rate limit reached","type":"requests","param":null,"code":"rate_limit_exceeded"}})");
        r.header("retry-after-ms", "1500").header("retry-after", "7");
        return r;
    });
    std::vector<std::chrono::milliseconds> waits;
    RuntimeHooks hooks;
    hooks.sleep = [&](std::chrono::milliseconds wait, const CancelToken&) {
        waits.push_back(wait);
        return false;  // not cancelled; no real sleep
    };
    hooks.jitter = [](std::chrono::milliseconds) { return 0ms; };
    CallPolicy policy = one_attempt();
    policy.retries = 2;  // with retries: 0 the host sends a request once, whatever it answers
    auto provider = openai_provider(openai_settings(llm), policy, hooks);
    std::string text;
    const CallResult completion = provider->complete(ask("hi"), &text);
    INFO(completion.message);
    CHECK(completion.ok());
    std::vector<float> out;
    const CallResult embedding = provider->embed({"hello world"}, PMX_EMBED_DOCUMENT, &out);
    INFO(embedding.message);
    CHECK(embedding.ok());
    CHECK(waits == std::vector<std::chrono::milliseconds>{1500ms, 1500ms});
    CHECK(llm.http().request_count() == 4);
}

TEST_CASE("openai errors: retry-after-ms is read as milliseconds", "[openai][errors][retry]") {
    CHECK(parse_retry_after_ms("1500") == 1500ms);
    CHECK(parse_retry_after_ms(" 20.5 ") == 20ms);
    CHECK_FALSE(parse_retry_after_ms("soon").has_value());
    CHECK_FALSE(parse_retry_after_ms("-5").has_value());
    CHECK_FALSE(parse_retry_after_ms("").has_value());
}
