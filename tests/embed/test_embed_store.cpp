// The embeddings store module, the track text and its hash, the index files, the fusion.
#include <filesystem>
#include <fstream>

#include "embed/model_index.hpp"
#include "embed/track_text.hpp"
#include "embed_support.hpp"
#include "search/hybrid_search.hpp"
#include "store/embeddings_store.hpp"
#include "store/track_search.hpp"
#include "support/index_format1.hpp"
#include "support/test_util.hpp"

namespace fs = std::filesystem;
using namespace pmx;
using namespace pmx::test;

namespace {

// n unit vectors of `dim` floats: vector i has a 1 at component i % dim.
std::vector<float> unit_rows(size_t n, uint32_t dim, size_t offset = 0) {
    std::vector<float> rows(n * dim, 0.0f);
    for (size_t i = 0; i < n; ++i) rows[i * dim + (i + offset) % dim] = 1.0f;
    return rows;
}

std::vector<uint64_t> hashes_of(size_t n, uint64_t base) {
    std::vector<uint64_t> out;
    for (size_t i = 0; i < n; ++i) out.push_back(base + i);
    return out;
}

std::vector<int64_t> all_track_ids(Store& store) { return EmbeddingStore(store).track_ids(); }

}  // namespace

TEST_CASE("the track text reads as one line of prose, and its hash is stable", "[embed][text]") {
    TrackTextSource t;
    t.track_id = 1;
    t.title = "Jóga";
    t.artist = "Björk";
    t.album = "Homogenic";
    t.genres = {"Electronic", "Art Pop"};
    t.year = 1997;
    CHECK(track_text(t) == "Jóga by Björk, from the album Homogenic (1997). Genres: Electronic, Art Pop.");
    t.tags = {"melancholic", "strings"};
    CHECK(track_text(t) ==
          "Jóga by Björk, from the album Homogenic (1997). Genres: Electronic, Art Pop. Tags: melancholic, strings.");

    TrackTextSource bare;
    bare.title = "Untitled";
    CHECK(track_text(bare) == "Untitled.");
    bare.genres = {"Ambient"};
    CHECK(track_text(bare) == "Untitled. Genres: Ambient.");

    // The same text gives the same hash on every build (a fixed FNV-1a value), another text
    // another hash.
    CHECK(text_hash("Untitled.") == text_hash(std::string("Untitled.")));
    CHECK(text_hash("Untitled.") != text_hash("Untitled!"));
    CHECK(text_hash("") == 0xce21c4f1b07ed34eull);  // FNV-1a 64 of "pmx-track-text/1\n"
}

TEST_CASE("vectors are stored per model, tracks deleted take their vectors, a new dimension re-creates the model",
          "[embed][store]") {
    TempDir dir;
    auto store = Store::open(dir / "plexmix.db");
    add_tracks(*store, genre_tracks(6));
    EmbeddingStore embeddings(*store);
    const auto ids = all_track_ids(*store);
    REQUIRE(ids.size() == 6);

    const EmbeddingModel a = embeddings.ensure_model("model-a", 4);
    const EmbeddingModel b = embeddings.ensure_model("model-b", 8);
    CHECK(embeddings.put_vectors(a, ids, hashes_of(6, 100), unit_rows(6, 4)) == 1);
    CHECK(embeddings.put_vectors(b, std::span(ids).first(3), hashes_of(3, 200), unit_rows(3, 8)) == 1);
    CHECK(embeddings.count(a.id) == 6);
    CHECK(embeddings.count(b.id) == 3);
    CHECK(embeddings.text_hashes(a.id).at(ids[2]) == 102);
    CHECK(*embeddings.vector(a, ids[1]) == std::vector<float>{0, 1, 0, 0});

    // Re-embedding replaces in place and takes the next seq.
    CHECK(embeddings.put_vectors(a, std::span(ids).first(1), hashes_of(1, 900), unit_rows(1, 4, 3)) == 2);
    CHECK(embeddings.count(a.id) == 6);
    CHECK(*embeddings.vector(a, ids[0]) == std::vector<float>{0, 0, 0, 1});
    CHECK(embeddings.model(a.id)->last_seq == 2);

    // A track deleted before its batch is stored is skipped, not a failure.
    store->delete_tracks({ids[5]});
    CHECK(embeddings.count(a.id) == 5);  // cascade
    CHECK(embeddings.count(b.id) == 3);
    CHECK(embeddings.put_vectors(a, std::span(ids).subspan(4, 2), hashes_of(2, 300), unit_rows(2, 4)) == 3);
    CHECK(embeddings.count(a.id) == 5);
    CHECK(store->integrity_problems().empty());

    // Same name, new dimension: the old vectors go, the model is a new row.
    bool replaced = false;
    const EmbeddingModel a2 = embeddings.ensure_model("model-a", 6, &replaced);
    CHECK(replaced);
    CHECK(a2.id != a.id);
    CHECK(a2.dim == 6);
    CHECK(embeddings.count(a2.id) == 0);
    CHECK(embeddings.count(b.id) == 3);  // other models keep theirs
    CHECK(embeddings.models().size() == 2);
}

TEST_CASE("an index file follows the store incrementally and is rebuilt, with a note, when it cannot",
          "[embed][index]") {
    TempDir dir;
    auto store = Store::open(dir / "plexmix.db");
    add_tracks(*store, genre_tracks(10));
    EmbeddingStore embeddings(*store);
    const auto ids = all_track_ids(*store);
    const EmbeddingModel model = embeddings.ensure_model("model-a", 4);
    embeddings.put_vectors(model, ids, hashes_of(10, 1), unit_rows(10, 4));
    const fs::path file = index_file(vectors_dir(dir.path()), model.name);

    // First open: no file yet → built and saved. Nothing went wrong, so nothing is noted (a
    // first embedding must not read as a repair).
    OpenedIndex first = open_model_index(*store, model, file);
    CHECK(first.built);
    CHECK_FALSE(first.rebuilt);
    CHECK(first.saved);
    CHECK(first.index->size() == 10);
    CHECK(first.notes.empty());
    CHECK(fs::exists(file));
    CHECK(inspect_model_index(*store, model, file).up_to_date);

    SECTION("unchanged: loaded as it is, not rewritten") {
        const OpenedIndex again = open_model_index(*store, model, file);
        CHECK_FALSE(again.built);
        CHECK_FALSE(again.rebuilt);
        CHECK_FALSE(again.saved);
        CHECK(again.notes.empty());
        CHECK(again.index->size() == 10);
        CHECK(again.index->mapped());  // searched in place in the file
    }
    SECTION("a damaged vector under a sound header: found before a change, rebuilt with a note") {
        std::fstream bytes(file, std::ios::binary | std::ios::in | std::ios::out);
        bytes.seekp(-1, std::ios::end);  // the file ends with the vectors
        bytes.put('\x55');
        bytes.close();
        embeddings.put_vectors(model, std::span(ids).subspan(2, 1), hashes_of(1, 50), unit_rows(1, 4, 1));
        const OpenedIndex rebuilt = open_model_index(*store, model, file);
        CHECK(rebuilt.rebuilt);
        REQUIRE(rebuilt.notes.size() == 1);
        CHECK_THAT(rebuilt.notes[0], Catch::Contains("data checksum") && Catch::Contains("rebuilt from 10"));
        std::string problem;
        const auto reloaded = vec::VectorIndex::load(file, &problem);
        REQUIRE(reloaded);
        CHECK(reloaded->verify(&problem));
    }
    SECTION("a file of the older floats-only format: used as it is, saved again in the current one") {
        test::Format1List all{ids, unit_rows(10, 4)};
        test::write_format1_index(file, 4, index_stamp(model, model.last_seq), {}, {all});
        const OpenedIndex upgraded = open_model_index(*store, model, file);
        CHECK_FALSE(upgraded.rebuilt);
        CHECK(upgraded.notes.empty());
        CHECK(upgraded.saved);
        CHECK(upgraded.index->outdated_file());  // this run's copy came from the old file
        std::string problem;
        const auto reloaded = vec::VectorIndex::load(file, &problem);
        REQUIRE(reloaded);
        CHECK(reloaded->mapped());
        CHECK_FALSE(reloaded->outdated_file());
        CHECK(reloaded->ids() == ids);
    }
    SECTION("deleted tracks and new vectors: updated in place, no rebuild") {
        store->delete_tracks({ids[0], ids[1]});
        const std::vector<float> fresh{0.6f, 0.8f, 0.0f, 0.0f};  // closer to it than to any basis vector
        embeddings.put_vectors(model, std::span(ids).subspan(2, 1), hashes_of(1, 50), fresh);
        CHECK_FALSE(inspect_model_index(*store, model, file).up_to_date);
        const OpenedIndex updated = open_model_index(*store, model, file);
        CHECK_FALSE(updated.rebuilt);
        CHECK(updated.saved);
        CHECK(updated.notes.empty());
        CHECK(updated.index->ids() == embeddings.ids(model.id));
        const auto hits = updated.index->search(fresh, 1);
        REQUIRE(hits.size() == 1);
        CHECK(hits[0].id == ids[2]);  // its new vector, not the old one
        CHECK(inspect_model_index(*store, model, file).up_to_date);
    }
    SECTION("deleted tracks alone (the seq does not move): their vectors leave the index") {
        store->delete_tracks({ids[4]});
        const OpenedIndex updated = open_model_index(*store, model, file);
        CHECK_FALSE(updated.rebuilt);
        CHECK(updated.saved);
        CHECK(updated.index->size() == 9);
        CHECK_FALSE(updated.index->contains(ids[4]));
        CHECK(inspect_model_index(*store, model, file).up_to_date);
    }
    SECTION("deleted: built again from the stored vectors, quietly (it is derived data)") {
        fs::remove(file);
        const OpenedIndex built = open_model_index(*store, model, file);
        CHECK(built.built);
        CHECK_FALSE(built.rebuilt);
        CHECK(built.notes.empty());
        CHECK(built.index->size() == 10);
    }
    SECTION("a truncated file: rebuilt with a note") {
        fs::resize_file(file, fs::file_size(file) / 2);
        CHECK_FALSE(inspect_model_index(*store, model, file).present);
        const OpenedIndex rebuilt = open_model_index(*store, model, file);
        CHECK(rebuilt.rebuilt);
        CHECK_FALSE(rebuilt.built);
        REQUIRE(rebuilt.notes.size() == 1);
        CHECK_THAT(rebuilt.notes[0], Catch::Contains("could not be read") && Catch::Contains("rebuilt from 10"));
        CHECK(rebuilt.index->size() == 10);
        CHECK(inspect_model_index(*store, model, file).up_to_date);
    }
    SECTION("garbage: rebuilt with a note") {
        std::ofstream(file, std::ios::binary | std::ios::trunc) << "not an index at all";
        const OpenedIndex rebuilt = open_model_index(*store, model, file);
        CHECK(rebuilt.rebuilt);
        CHECK(rebuilt.notes.size() == 1);
    }
    SECTION("another dimension: rebuilt with a note") {
        auto other = vec::VectorIndex::create(8);
        other->set_stamp(index_stamp(model, model.last_seq));
        other->save(file);
        const OpenedIndex rebuilt = open_model_index(*store, model, file);
        CHECK(rebuilt.rebuilt);
        REQUIRE(rebuilt.notes.size() == 1);
        CHECK_THAT(rebuilt.notes[0], Catch::Contains("has dimension 8, the model 4"));
        CHECK(rebuilt.index->dim() == 4);
    }
    SECTION("a stamp ahead of the database: rebuilt") {
        first.index->set_stamp(index_stamp(*embeddings.model(model.id), 99));
        first.index->save(file);
        const OpenedIndex rebuilt = open_model_index(*store, model, file);
        CHECK(rebuilt.rebuilt);
        CHECK_THAT(rebuilt.notes.at(0), Catch::Contains("ahead of the database"));
    }
    SECTION("ids that disagree under a right stamp: rebuilt") {
        first.index->remove(std::vector<int64_t>{ids[3]});
        first.index->save(file);
        const OpenedIndex rebuilt = open_model_index(*store, model, file);
        CHECK(rebuilt.rebuilt);
        CHECK_THAT(rebuilt.notes.at(0), Catch::Contains("disagreed with the database (9 vectors against 10 stored)"));
        CHECK(rebuilt.index->size() == 10);
    }
}

TEST_CASE("index file names: one per model name, safe characters only", "[embed][index]") {
    const fs::path dir = "/data/vectors";
    const fs::path a = index_file(dir, "toy-hash-64");
    CHECK(a.parent_path() == dir);
    CHECK(a.filename().string().rfind("toy-hash-64-", 0) == 0);
    CHECK(a.extension() == ".index");
    CHECK(index_file(dir, "../../etc/Model X").filename().string().find('/') == std::string::npos);
    CHECK(index_file(dir, "Model X") != index_file(dir, "model-x"));
}

TEST_CASE("keyword queries quote every word, fusion prefers what both rankings found", "[embed][search]") {
    CHECK(fts_any_word_query("jazz") == "\"jazz\"");
    CHECK(fts_any_word_query("  rainy AND \"sunday\" NEAR( title:jazz*") ==
          "\"rainy\" OR \"AND\" OR \"sunday\" OR \"NEAR\" OR \"title\" OR \"jazz\"");
    CHECK(fts_any_word_query("Sigur Rós").find("\"Rós\"") != std::string::npos);
    CHECK(fts_any_word_query(" -- ** ").empty());

    const auto fused = fuse_rankings({1, 2, 3}, {3, 4, 1});
    REQUIRE(fused.size() == 4);
    CHECK(fused[0].first == 1);  // 1st and 3rd
    CHECK(fused[1].first == 3);  // 3rd and 1st: same sum, then by id
    CHECK(fused[0].second == Approx(fused[1].second));
    CHECK(fused[2].first == 2);  // 2nd in one ranking beats ...
    CHECK(fused[3].first == 4);  // ... 2nd in the other, by id
    CHECK(fused[0].second <= 1.0);
    const auto single = fuse_rankings({7}, {});
    REQUIRE(single.size() == 1);
    CHECK(single[0].second == Approx(1.0));
}

TEST_CASE("keyword search ranks by bm25 and honours candidates", "[embed][search]") {
    auto store = Store::open_in_memory();
    add_tracks(*store, {make_track("1", "Blue in Green", {"Jazz"}), make_track("2", "Iron Man", {"Metal"}),
                        make_track("3", "Jazz Jazz Jazz", {"Jazz"}), make_track("4", "So What", {"Jazz"})});
    const auto ids = all_track_ids(*store);
    const auto jazz = keyword_search(*store, "jazz", 10);
    REQUIRE(jazz.size() == 3);
    CHECK(jazz[0] == ids[2]);  // the word in title and genres
    const std::vector<int64_t> candidates{ids[0], ids[1]};
    CHECK(keyword_search(*store, "jazz", 10, &candidates) == std::vector<int64_t>{ids[0]});
    CHECK(keyword_search(*store, "AND OR NOT", 10).empty());  // words, not syntax
    const auto rows = track_rows(*store, {ids[3], 999999, ids[1]});
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].title == "So What");
    CHECK(rows[1].genres == "Metal");
    CHECK(rows[1].year == 1999);
}
