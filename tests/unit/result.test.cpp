#include <lkwebhook/result.hpp>

#include <string>

#include "support/catch.hpp"

TEST_CASE("result holds a value or an error", "[result]") {
    lkwebhook::result<std::string> ok{std::string("v")};
    REQUIRE(ok.has_value());
    CHECK(*ok == "v");
    CHECK(ok->size() == 1);
    CHECK_FALSE(ok.error());

    lkwebhook::result<std::string> bad{lkwebhook::errc::bad_signature};
    REQUIRE_FALSE(bad);
    CHECK(bad.error() == lkwebhook::errc::bad_signature);
#if LKWEBHOOK_EXCEPTIONS
    CHECK_THROWS_AS(bad.value(), std::system_error);
#endif
}

TEST_CASE("result<void> reports success or an error", "[result]") {
    lkwebhook::result<void> ok;
    CHECK(ok.has_value());
    lkwebhook::result<void> bad{lkwebhook::errc::internal_error};
    CHECK_FALSE(bad.has_value());
    CHECK(bad.error() == lkwebhook::errc::internal_error);
}
