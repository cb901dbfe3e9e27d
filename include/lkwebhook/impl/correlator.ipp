#ifndef LKWEBHOOK_IMPL_CORRELATOR_IPP
#define LKWEBHOOK_IMPL_CORRELATOR_IPP

// The non-template parts of correlator.hpp (their declarations are there).
// Included by correlator.hpp in the default header-only mode, by <lkwebhook/src.hpp>
// only with LKWEBHOOK_SEPARATE_COMPILATION (config.hpp).

#include <chrono>
#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "../config.hpp"
#include "../correlator.hpp"

namespace lkwebhook::detail {

LKWEBHOOK_DECL std::optional<std::string_view> non_empty(const std::string& text) noexcept {
    if (text.empty()) return std::nullopt;
    return std::string_view{text};
}

LKWEBHOOK_DECL std::optional<std::string_view> top_level_room(const webhook_event& ev) noexcept {
    return ev.room ? non_empty(ev.room->name) : std::nullopt;
}

LKWEBHOOK_DECL std::optional<std::string_view> egress_room(const webhook_event& ev) noexcept {
    return ev.egress_info ? non_empty(ev.egress_info->room_name) : std::nullopt;
}

LKWEBHOOK_DECL std::optional<std::string_view> ingress_room(const webhook_event& ev) noexcept {
    return ev.ingress_info ? non_empty(ev.ingress_info->room_name) : std::nullopt;
}

LKWEBHOOK_DECL std::optional<std::string_view> job_room(const webhook_event& ev) noexcept {
    return ev.job && ev.job->room ? non_empty(ev.job->room->name) : std::nullopt;
}

}  // namespace lkwebhook::detail

namespace lkwebhook {

LKWEBHOOK_DECL std::optional<std::string_view> default_session_id(const webhook_event& ev) noexcept {
    std::optional<std::string_view> id;
    switch (ev.type()) {
        case event_type::egress_started:
        case event_type::egress_updated:
        case event_type::egress_ended: id = detail::egress_room(ev); break;
        case event_type::ingress_started:
        case event_type::ingress_ended: id = detail::ingress_room(ev); break;
        case event_type::agent_job_started:
        case event_type::agent_job_ended: id = detail::job_room(ev); break;
        case event_type::unknown:
            id = detail::top_level_room(ev);
            if (!id) id = detail::egress_room(ev);
            if (!id) id = detail::ingress_room(ev);
            if (!id) id = detail::job_room(ev);
            return id;
        default: return detail::top_level_room(ev);
    }
    return id ? id : detail::top_level_room(ev);
}

}  // namespace lkwebhook

namespace lkwebhook::detail {

LKWEBHOOK_DECL void record(const handler_result& r, correlation& out) noexcept {
    switch (r.value()) {
        case handler_result::kind::ok: out.result = correlation::disposition::handled; break;
        case handler_result::kind::session_not_found: out.result = correlation::disposition::session_not_found; break;
        case handler_result::kind::retry:
            out.result = correlation::disposition::failed;
            out.retry_after = r.retry_after();
            break;
    }
}

}  // namespace lkwebhook::detail

#endif  // LKWEBHOOK_IMPL_CORRELATOR_IPP
