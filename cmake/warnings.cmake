# Flags for our own tests and examples only; lkwebhook::lkwebhook never
# carries them, so users are never forced into our warning level.

option(LKWEBHOOK_OPENSSL_NO_DEPRECATED
  "Compile our tests and examples with OPENSSL_API_COMPAT=30000 and OPENSSL_NO_DEPRECATED" OFF)

add_library(lkwebhook_warnings INTERFACE)
if(MSVC)
  target_compile_options(lkwebhook_warnings INTERFACE /W4 $<$<BOOL:${LKWEBHOOK_WARNINGS_AS_ERRORS}>:/WX>)
else()
  target_compile_options(lkwebhook_warnings INTERFACE
    -Wall -Wextra -Wpedantic -Wconversion -Wshadow
    $<$<BOOL:${LKWEBHOOK_WARNINGS_AS_ERRORS}>:-Werror>)
endif()
# GCC 12 reports false -Wmaybe-uninitialized inside libstdc++ (std::function
# in std::regex, std::optional) once sanitizers change inlining (GCC PR 105562
# and friends); keep -Werror meaningful in the asan/tsan presets.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_FLAGS MATCHES "-fsanitize=")
  target_compile_options(lkwebhook_warnings INTERFACE -Wno-maybe-uninitialized)
endif()
if(LKWEBHOOK_OPENSSL_NO_DEPRECATED)
  # Proves the headers use only OpenSSL 3 non-deprecated APIs.
  target_compile_definitions(lkwebhook_warnings INTERFACE OPENSSL_API_COMPAT=30000 OPENSSL_NO_DEPRECATED)
endif()
