// Strict canonical base64url (detail/base64url.hpp): RFC 4648 test vectors,
// and every way a lax decoder would accept more.
#include <lkwebhook/detail/base64url.hpp>

#include <array>
#include <string>
#include <string_view>

#include "support/catch.hpp"

namespace b = lkwebhook::detail;

namespace {
std::string decode(std::string_view text) {
    std::array<unsigned char, 64> out{};
    const auto n = b::decode_base64url(text, out.data(), out.size());
    if (n < 0) return "<invalid>";
    return std::string(reinterpret_cast<const char*>(out.data()), static_cast<std::size_t>(n));
}
std::string encode(std::string_view bytes) {
    std::string out(b::base64url_encoded_size(bytes.size()), '\0');
    CHECK(b::encode_base64url(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), out.data()) ==
          out.size());
    return out;
}
}  // namespace

TEST_CASE("RFC 4648 section 10 vectors round-trip without padding", "[base64url]") {
    const std::pair<std::string_view, std::string_view> rows[] = {
            {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},         {"foo", "Zm9v"},
            {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}};
    for (const auto& [plain, coded] : rows) {
        CHECK(encode(plain) == coded);
        CHECK(decode(coded) == plain);
        CHECK(b::is_canonical_base64url(coded));
    }
}

TEST_CASE("the URL-safe alphabet is used for 62 and 63", "[base64url][threat-B3]") {
    CHECK(encode("\xfb\xff") == "-_8");
    CHECK(decode("-_8") == "\xfb\xff");
    CHECK(decode("+/8") == "<invalid>");
}

TEST_CASE("padding, whitespace, percent-encoding and foreign bytes are rejected", "[base64url][threat-B3]") {
    for (std::string_view bad :
         {std::string_view("Zg=="), std::string_view("Zg="), std::string_view("Zm9v\n"), std::string_view(" Zm9v"),
          std::string_view("Zm 9v"), std::string_view("Zm9v%3d"), std::string_view("Zm9v\0AAA", 8),
          std::string_view("Zm9\xc3\xa9"), std::string_view("Zm9v."), std::string_view("Zm9v*")})
        CHECK(decode(bad) == "<invalid>");
}

TEST_CASE("a length of 1 mod 4 is rejected", "[base64url][threat-B4]") {
    CHECK(decode("Z") == "<invalid>");
    CHECK(decode("Zm9vY") == "<invalid>");
    CHECK_FALSE(b::is_canonical_base64url("AAAAA"));
}

TEST_CASE("non-zero unused trailing bits are rejected", "[base64url][threat-B5]") {
    CHECK(decode("Zg") == "f");
    for (std::string_view bad : {"Zh", "Zi", "Zj", "Zv"}) CHECK(decode(bad) == "<invalid>");  // 4 unused bits
    CHECK(decode("Zm8") == "fo");
    for (std::string_view bad : {"Zm9", "Zm-", "Zm_"}) CHECK(decode(bad) == "<invalid>");  // 2 unused bits
}

TEST_CASE("decoding never writes past the given capacity", "[base64url]") {
    std::array<unsigned char, 4> out{};
    CHECK(b::decode_base64url("Zm9vYmFy", out.data(), 5) == -1);
    CHECK(b::decode_base64url("Zm9vYg", out.data(), 4) == 4);
    CHECK(b::base64url_decoded_size(43) == 32);
    CHECK(b::base64url_encoded_size(32) == 43);
}

TEST_CASE("every byte round-trips and decoding is a bijection on canonical text", "[base64url]") {
    std::string all;
    for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
    for (std::size_t len = 0; len <= 40; ++len) {
        const std::string part = all.substr(len * 5 % 200, len);
        const std::string coded = encode(part);
        CHECK(b::is_canonical_base64url(coded));
        CHECK(decode(coded) == part);
    }
}

TEST_CASE("decoding works at compile time", "[base64url]") {
    constexpr auto ok = [] {
        std::array<unsigned char, 3> out{};
        return b::decode_base64url("Zm9v", out.data(), out.size()) == 3 && out[0] == 'f' && out[2] == 'o';
    }();
    STATIC_REQUIRE(ok);
}

TEST_CASE("every byte at every position of a group decodes as the alphabet says", "[base64url][threat-B3]") {
    // The decoder looks each character up in a table per position of its
    // group of four; a wrong entry in any of the four would show here.
    const std::string_view alphabet = b::base64url_alphabet;
    for (std::size_t length : {4u, 8u, 7u, 6u}) {
        for (std::size_t position = 0; position < length; ++position) {
            for (int byte = 0; byte < 256; ++byte) {
                std::string text(length, 'A');
                text[position] = static_cast<char>(byte);
                const std::size_t value = alphabet.find(static_cast<char>(byte));
                std::array<unsigned char, 6> out{};
                const std::ptrdiff_t n = b::decode_base64url(text, out.data(), out.size());
                // The unused bits of a last partial group must be zero.
                const std::size_t rem = length % 4;
                const bool last = position == length - 1 && rem != 0;
                const std::size_t unused_mask = rem == 2 ? 0x0f : 0x03;
                const bool canonical = value != std::string_view::npos && !(last && (value & unused_mask) != 0);
                INFO("length " << length << ", position " << position << ", byte " << byte);
                if (!canonical) {
                    CHECK(n == -1);
                    continue;
                }
                REQUIRE(n == static_cast<std::ptrdiff_t>(b::base64url_decoded_size(length)));
                // The character's six bits sit at bit 6 * position of the big-endian output.
                std::size_t got = 0;
                const std::size_t bit = 6 * position;
                for (std::size_t k = 0; k < 6; ++k) {
                    const std::size_t at = bit + k;
                    got = got << 1 | ((out[at / 8] >> (7 - at % 8)) & 1u);
                }
                CHECK(got == value);
                for (std::size_t other = 0; other < static_cast<std::size_t>(n) * 8; ++other)
                    if (other < bit || other >= bit + 6) CHECK(((out[other / 8] >> (7 - other % 8)) & 1u) == 0);
            }
        }
    }
}
