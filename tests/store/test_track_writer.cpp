// TrackWriter: outcomes, stable ids, NULLs for what the server omitted, genres, re-keying.
#include <functional>
#include <map>
#include <set>
#include <stdexcept>

#include "support.hpp"

using namespace pmx;
using namespace pmx::test;

namespace {

int64_t total_changes(Store& store) { return sqlite3_total_changes64(store.native_handle()); }

std::vector<std::string> genre_links(Store& store, int64_t track_id) {
    sql::Statement query(store.native_handle(),
                         "SELECT g.name FROM track_genres tg JOIN genres g ON g.id = tg.genre_id "
                         "WHERE tg.track_id = ?1 ORDER BY tg.position");
    query.bind(1, track_id);
    std::vector<std::string> names;
    while (query.step()) names.push_back(query.text(0));
    return names;
}

}  // namespace

TEST_CASE("upsert adds, then finds the row unchanged, then updates it in place", "[store][writer]") {
    auto store = Store::open_in_memory();
    const int64_t server = add_server(*store);
    TrackRecord track = sample_track("42", "First Title");

    const UpsertResult added = write_track(*store, server, track);
    CHECK(added.outcome == UpsertOutcome::added);
    CHECK(added.track_id > 0);

    const UpsertResult unchanged = write_track(*store, server, track);
    CHECK(unchanged.outcome == UpsertOutcome::unchanged);
    CHECK(unchanged.track_id == added.track_id);

    track.title = "Second Title";
    track.play_count = 4;
    const UpsertResult updated = write_track(*store, server, track);
    CHECK(updated.outcome == UpsertOutcome::updated);
    CHECK(updated.track_id == added.track_id);
    CHECK(text_scalar(*store, "SELECT title FROM tracks") == "Second Title");
    CHECK(scalar(*store, "SELECT play_count FROM tracks") == 4);
    CHECK(store->track_keys(server) == std::vector<std::pair<int64_t, std::string>>{{added.track_id, "42"}});
}

TEST_CASE("an update keeps what hangs off the track id (playlist entries, genre links)", "[store][writer]") {
    auto store = Store::open_in_memory();
    const int64_t server = add_server(*store);
    TrackRecord track = sample_track("1");
    const int64_t id = write_track(*store, server, track).track_id;
    exec(*store, "INSERT INTO playlists(id, server_id, name, created_at, updated_at) VALUES (1, " + std::to_string(server) +
                     ", 'Mix', 0, 0)");
    exec(*store, "INSERT INTO playlist_tracks(playlist_id, position, track_id) VALUES (1, 0, " + std::to_string(id) + ")");
    track.title = "Retitled";
    track.user_rating = 10;
    REQUIRE(write_track(*store, server, track).outcome == UpsertOutcome::updated);
    CHECK(scalar(*store, "SELECT track_id FROM playlist_tracks") == id);
    CHECK(scalar(*store, "SELECT count(*) FROM track_genres WHERE track_id = " + std::to_string(id)) == 2);
    CHECK(scalar(*store, "SELECT id FROM tracks") == id);
}

TEST_CASE("an unchanged track costs no write at all", "[store][writer]") {
    auto store = Store::open_in_memory();
    const int64_t server = add_server(*store);
    write_tracks(*store, server, {sample_track("1"), sample_track("2"), sample_track("3")});
    const int64_t before = total_changes(*store);
    const auto results = write_tracks(*store, server, {sample_track("1"), sample_track("2"), sample_track("3")});
    for (const auto& result : results) CHECK(result.outcome == UpsertOutcome::unchanged);
    CHECK(total_changes(*store) == before);
}

TEST_CASE("a change outside the genres rewrites the track row only", "[store][writer]") {
    auto store = Store::open_in_memory();
    const int64_t server = add_server(*store);
    TrackRecord track = sample_track("1");
    write_track(*store, server, track);
    const int64_t before = total_changes(*store);
    track.play_count = 99;
    CHECK(write_track(*store, server, track).outcome == UpsertOutcome::updated);
    CHECK(total_changes(*store) - before == 1);  // no genre links, no album, no artist, no FTS
}

TEST_CASE("the writer counts its outcomes", "[store][writer]") {
    auto store = Store::open_in_memory();
    const int64_t server = add_server(*store);
    write_track(*store, server, sample_track("1"));
    Store::Transaction transaction(*store);
    TrackWriter writer(transaction, server);
    TrackRecord changed = sample_track("1");
    changed.title = "Changed";
    writer.upsert(sample_track("2"));
    writer.upsert(sample_track("3"));
    writer.upsert(changed);
    writer.upsert(changed);
    writer.upsert(TrackRecord{});
    CHECK(writer.counts().added == 2);
    CHECK(writer.counts().updated == 1);
    CHECK(writer.counts().unchanged == 1);
    CHECK(writer.counts().rejected == 1);
    transaction.commit();
}

TEST_CASE("a record without a key is rejected and writes nothing", "[store][writer]") {
    auto store = Store::open_in_memory();
    const int64_t server = add_server(*store);
    TrackRecord track = sample_track("");
    const UpsertResult result = write_track(*store, server, track);
    CHECK(result.outcome == UpsertOutcome::rejected);
    CHECK(result.track_id == 0);
    CHECK(scalar(*store, "SELECT count(*) FROM tracks") == 0);
}

TEST_CASE("fields the server omitted are NULL, not zero", "[store][writer]") {
    auto store = Store::open_in_memory();
    const int64_t server = add_server(*store);
    TrackRecord bare;
    bare.key = "7";
    bare.title = "Bare";
    bare.user_rating = 6;  // without PMX_TRACK_HAS_RATING: not given
    bare.year = 1999;      // without PMX_TRACK_HAS_YEAR: not given
    write_track(*store, server, bare);
    CHECK(scalar(*store,
                 "SELECT count(*) FROM tracks WHERE guid IS NULL AND file_path IS NULL AND track_number IS NULL "
                 "AND disc_number IS NULL AND duration_ms IS NULL AND year IS NULL AND user_rating IS NULL "
                 "AND play_count IS NULL AND last_played_at IS NULL AND added_at IS NULL AND updated_at IS NULL "
                 "AND artist_id IS NULL AND album_id IS NULL AND genres = ''") == 1);

    TrackRecord rated = sample_track("8");
    rated.user_rating = 0;  // given as zero: kept
    rated.play_count = 0;
    write_track(*store, server, rated);
    CHECK(scalar(*store, "SELECT user_rating FROM tracks WHERE native_key = '8'") == 0);
    CHECK(scalar(*store, "SELECT play_count FROM tracks WHERE native_key = '8'") == 0);
    CHECK(scalar(*store, "SELECT year FROM tracks WHERE native_key = '8'") == 1971);

    TrackRecord odd = sample_track("9");
    odd.user_rating = 11;  // outside 0..10: treated as unset, the track is kept
    write_track(*store, server, odd);
    CHECK(scalar(*store, "SELECT count(*) FROM tracks WHERE native_key = '9' AND user_rating IS NULL") == 1);
}

TEST_CASE("artists and albums are shared by key and follow renames", "[store][writer]") {
    auto store = Store::open_in_memory();
    const int64_t server = add_server(*store);
    TrackRecord one = sample_track("1");
    TrackRecord two = sample_track("2");
    two.artist = "Guest Singer";  // track artist differs from the album artist
    write_tracks(*store, server, {one, two});
    CHECK(scalar(*store, "SELECT count(*) FROM artists WHERE native_key = 'artist-1'") == 1);
    CHECK(scalar(*store, "SELECT count(*) FROM albums") == 1);
    CHECK(text_scalar(*store, "SELECT name FROM artists WHERE native_key = 'artist-1'") == "The Band");  // the album artist
    CHECK(scalar(*store, "SELECT count(DISTINCT album_id) FROM tracks") == 1);
    CHECK(scalar(*store, "SELECT count(*) FROM albums a JOIN artists r ON r.id = a.artist_id") == 1);
    CHECK(text_scalar(*store, "SELECT artist FROM tracks WHERE native_key = '2'") == "Guest Singer");

    one.album = "First Album (Deluxe)";
    one.album_artist = "The Band & Friends";
    write_track(*store, server, one);
    CHECK(text_scalar(*store, "SELECT title FROM albums") == "First Album (Deluxe)");
    CHECK(text_scalar(*store, "SELECT name FROM artists WHERE native_key = 'artist-1'") == "The Band & Friends");
    CHECK(scalar(*store, "SELECT count(*) FROM albums") == 1);
}

TEST_CASE("genres are normalised, linked in order, and rewritten only when they change", "[store][writer]") {
    auto store = Store::open_in_memory();
    const int64_t server = add_server(*store);
    TrackRecord track = sample_track("1");
    track.genres = {"Rock", " Blues ", "rock", "", "Soul"};
    const int64_t id = write_track(*store, server, track).track_id;
    CHECK(text_scalar(*store, "SELECT genres FROM tracks") == "Rock; Blues; Soul");
    CHECK(genre_links(*store, id) == std::vector<std::string>{"Rock", "Blues", "Soul"});

    TrackRecord other = sample_track("2");
    other.genres = {"ROCK", "Jazz"};  // the same genre row as "Rock" (NOCASE)
    const int64_t other_id = write_track(*store, server, other).track_id;
    CHECK(scalar(*store, "SELECT count(*) FROM genres") == 4);
    CHECK(genre_links(*store, other_id) == std::vector<std::string>{"Rock", "Jazz"});

    track.genres = {"Soul", "Funk"};
    write_track(*store, server, track);
    CHECK(genre_links(*store, id) == std::vector<std::string>{"Soul", "Funk"});
    CHECK(text_scalar(*store, "SELECT genres FROM tracks WHERE id = " + std::to_string(id)) == "Soul; Funk");

    track.genres.clear();
    write_track(*store, server, track);
    CHECK(genre_links(*store, id).empty());
    CHECK(store->integrity_problems().empty());
}

TEST_CASE("is_live is computed when the track is written", "[store][writer]") {
    auto store = Store::open_in_memory();
    const int64_t server = add_server(*store);
    TrackRecord track = sample_track("1", "Dark Star");
    track.album = "Cornell 5/8/77";
    write_track(*store, server, track);
    CHECK(scalar(*store, "SELECT is_live FROM tracks") == 1);
    track.album = "Aoxomoxoa";
    write_track(*store, server, track);
    CHECK(scalar(*store, "SELECT is_live FROM tracks") == 0);
}

TEST_CASE("the same key on two servers is two tracks", "[store][writer]") {
    auto store = Store::open_in_memory();
    const int64_t first = add_server(*store, "home", "machine-1");
    const int64_t second = add_server(*store, "cabin", "machine-2");
    const int64_t a = write_track(*store, first, sample_track("1")).track_id;
    const int64_t b = write_track(*store, second, sample_track("1")).track_id;
    CHECK(a != b);
    CHECK(scalar(*store, "SELECT count(*) FROM albums") == 2);  // albums and artists are per server too
    CHECK(scalar(*store, "SELECT count(*) FROM artists") == 2);
    CHECK(store->track_keys(first) == std::vector<std::pair<int64_t, std::string>>{{a, "1"}});
    CHECK(store->integrity_problems().empty());
}

TEST_CASE("a re-keyed track keeps its id", "[store][writer][rekey]") {
    auto store = Store::open_in_memory();
    const int64_t server = add_server(*store);
    const int64_t id = write_track(*store, server, sample_track("100")).track_id;

    SECTION("found by guid") {
        TrackRecord moved = sample_track("100");
        moved.key = "200";
        moved.file_path = "/music/moved.flac";
        const UpsertResult result = write_track(*store, server, moved);
        CHECK(result.outcome == UpsertOutcome::rekeyed);
        CHECK(result.track_id == id);
        CHECK(store->track_keys(server) == std::vector<std::pair<int64_t, std::string>>{{id, "200"}});
        CHECK(write_track(*store, server, moved).outcome == UpsertOutcome::unchanged);
    }
    SECTION("found by file path when the guid is unknown") {
        TrackRecord moved = sample_track("100");
        moved.key = "300";
        moved.guid.clear();
        const UpsertResult result = write_track(*store, server, moved);
        CHECK(result.outcome == UpsertOutcome::rekeyed);
        CHECK(result.track_id == id);
        CHECK(scalar(*store, "SELECT count(*) FROM tracks WHERE guid IS NULL") == 1);
    }
    SECTION("not when neither matches") {
        TrackRecord other = sample_track("400");
        CHECK(write_track(*store, server, other).outcome == UpsertOutcome::added);
    }
    SECTION("not from another server") {
        const int64_t second = add_server(*store, "cabin", "machine-2");
        TrackRecord moved = sample_track("100");
        moved.key = "200";
        CHECK(write_track(*store, second, moved).outcome == UpsertOutcome::added);
    }
}

TEST_CASE("re-keying never takes a row whose key the source still has", "[store][writer][rekey]") {
    auto store = Store::open_in_memory();
    const int64_t server = add_server(*store);
    const int64_t original = write_track(*store, server, sample_track("1")).track_id;
    TrackRecord twin = sample_track("1");  // same guid and path, a different item
    twin.key = "2";

    SECTION("the source says so") {
        const std::set<std::string> source_keys{"1", "2"};
        TrackWriter::Options options;
        options.key_in_source = [&](const std::string& key) { return source_keys.count(key) > 0; };
        const UpsertResult result = write_track(*store, server, twin, options);
        CHECK(result.outcome == UpsertOutcome::added);
        CHECK(result.track_id != original);
    }
    SECTION("this run already wrote it") {
        const auto results = write_tracks(*store, server, {sample_track("1"), twin});
        CHECK(results[0].outcome == UpsertOutcome::unchanged);
        CHECK(results[1].outcome == UpsertOutcome::added);
        CHECK(results[1].track_id != original);
    }
    CHECK(scalar(*store, "SELECT count(*) FROM tracks") == 2);
}

TEST_CASE("a writer needs an active transaction", "[store][writer]") {
    auto store = Store::open_in_memory();
    const int64_t server = add_server(*store);
    Store::Transaction transaction(*store);
    TrackWriter writer(transaction, server);
    transaction.commit();
    CHECK_THROWS_AS(writer.upsert(sample_track("1")), std::logic_error);
    CHECK_THROWS_AS(TrackWriter(transaction, server), std::logic_error);
}

TEST_CASE("the content hash covers every mirrored field", "[store][writer]") {
    const TrackRecord base = sample_track("1");
    const uint64_t base_hash = track_content_hash(base);
    CHECK(track_content_hash(sample_track("1")) == base_hash);
    const std::vector<std::pair<const char*, std::function<void(TrackRecord&)>>> changes{
        {"has", [](TrackRecord& t) { t.has &= ~PMX_TRACK_HAS_PLAY_COUNT; }},
        {"key", [](TrackRecord& t) { t.key = "2"; }},
        {"guid", [](TrackRecord& t) { t.guid = "x"; }},
        {"file_path", [](TrackRecord& t) { t.file_path = "x"; }},
        {"title", [](TrackRecord& t) { t.title = "x"; }},
        {"artist", [](TrackRecord& t) { t.artist = "x"; }},
        {"artist_key", [](TrackRecord& t) { t.artist_key = "x"; }},
        {"album", [](TrackRecord& t) { t.album = "x"; }},
        {"album_key", [](TrackRecord& t) { t.album_key = "x"; }},
        {"album_artist", [](TrackRecord& t) { t.album_artist = "x"; }},
        {"genres order", [](TrackRecord& t) { t.genres = {"Blues", "Rock"}; }},
        {"genres split", [](TrackRecord& t) { t.genres = {"RockBlues"}; }},
        {"track_number", [](TrackRecord& t) { t.track_number = 2; }},
        {"disc_number", [](TrackRecord& t) { t.disc_number = 2; }},
        {"duration_ms", [](TrackRecord& t) { t.duration_ms = 1; }},
        {"year", [](TrackRecord& t) { t.year = 1972; }},
        {"user_rating", [](TrackRecord& t) { t.user_rating = 9; }},
        {"play_count", [](TrackRecord& t) { t.play_count = 4; }},
        {"last_played_at", [](TrackRecord& t) { t.last_played_at = 1; }},
        {"added_at", [](TrackRecord& t) { t.added_at = 1; }},
        {"updated_at", [](TrackRecord& t) { t.updated_at = 1; }},
        {"title/artist boundary", [](TrackRecord& t) { t.title += t.artist.substr(0, 1); t.artist.erase(0, 1); }},
    };
    for (const auto& [field, change] : changes) {
        INFO(field);
        TrackRecord changed = base;
        change(changed);
        CHECK(track_content_hash(changed) != base_hash);
    }
    // A value behind a clear PMX_TRACK_HAS_* bit is not data: it does not change the hash.
    TrackRecord unrated = base;
    unrated.has &= ~PMX_TRACK_HAS_RATING;
    TrackRecord unrated_other = unrated;
    unrated_other.user_rating = 3;
    CHECK(track_content_hash(unrated) == track_content_hash(unrated_other));
}

TEST_CASE("favourites and recording ids (ABI 1.4): stored when given, NULL when not, cleared when unlisted",
          "[store][writer]") {
    auto store = Store::open_in_memory();
    const int64_t server = add_server(*store);
    TrackRecord plex_like = sample_track("1", "No Favourites Here");
    TrackRecord liked = sample_track("2", "Liked");
    liked.has |= PMX_TRACK_HAS_FAVOURITE;
    liked.favourite = true;
    liked.recording_mbid = "0b0e1e6e-1d3c-4c9a-9a5e-3f2b1c0d9e8f";
    TrackRecord not_liked = sample_track("3", "Not Liked");
    not_liked.has |= PMX_TRACK_HAS_FAVOURITE;
    write_tracks(*store, server, {plex_like, liked, not_liked});
    CHECK(scalar(*store, "SELECT count(*) FROM tracks WHERE native_key = '1' AND is_favourite IS NULL") == 1);
    CHECK(scalar(*store, "SELECT is_favourite FROM tracks WHERE native_key = '2'") == 1);
    CHECK(scalar(*store, "SELECT is_favourite FROM tracks WHERE native_key = '3'") == 0);
    CHECK(text_scalar(*store, "SELECT recording_mbid FROM tracks WHERE native_key = '2'") == liked.recording_mbid);
    CHECK(scalar(*store, "SELECT count(*) FROM tracks WHERE recording_mbid IS NULL") == 2);

    // The flag counts in the content hash only when given: a track without it (every Plex
    // track) keeps the hash it had before ABI 1.4, and is not rewritten.
    TrackRecord flag_without_bit = plex_like;
    flag_without_bit.favourite = true;
    CHECK(track_content_hash(flag_without_bit) == track_content_hash(plex_like));
    TrackRecord unliked = liked;
    unliked.favourite = false;
    CHECK(track_content_hash(unliked) != track_content_hash(liked));

    // The favourites list of an incremental sync holds track 3 and no longer track 2: the
    // flags follow and those rows' next records are written in full; a key this run wrote
    // (its record carried its flag) is left alone.
    {
        Store::Transaction tx(*store);
        TrackWriter writer(tx, server);
        CHECK(writer.sync_favourites({"3"}, {"1"}) == 2);
        CHECK(writer.sync_favourites({"3"}, {"1"}) == 0);  // agrees already
        tx.commit();
    }
    CHECK(scalar(*store, "SELECT is_favourite FROM tracks WHERE native_key = '2'") == 0);
    CHECK(scalar(*store, "SELECT is_favourite FROM tracks WHERE native_key = '3'") == 1);
    CHECK(scalar(*store, "SELECT count(*) FROM tracks WHERE native_key = '1' AND is_favourite IS NULL") == 1);
    CHECK(scalar(*store, "SELECT count(*) FROM tracks WHERE native_key IN ('2', '3') AND content_hash IS NULL") == 2);
    CHECK(write_track(*store, server, unliked).outcome == UpsertOutcome::updated);
    CHECK(write_track(*store, server, unliked).outcome == UpsertOutcome::unchanged);
    CHECK(store->integrity_problems().empty());
}

namespace {

// name -> CREATE statement of every index the schema declares (autoindexes have no SQL).
std::map<std::string, std::string> declared_indexes(Store& store) {
    sql::Statement query(store.native_handle(),
                         "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL ORDER BY name");
    std::map<std::string, std::string> indexes;
    while (query.step()) indexes.emplace(query.text(0), query.text(1));
    return indexes;
}

}  // namespace

TEST_CASE("a first load into an empty mirror indexes once at commit, and ends with the same indexes", "[store][writer]") {
    auto store = Store::open_in_memory();
    const int64_t server = add_server(*store);
    const auto before = declared_indexes(*store);
    REQUIRE(before.count("tracks_album") == 1);
    {
        Store::Transaction tx(*store);
        TrackWriter writer(tx, server);
        for (int i = 0; i < 30; ++i) writer.upsert(sample_track(std::to_string(i), "Title " + std::to_string(i)));
        // During the load: the secondary indexes of tracks are not kept row by row.
        CHECK(declared_indexes(*store).count("tracks_album") == 0);
        tx.commit();
    }
    CHECK(declared_indexes(*store) == before);
    CHECK(store->integrity_problems().empty());
    CHECK(fts_match(*store, "title:17").size() == 1);

    // A second load (the mirror has tracks now) keeps every index as it is.
    Store::Transaction tx(*store);
    TrackWriter writer(tx, server);
    writer.upsert(sample_track("100"));
    CHECK(declared_indexes(*store) == before);
    tx.commit();
}

TEST_CASE("a first load rolled back leaves the indexes as they were", "[store][writer]") {
    auto store = Store::open_in_memory();
    const int64_t server = add_server(*store);
    const auto before = declared_indexes(*store);
    {
        Store::Transaction tx(*store);
        TrackWriter writer(tx, server);
        writer.upsert(sample_track("1"));
        REQUIRE(declared_indexes(*store) != before);
    }  // rolled back
    CHECK(declared_indexes(*store) == before);
    CHECK_FALSE(store->has_tracks(server));
    // The next transaction loads and commits as a first load again.
    Store::Transaction tx(*store);
    TrackWriter writer(tx, server);
    writer.upsert(sample_track("1"));
    tx.commit();
    CHECK(declared_indexes(*store) == before);
    CHECK(store->integrity_problems().empty());
}
