# Build steps for BPF packages, for projects that find_package(ecc).
#
#   ecc_add_package(TARGET SRC HEADER [OUTPUT_DIR DIR] [CLANG_FLAGS flag...])
#     runs `ecc -o DIR SRC HEADER` when SRC or HEADER change; DIR defaults to
#     ${CMAKE_CURRENT_BINARY_DIR}/TARGET. Sets TARGET's properties
#     ECC_PACKAGE (DIR/package.json) and ECC_OBJECT (DIR/<name>.bpf.o).
#
#   ecc_add_wasm_app(TARGET SRC HEADER [APP app.c] [OUTPUT_DIR DIR])
#     copies SRC, HEADER (and APP when given) into DIR, runs
#     `ecc gen-wasm-skel` and `ecc build-wasm` there; sets ECC_WASM (DIR/app.wasm).
#
# Each TARGET is an ordinary target of the ALL build, so Ninja runs
# independent packages in parallel.
include_guard(GLOBAL)

function(_ecc_name_of src out)
  get_filename_component(file "${src}" NAME)
  string(FIND "${file}" "." dot)
  string(SUBSTRING "${file}" 0 ${dot} name)
  set(${out} "${name}" PARENT_SCOPE)
endfunction()

function(ecc_add_package target src header)
  cmake_parse_arguments(ARG "" "OUTPUT_DIR" "CLANG_FLAGS" ${ARGN})
  get_filename_component(src "${src}" ABSOLUTE)
  get_filename_component(header "${header}" ABSOLUTE)
  if(NOT ARG_OUTPUT_DIR)
    set(ARG_OUTPUT_DIR "${CMAKE_CURRENT_BINARY_DIR}/${target}")
  endif()
  _ecc_name_of("${src}" name)
  set(flags)
  foreach(f IN LISTS ARG_CLANG_FLAGS)
    list(APPEND flags -a "${f}")
  endforeach()
  set(outputs "${ARG_OUTPUT_DIR}/package.json" "${ARG_OUTPUT_DIR}/${name}.bpf.o" "${ARG_OUTPUT_DIR}/${name}.skel.json")
  add_custom_command(
    OUTPUT ${outputs}
    COMMAND ecc::ecc ${flags} -o "${ARG_OUTPUT_DIR}" "${src}" "${header}"
    DEPENDS "${src}" "${header}" ecc::ecc
    COMMENT "ecc: packaging ${name}"
    VERBATIM)
  add_custom_target(${target} ALL DEPENDS ${outputs})
  set_target_properties(${target} PROPERTIES
    ECC_PACKAGE "${ARG_OUTPUT_DIR}/package.json"
    ECC_OBJECT "${ARG_OUTPUT_DIR}/${name}.bpf.o")
endfunction()

function(ecc_add_wasm_app target src header)
  cmake_parse_arguments(ARG "" "OUTPUT_DIR;APP" "" ${ARGN})
  get_filename_component(src "${src}" ABSOLUTE)
  get_filename_component(header "${header}" ABSOLUTE)
  if(NOT ARG_OUTPUT_DIR)
    set(ARG_OUTPUT_DIR "${CMAKE_CURRENT_BINARY_DIR}/${target}")
  endif()
  get_filename_component(src_name "${src}" NAME)
  get_filename_component(header_name "${header}" NAME)
  set(copy_app)
  set(app_dep)
  if(ARG_APP)
    get_filename_component(ARG_APP "${ARG_APP}" ABSOLUTE)
    set(copy_app COMMAND ${CMAKE_COMMAND} -E copy "${ARG_APP}" "${ARG_OUTPUT_DIR}/app.c")
    set(app_dep "${ARG_APP}")
  endif()
  add_custom_command(
    OUTPUT "${ARG_OUTPUT_DIR}/app.wasm"
    COMMAND ${CMAKE_COMMAND} -E make_directory "${ARG_OUTPUT_DIR}"
    COMMAND ${CMAKE_COMMAND} -E copy "${src}" "${ARG_OUTPUT_DIR}/${src_name}"
    COMMAND ${CMAKE_COMMAND} -E copy "${header}" "${ARG_OUTPUT_DIR}/${header_name}"
    ${copy_app}
    COMMAND ecc::ecc gen-wasm-skel "${src_name}" "${header_name}"
    COMMAND ecc::ecc build-wasm
    WORKING_DIRECTORY "${ARG_OUTPUT_DIR}"
    DEPENDS "${src}" "${header}" ${app_dep} ecc::ecc
    COMMENT "ecc: building ${target} app.wasm"
    VERBATIM)
  add_custom_target(${target} ALL DEPENDS "${ARG_OUTPUT_DIR}/app.wasm")
  set_target_properties(${target} PROPERTIES ECC_WASM "${ARG_OUTPUT_DIR}/app.wasm")
endfunction()
