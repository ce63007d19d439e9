// Sync against a fake Jellyfin in its own process: full / no-change / 1%-changed sync, the curl floor, peak RSS.
//
//   build/bench/jellyfin_sync_bench [--full-only] [N ...]      (default: 20000 200000)
//
// For each N: starts fake_jellyfin_server N (its own process: the generated library's memory
// is not this process's RSS; it renders each page per request, as Jellyfin does), opens a fresh
// store in a temp dir, loads the jellyfin plugin from disk and runs sync_source exactly as
// `plexmix sync` does (page size 1000, a user's token):
//   1. a full sync;
//   2. the floor: the curl command-line tool, one process fetching sequentially over one
//      kept-alive connection every GET the full sync made (as the server recorded them: same
//      URLs, same Authorization and Accept headers), bodies to /dev/null;
//   3. a no-change incremental sync;
//   4. an incremental sync after 1% of the tracks were renamed on the server.
// (--full-only: 1 and 2 and the plugin alone, no incremental syncs.)
// Then prints the figures beside the targets and the figures before (as bench/sync_bench.cpp
// does for Plex).
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "bench_process.hpp"
#include "plugin/loader.hpp"
#include "plugin/provider.hpp"
#include "store/store.hpp"
#include "sync/sync.hpp"

namespace fs = std::filesystem;
using pmx::bench::Clock;
using pmx::bench::seconds;

namespace {

constexpr std::size_t kDefaultSizes[] = {20'000, 200'000};
constexpr const char* kProviderName = "bench";
constexpr const char* kPluginId = "jellyfin";
constexpr const char* kPageSize = "1000";
constexpr std::size_t kEditEvery = 100;          // 1% of the tracks change
constexpr double kFullToFloorTarget = 1.5;
// No-change incremental: <= 0.15 s at 20k, <= 0.3 s at 200k (issue 15 item 1).
struct NoChangeTarget {
    std::size_t tracks;
    double seconds;
};
constexpr NoChangeTarget kNoChangeTargets[] = {{20'000, 0.15}, {200'000, 0.3}};
constexpr double kRssTargetMb = 400.0;
constexpr std::size_t kRssTargetTracks = 200'000;
constexpr const char* kCurl = "curl";
constexpr const char* kFullOnlyFlag = "--full-only";

// The figures before the sync work of issue 15 items 1 and 2: the engine of commit 0800086,
// measured by this benchmark (20000 200000, load ~5, 2 cores shared with other work); the
// no-change incremental (which walked every key) as the jellyfin branch measured it (load ~7).
struct Previous {
    std::size_t tracks;
    double floor, full, no_change;
};
constexpr Previous kPrevious[] = {{20'000, 0.139, 0.951, 0.421}, {200'000, 1.178, 14.487, 3.68}};
constexpr double kUnmeasured = std::numeric_limits<double>::quiet_NaN();

class Server {
public:
    explicit Server(std::size_t tracks) : process_({PMX_FAKE_JELLYFIN_SERVER, std::to_string(tracks)}) {
        std::istringstream fields(process_.first_line());
        fields >> url_ >> token_;
    }
    const std::string& url() const { return url_; }
    const std::string& token() const { return token_; }
    std::vector<std::pair<std::size_t, std::string>> requests_since(std::size_t since) const {
        std::vector<std::pair<std::size_t, std::string>> out;
        std::istringstream lines(pmx::bench::run({kCurl, "-sSf", url_ + "/bench/requests?since=" + std::to_string(since)}));
        std::size_t index = 0;
        std::string target;
        while (lines >> index >> target) out.emplace_back(index, target);
        return out;
    }
    std::size_t rename_every(std::size_t every) const {
        return std::stoul(pmx::bench::run({kCurl, "-sSf", "-X", "POST", url_ + "/bench/edit?every=" + std::to_string(every)}));
    }

private:
    pmx::bench::ServerProcess process_;
    std::string url_, token_;
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
    std::vector<std::pair<std::size_t, std::string>> gets;
};

TimedSync timed_sync(pmx::Store& store, pmx::Provider& provider, const Server& server, std::size_t& mark) {
    TimedSync out;
    const double cpu_start = cpu_seconds();
    const auto start = Clock::now();
    out.report = pmx::sync_source(store, provider, kProviderName, kPluginId, server.url(), pmx::SyncOptions{});
    out.wall = seconds(Clock::now() - start);
    out.cpu = cpu_seconds() - cpu_start;
    if (!out.report.ok) throw std::runtime_error("sync failed: " + out.report.error);
    out.gets = server.requests_since(mark);
    if (!out.gets.empty()) mark = out.gets.back().first + 1;
    return out;
}

// One curl process fetching every target in order over one kept-alive connection.
double curl_floor(const Server& server, const std::vector<std::pair<std::size_t, std::string>>& gets, const fs::path& dir) {
    const fs::path config = dir / "curl-floor.conf";
    {
        std::ofstream out(config);
        out << "silent\nshow-error\nfail\ngloboff\n";
        out << "header = \"Accept: application/json\"\n";
        out << "header = \"Authorization: MediaBrowser Client=\\\"plexmix\\\", Device=\\\"plexmix\\\", "
               "DeviceId=\\\"plexmix-bench\\\", Version=\\\"1.0.0\\\", Token=\\\""
            << server.token() << "\\\"\"\n";
        for (const auto& [index, target] : gets) out << "url = \"" << server.url() << target << "\"\noutput = \"/dev/null\"\n";
    }
    const auto start = Clock::now();
    pmx::bench::run({kCurl, "-K", config.string()});
    return seconds(Clock::now() - start);
}

// Pages through every music library as the full sync does, with no store: HTTP + the plugin's
// JSON parsing + the conversion to TrackRecord. The full sync minus this is the store's share.
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

struct Result {
    std::size_t tracks = 0;
    bool full_only = false;
    double floor = 0;
    double full_scan_only = 0, keys_scan_only = 0;  // the plugin alone, no store
    TimedSync full, unchanged, changed;
    std::size_t renamed = 0;
    double rss_after_full_mb = 0;
};

Result bench(pmx::LoadedPlugin& plugin, std::size_t tracks, bool full_only) {
    std::fprintf(stderr, "N = %zu: starting fake_jellyfin_server...\n", tracks);
    Result r;
    r.tracks = tracks;
    r.full_only = full_only;
    const Server server(tracks);
    const fs::path dir = fs::temp_directory_path() / ("pmx-jellyfin-bench-" + std::to_string(getpid()) + "-" + std::to_string(tracks));
    fs::remove_all(dir);
    fs::create_directories(dir);
    {
        auto store = pmx::Store::open(dir / "plexmix.db");
        auto runtime = std::make_unique<pmx::ProviderRuntime>(kProviderName, kPluginId, pmx::CallPolicy{},
                                                              plugin.info().max_concurrent_calls);
        std::string error;
        auto instance = pmx::PluginInstance::create(
            plugin, {{"url", server.url()}, {"token", server.token()}, {"page_size", kPageSize}}, *runtime, &error);
        if (!instance) throw std::runtime_error("jellyfin plugin refused its settings: " + error);
        pmx::Provider provider(kProviderName, std::move(runtime), std::move(instance));
        std::size_t mark = 0;

        std::fprintf(stderr, "N = %zu: full sync...\n", tracks);
        r.full = timed_sync(*store, provider, server, mark);
        r.rss_after_full_mb = pmx::bench::peak_rss_mb();
        std::fprintf(stderr, "N = %zu: curl floor (%zu GETs)...\n", tracks, r.full.gets.size());
        r.floor = curl_floor(server, r.full.gets, dir);
        std::fprintf(stderr, "N = %zu: plugin-only scans (no store)...\n", tracks);
        r.full_scan_only = scan_only(provider, 0);
        r.keys_scan_only = scan_only(provider, PMX_SCAN_KEYS_ONLY);
        const auto replayed = server.requests_since(mark);
        if (!replayed.empty()) mark = replayed.back().first + 1;
        if (!full_only) {
            std::fprintf(stderr, "N = %zu: no-change incremental...\n", tracks);
            r.unchanged = timed_sync(*store, provider, server, mark);
            r.renamed = server.rename_every(kEditEvery);
            std::fprintf(stderr, "N = %zu: incremental after renaming %zu tracks...\n", tracks, r.renamed);
            r.changed = timed_sync(*store, provider, server, mark);
        }
    }
    fs::remove_all(dir);
    return r;
}

void row(const char* label, const std::vector<Result>& results, const char* format, double (*value)(const Result&),
         const char* target) {
    std::printf("  %-34s", label);
    for (const Result& r : results) {
        char cell[32];
        std::snprintf(cell, sizeof cell, format, value(r));
        std::printf(" %12s", cell);
    }
    std::printf("   %s\n", target);
}

const Previous* previous_of(const Result& r) {
    for (const Previous& p : kPrevious) {
        if (p.tracks == r.tracks) return &p;
    }
    return nullptr;
}
double previous_floor(const Result& r) { return previous_of(r) ? previous_of(r)->floor : kUnmeasured; }
double previous_full(const Result& r) { return previous_of(r) ? previous_of(r)->full : kUnmeasured; }

// Pages of the user's favourites list: Jellyfin keeps no time of a favourite, so every
// incremental sync reads the whole list (one favourite in 7 in the fake).
std::size_t favourites_gets(const TimedSync& s) {
    std::size_t n = 0;
    for (const auto& [index, target] : s.gets) n += target.find("IsFavorite=true") != std::string::npos ? 1 : 0;
    return n;
}

void detail(const char* name, const TimedSync& s) {
    std::printf("    %-17s %7.3f s  %4zu GETs; read %llu, added %llu, updated %llu, removed %llu\n", name, s.wall,
                s.gets.size(), static_cast<unsigned long long>(s.report.read),
                static_cast<unsigned long long>(s.report.added), static_cast<unsigned long long>(s.report.updated),
                static_cast<unsigned long long>(s.report.removed));
}

void print(const std::vector<Result>& results) {
    std::printf("\nplexmix sync benchmark — jellyfin plugin from %s, page size %s\n", PMX_JELLYFIN_PLUGIN, kPageSize);
    std::printf("fake Jellyfin: fake_jellyfin_server in its own process on 127.0.0.1, pages rendered per request\n");
    std::printf("floor: the curl CLI, one process, sequential GETs over one kept-alive connection, replaying\n"
                "       exactly the GETs the full sync made (as the server logged them), bodies to /dev/null\n\n");
    std::printf("  %-34s", "tracks");
    for (const Result& r : results) std::printf(" %12zu", r.tracks);
    std::printf("   target\n");
    row("floor: curl, same pages (s)", results, "%.3f", [](const Result& r) { return r.floor; }, "");
    row("  before (0800086)", results, "%.3f", previous_floor, "");
    row("full sync (s)", results, "%.3f", [](const Result& r) { return r.full.wall; }, "");
    row("  before (0800086)", results, "%.3f", previous_full, "");
    row("full sync, CPU of this process (s)", results, "%.3f", [](const Result& r) { return r.full.cpu; }, "");
    row("full sync (tracks/s)", results, "%.0f", [](const Result& r) { return static_cast<double>(r.tracks) / r.full.wall; },
        "");
    row("full sync / floor", results, "%.2fx", [](const Result& r) { return r.full.wall / r.floor; }, "<= 1.5x");
    row("  before (0800086)", results, "%.2fx", [](const Result& r) { return previous_full(r) / previous_floor(r); }, "");
    row("  the plugin alone, no store (s)", results, "%.3f", [](const Result& r) { return r.full_scan_only; }, "");
    row("  its keys-only pass alone (s)", results, "%.3f", [](const Result& r) { return r.keys_scan_only; }, "");
    const bool incrementals = !results.empty() && !results.front().full_only;
    if (incrementals) {
        row("no-change incremental (s)", results, "%.3f", [](const Result& r) { return r.unchanged.wall; },
            "<= 0.15 s at 20k, <= 0.3 s at 200k");
        row("  before (0800086)", results, "%.3f",
            [](const Result& r) { return previous_of(r) ? previous_of(r)->no_change : kUnmeasured; }, "");
        row("  keys walked (1 = yes)", results, "%.0f",
            [](const Result& r) { return r.unchanged.report.keys_walked ? 1.0 : 0.0; }, "0");
        row("  GETs of the favourites list", results, "%.0f",
            [](const Result& r) { return static_cast<double>(favourites_gets(r.unchanged)); }, "");
        row("incremental, 1% renamed (s)", results, "%.3f", [](const Result& r) { return r.changed.wall; }, "");
    }
    row("peak RSS after full sync (MB)", results, "%.1f", [](const Result& r) { return r.rss_after_full_mb; },
        "<= 400 MB at 200k");
    std::printf("\nper sync:\n");
    for (const Result& r : results) {
        std::printf("  N = %zu\n", r.tracks);
        detail("full", r.full);
        if (!incrementals) continue;
        detail("no-change incr", r.unchanged);
        detail("1% renamed incr", r.changed);
    }
    std::printf("\ntargets:\n");
    for (const Result& r : results) {
        const double ratio = r.full.wall / r.floor;
        std::printf("  N = %-7zu full/floor %.2fx <= %.1fx: %s (before: %.2fx)\n", r.tracks, ratio, kFullToFloorTarget,
                    ratio <= kFullToFloorTarget ? "met" : "MISSED", previous_full(r) / previous_floor(r));
        if (!incrementals) continue;
        for (const NoChangeTarget& target : kNoChangeTargets) {
            if (r.tracks != target.tracks) continue;
            std::printf("  N = %-7zu no-change incremental %.3f s <= %.2f s: %s (before: %.3f s)\n", r.tracks,
                        r.unchanged.wall, target.seconds, r.unchanged.wall <= target.seconds ? "met" : "MISSED",
                        previous_of(r) ? previous_of(r)->no_change : kUnmeasured);
        }
        if (r.tracks == kRssTargetTracks) {
            std::printf("  N = %-7zu peak RSS %.1f MB <= %.0f MB: %s\n", r.tracks, r.rss_after_full_mb, kRssTargetMb,
                        r.rss_after_full_mb <= kRssTargetMb ? "met" : "MISSED");
        }
    }
    std::printf("  (peak RSS is this process's lifetime peak, getrusage ru_maxrss; the sizes run in the order shown)\n");
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
        pmx::LoadResult loaded = pmx::load_plugin(PMX_JELLYFIN_PLUGIN);
        if (!loaded.ok()) throw std::runtime_error("cannot load the jellyfin plugin: " + loaded.error);
        std::vector<Result> results;
        for (const std::size_t n : sizes) results.push_back(bench(*loaded.plugin, n, full_only));
        print(results);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "jellyfin_sync_bench: %s\n", e.what());
        return 1;
    }
    return 0;
}
