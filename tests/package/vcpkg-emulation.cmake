# Emulates `vcpkg install lkwebhook --overlay-ports=cmake/vcpkg/ports` where
# the vcpkg tool cannot run (no registry, no network): runs the real
# portfile.cmake with stand-ins for the vcpkg helpers it calls, which do what
# vcpkg does for a release-only header-only port (configure with the port's
# options, install into the package directory, check the config and pkg-config
# files, install the copyright), then applies vcpkg's post-build checks that
# matter here and builds a consumer against the result, as a project using
# vcpkg's toolchain would (CMAKE_PREFIX_PATH = installed/<triplet>).
include("${CMAKE_CURRENT_LIST_DIR}/common.cmake")

set(PORT lkwebhook)
set(TARGET_TRIPLET x64-linux)
set(CURRENT_PORT_DIR "${SOURCE_DIR}/cmake/vcpkg/ports/${PORT}")
set(vcpkg_root "${WORK_DIR}/vcpkg")
set(CURRENT_PACKAGES_DIR "${vcpkg_root}/packages/${PORT}_${TARGET_TRIPLET}")
set(CURRENT_BUILDTREES_DIR "${vcpkg_root}/buildtrees/${PORT}")
set(VCPKG_TARGET_IS_LINUX ON)
set(VCPKG_LIBRARY_LINKAGE static)
set(VCPKG_CRT_LINKAGE dynamic)
# -D VCPKG_FEATURES=redis emulates `vcpkg install lkwebhook[redis]`; default: core only.
set(FEATURES core ${VCPKG_FEATURES})
set(consumer_name vcpkg_consumer)
if(VCPKG_FEATURES)
  string(REPLACE ";" "_" suffix "${VCPKG_FEATURES}")
  set(vcpkg_root "${WORK_DIR}/vcpkg_${suffix}")
  set(consumer_name "vcpkg_consumer_${suffix}")
  set(CURRENT_PACKAGES_DIR "${vcpkg_root}/packages/${PORT}_${TARGET_TRIPLET}")
  set(CURRENT_BUILDTREES_DIR "${vcpkg_root}/buildtrees/${PORT}")
endif()
file(REMOVE_RECURSE "${vcpkg_root}")
file(MAKE_DIRECTORY "${CURRENT_PACKAGES_DIR}" "${CURRENT_BUILDTREES_DIR}")

file(READ "${CURRENT_PORT_DIR}/vcpkg.json" manifest)
string(JSON VERSION GET "${manifest}" version)

# --- stand-ins for the vcpkg helpers -----------------------------------------

function(vcpkg_from_github)
  message(FATAL_ERROR "the in-repo overlay port must build the checkout, not download a release")
endfunction()

function(vcpkg_check_features)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "OUT_FEATURE_OPTIONS" "FEATURES;INVERTED_FEATURES")
  set(options "")
  set(pairs ${arg_FEATURES})
  while(pairs)
    list(POP_FRONT pairs feature variable)
    if(feature IN_LIST FEATURES)
      list(APPEND options "-D${variable}=ON")
    else()
      list(APPEND options "-D${variable}=OFF")
    endif()
  endwhile()
  set(${arg_OUT_FEATURE_OPTIONS} "${options}" PARENT_SCOPE)
endfunction()

function(vcpkg_cmake_configure)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "SOURCE_PATH"
    "OPTIONS;OPTIONS_RELEASE;OPTIONS_DEBUG;MAYBE_UNUSED_VARIABLES")
  if(NOT VCPKG_BUILD_TYPE STREQUAL "release")
    message(FATAL_ERROR "a header-only port sets VCPKG_BUILD_TYPE release before configuring")
  endif()
  set(build "${CURRENT_BUILDTREES_DIR}/${TARGET_TRIPLET}-rel")
  # What vcpkg passes on Linux besides the port's options (the toolchain file aside).
  lkwebhook_run("vcpkg_cmake_configure" COMMAND
    "${CMAKE_COMMAND}" -S "${arg_SOURCE_PATH}" -B "${build}" -G "${GENERATOR}"
    "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
    -DCMAKE_BUILD_TYPE=Release
    "-DCMAKE_INSTALL_PREFIX=${CURRENT_PACKAGES_DIR}"
    -DCMAKE_INSTALL_BINDIR:STRING=bin
    -DCMAKE_INSTALL_LIBDIR:STRING=lib
    -DBUILD_SHARED_LIBS=OFF
    -DFETCHCONTENT_FULLY_DISCONNECTED=ON
    -DCMAKE_EXPORT_NO_PACKAGE_REGISTRY=ON
    -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON
    -DCMAKE_FIND_PACKAGE_NO_SYSTEM_PACKAGE_REGISTRY=ON
    -DCMAKE_INSTALL_SYSTEM_RUNTIME_LIBS_SKIP=TRUE
    ${arg_OPTIONS} ${arg_OPTIONS_RELEASE}
    OUTPUT_VARIABLE out)
  # vcpkg reports port options the project ignores, unless declared MAYBE_UNUSED.
  if(out MATCHES "Manually-specified variables were not used by the project:\n\n([^\n]*(\n    [^\n]+)*)")
    string(REGEX MATCHALL "[A-Za-z0-9_]+" unused "${CMAKE_MATCH_1}")
    foreach(var IN LISTS unused)
      if(NOT var IN_LIST arg_MAYBE_UNUSED_VARIABLES
         AND NOT var MATCHES "^(CMAKE_|BUILD_SHARED_LIBS$|FETCHCONTENT_)")
        message(FATAL_ERROR "the port passes ${var}, which the project does not use")
      endif()
    endforeach()
  endif()
  set_property(GLOBAL PROPERTY lkwebhook_vcpkg_build_dir "${build}")
endfunction()

function(vcpkg_cmake_install)
  get_property(build GLOBAL PROPERTY lkwebhook_vcpkg_build_dir)
  if(NOT build)
    message(FATAL_ERROR "vcpkg_cmake_install() before vcpkg_cmake_configure()")
  endif()
  lkwebhook_run("vcpkg_cmake_install" COMMAND "${CMAKE_COMMAND}" --build "${build}" --target install -j 2)
endfunction()

function(vcpkg_cmake_config_fixup)
  cmake_parse_arguments(PARSE_ARGV 0 arg "DO_NOT_DELETE_PARENT_CONFIG_PATH;NO_PREFIX_CORRECTION" "PACKAGE_NAME;CONFIG_PATH;TOOLS_PATH" "")
  if(NOT arg_PACKAGE_NAME)
    set(arg_PACKAGE_NAME "${PORT}")
  endif()
  if(NOT arg_CONFIG_PATH)
    set(arg_CONFIG_PATH "share/${arg_PACKAGE_NAME}")
  endif()
  set(from "${CURRENT_PACKAGES_DIR}/${arg_CONFIG_PATH}")
  set(to "${CURRENT_PACKAGES_DIR}/share/${arg_PACKAGE_NAME}")
  file(GLOB configs "${from}/*onfig.cmake" "${from}/*-config.cmake")
  if(NOT configs)
    message(FATAL_ERROR "vcpkg_cmake_config_fixup: no config files in ${arg_CONFIG_PATH}")
  endif()
  if(NOT from STREQUAL to)
    file(COPY "${from}/" DESTINATION "${to}")
    file(REMOVE_RECURSE "${from}")
  endif()
  # vcpkg rewrites absolute paths into the package directory; a relocatable
  # config (PACKAGE_INIT, relative imports) has none to begin with.
  file(GLOB files "${to}/*.cmake")
  foreach(file IN LISTS files)
    file(READ "${file}" text)
    string(FIND "${text}" "${CURRENT_PACKAGES_DIR}" at)
    if(NOT at EQUAL -1)
      message(FATAL_ERROR "${file} hard-codes the package directory")
    endif()
  endforeach()
endfunction()

function(vcpkg_fixup_pkgconfig)
  file(GLOB_RECURSE pcs "${CURRENT_PACKAGES_DIR}/*.pc")
  foreach(pc IN LISTS pcs)
    file(READ "${pc}" text)
    string(FIND "${text}" "${CURRENT_PACKAGES_DIR}" at)
    if(NOT at EQUAL -1)
      message(FATAL_ERROR "${pc} hard-codes the package directory; vcpkg wants prefix=\${pcfiledir}/...")
    endif()
    if(PKG_CONFIG)
      get_filename_component(dir "${pc}" DIRECTORY)
      get_filename_component(name "${pc}" NAME_WE)
      lkwebhook_run("pkg-config --validate ${name}" COMMAND
        "${CMAKE_COMMAND}" -E env "PKG_CONFIG_PATH=${dir}" "${PKG_CONFIG}" --validate "${name}")
    endif()
  endforeach()
endfunction()

function(vcpkg_install_copyright)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "COMMENT" "FILE_LIST")
  if(NOT arg_FILE_LIST)
    message(FATAL_ERROR "vcpkg_install_copyright: FILE_LIST is required")
  endif()
  set(text "")
  foreach(file IN LISTS arg_FILE_LIST)
    if(NOT EXISTS "${file}")
      message(FATAL_ERROR "vcpkg_install_copyright: ${file} does not exist")
    endif()
    file(READ "${file}" part)
    string(APPEND text "${part}")
  endforeach()
  file(WRITE "${CURRENT_PACKAGES_DIR}/share/${PORT}/copyright" "${text}")
endfunction()

# --- run the port -------------------------------------------------------------

set(CMAKE_CURRENT_LIST_DIR "${CURRENT_PORT_DIR}")  # the portfile reads its own directory
include("${CURRENT_PORT_DIR}/portfile.cmake")
set(CMAKE_CURRENT_LIST_DIR "${SOURCE_DIR}/tests/package")

# --- vcpkg's post-build checks that apply, and the layout we promise -----------

set(pkg "${CURRENT_PACKAGES_DIR}")
lkwebhook_assert_headers_installed("${pkg}")
lkwebhook_assert_exists(
  "${pkg}/include/lkwebhook.hpp"
  "${pkg}/share/lkwebhook/lkwebhookConfig.cmake"
  "${pkg}/share/lkwebhook/lkwebhookConfigVersion.cmake"
  "${pkg}/share/lkwebhook/lkwebhookTargets.cmake"
  "${pkg}/share/lkwebhook/copyright"
  "${pkg}/share/lkwebhook/usage"
  "${pkg}/share/pkgconfig/lkwebhook.pc")
# Header-only: no libraries, no tools (the CLI is an example, off in the port),
# no debug tree.
lkwebhook_assert_absent("${pkg}/lib" "${pkg}/bin" "${pkg}/debug" "${pkg}/tools" "${pkg}/lib64")
file(GLOB top_level RELATIVE "${pkg}" "${pkg}/*")
foreach(entry IN LISTS top_level)
  if(NOT entry MATCHES "^(include|share)$")
    message(FATAL_ERROR "unexpected top-level entry in the package: ${entry}")
  endif()
endforeach()
# vcpkg rejects empty directories.
file(GLOB_RECURSE dirs LIST_DIRECTORIES true "${pkg}/*")
foreach(dir IN LISTS dirs)
  if(IS_DIRECTORY "${dir}")
    file(GLOB entries "${dir}/*")
    if(NOT entries)
      message(FATAL_ERROR "empty directory in the package: ${dir}")
    endif()
  endif()
endforeach()
file(READ "${pkg}/share/lkwebhook/copyright" copyright)
if(NOT copyright MATCHES "Apache License")
  message(FATAL_ERROR "copyright is not the Apache-2.0 licence text")
endif()
file(READ "${pkg}/share/lkwebhook/usage" usage)
if(NOT usage MATCHES "find_package\\(lkwebhook CONFIG REQUIRED\\)" OR NOT usage MATCHES "lkwebhook::lkwebhook")
  message(FATAL_ERROR "usage does not show find_package(lkwebhook CONFIG REQUIRED) and lkwebhook::lkwebhook")
endif()
# Feature redis exports lkwebhook::redis (and how to find hiredis); core does not.
if("redis" IN_LIST FEATURES)
  lkwebhook_assert_exists("${pkg}/share/lkwebhook/lkwebhookRedisTargets.cmake" "${pkg}/share/lkwebhook/find-hiredis.cmake")
else()
  lkwebhook_assert_absent("${pkg}/share/lkwebhook/lkwebhookRedisTargets.cmake")
endif()
# Feature nats exports lkwebhook::nats (and how to find libnats); core does not.
if("nats" IN_LIST FEATURES)
  lkwebhook_assert_exists("${pkg}/share/lkwebhook/lkwebhookNatsTargets.cmake" "${pkg}/share/lkwebhook/find-libnats.cmake")
  if(NOT usage MATCHES "COMPONENTS nats" OR NOT usage MATCHES "lkwebhook::nats")
    message(FATAL_ERROR "usage does not show find_package(lkwebhook ... COMPONENTS nats) and lkwebhook::nats")
  endif()
else()
  lkwebhook_assert_absent("${pkg}/share/lkwebhook/lkwebhookNatsTargets.cmake")
endif()
message(STATUS "vcpkg layout ok: ${pkg}")

# A project built with vcpkg's toolchain sees installed/<triplet> as a prefix.
# The consumer requires every feature's component (find_package ... COMPONENTS).
string(REPLACE ";" "," required_components "${VCPKG_FEATURES}")
lkwebhook_build_consumer("${consumer_name}" "${SOURCE_DIR}/tests/package/consumer"
  "-DCMAKE_PREFIX_PATH=${pkg}" "-DLKWEBHOOK_EXPECTED_PREFIX=${pkg}"
  "-DLKWEBHOOK_CONSUMER_COMPONENTS=${required_components}")
