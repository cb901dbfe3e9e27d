# The optional target lkwebhook_nats (alias lkwebhook::nats): lkwebhook plus
# libnats (the NATS C client), for <lkwebhook/jetstream_queue.hpp>. Defined
# only where libnats is found (pkg-config `libnats`, Debian package
# libnats-dev; or upstream's CMake package cnats) and LKWEBHOOK_WITH_NATS is
# ON; included from the top-level CMakeLists.txt after lkwebhook. Everything
# else works without it.

option(LKWEBHOOK_WITH_NATS "Provide lkwebhook::nats when libnats is found" ON)

set(LKWEBHOOK_NATS_FOUND FALSE)
# The finder (cmake/find-libnats.cmake: pkg-config first, then cnats) is the one
# installed next to lkwebhookConfig.cmake, so the build tree and a consumer of
# the installed package find libnats the same way.
if(LKWEBHOOK_WITH_NATS)
  include(${CMAKE_CURRENT_LIST_DIR}/find-libnats.cmake)
  set(LKWEBHOOK_NATS_FOUND ${LKWEBHOOK_LIBNATS_FOUND})
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
