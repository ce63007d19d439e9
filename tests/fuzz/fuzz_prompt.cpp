// Fuzz target: the prompt parser (engine/src/generate/prompt.hpp). Input: the prompt on the
// first line, then optional `option=value` lines for the explicit options (limit, duration,
// genre, exclude-genre, year, min-rating, artist, avoid-recent, source) applied over it. The
// parser never fails; every request it returns must keep the promises of PlaylistRequest.
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "generate/genre_taxonomy.hpp"
#include "generate/prompt.hpp"

namespace {

using pmx::fuzz::check;
namespace gen = pmx::gen;

// A small mirror like the one tests/generate reads against: accents, punctuation, "The", a
// CJK name, bands called Live and Love, a genre that contains another.
const gen::Vocabulary& mirror() {
    static const gen::Vocabulary vocab{
        {"Jazz", "Rock", "Metal", "Hip-Hop", "R&B", "Electronic", "Bossa Nova", "Classical", "Pop", "Country",
         "Blues", "Soundtrack", "Singer/Songwriter", "Rock & Roll", "K-Pop", "M\u00fasica Popular Brasileira",
         "Punk", "Ballad", "Jazz Rock", "Soul"},
        {"The Beatles", "Beyonc\u00e9", "Miles Davis", "Metallica", "Simon & Garfunkel", "Sigur R\u00f3s", "R.E.M.",
         "AC/DC", "Live", "The Who", "Bj\u00f6rk", "\u5b87\u591a\u7530\u30d2\u30ab\u30eb", "John Coltrane", "Queen",
         "Love", "Crosby, Stills, Nash & Young", "Nina Simone"},
    };
    return vocab;
}

// The same mirror read through the installed genre tree (the build tree's copy of beets'),
// when it can be read; else the plain mirror again.
const gen::Vocabulary& mirror_with_tree() {
    static const gen::Vocabulary vocab = [] {
        gen::Vocabulary v = mirror();
        v.taxonomy = gen::installed_genre_taxonomy();
        return v;
    }();
    return vocab;
}

// A fixed clock: plays and two-digit years read the same on every run.
constexpr std::int64_t kNow = 1781697600;  // 2026-06-17

// Well-formed UTF-8 (no overlong forms, no surrogates, at most U+10FFFF).
bool valid_utf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = 0;
        unsigned min = 0;
        unsigned cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 1, min = 0x80, cp = c & 0x1Fu;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2, min = 0x800, cp = c & 0x0Fu;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3, min = 0x10000, cp = c & 0x07u;
        } else {
            return false;
        }
        if (s.size() - i <= n) return false;
        for (std::size_t k = 1; k <= n; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3Fu);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += n + 1;
    }
    return true;
}

bool all_in(const std::vector<std::string>& names, const std::vector<std::string>& known) {
    return std::all_of(names.begin(), names.end(), [&](const std::string& name) {
        return std::find(known.begin(), known.end(), name) != known.end();
    });
}

void check_request(const gen::PlaylistRequest& r, bool utf8_prompt) {
    const gen::Vocabulary& vocab = mirror();
    for (std::size_t i = 0; i < r.years.size(); ++i) {
        const gen::YearRange& y = r.years[i];
        check(y.first || y.last, "a year range open at both ends (an empty list means any year)");
        check(!y.first || !y.last || *y.first <= *y.last, "a year range that ends before it starts");
        if (i > 0) {
            const gen::YearRange& before = r.years[i - 1];
            check(before.last && y.first, "an open year range inside the list");
            check(*before.last + 1 < *y.first, "year ranges not sorted, overlapping or adjacent");
        }
    }
    check(all_in(r.genres, vocab.genres), "a genre that is not the mirror's");
    check(all_in(r.exclude_genres, vocab.genres), "an excluded genre that is not the mirror's");
    check(all_in(r.artists, vocab.artists), "an artist who is not the mirror's");
    check(all_in(r.exclude_artists, vocab.artists), "an excluded artist who is not the mirror's");
    check(r.min_rating >= 0 && r.min_rating <= gen::kMaxRating, "a rating floor off the 0-10 scale");
    check(r.track_count >= 0 && r.track_count <= gen::kMaxTrackCount, "a track count out of range");
    check(r.duration_seconds == 0 ||
              (r.duration_seconds >= gen::kMinDurationSeconds && r.duration_seconds <= gen::kMaxDurationSeconds),
          "a duration out of range");
    check(r.avoid_recent_days >= 0 && r.avoid_recent_days <= gen::kMaxAvoidRecentDays,
          "an avoid-recent window out of range");
    check(r.per_artist >= 0 && r.per_artist <= gen::kMaxTrackCount, "a per-artist cap out of range");
    check(r.per_album >= 0 && r.per_album <= gen::kMaxTrackCount, "a per-album cap out of range");
    check(r.played_since >= 0 && r.played_since <= kNow, "a played-since time after the clock");
    check(r.not_played_since >= 0 && r.not_played_since <= kNow, "a not-played-since time after the clock");
    for (const auto& word : r.genre_words) check(all_in(word.genres, vocab.genres), "a genre word's genre is not the mirror's");
    const std::string& mood = r.mood_query;
    check(mood.empty() || (mood.front() != ' ' && mood.back() != ' '), "the mood query has outer spaces");
    check(mood.find("  ") == std::string::npos, "the mood query is not joined by single spaces");
    if (utf8_prompt) {
        check(valid_utf8(mood), "the mood query of a UTF-8 prompt is not UTF-8");
        for (const std::string& note : r.notes) check(valid_utf8(note), "a note on a UTF-8 prompt is not UTF-8");
        for (const std::string& phrase : r.unparsed) check(valid_utf8(phrase), "an unparsed phrase is not UTF-8");
        check(valid_utf8(gen::describe(r)), "describe() of a UTF-8 prompt is not UTF-8");
    } else {
        gen::describe(r);
    }
}

// `name=value` lines into the options of `plexmix create`.
gen::CliOptions options_of(std::string_view lines) {
    gen::CliOptions options;
    while (!lines.empty()) {
        const std::size_t newline = lines.find('\n');
        const std::string_view line = lines.substr(0, newline);
        lines.remove_prefix(newline == std::string_view::npos ? lines.size() : newline + 1);
        const std::size_t equals = line.find('=');
        if (equals == std::string_view::npos) continue;
        const std::string_view name = line.substr(0, equals);
        std::string value(line.substr(equals + 1));
        if (name == "limit") options.limit = value;
        else if (name == "duration") options.duration = value;
        else if (name == "genre") options.genres.push_back(value);
        else if (name == "exclude-genre") options.exclude_genres.push_back(value);
        else if (name == "year") options.year = value;
        else if (name == "min-rating") options.min_rating = value;
        else if (name == "artist") options.artists.push_back(value);
        else if (name == "avoid-recent") options.avoid_recent = value;
        else if (name == "source") options.sources.push_back(value);
    }
    return options;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input = pmx::fuzz::as_text(data, size);
    const std::size_t newline = input.find('\n');
    const std::string_view prompt = input.substr(0, newline);
    const bool utf8 = valid_utf8(input);  // the option values too: describe() shows --source names

    const gen::PlaylistRequest request = gen::parse_prompt(prompt, mirror(), kNow);
    check(request == gen::parse_prompt(prompt, mirror(), kNow), "the same prompt read twice gave two requests");
    check_request(request, utf8);
    const gen::PlaylistRequest with_tree = gen::parse_prompt(prompt, mirror_with_tree(), kNow);
    check(with_tree == gen::parse_prompt(prompt, mirror_with_tree(), kNow), "the same prompt read twice gave two requests");
    check_request(with_tree, utf8);

    if (newline == std::string_view::npos) return 0;
    const gen::CliOptions options = options_of(input.substr(newline + 1));
    try {
        const gen::PlaylistRequest overridden = gen::apply_overrides(request, options, mirror());
        check_request(overridden, utf8);
        check(overridden.sources == options.sources || options.sources.empty(), "--source was not applied");
    } catch (const gen::OptionError& error) {
        check(*error.what() != '\0', "an option error without a message");
    }
    return 0;
}
