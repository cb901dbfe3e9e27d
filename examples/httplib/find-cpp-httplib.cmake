# Finds Debian's cpp-httplib (libcpp-httplib-dev 0.11.x): a compiled library described by
# cpp-httplib.pc, whose Cflags (CPPHTTPLIB_OPENSSL_SUPPORT, ...) must match the library, so it
# is used through pkg-config rather than as a bare header. Defines the imported target
# PkgConfig::CPPHTTPLIB (global, so the demo and tests/examples can share it) when found.
# A header-only httplib found by find_package(httplib) works too (vcpkg, upstream CMake).
if(NOT TARGET lkwebhook_httplib)
  find_package(httplib CONFIG QUIET)
  if(TARGET httplib::httplib)
    add_library(lkwebhook_httplib INTERFACE IMPORTED GLOBAL)
    target_link_libraries(lkwebhook_httplib INTERFACE httplib::httplib)
  else()
    find_package(PkgConfig QUIET)
    if(PKG_CONFIG_FOUND)
      pkg_check_modules(CPPHTTPLIB QUIET IMPORTED_TARGET GLOBAL cpp-httplib>=0.11)
    endif()
    if(TARGET PkgConfig::CPPHTTPLIB)
      add_library(lkwebhook_httplib INTERFACE IMPORTED GLOBAL)
      target_link_libraries(lkwebhook_httplib INTERFACE PkgConfig::CPPHTTPLIB)
    endif()
  endif()
endif()
