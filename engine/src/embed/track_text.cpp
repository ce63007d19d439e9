// The embedded text of a track, and its FNV-1a hash.
#include "embed/track_text.hpp"

#include "util/hash.hpp"
#include "util/text.hpp"

namespace pmx {

std::string track_text(const TrackTextSource& track) {
    std::string text = track.title;
    if (!track.artist.empty()) text += (text.empty() ? "By " : " by ") + track.artist;
    if (!track.album.empty()) text += (text.empty() ? "From the album " : ", from the album ") + track.album;
    if (track.year && *track.year > 0) text += " (" + std::to_string(*track.year) + ")";
    if (!text.empty()) text += ".";
    if (!track.genres.empty()) text += (text.empty() ? "Genres: " : " Genres: ") + join(track.genres) + ".";
    if (!track.tags.empty()) text += (text.empty() ? "Tags: " : " Tags: ") + join(track.tags) + ".";
    return text;
}

uint64_t text_hash(std::string_view text) {
    return fnv1a(fnv1a(fnv1a(kFnvOffsetBasis, kTrackTextVersion), "\n"), text);
}

}  // namespace pmx
