// Connection options real deployments use, against real redis-servers:
// requirepass, an ACL user, a unix socket, a database index; a wrong
// password is a clear configuration error that never shows the password;
// TLS in a build without it is refused, never a plaintext fallback.

#include <chrono>
#include <string>

#include <lkwebhook/redis_connection.hpp>
#include <lkwebhook/redis_store.hpp>
#include <lkwebhook/redis_stream_queue.hpp>

#include "redis_server.hpp"
#include "support/catch.hpp"

namespace {

using namespace std::chrono_literals;
using lkwebhook::claim_status;

constexpr const char* admin_password = "admin-pass-Zq81xk";
constexpr const char* app_user = "webhooks";
constexpr const char* app_password = "app-pass-7Hn2Lw";

// requirepass for the default user, plus an ACL user limited to our keys.
lkwebhook_test::redis_server& secured_server() {
    static lkwebhook_test::redis_server instance{[] {
        lkwebhook_test::redis_server_options o;
        o.requirepass = admin_password;
        o.unix_socket = true;
        o.extra = {"--user", app_user, "on", std::string{">"} + app_password, "~lkwebhook*", "+@all"};
        return o;
    }()};
    return instance;
}

lkwebhook::redis_store_options store_options() {
    lkwebhook::redis_store_options o;
    o.endpoint.port = secured_server().port();
    o.key_prefix = "lkwebhook-conn-test:" + std::to_string(::getpid()) + ":";
    o.reconnect_interval = 20ms;
    return o;
}

bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

}  // namespace

TEST_CASE("redis_store authenticates with requirepass and with an ACL user", "[redis][threat-H7][threat-DQ6]") {
    REQUIRE(secured_server().ping());
    SECTION("password (requirepass)") {
        auto o = store_options();
        o.endpoint.password = admin_password;
        lkwebhook::redis_store store{o};
        CHECK(store.check());
        const auto t = store.claim("EV_requirepass");
        REQUIRE(t.status == claim_status::proceed);
        CHECK(store.complete("EV_requirepass", t));
        CHECK(store.claim("EV_requirepass").status == claim_status::duplicate_done);
    }
    SECTION("ACL user and password") {
        auto o = store_options();
        o.endpoint.username = app_user;
        o.endpoint.password = app_password;
        lkwebhook::redis_store store{o};
        CHECK(store.check());
        const auto t = store.claim("EV_acl");
        REQUIRE(t.status == claim_status::proceed);
        CHECK(store.complete("EV_acl", t));
    }
    SECTION("unix socket and a database index") {
        auto o = store_options();
        o.endpoint.unix_socket = secured_server().unix_socket();
        o.endpoint.password = admin_password;
        o.endpoint.database = 3;
        lkwebhook::redis_store store{o};
        CHECK(store.check());
        const auto t = store.claim("EV_db3");
        REQUIRE(t.status == claim_status::proceed);
        CHECK(store.complete("EV_db3", t));
        // The key lives in database 3, not 0.
        auto o0 = o;
        o0.endpoint.database = 0;
        lkwebhook::redis_store db0{o0};
        CHECK(db0.claim("EV_db3").status == claim_status::proceed);
        CHECK(store.claim("EV_db3").status == claim_status::duplicate_done);
    }
}

TEST_CASE("a wrong or missing password is a configuration error that never shows the secret",
          "[redis][threat-H7][threat-DQ7]") {
    REQUIRE(secured_server().ping());
    SECTION("wrong requirepass") {
        auto o = store_options();
        o.endpoint.password = "wrong-secret-Xy9";
        lkwebhook::redis_store store{o};
        lkwebhook::diagnosis why;
        const auto checked = store.check(&why);
        REQUIRE_FALSE(checked);
        CHECK(checked.error() == lkwebhook::errc::invalid_config);
        CHECK(contains(why.view(), "rejected AUTH"));
        CHECK_FALSE(contains(why.view(), "wrong-secret-Xy9"));
        // At run time it fails closed: 503, never accepted blindly.
        CHECK(store.claim("EV_wrong").status == claim_status::unavailable);
    }
    SECTION("wrong ACL password") {
        lkwebhook::redis_endpoint e;
        e.port = secured_server().port();
        e.username = app_user;
        e.password = "not-the-app-pass";
        lkwebhook::diagnosis why;
        const auto checked = lkwebhook::check_redis_connection(e, &why);
        REQUIRE_FALSE(checked);
        CHECK(checked.error() == lkwebhook::errc::invalid_config);
        CHECK(contains(why.view(), "user"));
        CHECK_FALSE(contains(why.view(), "not-the-app-pass"));
    }
    SECTION("no password at all") {
        lkwebhook::redis_endpoint e;
        e.port = secured_server().port();
        lkwebhook::diagnosis why;
        const auto checked = lkwebhook::check_redis_connection(e, &why);
        REQUIRE_FALSE(checked);
        CHECK(checked.error() == lkwebhook::errc::invalid_config);
        CHECK(contains(why.view(), "requires authentication"));
    }
    SECTION("nothing listening is transient, not a configuration error") {
        lkwebhook::redis_endpoint e;
        e.port = lkwebhook_test::free_loopback_port();
        const auto checked = lkwebhook::check_redis_connection(e);
        REQUIRE_FALSE(checked);
        CHECK(checked.error() == lkwebhook::errc::overloaded);
    }
}

TEST_CASE("redis_stream_queue connects as an ACL user", "[redis][durable][threat-DQ6]") {
    REQUIRE(secured_server().ping());
    lkwebhook::redis_stream_options o;
    o.endpoint.port = secured_server().port();
    o.endpoint.username = app_user;
    o.endpoint.password = app_password;
    o.key_prefix = "lkwebhook-conn-test:" + std::to_string(::getpid()) + ":queue:";
    o.partitions = 2;
    lkwebhook::redis_stream_queue queue{o};
    CHECK(queue.check());
    lkwebhook::durable_record r;
    r.partition = 1;
    r.body = "{\"event\":\"room_started\"}";
    r.key_id = "APIkey";
    r.event_id = "EV_acl_queue";
    r.received_unix_ms = 1767260400000;
    REQUIRE(queue.append(r) == lkwebhook::append_status::appended);
    lkwebhook::durable_entry e;
    REQUIRE(queue.take(1, e) == lkwebhook::take_status::entry);
    CHECK(e.body == r.body);
    CHECK(e.key_id == "APIkey");
    CHECK(e.received_unix_ms == r.received_unix_ms);
    CHECK(e.deliveries == 1);
    CHECK(queue.acknowledge(e));
    CHECK(queue.take(1, e) == lkwebhook::take_status::empty);

    // The same queue with a wrong password refuses to accept: 503 upstream.
    o.endpoint.password = "nope";
    lkwebhook::redis_stream_queue refused{o};
    CHECK(refused.append(r) == lkwebhook::append_status::unavailable);
    lkwebhook::diagnosis why;
    CHECK(refused.check(&why).error() == lkwebhook::errc::invalid_config);
}

// Only in a build without TLS: with TLS, tests/durable/redis_tls.test.cpp runs TLS against a TLS-only server.
#if !(defined(LKWEBHOOK_REDIS_TLS) && LKWEBHOOK_REDIS_TLS)
TEST_CASE("TLS without TLS support in the build is refused, never downgraded", "[redis][threat-DQ8]") {
    CHECK_FALSE(lkwebhook::redis_tls_supported());
    REQUIRE(secured_server().ping());
    lkwebhook::redis_endpoint e;
    e.port = secured_server().port();
    e.password = admin_password;
    e.tls.enabled = true;
    lkwebhook::diagnosis why;
    const auto checked = lkwebhook::check_redis_connection(e, &why);
    REQUIRE_FALSE(checked);
    CHECK(checked.error() == lkwebhook::errc::invalid_config);
    CHECK(contains(why.view(), "no TLS support"));
}
#endif

TEST_CASE("partition capacity: append answers full instead of trimming unfinished entries",
          "[redis][durable][threat-DQ2]") {
    REQUIRE(secured_server().ping());
    lkwebhook::redis_stream_options o;
    o.endpoint.port = secured_server().port();
    o.endpoint.password = admin_password;
    o.key_prefix = "lkwebhook-conn-test:" + std::to_string(::getpid()) + ":full:";
    o.partitions = 1;
    o.partition_capacity = 3;
    lkwebhook::redis_stream_queue queue{o};
    lkwebhook::durable_record r;
    r.body = "{}";
    for (int i = 0; i < 3; ++i) REQUIRE(queue.append(r) == lkwebhook::append_status::appended);
    CHECK(queue.append(r) == lkwebhook::append_status::full);
    lkwebhook::durable_entry e;
    REQUIRE(queue.take(0, e) == lkwebhook::take_status::entry);
    CHECK(queue.append(r) == lkwebhook::append_status::full);  // taken is not finished
    REQUIRE(queue.acknowledge(e));
    CHECK(queue.append(r) == lkwebhook::append_status::appended);
    auto depth = queue.depth();
    REQUIRE(depth);
    CHECK(depth->unfinished == 3);
}

TEST_CASE("redis_endpoint_from_url reads the URL forms clients use", "[redis][threat-DQ7]") {
    SECTION("host, port, database") {
        auto e = lkwebhook::redis_endpoint_from_url("redis://cache.internal:6380/2");
        REQUIRE(e);
        CHECK(e->host == "cache.internal");
        CHECK(e->port == 6380);
        CHECK(e->database == 2);
        CHECK(e->password.empty());
        CHECK_FALSE(e->tls.enabled);
    }
    SECTION("ACL user and a percent-escaped password") {
        auto e = lkwebhook::redis_endpoint_from_url("rediss://webhooks:p%40ss%3Aw0rd@10.0.0.7");
        REQUIRE(e);
        CHECK(e->username == "webhooks");
        CHECK(e->password == "p@ss:w0rd");
        CHECK(e->host == "10.0.0.7");
        CHECK(e->port == 6379);
        CHECK(e->tls.enabled);
    }
    SECTION("password only, as redis-cli reads it, and IPv6") {
        auto e = lkwebhook::redis_endpoint_from_url("redis://:secret@[::1]:7000");
        REQUIRE(e);
        CHECK(e->username.empty());
        CHECK(e->password == "secret");
        CHECK(e->host == "::1");
        CHECK(e->port == 7000);
    }
    SECTION("unix socket with a database") {
        auto e = lkwebhook::redis_endpoint_from_url("unix:///run/redis/redis.sock?db=5");
        REQUIRE(e);
        CHECK(e->unix_socket == "/run/redis/redis.sock");
        CHECK(e->database == 5);
    }
    SECTION("malformed URLs are configuration errors that never echo the password") {
        for (const char* bad : {"http://host", "redis://", "redis://host:0", "redis://host:99999", "redis://host/x",
                                "redis://u:bad%zz@host", "unix://relative.sock", "unix:///s.sock?timeout=1"}) {
            lkwebhook::diagnosis why;
            auto e = lkwebhook::redis_endpoint_from_url(bad, &why);
            INFO(bad);
            REQUIRE_FALSE(e);
            CHECK(e.error() == lkwebhook::errc::invalid_config);
            CHECK_FALSE(why.empty());
            CHECK_FALSE(contains(why.view(), "bad%zz"));
        }
    }
    SECTION("a parsed URL connects") {
        REQUIRE(secured_server().ping());
        auto e = lkwebhook::redis_endpoint_from_url("redis://" + std::string{app_user} + ":" + app_password +
                                                    "@127.0.0.1:" + std::to_string(secured_server().port()) + "/1");
        REQUIRE(e);
        CHECK(lkwebhook::check_redis_connection(*e));
    }
}
