// plan_tagging() and run_tagging(): batches of track lines → schema-bound answers → tags.
#include "tags/tagger.hpp"

#include <algorithm>
#include <deque>
#include <future>
#include <unordered_map>
#include <unordered_set>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "config/config.hpp"
#include "plugin/provider.hpp"
#include "store/store.hpp"
#include "tags/vocabulary.hpp"
#include "util/hash.hpp"
#include "util/text.hpp"

namespace pmx::tags {
namespace {

constexpr int kMaxConsecutiveFailures = 3;   // transient failures in a row that end a run
constexpr size_t kMaxMoods = 4, kMaxEnvironments = 3, kMaxInstruments = 4;
constexpr uint32_t kOutputSlack = 64;         // the answer's envelope around its entries
constexpr uint64_t kTokensPerLineOverhead = 4;

constexpr std::string_view kSystemText =
    "You tag music tracks for a playlist engine. For each track listed (one per line: id | title | artist | "
    "album | year | genres), give:\n"
    "- moods: up to 4 moods the recording expresses,\n"
    "- environments: up to 3 activities or settings it suits,\n"
    "- instruments: up to 4 instruments prominent in it (vocals included),\n"
    "- energy: 1 (very calm) to 5 (very intense).\n"
    "Choose only from the allowed words below. Use what you know of the recording and the artist; when "
    "unsure, give fewer tags rather than guesses. Answer with one JSON object {\"tracks\": [...]} holding one "
    "entry per track id given, and nothing else.\n";

// The JSON Schema of an answer: with the vocabulary as enums (what the model is asked for),
// or with free strings (what is accepted: words outside it are mapped or dropped afterwards).
std::string answer_schema(const Vocabulary* vocabulary) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    const auto list = [&](const char* key, Facet facet) {
        w.Key(key);
        w.StartObject();
        w.Key("type");
        w.String("array");
        w.Key("items");
        w.StartObject();
        w.Key("type");
        w.String("string");
        if (vocabulary) {
            w.Key("enum");
            w.StartArray();
            for (const std::string& term : vocabulary->terms(facet)) w.String(term.c_str(), static_cast<rapidjson::SizeType>(term.size()));
            w.EndArray();
        }
        w.EndObject();
        w.EndObject();
    };
    w.StartObject();
    w.Key("type"); w.String("object");
    w.Key("required"); w.StartArray(); w.String("tracks"); w.EndArray();
    w.Key("properties"); w.StartObject();
    w.Key("tracks"); w.StartObject();
    w.Key("type"); w.String("array");
    w.Key("items"); w.StartObject();
    w.Key("type"); w.String("object");
    w.Key("required"); w.StartArray();
    for (const char* key : {"id", "moods", "environments", "instruments", "energy"}) w.String(key);
    w.EndArray();
    w.Key("properties"); w.StartObject();
    w.Key("id"); w.StartObject(); w.Key("type"); w.String("integer"); w.EndObject();
    list("moods", Facet::mood);
    list("environments", Facet::environment);
    list("instruments", Facet::instrument);
    w.Key("energy"); w.StartObject();
    w.Key("type"); w.String("integer");
    w.Key("minimum"); w.Int(1);
    w.Key("maximum"); w.Int(5);
    w.EndObject();
    w.EndObject();  // properties
    w.EndObject();  // items
    w.EndObject();  // tracks
    w.EndObject();  // properties
    w.EndObject();
    return buffer.GetString();
}

struct Schemas {
    llm::Schema ask;
    llm::Schema accept;
    std::string system;
};

// Built once from the built-in vocabulary (thread-safe static).
const Schemas& schemas() {
    static const Schemas built = [] {
        const Vocabulary& v = builtin_vocabulary();
        std::string system(kSystemText);
        system += "Moods: " + join(v.terms(Facet::mood)) + ".\n";
        system += "Environments: " + join(v.terms(Facet::environment)) + ".\n";
        system += "Instruments: " + join(v.terms(Facet::instrument)) + ".\n";
        return Schemas{llm::Schema(answer_schema(&v)), llm::Schema(answer_schema(nullptr)), std::move(system)};
    }();
    return built;
}

std::string user_text(const TagPlan& plan, const std::vector<size_t>& items) {
    std::string text = "Tag these " + std::to_string(items.size()) + " tracks:\n";
    for (const size_t i : items) {
        const auto& item = plan.work[i];
        text += std::to_string(item.input.track_id) + " | " + track_line(item.input) + "\n";
    }
    return text;
}

// The fixed part of every request (system text with the vocabulary, the schema, framing).
uint64_t fixed_input_tokens() {
    const Schemas& s = schemas();
    return llm::estimate_tokens(s.system) + llm::estimate_tokens(s.ask.text()) + 64;
}

bool ends_run(pmx_status status) {
    return status == PMX_AUTH || status == PMX_UNSUPPORTED || status == PMX_INTERNAL || status == PMX_NOT_FOUND;
}

bool is_transient(pmx_status status) {
    return status == PMX_RATE_LIMITED || status == PMX_UNAVAILABLE || status == PMX_TIMEOUT;
}

std::vector<std::string> strings_of(const rapidjson::Value& entry, const char* key) {
    std::vector<std::string> out;
    const auto it = entry.FindMember(key);
    if (it == entry.MemberEnd() || !it->value.IsArray()) return out;
    for (const auto& v : it->value.GetArray()) {
        if (v.IsString()) out.emplace_back(v.GetString(), v.GetStringLength());
    }
    return out;
}

}  // namespace

std::string track_line(const TagInput& input) {
    std::string line = one_line(input.title, 200) + " | " + one_line(input.artist, 120) + " | " +
                       one_line(input.album, 120) + " | ";
    if (input.year && *input.year > 0) line += std::to_string(*input.year);
    line += " | " + one_line(join(input.genres), 160);
    return line;
}

TagPlan plan_tagging(Store& store, Provider& completer, const Config& config, const TagOptions& options) {
    TagPlan plan;
    plan.provider = completer.name();
    const llm::CompleterLimits limits = llm::limits_of(completer);
    plan.model = limits.model.empty() ? std::string("default") : limits.model;
    plan.price = llm::price_of(config, plan.provider, plan.model);

    TagStore tags(store);
    const std::optional<TagModel> model = tags.find_model(plan.provider, plan.model);
    const auto states = model ? tags.states(model->id) : std::unordered_map<int64_t, TagState>{};
    const std::string version = builtin_vocabulary().version();
    tags.for_each_input([&](const TagInput& input) {
        if (options.since && (!input.added_at || *input.added_at < *options.since)) return;
        ++plan.tracks;
        const uint64_t hash = fnv1a_lines({kTagPromptVersion, version, plan.model, track_line(input)});
        const auto it = states.find(input.track_id);
        if (it != states.end() && !options.retag) {
            if (it->second.input_hash == hash && !it->second.failed) {
                ++plan.up_to_date;
                return;
            }
            if (it->second.failed) ++plan.failed_before;
            else ++plan.stale;
        }
        if (options.limit != 0 && plan.work.size() >= options.limit) return;
        plan.work.push_back({input, hash});
    });
    plan.to_tag = plan.work.size();

    // Tracks per request: what the window leaves for lines after the fixed part, what the
    // output cap holds, and tens at most.
    uint64_t line_tokens = 0;
    for (const auto& item : plan.work) line_tokens += llm::estimate_tokens(track_line(item.input)) + kTokensPerLineOverhead;
    const uint64_t per_track_in = plan.work.empty() ? 32 : std::max<uint64_t>(1, line_tokens / plan.work.size());
    const uint32_t output_cap = limits.max_output_tokens != 0 ? limits.max_output_tokens : kAssumedOutputCap;
    size_t batch = options.batch_cap != 0 ? options.batch_cap : kMaxTracksPerRequest;
    batch = std::min<size_t>(batch, std::max<uint32_t>(1, (output_cap - std::min(output_cap, kOutputSlack)) / kOutputTokensPerTrack));
    const uint64_t fixed = fixed_input_tokens();
    if (limits.context_tokens != 0) {
        const uint64_t budget = llm::input_budget(limits, static_cast<uint32_t>(batch * kOutputTokensPerTrack + kOutputSlack));
        const uint64_t room = budget > fixed ? budget - fixed : 0;
        batch = std::min<size_t>(batch, std::max<uint64_t>(1, room / per_track_in));
    }
    plan.batch = std::max<size_t>(1, batch);
    plan.requests = (plan.to_tag + plan.batch - 1) / plan.batch;
    plan.input_tokens = plan.requests * fixed + line_tokens;
    plan.output_tokens = plan.to_tag * kExpectedOutputTokensPerTrack + plan.requests * kOutputSlack / 2;
    if (plan.price.known()) plan.cost = llm::cost_usd({plan.input_tokens, plan.output_tokens, 0}, plan.price.price);
    return plan;
}

TagReport run_tagging(Store& store, Provider& completer, const TagPlan& plan, const TagOptions& options) {
    const auto started = std::chrono::steady_clock::now();
    const CancelToken& cancel = options.cancel ? *options.cancel : global_cancel();
    TagReport report;
    const auto finish = [&]() -> TagReport& {
        report.elapsed =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
        return report;
    };
    if (plan.work.empty()) return finish();

    TagStore tags(store);
    // The model's row is made (and becomes the one in use) with the first batch it answers: a
    // run that reaches nobody leaves no empty model behind.
    std::optional<TagModel> model;
    const auto model_row = [&]() -> const TagModel& {
        if (!model) model = tags.use_model(plan.provider, plan.model);
        return *model;
    };
    const Vocabulary& vocabulary = builtin_vocabulary();
    const Schemas& s = schemas();

    struct Batch {
        std::vector<size_t> items;  // indices into plan.work
        bool asked_again = false;   // tracks an earlier answer left out
        bool retried = false;       // after a transient failure
    };
    struct Pending {
        Batch batch;
        std::future<llm::StructuredAnswer> answer;
    };
    std::deque<Batch> queue;
    for (size_t first = 0; first < plan.work.size(); first += plan.batch) {
        Batch b;
        for (size_t i = first; i < std::min(plan.work.size(), first + plan.batch); ++i) b.items.push_back(i);
        queue.push_back(std::move(b));
    }
    const size_t in_flight = static_cast<size_t>(std::max(1, completer.runtime().concurrency_limit()));
    std::deque<Pending> pending;
    bool stop = false;
    bool any_answer = false;  // a request succeeded: INVALID_INPUT is then not the config's fault
    int consecutive_failures = 0;
    uint64_t done = 0;

    const auto spent = [&] {
        return plan.price.known() ? llm::cost_usd(report.usage.total(), plan.price.price) : 0.0;
    };
    const auto launch = [&] {
        Batch batch = std::move(queue.front());
        queue.pop_front();
        llm::StructuredRequest request;
        request.system = s.system;
        request.user = user_text(plan, batch.items);
        request.schema = &s.ask;
        request.accept = &s.accept;
        request.max_output_tokens = static_cast<uint32_t>(batch.items.size() * kOutputTokensPerTrack + kOutputSlack);
        request.temperature = 0.0f;
        Pending p{std::move(batch), {}};
        p.answer = std::async(std::launch::async, [&completer, &plan, request = std::move(request)] {
            return llm::structured_call(completer, request, nullptr, plan.model);
        });
        pending.push_back(std::move(p));
    };
    const auto fail_items = [&](const std::vector<size_t>& items, const std::string& reason) {
        std::vector<TagFailure> failures;
        for (const size_t i : items) failures.push_back({plan.work[i].input.track_id, plan.work[i].input_hash, reason});
        tags.put(model_row(), {}, failures);
        report.failed += items.size();
        done += items.size();
    };

    if (options.progress) options.progress(0, plan.work.size());
    while (!pending.empty() || (!stop && !queue.empty())) {
        while (!stop && !cancel.cancelled() && !queue.empty() && pending.size() < in_flight) {
            if (options.budget_usd && plan.price.known()) {
                const double next = llm::cost_usd({plan.input_tokens / std::max<uint64_t>(1, plan.requests),
                                                   queue.front().items.size() * kExpectedOutputTokensPerTrack, 0},
                                                  plan.price.price);
                if (spent() + next > *options.budget_usd) {
                    report.over_budget = true;
                    stop = true;
                    break;
                }
            }
            launch();
        }
        if (pending.empty()) break;
        Pending p = std::move(pending.front());
        pending.pop_front();
        llm::StructuredAnswer answer = p.answer.get();
        report.usage.add(plan.provider, plan.model, answer.usage);
        report.requests += answer.usage.requests;
        const std::vector<size_t>& items = p.batch.items;

        if (answer.ok()) {
            any_answer = true;
            consecutive_failures = 0;
            if (answer.repaired) ++report.repaired;
            rapidjson::Document doc;
            doc.Parse(answer.json.c_str(), answer.json.size());
            std::unordered_map<int64_t, size_t> by_id;
            for (const size_t i : items) by_id.emplace(plan.work[i].input.track_id, i);
            std::unordered_set<int64_t> seen;
            std::vector<TrackTags> tagged;
            for (const auto& entry : doc["tracks"].GetArray()) {
                const int64_t id = entry["id"].GetInt64();
                const auto it = by_id.find(id);
                if (it == by_id.end() || !seen.insert(id).second) {
                    ++report.unknown_ids;  // invented, or given twice
                    continue;
                }
                const std::vector<std::string> moods = strings_of(entry, "moods");
                const std::vector<std::string> environments = strings_of(entry, "environments");
                const std::vector<std::string> instruments = strings_of(entry, "instruments");
                MappedTags mapped = map_tags(vocabulary, moods, environments, instruments);
                report.dropped_terms += mapped.dropped.size();
                // Words that were not already canonical terms but mapped to one.
                for (const auto& [facet, raw] : {std::pair{Facet::mood, &moods}, std::pair{Facet::environment, &environments},
                                                 std::pair{Facet::instrument, &instruments}}) {
                    const auto& terms = vocabulary.terms(facet);
                    for (const std::string& word : *raw) {
                        if (std::find(terms.begin(), terms.end(), word) == terms.end() &&
                            vocabulary.canonical(facet, word)) {
                            ++report.mapped_terms;
                        }
                    }
                }
                TrackTags t;
                t.track_id = id;
                t.input_hash = plan.work[it->second].input_hash;
                t.moods.assign(mapped.moods.begin(), mapped.moods.begin() + static_cast<std::ptrdiff_t>(std::min(kMaxMoods, mapped.moods.size())));
                t.environments.assign(mapped.environments.begin(),
                                      mapped.environments.begin() + static_cast<std::ptrdiff_t>(std::min(kMaxEnvironments, mapped.environments.size())));
                t.instruments.assign(mapped.instruments.begin(),
                                     mapped.instruments.begin() + static_cast<std::ptrdiff_t>(std::min(kMaxInstruments, mapped.instruments.size())));
                t.energy = entry["energy"].GetInt();
                tagged.push_back(std::move(t));
            }
            tags.put(model_row(), tagged, {});
            report.tagged += tagged.size();
            done += tagged.size();
            std::vector<size_t> missing;
            for (const size_t i : items) {
                if (!seen.count(plan.work[i].input.track_id)) missing.push_back(i);
            }
            if (!missing.empty()) {
                if (p.batch.asked_again) {
                    fail_items(missing, "the model gave no tags for it (asked twice)");
                } else {
                    report.asked_again += missing.size();
                    queue.push_front(Batch{std::move(missing), true, false});
                }
            }
            if (options.progress) options.progress(done, plan.work.size());
            continue;
        }

        if (answer.status == PMX_CANCELLED || cancel.cancelled()) {
            report.cancelled = true;
            report.left += items.size();
            stop = true;
            continue;
        }
        const std::string why = completer.name() + ": " + answer.error;
        if (ends_run(answer.status) || (answer.status == PMX_INVALID_INPUT && items.size() == 1 && !any_answer)) {
            if (report.error.empty()) report.error = why;
            report.left += items.size();
            stop = true;
            continue;
        }
        if (is_transient(answer.status)) {
            // The call core has waited and retried already: try the batch once more, later.
            if (++consecutive_failures >= kMaxConsecutiveFailures) {
                if (report.error.empty()) report.error = why;
                stop = true;
            }
            if (!p.batch.retried && !stop) {
                queue.push_back(Batch{items, p.batch.asked_again, true});
            } else {
                report.left += items.size();
                if (report.error.empty()) report.error = why;
            }
            continue;
        }
        // An answer that stays invalid, or a request the provider refuses (an answer cut at the
        // output limit): smaller batches, down to one track, which is then recorded as failed.
        if (items.size() > 1) {
            ++report.split;
            const auto half = static_cast<std::ptrdiff_t>(items.size() / 2);
            queue.push_front(Batch{std::vector<size_t>(items.begin() + half, items.end()), p.batch.asked_again, false});
            queue.push_front(Batch{std::vector<size_t>(items.begin(), items.begin() + half), p.batch.asked_again, false});
        } else {
            fail_items(items, answer.error);
            if (options.progress) options.progress(done, plan.work.size());
        }
    }
    if (cancel.cancelled()) report.cancelled = true;
    for (const Batch& b : queue) report.left += b.items.size();
    return finish();
}

}  // namespace pmx::tags
