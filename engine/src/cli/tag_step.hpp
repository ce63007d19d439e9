// The tagging step as the CLI runs it (`tags generate`, and `sync` when its pipeline has `tag`).
#pragma once

#include "cli/app.hpp"
#include "tags/tagger.hpp"

namespace pmx::cli {

struct TagStepOptions {
    tags::TagOptions tag;
    bool dry_run = false;  // the plan only
    bool ask = false;      // confirm on a terminal before sending
    uint64_t tagged = 0;   // out: tracks tagged by the run
};

// Prints the plan (tracks, requests, tokens, cost); refuses a run whose estimate exceeds the
// budget (nothing sent); asks on a terminal when `ask`; runs with a progress bar; prints the
// counts, the usage and cost, and what the answers needed (repairs, splits, dropped words).
// Returns kExitOk, or kExitFailure when the run ended partial or refused.
int run_tag_step(App& app, CompleterProvider& completer, TagStepOptions& step);

}  // namespace pmx::cli
