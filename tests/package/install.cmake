# Fixture: installs this build tree into ${PREFIX} and checks what landed.
include("${CMAKE_CURRENT_LIST_DIR}/common.cmake")

file(REMOVE_RECURSE "${PREFIX}")
lkwebhook_run("install" COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}")

lkwebhook_assert_headers_installed("${PREFIX}")
lkwebhook_assert_exists(
  "${PREFIX}/include/lkwebhook.hpp"
  "${PREFIX}/share/lkwebhook/lkwebhookConfig.cmake"
  "${PREFIX}/share/lkwebhook/lkwebhookConfigVersion.cmake"
  "${PREFIX}/share/lkwebhook/lkwebhookTargets.cmake"
  "${PREFIX}/share/pkgconfig/lkwebhook.pc")
# Header-only: no libraries, nothing architecture-specific.
lkwebhook_assert_absent("${PREFIX}/lib" "${PREFIX}/lib64")

# The optional components' export sets (and their finders) are installed
# exactly when the build tree defined the component.
if(EXPECT_NATS)
  lkwebhook_assert_exists("${PREFIX}/share/lkwebhook/lkwebhookNatsTargets.cmake"
                          "${PREFIX}/share/lkwebhook/find-libnats.cmake")
else()
  lkwebhook_assert_absent("${PREFIX}/share/lkwebhook/lkwebhookNatsTargets.cmake")
endif()

# The command-line tool ships with the package when the examples are built.
if(EXPECT_CLI)
  lkwebhook_assert_exists("${PREFIX}/bin/lkwebhook")
  lkwebhook_run("installed lkwebhook --help" COMMAND "${PREFIX}/bin/lkwebhook" --help)
else()
  lkwebhook_assert_absent("${PREFIX}/bin/lkwebhook")
endif()

# Nothing of the test or example trees leaks into the install.
file(GLOB_RECURSE installed RELATIVE "${PREFIX}" "${PREFIX}/*")
foreach(file IN LISTS installed)
  if(file MATCHES "(^|/)(test_|catch|Catch)")
    message(FATAL_ERROR "test artefact installed: ${file}")
  endif()
endforeach()
message(STATUS "installed into ${PREFIX}")
