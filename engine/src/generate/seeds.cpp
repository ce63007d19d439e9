// Seeds: titles and artists found in the mirror, and the mean of their vectors.
#include "generate/seeds.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <optional>

#include "generate/genre_taxonomy.hpp"
#include "store/named_tracks.hpp"
#include "store/sqlite.hpp"
#include "store/store.hpp"

namespace pmx::gen {
namespace {

// Titles found by their words before they are compared whole ("Love" is in many titles).
constexpr size_t kTitleLookups = 500;

// Version suffixes: "Song (Live)", "Song [Remastered]", "Song - 2009 Remaster".
constexpr std::string_view kSuffixStarts[]{" (", " [", " - "};

bool same_name(std::string_view a, const std::vector<std::string>& keys) {
    const std::string key = genre_key(a);
    return !key.empty() && std::find(keys.begin(), keys.end(), key) != keys.end();
}

std::vector<TitledTrack> titled(Store& store, const std::vector<int64_t>& server_ids, std::string_view title) {
    const std::string key = title_key(title);
    std::vector<TitledTrack> found;
    if (key.empty()) return found;
    for (TitledTrack& t : tracks_titled(store, server_ids, title, kTitleLookups)) {
        if (title_key(t.title) == key) found.push_back(std::move(t));
    }
    return found;
}

// The best versions first: studio before live, rated higher first, then the lowest id.
void best_first(std::vector<TitledTrack>& tracks) {
    std::sort(tracks.begin(), tracks.end(), [](const TitledTrack& a, const TitledTrack& b) {
        if (a.is_live != b.is_live) return !a.is_live;
        return a.rating != b.rating ? a.rating > b.rating : a.id < b.id;
    });
}

std::optional<SeedUse> artist_seed(Store& store, const std::vector<int64_t>& server_ids, const SeedWord& seed) {
    auto tracks = tracks_named(store, server_ids, NameField::artist, seed.artists);
    if (tracks.empty()) return std::nullopt;
    std::sort(tracks.begin(), tracks.end(), [](const NamedTrack& a, const NamedTrack& b) {
        return a.rating != b.rating ? a.rating > b.rating : a.id < b.id;
    });
    SeedUse use{seed.phrase, seed.artists.front(), {}, false};
    for (size_t i = 0; i < tracks.size() && i < kMaxArtistSeedTracks; ++i) use.tracks.push_back(tracks[i].id);
    use.label += ", " + std::to_string(tracks.size()) + (tracks.size() == 1 ? " track" : " tracks");
    if (tracks.size() > kMaxArtistSeedTracks) use.label += " (the " + std::to_string(kMaxArtistSeedTracks) + " best rated)";
    return use;
}

}  // namespace

std::string title_key(std::string_view title) {
    for (const std::string_view start : kSuffixStarts) {
        const size_t at = title.find(start);
        if (at != std::string_view::npos && at > 0) title = title.substr(0, at);
    }
    return genre_key(title);
}

bool mirror_has_title(Store& store, const std::vector<int64_t>& server_ids, std::string_view title) {
    return !titled(store, server_ids, title).empty();
}

std::vector<SeedUse> resolve_seeds(Store& store, const std::vector<int64_t>& server_ids,
                                   const std::vector<SeedWord>& seeds, std::vector<std::string>& notes) {
    std::vector<SeedUse> uses;
    for (const SeedWord& seed : seeds) {
        if (seed.title.empty()) {
            if (auto use = artist_seed(store, server_ids, seed)) uses.push_back(std::move(*use));
            continue;
        }
        std::vector<TitledTrack> found = titled(store, server_ids, seed.title);
        if (!seed.artists.empty()) {
            std::vector<std::string> keys;
            for (const auto& a : seed.artists) keys.push_back(genre_key(a));
            std::erase_if(found, [&](const TitledTrack& t) {
                return !same_name(t.artist, keys) && !same_name(t.album_artist, keys);
            });
        }
        if (found.empty()) {
            if (seed.artists.empty()) continue;  // the parser checked the title: the mirror changed since
            auto use = artist_seed(store, server_ids, seed);
            notes.push_back("no track \"" + seed.title + "\" by " + seed.artists.front() + " in the library: " +
                            (use ? "the search starts from the artist's tracks" : "not used"));
            if (use) uses.push_back(std::move(*use));
            continue;
        }
        best_first(found);
        SeedUse use{seed.phrase, found.front().title + " by " +
                                     (found.front().artist.empty() ? found.front().album_artist : found.front().artist),
                    {}, true};
        for (size_t i = 0; i < found.size() && i < kMaxTitleSeedTracks; ++i) use.tracks.push_back(found[i].id);
        if (found.size() > 1) use.label += " (" + std::to_string(std::min(found.size(), kMaxTitleSeedTracks)) + " versions)";
        uses.push_back(std::move(use));
    }
    return uses;
}

std::optional<int64_t> same_recording_on(Store& store, int64_t server_id, const TrackDetail& track) {
    if (!track.recording_mbid.empty()) {  // both servers know the recording: that decides
        sql::Statement q(store.native_handle(),
                         "SELECT min(id) FROM tracks WHERE server_id = ?1 AND recording_mbid = ?2", true);
        q.bind(1, server_id).bind(2, track.recording_mbid);
        if (q.step() && !q.is_null(0)) return q.int64(0);
    }
    const std::string title = genre_key(track.title);
    const std::string artist = genre_key(track.artist.empty() ? track.album_artist : track.artist);
    const std::string album_artist = genre_key(track.album_artist);
    const std::string album = genre_key(track.album);
    std::optional<int64_t> best;
    int64_t best_gap = INT64_MAX;
    for (const TitledTrack& t : tracks_titled(store, {server_id}, track.title, kTitleLookups)) {
        if (genre_key(t.title) != title || genre_key(t.album) != album) continue;
        // Servers credit guests differently ("A feat. B", "A, B"): the album artist agrees then.
        const bool same_artist = genre_key(t.artist.empty() ? t.album_artist : t.artist) == artist ||
                                 (!album_artist.empty() && genre_key(t.album_artist) == album_artist);
        if (!same_artist) continue;
        const int64_t mine = track.duration_ms.value_or(0);
        if ((mine == 0) != (t.duration_ms == 0)) continue;
        const int64_t gap = std::abs(mine - t.duration_ms);
        if (gap > kSameRecordingMs) continue;
        if (gap < best_gap || (gap == best_gap && best && t.id < *best)) {
            best = t.id;
            best_gap = gap;
        }
    }
    return best;
}

std::vector<float> seed_vector(Store& store, const EmbeddingModel& model, const std::vector<SeedUse>& seeds) {
    std::vector<float> sum(model.dim, 0.0f);
    const EmbeddingStore embeddings(store);
    bool any = false;
    for (const SeedUse& seed : seeds) {
        std::vector<double> mean(model.dim, 0.0);
        size_t n = 0;
        for (const int64_t id : seed.tracks) {
            const auto v = embeddings.vector(model, id);
            if (!v || v->size() != model.dim) continue;
            for (size_t d = 0; d < model.dim; ++d) mean[d] += (*v)[d];
            ++n;
        }
        if (n == 0) continue;
        any = true;
        double norm = 0;
        for (const double x : mean) norm += x * x;
        norm = std::sqrt(norm);
        if (norm == 0) continue;
        for (size_t d = 0; d < model.dim; ++d) sum[d] += static_cast<float>(mean[d] / norm);
    }
    if (!any) return {};
    double norm = 0;
    for (const float x : sum) norm += static_cast<double>(x) * x;
    norm = std::sqrt(norm);
    if (norm == 0) return {};
    for (float& x : sum) x = static_cast<float>(x / norm);
    return sum;
}

}  // namespace pmx::gen
