#ifndef LKWEBHOOK_IMPL_IDEMPOTENCY_IPP
#define LKWEBHOOK_IMPL_IDEMPOTENCY_IPP

// The idempotency store's non-template parts (idempotency.hpp is its interface).
// Included by idempotency.hpp in the default header-only mode, by <lkwebhook/src.hpp>
// only with LKWEBHOOK_SEPARATE_COMPILATION (config.hpp).

#include <atomic>
#include <bit>
#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <list>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
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

}  // namespace lkwebhook::detail

namespace lkwebhook {

LKWEBHOOK_DECL std::string dedupe_key(std::string_view id, std::string_view key_id) {
    if (key_id.empty()) return std::string{id};
    std::string key = std::to_string(key_id.size());
    key.reserve(key.size() + key_id.size() + id.size() + 2);
    key += ':';
    key += key_id;
    key += ':';
    key += id;
    return key;
}

}  // namespace lkwebhook

#endif  // LKWEBHOOK_IMPL_IDEMPOTENCY_IPP
