// Catch2 v2 needs one translation unit that provides main(); v3 brings its own
// through Catch2::Catch2WithMain, so this file is empty there.
#if !__has_include(<catch2/catch_test_macros.hpp>)
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
#endif
