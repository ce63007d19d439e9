// What every fuzz target shares: the libFuzzer entry point's declaration and the invariant check.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

// Defined by each tests/fuzz/fuzz_<target>.cpp; called by libFuzzer (fuzz build) or by
// replay_main.cpp (every build) with one input. Returns 0 (libFuzzer's "keep going").
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace pmx::fuzz {

// A broken invariant is a crash, as a sanitizer report is: it prints what failed and aborts, so
// libFuzzer saves the input and the replay test fails, in every build (asserts are off in Release).
inline void check(bool ok, const char* what) {
    if (ok) return;
    std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
    std::abort();
}

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

}  // namespace pmx::fuzz
