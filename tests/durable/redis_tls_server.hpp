#ifndef LKWEBHOOK_TESTS_DURABLE_REDIS_TLS_SERVER_HPP
#define LKWEBHOOK_TESTS_DURABLE_REDIS_TLS_SERVER_HPP

// Test fixture: a private redis-server that speaks TLS only (--port 0, so no
// plaintext listener; --tls-port on a free loopback port) with a certificate
// of a throwaway_ca, optionally demanding client certificates
// (--tls-auth-clients yes) and a password (--requirepass). No persistence.
// Ready when its log says it accepts connections (it answers no plaintext
// PING, so redis_server's readiness check cannot be used).

#include <chrono>
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

#include "durable/throwaway_ca.hpp"
#include "redis/redis_server.hpp"  // redis_server_path(), free_loopback_port()
#include "support/server_process.hpp"

namespace lkwebhook_test {

struct redis_tls_server_options {
    bool require_client_certificates = false;
    std::string requirepass;
};

class redis_tls_server {
public:
    redis_tls_server(const throwaway_ca& ca, redis_tls_server_options options = {})
        : binary_(redis_server_path()), port_(free_loopback_port()) {
        if (binary_.empty()) throw std::runtime_error("redis-server not found (apt-get install redis-server)");
        char pattern[] = "/tmp/lkwebhook-redis-tls-XXXXXX";
        if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
        dir_ = pattern;
        const std::string log = dir_ + "/redis.log";
        std::vector<std::string> args{binary_,
                                      "--port",
                                      "0",
                                      "--tls-port",
                                      std::to_string(port_),
                                      "--bind",
                                      "127.0.0.1",
                                      "--save",
                                      "",
                                      "--appendonly",
                                      "no",
                                      "--dir",
                                      dir_,
                                      "--tls-cert-file",
                                      ca.file("server.pem"),
                                      "--tls-key-file",
                                      ca.file("server.key"),
                                      "--tls-ca-cert-file",
                                      ca.file("ca.pem"),
                                      "--tls-auth-clients",
                                      options.require_client_certificates ? "yes" : "no"};
        if (!options.requirepass.empty()) args.insert(args.end(), {"--requirepass", options.requirepass});
        pid_ = spawn_logged(std::move(args), dir_, log);
        // Redis 7.0 logs "Ready to accept connections", 7.2 and later "... connections tls".
        try {
            wait_for_log(pid_, log, "Ready to accept connections", 200, "redis-server (TLS)");
        } catch (...) {  // a constructor that throws runs no destructor: clean up here
            if (pid_ > 0) {
                ::kill(pid_, SIGKILL);
                int status = 0;
                ::waitpid(pid_, &status, 0);
                pid_ = -1;
            }
            std::error_code ignored;
            std::filesystem::remove_all(dir_, ignored);
            throw;
        }
    }
    ~redis_tls_server() {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            int status = 0;
            ::waitpid(pid_, &status, 0);
        }
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }
    redis_tls_server(const redis_tls_server&) = delete;
    redis_tls_server& operator=(const redis_tls_server&) = delete;

    [[nodiscard]] int port() const noexcept { return port_; }

private:
    std::string binary_;
    int port_;
    std::string dir_;
    pid_t pid_ = -1;
};

}  // namespace lkwebhook_test

#endif
