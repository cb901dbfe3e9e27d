#ifndef LKWEBHOOK_TOKEN_HPP
#define LKWEBHOOK_TOKEN_HPP

// The pieces of HS256 JWT verification, in the order of tests/threats/catalogue.md#order
// (steps 2 to 6). verify.hpp strings them together; they are public so that
// tests, tools and unusual hosts can run a step alone. Every function is
// noexcept, allocation-free and reports errors as errc plus an optional
// diagnosis (catalogue L1, L6: library-generated text, offsets, lengths,
// seconds; never secrets, signatures or whole tokens). The pieces append to
// `why` and never clear it (verify() clears it once per request).

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "detail/base64url.hpp"
#include "detail/json_token.hpp"
#include "detail/openssl.hpp"
#include "detail/text.hpp"
#include "error.hpp"
#include "result.hpp"

namespace lkwebhook {

/// Decoded JOSE header cap (catalogue.md#order step 3, B7).
inline constexpr std::size_t max_header_json_bytes = 1024;
/// Decoded claims cap (step 4, B7).
inline constexpr std::size_t max_claims_json_bytes = 8 * 1024;
/// Nesting caps; the top-level object counts as depth 1.
inline constexpr int max_header_depth = 4;
inline constexpr int max_claims_depth = 16;
/// Largest accepted NumericDate: 9999-12-31T23:59:59Z (E6).
inline constexpr std::int64_t max_numeric_date = 253402300799;
/// An HS256 signature is 32 bytes: exactly 43 base64url characters (B6).
inline constexpr std::size_t signature_chars = 43;

/// Removes leading and trailing SP and HTAB (HTTP optional whitespace, A5).
[[nodiscard]] constexpr std::string_view trim_ows(std::string_view v) noexcept {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    return v;
}

/// The three segments of a compact JWS, as views into the caller's
/// Authorization value (nothing is copied; they live as long as that value).
struct token_segments {
    std::string_view header;         ///< base64url JOSE header
    std::string_view payload;        ///< base64url claims
    std::string_view signature;      ///< base64url signature, exactly 43 characters
    std::string_view signing_input;  ///< `header "." payload` exactly as received (C3)
    bool bearer_prefix_stripped = false;
};

/// Step 2: token syntax. `value` is the Authorization value after trim_ows.
/// Strips an optional `Bearer` scheme (case-insensitive, then one or more SP)
/// when `allow_bearer_prefix`; then requires, in a single pass that stops at
/// the third dot (B1): only [A-Za-z0-9_.-], exactly three non-empty segments,
/// each canonical unpadded base64url (B3-B5), and a 43-character signature
/// (B6). Errors: malformed_token.
[[nodiscard]] inline result<token_segments> split_token(std::string_view value, bool allow_bearer_prefix,
                                                        diagnosis* why = nullptr) noexcept {
    token_segments out{};
    const auto fail = [&](std::string_view text) {
        diagnose(why).append(text);
        return result<token_segments>{errc::malformed_token};
    };
    if (value.size() >= 7) {
        constexpr std::string_view scheme = "bearer";
        bool match = true;
        for (std::size_t i = 0; i < scheme.size(); ++i) {
            char c = value[i];
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
            if (c != scheme[i]) match = false;
        }
        if (match && value[6] == ' ') {
            if (!allow_bearer_prefix)
                return fail(
                        "the value starts with a \"Bearer\" scheme, which allow_bearer_prefix disables (LiveKit sends "
                        "the bare token)");
            std::size_t i = 6;
            while (i < value.size() && value[i] == ' ') ++i;
            value.remove_prefix(i);
            out.bearer_prefix_stripped = true;
        }
    }
    std::size_t dots[2] = {0, 0};
    std::size_t ndots = 0;
    // Common case first, without a branch per byte: every byte in the
    // alphabet or a dot, and exactly two dots. Anything else takes the loop
    // below, which finds the first fault and names it.
    std::uint32_t outside = 0;
    std::size_t dot_count = 0;
    for (const char c : value) {
        const bool dot = c == '.';
        dot_count += dot ? 1u : 0u;
        outside |= dot ? 0u : detail::base64url_values[static_cast<unsigned char>(c)];
    }
    const bool common = (outside & 0x80u) == 0 && dot_count == 2;
    if (common) {
        dots[0] = value.find('.');
        dots[1] = value.find('.', dots[0] + 1);
        ndots = 2;
    }
    for (std::size_t i = 0; !common && i < value.size(); ++i) {
        const char c = value[i];
        if (c == '.') {
            if (ndots == 2) return fail("the token has more than three segments (a JWE or not a JWS)");
            dots[ndots++] = i;
            continue;
        }
        if (detail::base64url_values[static_cast<unsigned char>(c)] == 0xff) {
            const auto digits = detail::hex_byte(static_cast<unsigned char>(c));
            const char shown[4] = {'0', 'x', digits[0], digits[1]};
            diagnose(why)
                    .append("byte ")
                    .append(std::string_view(shown, 4))
                    .append(" at offset ")
                    .append(i)
                    .append(" is outside the base64url token alphabet");
            if (c == ' ' || c == ',') diagnose(why).append(" (a scheme word or folded headers?)");
            return errc::malformed_token;
        }
    }
    if (ndots != 2) return fail("the token does not have three dot-separated segments");
    out.header = value.substr(0, dots[0]);
    out.payload = value.substr(dots[0] + 1, dots[1] - dots[0] - 1);
    out.signature = value.substr(dots[1] + 1);
    out.signing_input = value.substr(0, dots[1]);
    if (out.header.empty() || out.payload.empty() || out.signature.empty())
        return fail("the token has an empty segment (an unsecured JWS?)");
    // The scan above checked the alphabet; only lengths and trailing bits remain.
    if (!detail::base64url_tail_is_canonical(out.header)) return fail("the header segment is not canonical base64url");
    if (!detail::base64url_tail_is_canonical(out.payload))
        return fail("the payload segment is not canonical base64url");
    if (!detail::base64url_tail_is_canonical(out.signature))
        return fail("the signature segment is not canonical base64url (non-zero trailing bits?)");
    if (out.signature.size() != signature_chars) {
        diagnose(why)
                .append("the signature segment has ")
                .append(out.signature.size())
                .append(" characters, HS256 needs 43 (another algorithm?)");
        return errc::malformed_token;
    }
    return out;
}

namespace detail {

inline void append_json_fault(diagnosis* why, std::string_view what, json_fault f) noexcept {
    diagnose(why)
            .append(what)
            .append(" is not a strict JSON object: ")
            .append(to_string(f.error))
            .append(" at byte ")
            .append(f.offset);
}

}  // namespace detail

/// Step 3: decodes the JOSE header (<= 1 KiB, depth <= 4, strict JSON, no
/// duplicate members) and checks it: `alg` must be a string (else
/// malformed_token) equal to "HS256" after unescaping (else
/// unsupported_algorithm: none, HS384, RS256, ... D2, D3); `crit` and `b64`
/// must be absent (else malformed_token: D5, D6). Other members (typ, kid,
/// jku, jwk, x5u, ...) are ignored and never dereferenced (D7). No key is
/// touched here.
[[nodiscard]] inline result<void> check_token_header(std::string_view header_b64, diagnosis* why = nullptr) noexcept {
    // The header LiveKit's servers send, {"alg":"HS256","typ":"JWT"}, byte
    // for byte: the checks below accept it, so it needs no decoding.
    if (header_b64 == "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9") return {};
    const std::size_t decoded_size = detail::base64url_decoded_size(header_b64.size());
    if (decoded_size > max_header_json_bytes) {
        diagnose(why)
                .append("the JOSE header decodes to ")
                .append(decoded_size)
                .append(" bytes, over the 1024-byte limit");
        return errc::malformed_token;
    }
    std::array<unsigned char, max_header_json_bytes> buffer;
    const std::ptrdiff_t n = detail::decode_base64url(header_b64, buffer.data(), buffer.size());
    if (n < 0) {
        diagnose(why).append("the header segment is not canonical base64url");
        return errc::malformed_token;
    }
    const std::string_view json(reinterpret_cast<const char*>(buffer.data()), static_cast<std::size_t>(n));
    std::array<detail::json_name_slot, detail::json_max_names(max_header_json_bytes)> names;
    std::optional<detail::json_value> alg;
    bool crit = false;
    bool b64 = false;
    const detail::json_fault fault =
            detail::scan_json_object(json, max_header_depth, names,
                                     [&](const detail::json_value& key, const detail::json_value& value) noexcept {
                                         if (detail::json_string_equals(key.raw, key.escaped, "alg"))
                                             alg = value;
                                         else if (detail::json_string_equals(key.raw, key.escaped, "crit"))
                                             crit = true;
                                         else if (detail::json_string_equals(key.raw, key.escaped, "b64"))
                                             b64 = true;
                                     });
    if (fault) {
        detail::append_json_fault(why, "the JOSE header", fault);
        return errc::malformed_token;
    }
    if (!alg || alg->kind != detail::json_kind::string) {
        diagnose(why).append(alg ? "the JOSE header's alg is not a string" : "the JOSE header has no alg");
        return errc::malformed_token;
    }
    if (!detail::json_string_equals(alg->raw, alg->escaped, "HS256")) {
        diagnose(why).append("alg is not \"HS256\", the only algorithm LiveKit webhooks use");
        return errc::unsupported_algorithm;
    }
    if (crit || b64) {
        diagnose(why).append(crit ? "the JOSE header has a crit member, and no extension is understood"
                                  : "the JOSE header has a b64 member (RFC 7797 is not supported)");
        return errc::malformed_token;
    }
    return {};
}

/// The claims of a token, decoded into this object's own buffer (8 KiB, so
/// keep it on the stack or reuse it; it is not copyable because its views
/// point into itself). The views it returns stay valid until the next
/// parse() or its destruction. Not thread-safe; one per request. Filled by parse(); only the claims the verifier uses
/// are kept, everything else is validated and ignored (E11).
class token_claims {
public:
    token_claims() noexcept = default;
    token_claims(const token_claims&) = delete;
    token_claims& operator=(const token_claims&) = delete;

    /// Step 4 (syntax part): decodes the payload (<= 8 KiB) and scans it as a
    /// strict JSON object (depth <= 16, no duplicate members after
    /// unescaping, valid UTF-8, nothing after it: E1). Errors: malformed_token.
    /// String claims `iss` and `sha256` are unescaped in place.
    [[nodiscard]] result<void> parse(std::string_view payload_b64, diagnosis* why = nullptr) noexcept {
        fields_ = token_claims_fields{};
        const std::size_t decoded_size = detail::base64url_decoded_size(payload_b64.size());
        if (decoded_size > max_claims_json_bytes) {
            diagnose(why)
                    .append("the claims decode to ")
                    .append(decoded_size)
                    .append(" bytes, over the 8192-byte limit");
            return errc::malformed_token;
        }
        const std::ptrdiff_t n =
                detail::decode_base64url(payload_b64, reinterpret_cast<unsigned char*>(buffer_.data()), buffer_.size());
        if (n < 0) {
            diagnose(why).append("the payload segment is not canonical base64url");
            return errc::malformed_token;
        }
        const std::string_view json(buffer_.data(), static_cast<std::size_t>(n));
        std::array<detail::json_name_slot, detail::json_max_names(max_claims_json_bytes)> names;
        const detail::json_fault fault =
                detail::scan_json_object(json, max_claims_depth, names,
                                         [&](const detail::json_value& key, const detail::json_value& value) noexcept {
                                             const auto is = [&](std::string_view name) {
                                                 return detail::json_string_equals(key.raw, key.escaped, name);
                                             };
                                             if (is("iss"))
                                                 fields_.iss = value;
                                             else if (is("exp"))
                                                 fields_.exp = value;
                                             else if (is("nbf"))
                                                 fields_.nbf = value;
                                             else if (is("iat"))
                                                 fields_.iat = value;
                                             else if (is("aud"))
                                                 fields_.aud_present = true;
                                             else if (is("sha256"))
                                                 fields_.sha256 = value;
                                         });
        if (fault) {
            fields_ = token_claims_fields{};
            detail::append_json_fault(why, "the claims", fault);
            return errc::malformed_token;
        }
        unescape_in_place(fields_.iss);
        unescape_in_place(fields_.sha256);
        return {};
    }

    /// The `iss` value if present and a string (unescaped), else nullopt.
    [[nodiscard]] std::optional<std::string_view> issuer() const noexcept { return string_claim(fields_.iss); }
    /// The `sha256` value if present and a string (unescaped), else nullopt.
    [[nodiscard]] std::optional<std::string_view> body_hash() const noexcept { return string_claim(fields_.sha256); }
    /// True when an `iss` member exists, whatever its type.
    [[nodiscard]] bool has_issuer_member() const noexcept { return fields_.iss.has_value(); }
    /// The raw `exp`, `nbf` and `iat` values (any JSON type) if present;
    /// read_token_times() checks and converts them.
    [[nodiscard]] const std::optional<detail::json_value>& exp() const noexcept { return fields_.exp; }
    [[nodiscard]] const std::optional<detail::json_value>& nbf() const noexcept { return fields_.nbf; }
    [[nodiscard]] const std::optional<detail::json_value>& iat() const noexcept { return fields_.iat; }
    /// True when an `aud` member exists, whatever its value (E10).
    [[nodiscard]] bool has_audience() const noexcept { return fields_.aud_present; }

private:
    struct token_claims_fields {
        std::optional<detail::json_value> iss, exp, nbf, iat, sha256;
        bool aud_present = false;
    };
    static std::optional<std::string_view> string_claim(const std::optional<detail::json_value>& v) noexcept {
        if (!v || v->kind != detail::json_kind::string) return std::nullopt;
        return v->raw;
    }
    void unescape_in_place(std::optional<detail::json_value>& v) noexcept {
        if (!v || v->kind != detail::json_kind::string || !v->escaped) return;
        // The raw text lives in buffer_; unescaped output never overtakes it.
        char* at = buffer_.data() + (v->raw.data() - buffer_.data());
        const std::size_t n = detail::json_unescape(v->raw, at, v->raw.size());
        v->raw = std::string_view(at, n);
        v->escaped = false;
    }

    token_claims_fields fields_{};
    std::array<char, max_claims_json_bytes> buffer_;
};

/// Step 5: HMAC-SHA256(secret, signing_input) against the decoded 32-byte
/// signature, compared with CRYPTO_memcmp (C4). The attacker's signature is
/// decoded, never the expected MAC encoded (C5). The MAC covers the exact
/// received bytes (C3). Errors: bad_signature; internal_error when OpenSSL
/// fails (never success: C8); malformed_token if the signature segment is
/// not 43 canonical characters (split_token already guarantees that).
[[nodiscard]] inline result<void> verify_token_signature(const token_segments& token, std::string_view secret,
                                                         diagnosis* why = nullptr) noexcept {
    detail::digest_bytes received{};
    if (token.signature.size() != signature_chars ||
        detail::decode_base64url(token.signature, received.data(), received.size()) !=
                static_cast<std::ptrdiff_t>(received.size())) {
        diagnose(why).append("the signature segment is not 43 canonical base64url characters");
        return errc::malformed_token;
    }
    detail::digest_bytes expected{};
    if (secret.empty() || !detail::hmac_sha256(secret, token.signing_input, expected)) {
        diagnose(why).append("HMAC-SHA256 computation failed in OpenSSL; request rejected");
        return errc::internal_error;
    }
    const bool equal = detail::equal_constant_time(expected.data(), received.data(), expected.size());
    detail::cleanse(expected.data(), expected.size());
    if (!equal) {
        diagnose(why).append("the HMAC-SHA256 signature does not verify with the configured secret");
        return errc::bad_signature;
    }
    return {};
}

/// The time claims of an authenticated token, in Unix seconds, each within
/// [0, 253402300799].
struct token_times {
    std::int64_t exp = 0;               ///< required
    std::optional<std::int64_t> nbf{};  ///< when present
    std::optional<std::int64_t> iat{};  ///< when present; a future iat (beyond the leeway) is token_not_yet_valid
};

/// Reads a NumericDate: a plain integer JSON number (no fraction, exponent
/// or quotes) in [0, 253402300799]; "-0" reads as 0 (E6).
[[nodiscard]] constexpr bool read_numeric_date(const detail::json_value& v, std::int64_t& out) noexcept {
    if (v.kind != detail::json_kind::number || !v.integer || v.raw.empty()) return false;
    bool negative = false;
    std::uint64_t magnitude = 0;
    if (detail::parse_integer(v.raw, negative, magnitude) != detail::integer_lexeme::ok) return false;
    if ((negative && magnitude != 0) || magnitude > static_cast<std::uint64_t>(max_numeric_date)) return false;
    out = static_cast<std::int64_t>(magnitude);
    return true;
}

/// Step 6 (types): `exp` present; `exp`, `nbf`, `iat` NumericDates when
/// present; `aud` absent (E10); `exp > nbf` (E8). Errors: malformed_token.
/// Call only after the signature verified: before that these are attacker
/// bytes and their faults are not worth distinguishing.
[[nodiscard]] inline result<token_times> read_token_times(const token_claims& claims,
                                                          diagnosis* why = nullptr) noexcept {
    token_times t{};
    const auto fail = [&](std::string_view text) {
        diagnose(why).append(text);
        return result<token_times>{errc::malformed_token};
    };
    if (!claims.exp()) return fail("the token has no exp claim; webhook tokens must expire");
    if (!read_numeric_date(*claims.exp(), t.exp)) return fail("exp is not an integer NumericDate in [0, 253402300799]");
    if (claims.nbf()) {
        std::int64_t v = 0;
        if (!read_numeric_date(*claims.nbf(), v)) return fail("nbf is not an integer NumericDate in [0, 253402300799]");
        t.nbf = v;
    }
    if (claims.iat()) {
        std::int64_t v = 0;
        if (!read_numeric_date(*claims.iat(), v)) return fail("iat is not an integer NumericDate in [0, 253402300799]");
        t.iat = v;
    }
    if (claims.has_audience()) return fail("the token has an aud claim; webhook tokens have none");
    if (t.nbf && t.exp <= *t.nbf) return fail("exp is not after nbf, so the token can never be valid");
    return t;
}

/// Step 6 (window): with L = leeway, rejects `now >= exp + L`
/// (token_expired), `now < nbf - L` or `iat > now + L` (token_not_yet_valid)
/// and, when `max_lifetime` is set, `exp - now > max_lifetime + L`
/// (token_lifetime_too_long: E9). Valid tokens satisfy
/// nbf - L <= now < exp + L (E7). All arithmetic in int64 seconds.
///
/// Every operand is range-checked first, so no sum or difference can
/// overflow: `now` must be a NumericDate in [0, max_numeric_date] (the range
/// exp and nbf are read in), `leeway` and `max_lifetime` within
/// [0, max_numeric_date]. Anything else is a broken clock or a caller's bug,
/// not a property of the token: internal_error (500, fail closed), never an
/// acceptance. (An unchecked INT64_MIN clock made `exp - now` overflow, and
/// with max_lifetime set and no nbf such a token was accepted.)
[[nodiscard]] inline result<void> check_token_window(const token_times& t, std::int64_t now,
                                                     std::chrono::seconds leeway,
                                                     std::optional<std::chrono::seconds> max_lifetime = std::nullopt,
                                                     diagnosis* why = nullptr) noexcept {
    const auto in_date_range = [](auto value) { return value >= 0 && value <= max_numeric_date; };
    if (!in_date_range(now)) {
        diagnose(why)
                .append("the clock reads ")
                .append(now)
                .append(" s since 1970, outside [0, 253402300799]; this host's clock (or the injected one) is "
                        "broken");
        return errc::internal_error;
    }
    if (!in_date_range(leeway.count()) || (max_lifetime && !in_date_range(max_lifetime->count()))) {
        diagnose(why).append("the leeway or the maximum token lifetime is outside [0, 253402300799] s");
        return errc::internal_error;
    }
    if (!in_date_range(t.exp) || (t.nbf && !in_date_range(*t.nbf))) {
        diagnose(why).append("exp or nbf is outside [0, 253402300799]");
        return errc::internal_error;
    }
    const std::int64_t l = static_cast<std::int64_t>(leeway.count());
    if (now >= t.exp + l) {
        diagnose(why)
                .append("the token expired ")
                .append(now - t.exp)
                .append(" s ago (leeway ")
                .append(l)
                .append(" s); check clock skew between LiveKit and this host, or slow delivery (retries resend the "
                        "same token)");
        return errc::token_expired;
    }
    if (t.nbf && now < *t.nbf - l) {
        diagnose(why)
                .append("the token is valid only from ")
                .append(*t.nbf - now)
                .append(" s in the future (leeway ")
                .append(l)
                .append(" s); check clock skew: this host's clock may be behind LiveKit's");
        return errc::token_not_yet_valid;
    }
    // A token issued in the future (beyond the leeway) is not yet valid either,
    // with or without nbf. LiveKit's servers set iat = nbf = send time, so a
    // genuine token never trips this; it closes the gap for signers that send
    // iat without nbf.
    if (t.iat && *t.iat > now + l) {
        diagnose(why)
                .append("the token was issued ")
                .append(*t.iat - now)
                .append(" s in the future (leeway ")
                .append(l)
                .append(" s); check clock skew: this host's clock may be behind the sender's");
        return errc::token_not_yet_valid;
    }
    if (max_lifetime) {
        const std::int64_t max = static_cast<std::int64_t>(max_lifetime->count());
        if (t.exp - now > max + l) {
            diagnose(why)
                    .append("the token stays valid ")
                    .append(t.exp - now)
                    .append(" s from now, over the maximum of ")
                    .append(max)
                    .append(" s plus ")
                    .append(l)
                    .append(" s leeway (a participant access token? LiveKit webhook tokens live 300 s)");
            return errc::token_lifetime_too_long;
        }
    }
    return {};
}

}  // namespace lkwebhook

#endif  // LKWEBHOOK_TOKEN_HPP
