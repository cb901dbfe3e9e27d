#ifndef LKWEBHOOK_SIGNER_HPP
#define LKWEBHOOK_SIGNER_HPP

// Produces the Authorization value a LiveKit server sends with a webhook
// (livekit/protocol auth.AccessToken.ToJWT with golang-jwt v5, servers >=
// v1.13.0): header {"alg":"HS256","typ":"JWT"}, claims in the order
// iss, exp, nbf, iat, sha256 with exp = now + 300 s and nbf = iat = now, and
// sha256 = standard padded base64 of SHA-256(body). For tests, local
// development, relays and the command-line tool. Tokens it makes are
// accepted by LiveKit's own SDKs (tests/interop checks the JS SDK).

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "body_hash.hpp"
#include "config.hpp"
#include "detail/base64url.hpp"
#include "detail/openssl.hpp"
#include "detail/text.hpp"
#include "error.hpp"
#include "result.hpp"
#include "token.hpp"

namespace lkwebhook {

struct sign_options {
    /// exp - nbf. LiveKit uses 300 s. Must be positive.
    std::chrono::seconds valid_for{300};
    /// nbf and iat; the system clock when unset. Must keep exp within
    /// [0, 253402300799].
    std::optional<std::int64_t> now_unix{};
};

namespace detail {

LKWEBHOOK_DECL void append_base64url(std::string& out, std::string_view bytes);

}  // namespace detail

/// Signs `body` as a LiveKit server would and returns the Authorization
/// value (the bare token, no `Bearer `). Errors: invalid_config for an empty
/// key id or secret, a key id that is not valid UTF-8, a non-positive
/// validity, or times outside [0, 253402300799]; internal_error when OpenSSL
/// fails. May throw std::bad_alloc (it returns a std::string).
[[nodiscard]] LKWEBHOOK_DECL result<std::string> sign(std::string_view body, std::string_view api_key,
                                                      std::string_view api_secret, const sign_options& options = {});

}  // namespace lkwebhook

#if LKWEBHOOK_HEADER_ONLY
#include "impl/signer.ipp"
#endif

#endif  // LKWEBHOOK_SIGNER_HPP
