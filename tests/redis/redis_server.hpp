#ifndef LKWEBHOOK_TESTS_REDIS_REDIS_SERVER_HPP
#define LKWEBHOOK_TESTS_REDIS_REDIS_SERVER_HPP

// Test fixture: a private redis-server on a free loopback port, in a temporary
// directory; without persistence by default, or with the AOF settings the
// durable-queue tests need (redis_server_options). start() / stop() /
// restart() (same port, same directory: the AOF survives a restart).

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "support/server_process.hpp"

#ifndef LKWEBHOOK_REDIS_SERVER
#define LKWEBHOOK_REDIS_SERVER ""
#endif

namespace lkwebhook_test {

/// Path of redis-server, or empty when it is not installed.
inline std::string redis_server_path() {
    if (const char* env = std::getenv("LKWEBHOOK_REDIS_SERVER"); env != nullptr && *env != '\0') return env;
    const std::string configured = LKWEBHOOK_REDIS_SERVER;
    if (!configured.empty() && ::access(configured.c_str(), X_OK) == 0) return configured;
    for (const char* candidate : {"/usr/bin/redis-server", "/usr/local/bin/redis-server"}) {
        if (::access(candidate, X_OK) == 0) return candidate;
    }
    return {};
}

inline int free_loopback_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw std::runtime_error("socket failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        throw std::runtime_error("bind failed");
    }
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

struct redis_server_options {
    /// "no", or "always" / "everysec" for appendonly yes with that appendfsync.
    std::string appendfsync = "no";
    /// requirepass, when not empty.
    std::string requirepass;
    /// Also listen on a unix socket in the server's directory.
    bool unix_socket = false;
    /// Further `--name value` arguments (e.g. an ACL user: {"--user", "app on >pw ~* +@all"}).
    std::vector<std::string> extra;
};

class redis_server {
public:
    explicit redis_server(redis_server_options options = {})
        : options_(std::move(options)), binary_(redis_server_path()), port_(free_loopback_port()) {
        char pattern[] = "/tmp/lkwebhook-redis-XXXXXX";
        if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
        dir_ = pattern;
        start();
    }
    ~redis_server() {
        stop();
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }
    redis_server(const redis_server&) = delete;
    redis_server& operator=(const redis_server&) = delete;

    [[nodiscard]] int port() const noexcept { return port_; }
    [[nodiscard]] std::string unix_socket() const { return dir_ + "/redis.sock"; }
    [[nodiscard]] const std::string& directory() const noexcept { return dir_; }

    void start() {
        if (pid_ > 0) return;
        const std::string port_text = std::to_string(port_);
        const std::string log = dir_ + "/redis.log";
        std::vector<std::string> args{binary_, "--port", port_text, "--bind", "127.0.0.1", "--save", "", "--dir", dir_};
        if (options_.appendfsync == "no") {
            args.insert(args.end(), {"--appendonly", "no"});
        } else {
            args.insert(args.end(), {"--appendonly", "yes", "--appendfsync", options_.appendfsync});
        }
        if (!options_.requirepass.empty()) args.insert(args.end(), {"--requirepass", options_.requirepass});
        if (options_.unix_socket) args.insert(args.end(), {"--unixsocket", dir_ + "/redis.sock"});
        args.insert(args.end(), options_.extra.begin(), options_.extra.end());
        pid_ = spawn_logged(std::move(args), dir_, log);
        // Wait until it answers PING (at most ~10 s).
        for (int i = 0; i < 200; ++i) {
            if (ping()) return;
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                throw std::runtime_error("redis-server exited at start (see " + log + ")");
            }
            std::this_thread::sleep_for(std::chrono::milliseconds{50});
        }
        throw std::runtime_error("redis-server did not answer PING");
    }

    /// Stops it; `signal` SIGKILL simulates a crash of the Redis process.
    void stop(int signal = SIGTERM) {
        if (pid_ <= 0) return;
        ::kill(pid_, signal);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
    }

    void restart() {
        stop();
        start();
    }

    [[nodiscard]] bool ping() const {
        timeval tv{0, 200'000};
        redisContext* c = redisConnectWithTimeout("127.0.0.1", port_, tv);
        if (c == nullptr) return false;
        bool ok = false;
        if (c->err == 0) {
            auto* reply = static_cast<redisReply*>(redisCommand(c, "PING"));
            // With requirepass, NOAUTH still proves the server is up and serving.
            ok = reply != nullptr &&
                 (reply->type == REDIS_REPLY_STATUS ||
                  (reply->type == REDIS_REPLY_ERROR && std::string(reply->str).starts_with("NOAUTH")));
            if (reply != nullptr) freeReplyObject(reply);
        }
        redisFree(c);
        return ok;
    }

private:
    redis_server_options options_;
    std::string binary_;
    int port_;
    std::string dir_;
    pid_t pid_ = -1;
};

}  // namespace lkwebhook_test

#endif
