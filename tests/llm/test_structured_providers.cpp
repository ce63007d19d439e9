// The structured-call service (engine/src/llm) through each real completer plugin, loaded from
// disk, against the fake LLM APIs: OpenAI, Gemini, Cohere, Claude, and OpenAI-compatible servers
// in each of the ways they treat response_format. One test case per provider, one section per
// behaviour: a schema-bound answer, the request's JSON form, fences, the one repair, a second
// invalid answer, a refused key.
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include "llm/structured_call.hpp"
#include "plugin/provider.hpp"
#include "support/fake_http_server.hpp"
#include "support/fake_llm.hpp"
#include "support/provider_plugin.hpp"

using namespace pmx;
using pmx::test::CompatJson;
using pmx::test::FakeLlm;
using pmx::test::FakeLlmCall;
using pmx::test::FakeLlmOptions;
using pmx::test::FakeLlmRule;
using pmx::test::FakeRequest;
using pmx::test::FakeResponse;
using pmx::test::LlmApi;

namespace {

// Track tags as a tagger asks for them: a required array of objects with an enum and a bounded
// integer.
constexpr std::string_view kSchema = R"({
  "type": "object",
  "required": ["tracks"],
  "additionalProperties": false,
  "properties": {
    "tracks": {"type": "array", "minItems": 1, "items": {
      "type": "object",
      "required": ["id", "moods", "energy"],
      "additionalProperties": false,
      "properties": {
        "id": {"type": "integer"},
        "moods": {"type": "array", "minItems": 1,
                  "items": {"type": "string", "enum": ["calm", "happy", "melancholic", "energetic", "dark"]}},
        "energy": {"type": "integer", "minimum": 1, "maximum": 5}}}}
  }
})";
constexpr const char* kMoods[] = {"calm", "happy", "melancholic", "energetic", "dark"};

constexpr std::string_view kSystem =
    "You tag music tracks: moods from the allowed list and an energy level from 1 (quiet) to 5 (intense).";
constexpr std::string_view kUser =
    "Tag these tracks.\n1: Miles Davis - So What\n2: Daft Punk - One More Time\n3: Joy Division - Atmosphere";

constexpr std::string_view kValid =
    R"({"tracks": [{"id": 1, "moods": ["calm", "melancholic"], "energy": 2},)"
    R"( {"id": 2, "moods": ["happy", "energetic"], "energy": 5},)"
    R"( {"id": 3, "moods": ["dark", "melancholic"], "energy": 2}]})";
constexpr std::string_view kOutOfEnum = R"({"tracks": [{"id": 1, "moods": ["cool"], "energy": 2}]})";
constexpr std::string_view kMissingEnergy = R"({"tracks": [{"id": 1, "moods": ["calm"]}]})";
// What a model writes when nobody showed it the schema.
constexpr std::string_view kUntold = R"({"So What": "cool jazz", "One More Time": "party", "Atmosphere": "bleak"})";

constexpr const char* kWrongKey = "sk-wrong-key-for-the-test-0123456789abcdef";

struct Target {
    LlmApi api = LlmApi::openai;
    CompatJson compat = CompatJson::all;  // LlmApi::compatible only
};

const char* plugin_name(LlmApi api) {
    switch (api) {
        case LlmApi::openai:
        case LlmApi::compatible: return "openai";
        case LlmApi::gemini: return "gemini";
        case LlmApi::claude: return "claude";
        case LlmApi::cohere: return "cohere";
    }
    return "";
}

LoadedPlugin& plugin_of(LlmApi api) {
    const char* path = "";
    switch (api) {
        case LlmApi::openai:
        case LlmApi::compatible: path = PMX_OPENAI_PLUGIN; break;
        case LlmApi::gemini: path = PMX_GEMINI_PLUGIN; break;
        case LlmApi::claude: path = PMX_CLAUDE_PLUGIN; break;
        case LlmApi::cohere: path = PMX_COHERE_PLUGIN; break;
    }
    return test::plugin_from(path);
}

// The chat model each provider is set to (in the fake's default list).
const char* model_of(LlmApi api) {
    switch (api) {
        case LlmApi::openai: return "gpt-4o-mini";
        case LlmApi::compatible: return "llama3.2";
        case LlmApi::gemini: return "gemini-2.5-flash";
        case LlmApi::claude: return "claude-sonnet-4-5-20250929";
        case LlmApi::cohere: return "command-a-03-2025";
    }
    return "";
}

std::string chat_path(LlmApi api) {
    switch (api) {
        case LlmApi::openai:
        case LlmApi::compatible: return "/v1/chat/completions";
        case LlmApi::gemini: return std::string("/v1beta/models/") + model_of(api) + ":generateContent";
        case LlmApi::claude: return "/v1/messages";
        case LlmApi::cohere: return "/v2/chat";
    }
    return "";
}

// `key` empty: the fake's own key (and none for a compatible server, which needs none).
SettingList settings_for(const Target& t, const FakeLlm& llm, const std::string& key) {
    const std::string url = llm.url();
    const std::string model = model_of(t.api);
    switch (t.api) {
        case LlmApi::openai:
            return {{"base_url", url + "/v1"}, {"server", "openai"}, {"api_key", key.empty() ? llm.key() : key},
                    {"model", model}};
        case LlmApi::compatible: {
            SettingList s = {{"base_url", url + "/v1"}, {"model", model}};
            if (!key.empty()) s.emplace_back("api_key", key);
            return s;
        }
        case LlmApi::gemini:
            // No thinking: the output tokens are the answer's alone.
            return {{"base_url", url + "/v1beta"}, {"api_key", key.empty() ? llm.key() : key}, {"model", model},
                    {"embedding_model", "gemini-embedding-001"}, {"thinking_budget", "0"}};
        case LlmApi::claude:
            return {{"base_url", url + "/v1"}, {"api_key", key.empty() ? llm.key() : key}, {"model", model}};
        case LlmApi::cohere:
            return {{"base_url", url + "/v2"}, {"api_key", key.empty() ? llm.key() : key}, {"model", model}};
    }
    return {};
}

// A fake of the target's API and a provider of the real plugin pointed at it. The fake is
// declared first, so the provider goes first.
struct Setup {
    std::unique_ptr<FakeLlm> llm;
    std::unique_ptr<Provider> provider;
};

Setup setup(const Target& t, const std::string& key = {}) {
    Setup s;
    FakeLlmOptions options;
    options.api = t.api;
    options.compat_json = t.compat;
    s.llm = std::make_unique<FakeLlm>(options);
    s.provider = test::provider_of(plugin_of(t.api), plugin_name(t.api), settings_for(t, *s.llm, key),
                                   test::one_attempt(), {});
    return s;
}

llm::StructuredRequest tagging_request(const llm::Schema& schema) {
    llm::StructuredRequest request;
    request.system = std::string(kSystem);
    request.user = std::string(kUser);
    request.schema = &schema;
    return request;
}

// A model that follows the schema when it was shown it: enforced by the API (the fake read a
// schema from the request) or written in its instructions; otherwise it writes what it likes.
std::string tagging_model(const FakeLlmCall& call) {
    const bool shown = !call.schema.empty() || call.system.find(kSchema) != std::string::npos ||
                       call.prompt.find(kSchema) != std::string::npos;
    return std::string(shown ? kValid : kUntold);
}

// Words, as the fake counts tokens (its documentation: whitespace-separated).
uint64_t words(std::string_view text) {
    uint64_t n = 0;
    bool in_word = false;
    for (const char c : text) {
        const bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
        if (!space && !in_word) ++n;
        in_word = !space;
    }
    return n;
}

rapidjson::Document parse(std::string_view text) {
    rapidjson::Document doc;
    doc.Parse(text.data(), text.size());
    INFO(text);
    REQUIRE_FALSE(doc.HasParseError());
    return doc;
}

bool same_json(std::string_view a, std::string_view b) { return parse(a) == parse(b); }

std::string string_at(const rapidjson::Value& object, const char* name) {
    REQUIRE(object.IsObject());
    const auto it = object.FindMember(name);
    REQUIRE(it != object.MemberEnd());
    REQUIRE(it->value.IsString());
    return it->value.GetString();
}

// The system text of a chat-completions body ("" when none).
std::string openai_system_of(const rapidjson::Document& body) {
    for (const auto& m : body["messages"].GetArray()) {
        if (string_at(m, "role") == "system") return string_at(m, "content");
    }
    return "";
}

// response_format.type of an OpenAI-style body ("" when none).
std::string response_format_of(const rapidjson::Document& body) {
    const auto rf = body.FindMember("response_format");
    return rf == body.MemberEnd() ? std::string() : string_at(rf->value, "type");
}

// The response_format forms a compatible server sees, in order, when the plugin asks for JSON
// with a schema: it starts at json_schema and steps down past what the server refuses.
std::vector<std::string> forms_sent_to(CompatJson mode) {
    switch (mode) {
        case CompatJson::all:
        case CompatJson::json_schema_only:
        case CompatJson::ignored: return {"json_schema"};
        case CompatJson::json_object_only: return {"json_schema", "json_object"};
        case CompatJson::text_only: return {"json_schema", "json_object", ""};
    }
    return {};
}

// The request asked for JSON the way the target's API takes it, with the schema where the model
// (or the API enforcing it) reads it.
void check_json_asked_for(const Target& t, const FakeLlm& llm) {
    const rapidjson::Document schema = parse(kSchema);
    const std::vector<FakeRequest> sent = test::requests_to(llm, chat_path(t.api));
    const std::vector<FakeLlmCall> calls = llm.calls();
    REQUIRE(calls.size() == 1);  // one request reached the model
    const FakeLlmCall& call = calls[0];
    switch (t.api) {
        case LlmApi::openai: {
            REQUIRE(sent.size() == 1);
            const rapidjson::Document body = test::body_of(sent[0]);
            CHECK(response_format_of(body) == "json_schema");
            const auto& js = body["response_format"]["json_schema"];
            CHECK(js["schema"] == schema);
            CHECK(js["strict"].IsFalse());  // strict mode takes a subset of JSON Schema; the host validates
            CHECK(call.json);
            CHECK(parse(call.schema) == schema);
            CHECK(call.system == kSystem);  // the API enforces the schema: no tokens spent on it in the text
            break;
        }
        case LlmApi::compatible: {
            const std::vector<std::string> forms = forms_sent_to(t.compat);
            REQUIRE(sent.size() == forms.size());
            for (std::size_t i = 0; i < forms.size(); ++i) {
                INFO("request " << i);
                CHECK(response_format_of(test::body_of(sent[i])) == forms[i]);
            }
            const rapidjson::Document last = test::body_of(sent.back());
            if (forms.back() == "json_schema") CHECK(last["response_format"]["json_schema"]["schema"] == schema);
            // A compatible server may drop the schema (json_object carries none, plain text none)
            // or take it without enforcing it: the model reads it in its instructions.
            const std::string system = openai_system_of(last);
            CHECK_THAT(system, Catch::StartsWith(std::string(kSystem)) && Catch::Contains(std::string(kSchema)));
            CHECK(call.system == system);
            CHECK(call.json == (t.compat == CompatJson::all || t.compat == CompatJson::json_schema_only ||
                                t.compat == CompatJson::json_object_only));
            break;
        }
        case LlmApi::gemini: {
            REQUIRE(sent.size() == 1);
            const rapidjson::Document body = test::body_of(sent[0]);
            const auto& config = body["generationConfig"];
            CHECK(string_at(config, "responseMimeType") == "application/json");
            REQUIRE(config.HasMember("responseSchema"));
            const auto& rs = config["responseSchema"];  // the API's OpenAPI subset, its type names
            CHECK(string_at(rs, "type") == "OBJECT");
            CHECK_FALSE(rs.HasMember("additionalProperties"));  // refused by the API as an unknown name
            const auto& item = rs["properties"]["tracks"]["items"];
            CHECK(string_at(item, "type") == "OBJECT");
            REQUIRE(item["required"].IsArray());
            CHECK(item["required"].Size() == 3);
            const auto& moods = item["properties"]["moods"]["items"];
            REQUIRE(moods["enum"].IsArray());
            REQUIRE(moods["enum"].Size() == std::size(kMoods));
            for (rapidjson::SizeType i = 0; i < moods["enum"].Size(); ++i) CHECK(moods["enum"][i] == kMoods[i]);
            const auto& energy = item["properties"]["energy"];
            CHECK(string_at(energy, "type") == "INTEGER");
            REQUIRE(energy["minimum"].IsNumber());
            REQUIRE(energy["maximum"].IsNumber());
            CHECK(energy["minimum"].GetDouble() == 1);
            CHECK(energy["maximum"].GetDouble() == 5);
            CHECK(call.json);
            CHECK_FALSE(call.schema.empty());
            CHECK(call.system == kSystem);
            break;
        }
        case LlmApi::claude: {
            REQUIRE(sent.size() == 1);
            const rapidjson::Document body = test::body_of(sent[0]);
            // JSON through one forced tool whose input schema is the schema.
            REQUIRE(body["tools"].IsArray());
            REQUIRE(body["tools"].Size() == 1);
            CHECK(body["tools"][0]["input_schema"] == schema);
            CHECK(string_at(body["tool_choice"], "type") == "tool");
            CHECK(string_at(body["tool_choice"], "name") == string_at(body["tools"][0], "name"));
            CHECK_FALSE(call.tool.empty());
            CHECK(parse(call.schema) == schema);
            CHECK(call.system == kSystem);
            break;
        }
        case LlmApi::cohere: {
            REQUIRE(sent.size() == 1);
            const rapidjson::Document body = test::body_of(sent[0]);
            CHECK(response_format_of(body) == "json_object");
            CHECK(body["response_format"]["schema"] == schema);  // "schema", not OpenAI's "json_schema"
            CHECK(call.json);
            CHECK(parse(call.schema) == schema);
            CHECK(call.system == kSystem);
            break;
        }
    }
    CHECK(call.prompt == kUser);
}

// The model's own earlier turns in a chat body, as each API carries them.
std::vector<std::string> assistant_turns(LlmApi api, const rapidjson::Document& body) {
    std::vector<std::string> out;
    if (api == LlmApi::gemini) {
        for (const auto& c : body["contents"].GetArray()) {
            if (string_at(c, "role") == "model") out.push_back(string_at(c["parts"][0], "text"));
        }
        return out;
    }
    for (const auto& m : body["messages"].GetArray()) {
        if (string_at(m, "role") == "assistant") out.push_back(string_at(m, "content"));
    }
    return out;
}

// The input tokens the fake reported over its calls: the words of the system and user turns it read.
uint64_t input_words_of(const std::vector<FakeLlmCall>& calls) {
    uint64_t n = 0;
    for (const FakeLlmCall& c : calls) n += words(c.system) + words(c.prompt);
    return n;
}

// How each API says a key is refused, and the key's fate in the error.
void check_refused_key(const Target& t) {
    const bool compatible = t.api == LlmApi::compatible;
    Setup s = setup(t, kWrongKey);
    if (compatible) {
        // A compatible server takes any key unless it is a proxy with keys of its own. LiteLLM's
        // proxy refuses an unknown key with a 401 that echoes the key it got: "Authentication
        // Error, Invalid proxy server token passed. key=... not found in db. Create key via
        // `/key/generate` call." (github.com/aliasrobotics/cai/issues/281).
        s.llm->http().set_interceptor([](const FakeRequest& r,
                                         const FakeResponse* answered) -> std::optional<FakeResponse> {
            if (answered != nullptr) return std::nullopt;
            constexpr std::string_view kBearer = "Bearer ";
            const std::string* auth = r.header("authorization");
            const std::string got =
                auth != nullptr && auth->rfind(kBearer, 0) == 0 ? auth->substr(kBearer.size()) : std::string();
            return FakeResponse::json(
                401, R"({"error":{"message":"Authentication Error, Invalid proxy server token passed. key=)" + got +
                         R"( not found in db. Create key via `/key/generate` call.",)" +
                         R"("type":"auth_error","param":"None","code":"401"}})");
        });
    }
    s.llm->set_script(tagging_model);
    const llm::Schema schema{kSchema};
    const llm::StructuredAnswer answer = llm::structured_call(*s.provider, tagging_request(schema));
    INFO(answer.error);
    CHECK(answer.status == PMX_AUTH);
    CHECK_FALSE(answer.ok());
    CHECK(answer.json.empty());
    CHECK(answer.asks == 1);  // a refused key is not an invalid answer: no repair
    const char* words_of_provider = "";
    switch (t.api) {
        case LlmApi::openai: words_of_provider = "Incorrect API key provided"; break;
        case LlmApi::compatible: words_of_provider = "Invalid proxy server token passed"; break;
        case LlmApi::gemini: words_of_provider = "API key not valid"; break;  // a 400 with API_KEY_INVALID
        case LlmApi::claude: words_of_provider = "invalid x-api-key"; break;
        case LlmApi::cohere: words_of_provider = "invalid api token"; break;
    }
    CHECK_THAT(answer.error, Catch::Contains(words_of_provider));
    CHECK(answer.error.find(kWrongKey) == std::string::npos);
    CHECK(s.llm->calls().empty());  // the model never saw the request
    if (compatible) {
        // The key was sent (so the proxy could refuse it) and came back in its words.
        const std::vector<FakeRequest> sent = s.llm->http().requests();
        REQUIRE(sent.size() == 1);
        REQUIRE(sent[0].header("authorization"));
        CHECK(*sent[0].header("authorization") == std::string("Bearer ") + kWrongKey);
    }
}

void structured_suite(const Target& t) {
    const llm::Schema schema{kSchema};
    const llm::StructuredRequest request = tagging_request(schema);

    SECTION("a valid answer comes back validated, asked once, with the usage the API reported") {
        Setup s = setup(t);
        s.llm->set_script(tagging_model);
        llm::UsageLedger ledger;
        const llm::StructuredAnswer answer = llm::structured_call(*s.provider, request, &ledger, model_of(t.api));
        INFO(answer.error);
        REQUIRE(answer.ok());
        std::string invalid;
        CHECK(schema.validate(answer.json, &invalid));
        CHECK(invalid.empty());
        CHECK(same_json(answer.json, kValid));
        CHECK(answer.asks == 1);
        CHECK_FALSE(answer.repaired);

        const std::vector<FakeLlmCall> calls = s.llm->calls();
        REQUIRE(calls.size() == 1);
        CHECK(calls[0].prompt == kUser);
        // The fake counts words: the system and user text as it read them, and the answer.
        if (t.api == LlmApi::compatible) {
            CHECK_THAT(calls[0].system, Catch::StartsWith(std::string(kSystem)));  // plus the schema's instructions
            CHECK(answer.usage.input_tokens == words(calls[0].system) + words(kUser));
        } else {
            CHECK(calls[0].system == kSystem);
            CHECK(answer.usage.input_tokens == words(kSystem) + words(kUser));
        }
        CHECK(answer.usage.output_tokens == words(kValid));
        CHECK(answer.usage.requests == 1);
        const auto& entries = ledger.entries();
        REQUIRE(entries.size() == 1);
        CHECK(entries.begin()->first.first == plugin_name(t.api));
        CHECK(entries.begin()->first.second == model_of(t.api));
        CHECK(entries.begin()->second.input_tokens == answer.usage.input_tokens);
        CHECK(entries.begin()->second.output_tokens == answer.usage.output_tokens);
        CHECK(entries.begin()->second.requests == 1);
    }

    SECTION("the request asks for JSON the way this API takes it, the schema where it is read") {
        Setup s = setup(t);
        s.llm->set_script(tagging_model);
        const llm::StructuredAnswer answer = llm::structured_call(*s.provider, request);
        INFO(answer.error);
        CHECK(answer.ok());
        check_json_asked_for(t, *s.llm);
    }

    // Claude's JSON is a forced tool's input, a JSON object by construction: an answer there
    // cannot come in fences, so the fence case is one of the text APIs.
    if (t.api != LlmApi::claude) {
        SECTION("an answer wrapped in code fences still comes back valid") {
            // The answers as the fake sent them, to see that the fence was there (declared before
            // the fake, whose server thread writes them, so they outlive it).
            std::mutex mutex;
            std::vector<std::string> answered_ok;
            Setup s = setup(t);
            s.llm->set_script(tagging_model);
            const std::size_t rule = s.llm->add_rule({.kind = FakeLlmRule::Kind::fenced});
            s.llm->http().set_interceptor([&](const FakeRequest&,
                                              const FakeResponse* answered) -> std::optional<FakeResponse> {
                if (answered != nullptr && answered->status == 200) {
                    std::lock_guard lock(mutex);
                    answered_ok.push_back(answered->body);
                }
                return std::nullopt;
            });
            const llm::StructuredAnswer answer = llm::structured_call(*s.provider, request);
            INFO(answer.error);
            REQUIRE(answer.ok());
            CHECK(same_json(answer.json, kValid));
            CHECK(answer.json.find("```") == std::string::npos);
            CHECK(answer.asks == 1);
            CHECK_FALSE(answer.repaired);
            CHECK(s.llm->rule_hits(rule) >= 1);
            std::lock_guard lock(mutex);
            REQUIRE(answered_ok.size() == 1);
            CHECK_THAT(answered_ok[0], Catch::Contains("```json"));
            CHECK(answer.usage.output_tokens == words(kValid) + 2);  // the fence lines are words too
        }
    }

    SECTION("an invalid first answer is repaired by the one re-ask, which carries the validation error") {
        std::string invalid;
        std::string where;
        std::string keyword;
        SECTION("a mood outside the enum") {
            invalid = kOutOfEnum;
            where = "/tracks/0/moods/0";
            keyword = "\"enum\"";
        }
        SECTION("a required field missing") {
            invalid = kMissingEnergy;
            where = "/tracks/0";
            keyword = "\"required\"";
        }
        Setup s = setup(t);
        s.llm->push_answer(invalid);
        s.llm->push_answer(std::string(kValid));
        const llm::StructuredAnswer answer = llm::structured_call(*s.provider, request);
        INFO(answer.error);
        REQUIRE(answer.ok());
        CHECK(same_json(answer.json, kValid));
        CHECK(answer.asks == 2);
        CHECK(answer.repaired);

        const std::vector<FakeLlmCall> calls = s.llm->calls();
        REQUIRE(calls.size() == 2);
        CHECK(calls[0].prompt == kUser);
        // The second request: the first answer as the model's turn, then the validation error.
        CHECK_THAT(calls[1].prompt, Catch::StartsWith(std::string(kUser)) && Catch::Contains("not valid") &&
                                        Catch::Contains("at " + where + ":") && Catch::Contains(keyword));
        const std::vector<FakeRequest> sent = test::requests_to(*s.llm, chat_path(t.api));
        const std::vector<std::string> echoed = assistant_turns(t.api, test::body_of(sent.back()));
        REQUIRE(echoed.size() == 1);
        CHECK(same_json(echoed[0], invalid));
        CHECK(answer.usage.requests == 2);
        CHECK(answer.usage.input_tokens == input_words_of(calls));
        CHECK(answer.usage.output_tokens == words(invalid) + words(kValid));
    }

    SECTION("two invalid answers are BAD_RESPONSE with the validation error, never ok") {
        Setup s = setup(t);
        s.llm->push_answer(std::string(kOutOfEnum));
        s.llm->push_answer(std::string(kMissingEnergy));
        s.llm->push_answer(std::string(kValid));  // never asked for: one repair only
        const llm::StructuredAnswer answer = llm::structured_call(*s.provider, request);
        INFO(answer.error);
        CHECK_FALSE(answer.ok());
        CHECK(answer.status == PMX_BAD_RESPONSE);
        CHECK(answer.json.empty());
        CHECK(answer.asks == 2);
        CHECK_FALSE(answer.repaired);
        CHECK_THAT(answer.error, Catch::Contains("still invalid") && Catch::Contains("at /tracks/0:") &&
                                     Catch::Contains("\"required\""));
        const std::vector<FakeLlmCall> calls = s.llm->calls();
        CHECK(calls.size() == 2);
        CHECK(answer.usage.requests == 2);
        CHECK(answer.usage.input_tokens == input_words_of(calls));
        CHECK(answer.usage.output_tokens == words(kOutOfEnum) + words(kMissingEnergy));
    }

    SECTION("a refused key is AUTH with the provider's words and without the key") { check_refused_key(t); }
}

}  // namespace

TEST_CASE("structured call through openai, the OpenAI API (response_format json_schema)", "[structured][openai]") {
    structured_suite({LlmApi::openai});
}

TEST_CASE("structured call through gemini (responseMimeType and responseSchema)", "[structured][gemini]") {
    structured_suite({LlmApi::gemini});
}

TEST_CASE("structured call through cohere (response_format json_object with a schema)", "[structured][cohere]") {
    structured_suite({LlmApi::cohere});
}

TEST_CASE("structured call through claude (one forced tool)", "[structured][claude]") {
    structured_suite({LlmApi::claude});
}

TEST_CASE("structured call through openai on a compatible server that honours both JSON forms",
          "[structured][compatible]") {
    structured_suite({LlmApi::compatible, CompatJson::all});
}

TEST_CASE("structured call through openai on a compatible server that takes json_object only (older llama-server)",
          "[structured][compatible]") {
    structured_suite({LlmApi::compatible, CompatJson::json_object_only});
}

TEST_CASE("structured call through openai on a compatible server that takes json_schema only (LM Studio)",
          "[structured][compatible]") {
    structured_suite({LlmApi::compatible, CompatJson::json_schema_only});
}

TEST_CASE("structured call through openai on a compatible server that refuses both JSON forms",
          "[structured][compatible]") {
    structured_suite({LlmApi::compatible, CompatJson::text_only});
}

TEST_CASE("structured call through openai on a compatible server that takes response_format and ignores it",
          "[structured][compatible]") {
    structured_suite({LlmApi::compatible, CompatJson::ignored});
}
