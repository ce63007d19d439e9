// The embedding step as the CLI runs it (`embeddings generate|rebuild`, after `sync`).
#pragma once

#include "cli/app.hpp"

namespace pmx::cli {

// Embeds the new and changed tracks (every track with `reembed_all`) with `embedder`, with a
// progress bar, then prints the notes and one summary line on stdout. Returns kExitOk, or
// kExitFailure when some tracks could not be embedded (Ctrl+C is left to run_guarded).
int run_embed_step(App& app, EmbedderProvider& embedder, bool reembed_all);

}  // namespace pmx::cli
