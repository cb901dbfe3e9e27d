// The shared idempotency suite against memory_store and against redis_store
// on a real redis-server, plus Redis-specific failure behaviour: restart in
// the middle, unreachable server, in-flight expiry, concurrent instances.

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include <lkwebhook/dispatch.hpp>
#include <lkwebhook/idempotency.hpp>
#include <lkwebhook/redis_store.hpp>

#include "dispatch_support/call_sequence.hpp"
#include "idempotency_suite.hpp"
#include "redis_server.hpp"
#include "support/catch.hpp"

namespace {

using namespace std::chrono_literals;
using lkwebhook::claim_status;

lkwebhook_test::redis_server& server() {
    static lkwebhook_test::redis_server instance;
    return instance;
}

std::string fresh_prefix() {
    static std::atomic<int> counter{0};
    return "lkwebhook-test:" + std::to_string(::getpid()) + ":" + std::to_string(counter.fetch_add(1)) + ":";
}

lkwebhook::redis_store_options options_for(std::chrono::milliseconds ttl) {
    lkwebhook::redis_store_options o;
    o.endpoint.port = server().port();
    o.key_prefix = fresh_prefix();
    o.ttl = ttl;
    o.in_flight_ttl = 60s;
    o.reconnect_interval = 50ms;
    return o;
}

}  // namespace

TEST_CASE("memory_store passes the idempotency suite",
          "[idempotency][memory][threat-H1][threat-H3][threat-H6][threat-H8]") {
    lkwebhook_test::run_idempotency_suite([](std::chrono::milliseconds ttl) {
        lkwebhook::memory_store_options o;
        o.ttl = ttl;
        return std::make_unique<lkwebhook::memory_store>(o);
    });
}

TEST_CASE("redis_store passes the idempotency suite",
          "[idempotency][redis][threat-H1][threat-H3][threat-H6][threat-H8]") {
    REQUIRE(server().ping());
    lkwebhook_test::run_idempotency_suite(
            [](std::chrono::milliseconds ttl) { return std::make_unique<lkwebhook::redis_store>(options_for(ttl)); });
}

TEST_CASE("redis_store survives a Redis restart in the middle and never accepts blindly while it is down",
          "[redis][threat-H7]") {
    lkwebhook::redis_store store{options_for(60s)};
    const auto handled = store.claim("EV_before_restart");
    REQUIRE(handled.status == claim_status::proceed);
    REQUIRE(store.complete("EV_before_restart", handled));
    const auto in_flight = store.claim("EV_in_flight_at_restart");
    REQUIRE(in_flight.status == claim_status::proceed);
    REQUIRE(store.claim("EV_before_restart").status == claim_status::duplicate_done);

    server().stop();
    // Down: every operation fails closed.
    CHECK(store.claim("EV_before_restart").status == claim_status::unavailable);
    CHECK(store.claim("EV_new_while_down").status == claim_status::unavailable);
    CHECK_FALSE(store.complete("EV_in_flight_at_restart", in_flight));
    CHECK_FALSE(store.ping());
    CHECK(store.stats().unavailable >= 3);

    server().start();
    std::this_thread::sleep_for(100ms);  // past reconnect_interval
    // Up again (without persistence, so the old entries are gone: H7b).
    const auto after = store.claim("EV_new_after_restart");
    REQUIRE(after.status == claim_status::proceed);
    CHECK(store.complete("EV_new_after_restart", after));
    CHECK(store.claim("EV_new_after_restart").status == claim_status::duplicate_done);
    CHECK(store.stats().connects >= 2);
    CHECK(store.ping());
}

TEST_CASE("redis_store answers unavailable quickly when nothing listens", "[redis]") {
    lkwebhook::redis_store_options o;
    o.endpoint.port = lkwebhook_test::free_loopback_port();
    o.endpoint.connect_timeout = 200ms;
    lkwebhook::redis_store store{o};
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 20; ++i) CHECK(store.claim("EV_x").status == claim_status::unavailable);
    // One connect attempt per reconnect_interval, not one per call.
    CHECK(std::chrono::steady_clock::now() - start < 2s);
    CHECK(store.stats().connects == 0);
}

TEST_CASE("redis_store: an abandoned claim expires after in_flight_ttl and its former owner cannot complete it",
          "[redis][threat-H6]") {
    auto o = options_for(60s);
    o.in_flight_ttl = 300ms;
    lkwebhook::redis_store crashed{o};
    lkwebhook::redis_store healthy{o};  // a second instance behind the load balancer
    const auto lost = crashed.claim("EV_abandoned");
    REQUIRE(lost.status == claim_status::proceed);
    CHECK(healthy.claim("EV_abandoned").status == claim_status::duplicate_in_flight);
    std::this_thread::sleep_for(700ms);
    const auto retry = healthy.claim("EV_abandoned");
    REQUIRE(retry.status == claim_status::proceed);
    CHECK_FALSE(crashed.release("EV_abandoned", lost));
    CHECK_FALSE(crashed.complete("EV_abandoned", lost));
    CHECK(healthy.complete("EV_abandoned", retry));
    CHECK(crashed.claim("EV_abandoned").status == claim_status::duplicate_done);
}

TEST_CASE("two redis_store instances share one view of handled ids", "[redis][threat-H7]") {
    const auto o = options_for(60s);
    lkwebhook::redis_store a{o};
    lkwebhook::redis_store b{o};
    const auto t = a.claim("EV_shared");
    REQUIRE(t.status == claim_status::proceed);
    CHECK(b.claim("EV_shared").status == claim_status::duplicate_in_flight);
    REQUIRE(a.complete("EV_shared", t));
    CHECK(b.claim("EV_shared").status == claim_status::duplicate_done);
}

TEST_CASE("verify_and_dispatch on two instances sharing Redis handles a retried event once",
          "[redis][threat-H7][threat-H1]") {
    const auto keys = lkwebhook::static_key::make(lkwebhook_test::api_key, lkwebhook_test::api_secret).value();
    const auto o = options_for(60s);
    lkwebhook::redis_store instance_a{o};
    lkwebhook::redis_store instance_b{o};
    struct counter {
        int calls = 0;
        void on_event(const lkwebhook::webhook_event&) { ++calls; }
    } a, b;
    const auto calls = lkwebhook_test::call_sequence("lb-room", "EV_lb" + o.key_prefix);
    for (const auto& r : calls) {
        // The load balancer sends the first attempt to A and the retry to B.
        const auto first = lkwebhook::verify_and_dispatch(r.body, r.authorization, keys, a, instance_a);
        const auto retry = lkwebhook::verify_and_dispatch(r.body, r.authorization, keys, b, instance_b);
        CHECK(first.status == 200);
        CHECK(first.ok());
        CHECK(retry.status == 200);
        CHECK(retry.error == lkwebhook::errc::duplicate_event);
    }
    CHECK(a.calls == static_cast<int>(calls.size()));
    CHECK(b.calls == 0);

    // Redis down: a new event is not accepted blindly (503, LiveKit retries later).
    server().stop();
    const auto fresh = lkwebhook_test::call_sequence("lb-room-2", "EV_lb2" + o.key_prefix).front();
    const auto down = lkwebhook::verify_and_dispatch(fresh.body, fresh.authorization, keys, a, instance_a);
    CHECK(down.status == 503);
    CHECK(down.error == lkwebhook::errc::overloaded);
    CHECK(down.retry_after.has_value());
    server().start();
    std::this_thread::sleep_for(300ms);
    CHECK(lkwebhook::verify_and_dispatch(fresh.body, fresh.authorization, keys, a, instance_a).ok());
}
