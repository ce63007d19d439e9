// Tolerant readers of JSON values from media servers (see json_read.hpp).
#include "json_read.hpp"

#include <charconv>
#include <cmath>
#include <limits>

namespace pmx::plugin_common::json {
namespace {

std::string_view view_of(const Value& value) {
    return std::string_view(value.GetString(), value.GetStringLength());
}

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
}

std::optional<std::int64_t> parse_integer(std::string_view s) {
    s = trimmed(s);
    std::int64_t out = 0;
    const char* const end = s.data() + s.size();
    const std::from_chars_result r = std::from_chars(s.data(), end, out);
    if (s.empty() || r.ec != std::errc() || r.ptr != end) return std::nullopt;
    return out;
}

std::optional<double> parse_number(std::string_view s) {
    s = trimmed(s);
    double out = 0;
    const char* const end = s.data() + s.size();
    const std::from_chars_result r = std::from_chars(s.data(), end, out);  // locale-independent
    if (s.empty() || r.ec != std::errc() || r.ptr != end || !std::isfinite(out)) return std::nullopt;
    return out;
}

}  // namespace

bool parse_object(std::string_view body, rapidjson::Document& doc) {
    doc.Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
    return !doc.HasParseError() && doc.IsObject();
}

bool parse_array(std::string_view body, rapidjson::Document& doc) {
    doc.Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
    return !doc.HasParseError() && doc.IsArray();
}

const Value* member(const Value& object, std::string_view name) {
    if (!object.IsObject()) return nullptr;
    const auto it = object.FindMember(
        Value(rapidjson::StringRef(name.data(), static_cast<rapidjson::SizeType>(name.size()))));
    if (it == object.MemberEnd() || it->value.IsNull()) return nullptr;
    return &it->value;
}

const Value* member_or_hoisted(const Value& item, const Value& container, std::string_view name) {
    const Value* own = member(item, name);
    return own != nullptr ? own : member(container, name);
}

std::string_view text(const Value* value) {
    return value != nullptr && value->IsString() ? view_of(*value) : std::string_view();
}

std::optional<std::string> key_text(const Value* value) {
    if (value == nullptr) return std::nullopt;
    if (value->IsString()) return std::string(view_of(*value));
    if (value->IsInt64()) return std::to_string(value->GetInt64());
    if (value->IsUint64()) return std::to_string(value->GetUint64());
    return std::nullopt;
}

std::optional<std::int64_t> integer(const Value* value) {
    if (value == nullptr) return std::nullopt;
    if (value->IsInt64()) return value->GetInt64();
    if (value->IsUint64()) {
        const std::uint64_t u = value->GetUint64();
        if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
        return static_cast<std::int64_t>(u);
    }
    if (value->IsDouble()) {
        const double d = value->GetDouble();
        if (!std::isfinite(d) || std::trunc(d) != d ||
            std::fabs(d) >= static_cast<double>(std::numeric_limits<std::int64_t>::max())) {
            return std::nullopt;
        }
        return static_cast<std::int64_t>(d);
    }
    if (value->IsString()) return parse_integer(view_of(*value));
    return std::nullopt;
}

std::optional<double> number(const Value* value) {
    if (value == nullptr) return std::nullopt;
    if (value->IsNumber()) return value->GetDouble();
    if (value->IsString()) return parse_number(view_of(*value));
    return std::nullopt;
}

const Value* array(const Value& object, std::string_view name) {
    const Value* found = member(object, name);
    return found != nullptr && found->IsArray() ? found : nullptr;
}

}  // namespace pmx::plugin_common::json
