#ifndef LKWEBHOOK_REDIS_STREAM_QUEUE_HPP
#define LKWEBHOOK_REDIS_STREAM_QUEUE_HPP

// redis_stream_queue: a DurableQueue (durable_queue.hpp) over Redis Streams,
// for durable_dispatcher. Link the optional CMake target lkwebhook::redis.
//
// Layout, for key_prefix P and partition n:
//   P p:<n>      a stream per partition; fields body, key (API key id),
//                at (receive time, Unix ms), id (event id)
//   P dead       dead letters: the entry's fields plus partition, source
//                (its stream id), deliveries and error
// One consumer group (`group`) per partition stream; each process is one
// consumer (`consumer`, random unless configured).
//
// Every operation is one Lua script, atomic on the server:
//   append       refuses when the partition holds partition_capacity
//                unfinished entries, else XADD MAXLEN ~ partition_capacity
//                (the bound is a backstop: since finished entries are
//                deleted and the script refuses first, it never trims an
//                unfinished entry);
//   take         own pending entry first (XREADGROUP ... 0), else, when the
//                group has pending entries, XAUTOCLAIM one idle longer than
//                idle_timeout (nothing newer meanwhile: order), else
//                XREADGROUP ... > ; the delivery count comes from XPENDING;
//   acknowledge  XACK + XDEL;  dead_letter  XADD to P dead + XACK + XDEL.
// The reply to append comes after Redis applied the write. How durable that
// is follows the server's persistence settings: with appendonly yes and
// appendfsync always the entry is on disk before the reply; with everysec a
// crash of the Redis process loses nothing but a crash of the machine can
// lose about the last second; without AOF a restart loses what the last RDB
// snapshot did not hold. Replicas: the reply does not wait for them (WAIT is
// not used), so a failover can lose the latest entries.
//
// Order: because take is one script, at most one entry of a partition is
// pending in the group at any time; it stays with its consumer until that
// consumer acknowledges it or has been idle for idle_timeout (it died), then
// XAUTOCLAIM moves it to the next consumer that asks. idle_timeout must
// exceed the longest handler run.
//
// TLS, AUTH, unix sockets, database index: see redis_connection.hpp.
// Thread-safety: every member may be called concurrently from any threads
// (each call uses its own pooled connection).

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "config.hpp"
#include "durable_queue.hpp"
#include "error.hpp"
#include "idempotency.hpp"
#include "redis_connection.hpp"
#include "result.hpp"

namespace lkwebhook {

/// Configuration of redis_stream_queue. Every instance on one queue must use
/// the same key_prefix, group and partitions.
struct redis_stream_options {
    redis_endpoint endpoint{};
    std::string key_prefix = "lkwebhook:queue:";
    std::string group = "lkwebhook";
    /// This process's consumer name; empty: a random one. A stable name (a pod
    /// name) lets a restarted process resume its own pending entries at once
    /// instead of after idle_timeout. Never give two live processes one name.
    std::string consumer;
    std::size_t partitions = 16;
    /// Unfinished entries per partition, at most; append() answers `full` beyond.
    std::size_t partition_capacity = 100'000;
    /// Dead letters kept (XADD MAXLEN ~): the oldest beyond it are trimmed.
    std::size_t dead_letter_capacity = 100'000;
    /// A pending entry idle this long is taken over by another consumer (its own died).
    std::chrono::milliseconds idle_timeout{30'000};
    /// After a failed connect, operations fail fast for this long.
    std::chrono::milliseconds reconnect_interval{200};
    std::size_t max_idle_connections = 8;
};

/// One dead letter, as listed by redis_stream_queue::dead_letters().
struct dead_letter_entry {
    std::string id;  ///< its id in the dead-letter stream
    std::string event_id;
    std::string body;
    std::string key_id;
    std::int64_t received_unix_ms = 0;
    std::size_t partition = 0;
    std::string source_id;  ///< its id in the partition stream
    std::uint64_t deliveries = 0;
    std::string error;  ///< why it was dead-lettered
};

/// Depth of one partition.
struct partition_depth {
    std::uint64_t unfinished = 0;  ///< entries stored and not yet acknowledged (waiting or pending)
    std::uint64_t pending = 0;     ///< of those, handed to a consumer and not yet acknowledged
};

/// Depth of the whole queue.
struct queue_depth {
    std::vector<partition_depth> partitions;
    std::uint64_t unfinished = 0;
    std::uint64_t pending = 0;
    std::uint64_t dead_letters = 0;
};

namespace detail {

inline constexpr std::string_view redis_append_script =
        "if redis.call('XLEN',KEYS[1])>=tonumber(ARGV[1]) then return false end "
        "return redis.call('XADD',KEYS[1],'MAXLEN','~',ARGV[1],'*','body',ARGV[2],'key',ARGV[3],'at',ARGV[4],"
        "'id',ARGV[5])";
// Replies {0} nothing now, {2} skipped a deleted entry (call again),
// {1, id, {field, value, ...}, deliveries}.
inline constexpr std::string_view redis_take_script =
        "local k,g,me=KEYS[1],ARGV[1],ARGV[2] "
        "local function count(id) local p=redis.call('XPENDING',k,g,id,id,1) "
        "if p[1] then return p[1][4] end return 1 end "
        "local own=redis.call('XREADGROUP','GROUP',g,me,'COUNT',1,'STREAMS',k,'0') "
        "if own and own[1][2][1] then local e=own[1][2][1] "
        "if not e[2] then redis.call('XACK',k,g,e[1]) return {2} end "
        "return {1,e[1],e[2],count(e[1])} end "
        "if redis.call('XPENDING',k,g)[1]>0 then "
        "local c=redis.call('XAUTOCLAIM',k,g,me,ARGV[3],'0-0','COUNT',1) local e=c[2][1] "
        "if e then if not e[2] then redis.call('XACK',k,g,e[1]) return {2} end "
        "return {1,e[1],e[2],count(e[1])} end return {0} end "
        "local n=redis.call('XREADGROUP','GROUP',g,me,'COUNT',1,'STREAMS',k,'>') "
        "if n and n[1][2][1] then local e=n[1][2][1] return {1,e[1],e[2],1} end "
        "return {0}";
inline constexpr std::string_view redis_ack_script =
        "redis.call('XACK',KEYS[1],ARGV[1],ARGV[2]) redis.call('XDEL',KEYS[1],ARGV[2]) return 1";
inline constexpr std::string_view redis_dead_letter_script =
        "redis.call('XADD',KEYS[2],'MAXLEN','~',ARGV[3],'*','body',ARGV[4],'key',ARGV[5],'at',ARGV[6],"
        "'id',ARGV[7],'partition',ARGV[8],'source',ARGV[2],'deliveries',ARGV[9],'error',ARGV[10]) "
        "redis.call('XACK',KEYS[1],ARGV[1],ARGV[2]) redis.call('XDEL',KEYS[1],ARGV[2]) return 1";
// KEYS[1] dead, ARGV[1] dead-letter id, ARGV[2] key prefix, ARGV[3] capacity.
// Replies the new entry id, false when the dead letter does not exist, or
// 'full' when its partition is full.
inline constexpr std::string_view redis_replay_script =
        "local r=redis.call('XRANGE',KEYS[1],ARGV[1],ARGV[1]) if not r[1] then return false end "
        "local f={} local a=r[1][2] for i=1,#a,2 do f[a[i]]=a[i+1] end "
        "local s=ARGV[2]..'p:'..(f['partition'] or '0') "
        "if redis.call('XLEN',s)>=tonumber(ARGV[3]) then return {err='full'} end "
        "local id=redis.call('XADD',s,'MAXLEN','~',ARGV[3],'*','body',f['body'] or '','key',f['key'] or '',"
        "'at',f['at'] or '0','id',f['id'] or '') "
        "redis.call('XDEL',KEYS[1],ARGV[1]) return id";

inline bool parse_u64(std::string_view text, std::uint64_t& out) noexcept {
    if (text.empty() || text.size() > 19) return false;
    std::uint64_t v = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') return false;
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    out = v;
    return true;
}

inline std::uint64_t reply_u64(const redisReply* r) noexcept {
    if (r == nullptr) return 0;
    if (r->type == REDIS_REPLY_INTEGER) return r->integer < 0 ? 0 : static_cast<std::uint64_t>(r->integer);
    std::uint64_t v = 0;
    if (r->type == REDIS_REPLY_STRING && parse_u64(reply_text(r), v)) return v;
    return 0;
}

}  // namespace detail

/// DurableQueue over Redis Streams (see the file comment).
class redis_stream_queue {
public:
    explicit redis_stream_queue(redis_stream_options options = {})
        : options_(normalized(std::move(options))),
          pool_(options_.endpoint, options_.reconnect_interval, options_.max_idle_connections) {
        if (options_.consumer.empty()) {
            const std::uint64_t seed = detail::random_seed();
            constexpr char hex[] = "0123456789abcdef";
            options_.consumer = "c-";
            for (int shift = 60; shift >= 0; shift -= 4) options_.consumer += hex[(seed >> shift) & 0xf];
        }
        groups_ready_ = std::make_unique<std::atomic<bool>[]>(options_.partitions);
    }

    redis_stream_queue(const redis_stream_queue&) = delete;
    redis_stream_queue& operator=(const redis_stream_queue&) = delete;

    [[nodiscard]] std::size_t partitions() const noexcept { return options_.partitions; }

    [[nodiscard]] append_status append(const durable_record& r) noexcept {
        return guarded([&] { return append_impl(r); }, append_status::unavailable);
    }

    [[nodiscard]] take_status take(std::size_t p, durable_entry& out) noexcept {
        return guarded([&] { return take_impl(p, out); }, take_status::unavailable);
    }

    [[nodiscard]] bool acknowledge(const durable_entry& e) noexcept {
        return guarded(
                [&] {
                    const std::string key = stream_key(e.partition);
                    const char* argv[] = {"EVAL",      detail::redis_ack_script.data(), "1",
                                          key.c_str(), options_.group.c_str(),          e.id.c_str()};
                    const std::size_t lens[] = {4,          detail::redis_ack_script.size(), 1,
                                                key.size(), options_.group.size(),           e.id.size()};
                    detail::redis_reply r = run(6, argv, lens);
                    return r != nullptr && r->type == REDIS_REPLY_INTEGER;
                },
                false);
    }

    /// Nothing to do: the entry stays pending with this consumer, and take()
    /// hands it out again first (durable_dispatcher waits the delay).
    void retry_later(const durable_entry&, std::chrono::milliseconds) noexcept {}

    /// XCLAIM to ourselves (JUSTID: the delivery count stays) resets the idle time.
    void keep_alive(const durable_entry& e) noexcept {
        (void)guarded(
                [&] {
                    const std::string key = stream_key(e.partition);
                    const char* argv[] = {
                            "XCLAIM",     key.c_str(), options_.group.c_str(), options_.consumer.c_str(), "0",
                            e.id.c_str(), "JUSTID"};
                    const std::size_t lens[] = {
                            6, key.size(), options_.group.size(), options_.consumer.size(), 1, e.id.size(), 6};
                    return run(7, argv, lens) != nullptr;
                },
                false);
    }

    [[nodiscard]] bool dead_letter(const durable_entry& e, std::string_view reason) noexcept {
        return guarded(
                [&] {
                    const std::string stream = stream_key(e.partition);
                    const std::string dead = dead_key();
                    const std::string capacity = std::to_string(options_.dead_letter_capacity);
                    const std::string at = std::to_string(e.received_unix_ms);
                    const std::string partition = std::to_string(e.partition);
                    const std::string deliveries = std::to_string(e.deliveries);
                    const std::string event_id = event_id_of(e);
                    const char* argv[] = {"EVAL",
                                          detail::redis_dead_letter_script.data(),
                                          "2",
                                          stream.c_str(),
                                          dead.c_str(),
                                          options_.group.c_str(),
                                          e.id.c_str(),
                                          capacity.c_str(),
                                          e.body.data(),
                                          e.key_id.c_str(),
                                          at.c_str(),
                                          event_id.c_str(),
                                          partition.c_str(),
                                          deliveries.c_str(),
                                          reason.data()};
                    const std::size_t lens[] = {4,
                                                detail::redis_dead_letter_script.size(),
                                                1,
                                                stream.size(),
                                                dead.size(),
                                                options_.group.size(),
                                                e.id.size(),
                                                capacity.size(),
                                                e.body.size(),
                                                e.key_id.size(),
                                                at.size(),
                                                event_id.size(),
                                                partition.size(),
                                                deliveries.size(),
                                                reason.size()};
                    detail::redis_reply r = run(15, argv, lens);
                    return r != nullptr && r->type == REDIS_REPLY_INTEGER;
                },
                false);
    }

    // Tooling (the lkwebhook CLI's `queue` command).

    /// Up to `max` dead letters, oldest first, starting after `after` (a dead-letter id; empty: from the start).
    [[nodiscard]] result<std::vector<dead_letter_entry>> dead_letters(std::size_t max = 100,
                                                                      std::string_view after = {},
                                                                      diagnosis* why = nullptr) noexcept {
        return guarded(
                [&]() -> result<std::vector<dead_letter_entry>> {
                    const std::string dead = dead_key();
                    const std::string start = after.empty() ? std::string{"-"} : "(" + std::string{after};
                    const std::string count = std::to_string(max);
                    const char* argv[] = {"XRANGE", dead.c_str(), start.c_str(), "+", "COUNT", count.c_str()};
                    const std::size_t lens[] = {6, dead.size(), start.size(), 1, 5, count.size()};
                    detail::redis_reply r = run(6, argv, lens);
                    if (r == nullptr || r->type != REDIS_REPLY_ARRAY) return unavailable(why, r.get());
                    std::vector<dead_letter_entry> out;
                    for (std::size_t i = 0; i < r->elements; ++i) {
                        const redisReply* e = r->element[i];
                        if (e->type != REDIS_REPLY_ARRAY || e->elements != 2) continue;
                        dead_letter_entry d;
                        d.id = detail::reply_text(e->element[0]);
                        const redisReply* f = e->element[1];
                        for (std::size_t j = 0; f->type == REDIS_REPLY_ARRAY && j + 1 < f->elements; j += 2) {
                            const std::string_view name = detail::reply_text(f->element[j]);
                            const redisReply* value = f->element[j + 1];
                            if (name == "body")
                                d.body = detail::reply_text(value);
                            else if (name == "key")
                                d.key_id = detail::reply_text(value);
                            else if (name == "at")
                                d.received_unix_ms = static_cast<std::int64_t>(detail::reply_u64(value));
                            else if (name == "id")
                                d.event_id = detail::reply_text(value);
                            else if (name == "partition")
                                d.partition = static_cast<std::size_t>(detail::reply_u64(value));
                            else if (name == "source")
                                d.source_id = detail::reply_text(value);
                            else if (name == "deliveries")
                                d.deliveries = detail::reply_u64(value);
                            else if (name == "error")
                                d.error = detail::reply_text(value);
                        }
                        out.push_back(std::move(d));
                    }
                    return out;
                },
                result<std::vector<dead_letter_entry>>{errc::internal_error});
    }

    /// Appends the dead letter `id` to its partition again (handled anew, as a
    /// new entry) and removes it from the dead letters. Returns the new entry's
    /// id; invalid_config when no such dead letter exists, overloaded when
    /// Redis is unreachable or the partition is full.
    [[nodiscard]] result<std::string> replay_dead_letter(std::string_view id, diagnosis* why = nullptr) noexcept {
        return guarded(
                [&]() -> result<std::string> {
                    const std::string dead = dead_key();
                    const std::string capacity = std::to_string(options_.partition_capacity);
                    const char* argv[] = {"EVAL",
                                          detail::redis_replay_script.data(),
                                          "1",
                                          dead.c_str(),
                                          id.data(),
                                          options_.key_prefix.c_str(),
                                          capacity.c_str()};
                    const std::size_t lens[] = {4,
                                                detail::redis_replay_script.size(),
                                                1,
                                                dead.size(),
                                                id.size(),
                                                options_.key_prefix.size(),
                                                capacity.size()};
                    detail::redis_reply r = run(7, argv, lens);
                    if (r == nullptr) return unavailable(why, nullptr);
                    if (r->type == REDIS_REPLY_NIL) {
                        diagnose(why).append("no such dead letter");
                        return errc::invalid_config;
                    }
                    if (r->type != REDIS_REPLY_STRING) return unavailable(why, r.get());
                    return std::string{detail::reply_text(r.get())};
                },
                result<std::string>{errc::internal_error});
    }

    /// Unfinished and pending entries per partition, and the dead letters.
    [[nodiscard]] result<queue_depth> depth(diagnosis* why = nullptr) noexcept {
        return guarded(
                [&]() -> result<queue_depth> {
                    queue_depth d;
                    d.partitions.resize(options_.partitions);
                    for (std::size_t p = 0; p < options_.partitions; ++p) {
                        const std::string key = stream_key(p);
                        const char* xlen[] = {"XLEN", key.c_str()};
                        const std::size_t xlen_lens[] = {4, key.size()};
                        detail::redis_reply len = run(2, xlen, xlen_lens);
                        if (len == nullptr || len->type != REDIS_REPLY_INTEGER) return unavailable(why, len.get());
                        d.partitions[p].unfinished = detail::reply_u64(len.get());
                        if (d.partitions[p].unfinished != 0) {
                            const char* pending[] = {"XPENDING", key.c_str(), options_.group.c_str()};
                            const std::size_t pending_lens[] = {8, key.size(), options_.group.size()};
                            detail::redis_reply r = run(3, pending, pending_lens);
                            // NOGROUP: no consumer ever read it; nothing is pending.
                            if (r != nullptr && r->type == REDIS_REPLY_ARRAY && r->elements >= 1)
                                d.partitions[p].pending = detail::reply_u64(r->element[0]);
                        }
                        d.unfinished += d.partitions[p].unfinished;
                        d.pending += d.partitions[p].pending;
                    }
                    const std::string dead = dead_key();
                    const char* xlen[] = {"XLEN", dead.c_str()};
                    const std::size_t xlen_lens[] = {4, dead.size()};
                    detail::redis_reply len = run(2, xlen, xlen_lens);
                    if (len == nullptr || len->type != REDIS_REPLY_INTEGER) return unavailable(why, len.get());
                    d.dead_letters = detail::reply_u64(len.get());
                    return d;
                },
                result<queue_depth>{errc::internal_error});
    }

    /// Connects once and reports a configuration problem (see check_redis_connection()).
    [[nodiscard]] result<void> check(diagnosis* why = nullptr) const noexcept {
        return check_redis_connection(options_.endpoint, why);
    }

    [[nodiscard]] const redis_stream_options& options() const noexcept { return options_; }
    [[nodiscard]] std::uint64_t connects() const noexcept { return pool_.connects(); }

private:
    static redis_stream_options normalized(redis_stream_options o) {
        if (o.partitions == 0) o.partitions = 1;
        if (o.partition_capacity == 0) o.partition_capacity = 1;
        if (o.dead_letter_capacity == 0) o.dead_letter_capacity = 1;
        return o;
    }

    template <class F, class R>
    static R guarded(F&& f, R fallback) noexcept {
        return detail::fail_closed(f, [&] { return fallback; });
    }

    static errc unavailable(diagnosis* why, const redisReply* r) noexcept {
        if (r != nullptr && r->type == REDIS_REPLY_ERROR) {
            diagnose(why).append("Redis error: ").append(detail::reply_text(r));
        } else {
            diagnose(why).append("Redis unavailable");
        }
        return errc::overloaded;
    }

    [[nodiscard]] std::string stream_key(std::size_t p) const { return options_.key_prefix + "p:" + std::to_string(p); }
    [[nodiscard]] std::string dead_key() const { return options_.key_prefix + "dead"; }

    static std::string event_id_of(const durable_entry& e) {
        if (e.native == nullptr) return {};
        return *static_cast<const std::string*>(e.native.get());
    }

    detail::redis_reply run(int argc, const char** argv, const std::size_t* lens) {
        detail::redis_pool::lease c = pool_.acquire();
        if (!c) return {};
        detail::redis_reply r = c.run(argc, argv, lens);
        c.done(r != nullptr);
        return r;
    }

    append_status append_impl(const durable_record& r) {
        if (r.partition >= options_.partitions) return append_status::unavailable;
        const std::string key = stream_key(r.partition);
        const std::string capacity = std::to_string(options_.partition_capacity);
        const std::string at = std::to_string(r.received_unix_ms);
        const char* argv[] = {"EVAL",
                              detail::redis_append_script.data(),
                              "1",
                              key.c_str(),
                              capacity.c_str(),
                              r.body.data(),
                              r.key_id.data(),
                              at.c_str(),
                              r.event_id.data()};
        const std::size_t lens[] = {4,
                                    detail::redis_append_script.size(),
                                    1,
                                    key.size(),
                                    capacity.size(),
                                    r.body.size(),
                                    r.key_id.size(),
                                    at.size(),
                                    r.event_id.size()};
        detail::redis_reply reply = run(9, argv, lens);
        if (reply == nullptr) return append_status::unavailable;
        if (reply->type == REDIS_REPLY_NIL) return append_status::full;
        return reply->type == REDIS_REPLY_STRING ? append_status::appended : append_status::unavailable;
    }

    bool ensure_group(std::size_t p, const std::string& key) {
        if (groups_ready_[p].load(std::memory_order_acquire)) return true;
        const char* argv[] = {"XGROUP", "CREATE", key.c_str(), options_.group.c_str(), "0", "MKSTREAM"};
        const std::size_t lens[] = {6, 6, key.size(), options_.group.size(), 1, 8};
        detail::redis_reply r = run(6, argv, lens);
        if (r == nullptr) return false;
        if (r->type == REDIS_REPLY_ERROR && !detail::reply_text(r.get()).starts_with("BUSYGROUP")) return false;
        groups_ready_[p].store(true, std::memory_order_release);
        return true;
    }

    take_status take_impl(std::size_t p, durable_entry& out) {
        if (p >= options_.partitions) return take_status::unavailable;
        const std::string key = stream_key(p);
        if (!ensure_group(p, key)) return take_status::unavailable;
        const std::string idle = std::to_string(options_.idle_timeout.count());
        const char* argv[] = {"EVAL",      detail::redis_take_script.data(), "1",
                              key.c_str(), options_.group.c_str(),           options_.consumer.c_str(),
                              idle.c_str()};
        const std::size_t lens[] = {4,
                                    detail::redis_take_script.size(),
                                    1,
                                    key.size(),
                                    options_.group.size(),
                                    options_.consumer.size(),
                                    idle.size()};
        for (int attempt = 0; attempt < 8; ++attempt) {
            detail::redis_reply r = run(7, argv, lens);
            if (r == nullptr) return take_status::unavailable;
            if (r->type == REDIS_REPLY_ERROR) {
                // The group vanished (a Redis restart without persistence, a manual DEL): recreate it.
                if (detail::reply_text(r.get()).find("NOGROUP") != std::string_view::npos) {
                    groups_ready_[p].store(false, std::memory_order_release);
                    if (!ensure_group(p, key)) return take_status::unavailable;
                    continue;
                }
                return take_status::unavailable;
            }
            if (r->type != REDIS_REPLY_ARRAY || r->elements == 0) return take_status::unavailable;
            const long long kind = r->element[0]->integer;
            if (kind == 2) continue;
            if (kind != 1 || r->elements != 4) return take_status::empty;
            out = durable_entry{};
            out.id = detail::reply_text(r->element[1]);
            out.partition = p;
            out.deliveries = detail::reply_u64(r->element[3]);
            if (out.deliveries == 0) out.deliveries = 1;
            std::string event_id;
            const redisReply* f = r->element[2];
            for (std::size_t j = 0; f->type == REDIS_REPLY_ARRAY && j + 1 < f->elements; j += 2) {
                const std::string_view name = detail::reply_text(f->element[j]);
                const redisReply* value = f->element[j + 1];
                if (name == "body")
                    out.body = detail::reply_text(value);
                else if (name == "key")
                    out.key_id = detail::reply_text(value);
                else if (name == "at")
                    out.received_unix_ms = static_cast<std::int64_t>(detail::reply_u64(value));
                else if (name == "id")
                    event_id = detail::reply_text(value);
            }
            out.native = std::make_shared<std::string>(std::move(event_id));
            return take_status::entry;
        }
        return take_status::empty;
    }

    redis_stream_options options_;
    detail::redis_pool pool_;
    std::unique_ptr<std::atomic<bool>[]> groups_ready_;
};

static_assert(DurableQueue<redis_stream_queue>);

}  // namespace lkwebhook

#endif  // LKWEBHOOK_REDIS_STREAM_QUEUE_HPP
