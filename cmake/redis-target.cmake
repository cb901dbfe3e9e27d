# The optional target lkwebhook_redis (alias lkwebhook::redis): lkwebhook plus
# hiredis, for <lkwebhook/redis_store.hpp> and <lkwebhook/redis_stream_queue.hpp>.
# Defined only where hiredis is
# installed and LKWEBHOOK_WITH_REDIS is ON; included from the top-level
# CMakeLists.txt after lkwebhook. Everything else works without it.

option(LKWEBHOOK_WITH_REDIS "Provide lkwebhook::redis when hiredis is found" ON)

if(LKWEBHOOK_WITH_REDIS)
  include(${CMAKE_CURRENT_LIST_DIR}/find-hiredis.cmake)
endif()

if(LKWEBHOOK_WITH_REDIS AND LKWEBHOOK_HIREDIS_FOUND)
  add_library(lkwebhook_redis INTERFACE)
  add_library(lkwebhook::redis ALIAS lkwebhook_redis)
  set_target_properties(lkwebhook_redis PROPERTIES EXPORT_NAME redis)
  target_link_libraries(lkwebhook_redis INTERFACE lkwebhook lkwebhook_hiredis::hiredis)
  # TLS (redis_connection.hpp): hiredis 1.x ships it as hiredis_ssl; 0.14
  # (Debian 12) has none. Where found, link it and enable the TLS code path.
  if(NOT TARGET lkwebhook_hiredis::hiredis_ssl)
    if(TARGET hiredis::hiredis_ssl)
      add_library(lkwebhook_hiredis::hiredis_ssl INTERFACE IMPORTED)
      set_target_properties(lkwebhook_hiredis::hiredis_ssl PROPERTIES INTERFACE_LINK_LIBRARIES hiredis::hiredis_ssl)
    else()
      find_package(PkgConfig QUIET)
      if(PkgConfig_FOUND)
        pkg_check_modules(LKWEBHOOK_PC_HIREDIS_SSL QUIET IMPORTED_TARGET hiredis_ssl)
        if(LKWEBHOOK_PC_HIREDIS_SSL_FOUND AND TARGET PkgConfig::LKWEBHOOK_PC_HIREDIS_SSL)
          add_library(lkwebhook_hiredis::hiredis_ssl INTERFACE IMPORTED)
          set_target_properties(lkwebhook_hiredis::hiredis_ssl PROPERTIES
            INTERFACE_LINK_LIBRARIES PkgConfig::LKWEBHOOK_PC_HIREDIS_SSL)
        endif()
      endif()
    endif()
  endif()
  # Build tree only: the installed package's find-hiredis.cmake defines no
  # hiredis_ssl target, so an installed lkwebhook::redis stays TLS-free; a
  # consumer that wants TLS links hiredis_ssl and OpenSSL::SSL and defines
  # LKWEBHOOK_REDIS_TLS=1. libssl directly: redis_connection.hpp builds the
  # TLS session itself (to check the certificate's name, which hiredis skips).
  if(TARGET lkwebhook_hiredis::hiredis_ssl AND NOT TARGET OpenSSL::SSL)
    message(STATUS "lkwebhook: hiredis_ssl found but not OpenSSL's libssl: Redis TLS disabled")
  elseif(TARGET lkwebhook_hiredis::hiredis_ssl)
    target_link_libraries(lkwebhook_redis INTERFACE $<BUILD_INTERFACE:lkwebhook_hiredis::hiredis_ssl>
                                                    $<BUILD_INTERFACE:OpenSSL::SSL>)
    target_compile_definitions(lkwebhook_redis INTERFACE $<BUILD_INTERFACE:LKWEBHOOK_REDIS_TLS=1>)
    message(STATUS "lkwebhook: hiredis_ssl found, Redis TLS enabled in this build tree")
  endif()
  message(STATUS "lkwebhook: hiredis found, target lkwebhook::redis available")
else()
  message(STATUS "lkwebhook: target lkwebhook::redis not defined (hiredis not found or LKWEBHOOK_WITH_REDIS=OFF)")
endif()
