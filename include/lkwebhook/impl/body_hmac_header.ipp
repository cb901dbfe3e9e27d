#ifndef LKWEBHOOK_IMPL_BODY_HMAC_HEADER_IPP
#define LKWEBHOOK_IMPL_BODY_HMAC_HEADER_IPP

// The X-LiveKit-Signature scheme's implementation (body_hmac_header.hpp is its interface).
// Included by body_hmac_header.hpp in the default header-only mode, by <lkwebhook/src.hpp>
// only with LKWEBHOOK_SEPARATE_COMPILATION (config.hpp).

#include <array>
#include <string>
#include <string_view>

#include "../body_hmac_header.hpp"
#include "../config.hpp"

namespace lkwebhook {

LKWEBHOOK_DECL std::string sign_signature_header(std::string_view body, std::string_view secret) {
    detail::digest_bytes mac{};
    if (secret.empty() || !detail::hmac_sha256(secret, body, mac)) return {};
    std::string out;
    out.reserve(2 * mac.size());
    detail::append_hex(out, mac.data(), mac.size());
    return out;
}

}  // namespace lkwebhook

#endif  // LKWEBHOOK_IMPL_BODY_HMAC_HEADER_IPP
