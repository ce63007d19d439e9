// The embed pass with real embedder plugins (toy-embedder, flaky-embedder, openai) over a real store.
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <optional>

#include "embed/embed_pass.hpp"
#include "embed/model_index.hpp"
#include "embed/track_text.hpp"
#include "embed_support.hpp"
#include "search/hybrid_search.hpp"
#include "store/embeddings_store.hpp"
#include "support/fake_llm.hpp"
#include "support/test_util.hpp"

namespace fs = std::filesystem;
using namespace pmx;
using namespace pmx::test;

namespace {

EmbedReport run_pass(Store& store, Provider& embedder, const fs::path& data_dir, const CancelToken* cancel = nullptr,
                     std::function<void(uint64_t, uint64_t)> progress = {}) {
    static CancelToken never;  // keeps the tests independent of the process-wide token
    EmbedOptions options;
    options.index_dir = vectors_dir(data_dir);
    options.cancel = cancel ? cancel : &never;
    options.progress = std::move(progress);
    return embed_tracks(store, embedder, options);
}

// The index of `model` as it is on disk agrees with the store.
void check_index_agrees(Store& store, const std::string& model_name, const fs::path& data_dir) {
    EmbeddingStore embeddings(store);
    const auto model = embeddings.find_model(model_name);
    REQUIRE(model);
    const IndexState state = inspect_model_index(store, *model, index_file(vectors_dir(data_dir), model_name));
    INFO(state.state);
    CHECK(state.up_to_date);
    CHECK(state.size == static_cast<size_t>(embeddings.count(model->id)));
}

}  // namespace

TEST_CASE("a pass embeds new and changed tracks only, and the index follows", "[embed][pass]") {
    TempDir dir;
    auto store = Store::open(dir / "plexmix.db");
    auto tracks = genre_tracks(100);
    const int64_t server = add_tracks(*store, tracks);
    auto toy = embedder_provider(PMX_TOY_EMBEDDER, {});

    const EmbedReport first = run_pass(*store, *toy, dir.path());
    INFO(first.error);
    CHECK(first.ok());
    CHECK(first.model == "toy-hash-64");
    CHECK(first.dim == 64);
    CHECK(first.tracks == 100);
    CHECK(first.embedded == 100);
    CHECK(first.up_to_date == 0);
    CHECK(first.index_size == 100);
    check_index_agrees(*store, "toy-hash-64", dir.path());

    const EmbedReport second = run_pass(*store, *toy, dir.path());
    CHECK(second.ok());
    CHECK(second.embedded == 0);
    CHECK(second.up_to_date == 100);
    CHECK(second.notes.empty());

    // One retitled track: only it is embedded again; its stored vector is that of its new text.
    tracks[7].title = "Completely New Words";
    {
        Store::Transaction transaction(*store);
        TrackWriter writer(transaction, server);
        writer.upsert(tracks[7]);
        transaction.commit();
    }
    const EmbedReport third = run_pass(*store, *toy, dir.path());
    CHECK(third.embedded == 1);
    CHECK(third.up_to_date == 99);
    EmbeddingStore embeddings(*store);
    const auto model = embeddings.find_model("toy-hash-64");
    REQUIRE(model);
    const int64_t id = embeddings.track_ids()[7];
    std::vector<float> expected;
    REQUIRE(toy->embed({"Completely New Words by Artist 1007, from the album Album 1007 (1999). Genres: Metal."},
                       PMX_EMBED_DOCUMENT, &expected)
                .ok());
    CHECK(*embeddings.vector(*model, id) == expected);
    check_index_agrees(*store, "toy-hash-64", dir.path());
}

TEST_CASE("Ctrl+C during a pass keeps every batch stored so far, and the next pass finishes", "[embed][pass]") {
    TempDir dir;
    auto store = Store::open(dir / "plexmix.db");
    add_tracks(*store, genre_tracks(100));
    auto toy = embedder_provider(PMX_TOY_EMBEDDER, {});  // batches of 32, one at a time
    CancelToken cancel;
    const EmbedReport stopped = run_pass(*store, *toy, dir.path(), &cancel, [&](uint64_t done, uint64_t) {
        if (done >= 32) cancel.cancel();
    });
    CHECK(stopped.cancelled);
    CHECK_FALSE(stopped.ok());
    CHECK(stopped.embedded == 32);
    CHECK(stopped.left == 68);
    CHECK(stopped.index_size == 32);
    check_index_agrees(*store, "toy-hash-64", dir.path());
    CHECK(store->integrity_problems().empty());

    const EmbedReport rest = run_pass(*store, *toy, dir.path());
    CHECK(rest.ok());
    CHECK(rest.embedded == 68);
    CHECK(rest.up_to_date == 32);
    check_index_agrees(*store, "toy-hash-64", dir.path());
}

TEST_CASE("an embedder that breaks mid-way leaves stored vectors and index consistent", "[embed][pass]") {
    TempDir dir;
    auto store = Store::open(dir / "plexmix.db");
    add_tracks(*store, genre_tracks(100));
    // Batches of 16; calls 1-2 succeed, then every call fails: 3 failed batches end the pass.
    auto flaky = embedder_provider(PMX_FLAKY_EMBEDDER, {{"fail_after", "2"}}, "flaky");
    const EmbedReport broken = run_pass(*store, *flaky, dir.path());
    CHECK_FALSE(broken.ok());
    CHECK(broken.embedded == 32);
    CHECK(broken.failed == 16 * kMaxConsecutiveFailures);
    CHECK(broken.left == 100 - 32 - 16 * kMaxConsecutiveFailures);
    CHECK_THAT(broken.error, Catch::Contains("BAD_RESPONSE") && Catch::Contains("broke (as asked)"));
    CHECK(broken.index_size == 32);
    check_index_agrees(*store, "flaky", dir.path());

    auto healthy = embedder_provider(PMX_FLAKY_EMBEDDER, {}, "flaky");
    const EmbedReport fixed = run_pass(*store, *healthy, dir.path());
    CHECK(fixed.ok());
    CHECK(fixed.embedded == 68);
    CHECK(fixed.index_size == 100);
}

TEST_CASE("concurrent batches land on the right tracks, normalised by the host", "[embed][pass]") {
    TempDir dir;
    auto store = Store::open(dir / "plexmix.db");
    add_tracks(*store, genre_tracks(70));
    auto flaky = embedder_provider(PMX_FLAKY_EMBEDDER, {{"max_batch", "8"}}, "flaky", 2);
    REQUIRE(flaky->runtime().concurrency_limit() == 2);
    const EmbedReport r = run_pass(*store, *flaky, dir.path());
    INFO(r.error);
    CHECK(r.ok());
    CHECK(r.embedded == 70);

    EmbeddingStore embeddings(*store);
    const auto model = embeddings.find_model("flaky");
    REQUIRE(model);
    std::vector<std::string> texts;
    std::vector<int64_t> ids;
    embeddings.for_each_track_text([&](const TrackTextSource& t) {
        texts.push_back(track_text(t));
        ids.push_back(t.track_id);
    });
    for (size_t i = 0; i < ids.size(); i += 9) {
        std::vector<float> expected;
        REQUIRE(flaky->embed({texts[i]}, PMX_EMBED_DOCUMENT, &expected).ok());
        const auto stored = embeddings.vector(*model, ids[i]);
        REQUIRE(stored);
        CHECK(*stored == expected);
        double norm = 0;
        for (const float x : *stored) norm += double(x) * x;
        CHECK(std::sqrt(norm) == Approx(1.0).epsilon(1e-5));  // the plugin's are ~3× longer
    }
}

TEST_CASE("a batch held up does not hold back the batches behind it", "[embed][pass]") {
    constexpr size_t kTracks = 6;
    TempDir dir;
    auto store = Store::open(dir / "plexmix.db");
    add_tracks(*store, genre_tracks(kTracks));
    FakeLlm llm(FakeLlmOptions{.api = LlmApi::openai});
    // The first embed request is answered only once every batch has reached the server (or
    // after 20 s): with two slots, the other five can get there only through the second slot
    // while the first waits, as when one batch waits out a 429's Retry-After.
    std::atomic<bool> held{false};
    std::atomic<bool> others_arrived{false};
    llm.http().set_interceptor(
        [&](const FakeRequest& request, const FakeResponse* answered) -> std::optional<FakeResponse> {
            if (answered != nullptr || request.path != "/v1/embeddings" || held.exchange(true)) return std::nullopt;
            others_arrived = llm.http().wait_for_requests(kTracks, std::chrono::seconds(20));
            return std::nullopt;
        });
    auto openai = embedder_provider(PMX_OPENAI_PLUGIN,
                                    {{"api_key", llm.key()}, {"base_url", llm.url() + "/v1"}, {"server", "openai"},
                                     {"batch_size", "1"}},
                                    "openai", 2);
    REQUIRE(openai->runtime().concurrency_limit() == 2);

    const EmbedReport r = run_pass(*store, *openai, dir.path());
    INFO(r.error);
    CHECK(r.ok());
    CHECK(r.batches == kTracks);
    CHECK(r.embedded == kTracks);
    CHECK(llm.http().request_count() == kTracks);  // one request per batch, nothing else
    CHECK(others_arrived);  // the pass did not wait for the first batch before sending the third
    CHECK(llm.embedded_texts() == kTracks);
}

TEST_CASE("a model whose dimension changed is re-embedded from scratch, with a note", "[embed][pass]") {
    TempDir dir;
    auto store = Store::open(dir / "plexmix.db");
    add_tracks(*store, genre_tracks(20));
    auto small = embedder_provider(PMX_FLAKY_EMBEDDER, {{"model", "same-name"}, {"dimension", "8"}}, "flaky");
    REQUIRE(run_pass(*store, *small, dir.path()).embedded == 20);
    auto wider = embedder_provider(PMX_FLAKY_EMBEDDER, {{"model", "same-name"}, {"dimension", "12"}}, "flaky");
    const EmbedReport r = run_pass(*store, *wider, dir.path());
    CHECK(r.ok());
    CHECK(r.embedded == 20);
    CHECK(r.dim == 12);
    REQUIRE_FALSE(r.notes.empty());
    CHECK_THAT(r.notes[0], Catch::Contains("now gives 12-dimensional vectors"));
    CHECK(r.index_size == 20);
    check_index_agrees(*store, "same-name", dir.path());
}

TEST_CASE("hybrid search puts the tracks of a genre first for that genre's word", "[embed][search]") {
    TempDir dir;
    auto store = Store::open(dir / "plexmix.db");
    add_tracks(*store, genre_tracks(90));  // 30 Jazz, 60 Metal
    auto toy = embedder_provider(PMX_TOY_EMBEDDER, {});
    REQUIRE(run_pass(*store, *toy, dir.path()).ok());

    SearchOptions options;
    options.limit = 40;
    options.index_dir = vectors_dir(dir.path());
    for (Provider* embedder : {toy.get(), static_cast<Provider*>(nullptr)}) {
        const SearchResult result = hybrid_search(*store, "jazz", embedder, options);
        CHECK(result.keywords);
        CHECK(result.vectors == (embedder != nullptr));
        REQUIRE(result.hits.size() >= 30);
        for (size_t i = 0; i < 30; ++i) CHECK(result.hits[i].track.genres == "Jazz");
        for (size_t i = 30; i < result.hits.size(); ++i) CHECK(result.hits[i].track.genres == "Metal");
        if (embedder) {
            CHECK(result.hits[0].keyword_rank.has_value());
            CHECK(result.hits[0].vector_rank.has_value());
            CHECK(result.hits[0].similarity.value_or(0) > 0);
        } else {
            CHECK(result.hits.size() == 30);  // keywords alone find only the Jazz tracks
            CHECK_THAT(result.notes.at(0), Catch::Contains("keyword matches only"));
        }
    }
}

TEST_CASE("batches are as large as the embedder allows", "[embed][pass]") {
    TempDir dir;
    auto store = Store::open(dir / "plexmix.db");
    add_tracks(*store, genre_tracks(250));
    auto wide = embedder_provider(PMX_FLAKY_EMBEDDER, {{"max_batch", "100"}}, "flaky");
    const EmbedReport r = run_pass(*store, *wide, dir.path());
    INFO(r.error);
    CHECK(r.ok());
    CHECK(r.embedded == 250);
    CHECK(r.batches == 3);  // 100 + 100 + 50, not 64 at a time
}
