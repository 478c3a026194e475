# ECC_SANITIZE: build everything (libraries, tools, tests, bench helpers) with
# AddressSanitizer + UndefinedBehaviorSanitizer; undefined behaviour is fatal.
# Meant for clang (scripts/test-sanitized.sh configures build-asan with clang 14);
# the flags only add to the global compile/link options, so other options that
# add sanitizers (ECC_FUZZ's -fsanitize=fuzzer-no-link) compose with these.
#
# The run-time options every test process (and every ecc/ecli child it spawns)
# gets are set ctest-wide: tests/sanitize/ctest_env.cmake is a TEST_INCLUDE_FILE
# of the top directory, read by ctest before any test or test discovery starts,
# and it exports ASAN_OPTIONS/UBSAN_OPTIONS/LSAN_OPTIONS into ctest's own
# environment, which every test inherits. A value already in the environment
# (scripts/test-sanitized.sh sets the same) wins.
include_guard(GLOBAL)

option(ECC_SANITIZE "Build with -fsanitize=address,undefined (UB is fatal)" OFF)

if(ECC_SANITIZE)
  set(ECC_SANITIZE_FLAGS
    -fsanitize=address,undefined
    -fno-omit-frame-pointer
    -fno-sanitize-recover=undefined)
  add_compile_options(${ECC_SANITIZE_FLAGS})
  add_link_options(-fsanitize=address,undefined)
  set(ECC_SANITIZE_SUPP_DIR "${CMAKE_CURRENT_LIST_DIR}/../tests/sanitize")
  get_filename_component(ECC_SANITIZE_SUPP_DIR "${ECC_SANITIZE_SUPP_DIR}" ABSOLUTE)
  configure_file("${ECC_SANITIZE_SUPP_DIR}/ctest_env.cmake.in"
    "${CMAKE_BINARY_DIR}/sanitize_ctest_env.cmake" @ONLY)
  set_property(DIRECTORY "${CMAKE_SOURCE_DIR}" APPEND PROPERTY
    TEST_INCLUDE_FILES "${CMAKE_BINARY_DIR}/sanitize_ctest_env.cmake")
endif()
