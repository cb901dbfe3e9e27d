# The optional target lkwebhook_redis (alias lkwebhook::redis): lkwebhook plus
# hiredis, for <lkwebhook/redis_store.hpp>. Defined only where hiredis is
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
  message(STATUS "lkwebhook: hiredis found, target lkwebhook::redis available")
else()
  message(STATUS "lkwebhook: target lkwebhook::redis not defined (hiredis not found or LKWEBHOOK_WITH_REDIS=OFF)")
endif()
