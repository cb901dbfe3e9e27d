#ifndef LKWEBHOOK_EVENTS_HPP
#define LKWEBHOOK_EVENTS_HPP

// Typed LiveKit webhook events: livekit.WebhookEvent and every message (58)
// and enum (36) it reaches, as plain C++ structs. No simdjson, no OpenSSL:
// correlator code that only reads events compiles fast.
//
// Model (shared/spec/wire-format.md sections 4, 7, 8):
//  - every message is a struct named after the proto message in snake_case
//    (livekit.ParticipantInfo -> participant_info), its members named after
//    the proto fields (joined_at_ms); see detail/schema.hpp for the full list;
//  - proto3 implicit-presence scalars are plain values (0, "", false when
//    absent); sub-messages are optional_message<T> (absent differs from {});
//    proto3 `optional` scalars and oneof members are optional_value<T>;
//    repeated fields are repeated<T>; map<string,string> is string_map;
//  - enums are `enum class x : std::int32_t` named after the proto names in
//    lower case (egress_status::egress_complete). They are open: a number this
//    schema does not know (a value LiveKit adds later) is kept as is and
//    re-encoded as a number. to_string(e) gives the proto name ("" if unknown).
//  - webhook_event owns all its data (std::string, heap sub-messages): it can
//    be copied, or moved to another thread. Decoding into the same object
//    again reuses its storage (no allocation once warm).
//
// Thread safety: plain values; const access from several threads is fine.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "detail/field_types.hpp"

namespace lkwebhook {

/// Every event name LiveKit defines (wire-format.md section 6), plus
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

/// Satisfied by every generated enum (those with an enum_traits table).
template <class E>
concept proto_enum = std::is_enum_v<E> && requires { enum_traits<E>::info; };

/// Satisfied by every generated message struct.
template <class T>
concept proto_message = std::is_class_v<T> && requires { message_traits<T>::info; };

/// The proto name of an enum value ("EGRESS_COMPLETE"); empty for a number
/// the schema does not know (open enum: print the number instead).
template <proto_enum E>
[[nodiscard]] constexpr std::string_view to_string(E value) noexcept {
    return enum_traits<E>::info.name_of(static_cast<std::int32_t>(value));
}

/// The value named `name` (exact proto name), or nullopt.
template <proto_enum E>
[[nodiscard]] constexpr std::optional<E> enum_from_name(std::string_view name) noexcept {
    const detail::enum_value* found = enum_traits<E>::info.find(name);
    if (found == nullptr) return std::nullopt;
    return static_cast<E>(found->number);
}

/// True when the schema compiled into this version names `value`.
template <proto_enum E>
[[nodiscard]] constexpr bool is_known(E value) noexcept {
    return !to_string(value).empty();
}

}  // namespace lkwebhook

// The generated structs, enums and descriptors (from shared/spec/schema.txt).
#include "detail/schema.hpp"  // IWYU pragma: export

#endif  // LKWEBHOOK_EVENTS_HPP
