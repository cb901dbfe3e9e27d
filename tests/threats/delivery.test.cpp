// Catalogue rows that no per-header test covers, tested end to end through
// the public API: replay after expiry (H2, H9), parser capacity (I5), owning
// events (J2), no callback under a library lock (J4), one clock read per
// request (J7), no environment lookups (K3), no switch that skips
// verification (K4), no body bytes in logs or diagnostics (K6, G22), and
// forward compatibility of unknown events (M6).
#include "support/catch.hpp"

#include <lkwebhook/clock.hpp>
#include <lkwebhook/decode.hpp>
#include <lkwebhook/dispatch.hpp>
#include <lkwebhook/encode.hpp>
#include <lkwebhook/idempotency.hpp>
#include <lkwebhook/keys.hpp>
#include <lkwebhook/metrics.hpp>
#include <lkwebhook/signer.hpp>
#include <lkwebhook/verify.hpp>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <future>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr std::int64_t now = 1768228729;
constexpr std::string_view api_key = "APIthreats";
constexpr std::string_view api_secret = "threats-secret-0123456789abcdef0123456789";

const lkwebhook::static_key& keys() {
    static const lkwebhook::static_key k = *lkwebhook::static_key::make(api_key, api_secret);
    return k;
}

std::string sign_at(std::string_view body, std::int64_t at,
                    std::chrono::seconds valid_for = std::chrono::seconds{300}) {
    lkwebhook::sign_options o;
    o.now_unix = at;
    o.valid_for = valid_for;
    auto token = lkwebhook::sign(body, api_key, api_secret, o);
    REQUIRE(token);
    return *token;
}

struct recording_correlator {
    std::vector<std::string> events;
    void on_event(const lkwebhook::webhook_event& ev) { events.push_back(ev.event + "/" + ev.id); }
};

const std::string room_started =
        R"({"event":"room_started","room":{"sid":"RM_threat","name":"threat-room"},"id":"EV_threat0001","createdAt":"1768228729"})";

}  // namespace

TEST_CASE("a replay after exp + leeway is token_expired even while its id is still stored", "[threats][threat-H2]") {
    const std::string token = sign_at(room_started, now);  // exp = now + 300
    lkwebhook::memory_store store;
    recording_correlator correlator;
    const auto first = lkwebhook::verify_and_dispatch(room_started, token, keys(), correlator, store, {},
                                                      lkwebhook::fixed_clock{now});
    REQUIRE(first.ok());
    // Inside the window the replay is a duplicate...
    const auto replay = lkwebhook::verify_and_dispatch(room_started, token, keys(), correlator, store, {},
                                                       lkwebhook::fixed_clock{now + 359});
    CHECK(replay.error == lkwebhook::errc::duplicate_event);
    // ...and from exp + 60 s on it is expired, whatever the store says.
    const auto late = lkwebhook::verify_and_dispatch(room_started, token, keys(), correlator, store, {},
                                                     lkwebhook::fixed_clock{now + 360});
    CHECK(late.error == lkwebhook::errc::token_expired);
    CHECK(late.status == 401);
    CHECK(correlator.events.size() == 1);
}

TEST_CASE("a LiveKit retry arriving after its token expired is token_expired and visible in metrics",
          "[threats][threat-H9]") {
    const std::string token = sign_at(room_started, now);
    lkwebhook::metrics metrics;
    lkwebhook::dispatch_options options;
    options.metrics = &metrics;
    lkwebhook::memory_store store;
    recording_correlator correlator;
    // The first attempt never reached us; the retry (same token) comes 6 minutes later.
    const auto retry = lkwebhook::verify_and_dispatch(room_started, token, keys(), correlator, store, options,
                                                      lkwebhook::fixed_clock{now + 360});
    CHECK(retry.error == lkwebhook::errc::token_expired);
    CHECK(correlator.events.empty());
    CHECK(metrics.count(lkwebhook::errc::token_expired) == 1);
    CHECK(metrics.received() == 1);
}

TEST_CASE("the decoder's capacity is the body limit: a larger body is refused before parsing", "[threats][threat-I5]") {
    lkwebhook::decode_context context(lkwebhook::decode_options{}, 256);
    lkwebhook::webhook_event event;
    const std::string padded = room_started + std::string(300, ' ');  // valid JSON, 400+ bytes
    const auto r = lkwebhook::decode(padded, event, context);
    CHECK(r.error() == lkwebhook::errc::body_too_large);
    CHECK(lkwebhook::decode(room_started, event, context));
}

TEST_CASE("decoded events own their strings: they survive the next parse and move to other threads",
          "[threats][threat-J2]") {
    lkwebhook::decode_context context;
    lkwebhook::webhook_event first;
    REQUIRE(lkwebhook::decode(room_started, first, context));
    const std::string before = lkwebhook::to_json(first);
    const std::string other =
            R"({"event":"room_finished","room":{"sid":"RM_other_other","name":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"},"id":"EV_other0000000"})";
    lkwebhook::webhook_event second;
    REQUIRE(lkwebhook::decode(other, second, context));  // reuses the parser's buffers
    CHECK(lkwebhook::to_json(first) == before);
    std::string seen_by_thread =
            std::async(std::launch::async, [moved = std::move(first)] { return lkwebhook::to_json(moved); }).get();
    CHECK(seen_by_thread == before);
}

TEST_CASE("handlers run outside library locks: a handler may re-enter verify_and_dispatch on the same store",
          "[threats][threat-J4]") {
    lkwebhook::memory_store store(lkwebhook::memory_store_options{16, std::chrono::seconds{1200}, 1});  // one shard
    const std::string nested_body =
            R"({"event":"room_finished","room":{"sid":"RM_threat","name":"threat-room"},"id":"EV_threat0002"})";
    const std::string nested_token = sign_at(nested_body, now);
    struct reentrant_correlator {
        lkwebhook::memory_store* store;
        const std::string* body;
        const std::string* token;
        std::string nested_result;
        void on_room_started(const lkwebhook::webhook_event&) {
            recording_correlator inner;
            nested_result = std::string(lkwebhook::verify_and_dispatch(*body, *token, keys(), inner, *store, {},
                                                                       lkwebhook::fixed_clock{now})
                                                .name());
        }
        void on_room_finished(const lkwebhook::webhook_event&) {}
    } correlator{&store, &nested_body, &nested_token, {}};
    // A lock held across the handler would deadlock here (same single shard);
    // the future's timeout turns that into a failure instead of a hang.
    auto done = std::async(std::launch::async, [&] {
        return std::string(lkwebhook::verify_and_dispatch(room_started, sign_at(room_started, now), keys(), correlator,
                                                          store, {}, lkwebhook::fixed_clock{now})
                                   .name());
    });
    REQUIRE(done.wait_for(std::chrono::seconds(20)) == std::future_status::ready);
    CHECK(done.get() == "ok");
    CHECK(correlator.nested_result == "ok");
}

TEST_CASE("the clock is read exactly once per request", "[threats][threat-J7]") {
    struct counting_clock {
        std::atomic<int>* reads;
        std::chrono::system_clock::time_point now() const noexcept {
            reads->fetch_add(1);
            return std::chrono::system_clock::time_point(std::chrono::seconds(::now));
        }
    };
    std::atomic<int> reads{0};
    const std::string token = sign_at(room_started, now);
    REQUIRE(lkwebhook::verify(room_started, token, keys(), {}, counting_clock{&reads}));
    CHECK(reads.load() == 1);
    reads = 0;
    lkwebhook::memory_store store;
    recording_correlator correlator;
    CHECK(lkwebhook::verify_and_dispatch(room_started, token, keys(), correlator, store, {}, counting_clock{&reads})
                  .ok());
    CHECK(reads.load() == 1);
}

TEST_CASE("verification never falls back to LIVEKIT_API_KEY / LIVEKIT_API_SECRET", "[threats][threat-K3]") {
    // A token signed with the environment's credentials must not verify
    // against explicitly configured keys.
    ::setenv("LIVEKIT_API_KEY", "APIfromenv", 1);
    ::setenv("LIVEKIT_API_SECRET", "secret-from-the-environment-0123456789", 1);
    lkwebhook::sign_options o;
    o.now_unix = now;
    const auto token = lkwebhook::sign(room_started, "APIfromenv", "secret-from-the-environment-0123456789", o);
    REQUIRE(token);
    const auto r = lkwebhook::verify(room_started, *token, keys(), {}, lkwebhook::fixed_clock{now});
    CHECK(r.error() == lkwebhook::errc::unknown_api_key);
    ::unsetenv("LIVEKIT_API_KEY");
    ::unsetenv("LIVEKIT_API_SECRET");
}

TEST_CASE("no option skips verification: the most permissive options still reject forgeries", "[threats][threat-K4]") {
    lkwebhook::verify_options loose;
    loose.leeway = lkwebhook::max_leeway;
    loose.max_authorization_bytes = lkwebhook::hard_max_authorization_bytes;
    loose.max_body_bytes = lkwebhook::hard_max_body_bytes;
    loose.allow_bearer_prefix = true;
    loose.max_token_lifetime.reset();
    const std::string token = sign_at(room_started, now);
    REQUIRE(lkwebhook::verify(room_started, token, keys(), loose, lkwebhook::fixed_clock{now}));

    std::string forged = token;
    forged[forged.rfind('.') + 1] = forged[forged.rfind('.') + 1] == 'A' ? 'B' : 'A';
    CHECK(lkwebhook::verify(room_started, forged, keys(), loose, lkwebhook::fixed_clock{now}).error() ==
          lkwebhook::errc::bad_signature);
    std::string tampered = room_started;
    tampered[tampered.find("threat-room")] = 'T';
    CHECK(lkwebhook::verify(tampered, token, keys(), loose, lkwebhook::fixed_clock{now}).error() ==
          lkwebhook::errc::body_hash_mismatch);
    CHECK(lkwebhook::verify(room_started, "", keys(), loose, lkwebhook::fixed_clock{now}).error() ==
          lkwebhook::errc::missing_authorization);
}

TEST_CASE("bodies, secrets and tokens never reach logs, diagnostics or outcomes", "[threats][threat-K6][threat-G22]") {
    constexpr std::string_view marker = "SECRET-TURN-PASSWORD-MARKER";
    const std::string ok_body =
            std::string(R"({"event":"room_started","room":{"sid":"RM_k6","name":"k6","turnPassword":")") +
            std::string(marker) + R"(","metadata":"PII-MARKER"},"id":"EV_k6"})";
    const std::string bad_body = std::string(R"({"event":"room_started","room":{"sid":"RM_k6","turnPassword":")") +
                                 std::string(marker) + R"(","emptyTimeout":"PII-MARKER"},"id":"EV_k6bad"})";
    std::vector<std::string> lines;
    lkwebhook::log_sink sink([&](const lkwebhook::log_record& r) { lines.push_back(lkwebhook::to_string(r)); }, 1000);
    lkwebhook::dispatch_options options;
    options.log = &sink;
    lkwebhook::memory_store store;
    recording_correlator correlator;
    std::vector<std::string> whys;
    const std::string ok_token = sign_at(ok_body, now);
    for (const auto& [body, token] : std::vector<std::pair<std::string, std::string>>{
                 {ok_body, ok_token},                                    // accepted
                 {bad_body, sign_at(bad_body, now)},                     // malformed_body (wrong type)
                 {ok_body + " ", ok_token},                              // body_hash_mismatch
                 {ok_body, ok_token.substr(0, ok_token.size() - 1)}}) {  // malformed token
        const auto o = lkwebhook::verify_and_dispatch(body, token, keys(), correlator, store, options,
                                                      lkwebhook::fixed_clock{now});
        whys.emplace_back(o.why.view());
    }
    REQUIRE(lines.size() == 4);
    const std::string signature = ok_token.substr(ok_token.rfind('.') + 1);
    for (const std::string& text : lines) {
        INFO(text);
        CHECK(text.find(marker) == std::string::npos);
        CHECK(text.find("PII-MARKER") == std::string::npos);
        CHECK(text.find(api_secret) == std::string::npos);
        CHECK(text.find(signature) == std::string::npos);
    }
    for (const std::string& why : whys) {
        INFO(why);
        CHECK(why.find(marker) == std::string::npos);
        CHECK(why.find("PII-MARKER") == std::string::npos);
        CHECK(why.find(api_secret) == std::string::npos);
    }
}

TEST_CASE("an event type nobody knows yet is acknowledged and handed to the catch-all handler",
          "[threats][threat-M6]") {
    const std::string body =
            R"({"event":"room_reticulated","room":{"sid":"RM_m6","name":"m6"},"splines":{"count":3},"id":"EV_m6"})";
    lkwebhook::memory_store store;
    recording_correlator correlator;
    const auto o = lkwebhook::verify_and_dispatch(body, sign_at(body, now), keys(), correlator, store, {},
                                                  lkwebhook::fixed_clock{now});
    CHECK(o.ok());
    CHECK(o.status == 200);
    CHECK(o.type == lkwebhook::event_type::unknown);
    REQUIRE(correlator.events.size() == 1);
    CHECK(correlator.events[0] == "room_reticulated/EV_m6");
}

TEST_CASE("a flood of rejections produces a bounded number of log lines", "[threats][threat-I7]") {
    int lines = 0;
    lkwebhook::log_sink sink([&](const lkwebhook::log_record&) { ++lines; }, 1);  // 1 rejection line per second
    lkwebhook::metrics metrics;
    lkwebhook::dispatch_options options;
    options.log = &sink;
    options.metrics = &metrics;
    lkwebhook::memory_store store;
    recording_correlator correlator;
    std::string forged = sign_at(room_started, now);
    forged[forged.rfind('.') + 1] = forged[forged.rfind('.') + 1] == 'A' ? 'B' : 'A';
    constexpr int flood = 5000;
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < flood; ++i) {
        (void)lkwebhook::verify_and_dispatch(room_started, forged, keys(), correlator, store, options,
                                             lkwebhook::fixed_clock{now});
    }
    const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    CHECK(metrics.count(lkwebhook::errc::bad_signature) == flood);  // every rejection is counted...
    CHECK(lines <= static_cast<int>(seconds) + 2);                  // ...but only ~1 line per second is written
    CHECK(metrics.suppressed_logs() + static_cast<std::uint64_t>(lines) == flood);
    CHECK(correlator.events.empty());
}

TEST_CASE("a request looks its key up once, so it verifies against a single key-set snapshot", "[threats][threat-J6]") {
    struct counting_keys {
        const lkwebhook::static_key* inner;
        std::atomic<int>* lookups;
        std::optional<std::string_view> find_secret(std::string_view key_id) const noexcept {
            lookups->fetch_add(1);
            return inner->find_secret(key_id);
        }
        std::size_t size() const noexcept { return 1; }
    };
    static_assert(lkwebhook::KeyProvider<counting_keys>);
    std::atomic<int> lookups{0};
    const counting_keys provider{&keys(), &lookups};
    const std::string token = sign_at(room_started, now);
    REQUIRE(lkwebhook::verify(room_started, token, provider, {}, lkwebhook::fixed_clock{now}));
    CHECK(lookups.load() == 1);
    lookups = 0;
    lkwebhook::memory_store store;
    recording_correlator correlator;
    CHECK(lkwebhook::verify_and_dispatch(room_started, token, provider, correlator, store, {},
                                         lkwebhook::fixed_clock{now})
                  .ok());
    CHECK(lookups.load() == 1);
}
