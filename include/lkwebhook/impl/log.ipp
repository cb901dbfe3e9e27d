#ifndef LKWEBHOOK_IMPL_LOG_IPP
#define LKWEBHOOK_IMPL_LOG_IPP

// Logging's implementation (log.hpp is its interface).
// Included by log.hpp in the default header-only mode, by <lkwebhook/src.hpp>
// only with LKWEBHOOK_SEPARATE_COMPILATION (config.hpp).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include "../config.hpp"
#include "../log.hpp"

namespace lkwebhook {

LKWEBHOOK_DECL std::string to_string(const log_record& r) {
    std::string s;
    s.reserve(256);
    s += "outcome=";
    s += r.outcome_name;
    s += " status=";
    s += std::to_string(r.status);
    s += " type=";
    s += to_string(r.type);
    if (!r.event_name.empty()) {
        s += " event=";
        s += r.event_name;
    }
    if (!r.event_id.empty()) {
        s += " id=";
        s += r.event_id;
    }
    if (!r.room.empty()) {
        s += " room=";
        s += r.room;
    }
    s += " latency_us=";
    s += std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(r.latency).count());
    if (r.duplicate) s += " duplicate=1";
    if (r.delivery != lkwebhook::delivery::none) {
        s += " delivery=";
        s += to_string(r.delivery);
    }
    if (!r.session_found) s += " session_found=0";
    if (!r.why.empty()) {
        s += " why=";
        detail::append_logfmt_quoted(s, r.why);
    }
    if (r.suppressed_before != 0) {
        s += " suppressed_before=";
        s += std::to_string(r.suppressed_before);
    }
    return s;
}

LKWEBHOOK_DECL bool log_sink::log(const outcome& o, std::string_view event_name, std::string_view room,
                                  std::chrono::nanoseconds latency, metrics* m) {
    if (!fn_) return false;
    const bool rejection = o.error && o.error != errc::duplicate_event && o.error != errc::duplicate_in_flight;
    if (rejection && !admit()) {
        suppressed_.fetch_add(1, std::memory_order_relaxed);
        if (m != nullptr) m->record_suppressed_log();
        return false;
    }
    diagnosis name_text;
    diagnosis id_text;
    diagnosis room_text;
    if (!event_name.empty()) name_text.append_escaped(event_name);
    if (!o.event_id().empty()) id_text.append_escaped(o.event_id());
    if (!room.empty()) room_text.append_escaped(room);
    log_record r;
    r.outcome_name = o.name();
    r.status = o.status;
    r.type = o.type;
    r.event_name = name_text.view();
    r.event_id = id_text.view();
    r.room = room_text.view();
    r.latency = latency;
    r.duplicate = o.duplicate;
    // Rejected, duplicate and queued requests say nothing about sessions.
    r.session_found =
            o.session_found || o.delivery == lkwebhook::delivery::none || o.delivery == lkwebhook::delivery::queued;
    r.delivery = o.delivery;
    r.why = o.why.view();
    r.suppressed_before = suppressed_.exchange(0, std::memory_order_relaxed);
    fn_(r);
    return true;
}

LKWEBHOOK_DECL bool log_sink::admit() noexcept {
    const auto second =
            std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now().time_since_epoch())
                    .count();
    std::int64_t window = window_.load(std::memory_order_relaxed);
    if (window != second && window_.compare_exchange_strong(window, second, std::memory_order_relaxed)) {
        used_.store(0, std::memory_order_relaxed);
    }
    return used_.fetch_add(1, std::memory_order_relaxed) < per_second_;
}

}  // namespace lkwebhook

#endif  // LKWEBHOOK_IMPL_LOG_IPP
