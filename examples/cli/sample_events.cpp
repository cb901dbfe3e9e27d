// Sample events for `lkwebhook send --event`, built as lkwebhook::webhook_event values and
// encoded by the library (see sample_events.hpp).

#include "sample_events.hpp"

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

#include <lkwebhook/encode.hpp>

namespace lkwebhook::cli {

namespace {

// The alphabet of LiveKit's short ids ("shortuuid": digits 2-9, letters without I, O, l).
constexpr std::string_view id_alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

std::string random_id(std::string_view prefix) {
    std::random_device device;
    std::uniform_int_distribution<std::size_t> pick(0, id_alphabet.size() - 1);
    std::string id(prefix);
    for (int i = 0; i < 12; ++i) id.push_back(id_alphabet[pick(device)]);
    return id;
}

// A stable id derived from text, so that repeated sends of "the same" sample event carry the
// same room and participant sids (FNV-1a; any stable mixing would do, this is not security).
std::string derived_id(std::string_view prefix, std::string_view seed) {
    std::uint64_t hash = 0xcbf29ce484222325ULL;
    for (char c : prefix) hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
    for (char c : seed) hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
    std::string id(prefix);
    for (int i = 0; i < 12; ++i) {
        id.push_back(id_alphabet[hash % id_alphabet.size()]);
        hash /= id_alphabet.size();
        hash = hash * 0x9e3779b97f4a7c15ULL + static_cast<std::uint64_t>(i) + 1;  // refill the bits
    }
    return id;
}

constexpr std::int64_t ns_per_s = 1'000'000'000;

// The Room of a self-hosted server: its default codecs and the per-room TURN credential.
room full_room(const sample_options& o, std::int64_t created_at) {
    const std::int64_t creation = o.room_created_at.value_or(created_at);
    room r;
    r.sid = o.room_sid;
    r.name = o.room;
    r.empty_timeout = 300;
    r.departure_timeout = 20;
    r.creation_time = creation;
    r.creation_time_ms = creation * 1000 + 347;
    r.turn_password = derived_id("", o.room_sid + "/turn") + derived_id("", o.room_sid + "/turn2");
    for (std::string_view mime : {"audio/PCMU", "audio/PCMA", "audio/opus", "audio/red", "video/VP8", "video/H264",
                                  "video/VP9", "video/AV1", "video/H265", "video/rtx"}) {
        r.enabled_codecs.emplace_back().mime = std::string{mime};
    }
    r.num_participants = static_cast<std::uint32_t>(o.num_participants);
    return r;
}

track_info sample_track(const sample_options& o) {
    const bool audio = o.track_source == "microphone";
    track_info t;
    t.sid = o.track_sid;
    t.type = audio ? track_type::audio : track_type::video;
    if (!audio) {
        t.width = 1280;
        t.height = 720;
        t.simulcast = true;
    }
    t.source = o.track_source == "camera"         ? track_source::camera
               : o.track_source == "screen_share" ? track_source::screen_share
                                                  : track_source::microphone;
    if (!audio) {
        const struct {
            video_quality quality;
            std::uint32_t width, height, bitrate;
            std::string_view rid;
        } layers[] = {{video_quality::low, 320, 180, 150000, "q"},
                      {video_quality::medium, 640, 360, 500000, "h"},
                      {video_quality::high, 1280, 720, 1700000, "f"}};
        for (const auto& layer : layers) {
            video_layer& l = t.layers.emplace_back();
            l.quality = layer.quality;
            l.width = layer.width;
            l.height = layer.height;
            l.bitrate = layer.bitrate;
            l.rid = std::string{layer.rid};
        }
    }
    t.mime_type = audio ? "audio/red" : "video/VP8";
    t.mid = audio ? "0" : "1";
    simulcast_codec_info& codec = t.codecs.emplace_back();
    codec.mime_type = t.mime_type;
    codec.mid = t.mid;
    t.stream = o.track_source == "screen_share" ? "screen" : "camera";
    if (audio) {
        t.audio_features.push_back(audio_track_feature::tf_auto_gain_control);
        t.audio_features.push_back(audio_track_feature::tf_echo_cancellation);
        t.audio_features.push_back(audio_track_feature::tf_noise_suppression);
    }
    return t;
}

participant_info sample_participant(const sample_options& o, std::string_view event, std::int64_t created_at) {
    const bool joined = event == "participant_joined";
    const bool aborted = event == "participant_connection_aborted";
    const bool track = event.starts_with("track_");
    const std::int64_t joined_at = o.joined_at.value_or(created_at);
    participant_info p;
    p.sid = o.participant_sid;
    p.identity = o.identity;
    p.state = joined || track ? participant_info_state::active : participant_info_state::disconnected;
    if (track && event == "track_published") p.tracks.push_back(sample_track(o));
    p.joined_at = joined_at;
    p.joined_at_ms = joined_at * 1000 + 58;
    p.name = o.name.empty() ? o.identity : o.name;
    p.version = joined ? 2 : 7;
    participant_permission& permission = p.permission.emplace();
    permission.can_subscribe = true;
    permission.can_publish = true;
    permission.can_publish_data = true;
    p.is_publisher = !joined && !aborted;
    if (!joined && !track) {
        p.disconnect_reason = aborted ? disconnect_reason::connection_timeout : disconnect_reason::client_initiated;
    }
    p.client_protocol = 17;
    return p;
}

egress_info sample_egress(const sample_options& o, std::string_view event, std::int64_t created_at) {
    const bool ended = event == "egress_ended";
    const std::int64_t started_ns = (created_at - (ended ? 840 : 0)) * ns_per_s + 123456789;
    const std::int64_t updated_ns = created_at * ns_per_s - 12345679;
    egress_info e;
    e.egress_id = o.egress_id;
    e.room_id = o.room_sid;
    e.room_name = o.room;
    e.status = event == "egress_started"   ? egress_status::egress_starting
               : event == "egress_updated" ? egress_status::egress_active
                                           : egress_status::egress_complete;
    if (event != "egress_started") e.started_at = started_ns;
    if (ended) e.ended_at = updated_ns;
    e.updated_at = updated_ns;
    room_composite_egress_request& request = e.room_composite.emplace();
    request.room_name = o.room;
    request.layout = "speaker";
    encoded_file_output& file = request.file_outputs.emplace_back();
    file.file_type = encoded_file_type::mp4;
    file.filepath = "recordings/{room_name}-{time}.mp4";
    if (ended) {
        file_info& result = e.file_results.emplace_back();
        result.filename = "recordings/" + o.room + ".mp4";
        result.started_at = started_ns;
        result.ended_at = updated_ns;
        result.duration = 840 * ns_per_s - 135802468;
        result.size = 48213377;
        result.location = "https://bucket.s3.amazonaws.com/recordings/" + o.room + ".mp4";
    }
    return e;
}

ingress_info sample_ingress(const sample_options& o, std::string_view event, std::int64_t created_at) {
    const bool started = event == "ingress_started";
    ingress_info in;
    in.ingress_id = o.ingress_id;
    in.name = "studio feed";
    in.stream_key = derived_id("", o.ingress_id + "/key");
    in.url = "rtmp://ingress.example.com/x";
    in.audio.emplace().source = track_source::microphone;
    in.video.emplace().source = track_source::camera;
    in.room_name = o.room;
    in.participant_identity = o.identity;
    in.participant_name = o.name.empty() ? o.identity : o.name;
    in.reusable = true;
    ingress_state& state = in.state.emplace();
    state.status = started ? ingress_state_status::endpoint_publishing : ingress_state_status::endpoint_inactive;
    state.room_id = o.room_sid;
    state.started_at = (created_at - (started ? 0 : 600)) * ns_per_s + 5000;
    if (!started) state.ended_at = created_at * ns_per_s;
    state.updated_at = created_at * ns_per_s;
    state.resource_id = derived_id("", o.ingress_id + "/resource");
    in.enabled = true;  // explicit presence: written although it is the default
    return in;
}

job sample_job(const sample_options& o, std::string_view event, std::int64_t created_at) {
    const bool started = event == "agent_job_started";
    job j;
    j.id = o.job_id;
    j.dispatch_id = derived_id("AD_", o.job_id);
    room& r = j.room.emplace();
    r.sid = o.room_sid;
    r.name = o.room;
    j.agent_name = "voice-agent";
    job_state& state = j.state.emplace();
    state.status = started ? job_status::js_running : job_status::js_success;
    state.started_at = (created_at - (started ? 0 : 600)) * ns_per_s + 42;
    if (!started) state.ended_at = created_at * ns_per_s;
    state.updated_at = created_at * ns_per_s;
    state.participant_identity = "agent-" + o.job_id;
    state.worker_id = derived_id("AW_", o.job_id);
    return j;
}

}  // namespace

webhook_event sample_event(sample_options o, std::int64_t now) {
    const std::int64_t created_at = o.created_at.value_or(now);
    if (o.room_sid.empty()) o.room_sid = derived_id("RM_", o.room);
    if (o.participant_sid.empty()) o.participant_sid = derived_id("PA_", o.room + "/" + o.identity);
    if (o.track_sid.empty()) o.track_sid = derived_id("TR_", o.participant_sid + "/" + o.track_source);
    if (o.egress_id.empty()) o.egress_id = derived_id("EG_", o.room_sid);
    if (o.ingress_id.empty()) o.ingress_id = derived_id("IN_", o.room);
    if (o.job_id.empty()) o.job_id = derived_id("AJ_", o.room_sid);
    if (o.id.empty()) o.id = random_id("EV_");

    const std::string_view event = o.event;
    webhook_event ev;
    ev.event = o.event;
    if (event.starts_with("room_") || event.starts_with("participant_") || event.starts_with("track_")) {
        ev.room = full_room(o, created_at);
    }
    if (event.starts_with("participant_") || event.starts_with("track_")) {
        ev.participant = sample_participant(o, event, created_at);
    }
    if (event.starts_with("track_")) ev.track = sample_track(o);
    if (event.starts_with("egress_")) ev.egress_info = sample_egress(o, event, created_at);
    if (event.starts_with("ingress_")) ev.ingress_info = sample_ingress(o, event, created_at);
    if (event.starts_with("agent_job_")) ev.job = sample_job(o, event, created_at);
    ev.id = o.id;
    ev.created_at = created_at;
    return ev;
}

std::string sample_event_body(const sample_options& o, std::int64_t now) {
    json_options options;
    options.comma_space = o.comma_space;
    return to_json(sample_event(o, now), options);
}

}  // namespace lkwebhook::cli
