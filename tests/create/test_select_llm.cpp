// The select step with a completer, in process over a generated mirror, against the fake LLM
// speaking the OpenAI API (one case through Claude's): the choice comes only from the candidates
// sent, in the completer's order, with every filter, cap, count and duration held after it;
// invented and repeated ids are dropped and counted, a short choice is topped up (noted); every
// failure falls back to the retrieval ranking with one note naming the reason; the request fits
// the configured context window; turned off, nothing is sent.
#include <algorithm>
#include <iterator>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "config/config.hpp"
#include "create_support.hpp"
#include "generate/select_llm.hpp"
#include "llm/pricing.hpp"
#include "support/fake_llm.hpp"
#include "support/provider_plugin.hpp"
#include "util/text.hpp"

using namespace pmx;
using namespace pmx::test;

namespace {

constexpr size_t kLibrary = 600;  // 30 artists, 120 albums of 5 (create_support.hpp)
constexpr const char* kUnknownId = "987654321";

gen::PipelineSpec pipeline_from(const std::string& yaml) {
    return gen::generate_pipeline(load_config_from_string(yaml, "/tmp/plexmix.yaml"));
}

// No caps: the pool is the ranking, deep enough to offer kMaxOfferedCandidates.
gen::PipelineSpec uncapped() {
    return pipeline_from("pipelines:\n  generate: [parse, filter, retrieve, select,\n"
                         "    {diversify: {per_artist: 0, per_album: 0}}, order, publish]\n");
}

// The completer under test: a provider of a plugin loaded from disk, pointed at the fake.
struct Completer {
    FakeLlm fake;
    std::unique_ptr<Provider> provider;

    explicit Completer(SettingList extra = {}, CallPolicy policy = one_attempt())
        : fake(FakeLlmOptions{.api = LlmApi::openai}) {
        provider = provider_of(plugin_from(PMX_OPENAI_PLUGIN), "llm",
                               with({{"base_url", fake.url() + "/v1"}, {"api_key", fake.key()}, {"server", "openai"}},
                                    std::move(extra)),
                               policy, {});
    }
    size_t sent() const { return fake.http().requests().size(); }
};

// The candidate ids of a select request ("412 | title | ..." lines), in the order sent.
std::vector<int64_t> ids_sent(const std::string& prompt) {
    std::vector<int64_t> ids;
    static const std::regex line(R"((?:^|\n)(\d+) \| )");
    for (auto it = std::sregex_iterator(prompt.begin(), prompt.end(), line); it != std::sregex_iterator(); ++it) {
        ids.push_back(std::stoll((*it)[1]));
    }
    return ids;
}

// The tracks a request asks for: "Choose exactly N tracks", or "about N tracks" for a duration.
size_t asked_in(const std::string& prompt) {
    static const std::regex wanted(R"(Choose exactly (\d+) tracks|about (\d+) tracks\.)");
    std::smatch m;
    REQUIRE(std::regex_search(prompt, m, wanted));
    return std::stoul(m[1].matched ? m[1].str() : m[2].str());
}

// The first `n` of `ids` (all when fewer).
std::vector<int64_t> first(std::vector<int64_t> ids, size_t n) {
    ids.resize(std::min(n, ids.size()));
    return ids;
}

// A model that prefers the candidates the retrieval liked least, and gives `factor` times the
// tracks asked for (a model answers within the output limit it is given).
std::vector<int64_t> least_liked(const FakeLlmCall& call, size_t factor = 1) {
    auto ids = ids_sent(call.prompt);
    std::reverse(ids.begin(), ids.end());
    return first(ids, asked_in(call.prompt) * factor);
}

std::string reason_for(int64_t id) { return "fits the night, track " + std::to_string(id); }

// An answer choosing `ids` in that order ("id" written as given: an invented one may be added).
std::string answer_of(const std::vector<std::string>& ids) {
    std::string text = "{\"tracks\": [";
    for (size_t i = 0; i < ids.size(); ++i) {
        text += (i ? ", " : "") + std::string("{\"id\": ") + ids[i] + ", \"reason\": \"" +
                reason_for(std::stoll(ids[i])) + "\"}";
    }
    return text + "]}";
}

std::string answer_of(const std::vector<int64_t>& ids) {
    std::vector<std::string> text;
    for (const int64_t id : ids) text.push_back(std::to_string(id));
    return answer_of(text);
}

gen::GenerateContext run(Mirror& mirror, Provider* completer, const std::string& prompt, gen::CliOptions options,
                         const gen::PipelineSpec& pipeline = gen::default_generate_pipeline(), bool llm = true) {
    gen::GenerateServices services;
    services.store = mirror.store.get();
    services.sources.push_back({"home", mirror.server, nullptr});
    services.embedder = mirror.embedder.get();
    services.completer = completer;
    services.index_dir = vectors_dir(mirror.dir.path());
    gen::GenerateContext ctx;
    ctx.input.prompt = prompt;
    ctx.input.options = std::move(options);
    ctx.input.publish = ctx.input.save = false;
    ctx.input.now = kNow;
    ctx.input.order = gen::OrderMode::similarity;  // the playlist in the working ranking's order
    ctx.input.llm = llm;
    gen::run_pipeline(pipeline, ctx, services);
    return ctx;
}

std::vector<int64_t> ids_of(const gen::GenerateContext& ctx) {
    std::vector<int64_t> ids;
    for (const auto& e : ctx.tracks) ids.push_back(e.track.id);
    return ids;
}

std::set<int64_t> candidate_ids(const gen::GenerateContext& ctx) {
    std::set<int64_t> ids;
    for (const auto& c : ctx.candidates) ids.insert(c.id);
    return ids;
}

std::string notes_of(const gen::GenerateContext& ctx) { return join(ctx.notes, "\n"); }

std::vector<std::string> select_notes(const gen::GenerateContext& ctx) {
    std::vector<std::string> out;
    for (const auto& n : ctx.notes) {
        if (n.starts_with("select:")) out.push_back(n);
    }
    return out;
}

void check_caps(const gen::GenerateContext& ctx, int per_artist, int per_album) {
    std::map<std::string, int> artists;
    std::map<int64_t, int> albums;
    std::set<std::string> titles;
    for (const auto& e : ctx.tracks) {
        CHECK(++artists[e.track.artist] <= per_artist);
        CHECK(++albums[*e.track.album_id] <= per_album);
        CHECK(titles.insert(ascii_lower(e.track.title) + "|" + ascii_lower(e.track.artist)).second);
    }
}

size_t words_in(const std::string& text) {
    std::istringstream words(text);
    return static_cast<size_t>(std::distance(std::istream_iterator<std::string>(words), {}));
}

}  // namespace

TEST_CASE("select: the completer chooses in its own order among the candidates sent, every filter and cap held",
          "[create][select]") {
    Mirror mirror(kLibrary);
    Completer completer;
    // A model that prefers the candidates the retrieval liked least: its order must win.
    completer.fake.set_script([](const FakeLlmCall& call) { return answer_of(least_liked(call)); });
    gen::CliOptions options;
    options.limit = "12";
    options.year = "1960-1989";
    options.genres = {"Jazz", "Rock"};
    options.exclude_genres = {"Pop"};
    options.min_rating = "2";
    const auto ctx = run(mirror, completer.provider.get(), "night river, no live recordings", options);
    INFO(notes_of(ctx));

    REQUIRE(completer.fake.completion_requests() == 1);
    const FakeLlmCall call = completer.fake.calls().at(0);
    CHECK(call.json);
    CHECK_THAT(call.schema, Catch::Contains("\"reason\"") && Catch::Contains("\"integer\""));
    CHECK_THAT(call.system, Catch::Contains("never name a track that is not listed"));
    CHECK_THAT(call.prompt, Catch::Contains("Request: night river, no live recordings") &&
                                Catch::Contains("Choose exactly 12 tracks.") &&
                                Catch::Contains("Caps: at most 3 per artist and 2 per album"));
    const std::vector<int64_t> sent = ids_sent(call.prompt);
    REQUIRE(sent.size() >= 24);  // enough that the completer's choice differs from the ranking's head
    const auto candidates = candidate_ids(ctx);
    for (const int64_t id : sent) CHECK(candidates.count(id) == 1);

    CHECK(ctx.selection.used);
    CHECK(ctx.selection.provider == "llm");
    CHECK(ctx.selection.offered == sent.size());
    CHECK(ctx.selection.chosen == 12);
    CHECK(ctx.selection.topped_up == 0);
    CHECK(select_notes(ctx).empty());
    // The playlist: the completer's first 12, in its order, with its reasons.
    const std::vector<int64_t> expected(sent.rbegin(), sent.rbegin() + 12);
    CHECK(ids_of(ctx) == expected);
    for (size_t i = 0; i < ctx.tracks.size(); ++i) {
        CHECK(ctx.tracks[i].choice == i + 1);
        CHECK(ctx.tracks[i].reason == reason_for(ctx.tracks[i].track.id));
    }
    const auto without = run(mirror, nullptr, "night river, no live recordings", options);
    CHECK(ids_of(without) != ids_of(ctx));
    CHECK_FALSE(without.selection.used);
    CHECK(without.selection.reason == "no completer configured (use: { completer: ... })");

    // Every filter still holds, checked against the mirror's values.
    for (const auto& e : ctx.tracks) {
        const auto& t = e.track;
        INFO(t.title << " " << t.genres << " " << t.year.value_or(0));
        REQUIRE(t.year);
        CHECK(*t.year >= 1960);
        CHECK(*t.year <= 1989);
        CHECK_THAT(t.genres, !Catch::Contains("Pop"));
        REQUIRE(t.user_rating);
        CHECK(*t.user_rating >= 4);
        CHECK_FALSE(t.is_live);
        CHECK(candidates.count(t.id) == 1);
    }
    check_caps(ctx, gen::kDefaultPerArtist, gen::kDefaultPerAlbum);
}

TEST_CASE("select: a duration is cut from the completer's order within 5 percent, the caps held", "[create][select]") {
    Mirror mirror(kLibrary);
    Completer completer;
    // Twice the tracks its estimate asks for: enough to fill the length from its choice alone.
    completer.fake.set_script([](const FakeLlmCall& call) { return answer_of(least_liked(call, 2)); });
    for (const char* duration : {"20m", "45m", "2h"}) {
        gen::CliOptions options;
        options.duration = duration;
        const auto ctx = run(mirror, completer.provider.get(), "slow guitar", options);
        INFO(duration << "\n" << notes_of(ctx));
        REQUIRE(ctx.selection.used);
        const double target = ctx.target_seconds * 1000.0;
        CHECK(static_cast<double>(ctx.total_ms()) >= target * 0.95);
        CHECK(static_cast<double>(ctx.total_ms()) <= target * 1.05);
        CHECK_FALSE(ctx.short_of_target);
        // All from the completer's choice (it chose plenty), kept in its order.
        for (size_t i = 0; i < ctx.tracks.size(); ++i) {
            CHECK(ctx.tracks[i].choice != 0);
            if (i > 0) CHECK(ctx.tracks[i - 1].choice < ctx.tracks[i].choice);
        }
        CHECK_THAT(completer.fake.calls().back().prompt, Catch::Contains("Choose tracks totalling about "));
        check_caps(ctx, gen::kDefaultPerArtist, gen::kDefaultPerAlbum);
    }
    CHECK(completer.fake.completion_requests() == 3);  // one per playlist
}

TEST_CASE("select: invented ids and repeats are dropped and counted, a short choice is topped up with a note",
          "[create][select]") {
    Mirror mirror(kLibrary);
    Completer completer;
    std::vector<int64_t> sent;
    completer.fake.set_script([&](const FakeLlmCall& call) {
        sent = ids_sent(call.prompt);
        return answer_of({std::to_string(sent.at(5)), kUnknownId, std::to_string(sent.at(2)), std::to_string(sent.at(5)),
                          std::to_string(sent.at(9))});
    });
    gen::CliOptions options;
    options.limit = "10";
    const auto ctx = run(mirror, completer.provider.get(), "mellow night piano", options);
    INFO(notes_of(ctx));
    REQUIRE(completer.fake.completion_requests() == 1);
    REQUIRE(ctx.tracks.size() == 10);
    CHECK(ctx.selection.used);
    CHECK(ctx.selection.chosen == 3);
    CHECK(ctx.selection.invented == 1);
    CHECK(ctx.selection.repeated == 1);
    CHECK(ctx.selection.in_playlist == 3);
    CHECK(ctx.selection.topped_up == 7);
    const auto head = ids_of(ctx);
    CHECK(std::vector<int64_t>(head.begin(), head.begin() + 3) == std::vector<int64_t>{sent[5], sent[2], sent[9]});
    // The rest: the retrieval ranking's best others, in its order, under the caps.
    const auto candidates = candidate_ids(ctx);
    for (size_t i = 3; i < ctx.tracks.size(); ++i) {
        CHECK(ctx.tracks[i].choice == 0);
        CHECK(ctx.tracks[i].reason.empty());
        CHECK(candidates.count(ctx.tracks[i].track.id) == 1);
        if (i > 3) CHECK(ctx.tracks[i - 1].rank < ctx.tracks[i].rank);
    }
    check_caps(ctx, gen::kDefaultPerArtist, gen::kDefaultPerAlbum);
    const auto notes = select_notes(ctx);
    CHECK(notes == std::vector<std::string>{
                       "select: the completer's answer held 1 id not among the candidates and 1 repeated id: dropped",
                       "select: 7 of the 10 tracks were topped up from the retrieval ranking (the completer chose 3 of " +
                           std::to_string(ctx.selection.offered) + " candidates, 3 of them in the playlist)"});
}

TEST_CASE("select: a broken answer, a fault or a refusal falls back to the retrieval ranking, said in one note",
          "[create][select]") {
    Mirror mirror(kLibrary);
    gen::CliOptions options;
    options.limit = "15";
    const std::string prompt = "sunny morning street";
    const auto retrieval = ids_of(run(mirror, nullptr, prompt, options));
    CallPolicy policy = one_attempt();
    std::string reason;         // what the note must name
    size_t requests = 1;        // what reaches the fake
    std::function<void(Completer&)> arrange;

    SECTION("an HTML page instead of the API's answer") {
        arrange = [](Completer& c) { c.fake.add_rule({.kind = FakeLlmRule::Kind::garbage}); };
        reason = "BAD_RESPONSE";
    }
    SECTION("an envelope cut in half") {
        arrange = [](Completer& c) { c.fake.add_rule({.kind = FakeLlmRule::Kind::truncated}); };
        reason = "BAD_RESPONSE";
    }
    SECTION("an answer that breaks the schema twice: one repair, then the fallback") {
        arrange = [](Completer& c) {
            c.fake.push_answer(R"({"tracks": [{"id": "first", "reason": 3}]})");
            c.fake.push_answer("here are some songs you will like");
        };
        reason = "still invalid after one repair";
        requests = 2;
    }
    SECTION("an answer that names no candidate") {
        arrange = [](Completer& c) { c.fake.push_answer(answer_of(std::vector<std::string>{kUnknownId})); };
        reason = "its answer named none of the";
    }
    SECTION("an empty choice") {
        arrange = [](Completer& c) { c.fake.push_answer(R"({"tracks": []})"); };
        reason = "its answer chose no track";
    }
    SECTION("a key the API refuses") {
        arrange = [](Completer& c) { c.fake.set_keys({"sk-another-key-0123456789"}); };
        reason = "AUTH";
    }
    SECTION("no answer within the provider's timeout") {
        policy.timeout = std::chrono::seconds(1);
        policy.deadline = std::chrono::seconds(2);
        arrange = [](Completer& c) { c.fake.add_rule({.kind = FakeLlmRule::Kind::hang}); };
        reason = "TIMEOUT";
    }
    SECTION("a server error") {
        arrange = [](Completer& c) { c.fake.add_rule({.kind = FakeLlmRule::Kind::status, .status = 500}); };
        reason = "UNAVAILABLE";
    }

    Completer completer(SettingList{}, policy);
    arrange(completer);
    const auto ctx = run(mirror, completer.provider.get(), prompt, options);
    INFO(notes_of(ctx));
    CHECK(completer.sent() == requests);
    CHECK_FALSE(ctx.selection.used);
    CHECK_THAT(ctx.selection.reason, Catch::Contains(reason));
    CHECK(ids_of(ctx) == retrieval);
    const auto notes = select_notes(ctx);
    REQUIRE(notes.size() == 1);
    CHECK_THAT(notes[0], Catch::StartsWith("select: the completer llm did not choose (") && Catch::Contains(reason) &&
                             Catch::EndsWith("): the playlist follows the retrieval ranking"));
    CHECK(notes[0].find('\n') == std::string::npos);
    CHECK(notes[0].find(completer.fake.key()) == std::string::npos);
    for (const auto& e : ctx.tracks) CHECK(e.choice == 0);
}

TEST_CASE("select: an answer in code fences is used, and a repaired answer after one invalid one", "[create][select]") {
    Mirror mirror(kLibrary);
    Completer completer;
    completer.fake.set_script(
        [](const FakeLlmCall& call) { return answer_of(first(ids_sent(call.prompt), asked_in(call.prompt))); });
    gen::CliOptions options;
    options.limit = "8";
    SECTION("fenced") {
        completer.fake.add_rule({.kind = FakeLlmRule::Kind::fenced});
        const auto ctx = run(mirror, completer.provider.get(), "rainy river", options);
        INFO(notes_of(ctx));
        CHECK(completer.fake.completion_requests() == 1);
        CHECK(ctx.selection.used);
        CHECK_FALSE(ctx.selection.repaired);
        CHECK(ctx.tracks.size() == 8);
        for (const auto& e : ctx.tracks) CHECK(e.choice != 0);
    }
    SECTION("repaired") {
        completer.fake.push_answer(R"({"tracks": [{"id": 12}]})");  // no reason: invalid
        const auto ctx = run(mirror, completer.provider.get(), "rainy river", options);
        INFO(notes_of(ctx));
        CHECK(completer.fake.completion_requests() == 2);
        CHECK_THAT(completer.fake.calls().back().prompt, Catch::Contains("That answer is not valid"));
        CHECK(ctx.selection.used);
        CHECK(ctx.selection.repaired);
        CHECK(ctx.tracks.size() == 8);
        CHECK(select_notes(ctx).empty());
    }
}

TEST_CASE("select: the request fits the completer's context window, counted in words and as estimated",
          "[create][select][window]") {
    Mirror mirror(kLibrary);
    gen::CliOptions options;
    options.limit = "10";
    const auto script = [](const FakeLlmCall& call) { return answer_of(first(ids_sent(call.prompt), asked_in(call.prompt))); };

    SECTION("a small window: fewer candidates, never a larger request") {
        constexpr size_t kWindow = 3000;
        Completer completer(SettingList{{"context_tokens", std::to_string(kWindow)}});
        completer.fake.set_script(script);
        const auto ctx = run(mirror, completer.provider.get(), "mellow night piano", options, uncapped());
        INFO(notes_of(ctx));
        REQUIRE(completer.fake.completion_requests() == 1);
        const FakeLlmCall call = completer.fake.calls().at(0);
        const size_t sent = ids_sent(call.prompt).size();
        CHECK(sent == ctx.selection.offered);
        CHECK(sent > 10);
        CHECK(sent < gen::kMaxOfferedCandidates);  // the window, not the default, set the size
        REQUIRE(call.max_tokens > 0);
        // As the fake counts (a token a word) and as the engine estimates (framing included).
        CHECK(words_in(call.system) + words_in(call.prompt) + words_in(call.schema) + call.max_tokens <= kWindow);
        const uint64_t estimated = 32 + 8 + llm::estimate_tokens(call.system) + llm::estimate_tokens(call.prompt) +
                                   llm::estimate_tokens(call.schema);
        CHECK(estimated + call.max_tokens <= kWindow);
        CHECK(ctx.selection.used);
        CHECK(ctx.tracks.size() == 10);
    }
    SECTION("a large window: the default of 150 candidates") {
        Completer completer;
        completer.fake.set_script(script);
        const auto ctx = run(mirror, completer.provider.get(), "mellow night piano", options, uncapped());
        REQUIRE(completer.fake.completion_requests() == 1);
        CHECK(ids_sent(completer.fake.calls().at(0).prompt).size() == gen::kMaxOfferedCandidates);
        CHECK(ctx.selection.offered == gen::kMaxOfferedCandidates);
    }
    SECTION("a window too small for one candidate: nothing is sent, and that is said") {
        Completer completer(SettingList{{"context_tokens", "600"}});
        completer.fake.set_script(script);
        const auto ctx = run(mirror, completer.provider.get(), "mellow night piano", options, uncapped());
        CHECK(completer.sent() == 0);
        CHECK_FALSE(ctx.selection.used);
        CHECK_FALSE(ctx.selection.asked);
        const auto notes = select_notes(ctx);
        REQUIRE(notes.size() == 1);
        CHECK_THAT(notes[0], Catch::Contains("context window of 600 tokens leaves no room for a candidate"));
        CHECK(ctx.tracks.size() == 10);
    }
}

TEST_CASE("select: turned off by the step's llm option or for one run, nothing is sent", "[create][select]") {
    Mirror mirror(kLibrary);
    Completer completer;
    completer.fake.set_script(
        [](const FakeLlmCall& call) { return answer_of(first(ids_sent(call.prompt), asked_in(call.prompt))); });
    gen::CliOptions options;
    options.limit = "10";
    const auto retrieval = ids_of(run(mirror, nullptr, "slow train", options));

    const auto off = pipeline_from("pipelines:\n  generate: [parse, filter, retrieve, {select: {llm: false}},"
                                   " diversify, order]\n");
    REQUIRE_FALSE(off.find(gen::StepKind::select)->llm);
    CHECK_THAT(off.to_json(), Catch::Contains(R"({"select":{"llm":false}})"));
    const auto by_step = run(mirror, completer.provider.get(), "slow train", options, off);
    CHECK(by_step.selection.reason == "turned off in the pipeline (select: { llm: false })");
    const auto by_run = run(mirror, completer.provider.get(), "slow train", options, gen::default_generate_pipeline(), false);
    CHECK(by_run.selection.reason == "turned off for this run (--no-llm)");
    const auto no_step =
        run(mirror, completer.provider.get(), "slow train", options, pipeline_from("pipelines:\n  generate: [parse, filter, retrieve, diversify, order]\n"));
    CHECK(no_step.selection.reason == "the pipeline has no select step");
    CHECK(completer.sent() == 0);
    for (const auto* ctx : {&by_step, &by_run, &no_step}) {
        CHECK_FALSE(ctx->selection.used);
        CHECK(ids_of(*ctx) == retrieval);
        CHECK(select_notes(*ctx).empty());  // a choice of the user's, not a failure
    }
    // On again: the same completer is asked.
    CHECK(run(mirror, completer.provider.get(), "slow train", options).selection.used);
    CHECK(completer.fake.completion_requests() == 1);
}

TEST_CASE("select: without a diversify step the choice heads the ranking, no caps are stated", "[create][select]") {
    Mirror mirror(kLibrary);
    Completer completer;
    completer.fake.set_script([](const FakeLlmCall& call) { return answer_of(least_liked(call)); });
    gen::CliOptions options;
    options.limit = "20";
    const auto pipeline = pipeline_from("pipelines:\n  generate: [parse, filter, retrieve, select, order]\n");
    const auto ctx = run(mirror, completer.provider.get(), "quiet piano", options, pipeline);
    INFO(notes_of(ctx));
    REQUIRE(completer.fake.completion_requests() == 1);
    const auto call = completer.fake.calls().at(0);
    CHECK_THAT(call.prompt, !Catch::Contains("Caps:"));
    const auto sent = ids_sent(call.prompt);
    REQUIRE(sent.size() == gen::kMaxOfferedCandidates);  // the ranking's head, 500 deep
    CHECK(ids_of(ctx) == std::vector<int64_t>(sent.rbegin(), sent.rbegin() + 20));
}

TEST_CASE("select: through Claude's forced tool the choice is used the same way", "[create][select][claude]") {
    Mirror mirror(kLibrary);
    FakeLlm fake(FakeLlmOptions{.api = LlmApi::claude});
    auto claude = provider_of(plugin_from(PMX_CLAUDE_PLUGIN), "claude",
                              {{"api_key", fake.key()}, {"base_url", fake.url() + "/v1"},
                               {"model", "claude-haiku-4-5-20251001"}},
                              one_attempt(), {});
    fake.set_script([](const FakeLlmCall& call) { return answer_of(least_liked(call)); });
    gen::CliOptions options;
    options.limit = "9";
    const auto ctx = run(mirror, claude.get(), "loud guitar", options);
    INFO(notes_of(ctx));
    REQUIRE(fake.completion_requests() == 1);
    const FakeLlmCall call = fake.calls().at(0);
    CHECK_FALSE(call.tool.empty());
    const auto sent = ids_sent(call.prompt);
    REQUIRE(sent.size() >= 9);
    CHECK(ctx.selection.used);
    CHECK(ids_of(ctx) == std::vector<int64_t>(sent.rbegin(), sent.rbegin() + 9));
    check_caps(ctx, gen::kDefaultPerArtist, gen::kDefaultPerAlbum);
}
