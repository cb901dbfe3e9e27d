// The receiver facade: verify first, then decode, reusing every buffer.

#include <lkwebhook/encode.hpp>
#include <lkwebhook/keys.hpp>
#include <lkwebhook/receiver.hpp>
#include <lkwebhook/signer.hpp>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <thread>

#include "support/catch.hpp"

#include "support/counting_allocator.hpp"

namespace {
std::atomic<long>& allocations = lkwebhook::test::operator_new_calls;
}  // namespace

using namespace lkwebhook;

namespace {

constexpr std::string_view key = "APIwhExample01";
constexpr std::string_view secret = "whsec-example-secret-0123456789abcdef";
constexpr std::int64_t now = 1767261600;

std::string token_for(std::string_view body, std::int64_t at = now) {
    sign_options options;
    options.now_unix = at;
    return sign(body, key, secret, options).value();
}

receiver<static_key, fixed_clock> make_receiver(receiver_options options = {}) {
    return receiver<static_key, fixed_clock>{static_key::make(key, secret).value(), options, fixed_clock{now}};
}

const std::string body =
        R"({"event":"participant_joined","room":{"sid":"RM_t7Hq2WbXk9Lm","name":"standup-42"},)"
        R"("participant":{"sid":"PA_Vd3nJx7QpZ2c","identity":"alice@example.com","state":"ACTIVE",)"
        R"("attributes":{"role":"host","team":"blue"}},"id":"EV_Hs6YpD2mQx9a","createdAt":"1767260401"})";

}  // namespace

TEST_CASE("a signed body is verified and decoded", "[receiver]") {
    auto rx = make_receiver();
    const auto r = rx.receive(body, token_for(body));
    INFO(r.why());
    REQUIRE(r);
    CHECK(r->type() == event_type::participant_joined);
    CHECK(r->participant->identity == "alice@example.com");
    CHECK(r.value().id == "EV_Hs6YpD2mQx9a");
    CHECK(r.request().key_id == key);
    CHECK(r.http_status() == 200);
    CHECK(r.why().empty());
    CHECK(rx.last_diagnosis().empty());
    CHECK(&rx.last_event() == &*r);
    CHECK(to_json(*r) == body);
}

TEST_CASE("nothing unauthenticated is parsed: a forged body is rejected before JSON", "[receiver][threat-G2]") {
    auto rx = make_receiver();
    // Invalid JSON with a token for another body: body_hash_mismatch, not malformed_body.
    CHECK(rx.receive("{not json", token_for(body)).error() == errc::body_hash_mismatch);
    // Invalid JSON without any token: missing_authorization.
    const auto none = rx.receive("{not json", "");
    CHECK(none.error() == errc::missing_authorization);
    CHECK(none.http_status() == 401);
    // A bad token never reaches the decoder either.
    CHECK(rx.receive("[]", "a.b.c").error() == errc::malformed_token);
    // The same invalid JSON, properly signed: now it is malformed_body.
    const auto signed_garbage = rx.receive("{not json", token_for("{not json"));
    CHECK(signed_garbage.error() == errc::malformed_body);
    CHECK(signed_garbage.http_status() == 400);
    CHECK(signed_garbage.request().key_id == key);
    CHECK(!signed_garbage.why().empty());
#if LKWEBHOOK_EXCEPTIONS
    CHECK_THROWS_AS(signed_garbage.value(), std::system_error);
#endif
}

TEST_CASE("require_event_id rejects events without an id", "[receiver][threat-G14]") {
    const std::string no_id = R"({"event":"room_started","room":{"name":"r"}})";
    auto lenient = make_receiver();
    CHECK(lenient.receive(no_id, token_for(no_id)));
    receiver_options options;
    options.decode.require_event_id = true;
    auto strict = make_receiver(options);
    const auto r = strict.receive(no_id, token_for(no_id));
    CHECK(r.error() == errc::malformed_body);
    CHECK(r.why().find("id") != std::string_view::npos);
}

TEST_CASE("bodies over the configured limit are body_too_large", "[receiver]") {
    receiver_options options;
    options.verify.max_body_bytes = 64;
    auto rx = make_receiver(options);
    CHECK(rx.receive(body, token_for(body)).error() == errc::body_too_large);
}

TEST_CASE("the token's time window uses the injected clock", "[receiver]") {
    auto rx = make_receiver();
    CHECK(rx.receive(body, token_for(body, now - 400)).error() == errc::token_expired);
    CHECK(rx.receive(body, token_for(body, now + 120)).error() == errc::token_not_yet_valid);
}

TEST_CASE("a warm receiver allocates nothing per request", "[receiver][reuse][threat-G23]") {
    auto rx = make_receiver();
    const std::string token = token_for(body);
    REQUIRE(rx.receive(body, token));
    REQUIRE(rx.receive(body, token));
    const long before = allocations.load();
    for (int i = 0; i < 20; ++i) {
        const auto r = rx.receive(body, token);
        REQUIRE(r.has_value());
    }
    CHECK(allocations.load() == before);
}

TEST_CASE("events can be copied out and handed to another thread", "[receiver][owning]") {
    auto rx = make_receiver();
    const auto r = rx.receive(body, token_for(body));
    REQUIRE(r);
    webhook_event owned = *r;  // the result refers into the receiver: copy to keep
    const std::string other = R"({"event":"room_finished","id":"EV_2"})";
    REQUIRE(rx.receive(other, token_for(other)));
    std::string seen;
    std::thread worker([event = std::move(owned), &seen] { seen = event.participant->identity; });
    worker.join();
    CHECK(seen == "alice@example.com");
}

TEST_CASE("invalid options surface as invalid_config", "[receiver]") {
    receiver_options options;
    options.verify.leeway = std::chrono::seconds{-1};
    lkwebhook::diagnosis why;
    auto rx = receiver<static_key, fixed_clock>::make(static_key::make(key, secret).value(), options, fixed_clock{now},
                                                      &why);
    CHECK(rx.error() == errc::invalid_config);
    CHECK(why.view().find("leeway") != std::string_view::npos);
}
