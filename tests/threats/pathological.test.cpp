// Threat catalogue I6 (and G6, G20): pathological but valid bodies within the
// 1 MiB cap are accepted in linear time; hostile nesting is rejected without
// recursion. Each body is signed with lkwebhook::sign and goes through
// verify_and_dispatch, so authentication, hashing, copying, parsing and
// dispatch are all in the measurement.
//
// Linearity: the CPU time for a body of ~960 KiB must stay under 8x the time
// for the same shape at ~240 KiB (4x is linear, 16x quadratic; the slack
// absorbs noise on a shared machine). The absolute figure is printed (the
// catalogue's target (I6) is <= 10 ms per MiB on one core in an optimised
// build); it is only bounded loosely here because this test also runs in
// Debug and sanitizer builds.
#include "support/catch.hpp"

#include <lkwebhook/clock.hpp>
#include <lkwebhook/dispatch.hpp>
#include <lkwebhook/idempotency.hpp>
#include <lkwebhook/keys.hpp>
#include <lkwebhook/signer.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <functional>
#include <string>

namespace {

constexpr std::int64_t now = 1768228729;
constexpr std::string_view api_key = "APIpathological";
constexpr std::string_view api_secret = "pathological-secret-0123456789abcdef0123";

struct counting_correlator {
    int calls = 0;
    void on_event(const lkwebhook::webhook_event&) noexcept { ++calls; }
};

// CPU time of this thread: other processes' time slices do not count.
double thread_cpu_ms() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

struct run_result {
    std::string outcome;
    double milliseconds = 0;
    int handler_calls = 0;
};

run_result run(const std::string& body) {
    static const lkwebhook::static_key keys = *lkwebhook::static_key::make(api_key, api_secret);
    lkwebhook::sign_options sign;
    sign.now_unix = now;
    const auto token = lkwebhook::sign(body, api_key, api_secret, sign);
    REQUIRE(token);
    lkwebhook::no_idempotency store;
    run_result best;
    best.milliseconds = 1e300;
    for (int attempt = 0; attempt < 5; ++attempt) {  // best of five: the machine is shared
        counting_correlator correlator;
        const double start = thread_cpu_ms();
        const lkwebhook::outcome o =
                lkwebhook::verify_and_dispatch(body, *token, keys, correlator, store, {}, lkwebhook::fixed_clock{now});
        const double ms = thread_cpu_ms() - start;
        if (ms < best.milliseconds) best = {std::string(o.name()), ms, correlator.calls};
    }
    return best;
}

// {"event":"room_started","room":{"sid":"RM_x","name":"r"},"id":"EV_patho","unknown":<filler>}
std::string event_with(const std::string& filler) {
    return R"({"event":"room_started","room":{"sid":"RM_patho","name":"patho"},"id":"EV_pathological","unknown":)" +
           filler + "}";
}

std::string repeat_until(std::size_t size, const std::string& open, const std::function<std::string(std::size_t)>& item,
                         const std::string& separator, const std::string& close) {
    std::string out = open;
    for (std::size_t i = 0; out.size() + close.size() < size; ++i) {
        if (i != 0) out += separator;
        out += item(i);
    }
    return out + close;
}

struct shape {
    const char* name;
    std::function<std::string(std::size_t)> body;  // a body of about this many bytes
};

const std::size_t quarter = 240 * 1024;
const std::size_t full = 960 * 1024;

}  // namespace

TEST_CASE("pathological but valid bodies are accepted in linear time", "[threats][threat-I6][threat-G20]") {
    const std::string deep_array = std::string(60, '[') + std::string(60, ']');
    const shape shapes[] = {
            {"nesting to depth 62, repeated",
             [&](std::size_t n) {
                 return event_with(repeat_until(
                         n, "[", [&](std::size_t) { return deep_array; }, ",", "]"));
             }},
            {"object with ~100k members",
             [](std::size_t n) {
                 return event_with(repeat_until(
                         n, "{", [](std::size_t i) { return "\"k" + std::to_string(i) + "\":0"; }, ",", "}"));
             }},
            {"~500k empty objects in an array",
             [](std::size_t n) {
                 return event_with(repeat_until(
                         n, "[", [](std::size_t) { return std::string("{}"); }, ",", "]"));
             }},
            {"1 MiB of \\u0000 escapes",
             [](std::size_t n) {
                 return event_with(repeat_until(
                         n, "\"", [](std::size_t) { return std::string("\\u0000"); }, "", "\""));
             }},
            {"participant attributes map with ~40k entries",
             [](std::size_t n) {
                 return R"({"event":"participant_joined","room":{"sid":"RM_p","name":"p"},"participant":{"sid":"PA_p","identity":"i","attributes":)" +
                        repeat_until(
                                n - 200, "{",
                                [](std::size_t i) {
                                    return "\"attr" + std::to_string(i * 7919 % 1000003) + "\":\"v\"";
                                },
                                ",", "}") +
                        R"(},"id":"EV_attributes"})";
             }},
    };
    for (const shape& s : shapes) {
        INFO(s.name);
        const std::string small = s.body(quarter);
        const std::string large = s.body(full);
        REQUIRE(large.size() <= 1024 * 1024);
        const run_result a = run(small);
        const run_result b = run(large);
        std::printf("%-48s %7zu B: %8.2f ms   %7zu B: %8.2f ms   (%.1f ms/MiB, ratio %.2f)\n", s.name, small.size(),
                    a.milliseconds, large.size(), b.milliseconds,
                    b.milliseconds / (static_cast<double>(large.size()) / 1048576.0), b.milliseconds / a.milliseconds);
        CHECK(a.outcome == "ok");
        CHECK(b.outcome == "ok");
        CHECK(a.handler_calls == 1);
        CHECK(b.handler_calls == 1);
        CHECK(b.milliseconds < 8.0 * a.milliseconds + 2.0);
        CHECK(b.milliseconds < 5000.0);
    }
}

TEST_CASE("nesting past the limit is malformed_body, without recursion, even 1 MiB deep",
          "[threats][threat-G6][threat-I6]") {
    // Depth 65 (the top-level object is depth 1): just over the limit of 64.
    const std::string over = event_with(std::string(64, '[') + std::string(64, ']'));
    const run_result r = run(over);
    CHECK(r.outcome == "malformed_body");
    CHECK(r.handler_calls == 0);
    // Exactly at the limit: accepted.
    const std::string at = event_with(std::string(63, '[') + std::string(63, ']'));
    CHECK(run(at).outcome == "ok");
    // ~1 MiB of '[': a recursive parser would overflow its stack.
    const std::string abyss = event_with(std::string(1000 * 1024, '['));
    const run_result deep = run(abyss);
    CHECK(deep.outcome == "malformed_body");
    CHECK(deep.milliseconds < 5000.0);
}
