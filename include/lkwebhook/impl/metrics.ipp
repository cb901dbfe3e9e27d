#ifndef LKWEBHOOK_IMPL_METRICS_IPP
#define LKWEBHOOK_IMPL_METRICS_IPP

// The metrics' implementation (metrics.hpp is their interface).
// Included by metrics.hpp in the default header-only mode, by <lkwebhook/src.hpp>
// only with LKWEBHOOK_SEPARATE_COMPILATION (config.hpp).

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "../config.hpp"
#include "../metrics.hpp"

namespace lkwebhook {

LKWEBHOOK_DECL void metrics::record(const outcome& o, std::chrono::nanoseconds latency) noexcept {
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

LKWEBHOOK_DECL void metrics::record_delivery(event_type type, lkwebhook::delivery d) noexcept {
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

LKWEBHOOK_DECL std::uint64_t metrics::rejected() const noexcept {
    std::uint64_t n = 0;
    for (int i = 1; i <= errc_count; ++i) {
        if (static_cast<errc>(i) != errc::duplicate_event) n += outcomes_[static_cast<std::size_t>(i)].load(relaxed);
    }
    return n;
}

LKWEBHOOK_DECL std::uint64_t metrics::events(event_type type) const noexcept {
    return events_[type_slot(type)].load(relaxed);
}

LKWEBHOOK_DECL std::uint64_t metrics::events_without_handler(event_type type) const noexcept {
    return without_handler_[type_slot(type)].load(relaxed);
}

LKWEBHOOK_DECL std::uint64_t metrics::events_unmapped(event_type type) const noexcept {
    return unmapped_[type_slot(type)].load(relaxed);
}

LKWEBHOOK_DECL std::uint64_t metrics::events_session_not_found(event_type type) const noexcept {
    return session_not_found_[type_slot(type)].load(relaxed);
}

LKWEBHOOK_DECL std::uint64_t metrics::latency_count() const noexcept {
    std::uint64_t n = 0;
    for (const auto& b : latency_buckets_) n += b.load(relaxed);
    return n;
}

LKWEBHOOK_DECL std::uint64_t metrics::latency_bucket(std::size_t i) const noexcept {
    return latency_buckets_[i].load(relaxed);
}

LKWEBHOOK_DECL std::chrono::nanoseconds metrics::latency_sum() const noexcept {
    return std::chrono::nanoseconds{static_cast<std::int64_t>(latency_sum_ns_.load(relaxed))};
}

LKWEBHOOK_DECL std::size_t metrics::outcome_slot(std::error_code code) noexcept {
    if (!code) return 0;
    if (code.category() != error_category()) return detail::outcome_slots - 1;  // foreign
    return outcome_slot(static_cast<errc>(code.value()));
}

LKWEBHOOK_DECL std::size_t metrics::outcome_slot(errc code) noexcept {
    const int v = static_cast<int>(code);
    return v > 0 && v <= errc_count ? static_cast<std::size_t>(v) : detail::outcome_slots - 1;
}

LKWEBHOOK_DECL std::size_t metrics::type_slot(event_type type) noexcept {
    const auto v = static_cast<std::size_t>(type);
    return v < detail::event_type_slots ? v : 0;
}

}  // namespace lkwebhook

namespace lkwebhook::detail {

LKWEBHOOK_DECL void append_seconds(std::string& out, std::uint64_t ns) {
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

LKWEBHOOK_DECL void append_sample(std::string& out, std::string_view name, std::string_view labels,
                                  std::uint64_t value) {
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

LKWEBHOOK_DECL void append_header(std::string& out, std::string_view name, std::string_view type,
                                  std::string_view help) {
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

}  // namespace lkwebhook::detail

namespace lkwebhook {

LKWEBHOOK_DECL std::string to_prometheus(const metrics& m, std::string_view prefix) {
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

#endif  // LKWEBHOOK_IMPL_METRICS_IPP
