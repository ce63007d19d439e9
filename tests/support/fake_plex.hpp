// A fake Plex Media Server on 127.0.0.1: a generated music library, Plex's JSON, paging, 401s, playlists, faults.
#pragma once

#include <atomic>
#include <chrono>
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

// One track of a library given in full (FakePlexAlbumSpec::tracks).
struct FakePlexTrackSpec {
    std::string title;
    std::string original_title;       // originalTitle (track artist); empty: not sent
    std::vector<std::string> genres;  // the track's own Genre tags; empty: not sent (the album's apply)
    std::optional<int> year;          // the track's own `year`; nullopt: not sent
    std::uint64_t duration_ms = 0;
    std::optional<double> user_rating;           // 0.0-10.0; nullopt: unrated (omitted)
    std::optional<std::uint64_t> view_count;     // nullopt: never played (omitted)
    std::optional<std::int64_t> last_viewed_at;  // nullopt: never played (omitted)
};

// One album of a library given in full (FakePlexOptions::albums). Albums with the same
// `artist` share one artist item.
struct FakePlexAlbumSpec {
    std::string artist;               // the album artist (grandparentTitle)
    std::string title;
    int year = 0;                     // 0: unknown (year, originallyAvailableAt, parentYear omitted)
    std::vector<std::string> genres;  // the album's Genre tags
    std::vector<FakePlexTrackSpec> tracks;
};

// The shape of the generated library. Everything is deterministic: the same options give the
// same keys, names, ratings and timestamps on every run.
struct FakePlexOptions {
    std::size_t tracks = 100;          // tracks in the music section
    std::size_t tracks_per_album = 10;
    std::size_t albums_per_artist = 3;
    std::string token = "fake-plex-token";
    std::string machine_identifier = "0f1e2d3c4b5a69788796a5b4c3d2e1f0a1b2c3d4";
    std::string friendly_name = "Fake Plex";
    std::string version = "1.40.2.8395-c67dce28e";
    std::int64_t base_time = 1'600'000'000;  // addedAt of the first track (unix seconds)
    // When not empty: this library instead of a generated one (tracks, tracks_per_album and
    // albums_per_artist are then ignored); keys and timestamps are assigned in this order.
    std::vector<FakePlexAlbumSpec> albums{};
    // Sections carry contentChangedAt (the server's change counter at the section's last
    // content change: tracks added, removed, re-keyed or edited; not plays or ratings) and an
    // updatedAt that moves with each scan that adds or removes. Off: an old server without them.
    bool content_changed_at = true;
    // Library pages (/library/sections/N/all) render each item's JSON while answering, as a
    // real server builds its answer, instead of concatenating JSON rendered beforehand (the
    // default). For benchmarks: the cost of serving then resembles a server's.
    bool render_per_request = false;
};

// A read-only snapshot of one track as the fake serves it.
struct FakePlexTrack {
    std::string rating_key;
    std::string guid;                 // plex://track/...; kept across re-keys
    std::string title;
    std::string album_artist;         // grandparentTitle
    std::string original_title;       // originalTitle (track artist); empty when not sent
    std::string album;                // parentTitle
    std::string album_key;            // parentRatingKey
    std::string artist_key;           // grandparentRatingKey
    std::string file;                 // Media[0].Part[0].file; kept across re-keys
    std::vector<std::string> genres;        // the track's own Genre tags (often none)
    std::vector<std::string> album_genres;  // its album's Genre tags
    std::uint32_t index = 0;          // track number
    std::uint32_t disc = 0;           // parentIndex
    std::uint64_t duration_ms = 0;
    int album_year = 0;               // parentYear
    std::optional<int> year;          // the track's own `year`, rarely sent
    std::optional<double> user_rating;  // 0.0-10.0, omitted when unrated
    std::optional<std::uint64_t> view_count;     // omitted when never played
    std::optional<std::int64_t> last_viewed_at;  // omitted when never played
    std::int64_t added_at = 0;
    std::int64_t updated_at = 0;
};

struct FakePlexPlaylist {
    std::string key;    // ratingKey
    std::string title;
    std::string summary;
    std::vector<std::string> items;  // track ratingKeys, in order
};

// What a fault does to track pages once it is armed.
enum class FakePlexFault {
    none,
    die,        // the server stops: the page gets no answer, later connections are refused
    truncate,   // the page is cut off mid-body and the connection closed; the server stays up
    status,     // the page is answered with an HTTP error status (fault_status)
};

// A fault rule for any request: which requests it hits, and what they get.
struct FakePlexRule {
    enum class Kind {
        status,   // an HTTP error status, with a small HTML page like Plex's
        garbage,  // 200 with a body that is not JSON
        hang,     // no answer until the client goes away (to kill a client mid-request)
    };
    std::string method;          // empty: any method
    std::string path_prefix;     // the request's path starts with it ("/playlists", "/library/sections/3/all")
    std::string query_contains;  // the raw query contains it ("type=9"); empty: any
    bool after = false;          // false: refuse before the request is handled; true: handle it, then
                                 // answer the fault instead (the work is done, the answer lost)
    Kind kind = Kind::status;
    int status = 503;
    std::string retry_after;     // a Retry-After header when not empty ("1")
    std::size_t skip = 0;        // matching requests let through before the rule may fire
    std::size_t times = SIZE_MAX;  // at most this many faults
    double probability = 1.0;    // each matching request past `skip` faults with this probability
    std::uint64_t seed = 1;      // of the rule's own random sequence (deterministic)
};

// The fake. It speaks what plexmix's plex plugin (and any Plex client) needs, shaped like a
// real server answers with `Accept: application/json`:
//
//   GET  /identity                      (no token needed) machineIdentifier, version
//   GET  /                              friendlyName, machineIdentifier, version
//   GET  /library/sections              Directory[]: Movies (1), Music (3, the generated
//                                       library), TV Shows (4), Hörspiele (6, empty music)
//   GET  /library/sections/{id}/all     type=8 artists, 9 albums, 10 tracks; sort=updatedAt|
//                                       addedAt|lastViewedAt|lastRatedAt[:desc]; paging by
//                                       X-Plex-Container-Start/-Size as query parameters or headers; offset, size,
//                                       totalSize and the X-Plex-Container-* headers
//   GET|POST /playlists                 list / create (type=audio&title=&smart=0&uri=server://
//                                       {machineIdentifier}/com.plexapp.plugins.library/
//                                       library/metadata/{k1,k2,...}); unknown keys are dropped
//   GET|PUT|DELETE /playlists/{id}      read / edit (title, summary) / delete
//   GET|PUT|DELETE /playlists/{id}/items  list (paged) / add (uri=...) / clear
//   DELETE /playlists/{id}/items/{playlistItemID}  removes one item
//   GET  /library/metadata/{k1,k2,...}   the items that exist (404 when none does)
//
// Like a real server's HTTP front end, a request target longer than kMaxTargetBytes is
// answered 414 with an HTML page. Fault rules (add_rule) apply to any route.
//
// Every route but /identity answers 401 with Plex's HTML page when X-Plex-Token (header or
// query) is missing or wrong. ratingKey is a JSON string; unset attributes (userRating,
// viewCount, lastViewedAt, most tracks' Genre) are omitted; a track's year is parentYear.
// Track and album JSON is rendered once per item (and again when a mutation changes it), so
// pages of a 200,000-track library are served by concatenation (unless
// FakePlexOptions::render_per_request).
//
// Thread-safe: handlers run on the server's connection threads; mutations may be called
// while a client is paging.
class FakePlex {
public:
    static constexpr const char* kMusicSection = "3";
    static constexpr const char* kMusicTitle = "Music";
    static constexpr const char* kEmptyMusicSection = "6";
    static constexpr const char* kEmptyMusicTitle = "Hörspiele";
    static constexpr const char* kUnauthorizedBody =
        "<html><head><title>Unauthorized</title></head><body><h1>401 Unauthorized</h1></body></html>";
    static constexpr std::size_t kMaxTargetBytes = 8192;

    explicit FakePlex(FakePlexOptions options = {});
    ~FakePlex();
    FakePlex(const FakePlex&) = delete;
    FakePlex& operator=(const FakePlex&) = delete;

    FakeHttpServer& http() { return http_; }
    const FakeHttpServer& http() const { return http_; }
    std::string url() const { return http_.url(); }
    std::string token() const;
    std::string machine_identifier() const;

    // --- the library ---
    std::size_t track_count() const;
    std::size_t album_count() const;
    std::size_t artist_count() const;
    // Track keys in the server's natural order (ratingKey ascending).
    std::vector<std::string> track_keys() const;
    // The i-th track in natural order (i < track_count()).
    FakePlexTrack track_at(std::size_t i) const;
    std::optional<FakePlexTrack> find_track(std::string_view rating_key) const;

    // --- mutations (each bumps the fake clock; updatedAt values stay unique) ---
    // Gives the track a new updatedAt; returns false when the key is unknown.
    bool touch_track(std::string_view rating_key);
    bool set_track_title(std::string_view rating_key, std::string title);
    bool set_user_rating(std::string_view rating_key, std::optional<double> rating);
    // One more play: viewCount + 1, lastViewedAt = now.
    bool play_track(std::string_view rating_key);
    // Adds a track to the album of an existing track (or the first album); returns its key.
    std::string add_track(std::string title, std::string_view like_rating_key = {});
    bool delete_track(std::string_view rating_key);
    // Gives the track a new ratingKey (same guid, same file), as Plex does after a library
    // rescan or a move; returns the new key, or empty when the key is unknown.
    std::string rekey_track(std::string_view rating_key);
    void set_machine_identifier(std::string id);
    void set_token(std::string token);

    // --- faults ---
    // Arms `fault` for every track page (GET .../all?type=10) after the first `pages` served.
    void fault_after_track_pages(std::size_t pages, FakePlexFault fault, int status = 500);
    // Adds a fault rule; returns its index (for rule_hits()).
    std::size_t add_rule(FakePlexRule rule);
    // How many requests rule `index` faulted so far.
    std::size_t rule_hits(std::size_t index) const;
    // Disarms the track-page fault, every rule and the page delay.
    void clear_faults();
    // Waits this long before answering each track or album page (a slow server).
    void set_page_delay(std::chrono::milliseconds delay);
    // True once a `die` fault stopped the server.
    bool died() const;

    // --- counters ---
    // Builds the sorted views the feeds read (updatedAt, addedAt, lastViewedAt, lastRatedAt;
    // otherwise built by the first request that needs one after a change), as a server keeps
    // its indexes at write time: for benchmarks, so that a sync does not pay for the sorting.
    void index_sorted_views() const;
    std::size_t track_page_requests() const;   // GET /library/sections/*/all?type=10
    std::size_t album_page_requests() const;   // GET /library/sections/*/all?type=9
    std::size_t unauthorized_requests() const; // answered 401
    // Requests whose path (no query) equals `path`, optionally of one method.
    std::size_t requests(std::string_view path, std::string_view method = {}) const;

    // --- playlists ---
    std::optional<FakePlexPlaylist> playlist(std::string_view key) const;
    std::vector<FakePlexPlaylist> playlists() const;

private:
    struct Artist {
        std::uint64_t key = 0;
        std::string guid, title;
        std::int64_t added_at = 0, updated_at = 0;
        std::string json;
    };
    struct Album {
        std::uint64_t key = 0, artist_key = 0;
        std::string guid, title;
        int year = 0;
        std::vector<std::string> genres;
        std::size_t leaf_count = 0;
        std::int64_t added_at = 0, updated_at = 0;
        std::string json;
    };
    struct Track {
        std::uint64_t key = 0, album_key = 0, artist_key = 0;
        std::string guid, title, original_title, file;
        std::vector<std::string> genres;
        std::uint32_t index = 0, disc = 0;
        std::uint64_t duration_ms = 0, media_id = 0, part_id = 0;
        std::optional<int> year;
        std::optional<double> user_rating;
        std::optional<std::int64_t> last_rated_at;
        std::optional<std::uint64_t> view_count;
        std::optional<std::int64_t> last_viewed_at;
        std::int64_t added_at = 0, updated_at = 0;
        std::string json;  // the rendered Metadata object
    };
    struct Playlist {
        std::uint64_t key = 0;
        std::string guid, title, summary;
        std::vector<std::uint64_t> items;     // track keys
        std::vector<std::uint64_t> item_ids;  // playlistItemID of each
        std::int64_t added_at = 0, updated_at = 0;
    };

    FakeResponse handle_identity(const FakeRequest& request);
    FakeResponse handle_root(const FakeRequest& request);
    FakeResponse handle_sections(const FakeRequest& request);
    FakeResponse handle_section_all(const FakeRequest& request, const std::string& section);
    FakeResponse handle_playlists(const FakeRequest& request);
    FakeResponse handle_playlist(const FakeRequest& request, std::uint64_t id);
    FakeResponse handle_playlist_items(const FakeRequest& request, std::uint64_t id);
    FakeResponse handle_playlist_item(const FakeRequest& request, std::uint64_t id, std::uint64_t item_id);
    FakeResponse handle_playlist_path(const FakeRequest& request);
    FakeResponse handle_metadata(const FakeRequest& request);
    std::optional<FakeResponse> intercept(const FakeRequest& request, const FakeResponse* answered);
    // nullopt when authorised, else the 401 to send.
    std::optional<FakeResponse> refuse(const FakeRequest& request);
    std::optional<FakeResponse> track_page_fault();

    // All below are called with mutex_ held.
    void generate();
    void generate_given();  // from options_.albums
    void render(Artist& artist);
    void render(Album& album);
    void render(Track& track);
    void render_to(const Artist& artist, std::string& out) const;
    void render_to(const Album& album, std::string& out) const;
    void render_to(const Track& track, std::string& out) const;
    std::int64_t tick();
    // A content change of the music section (under mutex_): contentChangedAt moves, and with
    // `scanned` (an item came or went) its updatedAt too.
    void content_changed_locked(bool scanned);
    Track* find_locked(std::string_view rating_key);
    const std::vector<const Track*>& order_locked(std::string_view sort) const;
    FakePlexTrack snapshot(const Track& track) const;
    std::string render_playlist(const Playlist& playlist) const;
    std::size_t add_uri_items(Playlist& playlist, std::string_view uri);

    const FakePlexOptions options_;
    mutable std::mutex mutex_;
    std::string token_;
    std::string machine_identifier_;
    std::int64_t clock_ = 0;
    std::int64_t content_changed_at_ = 0;  // the music section's contentChangedAt (0: since creation)
    std::int64_t section_updated_at_ = 0;  // its updatedAt (0: base_time)
    std::uint64_t next_key_ = 0;
    std::map<std::uint64_t, Artist> artists_;
    std::map<std::uint64_t, Album> albums_;
    std::map<std::uint64_t, Track> tracks_;  // by ratingKey: the natural order
    std::map<std::uint64_t, Playlist> playlists_;
    std::uint64_t next_playlist_item_id_ = 1;
    // Sorted views of tracks_, rebuilt after a mutation.
    mutable bool views_dirty_ = true;
    mutable std::vector<const Track*> by_key_;
    mutable std::map<std::string, std::vector<const Track*>, std::less<>> sorted_;  // by "field:dir"

    struct Rule {
        FakePlexRule rule;
        std::size_t matched = 0, hits = 0;
        std::uint64_t state = 0;  // of its random sequence
    };
    std::vector<Rule> rules_;

    FakePlexFault fault_ = FakePlexFault::none;
    std::size_t fault_after_ = 0;
    int fault_status_ = 0;
    std::size_t track_pages_served_ = 0;
    std::chrono::milliseconds page_delay_{0};
    bool died_ = false;
    std::thread killer_;  // stops the server for a `die` fault

    std::atomic<std::size_t> track_page_requests_{0};
    std::atomic<std::size_t> album_page_requests_{0};
    std::atomic<std::size_t> unauthorized_{0};

    FakeHttpServer http_;  // last: stopped before the state its handlers use goes away
};

}  // namespace pmx::test
