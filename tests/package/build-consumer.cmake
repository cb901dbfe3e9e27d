# Builds and runs one consumer project (consumer/ via find_package against
# ${PREFIX}, or subdir_consumer/ via add_subdirectory of the source tree).
include("${CMAKE_CURRENT_LIST_DIR}/common.cmake")

set(args "")
if(DEFINED PREFIX)
  list(APPEND args "-DCMAKE_PREFIX_PATH=${PREFIX}" "-DLKWEBHOOK_EXPECTED_PREFIX=${PREFIX}")
else()
  list(APPEND args "-DLKWEBHOOK_SOURCE_DIR=${SOURCE_DIR}")
endif()
# -D COMPONENTS=nats: the consumer requires those components (comma-separated).
if(DEFINED COMPONENTS)
  list(APPEND args "-DLKWEBHOOK_CONSUMER_COMPONENTS=${COMPONENTS}")
endif()
lkwebhook_build_consumer("${NAME}" "${PROJECT_DIR}" ${args})
