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
    void record(const outcome& o, std::chrono::nanoseconds latency) noexcept {
        received_.fetch_add(1, relaxed);
        outcomes_[outcome_slot(o.error)].fetch_add(1, relaxed);
        if (!o.error) accepted_.fetch_add(1, relaxed);
        if (o.duplicate) duplicates_.fetch_add(1, relaxed);
        record_delivery(o.type, o.delivery);
        if (o.error == errc::handler_failed) handler_failures_.fetch_add(1, relaxed);
        const auto ns = latency.count() < 0 ? std::uint64_t{0} : static_cast<std::uint64_t>(latency.count());
        std::size_t bucket = 0;
        while (bucket < latency_bounds_ns.size() && ns > latency_bounds_ns[bucket]) ++bucket;
        latency_buckets_[bucket].fetch_add(1, relaxed);
        latency_sum_ns_.fetch_add(ns, relaxed);
    }

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
    void record_delivery(event_type type, lkwebhook::delivery d) noexcept {
        const std::size_t slot = type_slot(type);
        switch (d) {
            case lkwebhook::delivery::handled: events_[slot].fetch_add(1, relaxed); break;
            case lkwebhook::delivery::no_handler: without_handler_[slot].fetch_add(1, relaxed); break;
            case lkwebhook::delivery::unmapped:
                unmapped_[slot].fetch_add(1, relaxed);
                sessions_not_found_.fetch_add(1, relaxed);
                break;
            case lkwebhook::delivery::session_not_found:
                session_not_found_[slot].fetch_add(1, relaxed);
                sessions_not_found_.fetch_add(1, relaxed);
                break;
            case lkwebhook::delivery::none:
            case lkwebhook::delivery::failed:  // counted as handler_failures
            case lkwebhook::delivery::queued: break;
        }
    }
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
    [[nodiscard]] std::uint64_t rejected() const noexcept {
        std::uint64_t n = 0;
        for (int i = 1; i <= errc_count; ++i) {
            if (static_cast<errc>(i) != errc::duplicate_event)
                n += outcomes_[static_cast<std::size_t>(i)].load(relaxed);
        }
        return n;
    }
    [[nodiscard]] std::uint64_t duplicates() const noexcept { return duplicates_.load(relaxed); }
    [[nodiscard]] std::uint64_t sessions_not_found() const noexcept { return sessions_not_found_.load(relaxed); }
    [[nodiscard]] std::uint64_t handler_failures() const noexcept { return handler_failures_.load(relaxed); }
    [[nodiscard]] std::uint64_t retries() const noexcept { return retries_.load(relaxed); }
    [[nodiscard]] std::uint64_t dead_letters() const noexcept { return dead_letters_.load(relaxed); }
    [[nodiscard]] std::uint64_t suppressed_logs() const noexcept { return suppressed_logs_.load(relaxed); }
    [[nodiscard]] std::uint64_t missing_ids() const noexcept { return missing_ids_.load(relaxed); }
    /// Events of `type` a handler handled.
    [[nodiscard]] std::uint64_t events(event_type type) const noexcept {
        return events_[type_slot(type)].load(relaxed);
    }
    /// Events of `type` acknowledged because the correlator has no handler for them.
    [[nodiscard]] std::uint64_t events_without_handler(event_type type) const noexcept {
        return without_handler_[type_slot(type)].load(relaxed);
    }
    /// Events of `type` that mapped to no session id (delivery::unmapped).
    [[nodiscard]] std::uint64_t events_unmapped(event_type type) const noexcept {
        return unmapped_[type_slot(type)].load(relaxed);
    }
    /// Events of `type` whose session find_session did not find.
    [[nodiscard]] std::uint64_t events_session_not_found(event_type type) const noexcept {
        return session_not_found_[type_slot(type)].load(relaxed);
    }
    [[nodiscard]] std::size_t queue_depth() const noexcept { return queue_depth_.load(relaxed); }
    /// Number of latency observations (== received()).
    [[nodiscard]] std::uint64_t latency_count() const noexcept {
        std::uint64_t n = 0;
        for (const auto& b : latency_buckets_) n += b.load(relaxed);
        return n;
    }
    /// Observations in bucket i (not cumulative); i == latency_bounds_ns.size() is +Inf.
    [[nodiscard]] std::uint64_t latency_bucket(std::size_t i) const noexcept {
        return latency_buckets_[i].load(relaxed);
    }
    [[nodiscard]] std::chrono::nanoseconds latency_sum() const noexcept {
        return std::chrono::nanoseconds{static_cast<std::int64_t>(latency_sum_ns_.load(relaxed))};
    }

private:
    static constexpr auto relaxed = std::memory_order_relaxed;

    static std::size_t outcome_slot(std::error_code code) noexcept {
        if (!code) return 0;
        if (code.category() != error_category()) return detail::outcome_slots - 1;  // foreign
        return outcome_slot(static_cast<errc>(code.value()));
    }
    static std::size_t outcome_slot(errc code) noexcept {
        const int v = static_cast<int>(code);
        return v > 0 && v <= errc_count ? static_cast<std::size_t>(v) : detail::outcome_slots - 1;
    }
    static std::size_t type_slot(event_type type) noexcept {
        const auto v = static_cast<std::size_t>(type);
        return v < detail::event_type_slots ? v : 0;
    }

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

inline void append_seconds(std::string& out, std::uint64_t ns) {
    // Fixed-point nanoseconds -> decimal seconds, without locale or floating point.
    out += std::to_string(ns / 1'000'000'000);
    const std::uint64_t frac = ns % 1'000'000'000;
    if (frac == 0) return;
    std::string digits = std::to_string(frac);
    digits.insert(0, 9 - digits.size(), '0');
    while (!digits.empty() && digits.back() == '0') digits.pop_back();
    out += '.';
    out += digits;
}

inline void append_sample(std::string& out, std::string_view name, std::string_view labels, std::uint64_t value) {
    out += name;
    if (!labels.empty()) {
        out += '{';
        out += labels;
        out += '}';
    }
    out += ' ';
    out += std::to_string(value);
    out += '\n';
}

inline void append_header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
}

}  // namespace detail

/// Renders `m` in the Prometheus text exposition format (version 0.0.4), with
/// metric names prefixed by `prefix` (default "lkwebhook"; must be a valid
/// metric name prefix). Label values are library-generated names only.
[[nodiscard]] inline std::string to_prometheus(const metrics& m, std::string_view prefix = "lkwebhook") {
    std::string out;
    out.reserve(4096);
    const std::string p{prefix};

    const std::string requests = p + "_requests_total";
    detail::append_header(out, requests, "counter", "Webhook requests by outcome (ok or the error name).");
    detail::append_sample(out, requests, "outcome=\"ok\"", m.accepted());
    for (int i = 1; i <= errc_count; ++i) {
        const auto code = static_cast<errc>(i);
        if (code == errc::invalid_config) continue;
        std::string labels = "outcome=\"";
        labels += to_string(code);
        labels += '"';
        detail::append_sample(out, requests, labels, m.count(code));
    }

    const auto simple = [&](std::string_view suffix, std::string_view help, std::uint64_t value,
                            std::string_view type = "counter") {
        const std::string name = p + std::string{suffix};
        detail::append_header(out, name, type, help);
        detail::append_sample(out, name, {}, value);
    };
    simple("_received_total", "Webhook requests received.", m.received());
    simple("_accepted_total", "Events handled or queued for the first time.", m.accepted());
    simple("_rejected_total", "Requests answered with an error (duplicates of handled events excluded).", m.rejected());
    simple("_duplicates_total", "Requests carrying an event id already handled or in flight.", m.duplicates());
    simple("_sessions_not_found_total", "Events whose backend session was not found.", m.sessions_not_found());
    simple("_handler_failures_total", "Handler calls that reported a transient failure or threw.",
           m.handler_failures());
    simple("_handler_retries_total", "Handler retries made by the async dispatcher.", m.retries());
    simple("_dead_letters_total", "Events handed to the dead-letter hook after their last attempt.", m.dead_letters());
    simple("_events_without_id_total", "Authenticated events without an id (handled, not deduplicated).",
           m.missing_ids());
    simple("_suppressed_logs_total", "Rejection log lines dropped by the rate limit.", m.suppressed_logs());
    simple("_queue_depth", "Events queued or running in the async dispatcher.", m.queue_depth(), "gauge");

    const auto type_label = [](std::size_t i) {
        std::string labels = "type=\"";
        labels += i == 0 ? std::string_view{"unknown"} : to_string(static_cast<event_type>(i));
        labels += '"';
        return labels;
    };
    const std::string events = p + "_events_total";
    detail::append_header(out, events, "counter", "Events a handler handled successfully, by type.");
    for (std::size_t i = 0; i <= detail::last_event_type; ++i)
        detail::append_sample(out, events, type_label(i), m.events(static_cast<event_type>(i)));
    const std::string without_handler = p + "_events_without_handler_total";
    detail::append_header(out, without_handler, "counter",
                          "Events acknowledged because the correlator has no handler for their type, by type.");
    for (std::size_t i = 0; i <= detail::last_event_type; ++i)
        detail::append_sample(out, without_handler, type_label(i),
                              m.events_without_handler(static_cast<event_type>(i)));
    const std::string without_session = p + "_events_without_session_total";
    detail::append_header(out, without_session, "counter",
                          "Events that reached no session, by type and reason (unmapped: no session id; "
                          "not_found: find_session found nothing).");
    for (std::size_t i = 0; i <= detail::last_event_type; ++i) {
        const auto type = static_cast<event_type>(i);
        detail::append_sample(out, without_session, type_label(i) + ",reason=\"unmapped\"", m.events_unmapped(type));
        detail::append_sample(out, without_session, type_label(i) + ",reason=\"not_found\"",
                              m.events_session_not_found(type));
    }

    const std::string latency = p + "_request_duration_seconds";
    detail::append_header(out, latency, "histogram", "Time from receiving a request to deciding its answer.");
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < metrics::latency_bounds_ns.size(); ++i) {
        cumulative += m.latency_bucket(i);
        std::string labels = "le=\"";
        detail::append_seconds(labels, metrics::latency_bounds_ns[i]);
        labels += '"';
        detail::append_sample(out, latency + "_bucket", labels, cumulative);
    }
    cumulative += m.latency_bucket(metrics::latency_bounds_ns.size());
    detail::append_sample(out, latency + "_bucket", "le=\"+Inf\"", cumulative);
    out += latency;
    out += "_sum ";
    detail::append_seconds(out, static_cast<std::uint64_t>(m.latency_sum().count()));
    out += '\n';
    detail::append_sample(out, latency + "_count", {}, cumulative);
    return out;
}

}  // namespace lkwebhook

#endif  // LKWEBHOOK_METRICS_HPP
