// Vector index benchmark: build time, single-query latency (p50, p95) and recall@50 against
// exact search, on clustered synthetic L2-normalised vectors (gaussian clusters, like real
// embeddings), for 100k and 1M vectors at 512 and 1536 dimensions by default.
//
//   vector_bench [--sizes 100000,1000000] [--dims 512,1536] [--queries 200] [--k 50]
//                [--clusters 1000] [--spread 0.8] [--threshold 200000] [--lists 0] [--probe 0]
//                [--filter 20000]
//
// The ground truth is a float64-free brute force over the same rows (float32 dot products,
// streamed while the rows are generated), so the data set is never held twice.
#include "vector/kernels.hpp"
#include "vector/top_k.hpp"
#include "vector/vector_index.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>

namespace {

using Clock = std::chrono::steady_clock;
using pmx::vec::Hit;

struct Args {
    std::vector<size_t> sizes = {100'000, 1'000'000};
    std::vector<size_t> dims = {512, 1536};
    size_t queries = 200;
    size_t k = 50;
    size_t clusters = 1000;
    float spread = 0.8f;
    size_t threshold = 200'000;
    size_t probe = 0;
    size_t lists = 0;
    size_t filter = 20'000;
};

std::vector<size_t> parse_list(const char* text) {
    std::vector<size_t> out;
    for (const char* p = text; *p;) {
        char* end = nullptr;
        out.push_back(std::strtoull(p, &end, 10));
        if (end == p) break;
        p = *end == ',' ? end + 1 : end;
    }
    return out;
}

bool parse(int argc, char** argv, Args& args) {
    for (int i = 1; i < argc; ++i) {
        const std::string flag = argv[i];
        if (flag == "--help" || i + 1 >= argc) return false;
        const char* value = argv[++i];
        if (flag == "--sizes") args.sizes = parse_list(value);
        else if (flag == "--dims") args.dims = parse_list(value);
        else if (flag == "--queries") args.queries = std::strtoull(value, nullptr, 10);
        else if (flag == "--k") args.k = std::strtoull(value, nullptr, 10);
        else if (flag == "--clusters") args.clusters = std::strtoull(value, nullptr, 10);
        else if (flag == "--spread") args.spread = std::strtof(value, nullptr);
        else if (flag == "--threshold") args.threshold = std::strtoull(value, nullptr, 10);
        else if (flag == "--lists") args.lists = std::strtoull(value, nullptr, 10);
        else if (flag == "--probe") args.probe = std::strtoull(value, nullptr, 10);
        else if (flag == "--filter") args.filter = std::strtoull(value, nullptr, 10);
        else return false;
    }
    return !args.sizes.empty() && !args.dims.empty() && args.queries > 0 && args.k > 0 && args.clusters > 0;
}

void normalise(float* v, size_t dim) {
    double sum = 0;
    for (size_t j = 0; j < dim; ++j) sum += double{v[j]} * v[j];
    const auto scale = static_cast<float>(1.0 / std::sqrt(sum));
    for (size_t j = 0; j < dim; ++j) v[j] *= scale;
}

// Rows around random unit centres: centre + gaussian noise of norm ≈ spread, normalised.
class Generator {
public:
    Generator(size_t clusters, size_t dim, float spread, uint32_t seed)
        : dim_(dim), rng_(seed), pick_(0, clusters - 1),
          noise_(spread / std::sqrt(static_cast<float>(dim))), centres_(clusters * dim) {
        for (float& x : centres_) x = gauss_(rng_);
        for (size_t c = 0; c < clusters; ++c) normalise(centres_.data() + c * dim, dim);
    }
    void rows(size_t n, float* out) {
        for (size_t i = 0; i < n; ++i) {
            const float* centre = centres_.data() + pick_(rng_) * dim_;
            float* row = out + i * dim_;
            for (size_t j = 0; j < dim_; ++j) row[j] = centre[j] + noise_ * gauss_(rng_);
            normalise(row, dim_);
        }
    }

private:
    size_t dim_;
    std::mt19937_64 rng_;
    std::normal_distribution<float> gauss_;
    std::uniform_int_distribution<size_t> pick_;
    float noise_;
    std::vector<float> centres_;
};

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

double percentile(std::vector<double> values, double p) {
    std::sort(values.begin(), values.end());
    const auto at = static_cast<size_t>(std::lround(p * static_cast<double>(values.size() - 1)));
    return values[at];
}

double rss_gib() {
    std::ifstream statm("/proc/self/statm");
    size_t pages = 0, resident = 0;
    statm >> pages >> resident;
    return static_cast<double>(resident) * static_cast<double>(::sysconf(_SC_PAGESIZE)) / (1u << 30);
}

double recall(const std::vector<Hit>& got, const std::vector<Hit>& truth) {
    size_t found = 0;
    for (const Hit& t : truth)
        found += std::any_of(got.begin(), got.end(), [&](const Hit& g) { return g.id == t.id; }) ? 1 : 0;
    return truth.empty() ? 1.0 : static_cast<double>(found) / static_cast<double>(truth.size());
}

struct Row {
    size_t n = 0, dim = 0;
    bool approximate = false;
    double build_s = 0, truth_s = 0, p50_ms = 0, p95_ms = 0, recall = 0, filtered_p50_ms = 0, rss = 0;
    size_t filtered_short = 0;
};

Row run(const Args& args, size_t n, size_t dim) {
    constexpr size_t kChunk = 100'000;
    constexpr size_t kTruthBlock = 256;  // rows per ground-truth block: stays in cache for every query
    const auto d = static_cast<uint32_t>(dim);
    Row row{n, dim};

    Generator generator(args.clusters, dim, args.spread, 42);
    std::vector<float> queries(args.queries * dim);
    generator.rows(args.queries, queries.data());
    std::vector<pmx::vec::TopK> truth(args.queries, pmx::vec::TopK(args.k));

    pmx::vec::IndexOptions options;
    options.approximate_above = args.threshold;
    options.probe = args.probe;
    options.lists = args.lists;
    auto index = pmx::vec::VectorIndex::create(d, options);

    std::vector<float> chunk(std::min(kChunk, n) * dim);
    std::vector<int64_t> ids;
    std::vector<float> scores(kTruthBlock);
    for (size_t begin = 0; begin < n; begin += kChunk) {
        const size_t count = std::min(kChunk, n - begin);
        generator.rows(count, chunk.data());
        ids.resize(count);
        for (size_t i = 0; i < count; ++i) ids[i] = static_cast<int64_t>(begin + i) * 3 + 1;

        auto start = Clock::now();
        for (size_t b = 0; b < count; b += kTruthBlock) {
            const size_t m = std::min(kTruthBlock, count - b);
            for (size_t q = 0; q < args.queries; ++q) {
                pmx::vec::kernel::dot_rows(queries.data() + q * dim, chunk.data() + b * dim, m, dim, scores.data());
                for (size_t i = 0; i < m; ++i) truth[q].push(ids[b + i], scores[i]);
            }
        }
        row.truth_s += seconds_since(start);

        start = Clock::now();
        index->upsert(ids, std::span<const float>(chunk.data(), count * dim));
        row.build_s += seconds_since(start);
    }
    chunk = {};
    row.approximate = index->approximate();
    row.rss = rss_gib();

    std::vector<std::vector<Hit>> exact;
    for (auto& t : truth) exact.push_back(t.take());

    auto query = [&](size_t q) { return std::span<const float>(queries.data() + q * dim, dim); };
    for (size_t q = 0; q < std::min<size_t>(10, args.queries); ++q) index->search(query(q), args.k);  // warm-up

    std::vector<double> latencies;
    double recall_sum = 0;
    for (size_t q = 0; q < args.queries; ++q) {
        const auto start = Clock::now();
        const std::vector<Hit> hits = index->search(query(q), args.k);
        latencies.push_back(seconds_since(start) * 1e3);
        recall_sum += recall(hits, exact[q]);
    }
    row.p50_ms = percentile(latencies, 0.50);
    row.p95_ms = percentile(latencies, 0.95);
    row.recall = recall_sum / static_cast<double>(args.queries);

    // A filter (e.g. "nothing after 1980"): a random subset of the ids as candidates.
    if (args.filter > 0) {
        std::mt19937_64 rng(7);
        std::vector<int64_t> candidates;
        std::uniform_int_distribution<size_t> pick(0, n - 1);
        for (size_t i = 0; i < std::min(args.filter, n); ++i) candidates.push_back(static_cast<int64_t>(pick(rng)) * 3 + 1);
        latencies.clear();
        for (size_t q = 0; q < args.queries; ++q) {
            const auto start = Clock::now();
            const std::vector<Hit> hits = index->search(query(q), args.k, &candidates);
            latencies.push_back(seconds_since(start) * 1e3);
            if (hits.size() < args.k) ++row.filtered_short;
        }
        row.filtered_p50_ms = percentile(latencies, 0.50);
    }
    return row;
}

}  // namespace

int main(int argc, char** argv) {
    Args args;
    if (!parse(argc, argv, args)) {
        std::fprintf(stderr,
                     "usage: vector_bench [--sizes N,...] [--dims D,...] [--queries Q] [--k K] [--clusters C]\n"
                     "                    [--spread S] [--threshold T] [--lists L] [--probe P] [--filter F]\n");
        return 2;
    }
    std::printf("vector_bench: kernels %s, %zu queries, k %zu, %zu clusters, spread %.2f, approximate at >= %zu, "
                "lists %s, probe %s, filter %zu candidates\n",
                pmx::vec::kernel::isa(), args.queries, args.k, args.clusters, static_cast<double>(args.spread),
                args.threshold, args.lists ? std::to_string(args.lists).c_str() : "auto",
                args.probe ? std::to_string(args.probe).c_str() : "auto", args.filter);
    std::printf("%9s %5s %6s %9s %8s %8s %9s %11s %8s %8s\n", "vectors", "dim", "mode", "build s", "p50 ms",
                "p95 ms", "recall@k", "filt p50 ms", "RSS GiB", "truth s");
    std::fflush(stdout);
    for (size_t n : args.sizes)
        for (size_t dim : args.dims) {
            const Row r = run(args, n, dim);
            std::printf("%9zu %5zu %6s %9.1f %8.2f %8.2f %9.3f %11.2f %8.1f %8.1f%s\n", r.n, r.dim,
                        r.approximate ? "ivf" : "exact", r.build_s, r.p50_ms, r.p95_ms, r.recall,
                        r.filtered_p50_ms, r.rss, r.truth_s,
                        r.filtered_short ? "  (filtered search returned fewer than k!)" : "");
            std::fflush(stdout);
        }
    return 0;
}
