#ifndef LKWEBHOOK_REDIS_STORE_HPP
#define LKWEBHOOK_REDIS_STORE_HPP

// redis_store: an IdempotencyStore shared by several receiver instances
// behind a load balancer (tests/threats/catalogue.md H7a), over hiredis (0.14 and 1.x).
// Link the optional CMake target lkwebhook::redis, defined where hiredis is
// installed.
//
// Keys: "<prefix><dedupe key>". Values: "f:<instance>:<token>" while a claim
// is in flight, "d" once handled. Every operation is one Lua script, so each
// is atomic on the server:
//   claim     SET key token NX PX in_flight_ttl; otherwise report done / in flight
//   complete  if the key still holds our token (or nothing) SET key d PX ttl
//   release   if the key still holds our token DEL key
// The in-flight TTL bounds how long a crashed receiver blocks LiveKit's
// retries of that event (they get duplicate_in_flight until it expires).
//
// Failure policy: when Redis cannot be reached, or answers an error, claim()
// returns `unavailable`, which verify_and_dispatch answers with 503 so that
// LiveKit retries; the store never accepts blindly. A broken connection is
// dropped and a new one is made by the next operation, at most once per
// `reconnect_interval` (in between, operations fail fast instead of every
// request waiting for a connect timeout). Data loss on a Redis restart
// without persistence is the documented H7b limit, as for memory_store.
//
// Connections (unix socket, AUTH with a password or an ACL user, SELECT,
// TLS where hiredis 1.x provides it, SIGPIPE handling): redis_connection.hpp.
// A server that refuses the credentials is a configuration error: check()
// reports it once at start-up; meanwhile every claim fails closed (503).
//
// Thread-safety: all member functions may be called concurrently; each call
// uses its own pooled connection (hiredis contexts are never shared).

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <hiredis/hiredis.h>

#include "config.hpp"
#include "detail/text.hpp"
#include "idempotency.hpp"
#include "redis_connection.hpp"

namespace lkwebhook {

struct redis_store_options {
    /// Where and how to connect: host and port or unix socket, AUTH (password
    /// or ACL user), SELECT, timeouts, TLS (redis_connection.hpp); the same
    /// struct the stream queue takes, so one parsed URL configures both.
    redis_endpoint endpoint{};
    /// Prepended to every key, so one Redis can serve several applications.
    std::string key_prefix = "lkwebhook:dedupe:";
    /// How long a handled id is remembered (H3, as memory_store_options::ttl).
    std::chrono::milliseconds ttl = std::chrono::seconds{1200};
    /// How long an unfinished claim blocks a retry before it may be claimed again.
    std::chrono::milliseconds in_flight_ttl = std::chrono::seconds{10};
    /// After a failed connect, operations fail fast for this long.
    std::chrono::milliseconds reconnect_interval{200};
    /// Idle connections kept for reuse.
    std::size_t max_idle_connections = 8;
};

/// Counters of a redis_store (relaxed reads; monitoring only).
struct redis_store_stats {
    std::uint64_t unavailable = 0;  ///< operations answered without Redis (down, error, timeout)
    std::uint64_t connects = 0;     ///< successful (re)connections
};

namespace detail {

inline constexpr std::string_view redis_claim_script =
        "if redis.call('SET',KEYS[1],ARGV[1],'NX','PX',ARGV[2]) then return 0 end "
        "if redis.call('GET',KEYS[1])=='d' then return 1 end "
        "return 2";
inline constexpr std::string_view redis_complete_script =
        "local v=redis.call('GET',KEYS[1]) "
        "if v==ARGV[1] or v==false then redis.call('SET',KEYS[1],'d','PX',ARGV[2]) return 1 end "
        "return 0";
inline constexpr std::string_view redis_release_script =
        "if redis.call('GET',KEYS[1])==ARGV[1] then redis.call('DEL',KEYS[1]) return 1 end "
        "return 0";

}  // namespace detail

/// IdempotencyStore over Redis (see the file comment for semantics).
class redis_store {
public:
    explicit redis_store(redis_store_options options = {}) : options_(std::move(options)) {
        const std::uint64_t seed = detail::random_seed();
        for (int shift = 60; shift >= 0; shift -= 4) instance_ += detail::hex_digits[(seed >> shift) & 0xf];
    }

    ~redis_store() {
        for (redisContext* c : idle_) redisFree(c);
    }

    redis_store(const redis_store&) = delete;
    redis_store& operator=(const redis_store&) = delete;

    [[nodiscard]] claim_ticket claim(std::string_view key) noexcept {
        const std::uint64_t token = next_token_.fetch_add(1, std::memory_order_relaxed);
        long long answer = -1;
        if (!eval(detail::redis_claim_script, key, token, options_.in_flight_ttl, answer)) {
            return {claim_status::unavailable, 0};
        }
        switch (answer) {
            case 0: return {claim_status::proceed, token};
            case 1: return {claim_status::duplicate_done, 0};
            case 2: return {claim_status::duplicate_in_flight, 0};
            default: unavailable_.fetch_add(1, std::memory_order_relaxed); return {claim_status::unavailable, 0};
        }
    }

    bool complete(std::string_view key, const claim_ticket& ticket) noexcept {
        long long answer = 0;
        return eval(detail::redis_complete_script, key, ticket.token, options_.ttl, answer) && answer == 1;
    }

    bool release(std::string_view key, const claim_ticket& ticket) noexcept {
        long long answer = 0;
        return eval(detail::redis_release_script, key, ticket.token, options_.ttl, answer) && answer == 1;
    }

    /// True when Redis answers PING now.
    [[nodiscard]] bool ping() noexcept {
        connection c = acquire();
        if (c.context == nullptr) return false;
        const char* argv[] = {"PING"};
        const std::size_t lens[] = {4};
        std::unique_ptr<redisReply, detail::reply_deleter> reply{command(c.context, 1, argv, lens)};
        const bool ok = reply != nullptr && reply->type == REDIS_REPLY_STATUS;
        finish(c, reply != nullptr);
        return ok;
    }

    [[nodiscard]] redis_store_stats stats() const noexcept {
        return {unavailable_.load(std::memory_order_relaxed), connects_.load(std::memory_order_relaxed)};
    }

    [[nodiscard]] const redis_store_options& options() const noexcept { return options_; }

    /// The connection settings, as redis_connection.hpp takes them.
    [[nodiscard]] const redis_endpoint& endpoint() const noexcept { return options_.endpoint; }

    /// Connects once and reports a configuration problem: invalid_config when
    /// Redis refuses the credentials or the database; see check_redis_connection().
    [[nodiscard]] result<void> check(diagnosis* why = nullptr) const noexcept {
        return check_redis_connection(options_.endpoint, why);
    }

private:
    struct connection {
        redisContext* context = nullptr;
    };

    [[nodiscard]] std::string owner_value(std::uint64_t token) const {
        std::string v = "f:";
        v += instance_;
        v += ':';
        v += std::to_string(token);
        return v;
    }

    static redisReply* command(redisContext* c, int argc, const char** argv, const std::size_t* lens) noexcept {
        detail::sigpipe_guard guard;
        return static_cast<redisReply*>(redisCommandArgv(c, argc, argv, lens));
    }

    connection acquire() noexcept {
        {
            std::lock_guard lock(mutex_);
            if (!idle_.empty()) {
                redisContext* c = idle_.back();
                idle_.pop_back();
                return {c};
            }
            const auto now = std::chrono::steady_clock::now();
            if (now < retry_not_before_) return {};
        }
        redis_connect_failure failure = redis_connect_failure::none;
        redisContext* c = detail::redis_connect(options_.endpoint, failure);
        if (c == nullptr) {
            std::lock_guard lock(mutex_);
            retry_not_before_ = std::chrono::steady_clock::now() + options_.reconnect_interval;
            return {};
        }
        connects_.fetch_add(1, std::memory_order_relaxed);
        return {c};
    }

    // Returns the connection to the pool, or drops it when it is broken.
    void finish(connection& c, bool healthy) noexcept {
        if (c.context == nullptr) return;
        if (healthy && c.context->err == 0) {
            std::lock_guard lock(mutex_);
            if (idle_.size() < options_.max_idle_connections) {
                // The vector's capacity was reserved, so push_back cannot throw here.
                if (idle_.capacity() > idle_.size()) {
                    idle_.push_back(c.context);
                    c.context = nullptr;
                    return;
                }
            }
        }
        redisFree(c.context);
        c.context = nullptr;
    }

    bool eval(std::string_view script, std::string_view key, std::uint64_t token, std::chrono::milliseconds ttl,
              long long& answer) noexcept {
        return detail::fail_closed([&] { return eval_impl(script, key, token, ttl, answer); },
                                   [&] {
                                       unavailable_.fetch_add(1, std::memory_order_relaxed);
                                       return false;
                                   });
    }

    bool eval_impl(std::string_view script, std::string_view key, std::uint64_t token, std::chrono::milliseconds ttl,
                   long long& answer) {
        const std::string owner = owner_value(token);
        {
            std::lock_guard lock(mutex_);
            if (idle_.capacity() < options_.max_idle_connections) idle_.reserve(options_.max_idle_connections);
        }
        std::string full_key = options_.key_prefix;
        full_key += key;
        const std::string ttl_text = std::to_string(ttl.count());
        const char* argv[] = {"EVAL", script.data(), "1", full_key.data(), owner.data(), ttl_text.data()};
        const std::size_t lens[] = {4, script.size(), 1, full_key.size(), owner.size(), ttl_text.size()};
        connection c = acquire();
        if (c.context == nullptr) {
            unavailable_.fetch_add(1, std::memory_order_relaxed);
            return false;
        }
        std::unique_ptr<redisReply, detail::reply_deleter> reply{command(c.context, 6, argv, lens)};
        const bool ok = reply != nullptr && reply->type == REDIS_REPLY_INTEGER;
        // An error reply (e.g. LOADING after a restart) leaves the connection
        // usable; a null reply means I/O failure and the context is dead.
        finish(c, reply != nullptr);
        if (!ok) {
            unavailable_.fetch_add(1, std::memory_order_relaxed);
            return false;
        }
        answer = reply->integer;
        return true;
    }

    redis_store_options options_;
    std::string instance_;
    std::mutex mutex_;
    std::vector<redisContext*> idle_;
    std::chrono::steady_clock::time_point retry_not_before_{};
    std::atomic<std::uint64_t> next_token_{1};
    std::atomic<std::uint64_t> unavailable_{0};
    std::atomic<std::uint64_t> connects_{0};
};

static_assert(IdempotencyStore<redis_store>);

}  // namespace lkwebhook

#endif  // LKWEBHOOK_REDIS_STORE_HPP
