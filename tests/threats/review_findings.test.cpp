// Findings of an adversarial review, each reproduced by a test that failed
// before its fix (rows of tests/threats/catalogue.md): a clock outside the
// NumericDate range (E13), options found invalid per request (I10), a
// thread's decoder reused with other options (J9), the body-HMAC scheme's
// shared secret (C11), underflowing numbers written without an exponent
// (G24), credentials left in clear by to_json's redaction (K7), and key
// files: a byte order mark (K8), a FIFO (I11), many keys (I12).
#include "support/catch.hpp"
#include "support/token_forge.hpp"

#include <lkwebhook/async_dispatcher.hpp>
#include <lkwebhook/body_hmac_header.hpp>
#include <lkwebhook/clock.hpp>
#include <lkwebhook/decode.hpp>
#include <lkwebhook/detail/base64url.hpp>
#include <lkwebhook/dispatch.hpp>
#include <lkwebhook/encode.hpp>
#include <lkwebhook/idempotency.hpp>
#include <lkwebhook/key_file.hpp>
#include <lkwebhook/keys.hpp>
#include <lkwebhook/receiver.hpp>
#include <lkwebhook/signer.hpp>
#include <lkwebhook/token.hpp>
#include <lkwebhook/verify.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace {

using lkwebhook::errc;
using lkwebhook::fixed_clock;

constexpr std::int64_t now = 1768228729;
constexpr std::string_view api_key = "APIreview";
constexpr std::string_view api_secret = "review-secret-0123456789abcdef0123456789";

const lkwebhook::static_key& keys() {
    static const lkwebhook::static_key k = *lkwebhook::static_key::make(api_key, api_secret);
    return k;
}

std::string sign_at(std::string_view body, std::int64_t at) {
    lkwebhook::sign_options o;
    o.now_unix = at;
    auto token = lkwebhook::sign(body, api_key, api_secret, o);
    REQUIRE(token);
    return *token;
}

/// A token without nbf (LiveKit's older servers sent none), valid until `exp`.
std::string token_without_nbf(std::string_view body, std::int64_t exp) {
    const std::string claims = "{\"iss\":\"" + std::string(api_key) + "\",\"exp\":" + std::to_string(exp) +
                               ",\"sha256\":\"" + lkwebhook::test::body_sha256(body) + "\"}";
    return lkwebhook::test::mint(lkwebhook::test::go_header, claims, api_secret);
}

struct recording_correlator {
    std::vector<std::string> events;
    void on_event(const lkwebhook::webhook_event& ev) { events.push_back(ev.event); }
};

/// A clock without unix_now(): the verifier floors its time_point.
struct time_point_clock {
    std::chrono::system_clock::time_point at;
    [[nodiscard]] std::chrono::system_clock::time_point now() const noexcept { return at; }
};

const std::string room_started =
        R"({"event":"room_started","room":{"sid":"RM_review","name":"review-room"},"id":"EV_review0001"})";

}  // namespace

// ---------------------------------------------------------------- clock range (item 5)

TEST_CASE("a clock outside [0, 253402300799] is internal_error, never acceptance",
          "[review][token][clock][threat-E13]") {
    const lkwebhook::token_times no_nbf{now + 300, std::nullopt, std::nullopt};
    const lkwebhook::token_times with_nbf{now + 300, now, now};
    const std::optional<std::chrono::seconds> lifetime{std::chrono::seconds{900}};
    for (const std::int64_t bad : {std::numeric_limits<std::int64_t>::min(), std::int64_t{-1},
                                   lkwebhook::max_numeric_date + 1, std::numeric_limits<std::int64_t>::max()}) {
        CAPTURE(bad);
        lkwebhook::diagnosis why;
        CHECK(lkwebhook::check_token_window(no_nbf, bad, std::chrono::seconds{60}, lifetime, &why).error() ==
              errc::internal_error);
        CHECK(why.view().find("clock") != std::string_view::npos);
        CHECK(lkwebhook::check_token_window(no_nbf, bad, std::chrono::seconds{60}).error() == errc::internal_error);
        CHECK(lkwebhook::check_token_window(with_nbf, bad, std::chrono::seconds{60}, lifetime).error() ==
              errc::internal_error);
    }
    // The edges of the range are ordinary readings.
    CHECK(lkwebhook::check_token_window(no_nbf, 0, std::chrono::seconds{60}, std::nullopt).has_value());
    CHECK(lkwebhook::check_token_window(no_nbf, lkwebhook::max_numeric_date, std::chrono::seconds{60}).error() ==
          errc::token_expired);
    // Out-of-range leeway or lifetime from a direct caller cannot overflow either.
    CHECK(lkwebhook::check_token_window(no_nbf, now, std::chrono::seconds{std::numeric_limits<std::int64_t>::max()})
                  .error() == errc::internal_error);
    CHECK(lkwebhook::check_token_window(no_nbf, now, std::chrono::seconds{0},
                                        std::chrono::seconds{std::numeric_limits<std::int64_t>::max()})
                  .error() == errc::internal_error);
}

TEST_CASE("verify() with an INT64_MIN clock and max_token_lifetime fails closed with 500",
          "[review][verify][clock][threat-E13]") {
    const std::string token = token_without_nbf(room_started, now + 300);
    lkwebhook::verify_options options;
    options.max_token_lifetime = std::chrono::seconds{900};
    REQUIRE(lkwebhook::verify(room_started, token, keys(), options, fixed_clock{now}));
    lkwebhook::diagnosis why;
    const auto r = lkwebhook::verify(room_started, token, keys(), options,
                                     fixed_clock{std::numeric_limits<std::int64_t>::min()}, &why);
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::internal_error);
    CHECK(lkwebhook::http_status(r.error()) == 500);
    // A clock whose time_point is the earliest representable reads as a
    // negative number of seconds: the same answer.
    const auto earliest = lkwebhook::verify(room_started, token, keys(), options,
                                            time_point_clock{std::chrono::system_clock::time_point::min()});
    CHECK(earliest.error() == errc::internal_error);
    // Through the dispatcher: 500, the correlator not called.
    recording_correlator correlator;
    lkwebhook::memory_store store;
    lkwebhook::dispatch_options dispatch;
    dispatch.verify = options;
    const auto o = lkwebhook::verify_and_dispatch(room_started, token, keys(), correlator, store, dispatch,
                                                  fixed_clock{std::numeric_limits<std::int64_t>::min()});
    CHECK(o.error == errc::internal_error);
    CHECK(o.status == 500);
    CHECK(correlator.events.empty());
}

TEST_CASE("fixed_clock beyond 2262 verifies through unix_now() and its now() saturates",
          "[review][clock][threat-E13]") {
    constexpr std::int64_t far = 9'300'000'000;  // year 2264: past a nanosecond time_point
    const std::string token = sign_at(room_started, far);
    CHECK(lkwebhook::verify(room_started, token, keys(), {}, fixed_clock{far}));
    CHECK(lkwebhook::verify(room_started, token, keys(), {}, fixed_clock{far + 400}).error() == errc::token_expired);
    using time_point = std::chrono::system_clock::time_point;
    CHECK(fixed_clock{far}.now() > time_point{std::chrono::seconds{9'000'000'000}});
    CHECK(fixed_clock{std::numeric_limits<std::int64_t>::max()}.now().time_since_epoch().count() > 0);
    CHECK(fixed_clock{std::numeric_limits<std::int64_t>::min()}.now().time_since_epoch().count() < 0);
    CHECK(fixed_clock{now}.now() == time_point{std::chrono::seconds{now}});
}

// ---------------------------------------------------------------- options (item 7, issue 10)

TEST_CASE("invalid receiver options are found when it is made, never per request",
          "[review][receiver][options][threat-I10]") {
    using receiver_type = lkwebhook::receiver<lkwebhook::static_key, fixed_clock>;
    lkwebhook::receiver_options leeway;
    leeway.verify.leeway = std::chrono::seconds{301};
    lkwebhook::receiver_options body;
    body.verify.max_body_bytes = 100 * 1024 * 1024;
    lkwebhook::receiver_options depth;
    depth.decode.max_depth = 0;
    for (const auto& options : {leeway, body, depth}) {
        lkwebhook::diagnosis why;
        auto made = receiver_type::make(keys(), options, fixed_clock{now}, &why);
        REQUIRE_FALSE(made);
        CHECK(made.error() == errc::invalid_config);
        CHECK_FALSE(why.empty());
        CHECK_THROWS_AS(receiver_type(keys(), options, fixed_clock{now}), std::system_error);
    }
    auto good = receiver_type::make(keys(), {}, fixed_clock{now});
    REQUIRE(good);
    const auto r = good->receive(room_started, sign_at(room_started, now));
    REQUIRE(r);
    CHECK(r.http_status() == 200);
}

TEST_CASE("verify_and_dispatch answers invalid options with 500, never status 0",
          "[review][dispatch][options][threat-I10]") {
    const std::string token = sign_at(room_started, now);
    lkwebhook::dispatch_options leeway;
    leeway.verify.leeway = std::chrono::seconds{301};
    lkwebhook::dispatch_options body;
    body.verify.max_body_bytes = 100 * 1024 * 1024;
    lkwebhook::dispatch_options id;
    id.decode.max_event_id_bytes = 0;
    lkwebhook::dispatch_options retry;
    retry.overloaded_retry_after = std::chrono::seconds{-1};
    for (const auto& options : {leeway, body, id, retry}) {
        CHECK(lkwebhook::validate(options).error() == errc::invalid_config);
        recording_correlator correlator;
        lkwebhook::memory_store store;
        const auto o = lkwebhook::verify_and_dispatch(room_started, token, keys(), correlator, store, options,
                                                      fixed_clock{now});
        CHECK(o.error == errc::internal_error);
        CHECK(o.status == 500);
        CHECK(o.why.view().find("_options") != std::string_view::npos);
        CHECK(correlator.events.empty());
    }
}

TEST_CASE("async_dispatcher refuses invalid options at construction",
          "[review][async_dispatcher][options][threat-I10]") {
    recording_correlator correlator;
    lkwebhook::memory_store store;
    lkwebhook::async_options options;
    options.workers = 1;
    options.dispatch.verify.max_body_bytes = 100 * 1024 * 1024;
    CHECK(lkwebhook::validate(options).error() == errc::invalid_config);
    using dispatcher_type = lkwebhook::async_dispatcher<lkwebhook::static_key, recording_correlator>;
    CHECK_THROWS_AS(dispatcher_type(keys(), correlator, store, options), std::system_error);
    options = {};
    options.workers = 0;  // was clamped to 1 silently
    CHECK_THROWS_AS(dispatcher_type(keys(), correlator, store, options), std::system_error);
    options = {};
    options.dispatch.decode.max_depth = 2000;
    CHECK_THROWS_AS(dispatcher_type(keys(), correlator, store, options), std::system_error);
}

TEST_CASE("a thread's cached decoder is rebuilt when any decode option changes",
          "[review][dispatch][options][threat-J9]") {
    // The event decodes into about 3 KiB of structs; a memory bound of
    // 1 x body + 0 bytes refuses it. Before the options were compared whole,
    // the memory bound was not compared and the cached decoder (built with
    // the defaults) accepted the event.
    const std::string token = sign_at(room_started, now);
    recording_correlator correlator;
    lkwebhook::memory_store first_store;
    const auto first =
            lkwebhook::verify_and_dispatch(room_started, token, keys(), correlator, first_store, {}, fixed_clock{now});
    REQUIRE(first.status == 200);
    lkwebhook::dispatch_options tight;
    tight.decode.memory_factor = 1;
    tight.decode.memory_base = 0;
    lkwebhook::memory_store second_store;
    const auto second = lkwebhook::verify_and_dispatch(room_started, token, keys(), correlator, second_store, tight,
                                                       fixed_clock{now});
    CHECK(second.error == errc::malformed_body);
    CHECK(second.status == 400);
    CHECK(correlator.events.size() == 1);
}

TEST_CASE("composed options compare whole", "[review][options][threat-J9]") {
    lkwebhook::receiver_options a;
    lkwebhook::receiver_options b;
    CHECK(a == b);
    b.decode.memory_base += 1;
    CHECK_FALSE(a == b);
    lkwebhook::dispatch_options c;
    lkwebhook::dispatch_options d;
    CHECK(c == d);
    d.verify.max_token_lifetime = std::chrono::seconds{900};
    CHECK_FALSE(c == d);
}

// ---------------------------------------------------------------- the body-HMAC scheme (item 4)

TEST_CASE("a JWT signing input verifies as a body-HMAC body, and can never become an accepted event",
          "[review][body_hmac_header][threat-C11]") {
    // X-LiveKit-Signature is HMAC-SHA256(secret, body) with the same secret
    // as the JWT's MAC, which is HMAC-SHA256(secret, header "." payload): no
    // domain separation. So a captured JWT yields a valid (body, signature)
    // pair for body = its signing input.
    const std::string token = sign_at(room_started, now);
    const std::string_view signing_input = std::string_view{token}.substr(0, token.rfind('.'));
    const std::string_view signature_b64 = std::string_view{token}.substr(token.rfind('.') + 1);
    std::string signature(32, '\0');
    REQUIRE(lkwebhook::detail::decode_base64url(signature_b64, reinterpret_cast<unsigned char*>(signature.data()),
                                                signature.size()) == 32);
    std::string hex;
    for (const char c : signature) {
        constexpr char digits[] = "0123456789abcdef";
        hex.push_back(digits[static_cast<unsigned char>(c) >> 4]);
        hex.push_back(digits[static_cast<unsigned char>(c) & 0xf]);
    }
    REQUIRE(lkwebhook::verify_signature_header(signing_input, hex, api_key, keys()));

    // ... but a signing input is base64url and '.', never a JSON object, so the
    // decoder, the step that follows either scheme, rejects it.
    lkwebhook::decode_context context;
    lkwebhook::webhook_event event;
    CHECK(lkwebhook::decode(signing_input, event, context).error() == errc::malformed_body);
    // And through the JWT pipeline it cannot even be presented: its own
    // token would need a MAC over another signing input.
    recording_correlator correlator;
    lkwebhook::memory_store store;
    const auto o =
            lkwebhook::verify_and_dispatch(signing_input, token, keys(), correlator, store, {}, fixed_clock{now});
    CHECK(o.error == errc::body_hash_mismatch);
    CHECK(correlator.events.empty());
    // Every byte a signing input can hold (the base64url alphabet and '.')
    // makes a body the decoder refuses as its first byte.
    const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";
    for (const char c : alphabet) {
        const std::string body = std::string(1, c) + R"({"event":"room_started"})";
        CAPTURE(body);
        CHECK(lkwebhook::decode(body, event, context).error() == errc::malformed_body);
    }
}

// ---------------------------------------------------------------- numbers (item 9)

TEST_CASE("an underflowing double is zero however it is written", "[review][decode][threat-G24]") {
    const auto framerate = [](const std::string& number) -> std::optional<double> {
        const std::string body = R"({"ingressInfo":{"state":{"video":{"framerate":)" + number + "}}}}";
        lkwebhook::decode_context context;
        lkwebhook::webhook_event event;
        lkwebhook::diagnosis why;
        if (!lkwebhook::decode(body, event, context, &why)) {
            UNSCOPED_INFO(why.view());
            return std::nullopt;
        }
        return event.ingress_info->state->video->framerate;
    };
    const std::string zeros(400, '0');
    CHECK(framerate("1e-401") == 0.0);
    CHECK(framerate("0." + zeros + "1") == 0.0);
    CHECK(framerate("-0." + zeros + "1") == 0.0);
    CHECK(framerate("0." + zeros + "1e5") == 0.0);
    CHECK(framerate("0.001e-398") == 0.0);
    CHECK(framerate("1" + zeros + "e-800") == 0.0);
    CHECK_FALSE(framerate("1" + zeros));
    CHECK_FALSE(framerate("1e400"));
    CHECK_FALSE(framerate("0." + zeros + "1e800"));
}

TEST_CASE("is_below_one reads the magnitude from the text", "[review][decode][threat-G24]") {
    using lkwebhook::detail::is_below_one;
    static_assert(is_below_one("0"));
    static_assert(is_below_one("-0.0e10"));
    static_assert(is_below_one("0.5"));
    static_assert(is_below_one("1e-1"));
    static_assert(is_below_one("0.001e-398"));
    static_assert(is_below_one("12e-2"));
    static_assert(!is_below_one("12e-1"));
    static_assert(!is_below_one("1"));
    static_assert(!is_below_one("0.1e1"));
    static_assert(!is_below_one("-1e400"));
    static_assert(is_below_one("1e-99999999999999999999999999"));
    static_assert(!is_below_one("1e99999999999999999999999999"));
    CHECK(is_below_one("0." + std::string(400, '0') + "1"));
}

// ---------------------------------------------------------------- redaction (item 8)

namespace {

/// Every field the schema marks as a credential, as "<message>.<proto field>",
/// with a body that sets it to a value starting with "SECRET". The table and
/// the schema's marking must agree (the next test walks the descriptors).
struct credential_row {
    std::string_view field;
    std::string_view body;
};

constexpr credential_row credential_rows[] = {
        {"livekit.Room.turn_password", R"({"room":{"turnPassword":"SECRET-turn"}})"},
        {"livekit.IngressInfo.stream_key", R"({"ingressInfo":{"streamKey":"SECRET-key"}})"},
        {"livekit.S3Upload.secret",
         R"({"egressInfo":{"roomComposite":{"fileOutputs":[{"s3":{"secret":"SECRET-s"}}]}}})"},
        {"livekit.S3Upload.session_token",
         R"({"egressInfo":{"roomComposite":{"fileOutputs":[{"s3":{"sessionToken":"SECRET-t"}}]}}})"},
        {"livekit.GCPUpload.credentials",
         R"({"egressInfo":{"roomComposite":{"fileOutputs":[{"gcp":{"credentials":"SECRET-json"}}]}}})"},
        {"livekit.AzureBlobUpload.account_key",
         R"({"egressInfo":{"roomComposite":{"fileOutputs":[{"azure":{"accountKey":"SECRET-az"}}]}}})"},
        {"livekit.AliOSSUpload.secret",
         R"({"egressInfo":{"roomComposite":{"fileOutputs":[{"aliOSS":{"secret":"SECRET-s"}}]}}})"},
        {"livekit.ProxyConfig.password",
         R"({"egressInfo":{"roomComposite":{"fileOutputs":[{"s3":{"proxy":{"password":"SECRET-pw"}}}]}}})"},
        {"livekit.StreamOutput.urls",
         R"({"egressInfo":{"roomComposite":{"streamOutputs":[{"urls":["SECRET rtmp://a.rtmp.youtube.com/live2/key1","SECRET srt://h:9000?passphrase=p"]}]}}})"},
        {"livekit.StreamInfo.url",
         R"({"egressInfo":{"streamResults":[{"url":"SECRET rtmp://live.twitch.tv/app/key2"}]}})"},
        {"livekit.TrackEgressRequest.websocket_url",
         R"({"egressInfo":{"track":{"websocketUrl":"SECRET wss://ingest.example.com/?token=t"}}})"},
};

void collect_credentials(const lkwebhook::detail::message_info& info, std::vector<std::string>& out,
                         std::vector<const lkwebhook::detail::message_info*>& seen) {
    for (const auto* s : seen)
        if (s == &info) return;
    seen.push_back(&info);
    for (const auto& field : info) {
        if (field.credential) out.push_back(std::string(info.proto_name) + "." + std::string(field.proto_name));
        if (field.kind == lkwebhook::detail::field_kind::message) collect_credentials(*field.message(), out, seen);
    }
}

std::string redacted_json_of(std::string_view body) {
    lkwebhook::decode_context context;
    lkwebhook::webhook_event event;
    lkwebhook::diagnosis why;
    const auto decoded = lkwebhook::decode(body, event, context, &why);
    INFO(why.view());
    REQUIRE(decoded);
    lkwebhook::json_options options;
    options.redact_credentials = true;
    return lkwebhook::to_json(event, options);
}

}  // namespace

TEST_CASE("every credential field of the schema is redacted", "[review][encode][threat-K7]") {
    std::vector<std::string> marked;
    std::vector<const lkwebhook::detail::message_info*> seen;
    collect_credentials(lkwebhook::message_traits<lkwebhook::webhook_event>::info, marked, seen);
    std::vector<std::string> table;
    for (const auto& row : credential_rows) table.emplace_back(row.field);
    std::sort(marked.begin(), marked.end());
    std::sort(table.begin(), table.end());
    CHECK(marked == table);

    for (const auto& row : credential_rows) {
        CAPTURE(row.field);
        const std::string json = redacted_json_of(row.body);
        CAPTURE(json);
        CHECK(json.find("SECRET") == std::string::npos);
        CHECK(json.find("[redacted]") != std::string::npos);
        // Without redaction the canonical encoding keeps the value.
        lkwebhook::decode_context context;
        lkwebhook::webhook_event event;
        REQUIRE(lkwebhook::decode(row.body, event, context));
        CHECK(lkwebhook::to_json(event).find("SECRET") != std::string::npos);
    }
}

TEST_CASE("the userinfo of any URL is redacted, and nothing else of it", "[review][encode][threat-K7]") {
    struct row {
        std::string_view body;
        std::string_view redacted;  ///< expected in the output
        std::string_view gone;      ///< must not be in the output
    };
    const row rows[] = {
            {R"({"egressInfo":{"roomComposite":{"fileOutputs":[{"s3":{"proxy":{"url":"http://user:pw@proxy.example:3128"}}}]}}})",
             R"("url":"http://[redacted]@proxy.example:3128")", "user:pw"},
            {R"({"egressInfo":{"roomComposite":{"webhooks":[{"url":"https://hook:s3cret@hooks.example.com/lk?x=1"}]}}})",
             R"("url":"https://[redacted]@hooks.example.com/lk?x=1")", "s3cret"},
            {R"({"egressInfo":{"roomComposite":{"customBaseUrl":"HTTPS://a:b@templates.example.com/"}}})",
             R"("customBaseUrl":"HTTPS://[redacted]@templates.example.com/")", "a:b@"},
            {R"({"ingressInfo":{"url":"rtsp://cam:pass@10.0.0.7/stream"}})",
             R"("url":"rtsp://[redacted]@10.0.0.7/stream")", "cam:pass"},
            {R"({"participant":{"attributes":{"feed":"rtmp://u:p@h.example/app/k"}}})",
             R"("feed":"rtmp://[redacted]@h.example/app/k")", "u:p@"},
            {R"({"participant":{"metadata":"srt+x://only-user@h.example:9000"}})",
             R"("metadata":"srt+x://[redacted]@h.example:9000")", "only-user"},
    };
    for (const auto& r : rows) {
        const std::string json = redacted_json_of(r.body);
        CAPTURE(json);
        CHECK(json.find(r.redacted) != std::string::npos);
        CHECK(json.find(r.gone) == std::string::npos);
    }
    // An '@' outside the authority, or in a string that is no URL, is kept.
    for (std::string_view kept : {R"({"participant":{"metadata":"https://example.com/invite?to=a@b.example"}})",
                                  R"({"participant":{"metadata":"mailto:alice@example.com"}})",
                                  R"({"participant":{"metadata":"alice@example.com"}})",
                                  R"({"participant":{"metadata":"https://example.com/@alice"}})"}) {
        const std::string json = redacted_json_of(kept);
        CAPTURE(json);
        CHECK(json.find("[redacted]") == std::string::npos);
    }
    using lkwebhook::detail::url_userinfo;
    static_assert(url_userinfo("rtmp://u:p@h/x") == "u:p");
    static_assert(url_userinfo("rtmp://a@b@h/x") == "a@b");
    static_assert(url_userinfo("rtmp://h/x@y").empty());
    static_assert(url_userinfo("1http://u:p@h").empty());
    static_assert(url_userinfo("http:/u:p@h").empty());
}

// ---------------------------------------------------------------- key files (items 1-3)

namespace {

/// A file (or FIFO) in the temporary directory, removed at scope exit.
struct temp_path {
    temp_path() {
        static int counter = 0;
        path = (std::filesystem::temp_directory_path() /
                ("lkwebhook-review-" + std::to_string(::getpid()) + "-" + std::to_string(counter++)))
                       .string();
    }
    ~temp_path() { std::remove(path.c_str()); }
    temp_path(const temp_path&) = delete;
    temp_path& operator=(const temp_path&) = delete;
    void write(const std::string& content) const {
        std::ofstream(path, std::ios::binary) << content;
        ::chmod(path.c_str(), 0600);
    }
    std::string path;
};

std::string many_keys(std::size_t n) {
    std::string text;
    for (std::size_t i = 0; i < n; ++i) text += "APIkey" + std::to_string(i) + ": s-" + std::to_string(i) + "\n";
    return text;
}

}  // namespace

TEST_CASE("a key file with a UTF-8 byte order mark reads like livekit-server reads it",
          "[review][key_file][threat-K8]") {
    temp_path file;
    file.write(
            "\xEF\xBB\xBF"
            "APIkey123: a-long-random-secret\nAPIother: another-secret\n");
    lkwebhook::diagnosis why;
    const auto keys = lkwebhook::from_key_file(file.path, &why);
    INFO(why.view());
    REQUIRE(keys);
    CHECK(keys->find_secret("APIkey123") == std::optional<std::string_view>{"a-long-random-secret"});
    CHECK_FALSE(
            keys->find_secret("\xEF\xBB\xBF"
                              "APIkey123"));
    // A genuine request signed with that key verifies.
    const std::string body = R"({"event":"room_started"})";
    lkwebhook::sign_options o;
    o.now_unix = now;
    const auto token = lkwebhook::sign(body, "APIkey123", "a-long-random-secret", o);
    REQUIRE(token);
    CHECK(lkwebhook::verify(body, *token, *keys, {}, fixed_clock{now}));
    // Only at the start: a BOM elsewhere is part of a scalar, as in YAML.
    file.write(
            "APIkey123: s1-long-enough-secret\n\xEF\xBB\xBF"
            "APIx: s2\n");
    const auto inner = lkwebhook::from_key_file(file.path);
    REQUIRE(inner);
    CHECK(
            inner->find_secret("\xEF\xBB\xBF"
                               "APIx"));
}

TEST_CASE("from_key_file refuses a FIFO at once instead of waiting for a writer", "[review][key_file][threat-I11]") {
    temp_path fifo;
    REQUIRE(::mkfifo(fifo.path.c_str(), 0600) == 0);
    auto loading = std::async(std::launch::async, [&] {
        lkwebhook::diagnosis why;
        const auto keys = lkwebhook::from_key_file(fifo.path, &why);
        return std::make_pair(keys.has_value() ? std::error_code{} : keys.error(), std::string(why.view()));
    });
    const bool finished = loading.wait_for(std::chrono::seconds{10}) == std::future_status::ready;
    if (!finished) {
        // Release the blocked open() (a writer arrives) so the test can end.
        const int writer = ::open(fifo.path.c_str(), O_WRONLY | O_NONBLOCK);
        if (writer >= 0) ::close(writer);
    }
    REQUIRE(finished);
    const auto [error, why] = loading.get();
    CHECK(error == errc::invalid_config);
    CHECK(why.find("FIFO") != std::string::npos);
    // Other files that are not regular files: a directory, a character device.
    lkwebhook::diagnosis why_dir;
    CHECK(lkwebhook::from_key_file(std::filesystem::temp_directory_path().string(), &why_dir).error() ==
          errc::invalid_config);
    CHECK(why_dir.view().find("directory") != std::string_view::npos);
    CHECK(lkwebhook::from_key_file("/dev/null").error() == errc::invalid_config);
}

TEST_CASE("key files with tens of thousands of keys load, and duplicates are still found",
          "[review][key_file][threat-I12]") {
    // Correctness at sizes that took seconds with the quadratic duplicate
    // check; the time itself is measured by the benchmarks, not here.
    for (const std::size_t n : {std::size_t{20'000}, std::size_t{40'000}}) {
        CAPTURE(n);
        temp_path file;
        file.write(many_keys(n));
        lkwebhook::diagnosis why;
        const auto keys = lkwebhook::from_key_file(file.path, &why);
        INFO(why.view());
        REQUIRE(keys);
        CHECK(keys->size() == n);
        CHECK(keys->find_secret("APIkey0") == std::optional<std::string_view>{"s-0"});
        const std::string last = "APIkey" + std::to_string(n - 1);
        const std::string last_secret = "s-" + std::to_string(n - 1);
        CHECK(keys->find_secret(last) == std::optional<std::string_view>{last_secret});
    }
    // The first repeated key, in file order, is reported with its line.
    temp_path file;
    file.write(many_keys(30'000) + "APIkey29999: again\nAPIkey7: again\n");
    lkwebhook::diagnosis why;
    CHECK(lkwebhook::from_key_file(file.path, &why).error() == errc::invalid_config);
    CHECK(why.view() == "key file line 30001: duplicate API key \"APIkey29999\"");
    file.write("a: s1\nb: s2\nb: s3\na: s4\n");
    CHECK(lkwebhook::from_key_file(file.path, &why).error() == errc::invalid_config);
    CHECK(why.view() == "key file line 3: duplicate API key \"b\"");
}
