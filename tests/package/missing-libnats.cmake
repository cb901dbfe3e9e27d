# Where libnats cannot be found, find_package(lkwebhook CONFIG REQUIRED
# COMPONENTS nats) must fail and say why, and a find_package without the
# component must still succeed. libnats is hidden from every route of
# cmake/find-libnats.cmake: pkg-config (an empty PKG_CONFIG_LIBDIR), the cnats
# CMake package (disabled) and the direct library search (an empty result).
include("${CMAKE_CURRENT_LIST_DIR}/common.cmake")

set(no_pc_dir "${WORK_DIR}/missing_libnats_pkgconfig")
file(MAKE_DIRECTORY "${no_pc_dir}")
set(hide_libnats
  -DCMAKE_DISABLE_FIND_PACKAGE_cnats=ON
  "-DLKWEBHOOK_LIBNATS_LIBRARY:FILEPATH="
  "-DLKWEBHOOK_CONSUMER_MAIN=${SOURCE_DIR}/tests/package/consumer/main.cpp"
  "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
  "-DCMAKE_PREFIX_PATH=${PREFIX}"
  -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
  -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF)

set(build "${WORK_DIR}/missing_libnats")
file(REMOVE_RECURSE "${build}")
message(STATUS "[configure with COMPONENTS nats, libnats hidden]")
execute_process(
  COMMAND "${CMAKE_COMMAND}" -E env "PKG_CONFIG_LIBDIR=${no_pc_dir}" "PKG_CONFIG_PATH="
          "${CMAKE_COMMAND}" -S "${SOURCE_DIR}/tests/package/consumer" -B "${build}" -G "${GENERATOR}"
          ${hide_libnats} -DLKWEBHOOK_CONSUMER_COMPONENTS=nats
  RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE out)
message("${out}")
if(status EQUAL 0)
  message(FATAL_ERROR "find_package(lkwebhook REQUIRED COMPONENTS nats) succeeded without libnats")
endif()
string(REGEX REPLACE "[ \n]+" " " flat "${out}")
if(NOT flat MATCHES "lkwebhook::nats needs libnats")
  message(FATAL_ERROR "the failure does not say that lkwebhook::nats needs libnats")
endif()

file(REMOVE_RECURSE "${build}")
lkwebhook_run("configure without components, libnats hidden" COMMAND
  "${CMAKE_COMMAND}" -E env "PKG_CONFIG_LIBDIR=${no_pc_dir}" "PKG_CONFIG_PATH="
  "${CMAKE_COMMAND}" -S "${SOURCE_DIR}/tests/package/consumer" -B "${build}" -G "${GENERATOR}"
  ${hide_libnats})
message(STATUS "a missing libnats fails only COMPONENTS nats, with a clear message")
