#ifndef LKWEBHOOK_REDIS_CONNECTION_HPP
#define LKWEBHOOK_REDIS_CONNECTION_HPP

// How the library's Redis clients (redis_store, redis_stream_queue) reach a
// Redis server, over hiredis 0.14 or 1.x: TCP or a unix socket, AUTH with a
// password or an ACL user and password (Redis 6+), SELECT of a database
// index, connect and command timeouts; and a small pool of connections.
//
// TLS: Debian 12's hiredis 0.14 has no TLS support at all. hiredis 1.x ships
// it as a separate library (hiredis_ssl); the CMake target lkwebhook::redis
// links it and defines LKWEBHOOK_REDIS_TLS=1 where it is found, and only then
// does redis_endpoint::tls take effect. Asking for TLS in a build without it
// is a configuration error (check_redis_connection() says so, and every
// connection attempt fails closed): never a silent plaintext fallback.
//
// Secrets: the password is sent in AUTH and never copied into a diagnosis,
// a log line or an exception. Error texts from the server are passed on only
// after the AUTH step, and AUTH failures are reported in our own words.
//
// SIGPIPE: hiredis writes with write(2), so a peer that vanished raises
// SIGPIPE. Every command blocks SIGPIPE in the calling thread and consumes a
// SIGPIPE it caused, so the embedding process is never killed by one.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <csignal>
#include <ctime>
#include <pthread.h>
#include <sys/time.h>

#include <hiredis/hiredis.h>
#if defined(LKWEBHOOK_REDIS_TLS) && LKWEBHOOK_REDIS_TLS
#include <hiredis/hiredis_ssl.h>
#endif

#include "error.hpp"
#include "result.hpp"

namespace lkwebhook {

/// TLS settings of a Redis connection (hiredis 1.x with hiredis_ssl only).
struct redis_tls_options {
    bool enabled = false;
    std::string ca_file;      ///< PEM bundle that signs the server certificate (empty: system default)
    std::string cert_file;    ///< client certificate, for servers with tls-auth-clients yes
    std::string key_file;     ///< its private key
    std::string server_name;  ///< SNI and certificate name to check (empty: host)
};

/// Where and how to connect to Redis.
struct redis_endpoint {
    std::string host = "127.0.0.1";
    int port = 6379;
    /// When set, connect to this unix socket instead of host:port.
    std::string unix_socket;
    /// ACL user (Redis 6+); empty: `AUTH password` (requirepass) when a password is set.
    std::string username;
    /// Sent in AUTH only; never logged.
    std::string password;
    /// SELECT index (0: the default database, no SELECT sent).
    int database = 0;
    std::chrono::milliseconds connect_timeout{500};
    std::chrono::milliseconds command_timeout{500};
    redis_tls_options tls{};
};

/// True when this build can open TLS connections to Redis (hiredis 1.x + hiredis_ssl).
[[nodiscard]] constexpr bool redis_tls_supported() noexcept {
#if defined(LKWEBHOOK_REDIS_TLS) && LKWEBHOOK_REDIS_TLS
    return true;
#else
    return false;
#endif
}

/// Why a connection could not be made.
enum class redis_connect_failure : std::uint8_t {
    none,
    unreachable,      ///< nothing listens, timeout, DNS, socket error
    rejected_auth,    ///< the server refused the credentials (or demands some): a configuration error
    rejected_select,  ///< the database index does not exist
    tls_unavailable,  ///< TLS requested but not compiled in, or the handshake failed
};

namespace detail {

// Blocks SIGPIPE for the current thread while alive; consumes a SIGPIPE that
// became pending meanwhile (one we caused), then restores the mask.
class sigpipe_guard {
public:
    sigpipe_guard() noexcept {
        sigemptyset(&pipe_);
        sigaddset(&pipe_, SIGPIPE);
        sigset_t pending;
        sigemptyset(&pending);
        sigpending(&pending);
        was_pending_ = sigismember(&pending, SIGPIPE) == 1;
        blocked_ = pthread_sigmask(SIG_BLOCK, &pipe_, &old_) == 0;
    }
    ~sigpipe_guard() {
        if (!blocked_) return;
        if (!was_pending_) {
            sigset_t pending;
            sigemptyset(&pending);
            sigpending(&pending);
            if (sigismember(&pending, SIGPIPE) == 1) {
                const timespec zero{0, 0};
                (void)sigtimedwait(&pipe_, nullptr, &zero);
            }
        }
        pthread_sigmask(SIG_SETMASK, &old_, nullptr);
    }
    sigpipe_guard(const sigpipe_guard&) = delete;
    sigpipe_guard& operator=(const sigpipe_guard&) = delete;

private:
    sigset_t pipe_{};
    sigset_t old_{};
    bool was_pending_ = false;
    bool blocked_ = false;
};

inline timeval to_timeval(std::chrono::milliseconds ms) noexcept {
    timeval tv{};
    tv.tv_sec = static_cast<decltype(tv.tv_sec)>(ms.count() / 1000);
    tv.tv_usec = static_cast<decltype(tv.tv_usec)>((ms.count() % 1000) * 1000);
    return tv;
}

struct reply_deleter {
    void operator()(redisReply* r) const noexcept {
        if (r != nullptr) freeReplyObject(r);
    }
};

using redis_reply = std::unique_ptr<redisReply, reply_deleter>;

inline redis_reply redis_command(redisContext* c, int argc, const char** argv, const std::size_t* lens) noexcept {
    sigpipe_guard guard;
    return redis_reply{static_cast<redisReply*>(redisCommandArgv(c, argc, argv, lens))};
}

inline bool reply_is_error(const redisReply* r) noexcept { return r == nullptr || r->type == REDIS_REPLY_ERROR; }

inline std::string_view reply_text(const redisReply* r) noexcept {
    if (r == nullptr || r->str == nullptr) return {};
    return {r->str, static_cast<std::size_t>(r->len)};
}

// One connected, authenticated, selected context, or nullptr with `failure`
// (and a secret-free reason in `why`) set.
inline redisContext* redis_connect(const redis_endpoint& e, redis_connect_failure& failure,
                                   diagnosis* why = nullptr) noexcept {
    const auto fail = [&](redisContext* c, redis_connect_failure f, std::string_view text) -> redisContext* {
        failure = f;
        diagnose(why).append(text);
        if (c != nullptr) redisFree(c);
        return nullptr;
    };
    failure = redis_connect_failure::none;
#if !(defined(LKWEBHOOK_REDIS_TLS) && LKWEBHOOK_REDIS_TLS)
    if (e.tls.enabled)
        return fail(nullptr, redis_connect_failure::tls_unavailable,
                    "TLS to Redis requested, but this build's hiredis has no TLS support (hiredis 0.14; TLS needs "
                    "hiredis 1.x with hiredis_ssl)");
#endif
    redisContext* c = nullptr;
    {
        sigpipe_guard guard;
        c = e.unix_socket.empty() ? redisConnectWithTimeout(e.host.c_str(), e.port, to_timeval(e.connect_timeout))
                                  : redisConnectUnixWithTimeout(e.unix_socket.c_str(), to_timeval(e.connect_timeout));
    }
    if (c == nullptr || c->err != 0) return fail(c, redis_connect_failure::unreachable, "Redis unreachable");
    if (redisSetTimeout(c, to_timeval(e.command_timeout)) != REDIS_OK)
        return fail(c, redis_connect_failure::unreachable, "Redis: cannot set the command timeout");
#if defined(LKWEBHOOK_REDIS_TLS) && LKWEBHOOK_REDIS_TLS
    if (e.tls.enabled) {
        static const bool initialized = redisInitOpenSSL() == REDIS_OK;
        redisSSLContextError error = REDIS_SSL_CTX_NONE;
        const auto opt = [](const std::string& s) { return s.empty() ? nullptr : s.c_str(); };
        redisSSLContext* ssl =
                initialized ? redisCreateSSLContext(
                                      opt(e.tls.ca_file), nullptr, opt(e.tls.cert_file), opt(e.tls.key_file),
                                      e.tls.server_name.empty() ? e.host.c_str() : e.tls.server_name.c_str(), &error)
                            : nullptr;
        if (ssl == nullptr)
            return fail(c, redis_connect_failure::tls_unavailable, "Redis: cannot create a TLS context");
        const bool ok = redisInitiateSSLWithContext(c, ssl) == REDIS_OK;
        // hiredis keeps its own reference to the SSL object; the context can go.
        redisFreeSSLContext(ssl);
        if (!ok) return fail(c, redis_connect_failure::tls_unavailable, "Redis: TLS handshake failed");
    }
#endif
    if (!e.password.empty()) {
        // AUTH [username] password: the ACL form when a user name is configured.
        const bool with_user = !e.username.empty();
        const char* argv[] = {"AUTH", with_user ? e.username.c_str() : e.password.c_str(), e.password.c_str()};
        const std::size_t lens[] = {4, with_user ? e.username.size() : e.password.size(), e.password.size()};
        redis_reply r = redis_command(c, with_user ? 3 : 2, argv, lens);
        if (r == nullptr) return fail(c, redis_connect_failure::unreachable, "Redis: connection lost during AUTH");
        if (r->type == REDIS_REPLY_ERROR)
            return fail(c, redis_connect_failure::rejected_auth,
                        with_user ? "Redis rejected AUTH for the configured user (wrong user name or password)"
                                  : "Redis rejected AUTH (wrong password, or the server needs an ACL user name)");
    }
    if (e.database != 0) {
        const std::string index = std::to_string(e.database);
        const char* argv[] = {"SELECT", index.c_str()};
        const std::size_t lens[] = {6, index.size()};
        redis_reply r = redis_command(c, 2, argv, lens);
        if (r == nullptr) return fail(c, redis_connect_failure::unreachable, "Redis: connection lost during SELECT");
        if (r->type == REDIS_REPLY_ERROR)
            return fail(c, redis_connect_failure::rejected_select, "Redis rejected SELECT");
    }
    // Without credentials, a server with requirepass answers NOAUTH to everything: say so now.
    const char* ping[] = {"PING"};
    const std::size_t ping_len[] = {4};
    redis_reply r = redis_command(c, 1, ping, ping_len);
    if (r == nullptr) return fail(c, redis_connect_failure::unreachable, "Redis: connection lost");
    if (r->type == REDIS_REPLY_ERROR) {
        const std::string_view text = reply_text(r.get());
        if (text.starts_with("NOAUTH") || text.starts_with("NOPERM") || text.starts_with("WRONGPASS"))
            return fail(c, redis_connect_failure::rejected_auth,
                        "Redis requires authentication (set a password, and a user name for ACL users)");
        return fail(c, redis_connect_failure::unreachable, "Redis answered PING with an error");
    }
    return c;
}

// A pool of connections to one endpoint. A broken connection is dropped and a
// new one is made by the next acquire(), at most once per reconnect_interval
// (in between, acquire() fails fast instead of every caller waiting for a
// connect timeout). Thread-safe.
class redis_pool {
public:
    redis_pool(redis_endpoint endpoint, std::chrono::milliseconds reconnect_interval, std::size_t max_idle)
        : endpoint_(std::move(endpoint)), reconnect_interval_(reconnect_interval), max_idle_(max_idle) {
        idle_.reserve(max_idle_);
    }
    ~redis_pool() {
        for (redisContext* c : idle_) redisFree(c);
    }
    redis_pool(const redis_pool&) = delete;
    redis_pool& operator=(const redis_pool&) = delete;

    // A leased connection; returned to the pool by release(true) or dropped.
    class lease {
    public:
        lease() = default;
        lease(redis_pool* pool, redisContext* c) noexcept : pool_(pool), context_(c) {}
        lease(lease&& o) noexcept : pool_(o.pool_), context_(o.context_) { o.context_ = nullptr; }
        lease& operator=(lease&&) = delete;
        lease(const lease&) = delete;
        lease& operator=(const lease&) = delete;
        ~lease() { done(false); }

        explicit operator bool() const noexcept { return context_ != nullptr; }
        redisContext* get() const noexcept { return context_; }
        // Runs one command. A null reply means I/O failure: the connection is dropped.
        redis_reply run(int argc, const char** argv, const std::size_t* lens) noexcept {
            if (context_ == nullptr) return {};
            redis_reply r = redis_command(context_, argc, argv, lens);
            if (r == nullptr) done(false);
            return r;
        }
        // Returns the connection for reuse when it is healthy.
        void done(bool healthy) noexcept {
            if (context_ == nullptr) return;
            pool_->give_back(context_, healthy);
            context_ = nullptr;
        }

    private:
        redis_pool* pool_ = nullptr;
        redisContext* context_ = nullptr;
    };

    lease acquire() noexcept {
        {
            std::lock_guard lock(mutex_);
            if (!idle_.empty()) {
                redisContext* c = idle_.back();
                idle_.pop_back();
                return {this, c};
            }
            if (std::chrono::steady_clock::now() < retry_not_before_) return {};
        }
        redis_connect_failure failure = redis_connect_failure::none;
        redisContext* c = redis_connect(endpoint_, failure);
        last_failure_.store(failure, std::memory_order_relaxed);
        if (c == nullptr) {
            std::lock_guard lock(mutex_);
            retry_not_before_ = std::chrono::steady_clock::now() + reconnect_interval_;
            return {};
        }
        connects_.fetch_add(1, std::memory_order_relaxed);
        return {this, c};
    }

    [[nodiscard]] std::uint64_t connects() const noexcept { return connects_.load(std::memory_order_relaxed); }
    [[nodiscard]] redis_connect_failure last_failure() const noexcept {
        return last_failure_.load(std::memory_order_relaxed);
    }
    [[nodiscard]] const redis_endpoint& endpoint() const noexcept { return endpoint_; }

private:
    void give_back(redisContext* c, bool healthy) noexcept {
        if (healthy && c->err == 0) {
            std::lock_guard lock(mutex_);
            // Capacity was reserved in the constructor, so push_back cannot throw.
            if (idle_.size() < max_idle_ && idle_.capacity() > idle_.size()) {
                idle_.push_back(c);
                return;
            }
        }
        redisFree(c);
    }

    redis_endpoint endpoint_;
    std::chrono::milliseconds reconnect_interval_;
    std::size_t max_idle_;
    std::mutex mutex_;
    std::vector<redisContext*> idle_;
    std::chrono::steady_clock::time_point retry_not_before_{};
    std::atomic<std::uint64_t> connects_{0};
    std::atomic<redis_connect_failure> last_failure_{redis_connect_failure::none};
};

}  // namespace detail

/// Parses a Redis URL as redis-cli and most clients take it:
///   redis://[[user]:password@]host[:port][/db]
///   rediss://...                   the same over TLS (see redis_tls_supported())
///   unix://[[user]:password@]/path/to/redis.sock[?db=N]
/// Percent-escapes in the user and password are decoded. invalid_config (with
/// the reason in `why`, never the password) for anything else.
[[nodiscard]] inline result<redis_endpoint> redis_endpoint_from_url(std::string_view url, diagnosis* why = nullptr) {
    const auto fail = [&](std::string_view text) {
        diagnose(why).append(text);
        return result<redis_endpoint>{errc::invalid_config};
    };
    const auto decode = [](std::string_view in, std::string& out) {
        const auto hex = [](char c) {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            if (c >= 'A' && c <= 'F') return c - 'A' + 10;
            return -1;
        };
        out.clear();
        for (std::size_t i = 0; i < in.size(); ++i) {
            if (in[i] != '%') {
                out += in[i];
                continue;
            }
            if (i + 2 >= in.size()) return false;
            const int hi = hex(in[i + 1]);
            const int lo = hex(in[i + 2]);
            if (hi < 0 || lo < 0) return false;
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        }
        return true;
    };
    redis_endpoint e;
    std::string_view rest;
    bool unix_socket = false;
    if (url.starts_with("redis://")) {
        rest = url.substr(8);
    } else if (url.starts_with("rediss://")) {
        rest = url.substr(9);
        e.tls.enabled = true;
    } else if (url.starts_with("unix://")) {
        rest = url.substr(7);
        unix_socket = true;
    } else {
        return fail("a Redis URL starts with redis://, rediss:// or unix://");
    }
    if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
        const std::string_view userinfo = rest.substr(0, at);
        rest = rest.substr(at + 1);
        const auto colon = userinfo.find(':');
        const std::string_view user = colon == std::string_view::npos ? userinfo : userinfo.substr(0, colon);
        const std::string_view password =
                colon == std::string_view::npos ? std::string_view{} : userinfo.substr(colon + 1);
        if (colon == std::string_view::npos) {
            // redis://password@host is how redis-cli reads a lone user-info part.
            if (!decode(user, e.password)) return fail("bad percent-escape in the Redis URL's password");
        } else {
            if (!decode(user, e.username)) return fail("bad percent-escape in the Redis URL's user");
            if (!decode(password, e.password)) return fail("bad percent-escape in the Redis URL's password");
        }
    }
    if (unix_socket) {
        const auto query = rest.find('?');
        e.unix_socket = std::string{rest.substr(0, query)};
        if (e.unix_socket.empty() || e.unix_socket.front() != '/') return fail("unix:// needs an absolute socket path");
        if (query != std::string_view::npos) {
            const std::string_view q = rest.substr(query + 1);
            if (!q.starts_with("db=")) return fail("the only unix:// query parameter is db=N");
            rest = q.substr(3);
        } else {
            rest = {};
        }
    } else {
        const auto slash = rest.find('/');
        const std::string_view hostport = rest.substr(0, slash);
        rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
        std::string_view host = hostport;
        std::string_view port;
        if (hostport.starts_with('[')) {  // [IPv6]:port
            const auto close = hostport.find(']');
            if (close == std::string_view::npos) return fail("unbalanced [ in the Redis URL's host");
            host = hostport.substr(1, close - 1);
            if (close + 1 < hostport.size()) {
                if (hostport[close + 1] != ':') return fail("bad port in the Redis URL");
                port = hostport.substr(close + 2);
            }
        } else if (const auto colon = hostport.rfind(':'); colon != std::string_view::npos) {
            host = hostport.substr(0, colon);
            port = hostport.substr(colon + 1);
        }
        if (host.empty()) return fail("the Redis URL has no host");
        e.host = std::string{host};
        if (!port.empty()) {
            int value = 0;
            for (const char c : port) {
                if (c < '0' || c > '9' || value > 65535) return fail("bad port in the Redis URL");
                value = value * 10 + (c - '0');
            }
            if (value == 0 || value > 65535) return fail("bad port in the Redis URL");
            e.port = value;
        }
    }
    if (!rest.empty()) {
        int db = 0;
        for (const char c : rest) {
            if (c < '0' || c > '9' || db > 100000) return fail("bad database index in the Redis URL");
            db = db * 10 + (c - '0');
        }
        e.database = db;
    }
    return e;
}

/// Connects once and reports what is wrong, for configuration time: ok when
/// Redis answers; invalid_config when it refuses the credentials or the
/// database index, or TLS is requested in a build without it; overloaded
/// when it cannot be reached (a transient condition). `why` never contains
/// the password.
[[nodiscard]] inline result<void> check_redis_connection(const redis_endpoint& e, diagnosis* why = nullptr) noexcept {
    redis_connect_failure failure = redis_connect_failure::none;
    redisContext* c = detail::redis_connect(e, failure, why);
    if (c != nullptr) {
        redisFree(c);
        return {};
    }
    return failure == redis_connect_failure::unreachable ? result<void>{errc::overloaded}
                                                         : result<void>{errc::invalid_config};
}

}  // namespace lkwebhook

#endif  // LKWEBHOOK_REDIS_CONNECTION_HPP
