// `plexmix search` end to end over the fake Plex: what the query was read as, and per result
// the names it carries, in the table and in --json.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

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

// A config with the fake Plex and the toy embedder in use.
fs::path write_config(const TempDir& dir, const FakePlex& plex) {
    const fs::path config = dir.path() / "plexmix.yaml";
    std::ofstream out(config, std::ios::trunc);
    out << "data_dir: " << (dir.path() / "data").string() << "\n"
        << "providers:\n"
        << "  home: { plugin: plex, url: " << plex.url() << ", token: " << plex.token()
        << ", page_size: 100, retries: 0 }\n"
        << "  local: { plugin: toy-embedder }\n"
        << "use: { media: [home], embedder: local }\n";
    return config;
}

// stdout only: stderr (notes) goes to a file.
CliRun cli(const TempDir& dir, const fs::path& config, const std::string& args) {
    const std::string words = "--config " + config.string() + " --plugin-path " +
                              fs::path(PMX_PLEX_PLUGIN).parent_path().string() + " --plugin-path " +
                              fs::path(PMX_TOY_EMBEDDER).parent_path().string() + " " + args + " 2>" +
                              (dir.path() / "stderr.txt").string() + " ; exit $?";
    return pmx::test::run_cli(PMX_CLI, words);
}

rapidjson::Document parse_json(const std::string& text) {
    rapidjson::Document doc;
    doc.Parse(text.c_str());
    INFO(text);
    REQUIRE_FALSE(doc.HasParseError());
    REQUIRE(doc.IsObject());
    return doc;
}

std::string first_line(const std::string& text) {
    return text.substr(0, text.find('\n'));
}

}  // namespace

TEST_CASE("CLI: search says what the query was read as, and which names each result carries", "[embed][cli][search]") {
    FakePlexOptions o;
    o.tracks = kTracks;
    FakePlex plex(o);
    TempDir dir;
    size_t beyonce = 0;  // the artist's tracks: album artist Beyoncé (some credit a guest too)
    for (size_t i = 0; i < plex.track_count(); ++i) beyonce += plex.track_at(i).album_artist == "Beyoncé" ? 1 : 0;
    REQUIRE(beyonce >= 5);
    REQUIRE(beyonce < 40);
    const fs::path config = write_config(dir, plex);
    REQUIRE(cli(dir, config, "sync").code == 0);

    SECTION("--json: read_as, and matched per result") {
        const CliRun search = cli(dir, config, "search beyonce --json --limit 40");
        INFO(search.out);
        REQUIRE(search.code == 0);
        const auto doc = parse_json(search.out);
        REQUIRE(doc.HasMember("read_as"));
        const auto& read_as = doc["read_as"];
        REQUIRE(read_as.Size() == 1);
        CHECK(std::string(read_as[0]["field"].GetString()) == "artist");
        CHECK(std::string(read_as[0]["words"].GetString()) == "beyonce");
        CHECK(std::string(read_as[0]["name"].GetString()) == "Beyoncé");
        REQUIRE(read_as[0]["names"].Size() == 1);
        const auto& results = doc["results"];
        REQUIRE(results.Size() == 40);
        for (rapidjson::SizeType i = 0; i < results.Size(); ++i) {
            INFO("rank " << i + 1 << ": " << results[i]["title"].GetString() << " by "
                         << results[i]["artist"].GetString());
            REQUIRE(results[i].HasMember("matched"));
            const auto& matched = results[i]["matched"];
            if (i < beyonce) {
                CHECK_THAT(results[i]["artist"].GetString(), Catch::StartsWith("Beyoncé"));
                REQUIRE(matched.Size() == 1);
                CHECK(std::string(matched[0]["field"].GetString()) == "artist");
                CHECK(std::string(matched[0]["name"].GetString()) == "Beyoncé");
            } else {
                CHECK_THAT(results[i]["artist"].GetString(), !Catch::StartsWith("Beyoncé"));
                CHECK(matched.Size() == 0);
            }
        }
    }
    SECTION("table: a line naming what the query was read as, a matched column") {
        const CliRun table = cli(dir, config, "search BEYONCE -n 5");
        INFO(table.out);
        REQUIRE(table.code == 0);
        CHECK(first_line(table.out) == "Read as: artist Beyoncé");
        const std::string header = first_line(table.out.substr(table.out.find('\n') + 1));
        CHECK_THAT(header, Catch::Contains("genres") && Catch::Contains("matched") && Catch::Contains("score"));
        CHECK(std::count(table.out.begin(), table.out.end(), '\n') == 7);  // read as + header + 5
        size_t rows = 0;
        for (size_t at = table.out.find("artist Beyoncé"); at != std::string::npos;
             at = table.out.find("artist Beyoncé", at + 1)) {
            ++rows;
        }
        CHECK(rows == 6);  // the line above and the 5 rows
    }
    SECTION("a query that names nothing: no line, no column, nothing matched") {
        const CliRun search = cli(dir, config, "search \"rainy night\" --json -n 10");
        INFO(search.out);
        REQUIRE(search.code == 0);
        const auto doc = parse_json(search.out);
        REQUIRE(doc.HasMember("read_as"));
        CHECK(doc["read_as"].Size() == 0);
        for (const auto& result : doc["results"].GetArray()) {
            REQUIRE(result.HasMember("matched"));
            CHECK(result["matched"].Size() == 0);
        }
        const CliRun table = cli(dir, config, "search \"rainy night\" -n 3");
        INFO(table.out);
        REQUIRE(table.code == 0);
        CHECK_THAT(table.out, !Catch::Contains("Read as") && !Catch::Contains("matched"));
        CHECK_THAT(first_line(table.out), Catch::StartsWith("#"));
    }
}
