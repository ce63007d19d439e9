// GenreTaxonomy (the tree, aliases, stop list, word list) and GenreMirror (the mirror read through it).
#include "generate/genre_taxonomy.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <boost/dll/runtime_symbol_info.hpp>
#include <yaml-cpp/yaml.h>

#include "generate/prompt_text.hpp"

namespace pmx::gen {
namespace {

// beets' tree is 5 levels deep; anything much deeper is not a genre tree.
constexpr int kMaxTreeDepth = 32;
// The engine library lies in <prefix>/lib or in a multiarch <prefix>/lib/<triplet>.
constexpr int kMaxLibDepth = 2;
// What a compound mirror genre is split at ("Jazz; Blues", "Rock, Pop", "Rock | Pop"); "/" too
// unless the whole is a genre of the tree ("Death/Doom").
constexpr std::string_view kCompoundSeparators = ";,|";
constexpr char kSlash = '/';

struct AliasRow {
    std::string_view alias;
    std::string_view node;  // a genre of the tree, as beets writes it
    bool in_names;          // also inside the mirror's longer names
};

// Reviewed by hand: spellings people and taggers use for a genre of the tree. An alias that is
// also a node's name wins over that node ("electronica" means electronic music as a whole,
// "progressive" and "hardcore" mean the rock and punk styles more often than the electronic
// ones). in_names: the alias read inside a longer mirror name still names its target
// ("Gangsta Rap", "Funk Metal"); off for words that mean other things in compounds
// ("Progressive House", "Indie Folk", "Alternative Country").
constexpr auto kAliases = std::to_array<AliasRow>({
    {"rap", "hip hop", true},
    {"hiphop", "hip hop", true},
    {"hip hop music", "hip hop", false},
    {"rnb", "rhythm and blues", true},
    {"r and b", "rhythm and blues", true},
    {"r n b", "rhythm and blues", true},
    {"rhythm n blues", "rhythm and blues", true},
    {"triphop", "trip hop", true},
    {"electronica", "electronic", true},
    {"electronic music", "electronic", false},
    {"edm", "electronic", true},
    {"dance", "electronic dance music", false},
    {"dnb", "drum and bass", true},
    {"d and b", "drum and bass", true},
    {"drum n bass", "drum and bass", true},
    {"drumnbass", "drum and bass", true},
    {"jungle", "oldschool jungle", true},
    {"prog", "progressive rock", false},
    {"prog rock", "progressive rock", true},
    {"progressive", "progressive rock", false},
    {"psych", "psychedelic rock", false},
    {"psych rock", "psychedelic rock", true},
    {"psychedelic", "psychedelic rock", false},
    {"psychedelia", "psychedelic rock", false},
    {"metal", "heavy metal", true},
    {"punk", "punk rock", true},
    {"hardcore", "hardcore punk", false},
    // "indie" is no genre of the tree: it means every genre with the word (indie rock, pop, folk).
    {"alternative", "alternative rock", false},
    {"alt rock", "alternative rock", true},
    {"alt country", "alternative country", true},
    {"rock n roll", "rock and roll", true},
    {"rocknroll", "rock and roll", true},
    {"synth pop", "synthpop", true},
    {"electro pop", "electropop", true},
    {"hardbop", "hard bop", true},
    {"bop", "bebop", false},
    {"big band", "swing", true},
    {"fusion", "jazz fusion", false},
    {"jazz funk", "jazz-funk", true},
    {"bossa", "bossa nova", false},
    {"kpop", "k-pop", true},
    {"jpop", "j-pop", true},
    {"lofi", "lo-fi", true},
    {"afrobeats", "afrobeat", true},
    {"neosoul", "neo soul", true},
    {"new age", "new-age music", true},
    {"newage", "new-age music", true},
    {"lounge", "lounge music", true},
    {"chillout", "chill out", true},
    {"latin", "caribbean and latin american", false},
    {"latin music", "caribbean and latin american", false},
    {"country and western", "country", false},
    {"folk music", "folk", false},
    {"classical music", "classical", false},
    {"shoegazer", "shoegaze", true},
    {"shoegazing", "shoegaze", true},
    {"postrock", "post-rock", true},
    {"italo", "italo disco", false},
});

// Genre names of the tree (or aliases) that are ordinary words or phrases in prompts: "music to
// chill out to", "minimal vocals", "something funky", "the other songs". Read from a prompt only
// when the mirror has a genre spelled so.
constexpr auto kNotFromPrompts = std::to_array<std::string_view>({
    "other", "mass", "son", "minimal", "funky", "humor", "lowercase", "full on", "romantic flow", "chill out",
    "background music", "beautiful music", "middle of the road", "jit", "sega", "baggy", "boogie", "axe",
    "go go", "isolationism",
});

// Genres of the tree whose words name a genre they do not belong to: rule (c) of GenreMirror
// would put lovers rock (reggae) under rock and western swing (country) under swing.
struct NotByWords {
    std::string_view genre, words;
};
constexpr auto kNotByWords = std::to_array<NotByWords>({
    {"lovers rock", "rock"},
    {"western swing", "swing"},
    {"new jack swing", "swing"},
    {"swing house", "swing"},
    {"liquid funk", "funk"},
});

// Words that name a family of genres and are no genre of the tree (lower case ASCII).
constexpr auto kFamilyWords = std::to_array<std::string_view>({"indie"});

// Genres of the tree placed under a parent most listeners would not look for them in: "blues"
// would bring contemporary R&B (SZA, Usher), "rock" indie pop. They move to the parent named.
struct Moved {
    std::string_view genre, from, to;
};
constexpr auto kMoved = std::to_array<Moved>({
    {"contemporary r and b", "blues", "rhythm and blues"},
    {"indie pop", "alternative rock", "pop"},
});

bool not_by_words(std::string_view genre, std::string_view words) {
    return std::any_of(kNotByWords.begin(), kNotByWords.end(),
                       [&](const NotByWords& row) { return row.genre == genre && row.words == words; });
}

std::string_view trim(std::string_view text) {
    constexpr std::string_view kSpace = " \t\r\n";
    const size_t first = text.find_first_not_of(kSpace);
    if (first == std::string_view::npos) return {};
    return text.substr(first, text.find_last_not_of(kSpace) - first + 1);
}

std::vector<std::string_view> split_any(std::string_view text, std::string_view separators) {
    std::vector<std::string_view> pieces;
    size_t begin = 0;
    while (true) {
        const size_t at = text.find_first_of(separators, begin);
        const std::string_view piece = trim(text.substr(begin, at == std::string_view::npos ? at : at - begin));
        if (!piece.empty()) pieces.push_back(piece);
        if (at == std::string_view::npos) break;
        begin = at + 1;
    }
    return pieces;
}

std::vector<std::string_view> split_words(std::string_view key) { return split_any(key, " "); }

bool read_file(const std::filesystem::path& path, std::string& text) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::ostringstream buffer;
    buffer << in.rdbuf();
    text = buffer.str();
    return !in.bad();
}

}  // namespace

std::string genre_key(std::string_view name) {
    std::string key;
    for (const Token& token : tokenize(name)) {
        if (!key.empty()) key += ' ';
        key += token.folded;
    }
    return key;
}

size_t edit_distance(std::string_view a, std::string_view b, size_t limit) {
    const size_t longer = std::max(a.size(), b.size()), shorter = std::min(a.size(), b.size());
    if (longer - shorter > limit) return limit + 1;
    // Three rows of the optimal-string-alignment table: i - 2, i - 1, i.
    std::vector<size_t> before(b.size() + 1), previous(b.size() + 1), current(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) previous[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        current[0] = i;
        size_t row_min = current[0];
        for (size_t j = 1; j <= b.size(); ++j) {
            const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                best = std::min(best, before[j - 2] + 1);  // two neighbours swapped
            }
            current[j] = best;
            row_min = std::min(row_min, best);
        }
        if (row_min > limit) return limit + 1;
        std::swap(before, previous);
        std::swap(previous, current);
    }
    return std::min(previous[b.size()], limit + 1);
}

// ---- GenreTaxonomy ----

std::unique_ptr<GenreTaxonomy> GenreTaxonomy::parse(std::string_view tree_yaml, std::string english_words,
                                                    std::string& error) {
    YAML::Node root;
    try {
        root = YAML::Load(std::string(tree_yaml));
    } catch (const YAML::Exception& e) {
        error = std::string("the genre tree is not valid YAML: ") + e.what();
        return nullptr;
    }
    auto taxonomy = std::unique_ptr<GenreTaxonomy>(new GenreTaxonomy());
    bool too_deep = false;
    const auto walk = [&](const auto& self, const YAML::Node& node, std::optional<NodeId> parent, int depth) -> void {
        if (depth > kMaxTreeDepth) {
            too_deep = true;
            return;
        }
        if (node.IsSequence()) {
            for (const auto& item : node) self(self, item, parent, depth);
        } else if (node.IsMap()) {
            for (const auto& entry : node) {
                if (!entry.first.IsScalar()) continue;
                const NodeId id = taxonomy->add(entry.first.Scalar(), parent);
                self(self, entry.second, id, depth + 1);
            }
        } else if (node.IsScalar()) {
            // "disco polo - euro disco": a child written one level deeper without a colon.
            const std::string& text = node.Scalar();
            std::optional<NodeId> first;
            size_t begin = 0;
            while (begin <= text.size()) {
                const size_t dash = text.find(" - ", begin);
                const std::string_view part =
                    trim(std::string_view(text).substr(begin, dash == std::string::npos ? dash : dash - begin));
                if (!part.empty()) {
                    const NodeId id = taxonomy->add(part, first ? first : parent);
                    if (!first) first = id;
                }
                if (dash == std::string::npos) break;
                begin = dash + 3;
            }
        }
    };
    walk(walk, root, std::nullopt, 0);
    if (too_deep) {
        error = "the genre tree is nested deeper than " + std::to_string(kMaxTreeDepth) + " levels";
        return nullptr;
    }
    if (taxonomy->nodes_.empty()) {
        error = "the genre tree holds no genre";
        return nullptr;
    }
    taxonomy->english_text_ = std::move(english_words);
    taxonomy->finish();
    return taxonomy;
}

std::unique_ptr<GenreTaxonomy> GenreTaxonomy::load(const std::filesystem::path& dir, std::string& error) {
    const std::filesystem::path tree_path = dir / kTreeFile;
    std::string tree, words;
    if (!read_file(tree_path, tree)) {
        error = "cannot read the genre tree " + tree_path.string();
        return nullptr;
    }
    (void)read_file(dir / kEnglishWordsFile, words);  // optional: without it no typo is read
    auto taxonomy = parse(tree, std::move(words), error);
    if (!taxonomy) error = tree_path.string() + ": " + error;
    return taxonomy;
}

GenreTaxonomy::NodeId GenreTaxonomy::add(std::string_view name, std::optional<NodeId> parent) {
    std::string key = genre_key(name);
    // A few placements of the tree that listeners do not share: the genre goes under the
    // parent they would name instead.
    if (parent) {
        for (const Moved& row : kMoved) {
            if (key != row.genre || nodes_[*parent].key != row.from) continue;
            if (const auto to = by_key_.find(std::string(row.to)); to != by_key_.end()) {
                parent = to->second;
            } else {
                parent = add(row.to, std::nullopt);
            }
        }
    }
    NodeId id = 0;
    if (const auto found = by_key_.find(key); found != by_key_.end()) {
        id = found->second;
    } else {
        id = nodes_.size();
        nodes_.push_back({std::string(name), key, {}, {}, {}});
        by_key_.emplace(std::move(key), id);
    }
    if (parent && *parent != id) {
        auto& parents = nodes_[id].parents;
        if (std::find(parents.begin(), parents.end(), *parent) == parents.end()) {
            parents.push_back(*parent);
            nodes_[*parent].children.push_back(id);
        }
    }
    return id;
}

void GenreTaxonomy::finish() {
    // Ancestors by a walk up the parents; the visited check also stops a cycle a bad file makes.
    for (NodeId id = 0; id < nodes_.size(); ++id) {
        std::vector<NodeId> found;
        std::vector<NodeId> queue = nodes_[id].parents;
        for (size_t at = 0; at < queue.size(); ++at) {
            const NodeId next = queue[at];
            if (next == id || std::find(found.begin(), found.end(), next) != found.end()) continue;
            found.push_back(next);
            for (const NodeId up : nodes_[next].parents) queue.push_back(up);
        }
        nodes_[id].ancestors = std::move(found);
    }
    for (const AliasRow& row : kAliases) {
        const auto target = find_key(genre_key(row.node));
        if (!target) continue;  // a tree without that genre: the alias has nothing to mean
        std::string key = genre_key(row.alias);
        if (alias_by_key_.contains(key)) continue;
        alias_by_key_.emplace(key, aliases_.size());
        aliases_.push_back({std::move(key), *target, row.in_names});
    }
    for (NodeId id = 0; id < nodes_.size(); ++id) {
        if (read_from_prompts(nodes_[id].key)) add_prompt_phrase(nodes_[id].key, *concept_of(nodes_[id].key));
    }
    for (const Alias& entry : aliases_) {
        if (read_from_prompts(entry.key) && !by_key_.contains(entry.key)) add_prompt_phrase(entry.key, entry.node);
    }
}

void GenreTaxonomy::add_prompt_phrase(const std::string& key, NodeId node) {
    PromptPhrase phrase{key, node, {}, {}};
    for (const std::string_view word : split_words(key)) {
        phrase.words.emplace_back(word);
        phrase.joined += word;
        if (phrase_words_.emplace(word).second) phrase_word_list_.emplace_back(word);
    }
    if (phrase.words.empty()) return;
    const size_t index = prompt_phrases_.size();
    phrases_by_first_[phrase.words.front()].push_back(index);
    phrases_by_joined_[phrase.joined].push_back(index);
    longest_phrase_ = std::max(longest_phrase_, phrase.words.size());
    prompt_phrases_.push_back(std::move(phrase));
}

const std::vector<size_t>* GenreTaxonomy::phrases_by_first(std::string_view word) const {
    const auto found = phrases_by_first_.find(word);
    return found == phrases_by_first_.end() ? nullptr : &found->second;
}

const std::vector<size_t>* GenreTaxonomy::phrases_by_joined(std::string_view joined) const {
    const auto found = phrases_by_joined_.find(joined);
    return found == phrases_by_joined_.end() ? nullptr : &found->second;
}

bool GenreTaxonomy::is_under(NodeId node, NodeId ancestor) const {
    const auto& up = nodes_[node].ancestors;
    return std::find(up.begin(), up.end(), ancestor) != up.end();
}

std::optional<GenreTaxonomy::NodeId> GenreTaxonomy::find_key(std::string_view key) const {
    const auto found = by_key_.find(key);
    if (found == by_key_.end()) return std::nullopt;
    return found->second;
}

std::optional<GenreTaxonomy::NodeId> GenreTaxonomy::node(std::string_view name) const {
    return find_key(genre_key(name));
}

const GenreTaxonomy::Alias* GenreTaxonomy::alias(std::string_view key) const {
    const auto found = alias_by_key_.find(key);
    return found == alias_by_key_.end() ? nullptr : &aliases_[found->second];
}

std::optional<GenreTaxonomy::NodeId> GenreTaxonomy::concept_of(std::string_view key) const {
    if (const Alias* entry = alias(key)) return entry->node;
    return find_key(key);
}

bool GenreTaxonomy::read_from_prompts(std::string_view key) const {
    return std::find(kNotFromPrompts.begin(), kNotFromPrompts.end(), key) == kNotFromPrompts.end();
}

bool GenreTaxonomy::is_english_word(std::string_view folded) const {
    // Views into one folded copy of the file, hashed with nodes from one pool: about 20 ms for
    // 100,000 words on the build machine, where a set of strings took 40 and sorting the views 30.
    // Read only when a prompt word looks like a typo of a genre word.
    std::call_once(english_once_, [this] {
        english_folded_ = fold_word(english_text_);  // line breaks pass through folding unchanged
        const auto words = split_any(english_folded_, "\n");
        english_words_.reserve(words.size());
        english_words_.insert(words.begin(), words.end());
    });
    return english_words_.contains(folded);
}

std::filesystem::path installed_genres_dir() {
    if (const char* env = std::getenv(GenreTaxonomy::kDirEnv); env != nullptr && *env != '\0') return env;
    std::error_code ec;
    const std::filesystem::path library = boost::dll::this_line_location(ec);
    if (ec || library.empty()) return {};
    std::filesystem::path prefix = library.parent_path();
    std::filesystem::path first_guess;
    for (int depth = 1; depth <= kMaxLibDepth; ++depth) {
        prefix = prefix.parent_path();
        const std::filesystem::path dir = prefix / PMX_GENRES_SUBDIR;
        if (first_guess.empty()) first_guess = dir;
        std::error_code exists_ec;
        if (std::filesystem::exists(dir / GenreTaxonomy::kTreeFile, exists_ec)) return dir;
    }
    return first_guess;
}

const GenreTaxonomy* installed_genre_taxonomy(std::string* error) {
    struct Loaded {
        std::unique_ptr<GenreTaxonomy> taxonomy;
        std::string error;
    };
    static const Loaded loaded = [] {
        Loaded result;
        const std::filesystem::path dir = installed_genres_dir();
        if (dir.empty()) {
            result.error = "cannot tell where the genre tree is installed; set $" + std::string(GenreTaxonomy::kDirEnv);
            return result;
        }
        result.taxonomy = GenreTaxonomy::load(dir, result.error);
        return result;
    }();
    if (!loaded.taxonomy && error != nullptr) *error = loaded.error;
    return loaded.taxonomy.get();
}

// ---- GenreMirror ----

GenreMirror::GenreMirror(const GenreTaxonomy& taxonomy, const std::vector<std::string>& genres)
    : taxonomy_(taxonomy), genres_(genres) {
    // The keys each mirror genre is read as: its whole name, or its parts when compound.
    struct Part {
        std::string key;
        std::optional<GenreTaxonomy::NodeId> node;  // the tree's genre it spells, if any
    };
    struct Reading {
        std::vector<Part> parts;
        std::string slash_whole;  // a name split at "/" only: also a concept of its own
    };
    std::vector<Reading> readings(genres_.size());
    StringSet mirror_concepts;  // the concepts of the mirror's names the tree does not know
    const auto note_spelling = [&](const Part& part, std::string_view spelling) {
        if (part.node) return;  // shown as the tree writes it
        if (!spelling_.contains(part.key)) spelling_.emplace(part.key, std::string(spelling));
        if (!mirror_concepts.contains(part.key)) mirror_concepts.emplace(part.key);
    };
    // Words that name a family of genres without being a genre of the tree: "indie" (indie
    // rock, indie pop, indie folk). A concept of the mirror when one of its genres has the word.
    for (const std::string& name : genres_) {
        const std::string key = genre_key(name);
        for (const std::string_view word : split_words(key)) {
            if (std::find(kFamilyWords.begin(), kFamilyWords.end(), word) == kFamilyWords.end()) continue;
            if (mirror_concepts.contains(word)) continue;
            mirror_concepts.emplace(word);
            std::string spelling(word);
            spelling.front() = static_cast<char>(spelling.front() - 'a' + 'A');
            spelling_.emplace(std::string(word), spelling);
            add_phrase(std::string(word), std::string(word));
        }
    }
    for (size_t g = 0; g < genres_.size(); ++g) {
        const std::string& name = genres_[g];
        Reading& reading = readings[g];
        std::string whole = genre_key(name);
        if (whole.empty()) continue;
        const bool compound = name.find_first_of(kCompoundSeparators) != std::string::npos;
        if (!compound && name.find(kSlash) == std::string::npos) {  // most names: one genre
            Part part{std::move(whole), {}};
            part.node = taxonomy_.concept_of(part.key);
            note_spelling(part, name);
            add_phrase(name, part.key);  // the mirror's own name always reads, as without a taxonomy
            reading.parts.push_back(std::move(part));
            continue;
        }
        std::vector<std::pair<std::string, std::string_view>> pieces;  // key, spelling
        for (const std::string_view segment : split_any(name, kCompoundSeparators)) {
            std::string segment_key = genre_key(segment);
            if (segment.find(kSlash) != std::string_view::npos && !taxonomy_.concept_of(segment_key)) {
                for (const std::string_view piece : split_any(segment, std::string_view(&kSlash, 1))) {
                    pieces.emplace_back(genre_key(piece), piece);
                }
            } else {
                pieces.emplace_back(std::move(segment_key), segment);
            }
        }
        if (pieces.size() <= 1) {  // "Death/Doom", or separators around one name
            Part part{std::move(whole), {}};
            part.node = taxonomy_.concept_of(part.key);
            note_spelling(part, name);
            add_phrase(name, part.key);
            reading.parts.push_back(std::move(part));
            continue;
        }
        for (auto& [key, spelling] : pieces) {
            if (key.empty()) continue;
            Part part{std::move(key), {}};
            part.node = taxonomy_.concept_of(part.key);
            note_spelling(part, spelling);
            // A part reads from prompts when it is a genre the tree knows or no English word:
            // "Chanson/Variété" gives "variete", "Death/Metal Ballads" no "death".
            const bool one_word = part.key.find(' ') == std::string::npos;
            if (part.node ||
                (taxonomy_.read_from_prompts(part.key) && !(one_word && taxonomy_.is_english_word(part.key)))) {
                add_phrase(part.key, part.key);
            }
            reading.parts.push_back(std::move(part));
        }
        if (!compound) {
            reading.slash_whole = whole;
            if (!mirror_concepts.contains(whole)) mirror_concepts.emplace(whole);
            if (!spelling_.contains(whole)) spelling_.emplace(whole, name);
            add_phrase(name, whole);
        }
    }

    for (size_t g = 0; g < genres_.size(); ++g) {
        const Reading& reading = readings[g];
        if (!reading.slash_whole.empty()) add_member(reading.slash_whole, g);
        for (const Part& part : reading.parts) {
            // (a) and (b): the concept it spells and every node above it.
            if (part.node) {
                add_member(taxonomy_.key(*part.node), g);
                for (const auto up : taxonomy_.ancestors(*part.node)) add_member(taxonomy_.key(up), g);
                if (taxonomy_.is_root(*part.node)) continue;  // a top-level genre is not another's by its words
            } else {
                add_member(part.key, g);
            }
            if (part.key.find(' ') == std::string::npos) continue;  // one word: no shorter run
            // (c): every shorter run of its words that names a concept.
            const auto words = split_words(part.key);
            for (size_t first = 0; first < words.size(); ++first) {
                for (size_t last = first + 1; last <= words.size(); ++last) {
                    if (first == 0 && last == words.size()) continue;
                    // The words are views into the key, one space apart: a run is a substring.
                    const std::string_view run(words[first].data(),
                                               static_cast<size_t>(words[last - 1].data() + words[last - 1].size() -
                                                                   words[first].data()));
                    if (not_by_words(part.key, run)) continue;
                    const GenreTaxonomy::Alias* alias = taxonomy_.alias(run);
                    if (alias != nullptr) {
                        if (alias->in_names) add_member(taxonomy_.key(alias->node), g);
                        if (alias->in_names || !taxonomy_.find_key(run)) continue;
                    }
                    if (taxonomy_.find_key(run) || mirror_concepts.contains(run)) add_member(run, g);
                }
            }
        }
    }
}

void GenreMirror::add_member(std::string_view concept_key, size_t genre) {
    auto found = members_.find(concept_key);
    if (found == members_.end()) found = members_.emplace(std::string(concept_key), std::vector<size_t>{}).first;
    auto& list = found->second;
    if (list.empty() || list.back() != genre) list.push_back(genre);
}

void GenreMirror::add_phrase(std::string text, std::string key) {
    if (key.empty()) return;  // a key phrased twice is merged by whoever indexes the phrases
    std::string concept_key = concept_of(key);
    phrases_.push_back({std::move(text), std::move(key), std::move(concept_key)});
}

std::string GenreMirror::concept_of(std::string_view key) const {
    if (const auto node = taxonomy_.concept_of(key)) return taxonomy_.key(*node);
    return std::string(key);
}

std::vector<std::string> GenreMirror::expand(std::string_view concept_key) const {
    std::vector<std::string> names;
    const auto found = members_.find(concept_key);
    if (found == members_.end()) return names;
    names.reserve(found->second.size());
    for (const size_t g : found->second) names.push_back(genres_[g]);  // indexes are unique
    return names;
}

std::string GenreMirror::display(std::string_view concept_key) const {
    if (const auto node = taxonomy_.find_key(concept_key)) return taxonomy_.name(*node);
    if (const auto found = spelling_.find(concept_key); found != spelling_.end()) return found->second;
    return std::string(concept_key);
}

}  // namespace pmx::gen
