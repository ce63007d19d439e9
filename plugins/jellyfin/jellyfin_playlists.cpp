// Jellyfin playlists as the writing protocol of plugin.h asks: safe to repeat, never empty, never two.
//
// Sources (reference, no code copied): Jellyfin.Api PlaylistsController and PlaylistManager.
//  - POST /Playlists {Name, Ids, UserId, MediaType} answers {Id}; POST /Playlists/{id}/Items
//    ?ids=&userId= appends; DELETE /Playlists/{id}/Items?entryIds= removes entries (by their
//    PlaylistItemId); GET /Playlists/{id}/Items?userId=&StartIndex=&Limit= lists them, with
//    TotalRecordCount; POST /Playlists/{id} {Name} renames; DELETE /Items/{id} deletes.
//  - Adding skips unknown ids silently, and (the default since 10.9, playlists:allowDuplicates
//    false) items the playlist already holds: so a new order cannot be made by appending
//    first and removing after, as on Plex. Converging keeps what is in place, appends what is
//    missing, removes what is no longer wanted, and rebuilds only the tail that is out of
//    order, never below the first wanted item: the playlist never goes empty.
//  - UpdatePlaylist and removing entries read the calling user from the session: with an API
//    key (no user) 10.9-10.11 answer an error (issues #12999, #13476). Writing is refused up
//    front with an API key, before anything is made.
#include "jellyfin_source.hpp"

#include <algorithm>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace pmx::jellyfin {
namespace {

// Ids per request that lists them in its query: 100 × 33 bytes keeps URLs near 3 KB, far below
// the 8 KB request line of Kestrel and of most proxies.
constexpr std::size_t kIdsPerRequest = 100;
constexpr std::uint64_t kEntriesPerPage = 1000;
constexpr std::size_t kMaxTitleBytes = 200;

std::string join(const std::vector<std::string>& ids, std::size_t from, std::size_t to) {
    std::string out;
    for (std::size_t i = from; i < to; ++i) {
        if (i != from) out += ',';
        out += ids[i];
    }
    return out;
}

// "Gym [pmx-3f9a1c7b2e4d]": the name a playlist has from its creation until it is complete,
// so that an attempt whose answer was lost can find it.
std::string marked_title(std::string_view title, std::string_view marker) {
    if (marker.empty()) return std::string(plugin_common::cut_utf8(title, kMaxTitleBytes));
    const std::string tag = " [" + std::string(marker) + "]";
    return std::string(plugin_common::cut_utf8(title, kMaxTitleBytes - std::min(kMaxTitleBytes, tag.size()))) + tag;
}

std::string playlist_path(const std::string& id) { return "/Playlists/" + id; }

}  // namespace

std::vector<std::string> JellyfinSource::known_ids(const sdk::Call& call, const std::vector<std::string>& ids) {
    std::unordered_set<std::string> known;
    for (std::size_t at = 0; at < ids.size(); at += kIdsPerRequest) {
        const std::size_t end = std::min(ids.size(), at + kIdsPerRequest);
        Target target("/Items");
        target.param("userId", session_.user_id()).param("Ids", join(ids, at, end));
        target.param("EnableImages", "false").param("EnableUserData", "false");
        const sdk::Response response = request_ok(call, "GET", target.str());
        const rapidjson::Document doc = parse_object(response, "GET /Items (ids)");
        if (const json::Value* items = json::array(doc, "Items")) {
            for (const json::Value& item : items->GetArray()) {
                if (auto id = normal_id(json::text(json::member(item, "Id")))) known.insert(std::move(*id));
            }
        }
    }
    std::vector<std::string> out;
    for (const std::string& id : ids) {
        if (known.count(id) != 0) out.push_back(id);
    }
    return out;
}

std::optional<std::vector<JellyfinSource::Entry>> JellyfinSource::entries(const sdk::Call& call,
                                                                          const std::string& playlist) {
    const std::string path = playlist_path(playlist) + "/Items";
    std::vector<Entry> out;
    for (std::uint64_t start = 0;;) {
        Target target(path);
        target.param("userId", session_.user_id()).param("StartIndex", start).param("Limit", kEntriesPerPage);
        target.param("EnableImages", "false").param("EnableUserData", "false");
        const sdk::Response response = request(call, "GET", target.str());
        if (response.status() == kHttpNotFound) return std::nullopt;
        if (!response.ok()) fail(call, response, "GET " + path, session_.credential_setting());
        const rapidjson::Document doc = parse_object(response, "GET " + path);
        const json::Value* items = json::array(doc, "Items");
        const std::size_t count = items != nullptr ? items->Size() : 0;
        for (std::size_t i = 0; i < count; ++i) {
            const json::Value& item = (*items)[static_cast<rapidjson::SizeType>(i)];
            std::optional<std::string> entry = normal_id(json::text(json::member(item, "PlaylistItemId")));
            std::optional<std::string> id = normal_id(json::text(json::member(item, "Id")));
            if (!entry || !id) {
                throw sdk::Error(PMX_BAD_RESPONSE, "Jellyfin answered GET " + path + " with an item lacking Id or PlaylistItemId");
            }
            out.push_back({std::move(*entry), std::move(*id)});
        }
        const std::optional<std::int64_t> total = json::integer(json::member(doc, "TotalRecordCount"));
        start += count;
        if (count == 0 || (total ? static_cast<std::int64_t>(start) >= *total : count < kEntriesPerPage)) break;
    }
    return out;
}

std::string JellyfinSource::find_by_marker(const sdk::Call& call, std::string_view marker) {
    Target target("/Items");
    target.param("userId", session_.user_id()).param("IncludeItemTypes", "Playlist").param("Recursive", "true");
    target.param("EnableImages", "false").param("EnableUserData", "false");
    const sdk::Response response = request_ok(call, "GET", target.str());
    const rapidjson::Document doc = parse_object(response, "GET /Items (playlists)");
    const std::string tag = "[" + std::string(marker) + "]";
    if (const json::Value* items = json::array(doc, "Items")) {
        for (const json::Value& item : items->GetArray()) {
            if (json::text(json::member(item, "Name")).find(tag) == std::string_view::npos) continue;
            if (auto id = normal_id(json::text(json::member(item, "Id")))) return *id;
        }
    }
    return {};
}

std::string JellyfinSource::create_playlist(const sdk::Call& call, const std::string& name,
                                            const std::vector<std::string>& ids) {
    rapidjson::StringBuffer body;
    rapidjson::Writer<rapidjson::StringBuffer> writer(body);
    writer.StartObject();
    writer.Key("Name");
    writer.String(name.data(), static_cast<rapidjson::SizeType>(name.size()));
    writer.Key("Ids");
    writer.StartArray();
    for (std::size_t i = 0; i < std::min(ids.size(), kIdsPerRequest); ++i) {
        writer.String(ids[i].data(), static_cast<rapidjson::SizeType>(ids[i].size()));
    }
    writer.EndArray();
    writer.Key("UserId");
    writer.String(session_.user_id().data(), static_cast<rapidjson::SizeType>(session_.user_id().size()));
    writer.Key("MediaType");
    writer.String("Audio");
    writer.EndObject();
    // Never repeated by the host: a lost answer is found again by the marker, not re-sent.
    const sdk::Response response = request_ok(call, "POST", "/Playlists", std::string_view(body.GetString(), body.GetSize()));
    const rapidjson::Document doc = parse_object(response, "POST /Playlists");
    return normal_id(json::text(json::member(doc, "Id"))).value_or(std::string());
}

void JellyfinSource::append(const sdk::Call& call, const std::string& playlist, const std::vector<std::string>& ids,
                            std::size_t from, std::size_t to) {
    const std::string path = playlist_path(playlist) + "/Items";
    for (std::size_t at = from; at < to; at += kIdsPerRequest) {
        call.throw_if_cancelled();
        Target target(path);
        target.param("ids", join(ids, at, std::min(to, at + kIdsPerRequest))).param("userId", session_.user_id());
        // Once: on a server that allows duplicates a repeat would add the chunk twice.
        request_ok(call, "POST", target.str());
    }
}

void JellyfinSource::remove(const sdk::Call& call, const std::string& playlist, const std::vector<std::string>& entry_ids) {
    const std::string path = playlist_path(playlist) + "/Items";
    for (std::size_t at = 0; at < entry_ids.size(); at += kIdsPerRequest) {
        call.throw_if_cancelled();
        Target target(path);
        target.param("entryIds", join(entry_ids, at, std::min(entry_ids.size(), at + kIdsPerRequest)));
        // Safe to repeat: entries already gone are not there to remove again.
        request_ok(call, "DELETE", target.str(), {}, Repeat::safe);
    }
}

void JellyfinSource::converge(const sdk::Call& call, const std::string& playlist, const std::vector<std::string>& wanted) {
    const auto vanished = [&] {
        return sdk::Error(PMX_NOT_FOUND, "the Jellyfin playlist " + playlist + " vanished while being written");
    };
    std::optional<std::vector<Entry>> have = entries(call, playlist);
    if (!have) throw vanished();
    // 1. Append what is missing, in the wanted order: the new content is all there before
    //    anything old goes.
    std::unordered_set<std::string> present;
    for (const Entry& e : *have) present.insert(e.item_id);
    std::vector<std::string> missing;
    for (const std::string& id : wanted) {
        if (present.count(id) == 0) missing.push_back(id);
    }
    append(call, playlist, missing, 0, missing.size());
    // 2. Remove what is not wanted (and second copies, should the server keep duplicates).
    have = entries(call, playlist);
    if (!have) throw vanished();
    const std::unordered_set<std::string> wanted_set(wanted.begin(), wanted.end());
    std::unordered_set<std::string> seen;
    std::vector<std::string> unwanted;
    std::vector<Entry> kept;
    for (const Entry& e : *have) {
        if (wanted_set.count(e.item_id) == 0 || !seen.insert(e.item_id).second) unwanted.push_back(e.entry_id);
        else kept.push_back(e);
    }
    remove(call, playlist, unwanted);
    // 3. The order: items kept from before sit ahead of the appended ones. The part after the
    //    longest prefix already in place is removed and appended again in order. When not even
    //    the first item is in place, the entries before it go first, so that the playlist keeps
    //    at least that item at all times. (What the server would not take is left out.)
    std::unordered_set<std::string> held;
    for (const Entry& e : kept) held.insert(e.item_id);
    std::vector<std::string> order;
    for (const std::string& id : wanted) {
        if (held.count(id) != 0) order.push_back(id);
    }
    for (int round = 0; round < 2; ++round) {
        std::size_t prefix = 0;
        while (prefix < kept.size() && prefix < order.size() && kept[prefix].item_id == order[prefix]) ++prefix;
        if (prefix == kept.size()) {  // in order; what a first round took out comes back
            append(call, playlist, order, prefix, order.size());
            return;
        }
        std::vector<std::string> out_of_place;
        if (prefix == 0) {
            for (const Entry& e : kept) {
                if (e.item_id == order[0]) break;
                out_of_place.push_back(e.entry_id);
            }
            remove(call, playlist, out_of_place);
            have = entries(call, playlist);
            if (!have) throw vanished();
            kept = *have;
            continue;
        }
        for (std::size_t i = prefix; i < kept.size(); ++i) out_of_place.push_back(kept[i].entry_id);
        remove(call, playlist, out_of_place);
        append(call, playlist, order, prefix, order.size());
        return;
    }
}

std::uint64_t JellyfinSource::item_count(const sdk::Call& call, const std::string& playlist) {
    // Limit=0 asks for the count alone.
    Target target(playlist_path(playlist) + "/Items");
    target.param("userId", session_.user_id()).param("StartIndex", std::uint64_t{0}).param("Limit", std::uint64_t{0});
    const sdk::Response response = request_ok(call, "GET", target.str());
    const rapidjson::Document doc = parse_object(response, "GET " + playlist_path(playlist) + "/Items");
    const std::optional<std::int64_t> n = json::integer(json::member(doc, "TotalRecordCount"));
    if (!n || *n < 0) throw sdk::Error(PMX_BAD_RESPONSE, "Jellyfin answered a playlist's items without TotalRecordCount");
    return static_cast<std::uint64_t>(*n);
}

pmx_status JellyfinSource::write_playlist(sdk::Call& call, const pmx_playlist_write& request, sdk::MediaSink& out) {
    const std::string_view title = plugin_common::cut_utf8(sdk::view(request.title), kMaxTitleBytes);
    const std::string_view replace = sdk::view(request.replace_key);
    const std::string_view marker = sdk::view(request.marker);
    if (session_.mode() == AuthMode::api_key) {
        return call.error(PMX_INVALID_INPUT,
                          "Jellyfin lets no API key edit a playlist (an API key acts as no user, and Jellyfin 10.9 to "
                          "10.11 refuse renaming a playlist or removing its items without one): give the provider "
                          "`username` and `password`, or a user's `token`, to write playlists");
    }
    if (title.empty() && replace.empty()) return call.error(PMX_INVALID_INPUT, "write_playlist: a new playlist needs a title");
    if (request.item_count != 0 && request.item_keys == nullptr) {
        return call.error(PMX_INVALID_INPUT, "write_playlist: item_keys is NULL");
    }
    if (marker.find_first_of("[]") != std::string_view::npos) {
        return call.error(PMX_INVALID_INPUT, "write_playlist: the marker may not hold brackets");
    }
    std::vector<std::string> keys;
    std::unordered_set<std::string> unique;
    for (std::size_t i = 0; i < request.item_count; ++i) {
        const std::string_view key = sdk::view(request.item_keys[i]);
        const std::optional<std::string> id = normal_id(key);
        if (!id) {
            return call.error(PMX_INVALID_INPUT, "write_playlist: item " + std::to_string(i) + " has the key \"" +
                                                     std::string(key) + "\", which is not a Jellyfin Id");
        }
        // Jellyfin keeps one entry per item (playlists:allowDuplicates is off by default).
        if (unique.insert(*id).second) keys.push_back(*id);
    }
    std::optional<std::string> replace_id;
    if (!replace.empty()) {
        replace_id = normal_id(replace);
        if (!replace_id) return call.error(PMX_INVALID_INPUT, "write_playlist: \"" + std::string(replace) + "\" is not a Jellyfin Id");
    }

    session_.ensure(call);
    const std::vector<std::string> wanted = known_ids(call, keys);
    if (wanted.empty() && !keys.empty()) {
        return call.error(PMX_NOT_FOUND, "the Jellyfin server knows none of the " + std::to_string(keys.size()) +
                                             " tracks (deleted or moved since the last sync): nothing was written");
    }

    // The playlist to write: the one named, while it exists; else the one an earlier attempt
    // made (its marker); else a new one.
    std::string playlist = replace_id.value_or(std::string());
    if (!playlist.empty() && !entries(call, playlist)) playlist.clear();  // deleted on the server
    if (playlist.empty() && !marker.empty()) playlist = find_by_marker(call, marker);
    if (playlist.empty()) {
        if (title.empty()) {
            return call.error(PMX_INVALID_INPUT, "write_playlist: playlist " + std::string(replace) +
                                                     " no longer exists and no title was given for a new one");
        }
        playlist = create_playlist(call, marked_title(title, marker), wanted);
        if (playlist.empty() && !marker.empty()) playlist = find_by_marker(call, marker);
        if (playlist.empty()) throw sdk::Error(PMX_BAD_RESPONSE, "Jellyfin answered POST /Playlists without the new playlist's Id");
        if (!out.playlist_created(playlist)) {
            return call.error(PMX_CANCELLED, "plexmix could not record the new playlist " + playlist +
                                                 "; its name carries the marker that finds it again");
        }
    }

    converge(call, playlist, wanted);
    // Its real name (without the marker) only once the content is complete. Jellyfin keeps no
    // description for a playlist made this way: the description is not sent.
    if (!title.empty()) {
        rapidjson::StringBuffer body;
        rapidjson::Writer<rapidjson::StringBuffer> writer(body);
        writer.StartObject();
        writer.Key("Name");
        writer.String(title.data(), static_cast<rapidjson::SizeType>(title.size()));
        writer.EndObject();
        request_ok(call, "POST", playlist_path(playlist), std::string_view(body.GetString(), body.GetSize()), Repeat::safe);
    }
    // What the server holds; the host compares it with what it asked for.
    out.playlist(playlist, item_count(call, playlist));
    return PMX_OK;
}

pmx_status JellyfinSource::delete_playlist(sdk::Call& call, std::string_view key) {
    const std::optional<std::string> id = normal_id(key);
    if (!id) return call.error(PMX_INVALID_INPUT, "delete_playlist: \"" + std::string(key) + "\" is not a Jellyfin Id");
    const std::string path = "/Items/" + *id;
    const sdk::Response response = request(call, "DELETE", path);
    if (response.status() == kHttpNotFound) {
        return call.error(PMX_NOT_FOUND, "the Jellyfin server has no playlist " + *id);
    }
    if (!response.ok()) fail(call, response, "DELETE " + path, session_.credential_setting());
    return PMX_OK;
}

}  // namespace pmx::jellyfin
