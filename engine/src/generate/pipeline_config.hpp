// The pipelines a config may name (sync, tag, generate), their steps, and checking them all.
#pragma once

// ARCHITECTURE.md: sync: [scan, embed]; tag: [tag, embed]; generate: [parse, filter, retrieve,
// select, diversify, order, publish]. The config loader checks every configured pipeline
// here, so that every command and `plexmix config check` report all problems at once.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pmx {
struct Config;
struct Pipeline;
class IssueCollector;
}  // namespace pmx

namespace pmx::gen {

// "sync", "tag", "generate".
const std::vector<std::string>& pipeline_names();

// The built-in steps of pipeline `name` when the config has none: sync [scan, embed], tag
// [tag, embed], generate [parse, filter, retrieve, select, diversify, order, publish].
std::vector<std::string> default_steps(std::string_view name);

// A short example of the pipeline's steps for messages ("[scan, embed]"); "" for an unknown name.
std::string_view pipeline_example(std::string_view name);

// Adds to `issues`, at FILE:LINE:COL, every problem of the steps of the configured pipelines
// (whose names are known; the loader reports unknown names): an empty list, an unknown step
// or option, a step given twice or out of order, a bad option value, a required step missing
// (sync needs scan; tag needs tag; generate needs filter, which applies the prompt's and the
// command line's filters).
void check_pipelines(const std::vector<Pipeline>& pipelines, IssueCollector& issues);

// Whether `plexmix sync` embeds after scanning: the sync pipeline has `embed` (the default does).
bool sync_embeds(const Config& config);

// Whether `plexmix sync` tags new and changed tracks: the sync pipeline has `tag` (the default
// does not: a sync pays an LLM only when the config says so).
bool sync_tags(const Config& config);

// Whether `plexmix tags generate` embeds the re-tagged tracks: the tag pipeline has `embed`
// (the default, [tag, embed], does).
bool tag_embeds(const Config& config);

// The `budget` option of the tag step of pipeline `pipeline` ("sync" or "tag"), when set.
std::optional<double> tag_budget(const Config& config, std::string_view pipeline);

}  // namespace pmx::gen
