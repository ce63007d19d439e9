// fold_word() and tokenize(): what the prompt parser compares, and where it splits.
#include <catch2/catch.hpp>

#include "generate/prompt_text.hpp"

using namespace pmx::gen;

namespace {

std::vector<std::string> folded(std::string_view text) {
    std::vector<std::string> words;
    for (const Token& token : tokenize(text)) words.push_back(token.folded);
    return words;
}

}  // namespace

TEST_CASE("fold_word folds case and Latin accents and drops apostrophes", "[generate][text]") {
    CHECK(fold_word("Beyonc\u00e9") == "beyonce");
    CHECK(fold_word("BJ\u00d6RK") == "bjork");
    CHECK(fold_word("Sigur R\u00f3s") == "sigur ros");
    CHECK(fold_word("\u00c6ther") == "aether");
    CHECK(fold_word("Stra\u00dfe") == "strasse");
    CHECK(fold_word("\u0141\u00f3d\u017a") == "lodz");       // Latin Extended-A
    CHECK(fold_word("\u015ei\u0219") == "sis");              // Ş (Extended-A), ș (Romanian comma below)
    CHECK(fold_word("Don\u2019t") == "dont");
    CHECK(fold_word("90's") == "90s");
}

TEST_CASE("fold_word passes other scripts, symbols and invalid UTF-8 through unchanged", "[generate][text]") {
    CHECK(fold_word("\u5b87\u591a\u7530\u30d2\u30ab\u30eb") == "\u5b87\u591a\u7530\u30d2\u30ab\u30eb");
    CHECK(fold_word("\u039c\u03bf\u03c5\u03c3\u03b9\u03ba\u03ae") == "\u039c\u03bf\u03c5\u03c3\u03b9\u03ba\u03ae");  // no Greek case folding
    CHECK(fold_word("2\u00d73") == "2\u00d73");  // × is not a letter
    const std::string invalid = "ab\xff\xc3";
    CHECK(fold_word(invalid) == invalid);
}

TEST_CASE("tokenize splits on punctuation and keeps numbers, contractions and decades whole", "[generate][text]") {
    CHECK(folded("Hip-Hop, R&B") == std::vector<std::string>{"hip", "hop", "r", "and", "b"});
    CHECK(folded("4.5 stars") == std::vector<std::string>{"4.5", "stars"});
    CHECK(folded("'90s \u201crock 'n' roll\u201d") == std::vector<std::string>{"90s", "rock", "n", "roll"});
    CHECK(folded("don't stop") == std::vector<std::string>{"dont", "stop"});
    CHECK(folded("4\u2605") == std::vector<std::string>{"4", "star"});
    CHECK(folded("R.E.M.") == std::vector<std::string>{"r", "e", "m"});
    CHECK(folded("  ") .empty());
}

TEST_CASE("tokenize records clause breaks, dashes and plus signs between words", "[generate][text]") {
    const auto tokens = tokenize("jazz, 1975\u20131982 4+ stars \u2014 calm");
    REQUIRE(tokens.size() == 6);
    CHECK(tokens[0].text == "jazz");
    CHECK(tokens[1].gap.clause);
    CHECK(tokens[2].gap.dash);
    CHECK_FALSE(tokens[2].gap.clause);
    CHECK(tokens[4].gap.plus);
    CHECK(tokens[5].gap.clause);  // an em dash starts a clause
    CHECK(tokenize("'90s")[0].text == "90s");  // outer apostrophes trimmed from the typed text
}
