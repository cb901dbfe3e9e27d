#include <lkwebhook/error.hpp>

#include <string>
#include <system_error>

#include "support/catch.hpp"

using lkwebhook::errc;

TEST_CASE("every errc has a stable snake_case name and an HTTP status", "[error]") {
    for (int v = 1; v <= lkwebhook::errc_count; ++v) {
        const auto code = static_cast<errc>(v);
        const auto name = lkwebhook::to_string(code);
        CAPTURE(v, std::string(name));
        CHECK(name != "unknown");
        for (char c : name) CHECK(((c >= 'a' && c <= 'z') || c == '_'));
        CHECK(lkwebhook::http_status(code) >= 200);
    }
    CHECK(lkwebhook::to_string(static_cast<errc>(0)) == "ok");
}

TEST_CASE("statuses follow the catalogue's outcome table", "[error]") {
    CHECK(lkwebhook::http_status(errc::bad_signature) == 401);
    CHECK(lkwebhook::http_status(errc::missing_authorization) == 401);
    CHECK(lkwebhook::http_status(errc::body_too_large) == 413);
    CHECK(lkwebhook::http_status(errc::malformed_body) == 400);
    CHECK(lkwebhook::http_status(errc::duplicate_event) == 200);
    CHECK(lkwebhook::http_status(errc::duplicate_in_flight) == 503);
    CHECK(lkwebhook::http_status(errc::overloaded) == 503);
    CHECK(lkwebhook::http_status(errc::handler_failed) == 503);
    CHECK(lkwebhook::http_status(errc::internal_error) == 500);
    CHECK(lkwebhook::http_status(std::error_code{}) == 200);
}

TEST_CASE("error codes plug into std::error_code and compare against conditions", "[error]") {
    const std::error_code ec = errc::token_expired;
    CHECK(ec.category().name() == std::string("lkwebhook"));
    CHECK(ec == lkwebhook::condition::authentication_failed);
    CHECK(ec != lkwebhook::condition::retryable);
    CHECK(std::error_code(errc::overloaded) == lkwebhook::condition::retryable);
    CHECK(std::error_code(errc::malformed_body) == lkwebhook::condition::bad_request);
    CHECK(lkwebhook::to_string(ec) == "token_expired");
    CHECK_FALSE(ec.message().empty());
}

TEST_CASE("diagnosis is bounded and escapes attacker text", "[error]") {
    lkwebhook::diagnosis d;
    d.append("key ").append_escaped("a\r\nb\"c\x1b").append(" n=").append(std::int64_t{-42});
    CHECK(d.view() == "key \"a\\x0d\\x0ab\\x22c\\x1b\" n=-42");
    lkwebhook::diagnosis big;
    for (int i = 0; i < 100; ++i) big.append("0123456789");
    CHECK(big.view().size() == lkwebhook::diagnosis::capacity);
    CHECK(big.view().substr(big.view().size() - 3) == "...");
}
