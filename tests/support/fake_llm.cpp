// The fake LLM provider: routing, fault rules, scripted answers, embeddings, shared helpers.
//
// Facts this file relies on (each API's own facts are listed at the top of its file):
// - OpenAI's SDK waits `retry-after-ms` (milliseconds), then `retry-after` (seconds or an
//   HTTP date) and retries 408/409/429/5xx (openai/openai-python src/openai/_base_client.py,
//   _parse_retry_after_header / _should_retry).
// - OpenAI's encoding_format "base64" packs little-endian float32 values (openai-node
//   src/resources/embeddings.ts decodes it that way; app.unpkg.com/openai@4.96.2).
// Token counts are words, not a real tokenizer: tests need predictable numbers, not real ones.
#include "support/fake_llm.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <iterator>
#include <utility>

#include <boost/archive/iterators/base64_from_binary.hpp>
#include <boost/archive/iterators/transform_width.hpp>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "support/fake_llm_detail.hpp"

namespace pmx::test {
namespace fake_llm_detail {

bool parse_object(const std::string& body, rapidjson::Document& doc) {
    doc.Parse(body.c_str(), body.size());
    return !doc.HasParseError() && doc.IsObject();
}

std::string quote(std::string_view text) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
    return {buffer.GetString(), buffer.GetSize()};
}

std::string dump(const rapidjson::Value& value) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    value.Accept(writer);
    return {buffer.GetString(), buffer.GetSize()};
}

std::optional<std::string> unknown_member(const rapidjson::Value& object, const std::vector<std::string_view>& known) {
    for (auto it = object.MemberBegin(); it != object.MemberEnd(); ++it) {
        const std::string_view name(it->name.GetString(), it->name.GetStringLength());
        if (std::find(known.begin(), known.end(), name) == known.end()) return std::string(name);
    }
    return std::nullopt;
}

std::optional<std::string> string_member(const rapidjson::Value& object, const char* name) {
    const auto it = object.FindMember(name);
    if (it == object.MemberEnd() || !it->value.IsString()) return std::nullopt;
    return std::string(it->value.GetString(), it->value.GetStringLength());
}

std::optional<std::uint64_t> uint_member(const rapidjson::Value& object, const char* name) {
    const auto it = object.FindMember(name);
    if (it == object.MemberEnd() || !it->value.IsUint64()) return std::nullopt;
    return it->value.GetUint64();
}

namespace {
bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }
}  // namespace

std::size_t count_words(std::string_view text) {
    std::size_t n = 0;
    bool in_word = false;
    for (const char c : text) {
        const bool space = is_space(c);
        if (!space && !in_word) ++n;
        in_word = !space;
    }
    return n;
}

std::string first_words(std::string_view text, std::size_t words) {
    std::size_t seen = 0, end = 0;  // end: just past the last word kept
    bool in_word = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const bool space = is_space(text[i]);
        if (!space && !in_word && seen++ == words) break;
        if (!space) end = i + 1;
        in_word = !space;
    }
    return std::string(text.substr(0, end));
}

std::string first_half(std::string_view text) {
    const std::size_t words = count_words(text);
    if (words >= 2) return first_words(text, words / 2);
    return std::string(text.substr(0, text.size() / 2));  // one word: cut inside it
}

std::string fenced(std::string_view text) { return "```json\n" + std::string(text) + "\n```"; }

std::string base64_floats(const std::vector<float>& values) {
    std::string bytes;
    bytes.reserve(values.size() * sizeof(float));
    for (const float v : values) {
        std::uint32_t bits = 0;
        std::memcpy(&bits, &v, sizeof bits);
        for (int shift = 0; shift < 32; shift += 8) bytes.push_back(static_cast<char>((bits >> shift) & 0xFFU));
    }
    using Encoder = boost::archive::iterators::base64_from_binary<
        boost::archive::iterators::transform_width<std::string::const_iterator, 6, 8>>;
    std::string out(Encoder(bytes.begin()), Encoder(bytes.end()));
    out.append((3 - bytes.size() % 3) % 3, '=');
    return out;
}

std::string float_array(const std::vector<float>& values) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartArray();
    for (const float v : values) writer.Double(static_cast<double>(v));
    writer.EndArray();
    return {buffer.GetString(), buffer.GetSize()};
}

std::optional<std::string> bearer(const FakeRequest& request) {
    const std::string* value = request.header("authorization");
    constexpr std::string_view kBearer = "Bearer ";
    if (value == nullptr || value->compare(0, kBearer.size(), kBearer) != 0) return std::nullopt;
    return value->substr(kBearer.size());
}

std::string mask_key(std::string_view key) {
    constexpr std::size_t kHead = 3, kTail = 4;
    if (key.size() <= kHead + kTail) return std::string(key.size(), '*');
    return std::string(key.substr(0, kHead)) + std::string(key.size() - kHead - kTail, '*') +
           std::string(key.substr(key.size() - kTail));
}

FakeResponse truncated(FakeResponse response) {
    response.body.resize(response.body.size() / 2);
    return response;
}

FakeResponse garbage() {
    return json(200, "<html><head><title>502 Bad Gateway</title></head><body>upstream hiccup</body></html>");
}

FakeResponse json(int status, std::string body) { return FakeResponse::json(status, std::move(body)); }

bool apply_text_fault(FakeLlmRule::Kind fault, std::string& text) {
    if (fault == FakeLlmRule::Kind::fenced) text = fenced(text);
    if (fault != FakeLlmRule::Kind::cut) return false;
    text = first_half(text);
    return true;
}

}  // namespace fake_llm_detail

using namespace fake_llm_detail;

namespace {

constexpr std::size_t kEmbeddingBlock = 128;  // every word lands once in each block: prefixes keep all words

std::uint64_t splitmix(std::uint64_t& state) {
    state += 0x9E3779B97F4A7C15ULL;
    std::uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

std::uint64_t fnv1a(std::string_view text) {
    std::uint64_t h = 0xCBF29CE484222325ULL;
    for (const char c : text) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001B3ULL;
    }
    return h;
}

void normalise(std::vector<float>& v) {
    double sum = 0;
    for (const float x : v) sum += static_cast<double>(x) * x;
    if (sum <= 0) return;
    const double norm = std::sqrt(sum);
    for (float& x : v) x = static_cast<float>(x / norm);
}

std::string lower_ascii(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// The smallest instance of one (sub)schema, written into `out`.
void smallest(const rapidjson::Value& schema, rapidjson::Value& out, rapidjson::Document::AllocatorType& alloc) {
    if (!schema.IsObject()) {
        out.SetNull();
        return;
    }
    if (const auto e = schema.FindMember("enum"); e != schema.MemberEnd() && e->value.IsArray() && !e->value.Empty()) {
        out.CopyFrom(e->value[0], alloc);
        return;
    }
    if (const auto c = schema.FindMember("const"); c != schema.MemberEnd()) {
        out.CopyFrom(c->value, alloc);
        return;
    }
    for (const char* alt : {"anyOf", "oneOf"}) {
        if (const auto a = schema.FindMember(alt); a != schema.MemberEnd() && a->value.IsArray() && !a->value.Empty()) {
            smallest(a->value[0], out, alloc);
            return;
        }
    }
    std::string type;
    if (const auto t = schema.FindMember("type"); t != schema.MemberEnd()) {
        if (t->value.IsString()) type = lower_ascii(t->value.GetString());
        if (t->value.IsArray() && !t->value.Empty() && t->value[0].IsString()) type = lower_ascii(t->value[0].GetString());
    } else if (schema.HasMember("properties")) {
        type = "object";
    }
    const auto number_bound = [&](double fallback) {
        double v = fallback;
        if (const auto m = schema.FindMember("minimum"); m != schema.MemberEnd() && m->value.IsNumber()) v = m->value.GetDouble();
        if (const auto m = schema.FindMember("maximum"); m != schema.MemberEnd() && m->value.IsNumber())
            v = std::min(v, m->value.GetDouble());
        return v;
    };
    if (type == "object") {
        out.SetObject();
        const auto props = schema.FindMember("properties");
        const auto required = schema.FindMember("required");
        if (props == schema.MemberEnd() || !props->value.IsObject() || required == schema.MemberEnd() ||
            !required->value.IsArray())
            return;
        for (const auto& name : required->value.GetArray()) {
            if (!name.IsString()) continue;
            const auto sub = props->value.FindMember(name.GetString());
            rapidjson::Value value;
            if (sub != props->value.MemberEnd()) smallest(sub->value, value, alloc);
            out.AddMember(rapidjson::Value(name.GetString(), alloc), value, alloc);
        }
    } else if (type == "array") {
        out.SetArray();
        std::uint64_t min_items = 0;
        if (const auto m = schema.FindMember("minItems"); m != schema.MemberEnd() && m->value.IsUint64())
            min_items = m->value.GetUint64();
        const auto items = schema.FindMember("items");
        for (std::uint64_t i = 0; i < min_items; ++i) {
            rapidjson::Value item;
            if (items != schema.MemberEnd()) smallest(items->value, item, alloc);
            out.PushBack(item, alloc);
        }
    } else if (type == "string") {
        std::uint64_t min_length = 0;
        if (const auto m = schema.FindMember("minLength"); m != schema.MemberEnd() && m->value.IsUint64())
            min_length = m->value.GetUint64();
        const std::string s(min_length, 'x');
        out.SetString(s.c_str(), static_cast<rapidjson::SizeType>(s.size()), alloc);
    } else if (type == "integer") {
        out.SetInt64(static_cast<std::int64_t>(std::ceil(number_bound(0))));
    } else if (type == "number") {
        out.SetDouble(number_bound(0));
    } else if (type == "boolean") {
        out.SetBool(false);
    } else {
        out.SetNull();
    }
}

}  // namespace

FakeLlm::FakeLlm(FakeLlmOptions options) : options_(std::move(options)) {
    if (options_.models.empty()) options_.models = default_models(options_.api);
    http_.on_prefix("/", [this](const FakeRequest& request) { return handle(request); });
}

FakeLlm::~FakeLlm() { http_.stop(); }

std::string FakeLlm::key() const {
    std::lock_guard lock(mutex_);
    return options_.keys.empty() ? std::string() : options_.keys.front();
}

void FakeLlm::set_keys(std::vector<std::string> keys) {
    std::lock_guard lock(mutex_);
    options_.keys = std::move(keys);
}

void FakeLlm::add_model(FakeLlmModel model) {
    std::lock_guard lock(mutex_);
    auto& models = options_.models;
    models.erase(std::remove_if(models.begin(), models.end(), [&](const FakeLlmModel& m) { return m.name == model.name; }),
                 models.end());
    models.push_back(std::move(model));
}

void FakeLlm::set_latency(std::chrono::milliseconds latency) {
    std::lock_guard lock(mutex_);
    options_.latency = latency;
}

void FakeLlm::set_compat_json(CompatJson mode) {
    std::lock_guard lock(mutex_);
    options_.compat_json = mode;
}

void FakeLlm::push_answer(std::string text) {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(text));
}

void FakeLlm::set_script(FakeLlmScript script) {
    std::lock_guard lock(mutex_);
    script_ = std::move(script);
}

std::vector<FakeLlmCall> FakeLlm::calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
}

std::size_t FakeLlm::add_rule(FakeLlmRule rule) {
    std::lock_guard lock(mutex_);
    Rule r;
    r.state = rule.seed;
    r.rule = std::move(rule);
    rules_.push_back(std::move(r));
    return rules_.size() - 1;
}

std::size_t FakeLlm::rule_hits(std::size_t index) const {
    std::lock_guard lock(mutex_);
    return index < rules_.size() ? rules_[index].hits : 0;
}

void FakeLlm::clear_rules() {
    std::lock_guard lock(mutex_);
    rules_.clear();
}

std::size_t FakeLlm::completion_requests() const {
    std::lock_guard lock(mutex_);
    return completions_;
}

std::size_t FakeLlm::embedded_texts() const {
    std::lock_guard lock(mutex_);
    return embedded_;
}

void FakeLlm::count_embedded(std::size_t texts) {
    std::lock_guard lock(mutex_);
    embedded_ += texts;
}

std::vector<FakeLlmModel> FakeLlm::default_models(LlmApi api) {
    switch (api) {
        case LlmApi::openai:
            return {
                {.name = "gpt-4o-mini", .output_cap = 16'384},
                {.name = "gpt-4.1-mini", .output_cap = 32'768},
                {.name = "o3-mini", .output_cap = 100'000, .reasoning = true},
                {.name = "gpt-5-mini", .output_cap = 128'000, .reasoning = true},
                {.name = "text-embedding-3-small", .embedding_dim = 1536, .shortenable = true},
                {.name = "text-embedding-3-large", .embedding_dim = 3072, .shortenable = true},
                {.name = "text-embedding-ada-002", .embedding_dim = 1536},
            };
        case LlmApi::compatible:
            return {
                {.name = "llama3.2", .output_cap = 131'072},
                {.name = "qwen2.5:7b", .output_cap = 32'768},
                {.name = "nomic-embed-text", .embedding_dim = 768},
            };
        case LlmApi::gemini:
            return {
                {.name = "gemini-2.5-flash", .output_cap = 65'536},
                {.name = "gemini-2.5-pro", .output_cap = 65'536},
                {.name = "gemini-2.0-flash", .output_cap = 8'192},
                {.name = "gemini-embedding-001", .embedding_dim = 3072, .shortenable = true},
                {.name = "text-embedding-004", .embedding_dim = 768, .shortenable = true},
            };
        case LlmApi::claude:
            return {
                {.name = "claude-sonnet-4-5-20250929", .output_cap = 64'000},
                {.name = "claude-haiku-4-5-20251001", .output_cap = 64'000},
                {.name = "claude-3-haiku-20240307", .output_cap = 4'096},
            };
        case LlmApi::cohere:
            return {
                {.name = "command-a-03-2025", .output_cap = 8'000},
                {.name = "command-r-08-2024", .output_cap = 4'000},
                {.name = "embed-v4.0", .embedding_dim = 1536, .shortenable = true, .needs_input_type = true},
                {.name = "embed-english-v3.0", .embedding_dim = 1024, .needs_input_type = true},
                {.name = "embed-multilingual-v3.0", .embedding_dim = 1024, .needs_input_type = true},
            };
    }
    return {};
}

std::vector<float> FakeLlm::embed(std::string_view text, std::size_t full_dim, std::size_t dim, bool renormalise) {
    std::vector<float> v(full_dim, 0.0F);
    const std::size_t blocks = (full_dim + kEmbeddingBlock - 1) / kEmbeddingBlock;
    std::string word;
    const auto add_word = [&] {
        if (word.empty()) return;
        std::uint64_t state = fnv1a(word);
        for (std::size_t b = 0; b < blocks; ++b) {
            const std::size_t size = std::min(kEmbeddingBlock, full_dim - b * kEmbeddingBlock);
            const std::uint64_t draw = splitmix(state);
            const float sign = (draw >> 63) != 0 ? -1.0F : 1.0F;
            v[b * kEmbeddingBlock + draw % size] += sign;
        }
        word.clear();
    };
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u) != 0 || u >= 0x80) {
            word.push_back(static_cast<char>(std::tolower(u)));
        } else {
            add_word();
        }
    }
    add_word();
    normalise(v);
    if (dim != 0 && dim < full_dim) {
        v.resize(dim);
        if (renormalise) normalise(v);
    }
    return v;
}

std::string FakeLlm::smallest_instance(std::string_view schema_json) {
    rapidjson::Document schema;
    schema.Parse(schema_json.data(), schema_json.size());
    rapidjson::Document out;
    if (schema.HasParseError()) return "null";
    smallest(schema, out, out.GetAllocator());
    return dump(out);
}

std::optional<FakeLlmModel> FakeLlm::find_model(std::string_view name) const {
    std::lock_guard lock(mutex_);
    for (const FakeLlmModel& m : options_.models) {
        if (m.name == name) return m;
    }
    return std::nullopt;
}

bool FakeLlm::key_valid(std::string_view key) const {
    std::lock_guard lock(mutex_);
    return std::find(options_.keys.begin(), options_.keys.end(), key) != options_.keys.end();
}

std::string FakeLlm::answer(const FakeLlmCall& call) {
    FakeLlmScript script;
    {
        std::lock_guard lock(mutex_);
        calls_.push_back(call);
        ++completions_;
        if (!queue_.empty()) {
            std::string text = std::move(queue_.front());
            queue_.pop_front();
            return text;
        }
        script = script_;
    }
    if (script) return script(call);
    if (!call.schema.empty()) return smallest_instance(call.schema);
    if (call.json) return "{\"echo\":" + quote(call.prompt) + "}";
    return "echo: " + call.prompt;
}

FakeResponse FakeLlm::error_for(int status, const std::string& retry_after) const {
    switch (options_.api) {
        case LlmApi::openai: return openai_error(status, retry_after);
        case LlmApi::compatible: return compatible_error(status, retry_after);
        case LlmApi::gemini: return gemini_error(status, retry_after);
        case LlmApi::claude: return claude_error(status, retry_after);
        case LlmApi::cohere: return cohere_error(status, retry_after);
    }
    return FakeResponse::with_status(status);
}

std::optional<FakeLlmRule> FakeLlm::draw_fault(const FakeRequest& request) {
    std::lock_guard lock(mutex_);
    for (Rule& r : rules_) {
        const FakeLlmRule& rule = r.rule;
        if (!rule.path_contains.empty() && request.path.find(rule.path_contains) == std::string::npos) continue;
        if (r.matched++ < rule.skip || r.hits >= rule.times) continue;
        constexpr double kTwoTo64 = 18446744073709551616.0;
        if (static_cast<double>(splitmix(r.state)) / kTwoTo64 >= rule.probability) continue;
        ++r.hits;
        return rule;
    }
    return std::nullopt;
}

FakeResponse FakeLlm::handle(const FakeRequest& request) {
    const std::optional<FakeLlmRule> fired = draw_fault(request);
    const auto fault_is = [&](FakeLlmRule::Kind kind) { return fired && fired->kind == kind; };
    if (fault_is(FakeLlmRule::Kind::hang)) return FakeResponse::hanging();
    // Handlers see the text faults; "status" stands for none there (it never reaches them).
    const FakeLlmRule::Kind text_fault = fired ? fired->kind : FakeLlmRule::Kind::status;
    std::chrono::milliseconds latency;
    {
        std::lock_guard lock(mutex_);
        latency = options_.latency;
    }
    FakeResponse response;
    if (fault_is(FakeLlmRule::Kind::status)) {
        response = error_for(fired->status, fired->retry_after);
    } else if (fault_is(FakeLlmRule::Kind::garbage)) {
        response = garbage();
    } else if (request.method != "POST") {
        response = FakeResponse::text(405, "405 Method Not Allowed");
    } else {
        const std::string& path = request.path;
        switch (options_.api) {
            case LlmApi::openai:
            case LlmApi::compatible:
                if (path == "/v1/chat/completions") response = openai_chat(request, text_fault);
                else if (path == "/v1/embeddings") response = openai_embeddings(request);
                else response = FakeResponse::text(404, "404 page not found");
                break;
            case LlmApi::gemini: response = gemini(request, text_fault); break;
            case LlmApi::claude:
                response = path == "/v1/messages" ? claude_messages(request, text_fault)
                                                  : FakeResponse::text(404, "404 page not found");
                break;
            case LlmApi::cohere:
                if (path == "/v2/chat") response = cohere_chat(request, text_fault);
                else if (path == "/v2/embed") response = cohere_embed(request);
                else response = FakeResponse::text(404, "404 page not found");
                break;
        }
        if (fault_is(FakeLlmRule::Kind::truncated) && response.status == 200) response = truncated(std::move(response));
    }
    response.delay = latency;
    return response;
}

}  // namespace pmx::test
