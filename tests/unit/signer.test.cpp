// signer.hpp: byte-exact LiveKit server tokens (tests/vectors/wire-format.md section 9
// known answers), round trips through verify(), and argument validation.
#include <lkwebhook/signer.hpp>
#include <lkwebhook/verify.hpp>

#include <string>

#include "support/catch.hpp"
#include "support/token_forge.hpp"

using lkwebhook::errc;

namespace {
constexpr std::string_view example_key = "APIwhExample01";
constexpr std::string_view example_secret = "tX9mK2vQ7rL4pZ8nW3sJ6yB1cF5hD0gA9eR2uT7iO4k";

std::string decode_segment(std::string_view seg) {
    std::string out(lkwebhook::detail::base64url_decoded_size(seg.size()), '\0');
    REQUIRE(lkwebhook::detail::decode_base64url(seg, reinterpret_cast<unsigned char*>(out.data()), out.size()) ==
            static_cast<std::ptrdiff_t>(out.size()));
    return out;
}
}  // namespace

TEST_CASE("sign reproduces the wire-format.md section 9.1 request byte for byte", "[signer]") {
    const std::string_view body =
            R"({"event":"room_finished","room":{"sid":"RM_t7Hq2WbXk9Lm","name":"standup-42","emptyTimeout":300,"departureTimeout":20,"creationTime":"1767259800","creationTimeMs":"1767259800347","turnPassword":"fQ3zL8xV1nR6tY0pK5wB9sD2gH7jM4cA6eU1iO8rT3y","enabledCodecs":[{"mime":"audio/PCMU"},{"mime":"audio/PCMA"},{"mime":"audio/opus"},{"mime":"audio/red"},{"mime":"video/VP8"},{"mime":"video/H264"},{"mime":"video/VP9"},{"mime":"video/AV1"},{"mime":"video/H265"},{"mime":"video/rtx"}]},"id":"EV_4kRbNq8sTzWm","createdAt":"1767261600"})";
    lkwebhook::sign_options o;
    o.now_unix = 1767261600;
    auto token = lkwebhook::sign(body, example_key, example_secret, o);
    REQUIRE(token.has_value());
    CHECK(*token ==
          "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
          "eyJpc3MiOiJBUEl3aEV4YW1wbGUwMSIsImV4cCI6MTc2NzI2MTkwMCwibmJmIjoxNzY3MjYxNjAwLCJpYXQiOjE3NjcyNjE2MDAsInNoYTI1"
          "NiI6IldNczdBRS8xdi9SeHcrbnp5Ni9GcFExbitqY2wrQmFma2hiNGFkVTVYakk9In0.3MlfOb9i7nUsp_j_ojla2x0-u7c-"
          "YJau22uAtAwPZOk");
}

TEST_CASE("sign reproduces the wire-format.md section 9.2 request byte for byte", "[signer]") {
    const std::string_view body =
            R"({"event":"track_published","room":{"sid":"RM_t7Hq2WbXk9Lm","name":"standup-42"},"participant":{"sid":"PA_Vd3nJx7QpZ2c","identity":"alice@example.com"},"track":{"sid":"TR_AmKz8uF3xW2p","source":"MICROPHONE","mimeType":"audio/red","mid":"0","codecs":[{"mimeType":"audio/red","mid":"0"}],"stream":"camera","audioFeatures":["TF_AUTO_GAIN_CONTROL","TF_ECHO_CANCELLATION","TF_NOISE_SUPPRESSION"]},"id":"EV_Zp3cW8nLq5Rt","createdAt":"1767260405"})";
    lkwebhook::sign_options o;
    o.now_unix = 1767260405;
    CHECK(*lkwebhook::sign(body, example_key, example_secret, o) ==
          "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
          "eyJpc3MiOiJBUEl3aEV4YW1wbGUwMSIsImV4cCI6MTc2NzI2MDcwNSwibmJmIjoxNzY3MjYwNDA1LCJpYXQiOjE3NjcyNjA0MDUsInNoYTI1"
          "NiI6IlcwR3hxRjFmbHFMa29nOGtndUU4OC9tS1pQOWRUTGVpcnRWSHkxOGVDWlE9In0.UtBDyJDu1hxL5r5NFuwQk9Of_"
          "Vv6mR44hkRWhJMrxCI");
}

TEST_CASE("sign writes exactly the server's header and claims", "[signer]") {
    lkwebhook::sign_options o;
    o.now_unix = 1700000000;
    auto token = lkwebhook::sign(lkwebhook::test::kat1::body, "abcdefg", "abababa", o);
    REQUIRE(token.has_value());
    const auto d1 = token->find('.');
    const auto d2 = token->find('.', d1 + 1);
    CHECK(decode_segment(std::string_view(*token).substr(0, d1)) == R"({"alg":"HS256","typ":"JWT"})");
    CHECK(decode_segment(std::string_view(*token).substr(d1 + 1, d2 - d1 - 1)) ==
          R"({"iss":"abcdefg","exp":1700000300,"nbf":1700000000,"iat":1700000000,"sha256":"CoEQz1chqJ9bnZRcORddjplkvpjmPujmLTR42DbefYI="})");
    CHECK(token->size() - d2 - 1 == 43);
}

TEST_CASE("signed requests verify, and only with the right body, key and time", "[signer]") {
    auto keys = *lkwebhook::key_set::make({{"APIsign", "sign-secret-sign-secret-sign-secret"}});
    lkwebhook::sign_options o;
    o.now_unix = 1800000000;
    o.valid_for = std::chrono::seconds{60};
    const std::string body = R"({"event":"room_started","room":{"name":"r"}})";
    const std::string token = *lkwebhook::sign(body, "APIsign", "sign-secret-sign-secret-sign-secret", o);
    auto r = lkwebhook::verify(body, token, keys, {}, lkwebhook::fixed_clock{1800000001});
    REQUIRE(r.has_value());
    CHECK(r->expires_at == 1800000060);
    CHECK(r->issued_at_or_nbf == 1800000000);
    CHECK(lkwebhook::verify(body + " ", token, keys, {}, lkwebhook::fixed_clock{1800000001}).error() ==
          errc::body_hash_mismatch);
    CHECK(lkwebhook::verify(body, token, keys, {}, lkwebhook::fixed_clock{1800000120}).error() == errc::token_expired);
    // Default options: valid now, for 300 s.
    const std::string fresh = *lkwebhook::sign(body, "APIsign", "sign-secret-sign-secret-sign-secret");
    auto now = lkwebhook::verify(body, fresh, keys);
    REQUIRE(now.has_value());
    CHECK(now->expires_at - now->issued_at_or_nbf == 300);
}

TEST_CASE("key ids are JSON-escaped the way Go's encoding/json does", "[signer]") {
    lkwebhook::sign_options o;
    o.now_unix = 1700000000;
    const std::string key = "AP\"I<&>\\\n\x01\xe2\x80\xa8\xc3\xa9";
    auto token = lkwebhook::sign("{}", key, "s", o);
    REQUIRE(token.has_value());
    const auto d1 = token->find('.');
    const auto d2 = token->find('.', d1 + 1);
    const std::string claims = decode_segment(std::string_view(*token).substr(d1 + 1, d2 - d1 - 1));
    CHECK(claims.starts_with(R"({"iss":"AP\"I\u003c\u0026\u003e\\\n\u0001\u2028)"
                             "\xc3\xa9\",\"exp\""));
    // And the verifier unescapes it back to the configured key.
    auto keys = *lkwebhook::key_set::make({{key, "s"}});
    CHECK(lkwebhook::verify("{}", *token, keys, {}, lkwebhook::fixed_clock{1700000001}).has_value());
}

TEST_CASE("sign rejects unusable arguments with invalid_config", "[signer]") {
    lkwebhook::sign_options o;
    o.now_unix = 1700000000;
    CHECK(lkwebhook::sign("{}", "", "s", o).error() == errc::invalid_config);
    CHECK(lkwebhook::sign("{}", "k", "", o).error() == errc::invalid_config);
    CHECK(lkwebhook::sign("{}", "k\xff", "s", o).error() == errc::invalid_config);
    o.valid_for = std::chrono::seconds{0};
    CHECK(lkwebhook::sign("{}", "k", "s", o).error() == errc::invalid_config);
    o.valid_for = std::chrono::seconds{300};
    o.now_unix = -1;
    CHECK(lkwebhook::sign("{}", "k", "s", o).error() == errc::invalid_config);
    o.now_unix = lkwebhook::max_numeric_date - 100;
    CHECK(lkwebhook::sign("{}", "k", "s", o).error() == errc::invalid_config);
}
