# The two real dependencies of lkwebhook, shared by the build tree and (in
# spirit) by lkwebhookConfig.cmake.in, which repeats the same checks.

find_package(OpenSSL 3.0 REQUIRED COMPONENTS Crypto)

# No version in the find_package() call on purpose: simdjson's config version
# file uses SameMinorVersion, so asking for "3.0" would reject vcpkg's 4.x and
# any range would reject Debian's 3.0.1. Accept any simdjson >= 3.0 instead.
find_package(simdjson CONFIG REQUIRED)
if(simdjson_VERSION VERSION_LESS 3.0)
  message(FATAL_ERROR "lkwebhook needs simdjson >= 3.0, found ${simdjson_VERSION} in ${simdjson_DIR}")
endif()
