#ifndef LKWEBHOOK_DURABLE_QUEUE_HPP
#define LKWEBHOOK_DURABLE_QUEUE_HPP

// The DurableQueue named requirement: what durable_dispatcher needs from a
// storage engine (redis_stream_queue over Redis Streams, or another) so that
// "answered 200" means "will be handled", even across a crash.
//
// LiveKit never resends an event it saw answered 2xx. So the request thread
// answers 200 only once the engine has confirmed it stored the authenticated
// raw body; the event is handled later by a consumer (this process or any
// other instance) and removed only after its handler succeeded.
//
// The model: a fixed number of partitions (the same on every instance); the
// request thread picks the partition from the event's ordering key (its room,
// else LiveKit's resource key), so all events of a room go to one partition,
// in acceptance order. Consumers (any number, in any number of processes)
// take a partition's entries one at a time, and the engine hands out at most
// one entry of a partition at a time across all of them: nothing newer while
// an older entry is unacknowledged. The next entry is the one the same
// consumer was given and did not acknowledge (it failed, or the process
// restarted under the same consumer name), else the one a dead consumer left
// behind once it has been idle for the idle timeout, else the next new one.
// That is what keeps a room's order across instances and crashes.

#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace lkwebhook {

/// What the request thread appends: the authenticated body, byte-exact.
struct durable_record {
    std::size_t partition = 0;
    std::string_view body;      ///< the raw request body the signature covered
    std::string_view key_id;    ///< the API key that signed it
    std::string_view event_id;  ///< the event's id (engines that dedupe on publish use it; may be empty)
    std::int64_t received_unix_ms = 0;
};

/// What append() answers.
enum class append_status : std::uint8_t {
    appended,     ///< the engine confirmed it stored the record (as durably as it is configured)
    full,         ///< the partition holds its configured maximum of unfinished entries
    unavailable,  ///< engine down, timeout, error: nothing was stored (or it is not known to be)
};

[[nodiscard]] constexpr std::string_view to_string(append_status s) noexcept {
    switch (s) {
        case append_status::appended: return "appended";
        case append_status::full: return "full";
        case append_status::unavailable: return "unavailable";
    }
    return "unknown";
}

/// One entry handed to a consumer.
struct durable_entry {
    std::string id;  ///< the engine's id of the entry (a stream id, a sequence number)
    std::size_t partition = 0;
    std::string body;
    std::string key_id;
    std::int64_t received_unix_ms = 0;
    /// How many times the engine has handed this entry out, this time included (>= 1).
    std::uint64_t deliveries = 1;
    /// Backend state (a message handle); opaque to the dispatcher.
    std::shared_ptr<void> native;
};

/// What take() found.
enum class take_status : std::uint8_t {
    entry,        ///< `out` holds the next entry of the partition
    empty,        ///< nothing to do now (also: an older entry is still pending for another consumer)
    unavailable,  ///< the engine cannot be reached
};

/// Named requirement DurableQueue.
///
/// Given `Q& q`, `const durable_record& r`, `std::size_t p < q.partitions()`,
/// `durable_entry& e` (filled by take), `std::chrono::milliseconds d` and
/// `std::string_view reason`:
///
// clang-format off
/// expression              | type          | semantics
/// ------------------------|---------------|-------------------------------------------------------------------
/// q.partitions()          | std::size_t   | number of partitions (>= 1), identical on every instance
/// q.append(r)             | append_status | stores r in partition r.partition; `appended` only after the
///                         |               | engine confirmed the write. Called from request threads. Noexcept.
/// q.take(p, e)            | take_status   | the partition's next entry, in append order: this consumer's own
///                         |               | unacknowledged entry first, then one of a dead consumer idle longer
///                         |               | than the idle timeout, then a new one; atomically never a newer one
///                         |               | while an older one is pending anywhere. Noexcept.
/// q.acknowledge(e)        | bool          | the entry is finished: it is never handed out again. Noexcept.
/// q.retry_later(e, d)     | void          | the handler failed: hand e out again, after about `d` (it stays
///                         |               | the partition's next entry). Noexcept.
/// q.keep_alive(e)         | void          | e is still being worked on: restart its idle timeout, so that it
///                         |               | is not taken over meanwhile. Noexcept.
/// q.dead_letter(e, reason)| bool          | moves the entry, with `reason`, to the dead letters and
///                         |               | acknowledges it (in that order: a crash in between leaves it
///                         |               | pending, never lost). Noexcept.
///
/// An entry that is neither acknowledged nor dead-lettered stays pending and
/// is handed out again by take() (its `deliveries` grows each time).
/// Thread-safety: every expression may be called concurrently from any
/// threads (durable_dispatcher takes each partition from one thread).
template <class Q>
concept DurableQueue = requires(Q& q, const durable_record& r, std::size_t p, durable_entry& e,
                                const durable_entry& ce, std::chrono::milliseconds d, std::string_view reason) {
    { q.partitions() } noexcept -> std::same_as<std::size_t>;
    { q.append(r) } noexcept -> std::same_as<append_status>;
    { q.take(p, e) } noexcept -> std::same_as<take_status>;
    { q.acknowledge(ce) } noexcept -> std::same_as<bool>;
    { q.dead_letter(ce, reason) } noexcept -> std::same_as<bool>;
    { q.retry_later(ce, d) } noexcept;
    { q.keep_alive(ce) } noexcept;
};
// clang-format on

/// The partition of an ordering key: FNV-1a 64, so that every instance (and
/// every version of this library) maps a room to the same partition.
[[nodiscard]] constexpr std::size_t partition_of(std::string_view ordering_key, std::size_t partitions) noexcept {
    std::uint64_t h = 14695981039346656037ull;
    for (const char c : ordering_key) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ull;
    }
    return partitions == 0 ? 0 : static_cast<std::size_t>(h % partitions);
}

}  // namespace lkwebhook

#endif  // LKWEBHOOK_DURABLE_QUEUE_HPP
