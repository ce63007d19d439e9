// What `plexmix create` and `plexmix demo` share: running the generate pipeline, printing it.
#pragma once

#include <iosfwd>

#include "cli/app.hpp"
#include "generate/pipeline.hpp"

namespace pmx::cli {

// Runs the config's `generate` pipeline (ConfigError when it is wrong) for `input` over the
// app's sources: --source names in input.options.sources, else use.media. Media providers are
// opened only when publishing. Throws UsageError for a bad option value, std::runtime_error
// when a source has never been synced.
gen::GenerateContext generate_playlist(App& app, gen::GenerateInput input, const gen::PipelineSpec& pipeline);

// The playlist as a table (with rank, similarity and the filters passed when `explain`),
// preceded by a heading and followed by what was published or saved.
void print_playlist(std::ostream& out, const gen::GenerateContext& ctx, const gen::PipelineSpec& pipeline,
                    bool explain);
// Why a playlist did not reach its server, and how to finish it, one block per server.
void print_publish_failures(std::ostream& err, const gen::GenerateContext& ctx);
// The same as one JSON object.
void print_playlist_json(std::ostream& out, const gen::GenerateContext& ctx, const gen::PipelineSpec& pipeline);

// "3:25" / "1:02:03" for milliseconds.
std::string length_text(int64_t ms);

}  // namespace pmx::cli
