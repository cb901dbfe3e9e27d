// The token steps in isolation (token.hpp): syntax, header, claims, the MAC
// (RFC 7515 A.1 known answer), NumericDates and the time window.
#include <lkwebhook/token.hpp>

#include <algorithm>
#include <chrono>
#include <string>
#include <string_view>

#include "support/catch.hpp"
#include "support/token_forge.hpp"

using lkwebhook::errc;
namespace kat1 = lkwebhook::test::kat1;

TEST_CASE("trim_ows removes SP and HTAB only", "[token][threat-A5]") {
    CHECK(lkwebhook::trim_ows(" \t a b \t") == "a b");
    CHECK(lkwebhook::trim_ows("\r\na\r\n") == "\r\na\r\n");
    CHECK(lkwebhook::trim_ows("   ").empty());
}

TEST_CASE("split_token returns views of the three segments", "[token]") {
    auto t = lkwebhook::split_token(kat1::token, true);
    REQUIRE(t.has_value());
    CHECK(t->header == "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9");
    CHECK(t->signature == "3lWRBBEetjQm_9UYAquM0etr8Bb70aTUoeThgzJzuf8");
    CHECK(t->signing_input.size() == kat1::token.size() - 44);
    CHECK(t->signing_input.data() == kat1::token.data());  // a view, not a copy
    CHECK_FALSE(t->bearer_prefix_stripped);
    auto b = lkwebhook::split_token("Bearer " + std::string(kat1::token), true);
    // (the temporary dies here; only the flag is checked)
    REQUIRE(b.has_value());
    CHECK(b->bearer_prefix_stripped);
}

TEST_CASE("split_token stops at the third dot", "[token][threat-B1]") {
    lkwebhook::diagnosis why;
    const std::string dots(100000, '.');
    CHECK(lkwebhook::split_token(dots, true, &why).error() == errc::malformed_token);
    CHECK(lkwebhook::split_token("a.b.c.d.e", true).error() == errc::malformed_token);
    CHECK(lkwebhook::split_token("abc", true).error() == errc::malformed_token);
}

TEST_CASE("check_token_header enforces alg, crit and b64", "[token][threat-D2][threat-D5][threat-D6]") {
    using lkwebhook::test::b64url;
    CHECK(lkwebhook::check_token_header(b64url(R"({"alg":"HS256"})")).has_value());
    CHECK(lkwebhook::check_token_header(b64url(R"({"alg":"none"})")).error() == errc::unsupported_algorithm);
    CHECK(lkwebhook::check_token_header(b64url(R"({"alg":"RS256","crit":[]})")).error() == errc::unsupported_algorithm);
    CHECK(lkwebhook::check_token_header(b64url(R"({"alg":"HS256","crit":[]})")).error() == errc::malformed_token);
    CHECK(lkwebhook::check_token_header(b64url(R"({"alg":"HS256","b64":false})")).error() == errc::malformed_token);
    CHECK(lkwebhook::check_token_header(b64url(R"({"alg":"HS256","x":[[[[]]]]})")).error() == errc::malformed_token);
    CHECK(lkwebhook::check_token_header(b64url(R"({"alg":"HS256","x":[[[]]]})")).has_value());
}

TEST_CASE("token_claims keeps only the claims it needs, unescaped", "[token][threat-E11]") {
    using lkwebhook::test::b64url;
    lkwebhook::token_claims claims;
    REQUIRE(claims
                    .parse(b64url(
                            R"({"iss":"AP\u0049x","sha256":"a\/b=","exp":5,"video":{"room":"r","iss":"nested"},"aud":null})"))
                    .has_value());
    CHECK(claims.issuer() == std::optional<std::string_view>("APIx"));
    CHECK(claims.body_hash() == std::optional<std::string_view>("a/b="));
    CHECK(claims.exp().has_value());
    CHECK_FALSE(claims.nbf().has_value());
    CHECK(claims.has_audience());
    REQUIRE(claims.parse(b64url(R"({"iss":7})")).has_value());
    CHECK(claims.has_issuer_member());
    CHECK_FALSE(claims.issuer().has_value());
    CHECK(claims.parse(b64url(R"({"iss":"a","iss":"b"})")).error() == errc::malformed_token);
    CHECK(claims.parse(b64url(R"({"i\u0073s":"a","iss":"b"})")).error() == errc::malformed_token);
    CHECK_FALSE(claims.issuer().has_value());  // a failed parse leaves nothing behind
}

TEST_CASE("RFC 7515 A.1 HMAC known answer verifies over the exact bytes", "[token][threat-C3]") {
    // JWK "k" of RFC 7515 A.1, base64url-decoded: the MAC key bytes.
    const std::string_view k = "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
    std::array<unsigned char, 64> key{};
    REQUIRE(lkwebhook::detail::decode_base64url(k, key.data(), key.size()) == 64);
    const std::string_view secret(reinterpret_cast<const char*>(key.data()), key.size());
    const std::string_view jws =
            "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
            "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ."
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    auto t = lkwebhook::split_token(jws, false);
    REQUIRE(t.has_value());
    CHECK(lkwebhook::verify_token_signature(*t, secret).has_value());
    CHECK(lkwebhook::check_token_header(t->header).has_value());  // CRLF is JSON whitespace
    CHECK(lkwebhook::verify_token_signature(*t, secret.substr(1)).error() == errc::bad_signature);
}

TEST_CASE("KAT-1 MAC verifies and an empty secret is never used", "[token][threat-C7]") {
    auto t = lkwebhook::split_token(kat1::token, false);
    REQUIRE(t.has_value());
    CHECK(lkwebhook::verify_token_signature(*t, kat1::secret).has_value());
    CHECK(lkwebhook::verify_token_signature(*t, "").error() == errc::internal_error);
}

TEST_CASE("read_numeric_date accepts only integers in [0, 253402300799]", "[token][threat-E6]") {
    using lkwebhook::detail::json_kind;
    using lkwebhook::detail::json_value;
    std::int64_t v = -5;
    CHECK(lkwebhook::read_numeric_date(json_value{json_kind::number, "0", false, true}, v));
    CHECK(v == 0);
    CHECK(lkwebhook::read_numeric_date(json_value{json_kind::number, "-0", false, true}, v));
    CHECK(v == 0);
    CHECK(lkwebhook::read_numeric_date(json_value{json_kind::number, "253402300799", false, true}, v));
    CHECK(v == 253402300799);
    CHECK_FALSE(lkwebhook::read_numeric_date(json_value{json_kind::number, "253402300800", false, true}, v));
    CHECK_FALSE(lkwebhook::read_numeric_date(json_value{json_kind::number, "-1", false, true}, v));
    CHECK_FALSE(lkwebhook::read_numeric_date(json_value{json_kind::number, "1e3", false, false}, v));
    CHECK_FALSE(lkwebhook::read_numeric_date(json_value{json_kind::string, "5", false, false}, v));
    CHECK_FALSE(lkwebhook::read_numeric_date(json_value{json_kind::number, "99999999999999999999999", false, true}, v));
}

TEST_CASE("check_token_window implements nbf - L <= now < exp + L", "[token][threat-E7][threat-E9]") {
    const lkwebhook::token_times t{1000, 700, 700};
    const auto at = [&](std::int64_t now, std::int64_t leeway, std::optional<std::chrono::seconds> max = std::nullopt) {
        return lkwebhook::check_token_window(t, now, std::chrono::seconds{leeway}, max).error();
    };
    CHECK(at(639, 60) == errc::token_not_yet_valid);
    CHECK_FALSE(at(640, 60));
    CHECK_FALSE(at(1059, 60));
    CHECK(at(1060, 60) == errc::token_expired);
    CHECK(at(699, 0) == errc::token_not_yet_valid);
    CHECK(at(1000, 0) == errc::token_expired);
    CHECK(at(700, 0, std::chrono::seconds{299}) == errc::token_lifetime_too_long);
    CHECK_FALSE(at(700, 0, std::chrono::seconds{300}));
    const lkwebhook::token_times no_nbf{1000, std::nullopt, std::nullopt};
    CHECK_FALSE(lkwebhook::check_token_window(no_nbf, 0, std::chrono::seconds{0}).error());
}

TEST_CASE("an iat later than now + leeway is token_not_yet_valid, with or without nbf", "[token][threat-E11]") {
    const auto at = [](lkwebhook::token_times t, std::int64_t now, std::int64_t leeway) {
        return lkwebhook::check_token_window(t, now, std::chrono::seconds{leeway}).error();
    };
    const lkwebhook::token_times iat_only{1000, std::nullopt, 700};
    CHECK(at(iat_only, 639, 60) == errc::token_not_yet_valid);
    CHECK_FALSE(at(iat_only, 640, 60));
    CHECK(at(iat_only, 699, 0) == errc::token_not_yet_valid);
    CHECK_FALSE(at(iat_only, 700, 0));
    // LiveKit's tokens: iat = nbf, so iat never decides more than nbf does.
    const lkwebhook::token_times livekit{1000, 700, 700};
    CHECK(at(livekit, 639, 60) == errc::token_not_yet_valid);
    CHECK_FALSE(at(livekit, 640, 60));
    // A past iat is fine (a retry resends the same token).
    const lkwebhook::token_times old_iat{1000, std::nullopt, 0};
    CHECK_FALSE(at(old_iat, 900, 0));
}

TEST_CASE("exactly the six claim names are recognised, byte for byte", "[token][threat-E4]") {
    // token_claims picks a candidate name by length and first letters before
    // comparing: every name one byte away from a claim name (each printable
    // byte at each position, plus one byte shorter and longer) must be
    // ignored, and each claim name found, escaped or not.
    const std::string_view names[] = {"iss", "exp", "nbf", "iat", "aud", "sha256"};
    const auto recognised = [](const std::string& member) {
        lkwebhook::token_claims claims;
        // A string value: every claim accessor reports a string.
        REQUIRE(claims.parse(lkwebhook::test::b64url("{\"" + member + "\":\"x\"}")).has_value());
        std::string found;
        if (claims.has_issuer_member()) found += "iss ";
        if (claims.exp()) found += "exp ";
        if (claims.nbf()) found += "nbf ";
        if (claims.iat()) found += "iat ";
        if (claims.has_audience()) found += "aud ";
        if (claims.body_hash()) found += "sha256 ";
        return found;
    };
    for (const std::string_view name : names) {
        CHECK(recognised(std::string(name)) == std::string(name) + " ");
        std::string escaped = "\\u00" + std::string(1, "0123456789abcdef"[name[0] >> 4]) +
                              std::string(1, "0123456789abcdef"[name[0] & 15]) + std::string(name.substr(1));
        CHECK(recognised(escaped) == std::string(name) + " ");
        for (std::size_t at = 0; at < name.size(); ++at) {
            for (int byte = 0x20; byte < 0x7F; ++byte) {
                if (byte == '"' || byte == '\\' || byte == name[at]) continue;
                std::string other(name);
                other[at] = static_cast<char>(byte);
                INFO(other);
                const bool is_claim = std::find(std::begin(names), std::end(names), other) != std::end(names);
                CHECK(recognised(other) == (is_claim ? other + " " : std::string()));
            }
        }
        CHECK(recognised(std::string(name.substr(1))).empty());
        CHECK(recognised(std::string(name) + "x").empty());
    }
}
