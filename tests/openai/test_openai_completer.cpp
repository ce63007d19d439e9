// The openai plugin's completer, loaded from disk, against the fake OpenAI API and fake compatible servers.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "openai_support.hpp"

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

TEST_CASE("openai completer: text through chat/completions with Bearer auth, system first, usage reported",
          "[openai][completer]") {
    FakeLlm llm;
    auto provider = openai_provider(openai_settings(llm));
    CompletionRequest request = ask("rainy sunday jazz");
    request.messages.push_back({PMX_ROLE_ASSISTANT, "noted"});
    request.messages.push_back({PMX_ROLE_USER, "and more"});
    request.max_output_tokens = 50;
    request.temperature = 0.25F;
    std::string text;
    const CallResult r = provider->complete(request, &text);
    INFO(r.message);
    REQUIRE(r.ok());
    CHECK(text == "echo: rainy sunday jazz\nand more");

    const auto sent = requests_to(llm, "/v1/chat/completions");
    REQUIRE(sent.size() == 1);
    CHECK(*sent[0].header("authorization") == "Bearer " + llm.key());
    CHECK(sent[0].target.find(llm.key()) == std::string::npos);
    const rapidjson::Document body = body_of(sent[0]);
    CHECK(std::string(body["model"].GetString()) == "gpt-4o-mini");  // the documented default
    const auto& messages = body["messages"];
    REQUIRE(messages.Size() == 4);
    CHECK(std::string(messages[0]["role"].GetString()) == "system");
    CHECK(std::string(messages[0]["content"].GetString()) == "You tag music.");
    CHECK(std::string(messages[2]["role"].GetString()) == "assistant");
    CHECK(body["max_tokens"].GetUint() == 50);
    CHECK_FALSE(body.HasMember("max_completion_tokens"));
    CHECK(body["temperature"].GetDouble() == Approx(0.25));
    CHECK_FALSE(body.HasMember("response_format"));

    // The fake counts words: system 3 + prompt 5; the answer 6.
    CHECK(r.input_tokens == 8);
    CHECK(r.output_tokens == 6);
}

TEST_CASE("openai completer: no temperature is sent unless the host sets one", "[openai][completer]") {
    FakeLlm llm;
    auto provider = openai_provider(openai_settings(llm));
    std::string text;
    REQUIRE(provider->complete(ask("hello"), &text).ok());
    const rapidjson::Document body = body_of(requests_to(llm, "/v1/chat/completions").at(0));
    CHECK_FALSE(body.HasMember("temperature"));
    CHECK_FALSE(body.HasMember("max_tokens"));
}

TEST_CASE("openai completer: a JSON answer with a schema goes as response_format json_schema, strict false",
          "[openai][completer][json]") {
    FakeLlm llm;
    auto provider = openai_provider(openai_settings(llm));
    CompletionRequest request = ask("tag this track");
    request.json = true;
    request.json_schema = kSchema;
    std::string text;
    const CallResult r = provider->complete(request, &text);
    INFO(r.message);
    REQUIRE(r.ok());
    CHECK(text == R"({"moods":[""]})");  // the fake's smallest instance of the schema

    const rapidjson::Document body = body_of(requests_to(llm, "/v1/chat/completions").at(0));
    const auto& rf = body["response_format"];
    CHECK(std::string(rf["type"].GetString()) == "json_schema");
    CHECK(std::string(rf["json_schema"]["name"].GetString()) == "answer");
    CHECK(rf["json_schema"]["strict"].GetBool() == false);
    REQUIRE(llm.calls().size() == 1);
    rapidjson::Document want;
    want.Parse(kSchema);
    rapidjson::Document got;
    got.Parse(llm.calls()[0].schema.c_str());
    CHECK(got == want);
}

TEST_CASE("openai completer: JSON without a schema is json_object, and the word JSON is there as the API wants",
          "[openai][completer][json]") {
    FakeLlm llm;
    auto provider = openai_provider(openai_settings(llm));
    CompletionRequest request = ask("three moods please");
    request.json = true;
    std::string text;
    const CallResult r = provider->complete(request, &text);
    INFO(r.message);
    REQUIRE(r.ok());
    CHECK(text == R"({"echo":"three moods please"})");
    const auto sent = requests_to(llm, "/v1/chat/completions");
    CHECK(response_format_of(sent.at(0)) == "json_object");
    const rapidjson::Document body = body_of(sent.at(0));
    CHECK(std::string(body["messages"][0]["content"].GetString()).find("JSON") != std::string::npos);

    // A request that already says JSON is sent as it is.
    CompletionRequest says = ask("Answer in json: three moods");
    says.json = true;
    REQUIRE(provider->complete(says, &text).ok());
    const rapidjson::Document second = body_of(requests_to(llm, "/v1/chat/completions").at(1));
    CHECK(std::string(second["messages"][0]["content"].GetString()) == "You tag music.");
}

TEST_CASE("openai completer: reasoning models get max_completion_tokens and no temperature",
          "[openai][completer][reasoning]") {
    FakeLlm llm;  // the fake refuses max_tokens and temperature != 1 for o3-mini and gpt-5-mini, as the API does
    for (const std::string model : {"o3-mini", "gpt-5-mini"}) {
        DYNAMIC_SECTION(model) {
            auto provider = openai_provider(openai_settings(llm, {{"model", model}}));
            CompletionRequest request = ask("hello");
            request.max_output_tokens = 200;
            request.temperature = 0.2F;
            std::string text;
            const CallResult r = provider->complete(request, &text);
            INFO(r.message);
            REQUIRE(r.ok());
            const rapidjson::Document body = body_of(requests_to(llm, "/v1/chat/completions").back());
            CHECK(std::string(body["model"].GetString()) == model);
            CHECK(body["max_completion_tokens"].GetUint() == 200);
            CHECK_FALSE(body.HasMember("max_tokens"));
            CHECK_FALSE(body.HasMember("temperature"));
        }
    }
}

TEST_CASE("openai completer: the request's model overrides the setting", "[openai][completer]") {
    FakeLlm llm;
    auto provider = openai_provider(openai_settings(llm));
    CompletionRequest request = ask("hello");
    request.model = "gpt-4.1-mini";
    std::string text;
    REQUIRE(provider->complete(request, &text).ok());
    CHECK(llm.calls().at(0).model == "gpt-4.1-mini");
}

TEST_CASE("openai completer: an answer cut at max tokens is an error that says so, with usage reported",
          "[openai][completer]") {
    FakeLlm llm;
    llm.push_answer("one two three four five six seven eight");
    auto provider = openai_provider(openai_settings(llm));
    CompletionRequest request = ask("count");
    request.max_output_tokens = 3;
    std::string text;
    const CallResult r = provider->complete(request, &text);
    CHECK(r.status == PMX_INVALID_INPUT);
    CHECK_THAT(r.message, Catch::Contains("cut at max tokens (3 tokens"));
    CHECK(r.attempts == 1);  // not retried: the same request would be cut again
    CHECK(r.output_tokens == 3);
}

TEST_CASE("openai completer: a compatible server that refuses json_schema gets json_object, remembered",
          "[openai][completer][compatible]") {
    FakeLlmOptions o;
    o.api = LlmApi::compatible;
    o.compat_json = CompatJson::json_object_only;  // llama-server before json_schema: 500 naming response_format
    FakeLlm llm(o);
    auto provider = openai_provider(compatible_settings(llm, {{"model", "llama3.2"}}));
    CompletionRequest request = ask("tag it");
    request.json = true;
    request.json_schema = kSchema;
    std::string text;
    CallResult r = provider->complete(request, &text);
    INFO(r.message);
    REQUIRE(r.ok());
    CHECK(text == R"({"echo":"tag it"})");  // json_object: the fake's bare JSON answer

    r = provider->complete(request, &text);
    REQUIRE(r.ok());
    const auto sent = requests_to(llm, "/v1/chat/completions");
    REQUIRE(sent.size() == 3);
    CHECK(response_format_of(sent[0]) == "json_schema");
    CHECK(response_format_of(sent[1]) == "json_object");
    CHECK(response_format_of(sent[2]) == "json_object");  // the refusal is remembered
    CHECK_FALSE(sent[0].header("authorization"));          // no key set: none sent
}

TEST_CASE("openai completer: a server that refuses both JSON forms gets instructions with the schema, remembered",
          "[openai][completer][compatible]") {
    FakeLlmOptions o;
    o.api = LlmApi::compatible;
    o.compat_json = CompatJson::text_only;  // LM Studio's 400 for both
    FakeLlm llm(o);
    llm.push_answer(R"({"moods":["calm"]})");
    llm.push_answer(R"({"moods":["warm"]})");
    auto provider = openai_provider(compatible_settings(llm, {{"model", "qwen2.5:7b"}}));
    CompletionRequest request = ask("tag it");
    request.json = true;
    request.json_schema = kSchema;
    std::string text;
    CallResult r = provider->complete(request, &text);
    INFO(r.message);
    REQUIRE(r.ok());
    CHECK(text == R"({"moods":["calm"]})");
    r = provider->complete(request, &text);
    REQUIRE(r.ok());
    CHECK(text == R"({"moods":["warm"]})");

    const auto sent = requests_to(llm, "/v1/chat/completions");
    REQUIRE(sent.size() == 4);
    CHECK(response_format_of(sent[0]) == "json_schema");
    CHECK(response_format_of(sent[1]) == "json_object");
    CHECK(response_format_of(sent[2]).empty());
    CHECK(response_format_of(sent[3]).empty());  // the second call asks straight away in the prompt
    const std::vector<FakeLlmCall> calls = llm.calls();
    REQUIRE(calls.size() == 2);
    CHECK_THAT(calls[1].system, Catch::Contains("You tag music.") && Catch::Contains("one JSON value") &&
                                    Catch::Contains("\"required\":[\"moods\"]"));
}

TEST_CASE("openai completer: json_mode pins the form, a pinned json_schema refusal is an error, not a step down",
          "[openai][completer][compatible]") {
    FakeLlmOptions o;
    o.api = LlmApi::compatible;
    o.compat_json = CompatJson::json_object_only;
    FakeLlm llm(o);
    CompletionRequest request = ask("tag it");
    request.json = true;
    request.json_schema = kSchema;
    std::string text;

    auto pinned = openai_provider(compatible_settings(llm, {{"model", "llama3.2"}, {"json_mode", "json_schema"}}));
    const CallResult r = pinned->complete(request, &text);
    CHECK(r.status == PMX_UNAVAILABLE);  // the server's 500
    CHECK_THAT(r.message, Catch::Contains("response_format"));

    auto prompt = openai_provider(compatible_settings(llm, {{"model", "llama3.2"}, {"json_mode", "prompt"}}));
    const std::size_t before = requests_to(llm, "/v1/chat/completions").size();
    REQUIRE(prompt->complete(request, &text).ok());
    const auto sent = requests_to(llm, "/v1/chat/completions");
    REQUIRE(sent.size() == before + 1);
    CHECK(response_format_of(sent.back()).empty());

    CHECK_THAT(create_error(compatible_settings(llm, {{"json_mode", "yaml"}})),
               Catch::Contains("json_mode") && Catch::Contains("yaml"));
}
