#ifndef LKWEBHOOK_DELIVERY_HPP
#define LKWEBHOOK_DELIVERY_HPP

// delivery: what became of one authenticated event at the correlator. It is
// reported by correlate() (correlation::result), in every outcome
// (outcome::delivery), counted by type in the metrics, and rendered by name in
// logs, so that no acknowledged event disappears without a trace.
//
// Thread-safety: plain values.

#include <cstdint>
#include <string_view>

namespace lkwebhook {

/// What happened to an event at the correlator.
enum class delivery : std::uint8_t {
    none,               ///< not handed to the correlator: rejected, duplicate, or not decoded yet
    handled,            ///< a handler ran and succeeded
    no_handler,         ///< the correlator has no handler for this type: acknowledged
    unmapped,           ///< the event maps to no session id: on_session_not_found(ev, "") was told
    session_not_found,  ///< find_session (or the handler) reported no session
    failed,             ///< the handler reported a transient failure or threw
    queued,             ///< accepted by async_dispatcher; a worker delivers it later
};

/// The stable snake_case name of `d` ("handled", "unmapped", ...).
[[nodiscard]] constexpr std::string_view to_string(delivery d) noexcept {
    switch (d) {
        case delivery::none: return "none";
        case delivery::handled: return "handled";
        case delivery::no_handler: return "no_handler";
        case delivery::unmapped: return "unmapped";
        case delivery::session_not_found: return "session_not_found";
        case delivery::failed: return "failed";
        case delivery::queued: return "queued";
    }
    return "none";
}

}  // namespace lkwebhook

#endif  // LKWEBHOOK_DELIVERY_HPP
