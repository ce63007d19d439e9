// The parse step with a completer (opt-in), in process over a generated mirror against the fake
// LLM speaking the OpenAI API: the schema sent holds the mirror's genres, the tag vocabulary and
// the artists the prompt may name; the answer is validated like user input (names read through
// the library or dropped with a note, numbers range-checked); the rule parser's numbers, years and
// named artists win on conflict, each disagreement listed; explicit options win over both; an
// invalid answer, a refusal or a window too small falls back to the rule parser with a note.
#include <algorithm>
#include <set>

#include <rapidjson/document.h>

#include "config/config.hpp"
#include "create_support.hpp"
#include "generate/parse_llm.hpp"
#include "store/track_filter.hpp"
#include "support/fake_llm.hpp"
#include "support/provider_plugin.hpp"
#include "util/text.hpp"

using namespace pmx;
using namespace pmx::test;

namespace {

constexpr size_t kLibrary = 600;  // 30 artists, 120 albums of 5; genres Jazz, Rock, Metal, Pop

// The completer reads the prompt; it does not choose (the select step is tested apart).
gen::PipelineSpec reading_pipeline() {
    return gen::generate_pipeline(load_config_from_string(
        "pipelines:\n  generate: [{parse: {llm: true}}, filter, retrieve, {select: {llm: false}}, diversify, order, publish]\n",
        "/tmp/plexmix.yaml"));
}

struct Completer {
    FakeLlm fake;
    std::unique_ptr<Provider> provider;

    explicit Completer(SettingList extra = {})
        : fake(FakeLlmOptions{.api = LlmApi::openai}) {
        provider = provider_of(plugin_from(PMX_OPENAI_PLUGIN), "llm",
                               with({{"base_url", fake.url() + "/v1"}, {"api_key", fake.key()}, {"server", "openai"}},
                                    std::move(extra)),
                               one_attempt(), {});
    }
};

// A reading with every field, empty unless given.
struct Reading {
    int count = 0, minutes = 0;
    std::string years = "[]", genres = "[]", exclude_genres = "[]", artists = "[]", exclude_artists = "[]";
    std::string like_artists = "[]", like_tracks = "[]", tags = "[]", mood;
    double stars = 0;
    bool no_live = false, favourites = false;

    std::string json() const {
        return "{\"track_count\": " + std::to_string(count) + ", \"duration_minutes\": " + std::to_string(minutes) +
               ", \"years\": " + years + ", \"genres\": " + genres + ", \"exclude_genres\": " + exclude_genres +
               ", \"artists\": " + artists + ", \"exclude_artists\": " + exclude_artists +
               ", \"like_artists\": " + like_artists + ", \"like_tracks\": " + like_tracks +
               ", \"min_stars\": " + std::to_string(stars) + ", \"favourites\": " + (favourites ? "true" : "false") + ", \"exclude_live\": " + (no_live ? "true" : "false") +
               ", \"unplayed\": false, \"not_played_in_days\": 0, \"played_in_days\": 0, \"per_artist\": 0, "
               "\"per_album\": 0, \"tags\": " + tags + ", \"mood\": \"" + mood + "\"}";
    }
};

gen::GenerateContext run(Mirror& mirror, Provider* completer, const std::string& prompt, gen::CliOptions options = {},
                         bool llm = true) {
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
    ctx.input.llm = llm;
    gen::run_pipeline(reading_pipeline(), ctx, services);
    return ctx;
}

std::string notes_of(const gen::GenerateContext& ctx) { return join(ctx.notes, "\n"); }

bool has(const std::vector<std::string>& list, std::string_view text) {
    return std::any_of(list.begin(), list.end(), [&](const std::string& s) { return s.find(text) != std::string::npos; });
}

// The allowed values of a string list in the schema sent.
std::set<std::string> enum_of(const rapidjson::Value& schema, const char* field) {
    std::set<std::string> out;
    const auto& items = schema["properties"][field]["items"];
    if (!items.HasMember("enum")) return out;
    for (const auto& v : items["enum"].GetArray()) out.insert(v.GetString());
    return out;
}

}  // namespace

TEST_CASE("parse: the completer's reading fills what the rules did not read, the rules keep numbers and years",
          "[create][parse_llm]") {
    Mirror mirror(kLibrary);
    Completer c;
    Reading answer;
    answer.count = 12;
    answer.years = R"([{"from": 1975, "to": 1985}])";
    answer.genres = R"(["Jazz"])";
    answer.tags = R"([{"term": "calm", "use": "rank"}])";
    answer.mood = "calm sunday morning";
    c.fake.push_answer(answer.json());
    const auto ctx = run(mirror, c.provider.get(), "something for a lazy sunday, 12 songs, from the 70s");
    INFO(notes_of(ctx));
    const gen::LlmReading& r = ctx.reading;
    REQUIRE(r.used);
    CHECK(c.fake.completion_requests() == 1);
    // Years: the rules' reading (1970–1979) wins, and the disagreement is listed.
    REQUIRE(ctx.request.years.size() == 1);
    CHECK(ctx.request.years[0] == gen::YearRange{1970, 1979});
    CHECK(has(r.disagreements, "years: rules 1970\u20131979, LLM 1975\u20131985 (rules kept)"));
    CHECK_FALSE(has(r.disagreements, "count"));  // both read 12
    // What the rules did not read comes from the completer: a genre, a tag, the mood words.
    CHECK(ctx.request.genres == std::vector<std::string>{"Jazz"});
    CHECK(has(r.disagreements, "genres: rules none, LLM Jazz (LLM kept)"));
    REQUIRE(ctx.request.tags.size() == 1);
    CHECK(ctx.request.tags[0].term == "calm");
    CHECK(ctx.request.mood_query == "calm sunday morning");
    // And every constraint holds on the playlist.
    REQUIRE(ctx.tracks.size() == 12);
    for (const auto& e : ctx.tracks) {
        CHECK(e.track.genres.find("Jazz") != std::string::npos);
        CHECK(*e.track.year >= 1970);
        CHECK(*e.track.year <= 1979);
    }
}

TEST_CASE("parse: the schema sent holds the mirror's genres, the tag vocabulary and the artists the prompt may name",
          "[create][parse_llm]") {
    Mirror mirror(kLibrary);
    Completer c;
    const auto ctx = run(mirror, c.provider.get(), "songs like Artst 7 but calmer, nothing by Artist 12");
    const auto calls = c.fake.calls();
    REQUIRE(calls.size() == 1);
    CHECK(calls[0].prompt.find("songs like Artst 7 but calmer") != std::string::npos);
    rapidjson::Document schema;
    schema.Parse(calls[0].schema.c_str());
    REQUIRE(schema.IsObject());
    CHECK(enum_of(schema, "genres") == std::set<std::string>{"Jazz", "Metal", "Pop", "Rock"});
    CHECK(enum_of(schema, "exclude_genres") == enum_of(schema, "genres"));
    // "Artst 7" is one letter from "Artist 7"; the rule parser's "Artist 12" is always there.
    const auto artists = enum_of(schema, "artists");
    CHECK(artists.contains("Artist 7"));
    CHECK(artists.contains("Artist 12"));
    CHECK_FALSE(artists.contains("Artist 3"));
    CHECK(enum_of(schema, "like_artists") == artists);
    const auto& terms = schema["properties"]["tags"]["items"]["properties"]["term"]["enum"];
    REQUIRE(terms.IsArray());
    CHECK(terms.Size() > 100);
    // The fake's default answer is the smallest valid one: nothing read, the rules' reading stands.
    CHECK(ctx.reading.used);
    CHECK(ctx.request.exclude_artists == std::vector<std::string>{"Artist 12"});
}

TEST_CASE("parse: the answer is validated like user input, what is not in the library dropped with a note",
          "[create][parse_llm]") {
    Mirror mirror(kLibrary);
    Completer c;
    Reading answer;
    answer.count = 5000;
    answer.years = R"([{"from": 3000, "to": 3010}, {"from": 1990, "to": 1994}, {"from": 1995, "to": 1999}])";
    answer.genres = R"(["Polka Fusion", "heavy metal"])";
    answer.artists = R"(["Nobody At All", "artist 4"])";
    answer.tags = R"([{"term": "zesty", "use": "rank"}, {"term": "sax", "use": "only"}])";
    answer.stars = 9;
    c.fake.push_answer(answer.json());
    const auto ctx = run(mirror, c.provider.get(), "loud stuff");
    INFO(notes_of(ctx));
    REQUIRE(ctx.reading.used);
    const std::string notes = notes_of(ctx);
    CHECK(notes.find("track_count 5000 is out of range") != std::string::npos);
    CHECK(notes.find("years 3000\u20133010 are not a range") != std::string::npos);
    CHECK(notes.find("\"Polka Fusion\" is not a genre of the library: dropped") != std::string::npos);
    CHECK(notes.find("\"Nobody At All\" is not an artist of the library: dropped") != std::string::npos);
    CHECK(notes.find("\"zesty\" is not a word of the tag vocabulary") != std::string::npos);
    CHECK(notes.find("min_stars") != std::string::npos);
    // What is valid is read through the library: an alias, another spelling, a synonym; adjacent
    // ranges joined.
    CHECK(ctx.request.genres == std::vector<std::string>{"Metal"});
    CHECK(ctx.request.artists == std::vector<std::string>{"Artist 4"});
    REQUIRE(ctx.request.years.size() == 1);
    CHECK(ctx.request.years[0] == gen::YearRange{1990, 1999});
    REQUIRE(ctx.request.tags.size() == 1);
    CHECK(ctx.request.tags[0].term == "saxophone");
    CHECK(ctx.request.tags[0].use == gen::TagWord::Use::only);
    CHECK(ctx.request.track_count == 0);
    CHECK(ctx.request.min_rating == 0);
}

TEST_CASE("parse: named artists of the mirror and explicit options win over the completer", "[create][parse_llm]") {
    Mirror mirror(kLibrary);
    Completer c;
    Reading answer;
    answer.artists = R"(["Artist 5"])";
    answer.count = 30;
    answer.like_tracks = R"([{"title": "sunny street 1", "artist": "Artist 1"}])";
    c.fake.push_answer(answer.json());
    gen::CliOptions options;
    options.limit = "8";
    const auto ctx = run(mirror, c.provider.get(), "rainy songs by Artist 3, 20 songs", options);
    INFO(notes_of(ctx));
    REQUIRE(ctx.reading.used);
    CHECK(ctx.request.artists == std::vector<std::string>{"Artist 3"});
    CHECK(has(ctx.reading.disagreements, "artists: rules Artist 3, LLM Artist 5 (rules kept)"));
    CHECK(has(ctx.reading.disagreements, "count: rules 20, LLM 30 (rules kept)"));
    CHECK(ctx.tracks.size() == 8);  // --limit over both
    for (const auto& e : ctx.tracks) CHECK(e.track.artist == "Artist 3");
    // A track to sound like that only the completer read seeds the search.
    REQUIRE(ctx.seeds.size() == 1);
    CHECK(ctx.seeds[0].is_track);
}

TEST_CASE("parse: a broken answer, a refusal or a window too small leaves the rule parser's reading, with a note",
          "[create][parse_llm]") {
    Mirror mirror(kLibrary);
    const std::string prompt = "rainy jazz from the 80s, 10 songs";
    const auto rules = run(mirror, nullptr, prompt);
    CHECK(notes_of(rules).find("no completer configured") != std::string::npos);
    std::string reason;
    size_t requests = 1;
    SettingList extra;
    std::function<void(Completer&)> arrange = [](Completer&) {};
    SECTION("an answer that breaks the schema twice") {
        arrange = [](Completer& c) {
            c.fake.push_answer(R"({"track_count": "ten"})");
            c.fake.push_answer("I think you want jazz");
        };
        reason = "still invalid after one repair";
        requests = 2;
    }
    SECTION("an HTML page") {
        arrange = [](Completer& c) { c.fake.add_rule({.kind = FakeLlmRule::Kind::garbage}); };
        reason = "BAD_RESPONSE";
    }
    SECTION("a key the API refuses") {
        arrange = [](Completer& c) { c.fake.set_keys({"sk-another-key-0123456789"}); };
        reason = "AUTH";
    }
    SECTION("a context window too small for the schema: nothing is sent") {
        extra = {{"context_tokens", "700"}};
        reason = "leaves no room for the request's schema";
        requests = 0;
    }
    Completer c(extra);
    arrange(c);
    const auto ctx = run(mirror, c.provider.get(), prompt);
    INFO(notes_of(ctx));
    CHECK_FALSE(ctx.reading.used);
    CHECK(ctx.reading.reason.find(reason) != std::string::npos);
    CHECK(c.fake.http().requests().size() == requests);
    const auto parse_notes = std::count_if(ctx.notes.begin(), ctx.notes.end(), [](const std::string& n) {
        return n.starts_with("parse: the completer llm did not read the prompt");
    });
    CHECK(parse_notes == 1);
    CHECK(ctx.request == rules.request);
    CHECK(ctx.reading.disagreements.empty());
}

TEST_CASE("parse: --no-llm sends nothing, and the llm option of parse is checked in the config", "[create][parse_llm]") {
    Mirror mirror(kLibrary);
    Completer c;
    const auto ctx = run(mirror, c.provider.get(), "rainy jazz", {}, false);
    CHECK(c.fake.http().requests().empty());
    CHECK_FALSE(ctx.reading.used);
    CHECK(ctx.reading.reason == "turned off for this run (--no-llm)");
    const auto spec = reading_pipeline();
    CHECK(spec.describe().starts_with("parse(llm) \u2192"));
    CHECK(spec.to_json().starts_with(R"([{"parse":{"llm":true}})"));
    CHECK_THROWS_WITH(gen::generate_pipeline(load_config_from_string(
                          "pipelines:\n  generate: [{parse: {llm: maybe}}, filter]\n", "/tmp/plexmix.yaml")),
                      Catch::Contains("parse.llm: \"maybe\" is not true or false"));
}
