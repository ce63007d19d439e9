// `plexmix create "PROMPT" [options]`: the generate pipeline from the command line.
#include <cstdio>
#include <iostream>

#include <boost/program_options.hpp>
#include <rapidjson/document.h>
#include <rapidjson/ostreamwrapper.h>
#include <rapidjson/prettywriter.h>

#include "cli/cli_support.hpp"
#include "cli/generate_cli.hpp"
#include "embed/model_index.hpp"
#include "generate/playlist_export.hpp"
#include "store/store.hpp"
#include "util/text.hpp"

namespace po = boost::program_options;

namespace pmx::cli {
namespace {

std::string similarity_text(const std::optional<float>& s) {
    if (!s) return "";
    char text[16];
    std::snprintf(text, sizeof text, "%.3f", static_cast<double>(*s));
    return text;
}

// "llm (gpt-4o-mini) chose 25 of 150 candidates", or "the retrieval ranking (why)".
std::string selection_text(const gen::Selection& sel) {
    if (!sel.used) return "the retrieval ranking (" + sel.reason + ")";
    std::string text = sel.provider + (sel.model.empty() ? "" : " (" + sel.model + ")") + " chose " +
                       std::to_string(sel.chosen) + " of " + std::to_string(sel.offered) + " candidates";
    if (sel.repaired) text += " (its first answer was invalid; the repair was not)";
    if (sel.topped_up > 0) text += "; " + std::to_string(sel.topped_up) + " tracks topped up from the retrieval ranking";
    return text;
}

std::string usage_text(const std::vector<llm::PricedUsage>& priced) {
    std::vector<std::string> lines;
    for (const auto& u : priced) lines.push_back(llm::usage_line(u));
    return join(lines, "; ");
}

std::string reading_text(const gen::LlmReading& r) {
    if (!r.used) return "the rule parser only (" + r.reason + ")";
    const size_t n = r.disagreements.size();
    std::string text = r.provider + (r.model.empty() ? "" : " (" + r.model + ")") + " and the rule parser, " +
                       (n == 0 ? "in agreement" : std::to_string(n) + (n == 1 ? " disagreement" : " disagreements"));
    if (r.repaired) text += " (its first answer was invalid; the repair was not)";
    return text;
}

template <class Writer>
void write_usage(Writer& w, const std::vector<llm::PricedUsage>& priced) {
    w.Key("usage");
    w.StartArray();
    for (const auto& u : priced) {
        w.StartObject();
        w.Key("provider"); w.String(u.provider.c_str());
        w.Key("model"); w.String(u.model.c_str());
        w.Key("input_tokens"); w.Uint64(u.usage.input_tokens);
        w.Key("output_tokens"); w.Uint64(u.usage.output_tokens);
        w.Key("requests"); w.Uint(u.usage.requests);
        w.Key("cost_usd");
        if (u.price.known()) w.Double(u.cost); else w.Null();
        w.Key("line"); w.String(llm::usage_line(u).c_str());
        w.EndObject();
    }
    w.EndArray();
}

template <class T>
std::optional<T> optional_of(const po::variables_map& vm, const char* key) {
    if (!vm.count(key)) return std::nullopt;
    return vm[key].as<T>();
}

std::vector<std::string> list_of(const po::variables_map& vm, const char* key) {
    if (!vm.count(key)) return {};
    return vm[key].as<std::vector<std::string>>();
}

int create(const GlobalOptions& global, const Args& args) {
    po::options_description opts("create");
    opts.add_options()
        ("limit,n", po::value<std::string>()->value_name("N"), "exactly N tracks (1-1000)")
        ("duration,d", po::value<std::string>()->value_name("TIME"), "total length within ±5%: 45m, 1h30, 2h, 90 (minutes)")
        ("genre", po::value<std::vector<std::string>>()->value_name("NAME")->composing(), "only this genre and its subgenres (repeatable)")
        ("genre-exact", po::value<std::vector<std::string>>()->value_name("NAME")->composing(), "only this one genre of the library, no subgenres (repeatable)")
        ("exclude-genre", po::value<std::vector<std::string>>()->value_name("NAME")->composing(), "no track of this genre (repeatable)")
        ("year", po::value<std::string>()->value_name("YEARS"), "1994, 1990-1999, 1990s, 90s")
        ("min-rating", po::value<std::string>()->value_name("STARS"), "rated at least this many stars (0-5, halves allowed)")
        ("artist", po::value<std::vector<std::string>>()->value_name("NAME")->composing(), "only this artist (repeatable)")
        ("avoid-recent", po::value<std::string>()->value_name("DAYS"), "leave out tracks played in the last DAYS days")
        ("favourites", "only favourites: flagged by the server (Jellyfin), or rated 4 stars or more")
        ("source", po::value<std::vector<std::string>>()->value_name("NAME")->composing(), "only this media source (repeatable)")
        ("name", po::value<std::string>()->value_name("NAME"), "the playlist's name (default: the prompt); an earlier one of that name is replaced")
        ("order", po::value<std::string>()->value_name("MODE"), "similarity, smooth, alternate or random (overrides the pipeline)")
        ("seed", po::value<uint64_t>()->value_name("N"), "seed of random orders and shuffles")
        ("strict", "fail (exit 1) when a part of the prompt cannot be applied or was not read")
        ("now", po::value<std::string>()->value_name("TIME"), "the clock for plays and dates: unix seconds or YYYY-MM-DD[THH:MM:SS] (local time)")
        ("no-llm", "the completer does not choose: the playlist follows the retrieval ranking, nothing is sent to it")
        ("llm-parse", "the completer reads the prompt too; the rule parser's numbers, years and artists win on conflict")
        ("dry-run", "show the playlist; publish nothing, save nothing")
        ("no-publish", "save the playlist locally only")
        ("explain", "per track: the filters it passed, its similarity and rank, the completer's reason")
        ("json", "machine-readable output");
    const std::string usage =
        "plexmix create \"PROMPT\" [options]\n\n"
        "Turns one sentence into a playlist: filters from the prompt and the options, tracks ranked by\n"
        "the meaning of the prompt, chosen among by the completer (use: { completer: ... }) unless\n"
        "--no-llm, diversified, ordered, written to the media server and saved.\n"
        "Example: plexmix create \"rainy sunday jazz, nothing after 1980, 45 minutes\"";
    bool help = false;
    std::string prompt;
    const po::variables_map vm = parse_words_args(args, opts, "prompt", usage, &help, &prompt);
    if (help) return kExitOk;
    if (prompt.find_first_not_of(" \t\n") == std::string::npos) throw UsageError("create: give a PROMPT; usage: " + usage);

    gen::GenerateInput input;
    input.prompt = prompt;
    input.options.limit = optional_of<std::string>(vm, "limit");
    input.options.duration = optional_of<std::string>(vm, "duration");
    input.options.genres = list_of(vm, "genre");
    input.options.exact_genres = list_of(vm, "genre-exact");
    input.options.exclude_genres = list_of(vm, "exclude-genre");
    input.options.year = optional_of<std::string>(vm, "year");
    input.options.min_rating = optional_of<std::string>(vm, "min-rating");
    input.options.artists = list_of(vm, "artist");
    input.options.avoid_recent = optional_of<std::string>(vm, "avoid-recent");
    input.options.favourites = vm.count("favourites") > 0;
    input.options.sources = list_of(vm, "source");
    input.name = optional_of<std::string>(vm, "name");
    if (input.name && input.name->find_first_not_of(" \t") == std::string::npos) throw UsageError("create: --name is empty");
    if (const auto order = optional_of<std::string>(vm, "order")) {
        input.order = gen::parse_order_mode(*order);
        if (!input.order) throw UsageError("create: --order " + *order + ": use similarity, smooth, alternate or random");
    }
    input.seed = optional_of<uint64_t>(vm, "seed");
    input.strict = vm.count("strict") > 0;
    if (const auto now = optional_of<std::string>(vm, "now")) {
        input.now = parse_time_point(*now);
        if (!input.now) throw UsageError("create: --now " + *now + ": use unix seconds or YYYY-MM-DD[THH:MM:SS]");
    }
    const bool dry_run = vm.count("dry-run") > 0;
    input.publish = !dry_run && !vm.count("no-publish");
    input.save = !dry_run;
    input.llm = vm.count("no-llm") == 0;
    input.llm_parse = vm.count("llm-parse") > 0;
    if (input.llm_parse && !input.llm) throw UsageError("create: --llm-parse and --no-llm contradict each other");

    auto app = App::open(global);
    const gen::PipelineSpec pipeline = gen::generate_pipeline(app->config());
    const gen::GenerateContext ctx = generate_playlist(*app, std::move(input), pipeline);
    if (vm.count("json")) {
        print_playlist_json(std::cout, ctx, pipeline);
    } else {
        for (const auto& note : ctx.notes) std::cerr << "plexmix: note: " << note << "\n";
        print_playlist(std::cout, ctx, pipeline, vm.count("explain") > 0);
    }
    print_publish_failures(std::cerr, ctx);
    return ctx.publish_failed() ? kExitFailure : kExitOk;
}

}  // namespace

std::string length_text(int64_t ms) {
    const int64_t s = (ms + 500) / 1000;
    char text[32];
    if (s >= 3600) {
        std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                      static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
    } else {
        std::snprintf(text, sizeof text, "%lld:%02lld", static_cast<long long>(s / 60), static_cast<long long>(s % 60));
    }
    return text;
}

gen::GenerateContext generate_playlist(App& app, gen::GenerateInput input, const gen::PipelineSpec& pipeline) {
    std::vector<std::string> names = input.options.sources;
    if (names.empty()) {
        for (const auto& ref : app.config().use.media) names.push_back(ref.name);
    }
    if (names.empty()) {
        throw ConfigError(Mark{app.config().source.string(), 0, 0},
                          "no media source configured: add one under providers: and name it in use: { media: [...] }");
    }
    std::vector<MediaProvider> media;
    gen::GenerateServices services;
    services.store = &app.store();
    for (const auto& name : names) {
        if (!app.config().find_provider(name)) {
            throw UsageError("--source " + name + ": no such provider in " + app.config().source.string());
        }
        const auto servers = app.store().servers_of_provider(name);
        if (servers.empty()) throw std::runtime_error("nothing mirrored from " + name + " yet: run 'plexmix sync' first");
        gen::SourceTarget target;
        target.provider = name;
        target.server_id = servers.front().id;  // the server seen most recently
        if (input.publish) {
            auto opened = app.media_providers(name);
            target.media = opened.front().provider.get();
            media.push_back(std::move(opened.front()));
        }
        services.sources.push_back(std::move(target));
    }
    std::optional<EmbedderProvider> embedder = app.embedder();
    services.embedder = embedder ? embedder->provider.get() : nullptr;
    // The completer is made only when a step will ask it: not for --no-llm, nor when select is
    // `{llm: false}` and parse does not read with it.
    std::optional<CompleterProvider> completer;
    const gen::StepSpec* select = pipeline.find(gen::StepKind::select);
    const gen::StepSpec* parse = pipeline.find(gen::StepKind::parse);
    const bool reads = input.llm_parse || (parse && parse->llm_parse);
    if (input.llm && ((select && select->llm) || reads)) completer = app.completer();
    services.completer = completer ? completer->provider.get() : nullptr;
    services.config = &app.config();
    services.index_dir = vectors_dir(app.data_dir());
    // The playlist was chosen from a snapshot; saving it waits for a sync that is writing.
    services.acquire_writer = [&app] { app.lock_writer("create", true, "saving the playlist"); };
    gen::GenerateContext ctx;
    ctx.input = std::move(input);
    try {
        gen::run_pipeline(pipeline, ctx, services);
    } catch (const gen::OptionError& e) {
        throw UsageError(std::string("create: ") + e.what());
    }
    return ctx;
}

void print_playlist(std::ostream& out, const gen::GenerateContext& ctx, const gen::PipelineSpec& pipeline,
                    bool explain) {
    out << ctx.name << " — " << ctx.tracks.size() << " tracks, " << length_text(ctx.total_ms()) << "\n";
    if (explain) {
        out << "  request:  " << gen::describe(ctx.request) << "\n";
        if (ctx.reading.asked || !ctx.reading.reason.empty()) {
            out << "  read by:  " << reading_text(ctx.reading) << "\n";
            for (const auto& d : ctx.reading.disagreements) out << "            " << d << "\n";
        }
        for (const auto& word : ctx.request.genre_words) {  // every genre a word became, not only the first few
            out << "  " << (word.excluded ? "not:      " : "genre:    ") << word.word << " (" << word.read_as
                << ") → " << (word.genres.empty() ? "none" : join(word.genres, ", ")) << "\n";
        }
        for (const auto& seed : ctx.seeds) {
            out << "  like:     " << seed.phrase << " → " << seed.label << (seed.is_track ? " (left out itself)" : "")
                << "\n";
        }
        out << "  mood:     " << (ctx.request.mood_query.empty() ? "none" : ctx.request.mood_query)
            << " (the words not read as filters)\n"
            << "  filters:  " << (ctx.filters.empty() ? "none" : join(ctx.filters, "; ")) << " → "
            << ctx.candidates.size() << " candidates\n"
            << "  ranking:  " << ctx.ranking_method << "\n"
            << "  select:   " << selection_text(ctx.selection) << "\n"
            << "  diversity: " << ctx.capped_artist << " over the artist cap, " << ctx.capped_album
            << " over the album cap, " << ctx.duplicates << " duplicates left out\n"
            << "  order:    " << ctx.ordered_by << "\n"
            << "  pipeline: " << pipeline.describe() << (pipeline.from_config ? " (from the config)" : "") << "\n";
    }
    // A column of the prompt's tag words each track carries, when the prompt had any.
    const bool with_tags = std::any_of(ctx.request.tags.begin(), ctx.request.tags.end(),
                                       [](const gen::TagWord& t) { return t.use == gen::TagWord::Use::rank; });
    std::vector<std::vector<std::string>> rows;
    size_t position = 0;
    for (const auto& e : ctx.tracks) {
        const auto& t = e.track;
        std::vector<std::string> row{std::to_string(++position), t.title, t.artist, t.album,
                                     t.year ? std::to_string(*t.year) : "", length_text(t.duration_ms.value_or(0))};
        if (explain) {
            row.push_back(std::to_string(e.rank));
            row.push_back(similarity_text(e.similarity));
            row.push_back(e.passed.empty() ? "-" : join(e.passed, "; "));
            if (with_tags) row.push_back(e.matched_tags.empty() ? "-" : join(e.matched_tags));
            if (ctx.selection.used) row.push_back(e.choice == 0 ? "(topped up)" : e.reason.empty() ? "-" : e.reason);
        }
        rows.push_back(std::move(row));
    }
    std::vector<std::string> header{"#", "title", "artist", "album", "year", "length"};
    if (explain) header.insert(header.end(), {"rank", "similarity", "passed"});
    if (explain && with_tags) header.push_back("tags matched");
    if (explain && ctx.selection.used) header.push_back("why (completer)");
    if (!rows.empty()) print_table(out, header, rows);
    if (ctx.reading.asked) {
        out << "Read by: " << reading_text(ctx.reading);
        if (const std::string usage = usage_text(ctx.reading.priced); !usage.empty()) out << "; used " << usage;
        out << "\n";
    }
    if (ctx.selection.asked) {
        out << "Chosen by: " << selection_text(ctx.selection);
        if (const std::string usage = usage_text(ctx.selection.priced); !usage.empty()) out << "; used " << usage;
        out << "\n";
    }
    if (!ctx.input.publish && !ctx.input.save) out << "Dry run: nothing published, nothing saved.\n";
    for (const auto& p : ctx.published) {
        if (p.published) {
            out << p.provider << ": " << (p.replaced ? "replaced" : "created") << " playlist \"" << ctx.name << "\" ("
                << p.tracks << " tracks, key " << p.key << ")";
            if (p.lacking > 0) out << "; it lacks " << p.lacking << " of the playlist's " << ctx.tracks.size() << " tracks";
            if (p.playlist_id) out << "; saved as playlist " << *p.playlist_id;
            out << "\n";
        } else if (p.error.empty() && p.playlist_id) {
            out << "Saved locally as playlist " << *p.playlist_id << " (not published).\n";
        }
    }
}

void print_publish_failures(std::ostream& err, const gen::GenerateContext& ctx) {
    for (const auto& p : ctx.published) {
        if (p.error.empty()) continue;
        err << "plexmix: " << p.provider << ": ";
        if (!p.playlist_id) {
            err << "could not write the playlist: " << p.error << "\n";
            continue;
        }
        err << "the playlist \"" << ctx.name << "\" is saved (playlist " << *p.playlist_id
            << ") but not yet complete on the server: " << p.error << "\n"
            << "  'plexmix playlists publish " << *p.playlist_id << "' finishes it; nothing is written twice.\n";
    }
}

void print_playlist_json(std::ostream& out, const gen::GenerateContext& ctx, const gen::PipelineSpec& pipeline) {
    rapidjson::OStreamWrapper os(out);
    rapidjson::PrettyWriter<rapidjson::OStreamWrapper> w(os);
    auto strings = [&](const char* key, const std::vector<std::string>& items) {
        w.Key(key);
        w.StartArray();
        for (const auto& s : items) w.String(s.c_str());
        w.EndArray();
    };
    w.StartObject();
    w.Key("name"); w.String(ctx.name.c_str());
    w.Key("prompt"); w.String(ctx.input.prompt.c_str());
    w.Key("request"); w.String(gen::describe(ctx.request).c_str());
    w.Key("mood"); w.String(ctx.request.mood_query.c_str());
    strings("not_applied", ctx.request.notes);
    strings("unparsed", ctx.request.unparsed);
    w.Key("genre_words");  // how each genre word was read and the genres it became
    w.StartArray();
    for (const auto& word : ctx.request.genre_words) {
        w.StartObject();
        w.Key("word"); w.String(word.word.c_str());
        w.Key("target"); w.String(word.read_as.c_str());
        w.Key("excluded"); w.Bool(word.excluded);
        strings("genres", word.genres);
        w.EndObject();
    }
    w.EndArray();
    w.Key("seeds");  // the tracks and artists to sound like, as found in the mirror
    w.StartArray();
    for (const auto& seed : ctx.seeds) {
        w.StartObject();
        w.Key("phrase"); w.String(seed.phrase.c_str());
        w.Key("seed"); w.String(seed.label.c_str());
        w.Key("kind"); w.String(seed.is_track ? "track" : "artist");
        w.Key("tracks"); w.Uint64(seed.tracks.size());
        w.EndObject();
    }
    w.EndArray();
    w.Key("tag_words");  // the tag vocabulary's words: ranking, only, or excluded
    w.StartArray();
    for (const auto& tag : ctx.request.tags) {
        w.StartObject();
        w.Key("word"); w.String(tag.word.c_str());
        w.Key("facet"); w.String(tag.facet.c_str());
        w.Key("term"); w.String(tag.term.c_str());
        w.Key("use");
        w.String(tag.use == gen::TagWord::Use::only ? "only" : tag.use == gen::TagWord::Use::exclude ? "exclude" : "rank");
        w.EndObject();
    }
    w.EndArray();
    w.Key("options");
    {
        rapidjson::Document doc;
        doc.Parse(gen::options_json(ctx).c_str());
        doc.Accept(w);
    }
    w.Key("pipeline");
    {
        rapidjson::Document doc;
        doc.Parse(pipeline.to_json().c_str());
        doc.Accept(w);
    }
    w.Key("target_count");
    if (ctx.target_count) w.Int(ctx.target_count); else w.Null();
    w.Key("target_seconds");
    if (ctx.target_seconds) w.Int(ctx.target_seconds); else w.Null();
    w.Key("short"); w.Bool(ctx.short_of_target);
    w.Key("candidates"); w.Uint64(ctx.candidates.size());
    strings("filters", ctx.filters);
    w.Key("ranking"); w.String(ctx.ranking_method.c_str());
    w.Key("llm");  // the select step's completer: whether its choice was used, why not, what it cost
    {
        const gen::Selection& sel = ctx.selection;
        w.StartObject();
        w.Key("used"); w.Bool(sel.used);
        w.Key("reason");
        if (sel.used) w.Null(); else w.String(sel.reason.c_str());
        w.Key("provider");
        if (sel.provider.empty()) w.Null(); else w.String(sel.provider.c_str());
        w.Key("model");
        if (sel.model.empty()) w.Null(); else w.String(sel.model.c_str());
        w.Key("offered"); w.Uint64(sel.offered);
        w.Key("chosen"); w.Uint64(sel.chosen);
        w.Key("invented"); w.Uint64(sel.invented);
        w.Key("repeated"); w.Uint64(sel.repeated);
        w.Key("in_playlist"); w.Uint64(sel.in_playlist);
        w.Key("topped_up"); w.Uint64(sel.topped_up);
        w.Key("repaired"); w.Bool(sel.repaired);
        write_usage(w, sel.priced);
        w.EndObject();
    }
    w.Key("llm_parse");  // the completer's reading of the prompt (opt-in): used or why not, disagreements, cost
    {
        const gen::LlmReading& r = ctx.reading;
        w.StartObject();
        w.Key("asked"); w.Bool(r.asked);
        w.Key("used"); w.Bool(r.used);
        w.Key("reason");
        if (r.reason.empty()) w.Null(); else w.String(r.reason.c_str());
        w.Key("provider");
        if (r.provider.empty()) w.Null(); else w.String(r.provider.c_str());
        w.Key("model");
        if (r.model.empty()) w.Null(); else w.String(r.model.c_str());
        strings("disagreements", r.disagreements);
        strings("dropped", r.dropped);
        w.Key("repaired"); w.Bool(r.repaired);
        write_usage(w, r.priced);
        w.EndObject();
    }
    w.Key("order"); w.String(ctx.ordered_by.c_str());
    w.Key("duration_ms"); w.Int64(ctx.total_ms());
    w.Key("dry_run"); w.Bool(!ctx.input.publish && !ctx.input.save);
    w.Key("tracks");
    w.StartArray();
    size_t position = 0;
    for (const auto& e : ctx.tracks) {
        const auto& t = e.track;
        w.StartObject();
        w.Key("position"); w.Uint64(++position);
        gen::write_track_fields(w, t);
        w.Key("rating");
        if (t.user_rating) w.Int64(*t.user_rating); else w.Null();
        w.Key("play_count");
        if (t.play_count) w.Int64(*t.play_count); else w.Null();
        w.Key("last_played_at");
        if (t.last_played_at) w.Int64(*t.last_played_at); else w.Null();
        w.Key("live"); w.Bool(t.is_live);
        w.Key("rank"); w.Uint64(e.rank);
        w.Key("choice");  // place in the completer's choice; null: not chosen by it
        if (e.choice) w.Uint64(e.choice); else w.Null();
        w.Key("reason");  // the completer's reason
        if (e.choice) w.String(e.reason.c_str()); else w.Null();
        w.Key("similarity");
        if (e.similarity) w.Double(static_cast<double>(*e.similarity)); else w.Null();
        strings("passed", e.passed);
        strings("tags", e.tags);
        strings("matched_tags", e.matched_tags);
        w.Key("file_path");
        if (t.file_path.empty()) w.Null(); else w.String(t.file_path.c_str());
        w.EndObject();
    }
    w.EndArray();
    w.Key("published");
    w.StartArray();
    for (const auto& p : ctx.published) {
        w.StartObject();
        w.Key("provider"); w.String(p.provider.c_str());
        w.Key("key");
        if (p.key.empty()) w.Null(); else w.String(p.key.c_str());
        w.Key("replaced"); w.Bool(p.replaced);
        w.Key("published"); w.Bool(p.published);
        w.Key("tracks"); w.Uint64(p.tracks);
        w.Key("lacking"); w.Uint64(p.lacking);  // of the playlist's tracks, those this server has no recording of
        w.Key("playlist_id");
        if (p.playlist_id) w.Int64(*p.playlist_id); else w.Null();
        w.Key("error");
        if (p.error.empty()) w.Null(); else w.String(p.error.c_str());
        w.EndObject();
    }
    w.EndArray();
    strings("notes", ctx.notes);
    w.Key("timings_ms");
    w.StartObject();
    for (const auto& [what, ms] : ctx.timings) {
        w.Key(what.c_str());
        w.Double(ms);
    }
    w.EndObject();
    w.EndObject();
    out << "\n";
}

int run_create(const GlobalOptions& global, const Args& args) { return create(global, args); }

}  // namespace pmx::cli
