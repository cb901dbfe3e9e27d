// outcome: statuses, bounded id copy, stable rendering.

#include <lkwebhook/outcome.hpp>

#include <string>

#include "support/catch.hpp"

TEST_CASE("outcome::failure maps codes to statuses and Retry-After", "[outcome]") {
    const auto in_flight = lkwebhook::outcome::failure(lkwebhook::errc::duplicate_in_flight);
    CHECK(in_flight.status == 503);
    REQUIRE(in_flight.retry_after.has_value());
    CHECK(in_flight.retry_after->count() == 1);
    CHECK_FALSE(in_flight.acknowledged());
    const auto dup = lkwebhook::outcome::failure(lkwebhook::errc::duplicate_event);
    CHECK(dup.status == 200);
    CHECK(dup.acknowledged());
    CHECK_FALSE(dup.retry_after.has_value());
    CHECK(dup.name() == "duplicate_event");
    const auto bad = lkwebhook::outcome::failure(lkwebhook::errc::bad_signature);
    CHECK(bad.status == 401);
    CHECK_FALSE(bad.ok());
    lkwebhook::outcome ok;
    CHECK(ok.ok());
    CHECK(ok.status == 200);
    CHECK(ok.name() == "ok");
}

TEST_CASE("the event id is an owned, bounded copy", "[outcome][threat-G15]") {
    lkwebhook::outcome o;
    {
        std::string id = "EV_Hs6YpD2mQx9a";
        o.set_event_id(id);
        id.assign(id.size(), 'x');
    }
    CHECK(o.event_id() == "EV_Hs6YpD2mQx9a");
    o.set_event_id(std::string(500, 'a'));
    CHECK(o.event_id().size() == lkwebhook::outcome::max_event_id);
}

TEST_CASE("to_string(outcome) is stable logfmt and escapes the id", "[outcome][threat-L2]") {
    auto o = lkwebhook::outcome::failure(lkwebhook::errc::duplicate_in_flight);
    o.type = lkwebhook::event_type::room_finished;
    o.duplicate = true;
    o.set_event_id("EV_1\n\"x");
    o.why.append("same id");
    CHECK(lkwebhook::to_string(o) ==
          "outcome=duplicate_in_flight status=503 type=room_finished id=\"EV_1\\x0a\\x22x\" duplicate=1 "
          "delivery=none retry_after=1 why=\"same id\"");
}

TEST_CASE("an outcome says what became of the event, and nothing about sessions before the correlator",
          "[outcome][threat-M8]") {
    const auto rejected = lkwebhook::outcome::failure(lkwebhook::errc::bad_signature);
    CHECK(rejected.delivery == lkwebhook::delivery::none);
    CHECK_FALSE(rejected.session_found);
    CHECK(lkwebhook::to_string(rejected) == "outcome=bad_signature status=401 type= id=\"\" duplicate=0 delivery=none");

    lkwebhook::outcome unmapped;
    unmapped.type = lkwebhook::event_type::egress_ended;
    unmapped.delivery = lkwebhook::delivery::unmapped;
    CHECK(lkwebhook::to_string(unmapped) ==
          "outcome=ok status=200 type=egress_ended id=\"\" duplicate=0 delivery=unmapped session_found=0");

    lkwebhook::outcome handled;
    handled.delivery = lkwebhook::delivery::handled;
    handled.session_found = true;
    CHECK(lkwebhook::to_string(handled).ends_with("delivery=handled session_found=1"));

    for (const auto d : {lkwebhook::delivery::none, lkwebhook::delivery::handled, lkwebhook::delivery::no_handler,
                         lkwebhook::delivery::unmapped, lkwebhook::delivery::session_not_found,
                         lkwebhook::delivery::failed, lkwebhook::delivery::queued}) {
        const std::string_view name = lkwebhook::to_string(d);
        CHECK_FALSE(name.empty());
        CHECK(name.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") == std::string_view::npos);
    }
    CHECK(lkwebhook::to_string(lkwebhook::delivery::session_not_found) == "session_not_found");
}
