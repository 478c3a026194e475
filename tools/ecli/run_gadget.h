// `ecli run` of an Inspektor Gadget image (docs/gadget.md): the gadget read
// into the model (lib/gadget), its params as program options, then run as a
// package runs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ecc/gadget.h"
#include "ecc/loader.h"

namespace ecc::ecli {

// Parses the params (throws Error(usage/bad_input) before the kernel sees
// anything), prints the usage for -h, else loads, attaches and streams.
// `mntns` turns IG's mount-namespace filter on for that namespace.
int run_gadget(const gadget::Parts& parts, const std::vector<std::string>& program_args,
               const loader::RunOptions& run, std::optional<uint64_t> mntns);

}  // namespace ecc::ecli
