#ifndef LKWEBHOOK_IMPL_VERIFY_IPP
#define LKWEBHOOK_IMPL_VERIFY_IPP

// Verification's implementation (verify.hpp is its interface).
// Included by verify.hpp in the default header-only mode, by <lkwebhook/src.hpp>
// only with LKWEBHOOK_SEPARATE_COMPILATION (config.hpp).

#include <algorithm>
#include <array>
#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "../config.hpp"
#include "../verify.hpp"

namespace lkwebhook {

LKWEBHOOK_DECL result<void> validate(const verify_options& o, diagnosis* why) noexcept {
    const auto fail = [&](std::string_view text) {
        diagnose(why).append(text);
        return result<void>{errc::invalid_config};
    };
    if (o.leeway < std::chrono::seconds{0} || o.leeway > max_leeway)
        return fail("verify_options::leeway must be within [0, 300] s");
    if (o.max_authorization_bytes == 0 || o.max_authorization_bytes > hard_max_authorization_bytes)
        return fail("verify_options::max_authorization_bytes must be within [1, 16384]");
    if (o.max_body_bytes > hard_max_body_bytes) return fail("verify_options::max_body_bytes must be at most 64 MiB");
    if (o.max_token_lifetime && (*o.max_token_lifetime <= std::chrono::seconds{0} ||
                                 *o.max_token_lifetime > std::chrono::seconds{max_numeric_date}))
        return fail("verify_options::max_token_lifetime must be positive");
    return {};
}

LKWEBHOOK_DECL result<void> check_body_size(std::string_view body, const verify_options& options,
                                            diagnosis* why) noexcept {
    if (body.size() <= options.max_body_bytes) return {};
    diagnose(why)
            .append("the body is ")
            .append(body.size())
            .append(" bytes, over the limit of ")
            .append(options.max_body_bytes);
    return errc::body_too_large;
}

}  // namespace lkwebhook

#endif  // LKWEBHOOK_IMPL_VERIFY_IPP
