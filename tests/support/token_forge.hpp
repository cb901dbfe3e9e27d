#ifndef LKWEBHOOK_TESTS_SUPPORT_TOKEN_FORGE_HPP
#define LKWEBHOOK_TESTS_SUPPORT_TOKEN_FORGE_HPP

// Test helpers that mint arbitrary (also hostile) HS256 tokens from raw JSON
// text, plus the known-answer data of tests/threats/catalogue.md#kat (KAT-1).
// Owner: verify. Tests only.

#include <lkwebhook/body_hash.hpp>
#include <lkwebhook/detail/base64url.hpp>
#include <lkwebhook/detail/openssl.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace lkwebhook::test {

/// Unpadded base64url of arbitrary bytes.
inline std::string b64url(std::string_view bytes) {
    std::string out(lkwebhook::detail::base64url_encoded_size(bytes.size()), '\0');
    lkwebhook::detail::encode_base64url(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), out.data());
    return out;
}

/// HMAC-SHA256(secret, signing_input) as unpadded base64url (43 chars).
inline std::string mac_b64url(std::string_view secret, std::string_view signing_input) {
    lkwebhook::detail::digest_bytes mac{};
    if (!lkwebhook::detail::hmac_sha256(secret, signing_input, mac)) return {};
    return b64url(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
}

/// header_json and claims_json taken verbatim, signed with HS256 under `secret`.
inline std::string mint(std::string_view header_json, std::string_view claims_json, std::string_view secret) {
    std::string input = b64url(header_json) + "." + b64url(claims_json);
    return input + "." + mac_b64url(secret, input);
}

inline constexpr std::string_view go_header = R"({"alg":"HS256","typ":"JWT"})";

/// Standard padded base64 SHA-256 of a body.
inline std::string body_sha256(std::string_view body) {
    return std::string(lkwebhook::compute_body_hash(body)->view());
}

/// Claims as a current LiveKit server writes them.
inline std::string server_claims(std::string_view iss, std::int64_t now, std::string_view body,
                                 std::int64_t valid_for = 300) {
    return "{\"iss\":\"" + std::string(iss) + "\",\"exp\":" + std::to_string(now + valid_for) +
           ",\"nbf\":" + std::to_string(now) + ",\"iat\":" + std::to_string(now) + ",\"sha256\":\"" +
           body_sha256(body) + "\"}";
}

/// KAT-1 of tests/threats/catalogue.md#kat (from node-sdks WebhookReceiver.test.ts).
namespace kat1 {
inline constexpr std::string_view key_id = "abcdefg";
inline constexpr std::string_view secret = "abababa";
inline constexpr std::string_view body =
        R"({"event":"room_started", "room":{"sid":"RM_TkVjUvAqgzKz", "name":"mytestroom", "emptyTimeout":300, "creationTime":"1628545903", "turnPassword":"ICkSr2rEeslkN6e9bXL4Ji5zzMD5Z7zzr6ulOaxMj6N", "enabledCodecs":[{"mime":"audio/opus"}, {"mime":"video/VP8"}]}})";
inline constexpr std::string_view body_sha256 = "CoEQz1chqJ9bnZRcORddjplkvpjmPujmLTR42DbefYI=";
inline constexpr std::string_view claims_json =
        R"({"exp":1700000300,"iat":1700000000,"iss":"abcdefg","nbf":1700000000,"sha256":"CoEQz1chqJ9bnZRcORddjplkvpjmPujmLTR42DbefYI="})";
inline constexpr std::string_view token =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
        "eyJleHAiOjE3MDAwMDAzMDAsImlhdCI6MTcwMDAwMDAwMCwiaXNzIjoiYWJjZGVmZyIsIm5iZiI6MTcwMDAwMDAwMCwic2hhMjU2IjoiQ29FUX"
        "oxY2hxSjliblpSY09SZGRqcGxrdnBqbVB1am1MVFI0MkRiZWZZST0ifQ.3lWRBBEetjQm_9UYAquM0etr8Bb70aTUoeThgzJzuf8";
inline constexpr std::int64_t nbf = 1700000000;
inline constexpr std::int64_t exp = 1700000300;
}  // namespace kat1

}  // namespace lkwebhook::test

#endif  // LKWEBHOOK_TESTS_SUPPORT_TOKEN_FORGE_HPP
