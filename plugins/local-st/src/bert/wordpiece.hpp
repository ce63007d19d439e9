// BERT's tokenizer as Hugging Face's BertTokenizer does it: the basic tokenizer (clean text,
// CJK ideographs split, optional lowercasing and accent stripping, punctuation split), then
// greedy longest-match WordPiece with "##" continuations, wrapped in [CLS] … [SEP].
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace pmx::localst::bert {

struct TokenizerOptions {
    bool lower_case = true;
    std::optional<bool> strip_accents;  // unset: follow lower_case, as Hugging Face does
    bool split_cjk = true;              // tokenize_chinese_chars
    size_t max_length = 512;            // tokens including [CLS] and [SEP]
};

class WordPieceTokenizer {
public:
    // `vocab` is vocab.txt's lines: the id of a piece is its line number. Throws
    // std::runtime_error when [PAD], [UNK], [CLS] or [SEP] is missing.
    WordPieceTokenizer(const std::vector<std::string>& vocab, const TokenizerOptions& options);

    // Reads vocab.txt (one piece a line).
    static std::vector<std::string> read_vocab(const std::filesystem::path& file);

    // [CLS] pieces… [SEP], the pieces truncated so the whole fits max_length.
    std::vector<int32_t> encode(std::string_view text) const;

    // The basic tokenizer's words, before WordPiece (exposed for tests).
    std::vector<std::string> basic_tokenize(std::string_view text) const;

    size_t vocab_size() const { return vocab_size_; }
    int32_t pad_id() const { return pad_; }

private:
    void wordpiece(const std::string& word, size_t chars, std::vector<int32_t>& out) const;

    TokenizerOptions options_;
    std::unordered_map<std::string, int32_t> ids_;
    size_t vocab_size_ = 0;
    int32_t pad_ = 0, unk_ = 0, cls_ = 0, sep_ = 0;
};

}  // namespace pmx::localst::bert
