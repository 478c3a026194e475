# The install tree (docs/docker.md): binaries in bin/, the scan module and
# the metrics library in lib/ecc/, templates and the guest SDK in share/ecc/, and a CMake package in
# lib/cmake/ecc/ so user projects can build packages as ordinary build steps.
# Everything is found relative to the binaries, so the tree can be moved.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS ecc RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
if(TARGET ecli)
  install(TARGETS ecli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
install(TARGETS ecc_srcscan_module LIBRARY DESTINATION lib/ecc)
# The metrics exporter (docs/metrics.md): ecli finds it as ../lib/ecc/.
install(TARGETS ecc_metrics LIBRARY DESTINATION lib/ecc)
# The runner `ecc --standalone` copies; ecc finds it as ../libexec/ecc/.
install(TARGETS ecc-standalone RUNTIME DESTINATION libexec/ecc)
if(EXISTS ${PROJECT_SOURCE_DIR}/templates)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/templates/ DESTINATION ${CMAKE_INSTALL_DATADIR}/ecc/templates)
endif()
install(DIRECTORY ${PROJECT_SOURCE_DIR}/examples/ DESTINATION ${CMAKE_INSTALL_DATADIR}/ecc/examples)

set(ECC_CMAKE_DIR lib/cmake/ecc)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/eccConfig.cmake.in
  ${PROJECT_BINARY_DIR}/eccConfig.cmake INSTALL_DESTINATION ${ECC_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/eccConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/eccConfig.cmake ${PROJECT_BINARY_DIR}/eccConfigVersion.cmake
  ${PROJECT_SOURCE_DIR}/cmake/EccFunctions.cmake DESTINATION ${ECC_CMAKE_DIR})
