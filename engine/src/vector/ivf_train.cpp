// FAISS k-means and batch assignment (both go through BLAS: OpenBLAS when installed).
#include "vector/ivf_train.hpp"

#include <faiss/Clustering.h>
#include <faiss/IndexFlat.h>

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string_view>
#include <type_traits>

#include <dlfcn.h>

namespace pmx::vec::ivf {
namespace {

// FAISS warns (on stderr) below 39 training points per centroid; callers keep above that, and
// more than this many per centroid only slows training for no gain in list quality.
constexpr int kMaxPointsPerCentroid = 64;  // the caller samples 50 per list
constexpr int kIterations = 10;

// An OpenBLAS function by name, or null (the reference BLAS has none of them).
template <typename Function>
Function blas_function(const char* name) {
    Function function = nullptr;
    if (void* symbol = ::dlsym(RTLD_DEFAULT, name)) {
        static_assert(sizeof function == sizeof symbol);
        std::memcpy(&function, &symbol, sizeof symbol);
    }
    return function;
}

}  // namespace

void use_one_blas_thread() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (std::getenv("OPENBLAS_NUM_THREADS") != nullptr) return;
        if (auto set_threads = blas_function<void (*)(int)>("openblas_set_num_threads")) set_threads(1);
        // OpenBLAS started a worker thread per extra core when it was loaded; idle, each spins on
        // sched_yield for ~0.1 s before it sleeps: a third of the CPU of a `plexmix create`. With
        // one thread they never get work, so they are stopped now (as OpenBLAS's own fork
        // handler does; a call asking for more threads later would start them again).
        if (auto shutdown = blas_function<int (*)()>("blas_thread_shutdown_")) shutdown();
    });
}

namespace {

// OpenBLAS's choice for an x86-64 CPU it does not know.
constexpr std::string_view kOpenBlasFallbackCore = "Prescott";

// The OpenBLAS kernels this CPU can run, by its instruction sets; null when OpenBLAS's generic
// choice is the best there is.
const char* blas_core_for_this_cpu() {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512vl")) {
        return "SkylakeX";
    }
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
    return nullptr;
}

}  // namespace

void use_blas_kernels_for_this_cpu() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (std::getenv("OPENBLAS_CORETYPE") != nullptr) return;
        const auto corename = blas_function<char* (*)()>("openblas_get_corename");
        const auto quit = blas_function<void (*)()>("gotoblas_dynamic_quit");
        const auto init = blas_function<void (*)()>("gotoblas_dynamic_init");
        if (corename == nullptr || quit == nullptr || init == nullptr) return;  // not a DYNAMIC_ARCH OpenBLAS
        const char* current = corename();
        if (current == nullptr || std::string_view(current) != kOpenBlasFallbackCore) return;
        const char* better = blas_core_for_this_cpu();
        if (better == nullptr) return;
        ::setenv("OPENBLAS_CORETYPE", better, 0);
        quit();
        init();                             // reads OPENBLAS_CORETYPE
        ::unsetenv("OPENBLAS_CORETYPE");    // the environment as it was, for child processes
    });
}

std::vector<float> train(const float* rows, size_t n, uint32_t dim, size_t lists, uint32_t seed) {
    if (lists == 0 || n < lists) throw std::invalid_argument("vector index: too few rows to train lists");
    use_blas_kernels_for_this_cpu();
    use_one_blas_thread();
    try {
        faiss::ClusteringParameters parameters;
        parameters.niter = kIterations;
        parameters.spherical = true;
        parameters.verbose = false;
        parameters.max_points_per_centroid = kMaxPointsPerCentroid;
        parameters.seed = static_cast<int>(seed);
        faiss::Clustering clustering(static_cast<int>(dim), static_cast<int>(lists), parameters);
        faiss::IndexFlatIP quantizer(static_cast<faiss::Index::idx_t>(dim));
        clustering.train(static_cast<faiss::Index::idx_t>(n), rows, quantizer);
        return std::move(clustering.centroids);
    } catch (const std::exception& e) {
        throw std::runtime_error(std::string("vector index: k-means failed: ") + e.what());
    }
}

void assign(std::span<const float> centroids, uint32_t dim, const float* rows, size_t n, int64_t* labels) {
    use_blas_kernels_for_this_cpu();
    use_one_blas_thread();
    try {
        faiss::IndexFlatIP quantizer(static_cast<faiss::Index::idx_t>(dim));
        quantizer.add(static_cast<faiss::Index::idx_t>(centroids.size() / dim), centroids.data());
        static_assert(std::is_same_v<faiss::Index::idx_t, int64_t>);
        quantizer.assign(static_cast<faiss::Index::idx_t>(n), rows, labels);
    } catch (const std::exception& e) {
        throw std::runtime_error(std::string("vector index: list assignment failed: ") + e.what());
    }
}

}  // namespace pmx::vec::ivf
