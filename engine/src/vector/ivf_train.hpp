// Training and assignment for the approximate (IVF) mode, done by FAISS through BLAS (the only
// file that includes FAISS headers). Scanning is ours (kernels.cpp): Debian's FAISS is scalar.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace pmx::vec::ivf {

// Spherical k-means: `lists` unit-norm centroids (lists × dim floats, row-major) from n
// training rows (n × dim floats). Deterministic for a seed. Requires n ≥ lists ≥ 1.
std::vector<float> train(const float* rows, size_t n, uint32_t dim, size_t lists, uint32_t seed);

// labels[i] = the centroid with the highest inner product with row i (rows: n × dim floats;
// centroids: lists × dim floats).
void assign(std::span<const float> centroids, uint32_t dim, const float* rows, size_t n, int64_t* labels);

// OpenBLAS with one thread was the fastest on 2 cores (FACTS.md). Sets it once, through dlsym
// so that the reference BLAS works too, and only when OPENBLAS_NUM_THREADS is not set; then
// stops the worker threads OpenBLAS started when it was loaded, which would otherwise spin
// idle for ~0.1 s of CPU each. Run-time commands call it first thing (cli::App::open).
// Exported although ivf_train.cpp is built with hidden visibility (its tests call it).
[[gnu::visibility("default")]] void use_one_blas_thread();

}  // namespace pmx::vec::ivf
