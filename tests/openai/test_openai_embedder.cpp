// The openai plugin's embedder, loaded from disk, against the fake OpenAI API and fake compatible servers.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "openai_support.hpp"

using namespace pmx;
using namespace pmx::test;

namespace {

const std::vector<std::string> kTexts = {"Miles Davis - So What (Kind of Blue, 1959) jazz",
                                         "Metallica - One (...And Justice for All) metal",
                                         "Nina Simone - Feeling Good soul jazz"};

// Each row of `out` equals the fake's vector for its text.
void check_vectors(const std::vector<float>& out, const std::vector<std::string>& texts, std::size_t full,
                   std::size_t dim) {
    REQUIRE(out.size() == texts.size() * dim);
    for (std::size_t i = 0; i < texts.size(); ++i) {
        const std::vector<float> want = FakeLlm::embed(texts[i], full, dim == full ? 0 : dim, true);
        INFO("text " << i << ": " << texts[i]);
        for (std::size_t j = 0; j < dim; ++j) REQUIRE(out[i * dim + j] == Approx(want[j]).margin(1e-6));
    }
}

std::string json_text(const rapidjson::Value& v) {
    rapidjson::StringBuffer b;
    rapidjson::Writer<rapidjson::StringBuffer> w(b);
    v.Accept(w);
    return {b.GetString(), b.GetSize()};
}

// An embeddings answer with decimal floats, as Ollama gives even when asked for base64.
FakeResponse float_answer(const FakeRequest& request, std::size_t dim) {
    const rapidjson::Document body = body_of(request);
    std::string data;
    std::size_t i = 0;
    for (const auto& t : body["input"].GetArray()) {
        std::string row;
        for (const float x : FakeLlm::embed(t.GetString(), dim, 0, true)) row += (row.empty() ? "" : ",") + std::to_string(x);
        data += std::string(i == 0 ? "" : ",") + R"({"object":"embedding","index":)" + std::to_string(i) +
                R"(,"embedding":[)" + row + "]}";
        ++i;
    }
    return FakeResponse::json(200, R"({"object":"list","data":[)" + data + R"(],"model":"m"})");
}

}  // namespace

TEST_CASE("openai embedder: OpenAI answers base64 float32, decoded in input order, usage reported",
          "[openai][embedder]") {
    FakeLlm llm;
    auto provider = openai_provider(openai_settings(llm));
    EmbedderInfo info;
    REQUIRE(provider->embedder_info(&info).ok());
    CHECK(info.dimension == 1536);
    CHECK(info.model == "text-embedding-3-small");
    CHECK(info.normalized);
    CHECK(info.max_batch == 2048);

    std::vector<float> out;
    const CallResult r = provider->embed(kTexts, PMX_EMBED_DOCUMENT, &out);
    INFO(r.message);
    REQUIRE(r.ok());
    check_vectors(out, kTexts, 1536, 1536);
    const auto sent = requests_to(llm, "/v1/embeddings");
    REQUIRE(sent.size() == 1);
    const rapidjson::Document body = body_of(sent[0]);
    CHECK(std::string(body["encoding_format"].GetString()) == "base64");
    CHECK(std::string(body["model"].GetString()) == "text-embedding-3-small");
    CHECK(body["input"].Size() == 3);
    CHECK_FALSE(body.HasMember("dimensions"));
    CHECK(*sent[0].header("authorization") == "Bearer " + llm.key());
    CHECK(r.input_tokens == 10 + 8 + 7);  // the fake counts whitespace-separated words
}

TEST_CASE("openai embedder: `dimensions` shortens text-embedding-3 vectors and names the model apart",
          "[openai][embedder]") {
    FakeLlm llm;
    auto provider = openai_provider(openai_settings(llm, {{"embedding_model", "text-embedding-3-large"}, {"dimensions", "256"}}));
    EmbedderInfo info;
    REQUIRE(provider->embedder_info(&info).ok());
    CHECK(info.dimension == 256);
    CHECK(info.model == "text-embedding-3-large@256");
    CHECK(info.normalized);  // the API renormalises shortened vectors
    std::vector<float> out;
    REQUIRE(provider->embed(kTexts, PMX_EMBED_QUERY, &out).ok());
    check_vectors(out, kTexts, 3072, 256);
    for (std::size_t i = 0; i < kTexts.size(); ++i) {
        double norm = 0;
        for (std::size_t j = 0; j < 256; ++j) norm += double(out[i * 256 + j]) * out[i * 256 + j];
        CHECK(std::sqrt(norm) == Approx(1.0).margin(1e-5));
    }
    CHECK(body_of(requests_to(llm, "/v1/embeddings").at(0))["dimensions"].GetUint() == 256);

    CHECK_THAT(create_error(openai_settings(llm, {{"embedding_model", "text-embedding-ada-002"}, {"dimensions", "256"}})),
               Catch::Contains("`dimensions` is only for text-embedding-3"));
    CHECK_THAT(create_error(openai_settings(llm, {{"dimensions", "4000"}})), Catch::Contains("between 1 and 1536"));
}

TEST_CASE("openai embedder: vectors are placed by data[i].index, whatever order the answer lists them in",
          "[openai][embedder]") {
    FakeLlm llm;
    llm.http().set_interceptor([](const FakeRequest&, const FakeResponse* answered) -> std::optional<FakeResponse> {
        if (answered == nullptr || answered->status != 200) return std::nullopt;
        rapidjson::Document doc;
        doc.Parse(answered->body.c_str());
        auto& data = doc["data"];
        std::reverse(data.Begin(), data.End());
        FakeResponse reversed = *answered;
        reversed.body = json_text(doc);
        reversed.headers.erase(std::remove_if(reversed.headers.begin(), reversed.headers.end(),
                                              [](const auto& h) { return h.first == "Content-Length"; }),
                               reversed.headers.end());
        return reversed;
    });
    auto provider = openai_provider(openai_settings(llm));
    std::vector<float> out;
    const CallResult r = provider->embed(kTexts, PMX_EMBED_DOCUMENT, &out);
    INFO(r.message);
    REQUIRE(r.ok());
    check_vectors(out, kTexts, 1536, 1536);
}

TEST_CASE("openai embedder: long texts split one call into requests of at most ~300k tokens, empty texts embed",
          "[openai][embedder]") {
    FakeLlm llm;
    auto provider = openai_provider(openai_settings(llm));
    // 150 texts of ~7,990 bytes: about 2,660 estimated tokens each, so 112 fit in one request.
    std::vector<std::string> texts;
    for (int i = 0; i < 150; ++i) {
        std::string t = "track" + std::to_string(i);
        while (t.size() < 7'980) t += " word" + std::to_string(t.size() % 97);
        texts.push_back(t);
    }
    texts.push_back("");  // the API refuses "", the plugin does not
    std::vector<float> out;
    const CallResult r = provider->embed(texts, PMX_EMBED_DOCUMENT, &out);
    INFO(r.message);
    REQUIRE(r.ok());
    const auto sent = requests_to(llm, "/v1/embeddings");
    REQUIRE(sent.size() == 2);
    CHECK(body_of(sent[0])["input"].Size() == 112);
    CHECK(body_of(sent[1])["input"].Size() == 39);
    CHECK(llm.embedded_texts() == texts.size());
    // The last text's row holds a real vector (unit length), not zeros.
    double norm = 0;
    for (std::size_t j = 0; j < 1536; ++j) norm += double(out[150 * 1536 + j]) * out[150 * 1536 + j];
    CHECK(std::sqrt(norm) == Approx(1.0).margin(1e-5));
    out.resize(150 * 1536);
    texts.pop_back();
    check_vectors(out, texts, 1536, 1536);
}

TEST_CASE("openai embedder: a compatible server is asked for base64 once, floats answered are remembered",
          "[openai][embedder][compatible]") {
    FakeLlmOptions o;
    o.api = LlmApi::compatible;
    FakeLlm llm(o);

    SECTION("a server that honours base64 keeps getting it") {
        auto provider = openai_provider(compatible_settings(llm, {{"embedding_model", "nomic-embed-text"}, {"dimension", "768"}}));
        EmbedderInfo info;
        REQUIRE(provider->embedder_info(&info).ok());
        CHECK(info.dimension == 768);
        CHECK_FALSE(info.normalized);  // not promised by a compatible server: the host normalises
        CHECK(info.max_batch == 256);
        std::vector<float> out;
        REQUIRE(provider->embed(kTexts, PMX_EMBED_DOCUMENT, &out).ok());
        REQUIRE(provider->embed(kTexts, PMX_EMBED_DOCUMENT, &out).ok());
        check_vectors(out, kTexts, 768, 768);
        for (const auto& request : requests_to(llm, "/v1/embeddings")) {
            CHECK(std::string(body_of(request)["encoding_format"].GetString()) == "base64");
        }
    }
    SECTION("a server that ignores base64 and answers floats gets float from then on") {
        llm.http().set_interceptor([](const FakeRequest& request, const FakeResponse* answered) -> std::optional<FakeResponse> {
            if (answered != nullptr) return std::nullopt;
            return float_answer(request, 768);
        });
        auto provider = openai_provider(compatible_settings(llm, {{"embedding_model", "nomic-embed-text"}, {"dimension", "768"}}));
        std::vector<float> out;
        REQUIRE(provider->embed(kTexts, PMX_EMBED_DOCUMENT, &out).ok());
        check_vectors(out, kTexts, 768, 768);
        REQUIRE(provider->embed(kTexts, PMX_EMBED_DOCUMENT, &out).ok());
        const auto sent = requests_to(llm, "/v1/embeddings");
        REQUIRE(sent.size() == 2);
        CHECK(std::string(body_of(sent[0])["encoding_format"].GetString()) == "base64");
        CHECK(std::string(body_of(sent[1])["encoding_format"].GetString()) == "float");
    }
    SECTION("a server that refuses base64 is asked again with float in the same call, and remembered") {
        llm.http().set_interceptor([](const FakeRequest& request, const FakeResponse* answered) -> std::optional<FakeResponse> {
            if (answered != nullptr || request.body.find("\"base64\"") == std::string::npos) return std::nullopt;
            return FakeResponse::json(400, R"({"error":"encoding_format must be 'float'"})");
        });
        auto provider = openai_provider(compatible_settings(llm, {{"embedding_model", "nomic-embed-text"}, {"dimension", "768"}}));
        std::vector<float> out;
        const CallResult r = provider->embed(kTexts, PMX_EMBED_DOCUMENT, &out);
        INFO(r.message);
        REQUIRE(r.ok());
        CHECK(r.attempts == 1);
        check_vectors(out, kTexts, 768, 768);
        REQUIRE(provider->embed(kTexts, PMX_EMBED_DOCUMENT, &out).ok());
        const auto sent = requests_to(llm, "/v1/embeddings");
        REQUIRE(sent.size() == 3);
        CHECK(std::string(body_of(sent[1])["encoding_format"].GetString()) == "float");
        CHECK(std::string(body_of(sent[2])["encoding_format"].GetString()) == "float");
    }
}

TEST_CASE("openai embedder: a model plexmix does not know needs `dimension`, a wrong one is named",
          "[openai][embedder][compatible]") {
    FakeLlmOptions o;
    o.api = LlmApi::compatible;
    FakeLlm llm(o);
    CHECK_THAT(create_error(compatible_settings(llm, {{"embedding_model", "nomic-embed-text"}})),
               Catch::Contains("set the setting `dimension`"));
    auto provider = openai_provider(compatible_settings(llm, {{"embedding_model", "nomic-embed-text"}, {"dimension", "512"}}));
    std::vector<float> out;
    const CallResult r = provider->embed(kTexts, PMX_EMBED_DOCUMENT, &out);
    CHECK(r.status == PMX_INVALID_INPUT);
    CHECK_THAT(r.message, Catch::Contains("768 dimensions") && Catch::Contains("`dimension` to 768"));
    CHECK_THAT(create_error(compatible_settings(llm, {{"batch_size", "5000"}})), Catch::Contains("batch_size"));
    auto small = openai_provider(compatible_settings(llm, {{"embedding_model", "nomic-embed-text"}, {"dimension", "768"}, {"batch_size", "16"}}));
    EmbedderInfo info;
    REQUIRE(small->embedder_info(&info).ok());
    CHECK(info.max_batch == 16);
}
