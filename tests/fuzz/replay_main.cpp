// Replays a saved corpus without libFuzzer: runs LLVMFuzzerTestOneInput once on every file of
// the folders (or files) given, in name order, so any compiler (gcc in CI) proves the corpus
// still passes. Prints each input before running it, so a crash names its input.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

#include "fuzz_check.hpp"

namespace fs = std::filesystem;

namespace {

std::vector<fs::path> inputs_of(const fs::path& where) {
    std::vector<fs::path> files;
    std::error_code error;
    if (fs::is_regular_file(where, error)) {
        files.push_back(where);
        return files;
    }
    for (fs::recursive_directory_iterator it(where, error), end; !error && it != end; it.increment(error)) {
        if (it->is_regular_file(error)) files.push_back(it->path());
    }
    if (error) std::fprintf(stderr, "cannot read %s: %s\n", where.c_str(), error.message().c_str());
    std::sort(files.begin(), files.end());
    return files;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
        return 2;
    }
    std::size_t replayed = 0;
    for (int i = 1; i < argc; ++i) {
        for (const fs::path& file : inputs_of(argv[i])) {
            std::ifstream in(file, std::ios::binary);
            const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
            if (!in.good() && !in.eof()) {
                std::fprintf(stderr, "cannot read %s\n", file.c_str());
                return 1;
            }
            std::printf("%s (%zu bytes)\n", file.c_str(), bytes.size());
            std::fflush(stdout);
            LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
            ++replayed;
        }
    }
    std::printf("replayed %zu inputs\n", replayed);
    // An empty or missing corpus proves nothing: fail rather than pass on no input.
    return replayed == 0 ? 1 : 0;
}
