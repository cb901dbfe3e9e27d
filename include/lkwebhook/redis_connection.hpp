#ifndef LKWEBHOOK_REDIS_CONNECTION_HPP
#define LKWEBHOOK_REDIS_CONNECTION_HPP

// How the library's Redis clients (redis_store, redis_stream_queue) reach a
// Redis server, over hiredis 0.14 or 1.x: TCP or a unix socket, AUTH with a
// password or an ACL user and password (Redis 6+), SELECT of a database
// index, connect and command timeouts; and a small pool of connections.
//
// TLS: Debian 12's hiredis 0.14 has no TLS support at all. hiredis 1.x ships
// it as a separate library (hiredis_ssl); the CMake target lkwebhook::redis
// links it (and OpenSSL's libssl) and defines LKWEBHOOK_REDIS_TLS=1 where it
// is found, and only then does redis_endpoint::tls take effect. Asking for TLS
// in a build without it is a configuration error (check_redis_connection()
// says "no TLS support", and every connection attempt fails closed): never a
// silent plaintext fallback. With TLS (Debian 13: hiredis 1.2), the server's
// certificate chain is verified against tls.ca_file (or the system's CAs) and
// its name against the host or tls.server_name (redis_start_tls() says why
// hiredis's own context is not used). Tested on Debian 13 against a TLS-only
// redis-server 8.0 (Debian 13's) and 7.0 (Debian 12's) with a throwaway
// private CA (tests/durable/redis_tls.test.cpp): a trusted CA works end to
// end; another CA, a wrong name, TLS to a plaintext port, plaintext to a TLS
// port and a missing client certificate are all invalid_config from check(),
// never a plaintext session. The URL form: rediss://...?ssl_ca_certs=FILE
// (redis_endpoint_from_url()).

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

#include <cerrno>
#include <csignal>
#include <ctime>
#include <pthread.h>
#include <sys/time.h>

#include <hiredis/hiredis.h>
#if defined(LKWEBHOOK_REDIS_TLS) && LKWEBHOOK_REDIS_TLS
#include <hiredis/hiredis_ssl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
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
    tls_unavailable,  ///< TLS requested but not compiled in, the certificate not accepted, or the handshake failed
    closed_at_first_command,  ///< connected, then closed without a reply: TLS on the server only, or a client
                              ///< certificate it demands
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

#if defined(LKWEBHOOK_REDIS_TLS) && LKWEBHOOK_REDIS_TLS
struct ssl_ctx_deleter {
    void operator()(SSL_CTX* ctx) const noexcept { SSL_CTX_free(ctx); }
};
struct ssl_deleter {
    void operator()(SSL* ssl) const noexcept { SSL_free(ssl); }
};

// Starts TLS on the connected context `c`, or says why not in `why`.
//
// Not through hiredis's redisCreateSSLContext(): up to hiredis 1.4 it checks
// the certificate chain but never the name in the certificate, so any
// certificate a trusted CA issued (with the system store: any public
// certificate) would be taken for any host. The SSL object is built here
// (peer verification, TLS 1.2 or later, the host name or IP address matched
// against the certificate, SNI for names only) and handed to
// redisInitiateSSL(), which owns it once the handshake succeeded. OpenSSL
// 1.1 and later initialize themselves: no redisInitOpenSSL() call is needed.
inline bool redis_start_tls(redisContext* c, const redis_tls_options& tls, const std::string& host,
                            diagnosis* why) noexcept {
    const auto fail = [&](std::string_view text) {
        diagnose(why).append(text);
        return false;
    };
    const std::string& name = tls.server_name.empty() ? host : tls.server_name;
    if (name.empty()) return fail("Redis TLS: no host name to check the certificate against (tls.server_name)");
    if (tls.cert_file.empty() != tls.key_file.empty())
        return fail("Redis TLS: a client certificate needs its key, and a key its certificate");
    ERR_clear_error();
    const std::unique_ptr<SSL_CTX, ssl_ctx_deleter> ctx{SSL_CTX_new(TLS_client_method())};
    if (ctx == nullptr || SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION) != 1)
        return fail("Redis TLS: cannot create a TLS context");
    if (tls.ca_file.empty()) {
        if (SSL_CTX_set_default_verify_paths(ctx.get()) != 1)
            return fail("Redis TLS: cannot load the system's CA certificates");
    } else if (SSL_CTX_load_verify_locations(ctx.get(), tls.ca_file.c_str(), nullptr) != 1) {
        return fail("Redis TLS: cannot read the CA file (tls.ca_file)");
    }
    if (!tls.cert_file.empty() &&
        (SSL_CTX_use_certificate_chain_file(ctx.get(), tls.cert_file.c_str()) != 1 ||
         SSL_CTX_use_PrivateKey_file(ctx.get(), tls.key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
         SSL_CTX_check_private_key(ctx.get()) != 1))
        return fail("Redis TLS: cannot load the client certificate and its key (tls.cert_file, tls.key_file)");
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
    std::unique_ptr<SSL, ssl_deleter> ssl{SSL_new(ctx.get())};  // holds its own reference to ctx
    if (ssl == nullptr) return fail("Redis TLS: cannot create a TLS session");
    // An IP address is matched against the certificate's IP entries and sent
    // without SNI (RFC 6066 allows host names only); a name against its DNS entries.
    if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl.get()), name.c_str()) != 1) {
        SSL_set_hostflags(ssl.get(), X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        if (SSL_set1_host(ssl.get(), name.c_str()) != 1 || SSL_set_tlsext_host_name(ssl.get(), name.c_str()) != 1)
            return fail("Redis TLS: cannot set the server name to check");
    }
    int handshake = REDIS_ERR;
    {
        sigpipe_guard guard;
        handshake = redisInitiateSSL(c, ssl.get());
    }
    if (handshake == REDIS_OK) {
        (void)ssl.release();  // the context owns it now
        return true;
    }
    if (const long verified = SSL_get_verify_result(ssl.get()); verified != X509_V_OK) {
        diagnose(why)
                .append("Redis TLS: the server's certificate is not accepted (")
                .append(std::string_view{X509_verify_cert_error_string(verified)})
                .append(")");
    } else {
        // OpenSSL's reason, else hiredis's text (strerror(), or "(null)" from
        // hiredis 1.2 when OpenSSL queued none): no secret in either.
        diagnose(why).append("Redis TLS: handshake failed (is the server's port a TLS port?)");
        const unsigned long error = ERR_peek_last_error();
        const char* reason = error != 0 ? ERR_reason_error_string(error) : nullptr;
        const std::string_view hiredis_text{c->errstr};
        if (reason != nullptr) {
            diagnose(why).append(": ").append(std::string_view{reason});
        } else if (!hiredis_text.empty() && hiredis_text.find("(null)") == std::string_view::npos) {
            diagnose(why).append(": ").append(hiredis_text);
        }
    }
    ERR_clear_error();  // leave no stale error to the thread's next OpenSSL user
    return false;
}
#endif

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
    if (e.tls.enabled) {
#if defined(LKWEBHOOK_REDIS_TLS) && LKWEBHOOK_REDIS_TLS
        if (!e.unix_socket.empty())
            return fail(nullptr, redis_connect_failure::tls_unavailable,
                        "TLS to Redis over a unix socket: Redis serves TLS on its tls-port only");
#else
        return fail(nullptr, redis_connect_failure::tls_unavailable,
                    "TLS to Redis requested, but this build's hiredis has no TLS support (hiredis 0.14; TLS needs "
                    "hiredis 1.x with hiredis_ssl)");
#endif
    }
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
    if (e.tls.enabled && !redis_start_tls(c, e.tls, e.host, why))
        return fail(c, redis_connect_failure::tls_unavailable, "");
#endif
    // The first command on the new connection: a server that accepted the
    // connection and then closes it without any Redis reply (EOF, reset) is
    // not speaking plain Redis to us: a TLS-only port reached without TLS, or
    // (TLS 1.3) one that demands a client certificate. A configuration error,
    // unlike a timeout, which stays `unreachable`.
    bool first = true;
    const auto run = [&](int argc, const char** argv, const std::size_t* lens, redis_reply& reply) {
        sigpipe_guard guard;
        errno = 0;  // read below: never a stale value from an earlier call
        reply = redis_reply{static_cast<redisReply*>(redisCommandArgv(c, argc, argv, lens))};
        const int error_number = errno;
        const bool closed_by_server = reply == nullptr && first &&
                                      (c->err == REDIS_ERR_EOF || (c->err == REDIS_ERR_IO && error_number != EAGAIN &&
                                                                   error_number != EWOULDBLOCK &&
                                                                   error_number != ETIMEDOUT && error_number != EINTR));
        first = false;
        return closed_by_server;
    };
    const auto lost = [&](bool closed_by_server, std::string_view during) {
        if (closed_by_server)
            return fail(c, redis_connect_failure::closed_at_first_command,
                        e.tls.enabled ? "Redis closed the TLS connection at the first command (does it require a "
                                        "client certificate? tls.cert_file, tls.key_file)"
                                      : "Redis closed the connection at the first command without a reply (is it a "
                                        "TLS port? then use rediss:// or tls.enabled)");
        diagnose(why).append("Redis: connection lost during ").append(during);
        return fail(c, redis_connect_failure::unreachable, "");
    };
    redis_reply r;
    if (!e.password.empty()) {
        // AUTH [username] password: the ACL form when a user name is configured.
        const bool with_user = !e.username.empty();
        const char* argv[] = {"AUTH", with_user ? e.username.c_str() : e.password.c_str(), e.password.c_str()};
        const std::size_t lens[] = {4, with_user ? e.username.size() : e.password.size(), e.password.size()};
        const bool closed = run(with_user ? 3 : 2, argv, lens, r);
        if (r == nullptr) return lost(closed, "AUTH");
        if (r->type == REDIS_REPLY_ERROR)
            return fail(c, redis_connect_failure::rejected_auth,
                        with_user ? "Redis rejected AUTH for the configured user (wrong user name or password)"
                                  : "Redis rejected AUTH (wrong password, or the server needs an ACL user name)");
    }
    if (e.database != 0) {
        const std::string index = std::to_string(e.database);
        const char* argv[] = {"SELECT", index.c_str()};
        const std::size_t lens[] = {6, index.size()};
        const bool closed = run(2, argv, lens, r);
        if (r == nullptr) return lost(closed, "SELECT");
        if (r->type == REDIS_REPLY_ERROR)
            return fail(c, redis_connect_failure::rejected_select, "Redis rejected SELECT");
    }
    // Without credentials, a server with requirepass answers NOAUTH to everything: say so now.
    const char* ping[] = {"PING"};
    const std::size_t ping_len[] = {4};
    const bool closed = run(1, ping, ping_len, r);
    if (r == nullptr) return lost(closed, "PING");
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
/// and query parameters, named as redis-py names them: db=N, and for rediss://
/// ssl_ca_certs=FILE (tls.ca_file: a private CA), ssl_certfile=FILE and
/// ssl_keyfile=FILE (tls.cert_file, tls.key_file: a client certificate), e.g.
///   rediss://app:PASSWORD@redis.internal:6380/0?ssl_ca_certs=/etc/redis/ca.pem
/// Percent-escapes in the user, the password and parameter values are
/// decoded ('@', '?' and '&' in them must be escaped). invalid_config (with
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
    std::string_view query;
    if (const auto mark = rest.find('?'); mark != std::string_view::npos) {
        query = rest.substr(mark + 1);
        rest = rest.substr(0, mark);
    }
    const auto parse_database = [&](std::string_view digits) {
        int db = 0;
        for (const char c : digits) {
            if (c < '0' || c > '9' || db > 100000) return false;
            db = db * 10 + (c - '0');
        }
        e.database = db;
        return true;
    };
    if (unix_socket) {
        e.unix_socket = std::string{rest};
        if (e.unix_socket.empty() || e.unix_socket.front() != '/') return fail("unix:// needs an absolute socket path");
        rest = {};
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
    if (!rest.empty() && !parse_database(rest)) return fail("bad database index in the Redis URL");
    std::string value;
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view parameter = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        const auto equals = parameter.find('=');
        if (equals == std::string_view::npos) return fail("a Redis URL query parameter is name=value");
        const std::string_view name = parameter.substr(0, equals);
        if (!decode(parameter.substr(equals + 1), value) || value.empty())
            return fail("bad value of a Redis URL query parameter");
        if (name == "db") {
            if (!parse_database(value)) return fail("bad database index in the Redis URL");
        } else if (name == "ssl_ca_certs" || name == "ssl_certfile" || name == "ssl_keyfile") {
            if (!e.tls.enabled) return fail("the Redis URL's ssl_* parameters need a rediss:// URL");
            std::string& file = name == "ssl_ca_certs"   ? e.tls.ca_file
                                : name == "ssl_certfile" ? e.tls.cert_file
                                                         : e.tls.key_file;
            file = value;
        } else {
            return fail("unknown Redis URL query parameter (known: db, ssl_ca_certs, ssl_certfile, ssl_keyfile)");
        }
    }
    return e;
}

/// Connects once and reports what is wrong, for configuration time: ok when
/// Redis answers; invalid_config when it refuses the credentials or the
/// database index, when TLS is requested in a build without it, when the
/// server's certificate is not accepted or the TLS handshake fails, or when
/// the server closes the connection at the first command without a reply
/// (plaintext to a TLS port; a client certificate it demands); overloaded
/// when it cannot be reached or times out (a transient condition). `why`
/// never contains the password.
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
