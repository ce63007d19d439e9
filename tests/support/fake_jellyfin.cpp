// The fake Jellyfin server: generation, authentication, Items pages rendered per request, user data, playlists, faults.
//
// Shapes follow Jellyfin 10.9-10.11 (its OpenAPI description; Jellyfin.Api's ItemsController,
// UserController, UserViewsController, PlaylistsController; PlaylistManager). No code copied.
#include "support/fake_jellyfin.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <set>
#include <unordered_set>

#include <rapidjson/document.h>

namespace pmx::test {
namespace {

constexpr std::int64_t kTrackSpacingSeconds = 60;
constexpr std::int64_t kSavedLongAgo = 86'400;  // untouched items were last saved a day ago
constexpr std::uint64_t kTicksPerSecond = 10'000'000;
constexpr std::uint64_t kMinSeconds = 120;
constexpr std::uint64_t kSecondsSpread = 300;
constexpr int kFirstYear = 1960;
constexpr int kYearSpread = 64;
constexpr std::size_t kPlayedEvery = 5;
constexpr std::size_t kFavouriteEvery = 7;
constexpr std::size_t kRatedEvery = 9;
constexpr std::size_t kMbidEvery = 2;  // every other file carries MusicBrainz ids
constexpr std::size_t kIdHex = 32;

constexpr std::array<std::string_view, 8> kArtists = {"Björk", "Sigur Rós", "坂本龍一", "Nina Simone",
                                                      "Miles Davis", "Кино", "Röyksopp", "Beyoncé"};
constexpr std::array<std::string_view, 8> kTitles = {"Jóga", "Hoppípolla", "Energy Flow", "Glósóli",
                                                     "Untitled #1 \"Vaka\"", "12\" Mix \\ Edit", "Hunter", "Svefn"};
constexpr std::array<std::string_view, 6> kGenres = {"Electronic", "Post-Rock", "Jazz", "Soul", "Ambient", "Русский рок"};

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool iequals(std::string_view a, std::string_view b) { return a.size() == b.size() && lower(a) == lower(b); }

std::string percent_decode(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '+') {
            out += ' ';
        } else if (text[i] == '%' && i + 2 < text.size()) {
            int value = 0;
            const auto r = std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16);
            if (r.ec == std::errc() && r.ptr == text.data() + i + 3) {
                out += static_cast<char>(value);
                i += 2;
            } else {
                out += text[i];
            }
        } else {
            out += text[i];
        }
    }
    return out;
}

void put_str(std::string& out, std::string_view text) {
    constexpr std::string_view kHex = "0123456789abcdef";
    out += '"';
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (byte < 0x20) {
            out += "\\u00";
            out += kHex[byte >> 4];
            out += kHex[byte & 0xF];
        } else {
            out += c;
        }
    }
    out += '"';
}

void put_name(std::string& out, std::string_view name) {
    if (out.back() != '{') out += ',';
    out += '"';
    out += name;
    out += "\":";
}

// "2024-05-01T12:30:00.0000000Z", as .NET writes a UTC DateTime.
std::string iso(std::int64_t seconds) {
    const std::time_t t = static_cast<std::time_t>(seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.0000000Z", &tm);
    return buf;
}

std::optional<std::int64_t> parse_iso(std::string_view text) {
    std::tm tm{};
    const std::string s(text);
    const char* end = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
    if (end == nullptr) return std::nullopt;
    std::int64_t seconds = static_cast<std::int64_t>(timegm(&tm));
    while (*end == '.' || std::isdigit(static_cast<unsigned char>(*end))) ++end;
    if (*end == '+' || *end == '-') {
        int hours = 0, minutes = 0;
        if (std::sscanf(end + 1, "%2d:%2d", &hours, &minutes) == 2) {
            const std::int64_t offset = hours * 3600 + minutes * 60;
            seconds += *end == '+' ? -offset : offset;
        }
    }
    return seconds;
}

std::string http_date(std::int64_t seconds) {
    const std::time_t t = static_cast<std::time_t>(seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[static_cast<std::size_t>(tm.tm_wday)],
                  tm.tm_mday, kMonths[static_cast<std::size_t>(tm.tm_mon)], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                  tm.tm_sec);
    return buf;
}

// Jellyfin binds a Guid from 32 hex digits or the dashed form; the answer is always 32.
std::optional<std::string> guid(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (c == '-') continue;
        if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (out.size() != kIdHex) return std::nullopt;
    return out;
}

std::vector<std::string> split(std::string_view text, char separator) {
    std::vector<std::string> out;
    while (!text.empty()) {
        const std::size_t at = text.find(separator);
        const std::string_view part = text.substr(0, at);
        if (!part.empty()) out.emplace_back(part);
        if (at == std::string_view::npos) break;
        text.remove_prefix(at + 1);
    }
    return out;
}

// RFC 9110 ProblemDetails, as ASP.NET Core writes them.
FakeResponse problem(int status, std::string_view title, std::string_view detail = {}) {
    std::string body = "{\"type\":\"https://tools.ietf.org/html/rfc9110#section-15.5." + std::to_string(status - 399) +
                       "\",\"title\":";
    put_str(body, title);
    body += ",\"status\":" + std::to_string(status);
    if (!detail.empty()) {
        body += ",\"detail\":";
        put_str(body, detail);
    }
    body += ",\"traceId\":\"00-7b2e4d1c9a8f3e6b5d4c2a1908f7e6d5-1a2b3c4d5e6f7a8b-00\"}";
    FakeResponse r;
    r.status = status;
    r.body = std::move(body);
    r.headers.emplace_back("Content-Type", "application/problem+json; charset=utf-8");
    return r;
}

FakeResponse jf_json(std::string body) {
    FakeResponse r;
    r.status = 200;
    r.body = std::move(body);
    r.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
    return r;
}

// A JSON member by name, case-insensitively (ASP.NET Core's web defaults bind so).
const rapidjson::Value* member(const rapidjson::Value& object, std::string_view name) {
    if (!object.IsObject()) return nullptr;
    for (const auto& m : object.GetObject()) {
        if (iequals(std::string_view(m.name.GetString(), m.name.GetStringLength()), name)) return &m.value;
    }
    return nullptr;
}

}  // namespace

// --- state ----------------------------------------------------------------------------------------

struct FakeJellyfin::Track {
    FakeJellyfinTrack t;
    std::map<std::string, FakeJellyfinUserData, std::less<>> data;  // by user id
};

struct FakeJellyfin::User {
    std::string id, name, password;
    bool admin = false;
};

struct FakeJellyfin::Playlist {
    std::string id, name, owner;
    std::vector<std::pair<std::string, std::string>> entries;  // (PlaylistItemId, item id)
    std::int64_t created = 0;
    std::vector<std::size_t> sizes;
};

// Who is asking: an API key (no user), a user's session, or nobody.
struct FakeJellyfin::Auth {
    bool api_key = false;
    std::string user_id;  // of a session
    bool ok() const { return api_key || !user_id.empty(); }
};

// Query parameters by lower-cased name, percent-decoded (the first of each name).
struct FakeJellyfin::Query {
    std::map<std::string, std::string, std::less<>> values;
    explicit Query(std::string_view raw) {
        for (const std::string& pair : split(raw, '&')) {
            const std::size_t eq = pair.find('=');
            std::string name = lower(percent_decode(std::string_view(pair).substr(0, eq)));
            std::string value = eq == std::string::npos ? std::string() : percent_decode(std::string_view(pair).substr(eq + 1));
            values.emplace(std::move(name), std::move(value));
        }
    }
    std::optional<std::string> get(std::string_view name) const {
        const auto it = values.find(lower(name));
        if (it == values.end()) return std::nullopt;
        return it->second;
    }
    bool flag(std::string_view name, bool fallback) const {
        const auto v = get(name);
        if (!v || v->empty()) return fallback;
        return iequals(*v, "true");
    }
};

FakeJellyfin::FakeJellyfin(FakeJellyfinOptions options) : options_(std::move(options)) {
    {
        std::lock_guard lock(mutex_);
        generate();
    }
    http_.on_prefix("/", [this](const FakeRequest& r) { return dispatch(r); });
    http_.set_interceptor([this](const FakeRequest& r, const FakeResponse* answered) { return intercept(r, answered); });
}

FakeJellyfin::~FakeJellyfin() {
    std::thread killer;
    {
        std::lock_guard lock(mutex_);
        killer = std::move(killer_);
    }
    if (killer.joinable()) killer.join();
    http_.stop();
}

std::string FakeJellyfin::new_id() {
    // Deterministic, 32 hex digits, not in order (as Jellyfin's path hashes are not).
    std::uint64_t x = next_id_++ * 0x9E3779B97F4A7C15ULL;
    std::uint64_t y = x ^ (x >> 29) ^ 0xD1B54A32D192ED03ULL;
    char buf[40];
    std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(x), static_cast<unsigned long long>(y));
    return buf;
}

std::int64_t FakeJellyfin::now_locked() const {
    return static_cast<std::int64_t>(std::time(nullptr)) + clock_offset_;
}

void FakeJellyfin::generate() {
    users_.push_back({new_id(), kAdmin, kAdminPassword, true});
    users_.push_back({new_id(), kUser, kUserPassword, false});
    api_key_ = new_id();
    for (const User& u : users_) {
        const std::string token = new_id();
        sessions_[token] = u.id;
        user_tokens_[u.id] = token;
    }
    music_id_ = new_id();
    movies_id_ = new_id();
    playlists_view_id_ = new_id();
    const std::int64_t saved = now_locked() - kSavedLongAgo;
    std::string album_id, artist_id;
    std::string album_name, artist_name, mb_album;
    for (std::size_t i = 0; i < options_.tracks; ++i) {
        const std::size_t album = i / std::max<std::size_t>(1, options_.tracks_per_album);
        const std::size_t artist = album / std::max<std::size_t>(1, options_.albums_per_artist);
        if (i % std::max<std::size_t>(1, options_.tracks_per_album) == 0) {
            album_id = new_id();
            if (album % std::max<std::size_t>(1, options_.albums_per_artist) == 0) {
                artist_id = new_id();
                artist_name = std::string(kArtists[artist % kArtists.size()]) + " " + std::to_string(artist);
            }
            album_name = "Album " + std::to_string(album);
            mb_album = new_id();
        }
        Track track;
        FakeJellyfinTrack& t = track.t;
        t.id = new_id();
        t.name = std::string(kTitles[i % kTitles.size()]) + " " + std::to_string(i);
        t.album = album_name;
        t.album_id = album_id;
        t.album_artist = artist_name;
        t.album_artist_id = artist_id;
        t.artists = {artist_name};
        if (i % 6 == 3) t.artists.push_back("Guest " + std::to_string(i % 4));
        t.genres = {std::string(kGenres[album % kGenres.size()])};
        t.year = i % 10 == 9 ? 0 : kFirstYear + static_cast<int>(album % kYearSpread);
        t.index = static_cast<std::uint32_t>(i % options_.tracks_per_album + 1);
        t.disc = 1;
        t.ticks = (kMinSeconds + (i * 37) % kSecondsSpread) * kTicksPerSecond + 1234567;
        t.date_created = options_.base_time + static_cast<std::int64_t>(i) * kTrackSpacingSeconds;
        t.date_last_saved = saved;
        t.path = "/media/music/" + artist_name + "/" + album_name + "/" + std::to_string(t.index) + " " + t.name + ".flac";
        if (i % kMbidEvery == 0) {
            t.mb_track = new_id().substr(0, 8) + "-aaaa-4bbb-8ccc-" + new_id().substr(0, 12);
            t.mb_recording = new_id().substr(0, 8) + "-1111-4222-8333-" + new_id().substr(0, 12);
            t.mb_album = mb_album.substr(0, 8) + "-dddd-4eee-8fff-" + mb_album.substr(8, 12);
        }
        for (const User& u : users_) {
            FakeJellyfinUserData d;
            const std::size_t shift = u.admin ? 0 : 1;
            if ((i + shift) % kPlayedEvery == 1) {
                d.play_count = 1 + i % 9;
                d.last_played = t.date_created + 3600;
            }
            d.favourite = (i + shift) % kFavouriteEvery == 2;
            if ((i + shift) % kRatedEvery == 4) d.rating = static_cast<double>(i % 11);
            track.data[u.id] = d;
        }
        track_index_[t.id] = tracks_.size();
        tracks_.push_back(std::move(track));
    }
}

// --- accessors --------------------------------------------------------------------------------------

std::string FakeJellyfin::api_key() const {
    std::lock_guard lock(mutex_);
    return api_key_;
}

std::string FakeJellyfin::user_id(std::string_view name) const {
    std::lock_guard lock(mutex_);
    for (const User& u : users_) {
        if (u.name == name) return u.id;
    }
    return {};
}

std::string FakeJellyfin::token_of(std::string_view name) const {
    std::lock_guard lock(mutex_);
    for (const User& u : users_) {
        if (u.name != name) continue;
        const auto it = user_tokens_.find(u.id);
        return it != user_tokens_.end() ? it->second : std::string();
    }
    return {};
}

void FakeJellyfin::revoke_sessions() {
    std::lock_guard lock(mutex_);
    sessions_.clear();
    user_tokens_.clear();
}

std::size_t FakeJellyfin::logins() const {
    std::lock_guard lock(mutex_);
    return logins_;
}

std::string FakeJellyfin::music_library_id() const {
    std::lock_guard lock(mutex_);
    return music_id_;
}

std::size_t FakeJellyfin::track_count() const {
    std::lock_guard lock(mutex_);
    return tracks_.size();
}

std::vector<std::string> FakeJellyfin::track_ids() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const Track& t : tracks_) out.push_back(t.t.id);
    return out;
}

FakeJellyfinTrack FakeJellyfin::track_at(std::size_t i) const {
    std::lock_guard lock(mutex_);
    return tracks_.at(i).t;
}

std::optional<FakeJellyfinTrack> FakeJellyfin::find_track(std::string_view id) const {
    std::lock_guard lock(mutex_);
    const auto it = track_index_.find(id);
    if (it == track_index_.end()) return std::nullopt;
    return tracks_[it->second].t;
}

FakeJellyfinUserData FakeJellyfin::user_data(std::string_view user, std::string_view id) const {
    std::lock_guard lock(mutex_);
    const auto it = track_index_.find(id);
    if (it == track_index_.end()) return {};
    for (const User& u : users_) {
        if (u.name == user) return tracks_[it->second].data.at(u.id);
    }
    return {};
}

std::int64_t FakeJellyfin::now() const {
    std::lock_guard lock(mutex_);
    return now_locked();
}

void FakeJellyfin::set_clock_offset(std::int64_t seconds) {
    std::lock_guard lock(mutex_);
    clock_offset_ = seconds;
}

// --- mutations --------------------------------------------------------------------------------------

bool FakeJellyfin::set_track_name(std::string_view id, std::string name) {
    std::lock_guard lock(mutex_);
    const auto it = track_index_.find(id);
    if (it == track_index_.end()) return false;
    tracks_[it->second].t.name = std::move(name);
    tracks_[it->second].t.date_last_saved = now_locked();
    return true;
}

std::string FakeJellyfin::add_track(std::string name) {
    std::lock_guard lock(mutex_);
    Track track = tracks_.empty() ? Track{} : tracks_.front();
    track.t.id = new_id();
    track.t.name = std::move(name);
    track.t.path = "/media/music/new/" + track.t.id + ".flac";
    track.t.mb_track = track.t.mb_recording = track.t.mb_album = "";
    // A new file: created now (its own file time), saved at the scan that found it.
    track.t.date_created = now_locked();
    track.t.date_last_saved = now_locked();
    for (auto& [user, d] : track.data) d = FakeJellyfinUserData{};
    track_index_[track.t.id] = tracks_.size();
    tracks_.push_back(std::move(track));
    return tracks_.back().t.id;
}

bool FakeJellyfin::delete_track(std::string_view id) {
    std::lock_guard lock(mutex_);
    const auto it = track_index_.find(id);
    if (it == track_index_.end()) return false;
    tracks_.erase(tracks_.begin() + static_cast<std::ptrdiff_t>(it->second));
    track_index_.clear();
    for (std::size_t i = 0; i < tracks_.size(); ++i) track_index_[tracks_[i].t.id] = i;
    return true;
}

std::string FakeJellyfin::move_track(std::string_view id) {
    std::lock_guard lock(mutex_);
    const auto it = track_index_.find(id);
    if (it == track_index_.end()) return {};
    const std::size_t at = it->second;
    track_index_.erase(it);
    Track& track = tracks_[at];
    track.t.id = new_id();
    track.t.path = "/media/music/moved/" + track.t.id + ".flac";
    track.t.date_last_saved = now_locked();
    track_index_[track.t.id] = at;
    return track.t.id;
}

std::string FakeJellyfin::rekey_track(std::string_view id) {
    std::lock_guard lock(mutex_);
    const auto it = track_index_.find(id);
    if (it == track_index_.end()) return {};
    const std::size_t at = it->second;
    track_index_.erase(it);
    Track& track = tracks_[at];
    track.t.id = new_id();
    track.t.date_last_saved = now_locked();
    track_index_[track.t.id] = at;
    return track.t.id;
}

bool FakeJellyfin::play(std::string_view user, std::string_view id) {
    std::lock_guard lock(mutex_);
    const auto it = track_index_.find(id);
    if (it == track_index_.end()) return false;
    for (const User& u : users_) {
        if (u.name != user) continue;
        FakeJellyfinUserData& d = tracks_[it->second].data[u.id];
        ++d.play_count;
        d.last_played = now_locked();
        return true;
    }
    return false;
}

bool FakeJellyfin::set_favourite(std::string_view user, std::string_view id, bool favourite) {
    std::lock_guard lock(mutex_);
    const auto it = track_index_.find(id);
    if (it == track_index_.end()) return false;
    for (const User& u : users_) {
        if (u.name != user) continue;
        tracks_[it->second].data[u.id].favourite = favourite;
        return true;
    }
    return false;
}

std::vector<FakeJellyfinPlaylist> FakeJellyfin::playlists() const {
    std::lock_guard lock(mutex_);
    std::vector<FakeJellyfinPlaylist> out;
    for (const auto& [id, p] : playlists_) {
        FakeJellyfinPlaylist copy{p.id, p.name, p.owner, {}, p.sizes};
        for (const auto& e : p.entries) copy.items.push_back(e.second);
        out.push_back(std::move(copy));
    }
    return out;
}

std::optional<FakeJellyfinPlaylist> FakeJellyfin::playlist(std::string_view id) const {
    for (auto& p : playlists()) {
        if (p.id == id) return p;
    }
    return std::nullopt;
}

// --- faults -------------------------------------------------------------------------------------------

std::size_t FakeJellyfin::add_rule(FakeJellyfinRule rule) {
    std::lock_guard lock(mutex_);
    rules_.push_back({std::move(rule), 0, 0});
    return rules_.size() - 1;
}

std::size_t FakeJellyfin::rule_hits(std::size_t index) const {
    std::lock_guard lock(mutex_);
    return index < rules_.size() ? rules_[index].hits : 0;
}

void FakeJellyfin::die_after_track_pages(std::size_t pages) {
    std::lock_guard lock(mutex_);
    die_after_ = pages;
    track_pages_served_ = 0;
}

void FakeJellyfin::clear_faults() {
    std::lock_guard lock(mutex_);
    rules_.clear();
    die_after_.reset();
}

std::size_t FakeJellyfin::track_page_requests() const { return track_page_requests_.load(); }
std::size_t FakeJellyfin::unauthorized_requests() const { return unauthorized_.load(); }

std::optional<FakeResponse> FakeJellyfin::intercept(const FakeRequest& request, const FakeResponse* answered) {
    const std::string path = lower(request.path);
    const std::string query = lower(request.query);
    std::lock_guard lock(mutex_);
    if (answered == nullptr && path.size() >= 6 && path.compare(path.size() - 6, 6, "/items") == 0 &&
        request.method == "GET" && query.find("includeitemtypes=audio") != std::string::npos) {
        if (die_after_ && track_pages_served_++ >= *die_after_) {
            if (!died_) {
                died_ = true;
                // stop() joins the connection threads, this one included: it must run elsewhere.
                killer_ = std::thread([this] { http_.stop(); });
            }
            return FakeResponse::hanging();
        }
    }
    for (Rule& r : rules_) {
        if (r.rule.after != (answered != nullptr)) continue;
        if (!r.rule.method.empty() && r.rule.method != request.method) continue;
        if (path.rfind(lower(r.rule.path_prefix), 0) != 0) continue;
        if (!r.rule.query_contains.empty() && query.find(lower(r.rule.query_contains)) == std::string::npos) continue;
        if (r.matched++ < r.rule.skip || r.hits >= r.rule.times) continue;
        ++r.hits;
        return finish(problem(r.rule.status, "Service Unavailable", "fault injected by FakeJellyfin"));
    }
    return std::nullopt;
}

// --- dispatch -----------------------------------------------------------------------------------------

FakeResponse FakeJellyfin::finish(FakeResponse response) const {
    response.headers.emplace_back("Date", http_date(static_cast<std::int64_t>(std::time(nullptr)) + clock_offset_));
    response.headers.emplace_back("Server", "Kestrel");
    return response;
}

FakeResponse FakeJellyfin::dispatch(const FakeRequest& request) {
    const Query query(request.query);
    const std::vector<std::string> segments = split(lower(request.path), '/');
    const auto is = [&](std::initializer_list<std::string_view> want) {
        if (segments.size() != want.size()) return false;
        std::size_t i = 0;
        for (const std::string_view w : want) {
            if (w != "*" && segments[i] != w) return false;
            ++i;
        }
        return true;
    };
    if (is({"system", "info", "public"}) && request.method == "GET") {
        std::lock_guard lock(mutex_);
        std::string body = "{\"LocalAddress\":\"" + http_.url() + "\",\"ServerName\":";
        put_str(body, options_.server_name);
        body += ",\"Version\":";
        put_str(body, options_.version);
        body += ",\"ProductName\":\"Jellyfin Server\",\"OperatingSystem\":\"\",\"Id\":";
        put_str(body, options_.server_id);
        body += ",\"StartupWizardCompleted\":true}";
        return finish(jf_json(std::move(body)));
    }
    if (is({"users", "authenticatebyname"}) && request.method == "POST") return finish(handle_authenticate(request));

    // Everything else needs a token.
    Auth auth;
    {
        std::string token;
        for (const char* name : {"authorization", "x-emby-authorization"}) {
            const std::string* header = request.header(name);
            if (header == nullptr) continue;
            const std::string lowered = lower(*header);
            const std::size_t at = lowered.find("token=");
            if (at == std::string::npos) continue;
            std::size_t begin = at + 6;
            const bool quoted = begin < header->size() && (*header)[begin] == '"';
            if (quoted) ++begin;
            std::size_t end = header->find(quoted ? '"' : ',', begin);
            if (end == std::string::npos) end = header->size();
            token = header->substr(begin, end - begin);
        }
        for (const char* name : {"x-emby-token", "x-mediabrowser-token"}) {
            if (token.empty() && request.header(name) != nullptr) token = *request.header(name);
        }
        if (token.empty()) token = query.get("api_key").value_or(std::string());
        std::lock_guard lock(mutex_);
        if (!token.empty() && token == api_key_) auth.api_key = true;
        else if (const auto it = sessions_.find(token); it != sessions_.end()) auth.user_id = it->second;
    }
    if (!auth.ok()) {
        ++unauthorized_;
        return finish(FakeResponse::with_status(401));  // ASP.NET's challenge: no body
    }

    if (is({"users", "me"}) && request.method == "GET") {
        if (auth.api_key) return finish(problem(400, "Bad Request", "An API key has no user"));
        std::lock_guard lock(mutex_);
        const User* u = user_by_id(auth.user_id);
        std::string body = "{\"Name\":";
        put_str(body, u->name);
        body += ",\"ServerId\":\"" + options_.server_id + "\",\"Id\":\"" + u->id +
                "\",\"HasPassword\":true,\"Policy\":{\"IsAdministrator\":" + (u->admin ? "true" : "false") + "}}";
        return finish(jf_json(std::move(body)));
    }
    if (is({"users"}) && request.method == "GET") {
        std::lock_guard lock(mutex_);
        const User* caller = auth.api_key ? nullptr : user_by_id(auth.user_id);
        if (caller != nullptr && !caller->admin) return finish(problem(403, "Forbidden"));
        std::string body = "[";
        for (const User& u : users_) {
            if (body.size() > 1) body += ',';
            body += "{\"Name\":";
            put_str(body, u.name);
            body += ",\"ServerId\":\"" + options_.server_id + "\",\"Id\":\"" + u.id + "\",\"Policy\":{\"IsAdministrator\":" +
                    (u.admin ? "true" : "false") + "}}";
        }
        body += ']';
        return finish(jf_json(std::move(body)));
    }
    if (is({"userviews"}) && request.method == "GET") return finish(handle_views(auth, query, {}));
    if (is({"users", "*", "views"}) && request.method == "GET") return finish(handle_views(auth, query, segments[1]));
    if (is({"items"}) && request.method == "GET") return finish(handle_items(request, auth, query, {}));
    if (is({"users", "*", "items"}) && request.method == "GET") return finish(handle_items(request, auth, query, segments[1]));
    if (is({"items", "*"}) && request.method == "DELETE") {
        std::lock_guard lock(mutex_);
        const auto id = guid(segments[1]);
        if (!id || playlists_.erase(*id) == 0) return finish(problem(404, "Not Found"));
        FakeResponse r;
        r.status = 204;
        return finish(r);
    }
    if (!segments.empty() && segments[0] == "playlists") return finish(handle_playlists(request, auth, query, segments));
    return finish(problem(404, "Not Found"));
}

const FakeJellyfin::User* FakeJellyfin::user_by_id(std::string_view id) const {
    for (const User& u : users_) {
        if (u.id == id) return &u;
    }
    return nullptr;
}

FakeResponse FakeJellyfin::handle_authenticate(const FakeRequest& request) {
    rapidjson::Document doc;
    doc.Parse(request.body.c_str(), request.body.size());
    if (doc.HasParseError() || !doc.IsObject()) return problem(400, "Bad Request", "The request body is not JSON");
    const rapidjson::Value* name = member(doc, "Username");
    const rapidjson::Value* pw = member(doc, "Pw");
    std::lock_guard lock(mutex_);
    for (const User& u : users_) {
        if (name == nullptr || !name->IsString() || !iequals(name->GetString(), u.name)) continue;
        if (pw == nullptr || !pw->IsString() || u.password != pw->GetString()) break;
        ++logins_;
        const std::string token = new_id();
        sessions_[token] = u.id;
        std::string body = "{\"User\":{\"Name\":";
        put_str(body, u.name);
        body += ",\"ServerId\":\"" + options_.server_id + "\",\"Id\":\"" + u.id + "\"},\"SessionInfo\":{\"UserId\":\"" +
                u.id + "\",\"Client\":\"plexmix\"},\"AccessToken\":\"" + token + "\",\"ServerId\":\"" +
                options_.server_id + "\"}";
        return jf_json(std::move(body));
    }
    ++unauthorized_;
    return FakeResponse::with_status(401);
}

FakeResponse FakeJellyfin::handle_views(const Auth& auth, const Query& query, std::string user_from_path) {
    std::string wanted = user_from_path.empty() ? query.get("userId").value_or(std::string()) : user_from_path;
    std::lock_guard lock(mutex_);
    if (wanted.empty()) wanted = auth.user_id;
    const auto id = guid(wanted);
    if (!id) return problem(400, "Bad Request", "userId is required");
    const User* caller = auth.api_key ? nullptr : user_by_id(auth.user_id);
    if (caller != nullptr && !caller->admin && caller->id != *id) return problem(403, "Forbidden");
    if (user_by_id(*id) == nullptr) return problem(404, "Not Found");
    const auto view = [&](const std::string& vid, std::string_view name, std::string_view type) {
        std::string v = "{\"Name\":";
        put_str(v, name);
        v += ",\"ServerId\":\"" + options_.server_id + "\",\"Id\":\"" + vid +
             "\",\"IsFolder\":true,\"Type\":\"CollectionFolder\",\"CollectionType\":\"" + std::string(type) + "\"}";
        return v;
    };
    std::string body = "{\"Items\":[" + view(movies_id_, "Movies", "movies") + "," + view(music_id_, kMusicTitle, "music") +
                       "," + view(playlists_view_id_, "Playlists", "playlists") + "],\"TotalRecordCount\":3,\"StartIndex\":0}";
    return jf_json(std::move(body));
}

void FakeJellyfin::render_track(std::string& out, const Track& track, const User* user, bool fields_genres,
                                bool fields_created, bool fields_path, bool fields_provider, bool images) const {
    const FakeJellyfinTrack& t = track.t;
    out += '{';
    put_name(out, "Name");
    put_str(out, t.name);
    out += ",\"ServerId\":\"" + options_.server_id + "\",\"Id\":\"" + t.id + "\"";
    if (fields_created) out += ",\"DateCreated\":\"" + iso(t.date_created) + "\"";
    out += ",\"Container\":\"flac\"";
    if (t.year != 0) out += ",\"PremiereDate\":\"" + iso(0).replace(0, 4, std::to_string(t.year)) + "\"";
    out += ",\"ChannelId\":null,\"RunTimeTicks\":" + std::to_string(t.ticks);
    if (t.year != 0) out += ",\"ProductionYear\":" + std::to_string(t.year);
    out += ",\"IndexNumber\":" + std::to_string(t.index) + ",\"ParentIndexNumber\":" + std::to_string(t.disc);
    out += ",\"IsFolder\":false,\"Type\":\"Audio\"";
    if (fields_genres) {
        put_name(out, "Genres");
        out += '[';
        for (std::size_t i = 0; i < t.genres.size(); ++i) {
            if (i != 0) out += ',';
            put_str(out, t.genres[i]);
        }
        out += ']';
    }
    if (fields_path) {
        put_name(out, "Path");
        put_str(out, t.path);
    }
    if (fields_provider) {
        out += ",\"ProviderIds\":{";
        bool first = true;
        for (const auto& [key, value] : {std::pair<const char*, const std::string*>{"MusicBrainzTrack", &t.mb_track},
                                         {"MusicBrainzRecording", &t.mb_recording},
                                         {"MusicBrainzAlbum", &t.mb_album}}) {
            if (value->empty()) continue;
            if (!first) out += ',';
            first = false;
            out += "\"" + std::string(key) + "\":";
            put_str(out, *value);
        }
        out += '}';
    }
    if (user != nullptr) {
        const FakeJellyfinUserData& d = track.data.at(user->id);
        out += ",\"UserData\":{\"PlaybackPositionTicks\":0,\"PlayCount\":" + std::to_string(d.play_count) +
               ",\"IsFavorite\":" + (d.favourite ? "true" : "false");
        if (d.rating) out += ",\"Rating\":" + std::to_string(*d.rating);
        if (d.last_played != 0) out += ",\"LastPlayedDate\":\"" + iso(d.last_played) + "\"";
        out += ",\"Played\":" + std::string(d.play_count > 0 ? "true" : "false") + ",\"Key\":\"" + t.id +
               "\",\"ItemId\":\"" + t.id + "\"}";
    }
    put_name(out, "Artists");
    out += '[';
    for (std::size_t i = 0; i < t.artists.size(); ++i) {
        if (i != 0) out += ',';
        put_str(out, t.artists[i]);
    }
    out += "],\"ArtistItems\":[{\"Name\":";
    put_str(out, t.artists.front());
    out += ",\"Id\":\"" + t.album_artist_id + "\"}]";
    put_name(out, "Album");
    put_str(out, t.album);
    out += ",\"AlbumId\":\"" + t.album_id + "\"";
    put_name(out, "AlbumArtist");
    put_str(out, t.album_artist);
    out += ",\"AlbumArtists\":[{\"Name\":";
    put_str(out, t.album_artist);
    out += ",\"Id\":\"" + t.album_artist_id + "\"}]";
    if (images) {
        out += ",\"AlbumPrimaryImageTag\":\"" + t.album_id + "\",\"ImageTags\":{\"Primary\":\"" + t.id +
               "\"},\"BackdropImageTags\":[],\"ImageBlurHashes\":{\"Primary\":{\"" + t.id +
               "\":\"eMJ8j@D%00%M~q4n%2%Mj[t7?bs:ofWBWB~qM{M{t7xu\"}}";
    }
    out += ",\"LocationType\":\"FileSystem\",\"MediaType\":\"Audio\"}";
}

FakeResponse FakeJellyfin::handle_items(const FakeRequest& request, const Auth& auth, const Query& query,
                                        std::string user_from_path) {
    (void)request;
    const std::string types = lower(query.get("IncludeItemTypes").value_or(std::string()));
    const bool audio = types.find("audio") != std::string::npos;
    if (audio) ++track_page_requests_;
    std::string wanted_user = user_from_path.empty() ? query.get("userId").value_or(std::string()) : user_from_path;
    // 10.9/10.10 bind @MinDateLastSavedForUser for both filters: the first alone is an error.
    if (query.get("MinDateLastSaved") && !query.get("MinDateLastSavedForUser")) {
        return problem(500, "An error occurred while processing your request.",
                       "Must add values for the following parameters: @MinDateLastSavedForUser");
    }
    std::optional<std::int64_t> min_saved;
    for (const char* name : {"MinDateLastSaved", "MinDateLastSavedForUser"}) {
        if (const auto v = query.get(name)) {
            const auto t = parse_iso(*v);
            if (!t) return problem(400, "One or more validation errors occurred.", std::string("The value is not valid for ") + name);
            min_saved = std::max(min_saved.value_or(*t), *t);
        }
    }
    std::lock_guard lock(mutex_);
    if (wanted_user.empty()) wanted_user = auth.user_id;
    const User* user = nullptr;
    if (!wanted_user.empty()) {
        const auto id = guid(wanted_user);
        if (!id) return problem(400, "One or more validation errors occurred.", "The value is not valid for userId");
        const User* caller = auth.api_key ? nullptr : user_by_id(auth.user_id);
        if (caller != nullptr && !caller->admin && caller->id != *id) return problem(403, "Forbidden");
        user = user_by_id(*id);
        if (user == nullptr) return problem(404, "Not Found");
    } else if (!auth.api_key) {
        return problem(400, "Bad Request", "userId is required");
    }
    const std::string fields = lower(query.get("Fields").value_or(std::string()));
    const bool with_user_data = query.flag("EnableUserData", true) && user != nullptr;
    const bool images = query.flag("EnableImages", true);
    const bool count_all = query.flag("EnableTotalRecordCount", true);
    std::uint64_t start = 0, limit = UINT64_MAX;
    if (const auto v = query.get("StartIndex")) std::from_chars(v->data(), v->data() + v->size(), start);
    if (const auto v = query.get("Limit")) std::from_chars(v->data(), v->data() + v->size(), limit);

    std::string items;
    std::uint64_t total = 0, shown = 0;
    if (types.find("playlist") != std::string::npos) {
        for (const auto& [id, p] : playlists_) {
            if (user != nullptr && p.owner != user->id) continue;
            if (total++ < start || shown >= limit) continue;
            ++shown;
            if (!items.empty()) items += ',';
            items += "{\"Name\":";
            put_str(items, p.name);
            items += ",\"ServerId\":\"" + options_.server_id + "\",\"Id\":\"" + p.id +
                     "\",\"IsFolder\":true,\"Type\":\"Playlist\",\"MediaType\":\"Audio\"}";
        }
    } else {
        if (const auto parent = query.get("ParentId"); parent && guid(*parent) != music_id_) {
            return jf_json("{\"Items\":[],\"TotalRecordCount\":0,\"StartIndex\":" + std::to_string(start) + "}");
        }
        std::optional<std::set<std::string>> ids;
        if (const auto v = query.get("Ids")) {
            ids.emplace();
            for (const std::string& part : split(*v, ',')) {
                const auto id = guid(part);
                if (!id) return problem(400, "One or more validation errors occurred.", "The value is not valid for ids");
                ids->insert(*id);
            }
        }
        const bool favourites = query.flag("IsFavorite", false) || lower(query.get("Filters").value_or("")).find("isfavorite") != std::string::npos;
        const std::optional<bool> played = query.get("IsPlayed") ? std::optional<bool>(query.flag("IsPlayed", false)) : std::nullopt;
        const auto data_of = [&](const Track& t) -> const FakeJellyfinUserData* {
            return user != nullptr ? &t.data.at(user->id) : nullptr;
        };
        std::vector<const Track*> chosen;
        chosen.reserve(tracks_.size());
        for (const Track& t : tracks_) {
            if (ids && ids->count(t.t.id) == 0) continue;
            if (min_saved && t.t.date_last_saved < *min_saved) continue;
            if (favourites && (data_of(t) == nullptr || !data_of(t)->favourite)) continue;
            if (played && (data_of(t) == nullptr || (data_of(t)->play_count > 0) != *played)) continue;
            chosen.push_back(&t);
        }
        const std::vector<std::string> sort = split(lower(query.get("SortBy").value_or(std::string())), ',');
        if (!sort.empty()) {
            // As a database with an index answers it: each key computed once per item, and only
            // the requested window put in order (the rest stays unsorted), ties in library order.
            const bool descending = lower(query.get("SortOrder").value_or("")).rfind("descending", 0) == 0;
            enum class By { created, played, name };
            std::vector<By> by;
            for (const std::string& name : sort) {
                by.push_back(name == "datecreated" ? By::created : name == "dateplayed" ? By::played : By::name);
            }
            std::vector<std::string> names;
            if (std::find(by.begin(), by.end(), By::name) != by.end()) {
                names.reserve(chosen.size());
                for (const Track* t : chosen) names.push_back(lower(t->t.name));
            }
            const auto key = [&](std::size_t i, By b) -> std::pair<std::int64_t, std::string_view> {
                switch (b) {
                    case By::created: return {chosen[i]->t.date_created, {}};
                    case By::played: return {data_of(*chosen[i]) ? data_of(*chosen[i])->last_played : 0, {}};
                    case By::name: break;
                }
                return {0, names[i]};
            };
            std::vector<std::size_t> order(chosen.size());
            for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
            const std::size_t window =
                limit == UINT64_MAX ? order.size() : static_cast<std::size_t>(std::min<std::uint64_t>(order.size(), start + limit));
            std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(window), order.end(),
                              [&](std::size_t a, std::size_t b) {
                                  for (const By b_by : by) {
                                      const auto ka = key(a, b_by), kb = key(b, b_by);
                                      if (ka != kb) return descending ? kb < ka : ka < kb;
                                  }
                                  return a < b;
                              });
            std::vector<const Track*> sorted;
            sorted.reserve(chosen.size());
            for (const std::size_t i : order) sorted.push_back(chosen[i]);
            chosen = std::move(sorted);
        }
        total = chosen.size();
        const bool g = fields.find("genres") != std::string::npos, c = fields.find("datecreated") != std::string::npos,
                   p = fields.find("path") != std::string::npos, pr = fields.find("providerids") != std::string::npos;
        for (std::uint64_t i = start; i < chosen.size() && shown < limit; ++i, ++shown) {
            if (!items.empty()) items += ',';
            render_track(items, *chosen[i], with_user_data ? user : nullptr, g, c, p, pr, images);
        }
    }
    std::string body = "{\"Items\":[" + items + "],\"TotalRecordCount\":" + std::to_string(count_all ? total : shown) +
                       ",\"StartIndex\":" + std::to_string(start) + "}";
    return jf_json(std::move(body));
}

FakeResponse FakeJellyfin::handle_playlists(const FakeRequest& request, const Auth& auth, const Query& query,
                                            const std::vector<std::string>& segments) {
    std::lock_guard lock(mutex_);
    const auto calling_user = [&]() -> std::optional<std::string> {
        if (!auth.user_id.empty()) return auth.user_id;
        return std::nullopt;  // an API key: User.GetUserId() is Guid.Empty
    };
    const auto user_param = [&](std::optional<std::string> given) -> std::optional<std::string> {
        if (given && !given->empty()) return guid(*given);
        return calling_user();
    };
    if (segments.size() == 1 && request.method == "POST") {
        rapidjson::Document doc;
        doc.Parse(request.body.c_str(), request.body.size());
        if (doc.HasParseError() || !doc.IsObject()) return problem(400, "Bad Request", "The request body is not JSON");
        const rapidjson::Value* name = member(doc, "Name");
        const rapidjson::Value* uid = member(doc, "UserId");
        const auto owner = user_param(uid && uid->IsString() ? std::optional<std::string>(uid->GetString()) : std::nullopt);
        if (!owner || user_by_id(*owner) == nullptr) return problem(400, "Bad Request", "Guid can't be empty (Parameter 'id')");
        Playlist p;
        p.id = new_id();
        p.name = name && name->IsString() ? name->GetString() : "";
        p.owner = *owner;
        p.created = now_locked();
        std::unordered_set<std::string> have;
        if (const rapidjson::Value* ids = member(doc, "Ids"); ids && ids->IsArray()) {
            for (const auto& v : ids->GetArray()) {
                const auto id = v.IsString() ? guid(v.GetString()) : std::nullopt;
                if (!id || track_index_.count(*id) == 0 || !have.insert(*id).second) continue;
                p.entries.emplace_back(new_id(), *id);
            }
        }
        const std::string id = p.id;
        p.sizes.push_back(p.entries.size());
        playlists_[id] = std::move(p);
        return jf_json("{\"Id\":\"" + id + "\"}");
    }
    const auto id = segments.size() >= 2 ? guid(segments[1]) : std::nullopt;
    const auto found = id ? playlists_.find(*id) : playlists_.end();
    if (found == playlists_.end()) return problem(404, "Not Found", "Playlist not found");
    Playlist& p = found->second;
    FakeResponse no_content;
    no_content.status = 204;
    if (segments.size() == 2 && request.method == "POST") {  // UpdatePlaylist: the calling user
        const auto caller = calling_user();
        if (!caller) return problem(400, "Bad Request", "Guid can't be empty (Parameter 'id')");
        if (*caller != p.owner) return problem(403, "Forbidden");
        rapidjson::Document doc;
        doc.Parse(request.body.c_str(), request.body.size());
        if (doc.HasParseError() || !doc.IsObject()) return problem(400, "Bad Request", "The request body is not JSON");
        if (const rapidjson::Value* name = member(doc, "Name"); name && name->IsString()) p.name = name->GetString();
        return no_content;
    }
    if (segments.size() != 3 || segments[2] != "items") return problem(404, "Not Found");
    if (request.method == "GET") {
        const auto user = user_param(query.get("userId"));
        if (!user || *user != p.owner) return problem(403, "Forbidden");
        std::uint64_t start = 0, limit = UINT64_MAX;
        if (const auto v = query.get("StartIndex")) std::from_chars(v->data(), v->data() + v->size(), start);
        if (const auto v = query.get("Limit")) std::from_chars(v->data(), v->data() + v->size(), limit);
        std::string items;
        std::uint64_t shown = 0;
        for (std::uint64_t i = start; i < p.entries.size() && shown < limit; ++i) {
            const auto t = track_index_.find(p.entries[i].second);
            if (t == track_index_.end()) continue;
            if (!items.empty()) items += ',';
            std::string one;
            render_track(one, tracks_[t->second], nullptr, false, false, false, false, false);
            one.pop_back();
            items += one + ",\"PlaylistItemId\":\"" + p.entries[i].first + "\"}";
            ++shown;
        }
        return jf_json("{\"Items\":[" + items + "],\"TotalRecordCount\":" + std::to_string(p.entries.size()) +
                       ",\"StartIndex\":" + std::to_string(start) + "}");
    }
    if (request.method == "POST") {
        const auto user = user_param(query.get("userId"));
        if (!user || *user != p.owner) return problem(403, "Forbidden");
        std::unordered_set<std::string> have;
        for (const auto& e : p.entries) have.insert(e.second);
        for (const std::string& part : split(query.get("ids").value_or(std::string()), ',')) {
            const auto item = guid(part);
            // Unknown items are skipped; so are items already there (playlists:allowDuplicates off).
            if (!item || track_index_.count(*item) == 0 || !have.insert(*item).second) continue;
            p.entries.emplace_back(new_id(), *item);
        }
        p.sizes.push_back(p.entries.size());
        return no_content;
    }
    if (request.method == "DELETE") {  // RemoveItemFromPlaylist: the calling user
        const auto caller = calling_user();
        if (!caller) return problem(400, "Bad Request", "Guid can't be empty (Parameter 'id')");
        if (*caller != p.owner) return problem(403, "Forbidden");
        const std::vector<std::string> gone = split(lower(query.get("entryIds").value_or(std::string())), ',');
        const std::set<std::string> remove(gone.begin(), gone.end());
        std::erase_if(p.entries, [&](const auto& e) { return remove.count(e.first) != 0; });
        p.sizes.push_back(p.entries.size());
        return no_content;
    }
    return problem(405, "Method Not Allowed");
}

}  // namespace pmx::test
