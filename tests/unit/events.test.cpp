// The typed event model: names, enums (open), containers that keep their
// storage, and the owning webhook_event.

#include <lkwebhook/detail/schema_traits.hpp>  // the descriptor tables
#include <lkwebhook/events.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>

#include "support/catch.hpp"

using namespace lkwebhook;

TEST_CASE("every LiveKit event name maps to its event_type and back", "[events]") {
    const char* names[] = {"room_started",
                           "room_finished",
                           "participant_joined",
                           "participant_left",
                           "participant_connection_aborted",
                           "track_published",
                           "track_unpublished",
                           "egress_started",
                           "egress_updated",
                           "egress_ended",
                           "ingress_started",
                           "ingress_ended",
                           "agent_job_started",
                           "agent_job_ended"};
    std::size_t i = 1;
    for (const char* name : names) {
        INFO(name);
        const event_type type = event_type_from_name(name);
        CHECK(static_cast<std::size_t>(type) == i++);
        CHECK(to_string(type) == name);
    }
    CHECK(i == event_type_count + 1);
    STATIC_REQUIRE(event_type_from_name("egress_ended") == event_type::egress_ended);
    STATIC_REQUIRE(to_string(event_type::agent_job_ended) == "agent_job_ended");
}

TEST_CASE("unknown event names are event_type::unknown and keep their text", "[events][threat-G11][threat-G12]") {
    CHECK(event_type_from_name("room_updated") == event_type::unknown);
    CHECK(event_type_from_name("") == event_type::unknown);
    CHECK(event_type_from_name("Room_Started") == event_type::unknown);  // case-sensitive
    CHECK(to_string(event_type::unknown).empty());
    webhook_event e;
    e.event = "room_updated";
    CHECK(e.type() == event_type::unknown);
    CHECK(e.event == "room_updated");
    e.event = "track_published";
    CHECK(e.type() == event_type::track_published);
}

TEST_CASE("enums carry proto names and numbers and stay open", "[events][threat-G19]") {
    STATIC_REQUIRE(static_cast<std::int32_t>(egress_status::egress_complete) == 3);
    STATIC_REQUIRE(to_string(egress_status::egress_limit_reached) == "EGRESS_LIMIT_REACHED");
    STATIC_REQUIRE(to_string(participant_info_state::active) == "ACTIVE");
    STATIC_REQUIRE(static_cast<std::int32_t>(participant_info_kind::bridge) == 8);
    STATIC_REQUIRE(enum_from_name<track_source>("SCREEN_SHARE") == track_source::screen_share);
    STATIC_REQUIRE(!enum_from_name<track_source>("screen_share").has_value());  // proto names are exact
    STATIC_REQUIRE(std::is_same_v<std::underlying_type_t<disconnect_reason>, std::int32_t>);
    // A value newer than this schema survives as a number.
    const auto future = static_cast<participant_info_state>(99);
    CHECK(to_string(future).empty());
    CHECK_FALSE(is_known(future));
    CHECK(static_cast<std::int32_t>(future) == 99);
    CHECK(is_known(participant_info_state::joining));
    CHECK(enum_traits<encryption_type>::proto_name == "livekit.Encryption.Type");
    CHECK(enum_traits<video_quality>::info.size == 4);
}

TEST_CASE("the schema covers WebhookEvent with both field spellings", "[events]") {
    const auto& info = message_traits<webhook_event>::info;
    CHECK(info.proto_name == "livekit.WebhookEvent");
    REQUIRE(info.size == 11);
    CHECK(info.fields[3].json_name == "egressInfo");
    CHECK(info.fields[3].proto_name == "egress_info");
    CHECK(info.fields[3].number == 9);
    CHECK(message_traits<egress_info>::info.oneof_count == 2);
    CHECK(message_traits<egress_info>::oneofs[0] == "request");
    // explicit presence: proto3 optional and oneof scalars
    STATIC_REQUIRE(std::is_same_v<decltype(ingress_info::enabled), optional_value<bool>>);
    STATIC_REQUIRE(std::is_same_v<decltype(ingress_info::enable_transcoding), optional_value<bool>>);
    STATIC_REQUIRE(
            std::is_same_v<decltype(room_composite_egress_request::preset), optional_value<encoding_options_preset>>);
    STATIC_REQUIRE(std::is_same_v<decltype(job::participant), optional_message<participant_info>>);
    STATIC_REQUIRE(std::is_same_v<decltype(webhook_event::created_at), std::int64_t>);
    STATIC_REQUIRE(std::is_same_v<decltype(track_info::audio_features), repeated<audio_track_feature>>);
    STATIC_REQUIRE(proto_message<s3_upload>);
    STATIC_REQUIRE(proto_enum<ingress_state_status>);
    STATIC_REQUIRE(!proto_enum<event_type>);
}

TEST_CASE("maps are order-preserving lists, not hash tables", "[events][threat-G20]") {
    STATIC_REQUIRE(std::is_same_v<decltype(participant_info::attributes), string_map>);
    string_map m;
    m.set("team", "blue");
    m.set("role", "host");
    m.set("team", "red");
    REQUIRE(m.size() == 2);
    CHECK(m[0].first == "team");
    CHECK(*m.find("team") == "red");
    CHECK(m.find("missing") == nullptr);
    string_map other;
    other.set("role", "host");
    other.set("team", "red");
    CHECK(m == other);  // map equality ignores order
    other.set("x", "");
    CHECK_FALSE(m == other);
}

TEST_CASE("optional_message keeps its storage across reset and emplace", "[events][reuse]") {
    optional_message<room> r;
    CHECK_FALSE(r.has_value());
    CHECK(r.get() == nullptr);
    room& first = r.emplace();
    first.name.assign(200, 'x');
    first.num_participants = 7;
    const room* address = &first;
    const std::size_t capacity = first.name.capacity();
    r.reset();
    CHECK_FALSE(r);
    room& second = r.emplace();
    CHECK(&second == address);   // same heap block
    CHECK(second.name.empty());  // but cleared
    CHECK(second.name.capacity() == capacity);
    CHECK(second.num_participants == 0);
    CHECK(r->name.empty());
#if LKWEBHOOK_EXCEPTIONS
    optional_message<room> none;
    CHECK_THROWS_AS(none.value(), std::bad_optional_access);
#endif
}

TEST_CASE("repeated reuses its elements after clear", "[events][reuse]") {
    repeated<codec> codecs;
    codecs.emplace_back().mime = "audio/opus";
    codecs.emplace_back().mime = "video/VP8";
    REQUIRE(codecs.size() == 2);
    const codec* first = &codecs[0];
    codecs.clear();
    CHECK(codecs.empty());
    CHECK(codecs.capacity() == 2);
    codec& again = codecs.emplace_back();
    CHECK(&again == first);
    CHECK(again.mime.empty());
    codecs.pop_back();
    CHECK(codecs.empty());
    repeated<std::int32_t> numbers{1, 2, 3};
    CHECK(numbers.size() == 3);
    CHECK(numbers.back() == 3);
}

TEST_CASE("optional_value is present even when it holds a zero value", "[events]") {
    ingress_info info;
    CHECK_FALSE(info.enabled.has_value());
    info.enabled = false;
    CHECK(info.enabled.has_value());
    CHECK_FALSE(*info.enabled);
    CHECK(info.enabled.value_or(true) == false);
    info.enabled.reset();
    CHECK(info.enabled.value_or(true) == true);
}

TEST_CASE("webhook_event owns its data: copies are deep and it moves across threads", "[events][owning]") {
    webhook_event e;
    e.event = "participant_joined";
    e.id = "EV_1";
    auto& p = e.participant.emplace();
    p.identity = "alice";
    p.attributes.set("role", "host");
    p.tracks.emplace_back().sid = "TR_1";
    webhook_event copy = e;
    CHECK(copy == e);
    copy.participant->identity = "bob";
    CHECK(e.participant->identity == "alice");  // deep copy
    CHECK_FALSE(copy == e);

    webhook_event moved_in_thread;
    std::thread worker([event = std::move(e), &moved_in_thread]() mutable { moved_in_thread = std::move(event); });
    worker.join();
    REQUIRE(moved_in_thread.participant);
    CHECK(moved_in_thread.participant->identity == "alice");
    CHECK(moved_in_thread.participant->tracks[0].sid == "TR_1");
    CHECK(moved_in_thread.type() == event_type::participant_joined);
}

TEST_CASE("oneof helpers tell which member is set", "[events][oneof]") {
    egress_info info;
    CHECK(info.which_request() == egress_info::request_case::none);
    info.room_composite.emplace().room_name = "standup";
    CHECK(info.which_request() == egress_info::request_case::room_composite);
    CHECK(static_cast<int>(egress_info::request_case::room_composite) == 4);  // the proto field number
    CHECK(info.which_result() == egress_info::result_case::none);
    room_composite_egress_request request;
    request.preset = encoding_options_preset::h264_720p_30;  // zero value, but selected
    CHECK(request.which_options() == room_composite_egress_request::options_case::preset);
    track_egress_request track;
    track.websocket_url = std::string("wss://x");
    CHECK(track.which_output() == track_egress_request::output_case::websocket_url);
}

namespace {

struct schema_field {
    int number;
    std::string proto, json, type;
};

// Walks the descriptors reachable from WebhookEvent.
void collect(const detail::message_info& info, std::map<std::string, const detail::message_info*>& messages,
             std::map<std::string, const detail::enum_info*>& enums) {
    if (!messages.emplace(std::string(info.proto_name), &info).second) return;
    for (const auto& field : info) {
        if (field.kind == detail::field_kind::message) collect(*field.message(), messages, enums);
        if (field.kind == detail::field_kind::enumeration) {
            enums.emplace(std::string(field.enumeration->proto_name), field.enumeration);
        }
    }
}

std::string kind_name(const detail::field_info& field) {
    switch (field.kind) {
        case detail::field_kind::string: return "string";
        case detail::field_kind::boolean: return "bool";
        case detail::field_kind::int32: return "int32";
        case detail::field_kind::uint32: return "uint32";
        case detail::field_kind::int64: return "int64";
        case detail::field_kind::uint64: return "uint64";
        case detail::field_kind::float64: return "double";
        case detail::field_kind::enumeration: return "enum " + std::string(field.enumeration->proto_name);
        case detail::field_kind::message: return "message " + std::string(field.message()->proto_name);
        case detail::field_kind::map: return "map<string, string>";
    }
    return "?";
}

}  // namespace

TEST_CASE("the compiled schema matches cmake/schema.txt exactly", "[events][schema]") {
    // The generator's input (tests/schema checks that the committed header is
    // its output); this checks the compiled descriptors against it line by line.
    const std::filesystem::path path(LKWEBHOOK_SCHEMA_FILE);
    INFO(path.string());
    std::ifstream in(path);
    REQUIRE(in.good());
    std::map<std::string, const detail::message_info*> messages;
    std::map<std::string, const detail::enum_info*> enums;
    collect(message_traits<webhook_event>::info, messages, enums);

    std::size_t message_count = 0;
    std::size_t enum_count = 0;
    const detail::message_info* message = nullptr;
    const detail::enum_info* enumeration = nullptr;
    std::size_t index = 0;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream words(line);
        if (line.rfind("message ", 0) == 0 || line.rfind("enum ", 0) == 0) {
            std::string keyword, name;
            words >> keyword >> name;
            INFO(name);
            if (message != nullptr) CHECK(index == message->size);
            if (enumeration != nullptr) CHECK(index == enumeration->size);
            message = nullptr;
            enumeration = nullptr;
            index = 0;
            if (keyword == "message") {
                ++message_count;
                REQUIRE(messages.count(name) == 1);
                message = messages[name];
            } else {
                ++enum_count;
                REQUIRE(enums.count(name) == 1);
                enumeration = enums[name];
            }
            continue;
        }
        INFO(line);
        if (enumeration != nullptr) {
            int number = 0;
            std::string name;
            words >> number >> name;
            REQUIRE(index < enumeration->size);
            CHECK(enumeration->values[index].number == number);
            CHECK(enumeration->values[index].name == name);
            ++index;
            continue;
        }
        REQUIRE(message != nullptr);
        schema_field f;
        words >> f.number >> f.proto >> f.json;
        std::string rest;
        std::getline(words, rest);
        REQUIRE(index < message->size);
        const detail::field_info& field = message->fields[index++];
        CHECK(field.number == f.number);
        CHECK(field.proto_name == f.proto);
        CHECK(field.json_name == f.json);
        const bool repeated = rest.find(" repeated") != std::string::npos;
        const bool in_oneof = rest.find(" oneof ") != std::string::npos;
        const bool optional = rest.find(" optional") != std::string::npos;
        CHECK(rest.rfind(" " + kind_name(field), 0) == 0);
        CHECK((field.label == detail::field_label::repeated) == repeated);
        CHECK((field.oneof != 0) == in_oneof);
        if ((in_oneof || optional) && field.kind != detail::field_kind::message) {
            CHECK(field.label == detail::field_label::optional);
        }
    }
    CHECK(message_count == 58);
    CHECK(enum_count == 36);
    CHECK(messages.size() == 58);
    CHECK(enums.size() == 36);
}
