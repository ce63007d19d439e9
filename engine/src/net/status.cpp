// Names of pmx_status values.
#include "net/status.hpp"

#include <array>
#include <string_view>

namespace pmx {
namespace {

constexpr std::array<std::string_view, PMX_STATUS_COUNT> kStatusNames = {
    "OK",           "RATE_LIMITED",  "UNAVAILABLE", "TIMEOUT",      "CANCELLED", "AUTH",
    "INVALID_INPUT", "NOT_FOUND",    "UNSUPPORTED", "BAD_RESPONSE", "INTERNAL",
};

}  // namespace

std::string status_name(pmx_status status) {
    if (!is_known_status(status)) return "UNKNOWN(" + std::to_string(status) + ")";
    return std::string(kStatusNames[static_cast<std::size_t>(status)]);
}

}  // namespace pmx
