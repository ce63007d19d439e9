// Bounds-checked reading of .dynsym and of the entry's first bytes from an ELF64 file.
#include "plugin/elf_probe.hpp"

#include <elf.h>

#include <cstring>
#include <fstream>
#include <iterator>

#include <pmx/plugin.h>

namespace pmx {
namespace {

#if defined(__x86_64__)
constexpr uint16_t kHostMachine = EM_X86_64;
#elif defined(__aarch64__)
constexpr uint16_t kHostMachine = EM_AARCH64;
#else
#error "elf_probe: add this architecture's EM_* value"
#endif

// Plugins are small; refuse to slurp anything absurd.
constexpr std::uintmax_t kMaxPluginFileBytes = 1ull << 30;
constexpr std::size_t kEntryHeaderWords = 3;  // abi_major, abi_minor, struct_size

class FileView {
public:
    explicit FileView(std::vector<char> bytes) : bytes_(std::move(bytes)) {}
    std::size_t size() const { return bytes_.size(); }
    bool contains(uint64_t offset, uint64_t length) const {
        return offset <= bytes_.size() && length <= bytes_.size() - offset;
    }
    template <class T>
    bool read(uint64_t offset, T* out) const {
        if (!contains(offset, sizeof(T))) return false;
        std::memcpy(out, bytes_.data() + offset, sizeof(T));
        return true;
    }
    // A NUL-terminated string inside [table, table + table_size).
    std::optional<std::string> string_at(uint64_t table, uint64_t table_size, uint64_t index) const {
        if (!contains(table, table_size) || index >= table_size) return std::nullopt;
        const char* begin = bytes_.data() + table + index;
        const std::size_t max = static_cast<std::size_t>(table_size - index);
        const std::size_t len = strnlen(begin, max);
        if (len == max) return std::nullopt;
        return std::string(begin, len);
    }

private:
    std::vector<char> bytes_;
};

bool fail(std::string* error, std::string message) {
    if (error) *error = std::move(message);
    return false;
}

}  // namespace

std::optional<ElfProbe> probe_elf(const std::filesystem::path& path, std::string* error) {
    std::error_code ec;
    const auto file_size = std::filesystem::file_size(path, ec);
    if (ec) {
        fail(error, "cannot read it: " + ec.message());
        return std::nullopt;
    }
    if (file_size > kMaxPluginFileBytes) {
        fail(error, "it is larger than 1 GiB; not a plugin");
        return std::nullopt;
    }
    std::ifstream in(path, std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) {
        fail(error, "cannot read it");
        return std::nullopt;
    }
    const FileView file(std::move(bytes));

    Elf64_Ehdr eh{};
    if (!file.read(0, &eh) || std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0) {
        fail(error, "not a shared library (no ELF header)");
        return std::nullopt;
    }
    if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB ||
        eh.e_machine != kHostMachine) {
        fail(error, "built for another architecture than this machine");
        return std::nullopt;
    }
    if (eh.e_type != ET_DYN) {
        fail(error, "not a shared library (ELF type " + std::to_string(eh.e_type) + ")");
        return std::nullopt;
    }
    if (eh.e_shentsize != sizeof(Elf64_Shdr) ||
        !file.contains(eh.e_shoff, uint64_t{eh.e_shnum} * sizeof(Elf64_Shdr))) {
        fail(error, "the file is truncated or corrupt (section headers lie outside it)");
        return std::nullopt;
    }

    std::vector<Elf64_Shdr> sections(eh.e_shnum);
    for (std::size_t i = 0; i < sections.size(); ++i) {
        file.read(eh.e_shoff + i * sizeof(Elf64_Shdr), &sections[i]);
    }
    const Elf64_Shdr* dynsym = nullptr;
    for (const auto& s : sections) {
        if (s.sh_type == SHT_DYNSYM) dynsym = &s;
    }
    if (dynsym == nullptr || dynsym->sh_link >= sections.size() ||
        dynsym->sh_entsize != sizeof(Elf64_Sym)) {
        fail(error, "it has no dynamic symbol table");
        return std::nullopt;
    }
    const Elf64_Shdr& strtab = sections[dynsym->sh_link];
    if (!file.contains(dynsym->sh_offset, dynsym->sh_size) ||
        !file.contains(strtab.sh_offset, strtab.sh_size)) {
        fail(error, "the file is truncated or corrupt (symbol table lies outside it)");
        return std::nullopt;
    }

    ElfProbe probe;
    const uint64_t count = dynsym->sh_size / sizeof(Elf64_Sym);
    for (uint64_t i = 1; i < count; ++i) {
        Elf64_Sym sym{};
        file.read(dynsym->sh_offset + i * sizeof(Elf64_Sym), &sym);
        const auto binding = ELF64_ST_BIND(sym.st_info);
        if (sym.st_shndx == SHN_UNDEF || (binding != STB_GLOBAL && binding != STB_WEAK) ||
            ELF64_ST_VISIBILITY(sym.st_other) != STV_DEFAULT) {
            continue;
        }
        auto name = file.string_at(strtab.sh_offset, strtab.sh_size, sym.st_name);
        if (!name) {
            fail(error, "the file is corrupt (a symbol name lies outside its table)");
            return std::nullopt;
        }
        if (*name == PMX_ENTRY_SYMBOL) {
            probe.has_entry = true;
            probe.entry_symbol_size = sym.st_size;
            if (sym.st_shndx < sections.size()) {
                const Elf64_Shdr& sec = sections[sym.st_shndx];
                const uint64_t into = sym.st_value - sec.sh_addr;
                uint32_t words[kEntryHeaderWords] = {};
                if (sec.sh_type != SHT_NOBITS && sym.st_value >= sec.sh_addr &&
                    file.read(sec.sh_offset + into, &words)) {
                    probe.abi_major = words[0];
                    probe.abi_minor = words[1];
                    probe.struct_size = words[2];
                }
            }
        }
        probe.exported.push_back(std::move(*name));
    }
    return probe;
}

}  // namespace pmx
