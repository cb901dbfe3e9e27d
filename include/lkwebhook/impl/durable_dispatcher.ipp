#ifndef LKWEBHOOK_IMPL_DURABLE_DISPATCHER_IPP
#define LKWEBHOOK_IMPL_DURABLE_DISPATCHER_IPP

// The non-template parts of durable_dispatcher.hpp (their declarations are there).
// Included by durable_dispatcher.hpp in the default header-only mode, by <lkwebhook/src.hpp>
// only with LKWEBHOOK_SEPARATE_COMPILATION (config.hpp).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "../config.hpp"
#include "../durable_dispatcher.hpp"

namespace lkwebhook {

LKWEBHOOK_DECL result<void> validate(const durable_options& o, diagnosis* why) noexcept {
    const auto fail = [&](std::string_view text) {
        diagnose(why).append(text);
        return result<void>{errc::invalid_config};
    };
    if (o.workers > max_workers) return fail("durable_options::workers must be at most 1024");
    if (o.max_deliveries == 0 || o.max_deliveries > 1000)
        return fail("durable_options::max_deliveries must be within [1, 1000]");
    if (o.retry_backoff < std::chrono::milliseconds{0} || o.max_backoff < o.retry_backoff)
        return fail("durable_options: backoffs must satisfy 0 <= retry_backoff <= max_backoff");
    if (o.poll_interval <= std::chrono::milliseconds{0}) return fail("durable_options::poll_interval must be positive");
    return validate(o.dispatch.verify, why);
}

}  // namespace lkwebhook

#endif  // LKWEBHOOK_IMPL_DURABLE_DISPATCHER_IPP
