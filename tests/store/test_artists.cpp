// Artists of the mirror: album artists by the server's key, track artists (Plex originalTitle)
// by name; both found by name (artist_names, filter_tracks) and pruned when nothing credits them.
#include "store/track_filter.hpp"
#include "support.hpp"

using namespace pmx;
using namespace pmx::test;

namespace {

// A track whose artist is not the album artist, as Plex sends one with an originalTitle.
TrackRecord featuring(const std::string& key, const std::string& track_artist) {
    TrackRecord track = sample_track(key);
    track.artist = track_artist;  // album_artist stays "The Band", artist_key "artist-1"
    return track;
}

// A compilation track: filed under "Various Artists", performed by `performer`.
TrackRecord compilation(const std::string& key, const std::string& performer) {
    TrackRecord track = sample_track(key);
    track.artist = performer;
    track.artist_key = "artist-va";
    track.album_artist = "Various Artists";
    track.album = "Summer Hits";
    track.album_key = "album-va";
    return track;
}

std::vector<std::string> artist_rows(Store& store, int64_t server) {
    sql::Statement query(store.native_handle(), "SELECT name FROM artists WHERE server_id = ?1 ORDER BY name");
    query.bind(1, server);
    std::vector<std::string> names;
    while (query.step()) names.push_back(query.text(0));
    return names;
}

std::vector<int64_t> ids_by(Store& store, int64_t server, const std::string& artist) {
    TrackFilter filter;
    filter.server_ids = {server};
    filter.artists = {artist};
    std::vector<int64_t> ids;
    for (const auto& c : filter_tracks(store, filter)) ids.push_back(c.id);
    return ids;
}

}  // namespace

TEST_CASE("every track artist is an artist of its server, named as the track credits it", "[store][artists]") {
    auto store = Store::open_in_memory();
    const int64_t home = add_server(*store);
    const int64_t cabin = add_server(*store, "cabin", "machine-2");
    const auto written = write_tracks(*store, home,
                                      {sample_track("1"), featuring("2", "The Band feat. Guest Singer"),
                                       compilation("3", "Solo Singer"), compilation("4", "The Band")});
    write_track(*store, cabin, sample_track("1"));

    // "The Band" twice: the album artist by its key, and the credit of the compilation track by
    // name (the server does not say that they are one artist); lists of names show it once.
    CHECK(artist_rows(*store, home) == std::vector<std::string>{"Solo Singer", "The Band", "The Band",
                                                                "The Band feat. Guest Singer", "Various Artists"});
    CHECK(artist_rows(*store, cabin) == std::vector<std::string>{"The Band"});  // per server, like album artists
    CHECK(artist_names(*store, {home}) ==
          std::vector<std::string>{"Solo Singer", "The Band", "The Band feat. Guest Singer", "Various Artists"});
    CHECK(artist_names(*store, {cabin}) == std::vector<std::string>{"The Band"});

    // The names find the tracks that credit them.
    CHECK(ids_by(*store, home, "Solo Singer") == std::vector<int64_t>{written[2].track_id});
    CHECK(ids_by(*store, home, "The Band feat. Guest Singer") == std::vector<int64_t>{written[1].track_id});
    CHECK(ids_by(*store, cabin, "Solo Singer").empty());
    CHECK(ids_by(*store, home, "The Band").size() == 3);
    CHECK(store->integrity_problems().empty());

    // Written again unchanged: nothing new.
    write_tracks(*store, home, {featuring("2", "The Band feat. Guest Singer"), compilation("3", "Solo Singer")});
    CHECK(scalar(*store, "SELECT count(*) FROM artists") == 6);
}

TEST_CASE("a track artist that no track credits any more is pruned like other artists", "[store][artists]") {
    auto store = Store::open_in_memory();
    const int64_t server = add_server(*store);
    const auto written = write_tracks(*store, server,
                                      {sample_track("1"), featuring("2", "The Band feat. Guest Singer"),
                                       compilation("3", "Solo Singer"), compilation("4", "Duo")});

    // Track 2 now credits the album artist only; track 4 is gone.
    write_track(*store, server, sample_track("2"));
    CHECK(store->delete_tracks({written[3].track_id}) == 1);  // prunes as it goes
    CHECK(artist_rows(*store, server) == std::vector<std::string>{"Solo Singer", "The Band", "Various Artists"});

    // A rename is a new name: the old one goes at the next prune (the sync prunes after each run).
    write_track(*store, server, compilation("3", "Solo Singer & Band"));
    const PruneCounts pruned = store->prune_orphans();
    CHECK(pruned.artists == 1);
    CHECK(artist_rows(*store, server) == std::vector<std::string>{"Solo Singer & Band", "The Band", "Various Artists"});
    CHECK(artist_names(*store, {server}) == artist_rows(*store, server));
    CHECK(store->integrity_problems().empty());

    // The album artist goes with the last track filed under it; the credit stays with its track.
    CHECK(store->delete_tracks({written[0].track_id, written[1].track_id}) == 2);
    CHECK(artist_rows(*store, server) == std::vector<std::string>{"Solo Singer & Band", "Various Artists"});
    CHECK(store->integrity_problems().empty());
}
