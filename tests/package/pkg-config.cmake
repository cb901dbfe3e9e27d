# `pkg-config --cflags --libs lkwebhook` against the installed prefix compiles,
# links and runs the consumer program, with no CMake involved.
include("${CMAKE_CURRENT_LIST_DIR}/common.cmake")

if(NOT PKG_CONFIG)
  message("LKWEBHOOK_SKIP: pkg-config is not installed")
  return()
endif()

set(env "${CMAKE_COMMAND}" -E env "PKG_CONFIG_PATH=${PREFIX}/share/pkgconfig")
lkwebhook_run("pkg-config --validate" COMMAND ${env} "${PKG_CONFIG}" --validate lkwebhook)
lkwebhook_run("pkg-config --modversion" COMMAND ${env} "${PKG_CONFIG}" --modversion lkwebhook OUTPUT_VARIABLE version)
string(STRIP "${version}" version)
if(NOT version STREQUAL EXPECTED_VERSION)
  message(FATAL_ERROR "pkg-config reports version '${version}', expected ${EXPECTED_VERSION}")
endif()
lkwebhook_run("pkg-config --cflags --libs" COMMAND ${env} "${PKG_CONFIG}" --cflags --libs lkwebhook OUTPUT_VARIABLE flags)
string(STRIP "${flags}" flags)
if(NOT flags MATCHES "-I[^ ]*/include")
  message(FATAL_ERROR "pkg-config flags lack the include directory: ${flags}")
endif()
separate_arguments(flags UNIX_COMMAND "${flags}")

set(program "${WORK_DIR}/pkg_config_consumer")
file(REMOVE "${program}")
lkwebhook_run("compile and link with pkg-config flags" COMMAND
  "${CXX_COMPILER}" -std=c++20 "${SOURCE_DIR}/tests/package/consumer/main.cpp" -o "${program}" ${flags})
lkwebhook_run_consumer("pkg-config" "${program}")
