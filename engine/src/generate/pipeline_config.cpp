// The `generate` pipeline: the built-in default, the config's version checked, and its JSON.
#include <algorithm>
#include <array>
#include <charconv>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "config/config.hpp"
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

std::optional<StepKind> parse_step(std::string_view name) {
    for (const auto& [kind, text] : kStepNames) {
        if (text == name) return kind;
    }
    return std::nullopt;
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
        case StepKind::diversify: return {"per_artist", "per_album"};
        case StepKind::order: return {"mode", "seed"};
        default: return {};
    }
}

std::string step_list() {
    std::string text;
    for (const auto& [kind, name] : kStepNames) {
        if (!text.empty()) text += ", ";
        text += name;
    }
    return text;
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

PipelineSpec default_generate_pipeline() {
    PipelineSpec spec;
    for (const auto& [kind, name] : kStepNames) {
        StepSpec step;
        step.kind = kind;
        spec.steps.push_back(step);
    }
    return spec;
}

PipelineSpec generate_pipeline(const Config& config) {
    const Pipeline* configured = config.find_pipeline("generate");
    if (!configured) return default_generate_pipeline();
    PipelineSpec spec;
    spec.from_config = true;
    IssueCollector issues;
    std::vector<std::pair<StepKind, Mark>> seen;
    for (const PipelineStep& step : configured->steps) {
        const auto kind = parse_step(step.name);
        if (!kind) {
            issues.add(step.mark, "unknown step \"" + step.name + "\" in pipeline generate (steps: " + step_list() + ")");
            continue;
        }
        const auto twice = std::find_if(seen.begin(), seen.end(), [&](const auto& s) { return s.first == *kind; });
        if (twice != seen.end()) {
            issues.add(step.mark, "step \"" + step.name + "\" appears twice in pipeline generate (first at " +
                                      twice->second.to_string() + ")");
            continue;
        }
        if (!seen.empty() && seen.back().first > *kind) {
            issues.add(step.mark, "step \"" + step.name + "\" must come before \"" +
                                      std::string(to_string(seen.back().first)) + "\" (order: " + step_list() + ")");
        }
        seen.emplace_back(*kind, step.mark);
        StepSpec out;
        out.kind = *kind;
        const auto allowed = accepted(*kind);
        for (const StepOption& option : step.options) {
            if (std::find(allowed.begin(), allowed.end(), option.key) == allowed.end()) {
                std::string hint = allowed.empty() ? "it takes no options" : "options:";
                for (size_t i = 0; i < allowed.size(); ++i) hint += std::string(i ? ", " : " ") + std::string(allowed[i]);
                issues.add(option.mark, "unknown option \"" + option.key + "\" of step " + step.name + " (" + hint + ")");
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
            } else if (option.key == "seed") {
                if (!number || *number < 0) {
                    bad("a non-negative integer");
                } else {
                    out.seed = static_cast<uint64_t>(*number);
                }
            }
        }
        spec.steps.push_back(std::move(out));
    }
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
        if (s.kind == StepKind::diversify) {
            text += "(" + std::to_string(s.per_artist) + "/artist, " + std::to_string(s.per_album) + "/album)";
        }
        if (s.kind == StepKind::order) text += "(" + std::string(gen::to_string(s.mode)) + ")";
    }
    return text;
}

}  // namespace pmx::gen
