// apply_overrides() (explicit options over a parsed prompt) and describe() (one line for --explain).
#include "generate/prompt.hpp"
#include "generate/prompt_tags.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>

#include "generate/genre_taxonomy.hpp"
#include "generate/prompt_detail.hpp"
#include "generate/prompt_names.hpp"
#include "generate/prompt_text.hpp"
#include "util/text.hpp"

namespace pmx::gen {
namespace {

constexpr size_t kMaxIntegerDigits = 6;
constexpr size_t kGenresShown = 3;  // describe(): genres named per genre word before "…"

std::string quoted(std::string_view value) { return "\"" + std::string(value) + "\""; }

[[noreturn]] void fail(std::string_view option, std::string_view expected, std::string_view value) {
    throw OptionError(std::string(option) + ": expected " + std::string(expected) + ", got " + quoted(value));
}

// Plain decimal digits within [low, high].
std::optional<int> integer_in(std::string_view text, int low, int high) {
    if (text.empty() || text.size() > kMaxIntegerDigits) return std::nullopt;
    if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
    const auto value = detail::decimal_number(text);
    if (!value || *value < low || *value > high) return std::nullopt;
    return static_cast<int>(*value);
}

int parse_limit(std::string_view value) {
    const auto count = integer_in(value, 1, kMaxTrackCount);
    if (!count) fail("--limit", "a number of tracks from 1 to 1000", value);
    return *count;
}

int parse_duration(std::string_view value) {
    constexpr std::string_view kExpected =
        "minutes (90) or a length like 45m, 1h30 or 2h, from 1 minute to 24 hours";
    const std::string folded = fold_word(value);
    std::optional<double> minutes = detail::decimal_number(folded);
    if (!minutes) minutes = detail::compact_duration_minutes(folded);
    if (!minutes) fail("--duration", kExpected, value);
    const double seconds = std::round(*minutes * detail::kSecondsPerMinute);
    if (seconds < kMinDurationSeconds || seconds > kMaxDurationSeconds) fail("--duration", kExpected, value);
    return static_cast<int>(seconds);
}

std::vector<YearRange> parse_year(std::string_view value) {
    constexpr std::string_view kExpected =
        "a year (1994), a range (1990-1999) or a decade (1990s, 90s) within 1900-2099";
    const auto tokens = tokenize(value);
    const bool single = tokens.size() == 1;
    const bool range = tokens.size() == 2 && tokens[1].gap.dash && !tokens[1].gap.clause;
    if (!single && !range) fail("--year", kExpected, value);
    const auto first = detail::year_word(tokens.front().folded);
    const auto last = detail::year_word(tokens.back().folded);
    if (!first || !last) fail("--year", kExpected, value);
    if (first->first > last->last) {
        throw OptionError("--year: the range " + quoted(value) + " ends before it starts");
    }
    return detail::to_year_ranges({{first->first, last->last}});
}

int parse_min_rating(std::string_view value) {
    constexpr std::string_view kExpected = "stars from 0 to 5 in half stars (4, 4.5; 0 for none)";
    std::string_view digits = value;
    if (digits.ends_with('+')) digits.remove_suffix(1);  // "4+"
    const auto stars = detail::decimal_number(digits);
    if (!stars || *stars > kMaxRating / kRatingPerStar) fail("--min-rating", kExpected, value);
    const double rating = *stars * kRatingPerStar;
    if (rating != std::floor(rating)) fail("--min-rating", kExpected, value);
    return static_cast<int>(rating);
}

int parse_avoid_recent(std::string_view value) {
    const auto days = integer_in(value, 0, kMaxAvoidRecentDays);
    if (!days) fail("--avoid-recent", "a number of days from 0 to 3650 (0 for none)", value);
    return *days;
}

std::vector<std::string> resolve_names(const NameIndex& index, const std::vector<std::string>& values,
                                       NameKind kind, std::string_view option) {
    std::vector<std::string> names;
    for (const auto& value : values) {
        const auto found = index.resolve(value, kind);
        if (found.empty()) {
            throw OptionError(std::string(option) + ": no " + (kind == NameKind::genre ? "genre " : "artist ") +
                              quoted(std::string_view(value)) + " in the library");
        }
        for (const auto& name : found) {
            if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
        }
    }
    return names;
}

void add_unique(std::vector<std::string>& list, const std::vector<std::string>& names) {
    for (const auto& name : names) {
        if (std::find(list.begin(), list.end(), name) == list.end()) list.push_back(name);
    }
}

// --genre/--exclude-genre: each value as a genre word of the prompt (expanded with a taxonomy),
// appending how it was read to `words`.
std::vector<std::string> resolve_genres(const NameIndex& index, const std::vector<std::string>& values,
                                        std::string_view option, bool excluded, std::vector<GenreWord>& words) {
    std::vector<std::string> names;
    for (const auto& value : values) {
        const NameMatch found = index.read(value, NameKind::genre);
        if (found.length == 0) {
            std::string message =
                std::string(option) + ": no genre " + quoted(std::string_view(value)) + " in the library";
            if (found.unknown_length > 0) message += " (read as " + found.read_as + ")";
            throw OptionError(message);
        }
        add_unique(names, found.names);
        if (!found.read_as.empty()) words.push_back({value, found.read_as, found.names, excluded});
    }
    return names;
}

// --genre-exact: the mirror genre of that name, not expanded.
std::vector<std::string> resolve_exact_genres(const Vocabulary& vocab, const std::vector<std::string>& values) {
    std::vector<std::string> names;
    for (const auto& value : values) {
        const auto found = exact_genres(vocab, value);
        if (found.empty()) {
            throw OptionError("--genre-exact: no genre " + quoted(std::string_view(value)) + " in the library");
        }
        add_unique(names, found);
    }
    return names;
}

void remove_all(std::vector<std::string>& list, const std::vector<std::string>& names) {
    std::erase_if(list, [&](const std::string& name) {
        return std::find(names.begin(), names.end(), name) != names.end();
    });
}

// A genre word whose genres an option took off its side no longer explains anything.
void drop_unused_words(PlaylistRequest& request) {
    std::erase_if(request.genre_words, [&](const GenreWord& word) {
        const auto& list = word.excluded ? request.exclude_genres : request.genres;
        return std::none_of(word.genres.begin(), word.genres.end(), [&](const std::string& genre) {
            return std::find(list.begin(), list.end(), genre) != list.end();
        });
    });
}

// ---- describe() ----

std::string join(const std::vector<std::string>& items) {
    std::string text;
    for (const auto& item : items) {
        if (!text.empty()) text += ", ";
        text += item;
    }
    return text;
}

std::string years_text(const std::vector<YearRange>& ranges) {
    std::vector<std::string> parts;
    for (const YearRange& range : ranges) {
        if (range.first && range.last) {
            parts.push_back(*range.first == *range.last
                                ? std::to_string(*range.first)
                                : std::to_string(*range.first) + "\u2013" + std::to_string(*range.last));
        } else if (range.last) {
            parts.push_back("\u2264 " + std::to_string(*range.last));
        } else if (range.first) {
            parts.push_back("\u2265 " + std::to_string(*range.first));
        }
    }
    return "years " + join(parts);
}

std::string stars_text(int rating) {
    std::string text = std::to_string(rating / kRatingPerStar);
    if (rating % kRatingPerStar != 0) text += ".5";
    return text + "\u2605";
}

std::string length_text(int seconds) {
    const int minutes = static_cast<int>(std::lround(static_cast<double>(seconds) / detail::kSecondsPerMinute));
    const int hours = minutes / detail::kMinutesPerHour;
    const int rest = minutes % detail::kMinutesPerHour;
    if (hours == 0) return std::to_string(rest) + " min";
    if (rest == 0) return std::to_string(hours) + " h";
    return std::to_string(hours) + " h " + std::to_string(rest) + " min";
}

std::string counted(int count, std::string_view noun) {
    return std::to_string(count) + " " + std::string(noun) + (count == 1 ? "" : "s");
}


bool contains(const std::vector<std::string>& list, const std::string& item) {
    return std::find(list.begin(), list.end(), item) != list.end();
}

// A genre word and the genres of it the request kept: "Jazz" (the word spells its one genre),
// "prog → Progressive Rock", "jazz → 14 genres (Acid Jazz, Bebop, Cool Jazz, …)".
std::string genre_word_text(const GenreWord& word, const std::vector<std::string>& shown) {
    if (shown.size() == 1) {
        if (genre_key(shown.front()) == genre_key(word.word)) return shown.front();
        return word.word + " \u2192 " + shown.front();
    }
    std::string text = word.word + " \u2192 " + std::to_string(shown.size()) + " genres (";
    for (size_t i = 0; i < shown.size() && i < kGenresShown; ++i) text += (i > 0 ? ", " : "") + shown[i];
    return text + (shown.size() > kGenresShown ? ", \u2026)" : ")");
}

// The genres of one side (included or excluded): by the words that gave them, then any other.
std::string genres_text(const PlaylistRequest& request, bool excluded) {
    const auto& list = excluded ? request.exclude_genres : request.genres;
    std::vector<std::string> parts, covered;
    for (const GenreWord& word : request.genre_words) {
        if (word.excluded != excluded) continue;
        std::vector<std::string> shown;
        for (const auto& genre : word.genres) {
            if (contains(list, genre)) shown.push_back(genre);
        }
        if (shown.empty()) continue;
        parts.push_back(genre_word_text(word, shown));
        add_unique(covered, shown);
    }
    for (const auto& genre : list) {
        if (!contains(covered, genre)) parts.push_back(genre);
    }
    return join(parts);
}

}  // namespace

PlaylistRequest apply_overrides(PlaylistRequest request, const CliOptions& options, const Vocabulary& vocab) {
    if (options.limit) request.track_count = parse_limit(*options.limit);
    if (options.duration) request.duration_seconds = parse_duration(*options.duration);
    if (options.year) request.years = parse_year(*options.year);
    if (options.min_rating) request.min_rating = parse_min_rating(*options.min_rating);
    if (options.avoid_recent) request.avoid_recent_days = parse_avoid_recent(*options.avoid_recent);
    if (options.favourites) request.favourites = true;
    for (const auto& source : options.sources) {
        if (source.empty()) throw OptionError("--source: expected the name of a configured media source");
    }
    if (!options.sources.empty()) request.sources = options.sources;

    const bool names = !options.genres.empty() || !options.exact_genres.empty() || !options.exclude_genres.empty() ||
                       !options.artists.empty();
    if (!names) return request;
    const NameIndex index(vocab);
    if (!options.genres.empty() || !options.exact_genres.empty()) {
        std::vector<GenreWord> words;
        request.genres = resolve_genres(index, options.genres, "--genre", false, words);
        add_unique(request.genres, resolve_exact_genres(vocab, options.exact_genres));
        remove_all(request.exclude_genres, request.genres);
        std::erase_if(request.genre_words, [](const GenreWord& word) { return !word.excluded; });
        request.genre_words.insert(request.genre_words.end(), words.begin(), words.end());
    }
    if (!options.exclude_genres.empty()) {
        std::vector<GenreWord> words;
        request.exclude_genres = resolve_genres(index, options.exclude_genres, "--exclude-genre", true, words);
        remove_all(request.genres, request.exclude_genres);
        std::erase_if(request.genre_words, [](const GenreWord& word) { return word.excluded; });
        request.genre_words.insert(request.genre_words.end(), words.begin(), words.end());
    }
    drop_unused_words(request);
    if (!options.artists.empty()) {
        request.artists = resolve_names(index, options.artists, NameKind::artist, "--artist");
        remove_all(request.exclude_artists, request.artists);
    }
    return request;
}

std::string describe(const PlaylistRequest& request) {
    std::vector<std::string> parts;
    if (!request.years.empty()) parts.push_back(years_text(request.years));
    if (!request.genres.empty()) parts.push_back("genres: " + genres_text(request, false));
    if (!request.exclude_genres.empty()) parts.push_back("not: " + genres_text(request, true));
    if (!request.artists.empty()) parts.push_back("by: " + join(request.artists));
    if (!request.exclude_artists.empty()) parts.push_back("not by: " + join(request.exclude_artists));
    if (request.min_rating > 0) parts.push_back("\u2265 " + stars_text(request.min_rating));
    if (request.favourites) parts.push_back("favourites");
    if (request.duration_seconds > 0) parts.push_back(length_text(request.duration_seconds));
    if (request.track_count > 0) parts.push_back(counted(request.track_count, "track"));
    if (request.exclude_live) parts.push_back("no live");
    if (request.unplayed) parts.push_back("unplayed");
    if (request.avoid_recent_days > 0) parts.push_back("not played in " + counted(request.avoid_recent_days, "day"));
    if (request.not_played_since > 0) parts.push_back("not played since " + local_day_text(request.not_played_since));
    if (request.played_since > 0) parts.push_back("played since " + local_day_text(request.played_since));
    if (request.per_artist > 0) parts.push_back("\u2264 " + std::to_string(request.per_artist) + " per artist");
    if (request.per_album > 0) parts.push_back("\u2264 " + std::to_string(request.per_album) + " per album");
    if (!request.sources.empty()) parts.push_back("sources: " + join(request.sources));
    if (!request.tags.empty()) {
        std::vector<std::string> tags;  // ranking, then only, then not
        for (const auto use : {TagWord::Use::rank, TagWord::Use::only, TagWord::Use::exclude}) {
            for (const TagWord& t : request.tags) {
                if (t.use == use) tags.push_back(describe(t));
            }
        }
        parts.push_back("tags: " + join(tags));
    }
    if (!request.seeds.empty()) {
        std::vector<std::string> seeds;
        for (const SeedWord& seed : request.seeds) {
            seeds.push_back(seed.title.empty() ? seed.artists.front()
                                               : seed.title + (seed.artists.empty() ? "" : " by " + seed.artists.front()));
        }
        parts.push_back("like: " + join(seeds));
    }
    if (!request.mood_query.empty()) parts.push_back("mood: " + request.mood_query);
    if (parts.empty()) return "whole library";
    std::string text;
    for (const auto& part : parts) {
        if (!text.empty()) text += " \u00b7 ";
        text += part;
    }
    return text;
}

}  // namespace pmx::gen
