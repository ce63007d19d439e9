// The claude plugin through the CLI: `plugins info claude` and `plugins check` against the fake Messages API.
#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#include "support/fake_llm.hpp"
#include "support/test_util.hpp"

namespace fs = std::filesystem;
using pmx::test::CliRun;
using pmx::test::FakeLlm;
using pmx::test::FakeLlmCall;
using pmx::test::FakeLlmOptions;
using pmx::test::LlmApi;

namespace {

CliRun cli(const std::string& args) {
    return pmx::test::run_cli(PMX_CLI, "--plugin-path " + fs::path(PMX_CLAUDE_PLUGIN).parent_path().string() + " " + args);
}

}  // namespace

TEST_CASE("claude CLI: `plexmix plugins info claude` lists the settings with their defaults", "[claude][cli]") {
    const CliRun run = cli("plugins info claude");
    INFO(run.out);
    REQUIRE(run.code == 0);
    for (const char* text : {"api_key", "base_url", "https://api.anthropic.com/v1", "model", "claude-haiku-4-5",
                             "max_tokens", "anthropic_version", "2023-06-01", "context_tokens", "200000",
                             "pmx.completer/1"}) {
        CHECK_THAT(run.out, Catch::Contains(text));
    }
    CHECK(run.out.find("pmx.embedder/1") == std::string::npos);
}

TEST_CASE("claude CLI: `plexmix plugins check` passes against the fake with the default model", "[claude][cli]") {
    FakeLlm llm(FakeLlmOptions{.api = LlmApi::claude});
    llm.add_model({.name = "claude-haiku-4-5", .output_cap = 64'000});  // the plugin's default, as an alias
    // A model that follows the system text: JSON when the system text asks for it.
    llm.set_script([](const FakeLlmCall& call) {
        if (call.system.find("JSON") != std::string::npos) return std::string(R"({"greeting": "hello"})");
        return "echo: " + call.prompt;
    });
    const CliRun run = cli(std::string("plugins check ") + PMX_CLAUDE_PLUGIN + " --set api_key=" + llm.key() +
                           " --set base_url=" + llm.url() + "/v1");
    INFO(run.out);
    CHECK(run.code == 0);
    CHECK_THAT(run.out, Catch::Contains("The plugin conforms to the contract."));
    // The host learns the model's limits (ABI 1.3): the window from the setting's default, the cap by family.
    CHECK_THAT(run.out, Catch::Contains("completer: model \"claude-haiku-4-5\", context 200000 tokens, answers up to 64000 tokens"));
    CHECK(run.out.find(llm.key()) == std::string::npos);
    CHECK(llm.completion_requests() >= 2);  // text and JSON
    for (const FakeLlmCall& call : llm.calls()) CHECK(call.model == "claude-haiku-4-5");
}

TEST_CASE("claude CLI: the key shows in no log line, error or `config show`, even at trace level", "[claude][cli]") {
    FakeLlm llm(FakeLlmOptions{.api = LlmApi::claude});
    llm.set_script([](const FakeLlmCall& call) {
        if (call.system.find("JSON") != std::string::npos) return std::string(R"({"greeting": "hello"})");
        return "echo: " + call.prompt;
    });
    const std::string model = " --set model=claude-sonnet-4-5-20250929";
    const CliRun check = cli(std::string("-vv plugins check ") + PMX_CLAUDE_PLUGIN + " --set api_key=" + llm.key() +
                             " --set base_url=" + llm.url() + "/v1" + model);
    INFO(check.out);
    CHECK(check.code == 0);
    CHECK_THAT(check.out, Catch::Contains("/v1/messages"));  // trace lines about the requests were written
    CHECK(check.out.find(llm.key()) == std::string::npos);

    const std::string wrong = "sk-ant-api03-WrongKeyForTheTest-0123456789";
    const CliRun refused = cli(std::string("-vv plugins check ") + PMX_CLAUDE_PLUGIN + " --set api_key=" + wrong +
                               " --set base_url=" + llm.url() + "/v1" + model);
    INFO(refused.out);
    CHECK(refused.code != 0);
    CHECK_THAT(refused.out, Catch::Contains("invalid x-api-key") && Catch::Contains("api_key"));
    CHECK(refused.out.find(wrong) == std::string::npos);

    pmx::test::TempDir dir;
    const fs::path config = dir.path() / "plexmix.yaml";
    std::ofstream(config) << "data_dir: " << (dir.path() / "data").string() << "\n"
                          << "providers:\n"
                          << "  claude: { plugin: claude, api_key: " << llm.key() << ", base_url: " << llm.url()
                          << "/v1 }\n"
                          << "use: { completer: claude }\n";
    const CliRun show = cli("--config " + config.string() + " config show");
    INFO(show.out);
    CHECK(show.code == 0);
    CHECK_THAT(show.out, Catch::Contains("claude"));
    CHECK(show.out.find(llm.key()) == std::string::npos);
    for (const auto& r : llm.http().requests()) CHECK(r.target.find(llm.key()) == std::string::npos);
}
