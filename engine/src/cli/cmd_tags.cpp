// `plexmix tags generate|status|show|clear`, and the tagging step `sync` runs when its pipeline has it.
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <iostream>
#include <unordered_map>

#include <boost/program_options.hpp>
#include <rapidjson/ostreamwrapper.h>
#include <rapidjson/prettywriter.h>

#include "cli/app.hpp"
#include "cli/cli_support.hpp"
#include "cli/embed_step.hpp"
#include "cli/progress.hpp"
#include "cli/tag_step.hpp"
#include "config/values.hpp"
#include "generate/pipeline_config.hpp"
#include "store/store.hpp"
#include "store/track_search.hpp"
#include "tags/tagger.hpp"
#include "tags/vocabulary.hpp"
#include "util/hash.hpp"
#include "util/text.hpp"

namespace po = boost::program_options;

namespace pmx::cli {
namespace {

using llm::with_commas;

constexpr size_t kFailuresShown = 20;
constexpr int64_t kSecondsPerHour = 3600;
constexpr int64_t kSecondsPerDay = 24 * kSecondsPerHour;

// --since: a point in time (parse_time_point) or an age: "30d", "2w", "12h".
int64_t parse_since(const std::string& text) {
    if (const auto at = parse_time_point(text)) return *at;
    if (text.size() >= 2) {
        const auto number = parse_int(text.substr(0, text.size() - 1));
        const char unit = text.back();
        const int64_t scale = unit == 'h' ? kSecondsPerHour : unit == 'd' ? kSecondsPerDay : unit == 'w' ? 7 * kSecondsPerDay : 0;
        if (number && *number >= 0 && scale != 0) return static_cast<int64_t>(std::time(nullptr)) - *number * scale;
    }
    throw UsageError("--since " + text + ": give a date (2026-11-01), a time (2026-11-01T18:00) or an age (30d, 2w, 12h)");
}

// The plan, in two lines.
void print_plan(const tags::TagPlan& plan) {
    std::cout << "Tagging with " << plan.provider << " (" << plan.model << "): " << with_commas(plan.to_tag)
              << " tracks to tag (" << with_commas(plan.to_tag - plan.stale - plan.failed_before) << " new, "
              << with_commas(plan.stale) << " changed, " << with_commas(plan.failed_before) << " failed before; "
              << with_commas(plan.up_to_date) << " up to date)\n";
    if (plan.to_tag == 0) return;
    std::cout << "  " << with_commas(plan.requests) << (plan.requests == 1 ? " request" : " requests") << " of up to "
              << plan.batch << " tracks, about " << with_commas(plan.input_tokens) << " input + "
              << with_commas(plan.output_tokens) << " output tokens, ";
    if (plan.price.known()) std::cout << "about " << llm::format_usd(plan.cost) << "\n";
    else std::cout << "cost unknown (set price_in and price_out of provider " << plan.provider << ")\n";
}

// On a terminal, asks before spending; anywhere else, goes on (the user asked for the run).
bool confirmed() {
    if (isatty(STDIN_FILENO) == 0 || isatty(STDOUT_FILENO) == 0) return true;
    std::cout << "Go on? [y/N] " << std::flush;
    std::string answer;
    if (!std::getline(std::cin, answer)) return false;
    return answer == "y" || answer == "Y" || answer == "yes";
}

std::optional<double> budget_option(const po::variables_map& vm) {
    if (!vm.count("budget")) return std::nullopt;
    const auto usd = parse_decimal(vm["budget"].as<std::string>());
    if (!usd) throw UsageError("--budget " + vm["budget"].as<std::string>() + ": give US dollars, such as 2.50");
    return usd;
}

int generate(const GlobalOptions& global, const Args& args) {
    po::options_description opts("tags generate");
    opts.add_options()
        ("provider", po::value<std::string>()->value_name("NAME"), "this completer instead of the one in use: { completer: }")
        ("limit", po::value<std::string>()->value_name("N"), "tag at most N tracks")
        ("since", po::value<std::string>()->value_name("WHEN"), "only tracks added since WHEN (2026-11-01, 30d, 2w, 12h)")
        ("retag", "tag again tracks whose tags are current")
        ("dry-run", "show the plan (tracks, requests, tokens, cost) and send nothing")
        ("yes,y", "do not ask before sending (asked only on a terminal)")
        ("budget", po::value<std::string>()->value_name("USD"), "send nothing when the estimate exceeds USD; stop at USD")
        ("no-embeddings", "do not embed the re-tagged tracks afterwards")
        ("wait", "if another plexmix is writing to the data dir, wait for it instead of failing");
    bool help = false;
    auto vm = parse_args(args, opts, {},
                         "plexmix tags generate [--provider NAME] [--limit N] [--since WHEN] [--retag] [--dry-run] "
                         "[--yes] [--budget USD]\n\n"
                         "Tags the tracks without current tags (moods, environments, instruments, energy) with the "
                         "completer,\nshowing the plan and its cost first; then embeds the re-tagged tracks.",
                         &help);
    if (help) return kExitOk;
    auto app = App::open(global);
    std::optional<std::string> provider;
    if (vm.count("provider")) provider = vm["provider"].as<std::string>();
    auto completer = app->completer(provider);
    if (!completer) {
        throw ConfigError(Mark{app->config().source.string(), 0, 0},
                          "no completer configured: add one under providers: (e.g. gemini: { plugin: gemini, api_key: "
                          "${GOOGLE_API_KEY} }) and name it in use: { completer: gemini }, or pass --provider NAME");
    }
    TagStepOptions step;
    if (vm.count("limit")) {
        const auto n = parse_int(vm["limit"].as<std::string>());
        if (!n || *n < 1) throw UsageError("--limit " + vm["limit"].as<std::string>() + ": give a whole number of at least 1");
        step.tag.limit = static_cast<uint64_t>(*n);
    }
    if (vm.count("since")) step.tag.since = parse_since(vm["since"].as<std::string>());
    step.tag.retag = vm.count("retag") > 0;
    step.tag.budget_usd = budget_option(vm);
    step.dry_run = vm.count("dry-run") > 0;
    step.ask = vm.count("yes") == 0;
    if (!step.dry_run) app->lock_writer("tags generate", vm.count("wait") > 0, "tagging");
    int code = run_tag_step(*app, *completer, step);
    // Changed tags change the tracks' embedded text: embed them, as the tag pipeline says.
    if (code == kExitOk || code == kExitFailure) {
        if (!step.dry_run && step.tagged > 0 && !vm.count("no-embeddings") && gen::tag_embeds(app->config()) &&
            !global_cancel().cancelled()) {
            if (auto embedder = app->embedder()) {
                if (run_embed_step(*app, *embedder, false) != kExitOk) code = kExitFailure;
            }
        }
    }
    return code;
}

struct ModelStatus {
    TagModel model;
    TagCounts counts;
    int64_t missing = 0, stale = 0;
    bool active = false;
};

int status(const GlobalOptions& global, const Args& args) {
    po::options_description opts("tags status");
    opts.add_options()("json", "machine-readable output");
    bool help = false;
    auto vm = parse_args(args, opts, {},
                         "plexmix tags status [--json]\n\n"
                         "Per model that tagged: tracks tagged, failed (with why), missing and stale; * marks the model "
                         "whose tags are in use.",
                         &help);
    if (help) return kExitOk;
    auto app = App::open(global);
    TagStore store(app->store());
    const std::vector<TagModel> models = store.models();
    const std::string version = tags::builtin_vocabulary().version();
    std::vector<TagInput> inputs;
    store.for_each_input([&](const TagInput& input) { inputs.push_back(input); });

    std::vector<ModelStatus> rows;
    for (size_t i = 0; i < models.size(); ++i) {
        ModelStatus row{models[i], store.counts(models[i].id), 0, 0, i == 0};
        const auto states = store.states(models[i].id);
        for (const TagInput& input : inputs) {
            const auto it = states.find(input.track_id);
            if (it == states.end()) {
                ++row.missing;
                continue;
            }
            const uint64_t hash =
                fnv1a_lines({tags::kTagPromptVersion, version, models[i].model, tags::track_line(input)});
            if (!it->second.failed && it->second.input_hash != hash) ++row.stale;
        }
        rows.push_back(std::move(row));
    }

    if (vm.count("json")) {
        rapidjson::OStreamWrapper os(std::cout);
        rapidjson::PrettyWriter<rapidjson::OStreamWrapper> w(os);
        w.StartObject();
        w.Key("tracks"); w.Uint64(inputs.size());
        w.Key("models");
        w.StartArray();
        for (const ModelStatus& row : rows) {
            w.StartObject();
            w.Key("provider"); w.String(row.model.provider.c_str());
            w.Key("model"); w.String(row.model.model.c_str());
            w.Key("active"); w.Bool(row.active);
            w.Key("tagged"); w.Int64(row.counts.tagged);
            w.Key("failed"); w.Int64(row.counts.failed);
            w.Key("missing"); w.Int64(row.missing);
            w.Key("stale"); w.Int64(row.stale);
            w.Key("failures");
            w.StartArray();
            for (const auto& f : store.failures(row.model.id, SIZE_MAX)) {
                w.StartObject();
                w.Key("track_id"); w.Int64(f.track_id);
                w.Key("track"); w.String(f.track.c_str());
                w.Key("reason"); w.String(f.reason.c_str());
                w.EndObject();
            }
            w.EndArray();
            w.EndObject();
        }
        w.EndArray();
        w.EndObject();
        std::cout << "\n";
        return kExitOk;
    }
    if (rows.empty()) {
        std::cout << "No tags yet (" << with_commas(inputs.size()) << " tracks): run 'plexmix tags generate'.\n";
        return kExitOk;
    }
    std::vector<std::vector<std::string>> table;
    for (const ModelStatus& row : rows) {
        table.push_back({(row.active ? "* " : "  ") + row.model.provider, row.model.model, with_commas(row.counts.tagged),
                         with_commas(row.counts.failed), with_commas(row.missing), with_commas(row.stale)});
    }
    print_table(std::cout, {"provider", "model", "tagged", "failed", "missing", "stale"}, table);
    for (const ModelStatus& row : rows) {
        if (row.counts.failed == 0) continue;
        std::cout << "\nFailed under " << row.model.provider << " (" << row.model.model << "):\n";
        for (const auto& f : store.failures(row.model.id, kFailuresShown)) {
            std::cout << "  " << f.track_id << "  " << f.track << ": " << f.reason << "\n";
        }
        if (row.counts.failed > static_cast<int64_t>(kFailuresShown)) {
            std::cout << "  ... and " << (row.counts.failed - static_cast<int64_t>(kFailuresShown))
                      << " more (--json lists them all)\n";
        }
    }
    return kExitOk;
}

int show(const GlobalOptions& global, const Args& args) {
    po::options_description opts("tags show");
    opts.add_options()("track", po::value<std::string>()->value_name("TRACK"), "a track id, or words of its title");
    bool help = false;
    po::positional_options_description positional;
    positional.add("track", 1);
    auto vm = parse_args(args, opts, positional, "plexmix tags show TRACK\n\nA track's tags, per model that tagged it.",
                         &help);
    if (help) return kExitOk;
    if (!vm.count("track")) throw UsageError("tags show: which track? Give its id or words of its title");
    auto app = App::open(global);
    const std::string what = vm["track"].as<std::string>();
    std::optional<int64_t> id = parse_int(what);
    if (!id) {
        const auto found = keyword_search(app->store(), what, 1, nullptr);
        if (found.empty()) throw UsageError("tags show: no track matches \"" + what + "\"");
        id = found.front();
    }
    const auto rows = track_rows(app->store(), {*id});
    if (rows.empty()) throw UsageError("tags show: no track has id " + std::to_string(*id));
    const TrackRow& track = rows.front();
    std::cout << track.id << "  " << track.title << (track.artist.empty() ? "" : " — " + track.artist)
              << (track.album.empty() ? "" : " (" + track.album + ")") << "\n";
    const auto stored = TagStore(app->store()).tags_of(*id);
    if (stored.empty()) std::cout << "  no tags yet: run 'plexmix tags generate'\n";
    for (const StoredTags& s : stored) {
        std::cout << (s.active ? "* " : "  ") << s.model.provider << " (" << s.model.model << ")"
                  << (s.active ? ", in use" : "") << ":\n";
        if (!s.error.empty()) {
            std::cout << "    failed: " << s.error << "\n";
            continue;
        }
        std::cout << "    moods:        " << join(s.tags.moods) << "\n"
                  << "    environments: " << join(s.tags.environments) << "\n"
                  << "    instruments:  " << join(s.tags.instruments) << "\n"
                  << "    energy:       " << (s.tags.energy ? std::to_string(s.tags.energy) + " of 5" : "-") << "\n";
    }
    return kExitOk;
}

int clear(const GlobalOptions& global, const Args& args) {
    po::options_description opts("tags clear");
    opts.add_options()
        ("provider", po::value<std::string>()->value_name("NAME"), "only the tags this completer provider made")
        ("wait", "if another plexmix is writing to the data dir, wait for it instead of failing");
    bool help = false;
    auto vm = parse_args(args, opts, {}, "plexmix tags clear [--provider NAME]\n\nDeletes tags (every model's, or one "
                                         "provider's); the next embedding pass re-embeds the tracks concerned.",
                         &help);
    if (help) return kExitOk;
    auto app = App::open(global);
    app->lock_writer("tags clear", vm.count("wait") > 0, "clearing tags");
    const std::string provider = vm.count("provider") ? vm["provider"].as<std::string>() : std::string();
    const int64_t removed = TagStore(app->store()).clear(provider);
    std::cout << "Deleted the tags of " << with_commas(static_cast<uint64_t>(removed)) << " track"
              << (removed == 1 ? "" : "s") << (provider.empty() ? "" : " made through " + provider) << ".\n";
    return kExitOk;
}

}  // namespace

int run_tag_step(App& app, CompleterProvider& completer, TagStepOptions& step) {
    const tags::TagPlan plan = tags::plan_tagging(app.store(), *completer.provider, app.config(), step.tag);
    print_plan(plan);
    if (plan.to_tag == 0 || step.dry_run) return kExitOk;
    if (step.tag.budget_usd) {
        if (!plan.price.known()) {
            std::cerr << "plexmix: --budget needs a price for " << plan.model << ": set price_in and price_out of provider "
                      << plan.provider << "; nothing was sent\n";
            return kExitFailure;
        }
        if (plan.cost > *step.tag.budget_usd) {
            std::cerr << "plexmix: the estimate (" << llm::format_usd(plan.cost) << ") exceeds the budget ("
                      << llm::format_usd(*step.tag.budget_usd) << "); nothing was sent. Use --limit N to tag fewer "
                      << "tracks per run\n";
            return kExitFailure;
        }
    }
    if (step.ask && !confirmed()) {
        std::cout << "Nothing was sent.\n";
        return kExitOk;
    }
    Progress progress(completer.config->name + ": tracks tagged");
    step.tag.progress = [&](uint64_t done, uint64_t total) { progress.update(done, total); };
    const tags::TagReport r = tags::run_tagging(app.store(), *completer.provider, plan, step.tag);
    progress.finish();
    step.tagged = r.tagged;
    const std::string who = plan.provider + " (" + plan.model + ")";
    std::cout << who << ": " << with_commas(r.tagged) << " tagged";
    if (r.failed) std::cout << ", " << with_commas(r.failed) << " failed";
    if (r.left) std::cout << ", " << with_commas(r.left) << " left for the next run";
    std::cout << " in " << seconds_text(r.elapsed) << (r.complete() ? "" : " (partial)") << "\n";
    for (const llm::PricedUsage& line : llm::priced(app.config(), r.usage)) {
        std::cout << "  used " << llm::usage_line(line) << "\n";
    }
    std::vector<std::string> notes;
    if (r.repaired) notes.push_back(with_commas(r.repaired) + " answers valid only after a repair ask");
    if (r.split) notes.push_back(with_commas(r.split) + " batches split after invalid answers");
    if (r.asked_again) notes.push_back(with_commas(r.asked_again) + " tracks left out of an answer and asked again");
    if (r.unknown_ids) notes.push_back(with_commas(r.unknown_ids) + " answer entries for ids not asked about, dropped");
    if (r.mapped_terms) notes.push_back(with_commas(r.mapped_terms) + " words mapped to the vocabulary by synonyms");
    if (r.dropped_terms) notes.push_back(with_commas(r.dropped_terms) + " words outside the vocabulary dropped");
    for (const auto& note : notes) std::cout << "  note: " << note << "\n";
    if (r.over_budget) std::cout << "  stopped at the budget of " << llm::format_usd(*step.tag.budget_usd) << "\n";
    if (r.failed) std::cout << "  'plexmix tags status' lists the failures; the next run tries them again\n";
    if (!r.error.empty()) std::cerr << "  " << r.error << "\n";
    return r.complete() ? kExitOk : kExitFailure;
}

int run_tags(const GlobalOptions& global, const Args& args) {
    return dispatch("tags", global, args,
                    {{"generate", "generate [--provider NAME] [--limit N] [--since WHEN] [--retag] [--dry-run] [--yes] "
                                  "[--budget USD]",
                      generate},
                     {"status", "status [--json]", status},
                     {"show", "show TRACK", show},
                     {"clear", "clear [--provider NAME]", clear}});
}

}  // namespace pmx::cli
