// Concurrency stress for the shared pieces (run under the tsan preset):
// several threads, thousands of signed requests, every event delivered three
// times in a shuffled order (duplicates and reordering), through
// verify_and_dispatch and async_dispatcher into a session_ledger, a
// memory_store, metrics and a log sink. 503 answers are retried, as LiveKit
// does. Every event must be handled exactly once.

#include <lkwebhook/async_dispatcher.hpp>
#include <lkwebhook/dispatch.hpp>
#include <lkwebhook/session_ledger.hpp>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "dispatch_support/call_sequence.hpp"
#include "support/catch.hpp"

namespace {

using namespace std::chrono_literals;

constexpr int rooms = 60;
constexpr int copies = 3;
constexpr int threads = 4;

struct counting_ledger {
    lkwebhook::session_ledger ledger;
    std::mutex mutex;
    std::map<std::string, int> handled;
    std::atomic<int> summaries{0};
    void on_event(const lkwebhook::webhook_event& ev) {
        if (ledger.apply(ev)) summaries.fetch_add(1);
        std::lock_guard lock(mutex);
        ++handled[ev.id];
    }
};

std::vector<lkwebhook_test::request> workload() {
    std::vector<lkwebhook_test::request> all;
    for (int r = 0; r < rooms; ++r) {
        auto calls = lkwebhook_test::call_sequence("room-" + std::to_string(r), "EV_s" + std::to_string(r));
        all.insert(all.end(), calls.begin(), calls.end());
    }
    return all;
}

// Each thread gets a shuffled share of every request repeated `copies` times.
std::vector<std::vector<const lkwebhook_test::request*>> deal(const std::vector<lkwebhook_test::request>& all) {
    std::vector<const lkwebhook_test::request*> deck;
    for (int c = 0; c < copies; ++c) {
        for (const auto& r : all) deck.push_back(&r);
    }
    std::mt19937 rng(7);
    std::shuffle(deck.begin(), deck.end(), rng);
    std::vector<std::vector<const lkwebhook_test::request*>> hands(threads);
    for (std::size_t i = 0; i < deck.size(); ++i) hands[i % threads].push_back(deck[i]);
    return hands;
}

template <class Submit>
void run_threads(const std::vector<std::vector<const lkwebhook_test::request*>>& hands, Submit submit,
                 std::atomic<int>& unexpected) {
    std::vector<std::thread> pool;
    for (const auto& hand : hands) {
        pool.emplace_back([&hand, &submit, &unexpected] {
            for (const auto* r : hand) {
                for (int attempt = 0;; ++attempt) {
                    const lkwebhook::outcome o = submit(*r);
                    if (o.status == 200) break;
                    if (o.status != 503 || attempt > 10'000) {
                        unexpected.fetch_add(1);
                        break;
                    }
                    std::this_thread::yield();  // LiveKit would wait Retry-After
                }
            }
        });
    }
    for (auto& t : pool) t.join();
}

}  // namespace

TEST_CASE("verify_and_dispatch under concurrent duplicates and reordering handles each event once",
          "[stress][concurrency][threat-H6][threat-J1][threat-M1]") {
    const auto keys = lkwebhook::static_key::make(lkwebhook_test::api_key, lkwebhook_test::api_secret).value();
    const auto all = workload();
    const auto hands = deal(all);
    lkwebhook::memory_store store;
    lkwebhook::metrics m;
    std::atomic<int> lines{0};
    lkwebhook::log_sink sink{[&](const lkwebhook::log_record&) { lines.fetch_add(1); }};
    lkwebhook::dispatch_options options;
    options.metrics = &m;
    options.log = &sink;
    counting_ledger c;
    std::atomic<int> unexpected{0};
    run_threads(
            hands,
            [&](const lkwebhook_test::request& r) {
                return lkwebhook::verify_and_dispatch(r.body, r.authorization, keys, c, store, options);
            },
            unexpected);
    CHECK(unexpected.load() == 0);
    REQUIRE(c.handled.size() == all.size());
    for (const auto& [id, n] : c.handled) {
        INFO(id);
        CHECK(n == 1);
    }
    CHECK(m.accepted() == all.size());
    CHECK(m.count(lkwebhook::errc::duplicate_event) == all.size() * (copies - 1));
    CHECK(c.summaries.load() == rooms);
    CHECK(store.stats().entries == all.size());
    CHECK(lines.load() > 0);
}

TEST_CASE("async_dispatcher under concurrent duplicates: every 200 is handled exactly once",
          "[stress][concurrency][threat-H6][threat-J1]") {
    const auto keys = lkwebhook::static_key::make(lkwebhook_test::api_key, lkwebhook_test::api_secret).value();
    const auto all = workload();
    const auto hands = deal(all);
    lkwebhook::memory_store store;
    lkwebhook::metrics m;
    counting_ledger c;
    lkwebhook::async_options options;
    options.workers = 3;
    options.queue_capacity = 64;  // small, so overloaded answers happen and are retried
    options.dispatch.metrics = &m;
    std::atomic<int> unexpected{0};
    {
        lkwebhook::async_dispatcher dispatcher{keys, c, store, options};
        run_threads(
                hands, [&](const lkwebhook_test::request& r) { return dispatcher.submit(r.body, r.authorization); },
                unexpected);
        dispatcher.shutdown();
    }
    CHECK(unexpected.load() == 0);
    REQUIRE(c.handled.size() == all.size());
    for (const auto& [id, n] : c.handled) {
        INFO(id);
        CHECK(n == 1);
    }
    CHECK(m.accepted() == all.size());
    CHECK(m.queue_depth() == 0);
}
