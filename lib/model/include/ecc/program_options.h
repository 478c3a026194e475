// The one rule that turns a program's global variables into its command-line
// options, for every way a package runs: `ecli run package.json`, the
// executable `ecc --standalone` writes, and the app.c gen-wasm-skel writes.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "ecc/model.h"

namespace ecc {

// One option: a variable of a data section.
struct VariableOption {
  const DataSection* section = nullptr;
  const Variable* var = nullptr;
  std::string long_name;  // the @cmdarg long name, else the variable's name
  char short_name = 0;    // the @cmdarg short name; 0: none
  std::string help;       // the @cmdarg help, else the doc's description, else "set <var>"
  Json default_value;     // the @cmdarg default; null: none
};

// Which variables a runner can set (the loader encodes more types than a
// Wasm guest can parse); the rule below only sees these.
using SettableVariable = std::function<bool(const DataSection&, const Variable&)>;

// The options of every settable variable, in section and variable order,
// skipping .kconfig (libbpf sets it from the kernel), eunomia's
// placeholders and variables that are no option (Variable::option). Names
// are unique: --help and -h are reserved, a variable whose long name an
// earlier option has is no option, and one whose short name an earlier
// option has keeps only its long name.
std::vector<VariableOption> variable_options(const Skeleton& skel, const SettableVariable& settable);

}  // namespace ecc
