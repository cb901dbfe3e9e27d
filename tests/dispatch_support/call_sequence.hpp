#ifndef LKWEBHOOK_TESTS_DISPATCH_SUPPORT_CALL_SEQUENCE_HPP
#define LKWEBHOOK_TESTS_DISPATCH_SUPPORT_CALL_SEQUENCE_HPP

// Realistic signed LiveKit call sequences for the dispatch tests: bodies in
// Go-protojson form (int64 as strings, lowerCamelCase, defaults omitted),
// each signed with signer.hpp exactly as a LiveKit server would.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <lkwebhook/signer.hpp>

namespace lkwebhook_test {

inline constexpr std::string_view api_key = "APIwhExample01";
inline constexpr std::string_view api_secret = "dispatch-test-secret-0123456789abcdef";

struct request {
    std::string name;  // event wire name
    std::string id;
    std::string body;
    std::string authorization;
};

struct participant {
    std::string sid;
    std::string identity;
};

inline std::string event_body(std::string_view event, std::string_view room_name, std::string_view room_sid,
                              std::string_view id, std::int64_t created_at, const participant* p = nullptr,
                              std::string_view extra = {}) {
    std::string b = "{\"event\":\"";
    b += event;
    b += "\",\"room\":{\"sid\":\"";
    b += room_sid;
    b += "\",\"name\":\"";
    b += room_name;
    b += "\",\"emptyTimeout\":300,\"creationTime\":\"1767259800\"}";
    if (p != nullptr) {
        b += ",\"participant\":{\"sid\":\"";
        b += p->sid;
        b += "\",\"identity\":\"";
        b += p->identity;
        b += "\",\"state\":\"ACTIVE\",\"joinedAt\":\"";
        b += std::to_string(created_at);
        b += "\"}";
    }
    b += extra;
    b += ",\"id\":\"";
    b += id;
    b += "\",\"createdAt\":\"";
    b += std::to_string(created_at);
    b += "\"}";
    return b;
}

inline request signed_request(std::string name, std::string id, std::string body,
                              std::string_view secret = api_secret) {
    auto token = lkwebhook::sign(body, api_key, secret);
    return {std::move(name), std::move(id), std::move(body), token ? *token : std::string{}};
}

/// One call in `room`: started, two participants join, a track is
/// published, an unknown future event, both leave, an egress ends, finished.
/// Ids are "<prefix>_<n>"; createdAt grows by one second per event.
inline std::vector<request> call_sequence(std::string_view room, std::string_view prefix = "EV",
                                          std::int64_t t0 = 1767260400) {
    const std::string sid = "RM_" + std::string{room};
    const participant alice{"PA_alice_" + std::string{room}, "alice@example.com"};
    const participant bob{"PA_bob_" + std::string{room}, "bob@example.com"};
    std::vector<request> out;
    int n = 0;
    const auto add = [&](std::string_view event, const participant* p, std::string_view extra = {}) {
        const std::string id = std::string{prefix} + "_" + std::to_string(n);
        out.push_back(signed_request(std::string{event}, id, event_body(event, room, sid, id, t0 + n, p, extra)));
        ++n;
    };
    add("room_started", nullptr);
    add("participant_joined", &alice);
    add("participant_joined", &bob);
    add("track_published", &alice, ",\"track\":{\"sid\":\"TR_a\",\"source\":\"MICROPHONE\"}");
    add("room_updated", nullptr);  // a type this library does not know
    add("participant_left", &bob);
    add("participant_left", &alice);
    add("egress_ended", nullptr, ",\"egressInfo\":{\"egressId\":\"EG_1\",\"status\":\"EGRESS_COMPLETE\"}");
    add("room_finished", nullptr);
    return out;
}

}  // namespace lkwebhook_test

#endif
