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
#include "detail/base64url.hpp"
#include "detail/openssl.hpp"
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

/// JSON string escaping as Go's encoding/json does it (what a LiveKit server
/// emits): \" \\ \n \r \t, other control characters and <, >, & as \u00XX,
/// U+2028/U+2029 as \u2028/\u2029. Returns false for invalid UTF-8.
inline bool append_go_json_string(std::string& out, std::string_view s) {
    constexpr char hex[] = "0123456789abcdef";
    out.push_back('"');
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(static_cast<char>(c));
        } else if (c == '\n') {
            out.append("\\n");
        } else if (c == '\r') {
            out.append("\\r");
        } else if (c == '\t') {
            out.append("\\t");
        } else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
            out.append("\\u00");
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 0xf]);
        } else if (c < 0x80) {
            out.push_back(static_cast<char>(c));
        } else {
            // Validate one UTF-8 sequence with the strict table.
            std::size_t extra = 0;
            unsigned char lo = 0x80;
            unsigned char hi = 0xBF;
            if (c >= 0xC2 && c <= 0xDF)
                extra = 1;
            else if (c == 0xE0) {
                extra = 2;
                lo = 0xA0;
            } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF)
                extra = 2;
            else if (c == 0xED) {
                extra = 2;
                hi = 0x9F;
            } else if (c == 0xF0) {
                extra = 3;
                lo = 0x90;
            } else if (c >= 0xF1 && c <= 0xF3)
                extra = 3;
            else if (c == 0xF4) {
                extra = 3;
                hi = 0x8F;
            } else
                return false;
            if (i + extra >= s.size()) return false;
            const auto c1 = static_cast<unsigned char>(s[i + 1]);
            if (c1 < lo || c1 > hi) return false;
            for (std::size_t k = 2; k <= extra; ++k) {
                const auto ck = static_cast<unsigned char>(s[i + k]);
                if (ck < 0x80 || ck > 0xBF) return false;
            }
            if (c == 0xE2 && c1 == 0x80 &&
                (static_cast<unsigned char>(s[i + 2]) == 0xA8 || static_cast<unsigned char>(s[i + 2]) == 0xA9)) {
                out.append(static_cast<unsigned char>(s[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029");
            } else {
                out.append(s.substr(i, extra + 1));
            }
            i += extra;
        }
    }
    out.push_back('"');
    return true;
}

inline void append_base64url(std::string& out, std::string_view bytes) {
    const std::size_t at = out.size();
    out.resize(at + base64url_encoded_size(bytes.size()));
    encode_base64url(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), out.data() + at);
}

}  // namespace detail

/// Signs `body` as a LiveKit server would and returns the Authorization
/// value (the bare token, no `Bearer `). Errors: invalid_config for an empty
/// key id or secret, a key id that is not valid UTF-8, a non-positive
/// validity, or times outside [0, 253402300799]; internal_error when OpenSSL
/// fails. May throw std::bad_alloc (it returns a std::string).
[[nodiscard]] inline result<std::string> sign(std::string_view body, std::string_view api_key,
                                              std::string_view api_secret, const sign_options& options = {}) {
    if (api_key.empty() || api_secret.empty() || options.valid_for <= std::chrono::seconds{0})
        return errc::invalid_config;
    const std::int64_t now = options.now_unix.value_or(static_cast<std::int64_t>(
            std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count()));
    const std::int64_t valid_for = static_cast<std::int64_t>(options.valid_for.count());
    if (now < 0 || now > max_numeric_date || valid_for > max_numeric_date - now) return errc::invalid_config;
    const std::int64_t exp = now + valid_for;

    auto hash = compute_body_hash(body);
    if (!hash) return hash.error();

    std::string claims;
    claims.reserve(96 + api_key.size());
    claims.append("{\"iss\":");
    if (!detail::append_go_json_string(claims, api_key)) return errc::invalid_config;
    claims.append(",\"exp\":").append(std::to_string(exp));
    claims.append(",\"nbf\":").append(std::to_string(now));
    claims.append(",\"iat\":").append(std::to_string(now));
    claims.append(",\"sha256\":\"").append(hash->view()).append("\"}");

    std::string token;
    token.reserve(37 + detail::base64url_encoded_size(claims.size()) + 1 + signature_chars);
    token.append("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.");  // {"alg":"HS256","typ":"JWT"}
    detail::append_base64url(token, claims);
    detail::digest_bytes mac{};
    if (!detail::hmac_sha256(api_secret, token, mac)) return errc::internal_error;
    token.push_back('.');
    detail::append_base64url(token, std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
    return token;
}

}  // namespace lkwebhook

#endif  // LKWEBHOOK_SIGNER_HPP
