#ifndef LKWEBHOOK_TESTS_SUPPORT_CATCH_HPP
#define LKWEBHOOK_TESTS_SUPPORT_CATCH_HPP

// One include for tests, whichever Catch2 is installed: v3 (vcpkg) or v2.13
// (Debian 12). Tests use only the common subset: TEST_CASE, SECTION, REQUIRE,
// CHECK, STATIC_REQUIRE, GENERATE, INFO, CAPTURE.
#if __has_include(<catch2/catch_test_macros.hpp>)
#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#else
#include <catch2/catch.hpp>
#endif

#endif
