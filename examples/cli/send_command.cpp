// `lkwebhook send`: deliver a webhook to a URL exactly as a LiveKit server does, so that an
// endpoint can be tested without a LiveKit server and "webhook never fires" problems can be
// reproduced locally.
//
// What "exactly" means (tests/vectors/wire-format.md sections 2 and 5):
//   - POST with the body bytes unchanged, `Authorization: <jwt>` (no Bearer),
//     `Content-Type: application/webhook+json`, `User-Agent: LiveKit`, `Accept-Encoding: gzip`;
//   - one token per send, reused unchanged by every retry (retries re-send the same request);
//   - go-retryablehttp's policy: up to 5 attempts, retry on connection errors, 429 and 5xx
//     except 501, waits of 1 s, 2 s, 4 s, 8 s (1 s * 2^n, capped at 30 s), or the Retry-After
//     of a 429/503 answer; any other status is final. Redirects are not followed: LiveKit's Go
//     client would turn a 301/302/303 into a body-less GET, so the tool reports them instead.
//
// Sample events (--event) are written the way the server's Go protojson writes them: compact,
// lowerCamelCase, fields in .proto declaration order, 64-bit integers as strings, enums as names,
// default values left out, optionally with the ", " separator some server builds use.
//
// Plain http:// only: the tool speaks HTTP/1.1 over a POSIX socket and needs no library beyond
// lkwebhook itself. Test TLS endpoints through the terminator's plain-HTTP side.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <lkwebhook/events.hpp>
#include <lkwebhook/signer.hpp>

#include "commands.hpp"

namespace lkwebhook::cli {

namespace {

constexpr std::string_view send_usage =
        "usage: lkwebhook send [options] URL\n"
        "\n"
        "POSTs a webhook to URL (http:// only) exactly as a LiveKit server does: the raw body,\n"
        "`Authorization: <jwt>` (no Bearer), `Content-Type: application/webhook+json`,\n"
        "`User-Agent: LiveKit`; retries on connection errors, 429 and 5xx (not 501) with LiveKit's\n"
        "backoff (1 s, 2 s, 4 s, 8 s; 5 attempts), honouring Retry-After; prints every attempt.\n"
        "\n"
        "Body (exactly one):\n"
        "  --body FILE              send the exact bytes of FILE ('-' reads standard input)\n"
        "  --event NAME             send a realistic sample event: room_started, room_finished,\n"
        "                           participant_joined, participant_left, participant_connection_aborted,\n"
        "                           track_published, track_unpublished, egress_started, egress_updated,\n"
        "                           egress_ended, ingress_started, ingress_ended, agent_job_started,\n"
        "                           agent_job_ended\n"
        "Sample event fields (all optional):\n"
        "  --room NAME              room name (default demo-room)\n"
        "  --room-sid SID           room sid (default derived from the room name)\n"
        "  --room-created-at UNIX   room creation time (default: the event time)\n"
        "  --num-participants N     room.numParticipants\n"
        "  --identity ID            participant identity (default alice)\n"
        "  --participant-sid SID    participant sid (default derived from identity and room)\n"
        "  --name TEXT              participant display name (default: the identity)\n"
        "  --joined-at UNIX         participant joinedAt (default: the event time)\n"
        "  --track-sid SID          track sid (default derived)\n"
        "  --track-source SOURCE    microphone (default), camera or screen_share\n"
        "  --egress-id ID, --ingress-id ID, --job-id ID\n"
        "  --id EV_ID               event id (default: a fresh random EV_ id)\n"
        "  --created-at UNIX        event createdAt (default: now)\n"
        "  --comma-space            write \", \" between members, as some server builds do\n"
        "Signing:\n"
        "  --api-key KEY            default $LIVEKIT_API_KEY\n"
        "  --api-secret SECRET      default $LIVEKIT_API_SECRET\n"
        "  --now UNIX               signing time (default: the current time)\n"
        "  --valid-for SECONDS      token lifetime (default 300, as LiveKit)\n"
        "  --authorization VALUE    send VALUE verbatim instead of signing (replay a captured request)\n"
        "  --no-authorization       send no Authorization header at all\n"
        "Delivery:\n"
        "  --attempts N             attempts in total (default 5, as LiveKit)\n"
        "  --backoff-scale F        multiply every wait by F (default 1; e.g. 0.01 in tests)\n"
        "  --timeout SECONDS        connect and response timeout per attempt (default 10)\n"
        "  --save-body FILE         also write the exact body bytes to FILE\n"
        "  --dry-run                print the request instead of sending it (URL may be omitted)\n"
        "  --quiet                  print only the final result line\n"
        "\n"
        "Output: one line per attempt (`attempt N/M: ...`) and a final `result: ...` line.\n"
        "Exit status: 0 when the endpoint answered 2xx, 1 otherwise, 2 on usage errors.\n";

// ---------------------------------------------------------------------------------------------
// Small helpers

bool parse_int64(std::string_view text, std::int64_t& out) {
    if (text.empty()) return false;
    const char* first = text.data();
    const char* last = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(first, last, out);
    return ec == std::errc{} && ptr == last;
}

bool parse_double(const std::string& text, double& out) {
    if (text.empty()) return false;
    char* end = nullptr;
    errno = 0;
    out = std::strtod(text.c_str(), &end);
    return errno == 0 && end == text.c_str() + text.size() && std::isfinite(out);
}

std::optional<std::string> read_all(const std::string& path) {
    if (path == "-") {
        std::string data{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
        if (std::cin.bad()) return std::nullopt;
        return data;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::string data{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (in.bad()) return std::nullopt;
    return data;
}

std::string env_or_empty(const char* name) {
    const char* value = std::getenv(name);
    return value != nullptr ? std::string(value) : std::string();
}

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
}

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

// ---------------------------------------------------------------------------------------------
// Go protojson-style writer: compact, optional ", " separator, Go's string escaping.

class json_writer {
public:
    explicit json_writer(bool comma_space) : comma_space_(comma_space) {}

    void begin_object() {
        separate();
        out_.push_back('{');
        first_ = true;
    }
    void end_object() {
        out_.push_back('}');
        first_ = false;
    }
    void begin_array() {
        separate();
        out_.push_back('[');
        first_ = true;
    }
    void end_array() {
        out_.push_back(']');
        first_ = false;
    }
    // Starts a member; the value call that follows must not add a separator.
    void key(std::string_view name) {
        separate();
        write_string(name);
        out_.push_back(':');
        first_ = true;  // suppress the separator before the value
    }
    void string_value(std::string_view value) {
        separate();
        write_string(value);
    }
    void raw_value(std::string_view literal) {
        separate();
        out_.append(literal);
    }

    // Members that Go protojson writes only when not the default value.
    void member(std::string_view name, std::string_view value) {
        if (value.empty()) return;
        key(name);
        string_value(value);
    }
    void member_int64(std::string_view name, std::int64_t value) {  // 64-bit: a JSON string
        if (value == 0) return;
        key(name);
        string_value(std::to_string(value));
    }
    void member_int32(std::string_view name, std::int64_t value) {  // 32-bit: a JSON number
        if (value == 0) return;
        key(name);
        raw_value(std::to_string(value));
    }
    void member_bool(std::string_view name, bool value) {
        if (!value) return;
        key(name);
        raw_value("true");
    }
    void member_enum(std::string_view name, std::string_view value_name) {  // empty = the zero value
        member(name, value_name);
    }

    [[nodiscard]] std::string take() { return std::move(out_); }

private:
    void separate() {
        if (first_) {
            first_ = false;
            return;
        }
        out_.append(comma_space_ ? ", " : ",");
    }
    // Go's protojson escaping: `"` and `\`, control characters as \b \f \n \r \t or \u00xx
    // (lower-case hex); everything else, including non-ASCII UTF-8, raw.
    void write_string(std::string_view text) {
        out_.push_back('"');
        for (char c : text) {
            const auto byte = static_cast<unsigned char>(c);
            switch (c) {
                case '"': out_.append("\\\""); break;
                case '\\': out_.append("\\\\"); break;
                case '\b': out_.append("\\b"); break;
                case '\f': out_.append("\\f"); break;
                case '\n': out_.append("\\n"); break;
                case '\r': out_.append("\\r"); break;
                case '\t': out_.append("\\t"); break;
                default:
                    if (byte < 0x20) {
                        constexpr char hex[] = "0123456789abcdef";
                        out_.append("\\u00");
                        out_.push_back(hex[byte >> 4]);
                        out_.push_back(hex[byte & 0xF]);
                    } else {
                        out_.push_back(c);
                    }
            }
        }
        out_.push_back('"');
    }

    std::string out_;
    bool comma_space_;
    bool first_ = true;
};

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

// The room as room_* and participant_* events carry it: the full Room of a self-hosted server
// (its ten default codecs, the per-room TURN credential).
void write_full_room(json_writer& w, const sample_options& o, std::int64_t created_at) {
    const std::int64_t creation = o.room_created_at.value_or(created_at);
    w.key("room");
    w.begin_object();
    w.member("sid", o.room_sid);
    w.member("name", o.room);
    w.member_int32("emptyTimeout", 300);
    w.member_int32("departureTimeout", 20);
    w.member_int64("creationTime", creation);
    w.member_int64("creationTimeMs", creation * 1000 + 347);
    w.member("turnPassword", derived_id("", o.room_sid + "/turn") + derived_id("", o.room_sid + "/turn2"));
    w.key("enabledCodecs");
    w.begin_array();
    for (std::string_view mime : {"audio/PCMU", "audio/PCMA", "audio/opus", "audio/red", "video/VP8", "video/H264",
                                  "video/VP9", "video/AV1", "video/H265", "video/rtx"}) {
        w.begin_object();
        w.member("mime", mime);
        w.end_object();
    }
    w.end_array();
    w.member_int32("numParticipants", o.num_participants);
    w.end_object();
}

void write_room_stub(json_writer& w, const sample_options& o) {
    w.key("room");
    w.begin_object();
    w.member("sid", o.room_sid);
    w.member("name", o.room);
    w.end_object();
}

std::string_view track_source_enum(std::string_view source) {
    if (source == "camera") return "CAMERA";
    if (source == "screen_share") return "SCREEN_SHARE";
    return "MICROPHONE";
}

void write_track(json_writer& w, const sample_options& o) {
    const bool audio = o.track_source == "microphone";
    w.begin_object();
    w.member("sid", o.track_sid);
    w.member_enum("type", audio ? "" : "VIDEO");  // AUDIO is the zero value: left out
    if (!audio) {
        w.member_int32("width", 1280);
        w.member_int32("height", 720);
        w.member_bool("simulcast", true);
    }
    w.member_enum("source", track_source_enum(o.track_source));
    if (!audio) {
        w.key("layers");
        w.begin_array();
        const struct {
            std::string_view quality;
            int width, height, bitrate;
            std::string_view rid;
        } layers[] = {
                {"", 320, 180, 150000, "q"}, {"MEDIUM", 640, 360, 500000, "h"}, {"HIGH", 1280, 720, 1700000, "f"}};
        for (const auto& layer : layers) {
            w.begin_object();
            w.member_enum("quality", layer.quality);
            w.member_int32("width", layer.width);
            w.member_int32("height", layer.height);
            w.member_int32("bitrate", layer.bitrate);
            w.member("rid", layer.rid);
            w.end_object();
        }
        w.end_array();
    }
    const std::string_view mime = audio ? "audio/red" : "video/VP8";
    const std::string_view mid = audio ? "0" : "1";
    w.member("mimeType", mime);
    w.member("mid", mid);
    w.key("codecs");
    w.begin_array();
    w.begin_object();
    w.member("mimeType", mime);
    w.member("mid", mid);
    w.end_object();
    w.end_array();
    w.member("stream", o.track_source == "screen_share" ? "screen" : "camera");
    if (audio) {
        w.key("audioFeatures");
        w.begin_array();
        for (std::string_view feature : {"TF_AUTO_GAIN_CONTROL", "TF_ECHO_CANCELLATION", "TF_NOISE_SUPPRESSION"}) {
            w.string_value(feature);
        }
        w.end_array();
    }
    w.end_object();
}

void write_participant(json_writer& w, const sample_options& o, std::string_view event, std::int64_t created_at) {
    const bool joined = event == "participant_joined";
    const bool aborted = event == "participant_connection_aborted";
    const std::int64_t joined_at = o.joined_at.value_or(created_at);
    w.key("participant");
    w.begin_object();
    w.member("sid", o.participant_sid);
    w.member("identity", o.identity);
    w.member_enum("state", joined ? "ACTIVE" : "DISCONNECTED");
    w.member_int64("joinedAt", joined_at);
    w.member_int64("joinedAtMs", joined_at * 1000 + 58);
    w.member("name", o.name.empty() ? o.identity : o.name);
    w.member_int32("version", joined ? 2 : 7);
    w.key("permission");
    w.begin_object();
    w.member_bool("canSubscribe", true);
    w.member_bool("canPublish", true);
    w.member_bool("canPublishData", true);
    w.end_object();
    w.member_bool("isPublisher", !joined && !aborted);
    w.member_enum("disconnectReason", joined ? "" : (aborted ? "CONNECTION_TIMEOUT" : "CLIENT_INITIATED"));
    w.member_int32("clientProtocol", 17);
    w.end_object();
}

void write_egress(json_writer& w, const sample_options& o, std::string_view event, std::int64_t created_at) {
    const std::int64_t started_ns = (created_at - (event == "egress_ended" ? 840 : 0)) * 1000000000LL + 123456789;
    w.key("egressInfo");
    w.begin_object();
    w.member("egressId", o.egress_id);
    w.member("roomId", o.room_sid);
    w.member("roomName", o.room);
    if (event == "egress_updated") w.member_enum("status", "EGRESS_ACTIVE");
    if (event == "egress_ended") w.member_enum("status", "EGRESS_COMPLETE");
    if (event != "egress_started") w.member_int64("startedAt", started_ns);
    if (event == "egress_ended") w.member_int64("endedAt", created_at * 1000000000LL - 12345679);
    w.member_int64("updatedAt", created_at * 1000000000LL - 12345679);
    w.key("roomComposite");
    w.begin_object();
    w.member("roomName", o.room);
    w.member("layout", "speaker");
    w.key("fileOutputs");
    w.begin_array();
    w.begin_object();
    w.member_enum("fileType", "MP4");
    w.member("filepath", "recordings/{room_name}-{time}.mp4");
    w.end_object();
    w.end_array();
    w.end_object();
    if (event == "egress_ended") {
        w.key("fileResults");
        w.begin_array();
        w.begin_object();
        w.member("filename", "recordings/" + o.room + ".mp4");
        w.member_int64("startedAt", started_ns);
        w.member_int64("endedAt", created_at * 1000000000LL - 12345679);
        w.member_int64("duration", 840LL * 1000000000LL - 135802468);
        w.member_int64("size", 48213377);
        w.member("location", "https://bucket.s3.amazonaws.com/recordings/" + o.room + ".mp4");
        w.end_object();
        w.end_array();
    }
    w.end_object();
}

void write_ingress(json_writer& w, const sample_options& o, std::string_view event, std::int64_t created_at) {
    const bool started = event == "ingress_started";
    w.key("ingressInfo");
    w.begin_object();
    w.member("ingressId", o.ingress_id);
    w.member("name", "studio feed");
    w.member("streamKey", derived_id("", o.ingress_id + "/key"));
    w.member("url", "rtmp://ingress.example.com/x");
    w.key("audio");
    w.begin_object();
    w.member_enum("source", "MICROPHONE");
    w.end_object();
    w.key("video");
    w.begin_object();
    w.member_enum("source", "CAMERA");
    w.end_object();
    w.member("roomName", o.room);
    w.member("participantIdentity", o.identity);
    w.member("participantName", o.name.empty() ? o.identity : o.name);
    w.member_bool("reusable", true);
    w.key("state");
    w.begin_object();
    w.member_enum("status", started ? "ENDPOINT_PUBLISHING" : "");  // ENDPOINT_INACTIVE is the zero value
    w.member("roomId", o.room_sid);
    w.member_int64("startedAt", (created_at - (started ? 0 : 600)) * 1000000000LL + 5000);
    if (!started) w.member_int64("endedAt", created_at * 1000000000LL);
    w.member_int64("updatedAt", created_at * 1000000000LL);
    w.member("resourceId", derived_id("", o.ingress_id + "/resource"));
    w.end_object();
    w.key("enabled");  // explicit presence: written even though it is the default
    w.raw_value("true");
    w.end_object();
}

void write_job(json_writer& w, const sample_options& o, std::string_view event, std::int64_t created_at) {
    const bool started = event == "agent_job_started";
    w.key("job");
    w.begin_object();
    w.member("id", o.job_id);
    w.member("dispatchId", derived_id("AD_", o.job_id));
    w.key("room");
    w.begin_object();
    w.member("sid", o.room_sid);
    w.member("name", o.room);
    w.end_object();
    w.member("agentName", "voice-agent");
    w.key("state");
    w.begin_object();
    w.member_enum("status", started ? "JS_RUNNING" : "JS_SUCCESS");
    w.member_int64("startedAt", (created_at - (started ? 0 : 600)) * 1000000000LL + 42);
    if (!started) w.member_int64("endedAt", created_at * 1000000000LL);
    w.member_int64("updatedAt", created_at * 1000000000LL);
    w.member("participantIdentity", "agent-" + o.job_id);
    w.member("workerId", derived_id("AW_", o.job_id));
    w.end_object();
    w.end_object();
}

std::string sample_event_body(sample_options o, std::int64_t now) {
    const std::int64_t created_at = o.created_at.value_or(now);
    if (o.room_sid.empty()) o.room_sid = derived_id("RM_", o.room);
    if (o.participant_sid.empty()) o.participant_sid = derived_id("PA_", o.room + "/" + o.identity);
    if (o.track_sid.empty()) o.track_sid = derived_id("TR_", o.participant_sid + "/" + o.track_source);
    if (o.egress_id.empty()) o.egress_id = derived_id("EG_", o.room_sid);
    if (o.ingress_id.empty()) o.ingress_id = derived_id("IN_", o.room);
    if (o.job_id.empty()) o.job_id = derived_id("AJ_", o.room_sid);
    if (o.id.empty()) o.id = random_id("EV_");

    const std::string_view event = o.event;
    json_writer w(o.comma_space);
    w.begin_object();
    w.member("event", event);
    if (event.starts_with("room_") || event.starts_with("participant_")) {
        write_full_room(w, o, created_at);
    } else if (event.starts_with("track_") || event.starts_with("egress_")) {
        write_room_stub(w, o);
    } else if (event.starts_with("ingress_")) {
        w.key("room");
        w.begin_object();
        w.member("name", o.room);
        w.end_object();
    }
    if (event.starts_with("participant_")) write_participant(w, o, event, created_at);
    if (event.starts_with("track_")) {
        w.key("participant");
        w.begin_object();
        w.member("sid", o.participant_sid);
        w.member("identity", o.identity);
        w.end_object();
    }
    if (event.starts_with("egress_")) write_egress(w, o, event, created_at);
    if (event.starts_with("ingress_")) write_ingress(w, o, event, created_at);
    if (event.starts_with("track_")) {
        w.key("track");
        write_track(w, o);
    }
    w.member("id", o.id);
    w.member_int64("createdAt", created_at);
    if (event.starts_with("agent_job_")) write_job(w, o, event, created_at);
    w.end_object();
    return w.take();
}

// ---------------------------------------------------------------------------------------------
// The HTTP/1.1 client

struct url_parts {
    std::string host;    // without brackets
    std::string port;    // decimal
    std::string target;  // path and query, at least "/"
    std::string host_header;
};

std::optional<url_parts> parse_url(std::string_view url, std::string& why) {
    constexpr std::string_view scheme = "http://";
    if (url.substr(0, 8) == "https://") {
        why = "https:// is not supported by `lkwebhook send`; use the plain-HTTP side of your TLS terminator";
        return std::nullopt;
    }
    if (url.substr(0, scheme.size()) != scheme) {
        why = "the URL must start with http://";
        return std::nullopt;
    }
    url.remove_prefix(scheme.size());
    const auto slash = url.find_first_of("/?#");
    std::string_view authority = url.substr(0, slash);
    std::string_view rest = slash == std::string_view::npos ? std::string_view{} : url.substr(slash);
    if (const auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
    if (authority.find('@') != std::string_view::npos) {
        why = "user information in the URL is not supported";
        return std::nullopt;
    }
    url_parts parts;
    parts.host_header = std::string(authority);
    std::string_view port = "80";
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) {
            why = "unterminated IPv6 address in the URL";
            return std::nullopt;
        }
        parts.host = std::string(authority.substr(1, close - 1));
        if (close + 1 < authority.size()) {
            if (authority[close + 1] != ':') {
                why = "malformed authority in the URL";
                return std::nullopt;
            }
            port = authority.substr(close + 2);
        }
    } else {
        const auto colon = authority.rfind(':');
        parts.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) port = authority.substr(colon + 1);
    }
    std::int64_t port_number = 0;
    if (parts.host.empty() || !parse_int64(port, port_number) || port_number < 1 || port_number > 65535) {
        why = "the URL needs a host and a port between 1 and 65535";
        return std::nullopt;
    }
    parts.port = std::string(port);
    parts.target = rest.empty() ? std::string("/") : std::string(rest);
    if (parts.target.front() == '?') parts.target.insert(parts.target.begin(), '/');
    return parts;
}

class socket_handle {
public:
    socket_handle() = default;
    explicit socket_handle(int fd) : fd_(fd) {}
    socket_handle(const socket_handle&) = delete;
    socket_handle& operator=(const socket_handle&) = delete;
    socket_handle(socket_handle&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    socket_handle& operator=(socket_handle&& other) noexcept {
        if (this != &other) {
            reset();
            fd_ = std::exchange(other.fd_, -1);
        }
        return *this;
    }
    ~socket_handle() { reset(); }
    [[nodiscard]] int get() const noexcept { return fd_; }
    void reset() noexcept {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

private:
    int fd_ = -1;
};

using steady = std::chrono::steady_clock;

int remaining_ms(steady::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now()).count();
    return left <= 0 ? 0 : static_cast<int>(std::min<long long>(left, 1 << 30));
}

bool wait_for(int fd, short events, steady::time_point deadline) {
    for (;;) {
        pollfd p{fd, events, 0};
        const int ready = ::poll(&p, 1, remaining_ms(deadline));
        if (ready > 0) return true;
        if (ready == 0) return false;
        if (errno != EINTR) return false;
    }
}

// Connects to the first address that answers; `why` explains a failure.
socket_handle connect_to(const url_parts& url, steady::time_point deadline, std::string& why) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (const int rc = ::getaddrinfo(url.host.c_str(), url.port.c_str(), &hints, &found); rc != 0) {
        why = std::string("cannot resolve ") + url.host + ": " + ::gai_strerror(rc);
        return {};
    }
    std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses(found, &::freeaddrinfo);
    why = "no address to connect to";
    for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
        socket_handle s(::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol));
        if (s.get() < 0) {
            why = std::string("socket: ") + std::strerror(errno);
            continue;
        }
        if (::connect(s.get(), a->ai_addr, a->ai_addrlen) != 0) {
            if (errno != EINPROGRESS) {
                why = std::string("connect: ") + std::strerror(errno);
                continue;
            }
            if (!wait_for(s.get(), POLLOUT, deadline)) {
                why = "connect: timed out";
                continue;
            }
            int error = 0;
            socklen_t length = sizeof error;
            ::getsockopt(s.get(), SOL_SOCKET, SO_ERROR, &error, &length);
            if (error != 0) {
                why = std::string("connect: ") + std::strerror(error);
                continue;
            }
        }
        const int one = 1;
        ::setsockopt(s.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        return s;
    }
    return {};
}

bool send_all(int fd, std::string_view data, steady::time_point deadline, std::string& why) {
    while (!data.empty()) {
        const ssize_t sent = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (sent > 0) {
            data.remove_prefix(static_cast<std::size_t>(sent));
            continue;
        }
        if (sent < 0 && errno == EINTR) continue;
        if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!wait_for(fd, POLLOUT, deadline)) {
                why = "send: timed out";
                return false;
            }
            continue;
        }
        why = std::string("send: ") + std::strerror(errno);
        return false;
    }
    return true;
}

struct http_response {
    int status = 0;
    std::string reason;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;  // at most a few KiB are kept

    [[nodiscard]] std::optional<std::string_view> header(std::string_view name) const {
        for (const auto& [key, value] : headers) {
            if (key.size() == name.size() && std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) {
                    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
                })) {
                return std::string_view(value);
            }
        }
        return std::nullopt;
    }
};

// Reads from the socket into `buffer` until `enough(buffer)` holds, EOF, or the deadline.
class response_reader {
public:
    response_reader(int fd, steady::time_point deadline) : fd_(fd), deadline_(deadline) {}

    // Appends what arrives; false on EOF, timeout or error.
    bool fill(std::string& why) {
        char chunk[4096];
        for (;;) {
            const ssize_t got = ::recv(fd_, chunk, sizeof chunk, 0);
            if (got > 0) {
                buffer_.append(chunk, static_cast<std::size_t>(got));
                return true;
            }
            if (got == 0) {
                eof_ = true;
                why = "the connection was closed";
                return false;
            }
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                if (!wait_for(fd_, POLLIN, deadline_)) {
                    why = "timed out waiting for the response";
                    return false;
                }
                continue;
            }
            why = std::string("recv: ") + std::strerror(errno);
            return false;
        }
    }
    std::string& buffer() { return buffer_; }
    [[nodiscard]] bool eof() const { return eof_; }

private:
    int fd_;
    steady::time_point deadline_;
    std::string buffer_;
    bool eof_ = false;
};

constexpr std::size_t max_response_head = 64 * 1024;
constexpr std::size_t max_kept_body = 4 * 1024;
constexpr std::size_t max_read_body = 1024 * 1024;

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
    return text;
}

// Reads the status line, the headers and (bounded) the body of one response.
bool read_response(int fd, steady::time_point deadline, http_response& response, std::string& why) {
    response_reader reader(fd, deadline);
    std::string& buf = reader.buffer();
    std::size_t head_end = std::string::npos;
    while ((head_end = buf.find("\r\n\r\n")) == std::string::npos) {
        if (buf.size() > max_response_head) {
            why = "the response headers are too large";
            return false;
        }
        if (!reader.fill(why)) {
            if (reader.eof())
                why = buf.empty() ? "the server closed the connection without answering"
                                  : "the server closed the connection mid-response";
            return false;
        }
    }
    std::string_view head(buf.data(), head_end);
    const auto line_end = head.find("\r\n");
    const std::string_view status_line = head.substr(0, line_end);
    // "HTTP/1.1 200 OK"
    if (status_line.substr(0, 5) != "HTTP/" || status_line.size() < 12 || status_line[8] != ' ') {
        why = "the answer is not an HTTP/1.x response";
        return false;
    }
    std::int64_t status = 0;
    if (!parse_int64(status_line.substr(9, 3), status) || status < 100 || status > 999) {
        why = "the response has no valid status code";
        return false;
    }
    response.status = static_cast<int>(status);
    response.reason = std::string(trim(status_line.size() > 12 ? status_line.substr(13) : std::string_view{}));
    std::string_view rest = line_end == std::string_view::npos ? std::string_view{} : head.substr(line_end + 2);
    while (!rest.empty()) {
        const auto eol = rest.find("\r\n");
        const std::string_view line = rest.substr(0, eol);
        rest = eol == std::string_view::npos ? std::string_view{} : rest.substr(eol + 2);
        const auto colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        response.headers.emplace_back(std::string(trim(line.substr(0, colon))),
                                      std::string(trim(line.substr(colon + 1))));
    }
    std::string body = buf.substr(head_end + 4);
    buf.clear();

    // The body is read only so that the server sees a well-behaved client; it is bounded and
    // only its beginning is kept for display.
    const bool no_body = response.status == 204 || response.status == 304 || response.status < 200;
    const auto keep = [&](std::string_view data) {
        if (response.body.size() < max_kept_body)
            response.body.append(data.substr(0, max_kept_body - response.body.size()));
    };
    if (no_body) return true;
    if (auto te = response.header("Transfer-Encoding"); te && te->find("chunked") != std::string_view::npos) {
        std::string pending = std::move(body);
        std::size_t total = 0;
        for (;;) {
            std::size_t eol;
            while ((eol = pending.find("\r\n")) == std::string::npos) {
                if (!reader.fill(why)) return true;  // status already known; a short body is not fatal
                pending += buf;
                buf.clear();
            }
            std::size_t size = 0;
            const std::string_view size_text = std::string_view(pending).substr(0, eol);
            auto [ptr, ec] = std::from_chars(size_text.data(), size_text.data() + size_text.size(), size, 16);
            if (ec != std::errc{} || size == 0 || total + size > max_read_body) return true;
            (void)ptr;
            while (pending.size() < eol + 2 + size + 2) {
                if (!reader.fill(why)) return true;
                pending += buf;
                buf.clear();
            }
            keep(std::string_view(pending).substr(eol + 2, size));
            total += size;
            pending.erase(0, eol + 2 + size + 2);
        }
    }
    std::int64_t length = -1;
    if (auto cl = response.header("Content-Length")) {
        if (!parse_int64(*cl, length) || length < 0) length = -1;
    }
    const std::size_t want =
            length >= 0 ? std::min<std::size_t>(static_cast<std::size_t>(length), max_read_body) : max_read_body;
    keep(body);
    std::size_t got = body.size();
    while (got < want) {
        if (!reader.fill(why)) break;  // EOF ends a body without Content-Length
        got += buf.size();
        keep(buf);
        buf.clear();
    }
    return true;
}

struct attempt_result {
    bool responded = false;  // false: a connection-level failure
    http_response response;
    std::string error;  // when !responded
};

attempt_result post_once(const url_parts& url, std::string_view body, const std::optional<std::string>& authorization,
                         std::chrono::milliseconds timeout) {
    attempt_result result;
    const auto deadline = steady::now() + timeout;
    socket_handle s = connect_to(url, deadline, result.error);
    if (s.get() < 0) return result;
    // The headers a LiveKit server sends (Go's client adds Host, Content-Length and
    // Accept-Encoding itself; the notifier sets the other three).
    std::string request;
    request.reserve(512 + body.size());
    request.append("POST ").append(url.target).append(" HTTP/1.1\r\n");
    request.append("Host: ").append(url.host_header).append("\r\n");
    request.append("User-Agent: LiveKit\r\n");
    request.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
    if (authorization) request.append("Authorization: ").append(*authorization).append("\r\n");
    request.append("Content-Type: application/webhook+json\r\n");
    request.append("Accept-Encoding: gzip\r\n");
    request.append("\r\n");
    request.append(body);
    if (!send_all(s.get(), request, deadline, result.error)) return result;
    result.responded = read_response(s.get(), deadline, result.response, result.error);
    return result;
}

// Retry-After: delta-seconds or an HTTP-date (IMF-fixdate), as go-retryablehttp reads it.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value) {
    value = trim(value);
    std::int64_t seconds = 0;
    if (parse_int64(value, seconds)) {
        if (seconds < 0) return std::nullopt;
        return std::chrono::milliseconds(std::min<std::int64_t>(seconds, 24 * 3600) * 1000);
    }
    std::tm tm{};
    const std::string text(value);
    const char* end = ::strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (end == nullptr || *end != '\0') return std::nullopt;
    const std::int64_t when = static_cast<std::int64_t>(::timegm(&tm));
    const std::int64_t delta = std::max<std::int64_t>(0, when - unix_now());
    return std::chrono::milliseconds(std::min<std::int64_t>(delta, 24 * 3600) * 1000);
}

bool retryable_status(int status) { return status == 429 || (status >= 500 && status <= 599 && status != 501); }

std::string format_seconds(std::chrono::milliseconds wait) {
    char text[32];
    std::snprintf(text, sizeof text, "%.3g s", static_cast<double>(wait.count()) / 1000.0);
    return text;
}

// A short, printable excerpt of a response body for the attempt line.
std::string excerpt(std::string_view body) {
    std::string out;
    for (char c : body.substr(0, 80)) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '\n' || c == '\r') {
            out.push_back(' ');
        } else if (byte < 0x20 || byte >= 0x7F) {
            out.push_back('?');
        } else {
            out.push_back(c);
        }
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    if (body.size() > 80) out.append("...");
    return out;
}

}  // namespace

int send_command(int argc, char** argv) {
    sample_options sample;
    std::optional<std::string> body_file;
    std::string api_key = env_or_empty("LIVEKIT_API_KEY");
    std::string api_secret = env_or_empty("LIVEKIT_API_SECRET");
    std::optional<std::int64_t> now;
    std::int64_t valid_for = 300;
    std::optional<std::string> authorization_override;
    bool no_authorization = false;
    std::int64_t attempts = 5;
    double backoff_scale = 1.0;
    double timeout_seconds = 10.0;
    std::optional<std::string> save_body;
    bool dry_run = false;
    bool quiet = false;
    std::optional<std::string> url_text;

    const auto usage_error = [](std::string_view message) {
        std::cerr << "lkwebhook send: " << message << "\n(see `lkwebhook send --help`)\n";
        return 2;
    };

    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        const auto value = [&](std::string& out) {
            if (i + 1 >= argc) return false;
            out = argv[++i];
            return true;
        };
        const auto int_value = [&](std::int64_t& out) {
            std::string text;
            return value(text) && parse_int64(text, out);
        };
        std::string text;
        std::int64_t number = 0;
        if (arg == "--help" || arg == "-h") {
            std::cout << send_usage;
            return 0;
        } else if (arg == "--body") {
            if (!value(text)) return usage_error("--body needs a file name");
            body_file = text;
        } else if (arg == "--event") {
            if (!value(sample.event)) return usage_error("--event needs an event name");
        } else if (arg == "--room") {
            if (!value(sample.room) || sample.room.empty()) return usage_error("--room needs a name");
        } else if (arg == "--room-sid") {
            if (!value(sample.room_sid)) return usage_error("--room-sid needs a value");
        } else if (arg == "--room-created-at") {
            if (!int_value(number)) return usage_error("--room-created-at needs unix seconds");
            sample.room_created_at = number;
        } else if (arg == "--num-participants") {
            if (!int_value(number) || number < 0 || number > 4294967295LL)
                return usage_error("--num-participants needs a count");
            sample.num_participants = number;
        } else if (arg == "--identity") {
            if (!value(sample.identity) || sample.identity.empty()) return usage_error("--identity needs a value");
        } else if (arg == "--participant-sid") {
            if (!value(sample.participant_sid)) return usage_error("--participant-sid needs a value");
        } else if (arg == "--name") {
            if (!value(sample.name)) return usage_error("--name needs a value");
        } else if (arg == "--joined-at") {
            if (!int_value(number)) return usage_error("--joined-at needs unix seconds");
            sample.joined_at = number;
        } else if (arg == "--track-sid") {
            if (!value(sample.track_sid)) return usage_error("--track-sid needs a value");
        } else if (arg == "--track-source") {
            if (!value(sample.track_source) ||
                (sample.track_source != "microphone" && sample.track_source != "camera" &&
                 sample.track_source != "screen_share"))
                return usage_error("--track-source is microphone, camera or screen_share");
        } else if (arg == "--egress-id") {
            if (!value(sample.egress_id)) return usage_error("--egress-id needs a value");
        } else if (arg == "--ingress-id") {
            if (!value(sample.ingress_id)) return usage_error("--ingress-id needs a value");
        } else if (arg == "--job-id") {
            if (!value(sample.job_id)) return usage_error("--job-id needs a value");
        } else if (arg == "--id") {
            if (!value(sample.id)) return usage_error("--id needs a value");
        } else if (arg == "--created-at") {
            if (!int_value(number) || number < 0) return usage_error("--created-at needs unix seconds");
            sample.created_at = number;
        } else if (arg == "--comma-space") {
            sample.comma_space = true;
        } else if (arg == "--api-key") {
            if (!value(api_key)) return usage_error("--api-key needs a value");
        } else if (arg == "--api-secret") {
            if (!value(api_secret)) return usage_error("--api-secret needs a value");
        } else if (arg == "--now") {
            if (!int_value(number) || number < 0) return usage_error("--now needs unix seconds");
            now = number;
        } else if (arg == "--valid-for") {
            if (!int_value(valid_for) || valid_for <= 0)
                return usage_error("--valid-for needs a positive number of seconds");
        } else if (arg == "--authorization") {
            if (!value(text)) return usage_error("--authorization needs a value");
            authorization_override = text;
        } else if (arg == "--no-authorization") {
            no_authorization = true;
        } else if (arg == "--attempts") {
            if (!int_value(attempts) || attempts < 1 || attempts > 100) return usage_error("--attempts needs 1..100");
        } else if (arg == "--backoff-scale") {
            if (!value(text) || !parse_double(text, backoff_scale) || backoff_scale < 0 || backoff_scale > 10)
                return usage_error("--backoff-scale needs a factor between 0 and 10");
        } else if (arg == "--timeout") {
            if (!value(text) || !parse_double(text, timeout_seconds) || timeout_seconds <= 0 || timeout_seconds > 3600)
                return usage_error("--timeout needs seconds (0 < t <= 3600)");
        } else if (arg == "--save-body") {
            if (!value(text)) return usage_error("--save-body needs a file name");
            save_body = text;
        } else if (arg == "--dry-run") {
            dry_run = true;
        } else if (arg == "--quiet") {
            quiet = true;
        } else if (!arg.empty() && arg.front() == '-' && arg != "-") {
            return usage_error("unknown option " + std::string(arg));
        } else if (!url_text) {
            url_text = std::string(arg);
        } else {
            return usage_error("more than one URL given");
        }
    }

    if (body_file.has_value() == !sample.event.empty())
        return usage_error("give exactly one of --body FILE and --event NAME");
    // A sample exists for every event type LiveKit defines, and only for those.
    if (!sample.event.empty() && lkwebhook::event_type_from_name(sample.event) == lkwebhook::event_type::unknown)
        return usage_error("unknown sample event " + sample.event);
    if (authorization_override && no_authorization)
        return usage_error("--authorization and --no-authorization exclude each other");
    if (!url_text && !dry_run) return usage_error("missing URL");

    std::optional<url_parts> url;
    if (url_text) {
        std::string why;
        url = parse_url(*url_text, why);
        if (!url) return usage_error(why);
    }

    const std::int64_t sign_time = now.value_or(unix_now());
    std::string body;
    if (body_file) {
        auto data = read_all(*body_file);
        if (!data) {
            std::cerr << "lkwebhook send: cannot read " << *body_file << ": " << std::strerror(errno) << "\n";
            return 2;
        }
        body = std::move(*data);
    } else {
        body = sample_event_body(sample, sign_time);
    }
    if (save_body) {
        std::ofstream out(*save_body, std::ios::binary | std::ios::trunc);
        out.write(body.data(), static_cast<std::streamsize>(body.size()));
        if (!out) {
            std::cerr << "lkwebhook send: cannot write " << *save_body << "\n";
            return 2;
        }
    }

    // One token per send, reused by every retry, as the server's notifier does.
    std::optional<std::string> authorization;
    if (authorization_override) {
        authorization = authorization_override;
    } else if (!no_authorization) {
        if (api_key.empty() || api_secret.empty())
            return usage_error(
                    "no API key/secret: pass --api-key and --api-secret or set LIVEKIT_API_KEY and "
                    "LIVEKIT_API_SECRET");
        sign_options options;
        options.valid_for = std::chrono::seconds(valid_for);
        options.now_unix = sign_time;
        auto token = sign(body, api_key, api_secret, options);
        if (!token) {
            std::cerr << "lkwebhook send: cannot sign: " << token.error().message() << "\n";
            return 2;
        }
        authorization = std::move(*token);
    }

    if (dry_run) {
        std::cout << "POST " << (url ? url->target : std::string("/")) << " HTTP/1.1\r\n";
        if (url) std::cout << "Host: " << url->host_header << "\r\n";
        std::cout << "User-Agent: LiveKit\r\nContent-Length: " << body.size() << "\r\n";
        if (authorization) std::cout << "Authorization: " << *authorization << "\r\n";
        std::cout << "Content-Type: application/webhook+json\r\nAccept-Encoding: gzip\r\n\r\n" << body << "\n";
        return 0;
    }

    if (!quiet) {
        std::cout << "POST " << *url_text << " (" << body.size() << " bytes";
        if (!sample.event.empty()) std::cout << ", sample " << sample.event;
        if (!authorization) std::cout << ", no Authorization header";
        std::cout << ")" << std::endl;
    }

    const auto timeout = std::chrono::milliseconds(static_cast<std::int64_t>(timeout_seconds * 1000.0));
    const auto scaled = [&](std::chrono::milliseconds wait) {
        return std::chrono::milliseconds(static_cast<std::int64_t>(static_cast<double>(wait.count()) * backoff_scale));
    };
    std::string last;
    for (std::int64_t attempt = 1; attempt <= attempts; ++attempt) {
        const attempt_result r = post_once(*url, body, authorization, timeout);
        std::ostringstream line;
        line << "attempt " << attempt << "/" << attempts << ": ";
        bool retry = false;
        std::optional<std::chrono::milliseconds> retry_after;
        if (!r.responded) {
            line << "no response (" << r.error << ")";
            last = "no response (" + r.error + ")";
            retry = true;
        } else {
            const http_response& resp = r.response;
            line << "HTTP " << resp.status;
            if (!resp.reason.empty()) line << " " << resp.reason;
            const auto after = resp.header("Retry-After");
            if (after) line << " (Retry-After: " << *after << ")";
            if (!resp.body.empty()) {
                // LiveKit's Go client asks for gzip and inflates transparently; we only show text.
                const auto encoding = resp.header("Content-Encoding");
                if (!encoding || encoding->empty() || *encoding == "identity") line << " body: " << excerpt(resp.body);
            }
            last = "HTTP " + std::to_string(resp.status);
            if (resp.status >= 200 && resp.status < 300) {
                if (!quiet) std::cout << line.str() << std::endl;
                std::cout << "result: delivered, HTTP " << resp.status << " after " << attempt << " attempt(s)"
                          << std::endl;
                return 0;
            }
            retry = retryable_status(resp.status);
            if (after && (resp.status == 429 || resp.status == 503)) retry_after = parse_retry_after(*after);
            if (resp.status >= 300 && resp.status < 400) {
                line << "\n  hint: LiveKit follows redirects, and turns POST into a body-less GET on 301/302/303;"
                        " configure the final URL instead";
            }
        }
        if (!retry) {
            if (!quiet) std::cout << line.str() << std::endl;
            std::cout << "result: not delivered, " << last << " is final (LiveKit does not retry it)" << std::endl;
            return 1;
        }
        if (attempt == attempts) {
            if (!quiet) std::cout << line.str() << std::endl;
            break;
        }
        // go-retryablehttp's DefaultBackoff: Retry-After of a 429/503, else 1 s * 2^n capped at 30 s.
        std::chrono::milliseconds wait = retry_after.value_or(std::chrono::milliseconds(
                std::min<std::int64_t>(1000LL << std::min<std::int64_t>(attempt - 1, 20), 30000)));
        const auto actual = scaled(wait);
        line << " -> retrying in " << format_seconds(wait);
        if (retry_after) line << " (Retry-After)";
        if (actual != wait) line << " (scaled to " << format_seconds(actual) << ")";
        if (!quiet) std::cout << line.str() << std::endl;
        std::this_thread::sleep_for(actual);
    }
    std::cout << "result: not delivered, giving up after " << attempts << " attempt(s); last: " << last << std::endl;
    return 1;
}

}  // namespace lkwebhook::cli
