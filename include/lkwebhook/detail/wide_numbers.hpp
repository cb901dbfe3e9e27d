#ifndef LKWEBHOOK_DETAIL_WIDE_NUMBERS_HPP
#define LKWEBHOOK_DETAIL_WIDE_NUMBERS_HPP

// Numbers that JSON allows but simdjson's DOM parser refuses (NUMBER_ERROR):
// integers outside int64/uint64 (20 digits and more) and numbers whose value
// overflows a double (1e400). The decoder (impl/decode.ipp) keeps the
// outcome such a body had when every number was read from its text: it is
// accepted where the number is ignored (an unknown member) or read as a
// double (a wide integer is a finite double), and refused everywhere else.
// So when a parse fails (NUMBER_ERROR in 3.0.1), narrow_wide_numbers() rewrites
// each such token in the private copy of the body into a number simdjson
// takes, no longer than the original (padded with spaces):
//  - a wide integer becomes its double's shortest digits with an exponent
//    ("18446744073709551616" -> "18446744073709552e3"), the same double an
//    exact conversion of the original gives;
//  - a number that overflows a double becomes "1e308" ("-1e308"), which
//    every typed field refuses (an integer: it has an exponent; a double:
//    |x| >= 1e308; any other kind: wrong type), as it refused the original.
// Tokens that are not valid JSON numbers are left as they are, so the
// reparse fails on them as the first parse did. Only for bodies that fail
// once: the common path never scans the text.

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string_view>
#include <system_error>

#include "text.hpp"

namespace lkwebhook::detail {

/// Whether a valid JSON number token would fail simdjson's DOM parse.
[[nodiscard]] inline bool is_wide_number(std::string_view token) noexcept {
    const bool integer = token.find_first_of(".eE") == std::string_view::npos;
    if (integer) {
        bool negative = false;
        std::uint64_t magnitude = 0;
        if (parse_integer(token, negative, magnitude) == integer_lexeme::out_of_range) return true;
        return negative && magnitude > std::uint64_t{1} << 63;
    }
    double value = 0;
    const auto [end, error] = std::from_chars(token.data(), token.data() + token.size(), value);
    (void)end;
    return error == std::errc::result_out_of_range && !is_below_one(token);
}

/// Writes the replacement of a wide number into `token` (see the header
/// comment); false when it would not fit, which the reasoning there rules
/// out for any token is_wide_number() accepts.
[[nodiscard]] inline bool narrow_number(char* token, std::size_t size) noexcept {
    const std::string_view text(token, size);
    double value = 0;
    const auto [parsed_end, parse_error] = std::from_chars(token, token + size, value);
    (void)parsed_end;
    char replacement[40];
    std::size_t length = 0;
    if (parse_error == std::errc::result_out_of_range || value != value ||
        value == std::numeric_limits<double>::infinity() || value == -std::numeric_limits<double>::infinity()) {
        constexpr std::string_view overflow = "-1e308";
        const std::string_view chosen = text[0] == '-' ? overflow : overflow.substr(1);
        std::memcpy(replacement, chosen.data(), chosen.size());
        length = chosen.size();
    } else {
        // Shortest round-trip digits, "d.ddde+XX": rewritten as integer
        // digits and an exponent ("dddd" "e" XX - (digits - 1)).
        char scientific[32];
        const auto [end, error] =
                std::to_chars(scientific, scientific + sizeof scientific, value, std::chars_format::scientific);
        if (error != std::errc{}) return false;
        const char* p = scientific;
        if (*p == '-') replacement[length++] = *p++;
        int digits = 0;
        for (; p < end && *p != 'e'; ++p) {
            if (*p == '.') continue;
            replacement[length++] = *p;
            ++digits;
        }
        if (p == end) return false;
        ++p;  // 'e'
        int exponent = 0;
        const auto [exponent_end, exponent_error] = std::from_chars(*p == '+' ? p + 1 : p, end, exponent);
        if (exponent_error != std::errc{} || exponent_end != end) return false;
        exponent -= digits - 1;
        replacement[length++] = 'e';
        const auto [written, write_error] =
                std::to_chars(replacement + length, replacement + sizeof replacement, exponent);
        if (write_error != std::errc{}) return false;
        length = static_cast<std::size_t>(written - replacement);
    }
    if (length > size) return false;
    std::memcpy(token, replacement, length);
    std::memset(token + length, ' ', size - length);
    return true;
}

/// Rewrites the wide numbers of `text` in place (see the header comment);
/// true when it changed anything. Linear in `size`.
inline bool narrow_wide_numbers(char* text, std::size_t size) noexcept {
    const auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
    const auto in_number = [&](char c) {
        return is_digit(c) || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
    };
    bool changed = false;
    bool in_string = false;
    for (std::size_t i = 0; i < size; ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\') {
                ++i;
            } else if (c == '"') {
                in_string = false;
            }
            continue;
        }
        if (c == '"') {
            in_string = true;
            continue;
        }
        if (c != '-' && !is_digit(c)) continue;
        std::size_t end = i + 1;
        while (end < size && in_number(text[end])) ++end;
        const std::string_view token(text + i, end - i);
        if (is_json_number(token) && is_wide_number(token) && narrow_number(text + i, end - i)) changed = true;
        i = end - 1;
    }
    return changed;
}

}  // namespace lkwebhook::detail

#endif  // LKWEBHOOK_DETAIL_WIDE_NUMBERS_HPP
