// Fuzz target: the vector index file reader (engine/src/vector/index_file.hpp). Input: the
// bytes of an index file. The reader must turn garbage into a problem (never a crash or an
// allocation larger than the file); what it accepts must be self-consistent and be written
// back by write_index_file() byte for byte (the format has one encoding per index).
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

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

std::string read_all(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const fs::path input = scratch.dir() / "input.pmxvec";
    {
        std::ofstream out(input, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
        check(out.good(), "the input could not be written to the scratch folder");
    }
    std::string problem;
    const std::optional<pmx::vec::IndexData> index = pmx::vec::read_index_file(input, &problem);
    if (!index) {
        check(problem.rfind("vector index " + input.string() + ": ", 0) == 0,
              "a rejected file's problem does not name the file");
        return 0;
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
    check(rows * (8 + 4 * std::size_t{index->dim}) <= size, "an accepted index holds more rows than the file");

    const fs::path again = scratch.dir() / "again.pmxvec";
    pmx::vec::write_index_file(again, view);
    check(read_all(again) == pmx::fuzz::as_text(data, size), "an accepted file is not written back byte for byte");
    return 0;
}
