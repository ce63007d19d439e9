// The tag vocabulary: the built-in file, canonical()/find() over spellings, map_tags(), version(), bad files.
#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tags/vocabulary.hpp"
#include "tags/vocabulary_data.hpp"
#include "util/text.hpp"

using namespace pmx::tags;

namespace {

// The smallest file of the right shape; bad-file tests change one thing in it.
constexpr std::string_view kSmall =
    "moods:\n"
    "  happy: [cheerful, upbeat]\n"
    "  sad: [sombre]\n"
    "environments:\n"
    "  workout: [gym]\n"
    "instruments:\n"
    "  piano: []\n";

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// The message parse_vocabulary() throws for `yaml`, or "" when it parses.
std::string parse_error(std::string_view yaml) {
    try {
        parse_vocabulary(yaml, "bad.yaml");
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

std::string replaced(std::string text, std::string_view from, std::string_view to) {
    const size_t at = text.find(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), to);
    return text;
}

// The whole line of `text` that starts with `start`, its newline included.
std::string line_of(const std::string& text, std::string_view start) {
    const size_t at = text.find(start);
    REQUIRE(at != std::string::npos);
    return text.substr(at, text.find('\n', at) + 1 - at);
}

}  // namespace

TEST_CASE("the built-in vocabulary parses and is the file in engine/data/tags", "[tags]") {
    const std::string source = read_text(PMX_TAG_VOCABULARY_FILE);
    REQUIRE_FALSE(source.empty());
    CHECK(kBuiltinVocabularyYaml == source);
    const Vocabulary& vocabulary = builtin_vocabulary();
    CHECK_FALSE(vocabulary.moods.empty());
    CHECK(vocabulary.canonical(Facet::mood, "happy") == "happy");
}

TEST_CASE("the built-in file names its sources at the top", "[tags]") {
    const std::string_view head = kBuiltinVocabularyYaml.substr(0, kBuiltinVocabularyYaml.find("\nmoods:"));
    CHECK(head.find("MTG-Jamendo") != std::string_view::npos);
    CHECK(head.find("AllMusic") != std::string_view::npos);
}

TEST_CASE("the built-in facets have the sizes the tagging prompt is planned for", "[tags]") {
    const Vocabulary& vocabulary = builtin_vocabulary();
    CHECK(vocabulary.moods.size() >= 40);
    CHECK(vocabulary.moods.size() <= 60);
    CHECK(vocabulary.environments.size() >= 20);
    CHECK(vocabulary.environments.size() <= 32);
    CHECK(vocabulary.instruments.size() >= 30);
    CHECK(vocabulary.instruments.size() <= 40);
    CHECK(&vocabulary.terms(Facet::mood) == &vocabulary.moods);
    CHECK(&vocabulary.terms(Facet::environment) == &vocabulary.environments);
    CHECK(&vocabulary.terms(Facet::instrument) == &vocabulary.instruments);
}

TEST_CASE("every built-in term is lower case, unique across facets and means itself", "[tags]") {
    const Vocabulary& vocabulary = builtin_vocabulary();
    std::set<std::string> keys;
    for (const Facet facet : kFacets) {
        for (const std::string& term : vocabulary.terms(facet)) {
            INFO(facet_name(facet) << " " << term);
            CHECK(term == pmx::ascii_lower(term));
            CHECK(keys.insert(term_key(term)).second);
            const auto found = vocabulary.find(term);
            REQUIRE(found);
            CHECK(found->first == facet);
            CHECK(found->second == term);
            for (const std::string& synonym : vocabulary.synonyms(facet, term)) {
                INFO("synonym " << synonym);
                CHECK(vocabulary.canonical(facet, synonym) == term);
            }
        }
    }
}

TEST_CASE("canonical ignores case, Latin accents and punctuation", "[tags]") {
    const Vocabulary& vocabulary = builtin_vocabulary();
    CHECK(vocabulary.canonical(Facet::instrument, "Piano") == "piano");
    CHECK(vocabulary.canonical(Facet::instrument, "PIANO") == "piano");
    CHECK(vocabulary.canonical(Facet::instrument, "Ukul\u00e9l\u00e9") == "ukulele");  // the French spelling
    CHECK(vocabulary.canonical(Facet::environment, "NOEL") == "christmas");       // listed as "noël"
    CHECK(vocabulary.canonical(Facet::environment, "Rainy-Day") == "rainy day");
    CHECK(vocabulary.canonical(Facet::environment, "late night!") == "late night");
    CHECK(vocabulary.canonical(Facet::mood, "  Calm. ") == "calm");
    CHECK(vocabulary.canonical(Facet::mood, "Laid-Back") == "relaxing");  // listed as "laid back"
}

TEST_CASE("canonical reads plurals as their singular", "[tags]") {
    const Vocabulary& vocabulary = builtin_vocabulary();
    CHECK(vocabulary.canonical(Facet::instrument, "Pianos") == "piano");
    CHECK(vocabulary.canonical(Facet::instrument, "synths") == "synthesizer");
    CHECK(vocabulary.canonical(Facet::instrument, "drum machines") == "drum machine");
    CHECK(vocabulary.canonical(Facet::instrument, "vocal") == "vocals");   // the term is the plural
    CHECK(vocabulary.canonical(Facet::instrument, "basses") == "bass");    // -sses
    CHECK(vocabulary.canonical(Facet::instrument, "bass") == "bass");      // -ss is no plural
    CHECK(vocabulary.canonical(Facet::instrument, "brass") == "brass");
    CHECK(vocabulary.canonical(Facet::environment, "beaches") == "beach");  // -ches
    CHECK(vocabulary.canonical(Facet::environment, "parties") == "party");  // -ies
    CHECK(vocabulary.canonical(Facet::environment, "Rainy Days") == "rainy day");
    CHECK(vocabulary.canonical(Facet::environment, "children's") == "kids");  // apostrophe, then plural
}

TEST_CASE("canonical maps synonyms, multi-word ones and spellings without spaces", "[tags]") {
    const Vocabulary& vocabulary = builtin_vocabulary();
    CHECK(vocabulary.canonical(Facet::mood, "melancholy") == "melancholic");
    CHECK(vocabulary.canonical(Facet::mood, "Somber") == "melancholic");
    CHECK(vocabulary.canonical(Facet::mood, "sombre") == "melancholic");
    CHECK(vocabulary.canonical(Facet::instrument, "sax") == "saxophone");
    CHECK(vocabulary.canonical(Facet::instrument, "Fender Rhodes") == "electric piano");
    CHECK(vocabulary.canonical(Facet::environment, "working out") == "workout");
    CHECK(vocabulary.canonical(Facet::environment, "work out") == "workout");    // no space in the term
    CHECK(vocabulary.canonical(Facet::environment, "Road-Trips") == "road trip");
    CHECK(vocabulary.canonical(Facet::environment, "roadtrip") == "road trip");  // no space in the word
    CHECK(vocabulary.canonical(Facet::environment, "falling asleep") == "sleep");
}

TEST_CASE("canonical answers nothing for unknown words, blanks and another facet's terms", "[tags]") {
    const Vocabulary& vocabulary = builtin_vocabulary();
    CHECK_FALSE(vocabulary.canonical(Facet::mood, "piano"));
    CHECK_FALSE(vocabulary.canonical(Facet::instrument, "happy"));
    CHECK_FALSE(vocabulary.canonical(Facet::mood, "banana"));
    CHECK_FALSE(vocabulary.canonical(Facet::mood, ""));
    CHECK_FALSE(vocabulary.canonical(Facet::mood, "   "));
    CHECK_FALSE(vocabulary.canonical(Facet::mood, "!!!"));
    CHECK_FALSE(vocabulary.canonical(Facet::environment, "night work"));  // two terms' words are no term
}

TEST_CASE("find tells which facet and term a word is", "[tags]") {
    const Vocabulary& vocabulary = builtin_vocabulary();
    CHECK(vocabulary.find("sax") == std::pair{Facet::instrument, std::string("saxophone")});
    CHECK(vocabulary.find("Gym") == std::pair{Facet::environment, std::string("workout")});
    CHECK(vocabulary.find("sombre") == std::pair{Facet::mood, std::string("melancholic")});
    CHECK(vocabulary.find("late-night") == std::pair{Facet::environment, std::string("late night")});
    CHECK_FALSE(vocabulary.find("banana"));
    CHECK_FALSE(vocabulary.find(""));
}

TEST_CASE("facet_name names each facet", "[tags]") {
    CHECK(facet_name(Facet::mood) == "mood");
    CHECK(facet_name(Facet::environment) == "environment");
    CHECK(facet_name(Facet::instrument) == "instrument");
}

TEST_CASE("map_tags keeps order, drops duplicates and reports what mapped to nothing", "[tags]") {
    const Vocabulary& vocabulary = builtin_vocabulary();
    const MappedTags mapped =
        map_tags(vocabulary, {"Melancholy", "happy", "banana", "sad", "melancholic", "HAPPY", ""},
                 {"gym", "rainy day", "working out", "Bananas", "piano"}, {"sax", "saxophone", "keys", "  ", "kazoo!"});
    CHECK(mapped.moods == std::vector<std::string>{"melancholic", "happy", "sad"});
    CHECK(mapped.environments == std::vector<std::string>{"workout", "rainy day"});
    CHECK(mapped.instruments == std::vector<std::string>{"saxophone", "keyboard"});
    // "Bananas" reads as "banana", met before; "piano" is no environment; blanks are not words.
    CHECK(mapped.dropped == std::vector<std::string>{"banana", "piano", "kazoo!"});
    CHECK(mapped.energy == 0);
}

TEST_CASE("map_tags of empty answers is empty", "[tags]") {
    const MappedTags mapped = map_tags(builtin_vocabulary(), {}, {}, {});
    CHECK(mapped.moods.empty());
    CHECK(mapped.environments.empty());
    CHECK(mapped.instruments.empty());
    CHECK(mapped.dropped.empty());
}

TEST_CASE("version is stable and changes with the terms and synonyms, not with comments", "[tags]") {
    const std::string text(kBuiltinVocabularyYaml);
    const Vocabulary& builtin = builtin_vocabulary();
    const std::string version = builtin.version();
    CHECK(version.size() == 12);
    CHECK(version.find_first_not_of("0123456789abcdef") == std::string::npos);
    CHECK(builtin.version() == version);
    CHECK(parse_vocabulary(text, "copy.yaml").version() == version);

    const std::string added_term = replaced(text, "\nmoods:\n", "\nmoods:\n  wistful-test: []\n");
    const Vocabulary with_term = parse_vocabulary(added_term, "added.yaml");
    CHECK(with_term.moods.size() == builtin.moods.size() + 1);
    CHECK(with_term.version() != version);

    const std::string added_synonym = replaced(text, "  bittersweet: []", "  bittersweet: [bittersweetish]");
    CHECK(parse_vocabulary(added_synonym, "synonym.yaml").version() != version);

    // The order is shown to the model, so it counts: swap the lines of "happy" and "sad".
    const std::string happy_line = line_of(text, "  happy: ["), sad_line = line_of(text, "  sad: [");
    const std::string swapped = replaced(replaced(text, happy_line, "@@"), sad_line, happy_line);
    const Vocabulary reordered = parse_vocabulary(replaced(swapped, "@@", sad_line), "order.yaml");
    CHECK(reordered.moods[0] == "sad");
    CHECK(reordered.version() != version);

    const std::string commented = replaced(text, "\nmoods:\n", "\nmoods:\n  # a comment changes nothing\n");
    CHECK(parse_vocabulary(commented, "comment.yaml").version() == version);
}

TEST_CASE("builtin_vocabulary is parsed once and shared by every thread", "[tags]") {
    constexpr int kThreads = 4;
    std::vector<const Vocabulary*> seen(kThreads);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
        threads.emplace_back([&seen, i] { seen[static_cast<size_t>(i)] = &builtin_vocabulary(); });
    }
    for (auto& thread : threads) thread.join();
    for (const Vocabulary* vocabulary : seen) CHECK(vocabulary == &builtin_vocabulary());
}

TEST_CASE("a small vocabulary parses", "[tags]") {
    const Vocabulary vocabulary = parse_vocabulary(kSmall, "small.yaml");
    CHECK(vocabulary.moods == std::vector<std::string>{"happy", "sad"});
    CHECK(vocabulary.synonyms(Facet::mood, "happy") == std::vector<std::string>{"cheerful", "upbeat"});
    CHECK(vocabulary.synonyms(Facet::mood, "unknown").empty());
    CHECK(vocabulary.canonical(Facet::mood, "Cheerful") == "happy");
    CHECK(vocabulary.canonical(Facet::environment, "gym") == "workout");
    CHECK(vocabulary.instruments == std::vector<std::string>{"piano"});
}

TEST_CASE("a synonym given to two terms is refused with file:line:col", "[tags]") {
    const std::string error = parse_error(replaced(std::string(kSmall), "sad: [sombre]", "sad: [cheerful]"));
    CHECK(error.starts_with("bad.yaml:3:9: "));
    CHECK(error.find("a synonym of the mood \"happy\" (line 2:11)") != std::string::npos);

    // Spellings that fold to the same words clash too.
    const std::string folded = parse_error(replaced(std::string(kSmall), "sad: [sombre]", "sad: [CHEERFUL!]"));
    CHECK(folded.starts_with("bad.yaml:3:9: "));
    CHECK(folded.find("reads the same as") != std::string::npos);

    // And so do phrases that differ only in spaces.
    const std::string spaced = parse_error(replaced(std::string(kSmall), "sad: [sombre]", "sad: [cheer ful]"));
    CHECK(spaced.starts_with("bad.yaml:3:9: "));
}

TEST_CASE("a term listed twice is refused with file:line:col", "[tags]") {
    const std::string error = parse_error(replaced(std::string(kSmall), "  sad: [sombre]", "  sad: []\n  Sad: []"));
    // "Sad" is refused for its case before it can clash; a second "sad" clashes.
    CHECK(error.starts_with("bad.yaml:4:3: "));
    CHECK(error.find("lower-case") != std::string::npos);
    const std::string twice = parse_error(replaced(std::string(kSmall), "  sad: [sombre]", "  sad: []\n  sad: []"));
    CHECK(twice.starts_with("bad.yaml:4:3: "));
    CHECK(twice.find("duplicate term \"sad\" (also at line 3:3)") != std::string::npos);
}

TEST_CASE("a term in two facets, or another facet's synonym, is refused with file:line:col", "[tags]") {
    const std::string error = parse_error(replaced(std::string(kSmall), "  piano: []", "  piano: []\n  happy: []"));
    CHECK(error.starts_with("bad.yaml:8:3: "));
    CHECK(error.find("the term \"happy\" is also the mood \"happy\"") != std::string::npos);

    const std::string synonym = parse_error(replaced(std::string(kSmall), "  piano: []", "  piano: []\n  gym: []"));
    CHECK(synonym.starts_with("bad.yaml:8:3: "));
    CHECK(synonym.find("a synonym of the environment \"workout\"") != std::string::npos);

    const std::string later_term = parse_error(replaced(std::string(kSmall), "piano: []", "piano: [workouts]"));
    CHECK(later_term.starts_with("bad.yaml:7:11: "));
    CHECK(later_term.find("reads the same as the environment \"workout\"") != std::string::npos);
}

TEST_CASE("a synonym that reads the same as its own term is refused as redundant", "[tags]") {
    const std::string error = parse_error(replaced(std::string(kSmall), "piano: []", "piano: [Pianos]"));
    CHECK(error.starts_with("bad.yaml:7:11: "));
    CHECK(error.find("list one of them") != std::string::npos);
}

TEST_CASE("a file that is not a mapping of the three facets is refused with file:line:col", "[tags]") {
    CHECK(parse_error("- happy\n- sad\n").starts_with("bad.yaml:1:1: the file must be a mapping"));
    CHECK(parse_error("").starts_with("bad.yaml:1:1: the file must be a mapping"));
    CHECK(parse_error(replaced(std::string(kSmall), "  happy: [cheerful, upbeat]\n  sad: [sombre]\n", "  [happy, sad]\n"))
              .starts_with("bad.yaml:2:3: moods must be a mapping"));
    CHECK(parse_error(replaced(std::string(kSmall), "  piano: []\n", ""))
              .starts_with("bad.yaml:6:1: instruments must be a mapping"));
    CHECK(parse_error(replaced(std::string(kSmall), "sad: [sombre]", "sad: sombre"))
              .starts_with("bad.yaml:3:8: the synonyms of \"sad\" must be a list"));
    CHECK(parse_error(replaced(std::string(kSmall), "sad: [sombre]", "sad: [[sombre]]"))
              .starts_with("bad.yaml:3:9: a synonym of \"sad\" must be plain text"));
    CHECK(parse_error(replaced(std::string(kSmall), "instruments:\n  piano: []\n", ""))
              .starts_with("bad.yaml:1:1: the file has no instruments"));
    CHECK(parse_error(replaced(std::string(kSmall), "happy: [", "happy: [\"bad\xff\", ")).find("not valid UTF-8") !=
          std::string::npos);
    CHECK(parse_error(replaced(std::string(kSmall), "happy: [", "happy: [\"...\", ")).find("has no word") !=
          std::string::npos);
}

TEST_CASE("an unknown or repeated key and a YAML syntax error are refused with file:line:col", "[tags]") {
    CHECK(parse_error(std::string(kSmall) + "genres:\n  rock: []\n")
              .starts_with("bad.yaml:8:1: unknown key \"genres\" (known keys: moods, environments, instruments)"));
    CHECK(parse_error(std::string(kSmall) + "moods:\n  calm: []\n").starts_with("bad.yaml:8:1: duplicate key \"moods\""));
    CHECK(parse_error(replaced(std::string(kSmall), "sad: [sombre]", "sad: [sombre")).starts_with("bad.yaml:"));
    const std::string syntax = parse_error("moods:\n  happy: [a\n  sad: ]\n");
    CHECK(syntax.starts_with("bad.yaml:"));
    CHECK(syntax.find(":0:") == std::string::npos);  // lines and columns count from 1
}

TEST_CASE("terms must be lower-case ASCII words joined by single spaces or hyphens", "[tags]") {
    for (const std::string bad : {"Happy", "h\u00e4ppy", "happy ", "happy  day", "happy_day", "-happy", "happy/sad"}) {
        INFO(bad);
        CHECK(parse_error(replaced(std::string(kSmall), "  sad: [sombre]", "  \"" + bad + "\": []"))
                  .starts_with("bad.yaml:3:3: the term"));
    }
    for (const std::string good : {"lo-fi", "late night", "80s"}) {
        INFO(good);
        CHECK(parse_error(replaced(std::string(kSmall), "  sad: [sombre]", "  \"" + good + "\": []")).empty());
    }
}

TEST_CASE("term_key and compact_key fold words and plurals", "[tags]") {
    CHECK(term_key("Rainy-Day") == "rainy day");
    CHECK(term_key("  Drum   Machines! ") == "drum machine");
    CHECK(term_key("melodies") == "melody");
    CHECK(term_key("ties") == "tie");
    CHECK(term_key("boxes") == "box");
    CHECK(term_key("chorus") == "chorus");
    CHECK(term_key("bus") == "bus");
    CHECK(term_key("Caf\u00e9s") == "cafe");
    CHECK(term_key("") == "");
    CHECK(compact_key("Road Trips") == "roadtrip");
    CHECK(compact_key("road-trip") == "roadtrip");
}
