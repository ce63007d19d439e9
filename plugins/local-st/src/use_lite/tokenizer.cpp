// The USE-lite SentencePiece tokenizer (see tokenizer.hpp for the behaviour it reproduces).
#include "use_lite/tokenizer.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

namespace pmx::localst {

namespace {

constexpr char32_t kSpace = U' ';
constexpr char32_t kWordBoundary = U'\u2581';  // SentencePiece's "▁"

std::u32string to_code_points(const icu::UnicodeString& text) {
    std::u32string out;
    out.reserve(static_cast<std::size_t>(text.length()));
    for (int32_t i = 0; i < text.length(); i = text.moveIndex32(i, 1)) {
        out.push_back(static_cast<char32_t>(text.char32At(i)));
    }
    return out;
}

icu::UnicodeString from_utf8(std::string_view utf8) {
    return icu::UnicodeString::fromUTF8(
        icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
}

// One Viterbi edge: a piece spanning symbols [start, end).
struct Candidate {
    std::size_t start;
    std::size_t end;
    std::int32_t id;
    double score;
};

}  // namespace

std::u32string nfkc_code_points(std::string_view utf8) {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(status);
    if (U_FAILURE(status) || nfkc == nullptr) {
        throw std::runtime_error(std::string("ICU NFKC is unavailable: ") + u_errorName(status));
    }
    const icu::UnicodeString normalized = nfkc->normalize(from_utf8(utf8), status);
    if (U_FAILURE(status)) {
        throw std::runtime_error(std::string("ICU NFKC failed: ") + u_errorName(status));
    }
    return to_code_points(normalized);
}

Tokenizer::Tokenizer(std::vector<Piece> pieces) : pieces_(std::move(pieces)) {
    utf16_lengths_.reserve(pieces_.size());
    for (const Piece& p : pieces_) {
        std::uint32_t units = 0;
        for (const char32_t c : p.text) units += c > 0xFFFF ? 2u : 1u;
        utf16_lengths_.push_back(units);
    }
    nodes_.emplace_back();  // root
    for (std::size_t id = kReservedPieces; id < pieces_.size(); ++id) {
        std::uint32_t node = 0;
        for (const char32_t c : pieces_[id].text) {
            const auto [it, added] =
                children_.try_emplace(edge(node, c), static_cast<std::uint32_t>(nodes_.size()));
            if (added) nodes_.emplace_back();
            node = it->second;
        }
        if (node == 0) continue;  // an empty piece is never inserted
        // A later duplicate overwrites an earlier one, as in the runtime's trie.
        nodes_[node].id = static_cast<std::int32_t>(id);
        nodes_[node].score = pieces_[id].score;
    }
}

Tokenizer Tokenizer::from_vocab_json(std::string_view json) {
    rapidjson::Document doc;
    // Full precision: scores must parse to the doubles JavaScript sees, or Viterbi ties differ.
    doc.Parse<rapidjson::kParseFullPrecisionFlag>(json.data(), json.size());
    if (doc.HasParseError()) {
        throw std::runtime_error(std::string("vocab.json: ") +
                                 rapidjson::GetParseError_En(doc.GetParseError()) +
                                 " at offset " + std::to_string(doc.GetErrorOffset()));
    }
    if (!doc.IsArray() || doc.Empty()) throw std::runtime_error("vocab.json: not a non-empty array");
    std::vector<Piece> pieces;
    pieces.reserve(doc.Size());
    for (const auto& entry : doc.GetArray()) {
        if (!entry.IsArray() || entry.Size() != 2 || !entry[0].IsString() ||
            !(entry[1].IsNumber() || entry[1].IsNull())) {
            throw std::runtime_error("vocab.json: entry " + std::to_string(pieces.size()) +
                                     " is not a [piece, score] pair");
        }
        const std::string_view text(entry[0].GetString(), entry[0].GetStringLength());
        // A few scores are null (":", "://", "▁:)"...); JavaScript adds null as 0.
        const double score = entry[1].IsNull() ? 0.0 : entry[1].GetDouble();
        pieces.push_back(Piece{to_code_points(from_utf8(text)), score});
    }
    return Tokenizer(std::move(pieces));
}

std::vector<std::int32_t> Tokenizer::encode(std::string_view utf8) const {
    std::u32string symbols = nfkc_code_points(utf8);
    if (!symbols.empty()) {
        for (char32_t& c : symbols) {
            if (c == kSpace) c = kWordBoundary;
        }
        symbols.insert(symbols.begin(), kWordBoundary);
    }
    const std::size_t n = symbols.size();

    // Every piece starting at each position, in order of start (the runtime's commonPrefixSearch).
    std::vector<Candidate> candidates;
    for (std::size_t start = 0; start < n; ++start) {
        const std::size_t before = candidates.size();
        std::uint32_t node = 0;
        for (std::size_t end = start; end < n; ++end) {
            const auto it = children_.find(edge(node, symbols[end]));
            if (it == children_.end()) break;
            node = it->second;
            if (nodes_[node].id >= 0) {
                candidates.push_back({start, end + 1, nodes_[node].id, nodes_[node].score});
            }
        }
        if (candidates.size() == before) candidates.push_back({start, start + 1, kUnknownId, 0.0});
    }

    // Group by end position, keeping start order (a stable counting sort).
    std::vector<std::size_t> first(n + 2, 0);
    for (const Candidate& c : candidates) ++first[c.end + 1];
    for (std::size_t i = 1; i < first.size(); ++i) first[i] += first[i - 1];
    std::vector<const Candidate*> by_end(candidates.size());
    {
        std::vector<std::size_t> next(first.begin(), first.end() - 1);
        for (const Candidate& c : candidates) by_end[next[c.end]++] = &c;
    }

    std::vector<double> best(n + 1, 0.0);
    std::vector<std::int32_t> words(n + 1, kUnknownId);
    for (std::size_t end = 1; end <= n; ++end) {
        for (std::size_t k = first[end]; k < first[end + 1]; ++k) {
            const Candidate& c = *by_end[k];
            const double score = c.score + best[c.start];
            // The runtime's test, verbatim: 0 means "unset", and ties go to the later piece.
            if (best[end] == 0.0 || score >= best[end]) {
                best[end] = score;
                words[end] = c.id;
            }
        }
    }

    // Back-trace from the end, stepping by each piece's UTF-16 length as the runtime does.
    std::vector<std::int32_t> reversed;
    for (std::size_t at = n; at > 0;) {
        const std::int32_t id = words[at];
        reversed.push_back(id);
        // At least 1, so a malformed vocabulary (an empty piece) cannot loop forever.
        const std::size_t step = std::max<std::size_t>(utf16_lengths_[static_cast<std::size_t>(id)], 1);
        at = step >= at ? 0 : at - step;
    }
    std::vector<std::int32_t> ids;
    ids.reserve(reversed.size());
    bool previous_unknown = false;
    for (const std::int32_t id : reversed) {
        if (!(previous_unknown && id == kUnknownId)) ids.push_back(id);
        previous_unknown = id == kUnknownId;
    }
    return {ids.rbegin(), ids.rend()};
}

}  // namespace pmx::localst
