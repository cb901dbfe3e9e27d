// Default correlation against events as LiveKit sends them: for each of the
// 14 webhook event types, its *_server_style vector (signed and shaped like a
// LiveKit server's request) goes through verify_and_dispatch with a
// correlator that defines find_session, handlers taking the session and no
// session_id member. The expected session is read from the vector's own
// canonical event JSON (egressInfo.roomName, ingressInfo.roomName,
// job.room.name, room.name), not from the library.

#include <simdjson.h>

#include <lkwebhook/correlator.hpp>
#include <lkwebhook/decode.hpp>
#include <lkwebhook/dispatch.hpp>
#include <lkwebhook/encode.hpp>
#include <lkwebhook/metrics.hpp>
#include <lkwebhook/signer.hpp>

#include <array>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "support/catch.hpp"
#include "support/vectors.hpp"

namespace {

using lkwebhook::delivery;
using lkwebhook::event_type;
using lkwebhook::webhook_event;
using lkwebhook::test::webhook_vector;

constexpr std::array<std::string_view, 14> livekit_event_types{"room_started",
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
                                                               "agent_job_ended"};

// The room name where LiveKit puts it for this family, read from the vector's JSON.
std::string expected_room(const webhook_vector& v) {
    simdjson::dom::parser parser;
    const simdjson::dom::element event = parser.parse(v.event_json);
    const std::string_view type = v.event_type;
    std::string_view name;
    if (type.starts_with("egress_")) {
        name = event["egressInfo"]["roomName"].get_string().value();
    } else if (type.starts_with("ingress_")) {
        name = event["ingressInfo"]["roomName"].get_string().value();
    } else if (type.starts_with("agent_job_")) {
        name = event["job"]["room"]["name"].get_string().value();
    } else {
        name = event["room"]["name"].get_string().value();
    }
    return std::string{name};
}

const webhook_vector& server_style_vector(std::string_view type) {
    static const std::vector<webhook_vector> all = lkwebhook::test::load_all_vectors();
    for (const auto& v : all) {
        if (v.event_type == type && v.name.ends_with("_server_style") && v.expect == "ok") return v;
    }
    FAIL("no server-style vector for " << type);
    return all.front();
}

struct backend_session {
    std::string room;
    std::vector<std::string> events;
};

struct not_found_call {
    std::string event;
    std::string id;
};

// Handlers for every type, each taking the session; no session_id member.
struct session_correlator {
    std::map<std::string, backend_session, std::less<>> sessions;
    std::vector<not_found_call> not_found;

    backend_session* find_session(std::string_view id) {
        const auto it = sessions.find(id);
        return it == sessions.end() ? nullptr : &it->second;
    }
    void on_session_not_found(const webhook_event& ev, std::string_view id) {
        not_found.push_back({ev.event, std::string{id}});
    }
    void note(const webhook_event& ev, backend_session& s) { s.events.push_back(ev.event); }

    void on_room_started(const webhook_event& ev, backend_session& s) { note(ev, s); }
    void on_room_finished(const webhook_event& ev, backend_session& s) { note(ev, s); }
    void on_participant_joined(const webhook_event& ev, backend_session& s) { note(ev, s); }
    void on_participant_left(const webhook_event& ev, backend_session& s) { note(ev, s); }
    void on_participant_connection_aborted(const webhook_event& ev, backend_session& s) { note(ev, s); }
    void on_track_published(const webhook_event& ev, backend_session& s) { note(ev, s); }
    void on_track_unpublished(const webhook_event& ev, backend_session& s) { note(ev, s); }
    void on_egress_started(const webhook_event& ev, backend_session& s) { note(ev, s); }
    void on_egress_updated(const webhook_event& ev, backend_session& s) { note(ev, s); }
    void on_egress_ended(const webhook_event& ev, backend_session& s) { note(ev, s); }
    void on_ingress_started(const webhook_event& ev, backend_session& s) { note(ev, s); }
    void on_ingress_ended(const webhook_event& ev, backend_session& s) { note(ev, s); }
    void on_agent_job_started(const webhook_event& ev, backend_session& s) { note(ev, s); }
    void on_agent_job_ended(const webhook_event& ev, backend_session& s) { note(ev, s); }
};

// Only a session-taking catch-all.
struct catch_all_correlator {
    std::map<std::string, backend_session, std::less<>> sessions;
    std::vector<not_found_call> not_found;
    backend_session* find_session(std::string_view id) {
        const auto it = sessions.find(id);
        return it == sessions.end() ? nullptr : &it->second;
    }
    void on_session_not_found(const webhook_event& ev, std::string_view id) {
        not_found.push_back({ev.event, std::string{id}});
    }
    void on_event(const webhook_event& ev, backend_session& s) { s.events.push_back(ev.event); }
};

lkwebhook::dispatch_options options_for(const webhook_vector& v, lkwebhook::metrics* m) {
    lkwebhook::dispatch_options o;
    o.verify.leeway = std::chrono::seconds{v.leeway_s};
    o.metrics = m;
    return o;
}

lkwebhook::static_key key_of(const webhook_vector& v) {
    return lkwebhook::static_key::make(v.api_key, v.api_secret).value();
}

template <class Correlator>
lkwebhook::outcome dispatch(const webhook_vector& v, Correlator& c, lkwebhook::metrics* m = nullptr) {
    lkwebhook::memory_store store;
    return lkwebhook::verify_and_dispatch(v.body, v.authorization_view(), key_of(v), c, store, options_for(v, m),
                                          lkwebhook::fixed_clock{v.now});
}

// The vector's event without any room, re-encoded and signed with its key.
struct signed_request {
    std::string body;
    std::string authorization;
};
signed_request without_rooms(const webhook_vector& v) {
    auto decoded = lkwebhook::decode(v.body);
    REQUIRE(decoded);
    webhook_event ev = *decoded;
    ev.room.reset();
    if (ev.egress_info) ev.egress_info->room_name.clear();
    if (ev.ingress_info) ev.ingress_info->room_name.clear();
    if (ev.job) ev.job->room.reset();
    signed_request r;
    r.body = lkwebhook::to_json(ev);
    lkwebhook::sign_options so;
    so.now_unix = v.now;
    r.authorization = lkwebhook::sign(r.body, v.api_key, v.api_secret, so).value();
    return r;
}

}  // namespace

TEST_CASE("every LiveKit event type reaches the session named by its room", "[correlator][vectors][threat-M7]") {
    for (const std::string_view type : livekit_event_types) {
        const webhook_vector& v = server_style_vector(type);
        const std::string room = expected_room(v);
        INFO(v.name << " room=" << room);
        REQUIRE_FALSE(room.empty());

        session_correlator specific;
        specific.sessions[room].room = room;
        lkwebhook::metrics m;
        const auto o = dispatch(v, specific, &m);
        INFO(lkwebhook::to_string(o));
        CHECK(o.status == 200);
        CHECK(o.ok());
        CHECK(o.delivery == delivery::handled);
        CHECK(o.session_found);
        CHECK(specific.sessions[room].events == std::vector<std::string>{std::string{type}});
        CHECK(specific.not_found.empty());
        const auto typed = lkwebhook::event_type_from_name(type);
        CHECK(m.events(typed) == 1);
        CHECK(m.events_unmapped(typed) == 0);
        CHECK(m.events_session_not_found(typed) == 0);

        catch_all_correlator catch_all;
        catch_all.sessions[room].room = room;
        CHECK(dispatch(v, catch_all).delivery == delivery::handled);
        CHECK(catch_all.sessions[room].events == std::vector<std::string>{std::string{type}});
    }
}

TEST_CASE("an event whose room has no session reaches on_session_not_found with that room", "[correlator][vectors]") {
    for (const std::string_view type : livekit_event_types) {
        const webhook_vector& v = server_style_vector(type);
        const std::string room = expected_room(v);
        INFO(v.name);
        session_correlator c;
        c.sessions["some-other-room"].room = "some-other-room";
        lkwebhook::metrics m;
        const auto o = dispatch(v, c, &m);
        CHECK(o.status == 200);
        CHECK(o.delivery == delivery::session_not_found);
        CHECK_FALSE(o.session_found);
        REQUIRE(c.not_found.size() == 1);
        CHECK(c.not_found[0].event == type);
        CHECK(c.not_found[0].id == room);
        CHECK(c.sessions["some-other-room"].events.empty());
        const auto typed = lkwebhook::event_type_from_name(type);
        CHECK(m.events(typed) == 0);
        CHECK(m.events_session_not_found(typed) == 1);
        CHECK(m.sessions_not_found() == 1);
    }
}

TEST_CASE("an event without any room reaches on_session_not_found with an empty id, counted and reported",
          "[correlator][vectors][threat-M7]") {
    for (const std::string_view type : livekit_event_types) {
        const webhook_vector& v = server_style_vector(type);
        INFO(v.name);
        const signed_request r = without_rooms(v);
        session_correlator c;
        c.sessions[""].room = "";  // an empty id must never be looked up as a session
        lkwebhook::metrics m;
        lkwebhook::memory_store store;
        const auto o = lkwebhook::verify_and_dispatch(r.body, r.authorization, key_of(v), c, store, options_for(v, &m),
                                                      lkwebhook::fixed_clock{v.now});
        INFO(lkwebhook::to_string(o));
        CHECK(o.status == 200);
        CHECK(o.delivery == delivery::unmapped);
        CHECK_FALSE(o.session_found);
        CHECK(lkwebhook::to_string(o).find("delivery=unmapped session_found=0") != std::string::npos);
        REQUIRE(c.not_found.size() == 1);
        CHECK(c.not_found[0].event == type);
        CHECK(c.not_found[0].id.empty());
        CHECK(c.sessions[""].events.empty());
        const auto typed = lkwebhook::event_type_from_name(type);
        CHECK(m.events(typed) == 0);
        CHECK(m.events_unmapped(typed) == 1);
        CHECK(m.sessions_not_found() == 1);
    }
}

TEST_CASE("default_session_id reads the field of each event family", "[correlator]") {
    webhook_event ev;
    ev.event = "egress_ended";
    CHECK_FALSE(lkwebhook::default_session_id(ev));
    ev.egress_info.emplace().room_name = "studio-b";
    CHECK(lkwebhook::default_session_id(ev) == "studio-b");
    ev.egress_info->room_name.clear();
    ev.room.emplace().name = "fallback";
    CHECK(lkwebhook::default_session_id(ev) == "fallback");

    webhook_event ingress;
    ingress.event = "ingress_started";
    ingress.ingress_info.emplace().room_name = "stage";
    CHECK(lkwebhook::default_session_id(ingress) == "stage");

    webhook_event job;
    job.event = "agent_job_ended";
    job.job.emplace();
    CHECK_FALSE(lkwebhook::default_session_id(job));
    job.job->room.emplace().name = "support-7";
    CHECK(lkwebhook::default_session_id(job) == "support-7");

    // A room event reads room.name only, even when other fields name a room.
    webhook_event joined;
    joined.event = "participant_joined";
    joined.egress_info.emplace().room_name = "not-this";
    CHECK_FALSE(lkwebhook::default_session_id(joined));

    // An unknown type takes the first room present.
    webhook_event future;
    future.event = "egress_paused";
    future.egress_info.emplace().room_name = "studio-c";
    CHECK(lkwebhook::default_session_id(future) == "studio-c");
}

TEST_CASE("a rejected request reports no delivery and no session", "[correlator][vectors][threat-M8]") {
    const webhook_vector& v = server_style_vector("egress_ended");
    session_correlator c;
    lkwebhook::memory_store store;
    lkwebhook::metrics m;
    const auto o = lkwebhook::verify_and_dispatch(v.body, "forged", key_of(v), c, store, options_for(v, &m),
                                                  lkwebhook::fixed_clock{v.now});
    CHECK(o.status == 401);
    CHECK(o.delivery == delivery::none);
    CHECK_FALSE(o.session_found);
    CHECK(lkwebhook::to_string(o).find("session_found") == std::string::npos);
    CHECK(m.sessions_not_found() == 0);
    CHECK(c.not_found.empty());
}
