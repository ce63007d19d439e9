// The fake Jellyfin itself: it must answer as Jellyfin does, or the plugin tests prove nothing.
#include <chrono>
#include <string>

#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include "net/cancel.hpp"
#include "net/http_client.hpp"
#include "support/fake_jellyfin.hpp"

using namespace pmx;
using pmx::test::FakeJellyfin;
using pmx::test::FakeJellyfinOptions;

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
};

Answer fetch(const FakeJellyfin& jf, const std::string& target, HttpHeaders headers = {},
             const std::string& method = "GET", const std::string& body = {}) {
    static HttpClient client("fake-jellyfin-test");
    HttpRequest request;
    request.method = method;
    request.url = jf.url() + target;
    request.headers = std::move(headers);
    request.body = body;
    if (!body.empty()) request.headers.emplace_back("Content-Type", "application/json");
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
    if (!a.body.empty()) a.doc.Parse(a.body.c_str(), a.body.size());
    return a;
}

HttpHeaders token(const std::string& t) {
    return {{"Authorization", "MediaBrowser Client=\"test\", Device=\"t\", DeviceId=\"d\", Version=\"1\", Token=\"" + t + "\""}};
}

}  // namespace

TEST_CASE("fake Jellyfin: 401 with an empty body without a token, every way of sending one is read", "[jellyfin][fake]") {
    FakeJellyfin jf(FakeJellyfinOptions{.tracks = 3});
    const Answer open = fetch(jf, "/system/info/PUBLIC");  // case-insensitive, no token needed
    REQUIRE(open.status == 200);
    CHECK(std::string(open.doc["Id"].GetString()) == jf.server_id());
    CHECK(open.header("date") != nullptr);

    const Answer none = fetch(jf, "/Users/Me");
    CHECK(none.status == 401);
    CHECK(none.body.empty());
    CHECK(fetch(jf, "/Users/Me", token("0123456789abcdef0123456789abcdef")).status == 401);

    const std::string bob = jf.token_of(FakeJellyfin::kUser);
    CHECK(fetch(jf, "/Users/Me", token(bob)).status == 200);
    CHECK(fetch(jf, "/Users/Me", {{"X-Emby-Token", bob}}).status == 200);
    CHECK(fetch(jf, "/Users/Me", {{"X-MediaBrowser-Token", bob}}).status == 200);
    CHECK(fetch(jf, "/Users/Me?api_key=" + bob).status == 200);
    // Users: an API key or an administrator; an ordinary user is forbidden, with ProblemDetails.
    CHECK(fetch(jf, "/Users", token(jf.api_key())).doc.IsArray());
    const Answer forbidden = fetch(jf, "/Users", token(bob));
    CHECK(forbidden.status == 403);
    CHECK(std::string(forbidden.doc["title"].GetString()) == "Forbidden");
    CHECK(*forbidden.header("content-type") == "application/problem+json; charset=utf-8");

    const Answer wrong = fetch(jf, "/Users/AuthenticateByName", {}, "POST", R"({"Username":"Bob","Pw":"nope"})");
    CHECK(wrong.status == 401);
    const Answer login = fetch(jf, "/Users/AuthenticateByName", {}, "POST", R"({"username":"bob","pw":"bob-pw"})");
    REQUIRE(login.status == 200);
    CHECK(std::string(login.doc["User"]["Id"].GetString()) == jf.user_id(FakeJellyfin::kUser));
    CHECK(fetch(jf, "/Users/Me", token(login.doc["AccessToken"].GetString())).status == 200);
    CHECK(jf.logins() == 1);
}

TEST_CASE("fake Jellyfin: Items as the real one shapes them, on both routes, with counts and user data for a user only",
          "[jellyfin][fake]") {
    FakeJellyfin jf(FakeJellyfinOptions{.tracks = 25});
    const std::string alice = jf.user_id(FakeJellyfin::kAdmin);
    const std::string lib = jf.music_library_id();
    const std::string page = "?PARENTID=" + lib + "&includeItemTypes=Audio&recursive=true&startIndex=10&limit=10"
                             "&fields=Genres,DateCreated,Path,ProviderIds";
    const Answer a = fetch(jf, "/Items" + page + "&userId=" + alice, token(jf.api_key()));
    const Answer b = fetch(jf, "/users/" + alice + "/items" + page, token(jf.api_key()));
    REQUIRE(a.status == 200);
    CHECK(a.body == b.body);
    CHECK(a.doc["TotalRecordCount"].GetInt() == 25);
    CHECK(a.doc["StartIndex"].GetInt() == 10);
    REQUIRE(a.doc["Items"].Size() == 10);
    const auto& item = a.doc["Items"][0];
    const auto want = jf.track_at(10);
    CHECK(std::string(item["Id"].GetString()) == want.id);
    CHECK(std::string(item["Id"].GetString()).size() == 32);
    CHECK(item["RunTimeTicks"].GetUint64() == want.ticks);
    CHECK(std::string(item["Type"].GetString()) == "Audio");
    CHECK(std::string(item["Path"].GetString()) == want.path);
    CHECK(item["UserData"].IsObject());
    CHECK(item["Genres"].IsArray());
    CHECK(std::string(item["DateCreated"].GetString()).size() == 28);  // 2020-09-13T12:26:40.0000000Z

    // An API key without a userId is no user: no UserData. Without Fields: no Path, no Genres.
    const Answer anonymous = fetch(jf, "/Items?ParentId=" + lib + "&IncludeItemTypes=Audio&Recursive=true&Limit=2",
                                   token(jf.api_key()));
    CHECK_FALSE(anonymous.doc["Items"][0].HasMember("UserData"));
    CHECK_FALSE(anonymous.doc["Items"][0].HasMember("Path"));
    // Without EnableTotalRecordCount the count is only the page's.
    const Answer uncounted =
        fetch(jf, "/Items?ParentId=" + lib + "&IncludeItemTypes=Audio&Recursive=true&Limit=4&EnableTotalRecordCount=false",
              token(jf.api_key()));
    CHECK(uncounted.doc["TotalRecordCount"].GetInt() == 4);
    // A user may not read another user's data; a malformed id is a validation error.
    CHECK(fetch(jf, "/Items?userId=" + alice, token(jf.token_of(FakeJellyfin::kUser))).status == 403);
    CHECK(fetch(jf, "/Items?userId=nope", token(jf.api_key())).status == 400);
}

TEST_CASE("fake Jellyfin: MinDateLastSaved alone fails as on 10.9/10.10, edits move DateLastSaved, plays and favourites do not",
          "[jellyfin][fake]") {
    FakeJellyfin jf(FakeJellyfinOptions{.tracks = 10});
    const std::string base = "/Items?userId=" + jf.user_id(FakeJellyfin::kAdmin) + "&IncludeItemTypes=Audio&Recursive=true";
    const Answer broken = fetch(jf, base + "&MinDateLastSaved=2024-01-01T00:00:00Z", token(jf.api_key()));
    CHECK(broken.status == 500);
    CHECK(std::string(broken.doc["detail"].GetString()).find("@MinDateLastSavedForUser") != std::string::npos);

    const std::string since = "&MinDateLastSavedForUser=" + std::string("2030-01-01T00:00:00Z");
    jf.set_clock_offset(0);
    const auto hour_ago = [&] {
        const std::int64_t t = jf.now() - 3600;
        char buf[32];
        std::tm tm{};
        const std::time_t tt = t;
        gmtime_r(&tt, &tm);
        std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
        return std::string(buf);
    }();
    const auto changed = [&] {
        return fetch(jf, base + "&MinDateLastSavedForUser=" + hour_ago, token(jf.api_key())).doc["Items"].Size();
    };
    CHECK(changed() == 0);
    jf.play(FakeJellyfin::kAdmin, jf.track_at(1).id);
    jf.set_favourite(FakeJellyfin::kAdmin, jf.track_at(2).id, true);
    CHECK(changed() == 0);
    jf.set_track_name(jf.track_at(3).id, "Edited");
    CHECK(changed() == 1);
    CHECK(fetch(jf, base + since, token(jf.api_key())).doc["Items"].Size() == 0);
}

TEST_CASE("fake Jellyfin: playlists skip unknown and present items, an API key cannot rename or remove entries",
          "[jellyfin][fake]") {
    FakeJellyfin jf(FakeJellyfinOptions{.tracks = 5});
    const auto ids = jf.track_ids();
    const std::string bob = jf.token_of(FakeJellyfin::kUser);
    const Answer made = fetch(jf, "/Playlists", token(bob), "POST",
                              "{\"Name\":\"Mix\",\"Ids\":[\"" + ids[0] + "\",\"" + ids[0] + "\",\"" +
                                  std::string(32, 'f') + "\"],\"MediaType\":\"Audio\"}");
    REQUIRE(made.status == 200);
    const std::string id = made.doc["Id"].GetString();
    CHECK(fetch(jf, "/Playlists/" + id + "/Items?ids=" + ids[1] + "," + ids[0], token(bob), "POST").status == 204);
    REQUIRE(jf.playlist(id));
    CHECK(jf.playlist(id)->items == std::vector<std::string>{ids[0], ids[1]});
    const Answer listed = fetch(jf, "/Playlists/" + id + "/Items?StartIndex=0&Limit=0", token(bob));
    CHECK(listed.doc["TotalRecordCount"].GetInt() == 2);
    CHECK(listed.doc["Items"].Size() == 0);
    const Answer entries = fetch(jf, "/Playlists/" + id + "/Items", token(bob));
    const std::string entry = entries.doc["Items"][0]["PlaylistItemId"].GetString();

    CHECK(fetch(jf, "/Playlists/" + id, token(jf.api_key()), "POST", R"({"Name":"X"})").status == 400);
    CHECK(fetch(jf, "/Playlists/" + id + "/Items?entryIds=" + entry, token(jf.api_key()), "DELETE").status == 400);
    CHECK(fetch(jf, "/Playlists/" + id, token(bob), "POST", R"({"Name":"Renamed"})").status == 204);
    CHECK(fetch(jf, "/Playlists/" + id + "/Items?entryIds=" + entry, token(bob), "DELETE").status == 204);
    CHECK(jf.playlist(id)->name == "Renamed");
    CHECK(jf.playlist(id)->items == std::vector<std::string>{ids[1]});
    CHECK(fetch(jf, "/Items/" + id, token(bob), "DELETE").status == 204);
    CHECK_FALSE(jf.playlist(id));
}
