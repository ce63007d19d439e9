// Jellyfin Audio items -> pmx_track (see jellyfin_tracks.hpp).
//
// Field names from Jellyfin's BaseItemDto and UserItemDataDto (its OpenAPI description):
// Id, Name, Album, AlbumId, AlbumArtist, AlbumArtists[{Name, Id}], Artists[], ArtistItems[],
// Genres[] (with Fields=Genres), ProductionYear, IndexNumber, ParentIndexNumber, RunTimeTicks,
// DateCreated (with Fields=DateCreated), Path (Fields=Path), ProviderIds (Fields=ProviderIds),
// UserData {PlayCount, LastPlayedDate, IsFavorite, Played, Rating}.
#include "jellyfin_tracks.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>

namespace pmx::jellyfin {
namespace {

constexpr double kMinRating = 0.0;
constexpr double kMaxRating = 10.0;
constexpr std::string_view kArtistSeparator = ", ";

pmx_str str(std::string_view s) { return pmx_str{s.data(), s.size()}; }

std::uint32_t small_count(const json::Value* value) {
    const std::optional<std::int64_t> n = json::integer(value);
    if (!n || *n <= 0) return 0;
    return static_cast<std::uint32_t>(std::min<std::int64_t>(*n, std::numeric_limits<std::uint32_t>::max()));
}

std::string_view provider_id(const json::Value& ids, std::string_view name) {
    // ProviderIds is a dictionary whose keys Jellyfin compares case-insensitively.
    if (!ids.IsObject()) return {};
    for (const auto& member : ids.GetObject()) {
        const std::string_view key(member.name.GetString(), member.name.GetStringLength());
        if (key.size() == name.size() && plugin_common::fold_case(key) == plugin_common::fold_case(name)) {
            return json::text(&member.value);
        }
    }
    return {};
}

}  // namespace

std::string fallback_identity(const json::Value& provider_ids) {
    const std::string_view track = provider_id(provider_ids, "MusicBrainzTrack");
    if (!track.empty()) return "mbtrack:" + plugin_common::fold_case(track);
    const std::string_view recording = provider_id(provider_ids, "MusicBrainzRecording");
    const std::string_view release = provider_id(provider_ids, "MusicBrainzAlbum");
    if (!recording.empty() && !release.empty()) {
        return "mbrecording:" + plugin_common::fold_case(recording) + "/release:" + plugin_common::fold_case(release);
    }
    return {};
}

std::int32_t rating_from_jellyfin(double rating) {
    return static_cast<std::int32_t>(std::lround(std::clamp(rating, kMinRating, kMaxRating)));
}

bool TrackMapper::convert(const json::Value& item, bool keys_only, pmx_track& out) {
    std::memset(&out, 0, sizeof out);
    out.struct_size = sizeof out;

    const std::optional<std::string> key = normal_id(json::text(json::member(item, "Id")));
    if (!key) return false;
    key_ = *key;
    out.key = str(key_);
    if (const std::optional<std::int64_t> created = parse_iso_time(json::text(json::member(item, "DateCreated")))) {
        out.added_at = *created;
    }
    if (keys_only) return true;

    out.title = str(json::text(json::member(item, "Name")));
    out.album = str(json::text(json::member(item, "Album")));
    album_key_ = normal_id(json::text(json::member(item, "AlbumId"))).value_or(std::string());
    out.album_key = str(album_key_);
    out.album_artist = str(json::text(json::member(item, "AlbumArtist")));
    // The album artist's key: the first of AlbumArtists (the one AlbumArtist names first).
    artist_key_.clear();
    if (const json::Value* album_artists = json::array(item, "AlbumArtists"); album_artists && !album_artists->Empty()) {
        artist_key_ = normal_id(json::text(json::member((*album_artists)[0], "Id"))).value_or(std::string());
    }
    out.artist_key = str(artist_key_);
    // The track's own artists, as Jellyfin lists them; the album artist when it lists none.
    artist_.clear();
    if (const json::Value* artists = json::array(item, "Artists")) {
        for (const json::Value& artist : artists->GetArray()) {
            const std::string_view name = json::text(&artist);
            if (name.empty()) continue;
            if (!artist_.empty()) artist_ += kArtistSeparator;
            artist_ += name;
        }
    }
    out.artist = artist_.empty() ? out.album_artist : str(artist_);

    out.track_number = small_count(json::member(item, "IndexNumber"));
    out.disc_number = small_count(json::member(item, "ParentIndexNumber"));
    const std::optional<std::int64_t> ticks = json::integer(json::member(item, "RunTimeTicks"));
    out.duration_ms = ticks && *ticks > 0 ? static_cast<std::uint64_t>(*ticks) / kTicksPerMs : 0;
    const std::optional<std::int64_t> year = json::integer(json::member(item, "ProductionYear"));
    if (year && *year > 0 && *year <= std::numeric_limits<std::int32_t>::max()) {
        out.year = static_cast<std::int32_t>(*year);
        out.has |= PMX_TRACK_HAS_YEAR;
    }
    out.file_path = str(json::text(json::member(item, "Path")));

    guid_.clear();
    mbid_.clear();
    if (const json::Value* ids = json::member(item, "ProviderIds")) {
        guid_ = fallback_identity(*ids);
        mbid_ = plugin_common::fold_case(provider_id(*ids, "MusicBrainzRecording"));
    }
    out.guid = str(guid_);
    out.recording_mbid = str(mbid_);

    // Per user, and only for one: an api_key without a user gets no UserData at all.
    if (const json::Value* data = json::member(item, "UserData"); data && data->IsObject()) {
        if (const std::optional<std::int64_t> plays = json::integer(json::member(*data, "PlayCount"))) {
            out.play_count = *plays > 0 ? static_cast<std::uint64_t>(*plays) : 0;
            out.has |= PMX_TRACK_HAS_PLAY_COUNT;
        }
        if (const auto last = parse_iso_time(json::text(json::member(*data, "LastPlayedDate")))) {
            out.last_played_at = *last;
            out.has |= PMX_TRACK_HAS_LAST_PLAYED;
        }
        if (const json::Value* favourite = json::member(*data, "IsFavorite"); favourite && favourite->IsBool()) {
            out.favourite = favourite->GetBool() ? 1 : 0;
            out.has |= PMX_TRACK_HAS_FAVOURITE;
        }
        if (const std::optional<double> rating = json::number(json::member(*data, "Rating"))) {
            out.user_rating = rating_from_jellyfin(*rating);
            out.has |= PMX_TRACK_HAS_RATING;
        }
    }

    genres_.clear();
    if (const json::Value* genres = json::array(item, "Genres")) {
        for (const json::Value& genre : genres->GetArray()) {
            const std::string_view name = json::text(&genre);
            if (!name.empty()) genres_.push_back(str(name));
        }
    }
    out.genres = genres_.empty() ? nullptr : genres_.data();
    out.genre_count = genres_.size();
    return true;
}

}  // namespace pmx::jellyfin
