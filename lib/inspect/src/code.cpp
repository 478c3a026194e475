// The programs of a BPF object and what they call, from the `call`
// instructions and their relocations (docs/trust.md, "What a program may
// do"), read with libelf. read_elf (ecc/elf_file.h) has checked first that
// every section lies inside the file; everything else a call leads to (a
// symbol, a relocation, a jump target) is checked here before it is used.
#include <gelf.h>
#include <libelf.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <set>

#include "ecc/elf_file.h"
#include "ecc/error.h"
#include "inspect_internal.h"

namespace ecc::inspect {

namespace {

constexpr uint8_t kCall = 0x85;          // BPF_JMP | BPF_CALL
constexpr uint8_t kLoadImm64 = 0x18;    // BPF_LD | BPF_IMM | BPF_DW
constexpr uint8_t kPseudoCall = 1;       // src_reg: a call of a subprogram
constexpr uint8_t kPseudoKfuncCall = 2;  // src_reg: a kfunc by its BTF id
constexpr uint64_t kInsn = 8;

struct Section {
  std::string name;
  GElf_Shdr hdr{};
  std::span<const uint8_t> bytes;  // empty for SHT_NOBITS
  bool code() const { return hdr.sh_type == SHT_PROGBITS && (hdr.sh_flags & SHF_EXECINSTR); }
};

struct Symbol {
  std::string name;
  GElf_Sym sym{};
};

// One function: instructions [start, end) of section `sec`.
struct Func {
  std::string name;
  size_t sec = 0;
  uint64_t start = 0, end = 0;
};

struct ElfCloser {
  void operator()(Elf* e) const { elf_end(e); }
};

class Object {
 public:
  Object(std::span<const uint8_t> elf, std::string where);
  std::vector<CodeProgram> programs() const;

 private:
  [[noreturn]] void fail(const std::string& what) const { throw Error(Exit::bad_input, what, where_); }
  void read_sections();
  void read_symbols();
  void read_relocations(size_t rel);
  void read_functions();
  size_t func_at(size_t sec, uint64_t insn, const std::string& from) const;
  void add_call(size_t func, uint64_t insn, std::map<std::string, Call>& calls, std::vector<size_t>& next) const;

  std::string where_;
  std::vector<uint8_t> bytes_;
  std::unique_ptr<Elf, ElfCloser> elf_;
  std::vector<Section> sections_;
  std::vector<Symbol> symbols_;
  std::map<size_t, std::map<uint64_t, size_t>> relocs_;  // code section -> offset -> symbol
  std::vector<Func> funcs_;                              // by section, then start
};

Object::Object(std::span<const uint8_t> elf, std::string where) : where_(std::move(where)) {
  read_elf(elf, where_);
  if (elf.size() < sizeof(Elf64_Ehdr)) fail("not a BPF object: the ELF header is cut short");
  Elf64_Ehdr eh;
  std::memcpy(&eh, elf.data(), sizeof eh);
  if (eh.e_machine != EM_BPF)
    fail("not a BPF object: its ELF machine is " + std::to_string(eh.e_machine) + ", not BPF (247)");
  if (eh.e_type != ET_REL) fail("not a BPF object: an ELF file of type " + std::to_string(eh.e_type) + ", not relocatable");
  elf_version(EV_CURRENT);
  // libelf may convert data in place: it gets a copy of its own.
  bytes_.assign(elf.begin(), elf.end());
  elf_.reset(elf_memory(reinterpret_cast<char*>(bytes_.data()), bytes_.size()));
  if (!elf_ || elf_kind(elf_.get()) != ELF_K_ELF) fail(std::string("not a valid ELF file: ") + elf_errmsg(-1));
  read_sections();
  read_symbols();
  for (size_t i = 0; i < sections_.size(); ++i)
    if (sections_[i].hdr.sh_type == SHT_REL) read_relocations(i);
  read_functions();
}

void Object::read_sections() {
  size_t shstrndx = 0;
  if (elf_getshdrstrndx(elf_.get(), &shstrndx) != 0) fail(std::string("no section name table: ") + elf_errmsg(-1));
  for (Elf_Scn* scn = nullptr; (scn = elf_nextscn(elf_.get(), scn)) != nullptr;) {
    size_t index = elf_ndxscn(scn);
    Section s;
    if (!gelf_getshdr(scn, &s.hdr)) fail("section " + std::to_string(index) + ": " + elf_errmsg(-1));
    const char* name = elf_strptr(elf_.get(), shstrndx, s.hdr.sh_name);
    if (!name) fail("section " + std::to_string(index) + ": its name lies outside the section name table");
    s.name = name;
    if (s.code() || s.hdr.sh_type == SHT_REL || s.hdr.sh_type == SHT_SYMTAB) {
      Elf_Data* d = elf_rawdata(scn, nullptr);
      if (!d || d->d_size != s.hdr.sh_size) fail("section '" + s.name + "': its bytes cannot be read");
      if (d->d_size) s.bytes = {static_cast<const uint8_t*>(d->d_buf), d->d_size};
    }
    if (s.code() && s.hdr.sh_size % kInsn) fail("section '" + s.name + "': its size is not a whole number of instructions");
    if (sections_.size() <= index) sections_.resize(index + 1);
    sections_[index] = std::move(s);
  }
}

void Object::read_symbols() {
  auto symtab = std::find_if(sections_.begin(), sections_.end(),
                             [](const Section& s) { return s.hdr.sh_type == SHT_SYMTAB; });
  if (symtab == sections_.end()) fail("not a BPF object: it has no symbol table (.symtab)");
  size_t symtab_index = static_cast<size_t>(symtab - sections_.begin());
  Elf_Data* d = elf_getdata(elf_getscn(elf_.get(), symtab_index), nullptr);
  if (!d || symtab->hdr.sh_entsize != sizeof(Elf64_Sym)) fail("section '" + symtab->name + "': not a table of ELF symbols");
  size_t count = symtab->hdr.sh_size / sizeof(Elf64_Sym);
  for (size_t i = 0; i < count; ++i) {
    Symbol s;
    if (!gelf_getsym(d, static_cast<int>(i), &s.sym)) fail("section '" + symtab->name + "': symbol " + std::to_string(i) + " cannot be read");
    const char* name = elf_strptr(elf_.get(), symtab->hdr.sh_link, s.sym.st_name);
    if (!name) fail("symbol " + std::to_string(i) + ": its name lies outside the string table");
    s.name = name;
    if (s.sym.st_shndx != SHN_UNDEF && s.sym.st_shndx < SHN_LORESERVE && s.sym.st_shndx >= sections_.size())
      fail("symbol '" + s.name + "': its section " + std::to_string(s.sym.st_shndx) + " does not exist");
    symbols_.push_back(std::move(s));
  }
}

void Object::read_relocations(size_t rel) {
  const Section& r = sections_[rel];
  if (r.hdr.sh_info >= sections_.size() || !sections_[r.hdr.sh_info].code()) return;  // data relocations: not calls
  const Section& target = sections_[r.hdr.sh_info];
  Elf_Data* d = elf_getdata(elf_getscn(elf_.get(), rel), nullptr);
  if (!d || r.hdr.sh_entsize != sizeof(Elf64_Rel)) fail("section '" + r.name + "': not a table of ELF relocations");
  auto& out = relocs_[r.hdr.sh_info];
  for (size_t i = 0; i < r.hdr.sh_size / sizeof(Elf64_Rel); ++i) {
    GElf_Rel e;
    if (!gelf_getrel(d, static_cast<int>(i), &e)) fail("section '" + r.name + "': relocation " + std::to_string(i) + " cannot be read");
    std::string which = "section '" + r.name + "': relocation " + std::to_string(i);
    size_t sym = GELF_R_SYM(e.r_info);
    if (sym >= symbols_.size()) fail(which + " names symbol " + std::to_string(sym) + " of " + std::to_string(symbols_.size()));
    if (e.r_offset % kInsn || e.r_offset + kInsn > target.hdr.sh_size)
      fail(which + " is at offset " + std::to_string(e.r_offset) + ", not an instruction of '" + target.name + "'");
    out[e.r_offset] = sym;
  }
}

void Object::read_functions() {
  for (const Symbol& s : symbols_) {
    if (GELF_ST_TYPE(s.sym.st_info) != STT_FUNC || s.sym.st_shndx == SHN_UNDEF || s.sym.st_shndx >= SHN_LORESERVE) continue;
    const Section& sec = sections_[s.sym.st_shndx];
    if (!sec.code()) fail("symbol '" + s.name + "': a function in '" + sec.name + "', which holds no code");
    if (s.sym.st_value % kInsn || s.sym.st_size % kInsn || s.sym.st_value > sec.hdr.sh_size ||
        s.sym.st_size > sec.hdr.sh_size - s.sym.st_value)
      fail("symbol '" + s.name + "': its bytes are not whole instructions inside '" + sec.name + "'");
    funcs_.push_back({s.name, s.sym.st_shndx, s.sym.st_value / kInsn, (s.sym.st_value + s.sym.st_size) / kInsn});
  }
  std::sort(funcs_.begin(), funcs_.end(), [](const Func& a, const Func& b) {
    return std::tie(a.sec, a.start, a.name) < std::tie(b.sec, b.start, b.name);
  });
  // A function of no size runs to the next one, or to the section's end.
  for (size_t i = 0; i < funcs_.size(); ++i) {
    if (funcs_[i].end > funcs_[i].start) continue;
    bool next = i + 1 < funcs_.size() && funcs_[i + 1].sec == funcs_[i].sec;
    funcs_[i].end = next ? funcs_[i + 1].start : sections_[funcs_[i].sec].hdr.sh_size / kInsn;
  }
}

// The function holding instruction `insn` of section `sec`, for the call in `from`.
size_t Object::func_at(size_t sec, uint64_t insn, const std::string& from) const {
  for (size_t i = 0; i < funcs_.size(); ++i)
    if (funcs_[i].sec == sec && funcs_[i].start <= insn && insn < funcs_[i].end) return i;
  fail("function '" + from + "' calls instruction " + std::to_string(insn) + " of '" + sections_[sec].name +
       "', which is in no function");
}

// The call at instruction `insn` of function `func`: a helper or a kfunc
// goes into `calls`, a subprogram into `next`.
void Object::add_call(size_t func, uint64_t insn, std::map<std::string, Call>& calls, std::vector<size_t>& next) const {
  const Func& f = funcs_[func];
  const uint8_t* code = sections_[f.sec].bytes.data() + insn * kInsn;
  uint8_t src = code[1] >> 4;
  int32_t imm;
  std::memcpy(&imm, code + 4, sizeof imm);
  Call c;
  auto rel = relocs_.find(f.sec);
  auto sym = rel == relocs_.end() ? nullptr : [&]() -> const Symbol* {
    auto it = rel->second.find(insn * kInsn);
    return it == rel->second.end() ? nullptr : &symbols_[it->second];
  }();
  if (sym && sym->sym.st_shndx == SHN_UNDEF) {
    // An extern function: a kfunc, by the symbol's name (libbpf resolves it at load).
    if (sym->name.empty()) fail("function '" + f.name + "' calls an extern symbol without a name");
    c.name = sym->name, c.kfunc = true;
  } else if (sym || src == kPseudoCall) {
    // libbpf's rule: the target is the symbol's instruction + imm + 1, or this one's.
    size_t sec = sym ? sym->sym.st_shndx : f.sec;
    int64_t base = sym ? static_cast<int64_t>(sym->sym.st_value / kInsn) : static_cast<int64_t>(insn);
    int64_t target = base + imm + 1;
    if (sec >= sections_.size() || !sections_[sec].code() || target < 0 ||
        static_cast<uint64_t>(target) >= sections_[sec].hdr.sh_size / kInsn)
      fail("function '" + f.name + "' calls outside the code (instruction " + std::to_string(insn) + ")");
    next.push_back(func_at(sec, static_cast<uint64_t>(target), f.name));
    return;
  } else if (src == kPseudoKfuncCall) {
    c.name = "kfunc#" + std::to_string(imm), c.kfunc = true;
  } else {
    c.helper_id = imm;
    c.name = helper_name(imm);
    if (c.name.empty()) c.name = "helper#" + std::to_string(imm);
  }
  c.danger = call_danger(c.name);
  calls.emplace(c.name, c);
}

std::vector<CodeProgram> Object::programs() const {
  std::vector<CodeProgram> out;
  for (size_t p = 0; p < funcs_.size(); ++p) {
    const Section& sec = sections_[funcs_[p].sec];
    if (sec.name == ".text") continue;  // subprograms and global functions
    std::map<std::string, Call> calls;
    std::set<size_t> seen = {p};
    std::vector<size_t> todo = {p};
    while (!todo.empty()) {
      size_t f = todo.back();
      todo.pop_back();
      std::vector<size_t> next;
      const std::span<const uint8_t> code = sections_[funcs_[f].sec].bytes;
      for (uint64_t i = funcs_[f].start; i < funcs_[f].end; ++i) {
        if (code[i * kInsn] == kCall) add_call(f, i, calls, next);
        if (code[i * kInsn] == kLoadImm64) ++i;  // two instructions: the second holds no opcode
      }
      for (size_t n : next)
        if (seen.insert(n).second) todo.push_back(n);
    }
    CodeProgram prog{funcs_[p].name, sec.name, {}};
    for (auto& [name, c] : calls) prog.calls.push_back(std::move(c));
    out.push_back(std::move(prog));
  }
  return out;
}

}  // namespace

std::vector<CodeProgram> read_code(std::span<const uint8_t> elf, const std::string& where) {
  return Object(elf, where).programs();
}

}  // namespace ecc::inspect
