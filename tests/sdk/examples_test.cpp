// The SDK examples as a host sees them: each .so loaded with dlopen and driven only through
// its pmx_entry, with a fake host. Proves echo's and toy-embedder's documented behaviour.
#include <pmx/plugin.h>

#include <catch2/catch.hpp>
#include <dlfcn.h>
#include <rapidjson/document.h>

#include <cmath>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "fake_host.hpp"

namespace {

using pmx::test::FakeCall;
using pmx::test::FakeHost;
using pmx::test::FakeSettings;
using pmx::test::TextCollector;

std::string_view view(pmx_str s) { return s.data != nullptr ? std::string_view(s.data, s.len) : ""; }

// A loaded plugin. Like the host, it keeps the library mapped until the process exits.
class Plugin {
public:
    explicit Plugin(const char* path) {
        void* library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        INFO((library == nullptr ? dlerror() : ""));
        REQUIRE(library != nullptr);
        entry_ = static_cast<const pmx_plugin_entry*>(dlsym(library, PMX_ENTRY_SYMBOL));
        REQUIRE(entry_ != nullptr);
        REQUIRE(entry_->abi_major == PMX_ABI_MAJOR);
        FakeCall call;
        REQUIRE(entry_->init(host_.raw(), call.raw()) == PMX_OK);
    }
    ~Plugin() { entry_->deinit(); }
    Plugin(const Plugin&) = delete;
    Plugin& operator=(const Plugin&) = delete;

    const pmx_plugin_entry& entry() const { return *entry_; }

    // create(); PMX_OK or the status, with the call's message in `message`.
    pmx_status create(const FakeSettings& settings, pmx_instance** out, std::string* message = nullptr) {
        FakeCall call;
        const pmx_status status = entry_->create(settings.data(), settings.size(), call.raw(), out);
        if (message != nullptr) *message = call.error_message;
        return status;
    }

private:
    FakeHost host_;
    const pmx_plugin_entry* entry_ = nullptr;
};

// An instance destroyed on scope exit.
class Instance {
public:
    Instance(Plugin& plugin, const FakeSettings& settings) : plugin_(plugin) {
        REQUIRE(plugin.create(settings, &self_) == PMX_OK);
    }
    ~Instance() { plugin_.entry().destroy(self_); }
    Instance(const Instance&) = delete;
    Instance& operator=(const Instance&) = delete;

    pmx_instance* raw() const { return self_; }
    template <class VTable>
    const VTable& get(const char* id) const {
        const void* vtable = plugin_.entry().get_interface(self_, id);
        REQUIRE(vtable != nullptr);
        return *static_cast<const VTable*>(vtable);
    }

private:
    Plugin& plugin_;
    pmx_instance* self_ = nullptr;
};

struct Chat {
    std::vector<pmx_message> messages;
    std::vector<const pmx_message*> pointers;
    pmx_completion_request request{};

    Chat(std::initializer_list<std::pair<int32_t, std::string_view>> turns, uint32_t flags = 0) {
        for (const auto& [role, text] : turns) {
            messages.push_back(pmx_message{sizeof(pmx_message), role, {text.data(), text.size()}});
        }
        for (const pmx_message& m : messages) pointers.push_back(&m);
        request.struct_size = sizeof request;
        request.flags = flags;
        request.messages = pointers.data();
        request.message_count = pointers.size();
    }
};

std::string setting_default(const pmx_plugin_entry& entry, std::string_view key) {
    for (const pmx_setting_spec* const* s = entry.settings; *s != nullptr; ++s) {
        if ((*s)->key == key) return (*s)->default_value != nullptr ? (*s)->default_value : "<null>";
    }
    return "<absent>";
}

double cosine(const float* a, const float* b, std::size_t n) {
    double dot = 0, na = 0, nb = 0;
    for (std::size_t i = 0; i < n; ++i) {
        dot += double(a[i]) * b[i];
        na += double(a[i]) * a[i];
        nb += double(b[i]) * b[i];
    }
    return dot / std::sqrt(na * nb);
}

}  // namespace

TEST_CASE("echo answers with the last user message", "[sdk][examples][echo]") {
    Plugin plugin(PMX_TEST_ECHO_SO);
    const pmx_plugin_entry& entry = plugin.entry();
    CHECK(std::string_view(entry.id) == "echo");
    CHECK(std::string_view(entry.interfaces[0]) == PMX_IFACE_COMPLETER);
    CHECK(entry.interfaces[1] == nullptr);
    CHECK(setting_default(entry, "prefix").empty());

    const Chat chat{{PMX_ROLE_USER, "first"}, {PMX_ROLE_USER, "second"}, {PMX_ROLE_ASSISTANT, "reply"}};

    SECTION("plain text, with and without a prefix") {
        for (const auto& [prefix, expected] : {std::pair{"", "second"}, std::pair{">> ", ">> second"}}) {
            Instance echo(plugin, FakeSettings{{"prefix", prefix}});
            CHECK(plugin.entry().get_interface(echo.raw(), PMX_IFACE_EMBEDDER) == nullptr);
            FakeCall call;
            TextCollector out;
            CHECK(echo.get<pmx_completer>(PMX_IFACE_COMPLETER)
                      .complete(echo.raw(), call.raw(), &chat.request, out.raw()) == PMX_OK);
            CHECK(out.text == expected);
        }
    }
    SECTION("JSON: {\"echo\": text}, escaped so that it parses back to the text") {
        const std::string tricky = "say \"hi\" \\ tab\there\nnew line \x01 caf\xc3\xa9";
        const Chat json_chat({{PMX_ROLE_USER, tricky}}, PMX_COMPLETE_JSON);
        Instance echo(plugin, FakeSettings{{"prefix", "> "}});
        FakeCall call;
        TextCollector out;
        REQUIRE(echo.get<pmx_completer>(PMX_IFACE_COMPLETER)
                    .complete(echo.raw(), call.raw(), &json_chat.request, out.raw()) == PMX_OK);
        rapidjson::Document doc;
        doc.Parse(out.text.c_str(), out.text.size());
        INFO(out.text);
        REQUIRE_FALSE(doc.HasParseError());
        REQUIRE(doc.IsObject());
        REQUIRE(doc.MemberCount() == 1);
        REQUIRE(doc.HasMember("echo"));
        CHECK(std::string(doc["echo"].GetString(), doc["echo"].GetStringLength()) == "> " + tricky);
    }
    SECTION("cancellation, a closed sink, no user message") {
        Instance echo(plugin, FakeSettings{{"prefix", ""}});
        const auto& completer = echo.get<pmx_completer>(PMX_IFACE_COMPLETER);
        {
            FakeCall call;
            call.cancelled = true;
            TextCollector out;
            CHECK(completer.complete(echo.raw(), call.raw(), &chat.request, out.raw()) == PMX_CANCELLED);
            CHECK(out.text.empty());
        }
        {
            FakeCall call;
            TextCollector out;
            out.accept_writes = 0;
            CHECK(completer.complete(echo.raw(), call.raw(), &chat.request, out.raw()) == PMX_CANCELLED);
        }
        {
            const Chat only_assistant{{PMX_ROLE_ASSISTANT, "hello"}};
            FakeCall call;
            TextCollector out;
            CHECK(completer.complete(echo.raw(), call.raw(), &only_assistant.request, out.raw()) ==
                  PMX_INVALID_INPUT);
            CHECK(call.error_message == "there is no user message to echo");
        }
    }
}

TEST_CASE("toy-embedder makes deterministic, normalised bag-of-words vectors", "[sdk][examples][toy]") {
    Plugin plugin(PMX_TEST_TOY_EMBEDDER_SO);
    CHECK(std::string_view(plugin.entry().id) == "toy-embedder");
    CHECK(std::string_view(plugin.entry().interfaces[0]) == PMX_IFACE_EMBEDDER);
    CHECK(setting_default(plugin.entry(), "dimension") == "64");

    SECTION("info reflects the dimension setting") {
        for (const auto& [dimension, model] : {std::pair{"64", "toy-hash-64"}, std::pair{"16", "toy-hash-16"}}) {
            Instance toy(plugin, FakeSettings{{"dimension", dimension}});
            pmx_embedder_info info{};
            info.struct_size = sizeof info;
            REQUIRE(toy.get<pmx_embedder>(PMX_IFACE_EMBEDDER).info(toy.raw(), &info) == PMX_OK);
            CHECK(info.dimension == std::stoul(dimension));
            CHECK(info.max_batch == 32);
            CHECK((info.flags & PMX_EMBEDDER_NORMALIZED) != 0);
            CHECK(view(info.model) == model);
        }
    }
    SECTION("an out-of-range dimension is refused by create()") {
        for (const char* bad : {"0", "-3", "5000"}) {
            pmx_instance* self = nullptr;
            std::string message;
            CHECK(plugin.create(FakeSettings{{"dimension", bad}}, &self, &message) == PMX_INVALID_INPUT);
            CHECK(self == nullptr);
            CHECK(message == "dimension must be between 1 and 4096");
        }
    }
    SECTION("vectors") {
        constexpr std::size_t kDim = 64;
        Instance toy(plugin, FakeSettings{{"dimension", "64"}});
        const auto& embedder = toy.get<pmx_embedder>(PMX_IFACE_EMBEDDER);
        const std::vector<std::string> texts = {
            "rainy sunday jazz", "Jazz for a RAINY sunday!", "heavy metal workout", "", "rainy sunday jazz"};
        std::vector<pmx_str> strs;
        for (const std::string& t : texts) strs.push_back({t.data(), t.size()});
        auto embed = [&](int32_t kind) {
            std::vector<float> out(texts.size() * kDim, -1.0f);
            FakeCall call;
            REQUIRE(embedder.embed(toy.raw(), call.raw(), strs.data(), strs.size(), kind, out.data(),
                                   out.size()) == PMX_OK);
            CHECK(call.input_tokens == 3 + 5 + 3 + 0 + 3);  // words
            return out;
        };
        const std::vector<float> documents = embed(PMX_EMBED_DOCUMENT);
        const std::vector<float> queries = embed(PMX_EMBED_QUERY);
        CHECK(documents == queries);          // query and document modes are identical
        CHECK(documents == embed(PMX_EMBED_DOCUMENT));  // deterministic

        for (std::size_t i = 0; i < texts.size(); ++i) {
            INFO("text " << i);
            double norm = 0;
            for (std::size_t j = 0; j < kDim; ++j) {
                const float x = documents[i * kDim + j];
                REQUIRE(std::isfinite(x));
                norm += double(x) * x;
            }
            CHECK(std::sqrt(norm) == Approx(1.0).epsilon(1e-5));
        }
        const float* rainy = &documents[0 * kDim];
        const float* rainy_too = &documents[1 * kDim];
        const float* metal = &documents[2 * kDim];
        CHECK(cosine(rainy, &documents[4 * kDim], kDim) == Approx(1.0));  // same text
        const double similar = cosine(rainy, rainy_too, kDim);             // shares 3 words
        const double unrelated = cosine(rainy, metal, kDim);               // shares none
        INFO("similar " << similar << ", unrelated " << unrelated);
        CHECK(similar > 0.6);
        CHECK(unrelated < similar - 0.3);
    }
    SECTION("the capacity check of the SDK protects the buffer") {
        Instance toy(plugin, FakeSettings{{"dimension", "8"}});
        const pmx_str text{"a", 1};
        std::vector<float> out(7);
        FakeCall call;
        CHECK(toy.get<pmx_embedder>(PMX_IFACE_EMBEDDER)
                  .embed(toy.raw(), call.raw(), &text, 1, PMX_EMBED_DOCUMENT, out.data(), out.size()) ==
              PMX_INVALID_INPUT);
    }
}
