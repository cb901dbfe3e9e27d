// SessionCorrelator: what the concept accepts, and how correlate() picks the
// handler, maps and looks up sessions, and converts results and exceptions.

#include <lkwebhook/correlator.hpp>

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "support/catch.hpp"

namespace {

using lkwebhook::correlation;
using lkwebhook::event_type;
using lkwebhook::handler_result;
using lkwebhook::webhook_event;

webhook_event make_event(std::string_view name, std::string_view room_name = "standup-42",
                         std::string_view id = "EV_1") {
    webhook_event ev;
    ev.event = std::string{name};
    ev.id = std::string{id};
    ev.created_at = 1767260400;
    if (!room_name.empty()) {
        auto& room = ev.room.emplace();
        room.name = std::string{room_name};
        room.sid = "RM_t7Hq2WbXk9Lm";
    }
    return ev;
}

// The "three lines" correlator of the issue.
struct only_finished {
    void on_room_finished(const webhook_event&) { ++calls; }
    int calls = 0;
};

struct catch_all {
    handler_result on_event(const webhook_event& ev) {
        seen.push_back(ev.event);
        return handler_result::ok();
    }
    std::vector<std::string> seen;
};

struct with_unknown {
    bool on_unknown(const webhook_event& ev) {
        seen.push_back(ev.event);
        return true;
    }
    void on_event(const webhook_event&) { ++fallback; }
    std::vector<std::string> seen;
    int fallback = 0;
};

struct call_session {
    std::vector<std::string> log;
};

// A correlator with its own session table and custom mapping (room metadata).
struct with_sessions {
    std::map<std::string, call_session, std::less<>> sessions;
    std::vector<std::string> not_found;

    std::optional<std::string_view> session_id(const webhook_event& ev) const {
        if (ev.room && !ev.room->metadata.empty()) return std::string_view{ev.room->metadata};
        return std::nullopt;
    }
    call_session* find_session(std::string_view id) {
        const auto it = sessions.find(id);
        return it == sessions.end() ? nullptr : &it->second;
    }
    void on_room_finished(const webhook_event& ev, call_session& s) { s.log.push_back("finished " + ev.id); }
    void on_participant_joined(const webhook_event& ev) { last_plain = ev.id; }  // no session parameter
    void on_session_not_found(const webhook_event&, std::string_view id) { not_found.emplace_back(id); }
    std::string last_plain;
};

#if LKWEBHOOK_EXCEPTIONS
struct throwing {
    void on_room_started(const webhook_event&) { throw std::runtime_error("backend down"); }
};
#endif

struct failing {
    bool on_room_started(const webhook_event&) { return false; }
    handler_result on_room_finished(const webhook_event&) { return handler_result::retry(std::chrono::seconds{7}); }
    handler_result on_participant_left(const webhook_event&) { return handler_result::session_not_found(); }
};

// Things the concept must reject.
struct no_handlers {
    void unrelated(const webhook_event&) {}
};
struct wrong_argument {
    void on_room_finished(int) {}
};
struct wrong_return {
    int on_room_finished(const webhook_event&) { return 0; }
};
struct good_plus_bad {
    void on_room_started(const webhook_event&) {}
    void on_room_finished(const std::string&) {}
};
struct bad_session_id {
    void on_room_started(const webhook_event&) {}
    int session_id(const webhook_event&) { return 1; }
};
struct bad_find_session {
    void on_room_started(const webhook_event&) {}
    int find_session(std::string_view) { return 1; }
};

}  // namespace

TEST_CASE("SessionCorrelator accepts minimal and rich correlators", "[correlator]") {
    STATIC_REQUIRE(lkwebhook::SessionCorrelator<only_finished>);
    STATIC_REQUIRE(lkwebhook::SessionCorrelator<catch_all>);
    STATIC_REQUIRE(lkwebhook::SessionCorrelator<with_unknown>);
    STATIC_REQUIRE(lkwebhook::SessionCorrelator<with_sessions>);
#if LKWEBHOOK_EXCEPTIONS
    STATIC_REQUIRE(lkwebhook::SessionCorrelator<throwing>);
#endif
    STATIC_REQUIRE(lkwebhook::SessionCorrelator<failing>);
}

TEST_CASE("SessionCorrelator rejects what it should", "[correlator]") {
    STATIC_REQUIRE_FALSE(lkwebhook::SessionCorrelator<int>);
    STATIC_REQUIRE_FALSE(lkwebhook::SessionCorrelator<no_handlers>);
    STATIC_REQUIRE_FALSE(lkwebhook::SessionCorrelator<wrong_argument>);
    STATIC_REQUIRE_FALSE(lkwebhook::SessionCorrelator<wrong_return>);
    STATIC_REQUIRE_FALSE(lkwebhook::SessionCorrelator<good_plus_bad>);
    STATIC_REQUIRE_FALSE(lkwebhook::SessionCorrelator<bad_session_id>);
    STATIC_REQUIRE_FALSE(lkwebhook::SessionCorrelator<bad_find_session>);
}

TEST_CASE("a correlator with only on_room_finished sees only room_finished", "[correlator]") {
    only_finished c;
    for (const auto* name : {"room_started", "participant_joined", "participant_left", "track_published",
                             "egress_ended", "room_updated", ""}) {
        INFO(name);
        const correlation r = lkwebhook::correlate(c, make_event(name));
        CHECK(r.result == correlation::disposition::no_handler);
    }
    CHECK(c.calls == 0);
    CHECK(lkwebhook::correlate(c, make_event("room_finished")).result == correlation::disposition::handled);
    CHECK(c.calls == 1);
}

TEST_CASE("on_event catches every type without a specific handler, including unknown ones",
          "[correlator][threat-G11]") {
    catch_all c;
    for (const auto* name : {"room_started", "egress_updated", "agent_job_ended", "room_updated"}) {
        CHECK(lkwebhook::correlate(c, make_event(name)).result == correlation::disposition::handled);
    }
    CHECK(c.seen == std::vector<std::string>{"room_started", "egress_updated", "agent_job_ended", "room_updated"});
}

TEST_CASE("on_unknown takes unknown event types before on_event", "[correlator][threat-G11]") {
    with_unknown c;
    CHECK(lkwebhook::correlate(c, make_event("room_updated")).result == correlation::disposition::handled);
    CHECK(lkwebhook::correlate(c, make_event("")).result == correlation::disposition::handled);
    CHECK(lkwebhook::correlate(c, make_event("room_started")).result == correlation::disposition::handled);
    CHECK(c.seen == std::vector<std::string>{"room_updated", ""});
    CHECK(c.fallback == 1);
}

TEST_CASE("find_session: the handler gets the session, a missing one is reported, not handled", "[correlator]") {
    with_sessions c;
    c.sessions["call-7"] = {};
    auto ev = make_event("room_finished", "standup-42", "EV_fin");
    ev.room->metadata = "call-7";
    CHECK(lkwebhook::correlate(c, ev).result == correlation::disposition::handled);
    REQUIRE(c.sessions["call-7"].log == std::vector<std::string>{"finished EV_fin"});

    ev.room->metadata = "call-unknown";
    CHECK(lkwebhook::correlate(c, ev).result == correlation::disposition::session_not_found);
    CHECK(c.not_found == std::vector<std::string>{"call-unknown"});

    // The handler needs a session, but the event maps to none: reported to
    // on_session_not_found with an empty id, never dropped silently.
    ev.room->metadata.clear();
    CHECK(lkwebhook::correlate(c, ev).result == correlation::disposition::unmapped);
    CHECK(c.not_found == std::vector<std::string>{"call-unknown", ""});

    // A handler without a session parameter is still gated by the lookup.
    auto joined = make_event("participant_joined", "standup-42", "EV_join");
    joined.room->metadata = "call-7";
    CHECK(lkwebhook::correlate(c, joined).result == correlation::disposition::handled);
    CHECK(c.last_plain == "EV_join");
    joined.room->metadata = "nope";
    joined.id = "EV_join2";
    CHECK(lkwebhook::correlate(c, joined).result == correlation::disposition::session_not_found);
    CHECK(c.last_plain == "EV_join");
    // An event without a mapped session id and a plain handler is handled.
    joined.room->metadata.clear();
    CHECK(lkwebhook::correlate(c, joined).result == correlation::disposition::handled);
    CHECK(c.last_plain == "EV_join2");
}

TEST_CASE("the default session id is the room name", "[correlator]") {
    CHECK(lkwebhook::default_session_id(make_event("room_started", "standup-42")) == std::string_view{"standup-42"});
    CHECK_FALSE(lkwebhook::default_session_id(make_event("agent_job_started", "")).has_value());
}

TEST_CASE("handler failures: false, retry() and exceptions become failed", "[correlator][threat-J5]") {
    failing f;
    const auto started = lkwebhook::correlate(f, make_event("room_started"));
    CHECK(started.result == correlation::disposition::failed);
    CHECK(started.retry_after == std::chrono::seconds{1});
    const auto finished = lkwebhook::correlate(f, make_event("room_finished"));
    CHECK(finished.result == correlation::disposition::failed);
    CHECK(finished.retry_after == std::chrono::seconds{7});
    CHECK(lkwebhook::correlate(f, make_event("participant_left")).result ==
          correlation::disposition::session_not_found);
#if LKWEBHOOK_EXCEPTIONS
    throwing t;
    const auto thrown = lkwebhook::correlate(t, make_event("room_started"));
    CHECK(thrown.result == correlation::disposition::failed);
    CHECK(thrown.threw);
#endif
}
