// The exact index: results against brute force, upsert replacing, remove, candidate filters
// (in memory and mapped from a file), wrong sizes, the empty index.
#include "support/test_util.hpp"
#include "vector/vector_index.hpp"
#include "vector_data.hpp"

#include <catch2/catch.hpp>

#include <stdexcept>

using pmx::vec::Hit;
using pmx::vec::VectorIndex;
namespace t = pmx::test;

namespace {

constexpr uint32_t kDim = 67;  // not a multiple of 8 or 16: the kernels' tails are exercised

struct Filled {
    std::vector<int64_t> ids;
    std::vector<float> rows;
    std::unique_ptr<VectorIndex> index;
};

Filled filled(size_t n, uint32_t dim = kDim, uint32_t seed = 7) {
    Filled f{t::sparse_ids(n), t::clustered(n, dim, 20, seed), VectorIndex::create(dim)};
    f.index->upsert(f.ids, f.rows);
    return f;
}

}  // namespace

TEST_CASE("exact search returns the brute-force top k, best first", "[exact]") {
    const Filled f = filled(3001);
    REQUIRE(f.index->size() == 3001);
    REQUIRE(f.index->dim() == kDim);
    REQUIRE_FALSE(f.index->approximate());
    const std::vector<float> queries = t::clustered(20, kDim, 20, 99);
    for (size_t q = 0; q < 20; ++q) {
        std::span<const float> query(queries.data() + q * kDim, kDim);
        for (size_t k : {size_t{1}, size_t{10}, size_t{50}}) {
            t::require_exact_top(f.index->search(query, k), t::brute_force(f.ids, f.rows, kDim, query, k));
        }
    }
}

TEST_CASE("a stored vector finds itself first with score 1", "[exact]") {
    const Filled f = filled(500);
    std::span<const float> row(f.rows.data() + 123 * kDim, kDim);
    const std::vector<Hit> hits = f.index->search(row, 1);
    REQUIRE(hits.size() == 1);
    REQUIRE(hits[0].id == f.ids[123]);
    REQUIRE(hits[0].score == Approx(1.0f).margin(1e-5));
}

TEST_CASE("k larger than the index returns everything, k = 0 returns nothing", "[exact]") {
    const Filled f = filled(30);
    const std::vector<float> query = t::clustered(1, kDim, 1, 5);
    REQUIRE(f.index->search(query, 100).size() == 30);
    REQUIRE(f.index->search(query, 0).empty());
}

TEST_CASE("an empty index answers with no hits", "[exact]") {
    auto index = VectorIndex::create(kDim);
    const std::vector<float> query = t::clustered(1, kDim, 1, 5);
    REQUIRE(index->size() == 0);
    REQUIRE(index->ids().empty());
    REQUIRE(index->search(query, 10).empty());
    const std::vector<int64_t> candidates = {1, 2, 3};
    REQUIRE(index->search(query, 10, &candidates).empty());
    REQUIRE(index->remove(candidates) == 0);
}

TEST_CASE("upsert of an existing id replaces its vector", "[exact]") {
    Filled f = filled(200);
    const std::vector<float> replacement = t::clustered(1, kDim, 1, 4242);
    const std::vector<int64_t> id = {f.ids[10]};
    f.index->upsert(id, replacement);
    REQUIRE(f.index->size() == 200);
    std::vector<Hit> hits = f.index->search(replacement, 1);
    REQUIRE(hits[0].id == f.ids[10]);
    REQUIRE(hits[0].score == Approx(1.0f).margin(1e-5));
    // The old vector is gone: searching for it no longer finds id 10 at score 1.
    std::span<const float> old_row(f.rows.data() + 10 * kDim, kDim);
    hits = f.index->search(old_row, 200);
    for (const Hit& h : hits)
        if (h.id == f.ids[10]) REQUIRE(h.score < 0.999f);

    SECTION("the same id twice in one batch: the last one wins") {
        std::vector<float> two = t::clustered(2, kDim, 2, 77);
        const std::vector<int64_t> twice = {5, 5};
        f.index->upsert(twice, two);
        REQUIRE(f.index->size() == 201);
        hits = f.index->search(std::span<const float>(two.data() + kDim, kDim), 1);
        REQUIRE(hits[0].id == 5);
        REQUIRE(hits[0].score == Approx(1.0f).margin(1e-5));
    }
}

TEST_CASE("remove drops the ids present and reports how many", "[exact]") {
    Filled f = filled(300);
    const std::vector<int64_t> gone = {f.ids[0], f.ids[299], f.ids[150], 5, f.ids[150]};
    REQUIRE(f.index->remove(gone) == 3);
    REQUIRE(f.index->size() == 297);
    REQUIRE_FALSE(f.index->contains(f.ids[0]));
    REQUIRE_FALSE(f.index->contains(f.ids[150]));
    REQUIRE(f.index->contains(f.ids[1]));

    std::vector<int64_t> kept_ids;
    std::vector<float> kept_rows;
    for (size_t i = 0; i < 300; ++i) {
        if (i == 0 || i == 150 || i == 299) continue;
        kept_ids.push_back(f.ids[i]);
        kept_rows.insert(kept_rows.end(), f.rows.begin() + static_cast<ptrdiff_t>(i * kDim),
                         f.rows.begin() + static_cast<ptrdiff_t>((i + 1) * kDim));
    }
    REQUIRE(f.index->ids() == kept_ids);  // ascending: sparse_ids are ascending
    std::span<const float> query(f.rows.data(), kDim);  // the removed row 0
    t::require_exact_top(f.index->search(query, 20), t::brute_force(kept_ids, kept_rows, kDim, query, 20));
}

TEST_CASE("ids() lists every id ascending", "[exact]") {
    auto index = VectorIndex::create(4);
    const std::vector<int64_t> ids = {30, -2, 7};
    const std::vector<float> rows = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0};
    index->upsert(ids, rows);
    REQUIRE(index->ids() == std::vector<int64_t>{-2, 7, 30});
}

TEST_CASE("candidates restrict the search and still fill k", "[exact][candidates]") {
    Filled f = filled(2000);
    const std::vector<float> query = t::clustered(1, kDim, 20, 7);  // same centres as the data
    // The same, searched in place in its file: ids are found through the file's id table.
    t::TempDir dir;
    if (GENERATE(false, true)) {
        f.index->save(dir / "exact.pmxvec");
        std::string problem;
        f.index = VectorIndex::load(dir / "exact.pmxvec", &problem);
        REQUIRE(f.index);
        REQUIRE(f.index->mapped());
    }

    // Every third id, unsorted, with a duplicate and ids the index does not hold.
    std::vector<int64_t> candidates;
    for (size_t i = 0; i < 2000; i += 3) candidates.push_back(f.ids[1999 - i]);
    candidates.push_back(f.ids[3]);
    candidates.push_back(-1);
    candidates.push_back(999'999);

    std::vector<int64_t> allowed(candidates);
    const std::vector<Hit> hits = f.index->search(query, 50, &candidates);
    t::require_exact_top(hits, t::brute_force(f.ids, f.rows, kDim, query, 50, &allowed));
    std::vector<int64_t> got = t::ids_of(hits);
    std::sort(got.begin(), got.end());
    REQUIRE(std::adjacent_find(got.begin(), got.end()) == got.end());  // no id twice

    SECTION("fewer candidates than k: all of them") {
        const std::vector<int64_t> few = {f.ids[1], f.ids[2], 4};
        REQUIRE(f.index->search(query, 50, &few).size() == 2);
    }
    SECTION("an empty candidate list: nothing") {
        const std::vector<int64_t> none;
        REQUIRE(f.index->search(query, 50, &none).empty());
    }
}

TEST_CASE("vectors and queries of the wrong size are refused", "[exact]") {
    auto index = VectorIndex::create(8);
    const std::vector<int64_t> ids = {1, 2};
    const std::vector<float> seven(7, 0.1f);
    const std::vector<float> fifteen(15, 0.1f);
    REQUIRE_THROWS_AS(index->upsert(ids, fifteen), std::invalid_argument);
    REQUIRE(index->size() == 0);
    REQUIRE_THROWS_AS(index->search(seven, 5), std::invalid_argument);
    REQUIRE_THROWS_AS(VectorIndex::create(0), std::invalid_argument);
}
