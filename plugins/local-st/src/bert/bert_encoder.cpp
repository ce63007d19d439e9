// load_bert: a model folder's tokenizer, BERT model, pooling and prompt prefixes as an Encoder.
#include <stdexcept>

#include "bert/bert_model.hpp"
#include "bert/model_folder.hpp"
#include "bert/wordpiece.hpp"
#include "encoder.hpp"

namespace pmx::localst {
namespace {

using bert::BertModel;
using bert::ModelFolder;
using bert::Pooling;
using bert::WordPieceTokenizer;

class BertEncoder final : public Encoder {
public:
    BertEncoder(const ModelFolder& folder, WordPieceTokenizer tokenizer, BertModel model)
        : id_("st:" + folder.name),
          tokenizer_(std::move(tokenizer)),
          model_(std::move(model)),
          pooling_(folder.pooling),
          query_prefix_(folder.query_prefix),
          document_prefix_(folder.document_prefix) {}

    uint32_t dim() const override { return model_.config().hidden_size; }
    const std::string& model_id() const override { return id_; }

    void encode(const std::vector<std::string_view>& texts, bool query, float* out) override {
        const std::string& prefix = query ? query_prefix_ : document_prefix_;
        std::vector<std::vector<int32_t>> seqs;
        seqs.reserve(texts.size());
        std::string text;
        for (const std::string_view t : texts) {
            text.assign(prefix).append(t);
            seqs.push_back(tokenizer_.encode(text));
        }
        model_.embed(seqs, pooling_, out);
    }

private:
    std::string id_;
    WordPieceTokenizer tokenizer_;
    BertModel model_;
    Pooling pooling_;
    std::string query_prefix_;
    std::string document_prefix_;
};

}  // namespace

std::unique_ptr<Encoder> load_bert(const std::filesystem::path& dir) {
    const ModelFolder folder = bert::read_model_folder(dir);
    WordPieceTokenizer tokenizer(folder.vocab, folder.tokenizer);
    BertModel model(folder.config, dir / "model.safetensors");
    return std::make_unique<BertEncoder>(folder, std::move(tokenizer), std::move(model));
}

}  // namespace pmx::localst
