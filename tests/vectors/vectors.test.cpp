// Every shared vector (LKWEBHOOK_VECTORS_DIR) through the library: the
// receiver must give exactly the expected outcome, and for accepted vectors
// the canonical JSON of the decoded event must equal the vector's `event`.

#include <lkwebhook/decode.hpp>
#include <lkwebhook/encode.hpp>
#include <lkwebhook/keys.hpp>
#include <lkwebhook/receiver.hpp>

#include <chrono>
#include <string>

#include "json_equal.hpp"
#include "support/catch.hpp"
#include "support/vectors.hpp"

namespace {

using lkwebhook::test::webhook_vector;

const std::vector<webhook_vector>& vectors() {
    static const std::vector<webhook_vector> all = lkwebhook::test::load_all_vectors();
    return all;
}

lkwebhook::receiver<lkwebhook::static_key, lkwebhook::fixed_clock> receiver_for(const webhook_vector& v) {
    lkwebhook::receiver_options options;
    options.verify.leeway = std::chrono::seconds{v.leeway_s};
    return lkwebhook::receiver<lkwebhook::static_key, lkwebhook::fixed_clock>{
            lkwebhook::static_key::make(v.api_key, v.api_secret).value(), options, lkwebhook::fixed_clock{v.now}};
}

}  // namespace

TEST_CASE("the vector set is present and complete", "[vectors]") {
    REQUIRE(vectors().size() >= 100);
    std::size_t ok = 0;
    for (const auto& v : vectors()) ok += v.expect == "ok" ? 1 : 0;
    CHECK(ok >= 40);
}

TEST_CASE("every vector gives its expected outcome through the receiver", "[vectors][receiver]") {
    for (const auto& v : vectors()) {
        INFO("vector " << v.name << ": " << v.description);
        auto rx = receiver_for(v);
        const auto r = rx.receive(v.body, v.authorization_view());
        const std::string got = r ? std::string("ok") : std::string(lkwebhook::to_string(r.error()));
        INFO("why: " << r.why());
        CHECK(got == v.expect);
        if (r && v.expect == "ok") {
            const std::string json = lkwebhook::to_json(*r);
            INFO("ours: " << json << "\nwant: " << v.event_json);
            CHECK(lkwebhook::test::json_diff(json, v.event_json).empty());
        }
        if (!r) {
            CHECK(!r.why().empty());
            CHECK(r.http_status() == lkwebhook::http_status(r.error()));
        }
    }
}

TEST_CASE("malformed_body vectors are rejected after authentication with a named reason", "[vectors][threat-G2]") {
    std::size_t seen = 0;
    for (const auto& v : vectors()) {
        if (v.expect != "malformed_body") continue;
        ++seen;
        INFO("vector " << v.name);
        auto rx = receiver_for(v);
        const auto r = rx.receive(v.body, v.authorization_view());
        REQUIRE_FALSE(r);
        CHECK(r.error() == lkwebhook::errc::malformed_body);
        CHECK(r.http_status() == 400);
        CHECK(!r.request().key_id.empty());  // authentication had succeeded
    }
    CHECK(seen >= 10);
}

TEST_CASE("one reused context decodes every accepted vector like a fresh one", "[vectors][decode]") {
    lkwebhook::decode_context shared;
    lkwebhook::webhook_event reused;
    for (int pass = 0; pass < 2; ++pass) {
        for (const auto& v : vectors()) {
            if (v.expect != "ok") continue;
            INFO("vector " << v.name << " pass " << pass);
            lkwebhook::diagnosis why;
            REQUIRE(lkwebhook::decode(v.body, reused, shared, &why));
            lkwebhook::decode_context fresh_context;
            lkwebhook::webhook_event fresh;
            REQUIRE(lkwebhook::decode(v.body, fresh, fresh_context));
            CHECK(reused == fresh);
            CHECK(lkwebhook::to_json(reused) == lkwebhook::to_json(fresh));
        }
    }
}

TEST_CASE("canonical JSON of every accepted vector decodes back to the same event", "[vectors][encode]") {
    lkwebhook::decode_context context;
    for (const auto& v : vectors()) {
        if (v.expect != "ok") continue;
        INFO("vector " << v.name);
        lkwebhook::webhook_event first;
        REQUIRE(lkwebhook::decode(v.body, first, context));
        const std::string json = lkwebhook::to_json(first);
        lkwebhook::webhook_event second;
        lkwebhook::diagnosis why;
        INFO("json: " << json);
        REQUIRE(lkwebhook::decode(json, second, context, &why));
        CHECK(first == second);
        CHECK(lkwebhook::to_json(second) == json);  // the encoding is a fixed point
    }
}
