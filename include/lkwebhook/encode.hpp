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
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "detail/schema_traits.hpp"
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

/// append_json_string, with the userinfo of a URL replaced by "[redacted]".
inline void append_json_string_redacting_userinfo(std::string& out, std::string_view text) {
    const std::string_view userinfo = url_userinfo(text);
    if (userinfo.empty()) {
        append_json_string(out, text);
        return;
    }
    const auto start = static_cast<std::size_t>(userinfo.data() - text.data());
    std::string redacted;
    redacted.reserve(text.size());
    redacted.append(text.substr(0, start)).append("[redacted]").append(text.substr(start + userinfo.size()));
    append_json_string(out, redacted);
}

template <class Int>
inline void append_integer(std::string& out, Int value, bool quoted) {
    std::array<char, 24> digits{};
    const auto [end, error] = std::to_chars(digits.data(), digits.data() + digits.size(), value);
    (void)error;  // 24 characters hold any 64-bit integer
    if (quoted) out.push_back('"');
    out.append(digits.data(), static_cast<std::size_t>(end - digits.data()));
    if (quoted) out.push_back('"');
}

inline void append_double(std::string& out, double value) {
    if (std::isnan(value)) {
        out.append("\"NaN\"");
        return;
    }
    if (std::isinf(value)) {
        out.append(value < 0 ? "\"-Infinity\"" : "\"Infinity\"");
        return;
    }
    std::array<char, 32> text{};
    // Shortest form that reads back to the same double, like Go and JS.
    const auto [end, error] = std::to_chars(text.data(), text.data() + text.size(), value);
    (void)error;
    out.append(text.data(), static_cast<std::size_t>(end - text.data()));
}

inline void write_message(std::string& out, const message_info& info, const void* message, const json_options& options);

inline void write_separator(std::string& out, const json_options& options) {
    out.append(options.comma_space ? ", " : ",");
}

inline void write_map(std::string& out, const string_map& map, const json_options& options) {
    out.push_back('{');
    bool sorted = true;
    for (std::size_t i = 1; i < map.size() && sorted; ++i) sorted = map[i - 1].first < map[i].first;
    const auto entry = [&](std::size_t i, bool first) {
        if (!first) write_separator(out, options);
        append_json_string(out, map[i].first);
        out.push_back(':');
        if (options.redact_credentials) {
            append_json_string_redacting_userinfo(out, map[i].second);
        } else {
            append_json_string(out, map[i].second);
        }
    };
    if (sorted) {
        for (std::size_t i = 0; i < map.size(); ++i) entry(i, i == 0);
    } else {
        // Rare (LiveKit sends sorted keys): sort an index, not the map.
        std::vector<std::size_t> order(map.size());
        for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
        std::sort(order.begin(), order.end(),
                  [&map](std::size_t a, std::size_t b) { return map[a].first < map[b].first; });
        for (std::size_t i = 0; i < order.size(); ++i) entry(order[i], i == 0);
    }
    out.push_back('}');
}

inline void write_value(std::string& out, const field_info& field, const void* value, const json_options& options) {
    switch (field.kind) {
        case field_kind::string:
            if (options.redact_credentials) {
                append_json_string_redacting_userinfo(out, *static_cast<const std::string*>(value));
            } else {
                append_json_string(out, *static_cast<const std::string*>(value));
            }
            return;
        case field_kind::boolean: out.append(*static_cast<const bool*>(value) ? "true" : "false"); return;
        case field_kind::int32: append_integer(out, *static_cast<const std::int32_t*>(value), false); return;
        case field_kind::uint32: append_integer(out, *static_cast<const std::uint32_t*>(value), false); return;
        case field_kind::int64: append_integer(out, *static_cast<const std::int64_t*>(value), true); return;
        case field_kind::uint64: append_integer(out, *static_cast<const std::uint64_t*>(value), true); return;
        case field_kind::float64: append_double(out, *static_cast<const double*>(value)); return;
        case field_kind::enumeration: {
            std::int32_t number = 0;
            std::memcpy(&number, value, sizeof number);
            const std::string_view name = field.enumeration->name_of(number);
            if (name.empty()) {
                append_integer(out, number, false);  // open enum: a value newer than this schema
            } else {
                out.push_back('"');
                out.append(name);
                out.push_back('"');
            }
            return;
        }
        case field_kind::message: write_message(out, *field.message(), value, options); return;
        case field_kind::map: write_map(out, *static_cast<const string_map*>(value), options); return;
    }
}

inline void write_message(std::string& out, const message_info& info, const void* message,
                          const json_options& options) {
    out.push_back('{');
    bool first = true;
    for (const field_info& field : info) {
        const void* storage = field.member_of(message);
        const std::size_t count = field.ops->size(storage);
        if (count == 0) continue;
        if (!first) write_separator(out, options);
        first = false;
        out.push_back('"');
        out.append(field.json_name);
        out.append("\":");
        if (field.credential && options.redact_credentials) {
            out.append("\"[redacted]\"");
        } else if (field.kind == field_kind::map) {
            write_map(out, *static_cast<const string_map*>(storage), options);
        } else if (field.label == field_label::repeated) {
            out.push_back('[');
            for (std::size_t i = 0; i < count; ++i) {
                if (i != 0) write_separator(out, options);
                write_value(out, field, field.ops->at(storage, i), options);
            }
            out.push_back(']');
        } else {
            write_value(out, field, field.ops->at(storage, 0), options);
        }
    }
    out.push_back('}');
}

}  // namespace detail

/// Appends the canonical proto3 JSON of `message` to `out` (no allocation
/// when `out` has enough capacity, except for the rare unsorted map).
template <proto_message Message>
inline void to_json(const Message& message, std::string& out, const json_options& options = {}) {
    detail::write_message(out, message_traits<Message>::info, &message, options);
}

/// The canonical proto3 JSON of `message`, on one line.
template <proto_message Message>
[[nodiscard]] inline std::string to_json(const Message& message, const json_options& options = {}) {
    std::string out;
    to_json(message, out, options);
    return out;
}

}  // namespace lkwebhook

#endif  // LKWEBHOOK_ENCODE_HPP
