// The canonical proto3 JSON encoder.

#include <lkwebhook/decode.hpp>
#include <lkwebhook/encode.hpp>

#include <cmath>
#include <limits>
#include <string>

#include "support/catch.hpp"

using namespace lkwebhook;

TEST_CASE("default values are omitted and an empty event is {}", "[encode]") {
    webhook_event e;
    CHECK(to_json(e) == "{}");
    e.room.emplace();  // set but empty
    CHECK(to_json(e) == R"({"room":{}})");
    e.room->num_participants = 0;
    e.room->metadata = "";
    e.room->active_recording = false;
    CHECK(to_json(e) == R"({"room":{}})");
    e.room->enabled_codecs.emplace_back();
    CHECK(to_json(e) == R"({"room":{"enabledCodecs":[{}]}})");
}

TEST_CASE("scalars use the proto3 JSON forms", "[encode]") {
    webhook_event e;
    e.event = "egress_ended";
    e.created_at = 1767261541;
    e.num_dropped = -3;
    auto& info = e.egress_info.emplace();
    info.status = egress_status::egress_complete;
    info.started_at = std::numeric_limits<std::int64_t>::min();
    info.retry_count = 2;
    info.backup_storage_used = true;
    CHECK(to_json(e) == R"({"event":"egress_ended","egressInfo":{"status":"EGRESS_COMPLETE",)"
                        R"("startedAt":"-9223372036854775808","backupStorageUsed":true,"retryCount":2},)"
                        R"("createdAt":"1767261541","numDropped":-3})");
}

TEST_CASE("unknown enum numbers are written as numbers, also in lists", "[encode][threat-G19]") {
    track_info t;
    t.type = static_cast<track_type>(17);
    t.audio_features.push_back(audio_track_feature::tf_stereo);  // zero is written inside lists
    t.audio_features.push_back(static_cast<audio_track_feature>(99));
    CHECK(to_json(t) == R"({"type":17,"audioFeatures":["TF_STEREO",99]})");
}

TEST_CASE("explicit presence and oneof members are written even when zero", "[encode]") {
    ingress_info i;
    i.enabled = false;
    i.enable_transcoding = false;
    i.reusable = false;
    CHECK(to_json(i) == R"({"enableTranscoding":false,"enabled":false})");
    room_composite_egress_request r;
    r.preset = encoding_options_preset::h264_720p_30;
    CHECK(to_json(r) == R"({"preset":"H264_720P_30"})");
    track_egress_request t;
    t.websocket_url = std::string();
    CHECK(to_json(t) == R"({"websocketUrl":""})");
}

TEST_CASE("maps are written with sorted keys, empty keys and values kept", "[encode][threat-G20]") {
    participant_info p;
    p.attributes.set("team", "blue");
    p.attributes.set("", "x");
    p.attributes.set("role", "");
    CHECK(to_json(p) == R"({"attributes":{"":"x","role":"","team":"blue"}})");
}

TEST_CASE("strings: only quotes, backslashes and control characters are escaped", "[encode][threat-G21]") {
    room r;
    r.name = "a\"b\\c/d\x01\x1f\b\f\n\r\t\x7F caf\xC3\xA9 \xF0\x9F\x8E\x89 <&>";
    CHECK(to_json(r) ==
          "{\"name\":\"a\\\"b\\\\c/d\\u0001\\u001f\\b\\f\\n\\r\\t\x7F caf\xC3\xA9 \xF0\x9F\x8E\x89 <&>\"}");
    // Invalid UTF-8 (only possible in a struct filled by hand) stays valid JSON.
    r.name = "bad\xFF\xC3(\xED\xA0\x80";
    const std::string json = to_json(r);
    CHECK(json == "{\"name\":\"bad\\ufffd\\ufffd(\\ufffd\\ufffd\\ufffd\"}");
    CHECK(decode(std::string(R"({"room":)") + json + "}"));
}

TEST_CASE("doubles round-trip and non-finite values are strings", "[encode][threat-G18]") {
    input_video_state v;
    v.framerate = 29.97;
    CHECK(to_json(v) == R"({"framerate":29.97})");
    v.framerate = 0.1;
    CHECK(to_json(v) == R"({"framerate":0.1})");
    v.framerate = std::numeric_limits<double>::quiet_NaN();
    CHECK(to_json(v) == R"({"framerate":"NaN"})");
    v.framerate = -std::numeric_limits<double>::infinity();
    CHECK(to_json(v) == R"({"framerate":"-Infinity"})");
    v.framerate = 1e21;
    webhook_event e;
    e.ingress_info.emplace().state.emplace().video = v;
    auto back = decode(to_json(e));
    REQUIRE(back);
    CHECK(back->ingress_info->state->video->framerate == 1e21);
}

TEST_CASE("the append form appends and reuses the caller's buffer", "[encode]") {
    webhook_event e;
    e.event = "room_started";
    std::string out = "prefix:";
    out.reserve(256);
    const char* data = out.data();
    to_json(e, out);
    CHECK(out == R"(prefix:{"event":"room_started"})");
    CHECK(out.data() == data);  // no reallocation when the capacity suffices
}

TEST_CASE("a hand-built event encodes and decodes back to itself", "[encode]") {
    webhook_event e;
    e.event = "agent_job_started";
    e.id = "EV_1";
    auto& j = e.job.emplace();
    j.id = "AJ_1";
    j.type = job_type::jt_participant;
    j.participant.emplace().identity = "caller";
    j.state.emplace().status = job_status::js_running;
    j.attributes.set("k", "v");
    j.room.emplace();
    const std::string json = to_json(e);
    CHECK(json == R"({"event":"agent_job_started","job":{"id":"AJ_1","type":"JT_PARTICIPANT","room":{},)"
                  R"("participant":{"identity":"caller"},"state":{"status":"JS_RUNNING"},"attributes":{"k":"v"}},)"
                  R"("id":"EV_1"})");
    auto back = decode(json);
    REQUIRE(back);
    CHECK(*back == e);
}

TEST_CASE("credentials can be redacted for logs", "[encode][threat-G22]") {
    webhook_event e;
    e.room.emplace().turn_password = "turn-secret";
    e.room->name = "r";
    auto& s3 = e.egress_info.emplace().room_composite.emplace().file_outputs.emplace_back().s3.emplace();
    s3.access_key = "AKIA";
    s3.secret = "s3-secret";
    e.ingress_info.emplace().stream_key = "stream-secret";
    const std::string canonical = to_json(e);
    CHECK(canonical.find("turn-secret") != std::string::npos);
    json_options options;
    options.redact_credentials = true;
    const std::string redacted = to_json(e, options);
    CHECK(redacted.find("-secret") == std::string::npos);
    CHECK(redacted.find(R"("secret":"[redacted]")") != std::string::npos);
    CHECK(redacted.find(R"("turnPassword":"[redacted]")") != std::string::npos);
    CHECK(redacted.find(R"("streamKey":"[redacted]")") != std::string::npos);
    CHECK(redacted.find(R"("accessKey":"AKIA")") != std::string::npos);  // key ids are not secrets
    CHECK(redacted.find(R"("name":"r")") != std::string::npos);
    room empty;  // an empty credential stays omitted
    CHECK(to_json(empty, options) == "{}");
}
