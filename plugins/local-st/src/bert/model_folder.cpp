// Reading a model folder: only the files and keys that change what the encoder computes.
#include "bert/model_folder.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "bert/json_file.hpp"

namespace pmx::localst::bert {
namespace {

namespace fs = std::filesystem;

// The cap BERT tokenizers default to when sentence_bert_config.json sets none.
constexpr uint32_t kDefaultMaxLength = 512;
// The query instructions BGE's model cards recommend for retrieval (documents get none).
constexpr const char* kBgeEnQuery = "Represent this sentence for searching relevant passages: ";
constexpr const char* kBgeZhQuery = "为这个句子生成表示以用于检索相关文章：";

bool read_bool(const rapidjson::Document& doc, const char* key, bool fallback) {
    return doc.HasMember(key) && doc[key].IsBool() ? doc[key].GetBool() : fallback;
}

TokenizerOptions tokenizer_options(const fs::path& dir, const BertConfig& config) {
    TokenizerOptions o;
    if (fs::exists(dir / "tokenizer_config.json")) {
        const auto doc = read_json_object(dir / "tokenizer_config.json");
        o.lower_case = read_bool(doc, "do_lower_case", true);
        if (doc.HasMember("strip_accents") && doc["strip_accents"].IsBool()) o.strip_accents = doc["strip_accents"].GetBool();
        o.split_cjk = read_bool(doc, "tokenize_chinese_chars", true);
    }
    uint32_t max_len = std::min(kDefaultMaxLength, config.max_position_embeddings);
    if (fs::exists(dir / "sentence_bert_config.json")) {
        const auto doc = read_json_object(dir / "sentence_bert_config.json");
        if (doc.HasMember("max_seq_length") && doc["max_seq_length"].IsUint() && doc["max_seq_length"].GetUint() >= 2)
            max_len = std::min(doc["max_seq_length"].GetUint(), config.max_position_embeddings);
    }
    o.max_length = max_len;
    return o;
}

// Refuses pipelines with modules we would silently skip (a Dense projection, say).
void check_modules(const fs::path& dir) {
    if (!fs::exists(dir / "modules.json")) return;
    const std::string file = (dir / "modules.json").string();
    std::ifstream in(dir / "modules.json");
    std::stringstream text;
    text << in.rdbuf();
    rapidjson::Document doc;
    doc.Parse(text.str().c_str());
    if (doc.HasParseError() || !doc.IsArray()) throw std::runtime_error(file + ": expected a JSON array");
    for (const auto& m : doc.GetArray()) {
        if (!m.IsObject() || !m.HasMember("type") || !m["type"].IsString()) continue;
        const std::string type = m["type"].GetString();
        if (type.find("Transformer") == std::string::npos && type.find("Pooling") == std::string::npos &&
            type.find("Normalize") == std::string::npos)
            throw std::runtime_error(file + ": module " + type +
                                     " is not supported (only Transformer, Pooling and Normalize)");
    }
}

Pooling pooling_mode(const fs::path& dir) {
    const fs::path file = dir / "1_Pooling" / "config.json";
    if (!fs::exists(file)) return Pooling::kMean;
    const auto doc = read_json_object(file);
    const bool cls = read_bool(doc, "pooling_mode_cls_token", false);
    const bool mean = read_bool(doc, "pooling_mode_mean_tokens", false);
    for (const char* other : {"pooling_mode_max_tokens", "pooling_mode_mean_sqrt_len_tokens",
                              "pooling_mode_weightedmean_tokens", "pooling_mode_lasttoken"})
        if (read_bool(doc, other, false))
            throw std::runtime_error(file.string() + ": " + other + " is not supported (only mean or CLS pooling)");
    if (cls == mean)
        throw std::runtime_error(file.string() + ": exactly one of pooling_mode_mean_tokens and "
                                 "pooling_mode_cls_token must be true");
    return cls ? Pooling::kCls : Pooling::kMean;
}

// Prompt prefixes: the folder's own (config_sentence_transformers.json "prompts") when it
// names a query prompt; else by folder name: "e5" → "query: "/"passage: ", "bge" → BGE's
// query instruction (Chinese for "zh" models), nothing for documents; else none.
void set_prompts(ModelFolder& f) {
    const fs::path& dir = f.dir;
    const std::string& name = f.name;
    if (fs::exists(dir / "config_sentence_transformers.json")) {
        const auto doc = read_json_object(dir / "config_sentence_transformers.json");
        if (doc.HasMember("prompts") && doc["prompts"].IsObject()) {
            const auto& pr = doc["prompts"];
            const auto get = [&](const char* key) {
                return pr.HasMember(key) && pr[key].IsString() ? std::string(pr[key].GetString()) : std::string();
            };
            if (pr.HasMember("query")) {
                f.query_prefix = get("query");
                f.document_prefix = pr.HasMember("document") ? get("document") : get("passage");
                return;
            }
        }
    }
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (lower.find("e5") != std::string::npos) {
        f.query_prefix = "query: ";
        f.document_prefix = "passage: ";
    } else if (lower.find("bge") != std::string::npos) {
        f.query_prefix = lower.find("zh") != std::string::npos ? kBgeZhQuery : kBgeEnQuery;
    }
}

}  // namespace

ModelFolder read_model_folder(const fs::path& dir) {
    if (!fs::is_directory(dir)) throw std::runtime_error("model folder " + dir.string() + " does not exist");
    for (const char* need : {"config.json", "vocab.txt", "model.safetensors"})
        if (!fs::exists(dir / need))
            throw std::runtime_error("model folder " + dir.string() + " has no " + need +
                                     " (a sentence-transformers BERT model needs config.json, vocab.txt and "
                                     "model.safetensors)");
    ModelFolder f;
    f.dir = dir;
    fs::path norm = fs::absolute(dir).lexically_normal();
    if (norm.filename().empty()) norm = norm.parent_path();
    f.name = norm.filename().string();
    f.config = read_bert_config(dir / "config.json");
    check_modules(dir);
    f.vocab = WordPieceTokenizer::read_vocab(dir / "vocab.txt");
    if (f.vocab.size() > f.config.vocab_size)
        throw std::runtime_error((dir / "vocab.txt").string() + " has " + std::to_string(f.vocab.size()) +
                                 " pieces, more than config.json's vocab_size " +
                                 std::to_string(f.config.vocab_size));
    f.tokenizer = tokenizer_options(dir, f.config);
    f.pooling = pooling_mode(dir);
    set_prompts(f);
    return f;
}

}  // namespace pmx::localst::bert
