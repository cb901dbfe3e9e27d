#ifndef LKWEBHOOK_CLOCK_HPP
#define LKWEBHOOK_CLOCK_HPP

// Every clock of the library. Wall-clock time (system_clock_source,
// fixed_clock, the Clock concept) drives the token checks; monotonic time
// (steady_clock_source) drives the idempotency store's expiry.
//
// Time is injected, as jwt-cpp does, so that exp/nbf checks are testable to
// the second. The verifier reads the clock once per request (tests/threats/catalogue.md J7)
// and works in whole Unix seconds (int64), never in chrono ticks: libstdc++'s
// system_clock has nanosecond ticks and overflows after year 2262 (E6).

#include <chrono>
#include <concepts>
#include <cstdint>

namespace lkwebhook {

/// A source of the current time.
///
/// Expression: `c.now()` on a `const C&`, returning something convertible to
/// `std::chrono::system_clock::time_point`. Semantics: the current wall-clock
/// time. It is called at most once per verification, from the verifying
/// thread, so it must be safe to call concurrently if the same clock object
/// is shared between threads. It should not throw (verify() is noexcept).
template <class C>
concept Clock = requires(const C& c) {
    { c.now() } -> std::convertible_to<std::chrono::system_clock::time_point>;
};

/// The real wall clock (std::chrono::system_clock). Stateless and thread-safe.
struct system_clock_source {
    [[nodiscard]] std::chrono::system_clock::time_point now() const noexcept {
        return std::chrono::system_clock::now();
    }
};

/// A clock stopped at `unix_seconds`, for tests and for replaying recorded
/// requests. Thread-safe (immutable). now() is only meaningful where a
/// system_clock::time_point can hold the value (libstdc++: up to year 2262)
/// and saturates beyond it (converting seconds to ticks would overflow);
/// the verifier reads unix_seconds directly through the optional
/// `unix_now()` member, so any NumericDate works. A reading outside
/// [0, 253402300799] (no NumericDate) makes verification fail closed with
/// internal_error, never accept.
struct fixed_clock {
    std::int64_t unix_seconds = 0;
    [[nodiscard]] std::chrono::system_clock::time_point now() const noexcept {
        using time_point = std::chrono::system_clock::time_point;
        constexpr auto max_seconds = std::chrono::floor<std::chrono::seconds>(time_point::max().time_since_epoch());
        constexpr auto min_seconds = std::chrono::ceil<std::chrono::seconds>(time_point::min().time_since_epoch());
        if (unix_seconds > max_seconds.count())
            return time_point{std::chrono::duration_cast<time_point::duration>(max_seconds)};
        if (unix_seconds < min_seconds.count())
            return time_point{std::chrono::duration_cast<time_point::duration>(min_seconds)};
        return time_point{std::chrono::seconds{unix_seconds}};
    }
    [[nodiscard]] std::int64_t unix_now() const noexcept { return unix_seconds; }
};

/// Whole Unix seconds of a clock reading, rounded towards minus infinity.
/// Uses the clock's own `unix_now()` member (returning std::int64_t) when it
/// has one, else floors `now()`.
template <Clock C>
[[nodiscard]] std::int64_t unix_now(const C& clock) noexcept {
    if constexpr (requires {
                      { clock.unix_now() } -> std::same_as<std::int64_t>;
                  }) {
        return clock.unix_now();
    } else {
        const std::chrono::system_clock::time_point t = clock.now();
        return static_cast<std::int64_t>(std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count());
    }
}

/// A monotonic clock (std::chrono::steady_clock) for durations and expiry
/// that must not jump with the wall clock: the idempotency store's TTLs.
/// Stateless and thread-safe; a store takes any type with the same now()
/// (tests pass a manual one).
struct steady_clock_source {
    [[nodiscard]] std::chrono::steady_clock::time_point now() const noexcept {
        return std::chrono::steady_clock::now();
    }
};

static_assert(Clock<system_clock_source>);
static_assert(Clock<fixed_clock>);

}  // namespace lkwebhook

#endif  // LKWEBHOOK_CLOCK_HPP
