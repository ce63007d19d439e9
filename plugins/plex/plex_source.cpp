// The plex media source: what each pmx.media-source/1 call asks of Plex Media Server.
//
// Sources relied on (reference, no code copied):
//  - python-plexapi (pushingkarmaorg/python-plexapi): audio.py for the track and album fields
//    (originalTitle, parentIndex, parentYear, userRating 0.0-10.0), playlist.py for playlist
//    creation (POST /playlists?uri=server://<machineIdentifier>/com.plexapp.plugins.library/
//    library/metadata/<k1,k2,...>&type=audio&title=...&smart=0) and adding items
//    (PUT /playlists/<id>/items?uri=...), utils.py for the library type numbers (album 9,
//    track 10).
//  - The Plex Media Server OpenAPI description (LukeHagar/plex-api-spec, plexapi.dev):
//    Accept: application/json, the X-Plex-* headers, MediaContainer offset/size/totalSize and
//    the X-Plex-Container-Total-Size header, clearing a playlist (DELETE /playlists/<id>/items),
//    editing one (PUT /playlists/<id>?title=&summary=), attributes hoisted to the container.
//  - plexopedia.com, "Server Identity": /identity answers without a token, with
//    machineIdentifier and version.
#include "plex_source.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <optional>
#include <set>
#include <utility>

#include "plex_json.hpp"

namespace pmx::plex {
namespace {

// Plex metadata type numbers for /library/sections/<id>/all?type=...
constexpr std::uint64_t kAlbumType = 9;
constexpr std::uint64_t kTrackType = 10;
constexpr std::string_view kMusicSectionType = "artist";  // Plex calls music sections "artist"
constexpr std::uint32_t kFeedFirstPage = 50;              // the first page of a sorted feed (scan_tracks)
constexpr std::string_view kProductName = "Plex Media Server";
constexpr std::string_view kUriLibrary = "/com.plexapp.plugins.library/library/metadata/";
constexpr std::string_view kTotalSizeHeader = "x-plex-container-total-size";
pmx_str str(std::string_view s) { return pmx_str{s.data(), s.size()}; }

using plugin_common::fold_case;

std::optional<std::uint64_t> parse_offset(std::string_view cursor) {
    std::uint64_t value = 0;
    const char* const end = cursor.data() + cursor.size();
    const std::from_chars_result r = std::from_chars(cursor.data(), end, value);
    if (cursor.empty() || r.ec != std::errc() || r.ptr != end) return std::nullopt;
    return value;
}

// The incremental feeds of one sync (updated, added, played, rated) share the album genres
// read for the first of them, instead of reading every album once per feed; a long-lived
// instance reads them again when they are older than this.
constexpr std::chrono::minutes kAlbumGenresMaxAge{10};

const char* sort_for(std::int32_t order) {
    switch (order) {
        case PMX_SCAN_ORDER_ANY: return nullptr;  // the server's own order: the cheapest
        case PMX_SCAN_ORDER_UPDATED_DESC: return "updatedAt:desc";
        case PMX_SCAN_ORDER_ADDED_DESC: return "addedAt:desc";
        case PMX_SCAN_ORDER_PLAYED_DESC: return "lastViewedAt:desc";
        case PMX_SCAN_ORDER_RATED_DESC: return "lastRatedAt:desc";
        default: return "";
    }
}

// totalSize of a paged container, else the X-Plex-Container-Total-Size header.
std::optional<std::uint64_t> total_of(const json::Value& container, const sdk::Response& response) {
    std::optional<std::int64_t> total = json::integer(json::member(container, "totalSize"));
    if (!total) {
        if (const std::optional<std::string_view> header = response.header(kTotalSizeHeader)) {
            std::int64_t parsed = 0;
            const char* const end = header->data() + header->size();
            if (std::from_chars(header->data(), end, parsed).ptr == end) total = parsed;
        }
    }
    if (!total || *total < 0) return std::nullopt;
    return static_cast<std::uint64_t>(*total);
}

// Whether another page follows one of `count` items starting at `start`.
bool has_more(std::uint64_t start, std::size_t count, std::optional<std::uint64_t> total,
              std::uint32_t page_size) {
    if (count == 0) return false;
    if (total) return start + count < *total;
    return count >= page_size;
}

std::string playlist_path(std::string_view key) { return "/playlists/" + encode_component(key); }

}  // namespace

// --- identity and libraries -----------------------------------------------------------------

std::string PlexSource::machine_identifier(const sdk::Call& call) const {
    const sdk::Response response = send_ok(call, config_.connection, "GET", "/identity");
    const rapidjson::Document doc = parse_json(response, "GET /identity");
    const std::string_view id =
        json::text(json::member(media_container(doc, "GET /identity"), "machineIdentifier"));
    if (id.empty()) {
        throw sdk::Error(PMX_BAD_RESPONSE, "Plex answered GET /identity without a machineIdentifier");
    }
    return std::string(id);
}

pmx_status PlexSource::identity(sdk::Call& call, sdk::MediaSink& out) {
    // /identity answers without a token, so it proves nothing about credentials; GET / needs
    // the token and carries friendlyName. Two small requests.
    const sdk::Response id_response = send_ok(call, config_.connection, "GET", "/identity");
    const rapidjson::Document id_doc = parse_json(id_response, "GET /identity");
    const json::Value& id_container = media_container(id_doc, "GET /identity");
    const std::string_view machine = json::text(json::member(id_container, "machineIdentifier"));
    if (machine.empty()) {
        return call.error(PMX_BAD_RESPONSE, "Plex answered GET /identity without a machineIdentifier");
    }
    const sdk::Response root_response = send_ok(call, config_.connection, "GET", "/");
    const rapidjson::Document root_doc = parse_json(root_response, "GET /");
    const json::Value& root = media_container(root_doc, "GET /");

    std::string_view version = json::text(json::member(id_container, "version"));
    if (version.empty()) version = json::text(json::member(root, "version"));
    pmx_server_info info{};
    info.identity = str(machine);
    info.name = str(json::text(json::member(root, "friendlyName")));
    info.version = str(version);
    info.product = str(kProductName);
    out.server(info);
    return PMX_OK;
}

std::vector<PlexSource::Section> PlexSource::music_sections(const sdk::Call& call) const {
    const sdk::Response response = send_ok(call, config_.connection, "GET", "/library/sections");
    const rapidjson::Document doc = parse_json(response, "GET /library/sections");
    const json::Value& container = media_container(doc, "GET /library/sections");
    std::vector<Section> sections;
    const json::Value* directories = json::array(container, "Directory");
    if (directories == nullptr) return sections;
    for (const json::Value& directory : directories->GetArray()) {
        if (json::text(json::member(directory, "type")) != kMusicSectionType) continue;
        std::optional<std::string> key = json::key_text(json::member(directory, "key"));
        if (!key || key->empty()) continue;
        // contentChangedAt is the server's change counter at the section's last content change
        // (items added, removed or edited), updatedAt the time of its last scan: with the track
        // count they make the section's change stamp (ABI 1.5). Plays and ratings move neither.
        const std::optional<std::int64_t> changed = json::integer(json::member(directory, "contentChangedAt"));
        const std::optional<std::int64_t> updated = json::integer(json::member(directory, "updatedAt"));
        std::string stamp;
        if (changed && updated) stamp = std::to_string(*changed) + "/" + std::to_string(*updated);
        sections.push_back(
            {std::move(*key), std::string(json::text(json::member(directory, "title"))), std::move(stamp)});
    }
    return sections;
}

std::uint64_t PlexSource::section_track_count(const sdk::Call& call, const std::string& section) const {
    Target target("/library/sections/" + encode_component(section) + "/all");
    target.param("type", kTrackType)
        .param("X-Plex-Container-Start", std::uint64_t{0})
        .param("X-Plex-Container-Size", std::uint64_t{0});
    const std::string what = "GET /library/sections/" + section + "/all (track count)";
    const sdk::Response response = send_ok(call, config_.connection, "GET", target.str());
    const rapidjson::Document doc = parse_json(response, what);
    const std::optional<std::uint64_t> total = total_of(media_container(doc, what), response);
    if (!total) throw sdk::Error(PMX_BAD_RESPONSE, "Plex answered " + what + " without totalSize");
    return *total;
}

pmx_status PlexSource::list_libraries(sdk::Call& call, sdk::MediaSink& out) {
    const std::vector<Section> sections = music_sections(call);
    const std::string wanted = fold_case(config_.library);
    bool found = false;
    for (const Section& section : sections) {
        if (!wanted.empty() && section.key != config_.library && fold_case(section.title) != wanted) {
            continue;
        }
        pmx_library library{};
        library.key = str(section.key);
        library.title = str(section.title);
        // A stamp goes with an exact count only (ABI 1.5): a server without contentChangedAt
        // (an old one) is walked key by key on every sync, as before.
        if (!section.change_stamp.empty()) {
            library.track_count = section_track_count(call, section.key);
            library.change_stamp = str(section.change_stamp);
        }
        out.library(library);
        found = true;
        if (!wanted.empty()) break;
    }
    if (found || wanted.empty()) return PMX_OK;

    std::string names;
    for (const Section& section : sections) {
        names += names.empty() ? "" : ", ";
        names += "\"" + section.title + "\" (key " + section.key + ")";
    }
    return call.error(PMX_NOT_FOUND,
                      "the Plex server has no music library \"" + config_.library + "\"; " +
                          (names.empty() ? std::string("it has no music library at all")
                                         : "its music libraries are " + names) +
                          " (setting `library`: a title or a key)");
}

// --- scanning -------------------------------------------------------------------------------

void PlexSource::forget_album_genres() {
    album_genres_.reset();
    albums_loading_.reset();
    albums_next_ = 0;
}

void PlexSource::load_albums(const sdk::Call& call, const std::string& section, std::vector<std::string> keys,
                             AlbumGenres& table) const {
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    std::string list;
    for (const std::string& key : keys) {
        if (!list.empty()) list += ',';
        list += encode_component(key);
    }
    table.begin(section);
    // Plex answers the items it has of a comma-separated list, and 404 when it has none (the
    // albums went away since the page was served: their tracks go without genres this time).
    const sdk::Response response = send(call, config_.connection, "GET", "/library/metadata/" + list);
    if (response.status() == kHttpNotFound) return;
    if (!response.ok()) fail(call, response, "GET /library/metadata/... (albums)");
    const rapidjson::Document doc = parse_json(response, "GET /library/metadata/... (albums)");
    if (const json::Value* found = json::array(media_container(doc, "GET /library/metadata/... (albums)"), "Metadata")) {
        for (const json::Value& album : found->GetArray()) table.add(album);
    }
}

void PlexSource::load_album_genres(const sdk::Call& call, const std::string& section,
                                   std::uint32_t page_size) {
    AlbumGenres& table = albums_loading_;
    const auto now = std::chrono::steady_clock::now();
    if (!table.loaded_for(section) || now - albums_loading_at_ > kAlbumGenresMaxAge) {
        table.begin(section);
        albums_next_ = 0;
    }
    albums_loading_at_ = now;
    const std::string path = "/library/sections/" + encode_component(section) + "/all";
    const std::string what = "GET " + path + " (albums)";
    for (std::uint64_t& start = albums_next_;;) {
        call.throw_if_cancelled();
        Target target(path);
        target.param("type", kAlbumType)
            .param("X-Plex-Container-Start", start)
            .param("X-Plex-Container-Size", std::uint64_t{page_size});
        const sdk::Response response = send_ok(call, config_.connection, "GET", target.str());
        const rapidjson::Document doc = parse_json(response, what);
        const json::Value& container = media_container(doc, what);
        const json::Value* items = json::array(container, "Metadata");
        const std::size_t count = items != nullptr ? items->Size() : 0;
        for (std::size_t i = 0; i < count; ++i) {
            table.add((*items)[static_cast<rapidjson::SizeType>(i)]);
        }
        if (!has_more(start, count, total_of(container, response), page_size)) break;
        start += count;
    }
    album_genres_ = std::move(table);
    album_genres_read_at_ = std::chrono::steady_clock::now();
    albums_loading_.reset();
    albums_next_ = 0;
}

pmx_status PlexSource::scan_tracks(sdk::Call& call, const pmx_scan_request& request,
                                   sdk::MediaSink& out) {
    const std::string section(sdk::view(request.library_key));
    if (section.empty()) return call.error(PMX_INVALID_INPUT, "scan_tracks: library_key is empty");
    const std::string_view cursor = sdk::view(request.cursor);
    std::uint64_t start = 0;
    if (!cursor.empty()) {
        const std::optional<std::uint64_t> offset = parse_offset(cursor);
        if (!offset) {
            return call.error(PMX_INVALID_INPUT, "scan_tracks: the cursor \"" + std::string(cursor) +
                                                     "\" was not made by the plex plugin");
        }
        start = *offset;
    } else if (request.order == PMX_SCAN_ORDER_ANY && (request.flags & PMX_SCAN_KEYS_ONLY) == 0 &&
               !albums_loading_.loaded_for(section)) {
        forget_album_genres();  // a full read starts: album genres are read again, once
    } else if (std::chrono::steady_clock::now() - album_genres_read_at_ > kAlbumGenresMaxAge) {
        album_genres_.reset();
    }
    const char* sort = sort_for(request.order);
    if (sort != nullptr && *sort == '\0') {
        return call.error(PMX_INVALID_INPUT,
                          "scan_tracks: unknown order " + std::to_string(request.order));
    }
    // A sorted incremental feed usually stops within its first items (the host stops at what
    // the mirror holds): its first page is small, and asks for its own albums' genres only.
    const bool feed_head = sort != nullptr && cursor.empty();
    std::uint32_t page_size = request.page_size != 0 ? request.page_size : config_.page_size;
    if (feed_head) page_size = std::min(page_size, kFeedFirstPage);
    const bool keys_only = (request.flags & PMX_SCAN_KEYS_ONLY) != 0;

    const std::string path = "/library/sections/" + encode_component(section) + "/all";
    Target target(path);
    target.param("type", kTrackType);
    if (sort != nullptr) target.param("sort", sort);
    if (keys_only) {
        // Leave out the tag lists, the files and the summaries nobody reads in a key pass.
        target.param("excludeElements", "Genre,Mood,Media,Part").param("excludeFields", "summary");
    }
    target.param("X-Plex-Container-Start", start).param("X-Plex-Container-Size", std::uint64_t{page_size});

    const sdk::Response response = send(call, config_.connection, "GET", target.str());
    if (!response.ok()) {
        if (response.status() == kHttpNotFound) {
            return call.error(PMX_NOT_FOUND, "the Plex server has no library section \"" + section +
                                                 "\" (HTTP 404 on GET " + path + ")");
        }
        fail(call, response, "GET " + path);
    }
    const std::string what = "GET " + path + " (tracks)";
    const rapidjson::Document doc = parse_json(response, what);
    const json::Value& container = media_container(doc, what);
    const std::optional<std::uint64_t> total = total_of(container, response);
    const json::Value* items = json::array(container, "Metadata");
    const std::size_t count = items != nullptr ? items->Size() : 0;

    // Plex leaves Genre off most tracks in listings: then the album's genres apply. They are
    // read once per scan (every album of the section, paged), never once per track; the head
    // of a feed asks for the albums of its few tracks alone.
    AlbumGenres head_albums;
    const AlbumGenres* genres = nullptr;
    if (!keys_only && !album_genres_.loaded_for(section)) {
        std::vector<std::string> lacking;  // albums of tracks without genres of their own
        for (std::size_t i = 0; i < count; ++i) {
            const json::Value& item = (*items)[static_cast<rapidjson::SizeType>(i)];
            if (has_own_genres(item)) continue;
            if (std::optional<std::string> album = json::key_text(json::member(item, "parentRatingKey"))) {
                lacking.push_back(std::move(*album));
            }
        }
        if (!lacking.empty() && feed_head) {
            load_albums(call, section, std::move(lacking), head_albums);
            genres = &head_albums;
        } else if (!lacking.empty()) {
            load_album_genres(call, section, page_size);
        }
    }
    if (genres == nullptr && album_genres_.loaded_for(section)) genres = &album_genres_;

    if (total) out.total(*total);
    std::size_t skipped = 0;
    for (std::size_t i = 0; i < count; ++i) {
        pmx_track track;
        if (!mapper_.convert((*items)[static_cast<rapidjson::SizeType>(i)], container, genres, keys_only,
                             track)) {
            ++skipped;
            continue;
        }
        if (!out.track(track)) return PMX_OK;  // the host has seen enough: no next cursor
    }
    if (skipped != 0) {
        sdk::Host::get().warn("plex: skipped " + std::to_string(skipped) +
                              " items without a ratingKey in " + what);
    }
    call.progress(start + count, total.value_or(0));
    if (has_more(start, count, total, page_size)) out.next_cursor(std::to_string(start + count));
    return PMX_OK;
}

// --- playlists ------------------------------------------------------------------------------
//
// write_playlist is a protocol the host may run again from any point (plugin.h, "Writing a
// playlist"): find the playlist (the key given, else the one whose title carries the marker),
// else create it under a title that carries the marker and report its key at once; converge
// its items (append what is missing, then remove the old ones: never empty); give it its real
// title and summary; read the count back for the host to check.

namespace {

// Keys per request that lists them (a playlist's uri, a metadata lookup): URLs stay a few KB.
constexpr std::size_t kKeysPerRequest = 200;
// Items per page when reading a playlist.
constexpr std::uint64_t kItemsPerPage = 1000;
// What the plugin sends of a title and a summary. Plex takes both as query parameters, and a
// request line past a few kilobytes is refused (414) by its web server: these stay far below
// that once percent-encoded (3 bytes per byte at worst), with the item uris beside them.
constexpr std::size_t kMaxTitleBytes = 200;
constexpr std::size_t kMaxSummaryBytes = 1000;

using plugin_common::cut_utf8;

// "Gym [pmx-3f9a1c7b2e4d]": the title a playlist has from its creation until it is complete,
// so that an attempt whose answer was lost can find it.
std::string marked_title(std::string_view title, std::string_view marker) {
    if (marker.empty()) return std::string(cut_utf8(title, kMaxTitleBytes));
    const std::string tag = " [" + std::string(marker) + "]";
    return std::string(cut_utf8(title, kMaxTitleBytes - std::min(kMaxTitleBytes, tag.size()))) + tag;
}

std::string uri_of(const std::string& uri_root, const std::vector<std::string>& keys, std::size_t from,
                   std::size_t to) {
    std::string uri = uri_root;
    for (std::size_t i = from; i < to; ++i) {
        if (i != from) uri += ',';
        uri += keys[i];
    }
    return uri;
}

}  // namespace

std::string PlexSource::create_playlist(const sdk::Call& call, std::string_view title, const std::string& uri_root,
                                        const std::vector<std::string>& keys) const {
    Target target("/playlists");
    target.param("type", "audio").param("title", title).param("smart", "0");
    if (!keys.empty()) target.param("uri", uri_of(uri_root, keys, 0, std::min(keys.size(), kKeysPerRequest)));
    const sdk::Response response = send_ok(call, config_.connection, "POST", target.str());
    const rapidjson::Document doc = parse_json(response, "POST /playlists");
    const json::Value* created = json::array(media_container(doc, "POST /playlists"), "Metadata");
    std::optional<std::string> key;
    if (created != nullptr && !created->Empty()) key = json::key_text(json::member((*created)[0], "ratingKey"));
    return key.value_or("");
}

void PlexSource::add_items(const sdk::Call& call, const std::string& playlist, const std::string& uri_root,
                           const std::vector<std::string>& keys, std::size_t first) const {
    const std::string path = playlist_path(playlist) + "/items";
    for (std::size_t at = first; at < keys.size(); at += kKeysPerRequest) {
        Target target(path);
        target.param("uri", uri_of(uri_root, keys, at, std::min(keys.size(), at + kKeysPerRequest)));
        send_ok(call, config_.connection, "PUT", target.str());
    }
}

std::optional<std::vector<PlexSource::Item>> PlexSource::items(const sdk::Call& call,
                                                               const std::string& playlist) const {
    const std::string path = playlist_path(playlist) + "/items";
    const std::string what = "GET " + path;
    std::vector<Item> out;
    for (std::uint64_t start = 0;;) {
        Target target(path);
        target.param("X-Plex-Container-Start", start).param("X-Plex-Container-Size", kItemsPerPage);
        const sdk::Response response = send(call, config_.connection, "GET", target.str());
        if (response.status() == kHttpNotFound) return std::nullopt;
        if (!response.ok()) fail(call, response, what);
        const rapidjson::Document doc = parse_json(response, what);
        const json::Value& container = media_container(doc, what);
        const json::Value* list = json::array(container, "Metadata");
        const std::size_t count = list != nullptr ? list->Size() : 0;
        for (std::size_t i = 0; i < count; ++i) {
            const json::Value& item = (*list)[static_cast<rapidjson::SizeType>(i)];
            std::optional<std::string> id = json::key_text(json::member(item, "playlistItemID"));
            std::optional<std::string> key = json::key_text(json::member(item, "ratingKey"));
            if (!id || !key) throw sdk::Error(PMX_BAD_RESPONSE, "Plex answered " + what + " with an item lacking "
                                                                "playlistItemID or ratingKey");
            out.push_back({std::move(*id), std::move(*key)});
        }
        if (!has_more(start, count, total_of(container, response), static_cast<std::uint32_t>(kItemsPerPage))) break;
        start += count;
    }
    return out;
}

std::string PlexSource::find_by_marker(const sdk::Call& call, std::string_view marker) const {
    Target target("/playlists");
    target.param("playlistType", "audio");
    const sdk::Response response = send_ok(call, config_.connection, "GET", target.str());
    const rapidjson::Document doc = parse_json(response, "GET /playlists");
    const json::Value* list = json::array(media_container(doc, "GET /playlists"), "Metadata");
    if (list == nullptr) return {};
    const std::string tag = "[" + std::string(marker) + "]";
    for (const json::Value& p : list->GetArray()) {
        if (json::text(json::member(p, "title")).find(tag) == std::string_view::npos) continue;
        if (std::optional<std::string> key = json::key_text(json::member(p, "ratingKey")); key && !key->empty()) {
            return *key;
        }
    }
    return {};
}

std::vector<std::string> PlexSource::known_keys(const sdk::Call& call, const std::vector<std::string>& keys) const {
    std::set<std::string, std::less<>> known;
    // Looks up keys[from, to) in one request; false on 404 (none of them exists, or a server
    // that does not take a list of keys).
    const auto look_up = [&](std::size_t from, std::size_t to) {
        std::string list;
        for (std::size_t i = from; i < to; ++i) {
            if (i != from) list += ',';
            list += encode_component(keys[i]);
        }
        const sdk::Response response = send(call, config_.connection, "GET", "/library/metadata/" + list);
        if (response.status() == kHttpNotFound) return false;
        if (!response.ok()) fail(call, response, "GET /library/metadata/...");
        const rapidjson::Document doc = parse_json(response, "GET /library/metadata/...");
        const json::Value* found = json::array(media_container(doc, "GET /library/metadata/..."), "Metadata");
        if (found == nullptr) return true;
        for (const json::Value& item : found->GetArray()) {
            if (std::optional<std::string> key = json::key_text(json::member(item, "ratingKey"))) {
                known.insert(std::move(*key));
            }
        }
        return true;
    };
    for (std::size_t at = 0; at < keys.size(); at += kKeysPerRequest) {
        const std::size_t end = std::min(keys.size(), at + kKeysPerRequest);
        if (look_up(at, end) || end - at == 1) continue;
        // A whole list unknown is rare: ask for each key alone before believing it.
        for (std::size_t i = at; i < end; ++i) look_up(i, i + 1);
    }
    std::vector<std::string> out;
    for (const std::string& key : keys) {
        if (known.count(key) != 0) out.push_back(key);
    }
    return out;
}

void PlexSource::converge(const sdk::Call& call, const std::string& playlist, const std::string& uri_root,
                          const std::vector<std::string>& wanted) const {
    std::optional<std::vector<Item>> current = items(call, playlist);
    if (!current) throw sdk::Error(PMX_NOT_FOUND, "the Plex playlist " + playlist + " vanished while being written");
    const std::vector<Item>& have = *current;
    // The longest run at the end of what the playlist holds that is the start of what it
    // should hold: an earlier attempt's appends (or old items that happen to match). Those
    // stay; the rest of `wanted` is appended after them; what comes before them goes.
    std::size_t kept = std::min(have.size(), wanted.size());
    for (;; --kept) {
        const std::size_t offset = have.size() - kept;
        bool match = true;
        for (std::size_t i = 0; i < kept && match; ++i) match = have[offset + i].rating_key == wanted[i];
        if (match) break;
    }
    add_items(call, playlist, uri_root, wanted, kept);
    // Everything new is there: only now do the old items go, one request each (Plex removes
    // items by playlistItemID). A repeat answers 404 for what is already gone.
    for (std::size_t i = 0; i < have.size() - kept; ++i) {
        call.throw_if_cancelled();
        const std::string path = playlist_path(playlist) + "/items/" + encode_component(have[i].item_id);
        const sdk::Response response = send(call, config_.connection, "DELETE", path, Repeat::safe);
        if (!response.ok() && response.status() != kHttpNotFound) fail(call, response, "DELETE " + path);
    }
}

std::uint64_t PlexSource::item_count(const sdk::Call& call, const std::string& playlist) const {
    // Size 0 asks for the count alone, not for the items.
    Target target(playlist_path(playlist) + "/items");
    target.param("X-Plex-Container-Start", std::uint64_t{0}).param("X-Plex-Container-Size", std::uint64_t{0});
    const std::string what = describe("GET", target.str());
    const sdk::Response response = send_ok(call, config_.connection, "GET", target.str());
    const rapidjson::Document doc = parse_json(response, what);
    const json::Value& container = media_container(doc, what);
    for (const char* field : {"totalSize", "leafCount", "size"}) {
        const std::optional<std::int64_t> n = json::integer(json::member(container, field));
        if (n && *n >= 0) return static_cast<std::uint64_t>(*n);
    }
    throw sdk::Error(PMX_BAD_RESPONSE, "Plex answered " + what + " without totalSize, leafCount or size");
}

pmx_status PlexSource::write_playlist(sdk::Call& call, const pmx_playlist_write& request, sdk::MediaSink& out) {
    const std::string_view title = cut_utf8(sdk::view(request.title), kMaxTitleBytes);
    const std::string_view summary = cut_utf8(sdk::view(request.description), kMaxSummaryBytes);
    const std::string_view replace = sdk::view(request.replace_key);
    const std::string_view marker = sdk::view(request.marker);
    if (title.empty() && replace.empty()) {
        return call.error(PMX_INVALID_INPUT, "write_playlist: a new playlist needs a title");
    }
    if (request.item_count != 0 && request.item_keys == nullptr) {
        return call.error(PMX_INVALID_INPUT, "write_playlist: item_keys is NULL");
    }
    std::vector<std::string> keys;
    keys.reserve(request.item_count);
    for (std::size_t i = 0; i < request.item_count; ++i) {
        const std::string_view key = sdk::view(request.item_keys[i]);
        // A comma or a slash would change the meaning of the server:// URI.
        if (key.empty() || key.find_first_of(",/") != std::string_view::npos) {
            return call.error(PMX_INVALID_INPUT, "write_playlist: item " + std::to_string(i) + " has the key \"" +
                                                     std::string(key) + "\", which is not a Plex ratingKey");
        }
        keys.emplace_back(key);
    }
    if (marker.find_first_of("[]") != std::string_view::npos) {
        return call.error(PMX_INVALID_INPUT, "write_playlist: the marker may not hold brackets");
    }

    const std::string uri_root = "server://" + machine_identifier(call) + std::string(kUriLibrary);
    const std::vector<std::string> wanted = known_keys(call, keys);
    if (wanted.empty() && !keys.empty()) {
        // Writing would leave a new playlist empty, or empty the one it replaces.
        return call.error(PMX_NOT_FOUND, "the Plex server knows none of the " + std::to_string(keys.size()) +
                                             " tracks (deleted or re-keyed since the last sync): nothing was written");
    }

    // The playlist to write: the one named, when it still exists; else the one an earlier
    // attempt made (found by its marker); else a new one.
    std::string playlist(replace);
    if (!playlist.empty()) {
        const sdk::Response response = send(call, config_.connection, "GET", playlist_path(playlist));
        if (response.status() == kHttpNotFound) playlist.clear();  // deleted on the server: make it anew
        else if (!response.ok()) fail(call, response, "GET " + playlist_path(playlist));
    }
    if (playlist.empty() && !marker.empty()) playlist = find_by_marker(call, marker);
    if (playlist.empty()) {
        if (title.empty()) {
            return call.error(PMX_INVALID_INPUT, "write_playlist: playlist " + std::string(replace) +
                                                     " no longer exists and no title was given for a new one");
        }
        playlist = create_playlist(call, marked_title(title, marker), uri_root, wanted);
        if (playlist.empty() && !marker.empty()) playlist = find_by_marker(call, marker);
        if (playlist.empty()) {
            throw sdk::Error(PMX_BAD_RESPONSE, "Plex answered POST /playlists without the new playlist's ratingKey");
        }
        if (!out.playlist_created(playlist)) {
            return call.error(PMX_CANCELLED, "plexmix could not record the new playlist " + playlist +
                                                 "; its title carries the marker that finds it again");
        }
    }

    converge(call, playlist, uri_root, wanted);
    // The real title (which drops the marker) only once the content is complete.
    Target edit(playlist_path(playlist));
    if (!title.empty()) edit.param("title", title);
    edit.param("summary", summary);
    send_ok(call, config_.connection, "PUT", edit.str(), Repeat::safe);

    // What the server holds; the host compares it with what it asked for (Plex drops keys it
    // does not know: they were left out above, so a difference is reported, not hidden).
    out.playlist(playlist, item_count(call, playlist));
    return PMX_OK;
}

pmx_status PlexSource::delete_playlist(sdk::Call& call, std::string_view key) {
    if (key.empty()) return call.error(PMX_INVALID_INPUT, "delete_playlist: the key is empty");
    const std::string path = playlist_path(key);
    const sdk::Response response = send(call, config_.connection, "DELETE", path);
    if (response.status() == kHttpNotFound) {
        return call.error(PMX_NOT_FOUND, "the Plex server has no playlist " + std::string(key));
    }
    if (!response.ok()) fail(call, response, "DELETE " + path);
    return PMX_OK;
}

}  // namespace pmx::plex
