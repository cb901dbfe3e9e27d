# CTest fixture: installs the pinned official SDK into the build tree (never
# the source tree). Invoked as
#   cmake -DNPM=<npm or empty> -DDIR=<dir holding package.json> -P npm_install.cmake
# Prints "SKIPPED:" (matched by SKIP_REGULAR_EXPRESSION) when npm is absent.
if(NOT NPM)
  message("SKIPPED: npm not found; the JS SDK interop test cannot run")
  return()
endif()
set(marker "${DIR}/node_modules/livekit-server-sdk/package.json")
if(EXISTS "${marker}")
  file(READ "${marker}" installed)
  if(installed MATCHES "\"version\": *\"2\\.19\\.2\"")
    message(STATUS "livekit-server-sdk 2.19.2 already installed in ${DIR}")
    return()
  endif()
endif()
execute_process(
  COMMAND "${NPM}" install --no-audit --no-fund --no-package-lock
  WORKING_DIRECTORY "${DIR}"
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "npm install failed (${rc})")
endif()
