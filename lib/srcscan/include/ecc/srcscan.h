// The Clang (libtooling) pass over the BPF source: export types with their
// record layouts for target bpf (docs/ecc.md), and doc comments (docs/annotations.md).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ecc/model.h"

namespace ecc {

struct ScanOptions {
  std::string source;                // FILE.bpf.c
  std::string header;                // EXPORT_HEADER.h; empty = no export types
  std::vector<std::string> clang_args;  // as for the compile, minus -c/-o/-g:
                                        // -target bpf, -D, -I, -idirafter, user -a flags
  std::string vmlinux_h;             // the vmlinux.h the compile uses
  std::string pch;                   // optional PCH of vmlinux_h made by make_scan_pch(); removed when refused
};

struct ScanResult {
  // Structs, unions and enums *defined in* the header (not in what it
  // includes), in order of definition, built into the table from Clang's
  // AST with Clang's ASTRecordLayout for target bpf (btf_id = 0). Nested
  // records and member types are added as needed. The members of records
  // defined in the header carry their doc comments' annotations in
  // Member::doc.
  std::vector<TypeId> export_types;
  // Doc-comment annotations (docs/annotations.md) keyed by declaration name: global
  // variables, maps (`... SEC(".maps")` variables) and LICENSE in `vars`,
  // BPF programs in `funcs`. Only declarations that carry a comment appear.
  std::map<std::string, Json> vars;
  std::map<std::string, Json> funcs;
};

// Parses `opts.source` in-process. Throws ecc::Error(bad_input) naming the
// file when it does not parse, when an export type's layout cannot be
// computed (incomplete or invalid record), or when a member's doc comment
// gives `@metric` twice.
ScanResult scan_source(const ScanOptions& opts, TypeTable& into);

// The program's compile run in-process through this libclang, the scan
// reading the same AST: one parse instead of two, and no second copy of
// clang's libraries loaded. Gives the same object as the clang binary of
// the same version (clang_version()) running `argv`.
struct CompileRequest {
  std::vector<std::string> argv;  // the clang driver command: argv[0] the clang binary, -c SOURCE -o OBJECT
  ScanOptions scan;               // source, header, vmlinux_h; clang_args and pch for a header the source
                                  // does not include, which is parsed alone
};

struct CompileOutcome {
  bool crashed = false;     // clang crashed (recovered); the rest is unset
  bool failed = false;      // clang reported errors: the clang binary would exit 1
  std::string diagnostics;  // what the clang binary would print on stderr
  ScanResult scan;          // when neither
};

// Compiles and scans. Throws ecc::Error(bad_input) as scan_source() does for
// what the scan cannot read in a program that compiled. One compile that
// reaches code generation per process: LLVM 14's code generator reads freed
// state of an earlier compile in the same process, so a call after one throws
// Error(tool_failed, "internal: ..."); a compile that failed before (a PCH
// clang refused) may be followed by another.
CompileOutcome compile_program(const CompileRequest& req, TypeTable& into);

// The first line of `clang --version` for the clang this module contains.
std::string clang_version();

// What `CLANG -v -E -x c /dev/null` prints of itself, for `clang` the clang
// binary of this module's build: its version line, resource dir, and the
// include dirs after "#include <...> search starts here:". Throws
// Error(tool_failed) naming `clang` when the driver rejects it.
struct ClangFacts {
  std::string version;
  std::string resource_dir;
  std::vector<std::string> system_includes;
};
ClangFacts clang_facts(const std::string& clang);

// Writes a PCH of `header` (vmlinux.h) for the in-process parser, usable as
// ScanOptions::pch with the same clang_args. Throws ecc::Error(tool_failed).
void make_scan_pch(const std::string& header, const std::vector<std::string>& clang_args,
                   const std::string& out_path);

// Parses one doc comment's text (markers already stripped or not) into
// annotations: plain text -> "description", `@NAME VALUE` -> NAME with VALUE
// parsed as JSON when it is valid JSON, else kept as a string. A later
// `@NAME` replaces an earlier one; `repeated`, when given, gets the names
// given more than once.
Json parse_doc_comment(const std::string& raw, std::vector<std::string>* repeated = nullptr);

}  // namespace ecc
