// Text and URL helpers of the media-source plugins (see text_url.hpp).
#include "text_url.hpp"

#include <array>

namespace pmx::plugin_common {
namespace {

constexpr unsigned kNibbleBits = 4;
constexpr unsigned kNibbleMask = 0xF;
constexpr unsigned char kContinuationMask = 0xC0;
constexpr unsigned char kContinuationBits = 0x80;
// UTF-8 lead byte of U+00C0..U+00FF, and the offset from upper to lower case in that block.
constexpr unsigned char kLatin1Lead = 0xC3;
constexpr unsigned char kLatin1UpperFirst = 0x80;  // À
constexpr unsigned char kLatin1UpperLast = 0x9E;   // Þ
constexpr unsigned char kLatin1Times = 0x97;       // ×, which has no case
constexpr unsigned char kCaseOffset = 0x20;

bool unreserved(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

}  // namespace

std::string encode_component(std::string_view text) {
    static constexpr std::array<char, 16> kHex = {'0', '1', '2', '3', '4', '5', '6', '7',
                                                  '8', '9', 'A', 'B', 'C', 'D', 'E', 'F'};
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        if (unreserved(c)) {
            out += c;
            continue;
        }
        const auto byte = static_cast<unsigned char>(c);
        out += '%';
        out += kHex[(byte >> kNibbleBits) & kNibbleMask];
        out += kHex[byte & kNibbleMask];
    }
    return out;
}

Target& Target::param(std::string_view key, std::string_view value) {
    text_ += has_query_ ? '&' : '?';
    has_query_ = true;
    text_.append(key);
    text_ += '=';
    text_ += encode_component(value);
    return *this;
}

Target& Target::param(std::string_view key, std::uint64_t value) {
    return param(key, std::string_view(std::to_string(value)));
}

std::string_view cut_utf8(std::string_view text, std::size_t max) {
    if (text.size() <= max) return text;
    std::size_t end = max;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & kContinuationMask) == kContinuationBits) --end;
    return text.substr(0, end);
}

std::string fold_case(std::string_view text) {
    std::string out(text);
    for (std::size_t i = 0; i < out.size(); ++i) {
        auto byte = static_cast<unsigned char>(out[i]);
        if (byte >= 'A' && byte <= 'Z') {
            out[i] = static_cast<char>(byte + kCaseOffset);
        } else if (byte == kLatin1Lead && i + 1 < out.size()) {
            const auto next = static_cast<unsigned char>(out[i + 1]);
            if (next >= kLatin1UpperFirst && next <= kLatin1UpperLast && next != kLatin1Times) {
                out[i + 1] = static_cast<char>(next + kCaseOffset);
            }
            ++i;
        }
    }
    return out;
}

}  // namespace pmx::plugin_common
