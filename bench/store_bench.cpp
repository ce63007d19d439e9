// Store throughput: N generated tracks upserted in one transaction (insert, unchanged, 1% changed).
//
//   build-store/bin/store_bench [N] [--keep]   (default N = 200000; the database goes to
//                                               $TMPDIR, and is removed unless --keep)
//
// Prints rows/s for: the first insert (tracks + artists/albums + genre links + FTS), an
// unchanged re-upsert (hash lookups only), a re-upsert with 1% of tracks changed, deleting 1%,
// and the time integrity_problems() takes over the result.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <pmx/plugin.h>

#include "model/media.hpp"
#include "store/store.hpp"
#include "store/track_writer.hpp"

namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kDefaultTracks = 200000;
constexpr size_t kTracksPerAlbum = 12;
constexpr size_t kAlbumsPerArtist = 5;
constexpr size_t kGenrePool = 40;
constexpr size_t kChangedEvery = 100;  // 1%

const char* const kWords[] = {"love", "night", "blue", "river", "fire", "heart", "road", "dream", "rain", "gold",
                              "city", "light", "shadow", "song", "time", "ocean", "stone", "wild", "summer", "ghost",
                              "electric", "silver", "morning", "angel", "train", "moon", "dance", "highway", "echo", "sky"};
constexpr size_t kWordCount = sizeof(kWords) / sizeof(kWords[0]);

std::string phrase(std::mt19937& rng, int words) {
    std::string text;
    for (int i = 0; i < words; ++i) {
        std::string word = kWords[rng() % kWordCount];
        word[0] = static_cast<char>(word[0] - 'a' + 'A');
        if (!text.empty()) text += ' ';
        text += word;
    }
    return text;
}

std::vector<pmx::TrackRecord> generate(size_t count) {
    std::mt19937 rng(42);
    std::vector<std::string> genres;
    for (size_t i = 0; i < kGenrePool; ++i) genres.push_back(phrase(rng, 1) + " " + std::to_string(i));
    std::vector<std::string> album_titles;
    for (size_t album = 0; album * kTracksPerAlbum < count; ++album) {
        album_titles.push_back(phrase(rng, 2) + " " + std::to_string(album));
    }
    std::vector<pmx::TrackRecord> tracks(count);
    for (size_t i = 0; i < count; ++i) {
        pmx::TrackRecord& t = tracks[i];
        const size_t album = i / kTracksPerAlbum, artist = album / kAlbumsPerArtist;
        t.has = PMX_TRACK_HAS_YEAR | PMX_TRACK_HAS_PLAY_COUNT | (i % 3 == 0 ? PMX_TRACK_HAS_RATING : 0u);
        t.key = std::to_string(100000 + i);
        t.guid = "plex://track/" + std::to_string(0x5d77 * (i + 1));
        t.album_artist = "Artist " + std::to_string(artist);
        t.artist = i % 10 == 0 ? "Guest " + std::to_string(i % 97) : t.album_artist;
        t.artist_key = std::to_string(10 + artist);
        t.album = album_titles[album];
        t.album_key = std::to_string(50000 + album);
        t.title = phrase(rng, 3);
        t.file_path = "/music/" + t.album_artist + "/" + t.album + "/" + std::to_string(i % kTracksPerAlbum + 1) + " " +
                      t.title + ".flac";
        const size_t genre_count = 1 + rng() % 3;
        for (size_t g = 0; g < genre_count; ++g) t.genres.push_back(genres[(album + g * 7) % kGenrePool]);
        t.track_number = static_cast<uint32_t>(i % kTracksPerAlbum + 1);
        t.disc_number = 1;
        t.duration_ms = 120000 + rng() % 300000;
        t.year = static_cast<int32_t>(1960 + album % 60);
        t.user_rating = static_cast<int32_t>(rng() % 11);
        t.play_count = rng() % 50;
        t.added_at = 1500000000 + static_cast<int64_t>(i);
        t.updated_at = t.added_at + 1000;
    }
    return tracks;
}

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

void report(const char* what, size_t rows, double seconds, const pmx::TrackWriter::Counts* counts = nullptr) {
    std::printf("%-28s %8zu rows in %7.3f s = %9.0f rows/s", what, rows, seconds, static_cast<double>(rows) / seconds);
    if (counts) {
        std::printf("   (added %llu, updated %llu, unchanged %llu)", static_cast<unsigned long long>(counts->added),
                    static_cast<unsigned long long>(counts->updated), static_cast<unsigned long long>(counts->unchanged));
    }
    std::printf("\n");
}

void upsert_all(pmx::Store& store, int64_t server, const std::vector<pmx::TrackRecord>& tracks, const char* what) {
    const auto start = Clock::now();
    pmx::Store::Transaction transaction(store);
    pmx::TrackWriter writer(transaction, server);
    for (const auto& track : tracks) writer.upsert(track);
    transaction.commit();
    report(what, tracks.size(), seconds_since(start), &writer.counts());
}

}  // namespace

int main(int argc, char** argv) {
    const size_t count = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : kDefaultTracks;
    const bool keep = argc > 2 && std::string(argv[2]) == "--keep";
    std::string dir_pattern = (std::filesystem::temp_directory_path() / "plexmix-store-bench-XXXXXX").string();
    if (::mkdtemp(dir_pattern.data()) == nullptr) return 1;
    const std::filesystem::path dir = dir_pattern;
    const auto db_path = dir / "plexmix.db";
    int status = 0;
    try {
        std::vector<pmx::TrackRecord> tracks = generate(count);
        auto store = pmx::Store::open(db_path);
        const int64_t server = store->upsert_server("bench", "plex", pmx::ServerInfo{"bench-machine", "Bench", "1", "Plex"},
                                                    "http://127.0.0.1");
        std::printf("store_bench: %zu tracks, database %s\n", count, db_path.c_str());

        upsert_all(*store, server, tracks, "insert (empty mirror)");
        upsert_all(*store, server, tracks, "re-upsert, unchanged");
        for (size_t i = 0; i < tracks.size(); i += kChangedEvery) {
            tracks[i].play_count += 1;
            if (i % (2 * kChangedEvery) == 0) tracks[i].title += " (Remastered)";
        }
        upsert_all(*store, server, tracks, "re-upsert, 1% changed");

        const auto keys = store->track_keys(server);
        std::vector<int64_t> doomed;
        for (size_t i = 0; i < keys.size(); i += kChangedEvery) doomed.push_back(keys[i].first);
        auto start = Clock::now();
        const size_t deleted = store->delete_tracks(doomed);
        report("delete 1% (+ prune)", deleted, seconds_since(start));

        start = Clock::now();
        const auto problems = store->integrity_problems();
        std::printf("%-28s %zu problem(s) in %.3f s\n", "integrity_problems()", problems.size(), seconds_since(start));
        for (const auto& problem : problems) std::printf("  %s\n", problem.c_str());
        store.reset();
        std::printf("%-28s %.1f MB\n", "database file", static_cast<double>(std::filesystem::file_size(db_path)) / 1e6);
        status = problems.empty() ? 0 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "store_bench: %s\n", e.what());
        status = 1;
    }
    if (!keep) std::filesystem::remove_all(dir);
    return status;
}
