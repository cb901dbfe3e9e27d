# Finds hiredis for lkwebhook::redis, both in the build tree and in an
# installed lkwebhookConfig.cmake. Defines the INTERFACE IMPORTED target
# lkwebhook_hiredis::hiredis and sets LKWEBHOOK_HIREDIS_FOUND (TRUE/FALSE).
#
# Order: upstream hiredis >= 1.0 installs a CMake package with the target
# hiredis::hiredis; Debian's hiredis 0.14 installs a HiredisConfig.cmake that
# defines no target (only variables), so there we use pkg-config (hiredis.pc).
# Headers are included as <hiredis/hiredis.h>, which both layouts provide.

if(TARGET lkwebhook_hiredis::hiredis)
  set(LKWEBHOOK_HIREDIS_FOUND TRUE)
  return()
endif()

set(LKWEBHOOK_HIREDIS_FOUND FALSE)
find_package(hiredis CONFIG QUIET)
if(TARGET hiredis::hiredis)
  add_library(lkwebhook_hiredis::hiredis INTERFACE IMPORTED)
  set_target_properties(lkwebhook_hiredis::hiredis PROPERTIES INTERFACE_LINK_LIBRARIES hiredis::hiredis)
  set(LKWEBHOOK_HIREDIS_FOUND TRUE)
else()
  find_package(PkgConfig QUIET)
  if(PkgConfig_FOUND)
    pkg_check_modules(LKWEBHOOK_PC_HIREDIS QUIET IMPORTED_TARGET hiredis)
    if(LKWEBHOOK_PC_HIREDIS_FOUND AND TARGET PkgConfig::LKWEBHOOK_PC_HIREDIS)
      add_library(lkwebhook_hiredis::hiredis INTERFACE IMPORTED)
      set_target_properties(lkwebhook_hiredis::hiredis PROPERTIES
        INTERFACE_LINK_LIBRARIES PkgConfig::LKWEBHOOK_PC_HIREDIS)
      set(LKWEBHOOK_HIREDIS_FOUND TRUE)
    else()
      set(LKWEBHOOK_HIREDIS_FOUND FALSE)
    endif()
  endif()
endif()
