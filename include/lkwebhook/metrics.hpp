#ifndef LKWEBHOOK_METRICS_HPP
#define LKWEBHOOK_METRICS_HPP

// Observability: counters, a latency histogram and a queue-depth gauge, kept
// with relaxed atomics (thread-safe, lock-free, never a source of ordering),
// and a Prometheus text-format rendering (exposition format 0.0.4). The
// logging hook (log_sink) is in log.hpp.
//
//     lkwebhook::metrics m;
//     lkwebhook::dispatch_options options;
//     options.metrics = &m;
//     ... verify_and_dispatch(body, authorization, keys, correlator, store, options) ...
//     http_reply("text/plain; version=0.0.4", lkwebhook::to_prometheus(m));
//
// Thread-safety: every member of metrics may be called
// concurrently. Counters are monotonic except the queue depth gauge.

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "config.hpp"
#include "error.hpp"
#include "events.hpp"
#include "outcome.hpp"

namespace lkwebhook {

namespace detail {
inline constexpr std::size_t event_type_slots = 64;  // > number of event_type values, checked below
inline constexpr std::size_t outcome_slots = 64;     // > errc_count + 1
inline constexpr std::size_t last_event_type = static_cast<std::size_t>(event_type::agent_job_ended);
static_assert(last_event_type < event_type_slots);
static_assert(static_cast<std::size_t>(errc_count) + 1 < outcome_slots);
inline constexpr std::array<std::uint64_t, 15> latency_bounds_ns{
        50'000,     100'000,    250'000,     500'000,     1'000'000,   2'500'000,     5'000'000,    10'000'000,
        25'000'000, 50'000'000, 100'000'000, 250'000'000, 500'000'000, 1'000'000'000, 2'500'000'000};
}  // namespace detail

/// Counters of a receiver. All updates are relaxed atomic increments.
class metrics {
public:
    /// Upper bounds of the latency histogram buckets, in seconds (plus +Inf).
    static constexpr const std::array<std::uint64_t, 15>& latency_bounds_ns = detail::latency_bounds_ns;

    metrics() noexcept = default;
    metrics(const metrics&) = delete;
    metrics& operator=(const metrics&) = delete;

    /// Records the final outcome of one request and its latency (verify to answer).
    LKWEBHOOK_DECL void record(const outcome& o, std::chrono::nanoseconds latency) noexcept;

    /// A handler failed inside an async worker (each failed attempt).
    void record_handler_failure() noexcept { handler_failures_.fetch_add(1, relaxed); }
    /// An async worker retried a handler.
    void record_retry() noexcept { retries_.fetch_add(1, relaxed); }
    /// An event was handed to the dead-letter hook after its last attempt.
    void record_dead_letter() noexcept { dead_letters_.fetch_add(1, relaxed); }
    /// A session was not found while an async worker handled an event.
    void record_session_not_found() noexcept { sessions_not_found_.fetch_add(1, relaxed); }
    /// An event of `type` was handled successfully (by verify_and_dispatch or an async worker).
    void record_event(event_type type) noexcept { events_[type_slot(type)].fetch_add(1, relaxed); }
    /// What became of an event of `type` at the correlator: handled events are
    /// counted in events(), the acknowledged-but-not-handled ones apart
    /// (events_without_handler, events_unmapped, events_session_not_found).
    /// record() calls it; async workers call it for each attempt.
    LKWEBHOOK_DECL void record_delivery(event_type type, lkwebhook::delivery d) noexcept;
    /// The async dispatcher's current number of queued or running events.
    void set_queue_depth(std::size_t depth) noexcept { queue_depth_.store(depth, relaxed); }
    /// An authenticated event carried no id, so it could not be deduplicated (G14).
    void record_missing_id() noexcept { missing_ids_.fetch_add(1, relaxed); }
    /// A log line about a rejection was suppressed by the rate limit (L4).
    void record_suppressed_log() noexcept { suppressed_logs_.fetch_add(1, relaxed); }

    [[nodiscard]] std::uint64_t received() const noexcept { return received_.load(relaxed); }
    /// Requests answered ok (handled or queued for the first time).
    [[nodiscard]] std::uint64_t accepted() const noexcept { return accepted_.load(relaxed); }
    /// Requests that ended with `code` (including duplicate_event, a 200).
    [[nodiscard]] std::uint64_t count(errc code) const noexcept { return outcomes_[outcome_slot(code)].load(relaxed); }
    /// Requests that ended with an error other than duplicate_event.
    [[nodiscard]] LKWEBHOOK_DECL std::uint64_t rejected() const noexcept;
    [[nodiscard]] std::uint64_t duplicates() const noexcept { return duplicates_.load(relaxed); }
    [[nodiscard]] std::uint64_t sessions_not_found() const noexcept { return sessions_not_found_.load(relaxed); }
    [[nodiscard]] std::uint64_t handler_failures() const noexcept { return handler_failures_.load(relaxed); }
    [[nodiscard]] std::uint64_t retries() const noexcept { return retries_.load(relaxed); }
    [[nodiscard]] std::uint64_t dead_letters() const noexcept { return dead_letters_.load(relaxed); }
    [[nodiscard]] std::uint64_t suppressed_logs() const noexcept { return suppressed_logs_.load(relaxed); }
    [[nodiscard]] std::uint64_t missing_ids() const noexcept { return missing_ids_.load(relaxed); }
    /// Events of `type` a handler handled.
    [[nodiscard]] LKWEBHOOK_DECL std::uint64_t events(event_type type) const noexcept;
    /// Events of `type` acknowledged because the correlator has no handler for them.
    [[nodiscard]] LKWEBHOOK_DECL std::uint64_t events_without_handler(event_type type) const noexcept;
    /// Events of `type` that mapped to no session id (delivery::unmapped).
    [[nodiscard]] LKWEBHOOK_DECL std::uint64_t events_unmapped(event_type type) const noexcept;
    /// Events of `type` whose session find_session did not find.
    [[nodiscard]] LKWEBHOOK_DECL std::uint64_t events_session_not_found(event_type type) const noexcept;
    [[nodiscard]] std::size_t queue_depth() const noexcept { return queue_depth_.load(relaxed); }
    /// Number of latency observations (== received()).
    [[nodiscard]] LKWEBHOOK_DECL std::uint64_t latency_count() const noexcept;
    /// Observations in bucket i (not cumulative); i == latency_bounds_ns.size() is +Inf.
    [[nodiscard]] LKWEBHOOK_DECL std::uint64_t latency_bucket(std::size_t i) const noexcept;
    [[nodiscard]] LKWEBHOOK_DECL std::chrono::nanoseconds latency_sum() const noexcept;

private:
    static constexpr auto relaxed = std::memory_order_relaxed;

    LKWEBHOOK_DECL static std::size_t outcome_slot(std::error_code code) noexcept;
    LKWEBHOOK_DECL static std::size_t outcome_slot(errc code) noexcept;
    LKWEBHOOK_DECL static std::size_t type_slot(event_type type) noexcept;

    std::atomic<std::uint64_t> received_{0};
    std::atomic<std::uint64_t> accepted_{0};
    std::atomic<std::uint64_t> duplicates_{0};
    std::atomic<std::uint64_t> sessions_not_found_{0};
    std::atomic<std::uint64_t> handler_failures_{0};
    std::atomic<std::uint64_t> retries_{0};
    std::atomic<std::uint64_t> dead_letters_{0};
    std::atomic<std::uint64_t> suppressed_logs_{0};
    std::atomic<std::uint64_t> missing_ids_{0};
    std::atomic<std::size_t> queue_depth_{0};
    std::array<std::atomic<std::uint64_t>, detail::outcome_slots> outcomes_{};
    std::array<std::atomic<std::uint64_t>, detail::event_type_slots> events_{};
    std::array<std::atomic<std::uint64_t>, detail::event_type_slots> without_handler_{};
    std::array<std::atomic<std::uint64_t>, detail::event_type_slots> unmapped_{};
    std::array<std::atomic<std::uint64_t>, detail::event_type_slots> session_not_found_{};
    std::array<std::atomic<std::uint64_t>, detail::latency_bounds_ns.size() + 1> latency_buckets_{};
    std::atomic<std::uint64_t> latency_sum_ns_{0};
};

namespace detail {

LKWEBHOOK_DECL void append_seconds(std::string& out, std::uint64_t ns);

LKWEBHOOK_DECL void append_sample(std::string& out, std::string_view name, std::string_view labels,
                                  std::uint64_t value);

LKWEBHOOK_DECL void append_header(std::string& out, std::string_view name, std::string_view type,
                                  std::string_view help);

}  // namespace detail

/// Renders `m` in the Prometheus text exposition format (version 0.0.4), with
/// metric names prefixed by `prefix` (default "lkwebhook"; must be a valid
/// metric name prefix). Label values are library-generated names only.
[[nodiscard]] LKWEBHOOK_DECL std::string to_prometheus(const metrics& m, std::string_view prefix = "lkwebhook");

}  // namespace lkwebhook

#if LKWEBHOOK_HEADER_ONLY
#include "impl/metrics.ipp"
#endif

#endif  // LKWEBHOOK_METRICS_HPP
