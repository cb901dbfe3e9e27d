// The program every package consumer builds (find_package, add_subdirectory,
// pkg-config, vcpkg layout): it includes the umbrella header and runs real
// library code, so a broken include path, a missing dependency or an
// unlinkable library fails the package test.
#include <lkwebhook.hpp>
#ifdef LKWEBHOOK_CONSUMER_HAS_REDIS
// The optional component: its header (and hiredis's) must be reachable.
#include <lkwebhook/redis_store.hpp>
static_assert(lkwebhook::IdempotencyStore<lkwebhook::redis_store>);
#endif
#ifdef LKWEBHOOK_CONSUMER_HAS_NATS
// The JetStream component: its header and libnats's must be reachable, and
// libnats must link (the queue's destructor calls into it).
#include <lkwebhook/jetstream_queue.hpp>
#endif

#include <cstdio>
#include <string>
#include <string_view>
#include <system_error>

int main() {
    int failures = 0;
    auto check = [&failures](bool ok, const char* what) {
        if (!ok) {
            std::fprintf(stderr, "consumer FAILED: %s\n", what);
            ++failures;
        }
    };

#ifdef LKWEBHOOK_CONSUMER_EXPECTED_VERSION
    check(std::string_view{lkwebhook::version_string} == LKWEBHOOK_CONSUMER_EXPECTED_VERSION,
          "header version matches the package version");
#endif

    const std::error_code ec = lkwebhook::errc::bad_signature;
    check(lkwebhook::http_status(ec) == 401, "bad_signature answers 401");
    check(ec == lkwebhook::condition::authentication_failed, "bad_signature is an authentication failure");
    check(std::string_view{ec.category().name()} == "lkwebhook", "error category name");
    const lkwebhook::result<int> r = lkwebhook::errc::body_too_large;
    check(!r && lkwebhook::http_status(r.error()) == 413, "result carries body_too_large");

    // The whole authentication path: sign a body as a LiveKit server would,
    // verify it, and see a one-byte change rejected. This links OpenSSL.
    constexpr std::string_view key_id = "APIconsumer";
    constexpr std::string_view secret = "consumer-secret-0123456789abcdefghijklmnopqrstuv";
    const std::string body = R"({"event":"room_started","room":{"sid":"RM_consumer","name":"consumer"}})";
    const auto keys = lkwebhook::static_key::make(key_id, secret);
    check(keys.has_value(), "static_key::make");
    const auto token = lkwebhook::sign(body, key_id, secret);
    check(token.has_value() && !token->empty(), "sign() returns a token");
    if (keys && token) {
        const auto verified = lkwebhook::verify(body, *token, *keys);
        check(verified.has_value() && verified->key_id == key_id, "verify() accepts what sign() produced");
        const auto tampered = lkwebhook::verify(body + " ", *token, *keys);
        check(!tampered && tampered.error() == lkwebhook::errc::body_hash_mismatch, "a changed body is rejected");
    }

#ifdef LKWEBHOOK_CONSUMER_HAS_NATS
    {
        // Constructing the queue does not connect; it only keeps the options.
        lkwebhook::jetstream_options options;
        options.url = "nats://127.0.0.1:1";
        options.partitions = 3;
        const lkwebhook::jetstream_queue queue{options};
        check(queue.partitions() == 3, "jetstream_queue keeps the configured partition count");
    }
#endif

    if (failures != 0) return 1;
    std::printf("consumer: ok (lkwebhook %s)\n", lkwebhook::version_string);
    return 0;
}
