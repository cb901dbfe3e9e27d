// body_hmac_header.hpp: the opt-in X-LiveKit-Signature scheme.
#include <lkwebhook/body_hmac_header.hpp>

#include <string>

#include "support/catch.hpp"

using lkwebhook::errc;

namespace {
const lkwebhook::key_set& keys() {
    static const lkwebhook::key_set k = *lkwebhook::key_set::make({{"APIrelay", "key"}});
    return k;
}
}  // namespace

TEST_CASE("sign_signature_header is lowercase hex HMAC-SHA256 (RFC 4231-style known answer)", "[body_hmac_header]") {
    // HMAC-SHA256(key="key", "The quick brown fox jumps over the lazy dog"), a widely published value.
    CHECK(lkwebhook::sign_signature_header("The quick brown fox jumps over the lazy dog", "key") ==
          "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
    CHECK(lkwebhook::sign_signature_header("x", "").empty());
}

TEST_CASE("a correct X-LiveKit-Signature verifies", "[body_hmac_header]") {
    const std::string body = R"({"event":"room_started"})";
    const std::string sig = lkwebhook::sign_signature_header(body, "key");
    CHECK(lkwebhook::verify_signature_header(body, sig, "APIrelay", keys()).has_value());
    CHECK(lkwebhook::verify_signature_header(body, " " + sig + "\t", "APIrelay", keys()).has_value());
}

TEST_CASE("every error of the signature-header scheme", "[body_hmac_header]") {
    const std::string body = R"({"event":"room_started"})";
    const std::string sig = lkwebhook::sign_signature_header(body, "key");
    lkwebhook::diagnosis why;
    CHECK(lkwebhook::verify_signature_header(body, "", "APIrelay", keys(), {}, &why).error() ==
          errc::missing_authorization);
    CHECK(lkwebhook::verify_signature_header(body, "  ", "APIrelay", keys()).error() == errc::missing_authorization);
    lkwebhook::verify_options small;
    small.max_body_bytes = 4;
    CHECK(lkwebhook::verify_signature_header(body, sig, "APIrelay", keys(), small).error() == errc::body_too_large);
    std::string upper = sig;
    for (char& c : upper) c = (c >= 'a' && c <= 'f') ? static_cast<char>(c - 32) : c;
    REQUIRE(upper != sig);
    CHECK(lkwebhook::verify_signature_header(body, upper, "APIrelay", keys()).error() == errc::malformed_token);
    CHECK(lkwebhook::verify_signature_header(body, sig.substr(1), "APIrelay", keys()).error() == errc::malformed_token);
    CHECK(lkwebhook::verify_signature_header(body, "sha256=" + sig, "APIrelay", keys()).error() ==
          errc::malformed_token);
    CHECK(lkwebhook::verify_signature_header(body, sig, "APIother", keys(), {}, &why).error() == errc::unknown_api_key);
    CHECK(why.view().find("\"APIother\"") != std::string_view::npos);
    CHECK(lkwebhook::verify_signature_header(body, sig, "", keys()).error() == errc::unknown_api_key);
    CHECK(lkwebhook::verify_signature_header(body + " ", sig, "APIrelay", keys(), {}, &why).error() ==
          errc::bad_signature);
    CHECK(why.view().find("\"APIrelay\"") != std::string_view::npos);
    std::string flipped = sig;
    flipped[63] = flipped[63] == '0' ? '1' : '0';
    CHECK(lkwebhook::verify_signature_header(body, flipped, "APIrelay", keys()).error() == errc::bad_signature);
    lkwebhook::verify_options bad;
    bad.leeway = std::chrono::seconds{-5};
    CHECK(lkwebhook::verify_signature_header(body, sig, "APIrelay", keys(), bad).error() == errc::invalid_config);
}
