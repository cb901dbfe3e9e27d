#ifndef LKWEBHOOK_ERROR_HPP
#define LKWEBHOOK_ERROR_HPP

// Outcome codes of the library, their stable names and HTTP statuses
// (tests/threats/catalogue.md#outcomes), a std::error_category for them,
// and `diagnosis`, a bounded buffer for the human-readable reason.
//
// Stability: the numeric values and the to_string() names are API. They are
// append-only: never renumber or reuse a value. message() is text for humans
// and may change between versions.

#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>

#include "config.hpp"
#include "detail/text.hpp"

namespace lkwebhook {

/// Every way a request can end other than plain success. Value 0 is success.
enum class errc : int {
    missing_authorization = 1,  ///< header absent or empty (401)
    malformed_token,            ///< token syntax, encoding, JSON or claim types (401)
    unsupported_algorithm,      ///< `alg` is not exactly "HS256" (401)
    unknown_api_key,            ///< `iss` absent, empty or not a configured key (401)
    bad_signature,              ///< the MAC does not verify under the secret of `iss` (401)
    token_not_yet_valid,        ///< now < nbf - leeway (401)
    token_expired,              ///< now >= exp + leeway (401)
    token_lifetime_too_long,    ///< exp - now > max lifetime + leeway, when configured (401)
    missing_body_hash,          ///< `sha256` claim absent, null, non-string or empty (401)
    body_hash_mismatch,         ///< body bytes differ from what was signed (401)
    body_too_large,             ///< body longer than the configured maximum (413)
    malformed_body,             ///< authenticated body is not acceptable protobuf-JSON (400)
    duplicate_event,            ///< id already handled: acknowledged, not handled again (200)
    duplicate_in_flight,        ///< the same id is being handled right now (503, Retry-After: 1)
    overloaded,                 ///< dispatch queue full (503, Retry-After)
    handler_failed,             ///< the user's handler reported a transient failure (503)
    internal_error,             ///< OpenSSL or allocation failure; fails closed (500)
    invalid_config,             ///< construction-time configuration error (500 if ever answered)
};

/// Number of enumerators in errc, for tables and exhaustive tests.
inline constexpr int errc_count = static_cast<int>(errc::invalid_config);

/// The stable snake_case name of a code ("bad_signature"); "ok" for 0 and
/// "unknown" for values this version does not define.
[[nodiscard]] constexpr std::string_view to_string(errc code) noexcept {
    switch (code) {
        case errc::missing_authorization: return "missing_authorization";
        case errc::malformed_token: return "malformed_token";
        case errc::unsupported_algorithm: return "unsupported_algorithm";
        case errc::unknown_api_key: return "unknown_api_key";
        case errc::bad_signature: return "bad_signature";
        case errc::token_not_yet_valid: return "token_not_yet_valid";
        case errc::token_expired: return "token_expired";
        case errc::token_lifetime_too_long: return "token_lifetime_too_long";
        case errc::missing_body_hash: return "missing_body_hash";
        case errc::body_hash_mismatch: return "body_hash_mismatch";
        case errc::body_too_large: return "body_too_large";
        case errc::malformed_body: return "malformed_body";
        case errc::duplicate_event: return "duplicate_event";
        case errc::duplicate_in_flight: return "duplicate_in_flight";
        case errc::overloaded: return "overloaded";
        case errc::handler_failed: return "handler_failed";
        case errc::internal_error: return "internal_error";
        case errc::invalid_config: return "invalid_config";
    }
    return static_cast<int>(code) == 0 ? std::string_view{"ok"} : std::string_view{"unknown"};
}

/// The HTTP status to answer with. 200 for success and duplicate_event.
/// invalid_config is a construction-time error; should a caller still map
/// one to a response (options passed per call to verify()), the answer is
/// 500, so that LiveKit retries and no request ever answers status 0.
[[nodiscard]] constexpr int http_status(errc code) noexcept {
    switch (code) {
        case errc::missing_authorization:
        case errc::malformed_token:
        case errc::unsupported_algorithm:
        case errc::unknown_api_key:
        case errc::bad_signature:
        case errc::token_not_yet_valid:
        case errc::token_expired:
        case errc::token_lifetime_too_long:
        case errc::missing_body_hash:
        case errc::body_hash_mismatch: return 401;
        case errc::body_too_large: return 413;
        case errc::malformed_body: return 400;
        case errc::duplicate_event: return 200;
        case errc::duplicate_in_flight:
        case errc::overloaded:
        case errc::handler_failed: return 503;
        case errc::internal_error: return 500;
        case errc::invalid_config: return 500;
    }
    return static_cast<int>(code) == 0 ? 200 : 500;
}

/// Coarse groups of codes, for callers that ask "was this an authentication
/// failure?" without listing every code. Compare an error_code against them.
enum class condition : int {
    authentication_failed = 1,  ///< every 401
    bad_request,                ///< 400 and 413: authenticated but unacceptable
    retryable,                  ///< 5xx: LiveKit will retry
    acknowledged,               ///< 2xx without handling (duplicate_event)
};

}  // namespace lkwebhook

// Let errc convert to std::error_code and condition to std::error_condition.
template <>
struct std::is_error_code_enum<lkwebhook::errc> : std::true_type {};
template <>
struct std::is_error_condition_enum<lkwebhook::condition> : std::true_type {};

namespace lkwebhook {

[[nodiscard]] constexpr std::string_view to_string(condition c) noexcept {
    switch (c) {
        case condition::authentication_failed: return "authentication_failed";
        case condition::bad_request: return "bad_request";
        case condition::retryable: return "retryable";
        case condition::acknowledged: return "acknowledged";
    }
    return "unknown";
}

namespace detail {

constexpr std::string_view describe(errc code) noexcept {
    switch (code) {
        case errc::missing_authorization:
            return "the request has no Authorization header value (a proxy or HTTP stack may strip it)";
        case errc::malformed_token: return "the Authorization value is not a well-formed LiveKit webhook token";
        case errc::unsupported_algorithm: return "the token is not signed with HS256";
        case errc::unknown_api_key: return "the token names an API key that is not configured";
        case errc::bad_signature: return "the token signature does not verify with the configured API secret";
        case errc::token_not_yet_valid: return "the token is not valid yet (check clock skew)";
        case errc::token_expired: return "the token has expired (check clock skew or a slow receiver)";
        case errc::token_lifetime_too_long: return "the token lives longer than the configured maximum";
        case errc::missing_body_hash: return "the token carries no sha256 claim, so it does not sign a body";
        case errc::body_hash_mismatch:
            return "the body differs from the one that was signed (pass the raw request bytes)";
        case errc::body_too_large: return "the body is larger than the configured maximum";
        case errc::malformed_body: return "the authenticated body is not a valid LiveKit webhook event";
        case errc::duplicate_event: return "the event was already handled";
        case errc::duplicate_in_flight: return "the same event is being handled right now";
        case errc::overloaded: return "the dispatch queue is full";
        case errc::handler_failed: return "the event handler reported a transient failure";
        case errc::internal_error: return "internal error (crypto or allocation failure); the request was rejected";
        case errc::invalid_config: return "invalid configuration";
    }
    return static_cast<int>(code) == 0 ? std::string_view{"success"} : std::string_view{"unknown error"};
}

class error_category_impl final : public std::error_category {
public:
    [[nodiscard]] const char* name() const noexcept override { return "lkwebhook"; }
    [[nodiscard]] LKWEBHOOK_DECL std::string message(int value) const override;
    [[nodiscard]] std::error_condition default_error_condition(int value) const noexcept override;
};

class condition_category_impl final : public std::error_category {
public:
    [[nodiscard]] const char* name() const noexcept override { return "lkwebhook.condition"; }
    [[nodiscard]] LKWEBHOOK_DECL std::string message(int value) const override;
    [[nodiscard]] bool equivalent(const std::error_code& code, int value) const noexcept override;
};

}  // namespace detail

/// The category of errc. A function-local static in an inline function, so
/// every translation unit shares one instance.
[[nodiscard]] LKWEBHOOK_DECL const std::error_category& error_category() noexcept;

[[nodiscard]] LKWEBHOOK_DECL const std::error_category& condition_category() noexcept;

[[nodiscard]] LKWEBHOOK_DECL std::error_code make_error_code(errc code) noexcept;

[[nodiscard]] LKWEBHOOK_DECL std::error_condition make_error_condition(condition c) noexcept;

/// The condition a code belongs to, or none (value 0) for success and invalid_config.
[[nodiscard]] constexpr int condition_of(errc code) noexcept {
    const int status = http_status(code);
    if (status == 401) return static_cast<int>(condition::authentication_failed);
    if (status == 400 || status == 413) return static_cast<int>(condition::bad_request);
    if (status >= 500) return static_cast<int>(condition::retryable);
    if (code == errc::duplicate_event) return static_cast<int>(condition::acknowledged);
    return 0;
}

namespace detail {}  // namespace detail

/// Stable name of any error_code: ours by table, others as "category:value".
/// Returns "ok" for a default-constructed code.
[[nodiscard]] LKWEBHOOK_DECL std::string_view to_string(const std::error_code& code) noexcept;

/// HTTP status for any error_code: 200 when empty, ours by table, 500 otherwise.
[[nodiscard]] LKWEBHOOK_DECL int http_status(const std::error_code& code) noexcept;

/// A bounded, allocation-free buffer for the human-readable reason of a
/// rejection (catalogue L1: at most 256 bytes, library-generated content
/// only). Anything appended past the capacity is cut, marked by a trailing "...".
/// Attacker-influenced text must go through append_escaped(), which truncates
/// it to 64 bytes and escapes everything outside printable ASCII as \xHH (L2).
class diagnosis {
public:
    static constexpr std::size_t capacity = 256;

    diagnosis() noexcept = default;

    [[nodiscard]] std::string_view view() const noexcept { return {buffer_.data(), size_}; }
    [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
    void clear() noexcept { size_ = 0; }

    LKWEBHOOK_DECL diagnosis& append(std::string_view text) noexcept;

    diagnosis& append(std::int64_t value) noexcept { return append_decimal(value); }
    diagnosis& append(std::size_t value) noexcept { return append_decimal(value); }

    diagnosis& append(int value) noexcept { return append(static_cast<std::int64_t>(value)); }

    /// Appends attacker-influenced text: at most 64 input bytes, quoted, with
    /// every byte outside printable ASCII (and the quote and backslash) as \xHH.
    LKWEBHOOK_DECL diagnosis& append_escaped(std::string_view text) noexcept;

private:
    template <class Int>
    diagnosis& append_decimal(Int value) noexcept {
        char digits[24];  // any 64-bit integer, with its sign
        const auto converted = std::to_chars(digits, digits + sizeof digits, value);
        return append(std::string_view(digits, static_cast<std::size_t>(converted.ptr - digits)));
    }

    LKWEBHOOK_DECL void put(char c) noexcept;

    std::array<char, capacity> buffer_{};
    std::size_t size_ = 0;
};

/// Where a function writes the reason of a failure when its caller asked for
/// one: every `diagnosis* why` parameter may be null ("no diagnosis
/// wanted"), so the library writes through diagnose(why), never testing the
/// pointer at each failure. Appends are dropped when why is null.
class diagnosis_writer {
public:
    explicit diagnosis_writer(diagnosis* why) noexcept : why_(why) {}

    template <class Text>
    diagnosis_writer& append(const Text& text) noexcept {
        if (why_ != nullptr) why_->append(text);
        return *this;
    }
    LKWEBHOOK_DECL diagnosis_writer& append_escaped(std::string_view text) noexcept;
    LKWEBHOOK_DECL void clear() noexcept;

private:
    diagnosis* why_;
};

/// The diagnosis_writer of an optional diagnosis (see diagnosis_writer).
[[nodiscard]] inline diagnosis_writer diagnose(diagnosis* why) noexcept { return diagnosis_writer{why}; }

}  // namespace lkwebhook

#if LKWEBHOOK_HEADER_ONLY
#include "impl/error.ipp"
#endif

#endif  // LKWEBHOOK_ERROR_HPP
