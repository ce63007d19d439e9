// Fuzz target: the vector index file reader (engine/src/vector/index_file.hpp). Input: the
// bytes of an index file, of either format. The reader must turn garbage into a problem (never a
// crash, an allocation larger than the file, or a read outside the mapped file); what it accepts
// must be self-consistent, readable to its last byte, and verify() must answer without crashing.
// A file that verifies is written back by write_index_file() (format 2, whatever it was read
// from) and read again with the same contents. A file refused only for a checksum is read again
// with that checksum made right (computed here, independently of index_file.cpp), so that
// mutated files reach the accepting path too.
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "vector/index_file.hpp"

namespace fs = std::filesystem;

namespace {

using pmx::fuzz::check;

// One folder per process, reused by every input (the reader takes a path), removed when the
// process ends normally (libFuzzer's -runs, the replay driver).
class Scratch {
public:
    Scratch() : dir_(fs::temp_directory_path() / ("pmx-fuzz-index-" + std::to_string(::getpid()))) {
        fs::create_directories(dir_);
    }
    ~Scratch() {
        std::error_code ignored;
        fs::remove_all(dir_, ignored);
    }
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;
    const fs::path& dir() const { return dir_; }

private:
    fs::path dir_;
};

const Scratch scratch;

// The file's checksum as index_file.cpp documents it: 8-byte little-endian words of everything
// between the magic and the stored sum, each mixed by a multiply-xorshift step; a last partial
// word zero-padded and tagged with its length; then the count of whole words.
std::uint64_t checksum_of(std::string_view bytes) {
    constexpr std::uint64_t kSeed = 0x84222325CBF29CE4ull;
    constexpr std::uint64_t kMultiplier = 0x9E3779B97F4A7C15ull;
    constexpr int kShift = 29;
    constexpr int kLengthTagShift = 56;
    const auto step = [](std::uint64_t h, std::uint64_t w) {
        h = (h ^ w) * kMultiplier;
        return h ^ (h >> kShift);
    };
    std::uint64_t h = kSeed;
    std::uint64_t words = 0;
    std::size_t at = 0;
    for (; bytes.size() - at >= 8; at += 8, ++words) {
        std::uint64_t w = 0;
        std::memcpy(&w, bytes.data() + at, 8);
        h = step(h, w);
    }
    if (const std::size_t rest = bytes.size() - at; rest > 0) {
        std::uint64_t w = 0;
        std::memcpy(&w, bytes.data() + at, rest);
        h = step(h, w ^ (std::uint64_t{rest} << kLengthTagShift));
    }
    return step(h, words);
}

constexpr std::size_t kMagicBytes = 8;
constexpr std::size_t kSumBytes = 8;
constexpr std::string_view kChecksumProblem = "corrupt (checksum mismatch)";  // format 1

// Format 2's header (index_file.hpp): the meta sum at 16, the data sum at 24, the data offset at
// 32. The meta sum covers bytes 8 … data offset with both sums read as zero; the data sum the
// rest of the file.
constexpr std::size_t kMetaSumAt = 16;
constexpr std::size_t kDataSumAt = 24;
constexpr std::size_t kDataOffsetAt = 32;
constexpr std::string_view kMetaProblem = "corrupt (meta checksum mismatch)";
constexpr std::string_view kDataProblem = "corrupt (data checksum mismatch)";

void write_file(const fs::path& file, std::string_view bytes) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    check(out.good(), "an input could not be written to the scratch folder");
}

bool ends_with(std::string_view text, std::string_view end) {
    return text.size() >= end.size() && text.substr(text.size() - end.size()) == end;
}

// Byte for byte (a NaN read back is the same NaN).
template <typename T>
bool same(std::span<const T> a, std::span<const T> b) {
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size_bytes()) == 0);
}

volatile std::uint64_t touched_sink = 0;  // keeps check_accepted()'s reads

// Reads every value of an accepted file (a span reaching past the mapping would crash here) and
// checks what the search relies on.
void check_accepted(const pmx::vec::IndexFile& file, std::size_t file_bytes) {
    const std::size_t rows = file.rows(), dim = file.dim();
    check(dim > 0, "an accepted index has dimension 0");
    check(!file.list_ends().empty() && file.list_ends().back() == rows, "the lists do not end at the row count");
    check(std::is_sorted(file.list_ends().begin(), file.list_ends().end()), "the lists end out of order");
    check(file.centroids().empty() || file.centroids().size() == file.list_ends().size() * dim,
          "centroids that are not lists x dim floats");
    check(file.centroids().size() > 0 || file.list_ends().size() == 1, "an exact index with several lists");
    check(file.vectors().size() == rows * dim, "vectors that are not rows x dim floats");
    check(rows * (8 + 4 * dim) <= file_bytes, "an accepted index holds more rows than the file");
    std::uint64_t touched = 0;
    for (const char c : file.stamp()) touched += static_cast<unsigned char>(c);
    for (const float x : file.centroids()) touched += static_cast<std::uint64_t>(x != 0);
    for (const std::int64_t id : file.ids()) touched += static_cast<std::uint64_t>(id);
    for (const float x : file.vectors()) touched += static_cast<std::uint64_t>(x != 0);
    check(file.sorted_ids().size() == rows && file.sorted_rows().size() == rows, "an id table of the wrong length");
    for (std::size_t i = 0; i < rows; ++i) {
        check(i == 0 || file.sorted_ids()[i - 1] < file.sorted_ids()[i], "the id table is not ascending");
        check(file.sorted_rows()[i] < rows && file.ids()[file.sorted_rows()[i]] == file.sorted_ids()[i],
              "the id table names a row without that id");
    }
    touched_sink = touched;
    if (file.codes().empty() && file.version() == 1) return;  // format 1 has no codes
    check(file.codes().size() == rows * dim && file.scales().size() == rows, "codes or scales of the wrong length");
    for (const std::int8_t c : file.codes()) touched += static_cast<std::uint64_t>(c);
    for (const float x : file.scales()) touched += static_cast<std::uint64_t>(x != 0);
    touched_sink = touched;
}

// Writes an accepted file back (format 2) and checks that it reads as the same index.
void check_written_back(const pmx::vec::IndexFile& file) {
    const std::size_t dim = file.dim();
    // Format 1 has no codes: the writer is given zeros (it stores what it is given).
    const std::vector<std::int8_t> no_codes(file.codes().empty() ? file.vectors().size() : 0, 0);
    const std::vector<float> no_scales(file.scales().empty() ? file.rows() : 0, 0.0f);
    const std::span<const std::int8_t> codes = file.codes().empty() ? std::span<const std::int8_t>(no_codes) : file.codes();
    const std::span<const float> scales = file.scales().empty() ? std::span<const float>(no_scales) : file.scales();
    pmx::vec::IndexView view;
    view.dim = file.dim();
    view.stamp = file.stamp();
    view.centroids = file.centroids();
    std::size_t begin = 0;
    for (const std::uint64_t end : file.list_ends()) {
        const std::size_t n = end - begin;
        view.lists.push_back({file.ids().subspan(begin, n), file.vectors().subspan(begin * dim, n * dim),
                              codes.subspan(begin * dim, n * dim), scales.subspan(begin, n)});
        begin = end;
    }
    const fs::path again = scratch.dir() / "again.pmxvec";
    pmx::vec::write_index_file(again, view);
    std::string problem;
    const auto reread = pmx::vec::IndexFile::open(again, &problem);
    check(reread != nullptr, "a written index cannot be read back");
    check(reread->verify(&problem), "a written index does not verify");
    check(reread->version() == 2, "the writer did not write format 2");
    check(reread->dim() == file.dim() && reread->stamp() == file.stamp(), "dim or stamp changed when written back");
    check(same(reread->list_ends(), file.list_ends()) && same(reread->centroids(), file.centroids()),
          "lists or centroids changed when written back");
    check(same(reread->ids(), file.ids()) && same(reread->vectors(), file.vectors()), "ids or vectors changed when written back");
    check(same(reread->codes(), codes) && same(reread->scales(), scales), "codes or scales changed when written back");
}

// Reads `bytes` as a file and checks what it accepts; one that verifies is also written back.
// Returns whether it was accepted; `problem` is the refusal, or verify()'s problem, or empty.
bool read_and_check(std::string_view bytes, std::string& problem) {
    const fs::path input = scratch.dir() / "input.pmxvec";
    write_file(input, bytes);
    problem.clear();
    const auto file = pmx::vec::IndexFile::open(input, &problem);
    if (!file) {
        check(problem.rfind("vector index " + input.string() + ": ", 0) == 0,
              "a rejected file's problem does not name the file");
        check(problem.find('\n') == std::string::npos, "a problem of more than one line");
        return false;
    }
    check(problem.empty(), "an accepted file came with a problem");
    check_accepted(*file, bytes.size());
    if (!file->verify(&problem)) {
        check(ends_with(problem, kDataProblem), "verify() failed for another reason than the data sum");
        return true;
    }
    check_written_back(*file);
    return true;
}

std::uint64_t word_at(std::string_view bytes, std::size_t at) {
    std::uint64_t w = 0;
    std::memcpy(&w, bytes.data() + at, sizeof w);
    return w;
}

void set_word(std::string& bytes, std::size_t at, std::uint64_t w) { std::memcpy(bytes.data() + at, &w, sizeof w); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes = pmx::fuzz::as_text(data, size);
    std::string problem;
    const bool accepted = read_and_check(bytes, problem);
    std::string repaired(bytes);
    if (!accepted && ends_with(problem, kChecksumProblem)) {
        // Format 1, refused for its checksum: with the right one, only what is checked after
        // it (ids stored twice) may refuse it.
        check(size >= kMagicBytes + kSumBytes, "a file too short for a checksum failed on its checksum");
        set_word(repaired, size - kSumBytes, checksum_of(bytes.substr(kMagicBytes, size - kMagicBytes - kSumBytes)));
        const bool now = read_and_check(repaired, problem);
        check(now || problem.find("stored twice") != std::string::npos, "a file with the right checksum was refused");
        return 0;
    }
    if (!accepted && ends_with(problem, kMetaProblem)) {
        // Format 2, refused for its meta sum: the header's sizes were checked before it, so the
        // data offset lies within the file.
        const std::uint64_t data_offset = word_at(bytes, kDataOffsetAt);
        check(data_offset >= kDataOffsetAt && data_offset <= size, "a meta sum was checked over a bad data offset");
        std::string meta(bytes.substr(kMagicBytes, data_offset - kMagicBytes));
        set_word(meta, kMetaSumAt - kMagicBytes, 0);
        set_word(meta, kDataSumAt - kMagicBytes, 0);
        set_word(repaired, kMetaSumAt, checksum_of(meta));
        if (!read_and_check(repaired, problem)) {
            check(!ends_with(problem, kMetaProblem), "a file with the right meta sum was refused for it");
            return 0;  // refused for what is checked after the sum (the id table)
        }
    }
    if (ends_with(problem, kDataProblem)) {
        // Accepted but not verified: with the right data sum it must verify.
        const std::uint64_t data_offset = word_at(repaired, kDataOffsetAt);
        set_word(repaired, kDataSumAt, checksum_of(std::string_view(repaired).substr(data_offset)));
        check(read_and_check(repaired, problem) && problem.empty(), "a file with the right data sum did not verify");
    }
    return 0;
}
