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

NameIndex::NameIndex(const Vocabulary& vocab) {
    for (const auto& genre : vocab.genres) add(genres_, tokenize(genre), 0, genre, false);
    add_synonyms();
    for (const auto& artist : vocab.artists) {
        const auto tokens = tokenize(artist);
        add(artists_, tokens, 0, artist, false);
        // "The Beatles" also as "Beatles"; never "The The" as "The".
        if (tokens.size() >= 2 && tokens[0].folded == "the") add(artists_, tokens, 1, artist, false);
    }
}

void NameIndex::add(Table& table, const std::vector<Token>& tokens, size_t skip, const std::string& name,
                    bool synonym) {
    if (tokens.size() <= skip) return;
    std::vector<std::string> words;
    std::vector<bool> breaks;
    for (size_t i = skip; i < tokens.size(); ++i) {
        words.push_back(tokens[i].folded);
        if (i > skip) breaks.push_back(tokens[i].gap.clause);
    }
    const std::string key = join_words(words, " ");
    if (const auto found = table.by_key.find(key); found != table.by_key.end()) {
        append_unique(table.entries[found->second].names, name);
        return;
    }
    const size_t index = table.entries.size();
    Entry entry{words, breaks, join_words(words, ""), {name}, synonym};
    table.by_first[entry.words.front()].push_back(index);
    table.by_joined[entry.joined].push_back(index);
    table.by_key.emplace(key, index);
    table.entries.push_back(std::move(entry));
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

// Tokens used when `entry` matches word by word at tokens[at]; 0 when it does not.
size_t NameIndex::match_words(const Entry& entry, const std::vector<Token>& tokens, size_t at, bool plural) {
    if (at + entry.words.size() > tokens.size()) return 0;
    for (size_t w = 0; w < entry.words.size(); ++w) {
        const Token& token = tokens[at + w];
        if (w > 0 && token.gap.clause && !entry.breaks[w - 1]) return 0;
        const bool last = w + 1 == entry.words.size();
        if (token.folded != entry.words[w] && !(plural && last && ends_with_plural(token.folded, entry.words[w]))) {
            return 0;
        }
    }
    return entry.words.size();
}

NameMatch NameIndex::match(const std::vector<Token>& tokens, size_t at, NameKind kind) const {
    if (at >= tokens.size()) return {};
    const Table& table = kind == NameKind::genre ? genres_ : artists_;
    const bool plural = kind == NameKind::genre;
    // Longest wins; a name of the mirror beats a synonym of the same length; equals add up
    // ("hip-hop" is both "Hip-Hop" word by word and "hiphop" written together).
    NameMatch best;
    bool best_is_synonym = false;
    const auto consider = [&](const Entry& entry, size_t length) {
        if (length == 0 || length < best.length) return;
        if (length == best.length && entry.synonym && !best_is_synonym) return;
        if (length > best.length || (best_is_synonym && !entry.synonym)) {
            best = {length, {}};
            best_is_synonym = entry.synonym;
        }
        for (const auto& name : entry.names) append_unique(best.names, name);
    };

    std::vector<std::string> firsts{tokens[at].folded};
    if (plural && tokens[at].folded.size() > kPluralSuffix && tokens[at].folded.back() == 's') {
        firsts.push_back(tokens[at].folded.substr(0, tokens[at].folded.size() - kPluralSuffix));
    }
    for (const auto& first : firsts) {
        const auto found = table.by_first.find(first);
        if (found == table.by_first.end()) continue;
        for (const size_t index : found->second) {
            consider(table.entries[index], match_words(table.entries[index], tokens, at, plural));
        }
    }

    std::string joined;
    for (size_t length = 1; length <= kMaxJoinedSpan && at + length <= tokens.size(); ++length) {
        const Token& token = tokens[at + length - 1];
        if (length > 1 && token.gap.clause) break;
        joined += token.folded;
        std::vector<std::string> keys{joined};
        if (plural && joined.size() > kPluralSuffix && joined.back() == 's') {
            keys.push_back(joined.substr(0, joined.size() - kPluralSuffix));
        }
        for (const auto& key : keys) {
            const auto found = table.by_joined.find(key);
            if (found == table.by_joined.end()) continue;
            for (const size_t index : found->second) consider(table.entries[index], length);
        }
    }
    return best;
}

std::vector<std::string> NameIndex::resolve(std::string_view text, NameKind kind) const {
    const auto tokens = tokenize(text);
    if (tokens.empty()) return {};
    NameMatch found = match(tokens, 0, kind);
    if (found.length != tokens.size()) return {};
    return std::move(found.names);
}

}  // namespace pmx::gen
