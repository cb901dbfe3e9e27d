#ifndef LKWEBHOOK_DETAIL_JSON_TOKEN_HPP
#define LKWEBHOOK_DETAIL_JSON_TOKEN_HPP

// A small strict JSON scanner for the two tiny objects inside a JWT (the JOSE
// header and the claims), used before the MAC is checked, so it is written
// for hostile input:
//  - RFC 8259 grammar exactly: whitespace SP/HT/LF/CR only, no BOM, no
//    comments, no trailing bytes, numbers -?(0|[1-9]d*)(.d+)?([eE][+-]?d+)?,
//    the literals true/false/null, strings without raw control characters,
//    only the standard escapes, and \u surrogates correctly paired;
//  - strict UTF-8 (no overlong forms, no encoded surrogates, <= U+10FFFF);
//  - a nesting limit (the top-level object counts as depth 1);
//  - duplicate member names rejected at every depth, compared after
//    unescaping ({"\u0061lg":..} is "alg": tests/threats/catalogue.md D8, D9, E1). Each
//    object's names are sorted when it closes and adjacent names compared,
//    so the cost stays O(k log k) even for crafted names;
//  - iterative (no recursion), allocation-free, linear in the input apart
//    from that sort. The caller provides the scratch space for member names.
// The scanner reports each top-level member to a callback; nested values are
// validated and skipped. It never interprets anything itself.

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <type_traits>

#include "text.hpp"

namespace lkwebhook::detail {

enum class json_kind : std::uint8_t { string, number, object, array, boolean_true, boolean_false, null };

/// A top-level member value as the scanner saw it.
struct json_value {
    json_kind kind = json_kind::null;
    /// strings: the bytes between the quotes, still escaped; numbers: the
    /// lexeme; objects and arrays: the whole text including brackets.
    std::string_view raw{};
    bool escaped = false;  ///< string: contains a backslash escape
    bool integer = false;  ///< number: no fraction and no exponent
};

enum class json_error : std::uint8_t {
    none,
    syntax,            ///< not RFC 8259 JSON
    invalid_utf8,      ///< bytes that are not strict UTF-8
    too_deep,          ///< nesting beyond the limit
    duplicate_member,  ///< the same member name twice in one object
    not_object,        ///< valid start, but the top level is not an object
    trailing,          ///< bytes after the top-level value
    too_large,         ///< input or member count beyond the scanner's limits
};

[[nodiscard]] constexpr std::string_view to_string(json_error e) noexcept {
    switch (e) {
        case json_error::none: return "ok";
        case json_error::syntax: return "invalid JSON syntax";
        case json_error::invalid_utf8: return "invalid UTF-8";
        case json_error::too_deep: return "nesting too deep";
        case json_error::duplicate_member: return "duplicate member name";
        case json_error::not_object: return "not a JSON object";
        case json_error::trailing: return "trailing bytes after the object";
        case json_error::too_large: return "too large";
    }
    return "invalid JSON";
}

struct json_fault {
    json_error error = json_error::none;
    std::size_t offset = 0;  ///< byte offset in the scanned text
    [[nodiscard]] explicit operator bool() const noexcept { return error != json_error::none; }
};

/// Where the scanner keeps member names while their object is open. Four
/// bytes per name; the scanner's input is limited to 32 KiB.
struct json_name_slot {
    std::uint16_t offset;
    std::uint16_t length_and_flag;  ///< bit 15: the name contains escapes
};

/// An upper bound on the number of member names in `size` bytes of JSON
/// (each member needs at least `"":0` plus a separator).
[[nodiscard]] constexpr std::size_t json_max_names(std::size_t size) noexcept { return size / 4 + 1; }

inline constexpr std::size_t json_scanner_max_input = 32 * 1024;
inline constexpr int json_scanner_max_depth = 64;

/// Yields the unescaped UTF-8 bytes of a string the scanner already
/// validated (escape syntax and surrogate pairing are assumed correct).
class json_string_reader {
public:
    constexpr explicit json_string_reader(std::string_view raw) noexcept : raw_(raw) {}

    constexpr bool next(unsigned char& out) noexcept {
        if (pending_index_ < pending_size_) {
            out = static_cast<unsigned char>(pending_[pending_index_++]);
            return true;
        }
        if (pos_ >= raw_.size()) return false;
        const char c = raw_[pos_];
        if (c != '\\') {
            ++pos_;
            out = static_cast<unsigned char>(c);
            return true;
        }
        const char e = raw_[pos_ + 1];
        pos_ += 2;
        switch (e) {
            case 'b': out = '\b'; return true;
            case 'f': out = '\f'; return true;
            case 'n': out = '\n'; return true;
            case 'r': out = '\r'; return true;
            case 't': out = '\t'; return true;
            case 'u': break;
            default: out = static_cast<unsigned char>(e); return true;  // " \ /
        }
        std::uint32_t cp = read_hex4();
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            pos_ += 2;  // the "\u" of the low surrogate
            const std::uint32_t low = read_hex4();
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        }
        encode(cp);
        out = static_cast<unsigned char>(pending_[pending_index_++]);
        return true;
    }

private:
    constexpr std::uint32_t read_hex4() noexcept {
        std::uint32_t v = 0;
        for (int i = 0; i < 4; ++i)
            v = v << 4 | static_cast<std::uint32_t>(hex_digit_value(raw_[pos_ + static_cast<std::size_t>(i)]));
        pos_ += 4;
        return v;
    }
    constexpr void encode(std::uint32_t cp) noexcept {
        pending_index_ = 0;
        pending_size_ = static_cast<std::uint8_t>(encode_utf8(cp, pending_));
    }

    std::string_view raw_;
    std::size_t pos_ = 0;
    char pending_[4]{};
    std::uint8_t pending_size_ = 0;
    std::uint8_t pending_index_ = 0;
};

/// Three-way comparison of two validated JSON strings by their unescaped bytes.
[[nodiscard]] constexpr int json_string_compare(std::string_view a, bool a_escaped, std::string_view b,
                                                bool b_escaped) noexcept {
    if (!a_escaped && !b_escaped) {
        const int c = a.compare(b);
        return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    json_string_reader ra(a);
    json_string_reader rb(b);
    for (;;) {
        unsigned char ca = 0;
        unsigned char cb = 0;
        const bool ha = ra.next(ca);
        const bool hb = rb.next(cb);
        if (!ha || !hb) return ha == hb ? 0 : (ha ? 1 : -1);
        if (ca != cb) return ca < cb ? -1 : 1;
    }
}

/// Byte equality of short strings (text.hpp's same_bytes, or a plain loop
/// at compile time).
[[nodiscard]] constexpr bool json_same_bytes(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    if (!std::is_constant_evaluated()) return same_bytes(a.data(), b.data(), a.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i] != b[i]) return false;
    }
    return true;
}

/// True when the validated JSON string `raw` unescapes to exactly `literal`.
[[nodiscard]] constexpr bool json_string_equals(std::string_view raw, bool escaped, std::string_view literal) noexcept {
    if (!escaped) return json_same_bytes(raw, literal);
    return json_string_compare(raw, true, literal, false) == 0;
}

/// Unescapes a validated JSON string into `out` (capacity `capacity`, which
/// may alias `raw`: output never overtakes input). Returns the length, or
/// `capacity + 1` when the result does not fit.
constexpr std::size_t json_unescape(std::string_view raw, char* out, std::size_t capacity) noexcept {
    json_string_reader r(raw);
    std::size_t n = 0;
    unsigned char c = 0;
    while (r.next(c)) {
        if (n == capacity) return capacity + 1;
        out[n++] = static_cast<char>(c);
    }
    return n;
}

/// The most members the compact fast path of scan_json_object gathers.
inline constexpr std::size_t json_compact_max_members = 16;

/// One member as the compact fast path found it: where its name and value
/// lie in the scanned text. No member initializers, so the fast path's
/// array of them costs nothing to create; the path writes every field of
/// each member it reports.
struct json_compact_member {
    const char* key_data;
    std::uint32_t key_size;
    std::uint32_t value_size;
    const char* value_data;
    json_kind value_kind;  ///< string or number (an integer)

    [[nodiscard]] constexpr json_value key() const noexcept {
        return json_value{json_kind::string, std::string_view(key_data, key_size), false, false};
    }
    [[nodiscard]] constexpr json_value value() const noexcept {
        return json_value{value_kind, std::string_view(value_data, value_size), false, value_kind == json_kind::number};
    }
};

/// The length of the run of bytes at the start of `text` that a string can
/// hold unescaped and that need no UTF-8 check: printable ASCII other than
/// '"' and '\\'. Eight bytes at a time where the bytes can be loaded as one
/// little-endian word; each test below flags its lowest matching byte
/// exactly (borrows and carries only run upwards, out of a byte that is
/// itself flagged), so the lowest flag of their union is the run's end.
[[nodiscard]] constexpr std::size_t json_plain_run(std::string_view text) noexcept {
    std::size_t i = 0;
    if (!std::is_constant_evaluated() && std::endian::native == std::endian::little) {
        constexpr std::uint64_t ones = 0x0101010101010101u;
        constexpr std::uint64_t highs = 0x8080808080808080u;
        const auto zero_byte = [](std::uint64_t v) noexcept { return (v - ones) & ~v & highs; };
        for (; i + 8 <= text.size(); i += 8) {
            const auto x = load_word<std::uint64_t>(text.data() + i);
            const std::uint64_t control = (x - ones * 0x20) & ~x & highs;  // below 0x20
            const std::uint64_t high = ((x + ones) | x) & highs;           // 0x7F and above
            const std::uint64_t stop = control | high | zero_byte(x ^ (ones * '"')) | zero_byte(x ^ (ones * '\\'));
            if (stop != 0) return i + static_cast<std::size_t>(std::countr_zero(stop) >> 3);
        }
    }
    for (; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 || c >= 0x7F || c == '"' || c == '\\') break;
    }
    return i;
}

/// The fast path of scan_json_object for the compact, flat objects JWT
/// signers emit (`{"alg":"HS256","typ":"JWT"}`, LiveKit's claims): no
/// whitespace, at most 16 members, names and string values of printable
/// ASCII without escapes, values that are such strings or integers
/// (-?(0|[1-9][0-9]*)), no name twice, nothing after the closing brace.
/// Returns the member count, or -1 when `text` is outside that subset (the
/// general scanner then decides, so nothing is rejected here). Within the
/// subset the general scanner accepts exactly the same text and reports the
/// same members: no byte needs UTF-8 or escape handling, and names without
/// escapes are equal exactly when their bytes are.
[[nodiscard]] constexpr int scan_compact_flat_object(
        std::string_view text, std::array<json_compact_member, json_compact_max_members>& out) noexcept {
    const std::size_t size = text.size();
    const char* const data = text.data();
    if (size < 2 || data[0] != '{' || data[1] == '}') return -1;
    std::size_t pos = 1;
    // A string at pos: its content's start and size, pos left after it.
    const auto plain_string = [&](const char*& content, std::uint32_t& content_size) noexcept {
        if (pos >= size || data[pos] != '"') return false;
        const std::size_t start = ++pos;
        pos += json_plain_run(std::string_view(data + pos, size - pos));
        if (pos >= size || data[pos] != '"') return false;  // an escape, a control or non-ASCII byte, or the end
        content = data + start;
        content_size = static_cast<std::uint32_t>(pos - start);
        ++pos;
        return true;
    };
    std::size_t count = 0;
    for (;;) {
        if (count == out.size()) return -1;
        json_compact_member& member = out[count];
        if (!plain_string(member.key_data, member.key_size)) return -1;
        if (pos >= size || data[pos] != ':') return -1;
        ++pos;
        if (pos >= size) return -1;
        if (data[pos] == '"') {
            member.value_kind = json_kind::string;
            if (!plain_string(member.value_data, member.value_size)) return -1;
        } else {
            const std::size_t start = pos;
            if (data[pos] == '-') ++pos;
            if (pos >= size) return -1;
            if (data[pos] == '0') {
                ++pos;
            } else if (data[pos] >= '1' && data[pos] <= '9') {
                ++pos;
                if (!std::is_constant_evaluated()) {
                    // Eight digits a step: a NumericDate has ten.
                    while (pos + 8 <= size && eight_digits(load_word<std::uint64_t>(data + pos))) pos += 8;
                }
                while (pos < size && static_cast<unsigned char>(data[pos] - '0') < 10) ++pos;
            } else {
                return -1;  // a literal, an object or an array: the general scanner
            }
            // A fraction or exponent is caught below: '.', 'e' and 'E' are
            // neither ',' nor '}'.
            member.value_kind = json_kind::number;
            member.value_data = data + start;
            member.value_size = static_cast<std::uint32_t>(pos - start);
        }
        const std::string_view name(member.key_data, member.key_size);
        for (std::size_t i = 0; i < count; ++i) {
            if (json_same_bytes(std::string_view(out[i].key_data, out[i].key_size), name))
                return -1;  // a duplicate: reported by the general scanner
        }
        ++count;
        if (pos >= size) return -1;
        if (data[pos] == ',') {
            ++pos;
            continue;
        }
        if (data[pos] == '}' && pos + 1 == size) return static_cast<int>(count);
        return -1;
    }
}

/// Scans `text`, which must be a single JSON object, calling
/// `on_member(key, value)` for every top-level member (key.kind is string).
/// `names` is scratch for member names: json_max_names(text.size()) slots
/// always suffice. Returns the first fault, or an empty fault on success.
/// When a fault is returned the callback may already have seen members;
/// callers must discard what it recorded.
template <class OnMember>
[[nodiscard]] json_fault scan_json_object(std::string_view text, int max_depth, std::span<json_name_slot> names,
                                          OnMember&& on_member) noexcept {
    if (text.size() > json_scanner_max_input) return {json_error::too_large, 0};
    if (max_depth > json_scanner_max_depth) max_depth = json_scanner_max_depth;
    if (max_depth < 1) return {json_error::too_deep, 0};
    {
        std::array<json_compact_member, json_compact_max_members> compact;
        const int count = scan_compact_flat_object(text, compact);
        if (count >= 0 && static_cast<std::size_t>(count) <= names.size()) {
            for (int i = 0; i < count; ++i) {
                const json_compact_member& m = compact[static_cast<std::size_t>(i)];
                const json_value key = m.key();
                const json_value value = m.value();
                on_member(key, value);
            }
            return {};
        }
    }

    struct frame {
        bool object;
        std::uint32_t first_name;  // index of this object's first name slot
    };
    frame stack[json_scanner_max_depth];
    int depth = 0;
    std::size_t name_count = 0;
    std::size_t pos = 0;
    const std::size_t size = text.size();
    const auto byte = [&](std::size_t i) noexcept { return static_cast<unsigned char>(text[i]); };
    const auto skip_ws = [&]() noexcept {
        while (pos < size) {
            const char c = text[pos];
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
            ++pos;
        }
    };
    const auto name_view = [&](const json_name_slot& s) noexcept {
        return text.substr(s.offset, static_cast<std::size_t>(s.length_and_flag & 0x7FFF));
    };
    const auto name_escaped = [](const json_name_slot& s) noexcept { return (s.length_and_flag & 0x8000) != 0; };

    // Scans a string starting at the opening quote; leaves pos after the
    // closing quote. On success sets content/escaped.
    std::string_view content{};
    bool escaped = false;
    const auto scan_string = [&]() noexcept -> json_fault {
        const std::size_t start = ++pos;
        escaped = false;
        for (;;) {
            if (pos >= size) return {json_error::syntax, pos};
            const unsigned char c = byte(pos);
            if (c == '"') {
                content = text.substr(start, pos - start);
                ++pos;
                return {};
            }
            if (c < 0x20) return {json_error::syntax, pos};
            if (c == '\\') {
                escaped = true;
                if (pos + 1 >= size) return {json_error::syntax, pos};
                const char e = text[pos + 1];
                if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't') {
                    pos += 2;
                    continue;
                }
                if (e != 'u') return {json_error::syntax, pos};
                const auto hex4 = [&](std::size_t at, std::uint32_t& v) noexcept {
                    if (at + 4 > size) return false;
                    v = 0;
                    for (std::size_t i = 0; i < 4; ++i) {
                        const int d = hex_digit_value(text[at + i]);
                        if (d < 0) return false;
                        v = v << 4 | static_cast<std::uint32_t>(d);
                    }
                    return true;
                };
                std::uint32_t cp = 0;
                if (!hex4(pos + 2, cp)) return {json_error::syntax, pos};
                if (cp >= 0xDC00 && cp <= 0xDFFF) return {json_error::syntax, pos};  // lone low surrogate
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    std::uint32_t low = 0;
                    if (pos + 7 >= size || text[pos + 6] != '\\' || text[pos + 7] != 'u' || !hex4(pos + 8, low) ||
                        low < 0xDC00 || low > 0xDFFF)
                        return {json_error::syntax, pos};
                    pos += 12;
                } else {
                    pos += 6;
                }
                continue;
            }
            if (c < 0x80) {
                // Fast path: a run of plain printable ASCII, on a local index.
                std::size_t p = pos + 1;
                while (p < size) {
                    const unsigned char d = byte(p);
                    if (d < 0x20 || d >= 0x80 || d == '"' || d == '\\') break;
                    ++p;
                }
                pos = p;
                continue;
            }
            const std::size_t length = utf8_sequence_length(text, pos);  // strict (RFC 3629)
            if (length == 0) return {json_error::invalid_utf8, pos};
            pos += length;
        }
    };

    bool integer = false;
    const auto scan_number = [&]() noexcept -> json_fault {
        integer = true;
        if (text[pos] == '-') ++pos;
        if (pos >= size) return {json_error::syntax, pos};
        if (text[pos] == '0') {
            ++pos;
        } else if (text[pos] >= '1' && text[pos] <= '9') {
            while (pos < size && text[pos] >= '0' && text[pos] <= '9') ++pos;
        } else {
            return {json_error::syntax, pos};
        }
        if (pos < size && text[pos] == '.') {
            integer = false;
            ++pos;
            if (pos >= size || text[pos] < '0' || text[pos] > '9') return {json_error::syntax, pos};
            while (pos < size && text[pos] >= '0' && text[pos] <= '9') ++pos;
        }
        if (pos < size && (text[pos] == 'e' || text[pos] == 'E')) {
            integer = false;
            ++pos;
            if (pos < size && (text[pos] == '+' || text[pos] == '-')) ++pos;
            if (pos >= size || text[pos] < '0' || text[pos] > '9') return {json_error::syntax, pos};
            while (pos < size && text[pos] >= '0' && text[pos] <= '9') ++pos;
        }
        return {};
    };

    // Sorts the names of the object that is closing and looks for neighbours
    // that are equal after unescaping.
    const auto close_object = [&]() noexcept -> json_fault {
        const frame& f = stack[depth - 1];
        auto first = names.begin() + static_cast<std::ptrdiff_t>(f.first_name);
        auto last = names.begin() + static_cast<std::ptrdiff_t>(name_count);
        std::sort(first, last, [&](const json_name_slot& a, const json_name_slot& b) noexcept {
            return json_string_compare(name_view(a), name_escaped(a), name_view(b), name_escaped(b)) < 0;
        });
        for (auto it = first; it != last && it + 1 != last; ++it) {
            if (json_string_compare(name_view(*it), name_escaped(*it), name_view(*(it + 1)), name_escaped(*(it + 1))) ==
                0)
                return {json_error::duplicate_member, (it + 1)->offset};
        }
        name_count = f.first_name;
        return {};
    };

    skip_ws();
    if (pos >= size) return {json_error::syntax, pos};
    if (text[pos] != '{') {
        // Distinguish "valid JSON, wrong type" only by the first byte; either
        // way the caller rejects it.
        const char c = text[pos];
        const bool value_start =
                c == '[' || c == '"' || c == '-' || (c >= '0' && c <= '9') || c == 't' || c == 'f' || c == 'n';
        return {value_start ? json_error::not_object : json_error::syntax, pos};
    }

    // State machine: expecting a value, or a value just ended.
    json_value member_key{};
    std::size_t member_value_start = 0;
    json_kind member_value_kind = json_kind::null;
    bool member_value_escaped = false;
    bool member_value_integer = false;

    for (;;) {
        // ---- expect a value at `pos`
        skip_ws();
        if (pos >= size) return {json_error::syntax, pos};
        const char c = text[pos];
        bool value_done = false;
        if (depth == 1 && stack[0].object) member_value_start = pos;
        if (c == '{' || c == '[') {
            if (depth >= max_depth) return {json_error::too_deep, pos};
            stack[depth++] = frame{c == '{', static_cast<std::uint32_t>(name_count)};
            if (depth == 2) member_value_kind = c == '{' ? json_kind::object : json_kind::array;
            ++pos;
            skip_ws();
            if (pos < size && text[pos] == (c == '{' ? '}' : ']')) {
                if (c == '{') {
                    if (auto f = close_object()) return f;
                }
                --depth;
                ++pos;
                value_done = true;
            } else if (c == '[') {
                continue;  // expect the first element
            }
            // else: fall through to "expect a member name"
        } else if (c == '"') {
            if (auto f = scan_string()) return f;
            if (depth == 1) {
                member_value_kind = json_kind::string;
                member_value_escaped = escaped;
            }
            value_done = true;
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            if (auto f = scan_number()) return f;
            if (depth == 1) {
                member_value_kind = json_kind::number;
                member_value_integer = integer;
            }
            value_done = true;
        } else {
            json_kind kind = json_kind::null;
            std::string_view literal;
            if (c == 't') {
                literal = "true";
                kind = json_kind::boolean_true;
            } else if (c == 'f') {
                literal = "false";
                kind = json_kind::boolean_false;
            } else if (c == 'n') {
                literal = "null";
                kind = json_kind::null;
            } else {
                return {json_error::syntax, pos};
            }
            if (text.substr(pos, literal.size()) != literal) return {json_error::syntax, pos};
            pos += literal.size();
            if (depth == 1) member_value_kind = kind;
            value_done = true;
        }

        // ---- after a value: separators, closing brackets, member names
        for (;;) {
            if (value_done) {
                if (depth == 0) {
                    skip_ws();
                    if (pos != size) return {json_error::trailing, pos};
                    return {};
                }
                if (depth == 1) {
                    json_value v{};
                    v.kind = member_value_kind;
                    v.raw = text.substr(member_value_start, pos - member_value_start);
                    if (v.kind == json_kind::string) {
                        v.raw = v.raw.substr(1, v.raw.size() - 2);
                        v.escaped = member_value_escaped;
                    }
                    v.integer = v.kind == json_kind::number && member_value_integer;
                    on_member(static_cast<const json_value&>(member_key), static_cast<const json_value&>(v));
                }
                skip_ws();
                if (pos >= size) return {json_error::syntax, pos};
                const frame& top = stack[depth - 1];
                const char s = text[pos];
                if (s == ',') {
                    ++pos;
                    if (!top.object) break;  // expect the next element
                    skip_ws();
                } else if (s == (top.object ? '}' : ']')) {
                    if (top.object) {
                        if (auto f = close_object()) return f;
                    }
                    --depth;
                    ++pos;
                    continue;  // a container value just ended
                } else {
                    return {json_error::syntax, pos};
                }
            }
            // ---- expect a member name (we are inside an object)
            if (pos >= size || text[pos] != '"') return {json_error::syntax, pos};
            const std::size_t name_start = pos + 1;
            if (auto f = scan_string()) return f;
            if (name_count >= names.size()) return {json_error::too_large, name_start};
            names[name_count++] = json_name_slot{static_cast<std::uint16_t>(name_start),
                                                 static_cast<std::uint16_t>(content.size() | (escaped ? 0x8000u : 0u))};
            if (depth == 1) {
                member_key = json_value{json_kind::string, content, escaped, false};
                member_value_escaped = false;
                member_value_integer = false;
            }
            skip_ws();
            if (pos >= size || text[pos] != ':') return {json_error::syntax, pos};
            ++pos;
            break;  // expect the member's value
        }
    }
}

}  // namespace lkwebhook::detail

#endif  // LKWEBHOOK_DETAIL_JSON_TOKEN_HPP
