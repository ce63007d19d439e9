// Sync against a fake Plex in its own process: full / no-change / 1%-changed sync, the curl floor, peak RSS.
//
//   build-bench/bin/sync_bench [--full-only] [N ...]      (default: 20000 200000)
//
// For each N, twice: against a fake that serves pages from JSON rendered at start-up
// ("cached": the cheapest server there can be), and against one that renders each page from
// the item data per request ("rendered": a server's cost of answering is in the floor).
// Each time: starts fake_plex_server N (a separate process, so the generated library's memory
// is not counted in this process's RSS), opens a fresh store in a temp dir, loads the plex
// plugin from disk and runs sync_source exactly as `plexmix sync` does (page size 1000):
//   1. a full sync;
//   2. the floor: the curl command-line tool, one process fetching sequentially over one
//      kept-alive connection every GET the full sync made (as the server recorded them: same
//      URLs, same X-Plex-Token / Accept headers), bodies to /dev/null;
//   3. a no-change incremental sync;
//   4. an incremental sync after 1% of the tracks were retitled on the server.
// (--full-only: 1 and 2 and the plugin alone, no incremental syncs: for profiling the full sync.)
// Then prints one table with the targets beside the figures, and where each sync's time went:
// setup (identity, sections), the keys-only pass, the scan (pages fetched, parsed, written),
// and finish (deletion diff, prune, commit) — each fetch phase beside curl's time for its pages.
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench_process.hpp"
#include "host/provider_runtime.hpp"
#include "plugin/loader.hpp"
#include "plugin/provider.hpp"
#include "store/store.hpp"
#include "sync/sync.hpp"

namespace fs = std::filesystem;

namespace {

using Clock = pmx::bench::Clock;

constexpr std::size_t kDefaultSizes[] = {20'000, 200'000};
constexpr const char* kProviderName = "bench";
constexpr const char* kPluginId = "plex";
constexpr const char* kPageSize = "1000";        // the plugin's default, stated explicitly
constexpr std::size_t kEditEvery = 100;          // 1% of the tracks change
constexpr double kFullToFloorTarget = 1.5;       // full sync <= 1.5x the curl floor
// No-change incremental: <= 0.15 s at 20k, <= 0.3 s at 200k (issue 15 item 1).
struct NoChangeTarget {
    std::size_t tracks;
    double seconds;
};
constexpr NoChangeTarget kNoChangeTargets[] = {{20'000, 0.15}, {200'000, 0.3}};
constexpr double kRssTargetMb = 400.0;           // 200k full sync peak RSS
constexpr std::size_t kRssTargetTracks = 200'000;
constexpr const char* kCurl = "curl";
constexpr const char* kRenderFlag = "--render-per-request";
constexpr const char* kFullOnlyFlag = "--full-only";

// The figures before the full-sync work of issue 15 item 2: the engine of commit 0800086,
// measured by this benchmark (--full-only 20000 200000, load ~4, 2 cores shared with other
// work). Index 0: 20k tracks, 1: 200k.
// no_change: the no-change incremental of that engine, which walked every key (20k: this
// benchmark at load ~2; 200k: the 2.5 s issue 15 quotes from it).
struct Previous {
    std::size_t tracks;
    double floor_cached, full_cached, floor_rendered, full_rendered, no_change;
};
constexpr double kUnmeasured = std::numeric_limits<double>::quiet_NaN();
constexpr Previous kPrevious[] = {
    {20'000, 0.030, 0.559, 0.099, 0.583, 0.17},
    {200'000, 0.290, 9.715, 0.736, 8.026, 2.5},
};
// The headers the plugin sends (plex_http.cpp), minus its product/version values.
constexpr const char* kAcceptHeader = "Accept: application/json";
constexpr const char* kClientHeader = "X-Plex-Client-Identifier: plexmix-bench";
constexpr const char* kProductHeader = "X-Plex-Product: plexmix";

using pmx::bench::peak_rss_mb;
using pmx::bench::Pipe;
using pmx::bench::read_all;
using pmx::bench::run;
using pmx::bench::seconds;
using pmx::bench::spawn;

// fake_plex_server N, serving until we close its stdin.
class ServerProcess {
public:
    ServerProcess(std::size_t tracks, bool render_per_request) {
        Pipe in, out;
        std::vector<std::string> argv{PMX_FAKE_PLEX_SERVER, std::to_string(tracks)};
        if (render_per_request) argv.emplace_back(kRenderFlag);
        pid_ = spawn(argv, out.write, in.read);
        close(in.read);
        close(out.write);
        stdin_ = in.write;
        std::string line;
        for (char c; ::read(out.read, &c, 1) == 1 && c != '\n';) line += c;
        close(out.read);
        std::istringstream fields(line);
        fields >> url_ >> token_;
        if (token_.empty()) throw std::runtime_error("fake_plex_server did not start");
    }
    ~ServerProcess() {
        close(stdin_);
        int status = 0;
        waitpid(pid_, &status, 0);
    }
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    const std::string& url() const { return url_; }
    const std::string& token() const { return token_; }

    // The GETs the server answered since request index `since`, in order: (index, target).
    std::vector<std::pair<std::size_t, std::string>> requests_since(std::size_t since) const {
        std::vector<std::pair<std::size_t, std::string>> out;
        std::istringstream lines(run({kCurl, "-sSf", url_ + "/bench/requests?since=" + std::to_string(since)}));
        std::size_t index = 0;
        std::string target;
        while (lines >> index >> target) out.emplace_back(index, target);
        return out;
    }
    std::size_t retitle_every(std::size_t every) const {
        return std::stoul(run({kCurl, "-sSf", "-X", "POST", url_ + "/bench/edit?every=" + std::to_string(every)}));
    }

private:
    pid_t pid_ = -1;
    int stdin_ = -1;
    std::string url_, token_;
};

// --- the floor ------------------------------------------------------------------------------------

enum class PageKind { keys, tracks, albums, other };
constexpr std::size_t kPageKinds = 4;

PageKind kind_of(const std::string& target) {
    if (target.find("/all?") == std::string::npos) return PageKind::other;
    if (target.find("excludeElements") != std::string::npos) return PageKind::keys;
    if (target.find("type=9") != std::string::npos) return PageKind::albums;
    return PageKind::tracks;
}

struct Floor {
    double wall = 0;                 // the curl process, start to exit
    double by_kind[kPageKinds] = {};  // curl's time_total summed per kind of page
    std::size_t requests = 0;
};

// One curl process fetching every target in order over one kept-alive connection.
Floor curl_floor(const ServerProcess& server, const std::vector<std::pair<std::size_t, std::string>>& gets,
                 const fs::path& dir) {
    const fs::path config = dir / "curl-floor.conf";
    {
        std::ofstream out(config);
        out << "silent\nshow-error\nfail\ngloboff\n";
        out << "header = \"" << kAcceptHeader << "\"\n";
        out << "header = \"X-Plex-Token: " << server.token() << "\"\n";
        out << "header = \"" << kProductHeader << "\"\nheader = \"" << kClientHeader << "\"\n";
        out << "write-out = \"%{time_total}\\n\"\n";
        for (const auto& [index, target] : gets) out << "url = \"" << server.url() << target << "\"\noutput = \"/dev/null\"\n";
    }
    const auto start = Clock::now();
    const std::string times = run({kCurl, "-K", config.string()});
    Floor floor;
    floor.wall = seconds(Clock::now() - start);
    std::istringstream lines(times);
    double t = 0;
    for (const auto& [index, target] : gets) {
        if (!(lines >> t)) break;
        floor.by_kind[static_cast<std::size_t>(kind_of(target))] += t;
    }
    floor.requests = gets.size();
    return floor;
}

// --- one sync, timed ----------------------------------------------------------------------------

struct Phases {
    double setup = 0, keys = 0, scan = 0, finish = 0;
    bool known = false;
};

// CPU time of this process (every thread: the sync's and its page reader's), seconds.
double cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
    return s(usage.ru_utime) + s(usage.ru_stime);
}

struct TimedSync {
    pmx::SyncReport report;
    double wall = 0;
    double cpu = 0;  // this process's CPU time during the sync (the fake's is not in it)
    Phases phases;
    std::vector<std::pair<std::size_t, std::string>> gets;  // what the server answered, in order
};

// Collects the start time of every HTTP attempt the provider makes.
struct RequestClock {
    std::mutex mutex;
    std::vector<Clock::time_point> starts;
};

std::unique_ptr<pmx::Provider> make_provider(pmx::LoadedPlugin& plugin, const ServerProcess& server,
                                             RequestClock& clock) {
    pmx::RuntimeHooks hooks;
    hooks.on_request_start = [&clock](pmx::SteadyTime granted) {
        std::lock_guard lock(clock.mutex);
        clock.starts.push_back(granted);
    };
    auto runtime = std::make_unique<pmx::ProviderRuntime>(kProviderName, kPluginId, pmx::CallPolicy{},
                                                          plugin.info().max_concurrent_calls, std::move(hooks));
    std::string error;
    auto instance = pmx::PluginInstance::create(
        plugin, {{"url", server.url()}, {"token", server.token()}, {"page_size", kPageSize}}, *runtime, &error);
    if (!instance) throw std::runtime_error("plex plugin refused its settings: " + error);
    return std::make_unique<pmx::Provider>(kProviderName, std::move(runtime), std::move(instance));
}

TimedSync timed_sync(pmx::Store& store, pmx::Provider& provider, RequestClock& clock, const ServerProcess& server,
                     std::size_t& request_mark) {
    {
        std::lock_guard lock(clock.mutex);
        clock.starts.clear();
    }
    std::optional<Clock::time_point> last_progress;
    pmx::SyncOptions options;
    options.progress = [&](uint64_t, uint64_t) { last_progress = Clock::now(); };

    TimedSync out;
    const double cpu_start = cpu_seconds();
    const auto start = Clock::now();
    out.report = pmx::sync_source(store, provider, kProviderName, kPluginId, server.url(), options);
    const auto end = Clock::now();
    out.wall = seconds(end - start);
    out.cpu = cpu_seconds() - cpu_start;
    if (!out.report.ok) throw std::runtime_error("sync failed: " + out.report.error);

    out.gets = server.requests_since(request_mark);
    if (!out.gets.empty()) request_mark = out.gets.back().first + 1;

    // The server's i-th GET is the provider's i-th request: phases start at their first request.
    std::lock_guard lock(clock.mutex);
    if (clock.starts.size() == out.gets.size() && last_progress) {
        std::optional<Clock::time_point> keys_start, scan_start;
        for (std::size_t i = 0; i < out.gets.size(); ++i) {
            const PageKind kind = kind_of(out.gets[i].second);
            if (kind == PageKind::keys && !keys_start) keys_start = clock.starts[i];
            if ((kind == PageKind::tracks || kind == PageKind::albums) && !scan_start) scan_start = clock.starts[i];
        }
        if (!keys_start) keys_start = scan_start;  // an empty mirror's full sync has no keys pass
        if (keys_start && scan_start) {
            out.phases = {seconds(*keys_start - start), seconds(*scan_start - *keys_start),
                          seconds(*last_progress - *scan_start), seconds(end - *last_progress), true};
        }
    }
    return out;
}

// --- the plugin alone -----------------------------------------------------------------------------

// Pages through every music library as the sync does, with no store: HTTP + the plugin's JSON
// parsing + the conversion to TrackRecord. The sync's scan minus this is the store's share.
double scan_only(pmx::Provider& provider, uint32_t flags) {
    const auto start = Clock::now();
    std::vector<pmx::LibraryInfo> libraries;
    if (!provider.list_libraries(&libraries).ok()) throw std::runtime_error("list_libraries failed");
    for (const auto& library : libraries) {
        for (std::string cursor;;) {
            pmx::ScanPage page;
            const pmx::CallResult r = provider.scan_page(library.key, cursor, PMX_SCAN_ORDER_ANY, flags, &page,
                                                         [](const pmx::TrackRecord&) { return true; });
            if (!r.ok()) throw std::runtime_error("scan_page failed: " + r.message);
            if (!page.next_cursor || page.next_cursor->empty()) break;
            cursor = *page.next_cursor;
        }
    }
    return seconds(Clock::now() - start);
}

// --- per N ----------------------------------------------------------------------------------------

struct Result {
    std::size_t tracks = 0;
    bool rendered = false;  // the fake rendered each page per request
    bool full_only = false;
    Floor floor;
    TimedSync full, unchanged, changed;
    std::size_t retitled = 0;
    double rss_after_full_mb = 0;
    double keys_scan_only = 0, full_scan_only = 0;  // the plugin alone, no store
    double full_scan_only_cpu = 0;
};

Result bench(pmx::LoadedPlugin& plugin, std::size_t tracks, bool rendered, bool full_only) {
    std::fprintf(stderr, "N = %zu: starting fake_plex_server%s...\n", tracks, rendered ? " (rendering per request)" : "");
    Result r;
    r.tracks = tracks;
    r.rendered = rendered;
    r.full_only = full_only;
    const ServerProcess server(tracks, rendered);
    const fs::path dir = fs::temp_directory_path() / ("pmx-sync-bench-" + std::to_string(getpid()) + "-" + std::to_string(tracks));
    fs::remove_all(dir);
    fs::create_directories(dir);
    {
        auto store = pmx::Store::open(dir / "plexmix.db");
        RequestClock clock;
        auto provider = make_provider(plugin, server, clock);
        std::size_t mark = 0;

        std::fprintf(stderr, "N = %zu: full sync...\n", tracks);
        r.full = timed_sync(*store, *provider, clock, server, mark);
        r.rss_after_full_mb = peak_rss_mb();
        std::fprintf(stderr, "N = %zu: curl floor (%zu GETs)...\n", tracks, r.full.gets.size());
        r.floor = curl_floor(server, r.full.gets, dir);
        std::fprintf(stderr, "N = %zu: plugin-only scans (no store)...\n", tracks);
        r.keys_scan_only = scan_only(*provider, PMX_SCAN_KEYS_ONLY);
        const double cpu_start = cpu_seconds();
        r.full_scan_only = scan_only(*provider, 0);
        r.full_scan_only_cpu = cpu_seconds() - cpu_start;
        const auto replayed = server.requests_since(mark);  // these GETs are not the next sync's
        if (!replayed.empty()) mark = replayed.back().first + 1;
        if (!full_only) {
            std::fprintf(stderr, "N = %zu: no-change incremental...\n", tracks);
            r.unchanged = timed_sync(*store, *provider, clock, server, mark);
            r.retitled = server.retitle_every(kEditEvery);
            std::fprintf(stderr, "N = %zu: incremental after retitling %zu tracks...\n", tracks, r.retitled);
            r.changed = timed_sync(*store, *provider, clock, server, mark);
        }
    }
    fs::remove_all(dir);
    return r;
}

// --- the report -----------------------------------------------------------------------------------

void row(const char* label, const std::vector<Result>& results, const char* format, double (*value)(const Result&),
         const char* target) {
    std::printf("  %-34s", label);
    for (const Result& r : results) {
        char cell[32];
        std::snprintf(cell, sizeof cell, format, value(r));
        std::printf(" %14s", cell);
    }
    std::printf("   %s\n", target);
}

const Previous* previous_of(const Result& r) {
    for (const Previous& p : kPrevious) {
        if (p.tracks == r.tracks) return &p;
    }
    return nullptr;
}

// The figure of the same size and fake before this work, NaN when none.
double previous_floor(const Result& r) {
    const Previous* p = previous_of(r);
    return p ? (r.rendered ? p->floor_rendered : p->floor_cached) : kUnmeasured;
}
double previous_full(const Result& r) {
    const Previous* p = previous_of(r);
    return p ? (r.rendered ? p->full_rendered : p->full_cached) : kUnmeasured;
}

std::size_t count_kind(const TimedSync& s, PageKind kind) {
    std::size_t n = 0;
    for (const auto& [index, target] : s.gets) n += kind_of(target) == kind ? 1 : 0;
    return n;
}

void breakdown(const char* name, const TimedSync& s, const Result* with_floor) {
    const Floor* floor = with_floor ? &with_floor->floor : nullptr;
    const auto k = [](PageKind kind) { return static_cast<std::size_t>(kind); };
    std::printf("    %-17s %7.3f s  %4zu GETs (%zu keys, %zu album, %zu track pages); read %llu, added %llu, "
                "updated %llu, removed %llu\n",
                name, s.wall, s.gets.size(), count_kind(s, PageKind::keys), count_kind(s, PageKind::albums),
                count_kind(s, PageKind::tracks), static_cast<unsigned long long>(s.report.read),
                static_cast<unsigned long long>(s.report.added), static_cast<unsigned long long>(s.report.updated),
                static_cast<unsigned long long>(s.report.removed));
    if (!s.phases.known) {
        std::printf("      (phases unknown: requests and hooks disagree)\n");
        return;
    }
    std::printf("      setup %.3f s | keys pass %.3f s", s.phases.setup, s.phases.keys);
    if (floor) {
        std::printf(" (curl: %.3f s, plugin alone: %.3f s)", floor->by_kind[k(PageKind::keys)],
                    with_floor->keys_scan_only);
    }
    std::printf(" | scan: fetch+parse+write %.3f s", s.phases.scan);
    if (floor) {
        std::printf(" (curl: %.3f s, plugin alone: %.3f s)",
                    floor->by_kind[k(PageKind::tracks)] + floor->by_kind[k(PageKind::albums)],
                    with_floor->full_scan_only);
    }
    std::printf(" | finish: diff+prune+commit %.3f s\n", s.phases.finish);
}

void print(const std::vector<Result>& results) {
    std::printf("\nplexmix sync benchmark — plex plugin from %s, page size %s\n", PMX_PLEX_PLUGIN, kPageSize);
    std::printf("fake Plex: fake_plex_server in its own process on 127.0.0.1 (its memory is not in the RSS below);\n"
                "           'cached' serves pages from JSON rendered at start-up, 'rendered' renders each page\n"
                "           from the item data per request (%s)\n", kRenderFlag);
    std::printf("CPU: user + system time of this process (all its threads) during the run; the machine's other\n"
                "     work moves the wall times, much less the CPU times\n");
    std::printf("floor: the curl CLI, one process, sequential GETs over one kept-alive connection, replaying\n"
                "       exactly the GETs the full sync made (as the server logged them), bodies to /dev/null\n\n");
    std::printf("  %-34s", "tracks");
    for (const Result& r : results) std::printf(" %14zu", r.tracks);
    std::printf("\n  %-34s", "fake");
    for (const Result& r : results) std::printf(" %14s", r.rendered ? "rendered" : "cached");
    std::printf("   target\n");
    row("floor: curl, same pages (s)", results, "%.3f", [](const Result& r) { return r.floor.wall; }, "");
    row("  before (0800086)", results, "%.3f", previous_floor, "");
    row("full sync (s)", results, "%.3f", [](const Result& r) { return r.full.wall; }, "");
    row("  before (0800086)", results, "%.3f", previous_full, "");
    row("full sync (tracks/s)", results, "%.0f",
        [](const Result& r) { return static_cast<double>(r.tracks) / r.full.wall; }, "");
    row("full sync / floor", results, "%.2fx", [](const Result& r) { return r.full.wall / r.floor.wall; },
        "<= 1.5x");
    row("  before (0800086)", results, "%.2fx", [](const Result& r) { return previous_full(r) / previous_floor(r); },
        "");
    row("full sync, CPU of this process (s)", results, "%.3f", [](const Result& r) { return r.full.cpu; }, "");
    row("the plugin alone, no store (s)", results, "%.3f", [](const Result& r) { return r.full_scan_only; }, "");
    row("  its CPU (s)", results, "%.3f", [](const Result& r) { return r.full_scan_only_cpu; }, "");
    if (!results.empty() && !results.front().full_only) {
        row("no-change incremental (s)", results, "%.3f", [](const Result& r) { return r.unchanged.wall; },
            "<= 0.15 s at 20k, <= 0.3 s at 200k");
        row("  before (0800086)", results, "%.3f",
            [](const Result& r) { return previous_of(r) ? previous_of(r)->no_change : kUnmeasured; }, "");
        row("  keys walked (1 = yes)", results, "%.0f",
            [](const Result& r) { return r.unchanged.report.keys_walked ? 1.0 : 0.0; }, "0");
        row("incremental, 1% retitled (s)", results, "%.3f", [](const Result& r) { return r.changed.wall; }, "");
    }
    row("peak RSS after full sync (MB)", results, "%.1f", [](const Result& r) { return r.rss_after_full_mb; },
        "<= 400 MB at 200k");

    std::printf("\nwhere the time goes (phases from the provider's request start times; 'plugin alone' = the\n"
                "same pages scanned through the provider with no store: HTTP + JSON parse + conversion):\n");
    for (const Result& r : results) {
        std::printf("  N = %zu, %s fake\n", r.tracks, r.rendered ? "rendered" : "cached");
        breakdown("full", r.full, &r);
        if (r.full_only) continue;
        breakdown("no-change incr", r.unchanged, nullptr);
        breakdown("1% changed incr", r.changed, nullptr);
    }

    std::printf("\ntargets:\n");
    for (const Result& r : results) {
        const char* fake = r.rendered ? "rendered" : "cached";
        const double ratio = r.full.wall / r.floor.wall;
        std::printf("  N = %-7zu %-8s full/floor %.2fx <= %.1fx: %s (before: %.2fx)\n", r.tracks, fake, ratio,
                    kFullToFloorTarget, ratio <= kFullToFloorTarget ? "met" : "MISSED",
                    previous_full(r) / previous_floor(r));
        if (r.full_only) continue;
        for (const NoChangeTarget& target : kNoChangeTargets) {
            if (r.tracks != target.tracks) continue;
            std::printf("  N = %-7zu %-8s no-change incremental %.3f s <= %.2f s: %s\n", r.tracks, fake,
                        r.unchanged.wall, target.seconds, r.unchanged.wall <= target.seconds ? "met" : "MISSED");
        }
        if (r.tracks == kRssTargetTracks) {
            std::printf("  N = %-7zu %-8s peak RSS %.1f MB <= %.0f MB: %s\n", r.tracks, fake, r.rss_after_full_mb,
                        kRssTargetMb, r.rss_after_full_mb <= kRssTargetMb ? "met" : "MISSED");
        }
    }
    std::printf("  (peak RSS is this process's lifetime peak, getrusage ru_maxrss; the runs go in the order shown)\n");
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::size_t> sizes;
    bool full_only = false;
    for (int i = 1; i < argc; ++i) {
        if (std::string(argv[i]) == kFullOnlyFlag) {
            full_only = true;
            continue;
        }
        sizes.push_back(static_cast<std::size_t>(std::strtoull(argv[i], nullptr, 10)));
    }
    if (sizes.empty()) sizes.assign(std::begin(kDefaultSizes), std::end(kDefaultSizes));

    try {
        pmx::LoadResult loaded = pmx::load_plugin(PMX_PLEX_PLUGIN);
        if (!loaded.ok()) throw std::runtime_error("cannot load the plex plugin: " + loaded.error);
        std::vector<Result> results;
        for (const std::size_t n : sizes) {
            for (const bool rendered : {false, true}) results.push_back(bench(*loaded.plugin, n, rendered, full_only));
        }
        print(results);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "sync_bench: %s\n", e.what());
        return 1;
    }
    return 0;
}
