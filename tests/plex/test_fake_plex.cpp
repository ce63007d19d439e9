// The fake Plex server itself: it must answer as Plex does, or the plugin tests prove nothing.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <set>
#include <string>

#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include "net/cancel.hpp"
#include "net/http_client.hpp"
#include "support/fake_plex.hpp"

using namespace pmx;
using pmx::test::FakePlex;
using pmx::test::FakePlexOptions;

namespace {

constexpr std::chrono::milliseconds kTimeout{5000};

struct Answer {
    int status = 0;
    HttpHeaders headers;
    std::string body;
    rapidjson::Document doc;

    const std::string* header(std::string_view lower) const {
        for (const auto& [name, value] : headers) {
            if (name == lower) return &value;
        }
        return nullptr;
    }
    const rapidjson::Value& container() const { return doc["MediaContainer"]; }
};

// One raw request, with the headers a Plex client sends (or not).
Answer fetch(const FakePlex& plex, const std::string& target, const std::string& token,
             HttpHeaders extra = {}, const std::string& method = "GET", bool json = true) {
    static HttpClient client("fake-plex-test");
    HttpRequest request;
    request.method = method;
    request.url = plex.url() + target;
    if (json) request.headers.emplace_back("Accept", "application/json");
    if (!token.empty()) request.headers.emplace_back("X-Plex-Token", token);
    for (auto& h : extra) request.headers.push_back(std::move(h));
    HttpTimeouts timeouts;
    timeouts.total = kTimeout;
    CancelToken cancel;
    HttpResponse response;
    const HttpResult result = client.perform(request, timeouts, cancel, response);
    INFO(result.message);
    REQUIRE(result.ok());
    Answer a;
    a.status = response.status;
    a.headers = response.headers;
    a.body = response.body;
    if (a.status == 200 && json && !a.body.empty()) a.doc.Parse(a.body.c_str(), a.body.size());
    return a;
}

}  // namespace

TEST_CASE("fake Plex: 401 with Plex's HTML page without or with a wrong token, /identity needs none",
          "[plex][fake]") {
    FakePlex plex(FakePlexOptions{.tracks = 20});
    for (const std::string& token : {std::string(), std::string("wrong")}) {
        const Answer a = fetch(plex, "/library/sections", token);
        CHECK(a.status == 401);
        CHECK(a.body == FakePlex::kUnauthorizedBody);
    }
    CHECK(plex.unauthorized_requests() == 2);
    const Answer id = fetch(plex, "/identity", "");
    REQUIRE(id.status == 200);
    CHECK(std::string(id.container()["machineIdentifier"].GetString()) == plex.machine_identifier());
    // The token is also accepted as a query parameter, as on a real server.
    CHECK(fetch(plex, "/library/sections?X-Plex-Token=" + plex.token(), "").status == 200);
    // Without Accept: application/json, Plex answers XML.
    const Answer xml = fetch(plex, "/library/sections", plex.token(), {}, "GET", false);
    CHECK(xml.body.rfind("<?xml", 0) == 0);
}

TEST_CASE("fake Plex: sections, and tracks shaped as Plex sends them", "[plex][fake]") {
    FakePlex plex(FakePlexOptions{.tracks = 40});
    const Answer sections = fetch(plex, "/library/sections", plex.token());
    REQUIRE(sections.status == 200);
    std::set<std::string> music;
    for (const auto& d : sections.container()["Directory"].GetArray()) {
        CHECK(d["key"].IsString());
        if (std::string(d["type"].GetString()) == "artist") music.insert(d["title"].GetString());
    }
    CHECK(music == std::set<std::string>{"Music", "Hörspiele"});

    const Answer page = fetch(plex, "/library/sections/3/all?type=10&X-Plex-Container-Start=0&X-Plex-Container-Size=40",
                              plex.token());
    REQUIRE(page.status == 200);
    REQUIRE_FALSE(page.doc.HasParseError());
    const auto& items = page.container()["Metadata"];
    REQUIRE(items.Size() == 40);
    std::size_t with_genre = 0, rated = 0, played = 0, featured = 0;
    for (const auto& t : items.GetArray()) {
        CHECK(t["ratingKey"].IsString());  // a string, not a number
        CHECK(std::string(t["guid"].GetString()).rfind("plex://track/", 0) == 0);
        CHECK(t.HasMember("parentYear"));
        CHECK(t["Media"][0]["Part"][0]["file"].IsString());
        with_genre += t.HasMember("Genre");
        rated += t.HasMember("userRating");
        played += t.HasMember("viewCount");
        featured += t.HasMember("originalTitle");
        CHECK(t.HasMember("viewCount") == t.HasMember("lastViewedAt"));
    }
    // Unset attributes are omitted, so only some tracks carry each of them.
    CHECK(with_genre > 0);
    CHECK(with_genre < 40);
    CHECK(rated > 0);
    CHECK(rated < 40);
    CHECK(played > 0);
    CHECK(played < 40);
    CHECK(featured > 0);
    CHECK(std::string(items[0]["grandparentTitle"].GetString()) == "Björk");
}

TEST_CASE("fake Plex: paging by query or header, totalSize, and the sorted feeds", "[plex][fake]") {
    FakePlex plex(FakePlexOptions{.tracks = 25});
    const Answer by_query = fetch(plex, "/library/sections/3/all?type=10&X-Plex-Container-Start=20&X-Plex-Container-Size=10",
                                  plex.token());
    CHECK(by_query.container()["size"].GetInt() == 5);
    CHECK(by_query.container()["totalSize"].GetInt() == 25);
    CHECK(by_query.container()["offset"].GetInt() == 20);
    REQUIRE(by_query.header("x-plex-container-total-size"));
    CHECK(*by_query.header("x-plex-container-total-size") == "25");

    const Answer by_header = fetch(plex, "/library/sections/3/all?type=10", plex.token(),
                                   {{"X-Plex-Container-Start", "5"}, {"X-Plex-Container-Size", "3"}});
    CHECK(by_header.container()["size"].GetInt() == 3);
    CHECK(std::string(by_header.container()["Metadata"][0]["ratingKey"].GetString()) == plex.track_keys()[5]);

    const std::string touched = plex.track_keys()[7];
    REQUIRE(plex.touch_track(touched));
    const Answer updated = fetch(plex, "/library/sections/3/all?type=10&sort=updatedAt:desc", plex.token());
    const auto& items = updated.container()["Metadata"];
    CHECK(std::string(items[0]["ratingKey"].GetString()) == touched);
    for (rapidjson::SizeType i = 1; i < items.Size(); ++i) {
        CHECK(items[i - 1]["updatedAt"].GetInt64() >= items[i]["updatedAt"].GetInt64());
    }
    const std::string added = plex.add_track("Brand New");
    const Answer recent = fetch(plex, "/library/sections/3/all?type=10&sort=addedAt:desc", plex.token());
    CHECK(std::string(recent.container()["Metadata"][0]["ratingKey"].GetString()) == added);
    // An empty page leaves Metadata out, as Plex does.
    const Answer empty = fetch(plex, "/library/sections/6/all?type=10&X-Plex-Container-Start=0&X-Plex-Container-Size=5",
                               plex.token());
    CHECK(empty.container()["totalSize"].GetInt() == 0);
    CHECK_FALSE(empty.container().HasMember("Metadata"));
}

TEST_CASE("fake Plex: pages rendered per request are the pages rendered beforehand", "[plex][fake]") {
    FakePlexOptions options{.tracks = 45};
    FakePlex cached(options);
    options.render_per_request = true;
    FakePlex rendered(options);
    const auto same_pages = [&] {
        for (const char* type : {"8", "9", "10"}) {
            const std::string target =
                std::string("/library/sections/3/all?type=") + type + "&X-Plex-Container-Start=1&X-Plex-Container-Size=40";
            const Answer a = fetch(cached, target, cached.token());
            const Answer b = fetch(rendered, target, rendered.token());
            INFO(target);
            REQUIRE(a.status == 200);
            CHECK(a.container()["size"].GetInt() > 0);
            CHECK(a.body == b.body);
        }
    };
    same_pages();
    // A change shows in the next page of both (the one rendering per request reads the item).
    const std::string key = cached.track_keys()[4];
    REQUIRE(cached.set_track_title(key, "Retitled"));
    REQUIRE(rendered.set_track_title(key, "Retitled"));
    same_pages();
    const Answer after = fetch(rendered, "/library/sections/3/all?type=10&X-Plex-Container-Start=4&X-Plex-Container-Size=1",
                               rendered.token());
    CHECK(std::string(after.container()["Metadata"][0]["title"].GetString()) == "Retitled");
}

TEST_CASE("fake Plex: re-keying keeps guid and file, ratings and plays leave updatedAt alone", "[plex][fake]") {
    FakePlex plex(FakePlexOptions{.tracks = 10});
    const std::string old_key = plex.track_keys()[2];
    const auto before = plex.find_track(old_key);
    REQUIRE(before);
    const std::string new_key = plex.rekey_track(old_key);
    REQUIRE_FALSE(new_key.empty());
    CHECK_FALSE(plex.find_track(old_key));
    const auto after = plex.find_track(new_key);
    REQUIRE(after);
    CHECK(after->guid == before->guid);
    CHECK(after->file == before->file);

    const std::string key = plex.track_keys()[0];
    const std::int64_t updated = plex.find_track(key)->updated_at;
    REQUIRE(plex.set_user_rating(key, 3.0));
    REQUIRE(plex.play_track(key));
    CHECK(plex.find_track(key)->updated_at == updated);
    CHECK(plex.find_track(key)->user_rating == 3.0);
    CHECK(plex.find_track(key)->view_count.value_or(0) >= 1);
}

TEST_CASE("fake Plex: playlists hold state, unknown keys are dropped silently", "[plex][fake]") {
    FakePlex plex(FakePlexOptions{.tracks = 10});
    const auto keys = plex.track_keys();
    const std::string uri = "server://" + plex.machine_identifier() + "/com.plexapp.plugins.library/library/metadata/" +
                            keys[0] + "," + keys[1] + ",999999";
    std::string encoded;
    for (const char c : uri) {
        if (c == ':' || c == '/' || c == ',') {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", static_cast<unsigned char>(c));
            encoded += buf;
        } else {
            encoded += c;
        }
    }
    const Answer created = fetch(plex, "/playlists?type=audio&title=Mix&smart=0&uri=" + encoded, plex.token(), {}, "POST");
    REQUIRE(created.status == 200);
    const std::string id = created.container()["Metadata"][0]["ratingKey"].GetString();
    CHECK(plex.playlist(id)->items == std::vector<std::string>{keys[0], keys[1]});
    const Answer count = fetch(plex, "/playlists/" + id + "/items?X-Plex-Container-Start=0&X-Plex-Container-Size=0",
                               plex.token());
    CHECK(count.container()["totalSize"].GetInt() == 2);
    CHECK(fetch(plex, "/playlists/" + id + "/items", plex.token(), {}, "DELETE").status == 200);
    CHECK(plex.playlist(id)->items.empty());
    CHECK(fetch(plex, "/playlists/" + id, plex.token(), {}, "DELETE").status == 200);
    CHECK_FALSE(plex.playlist(id));
    CHECK(fetch(plex, "/playlists/" + id, plex.token(), {}, "DELETE").status == 404);
}

TEST_CASE("fake Plex: one item removed by playlistItemID, items looked up by key, long URLs get 414",
          "[plex][fake]") {
    FakePlex plex(FakePlexOptions{.tracks = 10});
    const auto keys = plex.track_keys();
    const std::string root = "server%3A%2F%2F" + plex.machine_identifier() +
                             "%2Fcom.plexapp.plugins.library%2Flibrary%2Fmetadata%2F";
    const Answer created = fetch(plex, "/playlists?type=audio&title=Mix&smart=0&uri=" + root + keys[0] + "%2C" +
                                           keys[1] + "%2C" + keys[2], plex.token(), {}, "POST");
    REQUIRE(created.status == 200);
    const std::string id = created.container()["Metadata"][0]["ratingKey"].GetString();
    const Answer items = fetch(plex, "/playlists/" + id + "/items", plex.token());
    REQUIRE(items.container()["Metadata"].Size() == 3);
    const int64_t second = items.container()["Metadata"][1]["playlistItemID"].GetInt64();
    CHECK(fetch(plex, "/playlists/" + id + "/items/" + std::to_string(second), plex.token(), {}, "DELETE").status == 200);
    CHECK(plex.playlist(id)->items == std::vector<std::string>{keys[0], keys[2]});
    CHECK(fetch(plex, "/playlists/" + id + "/items/" + std::to_string(second), plex.token(), {}, "DELETE").status == 404);

    const Answer found = fetch(plex, "/library/metadata/" + keys[3] + ",999999," + keys[1], plex.token());
    REQUIRE(found.status == 200);
    REQUIRE(found.container()["Metadata"].Size() == 2);
    CHECK(std::string(found.container()["Metadata"][0]["ratingKey"].GetString()) == keys[3]);
    CHECK(fetch(plex, "/library/metadata/999998,999999", plex.token()).status == 404);

    const Answer too_long = fetch(plex, "/playlists/" + id + "?summary=" + std::string(9000, 'a'), plex.token(), {}, "PUT");
    CHECK(too_long.status == 414);
    CHECK(too_long.body.find("<title>414 Request-URI Too Large</title>") != std::string::npos);
    CHECK(plex.playlist(id)->summary.empty());
}

TEST_CASE("fake Plex: fault rules refuse a request, or do its work and lose the answer", "[plex][fake]") {
    FakePlex plex(FakePlexOptions{.tracks = 10});
    const auto keys = plex.track_keys();
    const std::string uri = "server%3A%2F%2F" + plex.machine_identifier() +
                            "%2Fcom.plexapp.plugins.library%2Flibrary%2Fmetadata%2F" + keys[0];
    pmx::test::FakePlexRule lost;
    lost.method = "POST";
    lost.path_prefix = "/playlists";
    lost.after = true;
    lost.times = 1;
    const size_t lost_rule = plex.add_rule(lost);
    const Answer first = fetch(plex, "/playlists?type=audio&title=Lost&smart=0&uri=" + uri, plex.token(), {}, "POST");
    CHECK(first.status == 503);
    CHECK(plex.playlists().size() == 1);  // made, although the client was told 503
    CHECK(plex.rule_hits(lost_rule) == 1);
    CHECK(fetch(plex, "/playlists?type=audio&title=Second&smart=0&uri=" + uri, plex.token(), {}, "POST").status == 200);

    pmx::test::FakePlexRule refused;
    refused.path_prefix = "/library/sections/3/all";
    refused.query_contains = "type=9";
    refused.status = 429;
    refused.retry_after = "1";
    refused.skip = 1;
    refused.times = 2;
    plex.add_rule(refused);
    CHECK(fetch(plex, "/library/sections/3/all?type=9", plex.token()).status == 200);
    const Answer limited = fetch(plex, "/library/sections/3/all?type=9", plex.token());
    CHECK(limited.status == 429);
    REQUIRE(limited.header("retry-after"));
    CHECK(*limited.header("retry-after") == "1");
    CHECK(fetch(plex, "/library/sections/3/all?type=10", plex.token()).status == 200);  // tracks: not matched
    CHECK(fetch(plex, "/library/sections/3/all?type=9", plex.token()).status == 429);
    CHECK(fetch(plex, "/library/sections/3/all?type=9", plex.token()).status == 200);  // `times` used up

    pmx::test::FakePlexRule half;
    half.path_prefix = "/identity";
    half.kind = pmx::test::FakePlexRule::Kind::garbage;
    half.probability = 0.5;
    half.seed = 7;
    const size_t half_rule = plex.add_rule(half);
    int garbage = 0;
    for (int i = 0; i < 200; ++i) {
        const Answer a = fetch(plex, "/identity", "");
        REQUIRE(a.status == 200);
        if (a.doc.HasParseError()) ++garbage;
    }
    CHECK(garbage == static_cast<int>(plex.rule_hits(half_rule)));
    CHECK(garbage > 60);
    CHECK(garbage < 140);
    plex.clear_faults();
    CHECK_FALSE(fetch(plex, "/identity", "").doc.HasParseError());
}

TEST_CASE("fake Plex: generating 200,000 tracks is quick", "[.][plex][fake][slow]") {
    const auto start = std::chrono::steady_clock::now();
    FakePlex plex(FakePlexOptions{.tracks = 200'000});
    const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    WARN("generated 200,000 tracks in " << seconds << " s");
    CHECK(plex.track_count() == 200'000);
    CHECK(seconds < 10.0);
}
