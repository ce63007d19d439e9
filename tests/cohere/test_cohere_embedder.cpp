// The cohere plugin's embedder, loaded from disk, against the fake Cohere v2 API.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "cohere_support.hpp"

using namespace pmx;
using namespace pmx::test;

namespace {

constexpr std::size_t kFullDim = 1536;  // embed-v4.0
constexpr std::size_t kMaxBatch = 96;
constexpr float kTolerance = 1e-5F;

bool same_vector(const std::vector<float>& want, const std::vector<float>& got, std::size_t row) {
    return std::equal(want.begin(), want.end(), got.begin() + static_cast<long>(row * want.size()),
                      [](float a, float b) { return std::abs(a - b) < kTolerance; });
}

std::vector<std::string> strings_of(const rapidjson::Value& array) {
    std::vector<std::string> out;
    for (const auto& v : array.GetArray()) out.emplace_back(v.GetString(), v.GetStringLength());
    return out;
}

}  // namespace

TEST_CASE("cohere embedder: texts go to /v2/embed with the input_type of the call, float vectors in order",
          "[cohere][embedder]") {
    FakeLlm llm = cohere_fake();
    auto provider = cohere_provider(cohere_settings(llm));
    EmbedderInfo info;
    REQUIRE(provider->embedder_info(&info).ok());
    CHECK(info.dimension == kFullDim);
    CHECK(info.max_batch == kMaxBatch);
    CHECK_FALSE(info.normalized);  // unit length is not promised by the API: the host normalises
    CHECK(info.model == "embed-v4.0");

    const std::vector<std::string> texts = {"Miles Davis So What jazz", "Slayer Angel of Death metal", ""};
    std::size_t calls = 0;
    for (const int32_t kind : {PMX_EMBED_DOCUMENT, PMX_EMBED_QUERY}) {
        std::vector<float> out;
        const CallResult r = provider->embed(texts, kind, &out);
        INFO(r.message);
        REQUIRE(r.ok());
        REQUIRE(out.size() == texts.size() * kFullDim);
        const auto sent = requests_to(llm, "/v2/embed");
        REQUIRE(sent.size() == ++calls);  // one request per call
        check_key_only_in_header(sent.back(), llm.key());
        const rapidjson::Document body = body_of(sent.back());
        CHECK(std::string(body["model"].GetString()) == "embed-v4.0");
        CHECK(std::string(body["input_type"].GetString()) ==
              (kind == PMX_EMBED_DOCUMENT ? "search_document" : "search_query"));
        CHECK(strings_of(body["embedding_types"]) == std::vector<std::string>{"float"});
        CHECK_FALSE(body.HasMember("output_dimension"));
        // An empty text goes as a word that means "nothing known"; the others as they are.
        CHECK(strings_of(body["texts"]) == std::vector<std::string>{texts[0], texts[1], "untitled"});
        for (std::size_t i = 0; i < 2; ++i) CHECK(same_vector(FakeLlm::embed(texts[i], kFullDim, 0, true), out, i));
        // billed_units.input_tokens: the fake counts words (5 + 5 + 1).
        CHECK(r.input_tokens == 11);
    }
    CHECK(llm.embedded_texts() == 2 * texts.size());
}

TEST_CASE("cohere embedder: 96 texts are one request, 97 are refused before any request", "[cohere][embedder]") {
    FakeLlm llm = cohere_fake();
    auto provider = cohere_provider(cohere_settings(llm));
    std::vector<std::string> texts(kMaxBatch);
    for (std::size_t i = 0; i < texts.size(); ++i) texts[i] = "track number " + std::to_string(i);
    std::vector<float> out;
    const CallResult r = provider->embed(texts, PMX_EMBED_DOCUMENT, &out);
    INFO(r.message);
    REQUIRE(r.ok());
    CHECK(llm.http().request_count() == 1);
    CHECK(out.size() == kMaxBatch * kFullDim);
    CHECK(same_vector(FakeLlm::embed(texts[95], kFullDim, 0, true), out, 95));

    texts.emplace_back("one too many");
    CHECK(provider->embed(texts, PMX_EMBED_DOCUMENT, &out).status == PMX_INVALID_INPUT);
    CHECK(llm.http().request_count() == 1);
}

TEST_CASE("cohere embedder: `dimensions` on embed-v4.0 sends output_dimension and names the model apart",
          "[cohere][embedder]") {
    FakeLlm llm = cohere_fake();
    auto provider = cohere_provider(cohere_settings(llm, {{"dimensions", "256"}}));
    EmbedderInfo info;
    REQUIRE(provider->embedder_info(&info).ok());
    CHECK(info.dimension == 256);
    CHECK(info.model == "embed-v4.0@256");  // stored apart from the full-size vectors

    std::vector<float> out;
    const CallResult r = provider->embed({"Kind of Blue"}, PMX_EMBED_QUERY, &out);
    INFO(r.message);
    REQUIRE(r.ok());
    REQUIRE(out.size() == 256);
    CHECK(body_of(requests_to(llm, "/v2/embed").at(0))["output_dimension"].GetUint() == 256);
    CHECK(same_vector(FakeLlm::embed("Kind of Blue", kFullDim, 256, true), out, 0));
}

TEST_CASE("cohere embedder: v3 models have their own sizes and take no output_dimension", "[cohere][embedder]") {
    FakeLlm llm = cohere_fake();
    auto provider = cohere_provider(cohere_settings(llm, {{"embedding_model", "embed-multilingual-v3.0"}}));
    EmbedderInfo info;
    REQUIRE(provider->embedder_info(&info).ok());
    CHECK(info.dimension == 1024);
    CHECK(info.model == "embed-multilingual-v3.0");
    std::vector<float> out;
    const CallResult r = provider->embed({"Jacques Brel Ne me quitte pas"}, PMX_EMBED_DOCUMENT, &out);
    INFO(r.message);
    REQUIRE(r.ok());
    CHECK(out.size() == 1024);
    const rapidjson::Document body = body_of(requests_to(llm, "/v2/embed").at(0));
    CHECK_FALSE(body.HasMember("output_dimension"));
    CHECK(std::string(body["input_type"].GetString()) == "search_document");  // required for v3 models

    // The sizes the plugin declares without asking: the light variants are 384.
    const auto dimension_of = [](const std::string& model) {
        auto p = cohere_provider({{"api_key", "k"}, {"base_url", "http://127.0.0.1:9/v2"}, {"embedding_model", model}});
        EmbedderInfo i;
        REQUIRE(p->embedder_info(&i).ok());
        return i.dimension;
    };
    CHECK(dimension_of("embed-english-v3.0") == 1024);
    CHECK(dimension_of("embed-english-light-v3.0") == 384);
    CHECK(dimension_of("embed-multilingual-light-v3.0") == 384);
}

TEST_CASE("cohere embedder: settings are checked when the provider is created", "[cohere][embedder]") {
    const SettingList base = {{"api_key", "k"}, {"base_url", "http://127.0.0.1:9/v2"}};
    CHECK_THAT(create_error(with(base, {{"dimensions", "300"}})),
               Catch::Contains("`dimensions`") && Catch::Contains("256, 512, 1024 or 1536"));
    CHECK_THAT(create_error(with(base, {{"embedding_model", "embed-english-v3.0"}, {"dimensions", "512"}})),
               Catch::Contains("1024") && Catch::Contains("only embed-v4.0"));
    CHECK(create_error(with(base, {{"embedding_model", "embed-english-v3.0"}, {"dimensions", "1024"}})).empty());
    // A model newer than the plugin: its size comes from `dimensions`.
    CHECK_THAT(create_error(with(base, {{"embedding_model", "embed-v5.0"}})),
               Catch::Contains("embed-v5.0") && Catch::Contains("`dimensions`"));
    CHECK(create_error(with(base, {{"embedding_model", "embed-v5.0"}, {"dimensions", "2048"}})).empty());
    CHECK_THAT(create_error({{"base_url", "http://127.0.0.1:9/v2"}}), Catch::Contains("api_key"));
    CHECK_THAT(create_error(with(base, {{"base_url", "ftp://example/v2"}})), Catch::Contains("`base_url`"));
}

TEST_CASE("cohere embedder: a model that answers another size than declared is INVALID_INPUT naming `dimensions`",
          "[cohere][embedder]") {
    FakeLlm llm = cohere_fake();
    llm.add_model({.name = "embed-v5.0", .embedding_dim = 2048, .needs_input_type = true});
    auto provider = cohere_provider(cohere_settings(llm, {{"embedding_model", "embed-v5.0"}, {"dimensions", "1024"}}));
    std::vector<float> out;
    const CallResult r = provider->embed({"hello"}, PMX_EMBED_DOCUMENT, &out);
    CHECK(r.status == PMX_INVALID_INPUT);
    CHECK_THAT(r.message, Catch::Contains("2048") && Catch::Contains("`dimensions`"));
    CHECK(llm.http().requests().size() == 1);
    CHECK_FALSE(body_of(llm.http().requests()[0]).HasMember("output_dimension"));
}
