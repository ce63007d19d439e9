// The genre taxonomy: beets' genre tree with aliases, and the mirror's genres read through it.
#pragma once

#include <filesystem>
#include <memory>
#include <memory_resource>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace pmx::gen {

// Hashing for maps keyed by std::string that are searched with a std::string_view.
struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};
template <typename T>
using StringMap = std::unordered_map<std::string, T, StringHash, std::equal_to<>>;
using StringSet = std::unordered_set<std::string, StringHash, std::equal_to<>>;

// A genre name as the taxonomy compares it: tokenize() + fold_word() (prompt_text.hpp), words
// joined by single spaces ("Hip-Hop" → "hip hop", "R&B" → "r and b", "Coupé-Décalé" → "coupe decale").
std::string genre_key(std::string_view name);

// Optimal-string-alignment distance (Levenshtein plus the swap of two neighbours), in bytes.
// Stops counting past `limit` and returns limit + 1 then.
size_t edit_distance(std::string_view a, std::string_view b, size_t limit);

// beets' genre tree (its lastgenre plugin's genres-tree.yaml, genres from Wikipedia; Debian's
// `beets` package, MIT/Expat), a reviewed table of aliases (prog → progressive rock, rnb → rhythm
// and blues) and an English word list. Read once per process; immutable after that, so one
// instance may serve any number of threads.
//
// The tree is a directed acyclic graph over folded names: a genre named twice (beets lists
// "industrial metal" under industrial and under heavy metal) is one node with two parents.
class GenreTaxonomy {
public:
    using NodeId = size_t;

    // The files under a genres folder (share/plexmix/genres, built or installed).
    static constexpr const char* kTreeFile = "genres-tree.yaml";
    static constexpr const char* kEnglishWordsFile = "english-words";
    // Overrides where the installed files are looked for (tests, unusual installs).
    static constexpr const char* kDirEnv = "PLEXMIX_GENRES_DIR";

    // Reads a tree shaped like beets' genres-tree.yaml: a list whose items are a genre name or a
    // map of one name to the list of its subgenres. A plain item "a - b" (beets writes "disco
    // polo" with "euro disco" indented under it, which YAML folds into one scalar) is a and its
    // child b. `english_words` is a word list, one a line (empty: typos are never read).
    // Returns null and sets `error` when the YAML does not parse or has no genre.
    static std::unique_ptr<GenreTaxonomy> parse(std::string_view tree_yaml, std::string english_words,
                                                std::string& error);
    // parse() of dir/genres-tree.yaml and dir/english-words (the latter optional).
    static std::unique_ptr<GenreTaxonomy> load(const std::filesystem::path& dir, std::string& error);

    size_t size() const { return nodes_.size(); }
    const std::string& name(NodeId node) const { return nodes_[node].name; }  // as the tree writes it
    const std::string& key(NodeId node) const { return nodes_[node].key; }    // genre_key(name)
    const std::vector<NodeId>& parents(NodeId node) const { return nodes_[node].parents; }
    const std::vector<NodeId>& children(NodeId node) const { return nodes_[node].children; }
    // Every node above `node`, each once (parents first).
    const std::vector<NodeId>& ancestors(NodeId node) const { return nodes_[node].ancestors; }
    bool is_root(NodeId node) const { return nodes_[node].parents.empty(); }
    // `node` lies below `ancestor` (not equal).
    bool is_under(NodeId node, NodeId ancestor) const;

    // The node a name spells (any spelling with the same genre_key); aliases not included.
    std::optional<NodeId> node(std::string_view name) const;
    // The node of a folded key (genre_key), aliases not included.
    std::optional<NodeId> find_key(std::string_view key) const;
    // The node a folded key means: an alias's target first, else the node of that key.
    std::optional<NodeId> concept_of(std::string_view key) const;

    struct Alias {
        std::string key;  // folded
        NodeId node;
        bool in_names;    // also read inside the mirror's longer names ("Gangsta Rap" holds "rap")
    };
    const std::vector<Alias>& aliases() const { return aliases_; }
    const Alias* alias(std::string_view key) const;  // null: no alias of that folded key

    // False for the keys of nodes and aliases that are ordinary words in prompts ("other",
    // "mass", "minimal", "chill out", "background music"): a prompt names those genres only when
    // the mirror has a genre spelled so.
    bool read_from_prompts(std::string_view key) const;

    // The phrases a prompt may name a tree genre with: the keys of the nodes and aliases that
    // read_from_prompts(), each with the node it means (an alias wins over a node of its name).
    // Indexed once here, so that a parse only indexes the mirror's own names.
    struct PromptPhrase {
        std::string key;
        NodeId node;
        std::vector<std::string> words;  // the key's words
        std::string joined;              // the words written together ("hiphop")
    };
    const std::vector<PromptPhrase>& prompt_phrases() const { return prompt_phrases_; }
    // Indexes into prompt_phrases() by first word and by joined form; null when none.
    const std::vector<size_t>* phrases_by_first(std::string_view word) const;
    const std::vector<size_t>* phrases_by_joined(std::string_view joined) const;
    // The words of those phrases, each once (in a set and in a list), and the most any has.
    const StringSet& phrase_words() const { return phrase_words_; }
    const std::vector<std::string>& phrase_word_list() const { return phrase_word_list_; }
    size_t longest_phrase() const { return longest_phrase_; }

    // The English word list holds this folded word. The list is read on first use.
    bool is_english_word(std::string_view folded) const;
    bool has_english_words() const { return !english_text_.empty(); }

private:
    struct Node {
        std::string name, key;
        std::vector<NodeId> parents, children, ancestors;
    };

    NodeId add(std::string_view name, std::optional<NodeId> parent);
    void finish();
    void add_prompt_phrase(const std::string& key, NodeId node);

    std::vector<Node> nodes_;
    StringMap<NodeId> by_key_;
    std::vector<Alias> aliases_;
    StringMap<size_t> alias_by_key_;
    std::vector<PromptPhrase> prompt_phrases_;
    StringMap<std::vector<size_t>> phrases_by_first_, phrases_by_joined_;
    StringSet phrase_words_;
    std::vector<std::string> phrase_word_list_;
    size_t longest_phrase_ = 0;
    std::string english_text_;
    mutable std::once_flag english_once_;
    mutable std::string english_folded_;  // the words folded, one a line
    mutable std::pmr::monotonic_buffer_resource english_pool_;
    mutable std::pmr::unordered_set<std::string_view> english_words_{&english_pool_};  // views into it
};

// The installed taxonomy, read once per process: from $PLEXMIX_GENRES_DIR, else from
// share/plexmix/genres next to the engine library (<prefix>/lib or a multiarch
// <prefix>/lib/<triplet>; the build tree has the same layout). Null when it cannot be read;
// `error` (when given) then says why. Thread-safe.
const GenreTaxonomy* installed_genre_taxonomy(std::string* error = nullptr);
// Where installed_genre_taxonomy() looks (the folder; it may not exist).
std::filesystem::path installed_genres_dir();

// The mirror's genre names read through a taxonomy, for one parse (about 1.5 ms for 1,000 of
// beets' own names on the 2-core build machine; a NameIndex over it about 3 ms, against 1 ms
// without a taxonomy). A genre concept is a tree node (named by its key, or an alias of it) or, when
// the mirror has a genre the tree does not know, that genre's key. A concept means the mirror
// genres that
//   (a) spell it (same key, or an alias of it),
//   (b) spell a node below it in the tree, or an alias of such a node,
//   (c) hold its words as a whole word sequence ("Vocal Jazz", "Rock & Roll" for rock; never
//       "Rockabilly", which the tree puts under country) — except a top-level genre of the tree,
//       which never counts under another by its words ("Rhythm and Blues" is not blues), and a
//       few reviewed genres whose words mislead ("Lovers Rock" is reggae, "Western Swing" country).
// A compound mirror genre ("Rock/Pop", "Jazz; Blues") counts for each part; one split at "/"
// only when the whole is not itself a genre the tree knows ("Death/Doom" is).
class GenreMirror {
public:
    GenreMirror(const GenreTaxonomy& taxonomy, const std::vector<std::string>& genres);

    // A phrase of the mirror's own a prompt may name a genre with: a mirror name, a part of a
    // compound one (GenreTaxonomy::prompt_phrases() has the tree's).
    struct Phrase {
        std::string text;         // to tokenize: a mirror name as written (its clause breaks count), else a key
        std::string key;          // genre_key(text)
        std::string concept_key;  // the concept's key
    };
    const std::vector<Phrase>& phrases() const { return phrases_; }

    // The concept a folded key names: an alias's or a node's key, else the key itself.
    std::string concept_of(std::string_view key) const;
    // The mirror genres a concept (a key from concept_of) means, in the mirror's order.
    std::vector<std::string> expand(std::string_view concept_key) const;
    // How to show a concept: the tree's name of a node, else the first mirror name of that key.
    std::string display(std::string_view concept_key) const;

    const GenreTaxonomy& taxonomy() const { return taxonomy_; }

private:
    void add_member(std::string_view concept_key, size_t genre);
    void add_phrase(std::string text, std::string key);

    const GenreTaxonomy& taxonomy_;
    std::vector<std::string> genres_;
    StringMap<std::vector<size_t>> members_;  // concept → mirror indexes, ascending
    StringMap<std::string> spelling_;         // key → first mirror spelling
    std::vector<Phrase> phrases_;
};

}  // namespace pmx::gen
