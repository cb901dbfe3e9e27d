#ifndef LKWEBHOOK_IMPL_BODY_HASH_IPP
#define LKWEBHOOK_IMPL_BODY_HASH_IPP

// The body hash's implementation (body_hash.hpp is its interface).
// Included by body_hash.hpp in the default header-only mode, by <lkwebhook/src.hpp>
// only with LKWEBHOOK_SEPARATE_COMPILATION (config.hpp).

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

#include "../body_hash.hpp"
#include "../config.hpp"

namespace lkwebhook {

LKWEBHOOK_DECL result<body_hash_text> compute_body_hash(std::string_view body) noexcept {
    body_hash_text out;
    if (!detail::write_body_hash(body, out.chars_)) return errc::internal_error;
    return out;
}

LKWEBHOOK_DECL bool detail::write_body_hash(std::string_view body,
                                            std::array<char, sha256_base64_size + 1>& out) noexcept {
    digest_bytes digest;  // sha256() writes all of it, whatever happens
    return sha256(body, digest) && base64_standard(digest, out);
}

LKWEBHOOK_DECL result<void> check_body_hash(std::string_view body, std::optional<std::string_view> claim,
                                            diagnosis* why) noexcept {
    if (!claim || claim->empty()) {
        diagnose(why).append(
                "the token has no sha256 claim (or a non-string or empty one), so it signs no body; "
                "a participant access token is not a webhook token");
        return errc::missing_body_hash;
    }
    std::array<char, detail::sha256_base64_size + 1> computed;  // written by write_body_hash()
    if (!detail::write_body_hash(body, computed)) {
        diagnose(why).append("SHA-256 computation failed in OpenSSL; request rejected");
        return errc::internal_error;
    }
    const std::string_view expected(computed.data(), detail::sha256_base64_size);
    // Length is public (the expected length is the constant 44).
    const bool equal = claim->size() == expected.size() &&
                       detail::equal_constant_time(claim->data(), expected.data(), expected.size());
    if (!equal) {
        diagnose(why)
                .append("the SHA-256 of the ")
                .append(body.size())
                .append("-byte body does not match the token's sha256 claim: pass the raw request bytes; check "
                        "body-parser middleware, proxies, API gateways, curl -d (use --data-binary)");
        return errc::body_hash_mismatch;
    }
    return {};
}

}  // namespace lkwebhook

#endif  // LKWEBHOOK_IMPL_BODY_HASH_IPP
