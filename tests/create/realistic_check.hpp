// What a prompt asks for (Expect), and the checker that holds `plexmix create`'s answer to it.
#pragma once

// The checker runs `plexmix create PROMPT --dry-run --json --now T` on the realistic library
// and judges every track it returns by the test's ground truth, never by the engine's reading.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include "create/realistic_library.hpp"
#include "support/fake_plex.hpp"
#include "support/test_util.hpp"

namespace pmx::test::realistic {

// The generate pipeline's defaults (per_artist 3, per_album 2): what applies when a prompt
// names no cap.
inline constexpr int kDefaultPerArtist = 3;
inline constexpr int kDefaultPerAlbum = 2;
inline constexpr double kDurationTolerance = 0.05;
inline constexpr size_t kShownDetails = 8;  // values shown per kind of failure (tags, years, …)

// An inclusive span of years. Years up to `doubt` outside it are in doubt: either reading of
// the prompt is accepted for them ("early 2000s": 2000-2003, 2004 in doubt).
struct Years {
    int first = 0, last = 0;
    int doubt = 0;
};

// A span of time. Times in [sure_from, sure_to] are surely in it; times outside
// [doubt_from, doubt_to] surely not; the rest may be read either way (day boundaries, time
// zones, "last month" as May or as the last 30 days).
struct Window {
    int64_t sure_from = 0, sure_to = 0;
    int64_t doubt_from = 0, doubt_to = 0;
};

// The last `days` days before kNow, give or take a day (and a day per year for leap years).
inline Window last_days(int days) {
    const int64_t give = (1 + days / 365) * kDay;
    return {kNow - days * kDay + give, kNow, kNow - days * kDay - give, kNow};
}

// What a prompt asks for, in the test's own terms. Caps the prompt states hold; caps it does
// not state are the pipeline's defaults, which may give way only when they alone would leave
// the playlist short. Named `artists` are exempt from the caps the prompt does not state.
struct Expect {
    std::optional<int> count{};                 // exactly this many tracks
    std::optional<int> minutes{};               // a total length within ±5%
    std::vector<Years> years{};                 // the track's year in one of them
    std::vector<Years> not_years{};             // in none of them
    std::vector<std::string> families{};        // a tag of one of these genre families
    std::vector<std::string> not_families{};    // no tag of these families
    std::vector<std::string> artists{};         // by one of them
    std::vector<std::string> not_artists{};     // by none of them
    int per_artist = 0;                         // stated in the prompt; 0: the default, which may give way
    int per_album = 0;
    int min_rating = 0;                         // 0-10, two per star
    bool no_live = false;
    bool unplayed = false;                      // never played
    std::optional<Window> played{};             // last played inside
    std::optional<Window> not_played{};         // never played, or last played outside
};

struct Case {
    std::string prompt;
    Expect expect;
};

enum class Verdict { yes, maybe, no };

struct Judged {
    Verdict verdict = Verdict::yes;
    std::string why, detail;  // of the first "no": the constraint broken, the track's value
};

inline std::string join(const std::vector<std::string>& items, const std::string& by = ", ") {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : by) + item;
    return out;
}

inline std::string date_of(int64_t t) {
    const int64_t days = t / kDay;  // civil-from-days (Howard Hinnant)
    const int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    const int64_t d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9, y = yoe + era * 400 + (m <= 2);
    char text[64];
    std::snprintf(text, sizeof text, "%04lld-%02lld-%02lld", static_cast<long long>(y), static_cast<long long>(m),
                  static_cast<long long>(d));
    return text;
}

// One line about a track: what the checks look at.
inline std::string describe(const TruthTrack& t) {
    std::ostringstream out;
    out << "'" << t.title << "' by " << t.artist << " [" << join(t.tags, "|") << "; "
        << (t.year ? std::to_string(*t.year) : "no year") << "; "
        << (t.rating ? std::to_string(t.rating) + "/10" : "unrated") << "; "
        << (t.last_played ? "played " + date_of(*t.last_played) : "never played") << (t.live ? "; live" : "")
        << "]";
    return out.str();
}

inline void note(Judged& j, Verdict v, const std::string& why, const std::string& detail = "") {
    if (v == Verdict::no && j.verdict != Verdict::no) {
        j.why = why;
        j.detail = detail;
    }
    if (v > j.verdict) j.verdict = v;
}

inline bool in_years(int year, const Years& y, int extra) { return year >= y.first - extra && year <= y.last + extra; }

inline std::string years_text(const std::vector<Years>& spans) {
    std::vector<std::string> parts;
    for (const auto& y : spans) parts.push_back(std::to_string(y.first) + "–" + std::to_string(y.last));
    return join(parts, " or ");
}

inline Verdict in_window(const std::optional<int64_t>& t, const Window& w) {
    if (!t) return Verdict::no;
    if (*t >= w.sure_from && *t <= w.sure_to) return Verdict::yes;
    if (*t >= w.doubt_from && *t <= w.doubt_to) return Verdict::maybe;
    return Verdict::no;
}

// Does `t` meet every constraint of `e`? (Caps and the target are checked on the whole list.)
inline Judged judge(const TruthTrack& t, const Expect& e) {
    Judged j;
    if (!e.years.empty()) {
        Verdict v = Verdict::no;
        for (const auto& y : e.years) {
            if (t.year && in_years(*t.year, y, 0)) v = Verdict::yes;
            else if (t.year && in_years(*t.year, y, y.doubt) && v == Verdict::no) v = Verdict::maybe;
        }
        note(j, v, "year not in " + years_text(e.years), t.year ? std::to_string(*t.year) : std::string("unknown"));
    }
    for (const auto& y : e.not_years) {
        if (!t.year) note(j, Verdict::maybe, "");
        else if (in_years(*t.year, y, 0)) note(j, Verdict::no, "year in the excluded " + years_text({y}), std::to_string(*t.year));
        else if (in_years(*t.year, y, y.doubt)) note(j, Verdict::maybe, "");
    }
    if (!e.families.empty()) {
        Verdict v = Verdict::no;
        for (const auto& f : e.families) {
            if (t.families.core.count(f)) v = Verdict::yes;
            else if (t.families.maybe.count(f) && v == Verdict::no) v = Verdict::maybe;
        }
        note(j, v, "not " + join(e.families, "/"), join(t.tags, "|"));
    }
    for (const auto& f : e.not_families) {
        if (t.families.core.count(f)) note(j, Verdict::no, "is " + f + ", excluded", join(t.tags, "|"));
        else if (t.families.maybe.count(f)) note(j, Verdict::maybe, "");
    }
    if (!e.artists.empty() && std::find(e.artists.begin(), e.artists.end(), t.artist) == e.artists.end()) {
        note(j, Verdict::no, "not by " + join(e.artists, "/"), t.artist);
    }
    if (std::find(e.not_artists.begin(), e.not_artists.end(), t.artist) != e.not_artists.end()) {
        note(j, Verdict::no, "by an excluded artist", t.artist);
    }
    if (e.min_rating > 0 && t.rating < e.min_rating) {
        note(j, Verdict::no, "rated under " + std::to_string(e.min_rating) + "/10",
             t.rating ? std::to_string(t.rating) + "/10" : std::string("unrated"));
    }
    if (e.no_live && t.live) note(j, Verdict::no, "live recording", t.title + " / " + t.album);
    if (e.unplayed && t.plays > 0) note(j, Verdict::no, "played, asked never played", std::to_string(t.plays) + " plays");
    if (e.played) {
        const Verdict v = in_window(t.last_played, *e.played);
        note(j, v, "last played outside " + date_of(e.played->sure_from) + "…" + date_of(e.played->sure_to),
             t.last_played ? date_of(*t.last_played) : std::string("never"));
    }
    if (e.not_played) {
        const Verdict inside = in_window(t.last_played, *e.not_played);
        const Verdict v = inside == Verdict::yes ? Verdict::no : inside == Verdict::maybe ? Verdict::maybe : Verdict::yes;
        note(j, v, "last played inside the excluded " + date_of(e.not_played->sure_from) + "…" +
                       date_of(e.not_played->sure_to),
             t.last_played ? date_of(*t.last_played) : std::string());
    }
    return j;
}

inline bool exempt(const Expect& e, const std::string& artist) {
    return std::find(e.artists.begin(), e.artists.end(), artist) != e.artists.end();
}

// The caps a playlist is held to: those the prompt states (for every artist), and with
// `defaults` the pipeline's where it states none (for artists it does not name). 0: no cap.
struct Caps {
    int artist = 0, album = 0;
    bool named_free_artist = true, named_free_album = true;

    bool artist_capped(const Expect& e, const std::string& name) const {
        return artist > 0 && !(named_free_artist && exempt(e, name));
    }
    bool album_capped(const Expect& e, const std::string& name) const {
        return album > 0 && !(named_free_album && exempt(e, name));
    }
};

inline Caps caps_of(const Expect& e, bool defaults) {
    Caps c;
    c.artist = e.per_artist > 0 ? e.per_artist : (defaults ? kDefaultPerArtist : 0);
    c.album = e.per_album > 0 ? e.per_album : (defaults ? kDefaultPerAlbum : 0);
    c.named_free_artist = e.per_artist == 0;
    c.named_free_album = e.per_album == 0;
    return c;
}

// How many tracks of `pool` fit under `caps`.
inline size_t capped_count(const std::vector<const TruthTrack*>& pool, const Expect& e, const Caps& caps) {
    std::map<std::string, std::map<size_t, size_t>> by_artist;  // artist → album → tracks
    for (const auto* t : pool) ++by_artist[t->artist][t->album_index];
    size_t total = 0;
    for (const auto& [artist, albums] : by_artist) {
        size_t n = 0;
        for (const auto& [album, tracks] : albums) {
            n += caps.album_capped(e, artist) ? std::min<size_t>(tracks, static_cast<size_t>(caps.album)) : tracks;
        }
        total += caps.artist_capped(e, artist) ? std::min<size_t>(n, static_cast<size_t>(caps.artist)) : n;
    }
    return total;
}

// The longest total length of tracks of `pool` under the caps (greedy by length is optimal
// for caps nested album within artist).
inline uint64_t capped_ms(std::vector<const TruthTrack*> pool, const Expect& e, const Caps& caps) {
    std::sort(pool.begin(), pool.end(), [](auto* a, auto* b) { return a->duration_ms > b->duration_ms; });
    std::map<std::string, int> per_artist;
    std::map<size_t, int> per_album;
    uint64_t total = 0;
    for (const auto* t : pool) {
        if (caps.artist_capped(e, t->artist) && per_artist[t->artist] >= caps.artist) continue;
        if (caps.album_capped(e, t->artist) && per_album[t->album_index] >= caps.album) continue;
        ++per_artist[t->artist];
        ++per_album[t->album_index];
        total += t->duration_ms;
    }
    return total;
}

// Single quotes for the shell.
inline std::string quoted(const std::string& text) {
    std::string out = "'";
    for (const char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

// The fake Plex serving the realistic library, synced once into a data dir with the toy
// embedder; every create of a test program runs against it.
class World {
public:
    static World& get() {
        static World world;
        return world;
    }

    const std::vector<TruthTrack>& truth() const { return library_.truth; }
    const TruthTrack* find(const std::string& key) const {
        const auto it = by_key_.find(key);
        return it == by_key_.end() ? nullptr : &library_.truth[it->second];
    }

    // `plexmix create PROMPT --dry-run --json --now kNow EXTRA`.
    CliStreams create(const std::string& prompt, const std::string& extra = "") const {
        return run_cli_streams(PMX_CLI, base_args_ + " create " + quoted(prompt) + " --dry-run --json --now " +
                                            std::to_string(kNow) + (extra.empty() ? "" : " " + extra));
    }

private:
    World() : library_(build_library()), plex_(options(library_)) {
        REQUIRE(plex_.track_count() == library_.truth.size());
        for (size_t i = 0; i < library_.truth.size(); ++i) {
            const FakePlexTrack served = plex_.track_at(i);
            REQUIRE(served.title == library_.truth[i].title);
            library_.truth[i].key = served.rating_key;
            by_key_[served.rating_key] = i;
        }
        const std::filesystem::path config = dir_.path() / "plexmix.yaml";
        std::ofstream(config) << "data_dir: " << (dir_.path() / "data").string() << "\n"
                              << "providers:\n"
                              << "  home: { plugin: plex, url: " << plex_.url() << ", token: " << plex_.token()
                              << ", retries: 0 }\n"
                              << "  local: { plugin: toy-embedder }\n"
                              << "use: { media: [home], embedder: local }\n";
        base_args_ = "--config " + config.string() + " --plugin-path " +
                     std::filesystem::path(PMX_PLEX_PLUGIN).parent_path().string() + " --plugin-path " +
                     std::filesystem::path(PMX_TOY_EMBEDDER).parent_path().string();
        const CliStreams sync = run_cli_streams(PMX_CLI, base_args_ + " sync");
        INFO(sync.out << sync.err);
        REQUIRE(sync.code == 0);
    }
    static FakePlexOptions options(const Library& library) {
        FakePlexOptions o;
        o.albums = library.albums;
        return o;
    }

    Library library_;
    FakePlex plex_;
    TempDir dir_;
    std::map<std::string, size_t> by_key_;
    std::string base_args_;
};

// The mirror's "A; B" genre list holds the same tags as `tags` (case aside: the mirror keeps
// one spelling of "Jazz" and "jazz").
inline bool same_tags(const std::string& listed, const std::vector<std::string>& tags) {
    std::set<std::string> mirror, truth;
    for (size_t from = 0; from <= listed.size();) {
        const size_t at = std::min(listed.find("; ", from), listed.size());
        if (at > from) mirror.insert(lower(listed.substr(from, at - from)));
        from = at + 2;
    }
    for (const auto& tag : tags) truth.insert(lower(tag));
    return mirror == truth;
}

// The answer of one create, as the checker read it.
struct Answer {
    int code = -1;
    std::string err;
    std::vector<std::string> keys;
    bool short_of_target = false;
    int64_t duration_ms = 0;
    std::string request;  // the engine's reading, for the failure message
    std::vector<std::string> problems;  // empty: every constraint holds
};

// Runs the prompt and checks the answer against `e`: every track, the caps, the target, and
// "short" only when the ground truth shows the library cannot fill it.
inline Answer check(const Case& c, const std::string& extra = "") {
    const World& world = World::get();
    const CliStreams run = world.create(c.prompt, extra);
    Answer a;
    a.code = run.code;
    a.err = run.err;
    if (run.code != 0) {
        a.problems.push_back("exit " + std::to_string(run.code) + ": " + run.err.substr(0, run.err.find('\n')));
        return a;
    }
    rapidjson::Document doc;
    doc.Parse(run.out.c_str());
    if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("tracks") || !doc["tracks"].IsArray()) {
        a.problems.push_back("the output is not the JSON of a playlist: " + run.out.substr(0, 200));
        return a;
    }
    const Expect& e = c.expect;
    a.short_of_target = doc["short"].GetBool();
    a.duration_ms = doc["duration_ms"].GetInt64();
    a.request = doc["request"].GetString();

    // Each track: known, as the truth has it, and meeting every constraint.
    struct Failing {
        size_t tracks = 0;
        std::set<std::string> details;
        std::string example;
    };
    std::map<std::string, Failing> failing;  // by the constraint broken
    std::map<std::string, int> per_artist;
    std::map<size_t, int> per_album;
    std::set<std::string> seen;
    for (const auto& item : doc["tracks"].GetArray()) {
        const std::string key = item["key"].GetString();
        a.keys.push_back(key);
        const TruthTrack* t = world.find(key);
        if (t == nullptr) {
            a.problems.push_back("track key " + key + " is not in the library");
            continue;
        }
        if (!seen.insert(key).second) a.problems.push_back("track " + describe(*t) + " appears twice");
        // The mirror must agree with the truth, or the checks below would judge the wrong thing.
        const bool same = item["artist"].GetString() == t->artist && item["album"].GetString() == t->album &&
                          (item["year"].IsNull() ? !t->year : t->year && item["year"].GetInt64() == *t->year) &&
                          (item["rating"].IsNull() ? t->rating == 0 : item["rating"].GetInt64() == t->rating) &&
                          item["live"].GetBool() == t->live &&
                          (item["last_played_at"].IsNull() ? !t->last_played
                                                           : t->last_played && item["last_played_at"].GetInt64() == *t->last_played) &&
                          same_tags(item["genres"].GetString(), t->tags);
        if (!same) a.problems.push_back("the mirror's record of " + describe(*t) + " differs from the truth");
        const Judged j = judge(*t, e);
        if (j.verdict == Verdict::no) {
            Failing& f = failing[j.why];
            if (f.tracks++ == 0) f.example = describe(*t);
            f.details.insert(j.detail);
        }
        ++per_artist[t->artist];
        ++per_album[t->album_index];
    }
    for (const auto& [why, f] : failing) {
        std::vector<std::string> details(f.details.begin(), f.details.end());
        if (details.size() > kShownDetails) {
            details.resize(kShownDetails);
            details.push_back("…");
        }
        a.problems.push_back(std::to_string(f.tracks) + " of " + std::to_string(a.keys.size()) + " tracks " + why +
                             " (" + join(details) + "), e.g. " + f.example);
    }
    std::vector<const TruthTrack*> sure, possible;
    for (const auto& t : world.truth()) {
        const Verdict v = judge(t, e).verdict;
        if (v == Verdict::yes) sure.push_back(&t);
        if (v != Verdict::no) possible.push_back(&t);
    }
    // The caps: those stated always; the defaults unless they alone would leave it short.
    const Caps stated = caps_of(e, false), defaults = caps_of(e, true);
    bool defaults_fill = true;
    if (e.count) defaults_fill = capped_count(sure, e, defaults) >= static_cast<size_t>(*e.count);
    if (e.minutes) defaults_fill = static_cast<double>(capped_ms(sure, e, defaults)) >= *e.minutes * 60'000.0;
    const Caps& held = defaults_fill ? defaults : stated;
    for (const auto& [artist, n] : per_artist) {
        if (held.artist_capped(e, artist) && n > held.artist) {
            a.problems.push_back(std::to_string(n) + " tracks by " + artist + ", cap " + std::to_string(held.artist));
        }
    }
    for (const auto& [album, n] : per_album) {
        const TruthTrack* any = nullptr;
        for (const auto& t : world.truth()) {
            if (t.album_index == album) {
                any = &t;
                break;
            }
        }
        if (any && held.album_capped(e, any->artist) && n > held.album) {
            a.problems.push_back(std::to_string(n) + " tracks from the album '" + any->album + "' by " + any->album_artist +
                                 ", cap " + std::to_string(held.album));
        }
    }

    // The target, and "short" only when the library cannot fill it (under the stated caps).
    const size_t n = a.keys.size();
    if (e.count) {
        const auto want = static_cast<size_t>(*e.count);
        const size_t low = capped_count(sure, e, stated), high = capped_count(possible, e, stated);
        if (!a.short_of_target && n != want) {
            a.problems.push_back(std::to_string(n) + " tracks, asked " + std::to_string(want) + " (not marked short)");
        }
        if (a.short_of_target && low >= want) {
            a.problems.push_back("marked short with " + std::to_string(n) + " tracks, but " + std::to_string(low) +
                                 " qualify under the caps (asked " + std::to_string(want) + ")");
        } else if (a.short_of_target && n < low) {
            a.problems.push_back("short with " + std::to_string(n) + " tracks, but " + std::to_string(low) + " qualify");
        }
        if (!a.short_of_target && high < want && n == want) {
            a.problems.push_back("not short, but only " + std::to_string(high) + " tracks qualify");
        }
    }
    if (e.minutes) {
        const double want = *e.minutes * 60'000.0;
        const uint64_t low = capped_ms(sure, e, stated);
        const double off = std::abs(static_cast<double>(a.duration_ms) - want) / want;
        if (!a.short_of_target && off > kDurationTolerance) {
            a.problems.push_back("lasts " + std::to_string(a.duration_ms / 60'000) + " min, asked " +
                                 std::to_string(*e.minutes) + " (±5%, not marked short)");
        }
        if (a.short_of_target && static_cast<double>(low) >= want) {
            a.problems.push_back("marked short, but qualifying tracks last up to " + std::to_string(low / 60'000) +
                                 " min under the caps (asked " + std::to_string(*e.minutes) + ")");
        }
    }
    return a;
}

// One Catch check per case, with the problems listed.
inline void check_case(const Case& c) {
    const Answer a = check(c);
    INFO("prompt: " << c.prompt << "\nengine read: " << a.request << "\n" << a.keys.size() << " tracks"
                    << (a.short_of_target ? " (short)" : "") << "\nproblems:\n  " << join(a.problems, "\n  "));
    CHECK(a.problems.empty());
}

}  // namespace pmx::test::realistic
