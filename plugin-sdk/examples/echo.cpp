// echo: an example completer for the plexmix plugin SDK; answers with the last user message.
//
// Shows: a Completer, a declared string setting, JSON output, cancellation, statuses.
#include <pmx/plugin.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace {

namespace sdk = pmx::sdk;

// Escapes text for a JSON string: quote, backslash and control characters (RFC 8259).
std::string json_escape(std::string_view text) {
    constexpr char kHex[] = "0123456789abcdef";
    constexpr unsigned char kFirstPrintable = 0x20;
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (byte < kFirstPrintable) {
            out += "\\u00";
            out += kHex[byte >> 4];
            out += kHex[byte & 0xF];
        } else {
            out += c;
        }
    }
    return out;
}

// One instance per configured provider. It keeps no mutable state, so it is thread-safe.
class Echo final : public sdk::Completer {
public:
    explicit Echo(std::string prefix) : prefix_(std::move(prefix)) {}

    pmx_status complete(sdk::Call& call, const sdk::CompletionRequest& request,
                        sdk::TextSink& out) override {
        if (call.cancelled()) return call.error(PMX_CANCELLED, "cancelled");

        std::optional<std::string_view> last_user;
        for (std::size_t i = request.message_count(); i-- > 0;) {
            const sdk::Message message = request.message(i);
            if (message.role == PMX_ROLE_USER) {
                last_user = message.content;
                break;
            }
        }
        if (!last_user) return call.error(PMX_INVALID_INPUT, "there is no user message to echo");

        const std::string answer = prefix_ + std::string(*last_user);
        const std::string text =
            request.wants_json() ? "{\"echo\": \"" + json_escape(answer) + "\"}" : answer;
        // The sink copies; false means the host wants no more.
        if (!out.write(text)) return call.error(PMX_CANCELLED, "the host stopped reading");
        return PMX_OK;
    }

private:
    const std::string prefix_;
};

// The factory: settings are validated by the host, defaults applied. No I/O here.
std::unique_ptr<sdk::Instance> create(const sdk::Settings& settings, sdk::Call& /*call*/) {
    return std::make_unique<Echo>(std::string(settings.get("prefix").value_or("")));
}

constexpr pmx_setting_spec kPrefix =
    sdk::setting(PMX_SETTING_STRING, "prefix", "", "Text put before every answer");
constexpr const pmx_setting_spec* kSettings[] = {&kPrefix, nullptr};
constexpr const char* kInterfaces[] = {PMX_IFACE_COMPLETER, nullptr};

constexpr sdk::Descriptor kEcho{
    "echo",                                          // id
    "Echo",                                          // name
    "1.0.0",                                         // version
    "Answers with the last user message (example)",  // description
    kInterfaces,                                     // interfaces
    &create,                                         // factory
    kSettings,                                       // settings
};

}  // namespace

PMX_PLUGIN(kEcho);
