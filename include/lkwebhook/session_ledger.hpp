#ifndef LKWEBHOOK_SESSION_LEDGER_HPP
#define LKWEBHOOK_SESSION_LEDGER_HPP

// session_ledger: per-room call state built from webhook events, correct
// under LiveKit's delivery semantics (tests/threats/catalogue.md M1-M5): duplicates,
// reordering (participant_left before participant_joined), missing events
// (no room_started; participant_connection_aborted instead of joined/left),
// reused room names, and late events after room_finished. At room_finished it
// produces a call summary.
//
//     lkwebhook::session_ledger ledger{{.on_summary = [](const lkwebhook::call_summary& s) { bill(s); }}};
//     lkwebhook::verify_and_dispatch(body, authorization, keys, ledger, store);   // it is a SessionCorrelator
//     // or, from your own correlator: if (auto s = ledger.apply(ev)) bill(*s);
//
// Rules:
// - Rooms are keyed by room.sid (unique per room instance, M3), the name is
//   for display; participants by participant.sid (a reconnect gets a new sid).
// - A participant is present iff a join was seen and neither a leave nor an
//   abort was: arrival order does not matter, a leave is final for its sid.
// - Times come from createdAt (seconds) and room.creationTime, never from
//   arrival time. The call starts at room.creationTime (else the earliest
//   createdAt seen) and ends at room_finished's createdAt.
// - An event id seen before for the room is ignored (duplicates).
// - After room_finished the room sid is tombstoned (bounded, TTL >= the dedupe
//   TTL, M4): later events for it are ignored and counted, so they cannot
//   resurrect the call.
// - At most max_rooms open rooms (rooms whose room_finished never arrives,
//   M2): beyond that the least recently updated is closed early as `evicted`.
//
// Thread-safety: all member functions may be called concurrently (one mutex);
// on_summary runs on the calling thread after the lock is released.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config.hpp"
#include "correlator.hpp"
#include "error.hpp"
#include "events.hpp"

namespace lkwebhook {

/// One participant (one participant sid) of a call.
struct participant_record {
    std::string sid;
    std::string identity;
    std::int64_t joined_at = 0;  ///< createdAt of participant_joined (0 if not seen)
    std::int64_t left_at = 0;    ///< createdAt of participant_left / _connection_aborted (0 if not seen)
    bool joined = false;
    bool left = false;
    bool aborted = false;  ///< connected but never became active (participant_connection_aborted)
    [[nodiscard]] bool present() const noexcept { return joined && !left; }
};

/// How a call ended.
enum class call_disposition : std::uint8_t {
    open,       ///< still running
    completed,  ///< room_finished arrived
    evicted,    ///< closed early because the ledger was full (its room_finished never came)
};

[[nodiscard]] constexpr std::string_view to_string(call_disposition d) noexcept {
    switch (d) {
        case call_disposition::open: return "open";
        case call_disposition::completed: return "completed";
        case call_disposition::evicted: return "evicted";
    }
    return "unknown";
}

/// The state of one room (one room sid).
struct room_state {
    std::string sid;
    std::string name;
    std::int64_t started_at = 0;   ///< room.creationTime, else the earliest createdAt seen
    std::int64_t finished_at = 0;  ///< createdAt of room_finished
    std::int64_t last_event_at = 0;
    bool start_seen = false;  ///< room_started arrived
    call_disposition disposition = call_disposition::open;
    std::vector<participant_record> participants;  ///< in order of first appearance
    std::uint64_t events = 0;                      ///< events applied (duplicates excluded)
    std::uint64_t duplicates = 0;                  ///< events ignored as duplicates

    [[nodiscard]] LKWEBHOOK_DECL std::size_t present_count() const noexcept;
    [[nodiscard]] LKWEBHOOK_DECL std::int64_t duration_seconds() const noexcept;
};

/// The summary of a finished call.
struct call_summary {
    room_state room;  ///< final state; participants still present were closed at finished_at
    std::int64_t duration_seconds = 0;
    std::size_t participant_count = 0;  ///< distinct participant sids that joined
    std::size_t aborted_count = 0;      ///< connection attempts that never became active
    std::size_t peak_participants = 0;  ///< most participants present at once (by createdAt)
};

/// What apply_event() did with one event.
struct ledger_update {
    enum class kind : std::uint8_t {
        opened,    ///< first event of a room sid: a new open call (room_started, or a later event whose start was lost)
        applied,   ///< applied to an open call
        finished,  ///< room_finished: the call was closed; `summary` is set
        duplicate,  ///< this event id was already applied to the call: ignored
        late,       ///< the room already finished (tombstoned, M4): ignored
        no_room,    ///< the event carries no room (agent jobs, ingress-only): ignored
    };
    kind what = kind::no_room;
    std::optional<call_summary> summary{};
    /// The event belonged to a call that was already open (or just finished).
    [[nodiscard]] LKWEBHOOK_DECL bool known_session() const noexcept;
};

[[nodiscard]] constexpr std::string_view to_string(ledger_update::kind k) noexcept {
    switch (k) {
        case ledger_update::kind::opened: return "opened";
        case ledger_update::kind::applied: return "applied";
        case ledger_update::kind::finished: return "finished";
        case ledger_update::kind::duplicate: return "duplicate";
        case ledger_update::kind::late: return "late";
        case ledger_update::kind::no_room: return "no_room";
    }
    return "unknown";
}

namespace detail {
LKWEBHOOK_DECL void append_display(std::string& out, std::string_view text);
}  // namespace detail

/// Multi-line human-readable rendering of a room (names escaped and truncated).
[[nodiscard]] LKWEBHOOK_DECL std::string to_string(const room_state& room);

/// Multi-line human-readable rendering of a call summary.
[[nodiscard]] LKWEBHOOK_DECL std::string to_string(const call_summary& summary);

struct session_ledger_options {
    std::size_t max_rooms = 10'000;
    std::size_t max_tombstones = 100'000;
    /// How long a finished room sid stays tombstoned, in createdAt seconds (>= dedupe TTL).
    std::int64_t tombstone_seconds = 1200;
    /// Finished calls kept for summaries().
    std::size_t max_recent_summaries = 100;
    /// Called for every finished call, outside the ledger's lock.
    std::function<void(const call_summary&)> on_summary{};
};

/// See the file comment.
class session_ledger {
public:
    explicit session_ledger(session_ledger_options options = {}) : options_(std::move(options)) {}

    session_ledger(const session_ledger&) = delete;
    session_ledger& operator=(const session_ledger&) = delete;

    /// Applies one event; returns the call summary when it finished the call.
    /// Events without a room (agent jobs, ingress-only) are ignored.
    std::optional<call_summary> apply(const webhook_event& ev) { return apply_event(ev).summary; }

    /// Applies one event and says what it did (and the summary when it finished the call).
    LKWEBHOOK_DECL ledger_update apply_event(const webhook_event& ev);

    /// SessionCorrelator: apply() every event, then on_summary for a finished call.
    LKWEBHOOK_DECL handler_result on_event(const webhook_event& ev);

    /// Snapshot of the open rooms.
    [[nodiscard]] LKWEBHOOK_DECL std::vector<room_state> sessions() const;

    /// The open room with this sid, if any.
    [[nodiscard]] LKWEBHOOK_DECL std::optional<room_state> find(std::string_view room_sid) const;

    /// The most recent finished calls, oldest first.
    [[nodiscard]] LKWEBHOOK_DECL std::vector<call_summary> summaries() const;

    /// Events for tombstoned (finished) rooms that were ignored (M4).
    [[nodiscard]] LKWEBHOOK_DECL std::uint64_t late_events() const;
    /// Rooms closed early because max_rooms was reached.
    [[nodiscard]] LKWEBHOOK_DECL std::uint64_t evicted_rooms() const;

private:
    LKWEBHOOK_DECL static std::string room_key(const webhook_event& ev);

    LKWEBHOOK_DECL ledger_update apply_locked(const webhook_event& ev);

    LKWEBHOOK_DECL static participant_record* participant_of(room_state& room, const webhook_event& ev);

    LKWEBHOOK_DECL static call_summary close(room_state& room);

    LKWEBHOOK_DECL void tombstone(const std::string& key, std::int64_t at);

    LKWEBHOOK_DECL void expire_tombstones(std::int64_t now);

    LKWEBHOOK_DECL void evict_oldest();

    LKWEBHOOK_DECL void remember(const call_summary& s);

    session_ledger_options options_;
    mutable std::mutex mutex_;
    std::map<std::string, room_state, std::less<>> rooms_;
    std::map<std::string, std::set<std::string, std::less<>>, std::less<>> seen_ids_;
    std::set<std::string, std::less<>> tombstones_;
    std::deque<std::pair<std::string, std::int64_t>> tombstone_order_;
    std::deque<call_summary> recent_;
    std::uint64_t late_events_ = 0;
    std::uint64_t evicted_ = 0;
};

static_assert(SessionCorrelator<session_ledger>);

}  // namespace lkwebhook

#if LKWEBHOOK_HEADER_ONLY
#include "impl/session_ledger.ipp"
#endif

#endif  // LKWEBHOOK_SESSION_LEDGER_HPP
