#ifndef LKWEBHOOK_DISPATCH_HPP
#define LKWEBHOOK_DISPATCH_HPP

// verify_and_dispatch: the call every user makes from an HTTP handler.
//
//     struct on_finish {
//         void on_room_finished(const lkwebhook::webhook_event& ev) { close_call(ev.room->name); }
//     };
//     auto keys = lkwebhook::static_key::make("APIkey", secret).value();
//     on_finish correlator;
//     lkwebhook::memory_store store;  // one per process; shared by all request threads
//     ...
//     const lkwebhook::outcome o = lkwebhook::verify_and_dispatch(body, authorization, keys, correlator, store);
//     reply(o.status, o.retry_after);
//
// Pipeline (tests/threats/catalogue.md#order; the order is normative):
//   1-7  verify(): size caps, token syntax, header, claims, MAC, times, body hash;
//   8    decode the authenticated body into a webhook_event (thread-local,
//        reused storage: no allocation once warm);
//   9    claim the event id in the idempotency store (H5: only authenticated
//        events are ever inserted; H6: one atomic claim);
//   10   hand the event to the correlator; complete the claim when it was
//        handled (or acknowledged), release it when the handler failed so that
//        LiveKit's retry is handled.
// Nothing unauthenticated reaches the decoder, the store or the correlator.
//
// Answers (catalogue.md#outcomes): ok 200; duplicate_event 200 (handler not
// called); duplicate_in_flight 503 + Retry-After 1; every authentication
// failure 401; body_too_large 413; malformed_body 400; handler_failed 503;
// idempotency store unreachable: overloaded 503 + Retry-After (never accepted
// blindly); internal_error 500 (also for options out of range: they come with
// each call, and invalid_config is a configuration error, not a request outcome). Unknown event types and
// events without a handler are acknowledged (200). A session that is not
// found is acknowledged by default (a retry cannot create it) and reported in
// the outcome; so is an event that maps to no session id (always
// acknowledged). outcome::delivery says which of these happened; the metrics
// count each by event type.
//
// Lifetimes: `body` and `authorization` are only read during the call; the
// event handed to the correlator is valid during the handler call only (it is
// the calling thread's reusable event): copy what you keep.
//
// Thread-safety: safe to call concurrently from any number of threads if
// `keys`, `store` (all library stores are) and `correlator` are. Never throws.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "clock.hpp"
#include "config.hpp"
#include "correlator.hpp"
#include "decode.hpp"
#include "error.hpp"
#include "events.hpp"
#include "idempotency.hpp"
#include "keys.hpp"
#include "log.hpp"
#include "metrics.hpp"
#include "outcome.hpp"
#include "verify.hpp"

namespace lkwebhook {

/// Options of verify_and_dispatch (and async_dispatcher).
struct dispatch_options {
    /// Authentication limits and leeway (steps 1-7); max_body_bytes also
    /// sizes the decoder.
    verify_options verify{};
    /// Decoder limits and policy (step 8), e.g. decode.require_event_id.
    decode_options decode{};
    /// Dedupe keys are namespaced by the API key that signed the request (H8):
    /// for endpoints shared by several projects whose ids could collide.
    bool namespace_by_key_id = false;
    /// What a session that the correlator did not find answers.
    enum class session_policy : unsigned char {
        acknowledge,  ///< 200 (default): a retry cannot create the session
        retry,        ///< 503 handler_failed: for backends that create sessions slightly later
    };
    session_policy session_not_found = session_policy::acknowledge;
    /// Retry-After of overloaded answers (queue full, store unreachable).
    std::chrono::seconds overloaded_retry_after{1};
    /// Optional counters (not owned); must outlive the calls.
    lkwebhook::metrics* metrics = nullptr;
    /// Optional logging hook (not owned); must outlive the calls.
    lkwebhook::log_sink* log = nullptr;

    bool operator==(const dispatch_options&) const = default;
};

/// invalid_config when an option is outside its documented range: `verify`
/// and `decode` as their own validate() says, overloaded_retry_after within
/// [0, 3600] s. verify_and_dispatch checks its options on every call (they
/// are given there) and answers internal_error (500) for invalid ones, never
/// invalid_config; call this once at configuration time to find them early.
[[nodiscard]] LKWEBHOOK_DECL result<void> validate(const dispatch_options& o, diagnosis* why = nullptr) noexcept;

/// The process-wide default idempotency store used by the overloads without
/// a store argument (a memory_store with default capacity and TTL).
[[nodiscard]] LKWEBHOOK_DECL memory_store& default_store();

namespace detail {

struct thread_decoder {
    decode_context context;
    webhook_event event;
    // The namespaced dedupe key (H8) of the current request; its buffer is reused.
    std::string dedupe_key;
    bool busy = false;
    thread_decoder(const decode_options& o, std::size_t max_body_bytes) : context(o, max_body_bytes) {
        context.reserve();  // once per thread and options, not on each later request
    }
    [[nodiscard]] LKWEBHOOK_DECL bool fits(const decode_options& o, std::size_t max_body_bytes) const noexcept;
};

// The calling thread's decoder (reused: no allocation once warm). A nested
// call from inside a handler gets a private one, so the outer event stays intact.
class decoder_lease {
public:
    LKWEBHOOK_DECL explicit decoder_lease(const dispatch_options& options);
    ~decoder_lease() { current_->busy = false; }
    decoder_lease(const decoder_lease&) = delete;
    decoder_lease& operator=(const decoder_lease&) = delete;

    thread_decoder& get() noexcept { return *current_; }

private:
    std::optional<thread_decoder> own_;
    thread_decoder* current_ = nullptr;
};

LKWEBHOOK_DECL std::chrono::nanoseconds since(std::chrono::steady_clock::time_point start) noexcept;

/// True when metrics or a log will see a request's latency.
[[nodiscard]] LKWEBHOOK_DECL bool observes_latency(const dispatch_options& options) noexcept;

/// The start of a request for its latency, read only when metrics or a log
/// will see that latency (finish() ignores it otherwise).
[[nodiscard]] LKWEBHOOK_DECL std::chrono::steady_clock::time_point start_time(const dispatch_options& options) noexcept;

LKWEBHOOK_DECL void finish(outcome& o, const dispatch_options& options, std::chrono::steady_clock::time_point start,
                           std::string_view event_name, std::string_view room);

/// Applies step 9's claim result to an outcome; returns true when the event must be handled.
LKWEBHOOK_DECL bool apply_claim(const claim_ticket& ticket, outcome& o, const dispatch_options& options) noexcept;

/// Applies step 10's correlation result: fills the outcome and completes or releases the claim.
template <class Store>
void apply_correlation(const correlation& r, outcome& o, const dispatch_options& options, Store& store,
                       std::string_view key, const claim_ticket& ticket) noexcept {
    o.delivery = r.result;
    o.session_found = true;
    switch (r.result) {
        case correlation::disposition::none:
        case correlation::disposition::queued:  // correlate() reports neither
        case correlation::disposition::handled:
        case correlation::disposition::no_handler:
            o.handled = r.result == correlation::disposition::handled;
            if (r.result == correlation::disposition::no_handler)
                o.why.append("no handler for this event type; acknowledged");
            if (ticket.status == claim_status::proceed) (void)store.complete(key, ticket);
            return;
        case correlation::disposition::unmapped:
            // A retry cannot give the event a room: acknowledged whatever session_policy says.
            o.session_found = false;
            o.handled = true;
            o.why.append("event maps to no session id; acknowledged");
            if (ticket.status == claim_status::proceed) (void)store.complete(key, ticket);
            return;
        case correlation::disposition::session_not_found:
            o.session_found = false;
            o.handled = true;
            if (options.session_not_found == dispatch_options::session_policy::acknowledge) {
                o.why.append("session not found; acknowledged");
                if (ticket.status == claim_status::proceed) (void)store.complete(key, ticket);
            } else {
                o.error = make_error_code(errc::handler_failed);
                o.status = 503;
                o.retry_after = options.overloaded_retry_after;
                o.why.append("session not found; answered 503 so LiveKit retries (session_policy::retry)");
                if (ticket.status == claim_status::proceed) (void)store.release(key, ticket);
            }
            return;
        case correlation::disposition::failed:
            o.handled = true;
            o.error = make_error_code(errc::handler_failed);
            o.status = 503;
            o.retry_after = r.retry_after;
            o.why.append(r.threw ? "the handler threw; answered 503 so LiveKit retries"
                                 : "the handler reported a transient failure; answered 503 so LiveKit retries");
            if (ticket.status == claim_status::proceed) (void)store.release(key, ticket);
            return;
    }
}

/// Steps 1 to 8, which every dispatcher runs first: verifies the request and
/// decodes it into the lease's event. On a rejection `o` holds it, finished
/// (metrics, log), and the result is empty: nothing of a forged body is read.
template <class Keys, class C>
std::optional<verified_request> verify_and_decode(std::string_view body, std::string_view authorization,
                                                  const Keys& keys, const dispatch_options& options, const C& clock,
                                                  decoder_lease& lease, outcome& o,
                                                  std::chrono::steady_clock::time_point start) {
    const auto reject = [&](std::error_code error) {
        const diagnosis why = o.why;
        o = outcome::failure(static_cast<errc>(error.value()));
        o.error = error;
        o.status = http_status(error);
        o.why = why;
        finish(o, options, start, {}, {});
    };
    // Steps 1-7: authentication. Nothing below runs for a forged request.
    result<verified_request> verified = verify(body, authorization, keys, options.verify, clock, &o.why);
    if (!verified) {
        reject(verified.error());
        return std::nullopt;
    }
    // Step 8: decode into the thread's reusable event.
    thread_decoder& d = lease.get();
    if (const auto decoded = decode(body, d.event, d.context, &o.why); !decoded) {
        reject(decoded.error());
        return std::nullopt;
    }
    return *verified;
}

template <class Keys, class Correlator, class Store, class C>
outcome verify_and_dispatch_impl(std::string_view body, std::string_view authorization, const Keys& keys,
                                 Correlator& correlator, Store& store, const dispatch_options& options,
                                 const C& clock) {
    const auto start = start_time(options);
    outcome o;

    // The options come with each call, so they are checked here. An invalid
    // one is this server's fault: internal_error (500, LiveKit retries, the
    // reason is in `why`), never invalid_config, which is a configuration error, not a request outcome.
    if (!validate(options, &o.why)) {
        const diagnosis why = o.why;
        o = outcome::failure(errc::internal_error);
        o.why = why;
        finish(o, options, start, {}, {});
        return o;
    }

    decoder_lease lease{options};
    const std::optional<verified_request> verified =
            verify_and_decode(body, authorization, keys, options, clock, lease, o, start);
    if (!verified) return o;
    thread_decoder& d = lease.get();
    const webhook_event& ev = d.event;
    o.type = ev.type();
    o.set_event_id(ev.id);
    // The room as the event family carries it (egress events have no top-level
    // room); only the log reads it.
    const std::string_view room =
            options.log != nullptr ? default_session_id(ev).value_or(std::string_view{}) : std::string_view{};

    // Step 9: dedupe by id (events without an id cannot be deduplicated: G14).
    // The key is the id itself unless namespaced: no copy of it here (the store keeps its own).
    std::string_view key = ev.id;
    claim_ticket ticket{claim_status::proceed, 0};
    const bool dedupe = !ev.id.empty();
    if (dedupe) {
        if (options.namespace_by_key_id) {
            assign_dedupe_key(d.dedupe_key, ev.id, verified->key_id);
            key = d.dedupe_key;
        }
        ticket = store.claim(key);
        if (!apply_claim(ticket, o, options)) {
            finish(o, options, start, ev.event, room);
            return o;
        }
    } else {
        ticket.status = claim_status::duplicate_done;  // nothing to complete or release
        o.why.append("event has no id; handled without deduplication");
        if (options.metrics != nullptr) options.metrics->record_missing_id();
    }

    // Step 10: the correlator.
    const correlation r = correlate(correlator, ev);
    apply_correlation(r, o, options, store, key, ticket);
    finish(o, options, start, ev.event, room);
    return o;
}

}  // namespace detail

/// Verifies, decodes, deduplicates and dispatches one webhook request; see the
/// file comment. `clock` is read once (J7); tests inject fixed_clock.
template <KeyProvider Keys, class Correlator, IdempotencyStore Store, Clock C = system_clock_source>
[[nodiscard]] outcome verify_and_dispatch(std::string_view body, std::string_view authorization, const Keys& keys,
                                          Correlator& correlator, Store& store, const dispatch_options& options = {},
                                          const C& clock = {}) noexcept {
    static_assert(detail::check_correlator<Correlator>());
    return detail::fail_closed(
            [&] {
                return detail::verify_and_dispatch_impl(body, authorization, keys, correlator, store, options, clock);
            },
            [&] {  // allocation failure: fail closed
                outcome o = outcome::failure(errc::internal_error);
                o.why.append("internal error while dispatching");
                if (options.metrics != nullptr) options.metrics->record(o, std::chrono::nanoseconds{0});
                return o;
            });
}

/// As above, deduplicating in the process-wide default_store().
template <KeyProvider Keys, class Correlator>
[[nodiscard]] outcome verify_and_dispatch(std::string_view body, std::string_view authorization, const Keys& keys,
                                          Correlator& correlator, const dispatch_options& options = {}) noexcept {
    return verify_and_dispatch(body, authorization, keys, correlator, default_store(), options);
}

}  // namespace lkwebhook

#if LKWEBHOOK_HEADER_ONLY
#include "impl/dispatch.ipp"
#endif

#endif  // LKWEBHOOK_DISPATCH_HPP
