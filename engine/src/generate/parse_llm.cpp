// read_with_completer(): a schema of the request with the mirror's names as allowed values, one structured call, the answer validated like user input; merge_readings().
#include "generate/parse_llm.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <map>
#include <optional>
#include <set>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "generate/genre_taxonomy.hpp"
#include "generate/prompt_names.hpp"
#include "generate/prompt_tags.hpp"
#include "generate/prompt_text.hpp"
#include "llm/pricing.hpp"
#include "plugin/provider.hpp"
#include "tags/vocabulary.hpp"
#include "util/text.hpp"

namespace pmx::gen {
namespace {

constexpr size_t kMaxPromptBytes = 2000;
constexpr size_t kMaxMoodBytes = 200;
constexpr size_t kMaxTitleBytes = 200;
constexpr size_t kMaxErrorBytes = 300;
constexpr uint32_t kOutputTokens = 800;   // a full reading with every field is about 300
constexpr int64_t kSecondsPerDay = 86'400;
constexpr int kMaxCapValue = 100;
constexpr int kMaxDays = kMaxAvoidRecentDays;
constexpr size_t kMinFuzzyLetters = 5;    // shorter words of a name must be typed exactly
constexpr double kMaxStars = static_cast<double>(kMaxRating) / kRatingPerStar;

constexpr std::string_view kSystem =
    "You read one sentence asking for a playlist from the listener's own music library, and answer with the "
    "request it states as one JSON object, every field present. Use only what the sentence says: a field it does "
    "not mention stays empty (0, false, \"\" or []).\n"
    "- track_count: the number of tracks asked for; duration_minutes: the length asked for (\"an hour\" = 60).\n"
    "- years: release years as ranges {from, to}, 0 for an open end (\"the 90s\" = {1990, 1999}, \"before 1980\" "
    "= {0, 1979}).\n"
    "- genres / exclude_genres: genres of the library (the allowed values) the sentence asks for or rules out.\n"
    "- artists / exclude_artists: artists of the library whose tracks it asks for or rules out (only when the "
    "sentence names them as artists: \"love songs\" is not the band Love).\n"
    "- like_artists / like_tracks: artists and tracks the playlist should sound like (\"songs like X\", \"in the "
    "spirit of Y\"): they are not filters.\n"
    "- min_stars: the lowest user rating asked for, 0-5 (\"highly rated\" = 4); favourites: only the listener's "
    "favourites (\"my favourites\", \"faves\").\n"
    "- exclude_live: live recordings ruled out; unplayed: only tracks never played; not_played_in_days: leave out "
    "tracks played in that many days; played_in_days: only tracks played in that many days.\n"
    "- per_artist / per_album: the most tracks per artist or album the sentence allows.\n"
    "- tags: moods, activities and instruments of the allowed values, each with its use: rank (prefer), only "
    "(nothing else), exclude.\n"
    "- mood: a few words for the sound, mood or occasion asked for, to search by meaning (empty when none).";

// The answer's fields, in the order the schema lists them.
constexpr const char* kFields[]{"track_count",     "duration_minutes", "years",     "genres",         "exclude_genres",
                                "artists",         "exclude_artists",  "like_artists", "like_tracks", "min_stars",      "favourites",
                                "exclude_live",    "unplayed",         "not_played_in_days", "played_in_days",
                                "per_artist",      "per_album",        "tags",      "mood"};

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void string_list(Writer& w, const char* key, const std::vector<std::string>* allowed) {
    w.Key(key);
    w.StartObject();
    w.Key("type"); w.String("array");
    w.Key("items");
    w.StartObject();
    w.Key("type"); w.String("string");
    if (allowed && !allowed->empty()) {
        w.Key("enum");
        w.StartArray();
        for (const auto& name : *allowed) w.String(name.c_str(), static_cast<rapidjson::SizeType>(name.size()));
        w.EndArray();
    }
    w.EndObject();
    if (allowed && allowed->empty()) {  // nothing to name: an empty list only
        w.Key("maxItems"); w.Int(0);
    }
    w.EndObject();
}

void scalar(Writer& w, const char* key, const char* type) {
    w.Key(key);
    w.StartObject();
    w.Key("type"); w.String(type);
    w.EndObject();
}

void one_of(Writer& w, const char* key, const std::vector<std::string>& values) {
    w.Key(key);
    w.StartObject();
    w.Key("type"); w.String("string");
    w.Key("enum");
    w.StartArray();
    for (const auto& v : values) w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
    w.EndArray();
    w.EndObject();
}

// An array of objects with two required fields, written by `properties`.
template <class Properties>
void pairs(Writer& w, const char* key, const char* first, const char* second, Properties properties) {
    w.Key(key);
    w.StartObject();
    w.Key("type"); w.String("array");
    w.Key("items");
    w.StartObject();
    w.Key("type"); w.String("object");
    w.Key("required"); w.StartArray(); w.String(first); w.String(second); w.EndArray();
    w.Key("properties");
    w.StartObject();
    properties();
    w.EndObject();
    w.EndObject();
    w.EndObject();
}

// The schema of an answer: with the allowed values as enums (`strict`: what the completer is
// asked for), or with free strings (what is accepted; names outside them are read or dropped).
std::string answer_schema(const std::vector<std::string>& genres, const std::vector<std::string>& artists,
                          const std::vector<std::string>& terms, bool strict) {
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    const auto* g = strict ? &genres : nullptr;
    const auto* a = strict ? &artists : nullptr;
    w.StartObject();
    w.Key("type"); w.String("object");
    w.Key("required");
    w.StartArray();
    for (const char* key : kFields) w.String(key);
    w.EndArray();
    w.Key("properties");
    w.StartObject();
    scalar(w, "track_count", "integer");
    scalar(w, "duration_minutes", "integer");
    pairs(w, "years", "from", "to", [&] {
        scalar(w, "from", "integer");
        scalar(w, "to", "integer");
    });
    string_list(w, "genres", g);
    string_list(w, "exclude_genres", g);
    string_list(w, "artists", a);
    string_list(w, "exclude_artists", a);
    string_list(w, "like_artists", a);
    pairs(w, "like_tracks", "title", "artist", [&] {
        scalar(w, "title", "string");
        scalar(w, "artist", "string");
    });
    scalar(w, "min_stars", "number");
    scalar(w, "favourites", "boolean");
    scalar(w, "exclude_live", "boolean");
    scalar(w, "unplayed", "boolean");
    scalar(w, "not_played_in_days", "integer");
    scalar(w, "played_in_days", "integer");
    scalar(w, "per_artist", "integer");
    scalar(w, "per_album", "integer");
    pairs(w, "tags", "term", "use", [&] {
        if (strict) one_of(w, "term", terms); else scalar(w, "term", "string");
        one_of(w, "use", {"rank", "only", "exclude"});
    });
    scalar(w, "mood", "string");
    w.EndObject();  // properties
    w.EndObject();
    return buffer.GetString();
}

std::vector<std::string> prompt_words(std::string_view prompt) {
    std::vector<std::string> words;
    for (const Token& t : tokenize(prompt)) words.push_back(t.folded);
    return words;
}

// The words of a name as names are compared, "the" and "and" left out.
std::vector<std::string> name_words(std::string_view name) {
    std::vector<std::string> words;
    const std::string key = genre_key(name);
    size_t at = 0;
    while (at < key.size()) {
        size_t end = key.find(' ', at);
        if (end == std::string::npos) end = key.size();
        std::string word = key.substr(at, end - at);
        if (word != "the" && word != "and" && !word.empty()) words.push_back(std::move(word));
        at = end + 1;
    }
    return words;
}

bool near_a_word(const std::string& word, const std::set<std::string>& prompt) {
    if (prompt.contains(word)) return true;
    if (word.size() < kMinFuzzyLetters) return false;
    return std::any_of(prompt.begin(), prompt.end(), [&](const std::string& p) {
        return p.size() + 1 >= word.size() && edit_distance(word, p, 1) <= 1;
    });
}

// The genres the schema enumerates: all when few; else those the prompt's words are near, the
// rule parser's, then the shortest.
std::vector<std::string> schema_genres(std::string_view prompt, const Vocabulary& vocab, const PlaylistRequest& rules) {
    if (vocab.genres.size() <= kMaxSchemaGenres) return vocab.genres;
    const auto words = prompt_words(prompt);
    const std::set<std::string> prompt_set(words.begin(), words.end());
    std::set<std::string> chosen;
    std::vector<std::string> out;
    const auto take = [&](const std::string& g) {
        if (out.size() < kMaxSchemaGenres && chosen.insert(g).second) out.push_back(g);
    };
    for (const auto* list : {&rules.genres, &rules.exclude_genres}) {
        for (const auto& g : *list) take(g);
    }
    for (const auto& g : vocab.genres) {
        const auto w = name_words(g);
        if (std::any_of(w.begin(), w.end(), [&](const std::string& x) { return near_a_word(x, prompt_set); })) take(g);
    }
    std::vector<std::string> rest = vocab.genres;
    std::stable_sort(rest.begin(), rest.end(), [](const std::string& a, const std::string& b) { return a.size() < b.size(); });
    for (const auto& g : rest) take(g);
    return out;
}

std::vector<std::string> vocabulary_terms() {
    std::vector<std::string> terms;
    const tags::Vocabulary& v = tags::builtin_vocabulary();
    for (const tags::Facet f : {tags::Facet::mood, tags::Facet::environment, tags::Facet::instrument}) {
        for (const auto& t : v.terms(f)) {
            if (std::find(terms.begin(), terms.end(), t) == terms.end()) terms.push_back(t);
        }
    }
    return terms;
}

std::string string_of(const rapidjson::Value& v) {
    return v.IsString() ? std::string(v.GetString(), v.GetStringLength()) : std::string();
}

std::optional<int64_t> integer_of(const rapidjson::Value& v) {
    if (v.IsInt64()) return v.GetInt64();
    if (v.IsNumber() && std::isfinite(v.GetDouble()) && v.GetDouble() == std::floor(v.GetDouble()) &&
        std::abs(v.GetDouble()) < 1e15) {
        return static_cast<int64_t>(v.GetDouble());
    }
    return std::nullopt;
}

std::string in_quotes(std::string_view text) { return "\"" + one_line(text, kMaxTitleBytes) + "\""; }

// Sorted, overlapping and adjacent ranges joined (as the rule parser keeps them).
std::vector<YearRange> joined_years(std::vector<YearRange> years) {
    const auto first = [](const YearRange& y) { return y.first.value_or(kMinYear - 1); };
    const auto last = [](const YearRange& y) { return y.last.value_or(kMaxYear + 1); };
    std::sort(years.begin(), years.end(), [&](const YearRange& a, const YearRange& b) { return first(a) < first(b); });
    std::vector<YearRange> out;
    for (const YearRange& y : years) {
        if (!out.empty() && first(y) <= last(out.back()) + 1) {
            if (last(y) > last(out.back())) out.back().last = y.last;
            continue;
        }
        out.push_back(y);
    }
    return out;
}

// The answer read into a request, each value checked as an option of `create` would be.
class AnswerReader {
public:
    AnswerReader(const Vocabulary& vocab, int64_t now, LlmParse& out) : names_(vocab), now_(now), out_(out) {}

    void read(const rapidjson::Value& a) {
        PlaylistRequest& r = out_.request;
        r.track_count = ranged(a["track_count"], "track_count", 0, kMaxTrackCount);
        if (const int minutes = ranged(a["duration_minutes"], "duration_minutes", 0, kMaxDurationSeconds / 60)) {
            if (minutes * 60 < kMinDurationSeconds) {
                note("duration_minutes " + std::to_string(minutes) + " is shorter than the shortest playlist");
            } else {
                r.duration_seconds = minutes * 60;
            }
        }
        for (const auto& y : a["years"].GetArray()) read_years(y);
        r.years = joined_years(std::move(r.years));
        genres(a["genres"], false);
        genres(a["exclude_genres"], true);
        r.artists = artists(a["artists"], "artists");
        r.exclude_artists = artists(a["exclude_artists"], "exclude_artists");
        for (const auto& name : artists(a["like_artists"], "like_artists")) r.seeds.push_back({name, "", {name}});
        for (const auto& t : a["like_tracks"].GetArray()) {
            const std::string title = one_line(string_of(t["title"]), kMaxTitleBytes);
            const std::string artist = string_of(t["artist"]);
            if (title.empty()) continue;
            SeedWord seed{title, title, {}};
            if (!artist.empty()) {
                seed.artists = names_.resolve(artist, NameKind::artist);
                if (seed.artists.empty()) {
                    note("like_tracks: the artist " + in_quotes(artist) + " is not in the library: dropped");
                    continue;
                }
                seed.phrase += " by " + seed.artists.front();
            }
            r.seeds.push_back(std::move(seed));
        }
        if (const auto& stars = a["min_stars"]; stars.IsNumber() && stars.GetDouble() != 0.0) {
            const double s = stars.GetDouble();
            if (!std::isfinite(s) || s < 0 || s > kMaxStars) {
                note("min_stars " + std::to_string(s) + " is not 0–5: dropped");
            } else {
                r.min_rating = static_cast<int>(std::lround(s * kRatingPerStar));
            }
        }
        r.favourites = a["favourites"].IsBool() && a["favourites"].GetBool();
        r.exclude_live = a["exclude_live"].IsBool() && a["exclude_live"].GetBool();
        r.unplayed = a["unplayed"].IsBool() && a["unplayed"].GetBool();
        r.avoid_recent_days = ranged(a["not_played_in_days"], "not_played_in_days", 0, kMaxDays);
        if (const int days = ranged(a["played_in_days"], "played_in_days", 0, kMaxDays)) {
            r.played_since = now_ - static_cast<int64_t>(days) * kSecondsPerDay;
        }
        r.per_artist = ranged(a["per_artist"], "per_artist", 0, kMaxCapValue);
        r.per_album = ranged(a["per_album"], "per_album", 0, kMaxCapValue);
        for (const auto& t : a["tags"].GetArray()) read_tag(t);
        r.mood_query = one_line(string_of(a["mood"]), kMaxMoodBytes);
    }

private:
    void note(std::string text) { out_.notes.push_back(std::move(text)); }

    int ranged(const rapidjson::Value& v, const char* field, int64_t lo, int64_t hi) {
        const auto n = integer_of(v);
        if (!n || *n == 0) return 0;
        if (*n < lo || *n > hi) {
            note(std::string(field) + " " + std::to_string(*n) + " is out of range (" + std::to_string(lo) + "–" +
                 std::to_string(hi) + "): dropped");
            return 0;
        }
        return static_cast<int>(*n);
    }

    void read_years(const rapidjson::Value& y) {
        const auto from = integer_of(y["from"]).value_or(0), to = integer_of(y["to"]).value_or(0);
        if (from == 0 && to == 0) return;
        const auto valid = [](int64_t year) { return year == 0 || (year >= kMinYear && year <= kMaxYear); };
        if (!valid(from) || !valid(to) || (from != 0 && to != 0 && from > to)) {
            note("years " + std::to_string(from) + "–" + std::to_string(to) + " are not a range of " +
                 std::to_string(kMinYear) + "–" + std::to_string(kMaxYear) + ": dropped");
            return;
        }
        YearRange range;
        if (from != 0) range.first = static_cast<int>(from);
        if (to != 0) range.last = static_cast<int>(to);
        out_.request.years.push_back(range);
    }

    void genres(const rapidjson::Value& list, bool excluded) {
        PlaylistRequest& r = out_.request;
        for (const auto& v : list.GetArray()) {
            const std::string name = string_of(v);
            if (name.empty()) continue;
            const NameMatch m = names_.read(name, NameKind::genre);
            if (m.length == 0 || m.names.empty()) {
                note(std::string(excluded ? "exclude_genres" : "genres") + ": " + in_quotes(name) +
                     " is not a genre of the library: dropped");
                continue;
            }
            auto& target = excluded ? r.exclude_genres : r.genres;
            for (const auto& n : m.names) {
                if (std::find(target.begin(), target.end(), n) == target.end()) target.push_back(n);
            }
            if (!m.read_as.empty()) r.genre_words.push_back({name, m.read_as, m.names, excluded});
        }
        if (excluded) std::erase_if(r.genres, [&](const std::string& g) {
            return std::find(r.exclude_genres.begin(), r.exclude_genres.end(), g) != r.exclude_genres.end();
        });
    }

    std::vector<std::string> artists(const rapidjson::Value& list, const char* field) {
        std::vector<std::string> out;
        for (const auto& v : list.GetArray()) {
            const std::string name = string_of(v);
            if (name.empty()) continue;
            const auto names = names_.resolve(name, NameKind::artist);
            if (names.empty()) {
                note(std::string(field) + ": " + in_quotes(name) + " is not an artist of the library: dropped");
                continue;
            }
            for (const auto& n : names) {
                if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
            }
        }
        return out;
    }

    void read_tag(const rapidjson::Value& t) {
        const std::string term = string_of(t["term"]);
        const std::string use = string_of(t["use"]);
        const auto found = tags::builtin_vocabulary().find(term);
        if (!found) {
            note("tags: " + in_quotes(term) + " is not a word of the tag vocabulary: dropped");
            return;
        }
        TagWord tag{term, std::string(tags::facet_name(found->first)), found->second,
                    use == "only" ? TagWord::Use::only : use == "exclude" ? TagWord::Use::exclude : TagWord::Use::rank};
        auto& list = out_.request.tags;
        if (std::none_of(list.begin(), list.end(), [&](const TagWord& x) { return x.term == tag.term && x.facet == tag.facet; })) {
            list.push_back(std::move(tag));
        }
    }

    NameIndex names_;
    int64_t now_;
    LlmParse& out_;
};

std::string years_text(const std::vector<YearRange>& years) {
    if (years.empty()) return "none";
    std::vector<std::string> parts;
    for (const auto& y : years) {
        if (y.first && y.last) parts.push_back(*y.first == *y.last ? std::to_string(*y.first)
                                                                  : std::to_string(*y.first) + "\u2013" + std::to_string(*y.last));
        else if (y.first) parts.push_back(std::to_string(*y.first) + " or later");
        else if (y.last) parts.push_back(std::to_string(*y.last) + " or earlier");
    }
    return join(parts);
}

std::string names_text(std::vector<std::string> names) {
    if (names.empty()) return "none";
    std::sort(names.begin(), names.end());
    return join(names);
}

std::string number_text(int64_t n) { return n == 0 ? "none" : std::to_string(n); }

std::string seeds_text(const std::vector<SeedWord>& seeds) {
    std::vector<std::string> out;
    for (const auto& s : seeds) {
        out.push_back(s.title.empty() ? (s.artists.empty() ? s.phrase : s.artists.front())
                                      : s.title + (s.artists.empty() ? "" : " by " + s.artists.front()));
    }
    return names_text(out);
}

std::string tags_text(const std::vector<TagWord>& tags) {
    std::vector<std::string> out;
    for (const auto& t : tags) {
        out.push_back(t.use == TagWord::Use::only ? "only " + t.term : t.use == TagWord::Use::exclude ? "not " + t.term : t.term);
    }
    return names_text(out);
}

}  // namespace

std::vector<std::string> artists_in_prompt(std::string_view prompt, const Vocabulary& vocab) {
    const auto words = prompt_words(prompt);
    const std::set<std::string> prompt_set(words.begin(), words.end());
    std::vector<std::pair<size_t, const std::string*>> found;
    for (const auto& artist : vocab.artists) {
        const auto w = name_words(artist);
        if (w.empty()) continue;
        if (std::all_of(w.begin(), w.end(), [&](const std::string& x) { return near_a_word(x, prompt_set); })) {
            found.emplace_back(w.size(), &artist);
        }
    }
    std::stable_sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    std::vector<std::string> out;
    for (size_t i = 0; i < found.size() && i < kMaxSchemaArtists; ++i) out.push_back(*found[i].second);
    return out;
}

LlmParse read_with_completer(Provider& completer, std::string_view prompt, const Vocabulary& vocab,
                             const PlaylistRequest& rules, int64_t now, llm::UsageLedger* ledger) {
    LlmParse result;
    const llm::CompleterLimits limits = llm::limits_of(completer);
    result.model = limits.model;

    std::vector<std::string> artists = artists_in_prompt(prompt, vocab);
    for (const auto* list : {&rules.artists, &rules.exclude_artists}) {
        for (const auto& a : *list) {
            if (std::find(artists.begin(), artists.end(), a) == artists.end()) artists.push_back(a);
        }
    }
    for (const auto& seed : rules.seeds) {
        for (const auto& a : seed.artists) {
            if (std::find(artists.begin(), artists.end(), a) == artists.end()) artists.push_back(a);
        }
    }
    std::vector<std::string> genres = schema_genres(prompt, vocab, rules);
    static const std::vector<std::string> terms = vocabulary_terms();
    const std::string user = "Sentence: " + one_line(prompt, kMaxPromptBytes) + "\nToday: " + local_day_text(now) + "\n";

    // The genre list gives way to the window: halved until the request fits.
    const uint64_t budget = llm::input_budget(limits, kOutputTokens);
    std::string schema_text = answer_schema(genres, artists, terms, true);
    const auto size_of = [&] {
        return llm::estimate_tokens(kSystem) + llm::estimate_tokens(schema_text) + llm::estimate_tokens(user);
    };
    while (size_of() > budget && !genres.empty()) {
        genres.resize(genres.size() / 2);
        schema_text = answer_schema(genres, artists, terms, true);
    }
    if (size_of() > budget) {
        result.status = PMX_INVALID_INPUT;
        result.error = "the context window of " + std::to_string(limits.context_tokens) +
                       " tokens leaves no room for the request's schema (raise the provider's `context_tokens` if "
                       "the model takes more)";
        return result;
    }
    const llm::Schema ask(schema_text);
    const llm::Schema accept(answer_schema({}, {}, {}, false));

    llm::StructuredRequest request;
    request.system = std::string(kSystem);
    request.user = user;
    request.schema = &ask;
    request.accept = &accept;
    request.max_output_tokens = kOutputTokens;
    if (limits.max_output_tokens != 0) request.max_output_tokens = std::min(request.max_output_tokens, limits.max_output_tokens);
    request.temperature = 0.0f;
    const llm::StructuredAnswer answer = llm::structured_call(completer, request, ledger);
    result.usage = answer.usage;
    result.repaired = answer.repaired;
    if (!answer.model.empty()) result.model = answer.model;
    if (!answer.ok()) {
        result.status = answer.status;
        result.error = answer.failure(kMaxErrorBytes);
        return result;
    }
    rapidjson::Document doc;
    doc.Parse(answer.json.c_str(), answer.json.size());  // valid against `accept`: every field present
    AnswerReader(vocab, now, result).read(doc);
    return result;
}

PlaylistRequest merge_readings(const PlaylistRequest& rules, const PlaylistRequest& llm,
                               std::vector<std::string>& disagreements) {
    PlaylistRequest merged = llm;
    merged.sources = rules.sources;
    merged.notes.clear();
    merged.unparsed.clear();
    // A field both read: the rule parser's reading wins when `firm` (a number, a year, a named
    // artist of the mirror), else the completer's; every difference is listed.
    const auto field = [&](const char* name, const std::string& r, const std::string& l, bool firm, auto keep_rules) {
        if (r == l) return;
        const bool rules_win = firm && r != "none";
        if (rules_win) keep_rules();
        disagreements.push_back(std::string(name) + ": rules " + r + ", LLM " + l + " (" + (rules_win ? "rules" : "LLM") +
                                " kept)");
    };
    field("years", years_text(rules.years), years_text(llm.years), true, [&] { merged.years = rules.years; });
    field("count", number_text(rules.track_count), number_text(llm.track_count), true,
          [&] { merged.track_count = rules.track_count; });
    field("duration", rules.duration_seconds ? std::to_string(rules.duration_seconds / 60) + " min" : "none",
          llm.duration_seconds ? std::to_string(llm.duration_seconds / 60) + " min" : "none", true,
          [&] { merged.duration_seconds = rules.duration_seconds; });
    field("min rating", number_text(rules.min_rating), number_text(llm.min_rating), true,
          [&] { merged.min_rating = rules.min_rating; });
    field("per artist", number_text(rules.per_artist), number_text(llm.per_artist), true,
          [&] { merged.per_artist = rules.per_artist; });
    field("per album", number_text(rules.per_album), number_text(llm.per_album), true,
          [&] { merged.per_album = rules.per_album; });
    field("not played in days", number_text(rules.avoid_recent_days), number_text(llm.avoid_recent_days), true,
          [&] { merged.avoid_recent_days = rules.avoid_recent_days; });
    field("played since", rules.played_since ? local_day_text(rules.played_since) : "none",
          llm.played_since ? local_day_text(llm.played_since) : "none", true,
          [&] { merged.played_since = rules.played_since; });
    // Calendar plays only the rule parser reads ("nothing I've played this year").
    if (rules.not_played_since != 0) merged.not_played_since = rules.not_played_since;
    field("artists", names_text(rules.artists), names_text(llm.artists), true, [&] { merged.artists = rules.artists; });
    field("not by", names_text(rules.exclude_artists), names_text(llm.exclude_artists), true,
          [&] { merged.exclude_artists = rules.exclude_artists; });
    field("genres", names_text(rules.genres), names_text(llm.genres), false, [] {});
    field("not genres", names_text(rules.exclude_genres), names_text(llm.exclude_genres), false, [] {});
    field("like", seeds_text(rules.seeds), seeds_text(llm.seeds), false, [] {});
    field("tags", tags_text(rules.tags), tags_text(llm.tags), false, [] {});
    field("favourites", rules.favourites ? "yes" : "no", llm.favourites ? "yes" : "no", false, [] {});
    field("no live", rules.exclude_live ? "yes" : "no", llm.exclude_live ? "yes" : "no", false, [] {});
    field("unplayed", rules.unplayed ? "yes" : "no", llm.unplayed ? "yes" : "no", false, [] {});
    field("mood", rules.mood_query.empty() ? "none" : in_quotes(rules.mood_query),
          llm.mood_query.empty() ? "none" : in_quotes(llm.mood_query), false, [] {});
    // A name on both sides of the merged request: the exclusion wins, as in the rule parser.
    std::erase_if(merged.genres, [&](const std::string& g) {
        return std::find(merged.exclude_genres.begin(), merged.exclude_genres.end(), g) != merged.exclude_genres.end();
    });
    std::erase_if(merged.artists, [&](const std::string& a) {
        return std::find(merged.exclude_artists.begin(), merged.exclude_artists.end(), a) != merged.exclude_artists.end();
    });
    return merged;
}

}  // namespace pmx::gen
