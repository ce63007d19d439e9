// Seeds of a prompt ("songs like Hey Jude by the Beatles", "in the spirit of Nina Simone"): the tracks they name in the mirror, and the vector that starts the search from them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "generate/prompt.hpp"
#include "store/embeddings_store.hpp"

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

// The mean of the seeds' stored vectors of `model` (each seed weighing the same, whatever its
// number of tracks), L2-normalised; empty when no seed track has a vector.
std::vector<float> seed_vector(Store& store, const EmbeddingModel& model, const std::vector<SeedUse>& seeds);

}  // namespace pmx::gen
