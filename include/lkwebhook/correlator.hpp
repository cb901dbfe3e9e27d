#ifndef LKWEBHOOK_CORRELATOR_HPP
#define LKWEBHOOK_CORRELATOR_HPP

// The SessionCorrelator named requirement: how user code receives verified,
// decoded, deduplicated events and maps them to its own sessions.
//
// A correlator that handles one event is three lines:
//
//     struct on_finish {
//         void on_room_finished(const lkwebhook::webhook_event& ev) { close_call(ev.room->name); }
//     };
//
// Everything else is optional and detected at compile time with `requires`.
//
// ## Requirements
//
// Let `C` be a correlator type, `c` an lvalue of type `C`, `ev` a
// `const webhook_event&`, `id` a `std::string_view`, and `s` the lvalue
// `*c.find_session(id)` when C has find_session. Every expression is optional.
//
// clang-format off
// expression                          | return type                   | semantics
// ------------------------------------|-------------------------------|------------------------------------------------
// c.on_<type>(ev)  or  c.on_<type>(ev, s)
//                                     | void, bool or handler_result  | called for events of that type; <type> is each
//                                     |                               | event wire name: room_started, room_finished,
//                                     |                               | participant_joined, participant_left,
//                                     |                               | participant_connection_aborted, track_published,
//                                     |                               | track_unpublished, egress_started, egress_updated,
//                                     |                               | egress_ended, ingress_started, ingress_ended,
//                                     |                               | agent_job_started, agent_job_ended
// c.on_unknown(ev)  / (ev, s)         | as above                      | event types this library does not know (G11);
//                                     |                               | ev.event holds the wire name
// c.on_event(ev)    / (ev, s)         | as above                      | catch-all for every event whose specific handler
//                                     |                               | (or on_unknown) is not defined
// c.session_id(ev)                    | convertible to                | maps an event to the backend's session id;
//                                     | optional<string_view>         | default: default_session_id(ev), the name of
//                                     |                               | the event's room by event family (below)
// c.find_session(id)                  | testable as bool and          | looks a session up; false/null = "not found":
//                                     | dereferenceable to an lvalue  | the handler is not called, on_session_not_found
//                                     | (T*, optional<T>, ...)        | is, outcome.delivery == session_not_found
// c.on_session_not_found(ev, id)      | void, bool or handler_result  | told when find_session found nothing, and with
//                                     |                               | an EMPTY id when the event maps to no session
//                                     |                               | id at all (outcome.delivery == unmapped)
// clang-format on
//
// ## Default correlation (default_session_id)
//
// LiveKit puts the room in a different place for each event family: in the
// *_server_style vectors (tests/vectors/data) only room, participant and
// track events carry a top-level `room`. Some server versions add a `room`
// stub to egress and ingress events too (tests/vectors/wire-format.md
// section 6), so it is the fallback, never the first choice, for them:
//
//     room_started, room_finished, participant_*, track_*  ->  room.name
//     egress_started, egress_updated, egress_ended         ->  egress_info.room_name
//     ingress_started, ingress_ended                       ->  ingress_info.room_name
//     agent_job_started, agent_job_ended                   ->  job.room.name
//     an event type this library does not know            ->  the first of the above that is present
//
// The egress, ingress and agent-job families fall back to `room.name` when
// their own field is empty. A `session_id` member replaces all of this.
//
// ## Nothing is dropped silently
//
// With find_session defined, an event whose handler takes the session but
// that maps to no session id (no room anywhere, or session_id returned none)
// is reported to on_session_not_found(ev, "") and comes out as
// delivery::unmapped; it is acknowledged (a retry cannot give it a room,
// whatever dispatch_options::session_not_found says) and counted by type
// (lkwebhook_events_without_session_total{reason="unmapped"}). A handler that
// takes no session is called for such an event as usual.
//
// At least one handler (on_<type>, on_unknown or on_event) must exist; each
// member with one of these names must have one of the accepted signatures
// (checked with a static_assert that names the member).
//
// Return values: `void` and `true` mean handled; `false` means a transient
// failure (503 handler_failed, LiveKit retries); a `handler_result` says so
// explicitly and can also report session_not_found. An exception thrown by a
// handler (or by session_id/find_session) is caught and becomes
// handler_failed (tests/threats/catalogue.md J5); built with -fno-exceptions nothing is caught.
//
// Events without a matching handler are acknowledged (2xx) and counted; an
// unknown event type is never an error.
//
// Thread-safety: verify_and_dispatch calls the correlator on the caller's
// thread; several request threads may call it concurrently. async_dispatcher
// calls it from its workers, concurrently for different rooms and one event
// at a time per room. Make the correlator thread-safe accordingly.
//
// Session-not-found policy: a retry cannot create a missing session, so it is
// acknowledged (200) by default; dispatch_options::session_not_found can make
// it a 503 instead (for backends whose sessions appear slightly later).

#include <chrono>
#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "config.hpp"
#include "delivery.hpp"
#include "events.hpp"

namespace lkwebhook {

/// What a handler reports (the alternative to returning void or bool).
class handler_result {
public:
    enum class kind : std::uint8_t {
        ok,                 ///< handled
        retry,              ///< transient failure: 503 handler_failed, LiveKit retries
        session_not_found,  ///< the event's session does not exist (acknowledged by default)
    };

    [[nodiscard]] static constexpr handler_result ok() noexcept { return handler_result{kind::ok, {}}; }
    /// A transient failure; `after` becomes the Retry-After header.
    [[nodiscard]] static constexpr handler_result retry(std::chrono::seconds after = std::chrono::seconds{1}) noexcept {
        return handler_result{kind::retry, after};
    }
    [[nodiscard]] static constexpr handler_result session_not_found() noexcept {
        return handler_result{kind::session_not_found, {}};
    }

    [[nodiscard]] constexpr kind value() const noexcept { return kind_; }
    [[nodiscard]] constexpr bool is_ok() const noexcept { return kind_ == kind::ok; }
    [[nodiscard]] constexpr std::chrono::seconds retry_after() const noexcept { return retry_after_; }

    friend constexpr bool operator==(const handler_result&, const handler_result&) = default;

private:
    constexpr handler_result(kind k, std::chrono::seconds after) noexcept : kind_(k), retry_after_(after) {}
    kind kind_;
    std::chrono::seconds retry_after_;
};

namespace detail {

LKWEBHOOK_DECL std::optional<std::string_view> non_empty(const std::string& text) noexcept;
LKWEBHOOK_DECL std::optional<std::string_view> top_level_room(const webhook_event& ev) noexcept;
LKWEBHOOK_DECL std::optional<std::string_view> egress_room(const webhook_event& ev) noexcept;
LKWEBHOOK_DECL std::optional<std::string_view> ingress_room(const webhook_event& ev) noexcept;
LKWEBHOOK_DECL std::optional<std::string_view> job_room(const webhook_event& ev) noexcept;

}  // namespace detail

/// The default session id of an event: the name of its room, read from the
/// field LiveKit fills for the event's family (table at the top of this
/// file); none when that room is absent or unnamed.
[[nodiscard]] LKWEBHOOK_DECL std::optional<std::string_view> default_session_id(const webhook_event& ev) noexcept;

namespace detail {

template <class R>
inline constexpr bool valid_handler_return = std::is_void_v<R> || std::is_same_v<std::remove_cvref_t<R>, bool> ||
                                             std::is_same_v<std::remove_cvref_t<R>, handler_result>;

// clang-format 14 mangles requires-expressions; this block is formatted by hand.
// clang-format off
template <class C>
concept has_find_session = requires(C& c, std::string_view id) { c.find_session(id); };

template <class C>
concept valid_find_session = requires(C& c, std::string_view id) {
    { static_cast<bool>(c.find_session(id)) };
    { *c.find_session(id) };
    requires std::is_lvalue_reference_v<decltype(*c.find_session(id))>;
};

template <class C>
concept has_session_id_member =
    requires { &C::session_id; } || requires(C& c, const webhook_event& ev) { c.session_id(ev); };

template <class C>
concept valid_session_id = requires(C& c, const webhook_event& ev) {
    { c.session_id(ev) } -> std::convertible_to<std::optional<std::string_view>>;
};

template <class C>
struct session_ref {
    using type = void;
};
template <valid_find_session C>
struct session_ref<C> {
    using type = decltype(*std::declval<C&>().find_session(std::string_view{}));
};

// For each handler name: named_X (a member of that name exists), plain_X
// (callable with the event), with_session_X (callable with event and session),
// valid_X (one of the calls is well-formed with an accepted return type).
#define LKWEBHOOK_DETAIL_HANDLER_TRAITS(name)                                                                \
    template <class C>                                                                                       \
    concept plain_##name = requires(C& c, const webhook_event& ev) {                                         \
        c.name(ev);                                                                                          \
        requires valid_handler_return<decltype(c.name(ev))>;                                                 \
    };                                                                                                       \
    template <class C>                                                                                       \
    concept with_session_##name = valid_find_session<C> && requires(C& c, const webhook_event& ev) {         \
        c.name(ev, std::declval<typename session_ref<C>::type>());                                           \
        requires valid_handler_return<decltype(c.name(ev, std::declval<typename session_ref<C>::type>()))>;  \
    };                                                                                                       \
    template <class C>                                                                                       \
    concept valid_##name = plain_##name<C> || with_session_##name<C>;                                        \
    template <class C>                                                                                       \
    concept named_##name =                                                                                   \
        requires { &C::name; } || valid_##name<C> ||                                                         \
        requires(C& c, const webhook_event& ev) { c.name(ev); };

LKWEBHOOK_DETAIL_HANDLER_TRAITS(on_room_started)
LKWEBHOOK_DETAIL_HANDLER_TRAITS(on_room_finished)
LKWEBHOOK_DETAIL_HANDLER_TRAITS(on_participant_joined)
LKWEBHOOK_DETAIL_HANDLER_TRAITS(on_participant_left)
LKWEBHOOK_DETAIL_HANDLER_TRAITS(on_participant_connection_aborted)
LKWEBHOOK_DETAIL_HANDLER_TRAITS(on_track_published)
LKWEBHOOK_DETAIL_HANDLER_TRAITS(on_track_unpublished)
LKWEBHOOK_DETAIL_HANDLER_TRAITS(on_egress_started)
LKWEBHOOK_DETAIL_HANDLER_TRAITS(on_egress_updated)
LKWEBHOOK_DETAIL_HANDLER_TRAITS(on_egress_ended)
LKWEBHOOK_DETAIL_HANDLER_TRAITS(on_ingress_started)
LKWEBHOOK_DETAIL_HANDLER_TRAITS(on_ingress_ended)
LKWEBHOOK_DETAIL_HANDLER_TRAITS(on_agent_job_started)
LKWEBHOOK_DETAIL_HANDLER_TRAITS(on_agent_job_ended)
LKWEBHOOK_DETAIL_HANDLER_TRAITS(on_unknown)
LKWEBHOOK_DETAIL_HANDLER_TRAITS(on_event)
#undef LKWEBHOOK_DETAIL_HANDLER_TRAITS

template <class C>
concept valid_on_session_not_found = requires(C& c, const webhook_event& ev, std::string_view id) {
    c.on_session_not_found(ev, id);
    requires valid_handler_return<decltype(c.on_session_not_found(ev, id))>;
};
template <class C>
concept named_on_session_not_found = requires { &C::on_session_not_found; } || valid_on_session_not_found<C>;
// clang-format on

// clang-format off
#define LKWEBHOOK_DETAIL_ALL_HANDLERS(X)                                                    \
    X(on_room_started) X(on_room_finished)                                                  \
    X(on_participant_joined) X(on_participant_left) X(on_participant_connection_aborted)    \
    X(on_track_published) X(on_track_unpublished)                                           \
    X(on_egress_started) X(on_egress_updated) X(on_egress_ended)                            \
    X(on_ingress_started) X(on_ingress_ended)                                               \
    X(on_agent_job_started) X(on_agent_job_ended)                                           \
    X(on_unknown) X(on_event)
// clang-format on

#define LKWEBHOOK_DETAIL_ANY(name) valid_##name<C> ||
#define LKWEBHOOK_DETAIL_WELL_FORMED(name) (!named_##name<C> || valid_##name<C>)&&

template <class C>
inline constexpr bool any_handler = LKWEBHOOK_DETAIL_ALL_HANDLERS(LKWEBHOOK_DETAIL_ANY) false;

template <class C>
inline constexpr bool handlers_well_formed = LKWEBHOOK_DETAIL_ALL_HANDLERS(LKWEBHOOK_DETAIL_WELL_FORMED) true;

#undef LKWEBHOOK_DETAIL_ANY
#undef LKWEBHOOK_DETAIL_WELL_FORMED

}  // namespace detail

/// The SessionCorrelator named requirement (see the table at the top of this file).
template <class C>
concept SessionCorrelator = std::is_class_v<C> && detail::any_handler<C> && detail::handlers_well_formed<C> &&
        (!detail::has_session_id_member<C> ||
         detail::valid_session_id<C>)&&(!detail::has_find_session<C> ||
                                        detail::valid_find_session<C>)&&(!detail::named_on_session_not_found<C> ||
                                                                         detail::valid_on_session_not_found<C>);

namespace detail {

/// Static assertions with one readable message per broken requirement; the
/// dispatch entry points call it so a mistake reads as a sentence, not as a
/// page of concept-satisfaction notes.
template <class C>
constexpr bool check_correlator() noexcept {
    static_assert(std::is_class_v<C>, "SessionCorrelator: the correlator must be a class type");
#define LKWEBHOOK_DETAIL_CHECK(name)                                                                         \
    static_assert(!named_##name<C> || valid_##name<C>,                                                       \
                  "SessionCorrelator: " #name " must be callable as c." #name                                \
                  "(const lkwebhook::webhook_event&) (or with a session from find_session as 2nd argument) " \
                  "and return void, bool or lkwebhook::handler_result");
    LKWEBHOOK_DETAIL_ALL_HANDLERS(LKWEBHOOK_DETAIL_CHECK)
#undef LKWEBHOOK_DETAIL_CHECK
    static_assert(any_handler<C>,
                  "SessionCorrelator: the correlator defines no handler; define at least one of on_room_started, "
                  "on_room_finished, on_participant_joined, ..., on_unknown or on_event "
                  "(taking const lkwebhook::webhook_event&)");
    static_assert(!has_session_id_member<C> || valid_session_id<C>,
                  "SessionCorrelator: session_id must be callable as c.session_id(const lkwebhook::webhook_event&) "
                  "and return something convertible to std::optional<std::string_view>");
    static_assert(!has_find_session<C> || valid_find_session<C>,
                  "SessionCorrelator: find_session(std::string_view) must return something testable as bool "
                  "and dereferenceable to an lvalue (a pointer or a std::optional)");
    static_assert(!named_on_session_not_found<C> || valid_on_session_not_found<C>,
                  "SessionCorrelator: on_session_not_found must be callable as c.on_session_not_found("
                  "const lkwebhook::webhook_event&, std::string_view) and return void, bool or handler_result");
    return true;
}

template <class R>
constexpr handler_result to_handler_result(R&& r) noexcept {
    if constexpr (std::is_same_v<std::remove_cvref_t<R>, bool>) {
        return r ? handler_result::ok() : handler_result::retry();
    } else {
        return r;
    }
}

template <class F>
handler_result call_handler(F&& f) {
    if constexpr (std::is_void_v<decltype(f())>) {
        f();
        return handler_result::ok();
    } else {
        return to_handler_result(f());
    }
}

}  // namespace detail

/// How one event went through a correlator.
struct correlation {
    /// handled, no_handler, unmapped, session_not_found or failed (never none or queued).
    using disposition = lkwebhook::delivery;
    disposition result = disposition::no_handler;
    std::chrono::seconds retry_after{1};
    bool threw = false;
};

namespace detail {

template <class C>
handler_result report_session_not_found(C& c, const webhook_event& ev, std::string_view id) {
    if constexpr (valid_on_session_not_found<C>) {
        const handler_result told = call_handler([&]() -> decltype(auto) { return c.on_session_not_found(ev, id); });
        if (told.value() == handler_result::kind::retry) return told;
    } else {
        (void)c;
        (void)ev;
        (void)id;
    }
    return handler_result::session_not_found();
}

// The event maps to no session id but its handler needs a session: tell
// on_session_not_found with an empty id (nothing is dropped silently).
template <class C>
void report_unmapped(C& c, const webhook_event& ev, correlation& out) {
    if constexpr (valid_on_session_not_found<C>) {
        const handler_result told =
                call_handler([&]() -> decltype(auto) { return c.on_session_not_found(ev, std::string_view{}); });
        if (told.value() == handler_result::kind::retry) {
            out.result = correlation::disposition::failed;
            out.retry_after = told.retry_after();
            return;
        }
    } else {
        (void)c;
        (void)ev;
    }
    out.result = correlation::disposition::unmapped;
}

LKWEBHOOK_DECL void record(const handler_result& r, correlation& out) noexcept;

// Calls `name` for `ev`, preferring the (event, session) form when a session
// is known; returns false when C has no such handler.
#define LKWEBHOOK_DETAIL_INVOKE(name)                                                                         \
    template <class C>                                                                                        \
    bool invoke_##name(C& c, const webhook_event& ev, std::optional<std::string_view> id, correlation& out) { \
        if constexpr (!valid_##name<C>) {                                                                     \
            (void)c;                                                                                          \
            (void)ev;                                                                                         \
            (void)id;                                                                                         \
            (void)out;                                                                                        \
            return false;                                                                                     \
        } else {                                                                                              \
            handler_result r = handler_result::ok();                                                          \
            if constexpr (valid_find_session<C>) {                                                            \
                if (id) {                                                                                     \
                    auto&& found = c.find_session(*id);                                                       \
                    if (!found) {                                                                             \
                        r = report_session_not_found(c, ev, *id);                                             \
                    } else if constexpr (with_session_##name<C>) {                                            \
                        r = call_handler([&]() -> decltype(auto) { return c.name(ev, *found); });             \
                    } else {                                                                                  \
                        r = call_handler([&]() -> decltype(auto) { return c.name(ev); });                     \
                    }                                                                                         \
                } else if constexpr (plain_##name<C>) {                                                       \
                    r = call_handler([&]() -> decltype(auto) { return c.name(ev); });                         \
                } else {                                                                                      \
                    report_unmapped(c, ev, out); /* needs a session, event maps to none */                    \
                    return true;                                                                              \
                }                                                                                             \
            } else {                                                                                          \
                (void)id;                                                                                     \
                r = call_handler([&]() -> decltype(auto) { return c.name(ev); });                             \
            }                                                                                                 \
            record(r, out);                                                                                   \
            return true;                                                                                      \
        }                                                                                                     \
    }
LKWEBHOOK_DETAIL_ALL_HANDLERS(LKWEBHOOK_DETAIL_INVOKE)
#undef LKWEBHOOK_DETAIL_INVOKE

template <class C>
std::optional<std::string_view> session_id_of(C& c, const webhook_event& ev) {
    if constexpr (valid_session_id<C>) {
        return static_cast<std::optional<std::string_view>>(c.session_id(ev));
    } else {
        return default_session_id(ev);
    }
}

template <class C>
correlation correlate_unchecked(C& c, const webhook_event& ev) {
    correlation out;
    const std::optional<std::string_view> id =
            valid_find_session<C> ? session_id_of(c, ev) : std::optional<std::string_view>{};
    bool called = false;
    switch (ev.type()) {
#define LKWEBHOOK_DETAIL_CASE(type_name) \
    case event_type::type_name: called = invoke_on_##type_name(c, ev, id, out); break;
        LKWEBHOOK_DETAIL_CASE(room_started)
        LKWEBHOOK_DETAIL_CASE(room_finished)
        LKWEBHOOK_DETAIL_CASE(participant_joined)
        LKWEBHOOK_DETAIL_CASE(participant_left)
        LKWEBHOOK_DETAIL_CASE(participant_connection_aborted)
        LKWEBHOOK_DETAIL_CASE(track_published)
        LKWEBHOOK_DETAIL_CASE(track_unpublished)
        LKWEBHOOK_DETAIL_CASE(egress_started)
        LKWEBHOOK_DETAIL_CASE(egress_updated)
        LKWEBHOOK_DETAIL_CASE(egress_ended)
        LKWEBHOOK_DETAIL_CASE(ingress_started)
        LKWEBHOOK_DETAIL_CASE(ingress_ended)
        LKWEBHOOK_DETAIL_CASE(agent_job_started)
        LKWEBHOOK_DETAIL_CASE(agent_job_ended)
#undef LKWEBHOOK_DETAIL_CASE
        default: called = invoke_on_unknown(c, ev, id, out); break;
    }
    if (!called) called = invoke_on_event(c, ev, id, out);
    if (!called) out.result = correlation::disposition::no_handler;
    return out;
}

}  // namespace detail

#undef LKWEBHOOK_DETAIL_ALL_HANDLERS

/// Hands one authenticated event to a correlator: picks the handler, maps and
/// looks up the session, converts the handler's return value, and turns an
/// exception into `failed` (J5). Used by verify_and_dispatch and
/// async_dispatcher; callable directly (e.g. to replay stored events).
template <class C>
[[nodiscard]] correlation correlate(C& correlator, const webhook_event& ev) noexcept {
    static_assert(detail::check_correlator<C>());
    return detail::fail_closed([&] { return detail::correlate_unchecked(correlator, ev); },
                               [] {
                                   correlation out;
                                   out.result = correlation::disposition::failed;
                                   out.threw = true;
                                   return out;
                               });
}

}  // namespace lkwebhook

#if LKWEBHOOK_HEADER_ONLY
#include "impl/correlator.ipp"
#endif

#endif  // LKWEBHOOK_CORRELATOR_HPP
