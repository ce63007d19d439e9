// `plexmix create`, `playlists` and `demo` end to end: the fake Plex receives the playlist with
// the right items in order, a second run replaces it in place, a dry run changes nothing.
#include <filesystem>
#include <fstream>
#include <set>

#include <rapidjson/document.h>

#include "support/fake_plex.hpp"
#include "support/test_util.hpp"

namespace fs = std::filesystem;
using pmx::test::CliRun;
using pmx::test::FakePlex;
using pmx::test::FakePlexOptions;
using pmx::test::TempDir;

namespace {

constexpr size_t kTracks = 300;

std::string plugin_dirs() {
    return " --plugin-path " + fs::path(PMX_PLEX_PLUGIN).parent_path().string() + " --plugin-path " +
           fs::path(PMX_TOY_EMBEDDER).parent_path().string() + " --plugin-path " +
           fs::path(PMX_SAMPLE_PLUGIN).parent_path().string();
}

CliRun cli(const fs::path& config, const std::string& args) {
    return pmx::test::run_cli(PMX_CLI, "--config " + config.string() + plugin_dirs() + " " + args);
}

// stdout only (stderr to a file), for JSON.
CliRun cli_json(const fs::path& config, const std::string& args, const TempDir& dir) {
    return cli(config, args + " 2>" + (dir.path() / "stderr.txt").string() + " ; exit $?");
}

fs::path write_config(const TempDir& dir, const FakePlex& plex) {
    const fs::path config = dir.path() / "plexmix.yaml";
    std::ofstream out(config, std::ios::trunc);
    out << "data_dir: " << (dir.path() / "data").string() << "\n"
        << "providers:\n"
        << "  home: { plugin: plex, url: " << plex.url() << ", token: " << plex.token() << ", retries: 0 }\n"
        << "  local: { plugin: toy-embedder }\n"
        << "use: { media: [home], embedder: local }\n";
    return config;
}

rapidjson::Document parse_json(const std::string& text) {
    rapidjson::Document doc;
    doc.Parse(text.c_str());
    INFO(text);
    REQUIRE_FALSE(doc.HasParseError());
    return doc;
}

std::vector<std::string> track_keys(const rapidjson::Document& doc) {
    std::vector<std::string> keys;
    for (const auto& t : doc["tracks"].GetArray()) keys.push_back(t["key"].GetString());
    return keys;
}

std::string read_text(const fs::path& file) {
    std::ifstream in(file);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

struct Synced {
    FakePlex plex;
    TempDir dir;
    fs::path config;

    Synced() : plex(options()) {
        config = write_config(dir, plex);
        const CliRun sync = cli(config, "sync");
        INFO(sync.out);
        REQUIRE(sync.code == 0);
    }
    static FakePlexOptions options() {
        FakePlexOptions o;
        o.tracks = kTracks;
        return o;
    }
};

}  // namespace

TEST_CASE("CLI: create publishes the playlist on the server with its items in order, then replaces it in place",
          "[create][cli]") {
    Synced s;
    CliRun first = cli_json(s.config, "create \"quiet night songs\" --limit 12 --name \"Test Mix\" --json", s.dir);
    INFO(first.out);
    REQUIRE(first.code == 0);
    const auto doc = parse_json(first.out);
    const auto keys = track_keys(doc);
    REQUIRE(keys.size() == 12);
    REQUIRE(doc["published"].Size() == 1);
    const std::string key = doc["published"][0]["key"].GetString();
    CHECK_FALSE(doc["published"][0]["replaced"].GetBool());

    auto playlists = s.plex.playlists();
    REQUIRE(playlists.size() == 1);
    CHECK(playlists[0].key == key);
    CHECK(playlists[0].title == "Test Mix");
    CHECK(playlists[0].items == keys);  // the right items, in order

    // The same name again, other tracks: the same playlist on the server, new items.
    CliRun second =
        cli_json(s.config, "create \"loud songs\" --limit 8 --order random --seed 5 --name \"Test Mix\" --json", s.dir);
    INFO(second.out);
    REQUIRE(second.code == 0);
    const auto doc2 = parse_json(second.out);
    CHECK(doc2["published"][0]["key"].GetString() == key);
    CHECK(doc2["published"][0]["replaced"].GetBool());
    playlists = s.plex.playlists();
    REQUIRE(playlists.size() == 1);
    CHECK(playlists[0].key == key);
    CHECK(playlists[0].items == track_keys(doc2));

    // Kept locally once, with its prompt and pipeline.
    CliRun list = cli_json(s.config, "playlists list --json", s.dir);
    const auto listed = parse_json(list.out);
    REQUIRE(listed.Size() == 1);
    CHECK(std::string(listed[0]["key"].GetString()) == key);
    CHECK(listed[0]["tracks"].GetInt() == 8);
    CHECK(std::string(listed[0]["prompt"].GetString()) == "loud songs");

    CliRun shown = cli_json(s.config, "playlists show \"Test Mix\" --json", s.dir);
    const auto show = parse_json(shown.out);
    CHECK(show["pipeline"].IsArray());
    CHECK(std::string(show["options"]["given"]["order"].GetString()) == "random");
    std::vector<std::string> shown_keys;
    for (const auto& t : show["tracks"].GetArray()) shown_keys.push_back(t["key"].GetString());
    CHECK(shown_keys == track_keys(doc2));
    CHECK(first.out.find(s.plex.token()) == std::string::npos);
}

TEST_CASE("CLI: --dry-run publishes nothing and saves nothing, --no-publish saves only", "[create][cli]") {
    Synced s;
    const size_t posts = s.plex.requests("/playlists", "POST");
    CliRun dry = cli(s.config, "create \"quiet night songs, 10 songs\" --dry-run --explain");
    INFO(dry.out);
    REQUIRE(dry.code == 0);
    CHECK_THAT(dry.out, Catch::Contains("10 tracks") && Catch::Contains("Dry run: nothing published, nothing saved.") &&
                            Catch::Contains("similarity"));
    CHECK(s.plex.playlists().empty());
    CHECK(s.plex.requests("/playlists", "POST") == posts);
    CHECK(parse_json(cli_json(s.config, "playlists list --json", s.dir).out).Size() == 0);

    CliRun local = cli(s.config, "create \"quiet night songs\" --limit 5 --no-publish");
    INFO(local.out);
    REQUIRE(local.code == 0);
    CHECK(s.plex.playlists().empty());
    const auto listed = parse_json(cli_json(s.config, "playlists list --json", s.dir).out);
    REQUIRE(listed.Size() == 1);
    CHECK(listed[0]["key"].IsNull());
    CHECK(listed[0]["tracks"].GetInt() == 5);
}

TEST_CASE("CLI: duration and filters through the command line, bad values are usage errors", "[create][cli]") {
    Synced s;
    CliRun run = cli_json(s.config, "create \"some songs\" --duration 30m --dry-run --json", s.dir);
    INFO(run.out);
    REQUIRE(run.code == 0);
    const auto doc = parse_json(run.out);
    const double ms = doc["duration_ms"].GetDouble();
    CHECK(ms >= 0.95 * 30 * 60 * 1000);
    CHECK(ms <= 1.05 * 30 * 60 * 1000);

    // A genre word means its subgenres (Ambient and Downtempo are electronic); --explain lists
    // them, --json has them; --genre-exact keeps one tag and must name one the library has.
    CliRun electronic = cli(s.config, "create \"electronic\" --dry-run --explain");
    INFO(electronic.out);
    REQUIRE(electronic.code == 0);
    CHECK_THAT(electronic.out, Catch::Contains("genre:    electronic (electronic) \u2192 ") &&
                                   Catch::Contains("Ambient") && Catch::Contains("Downtempo"));
    CliRun words = cli_json(s.config, "create \"no electronic\" --dry-run --json", s.dir);
    REQUIRE(words.code == 0);
    const auto words_doc = parse_json(words.out);
    REQUIRE(words_doc["genre_words"].Size() == 1);
    CHECK(words_doc["genre_words"][0]["excluded"].GetBool());
    CHECK(words_doc["genre_words"][0]["genres"].Size() >= 3);
    CliRun exact = cli_json(s.config, "create \"songs\" --genre-exact electronic --dry-run --json", s.dir);
    INFO(exact.out);
    REQUIRE(exact.code == 0);
    CHECK(std::string(parse_json(exact.out)["request"].GetString()) == "genres: Electronic");
    CliRun no_such = cli(s.config, "create \"songs\" --genre-exact Polka");
    CHECK(no_such.code == 2);
    CHECK_THAT(no_such.out, Catch::Contains("--genre-exact: no genre \"Polka\" in the library"));

    CliRun bad = cli(s.config, "create \"songs\" --limit lots");
    CHECK(bad.code == 2);
    CliRun bad_order = cli(s.config, "create \"songs\" --order sideways");
    CHECK(bad_order.code == 2);
    CliRun no_prompt = cli(s.config, "create");
    CHECK(no_prompt.code == 2);
}

TEST_CASE("CLI: playlists export as M3U8 and JSON, and delete", "[create][cli]") {
    Synced s;
    CliRun made = cli_json(s.config, "create \"night songs\" --limit 6 --name Export --json", s.dir);
    REQUIRE(made.code == 0);
    const auto doc = parse_json(made.out);

    CliRun m3u = cli_json(s.config, "playlists export Export", s.dir);
    INFO(m3u.out);
    REQUIRE(m3u.code == 0);
    CHECK(m3u.out.rfind("#EXTM3U\n", 0) == 0);
    size_t extinf = 0;
    for (size_t at = m3u.out.find("#EXTINF:"); at != std::string::npos; at = m3u.out.find("#EXTINF:", at + 1)) ++extinf;
    CHECK(extinf == 6);
    for (const auto& t : doc["tracks"].GetArray()) {
        const auto track = s.plex.find_track(t["key"].GetString());
        REQUIRE(track);
        CHECK_THAT(m3u.out, Catch::Contains("\n" + track->file + "\n"));
    }

    const fs::path file = s.dir.path() / "export.json";
    CliRun json = cli(s.config, "playlists export Export --format json --output " + file.string());
    REQUIRE(json.code == 0);
    const auto exported = parse_json(read_text(file));
    CHECK(exported["tracks"].Size() == 6);
    CHECK(std::string(exported["name"].GetString()) == "Export");

    CliRun gone = cli(s.config, "playlists delete Export");
    INFO(gone.out);
    REQUIRE(gone.code == 0);
    CHECK(s.plex.playlists().empty());
    CHECK(parse_json(cli_json(s.config, "playlists list --json", s.dir).out).Size() == 0);
    CHECK(cli(s.config, "playlists show Export").code == 2);
}

TEST_CASE("CLI: demo syncs the sample library, embeds it, makes and exports a playlist, and run again reuses it",
          "[create][cli][demo]") {
    TempDir dir;
    const fs::path data = dir.path() / "demo";
    const std::string args = plugin_dirs() + " demo --data-dir " + data.string() +
                             " --embedder toy-embedder --tracks 400 \"quiet night, 10 songs\"";
    CliRun first = pmx::test::run_cli(PMX_CLI, args);
    INFO(first.out);
    REQUIRE(first.code == 0);
    CHECK_THAT(first.out, Catch::Contains("400 added") && Catch::Contains("400 embedded") &&
                              Catch::Contains("— 10 tracks") && Catch::Contains("created playlist"));
    const fs::path m3u = data / "quiet-night-10-songs.m3u8";
    REQUIRE(fs::exists(m3u));
    CHECK(read_text(m3u).rfind("#EXTM3U\n", 0) == 0);

    CliRun again = pmx::test::run_cli(PMX_CLI, args);
    INFO(again.out);
    REQUIRE(again.code == 0);
    CHECK_THAT(again.out, Catch::Contains("0 added") && Catch::Contains("0 embedded, 400 up to date") &&
                              Catch::Contains("replaced playlist"));
}

TEST_CASE("CLI: --artist and the prompt find an artist known only as a track's artist (originalTitle)",
          "[create][cli][artists]") {
    Synced s;
    // A featured track's artist ("Björk feat. Thom Yorke") is never an album artist.
    std::string credit;
    size_t credited = 0;
    for (size_t i = 0; i < s.plex.track_count(); ++i) {
        const auto track = s.plex.track_at(i);
        if (credit.empty() && !track.original_title.empty()) credit = track.original_title;
        if (!credit.empty() && track.original_title == credit) ++credited;
    }
    REQUIRE_FALSE(credit.empty());
    REQUIRE(credited > 0);

    for (const std::string& args : {"\"some songs\" --artist \"" + credit + "\"", "\"some songs by " + credit + "\""}) {
        CliRun run = cli_json(s.config, "create " + args + " --dry-run --json", s.dir);
        INFO(args << "\n" << run.out << read_text(s.dir.path() / "stderr.txt"));
        REQUIRE(run.code == 0);
        const auto doc = parse_json(run.out);
        CHECK(doc["candidates"].GetUint64() == credited);
        REQUIRE(doc["tracks"].Size() == credited);
        for (const auto& t : doc["tracks"].GetArray()) CHECK(std::string(t["artist"].GetString()) == credit);
    }
}

TEST_CASE("CLI: two servers mirrored together: a recording on both counts once, the playlist goes to both with each "
          "server's own tracks, and what one lacks is said",
          "[create][cli][servers]") {
    FakePlexOptions a_options = Synced::options();
    FakePlex a(a_options);
    FakePlexOptions b_options;
    b_options.tracks = kTracks / 2;  // the same library's first half: every one of its recordings is on both
    b_options.machine_identifier = "9a8b7c6d5e4f30211203f4e5d6c7b8a9f0e1d2c3";
    b_options.token = "second-plex-token";
    FakePlex b(b_options);
    REQUIRE(b.track_at(7).title == a.track_at(7).title);
    TempDir dir;
    const fs::path config = dir.path() / "plexmix.yaml";
    std::ofstream(config) << "data_dir: " << (dir.path() / "data").string() << "\n"
                          << "providers:\n"
                          << "  home: { plugin: plex, url: " << a.url() << ", token: " << a.token() << ", retries: 0 }\n"
                          << "  second: { plugin: plex, url: " << b.url() << ", token: " << b.token() << ", retries: 0 }\n"
                          << "  local: { plugin: toy-embedder }\n"
                          << "use: { media: [home, second], embedder: local }\n";
    const CliRun sync = cli(config, "sync");
    INFO(sync.out);
    REQUIRE(sync.code == 0);

    const CliRun made = cli_json(config, "create \"quiet night songs\" --limit 20 --name Both --json", dir);
    INFO(made.out);
    REQUIRE(made.code == 0);
    const auto doc = parse_json(made.out);
    // Drawn from both mirrors, each recording once.
    std::vector<std::string> titles;
    std::set<std::string> seen;
    for (const auto& t : doc["tracks"].GetArray()) {
        titles.push_back(t["title"].GetString());
        CHECK(seen.insert(std::string(t["title"].GetString()) + "|" + t["artist"].GetString()).second);
    }
    REQUIRE(titles.size() == 20);
    std::set<std::string> on_b;
    for (size_t i = 0; i < b_options.tracks; ++i) on_b.insert(b.track_at(i).title);
    std::vector<std::string> expected_b;
    for (const auto& title : titles) {
        if (on_b.contains(title)) expected_b.push_back(title);
    }
    REQUIRE(expected_b.size() < titles.size());  // the prompt reaches tracks only the first server has
    REQUIRE(doc["published"].Size() == 2);
    for (const auto& part : doc["published"].GetArray()) {
        const std::string provider = part["provider"].GetString();
        const FakePlex& server = provider == "home" ? a : b;
        const auto& expected = provider == "home" ? titles : expected_b;
        INFO(provider);
        CHECK(part["published"].GetBool());
        CHECK(part["lacking"].GetUint64() == titles.size() - expected.size());
        const auto playlists = server.playlists();
        REQUIRE(playlists.size() == 1);
        CHECK(playlists[0].title == "Both");
        std::vector<std::string> items;  // the server's own keys, in the playlist's order
        for (const auto& key : playlists[0].items) {
            const auto track = server.find_track(key);
            REQUIRE(track);
            items.push_back(track->title);
        }
        CHECK(items == expected);
    }
    const CliRun again = cli(config, "create \"quiet night songs\" --limit 20 --name Both");
    INFO(again.out);
    REQUIRE(again.code == 0);
    CHECK_THAT(again.out, Catch::Contains("second: replaced playlist \"Both\"") &&
                              Catch::Contains("it lacks " + std::to_string(titles.size() - expected_b.size()) +
                                              " of the playlist's 20 tracks"));
    CHECK(a.playlists().size() == 1);
    CHECK(b.playlists().size() == 1);
}
