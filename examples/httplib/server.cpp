// A LiveKit webhook receiver on cpp-httplib: the whole integration a voice backend needs.
//
//   LIVEKIT_API_KEY=... LIVEKIT_API_SECRET=... lkwebhook-httplib-server [options]
//
// - POST /voice/livekit/webhooks: the raw body (cpp-httplib hands it over unparsed) and the
//   Authorization value go to lkwebhook::verify_and_dispatch; the answer is the status it
//   returns (+ Retry-After when it gives one) with a generic body. Events reach `call_registry`,
//   the application's view of its calls, built on the library's session ledger.
// - GET /metrics: Prometheus text. GET /healthz: "ok". GET /sessions: the ledger, as text.
//   GET /events: the events the call registry handled, oldest first (did a webhook arrive?).
// - Bounded input: bodies over --max-body-bytes get 413 before they are read (cpp-httplib's
//   payload max length); chunked bodies (LiveKit always sends Content-Length) get 411, since
//   cpp-httplib 0.11 does not bound them; compressed bodies 415 (LiveKit never compresses and
//   the library must see the signed bytes); header blocks over 16 KiB 431. cpp-httplib itself
//   caps each header line at 8 KiB and the URI at 8 KiB.
// - SIGINT/SIGTERM: stop accepting, finish the requests in progress, print "stopped", exit 0.
// - --redis URL / --nats URL (where built with lkwebhook::redis / lkwebhook::nats): durable
//   acceptance instead: 200 only once the event is stored in Redis Streams or JetStream; worker
//   threads (of this or any other instance on the same queue) handle it (README: "Scaling out
//   without losing events"). Redis is then also the idempotency store shared by the instances.
//
// See `--help` for the options. Log lines go to standard output, one per line: `listening on
// URL` once ready, `[webhook] STATUS OUTCOME: ...` per webhook request, `[ledger]`/`[summary]`
// as calls change, and `stopped` at exit (examples/common/call_registry.hpp writes them; the
// Beast example writes the same).

#include <pthread.h>
#include <signal.h>

#include <httplib.h>

#include <lkwebhook/dispatch.hpp>
#include <lkwebhook/idempotency.hpp>
#include <lkwebhook/keys.hpp>
#include <lkwebhook/metrics.hpp>

#include "common/call_registry.hpp"
#include "common/queue_urls.hpp"
#include "common/server_options.hpp"

#if LKWEBHOOK_EXAMPLE_WITH_REDIS
#include <lkwebhook/durable_dispatcher.hpp>
#include <lkwebhook/redis_store.hpp>
#include <lkwebhook/redis_stream_queue.hpp>
#endif
#if LKWEBHOOK_EXAMPLE_WITH_NATS
#include <lkwebhook/jetstream_queue.hpp>
#endif

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <type_traits>

namespace {

constexpr std::string_view program = "lkwebhook-httplib-server";

constexpr std::string_view description =
        "Receives LiveKit webhooks on POST PATH, verifies and dispatches them with lkwebhook.\n";

constexpr std::string_view own_options_usage =
        "  --threads N           request threads (default 8); cpp-httplib holds one per open\n"
        "                        keep-alive connection, so this also bounds concurrent connections\n"
        "  --redis URL           durable acceptance over Redis Streams (redis://[user:password@]host[:port][/db],\n"
        "                        unix:///path.sock[?db=N], rediss://... for TLS: ?ssl_ca_certs=FILE for a private\n"
        "                        CA, &ssl_certfile=FILE&ssl_keyfile=FILE for a client certificate); the password\n"
        "                        may come from LKWEBHOOK_REDIS_PASSWORD instead\n"
        "  --nats URL            durable acceptance over NATS JetStream (nats://host:port); Redis (--redis, or\n"
        "                        redis://127.0.0.1:6379) stays the shared idempotency store\n"
        "  --workers N           consumer threads of the durable queue (default 4; 0: accept only)\n";

// The common options (examples/common/server_options.hpp) and this server's own.
struct server_options : examples::common_server_options {
    std::size_t threads = 8;
    std::optional<std::string> redis_url;
    std::optional<std::string> nats_url;
    std::size_t workers = 4;
};

std::atomic<bool> stop_requested{false};

}  // namespace

int main(int argc, char** argv) {
    server_options opt;
    const examples::value_option own_options[] = {
            {"--threads", examples::store_number(opt.threads, 1, 1024), "--threads needs 1..1024"},
            {"--redis", examples::store_text(opt.redis_url)},
            {"--nats", examples::store_text(opt.nats_url)},
            {"--workers", examples::store_number(opt.workers, 0, 1024), "--workers needs a count"},
    };
    const std::string usage = examples::server_usage(program, description, own_options_usage);
    if (const auto exit_status = examples::parse_server_command_line(argc, argv, program, usage, opt, own_options))
        return *exit_status;

    lkwebhook::diagnosis why;
    auto keys = examples::load_keys(opt, &why);
    if (!keys) {
        std::cerr << "lkwebhook-httplib-server: no usable API keys: " << why.view() << "\n";
        return 2;
    }

    lkwebhook::dispatch_options dispatch;
    dispatch.verify.leeway = std::chrono::seconds(opt.leeway_seconds);
    dispatch.verify.max_body_bytes = opt.max_body_bytes;
    if (auto valid = lkwebhook::validate(dispatch, &why); !valid) {
        std::cerr << "lkwebhook-httplib-server: " << why.view() << "\n";
        return 2;
    }
    lkwebhook::metrics metrics;
    dispatch.metrics = &metrics;
    lkwebhook::memory_store store;  // dedupes LiveKit's retries (same event id) for 20 minutes

    examples::line_log log;
    examples::call_registry registry(log, !opt.quiet);

    // How a verified request is accepted: handled now (verify_and_dispatch), or stored durably
    // and handled by the queue's workers (--redis / --nats).
    std::function<lkwebhook::outcome(std::string_view, std::string_view)> accept = [&](std::string_view body,
                                                                                       std::string_view authorization) {
        return lkwebhook::verify_and_dispatch(body, authorization, *keys, registry, store, dispatch);
    };
    std::shared_ptr<void> durable;  // the queue, the shared store and the dispatcher, when durable
    if (opt.redis_url || opt.nats_url) {
#if LKWEBHOOK_EXAMPLE_WITH_REDIS
        auto endpoint =
                examples::redis_endpoint_from_command_line(opt.redis_url.value_or("redis://127.0.0.1:6379"), &why);
        if (!endpoint) {
            std::cerr << "lkwebhook-httplib-server: --redis: " << why.view() << "\n";
            return 2;
        }
        lkwebhook::redis_store_options store_options;
        store_options.endpoint = *endpoint;
        auto shared_store = std::make_shared<lkwebhook::redis_store>(store_options);
        if (auto checked = shared_store->check(&why); !checked && checked.error() == lkwebhook::errc::invalid_config) {
            std::cerr << "lkwebhook-httplib-server: Redis: " << why.view() << "\n";  // never the password
            return 2;
        }
        lkwebhook::durable_options durable_options;
        durable_options.workers = opt.workers;
        durable_options.dispatch = dispatch;
        const auto start = [&](auto queue) {
            using queue_type = typename decltype(queue)::element_type;
            using dispatcher_type =
                    lkwebhook::durable_dispatcher<std::decay_t<decltype(*keys)>, examples::call_registry, queue_type,
                                                  lkwebhook::redis_store>;
            auto dispatcher =
                    std::make_shared<dispatcher_type>(*keys, registry, *queue, *shared_store, durable_options);
            accept = [dispatcher](std::string_view body, std::string_view authorization) {
                return dispatcher->submit(body, authorization);
            };
            // Destroyed in reverse: the dispatcher (joins its workers) before the queue and the store.
            durable = std::make_shared<std::tuple<std::shared_ptr<lkwebhook::redis_store>, decltype(queue),
                                                  std::shared_ptr<dispatcher_type>>>(shared_store, queue, dispatcher);
        };
        if (opt.nats_url) {
#if LKWEBHOOK_EXAMPLE_WITH_NATS
            lkwebhook::jetstream_options nats;
            nats.url = *opt.nats_url;  // nats://user:password@host:port works as libnats reads it
            auto queue = std::make_shared<lkwebhook::jetstream_queue>(nats);
            why.clear();
            if (auto checked = queue->check(&why); !checked && checked.error() == lkwebhook::errc::invalid_config) {
                std::cerr << "lkwebhook-httplib-server: NATS: " << why.view() << "\n";  // never the password
                return 2;
            }
            start(queue);
            log.line("durable acceptance: NATS JetStream at " + examples::url_without_credentials(*opt.nats_url));
#else
            std::cerr << "lkwebhook-httplib-server: --nats: built without libnats (lkwebhook::nats)\n";
            return 2;
#endif
        } else {
            lkwebhook::redis_stream_options queue_options;
            queue_options.endpoint = *endpoint;
            start(std::make_shared<lkwebhook::redis_stream_queue>(queue_options));
            log.line("durable acceptance: Redis Streams at " + endpoint->host);
        }
#else
        std::cerr << "lkwebhook-httplib-server: --redis/--nats: built without hiredis (lkwebhook::redis)\n";
        return 2;
#endif
    }

    // SIGINT/SIGTERM are blocked in every thread and taken by one watcher thread, which stops
    // the server from outside any handler (httplib's stop() is not async-signal-safe).
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    ::signal(SIGPIPE, SIG_IGN);

    httplib::Server server;
    const std::size_t threads = opt.threads;
    server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    server.set_payload_max_length(opt.max_body_bytes);  // larger Content-Length: 413, body skipped unread
    server.set_read_timeout(5, 0);
    server.set_write_timeout(5, 0);
    server.set_keep_alive_timeout(5);
    server.set_keep_alive_max_count(100);
    // Headers and body go out in separate writes: without TCP_NODELAY, Nagle's algorithm and the
    // client's delayed ACK add ~40 ms to every answer (found by tests/load).
    server.set_tcp_nodelay(true);

    // Checks that need only the headers, before cpp-httplib reads a body.
    const std::string webhook_path = opt.path;
    server.set_pre_routing_handler([&webhook_path](const httplib::Request& req, httplib::Response& res) {
        if (req.path != webhook_path) return httplib::Server::HandlerResponse::Unhandled;
        std::size_t header_bytes = 0;
        for (const auto& [name, value] : req.headers) header_bytes += name.size() + value.size() + 4;
        if (header_bytes > 16 * 1024) {
            res.status = 431;
            res.set_content("request header fields too large\n", "text/plain");
            return httplib::Server::HandlerResponse::Handled;
        }
        if (req.has_header("Transfer-Encoding")) {
            res.status = 411;  // LiveKit sends Content-Length; chunked bodies would not be size-bounded here
            res.set_content("length required\n", "text/plain");
            return httplib::Server::HandlerResponse::Handled;
        }
        if (const auto encoding = req.get_header_value("Content-Encoding");
            !encoding.empty() && encoding != "identity") {
            res.status = 415;  // the signature covers the bytes as sent; never inflate them first
            res.set_content("unsupported content encoding\n", "text/plain");
            return httplib::Server::HandlerResponse::Handled;
        }
        return httplib::Server::HandlerResponse::Unhandled;
    });

    const bool verbose = !opt.quiet;
    server.Post(opt.path, [&](const httplib::Request& req, httplib::Response& res) {
        // Two Authorization headers are folded as HTTP would (RFC 9110), which makes the value
        // malformed (a comma is not a token character) instead of silently picking one.
        // req.headers is a case-insensitive multimap in every cpp-httplib release (ordered in 0.11,
        // Debian 12; unordered in 0.18, Debian 13), so equal_range works with both, unlike
        // get_header_value(key, n), whose second parameter became a default value in 0.18. The
        // order of the folded values is irrelevant: any second value makes the result malformed.
        std::string authorization;
        const auto [first_authorization, end_authorization] = req.headers.equal_range("Authorization");
        for (auto it = first_authorization; it != end_authorization; ++it) {
            if (it != first_authorization) authorization.append(", ");
            authorization.append(it->second);
        }

        // req.body is the raw request body: cpp-httplib does not parse or re-encode it.
        const lkwebhook::outcome o = accept(req.body, authorization);

        res.status = o.status;
        if (o.retry_after) res.set_header("Retry-After", std::to_string(o.retry_after->count()));
        // Generic bodies only: the specific reason is for our logs, not for whoever sent it (L5).
        res.set_content(o.acknowledged() ? "ok\n" : (o.status == 401 ? "unauthorized\n" : "rejected\n"), "text/plain");

        if (verbose) log.line(examples::describe_outcome(o));
    });

    server.Get("/healthz",
               [](const httplib::Request&, httplib::Response& res) { res.set_content("ok\n", "text/plain"); });
    server.Get("/metrics", [&metrics](const httplib::Request&, httplib::Response& res) {
        res.set_content(lkwebhook::to_prometheus(metrics), "text/plain; version=0.0.4");
    });
    server.Get("/sessions", [&registry](const httplib::Request&, httplib::Response& res) {
        res.set_content(registry.sessions_text(), "text/plain");
    });
    server.Get("/events", [&registry](const httplib::Request&, httplib::Response& res) {
        res.set_content(registry.events_text(), "text/plain");
    });

    int port = opt.port;
    if (port == 0) {
        port = server.bind_to_any_port(opt.bind);
    } else if (!server.bind_to_port(opt.bind, port)) {
        port = -1;
    }
    if (port <= 0) {
        std::cerr << "lkwebhook-httplib-server: cannot listen on " << opt.bind << ":" << opt.port << "\n";
        return 1;
    }
    const std::string host = opt.bind.find(':') != std::string::npos ? "[" + opt.bind + "]" : opt.bind;
    log.line("listening on http://" + host + ":" + std::to_string(port) + opt.path);

    std::thread watcher([&server, &stop_signals, &log] {
        const timespec tick{0, 200 * 1000 * 1000};
        while (!stop_requested.load()) {
            const int sig = sigtimedwait(&stop_signals, nullptr, &tick);
            if (sig == SIGINT || sig == SIGTERM) {
                log.line(std::string("[server] ") + (sig == SIGINT ? "SIGINT" : "SIGTERM") +
                         ": finishing requests in progress");
                break;
            }
        }
        server.stop();
    });

    const bool listened = server.listen_after_bind();
    stop_requested.store(true);
    watcher.join();
    log.line(std::string(listened ? "stopped" : "stopped after an error"));
    return listened ? 0 : 1;
}
