#ifndef LKWEBHOOK_DETAIL_TEXT_HPP
#define LKWEBHOOK_DETAIL_TEXT_HPP

// One home for the small text helpers every part of the library needs: hex
// digits, strict UTF-8, JSON string escaping, logfmt quoting and the strict
// JSON integer grammar. Internal; no dependency beyond the standard library,
// so any header may include it.

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>

namespace lkwebhook::detail {

/// The `sizeof(Word)` bytes at `bytes` as one machine word (any alignment):
/// the word-at-a-time scans and comparisons read through this.
template <class Word>
[[nodiscard]] inline Word load_word(const char* bytes) noexcept {
    Word word{};
    std::memcpy(&word, bytes, sizeof word);
    return word;
}

/// Byte equality of two ranges of `size` bytes, inline: the names compared
/// (JSON member and claim names) are short, and a call to the library's
/// memcmp costs more than the comparison. The last word overlaps the one
/// before it rather than being compared byte by byte (every load stays
/// inside both ranges).
[[nodiscard]] inline bool same_bytes(const char* a, const char* b, std::size_t size) noexcept {
    if (size >= 8) {
        for (std::size_t i = 0; i + 8 < size; i += 8) {
            if (load_word<std::uint64_t>(a + i) != load_word<std::uint64_t>(b + i)) return false;
        }
        return load_word<std::uint64_t>(a + size - 8) == load_word<std::uint64_t>(b + size - 8);
    }
    if (size >= 4) {
        return ((load_word<std::uint32_t>(a) ^ load_word<std::uint32_t>(b)) |
                (load_word<std::uint32_t>(a + size - 4) ^ load_word<std::uint32_t>(b + size - 4))) == 0;
    }
    for (std::size_t i = 0; i < size; ++i) {
        if (a[i] != b[i]) return false;
    }
    return true;
}

// ---- hex --------------------------------------------------------------------

/// Lower-case hex digits, indexed by nibble.
inline constexpr std::string_view hex_digits = "0123456789abcdef";

/// The two lower-case hex digits of a byte.
[[nodiscard]] constexpr std::array<char, 2> hex_byte(unsigned char byte) noexcept {
    return {hex_digits[byte >> 4], hex_digits[byte & 0xFu]};
}

/// Appends the lower-case hex digits of `size` bytes.
inline void append_hex(std::string& out, const unsigned char* bytes, std::size_t size) {
    for (std::size_t i = 0; i < size; ++i) {
        const auto digits = hex_byte(bytes[i]);
        out.append(digits.data(), digits.size());
    }
}

enum class hex_case { any, lower_only };

/// The value of a hex digit, or -1. With hex_case::lower_only an upper-case
/// digit is -1 too (a canonical lower-case encoding is expected).
[[nodiscard]] constexpr int hex_digit_value(char c, hex_case accepted = hex_case::any) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (accepted == hex_case::any && c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// ---- UTF-8 ------------------------------------------------------------------

/// Length of the valid UTF-8 sequence at text[i], or 0 if it is invalid
/// (RFC 3629: overlong forms, surrogates, > U+10FFFF and truncation are
/// invalid). Precondition: i < text.size().
[[nodiscard]] constexpr std::size_t utf8_sequence_length(std::string_view text, std::size_t i) noexcept {
    const auto at = [text](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char lead = at(i);
    if (lead < 0x80) return 1;
    std::size_t length = 0;
    unsigned char lo = 0x80;  // the range of the second byte
    unsigned char hi = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0) lo = 0xA0;  // overlong
        if (lead == 0xED) hi = 0x9F;  // UTF-16 surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0) lo = 0x90;  // overlong
        if (lead == 0xF4) hi = 0x8F;  // > U+10FFFF
    } else {
        return 0;
    }
    if (text.size() - i < length) return 0;
    if (at(i + 1) < lo || at(i + 1) > hi) return 0;
    for (std::size_t k = 2; k < length; ++k) {
        if ((at(i + k) & 0xC0) != 0x80) return 0;
    }
    return length;
}

/// Writes the UTF-8 encoding of `cp` (a Unicode scalar value: at most
/// U+10FFFF, no surrogate) to out[0..3]; returns its length.
constexpr std::size_t encode_utf8(std::uint32_t cp, char* out) noexcept {
    if (cp < 0x80) {
        out[0] = static_cast<char>(cp);
        return 1;
    }
    if (cp < 0x800) {
        out[0] = static_cast<char>(0xC0 | cp >> 6);
        out[1] = static_cast<char>(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = static_cast<char>(0xE0 | cp >> 12);
        out[1] = static_cast<char>(0x80 | (cp >> 6 & 0x3F));
        out[2] = static_cast<char>(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = static_cast<char>(0xF0 | cp >> 18);
    out[1] = static_cast<char>(0x80 | (cp >> 12 & 0x3F));
    out[2] = static_cast<char>(0x80 | (cp >> 6 & 0x3F));
    out[3] = static_cast<char>(0x80 | (cp & 0x3F));
    return 4;
}

// ---- JSON strings -----------------------------------------------------------

enum class json_escaping {
    /// The canonical encoding (encode.hpp): \" \\ \b \f \n \r \t, other
    /// control characters as \u00XX; each byte of invalid UTF-8 becomes
    /// U+FFFD, so the output is always valid JSON.
    canonical,
    /// As Go's encoding/json writes it (what a LiveKit server emits, so what
    /// the signer reproduces): \" \\ \n \r \t, other control characters and
    /// <, >, & as \u00XX, U+2028 and U+2029 as \u2028 and \u2029; invalid
    /// UTF-8 is refused.
    go,
};

/// Appends `text` as a quoted JSON string. Returns false (leaving `out`
/// partly written) only for invalid UTF-8 under json_escaping::go.
inline bool append_json_string(std::string& out, std::string_view text,
                               json_escaping style = json_escaping::canonical) {
    const bool go = style == json_escaping::go;
    out.push_back('"');
    std::size_t run = 0;  // start of the pending run of bytes copied verbatim
    std::size_t i = 0;
    while (i < text.size()) {
        const auto byte = static_cast<unsigned char>(text[i]);
        const bool html = go && (byte == '<' || byte == '>' || byte == '&');
        if (byte >= 0x20 && byte != '"' && byte != '\\' && byte < 0x80 && !html) {
            ++i;
            continue;
        }
        std::size_t length = 0;
        if (byte >= 0x80) {
            length = utf8_sequence_length(text, i);
            // U+2028 and U+2029 (E2 80 A8/A9) end a line in JavaScript.
            const bool line_separator = go && length == 3 && byte == 0xE2 &&
                                        static_cast<unsigned char>(text[i + 1]) == 0x80 &&
                                        (static_cast<unsigned char>(text[i + 2]) & 0xFE) == 0xA8;
            if (length != 0 && !line_separator) {
                i += length;
                continue;
            }
            if (length == 0 && go) return false;
        }
        out.append(text.data() + run, i - run);
        switch (byte) {
            case '"': out.append("\\\""); break;
            case '\\': out.append("\\\\"); break;
            case '\n': out.append("\\n"); break;
            case '\r': out.append("\\r"); break;
            case '\t': out.append("\\t"); break;
            case '\b':
            case '\f':
                if (!go) {
                    out.append(byte == '\b' ? "\\b" : "\\f");
                    break;
                }
                [[fallthrough]];
            default:
                if (byte < 0x80) {
                    const auto digits = hex_byte(byte);
                    out.append("\\u00");
                    out.append(digits.data(), digits.size());
                } else if (length == 3) {
                    out.append(static_cast<unsigned char>(text[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029");
                } else {
                    out.append("\\ufffd");
                }
        }
        i += length == 0 ? 1 : length;
        run = i;
    }
    out.append(text.data() + run, text.size() - run);
    out.push_back('"');
    return true;
}

// ---- logfmt -----------------------------------------------------------------

/// Appends `text` as a logfmt quoted value: "..." with `"` and `\` escaped
/// by a backslash. The text is library-generated or already escaped (a
/// diagnosis), so nothing else needs escaping.
inline void append_logfmt_quoted(std::string& out, std::string_view text) {
    out.push_back('"');
    for (const char c : text) {
        if (c == '"' || c == '\\') out.push_back('\\');
        out.push_back(c);
    }
    out.push_back('"');
}

// ---- integers ---------------------------------------------------------------

enum class integer_lexeme { ok, fraction_or_exponent, syntax, out_of_range };

/// Strict JSON integer: -?(0|[1-9][0-9]*), nothing else (no '+', spaces,
/// leading zeros, hex). `magnitude` saturates; out_of_range beyond 2^64-1.
/// True when all eight bytes of `word` are ASCII digits: every byte's high
/// nibble is 3, and adding 6 carries out of none of the low nibbles.
[[nodiscard]] constexpr bool eight_digits(std::uint64_t word) noexcept {
    constexpr std::uint64_t high_nibbles = 0xF0F0F0F0F0F0F0F0u;
    constexpr std::uint64_t threes = 0x3030303030303030u;
    return (word & high_nibbles) == threes && ((word + 0x0606060606060606u) & high_nibbles) == threes;
}

/// The value of eight ASCII digits loaded little-endian (the first digit in
/// the lowest byte): pairs, then quads, then the whole, each step one
/// multiply-add across lanes that cannot carry into each other.
[[nodiscard]] constexpr std::uint64_t eight_digits_value(std::uint64_t word) noexcept {
    word -= 0x3030303030303030u;
    word = (word * 10 + (word >> 8)) & 0x00FF00FF00FF00FFu;
    word = (word * 100 + (word >> 16)) & 0x0000FFFF0000FFFFu;
    return (word * 10000 + (word >> 32)) & 0xFFFFFFFFu;
}

[[nodiscard]] constexpr integer_lexeme parse_integer(std::string_view text, bool& negative,
                                                     std::uint64_t& magnitude) noexcept {
    std::size_t i = 0;
    negative = false;
    magnitude = 0;
    if (i < text.size() && text[i] == '-') {
        negative = true;
        ++i;
    }
    if (i == text.size()) return integer_lexeme::syntax;
    bool overflow = false;
    if (text[i] == '0') {
        ++i;
        if (i < text.size() && text[i] >= '0' && text[i] <= '9') return integer_lexeme::syntax;
    } else if (text[i] >= '1' && text[i] <= '9') {
        // One pass: 19 digits always fit in 64 bits; only a 20th needs a
        // check, and more than 20 cannot fit.
        const auto digit_at = [text](std::size_t k) {
            return static_cast<unsigned>(static_cast<unsigned char>(text[k])) - unsigned{'0'};
        };
        const std::size_t fast_end = std::min(text.size(), i + 19);
        if (!std::is_constant_evaluated() && std::endian::native == std::endian::little) {
            // Eight digits a step (a NumericDate has ten): the running value
            // stays below 10^19 because the steps end at fast_end.
            for (; i + 8 <= fast_end; i += 8) {
                const auto word = load_word<std::uint64_t>(text.data() + i);
                if (!eight_digits(word)) break;
                magnitude = magnitude * 100'000'000 + eight_digits_value(word);
            }
        }
        for (; i < fast_end; ++i) {
            const unsigned digit = digit_at(i);
            if (digit > 9) break;
            magnitude = magnitude * 10 + digit;
        }
        if (i == fast_end && i < text.size() && digit_at(i) <= 9) {
            const std::uint64_t digit = digit_at(i++);
            if (magnitude > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) {
                overflow = true;
            } else {
                magnitude = magnitude * 10 + digit;
            }
            for (; i < text.size() && digit_at(i) <= 9; ++i) overflow = true;
        }
    } else {
        return integer_lexeme::syntax;
    }
    if (i < text.size() && (text[i] == '.' || text[i] == 'e' || text[i] == 'E')) {
        return integer_lexeme::fraction_or_exponent;
    }
    if (i != text.size()) return integer_lexeme::syntax;
    return overflow ? integer_lexeme::out_of_range : integer_lexeme::ok;
}

/// RFC 8259 number grammar: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?
[[nodiscard]] constexpr bool is_json_number(std::string_view text) noexcept {
    std::size_t i = 0;
    const auto digits = [&]() {
        const std::size_t start = i;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
        return i > start;
    };
    if (i < text.size() && text[i] == '-') ++i;
    if (i < text.size() && text[i] == '0') {
        ++i;
    } else if (!digits()) {
        return false;
    }
    if (i < text.size() && text[i] == '.') {
        ++i;
        if (!digits()) return false;
    }
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        ++i;
        if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
        if (!digits()) return false;
    }
    return i == text.size();
}

/// Whether a JSON number (is_json_number holds) has an absolute value
/// below 1, from its text alone: the decimal exponent of its first
/// significant digit is negative. Tells an underflow of the conversion from
/// an overflow without looking at how the number is written: "1e-400",
/// "0.(400 zeros)1" and "0.001e-398" are all below one, "1e400" and
/// "100(398 zeros)" are not. Zero is below one.
[[nodiscard]] constexpr bool is_below_one(std::string_view text) noexcept {
    std::size_t i = 0;
    if (i < text.size() && text[i] == '-') ++i;
    const auto is_digit = [&](std::size_t k) { return k < text.size() && text[k] >= '0' && text[k] <= '9'; };
    // Decimal exponent of the first significant digit, before the explicit
    // exponent. Both terms are bounded by the text's length; the explicit
    // exponent saturates, so nothing here can overflow.
    std::int64_t lead = 0;
    bool significant = false;
    std::int64_t integer_digits = 0;
    for (; is_digit(i); ++i) {
        if (text[i] != '0' || significant) {
            significant = true;
            ++integer_digits;
        }
    }
    if (significant) {
        lead = integer_digits - 1;
    } else if (i < text.size() && text[i] == '.') {
        ++i;
        std::int64_t zeros = 0;
        for (; is_digit(i) && text[i] == '0'; ++i) ++zeros;
        if (!is_digit(i)) return true;  // 0.000: zero
        significant = true;
        lead = -(zeros + 1);
    }
    if (!significant) return true;  // 0 or 0e5: zero
    while (i < text.size() && text[i] != 'e' && text[i] != 'E') ++i;
    std::int64_t exponent = 0;
    if (i < text.size()) {
        ++i;
        bool negative = false;
        if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
        constexpr std::int64_t saturation = std::int64_t{1} << 40;
        for (; is_digit(i); ++i) {
            if (exponent < saturation) exponent = exponent * 10 + (text[i] - '0');
        }
        if (negative) exponent = -exponent;
    }
    return lead + exponent < 0;
}

[[nodiscard]] constexpr std::string_view trim_json_whitespace(std::string_view text) noexcept {
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\n' || text.back() == '\r')) {
        text.remove_suffix(1);
    }
    return text;
}

}  // namespace lkwebhook::detail

#endif  // LKWEBHOOK_DETAIL_TEXT_HPP
