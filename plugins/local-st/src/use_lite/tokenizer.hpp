// The SentencePiece unigram tokenizer of Universal Sentence Encoder lite, ported from the
// JavaScript runtime that ships with the model (@energetic-ai/embeddings 0.2.0, tokenizer.ts).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace pmx::localst {

struct Piece {
    std::u32string text;  // code points
    double score = 0.0;   // log probability
};

// Reproduces the runtime's ids exactly, quirks included (they are what the model was fed):
//  - NFKC, no lowercasing; when non-empty, "▁" is prepended and every U+0020 becomes "▁";
//  - the first kReservedPieces pieces (unk, <s>, </s>, extra ids) are never matched;
//  - at a position where no piece starts, one code point becomes the unknown id 0;
//  - Viterbi keeps the last candidate on ties and treats a best score of exactly 0 as unset;
//  - the back-trace steps back by each piece's UTF-16 length;
//  - runs of unknown ids collapse into one.
class Tokenizer {
public:
    static constexpr std::size_t kReservedPieces = 6;
    static constexpr std::int32_t kUnknownId = 0;

    explicit Tokenizer(std::vector<Piece> pieces);

    // Reads vocab.json: an array of [piece, score] pairs, the index is the id.
    static Tokenizer from_vocab_json(std::string_view json);

    // Every id of `utf8` (the model keeps the first 128). Invalid UTF-8 becomes U+FFFD.
    std::vector<std::int32_t> encode(std::string_view utf8) const;

    std::size_t size() const { return pieces_.size(); }
    const Piece& piece(std::size_t id) const { return pieces_[id]; }

private:
    struct Node {
        std::int32_t id = -1;  // the piece ending here, or -1
        double score = 0.0;
    };
    static std::uint64_t edge(std::uint32_t node, char32_t c) {
        return (std::uint64_t{node} << 32) | std::uint64_t{c};
    }

    std::vector<Piece> pieces_;
    std::vector<std::uint32_t> utf16_lengths_;  // per id, for the back-trace
    std::vector<Node> nodes_;                   // trie; node 0 is the root
    std::unordered_map<std::uint64_t, std::uint32_t> children_;  // (node, code point) -> node
};

// NFKC of UTF-8 text, as code points (ICU). Invalid UTF-8 becomes U+FFFD.
std::u32string nfkc_code_points(std::string_view utf8);

}  // namespace pmx::localst
