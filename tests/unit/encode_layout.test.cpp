// json_options::comma_space: the encoder writes LiveKit's server layout (", " between members,
// array elements and map entries), checked against every *_server_style vector.

#include <lkwebhook/decode.hpp>
#include <lkwebhook/encode.hpp>

#include <string>

#include "support/catch.hpp"
#include "support/vectors.hpp"

TEST_CASE("comma_space re-encodes each server-style body byte for byte", "[encode][vectors]") {
    int checked = 0;
    for (const auto& v : lkwebhook::test::load_all_vectors()) {
        if (!v.name.ends_with("_server_style") || v.expect != "ok") continue;
        INFO(v.name);
        const auto ev = lkwebhook::decode(v.body);
        REQUIRE(ev);
        lkwebhook::json_options server_layout;
        server_layout.comma_space = true;
        CHECK(lkwebhook::to_json(*ev, server_layout) == v.body);
        // The same JSON without the spaces is the canonical encoding.
        const std::string compact = lkwebhook::to_json(*ev);
        CHECK(compact.find(", \"") == std::string::npos);
        CHECK(lkwebhook::decode(compact).value() == *ev);
        ++checked;
    }
    CHECK(checked == 14);
}

TEST_CASE("comma_space separates array elements and map entries too", "[encode]") {
    lkwebhook::webhook_event ev;
    ev.event = "room_started";
    auto& room = ev.room.emplace();
    room.enabled_codecs.emplace_back().mime = "audio/opus";
    room.enabled_codecs.emplace_back().mime = "audio/red";
    lkwebhook::json_options o;
    o.comma_space = true;
    CHECK(lkwebhook::to_json(ev, o) ==
          R"({"event":"room_started", "room":{"enabledCodecs":[{"mime":"audio/opus"}, {"mime":"audio/red"}]}})");
    CHECK(lkwebhook::to_json(ev) ==
          R"({"event":"room_started","room":{"enabledCodecs":[{"mime":"audio/opus"},{"mime":"audio/red"}]}})");
}
