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

#include "config.hpp"
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
[[nodiscard]] LKWEBHOOK_DECL result<token_segments> split_token(std::string_view value, bool allow_bearer_prefix,
                                                                diagnosis* why = nullptr) noexcept;

namespace detail {

LKWEBHOOK_DECL void append_json_fault(diagnosis* why, std::string_view what, json_fault f) noexcept;

}  // namespace detail

/// Step 3: decodes the JOSE header (<= 1 KiB, depth <= 4, strict JSON, no
/// duplicate members) and checks it: `alg` must be a string (else
/// malformed_token) equal to "HS256" after unescaping (else
/// unsupported_algorithm: none, HS384, RS256, ... D2, D3); `crit` and `b64`
/// must be absent (else malformed_token: D5, D6). Other members (typ, kid,
/// jku, jwk, x5u, ...) are ignored and never dereferenced (D7). No key is
/// touched here.
[[nodiscard]] LKWEBHOOK_DECL result<void> check_token_header(std::string_view header_b64,
                                                             diagnosis* why = nullptr) noexcept;

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
    [[nodiscard]] LKWEBHOOK_DECL result<void> parse(std::string_view payload_b64, diagnosis* why = nullptr) noexcept;

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

        /// No claims. Only the engaged flags are written: assigning a
        /// value-initialised copy zeroes all of the struct, which compilers
        /// emit as a string store costing more than the claims' scan.
        void clear() noexcept {
            iss.reset();
            exp.reset();
            nbf.reset();
            iat.reset();
            sha256.reset();
            aud_present = false;
        }
    };
    LKWEBHOOK_DECL static std::optional<std::string_view> string_claim(
            const std::optional<detail::json_value>& v) noexcept;
    LKWEBHOOK_DECL void unescape_in_place(std::optional<detail::json_value>& v) noexcept;
    LKWEBHOOK_DECL void record_claim(const detail::json_value& key, const detail::json_value& value) noexcept;

    token_claims_fields fields_;  // default-initialised, for clear()'s reason
    std::array<char, max_claims_json_bytes> buffer_;
};

/// Step 5: HMAC-SHA256(secret, signing_input) against the decoded 32-byte
/// signature, compared with CRYPTO_memcmp (C4). The attacker's signature is
/// decoded, never the expected MAC encoded (C5). The MAC covers the exact
/// received bytes (C3). Errors: bad_signature; internal_error when OpenSSL
/// fails (never success: C8); malformed_token if the signature segment is
/// not 43 canonical characters (split_token already guarantees that).
[[nodiscard]] LKWEBHOOK_DECL result<void> verify_token_signature(const token_segments& token, std::string_view secret,
                                                                 diagnosis* why = nullptr) noexcept;

namespace detail {

/// The JOSE header segment LiveKit's servers send, `{"alg":"HS256","typ":"JWT"}`
/// encoded: check_token_header accepts it without decoding it.
inline constexpr std::string_view livekit_header_segment = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

/// verify()'s fast path through steps 2 and 3 for the tokens LiveKit's servers
/// send: true when `value` is `livekit_header_segment "." payload "." signature`
/// with a non-empty payload and a signature of 43 canonical base64url
/// characters, which it decodes into `signature`. Then split_token and
/// check_token_header would both accept `value` and return these segments,
/// except that the payload's characters (a dot among them) are not checked
/// here: token_claims::parse decodes and so checks them. False means nothing: the general steps decide
/// (and name the fault). Never reads past `value`; touches no key.
[[nodiscard]] LKWEBHOOK_DECL bool split_livekit_token(std::string_view value, token_segments& out,
                                                      digest_bytes& signature) noexcept;

/// Step 5 with the signature already decoded: HMAC-SHA256(secret,
/// signing_input) against `received`, compared with CRYPTO_memcmp (C4).
/// verify_token_signature is this after decoding the segment.
[[nodiscard]] LKWEBHOOK_DECL result<void> verify_token_mac(std::string_view signing_input, const digest_bytes& received,
                                                           std::string_view secret, diagnosis* why) noexcept;

}  // namespace detail

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
[[nodiscard]] LKWEBHOOK_DECL result<token_times> read_token_times(const token_claims& claims,
                                                                  diagnosis* why = nullptr) noexcept;

namespace detail {

/// read_token_times() into `times` (false: malformed_token). verify() reads
/// through this, so the times are written where they are used and not
/// copied out of a result.
[[nodiscard]] LKWEBHOOK_DECL bool read_token_times_into(const token_claims& claims, token_times& times,
                                                        diagnosis* why) noexcept;

}  // namespace detail

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
[[nodiscard]] LKWEBHOOK_DECL result<void> check_token_window(
        const token_times& t, std::int64_t now, std::chrono::seconds leeway,
        std::optional<std::chrono::seconds> max_lifetime = std::nullopt, diagnosis* why = nullptr) noexcept;

}  // namespace lkwebhook

#if LKWEBHOOK_HEADER_ONLY
#include "impl/token.ipp"
#endif

#endif  // LKWEBHOOK_TOKEN_HPP
