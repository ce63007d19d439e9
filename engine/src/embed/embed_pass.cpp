// The embedding step: texts → batches through the call core → vectors per batch → the index.
#include "embed/embed_pass.hpp"

#include <algorithm>
#include <deque>
#include <future>

#include "embed/model_index.hpp"
#include "embed/track_text.hpp"
#include "llm/pricing.hpp"
#include "plugin/provider.hpp"
#include "store/embeddings_store.hpp"
#include "store/store.hpp"

namespace pmx {
namespace {

struct Work {
    std::vector<int64_t> ids;
    std::vector<uint64_t> hashes;
    std::vector<std::string> texts;
};

struct BatchResult {
    CallResult call;
    std::vector<float> vectors;
};

// Statuses that another batch would meet as well: the pass stops at once.
bool ends_pass(pmx_status status) {
    return status == PMX_CANCELLED || status == PMX_AUTH || status == PMX_UNSUPPORTED || status == PMX_INTERNAL;
}

std::string describe(const CallResult& r) {
    std::string text = std::string(status_name(r.status));
    if (!r.message.empty()) text += ": " + r.message;
    return text;
}

}  // namespace

EmbedReport embed_tracks(Store& store, Provider& embedder, const EmbedOptions& options) {
    const auto started = std::chrono::steady_clock::now();
    const CancelToken& cancel = options.cancel ? *options.cancel : global_cancel();
    EmbedReport report;
    report.provider = embedder.name();
    const auto finish = [&]() -> EmbedReport& {
        report.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
        return report;
    };

    EmbedderInfo info;
    if (const CallResult r = embedder.embedder_info(&info); !r.ok()) {
        report.error = "embedder " + embedder.name() + ": " + describe(r);
        return finish();
    }
    report.model = info.model;
    report.dim = info.dimension;

    EmbeddingStore embeddings(store);
    bool replaced = false;
    const EmbeddingModel model = embeddings.ensure_model(info.model, info.dimension, &replaced);
    if (replaced) {
        report.notes.push_back("model " + info.model + " now gives " + std::to_string(info.dimension) +
                               "-dimensional vectors: its stored vectors of another dimension were deleted");
    }

    // What to embed: texts that are new or changed since their vector was made.
    Work work;
    {
        const auto stored = options.reembed_all ? std::unordered_map<int64_t, uint64_t>{}
                                                : embeddings.text_hashes(model.id);
        embeddings.for_each_track_text([&](const TrackTextSource& source) {
            ++report.tracks;
            std::string text = track_text(source);
            const uint64_t hash = text_hash(text);
            const auto it = stored.find(source.track_id);
            if (it != stored.end() && it->second == hash) {
                ++report.up_to_date;
                return;
            }
            work.ids.push_back(source.track_id);
            work.hashes.push_back(hash);
            work.texts.push_back(std::move(text));
        });
    }
    report.to_embed = work.ids.size();

    // As large as the embedder allows (a cloud API's per-request limit), else the default.
    size_t batch = options.batch_cap != 0 ? options.batch_cap
                                          : (info.max_batch != 0 ? info.max_batch : kDefaultEmbedBatchCap);
    if (info.max_batch != 0) batch = std::min<size_t>(batch, info.max_batch);
    batch = std::max<size_t>(1, batch);
    const size_t in_flight = static_cast<size_t>(std::max(1, embedder.runtime().concurrency_limit()));
    for (const std::string& text : work.texts) report.estimated_tokens += llm::estimate_tokens(text);
    if (options.on_plan && !work.ids.empty()) {
        options.on_plan({info.model, work.ids.size(), (work.ids.size() + batch - 1) / batch, report.estimated_tokens});
    }

    InvokeOptions invoke;
    invoke.cancel = &cancel;

    struct Pending {
        size_t begin = 0, count = 0;
        std::future<BatchResult> result;
    };
    std::deque<Pending> pending;
    size_t next = 0;
    int consecutive_failures = 0;
    bool stop = false;
    const auto launch = [&] {
        const size_t count = std::min(batch, work.ids.size() - next);
        std::vector<std::string> texts(std::make_move_iterator(work.texts.begin() + static_cast<std::ptrdiff_t>(next)),
                                       std::make_move_iterator(work.texts.begin() +
                                                               static_cast<std::ptrdiff_t>(next + count)));
        Pending p{next, count, {}};
        p.result = std::async(std::launch::async, [&embedder, &invoke, texts = std::move(texts)] {
            BatchResult out;
            out.call = embedder.embed(texts, PMX_EMBED_DOCUMENT, &out.vectors, invoke);
            return out;
        });
        pending.push_back(std::move(p));
        ++report.batches;
        next += count;
    };

    if (options.progress && !work.ids.empty()) options.progress(0, work.ids.size());
    while (!pending.empty() || (!stop && next < work.ids.size())) {
        while (!stop && !cancel.cancelled() && next < work.ids.size() && pending.size() < in_flight) launch();
        if (pending.empty()) break;
        Pending p = std::move(pending.front());
        pending.pop_front();
        BatchResult result = p.result.get();
        report.input_tokens += result.call.input_tokens;  // a failed call may have been billed too
        if (result.call.ok()) {
            consecutive_failures = 0;
            embeddings.put_vectors(model, std::span(work.ids).subspan(p.begin, p.count),
                                   std::span(work.hashes).subspan(p.begin, p.count), result.vectors);
            report.embedded += p.count;
            if (options.progress) options.progress(report.embedded, work.ids.size());
            continue;
        }
        if (result.call.status == PMX_CANCELLED || cancel.cancelled()) {
            report.cancelled = true;
            report.left += p.count;
            stop = true;
            continue;
        }
        report.failed += p.count;
        if (report.error.empty()) report.error = "embedder " + embedder.name() + ": " + describe(result.call);
        if (ends_pass(result.call.status) || ++consecutive_failures >= kMaxConsecutiveFailures) stop = true;
    }
    if (cancel.cancelled()) report.cancelled = true;
    report.left += work.ids.size() - next;

    if (!options.index_dir.empty()) {
        OpenedIndex opened = open_model_index(store, model, index_file(options.index_dir, model.name),
                                               options.rebuild_index ? IndexMode::rebuild : IndexMode::check);
        report.index_size = opened.index->size();
        report.index_built = opened.built;
        report.index_rebuilt = opened.rebuilt;
        for (auto& note : opened.notes) report.notes.push_back(std::move(note));
    }
    return finish();
}

}  // namespace pmx
