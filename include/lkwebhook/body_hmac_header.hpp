#ifndef LKWEBHOOK_BODY_HMAC_HEADER_HPP
#define LKWEBHOOK_BODY_HMAC_HEADER_HPP

// An opt-in second scheme, NOT what LiveKit sends: header
// `X-LiveKit-Signature` holding the lowercase hex HMAC-SHA256 of the raw body
// with the API secret. It comes from our original integration guide and is
// used by relays and test harnesses that re-sign webhooks. Unlike the JWT
// scheme it carries no key id, no expiry and no replay window: the key id is
// configured by the host, and a captured request stays valid forever (pair
// it with the idempotency store). LiveKit itself only sends `Authorization`
// (verify.hpp).
//
// Same error model as verify(): missing_authorization (header absent or
// blank), body_too_large, malformed_token (not 64 lowercase hex digits),
// unknown_api_key, bad_signature, internal_error, invalid_config.
// The body must be hashed to check this scheme, so here the body IS read
// before the request is authenticated (bounded by max_body_bytes).
//
// No domain separation from the JWT scheme (tests/threats/catalogue.md C11): both MACs are
// HMAC-SHA256 under the same API secret, the JWT's over its signing input
// `header "." payload`. So every captured webhook token T = S "." sig gives
// a body S and an X-LiveKit-Signature hex(base64url-decode(sig)) that this
// function accepts. That forges no event: S consists of base64url
// characters and dots, never a JSON object, so decode(), which follows
// either scheme, rejects it as malformed_body. Hosts must therefore never
// act on a body authenticated here before it decoded as a webhook event,
// and should prefer the JWT scheme, which binds the body through `sha256`.

#include <array>
#include <string>
#include <string_view>

#include "config.hpp"
#include "detail/openssl.hpp"
#include "detail/text.hpp"
#include "error.hpp"
#include "keys.hpp"
#include "result.hpp"
#include "token.hpp"
#include "verify.hpp"

namespace lkwebhook {

/// Checks `header_value` (the X-LiveKit-Signature value; absent = empty)
/// against HMAC-SHA256(secret of `key_id`, body). Uses max_body_bytes from
/// `options` (the other options do not apply). Constant-time comparison of
/// the decoded 32 bytes (C4, C5). Never throws, never allocates.
template <KeyProvider Keys>
[[nodiscard]] result<void> verify_signature_header(std::string_view body, std::string_view header_value,
                                                   std::string_view key_id, const Keys& keys,
                                                   const verify_options& options = {},
                                                   diagnosis* why = nullptr) noexcept {
    diagnose(why).clear();
    if (auto valid = validate(options, why); !valid) return valid.error();
    const std::string_view value = trim_ows(header_value);
    if (value.empty()) {
        diagnose(why).append("no X-LiveKit-Signature value; a proxy may strip it");
        return errc::missing_authorization;
    }
    if (auto size = check_body_size(body, options, why); !size) return size.error();
    detail::digest_bytes received{};
    if (value.size() != 2 * received.size()) {
        diagnose(why)
                .append("X-LiveKit-Signature has ")
                .append(value.size())
                .append(" characters, expected 64 lowercase hex digits");
        return errc::malformed_token;
    }
    for (std::size_t i = 0; i < received.size(); ++i) {
        // Upper case is not canonical.
        const int hi = detail::hex_digit_value(value[2 * i], detail::hex_case::lower_only);
        const int lo = detail::hex_digit_value(value[2 * i + 1], detail::hex_case::lower_only);
        if (hi < 0 || lo < 0) {
            diagnose(why)
                    .append("X-LiveKit-Signature is not 64 lowercase hex digits (offset ")
                    .append(2 * i)
                    .append(")");
            return errc::malformed_token;
        }
        received[i] = static_cast<unsigned char>(hi << 4 | lo);
    }
    const std::optional<std::string_view> secret = key_id.empty() ? std::nullopt : keys.find_secret(key_id);
    if (!secret || secret->empty()) {
        diagnose(why)
                .append("API key ")
                .append_escaped(key_id)
                .append(" is not among the ")
                .append(static_cast<std::size_t>(keys.size()))
                .append(" configured key(s)");
        return errc::unknown_api_key;
    }
    detail::digest_bytes expected{};
    if (!detail::hmac_sha256(*secret, body, expected)) {
        diagnose(why).append("HMAC-SHA256 computation failed in OpenSSL; request rejected");
        return errc::internal_error;
    }
    const bool equal = detail::equal_constant_time(expected.data(), received.data(), expected.size());
    detail::cleanse(expected.data(), expected.size());
    if (!equal) {
        diagnose(why)
                .append("X-LiveKit-Signature does not match the HMAC-SHA256 of the ")
                .append(body.size())
                .append("-byte body under API key ")
                .append_escaped(key_id)
                .append(": wrong secret, or the body was changed (pass the raw bytes)");
        return errc::bad_signature;
    }
    return {};
}

/// The X-LiveKit-Signature value for `body`: 64 lowercase hex digits of
/// HMAC-SHA256(secret, body). Returns an empty string when `secret` is empty
/// or OpenSSL fails (an empty header never verifies). May throw
/// std::bad_alloc.
[[nodiscard]] LKWEBHOOK_DECL std::string sign_signature_header(std::string_view body, std::string_view secret);

}  // namespace lkwebhook

#if LKWEBHOOK_HEADER_ONLY
#include "impl/body_hmac_header.ipp"
#endif

#endif  // LKWEBHOOK_BODY_HMAC_HEADER_HPP
