// TrackWriter: hashed, cached, prepared-once upserts of TrackRecords (see track_writer.hpp).
#include "store/track_writer.hpp"
#include "util/text.hpp"

#include <limits>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <pmx/plugin.h>

#include "store/looks_live.hpp"
#include "store/sqlite.hpp"
#include "util/hash.hpp"

namespace pmx {
namespace {

// Bump when the hashed fields or their encoding change (every row is then rewritten once).
constexpr uint64_t kHashFormatVersion = 1;
constexpr int32_t kMaxRating = 10;
constexpr std::string_view kGenreSeparator = "; ";
// native_key of an artist that only tracks credit, by name (see schema.cpp, v6).
constexpr std::string_view kNameKeyPrefix = "name:";

class Fnv1a {
public:
    void add(std::string_view text) {
        add(static_cast<uint64_t>(text.size()));
        for (const char c : text) mix(static_cast<unsigned char>(c));
    }
    void add(uint64_t value) {
        for (int shift = 0; shift < 64; shift += 8) mix(static_cast<unsigned char>(value >> shift));
    }
    uint64_t value() const { return hash_; }

private:
    void mix(unsigned char byte) {
        hash_ ^= byte;
        hash_ *= kFnvPrime;
    }
    uint64_t hash_ = kFnvOffsetBasis;
};

bool has(const TrackRecord& track, uint32_t bit) { return (track.has & bit) != 0; }

std::optional<int64_t> unless_zero(uint64_t value) {
    if (value == 0) return std::nullopt;
    return static_cast<int64_t>(std::min<uint64_t>(value, std::numeric_limits<int64_t>::max()));
}

std::optional<int64_t> unless_zero(int64_t value) {
    if (value == 0) return std::nullopt;
    return value;
}

std::string_view trim(std::string_view text) {
    constexpr std::string_view kSpace = " \t\r\n";
    const size_t begin = text.find_first_not_of(kSpace);
    if (begin == std::string_view::npos) return {};
    return text.substr(begin, text.find_last_not_of(kSpace) - begin + 1);
}

struct CachedArtist {
    int64_t id;
    std::string name;
};

struct CachedAlbum {
    int64_t id;
    std::string title;
    std::optional<int64_t> artist_id;
    std::string album_artist;
    std::optional<int64_t> year;
};

struct ExistingRow {
    int64_t id;
    std::optional<int64_t> hash;
    std::string genres;
};

#define PMX_TRACK_COLUMNS                                                                                         \
    "INSERT INTO tracks(server_id, native_key, guid, file_path, title, artist, artist_id, album, album_id, "     \
    "album_artist, genres, track_number, disc_number, duration_ms, year, user_rating, play_count, last_played_at, " \
    "added_at, updated_at, is_live, content_hash, last_rated_at, track_artist_id, is_favourite, recording_mbid) "   \
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, " \
    "?25, ?26)"

// For a key that is in the mirror: the UPSERT, which keeps the row (and its id); never
// INSERT OR REPLACE, which deletes the row and inserts a new one (new id, cascades fired).
constexpr std::string_view kUpsertTrack =
    PMX_TRACK_COLUMNS
    " ON CONFLICT(server_id, native_key) DO UPDATE SET guid = excluded.guid, file_path = excluded.file_path, "
    "title = excluded.title, artist = excluded.artist, artist_id = excluded.artist_id, album = excluded.album, "
    "album_id = excluded.album_id, album_artist = excluded.album_artist, genres = excluded.genres, "
    "track_number = excluded.track_number, disc_number = excluded.disc_number, duration_ms = excluded.duration_ms, "
    "year = excluded.year, user_rating = excluded.user_rating, play_count = excluded.play_count, "
    "last_played_at = excluded.last_played_at, added_at = excluded.added_at, updated_at = excluded.updated_at, "
    "is_live = excluded.is_live, content_hash = excluded.content_hash, last_rated_at = excluded.last_rated_at, "
    "track_artist_id = excluded.track_artist_id, is_favourite = excluded.is_favourite, "
    "recording_mbid = excluded.recording_mbid";

// For a key the writer just looked up and did not find (inside its write transaction, so
// nobody can add it meanwhile): a plain INSERT. Measured on SQLite 3.40 with this schema, the
// UPSERT form takes twice as long per new row (200k rows: 3.5 s against 2.0 s); should the
// key exist after all, the INSERT fails on UNIQUE(server_id, native_key) and ends the run
// rather than touching the row.
constexpr std::string_view kInsertTrack = PMX_TRACK_COLUMNS;

#undef PMX_TRACK_COLUMNS

}  // namespace

std::string_view to_string(UpsertOutcome outcome) {
    switch (outcome) {
        case UpsertOutcome::added: return "added";
        case UpsertOutcome::updated: return "updated";
        case UpsertOutcome::unchanged: return "unchanged";
        case UpsertOutcome::rekeyed: return "rekeyed";
        case UpsertOutcome::rejected: return "rejected";
    }
    return "rejected";
}

uint64_t track_content_hash(const TrackRecord& track) {
    Fnv1a hash;
    hash.add(kHashFormatVersion);
    hash.add(static_cast<uint64_t>(kLooksLiveRulesVersion));
    hash.add(static_cast<uint64_t>(track.has));
    for (const std::string* text : {&track.key, &track.guid, &track.file_path, &track.title, &track.artist,
                                    &track.artist_key, &track.album, &track.album_key, &track.album_artist}) {
        hash.add(*text);
    }
    hash.add(static_cast<uint64_t>(track.genres.size()));
    for (const auto& genre : track.genres) hash.add(genre);
    hash.add(static_cast<uint64_t>(track.track_number));
    hash.add(static_cast<uint64_t>(track.disc_number));
    hash.add(track.duration_ms);
    hash.add(has(track, PMX_TRACK_HAS_YEAR) ? static_cast<uint64_t>(track.year) : 0);
    hash.add(has(track, PMX_TRACK_HAS_RATING) ? static_cast<uint64_t>(track.user_rating) : 0);
    hash.add(has(track, PMX_TRACK_HAS_PLAY_COUNT) ? track.play_count : 0);
    hash.add(has(track, PMX_TRACK_HAS_LAST_PLAYED) ? static_cast<uint64_t>(track.last_played_at) : 0);
    hash.add(static_cast<uint64_t>(track.added_at));
    hash.add(static_cast<uint64_t>(track.updated_at));
    // Hashed only when given, so that tracks without it keep the hash they had before ABI 1.1.
    if (has(track, PMX_TRACK_HAS_LAST_RATED)) hash.add(static_cast<uint64_t>(track.last_rated_at));
    // Likewise the ABI 1.4 fields: a Plex track (no favourites, no recording id) keeps its hash.
    if (has(track, PMX_TRACK_HAS_FAVOURITE)) hash.add(static_cast<uint64_t>(track.favourite ? 1 : 0));
    if (!track.recording_mbid.empty()) hash.add(track.recording_mbid);
    return hash.value();
}

struct TrackWriter::Impl {
    Impl(Store::Transaction& tx, int64_t server, Options writer_options)
        : transaction(tx),
          db(tx.store().native_handle()),
          server_id(server),
          options(std::move(writer_options)),
          find_by_key(db, "SELECT id, content_hash, genres FROM tracks WHERE server_id = ?1 AND native_key = ?2", true),
          find_by_guid(db, "SELECT id, native_key FROM tracks WHERE server_id = ?1 AND guid = ?2 ORDER BY id", true),
          find_by_path(db, "SELECT id, native_key FROM tracks WHERE server_id = ?1 AND file_path = ?2 ORDER BY id", true),
          set_key(db, "UPDATE tracks SET native_key = ?2 WHERE id = ?1", true),
          upsert_track(db, kUpsertTrack, true),
          insert_track(db, kInsertTrack, true),
          delete_links(db, "DELETE FROM track_genres WHERE track_id = ?1", true),
          insert_link(db, "INSERT INTO track_genres(track_id, genre_id, position) VALUES (?1, ?2, ?3)", true),
          find_genre(db, "SELECT id FROM genres WHERE name = ?1", true),
          insert_genre(db, "INSERT INTO genres(name) VALUES (?1)", true),
          find_artist(db, "SELECT id, name FROM artists WHERE server_id = ?1 AND native_key = ?2", true),
          insert_artist(db, "INSERT INTO artists(server_id, native_key, name) VALUES (?1, ?2, ?3)", true),
          update_artist(db, "UPDATE artists SET name = ?2 WHERE id = ?1", true),
          find_album(db,
                     "SELECT id, title, artist_id, album_artist, year FROM albums WHERE server_id = ?1 AND native_key = ?2",
                     true),
          insert_album(db,
                       "INSERT INTO albums(server_id, native_key, title, artist_id, album_artist, year) "
                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                       true),
          update_album(db, "UPDATE albums SET title = ?2, artist_id = ?3, album_artist = ?4, year = ?5 WHERE id = ?1", true),
          server_was_empty(!tx.store().has_tracks(server)) {}

    std::optional<ExistingRow> lookup(const std::string& key) {
        // A server without tracks when the writer began has only the rows it wrote since.
        if (server_was_empty && !inserted_keys.contains(key)) return std::nullopt;
        sql::ResetGuard reset(find_by_key);
        find_by_key.bind(1, server_id).bind_static(2, key);
        if (!find_by_key.step()) return std::nullopt;
        return ExistingRow{find_by_key.int64(0), find_by_key.optional_int64(1), find_by_key.text(2)};
    }

    // An existing row of this server that the record may take over: same guid, else same
    // file path, not written by this writer, and whose key the source no longer has.
    std::optional<int64_t> rekey_candidate(const TrackRecord& track) {
        if (server_was_empty) return std::nullopt;  // every row is this run's own
        const std::pair<sql::Statement*, const std::string*> fallbacks[] = {{&find_by_guid, &track.guid},
                                                                            {&find_by_path, &track.file_path}};
        for (const auto& [statement, value] : fallbacks) {
            if (value->empty()) continue;
            sql::ResetGuard reset(*statement);
            statement->bind(1, server_id).bind_static(2, *value);
            while (statement->step()) {
                const int64_t id = statement->int64(0);
                if (written.contains(id)) continue;
                if (options.key_in_source && options.key_in_source(statement->text(1))) continue;
                return id;
            }
        }
        return std::nullopt;
    }

    // The artists row of `native_key`, made with `name` when missing, renamed when it differs.
    int64_t artist_row(const std::string& native_key, std::string_view name) {
        auto it = artists.find(native_key);
        if (it == artists.end()) {
            sql::ResetGuard reset_find(find_artist);
            find_artist.bind(1, server_id).bind_static(2, native_key);
            CachedArtist entry;
            if (find_artist.step()) {
                entry = {find_artist.int64(0), find_artist.text(1)};
            } else {
                sql::ResetGuard reset_insert(insert_artist);
                insert_artist.bind(1, server_id).bind_static(2, native_key).bind_static(3, name).run();
                entry = {sqlite3_last_insert_rowid(db), std::string(name)};
            }
            it = artists.emplace(native_key, std::move(entry)).first;
        }
        if (it->second.name != name) {
            sql::ResetGuard reset(update_artist);
            update_artist.bind(1, it->second.id).bind_static(2, name).run();
            it->second.name = name;
        }
        return it->second.id;
    }

    // The album's artist: artist_key names the artist the server files the album under (Plex
    // grandparent), named by album_artist (else by the track artist).
    std::optional<int64_t> resolve_artist(const TrackRecord& track) {
        if (track.artist_key.empty()) return std::nullopt;
        return artist_row(track.artist_key, album_artist_name(track));
    }

    // The artist the track credits: the album artist's row when it is that artist, else a row
    // of the name alone (Plex originalTitle has no key; see schema.cpp, v6).
    std::optional<int64_t> resolve_track_artist(const TrackRecord& track, std::optional<int64_t> album_artist_id) {
        if (track.artist.empty()) return std::nullopt;
        if (album_artist_id && track.artist == album_artist_name(track)) return album_artist_id;
        name_key.assign(kNameKeyPrefix);
        name_key += track.artist;
        return artist_row(name_key, track.artist);
    }

    static std::string_view album_artist_name(const TrackRecord& track) {
        return track.album_artist.empty() ? track.artist : track.album_artist;
    }

    std::optional<int64_t> resolve_album(const TrackRecord& track, std::optional<int64_t> artist_id) {
        if (track.album_key.empty()) return std::nullopt;
        const std::optional<int64_t> year =
            has(track, PMX_TRACK_HAS_YEAR) ? std::optional<int64_t>(track.year) : std::nullopt;
        auto it = albums.find(track.album_key);
        if (it == albums.end()) {
            sql::ResetGuard reset_find(find_album);
            find_album.bind(1, server_id).bind_static(2, track.album_key);
            CachedAlbum entry;
            if (find_album.step()) {
                entry = {find_album.int64(0), find_album.text(1), find_album.optional_int64(2), find_album.text(3),
                         find_album.optional_int64(4)};
            } else {
                sql::ResetGuard reset_insert(insert_album);
                insert_album.bind(1, server_id).bind_static(2, track.album_key).bind_static(3, track.album);
                insert_album.bind(4, artist_id).bind_static(5, track.album_artist).bind(6, year).run();
                entry = {sqlite3_last_insert_rowid(db), track.album, artist_id, track.album_artist, year};
            }
            it = albums.emplace(track.album_key, std::move(entry)).first;
        }
        CachedAlbum& album = it->second;
        if (album.title != track.album || album.artist_id != artist_id || album.album_artist != track.album_artist ||
            album.year != year) {
            sql::ResetGuard reset(update_album);
            update_album.bind(1, album.id).bind_static(2, track.album).bind(3, artist_id);
            update_album.bind_static(4, track.album_artist).bind(5, year).run();
            album = {album.id, track.album, artist_id, track.album_artist, year};
        }
        return album.id;
    }

    int64_t resolve_genre(std::string_view name) {
        std::string key = ascii_lower(name);  // as COLLATE NOCASE compares
        if (const auto it = genres.find(key); it != genres.end()) return it->second;
        int64_t id = 0;
        {
            sql::ResetGuard reset(find_genre);
            find_genre.bind_static(1, name);
            if (find_genre.step()) id = find_genre.int64(0);
        }
        if (id == 0) {
            sql::ResetGuard reset(insert_genre);
            insert_genre.bind_static(1, name).run();
            id = sqlite3_last_insert_rowid(db);
        }
        genres.emplace(std::move(key), id);
        return id;
    }

    // Fills genre_names / genre_text from the record: trimmed, empty names dropped,
    // ASCII-case-insensitive duplicates dropped (first spelling kept), order kept.
    void normalise_genres(const TrackRecord& track) {
        genre_names.clear();
        genre_text.clear();
        for (const auto& raw : track.genres) {
            const std::string_view name = trim(raw);
            if (name.empty()) continue;
            bool duplicate = false;
            for (const auto seen : genre_names) {
                if (equal_ascii_nocase(seen, name)) duplicate = true;
            }
            if (duplicate) continue;
            if (!genre_text.empty()) genre_text += kGenreSeparator;
            genre_text += name;
            genre_names.push_back(name);
        }
    }

    void write_genres(int64_t track_id, bool had_links) {
        if (had_links) {
            sql::ResetGuard reset(delete_links);
            delete_links.bind(1, track_id).run();
        }
        for (size_t position = 0; position < genre_names.size(); ++position) {
            const int64_t genre_id = resolve_genre(genre_names[position]);
            sql::ResetGuard reset(insert_link);
            insert_link.bind(1, track_id).bind(2, genre_id).bind(3, static_cast<int64_t>(position)).run();
        }
    }

    // Writes the row (UPSERT when it exists, else INSERT) and returns its id. No RETURNING
    // clause: it would give every execution a statement journal (see schema.cpp on FTS5).
    int64_t write_track(const TrackRecord& track, uint64_t hash, const std::optional<ExistingRow>& existing,
                        std::optional<int64_t> artist_id, std::optional<int64_t> album_id,
                        std::optional<int64_t> track_artist_id) {
        sql::Statement& s = existing ? upsert_track : insert_track;
        sql::ResetGuard reset(s);
        const bool rated = has(track, PMX_TRACK_HAS_RATING) && track.user_rating >= 0 && track.user_rating <= kMaxRating;
        s.bind(1, server_id).bind_static(2, track.key).bind_static_or_null(3, track.guid);
        s.bind_static_or_null(4, track.file_path).bind_static(5, track.title).bind_static(6, track.artist);
        s.bind(7, artist_id).bind_static(8, track.album).bind(9, album_id).bind_static(10, track.album_artist);
        s.bind_static(11, genre_text);
        s.bind(12, unless_zero(static_cast<uint64_t>(track.track_number)));
        s.bind(13, unless_zero(static_cast<uint64_t>(track.disc_number)));
        s.bind(14, unless_zero(track.duration_ms));
        s.bind(15, has(track, PMX_TRACK_HAS_YEAR) ? std::optional<int64_t>(track.year) : std::nullopt);
        s.bind(16, rated ? std::optional<int64_t>(track.user_rating) : std::nullopt);
        s.bind(17, has(track, PMX_TRACK_HAS_PLAY_COUNT)
                       ? std::optional<int64_t>(static_cast<int64_t>(
                             std::min<uint64_t>(track.play_count, std::numeric_limits<int64_t>::max())))
                       : std::nullopt);
        s.bind(18, has(track, PMX_TRACK_HAS_LAST_PLAYED) ? std::optional<int64_t>(track.last_played_at) : std::nullopt);
        s.bind(19, unless_zero(track.added_at)).bind(20, unless_zero(track.updated_at));
        s.bind(21, static_cast<int64_t>(looks_live(track.title, track.album) ? 1 : 0));
        s.bind(22, static_cast<int64_t>(hash));
        s.bind(23, has(track, PMX_TRACK_HAS_LAST_RATED) ? std::optional<int64_t>(track.last_rated_at) : std::nullopt);
        s.bind(24, track_artist_id);
        s.bind(25, has(track, PMX_TRACK_HAS_FAVOURITE) ? std::optional<int64_t>(track.favourite ? 1 : 0) : std::nullopt);
        s.bind_static_or_null(26, track.recording_mbid);
        s.run();
        return existing ? existing->id : sqlite3_last_insert_rowid(db);
    }

    UpsertResult upsert(const TrackRecord& track) {
        if (!transaction.active()) throw std::logic_error("TrackWriter used after its transaction ended");
        if (track.key.empty()) {
            ++counts.rejected;
            return {0, UpsertOutcome::rejected};
        }
        const uint64_t hash = track_content_hash(track);
        std::optional<ExistingRow> existing = lookup(track.key);
        UpsertOutcome outcome = UpsertOutcome::added;
        if (existing) {
            if (existing->hash == static_cast<int64_t>(hash)) {
                remember(existing->id);
                ++counts.unchanged;
                return {existing->id, UpsertOutcome::unchanged};
            }
            outcome = UpsertOutcome::updated;
        } else if (const auto candidate = rekey_candidate(track)) {
            sql::ResetGuard reset(set_key);
            set_key.bind(1, *candidate).bind_static(2, track.key).run();
            existing = lookup(track.key);
            outcome = UpsertOutcome::rekeyed;
        }
        normalise_genres(track);
        const std::optional<int64_t> artist_id = resolve_artist(track);
        const std::optional<int64_t> album_id = resolve_album(track, artist_id);
        const std::optional<int64_t> track_artist_id = resolve_track_artist(track, artist_id);
        const int64_t id = write_track(track, hash, existing, artist_id, album_id, track_artist_id);
        if (!existing || existing->genres != genre_text) write_genres(id, existing.has_value());
        if (existing) {
            transaction.reindex_later();
        } else {
            transaction.index_later(id);
            if (server_was_empty) inserted_keys.insert(track.key);
        }
        remember(id);
        switch (outcome) {
            case UpsertOutcome::added: ++counts.added; break;
            case UpsertOutcome::updated: ++counts.updated; break;
            case UpsertOutcome::rekeyed: ++counts.rekeyed; break;
            default: break;
        }
        return {id, outcome};
    }

    uint64_t sync_favourites(const std::unordered_set<std::string>& favourites,
                             const std::unordered_set<std::string>& written_keys) {
        if (!transaction.active()) throw std::logic_error("TrackWriter used after its transaction ended");
        std::vector<std::pair<int64_t, int64_t>> changes;  // (track id, new flag)
        // The marked rows (through their partial index) against the list: never a pass over the
        // whole mirror, and a row looked up only for a key listed but not marked.
        std::unordered_set<std::string> marked_keys;
        {
            sql::Statement marked(db, "SELECT id, native_key FROM tracks WHERE server_id = ?1 AND is_favourite = 1");
            marked.bind(1, server_id);
            while (marked.step()) {
                std::string key = marked.text(1);
                if (favourites.count(key) == 0 && written_keys.count(key) == 0) changes.emplace_back(marked.int64(0), 0);
                marked_keys.insert(std::move(key));
            }
        }
        sql::Statement row(db, "SELECT id FROM tracks WHERE server_id = ?1 AND native_key = ?2 AND is_favourite IS NOT 1");
        for (const std::string& key : favourites) {
            if (written_keys.count(key) != 0 || marked_keys.count(key) != 0) continue;
            sql::ResetGuard reset(row);
            row.bind(1, server_id).bind_static(2, key);
            if (row.step()) changes.emplace_back(row.int64(0), 1);
        }
        sql::Statement set(db, "UPDATE tracks SET is_favourite = ?2, content_hash = NULL WHERE id = ?1");
        for (const auto& [id, flag] : changes) {
            sql::ResetGuard reset(set);
            set.bind(1, id).bind(2, flag).run();
        }
        return changes.size();
    }

    void remember(int64_t id) {
        if (!server_was_empty) written.insert(id);  // only re-keying asks
    }

    Store::Transaction& transaction;
    sqlite3* db;
    int64_t server_id;
    Options options;
    Counts counts;
    std::unordered_set<int64_t> written;
    std::unordered_set<std::string> inserted_keys;  // when server_was_empty: the keys it inserted
    std::unordered_map<std::string, CachedArtist> artists;  // by native_key (a server's, or "name:...")
    std::unordered_map<std::string, CachedAlbum> albums;
    std::unordered_map<std::string, int64_t> genres;  // ASCII-lowercased name → id
    std::vector<std::string_view> genre_names;        // scratch: the record's normalised genres
    std::string genre_text;                           // scratch: joined for tracks.genres
    std::string name_key;                             // scratch: "name:" + a track artist
    sql::Statement find_by_key, find_by_guid, find_by_path, set_key, upsert_track, insert_track, delete_links, insert_link,
        find_genre, insert_genre, find_artist, insert_artist, update_artist, find_album, insert_album, update_album;
    const bool server_was_empty;  // the server had no tracks: no row can be re-keyed
};

TrackWriter::TrackWriter(Store::Transaction& transaction, int64_t server_id, Options options) {
    if (!transaction.active()) throw std::logic_error("TrackWriter needs an active Store::Transaction");
    // Into a mirror without tracks (a first sync): index once at the end, not row by row.
    transaction.bulk_load();
    impl_ = std::make_unique<Impl>(transaction, server_id, std::move(options));
}

TrackWriter::~TrackWriter() = default;

UpsertResult TrackWriter::upsert(const TrackRecord& track) { return impl_->upsert(track); }

const TrackWriter::Counts& TrackWriter::counts() const { return impl_->counts; }

uint64_t TrackWriter::sync_favourites(const std::unordered_set<std::string>& favourites,
                                      const std::unordered_set<std::string>& written) {
    return impl_->sync_favourites(favourites, written);
}

}  // namespace pmx
