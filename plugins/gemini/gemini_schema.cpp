// JSON Schema to Gemini's responseSchema. What the API takes (checked against public references):
// the v1beta Schema message has type (enum TYPE_UNSPECIFIED, STRING, NUMBER, INTEGER, BOOLEAN,
// ARRAY, OBJECT), format, description, nullable, enum (strings only), maxItems, minItems,
// properties, required, minProperties, maxProperties, minLength, maxLength, pattern, anyOf,
// propertyOrdering, minimum, maximum (plus example/default/title, not needed here). Unknown
// names such as additionalProperties and $schema are refused with 400 "Invalid JSON payload
// received. Unknown name ... at 'generation_config.response_schema'"; older API versions refused
// title too; a type list ["string","null"] is refused ("Proto field is not repeating"). The
// Gemini Developer API takes only "enum" and "date-time" as a string format.
#include "gemini_schema.hpp"

#include <pmx/plugin.hpp>

#include <rapidjson/pointer.h>

#include <array>
#include <string>
#include <utility>
#include <vector>

namespace pmx::gemini {

namespace {

namespace sdk = pmx::sdk;
using Allocator = rapidjson::Document::AllocatorType;

constexpr int kMaxDepth = 32;  // nesting the converter follows; deeper is a recursive $ref

struct TypeName {
    std::string_view json;
    const char* gemini;
};
constexpr std::array<TypeName, 6> kTypes = {{{"object", "OBJECT"},
                                             {"array", "ARRAY"},
                                             {"string", "STRING"},
                                             {"integer", "INTEGER"},
                                             {"number", "NUMBER"},
                                             {"boolean", "BOOLEAN"}}};
// Keywords copied as they are when their value has the expected JSON type.
constexpr std::array<const char*, 6> kCountKeywords = {"minItems",  "maxItems",      "minLength",
                                                       "maxLength", "minProperties", "maxProperties"};
constexpr std::array<const char*, 2> kNumberKeywords = {"minimum", "maximum"};
constexpr std::string_view kDateTime = "date-time";

std::string_view text_of(const rapidjson::Value& v) { return {v.GetString(), v.GetStringLength()}; }

const char* gemini_type(std::string_view json_type) {
    for (const TypeName& t : kTypes) {
        if (t.json == json_type) return t.gemini;
    }
    return nullptr;
}

class Converter {
public:
    Converter(const rapidjson::Value& root, Allocator& allocator) : root_(root), allocator_(allocator) {}

    void convert(const rapidjson::Value& in, rapidjson::Value& out, int depth) {
        if (depth > kMaxDepth) {
            throw sdk::Error(PMX_INVALID_INPUT, "gemini: the JSON Schema nests deeper than " +
                                                    std::to_string(kMaxDepth) +
                                                    " levels (a recursive $ref?), which responseSchema cannot express");
        }
        out.SetObject();
        if (!in.IsObject()) return;  // `true` or `{}`: anything goes
        const rapidjson::Value& schema = resolve(in);

        const char* type = nullptr;
        bool nullable = false;
        std::vector<const char*> types;  // a type list with more than one non-null type
        if (const auto t = schema.FindMember("type"); t != schema.MemberEnd()) {
            if (t->value.IsString()) {
                if (text_of(t->value) == "null") nullable = true;
                else type = gemini_type(text_of(t->value));
            } else if (t->value.IsArray()) {
                for (const rapidjson::Value& each : t->value.GetArray()) {
                    if (!each.IsString()) continue;
                    if (text_of(each) == "null") nullable = true;
                    else if (const char* g = gemini_type(text_of(each))) types.push_back(g);
                }
                if (types.size() == 1) type = types.front();
            }
        }
        if (const auto n = schema.FindMember("nullable"); n != schema.MemberEnd() && n->value.IsBool()) {
            nullable = nullable || n->value.GetBool();
        }

        std::vector<std::string_view> enum_values;
        bool string_enum = false;
        if (const auto c = schema.FindMember("const"); c != schema.MemberEnd() && c->value.IsString()) {
            enum_values.push_back(text_of(c->value));
            string_enum = true;
        } else if (const auto e = schema.FindMember("enum"); e != schema.MemberEnd() && e->value.IsArray()) {
            string_enum = !e->value.Empty();
            for (const rapidjson::Value& v : e->value.GetArray()) {
                if (v.IsNull()) {
                    nullable = true;
                } else if (v.IsString()) {
                    enum_values.push_back(text_of(v));
                } else {
                    string_enum = false;  // the API's enum holds strings only; the engine checks the rest
                }
            }
            if (enum_values.empty()) string_enum = false;
        }
        if (string_enum && type == nullptr && types.empty()) type = "STRING";
        if (string_enum && type != nullptr && std::string_view(type) != "STRING") string_enum = false;

        if (type != nullptr) add_string("type", type, out);
        if (nullable) out.AddMember("nullable", true, allocator_);
        if (const auto d = schema.FindMember("description"); d != schema.MemberEnd() && d->value.IsString()) {
            add_string("description", text_of(d->value), out);
        }
        if (string_enum) {
            rapidjson::Value list(rapidjson::kArrayType);
            for (const std::string_view v : enum_values) list.PushBack(make_string(v), allocator_);
            out.AddMember("enum", list, allocator_);
        }
        if (const auto f = schema.FindMember("format");
            f != schema.MemberEnd() && f->value.IsString() && text_of(f->value) == kDateTime) {
            add_string("format", kDateTime, out);
        }
        if (const auto p = schema.FindMember("pattern"); p != schema.MemberEnd() && p->value.IsString()) {
            add_string("pattern", text_of(p->value), out);
        }
        for (const char* key : kCountKeywords) {
            if (const auto v = schema.FindMember(key); v != schema.MemberEnd() && v->value.IsUint64()) {
                out.AddMember(rapidjson::StringRef(key), v->value.GetUint64(), allocator_);
            }
        }
        for (const char* key : kNumberKeywords) {
            if (const auto v = schema.FindMember(key); v != schema.MemberEnd() && v->value.IsNumber()) {
                out.AddMember(rapidjson::StringRef(key), v->value.GetDouble(), allocator_);
            }
        }
        add_properties(schema, out, depth);
        if (const auto items = schema.FindMember("items"); items != schema.MemberEnd() && items->value.IsObject()) {
            rapidjson::Value converted;
            convert(items->value, converted, depth + 1);
            out.AddMember("items", converted, allocator_);
        }
        add_any_of(schema, types, out, depth);
    }

private:
    // The schema a local "$ref" points at ("#/$defs/Name", "#/definitions/Name", any JSON
    // Pointer into the root); the schema itself when it has none or the pointer leads nowhere.
    const rapidjson::Value& resolve(const rapidjson::Value& schema) {
        const rapidjson::Value* at = &schema;
        for (int hops = 0; hops <= kMaxDepth; ++hops) {
            const auto ref = at->FindMember("$ref");
            if (ref == at->MemberEnd() || !ref->value.IsString()) return *at;
            const std::string_view pointer = text_of(ref->value);
            if (pointer.empty() || pointer.front() != '#') return *at;  // remote refs: not followed
            const rapidjson::Value* target = rapidjson::Pointer(std::string(pointer.substr(1)).c_str()).Get(root_);
            if (target == nullptr || !target->IsObject()) return *at;
            at = target;
        }
        throw sdk::Error(PMX_INVALID_INPUT, "gemini: the JSON Schema's $refs form a loop");
    }

    void add_properties(const rapidjson::Value& schema, rapidjson::Value& out, int depth) {
        const auto props = schema.FindMember("properties");
        if (props == schema.MemberEnd() || !props->value.IsObject()) return;
        rapidjson::Value converted(rapidjson::kObjectType);
        rapidjson::Value order(rapidjson::kArrayType);
        for (const auto& m : props->value.GetObject()) {
            rapidjson::Value child;
            convert(m.value, child, depth + 1);
            converted.AddMember(make_string(text_of(m.name)), child, allocator_);
            order.PushBack(make_string(text_of(m.name)), allocator_);
        }
        if (converted.MemberCount() == 0) return;
        out.AddMember("properties", converted, allocator_);
        // Without it the API orders the keys of its answer alphabetically.
        out.AddMember("propertyOrdering", order, allocator_);
        const auto required = schema.FindMember("required");
        if (required == schema.MemberEnd() || !required->value.IsArray()) return;
        rapidjson::Value names(rapidjson::kArrayType);
        for (const rapidjson::Value& r : required->value.GetArray()) {
            if (r.IsString() && props->value.HasMember(r)) names.PushBack(make_string(text_of(r)), allocator_);
        }
        if (!names.Empty()) out.AddMember("required", names, allocator_);
    }

    // anyOf / oneOf (the API has anyOf only), and a type list of several types.
    void add_any_of(const rapidjson::Value& schema, const std::vector<const char*>& types, rapidjson::Value& out,
                    int depth) {
        rapidjson::Value any(rapidjson::kArrayType);
        for (const char* key : {"anyOf", "oneOf"}) {
            const auto list = schema.FindMember(key);
            if (list == schema.MemberEnd() || !list->value.IsArray()) continue;
            for (const rapidjson::Value& each : list->value.GetArray()) {
                rapidjson::Value converted;
                convert(each, converted, depth + 1);
                any.PushBack(converted, allocator_);
            }
        }
        if (any.Empty() && types.size() > 1) {
            for (const char* t : types) {
                rapidjson::Value one(rapidjson::kObjectType);
                add_string("type", t, one);
                any.PushBack(one, allocator_);
            }
        }
        if (!any.Empty()) out.AddMember("anyOf", any, allocator_);
    }

    rapidjson::Value make_string(std::string_view text) {
        return rapidjson::Value(text.data(), static_cast<rapidjson::SizeType>(text.size()), allocator_);
    }
    void add_string(const char* key, std::string_view value, rapidjson::Value& out) {
        out.AddMember(rapidjson::StringRef(key), make_string(value), allocator_);
    }

    const rapidjson::Value& root_;
    Allocator& allocator_;
};

}  // namespace

void to_gemini_schema(std::string_view json_schema, rapidjson::Value& out, Allocator& allocator) {
    rapidjson::Document schema;
    schema.Parse<rapidjson::kParseIterativeFlag>(json_schema.data(), json_schema.size());
    if (schema.HasParseError() || !schema.IsObject()) {
        throw sdk::Error(PMX_INVALID_INPUT, "gemini: the request's JSON Schema is not a JSON object");
    }
    Converter(schema, allocator).convert(schema, out, 0);
}

}  // namespace pmx::gemini
