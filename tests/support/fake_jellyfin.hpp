// A fake Jellyfin server (10.9-10.11) on 127.0.0.1: users and their three ways in, music libraries, Items pages, user data, playlists, faults.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "support/fake_http_server.hpp"

namespace pmx::test {

struct FakeJellyfinOptions {
    std::size_t tracks = 100;          // Audio items in the "Music" library
    std::size_t tracks_per_album = 10;
    std::size_t albums_per_artist = 3;
    std::string server_id = "4f3e2d1c0b9a88776655443322110ffe";
    std::string server_name = "Fake Jellyfin";
    std::string version = "10.10.7";
    std::int64_t base_time = 1'600'000'000;  // DateCreated of the first track (unix seconds)
};

// One track as the fake serves it (a snapshot; times are unix seconds).
struct FakeJellyfinTrack {
    std::string id;            // 32 lower-case hex digits
    std::string name, album, album_id, album_artist, album_artist_id, path;
    std::vector<std::string> artists, genres;
    std::string mb_track, mb_recording, mb_album;  // ProviderIds; empty when the file has none
    int year = 0;                                  // ProductionYear; 0 = not sent
    std::uint32_t index = 0, disc = 0;
    std::uint64_t ticks = 0;                       // RunTimeTicks
    std::int64_t date_created = 0, date_last_saved = 0;
};

// A user's data for one item (Jellyfin's UserItemData), as the fake holds it.
struct FakeJellyfinUserData {
    std::uint64_t play_count = 0;
    std::int64_t last_played = 0;  // 0 = never (LastPlayedDate omitted)
    bool favourite = false;
    std::optional<double> rating;  // Rating, omitted when unset
};

struct FakeJellyfinPlaylist {
    std::string id, name, owner;
    std::vector<std::string> items;  // item ids, in order
    std::vector<std::size_t> sizes;  // its entry count after its creation and after each change
};

// A fault rule: which requests it hits and what they get (a ProblemDetails body).
struct FakeJellyfinRule {
    std::string method;          // empty: any
    std::string path_prefix;     // compared case-insensitively ("/playlists/")
    std::string query_contains;  // the raw query contains it (case-insensitive); empty: any
    bool after = false;          // true: do the work, then answer the fault (the answer is lost)
    int status = 503;
    std::size_t skip = 0;          // matching requests let through first
    std::size_t times = SIZE_MAX;  // at most this many faults
};

// What it answers, shaped as Jellyfin 10.9-10.11 answer (their OpenAPI description and
// controllers). Paths and query names are matched case-insensitively, as ASP.NET Core does.
//
//   GET  /System/Info/Public              no auth: Id, ServerName, Version, ProductName
//   POST /Users/AuthenticateByName        {"Username","Pw"} -> {User, AccessToken, ServerId}
//   GET  /Users/Me                        the session's user (a user token only)
//   GET  /Users                           every user (an API key or an administrator)
//   GET  /UserViews?userId=, /Users/{id}/Views   the user's libraries: Music (music),
//                                         Movies (movies), Playlists (playlists)
//   GET  /Items, /Users/{id}/Items        userId, ParentId, IncludeItemTypes (Audio, Playlist),
//                                         Recursive, Ids, IsFavorite, Filters=IsFavorite,
//                                         IsPlayed, MinDateLastSaved(ForUser), SortBy
//                                         (DateCreated, DatePlayed, SortName), SortOrder,
//                                         StartIndex, Limit, Fields (Genres, DateCreated, Path,
//                                         ProviderIds), EnableUserData, EnableImages,
//                                         EnableTotalRecordCount
//   POST /Playlists                       {Name, Ids, UserId, MediaType} -> {Id}
//   GET|POST|DELETE /Playlists/{id}/Items  list (PlaylistItemId), add (?ids=), remove (?entryIds=)
//   POST /Playlists/{id}                  {Name} renames
//   DELETE /Items/{id}                    deletes a playlist
//
// Authentication: `Authorization: MediaBrowser ..., Token="..."` (also X-Emby-Authorization),
// X-Emby-Token, X-MediaBrowser-Token or ?api_key=. A missing or unknown token gets 401 with an
// empty body. An API key acts as no user: without userId it gets no UserData, and the
// playlist edits that read the calling user (rename, remove entries) fail as on the real
// servers. Errors are ProblemDetails (application/problem+json). Ids are 32 hex digits; item
// JSON omits what is unset; RunTimeTicks are 10^-7 s; UserData comes only for a user. As in
// 10.9/10.10, MinDateLastSaved without MinDateLastSavedForUser answers 500 (an unbound SQL
// parameter there), and both filter on DateLastSaved, which plays and favourites leave alone.
// With EnableTotalRecordCount=false, TotalRecordCount is the page's own count. Pages are
// rendered per request. Every answer carries a Date header (the server's clock, see
// set_clock_offset).
//
// Thread-safe: handlers run on the server's threads; mutations may come while a client pages.
class FakeJellyfin {
public:
    static constexpr const char* kAdmin = "Alice";       // an administrator
    static constexpr const char* kAdminPassword = "alice-pw";
    static constexpr const char* kUser = "Bob";           // an ordinary user
    static constexpr const char* kUserPassword = "bob-pw";
    static constexpr const char* kMusicTitle = "Music";

    explicit FakeJellyfin(FakeJellyfinOptions options = {});
    ~FakeJellyfin();
    FakeJellyfin(const FakeJellyfin&) = delete;
    FakeJellyfin& operator=(const FakeJellyfin&) = delete;

    FakeHttpServer& http() { return http_; }
    const FakeHttpServer& http() const { return http_; }
    std::string url() const { return http_.url(); }
    std::string server_id() const { return options_.server_id; }

    // --- users and credentials ---
    std::string api_key() const;
    std::string user_id(std::string_view name) const;
    // A session token of the user, as a login would give (the same one every call).
    std::string token_of(std::string_view name) const;
    void revoke_sessions();                      // every session token becomes unknown
    std::size_t logins() const;                  // successful POST /Users/AuthenticateByName

    // --- the library ---
    std::string music_library_id() const;
    std::size_t track_count() const;
    std::vector<std::string> track_ids() const;  // natural order
    FakeJellyfinTrack track_at(std::size_t i) const;
    std::optional<FakeJellyfinTrack> find_track(std::string_view id) const;
    FakeJellyfinUserData user_data(std::string_view user, std::string_view id) const;

    // --- mutations; edits move DateLastSaved to the server's now, user data does not ---
    bool set_track_name(std::string_view id, std::string name);
    std::string add_track(std::string name);          // a new file in the first album
    bool delete_track(std::string_view id);
    // A moved file: a new Id and path, the same provider ids. Returns the new Id.
    std::string move_track(std::string_view id);
    // The same file under a new Id (a library added again): the same path. Returns the new Id.
    std::string rekey_track(std::string_view id);
    bool play(std::string_view user, std::string_view id);  // PlayCount + 1, LastPlayedDate = now
    bool set_favourite(std::string_view user, std::string_view id, bool favourite);
    void set_clock_offset(std::int64_t seconds);  // the server's clock minus the real one
    std::int64_t now() const;                     // the server's clock

    // --- playlists ---
    std::vector<FakeJellyfinPlaylist> playlists() const;
    std::optional<FakeJellyfinPlaylist> playlist(std::string_view id) const;

    // --- faults and counters ---
    std::size_t add_rule(FakeJellyfinRule rule);
    std::size_t rule_hits(std::size_t index) const;
    // After `pages` track pages (GET .../Items with IncludeItemTypes=Audio) the server stops:
    // the next page gets no answer and later connections are refused.
    void die_after_track_pages(std::size_t pages);
    void clear_faults();
    std::size_t track_page_requests() const;
    std::size_t unauthorized_requests() const;

private:
    struct Track;
    struct User;
    struct Playlist;
    struct Auth;
    struct Query;

    FakeResponse dispatch(const FakeRequest& request);
    std::optional<FakeResponse> intercept(const FakeRequest& request, const FakeResponse* answered);
    FakeResponse handle_items(const FakeRequest& request, const Auth& auth, const Query& query, std::string user_from_path);
    FakeResponse handle_views(const Auth& auth, const Query& query, std::string user_from_path);
    FakeResponse handle_authenticate(const FakeRequest& request);
    FakeResponse handle_playlists(const FakeRequest& request, const Auth& auth, const Query& query,
                                  const std::vector<std::string>& segments);
    FakeResponse finish(FakeResponse response) const;

    // With mutex_ held.
    void generate();
    std::string new_id();
    std::int64_t now_locked() const;
    const User* user_by_id(std::string_view id) const;
    void render_track(std::string& out, const Track& track, const User* user, bool fields_genres, bool fields_created,
                      bool fields_path, bool fields_provider, bool images) const;

    const FakeJellyfinOptions options_;
    mutable std::mutex mutex_;
    std::uint64_t next_id_ = 1;
    std::vector<User> users_;
    std::string api_key_;
    std::map<std::string, std::string, std::less<>> sessions_;  // token -> user id
    std::map<std::string, std::string, std::less<>> user_tokens_;  // user id -> its token
    std::string music_id_, movies_id_, playlists_view_id_;
    std::vector<Track> tracks_;                        // natural order
    std::map<std::string, std::size_t, std::less<>> track_index_;
    std::map<std::string, Playlist, std::less<>> playlists_;
    std::int64_t clock_offset_ = 0;
    std::size_t logins_ = 0;

    struct Rule {
        FakeJellyfinRule rule;
        std::size_t matched = 0, hits = 0;
    };
    std::vector<Rule> rules_;
    std::optional<std::size_t> die_after_;
    std::size_t track_pages_served_ = 0;
    bool died_ = false;
    std::thread killer_;

    std::atomic<std::size_t> track_page_requests_{0};
    std::atomic<std::size_t> unauthorized_{0};

    FakeHttpServer http_;  // last: stopped before the state its handlers use goes away
};

}  // namespace pmx::test
