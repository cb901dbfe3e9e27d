#ifndef LKWEBHOOK_DETAIL_BASE64URL_HPP
#define LKWEBHOOK_DETAIL_BASE64URL_HPP

// Strict, canonical base64url (RFC 4648 section 5, no padding) as JWS
// requires (RFC 7515 section 2). OpenSSL's decoder is lax by design (it skips
// whitespace and accepts padding and the standard alphabet), and lax decoding
// makes tokens malleable (tests/threats/catalogue.md B3-B5), so this one is ours:
//  - alphabet [A-Za-z0-9_-] only: no '=', '+', '/', whitespace or '%';
//  - length != 1 (mod 4), an impossible length;
//  - the unused low bits of the last character are zero, so exactly one
//    string encodes each byte sequence.
// Everything here is constexpr, allocation-free and works on caller-sized
// buffers. Decoding never reads past the input and never writes past the
// output capacity.

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

namespace lkwebhook::detail {

/// Value of a base64url character, or 0xff for anything outside the alphabet.
inline constexpr std::array<std::uint8_t, 256> base64url_values = [] {
    std::array<std::uint8_t, 256> table{};
    for (auto& v : table) v = 0xff;
    constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (std::size_t i = 0; i < alphabet.size(); ++i)
        table[static_cast<unsigned char>(alphabet[i])] = static_cast<std::uint8_t>(i);
    return table;
}();

inline constexpr std::string_view base64url_alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Number of bytes a canonical unpadded base64url text of `length` characters
/// decodes to. Meaningless for length % 4 == 1 (callers reject that first).
[[nodiscard]] constexpr std::size_t base64url_decoded_size(std::size_t length) noexcept {
    const std::size_t rem = length % 4;
    return length / 4 * 3 + (rem == 2 ? 1 : rem == 3 ? 2 : 0);
}

/// Characters needed to encode `size` bytes without padding.
[[nodiscard]] constexpr std::size_t base64url_encoded_size(std::size_t size) noexcept {
    return size / 3 * 4 + (size % 3 == 1 ? 2 : size % 3 == 2 ? 3 : 0);
}

/// True when the length and the unused trailing bits of `text` are
/// canonical, assuming every character is already known to be in the
/// alphabet (split_token checks that in its single scan).
[[nodiscard]] constexpr bool base64url_tail_is_canonical(std::string_view text) noexcept {
    const std::size_t rem = text.size() % 4;
    if (rem == 1) return false;
    if (rem == 0) return true;
    const std::uint8_t last = base64url_values[static_cast<unsigned char>(text.back())];
    const std::uint8_t unused_mask = rem == 2 ? 0x0f : 0x03;  // 4 or 2 bits carry no data
    return (last & unused_mask) == 0;
}

/// True when `text` is canonical unpadded base64url (possibly empty).
/// Checks alphabet, length and zero trailing bits; decodes nothing.
[[nodiscard]] constexpr bool is_canonical_base64url(std::string_view text) noexcept {
    for (char c : text)
        if (base64url_values[static_cast<unsigned char>(c)] == 0xff) return false;
    return base64url_tail_is_canonical(text);
}

/// The decoder's tables: base64url_quad_values[k][c] is the value of
/// character `c` at position k of a group of four, its bits already where
/// the group's three output bytes hold them with the first byte lowest
/// (bits 0-7, 8-15, 16-23: character 1 feeds bytes 0 and 1, character 2
/// bytes 1 and 2), or bit 31 for a character outside the alphabet. A group
/// then decodes with four lookups and three ORs, and on a little-endian
/// machine two groups' six bytes are one word in memory order.
inline constexpr std::array<std::array<std::uint32_t, 256>, 4> base64url_quad_values = [] {
    std::array<std::array<std::uint32_t, 256>, 4> tables{};
    for (std::size_t c = 0; c < 256; ++c) {
        const std::uint32_t v = base64url_values[c];
        if (v == 0xff) {
            for (auto& table : tables) table[c] = 0x80000000u;
            continue;
        }
        tables[0][c] = v << 2;                             // byte 0, bits 2-7
        tables[1][c] = (v >> 4) | (v & 0x0Fu) << 12;       // byte 0 bits 0-1, byte 1 bits 4-7
        tables[2][c] = (v >> 2) << 8 | (v & 0x03u) << 22;  // byte 1 bits 0-3, byte 2 bits 6-7
        tables[3][c] = v << 16;                            // byte 2, bits 0-5
    }
    return tables;
}();

/// Decodes canonical unpadded base64url into `out` (capacity `capacity`).
/// Returns the number of bytes written, or -1 when the text is not canonical
/// base64url or does not fit. Never writes more than `capacity` bytes (the
/// size is checked before anything is written). One pass: characters
/// outside the alphabet set bit 31, which is collected and checked at the
/// end (the partial output is then meaningless and -1 is returned).
[[nodiscard]] constexpr std::ptrdiff_t decode_base64url(std::string_view text, unsigned char* out,
                                                        std::size_t capacity) noexcept {
    if (text.size() % 4 == 1) return -1;
    const std::size_t size = base64url_decoded_size(text.size());
    if (size > capacity) return -1;
    const auto& q = base64url_quad_values;
    const auto at = [text](std::size_t i) noexcept { return static_cast<unsigned char>(text[i]); };
    std::uint32_t bad = 0;
    std::size_t o = 0;
    std::size_t i = 0;
    if (!std::is_constant_evaluated() && std::endian::native == std::endian::little) {
        // Two groups a step, their six bytes stored as one eight-byte word
        // while eight bytes remain of the output (the last two are rewritten
        // by the next step): a third fewer instructions than byte stores.
        for (; i + 8 <= text.size() && o + 8 <= size; i += 8, o += 6) {
            const std::uint32_t first = q[0][at(i)] | q[1][at(i + 1)] | q[2][at(i + 2)] | q[3][at(i + 3)];
            const std::uint32_t second = q[0][at(i + 4)] | q[1][at(i + 5)] | q[2][at(i + 6)] | q[3][at(i + 7)];
            bad |= first | second;
            const std::uint64_t word = std::uint64_t{first} | std::uint64_t{second} << 24;  // bytes 0-5, lowest first
            std::memcpy(out + o, &word, sizeof word);
        }
    }
    for (; i + 4 <= text.size(); i += 4) {
        const std::uint32_t v = q[0][at(i)] | q[1][at(i + 1)] | q[2][at(i + 2)] | q[3][at(i + 3)];
        bad |= v;
        out[o] = static_cast<unsigned char>(v);
        out[o + 1] = static_cast<unsigned char>(v >> 8);
        out[o + 2] = static_cast<unsigned char>(v >> 16);
        o += 3;
    }
    const std::size_t rem = text.size() - i;
    if (rem >= 2) {
        std::uint32_t v = q[0][at(i)] | q[1][at(i + 1)];
        if (rem == 3) v |= q[2][at(i + 2)];
        bad |= v;
        out[o++] = static_cast<unsigned char>(v);
        if (rem == 3) out[o++] = static_cast<unsigned char>(v >> 8);
    }
    if ((bad & 0x80000000u) != 0 || !base64url_tail_is_canonical(text)) return -1;
    return static_cast<std::ptrdiff_t>(o);
}

/// Encodes `size` bytes as unpadded base64url into `out`, which must hold
/// base64url_encoded_size(size) characters. Returns the characters written.
/// Used by the signer on public data only (the MAC it outputs is sent in the
/// clear anyway); the verifier never encodes secret-derived bytes (C5).
constexpr std::size_t encode_base64url(const unsigned char* data, std::size_t size, char* out) noexcept {
    std::size_t o = 0;
    std::size_t i = 0;
    for (; i + 3 <= size; i += 3) {
        const std::uint32_t v = static_cast<std::uint32_t>(data[i]) << 16 |
                                static_cast<std::uint32_t>(data[i + 1]) << 8 | static_cast<std::uint32_t>(data[i + 2]);
        out[o++] = base64url_alphabet[(v >> 18) & 63];
        out[o++] = base64url_alphabet[(v >> 12) & 63];
        out[o++] = base64url_alphabet[(v >> 6) & 63];
        out[o++] = base64url_alphabet[v & 63];
    }
    const std::size_t rem = size - i;
    if (rem != 0) {
        std::uint32_t v = static_cast<std::uint32_t>(data[i]) << 16;
        if (rem == 2) v |= static_cast<std::uint32_t>(data[i + 1]) << 8;
        out[o++] = base64url_alphabet[(v >> 18) & 63];
        out[o++] = base64url_alphabet[(v >> 12) & 63];
        if (rem == 2) out[o++] = base64url_alphabet[(v >> 6) & 63];
    }
    return o;
}

}  // namespace lkwebhook::detail

#endif  // LKWEBHOOK_DETAIL_BASE64URL_HPP
