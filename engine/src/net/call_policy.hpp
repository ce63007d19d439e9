// Per-provider call policy: timeouts, deadline, retries and limits, as set in the config.
#pragma once

#include <chrono>

namespace pmx {

struct CallPolicy {
    using ms = std::chrono::milliseconds;
    ms timeout{30'000};          // one HTTP attempt, end to end (`timeout:`)
    ms connect_timeout{10'000};  // TCP + TLS handshake (`connect_timeout:`)
    ms deadline{120'000};        // one logical call, all attempts and waits included (`deadline:`)
    int retries = 3;             // retries after the first attempt (`retries:`); 0 = one attempt
    int concurrency = 4;         // calls in flight into this provider at once (`concurrency:`)
    int rpm = 0;                 // HTTP requests per minute, 0 = unlimited (`rpm:`)
    ms backoff_base{500};        // first backoff; doubles per attempt, full jitter
    ms backoff_max{30'000};      // cap of one backoff wait
};

}  // namespace pmx
