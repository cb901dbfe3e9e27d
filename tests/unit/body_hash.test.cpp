// body_hash.hpp: SHA-256 as standard padded base64 and the claim comparison.
#include <lkwebhook/body_hash.hpp>

#include <string>

#include "support/catch.hpp"
#include "support/token_forge.hpp"

using lkwebhook::errc;

TEST_CASE("compute_body_hash matches the known answers", "[body_hash][threat-F2]") {
    CHECK(lkwebhook::compute_body_hash("")->view() == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
    CHECK(lkwebhook::compute_body_hash(lkwebhook::test::kat1::body)->view() == lkwebhook::test::kat1::body_sha256);
    // tests/vectors/wire-format.md section 9.1 body hash (hex 58cb3b00...).
    CHECK(lkwebhook::compute_body_hash("abc")->view() == "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
    const std::string big(1024 * 1024, 'a');
    CHECK(lkwebhook::compute_body_hash(big)->view().size() == 44);
}

TEST_CASE("check_body_hash distinguishes missing from mismatching", "[body_hash][threat-F1][threat-F3]") {
    lkwebhook::diagnosis why;
    CHECK(lkwebhook::check_body_hash("", std::nullopt, &why).error() == errc::missing_body_hash);
    CHECK(lkwebhook::check_body_hash("", std::string_view(""), &why).error() == errc::missing_body_hash);
    CHECK(lkwebhook::check_body_hash("", std::string_view("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")).has_value());
    why.clear();  // the pieces append; verify() clears
    CHECK(lkwebhook::check_body_hash("", std::string_view("47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU="), &why)
                  .error() == errc::body_hash_mismatch);
    CHECK(why.view().find("0-byte") != std::string_view::npos);
    CHECK(lkwebhook::check_body_hash("", std::string_view("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU")).error() ==
          errc::body_hash_mismatch);
    CHECK(lkwebhook::check_body_hash("x", std::string_view("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")).error() ==
          errc::body_hash_mismatch);
}
