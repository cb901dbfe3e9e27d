// Threat catalogue J3 (and H6 under contention): OpenSSL contexts are per thread
// and fetched algorithms are shared read-only, so concurrent verifications with
// different secrets never mix state; concurrent deliveries of the same ids
// through one store dispatch each id exactly once. Labelled `concurrency`, so
// the tsan preset runs it.
#include "support/catch.hpp"

#include <lkwebhook/clock.hpp>
#include <lkwebhook/dispatch.hpp>
#include <lkwebhook/idempotency.hpp>
#include <lkwebhook/keys.hpp>
#include <lkwebhook/signer.hpp>
#include <lkwebhook/verify.hpp>

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr std::int64_t now = 1768228729;

struct request {
    std::string body;
    std::string token;
};

request make(const std::string& id, std::string_view key, std::string_view secret) {
    request r;
    r.body =
            R"({"event":"participant_joined","room":{"sid":"RM_c","name":"c"},"participant":{"sid":"PA_c","identity":"x"},"id":")" +
            id + "\"}";
    lkwebhook::sign_options o;
    o.now_unix = now;
    auto t = lkwebhook::sign(r.body, key, secret, o);
    REQUIRE(t);
    r.token = *t;
    return r;
}

}  // namespace

TEST_CASE("concurrent verifications with different secrets never share MAC state",
          "[threats][threat-J3][concurrency]") {
    const auto keys_a = *lkwebhook::static_key::make("APIalpha", "alpha-secret-0123456789abcdef0123456789");
    const auto keys_b = *lkwebhook::static_key::make("APIbeta", "beta-secret-abcdef0123456789abcdef01234");
    const request a = make("EV_a", "APIalpha", "alpha-secret-0123456789abcdef0123456789");
    const request b = make("EV_b", "APIbeta", "beta-secret-abcdef0123456789abcdef01234");
    std::atomic<int> wrong{0};
    auto worker = [&](bool start_with_a) {
        for (int i = 0; i < 2000; ++i) {
            const bool use_a = ((i % 2) == 0) == start_with_a;
            const request& r = use_a ? a : b;
            const auto& right = use_a ? keys_a : keys_b;
            const auto& other = use_a ? keys_b : keys_a;
            if (!lkwebhook::verify(r.body, r.token, right, {}, lkwebhook::fixed_clock{now})) ++wrong;
            if (lkwebhook::verify(r.body, r.token, other, {}, lkwebhook::fixed_clock{now})) ++wrong;
        }
    };
    std::thread t1(worker, true);
    std::thread t2(worker, false);
    worker(true);
    t1.join();
    t2.join();
    CHECK(wrong.load() == 0);
}

TEST_CASE("concurrent deliveries of the same events dispatch each id exactly once",
          "[threats][threat-H6][concurrency]") {
    const auto keys = *lkwebhook::static_key::make("APIalpha", "alpha-secret-0123456789abcdef0123456789");
    std::vector<request> requests;
    for (int i = 0; i < 200; ++i)
        requests.push_back(make("EV_c" + std::to_string(i), "APIalpha", "alpha-secret-0123456789abcdef0123456789"));
    lkwebhook::memory_store store;
    std::mutex mutex;
    std::map<std::string, int> calls;
    struct correlator_type {
        std::mutex* mutex;
        std::map<std::string, int>* calls;
        void on_participant_joined(const lkwebhook::webhook_event& ev) {
            std::lock_guard lock(*mutex);
            ++(*calls)[ev.id];
        }
    };
    std::atomic<int> unexpected{0};
    auto worker = [&] {
        correlator_type c{&mutex, &calls};
        for (const request& r : requests) {
            const auto o =
                    lkwebhook::verify_and_dispatch(r.body, r.token, keys, c, store, {}, lkwebhook::fixed_clock{now});
            const bool fine = o.ok() || o.error == lkwebhook::errc::duplicate_event ||
                              o.error == lkwebhook::errc::duplicate_in_flight;
            if (!fine) ++unexpected;
        }
    };
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i) threads.emplace_back(worker);
    for (auto& t : threads) t.join();
    CHECK(unexpected.load() == 0);
    REQUIRE(calls.size() == requests.size());
    for (const auto& [id, n] : calls) {
        INFO(id);
        CHECK(n == 1);
    }
}
