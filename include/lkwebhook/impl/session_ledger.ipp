#ifndef LKWEBHOOK_IMPL_SESSION_LEDGER_IPP
#define LKWEBHOOK_IMPL_SESSION_LEDGER_IPP

// The session ledger's implementation (session_ledger.hpp is its interface).
// Included by session_ledger.hpp in the default header-only mode, by <lkwebhook/src.hpp>
// only with LKWEBHOOK_SEPARATE_COMPILATION (config.hpp).

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

#include "../config.hpp"
#include "../session_ledger.hpp"

namespace lkwebhook {

LKWEBHOOK_DECL std::size_t room_state::present_count() const noexcept {
    return static_cast<std::size_t>(
            std::count_if(participants.begin(), participants.end(), [](const auto& p) { return p.present(); }));
}

LKWEBHOOK_DECL std::int64_t room_state::duration_seconds() const noexcept {
    return finished_at > started_at && started_at > 0 ? finished_at - started_at : 0;
}

LKWEBHOOK_DECL bool ledger_update::known_session() const noexcept {
    return what == kind::applied || what == kind::finished || what == kind::duplicate;
}

}  // namespace lkwebhook

namespace lkwebhook::detail {

LKWEBHOOK_DECL void append_display(std::string& out, std::string_view text) {
    // Names are chosen by end users (participants, catalogue.md#attackers): escape, truncate (L2).
    diagnosis d;
    d.append_escaped(text);
    out += d.view();
}

}  // namespace lkwebhook::detail

namespace lkwebhook {

LKWEBHOOK_DECL std::string to_string(const room_state& room) {
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

LKWEBHOOK_DECL std::string to_string(const call_summary& summary) {
    std::string s = "call summary: duration=" + std::to_string(summary.duration_seconds) +
                    "s participants=" + std::to_string(summary.participant_count) +
                    " peak=" + std::to_string(summary.peak_participants) +
                    " aborted=" + std::to_string(summary.aborted_count) + "\n";
    s += to_string(summary.room);
    return s;
}

LKWEBHOOK_DECL ledger_update session_ledger::apply_event(const webhook_event& ev) {
    std::lock_guard lock(mutex_);
    ledger_update update = apply_locked(ev);
    if (update.summary) remember(*update.summary);
    return update;
}

LKWEBHOOK_DECL handler_result session_ledger::on_event(const webhook_event& ev) {
    auto summary = apply(ev);
    if (summary && options_.on_summary) options_.on_summary(*summary);
    return handler_result::ok();
}

LKWEBHOOK_DECL std::vector<room_state> session_ledger::sessions() const {
    std::lock_guard lock(mutex_);
    std::vector<room_state> out;
    out.reserve(rooms_.size());
    for (const auto& [sid, room] : rooms_) out.push_back(room);
    return out;
}

LKWEBHOOK_DECL std::optional<room_state> session_ledger::find(std::string_view room_sid) const {
    std::lock_guard lock(mutex_);
    const auto it = rooms_.find(room_sid);
    if (it == rooms_.end()) return std::nullopt;
    return it->second;
}

LKWEBHOOK_DECL std::vector<call_summary> session_ledger::summaries() const {
    std::lock_guard lock(mutex_);
    return {recent_.begin(), recent_.end()};
}

LKWEBHOOK_DECL std::uint64_t session_ledger::late_events() const {
    std::lock_guard lock(mutex_);
    return late_events_;
}

LKWEBHOOK_DECL std::uint64_t session_ledger::evicted_rooms() const {
    std::lock_guard lock(mutex_);
    return evicted_;
}

LKWEBHOOK_DECL std::string session_ledger::room_key(const webhook_event& ev) {
    return ev.room->sid.empty() ? "name:" + ev.room->name : ev.room->sid;
}

LKWEBHOOK_DECL ledger_update session_ledger::apply_locked(const webhook_event& ev) {
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

LKWEBHOOK_DECL participant_record* session_ledger::participant_of(room_state& room, const webhook_event& ev) {
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

LKWEBHOOK_DECL call_summary session_ledger::close(room_state& room) {
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

LKWEBHOOK_DECL void session_ledger::tombstone(const std::string& key, std::int64_t at) {
    if (tombstones_.insert(key).second) tombstone_order_.emplace_back(key, at);
    while (tombstone_order_.size() > options_.max_tombstones) {
        tombstones_.erase(tombstone_order_.front().first);
        tombstone_order_.pop_front();
    }
}

LKWEBHOOK_DECL void session_ledger::expire_tombstones(std::int64_t now) {
    while (!tombstone_order_.empty() && now - tombstone_order_.front().second > options_.tombstone_seconds) {
        tombstones_.erase(tombstone_order_.front().first);
        tombstone_order_.pop_front();
    }
}

LKWEBHOOK_DECL void session_ledger::evict_oldest() {
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

LKWEBHOOK_DECL void session_ledger::remember(const call_summary& s) {
    recent_.push_back(s);
    while (recent_.size() > options_.max_recent_summaries) recent_.pop_front();
}

}  // namespace lkwebhook

#endif  // LKWEBHOOK_IMPL_SESSION_LEDGER_IPP
