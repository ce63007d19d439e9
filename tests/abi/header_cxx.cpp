// Compiles pmx/plugin.hpp (and through it pmx/plugin.h) as C++17 and C++20 with -pedantic
// -Werror, instantiating every base class, trampoline and the PMX_PLUGIN macro. The build is
// the test; what can be checked at compile time is checked with static_assert.
#include <pmx/plugin.hpp>  // first: the header must be self-contained

#include <memory>
#include <string_view>

#include "layout_v1.h"

namespace {

namespace sdk = pmx::sdk;

// Implements every interface, so that every trampoline and vtable is instantiated.
class Everything final : public sdk::Completer, public sdk::Embedder, public sdk::MediaSource {
public:
    pmx_status complete(sdk::Call& call, const sdk::CompletionRequest& request,
                        sdk::TextSink& out) override {
        call.progress(1);
        return out.write(request.system()) ? PMX_OK : PMX_CANCELLED;
    }
    const sdk::EmbedderInfo& info() const override { return info_; }
    pmx_status embed(sdk::Call& call, const sdk::Texts& texts, sdk::EmbedKind kind,
                     sdk::Span<float> out) override {
        (void)kind;
        for (float& x : out) x = 0.0f;
        call.usage(texts.size(), 0);
        return PMX_OK;
    }
    pmx_status identity(sdk::Call& call, sdk::MediaSink& out) override {
        (void)call;
        out.server(pmx_server_info{});
        return PMX_OK;
    }
    pmx_status list_libraries(sdk::Call& call, sdk::MediaSink& out) override {
        (void)call;
        out.library(pmx_library{});
        return PMX_OK;
    }
    pmx_status scan_tracks(sdk::Call& call, const pmx_scan_request& request,
                           sdk::MediaSink& out) override {
        (void)call;
        out.total(1);
        if (out.track(pmx_track{})) out.next_cursor(sdk::view(request.cursor));
        return PMX_OK;
    }

private:
    sdk::EmbedderInfo info_{1, 0, 0, PMX_EMBEDDER_NORMALIZED, "m"};
};

std::unique_ptr<sdk::Instance> create(const sdk::Settings& settings, sdk::Call& call) {
    (void)settings.get_int("n");
    (void)settings.get_bool("b");
    (void)settings.get_ms("d");
    call.throw_if_cancelled();
    return std::make_unique<Everything>();
}

constexpr pmx_setting_spec kN = sdk::setting(PMX_SETTING_INT, "n", "1", "a number");
constexpr pmx_setting_spec kToken =
    sdk::setting(PMX_SETTING_STRING, "api_key", nullptr, "a secret", PMX_SETTING_SECRET);
constexpr const pmx_setting_spec* kSettings[] = {&kN, &kToken, nullptr};
constexpr const char* kInterfaces[] = {PMX_IFACE_COMPLETER, PMX_IFACE_EMBEDDER,
                                       PMX_IFACE_MEDIA_SOURCE, nullptr};
constexpr sdk::Descriptor kEverything{"header-test", "Header test", "1.0.0", "compile test",
                                      kInterfaces, &create, kSettings, 4};

// A lambda is a valid factory too.
constexpr sdk::Descriptor kLambda{
    "lambda", "Lambda", "1.0.0", nullptr, kInterfaces,
    [](const sdk::Settings&, sdk::Call&) -> std::unique_ptr<sdk::Instance> {
        return std::make_unique<Everything>();
    }};
constexpr pmx_plugin_entry kLambdaEntry = sdk::detail::make_entry<&kLambda>();
static_assert(kLambdaEntry.create == &sdk::detail::create<&kLambda> && kLambdaEntry.settings == nullptr);

}  // namespace

PMX_PLUGIN(kEverything);

// The entry is constant data built at compile time.
static_assert(pmx_entry.abi_major == PMX_ABI_MAJOR && pmx_entry.abi_minor == PMX_ABI_MINOR);
static_assert(pmx_entry.struct_size == sizeof(pmx_plugin_entry));
static_assert(pmx_entry.max_concurrent_calls == 4);
static_assert(std::string_view(pmx_entry.id) == "header-test");
static_assert(pmx_entry.interfaces == kInterfaces && pmx_entry.settings == kSettings);
static_assert(pmx_entry.init == &pmx::sdk::detail::init && pmx_entry.deinit == &pmx::sdk::detail::deinit &&
              pmx_entry.create == &pmx::sdk::detail::create<&kEverything> &&
              pmx_entry.destroy == &pmx::sdk::detail::destroy &&
              pmx_entry.get_interface == &pmx::sdk::detail::get_interface);

// Ids are part of the ABI.
static_assert(std::string_view(PMX_IFACE_MEDIA_SOURCE) == "pmx.media-source/1");
static_assert(std::string_view(PMX_IFACE_EMBEDDER) == "pmx.embedder/1");
static_assert(std::string_view(PMX_IFACE_COMPLETER) == "pmx.completer/1");
static_assert(std::string_view(PMX_SERVICE_LOG) == "pmx.host.log/1");
static_assert(std::string_view(PMX_SERVICE_HTTP) == "pmx.host.http/1");
static_assert(std::string_view(PMX_ENTRY_SYMBOL) == "pmx_entry");

// The constexpr helpers.
static_assert(sdk::status_from_http(200) == PMX_OK && sdk::status_from_http(429) == PMX_RATE_LIMITED);
static_assert(sdk::status_name(PMX_BAD_RESPONSE) == "BAD_RESPONSE" && sdk::status_name(99) == "INTERNAL");
static_assert(sdk::is_retryable(PMX_TIMEOUT) && !sdk::is_retryable(PMX_AUTH));
static_assert(sdk::view(sdk::to_pmx("abc")) == "abc" && sdk::view(pmx_str{nullptr, 0}).empty());
static_assert(kN.struct_size == sizeof(pmx_setting_spec) && kToken.flags == PMX_SETTING_SECRET);
static_assert(sdk::detail::valid_id("toy-embedder2") && !sdk::detail::valid_id("Toy") &&
              !sdk::detail::valid_id("a_b") && !sdk::detail::valid_id(""));
static_assert(sdk::detail::valid_key("api_key") && !sdk::detail::valid_key("api-key") &&
              !sdk::detail::valid_key("_x"));

int main() { return pmx_entry.abi_major == PMX_ABI_MAJOR && PMX_LAYOUT_PINNED == 1 ? 0 : 1; }
