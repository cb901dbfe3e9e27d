// session_ledger: call state and summaries under duplicates, reordering,
// missing events, reused room names and late events (catalogue M1-M4).

#include <lkwebhook/dispatch.hpp>
#include <lkwebhook/session_ledger.hpp>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "dispatch_support/call_sequence.hpp"
#include "support/catch.hpp"

namespace {

using lkwebhook::call_disposition;
using lkwebhook::webhook_event;

webhook_event ev(std::string_view type, std::string_view id, std::int64_t at, std::string_view room_sid = "RM_1",
                 std::string_view participant_sid = {}, std::string_view identity = {},
                 std::int64_t creation_time = 0) {
    webhook_event e;
    e.event = std::string{type};
    e.id = std::string{id};
    e.created_at = at;
    auto& room = e.room.emplace();
    room.sid = std::string{room_sid};
    room.name = "standup-42";
    room.creation_time = creation_time;
    if (!participant_sid.empty()) {
        auto& p = e.participant.emplace();
        p.sid = std::string{participant_sid};
        p.identity = std::string{identity};
    }
    return e;
}

std::vector<webhook_event> call() {
    return {
            ev("room_started", "EV_0", 1000),
            ev("participant_joined", "EV_1", 1005, "RM_1", "PA_a", "alice"),
            ev("participant_joined", "EV_2", 1010, "RM_1", "PA_b", "bob"),
            ev("track_published", "EV_3", 1011, "RM_1", "PA_a", "alice"),
            ev("participant_connection_aborted", "EV_4", 1012, "RM_1", "PA_c", "carol"),
            ev("participant_left", "EV_5", 1050, "RM_1", "PA_b", "bob"),
            ev("participant_left", "EV_6", 1060, "RM_1", "PA_a", "alice"),
            ev("room_finished", "EV_7", 1090),
    };
}

void check_summary(const lkwebhook::call_summary& s) {
    CHECK(s.room.sid == "RM_1");
    CHECK(s.room.name == "standup-42");
    CHECK(s.room.disposition == call_disposition::completed);
    CHECK(s.room.started_at == 1000);
    CHECK(s.room.finished_at == 1090);
    CHECK(s.duration_seconds == 90);
    CHECK(s.participant_count == 2);
    CHECK(s.aborted_count == 1);
    CHECK(s.peak_participants == 2);
    REQUIRE(s.room.participants.size() == 3);
    for (const auto& p : s.room.participants) {
        INFO(p.sid);
        CHECK_FALSE(p.present());
        if (p.sid == "PA_a") {
            CHECK(p.joined_at == 1005);
            CHECK(p.left_at == 1060);
            CHECK(p.identity == "alice");
        }
        if (p.sid == "PA_b") {
            CHECK(p.joined_at == 1010);
            CHECK(p.left_at == 1050);
        }
        if (p.sid == "PA_c") CHECK(p.aborted);
    }
}

}  // namespace

TEST_CASE("an in-order call produces its summary at room_finished", "[session_ledger]") {
    lkwebhook::session_ledger ledger;
    std::optional<lkwebhook::call_summary> summary;
    for (const auto& e : call()) {
        CHECK_FALSE(summary.has_value());
        summary = ledger.apply(e);
    }
    REQUIRE(summary.has_value());
    check_summary(*summary);
    CHECK(ledger.sessions().empty());
    REQUIRE(ledger.summaries().size() == 1);
}

TEST_CASE("duplicated and reordered events give the same summary", "[session_ledger][threat-M1][threat-H1]") {
    std::mt19937 rng(42);
    for (int round = 0; round < 50; ++round) {
        auto events = call();
        auto finished = events.back();
        events.pop_back();
        const auto copy = events;
        events.insert(events.end(), copy.begin(), copy.end());  // every event twice
        std::shuffle(events.begin(), events.end(), rng);
        lkwebhook::session_ledger ledger;
        for (const auto& e : events) CHECK_FALSE(ledger.apply(e).has_value());
        const auto open = ledger.find("RM_1");
        REQUIRE(open.has_value());
        CHECK(open->duplicates == copy.size());
        CHECK(open->present_count() == 0);
        const auto summary = ledger.apply(finished);
        REQUIRE(summary.has_value());
        check_summary(*summary);
    }
}

TEST_CASE("participant_left before participant_joined leaves the participant absent", "[session_ledger][threat-M1]") {
    lkwebhook::session_ledger ledger;
    (void)ledger.apply(ev("participant_left", "EV_l", 1020, "RM_1", "PA_x", "xavier"));
    (void)ledger.apply(ev("participant_joined", "EV_j", 1010, "RM_1", "PA_x", "xavier"));
    const auto room = ledger.find("RM_1");
    REQUIRE(room.has_value());
    REQUIRE(room->participants.size() == 1);
    CHECK_FALSE(room->participants[0].present());
    CHECK(room->participants[0].joined_at == 1010);
    CHECK(room->participants[0].left_at == 1020);
    // A reconnect is a new participant sid: present again.
    (void)ledger.apply(ev("participant_joined", "EV_j2", 1030, "RM_1", "PA_x2", "xavier"));
    CHECK(ledger.find("RM_1")->present_count() == 1);
}

TEST_CASE("late events for a finished room are ignored: the room is tombstoned", "[session_ledger][threat-M4]") {
    lkwebhook::session_ledger ledger;
    for (const auto& e : call()) (void)ledger.apply(e);
    CHECK_FALSE(ledger.apply(ev("participant_left", "EV_late", 1091, "RM_1", "PA_a", "alice")).has_value());
    CHECK_FALSE(ledger.apply(ev("room_finished", "EV_7b", 1092)).has_value());
    CHECK(ledger.sessions().empty());
    CHECK(ledger.late_events() == 2);
    CHECK(ledger.summaries().size() == 1);
}

TEST_CASE("a reused room name is a different call (keyed by room sid)", "[session_ledger][threat-M3]") {
    lkwebhook::session_ledger ledger;
    for (const auto& e : call()) (void)ledger.apply(e);
    (void)ledger.apply(ev("room_started", "EV_n0", 2000, "RM_2"));
    (void)ledger.apply(ev("participant_joined", "EV_n1", 2001, "RM_2", "PA_z", "zoe"));
    const auto sessions = ledger.sessions();
    REQUIRE(sessions.size() == 1);
    CHECK(sessions[0].sid == "RM_2");
    CHECK(sessions[0].name == "standup-42");
    CHECK(sessions[0].present_count() == 1);
}

TEST_CASE("a call without room_started starts at room.creationTime", "[session_ledger][threat-M2]") {
    lkwebhook::session_ledger ledger;
    (void)ledger.apply(ev("participant_joined", "EV_1", 1005, "RM_9", "PA_a", "alice", 990));
    const auto s = ledger.apply(ev("room_finished", "EV_2", 1100, "RM_9", {}, {}, 990));
    REQUIRE(s.has_value());
    CHECK_FALSE(s->room.start_seen);
    CHECK(s->room.started_at == 990);
    CHECK(s->duration_seconds == 110);
    // Still present at the end: closed with the room.
    REQUIRE(s->room.participants.size() == 1);
    CHECK(s->room.participants[0].left_at == 1100);
}

TEST_CASE("the ledger stays bounded: the least recently updated room is evicted", "[session_ledger]") {
    lkwebhook::session_ledger_options options;
    options.max_rooms = 2;
    lkwebhook::session_ledger ledger{options};
    (void)ledger.apply(ev("room_started", "EV_a", 10, "RM_a"));
    (void)ledger.apply(ev("room_started", "EV_b", 20, "RM_b"));
    (void)ledger.apply(ev("room_started", "EV_c", 30, "RM_c"));
    CHECK(ledger.evicted_rooms() == 1);
    CHECK_FALSE(ledger.find("RM_a").has_value());
    REQUIRE(ledger.summaries().size() == 1);
    CHECK(ledger.summaries()[0].room.disposition == call_disposition::evicted);
}

TEST_CASE("the ledger is a SessionCorrelator fed by verify_and_dispatch", "[session_ledger][dispatch]") {
    STATIC_REQUIRE(lkwebhook::SessionCorrelator<lkwebhook::session_ledger>);
    std::vector<lkwebhook::call_summary> finished;
    lkwebhook::session_ledger_options options;
    options.on_summary = [&](const lkwebhook::call_summary& s) { finished.push_back(s); };
    lkwebhook::session_ledger ledger{options};
    const auto keys = lkwebhook::static_key::make(lkwebhook_test::api_key, lkwebhook_test::api_secret).value();
    lkwebhook::memory_store store;
    for (const auto& r : lkwebhook_test::call_sequence("standup-42", "EV_l")) {
        CHECK(lkwebhook::verify_and_dispatch(r.body, r.authorization, keys, ledger, store).status == 200);
    }
    REQUIRE(finished.size() == 1);
    CHECK(finished[0].room.name == "standup-42");
    CHECK(finished[0].participant_count == 2);
    CHECK(finished[0].peak_participants == 2);
    CHECK(finished[0].duration_seconds == 1767260400 + 8 - 1767259800);
}

TEST_CASE("apply_event says what happened to each event", "[session_ledger][threat-M4]") {
    using kind = lkwebhook::ledger_update::kind;
    lkwebhook::session_ledger ledger;
    const auto events = call();
    CHECK(ledger.apply_event(events[0]).what == kind::opened);
    const auto joined = ledger.apply_event(events[1]);
    CHECK(joined.what == kind::applied);
    CHECK(joined.known_session());
    CHECK(ledger.apply_event(events[1]).what == kind::duplicate);
    webhook_event job;
    job.event = "agent_job_started";
    CHECK(ledger.apply_event(job).what == kind::no_room);
    const auto finished = ledger.apply_event(events.back());
    CHECK(finished.what == kind::finished);
    REQUIRE(finished.summary.has_value());
    const auto late = ledger.apply_event(events[2]);
    CHECK(late.what == kind::late);
    CHECK_FALSE(late.known_session());
    CHECK(lkwebhook::to_string(kind::late) == "late");
}

TEST_CASE("summaries render readably with user-chosen names escaped", "[session_ledger][threat-L2]") {
    lkwebhook::session_ledger ledger;
    auto events = call();
    events[1].participant->identity = "alice\n[ERROR] fake";
    std::optional<lkwebhook::call_summary> s;
    for (const auto& e : events) s = ledger.apply(e);
    REQUIRE(s.has_value());
    const std::string text = lkwebhook::to_string(*s);
    CHECK(text.find("call summary: duration=90s participants=2 peak=2 aborted=1\n") == 0);
    CHECK(text.find("room \"standup-42\" sid=\"RM_1\" disposition=completed") != std::string::npos);
    CHECK(text.find("participant \"alice\\x0a[ERROR] fake\" sid=\"PA_a\" left joined_at=1005 left_at=1060\n") !=
          std::string::npos);
    CHECK(text.find("\n[ERROR]") == std::string::npos);
}

TEST_CASE("presence comes from participant events, never from the stale numParticipants",
          "[session_ledger][threat-M5]") {
    lkwebhook::session_ledger ledger;
    auto started = ev("room_started", "EV_0", 1000);
    started.room->num_participants = 7;  // stale or wrong: must not count
    (void)ledger.apply(started);
    auto joined = ev("participant_joined", "EV_1", 1001, "RM_1", "PA_a", "alice");
    joined.room->num_participants = 0;
    (void)ledger.apply(joined);
    const auto room = ledger.find("RM_1");
    REQUIRE(room.has_value());
    CHECK(room->present_count() == 1);
}
