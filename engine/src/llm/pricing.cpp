// The built-in price table, config overrides, and how usage and cost read.
#include "llm/pricing.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "config/config.hpp"

namespace pmx::llm {
namespace {

struct Entry {
    std::string_view plugin;
    std::string_view model;  // the family: dated and "-latest" ids match it
    Price price;
};

// List prices per million tokens (standard tier, text, prompts up to 200k tokens), as the
// providers' pricing pages state them (checked December 2026). Providers change prices: a
// config's price_in / price_out wins over this table.
constexpr Entry kPrices[] = {
    // OpenAI chat
    {"openai", "gpt-4o-mini", {0.15, 0.60}},
    {"openai", "gpt-4o", {2.50, 10.00}},
    {"openai", "gpt-4.1-nano", {0.10, 0.40}},
    {"openai", "gpt-4.1-mini", {0.40, 1.60}},
    {"openai", "gpt-4.1", {2.00, 8.00}},
    {"openai", "gpt-5-nano", {0.05, 0.40}},
    {"openai", "gpt-5-mini", {0.25, 2.00}},
    {"openai", "gpt-5", {1.25, 10.00}},
    {"openai", "o4-mini", {1.10, 4.40}},
    {"openai", "o3-mini", {1.10, 4.40}},
    // OpenAI embeddings
    {"openai", "text-embedding-3-small", {0.02, 0}},
    {"openai", "text-embedding-3-large", {0.13, 0}},
    {"openai", "text-embedding-ada-002", {0.10, 0}},
    // Gemini
    {"gemini", "gemini-2.5-flash-lite", {0.10, 0.40}},
    {"gemini", "gemini-2.5-flash", {0.30, 2.50}},
    {"gemini", "gemini-2.5-pro", {1.25, 10.00}},
    {"gemini", "gemini-2.0-flash-lite", {0.075, 0.30}},
    {"gemini", "gemini-2.0-flash", {0.10, 0.40}},
    {"gemini", "gemini-embedding-001", {0.15, 0}},
    // Claude
    {"claude", "claude-haiku-4-5", {1.00, 5.00}},
    {"claude", "claude-sonnet-4-5", {3.00, 15.00}},
    {"claude", "claude-sonnet-4", {3.00, 15.00}},
    {"claude", "claude-opus-4-5", {5.00, 25.00}},
    {"claude", "claude-opus-4-1", {15.00, 75.00}},
    {"claude", "claude-3-5-haiku", {0.80, 4.00}},
    {"claude", "claude-3-haiku", {0.25, 1.25}},
    // Cohere
    {"cohere", "command-a-03-2025", {2.50, 10.00}},
    {"cohere", "command-r-plus-08-2024", {2.50, 10.00}},
    {"cohere", "command-r-08-2024", {0.15, 0.60}},
    {"cohere", "command-r7b-12-2024", {0.0375, 0.15}},
    {"cohere", "embed-v4.0", {0.12, 0}},
    {"cohere", "embed-english-v3.0", {0.10, 0}},
    {"cohere", "embed-multilingual-v3.0", {0.10, 0}},
    {"cohere", "embed-english-light-v3.0", {0.10, 0}},
    {"cohere", "embed-multilingual-light-v3.0", {0.10, 0}},
};

// True when `model` is `family` itself or a snapshot of it: "-latest", or "-" and a digit
// ("-20251001", "-2024-07-18"). "gpt-4o-audio-preview" is not gpt-4o: another price.
bool is_snapshot_of(std::string_view model, std::string_view family) {
    if (!model.starts_with(family)) return false;
    const std::string_view rest = model.substr(family.size());
    if (rest.empty() || rest == "-latest") return true;
    return rest.size() >= 2 && rest[0] == '-' && std::isdigit(static_cast<unsigned char>(rest[1]));
}

}  // namespace

std::string with_commas(uint64_t n) {
    std::string digits = std::to_string(n);
    for (int at = static_cast<int>(digits.size()) - 3; at > 0; at -= 3) digits.insert(static_cast<size_t>(at), ",");
    return digits;
}

std::optional<Price> builtin_price(std::string_view plugin, std::string_view model) {
    if (model.starts_with("models/")) model.remove_prefix(7);  // Gemini's resource names
    model = model.substr(0, model.find('@'));                  // a shortened embedder: "name@256"
    const Entry* best = nullptr;
    for (const Entry& e : kPrices) {
        if (e.plugin != plugin || !is_snapshot_of(model, e.model)) continue;
        if (!best || e.model.size() > best->model.size()) best = &e;
    }
    if (!best) return std::nullopt;
    return best->price;
}

ModelPrice price_of(const Config& config, std::string_view provider, std::string_view model) {
    const ProviderConfig* p = config.find_provider(provider);
    const std::optional<Price> builtin = p ? builtin_price(p->plugin, model) : std::nullopt;
    if (p && (p->price_in || p->price_out)) {
        const Price base = builtin.value_or(Price{});
        return {{p->price_in.value_or(base.input_per_million), p->price_out.value_or(base.output_per_million)},
                PriceOrigin::configured};
    }
    if (builtin) return {*builtin, PriceOrigin::builtin};
    return {};
}

double cost_usd(const Usage& usage, const Price& price) {
    return (static_cast<double>(usage.input_tokens) * price.input_per_million +
            static_cast<double>(usage.output_tokens) * price.output_per_million) /
           1e6;
}

std::string format_usd(double usd) {
    if (usd <= 0) return "$0";
    if (usd < 0.0001) return "under $0.0001";
    char text[32];
    // Two significant digits below a cent, cents above.
    if (usd < 0.01) std::snprintf(text, sizeof text, "$%.2g", usd);
    else if (usd < 100) std::snprintf(text, sizeof text, "$%.2f", usd);
    else std::snprintf(text, sizeof text, "$%.0f", usd);
    std::string out = text;
    // %g may print 0.0012 as 0.0012 or 1.2e-03 depending on the value: keep it decimal.
    if (out.find('e') != std::string::npos) {
        std::snprintf(text, sizeof text, "$%.6f", usd);
        out = text;
        while (out.back() == '0') out.pop_back();
    }
    return out;
}

uint64_t estimate_tokens(std::string_view text) {
    return (static_cast<uint64_t>(text.size()) + 3) / 4;
}

std::vector<PricedUsage> priced(const Config& config, const UsageLedger& ledger) {
    std::vector<PricedUsage> out;
    for (const auto& [key, usage] : ledger.entries()) {
        PricedUsage line{key.first, key.second, usage, price_of(config, key.first, key.second), 0};
        if (line.price.known()) line.cost = cost_usd(usage, line.price.price);
        out.push_back(std::move(line));
    }
    return out;
}

std::string usage_line(const PricedUsage& u) {
    // An embedder's usage is input only: "1,234 tokens".
    std::string line = with_commas(u.usage.input_tokens);
    if (u.usage.output_tokens > 0) line += " in + " + with_commas(u.usage.output_tokens) + " out";
    line += " tokens";
    if (u.usage.requests > 0) {
        line += " in " + with_commas(u.usage.requests) + (u.usage.requests == 1 ? " request" : " requests");
    }
    if (u.price.known()) {
        line += ", " + format_usd(u.cost);
        if (u.price.origin == PriceOrigin::configured) line += " (configured prices)";
    } else {
        line += ", cost unknown (set price_in and price_out of provider " + u.provider + ")";
    }
    return line;
}

}  // namespace pmx::llm
