// Faithful to Hugging Face's BertTokenizer / BertTokenizerFast for the cases that matter;
// known differences: no NFC pass (the fast tokenizer has none either), Greek capital sigma
// always lowercases to σ, and special tokens written inside the text are split like words.
#include "bert/wordpiece.hpp"

#include <fstream>
#include <stdexcept>

#include "bert/unicode.hpp"

namespace pmx::localst::bert {
namespace {

// Longer words become [UNK] whole (max_input_chars_per_word).
constexpr size_t kMaxCharsPerWord = 100;

}  // namespace

std::vector<std::string> WordPieceTokenizer::read_vocab(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + file.string());
    std::vector<std::string> vocab;
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        vocab.push_back(std::move(line));
    }
    if (vocab.empty()) throw std::runtime_error(file.string() + " is empty");
    return vocab;
}

WordPieceTokenizer::WordPieceTokenizer(const std::vector<std::string>& vocab, const TokenizerOptions& options)
    : options_(options), vocab_size_(vocab.size()) {
    if (options_.max_length < 2) throw std::runtime_error("the maximum sequence length must be at least 2");
    ids_.reserve(vocab.size());
    // A repeated piece keeps its last id, as Hugging Face's load_vocab does.
    for (size_t i = 0; i < vocab.size(); ++i) ids_[vocab[i]] = static_cast<int32_t>(i);
    const auto special = [&](const char* name) {
        const auto it = ids_.find(name);
        if (it == ids_.end()) throw std::runtime_error(std::string("vocab.txt has no ") + name + " token");
        return it->second;
    };
    pad_ = special("[PAD]");
    unk_ = special("[UNK]");
    cls_ = special("[CLS]");
    sep_ = special("[SEP]");
}

std::vector<std::string> WordPieceTokenizer::basic_tokenize(std::string_view text) const {
    const bool strip = options_.strip_accents.value_or(options_.lower_case);
    std::vector<std::string> words;
    std::u32string word;   // the current whitespace-separated word, cleaned
    std::u32string piece;  // after lowercasing / stripping
    std::u32string tmp;
    const auto flush_piece = [&](std::u32string& cps) {
        if (cps.empty()) return;
        std::string utf8;
        for (const char32_t c : cps) append_utf8(c, utf8);
        words.push_back(std::move(utf8));
        cps.clear();
    };
    const auto flush_word = [&] {
        if (word.empty()) return;
        piece.clear();
        if (options_.lower_case) {
            for (const char32_t c : word) append_lower(c, piece);
        } else {
            piece = word;
        }
        if (strip) {
            tmp.clear();
            for (const char32_t c : piece) append_stripped(c, tmp);
            piece.swap(tmp);
        }
        // Punctuation splits the word: each punctuation mark is a word of its own.
        std::u32string run;
        for (const char32_t c : piece) {
            if (char_class(c) == CharClass::kPunct) {
                flush_piece(run);
                std::u32string one(1, c);
                flush_piece(one);
            } else {
                run.push_back(c);
            }
        }
        flush_piece(run);
        word.clear();
    };
    for (const char32_t c : decode_utf8(text)) {
        if (c == 0 || c == 0xFFFD) continue;
        const CharClass cls = char_class(c);
        if (cls == CharClass::kControl) continue;
        if (cls == CharClass::kSpace) {
            flush_word();
        } else if (options_.split_cjk && is_cjk_ideograph(c)) {
            flush_word();
            word.push_back(c);
            flush_word();
        } else {
            word.push_back(c);
        }
    }
    flush_word();
    return words;
}

void WordPieceTokenizer::wordpiece(const std::string& word, size_t chars, std::vector<int32_t>& out) const {
    if (chars > kMaxCharsPerWord) {
        out.push_back(unk_);
        return;
    }
    // Byte offsets of the code point boundaries, so candidates never cut a character.
    std::vector<size_t> bounds;
    for (size_t i = 0; i < word.size(); ++i)
        if ((static_cast<unsigned char>(word[i]) & 0xC0) != 0x80) bounds.push_back(i);
    bounds.push_back(word.size());
    const size_t mark = out.size();
    std::string candidate;
    size_t start = 0;
    while (start + 1 < bounds.size()) {
        size_t end = bounds.size() - 1;
        int32_t found = -1;
        for (; end > start; --end) {
            candidate.assign(start > 0 ? "##" : "");
            candidate.append(word, bounds[start], bounds[end] - bounds[start]);
            const auto it = ids_.find(candidate);
            if (it != ids_.end()) {
                found = it->second;
                break;
            }
        }
        if (found < 0) {
            // One unmatched remainder makes the whole word unknown.
            out.resize(mark);
            out.push_back(unk_);
            return;
        }
        out.push_back(found);
        start = end;
    }
}

std::vector<int32_t> WordPieceTokenizer::encode(std::string_view text) const {
    std::vector<int32_t> ids{cls_};
    const size_t limit = options_.max_length - 1;  // room left for [SEP]
    for (const std::string& word : basic_tokenize(text)) {
        if (ids.size() >= limit) break;
        size_t chars = 0;
        for (const char c : word) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
        wordpiece(word, chars, ids);
    }
    if (ids.size() > limit) ids.resize(limit);
    ids.push_back(sep_);
    return ids;
}

}  // namespace pmx::localst::bert
