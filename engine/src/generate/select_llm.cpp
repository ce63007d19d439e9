// select_with_completer(): candidate lines sized to the window, one structured call, the answer checked against what was sent.
#include "generate/select_llm.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <unordered_set>

#include <rapidjson/document.h>

#include "llm/pricing.hpp"
#include "plugin/provider.hpp"
#include "util/text.hpp"

namespace pmx::gen {
namespace {

// An answer entry: {"id": 412, "reason": "a few words"} is about 20 tokens; room for longer reasons.
constexpr uint32_t kOutputTokensPerPick = 40;
constexpr uint32_t kOutputSlack = 64;              // the answer's envelope
constexpr uint64_t kTokensPerMessage = 8;          // framing of the user message (as structured_call counts it)
constexpr uint64_t kRepairMessageTokens = 64;      // the repair's own message and framing
constexpr size_t kMaxPromptBytes = 2000;           // the user's sentence as sent
constexpr size_t kMaxReasonBytes = 200;
constexpr size_t kMaxErrorBytes = 300;
constexpr size_t kTitleBytes = 120, kNameBytes = 80, kGenreBytes = 80, kTagBytes = 80;
constexpr size_t kExtraPicksForDuration = 2;       // a duration is asked with a little to spare
constexpr double kDurationTolerance = 0.05;

constexpr std::string_view kSystem =
    "You choose the tracks of a playlist from candidates in the listener's own music library. Each candidate is "
    "one line: id | title | artist | album | year | genres | tags | length (m:ss).\n"
    "Choose only among the candidates listed, by their id; never name a track that is not listed, and name each "
    "track once. Put the tracks that fit the request best first. For each track give a short reason (at most 12 "
    "words) why it fits the request.\n"
    "Answer with one JSON object {\"tracks\": [{\"id\": <id>, \"reason\": \"<reason>\"}, ...]} and nothing else.";

// The ids are integers and not enumerated: an id outside the list must not make the whole answer
// invalid (it is dropped and counted, the rest kept), and an enum of 150 ids would cost as
// much of the window as 50 candidate lines.
constexpr std::string_view kSchema =
    R"({"type":"object","required":["tracks"],"properties":{"tracks":{"type":"array","items":{"type":"object",)"
    R"("required":["id","reason"],"properties":{"id":{"type":"integer"},"reason":{"type":"string"}}}}}})";

const llm::Schema& schema() {
    static const llm::Schema parsed(kSchema);
    return parsed;
}

std::string length_text(const std::optional<int64_t>& ms) {
    if (!ms || *ms <= 0) return "?";
    const int64_t s = (*ms + 500) / 1000;
    char text[32];
    std::snprintf(text, sizeof text, "%lld:%02lld", static_cast<long long>(s / 60), static_cast<long long>(s % 60));
    return text;
}

std::string caps_text(const SelectAsk& ask) {
    std::vector<std::string> caps;
    if (ask.per_artist > 0) caps.push_back(std::to_string(ask.per_artist) + " per artist");
    if (ask.per_album > 0) caps.push_back(std::to_string(ask.per_album) + " per album");
    if (caps.empty()) return {};
    return "Caps: at most " + join(caps, " and ") + "; the list keeps them already.\n";
}

// How many tracks to ask for: the count, or for a duration the lengths of the best candidates
// laid end to end until it is reached, and a little more.
size_t picks_wanted(const SelectAsk& ask, const std::vector<SelectCandidate>& candidates, size_t limit) {
    if (ask.target_count > 0) return std::min(limit, static_cast<size_t>(ask.target_count));
    int64_t total = 0, known = 0;
    const size_t n = std::min(limit, candidates.size());
    for (size_t i = 0; i < n; ++i) {
        if (const auto& ms = candidates[i].track->duration_ms; ms && *ms > 0) {
            total += *ms;
            ++known;
        }
    }
    if (known == 0) return n;
    const double mean = static_cast<double>(total) / static_cast<double>(known);
    const auto needed = static_cast<size_t>(std::ceil(ask.target_seconds * 1000.0 / mean)) + kExtraPicksForDuration;
    return std::min(n, needed);
}

std::string wanted_text(const SelectAsk& ask, size_t picks) {
    if (ask.target_count > 0) {
        return "Choose exactly " + std::to_string(picks) + " tracks" +
               (static_cast<size_t>(ask.target_count) > picks
                    ? " (the playlist has " + std::to_string(ask.target_count) + "; the rest are added after)"
                    : "") +
               ".\n";
    }
    const double target = ask.target_seconds * 1000.0;
    const auto lo = static_cast<int64_t>(target * (1.0 - kDurationTolerance));
    const auto hi = static_cast<int64_t>(target * (1.0 + kDurationTolerance));
    return "Choose tracks totalling about " + length_text(static_cast<int64_t>(target)) + " (between " +
           length_text(lo) + " and " + length_text(hi) + "), about " + std::to_string(picks) + " tracks.\n";
}

}  // namespace

std::string candidate_line(int64_t id, const SelectCandidate& candidate) {
    const TrackDetail& t = *candidate.track;
    std::string line = std::to_string(id) + " | " + one_line(t.title, kTitleBytes) + " | " + one_line(t.artist, kNameBytes) +
                       " | " + one_line(t.album, kNameBytes) + " | ";
    if (t.year && *t.year > 0) line += std::to_string(*t.year);
    line += " | " + one_line(t.genres, kGenreBytes) + " | " + one_line(join(candidate.tags), kTagBytes) + " | " +
            length_text(t.duration_ms);
    return line;
}

uint64_t sizing_tokens(std::string_view text) {
    uint64_t words = 0;
    bool in_word = false;
    for (const char c : text) {
        const bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
        if (!space && !in_word) ++words;
        in_word = !space;
    }
    return std::max(llm::estimate_tokens(text), words);
}

SelectResult select_with_completer(Provider& completer, const SelectAsk& ask,
                                   const std::vector<SelectCandidate>& candidates, llm::UsageLedger* ledger) {
    SelectResult result;
    const llm::CompleterLimits limits = llm::limits_of(completer);
    result.model = limits.model;
    const size_t most = std::min(ask.max_offered, candidates.size());
    if (most == 0) {
        result.status = PMX_INVALID_INPUT;
        result.error = "no candidate to choose from";
        return result;
    }

    // The answer's room: an entry per track asked for, within the model's output cap.
    size_t picks = std::max<size_t>(1, picks_wanted(ask, candidates, most));
    if (limits.max_output_tokens > kOutputSlack + kOutputTokensPerPick) {
        picks = std::min<size_t>(picks, (limits.max_output_tokens - kOutputSlack) / kOutputTokensPerPick);
    }
    const auto output_for = [](size_t n) { return static_cast<uint32_t>(n * kOutputTokensPerPick + kOutputSlack); };

    // The input's room: the window less the answer, and less a repair's echo of the answer and
    // its message, so that the one repair re-ask fits as well.
    const std::string prompt = one_line(ask.prompt, kMaxPromptBytes);
    const auto header_for = [&](size_t offered, size_t n) {
        return "Request: " + prompt + "\n" + wanted_text(ask, n) + caps_text(ask) + "Candidates (" +
               std::to_string(offered) + ", the best match of the request's meaning first):\n";
    };
    const uint64_t reserved = static_cast<uint64_t>(output_for(picks)) + kRepairMessageTokens;
    const uint64_t budget = llm::input_budget(limits, static_cast<uint32_t>(std::min<uint64_t>(
                                                          UINT32_MAX, output_for(picks) + reserved)));
    // The header's numbers only shrink as candidates are dropped: sized with the largest.
    const uint64_t fixed = sizing_tokens(kSystem) + sizing_tokens(schema().text()) + kTokensPerMessage +
                           sizing_tokens(header_for(most, picks));
    std::string lines;
    uint64_t used = fixed;
    for (size_t i = 0; i < most; ++i) {
        std::string line = candidate_line(candidates[i].track->id, candidates[i]) + "\n";
        const uint64_t cost = sizing_tokens(line);
        if (used + cost > budget) break;
        used += cost;
        lines += line;
        ++result.offered;
    }
    if (result.offered == 0) {
        result.status = PMX_INVALID_INPUT;
        result.error = "the context window of " + std::to_string(limits.context_tokens) +
                       " tokens leaves no room for a candidate (raise the provider's `context_tokens` if the model "
                       "takes more)";
        return result;
    }
    picks = std::min(picks, result.offered);
    result.asked = picks;

    llm::StructuredRequest request;
    request.system = std::string(kSystem);
    request.user = header_for(result.offered, picks) + lines;
    request.schema = &schema();
    request.max_output_tokens = output_for(picks);
    if (limits.max_output_tokens != 0) request.max_output_tokens = std::min(request.max_output_tokens, limits.max_output_tokens);
    request.temperature = 0.0f;
    llm::StructuredAnswer answer = llm::structured_call(completer, request, ledger);
    result.usage = answer.usage;
    result.repaired = answer.repaired;
    if (!answer.model.empty()) result.model = answer.model;
    if (!answer.ok()) {
        result.status = answer.status;
        result.error = answer.failure(kMaxErrorBytes);
        return result;
    }

    std::unordered_set<int64_t> sent;
    for (size_t i = 0; i < result.offered; ++i) sent.insert(candidates[i].track->id);
    std::unordered_set<int64_t> seen;
    rapidjson::Document doc;
    doc.Parse(answer.json.c_str(), answer.json.size());  // valid against the schema: an object with "tracks"
    for (const auto& entry : doc["tracks"].GetArray()) {
        const auto& id_value = entry["id"];
        if (!id_value.IsInt64() || !sent.contains(id_value.GetInt64())) {
            ++result.invented;
            continue;
        }
        const int64_t id = id_value.GetInt64();
        if (!seen.insert(id).second) {
            ++result.repeated;
            continue;
        }
        const auto& reason = entry["reason"];
        result.picks.push_back({id, one_line(std::string_view(reason.GetString(), reason.GetStringLength()), kMaxReasonBytes)});
    }
    if (result.picks.empty()) {
        result.status = PMX_BAD_RESPONSE;
        result.error = result.invented > 0 ? "its answer named none of the " + std::to_string(result.offered) +
                                                 " candidates (" + std::to_string(result.invented) + " ids not among them)"
                                           : "its answer chose no track";
    }
    return result;
}

}  // namespace pmx::gen
