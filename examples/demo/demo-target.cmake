# Included by examples/httplib/CMakeLists.txt after lkwebhook_example_httplib is defined.
if(NOT TARGET lkwebhook_demo OR NOT TARGET lkwebhook_cli OR NOT TARGET lkwebhook_example_httplib)
  message(STATUS "lkwebhook: demo target skipped (needs lkwebhook_demo, lkwebhook_cli and lkwebhook_example_httplib)")
  return()
endif()
add_custom_target(demo
  COMMAND lkwebhook_demo $<TARGET_FILE:lkwebhook_example_httplib> $<TARGET_FILE:lkwebhook_cli>
  DEPENDS lkwebhook_demo lkwebhook_example_httplib lkwebhook_cli
  USES_TERMINAL
  COMMENT "Running the lkwebhook demo")
if(LKWEBHOOK_BUILD_TESTS OR BUILD_TESTING)
  add_test(NAME demo COMMAND lkwebhook_demo $<TARGET_FILE:lkwebhook_example_httplib> $<TARGET_FILE:lkwebhook_cli>)
  set_tests_properties(demo PROPERTIES LABELS "examples" TIMEOUT 120)
  # The same demo against the Boost.Beast server (async_dispatcher), when it is built.
  if(TARGET lkwebhook_example_beast)
    add_test(NAME "demo: beast server" COMMAND lkwebhook_demo $<TARGET_FILE:lkwebhook_example_beast> $<TARGET_FILE:lkwebhook_cli>)
    set_tests_properties("demo: beast server" PROPERTIES LABELS "examples" TIMEOUT 120)
  endif()
endif()
