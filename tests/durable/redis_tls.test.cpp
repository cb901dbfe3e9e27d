// Redis over TLS against a real redis-server that speaks TLS only (--port 0,
// --tls-port), with a certificate of a throwaway CA (catalogue DQ9):
//   every build: plaintext to the TLS port is a configuration error, never a session;
//   a build without TLS (Debian 12's hiredis 0.14): rediss:// / tls.enabled is refused, "no TLS support";
//   a build with TLS (LKWEBHOOK_REDIS_TLS, hiredis 1.x): with the server's CA the queue (through
//   durable_dispatcher) and the store work end to end; another CA, another name, TLS to a plaintext
//   port and a missing client certificate are configuration errors, and no diagnosis holds the password.
// The TLS-only cases are compiled only where TLS is, so a build without it does not list them.

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include <unistd.h>

#include <lkwebhook/durable_dispatcher.hpp>
#include <lkwebhook/keys.hpp>
#include <lkwebhook/redis_connection.hpp>
#include <lkwebhook/redis_store.hpp>
#include <lkwebhook/redis_stream_queue.hpp>

#include "durable/durable_support.hpp"
#include "durable/redis_tls_server.hpp"
#include "durable/throwaway_ca.hpp"
#include "redis/redis_server.hpp"
#include "support/catch.hpp"

namespace {

using namespace std::chrono_literals;

constexpr std::string_view tls_password = "s3cret-redis-tls-pass";

bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

// One CA and one TLS-only server (with a password) for the whole binary: the certificates take a moment.
const lkwebhook_test::throwaway_ca& certificates() {
    static const lkwebhook_test::throwaway_ca instance;
    return instance;
}

lkwebhook_test::redis_tls_server& tls_server() {
    static lkwebhook_test::redis_tls_server instance{certificates(), {false, std::string{tls_password}}};
    return instance;
}

lkwebhook::redis_stream_options tls_queue_options(const std::string& prefix) {
    lkwebhook::redis_stream_options o;
    o.endpoint.port = tls_server().port();
    o.endpoint.password = std::string{tls_password};
    o.endpoint.tls.enabled = true;
    o.endpoint.tls.ca_file = certificates().file("ca.pem");
    o.key_prefix = prefix + "queue:";
    o.partitions = 2;
    o.idle_timeout = 1000ms;
    o.reconnect_interval = 50ms;
    return o;
}

lkwebhook::redis_store_options tls_store_options(const std::string& prefix) {
    lkwebhook::redis_store_options o;
    o.endpoint.port = tls_server().port();
    o.endpoint.password = std::string{tls_password};
    o.endpoint.tls.enabled = true;
    o.endpoint.tls.ca_file = certificates().file("ca.pem");
    o.key_prefix = prefix + "dedupe:";
    o.reconnect_interval = 50ms;
    return o;
}

std::string fresh_tls_prefix() {
    static int counter = 0;
    return "lkwtls_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_";
}

// check() fails with invalid_config, the diagnosis says `expected`, and holds no password.
void require_configuration_error(const lkwebhook::result<void>& checked, const lkwebhook::diagnosis& why,
                                 std::string_view expected) {
    INFO(why.view());
    REQUIRE_FALSE(checked.has_value());
    CHECK(checked.error() == lkwebhook::errc::invalid_config);
    CHECK(contains(why.view(), expected));
    CHECK_FALSE(contains(why.view(), tls_password));
    CHECK_FALSE(contains(why.view(), "s3cret"));
}

}  // namespace

TEST_CASE("Redis over TLS: plaintext to a TLS-only port is a configuration error, never a session",
          "[durable][threat-DQ9][redis]") {
    const std::string prefix = fresh_tls_prefix();
    auto queue_options = tls_queue_options(prefix);
    queue_options.endpoint.tls = {};
    auto store_options = tls_store_options(prefix);
    store_options.endpoint.tls = {};
    {
        lkwebhook::redis_stream_queue queue{queue_options};
        lkwebhook::diagnosis why;
        require_configuration_error(queue.check(&why), why, "TLS port");
        lkwebhook::durable_record r;
        r.body = R"({"event":"room_started","id":"EV_plain","room":{"name":"r"}})";
        r.event_id = "EV_plain";
        CHECK(queue.append(r) == lkwebhook::append_status::unavailable);
    }
    {
        lkwebhook::redis_store store{store_options};
        lkwebhook::diagnosis why;
        require_configuration_error(store.check(&why), why, "TLS port");
        CHECK(store.claim("EV_plain").status == lkwebhook::claim_status::unavailable);
    }
    // Without a password the first command is PING: the same answer.
    lkwebhook::redis_endpoint bare;
    bare.port = tls_server().port();
    lkwebhook::diagnosis why;
    require_configuration_error(lkwebhook::check_redis_connection(bare, &why), why, "TLS port");
}

TEST_CASE("Redis URL: rediss:// query parameters name the CA, client certificate and key files",
          "[durable][threat-DQ9][redis]") {
    auto e = lkwebhook::redis_endpoint_from_url(
            "rediss://app:pa%26ss@redis.internal:6380/2?ssl_ca_certs=/etc/redis/ca%20bundle.pem"
            "&ssl_certfile=/etc/redis/client.pem&ssl_keyfile=/etc/redis/client.key");
    REQUIRE(e);
    CHECK(e->tls.enabled);
    CHECK(e->tls.ca_file == "/etc/redis/ca bundle.pem");
    CHECK(e->tls.cert_file == "/etc/redis/client.pem");
    CHECK(e->tls.key_file == "/etc/redis/client.key");
    CHECK(e->password == "pa&ss");
    CHECK(e->host == "redis.internal");
    CHECK(e->port == 6380);
    CHECK(e->database == 2);
    auto by_query = lkwebhook::redis_endpoint_from_url("rediss://127.0.0.1?db=3");
    REQUIRE(by_query);
    CHECK(by_query->database == 3);
    CHECK(by_query->tls.ca_file.empty());  // the system's CAs
    // TLS files on a plaintext URL would be silently unused: refused instead.
    for (const char* bad : {"redis://:s3cret@127.0.0.1?ssl_ca_certs=/ca.pem", "unix:///r.sock?ssl_ca_certs=/ca.pem",
                            "rediss://:s3cret@127.0.0.1?ssl_check_hostname=false",
                            "rediss://127.0.0.1?ssl_ca_certs=", "rediss://127.0.0.1?ssl_ca_certs"}) {
        lkwebhook::diagnosis why;
        auto refused = lkwebhook::redis_endpoint_from_url(bad, &why);
        INFO(bad << ": " << why.view());
        REQUIRE_FALSE(refused);
        CHECK(refused.error() == lkwebhook::errc::invalid_config);
        CHECK_FALSE(contains(why.view(), "s3cret"));
    }
}

#if !(defined(LKWEBHOOK_REDIS_TLS) && LKWEBHOOK_REDIS_TLS)
TEST_CASE("Redis over TLS in a build without TLS support: rediss:// is refused as a configuration error",
          "[durable][threat-DQ8][threat-DQ9][redis]") {
    CHECK_FALSE(lkwebhook::redis_tls_supported());
    const std::string url = "rediss://:" + std::string{tls_password} +
                            "@127.0.0.1:" + std::to_string(tls_server().port()) +
                            "?ssl_ca_certs=" + certificates().file("ca.pem");
    auto endpoint = lkwebhook::redis_endpoint_from_url(url);
    REQUIRE(endpoint);
    REQUIRE(endpoint->tls.enabled);
    CHECK(endpoint->tls.ca_file == certificates().file("ca.pem"));
    lkwebhook::redis_stream_options queue_options = tls_queue_options(fresh_tls_prefix());
    queue_options.endpoint = *endpoint;
    lkwebhook::redis_stream_queue queue{queue_options};
    lkwebhook::diagnosis why;
    require_configuration_error(queue.check(&why), why, "no TLS support");
    lkwebhook::redis_store store{tls_store_options(fresh_tls_prefix())};
    why.clear();
    require_configuration_error(store.check(&why), why, "no TLS support");
    CHECK(store.claim("EV_no_tls").status == lkwebhook::claim_status::unavailable);
}
#else
namespace {

struct counting_correlator {
    std::mutex mutex;
    std::map<std::string, int> runs;
    void on_event(const lkwebhook::webhook_event& ev) {
        std::lock_guard lock(mutex);
        ++runs[ev.id];
    }
    int count(const std::string& id) {
        std::lock_guard lock(mutex);
        return runs[id];
    }
};

std::uint64_t unfinished(lkwebhook::redis_stream_queue& q) {
    auto d = q.depth();
    return d ? d->unfinished : ~std::uint64_t{0};
}

lkwebhook::durable_options quick_options(std::size_t workers) {
    lkwebhook::durable_options d;
    d.workers = workers;
    d.retry_backoff = 20ms;
    d.max_backoff = 100ms;
    d.poll_interval = 20ms;
    return d;
}

}  // namespace

TEST_CASE("Redis over TLS: with the server's CA an event is appended, taken, handled and acknowledged once",
          "[durable][threat-DQ9][redis]") {
    CHECK(lkwebhook::redis_tls_supported());
    const std::string prefix = fresh_tls_prefix();
    lkwebhook::redis_stream_queue queue{tls_queue_options(prefix)};
    lkwebhook::redis_store store{tls_store_options(prefix)};
    {
        lkwebhook::diagnosis why;
        const auto queue_checked = queue.check(&why);
        const auto store_checked = store.check(&why);
        INFO(why.view());
        REQUIRE(queue_checked.has_value());
        REQUIRE(store_checked.has_value());
    }
    // The URL form a user writes, with the CA file set beside it.
    {
        auto endpoint = lkwebhook::redis_endpoint_from_url("rediss://:" + std::string{tls_password} +
                                                           "@127.0.0.1:" + std::to_string(tls_server().port()) +
                                                           "?ssl_ca_certs=" + certificates().file("ca.pem"));
        REQUIRE(endpoint);
        CHECK(endpoint->tls.ca_file == certificates().file("ca.pem"));
        lkwebhook::diagnosis why;
        const auto checked = lkwebhook::check_redis_connection(*endpoint, &why);
        INFO(why.view());
        CHECK(checked.has_value());
    }
    auto keys = lkwebhook::static_key::make(lkwebhook_test::durable_api_key, lkwebhook_test::durable_api_secret);
    REQUIRE(keys);
    counting_correlator correlator;
    const auto event = lkwebhook_test::make_event("room-tls", "EV_tls_1");
    {
        lkwebhook::durable_dispatcher accepting{*keys, correlator, queue, store, quick_options(0)};
        REQUIRE(accepting.submit(event.body, event.authorization).status == 200);
        // LiveKit's retry of the same event: stored again, handled once (the store runs over TLS too).
        REQUIRE(accepting.submit(event.body, event.authorization).status == 200);
        CHECK(accepting.stats().accepted == 2);
    }
    CHECK(unfinished(queue) == 2);
    CHECK(correlator.count(event.id) == 0);  // accepted only
    lkwebhook::durable_dispatcher consuming{*keys, correlator, queue, store, quick_options(1)};
    REQUIRE(lkwebhook_test::eventually([&] { return consuming.stats().handled == 2; }, 30s));
    REQUIRE(lkwebhook_test::eventually([&] { return unfinished(queue) == 0; }, 30s));
    CHECK(correlator.count(event.id) == 1);
    CHECK(consuming.stats().duplicates == 1);
    consuming.shutdown();
    // The store remembers the event as handled, over TLS.
    CHECK(store.stats().connects >= 1);
    CHECK(store.stats().unavailable == 0);
}

TEST_CASE("Redis over TLS: another CA, another name or TLS to a plaintext port is a configuration error",
          "[durable][threat-DQ9][redis]") {
    const std::string prefix = fresh_tls_prefix();
    SECTION("a CA that did not sign the server's certificate") {
        auto o = tls_queue_options(prefix);
        o.endpoint.tls.ca_file = certificates().file("other.pem");
        lkwebhook::redis_stream_queue queue{o};
        lkwebhook::diagnosis why;
        require_configuration_error(queue.check(&why), why, "certificate is not accepted");
        lkwebhook::durable_record r;
        r.body = R"({"event":"room_started","id":"EV_other_ca","room":{"name":"r"}})";
        r.event_id = "EV_other_ca";
        CHECK(queue.append(r) == lkwebhook::append_status::unavailable);
        auto s = tls_store_options(prefix);
        s.endpoint.tls.ca_file = certificates().file("other.pem");
        lkwebhook::redis_store store{s};
        why.clear();
        require_configuration_error(store.check(&why), why, "certificate is not accepted");
        CHECK(store.claim("EV_other_ca").status == lkwebhook::claim_status::unavailable);
    }
    SECTION("the system's CAs only (the private CA is not among them)") {
        auto o = tls_queue_options(prefix);
        o.endpoint.tls.ca_file.clear();
        lkwebhook::diagnosis why;
        require_configuration_error(lkwebhook::check_redis_connection(o.endpoint, &why), why,
                                    "certificate is not accepted");
    }
    SECTION("the trusted CA, but a certificate for another name than the one asked for") {
        // hiredis's own TLS context checks the chain only: this is the case it would let through.
        for (const char* name : {"redis.example.com", "127.0.0.2", "localhost"}) {
            auto o = tls_queue_options(prefix);
            o.endpoint.tls.server_name = name;
            lkwebhook::diagnosis why;
            INFO("server_name " << name);
            require_configuration_error(lkwebhook::check_redis_connection(o.endpoint, &why), why,
                                        "certificate is not accepted");
            CHECK(contains(why.view(), "mismatch"));
        }
    }
    SECTION("TLS to a plaintext Redis") {
        lkwebhook_test::redis_server plaintext;
        auto o = tls_queue_options(prefix);
        o.endpoint.port = plaintext.port();
        o.endpoint.password.clear();
        lkwebhook::diagnosis why;
        require_configuration_error(lkwebhook::check_redis_connection(o.endpoint, &why), why, "handshake failed");
    }
    SECTION("a CA file that cannot be read") {
        auto o = tls_queue_options(prefix);
        o.endpoint.tls.ca_file = certificates().file("missing.pem");
        lkwebhook::diagnosis why;
        require_configuration_error(lkwebhook::check_redis_connection(o.endpoint, &why), why, "CA file");
    }
}

TEST_CASE("Redis over TLS with client certificates: the CA's client certificate is let in, none is refused",
          "[durable][threat-DQ9][redis]") {
    lkwebhook_test::redis_tls_server mutual{certificates(), {true, {}}};
    lkwebhook::redis_endpoint e;
    e.port = mutual.port();
    e.tls.enabled = true;
    e.tls.ca_file = certificates().file("ca.pem");
    {
        lkwebhook::diagnosis why;
        const auto checked = lkwebhook::check_redis_connection(e, &why);
        INFO(why.view());
        REQUIRE_FALSE(checked.has_value());
        CHECK(checked.error() == lkwebhook::errc::invalid_config);
    }
    {
        lkwebhook::redis_endpoint half = e;
        half.tls.cert_file = certificates().file("client.pem");
        lkwebhook::diagnosis why;
        require_configuration_error(lkwebhook::check_redis_connection(half, &why), why, "needs its key");
    }
    e.tls.cert_file = certificates().file("client.pem");
    e.tls.key_file = certificates().file("client.key");
    lkwebhook::diagnosis why;
    const auto checked = lkwebhook::check_redis_connection(e, &why);
    INFO(why.view());
    CHECK(checked.has_value());
    // And a store works over it.
    lkwebhook::redis_store_options s;
    s.endpoint.port = mutual.port();
    s.endpoint.tls = e.tls;
    s.key_prefix = fresh_tls_prefix();
    lkwebhook::redis_store store{s};
    const auto ticket = store.claim("EV_mutual");
    REQUIRE(ticket.status == lkwebhook::claim_status::proceed);
    REQUIRE(store.complete("EV_mutual", ticket));
    CHECK(store.claim("EV_mutual").status == lkwebhook::claim_status::duplicate_done);
}
#endif
