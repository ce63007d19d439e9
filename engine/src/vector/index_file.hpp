// The on-disk form of a vector index, laid out to be mapped (mmap) and searched in place: the
// int8 codes, scales, ids and an id → row table are stored, so opening costs a header check.
#pragma once

// Format 2 (written by this plexmix; little-endian; every section starts on a 64-byte
// boundary, zero-padded):
//   magic "PMXVEC\r\n" · u32 version · u32 flags (bit 0: centroids) · u64 meta sum · u64 data sum
//   · u64 data offset · u32 dim · u32 lists · u64 rows · u64 stamp bytes        (64 bytes)
//   stamp · list ends (lists × u64, cumulative rows) · centroids (lists × dim f32, when IVF)
//   · ids (rows × i64) · scales (rows × f32) · sorted ids (rows × i64, ascending)
//   · sorted rows (rows × u32: the row of each sorted id)                      ← meta region
//   codes (rows × dim i8: vector ≈ scale · codes) · vectors (rows × dim f32)  ← data region
// Rows are stored list after list. Opening checks the header, the exact file size and the meta
// sum (the meta region: small, and what every lookup trusts) and the id table's order; the
// data sum (codes and vectors: nearly all of the file) is computed when the file is written
// and checked by verify(), which the owner calls before it changes the index. A torn write
// cannot leave a short file under the name (temporary file, fsync, rename), so the size check
// catches truncation and the checksums catch the rest when they are read.
// Format 1 (floats only, one checksum over everything) is still read, the old way, so that an
// index from an older plexmix is used once and then saved again in format 2.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pmx::vec {

// One inverted list as save() gives it: n rows.
struct ListView {
    std::span<const int64_t> ids;    // n
    std::span<const float> vectors;  // n × dim floats, row-major
    std::span<const int8_t> codes;   // n × dim, row-major: vector ≈ scale · codes
    std::span<const float> scales;   // n
};

// What write_index_file() writes; borrows the index's memory for the call.
struct IndexView {
    uint32_t dim = 0;
    std::string_view stamp;
    std::span<const float> centroids;  // lists.size() × dim floats, or empty (exact index)
    std::vector<ListView> lists;       // at least one
};

// Writes format 2 atomically: a temporary file in the same folder, fsync, rename, fsync of the
// folder. Throws std::runtime_error on failure and leaves any previous file as it was; a
// process that has the previous file mapped keeps reading it unharmed.
void write_index_file(const std::filesystem::path& file, const IndexView& index);

// An index file opened for reading: format 2 mapped read-only (nothing is copied), format 1
// read into memory and checked whole. Rows are list after list; list l holds the rows from
// list_ends()[l − 1] (0 for the first) to list_ends()[l].
class IndexFile {
public:
    // Returns null and a one-line problem naming the file when it is missing, unreadable,
    // truncated, of another format, or its header or meta region is corrupt.
    static std::unique_ptr<IndexFile> open(const std::filesystem::path& file, std::string* problem);
    ~IndexFile();
    IndexFile(const IndexFile&) = delete;
    IndexFile& operator=(const IndexFile&) = delete;

    uint32_t version() const { return version_; }
    uint32_t dim() const { return dim_; }
    size_t rows() const { return ids_.size(); }
    std::string_view stamp() const { return stamp_; }
    std::span<const uint64_t> list_ends() const { return list_ends_; }  // at least one
    std::span<const float> centroids() const { return centroids_; }     // lists × dim, or empty
    std::span<const int64_t> ids() const { return ids_; }
    std::span<const float> vectors() const { return vectors_; }  // rows × dim
    // The id table (built when format 1 is read): ids strictly ascending, and the row of each:
    // ids()[sorted_rows()[i]] == sorted_ids()[i].
    std::span<const int64_t> sorted_ids() const { return sorted_ids_; }
    std::span<const uint32_t> sorted_rows() const { return sorted_rows_; }
    // Format 2 only (empty for format 1, whose reader quantizes the vectors itself):
    std::span<const float> scales() const { return scales_; }  // rows
    std::span<const int8_t> codes() const { return codes_; }   // rows × dim

    // Checks the data region (codes and vectors) against its sum: reads the whole file. False
    // and a one-line problem when they disagree. Format 1 was checked whole when read: true.
    bool verify(std::string* problem) const;

private:
    IndexFile() = default;
    friend struct IndexFileReader;

    std::string name_;  // the path, for problems
    uint32_t version_ = 0;
    uint32_t dim_ = 0;
    // Format 2: the mapping; format 1: the buffers the spans point into.
    void* map_ = nullptr;
    size_t map_bytes_ = 0;
    uint64_t data_offset_ = 0, data_sum_ = 0;
    std::string owned_stamp_;
    std::vector<uint64_t> owned_ends_;
    std::vector<float> owned_centroids_, owned_vectors_;
    std::vector<int64_t> owned_ids_, owned_sorted_ids_;
    std::vector<uint32_t> owned_sorted_rows_;

    std::string_view stamp_;
    std::span<const uint64_t> list_ends_;
    std::span<const float> centroids_, vectors_, scales_;
    std::span<const int64_t> ids_, sorted_ids_;
    std::span<const int8_t> codes_;
    std::span<const uint32_t> sorted_rows_;
};

}  // namespace pmx::vec
