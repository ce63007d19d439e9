// The small mirror the prompt tests read against, and a readable dump of a request.
#pragma once

#include <sstream>
#include <string>

#include <catch2/catch.hpp>

#include "generate/prompt.hpp"

namespace pmx::gen::test {

// Names as a server would spell them: accents, punctuation, "The", a CJK name, a band called
// Live and one called Love, a genre that contains another ("Jazz Rock").
inline const Vocabulary& mirror() {
    static const Vocabulary vocab{
        {"Jazz", "Rock", "Metal", "Hip-Hop", "R&B", "Electronic", "Bossa Nova", "Classical", "Pop", "Country",
         "Blues", "Soundtrack", "Singer/Songwriter", "Rock & Roll", "K-Pop", "M\u00fasica Popular Brasileira",
         "Punk", "Ballad", "Jazz Rock", "Soul"},
        {"The Beatles", "Beyonc\u00e9", "Miles Davis", "Metallica", "Simon & Garfunkel", "Sigur R\u00f3s", "R.E.M.",
         "AC/DC", "Live", "The Who", "Bj\u00f6rk", "\u5b87\u591a\u7530\u30d2\u30ab\u30eb", "John Coltrane", "Queen",
         "Love", "Crosby, Stills, Nash & Young", "Nina Simone"},
    };
    return vocab;
}

inline std::string dump(const PlaylistRequest& r) {
    std::ostringstream out;
    const auto list = [&](const char* name, const std::vector<std::string>& items) {
        if (items.empty()) return;
        out << ' ' << name << "=[";
        for (size_t i = 0; i < items.size(); ++i) out << (i ? "|" : "") << items[i];
        out << ']';
    };
    out << '{';
    if (!r.years.empty()) {
        out << " years=[";
        for (const auto& y : r.years) {
            out << '(' << (y.first ? std::to_string(*y.first) : "open") << ".."
                << (y.last ? std::to_string(*y.last) : "open") << ')';
        }
        out << ']';
    }
    list("genres", r.genres);
    list("exclude_genres", r.exclude_genres);
    for (const auto& w : r.genre_words) {
        out << (w.excluded ? " not_word=" : " word=") << '"' << w.word << "\"->" << w.read_as << '(' << w.genres.size()
            << ')';
    }
    list("artists", r.artists);
    list("exclude_artists", r.exclude_artists);
    if (r.min_rating) out << " min_rating=" << r.min_rating;
    if (r.favourites) out << " favourites";
    if (r.duration_seconds) out << " duration_seconds=" << r.duration_seconds;
    if (r.track_count) out << " track_count=" << r.track_count;
    if (r.exclude_live) out << " exclude_live";
    if (r.unplayed) out << " unplayed";
    if (r.avoid_recent_days) out << " avoid_recent_days=" << r.avoid_recent_days;
    list("sources", r.sources);
    if (!r.mood_query.empty()) out << " mood=\"" << r.mood_query << '"';
    list("notes", r.notes);
    if (r.per_artist) out << " per_artist=" << r.per_artist;
    if (r.per_album) out << " per_album=" << r.per_album;
    if (r.played_since) out << " played_since=" << r.played_since;
    if (r.not_played_since) out << " not_played_since=" << r.not_played_since;
    list("unparsed", r.unparsed);
    for (const TagWord& t : r.tags) {
        out << " tag=" << (t.use == TagWord::Use::only ? "only:" : t.use == TagWord::Use::exclude ? "not:" : "")
            << t.facet << ":" << t.term;
    }
    for (const SeedWord& s : r.seeds) {
        out << " like=\"" << s.title << '"';
        for (const auto& a : s.artists) out << '/' << a;
    }
    out << " }";
    return out.str();
}

// The request without its tag words: the tables of filters are checked apart from them (the tag
// vocabulary's words in prompts are tested in test_prompt_tags.cpp).
inline PlaylistRequest without_tags(PlaylistRequest r) {
    r.tags.clear();
    return r;
}

}  // namespace pmx::gen::test

namespace Catch {
template <>
struct StringMaker<pmx::gen::PlaylistRequest> {
    static std::string convert(const pmx::gen::PlaylistRequest& request) { return pmx::gen::test::dump(request); }
};
}  // namespace Catch
