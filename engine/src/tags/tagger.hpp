// The tagging step: LLM tags (moods, environments, instruments, energy) for the tracks that
// lack current ones, in batches sized to the completer, priced before, resumable.
#pragma once

// A run has two halves, so that a front end can show the plan and ask before anything is paid:
//  1. plan_tagging(): which tracks to tag (no tags from this model, or tags made from another
//     input: the track's line, the model, the prompt and vocabulary versions are hashed; all
//     with `retag`; earlier failures are tried again), how many per request (sized to the
//     completer's context window and output cap: tens of tracks, not one), the requests, and
//     the estimated tokens and cost.
//  2. run_tagging(): batches go through the structured-call service (schema-bound JSON, one
//     repair re-ask), up to the provider's concurrency at once. Answers are untrusted: ids not
//     in the batch are dropped and counted, words outside the vocabulary are mapped by
//     synonyms or dropped and counted, tracks the answer left out are asked again. A batch
//     whose answer stays invalid is split in two and retried; a track that still fails is
//     recorded with its reason. Each batch commits on its own (Ctrl+C or a crash loses at most
//     the batches in flight). A failure that no batch can fix (a refused key, an unknown
//     model, a request refused as too large even for one track) ends the run with its error.
// No printing: the report says what happened.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "llm/pricing.hpp"
#include "llm/structured_call.hpp"
#include "net/cancel.hpp"
#include "store/tag_store.hpp"

namespace pmx {
class Provider;
class Store;
struct Config;
}  // namespace pmx

namespace pmx::tags {

// Part of every input hash: changing the request's wording or shape re-tags every track.
inline constexpr std::string_view kTagPromptVersion = "pmx-tags/1";
inline constexpr size_t kMaxTracksPerRequest = 40;
// What one track costs in a request (estimates for sizing and pricing).
inline constexpr uint32_t kOutputTokensPerTrack = 60;  // the most its JSON entry may take
inline constexpr uint32_t kExpectedOutputTokensPerTrack = 35;
// Output cap assumed for a completer that does not report one.
inline constexpr uint32_t kAssumedOutputCap = 4096;

struct TagOptions {
    uint64_t limit = 0;                  // tag at most this many tracks (0: all that need it)
    std::optional<int64_t> since;        // only tracks added at or after (unix seconds)
    bool retag = false;                  // tag again tracks whose tags are current
    size_t batch_cap = 0;                // tracks per request (0: sized to the completer)
    std::optional<double> budget_usd;    // stop launching requests once the cost reaches it
    const CancelToken* cancel = nullptr; // nullptr: global_cancel()
    // Tracks done (tagged or failed) of the total; on the calling thread.
    std::function<void(uint64_t done, uint64_t total)> progress;
};

struct TagPlan {
    std::string provider;        // the completer's config name
    std::string model;           // as the completer reports it
    uint64_t tracks = 0;         // in the mirror (after --since)
    uint64_t up_to_date = 0;     // tags current, not asked again
    uint64_t to_tag = 0;         // of which: never tagged + stale + failed before
    uint64_t stale = 0, failed_before = 0;
    size_t batch = 0;            // tracks per request
    uint64_t requests = 0;
    uint64_t input_tokens = 0, output_tokens = 0;  // estimated
    llm::ModelPrice price;
    double cost = 0;             // estimated, when price.known()

    struct Item {
        TagInput input;
        uint64_t input_hash = 0;
    };
    std::vector<Item> work;      // in the order they will be sent
};

struct TagReport {
    uint64_t tagged = 0;
    uint64_t failed = 0;          // recorded as failed, with a reason
    uint64_t left = 0;            // not tried: the run stopped early
    uint64_t requests = 0;        // completer requests (repairs included)
    uint64_t repaired = 0;        // answers valid only after the repair ask
    uint64_t split = 0;           // batches split in two after an invalid answer
    uint64_t unknown_ids = 0;     // answer entries for ids not in the batch, dropped
    uint64_t asked_again = 0;     // tracks an otherwise valid answer left out
    uint64_t mapped_terms = 0;    // words mapped to the vocabulary by synonyms
    uint64_t dropped_terms = 0;   // words outside the vocabulary, dropped
    llm::UsageLedger usage;
    bool cancelled = false;
    bool over_budget = false;     // stopped launching at --budget
    std::string error;            // what ended the run early, when something did
    std::chrono::milliseconds elapsed{0};

    bool complete() const { return failed == 0 && left == 0 && !cancelled && error.empty() && !over_budget; }
};

// The line a track is sent as: "title | artist | album | year | genres" (its id goes before it).
std::string track_line(const TagInput& input);

// Plans a run of `completer` (its config name is Provider::name(); prices come from `config`).
TagPlan plan_tagging(Store& store, Provider& completer, const Config& config, const TagOptions& options);

// Runs the plan. Throws StoreError when the store fails; provider failures are in the report.
TagReport run_tagging(Store& store, Provider& completer, const TagPlan& plan, const TagOptions& options);

}  // namespace pmx::tags
