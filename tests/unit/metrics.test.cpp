// metrics: counters, histogram, Prometheus text, rate-limited log sink.

#include <lkwebhook/log.hpp>
#include <lkwebhook/metrics.hpp>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "support/catch.hpp"

namespace {
lkwebhook::outcome make(lkwebhook::errc code) { return lkwebhook::outcome::failure(code); }
}  // namespace

TEST_CASE("record() counts by outcome, duplicates, sessions and latency buckets", "[metrics]") {
    lkwebhook::metrics m;
    lkwebhook::outcome ok;
    ok.type = lkwebhook::event_type::room_started;
    ok.handled = true;
    ok.delivery = lkwebhook::delivery::handled;
    ok.session_found = true;
    m.record(ok, std::chrono::microseconds{40});
    auto dup = make(lkwebhook::errc::duplicate_event);
    dup.duplicate = true;
    m.record(dup, std::chrono::microseconds{70});
    m.record(make(lkwebhook::errc::bad_signature), std::chrono::seconds{5});
    auto lost = ok;
    lost.session_found = false;
    lost.delivery = lkwebhook::delivery::session_not_found;
    m.record(lost, std::chrono::milliseconds{3});
    m.record(make(lkwebhook::errc::handler_failed), std::chrono::milliseconds{1});

    CHECK(m.received() == 5);
    CHECK(m.accepted() == 2);
    CHECK(m.duplicates() == 1);
    CHECK(m.count(lkwebhook::errc::bad_signature) == 1);
    CHECK(m.count(lkwebhook::errc::duplicate_event) == 1);
    CHECK(m.rejected() == 2);
    CHECK(m.sessions_not_found() == 1);
    CHECK(m.handler_failures() == 1);
    CHECK(m.events(lkwebhook::event_type::room_started) == 1);
    CHECK(m.latency_count() == 5);
    CHECK(m.latency_bucket(0) == 1);                                             // <= 50 us
    CHECK(m.latency_bucket(1) == 1);                                             // <= 100 us
    CHECK(m.latency_bucket(lkwebhook::metrics::latency_bounds_ns.size()) == 1);  // +Inf
}

TEST_CASE("events are counted by what became of them, by type, and rejections count none", "[metrics]") {
    lkwebhook::metrics m;
    const auto delivered = [&](lkwebhook::event_type type, lkwebhook::delivery d) {
        lkwebhook::outcome o;
        o.type = type;
        o.delivery = d;
        m.record(o, std::chrono::microseconds{10});
    };
    using lkwebhook::delivery;
    using lkwebhook::event_type;
    delivered(event_type::egress_ended, delivery::handled);
    delivered(event_type::egress_ended, delivery::unmapped);
    delivered(event_type::egress_ended, delivery::unmapped);
    delivered(event_type::ingress_started, delivery::session_not_found);
    delivered(event_type::agent_job_ended, delivery::no_handler);
    delivered(event_type::room_started, delivery::queued);
    delivered(event_type::room_started, delivery::failed);
    auto rejected = make(lkwebhook::errc::bad_signature);
    rejected.type = event_type::room_started;
    m.record(rejected, std::chrono::microseconds{10});

    CHECK(m.events(event_type::egress_ended) == 1);
    CHECK(m.events_unmapped(event_type::egress_ended) == 2);
    CHECK(m.events_session_not_found(event_type::ingress_started) == 1);
    CHECK(m.events_without_handler(event_type::agent_job_ended) == 1);
    CHECK(m.events(event_type::agent_job_ended) == 0);
    CHECK(m.events(event_type::room_started) == 0);  // queued, failed and rejected are not "handled"
    CHECK(m.sessions_not_found() == 3);

    const std::string text = lkwebhook::to_prometheus(m);
    CHECK(text.find("lkwebhook_events_total{type=\"egress_ended\"} 1\n") != std::string::npos);
    CHECK(text.find("# TYPE lkwebhook_events_without_handler_total counter\n") != std::string::npos);
    CHECK(text.find("lkwebhook_events_without_handler_total{type=\"agent_job_ended\"} 1\n") != std::string::npos);
    CHECK(text.find("# TYPE lkwebhook_events_without_session_total counter\n") != std::string::npos);
    CHECK(text.find("lkwebhook_events_without_session_total{type=\"egress_ended\",reason=\"unmapped\"} 2\n") !=
          std::string::npos);
    CHECK(text.find("lkwebhook_events_without_session_total{type=\"ingress_started\",reason=\"not_found\"} 1\n") !=
          std::string::npos);

    // An async worker reports each attempt the same way.
    m.record_delivery(event_type::track_published, delivery::handled);
    CHECK(m.events(event_type::track_published) == 1);
}

TEST_CASE("to_prometheus renders valid exposition text", "[metrics]") {
    lkwebhook::metrics m;
    m.record(make(lkwebhook::errc::body_hash_mismatch), std::chrono::microseconds{120});
    m.record_event(lkwebhook::event_type::room_finished);
    m.set_queue_depth(7);
    const std::string text = lkwebhook::to_prometheus(m);
    CHECK(text.find("# TYPE lkwebhook_requests_total counter\n") != std::string::npos);
    CHECK(text.find("lkwebhook_requests_total{outcome=\"body_hash_mismatch\"} 1\n") != std::string::npos);
    CHECK(text.find("lkwebhook_requests_total{outcome=\"ok\"} 0\n") != std::string::npos);
    CHECK(text.find("lkwebhook_events_total{type=\"room_finished\"} 1\n") != std::string::npos);
    CHECK(text.find("lkwebhook_events_total{type=\"unknown\"} 0\n") != std::string::npos);
    CHECK(text.find("lkwebhook_queue_depth 7\n") != std::string::npos);
    CHECK(text.find("# TYPE lkwebhook_queue_depth gauge\n") != std::string::npos);
    CHECK(text.find("lkwebhook_request_duration_seconds_bucket{le=\"0.0001\"} 0\n") != std::string::npos);
    CHECK(text.find("lkwebhook_request_duration_seconds_bucket{le=\"0.00025\"} 1\n") != std::string::npos);
    CHECK(text.find("lkwebhook_request_duration_seconds_bucket{le=\"+Inf\"} 1\n") != std::string::npos);
    CHECK(text.find("lkwebhook_request_duration_seconds_sum 0.00012\n") != std::string::npos);
    CHECK(text.find("lkwebhook_request_duration_seconds_count 1\n") != std::string::npos);
    CHECK(text.find("invalid_config") == std::string::npos);
    CHECK(text.back() == '\n');
    CHECK(lkwebhook::to_prometheus(m, "app_hooks").find("app_hooks_received_total 1\n") != std::string::npos);
}

TEST_CASE("counters are safe to update from many threads", "[metrics][concurrency]") {
    lkwebhook::metrics m;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 5000; ++i) m.record(lkwebhook::outcome{}, std::chrono::microseconds{i % 300});
        });
    }
    for (auto& th : threads) th.join();
    CHECK(m.received() == 20000);
    CHECK(m.latency_count() == 20000);
}

TEST_CASE("log_sink escapes attacker text and rate-limits rejections", "[metrics][threat-L2][threat-L4][threat-K1]") {
    std::vector<lkwebhook::log_record> records;
    std::vector<std::string> lines;
    lkwebhook::log_sink sink{[&](const lkwebhook::log_record& r) {
        records.push_back(r);
        lines.push_back(lkwebhook::to_string(r));
    }};
    lkwebhook::metrics m;
    lkwebhook::outcome ok;
    ok.set_event_id("EV_1");
    ok.type = lkwebhook::event_type::room_started;
    CHECK(sink.log(ok, "room_started", "room\x1b[31m\nX", std::chrono::microseconds{12}, &m));
    REQUIRE(lines.size() == 1);
    CHECK(lines[0] ==
          "outcome=ok status=200 type=room_started event=\"room_started\" id=\"EV_1\" room=\"room\\x1b[31m\\x0aX\" "
          "latency_us=12");
    const std::string long_room(300, 'r');
    CHECK(sink.log(ok, "room_started", long_room, {}, &m));
    CHECK(lines[1].find(std::string(65, 'r')) == std::string::npos);  // truncated to 64 bytes

    // What became of the event is in the line; sessions only once the correlator ran.
    lkwebhook::outcome unmapped = ok;
    unmapped.delivery = lkwebhook::delivery::unmapped;
    CHECK(sink.log(unmapped, "egress_ended", "", {}, &m));
    CHECK(lines.back().ends_with("latency_us=0 delivery=unmapped session_found=0"));
    CHECK(records.back().delivery == lkwebhook::delivery::unmapped);
    lkwebhook::outcome handled = ok;
    handled.delivery = lkwebhook::delivery::handled;
    handled.session_found = true;
    CHECK(sink.log(handled, "room_started", "", {}, &m));
    CHECK(lines.back().ends_with("latency_us=0 delivery=handled"));

    // Rejections: one line per second at most; the rest counted.
    int passed = 0;
    for (int i = 0; i < 50; ++i) passed += sink.log(make(lkwebhook::errc::bad_signature), {}, {}, {}, &m) ? 1 : 0;
    CHECK(passed <= 2);  // a second boundary may fall inside the loop
    CHECK(m.suppressed_logs() >= 48);
    // Accepted events are never suppressed, and report what was.
    CHECK(sink.log(ok, "room_started", "r", {}, &m));
    CHECK(records.back().suppressed_before >= 48);
}
