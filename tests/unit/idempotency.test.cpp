// memory_store: the shared IdempotencyStore suite plus its own bounds (H3, H4),
// with an injected clock.

#include <lkwebhook/idempotency.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iterator>
#include <list>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "redis/idempotency_suite.hpp"
#include "support/catch.hpp"
#include "support/counting_allocator.hpp"

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

namespace {

// The store's documented semantics, written the plain way: one list, oldest
// first, searched linearly. The randomised test below holds the store to it.
class reference_store {
public:
    reference_store(std::size_t capacity, std::int64_t ttl_ms) : capacity_(capacity), ttl_ms_(ttl_ms) {}

    claim_status claim(const std::string& key, std::int64_t now, std::uint64_t token) {
        sweep(now);
        if (const auto it = find(key); it != order_.end())
            return it->done ? claim_status::duplicate_done : claim_status::duplicate_in_flight;
        if (order_.size() >= capacity_) order_.pop_front();
        order_.push_back({key, now, token, false});
        return claim_status::proceed;
    }
    bool complete(const std::string& key, std::uint64_t token, std::int64_t now) {
        sweep(now);
        const auto it = find(key);
        if (it == order_.end() || it->token != token || it->done) return false;
        it->done = true;
        it->stamp = now;
        order_.splice(order_.end(), order_, it);
        return true;
    }
    bool release(const std::string& key, std::uint64_t token) {  // no sweep, as the store
        const auto it = find(key);
        if (it == order_.end() || it->token != token || it->done) return false;
        order_.erase(it);
        return true;
    }
    [[nodiscard]] std::size_t size() const { return order_.size(); }

private:
    struct entry {
        std::string key;
        std::int64_t stamp;
        std::uint64_t token;
        bool done;
    };
    std::list<entry>::iterator find(const std::string& key) {
        for (auto it = order_.begin(); it != order_.end(); ++it)
            if (it->key == key) return it;
        return order_.end();
    }
    void sweep(std::int64_t now) {
        while (!order_.empty() && now - order_.front().stamp >= ttl_ms_) order_.pop_front();
    }
    std::size_t capacity_;
    std::int64_t ttl_ms_;
    std::list<entry> order_;
};

}  // namespace

TEST_CASE("memory_store behaves as the plain reference model under random operations",
          "[idempotency][threat-H3][threat-H4]") {
    // A small shard and table: keys collide in the table all the time, and
    // removals (release, expiry, eviction) hit every position of a probe run.
    for (const std::size_t capacity : {std::size_t{1}, std::size_t{7}, std::size_t{8}, std::size_t{33}}) {
        manual_clock clock;
        lkwebhook::memory_store_options o;
        o.capacity = capacity;
        o.shards = 1;
        o.ttl = 40ms;
        manual_store store{o, clock};
        reference_store model{capacity, 40};
        std::mt19937 random{static_cast<std::uint32_t>(capacity)};
        std::map<std::string, lkwebhook::claim_ticket> tickets;  // the last proceed ticket of each key
        std::size_t mismatches = 0;
        std::size_t proceeds = 0;
        for (int step = 0; step < 20'000; ++step) {
            // Keys of different lengths, so reused slots hold shorter and longer keys.
            const auto n = random() % (3 * capacity + 3);
            const std::string key = "EV_" + std::string(n % 5, 'x') + std::to_string(n);
            const std::int64_t now = clock.ms->load();
            switch (random() % 8) {
                case 0:
                case 1:
                case 2: {
                    const auto t = store.claim(key);
                    const std::uint64_t token = t.status == claim_status::proceed ? t.token : 0;
                    if (model.claim(key, now, token) != t.status) ++mismatches;
                    if (t.status == claim_status::proceed) {
                        tickets[key] = t;
                        ++proceeds;
                    }
                    break;
                }
                case 3:
                case 4: {
                    const auto t = tickets.count(key) != 0 ? tickets[key] : lkwebhook::claim_ticket{};
                    if (model.complete(key, t.token, now) != store.complete(key, t)) ++mismatches;
                    break;
                }
                case 5: {
                    const auto t = tickets.count(key) != 0 ? tickets[key] : lkwebhook::claim_ticket{};
                    if (model.release(key, t.token) != store.release(key, t)) ++mismatches;
                    break;
                }
                default: clock.advance(std::chrono::milliseconds{random() % 7}); break;
            }
            if (store.stats().entries != model.size()) ++mismatches;
        }
        INFO("capacity " << capacity);
        CHECK(mismatches == 0);
        // The run exercised the store, not just its duplicates.
        CHECK(proceeds > 1000);
        // With one entry, the next claim always evicts it before it can expire.
        if (capacity > 1) CHECK(store.stats().expirations > 0);
        CHECK(store.stats().early_evictions > 0);
    }
}

TEST_CASE("a warm memory_store allocates nothing per event", "[idempotency][allocations]") {
    for (const std::size_t shards : {std::size_t{1}, std::size_t{16}}) {
        lkwebhook::memory_store_options o;
        o.capacity = 256;
        o.shards = shards;
        lkwebhook::memory_store store{o};
        const auto cycle = [&](int first, int count) {
            std::size_t proceeds = 0;
            char key[32];
            for (int i = first; i < first + count; ++i) {
                // Keys of one length: a reused slot never needs a larger buffer.
                std::snprintf(key, sizeof key, "EV_%012d", i);
                const auto t = store.claim(key);
                if (t.status != claim_status::proceed) continue;
                ++proceeds;
                if (i % 5 == 0)
                    (void)store.release(key, t);  // a failed handler
                else
                    (void)store.complete(key, t);
            }
            return proceeds;
        };
        // Warm: every shard fills up and starts evicting (the slots and table are at full size).
        REQUIRE(cycle(0, 4000) == 4000);
        const std::uint64_t before = lkwebhook::test::thread_operator_new_calls;
        const std::size_t proceeds = cycle(4000, 10'000);
        const std::uint64_t allocations = lkwebhook::test::thread_operator_new_calls - before;
        INFO("shards " << shards);
        CHECK(proceeds == 10'000);
        CHECK(allocations == 0);
        CHECK(store.stats().early_evictions > 0);
        CHECK(store.stats().entries <= 256);
    }
}

namespace {
thread_local bool t_fail_allocations = false;
bool fail_on_this_thread(lkwebhook::test::allocation) noexcept { return t_fail_allocations; }
}  // namespace

TEST_CASE("a claim that cannot allocate answers unavailable and leaves the store consistent", "[idempotency][errors]") {
    lkwebhook::test::fail_allocation = &fail_on_this_thread;
    manual_clock clock;
    lkwebhook::memory_store_options o;
    o.capacity = 4;
    o.shards = 1;
    manual_store store{o, clock};
    const auto failing = [&](std::string_view key) {
        t_fail_allocations = true;
        const auto t = store.claim(key);
        t_fail_allocations = false;
        return t.status;
    };
    // Fresh: the table and the first slot cannot be made.
    CHECK(failing("EV_a") == claim_status::unavailable);
    CHECK(store.stats().entries == 0);
    const auto a = store.claim("EV_a");
    REQUIRE(a.status == claim_status::proceed);
    REQUIRE(store.complete("EV_a", a));
    // A key longer than any slot held (no SSO either): its copy cannot be made.
    const std::string long_key(200, 'k');
    CHECK(failing(long_key) == claim_status::unavailable);
    CHECK(store.stats().entries == 1);
    CHECK(store.claim("EV_a").status == claim_status::duplicate_done);
    CHECK(store.claim(long_key).status == claim_status::proceed);
    CHECK(store.claim(long_key).status == claim_status::duplicate_in_flight);
    CHECK(store.stats().entries == 2);
    lkwebhook::test::fail_allocation = nullptr;
}
