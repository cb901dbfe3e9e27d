#ifndef LKWEBHOOK_EVENTS_HPP
#define LKWEBHOOK_EVENTS_HPP

// Typed LiveKit webhook events: livekit.WebhookEvent and every message (58)
// and enum (36) it reaches, as plain C++ structs. No simdjson, no OpenSSL:
// correlator code that only reads events compiles fast.
//
// Model (tests/vectors/wire-format.md sections 4, 7, 8):
//  - every message is a struct named after the proto message in snake_case
//    (livekit.ParticipantInfo -> participant_info), its members named after
//    the proto fields (joined_at_ms); see events/schema.hpp for the full list;
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
//
// Where things are: the structs and enums in events/schema.hpp, the field
// containers in events/field_types.hpp, event_type in events/event_type.hpp.
// They, and the descriptor tables the decoder and encoder walk
// (detail/schema_traits.hpp, not included here: correlator code that only
// reads events does not compile them), are generated from cmake/schema.txt
// by `python3 cmake/generate_events.py` (committed; the build never runs
// it; the test tests/schema fails when they drift apart). A field LiveKit
// adds is one line of schema.txt; the decoder and encoder need no change.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "events/event_type.hpp"
#include "events/field_types.hpp"
#include "events/schema.hpp"  // IWYU pragma: export

namespace lkwebhook {

/// Satisfied by every generated enum (those with an enum_traits table).
template <class E>
concept proto_enum = std::is_enum_v<E> && requires {
    enum_traits<E>::info;
};

/// Satisfied by every generated message struct.
template <class T>
concept proto_message = std::is_class_v<T> && !proto_message_name<T>.empty();

/// The proto name of an enum value ("EGRESS_COMPLETE"); empty for a number
/// the schema does not know (open enum: print the number instead).
template <proto_enum E>
[[nodiscard]] constexpr std::string_view to_string(E value) noexcept {
    return enum_traits<E>::info.name_of(static_cast<std::int32_t>(value));
}

/// The value named `name` (exact proto name), or nullopt.
template <proto_enum E>
[[nodiscard]] constexpr std::optional<E> enum_from_name(std::string_view name) noexcept {
    // Indexes rather than comparing a found pointer with nullptr: g++ 12 with
    // -fsanitize=undefined rejects that comparison in constant evaluation.
    const detail::enum_info& info = enum_traits<E>::info;
    for (std::size_t i = 0; i < info.size; ++i) {
        if (info.values[i].name == name) return static_cast<E>(info.values[i].number);
    }
    return std::nullopt;
}

/// True when the schema compiled into this version names `value`.
template <proto_enum E>
[[nodiscard]] constexpr bool is_known(E value) noexcept {
    return !to_string(value).empty();
}

}  // namespace lkwebhook

#endif  // LKWEBHOOK_EVENTS_HPP
