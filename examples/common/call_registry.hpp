// The application side of the two example servers (examples/httplib, examples/beast), in one
// home: `call_registry`, the in-memory registry of calls a voice backend keeps, built on
// lkwebhook::session_ledger, the log lines both servers print, and the text of their read-only
// endpoints GET /sessions and GET /events. Copy it along with the server you start from.
//
// In a real backend this is where a room becomes "your" session: on_event is the one entry
// point lkwebhook calls for every verified, first-seen event.

#ifndef LKWEBHOOK_EXAMPLES_COMMON_CALL_REGISTRY_HPP
#define LKWEBHOOK_EXAMPLES_COMMON_CALL_REGISTRY_HPP

#include <lkwebhook/correlator.hpp>
#include <lkwebhook/events.hpp>
#include <lkwebhook/outcome.hpp>
#include <lkwebhook/session_ledger.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <iostream>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

namespace examples {

// Whole lines on standard output from any thread, flushed at once (the demo and the tests read
// them while the server runs).
class line_log {
public:
    void line(const std::string& text) {
        std::lock_guard lock(mutex_);
        std::cout << text << std::endl;
    }

private:
    std::mutex mutex_;
};

// Attacker-influenced text (ids, names) is printed escaped and bounded (the library's escaping,
// without its quotes).
inline std::string printable(std::string_view text) {
    lkwebhook::diagnosis d;
    d.append_escaped(text);
    std::string_view v = d.view();
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    return std::string(v);
}

// The `[webhook] STATUS NAME: ...` line both servers print for every webhook request.
inline std::string describe_outcome(const lkwebhook::outcome& o, std::string_view accepted_note = {}) {
    std::ostringstream line;
    line << "[webhook] " << o.status << ' ' << o.name() << ':';
    if (o.type != lkwebhook::event_type::unknown || !o.event_id().empty()) {
        const std::string_view type_name = lkwebhook::to_string(o.type);
        line << ' ' << (type_name.empty() ? std::string_view{"unknown event"} : type_name) << ' '
             << printable(o.event_id());
    }
    if (o.duplicate && o.acknowledged()) line << " (already handled: not dispatched again)";
    if (o.delivery == lkwebhook::delivery::session_not_found)
        line << " (session not found: acknowledged, a retry cannot help)";
    if (o.delivery == lkwebhook::delivery::unmapped) line << " (maps to no session: acknowledged)";
    if (o.ok() && !accepted_note.empty()) line << " (" << accepted_note << ')';
    // The diagnosis is for our log only; the sender got a generic body.
    if (!o.acknowledged() && !o.why.empty()) line << ' ' << o.why.view();
    return line.str();
}

// Human-readable views of the ledger's state (times relative to the call's start).
inline std::string describe_room(const lkwebhook::room_state& room) {
    std::ostringstream out;
    out << printable(room.name) << ": " << room.present_count() << " present";
    const char* separator = " (";
    for (const auto& p : room.participants) {
        if (!p.present()) continue;
        out << separator << printable(p.identity);
        separator = ", ";
    }
    if (separator[0] == ',') out << ')';
    return out.str();
}

inline std::string describe_summary(const lkwebhook::call_summary& s) {
    std::ostringstream out;
    const auto& room = s.room;
    out << "call " << printable(room.name) << " (" << printable(room.sid) << ") "
        << lkwebhook::to_string(room.disposition) << ": " << s.duration_seconds << " s, " << s.participant_count
        << " participant(s), at most " << s.peak_participants << " at once, " << s.aborted_count
        << " aborted connection(s)";
    for (const auto& p : room.participants) {
        out << "\n  " << printable(p.identity) << " (" << printable(p.sid) << "): ";
        if (p.joined) {
            out << "joined at +" << (p.joined_at - room.started_at) << " s, left at +" << (p.left_at - room.started_at)
                << " s";
        } else if (p.aborted) {
            out << "never became active (connection aborted)";
        } else {
            out << "left at +" << (p.left_at - room.started_at) << " s (its join was never seen)";
        }
    }
    return out.str();
}

// One column of a GET /events line: escaped like the log, and a space (which separates the
// columns) as \x20, so every line splits into exactly three fields.
inline std::string column(std::string_view text) {
    std::string out;
    for (const char c : printable(text)) {
        if (c == ' ') {
            out += "\\x20";
        } else {
            out += c;
        }
    }
    return out.empty() ? std::string("-") : out;
}

// The SessionCorrelator of both servers: the application's registry of calls. Thread-safe:
// request threads (cpp-httplib) and async_dispatcher's workers call it, the GET handlers read
// it. One mutex serializes it (the ledger is cheap, and this keeps each event's log lines
// together).
class call_registry {
public:
    // How many handled events GET /events lists (about 100 bytes each): enough for the last
    // hours of a busy backend, bounded so that the list never grows without limit.
    static constexpr std::size_t recent_events_kept = 10000;

    call_registry(line_log& log, bool verbose) : log_(log), verbose_(verbose) {}

    lkwebhook::handler_result on_event(const lkwebhook::webhook_event& ev) {
        std::lock_guard lock(mutex_);
        remember(ev);
        if (!ev.room) return lkwebhook::handler_result::ok();  // agent jobs: not a call event

        const lkwebhook::ledger_update update = ledger_.apply_event(ev);
        if (update.what == lkwebhook::ledger_update::kind::late) {
            // The room already finished: the call is closed and stays closed (catalogue M4).
            if (verbose_)
                log_.line("[ledger] " + printable(ev.room->name) + ": late " + ev.event +
                          " ignored, the call already finished");
            return lkwebhook::handler_result::session_not_found();
        }
        if (!verbose_) return lkwebhook::handler_result::ok();
        if (update.summary) {
            log_.line("[ledger] " + printable(ev.room->name) + ": call finished");
            std::istringstream lines(describe_summary(*update.summary));
            for (std::string line; std::getline(lines, line);) log_.line("[summary] " + line);
        } else if (const auto room = ledger_.find(ev.room->sid)) {
            std::string what;
            if (ev.participant) what = printable(ev.participant->identity) + " ";
            switch (ev.type()) {
                case lkwebhook::event_type::room_started: what = "call started; "; break;
                case lkwebhook::event_type::participant_joined: what += "joined; "; break;
                case lkwebhook::event_type::participant_left: what += "left; "; break;
                case lkwebhook::event_type::participant_connection_aborted: what += "never connected; "; break;
                case lkwebhook::event_type::track_published:
                case lkwebhook::event_type::track_unpublished:
                    what += std::string(ev.type() == lkwebhook::event_type::track_published ? "published "
                                                                                            : "unpublished ") +
                            (ev.track ? std::string(lkwebhook::to_string(ev.track->source)) : std::string("a track")) +
                            "; ";
                    break;
                default: what = ev.event + "; ";
            }
            log_.line("[ledger] " + printable(room->name) + ": " + what +
                      describe_room(*room).substr(printable(room->name).size() + 2));
        }
        return lkwebhook::handler_result::ok();
    }

    // The ledger's open calls and recent summaries, as text (GET /sessions).
    [[nodiscard]] std::string sessions_text() const {
        std::lock_guard lock(mutex_);
        std::ostringstream out;
        out << "open calls:\n";
        for (const auto& room : ledger_.sessions()) out << "  " << describe_room(room) << "\n";
        out << "finished calls (most recent last):\n";
        for (const auto& s : ledger_.summaries()) {
            std::istringstream lines(describe_summary(s));
            std::string indent = "  ";
            for (std::string line; std::getline(lines, line); indent = "    ") out << indent << line << "\n";
        }
        return out.str();
    }

    // The events this registry was handed, oldest first, as text (GET /events): the first
    // question about a webhook that "never fired" is whether it arrived at all. The first line
    // counts them; then one `<event id> <event name> <room name>` line per event (`-` for an
    // empty field; column() escapes), the last recent_events_kept of them. Only verified,
    // first-seen events get here: LiveKit's retries of a handled event and rejected requests
    // never do.
    [[nodiscard]] std::string events_text() const {
        std::lock_guard lock(mutex_);
        std::string out = "handled " + std::to_string(handled_total_) + " event(s); the last " +
                          std::to_string(recent_.size()) + " follow, oldest first (id event room)\n";
        for (const auto& e : recent_) out += e.id + ' ' + e.event + ' ' + e.room + '\n';
        return out;
    }

private:
    struct handled_event {
        std::string id;
        std::string event;
        std::string room;
    };

    void remember(const lkwebhook::webhook_event& ev) {
        ++handled_total_;
        if (recent_.size() == recent_events_kept) recent_.pop_front();
        recent_.push_back({column(ev.id), column(ev.event), column(ev.room ? ev.room->name : std::string_view{})});
    }

    mutable std::mutex mutex_;
    lkwebhook::session_ledger ledger_;
    std::deque<handled_event> recent_;
    std::uint64_t handled_total_ = 0;
    line_log& log_;
    bool verbose_;
};

}  // namespace examples

#endif  // LKWEBHOOK_EXAMPLES_COMMON_CALL_REGISTRY_HPP
