// Plex requests through the host's HTTP service, and the mapping of Plex's answers to statuses.
#include "plex_http.hpp"

#include "plex_json.hpp"

namespace pmx::plex {
namespace {

constexpr std::string_view kProduct = "plexmix";
constexpr std::size_t kMaxBodyInMessage = 120;        // enough to recognise an error page
constexpr int kUnauthorized = 401;
constexpr int kForbidden = 403;

// What a body that should have been JSON says, for a one-line message: the title of an HTML
// page (a proxy's or a login portal's), never its markup; the start of anything else.
std::string body_excerpt(std::string_view body) {
    const std::string summary = sdk::http_body_summary(body, 0, kMaxBodyInMessage);
    if (summary.empty()) return body.empty() ? "an empty body" : "a page without a title";
    return "\"" + summary + "\"";
}

}  // namespace

std::string describe(const char* method, std::string_view target) {
    return std::string(method) + " " + std::string(target.substr(0, target.find('?')));
}

sdk::Response send(const sdk::Call& call, const Connection& connection, const char* method,
                   std::string_view target, Repeat repeat) {
    const std::string url = connection.base_url + std::string(target);
    sdk::Request request;
    request.method = method;
    request.url = url;
    if (repeat == Repeat::safe || std::string_view(method) == "GET") request.flags |= PMX_HTTP_RETRY_SAFE;
    request.headers = {
        {"Accept", "application/json"},
        {"X-Plex-Token", connection.token},
        {"X-Plex-Product", kProduct},
        {"X-Plex-Version", kPluginVersion},
        {"X-Plex-Client-Identifier", connection.client_id},
    };
    return sdk::Host::get().http().request(call, request);
}

sdk::Response send_ok(const sdk::Call& call, const Connection& connection, const char* method,
                      std::string_view target, Repeat repeat) {
    sdk::Response response = send(call, connection, method, target, repeat);
    if (!response.ok()) fail(call, response, describe(method, target));
    return response;
}

void fail(const sdk::Call& call, const sdk::Response& response, std::string_view what) {
    const int code = response.status();
    if (code == kUnauthorized || code == kForbidden) {
        call.error(PMX_AUTH, "Plex refused the token (HTTP " + std::to_string(code) + " on " +
                                 std::string(what) +
                                 "): check the provider's `token` setting; it must be the "
                                 "X-Plex-Token of an account with access to this server");
        throw sdk::Error(PMX_AUTH);
    }
    if (code == kHttpNotFound) {
        call.error(PMX_NOT_FOUND, "Plex answered HTTP 404 (not found) to " + std::string(what));
        throw sdk::Error(PMX_NOT_FOUND);
    }
    const pmx_status status = sdk::http_error(call, response, "Plex, " + std::string(what));
    throw sdk::Error(status == PMX_OK ? PMX_BAD_RESPONSE : status);
}

rapidjson::Document parse_json(const sdk::Response& response, std::string_view what) {
    const std::string_view body = response.body();
    rapidjson::Document doc;
    if (!json::parse_object(body, doc)) {
        throw sdk::Error(PMX_BAD_RESPONSE, "Plex answered " + std::string(what) +
                                               " with something other than a JSON object: " +
                                               body_excerpt(body));
    }
    return doc;
}

const rapidjson::Value& media_container(const rapidjson::Document& doc, std::string_view what) {
    const auto it = doc.FindMember("MediaContainer");
    if (it == doc.MemberEnd() || !it->value.IsObject()) {
        throw sdk::Error(PMX_BAD_RESPONSE,
                         "Plex answered " + std::string(what) + " without a MediaContainer object");
    }
    return it->value;
}

}  // namespace pmx::plex
