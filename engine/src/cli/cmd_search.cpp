// `plexmix search QUERY [--limit N] [--json] [--embedder NAME]`.
#include <cstdio>
#include <iostream>

#include <boost/program_options.hpp>
#include <rapidjson/ostreamwrapper.h>
#include <rapidjson/prettywriter.h>

#include "cli/app.hpp"
#include "cli/cli_support.hpp"
#include "embed/model_index.hpp"
#include "search/hybrid_search.hpp"
#include "store/store.hpp"
#include "util/text.hpp"

namespace po = boost::program_options;

namespace pmx::cli {
namespace {

// "genre Jazz · artist Miles Davis": the names of the query that a hit carries.
std::string matched_text(const SearchResult& result, const SearchHit& hit) {
    std::string text;
    for (const size_t n : hit.matched) {
        if (!text.empty()) text += " \u00b7 ";
        text += std::string(field_name(result.names[n].field)) + " " + result.names[n].name;
    }
    return text;
}

std::string score_text(double score) {
    char text[32];
    std::snprintf(text, sizeof text, "%.3f", score);
    return text;
}

int search(const GlobalOptions& global, const Args& args) {
    po::options_description opts("search");
    opts.add_options()
        ("limit,n", po::value<size_t>()->default_value(kDefaultSearchLimit)->value_name("N"), "results to show")
        ("json", "machine-readable output")
        ("embedder", po::value<std::string>()->value_name("NAME"),
         "embed the query with this provider instead of the one in use: { embedder: }");
    const std::string usage =
        "plexmix search QUERY [--limit N] [--json] [--embedder NAME]\n\n"
        "Finds tracks by keywords (title, artist, album, genres) and by meaning (vector similarity of\n"
        "the embedded query), fused by reciprocal rank. Without an embedder, keywords only. When the\n"
        "query names genres, artists or albums of the library, their tracks come first: those with\n"
        "every name, then those with some, then the rest; the query's other words order them.";
    bool help = false;
    std::string query;
    const po::variables_map vm = parse_words_args(args, opts, "query", usage, &help, &query);
    if (help) return kExitOk;
    if (query.find_first_not_of(" \t\n") == std::string::npos) throw UsageError("search: give a QUERY; " + usage);
    const size_t limit = vm["limit"].as<size_t>();
    if (limit == 0) throw UsageError("search: --limit must be at least 1");
    const bool json = vm.count("json") > 0;

    auto app = App::open(global);
    std::optional<EmbedderProvider> embedder;
    if (vm.count("embedder")) {
        embedder = app->embedder(vm["embedder"].as<std::string>());
    } else {
        embedder = app->embedder();
    }
    SearchOptions options;
    options.limit = limit;
    options.index_dir = vectors_dir(app->data_dir());
    const SearchResult result =
        hybrid_search(app->store(), query, embedder ? embedder->provider.get() : nullptr, options);
    // Notes go to stderr, so that stdout holds only the results (a table or JSON).
    for (const auto& note : result.notes) std::cerr << "plexmix: note: " << note << "\n";

    if (json) {
        rapidjson::OStreamWrapper os(std::cout);
        rapidjson::PrettyWriter<rapidjson::OStreamWrapper> w(os);
        w.StartObject();
        w.Key("query"); w.String(query.c_str());
        w.Key("keywords"); w.Bool(result.keywords);
        w.Key("vectors"); w.Bool(result.vectors);
        w.Key("model");
        if (result.model.empty()) w.Null(); else w.String(result.model.c_str());
        w.Key("notes");
        w.StartArray();
        for (const auto& note : result.notes) w.String(note.c_str());
        w.EndArray();
        w.Key("read_as");
        w.StartArray();
        for (const QueryName& name : result.names) {
            w.StartObject();
            w.Key("field"); w.String(std::string(field_name(name.field)).c_str());
            w.Key("words"); w.String(name.words.c_str());
            w.Key("name"); w.String(name.name.c_str());
            w.Key("names");
            w.StartArray();
            for (const auto& n : name.names) w.String(n.c_str());
            w.EndArray();
            w.EndObject();
        }
        w.EndArray();
        w.Key("results");
        w.StartArray();
        size_t rank = 0;
        for (const SearchHit& hit : result.hits) {
            w.StartObject();
            w.Key("rank"); w.Uint64(++rank);
            w.Key("track_id"); w.Int64(hit.track.id);
            w.Key("title"); w.String(hit.track.title.c_str());
            w.Key("artist"); w.String(hit.track.artist.c_str());
            w.Key("album"); w.String(hit.track.album.c_str());
            w.Key("year");
            if (hit.track.year) w.Int64(*hit.track.year); else w.Null();
            w.Key("genres");
            w.StartArray();
            std::string_view rest = hit.track.genres;
            while (!rest.empty()) {
                const size_t at = rest.find("; ");
                const std::string name(rest.substr(0, at));
                if (!name.empty()) w.String(name.c_str());
                if (at == std::string_view::npos) break;
                rest.remove_prefix(at + 2);
            }
            w.EndArray();
            w.Key("tags");
            w.StartArray();
            for (const std::string& tag : split_list(hit.track.tags)) w.String(tag.c_str());
            w.EndArray();
            w.Key("score"); w.Double(hit.score);
            w.Key("keyword_rank");
            if (hit.keyword_rank) w.Uint64(*hit.keyword_rank); else w.Null();
            w.Key("vector_rank");
            if (hit.vector_rank) w.Uint64(*hit.vector_rank); else w.Null();
            w.Key("similarity");
            if (hit.similarity) w.Double(static_cast<double>(*hit.similarity)); else w.Null();
            w.Key("matched");
            w.StartArray();
            for (const size_t n : hit.matched) {
                w.StartObject();
                w.Key("field"); w.String(std::string(field_name(result.names[n].field)).c_str());
                w.Key("name"); w.String(result.names[n].name.c_str());
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

    if (result.hits.empty()) {
        std::cout << "No tracks match \"" << query << "\".\n";
        return kExitOk;
    }
    // What the query was read as, and per track which of those names it carries; neither when
    // the query names nothing.
    const bool names = !result.names.empty();
    if (names) std::cout << "Read as: " << describe_names(result.names) << "\n";
    std::vector<std::vector<std::string>> table;
    size_t rank = 0;
    for (const SearchHit& hit : result.hits) {
        std::vector<std::string> row{std::to_string(++rank), hit.track.title, hit.track.artist, hit.track.album,
                                     hit.track.year ? std::to_string(*hit.track.year) : "", hit.track.genres};
        if (names) row.push_back(matched_text(result, hit));
        row.push_back(score_text(hit.score));
        table.push_back(std::move(row));
    }
    std::vector<std::string> header{"#", "title", "artist", "album", "year", "genres"};
    if (names) header.push_back("matched");
    header.push_back("score");
    print_table(std::cout, header, table);
    return kExitOk;
}

}  // namespace

int run_search(const GlobalOptions& global, const Args& args) { return search(global, args); }

}  // namespace pmx::cli
