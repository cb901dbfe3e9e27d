// async_dispatcher: fast acknowledgement with a bounded queue, per-room
// ordering, retries with backoff, dead letters, and a draining shutdown.

#include <lkwebhook/async_dispatcher.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "dispatch_support/call_sequence.hpp"
#include "support/catch.hpp"

namespace {

using namespace std::chrono_literals;
using lkwebhook::errc;
using lkwebhook::webhook_event;
using lkwebhook_test::call_sequence;

lkwebhook::static_key test_keys() {
    return lkwebhook::static_key::make(lkwebhook_test::api_key, lkwebhook_test::api_secret).value();
}

// Thread-safe recorder of (room -> createdAt sequence) and of every id seen.
struct ordered_recorder {
    std::mutex mutex;
    std::map<std::string, std::vector<std::int64_t>> per_room;
    std::map<std::string, int> times_seen;
    std::chrono::microseconds work{0};
    void on_event(const webhook_event& ev) {
        if (work.count() > 0) std::this_thread::sleep_for(work);
        std::lock_guard lock(mutex);
        per_room[ev.room ? ev.room->name : std::string{}].push_back(ev.created_at);
        ++times_seen[ev.id];
    }
};

// Blocks every handler until opened.
struct gate {
    std::mutex mutex;
    std::condition_variable cv;
    bool open = false;
    std::atomic<int> handled{0};
    void on_event(const webhook_event&) {
        std::unique_lock lock(mutex);
        cv.wait(lock, [&] { return open; });
        handled.fetch_add(1);
    }
    void release() {
        {
            std::lock_guard lock(mutex);
            open = true;
        }
        cv.notify_all();
    }
};

struct flaky {
    std::atomic<int> calls{0};
    int fail_first = 0;
    bool on_room_started(const webhook_event&) { return calls.fetch_add(1) >= fail_first; }
};

}  // namespace

TEST_CASE("keyed_worker_pool runs every accepted job, in order per key, and refuses when full",
          "[async_dispatcher][concurrency]") {
    std::mutex mutex;
    std::map<int, std::vector<int>> seen;
    struct run_fn {
        std::mutex* mutex;
        std::map<int, std::vector<int>>* seen;
        void operator()(std::pair<int, int>& job) const noexcept {
            std::lock_guard lock(*mutex);
            (*seen)[job.first].push_back(job.second);
        }
    };
    int accepted = 0;
    {
        lkwebhook::detail::keyed_worker_pool<std::pair<int, int>, run_fn> pool(3, 100'000, run_fn{&mutex, &seen});
        for (int i = 0; i < 3000; ++i) {
            const int key = i % 7;
            if (pool.try_submit(static_cast<std::uint64_t>(key), {key, i})) ++accepted;
        }
        pool.shutdown();
        CHECK_FALSE(pool.try_submit(1, {1, 1}));
    }
    CHECK(accepted == 3000);
    std::size_t total = 0;
    for (const auto& [key, values] : seen) {
        total += values.size();
        for (std::size_t i = 1; i < values.size(); ++i) CHECK(values[i - 1] < values[i]);
    }
    CHECK(total == 3000);
}

TEST_CASE("forged and tampered requests are answered 401 at once and never queued", "[async_dispatcher]") {
    const auto keys = test_keys();
    lkwebhook::memory_store store;
    ordered_recorder c;
    lkwebhook::async_dispatcher dispatcher{keys, c, store};
    const auto r = call_sequence("room-x", "EV_af").front();
    const auto forged = lkwebhook_test::signed_request("room_started", "EV_af_0", r.body, "wrong-secret");
    CHECK(dispatcher.submit(forged.body, forged.authorization).error == errc::bad_signature);
    CHECK(dispatcher.submit(r.body + " ", r.authorization).error == errc::body_hash_mismatch);
    CHECK(dispatcher.submit(r.body, "").status == 401);
    dispatcher.shutdown();
    CHECK(c.times_seen.empty());
}

TEST_CASE("every event answered 200 is handled exactly once, in order per room, even at shutdown",
          "[async_dispatcher][concurrency][threat-M1][threat-H1]") {
    const auto keys = test_keys();
    lkwebhook::memory_store store;
    ordered_recorder c;
    c.work = 200us;
    lkwebhook::metrics m;
    lkwebhook::async_options options;
    options.workers = 3;
    options.dispatch.metrics = &m;
    std::vector<std::vector<lkwebhook_test::request>> rooms;
    for (int i = 0; i < 8; ++i) rooms.push_back(call_sequence("room-" + std::to_string(i), "EV_o" + std::to_string(i)));

    std::atomic<int> ok{0};
    std::atomic<int> duplicates{0};
    {
        lkwebhook::async_dispatcher dispatcher{keys, c, store, options};
        std::vector<std::thread> senders;
        // Each room is sent by one thread (LiveKit sends one resource's events in order);
        // every event is sent twice (a retry after a lost 2xx).
        for (std::size_t t = 0; t < rooms.size(); ++t) {
            senders.emplace_back([&, t] {
                for (const auto& r : rooms[t]) {
                    for (int attempt = 0; attempt < 2; ++attempt) {
                        const auto o = dispatcher.submit(r.body, r.authorization);
                        if (o.ok()) ok.fetch_add(1);
                        if (o.duplicate) duplicates.fetch_add(1);
                    }
                }
            });
        }
        for (auto& s : senders) s.join();
        dispatcher.shutdown();  // drains; then the destructor has nothing left
        CHECK(dispatcher.queue_depth() == 0);
        const auto late = call_sequence("late-room", "EV_late").front();
        const auto refused = dispatcher.submit(late.body, late.authorization);
        CHECK(refused.error == errc::overloaded);
        CHECK(refused.status == 503);
        // Refused, so its claim was released: another instance (or a restart) can take it.
        CHECK(store.claim(late.id).status == lkwebhook::claim_status::proceed);
    }
    const int total = static_cast<int>(rooms.size() * rooms[0].size());
    CHECK(ok.load() == total);
    CHECK(duplicates.load() == total);
    REQUIRE(c.times_seen.size() == static_cast<std::size_t>(total));
    for (const auto& [id, n] : c.times_seen) {
        INFO(id);
        CHECK(n == 1);
    }
    for (const auto& [room, created] : c.per_room) {
        INFO(room);
        CHECK(created.size() == rooms[0].size());
        for (std::size_t i = 1; i < created.size(); ++i) CHECK(created[i - 1] < created[i]);
    }
    CHECK(m.accepted() == static_cast<std::uint64_t>(total));
    CHECK(m.events(lkwebhook::event_type::room_finished) == rooms.size());
}

TEST_CASE("a full queue answers 503 overloaded with Retry-After, and the retry is accepted later",
          "[async_dispatcher][concurrency][threat-I4]") {
    const auto keys = test_keys();
    lkwebhook::memory_store store;
    gate g;
    lkwebhook::async_options options;
    options.workers = 1;
    options.queue_capacity = 2;
    const auto calls = call_sequence("busy", "EV_q");
    lkwebhook::async_dispatcher dispatcher{keys, g, store, options};
    CHECK(dispatcher.submit(calls[0].body, calls[0].authorization).status == 200);
    CHECK(dispatcher.submit(calls[1].body, calls[1].authorization).status == 200);
    const auto full = dispatcher.submit(calls[2].body, calls[2].authorization);
    CHECK(full.status == 503);
    CHECK(full.error == errc::overloaded);
    REQUIRE(full.retry_after.has_value());
    CHECK(full.retry_after->count() >= 1);
    g.release();
    REQUIRE(dispatcher.wait_idle(5s));
    // The refused event's claim was released: LiveKit's retry is accepted and handled.
    CHECK(dispatcher.submit(calls[2].body, calls[2].authorization).status == 200);
    dispatcher.shutdown();
    CHECK(g.handled.load() == 3);
}

TEST_CASE("a failing handler is retried with backoff, then dead-lettered, nothing is dropped silently",
          "[async_dispatcher][concurrency][threat-J5]") {
    const auto keys = test_keys();
    lkwebhook::memory_store store;
    lkwebhook::metrics m;
    std::mutex mutex;
    std::vector<std::string> dead;
    lkwebhook::async_options options;
    options.workers = 1;
    options.max_attempts = 3;
    options.initial_backoff = 5ms;
    options.dispatch.metrics = &m;
    options.dead_letter = [&](const webhook_event& ev, std::error_code reason) {
        std::lock_guard lock(mutex);
        dead.push_back(ev.id + ":" + std::string{lkwebhook::to_string(reason)});
    };
    const auto started = call_sequence("fail", "EV_r").front();

    SECTION("recovers on the third attempt") {
        flaky f;
        f.fail_first = 2;
        lkwebhook::async_dispatcher dispatcher{keys, f, store, options};
        CHECK(dispatcher.submit(started.body, started.authorization).status == 200);
        dispatcher.shutdown();
        CHECK(f.calls.load() == 3);
        CHECK(dead.empty());
        CHECK(m.retries() == 2);
        CHECK(m.handler_failures() == 2);
    }
    SECTION("always failing: dead-lettered once, and a replay stays a duplicate") {
        flaky f;
        f.fail_first = 1000;
        lkwebhook::async_dispatcher dispatcher{keys, f, store, options};
        CHECK(dispatcher.submit(started.body, started.authorization).status == 200);
        REQUIRE(dispatcher.wait_idle(5s));
        CHECK(f.calls.load() == 3);
        CHECK(dead == std::vector<std::string>{"EV_r_0:handler_failed"});
        CHECK(m.dead_letters() == 1);
        CHECK(dispatcher.submit(started.body, started.authorization).error == errc::duplicate_event);
        dispatcher.shutdown();
        CHECK(f.calls.load() == 3);
    }
}

TEST_CASE("async options are validated [threat-I4]", "[async_dispatcher][threat-I4]") {
    lkwebhook::async_options o;
    CHECK(lkwebhook::validate(o));
    CHECK(o.queue_capacity == 10'000);
    o.workers = 0;
    CHECK(lkwebhook::validate(o).error() == errc::invalid_config);
    o = {};
    o.queue_capacity = 0;
    CHECK_FALSE(lkwebhook::validate(o));
    o = {};
    o.max_attempts = 0;
    CHECK_FALSE(lkwebhook::validate(o));
    o = {};
    o.max_backoff = 1ms;
    CHECK_FALSE(lkwebhook::validate(o));
    o = {};
    o.dispatch.verify.leeway = std::chrono::seconds{301};
    CHECK_FALSE(lkwebhook::validate(o));
}
