// Internal: the C-callable entry points of the host side of the ABI (defined in c_api.cpp).
#pragma once

#include <pmx/plugin.h>

namespace pmx::capi {

// Sets struct_size and every function pointer of a pmx_call (host_data is the caller's).
void fill_call_vtable(pmx_call& call);

// pmx_host.get_service: PMX_SERVICE_LOG, PMX_SERVICE_HTTP, else NULL.
const void* get_service(const pmx_host* host, const char* id) noexcept;

}  // namespace pmx::capi
