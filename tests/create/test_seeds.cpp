// Seeds in create: "songs like TITLE by ARTIST" and "in the spirit of ARTIST" start the search
// from the stored vectors of that track or artist (with the mood words, half each), leave the
// seed track itself out, and filter nothing; without vectors the seeds' genres rank.
#include <algorithm>
#include <cmath>
#include <set>

#include "create_support.hpp"
#include "store/embeddings_store.hpp"
#include "store/sqlite.hpp"
#include "store/track_filter.hpp"
#include "store/track_writer.hpp"
#include "util/text.hpp"

using namespace pmx;
using namespace pmx::test;

namespace {

constexpr size_t kLibrary = 600;

int64_t track_id(Store& store, const std::string& key) {
    sql::Statement q(store.native_handle(), "SELECT id FROM tracks WHERE native_key = ?1");
    q.bind(1, key);
    REQUIRE(q.step());
    return q.int64(0);
}

std::vector<float> stored(Store& store, int64_t id) {
    const EmbeddingStore embeddings(store);
    const auto model = embeddings.models().at(0);
    auto v = embeddings.vector(model, id);
    REQUIRE(v);
    return *v;
}

double cosine(const std::vector<float>& a, const std::vector<float>& b) {
    REQUIRE(a.size() == b.size());
    double ab = 0, aa = 0, bb = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        ab += static_cast<double>(a[i]) * b[i];
        aa += static_cast<double>(a[i]) * a[i];
        bb += static_cast<double>(b[i]) * b[i];
    }
    return ab / std::sqrt(aa * bb);
}

std::vector<float> normalised_sum(const std::vector<std::vector<float>>& vectors) {
    std::vector<float> sum(vectors.at(0).size(), 0.0f);
    for (const auto& v : vectors) {
        double norm = 0;
        for (const float x : v) norm += static_cast<double>(x) * x;
        for (size_t d = 0; d < v.size(); ++d) sum[d] += static_cast<float>(v[d] / std::sqrt(norm));
    }
    return sum;
}

}  // namespace

TEST_CASE("create: songs like TITLE by ARTIST search from that track's vector and leave it out",
          "[create][pipeline][seeds]") {
    Mirror mirror(kLibrary);
    const int64_t seed = track_id(*mirror.store, "10001");  // "sunny street 1" by Artist 1
    const auto ctx = mirror.run("songs like Sunny Street 1 by artist 1");
    INFO(join(ctx.notes, "\n"));
    REQUIRE(ctx.seeds.size() == 1);
    CHECK(ctx.seeds[0].is_track);
    CHECK(ctx.seeds[0].tracks == std::vector<int64_t>{seed});
    CHECK(ctx.filters.empty());  // the artist of a seed is no filter
    CHECK(ctx.ranking_method == "similarity (toy-hash-64) to the seeds");
    // The query is the seed's own vector, and the first ranked track its nearest candidate.
    CHECK(cosine(ctx.query_vector, stored(*mirror.store, seed)) > 0.9999);
    REQUIRE_FALSE(ctx.ranking.empty());
    double best = -2;
    for (const auto& c : ctx.candidates) best = std::max(best, cosine(stored(*mirror.store, c.id), stored(*mirror.store, seed)));
    CHECK(std::abs(*ctx.ranking[0].similarity - best) < 0.01);
    CHECK(std::none_of(ctx.candidates.begin(), ctx.candidates.end(), [&](const Candidate& c) { return c.id == seed; }));
    CHECK(std::none_of(ctx.tracks.begin(), ctx.tracks.end(), [&](const auto& e) { return e.track.id == seed; }));
    CHECK(ctx.tracks.size() == static_cast<size_t>(gen::kDefaultTrackCount));
}

TEST_CASE("create: in the spirit of ARTIST searches from the mean of the artist's vectors, filtering nothing",
          "[create][pipeline][seeds]") {
    Mirror mirror(kLibrary);
    const auto ctx = mirror.run("a playlist in the spirit of Artist 4, 20 songs");
    INFO(join(ctx.notes, "\n"));
    REQUIRE(ctx.seeds.size() == 1);
    CHECK_FALSE(ctx.seeds[0].is_track);
    // Artist 4's tracks: albums 4, 34, 64, 94 (album % 30 == 4), 5 tracks each in 600.
    std::vector<std::vector<float>> vectors;
    for (size_t i = 0; i < kLibrary; ++i) {
        if ((i % 120) % 30 == 4) vectors.push_back(stored(*mirror.store, track_id(*mirror.store, std::to_string(10000 + i))));
    }
    CHECK(ctx.seeds[0].tracks.size() == vectors.size());
    std::vector<float> mean(vectors[0].size(), 0.0f);
    for (const auto& v : vectors) {
        for (size_t d = 0; d < v.size(); ++d) mean[d] += v[d];
    }
    CHECK(cosine(ctx.query_vector, mean) > 0.9999);
    CHECK(ctx.filters.empty());
    CHECK(ctx.candidates.size() == kLibrary);
    CHECK(ctx.tracks.size() == 20);
    // Capped like any artist: at most 3 of the artist's own tracks.
    CHECK(std::count_if(ctx.tracks.begin(), ctx.tracks.end(), [](const auto& e) { return e.track.artist == "Artist 4"; }) <= 3);
}

TEST_CASE("create: a seed with mood words searches from both, half each", "[create][pipeline][seeds]") {
    Mirror mirror(kLibrary);
    const int64_t seed = track_id(*mirror.store, "10001");
    const auto ctx = mirror.run("songs like sunny street 1 by Artist 1 but mellow and slow");
    INFO(join(ctx.notes, "\n"));
    REQUIRE(ctx.seeds.size() == 1);
    CHECK(ctx.request.mood_query == "mellow slow");
    std::vector<float> mood;
    REQUIRE(mirror.embedder->embed({ctx.request.mood_query}, PMX_EMBED_QUERY, &mood).ok());
    CHECK(cosine(ctx.query_vector, normalised_sum({stored(*mirror.store, seed), mood})) > 0.9999);
    CHECK(ctx.ranking_method == "similarity (toy-hash-64) to the seeds and the mood words");
}

TEST_CASE("create: a title the artist does not have seeds from the artist, said, and without vectors the seeds genres rank",
          "[create][pipeline][seeds]") {
    {
        Mirror mirror(kLibrary);
        const auto ctx = mirror.run("songs like Nothing Here by Artist 2");
        REQUIRE(ctx.seeds.size() == 1);
        CHECK_FALSE(ctx.seeds[0].is_track);
        CHECK(join(ctx.notes, "\n").find("no track \"Nothing Here\" by Artist 2 in the library") != std::string::npos);
    }
    Mirror plain(kLibrary, false);
    const auto ctx = plain.run("songs like sunny street 1 by Artist 1");  // album 1: Rock
    INFO(join(ctx.notes, "\n"));
    REQUIRE(ctx.seeds.size() == 1);
    CHECK(ctx.ranking_method == "keyword matches, then rating");
    REQUIRE(ctx.tracks.size() == static_cast<size_t>(gen::kDefaultTrackCount));
    for (const auto& e : ctx.tracks) CHECK(e.track.genres.find("Rock") != std::string::npos);
}

TEST_CASE("create: favourites are the tracks the server flags and those rated 4 stars or more", "[create][pipeline][favourites]") {
    std::vector<TrackRecord> flagged;
    for (size_t i = 0; i < 3; ++i) {
        TrackRecord t = library_track(kLibrary + i);
        t.has |= PMX_TRACK_HAS_FAVOURITE;
        t.favourite = true;
        t.user_rating = 2;  // one star: a favourite by its flag only
        flagged.push_back(t);
    }
    TrackRecord unflagged = library_track(kLibrary + 3);
    unflagged.has |= PMX_TRACK_HAS_FAVOURITE;
    unflagged.favourite = false;
    unflagged.user_rating = 4;
    flagged.push_back(unflagged);
    Mirror mirror(kLibrary, false, flagged);
    std::set<std::string> expected;
    for (size_t i = 0; i < kLibrary; ++i) {
        if (i % 11 >= 8) expected.insert(std::to_string(10000 + i));  // rated 4 stars or more
    }
    for (size_t i = 0; i < 3; ++i) expected.insert(std::to_string(10000 + kLibrary + i));
    const auto keys_of = [&](const gen::GenerateContext& ctx) {
        std::set<std::string> keys;
        std::vector<int64_t> ids;
        for (const auto& c : ctx.candidates) ids.push_back(c.id);
        for (const auto& d : track_details(*mirror.store, ids)) keys.insert(d.native_key);
        return keys;
    };
    const auto prompted = mirror.run("my favourites");
    CHECK(prompted.request.favourites);
    CHECK(prompted.request.min_rating == 0);
    CHECK(keys_of(prompted) == expected);
    gen::CliOptions options;
    options.favourites = true;
    CHECK(keys_of(mirror.run("mellow songs", options)) == expected);
}

TEST_CASE("create: the same recording on another server is found by MusicBrainz id, else by artist, title, album and length",
          "[create][pipeline][servers]") {
    auto store = Store::open_in_memory();
    const int64_t a = store->upsert_server("home", "plex", ServerInfo{"machine-a", "A", "1.0", "Plex"}, "");
    const int64_t b = store->upsert_server("jelly", "jellyfin", ServerInfo{"machine-b", "B", "10.10", "Jellyfin"}, "");
    const auto add = [&](int64_t server, const std::string& key, const std::string& title, uint64_t ms,
                         const std::string& mbid) {
        TrackRecord t = library_track(1);
        t.key = key;
        t.guid = "guid-" + key;
        t.file_path = "/music/" + key + ".flac";  // each its own file: no re-key is read into it
        t.title = title;
        t.duration_ms = ms;
        t.recording_mbid = mbid;
        Store::Transaction transaction(*store);
        TrackWriter writer(transaction, server);
        const int64_t id = writer.upsert(t).track_id;
        transaction.commit();
        return id;
    };
    const int64_t with_id = add(a, "a1", "Blue Train", 300'000, "4c6e5f3a-0000-4000-8000-000000000001");
    const int64_t same_id = add(b, "b1", "Blue Train (2003 Remaster)", 290'000, "4c6e5f3a-0000-4000-8000-000000000001");
    const int64_t plain = add(a, "a2", "Moment's Notice", 400'000, "");
    const int64_t close = add(b, "b2", "Moment\u2019s Notice", 401'500, "");
    const int64_t far = add(a, "a3", "Lazy Bird", 300'000, "");
    add(b, "b3", "Lazy Bird", 303'000, "");
    const auto detail = [&](int64_t id) { return track_details(*store, {id}).at(0); };
    CHECK(gen::same_recording_on(*store, b, detail(with_id)) == same_id);   // the id decides, whatever the title
    CHECK(gen::same_recording_on(*store, b, detail(plain)) == close);       // names fold, 1.5 s apart
    CHECK_FALSE(gen::same_recording_on(*store, b, detail(far)).has_value());  // 3 s apart: another recording
}
