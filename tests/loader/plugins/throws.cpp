// A C++ plugin that breaks the no-exceptions rule: complete() throws through the C boundary.
#include <cstring>
#include <stdexcept>

#include <pmx/plugin.h>

struct pmx_instance {
    int unused;
};

namespace {
pmx_instance the_instance;

pmx_status complete(pmx_instance*, const pmx_call*, const pmx_completion_request*, const pmx_text_sink*) {
    throw std::runtime_error("boom from a careless plugin");
}

const pmx_completer completer = {sizeof(pmx_completer), 0, complete};

pmx_status create(const pmx_kv*, size_t, const pmx_call*, pmx_instance** out) {
    *out = &the_instance;
    return PMX_OK;
}
void destroy(pmx_instance*) {}
const void* get_interface(pmx_instance*, const char* id) {
    return std::strcmp(id, PMX_IFACE_COMPLETER) == 0 ? &completer : nullptr;
}
const char* const interfaces[] = {PMX_IFACE_COMPLETER, nullptr};
}  // namespace

extern "C" PMX_EXPORT const pmx_plugin_entry pmx_entry = {
    PMX_ABI_MAJOR, PMX_ABI_MINOR, sizeof(pmx_plugin_entry), 0, "throws", "A plugin that throws", "0.0.1", nullptr,
    interfaces, nullptr, nullptr, nullptr, create, destroy, get_interface,
};
