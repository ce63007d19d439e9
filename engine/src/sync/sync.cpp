// Mirroring a media source into the store, as one transaction per run.
#include "sync/sync.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <unordered_set>

#include <spdlog/spdlog.h>

#include "net/cancel.hpp"
#include "plugin/loader.hpp"
#include "plugin/provider.hpp"
#include "store/store.hpp"
#include "store/track_writer.hpp"
#include "store/watermarks.hpp"
#include "util/log.hpp"
#include "util/redact.hpp"

namespace pmx {
namespace {

using Clock = std::chrono::steady_clock;

// A pass may delete at most this share of the mirror unless the user asks for --full.
constexpr double kMassDeleteShare = 0.5;
// How many keys a verify report lists by name.
constexpr size_t kVerifySample = 10;
constexpr int64_t kMsPerSecond = 1000;
// The ABI minor that brought the favourites feed (PMX_SCAN_ORDER_FAVOURITES).
constexpr uint32_t kFavouritesMinor = 4;

std::string describe(const CallResult& r, const std::string& what) {
    return what + ": " + status_name(r.status) + (r.message.empty() ? "" : ": " + r.message);
}

// A failure that ends the run; carries the provider's status so Ctrl+C reads as interrupted.
struct SyncFailure {
    pmx_status status;
    std::string message;
};

// Visits every track of one library in `order`, page by page, until `on_track` says stop;
// after each page, `on_page` (when set) gets the library's size as the server reports it.
// With `optional`, a source that answers UNSUPPORTED for the order is not a failure: returns
// false (nothing read); otherwise true.
// `since` goes to the plugin as pmx_scan_request.since (incremental feeds only).
bool scan_library(Provider& source, const LibraryInfo& library, int32_t order, uint32_t flags,
                  const std::function<bool(const TrackRecord&)>& on_track,
                  const std::function<void(std::optional<uint64_t> total)>& on_page = {}, bool optional = false,
                  int64_t since = 0) {
    std::string cursor;
    bool stopped = false;
    while (!stopped) {
        ScanPage page;
        const CallResult r = source.scan_page(
            library.key, cursor, order, flags, &page,
            [&](const TrackRecord& t) {
                if (!on_track(t)) stopped = true;
                return !stopped;
            },
            since);
        if (optional && cursor.empty() && r.status == PMX_UNSUPPORTED) return false;
        if (!r.ok()) throw SyncFailure{r.status, describe(r, "scanning library \"" + library.title + "\"")};
        if (on_page) on_page(page.total);
        if (!page.next_cursor || page.next_cursor->empty()) break;
        cursor = *page.next_cursor;
    }
    return true;
}

// A full sync's pages, fetched and parsed on a thread of their own while the caller writes the
// page before (the store's writes and the plugin's parsing each take seconds at 200k tracks).
// Libraries are read in turn with scan_library(); at most kPagesAhead pages wait, so memory
// stays that of a few pages. The thread is the only caller of the provider meanwhile (calls
// on one instance stay serialized). A failure there reaches the caller from next(), after
// the pages read before it; the destructor stops and joins the thread, so a failure of the
// caller's writes ends the reading too. The transaction stays the caller's alone.
class PageReader {
public:
    struct Page {
        std::vector<TrackRecord> tracks;
        std::optional<uint64_t> total;  // the library's size as the server reports it
        bool library_done = false;      // no tracks: the library's last page came before
    };

    PageReader(Provider& source, const std::vector<LibraryInfo>& libraries)
        : thread_([this, &source, &libraries] { read(source, libraries); }) {}

    ~PageReader() {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        changed_.notify_all();
        thread_.join();
    }
    PageReader(const PageReader&) = delete;
    PageReader& operator=(const PageReader&) = delete;

    // The next page in order; nullopt once every library was read. Rethrows the reader's failure.
    std::optional<Page> next() {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return !pages_.empty() || finished_; });
        if (pages_.empty()) {
            if (failure_) std::rethrow_exception(failure_);
            return std::nullopt;
        }
        Page page = std::move(pages_.front());
        pages_.pop_front();
        lock.unlock();
        changed_.notify_all();
        return page;
    }

private:
    static constexpr size_t kPagesAhead = 2;

    void read(Provider& source, const std::vector<LibraryInfo>& libraries) {
        try {
            for (const auto& library : libraries) {
                Page page;
                scan_library(
                    source, library, PMX_SCAN_ORDER_ANY, 0,
                    [&](const TrackRecord& t) {
                        page.tracks.push_back(t);
                        return true;
                    },
                    [&](std::optional<uint64_t> total) {
                        page.total = total;
                        if (!push(std::move(page))) throw Stopped{};
                        page = Page{};
                    });
                if (!push(Page{{}, {}, true})) throw Stopped{};
            }
        } catch (const Stopped&) {
        } catch (...) {
            std::lock_guard lock(mutex_);
            failure_ = std::current_exception();
        }
        {
            std::lock_guard lock(mutex_);
            finished_ = true;
        }
        changed_.notify_all();
    }

    // Waits for room; false when the caller is gone.
    bool push(Page page) {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return pages_.size() < kPagesAhead || stopping_; });
        if (stopping_) return false;
        pages_.push_back(std::move(page));
        lock.unlock();
        changed_.notify_all();
        return true;
    }

    struct Stopped {};

    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<Page> pages_;
    bool stopping_ = false, finished_ = false;
    std::exception_ptr failure_;
    std::thread thread_;  // last: started once the members above exist
};

std::vector<LibraryInfo> libraries_of(Provider& source) {
    std::vector<LibraryInfo> libraries;
    const CallResult r = source.list_libraries(&libraries);
    if (!r.ok()) throw SyncFailure{r.status, describe(r, "listing libraries")};
    if (libraries.empty()) throw SyncFailure{PMX_NOT_FOUND, "the server has no music library"};
    return libraries;
}

// The ABI minor that brought libraries' change stamps (pmx_library.change_stamp).
constexpr uint32_t kLibraryStampMinor = 5;

// Thrown by a run that did not walk the server's keys when a feed brings a key the mirror
// lacks: the run starts over (its transaction rolled back) and walks them.
struct KeysNeeded {};

// What the server says of its libraries (each key, exact track count and change stamp),
// joined, to compare with what the last complete sync heard; `tracks` gets the counts' sum.
// Empty when a library has no stamp (a source older than ABI 1.5, or one that cannot tell).
std::string library_stamp(const std::vector<LibraryInfo>& libraries, uint32_t plugin_minor, uint64_t* tracks) {
    *tracks = 0;
    if (plugin_minor < kLibraryStampMinor) return {};
    std::string stamp;
    for (const LibraryInfo& library : libraries) {
        if (library.change_stamp.empty()) return {};
        stamp += library.key + '\t' + std::to_string(library.track_count) + '\t' + library.change_stamp + '\n';
        *tracks += library.track_count;
    }
    return stamp;
}

// One sync run's fixed inputs.
struct RunInputs {
    Store& store;
    Provider& source;
    const std::string& provider_name;
    int64_t server_id;
    int64_t run_id;
    const std::vector<LibraryInfo>& libraries;
    const std::string& stamp;
    const std::optional<SyncRun>& last_success;
    const Watermarks& start_marks;  // an incremental run's: where its feeds stop
    const SyncOptions& options;
};

// One attempt at the run: the keys-only pass when report.keys_walked, the full scan or the
// incremental feeds, deletions, commit. Fills the report's counts; throws SyncFailure, or
// KeysNeeded (nothing committed) when the keys turn out to be needed after all.
void run_once(const RunInputs& in, SyncReport& report) {
    Store& store = in.store;
    Provider& source = in.source;
    const SyncOptions& options = in.options;
    const std::vector<LibraryInfo>& libraries = in.libraries;
    const int64_t server_id = in.server_id;
    const bool walk_keys = report.keys_walked;
    std::unordered_set<std::string> on_server;
    for (const auto& library : libraries) {
        if (!walk_keys) break;
        scan_library(source, library, PMX_SCAN_ORDER_ANY, PMX_SCAN_KEYS_ONLY,
                     [&](const TrackRecord& t) { on_server.insert(t.key); return true; });
    }

    Store::Transaction tx(store);
    TrackWriter::Options writer_options;
    // Without the key set, a row another record could take over counts as still on the
    // server: the record is then a new key, and a new key makes the run walk the keys.
    writer_options.key_in_source = [&](const std::string& key) { return !walk_keys || on_server.count(key) > 0; };
    TrackWriter writer(tx, server_id, writer_options);
    const bool stop_on_new_key = report.mode == SyncMode::incremental && !walk_keys;
    // A track comes once into the mirror and into `read`, however many feeds bring it (the
    // added feed repeats what the updated feed had; a watermark's equal timestamps come
    // again): so read = added + updated + unchanged.
    std::unordered_set<std::string> seen_keys;
    // The favourites lists read (ABI 1.4), and the tracks whose flag they changed.
    std::unordered_set<std::string> favourites_listed;
    bool favourites_checked = false;
    uint64_t refavoured = 0;
    // The marks the mirror will have: a full run's are those of what it reads, an incremental
    // run's those it started from, raised by what it reads (a deleted track's times stay in
    // them: they tell how far the server's changes were seen, which is what a feed needs).
    Watermarks marks = report.mode == SyncMode::full ? Watermarks{} : in.start_marks;
    auto apply = [&](const TrackRecord& track) {
        if (track.key.empty() || !seen_keys.insert(track.key).second) return;
        ++report.read;
        absorb(marks, track);
        if (writer.upsert(track).outcome == UpsertOutcome::added && stop_on_new_key) throw KeysNeeded{};
    };
    if (report.mode == SyncMode::full) {
        // Progress of the libraries' size as the server reports it (unknown when one does not).
        uint64_t earlier_libraries = 0;
        bool sizes_known = true;
        uint64_t size = 0;  // of the library being read, when size_known
        bool size_known = false;
        // Page k+1 is fetched and parsed while page k is written.
        PageReader reader(source, libraries);
        while (std::optional<PageReader::Page> page = reader.next()) {
            if (page->library_done) {
                sizes_known = sizes_known && size_known;
                earlier_libraries += size_known ? size : 0;
                size = 0;
                size_known = false;
                continue;
            }
            for (const TrackRecord& t : page->tracks) apply(t);
            size_known = page->total.has_value();
            size = page->total.value_or(0);
            const bool known = sizes_known && size_known;
            if (options.progress) options.progress(report.read, known ? earlier_libraries + size : 0);
        }
    } else {
        // Newest first, down to the newest change the mirror already holds (the server's
        // clock, so client clock skew does not matter); equal timestamps are read again.
        // Plays and ratings do not move updatedAt on Plex: two more feeds catch them.
        const Watermarks& start = in.start_marks;
        const uint32_t plugin_minor = source.instance().plugin().info().abi_minor;
        const bool has_user_feeds = plugin_minor >= 1;
        // A server that filters by change time but cannot sort by it (Jellyfin) answers the
        // updated feed with what changed since the last complete sync began (host clock).
        const int64_t since = in.last_success->started_ms / kMsPerSecond;
        struct Feed {
            int32_t order;
            int64_t TrackRecord::*time;
            int64_t mark;
            bool optional;  // the plugin may answer UNSUPPORTED
        };
        const Feed feeds[] = {
            {PMX_SCAN_ORDER_UPDATED_DESC, &TrackRecord::updated_at, start.updated_at, false},
            {PMX_SCAN_ORDER_ADDED_DESC, &TrackRecord::added_at, start.added_at, false},
            {PMX_SCAN_ORDER_PLAYED_DESC, &TrackRecord::last_played_at, start.last_played_at, true},
            {PMX_SCAN_ORDER_RATED_DESC, &TrackRecord::last_rated_at, start.last_rated_at, true},
        };
        for (const auto& library : libraries) {
            for (const Feed& feed : feeds) {
                if (feed.optional && !has_user_feeds) continue;
                const bool read = scan_library(
                    source, library, feed.order, 0,
                    [&](const TrackRecord& t) {
                        // A feed sorted on a time the track does not have has reached
                        // the never-played / never-rated tail: nothing new after it.
                        const int64_t when = t.*feed.time;
                        if (feed.optional && when == 0) return false;
                        if (when != 0 && when < feed.mark) return false;
                        apply(t);
                        return true;
                    },
                    // The feeds stop at the last sync's changes: how many tracks that is
                    // nobody knows beforehand (the server's total is the library's size).
                    [&](std::optional<uint64_t>) {
                        if (options.progress) options.progress(report.read, 0);
                    },
                    feed.optional, since);
                if (!read) spdlog::debug("sync of {}: the source cannot sort by {}", in.provider_name, feed.order);
            }
            // Favourites carry no time (ABI 1.4): a server whose tracks came with the flag is
            // asked for the keys of its whole list, and the mirror made to agree with it.
            if (plugin_minor < kFavouritesMinor || !start.has_favourites) continue;
            std::unordered_set<std::string> listed;
            const bool read = scan_library(
                source, library, PMX_SCAN_ORDER_FAVOURITES, PMX_SCAN_KEYS_ONLY,
                [&](const TrackRecord& t) {
                    listed.insert(t.key);
                    return true;
                },
                [&](std::optional<uint64_t>) {
                    if (options.progress) options.progress(report.read, 0);
                },
                true);
            if (!read) continue;
            favourites_checked = true;
            favourites_listed.merge(listed);
        }
        if (favourites_checked) {
            // What this run wrote carries its current flag already.
            refavoured = writer.sync_favourites(favourites_listed, seen_keys);
            report.read += refavoured;
        }
    }

    // Deletions: what the mirror holds and the server no longer has (known only when the keys
    // were walked; otherwise the stamps said nothing left).
    std::vector<int64_t> to_delete;
    const auto mirrored = walk_keys ? store.track_keys(server_id) : std::vector<std::pair<int64_t, std::string>>{};
    for (const auto& [id, key] : mirrored) {
        if (!on_server.count(key)) to_delete.push_back(id);
    }
    if (!options.full && !mirrored.empty() &&
        static_cast<double>(to_delete.size()) > kMassDeleteShare * static_cast<double>(mirrored.size())) {
        throw SyncFailure{PMX_INVALID_INPUT,
                          "this sync would delete " + std::to_string(to_delete.size()) + " of " +
                              std::to_string(mirrored.size()) +
                              " mirrored tracks (more than half); nothing was changed. If the library really "
                              "shrank, run 'plexmix sync --full'"};
    }
    report.removed = store.delete_tracks(to_delete);
    const auto& counts = writer.counts();
    // Only a deletion or a rewritten row can leave an album, artist or genre without tracks.
    if (report.removed > 0 || counts.updated + counts.rekeyed + counts.added > 0) store.prune_orphans();
    store.record_run_state(in.run_id, in.stamp, marks);
    if (global_cancel().cancelled()) throw SyncFailure{PMX_CANCELLED, "interrupted before commit"};
    tx.commit();
    report.added = counts.added;
    report.updated = counts.updated + counts.rekeyed + refavoured;
    report.rekeyed = counts.rekeyed;
    report.unchanged = counts.unchanged;
}

}  // namespace

SyncReport sync_source(Store& store, Provider& source, const std::string& provider_name, const std::string& plugin_id,
                       const std::string& url, const SyncOptions& options) {
    const auto started = Clock::now();
    SyncReport report;
    report.provider = provider_name;

    ServerInfo server;
    if (const CallResult r = source.identity(&server); !r.ok()) {
        const bool cancelled = r.status == PMX_CANCELLED;
        report.status = cancelled ? "interrupted" : "failed";
        report.error = describe(r, "asking the server who it is");
        report.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
        // No identity, no server row to record a run under: the store keeps it per provider.
        const auto now = std::chrono::system_clock::now().time_since_epoch();
        store.record_unreached_sync({provider_name, plugin_id,
                                     std::chrono::duration_cast<std::chrono::milliseconds>(now - report.elapsed).count(),
                                     cancelled ? RunStatus::interrupted : RunStatus::failed, redact(report.error)});
        log_to_file(LogLevel::warn, "sync of " + provider_name + " " + report.status + ": " + report.error);
        return report;
    }
    store.clear_unreached_sync(provider_name);
    report.server_identity = server.identity;
    for (const auto& known : store.servers_of_provider(provider_name)) {
        if (known.identity != server.identity) {
            report.notes.push_back("provider '" + provider_name + "' now answers as server " + server.identity +
                                   " (\"" + server.name + "\"), not " + known.identity + " (\"" + known.name +
                                   "\"): it is mirrored apart; the old server's tracks stay under their own identity");
        }
    }
    const int64_t server_id = store.upsert_server(provider_name, plugin_id, server, url);
    store.interrupt_stale_runs(server_id, "the process ended during the run");
    const auto last_success = store.last_run(server_id, RunStatus::success);
    report.mode = options.full || !last_success ? SyncMode::full : SyncMode::incremental;
    const int64_t run_id =
        store.start_run(server_id, report.mode == SyncMode::full ? RunMode::full : RunMode::incremental);

    try {
        const std::vector<LibraryInfo> libraries = libraries_of(source);
        const uint32_t plugin_minor = source.instance().plugin().info().abi_minor;
        uint64_t stamped_tracks = 0;
        const std::string stamp = library_stamp(libraries, plugin_minor, &stamped_tracks);
        const bool mirror_empty = !store.has_tracks(server_id);
        // The server's key set (one keys-only pass) tells deletions apart and keeps the writer
        // from giving a row that is still on the server to a re-keyed item. An empty mirror
        // has neither deletions nor rows to re-key. An incremental run skips it when every
        // library says it is as the last complete sync found it (ABI 1.5 stamps with exact
        // counts) and the mirror holds exactly that many tracks: then nothing left the server.
        // Should a feed bring a key the mirror lacks all the same (an addition, a re-key: the
        // stamp of a server that adds and deletes one track each may not have moved), the run
        // starts over and walks the keys.
        report.keys_walked = !mirror_empty && (report.mode == SyncMode::full || stamp.empty() ||
                                               last_success->library_stamp != stamp ||
                                               static_cast<uint64_t>(store.track_count(server_id)) != stamped_tracks);
        if (report.mode == SyncMode::incremental && !report.keys_walked) {
            spdlog::debug("sync of {}: every library is as the last complete sync found it: its keys are not walked",
                          provider_name);
        }
        // Where the feeds stop: the marks the last run recorded (before store v11: the rows').
        const Watermarks start_marks = report.mode == SyncMode::full ? Watermarks{}
                                       : last_success->marks       ? *last_success->marks
                                                                   : watermarks(store, server_id);
        for (bool done = false; !done;) {
            try {
                run_once({store, source, provider_name, server_id, run_id, libraries, stamp, last_success, start_marks,
                          options},
                         report);
                done = true;
            } catch (const KeysNeeded&) {
                spdlog::debug("sync of {}: a feed brought a new key; walking the server's keys", provider_name);
                report.keys_walked = true;
                report.read = 0;
            }
        }
        report.ok = true;
        report.status = "success";
    } catch (const SyncFailure& f) {
        report.status = f.status == PMX_CANCELLED ? "interrupted" : "failed";
        report.error = f.message;
    } catch (const std::exception& e) {
        report.status = "failed";
        report.error = e.what();
    }
    if (!report.ok) report.read = report.added = report.updated = report.unchanged = report.rekeyed = report.removed = 0;
    report.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
    const RunStatus final_status = report.ok                        ? RunStatus::success
                                   : report.status == "interrupted" ? RunStatus::interrupted
                                                                    : RunStatus::failed;
    store.finish_run(run_id, final_status, static_cast<int64_t>(report.added), static_cast<int64_t>(report.updated),
                     static_cast<int64_t>(report.removed), redact(report.error));
    // The front end shows the failure (the report); the log file keeps a record of it.
    if (!report.ok) log_to_file(LogLevel::warn, "sync of " + provider_name + " " + report.status + ": " + report.error);
    return report;
}

VerifyReport verify_source(Store& store, Provider& source, const std::string& provider_name) {
    VerifyReport report;
    report.provider = provider_name;
    try {
        ServerInfo server;
        if (const CallResult r = source.identity(&server); !r.ok()) throw SyncFailure{r.status, describe(r, "identity")};
        const auto row = store.find_server(provider_name, server.identity);
        std::unordered_set<std::string> on_server;
        for (const auto& library : libraries_of(source)) {
            scan_library(source, library, PMX_SCAN_ORDER_ANY, PMX_SCAN_KEYS_ONLY,
                         [&](const TrackRecord& t) { on_server.insert(t.key); return true; });
        }
        report.server_tracks = on_server.size();
        std::unordered_set<std::string> mirrored;
        if (row) {
            for (auto& [id, key] : store.track_keys(row->id)) mirrored.insert(std::move(key));
        }
        report.mirror_tracks = mirrored.size();
        for (const auto& key : on_server) {
            if (mirrored.count(key)) continue;
            if (++report.missing_count <= kVerifySample) report.missing.push_back(key);
        }
        for (const auto& key : mirrored) {
            if (on_server.count(key)) continue;
            if (++report.extra_count <= kVerifySample) report.extra.push_back(key);
        }
        std::sort(report.missing.begin(), report.missing.end());
        std::sort(report.extra.begin(), report.extra.end());
        report.problems = store.integrity_problems();
    } catch (const SyncFailure& f) {
        report.error = f.message;
    }
    return report;
}

}  // namespace pmx
