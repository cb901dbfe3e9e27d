#ifndef LKWEBHOOK_IMPL_SIGNER_IPP
#define LKWEBHOOK_IMPL_SIGNER_IPP

// The signer's implementation (signer.hpp is its interface).
// Included by signer.hpp in the default header-only mode, by <lkwebhook/src.hpp>
// only with LKWEBHOOK_SEPARATE_COMPILATION (config.hpp).

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "../config.hpp"
#include "../signer.hpp"

namespace lkwebhook::detail {

LKWEBHOOK_DECL void append_base64url(std::string& out, std::string_view bytes) {
    const std::size_t at = out.size();
    out.resize(at + base64url_encoded_size(bytes.size()));
    encode_base64url(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), out.data() + at);
}

}  // namespace lkwebhook::detail

namespace lkwebhook {

LKWEBHOOK_DECL result<std::string> sign(std::string_view body, std::string_view api_key, std::string_view api_secret,
                                        const sign_options& options) {
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
    if (!detail::append_json_string(claims, api_key, detail::json_escaping::go)) return errc::invalid_config;
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

#endif  // LKWEBHOOK_IMPL_SIGNER_IPP
