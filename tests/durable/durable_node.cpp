// lkwebhook-durable-node: one receiver instance for the durable-queue tests,
// a real process the tests start, feed and SIGKILL. It runs a
// durable_dispatcher over redis_stream_queue (or, with --nats URL,
// jetstream_queue) and redis_store (on the test's redis-server), reads
// requests from stdin and answers on stdout:
//
//   stdin:  submit <authorization> <body as hex>   stdout: <HTTP status>
//           stats                                  stdout: accepted handled duplicates redeliveries dead
//           quit                                   (shuts down, exits 0)
//   first line on stdout: ready
//
// The correlator appends "start <id> <room> <pid>" before and "done <id>
// <room> <pid>" after each handler run to --log with one write(2) on an
// O_APPEND descriptor, so lines of several processes never interleave and
// survive a SIGKILL. --hang-room makes handlers of that room block forever
// (after "start"); --fail-room makes them throw.
//
// Options: --port N (Redis) --nats URL --prefix P --workers N --partitions N
// --idle-ms N --in-flight-ms N --max-deliveries N --handler-ms N --log FILE
// --hang-room R --fail-room R

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>

#include <fcntl.h>
#include <unistd.h>

#include <lkwebhook/durable_dispatcher.hpp>
#if LKWEBHOOK_TEST_WITH_NATS
#include <lkwebhook/jetstream_queue.hpp>
#endif
#include <lkwebhook/keys.hpp>
#include <lkwebhook/redis_store.hpp>
#include <lkwebhook/redis_stream_queue.hpp>

#include "durable_support.hpp"

namespace {

struct node_options {
    int port = 6379;
    std::string nats;
    std::string prefix = "lkwebhook-durable-test:";
    std::size_t workers = 2;
    std::size_t partitions = 8;
    long idle_ms = 1000;
    long in_flight_ms = 1500;
    unsigned max_deliveries = 5;
    long handler_ms = 0;
    std::string log;
    std::string hang_room;
    std::string fail_room;
};

struct recording_correlator {
    int log_fd = -1;
    const node_options* options = nullptr;

    void write_line(std::string_view phase, const lkwebhook::webhook_event& ev) const {
        const std::string room = ev.room ? ev.room->name : std::string{};
        const std::string line =
                std::string{phase} + " " + ev.id + " " + room + " " + std::to_string(::getpid()) + "\n";
        if (log_fd >= 0 && ::write(log_fd, line.data(), line.size()) != static_cast<ssize_t>(line.size()))
            throw std::runtime_error("log write failed");
    }

    void on_event(const lkwebhook::webhook_event& ev) {
        write_line("start", ev);
        const std::string room = ev.room ? ev.room->name : std::string{};
        if (!options->hang_room.empty() && room == options->hang_room) {
            for (;;) std::this_thread::sleep_for(std::chrono::seconds{1});
        }
        if (!options->fail_room.empty() && room == options->fail_room) throw std::runtime_error("poison");
        if (options->handler_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds{options->handler_ms});
        write_line("done", ev);
    }
};

node_options parse(int argc, char** argv) {
    node_options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string_view name = argv[i];
        const std::string value = argv[i + 1];
        if (name == "--port")
            o.port = std::stoi(value);
        else if (name == "--nats")
            o.nats = value;
        else if (name == "--prefix")
            o.prefix = value;
        else if (name == "--workers")
            o.workers = std::stoul(value);
        else if (name == "--partitions")
            o.partitions = std::stoul(value);
        else if (name == "--idle-ms")
            o.idle_ms = std::stol(value);
        else if (name == "--in-flight-ms")
            o.in_flight_ms = std::stol(value);
        else if (name == "--max-deliveries")
            o.max_deliveries = static_cast<unsigned>(std::stoul(value));
        else if (name == "--handler-ms")
            o.handler_ms = std::stol(value);
        else if (name == "--log")
            o.log = value;
        else if (name == "--hang-room")
            o.hang_room = value;
        else if (name == "--fail-room")
            o.fail_room = value;
        else
            throw std::invalid_argument("unknown option " + std::string{name});
    }
    return o;
}

template <class Queue>
int serve(const node_options& o, Queue& queue) {
    auto keys = lkwebhook::static_key::make(lkwebhook_test::durable_api_key, lkwebhook_test::durable_api_secret);
    if (!keys) return 2;

    lkwebhook::redis_store_options s;
    s.endpoint.port = o.port;
    s.key_prefix = o.prefix + "dedupe:";
    s.in_flight_ttl = std::chrono::milliseconds{o.in_flight_ms};
    s.reconnect_interval = std::chrono::milliseconds{50};
    lkwebhook::redis_store store{s};

    recording_correlator correlator;
    correlator.options = &o;
    if (!o.log.empty()) correlator.log_fd = ::open(o.log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);

    lkwebhook::durable_options d;
    d.workers = o.workers;
    d.max_deliveries = o.max_deliveries;
    d.retry_backoff = std::chrono::milliseconds{20};
    d.max_backoff = std::chrono::milliseconds{200};
    d.poll_interval = std::chrono::milliseconds{20};
    lkwebhook::durable_dispatcher dispatcher{*keys, correlator, queue, store, d};

    std::cout << "ready" << std::endl;
    std::string command;
    while (std::cin >> command) {
        if (command == "submit") {
            std::string authorization;
            std::string hex;
            std::cin >> authorization >> hex;
            const lkwebhook::outcome out = dispatcher.submit(lkwebhook_test::from_hex(hex), authorization);
            std::cout << out.status << std::endl;
        } else if (command == "stats") {
            const lkwebhook::durable_stats st = dispatcher.stats();
            std::cout << st.accepted << ' ' << st.handled << ' ' << st.duplicates << ' ' << st.redeliveries << ' '
                      << st.dead_lettered << std::endl;
        } else if (command == "quit") {
            break;
        }
    }
    dispatcher.shutdown();
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const node_options o = parse(argc, argv);
        if (!o.nats.empty()) {
#if LKWEBHOOK_TEST_WITH_NATS
            lkwebhook::jetstream_options j;
            j.url = o.nats;
            j.stream = o.prefix + "Q";
            j.subject_prefix = o.prefix + "q";
            j.partitions = o.partitions;
            j.idle_timeout = std::chrono::milliseconds{o.idle_ms};
            lkwebhook::jetstream_queue queue{j};
            return serve(o, queue);
#else
            std::cerr << "lkwebhook-durable-node: built without libnats\n";
            return 2;
#endif
        }
        lkwebhook::redis_stream_options q;
        q.endpoint.port = o.port;
        q.key_prefix = o.prefix + "queue:";
        q.partitions = o.partitions;
        q.idle_timeout = std::chrono::milliseconds{o.idle_ms};
        q.reconnect_interval = std::chrono::milliseconds{50};
        lkwebhook::redis_stream_queue queue{q};
        return serve(o, queue);
    } catch (const std::exception& e) {
        std::cerr << "lkwebhook-durable-node: " << e.what() << '\n';
        return 2;
    }
}
