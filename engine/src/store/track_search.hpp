// Keyword search over the mirror (FTS5, bm25) and the display rows of tracks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pmx {

class Store;

// What a search shows of a track.
struct TrackRow {
    int64_t id = 0;
    std::string title, artist, album;
    std::string genres;            // "Rock; Blues", as stored
    std::optional<int64_t> year;   // the track's, else its album's
    std::string tags;              // its active LLM tags, "melancholic, rainy day, piano"; "" when none
};

// An FTS5 query matching any word of `text`: each word (a run of letters, digits or non-ASCII
// bytes) quoted as a string, joined by OR; empty when `text` has no word. Quoting keeps FTS5
// syntax (AND, NEAR, column:, *, ") in user text from being interpreted.
std::string fts_any_word_query(std::string_view text);
// The same words joined by AND: a match holds every word.
std::string fts_all_words_query(std::string_view text);

// Ids of the tracks matching any word of `text` in title, artist, album, genres or tags, best
// first by bm25 (FTS5's rank: more query words, rarer words and shorter fields rank higher),
// at most `k`; only ids in `candidates` when given. Throws StoreError.
std::vector<int64_t> keyword_search(Store& store, std::string_view text, size_t k,
                                    const std::vector<int64_t>* candidates = nullptr);

// The rows of `ids`, in that order; ids that do not exist are skipped. Throws StoreError.
std::vector<TrackRow> track_rows(Store& store, const std::vector<int64_t>& ids);

}  // namespace pmx
