// The structured-call service: fences stripped, answers validated against the schema, one
// repair with the validation error, failures said (never a silent fallback), usage added up.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "llm/structured_call.hpp"
#include "plugin/loader.hpp"
#include "plugin/provider.hpp"
#include "support/test_util.hpp"

using namespace pmx;

namespace {

constexpr std::string_view kTagsSchema = R"({
  "type": "object",
  "required": ["tracks"],
  "additionalProperties": false,
  "properties": {
    "tracks": {"type": "array", "items": {
      "type": "object", "required": ["id", "moods"], "additionalProperties": false,
      "properties": {"id": {"type": "integer"},
                     "moods": {"type": "array", "items": {"enum": ["calm", "happy", "sad"]}}}}}
  }
})";

LoadedPlugin& script_plugin() {
    static std::unique_ptr<LoadedPlugin> loaded = [] {
        LoadResult r = load_plugin(PMX_SCRIPT_COMPLETER);
        INFO(r.error);
        REQUIRE(r.ok());
        return std::move(r.plugin);
    }();
    return *loaded;
}

std::unique_ptr<Provider> completer(const SettingList& settings) {
    CallPolicy policy;
    policy.retries = 0;
    auto runtime = std::make_unique<ProviderRuntime>("script", "completer", policy, 1u);
    std::string error;
    auto instance = PluginInstance::create(script_plugin(), settings, *runtime, &error);
    INFO(error);
    REQUIRE(instance);
    return std::make_unique<Provider>("script", std::move(runtime), std::move(instance));
}

llm::StructuredRequest ask(const std::string& system, const std::string& user, const llm::Schema& schema) {
    llm::StructuredRequest request;
    request.system = system;
    request.user = user;
    request.schema = &schema;
    return request;
}

std::string read_all(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

TEST_CASE("strip_code_fences takes the JSON out of a Markdown fence, and leaves other text trimmed", "[llm]") {
    CHECK(llm::strip_code_fences("```json\n{\"a\": 1}\n```") == "{\"a\": 1}");
    CHECK(llm::strip_code_fences("  ```\n[1, 2]\n```  \n") == "[1, 2]");
    CHECK(llm::strip_code_fences("```json\n{\"a\": 1}") == "{\"a\": 1}");  // cut before the closing fence
    CHECK(llm::strip_code_fences("  {\"a\": 1}\n") == "{\"a\": 1}");
    CHECK(llm::strip_code_fences("```") == "```");
}

TEST_CASE("a schema says where and why an answer breaks it", "[llm]") {
    const llm::Schema schema(kTagsSchema);
    std::string error;
    CHECK(schema.validate(R"({"tracks": [{"id": 1, "moods": ["calm"]}]})", &error));
    CHECK_FALSE(schema.validate(R"({"tracks": [{"id": 1, "moods": ["angry"]}]})", &error));
    CHECK_THAT(error, Catch::Contains("/tracks/0/moods/0") && Catch::Contains("enum"));
    CHECK_FALSE(schema.validate(R"({"tracks": [{"id": "1", "moods": []}]})", &error));
    CHECK_THAT(error, Catch::Contains("/tracks/0/id") && Catch::Contains("type"));
    CHECK_FALSE(schema.validate(R"({"tracks": [], "extra": 1})", &error));
    CHECK_THAT(error, Catch::Contains("additionalProperties"));
    CHECK_FALSE(schema.validate(R"({"tracks": [)", &error));
    CHECK_THAT(error, Catch::StartsWith("not JSON at offset"));
    CHECK_THROWS_AS(llm::Schema("[1]"), std::invalid_argument);
}

TEST_CASE("structured_call: a valid answer, in a fence or not, is taken at the first ask", "[llm]") {
    const llm::Schema schema(kTagsSchema);
    test::TempDir dir;
    const auto log = dir.path() / "requests.log";
    auto provider = completer({{"answers", "```json\n{\"tracks\": [{\"id\": 7, \"moods\": [\"sad\"]}]}\n```"},
                               {"log", log.string()}});
    llm::UsageLedger ledger;
    const auto answer = llm::structured_call(*provider, ask("You tag music.", "Tag track 7.", schema), &ledger, "m1");
    INFO(answer.error);
    REQUIRE(answer.ok());
    CHECK(answer.json == R"({"tracks": [{"id": 7, "moods": ["sad"]}]})");
    CHECK(answer.asks == 1);
    CHECK_FALSE(answer.repaired);
    CHECK(answer.usage.requests == 1);
    CHECK(answer.usage.input_tokens > 0);
    CHECK(answer.usage.output_tokens > 0);
    CHECK(ledger.entries().at({"script", "m1"}).requests == 1);
    // The completer was asked for JSON, with the schema.
    const std::string asked = read_all(log);
    CHECK_THAT(asked, Catch::Contains("system: You tag music.") && Catch::Contains("user: Tag track 7.") &&
                          Catch::Contains("json: 1 schema: {"));
}

TEST_CASE("structured_call: an invalid answer is asked for once more, with the error", "[llm]") {
    const llm::Schema schema(kTagsSchema);
    test::TempDir dir;
    const auto log = dir.path() / "requests.log";
    auto provider = completer({{"answers", "{\"tracks\": [{\"id\": 7, \"moods\": [\"angry\"]}]}\n---\n"
                                           "{\"tracks\": [{\"id\": 7, \"moods\": [\"calm\"]}]}"},
                               {"log", log.string()}});
    llm::UsageLedger ledger;
    const auto answer = llm::structured_call(*provider, ask("You tag music.", "Tag track 7.", schema), &ledger);
    INFO(answer.error);
    REQUIRE(answer.ok());
    CHECK(answer.asks == 2);
    CHECK(answer.repaired);
    CHECK(answer.json == R"({"tracks": [{"id": 7, "moods": ["calm"]}]})");
    CHECK(answer.usage.requests == 2);
    CHECK(ledger.total().requests == 2);
    // The second request holds the first answer and what was wrong with it.
    const std::string asked = read_all(log);
    const size_t second = asked.find("===\n");
    REQUIRE(second != std::string::npos);
    const std::string repair = asked.substr(second);
    CHECK_THAT(repair, Catch::Contains("assistant: {\"tracks\": [{\"id\": 7, \"moods\": [\"angry\"]}]}"));
    CHECK_THAT(repair, Catch::Contains("That answer is not valid: at /tracks/0/moods/0"));
}

TEST_CASE("structured_call: an answer still invalid after the repair fails clearly", "[llm]") {
    const llm::Schema schema(kTagsSchema);
    auto provider = completer({{"answers", "Sure! Here are your tags: calm, happy."}});
    const auto answer = llm::structured_call(*provider, ask("sys", "user", schema));
    CHECK_FALSE(answer.ok());
    CHECK(answer.status == PMX_BAD_RESPONSE);
    CHECK(answer.asks == 2);
    CHECK(answer.json.empty());
    CHECK_THAT(answer.error, Catch::StartsWith("the answer is still invalid after one repair: not JSON at offset"));
}

TEST_CASE("structured_call: a provider failure is the answer's status and message, not retried as a repair", "[llm]") {
    const llm::Schema schema(kTagsSchema);
    auto provider = completer({{"fail", std::to_string(PMX_AUTH)}});
    const auto answer = llm::structured_call(*provider, ask("sys", "user", schema));
    CHECK(answer.status == PMX_AUTH);
    CHECK(answer.asks == 1);
    CHECK_THAT(answer.error, Catch::Contains("scripted failure"));
}
