#ifndef LKWEBHOOK_TESTS_REDIS_IDEMPOTENCY_SUITE_HPP
#define LKWEBHOOK_TESTS_REDIS_IDEMPOTENCY_SUITE_HPP

// The one IdempotencyStore test suite, run unchanged against memory_store
// (tests/unit/idempotency.test.cpp and tests/redis) and redis_store
// (tests/redis, against a real redis-server). `make(ttl)` returns a fresh,
// empty store (std::unique_ptr) whose entries live `ttl`.

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <lkwebhook/idempotency.hpp>

#include "support/catch.hpp"

namespace lkwebhook_test {

using namespace std::chrono_literals;
using lkwebhook::claim_status;

template <class Make>
void run_idempotency_suite(Make make) {
    SECTION("first arrival proceeds, a concurrent duplicate is in flight, a later one is done [threat-H1][threat-H6]") {
        auto store = make(std::chrono::milliseconds{60'000});
        const auto first = store->claim("EV_Hs6YpD2mQx9a");
        REQUIRE(first.status == claim_status::proceed);
        CHECK(store->claim("EV_Hs6YpD2mQx9a").status == claim_status::duplicate_in_flight);
        REQUIRE(store->complete("EV_Hs6YpD2mQx9a", first));
        CHECK(store->claim("EV_Hs6YpD2mQx9a").status == claim_status::duplicate_done);
        CHECK(store->claim("EV_Hs6YpD2mQx9a").status == claim_status::duplicate_done);
        // Completing twice is refused: the claim was already turned into "done".
        CHECK_FALSE(store->complete("EV_Hs6YpD2mQx9a", first));
    }
    SECTION("a released claim (handler failed) lets the retry proceed [threat-H6]") {
        auto store = make(std::chrono::milliseconds{60'000});
        const auto first = store->claim("EV_retry");
        REQUIRE(first.status == claim_status::proceed);
        REQUIRE(store->release("EV_retry", first));
        const auto retry = store->claim("EV_retry");
        REQUIRE(retry.status == claim_status::proceed);
        REQUIRE(store->complete("EV_retry", retry));
        CHECK(store->claim("EV_retry").status == claim_status::duplicate_done);
    }
    SECTION("a stale or foreign ticket can neither release nor complete another claim") {
        auto store = make(std::chrono::milliseconds{60'000});
        const auto mine = store->claim("EV_owned");
        REQUIRE(mine.status == claim_status::proceed);
        lkwebhook::claim_ticket forged = mine;
        forged.token += 1000;
        CHECK_FALSE(store->release("EV_owned", forged));
        CHECK_FALSE(store->complete("EV_owned", forged));
        CHECK(store->claim("EV_owned").status == claim_status::duplicate_in_flight);
        // Released by its owner, then re-claimed: the old ticket is dead.
        REQUIRE(store->release("EV_owned", mine));
        const auto again = store->claim("EV_owned");
        REQUIRE(again.status == claim_status::proceed);
        CHECK_FALSE(store->release("EV_owned", mine));
        CHECK(store->claim("EV_owned").status == claim_status::duplicate_in_flight);
        CHECK(store->complete("EV_owned", again));
        CHECK_FALSE(store->release("EV_owned", again));  // done entries are never released
        CHECK(store->claim("EV_owned").status == claim_status::duplicate_done);
    }
    SECTION("keys are the exact id bytes [threat-H8]") {
        auto store = make(std::chrono::milliseconds{60'000});
        const std::string with_nul{"EV_a\0b", 6};
        const std::vector<std::string> keys{"EV_a",
                                            "EV_A",
                                            "EV_a ",
                                            " EV_a",
                                            "EV_a\n",
                                            with_nul,
                                            "EV_\xc3\xa9",
                                            lkwebhook::dedupe_key("EV_a", "APIkey1"),
                                            lkwebhook::dedupe_key("EV_a", "APIkey2")};
        for (const auto& key : keys) {
            INFO("key " << key);
            const auto t = store->claim(key);
            REQUIRE(t.status == claim_status::proceed);
            REQUIRE(store->complete(key, t));
        }
        for (const auto& key : keys) CHECK(store->claim(key).status == claim_status::duplicate_done);
        CHECK(store->claim(std::string{"EV_a\0c", 6}).status == claim_status::proceed);
    }
    SECTION("handled ids are forgotten after the TTL [threat-H3]") {
        auto store = make(std::chrono::milliseconds{300});
        const auto t = store->claim("EV_ttl");
        REQUIRE(t.status == claim_status::proceed);
        REQUIRE(store->complete("EV_ttl", t));
        CHECK(store->claim("EV_ttl").status == claim_status::duplicate_done);
        std::this_thread::sleep_for(700ms);
        CHECK(store->claim("EV_ttl").status == claim_status::proceed);
    }
    SECTION("concurrent duplicates: exactly one claim of each id proceeds [threat-H6]") {
        auto store = make(std::chrono::milliseconds{60'000});
        constexpr int ids = 200;
        constexpr int threads = 6;
        std::vector<std::atomic<int>> proceeded(ids);
        std::atomic<int> in_flight{0};
        std::atomic<int> done{0};
        std::atomic<int> unavailable{0};
        std::vector<std::thread> pool;
        for (int t = 0; t < threads; ++t) {
            pool.emplace_back([&, t] {
                for (int i = 0; i < ids; ++i) {
                    const int id = (i * 7 + t * 13) % ids;
                    const std::string key = "EV_race_" + std::to_string(id);
                    const auto ticket = store->claim(key);
                    switch (ticket.status) {
                        case claim_status::proceed:
                            proceeded[static_cast<std::size_t>(id)].fetch_add(1);
                            if (id % 2 == 0) (void)store->complete(key, ticket);
                            break;
                        case claim_status::duplicate_in_flight: in_flight.fetch_add(1); break;
                        case claim_status::duplicate_done: done.fetch_add(1); break;
                        case claim_status::unavailable: unavailable.fetch_add(1); break;
                    }
                }
            });
        }
        for (auto& th : pool) th.join();
        for (int i = 0; i < ids; ++i) {
            INFO("id " << i);
            CHECK(proceeded[static_cast<std::size_t>(i)].load() == 1);
        }
        CHECK(unavailable.load() == 0);
        CHECK(in_flight.load() + done.load() == ids * (threads - 1));
        CHECK(in_flight.load() > 0);  // odd ids were never completed
    }
}

}  // namespace lkwebhook_test

#endif
