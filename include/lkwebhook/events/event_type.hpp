#ifndef LKWEBHOOK_EVENTS_EVENT_TYPE_HPP
#define LKWEBHOOK_EVENTS_EVENT_TYPE_HPP

// event_type: the LiveKit webhook event names as an enum. Part of
// <lkwebhook/events.hpp> (include that); separate so the generated
// events/schema.hpp compiles on its own.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace lkwebhook {

/// Every event name LiveKit defines (tests/vectors/wire-format.md section 6), plus
/// `unknown` for names this version does not know (the name itself stays in
/// webhook_event::event, so nothing is lost).
enum class event_type : std::uint8_t {
    unknown,
    room_started,
    room_finished,
    participant_joined,
    participant_left,
    participant_connection_aborted,
    track_published,
    track_unpublished,
    egress_started,
    egress_updated,
    egress_ended,
    ingress_started,
    ingress_ended,
    agent_job_started,
    agent_job_ended,
};

/// Number of named event types (without `unknown`).
inline constexpr std::size_t event_type_count = 14;

namespace detail {
inline constexpr std::array<std::string_view, event_type_count + 1> event_type_names{
        "",
        "room_started",
        "room_finished",
        "participant_joined",
        "participant_left",
        "participant_connection_aborted",
        "track_published",
        "track_unpublished",
        "egress_started",
        "egress_updated",
        "egress_ended",
        "ingress_started",
        "ingress_ended",
        "agent_job_started",
        "agent_job_ended",
};
}  // namespace detail

/// LiveKit's wire name ("room_started"); empty for event_type::unknown and
/// for values outside the enumeration.
[[nodiscard]] constexpr std::string_view to_string(event_type type) noexcept {
    const auto index = static_cast<std::size_t>(type);
    return index < detail::event_type_names.size() ? detail::event_type_names[index] : std::string_view{};
}

/// The event_type of a wire name (exact, case-sensitive); unknown otherwise.
[[nodiscard]] constexpr event_type event_type_from_name(std::string_view name) noexcept {
    if (name.empty()) return event_type::unknown;
    for (std::size_t i = 1; i < detail::event_type_names.size(); ++i) {
        if (detail::event_type_names[i] == name) return static_cast<event_type>(i);
    }
    return event_type::unknown;
}

}  // namespace lkwebhook

#endif  // LKWEBHOOK_EVENTS_EVENT_TYPE_HPP
