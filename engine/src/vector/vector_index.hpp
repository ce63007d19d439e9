// The vector index for one embedding model: ids are track ids, scores are inner products over
// L2-normalised vectors (cosine similarity). Derived data: the SQLite store holds the vectors;
// an index can always be rebuilt from them. Exact (SIMD int8 scan, exact float32 re-scoring)
// below IndexOptions::approximate_above, IVF (lists trained by FAISS k-means) above.
// Thread safety: const members may run concurrently; anything else needs exclusive access.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace pmx::vec {

struct IndexOptions {
    // At or above this many vectors an approximate index is built instead of an exact one.
    // (It turns exact again below half of this, so an index near the threshold does not flip.)
    size_t approximate_above = 200'000;
    // Approximate (IVF) mode: lists trained; 0 = automatic (√n). At most n / 39 (k-means needs
    // about 39 rows per list).
    size_t lists = 0;
    // Approximate (IVF) mode: lists probed per query; 0 = automatic (max(16, lists / 16)).
    size_t probe = 0;
    // Approximate mode: a search restricted to at most this many candidates scores all of them
    // (exact); above it, the candidates in the probed lists (at least k of them).
    size_t exact_candidates_below = 50'000;
};

struct Hit {
    int64_t id = 0;
    float score = 0;  // inner product; higher is closer
};

class VectorIndex {
public:
    virtual ~VectorIndex() = default;

    // An empty index of `dim` floats per vector.
    static std::unique_ptr<VectorIndex> create(uint32_t dim, const IndexOptions& options = {});
    // Opens an index written by save(): the file is mapped and searched in place (nothing is
    // read, decoded or copied); the first upsert() or remove() copies it into memory. A file of
    // the older floats-only format is read and quantized instead (outdated_file()). Returns
    // null and sets *problem (one line, for the user) when the file is missing, truncated, of
    // another format, or its header or id table is corrupt; never throws for a bad file. The
    // bulk of the file (codes and vectors) is checked by verify(), not here. The index keeps
    // the mode it was saved in; `options` apply from the next upsert() or remove() on (so
    // loading never trains).
    static std::unique_ptr<VectorIndex> load(const std::filesystem::path& file, std::string* problem,
                                             const IndexOptions& options = {});
    // Writes atomically (temporary file in the same folder, fsync, rename). Throws
    // std::runtime_error on I/O failure; the previous file is then left as it was, and so is a
    // file another index has mapped (the rename gives the name to the new file).
    virtual void save(const std::filesystem::path& file) const = 0;

    virtual uint32_t dim() const = 0;
    virtual size_t size() const = 0;
    virtual bool approximate() const = 0;
    // Searched in place in the file it was loaded from (no copy in memory yet).
    virtual bool mapped() const = 0;
    // Loaded from a file of an older format: save() would write it in the current one.
    virtual bool outdated_file() const = 0;
    // For a mapped index: checks the codes and vectors against the file's checksum (reads the
    // whole file; worth it before a change, which copies it all anyway). False and a one-line
    // problem when they disagree. True for an index held in memory.
    virtual bool verify(std::string* problem) const = 0;

    // A caller-defined stamp saved with the index (the embeddings module stores what it needs
    // to check the index against the database on load).
    virtual const std::string& stamp() const = 0;
    virtual void set_stamp(std::string stamp) = 0;

    // Adds vectors (ids.size() × dim floats, row-major, L2-normalised); an id already present
    // is replaced. May switch to an approximate index when size() crosses the threshold.
    virtual void upsert(std::span<const int64_t> ids, std::span<const float> vectors) = 0;
    // Removes the ids that are present; returns how many were removed.
    virtual size_t remove(std::span<const int64_t> ids) = 0;
    virtual bool contains(int64_t id) const = 0;
    // Every id in the index, ascending.
    virtual std::vector<int64_t> ids() const = 0;

    // The k best hits for one query (dim floats), best first. With `candidates` (ascending or
    // not), only those ids are considered, and up to k of them are returned whenever at least
    // k candidates are in the index: never post-filtering that returns fewer.
    virtual std::vector<Hit> search(std::span<const float> query, size_t k,
                                    const std::vector<int64_t>* candidates = nullptr) const = 0;
};

}  // namespace pmx::vec
