// LLM tagging end to end: `plexmix tags` against a fake Plex and a fake OpenAI API that answers
// like a model does (synonyms, words outside the vocabulary, left-out and invented ids, invalid
// entries), with faults (429s, garbage, fences, cut and truncated answers) and a kill mid-run.
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include "store/sqlite.hpp"
#include "store/store.hpp"
#include "support/fake_llm.hpp"
#include "support/fake_plex.hpp"
#include "support/test_util.hpp"
#include "tags/vocabulary.hpp"

namespace fs = std::filesystem;
using namespace pmx;
using pmx::test::BackgroundCli;
using pmx::test::CliRun;
using pmx::test::FakeLlm;
using pmx::test::FakeLlmCall;
using pmx::test::FakeLlmOptions;
using pmx::test::FakeLlmRule;
using pmx::test::FakePlex;
using pmx::test::FakePlexOptions;
using pmx::test::LlmApi;
using pmx::test::TempDir;

namespace {

std::string plugin_path() {
    return fs::path(PMX_PLEX_PLUGIN).parent_path().string() + ":" + fs::path(PMX_OPENAI_PLUGIN).parent_path().string();
}

// The track ids of a tagging request ("123 | title | ..." lines), in order.
std::vector<int64_t> ids_in(const std::string& prompt) {
    std::vector<int64_t> ids;
    static const std::regex line(R"((?:^|\n)(\d+) \| )");
    for (auto it = std::sregex_iterator(prompt.begin(), prompt.end(), line); it != std::sregex_iterator(); ++it) {
        ids.push_back(std::stoll((*it)[1]));
    }
    return ids;
}

bool is_repair(const FakeLlmCall& call) { return call.prompt.find("That answer is not valid") != std::string::npos; }

// How the fake model tags track `id`: canonical terms, synonyms and words outside the
// vocabulary, by id, so that tests can predict what is stored.
struct ModelBehaviour {
    std::set<int64_t> left_out_once;   // not in the first answer that should hold it
    std::set<int64_t> left_out_always;
    std::set<int64_t> invalid_once;    // energy 9 at the first ask (the repair fixes it)
    std::set<int64_t> invalid_always;  // energy 9 at every ask
    bool invent_ids = true;            // an entry for an id that was not asked about
};

std::string answer_for(const FakeLlmCall& call, const ModelBehaviour& b, std::map<int64_t, int>& seen) {
    const tags::Vocabulary& v = tags::builtin_vocabulary();
    const auto& moods = v.terms(tags::Facet::mood);
    const auto& places = v.terms(tags::Facet::environment);
    const auto& instruments = v.terms(tags::Facet::instrument);
    std::ostringstream out;
    out << "{\"tracks\": [";
    bool first = true;
    for (const int64_t id : ids_in(call.prompt)) {
        const int asked = seen[id]++;
        if (b.left_out_always.count(id) || (b.left_out_once.count(id) && asked == 0)) continue;
        const bool invalid = b.invalid_always.count(id) || (b.invalid_once.count(id) && !is_repair(call));
        const auto u = static_cast<size_t>(id);
        // A synonym instead of the term for some, a word from no vocabulary for others.
        std::string mood = moods[u % moods.size()];
        if (id % 3 == 0 && !v.synonyms(tags::Facet::mood, mood).empty()) mood = v.synonyms(tags::Facet::mood, mood).front();
        out << (first ? "" : ", ") << "{\"id\": " << id << ", \"moods\": [\"" << mood << "\""
            << (id % 5 == 0 ? ", \"zestyish\"" : "") << "], \"environments\": [\"" << places[u % places.size()]
            << "\"], \"instruments\": [\"" << instruments[u % instruments.size()] << "\"], \"energy\": "
            << (invalid ? 9 : 1 + id % 5) << "}";
        first = false;
    }
    if (b.invent_ids && !first) out << ", {\"id\": 987654321, \"moods\": [], \"environments\": [], \"instruments\": [], \"energy\": 3}";
    out << "]}";
    return out.str();
}

struct Setup {
    FakePlex plex;
    FakeLlm llm;
    TempDir dir;
    fs::path config;
    ModelBehaviour behaviour;
    std::mutex mutex;
    std::map<int64_t, int> seen;  // how often each id was asked about

    explicit Setup(size_t tracks, const std::string& completer_extra = "", const std::string& use_extra = "")
        : plex([&] {
              FakePlexOptions o;
              o.tracks = tracks;
              return o;
          }()),
          llm(FakeLlmOptions{.api = LlmApi::openai}) {
        llm.set_script([this](const FakeLlmCall& call) {
            std::lock_guard lock(mutex);
            return answer_for(call, behaviour, seen);
        });
        config = dir.path() / "plexmix.yaml";
        std::ofstream(config) << "data_dir: " << (dir.path() / "data").string() << "\n"
                              << "providers:\n"
                              << "  home: { plugin: plex, url: " << plex.url() << ", token: " << plex.token()
                              << ", page_size: 500 }\n"
                              << "  llm: { plugin: openai, base_url: " << llm.url() << "/v1, api_key: " << llm.key()
                              << ", retries: 3" << completer_extra << " }\n"
                              << "use: { media: [home], completer: llm" << use_extra << " }\n";
        const CliRun sync = cli("sync --no-embeddings");
        INFO(sync.out);
        REQUIRE(sync.code == 0);
    }

    std::string args(const std::string& rest) const {
        return "--config " + config.string() + " --plugin-path " + plugin_path() + " " + rest;
    }
    CliRun cli(const std::string& rest) const { return pmx::test::run_cli(PMX_CLI, args(rest)); }
    std::string cli_stdout(const std::string& rest) const {
        const auto run = pmx::test::run_cli_streams(PMX_CLI, args(rest));
        INFO(run.err);
        REQUIRE(run.code == 0);
        return run.out;
    }

    std::unique_ptr<Store> store() const { return Store::open(dir.path() / "data" / "plexmix.db"); }
    std::vector<int64_t> track_ids() const {
        auto s = store();
        sql::Statement q(s->native_handle(), "SELECT id FROM tracks ORDER BY id");
        std::vector<int64_t> ids;
        while (q.step()) ids.push_back(q.int64(0));
        return ids;
    }
    // track id → error ('' when tagged)
    std::map<int64_t, std::string> tag_rows() const {
        auto s = store();
        sql::Statement q(s->native_handle(), "SELECT track_id, COALESCE(error, '') FROM track_tags");
        std::map<int64_t, std::string> rows;
        while (q.step()) rows.emplace(q.int64(0), q.text(1));
        return rows;
    }
};

rapidjson::Document json_of(const std::string& text) {
    rapidjson::Document doc;
    doc.Parse(text.c_str(), text.size());
    INFO(text);
    REQUIRE_FALSE(doc.HasParseError());
    return doc;
}

}  // namespace

TEST_CASE("tags generate: the plan and its cost come first, and --dry-run sends nothing", "[tags][cli]") {
    Setup s(200, ", price_in: 1, price_out: 4");
    const CliRun plan = s.cli("tags generate --dry-run");
    INFO(plan.out);
    REQUIRE(plan.code == 0);
    CHECK_THAT(plan.out, Catch::Contains("Tagging with llm (gpt-4o-mini): 200 tracks to tag (200 new, 0 changed"));
    CHECK_THAT(plan.out, Catch::Contains("5 requests of up to 40 tracks, about "));
    CHECK_THAT(plan.out, Catch::Contains("output tokens, about $"));
    CHECK(s.llm.completion_requests() == 0);
    CHECK(s.tag_rows().empty());
}

TEST_CASE("tags generate: the estimate against what was sent, tags per track, and nothing asked twice",
          "[tags][cli]") {
    Setup s(300, ", price_in: 1, price_out: 4");
    s.behaviour.invent_ids = false;
    const CliRun run = s.cli("tags generate --yes");
    INFO(run.out);
    REQUIRE(run.code == 0);
    // 300 tracks in requests of 40: 8 requests, as planned, and every track asked about once.
    CHECK_THAT(run.out, Catch::Contains("8 requests of up to 40 tracks"));
    CHECK(s.llm.completion_requests() == 8);
    CHECK_THAT(run.out, Catch::Contains("llm (gpt-4o-mini): 300 tagged"));
    for (const auto& [id, times] : s.seen) CHECK(times == 1);
    CHECK(s.seen.size() == 300);
    // The fake counts a token per word: the estimate (a token per 4 bytes) is of the same order.
    uint64_t sent_words = 0;
    for (const FakeLlmCall& call : s.llm.calls()) {
        std::istringstream words(call.system + " " + call.prompt + " " + call.schema);
        sent_words += static_cast<uint64_t>(std::distance(std::istream_iterator<std::string>(words), {}));
    }
    const std::regex estimate(R"(about ([\d,]+) input \+ ([\d,]+) output tokens)");
    std::smatch m;
    REQUIRE(std::regex_search(run.out, m, estimate));
    std::string in = m[1];
    in.erase(std::remove(in.begin(), in.end(), ','), in.end());
    CHECK(std::stoull(in) >= sent_words / 2);
    CHECK(std::stoull(in) <= sent_words * 4);
    CHECK_THAT(run.out, Catch::Contains("used ") && Catch::Contains(" out tokens in 8 requests, $"));

    // A second run has nothing to do.
    const CliRun again = s.cli("tags generate --yes");
    CHECK(again.code == 0);
    CHECK_THAT(again.out, Catch::Contains("0 tracks to tag (0 new, 0 changed, 0 failed before; 300 up to date)"));
    CHECK(s.llm.completion_requests() == 8);
}

TEST_CASE("tags generate: model answers are untrusted: synonyms mapped, strangers dropped, left-out ids asked again",
          "[tags][cli]") {
    Setup s(120);
    const auto ids = s.track_ids();
    s.behaviour.left_out_once = {ids[3], ids[50]};
    s.behaviour.left_out_always = {ids[7]};
    // (A repair ask repeats the batch: ids left out once are in its answer. Keep them apart.)
    s.behaviour.invalid_once = {ids[100]};
    s.behaviour.invalid_always = {ids[90]};
    const CliRun run = s.cli("tags generate --yes");
    INFO(run.out);
    CHECK(run.code == 1);  // partial: two tracks failed
    CHECK_THAT(run.out, Catch::Contains("118 tagged, 2 failed") && Catch::Contains("(partial)"));
    CHECK_THAT(run.out, Catch::Contains("words outside the vocabulary dropped"));
    CHECK_THAT(run.out, Catch::Contains("words mapped to the vocabulary by synonyms"));
    CHECK_THAT(run.out, Catch::Contains("answer entries for ids not asked about, dropped"));
    CHECK_THAT(run.out, Catch::Contains("3 tracks left out of an answer and asked again"));
    CHECK_THAT(run.out, Catch::Contains("batches split after invalid answers"));

    const auto rows = s.tag_rows();
    CHECK(rows.size() == 120);
    CHECK(rows.count(987654321) == 0);  // the invented id stored nothing
    CHECK_THAT(rows.at(ids[7]), Catch::Contains("gave no tags"));
    CHECK_THAT(rows.at(ids[90]), Catch::Contains("energy") || Catch::Contains("maximum"));
    CHECK(rows.at(ids[3]).empty());
    CHECK(rows.at(ids[100]).empty());

    // What is stored is the vocabulary's terms only, the synonym mapped to its term.
    const tags::Vocabulary& v = tags::builtin_vocabulary();
    const auto show = s.cli("tags show " + std::to_string(ids[2]));
    INFO(show.out);
    CHECK(show.code == 0);
    CHECK_THAT(show.out, Catch::Contains("* llm (gpt-4o-mini), in use:"));
    const auto& moods = v.terms(tags::Facet::mood);
    CHECK_THAT(show.out, Catch::Contains("moods:        " + moods[static_cast<size_t>(ids[2]) % moods.size()]));
    CHECK(show.out.find("zestyish") == std::string::npos);

    // status lists the failures with their reasons; a re-run tries them again.
    const auto status = s.cli("tags status");
    INFO(status.out);
    CHECK_THAT(status.out, Catch::Contains("118") && Catch::Contains("Failed under llm (gpt-4o-mini):") &&
                               Catch::Contains(std::to_string(ids[7]) + "  "));
    s.behaviour.left_out_always.clear();
    s.behaviour.invalid_always.clear();
    const CliRun retry = s.cli("tags generate --yes");
    INFO(retry.out);
    CHECK(retry.code == 0);
    CHECK_THAT(retry.out, Catch::Contains("2 tracks to tag (0 new, 0 changed, 2 failed before; 118 up to date)"));
    const auto json = json_of(s.cli_stdout("tags status --json"));
    CHECK(json["models"][0]["tagged"].GetInt64() == 120);
    CHECK(json["models"][0]["failed"].GetInt64() == 0);
}

TEST_CASE("tags generate: 2,000 tracks through 429s, garbage, fences, cut answers and a kill -9, each tagged once or listed",
          "[tags][cli][slow]") {
    Setup s(2000, ", concurrency: 4");
    const auto ids = s.track_ids();
    s.behaviour.left_out_once = {ids[10], ids[1500]};
    s.behaviour.invalid_once = {ids[400]};
    s.behaviour.invalid_always = {ids[777], ids[1999]};
    const auto add = [&](FakeLlmRule::Kind kind, double p, uint64_t seed, int status = 429, std::string after = "") {
        FakeLlmRule r;
        r.kind = kind;
        r.path_contains = "chat";
        r.probability = p;
        r.seed = seed;
        r.status = status;
        r.retry_after = std::move(after);
        s.llm.add_rule(r);
    };
    add(FakeLlmRule::Kind::status, 0.10, 1, 429, "1");
    add(FakeLlmRule::Kind::status, 0.05, 2, 503);
    add(FakeLlmRule::Kind::garbage, 0.05, 3);
    add(FakeLlmRule::Kind::truncated, 0.03, 4);
    add(FakeLlmRule::Kind::fenced, 0.20, 5);
    add(FakeLlmRule::Kind::cut, 0.04, 6);
    // Kill: after 20 requests got through, every further request hangs; the run is killed then.
    FakeLlmRule hang;
    hang.kind = FakeLlmRule::Kind::hang;
    hang.path_contains = "chat";
    hang.skip = 20;
    const size_t hang_rule = s.llm.add_rule(hang);

    {
        BackgroundCli first(PMX_CLI, s.args("tags generate --yes"), s.dir.path() / "first.out");
        while (s.llm.rule_hits(hang_rule) == 0 && first.running()) ::usleep(20'000);
        INFO(first.output());
        REQUIRE(s.llm.rule_hits(hang_rule) > 0);
        first.signal(SIGKILL);
        CHECK(first.wait() == -1);
    }
    const auto before = s.tag_rows();
    std::set<int64_t> tagged_before;
    for (const auto& [id, error] : before) {
        if (error.empty()) tagged_before.insert(id);
    }
    CHECK_FALSE(tagged_before.empty());       // batches committed on their own
    CHECK(tagged_before.size() < ids.size()); // and the kill left work

    s.llm.clear_rules();
    const size_t calls_before = s.llm.calls().size();
    const CliRun second = s.cli("tags generate --yes");
    INFO(second.out);
    CHECK((second.code == 0 || second.code == 1));
    // Nothing tagged before the kill was asked about again.
    const auto calls = s.llm.calls();
    for (size_t i = calls_before; i < calls.size(); ++i) {
        for (const int64_t id : ids_in(calls[i].prompt)) {
            INFO("track " << id << " was tagged before the kill");
            CHECK(tagged_before.count(id) == 0);
        }
    }
    // Every track is tagged or listed as failed, with its reason.
    const auto after = s.tag_rows();
    CHECK(after.size() == ids.size());
    size_t failed = 0;
    for (const auto& [id, error] : after) failed += error.empty() ? 0 : 1;
    const auto json = json_of(s.cli_stdout("tags status --json"));
    CHECK(json["models"][0]["tagged"].GetInt64() + json["models"][0]["failed"].GetInt64() ==
          static_cast<int64_t>(ids.size()));
    CHECK(json["models"][0]["missing"].GetInt64() == 0);
    CHECK(static_cast<size_t>(json["models"][0]["failures"].Size()) == failed);
    CHECK(after.at(ids[777]).size() > 0);
    CHECK(after.at(ids[1999]).size() > 0);
}

TEST_CASE("tags reach search and embeddings: a tagged mood finds its tracks, and tagged tracks are re-embedded",
          "[tags][cli]") {
    // The fake OpenAI API both completes and embeds; the first embedding pass runs without tags.
    Setup s(60, ", server: openai, dimensions: 64", ", embedder: llm");
    REQUIRE(s.cli("embeddings generate").code == 0);
    const size_t embedded_before = s.llm.embedded_texts();
    CHECK(embedded_before == 60);
    const auto ids = s.track_ids();
    const tags::Vocabulary& v = tags::builtin_vocabulary();
    const auto& moods = v.terms(tags::Facet::mood);
    const std::string mood = moods[static_cast<size_t>(ids[0]) % moods.size()];

    // Tagging, then (the tag pipeline's default) embedding the tracks whose text changed.
    const CliRun run = s.cli("tags generate --yes");
    INFO(run.out);
    REQUIRE(run.code == 0);
    CHECK_THAT(run.out, Catch::Contains("60 tagged") && Catch::Contains("60 embedded"));
    CHECK(s.llm.embedded_texts() == 120);
    bool saw_tags = false;
    for (const auto& r : s.llm.http().requests()) {
        if (r.path == "/v1/embeddings" && r.body.find("Tags: " + mood) != std::string::npos) saw_tags = true;
    }
    CHECK(saw_tags);  // the embedded text holds the track's tags

    // Search finds a track by a mood it was tagged with (fake Plex titles hold no moods).
    const auto doc = json_of(s.cli_stdout("search \"" + mood + "\" --json --limit 60"));
    std::set<int64_t> hits;
    std::map<int64_t, std::vector<std::string>> tags_of;
    for (const auto& r : doc["results"].GetArray()) {
        hits.insert(r["track_id"].GetInt64());
        for (const auto& t : r["tags"].GetArray()) tags_of[r["track_id"].GetInt64()].push_back(t.GetString());
    }
    REQUIRE(hits.count(ids[0]) == 1);
    CHECK(std::find(tags_of[ids[0]].begin(), tags_of[ids[0]].end(), mood) != tags_of[ids[0]].end());
}

TEST_CASE("tags reach create: a tag word ranks its tracks first, only filters, a negation excludes, all said in --json",
          "[tags][cli][create]") {
    Setup s(120);
    const tags::Vocabulary& v = tags::builtin_vocabulary();
    const auto& instruments = v.terms(tags::Facet::instrument);
    const std::string piano = instruments[0];
    // Before any tagging a filter by tags cannot apply: said, not silently dropped.
    const auto untagged = s.cli("create \"only " + piano + "\" --dry-run --no-llm");
    CHECK_THAT(untagged.out, Catch::Contains("needs tags, and no track has any yet"));

    REQUIRE(s.cli("tags generate --yes").code == 0);
    const auto ids = s.track_ids();
    std::set<int64_t> with_piano;  // as the fake model tags: instruments[id % count]
    for (const int64_t id : ids) {
        if (static_cast<size_t>(id) % instruments.size() == 0) with_piano.insert(id);
    }
    REQUIRE(with_piano.size() >= 2);

    // The ranking by tags, without the completer's choice (tested in tests/create/test_select_*).
    const auto tracks_of = [&](const std::string& prompt) {
        const auto doc = json_of(s.cli_stdout("create \"" + prompt + "\" --dry-run --no-llm --json --limit 20"));
        std::vector<std::pair<int64_t, std::vector<std::string>>> out;  // id, tags
        for (const auto& t : doc["tracks"].GetArray()) {
            std::vector<std::string> tags;
            for (const auto& tag : t["tags"].GetArray()) tags.emplace_back(tag.GetString());
            out.emplace_back(t["id"].GetInt64(), std::move(tags));
        }
        return out;
    };
    const auto has = [](const std::vector<std::string>& tags, const std::string& term) {
        return std::find(tags.begin(), tags.end(), term) != tags.end();
    };

    SECTION("a tag word ranks: the tracks tagged so come first, every one of them") {
        const auto playlist = tracks_of(piano + " music");
        REQUIRE(playlist.size() == 20);
        for (size_t i = 0; i < with_piano.size(); ++i) CHECK(has(playlist[i].second, piano));
        for (size_t i = with_piano.size(); i < playlist.size(); ++i) CHECK_FALSE(has(playlist[i].second, piano));
        const auto doc = json_of(s.cli_stdout("create \"" + piano + " music\" --dry-run --no-llm --json --limit 20"));
        CHECK(std::string(doc["tag_words"][0]["term"].GetString()) == piano);
        CHECK(std::string(doc["tag_words"][0]["use"].GetString()) == "rank");
        CHECK(doc["tracks"][0]["matched_tags"].Size() == 1);
        const auto explain = s.cli("create \"" + piano + " music\" --dry-run --no-llm --explain --limit 5");
        CHECK_THAT(explain.out, Catch::Contains("tags matched") && Catch::Contains("tags: " + piano) &&
                                    Catch::Contains("ranking:  tags, then"));
    }
    SECTION("only: nothing but the tracks tagged so") {
        const auto playlist = tracks_of("only " + piano);
        CHECK(playlist.size() == with_piano.size());
        for (const auto& [id, tags] : playlist) CHECK(has(tags, piano));
    }
    SECTION("a negation excludes the tracks tagged so") {
        const auto playlist = tracks_of("no " + piano + " please");
        REQUIRE(playlist.size() == 20);
        for (const auto& [id, tags] : playlist) CHECK_FALSE(has(tags, piano));
    }
}

TEST_CASE("a sync whose pipeline has tag tags the new and changed tracks, within the step's budget", "[tags][cli][sync]") {
    Setup s(80);
    std::ofstream(s.config, std::ios::app) << "pipelines:\n  sync: [scan, { tag: { budget: 5 } }, embed]\n";
    const CliRun first = s.cli("sync");
    INFO(first.out);
    REQUIRE(first.code == 0);
    CHECK_THAT(first.out, Catch::Contains("80 tracks to tag") && Catch::Contains("80 tagged"));
    const size_t requests = s.llm.completion_requests();

    // Two new tracks: only they are asked about; nothing else is paid for again.
    s.plex.add_track("Rain on the Window");
    s.plex.add_track("Sunday Morning Coffee");
    const CliRun second = s.cli("sync");
    INFO(second.out);
    REQUIRE(second.code == 0);
    CHECK_THAT(second.out, Catch::Contains("2 tracks to tag (2 new, 0 changed, 0 failed before; 80 up to date)"));
    CHECK(s.llm.completion_requests() == requests + 1);
    CHECK(s.tag_rows().size() == 82);

    // A budget below the estimate sends nothing, and says so.
    {
        std::ifstream in(s.config);
        std::string text((std::istreambuf_iterator<char>(in)), {});
        text.replace(text.find("budget: 5"), 9, "budget: 0.000001");
        std::ofstream(s.config) << text;
    }
    s.plex.add_track("Late Night Drive");
    const auto third = pmx::test::run_cli_streams(PMX_CLI, s.args("sync"));
    INFO(third.out << third.err);
    CHECK(third.code == 1);
    CHECK_THAT(third.err, Catch::Contains("exceeds the budget") && Catch::Contains("nothing was sent"));
    CHECK(s.llm.completion_requests() == requests + 1);
}

TEST_CASE("tags generate: a refused key ends the run at once, says why, stores nothing and no model", "[tags][cli]") {
    Setup s(100);
    const std::string configured_key = s.llm.key();
    s.llm.set_keys({"sk-another-key-0123456789abcdef"});
    const auto run = pmx::test::run_cli_streams(PMX_CLI, s.args("tags generate --yes"));
    INFO(run.out << run.err);
    CHECK(run.code == 1);
    CHECK_THAT(run.out, Catch::Contains("0 tagged, 100 left for the next run") && Catch::Contains("(partial)"));
    CHECK_THAT(run.err, Catch::Contains("llm: "));
    CHECK(run.err.find(configured_key) == std::string::npos);
    CHECK(run.out.find(configured_key) == std::string::npos);
    CHECK(s.llm.completion_requests() == 0);
    CHECK(s.tag_rows().empty());
    CHECK_THAT(s.cli("tags status").out, Catch::Contains("No tags yet"));
}
