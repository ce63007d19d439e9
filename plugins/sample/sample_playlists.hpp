// sample: the playlists written to the sample "server" — in memory, or kept in a JSON file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pmx::sample {

struct Playlist {
    std::string key;  // "pl-<n>"; never reused within one store
    std::string title;
    std::string description;
    std::vector<std::string> items;  // track keys, in order
    std::string marker;              // pmx_playlist_write.marker of the write that made it
};

struct PlaylistState {
    std::uint64_t next_id = 1;
    std::vector<Playlist> playlists;  // in creation order
};

// Without a file the playlists live as long as the instance. With one, every operation reads
// the file and writes it back atomically (temp file + rename), so playlists survive between
// runs and two sequential instances see each other's writes. File errors throw
// pmx::sdk::Error naming the file and the setting.
class PlaylistStore {
public:
    explicit PlaylistStore(std::string file) : file_(std::move(file)) {}

    PlaylistState load() const;
    void save(const PlaylistState& state);

    const std::string& file() const { return file_; }

private:
    std::string file_;     // empty = in memory
    PlaylistState memory_;
};

}  // namespace pmx::sample
