// Writes a vector index file of format 1 (what plexmix wrote before index files were mapped),
// from that format's documented layout and with its own checksum, to test that such files
// are still read.
#pragma once

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

namespace pmx::test {

struct Format1List {
    std::vector<int64_t> ids;
    std::vector<float> rows;  // ids.size() × dim floats
};

// Format 1: magic "PMXVEC\r\n" · u32 version (1) · u32 dim · u32 lists · u32 flags (bit 0:
// centroids) · u64 rows · u64 stamp bytes · stamp · centroids (lists × dim f32, when flagged)
// · row count of each list (u64) · each list's ids (i64) then rows (f32) · u64 checksum of
// everything after the magic: 8-byte words mixed by a multiply-xorshift step, a last partial
// word zero-padded and tagged with its length, then the count of whole words.
inline void write_format1_index(const std::filesystem::path& file, uint32_t dim, std::string_view stamp,
                                std::span<const float> centroids, const std::vector<Format1List>& lists) {
    std::string body;
    auto put = [&body](const void* data, size_t bytes) { body.append(static_cast<const char*>(data), bytes); };
    auto put32 = [&put](uint32_t v) { put(&v, sizeof v); };
    auto put64 = [&put](uint64_t v) { put(&v, sizeof v); };
    uint64_t rows = 0;
    for (const Format1List& list : lists) rows += list.ids.size();
    put32(1);
    put32(dim);
    put32(static_cast<uint32_t>(lists.size()));
    put32(centroids.empty() ? 0 : 1);
    put64(rows);
    put64(stamp.size());
    put(stamp.data(), stamp.size());
    put(centroids.data(), centroids.size_bytes());
    for (const Format1List& list : lists) put64(list.ids.size());
    for (const Format1List& list : lists) {
        REQUIRE(list.rows.size() == list.ids.size() * dim);
        put(list.ids.data(), list.ids.size() * sizeof(int64_t));
        put(list.rows.data(), list.rows.size() * sizeof(float));
    }

    constexpr uint64_t kSeed = 0x84222325CBF29CE4ull;
    constexpr uint64_t kMultiplier = 0x9E3779B97F4A7C15ull;
    auto step = [](uint64_t h, uint64_t w) {
        h = (h ^ w) * kMultiplier;
        return h ^ (h >> 29);
    };
    uint64_t sum = kSeed, words = 0;
    size_t at = 0;
    for (; body.size() - at >= 8; at += 8, ++words) {
        uint64_t w = 0;
        std::memcpy(&w, body.data() + at, 8);
        sum = step(sum, w);
    }
    if (const size_t rest = body.size() - at; rest > 0) {
        uint64_t w = 0;
        std::memcpy(&w, body.data() + at, rest);
        sum = step(sum, w ^ (uint64_t{rest} << 56));
    }
    sum = step(sum, words);

    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write("PMXVEC\r\n", 8);
    out.write(body.data(), static_cast<std::streamsize>(body.size()));
    out.write(reinterpret_cast<const char*>(&sum), sizeof sum);
    REQUIRE(out.good());
}

}  // namespace pmx::test
