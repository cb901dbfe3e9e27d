#ifndef LKWEBHOOK_IMPL_ENCODE_IPP
#define LKWEBHOOK_IMPL_ENCODE_IPP

// The encoder's implementation (encode.hpp is its interface): it walks the
// descriptor tables of detail/schema_traits.hpp. Included by encode.hpp in
// the default header-only mode, by <lkwebhook/src.hpp> only with
// LKWEBHOOK_SEPARATE_COMPILATION (config.hpp).

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "../config.hpp"
#include "../detail/schema_traits.hpp"
#include "../detail/text.hpp"
#include "../encode.hpp"
#include "../events.hpp"

namespace lkwebhook::detail {

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

LKWEBHOOK_DECL void write_message(std::string& out, const message_info& info, const void* message,
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

}  // namespace lkwebhook::detail

#endif  // LKWEBHOOK_IMPL_ENCODE_IPP
