// Reads a shared library's exported symbols and the plugin entry's header from the file itself,
// so a non-plugin or a wrong-ABI plugin is refused before it is mapped (no code of it runs).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace pmx {

struct ElfProbe {
    std::vector<std::string> exported;  // defined, default-visibility dynamic symbols
    bool has_entry = false;             // exports pmx_entry
    uint64_t entry_symbol_size = 0;     // st_size of pmx_entry
    // The first three uint32 of the entry (abi_major, abi_minor, struct_size) as stored in the
    // file; absent when the symbol's bytes are not in the file (e.g. .bss).
    std::optional<uint32_t> abi_major, abi_minor, struct_size;
};

// Probes an ELF shared object of this machine's class, byte order and architecture. Every
// offset is bounds-checked against the file: a truncated or corrupt file gives an error (one
// line, in *error) and no result, never a crash.
std::optional<ElfProbe> probe_elf(const std::filesystem::path& path, std::string* error);

}  // namespace pmx
