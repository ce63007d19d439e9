// The cohere plugin's answers to the API's errors and faults: statuses, messages, waits, and never the key.
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "cohere_support.hpp"

using namespace pmx;
using namespace pmx::test;
using namespace std::chrono_literals;

namespace {

// A key the fake does not accept, long enough to be recognisable in any message.
constexpr const char* kWrongKey = "co-wrong-key-0123456789abcdefghijklmn";

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

// Every request answered `status` with `body` (Cohere's {"message"} form).
void answer_all(FakeLlm& llm, int status, std::string body) {
    llm.http().set_interceptor([status, body](const FakeRequest&, const FakeResponse* answered) -> std::optional<FakeResponse> {
        if (answered != nullptr) return std::nullopt;
        return FakeResponse::json(status, body);
    });
}

}  // namespace

TEST_CASE("cohere errors: a wrong key is AUTH with the API's words, the setting named, the key nowhere",
          "[cohere][errors]") {
    FakeLlm llm = cohere_fake();
    auto provider = cohere_provider(cohere_settings(llm, {{"api_key", kWrongKey}}));
    const Outcome o = both(*provider);
    for (const CallResult& r : {o.completion, o.embedding}) {
        CHECK(r.status == PMX_AUTH);
        CHECK(r.http_status == 401);
        CHECK(r.attempts == 1);
        CHECK_THAT(r.message, Catch::Contains("invalid api token") && Catch::Contains("`api_key`"));
        check_no_key(llm, r.message, kWrongKey);
    }
}

TEST_CASE("cohere errors: a key echoed back in an error body is masked", "[cohere][errors]") {
    FakeLlm llm = cohere_fake();
    answer_all(llm, 401, std::string(R"({"message":"invalid api token )") + llm.key() + "\"}");
    auto provider = cohere_provider(cohere_settings(llm));
    const Outcome o = both(*provider);
    for (const CallResult& r : {o.completion, o.embedding}) {
        CHECK(r.status == PMX_AUTH);
        CHECK_THAT(r.message, Catch::Contains("invalid api token ***"));
        check_no_key(llm, r.message, llm.key());
    }
}

TEST_CASE("cohere errors: a retired or unknown model is INVALID_INPUT naming the setting to change",
          "[cohere][errors]") {
    FakeLlm llm = cohere_fake();
    // command-r-plus-04-2024 and the light embedder are not served by this fake: 404 "model ... not found".
    auto provider = cohere_provider(cohere_settings(
        llm, {{"model", "command-r-plus-04-2024"}, {"embedding_model", "embed-english-light-v3.0"}}));
    const Outcome o = both(*provider);
    CHECK(o.completion.status == PMX_INVALID_INPUT);
    CHECK(o.completion.http_status == 404);
    CHECK_THAT(o.completion.message, Catch::Contains("model 'command-r-plus-04-2024' not found") &&
                                         Catch::Contains("`model` setting") && Catch::Contains("retire"));
    CHECK(o.embedding.status == PMX_INVALID_INPUT);
    CHECK_THAT(o.embedding.message, Catch::Contains("embed-english-light-v3.0") &&
                                        Catch::Contains("`embedding_model` setting"));
    CHECK(o.completion.attempts == 1);
}

TEST_CASE("cohere errors: a base_url without /v2 is NOT_FOUND naming base_url", "[cohere][errors]") {
    FakeLlm llm = cohere_fake();
    auto provider = cohere_provider({{"base_url", llm.url()}, {"api_key", llm.key()}});
    const Outcome o = both(*provider);
    for (const CallResult& r : {o.completion, o.embedding}) {
        CHECK(r.status == PMX_NOT_FOUND);
        CHECK_THAT(r.message, Catch::Contains("`base_url`"));
    }
}

TEST_CASE("cohere errors: 400 and 422 are INVALID_INPUT with the API's message, not retried", "[cohere][errors]") {
    FakeLlm llm = cohere_fake();
    CallPolicy policy = one_attempt();
    policy.retries = 2;
    auto provider = cohere_provider(cohere_settings(llm), policy);
    SECTION("400 from the fake's rules") {
        llm.add_rule({.kind = FakeLlmRule::Kind::status, .status = 400});
        const Outcome o = both(*provider);
        for (const CallResult& r : {o.completion, o.embedding}) {
            CHECK(r.status == PMX_INVALID_INPUT);
            CHECK(r.http_status == 400);
            CHECK_THAT(r.message, Catch::Contains("HTTP 400: invalid request"));
            CHECK(r.attempts == 1);
        }
    }
    SECTION("422 for an unknown field, in Cohere's words") {
        answer_all(llm, 422, R"({"message":"unknown field: parameter 'strict' is not a valid field."})");
        const Outcome o = both(*provider);
        for (const CallResult& r : {o.completion, o.embedding}) {
            CHECK(r.status == PMX_INVALID_INPUT);
            CHECK_THAT(r.message, Catch::Contains("unknown field: parameter 'strict'"));
            CHECK(r.attempts == 1);
        }
    }
}

TEST_CASE("cohere errors: 402 (billing limit) is AUTH, 499 and 5xx are UNAVAILABLE", "[cohere][errors]") {
    FakeLlm llm = cohere_fake();
    auto provider = cohere_provider(cohere_settings(llm));
    SECTION("402") {
        answer_all(llm, 402, R"({"message":"Please add or update your payment method"})");
        const Outcome o = both(*provider);
        for (const CallResult& r : {o.completion, o.embedding}) {
            CHECK(r.status == PMX_AUTH);
            CHECK_THAT(r.message, Catch::Contains("payment method") && Catch::Contains("billing limit"));
        }
    }
    SECTION("499") {
        answer_all(llm, 499, R"({"message":"request cancelled"})");
        const Outcome o = both(*provider);
        for (const CallResult& r : {o.completion, o.embedding}) {
            CHECK(r.status == PMX_UNAVAILABLE);
            CHECK_THAT(r.message, Catch::Contains("request cancelled"));
        }
    }
    for (const int status : {500, 503}) {
        DYNAMIC_SECTION("HTTP " << status) {
            llm.add_rule({.kind = FakeLlmRule::Kind::status, .status = status});
            const Outcome o = both(*provider);
            for (const CallResult& r : {o.completion, o.embedding}) {
                CHECK(r.status == PMX_UNAVAILABLE);
                CHECK(r.http_status == status);
                CHECK_THAT(r.message, Catch::Contains("HTTP " + std::to_string(status)));
            }
        }
    }
}

TEST_CASE("cohere errors: a garbage or truncated 200 is BAD_RESPONSE", "[cohere][errors]") {
    FakeLlm llm = cohere_fake();
    auto provider = cohere_provider(cohere_settings(llm));
    for (const auto kind : {FakeLlmRule::Kind::garbage, FakeLlmRule::Kind::truncated}) {
        llm.clear_rules();
        llm.add_rule({.kind = kind});
        const Outcome o = both(*provider);
        for (const CallResult& r : {o.completion, o.embedding}) {
            CHECK(r.status == PMX_BAD_RESPONSE);
            CHECK_THAT(r.message, Catch::Contains("not JSON"));
        }
    }
}

TEST_CASE("cohere errors: 429 is RATE_LIMITED with the API's words when the wait does not fit the deadline",
          "[cohere][errors][retry]") {
    FakeLlm llm = cohere_fake();
    llm.add_rule({.kind = FakeLlmRule::Kind::status, .status = 429, .retry_after = "30"});
    CallPolicy policy = one_attempt();
    policy.deadline = 2s;  // the 30 s the API asks for cannot be waited out
    auto provider = cohere_provider(cohere_settings(llm), policy);
    const Outcome o = both(*provider);
    for (const CallResult& r : {o.completion, o.embedding}) {
        CHECK(r.status == PMX_RATE_LIMITED);
        CHECK(r.http_status == 429);
        CHECK_THAT(r.message, Catch::Contains("Trial key"));
        check_no_key(llm, r.message, llm.key());
    }
}

TEST_CASE("cohere errors: the host waits out a 429's Retry-After, then the request goes through",
          "[cohere][errors][retry]") {
    FakeLlm llm = cohere_fake();
    std::vector<std::chrono::milliseconds> waits;
    std::mutex mutex;
    RuntimeHooks hooks;
    hooks.sleep = [&](std::chrono::milliseconds wait, const CancelToken&) {
        std::lock_guard lock(mutex);
        waits.push_back(wait);
        return false;  // not cancelled; no real sleep
    };
    hooks.jitter = [](std::chrono::milliseconds) { return 0ms; };  // backoff alone would not wait
    CallPolicy policy = one_attempt();
    policy.retries = 2;
    auto provider = cohere_provider(cohere_settings(llm), policy, hooks);
    const std::size_t rule = llm.add_rule({.kind = FakeLlmRule::Kind::status, .status = 429, .retry_after = "3", .times = 2});
    const Outcome o = both(*provider);
    for (const CallResult& r : {o.completion, o.embedding}) {
        INFO(r.message);
        CHECK(r.ok());
    }
    CHECK(llm.rule_hits(rule) == 2);
    CHECK(waits == std::vector<std::chrono::milliseconds>{3000ms, 3000ms});
    CHECK(llm.embedded_texts() == 1);
}
