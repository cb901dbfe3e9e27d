// `lkwebhook send`: deliver a webhook to a URL exactly as a LiveKit server does, so that an
// endpoint can be tested without a LiveKit server and "webhook never fires" problems can be
// reproduced locally.
//
// What "exactly" means (tests/vectors/wire-format.md sections 2.1 and 2.3):
//   - POST with the body bytes unchanged, `Authorization: <jwt>` (no Bearer),
//     `Content-Type: application/webhook+json`, `User-Agent: LiveKit`, `Accept-Encoding: gzip`;
//   - one token per send, reused unchanged by every retry (retries re-send the same request);
//   - go-retryablehttp's policy: up to 5 attempts, retry on connection errors, 429 and 5xx
//     except 501, waits of 1 s, 2 s, 4 s, 8 s (1 s * 2^n, capped at 30 s), or the Retry-After
//     of a 429/503 answer; any other status is final. Redirects are not followed: LiveKit's Go
//     client would turn a 301/302/303 into a body-less GET, so the tool reports them instead.
//
// Transport: cpp-httplib's client, over TLS (OpenSSL) for https:// URLs. The server
// certificate is verified by default against the system CA store (--cacert FILE for a private
// CA); --insecure turns verification off, for self-signed development endpoints only.
// cpp-httplib adds one header LiveKit's Go client does not send, `Accept: */*`.
//
// Sample events (--event) are lkwebhook::webhook_event values shaped as LiveKit's server sends
// each type, encoded by the library (sample_events.hpp).

#include <httplib.h>
#ifdef CPPHTTPLIB_OPENSSL_SUPPORT
#include <openssl/x509.h>
#endif

#include <algorithm>
#include <cerrno>
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
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

#include <lkwebhook/events.hpp>
#include <lkwebhook/signer.hpp>

#include "commands.hpp"
#include "common/parse_number.hpp"
#include "sample_events.hpp"

namespace lkwebhook::cli {

namespace {

constexpr std::string_view send_usage =
        "usage: lkwebhook send [options] URL\n"
        "\n"
        "POSTs a webhook to URL (http:// or https://) exactly as a LiveKit server does: the raw body,\n"
        "`Authorization: <jwt>` (no Bearer), `Content-Type: application/webhook+json`,\n"
        "`User-Agent: LiveKit`; retries on connection errors, 429 and 5xx (not 501) with LiveKit's\n"
        "backoff (1 s, 2 s, 4 s, 8 s; 5 attempts), honouring Retry-After; prints every attempt.\n"
        "\n"
        "Body (exactly one):\n"
        "  --body FILE              send the exact bytes of FILE ('-' reads standard input)\n"
        "  --event NAME             send a sample event shaped as LiveKit sends it: room_started,\n"
        "                           room_finished, participant_joined, participant_left,\n"
        "                           participant_connection_aborted, track_published, track_unpublished,\n"
        "                           egress_started, egress_updated, egress_ended, ingress_started,\n"
        "                           ingress_ended, agent_job_started, agent_job_ended\n"
        "Sample event fields (all optional):\n"
        "  --room NAME              room name (default demo-room): room.name, or egressInfo.roomName,\n"
        "                           ingressInfo.roomName, job.room.name for those events\n"
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
        "  --comma-space            write \", \" between members, as LiveKit's server does\n"
        "Signing:\n"
        "  --api-key KEY            default $LIVEKIT_API_KEY\n"
        "  --api-secret SECRET      default $LIVEKIT_API_SECRET\n"
        "  --now UNIX               signing time (default: the current time)\n"
        "  --valid-for SECONDS      token lifetime (default 300, as LiveKit)\n"
        "  --authorization VALUE    send VALUE verbatim instead of signing (replay a captured request)\n"
        "  --no-authorization       send no Authorization header at all\n"
        "TLS (https:// URLs):\n"
        "  --cacert FILE            trust the CA certificates in FILE (PEM) instead of the system store\n"
        "  --insecure               do not verify the server certificate (self-signed development\n"
        "                           endpoints only; LiveKit always verifies)\n"
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

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

// ---------------------------------------------------------------------------------------------
// The URL

struct url_parts {
    bool tls = false;
    std::string origin;       // scheme://authority, for httplib::Client
    std::string target;       // path and query, at least "/"
    std::string host_header;  // the authority as written, as Go's client sends it
};

std::optional<url_parts> parse_url(std::string_view url, std::string& why) {
    url_parts parts;
    std::string_view scheme;
    if (url.starts_with("https://")) {
        parts.tls = true;
        scheme = "https://";
    } else if (url.starts_with("http://")) {
        scheme = "http://";
    } else {
        why = "the URL must start with http:// or https://";
        return std::nullopt;
    }
    url.remove_prefix(scheme.size());
    const auto slash = url.find_first_of("/?#");
    const std::string_view authority = url.substr(0, slash);
    std::string_view rest = slash == std::string_view::npos ? std::string_view{} : url.substr(slash);
    if (const auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
    if (authority.find('@') != std::string_view::npos) {
        why = "user information in the URL is not supported";
        return std::nullopt;
    }
    std::string_view host = authority;
    std::string_view port;
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos || (close + 1 < authority.size() && authority[close + 1] != ':')) {
            why = "malformed IPv6 authority in the URL";
            return std::nullopt;
        }
        host = authority.substr(1, close - 1);
        if (close + 1 < authority.size()) port = authority.substr(close + 2);
    } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        port = authority.substr(colon + 1);
    }
    std::int64_t port_number = 0;
    if (host.empty() ||
        (!port.empty() && (!examples::parse_number(port, port_number) || port_number < 1 || port_number > 65535)) ||
        (port.empty() && authority.back() == ':')) {
        why = "the URL needs a host and, if given, a port between 1 and 65535";
        return std::nullopt;
    }
    parts.origin = std::string(scheme) + std::string(authority);
    parts.host_header = std::string(authority);
    parts.target = rest.empty() ? std::string("/") : std::string(rest);
    if (parts.target.front() == '?') parts.target.insert(parts.target.begin(), '/');
    return parts;
}

// ---------------------------------------------------------------------------------------------
// One attempt

struct tls_options {
    std::optional<std::string> cacert;
    bool insecure = false;
};

struct http_response {
    int status = 0;
    std::string reason;
    std::optional<std::string> retry_after;
    std::string body;
};

struct attempt_result {
    bool responded = false;  // false: a connection-level or TLS failure
    bool untrusted = false;  // the server certificate failed verification: final, as for LiveKit
    http_response response;
    std::string error;  // when !responded
};

std::chrono::microseconds to_micros(std::chrono::milliseconds ms) { return ms; }

// cpp-httplib's error names are terse ("Connection"); say what they mean (enumerators common to
// 0.11 and 0.18 only).
std::string describe(httplib::Error error) {
    switch (error) {
        case httplib::Error::Connection: return "cannot connect: refused, unreachable or timed out";
        case httplib::Error::Read: return "the connection broke or timed out while reading the answer";
        case httplib::Error::Write: return "the connection broke or timed out while sending the request";
        case httplib::Error::SSLConnection: return "TLS handshake failed";
        case httplib::Error::SSLLoadingCerts: return "cannot load the CA certificates (--cacert or the system store)";
        case httplib::Error::SSLServerVerification: return "TLS certificate verification failed";
        default: return "HTTP client error: " + httplib::to_string(error);
    }
}

attempt_result post_once(const url_parts& url, const std::string& body, const std::optional<std::string>& authorization,
                         std::chrono::milliseconds timeout, const tls_options& tls) {
    attempt_result result;
    httplib::Client client(url.origin);
    if (!client.is_valid()) {
        result.error = "cannot set up a client for " + url.origin;
        return result;
    }
#ifdef CPPHTTPLIB_OPENSSL_SUPPORT
    if (url.tls) {
        if (tls.cacert) client.set_ca_cert_path(*tls.cacert);
        client.enable_server_certificate_verification(!tls.insecure);
    }
#else
    (void)tls;
#endif
    const auto micros = to_micros(timeout).count();
    const auto seconds = static_cast<time_t>(micros / 1000000);
    const auto rest = static_cast<time_t>(micros % 1000000);
    client.set_connection_timeout(seconds, rest);
    client.set_read_timeout(seconds, rest);
    client.set_write_timeout(seconds, rest);
    client.set_follow_location(false);
    client.set_keep_alive(true);  // no `Connection: close`, as Go's pooled client
    // The headers a LiveKit server sends (Go's client adds Host, Content-Length and
    // Accept-Encoding itself; the notifier sets the other three).
    httplib::Headers headers{{"Host", url.host_header}, {"User-Agent", "LiveKit"}, {"Accept-Encoding", "gzip"}};
    if (authorization) headers.emplace("Authorization", *authorization);
    const httplib::Result r = client.Post(url.target, headers, body, "application/webhook+json");
    if (!r) {
        result.error = describe(r.error());
#ifdef CPPHTTPLIB_OPENSSL_SUPPORT
        if (r.error() == httplib::Error::SSLServerVerification) {
            result.untrusted = true;
            const long verify = client.get_openssl_verify_result();
            result.error += ": the server certificate is not trusted (";
            result.error += verify != X509_V_OK ? X509_verify_cert_error_string(verify) : "host name mismatch";
            result.error += "); pass --cacert FILE for a private CA, or --insecure for a self-signed test endpoint";
        }
#endif
        return result;
    }
    result.responded = true;
    result.response.status = r->status;
    result.response.reason = r->reason;
    if (r->has_header("Retry-After")) result.response.retry_after = r->get_header_value("Retry-After");
    result.response.body = r->body.substr(0, 4096);
    return result;
}

// Retry-After: delta-seconds or an HTTP-date (IMF-fixdate), as go-retryablehttp reads it.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value) {
    value = trim(value);
    std::int64_t seconds = 0;
    if (examples::parse_number(value, seconds)) {
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
    std::optional<std::string> cacert;
    bool insecure = false;
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
            return value(text) && examples::parse_number(text, out);
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
        } else if (arg == "--cacert") {
            if (!value(text) || text.empty()) return usage_error("--cacert needs a PEM file");
            cacert = text;
        } else if (arg == "--insecure") {
            insecure = true;
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
    if (cacert && insecure) return usage_error("--cacert and --insecure exclude each other");
    if (!url_text && !dry_run) return usage_error("missing URL");

    std::optional<url_parts> url;
    if (url_text) {
        std::string why;
        url = parse_url(*url_text, why);
        if (!url) return usage_error(why);
        if (!url->tls && (cacert || insecure))
            return usage_error("--cacert and --insecure apply to https:// URLs only");
#ifndef CPPHTTPLIB_OPENSSL_SUPPORT
        if (url->tls) return usage_error("this build of lkwebhook has no TLS support (cpp-httplib without OpenSSL)");
#endif
    }
    if (cacert) {
        std::ifstream probe(*cacert);
        if (!probe) return usage_error("cannot read --cacert " + *cacert);
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
        // The request as it goes on the wire, cpp-httplib's `Accept: */*` included.
        std::cout << "POST " << (url ? url->target : std::string("/")) << " HTTP/1.1\r\n";
        if (url) std::cout << "Host: " << url->host_header << "\r\n";
        std::cout << "User-Agent: LiveKit\r\nContent-Length: " << body.size() << "\r\n";
        if (authorization) std::cout << "Authorization: " << *authorization << "\r\n";
        std::cout << "Content-Type: application/webhook+json\r\nAccept-Encoding: gzip\r\nAccept: */*\r\n\r\n"
                  << body << "\n";
        return 0;
    }

    if (!quiet) {
        std::cout << "POST " << *url_text << " (" << body.size() << " bytes";
        if (!sample.event.empty()) std::cout << ", sample " << sample.event;
        if (!authorization) std::cout << ", no Authorization header";
        if (url->tls) std::cout << (insecure ? ", TLS without certificate verification" : ", TLS");
        std::cout << ")" << std::endl;
    }

    const tls_options tls{cacert, insecure};
    const auto timeout = std::chrono::milliseconds(static_cast<std::int64_t>(timeout_seconds * 1000.0));
    const auto scaled = [&](std::chrono::milliseconds wait) {
        return std::chrono::milliseconds(static_cast<std::int64_t>(static_cast<double>(wait.count()) * backoff_scale));
    };
    std::string last;
    for (std::int64_t attempt = 1; attempt <= attempts; ++attempt) {
        const attempt_result r = post_once(*url, body, authorization, timeout, tls);
        std::ostringstream line;
        line << "attempt " << attempt << "/" << attempts << ": ";
        bool retry = false;
        std::optional<std::chrono::milliseconds> retry_after;
        if (!r.responded) {
            line << "no response (" << r.error << ")";
            last = "no response (" + r.error + ")";
            retry = !r.untrusted;  // LiveKit's client does not retry an untrusted certificate
        } else {
            const http_response& resp = r.response;
            line << "HTTP " << resp.status;
            if (!resp.reason.empty()) line << " " << resp.reason;
            if (resp.retry_after) line << " (Retry-After: " << *resp.retry_after << ")";
            // LiveKit's Go client asks for gzip and inflates transparently; so does cpp-httplib.
            if (!resp.body.empty()) line << " body: " << excerpt(resp.body);
            last = "HTTP " + std::to_string(resp.status);
            if (resp.status >= 200 && resp.status < 300) {
                if (!quiet) std::cout << line.str() << std::endl;
                std::cout << "result: delivered, HTTP " << resp.status << " after " << attempt << " attempt(s)"
                          << std::endl;
                return 0;
            }
            retry = retryable_status(resp.status);
            if (resp.retry_after && (resp.status == 429 || resp.status == 503))
                retry_after = parse_retry_after(*resp.retry_after);
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
