// The gemini plugin, loaded from disk like the host loads it, against the fake Gemini API.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include "plugin/loader.hpp"
#include "plugin/provider.hpp"
#include "support/fake_http_server.hpp"
#include "support/fake_llm.hpp"
#include "support/provider_plugin.hpp"

using namespace pmx;
using pmx::test::FakeHttpServer;
using pmx::test::FakeLlm;
using pmx::test::FakeLlmOptions;
using pmx::test::FakeLlmRule;
using pmx::test::FakeRequest;
using pmx::test::FakeResponse;
using pmx::test::LlmApi;
using std::chrono::milliseconds;

namespace {

constexpr std::size_t kFullDim = 3072;  // gemini-embedding-001
constexpr std::size_t kShortDim = 768;
constexpr std::size_t kMaxBatch = 100;
constexpr double kTolerance = 1e-5;

LoadedPlugin& gemini_plugin() { return test::plugin_from(PMX_GEMINI_PLUGIN); }

struct Options {
    std::optional<std::string> key;  // default: the fake's
    std::string model = "gemini-2.5-flash";
    std::string embedding_model = "gemini-embedding-001";
    std::optional<std::string> dimensions;
    std::string thinking_budget = "0";
    int retries = 0;  // one attempt per call: faults show as they are
    RuntimeHooks hooks;
};

FakeLlm make_fake() { return FakeLlm(FakeLlmOptions{.api = LlmApi::gemini}); }

SettingList settings_for(const std::string& base_url, const std::string& key, const Options& o) {
    SettingList settings = {{"api_key", key},
                            {"base_url", base_url},
                            {"model", o.model},
                            {"embedding_model", o.embedding_model},
                            {"thinking_budget", o.thinking_budget},
                            {"context_tokens", "1048576"}};
    if (o.dimensions) settings.emplace_back("dimensions", *o.dimensions);
    return settings;
}

std::unique_ptr<Provider> make_gemini_at(const std::string& base_url, const std::string& key, const Options& o = {}) {
    CallPolicy policy;
    policy.retries = o.retries;
    policy.timeout = std::chrono::seconds(10);
    policy.deadline = std::chrono::seconds(60);
    return test::provider_of(gemini_plugin(), "gemini", settings_for(base_url, key, o), policy, o.hooks);
}

std::unique_ptr<Provider> make_gemini(const FakeLlm& llm, const Options& o = {}) {
    return make_gemini_at(llm.url() + "/v1beta", o.key.value_or(llm.key()), o);
}

rapidjson::Document parse(const std::string& text) {
    rapidjson::Document doc;
    doc.Parse(text.c_str(), text.size());
    INFO(text);
    REQUIRE_FALSE(doc.HasParseError());
    return doc;
}

FakeRequest last_request(const FakeLlm& llm) {
    const std::vector<FakeRequest> requests = llm.http().requests();
    REQUIRE_FALSE(requests.empty());
    return requests.back();
}

// The request a call sent: the key only in its header, nowhere in the URL or the body.
void check_key_only_in_header(const FakeRequest& r, const std::string& key) {
    REQUIRE(r.header("x-goog-api-key"));
    CHECK(*r.header("x-goog-api-key") == key);
    CHECK(r.target.find(key) == std::string::npos);
    CHECK_FALSE(r.query_param("key"));
    CHECK(r.body.find(key) == std::string::npos);
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

double norm(const float* v, std::size_t dim) {
    double sum = 0;
    for (std::size_t i = 0; i < dim; ++i) sum += double(v[i]) * v[i];
    return std::sqrt(sum);
}

// True when any object in `value`, at any depth, has a member called `name`.
bool has_key_anywhere(const rapidjson::Value& value, const char* name) {
    if (value.IsObject()) {
        for (const auto& m : value.GetObject()) {
            if (std::string(m.name.GetString()) == name || has_key_anywhere(m.value, name)) return true;
        }
    } else if (value.IsArray()) {
        for (const auto& v : value.GetArray()) {
            if (has_key_anywhere(v, name)) return true;
        }
    }
    return false;
}

}  // namespace

TEST_CASE("gemini: a text completion goes to generateContent with the key in x-goog-api-key only", "[gemini]") {
    FakeLlm llm = make_fake();
    auto provider = make_gemini(llm);
    CompletionRequest request = chat("first question");
    request.messages.push_back({PMX_ROLE_ASSISTANT, "an earlier answer"});
    request.messages.push_back({PMX_ROLE_USER, "rainy sunday jazz"});
    request.max_output_tokens = 256;
    request.temperature = 0.25F;
    std::string text;
    const CallResult r = provider->complete(request, &text);
    INFO(r.message);
    REQUIRE(r.ok());
    CHECK(text == "echo: first question\nrainy sunday jazz");  // the fake echoes the user turns

    const FakeRequest sent = last_request(llm);
    CHECK(sent.method == "POST");
    CHECK(sent.path == "/v1beta/models/gemini-2.5-flash:generateContent");
    check_key_only_in_header(sent, llm.key());
    const auto body = parse(sent.body);
    CHECK(std::string(body["systemInstruction"]["parts"][0]["text"].GetString()) == "You tag music tracks.");
    const auto& contents = body["contents"];
    REQUIRE(contents.Size() == 3);
    CHECK(std::string(contents[0]["role"].GetString()) == "user");
    CHECK(std::string(contents[1]["role"].GetString()) == "model");
    CHECK(std::string(contents[1]["parts"][0]["text"].GetString()) == "an earlier answer");
    CHECK(std::string(contents[2]["role"].GetString()) == "user");
    const auto& config = body["generationConfig"];
    CHECK(config["maxOutputTokens"].GetUint() == 256);
    CHECK(config["temperature"].GetDouble() == Approx(0.25));
    CHECK(config["thinkingConfig"]["thinkingBudget"].GetInt() == 0);  // the default: thinking off on Flash
    CHECK_FALSE(config.HasMember("responseMimeType"));

    // Usage as the API counts it (the fake counts words): prompt = system + user turns.
    CHECK(r.input_tokens == words("You tag music tracks.") + words("first question rainy sunday jazz"));
    CHECK(r.output_tokens == words(text));
}

TEST_CASE("gemini: a temperature is sent only when the host sets one", "[gemini]") {
    FakeLlm llm = make_fake();
    auto provider = make_gemini(llm);
    std::string text;
    REQUIRE(provider->complete(chat("hello"), &text).ok());
    const auto body = parse(last_request(llm).body);
    CHECK_FALSE(body["generationConfig"].HasMember("temperature"));
    CHECK_FALSE(body["generationConfig"].HasMember("maxOutputTokens"));
}

TEST_CASE("gemini: thinking tokens count as output, and the budget follows the model family", "[gemini]") {
    FakeLlm llm = make_fake();
    SECTION("2.5 Pro cannot turn thinking off: budget 0 is sent as its minimum, 128") {
        Options o;
        o.model = "gemini-2.5-pro";
        auto provider = make_gemini(llm, o);
        std::string text;
        const CallResult r = provider->complete(chat("two words"), &text);
        REQUIRE(r.ok());
        const auto body = parse(last_request(llm).body);
        CHECK(body["generationConfig"]["thinkingConfig"]["thinkingBudget"].GetInt() == 128);
        constexpr std::size_t kFakeThoughts = 16;  // what the fake's 2.5 models "think"
        CHECK(r.output_tokens == words(text) + kFakeThoughts);
    }
    SECTION("-1 asks for dynamic thinking") {
        Options o;
        o.thinking_budget = "-1";
        auto provider = make_gemini(llm, o);
        std::string text;
        REQUIRE(provider->complete(chat("hi"), &text).ok());
        const auto body = parse(last_request(llm).body);
        CHECK(body["generationConfig"]["thinkingConfig"]["thinkingBudget"].GetInt() == -1);
    }
    SECTION("models before 2.5 get no thinkingConfig") {
        Options o;
        o.model = "gemini-2.0-flash";
        o.thinking_budget = "512";
        auto provider = make_gemini(llm, o);
        std::string text;
        REQUIRE(provider->complete(chat("hi"), &text).ok());
        const auto body = parse(last_request(llm).body);
        CHECK_FALSE(body["generationConfig"].HasMember("thinkingConfig"));
    }
    SECTION("a request may name its own model") {
        auto provider = make_gemini(llm);
        CompletionRequest request = chat("hi");
        request.model = "models/gemini-2.0-flash";
        std::string text;
        REQUIRE(provider->complete(request, &text).ok());
        CHECK(last_request(llm).path == "/v1beta/models/gemini-2.0-flash:generateContent");
    }
}

TEST_CASE("gemini: JSON answers ask for application/json with the schema in Gemini's own form", "[gemini]") {
    FakeLlm llm = make_fake();
    auto provider = make_gemini(llm);
    CompletionRequest request = chat("tag: Miles Davis - So What");
    request.json = true;
    request.json_schema = R"({
      "$schema": "http://json-schema.org/draft-04/schema#",
      "title": "Tags",
      "type": "object",
      "additionalProperties": false,
      "required": ["moods", "energy", "era", "missing"],
      "properties": {
        "moods": {"type": "array", "minItems": 1, "maxItems": 5,
                  "items": {"type": "string", "enum": ["calm", "dark", "happy"]}},
        "energy": {"type": "integer", "minimum": 0, "maximum": 10, "default": 5},
        "era": {"type": ["string", "null"], "format": "uri"},
        "kind": {"const": "track"},
        "link": {"$ref": "#/definitions/link"}
      },
      "definitions": {"link": {"type": "object", "additionalProperties": false,
                               "properties": {"url": {"type": "string", "format": "date-time"}}}}
    })";
    std::string text;
    const CallResult r = provider->complete(request, &text);
    INFO(r.message);
    REQUIRE(r.ok());
    const auto calls = llm.calls();
    REQUIRE(calls.size() == 1);
    CHECK(calls[0].json);

    const auto body = parse(last_request(llm).body);
    const auto& config = body["generationConfig"];
    CHECK(std::string(config["responseMimeType"].GetString()) == "application/json");
    const rapidjson::Value& schema = config["responseSchema"];
    CHECK(std::string(schema["type"].GetString()) == "OBJECT");
    for (const char* dropped : {"$schema", "title", "additionalProperties", "default", "definitions", "$ref"}) {
        INFO(dropped);
        CHECK_FALSE(has_key_anywhere(schema, dropped));
    }
    // Only the names the object has; in the schema's own order.
    REQUIRE(schema["required"].Size() == 3);
    CHECK(std::string(schema["required"][2].GetString()) == "era");
    REQUIRE(schema["propertyOrdering"].Size() == 5);
    CHECK(std::string(schema["propertyOrdering"][0].GetString()) == "moods");
    CHECK(std::string(schema["propertyOrdering"][4].GetString()) == "link");
    const auto& props = schema["properties"];
    CHECK(std::string(props["moods"]["type"].GetString()) == "ARRAY");
    CHECK(props["moods"]["minItems"].GetUint() == 1);
    CHECK(props["moods"]["maxItems"].GetUint() == 5);
    CHECK(std::string(props["moods"]["items"]["type"].GetString()) == "STRING");
    CHECK(props["moods"]["items"]["enum"].Size() == 3);
    CHECK(std::string(props["energy"]["type"].GetString()) == "INTEGER");
    CHECK(props["energy"]["maximum"].GetDouble() == 10.0);
    CHECK(std::string(props["era"]["type"].GetString()) == "STRING");  // ["string","null"]: STRING, nullable
    CHECK(props["era"]["nullable"].GetBool());
    CHECK_FALSE(props["era"].HasMember("format"));  // "uri": a format the API refuses
    CHECK(std::string(props["kind"]["enum"][0].GetString()) == "track");  // const
    CHECK(std::string(props["link"]["type"].GetString()) == "OBJECT");  // $ref inlined
    CHECK(std::string(props["link"]["properties"]["url"]["format"].GetString()) == "date-time");

    // The answer (the fake's smallest instance of the schema) is JSON.
    const auto answer = parse(text);
    CHECK(answer.IsObject());
}

TEST_CASE("gemini: bare JSON mode asks for application/json without a schema", "[gemini]") {
    FakeLlm llm = make_fake();
    auto provider = make_gemini(llm);
    CompletionRequest request = chat("greet");
    request.json = true;
    std::string text;
    REQUIRE(provider->complete(request, &text).ok());
    const auto body = parse(last_request(llm).body);
    CHECK(std::string(body["generationConfig"]["responseMimeType"].GetString()) == "application/json");
    CHECK_FALSE(body["generationConfig"].HasMember("responseSchema"));
    CHECK(parse(text).IsObject());
}

TEST_CASE("gemini: an answer cut at maxOutputTokens is INVALID_INPUT saying it was cut, and not sent again", "[gemini]") {
    FakeLlm llm = make_fake();
    auto provider = make_gemini(llm);
    llm.push_answer("one two three four five six seven eight nine ten");
    CompletionRequest request = chat("count to ten");
    request.max_output_tokens = 4;
    std::string text;
    const CallResult r = provider->complete(request, &text);
    CHECK(r.status == PMX_INVALID_INPUT);
    CHECK(r.attempts == 1);
    CHECK_THAT(r.message, Catch::Contains("cut") && Catch::Contains("MAX_TOKENS") &&
                              Catch::Contains("maxOutputTokens 4"));
    CHECK(r.output_tokens == 4);  // the tokens were spent all the same
}

TEST_CASE("gemini: blocked prompts and withheld answers are clear errors, thought parts are skipped", "[gemini]") {
    FakeHttpServer server;
    std::string answer;
    std::mutex mutex;
    server.on("/v1beta/models/gemini-2.5-flash:generateContent", [&](const FakeRequest&) {
        std::lock_guard lock(mutex);
        return FakeResponse::json(200, answer);
    });
    const auto set = [&](std::string body) {
        std::lock_guard lock(mutex);
        answer = std::move(body);
    };
    auto provider = make_gemini_at(server.url() + "/v1beta", "a-key-for-the-test");
    std::string text;
    SECTION("promptFeedback.blockReason") {
        set(R"({"promptFeedback":{"blockReason":"SAFETY"},"usageMetadata":{"promptTokenCount":9}})");
        const CallResult r = provider->complete(chat("something"), &text);
        CHECK(r.status == PMX_INVALID_INPUT);
        CHECK_THAT(r.message, Catch::Contains("refused the prompt") && Catch::Contains("SAFETY"));
        CHECK(r.input_tokens == 9);
    }
    SECTION("finishReason SAFETY and RECITATION") {
        for (const std::string reason : {"SAFETY", "RECITATION"}) {
            set(R"({"candidates":[{"content":{"parts":[{"text":"par"}],"role":"model"},"finishReason":")" + reason +
                R"("}]})");
            const CallResult r = provider->complete(chat("something"), &text);
            CHECK(r.status == PMX_INVALID_INPUT);
            CHECK_THAT(r.message, Catch::Contains("withheld") && Catch::Contains(reason));
        }
    }
    SECTION("thought parts are not part of the answer") {
        set(R"({"candidates":[{"content":{"parts":[{"text":"Let me think...","thought":true},{"text":"the "},)"
            R"({"text":"answer"}],"role":"model"},"finishReason":"STOP"}],)"
            R"("usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":2,"thoughtsTokenCount":40}})");
        const CallResult r = provider->complete(chat("something"), &text);
        REQUIRE(r.ok());
        CHECK(text == "the answer");
        CHECK(r.input_tokens == 3);
        CHECK(r.output_tokens == 42);
    }
    SECTION("no candidates at all") {
        set(R"({"usageMetadata":{"promptTokenCount":3}})");
        const CallResult r = provider->complete(chat("something"), &text);
        CHECK(r.status == PMX_BAD_RESPONSE);
        CHECK_THAT(r.message, Catch::Contains("no candidates"));
    }
}

TEST_CASE("gemini: embeddings go through batchEmbedContents with the task type of the call", "[gemini]") {
    FakeLlm llm = make_fake();
    auto provider = make_gemini(llm);
    EmbedderInfo info;
    REQUIRE(provider->embedder_info(&info).ok());
    CHECK(info.dimension == kFullDim);
    CHECK(info.max_batch == kMaxBatch);
    CHECK(info.normalized);
    CHECK(info.model == "gemini-embedding-001");

    const std::vector<std::string> texts = {"Miles Davis So What jazz", "Slayer Angel of Death metal", ""};
    for (const int32_t kind : {PMX_EMBED_DOCUMENT, PMX_EMBED_QUERY}) {
        std::vector<float> out;
        const CallResult r = provider->embed(texts, kind, &out);
        INFO(r.message);
        REQUIRE(r.ok());
        REQUIRE(out.size() == texts.size() * kFullDim);
        const FakeRequest sent = last_request(llm);
        CHECK(sent.path == "/v1beta/models/gemini-embedding-001:batchEmbedContents");
        check_key_only_in_header(sent, llm.key());
        const auto body = parse(sent.body);
        REQUIRE(body["requests"].Size() == texts.size());
        for (const auto& each : body["requests"].GetArray()) {
            CHECK(std::string(each["model"].GetString()) == "models/gemini-embedding-001");
            CHECK(std::string(each["taskType"].GetString()) ==
                  (kind == PMX_EMBED_DOCUMENT ? "RETRIEVAL_DOCUMENT" : "RETRIEVAL_QUERY"));
            CHECK_FALSE(each.HasMember("outputDimensionality"));
        }
        // The API refuses empty content: an empty text goes as a word that means "nothing known".
        CHECK(std::string(body["requests"][2]["content"]["parts"][0]["text"].GetString()) == "untitled");
        // The vectors are the API's, in order: the fake's embedding of each text.
        for (std::size_t i = 0; i < 2; ++i) {
            const std::vector<float> want = FakeLlm::embed(texts[i], kFullDim, 0, false);
            CHECK(std::equal(want.begin(), want.end(), out.begin() + static_cast<long>(i * kFullDim),
                             [](float a, float b) { return std::abs(a - b) < kTolerance; }));
            CHECK(norm(out.data() + i * kFullDim, kFullDim) == Approx(1.0).epsilon(kTolerance));
        }
    }
    CHECK(llm.embedded_texts() == 2 * texts.size());
}

TEST_CASE("gemini: a batch of 100 texts is one request, more is refused before any request", "[gemini]") {
    FakeLlm llm = make_fake();
    auto provider = make_gemini(llm);
    std::vector<std::string> texts(kMaxBatch);
    for (std::size_t i = 0; i < texts.size(); ++i) texts[i] = "track number " + std::to_string(i);
    std::vector<float> out;
    REQUIRE(provider->embed(texts, PMX_EMBED_DOCUMENT, &out).ok());
    CHECK(llm.http().request_count() == 1);
    CHECK(out.size() == kMaxBatch * kFullDim);

    texts.emplace_back("one too many");
    const CallResult r = provider->embed(texts, PMX_EMBED_DOCUMENT, &out);
    CHECK(r.status == PMX_INVALID_INPUT);
    CHECK(llm.http().request_count() == 1);
}

TEST_CASE("gemini: shortened vectors ask for outputDimensionality and are declared not normalised", "[gemini]") {
    FakeLlm llm = make_fake();
    Options o;
    o.dimensions = std::to_string(kShortDim);
    auto provider = make_gemini(llm, o);
    EmbedderInfo info;
    REQUIRE(provider->embedder_info(&info).ok());
    CHECK(info.dimension == kShortDim);
    CHECK_FALSE(info.normalized);  // the host normalises them
    CHECK(info.model == "gemini-embedding-001@768");  // stored apart from the full-size vectors

    std::vector<float> out;
    REQUIRE(provider->embed({"Kind of Blue"}, PMX_EMBED_QUERY, &out).ok());
    REQUIRE(out.size() == kShortDim);
    const auto body = parse(last_request(llm).body);
    CHECK(body["requests"][0]["outputDimensionality"].GetUint() == kShortDim);
    // The API's vector is a prefix of the full one, shorter than unit length; the host scales it.
    const std::vector<float> raw = FakeLlm::embed("Kind of Blue", kFullDim, kShortDim, false);
    const double raw_norm = norm(raw.data(), kShortDim);
    CHECK(raw_norm < 1.0 - 1e-3);
    for (std::size_t i = 0; i < kShortDim; ++i) {
        INFO(i);
        REQUIRE(out[i] == Approx(raw[i] / raw_norm).margin(kTolerance));
    }
    CHECK(norm(out.data(), kShortDim) == Approx(1.0).epsilon(kTolerance));
}

TEST_CASE("gemini: settings are checked when the provider is created", "[gemini]") {
    LoadedPlugin& plugin = gemini_plugin();
    ProviderRuntime runtime("gemini", "gemini", CallPolicy{}, 1);
    const auto refused = [&](Options o) {
        std::string error;
        CHECK_FALSE(PluginInstance::create(plugin, settings_for("http://127.0.0.1:9/v1beta", "k", o), runtime, &error));
        return error;
    };
    Options too_big;
    too_big.dimensions = "4096";
    CHECK_THAT(refused(too_big), Catch::Contains("dimensions") && Catch::Contains("3072"));
    Options unknown;
    unknown.embedding_model = "some-new-embedder";
    CHECK_THAT(refused(unknown), Catch::Contains("some-new-embedder") && Catch::Contains("dimensions"));
    unknown.dimensions = "1024";  // then the setting gives the size
    std::string error;
    CHECK(PluginInstance::create(plugin, settings_for("http://127.0.0.1:9/v1beta", "k", unknown), runtime, &error));
}

TEST_CASE("gemini: every error class maps to its status with the API's message and never the key", "[gemini]") {
    FakeLlm llm = make_fake();
    const std::string key = llm.key();
    struct Case {
        std::string name;
        int status;
        pmx_status want;
        std::string says;
    };
    SECTION("a wrong key is 400 API_KEY_INVALID: AUTH naming the setting") {
        const std::string wrong = "AIzaWrongKey-0000000000000000000";
        Options o;
        o.key = wrong;
        auto provider = make_gemini(llm, o);
        std::string text;
        const CallResult c = provider->complete(chat("hi"), &text);
        std::vector<float> out;
        const CallResult e = provider->embed({"hi"}, PMX_EMBED_DOCUMENT, &out);
        for (const CallResult& r : {c, e}) {
            INFO(r.message);
            CHECK(r.status == PMX_AUTH);
            CHECK(r.http_status == 400);
            CHECK(r.attempts == 1);
            CHECK_THAT(r.message, Catch::Contains("api_key") && Catch::Contains("API key not valid"));
            CHECK(r.message.find(wrong) == std::string::npos);
        }
    }
    SECTION("statuses from the API's own error bodies") {
        auto provider = make_gemini(llm);
        const std::vector<Case> cases = {
            {"403", 403, PMX_AUTH, "unregistered callers"},
            {"400", 400, PMX_INVALID_INPUT, "invalid argument"},
            {"500", 500, PMX_UNAVAILABLE, "internal error"},
            {"503", 503, PMX_UNAVAILABLE, "overloaded"},
            {"429", 429, PMX_RATE_LIMITED, "exceeded your current quota"},
        };
        for (const Case& c : cases) {
            INFO(c.name);
            llm.clear_rules();
            llm.add_rule(FakeLlmRule{.kind = FakeLlmRule::Kind::status, .status = c.status});
            std::string text;
            const CallResult r = provider->complete(chat("hi"), &text);
            INFO(r.message);
            CHECK(r.status == c.want);
            CHECK(r.http_status == c.status);
            CHECK_THAT(r.message, Catch::Contains(c.says, Catch::CaseSensitive::No) &&
                                      Catch::Contains("HTTP " + c.name));
            CHECK(r.message.find(key) == std::string::npos);
        }
    }
    SECTION("an unknown or retired model is INVALID_INPUT naming the setting to change") {
        Options o;
        o.model = "gemini-1.0-pro";
        o.embedding_model = "text-embedding-004";
        llm.clear_rules();
        auto provider = make_gemini(llm, o);
        std::string text;
        const CallResult c = provider->complete(chat("hi"), &text);
        CHECK(c.status == PMX_INVALID_INPUT);
        CHECK(c.http_status == 404);
        CHECK_THAT(c.message, Catch::Contains("gemini-1.0-pro") && Catch::Contains("`model`") &&
                                  Catch::Contains("retires"));
        // text-embedding-004 is known to the plugin (768) but this fake no longer serves it.
        FakeLlm newer(FakeLlmOptions{.api = LlmApi::gemini, .models = {{.name = "gemini-2.5-flash", .output_cap = 8}}});
        auto p2 = make_gemini(newer, o);
        std::vector<float> out;
        const CallResult e = p2->embed({"hi"}, PMX_EMBED_DOCUMENT, &out);
        CHECK(e.status == PMX_INVALID_INPUT);
        CHECK_THAT(e.message, Catch::Contains("text-embedding-004") && Catch::Contains("`embedding_model`"));
    }
    SECTION("a truncated or non-JSON 200 is BAD_RESPONSE") {
        auto provider = make_gemini(llm);
        for (const auto kind : {FakeLlmRule::Kind::truncated, FakeLlmRule::Kind::garbage}) {
            llm.clear_rules();
            llm.add_rule(FakeLlmRule{.kind = kind});
            std::string text;
            const CallResult c = provider->complete(chat("hi"), &text);
            CHECK(c.status == PMX_BAD_RESPONSE);
            CHECK_THAT(c.message, Catch::Contains("not JSON"));
            std::vector<float> out;
            const CallResult e = provider->embed({"hi"}, PMX_EMBED_DOCUMENT, &out);
            CHECK(e.status == PMX_BAD_RESPONSE);
        }
    }
}

TEST_CASE("gemini: a 429's RetryInfo.retryDelay is the wait the host's retries honour", "[gemini]") {
    FakeLlm llm = make_fake();
    std::vector<milliseconds> waits;
    std::mutex mutex;
    Options o;
    o.retries = 2;
    o.hooks.jitter = [](milliseconds) { return milliseconds(0); };  // backoff alone would not wait
    o.hooks.sleep = [&](milliseconds wait, const CancelToken&) {
        std::lock_guard lock(mutex);
        waits.push_back(wait);
        return false;
    };
    auto provider = make_gemini(llm, o);
    SECTION("completion, a whole-second delay") {
        const std::size_t rule = llm.add_rule(FakeLlmRule{.kind = FakeLlmRule::Kind::status, .status = 429,
                                                          .retry_after = "7", .times = 1});
        std::string text;
        const CallResult r = provider->complete(chat("hi"), &text);
        INFO(r.message);
        REQUIRE(r.ok());
        CHECK(llm.rule_hits(rule) == 1);
        CHECK(waits == std::vector<milliseconds>{milliseconds(7000)});
    }
    SECTION("embeddings, a fractional delay") {
        llm.add_rule(FakeLlmRule{.kind = FakeLlmRule::Kind::status, .path_contains = "batchEmbedContents",
                                 .status = 429, .retry_after = "1.5", .times = 2});
        std::vector<float> out;
        const CallResult r = provider->embed({"a", "b"}, PMX_EMBED_DOCUMENT, &out);
        INFO(r.message);
        REQUIRE(r.ok());
        CHECK(waits == std::vector<milliseconds>{milliseconds(1500), milliseconds(1500)});
        CHECK(llm.embedded_texts() == 2);
    }
}
