// The approximate (IVF) mode, switched on at a small threshold: the switch itself, recall
// against exact search on clustered data, upsert/remove in lists, candidate filters that still
// fill k, the round trip through a file (searched in place), the way back to exact, and the
// one-BLAS-thread policy of the training.
#include "support/test_util.hpp"
#include "vector/ivf_train.hpp"
#include "vector/vector_index.hpp"
#include "vector_data.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <string>

#include <dlfcn.h>

using pmx::vec::Hit;
using pmx::vec::IndexOptions;
using pmx::vec::VectorIndex;
namespace t = pmx::test;

namespace {

constexpr uint32_t kDim = 48;
constexpr size_t kThreshold = 2000;
constexpr size_t kRows = 6000;
constexpr size_t kClusters = 60;
constexpr size_t kQueries = 40;
constexpr size_t kK = 50;

IndexOptions small_threshold() {
    IndexOptions options;
    options.approximate_above = kThreshold;
    options.exact_candidates_below = 500;
    return options;
}

struct Fixture {
    std::vector<int64_t> ids = t::sparse_ids(kRows);
    std::vector<float> rows = t::clustered(kRows, kDim, kClusters, 17);
    std::vector<float> queries = t::clustered(kQueries, kDim, kClusters, 17 + 1);
    std::span<const float> query(size_t q) const { return {queries.data() + q * kDim, kDim}; }
};

// Mean recall@k of `index` against brute force over (ids, rows).
double mean_recall(const VectorIndex& index, const Fixture& f, std::span<const int64_t> ids,
                   std::span<const float> rows) {
    double sum = 0;
    for (size_t q = 0; q < kQueries; ++q)
        sum += t::recall(index.search(f.query(q), kK), t::brute_force(ids, rows, kDim, f.query(q), kK));
    return sum / kQueries;
}

}  // namespace

TEST_CASE("crossing the threshold switches to the approximate index", "[approximate]") {
    const Fixture f;
    auto index = VectorIndex::create(kDim, small_threshold());
    const size_t below = kThreshold - 1;
    index->upsert(std::span(f.ids).first(below), std::span(f.rows).first(below * kDim));
    REQUIRE_FALSE(index->approximate());
    index->upsert(std::span(f.ids).subspan(below), std::span(f.rows).subspan(below * kDim));
    REQUIRE(index->approximate());
    REQUIRE(index->size() == kRows);
    REQUIRE(index->ids() == f.ids);
}

TEST_CASE("approximate search: recall@50 against exact on clustered data", "[approximate]") {
    const Fixture f;
    auto index = VectorIndex::create(kDim, small_threshold());
    index->upsert(f.ids, f.rows);
    REQUIRE(index->approximate());
    // Deterministic for the fixed seeds; the automatic probe count is what users get.
    const double recall = mean_recall(*index, f, f.ids, f.rows);
    INFO("recall@50 " << recall);
    REQUIRE(recall >= 0.9);

    // Every hit carries its exact score, best first.
    const std::vector<Hit> hits = index->search(f.query(0), kK);
    REQUIRE(hits.size() == kK);
    for (size_t i = 1; i < hits.size(); ++i) REQUIRE(hits[i - 1].score >= hits[i].score);
    const auto truth = t::brute_force(f.ids, f.rows, kDim, f.query(0), kRows);
    for (const Hit& h : hits) {
        const auto same = std::find_if(truth.begin(), truth.end(), [&](const Hit& x) { return x.id == h.id; });
        REQUIRE(same != truth.end());
        REQUIRE(h.score == Approx(same->score).margin(1e-5));
    }

    SECTION("probing every list is exact") {
        IndexOptions all = small_threshold();
        all.probe = 1'000'000;
        auto exhaustive = VectorIndex::create(kDim, all);
        exhaustive->upsert(f.ids, f.rows);
        REQUIRE(exhaustive->approximate());
        for (size_t q = 0; q < 5; ++q)
            t::require_exact_top(exhaustive->search(f.query(q), kK),
                                 t::brute_force(f.ids, f.rows, kDim, f.query(q), kK));
    }
}

TEST_CASE("approximate index: upsert replaces, remove removes", "[approximate]") {
    const Fixture f;
    auto index = VectorIndex::create(kDim, small_threshold());
    index->upsert(f.ids, f.rows);
    REQUIRE(index->approximate());

    // Move row 0's id onto another cluster's vector: it must be found there, once.
    const std::vector<int64_t> moved = {f.ids[0]};
    std::span<const float> elsewhere(f.rows.data() + 4321 * kDim, kDim);
    index->upsert(moved, elsewhere);
    REQUIRE(index->size() == kRows);
    std::vector<Hit> hits = index->search(elsewhere, 2);
    REQUIRE(hits.size() == 2);
    REQUIRE(((hits[0].id == f.ids[0] && hits[1].id == f.ids[4321]) ||
             (hits[1].id == f.ids[0] && hits[0].id == f.ids[4321])));

    const std::vector<int64_t> gone = {f.ids[4321], f.ids[0], 77};
    REQUIRE(index->remove(gone) == 2);
    REQUIRE(index->size() == kRows - 2);
    hits = index->search(elsewhere, kK);
    for (const Hit& h : hits) REQUIRE((h.id != f.ids[0] && h.id != f.ids[4321]));
}

TEST_CASE("approximate index: candidates still fill k", "[approximate][candidates]") {
    const Fixture f;
    auto index = VectorIndex::create(kDim, small_threshold());
    index->upsert(f.ids, f.rows);
    REQUIRE(index->approximate());

    SECTION("few candidates (scored exactly), far from the query") {
        std::vector<int64_t> candidates(f.ids.begin() + 100, f.ids.begin() + 400);
        const auto hits = index->search(f.query(3), kK, &candidates);
        t::require_exact_top(hits, t::brute_force(f.ids, f.rows, kDim, f.query(3), kK, &candidates));
    }
    SECTION("many candidates (probed lists), far more than k of them") {
        std::vector<int64_t> candidates;
        for (size_t i = 0; i < kRows; i += 5) candidates.push_back(f.ids[i]);  // 1,200 > 500
        for (size_t q = 0; q < kQueries; ++q) {
            const auto hits = index->search(f.query(q), kK, &candidates);
            REQUIRE(hits.size() == kK);
            for (const Hit& h : hits)
                REQUIRE(std::find(candidates.begin(), candidates.end(), h.id) != candidates.end());
        }
    }
}

TEST_CASE("approximate index: file round trip keeps lists and results", "[approximate][file]") {
    const Fixture f;
    t::TempDir dir;
    auto index = VectorIndex::create(kDim, small_threshold());
    index->upsert(f.ids, f.rows);
    index->set_stamp("ivf");
    index->save(dir / "ivf.pmxvec");
    std::string problem;
    auto loaded = VectorIndex::load(dir / "ivf.pmxvec", &problem, small_threshold());
    INFO(problem);
    REQUIRE(loaded);
    REQUIRE(loaded->mapped());
    REQUIRE(loaded->approximate());
    REQUIRE(loaded->stamp() == "ivf");
    REQUIRE(loaded->ids() == f.ids);
    // Few candidates (scored exactly) and many (probed lists), unsorted, through the id table.
    std::vector<int64_t> few(f.ids.rbegin() + 100, f.ids.rbegin() + 400), many;
    for (size_t i = 0; i < kRows; i += 5) many.push_back(f.ids[i]);
    for (size_t q = 0; q < kQueries; ++q) {
        REQUIRE(t::ids_of(loaded->search(f.query(q), kK)) == t::ids_of(index->search(f.query(q), kK)));
        REQUIRE(t::ids_of(loaded->search(f.query(q), kK, &few)) == t::ids_of(index->search(f.query(q), kK, &few)));
        REQUIRE(t::ids_of(loaded->search(f.query(q), kK, &many)) == t::ids_of(index->search(f.query(q), kK, &many)));
    }
}

TEST_CASE("shrinking under half the threshold returns to exact search", "[approximate]") {
    const Fixture f;
    auto index = VectorIndex::create(kDim, small_threshold());
    index->upsert(f.ids, f.rows);
    REQUIRE(index->approximate());
    const size_t keep = kThreshold / 2 + 10;
    index->remove(std::span(f.ids).subspan(keep));
    REQUIRE(index->approximate());  // still above half the threshold
    index->remove(std::span(f.ids).subspan(kThreshold / 2 - 10, 20));
    REQUIRE_FALSE(index->approximate());
    REQUIRE(index->size() == kThreshold / 2 - 10);

    std::vector<int64_t> kept_ids(f.ids.begin(), f.ids.begin() + kThreshold / 2 - 10);
    std::span<const float> kept_rows(f.rows.data(), kept_ids.size() * kDim);
    for (size_t q = 0; q < 5; ++q)
        t::require_exact_top(index->search(f.query(q), kK), t::brute_force(kept_ids, kept_rows, kDim, f.query(q), kK));
}

TEST_CASE("one BLAS thread: OpenBLAS's idle workers are stopped, not left spinning", "[approximate][blas]") {
    // OpenBLAS (when it is the BLAS) starts a worker per extra core when loaded. How many threads
    // it uses now (1 if this process chose one already), or 1 without OpenBLAS.
    int blas_threads = 1;
    if (void* symbol = ::dlsym(RTLD_DEFAULT, "openblas_get_num_threads")) {
        int (*get_threads)() = nullptr;
        std::memcpy(&get_threads, &symbol, sizeof symbol);
        blas_threads = get_threads();
    }
    const bool user_chose = std::getenv("OPENBLAS_NUM_THREADS") != nullptr;
    auto threads = [] {
        return static_cast<int>(std::distance(std::filesystem::directory_iterator("/proc/self/task"), {}));
    };
    const int before = threads();
    pmx::vec::ivf::use_one_blas_thread();
    INFO("OpenBLAS threads " << blas_threads << ", process threads before " << before);
    REQUIRE(threads() == (user_chose ? before : before - (blas_threads - 1)));
}

TEST_CASE("plexmix's BLAS set-up has OpenBLAS run the kernels of this CPU's instruction set", "[approximate][blas]") {
    // OpenBLAS 0.3.21 picks kernels by CPU model and falls back to its SSE3 ones ("Prescott") on
    // models it does not know; USE-lite ran 4-5x slower there, IVF training 1.5x.
    pmx::vec::ivf::use_blas_kernels_for_this_cpu();
    const auto skip = [](const char* reason) { std::cout << "PMX_TEST_SKIPPED: " << reason << std::endl; };
    if (std::getenv("OPENBLAS_CORETYPE") != nullptr) return skip("OPENBLAS_CORETYPE is set: the user chose the kernels");
    void* symbol = ::dlsym(RTLD_DEFAULT, "openblas_get_corename");
    if (symbol == nullptr) return skip("the BLAS is not OpenBLAS");
    __builtin_cpu_init();
    if (!(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))) {
        return skip("this CPU has no AVX2: OpenBLAS's SSE3 kernels are the right ones");
    }
    char* (*corename)() = nullptr;
    std::memcpy(&corename, &symbol, sizeof symbol);
    const std::string core = corename();
    INFO("OpenBLAS core: " << core);
    CHECK(core != "Prescott");
}
