// The cohere plugin through the CLI: `plugins info`, `plugins check` and `embeddings generate`
// against the fake Cohere API and the fake Plex Media Server.
#include <sqlite3.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "cohere_support.hpp"
#include "support/fake_plex.hpp"
#include "support/test_util.hpp"

namespace fs = std::filesystem;
using namespace pmx::test;

namespace {

constexpr std::size_t kTracks = 250;  // more than two requests of at most 96 texts
constexpr std::size_t kShortDim = 512;

CliRun cli(const std::string& args) {
    const std::string plugin_dirs = " --plugin-path " + fs::path(PMX_COHERE_PLUGIN).parent_path().string() +
                                    " --plugin-path " + fs::path(PMX_PLEX_PLUGIN).parent_path().string();
    return run_cli(PMX_CLI, plugin_dirs + " " + args);
}

// Every stored vector of `model`: how many, how many of another size, their lengths.
struct Stored {
    std::size_t count = 0;
    std::size_t wrong_dim = 0;
    double min_norm = 1e9, max_norm = 0;
};

Stored read_vectors(const fs::path& db_file, const std::string& model, std::size_t want_dim) {
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
        if (dim != want_dim || bytes != dim * sizeof(float)) {
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

TEST_CASE("cohere CLI: `plexmix plugins info cohere` lists the settings with their defaults", "[cohere][cli]") {
    const CliRun run = cli("plugins info cohere");
    INFO(run.out);
    REQUIRE(run.code == 0);
    for (const char* text : {"api_key", "base_url", "https://api.cohere.com/v2", "model", "command-a-03-2025",
                             "embedding_model", "embed-v4.0", "dimensions", "context_tokens", "256000",
                             "pmx.completer/1", "pmx.embedder/1"}) {
        CHECK_THAT(run.out, Catch::Contains(text));
    }
}

TEST_CASE("cohere CLI: `plexmix plugins check` passes against the fake", "[cohere][cli]") {
    FakeLlm llm = cohere_fake();
    const CliRun run = cli(std::string("plugins check ") + PMX_COHERE_PLUGIN + " --set api_key=" + llm.key() +
                           " --set base_url=" + llm.url() + "/v2");
    INFO(run.out);
    CHECK(run.code == 0);
    CHECK_THAT(run.out, Catch::Contains("The plugin conforms to the contract.") && Catch::Contains("embed-v4.0"));
    CHECK(run.out.find(llm.key()) == std::string::npos);
    CHECK(llm.completion_requests() >= 2);  // text and JSON
    CHECK(llm.embedded_texts() >= 96);      // a full batch among them
}

TEST_CASE("cohere CLI: `embeddings generate` embeds the library through cohere in requests of at most 96",
          "[cohere][cli]") {
    FakePlex plex(FakePlexOptions{.tracks = kTracks});
    FakeLlm llm = cohere_fake();
    TempDir dir;
    const fs::path config = dir.path() / "plexmix.yaml";
    {
        std::ofstream out(config);
        out << "data_dir: " << (dir.path() / "data").string() << "\n"
            << "providers:\n"
            << "  home: { plugin: plex, url: " << plex.url() << ", token: " << plex.token() << ", retries: 0 }\n"
            << "  cohere: { plugin: cohere, api_key: " << llm.key() << ", base_url: " << llm.url()
            << "/v2, dimensions: " << kShortDim << ", retries: 0 }\n"
            << "use: { media: [home], embedder: cohere }\n";
    }
    const std::string with_config = "--config " + config.string() + " ";
    const CliRun check = cli(with_config + "config check");
    INFO(check.out);
    CHECK(check.code == 0);

    const CliRun sync = cli(with_config + "sync --no-embeddings");
    INFO(sync.out);
    REQUIRE(sync.code == 0);

    const CliRun generate = cli(with_config + "embeddings generate");
    INFO(generate.out);
    REQUIRE(generate.code == 0);
    CHECK_THAT(generate.out, Catch::Contains("cohere (embed-v4.0@512): 250 embedded, 0 up to date"));
    CHECK(generate.out.find(llm.key()) == std::string::npos);
    CHECK(llm.embedded_texts() == kTracks);
    // Every track once, in requests the API takes, each asking for stored-document vectors of 512.
    std::size_t sent = 0;
    for (const auto& r : llm.http().requests()) {
        REQUIRE(r.path == "/v2/embed");
        check_key_only_in_header(r, llm.key());
        const rapidjson::Document body = body_of(r);
        CHECK(std::string(body["input_type"].GetString()) == "search_document");
        CHECK(body["output_dimension"].GetUint() == kShortDim);
        const std::size_t texts = body["texts"].Size();
        CHECK(texts >= 1);
        CHECK(texts <= 96);
        sent += texts;
    }
    CHECK(sent == kTracks);

    const Stored stored = read_vectors(dir.path() / "data" / "plexmix.db", "embed-v4.0@512", kShortDim);
    CHECK(stored.count == kTracks);
    CHECK(stored.wrong_dim == 0);
    CHECK(stored.min_norm == Approx(1.0).epsilon(1e-4));
    CHECK(stored.max_norm == Approx(1.0).epsilon(1e-4));

    const CliRun show = cli(with_config + "config show");
    INFO(show.out);
    CHECK(show.code == 0);
    CHECK(show.out.find(llm.key()) == std::string::npos);
}

TEST_CASE("cohere CLI: `sync` embeds through cohere, and the key shows in no log line, error or `config show`",
          "[cohere][cli]") {
    FakePlex plex(FakePlexOptions{.tracks = 20});
    FakeLlm llm = cohere_fake();
    const std::string wrong = "co-wrong-key-for-the-cli-test-0123456789";
    TempDir dir;
    const auto write = [&](const std::string& key) {
        std::ofstream out(dir.path() / "plexmix.yaml", std::ios::trunc);
        out << "data_dir: " << (dir.path() / "data").string() << "\n"
            << "providers:\n"
            << "  home: { plugin: plex, url: " << plex.url() << ", token: " << plex.token() << ", retries: 0 }\n"
            << "  cohere: { plugin: cohere, api_key: " << key << ", base_url: " << llm.url() << "/v2, retries: 1 }\n"
            << "use: { media: [home], embedder: cohere }\n";
    };
    const std::string with_config = "--config " + (dir.path() / "plexmix.yaml").string() + " ";
    write(llm.key());
    // One 429 on the way: the retry is logged too.
    llm.add_rule(FakeLlmRule{.kind = FakeLlmRule::Kind::status, .status = 429, .retry_after = "0.01", .times = 1});
    const CliRun sync = cli("-vv " + with_config + "sync");
    INFO(sync.out);
    REQUIRE(sync.code == 0);
    CHECK_THAT(sync.out, Catch::Contains("/v2/embed"));  // trace lines about the requests were written
    CHECK_THAT(sync.out, Catch::Contains("cohere (embed-v4.0): 20 embedded"));
    CHECK(llm.embedded_texts() == 20);
    CHECK(sync.out.find(llm.key()) == std::string::npos);
    const CliRun show = cli(with_config + "config show");
    INFO(show.out);
    CHECK(show.code == 0);
    CHECK(show.out.find(llm.key()) == std::string::npos);

    write(wrong);
    const CliRun refused = cli("-vv " + with_config + "embeddings rebuild");
    INFO(refused.out);
    CHECK(refused.code != 0);
    CHECK_THAT(refused.out, Catch::Contains("invalid api token") && Catch::Contains("api_key"));
    CHECK(refused.out.find(wrong) == std::string::npos);
}
