// The openai plugin through the CLI: `plugins check` and `plugins info`, and `sync` embedding a library end to end.
#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#include "openai_support.hpp"
#include "support/fake_plex.hpp"
#include "support/test_util.hpp"

namespace fs = std::filesystem;
using namespace pmx::test;

namespace {

std::string plugin_dir() { return fs::path(PMX_OPENAI_PLUGIN).parent_path().string(); }

CliRun plexmix(const std::string& args) { return run_cli(PMX_CLI, "--plugin-path " + plugin_dir() + " " + args); }

}  // namespace

TEST_CASE("openai CLI: `plexmix plugins check` passes against the fake OpenAI API and a compatible server",
          "[openai][cli]") {
    SECTION("OpenAI") {
        FakeLlm llm;
        const CliRun run = run_cli(PMX_CLI, std::string("plugins check ") + PMX_OPENAI_PLUGIN + " --set base_url=" +
                                                llm.url() + "/v1 --set api_key=" + llm.key() + " --set server=openai");
        INFO(run.out);
        CHECK(run.code == 0);
        CHECK_THAT(run.out, Catch::Contains("The plugin conforms to the contract.") &&
                                Catch::Contains("text-embedding-3-small"));
        CHECK(run.out.find(llm.key()) == std::string::npos);
    }
    SECTION("a compatible server (Ollama-like, no key)") {
        FakeLlmOptions o;
        o.api = LlmApi::compatible;
        FakeLlm llm(o);
        const CliRun run = run_cli(PMX_CLI, std::string("plugins check ") + PMX_OPENAI_PLUGIN + " --set base_url=" +
                                                llm.url() + "/v1 --set model=llama3.2" +
                                                " --set embedding_model=nomic-embed-text --set dimension=768");
        INFO(run.out);
        CHECK(run.code == 0);
        CHECK_THAT(run.out, Catch::Contains("The plugin conforms to the contract."));
    }
}

TEST_CASE("openai CLI: `plexmix plugins info openai` lists every setting with its default", "[openai][cli]") {
    const CliRun run = plexmix("plugins info openai");
    INFO(run.out);
    REQUIRE(run.code == 0);
    for (const char* key : {"api_key", "base_url", "server", "model", "embedding_model", "dimensions", "dimension",
                            "organization", "context_tokens", "json_mode", "batch_size"}) {
        CHECK_THAT(run.out, Catch::Contains(key));
    }
    CHECK_THAT(run.out, Catch::Contains("gpt-4o-mini") && Catch::Contains("text-embedding-3-small") &&
                            Catch::Contains("https://api.openai.com/v1") && Catch::Contains("128000"));
}

TEST_CASE("openai CLI: `sync` embeds a library through the openai embedder, switched on with one line under use:",
          "[openai][cli][sync]") {
    constexpr std::size_t kTracks = 60;
    FakePlexOptions po;
    po.tracks = kTracks;
    FakePlex plex(po);
    FakeLlm llm;
    TempDir dir;
    const fs::path config = dir.path() / "plexmix.yaml";
    std::ofstream(config) << "data_dir: " << (dir.path() / "data").string() << "\n"
                          << "providers:\n"
                          << "  home: { plugin: plex, url: " << plex.url() << ", token: " << plex.token()
                          << ", page_size: 50, retries: 0 }\n"
                          << "  openai: { plugin: openai, base_url: " << llm.url() << "/v1, server: openai"
                          << ", api_key: " << llm.key() << ", dimensions: 256, batch_size: 25 }\n"
                          << "use: { media: [home], embedder: openai }\n";
    const std::string args = "--config " + config.string() + " ";

    const CliRun check = plexmix(args + "config check");
    INFO(check.out);
    CHECK(check.code == 0);

    const CliRun sync = plexmix(args + "sync");
    INFO(sync.out);
    REQUIRE(sync.code == 0);
    CHECK_THAT(sync.out, Catch::Contains("text-embedding-3-small@256") &&
                             Catch::Contains(std::to_string(kTracks) + " embedded"));
    CHECK(llm.embedded_texts() == kTracks);
    const auto sent = requests_to(llm, "/v1/embeddings");
    CHECK(sent.size() == (kTracks + 24) / 25);  // the host's batches of max_batch (batch_size)
    for (const auto& r : sent) CHECK(body_of(r)["dimensions"].GetUint() == 256);
    CHECK(sync.out.find(llm.key()) == std::string::npos);

    const CliRun shown = plexmix(args + "config show");
    INFO(shown.out);
    CHECK(shown.out.find(llm.key()) == std::string::npos);
}

TEST_CASE("openai CLI: embedding says what it will cost before, and the usage and cost the API reported after",
          "[openai][cli][price]") {
    constexpr std::size_t kTracks = 40;
    FakePlexOptions po;
    po.tracks = kTracks;
    FakePlex plex(po);
    FakeLlm llm;
    TempDir dir;
    const fs::path config = dir.path() / "plexmix.yaml";
    // A price of $1,000 per million input tokens makes the cost of a few hundred tokens readable.
    std::ofstream(config) << "data_dir: " << (dir.path() / "data").string() << "\n"
                          << "providers:\n"
                          << "  home: { plugin: plex, url: " << plex.url() << ", token: " << plex.token()
                          << ", retries: 0 }\n"
                          << "  openai: { plugin: openai, base_url: " << llm.url() << "/v1, server: openai"
                          << ", api_key: " << llm.key() << ", batch_size: 16, price_in: 1000 }\n"
                          << "use: { media: [home], embedder: openai }\n";
    const std::string args = "--config " + config.string() + " ";
    REQUIRE(plexmix(args + "sync --no-embeddings").code == 0);

    const CliRun run = plexmix(args + "embeddings generate");
    INFO(run.out);
    REQUIRE(run.code == 0);
    // Before: texts, requests, estimated tokens and cost.
    const std::string plan = "openai (text-embedding-3-small): " + std::to_string(kTracks) + " texts to embed in 3 requests, about ";
    const auto plan_at = run.out.find(plan);
    REQUIRE(plan_at != std::string::npos);
    // After: what the API reported (the fake counts a token per word), priced.
    const std::string used = "openai (text-embedding-3-small): used ";
    const auto used_at = run.out.find(used);
    REQUIRE(used_at != std::string::npos);
    CHECK(plan_at < used_at);
    const std::uint64_t tokens = std::stoull(
        [&] {
            std::string digits;
            for (std::size_t i = used_at + used.size(); i < run.out.size() && run.out[i] != ' '; ++i) {
                if (run.out[i] != ',') digits += run.out[i];
            }
            return digits;
        }());
    CHECK(tokens > kTracks);  // every text has several words
    char cost[32];
    std::snprintf(cost, sizeof cost, "$%.2f", static_cast<double>(tokens) * 1000 / 1e6);
    CHECK_THAT(run.out, Catch::Contains(" tokens in 3 requests, " + std::string(cost) + " (configured prices)"));

    // Nothing left to embed: no estimate, no usage line.
    const CliRun again = plexmix(args + "embeddings generate");
    CHECK(again.code == 0);
    CHECK(again.out.find("texts to embed") == std::string::npos);
    CHECK(again.out.find(": used ") == std::string::npos);
}
