// `plexmix embeddings generate|status|rebuild`, and the embedding step `sync` runs.
#include <cstdio>
#include <iostream>
#include <unordered_map>

#include <boost/program_options.hpp>
#include <rapidjson/ostreamwrapper.h>
#include <rapidjson/prettywriter.h>

#include "cli/app.hpp"
#include "cli/cli_support.hpp"
#include "cli/embed_step.hpp"
#include "cli/progress.hpp"
#include "embed/embed_pass.hpp"
#include "embed/model_index.hpp"
#include "embed/track_text.hpp"
#include "llm/pricing.hpp"
#include "store/embeddings_store.hpp"
#include "store/store.hpp"

namespace po = boost::program_options;

namespace pmx::cli {
namespace {

std::optional<std::string> embedder_option(const po::variables_map& vm) {
    if (!vm.count("embedder")) return std::nullopt;
    return vm["embedder"].as<std::string>();
}

// The embedder to use; a missing one is a configuration error (exit 2).
EmbedderProvider require_embedder(App& app, const std::optional<std::string>& name) {
    auto embedder = app.embedder(name);
    if (!embedder) {
        throw ConfigError(Mark{app.config().source.string(), 0, 0},
                          "no embedder configured: add one under providers: (e.g. local: { plugin: local-st }) and "
                          "name it in use: { embedder: local }, or pass --embedder NAME");
    }
    return std::move(*embedder);
}

int generate(const GlobalOptions& global, const Args& args) {
    po::options_description opts("embeddings generate");
    opts.add_options()("embedder", po::value<std::string>()->value_name("NAME"),
                       "this embedder provider instead of the one in use: { embedder: }")
        ("wait", "if another plexmix is writing to the data dir, wait for it instead of failing");
    bool help = false;
    auto vm = parse_args(args, opts, {}, "plexmix embeddings generate [--embedder NAME] [--wait]\n\n"
                                         "Embeds the tracks whose text (title, artist, album, genres, year, tags) is "
                                         "new or changed,\nthen brings the model's vector index up to date.",
                         &help);
    if (help) return kExitOk;
    auto app = App::open(global);
    app->lock_writer("embeddings generate", vm.count("wait") > 0, "embedding");
    EmbedderProvider embedder = require_embedder(*app, embedder_option(vm));
    return run_embed_step(*app, embedder, false);
}

int rebuild(const GlobalOptions& global, const Args& args) {
    po::options_description opts("embeddings rebuild");
    opts.add_options()
        ("index-only", "only rebuild the vector index files of every stored model from the stored vectors "
                       "(no embedder needed)")
        ("embedder", po::value<std::string>()->value_name("NAME"),
         "this embedder provider instead of the one in use: { embedder: }")
        ("wait", "if another plexmix is writing to the data dir, wait for it instead of failing");
    bool help = false;
    auto vm = parse_args(args, opts, {}, "plexmix embeddings rebuild [--index-only] [--embedder NAME] [--wait]\n\n"
                                         "Re-embeds every track with the embedder (replacing its model's vectors) and "
                                         "rebuilds its index;\nwith --index-only, rebuilds the index files from the "
                                         "stored vectors.",
                         &help);
    if (help) return kExitOk;
    auto app = App::open(global);
    app->lock_writer("embeddings rebuild", vm.count("wait") > 0, "rebuilding");
    if (vm.count("index-only")) {
        if (vm.count("embedder")) throw UsageError("--index-only rebuilds every model's index: it takes no --embedder");
        EmbeddingStore embeddings(app->store());
        const auto models = embeddings.models();
        if (models.empty()) std::cout << "No stored vectors: run 'plexmix embeddings generate'.\n";
        for (const EmbeddingModel& model : models) {
            const auto file = index_file(vectors_dir(app->data_dir()), model.name);
            const OpenedIndex opened = open_model_index(app->store(), model, file, IndexMode::rebuild);
            std::cout << model.name << ": index rebuilt from " << opened.index->size() << " stored vectors ("
                      << file.string() << ")\n";
        }
        return kExitOk;
    }
    EmbedderProvider embedder = require_embedder(*app, embedder_option(vm));
    return run_embed_step(*app, embedder, true);
}

struct ModelStatus {
    EmbeddingModel model;
    bool configured = false;
    int64_t embedded = 0, missing = 0, stale = 0;
    IndexState index;
    std::string file;
};

int status(const GlobalOptions& global, const Args& args) {
    po::options_description opts("embeddings status");
    opts.add_options()("json", "machine-readable output");
    bool help = false;
    auto vm = parse_args(args, opts, {}, "plexmix embeddings status [--json]\n\n"
                                         "Per embedding model in the store: tracks embedded, missing (no vector), stale "
                                         "(text changed since),\nthe vector index and its state; * marks the configured "
                                         "embedder's model.",
                         &help);
    if (help) return kExitOk;
    const bool json = vm.count("json") > 0;
    auto app = App::open(global);
    EmbeddingStore embeddings(app->store());

    // The configured embedder's model (info() is local: no network, no key used).
    std::string configured_provider, configured_model;
    uint32_t configured_dim = 0;
    std::string note;
    if (app->config().use.embedder) {
        configured_provider = app->config().use.embedder->name;
        try {
            if (auto embedder = app->embedder()) {
                EmbedderInfo info;
                const CallResult r = embedder->provider->embedder_info(&info);
                if (r.ok()) {
                    configured_model = info.model;
                    configured_dim = info.dimension;
                } else {
                    note = "embedder " + configured_provider + " did not describe its model: " + r.message;
                }
            }
        } catch (const ConfigError& e) {
            note = "embedder " + configured_provider + " cannot be made: " + std::string(e.what());
        }
    }

    std::unordered_map<int64_t, uint64_t> current;  // track id → hash of its text now
    embeddings.for_each_track_text(
        [&](const TrackTextSource& source) { current.emplace(source.track_id, text_hash(track_text(source))); });

    std::vector<ModelStatus> rows;
    bool configured_seen = false;
    for (const EmbeddingModel& model : embeddings.models()) {
        ModelStatus row;
        row.model = model;
        row.configured = model.name == configured_model && model.dim == configured_dim;
        configured_seen = configured_seen || row.configured;
        for (const auto& [track_id, hash] : embeddings.text_hashes(model.id)) {
            ++row.embedded;
            const auto it = current.find(track_id);
            if (it != current.end() && it->second != hash) ++row.stale;
        }
        row.missing = static_cast<int64_t>(current.size()) - row.embedded;
        const auto file = index_file(vectors_dir(app->data_dir()), model.name);
        row.file = file.string();
        row.index = inspect_model_index(app->store(), model, file);
        rows.push_back(std::move(row));
    }
    if (!configured_model.empty() && !configured_seen) {
        ModelStatus row;
        row.model.name = configured_model;
        row.model.dim = configured_dim;
        row.configured = true;
        row.missing = static_cast<int64_t>(current.size());
        row.index.state = "none yet";
        row.file = index_file(vectors_dir(app->data_dir()), configured_model).string();
        rows.push_back(std::move(row));
    }

    if (json) {
        if (!note.empty()) std::cerr << "plexmix: note: " << note << "\n";
        rapidjson::OStreamWrapper os(std::cout);
        rapidjson::PrettyWriter<rapidjson::OStreamWrapper> w(os);
        w.StartObject();
        w.Key("tracks"); w.Uint64(current.size());
        w.Key("embedder");
        if (configured_provider.empty()) {
            w.Null();
        } else {
            w.StartObject();
            w.Key("provider"); w.String(configured_provider.c_str());
            w.Key("model");
            if (configured_model.empty()) w.Null(); else w.String(configured_model.c_str());
            w.EndObject();
        }
        w.Key("models");
        w.StartArray();
        for (const ModelStatus& row : rows) {
            w.StartObject();
            w.Key("model"); w.String(row.model.name.c_str());
            w.Key("dim"); w.Uint(row.model.dim);
            w.Key("configured"); w.Bool(row.configured);
            w.Key("embedded"); w.Int64(row.embedded);
            w.Key("missing"); w.Int64(row.missing);
            w.Key("stale"); w.Int64(row.stale);
            w.Key("index");
            w.StartObject();
            w.Key("file"); w.String(row.file.c_str());
            w.Key("vectors"); w.Uint64(row.index.size);
            w.Key("up_to_date"); w.Bool(row.index.up_to_date);
            w.Key("state"); w.String(row.index.state.c_str());
            w.EndObject();
            w.EndObject();
        }
        w.EndArray();
        w.EndObject();
        std::cout << "\n";
        return kExitOk;
    }

    if (!note.empty()) std::cerr << "plexmix: note: " << note << "\n";
    if (configured_provider.empty()) {
        std::cout << "No embedder configured (use: { embedder: NAME }): search uses keywords only.\n";
    }
    if (rows.empty()) {
        std::cout << "No embeddings stored yet" << (configured_provider.empty() ? "" : ": run 'plexmix embeddings generate'")
                  << ".\n";
        return kExitOk;
    }
    std::cout << current.size() << " tracks in the mirror\n";
    std::vector<std::vector<std::string>> table;
    for (const ModelStatus& row : rows) {
        table.push_back({(row.configured ? "* " : "  ") + row.model.name, std::to_string(row.model.dim),
                         std::to_string(row.embedded), std::to_string(row.missing), std::to_string(row.stale),
                         row.index.present ? std::to_string(row.index.size) : "-", row.index.state});
    }
    print_table(std::cout, {"  model", "dim", "embedded", "missing", "stale", "index", "index state"}, table);
    if (!configured_model.empty()) std::cout << "* the model of embedder " << configured_provider << "\n";
    return kExitOk;
}

}  // namespace

int run_embed_step(App& app, EmbedderProvider& embedder, bool reembed_all) {
    Progress progress(embedder.config->name + ": texts embedded");
    EmbedOptions options;
    options.reembed_all = reembed_all;
    options.rebuild_index = reembed_all;
    options.index_dir = vectors_dir(app.data_dir());
    options.progress = [&](uint64_t done, uint64_t total) { progress.update(done, total); };
    // A paid embedder: what the pass will cost, before anything is sent.
    options.on_plan = [&](const EmbedPlan& plan) {
        const llm::ModelPrice price = llm::price_of(app.config(), embedder.config->name, plan.model);
        if (!price.known() || price.price.input_per_million <= 0) return;
        const double cost = llm::cost_usd({plan.estimated_tokens, 0, 0}, price.price);
        std::cout << embedder.config->name << " (" << plan.model << "): " << llm::with_commas(plan.texts)
                  << " texts to embed in " << llm::with_commas(plan.requests)
                  << (plan.requests == 1 ? " request" : " requests") << ", about "
                  << llm::with_commas(plan.estimated_tokens) << " tokens, about " << llm::format_usd(cost) << "\n"
                  << std::flush;
    };
    const EmbedReport r = embed_tracks(app.store(), *embedder.provider, options);
    if (r.to_embed > 0) progress.finish();
    const std::string who = r.provider + (r.model.empty() ? "" : " (" + r.model + ")");
    for (const auto& note : r.notes) std::cerr << who << ": note: " << note << "\n";
    if (r.model.empty()) {
        std::cerr << who << ": embeddings not generated\n  " << r.error << "\n";
        return kExitFailure;
    }
    std::cout << who << ": " << r.embedded << " embedded, " << r.up_to_date << " up to date";
    if (r.failed) std::cout << ", " << r.failed << " failed";
    if (r.left) std::cout << ", " << r.left << " left for the next run";
    std::cout << " in " << seconds_text(r.elapsed) << "; index " << r.index_size << " vectors"
              << (r.index_rebuilt ? " (rebuilt)" : r.index_built ? " (built)" : "") << "\n";
    // What it cost, as the embedder reported it; an API that reports no usage (Gemini's
    // batchEmbedContents) is priced by the estimate, and says so.
    if (r.input_tokens > 0) {
        llm::UsageLedger ledger;
        ledger.add(r.provider, r.model, {r.input_tokens, 0, static_cast<uint32_t>(r.batches)});
        for (const llm::PricedUsage& line : llm::priced(app.config(), ledger)) {
            std::cout << who << ": used " << llm::usage_line(line) << "\n";
        }
    } else if (r.embedded > 0 && r.to_embed > 0) {
        const llm::ModelPrice price = llm::price_of(app.config(), r.provider, r.model);
        if (price.known() && price.price.input_per_million > 0) {
            const uint64_t tokens = r.estimated_tokens * r.embedded / r.to_embed;
            std::cout << who << ": used about " << llm::with_commas(tokens) << " tokens in " << r.batches
                      << (r.batches == 1 ? " request" : " requests") << ", about "
                      << llm::format_usd(llm::cost_usd({tokens, 0, 0}, price.price))
                      << " (estimated: the embedder reports no usage)\n";
        }
    }
    if (!r.error.empty()) std::cerr << "  " << r.error << "\n";  // under the summary (cerr flushes cout first)
    return r.ok() ? kExitOk : kExitFailure;
}

int run_embeddings(const GlobalOptions& global, const Args& args) {
    return dispatch("embeddings", global, args,
                    {{"generate", "generate [--embedder NAME] [--wait]", generate},
                     {"status", "status [--json]", status},
                     {"rebuild", "rebuild [--index-only] [--embedder NAME] [--wait]", rebuild}});
}

}  // namespace pmx::cli
