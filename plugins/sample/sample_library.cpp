// sample: generates the library. One splitmix64 stream, consumed in a fixed order: the same seed
// and track count give the same library, byte for byte, with any compiler and standard library.
//
// Shape of a library of N tracks (N = 3,000 by default):
//  - an artist pool of N/10 invented artists (at least one per genre), each with one genre;
//  - album artists take turns from that pool with 3–8 albums each (8–14 tracks, some on two
//    discs), released across their genre's era; about one album in eleven is live;
//  - about one album slot in five is a "Various Artists" compilation whose tracks are by other
//    artists of the pool, and some hip-hop/R&B/pop/house tracks feature a second artist, so
//    most of the pool shows up as track artists;
//  - the last album is cut short so that the library holds exactly N tracks.
#include "sample_library.hpp"

#include <pmx/plugin.h>

#include <algorithm>
#include <set>
#include <string_view>
#include <utility>

#include "sample_genres.hpp"
#include "sample_rng.hpp"

namespace pmx::sample {
namespace {

constexpr std::int64_t kLibraryStart = 1388534400;  // 2014-01-01: when the collection was begun
constexpr std::int64_t kSecondsPerYear = 31556952;  // a mean Gregorian year
constexpr std::int64_t kDay = 86400;
constexpr std::int64_t kWeek = 7 * kDay;
constexpr int kEpochYear = 1970;
constexpr std::size_t kTracksPerPoolArtist = 10;  // ~300 artists for 3,000 tracks
constexpr int kMinAlbums = 3;
constexpr int kMaxAlbums = 8;
constexpr int kMinAlbumTracks = 8;
constexpr int kMaxAlbumTracks = 14;
constexpr std::uint32_t kTwoDiscMinTracks = 12;
constexpr int kMaxCareerGap = 3;  // years between two albums of an artist: 1..3
constexpr std::uint32_t kCompilationPercent = 20;  // of album slots
constexpr std::uint32_t kLiveAlbumPercent = 10;
constexpr std::uint32_t kLiveBonusPercent = 15;  // a studio album ends with a live bonus track
constexpr std::uint32_t kTwoDiscPercent = 50;    // of long live and classical albums
constexpr std::uint32_t kSecondGenrePercent = 45;
constexpr std::uint32_t kFeaturePercent = 15;
constexpr std::uint32_t kCoreEraPercent = 75;
constexpr std::uint32_t kNoYearPercent = 2;
constexpr std::uint32_t kTitleTrackPercent = 40;
constexpr std::uint32_t kRatedPercent = 30;
constexpr std::uint32_t kPlayedPercent = 40;          // of unrated tracks
constexpr std::uint32_t kPlayedWhenRatedPercent = 85; // people rate what they play
constexpr std::uint32_t kEditedPercent = 8;           // metadata edited after the import
constexpr std::uint32_t kFlacPercent = 75;
constexpr std::uint32_t kMp3Percent = 80;  // of the rest; the others are m4a
constexpr int kImportSeconds = 600;        // a fresh album's tracks are updated within minutes
constexpr double kLiveStretch = 1.1;       // live takes run a little longer
constexpr int kMaxTries = 24;              // attempts at a unique name or title
// Weights of user ratings 0..10 (half stars): people mostly rate what they like.
constexpr std::uint32_t kRatingWeights[] = {1, 1, 3, 2, 6, 6, 14, 14, 22, 12, 19};
constexpr std::string_view kVariousArtists = "Various Artists";
constexpr std::string_view kVariousArtistsKey = "artist-various";  // compilations are filed under it

std::int64_t year_start(int year) { return static_cast<std::int64_t>(year - kEpochYear) * kSecondsPerYear; }

std::string str(std::string_view s) { return std::string(s); }

// "Symphony" -> "Symphonies", "Étude" -> "Études".
std::string plural(std::string_view word) {
    if (word.size() > 1 && word.back() == 'y') return str(word.substr(0, word.size() - 1)) + "ies";
    return str(word) + "s";
}

// A path component: no '/' (the one byte a file name cannot hold).
std::string path_safe(std::string_view text) {
    std::string out(text);
    std::replace(out.begin(), out.end(), '/', '-');
    return out;
}

std::string two_digits(std::uint32_t n) { return (n < 10 ? "0" : "") + std::to_string(n); }

class Generator {
public:
    Generator(std::uint64_t seed, std::size_t count) : rng_(seed), count_(count) {}

    Library run() {
        make_artists();
        for (std::size_t a = 0; lib_.tracks.size() < count_; a = (a + 1) % lib_.artists.size()) {
            make_artist_albums(a);
        }
        return std::move(lib_);
    }

private:
    const GenreProfile& genre(std::size_t i) const { return genre_profiles()[i]; }
    std::size_t remaining() const { return count_ - lib_.tracks.size(); }

    std::size_t weighted_genre() {
        std::uint32_t total = 0;
        for (std::size_t i = 0; i < genre_count(); ++i) total += static_cast<std::uint32_t>(genre(i).weight);
        std::uint32_t at = rng_.below(total);
        for (std::size_t i = 0; i < genre_count(); ++i) {
            const auto w = static_cast<std::uint32_t>(genre(i).weight);
            if (at < w) return i;
            at -= w;
        }
        return genre_count() - 1;
    }

    int era_year(const Era& era) {
        if (rng_.chance(kCoreEraPercent)) return rng_.range(era.core_from, era.core_to);
        return rng_.range(era.from, era.to);
    }

    std::string person() { return str(rng_.pick(words::first_names())) + " " + str(rng_.pick(words::last_names())); }

    std::string coined() {
        std::string name(rng_.pick(words::syllables()));
        if (rng_.chance(30)) {  // "Kaisol"
            std::string second(rng_.pick(words::syllables()));
            second[0] = static_cast<char>(second[0] - 'A' + 'a');  // syllables start with A-Z
            return name + second;
        }
        return name + str(rng_.pick(words::endings()));  // "Lumiscape"
    }

    std::string artist_name(NameStyle style) {
        switch (style) {
            case NameStyle::person: return person();
            case NameStyle::jazz_group:
                return rng_.chance(50) ? person() + " " + str(rng_.pick(words::group_kinds())) : person();
            case NameStyle::band:
                return (rng_.chance(60) ? "The " : "") + str(rng_.pick(words::band_adjectives())) + " " +
                       str(rng_.pick(words::band_nouns()));
            case NameStyle::punk_band:
                return (rng_.chance(40) ? "The " : "") + str(rng_.pick(words::punk_adjectives())) + " " +
                       str(rng_.pick(words::punk_nouns()));
            case NameStyle::metal_band:
                return str(rng_.pick(words::metal_heads())) + str(rng_.pick(words::metal_tails()));
            case NameStyle::producer: return coined() + (rng_.chance(15) ? " Collective" : "");
            case NameStyle::dj: return rng_.chance(60) ? "DJ " + coined() : person();
            case NameStyle::rapper:
                if (rng_.chance(20)) {
                    return str(rng_.pick(words::rapper_handles())) + " & " + str(rng_.pick(words::rapper_handles()));
                }
                return str(rng_.pick(words::rapper_prefixes())) + str(rng_.pick(words::rapper_handles()));
            case NameStyle::lofi:
                return str(rng_.pick(words::lofi_names())) +
                       (rng_.chance(40) ? " x " + str(rng_.pick(words::lofi_names())) : "");
            case NameStyle::ensemble: {
                const std::uint32_t r = rng_.below(100);
                if (r < 30) return "Orchestre de " + str(rng_.pick(words::cities()));
                if (r < 55) return str(rng_.pick(words::last_names())) + " String Quartet";
                if (r < 75) return str(rng_.pick(words::cities())) + " Chamber Orchestra";
                return person();
            }
        }
        return person();
    }

    void make_artists() {
        const std::size_t genres = genre_count();
        const std::size_t pool = std::max(genres, count_ / kTracksPerPoolArtist);
        // The first artists cover every genre once, in a seeded order; the rest follow the weights.
        std::vector<std::size_t> order(genres);
        for (std::size_t i = 0; i < genres; ++i) order[i] = i;
        for (std::size_t i = genres - 1; i > 0; --i) {
            std::swap(order[i], order[rng_.below(static_cast<std::uint32_t>(i + 1))]);
        }
        by_genre_.assign(genres, {});
        std::set<std::string> taken;
        for (std::size_t k = 0; k < pool; ++k) {
            const std::size_t g = k < genres ? order[k] : weighted_genre();
            std::string name = artist_name(genre(g).style);
            for (int tries = 0; taken.count(name) != 0 && tries < kMaxTries; ++tries) {
                name = artist_name(genre(g).style);
            }
            if (taken.count(name) != 0) name += " (" + std::to_string(k + 1) + ")";  // as Discogs does
            taken.insert(name);
            by_genre_[g].push_back(k);
            lib_.artists.push_back({std::move(name), "artist-" + std::to_string(k + 1), g});
        }
    }

    std::string classical_title() {
        const std::uint32_t r = rng_.below(100);
        const std::string form(rng_.pick(words::classical_forms()));
        const std::string key(rng_.pick(words::classical_keys()));
        if (r < 60) {
            return form + " No. " + std::to_string(rng_.range(1, 9)) + " in " + key + ": " +
                   str(rng_.pick(words::classical_movements()));
        }
        if (r < 85) return form + " in " + key;
        const GenreProfile& g = genre(classical_);
        if (r < 93) return str(rng_.pick(g.moods)) + " " + str(rng_.pick(g.things));
        return str(rng_.pick(g.things)) + " " + str(rng_.pick(g.scenes));
    }

    std::string song_title(std::size_t g_index) {
        if (g_index == classical_) return classical_title();
        const GenreProfile& g = genre(g_index);
        const std::uint32_t r = rng_.below(100);
        if (!g.phrases.empty() && r < 10) return str(rng_.pick(g.phrases));
        const std::string_view mood = rng_.pick(g.moods);
        const std::string_view thing = rng_.pick(g.things);
        const std::string_view scene = rng_.pick(g.scenes);
        if (thing.substr(0, mood.size()) == mood) return str(thing);  // not "Slow Slow Jam"
        if (r < 50) return str(mood) + " " + str(thing);
        if (r < 72) return str(thing) + " " + str(scene);
        if (r < 80) return "The " + str(mood) + " " + str(thing);
        if (r < 92) return str(thing);
        return str(mood) + " " + str(thing) + " " + str(scene);
    }

    std::string album_title(std::size_t g_index) {
        const GenreProfile& g = genre(g_index);
        const std::uint32_t r = rng_.below(100);
        if (g_index == classical_) {
            if (r < 40) return plural(rng_.pick(words::classical_forms()));
            if (r < 70) return plural(rng_.pick(words::classical_forms())) + " and " + plural(rng_.pick(g.things));
            return str(rng_.pick(g.moods)) + " " + str(rng_.pick(g.things));
        }
        if (r < 35) return str(rng_.pick(g.moods)) + " " + str(rng_.pick(g.things));
        if (r < 55) return str(rng_.pick(g.things)) + " " + str(rng_.pick(g.scenes));
        if (r < 75) return str(rng_.pick(g.things));
        return song_title(g_index);
    }

    // The album's genres: its artist's genre, and sometimes a related one whose era holds the year.
    std::vector<std::string> album_genres(std::size_t primary, int year) {
        std::vector<std::string> genres{str(genre(primary).name)};
        const Words related = genre(primary).related;
        if (related.empty() || !rng_.chance(kSecondGenrePercent)) return genres;
        const std::size_t second = genre_index(rng_.pick(related));
        if (second < genre_count() && genre(second).era.from <= year && year <= genre(second).era.to) {
            genres.push_back(str(genre(second).name));
        }
        return genres;
    }

    std::string extension() {
        if (rng_.chance(kFlacPercent)) return "flac";
        return rng_.chance(kMp3Percent) ? "mp3" : "m4a";
    }

    std::string unique(std::set<std::string>& taken, std::string title) {
        for (int tries = 0; taken.count(title) != 0 && tries < kMaxTries; ++tries) title += " II";
        taken.insert(title);
        return title;
    }

    std::uint64_t duration_ms(std::size_t g_index, bool live) {
        const Durations& d = genre(g_index).seconds;
        double seconds = rng_.triangular(d.min, d.mode, d.max);
        if (live) seconds *= kLiveStretch;
        return static_cast<std::uint64_t>(seconds) * 1000u + rng_.below(1000);
    }

    std::int32_t rating() {
        std::uint32_t total = 0;
        for (std::uint32_t w : kRatingWeights) total += w;
        std::uint32_t at = rng_.below(total);
        for (std::int32_t r = 0; r < 10; ++r) {
            const std::uint32_t w = kRatingWeights[r];
            if (at < w) return r;
            at -= w;
        }
        return 10;
    }

    std::int64_t time_between(std::int64_t from, std::int64_t to) {
        if (to <= from) return from;
        return from + static_cast<std::int64_t>(rng_.below(static_cast<std::uint32_t>(to - from)));
    }

    // Added, updated, rating and plays of one track of an album added at `album_added`.
    void fill_usage(Track& t, std::int64_t added) {
        t.added_at = added;
        t.updated_at = added + rng_.range(0, kImportSeconds);
        if (rng_.chance(kEditedPercent)) t.updated_at = std::max(t.updated_at, time_between(added, kSnapshotTime));
        const bool rated = rng_.chance(kRatedPercent);
        if (rated) {
            // As on Plex, a rating is the user's: it does not move updated_at (ABI 1.1 feeds).
            t.has |= PMX_TRACK_HAS_RATING | PMX_TRACK_HAS_LAST_RATED;
            t.user_rating = rating();
            t.last_rated_at = time_between(added, kSnapshotTime);
        }
        if (rng_.chance(rated ? kPlayedWhenRatedPercent : kPlayedPercent)) {
            std::uint64_t plays = 1 + rng_.below(5);
            if (rng_.chance(35)) plays += rng_.below(25);
            if (rng_.chance(6)) plays += rng_.below(120);
            t.has |= PMX_TRACK_HAS_PLAY_COUNT | PMX_TRACK_HAS_LAST_PLAYED;
            t.play_count = plays;
            t.last_played_at = time_between(added, kSnapshotTime);
        }
    }

    std::int64_t album_added_at(int year) {
        const std::int64_t from = std::max(kLibraryStart, year != 0 ? year_start(year) : kLibraryStart);
        return time_between(from, std::max(from + kDay, kSnapshotTime - kWeek));
    }

    // Appends `album` and its tracks; `next_title(i)` and `next_artist(i)` make track i's.
    template <class TitleFn, class ArtistFn>
    void add_album(Album album, std::size_t genre_for_durations, int tracks, TitleFn&& next_title,
                   ArtistFn&& next_artist) {
        const auto n = static_cast<std::uint32_t>(std::min<std::size_t>(static_cast<std::size_t>(tracks), remaining()));
        const bool two_discs = n >= kTwoDiscMinTracks &&
                               (album.live || genre_for_durations == classical_) && rng_.chance(kTwoDiscPercent);
        const std::uint32_t first_disc = two_discs ? (n + 1) / 2 : n;
        const std::string ext = extension();
        const int year = album.year;
        const std::int64_t added = album_added_at(year);
        if (rng_.chance(kNoYearPercent)) album.year = 0;  // a few rips without a date tag
        const auto album_index = static_cast<std::uint32_t>(lib_.albums.size());
        album.key = "album-" + std::to_string(album_index + 1);
        const std::string dir = "/music/" + path_safe(album.album_artist) + "/" + path_safe(album.title) + "/";
        std::int64_t at = added;
        for (std::uint32_t i = 0; i < n; ++i) {
            Track t;
            const std::size_t number = lib_.tracks.size() + 1;
            t.key = std::to_string(number);
            t.guid = "sample://track/" + t.key;
            t.title = next_title(i);
            std::pair<std::string, std::string> artist = next_artist(i);
            t.artist = std::move(artist.first);
            t.artist_key = std::move(artist.second);
            t.album = album_index;
            t.disc_number = i < first_disc ? 1 : 2;
            t.track_number = i < first_disc ? i + 1 : i - first_disc + 1;
            t.duration_ms = duration_ms(genre_for_durations, album.live || t.title.find("(Live") != std::string::npos);
            if (album.year != 0) {
                t.has |= PMX_TRACK_HAS_YEAR;
                t.year = album.year;
            }
            at += rng_.range(2, 9);  // the scanner reads an album's files seconds apart
            fill_usage(t, at);
            t.file_path = dir + (two_discs ? std::to_string(t.disc_number) + "-" : "") + two_digits(t.track_number) +
                          " - " + path_safe(t.title) + "." + ext;
            lib_.tracks.push_back(std::move(t));
        }
        lib_.albums.push_back(std::move(album));
    }

    std::pair<std::string, std::string> featuring(std::size_t a) {
        const Artist& main = lib_.artists[a];
        const GenreProfile& g = genre(main.genre);
        const std::vector<std::size_t>& peers = by_genre_[main.genre];
        if (!g.features || peers.size() < 2 || !rng_.chance(kFeaturePercent)) return {main.name, main.key};
        const std::size_t at = rng_.below(static_cast<std::uint32_t>(peers.size()));
        std::size_t other = peers[at];
        if (other == a) other = peers[(at + 1) % peers.size()];
        return {main.name + " feat. " + lib_.artists[other].name, main.key};
    }

    void make_artist_albums(std::size_t a) {
        const std::size_t g = lib_.artists[a].genre;
        const Era era = genre(g).era;
        const int albums = rng_.range(kMinAlbums, kMaxAlbums);
        int year = std::min(era_year(era), std::max(era.from, era.to - albums * 2));
        std::vector<std::string> songs;  // the artist's studio songs, which live albums play again
        std::set<std::string> album_titles;
        for (int k = 0; k < albums && remaining() > 0; ++k) {
            if (rng_.chance(kCompilationPercent)) make_compilation();  // between two of the artist's
            if (remaining() == 0) return;
            if (k > 0) year = std::min(era.to, year + rng_.range(1, kMaxCareerGap));
            Album album;
            album.album_artist = lib_.artists[a].name;
            album.year = year;
            album.genres = album_genres(g, year);
            album.live = k > 0 && songs.size() >= static_cast<std::size_t>(kMinAlbumTracks) && rng_.chance(kLiveAlbumPercent);
            if (album.live) {
                album.title = rng_.chance(50) ? "Live in " + std::to_string(year)
                                              : "Live at " + str(rng_.pick(words::venues()));
                if (album.title.compare(0, 12, "Live at the ") == 0) album.title.replace(8, 3, "The");
                album.title = unique(album_titles, album.title);
            } else {
                album.title = unique(album_titles, album_title(g));
            }
            int tracks = rng_.range(kMinAlbumTracks, kMaxAlbumTracks);
            std::vector<std::string> setlist;  // a live album plays earlier songs, each once
            if (album.live) {
                const std::set<std::string> distinct(songs.begin(), songs.end());
                setlist.assign(distinct.begin(), distinct.end());
                for (std::size_t i = setlist.size() - 1; i > 0; --i) {
                    std::swap(setlist[i], setlist[rng_.below(static_cast<std::uint32_t>(i + 1))]);
                }
                tracks = std::min(tracks, static_cast<int>(setlist.size()));
            }
            const int title_track = rng_.chance(kTitleTrackPercent) ? rng_.range(0, tracks - 1) : -1;
            const bool bonus_live = !album.live && rng_.chance(kLiveBonusPercent);
            const std::string venue(rng_.pick(words::venues()));
            std::set<std::string> titles;
            std::vector<std::string> album_songs;
            const bool live = album.live;
            const std::string album_name = album.title;
            auto next_title = [&](std::uint32_t i) -> std::string {
                if (live) return setlist[i] + " (Live)";
                if (bonus_live && i + 1 == static_cast<std::uint32_t>(tracks) && !album_songs.empty()) {
                    return unique(titles, rng_.pick(album_songs) + " (Live at " + venue + ")");
                }
                std::string title = static_cast<int>(i) == title_track ? album_name : song_title(g);
                for (int tries = 0; titles.count(title) != 0 && tries < kMaxTries; ++tries) title = song_title(g);
                title = unique(titles, title);
                album_songs.push_back(title);
                return title;
            };
            auto next_artist = [&](std::uint32_t) { return featuring(a); };
            add_album(std::move(album), g, tracks, next_title, next_artist);
            songs.insert(songs.end(), album_songs.begin(), album_songs.end());
        }
    }

    void make_compilation() {
        const std::size_t g = weighted_genre();
        const GenreProfile& profile = genre(g);
        Album album;
        album.compilation = true;
        album.album_artist = str(kVariousArtists);
        album.year = era_year(profile.era);
        album.genres = album_genres(g, album.year);
        if (rng_.chance(50)) {
            album.title = str(rng_.pick(profile.moods)) + " " + str(profile.name) +
                          (rng_.chance(50) ? ", Vol. " + std::to_string(rng_.range(1, 4)) : "");
        } else {
            album.title = str(profile.name) + " " + str(rng_.pick(words::compilation_words()));
        }
        std::set<std::string> titles;
        const std::vector<std::size_t>& peers = by_genre_[g];
        auto next_title = [&](std::uint32_t) {
            std::string title = song_title(g);
            for (int tries = 0; titles.count(title) != 0 && tries < kMaxTries; ++tries) title = song_title(g);
            return unique(titles, title);
        };
        // The performer is the track artist; artist_key stays the album's (Various Artists'),
        // as Plex's grandparentRatingKey does.
        auto next_artist = [&](std::uint32_t) {
            const Artist& by = lib_.artists[rng_.pick(peers)];
            return std::pair<std::string, std::string>(by.name, str(kVariousArtistsKey));
        };
        add_album(std::move(album), g, rng_.range(kMinAlbumTracks, kMaxAlbumTracks), next_title, next_artist);
    }

    Rng rng_;
    std::size_t count_;
    std::size_t classical_ = genre_index("Classical");
    Library lib_;
    std::vector<std::vector<std::size_t>> by_genre_;
};

}  // namespace

Library generate_library(std::uint64_t seed, std::size_t track_count) {
    if (track_count == 0) return {};
    return Generator(seed, track_count).run();
}

}  // namespace pmx::sample
