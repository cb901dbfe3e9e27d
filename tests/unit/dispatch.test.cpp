// verify_and_dispatch end to end: a realistic signed call sequence,
// duplicates, forged and tampered requests, handler failures and retries,
// session-not-found policy, metrics and the logging hook.

#include <lkwebhook/dispatch.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "dispatch_support/call_sequence.hpp"
#include "support/catch.hpp"
#include "support/counting_allocator.hpp"

namespace {

using lkwebhook::errc;
using lkwebhook::event_type;
using lkwebhook::webhook_event;
using lkwebhook_test::call_sequence;

lkwebhook::static_key test_keys() {
    return lkwebhook::static_key::make(lkwebhook_test::api_key, lkwebhook_test::api_secret).value();
}

// The correlator of the "done when": only on_room_finished.
struct finished_only {
    void on_room_finished(const webhook_event& ev) { ids.push_back(ev.id); }
    std::vector<std::string> ids;
};

struct recorder {
    void on_event(const webhook_event& ev) { seen.push_back(ev.event + ":" + ev.id); }
    std::vector<std::string> seen;
};

struct flaky {
    int failures_left = 1;
    int calls = 0;
    bool on_room_started(const webhook_event&) {
        ++calls;
        if (failures_left > 0) {
            --failures_left;
            return false;
        }
        return true;
    }
};

struct thrower {
    int calls = 0;
    void on_room_started(const webhook_event&) {
        ++calls;
#if LKWEBHOOK_EXCEPTIONS
        if (calls == 1) throw std::runtime_error("database unavailable");
#endif
    }
};

struct backend_session {
    int events = 0;
};

struct no_sessions {
    int* lookups;
    int calls = 0;
    backend_session* find_session(std::string_view) {
        ++*lookups;
        return nullptr;
    }
    void on_room_finished(const webhook_event&) { ++calls; }
};

std::string tamper(std::string body) {
    const auto at = body.find("standup");
    if (at != std::string::npos) body[at] = 'S';
    return body;
}

}  // namespace

TEST_CASE("a correlator with only on_room_finished receives exactly the room_finished events",
          "[dispatch][threat-H1][threat-G11][threat-M6]") {
    const auto keys = test_keys();
    lkwebhook::memory_store store;
    finished_only c;
    const auto calls = call_sequence("standup-42", "EV_a");
    for (const auto& r : calls) {
        INFO(r.name);
        const auto o = lkwebhook::verify_and_dispatch(r.body, r.authorization, keys, c, store);
        CHECK(o.status == 200);
        CHECK(o.ok());
        CHECK(o.event_id() == r.id);
        CHECK(o.type == lkwebhook::event_type_from_name(r.name));
        CHECK(o.handled == (r.name == "room_finished"));
    }
    REQUIRE(c.ids == std::vector<std::string>{"EV_a_8"});
}

TEST_CASE("duplicates, forged and tampered requests never reach the correlator",
          "[dispatch][threat-H1][threat-H5][threat-C1][threat-F5]") {
    const auto keys = test_keys();
    lkwebhook::memory_store store;
    recorder c;
    const auto calls = call_sequence("standup-42", "EV_b");
    const auto& finished = calls.back();

    SECTION("a LiveKit retry of a handled event is acknowledged, not handled again") {
        REQUIRE(lkwebhook::verify_and_dispatch(finished.body, finished.authorization, keys, c, store).status == 200);
        const auto again = lkwebhook::verify_and_dispatch(finished.body, finished.authorization, keys, c, store);
        CHECK(again.status == 200);
        CHECK(again.error == errc::duplicate_event);
        CHECK(again.duplicate);
        CHECK_FALSE(again.handled);
        CHECK(again.event_id() == "EV_b_8");
        CHECK(c.seen.size() == 1);
    }
    SECTION("forged: signed with another secret -> 401 bad_signature") {
        const auto forged =
                lkwebhook_test::signed_request("room_finished", "EV_forged", finished.body, "not-the-secret");
        const auto o = lkwebhook::verify_and_dispatch(forged.body, forged.authorization, keys, c, store);
        CHECK(o.status == 401);
        CHECK(o.error == errc::bad_signature);
        CHECK(o.event_id().empty());
        CHECK(c.seen.empty());
        // The id was never inserted (H5): the genuine request is still handled.
        CHECK(lkwebhook::verify_and_dispatch(finished.body, finished.authorization, keys, c, store).ok());
        CHECK(c.seen.size() == 1);
    }
    SECTION("tampered: body changed after signing -> 401 body_hash_mismatch") {
        const auto o = lkwebhook::verify_and_dispatch(tamper(finished.body), finished.authorization, keys, c, store);
        CHECK(o.status == 401);
        CHECK(o.error == errc::body_hash_mismatch);
        CHECK(c.seen.empty());
    }
    SECTION("no Authorization -> 401 missing_authorization; garbage token -> 401 malformed_token") {
        CHECK(lkwebhook::verify_and_dispatch(finished.body, "", keys, c, store).error == errc::missing_authorization);
        CHECK(lkwebhook::verify_and_dispatch(finished.body, "a.b", keys, c, store).error == errc::malformed_token);
        CHECK(c.seen.empty());
    }
    SECTION("authenticated but malformed body -> 400 malformed_body, nothing dispatched") {
        const auto bad = lkwebhook_test::signed_request("x", "", "{\"event\":\"room_started\",\"createdAt\":true}");
        const auto o = lkwebhook::verify_and_dispatch(bad.body, bad.authorization, keys, c, store);
        CHECK(o.status == 400);
        CHECK(o.error == errc::malformed_body);
        CHECK_FALSE(o.why.empty());
        CHECK(c.seen.empty());
    }
}

TEST_CASE("a handler failure answers 503 and the LiveKit retry is handled", "[dispatch][threat-H6]") {
    const auto keys = test_keys();
    lkwebhook::memory_store store;
    flaky c;
    const auto started = call_sequence("retry-room", "EV_c").front();
    const auto first = lkwebhook::verify_and_dispatch(started.body, started.authorization, keys, c, store);
    CHECK(first.status == 503);
    CHECK(first.error == errc::handler_failed);
    REQUIRE(first.retry_after.has_value());
    const auto retry = lkwebhook::verify_and_dispatch(started.body, started.authorization, keys, c, store);
    CHECK(retry.status == 200);
    CHECK(retry.ok());
    CHECK(c.calls == 2);
    const auto third = lkwebhook::verify_and_dispatch(started.body, started.authorization, keys, c, store);
    CHECK(third.error == errc::duplicate_event);
    CHECK(c.calls == 2);
}

#if LKWEBHOOK_EXCEPTIONS
TEST_CASE("an exception from a handler becomes 503 handler_failed and never escapes", "[dispatch][threat-J5]") {
    const auto keys = test_keys();
    lkwebhook::memory_store store;
    thrower c;
    const auto started = call_sequence("throw-room", "EV_d").front();
    const auto first = lkwebhook::verify_and_dispatch(started.body, started.authorization, keys, c, store);
    CHECK(first.status == 503);
    CHECK(first.error == errc::handler_failed);
    CHECK(lkwebhook::verify_and_dispatch(started.body, started.authorization, keys, c, store).ok());
    CHECK(c.calls == 2);
}
#endif

TEST_CASE("a duplicate that arrives while the first is being handled gets 503 duplicate_in_flight",
          "[dispatch][threat-H6][threat-J4]") {
    const auto keys = test_keys();
    lkwebhook::memory_store store;
    const auto started = call_sequence("inflight", "EV_e").front();
    struct reentrant {
        const lkwebhook::static_key* keys;
        lkwebhook::memory_store* store;
        const lkwebhook_test::request* r;
        lkwebhook::outcome inner;
        int calls = 0;
        void on_room_started(const webhook_event& ev) {
            ++calls;
            const std::string id_before = ev.id;
            // The retry arrives while we are still handling the first attempt.
            inner = lkwebhook::verify_and_dispatch(r->body, r->authorization, *keys, *this, *store);
            CHECK(ev.id == id_before);  // a nested call does not clobber our event
        }
    } c{&keys, &store, &started, {}};
    const auto o = lkwebhook::verify_and_dispatch(started.body, started.authorization, keys, c, store);
    CHECK(o.ok());
    CHECK(c.calls == 1);
    CHECK(c.inner.status == 503);
    CHECK(c.inner.error == errc::duplicate_in_flight);
    CHECK(c.inner.retry_after == std::chrono::seconds{1});
}

TEST_CASE("session not found is reported and acknowledged by default, 503 when configured", "[dispatch]") {
    const auto keys = test_keys();
    const auto finished = call_sequence("lost-room", "EV_f").back();
    int lookups = 0;
    no_sessions c{&lookups};
    lkwebhook::metrics m;
    lkwebhook::dispatch_options options;
    options.metrics = &m;
    {
        lkwebhook::memory_store store;
        const auto o = lkwebhook::verify_and_dispatch(finished.body, finished.authorization, keys, c, store, options);
        CHECK(o.status == 200);
        CHECK_FALSE(o.session_found);
        CHECK(o.ok());
        CHECK(lookups == 1);
        CHECK(c.calls == 0);
        CHECK(m.sessions_not_found() == 1);
    }
    {
        lkwebhook::memory_store store;
        options.session_not_found = lkwebhook::dispatch_options::session_policy::retry;
        const auto o = lkwebhook::verify_and_dispatch(finished.body, finished.authorization, keys, c, store, options);
        CHECK(o.status == 503);
        CHECK(o.error == errc::handler_failed);
        CHECK_FALSE(o.session_found);
        // Released: the retry looks the session up again.
        (void)lkwebhook::verify_and_dispatch(finished.body, finished.authorization, keys, c, store, options);
        CHECK(lookups == 3);
    }
}

TEST_CASE("an unreachable idempotency store answers 503 overloaded, never accepts blindly", "[dispatch][threat-H6]") {
    struct down_store {
        lkwebhook::claim_ticket claim(std::string_view) noexcept { return {lkwebhook::claim_status::unavailable, 0}; }
        bool complete(std::string_view, const lkwebhook::claim_ticket&) noexcept { return false; }
        bool release(std::string_view, const lkwebhook::claim_ticket&) noexcept { return false; }
    } store;
    const auto keys = test_keys();
    recorder c;
    const auto r = call_sequence("down", "EV_g").front();
    const auto o = lkwebhook::verify_and_dispatch(r.body, r.authorization, keys, c, store);
    CHECK(o.status == 503);
    CHECK(o.error == errc::overloaded);
    CHECK(o.retry_after.has_value());
    CHECK(c.seen.empty());
}

TEST_CASE("dedupe keys can be namespaced by API key", "[dispatch][threat-H8]") {
    auto keys = lkwebhook::key_set::make({{"APIwhExample01", lkwebhook_test::api_secret},
                                          {"APIother", "other-secret-other-secret-other-secret"}})
                        .value();
    lkwebhook::memory_store store;
    recorder c;
    lkwebhook::dispatch_options options;
    options.namespace_by_key_id = true;
    const std::string body = lkwebhook_test::event_body("room_started", "r", "RM_r", "EV_same", 1767260400);
    const auto a = lkwebhook::sign(body, "APIwhExample01", lkwebhook_test::api_secret).value();
    const auto b = lkwebhook::sign(body, "APIother", "other-secret-other-secret-other-secret").value();
    CHECK(lkwebhook::verify_and_dispatch(body, a, keys, c, store, options).ok());
    CHECK(lkwebhook::verify_and_dispatch(body, b, keys, c, store, options).ok());
    CHECK(lkwebhook::verify_and_dispatch(body, b, keys, c, store, options).error == errc::duplicate_event);
    CHECK(c.seen.size() == 2);
    options.namespace_by_key_id = false;
    lkwebhook::memory_store plain;
    CHECK(lkwebhook::verify_and_dispatch(body, a, keys, c, plain, options).ok());
    CHECK(lkwebhook::verify_and_dispatch(body, b, keys, c, plain, options).error == errc::duplicate_event);
}

TEST_CASE("events without an id are handled without deduplication (G14)", "[dispatch][threat-G14]") {
    const auto keys = test_keys();
    lkwebhook::memory_store store;
    recorder c;
    lkwebhook::metrics m;
    lkwebhook::dispatch_options options;
    options.metrics = &m;
    const auto r = lkwebhook_test::signed_request("room_started", "",
                                                  "{\"event\":\"room_started\",\"room\":{\"name\":\"x\"}}");
    CHECK(lkwebhook::verify_and_dispatch(r.body, r.authorization, keys, c, store, options).ok());
    CHECK(lkwebhook::verify_and_dispatch(r.body, r.authorization, keys, c, store, options).ok());
    CHECK(c.seen.size() == 2);
    CHECK(m.missing_ids() == 2);
    CHECK(lkwebhook::to_prometheus(m).find("lkwebhook_events_without_id_total 2\n") != std::string::npos);
    options.decode.require_event_id = true;
    const auto strict = lkwebhook::verify_and_dispatch(r.body, r.authorization, keys, c, store, options);
    CHECK(strict.status == 400);
    CHECK(strict.error == errc::malformed_body);
    CHECK(c.seen.size() == 2);
    CHECK(store.stats().entries == 0);
}

TEST_CASE("metrics and the log hook see every outcome, logs carry no token or body",
          "[dispatch][metrics][threat-K1][threat-L2][threat-L4]") {
    const auto keys = test_keys();
    lkwebhook::memory_store store;
    recorder c;
    lkwebhook::metrics m;
    std::vector<std::string> lines;
    lkwebhook::log_sink sink{[&](const lkwebhook::log_record& r) { lines.push_back(lkwebhook::to_string(r)); }};
    lkwebhook::dispatch_options options;
    options.metrics = &m;
    options.log = &sink;
    const auto calls = call_sequence("standup\\n[ERROR] fake", "EV_h");  // JSON escape: a real newline once decoded
    for (const auto& r : calls) (void)lkwebhook::verify_and_dispatch(r.body, r.authorization, keys, c, store, options);
    (void)lkwebhook::verify_and_dispatch(calls[0].body, calls[0].authorization, keys, c, store, options);
    for (int i = 0; i < 5; ++i) (void)lkwebhook::verify_and_dispatch(calls[0].body, "x.y.z", keys, c, store, options);

    CHECK(m.received() == calls.size() + 6);
    CHECK(m.accepted() == calls.size());
    CHECK(m.duplicates() == 1);
    CHECK(m.count(errc::duplicate_event) == 1);
    CHECK(m.count(errc::malformed_token) == 5);
    CHECK(m.rejected() == 5);
    CHECK(m.events(event_type::room_finished) == 1);
    CHECK(m.events(event_type::participant_joined) == 2);
    CHECK(m.events(event_type::unknown) == 1);
    CHECK(m.latency_count() == m.received());
    // Rate limit: at most one rejection line in this second, the rest counted.
    CHECK(lines.size() == calls.size() + 1 + 1);
    CHECK(sink.suppressed() + m.suppressed_logs() >= 4);
    for (const auto& line : lines) {
        INFO(line);
        CHECK(line.find('\n') == std::string::npos);  // the hostile room name is escaped
        CHECK(line.find(calls[0].authorization.substr(0, 20)) == std::string::npos);
        CHECK(line.find("turnPassword") == std::string::npos);
    }
    CHECK(lines.front().find("room=\"standup\\x0a[ERROR] fake\"") != std::string::npos);
}

TEST_CASE("a replay after exp + leeway is token_expired, whether or not the id is still stored",
          "[dispatch][threat-H2][threat-H9]") {
    const auto keys = test_keys();
    lkwebhook::memory_store store;
    recorder c;
    const std::string body = lkwebhook_test::event_body("room_started", "r", "RM_r", "EV_exp", 1767260400);
    lkwebhook::sign_options sign;
    sign.now_unix = 1767260400;
    const auto token = lkwebhook::sign(body, lkwebhook_test::api_key, lkwebhook_test::api_secret, sign).value();
    const lkwebhook::dispatch_options options;
    const auto first =
            lkwebhook::verify_and_dispatch(body, token, keys, c, store, options, lkwebhook::fixed_clock{1767260401});
    CHECK(first.ok());
    // exp = nbf + 300, leeway 60: from 1767260760 on the token is expired.
    const auto replay =
            lkwebhook::verify_and_dispatch(body, token, keys, c, store, options, lkwebhook::fixed_clock{1767260760});
    CHECK(replay.status == 401);
    CHECK(replay.error == errc::token_expired);
    CHECK_FALSE(replay.duplicate);
    lkwebhook::memory_store empty;  // a fresh store (restart) does not help a replay either
    CHECK(lkwebhook::verify_and_dispatch(body, token, keys, c, empty, options, lkwebhook::fixed_clock{1767260760})
                  .error == errc::token_expired);
    CHECK(c.seen.size() == 1);
}

TEST_CASE("verify_and_dispatch into a warm memory_store allocates nothing per event", "[dispatch][allocations]") {
    const auto keys = test_keys();
    struct started_only {
        void on_room_started(const webhook_event&) { ++calls; }
        int calls = 0;
    };
    for (const bool namespaced : {false, true}) {
        lkwebhook::memory_store_options store_options;
        store_options.capacity = 64;  // far fewer than the events: the store evicts on every claim once full
        store_options.shards = 4;
        lkwebhook::memory_store store{store_options};
        lkwebhook::dispatch_options options;
        options.namespace_by_key_id = namespaced;
        struct request {
            std::string body;
            std::string authorization;
        };
        std::vector<request> requests;
        char id[32];
        for (int i = 0; i < 600; ++i) {
            std::snprintf(id, sizeof id, "EV_alloc%06d", i);  // distinct ids of one length
            request r;
            r.body = lkwebhook_test::event_body("room_started", "r", "RM_r", id, 1767260400);
            r.authorization = lkwebhook::sign(r.body, lkwebhook_test::api_key, lkwebhook_test::api_secret).value();
            requests.push_back(std::move(r));
        }
        started_only c;
        const auto dispatch = [&](std::size_t first, std::size_t count) {
            int accepted = 0;
            for (std::size_t i = first; i < first + count; ++i) {
                const auto o = lkwebhook::verify_and_dispatch(requests[i].body, requests[i].authorization, keys, c,
                                                              store, options);
                accepted += o.ok() ? 1 : 0;
            }
            return accepted;
        };
        REQUIRE(dispatch(0, 300) == 300);  // warm: decoder, store slots and table at full size
        const std::uint64_t before = lkwebhook::test::thread_operator_new_calls;
        const int accepted = dispatch(300, 300);
        const std::uint64_t allocations = lkwebhook::test::thread_operator_new_calls - before;
        INFO("namespaced " << namespaced);
        CHECK(accepted == 300);
        CHECK(c.calls == 600);
        CHECK(allocations == 0);
        CHECK(store.stats().early_evictions > 0);
    }
}
