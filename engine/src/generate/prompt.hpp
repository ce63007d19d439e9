// The `parse` step of `plexmix create "PROMPT"`: one sentence → filters + a mood query.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace pmx::gen {

// ---- What a prompt asks for ------------------------------------------------------------------

// Years that count as bounds; a 4-digit number outside them is not read as a year.
inline constexpr int kMinYear = 1900;
inline constexpr int kMaxYear = 2099;

// User ratings use the store's scale: 0–10, one step per half star (tracks.user_rating).
inline constexpr int kRatingPerStar = 2;
inline constexpr int kMaxRating = 10;
// "highly rated", "top rated": 4 stars or more.
inline constexpr int kHighlyRated = 8;
// "favourites"/"favorites"/"my favorite songs": tracks the server flags as favourites (Jellyfin's
// IsFavorite), or rated 4 stars or more (Plex has no flag and marks favourites with stars).
inline constexpr int kFavouriteRating = kHighlyRated;
// "rated songs" (rated at all): half a star or more.
inline constexpr int kAnyRating = 1;

// "not played recently", "haven't heard in a while": days, when no number is given.
inline constexpr int kDefaultAvoidRecentDays = 30;
inline constexpr int kMaxAvoidRecentDays = 3650;

inline constexpr int kMaxTrackCount = 1000;
inline constexpr int kMinDurationSeconds = 60;
inline constexpr int kMaxDurationSeconds = 24 * 60 * 60;

// An inclusive range of years; an empty end is open ("before 2000" = {nullopt, 1999}).
struct YearRange {
    std::optional<int> first{}, last{};
    bool operator==(const YearRange&) const = default;
};

// A genre word of the prompt or of --genre/--exclude-genre and the mirror genres it became,
// for --explain ("jazz → 14 genres (Bebop, Hard Bop, Vocal Jazz, …)"). Filled only when the
// vocabulary has a genre taxonomy.
struct GenreWord {
    std::string word;                 // as typed ("psychadellic")
    std::string read_as;              // what it was read as ("psychedelic rock"; the tree's or the mirror's spelling)
    std::vector<std::string> genres;  // the mirror genres it means, in the mirror's spelling
    bool excluded = false;            // a negated word ("no rock") or --exclude-genre
    bool operator==(const GenreWord&) const = default;
};

// A word of the tag vocabulary in the prompt (generate/prompt_tags.hpp).
struct TagWord {
    enum class Use { rank, only, exclude };
    std::string word{};   // as typed ("melancholy", "sax")
    std::string facet{};  // "mood", "environment" or "instrument"
    std::string term{};   // the vocabulary's term it means ("melancholic", "saxophone")
    Use use = Use::rank;
    bool operator==(const TagWord&) const = default;
};

// A track or an artist the prompt asks to sound like ("songs like Hey Jude by the Beatles", "in
// the spirit of Nina Simone", "similar to Teardrop"): retrieval starts from its vectors rather
// than from the words, and it filters nothing (its artist is not an artist filter).
struct SeedWord {
    std::string phrase{};                // as typed, without its cue ("Hey Jude by the Beatles")
    std::string title{};                 // a track's title as typed; empty: the artist's tracks
    std::vector<std::string> artists{};  // the artist in the mirror's spelling(s); empty: any artist
    bool operator==(const SeedWord&) const = default;
};

// Filters and mood of one playlist. Every field's empty/zero value means "no constraint", so a
// default-constructed request asks for the whole library. Names are spelled as in the mirror.
struct PlaylistRequest {
    // Years (tracks.year): a union of ranges, sorted, non-overlapping and non-adjacent
    // ("80s and 90s" → one range 1980–1999). Empty: any year.
    std::vector<YearRange> years{};
    std::vector<std::string> genres{};          // any of these (the mirror's spelling); empty: any
    std::vector<std::string> exclude_genres{};  // none of these
    std::vector<GenreWord> genre_words{};       // how genres and exclude_genres were read (with a taxonomy)
    std::vector<std::string> artists{};         // any of these (the mirror's spelling); empty: any
    std::vector<std::string> exclude_artists{};
    int min_rating = 0;         // user rating floor on the 0–10 scale (2 per star); 0: none
    bool favourites = false;    // flagged favourite, or rated kFavouriteRating or more
    int duration_seconds = 0;   // target total length (the select step applies a tolerance); 0: none
    int track_count = 0;        // target number of tracks; 0: none
    bool exclude_live = false;  // leave out tracks.is_live
    bool unplayed = false;      // only tracks never played (play count 0)
    int avoid_recent_days = 0;  // leave out tracks played in the last N days; 0: none
    std::vector<std::string> sources{};  // configured media source names (--source); empty: all
    // The words left for retrieval (embeddings, FTS), as typed, joined by single spaces: filter
    // phrases, excluded names, artist names and stop words ("give me some songs") are removed;
    // genre words are kept ("rainy sunday jazz" keeps "jazz"), since they help retrieval.
    std::string mood_query{};
    // Constraints the prompt states that could not be applied, one sentence each
    // ("not understood: \"without vocals\"", "ignored the length …"): `create` says so, and
    // --strict makes it an error. Such words are left out of the mood query.
    std::vector<std::string> notes{};
    // Caps stated in the prompt ("max 2 per artist", "no artist twice", "at most 3 from any
    // album"): they replace the diversify step's caps for this run. 0: not stated.
    int per_artist = 0;
    int per_album = 0;
    // Plays on the calendar, from the parse's clock (unix seconds; 0: none): only tracks last
    // played at or after `played_since` ("songs I played last month"); none played at or after
    // `not_played_since` ("nothing I've listened to this year").
    int64_t played_since = 0;
    int64_t not_played_since = 0;
    // Phrases that look like a constraint but were not read as one ("top 40", "10 stars"):
    // they stay in the mood query; `create` shows them, --strict makes them an error.
    std::vector<std::string> unparsed{};
    // Words of the tag vocabulary: they rank (tracks tagged so first), filter ("only piano") or
    // exclude ("no vocals") by the tracks' LLM tags.
    std::vector<TagWord> tags{};
    // Tracks and artists to sound like: the retrieve step seeds the search with their vectors.
    std::vector<SeedWord> seeds{};

    bool operator==(const PlaylistRequest&) const = default;
};

// What the mirror holds, for matching names in the prompt. Matching folds case, Latin accents
// and punctuation ("Beyoncé" = "beyonce", "Hip-Hop" = "hip hop" = "hiphop", "R.E.M." = "rem",
// "Simon & Garfunkel" = "simon and garfunkel"); an artist whose name starts with "The" also
// matches without it ("by beatles").
//
// With a genre taxonomy (generate/genre_taxonomy.hpp), a genre word means every mirror genre of
// that concept: "jazz" → Jazz, Bebop, Vocal Jazz, Acid Jazz, …; "no rock" excludes every rock
// genre the mirror has; aliases ("prog", "dnb", "r&b") and small typos ("psychadelic") are read.
// Without one (null), a genre word matches the mirror's genres spelled the same, through a
// small synonym table.
class GenreTaxonomy;
struct Vocabulary {
    std::vector<std::string> genres;
    std::vector<std::string> artists;
    const GenreTaxonomy* taxonomy = nullptr;  // borrowed; must outlive the parse
    // Whether the mirror holds a track of this title (compared as names are: case, accents and
    // punctuation folded). Null: a title is read only with its artist ("X by ARTIST").
    std::function<bool(std::string_view title)> has_title{};
};

// Reads a prompt. Never fails: what it does not understand becomes mood words or a note.
//
// Years: "1994", "90s", "'90s", "1990s", "nineties", "early/mid/late 90s" (x0–x3, x4–x6,
// x7–x9), "from 1975 to 1982", "between … and …", "1975-1982", "1975-82", "before 2000" (≤ 1999),
// "after 2010" (≥ 2011), "since 2010", "until 1980", "nothing after 1980" (≤ 1980), "1990 or
// later", "no 80s" (everything but). Two-digit decades: 00s and 10s are 2000s/2010s, 20s–90s the
// 1900s. Several years or decades make a union; bounds narrow it; bounds that cannot both hold
// are alternatives ("before 1970 or after 2010"). A 4-digit number is a year only in
// 1900–2099, and a count when a noun follows and it is at most 1000 ("20 songs"; "1994 songs"
// is a year). "top 40" without a noun stays mood words.
//
// Genres are matched anywhere, longest first ("bossa nova" before "nova"), and in the plural
// ("ballads" → "Ballad"). With the vocabulary's taxonomy a genre word means every mirror genre
// of its concept (see Vocabulary) and is recorded in genre_words; a genre of the tree the mirror
// lacks is treated as an unknown word. Without one, a small table of synonyms is used only when
// the word itself is not a genre in the mirror (rap ↔ hip hop, rnb/r&b/rhythm and blues,
// electronica/edm → electronic, rock n roll ↔ rock and roll, heavy metal → metal, …).
// Artists are matched only after "by"/"from" (include) or a negation (exclude), so that "love
// songs" never means the band Love.
// Seeds: after "like", "similar to", "sounds like", "in the spirit/style/vein of", "reminiscent
// of", "inspired by", "à la", … an artist of the mirror, "TITLE by ARTIST", or (with
// Vocabulary::has_title) a title of the mirror becomes a SeedWord, not a filter; several join
// with and/or ("like Portishead or Massive Attack"). "I like jazz", "like 20 songs" and "feels
// like summer" (unless Summer is a title) stay what they were.
// Negations ("no", "not", "without", "nothing", "except", "excluding", "skip", "avoid", …)
// take a list joined by and/or/nor: "no metal or country", "nothing by X", "no 80s". A negation
// followed by nothing known drops the words up to the end of the clause (or "but"/"with"/
// "and") and leaves a note: "without vocals" must not pull vocals into the mood query.
//
// Clauses: numbers, negations and caps stay with their words ("15 tracks, no more than two
// songs per artist" is a count and a cap; "10 five-star tracks" a count and a rating).
// Negations also read "anything but X", "everything except X", "X-free"; "nothing but X" is
// only X. Caps: "max 2 per artist", "one song per artist", "no artist twice", "at most 3 from
// any album". Two-digit years after "from"/"between" or an apostrophe ("from 65 to 75",
// "'85-'92") take the century that puts them at or before next year. Plays relative to `now`
// (unix seconds; 0: the system clock): "nothing I've played in the past three years",
// "haven't listened to this year" (since January 1, local time), "songs I played last month".
PlaylistRequest parse_prompt(std::string_view prompt, const Vocabulary& vocab, int64_t now = 0);

// A prompt that states something that could not be applied (PlaylistRequest::notes) or a
// phrase not read (PlaylistRequest::unparsed), under --strict. The CLI exits 1.
class PromptError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// ---- Explicit options ------------------------------------------------------------------------

// A bad option value: the message names the option and the accepted forms. The CLI reports it
// as a usage error (exit code 2).
class OptionError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The options of `plexmix create`, as typed (the CLI does no parsing of its own, so that every
// front end accepts and rejects the same values). An unset option leaves the prompt's value.
struct CliOptions {
    std::optional<std::string> limit{};         // --limit N: tracks, 1–1000
    std::optional<std::string> duration{};      // --duration 45m | 45min | 1h30 | 1h30m | 2h | 1.5h | 90 (minutes)
    std::vector<std::string> genres{};          // --genre NAME (repeatable): replaces the prompt's genres
    std::vector<std::string> exact_genres{};    // --genre-exact NAME (repeatable): one mirror genre, not expanded
    std::vector<std::string> exclude_genres{};  // --exclude-genre NAME (repeatable): replaces its exclusions
    std::optional<std::string> year{};          // --year 1994 | 1990-1999 | 1990s | 90s
    std::optional<std::string> min_rating{};    // --min-rating STARS: 0–5 in half stars (4, 4.5); 0 = none
    std::vector<std::string> artists{};         // --artist NAME (repeatable): replaces the prompt's artists
    std::optional<std::string> avoid_recent{};  // --avoid-recent DAYS: 0–3650; 0 = off
    bool favourites = false;                    // --favourites: only favourites (adds to the prompt's)
    std::vector<std::string> sources{};         // --source NAME (repeatable)
};

// Applies explicit options over a parsed prompt: each set option replaces what the prompt said
// about the same field (a genre or artist given explicitly is also removed from the other
// side's list). Genre and artist names must exist in the mirror and are returned in its
// spelling. --genre and --exclude-genre expand like a genre word of the prompt when the
// vocabulary has a taxonomy (a genre the mirror lacks is then still an error); --genre-exact
// takes the one mirror genre of that name (case, accents and punctuation folded), and together
// with --genre replaces the prompt's genres. Throws OptionError on a bad value; `request` is
// then unchanged.
PlaylistRequest apply_overrides(PlaylistRequest request, const CliOptions& options, const Vocabulary& vocab);

// ---- Explaining ------------------------------------------------------------------------------

// One line for --explain, parts joined by " · ", e.g.
// "years 1980–1999 · genres: Jazz · not: Metal · ≥ 4★ · 45 min · mood: rainy sunday".
// Genres read through the taxonomy show as their word: "genres: jazz → 14 genres (Bebop,
// Cool Jazz, Jazz, …)", "not: prog → Progressive Rock" (a genre no word gave is listed as is).
// "whole library" when the request has no constraint at all. Notes are not included.
std::string describe(const PlaylistRequest& request);

}  // namespace pmx::gen
