#ifndef LKWEBHOOK_DURABLE_DISPATCHER_HPP
#define LKWEBHOOK_DURABLE_DISPATCHER_HPP

// durable_dispatcher: "answered 200" means "will be handled", across crashes
// and across instances, over any DurableQueue (durable_queue.hpp; for Redis
// Streams: redis_stream_queue.hpp).
//
//     lkwebhook::redis_stream_queue queue{{.endpoint = {.host = "redis"}}};
//     lkwebhook::redis_store store{{.host = "redis"}};
//     lkwebhook::durable_dispatcher dispatcher{keys, correlator, queue, store, {.workers = 4}};
//     // in the HTTP handler, any thread:
//     const lkwebhook::outcome o = dispatcher.submit(body, authorization);
//     reply(o.status, o.retry_after);
//
// Request side (submit): verify and decode exactly as verify_and_dispatch
// does (a forged request is answered 401 and nothing is stored; an
// authenticated body that does not decode is answered 400), then append the
// raw body, byte-exact, with the key id and the receive time, to the
// partition of the event's room. 200 only after the engine confirmed the
// append; when it cannot (down, timeout, partition full) 503 overloaded with
// Retry-After, so LiveKit retries: never 200 for an event that is not stored.
//
// Consumer side (worker threads, in this process or in any other instance on
// the same queue): each worker serves the partitions p with p % workers ==
// its index. It takes one entry at a time,
// decodes it, claims its id in the idempotency store, calls the correlator
// (the same handlers, metrics and logs as verify_and_dispatch), completes the
// claim, then acknowledges the entry. A failed handler releases the claim and
// leaves the entry pending: the partition waits retry_backoff (doubling up to
// max_backoff) and the entry is delivered again; at its max_deliveries-th
// failing delivery it goes to the dead letters with its last error. An entry
// delivered more than max_deliveries times without finishing (its consumers
// died while handling it) is dead-lettered without running again.
//
// Order: within one partition (so within one room), entries are handled one
// at a time in the order the engine accepted them (which, for two requests
// in flight at once, is the order their appends reached it), across every
// instance: the queue never hands out a newer entry of a partition while an
// older one is unacknowledged. A failing entry holds its room back until it
// succeeds or is dead-lettered. The entry a dead consumer held is handed to
// another consumer, after the idle timeout, before anything newer, so a
// crash does not reorder a room. The one exception: a consumer that stalls
// inside a handler for longer than the idle timeout while alive; its entry
// is then taken over (the idempotency claim keeps it from running twice
// while the first run is in flight, for the store's in-flight TTL) and the
// room's next entries may run before the stalled handler returns. Keep
// handlers well under the idle timeout. Events of
// different partitions run concurrently: the correlator must be thread-safe.
//
// Exactly once: the idempotency claim around the handler makes a completed
// event never run twice (LiveKit's retries, duplicate appends on several
// instances, an acknowledgement lost in a crash). A process killed inside the
// handler leaves the claim in flight until the store's in-flight TTL and the
// entry pending until the idle timeout; then the handler runs again. So side
// effects are at least once; handlers that key them on the event id are
// exactly once in effect. Use a shared store (redis_store) across instances.
//
// Trust: the consumer does not re-verify entries; the queue is inside the
// trust boundary. Anyone who can write to it can inject events: protect it
// (Redis AUTH/ACL, network policy) as you protect the API secret.
//
// Thread-safety: submit() may be called concurrently from any threads;
// shutdown() from any thread except a worker.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "async_dispatcher.hpp"
#include "config.hpp"
#include "correlator.hpp"
#include "dispatch.hpp"
#include "durable_queue.hpp"
#include "events.hpp"
#include "idempotency.hpp"
#include "outcome.hpp"

namespace lkwebhook {

/// Options of durable_dispatcher.
struct durable_options {
    /// Consumer threads (0: accept only; another process, or a later start, consumes).
    std::size_t workers = 2;
    /// Failing deliveries of an entry before it goes to the dead letters (>= 1).
    unsigned max_deliveries = 5;
    /// Wait of a partition after a failed delivery; doubled each time, up to max_backoff.
    std::chrono::milliseconds retry_backoff{200};
    std::chrono::milliseconds max_backoff{5'000};
    /// How long an idle worker waits before polling its partitions again.
    std::chrono::milliseconds poll_interval{50};
    /// Called (on a worker thread) for each entry moved to the dead letters, with the reason.
    /// Exceptions are swallowed.
    std::function<void(const durable_entry&, std::string_view)> dead_letter{};
    /// Verification, decoding, dedupe, metrics and logging options.
    dispatch_options dispatch{};
};

/// invalid_config when an option is outside its range: workers <= 1024,
/// max_deliveries in [1, 1000], 0 <= retry_backoff <= max_backoff,
/// poll_interval > 0, and valid dispatch.verify options.
[[nodiscard]] LKWEBHOOK_DECL result<void> validate(const durable_options& o, diagnosis* why = nullptr) noexcept;

/// Counters of a durable_dispatcher (relaxed reads; monitoring and tests).
struct durable_stats {
    std::uint64_t accepted = 0;       ///< appends the engine confirmed (answered 200)
    std::uint64_t refused = 0;        ///< appends that failed (answered 503)
    std::uint64_t handled = 0;        ///< entries finished by this process's consumers (acknowledged)
    std::uint64_t duplicates = 0;     ///< of those, entries whose id was already handled
    std::uint64_t redeliveries = 0;   ///< entries taken with deliveries > 1
    std::uint64_t dead_lettered = 0;  ///< entries moved to the dead letters
    std::uint64_t handler_failures = 0;
};

/// See the file comment.
template <KeyProvider Keys, class Correlator, DurableQueue Queue, IdempotencyStore Store = memory_store,
          Clock C = system_clock_source>
class durable_dispatcher {
    static_assert(detail::check_correlator<Correlator>());

public:
    durable_dispatcher(const Keys& keys, Correlator& correlator, Queue& queue, Store& store,
                       durable_options options = {}, C clock = {})
        : keys_(keys),
          correlator_(correlator),
          queue_(queue),
          store_(store),
          options_(std::move(options)),
          clock_(std::move(clock)) {
        if (options_.max_deliveries == 0) options_.max_deliveries = 1;
        const std::size_t workers = options_.workers > max_workers ? max_workers : options_.workers;
        threads_.reserve(workers);
        for (std::size_t i = 0; i < workers; ++i) threads_.emplace_back([this, i, workers] { work(i, workers); });
    }

    ~durable_dispatcher() { shutdown(); }

    durable_dispatcher(const durable_dispatcher&) = delete;
    durable_dispatcher& operator=(const durable_dispatcher&) = delete;

    /// Verifies and decodes now; stores the body durably and answers 200, or
    /// answers the rejection (503 when it could not be stored).
    [[nodiscard]] outcome submit(std::string_view body, std::string_view authorization) noexcept {
        return detail::fail_closed([&] { return submit_impl(body, authorization); },
                                   [] {
                                       outcome o = outcome::failure(errc::internal_error);
                                       o.why.append("internal error while appending to the durable queue");
                                       return o;
                                   });
    }

    /// Stops the consumers after the entry each is handling; entries not yet
    /// handled stay in the queue for the next consumer. submit() keeps
    /// working. Idempotent.
    void shutdown() {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_all();
        for (std::thread& t : threads_) {
            if (t.joinable()) t.join();
        }
        threads_.clear();
    }

    [[nodiscard]] durable_stats stats() const noexcept {
        const auto r = [](const std::atomic<std::uint64_t>& a) { return a.load(std::memory_order_relaxed); };
        return {r(accepted_),     r(refused_),       r(handled_),         r(duplicates_),
                r(redeliveries_), r(dead_lettered_), r(handler_failures_)};
    }

    [[nodiscard]] const durable_options& options() const noexcept { return options_; }

private:
    enum class step : std::uint8_t { finished, retry_later, stopped };

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
        // The room as the event family carries it (egress events have no top-level room).
        const std::string_view room = default_session_id(ev).value_or(std::string_view{});
        if (ev.id.empty() && options.metrics != nullptr) options.metrics->record_missing_id();

        durable_record record;
        record.partition = partition_of(detail::ordering_key(ev), queue_.partitions());
        record.body = body;
        record.key_id = verified->key_id;
        record.event_id = ev.id;
        record.received_unix_ms = static_cast<std::int64_t>(
                std::chrono::floor<std::chrono::milliseconds>(clock_.now().time_since_epoch()).count());
        const append_status appended = queue_.append(record);
        if (appended != append_status::appended) {
            refused_.fetch_add(1, std::memory_order_relaxed);
            o.error = make_error_code(errc::overloaded);
            o.status = 503;
            o.retry_after = options.overloaded_retry_after;
            o.why.append(appended == append_status::full
                                 ? "durable queue partition full; not accepted (LiveKit will retry)"
                                 : "durable queue unavailable; not accepted (LiveKit will retry)");
            detail::finish(o, options, start, ev.event, room);
            return o;
        }
        accepted_.fetch_add(1, std::memory_order_relaxed);
        o.handled = true;  // stored: will be handled
        o.delivery = lkwebhook::delivery::queued;
        detail::finish(o, options, start, ev.event, room);
        return o;
    }

    bool stopping() {
        std::lock_guard lock(mutex_);
        return stopping_;
    }

    // Sleeps up to `d`; false when shutdown() was called.
    bool pause(std::chrono::milliseconds d) {
        std::unique_lock lock(mutex_);
        return !wake_.wait_for(lock, d, [this] { return stopping_; });
    }

    void work(std::size_t index, std::size_t workers) noexcept {
        struct partition_state {
            std::size_t partition;
            std::chrono::steady_clock::time_point not_before{};
            std::chrono::milliseconds backoff{0};
        };
        std::vector<partition_state> mine;
        const bool listed = detail::fail_closed(
                [&] {
                    for (std::size_t p = index; p < queue_.partitions(); p += workers) mine.push_back({p});
                    return true;
                },
                [] { return false; });
        if (!listed) return;
        while (!stopping()) {
            bool worked = false;
            bool stopped = false;
            for (partition_state& s : mine) {
                // Up to `burst` entries of a partition in a row: a busy room is not held back by
                // a round over idle partitions (each empty take may wait, e.g. a JetStream fetch).
                constexpr int burst = 64;
                for (int n = 0; n < burst; ++n) {
                    const auto now = std::chrono::steady_clock::now();
                    if (now < s.not_before) break;
                    durable_entry entry;
                    const take_status taken = queue_.take(s.partition, entry);
                    if (taken == take_status::unavailable) {
                        s.not_before = now + options_.poll_interval * 4;
                        break;
                    }
                    if (taken != take_status::entry) break;
                    worked = true;
                    const step result = guarded_process(entry);
                    if (result == step::stopped) {
                        stopped = true;
                        break;
                    }
                    if (result == step::retry_later) {
                        s.backoff = s.backoff.count() == 0 ? options_.retry_backoff : s.backoff * 2;
                        if (s.backoff > options_.max_backoff) s.backoff = options_.max_backoff;
                        s.not_before = std::chrono::steady_clock::now() + s.backoff;
                        break;
                    }
                    s.backoff = std::chrono::milliseconds{0};
                    if (stopping()) break;
                }
                if (stopped || stopping()) break;
            }
            if (stopped) break;
            if (!worked && !pause(options_.poll_interval)) break;
        }
    }

    step guarded_process(durable_entry& entry) noexcept {
        return detail::fail_closed([&] { return process(entry); }, [] { return step::retry_later; });
    }

    step process(durable_entry& entry) {
        const dispatch_options& options = options_.dispatch;
        metrics* m = options.metrics;
        if (entry.deliveries > 1) redeliveries_.fetch_add(1, std::memory_order_relaxed);
        if (entry.deliveries > options_.max_deliveries) {
            std::string reason = "delivered ";
            reason += std::to_string(entry.deliveries);
            reason += " times without finishing (its consumers died, or stalled, while handling it)";
            return move_to_dead_letters(entry, nullptr, reason);
        }
        detail::decoder_lease lease{options};
        detail::thread_decoder& d = lease.get();
        diagnosis why;
        if (const auto decoded = decode(entry.body, d.event, d.context, &why); !decoded) {
            std::string reason = "malformed_body: ";
            reason += why.view();
            return move_to_dead_letters(entry, nullptr, reason);
        }
        const webhook_event& ev = d.event;

        std::string key;
        claim_ticket ticket{claim_status::duplicate_done, 0};  // nothing to complete or release
        if (!ev.id.empty()) {
            key = dedupe_key(ev.id, options.namespace_by_key_id ? std::string_view{entry.key_id} : std::string_view{});
            // In flight elsewhere (a consumer that died inside the handler, until the
            // store's in-flight TTL) or store down: wait here rather than
            // spending deliveries.
            std::chrono::milliseconds wait = options_.poll_interval;
            for (;;) {
                ticket = store_.claim(key);
                if (ticket.status == claim_status::proceed) break;
                if (ticket.status == claim_status::duplicate_done) {
                    duplicates_.fetch_add(1, std::memory_order_relaxed);
                    return acknowledge(entry);
                }
                if (!pause(wait)) return step::stopped;
                queue_.keep_alive(entry);
                wait = wait * 2 > options_.max_backoff ? options_.max_backoff : wait * 2;
            }
        }

        const correlation r = correlate(correlator_, ev);
        bool failed = r.result == correlation::disposition::failed;
        if (m != nullptr) m->record_delivery(ev.type(), r.result);
        if (r.result == correlation::disposition::session_not_found) {
            failed = options.session_not_found == dispatch_options::session_policy::retry;
        }
        if (!failed) {
            // Complete before acknowledging: a crash in between redelivers an entry
            // whose id is done, which is then acknowledged without running again.
            if (ticket.status == claim_status::proceed) (void)store_.complete(key, ticket);
            return acknowledge(entry);
        }
        handler_failures_.fetch_add(1, std::memory_order_relaxed);
        if (m != nullptr) m->record_handler_failure();
        if (ticket.status == claim_status::proceed) (void)store_.release(key, ticket);
        const std::string_view error =
                r.result == correlation::disposition::session_not_found
                        ? std::string_view{"session not found (session_policy::retry)"}
                        : (r.threw ? std::string_view{"the handler threw"}
                                   : std::string_view{"the handler reported a transient failure"});
        if (entry.deliveries >= options_.max_deliveries) {
            std::string reason = "handler_failed: ";
            reason += error;
            reason += " (delivery ";
            reason += std::to_string(entry.deliveries);
            reason += " of ";
            reason += std::to_string(options_.max_deliveries);
            reason += ')';
            return move_to_dead_letters(entry, &ev, reason);
        }
        if (m != nullptr) m->record_retry();
        queue_.retry_later(entry, next_backoff(entry.deliveries));
        return step::retry_later;
    }

    // The wait before the next delivery of an entry that failed `deliveries` times.
    [[nodiscard]] std::chrono::milliseconds next_backoff(std::uint64_t deliveries) const noexcept {
        std::chrono::milliseconds d = options_.retry_backoff;
        for (std::uint64_t i = 1; i < deliveries && d < options_.max_backoff; ++i) d *= 2;
        return d > options_.max_backoff ? options_.max_backoff : d;
    }

    step acknowledge(const durable_entry& entry) {
        if (!queue_.acknowledge(entry)) return step::retry_later;  // redelivered; the store makes it a duplicate
        handled_.fetch_add(1, std::memory_order_relaxed);
        return step::finished;
    }

    step move_to_dead_letters(const durable_entry& entry, const webhook_event* ev, std::string_view reason) {
        if (!queue_.dead_letter(entry, reason)) return step::retry_later;
        dead_lettered_.fetch_add(1, std::memory_order_relaxed);
        const dispatch_options& options = options_.dispatch;
        if (options.metrics != nullptr) options.metrics->record_dead_letter();
        if (options.log != nullptr) {
            outcome o;
            o.error = make_error_code(errc::handler_failed);
            o.status = 200;  // what LiveKit was told
            o.handled = true;
            if (ev != nullptr) {
                o.type = ev->type();
                o.set_event_id(ev->id);
            }
            o.why.append("moved to the dead letters after it was acknowledged: ");
            o.why.append(reason);
            const std::string_view room =
                    ev != nullptr ? default_session_id(*ev).value_or(std::string_view{}) : std::string_view{};
            options.log->log(o, ev != nullptr ? std::string_view{ev->event} : std::string_view{}, room,
                             std::chrono::nanoseconds{0});
        }
        if (options_.dead_letter) {
            // The hook must not kill a worker; the dead letter is counted above.
            detail::fail_closed([&] { options_.dead_letter(entry, reason); }, [] {});
        }
        return step::finished;
    }

    const Keys& keys_;
    Correlator& correlator_;
    Queue& queue_;
    Store& store_;
    durable_options options_;
    C clock_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::atomic<std::uint64_t> accepted_{0};
    std::atomic<std::uint64_t> refused_{0};
    std::atomic<std::uint64_t> handled_{0};
    std::atomic<std::uint64_t> duplicates_{0};
    std::atomic<std::uint64_t> redeliveries_{0};
    std::atomic<std::uint64_t> dead_lettered_{0};
    std::atomic<std::uint64_t> handler_failures_{0};
    std::vector<std::thread> threads_;  // last: the threads use the members above
};

}  // namespace lkwebhook

#if LKWEBHOOK_HEADER_ONLY
#include "impl/durable_dispatcher.ipp"
#endif

#endif  // LKWEBHOOK_DURABLE_DISPATCHER_HPP
