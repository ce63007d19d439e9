// How many BLAS threads a large embedding call uses: the cores nobody else keeps busy.
#pragma once

#include <algorithm>
#include <cmath>

namespace pmx::localst {

// `cores` online, `load` the 1-minute load average, `ours` the BLAS threads this process runs
// now (a busy thread of ours is in the load too). At least 1, at most `cores`.
// Measured on the 2-core build machine (`plexmix demo`, 3,000 texts): idle, 2 threads 4.8 s
// against 8.0 s for 1; with another build running, 2 threads were slower than 1 (each BLAS
// thread waits for the slower one), which is why the spare cores decide, not the cores.
inline unsigned blas_threads_for(unsigned cores, double load, unsigned ours) {
    if (cores == 0) return 1;
    const double others = std::max(0.0, load - static_cast<double>(ours));
    const long spare = std::lround(static_cast<double>(cores) - others);
    return static_cast<unsigned>(std::clamp(spare, 1L, static_cast<long>(cores)));
}

}  // namespace pmx::localst
