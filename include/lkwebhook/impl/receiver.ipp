#ifndef LKWEBHOOK_IMPL_RECEIVER_IPP
#define LKWEBHOOK_IMPL_RECEIVER_IPP

// The receiver's implementation (receiver.hpp is its interface).
// Included by receiver.hpp in the default header-only mode, by <lkwebhook/src.hpp>
// only with LKWEBHOOK_SEPARATE_COMPILATION (config.hpp).

#include <functional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "../config.hpp"
#include "../receiver.hpp"

namespace lkwebhook {

LKWEBHOOK_DECL result<void> validate(const receiver_options& o, diagnosis* why) noexcept {
    if (auto valid = validate(o.verify, why); !valid) return valid;
    return validate(o.decode, why);
}

}  // namespace lkwebhook

#endif  // LKWEBHOOK_IMPL_RECEIVER_IPP
