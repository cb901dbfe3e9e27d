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
if(LKWEBHOOK_OPENSSL_NO_DEPRECATED)
  # Proves the headers use only OpenSSL 3 non-deprecated APIs.
  target_compile_definitions(lkwebhook_warnings INTERFACE OPENSSL_API_COMPAT=30000 OPENSSL_NO_DEPRECATED)
endif()
