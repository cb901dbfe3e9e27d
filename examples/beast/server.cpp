// A LiveKit webhook receiver on Boost.Beast (asynchronous), with fast acknowledgement.
//
//   LIVEKIT_API_KEY=... LIVEKIT_API_SECRET=... lkwebhook-beast-server [options]
//
// The same endpoints and command line as the cpp-httplib example (examples/httplib), built the
// other way round: one asio io_context, asynchronous reads and writes, and
// lkwebhook::async_dispatcher. A request is verified on the I/O thread (forged requests get
// their 401 at once), the decoded event is queued, and the answer is 200 right away; worker
// threads hand queued events to the correlator, in order per room. A full queue answers 503 +
// Retry-After, so LiveKit retries instead of losing the event. On SIGINT/SIGTERM the server
// stops accepting, lets responses in flight finish, and the dispatcher drains every event it
// already acknowledged before the process exits.
//
// Input bounds: Beast's parser limits (header block 8 KiB -> 431; body --max-body-bytes ->
// 413, enforced from Content-Length and while reading chunked bodies); compressed bodies 415.
//
// HTTPS: with --cert and --key the server speaks TLS only (Beast's OpenSSL stream, TLS 1.2 and
// later), which is what LiveKit expects of a public webhook URL; the bounds and answers are
// the same. Without them it speaks plain HTTP (behind a TLS terminator, or on loopback).

#include <signal.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <lkwebhook/async_dispatcher.hpp>
#include <lkwebhook/idempotency.hpp>
#include <lkwebhook/keys.hpp>
#include <lkwebhook/metrics.hpp>

#include "common/call_registry.hpp"
#include "common/server_options.hpp"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

constexpr std::string_view program = "lkwebhook-beast-server";

constexpr std::string_view description =
        "Receives LiveKit webhooks on POST PATH with Boost.Beast; verifies on the I/O thread,\n"
        "acknowledges at once and dispatches from worker threads (lkwebhook::async_dispatcher).\n";

constexpr std::string_view own_options_usage =
        "  --cert FILE           serve HTTPS with this PEM certificate chain (needs --key)\n"
        "  --key FILE            the PEM private key of --cert\n"
        "  --threads N           I/O threads (default 1)\n"
        "  --workers N           dispatcher worker threads (default 2)\n"
        "  --queue N             dispatcher queue capacity (default 10000); full -> 503 + Retry-After\n";

// The common options (examples/common/server_options.hpp) and this server's own.
struct server_options : examples::common_server_options {
    std::optional<std::string> cert_file;
    std::optional<std::string> key_file;
    int threads = 1;
    std::size_t workers = 2;
    std::size_t queue = 10000;
};

using key_provider = lkwebhook::key_set;
using dispatcher_type = lkwebhook::async_dispatcher<key_provider, examples::call_registry, lkwebhook::memory_store>;

// What every connection needs to answer a request.
struct app {
    server_options options;
    dispatcher_type& dispatcher;
    lkwebhook::metrics& metrics;
    examples::call_registry& registry;
    examples::line_log& log;
    std::atomic<bool> stopping{false};
};

using request = http::request<http::string_body>;
using response = http::response<http::string_body>;

response make_response(const request& req, http::status status, std::string body) {
    response res{status, req.version()};
    res.set(http::field::content_type, "text/plain");
    res.keep_alive(req.keep_alive());
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

response handle_webhook(app& a, const request& req) {
    if (const auto encoding = req[http::field::content_encoding]; !encoding.empty() && encoding != "identity")
        return make_response(req, http::status::unsupported_media_type, "unsupported content encoding\n");

    // Several Authorization fields are folded as HTTP does (RFC 9110); the comma then makes
    // the value malformed instead of one of them being picked silently.
    std::string authorization;
    for (auto range = req.equal_range(http::field::authorization); range.first != range.second; ++range.first) {
        if (!authorization.empty()) authorization.append(", ");
        authorization.append(range.first->value().data(), range.first->value().size());
    }
    // req.body() holds the raw bytes as received: Beast's string_body does not transform them.
    const lkwebhook::outcome o = a.dispatcher.submit(req.body(), authorization);

    response res = make_response(req, static_cast<http::status>(o.status),
                                 o.acknowledged() ? "ok\n" : (o.status == 401 ? "unauthorized\n" : "rejected\n"));
    if (o.retry_after) res.set(http::field::retry_after, std::to_string(o.retry_after->count()));
    if (!a.options.quiet) a.log.line(examples::describe_outcome(o, "queued for the workers"));
    return res;
}

response handle(app& a, const request& req) {
    const std::string_view target(req.target().data(), req.target().size());
    const std::string_view path = target.substr(0, target.find('?'));
    if (path == a.options.path) {
        if (req.method() != http::verb::post) {
            response res = make_response(req, http::status::method_not_allowed, "method not allowed\n");
            res.set(http::field::allow, "POST");
            return res;
        }
        return handle_webhook(a, req);
    }
    if (req.method() == http::verb::get && path == "/healthz") return make_response(req, http::status::ok, "ok\n");
    if (req.method() == http::verb::get && path == "/metrics") {
        response res = make_response(req, http::status::ok, lkwebhook::to_prometheus(a.metrics));
        res.set(http::field::content_type, "text/plain; version=0.0.4");
        return res;
    }
    if (req.method() == http::verb::get && path == "/sessions")
        return make_response(req, http::status::ok, a.registry.sessions_text());
    if (req.method() == http::verb::get && path == "/events")
        return make_response(req, http::status::ok, a.registry.events_text());
    return make_response(req, http::status::not_found, "not found\n");
}

// One connection: (TLS handshake,) read a request (bounded), answer, repeat while keep-alive.
template <bool Tls>
class session : public std::enable_shared_from_this<session<Tls>> {
public:
    using stream_type = std::conditional_t<Tls, beast::ssl_stream<beast::tcp_stream>, beast::tcp_stream>;

    session(tcp::socket socket, app& a, ssl::context& context) requires Tls : stream_(std::move(socket), context),
                                                                              app_(a) {}
    session(tcp::socket socket, app& a) requires(!Tls) : stream_(std::move(socket)), app_(a) {}

    void start() {
        asio::dispatch(stream_.get_executor(), beast::bind_front_handler(&session::begin, this->shared_from_this()));
    }

private:
    beast::tcp_stream& tcp_layer() { return beast::get_lowest_layer(stream_); }

    void begin() {
        if constexpr (Tls) {
            tcp_layer().expires_after(std::chrono::seconds(5));
            stream_.async_handshake(ssl::stream_base::server,
                                    beast::bind_front_handler(&session::on_handshake, this->shared_from_this()));
        } else {
            read();
        }
    }

    void on_handshake(beast::error_code ec) {
        if (ec) {
            // A client that does not trust our certificate aborts here (alert "unknown ca").
            if (!app_.options.quiet) app_.log.line("[tls] handshake failed: " + ec.message());
            return;
        }
        read();
    }

    void read() {
        parser_.emplace();
        parser_->header_limit(8 * 1024);
        parser_->body_limit(app_.options.max_body_bytes);
        tcp_layer().expires_after(std::chrono::seconds(5));
        http::async_read(stream_, buffer_, *parser_,
                         beast::bind_front_handler(&session::on_read, this->shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t) {
        if (ec == http::error::end_of_stream) return close();
        if (ec == http::error::body_limit || ec == http::error::header_limit) {
            // Answer and close: the rest of the oversized request is never read.
            request head;
            head.version(11);
            head.keep_alive(false);
            const bool body = ec == http::error::body_limit;
            if (!app_.options.quiet)
                app_.log.line(body ? "[webhook] 413 body_too_large: refused while reading, before verification"
                                   : "[http] 431 header block over 8 KiB");
            return write(make_response(
                    head, body ? http::status::payload_too_large : http::status::request_header_fields_too_large,
                    body ? "payload too large\n" : "request header fields too large\n"));
        }
        if (ec) return close();
        request req = parser_->release();
        response res = handle(app_, req);
        if (app_.stopping.load()) res.keep_alive(false);
        write(std::move(res));
    }

    void write(response res) {
        res_ = std::make_shared<response>(std::move(res));
        tcp_layer().expires_after(std::chrono::seconds(5));
        http::async_write(stream_, *res_, beast::bind_front_handler(&session::on_write, this->shared_from_this()));
    }

    void on_write(beast::error_code ec, std::size_t) {
        if (ec || !res_->keep_alive()) return close();
        res_.reset();
        read();
    }

    void close() {
        if constexpr (Tls) {
            // close_notify, then the socket closes with the session.
            tcp_layer().expires_after(std::chrono::seconds(5));
            stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {});
        } else {
            beast::error_code ignored;
            stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
        }
    }

    stream_type stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::shared_ptr<response> res_;
    app& app_;
};

class listener : public std::enable_shared_from_this<listener> {
public:
    listener(asio::io_context& ioc, tcp::acceptor acceptor, app& a, ssl::context* tls)
        : ioc_(ioc), acceptor_(std::move(acceptor)), app_(a), tls_(tls) {}

    void accept() {
        acceptor_.async_accept(asio::make_strand(ioc_),
                               beast::bind_front_handler(&listener::on_accept, shared_from_this()));
    }
    void stop() {
        beast::error_code ignored;
        acceptor_.close(ignored);
    }

private:
    void on_accept(beast::error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
        if (!ec) {
            beast::error_code ignored;
            socket.set_option(tcp::no_delay(true), ignored);  // answers are small: do not let Nagle hold them
            if (tls_ != nullptr) {
                std::make_shared<session<true>>(std::move(socket), app_, *tls_)->start();
            } else {
                std::make_shared<session<false>>(std::move(socket), app_)->start();
            }
        }
        accept();
    }

    asio::io_context& ioc_;
    tcp::acceptor acceptor_;
    app& app_;
    ssl::context* tls_;  // null: plain HTTP
};

// The server's TLS context: TLS 1.2 and later only, the certificate chain and key from PEM files.
bool load_tls(ssl::context& context, const std::string& cert_file, const std::string& key_file, std::string& why) {
    beast::error_code ec;
    context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                                ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use,
                        ec);
    if (!ec) context.use_certificate_chain_file(cert_file, ec);
    if (ec) {
        why = "cannot use --cert " + cert_file + ": " + ec.message();
        return false;
    }
    context.use_private_key_file(key_file, ssl::context::pem, ec);
    if (ec) {
        why = "cannot use --key " + key_file + ": " + ec.message();
        return false;
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    server_options opt;
    const examples::value_option own_options[] = {
            {"--cert", examples::store_text(opt.cert_file)},
            {"--key", examples::store_text(opt.key_file)},
            {"--threads", examples::store_number(opt.threads, 1, 256), "--threads needs 1..256"},
            {"--workers", examples::store_number(opt.workers, 1, 256), "--workers needs 1..256"},
            {"--queue", examples::store_number(opt.queue, 1, std::numeric_limits<std::size_t>::max()),
             "--queue needs a positive count"},
    };
    const std::string usage = examples::server_usage(program, description, own_options_usage);
    if (const auto exit_status = examples::parse_server_command_line(argc, argv, program, usage, opt, own_options))
        return *exit_status;

    if (opt.cert_file.has_value() != opt.key_file.has_value()) {
        std::cerr << "lkwebhook-beast-server: --cert and --key go together\n" << usage;
        return 2;
    }
    ssl::context tls_context{ssl::context::tls_server};
    if (opt.cert_file) {
        std::string tls_why;
        if (!load_tls(tls_context, *opt.cert_file, *opt.key_file, tls_why)) {
            std::cerr << "lkwebhook-beast-server: " << tls_why << "\n";
            return 2;
        }
    }

    lkwebhook::diagnosis why;
    auto keys = examples::load_keys(opt, &why);
    if (!keys) {
        std::cerr << "lkwebhook-beast-server: no usable API keys: " << why.view() << "\n";
        return 2;
    }

    examples::line_log log;
    examples::call_registry registry(log, !opt.quiet);
    lkwebhook::metrics metrics;
    lkwebhook::memory_store store;

    lkwebhook::async_options async;
    async.workers = opt.workers;
    async.queue_capacity = opt.queue;
    async.dispatch.metrics = &metrics;
    async.dispatch.verify.leeway = std::chrono::seconds(opt.leeway_seconds);
    async.dispatch.verify.max_body_bytes = opt.max_body_bytes;
    // Once an event was answered 200 LiveKit never sends it again, so an event the correlator
    // keeps failing on must not vanish: it is logged here (a real service would persist it).
    async.dead_letter = [&log](const lkwebhook::webhook_event& ev, std::error_code error) {
        log.line("[dead-letter] " + ev.event + " " + ev.id + ": " + error.message());
    };
    if (auto valid = lkwebhook::validate(async, &why); !valid) {
        std::cerr << "lkwebhook-beast-server: " << why.view() << "\n";
        return 2;
    }
    dispatcher_type dispatcher(*keys, registry, store, async);

    asio::io_context ioc{opt.threads};
    beast::error_code ec;
    const auto address = asio::ip::make_address(opt.bind, ec);
    if (ec) {
        std::cerr << "lkwebhook-beast-server: bad --bind address " << opt.bind << "\n";
        return 2;
    }
    tcp::acceptor acceptor(ioc);
    const tcp::endpoint endpoint(address, opt.port);
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        std::cerr << "lkwebhook-beast-server: cannot listen on " << opt.bind << ":" << opt.port << ": " << ec.message()
                  << "\n";
        return 1;
    }
    const unsigned short port = acceptor.local_endpoint().port();

    app a{opt, dispatcher, metrics, registry, log};
    auto l = std::make_shared<listener>(ioc, std::move(acceptor), a, opt.cert_file ? &tls_context : nullptr);
    l->accept();

    // SIGINT/SIGTERM: stop accepting; give responses in flight a moment, then stop the loop.
    asio::signal_set signals(ioc, SIGINT, SIGTERM);
    asio::steady_timer grace(ioc);
    signals.async_wait([&](beast::error_code, int sig) {
        log.line(std::string("[server] ") + (sig == SIGINT ? "SIGINT" : "SIGTERM") +
                 ": finishing responses in flight, then draining the dispatch queue");
        a.stopping.store(true);
        l->stop();
        grace.expires_after(std::chrono::milliseconds(500));
        grace.async_wait([&ioc](beast::error_code) { ioc.stop(); });
    });
    ::signal(SIGPIPE, SIG_IGN);

    const std::string host = opt.bind.find(':') != std::string::npos ? "[" + opt.bind + "]" : opt.bind;
    log.line(std::string("listening on ") + (opt.cert_file ? "https://" : "http://") + host + ":" +
             std::to_string(port) + opt.path);

    std::vector<std::thread> io_threads;
    for (int i = 1; i < opt.threads; ++i) io_threads.emplace_back([&ioc] { ioc.run(); });
    ioc.run();
    for (auto& t : io_threads) t.join();

    dispatcher.shutdown();  // every event answered 200 is handed to the correlator before exit
    log.line("stopped");
    return 0;
}
