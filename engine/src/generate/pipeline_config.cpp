// The configured pipelines checked (names, steps, options, order, required steps), the
// `generate` pipeline's built-in default and the config's version, and its JSON.
#include "generate/pipeline_config.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>
#include <span>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "config/config.hpp"
#include "config/values.hpp"
#include "generate/pipeline.hpp"

namespace pmx::gen {
namespace {

constexpr std::array kStepNames{
    std::pair{StepKind::parse, std::string_view("parse")},
    std::pair{StepKind::filter, std::string_view("filter")},
    std::pair{StepKind::retrieve, std::string_view("retrieve")},
    std::pair{StepKind::select, std::string_view("select")},
    std::pair{StepKind::diversify, std::string_view("diversify")},
    std::pair{StepKind::order, std::string_view("order")},
    std::pair{StepKind::publish, std::string_view("publish")},
};

constexpr std::array kOrderModes{
    std::pair{OrderMode::similarity, std::string_view("similarity")},
    std::pair{OrderMode::smooth, std::string_view("smooth")},
    std::pair{OrderMode::alternate, std::string_view("alternate")},
    std::pair{OrderMode::random, std::string_view("random")},
};

constexpr size_t kMaxDepth = 100'000;
constexpr int kMaxCap = 1000;

constexpr std::string_view kSync = "sync";
constexpr std::string_view kTag = "tag";
constexpr std::string_view kGenerate = "generate";

// The steps of sync and tag, in their order. `tag` (LLM tags) is never in the default sync: a
// sync starts paying an LLM only when the config says so.
constexpr std::array<std::string_view, 3> kSyncSteps{"scan", "tag", "embed"};
constexpr std::array<std::string_view, 2> kTagSteps{"tag", "embed"};
constexpr std::string_view kTagStep = "tag";
constexpr std::string_view kBudgetOption = "budget";
constexpr double kMaxBudgetUsd = 1'000'000;

struct PipelineDef {
    std::string_view name;
    std::string_view example;
};
constexpr std::array kPipelines{
    PipelineDef{kSync, "[scan, embed]"},
    PipelineDef{kTag, "[tag, embed]"},
    PipelineDef{kGenerate, "[parse, filter, retrieve]"},
};

std::string in_quotes(std::string_view text) { return "\"" + std::string(text) + "\""; }

std::string listed(std::span<const std::string_view> names) {
    std::string text;
    for (const auto name : names) {
        if (!text.empty()) text += ", ";
        text += name;
    }
    return text;
}

// Checks the names of a pipeline's steps against `order` (the pipeline's steps, in order):
// unknown, not built yet, given twice, out of order. Calls `accept(step, index)` for each
// step that passes. Returns false when a step name is unknown (a typo, likely of a required step).
template <class Accept>
bool check_step_names(const Pipeline& pipeline, std::span<const std::string_view> order, IssueCollector& issues,
                      Accept&& accept) {
    const std::vector<std::string> candidates(order.begin(), order.end());
    bool names_known = true;
    std::vector<std::pair<size_t, Mark>> seen;  // index in `order`, where
    for (const PipelineStep& step : pipeline.steps) {
        const auto found = std::find(order.begin(), order.end(), step.name);
        if (found == order.end()) {
            const std::string steps = " (steps: " + listed(order) + ")";
            issues.add(step.mark, "unknown step " + in_quotes(step.name) + " in pipeline " + pipeline.name +
                                      did_you_mean(step.name, candidates) + steps);
            names_known = false;
            continue;
        }
        const auto index = static_cast<size_t>(found - order.begin());
        const auto twice = std::find_if(seen.begin(), seen.end(), [&](const auto& s) { return s.first == index; });
        if (twice != seen.end()) {
            issues.add(step.mark, "step " + in_quotes(step.name) + " appears twice in pipeline " + pipeline.name +
                                      " (first at " + twice->second.to_string() + ")");
            continue;
        }
        if (!seen.empty() && seen.back().first > index) {
            issues.add(step.mark, "step " + in_quotes(step.name) + " must come before " + in_quotes(order[seen.back().first]) +
                                      " (order: " + listed(order) + ")");
        }
        seen.emplace_back(index, step.mark);
        accept(step, index);
    }
    return names_known;
}

void unknown_option(const StepOption& option, const PipelineStep& step, const std::string& pipeline,
                    const std::vector<std::string_view>& allowed, IssueCollector& issues) {
    std::string hint = allowed.empty() ? "it takes no options" : "options:";
    for (size_t i = 0; i < allowed.size(); ++i) hint += std::string(i ? ", " : " ") + std::string(allowed[i]);
    issues.add(option.mark,
               "unknown option " + in_quotes(option.key) + " of step " + step.name + " in pipeline " + pipeline + " (" + hint + ")");
}

bool has_step(const Pipeline& pipeline, std::string_view name) {
    return std::any_of(pipeline.steps.begin(), pipeline.steps.end(), [&](const PipelineStep& s) { return s.name == name; });
}

// sync: [scan, tag, embed]; scan is what reads the servers. tag: [tag, embed]; tag is what
// tags. The tag step takes `budget` (US dollars: a run whose estimate exceeds it sends nothing).
void check_sync_or_tag(const Pipeline& pipeline, IssueCollector& issues) {
    const std::span<const std::string_view> order =
        pipeline.name == kSync ? std::span<const std::string_view>(kSyncSteps) : std::span<const std::string_view>(kTagSteps);
    const bool names_known = check_step_names(pipeline, order, issues, [&](const PipelineStep& step, size_t) {
        for (const StepOption& option : step.options) {
            if (step.name == kTagStep && option.key == kBudgetOption) {
                const auto usd = parse_decimal(option.value);
                if (!usd || *usd > kMaxBudgetUsd) {
                    issues.add(option.mark, "option budget of step tag in pipeline " + pipeline.name +
                                                " must be US dollars such as 2.50, got " + in_quotes(option.value));
                }
                continue;
            }
            unknown_option(option, step, pipeline.name,
                           step.name == kTagStep ? std::vector<std::string_view>{kBudgetOption}
                                                 : std::vector<std::string_view>{},
                           issues);
        }
    });
    if (pipeline.name == kSync && names_known && !has_step(pipeline, "scan")) {
        issues.add(pipeline.mark, "pipeline sync has no step \"scan\", which reads the servers");
    }
    if (pipeline.name == kTag && names_known && !has_step(pipeline, kTagStep)) {
        issues.add(pipeline.mark, "pipeline tag has no step \"tag\", which tags the tracks");
    }
}

std::optional<int64_t> parse_int(std::string_view text) {
    int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

// The options each step accepts.
std::vector<std::string_view> accepted(StepKind kind) {
    switch (kind) {
        case StepKind::retrieve: return {"depth", "seed"};
        case StepKind::parse: return {"llm"};
        case StepKind::select: return {"llm"};
        case StepKind::diversify: return {"per_artist", "per_album"};
        case StepKind::order: return {"mode", "seed"};
        default: return {};
    }
}

}  // namespace

std::string_view to_string(StepKind kind) {
    for (const auto& [k, text] : kStepNames) {
        if (k == kind) return text;
    }
    return "?";
}

std::string_view to_string(OrderMode mode) {
    for (const auto& [m, text] : kOrderModes) {
        if (m == mode) return text;
    }
    return "?";
}

std::optional<OrderMode> parse_order_mode(std::string_view text) {
    for (const auto& [m, name] : kOrderModes) {
        if (name == text) return m;
    }
    return std::nullopt;
}

const StepSpec* PipelineSpec::find(StepKind kind) const {
    const auto it = std::find_if(steps.begin(), steps.end(), [&](const StepSpec& s) { return s.kind == kind; });
    return it == steps.end() ? nullptr : &*it;
}

std::vector<std::string> default_steps(std::string_view name) {
    if (name == kSync) return {"scan", "embed"};
    if (name == kTag) return {std::string(kTagStep), "embed"};
    std::vector<std::string> steps;
    if (name == kGenerate) {
        for (const auto& step : kStepNames) steps.emplace_back(step.second);
    }
    return steps;
}

PipelineSpec default_generate_pipeline() {
    PipelineSpec spec;
    for (const auto& [kind, name] : kStepNames) {
        StepSpec step;
        step.kind = kind;
        spec.steps.push_back(step);
    }
    return spec;
}

namespace {

// The generate pipeline of the config as a spec; every problem goes to `issues`.
PipelineSpec parse_generate(const Pipeline& configured, IssueCollector& issues) {
    PipelineSpec spec;
    spec.from_config = true;
    std::array<std::string_view, kStepNames.size()> order{};
    std::transform(kStepNames.begin(), kStepNames.end(), order.begin(), [](const auto& s) { return s.second; });
    const bool names_known = check_step_names(configured, order, issues, [&](const PipelineStep& step, size_t index) {
        StepSpec out;
        out.kind = kStepNames[index].first;
        const auto allowed = accepted(out.kind);
        for (const StepOption& option : step.options) {
            if (std::find(allowed.begin(), allowed.end(), option.key) == allowed.end()) {
                unknown_option(option, step, configured.name, allowed, issues);
                continue;
            }
            out.option_keys.push_back(option.key);
            const auto number = parse_int(option.value);
            auto bad = [&](const std::string& what) {
                issues.add(option.mark, step.name + "." + option.key + ": \"" + option.value + "\" is not " + what);
            };
            if (option.key == "depth") {
                if (!number || *number < 1 || *number > static_cast<int64_t>(kMaxDepth)) {
                    bad("a number of tracks from 1 to " + std::to_string(kMaxDepth));
                } else {
                    out.depth = static_cast<size_t>(*number);
                }
            } else if (option.key == "per_artist" || option.key == "per_album") {
                if (!number || *number < 0 || *number > kMaxCap) {
                    bad("a number from 0 (no cap) to " + std::to_string(kMaxCap));
                } else {
                    (option.key == "per_artist" ? out.per_artist : out.per_album) = static_cast<int>(*number);
                }
            } else if (option.key == "mode") {
                if (const auto mode = parse_order_mode(option.value)) {
                    out.mode = *mode;
                } else {
                    bad("an order mode (similarity, smooth, alternate, random)");
                }
            } else if (option.key == "llm" && out.kind == StepKind::parse) {
                if (const auto on = parse_bool(option.value)) {
                    out.llm_parse = *on;
                } else {
                    bad("true or false (whether the completer reads the prompt too)");
                }
            } else if (option.key == "llm") {
                if (const auto on = parse_bool(option.value)) {
                    out.llm = *on;
                } else {
                    bad("true or false (whether the completer chooses among the candidates)");
                }
            } else if (option.key == "seed") {
                if (!number || *number < 0) {
                    bad("a non-negative integer");
                } else {
                    out.seed = static_cast<uint64_t>(*number);
                }
            }
        }
        spec.steps.push_back(std::move(out));
    });
    // Without filter the run would take every track of the mirror and drop --genre, --year,
    // --artist and the prompt's own filters without a word. A user who leaves it out expects
    // no such thing (nobody writes a pipeline to have their command-line options ignored), and
    // running it behind their back would make the configured list a lie: refused here.
    if (names_known && !configured.steps.empty() && !spec.find(StepKind::filter)) {
        issues.add(configured.mark, "pipeline generate has no step \"filter\": without it the filters of the prompt "
                                    "and of the command line (--genre, --year, --artist, ...) would be ignored; add it "
                                    "after parse");
    }
    return spec;
}

}  // namespace

const std::vector<std::string>& pipeline_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> out;
        for (const auto& p : kPipelines) out.emplace_back(p.name);
        return out;
    }();
    return names;
}

std::string_view pipeline_example(std::string_view name) {
    for (const auto& p : kPipelines) {
        if (p.name == name) return p.example;
    }
    return {};
}

void check_pipelines(const std::vector<Pipeline>& pipelines, IssueCollector& issues) {
    for (const Pipeline& pipeline : pipelines) {
        if (pipeline_example(pipeline.name).empty()) continue;  // unknown: the loader said so
        if (pipeline.steps.empty()) {
            issues.add(pipeline.mark, "pipeline " + pipeline.name + " has no steps; remove it to use the built-in default");
            continue;
        }
        if (pipeline.name == kGenerate) {
            parse_generate(pipeline, issues);
        } else {
            check_sync_or_tag(pipeline, issues);
        }
    }
}

bool sync_embeds(const Config& config) {
    const Pipeline* sync = config.find_pipeline(kSync);
    return sync == nullptr || has_step(*sync, "embed");
}

bool sync_tags(const Config& config) {
    const Pipeline* sync = config.find_pipeline(kSync);
    return sync != nullptr && has_step(*sync, kTagStep);
}

bool tag_embeds(const Config& config) {
    const Pipeline* tag = config.find_pipeline(kTag);
    return tag == nullptr || has_step(*tag, "embed");
}

std::optional<double> tag_budget(const Config& config, std::string_view pipeline) {
    const Pipeline* p = config.find_pipeline(pipeline);
    if (!p) return std::nullopt;
    for (const PipelineStep& step : p->steps) {
        if (step.name != kTagStep) continue;
        if (const StepOption* budget = step.find_option(kBudgetOption)) return parse_decimal(budget->value);
    }
    return std::nullopt;
}

PipelineSpec generate_pipeline(const Config& config) {
    const Pipeline* configured = config.find_pipeline(kGenerate);
    if (!configured) return default_generate_pipeline();
    IssueCollector issues;
    if (configured->steps.empty()) {
        issues.add(configured->mark, "pipeline generate has no steps; remove it to use the built-in default");
    }
    PipelineSpec spec = parse_generate(*configured, issues);
    issues.throw_if_any();
    return spec;
}

std::string PipelineSpec::to_json() const {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    w.StartArray();
    for (const StepSpec& s : steps) {
        const std::string name(to_string(s.kind));
        switch (s.kind) {
            case StepKind::retrieve:
                w.StartObject();
                w.Key(name.c_str());
                w.StartObject();
                w.Key("depth"); w.Uint64(s.depth);
                if (s.seed) { w.Key("seed"); w.Uint64(*s.seed); }
                w.EndObject();
                w.EndObject();
                break;
            case StepKind::parse:
                if (!s.llm_parse) {
                    w.String(name.c_str());
                    break;
                }
                w.StartObject();
                w.Key(name.c_str());
                w.StartObject();
                w.Key("llm"); w.Bool(true);
                w.EndObject();
                w.EndObject();
                break;
            case StepKind::select:
                if (s.llm) {  // the default: the plain name, as before the option existed
                    w.String(name.c_str());
                    break;
                }
                w.StartObject();
                w.Key(name.c_str());
                w.StartObject();
                w.Key("llm"); w.Bool(false);
                w.EndObject();
                w.EndObject();
                break;
            case StepKind::diversify:
                w.StartObject();
                w.Key(name.c_str());
                w.StartObject();
                w.Key("per_artist"); w.Int(s.per_artist);
                w.Key("per_album"); w.Int(s.per_album);
                w.EndObject();
                w.EndObject();
                break;
            case StepKind::order:
                w.StartObject();
                w.Key(name.c_str());
                w.StartObject();
                w.Key("mode"); w.String(std::string(gen::to_string(s.mode)).c_str());
                if (s.seed) { w.Key("seed"); w.Uint64(*s.seed); }
                w.EndObject();
                w.EndObject();
                break;
            default:
                w.String(name.c_str());
        }
    }
    w.EndArray();
    return buffer.GetString();
}

std::string PipelineSpec::describe() const {
    std::string text;
    for (const StepSpec& s : steps) {
        if (!text.empty()) text += " → ";
        text += to_string(s.kind);
        if (s.kind == StepKind::retrieve) text += "(depth " + std::to_string(s.depth) + ")";
        if (s.kind == StepKind::select && !s.llm) text += "(no llm)";
        if (s.kind == StepKind::parse && s.llm_parse) text += "(llm)";
        if (s.kind == StepKind::diversify) {
            text += "(" + std::to_string(s.per_artist) + "/artist, " + std::to_string(s.per_album) + "/album)";
        }
        if (s.kind == StepKind::order) text += "(" + std::string(gen::to_string(s.mode)) + ")";
    }
    return text;
}

}  // namespace pmx::gen
