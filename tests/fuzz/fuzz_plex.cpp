// Fuzz target: the plex plugin's reading of a scan page (plugins/plex and plugins/common: json_read.cpp,
// plex_tracks.cpp, compiled in). Input: the body of GET /library/sections/N/all, parsed as the
// plugin parses it; album items fill an AlbumGenres table, every item goes through
// TrackMapper::convert (full, keys only, without album genres). Every emitted pmx_track must
// keep plugin.h's promises and point only at readable memory.
#include <rapidjson/document.h>

#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "plex_json.hpp"
#include "plex_tracks.hpp"

namespace {

using pmx::fuzz::check;
namespace plex = pmx::plex;
namespace json = pmx::plex::json;

constexpr std::string_view kSection = "3";
constexpr std::int32_t kMaxUserRating = 10;

// Copies a borrowed string, so that the sanitizer sees a dangling or overlong one.
std::string copy(pmx_str s) {
    check(s.len == 0 || s.data != nullptr, "a pmx_str with a length and no data");
    return s.len == 0 ? std::string() : std::string(s.data, s.len);
}

void check_track(const pmx_track& t, bool keys_only) {
    check(t.struct_size == sizeof(pmx_track), "struct_size is not sizeof(pmx_track)");
    check(t.key.len > 0, "a converted track without a key");
    for (const pmx_str& s : {t.key, t.guid, t.file_path, t.title, t.artist, t.artist_key, t.album, t.album_key,
                             t.album_artist}) {
        copy(s);
    }
    check(t.genre_count == 0 || t.genres != nullptr, "genre_count without genres");
    for (std::size_t i = 0; i < t.genre_count; ++i) {
        check(!copy(t.genres[i]).empty(), "an empty genre name");
    }
    if ((t.has & PMX_TRACK_HAS_RATING) != 0) {
        check(t.user_rating >= 0 && t.user_rating <= kMaxUserRating, "a user rating off the 0-10 scale");
    }
    if ((t.has & PMX_TRACK_HAS_YEAR) != 0) check(t.year > 0, "a year that is not positive");
    if (keys_only) {
        check(t.title.len == 0 && t.genre_count == 0 && t.has == 0, "a keys-only track carries more than keys");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // As plex_http.cpp's parse_json() and media_container() read a response.
    rapidjson::Document doc;
    if (!json::parse_object(pmx::fuzz::as_text(data, size), doc)) return 0;
    const json::Value* found = json::member(doc, "MediaContainer");
    if (found == nullptr || !found->IsObject()) return 0;
    const json::Value& container = *found;
    const json::Value* items = json::array(container, "Metadata");
    if (items == nullptr) return 0;

    plex::AlbumGenres albums;
    albums.begin(std::string(kSection));
    check(albums.loaded_for(kSection), "AlbumGenres forgot the section it began");
    for (const json::Value& item : items->GetArray()) albums.add(item);
    check(albums.size() <= items->Size(), "more albums than items");

    plex::TrackMapper mapper;
    for (const json::Value& item : items->GetArray()) {
        plex::has_own_genres(item);
        pmx_track full;
        const bool converted = mapper.convert(item, container, &albums, false, full);
        if (converted) check_track(full, false);
        const std::string key(full.key.data != nullptr ? full.key.data : "", full.key.len);

        pmx_track keys;
        check(mapper.convert(item, container, &albums, true, keys) == converted, "keys-only disagrees on a key");
        if (converted) {
            check_track(keys, true);
            check(std::string_view(keys.key.data, keys.key.len) == key, "keys-only read another key");
        }
        pmx_track alone;
        check(mapper.convert(item, container, nullptr, false, alone) == converted, "album genres changed the key");
        if (converted) check_track(alone, false);
    }
    return 0;
}
