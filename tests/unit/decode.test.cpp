// The protobuf-JSON decoder against the threat catalogue's body rows
// (tests/threats/catalogue.md group G) and the proto3 JSON rules.

#include <lkwebhook/decode.hpp>
#include <lkwebhook/encode.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "support/catch.hpp"

// Counts heap allocations so the "no allocation once warm" promise is tested.
#include "support/counting_allocator.hpp"

namespace {
std::atomic<long>& allocations = lkwebhook::test::operator_new_calls;
}  // namespace

using namespace lkwebhook;

namespace {

struct outcome {
    bool ok = false;
    std::error_code error;
    std::string why;
    webhook_event event;
};

outcome run(std::string_view json, const decode_options& options = {},
            std::size_t max_body_bytes = lkwebhook::default_max_body_bytes) {
    decode_context context(options, max_body_bytes);
    outcome o;
    diagnosis why;
    const auto r = decode(json, o.event, context, &why);
    o.ok = r.has_value();
    o.error = r.error();
    o.why = std::string(why.view());
    return o;
}

bool accepted(std::string_view json) { return run(json).ok; }

bool malformed(std::string_view json) {
    const outcome o = run(json);
    if (o.ok) return false;
    INFO("why: " << o.why);
    CHECK(!o.why.empty());
    return o.error == errc::malformed_body;
}

std::string nested(std::size_t depth) {  // {"x": [[[...]]]} with `depth` levels in total
    std::string s = "{\"x\":";
    for (std::size_t i = 1; i < depth; ++i) s += '[';
    for (std::size_t i = 1; i < depth; ++i) s += ']';
    return s + "}";
}

}  // namespace

TEST_CASE("a typical server body decodes into typed fields", "[decode]") {
    const outcome o = run(
            R"({"event":"egress_ended", "room":{"sid":"RM_t", "name":"standup-42"}, "egressInfo":{"egressId":"EG_Q", )"
            R"("status":"EGRESS_COMPLETE", "startedAt":"1767260700123456789", "roomComposite":{"roomName":"standup-42", )"
            R"("fileOutputs":[{"fileType":"MP4", "filepath":"r.mp4"}]}, "fileResults":[{"filename":"f.mp4", )"
            R"("duration":"840864197532", "size":"48213377"}]}, "id":"EV_B", "createdAt":"1767261541"})");
    INFO(o.why);
    REQUIRE(o.ok);
    const webhook_event& e = o.event;
    CHECK(e.type() == event_type::egress_ended);
    CHECK(e.created_at == 1767261541);
    REQUIRE(e.room);
    CHECK(e.room->name == "standup-42");
    REQUIRE(e.egress_info);
    CHECK(e.egress_info->status == egress_status::egress_complete);
    CHECK(e.egress_info->started_at == 1767260700123456789LL);
    REQUIRE(e.egress_info->room_composite);
    CHECK_FALSE(e.egress_info->web);
    REQUIRE(e.egress_info->room_composite->file_outputs.size() == 1);
    CHECK(e.egress_info->room_composite->file_outputs[0].file_type == encoded_file_type::mp4);
    REQUIRE(e.egress_info->file_results.size() == 1);
    CHECK(e.egress_info->file_results[0].size == 48213377);
    CHECK_FALSE(e.participant);
    CHECK_FALSE(e.track);
}

TEST_CASE("the body is copied into a private padded buffer", "[decode][threat-G1]") {
    // A view into the middle of a larger buffer, with no padding of its own.
    const std::string storage = R"(xx{"event":"room_started","id":"EV_1"}yy)";
    const std::string_view view(storage.data() + 2, storage.size() - 4);
    const outcome o = run(view);
    REQUIRE(o.ok);
    CHECK(o.event.id == "EV_1");
}

TEST_CASE("syntax errors anywhere are rejected, also inside unknown members", "[decode][threat-G2]") {
    CHECK(malformed(R"({"x":{"a":[1,2,]},"event":"room_started"})"));
    CHECK(malformed(R"({"x":{"a" 1}})"));
    CHECK(malformed(R"({"x":"\q"})"));
    CHECK(malformed(R"({"x":tru})"));
    CHECK(malformed(R"({"x":nul})"));
    CHECK(malformed(R"({"x":-})"));
    CHECK(malformed(R"({"x":01})"));
    CHECK(malformed(R"({"x":1.})"));
    CHECK(malformed(R"({"x":[1 2]})"));
    CHECK(malformed(R"({"x":{"a":1})"));
    CHECK(malformed(R"({"x":1,})"));
    CHECK(malformed(R"({"event":"room_started")"));
    CHECK(malformed(R"({"x":'a'})"));
}

TEST_CASE("invalid UTF-8, unpaired surrogates and raw control characters are rejected", "[decode][threat-G3]") {
    CHECK(malformed("{\"x\":\"\xC0\xAF\"}"));            // overlong
    CHECK(malformed("{\"x\":\"\xED\xA0\x80\"}"));        // UTF-8-encoded surrogate
    CHECK(malformed("{\"x\":[\"\xF5\x80\x80\x80\"]}"));  // beyond U+10FFFF
    CHECK(malformed("{\"x\":\"\xFF\"}"));
    CHECK(malformed("{\"event\":\"\xE2\x82\"}"));  // truncated, in a known field
    CHECK(malformed("{\"\xE2\x82\":1}"));          // in a key
    CHECK(malformed(R"({"x":"\ud800"})"));
    CHECK(malformed(R"({"x":"\udc00"})"));
    CHECK(malformed(R"({"id":"\ud800x"})"));
    CHECK(malformed("{\"x\":\"a\x01b\"}"));
    CHECK(malformed("{\"event\":\"a\nb\"}"));
    // Valid escapes and non-ASCII text are fine.
    const outcome o = run(R"({"event":"room_started","room":{"name":"caf\u00e9 \ud83c\udf89 \"q\" \\ \/"}})");
    REQUIRE(o.ok);
    CHECK(o.event.room->name == "caf\xC3\xA9 \xF0\x9F\x8E\x89 \"q\" \\ /");
}

TEST_CASE("a UTF-8 byte order mark is rejected", "[decode][threat-G4]") {
    const outcome o = run("\xEF\xBB\xBF{\"event\":\"room_started\"}");
    CHECK_FALSE(o.ok);
    CHECK(o.error == errc::malformed_body);
    CHECK(o.why.find("byte order mark") != std::string::npos);
}

TEST_CASE("trailing content is rejected, trailing whitespace is not", "[decode][threat-G5]") {
    CHECK(malformed(R"({"event":"room_started"} x)"));
    CHECK(malformed(R"({"event":"room_started"}{"event":"room_started"})"));
    CHECK(malformed(R"({"event":"room_started"}})"));
    CHECK(malformed(R"({"event":"room_started"}])"));
    CHECK(malformed(R"({"event":"room_started"}1)"));
    CHECK(malformed(std::string_view("{\"event\":\"room_started\"}\0", 25)));
    CHECK(accepted("{\"event\":\"room_started\"} \t\r\n"));
    CHECK(accepted(" \n{\"event\":\"room_started\"}"));
}

TEST_CASE("nesting is capped at 64 levels", "[decode][threat-G6]") {
    CHECK(accepted(nested(64)));
    const outcome deep = run(nested(65));
    CHECK_FALSE(deep.ok);
    CHECK(deep.error == errc::malformed_body);
    CHECK(deep.why.find("deeper than 64") != std::string::npos);
    CHECK(malformed(nested(100000)));  // no stack overflow
    // Known fields count too: room.enabledCodecs[0] is level 4.
    decode_options shallow;
    shallow.max_depth = 3;
    CHECK_FALSE(run(R"({"room":{"enabledCodecs":[{"mime":"a"}]}})", shallow).ok);
    shallow.max_depth = 4;
    CHECK(run(R"({"room":{"enabledCodecs":[{"mime":"a"}]}})", shallow).ok);
    // Unknown members count alike, an empty container as much as a full one,
    // however far inside a larger value it sits.
    shallow.max_depth = 3;
    for (const char* fits : {R"({"x":[[]]})", R"({"x":[{}]})", R"({"x":{"y":[1]}})", R"({"x":[[1,2],[],[3]],"y":[]})",
                             R"({"room":{"x":[]}})", R"({"x":[1,2,3,4,5,6,7,8,9,[]]})"}) {
        INFO(fits);
        CHECK(run(fits, shallow).ok);
    }
    for (const char* too_deep :
         {R"({"x":[[[]]]})", R"({"x":[[{}]]})", R"({"x":[[[1]]]})", R"({"x":{"y":{"z":{}}}})", R"({"room":{"x":[[]]}})",
          R"({"x":[1,2,3,4,5,6,7,8,9,[[]]]})", R"({"x":[[1],[2],[3],[4],[[]]]})", R"({"x":[[],[],[],[],[[]]]})"}) {
        INFO(too_deep);
        const outcome o = run(too_deep, shallow);
        CHECK_FALSE(o.ok);
        CHECK(o.error == errc::malformed_body);
        CHECK(o.why.find("deeper than 3") != std::string::npos);
    }
}

TEST_CASE("a top level that is not an object is rejected", "[decode][threat-G7]") {
    CHECK(malformed("[]"));
    CHECK(malformed(R"("room_started")"));
    CHECK(malformed("42"));
    CHECK(malformed("null"));
    CHECK(malformed("true"));
    CHECK(malformed(""));
    CHECK(malformed("  \n "));
    CHECK(accepted("{}"));
}

TEST_CASE("a known field twice is rejected, counting both spellings", "[decode][threat-G8]") {
    CHECK(malformed(R"({"createdAt":"1","createdAt":"1"})"));
    const outcome both = run(R"({"event":"room_started","createdAt":"1","created_at":"2"})");
    CHECK_FALSE(both.ok);
    CHECK(both.why.find("createdAt") != std::string::npos);
    CHECK(malformed(R"({"room":{"sid":"a","sid":"b"}})"));
    CHECK(malformed(R"({"egressInfo":{"fileResults":[{"size":"1","size":"2"}]}})"));
    CHECK(malformed(R"({"room":null,"room":{}})"));  // null counts as present
    // Unknown members may repeat.
    CHECK(accepted(R"({"x":1,"x":2,"room":{"y":1,"y":[]}})"));
}

TEST_CASE("both lowerCamelCase and proto names are accepted, after unescaping", "[decode][threat-G9]") {
    const outcome o = run(R"({"event":"egress_started","egress_info":{"egress_id":"EG_1","room_name":"r"},)"
                          R"("created_at":"5","num_dropped":2,"room_end_reason":"ROOM_END_API_DELETE"})");
    REQUIRE(o.ok);
    CHECK(o.event.egress_info->egress_id == "EG_1");
    CHECK(o.event.created_at == 5);
    CHECK(o.event.num_dropped == 2);
    CHECK(o.event.room_end_reason == room_end_reason::room_end_api_delete);
    const outcome escaped = run(R"({"\u0063reatedAt":"7","ev\u0065nt":"room_started"})");
    REQUIRE(escaped.ok);
    CHECK(escaped.event.created_at == 7);
    // Names are case-sensitive: a different case is an unknown member.
    const outcome cased = run(R"({"CreatedAt":"7"})");
    REQUIRE(cased.ok);
    CHECK(cased.event.created_at == 0);
    // The aliOSS oddity keeps its spelling in both forms.
    const outcome oss = run(R"({"egressInfo":{"roomComposite":{"fileOutputs":[{"aliOSS":{"bucket":"b"}}]}}})");
    REQUIRE(oss.ok);
    CHECK(oss.event.egress_info->room_composite->file_outputs[0].ali_oss->bucket == "b");
}

TEST_CASE("unknown members of any type and depth are ignored", "[decode][threat-G10]") {
    const outcome o = run(
            R"({"future":{"a":[1,"two",null,{"three":3.5e-7}],"b":true},"event":"room_started",)"
            R"("room":{"sid":"RM_1","newField":[[[]]],"version":{"unixMicro":"1","x":-0.0}},"num":123456789012345678901234567890,)"
            R"("big":1e400,"n":null,"s":"\u0000"})");
    INFO(o.why);
    REQUIRE(o.ok);
    CHECK(o.event.room->sid == "RM_1");
    CHECK(o.event.room->version->unix_micro == 1);
    CHECK(to_json(o.event) == R"({"event":"room_started","room":{"sid":"RM_1","version":{"unixMicro":"1"}}})");
}

TEST_CASE("a new field and a new enum value decode, the number preserved",
          "[decode][forward-compat][threat-G10][threat-G19]") {
    const outcome o = run(R"({"event":"participant_joined","participant":{"sid":"PA_1","state":7,"kind":42,)"
                          R"("superpowers":["x-ray"],"permission":{"canTeleport":true,"canPublish":true},)"
                          R"("capabilities":["CAP_PACKET_TRAILER",9,"CAP_FROM_2030"]},"webhookSchemaVersion":3})");
    INFO(o.why);
    REQUIRE(o.ok);
    const participant_info& p = *o.event.participant;
    CHECK(static_cast<std::int32_t>(p.state) == 7);
    CHECK(static_cast<std::int32_t>(p.kind) == 42);
    CHECK(p.permission->can_publish);
    REQUIRE(p.capabilities.size() == 2);  // the unknown name is dropped, the unknown number kept
    CHECK(p.capabilities[0] == client_info_capability::cap_packet_trailer);
    CHECK(static_cast<std::int32_t>(p.capabilities[1]) == 9);
    CHECK(to_json(o.event) ==
          R"({"event":"participant_joined","participant":{"sid":"PA_1","state":7,)"
          R"("permission":{"canPublish":true},"kind":42,"capabilities":["CAP_PACKET_TRAILER",9]}})");
}

TEST_CASE("unknown, empty or null event names are accepted", "[decode][threat-G11][threat-G12]") {
    const outcome unknown = run(R"({"event":"room_updated","room":{"name":"r"}})");
    REQUIRE(unknown.ok);
    CHECK(unknown.event.type() == event_type::unknown);
    CHECK(unknown.event.event == "room_updated");
    CHECK(run(R"({"event":""})").ok);
    const outcome null_event = run(R"({"event":null,"id":"EV_1"})");
    REQUIRE(null_event.ok);
    CHECK(null_event.event.event.empty());
    CHECK(run(R"({"id":"EV_1"})").event.type() == event_type::unknown);
}

TEST_CASE("null means not set for every field kind, except inside maps and lists", "[decode][threat-G13]") {
    const outcome o = run(R"({"event":null,"room":null,"participant":{"state":null,"tracks":null,"attributes":null,)"
                          R"("permission":null,"joinedAt":null,"isPublisher":null},"ingressInfo":{"enabled":null},)"
                          R"("egressInfo":{"roomComposite":null,"web":{"url":"u"},"preset":null},"numDropped":null})");
    INFO(o.why);
    REQUIRE(o.ok);
    CHECK_FALSE(o.event.room);
    CHECK(o.event.participant->state == participant_info_state::joining);
    CHECK(o.event.participant->tracks.empty());
    CHECK(o.event.participant->attributes.empty());
    CHECK_FALSE(o.event.participant->permission);
    CHECK_FALSE(o.event.ingress_info->enabled);
    CHECK(o.event.egress_info->web);  // a null oneof member does not count
    CHECK(malformed(R"({"participant":{"attributes":{"a":null}}})"));
    CHECK(malformed(R"({"room":{"enabledCodecs":[null]}})"));
    CHECK(malformed(R"({"track":{"audioFeatures":["TF_STEREO",null]}})"));
}

TEST_CASE("event ids: missing is accepted unless required", "[decode][threat-G14]") {
    CHECK(run(R"({"event":"room_started"})").ok);
    CHECK(run(R"({"event":"room_started","id":null})").ok);
    decode_options strict;
    strict.require_event_id = true;
    const outcome missing = run(R"({"event":"room_started"})", strict);
    CHECK_FALSE(missing.ok);
    CHECK(missing.error == errc::malformed_body);
    CHECK(missing.why.find("id") != std::string::npos);
    CHECK_FALSE(run(R"({"event":"room_started","id":""})", strict).ok);
    CHECK(run(R"({"event":"room_started","id":"EV_1"})", strict).ok);
}

TEST_CASE("event ids longer than 128 bytes or with control characters are rejected", "[decode][threat-G15]") {
    const std::string ok_id(128, 'a');
    CHECK(accepted("{\"id\":\"" + ok_id + "\"}"));
    CHECK(malformed("{\"id\":\"" + ok_id + "a\"}"));
    CHECK(malformed(R"({"id":"EV_\u0001"})"));
    CHECK(malformed(R"({"id":"EV_\n"})"));
    CHECK(malformed("{\"id\":\"EV_\x7F\"}"));
    CHECK(accepted(R"({"id":"EV_\u00e9"})"));
}

TEST_CASE("wrong JSON types for known fields are rejected with the field named", "[decode][threat-G16]") {
    const outcome room = run(R"({"room":"x"})");
    CHECK_FALSE(room.ok);
    CHECK(room.why == "room: expected an object, got a string");
    CHECK(malformed(R"({"room":[]})"));
    CHECK(malformed(R"({"event":5})"));
    CHECK(malformed(R"({"createdAt":true})"));
    CHECK(malformed(R"({"room":{"numParticipants":"abc"}})"));
    CHECK(malformed(R"({"room":{"enabledCodecs":{}}})"));
    CHECK(malformed(R"({"room":{"activeRecording":"true"}})"));
    CHECK(malformed(R"({"room":{"activeRecording":1}})"));
    CHECK(malformed(R"({"participant":{"attributes":[]}})"));
    CHECK(malformed(R"({"participant":{"attributes":{"a":1}}})"));
    CHECK(malformed(R"({"participant":{"state":true}})"));
    CHECK(malformed(R"({"participant":{"state":{}}})"));
    CHECK(malformed(R"({"room":{"enabledCodecs":["audio/opus"]}})"));
    const outcome deep = run(R"({"egressInfo":{"fileResults":[{"size":"1"},{"size":"SECRET-abc"}]}})");
    CHECK_FALSE(deep.ok);
    CHECK(deep.why.rfind("egressInfo.fileResults[1].size: ", 0) == 0);
    CHECK(deep.why.find("SECRET") == std::string::npos);  // library text only (L1)
}

TEST_CASE("integers: strict lexemes and ranges", "[decode][threat-G17]") {
    const auto created = [](std::string_view value) { return run("{\"createdAt\":" + std::string(value) + "}"); };
    CHECK(created("\"1628545903\"").event.created_at == 1628545903);
    CHECK(created("1628545903").event.created_at == 1628545903);
    CHECK(created("\"-9223372036854775808\"").event.created_at == std::numeric_limits<std::int64_t>::min());
    CHECK(created("9223372036854775807").event.created_at == std::numeric_limits<std::int64_t>::max());
    CHECK(created("\"-0\"").ok);
    for (const char* bad : {"1.5", "1e3", "100.0", "\"1e3\"", "\"+1\"", "\"0123\"", "0123", "\" 12\"", "\"12 \"",
                            "\"\"", "\"0x10\"", "\"9223372036854775808\"", "-9223372036854775809",
                            "18446744073709551616", "123456789012345678901234567890", "\"1.0\"", "-", "\"-\""}) {
        INFO(bad);
        CHECK_FALSE(created(bad).ok);
    }
    const auto empty_timeout = [](std::string_view value) {
        return run("{\"room\":{\"emptyTimeout\":" + std::string(value) + "}}");
    };
    CHECK(empty_timeout("4294967295").event.room->empty_timeout == 4294967295u);
    CHECK(empty_timeout("\"5\"").event.room->empty_timeout == 5u);  // 32-bit as string
    CHECK_FALSE(empty_timeout("4294967296").ok);
    CHECK_FALSE(empty_timeout("-1").ok);
    CHECK(empty_timeout("-0").ok);
    const auto num_dropped = [](std::string_view value) { return run("{\"numDropped\":" + std::string(value) + "}"); };
    CHECK(num_dropped("-2147483648").event.num_dropped == std::numeric_limits<std::int32_t>::min());
    CHECK_FALSE(num_dropped("2147483648").ok);
    CHECK_FALSE(num_dropped("-2147483649").ok);
    // The same limits for integers written as decimal strings.
    CHECK(empty_timeout("\"4294967295\"").event.room->empty_timeout == 4294967295u);
    CHECK(empty_timeout("\"-0\"").event.room->empty_timeout == 0u);
    CHECK_FALSE(empty_timeout("\"4294967296\"").ok);
    CHECK_FALSE(empty_timeout("\"-1\"").ok);
    CHECK(num_dropped("\"-2147483648\"").event.num_dropped == std::numeric_limits<std::int32_t>::min());
    CHECK(num_dropped("\"2147483647\"").event.num_dropped == std::numeric_limits<std::int32_t>::max());
    CHECK_FALSE(num_dropped("\"2147483648\"").ok);
    CHECK_FALSE(num_dropped("\"-2147483649\"").ok);
    CHECK(empty_timeout("\"-1\"").why == "room.emptyTimeout: integer out of range");
    CHECK(num_dropped("\"07\"").why ==
          "numDropped: not a valid integer (digits only, no '+', spaces or leading zeros)");
    const outcome fraction = created("1.5");
    CHECK(fraction.why == "createdAt: integers must not have a fraction or exponent");
}

TEST_CASE("doubles: numbers and the NaN/Infinity strings", "[decode][threat-G18]") {
    const auto framerate = [](std::string_view value) {
        return run(R"({"ingressInfo":{"state":{"video":{"framerate":)" + std::string(value) + "}}}}");
    };
    const auto value_of = [](const outcome& o) { return o.event.ingress_info->state->video->framerate; };
    CHECK(value_of(framerate("29.97")) == 29.97);
    CHECK(value_of(framerate("30")) == 30.0);
    CHECK(value_of(framerate("\"25.5\"")) == 25.5);
    CHECK(value_of(framerate("1e-400")) == 0.0);
    CHECK(std::isnan(value_of(framerate("\"NaN\""))));
    CHECK(value_of(framerate("\"Infinity\"")) == std::numeric_limits<double>::infinity());
    CHECK(value_of(framerate("\"-Infinity\"")) == -std::numeric_limits<double>::infinity());
    for (const char* bad : {"NaN", "Infinity", "-Infinity", "inf", "1e308", "-1e308", "1e999", "\"nan\"", "\"\"",
                            "\" 1\"", "\"0x1p3\"", "true", "[]"}) {
        INFO(bad);
        CHECK_FALSE(framerate(bad).ok);
    }
}

TEST_CASE("numbers outside int64, uint64 or double keep the outcome their text gives", "[decode][threat-G26]") {
    // JSON allows them; the parser does not hold them (detail/wide_numbers.hpp).
    const auto framerate = [](std::string_view value) {
        return run(R"({"ingressInfo":{"state":{"video":{"framerate":)" + std::string(value) + "}}}}");
    };
    const auto value_of = [](const outcome& o) { return o.event.ingress_info->state->video->framerate; };
    CHECK(value_of(framerate("18446744073709551616")) == 18446744073709551616.0);
    CHECK(value_of(framerate("-9223372036854775809")) == -9223372036854775808.0);
    CHECK(value_of(framerate("123456789012345678901234567890")) == 123456789012345678901234567890.0);
    CHECK(value_of(framerate("100000000000000000000000")) == 1e23);
    for (const char* bad : {"1e400", "-1e400", "1e99999999999999999999", "0123456789012345678901"}) {
        INFO(bad);
        CHECK(framerate(bad).error == errc::malformed_body);
    }
    CHECK(framerate(std::string(400, '9')).error == errc::malformed_body);
    // Where no number of that size fits, they are refused as before.
    for (const char* body :
         {R"({"createdAt":18446744073709551616})", R"({"createdAt":1e400})",
          R"({"room":{"emptyTimeout":123456789012345678901234567890}})",
          R"({"participant":{"state":18446744073709551616}})",
          R"({"participant":{"attributes":{"a":18446744073709551616}}})", R"({"room":{"sid":18446744073709551616}})",
          R"({"x":18446744073709551616,"y":tru})", R"({"x":[18446744073709551616,1e400,],"event":"room_started"})"}) {
        INFO(body);
        CHECK(run(body).error == errc::malformed_body);
    }
    // Unknown members ignore them; strings holding their digits are not touched.
    const outcome o = run(R"({"x":[18446744073709551616,-1e400,)" + std::string(400, '1') +
                          R"(],"room":{"sid":"123456789012345678901234 1e400","name":"\\\"18446744073709551616"}})");
    INFO(o.why);
    REQUIRE(o.ok);
    CHECK(o.event.room->sid == "123456789012345678901234 1e400");
    CHECK(o.event.room->name == "\\\"18446744073709551616");
}

TEST_CASE("enums: names or numbers, unknown names ignored, bad numbers rejected", "[decode][threat-G19]") {
    const auto state = [](std::string_view value) {
        return run("{\"participant\":{\"state\":" + std::string(value) + "}}");
    };
    CHECK(state("\"ACTIVE\"").event.participant->state == participant_info_state::active);
    CHECK(state("2").event.participant->state == participant_info_state::active);
    CHECK(static_cast<int>(state("-5").event.participant->state) == -5);
    const outcome unknown = state("\"HIBERNATING\"");
    REQUIRE(unknown.ok);
    CHECK(unknown.event.participant->state == participant_info_state::joining);         // left unset
    CHECK(state("\"2\"").event.participant->state == participant_info_state::joining);  // names only in strings
    CHECK(state("\"active\"").event.participant->state == participant_info_state::joining);
    for (const char* bad : {"2147483648", "1.0", "2e0", "true", "\"\\ud800\""}) {
        INFO(bad);
        CHECK_FALSE(state(bad).ok);
    }
    // In a list: names and numbers (any int32, open enum); an unknown name
    // drops its element; a number outside int32 is refused, naming the element.
    const auto sources = [](std::string_view list) {
        return run("{\"participant\":{\"permission\":{\"canPublishSources\":" + std::string(list) + "}}}");
    };
    const outcome listed = sources(R"(["CAMERA",2,"NOT_A_SOURCE",-2147483648,2147483647,"SCREEN_SHARE"])");
    INFO(listed.why);
    REQUIRE(listed.ok);
    const auto& list = listed.event.participant->permission->can_publish_sources;
    REQUIRE(list.size() == 5);
    CHECK(list[0] == track_source::camera);
    CHECK(list[1] == track_source::microphone);
    CHECK(static_cast<std::int32_t>(list[2]) == std::numeric_limits<std::int32_t>::min());
    CHECK(static_cast<std::int32_t>(list[3]) == std::numeric_limits<std::int32_t>::max());
    CHECK(list[4] == track_source::screen_share);
    const outcome too_big = sources("[1,2147483648]");
    CHECK_FALSE(too_big.ok);
    CHECK(too_big.why == "participant.permission.canPublishSources[1]: integer out of range");
    CHECK_FALSE(sources("[1,-2147483649]").ok);
    CHECK_FALSE(sources("[1,1.0]").ok);
    // An unknown name in a oneof enum member leaves the oneof unset.
    const outcome preset = run(R"({"egressInfo":{"roomComposite":{"preset":"H999"}}})");
    REQUIRE(preset.ok);
    CHECK_FALSE(preset.event.egress_info->room_composite->preset);
}

TEST_CASE("enum names match whole: every name found, near misses ignored", "[decode][threat-G19]") {
    const auto sources = [](std::string_view list) {
        return run("{\"participant\":{\"permission\":{\"canPublishSources\":" + std::string(list) + "}}}");
    };
    // Every name of the enum, last first, reads as its own number.
    std::string every = "[";
    const detail::enum_info& info = enum_traits<track_source>::info;
    for (std::size_t i = info.size; i-- > 0;) every += "\"" + std::string(info.values[i].name) + (i ? "\"," : "\"]");
    const outcome all = sources(every);
    REQUIRE(all.ok);
    const auto& all_list = all.event.participant->permission->can_publish_sources;
    REQUIRE(all_list.size() == info.size);
    for (std::size_t i = 0; i < info.size; ++i) {
        CHECK(static_cast<std::int32_t>(all_list[i]) == info.values[info.size - 1 - i].number);
    }
    // Near misses: a prefix of a longer name, one byte longer or changed
    // (first, middle, last), another case, an embedded NUL; all dropped.
    const outcome near = sources(R"(["SCREEN_SHAR","SCREEN_SHARE_","XCREEN_SHARE","SCREEN-SHARE","SCREEN_SHARX",)"
                                 R"("SCREEN_SHARE_AUDIX","camera","CAMERA\u0000","C","","MICROPHONE"])");
    REQUIRE(near.ok);
    const auto& near_list = near.event.participant->permission->can_publish_sources;
    REQUIRE(near_list.size() == 1);
    CHECK(near_list[0] == track_source::microphone);
    // A singular enum field: a near miss leaves it unset, the name sets it.
    const auto quality = [](std::string_view name) {
        return run(R"({"participant":{"tracks":[{"layers":[{"quality":")" + std::string(name) + R"("}]}]}})");
    };
    CHECK(quality("MEDIUM").event.participant->tracks[0].layers[0].quality == video_quality::medium);
    CHECK(quality("HIGH").event.participant->tracks[0].layers[0].quality == video_quality::high);
    CHECK(quality("HIGX").event.participant->tracks[0].layers[0].quality == video_quality::low);
    CHECK(quality("MEDIUMS").event.participant->tracks[0].layers[0].quality == video_quality::low);
}

TEST_CASE("a fault inside a list of scalars names its element", "[decode][threat-G13][threat-G23]") {
    const auto sources = [](std::string_view list) {
        return run("{\"participant\":{\"permission\":{\"canPublishSources\":" + std::string(list) + "}}}");
    };
    CHECK(sources("[1,2,null]").why ==
          "participant.permission.canPublishSources[2]: null is not allowed as an array element");
    CHECK(sources(R"(["CAMERA",true])").why ==
          "participant.permission.canPublishSources[1]: expected an enum name or number, got a boolean");
    // Elements dropped for an unknown name still count in the index.
    CHECK(sources(R"(["NO_SUCH_SOURCE",1,{}])").why ==
          "participant.permission.canPublishSources[2]: expected an enum name or number, got an object");
    decode_context context;
    stream_output output;
    diagnosis why;
    CHECK_FALSE(decode(R"({"urls":["rtmp://a",7]})", output, context, &why));
    CHECK(std::string(why.view()) == "urls[1]: expected a string, got a number");
    // The memory bound refuses a list at the element that crosses it: the
    // smallest base that decodes, less one, fails at the last element.
    const std::string body = R"({"urls":["a","b",")" + std::string(200, 'c') + R"("]})";
    decode_options tight;
    tight.memory_factor = 1;
    std::size_t base = 0;
    for (; base < 4096; ++base) {
        tight.memory_base = base;
        decode_context bounded(tight);
        if (decode(body, output, bounded)) break;
    }
    REQUIRE(base > 0);
    REQUIRE(base < 4096);
    REQUIRE(output.urls.size() == 3);
    tight.memory_base = base - 1;
    decode_context bounded(tight);
    CHECK_FALSE(decode(body, output, bounded, &why));
    CHECK(std::string(why.view()).find("urls[2]: the decoded event would exceed") == 0);
}

TEST_CASE("maps: order kept, empty keys and values kept, duplicates rejected", "[decode][threat-G20]") {
    const outcome o = run(R"({"participant":{"attributes":{"team":"blue","":"empty-key","role":""}}})");
    REQUIRE(o.ok);
    const string_map& m = o.event.participant->attributes;
    REQUIRE(m.size() == 3);
    CHECK(m[0].first == "team");
    CHECK(*m.find("") == "empty-key");
    CHECK(m.find("role")->empty());
    CHECK(malformed(R"({"participant":{"attributes":{"a":"1","b":"2","a":"3"}}})"));
    CHECK(malformed(R"({"participant":{"attributes":{"b":"1","a":"2","b":"3"}}})"));
    CHECK(malformed(R"({"participant":{"attributes":{"a":"1","\u0061":"2"}}})"));
    // Many user-chosen keys decode in (near) linear time.
    std::string big = R"({"participant":{"attributes":{)";
    for (int i = 20000; i > 0; --i) big += "\"k" + std::to_string(i) + "\":\"v\"" + (i > 1 ? "," : "");
    big += "}}}";
    const outcome many = run(big);
    REQUIRE(many.ok);
    CHECK(many.event.participant->attributes.size() == 20000);
}

TEST_CASE("maps out of order: duplicates found however the keys share their first bytes", "[decode][threat-G20]") {
    const auto attributes = [](const std::vector<std::string>& keys) {
        std::string body = R"({"participant":{"attributes":{)";
        for (std::size_t i = 0; i < keys.size(); ++i) body += (i ? ",\"" : "\"") + keys[i] + "\":\"v\"";
        return run(body + "}}}");
    };
    // Keys that differ only past their first eight bytes, or only in length
    // ("a" and "a" followed by U+0000 have the same zero-padded first eight bytes).
    const outcome distinct = attributes({"prefix__b", "prefix__a", "prefix__", "a\\u0000", "a", "a\\u0000\\u0000"});
    INFO(distinct.why);
    REQUIRE(distinct.ok);
    CHECK(distinct.event.participant->attributes.size() == 6);
    CHECK(distinct.event.participant->attributes[3].first == std::string("a\0", 2));
    const outcome repeated_long = attributes({"prefix__b", "prefix__a", "prefix__b"});
    CHECK_FALSE(repeated_long.ok);
    CHECK(repeated_long.why == "participant.attributes: duplicate map key");
    CHECK_FALSE(attributes({"a\\u0000", "a", "a\\u0000"}).ok);
    // One duplicate among many keys out of order, far apart and with the
    // first eight bytes shared by every key.
    for (const std::string& shared : {std::string(), std::string("sharedprefix-")}) {
        std::vector<std::string> keys;
        for (int i = 0; i < 5000; ++i) keys.push_back(shared + std::to_string((i * 7919) % 100003));
        INFO(shared);
        CHECK(attributes(keys).ok);
        keys.push_back(keys[17]);
        CHECK_FALSE(attributes(keys).ok);
        keys.pop_back();
        keys.insert(keys.begin() + 3, keys[4000]);
        CHECK_FALSE(attributes(keys).ok);
    }
}

TEST_CASE("hostile string contents pass through unchanged", "[decode][threat-G21]") {
    const outcome o = run(R"({"participant":{"name":"\u202egnp.exe\u001b[31m\n[ERROR] fake <script>'; DROP"}})");
    REQUIRE(o.ok);
    CHECK(o.event.participant->name == "\xE2\x80\xAEgnp.exe\x1B[31m\n[ERROR] fake <script>'; DROP");
}

TEST_CASE("oneofs accept one member and reject two", "[decode][oneof]") {
    CHECK(malformed(R"({"egressInfo":{"roomComposite":{},"web":{}}})"));
    CHECK(malformed(R"({"egressInfo":{"stream":{},"file":{}}})"));
    CHECK(malformed(R"({"egressInfo":{"roomComposite":{"preset":"H264_720P_30","advanced":{}}}})"));
    CHECK(accepted(R"({"egressInfo":{"roomComposite":{},"file":{}}})"));  // different oneofs
    const outcome two = run(R"({"egressInfo":{"egressId":"EG_x","roomComposite":{"roomName":"a"},"web":{"url":"u"}}})");
    CHECK(two.why == "egressInfo.web: a second member of oneof 'request'");
    // A selected member with a zero value is present.
    const outcome zero = run(R"({"egressInfo":{"roomComposite":{"preset":"H264_720P_30"}}})");
    REQUIRE(zero.ok);
    REQUIRE(zero.event.egress_info->room_composite->preset);
    CHECK(*zero.event.egress_info->room_composite->preset == encoding_options_preset::h264_720p_30);
}

TEST_CASE("every oneof member has explicit presence, which is where the decoder checks oneofs", "[decode][oneof]") {
    // decode_object() tests the oneof of a member only when its label is
    // not singular: a singular oneof member would escape the check.
    std::vector<const detail::message_info*> pending{detail::info_of<webhook_event>()};
    std::vector<const detail::message_info*> visited;
    std::size_t oneof_members = 0;
    while (!pending.empty()) {
        const detail::message_info* info = pending.back();
        pending.pop_back();
        if (std::find(visited.begin(), visited.end(), info) != visited.end()) continue;
        visited.push_back(info);
        for (const detail::field_info& field : *info) {
            if (field.oneof != 0) {
                ++oneof_members;
                INFO(info->proto_name << "." << field.proto_name);
                CHECK(field.label == detail::field_label::optional);
                CHECK(field.oneof <= info->oneof_count);
            }
            if (field.kind == detail::field_kind::message) pending.push_back(field.message());
        }
    }
    CHECK(visited.size() > 50);
    CHECK(oneof_members > 10);
}

TEST_CASE("explicit presence survives decoding: enabled=false is set", "[decode]") {
    const outcome o = run(R"({"ingressInfo":{"enabled":false,"enableTranscoding":true,"reusable":false}})");
    REQUIRE(o.ok);
    REQUIRE(o.event.ingress_info->enabled.has_value());
    CHECK_FALSE(*o.event.ingress_info->enabled);
    CHECK(*o.event.ingress_info->enable_transcoding);
    CHECK(to_json(o.event) == R"({"ingressInfo":{"enableTranscoding":true,"enabled":false}})");
}

TEST_CASE("bodies over the limit are body_too_large", "[decode]") {
    const outcome o = run(R"({"event":"room_started"})", {}, 16);
    CHECK(o.error == errc::body_too_large);
}

TEST_CASE("decoding into the same event again allocates nothing once warm", "[decode][reuse][threat-G23]") {
    const std::string body =
            R"({"event":"participant_joined","room":{"sid":"RM_1","name":"standup","enabledCodecs":[{"mime":"audio/opus"},)"
            R"({"mime":"video/VP8"}]},"participant":{"sid":"PA_1","identity":"a-rather-long-identity-to-defeat-sso",)"
            R"("attributes":{"team":"blue","role":"host"},"tracks":[{"sid":"TR_1","audioFeatures":["TF_STEREO"]}],)"
            R"("permission":{"canPublish":true}},"id":"EV_Hs6YpD2mQx9a","createdAt":"1767260401"})";
    decode_context context;
    webhook_event event;
    REQUIRE(decode(body, event, context));
    REQUIRE(decode(body, event, context));
    const long before = allocations.load();
    for (int i = 0; i < 10; ++i) REQUIRE(decode(body, event, context));
    CHECK(allocations.load() == before);
    // A smaller event in between does not lose the storage either.
    REQUIRE(decode(R"({"event":"room_started"})", event, context));
    CHECK_FALSE(event.participant);
    REQUIRE(decode(body, event, context));
    CHECK(allocations.load() == before);
    CHECK(event.participant->attributes.size() == 2);
}

TEST_CASE("the one-shot decode returns an owning event", "[decode]") {
    auto r = decode(R"({"event":"room_finished","room":{"name":"r"}})");
    REQUIRE(r);
    webhook_event owned = std::move(*r);
    CHECK(owned.room->name == "r");
    diagnosis why;
    CHECK_FALSE(decode("[1]", &why));
    CHECK(!why.empty());
}

TEST_CASE("the decoded event is bounded by 16 x body size + 64 KiB", "[decode][threat-G23]") {
    // Each 3-byte `{},` would become a ~350-byte track_info.
    std::string amplifier = R"({"participant":{"tracks":[)";
    for (int i = 0; i < 5000; ++i) amplifier += i == 0 ? "{}" : ",{}";
    amplifier += "]}}";
    const outcome o = run(amplifier);
    CHECK_FALSE(o.ok);
    CHECK(o.error == errc::malformed_body);
    CHECK(o.why.find("participant.tracks[") == 0);
    CHECK(o.why.find("would exceed") != std::string::npos);
    decode_options unbounded;
    unbounded.memory_factor = 0;
    CHECK(run(amplifier, unbounded).ok);
    // Strings cost their length: a body of long strings fits easily.
    std::string strings = R"({"participant":{"attributes":{)";
    for (int i = 0; i < 200; ++i)
        strings += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":\"" + std::string(500, 'v') + "\"";
    strings += "}}}";
    CHECK(run(strings).ok);
    // A string past the bound is refused at that string, by its path: the
    // room (its struct size) fits within the bound, its name does not.
    const std::string name(100, 'n');
    const std::string body = R"({"room":{"name":")" + name + "\"}}";
    decode_options tight;
    tight.memory_factor = 1;
    tight.memory_base = sizeof(room) + name.size() - body.size() - 1;
    const outcome over = run(body, tight);
    CHECK_FALSE(over.ok);
    CHECK(over.why.find("room.name: the decoded event would exceed") == 0);
    tight.memory_base += 1;
    CHECK(run(body, tight).ok);
}

TEST_CASE("any message type can be decoded on its own", "[decode]") {
    decode_context context;
    egress_info info;
    diagnosis why;
    REQUIRE(decode(R"({"egressId":"EG_1","status":"EGRESS_ACTIVE","streamResults":[{"url":"rtmp://x"}]})", info,
                   context, &why));
    CHECK(info.status == egress_status::egress_active);
    CHECK(info.stream_results[0].url == "rtmp://x");
    CHECK_FALSE(decode(R"({"egressId":5})", info, context, &why));
    CHECK(std::string(why.view()) == "egressId: expected a string, got a number");
}
