// Reading and writing the vector index file (layout in index_file.hpp; little-endian, as the
// machines plexmix runs on). Every failure to read is a one-line problem, never a crash.
#include "vector/index_file.hpp"

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

namespace pmx::vec {
namespace {

constexpr std::array<char, 8> kMagic = {'P', 'M', 'X', 'V', 'E', 'C', '\r', '\n'};
constexpr uint32_t kFormatVersion = 1;
constexpr uint32_t kMaxDim = 1u << 16;
constexpr uint32_t kMaxLists = 1u << 22;
constexpr uint64_t kMaxStamp = 1u << 24;

// Fixed part after the magic: version, dim, list count, flags (bit 0: centroids present),
// row count, stamp length.
struct Header {
    uint32_t version = 0;
    uint32_t dim = 0;
    uint32_t lists = 0;
    uint32_t flags = 0;
    uint64_t rows = 0;
    uint64_t stamp_bytes = 0;
};
static_assert(sizeof(Header) == 32);
constexpr uint32_t kHasCentroids = 1;

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
        while (bytes > 0) {
            buffer_[pending_++] = *p++;
            --bytes;
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

std::string errno_text(int error) { return std::generic_category().message(error); }

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

    void put(const void* data, size_t bytes, bool checksummed = true) {
        if (checksummed) sum_.update(data, bytes);
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
    void put_span(std::span<const T> values) {
        put(values.data(), values.size_bytes());
    }
    uint64_t checksum() const { return sum_.value(); }

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
    Checksum sum_;
};

void sync_folder(const std::filesystem::path& folder) {
    const int fd = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;  // best effort: the rename itself has happened
    ::fsync(fd);
    ::close(fd);
}

// ---- reading -----------------------------------------------------------------------------

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

}  // namespace

void write_index_file(const std::filesystem::path& file, const IndexView& index) {
    if (index.lists.empty()) throw std::logic_error("vector index: nothing to save (no lists)");
    Header header;
    header.version = kFormatVersion;
    header.dim = index.dim;
    header.lists = static_cast<uint32_t>(index.lists.size());
    header.flags = index.centroids.empty() ? 0 : kHasCentroids;
    for (const ListView& list : index.lists) header.rows += list.ids.size();
    header.stamp_bytes = index.stamp.size();

    std::filesystem::path temporary = file;
    temporary += ".tmp-" + std::to_string(::getpid());
    try {
        Writer out(temporary);
        out.put(kMagic.data(), kMagic.size(), false);
        out.put(&header, sizeof header);
        out.put(index.stamp.data(), index.stamp.size());
        out.put_span(index.centroids);
        for (const ListView& list : index.lists) {
            const uint64_t count = list.ids.size();
            out.put(&count, sizeof count);
        }
        for (const ListView& list : index.lists) {
            out.put_span(list.ids);
            out.put_span(list.rows);
        }
        const uint64_t sum = out.checksum();
        out.put(&sum, sizeof sum, false);
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

std::optional<IndexData> read_index_file(const std::filesystem::path& file, std::string* problem) {
    const std::string name = file.string();
    auto fail = [&](const std::string& why) -> std::optional<IndexData> {
        if (problem) *problem = "vector index " + name + ": " + why;
        return std::nullopt;
    };

    std::error_code error;
    const uintmax_t file_bytes = std::filesystem::file_size(file, error);
    if (error) return fail(error == std::errc::no_such_file_or_directory ? "no such file" : error.message());
    std::unique_ptr<std::FILE, FileCloser> handle(std::fopen(file.c_str(), "rb"));
    if (!handle) return fail("cannot open: " + errno_text(errno));
    Reader in(handle.get());

    std::array<char, 8> magic{};
    if (!in.get(magic.data(), magic.size(), false) || magic != kMagic)
        return fail("not a plexmix vector index");
    Header header;
    if (!in.get(&header, sizeof header)) return fail("truncated header");
    if (header.version != kFormatVersion)
        return fail("format version " + std::to_string(header.version) + ", this plexmix reads version " +
                    std::to_string(kFormatVersion));
    if (header.dim == 0 || header.dim > kMaxDim) return fail("bad dimension " + std::to_string(header.dim));
    if (header.lists == 0 || header.lists > kMaxLists)
        return fail("bad list count " + std::to_string(header.lists));
    if (header.stamp_bytes > kMaxStamp) return fail("bad stamp length");
    if ((header.flags & ~kHasCentroids) != 0) return fail("unknown flags");

    // Every size is checked against the file's length before anything is allocated.
    const uint64_t dim = header.dim;
    const uint64_t centroid_bytes = (header.flags & kHasCentroids) ? uint64_t{header.lists} * dim * 4 : 0;
    const uint64_t fixed = kMagic.size() + sizeof header + header.stamp_bytes + centroid_bytes +
                           uint64_t{header.lists} * 8 + 8;
    const uint64_t row_bytes = 8 + dim * 4;
    if (fixed > file_bytes || header.rows > (file_bytes - fixed) / row_bytes)
        return fail("truncated (" + std::to_string(file_bytes) + " bytes)");
    const uint64_t expected = fixed + header.rows * row_bytes;
    if (expected != file_bytes)
        return fail(expected > file_bytes ? "truncated (" + std::to_string(file_bytes) + " of " +
                                                std::to_string(expected) + " bytes)"
                                          : "unexpected bytes after the end of the index");

    IndexData data;
    data.dim = header.dim;
    data.stamp.resize(header.stamp_bytes);
    if (!in.get(data.stamp.data(), data.stamp.size())) return fail("truncated stamp");
    data.centroids.resize(centroid_bytes / 4);
    if (!in.get(data.centroids.data(), centroid_bytes)) return fail("truncated centroids");
    std::vector<uint64_t> counts(header.lists);
    if (!in.get(counts.data(), counts.size() * 8)) return fail("truncated list table");
    uint64_t total = 0;
    for (uint64_t count : counts) {
        if (count > header.rows - total) return fail("list sizes disagree with the row count");
        total += count;
    }
    if (total != header.rows) return fail("list sizes disagree with the row count");

    data.lists.resize(header.lists);
    for (size_t l = 0; l < counts.size(); ++l) {
        ListData& list = data.lists[l];
        list.ids.resize(counts[l]);
        list.rows.resize(counts[l] * dim);
        if (!in.get(list.ids.data(), list.ids.size() * 8) || !in.get(list.rows.data(), list.rows.size() * 4))
            return fail("read error: " + errno_text(errno));
    }
    uint64_t stored_sum = 0;
    if (!in.get(&stored_sum, sizeof stored_sum, false)) return fail("truncated checksum");
    if (stored_sum != in.checksum()) return fail("corrupt (checksum mismatch)");
    return data;
}

}  // namespace pmx::vec
