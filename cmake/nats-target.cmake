# The optional target lkwebhook_nats (alias lkwebhook::nats): lkwebhook plus
# libnats (the NATS C client), for <lkwebhook/jetstream_queue.hpp>. Defined
# only where libnats is found (pkg-config `libnats`, Debian package
# libnats-dev; or upstream's CMake package cnats) and LKWEBHOOK_WITH_NATS is
# ON; included from the top-level CMakeLists.txt after lkwebhook. Everything
# else works without it.

option(LKWEBHOOK_WITH_NATS "Provide lkwebhook::nats when libnats is found" ON)

set(LKWEBHOOK_NATS_FOUND FALSE)
# pkg-config first: Debian's libnats-dev (12 and 13) installs a cnats CMake
# config whose cnats::nats_static target names libnats_static.a, which the
# package does not ship, and find_package(cnats) then fails hard even QUIET.
if(LKWEBHOOK_WITH_NATS AND NOT TARGET lkwebhook_libnats::libnats)
  find_package(PkgConfig QUIET)
  if(PkgConfig_FOUND)
    pkg_check_modules(LKWEBHOOK_PC_LIBNATS QUIET IMPORTED_TARGET libnats)
    if(LKWEBHOOK_PC_LIBNATS_FOUND AND TARGET PkgConfig::LKWEBHOOK_PC_LIBNATS)
      add_library(lkwebhook_libnats::libnats INTERFACE IMPORTED)
      set_target_properties(lkwebhook_libnats::libnats PROPERTIES
        INTERFACE_LINK_LIBRARIES PkgConfig::LKWEBHOOK_PC_LIBNATS)
    endif()
  endif()
  if(NOT TARGET lkwebhook_libnats::libnats)
    find_package(cnats CONFIG QUIET)
    if(TARGET cnats::nats)
      add_library(lkwebhook_libnats::libnats INTERFACE IMPORTED)
      set_target_properties(lkwebhook_libnats::libnats PROPERTIES INTERFACE_LINK_LIBRARIES cnats::nats)
    endif()
  endif()
endif()
if(TARGET lkwebhook_libnats::libnats)
  set(LKWEBHOOK_NATS_FOUND TRUE)
endif()

if(LKWEBHOOK_WITH_NATS AND LKWEBHOOK_NATS_FOUND)
  add_library(lkwebhook_nats INTERFACE)
  add_library(lkwebhook::nats ALIAS lkwebhook_nats)
  set_target_properties(lkwebhook_nats PROPERTIES EXPORT_NAME nats)
  target_link_libraries(lkwebhook_nats INTERFACE lkwebhook lkwebhook_libnats::libnats)
  message(STATUS "lkwebhook: libnats found, target lkwebhook::nats available")
else()
  message(STATUS "lkwebhook: target lkwebhook::nats not defined (libnats not found or LKWEBHOOK_WITH_NATS=OFF)")
endif()
