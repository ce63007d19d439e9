// Start to playlist: the real `plexmix create PROMPT --dry-run` run as a process, again and
// again, on a 100k-track mirror with 512-d vectors, timed from spawn to exit (the playlist is
// printed last). Prints p50/p95 of the wall time and of the CPU time (user + system, which
// other work on the machine disturbs less), beside the target and the previous figure, and the
// pipeline's steps from one `--json` run. Asserts nothing.
//
// usage: start_bench [--tracks N] [--runs N] [--dir DIR] [--keep] [--plexmix PATH]
// The mirror is generate_bench's (bench_mirror.hpp); with --dir it is built once and reused.
// The first run is not counted: it warms the page cache (and upgrades an index file written
// by an older plexmix). --plexmix times another build's binary (its plugins are found next to
// it) on the same kind of mirror; give it a mirror of its own, as each plexmix rewrites an
// index file of the other's format.
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "bench_mirror.hpp"

extern char** environ;

using namespace pmx;
using namespace pmx::bench;  // fs, Clock, the mirror and the prompts

namespace {

constexpr size_t kDefaultRuns = 30;
constexpr double kTargetP95Seconds = 0.3;    // issue 15, item 3
constexpr double kPreviousP95Seconds = 1.0;  // before the index file was mapped (format 1)

struct Run {
    bool ok = false;
    double wall_s = 0;
    double cpu_s = 0;
    std::string out, err;
};

std::string read_all(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

double seconds(const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; }

Run run_create(const fs::path& cli, const fs::path& dir, const std::string& prompt, bool json) {
    const fs::path build = cli.parent_path().parent_path();
    std::vector<std::string> args{cli.string(),
                                  "--config",
                                  (dir / "plexmix.yaml").string(),
                                  "--plugin-path",
                                  (build / "examples" / "plugins").string(),
                                  "create",
                                  prompt,
                                  "--dry-run"};
    if (json) args.push_back("--json");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const fs::path out = dir / "start_bench.out", err = dir / "start_bench.err";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    Run run;
    const auto start = Clock::now();
    pid_t pid = 0;
    const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) throw std::runtime_error(std::string("cannot run ") + argv[0] + ": " + std::strerror(spawned));
    int status = 0;
    rusage usage{};
    ::wait4(pid, &status, 0, &usage);
    run.wall_s = ms_since(start) / 1000.0;
    run.cpu_s = seconds(usage.ru_utime) + seconds(usage.ru_stime);
    run.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    run.out = read_all(out);
    run.err = read_all(err);
    return run;
}

// The pipeline's steps as `create --json` reports them (timings_ms), on one line.
void print_steps(const Run& run) {
    rapidjson::Document doc;
    doc.Parse(run.out.c_str());
    if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("timings_ms") || !doc["timings_ms"].IsObject()) {
        std::printf("steps: create --json gave no timings\n");
        return;
    }
    std::printf("steps of one run (create --json, ms):");
    for (const auto& m : doc["timings_ms"].GetObject())
        if (m.value.IsNumber()) std::printf(" %s %.1f;", m.name.GetString(), m.value.GetDouble());
    std::printf("\n");
}

}  // namespace

int main(int argc, char** argv) {
    size_t tracks = 100'000, runs = kDefaultRuns;
    fs::path dir, cli = self_dir() / "plexmix";
    bool keep = false;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--tracks") && i + 1 < argc) tracks = std::stoul(argv[++i]);
        else if (!std::strcmp(argv[i], "--runs") && i + 1 < argc) runs = std::stoul(argv[++i]);
        else if (!std::strcmp(argv[i], "--dir") && i + 1 < argc) dir = argv[++i];
        else if (!std::strcmp(argv[i], "--keep")) keep = true;
        else if (!std::strcmp(argv[i], "--plexmix") && i + 1 < argc) cli = fs::absolute(argv[++i]);
        else {
            std::fprintf(stderr, "usage: start_bench [--tracks N] [--runs N] [--dir DIR] [--keep] [--plexmix PATH]\n");
            return 2;
        }
    }
    if (runs < 2) runs = 2;
    const bool temporary = dir.empty();
    if (temporary) dir = fs::temp_directory_path() / ("plexmix-start-bench-" + std::to_string(::getpid()));
    int code = 0;
    try {
        const EmbedderChoice choice = choose_embedder();
        std::printf("start_bench: %zu tracks × %u-d vectors, embedder %s, %zu runs of %s create --dry-run\n", tracks,
                    kDim, choice.plugin_id.c_str(), runs, cli.c_str());
        if (!fs::exists(dir / kStoreFileName)) {
            std::unique_ptr<LoadedPlugin> plugin;
            auto embedder = make_embedder(choice, plugin);
            EmbedderInfo info;
            if (!embedder->embedder_info(&info).ok() || info.dimension != kDim)
                throw std::runtime_error(choice.plugin_id + " does not give " + std::to_string(kDim) + "-d vectors");
            build_mirror(dir, tracks, info.model, choice.config_line);
        }
        const Run warm = run_create(cli, dir, kPrompts[0], false);
        if (!warm.ok) throw std::runtime_error("plexmix create failed: " + warm.err);
        std::vector<double> wall, cpu;
        for (size_t i = 0; i < runs; ++i) {
            const std::string& prompt = kPrompts[(i * 7) % kPrompts.size()];
            const Run run = run_create(cli, dir, prompt, false);
            if (!run.ok) throw std::runtime_error("plexmix create \"" + prompt + "\" failed: " + run.err);
            wall.push_back(run.wall_s);
            cpu.push_back(run.cpu_s);
        }
        std::printf("start → printed playlist, wall: p50 %.3f s, p95 %.3f s, max %.3f s "
                    "(target p95 ≤ %.1f s; previous p95 %.1f s)\n",
                    percentile(wall, 0.5), percentile(wall, 0.95), percentile(wall, 1.0), kTargetP95Seconds,
                    kPreviousP95Seconds);
        std::printf("start → printed playlist, CPU (user + system): p50 %.3f s, p95 %.3f s\n", percentile(cpu, 0.5),
                    percentile(cpu, 0.95));
        print_steps(run_create(cli, dir, kPrompts[1], true));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "start_bench: %s\n", e.what());
        code = 1;
    }
    std::error_code ignored;
    fs::remove(dir / "start_bench.out", ignored);
    fs::remove(dir / "start_bench.err", ignored);
    if (temporary && !keep) fs::remove_all(dir, ignored);
    else std::printf("data kept in %s\n", dir.string().c_str());
    return code;
}
