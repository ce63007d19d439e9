// The gemini plugin through the CLI: `plugins info`, `plugins check` and `embeddings generate`
// against the fake Gemini API and the fake Plex Media Server.
#include <sqlite3.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "support/fake_llm.hpp"
#include "support/fake_plex.hpp"
#include "support/test_util.hpp"

namespace fs = std::filesystem;
using pmx::test::CliRun;
using pmx::test::FakeLlm;
using pmx::test::FakeLlmOptions;
using pmx::test::FakePlex;
using pmx::test::FakePlexOptions;
using pmx::test::LlmApi;
using pmx::test::TempDir;

namespace {

constexpr std::size_t kTracks = 250;  // three batches of at most 100
constexpr std::size_t kShortDim = 768;

CliRun cli(const std::string& args) {
    const std::string plugin_dirs = " --plugin-path " + fs::path(PMX_GEMINI_PLUGIN).parent_path().string() +
                                    " --plugin-path " + fs::path(PMX_PLEX_PLUGIN).parent_path().string();
    return pmx::test::run_cli(PMX_CLI, plugin_dirs + " " + args);
}

// Every stored vector of `model`: its dimension and its length.
struct Stored {
    std::size_t count = 0;
    std::size_t wrong_dim = 0;
    double min_norm = 1e9, max_norm = 0;
};

Stored read_vectors(const fs::path& db_file, const std::string& model) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2(db_file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    const char* sql =
        "SELECT m.dim, e.vector FROM embeddings e JOIN embedding_models m ON m.id = e.model_id WHERE m.name = ?";
    REQUIRE(sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK);
    sqlite3_bind_text(stmt, 1, model.c_str(), -1, SQLITE_TRANSIENT);
    Stored out;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        ++out.count;
        const auto dim = static_cast<std::size_t>(sqlite3_column_int64(stmt, 0));
        const auto bytes = static_cast<std::size_t>(sqlite3_column_bytes(stmt, 1));
        if (dim != kShortDim || bytes != dim * sizeof(float)) {
            ++out.wrong_dim;
            continue;
        }
        std::vector<float> v(dim);
        std::memcpy(v.data(), sqlite3_column_blob(stmt, 1), bytes);
        double sum = 0;
        for (const float x : v) sum += double(x) * x;
        out.min_norm = std::min(out.min_norm, std::sqrt(sum));
        out.max_norm = std::max(out.max_norm, std::sqrt(sum));
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return out;
}

}  // namespace

TEST_CASE("gemini CLI: `plexmix plugins info gemini` lists the settings with their defaults", "[gemini][cli]") {
    const CliRun run = cli("plugins info gemini");
    INFO(run.out);
    REQUIRE(run.code == 0);
    for (const char* text : {"api_key", "base_url", "https://generativelanguage.googleapis.com/v1beta", "model",
                             "gemini-2.5-flash", "embedding_model", "gemini-embedding-001", "dimensions",
                             "thinking_budget", "context_tokens", "pmx.completer/1", "pmx.embedder/1"}) {
        CHECK_THAT(run.out, Catch::Contains(text));
    }
}

TEST_CASE("gemini CLI: `plexmix plugins check` passes against the fake", "[gemini][cli]") {
    FakeLlm llm(FakeLlmOptions{.api = LlmApi::gemini});
    const CliRun run = cli(std::string("plugins check ") + PMX_GEMINI_PLUGIN + " --set api_key=" + llm.key() +
                           " --set base_url=" + llm.url() + "/v1beta");
    INFO(run.out);
    CHECK(run.code == 0);
    CHECK_THAT(run.out, Catch::Contains("The plugin conforms to the contract."));
    CHECK(run.out.find(llm.key()) == std::string::npos);
    CHECK(llm.completion_requests() >= 2);  // text and JSON
    CHECK(llm.embedded_texts() >= 100);     // a full batch among them
}

TEST_CASE("gemini CLI: `embeddings generate` embeds the library through gemini, shortened vectors stored normalised",
          "[gemini][cli]") {
    FakePlex plex(FakePlexOptions{.tracks = kTracks});
    FakeLlm llm(FakeLlmOptions{.api = LlmApi::gemini});
    TempDir dir;
    const fs::path config = dir.path() / "plexmix.yaml";
    {
        std::ofstream out(config);
        out << "data_dir: " << (dir.path() / "data").string() << "\n"
            << "providers:\n"
            << "  home: { plugin: plex, url: " << plex.url() << ", token: " << plex.token() << ", retries: 0 }\n"
            << "  gemini: { plugin: gemini, api_key: " << llm.key() << ", base_url: " << llm.url()
            << "/v1beta, dimensions: " << kShortDim << ", retries: 0 }\n"
            << "use: { media: [home], embedder: gemini }\n";
    }
    const std::string with_config = "--config " + config.string() + " ";
    const CliRun sync = cli(with_config + "sync --no-embeddings");
    INFO(sync.out);
    REQUIRE(sync.code == 0);

    const CliRun generate = cli(with_config + "embeddings generate");
    INFO(generate.out);
    REQUIRE(generate.code == 0);
    CHECK_THAT(generate.out, Catch::Contains("gemini (gemini-embedding-001@768): 250 embedded, 0 up to date"));
    CHECK(generate.out.find(llm.key()) == std::string::npos);
    CHECK(llm.embedded_texts() == kTracks);
    // Every track in batches the API takes (at most 100 texts each), each text once.
    std::size_t sent = 0;
    for (const auto& r : llm.http().requests()) {
        REQUIRE(r.path == "/v1beta/models/gemini-embedding-001:batchEmbedContents");
        const std::size_t texts = pmx::test::count_of(r.body, "\"taskType\":\"RETRIEVAL_DOCUMENT\"");
        CHECK(texts >= 1);
        CHECK(texts <= 100);
        sent += texts;
    }
    CHECK(sent == kTracks);

    // The API's shortened vectors are not unit length; the host normalised them before storing.
    const Stored stored = read_vectors(dir.path() / "data" / "plexmix.db", "gemini-embedding-001@768");
    CHECK(stored.count == kTracks);
    CHECK(stored.wrong_dim == 0);
    CHECK(stored.min_norm == Approx(1.0).epsilon(1e-4));
    CHECK(stored.max_norm == Approx(1.0).epsilon(1e-4));

    // The key went only in headers.
    for (const auto& r : llm.http().requests()) CHECK(r.target.find(llm.key()) == std::string::npos);
}

TEST_CASE("gemini CLI: `sync` embeds a library through gemini, switched on with one line under use:",
          "[gemini][cli][sync]") {
    constexpr std::size_t kSyncTracks = 60;
    constexpr std::size_t kMaxTextsPerRequest = 100;  // batchEmbedContents takes at most 100
    FakePlex plex(FakePlexOptions{.tracks = kSyncTracks});
    FakeLlm llm(FakeLlmOptions{.api = LlmApi::gemini});
    TempDir dir;
    const fs::path config = dir.path() / "plexmix.yaml";
    std::ofstream(config) << "data_dir: " << (dir.path() / "data").string() << "\n"
                          << "providers:\n"
                          << "  home: { plugin: plex, url: " << plex.url() << ", token: " << plex.token()
                          << ", page_size: 50, retries: 0 }\n"
                          << "  gemini: { plugin: gemini, api_key: " << llm.key() << ", base_url: " << llm.url()
                          << "/v1beta, retries: 0 }\n"
                          << "use: { media: [home], embedder: gemini }\n";
    const std::string with_config = "--config " + config.string() + " ";

    const CliRun check = cli(with_config + "config check");
    INFO(check.out);
    CHECK(check.code == 0);

    const CliRun sync = cli(with_config + "sync");
    INFO(sync.out);
    REQUIRE(sync.code == 0);
    CHECK_THAT(sync.out, Catch::Contains("gemini-embedding-001") &&
                             Catch::Contains(std::to_string(kSyncTracks) + " embedded"));
    CHECK(llm.embedded_texts() == kSyncTracks);
    // Every request went to batchEmbedContents with at most 100 texts, each track's text once.
    const auto requests = llm.http().requests();
    REQUIRE_FALSE(requests.empty());
    std::size_t sent = 0;
    for (const auto& r : requests) {
        CHECK(r.path == "/v1beta/models/gemini-embedding-001:batchEmbedContents");
        const std::size_t texts = pmx::test::count_of(r.body, "\"taskType\":\"RETRIEVAL_DOCUMENT\"");
        CHECK(texts >= 1);
        CHECK(texts <= kMaxTextsPerRequest);
        sent += texts;
        CHECK(r.target.find(llm.key()) == std::string::npos);
        CHECK(r.body.find(llm.key()) == std::string::npos);
    }
    CHECK(sent == kSyncTracks);
    CHECK(sync.out.find(llm.key()) == std::string::npos);
    CHECK(check.out.find(llm.key()) == std::string::npos);
}

TEST_CASE("gemini CLI: the key shows in no log line, error or `config show`, even at trace level", "[gemini][cli]") {
    FakePlex plex(FakePlexOptions{.tracks = 20});
    FakeLlm llm(FakeLlmOptions{.api = LlmApi::gemini});
    const std::string wrong = "AIzaSyWrongKeyForTheTest-0123456789";
    TempDir dir;
    const auto write = [&](const std::string& key) {
        std::ofstream out(dir.path() / "plexmix.yaml", std::ios::trunc);
        out << "data_dir: " << (dir.path() / "data").string() << "\n"
            << "providers:\n"
            << "  home: { plugin: plex, url: " << plex.url() << ", token: " << plex.token() << ", retries: 0 }\n"
            << "  gemini: { plugin: gemini, api_key: " << key << ", base_url: " << llm.url()
            << "/v1beta, retries: 1 }\n"
            << "use: { media: [home], embedder: gemini }\n";
    };
    const std::string with_config = "--config " + (dir.path() / "plexmix.yaml").string() + " ";
    write(llm.key());
    // One 429 on the way: the retry is logged too.
    llm.add_rule(pmx::test::FakeLlmRule{.kind = pmx::test::FakeLlmRule::Kind::status, .status = 429,
                                        .retry_after = "0.01", .times = 1});
    const CliRun sync = cli("-vv " + with_config + "sync");
    INFO(sync.out);
    REQUIRE(sync.code == 0);
    CHECK_THAT(sync.out, Catch::Contains("batchEmbedContents"));  // trace lines about the requests were written
    CHECK(sync.out.find(llm.key()) == std::string::npos);
    const CliRun show = cli(with_config + "config show");
    INFO(show.out);
    CHECK(show.code == 0);
    CHECK(show.out.find(llm.key()) == std::string::npos);

    write(wrong);
    const CliRun refused = cli("-vv " + with_config + "embeddings rebuild");
    INFO(refused.out);
    CHECK(refused.code != 0);
    CHECK_THAT(refused.out, Catch::Contains("API key not valid") && Catch::Contains("api_key"));
    CHECK(refused.out.find(wrong) == std::string::npos);
}
