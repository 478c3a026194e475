// The one rule for where ecc and ecli keep their caches (vmlinux.h and its
// PCHs, toolchain records, the AOT engine's shared objects, OCI blobs).
#pragma once

#include <filesystem>

namespace ecc {

// $XDG_CACHE_HOME/ecc when XDG_CACHE_HOME is set and not empty, else
// $HOME/.cache/ecc, else <the home directory of the user's passwd
// entry>/.cache/ecc, else /tmp/ecc-cache-<uid>. Every cache is a
// subdirectory of it (aot/, oci/) or a file in it.
std::filesystem::path cache_root();

}  // namespace ecc
