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

#include <algorithm>
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

    [[nodiscard]] std::size_t present_count() const noexcept {
        return static_cast<std::size_t>(
                std::count_if(participants.begin(), participants.end(), [](const auto& p) { return p.present(); }));
    }
    [[nodiscard]] std::int64_t duration_seconds() const noexcept {
        return finished_at > started_at && started_at > 0 ? finished_at - started_at : 0;
    }
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
    [[nodiscard]] bool known_session() const noexcept {
        return what == kind::applied || what == kind::finished || what == kind::duplicate;
    }
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
inline void append_display(std::string& out, std::string_view text) {
    // Names are chosen by end users (participants, catalogue.md#attackers): escape, truncate (L2).
    diagnosis d;
    d.append_escaped(text);
    out += d.view();
}
}  // namespace detail

/// Multi-line human-readable rendering of a room (names escaped and truncated).
[[nodiscard]] inline std::string to_string(const room_state& room) {
    std::string s = "room ";
    detail::append_display(s, room.name);
    s += " sid=";
    detail::append_display(s, room.sid);
    s += " disposition=";
    s += to_string(room.disposition);
    s += " started_at=" + std::to_string(room.started_at);
    if (room.finished_at != 0) s += " finished_at=" + std::to_string(room.finished_at);
    s += " present=" + std::to_string(room.present_count());
    s += " events=" + std::to_string(room.events) + " duplicates=" + std::to_string(room.duplicates) + "\n";
    for (const auto& p : room.participants) {
        s += "  participant ";
        detail::append_display(s, p.identity);
        s += " sid=";
        detail::append_display(s, p.sid);
        s += p.present() ? " present" : (p.aborted ? " aborted" : (p.joined ? " left" : " left-before-join-seen"));
        if (p.joined) s += " joined_at=" + std::to_string(p.joined_at);
        if (p.left) s += " left_at=" + std::to_string(p.left_at);
        s += "\n";
    }
    return s;
}

/// Multi-line human-readable rendering of a call summary.
[[nodiscard]] inline std::string to_string(const call_summary& summary) {
    std::string s = "call summary: duration=" + std::to_string(summary.duration_seconds) +
                    "s participants=" + std::to_string(summary.participant_count) +
                    " peak=" + std::to_string(summary.peak_participants) +
                    " aborted=" + std::to_string(summary.aborted_count) + "\n";
    s += to_string(summary.room);
    return s;
}

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
    ledger_update apply_event(const webhook_event& ev) {
        std::lock_guard lock(mutex_);
        ledger_update update = apply_locked(ev);
        if (update.summary) remember(*update.summary);
        return update;
    }

    /// SessionCorrelator: apply() every event, then on_summary for a finished call.
    handler_result on_event(const webhook_event& ev) {
        auto summary = apply(ev);
        if (summary && options_.on_summary) options_.on_summary(*summary);
        return handler_result::ok();
    }

    /// Snapshot of the open rooms.
    [[nodiscard]] std::vector<room_state> sessions() const {
        std::lock_guard lock(mutex_);
        std::vector<room_state> out;
        out.reserve(rooms_.size());
        for (const auto& [sid, room] : rooms_) out.push_back(room);
        return out;
    }

    /// The open room with this sid, if any.
    [[nodiscard]] std::optional<room_state> find(std::string_view room_sid) const {
        std::lock_guard lock(mutex_);
        const auto it = rooms_.find(room_sid);
        if (it == rooms_.end()) return std::nullopt;
        return it->second;
    }

    /// The most recent finished calls, oldest first.
    [[nodiscard]] std::vector<call_summary> summaries() const {
        std::lock_guard lock(mutex_);
        return {recent_.begin(), recent_.end()};
    }

    /// Events for tombstoned (finished) rooms that were ignored (M4).
    [[nodiscard]] std::uint64_t late_events() const {
        std::lock_guard lock(mutex_);
        return late_events_;
    }
    /// Rooms closed early because max_rooms was reached.
    [[nodiscard]] std::uint64_t evicted_rooms() const {
        std::lock_guard lock(mutex_);
        return evicted_;
    }

private:
    static std::string room_key(const webhook_event& ev) {
        return ev.room->sid.empty() ? "name:" + ev.room->name : ev.room->sid;
    }

    ledger_update apply_locked(const webhook_event& ev) {
        ledger_update update;
        if (!ev.room) return update;
        const std::string key = room_key(ev);
        expire_tombstones(ev.created_at);
        if (tombstones_.count(key) != 0) {
            ++late_events_;
            update.what = ledger_update::kind::late;
            return update;
        }
        auto it = rooms_.find(key);
        update.what = ledger_update::kind::applied;
        if (it == rooms_.end()) {
            update.what = ledger_update::kind::opened;
            if (rooms_.size() >= options_.max_rooms) evict_oldest();
            it = rooms_.emplace(key, room_state{}).first;
            it->second.sid = ev.room->sid;
        }
        room_state& room = it->second;
        std::set<std::string, std::less<>>& seen = seen_ids_[key];
        if (!ev.id.empty() && !seen.insert(ev.id).second) {
            ++room.duplicates;
            update.what = ledger_update::kind::duplicate;
            return update;
        }
        ++room.events;
        if (!ev.room->name.empty()) room.name = ev.room->name;
        if (ev.room->creation_time > 0) {
            room.started_at = ev.room->creation_time;
        } else if (ev.created_at > 0 && (room.started_at == 0 || ev.created_at < room.started_at) && !room.start_seen) {
            room.started_at = ev.created_at;
        }
        room.last_event_at = std::max(room.last_event_at, ev.created_at);

        switch (ev.type()) {
            case event_type::room_started:
                room.start_seen = true;
                if (ev.room->creation_time <= 0 && ev.created_at > 0) room.started_at = ev.created_at;
                break;
            case event_type::participant_joined:
                if (auto* p = participant_of(room, ev)) {
                    p->joined = true;
                    if (p->joined_at == 0 || ev.created_at < p->joined_at) p->joined_at = ev.created_at;
                }
                break;
            case event_type::participant_left:
            case event_type::participant_connection_aborted:
                if (auto* p = participant_of(room, ev)) {
                    p->left = true;
                    p->aborted = p->aborted || ev.type() == event_type::participant_connection_aborted;
                    p->left_at = std::max(p->left_at, ev.created_at);
                }
                break;
            case event_type::room_finished: {
                room.finished_at = ev.created_at;
                room.disposition = call_disposition::completed;
                update.summary = close(room);
                update.what = ledger_update::kind::finished;
                tombstone(key, ev.created_at);
                seen_ids_.erase(key);
                rooms_.erase(it);
                return update;
            }
            default: break;
        }
        return update;
    }

    static participant_record* participant_of(room_state& room, const webhook_event& ev) {
        if (!ev.participant || ev.participant->sid.empty()) return nullptr;
        const auto& sid = ev.participant->sid;
        for (auto& p : room.participants) {
            if (p.sid == sid) {
                if (p.identity.empty()) p.identity = ev.participant->identity;
                return &p;
            }
        }
        participant_record p;
        p.sid = sid;
        p.identity = ev.participant->identity;
        room.participants.push_back(std::move(p));
        return &room.participants.back();
    }

    static call_summary close(room_state& room) {
        call_summary s;
        // Participants still present when the room ended leave with it.
        for (auto& p : room.participants) {
            if (p.present()) {
                p.left = true;
                p.left_at = room.finished_at;
            }
        }
        // Peak concurrency from createdAt intervals (joins before leaves at equal times
        // would overcount a hand-over, so leaves sort first).
        std::vector<std::pair<std::int64_t, int>> edges;
        for (const auto& p : room.participants) {
            if (p.joined) {
                ++s.participant_count;
                edges.emplace_back(p.joined_at, +1);
                edges.emplace_back(p.left ? p.left_at : room.finished_at, -1);
            } else if (p.aborted) {
                ++s.aborted_count;
            }
        }
        std::sort(edges.begin(), edges.end());
        int current = 0;
        for (const auto& [t, delta] : edges) {
            current += delta;
            s.peak_participants = std::max(s.peak_participants, static_cast<std::size_t>(current < 0 ? 0 : current));
        }
        s.duration_seconds = room.duration_seconds();
        s.room = room;
        return s;
    }

    void tombstone(const std::string& key, std::int64_t at) {
        if (tombstones_.insert(key).second) tombstone_order_.emplace_back(key, at);
        while (tombstone_order_.size() > options_.max_tombstones) {
            tombstones_.erase(tombstone_order_.front().first);
            tombstone_order_.pop_front();
        }
    }

    void expire_tombstones(std::int64_t now) {
        while (!tombstone_order_.empty() && now - tombstone_order_.front().second > options_.tombstone_seconds) {
            tombstones_.erase(tombstone_order_.front().first);
            tombstone_order_.pop_front();
        }
    }

    void evict_oldest() {
        auto oldest = rooms_.begin();
        for (auto it = rooms_.begin(); it != rooms_.end(); ++it) {
            if (it->second.last_event_at < oldest->second.last_event_at) oldest = it;
        }
        if (oldest == rooms_.end()) return;
        oldest->second.disposition = call_disposition::evicted;
        oldest->second.finished_at = oldest->second.last_event_at;
        remember(close(oldest->second));
        seen_ids_.erase(oldest->first);
        rooms_.erase(oldest);
        ++evicted_;
    }

    void remember(const call_summary& s) {
        recent_.push_back(s);
        while (recent_.size() > options_.max_recent_summaries) recent_.pop_front();
    }

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

#endif  // LKWEBHOOK_SESSION_LEDGER_HPP
