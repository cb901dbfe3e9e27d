#ifndef LKWEBHOOK_OUTCOME_HPP
#define LKWEBHOOK_OUTCOME_HPP

// outcome: everything verify_and_dispatch (and async_dispatcher::submit)
// decided about one request, and what to answer (tests/threats/catalogue.md#outcomes).
//
//     auto o = lkwebhook::verify_and_dispatch(body, authorization, keys, correlator);
//     response.status = o.status;
//     if (o.retry_after) response.set("Retry-After", std::to_string(o.retry_after->count()));
//     response.body = o.acknowledged() ? "ok" : "rejected";   // generic bodies only (L5)
//
// An outcome owns all its data (no views into the request), so it may be
// kept, logged and passed to another thread. It is allocation-free.

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "config.hpp"
#include "delivery.hpp"
#include "detail/text.hpp"
#include "error.hpp"
#include "events.hpp"

namespace lkwebhook {

namespace detail {

// A bounded owned copy of a short string (event id <= 128 B, catalogue G15).
template <std::size_t N>
class bounded_text {
public:
    constexpr bounded_text() noexcept = default;
    /// Copies at most N bytes of `text`; longer input is cut (and reported by truncated()).
    constexpr void assign(std::string_view text) noexcept {
        size_ = text.size() < N ? text.size() : N;
        truncated_ = text.size() > N;
        for (std::size_t i = 0; i < size_; ++i) data_[i] = text[i];
    }
    [[nodiscard]] constexpr std::string_view view() const noexcept { return {data_.data(), size_}; }
    [[nodiscard]] constexpr bool truncated() const noexcept { return truncated_; }

private:
    std::array<char, N> data_{};
    std::size_t size_ = 0;
    bool truncated_ = false;
};

}  // namespace detail

/// The decision about one webhook request.
struct outcome {
    /// Bytes of the event id kept (ids are at most 128 bytes: longer ones are malformed_body).
    static constexpr std::size_t max_event_id = 128;

    /// HTTP status to answer with: 200, 401, 400, 413, 500 or 503.
    int status = 200;
    /// Empty on plain success; otherwise the reason (errc::duplicate_event is a 200).
    std::error_code error{};
    /// Event type, once the body was authenticated and decoded; unknown before.
    event_type type = event_type::unknown;
    /// The request was a duplicate (duplicate_event or duplicate_in_flight).
    bool duplicate = false;
    /// What became of the event at the correlator; `none` for a rejected or
    /// duplicate request (it never reached the correlator).
    lkwebhook::delivery delivery = lkwebhook::delivery::none;
    /// The event reached the correlator and its session was found (true also
    /// when no lookup applies). False for rejected and duplicate requests,
    /// which say nothing about sessions, and for unmapped and
    /// session_not_found deliveries.
    bool session_found = false;
    /// The correlator was called (synchronously) or the event was queued for it.
    bool handled = false;
    /// Seconds for a Retry-After header (503 answers only).
    std::optional<std::chrono::seconds> retry_after{};
    /// Human-readable reason for server-side logs only, never for the response body (L5).
    diagnosis why{};

    /// The event id (a copy; empty before decoding or when the event has none).
    [[nodiscard]] std::string_view event_id() const noexcept { return id_.view(); }
    void set_event_id(std::string_view id) noexcept { id_.assign(id); }

    /// True for 2xx: LiveKit will not send this request again.
    [[nodiscard]] bool acknowledged() const noexcept { return status >= 200 && status < 300; }
    /// True when the event was handled (or queued) now, for the first time.
    [[nodiscard]] bool ok() const noexcept { return !error; }
    /// The stable name of the result: "ok" or the errc name (to_string(errc)).
    [[nodiscard]] std::string_view name() const noexcept { return lkwebhook::to_string(error); }

    /// An outcome for `code` with its HTTP status (and Retry-After for 503s).
    [[nodiscard]] LKWEBHOOK_DECL static outcome failure(errc code) noexcept;

private:
    detail::bounded_text<max_event_id> id_{};
};

/// Stable one-line rendering for logs (logfmt):
/// `outcome=<name> status=<n> type=<wire name> id=<escaped id> duplicate=<0|1>
///  delivery=<name> [session_found=<0|1>] [retry_after=<s>] [why="<diagnosis>"]`.
/// session_found appears only once the correlator was reached (delivery other
/// than none and queued). The id is escaped like diagnosis::append_escaped;
/// nothing else comes from the request.
[[nodiscard]] LKWEBHOOK_DECL std::string to_string(const outcome& o);

}  // namespace lkwebhook

#if LKWEBHOOK_HEADER_ONLY
#include "impl/outcome.ipp"
#endif

#endif  // LKWEBHOOK_OUTCOME_HPP
