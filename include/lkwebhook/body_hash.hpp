#ifndef LKWEBHOOK_BODY_HASH_HPP
#define LKWEBHOOK_BODY_HASH_HPP

// Step 7 of tests/threats/catalogue.md#order: the token's `sha256` claim must equal the
// standard, padded base64 (RFC 4648 section 4) of SHA-256 over the exact body
// bytes, as LiveKit computes it (base64.StdEncoding of the digest: always 44
// characters ending in '='). The comparison is on that exact string, with a
// public length check and then CRYPTO_memcmp (F4): base64url, unpadded, hex
// and non-canonical spellings of the right digest do not match (F3).

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

#include "config.hpp"
#include "detail/openssl.hpp"
#include "error.hpp"
#include "result.hpp"

namespace lkwebhook {

/// The 44-character standard base64 of a SHA-256 digest, stored inline.
class body_hash_text {
public:
    /// The 44 characters; valid while this object lives.
    [[nodiscard]] std::string_view view() const noexcept { return {chars_.data(), detail::sha256_base64_size}; }

private:
    friend result<body_hash_text> compute_body_hash(std::string_view body) noexcept;
    std::array<char, detail::sha256_base64_size + 1> chars_{};
};

/// SHA-256 of `body` (streamed from the caller's bytes, no copy), as
/// standard padded base64. Errors: internal_error when OpenSSL fails.
[[nodiscard]] LKWEBHOOK_DECL result<body_hash_text> compute_body_hash(std::string_view body) noexcept;

namespace detail {

/// compute_body_hash() into `out` (44 characters and a NUL); false when
/// OpenSSL fails. check_body_hash() compares in place through this rather
/// than copying a body_hash_text out of a result.
[[nodiscard]] LKWEBHOOK_DECL bool write_body_hash(std::string_view body,
                                                  std::array<char, sha256_base64_size + 1>& out) noexcept;

}  // namespace detail

/// Checks `body` against the token's `sha256` claim. `claim` is the claim's
/// unescaped string value, or nullopt when the claim is absent, null or not
/// a string. Errors: missing_body_hash for nullopt or "" (F1, and the
/// cross-token defence of E12: a participant join token has no sha256);
/// body_hash_mismatch when the strings differ (F3, F5-F7), with the body
/// length and a hint about re-serialising middleware in `why` (L6);
/// internal_error when OpenSSL fails.
/// Call only after the token's MAC verified: this is the first step that
/// reads the body (I1, I2).
[[nodiscard]] LKWEBHOOK_DECL result<void> check_body_hash(std::string_view body, std::optional<std::string_view> claim,
                                                          diagnosis* why = nullptr) noexcept;

}  // namespace lkwebhook

#if LKWEBHOOK_HEADER_ONLY
#include "impl/body_hash.ipp"
#endif

#endif  // LKWEBHOOK_BODY_HASH_HPP
