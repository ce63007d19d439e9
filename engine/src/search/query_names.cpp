// Reading a search query for names: the prompt parser's NameIndex over the mirror's names.
#include "search/query_names.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "generate/prompt_names.hpp"
#include "generate/prompt_text.hpp"

namespace pmx {
namespace {

constexpr size_t kShownAlongside = 3;  // other names listed by describe_name()

// Words a query uses around what it looks for (folded). A name made of them only (the band "A",
// the album "Music", the artist "The The") is read only when it is the whole query: in "jazz
// for a rainy day" or "jazz music" they are not names.
constexpr std::array<std::string_view, 32> kQueryWords{
    "a",   "an",   "the",  "of",    "in",    "on",   "at",     "by",    "for",   "from", "to",
    "and", "or",   "with", "i",     "me",    "my",   "it",     "is",    "no",    "not",  "so",
    "up",  "this", "that", "music", "songs", "song", "tracks", "track", "tunes", "mix",
};

bool only_query_words(const std::vector<gen::Token>& tokens, size_t at, size_t length) {
    for (size_t i = at; i < at + length; ++i) {
        if (std::find(kQueryWords.begin(), kQueryWords.end(), tokens[i].folded) == kQueryWords.end()) return false;
    }
    return true;
}

// A text's words folded and written together: "AC/DC" and "ac dc" both give "acdc".
std::string folded_key(std::string_view text) {
    std::string key;
    for (const gen::Token& token : gen::tokenize(text)) key += token.folded;
    return key;
}

// The text of tokens[at, at + length) as typed.
std::string typed(std::string_view query, const std::vector<gen::Token>& tokens, size_t at, size_t length) {
    const char* begin = tokens[at].text.data();
    const char* end = tokens[at + length - 1].text.data() + tokens[at + length - 1].text.size();
    return std::string(query.substr(static_cast<size_t>(begin - query.data()), static_cast<size_t>(end - begin)));
}

// An album match keeps only the titles the words spell with their leading "The": NameIndex
// lets "beatles" name "The Beatles", right for artists, too loose for titles ("wall" is not
// "The Wall").
void drop_skipped_article(gen::NameMatch& match, const gen::Token& first) {
    if (first.folded == "the") return;
    std::erase_if(match.names, [](const std::string& title) {
        const auto tokens = gen::tokenize(title);
        return !tokens.empty() && tokens.front().folded == "the";
    });
    if (match.names.empty()) match.length = 0;
}

}  // namespace

std::vector<QueryName> read_query_names(std::string_view query, const NameVocabulary& vocab) {
    std::vector<QueryName> found;
    const auto tokens = gen::tokenize(query);
    if (tokens.empty()) return found;
    const gen::NameIndex names(gen::Vocabulary{vocab.genres, vocab.artists});
    // Albums in the artists' table of a second index: the genre table would give titles the
    // genres' synonyms, plurals and subgenres.
    const gen::NameIndex albums(gen::Vocabulary{{}, vocab.albums});

    for (size_t at = 0; at < tokens.size();) {
        std::array<std::pair<NameField, gen::NameMatch>, 3> matches{{
            {NameField::genre, names.match(tokens, at, gen::NameKind::genre)},
            {NameField::artist, names.match(tokens, at, gen::NameKind::artist)},
            {NameField::album, albums.match(tokens, at, gen::NameKind::artist)},
        }};
        drop_skipped_article(matches[2].second, tokens[at]);
        const auto* best = &matches[0];
        for (const auto& candidate : matches) {
            if (candidate.second.length > best->second.length) best = &candidate;  // strictly: order breaks ties
        }
        const size_t length = best->second.length;
        if (length == 0 || (length < tokens.size() && only_query_words(tokens, at, length))) {
            ++at;
            continue;
        }
        QueryName name;
        name.field = best->first;
        name.words = typed(query, tokens, at, length);
        name.names = best->second.names;
        const std::string key = folded_key(name.words);
        const auto exact = std::find_if(name.names.begin(), name.names.end(),
                                        [&](const std::string& n) { return folded_key(n) == key; });
        name.name = exact != name.names.end() ? *exact : name.names.front();
        const bool seen = std::any_of(found.begin(), found.end(), [&](const QueryName& other) {
            return other.field == name.field && other.names == name.names;
        });
        if (!seen) found.push_back(std::move(name));
        at += length;
    }
    return found;
}

std::string_view field_name(NameField field) {
    switch (field) {
        case NameField::genre:
            return "genre";
        case NameField::artist:
            return "artist";
        case NameField::album:
            return "album";
    }
    return "name";
}

std::string describe_name(const QueryName& name) {
    std::string text = std::string(field_name(name.field)) + " " + name.name;
    std::vector<std::string_view> others;
    for (const auto& n : name.names) {
        if (n != name.name) others.push_back(n);
    }
    if (others.empty()) return text;
    text += " (with ";
    for (size_t i = 0; i < others.size() && i < kShownAlongside; ++i) {
        if (i > 0) text += ", ";
        text += others[i];
    }
    if (others.size() > kShownAlongside) text += ", +" + std::to_string(others.size() - kShownAlongside) + " more";
    text += ")";
    return text;
}

std::string describe_names(const std::vector<QueryName>& names) {
    std::string text;
    for (const auto& name : names) {
        if (!text.empty()) text += " \u00b7 ";
        text += describe_name(name);
    }
    return text;
}

}  // namespace pmx
