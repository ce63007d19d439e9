// The select step with a completer over a 100k-track mirror, against the fake LLM speaking the
// OpenAI API at 0 ms and at 800 ms of latency: the time the engine adds beyond the completer's
// round trip (target: at most 50 ms at p95) and the completer requests per playlist (target:
// exactly 1 when the first answer is valid). Prints figures beside their targets; exits 1 when
// a playlist was not chosen by the completer (the figures would then measure a fallback).
//
// usage: select_bench [--tracks N] [--dir DIR] [--keep]
//
// The mirror is generate_bench's (bench_mirror.hpp; --dir shares one between the two). The
// completer is the openai plugin loaded from disk, pointed at a FakeLlm on 127.0.0.1 whose
// model chooses the number of tracks the request asks for among the candidate lines sent.
// Per prompt (generate_bench's 50), one run with --no-llm and one with the completer:
//   added      the select step's wall time less the fake's latency: the shortlist under the
//              caps, the candidates' tags, the request's lines, the plugin's JSON both ways, the
//              loopback HTTP, the fake's own answer, the validation and the new ranking;
//   run delta  the whole run with the completer less the run without it, less the latency
//              (two runs, so noisier; a cross-check of `added`).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <numeric>
#include <regex>
#include <string>
#include <vector>

#include "bench_mirror.hpp"
#include "embed/model_index.hpp"
#include "generate/pipeline.hpp"
#include "plugin/loader.hpp"
#include "plugin/provider.hpp"
#include "store/store.hpp"
#include "support/fake_llm.hpp"

using namespace pmx;
using namespace pmx::bench;  // fs, Clock, the mirror and the prompts

namespace {

constexpr double kTargetAddedMs = 50.0;  // p95 of the time added beyond the round trip
constexpr size_t kTargetRequests = 1;    // per playlist, with a valid first answer
const std::vector<std::chrono::milliseconds> kLatencies{std::chrono::milliseconds(0), std::chrono::milliseconds(800)};

// The fake model's reading of a prompt (--llm-parse runs): a mood and a tag, nothing else.
constexpr const char* kReading =
    R"({"track_count": 0, "duration_minutes": 0, "years": [], "genres": [], "exclude_genres": [], "artists": [],)"
    R"( "exclude_artists": [], "like_artists": [], "like_tracks": [], "min_stars": 0, "favourites": false, "exclude_live": false,)"
    R"( "unplayed": false, "not_played_in_days": 0, "played_in_days": 0, "per_artist": 0, "per_album": 0,)"
    R"( "tags": [{"term": "calm", "use": "rank"}], "mood": "calm late night"})";

// The fake model: the count the request asks for ("Choose exactly N tracks", "about N tracks"),
// every other candidate from the second, then the rest, each with a short reason.
std::string choose(const test::FakeLlmCall& call) {
    if (call.system.find("You read one sentence") != std::string::npos) return kReading;
    static const std::regex line(R"((?:^|\n)(\d+) \| )");
    static const std::regex wanted(R"(Choose exactly (\d+) tracks|about (\d+) tracks\.)");
    std::vector<std::string> ids;
    for (auto it = std::sregex_iterator(call.prompt.begin(), call.prompt.end(), line); it != std::sregex_iterator(); ++it) {
        ids.push_back((*it)[1]);
    }
    std::smatch m;
    size_t n = ids.size();
    if (std::regex_search(call.prompt, m, wanted)) n = std::stoul(m[1].matched ? m[1].str() : m[2].str());
    std::vector<std::string> picked;
    for (size_t i = 1; i < ids.size() && picked.size() < n; i += 2) picked.push_back(ids[i]);
    for (size_t i = 0; i < ids.size() && picked.size() < n; i += 2) picked.push_back(ids[i]);
    std::string text = "{\"tracks\": [";
    for (size_t i = 0; i < picked.size(); ++i) {
        text += (i ? ", " : "") + std::string("{\"id\": ") + picked[i] + ", \"reason\": \"fits the request\"}";
    }
    return text + "]}";
}

std::unique_ptr<Provider> make_completer(const test::FakeLlm& fake, std::unique_ptr<LoadedPlugin>& keep) {
    LoadResult loaded = load_plugin(PMX_OPENAI_PLUGIN);
    if (!loaded.ok()) throw std::runtime_error("cannot load the openai plugin: " + loaded.error);
    keep = std::move(loaded.plugin);
    auto runtime = std::make_unique<ProviderRuntime>("llm", "openai", CallPolicy{}, keep->info().max_concurrent_calls);
    std::string error;
    const SettingList settings{{"base_url", fake.url() + "/v1"}, {"api_key", fake.key()}, {"server", "openai"}};
    auto instance = PluginInstance::create(*keep, settings, *runtime, &error);
    if (!instance) throw std::runtime_error("cannot create the completer: " + error);
    return std::make_unique<Provider>("llm", std::move(runtime), std::move(instance));
}

double timing(const gen::GenerateContext& ctx, const std::string& what) {
    double ms = 0;
    for (const auto& [name, value] : ctx.timings) {
        if (name == what) ms += value;
    }
    return ms;
}

// Returns false when a playlist was not chosen by the completer.
bool measure(const fs::path& dir, Provider& embedder, Provider& completer, test::FakeLlm& fake) {
    auto store = Store::open(dir / kStoreFileName);
    const int64_t server = store->servers_of_provider("home").front().id;
    gen::IndexCache cache;
    gen::GenerateServices services;
    services.store = store.get();
    services.sources.push_back({"home", server, nullptr});
    services.embedder = &embedder;
    services.completer = &completer;
    services.index_dir = vectors_dir(dir);
    services.index_cache = &cache;
    const auto pipeline = gen::default_generate_pipeline();
    const auto run = [&](const std::string& prompt, bool llm, bool llm_parse = false) {
        gen::GenerateContext ctx;
        ctx.input.prompt = prompt;
        ctx.input.publish = ctx.input.save = false;
        ctx.input.llm = llm;
        ctx.input.llm_parse = llm_parse;
        gen::run_pipeline(pipeline, ctx, services);
        return ctx;
    };
    auto start = Clock::now();
    run("warm up: load the index", false);
    std::printf("\nfirst run (loads the index) %.0f ms\n", ms_since(start));

    bool all_chosen = true;
    for (const auto latency : kLatencies) {
        fake.set_latency(latency);
        const double latency_ms = static_cast<double>(latency.count());
        std::vector<double> added, delta, call, select, requests, offered;
        size_t fallbacks = 0;
        for (const auto& prompt : kPrompts) {
            start = Clock::now();
            run(prompt, false);
            const double without = ms_since(start);
            const size_t before = fake.http().requests().size();
            start = Clock::now();
            const gen::GenerateContext ctx = run(prompt, true);
            const double with = ms_since(start);
            requests.push_back(static_cast<double>(fake.http().requests().size() - before));
            if (!ctx.selection.used) {
                ++fallbacks;
                std::printf("  not chosen by the completer: \"%s\": %s\n", prompt.c_str(), ctx.selection.reason.c_str());
                continue;
            }
            select.push_back(timing(ctx, "select"));
            call.push_back(timing(ctx, "llm call"));
            added.push_back(select.back() - latency_ms);
            delta.push_back(with - without - latency_ms);
            offered.push_back(static_cast<double>(ctx.selection.offered));
        }
        all_chosen = all_chosen && fallbacks == 0;
        std::printf("\nfake completer at %lld ms latency: %zu playlists, %zu chosen by the completer\n",
                    static_cast<long long>(latency.count()), kPrompts.size(), kPrompts.size() - fallbacks);
        if (added.empty()) continue;
        const double mean_offered =
            std::accumulate(offered.begin(), offered.end(), 0.0) / static_cast<double>(offered.size());
        const double p95 = percentile(added, 0.95);
        std::printf("  added beyond the round trip (select step - latency): p50 %.1f ms, p95 %.1f ms, max %.1f ms"
                    "   target p95 <= %.0f ms: %s\n",
                    percentile(added, 0.5), p95, *std::max_element(added.begin(), added.end()), kTargetAddedMs,
                    p95 <= kTargetAddedMs ? "met" : "NOT met");
        std::printf("  run delta (with - without - latency): p50 %.1f ms, p95 %.1f ms\n", percentile(delta, 0.5),
                    percentile(delta, 0.95));
        std::printf("  select step p50 %.1f ms (the completer call in it p50 %.1f ms); %.0f candidates offered on average\n",
                    percentile(select, 0.5), percentile(call, 0.5), mean_offered);
        const auto [fewest, most] = std::minmax_element(requests.begin(), requests.end());
        const bool one = *fewest == static_cast<double>(kTargetRequests) && *most == static_cast<double>(kTargetRequests);
        std::printf("  completer requests per playlist: min %.0f, max %.0f, mean %.2f   target exactly %zu: %s\n",
                    *fewest, *most, std::accumulate(requests.begin(), requests.end(), 0.0) / static_cast<double>(requests.size()),
                    kTargetRequests, one ? "met" : "NOT met");
    }
    // --llm-parse (opt-in): the reading's own cost beyond its round trip, at latency 0: the
    // artists the prompt may name (a pass over the mirror's artists), the schema, the answer's
    // validation and the merge.
    fake.set_latency(std::chrono::milliseconds(0));
    std::vector<double> reading;
    size_t unread = 0;
    for (const auto& prompt : kPrompts) {
        const gen::GenerateContext ctx = run(prompt, true, true);
        if (!ctx.reading.used) {
            ++unread;
            std::printf("  not read by the completer: \"%s\": %s\n", prompt.c_str(), ctx.reading.reason.c_str());
            continue;
        }
        reading.push_back(timing(ctx, "llm parse"));
    }
    if (!reading.empty()) {
        std::printf("\n--llm-parse at 0 ms latency: %zu prompts read; the reading (artists, schema, call, validation) "
                    "p50 %.1f ms, p95 %.1f ms   (no target; select's p95 above is the comparable figure)\n",
                    reading.size(), percentile(reading, 0.5), percentile(reading, 0.95));
    }
    return all_chosen && unread == 0;
}

}  // namespace

int main(int argc, char** argv) {
    size_t tracks = 100'000;
    fs::path dir;
    bool keep = false;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--tracks") && i + 1 < argc) tracks = std::stoul(argv[++i]);
        else if (!std::strcmp(argv[i], "--dir") && i + 1 < argc) dir = argv[++i];
        else if (!std::strcmp(argv[i], "--keep")) keep = true;
        else {
            std::fprintf(stderr, "usage: select_bench [--tracks N] [--dir DIR] [--keep]\n");
            return 2;
        }
    }
    const bool temporary = dir.empty();
    if (temporary) dir = fs::temp_directory_path() / ("plexmix-select-bench-" + std::to_string(::getpid()));
    bool ok = false;
    try {
        const EmbedderChoice choice = choose_embedder();
        std::unique_ptr<LoadedPlugin> embedder_plugin, completer_plugin;
        auto embedder = make_embedder(choice, embedder_plugin);
        EmbedderInfo info;
        if (!embedder->embedder_info(&info).ok() || info.dimension != kDim) {
            throw std::runtime_error(choice.plugin_id + " does not give " + std::to_string(kDim) + "-d vectors");
        }
        test::FakeLlm fake(test::FakeLlmOptions{.api = test::LlmApi::openai});
        fake.set_script(choose);
        auto completer = make_completer(fake, completer_plugin);
        std::printf("select_bench: %zu tracks, embedder %s (model %s, %u-d), completer openai (%s) on a fake at %s\n",
                    tracks, choice.plugin_id.c_str(), info.model.c_str(), info.dimension, "gpt-4o-mini",
                    fake.url().c_str());
        if (!fs::exists(dir / kStoreFileName)) build_mirror(dir, tracks, info.model, choice.config_line);
        ok = measure(dir, *embedder, *completer, fake);
        if (!ok) std::printf("\nsome playlists fell back to the retrieval ranking: the figures above are not the completer's\n");
    } catch (const std::exception& e) {
        std::fprintf(stderr, "select_bench: %s\n", e.what());
        if (temporary && !keep) fs::remove_all(dir);
        return 1;
    }
    if (temporary && !keep) fs::remove_all(dir);
    else std::printf("data kept in %s\n", dir.string().c_str());
    return ok ? 0 : 1;
}
