// Opening a model's vector index: load, check against the store, update or rebuild, save.
#include "embed/model_index.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <iterator>
#include <system_error>

#include "config/data_dir.hpp"
#include "store/store.hpp"

namespace pmx {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kStampPrefix = "plexmix-embeddings/1";
constexpr size_t kChunkRows = 4096;  // vectors read from the store per upsert
constexpr uint64_t kFnvOffsetBasis = 14695981039346656037ull;
constexpr uint64_t kFnvPrime = 1099511628211ull;
constexpr uint32_t kNameHashBits = 32;  // the hex suffix of a file name

struct Stamp {
    int64_t model_id = -1, created = -1, seq = -1;
    int64_t dim = -1;
};

// Reads "key=value" integers of a stamp; a stamp of another form gives nullopt.
std::optional<Stamp> parse_stamp(std::string_view text) {
    if (text.substr(0, kStampPrefix.size()) != kStampPrefix) return std::nullopt;
    text.remove_prefix(kStampPrefix.size());
    Stamp stamp;
    while (!text.empty()) {
        while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
        const size_t end = std::min(text.find(' '), text.size());
        const std::string_view word = text.substr(0, end);
        text.remove_prefix(end);
        if (word.empty()) continue;
        const size_t eq = word.find('=');
        if (eq == std::string_view::npos) return std::nullopt;
        const std::string_view key = word.substr(0, eq), value = word.substr(eq + 1);
        int64_t number = 0;
        const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
        if (ec != std::errc() || ptr != value.data() + value.size()) return std::nullopt;
        if (key == "model_id") stamp.model_id = number;
        else if (key == "created") stamp.created = number;
        else if (key == "dim") stamp.dim = number;
        else if (key == "seq") stamp.seq = number;
    }
    if (stamp.model_id < 0 || stamp.created < 0 || stamp.seq < 0 || stamp.dim < 0) return std::nullopt;
    return stamp;
}

void add_rows(vec::VectorIndex& index, EmbeddingStore& embeddings, const EmbeddingModel& model, int64_t after_seq) {
    embeddings.for_each_vector(model, after_seq, kChunkRows,
                               [&](std::span<const int64_t> ids, std::span<const float> rows) { index.upsert(ids, rows); });
}

std::string plural(size_t n, std::string_view one, std::string_view many) {
    return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

// Why the loaded index cannot be updated in place, or empty when it can.
std::string unusable_reason(const vec::VectorIndex& index, const EmbeddingModel& model) {
    if (index.dim() != model.dim) {
        return "has dimension " + std::to_string(index.dim()) + ", the model " + std::to_string(model.dim);
    }
    const auto stamp = parse_stamp(index.stamp());
    if (!stamp) return "has no stamp of this plexmix";
    if (stamp->dim != static_cast<int64_t>(model.dim)) return "was stamped for another dimension";
    if (stamp->model_id != model.id || stamp->created != model.created_ms) {
        return "was built for another copy of the model (re-created, or another database)";
    }
    if (stamp->seq > model.last_seq) return "is ahead of the database (restored from a backup?)";
    return {};
}

// Stamps the opened index and saves it when it changed.
void finish(OpenedIndex& out, const EmbeddingModel& model, const fs::path& file, bool changed, bool save) {
    out.index->set_stamp(index_stamp(model, model.last_seq));
    if (changed && save) {
        ensure_private_dir(file.parent_path());
        out.index->save(file);
        out.saved = true;
    }
}

}  // namespace

fs::path vectors_dir(const fs::path& data_dir) { return data_dir / "vectors"; }

fs::path index_file(const fs::path& dir, std::string_view model_name) {
    std::string slug;
    for (const char c : model_name) {
        const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        const bool keep = (lower >= 'a' && lower <= 'z') || (lower >= '0' && lower <= '9') || lower == '.' ||
                          lower == '_' || lower == '-';
        slug += keep ? lower : '-';
    }
    if (slug.empty() || slug.front() == '.') slug.insert(slug.begin(), 'm');
    uint64_t hash = kFnvOffsetBasis;
    for (const char c : model_name) hash = (hash ^ static_cast<unsigned char>(c)) * kFnvPrime;
    char suffix[16];
    std::snprintf(suffix, sizeof suffix, "%08x", static_cast<unsigned>((hash ^ (hash >> kNameHashBits)) & 0xffffffffu));
    return dir / (slug + "-" + suffix + ".index");
}

std::string index_stamp(const EmbeddingModel& model, int64_t seq) {
    return std::string(kStampPrefix) + " model_id=" + std::to_string(model.id) +
           " created=" + std::to_string(model.created_ms) + " dim=" + std::to_string(model.dim) +
           " seq=" + std::to_string(seq);
}

OpenedIndex open_model_index(Store& store, const EmbeddingModel& given, const fs::path& file, IndexMode mode,
                             bool save) {
    EmbeddingStore embeddings(store);
    OpenedIndex out;
    // One snapshot: the model's last_seq and the rows read agree even if another process writes.
    ReadSnapshot snapshot(store);
    const std::optional<EmbeddingModel> current = embeddings.model(given.id);
    const EmbeddingModel model = current.value_or(given);
    const std::string name = "vector index of " + model.name + " (" + file.filename().string() + ")";

    std::string reason;
    bool no_file = false;
    if (mode == IndexMode::check) {
        std::error_code ec;
        no_file = !fs::exists(file, ec);
        if (!no_file) {
            std::string problem;
            out.index = vec::VectorIndex::load(file, &problem);
            if (!out.index) {
                reason = "could not be read (" + problem + ")";
            } else if (reason = unusable_reason(*out.index, model); !reason.empty()) {
                out.index.reset();
            }
        }
    }

    bool changed = false;
    std::vector<int64_t> stored, gone;
    // Rows enter the store only with a new seq (put_vectors and clear bump the model's), so at
    // the stamped seq only deleted tracks can have taken rows out: the same count is the same
    // ids, and an index in step costs a count instead of reading every id (~10 ms at 100k).
    if (out.index && !out.index->outdated_file() && parse_stamp(out.index->stamp())->seq == model.last_seq &&
        embeddings.count(model.id) == static_cast<int64_t>(out.index->size())) {
        finish(out, model, file, false, save);
        return out;
    }
    if (out.index) {
        stored = embeddings.ids(model.id);
        const std::vector<int64_t> held = out.index->ids();
        std::set_difference(held.begin(), held.end(), stored.begin(), stored.end(), std::back_inserter(gone));
        // A change copies a mapped index whole, so its codes and vectors are checked first; a
        // start that changes nothing reads only what its searches touch (vector/index_file.hpp).
        const bool changing = !gone.empty() || parse_stamp(out.index->stamp())->seq < model.last_seq;
        if (std::string problem; changing && !out.index->verify(&problem)) {
            reason = "could not be read (" + problem + ")";
            out.index.reset();
        }
    }
    if (out.index) {
        const int64_t stamped_seq = parse_stamp(out.index->stamp())->seq;
        // A file of an older format is saved again in the current one.
        changed = out.index->outdated_file();
        if (!gone.empty()) {
            out.index->remove(gone);
            changed = true;
        }
        if (stamped_seq < model.last_seq) {
            add_rows(*out.index, embeddings, model, stamped_seq);
            changed = true;
        }
        if (out.index->ids() != stored) {
            reason = "disagreed with the database (" + plural(out.index->size(), "vector", "vectors") + " against " +
                     std::to_string(stored.size()) + " stored)";
            out.index.reset();
        }
    }
    if (!out.index) {
        out.index = vec::VectorIndex::create(model.dim);
        add_rows(*out.index, embeddings, model, 0);
        changed = true;
        // No file yet is the normal start (derived data is built when first needed): no note.
        out.built = no_file;
        out.rebuilt = !no_file;
        if (mode == IndexMode::check && !no_file) {
            out.notes.push_back(name + " " + reason + ": rebuilt from " +
                                plural(out.index->size(), "stored vector", "stored vectors"));
        }
    }
    finish(out, model, file, changed, save);
    return out;
}

IndexState inspect_model_index(Store& store, const EmbeddingModel& given, const fs::path& file) {
    EmbeddingStore embeddings(store);
    ReadSnapshot snapshot(store);
    const EmbeddingModel model = embeddings.model(given.id).value_or(given);
    IndexState state;
    std::error_code ec;
    if (!fs::exists(file, ec)) {
        state.state = "missing: built at next use";
        return state;
    }
    std::string problem;
    const auto index = vec::VectorIndex::load(file, &problem);
    if (!index) {
        state.state = "unreadable: rebuilt at next use (" + problem + ")";
        return state;
    }
    state.present = true;
    state.size = index->size();
    if (const std::string reason = unusable_reason(*index, model); !reason.empty()) {
        state.state = "rebuilt at next use: it " + reason;
        return state;
    }
    state.up_to_date = parse_stamp(index->stamp())->seq == model.last_seq && index->ids() == embeddings.ids(model.id);
    state.state = state.up_to_date ? "up to date" : "behind the database: updated at next use";
    return state;
}

}  // namespace pmx
