// Publishing is a protocol with the server, and one process writes a data dir at a time: the
// plexmix CLI against the fake Plex with faults injected, kills, and two processes at once.
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <set>

#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include "store/playlist_store.hpp"
#include "store/sqlite.hpp"
#include "store/store.hpp"
#include "support/fake_plex.hpp"
#include "support/test_util.hpp"

namespace fs = std::filesystem;
using namespace pmx;
using pmx::test::BackgroundCli;
using pmx::test::CliRun;
using pmx::test::FakePlex;
using pmx::test::FakePlexOptions;
using pmx::test::FakePlexPlaylist;
using pmx::test::FakePlexRule;
using pmx::test::TempDir;

namespace {

std::string plugin_dir() { return fs::path(PMX_PLEX_PLUGIN).parent_path().string(); }

// A fake Plex whose tracks each have their own album and artist (so a playlist of hundreds of
// tracks passes the diversity caps), mirrored once into a data dir.
struct Setup {
    FakePlex plex;
    TempDir dir;
    fs::path config;

    explicit Setup(size_t tracks = 600, const std::string& settings = "page_size: 50")
        : plex([&] {
              FakePlexOptions o;
              o.tracks = tracks;
              o.tracks_per_album = 1;
              o.albums_per_artist = 1;
              return o;
          }()) {
        config = dir.path() / "plexmix.yaml";
        std::ofstream(config) << "data_dir: " << data_dir().string() << "\n"
                              << "providers:\n  home: { plugin: plex, url: " << plex.url()
                              << ", token: " << plex.token() << ", " << settings << " }\n"
                              << "use: { media: [home] }\n";
        const CliRun sync = cli("sync");
        INFO(sync.out);
        REQUIRE(sync.code == 0);
    }

    fs::path data_dir() const { return dir.path() / "data"; }
    std::string args(const std::string& rest) const {
        return "--config " + config.string() + " --plugin-path " + plugin_dir() + " " + rest;
    }
    CliRun cli(const std::string& rest) const { return pmx::test::run_cli(PMX_CLI, args(rest)); }
    // stdout alone (stderr to a file), for --json.
    CliRun cli_stdout(const std::string& rest) const {
        return pmx::test::run_cli(PMX_CLI, args(rest) + " 2>" + (dir.path() / "stderr.txt").string() + "; exit $?");
    }
    std::unique_ptr<BackgroundCli> background(const std::string& rest, const std::string& name) const {
        return std::make_unique<BackgroundCli>(PMX_CLI, args(rest), dir.path() / (name + ".out"));
    }

    // The track keys a `create --json` chose, in order.
    std::vector<std::string> created_keys(const CliRun& run) const {
        rapidjson::Document doc;
        doc.Parse(run.out.c_str());
        INFO(run.out);
        REQUIRE_FALSE(doc.HasParseError());
        std::vector<std::string> keys;
        for (const auto& t : doc["tracks"].GetArray()) keys.push_back(t["key"].GetString());
        return keys;
    }
    std::vector<PlaylistRecord> rows() const {
        auto store = Store::open(data_dir() / "plexmix.db");
        return PlaylistStore(*store).list();
    }
};

// The server's playlists whose title is `name`, or `name` with an unfinished write's marker.
std::vector<FakePlexPlaylist> named(const FakePlex& plex, const std::string& name) {
    std::vector<FakePlexPlaylist> out;
    for (auto& p : plex.playlists()) {
        if (p.title == name || p.title.rfind(name + " [pmx-", 0) == 0) out.push_back(std::move(p));
    }
    return out;
}

// Waits (on the fake's own request events, with a bound) until rule `index` fired.
void wait_for_hits(const FakePlex& plex, size_t index) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (plex.rule_hits(index) == 0) {
        REQUIRE(std::chrono::steady_clock::now() < until);
        plex.http().wait_for_requests(plex.http().request_count() + 1, std::chrono::milliseconds(200));
    }
}

int64_t count_of(const fs::path& db, const std::string& sql) {
    auto store = Store::open(db);
    return sql::query_int64(store->native_handle(), sql).value_or(-1);
}

FakePlexRule rule(const std::string& method, const std::string& path, const std::string& query = {}) {
    FakePlexRule r;
    r.method = method;
    r.path_prefix = path;
    r.query_contains = query;
    return r;
}

}  // namespace

TEST_CASE("a 503 after the playlist was created (its summary edit, an items chunk) ends in one complete playlist",
          "[publish]") {
    Setup s;
    FakePlexRule edit = rule("PUT", "/playlists/", "summary=");
    edit.times = 1;
    const size_t edit_rule = s.plex.add_rule(edit);
    FakePlexRule chunk = rule("PUT", "/playlists/", "uri=");  // the second chunk of 200
    chunk.times = 1;
    const size_t chunk_rule = s.plex.add_rule(chunk);

    const CliRun run = s.cli_stdout("create \"late night\" --limit 450 --name Big --json");
    INFO(run.out);
    REQUIRE(run.code == 0);
    CHECK(s.plex.rule_hits(edit_rule) == 1);
    CHECK(s.plex.rule_hits(chunk_rule) == 1);
    const auto keys = s.created_keys(run);
    REQUIRE(keys.size() == 450);
    const auto on_server = named(s.plex, "Big");
    REQUIRE(on_server.size() == 1);
    CHECK(on_server[0].title == "Big");  // the marker is gone once it is complete
    CHECK(on_server[0].items == keys);
    CHECK(s.plex.requests("/playlists", "POST") == 1);
    const auto rows = s.rows();
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].state == PlaylistState::published);
    CHECK(rows[0].native_key == on_server[0].key);
}

TEST_CASE("a lost answer to POST /playlists makes no second playlist", "[publish]") {
    Setup s;
    FakePlexRule lost = rule("POST", "/playlists");
    lost.after = true;  // the server makes it, the client hears 503
    lost.times = 1;
    const size_t lost_rule = s.plex.add_rule(lost);
    const CliRun run = s.cli("create \"sunny morning\" --limit 20 --name Lost");
    INFO(run.out);
    CHECK(run.code == 0);
    CHECK(s.plex.rule_hits(lost_rule) == 1);
    const auto on_server = named(s.plex, "Lost");
    REQUIRE(on_server.size() == 1);
    CHECK(on_server[0].title == "Lost");
    CHECK(on_server[0].items.size() == 20);
    CHECK(s.plex.requests("/playlists", "POST") == 1);  // found by its marker, not made again
}

TEST_CASE("503s on half the playlist requests never leave two copies or an empty playlist", "[publish]") {
    Setup s(600, "page_size: 50, deadline: 20s");
    std::set<std::string> keys_seen;
    for (std::uint64_t seed = 1; seed <= 4; ++seed) {
        FakePlexRule storm = rule("", "/playlists");
        storm.probability = 0.5;
        storm.seed = seed;
        storm.after = seed % 2 == 0;  // half the runs lose answers instead
        s.plex.add_rule(storm);
        const CliRun run = s.cli("create \"rainy evening\" --limit 250 --seed " + std::to_string(seed) + " --name Storm");
        INFO("seed " << seed << ": " << run.out);
        CHECK((run.code == 0 || run.code == 1));
        s.plex.clear_faults();
        const auto on_server = named(s.plex, "Storm");
        CHECK(on_server.size() <= 1);
        for (const auto& p : on_server) {
            CHECK_FALSE(p.items.empty());
            keys_seen.insert(p.key);
        }
        if (run.code == 1) CHECK(run.out.find("playlists publish") != std::string::npos);
        CHECK(run.out.find("<html") == std::string::npos);
    }
    CHECK(keys_seen.size() <= 1);  // replaced in place every time: one playlist, one key
    const CliRun finish = s.cli("playlists publish Storm");
    INFO(finish.out);
    CHECK(finish.code == 0);
    const auto on_server = named(s.plex, "Storm");
    REQUIRE(on_server.size() == 1);
    CHECK(on_server[0].title == "Storm");
    CHECK(on_server[0].items.size() == 250);
    const auto rows = s.rows();
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].state == PlaylistState::published);
}

TEST_CASE("replacing a playlist never empties it: when adding fails the old tracks stay, and publish finishes it",
          "[publish]") {
    Setup s;
    const CliRun first = s.cli_stdout("create \"quiet piano\" --limit 30 --name Evening --json");
    REQUIRE(first.code == 0);
    const auto old_keys = s.created_keys(first);
    const auto before = named(s.plex, "Evening");
    REQUIRE(before.size() == 1);
    REQUIRE(before[0].items == old_keys);

    s.plex.add_rule(rule("PUT", "/playlists/" + before[0].key + "/items"));  // every add refused
    const CliRun second = s.cli_stdout("create \"loud guitars\" --limit 30 --seed 9 --name Evening --json");
    INFO(second.out);
    CHECK(second.code == 1);
    const auto new_keys = s.created_keys(second);
    REQUIRE(new_keys != old_keys);
    const auto during = named(s.plex, "Evening");
    REQUIRE(during.size() == 1);
    CHECK(during[0].items == old_keys);  // untouched, not emptied
    auto rows = s.rows();
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].state == PlaylistState::pending);
    CHECK(rows[0].native_key == before[0].key);
    CHECK_FALSE(rows[0].publish_error.empty());
    CHECK(s.cli("playlists list").out.find("pending") != std::string::npos);

    s.plex.clear_faults();
    const CliRun finish = s.cli("playlists publish Evening");
    INFO(finish.out);
    CHECK(finish.code == 0);
    const auto after = named(s.plex, "Evening");
    REQUIRE(after.size() == 1);
    CHECK(after[0].key == before[0].key);  // replaced in place
    CHECK(after[0].items == new_keys);
    rows = s.rows();
    CHECK(rows[0].state == PlaylistState::published);
    CHECK(rows[0].publish_error.empty());
}

TEST_CASE("a create killed mid-publish is finished by playlists publish, never made twice", "[publish]") {
    Setup s;
    size_t hang_rule = 0;
    SECTION("killed after the playlist was made and recorded (while giving it its title)") {
        hang_rule = s.plex.add_rule([] {
            FakePlexRule hang = rule("PUT", "/playlists/", "summary=");
            hang.kind = FakePlexRule::Kind::hang;
            return hang;
        }());
    }
    SECTION("killed while the answer to its creation was on its way (its key never recorded)") {
        hang_rule = s.plex.add_rule([] {
            FakePlexRule hang = rule("POST", "/playlists");
            hang.kind = FakePlexRule::Kind::hang;
            hang.after = true;
            return hang;
        }());
    }
    auto create = s.background("create \"slow train\" --limit 40 --name Killed", "create");
    wait_for_hits(s.plex, hang_rule);  // the create now hangs on that request
    create->signal(SIGKILL);
    CHECK(create->wait() == -1);
    const auto half = named(s.plex, "Killed");
    REQUIRE(half.size() == 1);
    CHECK(half[0].title == "Killed [" + s.rows()[0].marker + "]");  // visibly unfinished
    CHECK(s.rows()[0].state == PlaylistState::pending);

    s.plex.clear_faults();
    const CliRun finish = s.cli("playlists publish Killed");
    INFO(finish.out);
    CHECK(finish.code == 0);
    const auto done = named(s.plex, "Killed");
    REQUIRE(done.size() == 1);
    CHECK(done[0].key == half[0].key);
    CHECK(done[0].title == "Killed");
    CHECK(done[0].items.size() == 40);
    CHECK(s.rows()[0].state == PlaylistState::published);
}

TEST_CASE("a 100 KB prompt: the server gets a summary it accepts, the prompt is kept whole here", "[publish]") {
    Setup s(300);
    std::string prompt;
    while (prompt.size() < 100'000) prompt += "rainy sunday jazz with a \x01 control character and more words ";
    const fs::path prompt_file = s.dir.path() / "prompt.txt";
    std::ofstream(prompt_file) << prompt;
    const CliRun run = s.cli("create \"$(cat " + prompt_file.string() + ")\" --limit 10");
    INFO(run.out.substr(0, 2000));
    CHECK(run.code == 0);
    CHECK(run.out.find("<html") == std::string::npos);
    CHECK(run.out.find("414") == std::string::npos);
    const auto all = s.plex.playlists();
    REQUIRE(all.size() == 1);
    CHECK(all[0].summary.size() <= 1000);
    CHECK(all[0].summary.rfind("plexmix: rainy sunday jazz with a control character", 0) == 0);
    CHECK(all[0].title.size() <= 200);
    CHECK(all[0].title.find('\x01') == std::string::npos);
    const auto rows = s.rows();
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].prompt.size() >= 100'000);  // the prompt itself, whole
    CHECK(rows[0].state == PlaylistState::published);
}

TEST_CASE("tracks the server no longer has: the playlist is recorded with its key, pending until a sync",
          "[publish]") {
    Setup s(300);
    const auto keys = s.plex.track_keys();
    for (size_t i = 0; i < keys.size(); i += 2) REQUIRE(s.plex.delete_track(keys[i]));  // the mirror still has them
    const CliRun run = s.cli("create \"blue river\" --limit 20 --name Gone");
    INFO(run.out);
    CHECK(run.code == 1);
    CHECK(run.out.find("no longer knows") != std::string::npos);
    const auto on_server = named(s.plex, "Gone");
    REQUIRE(on_server.size() == 1);
    auto rows = s.rows();
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].native_key == on_server[0].key);  // known, not an orphan
    CHECK(rows[0].state == PlaylistState::pending);

    REQUIRE(s.cli("sync --full").code == 0);  // the tracks leave the mirror and the playlist
    const CliRun finish = s.cli("playlists publish Gone");
    INFO(finish.out);
    CHECK(finish.code == 0);
    rows = s.rows();
    CHECK(rows[0].state == PlaylistState::published);
    CHECK(named(s.plex, "Gone").size() == 1);
    CHECK(named(s.plex, "Gone")[0].items.size() == static_cast<size_t>(rows[0].track_count));
}

TEST_CASE("two syncs on one data dir: the second says at once who is writing, or waits with --wait", "[publish][lock]") {
    Setup s(600);
    s.plex.set_page_delay(std::chrono::milliseconds(150));
    auto first = s.background("sync --full", "first");
    REQUIRE(s.plex.http().wait_for_requests(s.plex.http().request_count() + 1, std::chrono::seconds(20)));
    const CliRun second = s.cli("sync");
    INFO(second.out);
    CHECK(second.code == 1);
    CHECK(second.out.find("another plexmix is writing to " + s.data_dir().string()) != std::string::npos);
    CHECK(second.out.find("pid " + std::to_string(first->pid()) + " (plexmix sync") != std::string::npos);
    CHECK(second.out.find("--wait") != std::string::npos);
    CHECK(first->running());  // the refusal did not disturb it

    auto waiting = s.background("sync --wait", "waiting");
    CHECK(waiting->wait_for_output("waiting for pid " + std::to_string(first->pid())));
    CHECK(first->wait() == 0);
    CHECK(waiting->wait() == 0);
    CHECK(waiting->output().find("incremental sync done") != std::string::npos);
    CHECK(count_of(s.data_dir() / "plexmix.db", "SELECT count(*) FROM sync_runs WHERE status = 'running'") == 0);
    CHECK(count_of(s.data_dir() / "plexmix.db", "SELECT count(*) FROM sync_runs WHERE status = 'success'") == 3);
}

TEST_CASE("during a sync, readers answer from a snapshot and a create waits to save, then publishes",
          "[publish][lock]") {
    Setup s(600);
    // A full sync that stops mid-transaction (its 4th track page never answers) and holds the
    // data dir meanwhile.
    FakePlexRule stall = rule("GET", "/library/sections/3/all", "type=10");
    stall.kind = FakePlexRule::Kind::hang;
    stall.skip = 15;  // after the keys pass (12 pages) and 3 pages of the scan
    const size_t stall_rule = s.plex.add_rule(stall);
    auto sync = s.background("sync --full", "sync");
    wait_for_hits(s.plex, stall_rule);

    for (const std::string reader : {"create \"quiet piano\" --limit 5 --dry-run", "search piano", "status",
                                     "playlists list"}) {
        const CliRun r = s.cli(reader);
        INFO(reader << ": " << r.out);
        CHECK(r.code == 0);
    }
    CHECK(sync->running());

    auto create = s.background("create \"quiet piano\" --limit 5 --name During", "create");
    CHECK(create->wait_for_output("waiting for pid " + std::to_string(sync->pid()) + " (plexmix sync"));
    CHECK(named(s.plex, "During").empty());  // nothing written while it waits
    sync->signal(SIGINT);                     // the sync ends (interrupted), the create goes on
    CHECK(sync->wait() == 130);
    CHECK(create->wait() == 0);
    INFO(create->output());
    CHECK(create->output().find("created playlist \"During\"") != std::string::npos);
    CHECK(named(s.plex, "During").size() == 1);
    CHECK(count_of(s.data_dir() / "plexmix.db", "SELECT count(*) FROM tracks") == 600);  // the mirror as it was
}

TEST_CASE("the Plex client identifier is made once per install and kept", "[publish]") {
    Setup a(20);
    Setup b(20);
    const auto id_of = [](const FakePlex& plex) {
        std::set<std::string> ids;
        for (const auto& r : plex.http().requests()) {
            if (const std::string* id = r.header("x-plex-client-identifier")) ids.insert(*id);
        }
        return ids;
    };
    REQUIRE(a.cli("sync").code == 0);
    const auto ids_a = id_of(a.plex);
    const auto ids_b = id_of(b.plex);
    REQUIRE(ids_a.size() == 1);  // the same on both runs of one install
    REQUIRE(ids_b.size() == 1);
    CHECK(*ids_a.begin() != *ids_b.begin());
    CHECK_THAT(*ids_a.begin(), Catch::StartsWith("plexmix-"));
    std::ifstream file(a.data_dir() / "install-id");
    std::string stored;
    std::getline(file, stored);
    CHECK(*ids_a.begin() == "plexmix-" + stored);
    CHECK((fs::status(a.data_dir() / "install-id").permissions() & fs::perms::all) ==
          (fs::perms::owner_read | fs::perms::owner_write));
}

TEST_CASE("a playlist is never published to another server than the one it was made for", "[publish]") {
    Setup s(60);
    REQUIRE(s.cli("create \"night drive\" --limit 5 --name Drive").code == 0);
    s.plex.set_machine_identifier("another-server-0000000000000000000000000");
    REQUIRE(s.cli("sync").code == 0);  // the provider now answers as another server
    const auto before = s.plex.requests("/playlists", "POST");
    const CliRun r = s.cli("playlists publish Drive");
    INFO(r.out);
    CHECK(r.code == 1);
    CHECK(r.out.find("no longer answers as") != std::string::npos);
    CHECK(s.plex.requests("/playlists", "POST") == before);
}
