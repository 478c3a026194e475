#include "ecc/elf_file.h"

#include <elf.h>

#include <algorithm>
#include <cstring>

#include "ecc/error.h"

namespace ecc {

namespace {

class Reader {
 public:
  Reader(std::span<const uint8_t> bytes, const std::string& label) : bytes_(bytes), label_(label) {}

  [[noreturn]] void fail(const std::string& what) const { throw Error(Exit::bad_input, what, label_); }

  // `count` entries of `entsize` bytes at `off` lie inside the file; their end.
  uint64_t table_end(uint64_t off, uint64_t count, uint64_t entsize, const std::string& what) const {
    if (off > bytes_.size() || (entsize && count > (bytes_.size() - off) / entsize))
      fail("the ELF file is cut short (" + what + " runs past its end)");
    return off + count * entsize;
  }

  template <typename T>
  T at(uint64_t off) const {
    T v;
    std::memcpy(&v, bytes_.data() + off, sizeof(T));
    return v;
  }

 private:
  std::span<const uint8_t> bytes_;
  const std::string& label_;
};

// The name of every section from the section name table.
void name_sections(const Reader& r, std::span<const uint8_t> bytes, const std::vector<Elf64_Shdr>& headers,
                   uint16_t shstrndx, std::vector<ElfSection>& out) {
  if (headers.empty()) return;
  if (shstrndx >= headers.size()) r.fail("ELF section name table index out of range");
  const Elf64_Shdr& strtab = headers[shstrndx];
  r.table_end(strtab.sh_offset, strtab.sh_size, 1, "the section name table");
  const char* base = reinterpret_cast<const char*>(bytes.data() + strtab.sh_offset);
  for (size_t i = 0; i < headers.size(); ++i) {
    uint32_t name = headers[i].sh_name;
    if (name >= strtab.sh_size) r.fail("ELF section name out of range");
    out[i].name.assign(base + name, strnlen(base + name, strtab.sh_size - name));
  }
}

}  // namespace

ElfFile read_elf(std::span<const uint8_t> bytes, const std::string& label) {
  Reader r(bytes, label);
  if (bytes.size() < EI_NIDENT || std::memcmp(bytes.data(), ELFMAG, SELFMAG) != 0) r.fail("not an ELF file");
  if (bytes[EI_CLASS] != ELFCLASS64 || bytes[EI_DATA] != ELFDATA2LSB) r.fail("not a 64-bit little-endian ELF file");
  ElfFile out;
  out.end = r.table_end(0, 1, sizeof(Elf64_Ehdr), "the ELF header");
  auto eh = r.at<Elf64_Ehdr>(0);
  if (eh.e_shnum && eh.e_shentsize != sizeof(Elf64_Shdr)) r.fail("unexpected ELF section header size");
  if (eh.e_phnum && eh.e_phentsize != sizeof(Elf64_Phdr)) r.fail("unexpected ELF program header size");
  out.end = std::max(out.end, r.table_end(eh.e_shoff, eh.e_shnum, sizeof(Elf64_Shdr), "the section header table"));
  out.end = std::max(out.end, r.table_end(eh.e_phoff, eh.e_phnum, sizeof(Elf64_Phdr), "the program header table"));
  std::vector<Elf64_Shdr> headers;
  for (uint16_t i = 0; i < eh.e_shnum; ++i) headers.push_back(r.at<Elf64_Shdr>(eh.e_shoff + i * sizeof(Elf64_Shdr)));
  out.sections.resize(headers.size());
  name_sections(r, bytes, headers, eh.e_shstrndx, out.sections);
  for (size_t i = 0; i < headers.size(); ++i) {
    ElfSection& s = out.sections[i];
    s.offset = headers[i].sh_offset;
    s.size = headers[i].sh_size;
    s.align = headers[i].sh_addralign;
    s.has_bytes = headers[i].sh_type != SHT_NOBITS && headers[i].sh_type != SHT_NULL;
    if (s.has_bytes) out.end = std::max(out.end, r.table_end(s.offset, s.size, 1, "section '" + s.name + "'"));
  }
  for (uint16_t i = 0; i < eh.e_phnum; ++i) {
    auto ph = r.at<Elf64_Phdr>(eh.e_phoff + i * sizeof(Elf64_Phdr));
    out.end = std::max(out.end, r.table_end(ph.p_offset, ph.p_filesz, 1, "segment " + std::to_string(i)));
  }
  return out;
}

}  // namespace ecc
