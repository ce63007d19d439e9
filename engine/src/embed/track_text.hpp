// The text of a track that is embedded, and its stable hash (what decides re-embedding).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "store/embeddings_store.hpp"

namespace pmx {

// The format version of track_text(), part of every hash: changing the text's shape bumps
// it, which makes every stored vector stale, and the next pass re-embeds them all.
inline constexpr std::string_view kTrackTextVersion = "pmx-track-text/1";

// One line of plain prose, so that sentence encoders read it as they were trained to and
// bag-of-words models see every word once:
//   "Jóga by Björk, from the album Homogenic (1997). Genres: Electronic, Art Pop. Tags: ..."
// Empty fields are left out with their words ("by", "from the album", the year, "Genres:",
// "Tags:"); a track with nothing but a title gives just the title.
std::string track_text(const TrackTextSource& track);

// 64-bit FNV-1a of kTrackTextVersion, a newline and the text: the same on every build and
// platform (unlike std::hash), stored with each vector.
uint64_t text_hash(std::string_view text);

}  // namespace pmx
