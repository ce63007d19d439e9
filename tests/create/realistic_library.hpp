// A realistic library for the fake Plex (genre tags as Plex serves them) and its ground truth per track.
#pragma once

// ~2,900 tracks by ~200 artists, generated deterministically from the table below; the truth
// per track (genre families by a hand-written map, year, rating, plays, live) is the test's own.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "support/fake_plex.hpp"

namespace pmx::test::realistic {

// The fixed "now" of every create (--now): 2025-06-15 12:00:00 UTC.
inline constexpr int64_t kNow = 1'749'988'800;
inline constexpr int64_t kDay = 86'400;
inline constexpr int64_t kYear2025 = 1'735'689'600;  // 2025-01-01 00:00:00 UTC
inline constexpr int64_t kMay2025 = 1'746'057'600;   // 2025-05-01 00:00:00 UTC
inline constexpr int64_t kJune2025 = 1'748'736'000;  // 2025-06-01 00:00:00 UTC
inline constexpr int kLastYear = 2025;
inline constexpr int64_t kPlayedSpan = 5 * 365 * kDay;  // plays spread over the last five years

// One artist of the data: its albums take the tag sets in turn, from `first_year` on.
struct ArtistSeed {
    const char* name;
    int first_year;  // 0: every album of unknown year
    int albums;
    std::vector<std::vector<std::string>> tag_sets;
};

// Written as Plex serves them: the agent's album genres ("Hard Bop", "Hip-Hop/Rap", "R&B/Soul",
// "Rock/Pop"), and tags read from files (lower case "jazz", "trip-hop", "METAL", "Drum and Bass").
inline const std::vector<ArtistSeed>& artist_seeds() {
    static const std::vector<ArtistSeed> seeds{
        // jazz
        {"Miles Davis", 1955, 8, {{"Jazz", "Bebop"}, {"Hard Bop"}, {"Cool Jazz"}, {"Jazz Fusion"}}},
        {"John Coltrane", 1957, 4, {{"Jazz", "Hard Bop"}, {"Jazz"}}},
        {"Charlie Parker", 1955, 2, {{"Bebop"}}},
        {"Dizzy Gillespie", 1956, 2, {{"Bebop"}, {"Latin Jazz"}}},
        {"Thelonious Monk", 1956, 3, {{"Bebop"}, {"Jazz"}}},
        {"Art Blakey & The Jazz Messengers", 1958, 3, {{"Hard Bop"}}},
        {"Horace Silver", 1959, 2, {{"Hard Bop"}}},
        {"Ella Fitzgerald", 1956, 3, {{"Vocal Jazz"}}},
        {"Billie Holiday", 1955, 2, {{"Vocal Jazz", "Jazz"}}},
        {"Sarah Vaughan", 1957, 2, {{"Vocal Jazz"}}},
        {"Nina Simone", 1959, 3, {{"Vocal Jazz"}, {"Soul"}}},
        {"Duke Ellington", 1956, 3, {{"Big Band"}, {"Swing"}}},
        {"Count Basie", 1957, 2, {{"Big Band", "Swing"}}},
        {"Benny Goodman", 1955, 1, {{"Swing"}}},
        {"Weather Report", 1971, 3, {{"Jazz Fusion"}}},
        {"Herbie Hancock", 1965, 3, {{"Jazz"}, {"Jazz Fusion"}, {"Jazz-Funk"}}},
        {"Chick Corea", 1968, 2, {{"Jazz Fusion"}}},
        {"Dave Brubeck", 1959, 2, {{"Cool Jazz"}}},
        {"Chet Baker", 1955, 2, {{"Cool Jazz"}, {"Vocal Jazz"}}},
        {"Kamasi Washington", 2015, 2, {{"Jazz"}}},
        {"Esperanza Spalding", 2008, 2, {{"Vocal Jazz", "Jazz"}}},
        {"Norah Jones", 2002, 2, {{"Vocal Jazz", "Pop"}}},
        {"Snarky Puppy", 2010, 2, {{"Jazz Fusion"}}},
        {"GoGo Penguin", 2014, 2, {{"jazz"}}},
        {"Jazzanova", 2002, 2, {{"Electronic", "Nu Jazz"}}},
        // rock
        {"The Beatles", 1963, 4, {{"Rock"}, {"Rock/Pop"}, {"Psychedelic Rock"}}},
        {"The Rolling Stones", 1965, 4, {{"Rock"}, {"Blues Rock"}}},
        {"Led Zeppelin", 1969, 4, {{"Hard Rock"}, {"Rock"}}},
        {"Deep Purple", 1968, 3, {{"Hard Rock"}}},
        {"AC/DC", 1975, 3, {{"Hard Rock"}}},
        {"Pink Floyd", 1967, 5, {{"Psychedelic Rock"}, {"Progressive Rock"}}},
        {"Yes", 1970, 3, {{"Progressive Rock"}}},
        {"Genesis", 1970, 3, {{"Progressive Rock"}, {"Rock/Pop"}}},
        {"King Crimson", 1969, 3, {{"Progressive Rock"}}},
        {"Rush", 1975, 3, {{"Progressive Rock", "Hard Rock"}}},
        {"Jethro Tull", 1969, 2, {{"Progressive Rock", "Folk Rock"}}},
        {"Jefferson Airplane", 1966, 2, {{"Psychedelic Rock"}}},
        {"The Doors", 1967, 3, {{"Psychedelic Rock"}, {"Rock"}}},
        {"13th Floor Elevators", 1966, 1, {{"Psychedelic"}}},
        {"The Jimi Hendrix Experience", 1967, 2, {{"Psychedelic Rock", "Blues Rock"}}},
        {"Tame Impala", 2010, 3, {{"Psychedelic Rock"}, {"Psychedelic Pop"}}},
        {"King Gizzard & The Lizard Wizard", 2014, 3, {{"Psychedelic Rock"}}},
        {"Ramones", 1976, 3, {{"Punk Rock"}}},
        {"Sex Pistols", 1977, 1, {{"Punk"}}},
        {"The Clash", 1977, 3, {{"Punk Rock"}, {"Punk"}}},
        {"Buzzcocks", 1978, 2, {{"punk rock"}}},
        {"Green Day", 1994, 3, {{"Punk Rock"}, {"Alternative Rock"}}},
        {"Nirvana", 1989, 3, {{"Grunge"}, {"Alternative Rock"}}},
        {"Pearl Jam", 1991, 3, {{"Alternative Rock"}}},
        {"Radiohead", 1993, 6, {{"Alternative Rock"}, {"Art Rock"}, {"Electronic", "Alternative/Indie"}}},
        {"R.E.M.", 1983, 3, {{"Alternative Rock"}, {"Rock/Pop"}}},
        {"Pixies", 1988, 2, {{"Alternative Rock", "Indie Rock"}}},
        {"Arctic Monkeys", 2006, 3, {{"Indie Rock"}}},
        {"The Strokes", 2001, 2, {{"Indie Rock"}}},
        {"Foo Fighters", 1995, 3, {{"Alternative Rock", "Hard Rock"}}},
        {"Bruce Springsteen", 1973, 4, {{"Rock"}, {"Classic Rock"}}},
        {"Fleetwood Mac", 1975, 3, {{"Rock/Pop"}, {"Classic Rock"}}},
        {"Queen", 1973, 4, {{"Rock"}, {"Hard Rock"}, {"Rock/Pop"}}},
        {"David Bowie", 1969, 4, {{"Rock"}, {"Art Rock"}, {"Glam Rock"}}},
        {"The Velvet Underground", 1967, 2, {{"Rock", "Art Rock"}}},
        {"Sigur Rós", 1999, 2, {{"Post-Rock"}}},
        {"Mogwai", 1997, 2, {{"Post-Rock"}}},
        {"Can", 1969, 2, {{"Krautrock"}}},
        // metal
        {"Black Sabbath", 1970, 3, {{"Heavy Metal"}}},
        {"Iron Maiden", 1980, 3, {{"Heavy Metal"}}},
        {"Judas Priest", 1974, 2, {{"Heavy Metal"}}},
        {"Metallica", 1983, 4, {{"Thrash Metal"}, {"Metal"}}},
        {"Slayer", 1983, 2, {{"Thrash Metal"}}},
        {"Death", 1987, 2, {{"Death Metal"}}},
        {"Cannibal Corpse", 1990, 2, {{"Death Metal"}}},
        {"Opeth", 1995, 3, {{"Death Metal", "Progressive Metal"}}},
        {"Mastodon", 2004, 2, {{"Metal"}}},
        {"Motörhead", 1977, 2, {{"Heavy Metal", "Hard Rock"}}},
        {"Gojira", 2005, 2, {{"METAL"}}},
        // electronic
        {"Daft Punk", 1997, 3, {{"House"}, {"Electronic"}}},
        {"Frankie Knuckles", 1987, 2, {{"House"}}},
        {"Larry Heard", 1988, 2, {{"Deep House"}}},
        {"Kerri Chandler", 1993, 2, {{"Deep House"}}},
        {"Moodymann", 1997, 2, {{"Deep House", "House"}}},
        {"Jeff Mills", 1992, 2, {{"Techno"}}},
        {"Derrick May", 1987, 1, {{"Techno"}}},
        {"Richie Hawtin", 1993, 2, {{"Techno", "Minimal Techno"}}},
        {"Underworld", 1994, 2, {{"Techno"}, {"Electronica"}}},
        {"Paul van Dyk", 1994, 2, {{"Trance"}}},
        {"Armin van Buuren", 2003, 2, {{"Trance"}}},
        {"Brian Eno", 1975, 4, {{"Ambient"}}},
        {"Aphex Twin", 1992, 3, {{"Electronic", "IDM"}, {"Ambient"}}},
        {"Boards of Canada", 1998, 2, {{"Electronica"}, {"IDM"}}},
        {"Stars of the Lid", 1997, 2, {{"ambient"}}},
        {"Goldie", 1995, 1, {{"Drum & Bass"}}},
        {"LTJ Bukem", 1995, 2, {{"Drum & Bass"}}},
        {"Roni Size", 1997, 2, {{"Drum and Bass"}}},
        {"Pendulum", 2005, 2, {{"Drum & Bass", "Electronic"}}},
        {"Massive Attack", 1991, 3, {{"Trip Hop"}}},
        {"Portishead", 1994, 3, {{"Trip Hop"}, {"trip-hop"}}},
        {"Tricky", 1995, 2, {{"Trip-Hop"}}},
        {"Moby", 1992, 2, {{"Electronica"}, {"Electronic"}}},
        {"The Chemical Brothers", 1995, 3, {{"Electronic", "Big Beat"}}},
        {"Kraftwerk", 1974, 4, {{"Electronic"}, {"Synthpop"}}},
        {"Depeche Mode", 1981, 4, {{"Synthpop"}, {"Alternative Rock"}}},
        {"New Order", 1983, 3, {{"Synthpop"}, {"Alternative Rock"}}},
        {"Pet Shop Boys", 1986, 2, {{"Synthpop"}}},
        {"Röyksopp", 2001, 2, {{"Electronica", "Downtempo"}}},
        {"Bonobo", 2000, 3, {{"Downtempo"}, {"Electronic"}}},
        {"Four Tet", 2001, 2, {{"Electronic"}}},
        {"Burial", 2006, 2, {{"Electronic", "Dubstep"}}},
        // hip hop
        {"Run-D.M.C.", 1984, 2, {{"Hip-Hop"}}},
        {"Public Enemy", 1987, 2, {{"Hip-Hop"}}},
        {"A Tribe Called Quest", 1990, 3, {{"Hip-Hop"}, {"Jazz Rap"}}},
        {"Nas", 1994, 3, {{"Hip-Hop/Rap"}}},
        {"The Notorious B.I.G.", 1994, 2, {{"Rap"}}},
        {"Wu-Tang Clan", 1993, 2, {{"Hip Hop"}}},
        {"OutKast", 1994, 3, {{"Hip-Hop"}, {"Hip-Hop/Rap"}}},
        {"Kendrick Lamar", 2011, 3, {{"Hip-Hop/Rap"}}},
        {"MF DOOM", 1999, 2, {{"hip hop"}}},
        {"J Dilla", 2001, 2, {{"Hip-Hop", "Instrumental Hip-Hop"}}},
        {"Missy Elliott", 1997, 2, {{"Hip-Hop", "R&B"}}},
        {"De La Soul", 1989, 2, {{"Hip-Hop"}}},
        // r&b, soul, funk, disco
        {"Aretha Franklin", 1961, 3, {{"Soul"}}},
        {"Otis Redding", 1962, 2, {{"Soul"}}},
        {"Marvin Gaye", 1961, 3, {{"Soul"}, {"R&B/Soul"}}},
        {"Stevie Wonder", 1966, 4, {{"Soul"}, {"R&B"}, {"Funk"}}},
        {"Al Green", 1970, 2, {{"Soul"}}},
        {"Curtis Mayfield", 1970, 2, {{"Soul", "Funk"}}},
        {"James Brown", 1959, 3, {{"Funk"}, {"Soul"}}},
        {"Parliament", 1974, 2, {{"Funk"}}},
        {"Sly & The Family Stone", 1967, 2, {{"Funk"}, {"Psychedelic Soul"}}},
        {"Earth, Wind & Fire", 1973, 3, {{"Funk"}, {"R&B/Soul"}}},
        {"TLC", 1992, 2, {{"R&B"}}},
        {"Mary J. Blige", 1992, 2, {{"Contemporary R&B"}}},
        {"D'Angelo", 1995, 2, {{"Neo Soul"}}},
        {"Erykah Badu", 1997, 2, {{"Neo Soul", "R&B"}}},
        {"Usher", 1997, 2, {{"Contemporary R&B"}}},
        {"Alicia Keys", 2001, 2, {{"R&B/Soul"}}},
        {"Beyoncé", 2003, 3, {{"Contemporary R&B"}, {"R&B"}}},
        {"Frank Ocean", 2012, 2, {{"R&B"}}},
        {"SZA", 2017, 2, {{"Contemporary R&B"}}},
        {"Prince", 1978, 4, {{"Funk"}, {"R&B"}, {"Rock/Pop"}}},
        {"Chic", 1977, 2, {{"Disco"}}},
        {"Donna Summer", 1975, 2, {{"Disco"}}},
        {"Bee Gees", 1967, 3, {{"Pop"}, {"Disco"}}},
        // pop
        {"Madonna", 1983, 3, {{"Pop"}, {"Dance-Pop"}}},
        {"Michael Jackson", 1972, 4, {{"Pop"}, {"R&B"}}},
        {"ABBA", 1974, 3, {{"Pop"}}},
        {"Kate Bush", 1978, 3, {{"Art Pop"}}},
        {"Björk", 1993, 4, {{"Art Pop"}, {"Electronic"}}},
        {"Robyn", 2005, 2, {{"Synthpop", "Dance-Pop"}}},
        {"Lorde", 2013, 2, {{"Indie Pop"}}},
        {"Belle and Sebastian", 1996, 3, {{"Indie Pop"}}},
        {"The Shins", 2001, 2, {{"Indie Pop", "Indie Rock"}}},
        {"Beach House", 2006, 3, {{"Dream Pop"}}},
        {"Cocteau Twins", 1982, 2, {{"Dream Pop"}}},
        {"Taylor Swift", 2006, 4, {{"Country"}, {"Pop"}}},
        {"Dua Lipa", 2017, 2, {{"Pop"}}},
        {"Carly Rae Jepsen", 2012, 2, {{"pop"}}},
        // country, folk
        {"Johnny Cash", 1957, 4, {{"Country"}}},
        {"Dolly Parton", 1967, 3, {{"Country"}}},
        {"Willie Nelson", 1965, 3, {{"Country"}}},
        {"Hank Williams", 1955, 1, {{"Country"}}},
        {"Emmylou Harris", 1975, 2, {{"Country", "Americana"}}},
        {"Kacey Musgraves", 2013, 2, {{"Country"}}},
        {"Chris Stapleton", 2015, 2, {{"Country"}}},
        {"Bob Dylan", 1962, 5, {{"Folk"}, {"Folk Rock"}, {"Rock"}}},
        {"Joni Mitchell", 1968, 3, {{"Folk"}, {"Singer-Songwriter"}}},
        {"Joan Baez", 1960, 2, {{"Folk"}}},
        {"Nick Drake", 1969, 3, {{"Folk"}}},
        {"Simon & Garfunkel", 1964, 3, {{"Folk Rock"}, {"Folk"}}},
        {"Fleet Foxes", 2008, 2, {{"Indie Folk"}}},
        {"Bon Iver", 2007, 2, {{"Indie Folk"}, {"Alternative/Indie"}}},
        {"Sufjan Stevens", 2003, 2, {{"Indie Folk", "Singer-Songwriter"}}},
        // classical
        {"Glenn Gould", 1955, 3, {{"Classical"}, {"Baroque"}}},
        {"Herbert von Karajan", 1960, 3, {{"Classical"}}},
        {"Berliner Philharmoniker", 1970, 2, {{"Classical", "Orchestral"}}},
        {"Yo-Yo Ma", 1983, 2, {{"Classical"}}},
        {"Martha Argerich", 1965, 2, {{"Classical"}}},
        {"Arvo Pärt", 1984, 2, {{"Classical", "Contemporary Classical"}}},
        {"Philip Glass", 1976, 2, {{"Contemporary Classical", "Minimalism"}}},
        {"Max Richter", 2004, 2, {{"Modern Classical"}, {"Ambient"}}},
        // reggae
        {"Bob Marley & The Wailers", 1970, 4, {{"Reggae"}}},
        {"Peter Tosh", 1976, 2, {{"Reggae"}}},
        {"Toots & The Maytals", 1968, 2, {{"Reggae", "Ska"}}},
        {"Lee Perry", 1973, 2, {{"Dub"}}},
        {"King Tubby", 1974, 1, {{"Dub"}}},
        {"Burning Spear", 1975, 2, {{"Roots Reggae"}}},
        // blues
        {"Muddy Waters", 1955, 3, {{"Blues"}, {"Chicago Blues"}}},
        {"B.B. King", 1960, 3, {{"Blues"}}},
        {"Howlin' Wolf", 1958, 2, {{"Chicago Blues"}}},
        {"John Lee Hooker", 1959, 2, {{"Blues"}}},
        {"Robert Johnson", 0, 1, {{"Delta Blues"}}},
        {"Etta James", 1960, 2, {{"Blues", "Soul"}}},
        {"Stevie Ray Vaughan", 1983, 2, {{"Blues Rock"}}},
        {"The Black Keys", 2002, 3, {{"Blues Rock"}, {"Indie Rock"}}},
        // latin
        {"João Gilberto", 1959, 2, {{"Bossa Nova"}}},
        {"Antônio Carlos Jobim", 1963, 3, {{"Bossa Nova"}, {"MPB"}}},
        {"Stan Getz", 1962, 2, {{"Bossa Nova", "Jazz"}}},
        {"Astrud Gilberto", 1965, 2, {{"Bossa Nova"}}},
        {"Buena Vista Social Club", 1997, 1, {{"Latin", "Son Cubano"}}},
        {"Celia Cruz", 1966, 2, {{"Salsa"}}},
        {"Tito Puente", 1958, 2, {{"Latin Jazz"}, {"Mambo"}}},
        {"Santana", 1969, 3, {{"Latin Rock"}, {"Rock"}}},
        {"Rosalía", 2017, 2, {{"Latin", "Flamenco"}}},
        {"Bad Bunny", 2018, 2, {{"Latin", "Reggaeton"}}},
        // world, soundtracks
        {"Fela Kuti", 1971, 3, {{"Afrobeat"}}},
        {"Ravi Shankar", 1962, 2, {{"World", "Indian Classical"}}},
        {"Tinariwen", 2001, 2, {{"World", "Desert Blues"}}},
        {"Hans Zimmer", 1995, 2, {{"Soundtrack"}}},
        {"Ennio Morricone", 1966, 3, {{"Soundtrack"}}},
    };
    return seeds;
}

// Genre families, the test's own reading of each tag (not the engine's taxonomy): `core` are
// families the tag surely belongs to; `maybe` are families a reasonable reader might also
// count it in (Jazz Fusion as rock, Soul as R&B, Ambient as electronic). A track asked for a
// family passes when one of its tags has it in core or maybe; a track asked to be without a
// family fails only when one of its tags has it in core.
struct Families {
    std::set<std::string> core, maybe;
};

inline const std::map<std::string, Families>& family_map() {
    static const std::map<std::string, Families> map{
        {"jazz", {{"jazz"}, {}}},
        {"bebop", {{"jazz", "bebop"}, {}}},
        {"hard bop", {{"jazz", "hard bop"}, {"bebop"}}},
        {"cool jazz", {{"jazz"}, {}}},
        {"vocal jazz", {{"jazz", "vocal jazz"}, {}}},
        {"jazz fusion", {{"jazz", "fusion"}, {"rock", "funk"}}},
        {"jazz-funk", {{"jazz", "funk"}, {"fusion"}}},
        {"big band", {{"jazz", "big band"}, {"swing"}}},
        {"swing", {{"jazz", "swing"}, {"big band"}}},
        {"latin jazz", {{"jazz", "latin"}, {}}},
        {"nu jazz", {{"electronic"}, {"jazz"}}},
        {"jazz rap", {{"hip hop"}, {"jazz"}}},
        {"rock", {{"rock"}, {}}},
        {"hard rock", {{"rock"}, {"metal"}}},
        {"classic rock", {{"rock"}, {}}},
        {"progressive rock", {{"rock", "prog"}, {}}},
        {"psychedelic rock", {{"rock", "psychedelic"}, {}}},
        {"psychedelic", {{"psychedelic"}, {"rock"}}},
        {"psychedelic pop", {{"pop", "psychedelic"}, {"rock"}}},
        {"psychedelic soul", {{"soul"}, {"psychedelic", "funk", "r&b"}}},
        {"punk rock", {{"rock", "punk"}, {}}},
        {"punk", {{"punk"}, {"rock"}}},
        {"alternative rock", {{"rock", "alternative"}, {"indie"}}},
        {"alternative/indie", {{"alternative", "indie"}, {"rock", "pop"}}},
        {"indie rock", {{"rock", "indie"}, {"alternative"}}},
        {"grunge", {{"rock", "alternative"}, {"punk", "metal"}}},
        {"art rock", {{"rock"}, {"prog"}}},
        {"glam rock", {{"rock"}, {"pop"}}},
        {"blues rock", {{"rock", "blues"}, {}}},
        {"folk rock", {{"rock", "folk"}, {}}},
        {"post-rock", {{"rock"}, {"ambient", "prog"}}},
        {"krautrock", {{"rock"}, {"electronic", "prog", "psychedelic"}}},
        {"latin rock", {{"rock", "latin"}, {}}},
        {"rock/pop", {{"rock", "pop"}, {}}},
        {"metal", {{"metal"}, {"rock"}}},
        {"heavy metal", {{"metal"}, {"rock"}}},
        {"thrash metal", {{"metal"}, {"rock"}}},
        {"death metal", {{"metal"}, {"rock"}}},
        {"progressive metal", {{"metal"}, {"rock", "prog"}}},
        {"electronic", {{"electronic"}, {}}},
        {"electronica", {{"electronic"}, {}}},
        {"house", {{"electronic", "house"}, {}}},
        {"deep house", {{"electronic", "house", "deep house"}, {}}},
        {"techno", {{"electronic", "techno"}, {}}},
        {"minimal techno", {{"electronic", "techno"}, {}}},
        {"trance", {{"electronic", "trance"}, {}}},
        {"ambient", {{"ambient"}, {"electronic"}}},
        {"idm", {{"electronic"}, {}}},
        {"drum & bass", {{"electronic", "dnb"}, {}}},
        {"drum and bass", {{"electronic", "dnb"}, {}}},
        {"trip hop", {{"electronic", "trip hop"}, {"hip hop"}}},
        {"trip-hop", {{"electronic", "trip hop"}, {"hip hop"}}},
        {"downtempo", {{"electronic"}, {"trip hop", "ambient"}}},
        {"big beat", {{"electronic"}, {}}},
        {"dubstep", {{"electronic"}, {}}},
        {"synthpop", {{"pop", "electronic", "synthpop"}, {}}},
        {"hip-hop", {{"hip hop"}, {}}},
        {"hip hop", {{"hip hop"}, {}}},
        {"rap", {{"hip hop"}, {}}},
        {"hip-hop/rap", {{"hip hop"}, {}}},
        {"instrumental hip-hop", {{"hip hop"}, {"electronic"}}},
        {"r&b", {{"r&b"}, {"soul"}}},
        {"contemporary r&b", {{"r&b"}, {"pop"}}},
        {"r&b/soul", {{"r&b", "soul"}, {}}},
        {"soul", {{"soul"}, {"r&b"}}},
        {"neo soul", {{"soul", "r&b"}, {}}},
        {"funk", {{"funk"}, {"r&b", "soul"}}},
        {"disco", {{"disco"}, {"pop", "funk", "electronic"}}},
        {"pop", {{"pop"}, {}}},
        {"dance-pop", {{"pop"}, {"electronic"}}},
        {"art pop", {{"pop"}, {"electronic", "rock"}}},
        {"indie pop", {{"pop", "indie"}, {}}},
        {"dream pop", {{"pop"}, {"indie", "rock", "alternative"}}},
        {"country", {{"country"}, {}}},
        {"americana", {{"country", "folk"}, {}}},
        {"folk", {{"folk"}, {}}},
        {"indie folk", {{"folk", "indie"}, {}}},
        {"singer-songwriter", {{"folk"}, {"pop"}}},
        {"classical", {{"classical"}, {}}},
        {"baroque", {{"classical"}, {}}},
        {"orchestral", {{"classical"}, {}}},
        {"contemporary classical", {{"classical"}, {}}},
        {"modern classical", {{"classical"}, {"ambient"}}},
        {"minimalism", {{"classical"}, {"ambient", "electronic"}}},
        {"reggae", {{"reggae"}, {}}},
        {"roots reggae", {{"reggae"}, {}}},
        {"dub", {{"reggae"}, {"electronic"}}},
        {"ska", {{"ska"}, {"reggae", "punk"}}},
        {"blues", {{"blues"}, {}}},
        {"chicago blues", {{"blues"}, {}}},
        {"delta blues", {{"blues"}, {}}},
        {"bossa nova", {{"latin", "bossa nova"}, {"jazz"}}},
        {"mpb", {{"latin"}, {"bossa nova"}}},
        {"latin", {{"latin"}, {}}},
        {"son cubano", {{"latin"}, {}}},
        {"salsa", {{"latin"}, {}}},
        {"mambo", {{"latin"}, {"jazz", "big band"}}},
        {"flamenco", {{"latin"}, {"folk"}}},
        {"reggaeton", {{"latin"}, {"hip hop", "pop"}}},
        {"afrobeat", {{"world", "afrobeat"}, {"funk", "jazz"}}},
        {"world", {{"world"}, {}}},
        {"indian classical", {{"world"}, {"classical"}}},
        {"desert blues", {{"world"}, {"blues", "rock"}}},
        {"soundtrack", {{"soundtrack"}, {"classical"}}},
    };
    return map;
}

inline std::string lower(std::string text) {
    for (char& c : text) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return text;
}

// A track as the test knows it, in the fake's natural order (ratingKey ascending).
struct TruthTrack {
    std::string key;         // filled from the fake after it is built
    std::string title, artist, album_artist, album;
    size_t album_index = 0;  // distinct per album
    std::vector<std::string> tags;  // the genres that apply: its own, else its album's
    Families families;
    std::optional<int> year;
    int rating = 0;  // 0-10, two per star; 0: unrated
    uint64_t plays = 0;
    std::optional<int64_t> last_played;
    bool live = false;
    uint64_t duration_ms = 0;
};

struct Library {
    std::vector<FakePlexAlbumSpec> albums;
    std::vector<TruthTrack> truth;
};

// splitmix64: the one source of the library's variety (deterministic).
inline uint64_t mix(uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

inline Families families_of(const std::vector<std::string>& tags) {
    Families out;
    for (const auto& tag : tags) {
        const auto it = family_map().find(lower(tag));
        if (it == family_map().end()) continue;
        out.core.insert(it->second.core.begin(), it->second.core.end());
        out.maybe.insert(it->second.maybe.begin(), it->second.maybe.end());
    }
    for (const auto& f : out.core) out.maybe.erase(f);
    return out;
}

namespace data {
inline const std::vector<std::string> kAlbumFirst{
    "Blue", "Midnight", "Electric", "Golden", "Quiet", "Northern", "Velvet", "Broken", "Silver", "Distant",
    "Crimson", "Paper", "Wild", "Hollow", "Bright", "Lonely", "Summer", "Winter", "Secret", "Second"};
inline const std::vector<std::string> kAlbumSecond{
    "Horizons", "Streets", "Machines", "Gardens", "Rooms", "Rivers", "Signals", "Letters", "Mirrors", "Hours",
    "Harbours", "Engines", "Sessions", "Windows", "Islands", "Frontiers", "Dreams", "Stories", "Tides", "Skies"};
inline const std::vector<std::string> kTitleFirst{
    "Lost", "Falling", "Running", "Sweet", "Cold", "Burning", "Little", "Strange", "Slow", "Endless",
    "Sleeping", "Dancing", "Open", "Empty", "Shining", "Heavy", "Gentle", "Last", "Early", "Neon",
    "Painted", "Silent", "Holy", "Restless", "Tender"};
inline const std::vector<std::string> kTitleSecond{
    "Heart", "Road", "Light", "Fire", "Water", "Morning", "Shadow", "Train", "Moon", "Wire",
    "Garden", "Stone", "Dream", "Mountain", "Letter", "Echo", "Window", "Ocean", "Flower", "Machine",
    "Station", "Thunder", "Feather", "Circle", "Ghost"};
inline const std::vector<std::string> kVenues{
    "the Fillmore", "Montreux", "Budokan", "Royal Albert Hall", "the Apollo", "Newport", "Red Rocks"};
constexpr int kMinTracks = 4;
constexpr int kTrackSpread = 4;          // 4-7 tracks per album
constexpr uint64_t kMinMs = 90'000;      // 1.5 min
constexpr uint64_t kMaxMs = 720'000;     // 12 min
constexpr int kRatedPercent = 35;
constexpr int kPlayedPercent = 55;
constexpr int kLiveAlbumEvery = 19;      // every 19th album (offset 6) is a live album
constexpr int kLiveAlbumOffset = 6;
constexpr int kLiveTrackEvery = 37;      // every 37th studio track is a live take "(Live)"
constexpr int kUnknownYearEvery = 29;    // every 29th album (offset 11) has no year
constexpr int kUnknownYearOffset = 11;
constexpr int kOwnGenreEvery = 9;        // every 9th track (offset 6) carries its own Genre
constexpr int kOwnGenreOffset = 6;
constexpr uint64_t kSongMinMs = 150'000;      // most songs last 2.5-6 min
constexpr uint64_t kSongSpreadMs = 210'000;
constexpr uint64_t kLongTakeEvery = 11;       // and every 11th anything from 1.5 to 12 min
constexpr int64_t kPlayedBeforeNow = 3'600;   // the latest play is an hour before now
constexpr uint64_t kMaxPlays = 40;
inline const std::vector<int> kRatings{2, 4, 6, 7, 8, 8, 9, 10, 10, 6, 4};
}  // namespace data

// The library: albums for the fake, and the truth per track in the same order.
inline Library build_library() {
    using namespace data;
    Library lib;
    size_t album_index = 0, track_index = 0;
    auto add_album = [&](FakePlexAlbumSpec album, const std::vector<bool>& live) {
        for (size_t i = 0; i < album.tracks.size(); ++i) {
            const auto& ts = album.tracks[i];
            TruthTrack t;
            t.title = ts.title;
            t.artist = ts.original_title.empty() ? album.artist : ts.original_title;
            t.album_artist = album.artist;
            t.album = album.title;
            t.album_index = album_index;
            t.tags = ts.genres.empty() ? album.genres : ts.genres;
            t.families = families_of(t.tags);
            if (ts.year) t.year = *ts.year;
            else if (album.year != 0) t.year = album.year;
            t.rating = ts.user_rating ? static_cast<int>(*ts.user_rating) : 0;
            t.plays = ts.view_count.value_or(0);
            t.last_played = ts.last_viewed_at;
            t.live = live[i];
            t.duration_ms = ts.duration_ms;
            lib.truth.push_back(std::move(t));
        }
        lib.albums.push_back(std::move(album));
        ++album_index;
    };
    // A track's plays, rating and length from its hash.
    auto fill = [&](FakePlexTrackSpec& ts, uint64_t h, bool long_form) {
        const uint64_t span = kMaxMs - kMinMs;
        // Most songs 2.5-6 min; long-form genres (and every 11th track) up to 12 min.
        ts.duration_ms = long_form || h % kLongTakeEvery == 0 ? kMinMs + (h >> 8) % span
                                                              : kSongMinMs + (h >> 8) % kSongSpreadMs;
        if ((h >> 20) % 100 < kRatedPercent) ts.user_rating = kRatings[(h >> 27) % kRatings.size()];
        if ((h >> 34) % 100 < kPlayedPercent) {
            ts.view_count = 1 + (h >> 41) % kMaxPlays;
            ts.last_viewed_at =
                kNow - kPlayedBeforeNow - static_cast<int64_t>((h >> 13) % static_cast<uint64_t>(kPlayedSpan));
        }
        ++track_index;
    };
    for (size_t a = 0; a < artist_seeds().size(); ++a) {
        const ArtistSeed& seed = artist_seeds()[a];
        std::set<std::string> titles;  // no two tracks of an artist share a title
        int year = seed.first_year;
        for (int n = 0; n < seed.albums; ++n) {
            const uint64_t h = mix(a * 1000 + static_cast<uint64_t>(n));
            FakePlexAlbumSpec album;
            album.artist = seed.name;
            album.genres = seed.tag_sets[static_cast<size_t>(n) % seed.tag_sets.size()];
            const bool live_album = album_index % kLiveAlbumEvery == kLiveAlbumOffset;
            album.title = live_album ? "Live at " + kVenues[h % kVenues.size()]
                                     : kAlbumFirst[h % kAlbumFirst.size()] + " " +
                                           kAlbumSecond[(h >> 8) % kAlbumSecond.size()];
            album.year = seed.first_year == 0 || album_index % kUnknownYearEvery == kUnknownYearOffset ? 0 : std::min(year, kLastYear);
            year += 1 + static_cast<int>((h >> 16) % 4);
            const std::string family = lower(album.genres.front());
            const bool long_form = family.find("classical") != std::string::npos || family == "ambient" ||
                                   family == "progressive rock" || family == "jazz fusion" || family == "post-rock";
            const int count = kMinTracks + static_cast<int>((h >> 24) % kTrackSpread);
            std::vector<bool> live;
            for (int k = 0; k < count; ++k) {
                const uint64_t th = mix(h ^ (static_cast<uint64_t>(k) + 1) * 0x100000001b3ULL);
                FakePlexTrackSpec ts;
                std::string title;
                for (uint64_t probe = th;; probe = mix(probe)) {
                    title = kTitleFirst[probe % kTitleFirst.size()] + " " + kTitleSecond[(probe >> 8) % kTitleSecond.size()];
                    if (titles.insert(title).second) break;
                }
                const bool live_take = !live_album && (track_index + 1) % kLiveTrackEvery == 0;
                ts.title = live_take ? title + " (Live)" : title;
                // Some files carry their own genre: the album's first tag in another case, or
                // the artist's other style.
                if (track_index % kOwnGenreEvery == kOwnGenreOffset) {
                    const auto& other = seed.tag_sets[(static_cast<size_t>(n) + 1) % seed.tag_sets.size()];
                    ts.genres = {th % 2 == 0 ? lower(other.front()) : other.front()};
                }
                fill(ts, th, long_form);
                album.tracks.push_back(std::move(ts));
                live.push_back(live_album || live_take);
            }
            add_album(std::move(album), live);
        }
    }
    // Compilations: a track's artist is its originalTitle, its year the recording's own.
    struct Pick {
        const char* artist;
        int year;
    };
    const std::vector<std::pair<FakePlexAlbumSpec, std::vector<Pick>>> compilations{
        {{"Various Artists", "Blue Note Classics", 2005, {"Jazz"}, {}},
         {{"Miles Davis", 1958}, {"Art Blakey & The Jazz Messengers", 1958}, {"Horace Silver", 1959},
          {"John Coltrane", 1957}, {"Miles Davis", 1957}, {"Thelonious Monk", 1957}, {"Miles Davis", 1956}}},
        {{"Various Artists", "Summer of Love", 2007, {"Psychedelic Rock", "Rock"}, {}},
         {{"Jefferson Airplane", 1967}, {"The Doors", 1967}, {"13th Floor Elevators", 1966},
          {"The Jimi Hendrix Experience", 1967}, {"The Beatles", 1967}, {"Pink Floyd", 1967}}},
    };
    for (const auto& [spec, picks] : compilations) {
        FakePlexAlbumSpec album = spec;
        std::vector<bool> live;
        std::set<std::string> titles;
        for (size_t k = 0; k < picks.size(); ++k) {
            const uint64_t th = mix(0xC0FFEE + album_index * 100 + k);
            FakePlexTrackSpec ts;
            for (uint64_t probe = th;; probe = mix(probe)) {
                ts.title = kTitleFirst[probe % kTitleFirst.size()] + " " +
                           kTitleSecond[(probe >> 8) % kTitleSecond.size()] + " (Remastered)";
                if (titles.insert(ts.title).second) break;
            }
            ts.original_title = picks[k].artist;
            ts.year = picks[k].year;
            fill(ts, th, false);
            album.tracks.push_back(std::move(ts));
            live.push_back(false);
        }
        add_album(std::move(album), live);
    }
    return lib;
}

}  // namespace pmx::test::realistic
