// Durable acceptance over Redis Streams (a real redis-server with appendonly
// yes / appendfsync always) and NATS JetStream (a real nats-server -js with a
// file store), with real receiver processes (lkwebhook-durable-node) that the
// tests SIGKILL; the idempotency store is redis_store in both cases:
//   answered 200 then killed before the handler: handled once by the next instance;
//   killed inside the handler: handled again after the idle timeout, completed once;
//   LiveKit-style retries of one event on two instances: handled once;
//   Redis down: 503 and nothing stored or acknowledged; Redis back (and a Redis crash): nothing lost;
//   a poison event: dead-lettered after N deliveries, listed, replayed;
//   per-room order with two instances of several workers under a mixed load.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include <lkwebhook/durable_dispatcher.hpp>
#if LKWEBHOOK_TEST_WITH_NATS
#include <lkwebhook/jetstream_queue.hpp>

#include "durable/nats_server.hpp"
#include "durable/throwaway_ca.hpp"
#endif
#include <lkwebhook/keys.hpp>
#include <lkwebhook/redis_store.hpp>
#include <lkwebhook/redis_stream_queue.hpp>

#include "durable/durable_support.hpp"
#include "redis/redis_server.hpp"
#include "support/catch.hpp"

#ifndef LKWEBHOOK_DURABLE_NODE
#define LKWEBHOOK_DURABLE_NODE ""
#endif

namespace {

using namespace std::chrono_literals;
using lkwebhook_test::make_event;
using lkwebhook_test::node_process;
using lkwebhook_test::signed_event;

lkwebhook_test::redis_server& server() {
    static lkwebhook_test::redis_server instance{[] {
        lkwebhook_test::redis_server_options o;
        o.appendfsync = "always";
        return o;
    }()};
    return instance;
}

// Letters, digits and '_' only: also a valid JetStream stream name and subject token.
std::string fresh_prefix() {
    static int counter = 0;
    return "lkwd_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_";
}

struct scratch_log {
    std::string path;
    scratch_log() {
        char pattern[] = "/tmp/lkwebhook-durable-log-XXXXXX";
        const int fd = ::mkstemp(pattern);
        if (fd < 0) throw std::runtime_error("mkstemp failed");
        ::close(fd);
        path = pattern;
    }
    ~scratch_log() { std::filesystem::remove(path); }
    [[nodiscard]] std::vector<lkwebhook_test::log_line> lines() const { return lkwebhook_test::read_log(path); }
    [[nodiscard]] int count(std::string_view phase, const std::string& id) const {
        const auto counts = lkwebhook_test::count_phase(lines(), phase);
        const auto it = counts.find(id);
        return it == counts.end() ? 0 : it->second;
    }
};

// A backend under test: how a node reaches it, and how many entries it still holds.
struct engine {
    std::string name;
    std::vector<std::string> node_flags;
    std::function<std::uint64_t(const std::string& prefix)> unfinished;
};

std::vector<std::string> node_args(const engine& e, const std::string& prefix, const scratch_log& log,
                                   std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"--port",         std::to_string(server().port()),
                                  "--prefix",       prefix,
                                  "--log",          log.path,
                                  "--partitions",   "4",
                                  "--idle-ms",      "1000",
                                  "--in-flight-ms", "1500"};
    args.insert(args.end(), e.node_flags.begin(), e.node_flags.end());
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

lkwebhook::redis_stream_options queue_options(const std::string& prefix, std::size_t partitions = 4) {
    lkwebhook::redis_stream_options o;
    o.endpoint.port = server().port();
    o.key_prefix = prefix + "queue:";
    o.partitions = partitions;
    o.idle_timeout = 1000ms;
    o.reconnect_interval = 50ms;
    return o;
}

std::uint64_t unfinished(lkwebhook::redis_stream_queue& q) {
    auto d = q.depth();
    return d ? d->unfinished : ~std::uint64_t{0};
}

engine redis_engine() {
    return {"redis", {}, [](const std::string& prefix) {
                lkwebhook::redis_stream_queue q{queue_options(prefix)};
                return unfinished(q);
            }};
}

#if LKWEBHOOK_TEST_WITH_NATS
lkwebhook_test::nats_server& nats() {
    static lkwebhook_test::nats_server instance;
    return instance;
}

lkwebhook::jetstream_options jetstream_options_for(const std::string& prefix) {
    // As lkwebhook-durable-node derives them from --prefix.
    lkwebhook::jetstream_options o;
    o.url = nats().url();
    o.stream = prefix + "Q";
    o.subject_prefix = prefix + "q";
    o.partitions = 4;
    o.idle_timeout = 1000ms;
    return o;
}

std::uint64_t unfinished(lkwebhook::jetstream_queue& q) {
    auto per_partition = q.unfinished();
    if (!per_partition) return ~std::uint64_t{0};
    std::uint64_t total = 0;
    for (const std::uint64_t n : *per_partition) total += n;
    return total;
}

engine nats_engine() {
    return {"nats", {"--nats", nats().url()}, [](const std::string& prefix) {
                lkwebhook::jetstream_queue q{jetstream_options_for(prefix)};
                return unfinished(q);
            }};
}
#endif

const std::string node_binary = LKWEBHOOK_DURABLE_NODE;

// An in-process correlator: counts handler runs per id, in order per room;
// throws for rooms in `poison`.
struct counting_correlator {
    std::mutex mutex;
    std::map<std::string, int> runs;
    std::map<std::string, std::vector<std::string>> order;  // room -> ids, as handled
    std::set<std::string> poison;
    void on_event(const lkwebhook::webhook_event& ev) {
        std::lock_guard lock(mutex);
        ++runs[ev.id];
        if (poison.contains(ev.room->name)) throw std::runtime_error("poison");
        order[ev.room->name].push_back(ev.id);
    }
    int count(const std::string& id) {
        std::lock_guard lock(mutex);
        return runs[id];
    }
    std::size_t distinct_handled() {
        std::lock_guard lock(mutex);
        std::size_t n = 0;
        for (const auto& [room, ids] : order) n += ids.size();
        return n;
    }
};

lkwebhook::durable_options fast_options(std::size_t workers) {
    lkwebhook::durable_options d;
    d.workers = workers;
    d.retry_backoff = 20ms;
    d.max_backoff = 100ms;
    d.poll_interval = 20ms;
    return d;
}

}  // namespace

void killed_after_answering(const engine& eng) {
    REQUIRE(server().ping());
    INFO("engine: " << eng.name);
    scratch_log log;
    const std::string prefix = fresh_prefix();
    std::vector<signed_event> events;
    for (int i = 0; i < 6; ++i)
        events.push_back(make_event("room-kill-" + std::to_string(i % 2), "EV_k1_" + std::to_string(i)));
    {
        node_process accepting{node_binary, node_args(eng, prefix, log, {"--workers", "0"})};
        for (const signed_event& e : events) REQUIRE(accepting.submit(e) == 200);
        accepting.kill();
    }
    CHECK(log.lines().empty());  // nothing ran: the process only accepted
    CHECK(eng.unfinished(prefix) == events.size());

    node_process next{node_binary, node_args(eng, prefix, log, {"--workers", "2"})};
    REQUIRE(lkwebhook_test::eventually(
            [&] { return lkwebhook_test::count_phase(log.lines(), "done").size() == events.size(); }));
    REQUIRE(lkwebhook_test::eventually([&] { return eng.unfinished(prefix) == 0; }));
    CHECK(next.quit());
    for (const signed_event& e : events) {
        CHECK(log.count("start", e.id) == 1);
        CHECK(log.count("done", e.id) == 1);
    }
}

void killed_inside_handler(const engine& eng) {
    REQUIRE(server().ping());
    INFO("engine: " << eng.name);
    scratch_log log;
    const std::string prefix = fresh_prefix();
    const signed_event hung = make_event("room-hang", "EV_hang_1");
    const signed_event after = make_event("room-hang", "EV_hang_2");  // same room: must wait for the first
    {
        node_process first{node_binary, node_args(eng, prefix, log, {"--workers", "1", "--hang-room", "room-hang"})};
        REQUIRE(first.submit(hung) == 200);
        REQUIRE(first.submit(after) == 200);
        REQUIRE(lkwebhook_test::eventually([&] { return log.count("start", hung.id) == 1; }));
        first.kill();
    }
    CHECK(log.count("start", after.id) == 0);  // order: the room waited behind the hung event
    const auto killed_at = std::chrono::steady_clock::now();
    node_process second{node_binary, node_args(eng, prefix, log, {"--workers", "2"})};
    REQUIRE(lkwebhook_test::eventually([&] { return log.count("done", after.id) == 1; }));
    // Not before the idle timeout (1 s) let the second instance take it over.
    CHECK(std::chrono::steady_clock::now() - killed_at >= 1s);
    CHECK(log.count("start", hung.id) == 2);
    CHECK(log.count("done", hung.id) == 1);
    CHECK(log.count("start", after.id) == 1);
    const auto lines = log.lines();
    const auto position = [&](const std::string& id) {
        return std::find_if(lines.begin(), lines.end(),
                            [&](const lkwebhook_test::log_line& l) { return l.phase == "done" && l.id == id; }) -
               lines.begin();
    };
    CHECK(position(hung.id) < position(after.id));
    const auto stats = second.stats();
    REQUIRE(stats.size() == 5);
    CHECK(stats[3] >= 1);  // a redelivery
    CHECK(second.quit());
}

void retries_on_two_instances(const engine& eng) {
    REQUIRE(server().ping());
    INFO("engine: " << eng.name);
    scratch_log log;
    const std::string prefix = fresh_prefix();
    node_process a{node_binary, node_args(eng, prefix, log, {"--workers", "2"})};
    node_process b{node_binary, node_args(eng, prefix, log, {"--workers", "2"})};
    std::vector<signed_event> events;
    for (int i = 0; i < 20; ++i)
        events.push_back(make_event("room-retry-" + std::to_string(i % 3), "EV_r_" + std::to_string(i)));
    for (const signed_event& e : events) {
        REQUIRE(a.submit(e) == 200);  // the 200 LiveKit did not see (lost in transit) ...
        REQUIRE(b.submit(e) == 200);  // ... so it retried, and the balancer picked the other instance
        REQUIRE(a.submit(e) == 200);
    }
    REQUIRE(lkwebhook_test::eventually(
            [&] { return lkwebhook_test::count_phase(log.lines(), "done").size() == events.size(); }));
    REQUIRE(lkwebhook_test::eventually([&] { return eng.unfinished(prefix) == 0; }));
    for (const signed_event& e : events) CHECK(log.count("done", e.id) == 1);
    const auto sa = a.stats();
    const auto sb = b.stats();
    REQUIRE((sa.size() == 5 && sb.size() == 5));
    CHECK(sa[0] + sb[0] == 3 * events.size());  // every append accepted (answered 200)
    if (eng.name == "nats") {
        // Nats-Msg-Id = event id: the server stored each event once (duplicate window).
        CHECK(sa[1] + sb[1] == events.size());
        CHECK(sa[2] + sb[2] == 0);
    } else {
        // Every append stored; the idempotency store finished the retries as duplicates.
        CHECK(sa[1] + sb[1] == 3 * events.size());
        CHECK(sa[2] + sb[2] == 2 * events.size());
    }
    CHECK(a.quit());
    CHECK(b.quit());
}

TEST_CASE("Redis down: 503 with Retry-After and nothing acknowledged, back up (even after a crash): nothing lost",
          "[durable][threat-DQ1][threat-DQ2][redis]") {
    REQUIRE(server().ping());
    const std::string prefix = fresh_prefix();
    auto keys = lkwebhook::static_key::make(lkwebhook_test::durable_api_key, lkwebhook_test::durable_api_secret);
    REQUIRE(keys);
    lkwebhook::redis_stream_queue queue{queue_options(prefix)};
    lkwebhook::memory_store store;
    counting_correlator correlator;
    std::vector<signed_event> before;
    std::vector<signed_event> during;
    for (int i = 0; i < 8; ++i)
        before.push_back(make_event("room-down-" + std::to_string(i % 2), "EV_d1_" + std::to_string(i)));
    for (int i = 0; i < 4; ++i)
        during.push_back(make_event("room-down-" + std::to_string(i % 2), "EV_d2_" + std::to_string(i)));
    {
        // Accept only, then crash Redis itself (SIGKILL): appendfsync always kept every confirmed entry.
        lkwebhook::durable_dispatcher accepting{*keys, correlator, queue, store, fast_options(0)};
        for (const signed_event& e : before) REQUIRE(accepting.submit(e.body, e.authorization).status == 200);
        server().stop(SIGKILL);
        // LiveKit's attempts at the room's next event while Redis is down (it sends a room's events one at a
        // time: the next one only after this one got its 2xx).
        for (int attempt = 0; attempt < 3; ++attempt) {
            const lkwebhook::outcome o = accepting.submit(during[0].body, during[0].authorization);
            CHECK(o.status == 503);
            CHECK(o.error == lkwebhook::errc::overloaded);
            CHECK(o.retry_after.has_value());
        }
        CHECK(accepting.stats().refused == 3);
        CHECK(accepting.stats().accepted == before.size());
        server().start();
        // LiveKit retries what it was refused, then sends the room's later events.
        for (const signed_event& e : during) {
            REQUIRE(lkwebhook_test::eventually([&] { return accepting.submit(e.body, e.authorization).status == 200; },
                                               30s));
        }
    }
    CHECK(unfinished(queue) == before.size() + during.size());
    lkwebhook::durable_dispatcher consuming{*keys, correlator, queue, store, fast_options(2)};
    REQUIRE(lkwebhook_test::eventually([&] { return correlator.distinct_handled() == before.size() + during.size(); }));
    REQUIRE(lkwebhook_test::eventually([&] { return unfinished(queue) == 0; }));
    for (const auto* list : {&before, &during}) {
        for (const signed_event& e : *list) CHECK(correlator.count(e.id) == 1);
    }
    // Each room in acceptance order.
    CHECK(correlator.order["room-down-0"] ==
          std::vector<std::string>{"EV_d1_0", "EV_d1_2", "EV_d1_4", "EV_d1_6", "EV_d2_0", "EV_d2_2"});
    consuming.shutdown();
}

TEST_CASE("a poison event is dead-lettered after N deliveries with its error, then listed and replayed",
          "[durable][threat-DQ4][redis]") {
    REQUIRE(server().ping());
    const std::string prefix = fresh_prefix();
    auto keys = lkwebhook::static_key::make(lkwebhook_test::durable_api_key, lkwebhook_test::durable_api_secret);
    REQUIRE(keys);
    lkwebhook::redis_stream_queue queue{queue_options(prefix)};
    lkwebhook::memory_store store;
    counting_correlator correlator;
    correlator.poison.insert("room-poison");
    const signed_event poison = make_event("room-poison", "EV_poison");
    std::atomic<int> hook_calls{0};
    lkwebhook::durable_options options = fast_options(2);
    options.max_deliveries = 3;
    options.dead_letter = [&](const lkwebhook::durable_entry& e, std::string_view reason) {
        CHECK(e.deliveries == 3);
        CHECK(reason.find("handler_failed") != std::string_view::npos);
        ++hook_calls;
    };
    {
        lkwebhook::durable_dispatcher dispatcher{*keys, correlator, queue, store, options};
        REQUIRE(dispatcher.submit(poison.body, poison.authorization).status == 200);
        REQUIRE(lkwebhook_test::eventually([&] { return dispatcher.stats().dead_lettered == 1; }));
        CHECK(correlator.count(poison.id) == 3);
        CHECK(hook_calls == 1);
        CHECK(unfinished(queue) == 0);
    }
    auto dead = queue.dead_letters();
    REQUIRE(dead);
    REQUIRE(dead->size() == 1);
    const lkwebhook::dead_letter_entry& letter = dead->front();
    CHECK(letter.event_id == poison.id);
    CHECK(letter.body == poison.body);  // byte-exact
    CHECK(letter.key_id == lkwebhook_test::durable_api_key);
    CHECK(letter.deliveries == 3);
    CHECK(letter.error.find("the handler threw") != std::string::npos);
    CHECK(letter.received_unix_ms > 0);
    auto depth = queue.depth();
    REQUIRE(depth);
    CHECK(depth->dead_letters == 1);

    // Fixed: replay it. It is handled once more, and leaves the dead letters.
    {
        std::lock_guard lock(correlator.mutex);
        correlator.poison.clear();
    }
    auto replayed = queue.replay_dead_letter(letter.id);
    REQUIRE(replayed);
    CHECK_FALSE(queue.replay_dead_letter(letter.id));  // gone
    lkwebhook::durable_dispatcher dispatcher{*keys, correlator, queue, store, options};
    REQUIRE(lkwebhook_test::eventually([&] { return correlator.distinct_handled() == 1; }));
    CHECK(correlator.count(poison.id) == 4);
    REQUIRE(lkwebhook_test::eventually([&] { return unfinished(queue) == 0; }));
    dead = queue.dead_letters();
    REQUIRE(dead);
    CHECK(dead->empty());
}

void per_room_order(const engine& eng) {
    REQUIRE(server().ping());
    INFO("engine: " << eng.name);
    scratch_log log;
    const std::string prefix = fresh_prefix();
    const std::vector<std::string> common{"--workers", "3", "--handler-ms", "2"};
    node_process a{node_binary, node_args(eng, prefix, log, common)};
    node_process b{node_binary, node_args(eng, prefix, log, common)};
    constexpr int rooms = 6;
    constexpr int per_room = 15;
    std::map<std::string, std::vector<std::string>> expected;
    int n = 0;
    for (int i = 0; i < per_room; ++i) {
        for (int r = 0; r < rooms; ++r) {
            const std::string room = "room-order-" + std::to_string(r);
            const signed_event e = make_event(room, "EV_o_" + std::to_string(r) + "_" + std::to_string(i));
            node_process& target = (n++ % 3 == 0) ? b : a;  // uneven: a mixed load
            REQUIRE(target.submit(e) == 200);
            expected[room].push_back(e.id);
        }
    }
    REQUIRE(lkwebhook_test::eventually(
            [&] { return lkwebhook_test::count_phase(log.lines(), "done").size() == rooms * per_room; }));
    std::map<std::string, std::vector<std::string>> handled;
    std::set<std::string> pids;
    for (const auto& l : log.lines()) {
        if (l.phase != "done") continue;
        handled[l.room].push_back(l.id);
        pids.insert(l.pid);
    }
    for (const auto& [room, ids] : expected) CHECK(handled[room] == ids);
    CHECK(a.quit());
    CHECK(b.quit());
}

TEST_CASE("an event answered 200 by a process killed before its handler ran is handled once by the next instance",
          "[durable][threat-DQ1][redis]") {
    killed_after_answering(redis_engine());
}

TEST_CASE("a process killed inside the handler: the event runs again after the idle timeout and completes once",
          "[durable][threat-DQ3][redis]") {
    killed_inside_handler(redis_engine());
}

TEST_CASE("LiveKit-style retries of the same events on two instances are handled once",
          "[durable][threat-DQ3][redis]") {
    retries_on_two_instances(redis_engine());
}

TEST_CASE("per-room order holds with two instances of three workers each under a mixed load",
          "[durable][threat-DQ5][redis]") {
    per_room_order(redis_engine());
}

#if LKWEBHOOK_TEST_WITH_NATS
TEST_CASE("JetStream: an event answered 200 by a process killed before its handler ran is handled once",
          "[durable][threat-DQ1][nats]") {
    killed_after_answering(nats_engine());
}

TEST_CASE("JetStream: a process killed inside the handler: redelivered after AckWait and completed once",
          "[durable][threat-DQ3][nats]") {
    killed_inside_handler(nats_engine());
}

TEST_CASE("JetStream: retries of the same events on two instances are stored once and handled once",
          "[durable][threat-DQ3][nats]") {
    retries_on_two_instances(nats_engine());
}

TEST_CASE("JetStream: per-room order holds with two instances of three workers each", "[durable][threat-DQ5][nats]") {
    per_room_order(nats_engine());
}

TEST_CASE("JetStream down: 503 and nothing acknowledged, back up: nothing lost", "[durable][threat-DQ2][nats]") {
    const std::string prefix = fresh_prefix();
    auto keys = lkwebhook::static_key::make(lkwebhook_test::durable_api_key, lkwebhook_test::durable_api_secret);
    REQUIRE(keys);
    lkwebhook::jetstream_options options = jetstream_options_for(prefix);
    options.timeout = 500ms;
    lkwebhook::jetstream_queue queue{options};
    lkwebhook::memory_store store;
    counting_correlator correlator;
    std::vector<signed_event> before;
    std::vector<signed_event> during;
    for (int i = 0; i < 6; ++i) before.push_back(make_event("room-jdown", "EV_jd1_" + std::to_string(i)));
    for (int i = 0; i < 3; ++i) during.push_back(make_event("room-jdown", "EV_jd2_" + std::to_string(i)));
    {
        lkwebhook::durable_dispatcher accepting{*keys, correlator, queue, store, fast_options(0)};
        for (const signed_event& e : before) REQUIRE(accepting.submit(e.body, e.authorization).status == 200);
        nats().stop(SIGKILL);
        // LiveKit's attempts at the room's next event while the server is down.
        for (int attempt = 0; attempt < 3; ++attempt) {
            const lkwebhook::outcome o = accepting.submit(during[0].body, during[0].authorization);
            CHECK(o.status == 503);
            CHECK(o.retry_after.has_value());
        }
        nats().start();
        for (const signed_event& e : during) {
            REQUIRE(lkwebhook_test::eventually([&] { return accepting.submit(e.body, e.authorization).status == 200; },
                                               30s));
        }
    }
    lkwebhook::durable_dispatcher consuming{*keys, correlator, queue, store, fast_options(2)};
    REQUIRE(lkwebhook_test::eventually([&] { return correlator.distinct_handled() == before.size() + during.size(); }));
    REQUIRE(lkwebhook_test::eventually([&] { return unfinished(queue) == 0; }));
    for (const auto* list : {&before, &during}) {
        for (const signed_event& e : *list) CHECK(correlator.count(e.id) == 1);
    }
    std::vector<std::string> expected;
    for (const auto* list : {&before, &during}) {
        for (const signed_event& e : *list) expected.push_back(e.id);
    }
    CHECK(correlator.order["room-jdown"] == expected);
    consuming.shutdown();
}

TEST_CASE("JetStream: a poison event is dead-lettered after N deliveries, listed and replayed",
          "[durable][threat-DQ4][nats]") {
    const std::string prefix = fresh_prefix();
    auto keys = lkwebhook::static_key::make(lkwebhook_test::durable_api_key, lkwebhook_test::durable_api_secret);
    REQUIRE(keys);
    lkwebhook::jetstream_queue queue{jetstream_options_for(prefix)};
    lkwebhook::memory_store store;
    counting_correlator correlator;
    correlator.poison.insert("room-jpoison");
    const signed_event poison = make_event("room-jpoison", "EV_jpoison");
    lkwebhook::durable_options options = fast_options(2);
    options.max_deliveries = 3;
    {
        lkwebhook::durable_dispatcher dispatcher{*keys, correlator, queue, store, options};
        REQUIRE(dispatcher.submit(poison.body, poison.authorization).status == 200);
        REQUIRE(lkwebhook_test::eventually([&] { return dispatcher.stats().dead_lettered == 1; }));
        CHECK(correlator.count(poison.id) == 3);
        REQUIRE(lkwebhook_test::eventually([&] { return unfinished(queue) == 0; }));
    }
    auto dead = queue.dead_letters();
    REQUIRE(dead);
    REQUIRE(dead->size() == 1);
    CHECK(dead->front().event_id == poison.id);
    CHECK(dead->front().body == poison.body);  // byte-exact
    CHECK(dead->front().key_id == lkwebhook_test::durable_api_key);
    CHECK(dead->front().deliveries == 3);
    CHECK(dead->front().error.find("the handler threw") != std::string::npos);
    {
        std::lock_guard lock(correlator.mutex);
        correlator.poison.clear();
    }
    REQUIRE(queue.replay_dead_letter(dead->front().sequence));
    lkwebhook::durable_dispatcher dispatcher{*keys, correlator, queue, store, options};
    REQUIRE(lkwebhook_test::eventually([&] { return correlator.distinct_handled() == 1; }));
    CHECK(correlator.count(poison.id) == 4);
    dead = queue.dead_letters();
    REQUIRE(dead);
    CHECK(dead->empty());
}
#endif

#ifdef LKWEBHOOK_CLI
namespace {

// Runs the lkwebhook CLI; returns its exit status and standard output.
std::pair<int, std::string> run_cli(const std::string& arguments) {
    const std::string command = std::string{LKWEBHOOK_CLI} + " " + arguments + " 2>&1";
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) throw std::runtime_error("popen failed");
    std::string out;
    char chunk[512];
    while (const std::size_t n = std::fread(chunk, 1, sizeof chunk, pipe)) out.append(chunk, n);
    const int status = ::pclose(pipe);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

// A poison event dead-lettered by an in-process dispatcher over `queue`; then
// the CLI (given `target`) lists it, shows the depth, and replays it.
template <class Queue>
void dead_letters_through_the_cli(Queue& queue, const std::string& target) {
    auto keys = lkwebhook::static_key::make(lkwebhook_test::durable_api_key, lkwebhook_test::durable_api_secret);
    REQUIRE(keys);
    lkwebhook::memory_store store;
    counting_correlator correlator;
    correlator.poison.insert("room-cli");
    const signed_event poison = make_event("room-cli", "EV_cli_poison");
    lkwebhook::durable_options options = fast_options(1);
    options.max_deliveries = 2;
    {
        lkwebhook::durable_dispatcher dispatcher{*keys, correlator, queue, store, options};
        REQUIRE(dispatcher.submit(poison.body, poison.authorization).status == 200);
        REQUIRE(lkwebhook_test::eventually([&] { return dispatcher.stats().dead_lettered == 1; }));
    }
    const auto [listed, list] = run_cli("queue " + target + " dead");
    INFO(list);
    CHECK(listed == 0);
    CHECK(list.find("event=EV_cli_poison") != std::string::npos);
    CHECK(list.find("deliveries=2") != std::string::npos);
    CHECK(list.find("handler_failed") != std::string::npos);
    CHECK(list.find("1 dead letter(s)") != std::string::npos);
    const auto [depth_status, depth] = run_cli("queue " + target + " depth");
    INFO(depth);
    CHECK(depth_status == 0);
    CHECK(depth.find("dead letters 1") != std::string::npos);

    {
        std::lock_guard lock(correlator.mutex);
        correlator.poison.clear();
    }
    const auto [replayed, replay] = run_cli("queue " + target + " replay --all");
    INFO(replay);
    CHECK(replayed == 0);
    CHECK(replay.find("replayed") != std::string::npos);
    lkwebhook::durable_dispatcher dispatcher{*keys, correlator, queue, store, options};
    REQUIRE(lkwebhook_test::eventually([&] { return correlator.distinct_handled() == 1; }));
    CHECK(correlator.count(poison.id) == 3);
    const auto [after_status, after] = run_cli("queue " + target + " dead");
    CHECK(after.find("0 dead letter(s)") != std::string::npos);
}

}  // namespace

TEST_CASE("lkwebhook queue lists, counts and replays Redis dead letters", "[durable][threat-DQ4][redis][cli]") {
    REQUIRE(server().ping());
    const std::string prefix = fresh_prefix();
    lkwebhook::redis_stream_queue queue{queue_options(prefix)};
    dead_letters_through_the_cli(queue, "--redis redis://127.0.0.1:" + std::to_string(server().port()) + " --prefix " +
                                                prefix + "queue: --partitions 4");
}

#if LKWEBHOOK_TEST_WITH_NATS
TEST_CASE("lkwebhook queue lists, counts and replays JetStream dead letters", "[durable][threat-DQ4][nats][cli]") {
    const std::string prefix = fresh_prefix();
    lkwebhook::jetstream_queue queue{jetstream_options_for(prefix)};
    dead_letters_through_the_cli(
            queue, "--nats " + nats().url() + " --prefix " + prefix + "Q --subject " + prefix + "q --partitions 4");
}
#endif
#endif

#if LKWEBHOOK_TEST_WITH_NATS
TEST_CASE("JetStream with a user and password: connects; a wrong password is a configuration error without the secret",
          "[durable][threat-DQ7][nats]") {
    lkwebhook_test::nats_server server({"--user", "lkwebhook", "--pass", "s3cret-nats-pass"});
    lkwebhook::jetstream_options o;
    o.url = server.url();
    o.stream = "LKWEBHOOK_AUTH";
    o.subject_prefix = "lkwebhook-auth";
    o.partitions = 2;
    o.user = "lkwebhook";
    o.password = "s3cret-nats-pass";
    {
        lkwebhook::jetstream_queue queue(o);
        lkwebhook::diagnosis why;
        const auto checked = queue.check(&why);
        INFO(why.view());
        CHECK(checked.has_value());
        // And the queue really works with those credentials: an append is confirmed.
        lkwebhook::durable_record r;
        r.body = R"({"event":"room_started","id":"EV_auth","room":{"name":"r"}})";
        r.key_id = "APIkey";
        r.event_id = "EV_auth";
        CHECK(queue.append(r) == lkwebhook::append_status::appended);
    }
    for (const std::string_view wrong : {"wrong-password", ""}) {
        lkwebhook::jetstream_options bad = o;
        bad.password = std::string(wrong);
        lkwebhook::jetstream_queue queue(bad);
        lkwebhook::diagnosis why;
        const auto checked = queue.check(&why);
        REQUIRE_FALSE(checked.has_value());
        CHECK(checked.error() == lkwebhook::errc::invalid_config);
        CHECK(why.view().find("refused the credentials") != std::string_view::npos);
        CHECK(why.view().find("s3cret") == std::string_view::npos);
        CHECK(why.view().find("wrong-password") == std::string_view::npos);
    }
    // Nothing listening is not a configuration error: try again later.
    server.stop();
    lkwebhook::jetstream_queue queue(o);
    const auto checked = queue.check();
    REQUIRE_FALSE(checked.has_value());
    CHECK(checked.error() == lkwebhook::errc::overloaded);
}

TEST_CASE("JetStream over TLS: the server's CA is trusted; another CA or plaintext is a configuration error",
          "[durable][threat-DQ8][nats]") {
    const lkwebhook_test::throwaway_ca certs;
    lkwebhook_test::nats_server server(
            {"--tls", "--tlscert", certs.file("server.pem"), "--tlskey", certs.file("server.key")});
    lkwebhook::jetstream_options o;
    o.url = server.url();
    o.stream = "LKWEBHOOK_TLS";
    o.subject_prefix = "lkwebhook-tls";
    o.partitions = 2;
    o.tls = true;
    o.tls_ca_file = certs.file("ca.pem");
    {
        lkwebhook::jetstream_queue queue(o);
        lkwebhook::diagnosis why;
        const auto checked = queue.check(&why);
        INFO(why.view());
        CHECK(checked.has_value());
        lkwebhook::durable_record r;
        r.body = R"({"event":"room_started","id":"EV_tls","room":{"name":"r"}})";
        r.key_id = "APIkey";
        r.event_id = "EV_tls";
        CHECK(queue.append(r) == lkwebhook::append_status::appended);
    }
    {
        lkwebhook::jetstream_options other = o;
        other.tls_ca_file = certs.file("other.pem");
        lkwebhook::jetstream_queue queue(other);
        lkwebhook::diagnosis why;
        const auto checked = queue.check(&why);
        INFO(why.view());
        REQUIRE_FALSE(checked.has_value());
        CHECK(checked.error() == lkwebhook::errc::invalid_config);
    }
    {
        lkwebhook::jetstream_options plain = o;
        plain.tls = false;
        plain.tls_ca_file.clear();
        lkwebhook::jetstream_queue queue(plain);
        lkwebhook::diagnosis why;
        const auto checked = queue.check(&why);
        INFO(why.view());
        REQUIRE_FALSE(checked.has_value());
        CHECK(checked.error() == lkwebhook::errc::invalid_config);
    }
}
#endif
