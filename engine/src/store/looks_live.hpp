// Heuristic: does a track's title or album name a live recording?
#pragma once

#include <string_view>

namespace pmx {

// Bump when looks_live() changes: it is part of every track's content hash, so the next sync
// recomputes tracks.is_live for rows that did not change otherwise.
inline constexpr int kLooksLiveRulesVersion = 1;

// True when the title or the album reads like a live recording. Matches whole words only
// (never "Alive", "Oliver", "Delivery"), and "live" only where it annotates rather than
// belongs to a name: in a trailing bracket ("Song (Live)", "Song [Live at Leeds]"), in a
// " - " suffix ("Song - Live 1977"), as "Live at"/"Live from"/"recorded live" anywhere, as
// the whole name or its head ("Live!", "Live/Dead", "Live in Japan", "Live 1975-85"), and as
// the last word of an album ("The Velvet Underground Live"; not of a title: "Let Me Live").
// Also "concert" (not "concerto"), "unplugged", "en vivo", "ao vivo", "en directo", and
// show dates: 1977-05-08, 1977.05.08, 77-05-08, 5/8/77, 05/08/1977. "Live and Let Die",
// "Live Forever", "Let Me Live" are not live. ASCII case-insensitive.
bool looks_live(std::string_view title, std::string_view album);

}  // namespace pmx
