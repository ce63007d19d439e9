// Plex track and album JSON -> pmx_track: field mapping, album genres, ratings.
#pragma once

#include <pmx/plugin.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "plex_json.hpp"

namespace pmx::plex {

// Album ratingKey -> genre names of one section, read from the section's album list once per
// scan. Plex usually omits Genre on tracks in /all listings; the album's genres apply then.
class AlbumGenres {
public:
    // True when the genres of `section` were read since the last reset().
    bool loaded_for(std::string_view section) const noexcept { return loaded_ && section == section_; }
    // Forgets everything (a scan starts again).
    void reset();
    // Starts filling the table of `section` (forgetting any other).
    void begin(std::string section);
    // Records the genres of one album (from a type=9 Metadata item); returns false when the
    // item has no ratingKey.
    bool add(const json::Value& album);
    // The genres of an album, or nullptr when the album is unknown or has none.
    const std::vector<std::string>* find(std::string_view album_key) const;
    std::size_t size() const noexcept { return genres_.size(); }

private:
    std::string section_;
    bool loaded_ = false;
    std::map<std::string, std::vector<std::string>, std::less<>> genres_;
};

// True when a Metadata item carries a non-empty Genre array of its own.
bool has_own_genres(const json::Value& item);

// Plex userRating is 0.0-10.0, two points per star, half stars allowed (plexapi,
// audio.py: "userRating (float): Rating of the item (0.0 - 10.0) equaling (0 stars - 5
// stars)"), the same scale as pmx_track.user_rating: rounded to the nearest whole point and
// clamped to 0..10.
std::int32_t rating_from_plex(double plex_rating);

// Converts track Metadata items to pmx_track. The emitted struct borrows strings from the
// parsed document and from buffers held here: valid until the next convert().
class TrackMapper {
public:
    // Fills `out` from `item` (a type=10 Metadata element; `container` is its MediaContainer,
    // for hoisted attributes). With `keys_only`, only key, guid, added_at and updated_at.
    // Tracks without genres of their own take their album's from `album_genres` (may be
    // NULL). Returns false when the item has no ratingKey (it cannot be emitted).
    bool convert(const json::Value& item, const json::Value& container,
                 const AlbumGenres* album_genres, bool keys_only, pmx_track& out);

private:
    std::string key_;
    std::string artist_key_;
    std::string album_key_;
    std::vector<pmx_str> genres_;
};

}  // namespace pmx::plex
