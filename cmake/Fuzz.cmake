# ECC_FUZZ: libFuzzer targets under tests/fuzz (docs/testing.md, Fuzzing).
# Included from the top CMakeLists before any library, so that everything
# (libraries, tools, tests) is compiled with the fuzzer's coverage
# instrumentation plus ASan and UBSan. The fuzz targets themselves link with
# -fsanitize=fuzzer (tests/fuzz/CMakeLists.txt); everything else links only
# the sanitizer runtimes. Composes with a plain -fsanitize=address,undefined
# build (ECC_SANITIZE): clang merges repeated -fsanitize lists.
option(ECC_FUZZ "Build the libFuzzer targets (clang only; instruments the whole build)" OFF)
set(ECC_FUZZ_SECONDS 30 CACHE STRING "Seconds each fuzz_run_<target> test fuzzes")

if(ECC_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang" OR NOT CMAKE_C_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "ECC_FUZZ=ON needs clang: configure with "
                        "-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
