// Plex track and album JSON -> pmx_track (see plex_tracks.hpp for the rules).
#include "plex_tracks.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>

namespace pmx::plex {
namespace {

constexpr double kMinRating = 0.0;
constexpr double kMaxRating = 10.0;

pmx_str str(std::string_view s) { return pmx_str{s.data(), s.size()}; }

// Tag names of a Genre array ([{"tag": "Rock"}, ...]), in order, skipping empty ones.
template <class Fn>
void for_each_genre(const json::Value& item, Fn&& fn) {
    const json::Value* genres = json::array(item, "Genre");
    if (genres == nullptr) return;
    for (const json::Value& genre : genres->GetArray()) {
        const std::string_view tag = json::text(json::member(genre, "tag"));
        if (!tag.empty()) fn(tag);
    }
}

std::uint32_t small_count(const json::Value* value) {
    const std::optional<std::int64_t> n = json::integer(value);
    if (!n || *n <= 0) return 0;
    return static_cast<std::uint32_t>(
        std::min<std::int64_t>(*n, std::numeric_limits<std::uint32_t>::max()));
}

// Media[0] and Media[0].Part[0]: the first version of the track and its first file.
const json::Value* first_element(const json::Value& object, std::string_view name) {
    const json::Value* list = json::array(object, name);
    if (list == nullptr || list->Empty()) return nullptr;
    return &(*list)[0];
}

}  // namespace

// --- AlbumGenres ---------------------------------------------------------------------------

void AlbumGenres::reset() {
    section_.clear();
    loaded_ = false;
    genres_.clear();
}

void AlbumGenres::begin(std::string section) {
    reset();
    section_ = std::move(section);
    loaded_ = true;
}

bool AlbumGenres::add(const json::Value& album) {
    const std::optional<std::string> key = json::key_text(json::member(album, "ratingKey"));
    if (!key || key->empty()) return false;
    std::vector<std::string> names;
    for_each_genre(album, [&](std::string_view tag) { names.emplace_back(tag); });
    if (!names.empty()) genres_[*key] = std::move(names);
    return true;
}

const std::vector<std::string>* AlbumGenres::find(std::string_view album_key) const {
    const auto it = genres_.find(album_key);
    return it != genres_.end() ? &it->second : nullptr;
}

bool has_own_genres(const json::Value& item) {
    bool any = false;
    for_each_genre(item, [&](std::string_view) { any = true; });
    return any;
}

std::int32_t rating_from_plex(double plex_rating) {
    const double clamped = std::clamp(plex_rating, kMinRating, kMaxRating);
    return static_cast<std::int32_t>(std::lround(clamped));
}

// --- TrackMapper ---------------------------------------------------------------------------

bool TrackMapper::convert(const json::Value& item, const json::Value& container,
                          const AlbumGenres* album_genres, bool keys_only, pmx_track& out) {
    std::memset(&out, 0, sizeof out);
    out.struct_size = sizeof out;

    std::optional<std::string> key = json::key_text(json::member(item, "ratingKey"));
    if (!key || key->empty()) return false;
    key_ = std::move(*key);
    out.key = str(key_);
    out.guid = str(json::text(json::member(item, "guid")));
    out.added_at = json::integer(json::member(item, "addedAt")).value_or(0);
    out.updated_at = json::integer(json::member(item, "updatedAt")).value_or(0);
    if (keys_only) return true;

    const auto field = [&](std::string_view name) {
        return json::member_or_hoisted(item, container, name);
    };

    out.title = str(json::text(json::member(item, "title")));
    // originalTitle is the track artist when it differs from the album artist (plexapi:
    // Track.originalTitle "The artist for the track"); grandparentTitle is the album artist.
    const std::string_view album_artist = json::text(field("grandparentTitle"));
    const std::string_view track_artist = json::text(json::member(item, "originalTitle"));
    out.artist = str(track_artist.empty() ? album_artist : track_artist);
    out.album_artist = str(album_artist);
    artist_key_ = json::key_text(field("grandparentRatingKey")).value_or(std::string());
    out.artist_key = str(artist_key_);
    out.album = str(json::text(field("parentTitle")));
    album_key_ = json::key_text(field("parentRatingKey")).value_or(std::string());
    out.album_key = str(album_key_);

    out.track_number = small_count(json::member(item, "index"));
    out.disc_number = small_count(json::member(item, "parentIndex"));

    const json::Value* media = first_element(item, "Media");
    const json::Value* part = media != nullptr ? first_element(*media, "Part") : nullptr;
    if (part != nullptr) out.file_path = str(json::text(json::member(*part, "file")));
    std::optional<std::int64_t> duration = json::integer(json::member(item, "duration"));
    if (!duration && media != nullptr) duration = json::integer(json::member(*media, "duration"));
    out.duration_ms = duration && *duration > 0 ? static_cast<std::uint64_t>(*duration) : 0;

    // Tracks rarely carry `year`; their album's year comes as parentYear.
    std::optional<std::int64_t> year = json::integer(json::member(item, "year"));
    if (!year) year = json::integer(field("parentYear"));
    if (year && *year > 0 && *year <= std::numeric_limits<std::int32_t>::max()) {
        out.year = static_cast<std::int32_t>(*year);
        out.has |= PMX_TRACK_HAS_YEAR;
    }
    // Unset attributes are omitted by Plex: userRating when unrated, viewCount and
    // lastViewedAt when never played. An absent field leaves its has-bit clear.
    if (const std::optional<double> rating = json::number(json::member(item, "userRating"))) {
        out.user_rating = rating_from_plex(*rating);
        out.has |= PMX_TRACK_HAS_RATING;
    }
    if (const std::optional<std::int64_t> plays = json::integer(json::member(item, "viewCount"))) {
        out.play_count = *plays > 0 ? static_cast<std::uint64_t>(*plays) : 0;
        out.has |= PMX_TRACK_HAS_PLAY_COUNT;
    }
    if (const std::optional<std::int64_t> last = json::integer(json::member(item, "lastViewedAt"))) {
        out.last_played_at = *last;
        out.has |= PMX_TRACK_HAS_LAST_PLAYED;
    }
    if (const std::optional<std::int64_t> rated = json::integer(json::member(item, "lastRatedAt"))) {
        out.last_rated_at = *rated;
        out.has |= PMX_TRACK_HAS_LAST_RATED;
    }

    genres_.clear();
    for_each_genre(item, [&](std::string_view tag) { genres_.push_back(str(tag)); });
    if (genres_.empty() && album_genres != nullptr) {
        if (const std::vector<std::string>* names = album_genres->find(album_key_)) {
            for (const std::string& name : *names) genres_.push_back(str(name));
        }
    }
    out.genres = genres_.empty() ? nullptr : genres_.data();
    out.genre_count = genres_.size();
    return true;
}

}  // namespace pmx::plex
