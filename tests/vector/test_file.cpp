// The index file: round trip (mapped, searched in place), atomic replacement under a reader,
// the older floats-only format, and every kind of bad file giving a one-line problem instead
// of a crash.
#include "support/index_format1.hpp"
#include "support/test_util.hpp"
#include "vector/vector_index.hpp"
#include "vector_data.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
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
    REQUIRE(loaded->mapped());  // searched in place: nothing read, decoded or copied
    REQUIRE_FALSE(loaded->outdated_file());
    REQUIRE(loaded->verify(&problem));
    REQUIRE(loaded->contains(index->ids()[7]));
    REQUIRE_FALSE(loaded->contains(3));
    const std::vector<float> queries = t::clustered(5, kDim, 5, 11);
    auto same_answers = [&] {
        for (size_t q = 0; q < 5; ++q) {
            std::span<const float> query(queries.data() + q * kDim, kDim);
            const auto a = index->search(query, 25);
            const auto b = loaded->search(query, 25);
            REQUIRE(t::ids_of(a) == t::ids_of(b));
            for (size_t i = 0; i < a.size(); ++i) REQUIRE(a[i].score == b[i].score);
        }
    };
    same_answers();
    // Nothing left behind but the file itself.
    REQUIRE(std::distance(std::filesystem::directory_iterator(dir.path()), {}) == 1);

    // The first change copies it into memory; it then changes like any index.
    const std::vector<int64_t> gone = {index->ids()[0], index->ids()[499]};
    const std::vector<int64_t> added = {5};
    const std::vector<float> row = t::clustered(1, kDim, 5, 12);
    for (VectorIndex* changed : {index.get(), loaded.get()}) {
        REQUIRE(changed->remove(gone) == 2);
        changed->upsert(added, row);
    }
    REQUIRE_FALSE(loaded->mapped());
    REQUIRE(loaded->ids() == index->ids());
    same_answers();
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
    SECTION("a flipped bit in the stamp") {
        std::string flipped = bytes;
        const size_t at = bytes.find("rows=50");
        REQUIRE(at != std::string::npos);
        flipped[at] = static_cast<char>(flipped[at] ^ 0x01);
        write_all(bad, flipped);
        require_problem(bad);
    }
    SECTION("a flipped bit in an id") {
        const int64_t id = t::sparse_ids(50)[10];
        const size_t at = bytes.find(std::string(reinterpret_cast<const char*>(&id), sizeof id));
        REQUIRE(at != std::string::npos);
        std::string flipped = bytes;
        flipped[at] = static_cast<char>(flipped[at] ^ 0x01);
        write_all(bad, flipped);
        require_problem(bad);
    }
    SECTION("a huge row count in the header") {
        std::string lying = bytes;
        for (size_t i = 48; i < 56; ++i) lying[i] = '\x7f';  // the row count field
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

TEST_CASE("a damaged vector is not read at open: verify() finds it, searches pass it over", "[file]") {
    t::TempDir dir;
    const auto file = dir / "model.pmxvec";
    sample(50)->save(file);
    // The file ends with the vectors: make the last row's last coordinate not a number.
    std::string bytes = read_all(file);
    const uint32_t nan_bits = 0x7fc00000u;
    std::memcpy(bytes.data() + bytes.size() - sizeof nan_bits, &nan_bits, sizeof nan_bits);
    write_all(file, bytes);

    std::string problem;
    auto index = VectorIndex::load(file, &problem);
    INFO(problem);
    REQUIRE(index);  // opening reads the header and the id table only
    REQUIRE_FALSE(index->verify(&problem));
    REQUIRE(problem.find("checksum") != std::string::npos);
    REQUIRE(problem.find(file.filename().string()) != std::string::npos);
    const std::vector<float> query = t::clustered(1, kDim, 5, 11);
    const auto hits = index->search(query, 50);
    REQUIRE(hits.size() == 49);
    for (const auto& hit : hits) REQUIRE(std::isfinite(hit.score));
}

TEST_CASE("a file replaced while mapped: the reader keeps its own, the next load gets the new", "[file]") {
    t::TempDir dir;
    const auto file = dir / "model.pmxvec";
    sample(50)->save(file);
    std::string problem;
    auto reader = VectorIndex::load(file, &problem);
    REQUIRE(reader);
    REQUIRE(reader->mapped());
    const std::vector<float> query = t::clustered(1, kDim, 5, 11);
    const auto before = reader->search(query, 10);

    auto replacement = VectorIndex::create(kDim);
    replacement->upsert(t::sparse_ids(30, 90'000), t::clustered(30, kDim, 5, 99));
    replacement->save(file);

    REQUIRE(reader->ids() == t::sparse_ids(50));
    const auto after = reader->search(query, 10);
    REQUIRE(t::ids_of(after) == t::ids_of(before));
    for (size_t i = 0; i < after.size(); ++i) REQUIRE(after[i].score == before[i].score);
    auto next = VectorIndex::load(file, &problem);
    REQUIRE(next);
    REQUIRE(next->ids() == t::sparse_ids(30, 90'000));
}

TEST_CASE("a file of the older floats-only format is read the old way, and saved in the new", "[file]") {
    t::TempDir dir;
    constexpr size_t kRows = 300;
    const std::vector<int64_t> ids = t::sparse_ids(kRows);
    const std::vector<float> rows = t::clustered(kRows, kDim, 5, 3);
    const std::vector<float> queries = t::clustered(3, kDim, 5, 11);
    std::vector<int64_t> candidates;
    for (size_t i = 0; i < kRows; i += 4) candidates.push_back(ids[i]);

    // Exact (one list) and approximate (two lists, their first rows as centroids).
    for (const size_t lists : {size_t{1}, size_t{2}}) {
        INFO(lists << " list(s)");
        std::vector<t::Format1List> stored(lists);
        std::vector<float> centroids;
        for (size_t i = 0; i < kRows; ++i) {
            t::Format1List& list = stored[i % lists];
            list.ids.push_back(ids[i]);
            list.rows.insert(list.rows.end(), rows.begin() + static_cast<ptrdiff_t>(i * kDim),
                             rows.begin() + static_cast<ptrdiff_t>((i + 1) * kDim));
            if (lists > 1 && i < lists) centroids.insert(centroids.end(), list.rows.begin(), list.rows.end());
        }
        const auto old_file = dir / ("old-" + std::to_string(lists) + ".pmxvec");
        t::write_format1_index(old_file, kDim, "old stamp", centroids, stored);

        std::string problem;
        auto old = VectorIndex::load(old_file, &problem);
        INFO(problem);
        REQUIRE(old);
        REQUIRE_FALSE(old->mapped());
        REQUIRE(old->outdated_file());
        REQUIRE(old->approximate() == (lists > 1));
        REQUIRE(old->stamp() == "old stamp");
        REQUIRE(old->ids() == ids);

        const auto new_file = dir / ("new-" + std::to_string(lists) + ".pmxvec");
        old->save(new_file);
        auto saved = VectorIndex::load(new_file, &problem);
        REQUIRE(saved);
        REQUIRE(saved->mapped());
        REQUIRE_FALSE(saved->outdated_file());
        for (size_t q = 0; q < 3; ++q) {
            std::span<const float> query(queries.data() + q * kDim, kDim);
            for (const VectorIndex* index : {old.get(), saved.get()}) {
                t::require_exact_top(index->search(query, 20), t::brute_force(ids, rows, kDim, query, 20));
                t::require_exact_top(index->search(query, 20, &candidates),
                                     t::brute_force(ids, rows, kDim, query, 20, &candidates));
            }
        }
    }
}
