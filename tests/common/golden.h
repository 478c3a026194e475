// Golden files: a generated text equals a file kept in the source tree.
//
// Every golden test is named so that `ctest -R golden` selects it (its
// binary is discovered with the test prefix "golden/"), and
//
//   UPDATE_GOLDENS=1 ctest -R golden
//
// rewrites every golden file from what the build generates now, instead of
// comparing; those tests then report "skipped". Review the diff, then commit.
#pragma once

#include <string>

#include "test_util.h"

namespace ecc::test {

// True when UPDATE_GOLDENS=1.
bool updating_goldens();

// `rel` is the golden file's path relative to the repository root. Compares
// `got` with it (a failure shows both texts), or writes it and marks the test
// skipped when updating_goldens().
void check_golden(const fs::path& rel, const std::string& got);

}  // namespace ecc::test
