#include <elf.h>

#include <cstring>

#include "ecc/error.h"
#include "ecc/wasmgen.h"

namespace ecc::wasmgen {

namespace {

template <typename T>
T read_at(std::span<const uint8_t> elf, uint64_t off, const std::string& file) {
  if (off > elf.size() || elf.size() - off < sizeof(T))
    throw Error(Exit::bad_input, "truncated ELF object (a header runs past the end)", file);
  T v;
  std::memcpy(&v, elf.data() + off, sizeof(T));
  return v;
}

}  // namespace

std::vector<ElfSection> elf_sections(std::span<const uint8_t> elf, const std::string& file) {
  if (elf.size() < EI_NIDENT || std::memcmp(elf.data(), ELFMAG, SELFMAG) != 0)
    throw Error(Exit::bad_input, "not an ELF object", file);
  // BPF objects are 64-bit; the guest patches bytes, so byte order matters.
  if (elf[EI_CLASS] != ELFCLASS64 || elf[EI_DATA] != ELFDATA2LSB)
    throw Error(Exit::bad_input, "not a 64-bit little-endian ELF object", file);
  auto eh = read_at<Elf64_Ehdr>(elf, 0, file);
  if (eh.e_shentsize != sizeof(Elf64_Shdr)) throw Error(Exit::bad_input, "unexpected ELF section header size", file);
  std::vector<Elf64_Shdr> headers;
  for (uint16_t i = 0; i < eh.e_shnum; ++i)
    headers.push_back(read_at<Elf64_Shdr>(elf, eh.e_shoff + uint64_t(i) * sizeof(Elf64_Shdr), file));
  if (eh.e_shstrndx >= headers.size()) throw Error(Exit::bad_input, "ELF section name table index out of range", file);
  const Elf64_Shdr& strtab = headers[eh.e_shstrndx];
  if (strtab.sh_offset > elf.size() || elf.size() - strtab.sh_offset < strtab.sh_size)
    throw Error(Exit::bad_input, "truncated ELF object (section name table)", file);
  std::vector<ElfSection> out;
  for (const auto& h : headers) {
    if (h.sh_name >= strtab.sh_size) throw Error(Exit::bad_input, "ELF section name out of range", file);
    const char* base = reinterpret_cast<const char*>(elf.data() + strtab.sh_offset);
    ElfSection s;
    s.name.assign(base + h.sh_name, strnlen(base + h.sh_name, strtab.sh_size - h.sh_name));
    s.offset = h.sh_offset;
    s.size = h.sh_size;
    s.align = h.sh_addralign;
    s.has_bytes = h.sh_type != SHT_NOBITS && h.sh_type != SHT_NULL;
    if (s.has_bytes && (s.offset > elf.size() || elf.size() - s.offset < s.size))
      throw Error(Exit::bad_input, "ELF section '" + s.name + "' runs past the end of the file", file);
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace ecc::wasmgen
