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

// --- sizing to the context window (the completer's info(), ABI 1.3) ---

namespace {

// The max_output the n-th logged request (0-based) carried.
long max_output_of(const std::string& log, size_t n) {
    size_t at = 0;
    for (size_t i = 0; i <= n; ++i) {
        at = log.find("max_output: ", at);
        if (at == std::string::npos) return -1;
        at += 12;
    }
    return std::stol(log.substr(at));
}

}  // namespace

TEST_CASE("structured_call: a request too large for the context window is refused before anything is sent",
          "[llm][context]") {
    const llm::Schema schema(kTagsSchema);
    test::TempDir dir;
    const auto log = dir.path() / "requests.log";
    auto provider = completer({{"answers", "{\"tracks\": []}"}, {"log", log.string()}, {"context_tokens", "600"}});
    const std::string user = "Tag these tracks: " + std::string(4000, 'x');  // about 1,000 tokens
    const auto answer = llm::structured_call(*provider, ask("sys", user, schema));
    CHECK(answer.status == PMX_INVALID_INPUT);
    CHECK_THAT(answer.error, Catch::Contains("context window of 600 tokens") && Catch::Contains("`context_tokens`"));
    CHECK(answer.usage.requests == 0);
    CHECK_FALSE(std::filesystem::exists(log));  // the completer was never called
}

TEST_CASE("structured_call: the output limit is lowered so that input and answer fit the window", "[llm][context]") {
    const llm::Schema schema(kTagsSchema);
    test::TempDir dir;
    const auto log = dir.path() / "requests.log";
    constexpr long kWindow = 4096;  // a local server's default
    auto provider = completer({{"answers", "{\"tracks\": []}"}, {"log", log.string()},
                               {"context_tokens", std::to_string(kWindow)}, {"max_output", "8192"}});
    const std::string user = "Tag these tracks: " + std::string(8000, 'y');  // about 2,000 tokens
    auto request = ask("You tag music.", user, schema);
    request.max_output_tokens = 3000;  // asked for more than is left
    const auto answer = llm::structured_call(*provider, request);
    INFO(answer.error);
    REQUIRE(answer.ok());
    const long sent = max_output_of(read_all(log), 0);
    CHECK(sent > 0);
    CHECK(sent < 3000);
    // What the completer counted as input (one token per 4 bytes) plus the output limit fits.
    CHECK(static_cast<long>(answer.usage.input_tokens) + sent <= kWindow);
}

TEST_CASE("structured_call: without a requested limit the provider's default stays, unless the cap passes the room",
          "[llm][context]") {
    const llm::Schema schema(kTagsSchema);
    test::TempDir dir;
    const auto log = dir.path() / "requests.log";
    // A large window: nothing to lower, no limit sent (an API refuses one above its model's cap).
    auto roomy = completer({{"answers", "{\"tracks\": []}"}, {"log", log.string()},
                            {"context_tokens", "128000"}});
    REQUIRE(llm::structured_call(*roomy, ask("sys", "Tag track 1.", schema)).ok());
    CHECK(max_output_of(read_all(log), 0) == 0);
    // A cap of 8,192 in a window of 4,096: the answer could overflow it, so the room is the limit.
    auto tight = completer({{"answers", "{\"tracks\": []}"}, {"log", log.string()},
                            {"context_tokens", "4096"}, {"max_output", "8192"}});
    REQUIRE(llm::structured_call(*tight, ask("sys", "Tag track 1.", schema)).ok());
    const long sent = max_output_of(read_all(log), 1);
    CHECK(sent > 3000);
    CHECK(sent < 4096);
}

TEST_CASE("structured_call: a completer that reports no window gets the request as asked", "[llm][context]") {
    const llm::Schema schema(kTagsSchema);
    test::TempDir dir;
    const auto log = dir.path() / "requests.log";
    auto provider = completer({{"answers", "{\"tracks\": []}"}, {"log", log.string()}});
    auto request = ask("sys", "Tag track 1. " + std::string(40000, 'z'), schema);
    const auto answer = llm::structured_call(*provider, request);
    REQUIRE(answer.ok());
    CHECK(max_output_of(read_all(log), 0) == 0);  // the provider's default
}

TEST_CASE("structured_call: a repair that would not fit the window ends with the first answer's error, said",
          "[llm][context]") {
    const llm::Schema schema(kTagsSchema);
    test::TempDir dir;
    const auto log = dir.path() / "requests.log";
    // The first ask (~100 tokens) fits 700 with room for an answer; echoing a 3,000-byte invalid
    // answer back (~750 tokens) does not.
    auto provider = completer({{"answers", "{\"tracks\": \"" + std::string(3000, 'n') + "\"}"},
                               {"log", log.string()}, {"context_tokens", "700"}});
    const auto answer = llm::structured_call(*provider, ask("sys", "Tag track 1.", schema));
    CHECK(answer.status == PMX_BAD_RESPONSE);
    CHECK(answer.asks == 1);
    CHECK_THAT(answer.error, Catch::StartsWith("the answer is invalid: ") && Catch::Contains("no repair: the request"));
    CHECK(answer.usage.requests == 1);
}

TEST_CASE("input_budget: what a request may hold is the window less the answer and the framing", "[llm][context]") {
    CHECK(llm::input_budget({}, 1000) == UINT64_MAX);  // unknown window: no limit known
    const llm::CompleterLimits local{4096, 0, "llama3.1"};
    const uint64_t with_1000 = llm::input_budget(local, 1000);
    CHECK(with_1000 < 4096 - 1000);
    CHECK(with_1000 > 4096 - 1000 - 100);
    CHECK(llm::input_budget(local, 0) == llm::input_budget(local, llm::kMinAnswerTokens));
    CHECK(llm::input_budget(local, 5000) == 0);  // an answer larger than the window leaves nothing
}

TEST_CASE("structured_call: usage goes to the ledger under the model the completer reports", "[llm]") {
    const llm::Schema schema(kTagsSchema);
    auto provider = completer({{"answers", "{\"tracks\": []}"}});
    llm::UsageLedger ledger;
    const auto answer = llm::structured_call(*provider, ask("sys", "user", schema), &ledger);
    REQUIRE(answer.ok());
    CHECK(answer.model == "script-model");
    REQUIRE(ledger.entries().count({"script", "script-model"}) == 1);
    CHECK(ledger.entries().at({"script", "script-model"}).requests == 1);
}
