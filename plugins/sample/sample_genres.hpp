// sample: the genre profiles (era, durations, naming style, vocabulary) the library is made from.
#pragma once

#include <cstddef>
#include <string_view>

namespace pmx::sample {

// A constant list of words (points at a static array).
struct Words {
    const std::string_view* items = nullptr;
    std::size_t count = 0;

    constexpr Words() noexcept = default;
    template <std::size_t N>
    constexpr Words(const std::string_view (&words)[N]) noexcept : items(words), count(N) {}

    constexpr std::size_t size() const noexcept { return count; }
    constexpr bool empty() const noexcept { return count == 0; }
    constexpr std::string_view operator[](std::size_t i) const noexcept { return items[i]; }
    constexpr const std::string_view* begin() const noexcept { return items; }
    constexpr const std::string_view* end() const noexcept { return items + count; }
};

// How artists of a genre are named.
enum class NameStyle {
    person,       // "Marisol Navarro"
    jazz_group,   // "Ezra Pemberton Quartet" or a person
    band,         // "The Copper Lanterns"
    punk_band,    // "Rusty Razors"
    metal_band,   // "Stormforge"
    producer,     // "Lumisphere"
    dj,           // "DJ Oronix"
    rapper,       // "MC Kasso"
    lofi,         // "sleepy fox", "夜の窓"
    ensemble,     // "Orchestre de Lysandre", "Hartigan String Quartet"
};

// Release years: a quarter of the albums anywhere in [from, to], the rest in the genre's
// core years [core_from, core_to] (jazz: 1955–2020, mostly 1955–1969).
struct Era {
    int from, to, core_from, core_to;
};

// Track durations in seconds: triangular on [min, max] with its mode at `mode`.
struct Durations {
    int min, mode, max;
};

struct GenreProfile {
    std::string_view name;
    Era era;
    Durations seconds;
    NameStyle style;
    int weight;            // how common artists of this genre are, relative
    bool features;         // "A feat. B" is common (hip-hop, R&B, house...)
    Words moods;           // adjectives: "Smoky", "Rainy"
    Words things;          // nouns: "Corner", "Saxophone"
    Words scenes;          // suffixes: "at Midnight", "in the Rain"
    Words phrases;         // whole titles: "Late Set at the Lantern"
    Words related;         // genres an album may carry as its second genre
};

// Every genre, in a fixed order. classical_forms() etc. serve the classical title builder.
const GenreProfile* genre_profiles() noexcept;
std::size_t genre_count() noexcept;

// Index of `name` in genre_profiles(), or genre_count() when unknown.
std::size_t genre_index(std::string_view name) noexcept;

// Word lists shared by every genre.
namespace words {
Words first_names() noexcept;
Words last_names() noexcept;
Words cities() noexcept;          // invented or generic places, for ensembles
Words venues() noexcept;          // "Harbor Hall", "Café Montmartre"
Words band_adjectives() noexcept;
Words band_nouns() noexcept;      // plural
Words punk_adjectives() noexcept;
Words punk_nouns() noexcept;
Words metal_heads() noexcept;     // "Iron", "Storm"
Words metal_tails() noexcept;     // "forge", "crypt"
Words syllables() noexcept;       // producer names are built from two or three
Words endings() noexcept;
Words rapper_prefixes() noexcept;
Words rapper_handles() noexcept;
Words lofi_names() noexcept;      // lower-case, some in Japanese
Words group_kinds() noexcept;     // "Trio", "Quartet"
Words compilation_words() noexcept;
Words classical_forms() noexcept;
Words classical_keys() noexcept;
Words classical_movements() noexcept;
}  // namespace words

}  // namespace pmx::sample
