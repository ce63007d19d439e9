// The BERT encoder of local-st against an independent numpy reference (make_tiny_bert.py:
// its own tokenizer and forward pass) on tiny random models generated at test time, and the
// loader's error paths.
#include <rapidjson/document.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bert/model_folder.hpp"
#include "bert/safetensors.hpp"
#include "bert/unicode.hpp"
#include "bert/wordpiece.hpp"
#include "encoder.hpp"
#include "support/test_util.hpp"

namespace {

namespace fs = std::filesystem;
using pmx::localst::load_bert;
using pmx::localst::bert::read_model_folder;
using pmx::localst::bert::SafeTensors;
using pmx::localst::bert::WordPieceTokenizer;
using pmx::test::error_text;
using pmx::test::TempDir;

// The Unicode version unicode_data.inc was generated from; the comparisons of character
// data need the reference's Python to use the same one. data/ keeps the reference's digest of
// that version (make_tiny_bert.py --unicode-digest, Python 3.11's unicodedata 14.0.0), so the
// tables are compared with it whatever Python runs the tests.
constexpr const char* kTablesUnicodeVersion = "14.0.0";
const fs::path kFrozenDigest = fs::path(PMX_BERT_DATA) / "unicode_digest_14.0.0.json";
constexpr double kMinCosine = 0.9999;

// Catch2 v2 has no SKIP: a test that cannot run prints this and returns, and ctest reports it
// as Skipped (SKIP_REGULAR_EXPRESSION in CMakeLists.txt), the reason in its output.
void skip(const std::string& reason) { std::cout << "PMX_TEST_SKIPPED: " << reason << std::endl; }

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

void spit(const fs::path& p, const std::string& text) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << text;
}

// The models and expected.json, generated once per test process (removed at exit).
struct Reference {
    TempDir dir;
    rapidjson::Document expected;
    bool ready = false;
};

const Reference& reference() {
    static Reference r;
    if (!r.ready) {
        const std::string cmd = std::string("'") + PMX_BERT_PYTHON + "' '" + PMX_BERT_SCRIPT + "' '" +
                                r.dir.path().string() + "'";
        INFO("running " << cmd << " (needs python3 with numpy: Debian's python3-numpy)");
        REQUIRE(std::system(cmd.c_str()) == 0);
        const std::string text = slurp(r.dir / "expected.json");
        r.expected.Parse(text.c_str());
        REQUIRE_FALSE(r.expected.HasParseError());
        r.ready = true;
    }
    return r;
}

const rapidjson::Value& model_cases(const std::string& dir) {
    for (const auto& m : reference().expected["models"].GetArray())
        if (dir == m["dir"].GetString()) return m["cases"];
    FAIL("no reference for " << dir);
    throw std::logic_error("unreachable");
}

std::vector<std::string> strings(const rapidjson::Value& a) {
    std::vector<std::string> out;
    for (const auto& v : a.GetArray()) out.emplace_back(v.GetString(), v.GetStringLength());
    return out;
}

struct Agreement {
    double min_cosine = 1.0;
    double max_abs_diff = 0.0;
};

void compare(const float* got, const rapidjson::Value& want, size_t dim, Agreement& a) {
    REQUIRE(want.Size() == dim);
    double dot = 0, ng = 0, nw = 0;
    for (size_t i = 0; i < dim; ++i) {
        const double w = want[static_cast<rapidjson::SizeType>(i)].GetDouble();
        dot += got[i] * w;
        ng += got[i] * static_cast<double>(got[i]);
        nw += w * w;
        a.max_abs_diff = std::max(a.max_abs_diff, std::abs(got[i] - w));
    }
    const double cosine = dot / std::sqrt(ng * nw);
    a.min_cosine = std::min(a.min_cosine, cosine);
    CHECK(cosine >= kMinCosine);
    CHECK(std::abs(std::sqrt(ng) - 1.0) < 1e-4);  // L2-normalised
}

// A copy of the reference's tiny-bert folder to damage.
fs::path copy_model(const TempDir& tmp, const std::string& from = "tiny-bert") {
    const fs::path dst = tmp / from;
    fs::copy(reference().dir / from, dst, fs::copy_options::recursive);
    return dst;
}

void replace_in(const fs::path& file, const std::string& from, const std::string& to) {
    std::string text = slurp(file);
    const size_t at = text.find(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), to);
    spit(file, text);
}

// A safetensors file from a header and raw data, as the format lays them out.
void write_safetensors(const fs::path& p, const std::string& header, const std::string& data) {
    std::string out(8, '\0');
    uint64_t n = header.size();
    for (int i = 0; i < 8; ++i, n >>= 8) out[static_cast<size_t>(i)] = static_cast<char>(n & 0xFF);
    spit(p, out + header + data);
}

}  // namespace

TEST_CASE("token ids match the reference tokenizer", "[bert][tokenizer]") {
    for (const char* dir : {"tiny-bert", "tiny-bert-cased", "tiny-cls"}) {
        const auto folder = read_model_folder(reference().dir / dir);
        const WordPieceTokenizer tok(folder.vocab, folder.tokenizer);
        for (const auto& c : model_cases(dir).GetArray()) {
            const std::string text(c["text"].GetString(), c["text"].GetStringLength());
            INFO(dir << ": " << text);
            CHECK(tok.basic_tokenize(text) == strings(c["words"]));
            std::vector<int32_t> want;
            for (const auto& id : c["ids"].GetArray()) want.push_back(id.GetInt());
            CHECK(tok.encode(text) == want);
        }
    }
}

// zlib's CRC-32, to compare blocks of the character tables with Python's digest.
uint32_t crc32(const std::string& s) {
    uint32_t c = 0xFFFFFFFFu;
    for (const char ch : s) {
        c ^= static_cast<unsigned char>(ch);
        for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return ~c;
}

// "cp class lower… |stripped…;" for every code point of block `b` (4096 code points), as
// make_tiny_bert.py's char_digest_line() writes them, CRC-32'ed.
std::string block_digest(rapidjson::SizeType b) {
    namespace u = pmx::localst::bert;
    char buf[32];
    std::string lines;
    for (char32_t cp = b * 4096u; cp < (b + 1) * 4096u; ++cp) {
        if (cp >= 0xD800 && cp <= 0xDFFF) continue;
        std::u32string lower, stripped;
        u::append_lower(cp, lower);
        u::append_stripped(cp, stripped);
        std::snprintf(buf, sizeof buf, "%X %d ", static_cast<unsigned>(cp), static_cast<int>(u::char_class(cp)));
        lines += buf;
        for (size_t i = 0; i < lower.size(); ++i) {
            std::snprintf(buf, sizeof buf, i ? " %X" : "%X", static_cast<unsigned>(lower[i]));
            lines += buf;
        }
        lines += " |";
        for (const char32_t c : stripped) {
            std::snprintf(buf, sizeof buf, " %X", static_cast<unsigned>(c));
            lines += buf;
        }
        lines += ";";
    }
    std::snprintf(buf, sizeof buf, "%08x", crc32(lines));
    return buf;
}

rapidjson::Document parse_digest(const fs::path& file) {
    rapidjson::Document d;
    const std::string text = slurp(file);
    d.Parse(text.c_str());
    REQUIRE_FALSE(d.HasParseError());
    REQUIRE(d["blocks"].Size() == 0x110000 / 4096);
    return d;
}

TEST_CASE("character tables match unicodedata for every code point", "[bert][unicode]") {
    const rapidjson::Document d = parse_digest(kFrozenDigest);
    REQUIRE(std::string(d["unidata_version"].GetString()) == kTablesUnicodeVersion);
    const auto& blocks = d["blocks"];
    for (rapidjson::SizeType b = 0; b < blocks.Size(); ++b) {
        INFO("code points U+" << std::hex << b * 4096u << "..U+" << (b + 1) * 4096u - 1);
        CHECK(block_digest(b) == blocks[b].GetString());
    }
}

TEST_CASE("the frozen Unicode digest is what the reference computes", "[bert][unicode]") {
    TempDir tmp;
    const std::string cmd = std::string("'") + PMX_BERT_PYTHON + "' '" + PMX_BERT_SCRIPT + "' --unicode-digest '" +
                            (tmp / "digest.json").string() + "'";
    REQUIRE(std::system(cmd.c_str()) == 0);
    const rapidjson::Document live = parse_digest(tmp / "digest.json");
    if (std::string(live["unidata_version"].GetString()) != kTablesUnicodeVersion) {
        skip(std::string("the reference's Python uses Unicode ") + live["unidata_version"].GetString() +
             ", the frozen digest " + kTablesUnicodeVersion + ": they cannot be compared");
        return;
    }
    const rapidjson::Document frozen = parse_digest(kFrozenDigest);
    for (rapidjson::SizeType b = 0; b < frozen["blocks"].Size(); ++b) {
        INFO("block " << b);
        CHECK(std::string(live["blocks"][b].GetString()) == frozen["blocks"][b].GetString());
    }
}

TEST_CASE("basic tokenizer matches the reference on random Unicode strings", "[bert][tokenizer]") {
    const auto& e = reference().expected;
    if (std::string(e["unidata_version"].GetString()) != kTablesUnicodeVersion) {
        skip(std::string("the reference's Python uses Unicode ") + e["unidata_version"].GetString() +
             ", the tables " + kTablesUnicodeVersion + ": its tokenizer cannot be compared");
        return;
    }
    const auto folder = read_model_folder(reference().dir / "tiny-bert");
    auto cased_options = folder.tokenizer;
    cased_options.lower_case = false;
    const WordPieceTokenizer uncased(folder.vocab, folder.tokenizer);
    const WordPieceTokenizer cased(folder.vocab, cased_options);
    size_t n = 0;
    for (const auto& c : e["fuzz"].GetArray()) {
        const std::string text(c["text"].GetString(), c["text"].GetStringLength());
        INFO("case " << n++ << ": " << text);
        CHECK(uncased.basic_tokenize(text) == strings(c["uncased"]));
        CHECK(cased.basic_tokenize(text) == strings(c["cased"]));
    }
    CHECK(n >= 300);
}

TEST_CASE("vectors match the reference forward pass", "[bert][model]") {
    Agreement all;
    for (const char* dir : {"tiny-bert", "tiny-bert-cased", "tiny-half", "tiny-cls"}) {
        const auto encoder = load_bert(reference().dir / dir);
        REQUIRE(encoder->dim() == 32);
        CHECK(encoder->model_id() == std::string("st:") + dir);
        const auto& cases = model_cases(dir);
        std::vector<std::string> texts;
        for (const auto& c : cases.GetArray()) texts.emplace_back(c["text"].GetString(), c["text"].GetStringLength());
        const std::vector<std::string_view> views(texts.begin(), texts.end());
        // All texts in one call (one packed batch) …
        std::vector<float> batch(texts.size() * 32);
        encoder->encode(views, false, batch.data());
        Agreement a;
        for (size_t i = 0; i < texts.size(); ++i) {
            INFO(dir << ": " << texts[i]);
            compare(batch.data() + i * 32, cases[static_cast<rapidjson::SizeType>(i)]["vector"], 32, a);
        }
        // … and one at a time give the same vectors.
        for (size_t i = 0; i < texts.size(); ++i) {
            std::vector<float> one(32);
            encoder->encode({views[i]}, false, one.data());
            for (size_t k = 0; k < 32; ++k) CHECK(std::abs(one[k] - batch[i * 32 + k]) < 1e-5f);
        }
        std::printf("test_bert: %s: %zu texts, min cosine %.9f, max abs diff %.3g\n", dir, texts.size(),
                    a.min_cosine, a.max_abs_diff);
        all.min_cosine = std::min(all.min_cosine, a.min_cosine);
        all.max_abs_diff = std::max(all.max_abs_diff, a.max_abs_diff);
    }
    std::printf("test_bert: all models: min cosine %.9f, max abs diff %.3g\n", all.min_cosine, all.max_abs_diff);
}

TEST_CASE("e5 folders prefix queries and passages, plain folders do not", "[bert][prompts]") {
    const auto e5 = load_bert(reference().dir / "tiny-e5");
    CHECK(e5->model_id() == "st:tiny-e5");
    const rapidjson::Value* query_want = nullptr;
    const rapidjson::Value* passage_want = nullptr;
    for (const auto& c : model_cases("tiny-bert").GetArray()) {
        if (std::string(c["text"].GetString()) == "query: rainy jazz") query_want = &c["vector"];
        if (std::string(c["text"].GetString()) == "passage: rainy jazz") passage_want = &c["vector"];
    }
    REQUIRE(query_want != nullptr);
    REQUIRE(passage_want != nullptr);
    std::vector<float> q(32), p(32);
    e5->encode({"rainy jazz"}, true, q.data());
    e5->encode({"rainy jazz"}, false, p.data());
    Agreement a;
    compare(q.data(), *query_want, 32, a);
    compare(p.data(), *passage_want, 32, a);

    const auto plain = load_bert(reference().dir / "tiny-bert");
    std::vector<float> q2(32), p2(32);
    plain->encode({"rainy jazz"}, true, q2.data());
    plain->encode({"rainy jazz"}, false, p2.data());
    CHECK(q2 == p2);

    const auto folder = read_model_folder(reference().dir / "tiny-bert");
    CHECK(folder.query_prefix.empty());
    CHECK(folder.document_prefix.empty());
}

TEST_CASE("model folder settings", "[bert][folder]") {
    const auto plain = read_model_folder(reference().dir / "tiny-bert");
    CHECK(plain.tokenizer.lower_case);
    CHECK(plain.tokenizer.max_length == 64);  // no sentence_bert_config.json: max_position_embeddings
    CHECK(plain.pooling == pmx::localst::bert::Pooling::kMean);
    const auto cls = read_model_folder(reference().dir / "tiny-cls");
    CHECK(cls.tokenizer.max_length == 16);
    CHECK(cls.pooling == pmx::localst::bert::Pooling::kCls);
    CHECK_FALSE(read_model_folder(reference().dir / "tiny-bert-cased").tokenizer.lower_case);
    // A trailing slash does not change the model id.
    CHECK(read_model_folder(reference().dir.path().string() + "/tiny-bert/").name == "tiny-bert");

    TempDir tmp;
    const fs::path bge = tmp / "bge-small-en-v1.5";
    fs::copy(reference().dir / "tiny-bert", bge);
    const auto b = read_model_folder(bge);
    CHECK(b.query_prefix == "Represent this sentence for searching relevant passages: ");
    CHECK(b.document_prefix.empty());
    // The folder's own prompts win over the name rule.
    spit(bge / "config_sentence_transformers.json", R"({"prompts": {"query": "Q: ", "document": "D: "}})");
    const auto own = read_model_folder(bge);
    CHECK(own.query_prefix == "Q: ");
    CHECK(own.document_prefix == "D: ");
}

TEST_CASE("loader errors name the problem", "[bert][errors]") {
    TempDir tmp;
    using E = std::runtime_error;

    SECTION("missing folder") {
        CHECK_THAT(error_text<E>([&] { load_bert(tmp / "nope"); }), Catch::Contains("does not exist"));
    }
    SECTION("missing file") {
        const fs::path m = copy_model(tmp);
        fs::remove(m / "model.safetensors");
        CHECK_THAT(error_text<E>([&] { load_bert(m); }), Catch::Contains("has no model.safetensors"));
        fs::remove(m / "vocab.txt");
        CHECK_THAT(error_text<E>([&] { load_bert(m); }), Catch::Contains("has no vocab.txt"));
    }
    SECTION("truncated safetensors data") {
        const fs::path m = copy_model(tmp);
        const std::string data = slurp(m / "model.safetensors");
        spit(m / "model.safetensors", data.substr(0, data.size() / 2));
        CHECK_THAT(error_text<E>([&] { load_bert(m); }), Catch::Contains("truncated"));
    }
    SECTION("truncated safetensors header") {
        const fs::path m = copy_model(tmp);
        spit(m / "model.safetensors", slurp(m / "model.safetensors").substr(0, 100));
        CHECK_THAT(error_text<E>([&] { load_bert(m); }), Catch::Contains("truncated"));
        spit(m / "model.safetensors", "abc");
        CHECK_THAT(error_text<E>([&] { load_bert(m); }), Catch::Contains("truncated"));
    }
    SECTION("wrong shape") {
        const fs::path m = copy_model(tmp);
        replace_in(m / "config.json", "\"intermediate_size\": 64", "\"intermediate_size\": 48");
        CHECK_THAT(error_text<E>([&] { load_bert(m); }),
                   Catch::Contains("encoder.layer.0.intermediate.dense.weight has shape [64, 32], expected [48, 32]"));
    }
    SECTION("missing tensor") {
        const fs::path m = copy_model(tmp);
        replace_in(m / "config.json", "\"num_hidden_layers\": 2", "\"num_hidden_layers\": 3");
        CHECK_THAT(error_text<E>([&] { load_bert(m); }),
                   Catch::Contains("tensor encoder.layer.2.attention.self.query.weight is missing"));
    }
    SECTION("unsupported activation, architecture, pooling and modules") {
        const fs::path m = copy_model(tmp);
        replace_in(m / "config.json", "\"hidden_act\": \"gelu\"", "\"hidden_act\": \"relu\"");
        CHECK_THAT(error_text<E>([&] { load_bert(m); }), Catch::Contains("hidden_act \"relu\" is not supported"));
        replace_in(m / "config.json", "\"model_type\": \"bert\"", "\"model_type\": \"roberta\"");
        CHECK_THAT(error_text<E>([&] { load_bert(m); }), Catch::Contains("model_type \"roberta\" is not supported"));

        const fs::path c = copy_model(tmp, "tiny-cls");
        replace_in(c / "1_Pooling" / "config.json", "\"pooling_mode_max_tokens\": false",
                   "\"pooling_mode_max_tokens\": true");
        CHECK_THAT(error_text<E>([&] { load_bert(c); }), Catch::Contains("pooling_mode_max_tokens is not supported"));
        spit(c / "modules.json", R"([{"type": "sentence_transformers.models.Transformer"},
                                      {"type": "sentence_transformers.models.Dense"}])");
        CHECK_THAT(error_text<E>([&] { load_bert(c); }), Catch::Contains("Dense is not supported"));
    }
    SECTION("vocabulary without [UNK]") {
        const fs::path m = copy_model(tmp);
        replace_in(m / "vocab.txt", "[UNK]\n", "[UNKNOWN]\n");
        CHECK_THAT(error_text<E>([&] { load_bert(m); }), Catch::Contains("vocab.txt has no [UNK] token"));
    }
    SECTION("invalid config.json") {
        const fs::path m = copy_model(tmp);
        spit(m / "config.json", "{\"hidden_size\": ");
        CHECK_THAT(error_text<E>([&] { load_bert(m); }), Catch::Contains("config.json: invalid JSON"));
    }
}

TEST_CASE("safetensors reader", "[bert][safetensors]") {
    TempDir tmp;
    const fs::path p = tmp / "t.safetensors";
    using E = std::runtime_error;
    // F16: 1, -2, the smallest subnormal 2^-24, +inf; BF16: 1, 3.140625; F32: 0.5; I64: 7.
    const std::string header =
        R"({"__metadata__":{"format":"pt"},)"
        R"("h":{"dtype":"F16","shape":[2,2],"data_offsets":[0,8]},)"
        R"("b":{"dtype":"BF16","shape":[2],"data_offsets":[8,12]},)"
        R"("f":{"dtype":"F32","shape":[1],"data_offsets":[12,16]},)"
        R"("i":{"dtype":"I64","shape":[1],"data_offsets":[16,24]}})";
    const float half_f = 0.5f;
    std::string data = std::string("\x00\x3C\x00\xC0\x01\x00\x00\x7C", 8) + std::string("\x80\x3F\x49\x40", 4) +
                       std::string(reinterpret_cast<const char*>(&half_f), 4) + std::string("\x07\0\0\0\0\0\0\0", 8);
    write_safetensors(p, header, data);
    const SafeTensors st(p);
    CHECK(st.contains("h"));
    CHECK_FALSE(st.contains("__metadata__"));
    const auto h = st.get("h", {2, 2});
    CHECK(h[0] == 1.0f);
    CHECK(h[1] == -2.0f);
    CHECK(h[2] == std::ldexp(1.0f, -24));
    CHECK(std::isinf(h[3]));
    CHECK(st.get("b", {2}) == std::vector<float>{1.0f, 3.140625f});
    CHECK(st.get("f", {1}) == std::vector<float>{0.5f});
    CHECK_THAT(error_text<E>([&] { st.get("i", {1}); }), Catch::Contains("dtype I64; only F32, F16 and BF16"));
    CHECK_THAT(error_text<E>([&] { st.get("x", {1}); }), Catch::Contains("tensor x is missing"));
    CHECK_THAT(error_text<E>([&] { st.get("h", {4}); }), Catch::Contains("tensor h has shape [2, 2], expected [4]"));

    write_safetensors(p, R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", std::string(8, '\0'));
    CHECK_THAT(error_text<E>([&] { SafeTensors{p}; }), Catch::Contains("holds 8 bytes, but F32 [3] needs 12"));
    write_safetensors(p, R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,12]}})", std::string(8, '\0'));
    CHECK_THAT(error_text<E>([&] { SafeTensors{p}; }), Catch::Contains("truncated"));
    write_safetensors(p, R"({"a":{"dtype":"F32","shape":"x","data_offsets":[0,12]}})", std::string(12, '\0'));
    CHECK_THAT(error_text<E>([&] { SafeTensors{p}; }), Catch::Contains("malformed header entry"));
    write_safetensors(p, "[1,2]", "");
    CHECK_THAT(error_text<E>([&] { SafeTensors{p}; }), Catch::Contains("not a JSON object"));
    CHECK_THAT(error_text<E>([&] { SafeTensors{tmp / "none"}; }), Catch::Contains("cannot open"));
}

TEST_CASE("an encode call with no texts writes nothing", "[bert][model]") {
    const auto encoder = load_bert(reference().dir / "tiny-bert");
    float sentinel = 42.0f;
    encoder->encode({}, false, &sentinel);
    CHECK(sentinel == 42.0f);
}
