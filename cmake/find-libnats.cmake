# Finds libnats (the NATS C client) for lkwebhook::nats, both in the build tree
# (cmake/nats-target.cmake) and in an installed lkwebhookConfig.cmake. Defines
# the INTERFACE IMPORTED target lkwebhook_libnats::libnats and sets
# LKWEBHOOK_LIBNATS_FOUND (TRUE/FALSE).
#
# Order: pkg-config (libnats.pc) first, because Debian's libnats-dev (12 and
# 13) installs a cnats CMake config whose cnats::nats_static target names
# libnats_static.a, which the package does not ship, and find_package(cnats)
# then fails hard even QUIET (see below). Elsewhere (vcpkg's port "cnats", an
# upstream install) the CMake package cnats provides cnats::nats or
# cnats::nats_static. Last, the shared library found directly. Headers are
# included as <nats/nats.h>, which every layout provides.

if(TARGET lkwebhook_libnats::libnats)
  set(LKWEBHOOK_LIBNATS_FOUND TRUE)
  return()
endif()

set(LKWEBHOOK_LIBNATS_FOUND FALSE)
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(LKWEBHOOK_PC_LIBNATS QUIET IMPORTED_TARGET libnats)
  if(LKWEBHOOK_PC_LIBNATS_FOUND AND TARGET PkgConfig::LKWEBHOOK_PC_LIBNATS)
    add_library(lkwebhook_libnats::libnats INTERFACE IMPORTED)
    set_target_properties(lkwebhook_libnats::libnats PROPERTIES
      INTERFACE_LINK_LIBRARIES PkgConfig::LKWEBHOOK_PC_LIBNATS)
    set(LKWEBHOOK_LIBNATS_FOUND TRUE)
  endif()
endif()

# The cnats CMake package. Debian's, in the system prefix, checks for the
# libnats_static.a it does not ship and stops the configure (a FATAL_ERROR
# that QUIET does not silence); where it is installed, look for cnats only in
# the user's prefixes (CMAKE_PREFIX_PATH, cnats_DIR: vcpkg, a source build).
if(NOT LKWEBHOOK_LIBNATS_FOUND)
  set(_lkwebhook_cnats_scope "")
  foreach(_lkwebhook_prefix IN LISTS CMAKE_SYSTEM_PREFIX_PATH)
    set(_lkwebhook_libdir "${_lkwebhook_prefix}/lib/${CMAKE_LIBRARY_ARCHITECTURE}")
    if(EXISTS "${_lkwebhook_libdir}/cmake/cnats/cnats-config.cmake"
       AND NOT EXISTS "${_lkwebhook_libdir}/libnats_static.a")
      set(_lkwebhook_cnats_scope NO_CMAKE_SYSTEM_PATH NO_SYSTEM_ENVIRONMENT_PATH)
    endif()
  endforeach()
  find_package(cnats CONFIG QUIET ${_lkwebhook_cnats_scope})
  foreach(_lkwebhook_cnats_target IN ITEMS cnats::nats cnats::nats_static)
    if(NOT LKWEBHOOK_LIBNATS_FOUND AND TARGET ${_lkwebhook_cnats_target})
      add_library(lkwebhook_libnats::libnats INTERFACE IMPORTED)
      set_target_properties(lkwebhook_libnats::libnats PROPERTIES
        INTERFACE_LINK_LIBRARIES ${_lkwebhook_cnats_target})
      set(LKWEBHOOK_LIBNATS_FOUND TRUE)
    endif()
  endforeach()
  unset(_lkwebhook_cnats_scope)
  unset(_lkwebhook_prefix)
  unset(_lkwebhook_libdir)
  unset(_lkwebhook_cnats_target)
endif()

# Last resort, e.g. Debian without pkg-config: the shared library and its
# header, found directly (a shared libnats brings its own dependencies).
if(NOT LKWEBHOOK_LIBNATS_FOUND)
  find_path(LKWEBHOOK_LIBNATS_INCLUDE_DIR NAMES nats/nats.h)
  find_library(LKWEBHOOK_LIBNATS_LIBRARY NAMES nats)
  mark_as_advanced(LKWEBHOOK_LIBNATS_INCLUDE_DIR LKWEBHOOK_LIBNATS_LIBRARY)
  if(LKWEBHOOK_LIBNATS_INCLUDE_DIR AND LKWEBHOOK_LIBNATS_LIBRARY)
    add_library(lkwebhook_libnats::libnats INTERFACE IMPORTED)
    set_target_properties(lkwebhook_libnats::libnats PROPERTIES
      INTERFACE_INCLUDE_DIRECTORIES "${LKWEBHOOK_LIBNATS_INCLUDE_DIR}"
      INTERFACE_LINK_LIBRARIES "${LKWEBHOOK_LIBNATS_LIBRARY}")
    set(LKWEBHOOK_LIBNATS_FOUND TRUE)
  endif()
endif()
