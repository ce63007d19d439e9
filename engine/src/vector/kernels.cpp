// Dot-product kernels: an AVX2+FMA version compiled with a function-level target attribute and
// a portable one; the choice is made once, from what the running CPU reports.
#include "vector/kernels.hpp"

#include <algorithm>
#include <limits>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define PMX_VEC_X86 1
#endif

namespace pmx::vec::kernel {
namespace {

// ---- portable ----------------------------------------------------------------------------

float dot_generic(const float* a, const float* b, size_t dim) {
    // Four independent sums: shorter dependency chains, and the compiler may vectorise them.
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t j = 0;
    for (; j + 4 <= dim; j += 4) {
        s0 += a[j] * b[j];
        s1 += a[j + 1] * b[j + 1];
        s2 += a[j + 2] * b[j + 2];
        s3 += a[j + 3] * b[j + 3];
    }
    for (; j < dim; ++j) s0 += a[j] * b[j];
    return (s0 + s1) + (s2 + s3);
}

void dot_rows_generic(const float* query, const float* rows, size_t n, size_t dim, float* scores) {
    for (size_t i = 0; i < n; ++i) scores[i] = dot_generic(query, rows + i * dim, dim);
}

void dot_rows_i8_generic(const int16_t* query, const int8_t* codes, size_t n, size_t dim,
                         int32_t* scores) {
    for (size_t i = 0; i < n; ++i) {
        const int8_t* row = codes + i * dim;
        int32_t sum = 0;
        for (size_t j = 0; j < dim; ++j) sum += int32_t{query[j]} * int32_t{row[j]};
        scores[i] = sum;
    }
}

// ---- AVX2 + FMA --------------------------------------------------------------------------

#ifdef PMX_VEC_X86
#define PMX_AVX2 __attribute__((target("avx2,fma")))

constexpr size_t kPrefetchRows = 16;
constexpr size_t kCacheLine = 64;

PMX_AVX2 inline float hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 0x55));
    return _mm_cvtss_f32(s);
}

PMX_AVX2 float dot_avx2(const float* a, const float* b, size_t dim) {
    __m256 acc0 = _mm256_setzero_ps();
    __m256 acc1 = _mm256_setzero_ps();
    size_t j = 0;
    for (; j + 16 <= dim; j += 16) {
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + j), _mm256_loadu_ps(b + j), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + j + 8), _mm256_loadu_ps(b + j + 8), acc1);
    }
    for (; j + 8 <= dim; j += 8)
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + j), _mm256_loadu_ps(b + j), acc0);
    float sum = hsum(_mm256_add_ps(acc0, acc1));
    for (; j < dim; ++j) sum += a[j] * b[j];
    return sum;
}

// Four rows per pass: each query load serves four rows.
PMX_AVX2 void dot_rows_avx2(const float* query, const float* rows, size_t n, size_t dim,
                            float* scores) {
    const size_t body = dim & ~size_t{7};
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const float* r0 = rows + i * dim;
        const float* r1 = r0 + dim;
        const float* r2 = r1 + dim;
        const float* r3 = r2 + dim;
        __m256 a0 = _mm256_setzero_ps();
        __m256 a1 = _mm256_setzero_ps();
        __m256 a2 = _mm256_setzero_ps();
        __m256 a3 = _mm256_setzero_ps();
        for (size_t j = 0; j < body; j += 8) {
            const __m256 q = _mm256_loadu_ps(query + j);
            a0 = _mm256_fmadd_ps(q, _mm256_loadu_ps(r0 + j), a0);
            a1 = _mm256_fmadd_ps(q, _mm256_loadu_ps(r1 + j), a1);
            a2 = _mm256_fmadd_ps(q, _mm256_loadu_ps(r2 + j), a2);
            a3 = _mm256_fmadd_ps(q, _mm256_loadu_ps(r3 + j), a3);
        }
        const __m256 s = _mm256_hadd_ps(_mm256_hadd_ps(a0, a1), _mm256_hadd_ps(a2, a3));
        __m128 four = _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
        if (body != dim) {
            float tail[4] = {0, 0, 0, 0};
            for (size_t j = body; j < dim; ++j) {
                tail[0] += query[j] * r0[j];
                tail[1] += query[j] * r1[j];
                tail[2] += query[j] * r2[j];
                tail[3] += query[j] * r3[j];
            }
            four = _mm_add_ps(four, _mm_loadu_ps(tail));
        }
        _mm_storeu_ps(scores + i, four);
    }
    for (; i < n; ++i) scores[i] = dot_avx2(query, rows + i * dim, dim);
}

PMX_AVX2 inline int32_t hsum_epi32(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
    return _mm_cvtsi128_si32(s);
}

PMX_AVX2 inline __m256i load16(const int8_t* p) {
    return _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}

// 16 codes per step: sign-extend int8 → int16, multiply-add pairs with the int16 query into
// int32 lanes (exact; see max_query_code for the overflow bound). Four rows per pass.
PMX_AVX2 void dot_rows_i8_avx2(const int16_t* query, const int8_t* codes, size_t n, size_t dim,
                               int32_t* scores) {
    const size_t body = dim & ~size_t{15};
    auto tail_dot = [&](const int8_t* row) {
        int32_t sum = 0;
        for (size_t j = body; j < dim; ++j) sum += int32_t{query[j]} * int32_t{row[j]};
        return sum;
    };
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const int8_t* r0 = codes + i * dim;
        const int8_t* r1 = r0 + dim;
        const int8_t* r2 = r1 + dim;
        const int8_t* r3 = r2 + dim;
        // Rows of int8 codes are short (dim bytes), so the hardware prefetcher sees many short
        // streams and falls behind: ask for the group kPrefetchRows ahead explicitly.
        if (i + kPrefetchRows + 4 <= n) {
            const int8_t* ahead = r0 + kPrefetchRows * dim;
            for (size_t offset = 0; offset < 4 * dim; offset += kCacheLine)
                _mm_prefetch(reinterpret_cast<const char*>(ahead + offset), _MM_HINT_T0);
        }
        __m256i a0 = _mm256_setzero_si256();
        __m256i a1 = _mm256_setzero_si256();
        __m256i a2 = _mm256_setzero_si256();
        __m256i a3 = _mm256_setzero_si256();
        for (size_t j = 0; j < body; j += 16) {
            const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(query + j));
            a0 = _mm256_add_epi32(a0, _mm256_madd_epi16(q, load16(r0 + j)));
            a1 = _mm256_add_epi32(a1, _mm256_madd_epi16(q, load16(r1 + j)));
            a2 = _mm256_add_epi32(a2, _mm256_madd_epi16(q, load16(r2 + j)));
            a3 = _mm256_add_epi32(a3, _mm256_madd_epi16(q, load16(r3 + j)));
        }
        scores[i] = hsum_epi32(a0) + tail_dot(r0);
        scores[i + 1] = hsum_epi32(a1) + tail_dot(r1);
        scores[i + 2] = hsum_epi32(a2) + tail_dot(r2);
        scores[i + 3] = hsum_epi32(a3) + tail_dot(r3);
    }
    for (; i < n; ++i) {
        const int8_t* row = codes + i * dim;
        __m256i acc = _mm256_setzero_si256();
        for (size_t j = 0; j < body; j += 16) {
            const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(query + j));
            acc = _mm256_add_epi32(acc, _mm256_madd_epi16(q, load16(row + j)));
        }
        scores[i] = hsum_epi32(acc) + tail_dot(row);
    }
}
#endif  // PMX_VEC_X86

struct Kernels {
    float (*dot)(const float*, const float*, size_t);
    void (*dot_rows)(const float*, const float*, size_t, size_t, float*);
    void (*dot_rows_i8)(const int16_t*, const int8_t*, size_t, size_t, int32_t*);
    const char* isa;
};

Kernels pick() {
#ifdef PMX_VEC_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return {dot_avx2, dot_rows_avx2, dot_rows_i8_avx2, "avx2"};
#endif
    return {dot_generic, dot_rows_generic, dot_rows_i8_generic, "generic"};
}

const Kernels& kernels() {
    static const Kernels chosen = pick();
    return chosen;
}

}  // namespace

float dot(const float* a, const float* b, size_t dim) { return kernels().dot(a, b, dim); }

void dot_rows(const float* query, const float* rows, size_t n, size_t dim, float* scores) {
    kernels().dot_rows(query, rows, n, dim, scores);
}

void dot_rows_i8(const int16_t* query, const int8_t* codes, size_t n, size_t dim, int32_t* scores) {
    kernels().dot_rows_i8(query, codes, n, dim, scores);
}

int32_t max_query_code(size_t dim) {
    constexpr int64_t code_max = 127;
    const int64_t limit = std::numeric_limits<int32_t>::max() / (code_max * static_cast<int64_t>(std::max<size_t>(dim, 1)));
    return static_cast<int32_t>(std::clamp<int64_t>(limit, 1, std::numeric_limits<int16_t>::max()));
}

const char* isa() { return kernels().isa; }

}  // namespace pmx::vec::kernel
