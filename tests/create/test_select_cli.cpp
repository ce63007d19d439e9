// `plexmix create` with a completer configured, end to end against the fake Plex and the fake
// OpenAI API: --json carries the choice, each track's reason, the usage and its cost; --explain
// shows the reasons; --no-llm sends nothing; a failure is one note line and --json says why.
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <rapidjson/document.h>

#include "support/fake_llm.hpp"
#include "support/fake_plex.hpp"
#include "support/test_util.hpp"

namespace fs = std::filesystem;
using pmx::test::CliRun;
using pmx::test::FakeLlm;
using pmx::test::FakeLlmCall;
using pmx::test::FakeLlmOptions;
using pmx::test::FakePlex;
using pmx::test::FakePlexOptions;
using pmx::test::LlmApi;
using pmx::test::TempDir;

namespace {

constexpr size_t kTracks = 200;

std::string plugin_dirs() {
    return " --plugin-path " + fs::path(PMX_PLEX_PLUGIN).parent_path().string() + " --plugin-path " +
           fs::path(PMX_TOY_EMBEDDER).parent_path().string() + " --plugin-path " +
           fs::path(PMX_OPENAI_PLUGIN).parent_path().string();
}

std::vector<int64_t> ids_in(const std::string& prompt) {
    std::vector<int64_t> ids;
    static const std::regex line(R"((?:^|\n)(\d+) \| )");
    for (auto it = std::sregex_iterator(prompt.begin(), prompt.end(), line); it != std::sregex_iterator(); ++it) {
        ids.push_back(std::stoll((*it)[1]));
    }
    return ids;
}

// A model that chooses the count asked for from the last candidate sent, with a reason naming each.
std::string reversed_choice(const FakeLlmCall& call) {
    auto ids = ids_in(call.prompt);
    std::reverse(ids.begin(), ids.end());
    static const std::regex wanted(R"(Choose exactly (\d+) tracks)");
    std::smatch m;
    if (std::regex_search(call.prompt, m, wanted)) ids.resize(std::min<size_t>(ids.size(), std::stoul(m[1])));
    std::string text = "{\"tracks\": [";
    for (size_t i = 0; i < ids.size(); ++i) {
        text += (i ? ", " : "") + std::string("{\"id\": ") + std::to_string(ids[i]) + ", \"reason\": \"calm pick " +
                std::to_string(ids[i]) + "\"}";
    }
    return text + "]}";
}

struct Setup {
    FakePlex plex;
    FakeLlm llm;
    TempDir dir;
    fs::path config;

    explicit Setup(const std::string& llm_extra = "")
        : plex([] {
              FakePlexOptions o;
              o.tracks = kTracks;
              return o;
          }()),
          llm(FakeLlmOptions{.api = LlmApi::openai}) {
        llm.set_script(reversed_choice);
        config = dir.path() / "plexmix.yaml";
        std::ofstream(config) << "data_dir: " << (dir.path() / "data").string() << "\n"
                              << "providers:\n"
                              << "  home: { plugin: plex, url: " << plex.url() << ", token: " << plex.token()
                              << ", retries: 0 }\n"
                              << "  local: { plugin: toy-embedder }\n"
                              << "  llm: { plugin: openai, base_url: " << llm.url() << "/v1, api_key: " << llm.key()
                              << ", server: openai, retries: 0, price_in: 1, price_out: 4" << llm_extra << " }\n"
                              << "use: { media: [home], embedder: local, completer: llm }\n";
        const CliRun sync = cli("sync");
        INFO(sync.out);
        REQUIRE(sync.code == 0);
    }

    std::string args(const std::string& rest) const {
        return "--config " + config.string() + plugin_dirs() + " " + rest;
    }
    CliRun cli(const std::string& rest) const { return pmx::test::run_cli(PMX_CLI, args(rest)); }
    // stdout and stderr apart.
    pmx::test::CliStreams streams(const std::string& rest) const { return pmx::test::run_cli_streams(PMX_CLI, args(rest)); }
};

rapidjson::Document json_of(const std::string& text) {
    rapidjson::Document doc;
    doc.Parse(text.c_str(), text.size());
    INFO(text);
    REQUIRE_FALSE(doc.HasParseError());
    return doc;
}

std::vector<std::string> lines_with(const std::string& text, const std::string& part) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (line.find(part) != std::string::npos) out.push_back(line);
    }
    return out;
}

}  // namespace

TEST_CASE("CLI: create with a completer: --json carries its choice, each reason, the usage and the cost",
          "[create][select][cli]") {
    Setup s;
    const auto run = s.streams("create \"calm evening songs\" --limit 8 --dry-run --json");
    INFO(run.err);
    REQUIRE(run.code == 0);
    REQUIRE(s.llm.completion_requests() == 1);
    const auto sent = ids_in(s.llm.calls().at(0).prompt);
    REQUIRE(sent.size() >= 8);
    const auto doc = json_of(run.out);
    const auto& llm = doc["llm"];
    CHECK(llm["used"].GetBool());
    CHECK(llm["reason"].IsNull());
    CHECK(std::string(llm["provider"].GetString()) == "llm");
    CHECK(std::string(llm["model"].GetString()) == "gpt-4o-mini");
    CHECK(llm["offered"].GetUint64() == sent.size());
    CHECK(llm["chosen"].GetUint64() == 8);
    CHECK(llm["in_playlist"].GetUint64() == 8);
    CHECK(llm["topped_up"].GetUint64() == 0);
    REQUIRE(llm["usage"].Size() == 1);
    const auto& usage = llm["usage"][0];
    CHECK(usage["requests"].GetUint() == 1);
    CHECK(usage["input_tokens"].GetUint64() > 0);
    CHECK(usage["output_tokens"].GetUint64() > 0);
    REQUIRE(usage["cost_usd"].IsNumber());
    // price_in 1, price_out 4 (USD per million tokens).
    const double cost = (usage["input_tokens"].GetDouble() * 1 + usage["output_tokens"].GetDouble() * 4) / 1e6;
    CHECK(usage["cost_usd"].GetDouble() == Approx(cost));
    CHECK_THAT(usage["line"].GetString(), Catch::Contains("in 1 request"));

    const auto& tracks = doc["tracks"];
    REQUIRE(tracks.Size() == 8);
    std::vector<int64_t> chosen;
    for (const auto& t : tracks.GetArray()) {
        const int64_t id = t["track_id"].GetInt64();
        CHECK(std::find(sent.begin(), sent.end(), id) != sent.end());
        REQUIRE(t["reason"].IsString());
        CHECK(std::string(t["reason"].GetString()) == "calm pick " + std::to_string(id));
        CHECK(t["choice"].IsUint64());
        chosen.push_back(id);
    }
    // The completer's first 8 (the last 8 sent), whatever order the order step gives them.
    std::vector<int64_t> expected(sent.rbegin(), sent.rbegin() + 8);
    std::sort(expected.begin(), expected.end());
    std::sort(chosen.begin(), chosen.end());
    CHECK(chosen == expected);
    CHECK(run.out.find(s.llm.key()) == std::string::npos);
}

TEST_CASE("CLI: --explain shows the completer's reason per track and what the choice cost", "[create][select][cli]") {
    Setup s;
    const CliRun run = s.cli("create \"calm evening songs\" --limit 6 --dry-run --explain --order similarity");
    INFO(run.out);
    REQUIRE(run.code == 0);
    const auto sent = ids_in(s.llm.calls().at(0).prompt);
    REQUIRE(sent.size() >= 6);
    CHECK_THAT(run.out, Catch::Contains("why (completer)") && Catch::Contains("calm pick " + std::to_string(sent.back())) &&
                            Catch::Contains("  select:   llm (gpt-4o-mini) chose 6 of " + std::to_string(sent.size()) +
                                            " candidates") &&
                            Catch::Contains("Chosen by: llm (gpt-4o-mini)") &&
                            Catch::Contains("tokens in 1 request, $"));
}

TEST_CASE("CLI: --no-llm and a select step with llm false send nothing to the completer", "[create][select][cli]") {
    Setup s;
    const auto run = s.streams("create \"calm evening songs\" --limit 8 --dry-run --json --no-llm");
    INFO(run.err);
    REQUIRE(run.code == 0);
    CHECK(s.llm.http().requests().empty());
    const auto doc = json_of(run.out);
    CHECK_FALSE(doc["llm"]["used"].GetBool());
    CHECK(std::string(doc["llm"]["reason"].GetString()) == "turned off for this run (--no-llm)");
    CHECK(doc["llm"]["usage"].Empty());
    for (const auto& t : doc["tracks"].GetArray()) CHECK(t["reason"].IsNull());

    std::ofstream(s.config, std::ios::app)
        << "pipelines:\n  generate: [parse, filter, retrieve, { select: { llm: false } }, diversify, order, publish]\n";
    const auto off = s.streams("create \"calm evening songs\" --limit 8 --dry-run --json");
    INFO(off.err);
    REQUIRE(off.code == 0);
    CHECK(s.llm.http().requests().empty());
    CHECK(std::string(json_of(off.out)["llm"]["reason"].GetString()) ==
          "turned off in the pipeline (select: { llm: false })");
}

TEST_CASE("CLI: a completer that fails is said in one note line, and --json carries the reason", "[create][select][cli]") {
    Setup s;
    const std::string key = s.llm.key();
    s.llm.set_keys({"sk-not-the-configured-key-0123"});
    const CliRun text = s.cli("create \"calm evening songs\" --limit 8 --dry-run");
    INFO(text.out);
    REQUIRE(text.code == 0);
    const auto notes = lines_with(text.out, "select:");
    REQUIRE(notes.size() == 1);
    CHECK_THAT(notes[0], Catch::StartsWith("plexmix: note: select: the completer llm did not choose (AUTH") &&
                             Catch::EndsWith("the playlist follows the retrieval ranking"));
    CHECK_THAT(text.out, Catch::Contains("Chosen by: the retrieval ranking (AUTH"));
    CHECK(text.out.find(key) == std::string::npos);

    const auto json = s.streams("create \"calm evening songs\" --limit 8 --dry-run --json");
    REQUIRE(json.code == 0);
    const auto doc = json_of(json.out);
    CHECK_FALSE(doc["llm"]["used"].GetBool());
    CHECK_THAT(doc["llm"]["reason"].GetString(), Catch::StartsWith("AUTH"));
    CHECK(doc["tracks"].Size() == 8);
    bool noted = false;
    for (const auto& n : doc["notes"].GetArray()) noted = noted || std::string(n.GetString()).starts_with("select: ");
    CHECK(noted);
    CHECK(json.out.find(key) == std::string::npos);
}

TEST_CASE("CLI: a completer that does not answer within the configured timeout is one note, not a hang",
          "[create][select][cli]") {
    Setup s(", timeout: 1s, deadline: 2s");
    s.llm.add_rule({.kind = pmx::test::FakeLlmRule::Kind::hang});
    const auto run = s.streams("create \"calm evening songs\" --limit 8 --dry-run --json");
    INFO(run.err);
    REQUIRE(run.code == 0);
    const auto doc = json_of(run.out);
    std::vector<std::string> notes;
    for (const auto& n : doc["notes"].GetArray()) {
        if (std::string(n.GetString()).starts_with("select:")) notes.emplace_back(n.GetString());
    }
    REQUIRE(notes.size() == 1);
    CHECK_THAT(notes[0], Catch::Contains("did not choose (TIMEOUT"));
    CHECK_FALSE(doc["llm"]["used"].GetBool());
    CHECK_THAT(doc["llm"]["reason"].GetString(), Catch::StartsWith("TIMEOUT"));
    CHECK(doc["tracks"].Size() == 8);
}

TEST_CASE("CLI: --llm-parse: the completer reads the prompt too, --json and --explain show its disagreements and cost",
          "[create][parse_llm][cli]") {
    Setup s;
    // A reading that disagrees with the rules on the count; the select requests get their choice.
    s.llm.set_script([](const FakeLlmCall& call) -> std::string {
        if (call.system.find("You read one sentence") == std::string::npos) return reversed_choice(call);
        return R"({"track_count": 12, "duration_minutes": 0, "years": [], "genres": [], "exclude_genres": [],
                   "artists": [], "exclude_artists": [], "like_artists": [], "like_tracks": [], "min_stars": 0, "favourites": false,
                   "exclude_live": false, "unplayed": false, "not_played_in_days": 0, "played_in_days": 0,
                   "per_artist": 0, "per_album": 0, "mood": "calm evening",
                   "tags": [{"term": "calm", "use": "rank"}, {"term": "evening", "use": "rank"}]})";
    });
    const auto run = s.streams("create \"calm evening songs, 8 songs\" --llm-parse --dry-run --json");
    INFO(run.err);
    REQUIRE(run.code == 0);
    CHECK(s.llm.completion_requests() == 2);  // the reading, then the choice
    const auto doc = json_of(run.out);
    const auto& reading = doc["llm_parse"];
    CHECK(reading["used"].GetBool());
    INFO(run.out);
    REQUIRE(reading["disagreements"].Size() == 1);
    CHECK(std::string(reading["disagreements"][0].GetString()) == "count: rules 8, LLM 12 (rules kept)");
    REQUIRE(reading["usage"].Size() == 1);
    CHECK(reading["usage"][0]["requests"].GetUint() == 1);
    CHECK(reading["usage"][0]["cost_usd"].IsNumber());
    CHECK(doc["tracks"].Size() == 8);

    const CliRun explained = s.cli("create \"calm evening songs, 8 songs\" --llm-parse --dry-run --explain");
    INFO(explained.out);
    REQUIRE(explained.code == 0);
    CHECK_THAT(explained.out, Catch::Contains("  read by:  llm (gpt-4o-mini) and the rule parser, 1 disagreement") &&
                                  Catch::Contains("count: rules 8, LLM 12 (rules kept)") &&
                                  Catch::Contains("Read by: llm (gpt-4o-mini)"));
    const CliRun both = s.cli("create \"calm evening songs\" --llm-parse --no-llm --dry-run");
    CHECK(both.code == 2);
    CHECK_THAT(both.out, Catch::Contains("--llm-parse and --no-llm contradict each other"));
}
