// Jellyfin BaseItemDto (an Audio item) -> pmx_track: fields, ticks, dates, user data, provider ids.
#pragma once

#include <pmx/plugin.h>

#include <cstdint>
#include <string>
#include <vector>

#include "jellyfin_http.hpp"

namespace pmx::jellyfin {

// RunTimeTicks are .NET ticks: 10^-7 s.
inline constexpr std::uint64_t kTicksPerMs = 10'000;

// The fallback identity of a track across re-keys (Jellyfin's Id is a hash of the file's path,
// so a moved file gets a new one): its MusicBrainz release-track id, else recording + release;
// "" when the file carries neither (then the file path is the fallback).
std::string fallback_identity(const json::Value& provider_ids);

// Jellyfin's UserData.Rating is 0-10 like pmx_track.user_rating: rounded and clamped.
std::int32_t rating_from_jellyfin(double rating);

// Converts Items[] elements to pmx_track. The emitted struct borrows strings from the parsed
// document and from buffers held here: valid until the next convert().
class TrackMapper {
public:
    // Fills `out` from `item`. With `keys_only`, only key (and added_at). Returns false when
    // the item has no usable Id (it cannot be emitted). UserData is read when present: Jellyfin
    // sends it only for a user, and each field only when set.
    bool convert(const json::Value& item, bool keys_only, pmx_track& out);

private:
    std::string key_;
    std::string artist_;
    std::string artist_key_;
    std::string album_key_;
    std::string guid_;
    std::string mbid_;
    std::vector<pmx_str> genres_;
};

}  // namespace pmx::jellyfin
