// The on-disk form of a vector index: a small header (magic, format version, dim, list count,
// row count, stamp), optional IVF centroids, the rows list by list, and a 64-bit checksum.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace pmx::vec {

// One inverted list as stored: ids (n) and rows (n × dim floats, row-major).
struct ListView {
    std::span<const int64_t> ids;
    std::span<const float> rows;
};

// What save() writes; borrows the index's memory for the call.
struct IndexView {
    uint32_t dim = 0;
    std::string_view stamp;
    std::span<const float> centroids;  // lists.size() × dim floats, or empty (exact index)
    std::vector<ListView> lists;       // at least one
};

struct ListData {
    std::vector<int64_t> ids;
    std::vector<float> rows;
};

// What load() reads.
struct IndexData {
    uint32_t dim = 0;
    std::string stamp;
    std::vector<float> centroids;  // lists.size() × dim floats, or empty
    std::vector<ListData> lists;   // at least one
};

// Writes atomically: a temporary file in the same folder, fsync, rename, fsync of the folder.
// Throws std::runtime_error on failure and leaves any previous file as it was.
void write_index_file(const std::filesystem::path& file, const IndexView& index);

// Reads and checks a file written by write_index_file. Returns nullopt and a one-line problem
// (naming the file) when it is missing, unreadable, truncated, corrupt or of another format.
std::optional<IndexData> read_index_file(const std::filesystem::path& file, std::string* problem);

}  // namespace pmx::vec
