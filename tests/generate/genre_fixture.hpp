// A realistic mirror genre list for the taxonomy tests, and the installed tree they read it with.
#pragma once

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "generate/genre_taxonomy.hpp"
#include "generate/prompt.hpp"

namespace pmx::gen::test {

// The tree and word list the build copied into the build tree (share/plexmix/genres), found
// the way the engine finds them at run time; the tests fail, not skip, when they are missing.
inline const GenreTaxonomy& installed_taxonomy() {
    std::string error;
    const GenreTaxonomy* taxonomy = installed_genre_taxonomy(&error);
    INFO(error);
    REQUIRE(taxonomy != nullptr);
    return *taxonomy;
}

// Genre tags as Plex (from its agents), Last.fm, MusicBrainz and hand tagging leave them in a
// real library: Title Case and lower case, hyphens and spaces, ampersands, compound tags
// ("Rock/Pop", "Jazz; Blues", "Pop, Rock"), tags the tree does not know ("Soundtrack",
// "Singer/Songwriter", "Chillout", "Christmas"), and one genre spelled twice ("Hip-Hop", "Hip Hop").
inline const std::vector<std::string>& realistic_genres() {
    static const std::vector<std::string> genres{
        // jazz
        "Jazz", "jazz", "Bebop", "Hard Bop", "Cool Jazz", "Vocal Jazz", "Jazz Fusion", "Fusion", "Big Band", "Swing",
        "Free Jazz", "Modal Jazz", "Post-Bop", "Latin Jazz", "Smooth Jazz", "Soul Jazz", "Acid Jazz", "Nu Jazz",
        "Gypsy Jazz", "Dixieland", "Ragtime", "Jazz-Funk", "Contemporary Jazz", "Jazz Rap", "Jazz Rock",
        "Avant-Garde Jazz", "Bossa Nova", "Third Stream", "West Coast Jazz",
        // rock
        "Rock", "rock", "Classic Rock", "Hard Rock", "Progressive Rock", "Prog", "Psychedelic Rock", "Psychedelic",
        "Punk", "Punk Rock", "Pop Punk", "Post-Punk", "Hardcore Punk", "Hardcore", "Garage Rock", "Glam Rock",
        "Alternative Rock", "Alternative", "Indie Rock", "Indie", "Grunge", "Britpop", "Shoegaze", "Post-Rock",
        "Math Rock", "Krautrock", "Stoner Rock", "Southern Rock", "Surf Rock", "Folk Rock", "Blues Rock",
        "Art Rock", "Soft Rock", "Pop Rock", "Rock & Roll", "Rock and Roll", "Rockabilly", "Psychobilly",
        "Emo", "Noise Rock", "New Wave", "Gothic Rock", "Space Rock", "Dream Pop", "Power Pop", "Heartland Rock",
        "Rock/Pop", "Pop/Rock", "Rock; Alternative",
        // metal
        "Metal", "Heavy Metal", "Thrash Metal", "Death Metal", "Black Metal", "Doom Metal", "Power Metal",
        "Progressive Metal", "Nu Metal", "Metalcore", "Deathcore", "Sludge Metal", "Symphonic Metal",
        "Gothic Metal", "Speed Metal", "Groove Metal", "Industrial Metal", "Djent", "Death/Doom",
        // electronic
        "Electronic", "electronic", "Electronica", "EDM", "Dance", "House", "Deep House", "Tech House",
        "Progressive House", "Acid House", "Techno", "Detroit Techno", "Minimal Techno", "Trance", "Psytrance",
        "Goa Trance", "Ambient", "Dark Ambient", "Downtempo", "Chillout", "Trip Hop", "Trip-Hop", "IDM",
        "Glitch", "Drum & Bass", "Drum and Bass", "DnB", "Jungle", "Liquid Funk", "Dubstep", "UK Garage",
        "Grime", "Breakbeat", "Big Beat", "Electro", "Electropop", "Synthpop", "Synth-Pop", "Darkwave",
        "Industrial", "EBM", "Chiptune", "Hardstyle", "Happy Hardcore", "Gabber", "Disco", "Nu-Disco",
        "Italo Disco", "Eurodance", "Future Garage", "Vaporwave", "Lo-Fi", "Chillwave", "Electro House",
        "Electronic/Dance",
        // hip hop
        "Hip-Hop", "Hip Hop", "hiphop", "Rap", "Gangsta Rap", "Trap", "Conscious Hip Hop", "Alternative Hip Hop",
        "East Coast Hip Hop", "West Coast Hip Hop", "Southern Hip Hop", "G-Funk", "Boom Bap", "Old School Hip Hop",
        "Underground Hip Hop", "Hardcore Hip Hop", "Horrorcore", "Crunk", "Instrumental Hip Hop", "Turntablism",
        "Pop Rap", "Hip-Hop/Rap", "Rap Rock",
        // r&b, soul, funk
        "R&B", "RnB", "Rhythm and Blues", "Contemporary R&B", "Soul", "soul", "Neo-Soul", "Northern Soul",
        "Blue-Eyed Soul", "Motown", "Funk", "P-Funk", "Go-Go", "New Jack Swing", "Quiet Storm", "Disco Funk",
        "R&B/Soul",
        // blues
        "Blues", "Delta Blues", "Chicago Blues", "Electric Blues", "Country Blues", "Texas Blues", "Jump Blues",
        "Piano Blues", "Jazz; Blues", "Blues/Jazz",
        // country and folk
        "Country", "country", "Alt-Country", "Americana", "Bluegrass", "Outlaw Country", "Honky Tonk",
        "Country Pop", "Country Rock", "Western Swing", "Nashville Sound", "Cajun", "Zydeco", "Classic Country",
        "Folk", "folk", "Indie Folk", "Contemporary Folk", "Folk Pop", "Freak Folk", "Celtic", "Celtic Music",
        "Neofolk", "Anti-Folk", "Psychedelic Folk", "Traditional Folk", "Singer/Songwriter", "Singer-Songwriter",
        // classical
        "Classical", "classical", "Baroque", "Opera", "Chamber Music", "String Quartet", "Symphony", "Orchestral",
        "Modern Classical", "Contemporary Classical", "Choral", "Piano", "Romantic", "Gregorian Chant", "Requiem",
        "Classical Crossover", "Minimalism",
        // pop
        "Pop", "pop", "Dance-Pop", "Teen Pop", "Indie Pop", "Baroque Pop", "Sunshine Pop", "K-Pop", "J-Pop",
        "Europop", "Schlager", "Chanson", "Adult Contemporary", "Bubblegum Pop", "Art Pop", "Pop, Rock",
        "Chanson/Vari\u00e9t\u00e9",
        // reggae and caribbean
        "Reggae", "Roots Reggae", "Dub", "Dancehall", "Ska", "Rocksteady", "Lovers Rock", "Ragga", "Reggaeton",
        "Ska Punk", "2 Tone", "Calypso", "Soca",
        // latin, brazilian, world
        "Latin", "Salsa", "Samba", "Bossa", "MPB", "M\u00fasica Popular Brasileira", "Tango", "Cumbia", "Merengue",
        "Bachata", "Bolero", "Mambo", "Son Cubano", "Flamenco", "Fado", "Afrobeat", "Afrobeats", "Highlife",
        "World", "World Music", "Worldbeat", "Celtic Punk", "Klezmer", "Bhangra", "Qawwali",
        // other
        "Soundtrack", "Score", "Video Game Music", "Musical", "Show Tunes", "Comedy", "Spoken Word", "Audiobook",
        "Christmas", "Holiday", "Children's Music", "Easy Listening", "Lounge", "Exotica", "New Age", "Meditation",
        "Gospel", "Christian", "Worship", "Experimental", "Noise", "Avant-Garde", "Sound Art", "Field Recording",
        "Other", "Unknown", "Vocal", "Instrumental", "Acoustic", "Love Songs", "Ballad", "Oldies", "Lo-Fi Hip Hop",
    };
    return genres;
}

inline const Vocabulary& realistic_vocabulary() {
    static const Vocabulary vocab{
        realistic_genres(),
        {"Miles Davis", "John Coltrane", "The Beatles", "Radiohead", "Metallica", "Daft Punk", "Aphex Twin",
         "Kendrick Lamar", "Nina Simone", "Johnny Cash", "Bob Marley", "Love", "Live", "Queen", "Pink Floyd",
         "Jazzanova", "Rockwell", "Elvis Presley", "Portishead", "Massive Attack"},
        &installed_taxonomy(),
    };
    return vocab;
}

}  // namespace pmx::gen::test
