// What LLM tokens cost: a built-in price table for the default models, overridable per provider.
#pragma once

// Prices are US dollars per million tokens, input and output apart (embedders have only
// input). The built-in table holds the list prices of each plugin's default models and their
// common siblings, as the providers published them (see pricing.cpp for the date); a model it
// does not know has no price unless the provider's config sets `price_in` / `price_out`
// (a local server: `price_in: 0`). Costs are shown as estimates before long work and as
// actuals after; an unknown price is said, never guessed.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "llm/structured_call.hpp"

namespace pmx {
struct Config;
}

namespace pmx::llm {

struct Price {
    double input_per_million = 0;   // USD per 1,000,000 input tokens
    double output_per_million = 0;  // USD per 1,000,000 output tokens
};

enum class PriceOrigin {
    configured,  // the provider's price_in / price_out
    builtin,     // the built-in table
    unknown,     // neither: no cost can be given
};

struct ModelPrice {
    Price price;
    PriceOrigin origin = PriceOrigin::unknown;

    bool known() const { return origin != PriceOrigin::unknown; }
};

// The built-in price of `model` served by `plugin` ("openai", "gemini", "claude", "cohere"). A
// dated or suffixed id is priced as its family ("claude-haiku-4-5-20251001", "gpt-4o-mini-2024-07-18"),
// an embedder's shortened space as its model ("text-embedding-3-small@256").
std::optional<Price> builtin_price(std::string_view plugin, std::string_view model);

// The price of `model` through the provider named `provider` in `config`: its price_in /
// price_out when set (a setting given alone keeps the built-in other half, or 0), else the
// built-in table, else unknown.
ModelPrice price_of(const Config& config, std::string_view provider, std::string_view model);

// USD for `usage` at `price`.
double cost_usd(const Usage& usage, const Price& price);

// "$0.42", "$0.0031", "$12.50", "under $0.0001": enough digits to be useful for small sums.
std::string format_usd(double usd);

// "1,234,567": counts as the usage lines print them.
std::string with_commas(uint64_t n);

// A rough token count of `text` for estimates and request sizing: one token per 4 bytes,
// rounded up (over-counts non-Latin text, which errs on the safe side for sizing).
uint64_t estimate_tokens(std::string_view text);

// The usage of a run, priced: one line per provider and model.
struct PricedUsage {
    std::string provider;
    std::string model;
    Usage usage;
    ModelPrice price;
    double cost = 0;  // when price.known()
};
std::vector<PricedUsage> priced(const Config& config, const UsageLedger& ledger);

// "1,234 in + 567 out tokens in 3 requests, $0.0042" ("1,234 tokens ..." for input only; "...,
// cost unknown (set price_in and price_out of provider NAME)"): one line for a PricedUsage.
std::string usage_line(const PricedUsage& usage);

}  // namespace pmx::llm
