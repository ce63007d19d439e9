// The claude plugin, loaded from disk like the host loads it, against the fake Anthropic Messages API.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "llm/structured_call.hpp"
#include "plugin/loader.hpp"
#include "plugin/provider.hpp"
#include "support/fake_http_server.hpp"
#include "support/fake_llm.hpp"
#include "support/provider_plugin.hpp"

using namespace pmx;
using pmx::test::FakeLlm;
using pmx::test::FakeLlmCall;
using pmx::test::FakeLlmOptions;
using pmx::test::FakeLlmRule;
using pmx::test::FakeRequest;
using pmx::test::LlmApi;
using namespace std::chrono_literals;

namespace {

constexpr const char* kSonnet = "claude-sonnet-4-5-20250929";  // in the fake's default list, cap 64,000
constexpr const char* kOldHaiku = "claude-3-haiku-20240307";   // cap 4,096
constexpr const char* kWrongKey = "sk-ant-api03-wrongwrongwrong0123456789abcdef";

LoadedPlugin& claude_plugin() { return test::plugin_from(PMX_CLAUDE_PLUGIN); }

struct Options {
    std::optional<std::string> key{};  // default: the fake's
    std::string model = kSonnet;
    std::optional<std::string> max_tokens{};
    std::optional<std::string> anthropic_version{};
    std::string base_path = "/v1";
    int retries = 0;  // one attempt per call: faults show as they are
    std::chrono::milliseconds deadline = 60s;
    RuntimeHooks hooks{};
};

FakeLlm make_fake() { return FakeLlm(FakeLlmOptions{.api = LlmApi::claude}); }

SettingList settings_for(const FakeLlm& llm, const Options& o) {
    SettingList settings = {{"api_key", o.key.value_or(llm.key())}, {"base_url", llm.url() + o.base_path}, {"model", o.model}};
    if (o.max_tokens) settings.emplace_back("max_tokens", *o.max_tokens);
    if (o.anthropic_version) settings.emplace_back("anthropic_version", *o.anthropic_version);
    return settings;
}

CallPolicy policy_of(const Options& o) {
    CallPolicy policy;
    policy.retries = o.retries;
    policy.timeout = 10s;
    policy.deadline = o.deadline;
    return policy;
}

std::unique_ptr<Provider> make_claude(const FakeLlm& llm, const Options& o = {}) {
    return test::provider_of(claude_plugin(), "claude", settings_for(llm, o), policy_of(o), o.hooks);
}

// Tries to create an instance; returns the error (empty when it was created).
std::string create_error(const SettingList& settings) { return test::create_error_of(claude_plugin(), "claude", settings); }

rapidjson::Document parse(const std::string& text) {
    rapidjson::Document doc;
    doc.Parse(text.c_str(), text.size());
    INFO(text);
    REQUIRE_FALSE(doc.HasParseError());
    return doc;
}

std::string dump(const rapidjson::Value& value) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    value.Accept(writer);
    return buffer.GetString();
}

// The same JSON value, whatever the spacing.
std::string canonical(const std::string& json) { return dump(parse(json)); }

FakeRequest last_request(const FakeLlm& llm) {
    const std::vector<FakeRequest> requests = llm.http().requests();
    REQUIRE_FALSE(requests.empty());
    return requests.back();
}

CompletionRequest chat(const std::string& user) {
    CompletionRequest request;
    request.system = "You tag music tracks.";
    request.messages.push_back({PMX_ROLE_USER, user});
    return request;
}

std::size_t words(const std::string& text) {
    std::size_t n = 0;
    bool in_word = false;
    for (const char c : text) {
        const bool space = c == ' ' || c == '\n' || c == '\t';
        if (!space && !in_word) ++n;
        in_word = !space;
    }
    return n;
}

// The key is only ever in the x-api-key header: not in a message, a URL or a body.
void check_no_key(const FakeLlm& llm, const std::string& message, const std::string& key) {
    INFO(message);
    CHECK(message.find(key) == std::string::npos);
    for (const FakeRequest& r : llm.http().requests()) {
        CHECK(r.target.find(key) == std::string::npos);
        CHECK(r.body.find(key) == std::string::npos);
    }
}

constexpr std::string_view kMoodsSchema = R"({"type":"object","required":["moods"],"additionalProperties":false,
  "properties":{"moods":{"type":"array","items":{"enum":["calm","happy","sad"]}}}})";

}  // namespace

TEST_CASE("claude: a text completion goes to /v1/messages with x-api-key, anthropic-version, a top-level system and both roles",
          "[claude]") {
    FakeLlm llm = make_fake();
    auto provider = make_claude(llm);
    CompletionRequest request = chat("first question");
    request.messages.push_back({PMX_ROLE_ASSISTANT, "an earlier answer"});
    request.messages.push_back({PMX_ROLE_USER, "rainy sunday jazz"});
    std::string text;
    const CallResult r = provider->complete(request, &text);
    INFO(r.message);
    REQUIRE(r.ok());
    CHECK(text == "echo: first question\nrainy sunday jazz");  // the fake echoes the user turns

    const FakeRequest sent = last_request(llm);
    CHECK(sent.method == "POST");
    CHECK(sent.path == "/v1/messages");
    REQUIRE(sent.header("x-api-key"));
    CHECK(*sent.header("x-api-key") == llm.key());
    CHECK_FALSE(sent.header("authorization"));
    REQUIRE(sent.header("anthropic-version"));
    CHECK(*sent.header("anthropic-version") == "2023-06-01");
    REQUIRE(sent.header("content-type"));
    CHECK(*sent.header("content-type") == "application/json");
    check_no_key(llm, r.message, llm.key());

    const auto body = parse(sent.body);
    CHECK(std::string(body["model"].GetString()) == kSonnet);
    CHECK(std::string(body["system"].GetString()) == "You tag music tracks.");
    CHECK(body["max_tokens"].GetUint() == 8192);  // no limit asked for: the default
    const auto& messages = body["messages"];
    REQUIRE(messages.Size() == 3);
    CHECK(std::string(messages[0]["role"].GetString()) == "user");
    CHECK(std::string(messages[1]["role"].GetString()) == "assistant");
    CHECK(std::string(messages[1]["content"].GetString()) == "an earlier answer");
    CHECK(std::string(messages[2]["role"].GetString()) == "user");
    CHECK_FALSE(body.HasMember("temperature"));  // the host set none
    CHECK_FALSE(body.HasMember("tools"));
    CHECK_FALSE(body.HasMember("tool_choice"));

    // Usage as the API counts it (the fake counts words): input = system + user turns.
    CHECK(r.input_tokens == words("You tag music tracks.") + words("first question rainy sunday jazz"));
    CHECK(r.output_tokens == words(text));
}

TEST_CASE("claude: a temperature is sent when the host sets one, within Claude's 0 to 1", "[claude]") {
    FakeLlm llm = make_fake();
    auto provider = make_claude(llm);
    CompletionRequest request = chat("hello");
    std::string text;
    request.temperature = 0.25F;
    REQUIRE(provider->complete(request, &text).ok());
    CHECK(parse(last_request(llm).body)["temperature"].GetDouble() == Approx(0.25));
    request.temperature = 1.6F;  // fine for OpenAI, refused by Claude
    REQUIRE(provider->complete(request, &text).ok());
    CHECK(parse(last_request(llm).body)["temperature"].GetDouble() == Approx(1.0));
}

TEST_CASE("claude: a JSON answer with an object schema is forced through one tool, and the answer is its input",
          "[claude][json]") {
    FakeLlm llm = make_fake();
    auto provider = make_claude(llm);
    llm.push_answer(R"({"moods": ["calm", "sad"]})");
    CompletionRequest request = chat("tag: Kind of Blue");
    request.json = true;
    request.json_schema = std::string(kMoodsSchema);
    std::string text;
    const CallResult r = provider->complete(request, &text);
    INFO(r.message);
    REQUIRE(r.ok());
    CHECK(canonical(text) == canonical(R"({"moods":["calm","sad"]})"));

    const auto body = parse(last_request(llm).body);
    REQUIRE(body["tools"].IsArray());
    REQUIRE(body["tools"].Size() == 1);
    const auto& tool = body["tools"][0];
    CHECK(std::string(tool["name"].GetString()) == "answer");
    CHECK(dump(tool["input_schema"]) == canonical(std::string(kMoodsSchema)));  // the schema, as it is
    CHECK(dump(body["tool_choice"]) == R"({"type":"tool","name":"answer"})");
    CHECK(body["system"].GetString() == std::string("You tag music tracks."));  // no JSON instruction needed

    const std::vector<FakeLlmCall> calls = llm.calls();
    REQUIRE(calls.size() == 1);
    CHECK(calls[0].tool == "answer");
    CHECK(calls[0].json);
}

TEST_CASE("claude: a non-object schema is wrapped in an object's `value`, and the answer unwrapped", "[claude][json]") {
    FakeLlm llm = make_fake();
    auto provider = make_claude(llm);
    const std::string schema = R"({"type":"array","items":{"type":"string"},"minItems":1})";
    llm.push_answer(R"({"value": ["bebop", "cool jazz"]})");
    CompletionRequest request = chat("genres of Kind of Blue");
    request.json = true;
    request.json_schema = schema;
    std::string text;
    const CallResult r = provider->complete(request, &text);
    INFO(r.message);
    REQUIRE(r.ok());
    CHECK(canonical(text) == R"(["bebop","cool jazz"])");

    const auto body = parse(last_request(llm).body);
    const auto& input_schema = body["tools"][0]["input_schema"];
    CHECK(std::string(input_schema["type"].GetString()) == "object");
    CHECK(dump(input_schema["properties"]["value"]) == canonical(schema));
    CHECK(dump(input_schema["required"]) == R"(["value"])");

    SECTION("the fake's own answer for the wrapped schema unwraps to a valid array") {
        std::string own;
        REQUIRE(provider->complete(request, &own).ok());
        const auto doc = parse(own);
        CHECK(doc.IsArray());
    }
}

TEST_CASE("claude: JSON without a schema is asked for in the system text, with no tool", "[claude][json]") {
    FakeLlm llm = make_fake();
    auto provider = make_claude(llm);
    llm.push_answer(R"({"greeting": "hello"})");
    CompletionRequest request = chat("Say hello as JSON.");
    request.json = true;
    std::string text;
    REQUIRE(provider->complete(request, &text).ok());
    CHECK(text == R"({"greeting": "hello"})");
    const auto body = parse(last_request(llm).body);
    CHECK_FALSE(body.HasMember("tools"));
    CHECK_FALSE(body.HasMember("tool_choice"));
    CHECK_THAT(std::string(body["system"].GetString()),
               Catch::StartsWith("You tag music tracks.") && Catch::Contains("one JSON value"));
}

TEST_CASE("claude: max_tokens is the request's, else the setting, else 8192, never above the model's cap",
          "[claude][max_tokens]") {
    FakeLlm llm = make_fake();
    const auto sent_max = [&]() { return parse(last_request(llm).body)["max_tokens"].GetUint(); };
    std::string text;

    SECTION("the request's limit wins over the setting") {
        auto provider = make_claude(llm, {.max_tokens = "1000"});
        CompletionRequest request = chat("hi");
        request.max_output_tokens = 500;
        REQUIRE(provider->complete(request, &text).ok());
        CHECK(sent_max() == 500);
        request.max_output_tokens = 0;
        REQUIRE(provider->complete(request, &text).ok());
        CHECK(sent_max() == 1000);
    }
    SECTION("over the cap: capped to the family's maximum, so the API takes it") {
        auto sonnet = make_claude(llm);
        CompletionRequest request = chat("hi");
        request.max_output_tokens = 100'000;
        const CallResult r = sonnet->complete(request, &text);
        INFO(r.message);
        CHECK(r.ok());
        CHECK(sent_max() == 64'000);

        auto haiku3 = make_claude(llm, {.model = kOldHaiku});
        REQUIRE(haiku3->complete(request, &text).ok());
        CHECK(sent_max() == 4'096);
        request.max_output_tokens = 0;  // the 8192 default is above this model's cap too
        REQUIRE(haiku3->complete(request, &text).ok());
        CHECK(sent_max() == 4'096);

        llm.add_model({.name = "claude-opus-4-1-20250805", .output_cap = 32'000});
        auto opus41 = make_claude(llm, {.model = "claude-opus-4-1-20250805", .max_tokens = "50000"});
        REQUIRE(opus41->complete(request, &text).ok());
        CHECK(sent_max() == 32'000);

        llm.add_model({.name = "claude-opus-4-6", .output_cap = 128'000});
        auto opus46 = make_claude(llm, {.model = "claude-opus-4-6"});
        request.max_output_tokens = 200'000;
        REQUIRE(opus46->complete(request, &text).ok());
        CHECK(sent_max() == 128'000);
    }
    SECTION("a model the plugin does not know: 4096 at most, or the setting, which is then its cap") {
        llm.add_model({.name = "claude-future-9", .output_cap = 32'000});
        CompletionRequest request = chat("hi");
        request.max_output_tokens = 20'000;
        auto unknown = make_claude(llm, {.model = "claude-future-9"});
        REQUIRE(unknown->complete(request, &text).ok());
        CHECK(sent_max() == 4'096);
        auto declared = make_claude(llm, {.model = "claude-future-9", .max_tokens = "30000"});
        REQUIRE(declared->complete(request, &text).ok());
        CHECK(sent_max() == 20'000);
        request.max_output_tokens = 40'000;
        REQUIRE(declared->complete(request, &text).ok());
        CHECK(sent_max() == 30'000);
    }
}

TEST_CASE("claude: an answer cut at max_tokens is INVALID_INPUT saying so, and not sent again", "[claude][max_tokens]") {
    FakeLlm llm = make_fake();
    auto provider = make_claude(llm, {.retries = 2});
    CompletionRequest request = chat("hi");
    request.max_output_tokens = 3;
    std::string text;

    SECTION("text") {
        llm.push_answer("a long answer of many more words than three");
        const CallResult r = provider->complete(request, &text);
        CHECK(r.status == PMX_INVALID_INPUT);
        CHECK_THAT(r.message, Catch::Contains("cut at max_tokens (3") && Catch::Contains("`max_tokens` setting"));
    }
    SECTION("a forced tool") {
        request.json = true;
        request.json_schema = std::string(kMoodsSchema);
        llm.push_answer(R"({"moods": ["calm", "happy", "sad", "calm", "happy"]})");
        const CallResult r = provider->complete(request, &text);
        CHECK(r.status == PMX_INVALID_INPUT);
        CHECK_THAT(r.message, Catch::Contains("cut at max_tokens"));
    }
    CHECK(llm.http().request_count() == 1);
}

TEST_CASE("claude errors: a wrong or missing key is AUTH with the API's words, and the key nowhere", "[claude][errors]") {
    FakeLlm llm = make_fake();
    auto provider = make_claude(llm, {.key = kWrongKey});
    std::string text;
    const CallResult r = provider->complete(chat("hi"), &text);
    CHECK(r.status == PMX_AUTH);
    CHECK(r.http_status == 401);
    CHECK_THAT(r.message, Catch::Contains("authentication_error") && Catch::Contains("invalid x-api-key") &&
                              Catch::Contains("`api_key`"));
    check_no_key(llm, r.message, kWrongKey);

    llm.add_rule({.kind = FakeLlmRule::Kind::status, .status = 403});
    auto right_key = make_claude(llm);
    const CallResult denied = right_key->complete(chat("hi"), &text);
    CHECK(denied.status == PMX_AUTH);
    CHECK(denied.http_status == 403);
    CHECK_THAT(denied.message, Catch::Contains("permission_error") && Catch::Contains("does not have permission"));
    check_no_key(llm, denied.message, llm.key());

    CHECK_THAT(create_error({{"base_url", llm.url() + "/v1"}}), Catch::Contains("`api_key`"));
    CHECK_THAT(create_error({{"api_key", llm.key()}, {"base_url", "ftp://example"}}), Catch::Contains("`base_url`"));
    CHECK_THAT(create_error({{"api_key", llm.key()}, {"max_tokens", "0"}}), Catch::Contains("`max_tokens`"));
}

TEST_CASE("claude errors: an unknown or retired model is INVALID_INPUT naming the `model` setting", "[claude][errors]") {
    FakeLlm llm = make_fake();
    auto provider = make_claude(llm, {.model = "claude-2.1", .retries = 2});
    std::string text;
    const CallResult r = provider->complete(chat("hi"), &text);
    CHECK(r.status == PMX_INVALID_INPUT);
    CHECK(r.http_status == 404);
    CHECK_THAT(r.message, Catch::Contains("not_found_error") && Catch::Contains("model: claude-2.1") &&
                              Catch::Contains("retired") && Catch::Contains("`model` setting"));
    CHECK(llm.http().request_count() == 1);
}

TEST_CASE("claude errors: a base_url without /v1 is NOT_FOUND naming base_url", "[claude][errors]") {
    FakeLlm llm = make_fake();
    auto provider = make_claude(llm, {.base_path = ""});
    std::string text;
    const CallResult r = provider->complete(chat("hi"), &text);
    CHECK(r.status == PMX_NOT_FOUND);
    CHECK_THAT(r.message, Catch::Contains("`base_url`"));
}

TEST_CASE("claude errors: a 400 invalid_request_error is INVALID_INPUT with the API's message", "[claude][errors]") {
    FakeLlm llm = make_fake();
    auto provider = make_claude(llm, {.anthropic_version = "2099-01-01", .retries = 2});
    std::string text;
    const CallResult r = provider->complete(chat("hi"), &text);
    CHECK(r.status == PMX_INVALID_INPUT);
    CHECK(r.http_status == 400);
    CHECK_THAT(r.message, Catch::Contains("invalid_request_error") && Catch::Contains("is not a valid version"));
    CHECK(llm.http().request_count() == 1);
}

TEST_CASE("claude errors: 429 is RATE_LIMITED, 529 and 5xx UNAVAILABLE, a garbage or truncated 200 BAD_RESPONSE",
          "[claude][errors]") {
    FakeLlm llm = make_fake();
    auto provider = make_claude(llm);
    std::string text;

    llm.add_rule({.kind = FakeLlmRule::Kind::status, .status = 429});
    CallResult r = provider->complete(chat("hi"), &text);
    CHECK(r.status == PMX_RATE_LIMITED);
    CHECK_THAT(r.message, Catch::Contains("rate_limit_error") && Catch::Contains("exceed your account's rate limit"));
    check_no_key(llm, r.message, llm.key());

    for (const int status : {529, 500, 503}) {
        llm.clear_rules();
        llm.add_rule({.kind = FakeLlmRule::Kind::status, .status = status});
        r = provider->complete(chat("hi"), &text);
        CHECK(r.status == PMX_UNAVAILABLE);
        CHECK(r.http_status == status);
        if (status == 529) CHECK_THAT(r.message, Catch::Contains("overloaded_error") && Catch::Contains("Overloaded"));
        check_no_key(llm, r.message, llm.key());
    }
    for (const auto kind : {FakeLlmRule::Kind::garbage, FakeLlmRule::Kind::truncated}) {
        llm.clear_rules();
        llm.add_rule({.kind = kind});
        r = provider->complete(chat("hi"), &text);
        CHECK(r.status == PMX_BAD_RESPONSE);
        CHECK_THAT(r.message, Catch::Contains("not JSON"));
    }
}

TEST_CASE("claude errors: the host sends a request again after a 529 overloaded_error and a 429's retry-after",
          "[claude][errors][retry]") {
    FakeLlm llm = make_fake();
    std::vector<std::chrono::milliseconds> waits;
    Options o;
    o.retries = 2;
    o.hooks.sleep = [&](std::chrono::milliseconds wait, const CancelToken&) {
        waits.push_back(wait);
        return false;  // not cancelled; no real sleep
    };
    o.hooks.jitter = [](std::chrono::milliseconds cap) { return cap; };
    auto provider = make_claude(llm, o);
    std::string text;

    llm.add_rule({.kind = FakeLlmRule::Kind::status, .status = 529, .times = 1});
    CallResult r = provider->complete(chat("hi"), &text);
    INFO(r.message);
    CHECK(r.ok());
    CHECK(text == "echo: hi");
    CHECK(llm.http().request_count() == 2);
    CHECK(waits.size() == 1);
    // Sent again by the host's HTTP service (the request is flagged retry-safe and 529 is among
    // the statuses it retries), not by calling the plugin a second time.
    CHECK(r.attempts == 1);

    llm.clear_rules();
    llm.add_rule({.kind = FakeLlmRule::Kind::status, .status = 429, .retry_after = "3", .times = 1});
    r = provider->complete(chat("hi"), &text);
    INFO(r.message);
    CHECK(r.ok());
    CHECK(llm.http().request_count() == 4);
    REQUIRE(waits.size() == 2);
    CHECK(waits[1] == 3s);  // the API's retry-after
}

TEST_CASE("claude: the structured-call service gets a valid answer through the forced tool", "[claude][structured]") {
    FakeLlm llm = make_fake();
    auto provider = make_claude(llm);
    const llm::Schema schema{kMoodsSchema};
    llm.push_answer(R"({"moods": ["happy"]})");
    llm::StructuredRequest request;
    request.system = "You tag music tracks.";
    request.user = "tag: Walking on Sunshine";
    request.schema = &schema;
    llm::UsageLedger ledger;
    const llm::StructuredAnswer answer = llm::structured_call(*provider, request, &ledger, kSonnet);
    INFO(answer.error);
    REQUIRE(answer.ok());
    CHECK(canonical(answer.json) == R"({"moods":["happy"]})");
    CHECK(answer.asks == 1);
    CHECK_FALSE(answer.repaired);
    CHECK(answer.usage.input_tokens == words("You tag music tracks.") + words("tag: Walking on Sunshine"));
    CHECK(answer.usage.output_tokens == words(R"({"moods": ["happy"]})"));
    CHECK(ledger.total().requests == 1);
    const auto body = parse(last_request(llm).body);
    CHECK(dump(body["tools"][0]["input_schema"]) == canonical(std::string(kMoodsSchema)));
}

TEST_CASE("claude: the structured-call service repairs an invalid answer with one more ask", "[claude][structured]") {
    FakeLlm llm = make_fake();
    auto provider = make_claude(llm);
    const llm::Schema schema{kMoodsSchema};
    llm.push_answer(R"({"moods": ["furious"]})");  // outside the schema's enum
    llm.push_answer(R"({"moods": ["sad"]})");
    llm::StructuredRequest request;
    request.system = "You tag music tracks.";
    request.user = "tag: Yesterday";
    request.schema = &schema;
    const llm::StructuredAnswer answer = llm::structured_call(*provider, request);
    INFO(answer.error);
    REQUIRE(answer.ok());
    CHECK(canonical(answer.json) == R"({"moods":["sad"]})");
    CHECK(answer.asks == 2);
    CHECK(answer.repaired);
    CHECK(answer.usage.requests == 2);

    // The second ask carries the invalid answer as the assistant's turn and the validation error.
    const auto body = parse(last_request(llm).body);
    const auto& messages = body["messages"];
    REQUIRE(messages.Size() == 3);
    CHECK(std::string(messages[1]["role"].GetString()) == "assistant");
    CHECK_THAT(std::string(messages[1]["content"].GetString()), Catch::Contains("furious"));
    CHECK(std::string(messages[2]["role"].GetString()) == "user");
    CHECK_THAT(std::string(messages[2]["content"].GetString()), Catch::Contains("not valid"));
    CHECK(body.HasMember("tool_choice"));  // still forced through the tool
}

TEST_CASE("claude: the structured-call service over a non-object schema: a wrapped answer missing `value` is repaired",
          "[claude][structured]") {
    FakeLlm llm = make_fake();
    auto provider = make_claude(llm);
    const llm::Schema schema{R"({"type":"array","items":{"enum":["calm","happy","sad"]}})"};
    llm.push_answer(R"({"moods": ["calm"]})");  // the model ignored the wrapper
    llm.push_answer(R"({"value": ["calm"]})");
    llm::StructuredRequest request;
    request.system = "You tag music tracks.";
    request.user = "moods of Clair de lune";
    request.schema = &schema;
    const llm::StructuredAnswer answer = llm::structured_call(*provider, request);
    INFO(answer.error);
    REQUIRE(answer.ok());
    CHECK(canonical(answer.json) == R"(["calm"])");
    CHECK(answer.asks == 2);
    CHECK(answer.repaired);
}

TEST_CASE("claude: a refusal is INVALID_INPUT, a forced tool's answer without its tool_use block BAD_RESPONSE",
          "[claude][errors]") {
    FakeLlm llm = make_fake();
    auto provider = make_claude(llm);
    std::string stop_reason;
    std::string content;
    // A well-formed message the fake's model would not give: the API's envelope with chosen parts.
    llm.http().set_interceptor([&](const FakeRequest&, const pmx::test::FakeResponse* answered)
                                   -> std::optional<pmx::test::FakeResponse> {
        if (answered != nullptr) return std::nullopt;
        return pmx::test::FakeResponse::json(
            200, R"({"id":"msg_x","type":"message","role":"assistant","model":")" + std::string(kSonnet) +
                     R"(","content":)" + content + R"(,"stop_reason":")" + stop_reason +
                     R"(","stop_sequence":null,"usage":{"input_tokens":5,"output_tokens":2}})");
    });
    std::string text;

    stop_reason = "refusal";
    content = "[]";
    CallResult r = provider->complete(chat("hi"), &text);
    CHECK(r.status == PMX_INVALID_INPUT);
    CHECK_THAT(r.message, Catch::Contains("declined"));
    CHECK(r.input_tokens == 5);  // usage is reported even for an answer that fails

    stop_reason = "end_turn";
    content = R"([{"type":"text","text":"Here are the moods."}])";
    CompletionRequest request = chat("hi");
    request.json = true;
    request.json_schema = std::string(kMoodsSchema);
    r = provider->complete(request, &text);
    CHECK(r.status == PMX_BAD_RESPONSE);
    CHECK_THAT(r.message, Catch::Contains("no \"answer\" tool_use block"));

    content = R"([{"type":"text","text":"Rainy "},{"type":"text","text":"jazz."}])";
    r = provider->complete(chat("hi"), &text);
    INFO(r.message);
    REQUIRE(r.ok());
    CHECK(text == "Rainy jazz.");  // text blocks joined
}
