#ifndef LKWEBHOOK_TESTS_DURABLE_NATS_SERVER_HPP
#define LKWEBHOOK_TESTS_DURABLE_NATS_SERVER_HPP

// Test fixture: a private nats-server with JetStream (-js, file store in a
// temporary directory) on a free loopback port. start() / stop() / restart()
// (same port, same store: what JetStream stored survives).

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "redis/redis_server.hpp"  // free_loopback_port()
#include "support/server_process.hpp"

#ifndef LKWEBHOOK_NATS_SERVER
#define LKWEBHOOK_NATS_SERVER ""
#endif

namespace lkwebhook_test {

/// Path of nats-server, or empty when it is not installed.
inline std::string nats_server_path() {
    if (const char* env = std::getenv("LKWEBHOOK_NATS_SERVER"); env != nullptr && *env != '\0') return env;
    const std::string configured = LKWEBHOOK_NATS_SERVER;
    if (!configured.empty() && ::access(configured.c_str(), X_OK) == 0) return configured;
    // Debian installs it in /usr/sbin (not on a non-root user's PATH).
    for (const char* candidate : {"/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"}) {
        if (::access(candidate, X_OK) == 0) return candidate;
    }
    return {};
}

class nats_server {
public:
    /// extra_args go to nats-server as they are, e.g. {"--user", "u", "--pass", "p"}.
    explicit nats_server(std::vector<std::string> extra_args = {})
        : binary_(nats_server_path()), port_(free_loopback_port()), extra_args_(std::move(extra_args)) {
        if (binary_.empty())
            throw std::runtime_error(
                    "nats-server not found in /usr/sbin, /usr/bin or /usr/local/bin (apt-get install nats-server)");
        char pattern[] = "/tmp/lkwebhook-nats-XXXXXX";
        if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
        dir_ = pattern;
        start();
    }
    ~nats_server() {
        stop();
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }
    nats_server(const nats_server&) = delete;
    nats_server& operator=(const nats_server&) = delete;

    [[nodiscard]] std::string url() const { return "nats://127.0.0.1:" + std::to_string(port_); }

    void start() {
        if (pid_ > 0) return;
        const std::string log = dir_ + "/nats.log";
        std::filesystem::remove(log);
        std::vector<std::string> args{binary_, "-js",       "-sd", dir_ + "/store",
                                      "-a",    "127.0.0.1", "-p",  std::to_string(port_)};
        args.insert(args.end(), extra_args_.begin(), extra_args_.end());
        pid_ = spawn_logged(std::move(args), dir_, log);
        // JetStream included; at most ~20 s.
        wait_for_log(pid_, log, "Server is ready", 400, "nats-server");
    }

    void stop(int signal = SIGTERM) {
        if (pid_ <= 0) return;
        ::kill(pid_, signal);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
    }

private:
    std::string binary_;
    int port_;
    std::vector<std::string> extra_args_;
    std::string dir_;
    pid_t pid_ = -1;
};

}  // namespace lkwebhook_test

#endif
