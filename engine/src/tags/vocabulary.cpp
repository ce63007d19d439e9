// Parsing the tag vocabulary file, its word index, and mapping a model's answers through it.
#include "tags/vocabulary.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <unordered_set>

#include <yaml-cpp/yaml.h>

#include "generate/prompt_text.hpp"
#include "tags/vocabulary_data.hpp"
#include "util/hash.hpp"
#include "util/text.hpp"

namespace pmx::tags {
namespace {

// Part of every version(): bump it when term_key()/compact_key() change, since the same data
// then maps answers differently.
constexpr std::string_view kVersionSalt = "pmx-tag-vocabulary/1";
constexpr int kVersionHexDigits = 12;

// Shorter words keep a final "s" ("bus", "gas", "yes").
constexpr size_t kMinPluralLength = 3;
// "ties", "pies": shorter words ending in "ies" lose only the "s".
constexpr size_t kMinIesPluralLength = 5;

constexpr std::array<std::string_view, kFacets.size()> kSectionKeys{"moods", "environments", "instruments"};

size_t index_of(Facet facet) { return static_cast<size_t>(facet); }

// One folded word without its plural "s" (see term_key()).
std::string singular(std::string word) {
    if (word.size() < kMinPluralLength || word.back() != 's') return word;
    if (word.ends_with("ss") || word.ends_with("us") || word.ends_with("is")) return word;
    if (word.ends_with("ies") && word.size() >= kMinIesPluralLength) {
        word.resize(word.size() - 3);
        return word + "y";  // melodies
    }
    if (word.ends_with("sses") || word.ends_with("ches") || word.ends_with("shes") || word.ends_with("xes")) {
        word.resize(word.size() - 2);  // basses, beaches, boxes
        return word;
    }
    word.pop_back();
    return word;
}

std::string in_quotes(std::string_view text) { return "\"" + std::string(text) + "\""; }

std::string line_col(const YAML::Mark& mark) {
    if (mark.is_null()) return "1:1";
    return std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

// Lower-case ASCII letters and digits in words joined by single spaces or hyphens: what a JSON
// Schema enum, a prompt and a stored tag all carry unchanged.
bool valid_term(std::string_view term) {
    if (term.empty()) return false;
    auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
    if (!alnum(term.front()) || !alnum(term.back())) return false;
    for (size_t i = 0; i < term.size(); ++i) {
        const char c = term[i];
        if (alnum(c)) continue;
        if ((c == ' ' || c == '-') && alnum(term[i - 1])) continue;
        return false;
    }
    return true;
}

std::string_view trim(std::string_view text) {
    constexpr std::string_view kSpace = " \t\r\n";
    const size_t first = text.find_first_not_of(kSpace);
    if (first == std::string_view::npos) return {};
    return text.substr(first, text.find_last_not_of(kSpace) - first + 1);
}

// Reads one file into terms, synonyms and the two word indexes; the first problem ends the read.
class Parser {
public:
    // Where a key came from, for the message when another text reads the same.
    struct Origin {
        Facet facet;
        size_t term;  // index into terms[facet]
        std::string text;
        bool is_term;
        YAML::Mark mark;
    };
    using Index = std::unordered_map<std::string, Origin>;

    explicit Parser(const std::string& name) : name_(name) {}

    void parse(std::string_view yaml) {
        YAML::Node root;
        try {
            root = YAML::Load(std::string(yaml));
        } catch (const YAML::Exception& e) {
            fail(e.mark, e.msg);
        }
        const std::string shape = "the file must be a mapping with the keys moods, environments and instruments";
        if (!root.IsMap()) fail(root.Mark(), shape);
        std::array<bool, kFacets.size()> present{};
        for (const auto& entry : root) {
            const YAML::Node& key_node = entry.first;
            const std::string key = key_node.IsScalar() ? key_node.Scalar() : std::string();
            size_t section = kSectionKeys.size();
            for (size_t i = 0; i < kSectionKeys.size(); ++i) {
                if (kSectionKeys[i] == key) section = i;
            }
            if (section == kSectionKeys.size()) {
                fail(key_node.Mark(), "unknown key " + in_quotes(key) + " (known keys: moods, environments, instruments)");
            }
            if (present[section]) fail(key_node.Mark(), "duplicate key " + in_quotes(key));
            present[section] = true;
            read_section(kFacets[section], key_node, entry.second);
        }
        for (size_t i = 0; i < kSectionKeys.size(); ++i) {
            if (!present[i]) fail(root.Mark(), "the file has no " + std::string(kSectionKeys[i]) + " (" + shape + ")");
        }
    }

    std::array<std::vector<std::string>, kFacets.size()> terms;
    std::array<std::vector<std::vector<std::string>>, kFacets.size()> synonyms;  // per facet, per term
    Index by_key, by_compact;

private:
    [[noreturn]] void fail(const YAML::Mark& mark, const std::string& why) const {
        throw std::runtime_error(name_ + ":" + line_col(mark) + ": " + why);
    }

    const std::string& term_of(const Origin& origin) const { return terms[index_of(origin.facet)][origin.term]; }

    std::string describe(const Origin& origin) const {
        const std::string facet(facet_name(origin.facet));
        const std::string text = origin.is_term
                                     ? "the " + facet + " " + in_quotes(term_of(origin))
                                     : in_quotes(origin.text) + ", a synonym of the " + facet + " " + in_quotes(term_of(origin));
        return text + " (line " + line_col(origin.mark) + ")";
    }

    // Files `origin` under `key`: refused when the key already means another term, or (as
    // redundant) the same one.
    void add_key(Index& index, const std::string& key, const Origin& origin) {
        const auto [it, inserted] = index.emplace(key, origin);
        if (inserted) return;
        const Origin& before = it->second;
        const std::string reads = before.text == origin.text ? " is also " : " reads the same as ";
        const std::string what = origin.is_term ? "the term " + in_quotes(origin.text)
                                                : "the synonym " + in_quotes(origin.text) + " of " + in_quotes(term_of(origin));
        if (before.facet == origin.facet && before.term == origin.term) {
            fail(origin.mark, what + reads + describe(before) + ": list one of them");
        }
        if (origin.is_term && before.is_term && before.facet == origin.facet) {
            fail(origin.mark, "duplicate term " + in_quotes(origin.text) + " (also at line " + line_col(before.mark) + ")");
        }
        fail(origin.mark, what + reads + describe(before) + ": a word may mean one term of one facet");
    }

    void add_text(std::string_view text, const Origin& origin) {
        const std::string key = term_key(text);
        if (key.empty()) fail(origin.mark, in_quotes(text) + " has no word in it");
        add_key(by_key, key, origin);
        add_key(by_compact, compact_key(text), origin);
    }

    void read_section(Facet facet, const YAML::Node& key_node, const YAML::Node& section) {
        const std::string section_name(kSectionKeys[index_of(facet)]);
        if (!section.IsMap()) {
            fail(section.IsNull() ? key_node.Mark() : section.Mark(),
                 section_name + " must be a mapping of term to a list of synonyms");
        }
        if (section.size() == 0) fail(section.Mark(), section_name + " has no term");
        auto& facet_terms = terms[index_of(facet)];
        auto& facet_synonyms = synonyms[index_of(facet)];
        for (const auto& entry : section) {
            const YAML::Node& term_node = entry.first;
            const YAML::Node& value = entry.second;
            if (!term_node.IsScalar()) fail(term_node.Mark(), "a term of " + section_name + " must be plain text");
            const std::string term = term_node.Scalar();
            if (!valid_term(term)) {
                fail(term_node.Mark(), "the term " + in_quotes(term) +
                                           " must be lower-case ASCII letters and digits, in words joined by single "
                                           "spaces or hyphens");
            }
            facet_terms.push_back(term);
            facet_synonyms.emplace_back();
            const size_t index = facet_terms.size() - 1;
            add_text(term, Origin{facet, index, term, true, term_node.Mark()});
            if (value.IsNull()) continue;
            if (!value.IsSequence()) {
                fail(value.Mark(), "the synonyms of " + in_quotes(term) + " must be a list ([a, b] or [])");
            }
            for (const auto& synonym_node : value) {
                if (!synonym_node.IsScalar()) {
                    fail(synonym_node.Mark(), "a synonym of " + in_quotes(term) + " must be plain text");
                }
                const std::string synonym(trim(synonym_node.Scalar()));
                if (!valid_utf8(synonym)) {
                    fail(synonym_node.Mark(), "a synonym of " + in_quotes(term) + " is not valid UTF-8");
                }
                add_text(synonym, Origin{facet, index, synonym, false, synonym_node.Mark()});
                facet_synonyms.back().push_back(synonym);
            }
        }
    }

    std::string name_;
};

std::string version_of(const Vocabulary& vocabulary) {
    uint64_t hash = fnv1a(kFnvOffsetBasis, kVersionSalt);
    for (const Facet facet : kFacets) {
        hash = fnv1a(fnv1a(hash, "\n#"), facet_name(facet));
        for (const std::string& term : vocabulary.terms(facet)) {
            hash = fnv1a(fnv1a(hash, "\n"), term);
            for (const std::string& synonym : vocabulary.synonyms(facet, term)) {
                hash = fnv1a(fnv1a(hash, "\t"), synonym);
            }
        }
    }
    constexpr uint64_t kMask = (uint64_t{1} << (4 * kVersionHexDigits)) - 1;
    char text[kVersionHexDigits + 1];
    std::snprintf(text, sizeof text, "%012llx", static_cast<unsigned long long>(hash & kMask));
    return text;
}

}  // namespace

std::string_view facet_name(Facet facet) {
    switch (facet) {
        case Facet::mood: return "mood";
        case Facet::environment: return "environment";
        case Facet::instrument: return "instrument";
    }
    return "mood";
}

std::string term_key(std::string_view text) {
    std::string key;
    for (const gen::Token& token : gen::tokenize(text)) {
        if (!key.empty()) key += ' ';
        key += singular(token.folded);
    }
    return key;
}

std::string compact_key(std::string_view text) {
    std::string key = term_key(text);
    std::erase(key, ' ');
    return key;
}

const std::vector<std::string>& Vocabulary::terms(Facet facet) const {
    switch (facet) {
        case Facet::mood: return moods;
        case Facet::environment: return environments;
        case Facet::instrument: return instruments;
    }
    return moods;
}

const std::vector<std::string>& Vocabulary::synonyms(Facet facet, std::string_view term) const {
    static const std::vector<std::string> kNone;
    const auto& list = terms(facet);
    const auto& per_term = synonyms_[index_of(facet)];
    for (size_t i = 0; i < list.size() && i < per_term.size(); ++i) {
        if (list[i] == term) return per_term[i];
    }
    return kNone;
}

const Vocabulary::Target* Vocabulary::lookup(std::string_view word) const {
    // Both indexes are checked for clashes when the file is read, and a key's compact form
    // means what the key means, so the first hit is the only one.
    const std::string key = term_key(word);
    if (key.empty()) return nullptr;
    if (const auto it = by_key_.find(key); it != by_key_.end()) return &it->second;
    std::string compact = key;
    std::erase(compact, ' ');
    if (const auto it = by_compact_.find(compact); it != by_compact_.end()) return &it->second;
    return nullptr;
}

std::optional<std::string> Vocabulary::canonical(Facet facet, std::string_view word) const {
    const Target* target = lookup(word);
    if (target == nullptr || target->facet != facet) return std::nullopt;
    return terms(facet)[target->term];
}

std::optional<std::pair<Facet, std::string>> Vocabulary::find(std::string_view word) const {
    const Target* target = lookup(word);
    if (target == nullptr) return std::nullopt;
    return std::pair{target->facet, terms(target->facet)[target->term]};
}

Vocabulary parse_vocabulary(std::string_view yaml, const std::string& name) {
    Parser parser(name);
    parser.parse(yaml);
    Vocabulary vocabulary;
    vocabulary.moods = std::move(parser.terms[index_of(Facet::mood)]);
    vocabulary.environments = std::move(parser.terms[index_of(Facet::environment)]);
    vocabulary.instruments = std::move(parser.terms[index_of(Facet::instrument)]);
    vocabulary.synonyms_ = std::move(parser.synonyms);
    for (const auto& [key, origin] : parser.by_key) vocabulary.by_key_.emplace(key, Vocabulary::Target{origin.facet, origin.term});
    for (const auto& [key, origin] : parser.by_compact) vocabulary.by_compact_.emplace(key, Vocabulary::Target{origin.facet, origin.term});
    vocabulary.version_ = version_of(vocabulary);
    return vocabulary;
}

const Vocabulary& builtin_vocabulary() {
    static const Vocabulary vocabulary = parse_vocabulary(kBuiltinVocabularyYaml, kBuiltinVocabularyName);
    return vocabulary;
}

MappedTags map_tags(const Vocabulary& vocabulary, const std::vector<std::string>& moods,
                    const std::vector<std::string>& environments, const std::vector<std::string>& instruments) {
    MappedTags mapped;
    std::unordered_set<std::string> dropped_keys;
    auto map_list = [&](Facet facet, const std::vector<std::string>& words, std::vector<std::string>& out) {
        for (const std::string& word : words) {
            if (trim(word).empty()) continue;
            if (auto term = vocabulary.canonical(facet, word)) {
                if (std::find(out.begin(), out.end(), *term) == out.end()) out.push_back(std::move(*term));
                continue;
            }
            // Punctuation alone has no key: such words are told apart by their text.
            const std::string key = term_key(word);
            if (dropped_keys.insert(key.empty() ? "\x01" + word : key).second) mapped.dropped.push_back(word);
        }
    };
    map_list(Facet::mood, moods, mapped.moods);
    map_list(Facet::environment, environments, mapped.environments);
    map_list(Facet::instrument, instruments, mapped.instruments);
    return mapped;
}

}  // namespace pmx::tags
