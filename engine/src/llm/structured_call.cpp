// structured_call(): ask, strip, parse, validate, ask once more with the error, account.
#include "llm/structured_call.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <stdexcept>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/schema.h>
#include <rapidjson/stringbuffer.h>

#include "llm/pricing.hpp"
#include "net/status.hpp"
#include "plugin/provider.hpp"
#include "util/text.hpp"

namespace pmx::llm {
namespace {

// How much of an invalid answer goes back to the model with the repair request.
constexpr size_t kMaxEchoedAnswer = 4000;
constexpr std::string_view kFence = "```";
// Tokens the APIs add around each message and the request (roles, separators, the schema's
// tool or response_format wrapper); generous, so that the estimate errs on the safe side.
constexpr uint64_t kFramingTokensPerMessage = 8;
constexpr uint64_t kFramingTokensPerRequest = 32;

// The estimated input of `request` as the completer will receive it.
uint64_t estimated_input(const CompletionRequest& request) {
    uint64_t tokens = kFramingTokensPerRequest + estimate_tokens(request.system) + estimate_tokens(request.json_schema);
    for (const ChatMessage& m : request.messages) tokens += kFramingTokensPerMessage + estimate_tokens(m.content);
    return tokens;
}

// Fits `request` to the context window: lowers its output limit to what is left; returns an
// error (and sends nothing) when the input leaves less than kMinAnswerTokens.
std::string fit_to_window(CompletionRequest& request, const CompleterLimits& limits, uint32_t wanted_output) {
    if (limits.context_tokens == 0) return {};
    const uint64_t input = estimated_input(request);
    if (input + kMinAnswerTokens > limits.context_tokens) {
        return "the request (about " + std::to_string(input) + " tokens) does not fit the model's context window of " +
               std::to_string(limits.context_tokens) + " tokens with room for an answer; raise the provider's " +
               "`context_tokens` if the model takes more, or send less";
    }
    // The limit asked for, lowered to the room left. None asked: the provider's default, unless
    // the model's cap is known to pass the room (the API would then let the answer overflow).
    // Never a limit above what the model takes (an API refuses max_tokens over its cap).
    const uint64_t room = limits.context_tokens - input;
    uint64_t output = wanted_output;
    if (output == 0) output = limits.max_output_tokens > room ? room : 0;
    else output = std::min(output, room);
    request.max_output_tokens = static_cast<uint32_t>(std::min<uint64_t>(output, UINT32_MAX));
    return {};
}

std::string trimmed(std::string_view text) {
    const size_t first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    const size_t last = text.find_last_not_of(" \t\r\n");
    return std::string(text.substr(first, last - first + 1));
}

std::string pointer_text(const rapidjson::Pointer& pointer) {
    rapidjson::StringBuffer buffer;
    pointer.StringifyUriFragment(buffer);
    std::string text = buffer.GetString();
    if (!text.empty() && text.front() == '#') text.erase(0, 1);
    return text.empty() ? "/" : text;
}

}  // namespace

Usage& Usage::operator+=(const Usage& other) {
    input_tokens += other.input_tokens;
    output_tokens += other.output_tokens;
    requests += other.requests;
    return *this;
}

struct Schema::Impl {
    rapidjson::Document document;
    std::unique_ptr<rapidjson::SchemaDocument> schema;
};

Schema::Schema(std::string_view json) : text_(json), impl_(std::make_unique<Impl>()) {
    impl_->document.Parse(text_.data(), text_.size());
    if (impl_->document.HasParseError() || !impl_->document.IsObject()) {
        throw std::invalid_argument("a JSON Schema must be a JSON object");
    }
    impl_->schema = std::make_unique<rapidjson::SchemaDocument>(impl_->document);
}

Schema::~Schema() = default;

bool Schema::validate(std::string_view json, std::string* error) const {
    rapidjson::Document answer;
    answer.Parse<rapidjson::kParseIterativeFlag>(json.data(), json.size());
    if (answer.HasParseError()) {
        if (error) {
            *error = std::string("not JSON at offset ") + std::to_string(answer.GetErrorOffset()) + ": " +
                     rapidjson::GetParseError_En(answer.GetParseError());
        }
        return false;
    }
    rapidjson::SchemaValidator validator(*impl_->schema);
    if (answer.Accept(validator)) return true;
    if (error) {
        *error = "at " + pointer_text(validator.GetInvalidDocumentPointer()) + ": breaks the schema's \"" +
                 validator.GetInvalidSchemaKeyword() + "\" (schema " + pointer_text(validator.GetInvalidSchemaPointer()) +
                 ")";
    }
    return false;
}

CompleterLimits limits_of(Provider& completer) {
    CompleterInfo info;
    if (!completer.completer_info(&info).ok()) return {};
    return {info.context_tokens, info.max_output_tokens, std::move(info.model)};
}

uint64_t input_budget(const CompleterLimits& limits, uint32_t max_output_tokens) {
    if (limits.context_tokens == 0) return std::numeric_limits<uint64_t>::max();
    const uint64_t output = max_output_tokens != 0 ? max_output_tokens : kMinAnswerTokens;
    const uint64_t reserved = output + kFramingTokensPerRequest;
    return limits.context_tokens > reserved ? limits.context_tokens - reserved : 0;
}

void UsageLedger::add(const std::string& provider, const std::string& model, const Usage& usage) {
    entries_[{provider, model.empty() ? std::string("default") : model}] += usage;
}

Usage UsageLedger::total() const {
    Usage sum;
    for (const auto& [key, usage] : entries_) sum += usage;
    return sum;
}

std::string strip_code_fences(std::string_view text) {
    std::string body = trimmed(text);
    if (!body.starts_with(kFence)) return body;
    const size_t line_end = body.find('\n');
    if (line_end == std::string::npos) return body;
    const size_t close = body.rfind(kFence);
    if (close == std::string::npos || close <= line_end) return trimmed(std::string_view(body).substr(line_end + 1));
    return trimmed(std::string_view(body).substr(line_end + 1, close - line_end - 1));
}

StructuredAnswer structured_call(Provider& completer, const StructuredRequest& request, UsageLedger* ledger,
                                 const std::string& model) {
    StructuredAnswer answer;
    if (request.schema == nullptr) {
        answer.status = PMX_INVALID_INPUT;
        answer.error = "a structured call needs a schema";
        return answer;
    }
    CompletionRequest completion;
    completion.system = request.system;
    completion.messages.push_back({PMX_ROLE_USER, request.user});
    completion.json = true;
    completion.json_schema = request.schema->text();
    completion.max_output_tokens = request.max_output_tokens;
    completion.temperature = request.temperature;
    const CompleterLimits limits = limits_of(completer);
    answer.model = model.empty() ? limits.model : model;

    constexpr int kMaxAsks = 2;
    for (int ask = 1; ask <= kMaxAsks; ++ask) {
        if (std::string too_big = fit_to_window(completion, limits, request.max_output_tokens); !too_big.empty()) {
            // A repair that no longer fits ends with the first answer's error, said as such.
            answer.status = ask == 1 ? PMX_INVALID_INPUT : PMX_BAD_RESPONSE;
            answer.error = ask == 1 ? too_big : answer.error + " (no repair: " + too_big + ")";
            break;
        }
        answer.asks = ask;
        std::string text;
        const CallResult result = completer.complete(completion, &text);
        answer.usage += Usage{result.input_tokens, result.output_tokens, 1};
        if (!result.ok()) {
            answer.status = result.status;
            answer.error = result.message;
            break;
        }
        std::string json = strip_code_fences(text);
        std::string invalid;
        const Schema& judge = request.accept ? *request.accept : *request.schema;
        if (judge.validate(json, &invalid)) {
            answer.status = PMX_OK;
            answer.json = std::move(json);
            answer.error.clear();
            answer.repaired = ask > 1;
            break;
        }
        answer.status = PMX_BAD_RESPONSE;
        answer.error = (ask == 1 ? "the answer is invalid: " : "the answer is still invalid after one repair: ") + invalid;
        // The repair: the model sees its answer and what is wrong with it.
        completion.messages.push_back({PMX_ROLE_ASSISTANT, json.substr(0, kMaxEchoedAnswer)});
        completion.messages.push_back(
            {PMX_ROLE_USER, "That answer is not valid: " + invalid +
                                ". Answer again with only one JSON value that is valid against the schema, nothing else."});
    }
    if (ledger && answer.usage.requests > 0) ledger->add(completer.name(), answer.model, answer.usage);
    return answer;
}

std::string StructuredAnswer::failure(size_t max_bytes) const {
    return status_name(status) + (error.empty() ? "" : ": " + one_line(error, max_bytes));
}

}  // namespace pmx::llm
