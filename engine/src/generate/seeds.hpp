// Tracks by name in the mirror: the seeds of a prompt ("songs like Hey Jude by the Beatles", "in the spirit of Nina Simone") and the vector that starts the search from them; the same recording on another server.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "generate/prompt.hpp"
#include "store/embeddings_store.hpp"
#include "store/track_filter.hpp"

namespace pmx {
class Store;
}

namespace pmx::gen {

// An artist seed is searched from at most this many of the artist's tracks (the best rated).
inline constexpr size_t kMaxArtistSeedTracks = 50;
// A title seed is searched from at most this many versions of it (covers, remasters).
inline constexpr size_t kMaxTitleSeedTracks = 10;

// A seed as the mirror holds it.
struct SeedUse {
    std::string phrase;            // as typed ("Hey Jude by the Beatles")
    std::string label;             // what it became ("Hey Jude by The Beatles", "Nina Simone, 24 tracks")
    std::vector<int64_t> tracks;   // the tracks whose vectors seed the search
    bool is_track = false;         // a track seed: its own tracks are left out of the playlist
    bool operator==(const SeedUse&) const = default;
};

// A title as seeds compare titles: case, accents and punctuation folded, and a version suffix
// dropped ("Hey Jude (Remastered 2015)", "Hey Jude - 2009 Remaster" → "hey jude").
std::string title_key(std::string_view title);

// Whether the servers' mirror has a track titled `title` (Vocabulary::has_title).
bool mirror_has_title(Store& store, const std::vector<int64_t>& server_ids, std::string_view title);

// The tracks each seed names. A title by an artist the mirror lacks becomes the artist's seed,
// with a note; a seed that names no track is left out, with a note.
std::vector<SeedUse> resolve_seeds(Store& store, const std::vector<int64_t>& server_ids,
                                   const std::vector<SeedWord>& seeds, std::vector<std::string>& notes);

// Recordings across servers: the same MusicBrainz recording id when the track has one and the
// other server a track of it; else the same title and album as names compare, the same artist
// (track artist, or the album artist: servers credit guests differently) and lengths within
// kSameRecordingMs (a server that rounds, another encoding).
inline constexpr int64_t kSameRecordingMs = 2000;

// The track of `server_id` that is the same recording as `track` (of another server); nullopt
// when that server has none.
std::optional<int64_t> same_recording_on(Store& store, int64_t server_id, const TrackDetail& track);

// The mean of the seeds' stored vectors of `model` (each seed weighing the same, whatever its
// number of tracks), L2-normalised; empty when no seed track has a vector.
std::vector<float> seed_vector(Store& store, const EmbeddingModel& model, const std::vector<SeedUse>& seeds);

}  // namespace pmx::gen
