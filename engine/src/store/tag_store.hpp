// LLM tags in the store: per completer model, per track, with what was asked (for staleness).
#pragma once

// Tables tag_models, track_tags and the view active_tags (store/schema.cpp, v9). Tags are
// kept per (provider, model) like embeddings: switching the completer keeps the old ones. A
// track's active tags come from the most recently used model that tagged it; they are what
// search (tracks_fts.tags), embedding texts and prompts read. Writing tags or changing which
// model is active brings the full-text rows of the tracks concerned up to date at once.

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace pmx {

class Store;

struct TagModel {
    int64_t id = 0;
    std::string provider;  // config name of the completer
    std::string model;
    int64_t created_ms = 0, used_ms = 0;
};

// One track's tags from one model (canonical vocabulary terms).
struct TrackTags {
    int64_t track_id = 0;
    uint64_t input_hash = 0;
    std::vector<std::string> moods, environments, instruments;
    int energy = 0;  // 1..5; 0: none
};

// A track the model could not tag, and why.
struct TagFailure {
    int64_t track_id = 0;
    uint64_t input_hash = 0;
    std::string reason;
};

// What the tagger reads of a track (the line sent to the model).
struct TagInput {
    int64_t track_id = 0;
    std::string title, artist, album;
    std::vector<std::string> genres;
    std::optional<int64_t> year;         // the track's, else its album's
    std::optional<int64_t> duration_ms;
    std::optional<int64_t> added_at;     // unix seconds
};

// A track's state under one model.
struct TagState {
    uint64_t input_hash = 0;
    bool failed = false;
};

// A track's tags under one model, for `tags show`.
struct StoredTags {
    TagModel model;
    TrackTags tags;
    std::string error;      // non-empty: the track failed under this model
    int64_t tagged_ms = 0;
    bool active = false;    // these are the track's active tags
};

struct TagCounts {
    int64_t tagged = 0, failed = 0;
};

class TagStore {
public:
    explicit TagStore(Store& store) : store_(store) {}

    // The row of (provider, model), created when new, made the most recently used (its tags
    // become the active ones); the full-text rows of tracks whose active tags change are
    // rewritten.
    TagModel use_model(std::string_view provider, std::string_view model);
    std::optional<TagModel> find_model(std::string_view provider, std::string_view model) const;
    // Most recently used first.
    std::vector<TagModel> models() const;

    // Every track's input, in id order.
    void for_each_input(const std::function<void(const TagInput&)>& fn) const;
    // The state of every track `model_id` tagged or failed.
    std::unordered_map<int64_t, TagState> states(int64_t model_id) const;

    // Stores a batch in one transaction (replacing earlier rows of the same tracks; tracks
    // deleted meanwhile are skipped) and brings their full-text rows up to date.
    void put(const TagModel& model, std::span<const TrackTags> tags, std::span<const TagFailure> failures);

    TagCounts counts(int64_t model_id) const;
    // Failures of `model_id`, by track id, at most `limit`: (track id, title — artist, reason).
    struct FailureRow {
        int64_t track_id = 0;
        std::string track;
        std::string reason;
    };
    std::vector<FailureRow> failures(int64_t model_id, size_t limit) const;

    // Every model's tags of a track, the active ones first.
    std::vector<StoredTags> tags_of(int64_t track_id) const;
    // The active tags of tracks (those without are absent).
    std::unordered_map<int64_t, TrackTags> active_tags(std::span<const int64_t> track_ids) const;

    // Whether any track has tags (a filter by tags means nothing before the first tagging).
    bool any_tags() const;

    // Of the tracks in `track_ids` (sorted), those whose active tags hold any of `terms`
    // (facet name "mood"/"environment"/"instrument", term): track → the terms it holds, in the
    // order of `terms`. One pass over active_tags.
    std::unordered_map<int64_t, std::vector<std::string>> tracks_with_terms(
        std::span<const int64_t> track_ids, const std::vector<std::pair<std::string, std::string>>& terms) const;

    // Deletes the tags of every model of `provider` (every model when empty); returns the
    // rows removed. Full-text rows follow.
    int64_t clear(std::string_view provider);

private:
    Store& store_;
};

}  // namespace pmx
