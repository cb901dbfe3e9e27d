// lkwebhook_durable_bench: durable acceptance through each backend on loopback.
// Starts its own servers (redis-server with appendonly yes and appendfsync
// always, then everysec; nats-server -js with a file store), then for each:
//   accept   SUBMITTERS threads call durable_dispatcher::submit (verify,
//            decode, append, engine confirmation) for EVENTS signed events of
//            ROOMS rooms, no consumers: accepted events/s and submit latency
//            p50 / p99;
//   drain    4 consumer threads handle the accepted events (a no-op handler,
//            memory_store): handled events/s.
// Usage: lkwebhook_durable_bench [EVENTS] [SUBMITTERS]   (defaults 4000, 4)
// Figures from a shared 2-core machine are indicative only (see README.md).

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <lkwebhook/durable_dispatcher.hpp>
#include <lkwebhook/keys.hpp>
#include <lkwebhook/redis_stream_queue.hpp>
#if LKWEBHOOK_BENCH_WITH_NATS
#include <lkwebhook/jetstream_queue.hpp>

#include "durable/nats_server.hpp"
#endif

#include "durable/durable_support.hpp"
#include "redis/redis_server.hpp"

namespace {

using clock_type = std::chrono::steady_clock;

struct counting_handler {
    std::atomic<std::uint64_t> handled{0};
    void on_event(const lkwebhook::webhook_event&) { handled.fetch_add(1, std::memory_order_relaxed); }
};

struct figures {
    double accepted_per_s = 0;
    double p50_us = 0;
    double p99_us = 0;
    double handled_per_s = 0;
    std::size_t refused = 0;
};

template <class Queue>
figures run(Queue& queue, const std::vector<lkwebhook_test::signed_event>& events, std::size_t submitters) {
    auto keys = lkwebhook::static_key::make(lkwebhook_test::durable_api_key, lkwebhook_test::durable_api_secret);
    if (!keys) std::abort();
    counting_handler handler;
    lkwebhook::memory_store store;
    figures f;
    std::vector<double> latencies_us(events.size());
    std::atomic<std::size_t> refused{0};
    {
        lkwebhook::durable_options accept_only;
        accept_only.workers = 0;
        lkwebhook::durable_dispatcher dispatcher{*keys, handler, queue, store, accept_only};
        std::atomic<std::size_t> next{0};
        const auto start = clock_type::now();
        std::vector<std::thread> threads;
        for (std::size_t t = 0; t < submitters; ++t) {
            threads.emplace_back([&] {
                for (std::size_t i = next.fetch_add(1); i < events.size(); i = next.fetch_add(1)) {
                    const auto before = clock_type::now();
                    const lkwebhook::outcome o = dispatcher.submit(events[i].body, events[i].authorization);
                    latencies_us[i] = std::chrono::duration<double, std::micro>(clock_type::now() - before).count();
                    if (o.status != 200) refused.fetch_add(1);
                }
            });
        }
        for (std::thread& t : threads) t.join();
        const double seconds = std::chrono::duration<double>(clock_type::now() - start).count();
        f.accepted_per_s = static_cast<double>(events.size() - refused.load()) / seconds;
    }
    std::sort(latencies_us.begin(), latencies_us.end());
    f.p50_us = latencies_us[latencies_us.size() / 2];
    f.p99_us = latencies_us[latencies_us.size() * 99 / 100];
    f.refused = refused.load();

    const std::uint64_t expected = events.size() - f.refused;
    lkwebhook::durable_options consume;
    consume.workers = 4;
    consume.poll_interval = std::chrono::milliseconds{5};
    const auto start = clock_type::now();
    lkwebhook::durable_dispatcher dispatcher{*keys, handler, queue, store, consume};
    while (handler.handled.load() < expected) std::this_thread::sleep_for(std::chrono::milliseconds{2});
    const double seconds = std::chrono::duration<double>(clock_type::now() - start).count();
    f.handled_per_s = static_cast<double>(expected) / seconds;
    return f;
}

void print(const char* name, const figures& f) {
    std::printf("| %-34s | %9.0f | %8.0f | %8.0f | %9.0f | %7zu |\n", name, f.accepted_per_s, f.p50_us, f.p99_us,
                f.handled_per_s, f.refused);
}

}  // namespace

int main(int argc, char** argv) {
    const std::size_t count = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 4000;
    const std::size_t submitters = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 4;
    if (lkwebhook_test::redis_server_path().empty()) {
        std::puts("redis-server not installed");
        return 77;
    }
    std::vector<lkwebhook_test::signed_event> events;
    for (std::size_t i = 0; i < count; ++i)
        events.push_back(lkwebhook_test::make_event("room-" + std::to_string(i % 16), "EV_bench_" + std::to_string(i)));

    std::printf("%zu events (%zu B bodies), %zu submitting threads, 16 rooms, 16 partitions\n\n", count,
                events.front().body.size(), submitters);
    std::printf("| %-34s | %9s | %8s | %8s | %9s | %7s |\n", "backend", "accept/s", "p50 us", "p99 us", "handled/s",
                "refused");
    std::printf("|%s|%s|%s|%s|%s|%s|\n", std::string(36, '-').c_str(), std::string(11, '-').c_str(),
                std::string(10, '-').c_str(), std::string(10, '-').c_str(), std::string(11, '-').c_str(),
                std::string(9, '-').c_str());
    for (const char* fsync : {"always", "everysec"}) {
        lkwebhook_test::redis_server_options so;
        so.appendfsync = fsync;
        lkwebhook_test::redis_server server{so};
        lkwebhook::redis_stream_options qo;
        qo.endpoint.port = server.port();
        qo.max_idle_connections = 16;
        lkwebhook::redis_stream_queue queue{qo};
        const std::string name = std::string{"Redis Streams, appendfsync "} + fsync;
        print(name.c_str(), run(queue, events, submitters));
    }
#if LKWEBHOOK_BENCH_WITH_NATS
    if (!lkwebhook_test::nats_server_path().empty()) {
        lkwebhook_test::nats_server server;
        lkwebhook::jetstream_options jo;
        jo.url = server.url();
        lkwebhook::jetstream_queue queue{jo};
        print("NATS JetStream, file store", run(queue, events, submitters));
    }
#endif
    return 0;
}
