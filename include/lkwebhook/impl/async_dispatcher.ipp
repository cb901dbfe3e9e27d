#ifndef LKWEBHOOK_IMPL_ASYNC_DISPATCHER_IPP
#define LKWEBHOOK_IMPL_ASYNC_DISPATCHER_IPP

// The non-template parts of async_dispatcher.hpp (their declarations are there).
// Included by async_dispatcher.hpp in the default header-only mode, by <lkwebhook/src.hpp>
// only with LKWEBHOOK_SEPARATE_COMPILATION (config.hpp).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>

#include "../async_dispatcher.hpp"
#include "../config.hpp"

namespace lkwebhook {

LKWEBHOOK_DECL result<void> validate(const async_options& o, diagnosis* why) noexcept {
    const auto fail = [&](std::string_view text) {
        diagnose(why).append(text);
        return result<void>{errc::invalid_config};
    };
    if (o.workers == 0 || o.workers > max_workers) return fail("async_options::workers must be within [1, 1024]");
    if (o.queue_capacity == 0 || o.queue_capacity > max_queue_capacity)
        return fail("async_options::queue_capacity must be within [1, 10000000]");
    if (o.max_attempts == 0 || o.max_attempts > 100) return fail("async_options::max_attempts must be within [1, 100]");
    if (o.initial_backoff < std::chrono::milliseconds{0} || o.max_backoff < o.initial_backoff)
        return fail("async_options: backoffs must satisfy 0 <= initial_backoff <= max_backoff");
    return validate(o.dispatch, why);
}

}  // namespace lkwebhook

namespace lkwebhook::detail {

LKWEBHOOK_DECL std::string_view resource_key(const webhook_event& ev) noexcept {
    if (ev.egress_info && !ev.egress_info->egress_id.empty()) return ev.egress_info->egress_id;
    if (ev.ingress_info && !ev.ingress_info->ingress_id.empty()) return ev.ingress_info->ingress_id;
    if (ev.room && !ev.room->name.empty()) return ev.room->name;
    if (ev.participant && !ev.participant->identity.empty()) return ev.participant->identity;
    if (ev.track && !ev.track->sid.empty()) return ev.track->sid;
    return {};
}

LKWEBHOOK_DECL std::string_view ordering_key(const webhook_event& ev) noexcept {
    if (const auto room = default_session_id(ev)) return *room;
    return resource_key(ev);
}

}  // namespace lkwebhook::detail

#endif  // LKWEBHOOK_IMPL_ASYNC_DISPATCHER_IPP
