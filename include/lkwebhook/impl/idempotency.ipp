#ifndef LKWEBHOOK_IMPL_IDEMPOTENCY_IPP
#define LKWEBHOOK_IMPL_IDEMPOTENCY_IPP

// The idempotency store's non-template parts (idempotency.hpp is its interface).
// Included by idempotency.hpp in the default header-only mode, by <lkwebhook/src.hpp>
// only with LKWEBHOOK_SEPARATE_COMPILATION (config.hpp).

#include <algorithm>
#include <atomic>
#include <bit>
#include <charconv>
#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "../config.hpp"
#include "../idempotency.hpp"

namespace lkwebhook {

LKWEBHOOK_DECL result<void> validate(const memory_store_options& o, diagnosis* why) noexcept {
    const auto fail = [&](std::string_view text) {
        diagnose(why).append(text);
        return result<void>{errc::invalid_config};
    };
    if (o.capacity == 0 || o.capacity > max_store_capacity)
        return fail("memory_store_options::capacity must be within [1, 100000000]");
    if (o.ttl <= std::chrono::milliseconds{0}) return fail("memory_store_options::ttl must be positive");
    if (o.shards == 0 || o.shards > 4096) return fail("memory_store_options::shards must be within [1, 4096]");
    if (o.capacity < o.shards) return fail("memory_store_options::capacity must be at least the number of shards");
    return {};
}

}  // namespace lkwebhook

namespace lkwebhook::detail {

LKWEBHOOK_DECL std::uint64_t random_seed() noexcept {
    const auto seed = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    // std::random_device may throw where no entropy source is available; the
    // time-based seed then remains.
    return fail_closed(
            [&] {
                std::random_device device;
                return seed ^ (static_cast<std::uint64_t>(device()) << 32) ^ device();
            },
            [&] { return seed; });
}

LKWEBHOOK_DECL std::uint32_t store_shard::find(std::string_view key, std::uint64_t hash) const noexcept {
    if (table_.empty()) return none;
    const std::size_t mask = table_.size() - 1;
    const auto tag = static_cast<std::uint32_t>(hash);
    // At most half the cells are used, so the probe reaches an empty one.
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
        const std::uint64_t cell = table_[i];
        if (cell == 0) return none;
        if (static_cast<std::uint32_t>(cell >> 32) == tag && slots_[slot_of(cell)].key == key) return slot_of(cell);
    }
}

LKWEBHOOK_DECL void store_shard::grow_table() {
    // Double up to the smallest power of two >= 2 x capacity: never more than the capacity needs.
    const std::size_t cells = table_.empty() ? 16 : table_.size() * 2;
    std::vector<std::uint64_t> grown(cells, 0);
    const std::size_t mask = cells - 1;
    for (const std::uint64_t cell : table_) {
        if (cell == 0) continue;
        std::size_t i = home_of(cell) & mask;
        while (grown[i] != 0) i = (i + 1) & mask;
        grown[i] = cell;
    }
    table_.swap(grown);
}

LKWEBHOOK_DECL std::uint32_t store_shard::insert(std::string_view key, std::uint64_t hash, time_point stamp,
                                                 std::uint64_t token) {
    // Everything that can throw comes first, so a failure leaves the shard as it was.
    if (2 * (size_ + 1) > table_.size()) grow_table();
    std::uint32_t slot = free_;
    if (slot != none) {
        slots_[slot].key.assign(key);  // reuses the buffer; unchanged if it throws
        free_ = slots_[slot].older;
    } else {
        entry fresh;
        fresh.key.assign(key);
        // Grow by doubling, but never reserve slots beyond the capacity.
        if (slots_.size() == slots_.capacity())
            slots_.reserve(std::min(capacity_, std::max<std::size_t>(16, 2 * slots_.size())));
        slots_.push_back(std::move(fresh));  // unchanged if it throws
        slot = static_cast<std::uint32_t>(slots_.size() - 1);
    }
    entry& e = slots_[slot];
    e.stamp = stamp;
    e.token = token;
    e.hash = hash;
    e.done = false;
    const std::size_t mask = table_.size() - 1;
    std::size_t i = hash & mask;
    while (table_[i] != 0) i = (i + 1) & mask;
    table_[i] = cell_of(hash, slot);
    link_newest(slot);
    ++size_;
    return slot;
}

LKWEBHOOK_DECL void store_shard::erase(std::uint32_t slot) noexcept {
    const std::size_t mask = table_.size() - 1;
    std::size_t hole = slots_[slot].hash & mask;
    while (slot_of(table_[hole]) != slot) hole = (hole + 1) & mask;
    // Backward shift: move each later cell of the run whose home is not
    // between the hole and itself into the hole, so no probe ever stops early.
    for (std::size_t next = (hole + 1) & mask; table_[next] != 0; next = (next + 1) & mask) {
        const std::size_t home = home_of(table_[next]) & mask;
        if (((next - home) & mask) >= ((next - hole) & mask)) {
            table_[hole] = table_[next];
            hole = next;
        }
    }
    table_[hole] = 0;
    unlink(slot);
    slots_[slot].older = free_;
    free_ = slot;
    --size_;
}

LKWEBHOOK_DECL void store_shard::make_newest(std::uint32_t slot) noexcept {
    if (slot == newest_) return;
    unlink(slot);
    link_newest(slot);
}

LKWEBHOOK_DECL void store_shard::unlink(std::uint32_t slot) noexcept {
    entry& e = slots_[slot];
    if (e.older != none)
        slots_[e.older].newer = e.newer;
    else
        oldest_ = e.newer;
    if (e.newer != none)
        slots_[e.newer].older = e.older;
    else
        newest_ = e.older;
    e.older = none;
    e.newer = none;
}

LKWEBHOOK_DECL void store_shard::link_newest(std::uint32_t slot) noexcept {
    entry& e = slots_[slot];
    e.older = newest_;
    e.newer = none;
    if (newest_ != none)
        slots_[newest_].newer = slot;
    else
        oldest_ = slot;
    newest_ = slot;
}

}  // namespace lkwebhook::detail

namespace lkwebhook {

LKWEBHOOK_DECL std::string dedupe_key(std::string_view id, std::string_view key_id) {
    std::string key;
    detail::assign_dedupe_key(key, id, key_id);
    return key;
}

LKWEBHOOK_DECL void detail::assign_dedupe_key(std::string& key, std::string_view id, std::string_view key_id) {
    if (key_id.empty()) {
        key.assign(id);
        return;
    }
    char length[24];
    const auto written = std::to_chars(length, length + sizeof length, key_id.size());
    key.assign(length, written.ptr);
    key += ':';
    key += key_id;
    key += ':';
    key += id;
}

}  // namespace lkwebhook

#endif  // LKWEBHOOK_IMPL_IDEMPOTENCY_IPP
