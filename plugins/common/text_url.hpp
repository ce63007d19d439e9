// Text and URL helpers the in-tree media-source plugins share: query encoding, UTF-8 cuts, case folding.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

// Compiled into each plugin that uses it (plex, jellyfin); plugins link only the SDK.
namespace pmx::plugin_common {

// Percent-encodes `text` for one query value or path segment: everything but RFC 3986's
// unreserved characters becomes %XX (UTF-8 bytes included), as plexapi's joinArgs does.
std::string encode_component(std::string_view text);

// Builds "path?k=v&k=v" with encoded values. Keys are plain ASCII chosen by the plugin.
class Target {
public:
    explicit Target(std::string path) : text_(std::move(path)) {}
    Target& param(std::string_view key, std::string_view value);
    Target& param(std::string_view key, std::uint64_t value);
    const std::string& str() const noexcept { return text_; }

private:
    std::string text_;
    bool has_query_ = false;
};

// `text` cut to at most `max` bytes at a whole UTF-8 character.
std::string_view cut_utf8(std::string_view text, std::size_t max);

// Lower-cases ASCII and the Latin-1 letters (À..Þ) of UTF-8 text, so that "MUSIK" finds
// "Musik" and "HÖRSPIELE" finds "Hörspiele". Other scripts compare exactly.
std::string fold_case(std::string_view text);

}  // namespace pmx::plugin_common
