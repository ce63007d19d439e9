// read_tag_words() and excluded_tag_words(): the tag vocabulary's words in a prompt.
#include "generate/prompt_tags.hpp"

#include <algorithm>
#include <span>

#include "generate/prompt_text.hpp"
#include "tags/vocabulary.hpp"

namespace pmx::gen {
namespace {

constexpr size_t kMaxPhraseWords = 3;  // the vocabulary's longest terms ("late night drive")

constexpr std::string_view kOnlyBefore[]{"only", "purely", "exclusively", "solely"};
constexpr std::string_view kOnlyAfter[]{"only", "exclusively"};
constexpr std::string_view kNegationWords[]{"no", "not", "without", "non", "zero", "minus", "nothing", "never",
                                            "free", "dont"};
// Words a negated list may hold besides its items: "without any vocals or drums", "no heavy ...".
constexpr std::string_view kListFiller[]{"a", "an", "the", "any", "or", "and", "nor", "with", "some", "much",
                                         "please", "pls", "thanks", "at", "all"};

bool in(std::string_view word, std::span<const std::string_view> list) {
    return std::find(list.begin(), list.end(), word) != list.end();
}

std::string words_of(const std::vector<Token>& tokens, size_t begin, size_t count) {
    std::string phrase;
    for (size_t k = begin; k < begin + count; ++k) {
        if (k > begin) phrase += ' ';
        phrase += tokens[k].folded;
    }
    return phrase;
}

// The words as typed (tokens view the prompt).
std::string typed(const std::vector<Token>& tokens, size_t begin, size_t count) {
    const char* first = tokens[begin].text.data();
    const char* last = tokens[begin + count - 1].text.data() + tokens[begin + count - 1].text.size();
    return std::string(first, static_cast<size_t>(last - first));
}

// The longest vocabulary phrase at `i` (its word count, 0 when none), with what it means.
size_t match_at(const std::vector<Token>& tokens, size_t i, std::pair<tags::Facet, std::string>* found) {
    const tags::Vocabulary& vocabulary = tags::builtin_vocabulary();
    for (size_t n = std::min(kMaxPhraseWords, tokens.size() - i); n > 0; --n) {
        // A phrase stays within a clause: "calm, piano" is two words.
        bool one_clause = true;
        for (size_t k = i + 1; k < i + n; ++k) one_clause = one_clause && !tokens[k].gap.clause;
        if (!one_clause) continue;
        if (auto hit = vocabulary.find(words_of(tokens, i, n))) {
            *found = std::move(*hit);
            return n;
        }
    }
    return 0;
}

void add(std::vector<TagWord>& list, TagWord tag) {
    const auto same = std::find_if(list.begin(), list.end(), [&](const TagWord& t) {
        return t.facet == tag.facet && t.term == tag.term;
    });
    if (same == list.end()) {
        list.push_back(std::move(tag));
    } else if (same->use == TagWord::Use::rank) {
        same->use = tag.use;  // "piano, only piano": the stronger reading
    }
}

}  // namespace

void read_tag_words(std::string_view prompt, const std::vector<bool>& free, PlaylistRequest& request) {
    const std::vector<Token> tokens = tokenize(prompt);
    const auto is_free = [&](size_t k) { return k < free.size() && free[k]; };
    for (size_t i = 0; i < tokens.size();) {
        std::pair<tags::Facet, std::string> found;
        const size_t n = match_at(tokens, i, &found);
        if (n == 0) {
            ++i;
            continue;
        }
        // Negated words were read by the parser (excluded_tag_words), names are names.
        const bool negated = i > 0 && !tokens[i].gap.clause &&
                             (in(tokens[i - 1].folded, kNegationWords) ||
                              (i > 1 && in(tokens[i - 1].folded, kListFiller) && in(tokens[i - 2].folded, kNegationWords)));
        const bool free_suffix = i + n < tokens.size() && tokens[i + n].folded == "free" && tokens[i + n].gap.dash;
        const bool excluded = std::any_of(request.tags.begin(), request.tags.end(), [&](const TagWord& t) {
            return t.use == TagWord::Use::exclude && t.term == found.second;
        });
        bool taken = false;  // by a reader: a genre ("heavy metal"), an artist, a negated phrase
        for (size_t k = i; k < i + n; ++k) taken = taken || !is_free(k);
        if (negated || free_suffix || excluded || taken) {
            i += n;
            continue;
        }
        // "just" reads as "only" before an instrument ("just piano"), not a mood ("just chill").
        const bool just = i > 0 && !tokens[i].gap.clause && tokens[i - 1].folded == "just" &&
                          found.first == tags::Facet::instrument;
        const bool only = just || (i > 0 && !tokens[i].gap.clause && in(tokens[i - 1].folded, kOnlyBefore)) ||
                          (i + n < tokens.size() && !tokens[i + n].gap.clause && in(tokens[i + n].folded, kOnlyAfter));
        add(request.tags, TagWord{typed(tokens, i, n), std::string(tags::facet_name(found.first)), found.second,
                                  only ? TagWord::Use::only : TagWord::Use::rank});
        i += n;
    }
}

std::vector<TagWord> excluded_tag_words(std::string_view phrase) {
    const std::vector<Token> tokens = tokenize(phrase);
    std::vector<TagWord> out;
    bool any_negation = false;
    for (size_t i = 0; i < tokens.size();) {
        if (in(tokens[i].folded, kNegationWords)) {
            any_negation = true;
            ++i;
            continue;
        }
        if (in(tokens[i].folded, kListFiller)) {
            ++i;
            continue;
        }
        std::pair<tags::Facet, std::string> found;
        const size_t n = match_at(tokens, i, &found);
        if (n == 0) return {};  // a word that is no tag: the phrase stays a note
        add(out, TagWord{typed(tokens, i, n), std::string(tags::facet_name(found.first)), found.second,
                         TagWord::Use::exclude});
        i += n;
    }
    // "vocal-free" has its negation after the word; a phrase without any is not a negation.
    if (!any_negation) return {};
    return out;
}

std::string describe(const TagWord& tag) {
    const std::string shown = tag.word == tag.term ? tag.term : tag.word + " → " + tag.term;
    switch (tag.use) {
        case TagWord::Use::only: return "only: " + shown;
        case TagWord::Use::exclude: return "not: " + shown;
        case TagWord::Use::rank: break;
    }
    return shown;
}

}  // namespace pmx::gen
