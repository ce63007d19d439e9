// What a sentence-transformers model folder declares: the BERT config, the tokenizer's
// vocabulary and options, the pooling mode and the query/document prompt prefixes.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "bert/bert_model.hpp"
#include "bert/wordpiece.hpp"

namespace pmx::localst::bert {

struct ModelFolder {
    std::filesystem::path dir;
    std::string name;  // the folder's own name, e.g. "all-MiniLM-L6-v2"
    BertConfig config;
    std::vector<std::string> vocab;
    TokenizerOptions tokenizer;
    Pooling pooling = Pooling::kMean;
    std::string query_prefix;
    std::string document_prefix;
};

// Reads config.json, vocab.txt and the optional tokenizer_config.json,
// sentence_bert_config.json, modules.json, 1_Pooling/config.json and
// config_sentence_transformers.json. Throws std::runtime_error naming the file at fault.
ModelFolder read_model_folder(const std::filesystem::path& dir);

}  // namespace pmx::localst::bert
