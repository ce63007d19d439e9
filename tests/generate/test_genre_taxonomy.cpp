// GenreTaxonomy: the installed beets tree (as the build copied it), its shape, aliases, the word
// list; GenreMirror: what each genre concept means over a realistic mirror; NameIndex: aliases,
// typos and words that must stay words.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>

#include "genre_fixture.hpp"
#include "generate/prompt_names.hpp"

using namespace pmx::gen;

namespace {

bool has(const std::vector<std::string>& list, const std::string& item) {
    return std::find(list.begin(), list.end(), item) != list.end();
}

std::vector<std::string> child_names(const GenreTaxonomy& taxonomy, std::string_view name) {
    std::vector<std::string> names;
    const auto node = taxonomy.node(name);
    if (!node) return names;
    for (const auto child : taxonomy.children(*node)) names.push_back(taxonomy.name(child));
    return names;
}

std::vector<std::string> parent_names(const GenreTaxonomy& taxonomy, std::string_view name) {
    std::vector<std::string> names;
    const auto node = taxonomy.node(name);
    if (!node) return names;
    for (const auto parent : taxonomy.parents(*node)) names.push_back(taxonomy.name(parent));
    return names;
}

// The whole text read as one genre phrase against the realistic mirror.
NameMatch read_genre(std::string_view text, const Vocabulary& vocab = test::realistic_vocabulary()) {
    const NameIndex index(vocab);
    return index.read(text, NameKind::genre);
}

std::vector<std::string> expand(std::string_view word) {
    const GenreMirror mirror(test::installed_taxonomy(), test::realistic_genres());
    return mirror.expand(mirror.concept_of(genre_key(word)));
}

}  // namespace

TEST_CASE("the installed genre tree is the build tree's copy of beets' genres-tree.yaml", "[generate][taxonomy]") {
    const std::filesystem::path dir = installed_genres_dir();
    INFO(dir);
    CHECK(dir.filename() == "genres");
    CHECK(std::filesystem::exists(dir / GenreTaxonomy::kTreeFile));
    CHECK(std::filesystem::exists(dir / GenreTaxonomy::kEnglishWordsFile));
    const GenreTaxonomy& taxonomy = test::installed_taxonomy();
    // beets 1.6.0's tree names 765 genres, 4 of them twice (under two parents).
    CHECK(taxonomy.size() > 700);
    CHECK(taxonomy.size() < 900);
    CHECK(taxonomy.has_english_words());
}

TEST_CASE("the tree's shape: parents, children, several parents, roots", "[generate][taxonomy]") {
    const GenreTaxonomy& taxonomy = test::installed_taxonomy();
    for (const char* root : {"jazz", "rock", "electronic", "hip hop", "blues", "country", "classical", "reggae",
                             "rhythm and blues", "folk", "pop"}) {
        INFO(root);
        REQUIRE(taxonomy.node(root));
        CHECK(taxonomy.is_root(*taxonomy.node(root)));
    }
    const auto jazz_children = child_names(taxonomy, "jazz");
    for (const char* child : {"bebop", "hard bop", "cool jazz", "vocal jazz", "jazz fusion", "swing", "free jazz"}) {
        INFO(child);
        CHECK(has(jazz_children, child));
    }
    CHECK(parent_names(taxonomy, "bebop") == std::vector<std::string>{"jazz"});
    CHECK(parent_names(taxonomy, "deep house") == std::vector<std::string>{"house"});
    CHECK(parent_names(taxonomy, "heavy metal") == std::vector<std::string>{"rock"});
    // Named twice in the file: one node, two parents.
    CHECK(parent_names(taxonomy, "industrial metal") == std::vector<std::string>{"industrial", "heavy metal"});
    // "- disco polo" with "- euro disco" indented under it, without a colon.
    CHECK(parent_names(taxonomy, "euro disco") == std::vector<std::string>{"disco polo"});
    CHECK(parent_names(taxonomy, "disco polo") == std::vector<std::string>{"disco"});
    // Any spelling that folds the same finds the node.
    CHECK(taxonomy.node("Hip-Hop") == taxonomy.node("hip hop"));
    CHECK(taxonomy.node("COUPE DECALE") == taxonomy.node("coup\u00e9-d\u00e9cal\u00e9"));
    CHECK_FALSE(taxonomy.node("rockabilly jazz"));
    // Ancestors go all the way up.
    const auto screamo = *taxonomy.node("screamo");
    for (const char* up : {"emo", "post-hardcore", "hardcore punk", "punk rock", "rock"}) {
        INFO(up);
        CHECK(taxonomy.is_under(screamo, *taxonomy.node(up)));
    }
    CHECK_FALSE(taxonomy.is_under(*taxonomy.node("rockabilly"), *taxonomy.node("rock")));
    CHECK_FALSE(taxonomy.is_under(*taxonomy.node("rock"), *taxonomy.node("rock")));
}

TEST_CASE("aliases point at nodes of the tree", "[generate][taxonomy]") {
    const GenreTaxonomy& taxonomy = test::installed_taxonomy();
    const std::pair<const char*, const char*> expected[] = {
        {"prog", "progressive rock"},       {"psych", "psychedelic rock"},   {"psychedelic", "psychedelic rock"},
        {"dnb", "drum and bass"},           {"d&b", "drum and bass"},        {"drum n bass", "drum and bass"},
        {"rnb", "rhythm and blues"},        {"r&b", "rhythm and blues"},     {"electronica", "electronic"},
        {"edm", "electronic"},              {"rap", "hip hop"},              {"hiphop", "hip hop"},
        {"synth pop", "synthpop"},          {"metal", "heavy metal"},        {"punk", "punk rock"},
        {"big band", "swing"},              {"trip-hop", "trip hop"},        {"hard bop", "hard bop"},
    };
    for (const auto& [alias, node] : expected) {
        INFO(alias);
        const auto found = taxonomy.concept_of(genre_key(alias));
        REQUIRE(found);
        CHECK(taxonomy.name(*found) == node);
    }
    // Every alias of the table found its node (an alias whose node is missing is dropped).
    CHECK(taxonomy.aliases().size() >= 55);
}

TEST_CASE("a tree that is not one is an error value, and a small one parses", "[generate][taxonomy]") {
    std::string error;
    CHECK(GenreTaxonomy::parse("- a: [b, c", "", error) == nullptr);
    CHECK_THAT(error, Catch::Matchers::Contains("not valid YAML"));
    error.clear();
    CHECK(GenreTaxonomy::parse("", "", error) == nullptr);
    CHECK(error == "the genre tree holds no genre");
    CHECK(GenreTaxonomy::load("/nonexistent-dir", error) == nullptr);
    CHECK_THAT(error, Catch::Matchers::Contains("cannot read the genre tree /nonexistent-dir/genres-tree.yaml"));

    const auto small = GenreTaxonomy::parse("- jazz:\n    - bebop\n    - swing - western swing\n- rock\n", "", error);
    REQUIRE(small);
    CHECK(small->size() == 5);
    CHECK(small->is_under(*small->node("western swing"), *small->node("jazz")));
    CHECK_FALSE(small->has_english_words());
}

TEST_CASE("edit_distance counts an edit or a swap as one", "[generate][taxonomy]") {
    CHECK(edit_distance("electronic", "elektronic", 2) == 1);
    CHECK(edit_distance("jazz", "jzaz", 2) == 1);
    CHECK(edit_distance("psychedelic", "psychadellic", 2) == 2);
    CHECK(edit_distance("reggae", "reggea", 2) == 1);
    CHECK(edit_distance("house", "hours", 2) == 2);
    CHECK(edit_distance("pop", "hop", 2) == 1);
    CHECK(edit_distance("classical", "rock", 2) == 3);  // past the limit: limit + 1
    CHECK(edit_distance("", "abc", 5) == 3);
}

TEST_CASE("each broad genre means its subgenres, its words and its aliases in the mirror", "[generate][taxonomy]") {
    struct Row {
        const char* word;
        std::vector<std::string> includes, excludes;
    };
    const Row rows[] = {
        {"jazz",
         {"Jazz", "jazz", "Bebop", "Hard Bop", "Cool Jazz", "Vocal Jazz", "Jazz Fusion", "Big Band", "Swing",
          "Free Jazz", "Post-Bop", "Smooth Jazz", "Acid Jazz", "Dixieland", "Ragtime", "Jazz-Funk", "Jazz Rap",
          "Contemporary Jazz", "Jazz; Blues", "Blues/Jazz", "Gypsy Jazz", "Fusion"},
         {"Rock", "Blues", "Bossa Nova", "Western Swing", "New Jack Swing"}},
        {"rock",
         {"Rock", "rock", "Classic Rock", "Hard Rock", "Progressive Rock", "Prog", "Psychedelic Rock", "Psychedelic",
          "Punk", "Punk Rock", "Pop Punk", "Post-Punk", "Hardcore", "Grunge", "Shoegaze", "Krautrock",
          "Rock & Roll", "Rock and Roll", "Rock/Pop", "Pop/Rock", "Rock; Alternative", "Pop, Rock", "Metal",
          "Heavy Metal", "Emo", "Indie Rock", "Jazz Rock", "Soft Rock", "Alternative", "Britpop", "Psychobilly"},
         {"Rockabilly", "Pop", "Jazz", "Electronic", "Reggae", "Rocksteady", "Lovers Rock", "Indie Pop"}},
        {"electronic",
         {"Electronic", "electronic", "Electronica", "EDM", "House", "Deep House", "Techno", "Trance",
          "Ambient", "Drum & Bass", "DnB", "Jungle", "Dubstep", "Trip Hop", "Trip-Hop", "Synthpop", "Disco",
          "Electronic/Dance", "Industrial", "IDM", "Acid Jazz", "Goa Trance", "UK Garage", "Dance"},
         {"Rock", "Jazz", "Hip-Hop", "Funk"}},
        {"hip hop",
         {"Hip-Hop", "Hip Hop", "hiphop", "Rap", "Gangsta Rap", "Conscious Hip Hop", "G-Funk", "Jazz Rap",
          "Hip-Hop/Rap", "Pop Rap", "Rap Rock", "Lo-Fi Hip Hop", "Horrorcore", "Turntablism"},
         {"Trip Hop", "Trip-Hop", "R&B", "Soul"}},
        {"metal",
         {"Metal", "Heavy Metal", "Thrash Metal", "Death Metal", "Black Metal", "Doom Metal", "Nu Metal",
          "Metalcore", "Deathcore", "Djent", "Death/Doom", "Industrial Metal", "Symphonic Metal"},
         {"Rock", "Hard Rock", "Punk"}},
        {"folk",
         {"Folk", "folk", "Indie Folk", "Contemporary Folk", "Folk Pop", "Freak Folk", "Neofolk", "Anti-Folk",
          "Psychedelic Folk", "Folk Rock", "Celtic Music", "Traditional Folk"},
         {"Country", "Rock", "Americana"}},
        {"classical",
         {"Classical", "classical", "Baroque", "Opera", "Chamber Music", "String Quartet", "Symphony", "Orchestral",
          "Modern Classical", "Contemporary Classical", "Requiem", "Gregorian Chant", "Classical Crossover"},
         {"Piano", "Romantic", "Baroque Pop", "Choral"}},
        {"soul",
         {"Soul", "soul", "Neo-Soul", "Northern Soul", "Blue-Eyed Soul", "Soul Jazz", "R&B/Soul"},
         {"R&B", "Funk", "Jazz"}},
        {"country",
         {"Country", "country", "Alt-Country", "Americana", "Bluegrass", "Outlaw Country", "Honky Tonk",
          "Country Pop", "Country Rock", "Western Swing", "Cajun", "Zydeco", "Rockabilly", "Country Blues",
          "Classic Country"},
         {"Folk", "Rock"}},
        {"punk",
         {"Punk", "Punk Rock", "Pop Punk", "Hardcore Punk", "Hardcore", "Emo", "Ska Punk", "Celtic Punk",
          "Psychobilly", "Post-Punk"},
         {"Rock", "Metal", "Grunge"}},
        {"blues",
         {"Blues", "Delta Blues", "Chicago Blues", "Electric Blues", "Country Blues", "Texas Blues", "Jump Blues",
          "Piano Blues", "Blues Rock", "Jazz; Blues", "Blues/Jazz"},
         {"Rhythm and Blues", "R&B", "RnB", "Soul", "Jazz", "Contemporary R&B"}},
        {"reggae",
         {"Reggae", "Roots Reggae", "Dub", "Dancehall", "Ska", "Rocksteady", "Lovers Rock", "Ragga", "2 Tone"},
         {"Reggaeton", "Rock"}},
        {"swing", {"Swing", "Big Band"}, {"Western Swing", "New Jack Swing", "Jazz"}},
        {"funk", {"Funk", "P-Funk", "Go-Go", "Jazz-Funk", "Disco Funk", "G-Funk"}, {"Liquid Funk", "Soul"}},
        {"r&b",
         {"R&B", "RnB", "Rhythm and Blues", "Soul", "Funk", "Neo-Soul", "Northern Soul", "R&B/Soul", "P-Funk",
          "Go-Go", "Contemporary R&B"},
         {"Blues", "Hip-Hop"}},
    };
    for (const Row& row : rows) {
        const auto genres = expand(row.word);
        INFO(row.word << " -> " << genres.size() << " genres");
        for (const auto& genre : row.includes) {
            INFO("must include " << genre);
            CHECK(has(genres, genre));
        }
        for (const auto& genre : row.excludes) {
            INFO("must not include " << genre);
            CHECK_FALSE(has(genres, genre));
        }
        // In the mirror's order, each once.
        for (size_t i = 1; i < genres.size(); ++i) {
            const auto& all = test::realistic_genres();
            CHECK(std::find(all.begin(), all.end(), genres[i - 1]) < std::find(all.begin(), all.end(), genres[i]));
        }
    }
}

TEST_CASE("a compound mirror genre counts for each of its parts", "[generate][taxonomy]") {
    CHECK(has(expand("pop"), "Rock/Pop"));
    CHECK(has(expand("rock"), "Rock/Pop"));
    CHECK(has(expand("pop"), "Pop, Rock"));
    CHECK(has(expand("blues"), "Jazz; Blues"));
    CHECK(has(expand("soul"), "R&B/Soul"));
    CHECK(has(expand("pop"), "Chanson/Vari\u00e9t\u00e9"));   // chanson is under pop in the tree
    CHECK(has(expand("variete"), "Chanson/Vari\u00e9t\u00e9")); // a part the tree does not know
    CHECK(has(expand("electronic"), "Electronic/Dance"));
    // "Death/Doom" is a genre of the tree, not "death" and "doom".
    CHECK(expand("death doom") == std::vector<std::string>{"Death/Doom"});
    CHECK(read_genre("death").length == 0);
    CHECK(read_genre("doom").length == 0);
}

TEST_CASE("aliases and spellings read as the genre they name", "[generate][taxonomy]") {
    const std::pair<const char*, const char*> rows[] = {
        {"prog", "progressive rock"},  {"prog rock", "progressive rock"}, {"psych", "psychedelic rock"},
        {"dnb", "drum and bass"},      {"d&b", "drum and bass"},          {"drum n bass", "drum and bass"},
        {"drum & bass", "drum and bass"}, {"r&b", "rhythm and blues"},    {"rnb", "rhythm and blues"},
        {"rhythm and blues", "rhythm and blues"}, {"trip-hop", "trip hop"}, {"triphop", "trip hop"},
        {"electronica", "electronic"}, {"EDM", "electronic"},             {"hiphop", "hip hop"},
        {"hip-hop", "hip hop"},        {"rap", "hip hop"},                {"synth-pop", "synthpop"},
        {"synthpop", "synthpop"},      {"hard bop", "hard bop"},          {"hardbop", "hard bop"},
        {"rock n roll", "rock and roll"}, {"rock & roll", "rock and roll"}, {"big band", "swing"},
    };
    for (const auto& [word, concept_name] : rows) {
        INFO(word);
        const NameMatch found = read_genre(word);
        CHECK(found.length > 0);
        CHECK(found.read_as == concept_name);
        CHECK_FALSE(found.fuzzy);
    }
    CHECK(has(read_genre("prog").names, "Krautrock"));  // below progressive rock in the tree
    CHECK(has(read_genre("dnb").names, "Liquid Funk"));
}

TEST_CASE("a small typo reads as the genre but ordinary and known words never do", "[generate][taxonomy]") {
    const std::pair<const char*, const char*> typos[] = {
        {"psychadellic", "psychedelic rock"}, {"elektronic", "electronic"}, {"reggea", "reggae"},
        {"clasical", "classical"},           {"shoegaez", "shoegaze"},     {"bluegras", "bluegrass"},
        {"dubstpe", "dubstep"},              {"psychadelic rock", "psychedelic rock"},
    };
    for (const auto& [word, concept_name] : typos) {
        INFO(word);
        const NameMatch found = read_genre(word);
        CHECK(found.length > 0);
        CHECK(found.read_as == concept_name);
        CHECK(found.fuzzy);
    }
    // English words near a genre word, words under 5 letters, and words of artists stay words.
    for (const char* word : {"rocky", "jazzy", "county", "hours", "mental", "france", "songs", "pop", "hop", "popp",
                             "jazzanova", "rockwell", "salba"}) {
        INFO(word);
        const NameMatch found = read_genre(word);
        CHECK((found.length == 0 || !found.fuzzy));
        if (std::string_view(word) != "pop") CHECK(found.length == 0);
    }
    CHECK(read_genre("pop").read_as == "pop");
    // ("salba" is one edit from both "salsa" and "samba": left alone.) An artist's word is no typo.
    Vocabulary vocab = test::realistic_vocabulary();
    CHECK(read_genre("elektronik", vocab).read_as == "electronic");
    vocab.artists.push_back("Elektronik");
    CHECK(read_genre("elektronik", vocab).length == 0);
}

TEST_CASE("genre words that are ordinary words read only when the mirror has them", "[generate][taxonomy]") {
    for (const char* word : {"other", "minimal", "chill out", "background music", "funky", "mass"}) {
        INFO(word);
        CHECK(read_genre(word, {{"Jazz"}, {}, &test::installed_taxonomy()}).length == 0);
        CHECK(read_genre(word, {{"Jazz"}, {}, &test::installed_taxonomy()}).unknown_length == 0);
    }
    CHECK(read_genre("other").names == std::vector<std::string>{"Worldbeat", "Other"});  // the mirror's order
}

TEST_CASE("a genre of the tree the mirror lacks matches with no genres", "[generate][taxonomy]") {
    const Vocabulary vocab{{"Jazz", "Rock"}, {}, &test::installed_taxonomy()};
    const NameMatch polka = read_genre("zydeco", vocab);
    CHECK(polka.length == 0);
    CHECK(polka.names.empty());
    CHECK(polka.unknown_length == 1);
    CHECK(polka.read_as == "zydeco");
    // The longest reading the mirror has wins over a longer one it lacks.
    const NameIndex index(vocab);
    const auto tokens = tokenize("jazz fusion");
    const NameMatch jazz = index.match(tokens, 0, NameKind::genre);
    CHECK(jazz.length == 1);
    CHECK(jazz.names == std::vector<std::string>{"Jazz"});
    CHECK(jazz.unknown_length == 0);
}
