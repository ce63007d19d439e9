// The cohere plugin's completer, loaded from disk, against the fake Cohere v2 API.
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "cohere_support.hpp"

using namespace pmx;
using namespace pmx::test;

namespace {

CompletionRequest ask(const std::string& text) {
    CompletionRequest r;
    r.system = "You tag music.";
    r.messages.push_back({PMX_ROLE_USER, text});
    return r;
}

constexpr const char* kSchema =
    R"({"type":"object","properties":{"moods":{"type":"array","items":{"type":"string"},"minItems":1}},"required":["moods"]})";

}  // namespace

TEST_CASE("cohere completer: text through /v2/chat with Bearer auth, system first, usage reported",
          "[cohere][completer]") {
    FakeLlm llm = cohere_fake();
    auto provider = cohere_provider(cohere_settings(llm));
    CompletionRequest request = ask("rainy sunday jazz");
    request.messages.push_back({PMX_ROLE_ASSISTANT, "noted"});
    request.messages.push_back({PMX_ROLE_USER, "and more"});
    request.max_output_tokens = 50;
    request.temperature = 0.25F;
    std::string text;
    const CallResult r = provider->complete(request, &text);
    INFO(r.message);
    REQUIRE(r.ok());
    CHECK(text == "echo: rainy sunday jazz\nand more");  // the fake echoes the user turns

    const auto sent = requests_to(llm, "/v2/chat");
    REQUIRE(sent.size() == 1);
    CHECK(sent[0].method == "POST");
    check_key_only_in_header(sent[0], llm.key());
    const rapidjson::Document body = body_of(sent[0]);
    CHECK(std::string(body["model"].GetString()) == "command-a-03-2025");  // the documented default
    const auto& messages = body["messages"];
    REQUIRE(messages.Size() == 4);
    CHECK(std::string(messages[0]["role"].GetString()) == "system");
    CHECK(std::string(messages[0]["content"].GetString()) == "You tag music.");
    CHECK(std::string(messages[1]["role"].GetString()) == "user");
    CHECK(std::string(messages[2]["role"].GetString()) == "assistant");
    CHECK(std::string(messages[2]["content"].GetString()) == "noted");
    CHECK(body["max_tokens"].GetUint() == 50);
    CHECK(body["temperature"].GetDouble() == Approx(0.25));
    CHECK_FALSE(body.HasMember("response_format"));

    // The fake counts words: system 3 + user turns 5; the answer 6.
    CHECK(r.input_tokens == 8);
    CHECK(r.output_tokens == 6);
}

TEST_CASE("cohere completer: no temperature, max_tokens or system turn is sent unless the host sets one",
          "[cohere][completer]") {
    FakeLlm llm = cohere_fake();
    auto provider = cohere_provider(cohere_settings(llm));
    CompletionRequest request;
    request.messages.push_back({PMX_ROLE_USER, "hello"});
    std::string text;
    REQUIRE(provider->complete(request, &text).ok());
    const rapidjson::Document body = body_of(requests_to(llm, "/v2/chat").at(0));
    CHECK_FALSE(body.HasMember("temperature"));
    CHECK_FALSE(body.HasMember("max_tokens"));
    REQUIRE(body["messages"].Size() == 1);
    CHECK(std::string(body["messages"][0]["role"].GetString()) == "user");
}

TEST_CASE("cohere completer: a JSON answer with a schema goes as response_format json_object with `schema`",
          "[cohere][completer]") {
    FakeLlm llm = cohere_fake();
    auto provider = cohere_provider(cohere_settings(llm));
    CompletionRequest request = ask("tag: Kind of Blue");
    request.json = true;
    request.json_schema = kSchema;
    std::string text;
    const CallResult r = provider->complete(request, &text);
    INFO(r.message);
    REQUIRE(r.ok());

    const rapidjson::Document body = body_of(requests_to(llm, "/v2/chat").at(0));
    const auto& format = body["response_format"];
    CHECK(std::string(format["type"].GetString()) == "json_object");
    REQUIRE(format.HasMember("schema"));
    rapidjson::Document want;
    want.Parse(kSchema);
    CHECK(format["schema"] == want);
    CHECK_FALSE(format.HasMember("json_schema"));  // OpenAI's key; Cohere refuses unknown fields

    // The fake answered the smallest instance of the schema it was sent.
    const std::vector<FakeLlmCall> calls = llm.calls();
    REQUIRE(calls.size() == 1);
    CHECK(calls[0].json);
    CHECK_FALSE(calls[0].schema.empty());
    rapidjson::Document answer;
    answer.Parse(text.c_str());
    REQUIRE_FALSE(answer.HasParseError());
    CHECK(answer.HasMember("moods"));
}

TEST_CASE("cohere completer: JSON without a schema is response_format json_object alone", "[cohere][completer]") {
    FakeLlm llm = cohere_fake();
    auto provider = cohere_provider(cohere_settings(llm));
    CompletionRequest request = ask("tag it");
    request.json = true;
    std::string text;
    REQUIRE(provider->complete(request, &text).ok());
    const rapidjson::Document body = body_of(requests_to(llm, "/v2/chat").at(0));
    CHECK(std::string(body["response_format"]["type"].GetString()) == "json_object");
    CHECK_FALSE(body["response_format"].HasMember("schema"));
    CHECK(text == R"({"echo":"tag it"})");
}

TEST_CASE("cohere completer: the request's model overrides the setting", "[cohere][completer]") {
    FakeLlm llm = cohere_fake();
    auto provider = cohere_provider(cohere_settings(llm, {{"model", "command-a-03-2025"}}));
    CompletionRequest request = ask("hi");
    request.model = "command-r-08-2024";
    std::string text;
    REQUIRE(provider->complete(request, &text).ok());
    CHECK(std::string(body_of(requests_to(llm, "/v2/chat").at(0))["model"].GetString()) == "command-r-08-2024");
}

TEST_CASE("cohere completer: an answer cut at max_tokens is INVALID_INPUT saying so, not retried, usage reported",
          "[cohere][completer]") {
    FakeLlm llm = cohere_fake();
    CallPolicy policy = one_attempt();
    policy.retries = 2;  // a BAD_RESPONSE would be sent again; a cut answer must not be
    auto provider = cohere_provider(cohere_settings(llm), policy);
    llm.push_answer("one two three four five six seven eight nine ten");
    CompletionRequest request = ask("long please");
    request.max_output_tokens = 4;
    std::string text;
    const CallResult r = provider->complete(request, &text);
    CHECK(r.status == PMX_INVALID_INPUT);
    CHECK_THAT(r.message, Catch::Contains("cut") && Catch::Contains("max_tokens 4") && Catch::Contains("MAX_TOKENS"));
    CHECK(r.attempts == 1);
    CHECK(r.output_tokens == 4);  // what the cut answer cost is still counted
    CHECK(text.empty());
}

TEST_CASE("cohere completer: text parts are joined, thinking parts skipped, billed_units counted first",
          "[cohere][completer]") {
    FakeLlm llm = cohere_fake();
    llm.http().set_interceptor([](const FakeRequest&, const FakeResponse* answered) -> std::optional<FakeResponse> {
        if (answered != nullptr) return std::nullopt;
        return FakeResponse::json(200, R"({"id":"x","finish_reason":"COMPLETE","message":{"role":"assistant","content":[)"
                                       R"({"type":"thinking","thinking":"let me see"},{"type":"text","text":"cool "},)"
                                       R"({"type":"text","text":"jazz"}]},"usage":{"billed_units":{"input_tokens":5,)"
                                       R"("output_tokens":7},"tokens":{"input_tokens":50,"output_tokens":70}}})");
    });
    auto provider = cohere_provider(cohere_settings(llm));
    std::string text;
    const CallResult r = provider->complete(ask("hi"), &text);
    INFO(r.message);
    REQUIRE(r.ok());
    CHECK(text == "cool jazz");
    CHECK(r.input_tokens == 5);
    CHECK(r.output_tokens == 7);
}

TEST_CASE("cohere completer: usage.tokens counts when the answer carries no billed_units", "[cohere][completer]") {
    FakeLlm llm = cohere_fake();
    llm.http().set_interceptor([](const FakeRequest&, const FakeResponse* answered) -> std::optional<FakeResponse> {
        if (answered != nullptr) return std::nullopt;
        return FakeResponse::json(200, R"({"id":"x","finish_reason":"COMPLETE","message":{"role":"assistant","content":[)"
                                       R"({"type":"text","text":"ok"}]},"usage":{"tokens":{"input_tokens":11,"output_tokens":3}}})");
    });
    auto provider = cohere_provider(cohere_settings(llm));
    std::string text;
    const CallResult r = provider->complete(ask("hi"), &text);
    REQUIRE(r.ok());
    CHECK(r.input_tokens == 11);
    CHECK(r.output_tokens == 3);
}
