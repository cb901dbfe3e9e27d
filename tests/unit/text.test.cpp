// detail/text.hpp: parse_integer, whose fast path reads eight digits a step,
// against a digit-by-digit reading of the same grammar written here.
#include <lkwebhook/detail/text.hpp>

#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <string_view>

#include "support/catch.hpp"

namespace {

using lkwebhook::detail::integer_lexeme;

struct reading {
    integer_lexeme lexeme;
    bool negative;
    std::uint64_t magnitude;  // meaningful when lexeme is ok
};

// -?(0|[1-9][0-9]*), then: '.', 'e' or 'E' is a fraction or exponent, any
// other byte is a syntax fault, and a value above 2^64 - 1 is out of range.
reading by_digit(std::string_view text) {
    std::size_t i = 0;
    reading r{integer_lexeme::ok, false, 0};
    if (i < text.size() && text[i] == '-') {
        r.negative = true;
        ++i;
    }
    const auto digit = [&](std::size_t k) { return k < text.size() && text[k] >= '0' && text[k] <= '9'; };
    if (!digit(i)) return {integer_lexeme::syntax, r.negative, 0};
    bool overflow = false;
    if (text[i] == '0') {
        ++i;
        if (digit(i)) return {integer_lexeme::syntax, r.negative, 0};
    } else {
        for (; digit(i); ++i) {
            const auto d = static_cast<std::uint64_t>(text[i] - '0');
            if (overflow || r.magnitude > (std::numeric_limits<std::uint64_t>::max() - d) / 10) {
                overflow = true;
            } else {
                r.magnitude = r.magnitude * 10 + d;
            }
        }
    }
    if (i < text.size() && (text[i] == '.' || text[i] == 'e' || text[i] == 'E'))
        return {integer_lexeme::fraction_or_exponent, r.negative, 0};
    if (i != text.size()) return {integer_lexeme::syntax, r.negative, 0};
    if (overflow) return {integer_lexeme::out_of_range, r.negative, 0};
    return r;
}

void check_same(const std::string& text) {
    bool negative = false;
    std::uint64_t magnitude = 0;
    const integer_lexeme got = lkwebhook::detail::parse_integer(text, negative, magnitude);
    const reading want = by_digit(text);
    INFO("text \"" << text << "\"");
    REQUIRE(static_cast<int>(got) == static_cast<int>(want.lexeme));
    if (got != integer_lexeme::ok) return;
    CHECK(negative == want.negative);
    CHECK(magnitude == want.magnitude);
}

}  // namespace

TEST_CASE("parse_integer reads the limits of uint64 and refuses one more", "[text][threat-G17]") {
    check_same("18446744073709551615");
    check_same("18446744073709551616");
    check_same("99999999999999999999");
    check_same("100000000000000000000");
    check_same("-9223372036854775808");
    check_same("9999999999999999999");
    check_same("10000000000000000000");
    check_same("1768459207");
    bool negative = true;
    std::uint64_t magnitude = 0;
    REQUIRE(lkwebhook::detail::parse_integer("18446744073709551615", negative, magnitude) == integer_lexeme::ok);
    CHECK(magnitude == std::numeric_limits<std::uint64_t>::max());
    CHECK_FALSE(negative);
    CHECK(lkwebhook::detail::parse_integer("18446744073709551616", negative, magnitude) ==
          integer_lexeme::out_of_range);
}

TEST_CASE("parse_integer: every byte at every position of digit runs decides as a digit-by-digit reading",
          "[text][threat-G17]") {
    // Lengths around the eight-digit steps (8, 16) and the 19-digit bound,
    // with one byte replaced at each position: a wrong digit test or lane
    // arithmetic in the fast path shows as a different lexeme or value.
    const std::string digits = "9876543210123456789012345";
    for (std::size_t length = 1; length <= 24; ++length) {
        for (const bool minus : {false, true}) {
            const std::string base = (minus ? "-" : "") + digits.substr(0, length);
            check_same(base);
            for (std::size_t at = 0; at < base.size(); ++at) {
                for (int byte = 0; byte < 256; ++byte) {
                    std::string text = base;
                    text[at] = static_cast<char>(byte);
                    check_same(text);
                }
            }
        }
    }
}

TEST_CASE("parse_integer agrees with a digit-by-digit reading on random digit strings", "[text][threat-G17]") {
    std::mt19937_64 random(20261201);
    const std::string alphabet = "0123456789000999-.eE+ x";
    for (int round = 0; round < 200'000; ++round) {
        const std::size_t length = random() % 26;
        std::string text;
        for (std::size_t k = 0; k < length; ++k) {
            // Mostly digits, so long runs reach the eight-digit steps.
            const bool plain = random() % 8 != 0;
            text.push_back(plain ? static_cast<char>('0' + random() % 10) : alphabet[random() % alphabet.size()]);
        }
        check_same(text);
    }
}

TEST_CASE("parse_integer reads the same at compile time", "[text]") {
    constexpr auto value = [](std::string_view text) {
        bool negative = false;
        std::uint64_t magnitude = 0;
        return lkwebhook::detail::parse_integer(text, negative, magnitude) == integer_lexeme::ok ? magnitude
                                                                                                 : ~std::uint64_t{0};
    };
    STATIC_REQUIRE(value("1768459207") == 1768459207u);
    STATIC_REQUIRE(value("12345678901234567890") == 12345678901234567890u);
    STATIC_REQUIRE(value("012") == ~std::uint64_t{0});
}
