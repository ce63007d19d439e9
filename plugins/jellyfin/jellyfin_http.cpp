// Jellyfin requests through the host's HTTP service, and the mapping of Jellyfin's answers to statuses.
//
// Sources relied on (reference, no code copied): Jellyfin's OpenAPI description and its
// server code (Jellyfin.Api: the Authorization header's parser accepts
// `MediaBrowser Client=, Device=, DeviceId=, Version=, Token=`; errors are ASP.NET Core
// ProblemDetails, RFC 9110; dates are ISO 8601 with seven fraction digits and a Z).
#include "jellyfin_http.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <cstdio>

namespace pmx::jellyfin {
namespace {

constexpr std::string_view kClientName = "plexmix";
constexpr std::size_t kMaxBodyInMessage = 200;
constexpr std::size_t kIdHexDigits = 32;
constexpr std::size_t kDashedIdLength = 36;
constexpr std::int64_t kSecondsPerDay = 86'400;
constexpr std::int64_t kSecondsPerHour = 3'600;
constexpr std::int64_t kSecondsPerMinute = 60;

// Days from 1970-01-01 to the given civil date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146'097 + static_cast<std::int64_t>(doe) - 719'468;
}

// Civil date of a day count since 1970-01-01 (civil_from_days).
void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
    z += 719'468;
    const std::int64_t era = (z >= 0 ? z : z - 146'096) / 146'097;
    const auto doe = static_cast<unsigned>(z - era * 146'097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146'096) / 365;
    y = static_cast<std::int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2 ? 1 : 0;
}

// Reads `digits` decimal digits at text[at]; advances `at`.
std::optional<int> digits_at(std::string_view text, std::size_t& at, std::size_t digits) {
    if (at + digits > text.size()) return std::nullopt;
    int value = 0;
    const char* begin = text.data() + at;
    const auto r = std::from_chars(begin, begin + digits, value);
    if (r.ec != std::errc() || r.ptr != begin + digits) return std::nullopt;
    at += digits;
    return value;
}

bool expect(std::string_view text, std::size_t& at, char c) {
    if (at >= text.size() || text[at] != c) return false;
    ++at;
    return true;
}

}  // namespace

std::string authorization(const Client& client) {
    // Jellyfin's parser takes quoted values; the values here never hold a quote (the device
    // id is hex, the token a server-made or user-given key: a quote in it is refused at create).
    std::string header = "MediaBrowser Client=\"";
    header.append(kClientName).append("\", Device=\"").append(kClientName);
    header.append("\", DeviceId=\"").append(client.device_id);
    header.append("\", Version=\"").append(kPluginVersion).append("\"");
    if (!client.token.empty()) header.append(", Token=\"").append(client.token).append("\"");
    return header;
}

std::string describe(const char* method, std::string_view target) {
    return std::string(method) + " " + std::string(target.substr(0, target.find('?')));
}

sdk::Response send(const sdk::Call& call, const Client& client, const char* method, std::string_view target,
                   std::string_view body, Repeat repeat, bool secret_body) {
    const std::string url = client.base_url + std::string(target);
    const std::string auth = authorization(client);
    sdk::Request request;
    request.method = method;
    request.url = url;
    request.body = body;
    if (repeat == Repeat::safe || std::string_view(method) == "GET") request.flags |= PMX_HTTP_RETRY_SAFE;
    if (secret_body) request.flags |= PMX_HTTP_SECRET_BODY;
    request.headers = {{"Accept", "application/json"}, {"Authorization", auth}};
    if (!body.empty()) request.headers.push_back({"Content-Type", "application/json"});
    return sdk::Host::get().http().request(call, request);
}

std::string problem_text(std::string_view body) {
    if (body.empty()) return {};
    rapidjson::Document doc;
    if (json::parse_object(body, doc)) {
        const std::string_view title = json::text(json::member(doc, "title"));
        const std::string_view detail = json::text(json::member(doc, "detail"));
        std::string text(plugin_common::cut_utf8(title, kMaxBodyInMessage));
        if (!detail.empty()) {
            if (!text.empty()) text += ": ";
            text += plugin_common::cut_utf8(detail, kMaxBodyInMessage);
        }
        if (!text.empty()) return text;
    }
    // Jellyfin answers some errors with a plain string ("Playlist not found"), a proxy with HTML.
    return sdk::http_body_summary(body, 0, kMaxBodyInMessage);
}

void fail(const sdk::Call& call, const sdk::Response& response, std::string_view what, std::string_view credential) {
    const int code = response.status();
    const std::string problem = problem_text(response.body());
    const std::string tail = problem.empty() ? std::string() : ": " + problem;
    if (code == kHttpUnauthorized || code == kHttpForbidden) {
        call.error(PMX_AUTH, "Jellyfin refused " + std::string(code == kHttpUnauthorized ? "the credentials" : "access") +
                                 " (HTTP " + std::to_string(code) + " on " + std::string(what) + tail +
                                 "): check the provider's " + std::string(credential));
        throw sdk::Error(PMX_AUTH);
    }
    if (code == kHttpNotFound) {
        call.error(PMX_NOT_FOUND, "Jellyfin answered HTTP 404 (not found) to " + std::string(what) + tail);
        throw sdk::Error(PMX_NOT_FOUND);
    }
    const pmx_status status = sdk::status_from_http(code);
    call.error(status == PMX_OK ? PMX_BAD_RESPONSE : status,
               "Jellyfin, " + std::string(what) + ": HTTP " + std::to_string(code) + tail);
    throw sdk::Error(status == PMX_OK ? PMX_BAD_RESPONSE : status);
}

namespace {

std::string excerpt(std::string_view body) {
    const std::string summary = sdk::http_body_summary(body, 0, kMaxBodyInMessage);
    if (summary.empty()) return body.empty() ? "an empty body" : "a page without a title";
    return "\"" + summary + "\"";
}

}  // namespace

rapidjson::Document parse_object(const sdk::Response& response, std::string_view what) {
    rapidjson::Document doc;
    if (!json::parse_object(response.body(), doc)) {
        throw sdk::Error(PMX_BAD_RESPONSE, "Jellyfin answered " + std::string(what) +
                                               " with something other than a JSON object: " + excerpt(response.body()));
    }
    return doc;
}

rapidjson::Document parse_array(const sdk::Response& response, std::string_view what) {
    rapidjson::Document doc;
    if (!json::parse_array(response.body(), doc)) {
        throw sdk::Error(PMX_BAD_RESPONSE, "Jellyfin answered " + std::string(what) +
                                               " with something other than a JSON array: " + excerpt(response.body()));
    }
    return doc;
}

std::optional<std::string> normal_id(std::string_view id) {
    std::string out;
    out.reserve(kIdHexDigits);
    if (id.size() != kIdHexDigits && id.size() != kDashedIdLength) return std::nullopt;
    for (std::size_t i = 0; i < id.size(); ++i) {
        const char c = id[i];
        if (id.size() == kDashedIdLength && (i == 8 || i == 13 || i == 18 || i == 23)) {
            if (c != '-') return std::nullopt;
            continue;
        }
        if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (out.size() != kIdHexDigits) return std::nullopt;
    return out;
}

std::optional<std::int64_t> parse_iso_time(std::string_view text) {
    std::size_t at = 0;
    const auto year = digits_at(text, at, 4);
    if (!year || !expect(text, at, '-')) return std::nullopt;
    const auto month = digits_at(text, at, 2);
    if (!month || !expect(text, at, '-')) return std::nullopt;
    const auto day = digits_at(text, at, 2);
    if (!day || *month < 1 || *month > 12 || *day < 1 || *day > 31) return std::nullopt;
    std::int64_t seconds = days_from_civil(*year, static_cast<unsigned>(*month), static_cast<unsigned>(*day)) * kSecondsPerDay;
    if (at == text.size()) return seconds;
    if (text[at] != 'T' && text[at] != ' ') return std::nullopt;
    ++at;
    const auto hour = digits_at(text, at, 2);
    if (!hour || !expect(text, at, ':')) return std::nullopt;
    const auto minute = digits_at(text, at, 2);
    if (!minute) return std::nullopt;
    std::optional<int> second = 0;
    if (at < text.size() && text[at] == ':') {
        ++at;
        second = digits_at(text, at, 2);
        if (!second) return std::nullopt;
    }
    if (*hour > 23 || *minute > 59 || *second > 60) return std::nullopt;
    seconds += *hour * kSecondsPerHour + *minute * kSecondsPerMinute + *second;
    if (at < text.size() && text[at] == '.') {  // fractions: up to 7 digits from .NET, ignored
        ++at;
        while (at < text.size() && std::isdigit(static_cast<unsigned char>(text[at])) != 0) ++at;
    }
    if (at == text.size() || text[at] == 'Z' || text[at] == 'z') return seconds;
    const char sign = text[at++];
    if (sign != '+' && sign != '-') return std::nullopt;
    const auto offset_hours = digits_at(text, at, 2);
    if (!offset_hours) return std::nullopt;
    if (at < text.size() && text[at] == ':') ++at;
    const auto offset_minutes = digits_at(text, at, 2);
    if (!offset_minutes || at != text.size()) return std::nullopt;
    const std::int64_t offset = *offset_hours * kSecondsPerHour + *offset_minutes * kSecondsPerMinute;
    return sign == '+' ? seconds - offset : seconds + offset;
}

std::string iso_time(std::int64_t seconds) {
    std::int64_t days = seconds / kSecondsPerDay;
    std::int64_t rest = seconds % kSecondsPerDay;
    if (rest < 0) {
        rest += kSecondsPerDay;
        --days;
    }
    std::int64_t year = 0;
    unsigned month = 0, day = 0;
    civil_from_days(days, year, month, day);
    std::array<char, 96> buffer{};
    std::snprintf(buffer.data(), buffer.size(), "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ", static_cast<long long>(year),
                  month, day, static_cast<long long>(rest / kSecondsPerHour),
                  static_cast<long long>(rest % kSecondsPerHour / kSecondsPerMinute),
                  static_cast<long long>(rest % kSecondsPerMinute));
    return buffer.data();
}

std::optional<std::int64_t> parse_http_date(std::string_view text) {
    // "Sun, 06 Nov 1994 08:49:37 GMT"
    static constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const std::size_t comma = text.find(", ");
    if (comma == std::string_view::npos) return std::nullopt;
    std::size_t at = comma + 2;
    const auto day = digits_at(text, at, 2);
    if (!day || !expect(text, at, ' ') || at + 3 > text.size()) return std::nullopt;
    unsigned month = 0;
    for (std::size_t i = 0; i < kMonths.size(); ++i) {
        if (text.substr(at, 3) == kMonths[i]) month = static_cast<unsigned>(i + 1);
    }
    at += 3;
    if (month == 0 || !expect(text, at, ' ')) return std::nullopt;
    const auto year = digits_at(text, at, 4);
    if (!year || !expect(text, at, ' ')) return std::nullopt;
    const auto hour = digits_at(text, at, 2);
    if (!hour || !expect(text, at, ':')) return std::nullopt;
    const auto minute = digits_at(text, at, 2);
    if (!minute || !expect(text, at, ':')) return std::nullopt;
    const auto second = digits_at(text, at, 2);
    if (!second || text.substr(at) != " GMT") return std::nullopt;
    return days_from_civil(*year, month, static_cast<unsigned>(*day)) * kSecondsPerDay + *hour * kSecondsPerHour +
           *minute * kSecondsPerMinute + *second;
}

}  // namespace pmx::jellyfin
