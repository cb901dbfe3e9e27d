#ifndef LKWEBHOOK_VERIFY_HPP
#define LKWEBHOOK_VERIFY_HPP

// The authentication pipeline of a LiveKit webhook request: steps 1 to 7 of
// tests/threats/catalogue.md#order, in that order (the first failing
// check decides the outcome; the vectors pin this precedence):
//   -  presence              missing_authorization (absent, empty, only SP/HTAB)
//   1. size gates            Authorization length -> malformed_token;
//                            body length -> body_too_large (O(1))
//   2. token syntax          OWS trim, optional Bearer, 3 canonical segments
//   3. JOSE header           alg == HS256, no crit/b64; no key touched
//   4. claims + key lookup   strict JSON; iss selects the secret byte-exactly
//   5. MAC                   HMAC-SHA256 over the received bytes, CRYPTO_memcmp
//   6. time claims           exp required, nbf, leeway, optional max lifetime
//   7. body hash             the first step that reads the body
// The body is not read, hashed or parsed before the MAC verified (I1, I2);
// decoding it (step 8) is the caller's next step (decode.hpp / receiver.hpp).

#include <algorithm>
#include <array>
#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "body_hash.hpp"
#include "clock.hpp"
#include "config.hpp"
#include "error.hpp"
#include "keys.hpp"
#include "result.hpp"
#include "token.hpp"

namespace lkwebhook {

/// Hard upper bounds for verify_options (catalogue I4).
inline constexpr std::size_t hard_max_authorization_bytes = 16 * 1024;
inline constexpr std::size_t hard_max_body_bytes = 64 * 1024 * 1024;
inline constexpr std::chrono::seconds max_leeway{300};

/// Configuration of verify(). The defaults are the spec's defaults.
struct verify_options {
    /// Clock-skew tolerance for exp and nbf, in [0, 300] s. 60 s like
    /// LiveKit's Go verifier (JS SDK: 10 s).
    std::chrono::seconds leeway{60};
    /// Longest accepted Authorization value (before trimming), in
    /// [1, 16 KiB]. Real LiveKit tokens are about 250-400 bytes.
    std::size_t max_authorization_bytes = 8 * 1024;
    /// Longest accepted body, in [0, 64 MiB]. The server embedding us should
    /// enforce the same cap while reading (I8).
    std::size_t max_body_bytes = 1024 * 1024;
    /// Accept and strip a `Bearer ` scheme (LiveKit sends none; the prefix is
    /// unsigned, so stripping it is harmless: A3). When false it is a
    /// malformed_token.
    bool allow_bearer_prefix = true;
    /// When set (900 s recommended), rejects tokens valid for longer than
    /// this (plus leeway) from now: token_lifetime_too_long (E9). Off by
    /// default because LiveKit's JS SDK mints 6-hour test tokens.
    std::optional<std::chrono::seconds> max_token_lifetime{};

    bool operator==(const verify_options&) const = default;
};

/// invalid_config when an option is outside its documented range. verify()
/// checks its options on every call (they are given there); the receiver
/// and the dispatchers check theirs once, where they are given, so that a
/// request never answers invalid_config.
[[nodiscard]] LKWEBHOOK_DECL result<void> validate(const verify_options& o, diagnosis* why = nullptr) noexcept;

/// The O(1) body size gate shared by both schemes: body_too_large when the
/// body is longer than options.max_body_bytes, decided from the length alone
/// before any byte is read (A10).
[[nodiscard]] LKWEBHOOK_DECL result<void> check_body_size(std::string_view body, const verify_options& options,
                                                          diagnosis* why = nullptr) noexcept;

/// What authentication established about a request.
struct verified_request {
    /// The API key (`iss`) whose secret verified the MAC. A view into the key
    /// provider's storage when the provider offers find_entry() (static_key
    /// and key_set do): valid while the provider lives unchanged. For
    /// providers without find_entry(), a view into a thread-local copy,
    /// valid until the next verify() on the same thread; empty if the key id
    /// is longer than 256 bytes.
    std::string_view key_id;
    /// nbf if the token has one (else 0).
    std::int64_t issued_at_or_nbf = 0;
    /// exp.
    std::int64_t expires_at = 0;
    /// A `Bearer ` prefix was present and stripped; hosts may log it.
    bool bearer_prefix_stripped = false;
};

namespace detail {

template <class Keys>
[[nodiscard]] std::optional<key_entry> lookup_key(const Keys& keys, std::string_view iss) noexcept {
    if constexpr (requires {
                      { keys.find_entry(iss) }
                      noexcept->std::same_as<std::optional<key_entry>>;
                  }) {
        auto e = keys.find_entry(iss);
        if (!e || e->secret.empty()) return std::nullopt;
        return e;
    } else {
        const std::optional<std::string_view> secret = keys.find_secret(iss);
        if (!secret || secret->empty()) return std::nullopt;
        // The provider cannot give us a stable view of the key id: keep a
        // per-thread copy (documented on verified_request::key_id).
        thread_local std::array<char, 256> copy{};
        if (iss.size() > copy.size()) return key_entry{std::string_view{}, *secret};
        std::copy(iss.begin(), iss.end(), copy.begin());
        return key_entry{std::string_view{copy.data(), iss.size()}, *secret};
    }
}

}  // namespace detail

/// Authenticates one LiveKit webhook request.
///
/// - `body`: the raw request body bytes, exactly as received (A11); not read
///   before the token's MAC verified; never copied.
/// - `authorization`: the value of the `Authorization` header (an absent
///   header is an empty view); never copied.
/// - `keys`: the key provider; `iss` selects the secret byte-exactly.
/// - `clock`: read once, after the MAC verified.
/// - `why`: if non-null, cleared and then filled with a human-readable
///   reason on failure (<= 256 bytes, no secrets, no token or body bytes;
///   the requested key id appears escaped and truncated for unknown_api_key).
///
/// Returns what was established, or one of: missing_authorization,
/// malformed_token, unsupported_algorithm, unknown_api_key, bad_signature,
/// token_expired, token_not_yet_valid, token_lifetime_too_long,
/// missing_body_hash, body_hash_mismatch, body_too_large, internal_error
/// (OpenSSL failure, or a clock reading outside [0, 253402300799]: fail
/// closed), invalid_config (options out of range; check them once with
/// validate() at configuration time, as receiver and verify_and_dispatch do).
///
/// Never throws. Copies neither body nor token (all views point into the
/// arguments) and makes no C++ heap allocation: the decoded header and
/// claims live on the stack (about 18 KiB). OpenSSL 3.0's EVP layer mallocs
/// internally about 3 times per MAC-plus-hash (measured on 3.0.19; 4 more
/// when a thread's HMAC context switches to another secret); the per-thread
/// OpenSSL contexts are created on a thread's first call. Safe to call
/// concurrently from many threads as long as `keys` and `clock` are.
template <KeyProvider Keys, Clock C = system_clock_source>
[[nodiscard]] result<verified_request> verify(std::string_view body, std::string_view authorization, const Keys& keys,
                                              const verify_options& options = {}, const C& clock = {},
                                              diagnosis* why = nullptr) noexcept {
    diagnose(why).clear();
    if (auto valid = validate(options, why); !valid) return valid.error();

    // presence
    const std::string_view trimmed = trim_ows(authorization);
    if (trimmed.empty()) {
        diagnose(why)
                .append(authorization.empty() ? "no Authorization header value"
                                              : "the Authorization value is only whitespace")
                .append("; a proxy or HTTP stack may strip Authorization (LiveKit always sends it)");
        return errc::missing_authorization;
    }
    // 1. O(1) size gates
    if (authorization.size() > options.max_authorization_bytes) {
        diagnose(why)
                .append("the Authorization value is ")
                .append(authorization.size())
                .append(" bytes, over the limit of ")
                .append(options.max_authorization_bytes);
        return errc::malformed_token;
    }
    if (auto size = check_body_size(body, options, why); !size) return size.error();
    // 2. token syntax and 3. JOSE header: LiveKit's own tokens take a fast
    // path whose every acceptance the general steps would make too (token.hpp);
    // anything else, and every fault, goes through the general steps.
    token_segments token{};
    detail::digest_bytes signature{};
    const bool livekit_shaped = detail::split_livekit_token(trimmed, token, signature);
    if (!livekit_shaped) {
        auto split = split_token(trimmed, options.allow_bearer_prefix, why);
        if (!split) return split.error();
        token = *split;
        if (auto header = check_token_header(token.header, why); !header) return header.error();
    }
    // 4. claims and key lookup
    token_claims claims;
    if (auto parsed = claims.parse(token.payload, why); !parsed) {
        // The fast path left the payload's characters to the decoder; a fault
        // there is split_token's to name.
        if (livekit_shaped && !split_token(trimmed, options.allow_bearer_prefix)) {
            diagnose(why).clear();
            return split_token(trimmed, options.allow_bearer_prefix, why).error();
        }
        return parsed.error();
    }
    const std::optional<std::string_view> iss = claims.issuer();
    if (!iss || iss->empty()) {
        diagnose(why).append(!claims.has_issuer_member() ? "the token has no iss claim (API key)"
                             : !iss                      ? "the token's iss claim is not a string"
                                                         : "the token's iss claim is empty");
        return errc::unknown_api_key;
    }
    const std::optional<key_entry> key = detail::lookup_key(keys, *iss);
    if (!key) {
        diagnose(why)
                .append("the token names API key ")
                .append_escaped(*iss)
                .append(", which is not among the ")
                .append(static_cast<std::size_t>(keys.size()))
                .append(" configured key(s)");
        return errc::unknown_api_key;
    }
    // 5. MAC
    if (auto mac = livekit_shaped ? detail::verify_token_mac(token.signing_input, signature, key->secret, why)
                                  : verify_token_signature(token, key->secret, why);
        !mac) {
        if (mac.error() == errc::bad_signature) {
            diagnose(why).clear();
            diagnose(why)
                    .append("the signature does not verify with the secret configured for API key ")
                    .append_escaped(key->key_id)
                    .append(" (wrong secret, or the token was altered)");
        }
        return mac.error();
    }
    // 6. time claims
    token_times times;
    if (!detail::read_token_times_into(claims, times, why)) return errc::malformed_token;
    if (auto window = check_token_window(times, unix_now(clock), options.leeway, options.max_token_lifetime, why);
        !window)
        return window.error();
    // 7. body hash
    if (auto hash = check_body_hash(body, claims.body_hash(), why); !hash) return hash.error();

    verified_request out{};
    out.key_id = key->key_id;
    out.issued_at_or_nbf = times.nbf.value_or(0);
    out.expires_at = times.exp;
    out.bearer_prefix_stripped = token.bearer_prefix_stripped;
    return out;
}

}  // namespace lkwebhook

#if LKWEBHOOK_HEADER_ONLY
#include "impl/verify.ipp"
#endif

#endif  // LKWEBHOOK_VERIFY_HPP
