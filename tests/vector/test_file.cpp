// The index file: round trip, atomic replacement, and every kind of bad file giving a one-line
// problem instead of a crash.
#include "support/test_util.hpp"
#include "vector/vector_index.hpp"
#include "vector_data.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>

using pmx::vec::VectorIndex;
namespace t = pmx::test;

namespace {

constexpr uint32_t kDim = 24;

std::string read_all(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_all(const std::filesystem::path& file, const std::string& bytes) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::unique_ptr<VectorIndex> sample(size_t n) {
    auto index = VectorIndex::create(kDim);
    index->upsert(t::sparse_ids(n), t::clustered(n, kDim, 5, 3));
    index->set_stamp("model=test;rows=" + std::to_string(n));
    return index;
}

// load() must fail with a single-line problem that names the file.
void require_problem(const std::filesystem::path& file) {
    std::string problem;
    auto index = VectorIndex::load(file, &problem);
    REQUIRE(index == nullptr);
    INFO(problem);
    REQUIRE_FALSE(problem.empty());
    REQUIRE(problem.find('\n') == std::string::npos);
    REQUIRE(problem.find(file.filename().string()) != std::string::npos);
}

}  // namespace

TEST_CASE("save and load round-trip ids, vectors, dim and stamp", "[file]") {
    t::TempDir dir;
    const auto file = dir / "model.pmxvec";
    auto index = sample(500);
    index->save(file);

    std::string problem;
    auto loaded = VectorIndex::load(file, &problem);
    INFO(problem);
    REQUIRE(loaded);
    REQUIRE(problem.empty());
    REQUIRE(loaded->dim() == kDim);
    REQUIRE(loaded->size() == 500);
    REQUIRE(loaded->stamp() == "model=test;rows=500");
    REQUIRE(loaded->ids() == index->ids());
    const std::vector<float> queries = t::clustered(5, kDim, 5, 11);
    for (size_t q = 0; q < 5; ++q) {
        std::span<const float> query(queries.data() + q * kDim, kDim);
        const auto a = index->search(query, 25);
        const auto b = loaded->search(query, 25);
        REQUIRE(t::ids_of(a) == t::ids_of(b));
        for (size_t i = 0; i < a.size(); ++i) REQUIRE(a[i].score == b[i].score);
    }
    // Nothing left behind but the file itself.
    REQUIRE(std::distance(std::filesystem::directory_iterator(dir.path()), {}) == 1);
}

TEST_CASE("an empty index round-trips", "[file]") {
    t::TempDir dir;
    auto index = VectorIndex::create(kDim);
    index->save(dir / "empty.pmxvec");
    std::string problem;
    auto loaded = VectorIndex::load(dir / "empty.pmxvec", &problem);
    REQUIRE(loaded);
    REQUIRE(loaded->size() == 0);
    REQUIRE(loaded->dim() == kDim);
    REQUIRE(loaded->stamp().empty());
}

TEST_CASE("save replaces an existing file", "[file]") {
    t::TempDir dir;
    const auto file = dir / "model.pmxvec";
    sample(100)->save(file);
    sample(40)->save(file);
    std::string problem;
    auto loaded = VectorIndex::load(file, &problem);
    REQUIRE(loaded);
    REQUIRE(loaded->size() == 40);
}

TEST_CASE("save into a missing folder throws and leaves nothing", "[file]") {
    t::TempDir dir;
    REQUIRE_THROWS_AS(sample(10)->save(dir / "no-such-folder" / "model.pmxvec"), std::runtime_error);
}

TEST_CASE("a missing file is a problem, not a crash", "[file]") {
    t::TempDir dir;
    require_problem(dir / "absent.pmxvec");
}

TEST_CASE("a truncated file is a problem at every cut", "[file]") {
    t::TempDir dir;
    const auto good = dir / "good.pmxvec";
    sample(50)->save(good);
    const std::string bytes = read_all(good);
    const auto cut = dir / "cut.pmxvec";
    // Every cut inside the header and the stamp, then a spread through the rows.
    for (size_t size = 0; size < bytes.size(); size += (size < 128 ? 1 : 97)) {
        write_all(cut, bytes.substr(0, size));
        INFO("cut at " << size << " of " << bytes.size());
        require_problem(cut);
    }
    write_all(cut, bytes.substr(0, bytes.size() - 1));
    require_problem(cut);
}

TEST_CASE("corrupt, foreign and future files are problems", "[file]") {
    t::TempDir dir;
    const auto good = dir / "good.pmxvec";
    sample(50)->save(good);
    const std::string bytes = read_all(good);
    const auto bad = dir / "bad.pmxvec";

    SECTION("garbage") {
        std::string garbage(4096, '\0');
        for (size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<char>((i * 7919) % 251);
        write_all(bad, garbage);
        require_problem(bad);
    }
    SECTION("a text file") {
        write_all(bad, "hello, I am not an index\n");
        require_problem(bad);
    }
    SECTION("a flipped bit in the rows") {
        std::string flipped = bytes;
        flipped[bytes.size() / 2] = static_cast<char>(flipped[bytes.size() / 2] ^ 0x10);
        write_all(bad, flipped);
        require_problem(bad);
    }
    SECTION("a flipped bit in an id") {
        std::string flipped = bytes;
        flipped[bytes.size() - 200] = static_cast<char>(flipped[bytes.size() - 200] ^ 0x01);
        write_all(bad, flipped);
        require_problem(bad);
    }
    SECTION("a huge row count in the header") {
        std::string lying = bytes;
        for (size_t i = 24; i < 32; ++i) lying[i] = '\x7f';  // the row count field
        write_all(bad, lying);
        require_problem(bad);
    }
    SECTION("another format version") {
        std::string future = bytes;
        future[8] = 99;  // the version field follows the 8-byte magic
        write_all(bad, future);
        require_problem(bad);
    }
    SECTION("trailing bytes") {
        write_all(bad, bytes + "xx");
        require_problem(bad);
    }
    SECTION("a directory") {
        std::filesystem::create_directory(dir / "folder.pmxvec");
        require_problem(dir / "folder.pmxvec");
    }
}

TEST_CASE("the dimension is read from the file, for the caller to compare", "[file]") {
    t::TempDir dir;
    auto index = VectorIndex::create(16);
    const std::vector<int64_t> ids = {1};
    std::vector<float> row(16, 0.25f);
    index->upsert(ids, row);
    index->save(dir / "m.pmxvec");
    std::string problem;
    auto loaded = VectorIndex::load(dir / "m.pmxvec", &problem);
    REQUIRE(loaded);
    REQUIRE(loaded->dim() == 16);
    // A model that now embeds in 32 dims: the old index refuses its queries instead of
    // reading past the end of them.
    const std::vector<float> query32(32, 0.1f);
    REQUIRE_THROWS_AS(loaded->search(query32, 1), std::invalid_argument);
}
