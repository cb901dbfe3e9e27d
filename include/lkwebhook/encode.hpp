#ifndef LKWEBHOOK_ENCODE_HPP
#define LKWEBHOOK_ENCODE_HPP

// Typed events -> canonical proto3 JSON, for logs, analytics pipelines and
// queues. The output is what LiveKit's own SDKs produce for the same message
// (protobuf-es toJson / Go protojson), so decoding a body and encoding it
// again gives the same JSON object:
//  - lowerCamelCase names, fields in .proto declaration order, compact;
//  - fields with default values omitted (0, "", false, enum 0, empty lists
//    and maps); sub-messages present when set (`{}` when set but empty);
//    proto3 `optional` fields and oneof members present when set, even to
//    their zero value;
//  - 64-bit integers as decimal strings, 32-bit integers and doubles as
//    numbers ("NaN", "Infinity", "-Infinity" as strings);
//  - enums as their proto name, or as a number when this schema does not
//    know the value (open enums, also inside lists);
//  - map keys sorted byte-wise (as Go does);
//  - strings as UTF-8, escaping only '"', '\\' and control characters
//    (\b \f \n \r \t or \u00xx); an invalid UTF-8 byte (only possible in a
//    struct filled by hand) is written as \ufffd so the output stays JSON.
//
// No simdjson or OpenSSL needed.

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "config.hpp"
#include "detail/message_info_fwd.hpp"
#include "detail/text.hpp"
#include "events.hpp"

namespace lkwebhook {

/// Options of to_json.
struct json_options {
    /// Write credentials as "[redacted]": for logs and debugging output
    /// (catalogue G22, K7). Off: the canonical encoding. Redacted are the
    /// fields the schema marks as credentials (Room.turnPassword,
    /// IngressInfo.streamKey, storage secrets, keys and tokens, proxy
    /// passwords, and the stream URLs that embed a stream key:
    /// StreamOutput.urls, StreamInfo.url, TrackEgressRequest.websocketUrl),
    /// and, in every other string and map value, the userinfo of a URL
    /// (`rtmp://user:password@host/...` becomes `rtmp://[redacted]@host/...`).
    bool redact_credentials = false;
    /// Write ", " instead of "," between members, array elements and map
    /// entries: the layout of LiveKit's server (Go protojson), whose bodies
    /// look like `{"event":"room_started", "room":{...}, "id":"EV_..."}`
    /// (the *_server_style vectors in tests/vectors/data). Same JSON, other bytes.
    bool comma_space = false;
};

namespace detail {

/// The userinfo of a URL-shaped string (RFC 3986: scheme "://" userinfo "@"
/// host...), or an empty view when it has none (or an empty one). Only the
/// authority (up to the first '/', '?' or '#') is searched, so an '@' in a
/// path or query (an e-mail address in a parameter) is not mistaken for
/// userinfo.
[[nodiscard]] constexpr std::string_view url_userinfo(std::string_view text) noexcept {
    const auto is_alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
    const auto is_scheme_char = [&](char c) {
        return is_alpha(c) || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
    };
    std::size_t i = 0;
    if (text.empty() || !is_alpha(text[0])) return {};
    while (i < text.size() && is_scheme_char(text[i])) ++i;
    if (text.substr(i, 3) != "://") return {};
    const std::size_t authority = i + 3;
    const std::size_t authority_end = std::min(text.find_first_of("/?#", authority), text.size());
    const std::size_t at = text.substr(authority, authority_end - authority).rfind('@');
    if (at == std::string_view::npos) return {};
    return text.substr(authority, at);
}

/// Appends the JSON of `message`, described by `info` (the type-erased
/// encoder; impl/encode.ipp).
LKWEBHOOK_DECL void write_message(std::string& out, const message_info& info, const void* message,
                                  const json_options& options);

}  // namespace detail

/// Appends the canonical proto3 JSON of `message` to `out` (no allocation
/// when `out` has enough capacity, except for the rare unsorted map).
template <proto_message Message>
inline void to_json(const Message& message, std::string& out, const json_options& options = {}) {
    detail::write_message(out, *detail::info_of<Message>(), &message, options);
}

/// The canonical proto3 JSON of `message`, on one line.
template <proto_message Message>
[[nodiscard]] inline std::string to_json(const Message& message, const json_options& options = {}) {
    std::string out;
    to_json(message, out, options);
    return out;
}

}  // namespace lkwebhook

#if LKWEBHOOK_HEADER_ONLY
#include "impl/encode.ipp"
#endif

#endif  // LKWEBHOOK_ENCODE_HPP
