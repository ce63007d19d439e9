// Test data for the vector index: clustered, L2-normalised vectors (like real embeddings), and
// a brute-force reference search to compare against.
#pragma once

#include "vector/vector_index.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <span>
#include <vector>

#include <catch2/catch.hpp>

namespace pmx::test {

inline void normalise(std::span<float> v) {
    double sum = 0;
    for (float x : v) sum += double{x} * x;
    const float scale = sum > 0 ? static_cast<float>(1.0 / std::sqrt(sum)) : 0.0f;
    for (float& x : v) x *= scale;
}

// n vectors of `dim` floats around `clusters` random centres (spread 0.35 per coordinate
// relative to the centre's), normalised. Deterministic for a seed.
inline std::vector<float> clustered(size_t n, uint32_t dim, size_t clusters, uint32_t seed, float spread = 0.35f) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> gauss;
    std::vector<float> centres(clusters * dim);
    for (float& x : centres) x = gauss(rng);
    for (size_t c = 0; c < clusters; ++c) normalise({centres.data() + c * dim, dim});
    std::uniform_int_distribution<size_t> pick(0, clusters - 1);
    std::vector<float> out(n * dim);
    const float noise = spread / std::sqrt(static_cast<float>(dim));
    for (size_t i = 0; i < n; ++i) {
        const float* centre = centres.data() + pick(rng) * dim;
        float* row = out.data() + i * dim;
        for (uint32_t j = 0; j < dim; ++j) row[j] = centre[j] + noise * gauss(rng);
        normalise({row, dim});
    }
    return out;
}

// The k best ids by brute force (score descending, id ascending on ties), optionally among
// `allowed` only.
inline std::vector<vec::Hit> brute_force(std::span<const int64_t> ids, std::span<const float> rows, uint32_t dim,
                                         std::span<const float> query, size_t k,
                                         const std::vector<int64_t>* allowed = nullptr) {
    std::vector<vec::Hit> all;
    for (size_t i = 0; i < ids.size(); ++i) {
        if (allowed && std::find(allowed->begin(), allowed->end(), ids[i]) == allowed->end()) continue;
        double sum = 0;
        for (uint32_t j = 0; j < dim; ++j) sum += double{query[j]} * rows[i * dim + j];
        all.push_back({ids[i], static_cast<float>(sum)});
    }
    std::sort(all.begin(), all.end(), [](const vec::Hit& a, const vec::Hit& b) {
        return a.score > b.score || (a.score == b.score && a.id < b.id);
    });
    all.resize(std::min(k, all.size()));
    return all;
}

inline std::vector<int64_t> ids_of(const std::vector<vec::Hit>& hits) {
    std::vector<int64_t> out;
    for (const vec::Hit& h : hits) out.push_back(h.id);
    return out;
}

// Share of `truth` found in `got` (recall@|truth|).
inline double recall(const std::vector<vec::Hit>& got, const std::vector<vec::Hit>& truth) {
    if (truth.empty()) return 1.0;
    size_t found = 0;
    for (const vec::Hit& t : truth)
        found += std::any_of(got.begin(), got.end(), [&](const vec::Hit& g) { return g.id == t.id; }) ? 1 : 0;
    return static_cast<double>(found) / static_cast<double>(truth.size());
}

// Ids that are not 0..n-1, to catch slot/id mix-ups: 1000 + 7·i.
inline std::vector<int64_t> sparse_ids(size_t n, int64_t first = 1000) {
    std::vector<int64_t> ids(n);
    for (size_t i = 0; i < n; ++i) ids[i] = first + 7 * static_cast<int64_t>(i);
    return ids;
}

}  // namespace pmx::test

namespace pmx::test {

// `got` is a correct top-k against `truth` (brute force, computed in double): same length,
// scores descending and within float rounding of the true ones, and every id that beats the
// k-th true score by more than rounding present. (Near-ties at the boundary may swap.)
inline void require_exact_top(const std::vector<vec::Hit>& got, const std::vector<vec::Hit>& truth) {
    constexpr float tolerance = 1e-5f;
    REQUIRE(got.size() == truth.size());
    for (size_t i = 1; i < got.size(); ++i) REQUIRE(got[i - 1].score >= got[i].score);
    for (size_t i = 0; i < got.size(); ++i) REQUIRE(std::abs(got[i].score - truth[i].score) <= tolerance);
    if (truth.empty()) return;
    const float kth = truth.back().score;
    for (const vec::Hit& t : truth) {
        if (t.score <= kth + tolerance) continue;
        INFO("missing id " << t.id << " score " << t.score);
        REQUIRE(std::any_of(got.begin(), got.end(), [&](const vec::Hit& g) { return g.id == t.id; }));
    }
}

}  // namespace pmx::test
