// The generate pipeline in process: count, duration, filters, diversity, candidate restriction,
// order modes, fallbacks, and the pipeline's YAML (defaults, options, errors at FILE:LINE:COL).
#include <algorithm>
#include <fstream>
#include <set>

#include <rapidjson/document.h>

#include "config/config.hpp"
#include "create_support.hpp"
#include "store/sqlite.hpp"
#include "store/track_filter.hpp"
#include "util/text.hpp"

using namespace pmx;
using namespace pmx::test;

namespace {

constexpr size_t kLibrary = 600;

gen::PipelineSpec pipeline_from(const std::string& yaml) {
    return gen::generate_pipeline(load_config_from_string(yaml, "/tmp/plexmix.yaml"));
}

std::vector<std::string> split(const std::string& genres) {
    std::vector<std::string> out;
    size_t at = 0;
    while (at <= genres.size()) {
        const size_t end = genres.find("; ", at);
        out.push_back(genres.substr(at, end == std::string::npos ? std::string::npos : end - at));
        if (end == std::string::npos) break;
        at = end + 2;
    }
    return out;
}

bool has_genre(const TrackDetail& t, const std::string& genre) {
    const auto genres = split(t.genres);
    return std::find(genres.begin(), genres.end(), genre) != genres.end();
}

std::string note_text(const gen::GenerateContext& ctx) { return join(ctx.notes, "\n"); }

}  // namespace

TEST_CASE("create: exactly the count asked, and 25 when nothing is asked", "[create][pipeline]") {
    Mirror mirror(kLibrary);
    for (const char* limit : {"1", "7", "30", "90"}) {  // 90: 30 artists × 3
        gen::CliOptions options;
        options.limit = limit;
        const auto ctx = mirror.run("mellow night piano", options);
        INFO(limit << "\n" << note_text(ctx));
        CHECK(ctx.tracks.size() == std::stoul(limit));
        CHECK_FALSE(ctx.short_of_target);
    }
    const auto ctx = mirror.run("mellow night piano");
    CHECK(ctx.tracks.size() == static_cast<size_t>(gen::kDefaultTrackCount));
    // The prompt's own count.
    CHECK(mirror.run("rainy river songs, 12 songs").tracks.size() == 12);
}

TEST_CASE("create: a duration lands within ±5%", "[create][pipeline]") {
    Mirror mirror(kLibrary);
    for (const char* duration : {"10m", "20m", "45m", "90m", "3h"}) {
        gen::CliOptions options;
        options.duration = duration;
        const auto ctx = mirror.run("slow guitar", options);
        INFO(duration << "\n" << note_text(ctx));
        REQUIRE(ctx.target_seconds > 0);
        const double target = ctx.target_seconds * 1000.0;
        CHECK(static_cast<double>(ctx.total_ms()) >= target * 0.95);
        CHECK(static_cast<double>(ctx.total_ms()) <= target * 1.05);
        CHECK_FALSE(ctx.short_of_target);
    }
}

TEST_CASE("create: every track passes every filter, checked against the mirror", "[create][pipeline]") {
    Mirror mirror(kLibrary);
    gen::CliOptions options;
    options.limit = "10";
    options.year = "1960-1989";
    options.genres = {"Jazz", "Rock"};
    options.exclude_genres = {"Pop"};
    options.min_rating = "2";
    options.avoid_recent = "20";
    const auto ctx = mirror.run("night river, no live recordings", options);
    INFO(note_text(ctx));
    REQUIRE(ctx.tracks.size() == 10);
    CHECK(ctx.request.exclude_live);
    for (const auto& e : ctx.tracks) {
        const auto& t = e.track;
        INFO(t.title << " " << t.genres << " " << t.year.value_or(0));
        REQUIRE(t.year);
        CHECK(*t.year >= 1960);
        CHECK(*t.year <= 1989);
        CHECK((has_genre(t, "Jazz") || has_genre(t, "Rock") || has_genre(t, "Metal")));  // metal is rock
        CHECK_FALSE(has_genre(t, "Pop"));
        REQUIRE(t.user_rating);
        CHECK(*t.user_rating >= 4);
        CHECK_FALSE(t.is_live);
        if (t.last_played_at) CHECK(*t.last_played_at < kNow - 20 * kDay);
        CHECK_FALSE(e.passed.empty());  // --explain has something to say
    }

    gen::CliOptions by_artist;
    by_artist.artists = {"artist 7"};  // the mirror's spelling is returned
    by_artist.limit = "8";
    const auto artist = mirror.run("songs", by_artist);
    INFO(note_text(artist));
    REQUIRE(artist.tracks.size() == 8);  // a named artist is not capped at 3
    for (const auto& e : artist.tracks) CHECK(e.track.artist == "Artist 7");
}

TEST_CASE("create: genre words are read through the installed genre tree", "[create][pipeline][taxonomy]") {
    // The mirror's genres are Jazz, Rock, Metal and Pop; beets' tree puts heavy metal under rock.
    Mirror mirror(kLibrary);
    gen::CliOptions options;
    options.limit = "20";
    const auto rock = mirror.run("loud rock, no pop", options);
    INFO(note_text(rock));
    CHECK(std::set<std::string>(rock.request.genres.begin(), rock.request.genres.end()) ==
          std::set<std::string>{"Rock", "Metal"});
    REQUIRE(rock.request.genre_words.size() == 2);
    CHECK(rock.request.genre_words[0].read_as == "rock");
    REQUIRE(rock.tracks.size() == 20);
    for (const auto& e : rock.tracks) {
        CHECK((has_genre(e.track, "Rock") || has_genre(e.track, "Metal")));
        CHECK_FALSE(has_genre(e.track, "Pop"));
    }

    // "no rock" leaves out metal too; --genre-exact keeps the one tag.
    const auto no_rock = mirror.run("quiet songs, no rock", options);
    REQUIRE(no_rock.tracks.size() == 20);
    for (const auto& e : no_rock.tracks) {
        CHECK_FALSE(has_genre(e.track, "Rock"));
        CHECK_FALSE(has_genre(e.track, "Metal"));
    }
    options.exact_genres = {"rock"};
    const auto exact = mirror.run("loud songs", options);
    CHECK(exact.request.genres == std::vector<std::string>{"Rock"});
    for (const auto& e : exact.tracks) CHECK(has_genre(e.track, "Rock"));
}

TEST_CASE("create: at most N per artist and per album, no duplicate title and artist", "[create][pipeline]") {
    // A copy of track 0 (same title and artist) on another album, ranked like it.
    TrackRecord copy = library_track(0);
    copy.key = "copy-0";
    copy.album = "Best Of";
    copy.album_key = "album-best-of";
    copy.file_path = "/music/best-of/0.flac";
    Mirror mirror(kLibrary, true, {copy});
    gen::CliOptions options;
    options.limit = "60";
    const std::string prompt = library_track(0).title;
    for (const auto& [yaml, per_artist, per_album] :
         {std::tuple{std::string(), 3, 2},
          std::tuple{std::string("pipelines:\n  generate: [parse, filter, retrieve, select,\n"
                                 "    {diversify: {per_artist: 1, per_album: 1}}, order, publish]\n"),
                     1, 1}}) {
        const auto pipeline = yaml.empty() ? gen::default_generate_pipeline() : pipeline_from(yaml);
        gen::CliOptions o = options;
        if (per_artist == 1) o.limit = "30";  // 30 artists in the library
        const auto ctx = mirror.run(prompt, o, pipeline);
        INFO(note_text(ctx));
        CHECK(ctx.tracks.size() == (per_artist == 1 ? 30u : 60u));
        std::map<std::string, int> artists;
        std::map<int64_t, int> albums;
        std::set<std::string> titles;
        for (const auto& e : ctx.tracks) {
            ++artists[e.track.artist];
            ++albums[*e.track.album_id];
            CHECK(titles.insert(ascii_lower(e.track.title) + "|" + ascii_lower(e.track.artist)).second);
        }
        for (const auto& [name, n] : artists) CHECK(n <= per_artist);
        for (const auto& [album, n] : albums) CHECK(n <= per_album);
        CHECK(ctx.duplicates >= 1);  // the copy of track 0 was left out
    }
}

TEST_CASE("create: retrieval is restricted to the candidates and returns the full count", "[create][pipeline]") {
    Mirror mirror(kLibrary);
    // A shallow retrieval (depth 5) over one genre: the ranking is deepened, never post-filtered.
    const auto pipeline = pipeline_from(
        "pipelines:\n  generate: [parse, filter, {retrieve: {depth: 5}}, select, diversify, order, publish]\n");
    gen::CliOptions options;
    options.genres = {"Metal"};
    options.limit = "40";
    const auto ctx = mirror.run("loud guitar train", options, pipeline);
    INFO(note_text(ctx));
    CHECK(ctx.ranking_method == "similarity (toy-hash-64)");
    REQUIRE(ctx.tracks.size() == 40);
    for (const auto& e : ctx.tracks) {
        CHECK(has_genre(e.track, "Metal"));
        CHECK(e.similarity.has_value());
    }
    // The first track is the most similar candidate: nothing better was filtered away.
    const auto best = std::max_element(ctx.tracks.begin(), ctx.tracks.end(), [](const auto& a, const auto& b) {
        return *a.similarity < *b.similarity;
    });
    CHECK(best->rank == 1);
}

TEST_CASE("create: when fewer tracks qualify, says so and how many", "[create][pipeline]") {
    Mirror mirror(kLibrary);
    const auto no_caps = pipeline_from(
        "pipelines:\n  generate: [parse, filter, retrieve, {diversify: {per_artist: 0, per_album: 0}}, order]\n");
    size_t expected = 0;
    for (size_t i = 0; i < kLibrary; ++i) {
        const auto t = library_track(i);
        if (t.user_rating == 10 && t.genres[0] == "Jazz") ++expected;
    }
    REQUIRE(expected > 0);
    REQUIRE(expected < 50);
    gen::CliOptions options;
    options.limit = "50";
    options.min_rating = "5";
    options.genres = {"Jazz"};
    const auto ctx = mirror.run("rainy piano", options, no_caps);
    CHECK(ctx.tracks.size() == expected);
    CHECK(ctx.short_of_target);
    CHECK_THAT(note_text(ctx), Catch::Contains("only " + std::to_string(expected) + " tracks match (50 asked)"));
}

TEST_CASE("create: order modes", "[create][pipeline]") {
    Mirror mirror(kLibrary);
    gen::CliOptions options;
    options.limit = "20";
    auto run = [&](gen::OrderMode mode, std::optional<uint64_t> seed = std::nullopt) {
        gen::GenerateServices services;
        services.store = mirror.store.get();
        services.sources.push_back({"home", mirror.server, nullptr});
        services.embedder = mirror.embedder.get();
        services.index_dir = vectors_dir(mirror.dir.path());
        gen::GenerateContext ctx;
        ctx.input.prompt = "sunny morning street";
        ctx.input.options = options;
        ctx.input.publish = ctx.input.save = false;
        ctx.input.order = mode;
        ctx.input.seed = seed;
        gen::run_pipeline(gen::default_generate_pipeline(), ctx, services);
        std::vector<int64_t> ids;
        for (const auto& e : ctx.tracks) ids.push_back(e.track.id);
        return std::pair{ids, ctx};
    };
    const auto [by_rank, ranked] = run(gen::OrderMode::similarity);
    for (size_t i = 1; i < ranked.tracks.size(); ++i) CHECK(ranked.tracks[i - 1].rank < ranked.tracks[i].rank);
    const auto sorted = [](std::vector<int64_t> v) { std::sort(v.begin(), v.end()); return v; };
    // The same tracks in every mode; random is reproducible with its seed.
    const auto [smooth, smoothed] = run(gen::OrderMode::smooth);
    CHECK(sorted(smooth) == sorted(by_rank));
    CHECK(smooth.front() == by_rank.front());  // starts from the best match
    const auto [random1, r1] = run(gen::OrderMode::random, 7);
    const auto [random2, r2] = run(gen::OrderMode::random, 7);
    const auto [random3, r3] = run(gen::OrderMode::random, 8);
    CHECK(random1 == random2);
    CHECK(random1 != random3);
    CHECK(sorted(random1) == sorted(by_rank));
    const auto [alternating, alternated] = run(gen::OrderMode::alternate);
    CHECK(sorted(alternating) == sorted(by_rank));
    for (size_t i = 1; i < alternated.tracks.size(); ++i) {
        CHECK(alternated.tracks[i - 1].track.artist != alternated.tracks[i].track.artist);
    }
}

TEST_CASE("create: without an embedder, keywords then rating rank the candidates (noted)", "[create][pipeline]") {
    Mirror mirror(kLibrary, false);
    gen::CliOptions options;
    options.limit = "15";
    const auto ctx = mirror.run("piano", options);
    CHECK(ctx.tracks.size() == 15);
    CHECK(ctx.ranking_method == "keyword matches, then rating");
    CHECK_THAT(note_text(ctx), Catch::Contains("no embedder configured"));
    // Tracks with "piano" in the title come first.
    CHECK_THAT(ctx.tracks.front().track.title, Catch::Contains("piano"));
}

TEST_CASE("create: the pipeline from YAML: defaults, options, errors at FILE:LINE:COL", "[create][config]") {
    const auto defaults = gen::default_generate_pipeline();
    REQUIRE(defaults.steps.size() == 7);
    CHECK(defaults.to_json() ==
          R"(["parse","filter",{"retrieve":{"depth":500}},"select",{"diversify":{"per_artist":3,"per_album":2}},)"
          R"({"order":{"mode":"smooth"}},"publish"])");
    CHECK_FALSE(gen::generate_pipeline(load_config_from_string("{}\n", "/tmp/p.yaml")).from_config);

    const auto custom = pipeline_from(
        "pipelines:\n  generate: [parse, filter, {retrieve: {depth: 50}}, {order: {mode: random, seed: 3}}]\n");
    CHECK(custom.from_config);
    REQUIRE(custom.steps.size() == 4);
    CHECK(custom.find(gen::StepKind::retrieve)->depth == 50);
    CHECK(custom.find(gen::StepKind::order)->mode == gen::OrderMode::random);
    CHECK(custom.find(gen::StepKind::order)->seed == 3u);
    CHECK(custom.find(gen::StepKind::publish) == nullptr);

    auto error_of = [](const std::string& yaml) {
        return error_text<ConfigError>([&] { pipeline_from(yaml); });
    };
    CHECK_THAT(error_of("pipelines:\n  generate: [parse, filtr, retrieve]\n"),
               Catch::Contains("/tmp/plexmix.yaml:2:21: unknown step \"filtr\" in pipeline generate"));
    CHECK_THAT(error_of("pipelines:\n  generate:\n    - parse\n    - diversify: { per_artst: 2 }\n"),
               Catch::Contains("/tmp/plexmix.yaml:4:20: unknown option \"per_artst\" of step diversify"));
    CHECK_THAT(error_of("pipelines:\n  generate:\n    - order: { mode: shuffle }\n"),
               Catch::Contains("/tmp/plexmix.yaml:3:") && Catch::Contains("\"shuffle\" is not an order mode"));
    CHECK_THAT(error_of("pipelines:\n  generate: [filter, parse]\n"),
               Catch::Contains("step \"parse\" must come before \"filter\""));
    CHECK_THAT(error_of("pipelines:\n  generate: [parse, parse]\n"), Catch::Contains("appears twice"));
    CHECK_THAT(error_of("pipelines:\n  generate: [{retrieve: {depth: lots}}]\n"),
               Catch::Contains("retrieve.depth: \"lots\" is not a number"));
}

TEST_CASE("CLI: config check validates every pipeline, a generate pipeline without filter is refused",
          "[create][config][cli]") {
    TempDir dir;
    const auto config = dir / "plexmix.yaml";
    const auto cli = [&](const std::string& yaml, const std::string& args) {
        std::ofstream(config, std::ios::trunc) << "data_dir: " << (dir / "data").string() << "\n" << yaml;
        return run_cli(PMX_CLI, "--config " + config.string() + " " + args);
    };
    const std::string where = config.string() + ":";

    CliRun ok = cli("pipelines:\n  sync: [scan, embed]\n  generate: [parse, filter, retrieve]\n", "config check");
    INFO(ok.out);
    CHECK(ok.code == 0);

    // A typo in a pipeline's name is no longer a pipeline nobody reads.
    CliRun typo = cli("pipelines:\n  genrate: [parse, filter]\n  sync: [scan, embedd]\n", "config check");
    INFO(typo.out);
    CHECK(typo.code == 2);
    CHECK_THAT(typo.out, Catch::Contains(where + "3:3: unknown pipeline \"genrate\" in pipelines; did you mean \"generate\"?") &&
                             Catch::Contains(where + "4:16: unknown step \"embedd\" in pipeline sync"));

    // Without filter, --genre would be dropped without a word: refused, before anything runs.
    const std::string no_filter = "pipelines:\n  generate: [parse, retrieve, order]\n";
    CliRun check = cli(no_filter, "config check");
    CHECK(check.code == 2);
    CHECK_THAT(check.out, Catch::Contains(where + "3:3: pipeline generate has no step \"filter\""));
    CliRun create = cli(no_filter, "create \"some songs\" --genre Jazz --dry-run");
    INFO(create.out);
    CHECK(create.code == 2);
    CHECK_THAT(create.out, Catch::Contains("has no step \"filter\"") && Catch::Contains("--genre"));
}

TEST_CASE("CLI: the sync pipeline is honoured, without embed a sync embeds nothing", "[create][config][cli]") {
    TempDir dir;
    const auto config = dir / "plexmix.yaml";
    const std::string plugins = " --plugin-path " + std::filesystem::path(PMX_SAMPLE_PLUGIN).parent_path().string() +
                                " --plugin-path " + std::filesystem::path(PMX_TOY_EMBEDDER).parent_path().string();
    const auto cli = [&](const std::string& pipelines, const std::string& args) {
        std::ofstream(config, std::ios::trunc) << "data_dir: " << (dir / "data").string() << "\n"
                                               << "providers:\n"
                                               << "  s: { plugin: sample, tracks: 120 }\n"
                                               << "  toy: { plugin: toy-embedder }\n"
                                               << "use: { media: [s], embedder: toy }\n"
                                               << pipelines;
        return run_cli(PMX_CLI, "--config " + config.string() + plugins + " " + args);
    };
    const auto embedded = [&](const std::string& pipelines) {
        const CliRun status = cli(pipelines, "embeddings status --json 2>/dev/null");
        INFO(status.out);
        rapidjson::Document doc;
        doc.Parse(status.out.c_str());
        REQUIRE_FALSE(doc.HasParseError());
        return doc["models"][0]["embedded"].GetInt64();
    };

    const std::string scan_only = "pipelines:\n  sync: [scan]\n";
    CliRun sync = cli(scan_only, "sync");
    INFO(sync.out);
    REQUIRE(sync.code == 0);
    CHECK(embedded(scan_only) == 0);

    sync = cli("pipelines:\n  sync: [scan, embed]\n", "sync");
    REQUIRE(sync.code == 0);
    CHECK(embedded("") == 120);
}

TEST_CASE("create: the steps read one snapshot, whatever a sync commits meanwhile", "[create][pipeline][snapshot]") {
    TempDir dir;
    const auto path = dir.path() / "plexmix.db";
    auto store = Store::open(path);
    const int64_t server = store->upsert_server("home", "plex", ServerInfo{"machine-1", "Test", "1.0", "Plex"}, "");
    std::vector<int64_t> ids;
    {
        Store::Transaction transaction(*store);
        TrackWriter writer(transaction, server);
        for (size_t i = 0; i < kLibrary; ++i) ids.push_back(writer.upsert(library_track(i)).track_id);
        transaction.commit();
    }
    gen::GenerateServices services;
    services.store = store.get();
    services.sources.push_back({"home", server, nullptr});
    services.index_dir = dir.path() / "vectors";
    // Another process (a sync) deletes every other track right after the filter chose them.
    services.after_step = [&](gen::StepKind step) {
        if (step != gen::StepKind::filter) return;
        auto sync = Store::open(path);
        std::vector<int64_t> gone;
        for (size_t i = 0; i < ids.size(); i += 2) gone.push_back(ids[i]);
        REQUIRE(sync->delete_tracks(gone) == gone.size());
    };
    gen::GenerateContext ctx;
    ctx.input.prompt = "rainy piano, 40 songs";
    ctx.input.publish = false;
    ctx.input.save = false;
    ctx.input.now = kNow;
    REQUIRE_NOTHROW(gen::run_pipeline(gen::default_generate_pipeline(), ctx, services));
    REQUIRE(ctx.tracks.size() == 40);
    for (const auto& e : ctx.tracks) {
        INFO("track " << e.track.id);
        CHECK_FALSE(e.track.title.empty());  // its details come from the same snapshot as its choice
    }
    // The run let go of the snapshot: the store now sees the deletions.
    CHECK(sql::query_int64(store->native_handle(), "SELECT count(*) FROM tracks").value_or(0) ==
          static_cast<int64_t>(kLibrary / 2));
}

TEST_CASE("create: caps stated in the prompt replace the step's for the run", "[create][pipeline][caps]") {
    Mirror mirror(kLibrary);
    SECTION("no artist twice") {
        const auto ctx = mirror.run("mellow piano, 30 songs, no artist twice");
        INFO(note_text(ctx));
        REQUIRE(ctx.tracks.size() == 30);  // 30 artists in the library
        std::set<std::string> artists;
        for (const auto& e : ctx.tracks) CHECK(artists.insert(e.track.artist).second);
    }
    SECTION("at most one from any album, the default artist cap kept") {
        const auto ctx = mirror.run("slow river, 40 songs, at most 1 from any album");
        INFO(note_text(ctx));
        REQUIRE(ctx.tracks.size() == 40);
        std::map<std::string, int> artists;
        std::set<int64_t> albums;
        for (const auto& e : ctx.tracks) {
            CHECK(albums.insert(*e.track.album_id).second);
            ++artists[e.track.artist];
        }
        for (const auto& [name, n] : artists) CHECK(n <= gen::kDefaultPerArtist);
    }
}

TEST_CASE("create: an artist named in the prompt is capped neither per artist nor per album", "[create][pipeline][caps]") {
    Mirror mirror(kLibrary);
    // Artist 7 has 20 tracks on 4 albums of 5: the default caps (3 per artist, 2 per album)
    // would keep 3 of them.
    const auto ctx = mirror.run("20 songs by Artist 7");
    INFO(note_text(ctx));
    CHECK(ctx.tracks.size() == 20);
    CHECK_FALSE(ctx.short_of_target);
    for (const auto& e : ctx.tracks) CHECK(e.track.artist == "Artist 7");
    // Asking for more than there are: the note counts every track of the artist.
    const auto more = mirror.run("40 songs by Artist 7");
    CHECK(more.tracks.size() == 20);
    CHECK_THAT(note_text(more), Catch::Contains("only 20 tracks match (40 asked)"));
    // A cap the prompt states holds for the named artist too: 4 albums, 2 each.
    const auto capped = mirror.run("20 songs by Artist 7, max 2 per album");
    CHECK(capped.tracks.size() == 8);
    CHECK_THAT(note_text(capped), Catch::Contains("within the caps (2 per album)"));
}

TEST_CASE("create: the default caps give way when too few artists qualify, caps the prompt states never do",
          "[create][pipeline][caps]") {
    Mirror mirror(kLibrary);
    // 1960: albums 0, 50 and 100, one album each of artists 0, 20 and 10: 15 tracks.
    const auto relaxed = mirror.run("10 songs from 1960");
    INFO(note_text(relaxed));
    CHECK(relaxed.tracks.size() == 10);
    CHECK_FALSE(relaxed.short_of_target);
    CHECK_THAT(note_text(relaxed), Catch::Contains("too few artists and albums qualify for the default caps: raised to"));
    for (const auto& e : relaxed.tracks) CHECK(e.track.year == 1960);

    const auto capped = mirror.run("10 songs from 1960, max 2 per artist");
    INFO(note_text(capped));
    CHECK(capped.tracks.size() == 6);
    CHECK(capped.short_of_target);
    CHECK_THAT(note_text(capped), Catch::Contains("only 6 tracks match (10 asked) within the caps (2 per artist)"));
    std::map<std::string, int> artists;
    for (const auto& e : capped.tracks) ++artists[e.track.artist];
    for (const auto& [name, n] : artists) CHECK(n <= 2);
}

TEST_CASE("create: plays on the calendar: songs played last month, nothing played this month",
          "[create][pipeline][plays]") {
    setenv("TZ", "UTC", 1);
    tzset();
    constexpr int64_t kStartOfLastMonth = 1696118400;  // 2023-10-01; kNow is 2023-11-14
    constexpr int64_t kStartOfMonth = 1698796800;      // 2023-11-01
    Mirror mirror(kLibrary);
    const auto played = mirror.run("songs I played last month, 200 songs, no artist more than 20 times");
    INFO(note_text(played));
    size_t expected = 0;
    for (size_t i = 0; i < kLibrary; ++i) {
        const auto t = library_track(i);
        if ((t.has & PMX_TRACK_HAS_LAST_PLAYED) && t.last_played_at >= kStartOfLastMonth) ++expected;
    }
    REQUIRE(expected > 0);
    CHECK(played.tracks.size() == std::min<size_t>(expected, 200));
    for (const auto& e : played.tracks) {
        REQUIRE(e.track.last_played_at.has_value());
        CHECK(*e.track.last_played_at >= kStartOfLastMonth);
    }
    const auto fresh = mirror.run("rainy piano, nothing I've played this month, 100 songs");
    CHECK(fresh.tracks.size() == 100);
    for (const auto& e : fresh.tracks) {
        if (e.track.last_played_at) CHECK(*e.track.last_played_at < kStartOfMonth);
    }
}

TEST_CASE("create --strict: what cannot be applied or was not read is an error, not a note", "[create][pipeline][strict]") {
    Mirror mirror(kLibrary);
    const auto strict = [&](const std::string& prompt) {
        gen::GenerateServices services;
        services.store = mirror.store.get();
        services.sources.push_back({"home", mirror.server, nullptr});
        gen::GenerateContext ctx;
        ctx.input.prompt = prompt;
        ctx.input.publish = ctx.input.save = false;
        ctx.input.now = kNow;
        ctx.input.strict = true;
        gen::run_pipeline(gen::default_generate_pipeline(), ctx, services);
        return ctx;
    };
    CHECK_THROWS_WITH(strict("rainy piano without autotune"), Catch::Contains("without autotune"));
    CHECK_THROWS_WITH(strict("rainy piano without vocals"), Catch::Contains("\"not: vocals\" needs tags"));
    CHECK_THROWS_WITH(strict("top 40 piano"), Catch::Contains("top 40"));
    CHECK_THROWS_AS(strict("piano, 100 hours"), gen::PromptError);
    CHECK(strict("rainy piano, no metal, 12 songs").tracks.size() == 12);
    // Without --strict the same prompt runs and says what it left out.
    const auto lenient = mirror.run("rainy piano without autotune");
    CHECK_THAT(note_text(lenient), Catch::Contains("not applied: not understood: \"without autotune\""));
    const auto untagged = mirror.run("rainy piano without vocals");
    CHECK_THAT(note_text(untagged), Catch::Contains("not applied: \"not: vocals\" needs tags"));
}

TEST_CASE("create: the same prompt on the same mirror gives the same playlist", "[create][pipeline][determinism]") {
    const auto ids = [](const gen::GenerateContext& ctx) {
        std::vector<int64_t> out;
        for (const auto& e : ctx.tracks) out.push_back(e.track.id);
        return out;
    };
    Mirror first(kLibrary);
    Mirror second(kLibrary);  // another store with the same content
    for (const char* prompt : {"80s", "20 songs from the 70s", "rainy piano", "highly rated, no metal"}) {
        INFO(prompt);
        const auto a = ids(first.run(prompt));
        CHECK(a == ids(first.run(prompt)));
        CHECK(a == ids(second.run(prompt)));
    }
}

TEST_CASE("create: a credit with 'feat.' counts toward its main artist's cap", "[create][pipeline][caps]") {
    std::vector<TrackRecord> collabs;
    for (int k = 0; k < 6; ++k) {
        TrackRecord t = library_track(3);  // Artist 3's first track, ranked like it
        t.key = "collab-" + std::to_string(k);
        t.title += " (with a guest " + std::to_string(k) + ")";
        t.artist = "Artist 3 feat. Guest " + std::to_string(k);
        t.artist_key = "collab-artist-" + std::to_string(k);
        t.album = "Collabs " + std::to_string(k);
        t.album_key = "collabs-" + std::to_string(k);
        t.file_path = "/music/collabs/" + std::to_string(k) + ".flac";
        collabs.push_back(t);
    }
    Mirror mirror(kLibrary, true, collabs);
    const auto ctx = mirror.run(library_track(3).title + ", 30 songs, no artist twice");
    INFO(note_text(ctx));
    REQUIRE(ctx.tracks.size() == 30);
    std::map<std::string, int> main_artists;
    for (const auto& e : ctx.tracks) {
        const std::string& a = e.track.artist;
        ++main_artists[a.substr(0, a.find(" feat. "))];
    }
    for (const auto& [name, n] : main_artists) {
        INFO(name);
        CHECK(n == 1);
    }
}
