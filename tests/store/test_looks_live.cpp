// looks_live(): a table of titles and albums that are and are not live recordings.
#include <catch2/catch.hpp>

#include "store/looks_live.hpp"

using namespace pmx;

namespace {

struct Case {
    const char* title;
    const char* album;
    bool live;
};

constexpr Case kCases[] = {
    // Live
    {"Hotel California (Live)", "Hell Freezes Over", true},
    {"Won't Get Fooled Again [Live at Leeds]", "Who's Next (Deluxe)", true},
    {"Whole Lotta Love - Live", "Mothership", true},
    {"Comfortably Numb \xe2\x80\x93 Live 1980", "Is There Anybody Out There?", true},
    {"My Generation", "Live at Leeds", true},
    {"Heroin", "1969: The Velvet Underground Live", true},
    {"Roadhouse Blues", "Live in Detroit", true},
    {"Dark Star", "Live/Dead", true},
    {"Get Up, Stand Up", "Live!", true},
    {"Imagine", "Live", true},
    {"Sympathy for the Devil", "Live 1969", true},
    {"Come As You Are", "MTV Unplugged in New York", true},
    {"Mrs. Robinson", "The Concert in Central Park", true},
    {"Scarlet Begonias", "Cornell 5/8/77", true},
    {"Dark Star", "1972-08-27 Veneta, OR", true},
    {"Morning Dew 77-05-08", "Tapes", true},
    {"Estranged", "Use Your Illusion II (recorded live, 1992)", true},
    {"Bad", "Rattle and Hum: Live from Denver", true},
    {"La Bamba (En Vivo)", "Greatest Hits", true},
    {"Queen: Live at Wembley", "Queen: Live at Wembley", true},
    {"Song for the Road", "gd1977.05.08.sbd", true},
    {"Live and Let Die (Live)", "Back in the U.S.", true},
    // Not live
    {"Live and Let Die", "Live and Let Die", false},
    {"Stayin' Alive", "Saturday Night Fever", false},
    {"Frampton's Theme", "Alive Again", false},
    {"Oliver's Army", "Armed Forces", false},
    {"Special Delivery", "Delivery Room", false},
    {"Live Forever", "Definitely Maybe", false},
    {"Let Me Live", "A Night at the Opera", false},
    {"Live to Tell", "True Blue", false},
    {"Live Fast, Die Young", "Songs", false},
    {"Piano Concerto No. 21", "Mozart: Piano Concertos", false},
    {"(I Just Wanna) Live", "Dreams", false},
    {"Livestock", "Farm Songs", false},
    {"Olive Tree", "Delivered", false},
    {"1999", "1999", false},
    {"24/7", "Version 1.2.10", false},
    {"Song 2", "Blur", false},
    {"Symphony No. 5 in C minor, Op. 67", "Beethoven 1808-1812", false},
    {"Track 13-45-99", "Numbers", false},
};

}  // namespace

TEST_CASE("looks_live tells live recordings from names that only contain 'live'", "[store][live]") {
    int live = 0, studio = 0;
    for (const Case& c : kCases) {
        INFO(c.title << " / " << c.album);
        CHECK(looks_live(c.title, c.album) == c.live);
        (c.live ? live : studio) += 1;
    }
    CHECK(live >= 10);
    CHECK(studio >= 10);
}

TEST_CASE("looks_live matches case-insensitively in either field", "[store][live]") {
    CHECK(looks_live("SONG (LIVE)", ""));
    CHECK(looks_live("", "live at the fillmore"));
    CHECK_FALSE(looks_live("", ""));
}
