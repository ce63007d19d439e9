// Dot-product kernels for the vector index, picked once at run time (AVX2+FMA when the CPU has
// it, portable C++ otherwise), so one binary serves every x86-64 machine.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pmx::vec::kernel {

// The dot product of two vectors of `dim` floats.
float dot(const float* a, const float* b, size_t dim);

// scores[i] = dot(query, rows + i·dim) for i in [0, n). rows: n × dim floats, row-major;
// query: dim floats; scores: n floats.
void dot_rows(const float* query, const float* rows, size_t n, size_t dim, float* scores);

// scores[i] = dot(query, codes + i·dim) as an exact integer, for int8 codes (n × dim, row-major)
// against an int16 query (dim values). The caller keeps |query| small enough that
// dim · 127 · max|query| < 2^31 (see max_query_code()).
void dot_rows_i8(const int16_t* query, const int8_t* codes, size_t n, size_t dim, int32_t* scores);

// The largest query code magnitude for which dot_rows_i8 cannot overflow at this dim.
int32_t max_query_code(size_t dim);

// Which implementation was chosen ("avx2" or "generic"), for benchmarks and logs.
const char* isa();

}  // namespace pmx::vec::kernel
