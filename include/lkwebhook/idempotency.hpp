#ifndef LKWEBHOOK_IDEMPOTENCY_HPP
#define LKWEBHOOK_IDEMPOTENCY_HPP

// Deduplication of LiveKit retries by event id (tests/threats/catalogue.md#order steps
// 9-10, rows H1-H8): the IdempotencyStore concept, the in-memory default
// store, and a store that dedupes nothing.
//
// LiveKit re-sends the same signed request (same body, same `id`) when an
// attempt fails with 429/5xx or a connection error, and may deliver the same
// event twice when the first 2xx was lost. A store turns that at-least-once
// delivery into at-most-once handling within its TTL:
//
//   claim(key)     atomically: first arrival -> proceed (entry in_flight);
//                  id already handled -> duplicate_done (answer 200, skip);
//                  id being handled now -> duplicate_in_flight (answer 503 +
//                  Retry-After: 1, so the retry is handled if this attempt fails).
//   complete(key)  the handler succeeded: the entry becomes done for the TTL.
//   release(key)   the handler failed (or the event could not be queued): the
//                  entry is removed so LiveKit's retry is handled again.
//
// Callers insert only for requests that passed authentication (H5): an
// attacker cannot pre-claim ids and rejected garbage cannot fill the store.

#include <atomic>
#include <bit>
#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "clock.hpp"
#include "config.hpp"
#include "detail/text.hpp"
#include "error.hpp"
#include "result.hpp"

namespace lkwebhook {

/// What claim() found.
enum class claim_status : std::uint8_t {
    proceed,              ///< first arrival: the caller must handle it, then complete() or release()
    duplicate_done,       ///< already handled within the TTL: acknowledge (200), do not handle
    duplicate_in_flight,  ///< being handled right now: answer 503 + Retry-After: 1
    unavailable,          ///< the store cannot answer (e.g. Redis unreachable): answer 503, never accept blindly
};

[[nodiscard]] constexpr std::string_view to_string(claim_status s) noexcept {
    switch (s) {
        case claim_status::proceed: return "proceed";
        case claim_status::duplicate_done: return "duplicate_done";
        case claim_status::duplicate_in_flight: return "duplicate_in_flight";
        case claim_status::unavailable: return "unavailable";
    }
    return "unknown";
}

/// The result of claim(): the status and, for `proceed`, an opaque token that
/// identifies this claim. complete() and release() take it back so that a
/// claim that expired (or was evicted) and was re-claimed by someone else is
/// never completed or released by its former owner.
struct claim_ticket {
    claim_status status = claim_status::unavailable;
    std::uint64_t token = 0;
};

/// Named requirement IdempotencyStore.
///
/// Given `S& s`, `std::string_view key` (the dedupe key: the exact event id
/// bytes, optionally namespaced by API key, H8) and `const claim_ticket& t`
/// returned by `s.claim(key)` with `t.status == claim_status::proceed`:
///
// clang-format off
/// expression          | type           | semantics
/// --------------------|----------------|---------------------------------------------------------------------------
/// s.claim(key)        | claim_ticket   | atomic check-and-insert (H6): of any number of concurrent claims of an
///                     |                | absent key exactly one gets `proceed`. Never runs user code. Noexcept.
/// s.complete(key, t)  | bool           | marks the key done for the store's TTL; false if the claim was lost
///                     |                | meanwhile (expired, evicted, store unreachable). Noexcept.
/// s.release(key, t)   | bool           | forgets the key if `t` still owns it, so a retry proceeds; false
///                     |                | otherwise. Noexcept.
///
/// Thread-safety: every expression may be called concurrently from any thread.
template <class S>
concept IdempotencyStore = requires(S& s, std::string_view key, const claim_ticket& t) {
    { s.claim(key) } noexcept -> std::same_as<claim_ticket>;
    { s.complete(key, t) } noexcept -> std::same_as<bool>;
    { s.release(key, t) } noexcept -> std::same_as<bool>;
};
// clang-format on

/// A store that remembers nothing: every claim proceeds. For callers that
/// dedupe elsewhere (or tests); LiveKit retries will then be handled again.
struct no_idempotency {
    [[nodiscard]] claim_ticket claim(std::string_view) noexcept { return {claim_status::proceed, 0}; }
    bool complete(std::string_view, const claim_ticket&) noexcept { return true; }
    bool release(std::string_view, const claim_ticket&) noexcept { return true; }
};

/// Configuration of memory_store.
struct memory_store_options {
    /// At most this many entries, whatever the input (H4). About 100 B each, plus
    /// the bytes of a key longer than 15.
    std::size_t capacity = 100'000;
    /// How long a handled id is remembered (H3: >= max token lifetime + 2 x leeway;
    /// 900 s + 120 s at our recommended settings). Also bounds an in-flight entry.
    std::chrono::milliseconds ttl = std::chrono::seconds{1200};
    /// Number of independently locked shards (rounded up to a power of two).
    std::size_t shards = 16;
};

/// Largest accepted memory_store_options::capacity (about 10 GiB of entries).
inline constexpr std::size_t max_store_capacity = 100'000'000;

/// invalid_config when an option is outside its documented range: capacity in
/// [1, max_store_capacity], ttl > 0, shards in [1, 4096]. The constructor
/// clamps instead of failing; call this at configuration time to be told.
[[nodiscard]] LKWEBHOOK_DECL result<void> validate(const memory_store_options& o, diagnosis* why = nullptr) noexcept;

/// Counters of a store, read with relaxed ordering (monitoring only).
struct store_stats {
    std::uint64_t entries = 0;          ///< current number of entries (in flight + done)
    std::uint64_t early_evictions = 0;  ///< entries evicted before their TTL because the store was full (H4)
    std::uint64_t expirations = 0;      ///< entries removed because their TTL elapsed
};

namespace detail {

// Salted 64-bit hash of the dedupe key. Keys only ever come from
// authenticated requests, but a per-store random salt keeps bucket placement
// unpredictable anyway (catalogue G20: libstdc++'s std::hash is unsalted).
struct salted_hash {
    using is_transparent = void;
    std::uint64_t salt = 0;

    [[nodiscard]] std::size_t operator()(std::string_view s) const noexcept {
        // Eight bytes at a time (the last word overlaps the one before it),
        // shorter keys in one or two smaller loads; the length seeds the state,
        // so keys whose bytes load alike but whose lengths differ still differ.
        std::uint64_t h = salt ^ (0x9e3779b97f4a7c15ULL * (s.size() + 1));
        const char* p = s.data();
        std::size_t n = s.size();
        if (n >= 8) {
            for (; n > 8; p += 8, n -= 8) h = absorb(h, load_word<std::uint64_t>(p));
            h = absorb(h, load_word<std::uint64_t>(p + n - 8));
        } else if (n >= 4) {
            h = absorb(h, load_word<std::uint32_t>(p) | (std::uint64_t{load_word<std::uint32_t>(p + n - 4)} << 32));
        } else if (n > 0) {
            const auto byte = [](char c) { return std::uint64_t{static_cast<unsigned char>(c)}; };
            h = absorb(h, byte(p[0]) | (byte(p[n / 2]) << 8) | (byte(p[n - 1]) << 16));
        }
        // splitmix64 finaliser so that the low bits (the table position) and the
        // high bits (the shard) both depend on every input bit.
        h ^= h >> 30;
        h *= 0xbf58476d1ce4e5b9ULL;
        h ^= h >> 27;
        h *= 0x94d049bb133111ebULL;
        h ^= h >> 31;
        return static_cast<std::size_t>(h);
    }

private:
    // A bijection of h for a fixed word, and of the word for a fixed h.
    [[nodiscard]] static std::uint64_t absorb(std::uint64_t h, std::uint64_t word) noexcept {
        h = (h ^ word) * 0xff51afd7ed558ccdULL;
        return h ^ (h >> 32);
    }
};

LKWEBHOOK_DECL std::uint64_t random_seed() noexcept;

// One shard's entries, without locking (the store locks): a pool of slots
// threaded on a doubly linked list ordered by the time of the last state
// change (oldest first), indexed by an open-addressing hash table (linear
// probing, at most half full, deletion by backward shift: no tombstones).
// Slots and table grow on demand, never beyond what `capacity` entries need,
// and freed slots are reused (their key strings keep their buffers), so a
// warm shard allocates nothing per entry.
class store_shard {
public:
    using time_point = std::chrono::steady_clock::time_point;
    static constexpr std::uint32_t none = 0xFFFFFFFFU;

    struct entry {
        std::string key;
        time_point stamp{};  // claim time, then completion time
        std::uint64_t token = 0;
        std::uint64_t hash = 0;
        std::uint32_t older = none;  // towards the front of the list (the oldest); the free list's link
        std::uint32_t newer = none;
        bool done = false;
    };

    explicit store_shard(std::size_t capacity) noexcept : capacity_(capacity) {}

    [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }
    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    [[nodiscard]] bool empty() const noexcept { return size_ == 0; }

    /// The slot holding `key` (whose hash is `hash`), or `none`.
    [[nodiscard]] LKWEBHOOK_DECL std::uint32_t find(std::string_view key, std::uint64_t hash) const noexcept;
    [[nodiscard]] entry& at(std::uint32_t slot) noexcept { return slots_[slot]; }
    /// Precondition: !empty().
    [[nodiscard]] const entry& oldest() const noexcept { return slots_[oldest_]; }

    /// Adds `key` (absent, with size() < capacity()) as the newest entry and
    /// returns its slot. On an allocation failure it throws and the shard is unchanged.
    LKWEBHOOK_DECL std::uint32_t insert(std::string_view key, std::uint64_t hash, time_point stamp,
                                        std::uint64_t token);
    /// Removes the entry in `slot`.
    LKWEBHOOK_DECL void erase(std::uint32_t slot) noexcept;
    /// Precondition: !empty().
    void erase_oldest() noexcept { erase(oldest_); }
    /// Moves the entry in `slot` to the back of the list (the newest).
    LKWEBHOOK_DECL void make_newest(std::uint32_t slot) noexcept;

private:
    // A table cell: 0 when empty, else the low 32 bits of the hash (they hold
    // the home position: the table never has more than 2^32 cells) above the slot + 1.
    [[nodiscard]] static std::uint64_t cell_of(std::uint64_t hash, std::uint32_t slot) noexcept {
        return (hash << 32) | (std::uint64_t{slot} + 1);
    }
    [[nodiscard]] static std::uint32_t slot_of(std::uint64_t cell) noexcept {
        return static_cast<std::uint32_t>(cell) - 1;
    }
    [[nodiscard]] static std::size_t home_of(std::uint64_t cell) noexcept {
        return static_cast<std::size_t>(cell >> 32);
    }
    LKWEBHOOK_DECL void grow_table();
    LKWEBHOOK_DECL void unlink(std::uint32_t slot) noexcept;
    LKWEBHOOK_DECL void link_newest(std::uint32_t slot) noexcept;

    std::size_t capacity_;
    std::size_t size_ = 0;
    std::vector<entry> slots_;          // at most capacity_ slots
    std::vector<std::uint64_t> table_;  // empty or a power of two >= 2 * size_ cells
    std::uint32_t oldest_ = none;
    std::uint32_t newest_ = none;
    std::uint32_t free_ = none;  // freed slots, linked through `older`
};

}  // namespace detail

/// The in-memory IdempotencyStore: bounded entries, TTL, O(1) operations.
///
/// Entries live in `shards` independently locked shards chosen by a salted
/// hash; each shard keeps its entries in a list ordered by the time of the
/// last state change, indexed by a hash table, so TTL expiry and "evict oldest
/// first" (H4) pop from the list's front in O(1) amortised time. Claim, eviction and TTL sweep of a shard
/// run under the same lock (J4); no user code ever runs under it. Capacity is
/// split evenly between shards, so the total never exceeds `capacity`. A
/// shard's memory grows with its entries up to its share of the capacity and
/// is reused from then on: once warm, claim, complete and release allocate
/// nothing (unless a key is longer than every key its slot held before).
///
/// Guarantee (H4): no duplicate is accepted within the TTL while the sustained
/// accepted-event rate stays below capacity / TTL (83 events/s at the defaults);
/// beyond that, entries are evicted early and `stats().early_evictions` counts
/// every one. Limits (H7): one process only (use redis_store to share), emptied
/// by a restart, handlers must still be idempotent (delivery is at-least-once).
///
/// Thread-safety: all member functions may be called concurrently.
template <class Clock = steady_clock_source>
class basic_memory_store {
public:
    explicit basic_memory_store(const memory_store_options& options = {}, Clock clock = {})
        : clock_(std::move(clock)),
          ttl_(options.ttl),
          hash_{detail::random_seed()},
          shards_(std::bit_ceil(options.shards == 0 ? std::size_t{1} : options.shards)) {
        const std::size_t n = shards_.size();
        // Never exceed the configured capacity in total, yet keep >= 1 per shard.
        const std::size_t per_shard = options.capacity / n;
        for (auto& shard : shards_) shard = std::make_unique<shard_type>(per_shard == 0 ? 1 : per_shard);
    }

    basic_memory_store(const basic_memory_store&) = delete;
    basic_memory_store& operator=(const basic_memory_store&) = delete;

    [[nodiscard]] claim_ticket claim(std::string_view key) noexcept {
        // Allocation failure: fail closed (503), never accept blindly.
        return detail::fail_closed([&] { return claim_impl(key); },
                                   [] {
                                       return claim_ticket{claim_status::unavailable, 0};
                                   });
    }

    bool complete(std::string_view key, const claim_ticket& ticket) noexcept {
        const std::uint64_t hash = hash_(key);
        shard_type& shard = shard_for(hash);
        const auto now = clock_.now();
        std::lock_guard lock(shard.mutex);
        sweep(shard, now);
        const std::uint32_t slot = shard.entries.find(key, hash);
        if (slot == detail::store_shard::none) return false;
        auto& e = shard.entries.at(slot);
        if (e.token != ticket.token || e.done) return false;
        e.done = true;
        e.stamp = now;
        shard.entries.make_newest(slot);
        return true;
    }

    bool release(std::string_view key, const claim_ticket& ticket) noexcept {
        const std::uint64_t hash = hash_(key);
        shard_type& shard = shard_for(hash);
        std::lock_guard lock(shard.mutex);
        const std::uint32_t slot = shard.entries.find(key, hash);
        if (slot == detail::store_shard::none) return false;
        const auto& e = shard.entries.at(slot);
        if (e.token != ticket.token || e.done) return false;
        shard.entries.erase(slot);
        shard.publish_size();
        return true;
    }

    [[nodiscard]] store_stats stats() const noexcept {
        store_stats s;
        for (const auto& shard : shards_) {
            s.entries += shard->size.load(std::memory_order_relaxed);
            s.early_evictions += shard->early_evictions.load(std::memory_order_relaxed);
            s.expirations += shard->expirations.load(std::memory_order_relaxed);
        }
        return s;
    }

    /// Total capacity actually enforced (capacity rounded down to a multiple of the shard count).
    [[nodiscard]] std::size_t capacity() const noexcept { return shards_.size() * shards_.front()->entries.capacity(); }

    [[nodiscard]] std::chrono::milliseconds ttl() const noexcept { return ttl_; }

private:
    using time_point = detail::store_shard::time_point;

    // Aligned so that two shards' locks never share a cache line. The
    // counters are written under the lock and read without it (stats()).
    struct alignas(64) shard_type {
        explicit shard_type(std::size_t cap) noexcept : entries(cap) {}
        std::mutex mutex;
        detail::store_shard entries;
        // A claim ticket's token; unique within the shard, which is enough:
        // a key always maps to the same shard.
        std::uint64_t next_token = 1;
        std::atomic<std::uint64_t> size{0};
        std::atomic<std::uint64_t> early_evictions{0};
        std::atomic<std::uint64_t> expirations{0};

        void publish_size() noexcept { size.store(entries.size(), std::memory_order_relaxed); }
        static void count(std::atomic<std::uint64_t>& counter) noexcept {
            counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
        }
    };

    shard_type& shard_for(std::uint64_t hash) noexcept {
        // The table uses the low bits of the same hash; pick the shard from the high bits.
        return *shards_[static_cast<std::size_t>(hash >> 40) & (shards_.size() - 1)];
    }

    void sweep(shard_type& shard, time_point now) noexcept {
        bool expired = false;
        while (!shard.entries.empty() && now - shard.entries.oldest().stamp >= ttl_) {
            shard.entries.erase_oldest();
            shard_type::count(shard.expirations);
            expired = true;
        }
        if (expired) shard.publish_size();
    }

    claim_ticket claim_impl(std::string_view key) {
        const std::uint64_t hash = hash_(key);
        shard_type& shard = shard_for(hash);
        const auto now = clock_.now();
        std::lock_guard lock(shard.mutex);
        sweep(shard, now);
        if (const std::uint32_t slot = shard.entries.find(key, hash); slot != detail::store_shard::none) {
            return {shard.entries.at(slot).done ? claim_status::duplicate_done : claim_status::duplicate_in_flight, 0};
        }
        if (shard.entries.size() >= shard.entries.capacity()) {
            // Full: evict the oldest entry early (H4). Counted, because an
            // early eviction is the only way a duplicate can slip through.
            shard.entries.erase_oldest();
            shard_type::count(shard.early_evictions);
            shard.publish_size();
        }
        const std::uint64_t token = shard.next_token++;
        (void)shard.entries.insert(key, hash, now, token);  // unchanged if it throws
        shard.publish_size();
        return {claim_status::proceed, token};
    }

    Clock clock_;
    std::chrono::milliseconds ttl_;
    detail::salted_hash hash_;
    std::vector<std::unique_ptr<shard_type>> shards_;
};

/// The default in-memory store (steady clock).
using memory_store = basic_memory_store<>;

static_assert(IdempotencyStore<memory_store>);
static_assert(IdempotencyStore<no_idempotency>);

/// Builds the dedupe key of an event (H8): the exact id bytes, or, when
/// `key_id` is not empty, the key id and the id joined unambiguously
/// ("<length of key id>:<key id>:<id>"), so equal ids from two projects that
/// share an endpoint do not collide.
[[nodiscard]] LKWEBHOOK_DECL std::string dedupe_key(std::string_view id, std::string_view key_id = {});

namespace detail {
/// Stores dedupe_key(id, key_id) in `key`, reusing its buffer.
LKWEBHOOK_DECL void assign_dedupe_key(std::string& key, std::string_view id, std::string_view key_id);
}  // namespace detail

}  // namespace lkwebhook

#if LKWEBHOOK_HEADER_ONLY
#include "impl/idempotency.ipp"
#endif

#endif  // LKWEBHOOK_IDEMPOTENCY_HPP
