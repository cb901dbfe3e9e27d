// A test-owned webhook endpoint with a script: it answers the n-th POST with the n-th scripted
// status (the last one again once the script is used up) and keeps every request it got, so a
// test can watch `lkwebhook send` retry exactly as LiveKit does without a hook in the example
// servers (send_retry_test.sh).
//
//   lkwebhook_test_scripted_endpoint RECORD_DIR STATUS[:RETRY_AFTER]...
//
// e.g. `503:1 503:1 200`: 503 with Retry-After: 1 twice, then 200. It listens on a free
// loopback port and prints `listening on http://127.0.0.1:PORT/voice/livekit/webhooks`, then
// one `request N: POST PATH -> STATUS` line per request. Request N (from 1) is kept as
// RECORD_DIR/request-N.body (the bytes as received) and RECORD_DIR/request-N.authorization
// (the Authorization value, without a newline). Stops on SIGINT/SIGTERM and exits 0.

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <httplib.h>

#include <charconv>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

struct scripted_answer {
    int status = 200;
    std::string retry_after;  // empty: no Retry-After header
};

bool parse_answer(std::string_view text, scripted_answer& out) {
    const auto colon = text.find(':');
    const std::string_view status = text.substr(0, colon);
    const auto [end, error] = std::from_chars(status.data(), status.data() + status.size(), out.status);
    if (error != std::errc{} || end != status.data() + status.size() || out.status < 100 || out.status > 599)
        return false;
    if (colon != std::string_view::npos) out.retry_after = std::string(text.substr(colon + 1));
    return colon == std::string_view::npos || !out.retry_after.empty();
}

bool write_file(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
    return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::cerr << "usage: lkwebhook_test_scripted_endpoint RECORD_DIR STATUS[:RETRY_AFTER]...\n";
        return 2;
    }
    const std::string record_dir = argv[1];
    std::vector<scripted_answer> script;
    for (int i = 2; i < argc; ++i) {
        scripted_answer answer;
        if (!parse_answer(argv[i], answer)) {
            std::cerr << "scripted endpoint: bad answer " << argv[i] << " (STATUS or STATUS:RETRY_AFTER)\n";
            return 2;
        }
        script.push_back(answer);
    }

    // SIGINT/SIGTERM are taken by one thread, which stops the server outside any handler.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    std::mutex mutex;
    std::size_t requests = 0;
    bool recorded = true;
    httplib::Server server;
    server.Post("/voice/livekit/webhooks", [&](const httplib::Request& req, httplib::Response& res) {
        std::lock_guard lock(mutex);
        const std::size_t n = ++requests;
        const scripted_answer& answer = script[n <= script.size() ? n - 1 : script.size() - 1];
        const std::string stem = record_dir + "/request-" + std::to_string(n);
        recorded = write_file(stem + ".body", req.body) && recorded;
        recorded = write_file(stem + ".authorization", req.get_header_value("Authorization")) && recorded;
        res.status = answer.status;
        if (!answer.retry_after.empty()) res.set_header("Retry-After", answer.retry_after);
        res.set_content("scripted\n", "text/plain");
        std::cout << "request " << n << ": " << req.method << ' ' << req.path << " -> " << answer.status << std::endl;
    });

    const int port = server.bind_to_any_port("127.0.0.1");
    if (port <= 0) {
        std::cerr << "scripted endpoint: cannot listen on 127.0.0.1\n";
        return 1;
    }
    std::cout << "listening on http://127.0.0.1:" << port << "/voice/livekit/webhooks" << std::endl;

    std::thread watcher([&server, &stop_signals] {
        int received = 0;
        sigwait(&stop_signals, &received);
        server.stop();
    });
    const bool listened = server.listen_after_bind();
    if (!listened) ::kill(::getpid(), SIGTERM);  // wakes the watcher (the signal is pending for the process)
    watcher.join();
    if (!recorded) {
        std::cerr << "scripted endpoint: could not write a request under " << record_dir << "\n";
        return 1;
    }
    return listened ? 0 : 1;
}
