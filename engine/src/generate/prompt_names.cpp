// NameIndex: the mirror's names by first word and by joined form, and the genre synonyms.
#include "generate/prompt_names.hpp"

#include <algorithm>
#include <array>
#include <initializer_list>

namespace pmx::gen {
namespace {

constexpr size_t kPluralSuffix = 1;  // the trailing "s"

// A word as the prompt may write it → the genres it may mean, all folded. Used only when the
// word is not a genre in the mirror itself, and only for the genres the mirror has.
struct Synonym {
    std::string_view alias;
    std::initializer_list<std::string_view> genres;
};

const std::array<Synonym, 15> kSynonyms{{
    {"rap", {"hip hop"}},
    {"hip hop", {"rap"}},
    {"rnb", {"r and b", "rhythm and blues"}},
    {"r n b", {"r and b", "rhythm and blues"}},
    {"r and b", {"rhythm and blues"}},
    {"rhythm and blues", {"r and b"}},
    {"electronica", {"electronic"}},
    {"electronic", {"electronica"}},
    {"edm", {"electronic", "electronica", "dance"}},
    {"rock n roll", {"rock and roll"}},
    {"rock and roll", {"rock n roll"}},
    {"heavy metal", {"metal"}},
    {"alt rock", {"alternative rock", "alternative"}},
    {"drum n bass", {"drum and bass"}},
    {"ost", {"soundtrack"}},
}};

std::string join_words(const std::vector<std::string>& words, std::string_view separator) {
    std::string text;
    for (const auto& word : words) {
        if (!text.empty()) text += separator;
        text += word;
    }
    return text;
}

bool ends_with_plural(std::string_view word, std::string_view singular) {
    return word.size() == singular.size() + kPluralSuffix && word.starts_with(singular) && word.back() == 's';
}

void append_unique(std::vector<std::string>& names, const std::string& name) {
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
}

}  // namespace

NameIndex::NameIndex(const Vocabulary& vocab) : taxonomy_(vocab.taxonomy) {
    if (taxonomy_ != nullptr) {
        add_taxonomy_genres(vocab);
    } else {
        for (const auto& genre : vocab.genres) add(genres_, tokenize(genre), 0, genre, false);
        add_synonyms();
    }
    for (const auto& artist : vocab.artists) {
        const auto tokens = tokenize(artist);
        add(artists_, tokens, 0, artist, false);
        // "The Beatles" also as "Beatles"; never "The The" as "The".
        if (tokens.size() >= 2 && tokens[0].folded == "the") add(artists_, tokens, 1, artist, false);
        if (taxonomy_ != nullptr) {
            for (const Token& token : tokens) known_words_.insert(token.folded);
        }
    }
}

void NameIndex::add_taxonomy_genres(const Vocabulary& vocab) {
    mirror_ = std::make_unique<GenreMirror>(*taxonomy_, vocab.genres);
    longest_genre_ = taxonomy_->longest_phrase();
    for (const GenreMirror::Phrase& phrase : mirror_->phrases()) {
        std::vector<std::string> words;
        std::vector<bool> breaks;
        if (phrase.text == phrase.key) {  // a key: folded words, one space apart
            size_t begin = 0;
            while (begin <= phrase.key.size()) {
                const size_t space = std::min(phrase.key.find(' ', begin), phrase.key.size());
                words.emplace_back(phrase.key.substr(begin, space - begin));
                if (words.size() > 1) breaks.push_back(false);
                begin = space + 1;
            }
        } else {  // a mirror name as written: its clause breaks count
            const auto tokens = tokenize(phrase.text);
            for (size_t i = 0; i < tokens.size(); ++i) {
                words.push_back(tokens[i].folded);
                if (i > 0) breaks.push_back(tokens[i].gap.clause);
            }
        }
        if (words.empty()) continue;
        const size_t before = genres_.entries.size();
        const size_t index = add_words(genres_, std::move(words), std::move(breaks), std::string(), false);
        if (index < before) continue;  // two spellings of one key: the first reading stays
        Entry& entry = genres_.entries[index];
        entry.concept_key = phrase.concept_key;  // its names are looked up when it matches
        longest_genre_ = std::max(longest_genre_, entry.words.size());
        for (const auto& word : entry.words) {
            if (!taxonomy_->phrase_words().contains(word) && known_words_.insert(word).second) {
                fuzzy_targets_.push_back(word);
            }
        }
    }
}

// What a word of the prompt reads as through a typo: the one phrase word within the allowed
// edits, when the word itself is not known or English (see the header).
std::optional<std::string> NameIndex::correction(const std::string& folded) const {
    if (taxonomy_ == nullptr || !taxonomy_->has_english_words() || folded.size() < kMinFuzzyLetters) return {};
    if (known_words_.contains(folded) || taxonomy_->phrase_words().contains(folded)) return {};
    if (std::any_of(folded.begin(), folded.end(), [](char c) { return c >= '0' && c <= '9'; })) return {};
    const size_t limit = folded.size() >= kTwoEditLetters ? 2 : 1;
    const std::string* best = nullptr;
    size_t best_distance = limit + 1;
    bool tied = false;
    for (const auto* targets : {&taxonomy_->phrase_word_list(), &fuzzy_targets_}) {
        for (const auto& target : *targets) {
            const size_t distance = edit_distance(folded, target, limit);
            if (distance > limit) continue;
            if (distance < best_distance) {
                best = &target;
                best_distance = distance;
                tied = false;
            } else if (distance == best_distance) {
                tied = true;  // the targets are distinct words (the lists share none): two equally near
            }
        }
    }
    if (best == nullptr || tied) return {};
    if (taxonomy_->is_english_word(folded)) return {};  // last: the word list is read on first use
    return *best;
}

size_t NameIndex::add(Table& table, const std::vector<Token>& tokens, size_t skip, const std::string& name,
                      bool synonym) {
    if (tokens.size() <= skip) return 0;
    std::vector<std::string> words;
    std::vector<bool> breaks;
    for (size_t i = skip; i < tokens.size(); ++i) {
        words.push_back(tokens[i].folded);
        if (i > skip) breaks.push_back(tokens[i].gap.clause);
    }
    return add_words(table, std::move(words), std::move(breaks), name, synonym);
}

size_t NameIndex::add_words(Table& table, std::vector<std::string> words, std::vector<bool> breaks,
                            const std::string& name, bool synonym) {
    std::string key = join_words(words, " ");
    if (const auto found = table.by_key.find(key); found != table.by_key.end()) {
        if (!name.empty()) append_unique(table.entries[found->second].names, name);
        return found->second;
    }
    const size_t index = table.entries.size();
    Entry entry{std::move(words), std::move(breaks), {}, {}, synonym, {}};
    entry.joined = join_words(entry.words, "");
    if (!name.empty()) entry.names.push_back(name);
    table.by_first[entry.words.front()].push_back(index);
    table.by_joined[entry.joined].push_back(index);
    table.by_key.emplace(std::move(key), index);
    table.entries.push_back(std::move(entry));
    return index;
}

void NameIndex::add_synonyms() {
    for (const Synonym& synonym : kSynonyms) {
        if (genres_.by_key.contains(std::string(synonym.alias))) continue;  // the mirror's own genre wins
        std::vector<std::string> names;
        for (const std::string_view genre : synonym.genres) {
            const auto found = genres_.by_key.find(std::string(genre));
            if (found == genres_.by_key.end() || genres_.entries[found->second].synonym) continue;
            for (const auto& name : genres_.entries[found->second].names) append_unique(names, name);
        }
        const auto alias_tokens = tokenize(synonym.alias);
        for (const auto& name : names) add(genres_, alias_tokens, 0, name, true);
    }
}

size_t NameIndex::match_words(const std::vector<std::string>& words, const std::vector<bool>* breaks,
                              const std::vector<Token>& tokens, size_t at, bool plural,
                              const std::vector<std::optional<std::string>>* corrections, bool& fuzzy) {
    fuzzy = false;
    if (at + words.size() > tokens.size()) return 0;
    for (size_t w = 0; w < words.size(); ++w) {
        const Token& token = tokens[at + w];
        if (w > 0 && token.gap.clause && (breaks == nullptr || !(*breaks)[w - 1])) return 0;
        const bool last = w + 1 == words.size();
        if (token.folded == words[w] || (plural && last && ends_with_plural(token.folded, words[w]))) continue;
        if (corrections != nullptr && w < corrections->size() && (*corrections)[w] == words[w]) {
            fuzzy = true;
            continue;
        }
        return 0;
    }
    return words.size();
}

NameMatch NameIndex::match(const std::vector<Token>& tokens, size_t at, NameKind kind) const {
    if (at >= tokens.size()) return {};
    const Table& table = kind == NameKind::genre ? genres_ : artists_;
    const bool plural = kind == NameKind::genre;
    const bool taxonomy = kind == NameKind::genre && taxonomy_ != nullptr;
    // Longest wins; a name of the mirror beats a synonym of the same length; equals add up
    // ("hip-hop" is both "Hip-Hop" word by word and "hiphop" written together). With a
    // taxonomy, a genre the mirror lacks and a fuzzy reading lose to others of the same length.
    NameMatch best, unknown;
    bool best_is_synonym = false;
    const auto consider_names = [&](const std::vector<std::string>& names, const std::string& read_as, bool synonym,
                                    size_t length, bool fuzzy) {
        if (length == 0) return;
        if (taxonomy && names.empty()) {
            if (length > unknown.unknown_length || (length == unknown.unknown_length && unknown.fuzzy && !fuzzy)) {
                unknown = {0, {}, read_as, fuzzy, length};
            }
            return;
        }
        if (length < best.length) return;
        if (length == best.length && synonym && !best_is_synonym) return;
        if (length == best.length && fuzzy && !best.fuzzy) return;
        if (length > best.length || (best_is_synonym && !synonym) || (best.fuzzy && !fuzzy)) {
            best = {length, {}, read_as, fuzzy, 0};
            best_is_synonym = synonym;
        }
        for (const auto& name : names) append_unique(best.names, name);
    };
    const auto consider = [&](const Entry& entry, size_t length, bool fuzzy) {
        if (length == 0) return;
        if (!taxonomy) {
            consider_names(entry.names, {}, entry.synonym, length, fuzzy);
            return;
        }
        consider_names(mirror_->expand(entry.concept_key), mirror_->display(entry.concept_key), false, length, fuzzy);
    };
    // A genre of the tree (GenreTaxonomy's own index): its names are the mirror's for its concept.
    const auto consider_tree = [&](size_t phrase_index, size_t length, bool fuzzy) {
        if (length == 0) return;
        const auto& phrase = taxonomy_->prompt_phrases()[phrase_index];
        consider_names(mirror_->expand(taxonomy_->key(phrase.node)), taxonomy_->name(phrase.node), false, length,
                       fuzzy);
    };

    // Typo readings of the tokens a genre phrase may span, computed once per call.
    std::vector<std::optional<std::string>> corrections;
    if (taxonomy) {
        for (size_t i = at; i < tokens.size() && i < at + longest_genre_; ++i) {
            if (i > at && tokens[i].gap.clause) break;
            corrections.push_back(correction(tokens[i].folded));
        }
    }

    std::vector<std::string> firsts{tokens[at].folded};
    if (plural && tokens[at].folded.size() > kPluralSuffix && tokens[at].folded.back() == 's') {
        firsts.push_back(tokens[at].folded.substr(0, tokens[at].folded.size() - kPluralSuffix));
    }
    if (!corrections.empty() && corrections.front()) firsts.push_back(*corrections.front());
    for (const auto& first : firsts) {
        const auto found = table.by_first.find(first);
        if (found == table.by_first.end()) continue;
        for (const size_t index : found->second) {
            const Entry& entry = table.entries[index];
            bool fuzzy = false;
            const size_t length = match_words(entry.words, &entry.breaks, tokens, at, plural,
                                              taxonomy ? &corrections : nullptr, fuzzy);
            consider(entry, length, fuzzy);
        }
    }
    if (taxonomy) {
        for (const auto& first : firsts) {
            const auto* found = taxonomy_->phrases_by_first(first);
            if (found == nullptr) continue;
            for (const size_t index : *found) {
                bool fuzzy = false;
                const auto& words = taxonomy_->prompt_phrases()[index].words;
                const size_t length = match_words(words, nullptr, tokens, at, plural, &corrections, fuzzy);
                consider_tree(index, length, fuzzy);
            }
        }
    }

    std::string joined, spaced;
    for (size_t length = 1; length <= kMaxJoinedSpan && at + length <= tokens.size(); ++length) {
        const Token& token = tokens[at + length - 1];
        if (length > 1 && token.gap.clause) break;
        joined += token.folded;
        spaced += (length > 1 ? " " : "") + token.folded;
        // "chill out" is not "chillout" when the spaced words are an ordinary phrase.
        if (taxonomy && !taxonomy_->read_from_prompts(spaced)) continue;
        std::vector<std::string> keys{joined};
        if (plural && joined.size() > kPluralSuffix && joined.back() == 's') {
            keys.push_back(joined.substr(0, joined.size() - kPluralSuffix));
        }
        for (const auto& key : keys) {
            if (const auto found = table.by_joined.find(key); found != table.by_joined.end()) {
                for (const size_t index : found->second) consider(table.entries[index], length, false);
            }
            if (!taxonomy) continue;
            if (const auto* found = taxonomy_->phrases_by_joined(key)) {
                for (const size_t index : *found) consider_tree(index, length, false);
            }
        }
    }
    if (best.length == 0) return unknown;
    return best;
}

NameMatch NameIndex::read(std::string_view text, NameKind kind) const {
    const auto tokens = tokenize(text);
    if (tokens.empty()) return {};
    NameMatch found = match(tokens, 0, kind);
    if (found.length != tokens.size() && found.unknown_length != tokens.size()) return {};
    return found;
}

std::vector<std::string> NameIndex::resolve(std::string_view text, NameKind kind) const {
    NameMatch found = read(text, kind);
    if (found.length == 0) return {};
    return std::move(found.names);
}

std::vector<std::string> exact_genres(const Vocabulary& vocab, std::string_view text) {
    for (const auto& name : vocab.genres) {
        if (name == text) return {name};
    }
    const std::string wanted = genre_key(text);
    std::vector<std::string> names;
    if (wanted.empty()) return names;
    for (const auto& name : vocab.genres) {
        if (genre_key(name) == wanted) append_unique(names, name);
    }
    return names;
}

}  // namespace pmx::gen
