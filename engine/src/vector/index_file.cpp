// Reading and writing the vector index file (layout in index_file.hpp; little-endian, as the
// machines plexmix runs on). Every failure to read is a one-line problem, never a crash: each
// size read from a file is checked against the file's length before anything is mapped or
// allocated, and every offset the search follows is checked once when the file is opened.
#include "vector/index_file.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <system_error>
#include <utility>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pmx::vec {
namespace {

constexpr std::array<char, 8> kMagic = {'P', 'M', 'X', 'V', 'E', 'C', '\r', '\n'};
constexpr uint32_t kVersion1 = 1;  // floats only, one checksum over everything (read, not written)
constexpr uint32_t kVersion2 = 2;  // mappable: codes, scales and the id table stored
constexpr uint32_t kMaxDim = 1u << 16;
constexpr uint32_t kMaxLists = 1u << 22;
constexpr uint64_t kMaxStamp = 1u << 24;
constexpr uint64_t kMaxRows = std::numeric_limits<uint32_t>::max();  // rows are u32 in the id table
constexpr uint32_t kHasCentroids = 1;
constexpr uint64_t kSectionAlign = 64;  // a cache line: sections never share one

// Format 1's fixed part after the magic: version, dim, list count, flags (bit 0: centroids
// present), row count, stamp length.
struct HeaderV1 {
    uint32_t version = 0;
    uint32_t dim = 0;
    uint32_t lists = 0;
    uint32_t flags = 0;
    uint64_t rows = 0;
    uint64_t stamp_bytes = 0;
};
static_assert(sizeof(HeaderV1) == 32);

// Format 2's fixed part after the magic. The version stays where format 1 has it, so an older
// plexmix reads "format version 2" and rebuilds instead of misreading.
struct HeaderV2 {
    uint32_t version = 0;
    uint32_t flags = 0;
    uint64_t meta_sum = 0;  // over bytes 8 … data_offset, these two sums read as zero
    uint64_t data_sum = 0;  // over bytes data_offset … end
    uint64_t data_offset = 0;
    uint32_t dim = 0;
    uint32_t lists = 0;
    uint64_t rows = 0;
    uint64_t stamp_bytes = 0;
};
static_assert(sizeof(HeaderV2) == 56);
constexpr size_t kHeaderBytes = kMagic.size() + sizeof(HeaderV2);
constexpr size_t kSumsOffset = kMagic.size() + offsetof(HeaderV2, meta_sum);
constexpr size_t kSumsBytes = 2 * sizeof(uint64_t);

constexpr uint64_t align_up(uint64_t at, uint64_t alignment) { return (at + alignment - 1) / alignment * alignment; }

// Where each section of a format-2 file starts. The caller keeps the counts within the kMax*
// limits, so no sum here can overflow (at most 2^32 rows × 2^16 dims × 4 bytes).
struct Layout {
    uint64_t stamp, list_ends, centroids, ids, scales, sorted_ids, sorted_rows, data, codes, vectors, end;
};

Layout layout_of(uint64_t dim, uint64_t lists, uint64_t rows, uint64_t stamp_bytes, bool centroids) {
    Layout l{};
    l.stamp = kHeaderBytes;
    l.list_ends = align_up(l.stamp + stamp_bytes, kSectionAlign);
    l.centroids = align_up(l.list_ends + lists * 8, kSectionAlign);
    l.ids = align_up(l.centroids + (centroids ? lists * dim * 4 : 0), kSectionAlign);
    l.scales = align_up(l.ids + rows * 8, kSectionAlign);
    l.sorted_ids = align_up(l.scales + rows * 4, kSectionAlign);
    l.sorted_rows = align_up(l.sorted_ids + rows * 8, kSectionAlign);
    l.data = align_up(l.sorted_rows + rows * 4, kSectionAlign);
    l.codes = l.data;
    l.vectors = align_up(l.codes + rows * dim, kSectionAlign);
    l.end = l.vectors + rows * dim * 4;
    return l;
}

// A streaming 64-bit checksum over 8-byte words (a multiply-xorshift mix per word); chunk
// boundaries do not matter. Detects corruption, not tampering.
class Checksum {
public:
    void update(const void* data, size_t bytes) {
        auto* p = static_cast<const unsigned char*>(data);
        while (bytes > 0 && pending_ > 0) {
            buffer_[pending_++] = *p++;
            --bytes;
            if (pending_ == 8) {
                mix(load(buffer_));
                pending_ = 0;
            }
        }
        for (; bytes >= 8; bytes -= 8, p += 8) mix(load(p));
        if (bytes > 0) {  // fewer than 8 left, and nothing pending (the first loop emptied it)
            std::memcpy(buffer_, p, bytes);
            pending_ = bytes;
        }
    }
    uint64_t value() const {
        uint64_t h = state_;
        if (pending_ > 0) {
            unsigned char last[8] = {};
            std::memcpy(last, buffer_, pending_);
            h = step(h, load(last) ^ (uint64_t{pending_} << 56));
        }
        return step(h, total_words_);
    }

private:
    static uint64_t load(const unsigned char* p) {
        uint64_t w;
        std::memcpy(&w, p, 8);
        return w;
    }
    static uint64_t step(uint64_t h, uint64_t w) {
        h = (h ^ w) * 0x9E3779B97F4A7C15ull;
        return h ^ (h >> 29);
    }
    void mix(uint64_t w) {
        state_ = step(state_, w);
        ++total_words_;
    }
    uint64_t state_ = 0x84222325CBF29CE4ull;
    uint64_t total_words_ = 0;
    unsigned char buffer_[8] = {};
    size_t pending_ = 0;
};

// The meta sum of a format-2 file: bytes 8 … data_offset with the two sums read as zero.
uint64_t meta_sum_of(const unsigned char* file, uint64_t data_offset) {
    Checksum sum;
    sum.update(file + kMagic.size(), kSumsOffset - kMagic.size());
    constexpr std::array<unsigned char, kSumsBytes> kZeroSums{};
    sum.update(kZeroSums.data(), kZeroSums.size());
    sum.update(file + kSumsOffset + kSumsBytes, data_offset - kSumsOffset - kSumsBytes);
    return sum.value();
}

std::string errno_text(int error) { return std::generic_category().message(error); }

// The id table: (id, row) ascending by id, rows numbered list after list. Ids stored twice
// end up next to each other.
std::vector<std::pair<int64_t, uint32_t>> id_table(std::span<const int64_t> ids) {
    std::vector<std::pair<int64_t, uint32_t>> table;
    table.reserve(ids.size());
    for (const int64_t id : ids) table.emplace_back(id, static_cast<uint32_t>(table.size()));
    std::sort(table.begin(), table.end());
    return table;
}

// ---- writing -----------------------------------------------------------------------------

class Writer {
public:
    explicit Writer(std::filesystem::path path) : path_(std::move(path)) {
        fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd_ < 0) fail("cannot create");
    }
    ~Writer() {
        if (fd_ >= 0) ::close(fd_);
    }
    Writer(const Writer&) = delete;
    Writer& operator=(const Writer&) = delete;

    void put(const void* data, size_t bytes, Checksum* sum) {
        if (sum) sum->update(data, bytes);
        offset_ += bytes;
        auto* p = static_cast<const char*>(data);
        while (bytes > 0) {
            const ssize_t n = ::write(fd_, p, std::min<size_t>(bytes, size_t{1} << 30));
            if (n < 0) {
                if (errno == EINTR) continue;
                fail("cannot write");
            }
            p += n;
            bytes -= static_cast<size_t>(n);
        }
    }
    template <typename T>
    void put_span(std::span<const T> values, Checksum* sum) {
        put(values.data(), values.size_bytes(), sum);
    }
    // Zeros up to `offset` (a section's start).
    void pad_to(uint64_t offset, Checksum* sum) {
        static constexpr std::array<char, kSectionAlign> kZeros{};
        while (offset_ < offset) put(kZeros.data(), std::min<uint64_t>(offset - offset_, kZeros.size()), sum);
        if (offset_ != offset) throw std::logic_error("vector index: a section overlaps the next");
    }
    void put_at(uint64_t offset, const void* data, size_t bytes) {
        if (::pwrite(fd_, data, bytes, static_cast<off_t>(offset)) != static_cast<ssize_t>(bytes)) fail("cannot write");
    }
    uint64_t offset() const { return offset_; }

    void finish() {
        if (::fsync(fd_) != 0) fail("cannot flush");
        const int fd = fd_;
        fd_ = -1;
        if (::close(fd) != 0) fail("cannot close");
    }

private:
    [[noreturn]] void fail(const char* what) {
        throw std::runtime_error(std::string("vector index: ") + what + " " + path_.string() + ": " +
                                 errno_text(errno));
    }
    std::filesystem::path path_;
    int fd_ = -1;
    uint64_t offset_ = 0;
};

void sync_folder(const std::filesystem::path& folder) {
    const int fd = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;  // best effort: the rename itself has happened
    ::fsync(fd);
    ::close(fd);
}

// ---- reading format 1 ----------------------------------------------------------------------

struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
};

class Reader {
public:
    Reader(std::FILE* file) : file_(file) {}
    // False at end of file or on a read error.
    bool get(void* data, size_t bytes, bool checksummed = true) {
        if (bytes == 0) return true;
        if (std::fread(data, 1, bytes, file_) != bytes) return false;
        if (checksummed) sum_.update(data, bytes);
        return true;
    }
    uint64_t checksum() const { return sum_.value(); }

private:
    std::FILE* file_;
    Checksum sum_;
};

struct FdCloser {
    int fd;
    ~FdCloser() {
        if (fd >= 0) ::close(fd);
    }
};

}  // namespace

// Fills an IndexFile from a file of either format (a friend: it sets the private spans).
struct IndexFileReader {
    using Problem = std::string;

    // Format 1, read whole and checked against its checksum; rows end up in one buffer.
    static bool read_v1(IndexFile& out, const std::filesystem::path& file, uint64_t file_bytes, Problem& why) {
        std::unique_ptr<std::FILE, FileCloser> handle(std::fopen(file.c_str(), "rb"));
        if (!handle) return fail(why, "cannot open: " + errno_text(errno));
        Reader in(handle.get());
        std::array<char, 8> magic{};
        HeaderV1 header;
        if (!in.get(magic.data(), magic.size(), false) || magic != kMagic) return fail(why, "not a plexmix vector index");
        if (!in.get(&header, sizeof header)) return fail(why, "truncated header");
        if (header.dim == 0 || header.dim > kMaxDim) return fail(why, "bad dimension " + std::to_string(header.dim));
        if (header.lists == 0 || header.lists > kMaxLists) return fail(why, "bad list count " + std::to_string(header.lists));
        if (header.stamp_bytes > kMaxStamp) return fail(why, "bad stamp length");
        if ((header.flags & ~kHasCentroids) != 0) return fail(why, "unknown flags");
        if ((header.flags & kHasCentroids) == 0 && header.lists != 1)
            return fail(why, "an exact index with " + std::to_string(header.lists) + " lists");

        const uint64_t dim = header.dim;
        const uint64_t centroid_bytes = (header.flags & kHasCentroids) ? uint64_t{header.lists} * dim * 4 : 0;
        const uint64_t fixed = kMagic.size() + sizeof header + header.stamp_bytes + centroid_bytes +
                               uint64_t{header.lists} * 8 + 8;
        const uint64_t row_bytes = 8 + dim * 4;
        if (fixed > file_bytes || header.rows > (file_bytes - fixed) / row_bytes)
            return fail(why, "truncated (" + std::to_string(file_bytes) + " bytes)");
        if (header.rows > kMaxRows) return fail(why, "bad row count");
        const uint64_t expected = fixed + header.rows * row_bytes;
        if (expected != file_bytes)
            return fail(why, expected > file_bytes ? "truncated (" + std::to_string(file_bytes) + " of " +
                                                         std::to_string(expected) + " bytes)"
                                                   : "unexpected bytes after the end of the index");

        out.dim_ = header.dim;
        out.owned_stamp_.resize(header.stamp_bytes);
        if (!in.get(out.owned_stamp_.data(), out.owned_stamp_.size())) return fail(why, "truncated stamp");
        out.owned_centroids_.resize(centroid_bytes / 4);
        if (!in.get(out.owned_centroids_.data(), centroid_bytes)) return fail(why, "truncated centroids");
        std::vector<uint64_t> counts(header.lists);
        if (!in.get(counts.data(), counts.size() * 8)) return fail(why, "truncated list table");
        uint64_t total = 0;
        out.owned_ends_.reserve(counts.size());
        for (uint64_t count : counts) {
            if (count > header.rows - total) return fail(why, "list sizes disagree with the row count");
            total += count;
            out.owned_ends_.push_back(total);
        }
        if (total != header.rows) return fail(why, "list sizes disagree with the row count");

        out.owned_ids_.resize(header.rows);
        out.owned_vectors_.resize(header.rows * dim);
        uint64_t begin = 0;
        for (uint64_t count : counts) {
            if (!in.get(out.owned_ids_.data() + begin, count * 8) ||
                !in.get(out.owned_vectors_.data() + begin * dim, count * dim * 4))
                return fail(why, "read error: " + errno_text(errno));
            begin += count;
        }
        uint64_t stored_sum = 0;
        if (!in.get(&stored_sum, sizeof stored_sum, false)) return fail(why, "truncated checksum");
        if (stored_sum != in.checksum()) return fail(why, "corrupt (checksum mismatch)");

        // The id table format 2 stores, built here.
        std::vector<std::pair<int64_t, uint32_t>> table = id_table(out.owned_ids_);
        for (size_t i = 1; i < table.size(); ++i)
            if (table[i].first == table[i - 1].first)
                return fail(why, "id " + std::to_string(table[i].first) + " is stored twice");
        out.owned_sorted_ids_.resize(table.size());
        out.owned_sorted_rows_.resize(table.size());
        for (size_t i = 0; i < table.size(); ++i) std::tie(out.owned_sorted_ids_[i], out.owned_sorted_rows_[i]) = table[i];

        out.version_ = kVersion1;
        out.stamp_ = out.owned_stamp_;
        out.list_ends_ = out.owned_ends_;
        out.centroids_ = out.owned_centroids_;
        out.ids_ = out.owned_ids_;
        out.vectors_ = out.owned_vectors_;
        out.sorted_ids_ = out.owned_sorted_ids_;
        out.sorted_rows_ = out.owned_sorted_rows_;
        return true;
    }

    // Format 2, mapped; `header` is the file's first kHeaderBytes, already read.
    static bool map_v2(IndexFile& out, int fd, uint64_t file_bytes, const HeaderV2& header, Problem& why) {
        if (header.dim == 0 || header.dim > kMaxDim) return fail(why, "bad dimension " + std::to_string(header.dim));
        if (header.lists == 0 || header.lists > kMaxLists) return fail(why, "bad list count " + std::to_string(header.lists));
        if (header.stamp_bytes > kMaxStamp) return fail(why, "bad stamp length");
        if (header.rows > kMaxRows) return fail(why, "bad row count");
        if ((header.flags & ~kHasCentroids) != 0) return fail(why, "unknown flags");
        const bool has_centroids = (header.flags & kHasCentroids) != 0;
        if (!has_centroids && header.lists != 1) return fail(why, "an exact index with " + std::to_string(header.lists) + " lists");

        const Layout l = layout_of(header.dim, header.lists, header.rows, header.stamp_bytes, has_centroids);
        if (l.end != file_bytes)
            return fail(why, l.end > file_bytes ? "truncated (" + std::to_string(file_bytes) + " of " +
                                                      std::to_string(l.end) + " bytes)"
                                                : "unexpected bytes after the end of the index");
        if (header.data_offset != l.data) return fail(why, "corrupt header (data offset)");

        void* map = ::mmap(nullptr, file_bytes, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map == MAP_FAILED) return fail(why, "cannot map: " + errno_text(errno));
        out.map_ = map;
        out.map_bytes_ = file_bytes;
        const auto* base = static_cast<const unsigned char*>(map);
        if (meta_sum_of(base, l.data) != header.meta_sum) return fail(why, "corrupt (meta checksum mismatch)");

        const uint64_t dim = header.dim, rows = header.rows;
        auto at = [&](uint64_t offset) { return base + offset; };
        out.version_ = kVersion2;
        out.dim_ = header.dim;
        out.data_offset_ = l.data;
        out.data_sum_ = header.data_sum;
        out.stamp_ = {reinterpret_cast<const char*>(at(l.stamp)), header.stamp_bytes};
        out.list_ends_ = {reinterpret_cast<const uint64_t*>(at(l.list_ends)), header.lists};
        out.centroids_ = {reinterpret_cast<const float*>(at(l.centroids)), has_centroids ? header.lists * dim : 0};
        out.ids_ = {reinterpret_cast<const int64_t*>(at(l.ids)), rows};
        out.scales_ = {reinterpret_cast<const float*>(at(l.scales)), rows};
        out.sorted_ids_ = {reinterpret_cast<const int64_t*>(at(l.sorted_ids)), rows};
        out.sorted_rows_ = {reinterpret_cast<const uint32_t*>(at(l.sorted_rows)), rows};
        out.codes_ = {reinterpret_cast<const int8_t*>(at(l.codes)), rows * dim};
        out.vectors_ = {reinterpret_cast<const float*>(at(l.vectors)), rows * dim};

        // What a lookup follows must hold even if a sum collided: lists end in order at the row
        // count, the id table is ascending, and each entry names a row holding that id (so the
        // table is a permutation and no id is stored twice).
        uint64_t previous = 0;
        for (const uint64_t end : out.list_ends_) {
            if (end < previous || end > rows) return fail(why, "list sizes disagree with the row count");
            previous = end;
        }
        if (previous != rows) return fail(why, "list sizes disagree with the row count");
        for (size_t i = 0; i < rows; ++i) {
            if (i > 0 && out.sorted_ids_[i] <= out.sorted_ids_[i - 1]) return fail(why, "the id table is out of order");
            const uint32_t row = out.sorted_rows_[i];
            if (row >= rows || out.ids_[row] != out.sorted_ids_[i]) return fail(why, "the id table disagrees with the ids");
        }
        return true;
    }

    static bool fail(Problem& why, std::string text) {
        why = std::move(text);
        return false;
    }
};

IndexFile::~IndexFile() {
    if (map_ != nullptr) ::munmap(map_, map_bytes_);
}

std::unique_ptr<IndexFile> IndexFile::open(const std::filesystem::path& file, std::string* problem) {
    std::unique_ptr<IndexFile> out(new IndexFile());
    out->name_ = file.string();
    std::string why;
    auto fail = [&](const std::string& text) -> std::unique_ptr<IndexFile> {
        if (problem) *problem = "vector index " + out->name_ + ": " + text;
        return nullptr;
    };

    const FdCloser fd{::open(file.c_str(), O_RDONLY | O_CLOEXEC)};
    if (fd.fd < 0) return fail(errno == ENOENT ? "no such file" : "cannot open: " + errno_text(errno));
    struct stat info {};
    if (::fstat(fd.fd, &info) != 0) return fail("cannot read: " + errno_text(errno));
    if (!S_ISREG(info.st_mode)) return fail(S_ISDIR(info.st_mode) ? "is a directory" : "not a regular file");
    const auto file_bytes = static_cast<uint64_t>(info.st_size);

    std::array<unsigned char, kHeaderBytes> head{};
    const ssize_t got = ::pread(fd.fd, head.data(), head.size(), 0);
    if (got < 0) return fail("cannot read: " + errno_text(errno));
    if (static_cast<size_t>(got) < kMagic.size() || std::memcmp(head.data(), kMagic.data(), kMagic.size()) != 0)
        return fail("not a plexmix vector index");
    if (static_cast<size_t>(got) < kMagic.size() + sizeof(uint32_t)) return fail("truncated header");
    uint32_t version = 0;
    std::memcpy(&version, head.data() + kMagic.size(), sizeof version);

    bool ok = false;
    if (version == kVersion1) {
        ok = IndexFileReader::read_v1(*out, file, file_bytes, why);
    } else if (version == kVersion2) {
        if (static_cast<size_t>(got) < kHeaderBytes) return fail("truncated header");
        HeaderV2 header;
        std::memcpy(&header, head.data() + kMagic.size(), sizeof header);
        ok = IndexFileReader::map_v2(*out, fd.fd, file_bytes, header, why);
    } else {
        why = "format version " + std::to_string(version) + ", this plexmix reads versions 1 and 2";
    }
    if (!ok) return fail(why);
    return out;
}

bool IndexFile::verify(std::string* problem) const {
    if (version_ != kVersion2) return true;
    Checksum sum;
    sum.update(static_cast<const unsigned char*>(map_) + data_offset_, map_bytes_ - data_offset_);
    if (sum.value() == data_sum_) return true;
    if (problem) *problem = "vector index " + name_ + ": corrupt (data checksum mismatch)";
    return false;
}

void write_index_file(const std::filesystem::path& file, const IndexView& index) {
    if (index.lists.empty()) throw std::logic_error("vector index: nothing to save (no lists)");
    if (index.dim == 0 || index.dim > kMaxDim || index.lists.size() > kMaxLists || index.stamp.size() > kMaxStamp)
        throw std::logic_error("vector index: cannot save an index of this shape");
    if (!index.centroids.empty() && index.centroids.size() != index.lists.size() * index.dim)
        throw std::logic_error("vector index: centroids are not lists × dim floats");
    const uint64_t dim = index.dim;
    uint64_t rows = 0;
    for (const ListView& list : index.lists) {
        const uint64_t n = list.ids.size();
        if (list.vectors.size() != n * dim || list.codes.size() != n * dim || list.scales.size() != n)
            throw std::logic_error("vector index: a list's columns disagree in length");
        rows += n;
    }
    if (rows > kMaxRows) throw std::logic_error("vector index: too many rows to save");

    std::vector<int64_t> ids;
    ids.reserve(rows);
    for (const ListView& list : index.lists) ids.insert(ids.end(), list.ids.begin(), list.ids.end());
    std::vector<std::pair<int64_t, uint32_t>> table = id_table(ids);
    ids = {};
    for (size_t i = 1; i < table.size(); ++i)
        if (table[i].first == table[i - 1].first)
            throw std::logic_error("vector index: id " + std::to_string(table[i].first) + " is stored twice");
    std::vector<int64_t> sorted_ids(rows);
    std::vector<uint32_t> sorted_rows(rows);
    for (size_t i = 0; i < table.size(); ++i) std::tie(sorted_ids[i], sorted_rows[i]) = table[i];
    table = {};

    HeaderV2 header;
    header.version = kVersion2;
    header.flags = index.centroids.empty() ? 0 : kHasCentroids;
    header.dim = index.dim;
    header.lists = static_cast<uint32_t>(index.lists.size());
    header.rows = rows;
    header.stamp_bytes = index.stamp.size();
    const Layout l = layout_of(dim, header.lists, rows, header.stamp_bytes, !index.centroids.empty());
    header.data_offset = l.data;

    std::filesystem::path temporary = file;
    temporary += ".tmp-" + std::to_string(::getpid());
    try {
        Writer out(temporary);
        Checksum meta, data;
        out.put(kMagic.data(), kMagic.size(), nullptr);
        out.put(&header, sizeof header, &meta);  // the sums are still zero here, as the sum reads them
        out.put(index.stamp.data(), index.stamp.size(), &meta);
        out.pad_to(l.list_ends, &meta);
        uint64_t end = 0;
        for (const ListView& list : index.lists) {
            end += list.ids.size();
            out.put(&end, sizeof end, &meta);
        }
        out.pad_to(l.centroids, &meta);
        out.put_span(index.centroids, &meta);
        out.pad_to(l.ids, &meta);
        for (const ListView& list : index.lists) out.put_span(list.ids, &meta);
        out.pad_to(l.scales, &meta);
        for (const ListView& list : index.lists) out.put_span(list.scales, &meta);
        out.pad_to(l.sorted_ids, &meta);
        out.put_span(std::span<const int64_t>(sorted_ids), &meta);
        out.pad_to(l.sorted_rows, &meta);
        out.put_span(std::span<const uint32_t>(sorted_rows), &meta);
        out.pad_to(l.codes, &meta);
        for (const ListView& list : index.lists) out.put_span(list.codes, &data);
        out.pad_to(l.vectors, &data);
        for (const ListView& list : index.lists) out.put_span(list.vectors, &data);
        if (out.offset() != l.end) throw std::logic_error("vector index: the file's size disagrees with its layout");
        const std::array<uint64_t, 2> sums = {meta.value(), data.value()};
        out.put_at(kSumsOffset, sums.data(), kSumsBytes);
        out.finish();
        std::error_code error;
        std::filesystem::rename(temporary, file, error);
        if (error)
            throw std::runtime_error("vector index: cannot rename " + temporary.string() + " to " +
                                     file.string() + ": " + error.message());
    } catch (...) {
        std::error_code ignored;
        std::filesystem::remove(temporary, ignored);
        throw;
    }
    sync_folder(file.parent_path());
}

}  // namespace pmx::vec
