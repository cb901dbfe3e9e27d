#ifndef LKWEBHOOK_LOG_HPP
#define LKWEBHOOK_LOG_HPP

// The logging hook: one structured record per answered request, with fields
// that never carry a secret, a token, a body or raw attacker text
// (tests/threats/catalogue.md K1, K6, L1-L4), and a rate limit on rejections (L4).
//
//     lkwebhook::log_sink log{[](const lkwebhook::log_record& r) {
//         std::fprintf(stderr, "%s\n", lkwebhook::to_string(r).c_str());
//     }};
//     lkwebhook::dispatch_options options;
//     options.log = &log;
//
// Thread-safety: every member of log_sink may be called concurrently; the
// callback runs on the calling thread, outside any library lock.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include "config.hpp"
#include "detail/text.hpp"
#include "error.hpp"
#include "events.hpp"
#include "metrics.hpp"
#include "outcome.hpp"

namespace lkwebhook {

/// One structured log record. Every field is library-generated or escaped
/// and truncated attacker-influenced text: no secret, token, signature, body
/// or raw header ever appears (K1, K6, L1, L2).
struct log_record {
    std::string_view outcome_name;  ///< "ok" or the errc name
    int status = 0;                 ///< HTTP status answered
    event_type type = event_type::unknown;
    std::string_view event_name;  ///< wire event name, escaped and truncated (64 B)
    std::string_view event_id;    ///< escaped and truncated (64 B)
    std::string_view room;        ///< room name, escaped and truncated (64 B); empty when absent
    std::chrono::nanoseconds latency{0};
    bool duplicate = false;
    bool session_found = true;  ///< false only when the event reached the correlator and no session
    lkwebhook::delivery delivery = lkwebhook::delivery::none;  ///< what became of the event (delivery.hpp)
    std::string_view why;                                      ///< the diagnosis (library-generated, bounded)
    std::uint64_t suppressed_before = 0;  ///< rejection lines dropped by the rate limit since the last one
};

/// logfmt rendering of a record: `outcome=... status=... type=... event=... id=... room=... latency_us=...`.
[[nodiscard]] LKWEBHOOK_DECL std::string to_string(const log_record& r);

/// A logging hook with a rate limit on rejections (L4: anyone can cause
/// unbounded 401s): accepted events and duplicates are always passed on;
/// rejections at most `max_rejections_per_second` per second, the others are
/// counted and reported in the next record's `suppressed_before`.
/// The callback runs on the calling thread, outside any library lock.
class log_sink {
public:
    using callback = std::function<void(const log_record&)>;

    log_sink() = default;
    explicit log_sink(callback fn, std::uint32_t max_rejections_per_second = 1)
        : fn_(std::move(fn)), per_second_(max_rejections_per_second) {}

    log_sink(const log_sink&) = delete;
    log_sink& operator=(const log_sink&) = delete;

    [[nodiscard]] explicit operator bool() const noexcept { return static_cast<bool>(fn_); }

    /// Builds the record for `o` (room may be empty) and passes it on unless rate-limited.
    /// Returns true when the callback was called.
    LKWEBHOOK_DECL bool log(const outcome& o, std::string_view event_name, std::string_view room,
                            std::chrono::nanoseconds latency, metrics* m = nullptr);

    [[nodiscard]] std::uint64_t suppressed() const noexcept { return suppressed_.load(std::memory_order_relaxed); }

private:
    LKWEBHOOK_DECL bool admit() noexcept;

    callback fn_;
    std::uint32_t per_second_ = 1;
    std::atomic<std::int64_t> window_{0};
    std::atomic<std::uint32_t> used_{0};
    std::atomic<std::uint64_t> suppressed_{0};
};

}  // namespace lkwebhook

#if LKWEBHOOK_HEADER_ONLY
#include "impl/log.ipp"
#endif

#endif  // LKWEBHOOK_LOG_HPP
