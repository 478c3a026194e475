// lib/inspect's parts (docs/trust.md, "What a program may do"): the tables
// of helpers.cpp, the section names of sections.cpp and the reading of the
// ELF file's code in code.cpp.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ecc/inspect.h"

namespace ecc::inspect {

// Why calling `name` (a helper or kfunc) is dangerous, or empty.
std::string call_danger(const std::string& name);
// Why a program of libbpf's type `type` is dangerous, or empty.
std::string type_danger(const std::string& type);

// libbpf's name of the program type a section gives ("tracepoint", "xdp"),
// "unspec" when libbpf knows no such section.
std::string section_type(const std::string& section);
// The attach target a section names: "syscalls:sys_enter_openat" for
// "tracepoint/syscalls/sys_enter_openat", "do_unlinkat" for
// "kprobe/do_unlinkat", empty for "xdp".
std::string section_attach(const std::string& section);

// A program of the object as its code shows it: the calls of the program and
// of every subprogram it reaches, each call once, in no particular order.
struct CodeProgram {
  std::string name, section;
  std::vector<Call> calls;
};
// The programs (function symbols in executable sections other than .text),
// in section order. Every offset and index is checked against the file:
// errors are Error(bad_input) naming `where` and the section or symbol.
std::vector<CodeProgram> read_code(std::span<const uint8_t> elf, const std::string& where);

}  // namespace ecc::inspect
