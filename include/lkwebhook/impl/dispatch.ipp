#ifndef LKWEBHOOK_IMPL_DISPATCH_IPP
#define LKWEBHOOK_IMPL_DISPATCH_IPP

// The non-template parts of dispatch.hpp (their declarations are there).
// Included by dispatch.hpp in the default header-only mode, by <lkwebhook/src.hpp>
// only with LKWEBHOOK_SEPARATE_COMPILATION (config.hpp).

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "../config.hpp"
#include "../dispatch.hpp"

namespace lkwebhook {

LKWEBHOOK_DECL result<void> validate(const dispatch_options& o, diagnosis* why) noexcept {
    if (auto valid = validate(o.verify, why); !valid) return valid;
    if (auto valid = validate(o.decode, why); !valid) return valid;
    if (o.overloaded_retry_after < std::chrono::seconds{0} || o.overloaded_retry_after > std::chrono::seconds{3600}) {
        diagnose(why).append("dispatch_options::overloaded_retry_after must be within [0, 3600] s");
        return errc::invalid_config;
    }
    return {};
}

LKWEBHOOK_DECL memory_store& default_store() {
    static memory_store instance;
    return instance;
}

}  // namespace lkwebhook

namespace lkwebhook::detail {

LKWEBHOOK_DECL bool thread_decoder::fits(const decode_options& o, std::size_t max_body_bytes) const noexcept {
    return context.options() == o && context.max_body_bytes() == max_body_bytes;
}

LKWEBHOOK_DECL decoder_lease::decoder_lease(const dispatch_options& options) {
    const decode_options& decode = options.decode;
    const std::size_t max_body_bytes = options.verify.max_body_bytes;
    thread_local std::optional<thread_decoder> cached;
    if (!cached || !cached->fits(decode, max_body_bytes)) {
        if (!cached || !cached->busy) cached.emplace(decode, max_body_bytes);
    }
    if (cached->busy || !cached->fits(decode, max_body_bytes)) {
        own_.emplace(decode, max_body_bytes);
        current_ = &*own_;
    } else {
        current_ = &*cached;
    }
    current_->busy = true;
}

LKWEBHOOK_DECL std::chrono::nanoseconds since(std::chrono::steady_clock::time_point start) noexcept {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start);
}

LKWEBHOOK_DECL bool observes_latency(const dispatch_options& options) noexcept {
    return options.metrics != nullptr || options.log != nullptr;
}

LKWEBHOOK_DECL std::chrono::steady_clock::time_point start_time(const dispatch_options& options) noexcept {
    if (!observes_latency(options)) return {};
    return std::chrono::steady_clock::now();
}

LKWEBHOOK_DECL void finish(outcome& o, const dispatch_options& options, std::chrono::steady_clock::time_point start,
                           std::string_view event_name, std::string_view room) {
    if (!observes_latency(options)) return;
    const auto latency = since(start);
    if (options.metrics != nullptr) options.metrics->record(o, latency);
    if (options.log != nullptr) options.log->log(o, event_name, room, latency, options.metrics);
}

LKWEBHOOK_DECL bool apply_claim(const claim_ticket& ticket, outcome& o, const dispatch_options& options) noexcept {
    switch (ticket.status) {
        case claim_status::proceed: return true;
        case claim_status::duplicate_done:
            o.error = make_error_code(errc::duplicate_event);
            o.status = 200;
            o.duplicate = true;
            o.why.append("event id already handled; acknowledged without calling the handler");
            return false;
        case claim_status::duplicate_in_flight:
            o.error = make_error_code(errc::duplicate_in_flight);
            o.status = 503;
            o.duplicate = true;
            o.retry_after = std::chrono::seconds{1};
            o.why.append("the same event id is being handled right now");
            return false;
        case claim_status::unavailable: break;
    }
    o.error = make_error_code(errc::overloaded);
    o.status = 503;
    o.retry_after = options.overloaded_retry_after;
    o.why.append("idempotency store unavailable; not accepted (LiveKit will retry)");
    return false;
}

}  // namespace lkwebhook::detail

#endif  // LKWEBHOOK_IMPL_DISPATCH_IPP
