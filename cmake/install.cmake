# `cmake --install BUILD [--prefix DIR]`: the `sgp` command in bin/, headers
# in include/sgp/ (included as "actors/training_group.hpp", as in the source
# tree), the static libraries in lib/, and a CMake package:
#
#   find_package(sgp REQUIRED)
#   target_link_libraries(app PRIVATE sgp::runtime)
#
# examples/consumer/ is such a project; scripts/consumer_check.sh builds it
# against an installed tree (a ctest test).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# sgp::runtime: everything an embedding application links (the actor
# runtime and what it depends on). The target is sgp_package here, since
# sgp_runtime is runtime/'s library (exported as sgp::sgp_runtime).
add_library(sgp_package INTERFACE)
target_link_libraries(sgp_package INTERFACE sgp_actors)
set_target_properties(sgp_package PROPERTIES EXPORT_NAME runtime)

set(sgp_exported sgp_package sgp_actors sgp_runtime sgp_caf sgp_config sgp_net sgp_net_tcp sgp_wire sgp_data
  sgp_gpu sgp_params sgp_core sgp_warnings)
set(SGP_PACKAGE_NEEDS_GLOO OFF)
if(TARGET sgp_gloo)
  list(APPEND sgp_exported sgp_gloo)
  set(SGP_PACKAGE_NEEDS_GLOO ON)
endif()
set(SGP_PACKAGE_NEEDS_CUDA OFF)
foreach(t sgp_cuda sgp_cudnn sgp_nccl)
  if(TARGET ${t})
    list(APPEND sgp_exported ${t})
    set(SGP_PACKAGE_NEEDS_CUDA ON)
  endif()
endforeach()

install(TARGETS sgp RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS ${sgp_exported} EXPORT sgpTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/sgp)
foreach(dir core data gpu net config runtime actors)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${dir}/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/sgp/${dir}
    FILES_MATCHING PATTERN "*.hpp" PATTERN "*.cuh" PATTERN "examples" EXCLUDE)
endforeach()
install(DIRECTORY ${PROJECT_SOURCE_DIR}/config/examples/
  DESTINATION ${CMAKE_INSTALL_DATADIR}/sgp/examples)

set(sgp_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/sgp)
install(EXPORT sgpTargets NAMESPACE sgp:: DESTINATION ${sgp_cmake_dir})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/sgpConfig.cmake.in
  ${PROJECT_BINARY_DIR}/sgpConfig.cmake INSTALL_DESTINATION ${sgp_cmake_dir})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/sgpConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/sgpConfig.cmake ${PROJECT_BINARY_DIR}/sgpConfigVersion.cmake
  DESTINATION ${sgp_cmake_dir})
