#ifndef LKWEBHOOK_TESTS_REDIS_REDIS_SERVER_HPP
#define LKWEBHOOK_TESTS_REDIS_REDIS_SERVER_HPP

// Test fixture: a private redis-server on a free loopback port, in a temporary
// directory, without persistence. start() / stop() / restart() (same port).

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

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

class redis_server {
public:
    redis_server() : binary_(redis_server_path()), port_(free_loopback_port()) {
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

    void start() {
        if (pid_ > 0) return;
        const std::string port_text = std::to_string(port_);
        const std::string log = dir_ + "/redis.log";
        pid_ = ::fork();
        if (pid_ < 0) throw std::runtime_error("fork failed");
        if (pid_ == 0) {
            if (::chdir(dir_.c_str()) != 0) ::_exit(126);
            const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
            if (out >= 0) {
                ::dup2(out, 1);
                ::dup2(out, 2);
            }
            ::execl(binary_.c_str(), binary_.c_str(), "--port", port_text.c_str(), "--bind", "127.0.0.1", "--save", "",
                    "--appendonly", "no", "--dir", dir_.c_str(), static_cast<char*>(nullptr));
            ::_exit(127);
        }
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

    void stop() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGTERM);
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
            ok = reply != nullptr && reply->type == REDIS_REPLY_STATUS;
            if (reply != nullptr) freeReplyObject(reply);
        }
        redisFree(c);
        return ok;
    }

private:
    std::string binary_;
    int port_;
    std::string dir_;
    pid_t pid_ = -1;
};

}  // namespace lkwebhook_test

#endif
