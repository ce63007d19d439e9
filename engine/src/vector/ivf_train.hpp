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

// OpenBLAS picks its kernels by CPU model number, and Debian 12's 0.3.21 does not know recent
// ones (the build machine: Intel family 6 model 0xCF): it falls back to its SSE3 kernels
// ("Prescott"), 4-5x slower there than its AVX-512 ones for USE-lite (embed_bench) and 1.5x for
// IVF training (vector_bench, 200k x 512: 7.0 s against 4.7 s). When OpenBLAS fell back and the
// CPU has AVX-512 or AVX2 with FMA, its kernels are chosen again by instruction set, as its
// documented OPENBLAS_CORETYPE override chooses them (a user's own setting wins). Once, before
// use_one_blas_thread() (re-initialising the kernels must not race a BLAS call: run-time
// commands call it first thing, cli::App::open). Exported like use_one_blas_thread().
[[gnu::visibility("default")]] void use_blas_kernels_for_this_cpu();

}  // namespace pmx::vec::ivf
