// What pmx/plugin.hpp promises, tested in process through the C entry a host would use: the
// status table, the catch-all at every trampoline, Settings parsing, the size rule, Host and
// HTTP helpers, and the checks PMX_PLUGIN's create() makes.
#include <pmx/plugin.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <cstddef>
#include <limits>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "fake_host.hpp"

namespace {

namespace sdk = pmx::sdk;
using pmx::test::FakeCall;
using pmx::test::FakeHost;
using pmx::test::FakeSettings;
using pmx::test::TextCollector;

constexpr std::uint32_t kProbeDimension = 3;
constexpr std::uint32_t kProbeMaxBatch = 2;

// A plugin-like object implementing every interface. The completer's behaviour is chosen by the
// last message's text, so each test drives one path of the trampolines.
class Probe final : public sdk::Completer, public sdk::Embedder, public sdk::MediaSource {
public:
    Probe() {
        info_.dimension = kProbeDimension;
        info_.max_batch = kProbeMaxBatch;
        info_.max_input_chars = 100;
        info_.flags = PMX_EMBEDDER_NORMALIZED;
        info_.model = "probe-model";
    }

    pmx_status complete(sdk::Call& call, const sdk::CompletionRequest& request,
                        sdk::TextSink& out) override {
        const std::string_view what = request.message(request.message_count() - 1).content;
        if (what == "throw:error") throw sdk::Error(PMX_AUTH, "token rejected");
        if (what == "throw:error-ok") throw sdk::Error(PMX_OK, "confused");
        if (what == "throw:bad_alloc") throw std::bad_alloc();
        if (what == "throw:runtime") throw std::runtime_error("boom");
        if (what == "throw:int") throw 42;
        if (what == "throw:cancelled") call.throw_if_cancelled();
        if (what == "status") return call.error(PMX_NOT_FOUND, "no such model");
        if (what == "log") sdk::Host::get().warn("careful");
        if (what == "http") {
            const sdk::Response response = sdk::Host::get().http().request(
                call, sdk::Request{"POST", "https://api.test/v1", {{"content-type", "application/json"}},
                                   "{}", std::chrono::milliseconds(1500), PMX_HTTP_SECRET_BODY});
            if (!response.ok()) return sdk::http_error(call, response, "generate");
            out.write(response.body());
            out.write(response.header("X-Request-Id").value_or("-"));
            return PMX_OK;
        }
        return out.write(what) ? PMX_OK : call.error(PMX_CANCELLED, "sink closed");
    }

    const sdk::EmbedderInfo& info() const override { return info_; }

    pmx_status embed(sdk::Call& call, const sdk::Texts& texts, sdk::EmbedKind kind,
                     sdk::Span<float> out) override {
        last_kind = kind;
        std::size_t i = 0;
        for (const std::string_view text : texts) {
            const float value = text == "nan" ? std::numeric_limits<float>::quiet_NaN() : 1.0f;
            for (float& x : out.subspan(i * kProbeDimension, kProbeDimension)) x = value;
            ++i;
        }
        call.usage(texts.size(), 0);
        return PMX_OK;
    }

    pmx_status identity(sdk::Call&, sdk::MediaSink& out) override {
        pmx_server_info info{};
        info.identity = sdk::to_pmx("machine-1");
        out.server(info);
        return PMX_OK;
    }
    pmx_status list_libraries(sdk::Call&, sdk::MediaSink& out) override {
        pmx_library library{};
        library.key = sdk::to_pmx("1");
        out.library(library);
        return PMX_OK;
    }
    pmx_status scan_tracks(sdk::Call&, const pmx_scan_request& request,
                           sdk::MediaSink& out) override {
        last_scan = request;
        pmx_track track{};
        track.key = sdk::to_pmx("42");
        out.total(1);
        if (out.track(track)) out.next_cursor("page-2");
        return PMX_OK;
    }

    sdk::EmbedKind last_kind = sdk::EmbedKind::document;
    pmx_scan_request last_scan{};

private:
    sdk::EmbedderInfo info_;
};

// The factory reads settings to choose a failure.
std::unique_ptr<sdk::Instance> make_probe(const sdk::Settings& settings, sdk::Call& call) {
    const std::string_view fail = settings.get("fail").value_or("");
    if (fail == "error") throw sdk::Error(PMX_INVALID_INPUT, "bad setting");
    if (fail == "null") return nullptr;
    if (fail == "runtime") throw std::runtime_error("factory broke");
    if (fail == "status") {
        call.error(PMX_AUTH, "ignored: factories report by throwing");
        throw sdk::Error(PMX_AUTH);
    }
    (void)settings.get_int("count");  // throws on a malformed value
    return std::make_unique<Probe>();
}

constexpr pmx_setting_spec kFail = sdk::setting(PMX_SETTING_STRING, "fail", "", "failure to make");
constexpr const pmx_setting_spec* kSettings[] = {&kFail, nullptr};
constexpr const char* kAll[] = {PMX_IFACE_COMPLETER, PMX_IFACE_EMBEDDER, PMX_IFACE_MEDIA_SOURCE,
                                nullptr};
constexpr sdk::Descriptor kProbe{"probe",   "Probe",     "1.0.0",  "in-process test plugin",
                                 kAll,      &make_probe, kSettings, 2};

// A plugin that declares an interface its instances do not implement.
class OnlyCompleter final : public sdk::Completer {
public:
    pmx_status complete(sdk::Call&, const sdk::CompletionRequest&, sdk::TextSink&) override {
        return PMX_OK;
    }
};
constexpr const char* kCompleterAndEmbedder[] = {PMX_IFACE_COMPLETER, PMX_IFACE_EMBEDDER, nullptr};
constexpr sdk::Descriptor kLiar{
    "liar", "Liar", "1.0.0", nullptr, kCompleterAndEmbedder,
    [](const sdk::Settings&, sdk::Call&) -> std::unique_ptr<sdk::Instance> {
        return std::make_unique<OnlyCompleter>();
    }};
constexpr pmx_plugin_entry kLiarEntry = sdk::detail::make_entry<&kLiar>();

}  // namespace

PMX_PLUGIN(kProbe);

namespace {

// An instance of the probe, made and destroyed through the entry.
class ProbeInstance {
public:
    explicit ProbeInstance(const FakeSettings& settings = FakeSettings{}) {
        FakeCall call;
        REQUIRE(pmx_entry.create(settings.data(), settings.size(), call.raw(), &self_) == PMX_OK);
        REQUIRE(self_ != nullptr);
    }
    ~ProbeInstance() { pmx_entry.destroy(self_); }
    ProbeInstance(const ProbeInstance&) = delete;
    ProbeInstance& operator=(const ProbeInstance&) = delete;

    pmx_instance* raw() const { return self_; }
    Probe& probe() const { return dynamic_cast<Probe&>(*reinterpret_cast<sdk::Instance*>(self_)); }
    template <class VTable>
    const VTable& vtable(const char* id) const {
        const void* found = pmx_entry.get_interface(self_, id);
        REQUIRE(found != nullptr);
        return *static_cast<const VTable*>(found);
    }

    // Runs complete() with one user message.
    pmx_status complete(std::string_view text, FakeCall& call, TextCollector& out) const {
        const pmx_message message{sizeof(pmx_message), PMX_ROLE_USER, sdk::to_pmx(text)};
        const pmx_message* const messages[] = {&message};
        pmx_completion_request request{};
        request.struct_size = sizeof request;
        request.messages = messages;
        request.message_count = 1;
        return vtable<pmx_completer>(PMX_IFACE_COMPLETER).complete(self_, call.raw(), &request, out.raw());
    }

private:
    pmx_instance* self_ = nullptr;
};

}  // namespace

TEST_CASE("status_from_http maps HTTP codes to statuses", "[sdk][status]") {
    struct Row {
        int code;
        pmx_status status;
    };
    const Row table[] = {
        {200, PMX_OK},           {201, PMX_OK},           {204, PMX_OK},
        {299, PMX_OK},           {400, PMX_INVALID_INPUT}, {413, PMX_INVALID_INPUT},
        {422, PMX_INVALID_INPUT}, {401, PMX_AUTH},         {403, PMX_AUTH},
        {404, PMX_NOT_FOUND},    {408, PMX_TIMEOUT},       {504, PMX_TIMEOUT},
        {429, PMX_RATE_LIMITED}, {500, PMX_UNAVAILABLE},   {502, PMX_UNAVAILABLE},
        {503, PMX_UNAVAILABLE},  {599, PMX_UNAVAILABLE},   {100, PMX_BAD_RESPONSE},
        {301, PMX_BAD_RESPONSE}, {304, PMX_BAD_RESPONSE},  {405, PMX_INVALID_INPUT},
        {409, PMX_INVALID_INPUT}, {414, PMX_INVALID_INPUT}, {410, PMX_NOT_FOUND}, {600, PMX_BAD_RESPONSE},
        {0, PMX_BAD_RESPONSE},   {-1, PMX_BAD_RESPONSE},
    };
    for (const Row& row : table) {
        INFO("HTTP " << row.code);
        CHECK(sdk::status_from_http(row.code) == row.status);
    }
    CHECK(sdk::is_retryable(PMX_RATE_LIMITED));
    CHECK(sdk::is_retryable(PMX_UNAVAILABLE));
    CHECK(sdk::is_retryable(PMX_TIMEOUT));
    CHECK(sdk::is_retryable(PMX_BAD_RESPONSE));  // since ABI 1.2
    CHECK(sdk::status_name(PMX_STATUS_COUNT) == "INTERNAL");
}

TEST_CASE("http_body_summary: an error page's title or heading, a JSON body's start", "[sdk][http]") {
    // nginx, Apache and a bare proxy page: the title, without the status it repeats.
    CHECK(sdk::http_body_summary("<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n<center>"
                                 "<h1>502 Bad Gateway</h1></center>\n</body>\n</html>",
                                 502) == "Bad Gateway");
    CHECK(sdk::http_body_summary("<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<HTML><HEAD>\n"
                                 "<TITLE>414 Request-URI Too Long</TITLE>\n</HEAD><BODY>\n<H1>Request-URI "
                                 "Too Long</H1>\n<p>The requested URL's length exceeds the capacity\n</p>"
                                 "</BODY></HTML>",
                                 414) == "Request-URI Too Long");
    // No title: the first heading, tags and entities turned into text.
    CHECK(sdk::http_body_summary("<html><body><hr><h2 class=\"x\">Service <b>Unavailable</b> &amp; "
                                 "down</h2><h1>later</h1></body></html>",
                                 503) == "Service Unavailable & down");
    // A status that is not the title's: kept.
    CHECK(sdk::http_body_summary("<html><title>404 Not Found</title></html>", 502) == "404 Not Found");
    // Neither title nor heading: nothing, never the markup.
    CHECK(sdk::http_body_summary("<html><body><p>oops</p></body></html>", 500).empty());
    // Not HTML: the start of the body on one line.
    CHECK(sdk::http_body_summary(R"({"error":"slow down"})", 429) == R"({"error":"slow down"})");
    CHECK(sdk::http_body_summary("{\n  \"error\": {\n    \"code\": 400\n  }\n}", 400) ==
          R"({ "error": { "code": 400 } })");
    CHECK(sdk::http_body_summary("<?xml version=\"1.0\"?><Response code=\"500\"/>", 500) ==
          R"(<?xml version="1.0"?><Response code="500"/>)");
    CHECK(sdk::http_body_summary("", 500).empty());
    // Cut on a UTF-8 boundary, and said so.
    CHECK(sdk::http_body_summary("abcdefghij", 400, 4) == "abcd...");
    CHECK(sdk::http_body_summary("ab\xC3\xA9" "cd", 400, 3) == "ab...");
    CHECK(sdk::http_body_summary(std::string(5000, 'x'), 400, 10) == std::string(10, 'x') + "...");
}

TEST_CASE("the catch-all turns every exception into a status and a message", "[sdk][catch]") {
    FakeHost host;
    ProbeInstance instance;
    struct Row {
        const char* input;
        pmx_status status;
        const char* message;
    };
    const Row table[] = {
        {"throw:error", PMX_AUTH, "token rejected"},
        {"throw:error-ok", PMX_INTERNAL, "confused"},
        {"throw:bad_alloc", PMX_INTERNAL, "out of memory"},
        {"throw:runtime", PMX_INTERNAL, "boom"},
        {"throw:int", PMX_INTERNAL, "unknown exception"},
        {"status", PMX_NOT_FOUND, "no such model"},
    };
    for (const Row& row : table) {
        INFO(row.input);
        FakeCall call;
        TextCollector out;
        CHECK(instance.complete(row.input, call, out) == row.status);
        CHECK(call.error_status == row.status);
        CHECK(call.error_message == row.message);
        CHECK(call.set_error_calls == 1);
    }

    SECTION("cancellation") {
        FakeCall call;
        call.cancelled = true;
        TextCollector out;
        CHECK(instance.complete("throw:cancelled", call, out) == PMX_CANCELLED);
        CHECK(call.error_message == "cancelled");
    }
    SECTION("a plain answer sets no error") {
        FakeCall call;
        TextCollector out;
        CHECK(instance.complete("hello", call, out) == PMX_OK);
        CHECK(out.text == "hello");
        CHECK(call.set_error_calls == 0);
    }
    SECTION("a sink that refuses more text") {
        FakeCall call;
        TextCollector out;
        out.accept_writes = 0;
        CHECK(instance.complete("hello", call, out) == PMX_CANCELLED);
    }
}

TEST_CASE("create() goes through the catch-all and checks the declared interfaces", "[sdk][entry]") {
    FakeHost host;
    struct Row {
        const char* fail;
        pmx_status status;
        const char* message;
    };
    const Row table[] = {
        {"error", PMX_INVALID_INPUT, "bad setting"},
        {"null", PMX_INTERNAL, "probe: create() made no instance"},
        {"runtime", PMX_INTERNAL, "factory broke"},
        // Error without a message keeps what the factory set on the call.
        {"status", PMX_AUTH, "ignored: factories report by throwing"},
    };
    for (const Row& row : table) {
        INFO(row.fail);
        const FakeSettings settings{{"fail", row.fail}};
        FakeCall call;
        pmx_instance* self = reinterpret_cast<pmx_instance*>(&call);  // must be overwritten
        CHECK(pmx_entry.create(settings.data(), settings.size(), call.raw(), &self) == row.status);
        CHECK(self == nullptr);
        CHECK(call.error_message == row.message);
    }

    SECTION("a malformed INT setting") {
        const FakeSettings settings{{"count", "12a"}};
        FakeCall call;
        pmx_instance* self = nullptr;
        CHECK(pmx_entry.create(settings.data(), settings.size(), call.raw(), &self) == PMX_INVALID_INPUT);
        CHECK(call.error_message == "setting 'count' is not a 64-bit integer");
    }
    SECTION("an instance that lacks a declared interface is refused") {
        FakeCall call;
        pmx_instance* self = nullptr;
        CHECK(kLiarEntry.create(nullptr, 0, call.raw(), &self) == PMX_INTERNAL);
        CHECK(self == nullptr);
        CHECK(call.error_message == "liar declares pmx.embedder/1 but its instance does not implement it");
    }
}

TEST_CASE("the entry is what the descriptor says", "[sdk][entry]") {
    CHECK(pmx_entry.abi_major == PMX_ABI_MAJOR);
    CHECK(pmx_entry.abi_minor == PMX_ABI_MINOR);
    CHECK(pmx_entry.struct_size == sizeof(pmx_plugin_entry));
    CHECK(pmx_entry.max_concurrent_calls == 2);
    CHECK(std::string_view(pmx_entry.id) == "probe");
    CHECK(std::string_view(pmx_entry.interfaces[2]) == PMX_IFACE_MEDIA_SOURCE);
    CHECK(pmx_entry.interfaces[3] == nullptr);
    CHECK(std::string_view(pmx_entry.settings[0]->key) == "fail");

    ProbeInstance instance;
    CHECK(pmx_entry.get_interface(instance.raw(), PMX_IFACE_COMPLETER) != nullptr);
    CHECK(pmx_entry.get_interface(instance.raw(), PMX_IFACE_EMBEDDER) != nullptr);
    CHECK(pmx_entry.get_interface(instance.raw(), PMX_IFACE_MEDIA_SOURCE) != nullptr);
    CHECK(pmx_entry.get_interface(instance.raw(), "pmx.embedder/2") == nullptr);
    CHECK(pmx_entry.get_interface(instance.raw(), nullptr) == nullptr);
    CHECK(pmx_entry.get_interface(nullptr, PMX_IFACE_EMBEDDER) == nullptr);

    // get_interface() answers by dynamic_cast: a completer-only instance has no embedder.
    OnlyCompleter only;
    auto* handle = reinterpret_cast<pmx_instance*>(static_cast<sdk::Instance*>(&only));
    CHECK(kLiarEntry.get_interface(handle, PMX_IFACE_COMPLETER) != nullptr);
    CHECK(kLiarEntry.get_interface(handle, PMX_IFACE_EMBEDDER) == nullptr);
}

TEST_CASE("Settings reads the host's values", "[sdk][settings]") {
    const FakeSettings values{{"name", "jazz"},  {"n", "42"},        {"neg", "-7"},
                              {"big", "99999999999999999999"},       {"bad", "12a"},
                              {"empty", ""},     {"yes", "true"},    {"no", "false"},
                              {"maybe", "1"},    {"wait", "30000"},  {"back", "-1"}};
    const sdk::Settings settings(values.data(), values.size());

    CHECK(settings.size() == 11);
    CHECK(settings.get("name") == std::optional<std::string_view>("jazz"));
    CHECK(settings.get("empty") == std::optional<std::string_view>(""));
    CHECK_FALSE(settings.get("absent"));
    CHECK(settings.get("absent").value_or("fallback") == "fallback");

    CHECK(settings.get_int("n") == 42);
    CHECK(settings.get_int("neg") == -7);
    CHECK_FALSE(settings.get_int("absent"));
    CHECK_THROWS_MATCHES(settings.get_int("bad"), sdk::Error,
                         Catch::Predicate<sdk::Error>([](const sdk::Error& e) {
                             return e.status() == PMX_INVALID_INPUT &&
                                    std::string_view(e.what()) == "setting 'bad' is not a 64-bit integer";
                         }));
    CHECK_THROWS_AS(settings.get_int("big"), sdk::Error);
    CHECK_THROWS_AS(settings.get_int("empty"), sdk::Error);

    CHECK(settings.get_bool("yes") == true);
    CHECK(settings.get_bool("no") == false);
    CHECK_FALSE(settings.get_bool("absent"));
    CHECK_THROWS_AS(settings.get_bool("maybe"), sdk::Error);

    CHECK(settings.get_ms("wait") == std::chrono::milliseconds(30000));
    CHECK_THROWS_AS(settings.get_ms("back"), sdk::Error);

    const sdk::Settings none;
    CHECK(none.size() == 0);
    CHECK_FALSE(none.get("name"));
    const sdk::Settings null_with_count(nullptr, 3);  // a host bug must not crash
    CHECK(null_with_count.size() == 0);
}

TEST_CASE("Call honours the host's struct_size", "[sdk][call]") {
    FakeCall fake;
    fake.remaining_ms = 1234;
    const sdk::Call call(fake.raw());
    CHECK(call.remaining() == std::chrono::milliseconds(1234));
    call.http_status(503);
    call.retry_after(std::chrono::milliseconds(2000));
    call.progress(3, 10);
    call.usage(5, 7);
    CHECK(call.error(PMX_UNAVAILABLE, "down") == PMX_UNAVAILABLE);
    CHECK(fake.http_status == 503);
    CHECK(fake.retry_after_ms == 2000);
    CHECK(fake.progress_done == 3);
    CHECK(fake.progress_total == 10);
    CHECK(fake.input_tokens == 5);
    CHECK(fake.output_tokens == 7);
    CHECK(fake.error_message == "down");

    fake.remaining_ms = INT64_MAX;
    CHECK(call.remaining() == std::chrono::milliseconds::max());

    SECTION("an older host without set_error and later fields") {
        fake.truncate(offsetof(pmx_call, set_error));
        fake.cancelled = true;
        CHECK(call.cancelled());  // still inside the struct
        CHECK(call.error(PMX_AUTH, "unseen") == PMX_AUTH);
        call.usage(99, 99);
        CHECK(fake.set_error_calls == 1);  // only the call before truncation
        CHECK(fake.input_tokens == 5);
    }
    SECTION("no call at all") {
        const sdk::Call none;
        CHECK_FALSE(none.cancelled());
        CHECK(none.remaining() == std::chrono::milliseconds::max());
        CHECK(none.error(PMX_TIMEOUT, "x") == PMX_TIMEOUT);
        none.progress(1);
    }
}

TEST_CASE("the embedder trampolines check shapes and write only what fits", "[sdk][embedder]") {
    FakeHost host;
    ProbeInstance instance;
    const auto& embedder = instance.vtable<pmx_embedder>(PMX_IFACE_EMBEDDER);

    SECTION("info for a current host") {
        pmx_embedder_info info{};
        info.struct_size = sizeof info;
        REQUIRE(embedder.info(instance.raw(), &info) == PMX_OK);
        CHECK(info.struct_size == sizeof info);
        CHECK(info.dimension == kProbeDimension);
        CHECK(info.max_batch == kProbeMaxBatch);
        CHECK(info.max_input_chars == 100);
        CHECK(info.flags == PMX_EMBEDDER_NORMALIZED);
        CHECK(sdk::view(info.model) == "probe-model");
    }
    SECTION("info for an older host whose struct ends before `model`") {
        pmx_embedder_info info{};
        info.struct_size = offsetof(pmx_embedder_info, model);
        info.model = sdk::to_pmx("untouched");
        REQUIRE(embedder.info(instance.raw(), &info) == PMX_OK);
        CHECK(info.struct_size == offsetof(pmx_embedder_info, model));
        CHECK(info.dimension == kProbeDimension);
        CHECK(sdk::view(info.model) == "untouched");
    }
    SECTION("embed fills count x dimension floats") {
        const pmx_str texts[] = {sdk::to_pmx("a"), sdk::to_pmx("b")};
        std::vector<float> out(2 * kProbeDimension, 0.0f);
        FakeCall call;
        CHECK(embedder.embed(instance.raw(), call.raw(), texts, 2, PMX_EMBED_QUERY, out.data(),
                             out.size()) == PMX_OK);
        CHECK(out == std::vector<float>(2 * kProbeDimension, 1.0f));
        CHECK(instance.probe().last_kind == sdk::EmbedKind::query);
        CHECK(call.input_tokens == 2);
    }
    SECTION("embed refuses a buffer smaller than count x dimension") {
        const pmx_str texts[] = {sdk::to_pmx("a"), sdk::to_pmx("b")};
        std::vector<float> out(2 * kProbeDimension - 1, 0.0f);
        FakeCall call;
        CHECK(embedder.embed(instance.raw(), call.raw(), texts, 2, PMX_EMBED_DOCUMENT, out.data(),
                             out.size()) == PMX_INVALID_INPUT);
        CHECK(out == std::vector<float>(2 * kProbeDimension - 1, 0.0f));
    }
    SECTION("embed refuses more than max_batch texts") {
        const pmx_str texts[] = {sdk::to_pmx("a"), sdk::to_pmx("b"), sdk::to_pmx("c")};
        std::vector<float> out(3 * kProbeDimension);
        FakeCall call;
        CHECK(embedder.embed(instance.raw(), call.raw(), texts, 3, PMX_EMBED_DOCUMENT, out.data(),
                             out.size()) == PMX_INVALID_INPUT);
        CHECK(call.error_message == "embed: 3 texts exceed max_batch 2");
    }
    SECTION("embed rejects non-finite output") {
        const pmx_str texts[] = {sdk::to_pmx("nan")};
        std::vector<float> out(kProbeDimension);
        FakeCall call;
        CHECK(embedder.embed(instance.raw(), call.raw(), texts, 1, PMX_EMBED_DOCUMENT, out.data(),
                             out.size()) == PMX_BAD_RESPONSE);
    }
}

TEST_CASE("the media-source trampolines", "[sdk][media]") {
    FakeHost host;
    ProbeInstance instance;
    const auto& source = instance.vtable<pmx_media_source>(PMX_IFACE_MEDIA_SOURCE);

    struct Seen {
        std::string identity, library, track, cursor;
        std::uint32_t track_struct_size = 0;
        std::uint64_t total = 0;
    } seen;
    pmx_media_sink sink{};
    sink.struct_size = sizeof sink;
    sink.ctx = &seen;
    sink.server = [](void* ctx, const pmx_server_info* info) {
        static_cast<Seen*>(ctx)->identity = std::string(sdk::view(info->identity));
    };
    sink.library = [](void* ctx, const pmx_library* library) {
        static_cast<Seen*>(ctx)->library = std::string(sdk::view(library->key));
    };
    sink.track = [](void* ctx, const pmx_track* track) -> int32_t {
        static_cast<Seen*>(ctx)->track = std::string(sdk::view(track->key));
        static_cast<Seen*>(ctx)->track_struct_size = track->struct_size;
        return 0;
    };
    sink.total = [](void* ctx, std::uint64_t total) { static_cast<Seen*>(ctx)->total = total; };
    sink.next_cursor = [](void* ctx, const char* cursor, std::size_t len) {
        static_cast<Seen*>(ctx)->cursor.assign(cursor, len);
    };

    FakeCall call;
    CHECK(source.identity(instance.raw(), call.raw(), &sink) == PMX_OK);
    CHECK(seen.identity == "machine-1");
    CHECK(source.list_libraries(instance.raw(), call.raw(), &sink) == PMX_OK);
    CHECK(seen.library == "1");

    // A request from an older host that ends before page_size: page_size reads as zero.
    pmx_scan_request request{};
    request.struct_size = offsetof(pmx_scan_request, page_size);
    request.library_key = sdk::to_pmx("1");
    request.order = PMX_SCAN_ORDER_UPDATED_DESC;
    request.page_size = 999;  // beyond the given size: must not be read
    CHECK(source.scan_tracks(instance.raw(), call.raw(), &request, &sink) == PMX_OK);
    CHECK(seen.track == "42");
    CHECK(seen.track_struct_size == sizeof(pmx_track));  // filled in by MediaSink
    CHECK(seen.total == 1);
    CHECK(seen.cursor == "page-2");
    CHECK(instance.probe().last_scan.page_size == 0);
    CHECK(instance.probe().last_scan.order == PMX_SCAN_ORDER_UPDATED_DESC);

    // The optional functions default to PMX_UNSUPPORTED.
    const pmx_playlist_write write{sizeof(pmx_playlist_write), 0, sdk::to_pmx("t"), {}, {}, nullptr, 0, {}};
    CHECK(source.write_playlist(instance.raw(), call.raw(), &write, &sink) == PMX_UNSUPPORTED);
    CHECK(source.delete_playlist(instance.raw(), call.raw(), sdk::to_pmx("p")) == PMX_UNSUPPORTED);
    CHECK(call.error_message == "this media source is read-only");
}

TEST_CASE("Host logs and sends HTTP through the services given at init", "[sdk][host]") {
    FakeHost host;
    CHECK_FALSE(sdk::Host::get());  // before init: a null host, calls do nothing
    sdk::Host::get().info("dropped");
    struct Deinit {  // even when a REQUIRE fails: later tests must not see this host
        ~Deinit() { pmx_entry.deinit(); }
    } deinit_at_exit;
    {
        FakeCall call;
        REQUIRE(pmx_entry.init(host.raw(), call.raw()) == PMX_OK);
    }
    REQUIRE(sdk::Host::get());
    CHECK(sdk::Host::get().abi_minor() == PMX_ABI_MINOR);
    ProbeInstance instance;

    SECTION("log") {
        FakeCall call;
        TextCollector out;
        CHECK(instance.complete("log", call, out) == PMX_OK);
        REQUIRE(host.logs.size() == 1);
        CHECK(host.logs[0].first == PMX_LOG_WARN);
        CHECK(host.logs[0].second == "careful");
        host.log_level = PMX_LOG_ERROR;
        CHECK_FALSE(sdk::Host::get().log_enabled(PMX_LOG_WARN));
        CHECK(sdk::Host::get().log_enabled(PMX_LOG_ERROR));
    }
    SECTION("a 200 response; the request as sent; the response is released") {
        host.script.push_back({PMX_OK, "", 200, {{"x-request-id", "r-1"}}, "hi", 0});
        FakeCall call;
        TextCollector out;
        CHECK(instance.complete("http", call, out) == PMX_OK);
        CHECK(out.text == "hir-1");  // body, then the header found case-insensitively
        REQUIRE(host.requests.size() == 1);
        const FakeHost::Recorded& sent = host.requests[0];
        CHECK(sent.method == "POST");
        CHECK(sent.url == "https://api.test/v1");
        CHECK(sent.body == "{}");
        CHECK(sent.timeout_ms == 1500);
        CHECK(sent.flags == PMX_HTTP_SECRET_BODY);
        REQUIRE(sent.headers.size() == 1);
        CHECK(sent.headers[0].first == "content-type");
        CHECK(host.released == 1);
        CHECK(host.live_responses() == 0);
    }
    SECTION("a 429 becomes RATE_LIMITED with the body in the message") {
        host.script.push_back({PMX_OK, "", 429, {}, R"({"error":"slow down"})", 3000});
        FakeCall call;
        TextCollector out;
        CHECK(instance.complete("http", call, out) == PMX_RATE_LIMITED);
        CHECK(call.error_message == R"(generate: HTTP 429: {"error":"slow down"})");
        CHECK(call.http_status == 429);
        CHECK(call.retry_after_ms == 3000);
        CHECK(host.live_responses() == 0);
    }
    SECTION("a proxy's HTML error page becomes its status and title, never its markup") {
        host.script.push_back({PMX_OK, "", 414, {{"content-type", "text/html"}},
                               "<html>\r\n<head><title>414 Request-URI Too Large</title></head>\r\n"
                               "<body>\r\n<center><h1>414 Request-URI Too Large</h1></center>\r\n"
                               "<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n",
                               0});
        FakeCall call;
        TextCollector out;
        CHECK(instance.complete("http", call, out) == PMX_INVALID_INPUT);  // a 4xx: the request was wrong
        CHECK(call.error_message == "generate: HTTP 414: Request-URI Too Large");
        CHECK(call.http_status == 414);
    }
    SECTION("a transport failure keeps the host's message") {
        host.script.push_back({PMX_UNAVAILABLE, "connect to api.test: refused", 0, {}, "", 0});
        FakeCall call;
        TextCollector out;
        CHECK(instance.complete("http", call, out) == PMX_UNAVAILABLE);
        CHECK(call.error_message == "connect to api.test: refused");
        CHECK(call.set_error_calls == 1);
    }
    SECTION("Response is move-only and releases once") {
        host.script.push_back({});
        FakeCall call;
        sdk::Response first;
        REQUIRE(sdk::Host::get().http().send(sdk::Call(call.raw()), sdk::Request{"GET", "http://x.test/"},
                                             first) == PMX_OK);
        CHECK(first.status() == 200);
        sdk::Response second = std::move(first);
        CHECK_FALSE(first);  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
        CHECK(second);
        second = sdk::Response();
        CHECK(host.released == 1);
        CHECK(host.live_responses() == 0);
    }

}

TEST_CASE("deinit forgets the host", "[sdk][host]") {
    FakeHost host;
    FakeCall call;
    REQUIRE(pmx_entry.init(host.raw(), call.raw()) == PMX_OK);
    CHECK(sdk::Host::get());
    pmx_entry.deinit();
    CHECK_FALSE(sdk::Host::get());
}

TEST_CASE("CompletionRequest reads a request as the host sized it", "[sdk][completer]") {
    const pmx_message user{sizeof(pmx_message), PMX_ROLE_USER, sdk::to_pmx("hi")};
    const pmx_message assistant{sizeof(pmx_message), PMX_ROLE_ASSISTANT, sdk::to_pmx("hello")};
    const pmx_message* const messages[] = {&user, &assistant};
    pmx_completion_request raw{};
    raw.struct_size = sizeof raw;
    raw.flags = PMX_COMPLETE_JSON | PMX_COMPLETE_HAS_TEMPERATURE;
    raw.system = sdk::to_pmx("be brief");
    raw.messages = messages;
    raw.message_count = 2;
    raw.temperature = 0.0f;
    raw.json_schema = sdk::to_pmx("{}");

    const sdk::CompletionRequest full(&raw);
    CHECK(full.system() == "be brief");
    CHECK(full.message_count() == 2);
    CHECK(full.message(1).role == PMX_ROLE_ASSISTANT);
    CHECK(full.message(1).content == "hello");
    CHECK(full.wants_json());
    CHECK(full.temperature() == 0.0f);  // set, and zero is meaningful
    CHECK(full.json_schema() == "{}");

    raw.struct_size = offsetof(pmx_completion_request, json_schema);  // an older host
    const sdk::CompletionRequest older(&raw);
    CHECK(older.json_schema().empty());
    CHECK(older.message_count() == 2);

    raw.flags = 0;
    CHECK_FALSE(sdk::CompletionRequest(&raw).temperature());
}
