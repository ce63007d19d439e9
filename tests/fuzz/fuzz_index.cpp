// Fuzz target: the vector index file reader (engine/src/vector/index_file.hpp). Input: the
// bytes of an index file. The reader must turn garbage into a problem (never a crash or an
// allocation larger than the file); what it accepts must be self-consistent and be written
// back by write_index_file() byte for byte (the format has one encoding per index). A file
// refused only for its checksum is read again with the checksum made right (computed here,
// independently of index_file.cpp), so that mutated files reach the accepting path too.
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>

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
constexpr std::string_view kChecksumProblem = "corrupt (checksum mismatch)";

void write_file(const fs::path& file, std::string_view bytes) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    check(out.good(), "an input could not be written to the scratch folder");
}

bool ends_with(std::string_view text, std::string_view end) {
    return text.size() >= end.size() && text.substr(text.size() - end.size()) == end;
}

std::string read_all(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Reads `bytes` as a file; what it accepts must be consistent and written back unchanged.
std::optional<pmx::vec::IndexData> read_and_check(std::string_view bytes, std::string& problem) {
    const fs::path input = scratch.dir() / "input.pmxvec";
    write_file(input, bytes);
    problem.clear();
    std::optional<pmx::vec::IndexData> index = pmx::vec::read_index_file(input, &problem);
    if (!index) {
        check(problem.rfind("vector index " + input.string() + ": ", 0) == 0,
              "a rejected file's problem does not name the file");
        return index;
    }
    check(problem.empty(), "an accepted file came with a problem");
    check(index->dim > 0, "an accepted index has dimension 0");
    check(!index->lists.empty(), "an accepted index has no list");
    check(index->centroids.empty() || index->centroids.size() == index->lists.size() * index->dim,
          "an accepted index has centroids that are not lists x dim floats");
    std::size_t rows = 0;
    pmx::vec::IndexView view;
    view.dim = index->dim;
    view.stamp = index->stamp;
    view.centroids = index->centroids;
    for (const pmx::vec::ListData& list : index->lists) {
        check(list.rows.size() == list.ids.size() * index->dim, "a list's rows are not ids x dim floats");
        rows += list.ids.size();
        view.lists.push_back({list.ids, list.rows});
    }
    check(rows * (8 + 4 * std::size_t{index->dim}) <= bytes.size(), "an accepted index holds more rows than the file");

    const fs::path again = scratch.dir() / "again.pmxvec";
    pmx::vec::write_index_file(again, view);
    check(read_all(again) == bytes, "an accepted file is not written back byte for byte");
    return index;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes = pmx::fuzz::as_text(data, size);
    std::string problem;
    if (read_and_check(bytes, problem) || !ends_with(problem, kChecksumProblem)) return 0;

    // Refused for its checksum alone: with the right one, the same file must be accepted.
    check(size >= kMagicBytes + kSumBytes, "a file too short for a checksum failed on its checksum");
    std::string repaired(bytes);
    const std::uint64_t sum = checksum_of(bytes.substr(kMagicBytes, size - kMagicBytes - kSumBytes));
    std::memcpy(repaired.data() + size - kSumBytes, &sum, kSumBytes);
    check(read_and_check(repaired, problem).has_value(), "a file with the right checksum was refused");
    return 0;
}
