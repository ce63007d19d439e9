// The jellyfin media source: what each pmx.media-source/1 call asks of a Jellyfin server (10.9-10.11).
//
// Sources relied on (reference, no code copied): Jellyfin's OpenAPI description and its
// controllers. SystemController: GET /System/Info/Public (no auth) gives Id, ServerName,
// Version, ProductName. UserViewsController: GET /UserViews?userId= lists the user's
// libraries (CollectionType "music"). ItemsController: GET /Items with userId, ParentId,
// IncludeItemTypes, Recursive, StartIndex, Limit, Fields, SortBy, SortOrder, IsFavorite,
// IsPlayed, EnableUserData, EnableImages, EnableTotalRecordCount, MinDateLastSaved and
// MinDateLastSavedForUser; it answers {Items, TotalRecordCount, StartIndex}. Its repository
// code shows that both date filters test the item's DateLastSaved (10.9/10.10's SQLite
// repository binds only the ForUser one's parameter, so MinDateLastSaved alone fails there),
// that plays and favourites do not move it, and that with EnableTotalRecordCount=false
// TotalRecordCount is only the page's own count.
#include "jellyfin_source.hpp"

#include <charconv>
#include <cstddef>
#include <ctime>

namespace pmx::jellyfin {
namespace {

constexpr std::string_view kMusicCollection = "music";
constexpr std::string_view kDefaultProduct = "Jellyfin Server";
// The fields a track needs besides the defaults (Name, Album, Artists, RunTimeTicks, ...).
constexpr const char* kTrackFields = "Genres,DateCreated,Path,ProviderIds";
// A sorted incremental feed usually stops within its first items: its first page is small.
constexpr std::uint32_t kFeedFirstPage = 50;
// A keys-only page (the deletion pass, the favourites list) asks this many times the page size:
// its items carry no Fields and no user data, and the server filters the whole library for every
// page it answers (an IsFavorite page of 1,000 took 31 ms from the fake at 200k, one of 5,000
// 48 ms), so fewer, larger pages cost it less.
constexpr std::uint32_t kKeysPageFactor = 5;
// How far before the last sync's start the updated feed looks: the server's Date header has
// one-second steps and a sync's own start is not the instant it read each item.
constexpr std::int64_t kSinceMarginSeconds = 600;
constexpr char kCursorSeparator = '/';

pmx_str str(std::string_view s) { return pmx_str{s.data(), s.size()}; }

std::optional<std::uint64_t> parse_number(std::string_view text) {
    std::uint64_t value = 0;
    const char* const end = text.data() + text.size();
    const auto r = std::from_chars(text.data(), end, value);
    if (text.empty() || r.ec != std::errc() || r.ptr != end) return std::nullopt;
    return value;
}

// A scan cursor: "<next StartIndex>/<total>" (total empty when unknown). Jellyfin counts the
// total only when asked (EnableTotalRecordCount), which costs a query per page, so only the
// first page asks and the cursor carries the answer.
struct Cursor {
    std::uint64_t start = 0;
    std::optional<std::uint64_t> total;
};

std::optional<Cursor> parse_cursor(std::string_view text) {
    const std::size_t slash = text.find(kCursorSeparator);
    if (slash == std::string_view::npos) return std::nullopt;
    Cursor cursor;
    const auto start = parse_number(text.substr(0, slash));
    if (!start) return std::nullopt;
    cursor.start = *start;
    const std::string_view total = text.substr(slash + 1);
    if (!total.empty()) {
        cursor.total = parse_number(total);
        if (!cursor.total) return std::nullopt;
    }
    return cursor;
}

std::string cursor_text(std::uint64_t start, std::optional<std::uint64_t> total) {
    return std::to_string(start) + kCursorSeparator + (total ? std::to_string(*total) : std::string());
}

}  // namespace

// --- requests -------------------------------------------------------------------------------

sdk::Response JellyfinSource::request(const sdk::Call& call, const char* method, const std::string& target,
                                      std::string_view body, Repeat repeat) {
    session_.ensure(call);
    sdk::Response response = send(call, session_.client(), method, target, body, repeat);
    if (response.status() == kHttpUnauthorized && session_.renew(call)) {
        response = send(call, session_.client(), method, target, body, repeat);
    }
    return response;
}

sdk::Response JellyfinSource::request_ok(const sdk::Call& call, const char* method, const std::string& target,
                                         std::string_view body, Repeat repeat) {
    sdk::Response response = request(call, method, target, body, repeat);
    if (!response.ok()) fail(call, response, describe(method, target), session_.credential_setting());
    return response;
}

void JellyfinSource::note_clock(const sdk::Response& response) {
    const std::optional<std::string_view> date = response.header("date");
    if (!date) return;
    if (const std::optional<std::int64_t> server = parse_http_date(*date)) {
        clock_skew_ = *server - static_cast<std::int64_t>(std::time(nullptr));
    }
}

// --- identity and libraries -----------------------------------------------------------------

pmx_status JellyfinSource::identity(sdk::Call& call, sdk::MediaSink& out) {
    // Public: it answers without credentials, so a wrong URL shows apart from wrong credentials.
    const sdk::Response response = send(call, session_.client(), "GET", "/System/Info/Public");
    if (!response.ok()) fail(call, response, "GET /System/Info/Public", session_.credential_setting());
    note_clock(response);
    const rapidjson::Document doc = parse_object(response, "GET /System/Info/Public");
    const std::string id(json::text(json::member(doc, "Id")));
    if (id.empty()) throw sdk::Error(PMX_BAD_RESPONSE, "Jellyfin answered GET /System/Info/Public without an Id");
    // The credentials are checked here, before a sync records anything under this server.
    session_.ensure(call);
    const std::string_view product = json::text(json::member(doc, "ProductName"));
    pmx_server_info info{};
    info.identity = str(id);
    info.name = str(json::text(json::member(doc, "ServerName")));
    info.version = str(json::text(json::member(doc, "Version")));
    info.product = str(product.empty() ? kDefaultProduct : product);
    out.server(info);
    return PMX_OK;
}

std::uint64_t JellyfinSource::library_track_count(sdk::Call& call, const std::string& library) {
    // The same items a scan visits, none of them sent: Limit=0 answers TotalRecordCount alone.
    Target target("/Items");
    target.param("userId", session_.user_id())
        .param("ParentId", library)
        .param("IncludeItemTypes", "Audio")
        .param("Recursive", "true")
        .param("Limit", std::uint64_t{0})
        .param("EnableImages", "false")
        .param("EnableUserData", "false")
        .param("EnableTotalRecordCount", "true");
    const sdk::Response response = request_ok(call, "GET", target.str());
    const rapidjson::Document doc = parse_object(response, "GET /Items (track count)");
    const std::optional<std::int64_t> counted = json::integer(json::member(doc, "TotalRecordCount"));
    if (!counted || *counted < 0) {
        throw sdk::Error(PMX_BAD_RESPONSE, "Jellyfin answered GET /Items (track count) without a TotalRecordCount");
    }
    return static_cast<std::uint64_t>(*counted);
}

pmx_status JellyfinSource::list_libraries(sdk::Call& call, sdk::MediaSink& out) {
    session_.ensure(call);
    Target target("/UserViews");
    target.param("userId", session_.user_id());
    const sdk::Response response = request_ok(call, "GET", target.str());
    const rapidjson::Document doc = parse_object(response, "GET /UserViews");
    const std::string wanted = plugin_common::fold_case(config_.library);
    const std::optional<std::string> wanted_id = normal_id(config_.library);
    std::string names;
    bool found = false;
    if (const json::Value* items = json::array(doc, "Items")) {
        for (const json::Value& view : items->GetArray()) {
            if (plugin_common::fold_case(json::text(json::member(view, "CollectionType"))) != kMusicCollection) continue;
            const std::optional<std::string> id = normal_id(json::text(json::member(view, "Id")));
            if (!id) continue;
            const std::string_view name = json::text(json::member(view, "Name"));
            names += names.empty() ? "" : ", ";
            names += "\"" + std::string(name) + "\"";
            if (!wanted.empty() && id != wanted_id && plugin_common::fold_case(name) != wanted) continue;
            // The change stamp (ABI 1.5) is the count: a deletion lowers it, and what arrives
            // or is edited shows in the updated feed (DateLastSaved) anyway.
            const std::uint64_t tracks = library_track_count(call, *id);
            const std::string stamp = "tracks:" + std::to_string(tracks);
            pmx_library library{};
            library.key = str(*id);
            library.title = str(name);
            library.track_count = tracks;
            library.change_stamp = str(stamp);
            out.library(library);
            found = true;
            if (!wanted.empty()) break;
        }
    }
    if (found || wanted.empty()) return PMX_OK;
    return call.error(PMX_NOT_FOUND, "the Jellyfin user \"" + session_.user_name() + "\" sees no music library \"" +
                                         config_.library + "\"; " +
                                         (names.empty() ? std::string("it sees no music library at all")
                                                        : "its music libraries are " + names) +
                                         " (setting `library`: a name or an Id)");
}

// --- scanning -------------------------------------------------------------------------------

pmx_status JellyfinSource::scan_tracks(sdk::Call& call, const pmx_scan_request& request, sdk::MediaSink& out) {
    const std::optional<std::string> library = normal_id(sdk::view(request.library_key));
    if (!library) return call.error(PMX_INVALID_INPUT, "scan_tracks: the library key is not a Jellyfin Id");
    Cursor cursor;
    const std::string_view given = sdk::view(request.cursor);
    if (!given.empty()) {
        const std::optional<Cursor> parsed = parse_cursor(given);
        if (!parsed) {
            return call.error(PMX_INVALID_INPUT,
                              "scan_tracks: the cursor \"" + std::string(given) + "\" was not made by the jellyfin plugin");
        }
        cursor = *parsed;
    }
    const bool keys_only = (request.flags & PMX_SCAN_KEYS_ONLY) != 0;
    // ABI 1.4's since, from a host that sends it (the struct may be a 1.3 host's, shorter).
    const std::int64_t since =
        request.struct_size >= offsetof(pmx_scan_request, since) + sizeof request.since ? request.since : 0;
    std::uint32_t page_size = request.page_size != 0 ? request.page_size : config_.page_size;

    session_.ensure(call);
    Target target("/Items");
    target.param("userId", session_.user_id())
        .param("ParentId", *library)
        .param("IncludeItemTypes", "Audio")
        .param("Recursive", "true");
    switch (request.order) {
        case PMX_SCAN_ORDER_ANY: break;  // the server's own order: the cheapest
        case PMX_SCAN_ORDER_UPDATED_DESC:
            if (since > 0) {
                // Only what was saved since the last sync began, on the server's clock. Plays
                // and favourites do not count as saves: the played and favourites feeds see to
                // them. MinDateLastSavedForUser, not MinDateLastSaved: both test DateLastSaved,
                // and 10.9/10.10 answer 500 to the latter alone.
                const std::int64_t server_since = since + clock_skew_.value_or(0) - kSinceMarginSeconds;
                target.param("MinDateLastSavedForUser", iso_time(server_since));
            }
            target.param("SortBy", "DateCreated,SortName").param("SortOrder", "Descending");
            break;
        case PMX_SCAN_ORDER_ADDED_DESC:
            target.param("SortBy", "DateCreated,SortName").param("SortOrder", "Descending");
            break;
        case PMX_SCAN_ORDER_PLAYED_DESC:
            target.param("SortBy", "DatePlayed,SortName").param("SortOrder", "Descending").param("IsPlayed", "true");
            break;
        case PMX_SCAN_ORDER_FAVOURITES: target.param("IsFavorite", "true"); break;
        case PMX_SCAN_ORDER_RATED_DESC:
            return call.error(PMX_UNSUPPORTED, "Jellyfin keeps no time of a rating: there is no rated feed");
        default: return call.error(PMX_INVALID_INPUT, "scan_tracks: unknown order " + std::to_string(request.order));
    }
    const bool sorted_feed = request.order == PMX_SCAN_ORDER_ADDED_DESC || request.order == PMX_SCAN_ORDER_PLAYED_DESC ||
                             (request.order == PMX_SCAN_ORDER_UPDATED_DESC && since <= 0);
    if (sorted_feed && given.empty()) page_size = std::min(page_size, kFeedFirstPage);
    if (keys_only && request.page_size == 0) page_size *= kKeysPageFactor;
    target.param("StartIndex", cursor.start).param("Limit", std::uint64_t{page_size});
    target.param("EnableImages", "false").param("EnableTotalRecordCount", given.empty() ? "true" : "false");
    if (keys_only) {
        target.param("EnableUserData", "false");  // and no Fields: the key pass wants Ids
    } else {
        target.param("Fields", kTrackFields).param("EnableUserData", "true");
    }

    const sdk::Response response = request_ok(call, "GET", target.str());
    const rapidjson::Document doc = parse_object(response, "GET /Items (tracks)");
    const json::Value* items = json::array(doc, "Items");
    if (items == nullptr) throw sdk::Error(PMX_BAD_RESPONSE, "Jellyfin answered GET /Items without an Items array");
    const std::size_t count = items->Size();
    std::optional<std::uint64_t> total = cursor.total;
    if (given.empty()) {
        const std::optional<std::int64_t> counted = json::integer(json::member(doc, "TotalRecordCount"));
        if (counted && *counted >= 0) total = static_cast<std::uint64_t>(*counted);
    }
    if (total) out.total(*total);

    std::size_t skipped = 0;
    for (std::size_t i = 0; i < count; ++i) {
        pmx_track track;
        if (!mapper_.convert((*items)[static_cast<rapidjson::SizeType>(i)], keys_only, track)) {
            ++skipped;
            continue;
        }
        if (!out.track(track)) return PMX_OK;  // the host has seen enough: no next cursor
    }
    if (skipped != 0) sdk::Host::get().warn("jellyfin: skipped " + std::to_string(skipped) + " items without an Id");
    const std::uint64_t next = cursor.start + count;
    call.progress(next, total.value_or(0));
    const bool more = count != 0 && (total ? next < *total : count >= page_size);
    if (more) out.next_cursor(cursor_text(next, total));
    return PMX_OK;
}

}  // namespace pmx::jellyfin
