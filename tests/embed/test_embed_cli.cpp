// End to end through the CLI: the fake Plex, `sync`, `embeddings generate|status|rebuild`, `search`.
#include <algorithm>
#include <filesystem>
#include <fstream>

#include <rapidjson/document.h>

#include "support/fake_plex.hpp"
#include "support/test_util.hpp"

namespace fs = std::filesystem;
using pmx::test::CliRun;
using pmx::test::FakePlex;
using pmx::test::FakePlexOptions;
using pmx::test::TempDir;

namespace {

constexpr size_t kTracks = 240;

std::string cli_words(const fs::path& config, const std::string& args) {
    const std::string plugin_dirs = " --plugin-path " + fs::path(PMX_PLEX_PLUGIN).parent_path().string() +
                                    " --plugin-path " + fs::path(PMX_TOY_EMBEDDER).parent_path().string() +
                                    " --plugin-path " + fs::path(PMX_FLAKY_EMBEDDER).parent_path().string();
    return "--config " + config.string() + plugin_dirs + " " + args;
}

CliRun cli(const fs::path& config, const std::string& args) { return pmx::test::run_cli(PMX_CLI, cli_words(config, args)); }

// stdout and stderr apart.
pmx::test::CliStreams cli_streams(const fs::path& config, const std::string& args) {
    return pmx::test::run_cli_streams(PMX_CLI, cli_words(config, args));
}

// A config with the fake Plex, two toy embedders (64-d "local", 32-d "small"), a flaky one,
// and `use:` naming `embedder` (none when empty).
fs::path write_config(const TempDir& dir, const FakePlex& plex, const std::string& embedder,
                      const std::string& flaky_settings = "") {
    const fs::path config = dir.path() / "plexmix.yaml";
    std::ofstream out(config, std::ios::trunc);
    out << "data_dir: " << (dir.path() / "data").string() << "\n"
        << "providers:\n"
        << "  home: { plugin: plex, url: " << plex.url() << ", token: " << plex.token()
        << ", page_size: 100, retries: 0 }\n"
        << "  local: { plugin: toy-embedder }\n"
        << "  small: { plugin: toy-embedder, dimension: 32 }\n"
        << "  flaky: { plugin: flaky-embedder, retries: 0, concurrency: 1" << flaky_settings << " }\n"
        << "use: { media: [home]" << (embedder.empty() ? "" : ", embedder: " + embedder) << " }\n";
    return config;
}

rapidjson::Document parse_json(const std::string& text) {
    rapidjson::Document doc;
    doc.Parse(text.c_str());
    INFO(text);
    REQUIRE_FALSE(doc.HasParseError());
    REQUIRE(doc.IsObject());
    return doc;
}

// The JSON object on stdout of a run whose stderr went elsewhere.
CliRun cli_stdout(const fs::path& config, const std::string& args, const fs::path& err_file) {
    return cli(config, args + " 2>" + err_file.string() + " ; exit $?");
}

std::string read_text(const fs::path& file) {
    std::ifstream in(file);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

const rapidjson::Value* model_status(const rapidjson::Document& doc, const std::string& name) {
    for (const auto& m : doc["models"].GetArray()) {
        if (m["model"].GetString() == name) return &m;
    }
    return nullptr;
}

// The genres a track gets in the mirror (its own, else its album's), as the plex plugin maps them.
bool is_jazz(const pmx::test::FakePlexTrack& t) {
    const auto& genres = t.genres.empty() ? t.album_genres : t.genres;
    return std::find(genres.begin(), genres.end(), "Jazz") != genres.end();
}

fs::path only_index_file(const TempDir& dir, const std::string& prefix) {
    for (const auto& entry : fs::directory_iterator(dir.path() / "data" / "vectors")) {
        const std::string name = entry.path().filename().string();
        if (name.rfind(prefix, 0) == 0 && entry.path().extension() == ".index") return entry.path();
    }
    FAIL("no index file " << prefix << "*.index");
    return {};
}

}  // namespace

TEST_CASE("CLI: sync, embeddings generate embeds every track once, edits and deletions follow", "[embed][cli]") {
    FakePlexOptions o;
    o.tracks = kTracks;
    FakePlex plex(o);
    TempDir dir;
    const fs::path config = write_config(dir, plex, "local");

    CliRun sync = cli(config, "sync --no-embeddings");
    INFO(sync.out);
    REQUIRE(sync.code == 0);
    CHECK(sync.out.find("embedded") == std::string::npos);

    CliRun generate = cli(config, "embeddings generate");
    INFO(generate.out);
    REQUIRE(generate.code == 0);
    CHECK_THAT(generate.out, Catch::Contains("local (toy-hash-64): 240 embedded, 0 up to date") &&
                                 Catch::Contains("index 240 vectors"));
    CHECK(generate.out.find(plex.token()) == std::string::npos);

    CliRun again = cli(config, "embeddings generate");
    INFO(again.out);
    CHECK(again.code == 0);
    CHECK_THAT(again.out, Catch::Contains("0 embedded, 240 up to date"));

    // A retitled track: `sync` embeds it (and only it) after syncing.
    const auto keys = plex.track_keys();
    REQUIRE(plex.set_track_title(keys[3], "A Wholly Different Title"));
    CliRun resync = cli(config, "sync");
    INFO(resync.out);
    CHECK(resync.code == 0);
    CHECK_THAT(resync.out, Catch::Contains("1 updated") && Catch::Contains("1 embedded, 239 up to date"));

    // A deleted track: its vector goes with it, and the index shrinks.
    REQUIRE(plex.delete_track(keys[4]));
    CliRun shrink = cli(config, "sync");
    INFO(shrink.out);
    CHECK(shrink.code == 0);
    CHECK_THAT(shrink.out, Catch::Contains("0 embedded, 239 up to date") && Catch::Contains("index 239 vectors"));

    const fs::path err = dir.path() / "stderr.txt";
    CliRun status = cli_stdout(config, "embeddings status --json", err);
    INFO(status.out << read_text(err));
    REQUIRE(status.code == 0);
    const auto doc = parse_json(status.out);
    CHECK(doc["tracks"].GetUint64() == 239);
    CHECK(std::string(doc["embedder"]["model"].GetString()) == "toy-hash-64");
    const auto* m = model_status(doc, "toy-hash-64");
    REQUIRE(m);
    CHECK((*m)["configured"].GetBool());
    CHECK((*m)["dim"].GetUint() == 64);
    CHECK((*m)["embedded"].GetInt64() == 239);
    CHECK((*m)["missing"].GetInt64() == 0);
    CHECK((*m)["stale"].GetInt64() == 0);
    CHECK((*m)["index"]["vectors"].GetUint64() == 239);
    CHECK((*m)["index"]["up_to_date"].GetBool());

    // A change synced without embedding shows as stale.
    REQUIRE(plex.set_track_title(keys[5], "Stale Now"));
    REQUIRE(cli(config, "sync --no-embeddings").code == 0);
    const auto stale = parse_json(cli_stdout(config, "embeddings status --json", err).out);
    CHECK((*model_status(stale, "toy-hash-64"))["stale"].GetInt64() == 1);

    CliRun table = cli(config, "embeddings status");
    INFO(table.out);
    CHECK(table.code == 0);
    CHECK_THAT(table.out, Catch::Contains("* toy-hash-64") && Catch::Contains("up to date"));
}

TEST_CASE("CLI: switching the embedder keeps the old vectors, status shows both models", "[embed][cli]") {
    FakePlexOptions o;
    o.tracks = kTracks;
    FakePlex plex(o);
    TempDir dir;
    fs::path config = write_config(dir, plex, "local");
    REQUIRE(cli(config, "sync").code == 0);  // embeds with local (toy-hash-64)

    config = write_config(dir, plex, "small");
    CliRun generate = cli(config, "embeddings generate");
    INFO(generate.out);
    REQUIRE(generate.code == 0);
    CHECK_THAT(generate.out, Catch::Contains("small (toy-hash-32): 240 embedded"));

    const fs::path err = dir.path() / "stderr.txt";
    const auto doc = parse_json(cli_stdout(config, "embeddings status --json", err).out);
    REQUIRE(doc["models"].Size() == 2);
    const auto* old_model = model_status(doc, "toy-hash-64");
    const auto* new_model = model_status(doc, "toy-hash-32");
    REQUIRE(old_model);
    REQUIRE(new_model);
    CHECK((*old_model)["embedded"].GetInt64() == 240);
    CHECK_FALSE((*old_model)["configured"].GetBool());
    CHECK((*new_model)["embedded"].GetInt64() == 240);
    CHECK((*new_model)["configured"].GetBool());

    // Back to the first: nothing to embed again.
    config = write_config(dir, plex, "local");
    CHECK_THAT(cli(config, "embeddings generate").out, Catch::Contains("0 embedded, 240 up to date"));
}

TEST_CASE("CLI: a damaged or mismatched index file is rebuilt with a message, never a crash", "[embed][cli]") {
    FakePlexOptions o;
    o.tracks = kTracks;
    FakePlex plex(o);
    TempDir dir;
    const fs::path config = write_config(dir, plex, "local");
    REQUIRE(cli(config, "sync").code == 0);
    const fs::path file = only_index_file(dir, "toy-hash-64-");

    SECTION("truncated: search rebuilds it and says so") {
        fs::resize_file(file, fs::file_size(file) / 3);
        const fs::path err = dir.path() / "stderr.txt";
        CliRun search = cli_stdout(config, "search jazz --json", err);
        INFO(search.out << read_text(err));
        CHECK(search.code == 0);
        CHECK_THAT(read_text(err), Catch::Contains("could not be read") &&
                                       Catch::Contains("rebuilt from 240 stored vectors"));
        CHECK(parse_json(search.out)["vectors"].GetBool());
        CHECK_THAT(cli(config, "embeddings status").out, Catch::Contains("up to date"));
    }
    SECTION("garbage: generate rebuilds it and says so") {
        std::ofstream(file, std::ios::trunc) << "garbage";
        CliRun generate = cli(config, "embeddings generate");
        INFO(generate.out);
        CHECK(generate.code == 0);
        CHECK_THAT(generate.out, Catch::Contains("note: vector index of toy-hash-64") &&
                                     Catch::Contains("rebuilt from 240 stored vectors") &&
                                     Catch::Contains("index 240 vectors (rebuilt)"));
    }
    SECTION("another dimension (another model's file in its place): rebuilt") {
        REQUIRE(cli(config, "embeddings generate --embedder small").code == 0);
        fs::copy_file(only_index_file(dir, "toy-hash-32-"), file, fs::copy_options::overwrite_existing);
        CliRun generate = cli(config, "embeddings generate");
        INFO(generate.out);
        CHECK(generate.code == 0);
        CHECK_THAT(generate.out, Catch::Contains("has dimension 32, the model 64") &&
                                     Catch::Contains("rebuilt from 240 stored vectors"));
    }
    SECTION("deleted: rebuild --index-only writes it again") {
        fs::remove(file);
        CliRun rebuild = cli(config, "embeddings rebuild --index-only");
        INFO(rebuild.out);
        CHECK(rebuild.code == 0);
        CHECK_THAT(rebuild.out, Catch::Contains("toy-hash-64: index rebuilt from 240 stored vectors"));
        CHECK(fs::exists(file));
    }
}

TEST_CASE("CLI: a first embedding builds the index without a word of repair", "[embed][cli]") {
    FakePlexOptions o;
    o.tracks = kTracks;
    FakePlex plex(o);
    TempDir dir;
    const fs::path config = write_config(dir, plex, "local");
    const auto first = cli_streams(config, "sync");
    INFO("stdout:\n" << first.out << "stderr:\n" << first.err);
    REQUIRE(first.code == 0);
    CHECK_THAT(first.out, Catch::Contains("local (toy-hash-64): 240 embedded, 0 up to date") &&
                              Catch::Contains("index 240 vectors (built)"));
    CHECK_THAT(first.out + first.err, !Catch::Contains("missing") && !Catch::Contains("rebuilt") &&
                                          !Catch::Contains("note:"));
}

TEST_CASE("CLI: an embedder that fails mid-way exits 1 and leaves what it stored consistent", "[embed][cli]") {
    FakePlexOptions o;
    o.tracks = kTracks;
    FakePlex plex(o);
    TempDir dir;
    fs::path config = write_config(dir, plex, "flaky", ", fail_after: 3");
    REQUIRE(cli(config, "sync --no-embeddings").code == 0);
    const auto broken = cli_streams(config, "embeddings generate");
    INFO("stdout:\n" << broken.out << "stderr:\n" << broken.err);
    CHECK(broken.code == 1);
    // The result line on stdout, the error on stderr, once.
    CHECK_THAT(broken.out, Catch::Contains("flaky (flaky): 48 embedded") && Catch::Contains("48 failed") &&
                               Catch::Contains("left for the next run") && !Catch::Contains("broke (as asked)"));
    CHECK(pmx::test::count_of(broken.err, "broke (as asked)") == 1);

    const fs::path err = dir.path() / "stderr.txt";
    const auto doc = parse_json(cli_stdout(config, "embeddings status --json", err).out);
    const auto* m = model_status(doc, "flaky");
    REQUIRE(m);
    CHECK((*m)["embedded"].GetInt64() == 48);
    CHECK((*m)["missing"].GetInt64() == 240 - 48);
    CHECK((*m)["index"]["vectors"].GetUint64() == 48);
    CHECK((*m)["index"]["up_to_date"].GetBool());

    config = write_config(dir, plex, "flaky");
    CliRun fixed = cli(config, "embeddings generate");
    INFO(fixed.out);
    CHECK(fixed.code == 0);
    CHECK_THAT(fixed.out, Catch::Contains("192 embedded, 48 up to date"));

    CliRun rebuild = cli(config, "embeddings rebuild");
    INFO(rebuild.out);
    CHECK(rebuild.code == 0);
    CHECK_THAT(rebuild.out, Catch::Contains("240 embedded, 0 up to date") && Catch::Contains("(rebuilt)"));
}

TEST_CASE("CLI: search ranks the tracks of a genre first for that genre's word", "[embed][cli][search]") {
    FakePlexOptions o;
    o.tracks = kTracks;
    FakePlex plex(o);
    TempDir dir;
    size_t jazz = 0;
    for (size_t i = 0; i < plex.track_count(); ++i) jazz += is_jazz(plex.track_at(i)) ? 1 : 0;
    REQUIRE(jazz >= 5);
    REQUIRE(jazz < 40);
    const fs::path err = dir.path() / "stderr.txt";

    const auto check_ranking = [&](const rapidjson::Document& doc) {
        const auto& results = doc["results"];
        REQUIRE(results.Size() >= jazz);
        for (rapidjson::SizeType i = 0; i < results.Size(); ++i) {
            bool has_jazz = false;
            for (const auto& g : results[i]["genres"].GetArray()) has_jazz = has_jazz || std::string(g.GetString()) == "Jazz";
            INFO("rank " << i + 1 << ": " << results[i]["title"].GetString());
            CHECK(has_jazz == (i < jazz));
            CHECK(results[i]["rank"].GetUint64() == i + 1);
        }
    };

    SECTION("hybrid: keywords and vectors") {
        const fs::path config = write_config(dir, plex, "local");
        REQUIRE(cli(config, "sync").code == 0);
        CliRun search = cli_stdout(config, "search jazz --json --limit 40", err);
        INFO(search.out << read_text(err));
        REQUIRE(search.code == 0);
        const auto doc = parse_json(search.out);
        CHECK(doc["keywords"].GetBool());
        CHECK(doc["vectors"].GetBool());
        CHECK(std::string(doc["model"].GetString()) == "toy-hash-64");
        CHECK(doc["results"].Size() == 40);
        check_ranking(doc);
        CHECK(doc["results"][0]["vector_rank"].IsUint64());
        CHECK(doc["results"][0]["keyword_rank"].IsUint64());

        CliRun table = cli_stdout(config, "search Jazz -n 5", err);
        INFO(table.out);
        CHECK(table.code == 0);
        CHECK_THAT(table.out, Catch::Contains("title") && Catch::Contains("genres") && Catch::Contains("score"));
        CHECK_THAT(table.out, Catch::StartsWith("Read as: genre Jazz\n"));
        CHECK(std::count(table.out.begin(), table.out.end(), '\n') == 7);  // read as + header + 5
    }
    SECTION("keywords only: no embedder configured, and it says so") {
        const fs::path config = write_config(dir, plex, "");
        REQUIRE(cli(config, "sync").code == 0);
        CliRun search = cli_stdout(config, "search jazz --json --limit 40", err);
        INFO(search.out << read_text(err));
        REQUIRE(search.code == 0);
        CHECK_THAT(read_text(err), Catch::Contains("no embedder configured") &&
                                       Catch::Contains("keyword matches only"));
        const auto doc = parse_json(search.out);
        CHECK_FALSE(doc["vectors"].GetBool());
        CHECK(doc["results"].Size() == jazz);
        check_ranking(doc);
    }
    SECTION("an embedder without vectors yet: keywords, and a hint") {
        const fs::path config = write_config(dir, plex, "local");
        REQUIRE(cli(config, "sync --no-embeddings").code == 0);
        CliRun search = cli_stdout(config, "search jazz --json", err);
        REQUIRE(search.code == 0);
        CHECK_THAT(read_text(err), Catch::Contains("plexmix embeddings generate"));
        CHECK_FALSE(parse_json(search.out)["vectors"].GetBool());
    }
}

TEST_CASE("CLI: --help everywhere, usage and configuration errors exit 2", "[embed][cli]") {
    FakePlex plex;
    TempDir dir;
    const fs::path config = write_config(dir, plex, "");
    for (const char* args : {"embeddings --help", "embeddings generate --help", "embeddings status --help",
                             "embeddings rebuild --help", "search --help"}) {
        CliRun help = cli(config, args);
        INFO(args << "\n" << help.out);
        CHECK(help.code == 0);
        CHECK_THAT(help.out, Catch::Contains("usage: plexmix"));
    }
    CHECK(cli(config, "embeddings").code == 2);
    CHECK(cli(config, "embeddings frobnicate").code == 2);
    CHECK(cli(config, "search").code == 2);
    CHECK(cli(config, "search jazz --limit 0").code == 2);
    CliRun no_embedder = cli(config, "embeddings generate");
    CHECK(no_embedder.code == 2);
    CHECK_THAT(no_embedder.out, Catch::Contains("no embedder configured"));
    CHECK(cli(config, "embeddings generate --embedder home").code == 2);  // a media source, not an embedder
    CHECK(cli(config, "embeddings rebuild --index-only --embedder local").code == 2);
}
