// sample: the vocabularies. Every artist name is invented from these words; titles are composed
// from genre-flavoured moods, things and scenes, so that text embeddings of a track say
// something true about its genre ("Smoky Saxophone" is jazz, "Iron Furnace" is metal).
#include "sample_genres.hpp"

namespace pmx::sample {
namespace {

using sv = std::string_view;

// --- Jazz ---
constexpr sv kJazzMoods[] = {"Blue", "Smoky", "Midnight", "Velvet", "Quiet", "Late", "Rainy", "Mellow",
                             "Crooked", "Lonely", "Cool", "Slow", "Moody", "Bittersweet"};
constexpr sv kJazzThings[] = {"Corner", "Boulevard", "Saxophone", "Ballad", "Avenue", "Reverie", "Lament",
                              "Waltz", "Serenade", "Nightcap", "Streetlight", "Shuffle", "Stroll", "Bop",
                              "Trumpet", "Piano"};
constexpr sv kJazzScenes[] = {"at Midnight", "in the Rain", "After Hours", "at the Lantern", "Till Dawn",
                              "for Two", "Downtown", "on a Rainy Night", "in Smoke"};
constexpr sv kJazzPhrases[] = {"Late Set at the Lantern", "Rain on the Window", "Last Call", "Blue in the Evening",
                               "Brushes and Bourbon", "The Bass Walks Home", "Café Noir", "Round About Two"};
constexpr sv kJazzRelated[] = {"Bossa Nova", "Blues", "Soul", "Latin"};

// --- Bossa Nova ---
constexpr sv kBossaMoods[] = {"Gentle", "Sunlit", "Lazy", "Tender", "Golden", "Breezy", "Sweet", "Warm",
                              "Quiet"};
constexpr sv kBossaThings[] = {"Samba", "Saudade", "Praia", "Tarde", "Brisa", "Coração", "Jardim", "Café",
                               "Luar", "Guitar", "Afternoon", "Canção"};
constexpr sv kBossaScenes[] = {"de Verão", "by the Sea", "at Sunset", "no Rio", "on the Terrace",
                               "à Beira-Mar", "in the Shade"};
constexpr sv kBossaPhrases[] = {"Samba de Uma Tarde", "Só Você", "Manhã de Sol", "Um Café na Praia",
                                "Barquinho Azul"};
constexpr sv kBossaRelated[] = {"Jazz", "Latin"};

// --- Blues ---
constexpr sv kBluesMoods[] = {"Dusty", "Lowdown", "Weary", "Rolling", "Whiskey", "Lonesome", "Hard",
                              "Midnight", "Cold", "Crying"};
constexpr sv kBluesThings[] = {"Train", "River", "Highway", "Shack", "Bottle", "Mojo", "Rain", "Levee",
                               "Porch", "Heartache", "Juke Joint", "Ramble", "Guitar", "Moan"};
constexpr sv kBluesScenes[] = {"Blues", "in the Delta", "at the Crossroads", "After Midnight",
                               "on a Monday", "Down South", "in the Rain"};
constexpr sv kBluesPhrases[] = {"Woke Up This Morning", "Bottle Up and Go Slow", "Six Strings Down",
                                "Levee Gonna Break", "Mean Old Train"};
constexpr sv kBluesRelated[] = {"Rock", "Soul", "Jazz"};

// --- Soul ---
constexpr sv kSoulMoods[] = {"Sweet", "Tender", "Golden", "Burning", "Heavenly", "Stormy", "True",
                             "Gentle", "Aching"};
constexpr sv kSoulThings[] = {"Heart", "Devotion", "Sunshine", "Promise", "Love", "Embrace", "Lullaby",
                              "Soul", "Yearning", "Fever", "Tears"};
constexpr sv kSoulScenes[] = {"Tonight", "for You", "Forever", "in the Morning", "All Night Long",
                              "Come Home", "on a Sunday"};
constexpr sv kSoulPhrases[] = {"Hold On to Me", "Don't You Let Me Go", "Sweet Little Promise",
                               "Bring It On Home Tonight", "A Change in the Weather"};
constexpr sv kSoulRelated[] = {"Funk", "R&B", "Blues"};

// --- Funk ---
constexpr sv kFunkMoods[] = {"Funky", "Greasy", "Tight", "Cosmic", "Hot", "Slick", "Electric", "Strutting",
                             "Upbeat"};
constexpr sv kFunkThings[] = {"Groove", "Strut", "Bassline", "Boogie", "Shake", "Jam", "Thang", "Breakdown",
                              "Stomp", "Hustle", "Horns"};
constexpr sv kFunkScenes[] = {"on the One", "Downtown", "in the Pocket", "All Night", "at the Block Party",
                              "Uptown", "in Summer"};
constexpr sv kFunkPhrases[] = {"Get Up and Move", "Hot Pants Parade", "Shake Your Body Loose",
                               "Slap That Bass"};
constexpr sv kFunkRelated[] = {"Soul", "Disco", "Hip-Hop"};

// --- R&B ---
constexpr sv kRnbMoods[] = {"Slow", "Silky", "Late", "Candlelit", "Tender", "Secret", "Sweet", "Golden",
                            "Sensual"};
constexpr sv kRnbThings[] = {"Whisper", "Touch", "Kiss", "Heartbeat", "Slow Jam", "Promise", "Lover",
                             "Affair", "Satin", "Desire"};
constexpr sv kRnbScenes[] = {"Tonight", "After Dark", "in the Rain", "on Repeat", "at 3 AM", "Til Morning"};
constexpr sv kRnbPhrases[] = {"Call Me When You Land", "Stay the Night", "Nobody Else", "Rose Petals"};
constexpr sv kRnbRelated[] = {"Soul", "Hip-Hop", "Pop"};

// --- Hip-Hop ---
constexpr sv kHipHopMoods[] = {"Concrete", "Golden", "Raw", "Boom-Bap", "Block", "Heavy", "Street", "Cold",
                               "Hungry"};
constexpr sv kHipHopThings[] = {"Cypher", "Hustle", "Rhyme", "Verse", "Anthem", "Mic Check", "Flow",
                                "Corner Store", "Skyline", "Crown", "Bounce", "Breakbeat"};
constexpr sv kHipHopScenes[] = {"in the City", "on the Block", "After School", "at Midnight", "Forever",
                                "Uptown", "Freestyle"};
constexpr sv kHipHopPhrases[] = {"Mic Check One Two", "Rent Due Friday", "Summer on the Stoop",
                                 "Crates and Dust", "Nothing but Love"};
constexpr sv kHipHopRelated[] = {"R&B", "Funk", "Lo-fi", "Electronic"};

// --- Rock ---
constexpr sv kRockMoods[] = {"Highway", "Wild", "Restless", "Electric", "Burning", "Loaded", "Rebel",
                             "Runaway", "Loud", "Rolling"};
constexpr sv kRockThings[] = {"Road", "Engine", "Thunder", "Fire", "Heartland", "Radio", "Riff", "Motel",
                              "Gasoline", "Crossfire", "Guitar"};
constexpr sv kRockScenes[] = {"on the Highway", "Tonight", "in the Dark", "at the Edge of Town", "Forever",
                              "All Night", "on the Radio"};
constexpr sv kRockPhrases[] = {"Turn It Up", "Drive All Night", "Back Seat Summer", "Leave the Lights On"};
constexpr sv kRockRelated[] = {"Blues", "Indie Rock", "Punk", "Metal", "Folk", "Country"};

// --- Indie Rock ---
constexpr sv kIndieMoods[] = {"Paper", "Bright", "Lost", "Strange", "Golden", "Faded", "Young", "Quiet",
                              "Sleepy", "Nervous"};
constexpr sv kIndieThings[] = {"Kites", "Polaroids", "Summers", "Suburbs", "Postcards", "Daydream",
                               "Cassette", "Bicycle", "Lighthouse", "Letters", "Rooftops"};
constexpr sv kIndieScenes[] = {"in July", "on the Rooftop", "After the Party", "at the Seaside",
                               "in Your Bedroom", "Last Summer"};
constexpr sv kIndiePhrases[] = {"We Were Never Here", "Bike Rides in the Rain", "Half Past Nowhere",
                                "Sunburnt and Sleepy"};
constexpr sv kIndieRelated[] = {"Rock", "Pop", "Synth-pop", "Folk"};

// --- Punk ---
constexpr sv kPunkMoods[] = {"Angry", "Loud", "Fast", "Broken", "Rotten", "Cheap", "Riot", "Bored",
                             "Snotty"};
constexpr sv kPunkThings[] = {"Kids", "Noise", "Boots", "Brick", "Static", "Anthem", "Razor", "System",
                              "Basement", "Safety Pin"};
constexpr sv kPunkScenes[] = {"on Fire", "in the Streets", "Right Now", "Tonight", "Against the Wall",
                              "at the Squat"};
constexpr sv kPunkPhrases[] = {"I Don't Care", "Three Chords and a Lie", "Smash It Up Again",
                               "Kicked Out of School"};
constexpr sv kPunkRelated[] = {"Rock", "Metal"};

// --- Metal ---
constexpr sv kMetalMoods[] = {"Iron", "Burning", "Black", "Frozen", "Eternal", "Infernal", "Molten",
                              "Shattered", "Savage", "Thundering"};
constexpr sv kMetalThings[] = {"Furnace", "Throne", "Storm", "Crypt", "Blade", "Inferno", "Abyss", "Hammer",
                               "Legion", "Serpent", "Dominion", "Warlord"};
constexpr sv kMetalScenes[] = {"of Fire", "from the Abyss", "Unchained", "Rising", "of the Damned",
                               "in Chains"};
constexpr sv kMetalPhrases[] = {"Forged in Fire", "March of the Iron Legion", "Ride the Storm",
                                "Where Ravens Gather"};
constexpr sv kMetalRelated[] = {"Rock", "Punk"};

// --- Pop ---
constexpr sv kPopMoods[] = {"Sunny", "Sweet", "Electric", "Golden", "Crazy", "Starry", "Bubblegum", "Dizzy",
                            "Shiny", "Happy"};
constexpr sv kPopThings[] = {"Heart", "Summer", "Crush", "Party", "Dance", "Kiss", "Daydream", "Fireworks",
                             "Dancefloor", "Sugar", "Sunshine"};
constexpr sv kPopScenes[] = {"Tonight", "All Summer Long", "in the Sun", "on Repeat", "Forever",
                             "at the Party"};
constexpr sv kPopPhrases[] = {"Can't Stop Dancing", "Text Me Back", "Best Summer Ever", "Glitter on My Heart"};
constexpr sv kPopRelated[] = {"Synth-pop", "R&B", "Disco", "Electronic", "Latin"};

// --- Synth-pop ---
constexpr sv kSynthMoods[] = {"Neon", "Electric", "Chrome", "Midnight", "Digital", "Crystal", "Cold",
                              "Glass"};
constexpr sv kSynthThings[] = {"City", "Heart", "Signal", "Drive", "Mirror", "Skyline", "Dreams", "Pulse",
                               "Telephone", "Arcade"};
constexpr sv kSynthScenes[] = {"in the Night", "on the Boulevard", "After Dark", "Forever", "in Tokyo",
                               "in Motion"};
constexpr sv kSynthPhrases[] = {"Dancing with Machines", "Video Love", "Night Drive", "Modern Romance"};
constexpr sv kSynthRelated[] = {"Pop", "Electronic"};

// --- Electronic ---
constexpr sv kElectronicMoods[] = {"Deep", "Liquid", "Floating", "Pulsing", "Distant", "Prismatic", "Hazy",
                                   "Analog", "Weightless"};
constexpr sv kElectronicThings[] = {"Circuit", "Waveform", "Horizon", "Signal", "Drift", "Prism", "Orbit",
                                    "Echo", "Fragment", "Current"};
constexpr sv kElectronicScenes[] = {"in Motion", "at Dusk", "After Rain", "Over the City", "in Blue",
                                    "Sequence"};
constexpr sv kElectronicPhrases[] = {"Night Bus Home", "Glass Rain", "Satellite Dreams", "Modular Sunrise"};
constexpr sv kElectronicRelated[] = {"House", "Techno", "Ambient", "Synth-pop"};

// --- House ---
constexpr sv kHouseMoods[] = {"Deep", "Soulful", "Sunset", "Warm", "Jackin'", "Summer", "Uplifting",
                              "Late-Night"};
constexpr sv kHouseThings[] = {"Groove", "Dancefloor", "Rhythm", "Feeling", "Vibe", "Sunrise", "Party",
                               "Anthem", "Music", "Heat"};
constexpr sv kHouseScenes[] = {"on the Dancefloor", "at Sunrise", "Till Morning", "by the Pool",
                               "All Night Long", "on the Terrace"};
constexpr sv kHousePhrases[] = {"Hands in the Air", "Summer Rooftop Party", "Keep On Moving",
                                "Feel the Music"};
constexpr sv kHouseRelated[] = {"Electronic", "Disco", "Techno"};

// --- Techno ---
constexpr sv kTechnoMoods[] = {"Industrial", "Dark", "Hypnotic", "Relentless", "Concrete", "Cold",
                               "Mechanical", "Minimal", "Acid"};
constexpr sv kTechnoThings[] = {"Machine", "Pulse", "Tunnel", "Warehouse", "Circuit", "Engine", "Sequence",
                                "Bunker", "Strobe", "Loop"};
constexpr sv kTechnoScenes[] = {"at 4 AM", "Underground", "in the Dark", "Part II", "in Berlin",
                                "(Dub Mix)"};
constexpr sv kTechnoPhrases[] = {"Warehouse 9", "Steel Rhythm", "Acid Rain Protocol", "The Last Train Out"};
constexpr sv kTechnoRelated[] = {"Electronic", "House"};

// --- Ambient ---
constexpr sv kAmbientMoods[] = {"Slow", "Morning", "Still", "Drifting", "Pale", "Soft", "Quiet", "Distant",
                                "Endless", "Silent"};
constexpr sv kAmbientThings[] = {"Tide", "Fog", "Snowfall", "Horizon", "Glacier", "Meadow", "Light",
                                 "Cloud", "Breath", "Shoreline", "Dust"};
constexpr sv kAmbientScenes[] = {"at Dawn", "Over Water", "in Winter", "for Sleeping", "Without End",
                                 "in the Forest"};
constexpr sv kAmbientPhrases[] = {"Light Through Leaves", "Where the River Sleeps", "Rain on Moss",
                                  "A Long Exhale", "静かな朝"};
constexpr sv kAmbientRelated[] = {"Electronic", "Classical", "Lo-fi"};

// --- Classical (titles come mostly from forms, keys and movements) ---
constexpr sv kClassicalMoods[] = {"Winter", "Moonlit", "Pastoral", "Elegiac", "Autumn", "Twilight",
                                  "Spring"};
constexpr sv kClassicalThings[] = {"Reverie", "Elegy", "Lullaby", "Meditation", "Romance", "Pavane",
                                   "Barcarolle", "Nocturne"};
constexpr sv kClassicalScenes[] = {"for Strings", "for Solo Piano", "for Cello and Piano", "in Memoriam"};
constexpr sv kClassicalRelated[] = {"Ambient"};

// --- Folk ---
constexpr sv kFolkMoods[] = {"Lonesome", "Old", "Wandering", "Quiet", "Green", "Wild", "Autumn",
                             "Faithful"};
constexpr sv kFolkThings[] = {"Ballad", "Hills", "Willow", "Meadow", "River", "Lantern", "Harvest", "Cabin",
                              "Fiddle", "Sparrow"};
constexpr sv kFolkScenes[] = {"in the Morning", "by the Fire", "Down the Valley", "on the Mountain",
                              "at Harvest", "Back Home"};
constexpr sv kFolkPhrases[] = {"The Ferryman's Daughter", "Sparrow on the Wire", "Come Down to the Water",
                               "Song for a Rainy Road"};
constexpr sv kFolkRelated[] = {"Country", "Indie Rock", "Rock"};

// --- Country ---
constexpr sv kCountryMoods[] = {"Dusty", "Whiskey", "Lonesome", "Honky-Tonk", "Backroad", "Small-Town",
                                "Cowboy", "Sunday"};
constexpr sv kCountryThings[] = {"Pickup", "Highway", "Boots", "Rodeo", "Porch", "Heartache", "Jukebox",
                                 "Prairie", "Saloon", "Sweetheart"};
constexpr sv kCountryScenes[] = {"in Tennessee", "on a Saturday Night", "Down the Backroad", "at the Rodeo",
                                 "Back Home", "in the Rearview"};
constexpr sv kCountryPhrases[] = {"Tailgate Sunset", "Mama's Kitchen Radio", "Two-Step with Me",
                                  "Gravel Road Goodbye"};
constexpr sv kCountryRelated[] = {"Folk", "Rock", "Blues"};

// --- Reggae ---
constexpr sv kReggaeMoods[] = {"Irie", "Rootsy", "Sunny", "Dub", "Righteous", "Easy", "Island",
                               "Conscious"};
constexpr sv kReggaeThings[] = {"Riddim", "Sunshine", "Rebel", "Zion", "Vibration", "Harmony", "Skank",
                                "Yard", "Sound System", "Lion"};
constexpr sv kReggaeScenes[] = {"in Kingston", "by the Sea", "Dub", "Tonight", "Rising", "on the Beach"};
constexpr sv kReggaePhrases[] = {"Easy Skanking Sunday", "Sun Is Shining Bright", "Roots Rock Riddim",
                                 "Island Breeze"};
constexpr sv kReggaeRelated[] = {"Latin", "Hip-Hop"};

// --- Latin ---
constexpr sv kLatinMoods[] = {"Caliente", "Dulce", "Tropical", "Golden", "Wild", "Sweet", "Fiery",
                              "Sunny"};
constexpr sv kLatinThings[] = {"Corazón", "Cumbia", "Salsa", "Fiesta", "Noche", "Niño", "Sabor", "Bolero",
                               "Luna", "Café", "Mambo"};
constexpr sv kLatinScenes[] = {"en la Playa", "de Verano", "at the Fiesta", "Bajo la Luna", "Tonight",
                               "en La Habana"};
constexpr sv kLatinPhrases[] = {"Baila Conmigo", "Mi Corazón Es Tuyo", "Noche de Estrellas",
                                "Sabor a Mar", "Canción del Niño"};
constexpr sv kLatinRelated[] = {"Jazz", "Pop", "Bossa Nova", "Reggae"};

// --- Disco ---
constexpr sv kDiscoMoods[] = {"Boogie", "Glitter", "Funky", "Golden", "Mirrorball", "Hot", "Saturday",
                              "Starlight"};
constexpr sv kDiscoThings[] = {"Fever", "Dancer", "Boogie", "Night", "Love", "Lights", "Glamour",
                               "Roller Rink", "Hustle", "Heat"};
constexpr sv kDiscoScenes[] = {"on the Dancefloor", "Tonight", "All Night Long", "at the Disco",
                               "Under the Mirrorball", "Forever"};
constexpr sv kDiscoPhrases[] = {"Don't Stop the Boogie", "Dance Till the Sun Comes Up", "Love Machine Baby",
                                "Get Down on It Tonight"};
constexpr sv kDiscoRelated[] = {"Funk", "Soul", "Pop", "House"};

// --- Lo-fi ---
constexpr sv kLofiMoods[] = {"Rainy", "Sleepy", "Cozy", "Late-Night", "Dusty", "Warm", "Hazy", "Lazy",
                             "Soft"};
constexpr sv kLofiThings[] = {"Study Session", "Window", "Coffee", "Tape", "Notebook", "Cat", "Streetlamp",
                              "Vinyl", "Daydream", "Bedroom"};
constexpr sv kLofiScenes[] = {"at 2 AM", "in the Rain", "with Tea", "on Sunday", "at Home", "in Autumn"};
constexpr sv kLofiPhrases[] = {"雨の日", "Homework and Rain", "Ramen at Midnight", "Tape Hiss Lullaby",
                               "夜の散歩"};
constexpr sv kLofiRelated[] = {"Hip-Hop", "Jazz", "Ambient", "Electronic"};


// clang-format off
constexpr GenreProfile kGenres[] = {
    {"Jazz",       {1955, 2020, 1955, 1969}, {150, 330, 720},  NameStyle::jazz_group, 8,  false, kJazzMoods, kJazzThings, kJazzScenes, kJazzPhrases, kJazzRelated},
    {"Bossa Nova", {1958, 2015, 1959, 1970}, {130, 190, 300},  NameStyle::person,     3,  false, kBossaMoods, kBossaThings, kBossaScenes, kBossaPhrases, kBossaRelated},
    {"Blues",      {1950, 2020, 1952, 1970}, {140, 230, 420},  NameStyle::person,     5,  false, kBluesMoods, kBluesThings, kBluesScenes, kBluesPhrases, kBluesRelated},
    {"Soul",       {1962, 2020, 1963, 1975}, {140, 195, 330},  NameStyle::person,     6,  false, kSoulMoods, kSoulThings, kSoulScenes, kSoulPhrases, kSoulRelated},
    {"Funk",       {1967, 2015, 1968, 1980}, {170, 260, 480},  NameStyle::band,       4,  false, kFunkMoods, kFunkThings, kFunkScenes, kFunkPhrases, kFunkRelated},
    {"R&B",        {1988, 2024, 1992, 2008}, {170, 235, 330},  NameStyle::person,     5,  true,  kRnbMoods, kRnbThings, kRnbScenes, kRnbPhrases, kRnbRelated},
    {"Hip-Hop",    {1984, 2024, 1988, 2002}, {130, 215, 320},  NameStyle::rapper,     8,  true,  kHipHopMoods, kHipHopThings, kHipHopScenes, kHipHopPhrases, kHipHopRelated},
    {"Rock",       {1965, 2020, 1967, 1985}, {150, 235, 480},  NameStyle::band,       10, false, kRockMoods, kRockThings, kRockScenes, kRockPhrases, kRockRelated},
    {"Indie Rock", {1988, 2024, 2000, 2014}, {140, 215, 360},  NameStyle::band,       7,  false, kIndieMoods, kIndieThings, kIndieScenes, kIndiePhrases, kIndieRelated},
    {"Punk",       {1976, 2010, 1976, 1984}, {70, 130, 210},   NameStyle::punk_band,  4,  false, kPunkMoods, kPunkThings, kPunkScenes, kPunkPhrases, kPunkRelated},
    {"Metal",      {1978, 2024, 1980, 1995}, {180, 300, 600},  NameStyle::metal_band, 5,  false, kMetalMoods, kMetalThings, kMetalScenes, kMetalPhrases, kMetalRelated},
    {"Pop",        {1975, 2024, 1995, 2020}, {150, 205, 280},  NameStyle::person,     9,  true,  kPopMoods, kPopThings, kPopScenes, kPopPhrases, kPopRelated},
    {"Synth-pop",  {1979, 2024, 1980, 1988}, {170, 230, 360},  NameStyle::band,       4,  false, kSynthMoods, kSynthThings, kSynthScenes, kSynthPhrases, kSynthRelated},
    {"Electronic", {1990, 2024, 2000, 2020}, {180, 300, 540},  NameStyle::producer,   8,  true,  kElectronicMoods, kElectronicThings, kElectronicScenes, kElectronicPhrases, kElectronicRelated},
    {"House",      {1986, 2024, 1988, 2000}, {240, 390, 600},  NameStyle::dj,         5,  true,  kHouseMoods, kHouseThings, kHouseScenes, kHousePhrases, kHouseRelated},
    {"Techno",     {1988, 2024, 1990, 2000}, {280, 420, 660},  NameStyle::producer,   4,  false, kTechnoMoods, kTechnoThings, kTechnoScenes, kTechnoPhrases, kTechnoRelated},
    {"Ambient",    {1978, 2024, 1995, 2020}, {180, 420, 1200}, NameStyle::producer,   5,  false, kAmbientMoods, kAmbientThings, kAmbientScenes, kAmbientPhrases, kAmbientRelated},
    {"Classical",  {1958, 2022, 1960, 1995}, {180, 480, 1500}, NameStyle::ensemble,   6,  false, kClassicalMoods, kClassicalThings, kClassicalScenes, Words{}, kClassicalRelated},
    {"Folk",       {1960, 2022, 1962, 1975}, {130, 210, 360},  NameStyle::person,     5,  false, kFolkMoods, kFolkThings, kFolkScenes, kFolkPhrases, kFolkRelated},
    {"Country",    {1958, 2024, 1965, 1995}, {140, 200, 300},  NameStyle::person,     5,  false, kCountryMoods, kCountryThings, kCountryScenes, kCountryPhrases, kCountryRelated},
    {"Reggae",     {1968, 2018, 1970, 1983}, {170, 225, 360},  NameStyle::band,       3,  true,  kReggaeMoods, kReggaeThings, kReggaeScenes, kReggaePhrases, kReggaeRelated},
    {"Latin",      {1960, 2024, 1970, 2005}, {160, 225, 360},  NameStyle::person,     4,  true,  kLatinMoods, kLatinThings, kLatinScenes, kLatinPhrases, kLatinRelated},
    {"Disco",      {1974, 1982, 1976, 1980}, {180, 300, 540},  NameStyle::person,     3,  false, kDiscoMoods, kDiscoThings, kDiscoScenes, kDiscoPhrases, kDiscoRelated},
    {"Lo-fi",      {2012, 2024, 2016, 2023}, {90, 140, 210},   NameStyle::lofi,       4,  false, kLofiMoods, kLofiThings, kLofiScenes, kLofiPhrases, kLofiRelated},
};
// clang-format on

// --- names and places ---
constexpr sv kFirstNames[] = {
    "Marisol", "Joaquín", "Inès",     "Bastien",  "Léa",      "Mateo",   "Sofía",   "Ngozi",  "Tomasz",
    "Elif",    "Kenji",   "Aiko",     "Rafael",   "Odile",    "Henrike", "Cormac",  "Dorothea", "Ezra",
    "Florence", "Gideon", "Harriet",  "Isaiah",   "Juno",     "Lionel",  "Mavis",   "Percival", "Rosalind",
    "Silas",   "Thaddeus", "Vera",    "Wendell",  "Yusuf",    "Zelda",   "Amadou",  "Björn",  "Cécile",
    "Dagny",   "Émile",   "Fátima",   "Hollis",   "Ingrid",   "Jasper",  "Lucinda", "Nico",   "Opal",
    "Reuben",  "Tallulah", "Ximena",  "Beatriz",  "Clement",  "Delphine", "Ansel",  "Mirela", "Teodor"};
constexpr sv kLastNames[] = {
    "Ashgrove", "Bellweather", "Delacroix-Moss", "Fairbanks", "Hollowell", "Ivers",     "Jansen",
    "Kettering", "Lindqvist",  "Marchetti",      "Navarro",   "Okafor",    "Pemberton", "Quintero",
    "Rasmussen", "Sandoval",   "Thornbury",      "Underhill", "Valdés",    "Whitlock",  "Yamane",
    "Zielinski", "Moreau",     "Castellanos",    "Brightwater", "Crowhurst", "Duvernay", "Ellsworth",
    "Fontaine",  "Hartigan",   "Lowell",         "Ibáñez",    "Nakashima", "Oyelaran",  "Petrović",
    "Sørensen",  "Beaumont",   "Carvalho",       "Dunmore",   "Esterházy-Lind", "Faulkner-Reyes", "Grünwald",
    "Halloran",  "Montañez",   "Achterberg",     "Villeneuve"};
constexpr sv kCities[] = {"Lysandre", "Valmont", "Saint-Éloi", "Northbridge", "Aubrac", "Kestrel Bay",
                          "Ravensmoor", "Ostrava Nova", "Montclair-sur-Mer", "Eastwick"};
constexpr sv kVenues[] = {"Harbor Hall", "Café Montmartre", "the Blue Lantern", "Teatro Alameda",
                          "Club Oasis", "the Roundhouse Ballroom", "the Old Mill", "Kestrel Bay Amphitheatre",
                          "the Paradiso Rooms", "Salle Pleyelle", "the Riverside Pavilion", "Niño Bar"};
constexpr sv kBandAdjectives[] = {"Copper", "Hollow", "Wild", "Broken", "Silver", "Electric", "Lonesome",
                                  "Restless", "Crimson", "Paper", "Neon", "Velvet", "Golden", "Midnight",
                                  "Secret", "Rusty", "Distant", "Amber"};
constexpr sv kBandNouns[] = {"Lanterns", "Satellites", "Foxes", "Engines", "Ghosts", "Rivers", "Sparrows",
                             "Comets", "Wolves", "Machines", "Tigers", "Pilots", "Orchards", "Harbors",
                             "Radios", "Mirrors", "Giants", "Lighthouses"};
constexpr sv kPunkAdjectives[] = {"Rotten", "Dead", "Angry", "Cheap", "Rusty", "Sick", "Loud", "Petrol",
                                  "Concrete", "Bad", "Plastic", "Toxic"};
constexpr sv kPunkNouns[] = {"Rats", "Teeth", "Kids", "Bricks", "Sirens", "Razors", "Fuses", "Dogs",
                             "Vandals", "Nobodies", "Safety Pins", "Rejects"};
constexpr sv kMetalHeads[] = {"Iron", "Grave", "Storm", "Black", "Blood", "Frost", "Doom", "Night", "Ash",
                              "Steel", "Wolf", "Raven", "Hell", "Thorn"};
constexpr sv kMetalTails[] = {"crypt", "hammer", "throne", "fall", "born", "forge", "wraith", "reign",
                              "spire", "helm", "gate", "fang"};
constexpr sv kSyllables[] = {"Vek", "Lumi", "Zor", "Ana", "Kai", "Oro", "Tal", "Nyx", "Sol", "Eon", "Mira",
                             "Quen", "Ilo", "Ryo", "Sen", "Vas", "Aur", "Del"};
constexpr sv kEndings[] = {"tron", "sphere", "wave", "lux", "form", "nix", "ra", "vo", "lith", "dine", "mar",
                           "scape"};
constexpr sv kRapperPrefixes[] = {"MC ", "Young ", "Big ", "Lil ", "", "", ""};
constexpr sv kRapperHandles[] = {"Kasso", "Verbal", "Reel", "Mayhew", "Lyrik", "Sable", "Dino", "Cypher",
                                 "Nomad", "Jinx", "Quill", "Tenkay", "Dollarvan", "Brixx", "Saint Marco",
                                 "Kilo Jones", "Fable", "Ozone"};
constexpr sv kLofiNames[] = {"sleepy fox", "kōhī", "夜の窓", "雨音", "moonlit desk", "paper lanterns",
                             "cloud kid", "tea & tapes", "窓辺の猫", "slow bloom", "quiet hours",
                             "ハルカゼ", "dusk radio", "soft static"};
constexpr sv kGroupKinds[] = {"Trio", "Quartet", "Quintet", "Sextet", "Ensemble"};
constexpr sv kCompilationWords[] = {"Essentials", "Anthology", "Collection", "Classics", "Gold", "Sessions",
                                    "Moods"};
constexpr sv kClassicalForms[] = {"Nocturne", "Sonata", "Étude", "Prelude", "Fugue", "Concerto", "Symphony",
                                  "Serenade", "Impromptu", "Mazurka", "Rhapsody", "Partita", "Suite",
                                  "String Quartet"};
constexpr sv kClassicalKeys[] = {"C major", "A minor", "E-flat major", "F-sharp minor", "D major", "G minor",
                                 "B-flat major", "C-sharp minor", "F major", "E minor"};
constexpr sv kClassicalMovements[] = {"I. Allegro", "II. Adagio", "III. Scherzo", "IV. Presto",
                                      "II. Andante cantabile", "I. Largo", "III. Menuetto",
                                      "I. Allegro ma non troppo"};

}  // namespace

const GenreProfile* genre_profiles() noexcept { return kGenres; }
std::size_t genre_count() noexcept { return sizeof kGenres / sizeof kGenres[0]; }

std::size_t genre_index(std::string_view name) noexcept {
    for (std::size_t i = 0; i < genre_count(); ++i) {
        if (kGenres[i].name == name) return i;
    }
    return genre_count();
}

namespace words {
Words first_names() noexcept { return kFirstNames; }
Words last_names() noexcept { return kLastNames; }
Words cities() noexcept { return kCities; }
Words venues() noexcept { return kVenues; }
Words band_adjectives() noexcept { return kBandAdjectives; }
Words band_nouns() noexcept { return kBandNouns; }
Words punk_adjectives() noexcept { return kPunkAdjectives; }
Words punk_nouns() noexcept { return kPunkNouns; }
Words metal_heads() noexcept { return kMetalHeads; }
Words metal_tails() noexcept { return kMetalTails; }
Words syllables() noexcept { return kSyllables; }
Words endings() noexcept { return kEndings; }
Words rapper_prefixes() noexcept { return kRapperPrefixes; }
Words rapper_handles() noexcept { return kRapperHandles; }
Words lofi_names() noexcept { return kLofiNames; }
Words group_kinds() noexcept { return kGroupKinds; }
Words compilation_words() noexcept { return kCompilationWords; }
Words classical_forms() noexcept { return kClassicalForms; }
Words classical_keys() noexcept { return kClassicalKeys; }
Words classical_movements() noexcept { return kClassicalMovements; }
}  // namespace words

}  // namespace pmx::sample
