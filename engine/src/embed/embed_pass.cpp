// The embedding step: texts → batches through the call core → vectors per batch → the index.
#include "embed/embed_pass.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <future>
#include <mutex>

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

    // Batches are handled in the order they finish, not the order they were sent: a batch that
    // waits out a 429 (Retry-After) or a slow answer holds its own slot only, and the other
    // slots go on with the next batches.
    struct Done {
        size_t begin = 0, count = 0;
        BatchResult result;
        std::exception_ptr abort;  // the host failed during the call (HostAbort): rethrown here
    };
    std::mutex done_mutex;
    std::condition_variable done_cv;
    std::deque<Done> done;
    // Declared after what the tasks use: destroyed first, each waiting for its task to end.
    std::vector<std::future<void>> tasks;
    size_t running = 0;
    size_t next = 0;
    int consecutive_failures = 0;
    bool stop = false;
    const auto launch = [&] {
        const size_t count = std::min(batch, work.ids.size() - next);
        std::vector<std::string> texts(std::make_move_iterator(work.texts.begin() + static_cast<std::ptrdiff_t>(next)),
                                       std::make_move_iterator(work.texts.begin() +
                                                               static_cast<std::ptrdiff_t>(next + count)));
        tasks.push_back(std::async(std::launch::async, [&, begin = next, count, texts = std::move(texts)] {
            Done d{begin, count, {}, {}};
            try {
                d.result.call = embedder.embed(texts, PMX_EMBED_DOCUMENT, &d.result.vectors, invoke);
            } catch (...) {
                d.abort = std::current_exception();
            }
            {
                std::lock_guard lock(done_mutex);
                done.push_back(std::move(d));
            }
            done_cv.notify_one();
        }));
        ++running;
        ++report.batches;
        next += count;
    };

    if (options.progress && !work.ids.empty()) options.progress(0, work.ids.size());
    while (running > 0 || (!stop && next < work.ids.size())) {
        while (!stop && !cancel.cancelled() && next < work.ids.size() && running < in_flight) launch();
        if (running == 0) break;
        Done d;
        {
            std::unique_lock lock(done_mutex);
            done_cv.wait(lock, [&] { return !done.empty(); });
            d = std::move(done.front());
            done.pop_front();
        }
        --running;
        if (d.abort) std::rethrow_exception(d.abort);
        report.input_tokens += d.result.call.input_tokens;  // a failed call may have been billed too
        if (d.result.call.ok()) {
            consecutive_failures = 0;
            embeddings.put_vectors(model, std::span(work.ids).subspan(d.begin, d.count),
                                   std::span(work.hashes).subspan(d.begin, d.count), d.result.vectors);
            report.embedded += d.count;
            if (options.progress) options.progress(report.embedded, work.ids.size());
            continue;
        }
        if (d.result.call.status == PMX_CANCELLED || cancel.cancelled()) {
            report.cancelled = true;
            report.left += d.count;
            stop = true;
            continue;
        }
        report.failed += d.count;
        if (report.error.empty()) report.error = "embedder " + embedder.name() + ": " + describe(d.result.call);
        if (ends_pass(d.result.call.status) || ++consecutive_failures >= kMaxConsecutiveFailures) stop = true;
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
