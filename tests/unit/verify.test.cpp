// The whole authentication pipeline (verify.hpp): the shared vectors, KAT-1
// and its time-boundary table, every error it can produce, and the threat
// catalogue rows A-F, I, K and L (tests/threats/catalogue.md; tagged [threat-XX]).
#include <lkwebhook/verify.hpp>

#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "support/catch.hpp"
#include "support/token_forge.hpp"
#include "support/vectors.hpp"

using lkwebhook::errc;
using lkwebhook::fixed_clock;
using lkwebhook::verify_options;
namespace kat1 = lkwebhook::test::kat1;
using lkwebhook::test::mint;
using lkwebhook::test::server_claims;

namespace {

const lkwebhook::key_set& kat_keys() {
    static const lkwebhook::key_set keys = *lkwebhook::key_set::make({{kat1::key_id, kat1::secret}});
    return keys;
}

constexpr fixed_clock kat_now{kat1::nbf + 1};

/// verify() with KAT-1 keys; returns the error (empty on success).
std::error_code run(std::string_view body, std::string_view auth, const verify_options& o = {},
                    fixed_clock clock = kat_now, lkwebhook::diagnosis* why = nullptr) {
    return lkwebhook::verify(body, auth, kat_keys(), o, clock, why).error();
}

/// A token over `body` with KAT-1 credentials and the given raw claims.
std::string forge(std::string_view claims, std::string_view header = lkwebhook::test::go_header) {
    return mint(header, claims, kat1::secret);
}

std::string kat_claims_with(std::string_view extra_members) {
    return "{\"iss\":\"abcdefg\",\"exp\":1700000300,\"nbf\":1700000000,\"sha256\":\"" + std::string(kat1::body_sha256) +
           "\"" + std::string(extra_members) + "}";
}

}  // namespace

TEST_CASE("KAT-1 verifies and reports what it established", "[verify][kat]") {
    lkwebhook::diagnosis why;
    auto r = lkwebhook::verify(kat1::body, kat1::token, kat_keys(), {}, kat_now, &why);
    REQUIRE(r.has_value());
    CHECK(r->key_id == "abcdefg");
    CHECK(r->expires_at == kat1::exp);
    CHECK(r->issued_at_or_nbf == kat1::nbf);
    CHECK_FALSE(r->bearer_prefix_stripped);
    CHECK(why.empty());
    // key_id views the provider's storage, not a temporary.
    CHECK(r->key_id.data() == kat_keys().find_entry("abcdefg")->key_id.data());
}

TEST_CASE("KAT-1 time boundaries of the catalogue's KAT table", "[verify][kat][threat-E7]") {
    struct row {
        std::int64_t leeway;
        std::int64_t now;
        errc expect;  // 0 = ok
    };
    const row rows[] = {
            {60, 1699999939, errc::token_not_yet_valid},
            {60, 1699999940, errc{}},
            {60, 1700000359, errc{}},
            {60, 1700000360, errc::token_expired},
            {0, 1699999999, errc::token_not_yet_valid},
            {0, 1700000000, errc{}},
            {0, 1700000299, errc{}},
            {0, 1700000300, errc::token_expired},
    };
    for (const row& r : rows) {
        CAPTURE(r.leeway, r.now);
        verify_options o;
        o.leeway = std::chrono::seconds{r.leeway};
        const auto ec = run(kat1::body, kat1::token, o, fixed_clock{r.now});
        if (r.expect == errc{})
            CHECK_FALSE(ec);
        else
            CHECK(ec == r.expect);
    }
}

TEST_CASE("KAT-1 derived negatives", "[verify][kat]") {
    const std::string token(kat1::token);
    SECTION("non-canonical last signature character") {
        REQUIRE(token.back() == '8');
        for (char c : {'9', '-', '_'}) {
            std::string t = token;
            t.back() = c;
            CHECK(run(kat1::body, t) == errc::malformed_token);
        }
    }
    SECTION("sha256 claim YI= -> YJ= re-signed") {
        std::string claims(kat1::claims_json);
        claims.replace(claims.find("YI="), 3, "YJ=");
        CHECK(run(kat1::body, forge(claims)) == errc::body_hash_mismatch);
    }
    SECTION("body plus newline") {
        CHECK(run(std::string(kat1::body) + "\n", kat1::token) == errc::body_hash_mismatch);
    }
    SECTION("same token with key id abcdef configured and the wrong secret") {
        auto keys = *lkwebhook::key_set::make({{"abcdefg", "not-the-secret"}});
        CHECK(lkwebhook::verify(kat1::body, kat1::token, keys, {}, kat_now).error() == errc::bad_signature);
        auto other = *lkwebhook::key_set::make({{"abcdef", kat1::secret}});
        CHECK(lkwebhook::verify(kat1::body, kat1::token, other, {}, kat_now).error() == errc::unknown_api_key);
    }
    SECTION("iss with a trailing space re-signed") {
        std::string claims(kat1::claims_json);
        claims.replace(claims.find("\"abcdefg\""), 9, "\"abcdefg \"");
        CHECK(run(kat1::body, forge(claims)) == errc::unknown_api_key);
    }
    SECTION("exp = 1700001300 re-signed, max lifetime 900 at now = 1700000000") {
        std::string claims(kat1::claims_json);
        claims.replace(claims.find("1700000300"), 10, "1700001300");
        verify_options o;
        o.max_token_lifetime = std::chrono::seconds{900};
        CHECK(run(kat1::body, forge(claims), o, fixed_clock{1700000000}) == errc::token_lifetime_too_long);
        CHECK_FALSE(run(kat1::body, forge(claims), {}, fixed_clock{1700000000}));
    }
}

TEST_CASE("every shared vector gets its verification-level outcome", "[verify][vectors]") {
    const auto vectors = lkwebhook::test::load_all_vectors();
    REQUIRE(vectors.size() >= 100);
    std::size_t accepted = 0;
    for (const auto& v : vectors) {
        CAPTURE(v.name, v.expect);
        auto keys = lkwebhook::key_set::make({{v.api_key, v.api_secret}});
        REQUIRE(keys.has_value());
        verify_options o;
        o.leeway = std::chrono::seconds{v.leeway_s};
        lkwebhook::diagnosis why;
        auto r = lkwebhook::verify(v.body, v.authorization_view(), *keys, o, fixed_clock{v.now}, &why);
        CAPTURE(std::string(why.view()));
        if (v.expect == "ok" || v.expect == "malformed_body") {
            CHECK(r.has_value());
            if (r) {
                ++accepted;
                CHECK(r->key_id == v.api_key);
                CHECK(r->bearer_prefix_stripped == (v.name == "ok_bearer_prefix"));
            }
        } else {
            CHECK(lkwebhook::to_string(r.error()) == v.expect);
            CHECK_FALSE(why.empty());
        }
    }
    CHECK(accepted >= 50);
}

// tests/vectors/wire-format.md section 9.3.
TEST_CASE("wire-format.md section 9.3 token variants", "[verify][vectors]") {
    const std::string_view body =
            R"({"event":"room_finished","room":{"sid":"RM_t7Hq2WbXk9Lm","name":"standup-42","emptyTimeout":300,"departureTimeout":20,"creationTime":"1767259800","creationTimeMs":"1767259800347","turnPassword":"fQ3zL8xV1nR6tY0pK5wB9sD2gH7jM4cA6eU1iO8rT3y","enabledCodecs":[{"mime":"audio/PCMU"},{"mime":"audio/PCMA"},{"mime":"audio/opus"},{"mime":"audio/red"},{"mime":"video/VP8"},{"mime":"video/H264"},{"mime":"video/VP9"},{"mime":"video/AV1"},{"mime":"video/H265"},{"mime":"video/rtx"}]},"id":"EV_4kRbNq8sTzWm","createdAt":"1767261600"})";
    const std::string_view token =
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
            "eyJpc3MiOiJBUEl3aEV4YW1wbGUwMSIsImV4cCI6MTc2NzI2MTkwMCwibmJmIjoxNzY3MjYxNjAwLCJpYXQiOjE3NjcyNjE2MDAsInNoYT"
            "I1NiI6IldNczdBRS8xdi9SeHcrbnp5Ni9GcFExbitqY2wrQmFma2hiNGFkVTVYakk9In0.3MlfOb9i7nUsp_j_ojla2x0-u7c-"
            "YJau22uAtAwPZOk";
    auto keys = *lkwebhook::key_set::make({{"APIwhExample01", "tX9mK2vQ7rL4pZ8nW3sJ6yB1cF5hD0gA9eR2uT7iO4k"}});
    const auto at = [&](std::string_view b, std::string_view t, std::int64_t now) {
        return lkwebhook::verify(b, t, keys, {}, fixed_clock{now}).error();
    };
    CHECK_FALSE(at(body, token, 1767261601));
    CHECK_FALSE(at(body,
                   "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
                   "eyJleHAiOjE3NjcyNjE5MDAsImlzcyI6IkFQSXdoRXhhbXBsZTAxIiwibmJmIjoxNzY3MjYxNjAwLCJzaGEyNTYiOiJXTXM3QUU"
                   "vMXYvUnh3K256eTYvRnBRMW4ramNsK0JhZmtoYjRhZFU1WGpJPSJ9.hQ3aGcSn53-jhIXLhPT89KK2mITDYIDSMz0iAs5l0gw",
                   1767261601));
    CHECK_FALSE(at(body, "Bearer " + std::string(token), 1767261601));
    CHECK(at(body,
             "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
             "eyJpc3MiOiJBUElvdGhlcktleTAyIiwiZXhwIjoxNzY3MjYxOTAwLCJuYmYiOjE3NjcyNjE2MDAsImlhdCI6MTc2NzI2MTYwMCwic2hhM"
             "jU2IjoiV01zN0FFLzF2L1J4dytuenk2L0ZwUTFuK2pjbCtCYWZraGI0YWRVNVhqST0ifQ.spJ9epovkGdLXVZlk4nojTcvcaonaTsS7D_"
             "PvJoZ0Yc",
             1767261601) == errc::unknown_api_key);
    CHECK(at(body,
             "eyJhbGciOiJIUzM4NCIsInR5cCI6IkpXVCJ9."
             "eyJpc3MiOiJBUEl3aEV4YW1wbGUwMSIsImV4cCI6MTc2NzI2MTkwMCwibmJmIjoxNzY3MjYxNjAwLCJpYXQiOjE3NjcyNjE2MDAsInNoY"
             "TI1NiI6IldNczdBRS8xdi9SeHcrbnp5Ni9GcFExbitqY2wrQmFma2hiNGFkVTVYakk9In0.2F3AjaaX2c1ORqD0x1tR-Ujq-"
             "cV1hl1Tmo9sftSBBv0CmU7KMMSLRVJPJcYXjeEH",
             1767261601) == errc::malformed_token);
    CHECK(at(body,
             "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
             "eyJpc3MiOiJBUEl3aEV4YW1wbGUwMSIsIm5iZiI6MTc2NzI2MTYwMCwiaWF0IjoxNzY3MjYxNjAwLCJzaGEyNTYiOiJXTXM3QUUvMXYvU"
             "nh3K256eTYvRnBRMW4ramNsK0JhZmtoYjRhZFU1WGpJPSJ9.P941CiAe6DpTrBY2-YC8MtxSifkZbddkw08dV-bzH9Q",
             1767261601) == errc::malformed_token);
    CHECK_FALSE(at(body, token, 1767261959));
    CHECK(at(body, token, 1767261960) == errc::token_expired);
    CHECK(at(body, token, 1767261539) == errc::token_not_yet_valid);
    CHECK(at(std::string(body) + "\n", token, 1767261601) == errc::body_hash_mismatch);
    // "last signature character changed": 'k' -> 'g' keeps the trailing bits
    // zero (bad_signature); 'k' -> 'l' sets one (malformed_token, B5).
    std::string changed(token);
    changed.back() = 'g';
    CHECK(at(body, changed, 1767261601) == errc::bad_signature);
    changed.back() = 'l';
    CHECK(at(body, changed, 1767261601) == errc::malformed_token);
}

// ---------------------------------------------------------------- A: header and transport

TEST_CASE("absent, empty or blank Authorization is missing_authorization", "[verify][threat-A1]") {
    lkwebhook::diagnosis why;
    for (std::string_view auth : {"", " ", "\t", " \t  \t"}) {
        CAPTURE(std::string(auth));
        CHECK(run(kat1::body, auth, {}, kat_now, &why) == errc::missing_authorization);
        CHECK(why.view().find("strip") != std::string_view::npos);  // L6 hint
    }
}

TEST_CASE("an over-long Authorization value is rejected from its length alone", "[verify][threat-A2]") {
    lkwebhook::diagnosis why;
    const std::string huge(8 * 1024 + 1, 'A');
    CHECK(run(kat1::body, huge, {}, kat_now, &why) == errc::malformed_token);
    CHECK(why.view().find("8193") != std::string_view::npos);
    verify_options small;
    small.max_authorization_bytes = 200;
    CHECK(run(kat1::body, kat1::token, small) == errc::malformed_token);  // the 247-byte KAT token
    // The gate measures the raw value, before trimming (as the reference does).
    CHECK(run(kat1::body, std::string(8 * 1024, ' ') + std::string(kat1::token)) == errc::malformed_token);
}

TEST_CASE("a Bearer scheme is stripped case-insensitively with one or more spaces", "[verify][threat-A3]") {
    for (std::string prefix : {"Bearer ", "bearer ", "BEARER   ", "bEaReR "}) {
        CAPTURE(prefix);
        auto r = lkwebhook::verify(kat1::body, prefix + std::string(kat1::token), kat_keys(), {}, kat_now);
        REQUIRE(r.has_value());
        CHECK(r->bearer_prefix_stripped);
    }
    CHECK(run(kat1::body, "Bearer\t" + std::string(kat1::token)) == errc::malformed_token);
    CHECK(run(kat1::body, "Bearer" + std::string(kat1::token)) == errc::malformed_token);
    SECTION("strict option makes the prefix an error") {
        verify_options strict;
        strict.allow_bearer_prefix = false;
        lkwebhook::diagnosis why;
        CHECK(run(kat1::body, "Bearer " + std::string(kat1::token), strict, kat_now, &why) == errc::malformed_token);
        CHECK(why.view().find("Bearer") != std::string_view::npos);
        CHECK_FALSE(run(kat1::body, kat1::token, strict));
    }
}

TEST_CASE("other authorization schemes are malformed_token", "[verify][threat-A4]") {
    for (std::string scheme : {"Basic ", "JWT ", "Token ", "Bearer: "})
        CHECK(run(kat1::body, scheme + std::string(kat1::token)) == errc::malformed_token);
}

TEST_CASE("leading and trailing SP/HTAB are trimmed", "[verify][threat-A5]") {
    CHECK_FALSE(run(kat1::body, " \t" + std::string(kat1::token) + "\t  "));
    CHECK_FALSE(run(kat1::body, "  Bearer  " + std::string(kat1::token) + " "));
}

TEST_CASE("control bytes, NBSP and non-alphabet bytes inside the token are malformed_token", "[verify][threat-A6]") {
    const std::string token(kat1::token);
    for (std::string_view bad :
         {std::string_view("\r"), std::string_view("\n"), std::string_view("\0", 1), std::string_view("\v"),
          std::string_view("\xc2\xa0"), std::string_view(" "), std::string_view("\t")}) {
        std::string t = token;
        t.insert(40, bad);
        CHECK(run(kat1::body, t) == errc::malformed_token);
    }
    // A NUL right after a valid token must not let a C-string API stop there.
    CHECK(run(kat1::body, token + std::string("\0garbage", 8)) == errc::malformed_token);
}

TEST_CASE("folded Authorization headers are malformed_token", "[verify][threat-A7]") {
    const std::string t(kat1::token);
    CHECK(run(kat1::body, t + ", " + t) == errc::malformed_token);
    CHECK(run(kat1::body, t + "," + t) == errc::malformed_token);
}

TEST_CASE("an over-size body is body_too_large before any hashing", "[verify][threat-A10]") {
    verify_options o;
    o.max_body_bytes = kat1::body.size() - 1;
    lkwebhook::diagnosis why;
    CHECK(run(kat1::body, kat1::token, o, kat_now, &why) == errc::body_too_large);
    CHECK(why.view().find(std::to_string(kat1::body.size())) != std::string_view::npos);
    o.max_body_bytes = kat1::body.size();
    CHECK_FALSE(run(kat1::body, kat1::token, o));
    const std::string big(1024 * 1024 + 1, 'x');
    CHECK(run(big, kat1::token) == errc::body_too_large);
}

TEST_CASE("the body is hashed as raw bytes, even when it is not UTF-8", "[verify][threat-A11]") {
    const std::string body = std::string("{\"event\":\"x\xff\xfe\"}\r\n");
    const std::string token = forge(server_claims("abcdefg", kat1::nbf, body));
    CHECK_FALSE(run(body, token));
    std::string transcoded = body;
    transcoded.replace(transcoded.find('\xff'), 2, "\xef\xbf\xbd\xef\xbf\xbd");  // U+FFFD twice, as a text layer would
    CHECK(run(transcoded, token) == errc::body_hash_mismatch);
}

// ---------------------------------------------------------------- B: syntax and encoding

TEST_CASE("wrong segment counts are malformed_token", "[verify][threat-B1]") {
    const std::string t(kat1::token);
    const auto first = t.find('.');
    const auto second = t.find('.', first + 1);
    CHECK(run(kat1::body, t.substr(0, first)) == errc::malformed_token);   // 0 dots
    CHECK(run(kat1::body, t.substr(0, second)) == errc::malformed_token);  // 1 dot
    CHECK(run(kat1::body, t + ".AAAA") == errc::malformed_token);          // 3 dots
    CHECK(run(kat1::body, t + ".AAAA.AAAA") == errc::malformed_token);     // JWE-like 5 segments
    CHECK(run(kat1::body, std::string(8000, '.')) == errc::malformed_token);
    lkwebhook::diagnosis why;
    CHECK(run(kat1::body, "a.b.c.d", {}, kat_now, &why) == errc::malformed_token);
    CHECK(why.view().find("more than three") != std::string_view::npos);
}

TEST_CASE("empty segments are malformed_token, including unsecured JWS", "[verify][threat-B2]") {
    const std::string t(kat1::token);
    const auto first = t.find('.');
    const auto second = t.find('.', first + 1);
    const std::string h = t.substr(0, first);
    const std::string p = t.substr(first + 1, second - first - 1);
    const std::string s = t.substr(second + 1);
    for (const std::string& bad : {h + ".." + s, h + "." + p + ".", "." + p + "." + s, std::string(".."),
                                   lkwebhook::test::b64url(R"({"alg":"none"})") + "." + p + "."})
        CHECK(run(kat1::body, bad) == errc::malformed_token);
}

TEST_CASE("non-base64url characters and padding are malformed_token", "[verify][threat-B3]") {
    const std::string t(kat1::token);
    const auto first = t.find('.');
    for (std::string_view insert : {"+", "/", "=", "%3d", " ", "\xc3\xa9"}) {
        std::string bad = t;
        bad.insert(first, insert);  // at the end of the header segment
        CAPTURE(std::string(insert));
        CHECK(run(kat1::body, bad) == errc::malformed_token);
    }
    // The signature in standard base64 (with padding) is malformed too.
    std::string padded = t + "=";
    CHECK(run(kat1::body, padded) == errc::malformed_token);
}

TEST_CASE("a segment of length 1 mod 4 is malformed_token", "[verify][threat-B4]") {
    const std::string t(kat1::token);
    const auto first = t.find('.');
    std::string bad = t;
    bad.insert(first, "A");  // header 36 -> 37 characters
    REQUIRE((first + 1) % 4 == 1);
    CHECK(run(kat1::body, bad) == errc::malformed_token);
}

TEST_CASE("non-canonical trailing bits are malformed_token", "[verify][threat-B5]") {
    std::string t(kat1::token);
    for (char c : {'9', '-', '_'}) {
        t.back() = c;
        CHECK(run(kat1::body, t) == errc::malformed_token);
    }
    // Also in the payload segment (its last character carries unused bits).
    const std::string claims = kat_claims_with("");
    const std::string payload = lkwebhook::test::b64url(claims);
    REQUIRE(payload.size() % 4 != 0);
}

TEST_CASE("a signature segment that is not 43 characters is malformed_token", "[verify][threat-B6]") {
    const std::string t(kat1::token);
    const std::string input = t.substr(0, t.rfind('.'));
    lkwebhook::diagnosis why;
    CHECK(run(kat1::body, input + "." + t.substr(t.rfind('.') + 1, 42), {}, kat_now, &why) == errc::malformed_token);
    CHECK(run(kat1::body, input + ".") == errc::malformed_token);
    CHECK(run(kat1::body, input + "." + std::string(86, 'A')) == errc::malformed_token);
    CHECK(run(kat1::body, input + "." + std::string(342, 'A'), {}, kat_now, &why) == errc::malformed_token);
    CHECK(why.view().find("342") != std::string_view::npos);
}

TEST_CASE("oversized header or claims JSON is malformed_token", "[verify][threat-B7]") {
    verify_options o;
    o.max_authorization_bytes = 16 * 1024;
    const std::string big_header = R"({"alg":"HS256","x":")" + std::string(1100, 'a') + "\"}";
    CHECK(run(kat1::body, forge(kat_claims_with(""), big_header), o) == errc::malformed_token);
    const std::string big_claims = kat_claims_with(",\"x\":\"" + std::string(8200, 'a') + "\"");
    lkwebhook::diagnosis why;
    CHECK(run(kat1::body, forge(big_claims), o, kat_now, &why) == errc::malformed_token);
    CHECK(why.view().find("8192") != std::string_view::npos);
    // Just under the caps is fine.
    const std::string fit_claims = kat_claims_with(",\"x\":\"" + std::string(8000, 'a') + "\"");
    CHECK_FALSE(run(kat1::body, forge(fit_claims), o));
}

// ---------------------------------------------------------------- C: signature

TEST_CASE("a wrong signature is bad_signature", "[verify][threat-C1][threat-C4]") {
    const std::string t(kat1::token);
    const std::string input = t.substr(0, t.rfind('.'));
    lkwebhook::detail::digest_bytes sig{};
    REQUIRE(lkwebhook::detail::decode_base64url(t.substr(t.rfind('.') + 1), sig.data(), sig.size()) == 32);
    for (std::size_t i = 0; i < sig.size(); ++i) {
        auto flipped = sig;
        flipped[i] ^= 0x01;
        const std::string bad = input + "." +
                                lkwebhook::test::b64url(std::string_view(reinterpret_cast<const char*>(flipped.data()),
                                                                         flipped.size()));
        CAPTURE(i);
        CHECK(run(kat1::body, bad) == errc::bad_signature);
    }
    CHECK(run(kat1::body, input + "." + std::string(43, 'A')) == errc::bad_signature);  // all zero
    // A signature copied from another (valid) token.
    const std::string other = forge(server_claims("abcdefg", kat1::nbf, "{}"));
    CHECK(run(kat1::body, input + other.substr(other.rfind('.'))) == errc::bad_signature);
}

TEST_CASE("an unconfigured key is unknown_api_key, a configured key with another secret bad_signature",
          "[verify][threat-C2]") {
    const std::string body = "{}";
    const std::string other_project =
            mint(lkwebhook::test::go_header, server_claims("APIother", kat1::nbf, body), "other-secret");
    lkwebhook::diagnosis why;
    CHECK(run(body, other_project, {}, kat_now, &why) == errc::unknown_api_key);
    CHECK(why.view().find("\"APIother\"") != std::string_view::npos);
    CHECK(why.view().find("1 configured") != std::string_view::npos);
    const std::string wrong_secret =
            mint(lkwebhook::test::go_header, server_claims("abcdefg", kat1::nbf, body), "other-secret");
    CHECK(run(body, wrong_secret, {}, kat_now, &why) == errc::bad_signature);
    CHECK(why.view().find("\"abcdefg\"") != std::string_view::npos);
    CHECK(why.view().find("other-secret") == std::string_view::npos);
}

TEST_CASE("the MAC covers the exact received bytes", "[verify][threat-C3]") {
    // A header with CRLF and spaces, as in RFC 7515 A.1, signs and verifies as sent.
    const std::string token = forge(kat_claims_with(""), "{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}");
    CHECK_FALSE(run(kat1::body, token));
    // Re-encoding the same JSON differently breaks the MAC.
    const std::string t(kat1::token);
    const std::string respaced = lkwebhook::test::b64url(R"({"alg": "HS256","typ":"JWT"})") + t.substr(t.find('.'));
    CHECK(run(kat1::body, respaced) == errc::bad_signature);
}

TEST_CASE("algorithm and key confusion cannot happen", "[verify][threat-C6]") {
    const std::string pem =
            "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n";
    const std::string signed_with_pem = mint(lkwebhook::test::go_header, kat_claims_with(""), pem);
    CHECK(run(kat1::body, signed_with_pem) == errc::bad_signature);
    // alg RS256 but a valid HMAC under the real secret.
    const std::string rs256 = forge(kat_claims_with(""), R"({"alg":"RS256","typ":"JWT"})");
    CHECK(run(kat1::body, rs256) == errc::unsupported_algorithm);
}

TEST_CASE("the secret is used as raw bytes, never base64-decoded", "[verify][threat-C10]") {
    auto keys = *lkwebhook::key_set::make({{"abcdefg", "YWJj"}});  // base64 of "abc"
    const std::string body = "{}";
    const std::string with_decoded = mint(lkwebhook::test::go_header, server_claims("abcdefg", kat1::nbf, body), "abc");
    CHECK(lkwebhook::verify(body, with_decoded, keys, {}, kat_now).error() == errc::bad_signature);
    const std::string with_raw = mint(lkwebhook::test::go_header, server_claims("abcdefg", kat1::nbf, body), "YWJj");
    CHECK_FALSE(lkwebhook::verify(body, with_raw, keys, {}, kat_now).error());
}

// ---------------------------------------------------------------- D: JOSE header

TEST_CASE("alg is compared after unescaping", "[verify][threat-D1][threat-D9]") {
    CHECK_FALSE(run(kat1::body, forge(kat_claims_with(""), R"({"alg":"HS\u0032\u0035\u0036"})")));
    CHECK_FALSE(run(kat1::body, forge(kat_claims_with(""), R"({"\u0061lg":"HS256"})")));
    CHECK(run(kat1::body, forge(kat_claims_with(""), R"({"alg":"HS256","\u0061lg":"none"})")) == errc::malformed_token);
}

TEST_CASE("alg none in any case is unsupported_algorithm", "[verify][threat-D2]") {
    for (std::string_view alg : {"none", "None", "NONE", "nOnE"}) {
        const std::string header = "{\"alg\":\"" + std::string(alg) + "\"}";
        CHECK(run(kat1::body, forge(kat_claims_with(""), header)) == errc::unsupported_algorithm);
    }
}

TEST_CASE("any alg other than exactly HS256 is unsupported_algorithm", "[verify][threat-D3]") {
    lkwebhook::diagnosis why;
    for (std::string_view alg : {"hs256", "HS256 ", "RS256", "ES256", "PS256", "EdDSA", "HS384", "HS512", ""}) {
        const std::string header = "{\"alg\":\"" + std::string(alg) + "\",\"typ\":\"JWT\"}";
        CAPTURE(std::string(alg));
        CHECK(run(kat1::body, forge(kat_claims_with(""), header), {}, kat_now, &why) == errc::unsupported_algorithm);
    }
    CHECK(why.view().find("HS256") != std::string_view::npos);
}

TEST_CASE("a malformed JOSE header is malformed_token", "[verify][threat-D4]") {
    for (std::string_view header :
         {R"({"typ":"JWT"})", R"({"alg":null})", R"({"alg":256})", R"({"alg":["HS256"]})", R"({"alg":{"v":"HS256"}})",
          R"(["alg","HS256"])", R"("HS256")", "{\"alg\":\"HS256\",\"x\":\"\xff\"}",
          R"({"alg":"HS256"} )"
          "x",
          "\xef\xbb\xbf{\"alg\":\"HS256\"}", R"({"alg":"HS256","x":[[[[1]]]]})", R"({"alg":"HS256",})", "",
          "{\"alg\":\"HS256\"}{}"}) {
        CAPTURE(std::string(header));
        CHECK(run(kat1::body, forge(kat_claims_with(""), header)) == errc::malformed_token);
    }
    // Depth 4 is still fine.
    CHECK_FALSE(run(kat1::body, forge(kat_claims_with(""), R"({"alg":"HS256","x":[[[1]]]})")));
}

TEST_CASE("crit is rejected with any value", "[verify][threat-D5]") {
    for (std::string_view crit : {"[]", R"(["exp"])", "null", "1"})
        CHECK(run(kat1::body, forge(kat_claims_with(""), "{\"alg\":\"HS256\",\"crit\":" + std::string(crit) + "}")) ==
              errc::malformed_token);
}

TEST_CASE("b64 is rejected", "[verify][threat-D6]") {
    CHECK(run(kat1::body, forge(kat_claims_with(""), R"({"alg":"HS256","b64":false})")) == errc::malformed_token);
    CHECK(run(kat1::body, forge(kat_claims_with(""), R"({"alg":"HS256","b64":true})")) == errc::malformed_token);
}

TEST_CASE("key-locating and other header parameters are ignored", "[verify][threat-D7]") {
    const std::string header =
            R"({"alg":"HS256","typ":"JWT","kid":"../../etc/passwd","jku":"http://attacker/jwks","x5u":"file:///x","jwk":{"kty":"oct","k":"AAAA"},"x5c":["AAAA"],"x5t":"x","x5t#S256":"y","cty":"JWT","zzz":{"a":[1,2]}})";
    CHECK_FALSE(run(kat1::body, forge(kat_claims_with(""), header)));
}

TEST_CASE("duplicate header members are malformed_token", "[verify][threat-D8]") {
    CHECK(run(kat1::body, forge(kat_claims_with(""), R"({"alg":"HS256","alg":"none"})")) == errc::malformed_token);
    CHECK(run(kat1::body, forge(kat_claims_with(""), R"({"alg":"none","alg":"HS256"})")) == errc::malformed_token);
    CHECK(run(kat1::body, forge(kat_claims_with(""), R"({"alg":"HS256","typ":"JWT","typ":"JWT"})")) ==
          errc::malformed_token);
    CHECK(run(kat1::body, forge(kat_claims_with(""), R"({"alg":"HS256","x":{"a":1,"a":2}})")) == errc::malformed_token);
}

// ---------------------------------------------------------------- E: claims

TEST_CASE("malformed claims JSON is malformed_token", "[verify][threat-E1]") {
    const std::string sha = "\"" + std::string(kat1::body_sha256) + "\"";
    for (const std::string& claims :
         {std::string("[1]"), std::string("\"x\""),
          "{\"iss\":\"abcdefg\",\"exp\":1700000300,\"sha256\":" + sha + ",\"x\":\"\xc0\xaf\"}",
          "{\"iss\":\"abcdefg\",\"exp\":1700000300,\"sha256\":" + sha + "} x",
          "{\"iss\":\"abcdefg\",\"exp\":1700000300,\"sha256\":" + sha + ",\"iss\":\"abcdefg\"}",
          "{\"iss\":\"abcdefg\",\"exp\":1700000300,\"sha256\":" + sha + ",\"d\":" + std::string(16, '[') +
                  std::string(16, ']') + "}",
          "{\"iss\":\"abcdefg\",\"exp\":1700000300,\"sha256\":" + sha + ",\"s\":\"\\ud800\"}",
          "{\"iss\":\"abcdefg\",\"exp\":1700000300,\"sha256\":" + sha + ",\"s\":\"a\nb\"}"}) {
        CAPTURE(claims);
        CHECK(run(kat1::body, forge(claims)) == errc::malformed_token);
    }
    // Depth 16 (object + 15 arrays) is fine.
    CHECK_FALSE(run(kat1::body, forge(kat_claims_with(",\"d\":" + std::string(15, '[') + std::string(15, ']')))));
}

TEST_CASE("iss missing, empty or not a string is unknown_api_key", "[verify][threat-E2]") {
    const std::string rest = ",\"exp\":1700000300,\"sha256\":\"" + std::string(kat1::body_sha256) + "\"}";
    lkwebhook::diagnosis why;
    CHECK(run(kat1::body, forge("{\"x\":1" + rest), {}, kat_now, &why) == errc::unknown_api_key);
    CHECK(why.view().find("no iss") != std::string_view::npos);
    CHECK(run(kat1::body, forge("{\"iss\":\"\"" + rest)) == errc::unknown_api_key);
    for (std::string_view v : {"null", "1", "true", "[\"abcdefg\"]", "{\"a\":\"abcdefg\"}"})
        CHECK(run(kat1::body, forge("{\"iss\":" + std::string(v) + rest)) == errc::unknown_api_key);
}

TEST_CASE("iss must match a key byte for byte", "[verify][threat-E3]") {
    auto keys = *lkwebhook::key_set::make({{"APIab", "secret-one"}, {"APIabcd", "secret-two"}});
    const std::string body = "{}";
    for (std::string_view iss : {"apiab", "APIa", "APIabc", "APIab ", " APIab", "APIa\xd0\xac", "APIab\\u0000"}) {
        const std::string token = mint(lkwebhook::test::go_header, server_claims(iss, kat1::nbf, body), "secret-one");
        CAPTURE(std::string(iss));
        CHECK(lkwebhook::verify(body, token, keys, {}, kat_now).error() == errc::unknown_api_key);
    }
    // An escaped iss naming a configured key byte-exactly after unescaping is fine.
    const std::string escaped =
            mint(lkwebhook::test::go_header, server_claims("API\\u0061b", kat1::nbf, body), "secret-one");
    auto r = lkwebhook::verify(body, escaped, keys, {}, kat_now);
    REQUIRE(r.has_value());
    CHECK(r->key_id == "APIab");
}

TEST_CASE("claim names are case-sensitive", "[verify][threat-E4]") {
    const std::string upper_sha =
            "{\"iss\":\"abcdefg\",\"exp\":1700000300,\"SHA256\":\"" + std::string(kat1::body_sha256) + "\"}";
    CHECK(run(kat1::body, forge(upper_sha)) == errc::missing_body_hash);
    const std::string upper_exp =
            "{\"iss\":\"abcdefg\",\"Exp\":1700000300,\"sha256\":\"" + std::string(kat1::body_sha256) + "\"}";
    CHECK(run(kat1::body, forge(upper_exp)) == errc::malformed_token);
}

TEST_CASE("a token without exp is malformed_token", "[verify][threat-E5]") {
    lkwebhook::diagnosis why;
    const std::string claims =
            "{\"iss\":\"abcdefg\",\"nbf\":1700000000,\"sha256\":\"" + std::string(kat1::body_sha256) + "\"}";
    CHECK(run(kat1::body, forge(claims), {}, kat_now, &why) == errc::malformed_token);
    CHECK(why.view().find("exp") != std::string_view::npos);
}

TEST_CASE("time claims must be integer NumericDates in range", "[verify][threat-E6]") {
    const std::string sha = ",\"sha256\":\"" + std::string(kat1::body_sha256) + "\"}";
    for (std::string_view bad : {"\"1700000300\"", "1700000300.5", "1.7e9", "-1", "1e300", "9223372036854775808",
                                 "253402300800", "null", "true", "[]", "1700000300.0", "17000003000000000000000000"}) {
        CAPTURE(std::string(bad));
        CHECK(run(kat1::body, forge("{\"iss\":\"abcdefg\",\"exp\":" + std::string(bad) + sha)) ==
              errc::malformed_token);
        CHECK(run(kat1::body, forge("{\"iss\":\"abcdefg\",\"exp\":1700000300,\"nbf\":" + std::string(bad) + sha)) ==
              errc::malformed_token);
        CHECK(run(kat1::body, forge("{\"iss\":\"abcdefg\",\"exp\":1700000300,\"iat\":" + std::string(bad) + sha)) ==
              errc::malformed_token);
    }
    // -0 reads as 0: long expired.
    CHECK(run(kat1::body, forge("{\"iss\":\"abcdefg\",\"exp\":-0" + sha)) == errc::token_expired);
    // The maximum is accepted (no overflow anywhere).
    CHECK_FALSE(run(kat1::body, forge("{\"iss\":\"abcdefg\",\"exp\":253402300799" + sha)));
}

TEST_CASE("exp must be after nbf", "[verify][threat-E8]") {
    const std::string sha = ",\"sha256\":\"" + std::string(kat1::body_sha256) + "\"}";
    CHECK(run(kat1::body, forge("{\"iss\":\"abcdefg\",\"exp\":1700000000,\"nbf\":1700000000" + sha)) ==
          errc::malformed_token);
    CHECK(run(kat1::body, forge("{\"iss\":\"abcdefg\",\"exp\":1699999999,\"nbf\":1700000000" + sha)) ==
          errc::malformed_token);
}

TEST_CASE("a maximum token lifetime rejects long-lived tokens", "[verify][threat-E9]") {
    verify_options o;
    o.max_token_lifetime = std::chrono::seconds{900};
    lkwebhook::diagnosis why;
    const std::string body = "{}";
    // exp - now = 960 = 900 + 60 leeway: still accepted; 961: rejected.
    CHECK_FALSE(run(body, forge(server_claims("abcdefg", kat1::nbf, body, 961)), o, fixed_clock{kat1::nbf + 1}));
    CHECK(run(body, forge(server_claims("abcdefg", kat1::nbf, body, 962)), o, fixed_clock{kat1::nbf + 1}, &why) ==
          errc::token_lifetime_too_long);
    CHECK(why.view().find("961") != std::string_view::npos);
    CHECK_FALSE(run(body, forge(server_claims("abcdefg", kat1::nbf, body, 962)), {}, fixed_clock{kat1::nbf + 1}));
}

TEST_CASE("an aud claim is malformed_token whatever its type", "[verify][threat-E10]") {
    for (std::string_view aud : {"\"x\"", "[]", "[\"a\"]", "null", "\"\""})
        CHECK(run(kat1::body, forge(kat_claims_with(",\"aud\":" + std::string(aud)))) == errc::malformed_token);
}

TEST_CASE("other claims are ignored and iat only matters when it is in the future", "[verify][threat-E11]") {
    CHECK_FALSE(run(
            kat1::body,
            forge(kat_claims_with(
                    R"(,"iat":1600000000,"sub":"u","jti":"j","name":"n","video":{"roomJoin":true},"sip":{"admin":true},"kind":"agent","metadata":"{}","zz":[{"a":null}])"))));
    // Issued after now + leeway: not yet valid, like an nbf there.
    CHECK(run(kat1::body, forge(kat_claims_with(R"(,"iat":1900000000)"))) == errc::token_not_yet_valid);
}

TEST_CASE("a participant join token is not a webhook token", "[verify][threat-E12]") {
    // What a LiveKit AccessToken for a participant looks like: same secret,
    // same iss, a nested video grant, long validity, no sha256.
    const std::string join =
            R"({"exp":1700021600,"iss":"abcdefg","nbf":1700000000,"sub":"alice","name":"Alice","video":{"room":"my-room","roomJoin":true,"canPublish":true,"canSubscribe":true,"canPublishSources":["camera","microphone"]},"metadata":"{\"x\":1}"})";
    const std::string token = forge(join);
    lkwebhook::diagnosis why;
    CHECK(run(R"({"event":"room_finished","room":{"name":"forged"}})", token, {}, kat_now, &why) ==
          errc::missing_body_hash);
    CHECK(why.view().find("participant") != std::string_view::npos);
    verify_options o;
    o.max_token_lifetime = std::chrono::seconds{900};
    CHECK(run("{}", token, o) == errc::token_lifetime_too_long);
}

// ---------------------------------------------------------------- F: body hash

TEST_CASE("sha256 absent, null, non-string or empty is missing_body_hash", "[verify][threat-F1]") {
    const std::string base = "{\"iss\":\"abcdefg\",\"exp\":1700000300";
    CHECK(run(kat1::body, forge(base + "}")) == errc::missing_body_hash);
    for (std::string_view v :
         {"null", "1", "[]", "{}", "true", "\"\"", "[\"CoEQz1chqJ9bnZRcORddjplkvpjmPujmLTR42DbefYI=\"]"})
        CHECK(run(kat1::body, forge(base + ",\"sha256\":" + std::string(v) + "}")) == errc::missing_body_hash);
}

TEST_CASE("the canonical padded base64 digest verifies, also when JSON-escaped", "[verify][threat-F2]") {
    CHECK_FALSE(run(kat1::body, kat1::token));
    // "\/" is a legal JSON spelling of "/"; after unescaping it is the same string.
    const std::string body;  // its digest contains both '+' and '/'
    const std::string digest = lkwebhook::test::body_sha256(body);
    REQUIRE(digest.find('+') != std::string::npos);
    REQUIRE(digest.find('/') != std::string::npos);
    std::string escaped;
    for (char c : digest)
        escaped += c == '/' ? std::string("\\/") : c == '+' ? std::string("\\u002b") : std::string(1, c);
    const std::string claims = "{\"iss\":\"abcdefg\",\"exp\":1700000300,\"sha256\":\"" + escaped + "\"}";
    CHECK_FALSE(run(body, forge(claims)));
    CHECK_FALSE(run("", forge("{\"iss\":\"abcdefg\",\"exp\":1700000300,\"sha256\":\"47DEQpj8HBSa+/"
                              "TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\"}")));
}

TEST_CASE("equivalent-looking digest spellings are body_hash_mismatch", "[verify][threat-F3][threat-F4]") {
    // The empty body's digest contains '+' and '/', so its base64url form differs.
    const std::string body;
    const std::string sha = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
    REQUIRE(lkwebhook::test::body_sha256(body) == sha);
    std::string url = sha;
    for (char& c : url) c = c == '+' ? '-' : c == '/' ? '_' : c;
    REQUIRE(url != sha);
    const std::string hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    const std::string kat(kat1::body_sha256);
    const std::vector<std::pair<std::string, std::string>> cases = {
            {body, sha.substr(0, 43)},
            {body, url},
            {body, url.substr(0, 43)},
            {body, hex},
            {body, sha.substr(0, 20) + " " + sha.substr(20)},
            {body, sha + "\\n"},
            {body, sha + "!!"},
            {body, sha + sha},
            {body, " " + sha},
            {std::string(kat1::body), kat.substr(0, 42) + "J="}};
    for (const auto& [b, v] : cases) {
        CAPTURE(v);
        CHECK(run(b, forge("{\"iss\":\"abcdefg\",\"exp\":1700000300,\"sha256\":\"" + v + "\"}")) ==
              errc::body_hash_mismatch);
    }
    CHECK_FALSE(run(body, forge("{\"iss\":\"abcdefg\",\"exp\":1700000300,\"sha256\":\"" + sha + "\"}")));
}

TEST_CASE("tampered bodies are body_hash_mismatch", "[verify][threat-F5][threat-F7]") {
    const std::string body(kat1::body);
    std::vector<std::string> tampered;
    std::string flipped = body;
    flipped[10] = static_cast<char>(flipped[10] ^ 0x01);
    tampered.push_back(flipped);
    tampered.push_back(body + " ");
    tampered.push_back(body.substr(0, body.size() - 1));
    tampered.push_back(body + "\n");
    tampered.push_back("\xef\xbb\xbf" + body);
    tampered.push_back(body.substr(0, body.size() / 2));  // truncated (F7)
    std::string crlf = body;
    crlf.replace(crlf.find(", "), 2, ",\r\n");
    tampered.push_back(crlf);
    std::string escaped = body;
    escaped.replace(escaped.find("mytestroom"), 1, "\\u006d");
    tampered.push_back(escaped);
    tampered.push_back("");
    for (const auto& t : tampered) CHECK(run(t, kat1::token) == errc::body_hash_mismatch);
}

TEST_CASE("a re-serialised body is body_hash_mismatch with an operator hint", "[verify][threat-F6][threat-L6]") {
    std::string compact(kat1::body);
    std::string reserialized;
    for (std::size_t i = 0; i < compact.size(); ++i) {
        if (compact[i] == ' ' && i > 0 && compact[i - 1] == ',') continue;
        reserialized += compact[i];
    }
    REQUIRE(reserialized != compact);
    lkwebhook::diagnosis why;
    CHECK(run(reserialized, kat1::token, {}, kat_now, &why) == errc::body_hash_mismatch);
    CHECK(why.view().find(std::to_string(reserialized.size()) + "-byte") != std::string_view::npos);
    CHECK(why.view().find("middleware") != std::string_view::npos);
    CHECK(why.view().find("proxies") != std::string_view::npos);
}

// ---------------------------------------------------------------- I: bounded work, body untouched before the MAC

namespace {

/// A body whose bytes live on a PROT_NONE page: any read of it faults.
struct guarded_body {
    guarded_body() {
        const long page = ::sysconf(_SC_PAGESIZE);
        size = static_cast<std::size_t>(page);
        mem = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        REQUIRE(mem != MAP_FAILED);
        std::memcpy(mem, kat1::body.data(), kat1::body.size());
        REQUIRE(::mprotect(mem, size, PROT_NONE) == 0);
    }
    ~guarded_body() { ::munmap(mem, size); }
    [[nodiscard]] std::string_view view() const { return {static_cast<const char*>(mem), kat1::body.size()}; }
    void* mem = nullptr;
    std::size_t size = 0;
};

}  // namespace

TEST_CASE("no body byte is read before the MAC verified", "[verify][threat-I1]") {
    guarded_body guarded;
    const std::string t(kat1::token);
    CHECK(run(guarded.view(), "") == errc::missing_authorization);
    CHECK(run(guarded.view(), "x.y") == errc::malformed_token);
    CHECK(run(guarded.view(), forge(kat_claims_with(""), R"({"alg":"none"})")) == errc::unsupported_algorithm);
    CHECK(run(guarded.view(), mint(lkwebhook::test::go_header, server_claims("nobody", 1, "x"), "s")) ==
          errc::unknown_api_key);
    CHECK(run(guarded.view(), t.substr(0, t.size() - 1) + "A") == errc::bad_signature);
}

TEST_CASE("the body is still untouched when the time claims fail", "[verify][threat-I2]") {
    guarded_body guarded;
    CHECK(run(guarded.view(), kat1::token, {}, fixed_clock{kat1::exp + 60}) == errc::token_expired);
    CHECK(run(guarded.view(), kat1::token, {}, fixed_clock{kat1::nbf - 61}) == errc::token_not_yet_valid);
    CHECK(run(guarded.view(), forge("{\"iss\":\"abcdefg\",\"exp\":1700000300,\"aud\":\"x\"}")) ==
          errc::malformed_token);
}

TEST_CASE("a body of the maximum size is hashed and verified", "[verify][threat-I3]") {
    const std::string body(1024 * 1024, 'x');
    CHECK_FALSE(run(body, forge(server_claims("abcdefg", kat1::nbf, body))));
    CHECK(run(body + "x", forge(server_claims("abcdefg", kat1::nbf, body))) == errc::body_too_large);
}

TEST_CASE("the verifier never reads secrets from the environment", "[verify][threat-K3]") {
    const std::string body = "{}";
    const std::string token = mint(lkwebhook::test::go_header, server_claims("abcdefg", kat1::nbf, body), "env-secret");
    ::setenv("LIVEKIT_API_KEY", "abcdefg", 1);
    ::setenv("LIVEKIT_API_SECRET", "env-secret", 1);
    CHECK(run(body, token) == errc::bad_signature);  // kat_keys() holds another secret
    ::unsetenv("LIVEKIT_API_KEY");
    ::unsetenv("LIVEKIT_API_SECRET");
}

TEST_CASE("options outside their documented ranges are invalid_config", "[verify][threat-I4]") {
    verify_options o;
    o.leeway = std::chrono::seconds{301};
    CHECK(run(kat1::body, kat1::token, o) == errc::invalid_config);
    o = {};
    o.leeway = std::chrono::seconds{-1};
    CHECK(run(kat1::body, kat1::token, o) == errc::invalid_config);
    o = {};
    o.max_authorization_bytes = 16 * 1024 + 1;
    CHECK(run(kat1::body, kat1::token, o) == errc::invalid_config);
    o = {};
    o.max_authorization_bytes = 0;
    CHECK(run(kat1::body, kat1::token, o) == errc::invalid_config);
    o = {};
    o.max_body_bytes = 64 * 1024 * 1024 + 1;
    CHECK(run(kat1::body, kat1::token, o) == errc::invalid_config);
    o = {};
    o.max_token_lifetime = std::chrono::seconds{0};
    lkwebhook::diagnosis why;
    CHECK(run(kat1::body, kat1::token, o, kat_now, &why) == errc::invalid_config);
    CHECK_FALSE(why.empty());
    o = {};
    o.leeway = std::chrono::seconds{300};
    o.max_authorization_bytes = 16 * 1024;
    o.max_body_bytes = 64 * 1024 * 1024;
    CHECK_FALSE(run(kat1::body, kat1::token, o));
}

// ---------------------------------------------------------------- K, L: secrets and diagnostics

TEST_CASE("diagnoses never contain secrets, signatures, whole tokens or body bytes",
          "[verify][threat-K1][threat-K6][threat-L1]") {
    const std::string t(kat1::token);
    const std::string sig = t.substr(t.rfind('.') + 1);
    const std::vector<std::string> inputs = {"",
                                             t + "x",
                                             t.substr(0, t.size() - 1) + "A",
                                             forge(kat_claims_with(""), R"({"alg":"none"})"),
                                             forge("{\"iss\":\"abcdefg\",\"exp\":1}"),
                                             forge("{\"iss\":\"abcdefg\",\"exp\":1800000000}"),
                                             std::string(9000, 'a'),
                                             "Basic " + t};
    for (const auto& input : inputs) {
        lkwebhook::diagnosis why;
        const auto ec = run(kat1::body, input, {}, kat_now, &why);
        CAPTURE(input.substr(0, 40), std::string(why.view()));
        CHECK(ec);
        CHECK_FALSE(why.empty());
        CHECK(why.view().size() <= lkwebhook::diagnosis::capacity);
        CHECK(why.view().find(kat1::secret) == std::string_view::npos);
        CHECK(why.view().find(sig) == std::string_view::npos);
        CHECK(why.view().find(t.substr(0, 36)) == std::string_view::npos);
        CHECK(why.view().find("mytestroom") == std::string_view::npos);
    }
}

TEST_CASE("the unknown key is named escaped and truncated", "[verify][threat-L2][threat-L3]") {
    const std::string body = "{}";
    const std::string evil = "AP\\r\\n[ERROR] \\u001b[31mfake" + std::string(100, 'x');
    lkwebhook::diagnosis why;
    CHECK(run(body, mint(lkwebhook::test::go_header, server_claims(evil, kat1::nbf, body), "s"), {}, kat_now, &why) ==
          errc::unknown_api_key);
    const std::string_view text = why.view();
    CHECK(text.find('\r') == std::string_view::npos);
    CHECK(text.find('\n') == std::string_view::npos);
    CHECK(text.find('\x1b') == std::string_view::npos);
    CHECK(text.find("\\x0d\\x0a") != std::string_view::npos);
    CHECK(text.find(std::string(70, 'x')) == std::string_view::npos);  // truncated to 64 input bytes
}

TEST_CASE("time diagnoses give the skew in seconds", "[verify][threat-L6]") {
    lkwebhook::diagnosis why;
    CHECK(run(kat1::body, kat1::token, {}, fixed_clock{kat1::exp + 125}, &why) == errc::token_expired);
    CHECK(why.view().find("125 s ago") != std::string_view::npos);
    CHECK(why.view().find("clock skew") != std::string_view::npos);
    CHECK(run(kat1::body, kat1::token, {}, fixed_clock{kat1::nbf - 90}, &why) == errc::token_not_yet_valid);
    CHECK(why.view().find("90 s") != std::string_view::npos);
    CHECK(why.view().find("clock") != std::string_view::npos);
}

// ---------------------------------------------------------------- every error verify can produce

TEST_CASE("every error verify() can produce is produced", "[verify][errors]") {
    const std::string body = "{}";
    const std::string good = forge(server_claims("abcdefg", kat1::nbf, body));
    verify_options lifetime;
    lifetime.max_token_lifetime = std::chrono::seconds{10};
    verify_options tiny;
    tiny.max_body_bytes = 1;
    verify_options bad_options;
    bad_options.leeway = std::chrono::seconds{1000};
    struct row {
        errc expect;
        std::string auth;
        std::string body;
        verify_options options;
        std::int64_t now;
    };
    const std::vector<row> rows = {
            {errc::missing_authorization, "", body, {}, kat1::nbf},
            {errc::malformed_token, "a.b", body, {}, kat1::nbf},
            {errc::unsupported_algorithm,
             forge(server_claims("abcdefg", kat1::nbf, body), R"({"alg":"HS512"})"),
             body,
             {},
             kat1::nbf},
            {errc::unknown_api_key,
             mint(lkwebhook::test::go_header, server_claims("x", kat1::nbf, body), "s"),
             body,
             {},
             kat1::nbf},
            {errc::bad_signature,
             mint(lkwebhook::test::go_header, server_claims("abcdefg", kat1::nbf, body), "s"),
             body,
             {},
             kat1::nbf},
            {errc::token_not_yet_valid, good, body, {}, kat1::nbf - 61},
            {errc::token_expired, good, body, {}, kat1::nbf + 360},
            {errc::token_lifetime_too_long, good, body, lifetime, kat1::nbf},
            {errc::missing_body_hash, forge("{\"iss\":\"abcdefg\",\"exp\":1700000300}"), body, {}, kat1::nbf},
            {errc::body_hash_mismatch, good, "{ }", {}, kat1::nbf},
            {errc::body_too_large, good, body, tiny, kat1::nbf},
            {errc::invalid_config, good, body, bad_options, kat1::nbf},
    };
    for (const row& r : rows) {
        CAPTURE(lkwebhook::to_string(r.expect));
        lkwebhook::diagnosis why;
        CHECK(run(r.body, r.auth, r.options, fixed_clock{r.now}, &why) == r.expect);
        CHECK_FALSE(why.empty());
    }
    // internal_error needs OpenSSL to fail: see verify_allocations.test.cpp.
}

// ---------------------------------------------------------------- providers

namespace {
/// A provider with only the required members (no find_entry).
struct minimal_provider {
    std::string key = "abcdefg";
    std::string secret = std::string(kat1::secret);
    [[nodiscard]] std::optional<std::string_view> find_secret(std::string_view id) const noexcept {
        if (id == key) return std::string_view(secret);
        return std::nullopt;
    }
    [[nodiscard]] std::size_t size() const noexcept { return 1; }
};
/// A provider that maps a key to an empty secret.
struct empty_secret_provider {
    [[nodiscard]] std::optional<std::string_view> find_secret(std::string_view) const noexcept {
        return std::string_view{};
    }
    [[nodiscard]] std::size_t size() const noexcept { return 1; }
};
}  // namespace

TEST_CASE("any KeyProvider works and empty secrets count as unknown keys", "[verify][keys]") {
    STATIC_REQUIRE(lkwebhook::KeyProvider<minimal_provider>);
    minimal_provider p;
    auto r = lkwebhook::verify(kat1::body, kat1::token, p, {}, kat_now);
    REQUIRE(r.has_value());
    CHECK(r->key_id == "abcdefg");
    CHECK(lkwebhook::verify(kat1::body, kat1::token, empty_secret_provider{}, {}, kat_now).error() ==
          errc::unknown_api_key);
    auto s = *lkwebhook::static_key::make(kat1::key_id, kat1::secret);
    CHECK(lkwebhook::verify(kat1::body, kat1::token, s, {}, kat_now).has_value());
}

TEST_CASE("the default clock is the system clock", "[verify][clock]") {
    // KAT-1 expired in 2023: with the real clock it is token_expired.
    CHECK(lkwebhook::verify(kat1::body, kat1::token, kat_keys()).error() == errc::token_expired);
}

TEST_CASE("RFC 7515 A.1 as a webhook: expired at real time, no body hash inside its window",
          "[verify][kat][threat-C3][threat-E12]") {
    std::array<unsigned char, 64> key{};
    REQUIRE(lkwebhook::detail::decode_base64url(
                    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow",
                    key.data(), key.size()) == 64);
    const std::string secret(reinterpret_cast<const char*>(key.data()), key.size());
    const auto keys = *lkwebhook::key_set::make({{"joe", secret}});
    const std::string_view jws =
            "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
            "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ."
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    CHECK(lkwebhook::verify("{}", jws, keys).error() == errc::token_expired);
    CHECK(lkwebhook::verify("{}", jws, keys, {}, fixed_clock{1300819000}).error() == errc::missing_body_hash);
}

TEST_CASE("LiveKit-shaped tokens take a fast path that decides exactly as the general steps", "[verify][threat-B8]") {
    // verify() reads tokens that start with LiveKit's own JOSE header through
    // detail::split_livekit_token; a "Bearer " prefix always takes the general
    // split_token and check_token_header. So every mutation of a LiveKit token,
    // sent bare and with the prefix, must get the same outcome and the same
    // diagnosis from both.
    const std::string token = forge(kat_claims_with(""));
    REQUIRE(token.substr(0, lkwebhook::detail::livekit_header_segment.size()) ==
            lkwebhook::detail::livekit_header_segment);
    std::vector<std::string> variants{token};
    const std::string replacements = std::string(".A_-=+/ \t,") + '\0' + "\x80\xff" + "ag9";
    for (std::size_t at = 0; at < token.size(); ++at) {
        for (const char c : replacements) {
            std::string v = token;
            v[at] = c;
            variants.push_back(v);
        }
        variants.push_back(token.substr(0, at) + token.substr(at + 1));
        variants.push_back(token.substr(0, at) + "." + token.substr(at));
    }
    std::size_t fast = 0;
    for (const std::string& v : variants) {
        // Whitespace at either end is trimmed from a bare value but sits after
        // "Bearer ", so those two requests differ; they never reach the fast path.
        if (v.front() == ' ' || v.front() == '\t' || v.back() == ' ' || v.back() == '\t') continue;
        lkwebhook::diagnosis bare_why;
        lkwebhook::diagnosis prefixed_why;
        const auto bare = lkwebhook::verify(kat1::body, v, kat_keys(), {}, kat_now, &bare_why);
        const auto prefixed = lkwebhook::verify(kat1::body, "Bearer " + v, kat_keys(), {}, kat_now, &prefixed_why);
        INFO(v);
        CHECK(bare.error() == prefixed.error());
        CHECK(bare_why.view() == prefixed_why.view());

        lkwebhook::token_segments segments{};
        lkwebhook::detail::digest_bytes signature{};
        if (!lkwebhook::detail::split_livekit_token(v, segments, signature)) continue;
        ++fast;
        // An acceptance by the fast path is one the general steps make too,
        // with the same segments and the signature they would decode, unless
        // the payload has a character outside the alphabet: the fast path
        // leaves that to the claims' decoder, which must then refuse it.
        const auto general = lkwebhook::split_token(v, false);
        if (!general) {
            lkwebhook::token_claims claims;
            CHECK_FALSE(claims.parse(segments.payload).has_value());
            CHECK(bare.error() == errc::malformed_token);
            continue;
        }
        CHECK(general->header == segments.header);
        CHECK(general->payload == segments.payload);
        CHECK(general->signature == segments.signature);
        CHECK(general->signing_input == segments.signing_input);
        CHECK(lkwebhook::check_token_header(general->header).has_value());
        lkwebhook::detail::digest_bytes decoded{};
        CHECK(lkwebhook::detail::decode_base64url(general->signature, decoded.data(), decoded.size()) == 32);
        CHECK(decoded == signature);
    }
    // The unmutated token and the ones altered only inside the payload or
    // signature's bits took the fast path; the test would mean nothing otherwise.
    CHECK(fast > token.size());
    CHECK(lkwebhook::verify(kat1::body, token, kat_keys(), {}, kat_now).has_value());
}
