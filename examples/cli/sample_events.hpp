#ifndef LKWEBHOOK_EXAMPLES_CLI_SAMPLE_EVENTS_HPP
#define LKWEBHOOK_EXAMPLES_CLI_SAMPLE_EVENTS_HPP

// Sample events for `lkwebhook send --event`: one realistic lkwebhook::webhook_event per LiveKit
// webhook event type, shaped as LiveKit's server sends that type (the same top-level members as
// the *_server_style vectors in tests/vectors/data: room, participant and track events carry
// `room`; egress, ingress and agent-job events do not, their room is egressInfo.roomName,
// ingressInfo.roomName and job.room.name). The body is the library's encoder output
// (lkwebhook::to_json), with LiveKit's ", " separators on request.

#include <cstdint>
#include <optional>
#include <string>

#include <lkwebhook/events.hpp>

namespace lkwebhook::cli {

/// What a sample event is made of; empty ids and unset times are derived or defaulted.
struct sample_options {
    std::string event;
    std::string room = "demo-room";
    std::string room_sid;
    std::optional<std::int64_t> room_created_at;
    std::int64_t num_participants = 0;
    std::string identity = "alice";
    std::string participant_sid;
    std::string name;
    std::optional<std::int64_t> joined_at;
    std::string track_sid;
    std::string track_source = "microphone";
    std::string egress_id;
    std::string ingress_id;
    std::string job_id;
    std::string id;
    std::optional<std::int64_t> created_at;
    bool comma_space = false;
};

/// The sample event `o.event` at time `now` (o.event must name a LiveKit event type). Without
/// o.id every call gets a fresh random EV_ id; with it, the same options give the same event.
[[nodiscard]] webhook_event sample_event(sample_options o, std::int64_t now);

/// sample_event() encoded as the request body.
[[nodiscard]] std::string sample_event_body(const sample_options& o, std::int64_t now);

}  // namespace lkwebhook::cli

#endif  // LKWEBHOOK_EXAMPLES_CLI_SAMPLE_EVENTS_HPP
