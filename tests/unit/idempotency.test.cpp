// memory_store: the shared IdempotencyStore suite plus its own bounds (H3, H4),
// with an injected clock.

#include <lkwebhook/idempotency.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "redis/idempotency_suite.hpp"
#include "support/catch.hpp"

namespace {

using namespace std::chrono_literals;
using lkwebhook::claim_status;

struct manual_clock {
    std::shared_ptr<std::atomic<std::int64_t>> ms = std::make_shared<std::atomic<std::int64_t>>(0);
    [[nodiscard]] std::chrono::steady_clock::time_point now() const noexcept {
        return std::chrono::steady_clock::time_point{std::chrono::milliseconds{ms->load()}};
    }
    void advance(std::chrono::milliseconds d) const { ms->fetch_add(d.count()); }
};

using manual_store = lkwebhook::basic_memory_store<manual_clock>;

}  // namespace

TEST_CASE("the store concept accepts the library stores", "[idempotency]") {
    STATIC_REQUIRE(lkwebhook::IdempotencyStore<lkwebhook::memory_store>);
    STATIC_REQUIRE(lkwebhook::IdempotencyStore<lkwebhook::no_idempotency>);
    STATIC_REQUIRE(lkwebhook::IdempotencyStore<manual_store>);
    STATIC_REQUIRE_FALSE(lkwebhook::IdempotencyStore<int>);
    struct throwing_claim {
        lkwebhook::claim_ticket claim(std::string_view) { return {}; }  // not noexcept
        bool complete(std::string_view, const lkwebhook::claim_ticket&) noexcept { return true; }
        bool release(std::string_view, const lkwebhook::claim_ticket&) noexcept { return true; }
    };
    STATIC_REQUIRE_FALSE(lkwebhook::IdempotencyStore<throwing_claim>);
}

TEST_CASE("memory_store passes the shared idempotency suite",
          "[idempotency][concurrency][threat-H1][threat-H3][threat-H6][threat-H8]") {
    lkwebhook_test::run_idempotency_suite([](std::chrono::milliseconds ttl) {
        lkwebhook::memory_store_options o;
        o.ttl = ttl;
        return std::make_unique<lkwebhook::memory_store>(o);
    });
}

TEST_CASE("entries expire exactly at the TTL, done and in flight alike", "[idempotency][threat-H3]") {
    manual_clock clock;
    lkwebhook::memory_store_options o;
    o.ttl = 1200s;
    manual_store store{o, clock};
    CHECK(store.ttl() == 1200s);
    const auto t = store.claim("EV_1");
    REQUIRE(t.status == claim_status::proceed);
    clock.advance(600s);
    REQUIRE(store.complete("EV_1", t));  // done from now on: the TTL restarts at completion
    clock.advance(1199s);
    CHECK(store.claim("EV_1").status == claim_status::duplicate_done);
    clock.advance(1s);
    CHECK(store.claim("EV_1").status == claim_status::proceed);
    CHECK(store.stats().expirations == 1);
}

TEST_CASE("at most `capacity` entries, early evictions are counted, oldest first", "[idempotency][threat-H4]") {
    manual_clock clock;
    lkwebhook::memory_store_options o;
    o.capacity = 64;
    o.shards = 1;
    manual_store store{o, clock};
    REQUIRE(store.capacity() == 64);
    for (int i = 0; i < 64; ++i) {
        const std::string key = "EV_" + std::to_string(i);
        const auto t = store.claim(key);
        REQUIRE(t.status == claim_status::proceed);
        REQUIRE(store.complete(key, t));
        clock.advance(1ms);
    }
    CHECK(store.stats().entries == 64);
    CHECK(store.stats().early_evictions == 0);
    // One more: the oldest (EV_0) goes, early, and is counted.
    const auto extra = store.claim("EV_extra");
    REQUIRE(extra.status == claim_status::proceed);
    CHECK(store.stats().entries == 64);
    CHECK(store.stats().early_evictions == 1);
    CHECK(store.claim("EV_1").status == claim_status::duplicate_done);
    CHECK(store.claim("EV_0").status == claim_status::proceed);  // the slip-through H4 documents
    CHECK(store.stats().early_evictions == 2);

    // Attack volume: the store never grows past its capacity.
    for (int i = 0; i < 10'000; ++i) (void)store.claim("EV_flood_" + std::to_string(i));
    CHECK(store.stats().entries == 64);
}

TEST_CASE("capacity is split over shards and never exceeded", "[idempotency][threat-H4]") {
    lkwebhook::memory_store_options o;
    o.capacity = 1000;
    o.shards = 16;
    lkwebhook::memory_store store{o};
    CHECK(store.capacity() <= 1000);
    for (int i = 0; i < 5000; ++i) (void)store.claim("k" + std::to_string(i));
    CHECK(store.stats().entries <= 1000);
    CHECK(store.stats().early_evictions >= 4000);
}

TEST_CASE("an evicted in-flight claim can no longer be completed or released", "[idempotency][threat-H4]") {
    manual_clock clock;
    lkwebhook::memory_store_options o;
    o.capacity = 1;
    o.shards = 1;
    manual_store store{o, clock};
    const auto first = store.claim("EV_a");
    REQUIRE(first.status == claim_status::proceed);
    const auto second = store.claim("EV_b");  // evicts EV_a
    REQUIRE(second.status == claim_status::proceed);
    CHECK_FALSE(store.complete("EV_a", first));
    CHECK_FALSE(store.release("EV_a", first));
    CHECK(store.complete("EV_b", second));
}

TEST_CASE("no_idempotency lets everything through", "[idempotency]") {
    lkwebhook::no_idempotency store;
    CHECK(store.claim("EV").status == claim_status::proceed);
    CHECK(store.claim("EV").status == claim_status::proceed);
}

TEST_CASE("dedupe keys: exact id, or namespaced by key id without ambiguity", "[idempotency][threat-H8]") {
    CHECK(lkwebhook::dedupe_key("EV_x") == "EV_x");
    CHECK(lkwebhook::dedupe_key("EV_x", "APIa") == "4:APIa:EV_x");
    // "a:b" + "c" and "a" + "b:c" must differ.
    CHECK(lkwebhook::dedupe_key("c", "a:b") != lkwebhook::dedupe_key("b:c", "a"));
    CHECK(lkwebhook::to_string(claim_status::duplicate_in_flight) == "duplicate_in_flight");
}

TEST_CASE("memory_store options are validated [threat-I4]", "[idempotency][threat-I4]") {
    lkwebhook::memory_store_options o;
    CHECK(lkwebhook::validate(o));
    o.capacity = 0;
    lkwebhook::diagnosis why;
    const auto r = lkwebhook::validate(o, &why);
    CHECK(r.error() == lkwebhook::errc::invalid_config);
    CHECK(why.view().find("capacity") != std::string_view::npos);
    o = {};
    o.ttl = 0ms;
    CHECK_FALSE(lkwebhook::validate(o));
    o = {};
    o.shards = 0;
    CHECK_FALSE(lkwebhook::validate(o));
    o = {};
    o.capacity = lkwebhook::max_store_capacity + 1;
    CHECK_FALSE(lkwebhook::validate(o));
}
