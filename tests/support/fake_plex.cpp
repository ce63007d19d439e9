// The fake Plex Media Server: library generation, JSON rendering, routes, playlists and faults.
//
// Shapes follow what Plex Media Server sends with Accept: application/json, as documented by
// python-plexapi (audio.py, playlist.py), the PMS OpenAPI description (plexapi.dev) and
// plexopedia.com (/identity). No code was copied from them.
#include "support/fake_plex.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <utility>

namespace pmx::test {
namespace {

// --- generation constants ---------------------------------------------------------------------

constexpr std::uint64_t kFirstRatingKey = 101;         // Plex keys are small integers
constexpr std::uint64_t kFirstMediaId = 5001;
constexpr std::int64_t kTrackSpacingSeconds = 60;      // addedAt step between generated tracks
constexpr std::int64_t kUpdateSpreadSeconds = 86'400;  // updatedAt = addedAt + up to a day
constexpr std::uint64_t kUpdateScramble = 7919;        // a prime: spreads updatedAt over tracks
constexpr std::uint64_t kMinDurationMs = 120'000;
constexpr std::uint64_t kDurationSpreadMs = 300'000;
constexpr std::uint64_t kBytesPerMs = 176;             // ~1411 kbit/s FLAC-ish file sizes
constexpr int kFirstYear = 1960;
constexpr int kYearSpread = 64;
constexpr std::size_t kRatedEvery = 3;                 // every 3rd track has a userRating
constexpr std::size_t kPlayedEvery = 5;                // every 5th (offset 1) was played
constexpr std::size_t kPlayedOffset = 1;
constexpr std::size_t kOwnGenreEvery = 4;              // every 4th (offset 2) has its own Genre
constexpr std::size_t kOwnGenreOffset = 2;
constexpr std::size_t kFeaturedEvery = 7;              // every 7th (offset 3) has originalTitle
constexpr std::size_t kFeaturedOffset = 3;
constexpr std::size_t kOwnYearEvery = 11;              // every 11th (offset 5) has its own year
constexpr std::size_t kOwnYearOffset = 5;
constexpr std::size_t kTwoDiscEvery = 5;               // every 5th album (offset 4) has 2 discs
constexpr std::size_t kTwoDiscOffset = 4;
constexpr std::uint64_t kMaxPlays = 9;
constexpr std::int64_t kPlayedAfterSeconds = 3'600;
constexpr int kBitrate = 1411;
constexpr int kAudioChannels = 2;
constexpr std::int64_t kMediaTagVersion = 1'700'000'000;
constexpr int kTrackNumberWidth = 2;
constexpr int kDecimalBase = 10;

// Plex 0.0-10.0 ratings, two points per star: 7.0 is 3.5 stars, 1.0 half a star.
constexpr std::array<double, 8> kRatings = {10.0, 7.0, 8.0, 3.0, 6.0, 9.0, 5.0, 1.0};

constexpr std::array<std::string_view, 10> kArtists = {
    "Björk", "Sigur Rós", "坂本龍一", "Mötley Crüe", "Beyoncé",
    "Ólafur Arnalds", "Röyksopp", "Nina Simone", "Miles Davis", "Кино"};
constexpr std::array<std::string_view, 12> kAlbums = {
    "Homogenic", "Vespertine", "Post", "Ágætis byrjun", "Takk...", "( )",
    "音楽図鑑", "async", "BTTB", "Dr. Feelgood", "Shout at the Devil", "Girls, Girls, Girls"};
constexpr std::array<std::string_view, 10> kTitles = {
    "Jóga", "Hunter", "Bachelorette", "Hoppípolla", "Svefn-g-englar",
    "12\" Mix \\ Edit", "戦場のメリークリスマス", "Energy Flow", "Glósóli", "Untitled #1 \"Vaka\""};
constexpr std::array<std::string_view, 12> kGenres = {
    "Electronic", "Art Pop", "Post-Rock", "Ambient", "Classical", "Heavy Metal",
    "R&B", "Jazz", "Soul", "Hip-Hop/Rap", "Downtempo", "Русский рок"};
constexpr std::array<std::string_view, 4> kGuests = {"Thom Yorke", "Jónsi", "David Sylvian", "Jay-Z"};

constexpr std::string_view kSectionUuid = "9a7c2f4e-1b3d-4e5f-8a6b-7c8d9e0f1a2b";
constexpr std::string_view kUriPrefix = "server://";
constexpr std::string_view kUriLibrary = "/com.plexapp.plugins.library/library/metadata/";
constexpr std::string_view kSectionsPrefix = "/library/sections/";

// --- JSON writing -------------------------------------------------------------------------------

void put_int(std::string& out, std::int64_t value) {
    std::array<char, std::numeric_limits<std::int64_t>::digits10 + 3> buf{};
    const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), value);
    out.append(buf.data(), r.ptr);
}

void put_uint(std::string& out, std::uint64_t value) {
    std::array<char, std::numeric_limits<std::uint64_t>::digits10 + 2> buf{};
    const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), value);
    out.append(buf.data(), r.ptr);
}

// Plex writes floats with a decimal point: "userRating":7.0.
void put_rating(std::string& out, double value) {
    std::array<char, 32> buf{};
    const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), value, std::chars_format::fixed, 1);
    out.append(buf.data(), r.ptr);
}

// A JSON string: UTF-8 as is, quotes, backslashes and control characters escaped.
void put_str(std::string& out, std::string_view text) {
    constexpr std::string_view kHex = "0123456789abcdef";
    constexpr unsigned char kFirstPrintable = 0x20;
    constexpr unsigned kNibble = 4;
    constexpr unsigned kLowNibble = 0xF;
    out += '"';
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (byte < kFirstPrintable) {
            out += "\\u00";
            out += kHex[byte >> kNibble];
            out += kHex[byte & kLowNibble];
        } else {
            out += c;
        }
    }
    out += '"';
}

// "name": — appends a member name (and a comma before it unless it is the first).
void put_name(std::string& out, std::string_view name, bool first = false) {
    if (!first) out += ',';
    out += '"';
    out += name;
    out += "\":";
}

void put_key(std::string& out, std::string_view name, std::uint64_t key) {
    put_name(out, name);
    out += '"';
    put_uint(out, key);
    out += '"';
}

void put_path(std::string& out, std::string_view name, std::string_view prefix, std::uint64_t key,
              std::string_view suffix = {}) {
    put_name(out, name);
    out += '"';
    out += prefix;
    put_uint(out, key);
    out += suffix;
    out += '"';
}

void put_genres(std::string& out, const std::vector<std::string>& genres) {
    if (genres.empty()) return;
    put_name(out, "Genre");
    out += '[';
    for (std::size_t i = 0; i < genres.size(); ++i) {
        if (i != 0) out += ',';
        out += "{\"tag\":";
        put_str(out, genres[i]);
        out += '}';
    }
    out += ']';
}

std::string decimal(std::uint64_t value) {
    std::string out;
    put_uint(out, value);
    return out;
}

// 24 hex digits derived from `seed` (Plex guids look like plex://track/5d07cd8e403c640290f180f9).
std::string hex24(std::uint64_t seed) {
    constexpr std::uint64_t kGolden = 0x9E3779B97F4A7C15ULL;
    constexpr std::uint64_t kMix1 = 0xBF58476D1CE4E5B9ULL;
    constexpr std::uint64_t kMix2 = 0x94D049BB133111EBULL;
    constexpr unsigned kShift1 = 30, kShift2 = 27, kShift3 = 31;
    constexpr int kHexDigits = 24;
    std::string out;
    std::uint64_t state = seed;
    while (out.size() < static_cast<std::size_t>(kHexDigits)) {
        std::uint64_t z = (state += kGolden);
        z = (z ^ (z >> kShift1)) * kMix1;
        z = (z ^ (z >> kShift2)) * kMix2;
        z ^= z >> kShift3;
        std::array<char, 17> buf{};
        std::snprintf(buf.data(), buf.size(), "%016llx", static_cast<unsigned long long>(z));
        out += buf.data();
    }
    out.resize(kHexDigits);
    return out;
}

template <std::size_t N>
std::string pick(const std::array<std::string_view, N>& names, std::size_t i, std::string_view fallback) {
    if (i < N) return std::string(names[i]);
    return std::string(fallback) + " " + decimal(i + 1);
}

std::string two_digits(std::uint32_t n) {
    std::string out = decimal(n);
    while (out.size() < static_cast<std::size_t>(kTrackNumberWidth)) out.insert(out.begin(), '0');
    return out;
}

std::optional<std::uint64_t> parse_uint(std::string_view text) {
    std::uint64_t value = 0;
    const char* const end = text.data() + text.size();
    const auto r = std::from_chars(text.data(), end, value, kDecimalBase);
    if (text.empty() || r.ec != std::errc() || r.ptr != end) return std::nullopt;
    return value;
}

// X-Plex-Container-Start / -Size, from the query or else the headers (Plex takes both).
struct Paging {
    std::size_t start = 0;
    std::optional<std::size_t> size;  // absent: everything
    bool paged = false;
};

Paging paging_of(const FakeRequest& request) {
    Paging p;
    const auto read = [&](std::string_view query_name, std::string_view header_name) -> std::optional<std::uint64_t> {
        if (auto q = request.query_param(query_name)) return parse_uint(*q);
        if (const std::string* h = request.header(header_name)) return parse_uint(*h);
        return std::nullopt;
    };
    if (auto start = read("X-Plex-Container-Start", "x-plex-container-start")) {
        p.start = static_cast<std::size_t>(*start);
        p.paged = true;
    }
    if (auto size = read("X-Plex-Container-Size", "x-plex-container-size")) {
        p.size = static_cast<std::size_t>(*size);
        p.paged = true;
    }
    return p;
}

bool accepts_json(const FakeRequest& request) {
    const std::string* accept = request.header("accept");
    return accept != nullptr && accept->find("application/json") != std::string::npos;
}

FakeResponse plex_json(std::string body) {
    FakeResponse r = FakeResponse::json(200, std::move(body));
    r.headers.clear();
    r.header("Content-Type", "application/json;charset=utf-8");
    return r;
}

FakeResponse xml_instead() {
    // Plex answers XML unless the client asks for JSON.
    FakeResponse r;
    r.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<MediaContainer size=\"0\">\n</MediaContainer>\n";
    r.header("Content-Type", "text/xml;charset=utf-8");
    return r;
}

FakeResponse bad_request(std::string why) { return FakeResponse::text(400, "400 Bad Request: " + std::move(why)); }

// An error page as Plex's web server sends it: HTML, whatever the client accepts.
FakeResponse html(int status, std::string body) {
    FakeResponse r;
    r.status = status;
    r.body = std::move(body);
    r.header("Content-Type", "text/html");
    return r;
}

FakeResponse not_found() {
    return html(404, "<html><head><title>Not Found</title></head><body><h1>404 Not Found</h1></body></html>");
}

// {"MediaContainer":{<attrs>,"Metadata":[items...]}}; Metadata is left out when empty, as Plex does.
template <class Items>
std::string container_body(const std::string& attrs, const Items& items) {
    std::size_t bytes = attrs.size() + 64;
    for (const std::string_view item : items) bytes += item.size() + 1;
    std::string out;
    out.reserve(bytes);
    out += "{\"MediaContainer\":{";
    out += attrs;
    if (!items.empty()) {
        out += ",\"Metadata\":[";
        bool first = true;
        for (const std::string_view item : items) {
            if (!first) out += ',';
            first = false;
            out += item;
        }
        out += ']';
    }
    out += "}}";
    return out;
}

// The window [start, start + size) of `count` items.
std::pair<std::size_t, std::size_t> window(const Paging& paging, std::size_t count) {
    const std::size_t begin = std::min(paging.start, count);
    const std::size_t end = paging.size ? std::min(count, begin + *paging.size) : count;
    return {begin, end};
}

void put_paging(std::string& attrs, const Paging& paging, std::size_t shown, std::size_t total) {
    put_name(attrs, "size", true);
    put_uint(attrs, shown);
    if (paging.paged) {
        put_name(attrs, "totalSize");
        put_uint(attrs, total);
        put_name(attrs, "offset");
        put_uint(attrs, paging.start);
    }
}

void add_paging_headers(FakeResponse& r, const Paging& paging, std::size_t total) {
    if (!paging.paged) return;
    r.header("X-Plex-Container-Start", decimal(paging.start));
    r.header("X-Plex-Container-Total-Size", decimal(total));
}

}  // namespace

// --- construction -------------------------------------------------------------------------------

FakePlex::FakePlex(FakePlexOptions options)
    : options_(std::move(options)), token_(options_.token), machine_identifier_(options_.machine_identifier) {
    {
        std::lock_guard lock(mutex_);
        generate();
    }
    http_.on("GET", "/identity", [this](const FakeRequest& r) { return handle_identity(r); });
    http_.on("GET", "/", [this](const FakeRequest& r) { return handle_root(r); });
    http_.on("GET", "/library/sections", [this](const FakeRequest& r) { return handle_sections(r); });
    for (const char* section : {"1", kMusicSection, "4", kEmptyMusicSection}) {
        const std::string key = section;
        http_.on("GET", std::string(kSectionsPrefix) + key + "/all",
                 [this, key](const FakeRequest& r) { return handle_section_all(r, key); });
    }
    http_.on("/playlists", [this](const FakeRequest& r) { return handle_playlists(r); });
    http_.on_prefix("/playlists/", [this](const FakeRequest& r) { return handle_playlist_path(r); });
    http_.on_prefix("/library/metadata/", [this](const FakeRequest& r) { return handle_metadata(r); });
    http_.set_interceptor(
        [this](const FakeRequest& r, const FakeResponse* answered) { return intercept(r, answered); });
}

FakePlex::~FakePlex() {
    std::thread killer;
    {
        std::lock_guard lock(mutex_);
        killer = std::move(killer_);
    }
    if (killer.joinable()) killer.join();
    http_.stop();
}

void FakePlex::generate() {
    if (!options_.albums.empty()) {
        generate_given();
        return;
    }
    const std::size_t track_total = options_.tracks;
    const std::size_t per_album = std::max<std::size_t>(options_.tracks_per_album, 1);
    const std::size_t per_artist = std::max<std::size_t>(options_.albums_per_artist, 1);
    const std::size_t album_total = std::max<std::size_t>((track_total + per_album - 1) / per_album, 1);
    const std::size_t artist_total = (album_total + per_artist - 1) / per_artist;
    const std::int64_t base = options_.base_time;

    next_key_ = kFirstRatingKey;
    std::vector<std::uint64_t> artist_keys(artist_total);
    for (std::size_t i = 0; i < artist_total; ++i) {
        Artist a;
        a.key = next_key_++;
        a.guid = "plex://artist/" + hex24(a.key);
        a.title = pick(kArtists, i, "Artist");
        a.added_at = base + static_cast<std::int64_t>(i * per_artist * per_album) * kTrackSpacingSeconds;
        a.updated_at = a.added_at;
        render(a);
        artist_keys[i] = a.key;
        artists_.emplace(a.key, std::move(a));
    }
    std::vector<std::uint64_t> album_keys(album_total);
    for (std::size_t i = 0; i < album_total; ++i) {
        Album al;
        al.key = next_key_++;
        al.artist_key = artist_keys[i / per_artist];
        al.guid = "plex://album/" + hex24(al.key);
        al.title = pick(kAlbums, i, "Album");
        al.year = kFirstYear + static_cast<int>((i * kUpdateScramble) % kYearSpread);
        al.genres.emplace_back(kGenres[i % kGenres.size()]);
        if (i % 2 == 0) al.genres.emplace_back(kGenres[(i + kGenres.size() / 2) % kGenres.size()]);
        al.added_at = base + static_cast<std::int64_t>(i * per_album) * kTrackSpacingSeconds;
        al.updated_at = al.added_at;
        album_keys[i] = al.key;
        albums_.emplace(al.key, std::move(al));
    }
    std::uint64_t media_id = kFirstMediaId;
    std::int64_t latest = base;
    for (std::size_t t = 0; t < track_total; ++t) {
        const std::size_t album_index = t / per_album;
        Album& album = albums_.at(album_keys[album_index]);
        const Artist& artist = artists_.at(album.artist_key);
        const std::size_t position = t % per_album;  // 0-based within the album
        Track tr;
        tr.key = next_key_++;
        tr.album_key = album.key;
        tr.artist_key = artist.key;
        tr.guid = "plex://track/" + hex24(tr.key);
        tr.title = pick(kTitles, t, "Track");
        const bool two_discs = album_index % kTwoDiscEvery == kTwoDiscOffset && per_album > 1;
        const std::size_t half = (per_album + 1) / 2;
        tr.disc = two_discs && position >= half ? 2 : 1;
        tr.index = static_cast<std::uint32_t>(two_discs && position >= half ? position - half + 1 : position + 1);
        tr.duration_ms = kMinDurationMs + (t * kUpdateScramble) % kDurationSpreadMs;
        tr.media_id = media_id++;
        tr.part_id = media_id++;
        if (t % kFeaturedEvery == kFeaturedOffset) {
            tr.original_title = artist.title + " feat. " + std::string(kGuests[t % kGuests.size()]);
        }
        if (t % kOwnGenreEvery == kOwnGenreOffset) tr.genres.emplace_back(kGenres[(t / kOwnGenreEvery) % kGenres.size()]);
        if (t % kOwnYearEvery == kOwnYearOffset) tr.year = album.year + 1;
        tr.added_at = base + static_cast<std::int64_t>(t) * kTrackSpacingSeconds;
        tr.updated_at = tr.added_at + static_cast<std::int64_t>((t * kUpdateScramble) % kUpdateSpreadSeconds);
        if (t % kRatedEvery == 0) {
            tr.user_rating = kRatings[(t / kRatedEvery) % kRatings.size()];
            tr.last_rated_at = tr.updated_at;
        }
        if (t % kPlayedEvery == kPlayedOffset) {
            tr.view_count = 1 + t % kMaxPlays;
            tr.last_viewed_at = tr.updated_at + kPlayedAfterSeconds;
        }
        tr.file = "/data/music/" + artist.title + "/" + album.title + "/" + two_digits(tr.index) + " - " + tr.title + ".flac";
        latest = std::max({latest, tr.updated_at, tr.last_viewed_at.value_or(0)});
        ++album.leaf_count;
        render(tr);
        tracks_.emplace(tr.key, std::move(tr));
    }
    for (auto& [key, album] : albums_) render(album);
    clock_ = latest + 1;
    views_dirty_ = true;
}

void FakePlex::generate_given() {
    const std::int64_t base = options_.base_time;
    next_key_ = kFirstRatingKey;
    std::map<std::string, std::uint64_t> artist_by_name;
    std::uint64_t media_id = kFirstMediaId;
    std::int64_t latest = base;
    std::size_t t = 0;  // tracks so far: spaces addedAt
    for (const FakePlexAlbumSpec& spec : options_.albums) {
        auto [at, added] = artist_by_name.try_emplace(spec.artist, 0);
        if (added) {
            Artist a;
            a.key = next_key_++;
            a.guid = "plex://artist/" + hex24(a.key);
            a.title = spec.artist;
            a.added_at = base + static_cast<std::int64_t>(t) * kTrackSpacingSeconds;
            a.updated_at = a.added_at;
            render(a);
            at->second = a.key;
            artists_.emplace(a.key, std::move(a));
        }
        Album al;
        al.key = next_key_++;
        al.artist_key = at->second;
        al.guid = "plex://album/" + hex24(al.key);
        al.title = spec.title;
        al.year = spec.year;
        al.genres = spec.genres;
        al.added_at = base + static_cast<std::int64_t>(t) * kTrackSpacingSeconds;
        al.updated_at = al.added_at;
        const std::uint64_t album_key = al.key;
        albums_.emplace(al.key, std::move(al));
        Album& album = albums_.at(album_key);
        const Artist& artist = artists_.at(album.artist_key);
        for (const FakePlexTrackSpec& ts : spec.tracks) {
            Track tr;
            tr.key = next_key_++;
            tr.album_key = album.key;
            tr.artist_key = artist.key;
            tr.guid = "plex://track/" + hex24(tr.key);
            tr.title = ts.title;
            tr.original_title = ts.original_title;
            tr.genres = ts.genres;
            tr.disc = 1;
            tr.index = static_cast<std::uint32_t>(album.leaf_count + 1);
            tr.duration_ms = ts.duration_ms;
            tr.media_id = media_id++;
            tr.part_id = media_id++;
            tr.year = ts.year;
            tr.added_at = base + static_cast<std::int64_t>(t) * kTrackSpacingSeconds;
            tr.updated_at = tr.added_at;
            tr.user_rating = ts.user_rating;
            if (ts.user_rating) tr.last_rated_at = tr.updated_at;
            tr.view_count = ts.view_count;
            tr.last_viewed_at = ts.last_viewed_at;
            tr.file = "/data/music/" + artist.title + "/" + album.title + "/" + two_digits(tr.index) + " - " +
                      tr.title + ".flac";
            latest = std::max({latest, tr.updated_at, tr.last_viewed_at.value_or(0)});
            ++album.leaf_count;
            ++t;
            render(tr);
            tracks_.emplace(tr.key, std::move(tr));
        }
    }
    for (auto& [key, album] : albums_) render(album);
    clock_ = latest + 1;
    views_dirty_ = true;
}

std::int64_t FakePlex::tick() { return ++clock_; }

void FakePlex::content_changed_locked(bool scanned) {
    content_changed_at_ = tick();
    if (scanned) section_updated_at_ = content_changed_at_;
}

// --- rendering ----------------------------------------------------------------------------------

void FakePlex::render(Artist& a) { render_to(a, a.json); }

void FakePlex::render_to(const Artist& a, std::string& o) const {
    o.clear();
    o += '{';
    put_name(o, "ratingKey", true);
    o += '"';
    put_uint(o, a.key);
    o += '"';
    put_path(o, "key", "/library/metadata/", a.key, "/children");
    put_name(o, "guid");
    put_str(o, a.guid);
    o += ",\"type\":\"artist\"";
    put_name(o, "title");
    put_str(o, a.title);
    o += ",\"librarySectionTitle\":\"Music\",\"librarySectionID\":3,\"librarySectionKey\":\"/library/sections/3\"";
    o += ",\"summary\":\"\",\"index\":1";
    put_path(o, "thumb", "/library/metadata/", a.key, "/thumb/" + decimal(static_cast<std::uint64_t>(a.updated_at)));
    put_name(o, "addedAt");
    put_int(o, a.added_at);
    put_name(o, "updatedAt");
    put_int(o, a.updated_at);
    o += '}';
}

void FakePlex::render(Album& al) {
    render_to(al, al.json);
    al.json.shrink_to_fit();
}

void FakePlex::render_to(const Album& al, std::string& o) const {
    const Artist& artist = artists_.at(al.artist_key);
    o.clear();
    o += '{';
    put_name(o, "ratingKey", true);
    o += '"';
    put_uint(o, al.key);
    o += '"';
    put_path(o, "key", "/library/metadata/", al.key, "/children");
    put_key(o, "parentRatingKey", artist.key);
    put_name(o, "guid");
    put_str(o, al.guid);
    put_name(o, "parentGuid");
    put_str(o, artist.guid);
    o += ",\"studio\":\"Fake Records\",\"type\":\"album\"";
    put_name(o, "title");
    put_str(o, al.title);
    put_path(o, "parentKey", "/library/metadata/", artist.key);
    o += ",\"librarySectionTitle\":\"Music\",\"librarySectionID\":3,\"librarySectionKey\":\"/library/sections/3\"";
    put_name(o, "parentTitle");
    put_str(o, artist.title);
    o += ",\"summary\":\"\",\"index\":1";
    if (al.year != 0) {  // an album of unknown year has neither
        put_name(o, "year");
        put_int(o, al.year);
    }
    put_path(o, "thumb", "/library/metadata/", al.key, "/thumb/" + decimal(static_cast<std::uint64_t>(al.updated_at)));
    if (al.year != 0) {
        put_name(o, "originallyAvailableAt");
        o += '"';
        put_int(o, al.year);
        o += "-01-01\"";
    }
    put_name(o, "leafCount");
    put_uint(o, al.leaf_count);
    o += ",\"viewedLeafCount\":0";
    put_name(o, "addedAt");
    put_int(o, al.added_at);
    put_name(o, "updatedAt");
    put_int(o, al.updated_at);
    o += ",\"loudnessAnalysisVersion\":\"2\",\"musicAnalysisVersion\":\"1\"";
    put_genres(o, al.genres);
    o += '}';
}

void FakePlex::render(Track& t) {
    render_to(t, t.json);
    t.json.shrink_to_fit();  // 200,000 of these: keep exactly what a page needs
}

void FakePlex::render_to(const Track& t, std::string& o) const {
    const Album& album = albums_.at(t.album_key);
    const Artist& artist = artists_.at(t.artist_key);
    const std::string stamp = decimal(static_cast<std::uint64_t>(t.updated_at));
    o.clear();
    o += '{';
    put_name(o, "ratingKey", true);
    o += '"';
    put_uint(o, t.key);
    o += '"';
    put_path(o, "key", "/library/metadata/", t.key);
    put_key(o, "parentRatingKey", album.key);
    put_key(o, "grandparentRatingKey", artist.key);
    put_name(o, "guid");
    put_str(o, t.guid);
    put_name(o, "parentGuid");
    put_str(o, album.guid);
    put_name(o, "grandparentGuid");
    put_str(o, artist.guid);
    o += ",\"parentStudio\":\"Fake Records\",\"type\":\"track\"";
    put_name(o, "title");
    put_str(o, t.title);
    put_path(o, "grandparentKey", "/library/metadata/", artist.key);
    put_path(o, "parentKey", "/library/metadata/", album.key);
    o += ",\"librarySectionTitle\":\"Music\",\"librarySectionID\":3,\"librarySectionKey\":\"/library/sections/3\"";
    put_name(o, "grandparentTitle");
    put_str(o, artist.title);
    put_name(o, "parentTitle");
    put_str(o, album.title);
    if (!t.original_title.empty()) {
        put_name(o, "originalTitle");
        put_str(o, t.original_title);
    }
    o += ",\"summary\":\"\"";
    put_name(o, "index");
    put_uint(o, t.index);
    put_name(o, "parentIndex");
    put_uint(o, t.disc);
    if (t.user_rating) {
        put_name(o, "userRating");
        put_rating(o, *t.user_rating);
    }
    if (t.user_rating || t.last_rated_at) {
        put_name(o, "lastRatedAt");
        put_int(o, t.last_rated_at.value_or(t.updated_at));
    }
    if (t.view_count) {
        put_name(o, "viewCount");
        put_uint(o, *t.view_count);
    }
    if (t.last_viewed_at) {
        put_name(o, "lastViewedAt");
        put_int(o, *t.last_viewed_at);
    }
    if (t.year) {
        put_name(o, "year");
        put_int(o, *t.year);
    }
    if (album.year != 0) {
        put_name(o, "parentYear");
        put_int(o, album.year);
    }
    put_path(o, "thumb", "/library/metadata/", album.key, "/thumb/" + stamp);
    put_path(o, "art", "/library/metadata/", artist.key, "/art/" + stamp);
    put_path(o, "parentThumb", "/library/metadata/", album.key, "/thumb/" + stamp);
    put_path(o, "grandparentThumb", "/library/metadata/", artist.key, "/thumb/" + stamp);
    put_path(o, "grandparentArt", "/library/metadata/", artist.key, "/art/" + stamp);
    put_name(o, "duration");
    put_uint(o, t.duration_ms);
    put_name(o, "addedAt");
    put_int(o, t.added_at);
    put_name(o, "updatedAt");
    put_int(o, t.updated_at);
    o += ",\"musicAnalysisVersion\":\"1\",\"Media\":[{";
    put_name(o, "id", true);
    put_uint(o, t.media_id);
    put_name(o, "duration");
    put_uint(o, t.duration_ms);
    put_name(o, "bitrate");
    put_int(o, kBitrate);
    put_name(o, "audioChannels");
    put_int(o, kAudioChannels);
    o += ",\"audioCodec\":\"flac\",\"container\":\"flac\",\"hasVoiceActivity\":false,\"Part\":[{";
    put_name(o, "id", true);
    put_uint(o, t.part_id);
    put_path(o, "key", "/library/parts/", t.part_id, "/" + stamp + "/file.flac");
    put_name(o, "duration");
    put_uint(o, t.duration_ms);
    put_name(o, "file");
    put_str(o, t.file);
    put_name(o, "size");
    put_uint(o, t.duration_ms * kBytesPerMs);
    o += ",\"container\":\"flac\",\"hasThumbnail\":\"1\"}]}]";
    put_genres(o, t.genres);
    o += '}';
}

std::string FakePlex::render_playlist(const Playlist& p) const {
    std::uint64_t duration = 0;
    std::size_t leaves = 0;
    for (const std::uint64_t key : p.items) {
        const auto it = tracks_.find(key);
        if (it == tracks_.end()) continue;
        duration += it->second.duration_ms;
        ++leaves;
    }
    std::string o = "{";
    put_name(o, "ratingKey", true);
    o += '"';
    put_uint(o, p.key);
    o += '"';
    put_path(o, "key", "/playlists/", p.key, "/items");
    put_name(o, "guid");
    put_str(o, p.guid);
    o += ",\"type\":\"playlist\"";
    put_name(o, "title");
    put_str(o, p.title);
    put_name(o, "summary");
    put_str(o, p.summary);
    o += ",\"smart\":false,\"playlistType\":\"audio\"";
    put_path(o, "composite", "/playlists/", p.key, "/composite/" + decimal(static_cast<std::uint64_t>(p.updated_at)));
    put_name(o, "duration");
    put_uint(o, duration);
    put_name(o, "leafCount");
    put_uint(o, leaves);
    put_name(o, "addedAt");
    put_int(o, p.added_at);
    put_name(o, "updatedAt");
    put_int(o, p.updated_at);
    o += '}';
    return o;
}

// --- views --------------------------------------------------------------------------------------

const std::vector<const FakePlex::Track*>& FakePlex::order_locked(std::string_view sort) const {
    if (views_dirty_) {
        by_key_.clear();
        by_key_.reserve(tracks_.size());
        for (const auto& [key, track] : tracks_) by_key_.push_back(&track);
        sorted_.clear();
        views_dirty_ = false;
    }
    // One sort key (Plex accepts a list; the first one decides here), ties by ratingKey. An
    // unset lastViewedAt / lastRatedAt sorts as 0, so never-played tracks come last in desc.
    const std::string_view first = sort.substr(0, sort.find(','));
    const std::string_view field = first.substr(0, first.find(':'));
    const bool desc = first.size() > field.size() && first.substr(field.size() + 1) == "desc";
    std::int64_t (*value)(const Track&) = nullptr;
    if (field == "updatedAt") {
        value = [](const Track& t) { return t.updated_at; };
    } else if (field == "addedAt") {
        value = [](const Track& t) { return t.added_at; };
    } else if (field == "lastViewedAt") {
        value = [](const Track& t) { return t.last_viewed_at.value_or(0); };
    } else if (field == "lastRatedAt") {
        value = [](const Track& t) { return t.last_rated_at.value_or(0); };
    } else {
        return by_key_;
    }
    const std::string name = std::string(field) + (desc ? ":desc" : ":asc");
    auto it = sorted_.find(name);
    if (it == sorted_.end()) {
        std::vector<const Track*> view = by_key_;
        std::stable_sort(view.begin(), view.end(), [&](const Track* a, const Track* b) {
            const std::int64_t va = value(*a), vb = value(*b);
            if (va != vb) return desc ? va > vb : va < vb;
            return desc ? a->key > b->key : a->key < b->key;
        });
        it = sorted_.emplace(name, std::move(view)).first;
    }
    return it->second;
}

FakePlexTrack FakePlex::snapshot(const Track& t) const {
    const Album& album = albums_.at(t.album_key);
    const Artist& artist = artists_.at(t.artist_key);
    FakePlexTrack s;
    s.rating_key = decimal(t.key);
    s.guid = t.guid;
    s.title = t.title;
    s.album_artist = artist.title;
    s.original_title = t.original_title;
    s.album = album.title;
    s.album_key = decimal(album.key);
    s.artist_key = decimal(artist.key);
    s.file = t.file;
    s.genres = t.genres;
    s.album_genres = album.genres;
    s.index = t.index;
    s.disc = t.disc;
    s.duration_ms = t.duration_ms;
    s.album_year = album.year;
    s.year = t.year;
    s.user_rating = t.user_rating;
    s.view_count = t.view_count;
    s.last_viewed_at = t.last_viewed_at;
    s.added_at = t.added_at;
    s.updated_at = t.updated_at;
    return s;
}

FakePlex::Track* FakePlex::find_locked(std::string_view rating_key) {
    const std::optional<std::uint64_t> key = parse_uint(rating_key);
    if (!key) return nullptr;
    const auto it = tracks_.find(*key);
    return it != tracks_.end() ? &it->second : nullptr;
}

// --- handlers -----------------------------------------------------------------------------------

std::optional<FakeResponse> FakePlex::refuse(const FakeRequest& request) {
    std::string expected;
    {
        std::lock_guard lock(mutex_);
        expected = token_;
    }
    const std::string* header = request.header("x-plex-token");
    const std::optional<std::string> query = request.query_param("X-Plex-Token");
    if ((header != nullptr && *header == expected) || (query && *query == expected)) return std::nullopt;
    ++unauthorized_;
    return html(401, kUnauthorizedBody);
}

FakeResponse FakePlex::handle_identity(const FakeRequest& request) {
    // /identity needs no token on a real server.
    if (!accepts_json(request)) return xml_instead();
    std::lock_guard lock(mutex_);
    std::string body = "{\"MediaContainer\":{\"size\":0,\"claimed\":true";
    put_name(body, "machineIdentifier");
    put_str(body, machine_identifier_);
    put_name(body, "version");
    put_str(body, options_.version);
    body += "}}";
    return plex_json(std::move(body));
}

FakeResponse FakePlex::handle_root(const FakeRequest& request) {
    if (auto refused = refuse(request)) return *refused;
    if (!accepts_json(request)) return xml_instead();
    std::lock_guard lock(mutex_);
    std::string body = "{\"MediaContainer\":{\"size\":0,\"allowCameraUpload\":false,\"allowSync\":true";
    put_name(body, "friendlyName");
    put_str(body, options_.friendly_name);
    put_name(body, "machineIdentifier");
    put_str(body, machine_identifier_);
    body += ",\"myPlex\":true,\"platform\":\"Linux\",\"platformVersion\":\"12\"";
    put_name(body, "version");
    put_str(body, options_.version);
    body += "}}";
    return plex_json(std::move(body));
}

FakeResponse FakePlex::handle_sections(const FakeRequest& request) {
    if (auto refused = refuse(request)) return *refused;
    if (!accepts_json(request)) return xml_instead();
    struct SectionInfo {
        const char* key;
        const char* type;
        const char* title;
        const char* agent;
        const char* scanner;
        const char* path;
    };
    const std::array<SectionInfo, 4> sections = {{
        {"1", "movie", "Movies", "tv.plex.agents.movie", "Plex Movie", "/data/movies"},
        {kMusicSection, "artist", kMusicTitle, "tv.plex.agents.music", "Plex Music", "/data/music"},
        {"4", "show", "TV Shows", "tv.plex.agents.series", "Plex TV Series", "/data/tv"},
        {kEmptyMusicSection, "artist", kEmptyMusicTitle, "tv.plex.agents.music", "Plex Music", "/data/audiobooks"},
    }};
    std::lock_guard lock(mutex_);  // the music section's stamps
    std::string body = "{\"MediaContainer\":{\"size\":4,\"allowSync\":false,\"title1\":\"Plex Library\",\"Directory\":[";
    for (std::size_t i = 0; i < sections.size(); ++i) {
        const SectionInfo& s = sections[i];
        if (i != 0) body += ',';
        body += "{\"allowSync\":true,\"art\":\"/:/resources/";
        body += s.type;
        body += "-fanart.jpg\",\"filters\":true,\"refreshing\":false,\"thumb\":\"/:/resources/";
        body += s.type;
        body += ".png\"";
        put_name(body, "key");
        put_str(body, s.key);
        put_name(body, "type");
        put_str(body, s.type);
        put_name(body, "title");
        put_str(body, s.title);
        put_name(body, "agent");
        put_str(body, s.agent);
        put_name(body, "scanner");
        put_str(body, s.scanner);
        body += ",\"language\":\"en-US\"";
        put_name(body, "uuid");
        put_str(body, std::string(kSectionUuid.substr(0, kSectionUuid.size() - 1)) + s.key);
        // Only the generated music section changes; the others keep their creation stamps.
        const bool music = std::string_view(s.key) == kMusicSection;
        put_name(body, "updatedAt");
        put_int(body, music && section_updated_at_ != 0 ? section_updated_at_ : options_.base_time);
        put_name(body, "createdAt");
        put_int(body, options_.base_time);
        put_name(body, "scannedAt");
        put_int(body, options_.base_time);
        body += ",\"content\":true,\"directory\":true";
        if (options_.content_changed_at) {
            put_name(body, "contentChangedAt");
            put_int(body, music ? content_changed_at_ : 0);
        }
        body += ",\"hidden\":0,\"Location\":[{\"id\":";
        body += s.key;
        put_name(body, "path");
        put_str(body, s.path);
        body += "}]}";
    }
    body += "]}}";
    return plex_json(std::move(body));
}

std::optional<FakeResponse> FakePlex::track_page_fault() {
    std::lock_guard lock(mutex_);
    if (fault_ == FakePlexFault::none || track_pages_served_ < fault_after_) {
        ++track_pages_served_;
        return std::nullopt;
    }
    switch (fault_) {
        case FakePlexFault::die: {
            if (!died_) {
                died_ = true;
                // stop() joins the connection threads, this one included: it must run elsewhere.
                killer_ = std::thread([this] { http_.stop(); });
            }
            return FakeResponse::hanging();
        }
        case FakePlexFault::truncate: {
            FakeResponse r;
            r.body = "{\"MediaContainer\":{\"size\":";
            r.header("Content-Type", "application/json;charset=utf-8");
            r.header("Content-Length", decimal(r.body.size() * 1000));  // promises far more than it sends
            r.close = true;
            return r;
        }
        case FakePlexFault::status:
            return FakeResponse::text(fault_status_, "fault injected by FakePlex");
        case FakePlexFault::none:
            break;
    }
    return std::nullopt;
}

FakeResponse FakePlex::handle_section_all(const FakeRequest& request, const std::string& section) {
    if (auto refused = refuse(request)) return *refused;
    if (!accepts_json(request)) return xml_instead();
    const std::string type = request.query_param("type").value_or("8");
    const Paging paging = paging_of(request);
    const bool music = section == kMusicSection;
    if (type == "10") {
        ++track_page_requests_;
        if (auto fault = track_page_fault()) return *fault;
    } else if (type == "9") {
        ++album_page_requests_;
    } else if (type != "8") {
        return bad_request("this fake serves type 8, 9 and 10 only");
    }

    std::lock_guard lock(mutex_);
    std::vector<std::string_view> page;
    // FakePlexOptions::render_per_request: this page's items, rendered now (page views them).
    std::vector<std::string> rendered;
    const bool render_now = options_.render_per_request;
    const auto add = [&](const auto& item) {
        if (!render_now) {
            page.emplace_back(item.json);
            return;
        }
        render_to(item, rendered.emplace_back());
    };
    std::size_t total = 0;
    const char* title2 = "All Artists";
    const char* view_group = "artist";
    if (music && type == "10") {
        title2 = "All Tracks";
        view_group = "track";
        const std::vector<const Track*>& order = order_locked(request.query_param("sort").value_or(""));
        total = order.size();
        const auto [begin, end] = window(paging, total);
        page.reserve(end - begin);
        rendered.reserve(render_now ? end - begin : 0);
        for (std::size_t i = begin; i < end; ++i) add(*order[i]);
    } else if (music && type == "9") {
        title2 = "All Albums";
        view_group = "album";
        total = albums_.size();
        const auto [begin, end] = window(paging, total);
        rendered.reserve(render_now ? end - begin : 0);
        auto it = std::next(albums_.begin(), static_cast<std::ptrdiff_t>(begin));
        for (std::size_t i = begin; i < end; ++i, ++it) add(it->second);
    } else if (music) {
        total = artists_.size();
        const auto [begin, end] = window(paging, total);
        rendered.reserve(render_now ? end - begin : 0);
        auto it = std::next(artists_.begin(), static_cast<std::ptrdiff_t>(begin));
        for (std::size_t i = begin; i < end; ++i, ++it) add(it->second);
    }
    if (render_now) page.assign(rendered.begin(), rendered.end());
    std::string attrs;
    put_paging(attrs, paging, page.size(), total);
    attrs += ",\"allowSync\":true,\"art\":\"/:/resources/artist-fanart.jpg\",\"identifier\":\"com.plexapp.plugins.library\"";
    put_name(attrs, "librarySectionID");
    attrs += section;
    put_name(attrs, "librarySectionTitle");
    put_str(attrs, section == kEmptyMusicSection ? kEmptyMusicTitle : kMusicTitle);
    attrs += ",\"mediaTagPrefix\":\"/system/bundle/media/flags/\"";
    put_name(attrs, "mediaTagVersion");
    put_int(attrs, kMediaTagVersion);
    attrs += ",\"nocache\":true,\"thumb\":\"/:/resources/artist.png\"";
    put_name(attrs, "title1");
    put_str(attrs, section == kEmptyMusicSection ? kEmptyMusicTitle : kMusicTitle);
    put_name(attrs, "title2");
    put_str(attrs, title2);
    put_name(attrs, "viewGroup");
    put_str(attrs, view_group);
    FakeResponse r = plex_json(container_body(attrs, page));
    add_paging_headers(r, paging, total);
    r.delay = page_delay_;
    return r;
}

std::size_t FakePlex::add_uri_items(Playlist& playlist, std::string_view uri) {
    // server://{machineIdentifier}/com.plexapp.plugins.library/library/metadata/{k1,k2,...}
    if (uri.substr(0, kUriPrefix.size()) != kUriPrefix) throw std::invalid_argument("uri must start with server://");
    uri.remove_prefix(kUriPrefix.size());
    const std::size_t slash = uri.find('/');
    if (slash == std::string_view::npos || uri.substr(0, slash) != machine_identifier_) {
        throw std::invalid_argument("uri names another server");
    }
    uri.remove_prefix(slash);
    if (uri.substr(0, kUriLibrary.size()) != kUriLibrary) throw std::invalid_argument("uri is not a library item list");
    uri.remove_prefix(kUriLibrary.size());
    std::size_t added = 0;
    while (!uri.empty()) {
        const std::size_t comma = uri.find(',');
        const std::string_view key = uri.substr(0, comma);
        uri = comma == std::string_view::npos ? std::string_view() : uri.substr(comma + 1);
        const std::optional<std::uint64_t> k = parse_uint(key);
        if (!k || tracks_.count(*k) == 0) continue;  // unknown items are dropped silently
        playlist.items.push_back(*k);
        playlist.item_ids.push_back(next_playlist_item_id_++);
        ++added;
    }
    return added;
}

// /playlists/{id}, /playlists/{id}/items, /playlists/{id}/items/{playlistItemID}
FakeResponse FakePlex::handle_playlist_path(const FakeRequest& request) {
    std::string_view rest = std::string_view(request.path).substr(std::string_view("/playlists/").size());
    const std::size_t slash = rest.find('/');
    const std::optional<std::uint64_t> id = parse_uint(rest.substr(0, slash));
    if (!id) return not_found();
    if (slash == std::string_view::npos) return handle_playlist(request, *id);
    rest.remove_prefix(slash);
    if (rest == "/items") return handle_playlist_items(request, *id);
    constexpr std::string_view kItems = "/items/";
    if (rest.substr(0, kItems.size()) != kItems) return not_found();
    const std::optional<std::uint64_t> item = parse_uint(rest.substr(kItems.size()));
    if (!item) return not_found();
    return handle_playlist_item(request, *id, *item);
}

FakeResponse FakePlex::handle_playlist_item(const FakeRequest& request, std::uint64_t id, std::uint64_t item_id) {
    if (auto refused = refuse(request)) return *refused;
    if (request.method != "DELETE") return FakeResponse::text(405, "405 Method Not Allowed");
    std::lock_guard lock(mutex_);
    const auto it = playlists_.find(id);
    if (it == playlists_.end()) return not_found();
    Playlist& p = it->second;
    const auto at = std::find(p.item_ids.begin(), p.item_ids.end(), item_id);
    if (at == p.item_ids.end()) return not_found();
    const auto index = at - p.item_ids.begin();
    p.items.erase(p.items.begin() + index);
    p.item_ids.erase(at);
    p.updated_at = tick();
    return plex_json(container_body("\"size\":1", std::vector<std::string>{render_playlist(p)}));
}

// GET /library/metadata/{k1,k2,...}: the items that exist, in the order asked; 404 when none.
FakeResponse FakePlex::handle_metadata(const FakeRequest& request) {
    if (auto refused = refuse(request)) return *refused;
    if (request.method != "GET") return FakeResponse::text(405, "405 Method Not Allowed");
    if (!accepts_json(request)) return xml_instead();
    std::string_view keys = std::string_view(request.path).substr(std::string_view("/library/metadata/").size());
    std::lock_guard lock(mutex_);
    std::vector<std::string_view> found;
    while (!keys.empty()) {
        const std::size_t comma = keys.find(',');
        const std::optional<std::uint64_t> k = parse_uint(keys.substr(0, comma));
        keys = comma == std::string_view::npos ? std::string_view() : keys.substr(comma + 1);
        if (!k) continue;
        // One ratingKey space: a key names a track or an album (with its Genre tags).
        if (const auto it = tracks_.find(*k); it != tracks_.end()) found.push_back(it->second.json);
        else if (const auto al = albums_.find(*k); al != albums_.end()) found.push_back(al->second.json);
    }
    if (found.empty()) return not_found();
    std::string attrs;
    put_name(attrs, "size", true);
    put_uint(attrs, found.size());
    return plex_json(container_body(attrs, found));
}

std::size_t FakePlex::add_rule(FakePlexRule rule) {
    std::lock_guard lock(mutex_);
    Rule r;
    r.state = rule.seed;
    r.rule = std::move(rule);
    rules_.push_back(std::move(r));
    return rules_.size() - 1;
}

std::size_t FakePlex::rule_hits(std::size_t index) const {
    std::lock_guard lock(mutex_);
    return index < rules_.size() ? rules_[index].hits : 0;
}

std::optional<FakeResponse> FakePlex::intercept(const FakeRequest& request, const FakeResponse* answered) {
    if (answered == nullptr && request.target.size() > kMaxTargetBytes) {
        return html(414, "<html><head><title>414 Request-URI Too Large</title></head><body>"
                         "<h1>414 Request-URI Too Large</h1></body></html>");
    }
    std::lock_guard lock(mutex_);
    for (Rule& r : rules_) {
        const FakePlexRule& rule = r.rule;
        if (rule.after != (answered != nullptr)) continue;
        if (!rule.method.empty() && rule.method != request.method) continue;
        if (request.path.compare(0, rule.path_prefix.size(), rule.path_prefix) != 0) continue;
        if (!rule.query_contains.empty() && request.query.find(rule.query_contains) == std::string::npos) continue;
        if (r.matched++ < rule.skip || r.hits >= rule.times) continue;
        // splitmix64: each rule draws from its own seeded sequence.
        r.state += 0x9E3779B97F4A7C15ULL;
        std::uint64_t z = r.state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        z ^= z >> 31;
        constexpr double kTwoTo64 = 18446744073709551616.0;
        if (static_cast<double>(z) / kTwoTo64 >= rule.probability) continue;
        ++r.hits;
        switch (rule.kind) {
            case FakePlexRule::Kind::status: {
                const std::string code = decimal(static_cast<std::uint64_t>(rule.status));
                FakeResponse f = html(rule.status, "<html><head><title>" + code + " (fault injected)</title></head>"
                                                   "<body><h1>" + code + "</h1></body></html>");
                if (!rule.retry_after.empty()) f.header("Retry-After", rule.retry_after);
                return f;
            }
            case FakePlexRule::Kind::garbage: {
                FakeResponse f = FakeResponse::text(200, "<html><body>Welcome to nginx!</body></html>{\"Media");
                f.header("Content-Type", "application/json");
                return f;
            }
            case FakePlexRule::Kind::hang:
                return FakeResponse::hanging();
        }
    }
    return std::nullopt;
}

FakeResponse FakePlex::handle_playlists(const FakeRequest& request) {
    if (auto refused = refuse(request)) return *refused;
    if (!accepts_json(request)) return xml_instead();
    if (request.method == "GET") {
        std::lock_guard lock(mutex_);
        std::vector<std::string> rendered;
        for (const auto& [key, p] : playlists_) rendered.push_back(render_playlist(p));
        std::string attrs;
        put_name(attrs, "size", true);
        put_uint(attrs, rendered.size());
        return plex_json(container_body(attrs, rendered));
    }
    if (request.method != "POST") return FakeResponse::text(405, "405 Method Not Allowed");
    if (request.query_param("type").value_or("") != "audio") return bad_request("this fake makes audio playlists only");
    if (request.query_param("smart").value_or("0") != "0") return bad_request("this fake makes no smart playlists");
    const std::optional<std::string> title = request.query_param("title");
    if (!title || title->empty()) return bad_request("title is required");
    std::uint64_t id = 0;
    std::string rendered;
    {
        std::lock_guard lock(mutex_);
        Playlist p;
        p.key = next_key_++;
        p.guid = "com.plexapp.agents.none://" + hex24(p.key);
        p.title = *title;
        p.added_at = tick();
        p.updated_at = p.added_at;
        if (const std::optional<std::string> uri = request.query_param("uri")) {
            try {
                add_uri_items(p, *uri);
            } catch (const std::invalid_argument& e) {
                return bad_request(e.what());
            }
        }
        id = p.key;
        rendered = render_playlist(p);
        playlists_.emplace(id, std::move(p));
    }
    std::string attrs = "\"size\":1";
    return plex_json(container_body(attrs, std::vector<std::string>{rendered}));
}

FakeResponse FakePlex::handle_playlist(const FakeRequest& request, std::uint64_t id) {
    if (auto refused = refuse(request)) return *refused;
    if (!accepts_json(request) && request.method == "GET") return xml_instead();
    std::lock_guard lock(mutex_);
    const auto it = playlists_.find(id);
    if (it == playlists_.end()) return not_found();
    Playlist& p = it->second;
    if (request.method == "DELETE") {
        playlists_.erase(it);
        return FakeResponse::with_status(200);
    }
    if (request.method == "PUT") {
        if (auto title = request.query_param("title")) p.title = *title;
        if (auto summary = request.query_param("summary")) p.summary = *summary;
        p.updated_at = tick();
        return FakeResponse::with_status(200);
    }
    if (request.method != "GET") return FakeResponse::text(405, "405 Method Not Allowed");
    return plex_json(container_body("\"size\":1", std::vector<std::string>{render_playlist(p)}));
}

FakeResponse FakePlex::handle_playlist_items(const FakeRequest& request, std::uint64_t id) {
    if (auto refused = refuse(request)) return *refused;
    if (!accepts_json(request)) return xml_instead();
    std::lock_guard lock(mutex_);
    const auto it = playlists_.find(id);
    if (it == playlists_.end()) return not_found();
    Playlist& p = it->second;
    if (request.method == "DELETE") {
        p.items.clear();
        p.item_ids.clear();
        p.updated_at = tick();
        return plex_json(container_body("\"size\":1", std::vector<std::string>{render_playlist(p)}));
    }
    if (request.method == "PUT") {
        const std::optional<std::string> uri = request.query_param("uri");
        if (!uri) return bad_request("uri is required");
        std::size_t requested = static_cast<std::size_t>(std::count(uri->begin(), uri->end(), ',')) + 1;
        std::size_t added = 0;
        try {
            added = add_uri_items(p, *uri);
        } catch (const std::invalid_argument& e) {
            return bad_request(e.what());
        }
        p.updated_at = tick();
        std::string attrs;
        put_name(attrs, "leafCountAdded", true);
        put_uint(attrs, added);
        put_name(attrs, "leafCountRequested");
        put_uint(attrs, requested);
        attrs += ",\"size\":1";
        return plex_json(container_body(attrs, std::vector<std::string>{render_playlist(p)}));
    }
    if (request.method != "GET") return FakeResponse::text(405, "405 Method Not Allowed");

    // Items that still exist, each with its playlistItemID, paged like any container.
    std::vector<std::string> items;
    std::uint64_t duration = 0;
    for (std::size_t i = 0; i < p.items.size(); ++i) {
        const auto track = tracks_.find(p.items[i]);
        if (track == tracks_.end()) continue;
        duration += track->second.duration_ms;
        std::string item = "{\"playlistItemID\":" + decimal(p.item_ids[i]) + ",";
        item.append(track->second.json, 1, std::string::npos);
        items.push_back(std::move(item));
    }
    const Paging paging = paging_of(request);
    const std::size_t total = items.size();
    const auto [begin, end] = window(paging, total);
    std::vector<std::string_view> page(items.begin() + static_cast<std::ptrdiff_t>(begin),
                                       items.begin() + static_cast<std::ptrdiff_t>(end));
    std::string attrs;
    put_paging(attrs, paging, page.size(), total);
    put_name(attrs, "composite");
    put_str(attrs, "/playlists/" + decimal(p.key) + "/composite/" + decimal(static_cast<std::uint64_t>(p.updated_at)));
    put_name(attrs, "duration");
    put_uint(attrs, duration);
    put_name(attrs, "leafCount");
    put_uint(attrs, total);
    attrs += ",\"playlistType\":\"audio\"";
    put_key(attrs, "ratingKey", p.key);
    attrs += ",\"smart\":false";
    put_name(attrs, "title");
    put_str(attrs, p.title);
    FakeResponse r = plex_json(container_body(attrs, page));
    add_paging_headers(r, paging, total);
    return r;
}

// --- public accessors ---------------------------------------------------------------------------

std::string FakePlex::token() const {
    std::lock_guard lock(mutex_);
    return token_;
}

std::string FakePlex::machine_identifier() const {
    std::lock_guard lock(mutex_);
    return machine_identifier_;
}

std::size_t FakePlex::track_count() const {
    std::lock_guard lock(mutex_);
    return tracks_.size();
}

std::size_t FakePlex::album_count() const {
    std::lock_guard lock(mutex_);
    return albums_.size();
}

std::size_t FakePlex::artist_count() const {
    std::lock_guard lock(mutex_);
    return artists_.size();
}

std::vector<std::string> FakePlex::track_keys() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> keys;
    keys.reserve(tracks_.size());
    for (const auto& [key, track] : tracks_) keys.push_back(decimal(key));
    return keys;
}

FakePlexTrack FakePlex::track_at(std::size_t i) const {
    std::lock_guard lock(mutex_);
    const std::vector<const Track*>& order = order_locked("");
    if (i >= order.size()) throw std::out_of_range("FakePlex::track_at: no track " + decimal(i));
    return snapshot(*order[i]);
}

std::optional<FakePlexTrack> FakePlex::find_track(std::string_view rating_key) const {
    std::lock_guard lock(mutex_);
    const std::optional<std::uint64_t> key = parse_uint(rating_key);
    if (!key) return std::nullopt;
    const auto it = tracks_.find(*key);
    if (it == tracks_.end()) return std::nullopt;
    return snapshot(it->second);
}

// --- mutations ----------------------------------------------------------------------------------

bool FakePlex::touch_track(std::string_view rating_key) {
    std::lock_guard lock(mutex_);
    Track* t = find_locked(rating_key);
    if (t == nullptr) return false;
    t->updated_at = tick();
    render(*t);
    content_changed_locked(false);
    views_dirty_ = true;
    return true;
}

bool FakePlex::set_track_title(std::string_view rating_key, std::string title) {
    std::lock_guard lock(mutex_);
    Track* t = find_locked(rating_key);
    if (t == nullptr) return false;
    t->title = std::move(title);
    t->updated_at = tick();
    render(*t);
    content_changed_locked(false);
    views_dirty_ = true;
    return true;
}

bool FakePlex::set_user_rating(std::string_view rating_key, std::optional<double> rating) {
    // As on a real server, ratings are per-user settings: updatedAt does not move.
    std::lock_guard lock(mutex_);
    Track* t = find_locked(rating_key);
    if (t == nullptr) return false;
    t->user_rating = rating;
    t->last_rated_at = tick();  // clearing a rating is a rating action too
    render(*t);
    views_dirty_ = true;
    return true;
}

bool FakePlex::play_track(std::string_view rating_key) {
    // Plays are per-user settings too: updatedAt does not move.
    std::lock_guard lock(mutex_);
    Track* t = find_locked(rating_key);
    if (t == nullptr) return false;
    t->view_count = t->view_count.value_or(0) + 1;
    t->last_viewed_at = tick();
    render(*t);
    views_dirty_ = true;
    return true;
}

std::string FakePlex::add_track(std::string title, std::string_view like_rating_key) {
    std::lock_guard lock(mutex_);
    const Track* like = find_locked(like_rating_key);
    Album& album = like != nullptr ? albums_.at(like->album_key) : albums_.begin()->second;
    const Artist& artist = artists_.at(album.artist_key);
    Track t;
    t.key = next_key_++;
    t.album_key = album.key;
    t.artist_key = artist.key;
    t.guid = "plex://track/" + hex24(t.key);
    t.title = std::move(title);
    t.disc = 1;
    t.index = static_cast<std::uint32_t>(album.leaf_count + 1);
    t.duration_ms = kMinDurationMs;
    t.media_id = kFirstMediaId + 2 * t.key;
    t.part_id = t.media_id + 1;
    t.added_at = tick();
    t.updated_at = t.added_at;
    t.file = "/data/music/" + artist.title + "/" + album.title + "/" + two_digits(t.index) + " - " + t.title + ".flac";
    ++album.leaf_count;
    render(album);
    render(t);
    const std::uint64_t key = t.key;
    tracks_.emplace(key, std::move(t));
    content_changed_locked(true);
    views_dirty_ = true;
    return decimal(key);
}

bool FakePlex::delete_track(std::string_view rating_key) {
    std::lock_guard lock(mutex_);
    Track* t = find_locked(rating_key);
    if (t == nullptr) return false;
    Album& album = albums_.at(t->album_key);
    album.leaf_count = album.leaf_count > 0 ? album.leaf_count - 1 : 0;
    render(album);
    tracks_.erase(t->key);
    content_changed_locked(true);
    views_dirty_ = true;
    return true;
}

std::string FakePlex::rekey_track(std::string_view rating_key) {
    std::lock_guard lock(mutex_);
    Track* t = find_locked(rating_key);
    if (t == nullptr) return {};
    Track moved = std::move(*t);
    tracks_.erase(moved.key);
    moved.key = next_key_++;
    moved.media_id = kFirstMediaId + 2 * moved.key;
    moved.part_id = moved.media_id + 1;
    moved.added_at = tick();  // a new metadata item: new key, new addedAt, same guid and file
    moved.updated_at = moved.added_at;
    render(moved);
    const std::uint64_t key = moved.key;
    tracks_.emplace(key, std::move(moved));
    content_changed_locked(true);
    views_dirty_ = true;
    return decimal(key);
}

void FakePlex::set_machine_identifier(std::string id) {
    std::lock_guard lock(mutex_);
    machine_identifier_ = std::move(id);
}

void FakePlex::set_token(std::string token) {
    std::lock_guard lock(mutex_);
    token_ = std::move(token);
}

// --- faults and counters ------------------------------------------------------------------------

void FakePlex::fault_after_track_pages(std::size_t pages, FakePlexFault fault, int status) {
    std::lock_guard lock(mutex_);
    fault_ = fault;
    fault_after_ = pages;
    fault_status_ = status;
    track_pages_served_ = 0;
}

void FakePlex::clear_faults() {
    std::lock_guard lock(mutex_);
    fault_ = FakePlexFault::none;
    page_delay_ = std::chrono::milliseconds(0);
    rules_.clear();
}

void FakePlex::set_page_delay(std::chrono::milliseconds delay) {
    std::lock_guard lock(mutex_);
    page_delay_ = delay;
}

bool FakePlex::died() const {
    std::lock_guard lock(mutex_);
    return died_;
}

void FakePlex::index_sorted_views() const {
    std::lock_guard lock(mutex_);
    for (const char* sort : {"updatedAt:desc", "addedAt:desc", "lastViewedAt:desc", "lastRatedAt:desc"}) order_locked(sort);
}

std::size_t FakePlex::track_page_requests() const { return track_page_requests_.load(); }
std::size_t FakePlex::album_page_requests() const { return album_page_requests_.load(); }
std::size_t FakePlex::unauthorized_requests() const { return unauthorized_.load(); }

std::size_t FakePlex::requests(std::string_view path, std::string_view method) const {
    std::size_t n = 0;
    for (const FakeRequest& r : http_.requests()) {
        if (r.path == path && (method.empty() || r.method == method)) ++n;
    }
    return n;
}

std::optional<FakePlexPlaylist> FakePlex::playlist(std::string_view key) const {
    std::lock_guard lock(mutex_);
    const std::optional<std::uint64_t> k = parse_uint(key);
    if (!k) return std::nullopt;
    const auto it = playlists_.find(*k);
    if (it == playlists_.end()) return std::nullopt;
    FakePlexPlaylist out{decimal(it->second.key), it->second.title, it->second.summary, {}};
    for (const std::uint64_t item : it->second.items) out.items.push_back(decimal(item));
    return out;
}

std::vector<FakePlexPlaylist> FakePlex::playlists() const {
    std::vector<std::string> keys;
    {
        std::lock_guard lock(mutex_);
        for (const auto& [key, p] : playlists_) keys.push_back(decimal(key));
    }
    std::vector<FakePlexPlaylist> out;
    for (const std::string& key : keys) {
        if (auto p = playlist(key)) out.push_back(std::move(*p));
    }
    return out;
}

}  // namespace pmx::test
