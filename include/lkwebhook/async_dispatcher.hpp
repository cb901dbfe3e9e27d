#ifndef LKWEBHOOK_ASYNC_DISPATCHER_HPP
#define LKWEBHOOK_ASYNC_DISPATCHER_HPP

// Fast acknowledgement ("respond quickly; enqueue heavy work"): verify and
// decode in the caller's thread, queue the owned event for worker threads,
// answer 200 at once.
//
//     lkwebhook::memory_store store;
//     lkwebhook::async_dispatcher dispatcher{keys, correlator, store, {.workers = 4}};
//     // in the HTTP handler, any thread:
//     const lkwebhook::outcome o = dispatcher.submit(body, authorization);
//     reply(o.status, o.retry_after);
//     // at exit: dispatcher.shutdown();  (the destructor does it too)
//
// Guarantees:
// - A forged or tampered request is answered 401 at once by submit(); nothing
//   unauthenticated is queued. Duplicates are resolved by the store before
//   queueing (duplicate_event 200 / duplicate_in_flight 503).
// - The queue is bounded (queue_capacity, default 10,000: tests/threats/catalogue.md I4).
//   When it is full submit() answers 503 overloaded with Retry-After: it never
//   blocks and never drops, and the claim is released so the retry is handled.
// - Once submit() answered 200, LiveKit will not send the event again, so the
//   event is never lost: a failing handler is retried max_attempts times with
//   exponential backoff, then handed to the dead-letter hook (and counted and
//   logged); shutdown() (and the destructor) stops accepting and runs every
//   event already accepted before returning.
// - Per-room ordering: events are routed to workers by their resource key
//   (room name; else egress id, ingress id, participant identity, track sid,
//   the same keys LiveKit queues by), so events of one room are handled one
//   at a time, in the order submit() accepted them. Different rooms run
//   concurrently: the correlator must be safe to call from several workers.
// - The idempotency claim is completed once the event has been handled (or
//   dead-lettered), so a replay inside the TTL stays a duplicate.
//
// Thread-safety: submit() may be called concurrently from any threads;
// shutdown() from any thread except a worker (i.e. not from a handler).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>

#include "config.hpp"
#include "correlator.hpp"
#include "detail/keyed_worker_pool.hpp"
#include "dispatch.hpp"
#include "events.hpp"
#include "idempotency.hpp"
#include "metrics.hpp"
#include "outcome.hpp"

namespace lkwebhook {

/// Options of async_dispatcher.
struct async_options {
    /// Worker threads (>= 1).
    std::size_t workers = 2;
    /// Events accepted and not yet finished, at most (catalogue I4: Q = 10,000).
    std::size_t queue_capacity = 10'000;
    /// Handler attempts per event before the dead-letter hook (>= 1).
    unsigned max_attempts = 3;
    /// Wait before the first retry; doubled each time, up to max_backoff.
    std::chrono::milliseconds initial_backoff{100};
    std::chrono::milliseconds max_backoff{2'000};
    /// Receives every event whose handler still failed after max_attempts
    /// (or that the correlator could not place, with session_policy::retry),
    /// with the reason. Runs on a worker thread; exceptions are swallowed.
    std::function<void(const webhook_event&, std::error_code)> dead_letter{};
    /// Verification, decoding, dedupe, metrics and logging options.
    dispatch_options dispatch{};
};

/// Largest accepted async_options::queue_capacity and ::workers.
inline constexpr std::size_t max_queue_capacity = 10'000'000;
inline constexpr std::size_t max_workers = 1024;

/// invalid_config when an option is outside its documented range: workers in
/// [1, 1024], queue_capacity in [1, 10^7], max_attempts in [1, 100], backoffs
/// >= 0 with initial <= max, and valid dispatch options (validate(
/// dispatch_options)). The constructor checks the same and throws; call this
/// first to get a result instead.
[[nodiscard]] LKWEBHOOK_DECL result<void> validate(const async_options& o, diagnosis* why = nullptr) noexcept;

namespace detail {

/// The key LiveKit orders a resource's events by (tests/vectors/wire-format.md section 3.3), first match wins.
[[nodiscard]] LKWEBHOOK_DECL std::string_view resource_key(const webhook_event& ev) noexcept;

/// The worker routing key: the room first, read where the event family carries
/// it (default_session_id: egress events name it in egress_info), so a room's
/// egress, ingress and agent-job events queue with its other events; then
/// LiveKit's own resource key.
[[nodiscard]] LKWEBHOOK_DECL std::string_view ordering_key(const webhook_event& ev) noexcept;

struct async_job {
    webhook_event event;
    std::string key;  // dedupe key; empty when the event has no id
    claim_ticket ticket;
    std::chrono::steady_clock::time_point accepted;
};

}  // namespace detail

/// See the file comment.
template <KeyProvider Keys, class Correlator, IdempotencyStore Store = memory_store, Clock C = system_clock_source>
class async_dispatcher {
    static_assert(detail::check_correlator<Correlator>());

public:
    /// Starts the workers. The options are validated here, once, so that
    /// submit() never answers invalid_config (a configuration error, not a request outcome):
    /// throws std::system_error(invalid_config) with the reason when
    /// validate(options) fails (aborts in builds without exceptions).
    async_dispatcher(const Keys& keys, Correlator& correlator, Store& store, async_options options = {}, C clock = {})
        : keys_(keys),
          correlator_(correlator),
          store_(store),
          options_(checked(std::move(options))),
          clock_(std::move(clock)),
          hash_{random_seed()},
          pool_(options_.workers, options_.queue_capacity, runner{this}) {}

    ~async_dispatcher() { shutdown(); }

    async_dispatcher(const async_dispatcher&) = delete;
    async_dispatcher& operator=(const async_dispatcher&) = delete;

    /// Verifies and decodes now; queues the event and answers 200, or answers
    /// the rejection. `body` and `authorization` are not retained.
    [[nodiscard]] outcome submit(std::string_view body, std::string_view authorization) noexcept {
        return detail::fail_closed([&] { return submit_impl(body, authorization); },
                                   [] {
                                       outcome o = outcome::failure(errc::internal_error);
                                       o.why.append("internal error while queueing");
                                       return o;
                                   });
    }

    /// Stops accepting (later submits answer 503 overloaded), handles every
    /// event already accepted, joins the workers. Idempotent.
    void shutdown() {
        pool_.shutdown();
        if (options_.dispatch.metrics != nullptr) options_.dispatch.metrics->set_queue_depth(pool_.depth());
    }

    /// Blocks until no accepted event is queued or running, or `timeout` passed; true when idle.
    bool wait_idle(std::chrono::milliseconds timeout) const {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (pool_.depth() != 0) {
            if (std::chrono::steady_clock::now() >= deadline) return false;
            std::this_thread::sleep_for(std::chrono::milliseconds{1});
        }
        return true;
    }

    /// Events accepted and not yet finished.
    [[nodiscard]] std::size_t queue_depth() const noexcept { return pool_.depth(); }
    [[nodiscard]] const async_options& options() const noexcept { return options_; }

private:
    struct runner {
        async_dispatcher* self;
        void operator()(detail::async_job& job) const noexcept { self->run(job); }
    };

    static std::uint64_t random_seed() noexcept { return detail::random_seed(); }
    static async_options checked(async_options options) {
        diagnosis why;
        if (!validate(options, &why)) {
            detail::throw_or_abort(std::system_error(make_error_code(errc::invalid_config), std::string(why.view())));
        }
        return options;
    }

    outcome submit_impl(std::string_view body, std::string_view authorization) {
        const dispatch_options& options = options_.dispatch;
        const auto start = std::chrono::steady_clock::now();
        outcome o;
        detail::decoder_lease lease{options};
        const std::optional<verified_request> verified =
                detail::verify_and_decode(body, authorization, keys_, options, clock_, lease, o, start);
        if (!verified) return o;
        const webhook_event& ev = lease.get().event;
        o.type = ev.type();
        o.set_event_id(ev.id);
        const std::string_view room = default_session_id(ev).value_or(std::string_view{});

        // Copy the event before claiming, so an allocation failure cannot strand a claim.
        detail::async_job job{ev, {}, {claim_status::duplicate_done, 0}, start};
        if (ev.id.empty()) {
            if (options.metrics != nullptr) options.metrics->record_missing_id();
        } else {
            job.key = dedupe_key(ev.id, options.namespace_by_key_id ? verified->key_id : std::string_view{});
            job.ticket = store_.claim(job.key);
            if (!detail::apply_claim(job.ticket, o, options)) {
                detail::finish(o, options, start, ev.event, room);
                return o;
            }
        }
        const std::uint64_t route = hash_(detail::ordering_key(ev));
        const claim_ticket ticket = job.ticket;
        const std::string key = job.key;
        const bool queued = detail::undo_on_exception([&] { return pool_.try_submit(route, std::move(job)); },
                                                      [&] {
                                                          if (ticket.status == claim_status::proceed)
                                                              (void)store_.release(key, ticket);
                                                      });
        if (!queued) {
            if (ticket.status == claim_status::proceed) (void)store_.release(key, ticket);
            o.error = make_error_code(errc::overloaded);
            o.status = 503;
            o.retry_after = options.overloaded_retry_after;
            o.why.append("dispatch queue full or shutting down; not accepted (LiveKit will retry)");
            detail::finish(o, options, start, ev.event, room);
            return o;
        }
        o.handled = true;  // queued
        o.delivery = lkwebhook::delivery::queued;
        if (options.metrics != nullptr) options.metrics->set_queue_depth(pool_.depth());
        detail::finish(o, options, start, ev.event, room);
        return o;
    }

    // Worker side: handle with bounded retries, then dead-letter. Never throws.
    void run(detail::async_job& job) noexcept {
        const dispatch_options& options = options_.dispatch;
        metrics* m = options.metrics;
        std::chrono::milliseconds backoff = options_.initial_backoff;
        const unsigned attempts = options_.max_attempts == 0 ? 1 : options_.max_attempts;
        std::error_code failure;
        for (unsigned attempt = 1;; ++attempt) {
            const correlation r = correlate(correlator_, job.event);
            bool failed = r.result == correlation::disposition::failed;
            if (m != nullptr) m->record_delivery(job.event.type(), r.result);
            if (r.result == correlation::disposition::session_not_found) {
                failed = options.session_not_found == dispatch_options::session_policy::retry;
            }
            if (!failed) {
                failure.clear();
                break;
            }
            failure = make_error_code(errc::handler_failed);
            if (m != nullptr) m->record_handler_failure();
            if (attempt >= attempts) break;
            if (m != nullptr) m->record_retry();
            std::this_thread::sleep_for(backoff);
            backoff = backoff * 2 > options_.max_backoff ? options_.max_backoff : backoff * 2;
        }
        if (failure) dead_letter(job, failure);
        // Handled or handed to the dead-letter hook: either way the event is
        // accounted for, so a replay within the TTL stays a duplicate.
        if (job.ticket.status == claim_status::proceed) (void)store_.complete(job.key, job.ticket);
        if (m != nullptr) m->set_queue_depth(pool_.depth() == 0 ? 0 : pool_.depth() - 1);
    }

    void dead_letter(detail::async_job& job, std::error_code reason) noexcept {
        const dispatch_options& options = options_.dispatch;
        if (options.metrics != nullptr) options.metrics->record_dead_letter();
        // The log and the hook must not kill a worker; the dead letter is counted above.
        detail::fail_closed(
                [&] {
                    if (options.log != nullptr) {
                        outcome o;
                        o.error = reason;
                        o.status = 200;  // what LiveKit was told
                        o.type = job.event.type();
                        o.set_event_id(job.event.id);
                        o.handled = true;
                        o.why.append("handler failed ");
                        o.why.append(static_cast<std::size_t>(options_.max_attempts));
                        o.why.append(" times after the event was acknowledged; handed to the dead-letter hook");
                        const std::string_view room =
                                job.event.room ? std::string_view{job.event.room->name} : std::string_view{};
                        options.log->log(o, job.event.event, room,
                                         std::chrono::duration_cast<std::chrono::nanoseconds>(
                                                 std::chrono::steady_clock::now() - job.accepted));
                    }
                    if (options_.dead_letter) options_.dead_letter(job.event, reason);
                },
                [] {});
    }

    const Keys& keys_;
    Correlator& correlator_;
    Store& store_;
    async_options options_;
    C clock_;
    detail::salted_hash hash_;
    detail::keyed_worker_pool<detail::async_job, runner> pool_;  // last: its threads use the members above
};

}  // namespace lkwebhook

#if LKWEBHOOK_HEADER_ONLY
#include "impl/async_dispatcher.ipp"
#endif

#endif  // LKWEBHOOK_ASYNC_DISPATCHER_HPP
