// ecli pull, ecli push, and the fetch step of `ecli run URL|REF` (docs/oci.md).
#pragma once

#include <optional>
#include <string>

#include "ecc/oci.h"
#include "options.h"

namespace ecc::ecli {

// The local file `ecli run` runs: the file itself, or the cached download of
// a URL or a reference.
std::string resolve_run_file(const Options& o);

// What ecli run's argument resolves to: a file to run (a package or an app,
// local or in the cache), or an Inspektor Gadget image with `file` the
// argument itself (docs/oci.md, "Inspektor Gadget images").
struct RunTarget {
  std::string file;
  std::optional<oci::GadgetImage> gadget;
};
// An existing path that is an image layout (directory or tar) is read with
// `image_name` picking its index.json entry (empty: the only one); a
// reference is fetched (a gadget image, or an artifact's file); a URL or any
// other file as resolve_run_file does. `image_name` applies to layouts only.
RunTarget resolve_run_target(const Options& o, const std::string& image_name);

int pull_command(const Options& o);
int push_command(const Options& o);

}  // namespace ecc::ecli
