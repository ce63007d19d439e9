// Prices and usage: the built-in table, config overrides (price_in / price_out), and how usage
// and cost read.
#include <catch2/catch.hpp>

#include "config/config.hpp"
#include "config/config_error.hpp"
#include "config/render.hpp"
#include "llm/pricing.hpp"

using namespace pmx;

namespace {

Config config_of(const std::string& yaml) {
    return load_config_from_string(yaml, "prices.yaml");
}

std::string load_error(const std::string& yaml) {
    try {
        config_of(yaml);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return {};
}

}  // namespace

TEST_CASE("builtin_price knows each plugin's default models", "[llm][price]") {
    // The defaults the four plugins ship with (plugins/*/..._plugin.cpp).
    const std::pair<const char*, const char*> defaults[] = {
        {"openai", "gpt-4o-mini"},         {"openai", "text-embedding-3-small"},
        {"gemini", "gemini-2.5-flash"},    {"gemini", "gemini-embedding-001"},
        {"claude", "claude-haiku-4-5"},    {"cohere", "command-a-03-2025"},
        {"cohere", "embed-v4.0"},
    };
    for (const auto& [plugin, model] : defaults) {
        INFO(plugin << " " << model);
        const auto price = llm::builtin_price(plugin, model);
        REQUIRE(price);
        CHECK(price->input_per_million > 0);
    }
    CHECK(llm::builtin_price("openai", "gpt-4o-mini")->output_per_million == Approx(0.60));
    CHECK(llm::builtin_price("claude", "claude-haiku-4-5")->input_per_million == Approx(1.00));
    CHECK(llm::builtin_price("openai", "text-embedding-3-small")->output_per_million == 0);  // embedders: input only
}

TEST_CASE("builtin_price: snapshots are priced as their family, other variants are not guessed", "[llm][price]") {
    CHECK(llm::builtin_price("openai", "gpt-4o-mini-2024-07-18")->input_per_million == Approx(0.15));
    CHECK(llm::builtin_price("openai", "gpt-4o-2024-08-06")->input_per_million == Approx(2.50));  // not gpt-4o-mini
    CHECK(llm::builtin_price("claude", "claude-haiku-4-5-20251001")->output_per_million == Approx(5.00));
    CHECK(llm::builtin_price("claude", "claude-sonnet-4-5-latest"));
    CHECK(llm::builtin_price("gemini", "models/gemini-2.5-flash"));
    CHECK(llm::builtin_price("openai", "text-embedding-3-small@256")->input_per_million == Approx(0.02));
    CHECK(llm::builtin_price("gemini", "gemini-2.5-flash-lite")->input_per_million == Approx(0.10));  // longest family
    CHECK_FALSE(llm::builtin_price("openai", "gpt-4o-audio-preview"));  // another product, another price
    CHECK_FALSE(llm::builtin_price("openai", "llama3.1"));              // a local model
    CHECK_FALSE(llm::builtin_price("cohere", "gpt-4o-mini"));           // prices are per plugin
}

TEST_CASE("price_of: the provider's price_in / price_out win over the table, and unknown stays unknown", "[llm][price]") {
    const Config config = config_of(
        "providers:\n"
        "  oa: { plugin: openai }\n"
        "  discounted: { plugin: openai, price_in: 0.1 }\n"
        "  ollama: { plugin: openai, base_url: 'http://localhost:11434/v1', price_in: 0, price_out: 0 }\n"
        "  other: { plugin: openai }\n");
    const auto builtin = llm::price_of(config, "oa", "gpt-4o-mini");
    CHECK(builtin.origin == llm::PriceOrigin::builtin);
    CHECK(builtin.price.output_per_million == Approx(0.60));

    const auto half = llm::price_of(config, "discounted", "gpt-4o-mini");
    CHECK(half.origin == llm::PriceOrigin::configured);
    CHECK(half.price.input_per_million == Approx(0.1));
    CHECK(half.price.output_per_million == Approx(0.60));  // the half not set keeps the table's

    const auto local = llm::price_of(config, "ollama", "llama3.1");
    CHECK(local.known());
    CHECK(llm::cost_usd({1'000'000, 1'000'000, 3}, local.price) == 0);

    CHECK_FALSE(llm::price_of(config, "other", "llama3.1").known());
    CHECK_FALSE(llm::price_of(config, "not-configured", "gpt-4o-mini").known());
}

TEST_CASE("price_in and price_out must be dollars per million tokens", "[llm][price][config]") {
    for (const char* bad : {"-1", "$0.15", "1e3", "cheap", "0.15/M", "5000"}) {
        INFO(bad);
        const std::string error =
            load_error(std::string("providers:\n  oa: { plugin: openai, price_out: '") + bad + "' }\n");
        CHECK_THAT(error, Catch::Contains("prices.yaml:2:") &&
                              Catch::Contains("\"price_out\" of provider \"oa\" must be US dollars per million tokens"));
    }
    const Config config = config_of("providers:\n  oa: { plugin: openai, price_in: 2.5, price_out: '10' }\n");
    const ProviderConfig& oa = *config.find_provider("oa");
    CHECK(*oa.price_in == Approx(2.5));
    CHECK(*oa.price_out == Approx(10));
    CHECK(oa.find_setting("price_in") == nullptr);  // host-owned: never handed to the plugin
}

TEST_CASE("config show prints configured prices as written", "[llm][price][config]") {
    const Config config = config_of("providers:\n  oa: { plugin: openai, price_in: 0.15, price_out: 0.6 }\n");
    const std::string text = render_config(config, {});
    CHECK_THAT(text, Catch::Contains("price_in: 0.15\n") && Catch::Contains("price_out: 0.6\n"));
    // And it loads back to the same prices.
    const Config again = config_of(text);
    CHECK(*again.find_provider("oa")->price_in == Approx(0.15));
}

TEST_CASE("cost_usd and format_usd: small sums keep their digits", "[llm][price]") {
    const llm::Price mini{0.15, 0.60};
    CHECK(llm::cost_usd({1'000'000, 0, 1}, mini) == Approx(0.15));
    CHECK(llm::cost_usd({200'000, 50'000, 10}, mini) == Approx(0.06));
    CHECK(llm::format_usd(0) == "$0");
    CHECK(llm::format_usd(0.00003) == "under $0.0001");
    CHECK(llm::format_usd(0.0042) == "$0.0042");
    CHECK(llm::format_usd(0.06) == "$0.06");
    CHECK(llm::format_usd(12.5) == "$12.50");
    CHECK(llm::format_usd(1234.4) == "$1234");
}

TEST_CASE("priced usage reads as tokens, requests and cost, or says how to give a price", "[llm][price]") {
    const Config config = config_of("providers:\n  oa: { plugin: openai }\n  local: { plugin: openai }\n");
    llm::UsageLedger ledger;
    ledger.add("oa", "gpt-4o-mini", {120'000, 30'000, 12});
    ledger.add("local", "llama3.1", {5'000, 900, 2});
    const auto lines = llm::priced(config, ledger);
    REQUIRE(lines.size() == 2);
    const auto& local = lines[0].provider == "local" ? lines[0] : lines[1];
    const auto& oa = lines[0].provider == "oa" ? lines[0] : lines[1];
    CHECK(oa.cost == Approx(0.036));
    CHECK(llm::usage_line(oa) == "120,000 in + 30,000 out tokens in 12 requests, $0.04");
    CHECK(llm::usage_line(local) ==
          "5,000 in + 900 out tokens in 2 requests, cost unknown (set price_in and price_out of provider local)");
}

TEST_CASE("estimate_tokens counts one token per 4 bytes, rounded up", "[llm][price]") {
    CHECK(llm::estimate_tokens("") == 0);
    CHECK(llm::estimate_tokens("abc") == 1);
    CHECK(llm::estimate_tokens("Midnight River — Miles Davis") == 8);  // 30 bytes (the dash is 3)
}
