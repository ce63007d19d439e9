// Tolerant readers of Plex JSON values: the plugins' shared ones (plugins/common/json_read.hpp).
#pragma once

#include "../common/json_read.hpp"

namespace pmx::plex {

namespace json = pmx::plugin_common::json;

}  // namespace pmx::plex
